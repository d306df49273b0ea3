"""Watchlists: an analyst's saved ``facts`` filter, and what it has seen of each matching fact.

A watchlist is a name and a ``query.FactFilter``. ``refresh`` compares the facts
that match now with what the store remembers (``watchlist_entries``) and records
each new fact, and each seen fact whose sources, conflicts, review or
corrections changed, with the change in words and a bumped version. Because
that memory is in the store, "new" survives restarts, and any reader (the Atom
route, ``armstrack watchlist feed``, the poller) may refresh: whoever comes
first records the change, and the webhook still gets it, since delivery is
tracked apart (``notified_version``).

What counts as a change is what an analyst would want to hear about: a new
article reporting the fact (not a re-extraction of a known one, which keeps
the article), a new conflict, a review decision, a correction. A fact the
filter hides because it was rejected is never announced as new, but the
rejection of a fact already seen is announced.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from armstrack.errors import ArmstrackError
from armstrack.graph.graph import Graph
from armstrack.graph.merge import REJECTED
from armstrack.graph.query import FactFilter, FactView, date_key, facts_by_key, matching
from armstrack.store.db import NAME_LENGTH, Store, watchlist_entries_table, watchlists_table, write_transaction

W, WE = watchlists_table, watchlist_entries_table
# A watchlist name is used in URLs (/api/watchlists/NAME/atom) and file names: keep it to plain characters.
NAME_PATTERN = re.compile(r"^[\w][\w .-]*$")
# Entries an Atom feed carries, most recently changed first: readers poll often, so they need only the
# latest; 200 covers a week of a busy country's news (the corpus has ~40 facts per country at most).
FEED_ENTRIES = 200
NEW = "new fact"


class WatchlistError(ArmstrackError):
    """An unknown or duplicate watchlist name, or an invalid name or webhook URL."""


@dataclass(frozen=True)
class Watchlist:
    id: int
    name: str
    filter: FactFilter
    webhook: str | None
    created_at: datetime

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "filter": self.filter.to_dict(), "webhook": self.webhook,
                "created_at": self.created_at.isoformat(timespec="seconds")}


@dataclass(frozen=True)
class Entry:
    """One matching fact as the watchlist last saw it: its latest change, when, and the fact itself."""

    watchlist: str
    fact: FactView
    change: str
    version: int
    first_seen: datetime
    updated: datetime
    notified_version: int

    def to_dict(self) -> dict[str, Any]:
        return {"watchlist": self.watchlist, "change": self.change, "version": self.version,
                "first_seen": _iso(self.first_seen), "updated": _iso(self.updated), "fact": self.fact.to_dict()}


def _utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def _iso(moment: datetime) -> str:
    return moment.replace(tzinfo=timezone.utc).isoformat(timespec="seconds")


def _row(r) -> Watchlist:
    return Watchlist(r.id, r.name, FactFilter.from_dict(json.loads(r.filters)), r.webhook, r.created_at)


# -- the list --------------------------------------------------------------------------------------

def add_watchlist(graph: Graph, name: str, flt: FactFilter, *, webhook: str | None = None,
                  now: datetime | None = None) -> Watchlist:
    """Save a filter under a name; the filter is tried once so a typo (an unknown country) is refused now."""
    name = name.strip()
    if len(name) > NAME_LENGTH or not NAME_PATTERN.match(name):
        raise WatchlistError(f"watchlist name {name!r}: letters, digits, space, '.', '-' or '_', "
                             f"at most {NAME_LENGTH} characters")
    if webhook is not None and not webhook.strip().lower().startswith(("http://", "https://")):
        raise WatchlistError("a webhook is an http(s) URL")
    matching(graph, flt, limit=1)  # raises QueryError for names the graph does not know
    try:
        with write_transaction(graph.engine) as conn:
            conn.execute(insert(W).values(name=name, filters=json.dumps(flt.to_dict()),
                                          webhook=webhook.strip() if webhook else None,
                                          created_at=now or _utcnow()))
    except IntegrityError as exc:
        raise WatchlistError(f"a watchlist named {name!r} already exists") from exc
    return get_watchlist(graph.store, name)


def list_watchlists(store: Store) -> list[Watchlist]:
    """Every watchlist, in name order."""
    with store.engine.connect() as conn:
        return [_row(r) for r in conn.execute(select(W).order_by(W.c.name))]


def get_watchlist(store: Store, name: str) -> Watchlist:
    with store.engine.connect() as conn:
        row = conn.execute(select(W).where(W.c.name == name)).first()
    if row is None:
        raise WatchlistError(f"no watchlist named {name!r}")
    return _row(row)


def remove_watchlist(store: Store, name: str) -> None:
    """Forget a watchlist and what it has seen (the facts stay)."""
    with write_transaction(store.engine) as conn:
        wid = conn.execute(select(W.c.id).where(W.c.name == name)).scalar()
        if wid is None:
            raise WatchlistError(f"no watchlist named {name!r}")
        conn.execute(delete(WE).where(WE.c.watchlist_id == wid))
        conn.execute(delete(W).where(W.c.id == wid))


def show(graph: Graph, name: str) -> list[FactView]:
    """The facts the watchlist matches now, newest first (undated last)."""
    facts = matching(graph, get_watchlist(graph.store, name).filter)
    dated = sorted((f for f in facts if f.time_start), key=lambda f: date_key(f.time_start, f.time_end),
                   reverse=True)
    return dated + [f for f in facts if not f.time_start]


# -- what is new -----------------------------------------------------------------------------------

def _state(fact: FactView) -> dict[str, Any]:
    """What a change is measured on: articles (not fact ids, which re-extraction renews), conflicts, review."""
    return {"articles": sorted({s["article_id"] for s in fact.sources}),
            "conflicts": sorted(c["field"] for c in fact.conflicts), "review": fact.review,
            "corrections": [[c["field"], c["value"]] for c in fact.corrections], "status": fact.status}


def _change(old: dict[str, Any], fact: FactView) -> str:
    """What differs between the state last seen and the fact now, in words."""
    new = _state(fact)
    said = []
    added = set(new["articles"]) - set(old.get("articles", []))
    for s in fact.sources:
        if s["article_id"] in added:
            added.discard(s["article_id"])
            said.append(f"new source: {s.get('outlet') or s['article']}"
                        + (f" ({s['published']})" if s.get("published") else ""))
    for field in sorted(set(new["conflicts"]) - set(old.get("conflicts", []))):
        said.append(f"conflict on {field}")
    if new["review"] != old.get("review"):
        said.append(f"review: {new['review']}")
    for field, value in new["corrections"]:
        if [field, value] not in old.get("corrections", []):
            said.append(f"corrected {field} to {value or 'none'}")
    if new["status"] != old.get("status") and not new["corrections"]:
        said.append(f"status now {new['status']}")
    return "; ".join(said) or "changed"


def refresh(graph: Graph, watchlist: Watchlist, now: datetime | None = None) -> list[Entry]:
    """Record what is new or changed among the watchlist's matches since it last looked; returns those entries."""
    now = now or _utcnow()
    flt = watchlist.filter
    current = {f.key: f for f in matching(graph, replace(flt, include_rejected=True))}
    changed: list[Entry] = []
    with write_transaction(graph.engine) as conn:
        # Locks the watchlist's row on PostgreSQL, so two readers refreshing at once record a change once.
        conn.execute(select(W.c.id).where(W.c.id == watchlist.id).with_for_update()).first()
        seen = {r.cluster_key: r for r in conn.execute(select(WE).where(WE.c.watchlist_id == watchlist.id))}
        for key, fact in current.items():
            state = _state(fact)
            row = seen.get(key)
            if row is None:
                if fact.review == REJECTED and not flt.include_rejected:
                    continue
                conn.execute(insert(WE).values(watchlist_id=watchlist.id, cluster_key=key, state=json.dumps(state),
                                               change=NEW, version=1, notified_version=0, first_seen=now,
                                               updated=now))
                changed.append(Entry(watchlist.name, fact, NEW, 1, now, now, 0))
                continue
            old = json.loads(row.state)
            if old == state:
                continue
            change = _change(old, fact)
            conn.execute(update(WE).where(WE.c.watchlist_id == watchlist.id, WE.c.cluster_key == key)
                         .values(state=json.dumps(state), change=change, version=row.version + 1, updated=now))
            changed.append(Entry(watchlist.name, fact, change, row.version + 1, row.first_seen, now,
                                 row.notified_version))
    return changed


def entries(graph: Graph, watchlist: Watchlist, *, limit: int = FEED_ENTRIES, pending: bool = False) -> list[Entry]:
    """The watchlist's entries, most recently changed first; ``pending``: only those not yet sent to its webhook."""
    where = [WE.c.watchlist_id == watchlist.id]
    if pending:
        where.append(WE.c.notified_version < WE.c.version)
    with graph.engine.connect() as conn:
        rows = conn.execute(select(WE).where(*where).order_by(WE.c.updated.desc(), WE.c.cluster_key)
                            .limit(limit)).all()
    facts = facts_by_key(graph, [r.cluster_key for r in rows])
    return [Entry(watchlist.name, facts[r.cluster_key], r.change, r.version, r.first_seen, r.updated,
                  r.notified_version) for r in rows if r.cluster_key in facts]


def mark_notified(store: Store, watchlist: Watchlist, entry: Entry) -> None:
    """Remember that ``entry`` (at its version) reached the webhook."""
    with write_transaction(store.engine) as conn:
        conn.execute(update(WE).where(WE.c.watchlist_id == watchlist.id, WE.c.cluster_key == entry.fact.key)
                     .values(notified_version=entry.version))
