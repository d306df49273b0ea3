"""Features of a candidate fact, for the learned scorer (``scorer.py``, ``train.py``).

A candidate is described by how the rules built it (its ``trace``: rule,
trigger lemma, the slot each role was filled from, the written form of each
filler) and by what it ended up holding (fact type, kinds of the parties,
equipment, date, figures), plus where it sits in the article and how it agrees
with the article's other candidates. Every feature is a name with a value
(1.0 for indicators), so scoring is a sparse dot product in pure Python and
the same function serves training and extraction: no drift between the two.

Features must be deterministic (the model file is reproducible byte for byte)
and cheap (they are computed for every candidate of every ingested article).
"""
from __future__ import annotations

from collections import Counter

from armstrack.model import Fact

# Position of the evidence sentence in the article, as a share of its sentences: the headline
# (sentence 0) and lead restate the story, the tail of an article is background and boilerplate.
POSITION_BUCKETS = ((0.0, "headline"), (0.15, "lead"), (0.5, "body"), (0.8, "tail"))
MAX_COUNT = 3  # counts (restatements, neighbours) are capped: "3" means three or more


def _bucket(share: float, index: int) -> str:
    if index == 0:
        return "headline"
    name = "lead"
    for low, label in POSITION_BUCKETS[1:]:
        if share >= low:
            name = label
    return name


def _trace_items(fact: Fact) -> dict[str, list[str]]:
    items: dict[str, list[str]] = {}
    for entry in fact.trace:
        key, _, value = entry.partition("=")
        items.setdefault(key, []).append(value)
    return items


def _parties(fact: Fact) -> frozenset[str]:
    return frozenset(p.country or p.name for p in fact.participants)


def candidate_features(facts: list[Fact], generic_completable: list[bool] | None = None) -> list[dict[str, float]]:
    """One feature dict per candidate of one article (``facts`` are that article's merged candidates).

    ``generic_completable[i]`` says whether candidate ``i`` names only generic equipment that the
    article's named models would complete (``consolidate.complete_models``).
    """
    per_sentence = Counter(f.evidence_span for f in facts)
    sides = Counter((f.type, _parties(f)) for f in facts)
    types_of_sides: dict[frozenset, set[str]] = {}
    for f in facts:
        types_of_sides.setdefault(_parties(f), set()).add(f.type)
    out = []
    for i, f in enumerate(facts):
        feats: dict[str, float] = {}

        def on(name: str, value: float = 1.0) -> None:
            feats[name] = feats.get(name, 0.0) + value

        t = f.type
        items = _trace_items(f)
        on(f"type={t}")
        on(f"type={t}&status={f.status}")
        for rule in items.get("rule", []):
            on(f"rule={rule}")
        for lemma in items.get("trigger", []):
            on(f"trigger={lemma}&type={t}")
        for dep in items.get("dep", []):
            on(f"dep={dep}")
        for key, values in items.items():
            if key.startswith(("slot:", "form:")):
                for v in values:
                    on(f"{key}={v}")
                    on(f"{key}={v}&type={t}")
        for form in sorted(set(items.get("system_form", []))):
            on(f"system_form={form}")
        for implied in items.get("implied", []):
            on(f"implied={implied}")
        if "domestic" in items:  # a supplier selling to its own country (extract/facts.py)
            on(f"domestic&type={t}")
        if "specialised" in items:
            on("specialised")
        if "caption" in items:
            on("caption")
        penalty = float(items.get("penalty", ["0"])[0])
        on("penalty", penalty)
        on(f"guesses={min(MAX_COUNT, round(penalty / 0.1))}")
        index, _, total = (items.get("sentence", ["0/1"])[0]).partition("/")
        on(f"position={_bucket(int(index) / max(1, int(total)), int(index))}")
        on(f"restated={min(MAX_COUNT, len(items.get('restated', [])))}")
        # what the candidate holds
        for p in f.participants:
            on(f"kind:{p.role}={p.kind}&type={t}")
        on(f"parties={min(MAX_COUNT + 1, len(f.participants))}&type={t}")
        if not f.systems:
            on(f"systems=none&type={t}")
        elif all(s.name[:1].islower() and not any(c.isdigit() for c in s.name) for s in f.systems):
            on(f"systems=generic&type={t}")
            if generic_completable and generic_completable[i]:
                on("systems=completable")
        else:
            on(f"systems=named&type={t}")
        for category in sorted({s.category for s in f.systems}):
            on(f"category={category}")
        on("dated" if f.time.start or f.time.end else "undated")
        if f.quantity:
            on("quantity")
        if f.money:
            on("money")
        if f.attributed_to:
            on("attributed")
        # agreement with the article's other candidates
        on(f"same_sentence={min(MAX_COUNT, per_sentence[f.evidence_span] - 1)}")
        on(f"same_sides_elsewhere={min(MAX_COUNT, sides[(t, _parties(f))] - 1)}")
        if len(types_of_sides.get(_parties(f), ())) > 1:
            on("sides_in_other_types")
        out.append(feats)
    return out
