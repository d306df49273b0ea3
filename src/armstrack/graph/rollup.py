"""Per-country rollups behind ``query.profile``: partners, systems and organisations with fact counts.

Counting them live means grouping every fact of a country; for the United
States on a 100,000-fact store that is ~45,000 merged facts and ~0.5 s per
profile. So ``graph.sync`` keeps these counts in ``country_stats``, refreshing
only the countries whose facts changed (one ``INSERT ... SELECT`` per kind, so
the counting stays in the database), and ``profile`` reads a few hundred rows.
Rejected facts are excluded here; a profile that includes them counts live.
"""
from __future__ import annotations

from typing import Iterable

from sqlalchemy import Select, Text, delete, distinct, false, func, insert, literal, null, select
from sqlalchemy.engine import Connection

from armstrack.store.db import cluster_countries_table, cluster_entities_table, country_stats_table, entities_table

TOTAL, PARTNER, SYSTEM, ORGANIZATION = "total", "partner", "system", "organization"
GENERIC_SYSTEM_PREFIX = "system:generic:"
ORG_PREFIX = "org:"
CHUNK = 200  # countries per IN (...) list

CC, CE, E, S = cluster_countries_table, cluster_entities_table, entities_table, country_stats_table
COLUMNS = ("country", "kind", "item", "origin", "label", "category", "n")


def _row(*columns) -> list:
    """Name the selected columns after ``country_stats``'s, so rows read the same either way."""
    return [c.label(name) for c, name in zip(columns, COLUMNS)]


def selects(countries: list[str] | None, *, include_hidden: bool = False) -> list[Select]:
    """The rollup rows (country, kind, item, origin, label, category, n) of ``countries`` (all when None)."""
    a, b = CC.alias("a"), CC.alias("b")
    mine = ([] if include_hidden else [a.c.hidden == false()]) + (
        [a.c.country.in_(countries)] if countries is not None else [])
    n = func.count(distinct(a.c.cluster_id))
    origin = func.coalesce(CE.c.country, "")
    with_entities = a.join(CE, CE.c.cluster_id == a.c.cluster_id).join(E, E.c.id == CE.c.entity_id)
    none = null().cast(Text)
    return [
        select(*_row(a.c.country, literal(TOTAL), literal(""), literal(""), literal(""), none, n))
        .where(*mine).group_by(a.c.country),
        select(*_row(a.c.country, literal(PARTNER), b.c.country, literal(""), b.c.country, none, n))
        .select_from(a.join(b, b.c.cluster_id == a.c.cluster_id))
        .where(*mine, b.c.country != a.c.country).group_by(a.c.country, b.c.country),
        select(*_row(a.c.country, literal(SYSTEM), CE.c.entity_id, origin, E.c.name, E.c.category, n))
        .select_from(with_entities)
        .where(*mine, CE.c.role == SYSTEM, ~CE.c.entity_id.startswith(GENERIC_SYSTEM_PREFIX))
        .group_by(a.c.country, CE.c.entity_id, origin, E.c.name, E.c.category),
        select(*_row(a.c.country, literal(ORGANIZATION), CE.c.entity_id, origin, E.c.name, none, n))
        .select_from(with_entities)
        .where(*mine, CE.c.role != SYSTEM, CE.c.entity_id.startswith(ORG_PREFIX))
        .group_by(a.c.country, CE.c.entity_id, origin, E.c.name),
    ]


def refresh(conn: Connection, countries: Iterable[str] | None = None) -> None:
    """Recount the rollups of ``countries`` (all countries when None) inside the caller's transaction."""
    if countries is None:
        conn.execute(delete(S))
        for stmt in selects(None):
            conn.execute(insert(S).from_select(COLUMNS, stmt))
        return
    todo = sorted(set(countries))
    for i in range(0, len(todo), CHUNK):
        chunk = todo[i:i + CHUNK]
        conn.execute(delete(S).where(S.c.country.in_(chunk)))
        for stmt in selects(chunk):
            conn.execute(insert(S).from_select(COLUMNS, stmt))


def countries_of(conn: Connection, cluster_ids: list[int]) -> set[str]:
    """The countries involved in these clusters, as currently stored."""
    out: set[str] = set()
    for i in range(0, len(cluster_ids), CHUNK):
        out.update(conn.execute(select(CC.c.country).where(CC.c.cluster_id.in_(cluster_ids[i:i + CHUNK]))
                                .distinct()).scalars())
    return out
