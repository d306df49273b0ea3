"""What the web page browses besides query.py's answers: name search, stored articles, the typed network.

Like query.py, every function takes a synced ``graph.Graph`` and returns a
dataclass with ``to_dict()``; the HTTP API serves those dicts and the page
renders them, so the page never shows anything the API does not.

An article is returned as plain text plus the character spans of its facts'
evidence: highlighting is done by the page building DOM nodes around those
spans, never by the server writing markup into hostile text.
"""
from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import asdict, dataclass
from typing import Any

import networkx as nx
from sqlalchemy import func, or_, select

from armstrack.graph import query, rollup

from armstrack.news import stories
from armstrack.graph.graph import SYSTEM_ROLE, Graph
from armstrack.graph.merge import REJECTED
from armstrack.model import FACT_TYPES
from armstrack.store.db import (
    articles_table, cluster_entities_table, cluster_facts_table, clusters_table, country_stats_table,
    entities_table, facts_table, mentions_table, sources_table,
)

A, F, CF, C = articles_table, facts_table, cluster_facts_table, clusters_table
SEARCH_LIMIT = 20
PREVIEW_CHARS = 160  # of an article's text in the article list


class NotFound(query.QueryError):
    """An article or fact id that names nothing stored."""


# -- search --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class SearchResult:
    query: str
    results: list[dict[str, Any]]  # {"id", "kind", "name", "country", "category", "facts"}

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def search(graph: Graph, text: str, *, limit: int = SEARCH_LIMIT) -> SearchResult:
    """Countries, organisations and systems whose name or any spelling seen in facts contains ``text``.

    A country the resolver recognises ("TR", "Kazakh", "Türkiye") comes first
    even when no stored fact names it yet; then exact and prefix matches, then
    the entities with the most facts.
    """
    needle = text.strip()
    if not needle:
        return SearchResult(text, [])
    low = needle.lower()
    found: dict[str, dict[str, Any]] = {}
    resolved = graph.resolver.country(needle)
    with graph.engine.connect() as conn:
        # autoescape: a "%" or "_" typed in the search box is a character to find, not a LIKE wildcard
        by_alias = select(mentions_table.c.entity_id).where(
            func.lower(mentions_table.c.surface).contains(low, autoescape=True))
        rows = conn.execute(select(entities_table).where(or_(
            func.lower(entities_table.c.name).contains(low, autoescape=True), entities_table.c.id.in_(by_alias)))).all()
        if resolved is not None:
            e = resolved.entity
            rows = [r for r in rows if r.id != e.id]
            found[e.id] = {"id": e.id, "kind": e.kind, "name": e.name, "country": e.country,
                           "category": e.category}
        for r in rows:
            found[r.id] = {"id": r.id, "kind": r.kind, "name": r.name, "country": r.country, "category": r.category}
        counts = _fact_counts(conn, found.values())
    for item in found.values():
        item["facts"] = counts.get(item["id"], 0)
    first = next(iter(found), None) if resolved is not None else None
    ranked = sorted(found.values(), key=lambda i: (i["id"] != first, i["name"].lower() != low,
                                                    not i["name"].lower().startswith(low), -i["facts"], i["name"]))
    return SearchResult(text, ranked[:limit])


def _fact_counts(conn, items) -> dict[str, int]:
    """Visible merged facts per entity: rollup totals for countries, cluster links for the rest."""
    items = list(items)
    countries = {i["name"]: i["id"] for i in items if i["kind"] == "country"}
    others = [i["id"] for i in items if i["kind"] != "country"]
    counts: dict[str, int] = {}
    if countries:
        S = country_stats_table
        for name, n in conn.execute(select(S.c.country, S.c.n).where(S.c.kind == rollup.TOTAL,
                                                                    S.c.country.in_(list(countries)))):
            counts[countries[name]] = n
    if others:
        CE = cluster_entities_table
        for eid, n in conn.execute(select(CE.c.entity_id, func.count(func.distinct(CE.c.cluster_id)))
                                   .where(CE.c.entity_id.in_(others)).group_by(CE.c.entity_id)):
            counts[eid] = n
    return counts


# -- articles ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ArticlePage:
    total: int
    offset: int
    limit: int
    # {"article_id", "id", "outlet", "published", "url", "preview", "facts", "story", "story_size"}
    articles: list[dict[str, Any]]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def articles(graph: Graph, *, limit: int = 50, offset: int = 0) -> ArticlePage:
    """Stored articles in ingest order, with a short preview, their number of extracted facts and their story.

    ``story`` is the id of the story's first article (stories.py) and ``story_size`` how many stored
    articles tell it: more than one means syndicated copies or light rewrites of one another.
    """
    n_facts = select(func.count()).select_from(F).where(F.c.article_id == A.c.id).scalar_subquery()
    with graph.engine.connect() as conn:
        total = conn.execute(select(func.count()).select_from(A)).scalar_one()
        rows = conn.execute(select(A.c.id, A.c.ext_id, A.c.origin, A.c.outlet, A.c.published, A.c.url,
                                   func.substr(A.c.text, 1, PREVIEW_CHARS).label("preview"), n_facts.label("n"))
                            .order_by(A.c.id).limit(limit).offset(offset)).all()
        story_of = stories.stories_of(conn, [r.id for r in rows])
        sizes = stories.story_sizes(conn, story_of.values())
    return ArticlePage(total, offset, limit, [
        {"article_id": r.id, "id": r.ext_id or r.origin, "outlet": r.outlet, "published": r.published,
         "url": r.url, "preview": r.preview, "facts": r.n, "story": story_of.get(r.id, r.id),
         "story_size": sizes.get(story_of.get(r.id, r.id), 1)} for r in rows])


@dataclass(frozen=True)
class ArticleView:
    """An article's cleaned text with every fact extracted from it and that fact's evidence span."""

    article_id: int
    id: str
    outlet: str | None
    published: str | None
    url: str | None
    origins: list[str]
    extractor_version: str
    text: str
    captions: list[list[int]]
    facts: list[dict[str, Any]]  # {"fact_id", "id", "type", "status", "review", "evidence", "span", "confidence"}

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def article(graph: Graph, article_id: int) -> ArticleView:
    """One stored article by its store id (what a fact's ``sources[].article_id`` gives)."""
    with graph.engine.connect() as conn:
        row = conn.execute(select(A).where(A.c.id == article_id)).first()
        if row is None:
            raise NotFound(f"no article with id {article_id}")
        origins = conn.execute(select(sources_table.c.origin).where(sources_table.c.article_id == article_id)
                               .order_by(sources_table.c.id)).scalars().all()
        facts = conn.execute(
            select(F.c.id, F.c.type, F.c.status, F.c.evidence, F.c.span_start, F.c.span_end, F.c.confidence,
                   C.c.key, C.c.review)
            .outerjoin(CF, CF.c.fact_id == F.c.id).outerjoin(C, C.c.id == CF.c.cluster_id)
            .where(F.c.article_id == article_id).order_by(F.c.span_start, F.c.id)).all()
    return ArticleView(
        article_id=row.id, id=row.ext_id or row.origin, outlet=row.outlet, published=row.published, url=row.url,
        origins=list(origins), extractor_version=row.extractor_version, text=row.text,
        captions=[list(c) for c in json.loads(row.captions)],
        facts=[{"fact_id": f.id, "id": f.key[:query.SHORT_ID] if f.key else None, "type": f.type,
                "status": f.status, "review": f.review, "evidence": f.evidence,
                "span": evidence_span(row.text, f.evidence, f.span_start, f.span_end),
                "confidence": round(f.confidence, 3)} for f in facts])


def evidence_span(text: str, evidence: str, start: int, end: int) -> list[int] | None:
    """The stored offsets when they hold the evidence, else where the evidence first occurs, else None.

    Facts imported with their evidence but no offsets (gold files give (0, 0))
    still get highlighted; a span that points at other text is never shown.
    """
    if 0 <= start < end <= len(text) and (not evidence or text[start:end] == evidence):
        return [start, end]
    at = text.find(evidence) if evidence else -1
    return [at, at + len(evidence)] if at >= 0 else None


# -- network by fact type --------------------------------------------------------------------------

LEVELS = ("country", "organization")  # what a network node stands for


@dataclass(frozen=True)
class TypedNetwork:
    """The cooperation network with one edge per (source, target, fact type), for drawing edges by type."""

    level: str
    nodes: list[dict[str, Any]]  # {"id", "kind", "country", "facts", "degree", "betweenness"}
    edges: list[dict[str, Any]]  # {"source", "target", "type", "weight", "facts"}

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def typed_network(graph: Graph, *, fact_type: str | None = None, since: str | None = None,
                  include_rejected: bool = False, level: str = "country") -> TypedNetwork:
    """``query.network`` split by fact type; nodes carry the centrality of the combined network.

    At ``level="country"`` countries stand for their organisations (a Kazakh
    company's fact is Kazakhstan's), as in every other query. At
    ``level="organization"`` each node is the participant a fact names, so
    Turkish Aerospace Industries and Kazakhstan Engineering are their own nodes
    and a government named as a party stays a country node.
    """
    if level not in LEVELS:
        raise query.QueryError(f"unknown network level {level!r}; one of {', '.join(LEVELS)}")
    if level == "organization":
        return _participant_network(graph, fact_type, since, include_rejected)
    edges = []
    for t in ([fact_type] if fact_type else FACT_TYPES):
        for e in query.network(graph, fact_type=t, since=since, include_rejected=include_rejected).edges:
            edges.append({"source": e["source"], "target": e["target"], "type": t, "weight": e["weight"],
                          "facts": e["facts"]})
    whole = query.network(graph, fact_type=fact_type, since=since, include_rejected=include_rejected)
    nodes = [{"id": c["country"], "kind": "country", "country": c["country"], "facts": c["in"] + c["out"],
              "degree": c["degree"], "betweenness": c["betweenness"]} for c in whole.centrality]
    return TypedNetwork(level, nodes, _by_weight(edges))


def _participant_network(graph: Graph, fact_type: str | None, since: str | None,
                         include_rejected: bool) -> TypedNetwork:
    """Edges from each fact's giving participant to its receiving one (query.FLOW), by entity name."""
    where = [] if include_rejected else [C.c.review != REJECTED]
    if fact_type:
        where.append(C.c.type == fact_type)
    if since:
        where.append(C.c.time_start >= since)
    CE, E = cluster_entities_table, entities_table
    per: dict[int, dict[str, Any]] = {}
    info: dict[str, dict[str, Any]] = {}
    with graph.engine.connect() as conn:
        for r in conn.execute(select(C.c.id, C.c.key, C.c.type, CE.c.role, E.c.name, E.c.kind, E.c.country)
                              .join(CE, CE.c.cluster_id == C.c.id).join(E, E.c.id == CE.c.entity_id)
                              .where(CE.c.role != SYSTEM_ROLE, *where)):
            item = per.setdefault(r.id, {"key": r.key, "type": r.type, "sides": defaultdict(set)})
            item["sides"][r.role].add(r.name)
            info.setdefault(r.name, {"kind": r.kind, "country": r.country})
    typed: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    g = nx.DiGraph()
    for item in per.values():
        giver, taker = query.FLOW[item["type"]]
        for s in sorted(item["sides"].get(giver, ())):
            for t in sorted(item["sides"].get(taker, ())):
                if s == t or (giver == taker and (t, s, item["type"]) in typed):
                    continue  # a symmetric fact draws one edge per pair, not two
                typed[(s, t, item["type"])].append(item["key"][:query.SHORT_ID])
                weight = g.get_edge_data(s, t, {"weight": 0})["weight"]
                g.add_edge(s, t, weight=weight + 1)
    edges = [{"source": s, "target": t, "type": ty, "weight": len(keys), "facts": keys}
             for (s, t, ty), keys in typed.items()]
    degree = nx.degree_centrality(g) if len(g) > 1 else {n: 0.0 for n in g}
    between = nx.betweenness_centrality(g) if len(g) > 2 else {n: 0.0 for n in g}
    nodes = sorted(({"id": n, "kind": info[n]["kind"], "country": info[n]["country"],
                     "facts": g.degree(n, weight="weight"), "degree": round(degree[n], 4),
                     "betweenness": round(between[n], 4)} for n in g),
                   key=lambda x: (-x["degree"], -x["betweenness"], x["id"]))
    return TypedNetwork("organization", nodes, _by_weight(edges))


def _by_weight(edges: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(edges, key=lambda e: (-e["weight"], e["source"], e["target"], e["type"]))
