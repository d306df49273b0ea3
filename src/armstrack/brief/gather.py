"""The content of a brief: one pass over the country's merged facts, no rendering.

Everything is counted from the facts the brief covers (``FactFilter(country,
partner, since)``), not from the profile rollups, so a brief "since 2010" ranks
partners by facts since 2010. A partner is a country a participant of the fact
belongs to, other than the brief's own.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from armstrack.graph.graph import Graph
from armstrack.graph.query import FactFilter, FactView, date_key, flow_pairs, matching

# Facts a brief details: ranked by corroboration, then recency. A country's record in the corpus has up to
# ~40 facts; 40 keeps a brief to a few pages while still listing every fact of a typical country.
KEY_FACTS = 40
UNKNOWN = "unknown origin"


@dataclass(frozen=True)
class Citation:
    number: int
    article: str
    outlet: str | None
    published: str | None
    url: str | None
    evidence: str


@dataclass(frozen=True)
class KeyFact:
    fact: FactView
    citations: tuple[int, ...]


@dataclass(frozen=True)
class Brief:
    country: str
    partner: str | None
    since: str | None
    generated: str
    n_facts: int
    partners: list[tuple[str, int]]  # most facts first
    facts: list[FactView]  # every covered fact, date order
    edges: list[dict[str, Any]]  # {"source", "target", "weight"} between countries, from the facts' flows
    equipment: dict[str, list[dict[str, Any]]]  # origin -> [{"system", "category", "facts"}], most facts first
    key_facts: list[KeyFact]
    citations: list[Citation] = field(default_factory=list)

    @property
    def title(self) -> str:
        pair = f" and {self.partner}" if self.partner else ""
        since = f" since {self.since}" if self.since else ""
        return f"{self.country}{pair}: defence-industrial cooperation{since}"


def _partners(country: str, facts: list[FactView]) -> list[tuple[str, int]]:
    counts: Counter[str] = Counter()
    for f in facts:
        counts.update({p["country"] for p in f.participants if p.get("country") and p["country"] != country})
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))


def _edges(facts: list[FactView]) -> list[dict[str, Any]]:
    """Supplier -> recipient links between countries, as ``query.network`` draws them, over these facts only."""
    weights: Counter[tuple[str, str]] = Counter()
    for f in facts:
        sides: dict[str, set[str]] = defaultdict(set)
        for p in f.participants:
            if p.get("country"):
                sides[p["role"]].add(p["country"])
        weights.update(flow_pairs(f.type, sides))
    return [{"source": s, "target": t, "weight": w}
            for (s, t), w in sorted(weights.items(), key=lambda kv: (-kv[1], kv[0]))]


def _equipment(graph: Graph, facts: list[FactView]) -> dict[str, list[dict[str, Any]]]:
    counts: Counter[tuple[str, str, str]] = Counter()
    for f in facts:
        seen = set()
        for s in f.systems:
            entity = graph.resolver.system(s["name"], s.get("category")).entity
            seen.add((entity.country or UNKNOWN, entity.name, entity.category or s.get("category") or ""))
        counts.update(seen)
    by_origin: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for (origin, name, category), n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0][1])):
        by_origin[origin].append({"system": name, "category": category, "facts": n})
    return dict(sorted(by_origin.items(), key=lambda kv: (kv[0] == UNKNOWN, -sum(x["facts"] for x in kv[1]), kv[0])))


def gather(graph: Graph, country: str, *, partner: str | None = None, since: str | None = None,
           today: date | None = None) -> Brief:
    """What a brief on ``country`` says; raises ``QueryError`` for a country the graph does not know."""
    flt = FactFilter(country=country, partner=partner, since=since)
    facts = matching(graph, flt)
    name = graph.resolver.country_name(country) or country
    other = graph.resolver.country_name(partner) if partner else None
    newest_first = sorted(facts, key=lambda f: (f.time_start is not None, f.time_start or "", f.time_end or ""),
                          reverse=True)
    ranked = sorted(newest_first, key=lambda f: -f.corroboration)[:KEY_FACTS]  # stable: recency breaks ties
    ranked.sort(key=lambda f: date_key(f.time_start, f.time_end))
    citations: dict[tuple[int, str], Citation] = {}
    key_facts = []
    for f in ranked:
        numbers = []
        for s in f.sources:
            ref = (s["article_id"], s.get("evidence") or "")
            if ref not in citations:
                citations[ref] = Citation(len(citations) + 1, s["article"], s.get("outlet"), s.get("published"),
                                          s.get("url"), s.get("evidence") or "")
            numbers.append(citations[ref].number)
        key_facts.append(KeyFact(f, tuple(dict.fromkeys(numbers))))
    return Brief(name, other, since, (today or date.today()).isoformat(), len(facts), _partners(name, facts), facts,
                 _edges(facts), _equipment(graph, facts), key_facts, list(citations.values()))

