"""Backups: a whole store as one versioned JSON-lines file, and back into any store.

Why not copy the database file: a backup has to move between SQLite and PostgreSQL, outlive schema
migrations and merge into a store that already holds other articles. So it carries the primary data
only, keyed by natural identities (an article's text hash, a fact's ``fact_key``, a review's cluster
key, a feed's name, an item's URL), never by row ids: each article with its text, metadata, origins,
page metadata and facts; the analysts' review decisions; the feeds followed and the items already
handled; the watchlists and what each has seen of each merged fact (by cluster key, so a fact already
announced is not announced again after a move). Everything derived (stories, entities, clusters,
rollups) is rebuilt by ``graph.sync`` after an import, and the review decisions are applied to it.
Timestamps are kept as they were.

Format version 2 (``backup_format.py`` validates it, and still reads version 1, which had no
watchlists), one JSON object per line, gzip-compressed when the file name ends in ``.gz``::

    {"format": "armstrack-backup", "version": 2, "schema": 4, "extractor_version": ..., ...}
    {"record": "article", "content_hash": ..., "text": ..., "sources": [...], "page": ..., "facts": [...]}
    {"record": "review", "cluster_key": ..., "decision": ..., ...}     (in the order they were made)
    {"record": "feed", ...} then {"record": "feed_item", ...}
    {"record": "watchlist", "name": ..., "filters": {...}, ...} then {"record": "watchlist_entry", ...}
    {"record": "end", "counts": {"articles": ..., "facts": ..., ...}}

Export reads one consistent snapshot (a single read transaction) a page of articles at a time and
writes under a temporary name, renamed when complete. Import reads the file twice: first to validate
every line, so a corrupt file is refused before anything is written, then to write each record in its
own transaction. Importing is idempotent: an article already stored (same text) keeps its own facts
and only gains the origins it lacked; reviews, feeds, items, watchlists and entries already present are
skipped. A watchlist the target already has under the same name keeps its own webhook and entries
when its filter is the same, and is a conflict otherwise: the import is refused, naming the line,
before anything is written (an analyst's two different questions must not be silently merged).

A watchlist entry's state lists the articles it had seen by row id; the backup gives them by content
hash and the import maps them to the target's ids, so the next refresh finds nothing changed. The
entries are restored with the rows, before the graph rebuild: they are keyed by cluster key, which the
rebuild gives back to the same merged facts (as it does for reviews).
"""
from __future__ import annotations

import json
import logging
import os
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Any, Callable, Iterator

from sqlalchemy import insert, select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from armstrack import __version__
from armstrack.store.backup_format import (
    BACKUP_VERSION, COUNTED, FORMAT, ArticleRecord, BackupError, FactRecord, FeedItemRecord, FeedRecord,
    PageRecord, RECORD_COUNTS, ReviewRecord, SourceRecord, WatchEntryRecord, WatchlistRecord, columns, open_text,
    read_backup,
)
from armstrack.model import EXTRACTOR_VERSION
from armstrack.store.db import (
    SCHEMA_VERSION, Store, articles_table, bump_facts_revision, facts_table, feed_items_table, feeds_table,
    insert_ignore, open_store, pages_table, participants_table, reviews_table, sources_table, systems_table,
    watchlist_entries_table, watchlists_table, write_transaction,
)

logger = logging.getLogger(__name__)

ARTICLE_PAGE = 100  # articles read per query: bounds memory whatever the store's size
ROW_PAGE = 1000  # reviews, feed items and watchlist entries read per query
PARTIAL_SUFFIX = ".partial"  # an export in progress; renamed to the real name only when complete

__all__ = ["BackupError", "ImportSummary", "export_all", "load_backup", "write_backup"]


@dataclass(frozen=True)
class ImportSummary:
    """What an import wrote (``added``) and found already stored (``present``), per kind of record.

    The facts of an article already stored count as present: it keeps its own (whatever extractor made them).
    """

    added: dict[str, int]
    present: dict[str, int]
    clusters_merged: int

    def to_dict(self) -> dict[str, Any]:
        return {"added": self.added, "present": self.present, "clusters_merged": self.clusters_merged}


@contextmanager
def _opened(store_or_db: Store | str) -> Iterator[Store]:
    """The store itself, or one opened from a path or URL for the duration (and closed after)."""
    if isinstance(store_or_db, Store):
        yield store_or_db
        return
    with open_store(str(store_or_db)) as store:
        yield store


# -- export ----------------------------------------------------------------------------------------

def export_all(store_or_db: Store | str, out_path: str | Path) -> dict[str, int]:
    """Write the whole store to ``out_path`` (gzip when it ends in ``.gz``); returns the counts written.

    The file appears only once complete: an interrupted export leaves no file that looks like a backup.
    """
    path = Path(out_path)
    partial = path.with_name(path.name + PARTIAL_SUFFIX)
    try:
        with _opened(store_or_db) as store, open_text(partial, "w", compressed=path.suffix == ".gz") as handle:
            counts = write_backup(store, handle)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    logger.info("backup %s: %s", path, counts)
    return counts


def write_backup(store: Store, handle: IO[str]) -> dict[str, int]:
    """Write the whole store to an open text stream, one record per line; returns the counts written."""
    counts: Counter[str] = Counter()
    header = {"format": FORMAT, "version": BACKUP_VERSION, "schema": SCHEMA_VERSION,
              "extractor_version": EXTRACTOR_VERSION, "armstrack": __version__, "created_at": _utcnow()}
    _write_line(handle, header)
    with _snapshot(store.engine) as conn:
        for article in _articles(conn):
            counts.update(articles=1, facts=len(article["facts"]), sources=len(article["sources"]))
            _write_line(handle, article)
        for records in (_reviews(conn), _feeds(conn), _feed_items(conn), _watchlists(conn)):
            for record in records:
                counts[RECORD_COUNTS[record["record"]]] += 1
                _write_line(handle, record)
    total = {kind: counts[kind] for kind in COUNTED}
    _write_line(handle, {"record": "end", "counts": total})
    return total


def _utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def _write_line(handle: IO[str], record: dict[str, Any]) -> None:
    handle.write(json.dumps(record, ensure_ascii=False, default=_isoformat) + "\n")


def _isoformat(value: object) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} to a backup")


@contextmanager
def _snapshot(engine: Engine) -> Iterator[Connection]:
    """One read transaction: the backup is the store at one moment, even while others ingest."""
    with engine.connect() as conn:
        if conn.dialect.name == "postgresql":  # READ COMMITTED would let each page see a later state
            conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            yield conn


def _pick(row: Any, model: type) -> dict[str, Any]:
    return {name: row._mapping[name] for name in columns(model)}


def _articles(conn: Connection) -> Iterator[dict[str, Any]]:
    """Every article with its sources, page and facts, in id order, ``ARTICLE_PAGE`` at a time."""
    last_id = 0
    while rows := conn.execute(select(articles_table).where(articles_table.c.id > last_id)
                               .order_by(articles_table.c.id).limit(ARTICLE_PAGE)).all():
        ids = [r.id for r in rows]
        sources: dict[int, list] = {i: [] for i in ids}
        for s in conn.execute(select(sources_table).where(sources_table.c.article_id.in_(ids))
                              .order_by(sources_table.c.id)):
            sources[s.article_id].append(_pick(s, SourceRecord))
        pages = {p.article_id: _pick(p, PageRecord)
                 for p in conn.execute(select(pages_table).where(pages_table.c.article_id.in_(ids)))}
        facts = _facts(conn, ids)
        for r in rows:
            yield {"record": "article", **_pick(r, ArticleRecord), "captions": json.loads(r.captions),
                   "sources": sources[r.id], "page": pages.get(r.id), "facts": facts[r.id]}
        last_id = ids[-1]


def _facts(conn: Connection, article_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """The facts of these articles in id order, each with its participants and systems in order."""
    fact_ids = select(facts_table.c.id).where(facts_table.c.article_id.in_(article_ids))
    participants: dict[int, list] = {}
    for p in conn.execute(select(participants_table).where(participants_table.c.fact_id.in_(fact_ids))
                          .order_by(participants_table.c.fact_id, participants_table.c.position)):
        participants.setdefault(p.fact_id, []).append({k: p._mapping[k] for k in ("role", "name", "kind", "country")})
    systems: dict[int, list] = {}
    for s in conn.execute(select(systems_table).where(systems_table.c.fact_id.in_(fact_ids))
                          .order_by(systems_table.c.fact_id, systems_table.c.position)):
        systems.setdefault(s.fact_id, []).append({"name": s.name, "category": s.category})
    out: dict[int, list] = {i: [] for i in article_ids}
    for f in conn.execute(select(facts_table).where(facts_table.c.article_id.in_(article_ids))
                          .order_by(facts_table.c.id)):
        out[f.article_id].append({**_pick(f, FactRecord), "participants": participants.get(f.id, []),
                                  "systems": systems.get(f.id, [])})
    return out


def _pages(conn: Connection, table: Any, order: Any, *where: Any) -> Iterator[list[Any]]:
    """Rows of a table in ``order`` (a unique column among ``where``'s rows), ``ROW_PAGE`` at a time."""
    last = None
    while True:
        query = select(table).where(*where).order_by(order).limit(ROW_PAGE)
        rows = conn.execute(query if last is None else query.where(order > last)).all()
        if not rows:
            return
        yield rows
        last = rows[-1]._mapping[order.name]


def _paged(conn: Connection, table: Any, kind: str, model: type, order: Any,
           **natural: Callable[[Any], Any]) -> Iterator[dict[str, Any]]:
    """Rows of a table as ``kind`` records, ``natural`` giving the fields that replace row ids."""
    for rows in _pages(conn, table, order):
        for r in rows:
            yield {"record": kind, **_pick(r, model), **{name: make(r) for name, make in natural.items()}}


def _reviews(conn: Connection) -> Iterator[dict[str, Any]]:
    """In id order, which is the order they were made (merge.py applies them in that order)."""
    return _paged(conn, reviews_table, "review", ReviewRecord, reviews_table.c.id)


def _feeds(conn: Connection) -> Iterator[dict[str, Any]]:
    return _paged(conn, feeds_table, "feed", FeedRecord, feeds_table.c.id)


def _feed_items(conn: Connection) -> Iterator[dict[str, Any]]:
    """Each item names its feed, not the feed's row id."""
    names = dict(conn.execute(select(feeds_table.c.id, feeds_table.c.name)).all())
    return _paged(conn, feed_items_table, "feed_item", FeedItemRecord, feed_items_table.c.url,
                  feed=lambda r: names.get(r.feed_id))


def _watchlists(conn: Connection) -> Iterator[dict[str, Any]]:
    """Each watchlist (by name), followed by what it has seen: its entries, by cluster key."""
    W, WE = watchlists_table, watchlist_entries_table
    for w in conn.execute(select(W).order_by(W.c.name)).all():  # a handful: an analyst's questions
        yield {"record": "watchlist", **_pick(w, WatchlistRecord), "filters": json.loads(w.filters)}
        for rows in _pages(conn, WE, WE.c.cluster_key, WE.c.watchlist_id == w.id):
            states = [json.loads(r.state) for r in rows]
            ids = {i for state in states for i in state.get("articles", ())}
            hashes = dict(conn.execute(select(articles_table.c.id, articles_table.c.content_hash)
                                       .where(articles_table.c.id.in_(ids))).all())
            for r, state in zip(rows, states, strict=True):
                state["articles"] = sorted(hashes[i] for i in state.get("articles", ()) if i in hashes)
                yield {"record": "watchlist_entry", **_pick(r, WatchEntryRecord),
                       "watchlist": w.name, "state": state}


# -- import ----------------------------------------------------------------------------------------

def load_backup(path: str | Path, db: Store | str, *,
                after: Callable[[Store, set[str]], int] | None = None) -> ImportSummary:
    """Read a backup into a store (empty or not), validating every line before writing any.

    Derived data (stories, entities, merged facts) is not this layer's: ``after(store, reviewed)``
    rebuilds it and returns how many merged facts changed (``graph.restore.import_backup`` passes
    the graph rebuild here), so the store never imports the graph.

    Args:
        path: a file written by ``export_all`` (plain or gzip, whatever its name).
        db: the target store, or its path or SQLAlchemy URL.
        after: called with the store and the cluster keys that gained a review decision.

    Raises:
        BackupError: the file is not a backup, is from a newer armstrack, or is corrupt or truncated,
            or one of its watchlists is in the store with another filter (the message names the
            line); nothing is written then.
    """
    watchlists = [(line, record) for line, record in read_backup(path)  # 1. validate every line first
                  if isinstance(record, WatchlistRecord)]
    done = _Progress()
    merged = 0
    with _opened(db) as store:
        _refuse_other_filters(path, store, watchlists)
        for line, record in read_backup(path):  # 2. write, one transaction per record
            restore = _RESTORERS.get(type(record))
            if restore is None:  # the header and the end line
                continue
            try:
                with write_transaction(store.engine) as conn:
                    restore(conn, record, done)
            except IntegrityError as exc:
                raise BackupError(path, line, f"conflicts with the store: {exc.orig}") from exc
        if after is not None:  # 3. rebuild what is derived from the facts
            merged = after(store, done.reviewed)
    summary = ImportSummary({k: done.tally[k, True] for k in COUNTED}, {k: done.tally[k, False] for k in COUNTED},
                            merged)
    logger.info("imported %s: added %s, already present %s", path, summary.added, summary.present)
    return summary


@dataclass
class _Progress:
    """What an import has done so far, and what it carries from one record to the next."""

    tally: Counter[tuple[str, bool]] = field(default_factory=Counter)  # (kind, added?) -> how many
    reviewed: set[str] = field(default_factory=set)  # cluster keys that gained a decision
    feed_ids: dict[str, int | None] = field(default_factory=dict)  # feed name -> row id in the target
    watchlist_ids: dict[str, int] = field(default_factory=dict)  # watchlist name -> row id in the target


def _restore_article(conn: Connection, a: ArticleRecord, done: _Progress) -> None:
    """A new article with its facts; a known one (same text) keeps its facts and gains missing origins."""
    find = select(articles_table.c.id, articles_table.c.extractor_version).where(
        articles_table.c.content_hash == a.content_hash)
    row = conn.execute(find).first()
    created = False
    if row is None:
        article_id = insert_ignore(conn, articles_table, ("content_hash",), {
            **a.model_dump(include=set(columns(ArticleRecord))),
            "captions": json.dumps([list(c) for c in a.captions])}).scalar()
        created = article_id is not None
        if not created:  # a concurrent import of the same text won the insert
            row = conn.execute(find).one()
    if not created:
        article_id = row.id
        if row.extractor_version != a.extractor_version:
            logger.info("article %s is stored with facts from %s; kept instead of the backup's from %s",
                        a.content_hash[:12], row.extractor_version, a.extractor_version)
    done.tally["articles", created] += 1
    done.tally["facts", created] += len(a.facts)
    for s in a.sources:
        added = insert_ignore(conn, sources_table, ("article_id", "origin"),
                              {"article_id": article_id, **s.model_dump()}).first() is not None
        done.tally["sources", added] += 1
    if a.page is not None:
        insert_ignore(conn, pages_table, ("article_id",), {"article_id": article_id, **a.page.model_dump()})
    if created:
        _write_facts(conn, article_id, a.facts)


def _write_facts(conn: Connection, article_id: int, facts: tuple[FactRecord, ...]) -> None:
    """Facts with their stored keys, then participants and systems in order: three statements in all."""
    bump_facts_revision(conn)  # even without facts: graph.sync then gives the new article its story
    if not facts:
        return
    keep = set(columns(FactRecord))
    fact_ids = conn.execute(insert(facts_table).returning(facts_table.c.id, sort_by_parameter_order=True),
                            [{"article_id": article_id, **f.model_dump(include=keep)} for f in facts]).scalars().all()
    pairs = list(zip(fact_ids, facts, strict=True))
    participants = [{"fact_id": i, "position": n, **p.model_dump()} for i, f in pairs
                    for n, p in enumerate(f.participants)]
    systems = [{"fact_id": i, "position": n, **s.model_dump()} for i, f in pairs for n, s in enumerate(f.systems)]
    if participants:
        conn.execute(insert(participants_table), participants)
    if systems:
        conn.execute(insert(systems_table), systems)


def _restore_review(conn: Connection, r: ReviewRecord, done: _Progress) -> None:
    """A decision is one row per (key, decision, field, value, reviewer, time): skipped when present."""
    c = reviews_table.c
    present = conn.execute(select(c.id).where(
        c.cluster_key == r.cluster_key, c.decision == r.decision, c.field.is_not_distinct_from(r.field),
        c.value.is_not_distinct_from(r.value), c.reviewer == r.reviewer, c.decided_at == r.decided_at,
    ).limit(1)).first() is not None
    if not present:
        conn.execute(insert(reviews_table).values(**r.model_dump(include=set(columns(ReviewRecord)))))
        done.reviewed.add(r.cluster_key)
    done.tally["reviews", not present] += 1


def _restore_feed(conn: Connection, f: FeedRecord, done: _Progress) -> None:
    """A feed already followed under that name keeps its own URL and polling state."""
    row = f.model_dump(include=set(columns(FeedRecord)))
    done.tally["feeds", insert_ignore(conn, feeds_table, ("name",), row).first() is not None] += 1


def _restore_feed_item(conn: Connection, item: FeedItemRecord, done: _Progress) -> None:
    """An item names its feed; the feed's row id in the target is looked up once per name."""
    feed_id = None
    if item.feed is not None:
        if item.feed not in done.feed_ids:
            done.feed_ids[item.feed] = conn.execute(
                select(feeds_table.c.id).where(feeds_table.c.name == item.feed)).scalar()
        feed_id = done.feed_ids[item.feed]
    row = {**item.model_dump(include=set(columns(FeedItemRecord))), "feed_id": feed_id}
    done.tally["feed_items", insert_ignore(conn, feed_items_table, ("url",), row).first() is not None] += 1


def _refuse_other_filters(path: str | Path, store: Store, watchlists: list[tuple[int, WatchlistRecord]]) -> None:
    """A watchlist already in the store under the same name must ask the same question (its filter)."""
    W = watchlists_table
    with store.engine.connect() as conn:
        for line, w in watchlists:
            stored = conn.execute(select(W.c.filters).where(W.c.name == w.name)).scalar()
            if stored is not None and json.loads(stored) != w.filters:
                raise BackupError(path, line, f"watchlist {w.name!r} is in the store with another filter "
                                              f"({stored} here, {json.dumps(w.filters)} in the backup): "
                                              "rename or remove one of them, then import again")


def _restore_watchlist(conn: Connection, w: WatchlistRecord, done: _Progress) -> None:
    """A watchlist already there (same filter, checked before writing) keeps its own webhook and time."""
    row = {**w.model_dump(include=set(columns(WatchlistRecord))), "filters": json.dumps(w.filters)}
    added = insert_ignore(conn, watchlists_table, ("name",), row).first() is not None
    done.tally["watchlists", added] += 1
    done.watchlist_ids[w.name] = conn.execute(
        select(watchlists_table.c.id).where(watchlists_table.c.name == w.name)).scalar_one()


def _restore_watch_entry(conn: Connection, e: WatchEntryRecord, done: _Progress) -> None:
    """What the watchlist had seen, its articles mapped from content hashes to the target's row ids.

    An entry already there is the target's own memory of that fact and is kept as it is.
    """
    state = e.state.model_dump()
    ids = conn.execute(select(articles_table.c.id)
                       .where(articles_table.c.content_hash.in_(e.state.articles))).scalars()
    state["articles"] = sorted(ids)  # as watch.watchlists keeps them; every article of the file is stored by now
    row = {**e.model_dump(include=set(columns(WatchEntryRecord))), "state": json.dumps(state),
           "watchlist_id": done.watchlist_ids[e.watchlist]}
    added = insert_ignore(conn, watchlist_entries_table, ("watchlist_id", "cluster_key"), row).first() is not None
    done.tally["watchlist_entries", added] += 1


_RESTORERS: dict[type, Callable[[Connection, Any, _Progress], None]] = {
    ArticleRecord: _restore_article, ReviewRecord: _restore_review, FeedRecord: _restore_feed,
    FeedItemRecord: _restore_feed_item, WatchlistRecord: _restore_watchlist, WatchEntryRecord: _restore_watch_entry,
}
