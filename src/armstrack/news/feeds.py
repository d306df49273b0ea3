"""Follow outlets: a list of RSS/Atom feeds, polled for new items that are fetched and ingested.

State lives in the store (tables ``feeds`` and ``feed_items``), so a poll
remembers across runs what it has seen: an item is new when neither its URL
nor, once fetched, its text (``Article.content_hash``) is known. Feeds are
asked with their last ETag / Last-Modified, so an unchanged feed costs one
304. Failures are contained: a feed that cannot be fetched or parsed is
reported, counted and retried after a growing pause while the other feeds go
on; an item that cannot be fetched is retried on later polls up to
``ITEM_MAX_ATTEMPTS`` times.
"""
from __future__ import annotations

import logging
import re
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Callable, Iterator
from urllib.parse import urldefrag, urljoin

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from armstrack.errors import ArmstrackError
from armstrack.news.fetch import FetchError, Fetcher, fetch_article, store_page
from armstrack.store.db import Store, articles_table, feed_items_table, feeds_table, write_transaction

logger = logging.getLogger(__name__)

# A failing feed waits FEED_RETRY_BASE * 2**(failures-1) before it is asked again, at most
# FEED_RETRY_MAX: shorter than the default watch interval at first, so one blip costs one poll.
FEED_RETRY_BASE = timedelta(minutes=5)
FEED_RETRY_MAX = timedelta(hours=6)
# An item whose page fails this many polls in a row (gone, 404, not an article) is given up.
ITEM_MAX_ATTEMPTS = 3
DEFAULT_INTERVAL = 15 * 60  # seconds between polls of ``armstrack watch``
_INTERVAL = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$", re.IGNORECASE)
_UNIT_SECONDS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


class FeedError(ArmstrackError):
    """A feed list operation that cannot be done (unknown or duplicate name), or a feed that is not a feed."""


@dataclass(frozen=True)
class Feed:
    id: int
    name: str
    url: str
    etag: str | None = None
    last_modified: str | None = None
    last_polled: datetime | None = None
    last_error: str | None = None
    failures: int = 0

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["last_polled"] = self.last_polled.isoformat(timespec="seconds") if self.last_polled else None
        return d


@dataclass(frozen=True)
class Added:
    """One new article a poll ingested."""

    url: str
    article_id: int
    outlet: str | None
    published: str | None
    title: str | None
    facts_written: int


@dataclass(frozen=True)
class FeedOutcome:
    """What polling one feed did: status is ok, not modified, failed or waiting (backing off)."""

    feed: str
    status: str
    entries: int = 0
    added: tuple[Added, ...] = ()
    known: int = 0  # new URLs whose text was already stored
    item_errors: tuple[tuple[str, str], ...] = ()  # (url, reason)
    error: str | None = None


@dataclass(frozen=True)
class PollReport:
    outcomes: tuple[FeedOutcome, ...] = field(default=())

    @property
    def added(self) -> list[Added]:
        return [a for o in self.outcomes for a in o.added]

    @property
    def failed(self) -> list[FeedOutcome]:
        return [o for o in self.outcomes if o.status == "failed"]

    def to_dict(self) -> dict[str, Any]:
        return {"outcomes": [asdict(o) for o in self.outcomes]}


def parse_interval(text: str) -> float:
    """Seconds in "90", "30s", "15m", "2h" or "1d"."""
    match = _INTERVAL.match(text)
    if not match or float(match.group(1)) <= 0:
        raise FeedError(f"interval {text!r}: give a positive number with an optional unit s, m, h or d (15m)")
    return float(match.group(1)) * _UNIT_SECONDS[match.group(2).lower()]


def _utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


# -- the feed list -------------------------------------------------------------------------------

def add_feed(store: Store, name: str, url: str, now: datetime | None = None) -> Feed:
    """Follow a feed under a short unique name."""
    name, url = name.strip(), url.strip()
    if not name or not url.lower().startswith(("http://", "https://")):
        raise FeedError("a feed needs a name and an http(s) URL")
    try:
        with write_transaction(store.engine) as conn:
            conn.execute(insert(feeds_table).values(name=name, url=url, failures=0, added_at=now or _utcnow()))
    except IntegrityError as exc:
        raise FeedError(f"a feed named {name!r} already exists") from exc
    return next(f for f in list_feeds(store) if f.name == name)


def list_feeds(store: Store) -> list[Feed]:
    """Every followed feed, in name order, with its polling state."""
    with store.engine.connect() as conn:
        rows = conn.execute(select(feeds_table).order_by(feeds_table.c.name)).all()
    return [Feed(r.id, r.name, r.url, r.etag, r.last_modified, r.last_polled, r.last_error, r.failures)
            for r in rows]


def remove_feed(store: Store, name: str) -> None:
    """Stop following a feed; the articles it brought and the memory of its items stay."""
    with write_transaction(store.engine) as conn:
        feed_id = conn.execute(select(feeds_table.c.id).where(feeds_table.c.name == name)).scalar()
        if feed_id is None:
            raise FeedError(f"no feed named {name!r}")
        conn.execute(update(feed_items_table).where(feed_items_table.c.feed_id == feed_id).values(feed_id=None))
        conn.execute(delete(feeds_table).where(feeds_table.c.id == feed_id))


# -- polling -------------------------------------------------------------------------------------

def poll_once(store: Store, extractor, fetcher: Fetcher | None = None, now: datetime | None = None) -> PollReport:
    """Poll every feed that is due, fetch and ingest its new items; one feed's failure never stops the rest.

    Args:
        extractor: a ``pipeline.Extractor`` (anything with ``extract(article)`` and ``version``).
        fetcher: the HTTP client (its timeouts, retries and per-host delay); a default one if omitted.
        now: the time the poll is taken to run at (naive UTC), for the failing-feed backoff.
    """
    fetcher = fetcher or Fetcher()
    now = now or _utcnow()
    outcomes = []
    for feed in list_feeds(store):
        if not _due(feed, now):
            outcomes.append(FeedOutcome(feed.name, "waiting", error=feed.last_error))
            continue
        try:
            outcome = _poll_feed(store, extractor, fetcher, feed, now)
        except Exception as exc:  # a bug or a bad feed must not stop the other feeds
            reason = exc.reason if isinstance(exc, FetchError) else str(exc) or type(exc).__name__
            if not isinstance(exc, (FetchError, FeedError)):
                logger.exception("feed %s: unexpected error", feed.name)
            outcome = FeedOutcome(feed.name, "failed", error=reason)
            _set_feed(store, feed.id, last_polled=now, last_error=reason, failures=feed.failures + 1)
            logger.warning("feed %s failed (%d in a row): %s", feed.name, feed.failures + 1, reason)
        outcomes.append(outcome)
    return PollReport(tuple(outcomes))


def _due(feed: Feed, now: datetime) -> bool:
    if not feed.failures or feed.last_polled is None:
        return True
    pause = min(FEED_RETRY_BASE * 2 ** (feed.failures - 1), FEED_RETRY_MAX)
    return now >= feed.last_polled + pause


def _poll_feed(store: Store, extractor, fetcher: Fetcher, feed: Feed, now: datetime) -> FeedOutcome:
    import feedparser

    response = fetcher.get(feed.url, etag=feed.etag, last_modified=feed.last_modified)
    if response.status == 304:
        _set_feed(store, feed.id, last_polled=now, last_error=None, failures=0)
        return FeedOutcome(feed.name, "not modified")
    parsed = feedparser.parse(response.body)
    if not parsed.entries and (parsed.bozo or not parsed.version):
        problem = getattr(parsed, "bozo_exception", None) or "no RSS or Atom found"
        raise FeedError(f"not a readable feed: {problem}")
    added, known, errors = [], 0, []
    for entry in parsed.entries:
        link = entry.get("link")
        if not link:
            continue
        url = urldefrag(urljoin(response.url, link)).url
        if not _is_new(store, url):
            continue
        try:
            page = fetch_article(url, fetcher, published=_entry_date(entry))
            if _text_known(store, page.article.content_hash, extractor.version):
                known += 1
                _remember(store, url, feed.id, page.article.content_hash, None, now)
                continue
            stored = store_page(store, extractor, page, now)
        except ArmstrackError as exc:  # FetchError, InputError: this item fails, the feed goes on
            reason = getattr(exc, "reason", str(exc))
            errors.append((url, reason))
            _remember(store, url, feed.id, None, reason, now)
            logger.warning("feed %s: item %s failed: %s", feed.name, url, reason)
            continue
        _remember(store, url, feed.id, page.article.content_hash, None, now)
        if stored.created:
            added.append(Added(url, stored.article_id, page.article.outlet, page.article.published, page.title,
                               stored.facts_written))
        else:
            known += 1
    _set_feed(store, feed.id, last_polled=now, last_error=None, failures=0,
              etag=response.headers.get("etag"), last_modified=response.headers.get("last-modified"))
    logger.info("feed %s: %d entries, %d added, %d known, %d failed", feed.name, len(parsed.entries),
                len(added), known, len(errors))
    return FeedOutcome(feed.name, "ok", len(parsed.entries), tuple(added), known, tuple(errors))


def _entry_date(entry: Any) -> str | None:
    """The item's date from the feed (ISO day), a fallback for pages whose metadata has none."""
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    return time.strftime("%Y-%m-%d", parsed) if parsed else None


def _is_new(store: Store, url: str) -> bool:
    with store.engine.connect() as conn:
        row = conn.execute(select(feed_items_table.c.content_hash, feed_items_table.c.attempts)
                           .where(feed_items_table.c.url == url)).first()
    return row is None or (row.content_hash is None and row.attempts < ITEM_MAX_ATTEMPTS)


def _text_known(store: Store, content_hash: str, version: str) -> bool:
    """True when this text is stored with facts from this extractor (another URL of a known article)."""
    with store.engine.connect() as conn:
        return conn.execute(select(articles_table.c.id).where(
            articles_table.c.content_hash == content_hash,
            articles_table.c.extractor_version == version)).first() is not None


def _remember(store: Store, url: str, feed_id: int, content_hash: str | None, error: str | None,
              now: datetime) -> None:
    with write_transaction(store.engine) as conn:
        attempts = conn.execute(select(feed_items_table.c.attempts).where(feed_items_table.c.url == url)).scalar()
        if attempts is None:
            conn.execute(insert(feed_items_table).values(url=url, feed_id=feed_id, content_hash=content_hash,
                                                         attempts=1, last_error=error, first_seen=now))
        else:
            conn.execute(update(feed_items_table).where(feed_items_table.c.url == url).values(
                content_hash=content_hash, attempts=attempts + 1, last_error=error))


def _set_feed(store: Store, feed_id: int, **values: Any) -> None:
    with write_transaction(store.engine) as conn:
        conn.execute(update(feeds_table).where(feeds_table.c.id == feed_id).values(**values))


def watch(poll: Callable[[], PollReport], interval: float, *, once: bool = False,
          sleep: Callable[[float], None] = time.sleep) -> Iterator[PollReport]:
    """Run ``poll`` now and then every ``interval`` seconds (only once with ``once``), yielding each report."""
    while True:
        yield poll()
        if once:
            return
        sleep(interval)
