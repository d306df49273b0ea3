"""Turn per-trigger candidates into an article's fact list.

1. merge: the same fact stated twice (headline and body, or a fact and the
   follow-up sentence giving its figure) becomes one fact whose empty fields
   are filled from the later mention; facts with conflicting dates stay apart;
2. imply: a foreign owner's plant that makes equipment is also licensed
   production by the host country (annotation notes, "Fact types");
3. subsume: a vaguer restatement ("Kazakhstan will produce Turkish UAVs") of a
   more specific fact (Kazakhstan produces Turkish ANKA drones) is dropped;
4. complete: a fact that still names only generic equipment ("drones") gets the
   model of that category the article named last before it;
5. a planned purchase that the buyer will first put to tender is the tender,
   not a transfer (annotation notes: procurement_process);
6. choose: with a trained scorer (``quality/scorer.py``) every merged
   candidate gets the calibrated probability that an analyst would accept it
   as its confidence, and those under the scorer's emission threshold are
   dropped before they can knock out others in step 3; without one, candidates
   whose hand-made confidence fell below ``MIN_CONFIDENCE`` (too many guesses)
   are dropped.

Each step notes what it did in the fact's ``trace`` ("restated", "implied=...").
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

from armstrack.model import Fact, Participant, System, TimeSpan

SYMMETRIC_TYPES = ("agreement", "co_production", "joint_venture")
# Types where different equipment means a different fact (two orders, two co-developed products).
KEYED_BY_SYSTEM = ("arms_transfer", "co_production")
# Calibrated on the corpus (armstrack score ../shared/corpus): below this, a
# candidate rests on two fallback guesses and is wrong more often than right.
# Used only when extraction runs without a trained scorer.
MIN_CONFIDENCE = 0.45
IMPLIED_WEIGHT = 0.9
MODEL_LOOKBACK_CHARS = 1500  # how far back a generic "drones" may find its model
MODEL_LOOKAHEAD_CHARS = 400  # ... or forward, when the article names it just after
PRODUCTION = re.compile(r"\b(produc|manufactur|assembl|mass-produc|build)", re.I)


def is_generic(system: System) -> bool:
    """"drones", "armoured vehicles": a category noun, not a model (models are capitalised or have digits)."""
    return system.name[:1].islower() and not any(ch.isdigit() for ch in system.name)


def fact_identity(fact: Fact) -> tuple:
    """Same type, same parties in the same roles, and (for transfers) the same equipment."""
    people = frozenset((p.role if fact.type not in SYMMETRIC_TYPES else "", p.name) for p in fact.participants)
    systems = frozenset(s.name for s in fact.systems) if fact.type in KEYED_BY_SYSTEM else frozenset()
    return (fact.type, people, systems)


def _same_date(x: str | None, y: str | None) -> bool:
    """"2011" and "2011-05" may be one date; "2011" and "2012" are not."""
    return not (x and y) or x.startswith(y) or y.startswith(x)


def _unplaced(t: TimeSpan) -> bool:
    """A written date that could not be placed ("on October 19" with no year known)."""
    return bool(t.text) and not (t.start or t.end) and any(ch.isdigit() for ch in t.text)


def _dated_text(t: TimeSpan) -> bool:
    return bool(t.start or t.end or t.text and any(ch.isdigit() for ch in t.text))


def compatible_times(a: TimeSpan, b: TimeSpan) -> bool:
    """No conflicting start and no conflicting end ("in 1993" and "by 2019" fit together)."""
    if _unplaced(a) and _dated_text(b) and a.text != b.text or _unplaced(b) and _dated_text(a) and a.text != b.text:
        return False  # "on October 19" and "in 1997" are two dates
    return _same_date(a.start, b.start) and _same_date(a.end, b.end)


def _joined_time(a: TimeSpan, b: TimeSpan) -> TimeSpan:
    if not (b.start or b.end):
        return a
    if not (a.start or a.end):
        return b
    return TimeSpan(a.text or b.text, a.start or b.start, a.end or b.end)


def _absorb(first: Fact, other: Fact) -> Fact:
    """Fill the first statement's gaps from another; a body sentence beats the headline."""
    if first.evidence_span[0] == 0 and other.evidence_span[0] > 0:
        first = replace(first, status=other.status, evidence=other.evidence, evidence_span=other.evidence_span,
                        attributed_to=other.attributed_to or first.attributed_to)
    return replace(
        first,
        time=_joined_time(first.time, other.time),
        quantity=first.quantity or other.quantity,
        money=first.money or other.money,
        attributed_to=first.attributed_to or other.attributed_to,
        systems=tuple(dict.fromkeys(first.systems + other.systems)) if first.type not in KEYED_BY_SYSTEM else first.systems,
        confidence=max(first.confidence, other.confidence),
        trace=first.trace + ("restated",),
    )


def merge_facts(candidates: list[Fact]) -> list[Fact]:
    """Merge duplicates, filling empty fields of the first from the later ones."""
    merged: list[Fact] = []
    index: dict[tuple, list[int]] = {}
    for fact in candidates:
        key = fact_identity(fact)
        target = next((i for i in index.get(key, []) if compatible_times(merged[i].time, fact.time)), None)
        if target is None:
            index.setdefault(key, []).append(len(merged))
            merged.append(fact)
        else:
            merged[target] = _absorb(merged[target], fact)
    return merged


SIGNED_DEAL = re.compile(r"\b(sign\w*|ink\w*|conclud\w*)\b.{0,80}\b(contracts?|deals?|agreements?)\b|\b(contracts?|deals?|agreements?)\b.{0,40}\bsigned\b", re.I)


def implied_facts(facts: list[Fact]) -> list[Fact]:
    """Facts the annotation conventions attach to others.

    A foreign owner's plant making equipment is also licensed production by
    the host; an order in a sentence that reports a signed contract is also
    that contract (an ``agreement`` between buyer and seller).
    """
    out = _implied_agreements(facts)
    for f in facts:
        if f.type != "facility" or not f.systems or not PRODUCTION.search(f.evidence):
            continue
        hosts = [p for p in f.participants if p.role == "host"]
        if not hosts or any(p.role == "owner" and p.country == hosts[0].country for p in f.participants):
            continue  # a plant the host country co-owns is co-production, not licensed production
        owners = [p for p in f.participants if p.role == "owner" and p.country]
        for owner in owners[:1]:
            out.append(replace(
                f,
                type="licensed_production",
                participants=(Participant("producer", hosts[0].name, "country", hosts[0].country), replace(owner, role="licensor")),
                status="planned" if f.status == "planned" else "ongoing",
                confidence=f.confidence * IMPLIED_WEIGHT,
                trace=f.trace + ("implied=licensed_production",),
            ))
    return out


def _implied_agreements(facts: list[Fact]) -> list[Fact]:
    """The signed contract behind each planned order of a sentence that reports a signing.

    An agreement the rules found in the same sentence blocks the implied one only when it
    already holds the order's buyer and seller. One whose parties are all buyers of orders
    from one seller it does not name ("Estonia and Latvia signed the contract to purchase
    IRIS-T from Diehl") also gets a variant with that seller added: a joint contract
    ("implied=joint_seller"). And each buyer's own contract with the seller is still
    implied beside it ("implied=agreement_beside"): in "Croatia is the third country after
    Greece and Egypt to sign a contract for Rafales" each of the two signed with the maker.
    The scorer weighs the variants by their trace.
    """
    stated: dict[tuple, list[Fact]] = {}
    for f in facts:
        if f.type == "agreement":
            stated.setdefault(f.evidence_span, []).append(f)
    orders = [f for f in facts if f.type == "arms_transfer" and f.status == "planned" and SIGNED_DEAL.search(f.evidence)]
    buyers_only: dict[tuple, list[Fact]] = {}  # the sentence's agreements between buyers only
    for span, agreements in stated.items():
        buyers = {n for f in orders if f.evidence_span == span for n in _role_names(f, "recipient")}
        buyers_only[span] = [a for a in agreements if all({p.name, p.country} & buyers for p in a.participants)]
    out = []
    for f in orders:
        beside = stated.get(f.evidence_span, [])
        if any(_holds(a, f) for a in beside):
            continue
        if beside and not any(_role_names(f, "recipient") & _sides(a) for a in buyers_only[f.evidence_span]):
            continue  # the sentence's agreement is between other sides; this order may be a misreading
        out.append(replace(
            f,
            type="agreement",
            participants=tuple(replace(p, role="party") for p in f.participants),
            status="completed",
            confidence=f.confidence * IMPLIED_WEIGHT,
            trace=f.trace + ("implied=agreement_beside" if beside else "implied=agreement",),
        ))
    for span, agreements in buyers_only.items():
        here = [f for f in orders if f.evidence_span == span]
        for a in agreements:
            sellers = {_role_names(f, "supplier") for f in here if _role_names(f, "recipient") & _sides(a)}
            if len(sellers) != 1:
                continue
            (seller,) = sellers
            extra = [replace(p, role="party") for f in here for p in f.participants
                     if p.role == "supplier" and p.name in seller and p.name not in _sides(a)][:1]
            if extra:
                out.append(replace(a, participants=a.participants + tuple(extra), confidence=a.confidence * IMPLIED_WEIGHT,
                                   trace=a.trace + ("implied=joint_seller",)))
    return out


def _role_names(fact: Fact, role: str) -> frozenset[str]:
    return frozenset(p.name for p in fact.participants if p.role == role)


def _sides(fact: Fact) -> set[str]:
    """Every name a fact's party goes by: its own and its country's."""
    return {n for p in fact.participants for n in (p.name, p.country) if n}


def _holds(agreement: Fact, transfer: Fact) -> bool:
    """The agreement names the transfer's buyer and seller (or their countries)."""
    parties = _sides(agreement)
    return all({p.name, p.country} & parties for p in transfer.participants)


def _same_sides(a: Fact, b: Fact) -> bool:
    """Every party of ``a`` is a party of ``b``, or the country of one."""
    symmetric = a.type in SYMMETRIC_TYPES

    def side(p: Participant, q: Participant) -> bool:
        """Same party, or one side named as a country and the other as an organisation of it."""
        if p.name == q.name or p.name == q.country:
            return symmetric or p.role == q.role
        return bool(p.country) and p.country == q.country and p.role == q.role and p.kind != q.kind

    return all(any(side(p, q) for q in b.participants) for p in a.participants)


def _subsumed(a: Fact, b: Fact) -> bool:
    """True when ``b`` says everything ``a`` says, more specifically."""
    if a is b or a.type != b.type or not _same_sides(a, b):
        return False
    if a.type == "agreement" and {p.name for p in a.participants} - {p.name for p in b.participants}:
        return False  # a government MoU and a company contract are two agreements
    if (a.status == "planned") != (b.status == "planned") and a.type == "arms_transfer":
        return False  # "on order" and "in service" are two facts
    if a.evidence_span == b.evidence_span and a.quantity and b.quantity and a.quantity != b.quantity:
        return False  # "130 Abrams tanks and 20 recovery vehicles": two items, each with its count
    a_named = {s.name for s in a.systems if not is_generic(s)}
    b_named = {s.name for s in b.systems if not is_generic(s)}
    if a_named and not a_named <= b_named:
        return False
    if a.systems and b.systems and not {s.category for s in a.systems} & {s.category for s in b.systems}:
        return False  # submarines and frigates are two deals
    if not a_named and b_named and a.systems:
        # "Turkish UAVs" restates "Turkish ANKA drones" named before it, whatever dates each sentence gives;
        # a model named only later may be another product ("an improved version of the Shahed-136").
        # A headline summarises what the body names later.
        return b.evidence_span[0] <= a.evidence_span[0] or a.evidence_span[0] == 0
    if not compatible_times(a.time, b.time) and (a.type == "arms_transfer" or _orgs(b) <= _orgs(a)):
        return False  # separately dated deliveries are separate facts
    return _richness(b) > _richness(a)


def _orgs(fact: Fact) -> int:
    return sum(p.kind == "organization" for p in fact.participants)


def _richness(fact: Fact) -> tuple:
    """More parties, more specific parties (organisations over countries), more equipment, a date."""
    return (len(fact.participants), _orgs(fact), len(fact.systems), bool(fact.time.start), fact.confidence)


def _self_owned_duplicate(a: Fact, b: Fact) -> bool:
    """A plant whose owner was only guessed as its host, when the article names a real owner."""
    if a.type != "facility" or b.type != "facility" or a is b:
        return False
    hosts = {p.name for p in a.participants if p.role == "host"}
    owners = {p.country or p.name for p in a.participants if p.role == "owner"}
    b_hosts = {p.name for p in b.participants if p.role == "host"}
    b_owners = {p.country or p.name for p in b.participants if p.role == "owner"}
    return owners <= hosts and hosts == b_hosts and not b_owners <= b_hosts


def drop_subsumed(facts: list[Fact]) -> list[Fact]:
    keep = []
    for a in facts:
        if not any(_subsumed(a, b) or _self_owned_duplicate(a, b) for b in facts):
            keep.append(a)
    return keep


SOURCE_ROLES = ("supplier", "licensor", "donor", "owner", "partner", "provider")


def complete_models(facts: list[Fact], named: list[tuple[int, System, str | None]]) -> list[Fact]:
    """Add to a generic-only fact the model of its category the article named last before it.

    ``named`` holds (position, system, origin country or None). A model whose
    origin is known must come from the fact's supplying side: "the Chinese and
    Turkish drones" are the Wing Loong and the TB2, not the Uzbek-designed Lochin.
    """
    out = []
    for f in facts:
        if f.systems and all(is_generic(s) for s in f.systems):
            sources = {p.country or p.name for p in f.participants if p.role in SOURCE_ROLES}
            cats = {s.category for s in f.systems}
            start, end = f.evidence_span
            # a counted item ("20 recovery vehicles") is not the model another counted item of its sentence names
            taken = {s.name for g in facts if g is not f and f.quantity and g.quantity and g.quantity != f.quantity
                     and g.evidence_span == f.evidence_span for s in g.systems}
            fitting = [(pos, s) for pos, s, origin in named
                       if s.category in cats and (origin is None or not sources or origin in sources) and s.name not in taken]
            before = [s for pos, s in fitting if start - MODEL_LOOKBACK_CHARS <= pos < start]
            after = [s for pos, s in fitting if start <= pos < end + MODEL_LOOKAHEAD_CHARS]
            if before or after:
                f = replace(f, systems=f.systems + ((before[-1],) if before else (after[0],)))
        out.append(f)
    return out


def drop_tendered_purchases(facts: list[Fact]) -> list[Fact]:
    """A planned purchase that the buyer will first put to tender is reported as the tender."""
    tenders = [f for f in facts if f.type == "procurement_process" and f.status == "planned"]

    def tendered(f: Fact) -> bool:
        recipients = {p.country or p.name for p in f.participants if p.role == "recipient"}
        return any({p.country or p.name for p in t.participants if p.role == "buyer"} & recipients for t in tenders)

    return [f for f in facts if not (f.type == "arms_transfer" and f.status == "planned" and tendered(f))]


def specialise_parties(facts: list[Fact]) -> list[Fact]:
    """Give a country side the organisation the same sentence names for the deal.

    "production of Turkish ANKA drones will start in Kazakhstan ... under an
    agreement between Kazakhstan Engineering and Turkish Aerospace Industries":
    the producer is Kazakhstan Engineering (annotation notes: each role gets the
    most specific organisation the text names for that deal).
    """
    agreements = [f for f in facts if f.type == "agreement"]
    out = []
    for f in facts:
        deal = next((a for a in agreements if a is not f and a.evidence_span == f.evidence_span), None)
        if deal is not None and f.type not in SYMMETRIC_TYPES:
            orgs = [p for p in deal.participants if p.kind == "organization" and p.country]
            swapped = []
            for p in f.participants:
                same = [o for o in orgs if o.country == p.name]
                swapped.append(replace(same[0], role=p.role) if p.kind == "country" and len(same) == 1 else p)
            if tuple(swapped) != f.participants:
                f = replace(f, participants=tuple(swapped), trace=f.trace + ("specialised",))
        out.append(f)
    return out


Named = list[tuple[int, System, str | None]]
# Step 6: given the merged candidates and the article's named models, return the chosen ones.
Chooser = Callable[[list[Fact], Named], list[Fact]]


def merged_candidates(candidates: list[Fact]) -> list[Fact]:
    """Steps 1-2: the article's candidate facts, each stated once, with the implied ones."""
    candidates = specialise_parties(candidates)
    return merge_facts(candidates + implied_facts(merge_facts(candidates)) + implied_facts(candidates))


def finish(chosen: list[Fact], named: Named) -> list[Fact]:
    """Steps 3-5 over the chosen candidates: subsume, complete, tender."""
    facts = drop_subsumed(chosen)
    facts = complete_models(facts, list(named))
    return drop_tendered_purchases(facts)


def by_hand_confidence(facts: list[Fact], named: Named) -> list[Fact]:
    """Step 6 without a scorer: the hand-made confidence floor."""
    return [f for f in facts if f.confidence >= MIN_CONFIDENCE]


def consolidate(candidates: list[Fact], named: Named = (), choose: Chooser | None = None) -> list[Fact]:
    """Merge, imply, choose, subsume, complete (see module docstring)."""
    facts = merged_candidates(candidates)
    chosen = (choose or by_hand_confidence)(facts, list(named))  # a weak guess must not knock out others
    return finish(chosen, named)
