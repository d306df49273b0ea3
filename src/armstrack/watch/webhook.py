"""Post each new or changed match of a watchlist, as JSON, to the webhook it names.

Nothing is pushed unless a watchlist has a webhook; ``armstrack watch`` calls
``notify_all`` after each poll. The HTTP client is the feed poller's
``fetch.Fetcher``, so a webhook gets the same time-outs, retries with backoff
and address checks (loopback and private addresses refused unless
``allow_private``) as a feed. An entry is marked delivered only after a 2xx
answer; a failure stops that watchlist's delivery until the next poll, which
starts again from the first undelivered entry, oldest first.
"""
from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from datetime import datetime

from armstrack.graph.graph import Graph
from armstrack.news.fetch import FetchError, Fetcher
from armstrack.watch.atom import DEFAULT_BASE_URL, entry_id, fact_link
from armstrack.watch.watchlists import Entry, entries, list_watchlists, mark_notified, refresh

logger = logging.getLogger(__name__)
# At most this many posts per watchlist and poll: a first poll of a broad watchlist must not flood the receiver;
# the rest follow on later polls.
MAX_POSTS_PER_POLL = 50


@dataclass(frozen=True)
class Notified:
    """What one watchlist got in a poll: new or changed matches, posts delivered, and the error that stopped them."""

    watchlist: str
    changed: int
    posted: int = 0
    error: str | None = None


def payload(entry: Entry, base_url: str = DEFAULT_BASE_URL) -> dict:
    """The JSON posted for one entry: what changed, the fact as the API gives it, and a link to its panel."""
    return entry.to_dict() | {"id": entry_id(entry.watchlist, entry.fact.key),
                              "link": fact_link(base_url, entry.fact.id)}


def notify_all(graph: Graph, fetcher: Fetcher, *, base_url: str = DEFAULT_BASE_URL,
               now: datetime | None = None) -> list[Notified]:
    """Refresh every watchlist and post its undelivered entries to its webhook, if it has one."""
    done = []
    for watchlist in list_watchlists(graph.store):
        changed = len(refresh(graph, watchlist, now))
        if not watchlist.webhook:
            done.append(Notified(watchlist.name, changed))
            continue
        pending = entries(graph, watchlist, pending=True, limit=10**9)
        pending.sort(key=lambda e: (e.updated, e.fact.key))
        posted, error = 0, None
        for entry in pending[:MAX_POSTS_PER_POLL]:
            try:
                fetcher.post_json(watchlist.webhook, payload(entry, base_url))
            except FetchError as exc:
                error = exc.reason
                logger.warning("watchlist %s: webhook failed: %s (retried next poll)", watchlist.name, exc.reason)
                break
            mark_notified(graph.store, watchlist, entry)
            posted += 1
        done.append(Notified(watchlist.name, changed, posted, error))
    return done


def to_dict(notified: list[Notified]) -> list[dict]:
    return [asdict(n) for n in notified]
