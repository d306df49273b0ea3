"""The knowledge graph: facts from many articles merged into clusters, with their sources and conflicts.

A cluster is one real-world fact as reported by any number of articles. Its
identity (``cluster_key``) is the fact type, the resolved required participants
with their roles, and the resolved systems; time and status are *not* part of it,
so two articles that disagree on a year still land in one cluster, where the
disagreement is recorded as a conflict instead of becoming a second fact.

When clustering happens: lazily, in ``sync``, not inside ``Store.add_article``.
The store bumps a facts revision in the same transaction that writes facts;
``sync`` compares it with the revision the graph was built from and, when they
differ, clusters only the facts that have no cluster yet and re-merges only the
clusters that gained or lost facts. Queries then read small, indexed, partly
denormalised tables (a cluster's display data is one JSON column), which keeps
profile and timeline at a few milliseconds on 100,000 facts, while ingest stays
free of entity resolution and the knowledge files. A change of the knowledge
data (its fingerprint) triggers a full rebuild, since resolutions may change.
Per-country rollups for profiles are recounted for the countries touched
(rollup.py). Measured on 100,000 synthetic facts: a full build takes ~23 s, an
incremental sync after one new article ~0.7 s (most of it recounting the
United States' rollup), queries 2-20 ms (benchmarks/query_latency.py).

Corroboration (``n_articles``) counts independent stories, not articles: ``sync``
first groups new articles into stories of near-duplicates (stories.py), so ten
syndicated copies of one report count once while all ten stay listed as sources.

Reviews are the only primary data here: they are keyed by ``cluster_key`` and
re-applied whenever a cluster is re-merged, so they survive re-ingesting and
re-extraction.
"""
from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Iterable

from sqlalchemy import bindparam, delete, func, insert, select, update
from sqlalchemy.engine import Connection

from armstrack.errors import ArmstrackError
from armstrack.knowledge.load import Knowledge, load_knowledge
from armstrack.graph import rollup
from armstrack.news import stories
from armstrack.graph.merge import CORRECTABLE, REJECTED, UNREVIEWED, Member, check_correction, merge_members
from armstrack.model import ROLES
from armstrack.graph.resolve import Resolution, Resolver
from armstrack.store.db import (
    Store, articles_table, country_stats_table, cluster_countries_table, cluster_entities_table, cluster_facts_table, clusters_table,
    entities_table, facts_revision, facts_table, mentions_table, meta_table, open_store, participants_table,
    reviews_table, stories_table, systems_table, write_transaction,
)

logger = logging.getLogger(__name__)

GRAPH_REVISION_KEY = "graph_revision"
GRAPH_KNOWLEDGE_KEY = "graph_knowledge"
STORIES_REVISION_KEY = "stories_revision"  # facts revision up to which articles have their story (stories.py)
# Roles the corpus README marks optional: the same fact is reported with and without them.
OPTIONAL_ROLES = frozenset({"venture", "customer", "candidate"})
# The role whose country an unknown system is taken to come from ("UAVs" supplied by China).
SUPPLY_ROLE = {"arms_transfer": "supplier", "licensed_production": "licensor", "aid": "donor",
               "training": "provider", "facility": "owner"}
# Above this many changed clusters, recounting every country's rollup in one pass is cheaper than per country.
INCREMENTAL_ROLLUP_MAX = 5000
CHUNK = 500  # ids per IN (...) list: well under SQLite's bound-parameter limit
DECISIONS = ("accept", "reject", "correct")
SYSTEM_ROLE = "system"
ORIGIN_SIDE = "origin"
MIN_KEY_PREFIX = 6  # hex characters of a cluster key that identify it on the command line
# PostgreSQL advisory lock taken by ``sync``: two processes querying a store that has new facts would
# otherwise both cluster them. Any fixed 64-bit number; this one spells "armstrak" in ASCII.
SYNC_LOCK_ID = 0x61726D737472616B


class GraphError(ArmstrackError):
    """A fact id that matches no cluster (or several), or an invalid review."""


@dataclass(frozen=True)
class Graph:
    """A store plus the resolver its clusters were built with; what every query takes."""

    store: Store
    resolver: Resolver

    @property
    def engine(self):
        return self.store.engine


def open_graph(db: str, knowledge: Knowledge | None = None) -> Graph:
    """Open the store at ``db`` and bring its graph up to date with its facts."""
    graph = Graph(open_store(db), Resolver(knowledge or load_knowledge()))
    sync(graph)
    return graph


@dataclass(frozen=True)
class SyncResult:
    new_facts: int
    clusters_merged: int
    full: bool


@dataclass(frozen=True)
class _Resolved:
    """One stored fact with its participants and systems resolved."""

    member: Member
    participants: tuple[tuple[str, Resolution, str | None], ...]  # (role, resolution, country)
    systems: tuple[tuple[Resolution, str], ...]  # (resolution, surface name)


def cluster_key(fact_type: str, participants: Iterable[tuple[str, str]], systems: Iterable[str]) -> str:
    """Identity of a merged fact: type + (role, entity id) of required participants + system entity ids."""
    payload = [fact_type, sorted({(r, e) for r, e in participants if r not in OPTIONAL_ROLES}), sorted(set(systems))]
    return hashlib.sha256(json.dumps(payload).encode("utf-8")).hexdigest()


def sync(graph: Graph, *, full: bool = False) -> SyncResult:
    """Bring the clusters up to date with the facts tables (a no-op when nothing changed)."""
    with write_transaction(graph.engine) as conn:
        if conn.dialect.name == "postgresql":  # one sync at a time per database; SQLite has one writer anyway
            conn.execute(select(func.pg_advisory_xact_lock(SYNC_LOCK_ID)))
        revision = facts_revision(conn)
        built = _meta(conn, GRAPH_REVISION_KEY)
        full = full or _meta(conn, GRAPH_KNOWLEDGE_KEY) != graph.resolver.fingerprint
        if not full and built == str(revision) and _meta(conn, STORIES_REVISION_KEY) == str(revision):
            return SyncResult(0, 0, False)
        if full:
            for table in (cluster_facts_table, cluster_countries_table, cluster_entities_table, clusters_table,
                          mentions_table, entities_table, country_stats_table):
                conn.execute(delete(table))
        # 0. group new articles into stories: corroboration counts stories, not copies
        grouped = [a.article_id for a in stories.assign_pending(conn)]
        # 1. cluster the facts that have none yet
        loaded, dirty = _cluster_new_facts(conn, graph.resolver)
        if grouped and not full:  # articles stored before stories existed (a migrated store)
            dirty |= _clusters_of_articles(conn, grouped)
        n_new = len(loaded)
        # 2. clusters that lost facts (re-extraction deleted them)
        counted = (select(func.count()).select_from(cluster_facts_table)
                   .where(cluster_facts_table.c.cluster_id == clusters_table.c.id).scalar_subquery())
        dirty |= set(conn.execute(select(clusters_table.c.id).where(clusters_table.c.n_facts != counted)).scalars())
        # 3. re-merge them, then recount the rollups of every country they involve(d)
        small = not full and len(dirty) <= INCREMENTAL_ROLLUP_MAX
        touched = rollup.countries_of(conn, sorted(dirty)) if small else None
        _remerge(conn, graph.resolver, sorted(dirty), loaded)
        if touched is not None:
            touched |= rollup.countries_of(conn, sorted(dirty))
        rollup.refresh(conn, touched)
        _set_meta(conn, GRAPH_REVISION_KEY, str(revision))
        _set_meta(conn, STORIES_REVISION_KEY, str(revision))
        _set_meta(conn, GRAPH_KNOWLEDGE_KEY, graph.resolver.fingerprint)
    logger.info("graph sync: %d new facts, %d clusters merged%s", n_new, len(dirty), " (full)" if full else "")
    return SyncResult(n_new, len(dirty), full)


def _meta(conn: Connection, key: str) -> str | None:
    return conn.execute(select(meta_table.c.value).where(meta_table.c.key == key)).scalar()


def _set_meta(conn: Connection, key: str, value: str) -> None:
    if conn.execute(update(meta_table).where(meta_table.c.key == key).values(value=value)).rowcount == 0:
        conn.execute(insert(meta_table).values(key=key, value=value))


def _clusters_of_articles(conn: Connection, article_ids: list[int]) -> set[int]:
    out: set[int] = set()
    for ids in _chunks(article_ids):
        out |= set(conn.execute(select(cluster_facts_table.c.cluster_id)
                                .join(facts_table, facts_table.c.id == cluster_facts_table.c.fact_id)
                                .where(facts_table.c.article_id.in_(ids))).scalars())
    return out


def _chunks(ids: list[int]) -> Iterable[list[int]]:
    for i in range(0, len(ids), CHUNK):
        yield ids[i:i + CHUNK]


def _load(conn: Connection, resolver: Resolver, fact_ids: list[int]) -> dict[int, _Resolved]:
    """Stored facts with their article, participants and systems, resolved; by fact id."""
    out: dict[int, _Resolved] = {}
    for ids in _chunks(fact_ids):
        parts: dict[int, list] = {i: [] for i in ids}
        for p in conn.execute(select(participants_table).where(participants_table.c.fact_id.in_(ids))
                              .order_by(participants_table.c.fact_id, participants_table.c.position)):
            res = resolver.participant(p.name, p.kind, p.country)
            country = (res.entity.name if res.entity.kind == "country"
                       else resolver.country_name(p.country) or res.entity.country)
            parts[p.fact_id].append((p.role, res, country, p.name, p.kind))
        systems: dict[int, list] = {i: [] for i in ids}
        for s in conn.execute(select(systems_table).where(systems_table.c.fact_id.in_(ids))
                              .order_by(systems_table.c.fact_id, systems_table.c.position)):
            systems[s.fact_id].append((resolver.system(s.name, s.category), s.name))
        rows = conn.execute(
            select(facts_table, articles_table.c.ext_id, articles_table.c.origin, articles_table.c.outlet,
                   articles_table.c.published, articles_table.c.url, stories_table.c.story_id)
            .join(articles_table, articles_table.c.id == facts_table.c.article_id)
            .outerjoin(stories_table, stories_table.c.article_id == facts_table.c.article_id)
            .where(facts_table.c.id.in_(ids)))
        for r in rows:
            member = Member(
                fact_id=r.id, article_id=r.article_id, article=r.ext_id or r.origin, outlet=r.outlet,
                published=r.published, url=r.url, story=r.story_id, type=r.type, status=r.status, time_text=r.time_text,
                time_start=r.time_start, time_end=r.time_end, quantity=r.quantity,
                attributed_to=r.attributed_to, evidence=r.evidence,
                names=tuple((role, name, kind) for role, _, _, name, kind in parts[r.id]))
            out[r.id] = _Resolved(member, tuple((role, res, c) for role, res, c, _, _ in parts[r.id]),
                                  tuple(systems[r.id]))
    return out


def _key_of(resolved: _Resolved) -> str:
    return cluster_key(resolved.member.type, ((role, res.entity.id) for role, res, _ in resolved.participants),
                       (res.entity.id for res, _ in resolved.systems))


def _cluster_new_facts(conn: Connection, resolver: Resolver) -> tuple[dict[int, _Resolved], set[int]]:
    linked = select(cluster_facts_table.c.fact_id).where(cluster_facts_table.c.fact_id == facts_table.c.id)
    new_ids = list(conn.execute(select(facts_table.c.id).where(~linked.exists()).order_by(facts_table.c.id)).scalars())
    loaded = _load(conn, resolver, new_ids)
    keys = {fid: _key_of(r) for fid, r in loaded.items()}
    existing: dict[str, int] = {}
    for chunk in _chunks(sorted(set(keys.values()))):  # type: ignore[arg-type]
        existing.update(conn.execute(select(clusters_table.c.key, clusters_table.c.id)
                                     .where(clusters_table.c.key.in_(chunk))).all())
    fresh = {keys[fid]: loaded[fid].member.type for fid in new_ids if keys[fid] not in existing}
    if fresh:  # placeholders, filled in by _remerge; inserted in one executemany, ids read back by key
        conn.execute(insert(clusters_table), [
            {"key": k, "type": t, "n_facts": 0, "n_articles": 0, "conflicted": False, "review": UNREVIEWED,
             "detail": "{}"} for k, t in fresh.items()])
        for chunk in _chunks(list(fresh)):  # type: ignore[arg-type]
            existing.update(conn.execute(select(clusters_table.c.key, clusters_table.c.id)
                                         .where(clusters_table.c.key.in_(chunk))).all())
    dirty: set[int] = set()
    links = []
    for fid in new_ids:
        dirty.add(existing[keys[fid]])
        links.append({"fact_id": fid, "cluster_id": existing[keys[fid]]})
    if links:
        conn.execute(insert(cluster_facts_table), links)
    return loaded, dirty


def _remerge(conn: Connection, resolver: Resolver, cluster_ids: list[int], loaded: dict[int, _Resolved]) -> None:
    """Recompute each cluster's merged values, entities and countries; drop clusters left without facts."""
    known_entities = set(conn.execute(select(entities_table.c.id)).scalars())
    known_mentions = {tuple(r) for r in conn.execute(select(mentions_table.c.kind, mentions_table.c.surface))}
    for ids in _chunks(cluster_ids):
        members: dict[int, list[int]] = {i: [] for i in ids}
        for fid, cid in conn.execute(select(cluster_facts_table.c.fact_id, cluster_facts_table.c.cluster_id)
                                     .where(cluster_facts_table.c.cluster_id.in_(ids))):
            members[cid].append(fid)
        missing = [f for fids in members.values() for f in fids if f not in loaded]
        loaded.update(_load(conn, resolver, missing))
        keys = dict(conn.execute(select(clusters_table.c.id, clusters_table.c.key)
                                 .where(clusters_table.c.id.in_(ids))).all())
        reviews = _reviews_for(conn, list(keys.values()))
        conn.execute(delete(cluster_entities_table).where(cluster_entities_table.c.cluster_id.in_(ids)))
        conn.execute(delete(cluster_countries_table).where(cluster_countries_table.c.cluster_id.in_(ids)))
        empty = [cid for cid, fids in members.items() if not fids]
        if empty:
            conn.execute(delete(clusters_table).where(clusters_table.c.id.in_(empty)))
        entity_rows, country_rows, new_entities, new_mentions, updates = [], [], [], [], []
        for cid, fids in members.items():
            if not fids:
                continue
            group = [loaded[f] for f in sorted(fids)]
            merged = merge_members([g.member for g in group], reviews.get(keys[cid], []))
            ents, countries, detail = _links(cid, group)
            entity_rows += ents
            country_rows += [c | {"time_start": merged.time_start, "hidden": merged.review == REJECTED}
                             for c in countries]
            updates.append({
                "cid": cid, "status": merged.status, "time_text": merged.time_text,
                "time_start": merged.time_start, "time_end": merged.time_end, "quantity": merged.quantity,
                "n_facts": len(fids), "n_articles": merged.n_articles, "latest_published": merged.latest_published,
                "conflicted": bool(merged.conflicts), "review": merged.review,
                "detail": json.dumps(detail | merged.detail(), ensure_ascii=False)})
            for g in group:
                for res, surface, kind in _resolutions(g):
                    if res.entity.id not in known_entities:
                        known_entities.add(res.entity.id)
                        e = res.entity
                        new_entities.append({"id": e.id, "kind": e.kind, "name": e.name, "country": e.country,
                                             "category": e.category, "known": e.known})
                    if (kind, surface) not in known_mentions:
                        known_mentions.add((kind, surface))
                        new_mentions.append({"kind": kind, "surface": surface, "entity_id": res.entity.id,
                                             "method": res.method, "reason": res.reason, "score": res.score})
        if updates:  # one executemany instead of a statement per cluster
            conn.execute(update(clusters_table).where(clusters_table.c.id == bindparam("cid"))
                         .values({c: bindparam(c) for c in updates[0] if c != "cid"}), updates)
        for table, rows in ((cluster_entities_table, entity_rows), (cluster_countries_table, country_rows),
                            (entities_table, new_entities), (mentions_table, new_mentions)):
            if rows:
                conn.execute(insert(table), rows)


def _resolutions(r: _Resolved):
    for (role, res, _), (_, surface, kind) in zip(r.participants, r.member.names):
        yield res, surface, kind
    for res, surface in r.systems:
        yield res, surface, SYSTEM_ROLE


def _links(cid: int, group: list[_Resolved]) -> tuple[list[dict], list[dict], dict]:
    """Rows for cluster_entities and cluster_countries, and the display lists for the detail JSON."""
    people: dict[tuple[str, str], dict] = {}
    things: dict[str, dict] = {}
    for g in group:
        for (role, res, country), (_, surface, _) in zip(g.participants, g.member.names):
            p = people.setdefault((role, res.entity.id), {
                "role": role, "name": res.entity.name, "entity": res.entity.id, "kind": res.entity.kind,
                "country": country, "as_written": []})
            if surface not in p["as_written"]:
                p["as_written"].append(surface)
        supplier = next((c for role, _, c in g.participants if role == SUPPLY_ROLE.get(g.member.type)), None)
        for res, surface in g.systems:
            things.setdefault(res.entity.id, {
                "name": res.entity.name, "entity": res.entity.id, "category": res.entity.category,
                "origin": res.entity.country or supplier, "as_written": surface})
    entity_rows = [{"cluster_id": cid, "entity_id": e, "role": role, "country": p["country"]}
                   for (role, e), p in people.items()]
    entity_rows += [{"cluster_id": cid, "entity_id": e, "role": SYSTEM_ROLE, "country": s["origin"]}
                    for e, s in things.items()]
    sides = {(p["country"], p["role"]) for p in people.values() if p["country"]}
    sides |= {(s["origin"], ORIGIN_SIDE) for s in things.values() if s["origin"]}
    country_rows = [{"cluster_id": cid, "country": c, "side": side} for c, side in sorted(sides)]
    roles = ROLES.get(group[0].member.type, ())
    order = {r: i for i, r in enumerate(roles)}
    participants = sorted(people.values(), key=lambda p: (order.get(p["role"], len(order)), p["name"]))
    return entity_rows, country_rows, {"participants": participants, "systems": list(things.values())}


def _reviews_for(conn: Connection, keys: list[str]) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for chunk in _chunks(keys):  # type: ignore[arg-type]
        for r in conn.execute(select(reviews_table).where(reviews_table.c.cluster_key.in_(chunk))
                              .order_by(reviews_table.c.decided_at, reviews_table.c.id)):
            out.setdefault(r.cluster_key, []).append({
                "decision": r.decision, "field": r.field, "value": r.value, "by": r.reviewer,
                "at": r.decided_at.isoformat(timespec="seconds")})
    return out


# -- analyst review ------------------------------------------------------------------------------

def find_cluster(graph: Graph, ref: str) -> tuple[int, str]:
    """The (id, key) of the cluster a command-line FACT_ID names: a cluster key or a unique key prefix."""
    ref = ref.strip().lower()
    if len(ref) < MIN_KEY_PREFIX or any(c not in "0123456789abcdef" for c in ref):
        raise GraphError(f"fact id {ref!r}: give at least {MIN_KEY_PREFIX} hex characters of its key")
    with graph.engine.connect() as conn:
        rows = conn.execute(select(clusters_table.c.id, clusters_table.c.key)
                            .where(clusters_table.c.key.startswith(ref, autoescape=True)).limit(2)).all()
    if not rows:
        raise GraphError(f"no fact with id {ref!r}")
    if len(rows) > 1:
        raise GraphError(f"fact id {ref!r} is ambiguous; give more characters")
    return rows[0].id, rows[0].key


def review(graph: Graph, ref: str, decision: str, corrections: dict[str, str] | None = None,
           reviewer: str = "unknown", now: datetime | None = None) -> str:
    """Record an analyst's decision on a cluster and apply it at once.

    Args:
        ref: the cluster key or a unique prefix of it (what query output shows as the fact id).
        decision: "accept", "reject" or "correct" (then ``corrections`` maps field -> new value).
        reviewer: who decided (the CLI passes ``--by`` or ``$USER``).

    Returns:
        The full cluster key the decision is stored under.
    """
    if decision not in DECISIONS:
        raise GraphError(f"unknown decision {decision!r}")
    corrections = corrections or {}
    if decision == "correct" and not corrections:
        raise GraphError("a correction needs at least one field=value")
    for name, value in corrections.items():
        if (problem := check_correction(name, value)) is not None:
            raise GraphError(f"cannot correct {name}: {problem} (correctable: {', '.join(CORRECTABLE)})")
    cid, key = find_cluster(graph, ref)
    at = (now or datetime.now(timezone.utc)).replace(tzinfo=None)
    rows = ([{"field": k, "value": v} for k, v in corrections.items()] if decision == "correct"
            else [{"field": None, "value": None}])
    with write_transaction(graph.engine) as conn:
        conn.execute(insert(reviews_table), [{"cluster_key": key, "decision": decision, "reviewer": reviewer,
                                              "decided_at": at, **r} for r in rows])
        touched = rollup.countries_of(conn, [cid])
        _remerge(conn, graph.resolver, [cid], {})
        rollup.refresh(conn, touched | rollup.countries_of(conn, [cid]))
    logger.info("review %s of %s by %s", decision, key[:12], reviewer)
    return key


def apply_reviews(graph: Graph, keys: Iterable[str]) -> int:
    """Re-merge the clusters under these keys, so review rows written directly (a restored backup) show.

    ``review`` applies its own decision at once and ``sync`` applies the decisions of every cluster it
    re-merges; this covers clusters that gained a decision but no fact. A key with no cluster (yet) is
    applied whenever one appears. Returns how many clusters were re-merged.
    """
    ids: list[int] = []
    with write_transaction(graph.engine) as conn:
        for chunk in _chunks(sorted(set(keys))):  # type: ignore[arg-type]
            ids += conn.execute(select(clusters_table.c.id).where(clusters_table.c.key.in_(chunk))).scalars()
        if ids:
            touched = rollup.countries_of(conn, ids)
            _remerge(conn, graph.resolver, ids, {})
            rollup.refresh(conn, touched | rollup.countries_of(conn, ids))
    return len(ids)
