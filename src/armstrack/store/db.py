"""The article and fact store: SQLite by default, any SQLAlchemy database by URL.

Written with SQLAlchemy Core (no ORM, no hand-written SQL apart from SQLite's
connection pragmas) so the same schema and statements run on PostgreSQL when the
record outgrows a file. Every value goes through bound parameters, so names
taken from scraped text are stored verbatim, whatever they look like.

Identity: an article is its text (``Article.content_hash``). Re-ingesting the
same text under another file name only records another origin; re-ingesting it
with a newer extractor replaces its facts. Each article is written in one
transaction, so an interrupted run never leaves half an article behind.

Concurrent writers (several ingest processes or Ray workers on one PostgreSQL
database) are kept apart by the database, not by locks in Python: articles and
origins are inserted with ``ON CONFLICT DO NOTHING`` on their unique keys, an
existing article's row is locked (``SELECT ... FOR UPDATE``) while its facts are
replaced, and the facts revision is incremented in SQL, never read-modify-written.
"""
from __future__ import annotations

import hashlib
import json
import logging
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Iterator, Sequence

from sqlalchemy import (
    BigInteger, Boolean, Column, DateTime, Float, ForeignKey, Index, Integer, MetaData, PrimaryKeyConstraint, String,
    Table, Text, UniqueConstraint, cast, create_engine, delete, event, func, insert, select, update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from armstrack.errors import ArmstrackError
from armstrack.model import Article, Fact, Money, Participant, System, TimeSpan
from armstrack.names import normalise_name

logger = logging.getLogger(__name__)

DEFAULT_DB = "armstrack.db"
SCHEMA_VERSION = 4
SCHEMA_VERSION_KEY = "schema_version"
# Named migrations, oldest first: (version reached, what changed). Every step so far only adds tables,
# which ``create_all`` creates, so migrating records the step in ``meta`` and bumps the version.
MIGRATIONS = (
    (2, "knowledge graph: entities, entity_mentions, clusters, cluster_facts, cluster_countries, "
        "cluster_entities, country_stats, reviews"),
    (3, "following the news: feeds, feed_items, article_pages, article_stories, story_buckets"),
    (4, "watchlists: watchlists, watchlist_entries"),
)
# Bumped in the transaction that writes or deletes facts, so derived tables (graph.py) know they are stale.
FACTS_REVISION_KEY = "facts_revision"
ENTITY_ID_LENGTH = 200
NAME_LENGTH = 200  # a watchlist's name: short words an analyst types
HASH_LENGTH = 64  # hex sha256
ARTICLE_PAGE_SIZE = 100  # iter_articles reads in pages instead of holding a cursor open
# PostgreSQL advisory lock held while creating the schema; any fixed number ("armstore" in ASCII).
SCHEMA_LOCK_ID = 0x61726D73746F7265
ADD_ATTEMPTS = 3  # retries after losing a race the upserts below do not cover (a dialect without them)

metadata = MetaData()

meta_table = Table(
    "meta", metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

articles_table = Table(
    "articles", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("content_hash", String(HASH_LENGTH), nullable=False, unique=True),
    Column("origin", Text, nullable=False),
    Column("ext_id", Text),
    Column("url", Text),
    Column("published", Text),
    Column("outlet", Text),
    Column("text", Text, nullable=False),
    Column("captions", Text, nullable=False),  # JSON list of [start, end]
    Column("extractor_version", Text, nullable=False),
    Column("ingested_at", DateTime, nullable=False),  # naive UTC
)

facts_table = Table(
    "facts", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("article_id", Integer, ForeignKey("articles.id", ondelete="CASCADE"), nullable=False),
    Column("fact_key", String(HASH_LENGTH), nullable=False, unique=True),
    Column("type", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("time_text", Text),
    Column("time_start", Text),
    Column("time_end", Text),
    Column("quantity", Integer),
    Column("money_amount", Float),
    Column("money_currency", Text),
    Column("money_per", Text),
    Column("attributed_to", Text),
    Column("evidence", Text, nullable=False),
    Column("span_start", Integer, nullable=False),
    Column("span_end", Integer, nullable=False),
    Column("confidence", Float, nullable=False),
    Index("ix_facts_type", "type"),
    Index("ix_facts_time_start", "time_start"),
    Index("ix_facts_article_id", "article_id"),
)

participants_table = Table(
    "fact_participants", metadata,
    Column("fact_id", Integer, ForeignKey("facts.id", ondelete="CASCADE"), nullable=False),
    Column("position", Integer, nullable=False),
    Column("role", Text, nullable=False),
    Column("name", Text, nullable=False),
    Column("kind", Text, nullable=False),
    Column("country", Text),
    PrimaryKeyConstraint("fact_id", "position"),
    Index("ix_fact_participants_name", "name"),
    Index("ix_fact_participants_country", "country"),
)

systems_table = Table(
    "fact_systems", metadata,
    Column("fact_id", Integer, ForeignKey("facts.id", ondelete="CASCADE"), nullable=False),
    Column("position", Integer, nullable=False),
    Column("name", Text, nullable=False),
    Column("category", Text, nullable=False),
    PrimaryKeyConstraint("fact_id", "position"),
    Index("ix_fact_systems_name", "name"),
)

sources_table = Table(
    "article_sources", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("article_id", Integer, ForeignKey("articles.id", ondelete="CASCADE"), nullable=False),
    Column("origin", Text, nullable=False),
    Column("added_at", DateTime, nullable=False),
    UniqueConstraint("article_id", "origin", name="uq_article_sources_article_origin"),
)


# -- the knowledge graph (derived from the tables above by graph.py; reviews are the only primary data) --

entities_table = Table(
    "entities", metadata,
    Column("id", String(ENTITY_ID_LENGTH), primary_key=True),  # "country:KZ", "org:aselsan", "system:anka"
    Column("kind", String(16), nullable=False),
    Column("name", Text, nullable=False),
    Column("country", Text),  # a country itself, an organisation's headquarters, a system's origin
    Column("category", Text),
    Column("known", Boolean, nullable=False),
)

mentions_table = Table(
    "entity_mentions", metadata,
    Column("kind", String(16), nullable=False),  # how facts write it: country | organization | system
    Column("surface", Text, nullable=False),  # the name exactly as a fact gives it
    Column("entity_id", String(ENTITY_ID_LENGTH), nullable=False),
    Column("method", String(16), nullable=False),
    Column("reason", Text, nullable=False),
    Column("score", Float, nullable=False),
    PrimaryKeyConstraint("kind", "surface"),
    Index("ix_entity_mentions_entity", "entity_id"),
)

clusters_table = Table(
    "clusters", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("key", String(HASH_LENGTH), nullable=False, unique=True),
    Column("type", Text, nullable=False),
    Column("status", Text),
    Column("time_text", Text),
    Column("time_start", Text),
    Column("time_end", Text),
    Column("quantity", Integer),
    Column("n_facts", Integer, nullable=False),
    Column("n_articles", Integer, nullable=False),  # the corroboration count: independent stories (stories.py)
    Column("latest_published", Text),
    Column("conflicted", Boolean, nullable=False),
    Column("review", String(16), nullable=False),  # unreviewed | accepted | rejected
    Column("detail", Text, nullable=False),  # JSON: participants, systems, sources, conflicts, corrections
    Index("ix_clusters_type_time", "type", "time_start"),
    Index("ix_clusters_time_start", "time_start"),
)

cluster_facts_table = Table(
    "cluster_facts", metadata,
    Column("fact_id", Integer, ForeignKey("facts.id", ondelete="CASCADE"), primary_key=True),
    Column("cluster_id", Integer, ForeignKey("clusters.id", ondelete="CASCADE"), nullable=False),
    Index("ix_cluster_facts_cluster", "cluster_id"),
)

cluster_countries_table = Table(
    "cluster_countries", metadata,
    Column("cluster_id", Integer, ForeignKey("clusters.id", ondelete="CASCADE"), nullable=False),
    Column("country", Text, nullable=False),
    Column("side", Text, nullable=False),  # the participant's role, or "origin" of a system
    Column("time_start", Text),  # copies of the cluster's, so "latest facts of X" is one index range
    Column("hidden", Boolean, nullable=False),  # rejected by an analyst
    PrimaryKeyConstraint("cluster_id", "country", "side"),
    Index("ix_cluster_countries_country", "country", "cluster_id"),
    Index("ix_cluster_countries_country_time", "country", "time_start"),
)

country_stats_table = Table(
    "country_stats", metadata,  # per-country rollups behind ``query.profile`` (rollup.py)
    Column("country", Text, nullable=False),
    Column("kind", String(16), nullable=False),  # total | partner | system | organization
    Column("item", Text, nullable=False),  # partner country or entity id ("" for total)
    Column("origin", Text, nullable=False),  # system origin / organisation country ("" when unknown)
    Column("label", Text, nullable=False),  # display name, so a profile needs no second lookup
    Column("category", Text),  # a system's category
    Column("n", Integer, nullable=False),  # visible merged facts
    PrimaryKeyConstraint("country", "kind", "item", "origin"),
)

cluster_entities_table = Table(
    "cluster_entities", metadata,
    Column("cluster_id", Integer, ForeignKey("clusters.id", ondelete="CASCADE"), nullable=False),
    Column("entity_id", String(ENTITY_ID_LENGTH), nullable=False),
    Column("role", Text, nullable=False),  # participant role, or "system"
    Column("country", Text),  # participant's country; system's origin (or its supplier's country)
    PrimaryKeyConstraint("cluster_id", "entity_id", "role"),
    Index("ix_cluster_entities_entity", "entity_id"),
)

reviews_table = Table(
    "reviews", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("cluster_key", String(HASH_LENGTH), nullable=False),  # identity, not a row number
    Column("decision", String(16), nullable=False),  # accept | reject | correct
    Column("field", Text),
    Column("value", Text),
    Column("reviewer", Text, nullable=False),
    Column("decided_at", DateTime, nullable=False),
    Index("ix_reviews_cluster_key", "cluster_key"),
)


# -- following the news (feeds.py, fetch.py, stories.py) --

feeds_table = Table(
    "feeds", metadata,  # the RSS/Atom feeds ``armstrack watch`` polls, with their HTTP cache state
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", Text, nullable=False, unique=True),
    Column("url", Text, nullable=False),
    Column("etag", Text),
    Column("last_modified", Text),
    Column("last_polled", DateTime),  # naive UTC, last attempt whatever its outcome
    Column("last_error", Text),
    Column("failures", Integer, nullable=False, default=0),  # consecutive failed polls
    Column("added_at", DateTime, nullable=False),
)

feed_items_table = Table(
    "feed_items", metadata,  # every item URL already handled, so a poll fetches new items only
    Column("url", Text, primary_key=True),
    Column("feed_id", Integer, ForeignKey("feeds.id", ondelete="SET NULL")),
    Column("content_hash", String(HASH_LENGTH)),  # NULL while the item could not be fetched or read
    Column("attempts", Integer, nullable=False),
    Column("last_error", Text),
    Column("first_seen", DateTime, nullable=False),
    Index("ix_feed_items_content_hash", "content_hash"),
)

pages_table = Table(
    "article_pages", metadata,  # page metadata of articles fetched from the web
    Column("article_id", Integer, ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    Column("title", Text),
    Column("author", Text),
    Column("fetched_url", Text, nullable=False),  # where it was downloaded (articles.url is the canonical URL)
    Column("fetched_at", DateTime, nullable=False),
)

stories_table = Table(
    "article_stories", metadata,  # near-duplicate groups: one story told by many outlets
    Column("article_id", Integer, ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    Column("story_id", Integer, nullable=False),  # the id of the story's first article
    Column("matched_article", Integer),  # the earlier article it was found to copy, if any
    Column("similarity", Float),  # Jaccard similarity of word shingles with that article
    Index("ix_article_stories_story", "story_id"),
)

story_buckets_table = Table(
    "story_buckets", metadata,  # MinHash LSH band buckets of each article (stories.py)
    Column("bucket", BigInteger, nullable=False),
    Column("article_id", Integer, ForeignKey("articles.id", ondelete="CASCADE"), nullable=False),
    PrimaryKeyConstraint("bucket", "article_id"),
)


# -- watchlists (watch/watchlists.py) --

watchlists_table = Table(
    "watchlists", metadata,  # an analyst's saved ``facts`` filters, each an Atom feed and optionally a webhook
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(NAME_LENGTH), nullable=False, unique=True),
    Column("filters", Text, nullable=False),  # JSON object of query.facts keyword arguments
    Column("webhook", Text),  # URL each new match is POSTed to by ``armstrack watch``, if any
    Column("created_at", DateTime, nullable=False),  # naive UTC
)

watchlist_entries_table = Table(
    "watchlist_entries", metadata,  # what each watchlist has seen of each merged fact: its feed entries
    Column("watchlist_id", Integer, ForeignKey("watchlists.id", ondelete="CASCADE"), nullable=False),
    Column("cluster_key", String(HASH_LENGTH), nullable=False),  # identity, not a row number
    Column("state", Text, nullable=False),  # JSON of what a change is measured on (sources, conflicts, review)
    Column("change", Text, nullable=False),  # the last change in words ("new fact", "new source: ...")
    Column("version", Integer, nullable=False),  # 1 when first seen, +1 per change
    Column("notified_version", Integer, nullable=False),  # the version last delivered to the webhook
    Column("first_seen", DateTime, nullable=False),
    Column("updated", DateTime, nullable=False),
    PrimaryKeyConstraint("watchlist_id", "cluster_key"),
    Index("ix_watchlist_entries_updated", "watchlist_id", "updated"),
)


class StoreError(ArmstrackError):
    """The store cannot be opened or has an incompatible schema."""


@dataclass(frozen=True)
class AddResult:
    article_id: int
    created: bool
    facts_written: int


@dataclass(frozen=True)
class StoredArticle:
    """An article as kept in the store, with every origin it was ingested from."""

    article_id: int
    article: Article
    extractor_version: str
    ingested_at: datetime
    origins: tuple[str, ...]


# The evidence span of a fact read without offsets (model.Fact's default).
NO_SPAN = (0, 0)


def fact_key(content_hash: str, fact: Fact) -> str:
    """A stable identity for a fact: same article text, type, who, what, when and where in the text.

    Names are normalised so a re-extraction that only changes case or accents
    yields the same key; JSON framing keeps field boundaries unambiguous. "Where" is
    the evidence span or, for facts read without one (gold files, JSON imports: span
    (0, 0)), the evidence text itself: two such facts about the same parties from
    different sentences ("has today concluded agreements", "will be facilitated through
    a licensing agreement") are two facts, not one.
    """
    where: list[int] | str = list(fact.evidence_span) if fact.evidence_span != NO_SPAN else fact.evidence or ""
    payload = [
        content_hash,
        fact.type,
        sorted([p.role, normalise_name(p.name)] for p in fact.participants),
        sorted(s.name for s in fact.systems),
        fact.time.start,
        where,
    ]
    return hashlib.sha256(json.dumps(payload, ensure_ascii=False).encode("utf-8")).hexdigest()


def _fact_row(article_id: int, key: str, fact: Fact) -> dict[str, Any]:
    money = fact.money
    return dict(
        article_id=article_id, fact_key=key, type=fact.type, status=fact.status,
        time_text=fact.time.text, time_start=fact.time.start, time_end=fact.time.end,
        quantity=fact.quantity, money_amount=money.amount if money else None,
        money_currency=money.currency if money else None, money_per=money.per if money else None,
        attributed_to=fact.attributed_to, evidence=fact.evidence,
        span_start=fact.evidence_span[0], span_end=fact.evidence_span[1], confidence=fact.confidence,
    )


def _utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def _configure_sqlite(engine: Engine) -> None:
    """WAL lets readers work while a writer ingests; foreign keys make CASCADE real.

    pysqlite's own transaction handling is switched off so that SQLAlchemy's
    BEGIN covers the whole article, including the initial lookup.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        # WAL + NORMAL: no fsync per commit (a power cut may lose the last articles, never consistency);
        # re-ingesting restores them, and ingest writes one transaction per article.
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        immediate = connection.get_execution_options().get(_SQLITE_IMMEDIATE)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


# Execution option marking a transaction that will write (see write_transaction).
_SQLITE_IMMEDIATE = "armstrack_sqlite_immediate"


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """A transaction that will write: every writer must use this, not ``engine.begin()``.

    On SQLite it starts with BEGIN IMMEDIATE, taking the write lock up front and
    waiting for it (busy timeout) if another process holds it. A plain BEGIN
    reads first and upgrades at its first write, and in WAL mode that upgrade
    fails at once with "database is locked" when another writer (an API reader
    bringing the merged facts up to date, a second ingest) committed since the
    read: the ingest would lose the article. PostgreSQL ignores the option.
    """
    with engine.execution_options(**{_SQLITE_IMMEDIATE: True}).begin() as conn:
        yield conn


def open_store(db: str = DEFAULT_DB) -> "Store":
    """Open (creating if needed) the store at a file path or SQLAlchemy URL."""
    url = str(db) if "://" in str(db) else f"sqlite:///{db}"
    engine = create_engine(url)
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine)
    shown = engine.url.render_as_string(hide_password=True)
    try:
        with write_transaction(engine) as conn:
            if engine.dialect.name == "postgresql":  # two first ingests at once must not both create tables
                conn.execute(select(func.pg_advisory_xact_lock(SCHEMA_LOCK_ID)))
            metadata.create_all(conn)
            version = conn.execute(
                select(meta_table.c.value).where(meta_table.c.key == SCHEMA_VERSION_KEY)).scalar()
            if version is None:
                conn.execute(insert(meta_table).values(key=SCHEMA_VERSION_KEY, value=str(SCHEMA_VERSION)))
                logger.info("initialised store schema v%d at %s", SCHEMA_VERSION, shown)
    except SQLAlchemyError as exc:
        engine.dispose()
        raise StoreError(f"cannot open store {shown}: {exc}") from exc
    if version is not None and version != str(SCHEMA_VERSION):
        version = _migrate(engine, version, shown)
    if version is not None and version != str(SCHEMA_VERSION):
        engine.dispose()
        raise StoreError(f"store {shown} has schema version {version}, this armstrack expects {SCHEMA_VERSION}")
    logger.debug("opened store %s", shown)
    return Store(engine)


def _migrate(engine: Engine, version: str, shown: str) -> str:
    """Apply the named migrations above ``version`` (tables already exist via ``create_all``)."""
    if not version.isdigit() or int(version) > SCHEMA_VERSION:
        return version
    with write_transaction(engine) as conn:
        for target, description in MIGRATIONS:
            if target > int(version):
                conn.execute(insert(meta_table).values(key=f"migration_{target}", value=description))
                logger.info("migrated store %s to schema v%d: %s", shown, target, description)
        conn.execute(update(meta_table).where(meta_table.c.key == SCHEMA_VERSION_KEY)
                     .values(value=str(SCHEMA_VERSION)))
    return str(SCHEMA_VERSION)


def facts_revision(conn: Connection) -> int:
    """How many times facts were written or deleted: graph.py rebuilds when this moves."""
    value = conn.execute(select(meta_table.c.value).where(meta_table.c.key == FACTS_REVISION_KEY)).scalar()
    return int(value) if value else 0


def bump_facts_revision(conn: Connection) -> None:
    """Increment in one UPDATE: two concurrent writers must never both write the same revision."""
    insert_ignore(conn, meta_table, ("key",), {"key": FACTS_REVISION_KEY, "value": "0"})
    conn.execute(update(meta_table).where(meta_table.c.key == FACTS_REVISION_KEY)
                 .values(value=cast(cast(meta_table.c.value, Integer) + 1, Text)))


def insert_ignore(conn: Connection, table: Table, keys: Sequence[str], values: dict[str, Any]):
    """INSERT ... ON CONFLICT (keys) DO NOTHING where the dialect has it, else a plain INSERT.

    Returns the result of the statement, which RETURNs the table's primary key
    (no row when the key already existed).
    """
    dialects = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}
    make = dialects.get(conn.dialect.name)
    if make is None:  # other databases: a conflict raises IntegrityError and add_article retries
        return conn.execute(insert(table).values(**values).returning(*table.primary_key.columns))
    stmt = make(table).values(**values).on_conflict_do_nothing(index_elements=list(keys))
    return conn.execute(stmt.returning(*table.primary_key.columns))


class Store:
    """Articles and facts in a SQL database; use ``open_store`` to get one."""

    def __init__(self, engine: Engine):
        self._engine = engine

    @property
    def engine(self) -> Engine:
        """For read-only queries by other modules (tables are module-level Core ``Table`` objects)."""
        return self._engine

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._engine.dispose()

    def add_article(self, article: Article, facts: Sequence[Fact], extractor_version: str) -> AddResult:
        """Write one article and its facts in one transaction; re-adding never duplicates.

        A known text only gains a new origin; its facts are replaced when
        ``extractor_version`` differs from the one that produced them.
        """
        for attempt in range(1, ADD_ATTEMPTS + 1):
            try:
                with write_transaction(self._engine) as conn:
                    result = self._add(conn, article, facts, extractor_version)
            except IntegrityError:
                if attempt == ADD_ATTEMPTS:
                    raise
                logger.info("lost a race inserting %s; retrying", article.origin)
            else:
                logger.debug("%s -> article %d (created=%s, facts=%d)", article.origin,
                             result.article_id, result.created, result.facts_written)
                return result
        raise AssertionError("unreachable")

    def _add(self, conn: Connection, article: Article, facts: Sequence[Fact], version: str) -> AddResult:
        content_hash = article.content_hash
        # The row lock makes a concurrent writer of the same text wait here until this transaction ends,
        # then read the version this one wrote (READ COMMITTED): facts are never replaced twice at once.
        find = (select(articles_table.c.id, articles_table.c.extractor_version)
                .where(articles_table.c.content_hash == content_hash).with_for_update())
        row = conn.execute(find).first()
        if row is None:
            article_id = insert_ignore(conn, articles_table, ("content_hash",), dict(
                content_hash=content_hash, origin=article.origin, ext_id=article.id, url=article.url,
                published=article.published, outlet=article.outlet, text=article.text,
                captions=json.dumps([list(c) for c in article.captions]),
                extractor_version=version, ingested_at=_utcnow(),
            )).scalar()
            if article_id is not None:
                self._add_source(conn, article_id, article.origin)
                return AddResult(article_id, True, self._write_facts(conn, article_id, content_hash, facts))
            row = conn.execute(find).one()  # another writer inserted it meanwhile and has committed
            logger.info("%s was inserted concurrently by another writer", article.origin)
        article_id = row.id
        if self._add_source(conn, article_id, article.origin):
            logger.info("%s is a known article (%d); recorded as another origin", article.origin, article_id)
        if row.extractor_version == version:
            return AddResult(article_id, False, 0)
        logger.info("article %d: replacing facts from %s with %s", article_id, row.extractor_version, version)
        conn.execute(delete(facts_table).where(facts_table.c.article_id == article_id))
        conn.execute(update(articles_table).where(articles_table.c.id == article_id)
                     .values(extractor_version=version))
        return AddResult(article_id, False, self._write_facts(conn, article_id, content_hash, facts))

    def _add_source(self, conn: Connection, article_id: int, origin: str) -> bool:
        """Record where the article was read from; False when that origin was already known."""
        return insert_ignore(conn, sources_table, ("article_id", "origin"),
                             {"article_id": article_id, "origin": origin, "added_at": _utcnow()}).first() is not None

    def _write_facts(self, conn: Connection, article_id: int, content_hash: str, facts: Sequence[Fact]) -> int:
        """Insert the facts, then all their participants and systems: three executemany statements
        per article instead of three statements per fact (a third of ingest's write time)."""
        bump_facts_revision(conn)
        kept: dict[str, Fact] = {}
        for fact in facts:
            key = fact_key(content_hash, fact)
            if key in kept:
                logger.debug("article %d: skipping duplicate fact %s", article_id, key[:12])
                continue
            kept[key] = fact
        if not kept:
            return 0
        fact_ids = conn.execute(insert(facts_table).returning(facts_table.c.id, sort_by_parameter_order=True),
                                [_fact_row(article_id, key, fact) for key, fact in kept.items()]).scalars().all()
        pairs = list(zip(fact_ids, kept.values(), strict=True))
        participants = [{"fact_id": fact_id, "position": i, "role": p.role, "name": p.name, "kind": p.kind,
                         "country": p.country} for fact_id, fact in pairs for i, p in enumerate(fact.participants)]
        systems = [{"fact_id": fact_id, "position": i, "name": s.name, "category": s.category}
                   for fact_id, fact in pairs for i, s in enumerate(fact.systems)]
        if participants:
            conn.execute(insert(participants_table), participants)
        if systems:
            conn.execute(insert(systems_table), systems)
        return len(kept)

    def has_article(self, content_hash: str) -> bool:
        with self._engine.connect() as conn:
            return conn.execute(select(articles_table.c.id)
                                .where(articles_table.c.content_hash == content_hash)).first() is not None

    def extractor_version_of(self, content_hash: str) -> str | None:
        """The extractor version that produced a stored article's facts, or None if not stored."""
        with self._engine.connect() as conn:
            return conn.execute(select(articles_table.c.extractor_version)
                                .where(articles_table.c.content_hash == content_hash)).scalar()

    def counts(self) -> dict[str, int]:
        tables = {"articles": articles_table, "facts": facts_table, "participants": participants_table,
                  "systems": systems_table, "sources": sources_table}
        with self._engine.connect() as conn:
            return {name: conn.execute(select(func.count()).select_from(t)).scalar_one()
                    for name, t in tables.items()}

    def facts_for_article(self, article_id: int) -> list[Fact]:
        """The article's facts as ``model.Fact``, in insertion order, participants and systems in order."""
        with self._engine.connect() as conn:
            rows = conn.execute(select(facts_table).where(facts_table.c.article_id == article_id)
                                .order_by(facts_table.c.id)).all()
            fact_ids = select(facts_table.c.id).where(facts_table.c.article_id == article_id)
            participants: dict[int, list[Participant]] = defaultdict(list)
            for p in conn.execute(select(participants_table).where(participants_table.c.fact_id.in_(fact_ids))
                                  .order_by(participants_table.c.fact_id, participants_table.c.position)):
                participants[p.fact_id].append(Participant(p.role, p.name, p.kind, p.country))
            systems: dict[int, list[System]] = defaultdict(list)
            for s in conn.execute(select(systems_table).where(systems_table.c.fact_id.in_(fact_ids))
                                  .order_by(systems_table.c.fact_id, systems_table.c.position)):
                systems[s.fact_id].append(System(s.name, s.category))
        return [Fact(
            type=r.type, participants=tuple(participants[r.id]), systems=tuple(systems[r.id]),
            time=TimeSpan(r.time_text, r.time_start, r.time_end), status=r.status, quantity=r.quantity,
            money=Money(r.money_amount, r.money_currency, r.money_per) if r.money_amount is not None else None,
            attributed_to=r.attributed_to, evidence=r.evidence, evidence_span=(r.span_start, r.span_end),
            confidence=r.confidence,
        ) for r in rows]

    def iter_articles(self) -> Iterator[StoredArticle]:
        """All articles in id order, read a page at a time so callers may write between items."""
        last_id = 0
        while True:
            with self._engine.connect() as conn:
                rows = conn.execute(select(articles_table).where(articles_table.c.id > last_id)
                                    .order_by(articles_table.c.id).limit(ARTICLE_PAGE_SIZE)).all()
                origins: dict[int, list[str]] = defaultdict(list)
                if rows:
                    for s in conn.execute(select(sources_table.c.article_id, sources_table.c.origin)
                                          .where(sources_table.c.article_id.in_([r.id for r in rows]))
                                          .order_by(sources_table.c.id)):
                        origins[s.article_id].append(s.origin)
            if not rows:
                return
            for r in rows:
                article = Article(origin=r.origin, text=r.text, id=r.ext_id, url=r.url, published=r.published,
                                  outlet=r.outlet, captions=tuple(tuple(c) for c in json.loads(r.captions)))
                yield StoredArticle(r.id, article, r.extractor_version, r.ingested_at, tuple(origins[r.id]))
            last_id = rows[-1].id
