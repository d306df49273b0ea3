"""Turn per-trigger candidates into an article's fact list.

1. merge: the same fact stated twice (headline and body, or a fact and the
   follow-up sentence giving its figure) becomes one fact whose empty fields
   are filled from the later mention; facts with different dates stay apart;
2. imply: a foreign owner's plant that makes equipment is also licensed
   production by the host country (annotation notes, "Fact types");
3. subsume: a vaguer duplicate ("Turkey" supplies "drones") of a more specific
   fact ("Baykar" supplies "Bayraktar TB2" to the same recipient) is dropped;
4. threshold: candidates whose confidence fell below ``MIN_CONFIDENCE``
   (too many guesses) are dropped.
"""
from __future__ import annotations

from dataclasses import replace

from .model import Fact, Participant

SYMMETRIC_TYPES = ("agreement", "co_production", "joint_venture")
# Calibrated on the corpus (armstrack score ../shared/corpus): below this, a
# candidate rests on two fallback guesses and is wrong more often than right.
MIN_CONFIDENCE = 0.45
IMPLIED_WEIGHT = 0.9


def fact_identity(fact: Fact) -> tuple:
    """Same type, same parties in the same roles, and (for transfers) the same equipment."""
    people = frozenset((p.role if fact.type not in SYMMETRIC_TYPES else "", p.name) for p in fact.participants)
    systems = frozenset(s.name for s in fact.systems) if fact.type == "arms_transfer" else frozenset()
    return (fact.type, people, systems)


def _dated(fact: Fact) -> bool:
    return bool(fact.time.start or fact.time.end)


def _compatible_times(a: Fact, b: Fact) -> bool:
    return not (_dated(a) and _dated(b)) or (a.time.start, a.time.end) == (b.time.start, b.time.end)


def merge_facts(candidates: list[Fact]) -> list[Fact]:
    """Merge duplicates, filling empty fields of the first from the later ones."""
    merged: list[Fact] = []
    index: dict[tuple, list[int]] = {}
    for fact in candidates:
        key = fact_identity(fact)
        target = next((i for i in index.get(key, []) if _compatible_times(merged[i], fact)), None)
        if target is None:
            index.setdefault(key, []).append(len(merged))
            merged.append(fact)
            continue
        first = merged[target]
        merged[target] = replace(
            first,
            time=first.time if _dated(first) else (fact.time if _dated(fact) else first.time),
            quantity=first.quantity or fact.quantity,
            money=first.money or fact.money,
            attributed_to=first.attributed_to or fact.attributed_to,
            systems=tuple(dict.fromkeys(first.systems + fact.systems)) if fact.type != "arms_transfer" else first.systems,
            confidence=max(first.confidence, fact.confidence),
        )
    return merged


def implied_facts(facts: list[Fact]) -> list[Fact]:
    """A foreign owner's plant making equipment implies licensed production by the host."""
    out = []
    for f in facts:
        if f.type != "facility" or not f.systems:
            continue
        hosts = [p for p in f.participants if p.role == "host"]
        owners = [p for p in f.participants if p.role == "owner" and p.country and hosts and p.country != hosts[0].country]
        for owner in owners[:1]:
            out.append(replace(
                f,
                type="licensed_production",
                participants=(Participant("producer", hosts[0].name, "country", hosts[0].country), replace(owner, role="licensor")),
                status="planned" if f.status == "planned" else "ongoing",
                confidence=f.confidence * IMPLIED_WEIGHT,
            ))
    return out


def _covers(general: Participant, specific: Participant, symmetric: bool) -> bool:
    if not symmetric and general.role != specific.role:
        return False
    return general.name == specific.name or (general.kind == "country" and general.name == specific.country)


def _subsumed(a: Fact, b: Fact) -> bool:
    """True when ``b`` says everything ``a`` says, more specifically."""
    if a is b or a.type != b.type or len(a.participants) > len(b.participants):
        return False
    symmetric = a.type in SYMMETRIC_TYPES
    if not all(any(_covers(p, q, symmetric) for q in b.participants) for p in a.participants):
        return False
    names_b = {s.name for s in b.systems}
    systems_ok = not a.systems or {s.name for s in a.systems} <= names_b or (b.systems and len(b.systems) >= len(a.systems) and not names_b & {s.name for s in a.systems} and a.type != "arms_transfer")
    if not systems_ok and a.type == "arms_transfer":
        cats_b = {s.category for s in b.systems}
        systems_ok = all(s.category in cats_b and s.name[:1].islower() for s in a.systems)
    return bool(systems_ok) and _compatible_times(a, b) and (a.participants != b.participants or len(a.systems) < len(b.systems))


def drop_subsumed(facts: list[Fact]) -> list[Fact]:
    return [a for a in facts if not any(_subsumed(a, b) for b in facts)]


def consolidate(candidates: list[Fact]) -> list[Fact]:
    """Merge, imply, subsume, threshold (see module docstring)."""
    facts = merge_facts(candidates)
    facts = merge_facts(facts + implied_facts(facts))
    facts = drop_subsumed(facts)
    return [f for f in facts if f.confidence >= MIN_CONFIDENCE]
