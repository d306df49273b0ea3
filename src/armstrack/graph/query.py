"""Analysts' questions over the knowledge graph, as plain functions returning dataclasses.

The CLI renders these as tables or JSON; the HTTP API will serve the same
``to_dict()`` shapes. Every function takes a ``graph.Graph`` (already synced by
``open_graph``), names countries however the analyst writes them ("Türkiye",
"TR"), hides rejected facts unless ``include_rejected``, and counts a country as
involved in a fact when a participant is, or belongs to, that country, or when
a system in it comes from that country (a Kazakh tender for Turkish ANKA drones
is part of the Turkey-Kazakhstan record).
"""
from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from typing import Any

import networkx as nx
from sqlalchemy import distinct, false, func, select

from armstrack.graph import rollup
from armstrack.errors import ArmstrackError
from armstrack.graph.graph import ORIGIN_SIDE, SYSTEM_ROLE, Graph, find_cluster
from armstrack.graph.merge import REJECTED
from armstrack.model import CATEGORIES, FACT_TYPES, STATUSES
from armstrack.store.db import (
    articles_table, cluster_countries_table, cluster_facts_table, country_stats_table, cluster_entities_table, clusters_table, entities_table,
    facts_table, mentions_table, participants_table, systems_table,
)

SHORT_ID = 12  # hex characters of a cluster key shown as its fact id (unique far beyond 10^6 facts)
LATEST_FACTS = 10
UNKNOWN_ORIGIN = "unknown"
# Direction of each fact type in the supplier -> recipient network; undirected types link both ways.
FLOW = {
    "arms_transfer": ("supplier", "recipient"),
    "licensed_production": ("licensor", "producer"),
    "training": ("provider", "trainee"),
    "aid": ("donor", "recipient"),
    "facility": ("owner", "host"),
    "procurement_process": ("candidate", "buyer"),
    "joint_venture": ("partner", "partner"),
    "co_production": ("partner", "partner"),
    "agreement": ("party", "party"),
}

C, CC, CE, E = clusters_table, cluster_countries_table, cluster_entities_table, entities_table
CF = cluster_facts_table
S = country_stats_table
CHUNK = 500


class QueryError(ArmstrackError):
    """A query argument names nothing the graph knows (an unknown country, fact type or status)."""


def date_key(start: str | None, end: str | None = None) -> tuple[bool, str, str]:
    """Sort key for ISO-prefix dates at their own precision: "1997" < "2022" < "2022-05"; undated last."""
    return (start is None, start or "", end or "")


@dataclass(frozen=True)
class FactView:
    """One merged fact as shown to an analyst: values, participants, systems, every source."""

    id: str
    key: str
    type: str
    status: str | None
    time_text: str | None
    time_start: str | None
    time_end: str | None
    quantity: int | None
    corroboration: int
    conflicted: bool
    review: str
    participants: list[dict[str, Any]]
    systems: list[dict[str, Any]]
    sources: list[dict[str, Any]]
    conflicts: list[dict[str, Any]]
    corrections: list[dict[str, Any]]

    @property
    def articles(self) -> list[str]:
        return list(dict.fromkeys(s["article"] for s in self.sources))

    def to_dict(self) -> dict[str, Any]:
        return asdict(self) | {"articles": self.articles}


def _view(row) -> FactView:
    detail = json.loads(row.detail)
    return FactView(
        id=row.key[:SHORT_ID], key=row.key, type=row.type, status=row.status, time_text=row.time_text,
        time_start=row.time_start, time_end=row.time_end, quantity=row.quantity, corroboration=row.n_articles,
        conflicted=bool(row.conflicted), review=row.review, participants=detail.get("participants", []),
        systems=detail.get("systems", []), sources=detail.get("sources", []),
        conflicts=detail.get("conflicts", []), corrections=detail.get("corrections", []))


def _sorted(views: list[FactView]) -> list[FactView]:
    return sorted(views, key=lambda v: (*date_key(v.time_start, v.time_end), v.type, v.key))


def _visible(include_rejected: bool, min_confidence: float | None = None) -> list:
    """Rejected facts are hidden unless asked for; with ``min_confidence``, a merged fact shows when
    at least one of its reports was extracted with that confidence or more."""
    where = [] if include_rejected else [C.c.review != REJECTED]
    if min_confidence is not None:
        where.append(C.c.id.in_(select(CF.c.cluster_id).join(facts_table, facts_table.c.id == CF.c.fact_id)
                                .where(facts_table.c.confidence >= min_confidence)))
    return where


def _country(graph: Graph, text: str) -> str:
    name = graph.resolver.country_name(text)
    if name is None:
        raise QueryError(f"unknown country {text!r}")
    return name


def _involving(country: str):
    return select(CC.c.cluster_id).where(CC.c.country == country)


# -- timeline ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Timeline:
    countries: tuple[str, str]
    facts: list[FactView]

    def to_dict(self) -> dict[str, Any]:
        return {"countries": list(self.countries), "facts": [f.to_dict() for f in self.facts]}


def timeline(graph: Graph, a: str, b: str, *, include_rejected: bool = False,
             min_confidence: float | None = None) -> Timeline:
    """The two countries' cooperation in date order (undated facts last)."""
    ca, cb = _country(graph, a), _country(graph, b)
    if ca == cb:
        raise QueryError(f"a timeline needs two different countries, got {ca} twice")
    with graph.engine.connect() as conn:
        rows = conn.execute(select(C).where(C.c.id.in_(_involving(ca)), C.c.id.in_(_involving(cb)),
                                            *_visible(include_rejected, min_confidence))).all()
    return Timeline((ca, cb), _sorted([_view(r) for r in rows]))


# -- profile -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Profile:
    country: str
    n_facts: int
    partners: list[dict[str, Any]]  # {"country", "facts"}, most facts first
    equipment: dict[str, list[dict[str, Any]]]  # origin -> [{"system", "category", "facts"}]
    organisations: list[dict[str, Any]]  # {"name", "country", "facts"}
    latest: list[FactView]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self) | {"latest": [f.to_dict() for f in self.latest]}


def profile(graph: Graph, country: str, *, latest: int = LATEST_FACTS, include_rejected: bool = False) -> Profile:
    """A country's partners ranked by facts, equipment by origin, organisations and latest facts.

    Counts come from the ``country_stats`` rollups (see rollup.py); with
    ``include_rejected`` they are counted live, which is slower on big stores.
    """
    name = _country(graph, country)
    with graph.engine.connect() as conn:
        if include_rejected:
            stats = [row for stmt in rollup.selects([name], include_hidden=True) for row in conn.execute(stmt)]
        else:
            stats = conn.execute(select(S.c.country, S.c.kind, S.c.item, S.c.origin, S.c.label, S.c.category, S.c.n)
                                 .where(S.c.country == name)).all()
        rows = _latest(conn, name, latest, include_rejected)
    n_facts = next((r.n for r in stats if r.kind == rollup.TOTAL), 0)
    by_count = sorted(stats, key=lambda r: (-r.n, r.label))
    partners = [{"country": r.item, "facts": r.n} for r in by_count if r.kind == rollup.PARTNER]
    equipment: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in by_count:
        if r.kind == rollup.SYSTEM:
            equipment[r.origin or UNKNOWN_ORIGIN].append({"system": r.label, "category": r.category, "facts": r.n})
    organisations = [{"name": r.label, "country": r.origin or None, "facts": r.n}
                     for r in by_count if r.kind == rollup.ORGANIZATION]
    return Profile(name, n_facts, partners, dict(equipment), organisations, [_view(r) for r in rows])


def _latest(conn, name: str, limit: int, include_rejected: bool) -> list:
    """The country's most recent facts, walking the (country, time_start) index backwards; undated last."""
    where = [CC.c.country == name] + ([] if include_rejected else [CC.c.hidden == false()])
    ids: list[int] = []
    for dated in (True, False):
        cond = CC.c.time_start.is_not(None) if dated else CC.c.time_start.is_(None)
        fetch = limit * 4
        while len(ids) < limit:
            got = conn.execute(select(CC.c.cluster_id).where(*where, cond)
                               .order_by(CC.c.time_start.desc(), CC.c.cluster_id.desc()).limit(fetch)).scalars().all()
            fresh = [i for i in dict.fromkeys(got) if i not in ids]
            ids_needed = limit - len(ids)
            if len(fresh) >= ids_needed or len(got) < fetch:
                ids += fresh[:ids_needed]
                break
            fetch *= 4
        if len(ids) >= limit:
            break
    if not ids:
        return []
    rows = {r.id: r for r in conn.execute(select(C).where(C.c.id.in_(ids)))}
    return [rows[i] for i in ids]


# -- facts ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class FactFilter:
    """Which merged facts an analyst asks for: the ``facts`` filters, also what a watchlist saves.

    Every field narrows the result (they combine with AND); None means "any".
    ``partner`` asks for facts involving both ``country`` and it (a pair);
    ``min_confidence`` keeps a fact when at least one of its reports was
    extracted with that confidence or more.
    """

    country: str | None = None
    partner: str | None = None
    organisation: str | None = None
    system: str | None = None
    category: str | None = None
    fact_type: str | None = None
    status: str | None = None
    since: str | None = None
    min_confidence: float | None = None
    include_rejected: bool = False

    def to_dict(self) -> dict[str, Any]:
        """The fields that are set (the JSON a watchlist stores)."""
        return {k: v for k, v in asdict(self).items() if v not in (None, False)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "FactFilter":
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in data.items() if k in known})

    def describe(self) -> str:
        """The filter in a few words: "country=Kazakhstan, type=agreement"."""
        return ", ".join(f"{k.replace('fact_type', 'type')}={v}" for k, v in self.to_dict().items()) or "all facts"


def _fact_where(graph: Graph, flt: FactFilter) -> list:
    where = _visible(flt.include_rejected, flt.min_confidence)
    if flt.partner and not flt.country:
        raise QueryError("a partner needs a country: the pair is country and partner")
    for name in (flt.country, flt.partner):
        if name:
            where.append(C.c.id.in_(_involving(_country(graph, name))))
    if flt.organisation:
        org = graph.resolver.participant(flt.organisation, "organization").entity.id
        where.append(C.c.id.in_(select(CE.c.cluster_id).where(CE.c.entity_id == org, CE.c.role != SYSTEM_ROLE)))
    if flt.system:
        system = graph.resolver.system(flt.system).entity.id
        where.append(C.c.id.in_(select(CE.c.cluster_id).where(CE.c.entity_id == system, CE.c.role == SYSTEM_ROLE)))
    if flt.category:
        if flt.category not in CATEGORIES:
            raise QueryError(f"unknown category {flt.category!r}; expected one of {', '.join(CATEGORIES)}")
        where.append(C.c.id.in_(select(CE.c.cluster_id).join(E, E.c.id == CE.c.entity_id)
                                .where(CE.c.role == SYSTEM_ROLE, E.c.category == flt.category)))
    if flt.fact_type:
        if flt.fact_type not in FACT_TYPES:
            raise QueryError(f"unknown fact type {flt.fact_type!r}; expected one of {', '.join(FACT_TYPES)}")
        where.append(C.c.type == flt.fact_type)
    if flt.since:
        where.append(C.c.time_start >= flt.since)
    if flt.status:
        if flt.status not in STATUSES:
            raise QueryError(f"unknown status {flt.status!r}; expected one of {', '.join(STATUSES)}")
        where.append(C.c.status == flt.status)
    return where


def matching(graph: Graph, flt: FactFilter, *, limit: int | None = None, offset: int = 0) -> list[FactView]:
    """Merged facts that pass ``flt``, in date order; ``limit`` and ``offset`` page through that order."""
    stmt = (select(C).where(*_fact_where(graph, flt))
            .order_by(C.c.time_start.is_(None), C.c.time_start, C.c.time_end, C.c.type, C.c.key))
    if limit:
        stmt = stmt.limit(limit)
    if offset:
        stmt = stmt.offset(offset)
    with graph.engine.connect() as conn:
        return _sorted([_view(r) for r in conn.execute(stmt)])


def facts(graph: Graph, *, country: str | None = None, fact_type: str | None = None, since: str | None = None,
          status: str | None = None, include_rejected: bool = False, limit: int | None = None,
          offset: int = 0, min_confidence: float | None = None) -> list[FactView]:
    """Merged facts filtered by country, type, start date (``since``: an ISO prefix) and status, in date order.

    ``limit`` and ``offset`` page through that order (the HTTP API's pagination);
    ``matching`` takes the other filters (pair, organisation, system, category, confidence).
    """
    flt = FactFilter(country=country, fact_type=fact_type, since=since, status=status,
                     include_rejected=include_rejected, min_confidence=min_confidence)
    return matching(graph, flt, limit=limit, offset=offset)


def count_facts(graph: Graph, *, country: str | None = None, fact_type: str | None = None, since: str | None = None,
                status: str | None = None, include_rejected: bool = False, min_confidence: float | None = None) -> int:
    """How many merged facts ``facts`` would list without a limit (a page's total)."""
    flt = FactFilter(country=country, fact_type=fact_type, since=since, status=status,
                     include_rejected=include_rejected, min_confidence=min_confidence)
    with graph.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(C).where(*_fact_where(graph, flt))).scalar_one()


def fact(graph: Graph, ref: str) -> FactView:
    """One merged fact by its id (a cluster key or a unique prefix of it), rejected or not."""
    cid, _ = find_cluster(graph, ref)
    with graph.engine.connect() as conn:
        return _view(conn.execute(select(C).where(C.c.id == cid)).one())


def facts_by_key(graph: Graph, keys: list[str]) -> dict[str, FactView]:
    """The merged facts with these cluster keys (rejected or not), by key; keys no longer in the graph are absent."""
    found: dict[str, FactView] = {}
    with graph.engine.connect() as conn:
        for i in range(0, len(keys), CHUNK):
            found.update((r.key, _view(r)) for r in conn.execute(select(C).where(C.c.key.in_(keys[i:i + CHUNK]))))
    return found


# -- network -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Network:
    edges: list[dict[str, Any]]  # {"source", "target", "weight", "types", "facts"}
    centrality: list[dict[str, Any]]  # {"country", "degree", "in", "out", "betweenness"}, most central first
    graph: nx.DiGraph = field(repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        return {"edges": self.edges, "centrality": self.centrality}


def _flows(graph: Graph, fact_type: str | None, since: str | None, include_rejected: bool,
           min_confidence: float | None = None):
    """Per visible cluster: its key, type and (role, country) of its participants."""
    where = _visible(include_rejected, min_confidence)
    if fact_type:
        where.append(C.c.type == fact_type)
    if since:
        where.append(C.c.time_start >= since)
    per: dict[int, dict[str, Any]] = {}
    with graph.engine.connect() as conn:
        for r in conn.execute(select(C.c.id, C.c.key, C.c.type, CE.c.role, CE.c.country)
                              .join(CE, CE.c.cluster_id == C.c.id)
                              .where(CE.c.role != SYSTEM_ROLE, CE.c.country.is_not(None), *where)):
            item = per.setdefault(r.id, {"key": r.key, "type": r.type, "sides": defaultdict(set)})
            item["sides"][r.role].add(r.country)
    return per.values()


def flow_pairs(fact_type: str, sides: dict[str, set[str]]) -> set[tuple[str, str]]:
    """The (giving country, receiving country) links one fact makes, from its countries by role."""
    giver, taker = FLOW[fact_type]
    return {(s, t) for s in sides.get(giver, ()) for t in sides.get(taker, ()) if s != t}


def network(graph: Graph, *, fact_type: str | None = None, since: str | None = None,
            include_rejected: bool = False, min_confidence: float | None = None) -> Network:
    """The country-level supplier -> recipient graph: edge weight = number of facts, with centrality."""
    g = nx.DiGraph()
    for item in _flows(graph, fact_type, since, include_rejected, min_confidence):
        for s, t in sorted(flow_pairs(item["type"], item["sides"])):
            data = g.get_edge_data(s, t) or {"weight": 0, "types": set(), "facts": []}
            data["weight"] += 1
            data["types"].add(item["type"])
            data["facts"].append(item["key"][:SHORT_ID])
            g.add_edge(s, t, **data)
    edges = sorted(({"source": s, "target": t, "weight": d["weight"], "types": sorted(d["types"]),
                     "facts": sorted(d["facts"])} for s, t, d in g.edges(data=True)),
                   key=lambda e: (-e["weight"], e["source"], e["target"]))
    degree = nx.degree_centrality(g) if len(g) > 1 else {n: 0.0 for n in g}
    between = nx.betweenness_centrality(g) if len(g) > 2 else {n: 0.0 for n in g}
    centrality = sorted(({"country": n, "degree": round(degree[n], 4), "out": g.out_degree(n, weight="weight"),
                          "in": g.in_degree(n, weight="weight"), "betweenness": round(between[n], 4)}
                         for n in g), key=lambda c: (-c["degree"], -c["betweenness"], c["country"]))
    return Network(edges, centrality, g)


# -- first ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class FirstAnswer:
    """Which country is (or is planned to be) first: one entry per receiving country, earliest first."""

    question: dict[str, Any]
    entries: list[dict[str, Any]]  # {"country", "time_start", "time_end", "status", "fact"}

    @property
    def first(self) -> dict[str, Any] | None:
        return self.entries[0] if self.entries else None

    def to_dict(self) -> dict[str, Any]:
        entries = [e | {"fact": e["fact"].to_dict()} for e in self.entries]
        return {"question": self.question, "first": entries[0] if entries else None, "entries": entries}


def first(graph: Graph, fact_type: str, source: str, *, category: str | None = None,
          include_rejected: bool = False, min_confidence: float | None = None) -> FirstAnswer:
    """Which country first receives ``fact_type`` from ``source`` (e.g. licensed production of Turkish UAVs).

    Args:
        fact_type: a directed fact type; ``source`` fills its giving role (licensor, supplier, donor, ...).
        category: only facts with a system of this category (``uav``); systems of unknown category never match.
    """
    if fact_type not in FLOW or FLOW[fact_type][0] == FLOW[fact_type][1]:
        raise QueryError(f"'first' needs a directed fact type, not {fact_type!r}")
    src = _country(graph, source)
    giver, taker = FLOW[fact_type]
    where = [C.c.type == fact_type, *_visible(include_rejected, min_confidence),
             C.c.id.in_(select(CE.c.cluster_id).where(CE.c.role == giver, CE.c.country == src))]
    if category:
        where.append(C.c.id.in_(select(CE.c.cluster_id).join(E, E.c.id == CE.c.entity_id)
                                .where(CE.c.role == SYSTEM_ROLE, E.c.category == category)))
    with graph.engine.connect() as conn:
        views = _sorted([_view(r) for r in conn.execute(select(C).where(*where))])
    best: dict[str, dict[str, Any]] = {}
    for v in views:  # date order, so the first seen per country is its earliest
        for p in v.participants:
            if p["role"] == taker and p["country"] and p["country"] != src and p["country"] not in best:
                best[p["country"]] = {"country": p["country"], "time_start": v.time_start,
                                      "time_end": v.time_end, "status": v.status, "fact": v}
    entries = sorted(best.values(), key=lambda e: (*date_key(e["time_start"], e["time_end"]), e["country"]))
    question = {"type": fact_type, giver: src, "category": category}
    return FirstAnswer(question, entries)


# -- entity --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class EntityReport:
    """How a name resolves, and every spelling of that entity seen in facts with the articles using it."""

    query: str
    entity: dict[str, Any]
    method: str
    reason: str
    known_aliases: list[str]
    aliases: list[dict[str, Any]]  # {"name", "method", "reason", "articles"}
    n_facts: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _resolve_any(graph: Graph, name: str):
    r = graph.resolver
    if (found := r.country(name)) is not None:
        return found
    org, system = r.participant(name, "organization"), r.system(name)
    for found in (org, system):
        if found.method != "new":
            return found
    with graph.engine.connect() as conn:
        seen = conn.execute(select(mentions_table.c.kind).where(mentions_table.c.surface == name)).scalar()
    return system if seen == SYSTEM_ROLE else org


def _known_aliases(graph: Graph, entity: dict[str, Any]) -> list[str]:
    kb = graph.resolver.kb
    if entity["kind"] == "country" and (c := kb.country_by_any(entity["name"])):
        return [*c.aliases, *c.demonyms, *c.capitals, c.iso2, c.iso3]
    if entity["kind"] == "organization" and (o := kb.organization_by_any(entity["name"])):
        return list(o.aliases)
    if entity["kind"] == "system" and (e := kb.equipment_by_any(entity["name"])):
        return list(e.aliases)
    return []


def entity(graph: Graph, name: str) -> EntityReport:
    """Explain a name: the entity it resolves to, why, and which articles used which alias."""
    found = _resolve_any(graph, name)
    ent = asdict(found.entity)
    aliases = []
    with graph.engine.connect() as conn:
        mentions = conn.execute(select(mentions_table).where(mentions_table.c.entity_id == ent["id"])
                                .order_by(mentions_table.c.surface)).all()
        for m in mentions:
            table = systems_table if m.kind == SYSTEM_ROLE else participants_table
            label = func.coalesce(articles_table.c.ext_id, articles_table.c.origin)
            articles = conn.execute(
                select(label).distinct().select_from(table)
                .join(facts_table, facts_table.c.id == table.c.fact_id)
                .join(articles_table, articles_table.c.id == facts_table.c.article_id)
                .where(table.c.name == m.surface).order_by(label)).scalars().all()
            aliases.append({"name": m.surface, "method": m.method, "reason": m.reason, "articles": list(articles)})
        n_facts = conn.execute(select(func.count(distinct(CE.c.cluster_id)))
                               .where(CE.c.entity_id == ent["id"])).scalar_one()
        if ent["kind"] == "country":
            n_facts = conn.execute(select(func.count(distinct(CC.c.cluster_id)))
                                   .where(CC.c.country == ent["name"], CC.c.side != ORIGIN_SIDE)).scalar_one()
    return EntityReport(name, ent, found.method, found.reason, _known_aliases(graph, ent), aliases, n_facts)
