"""Webhooks: each new match POSTed once to a real HTTP receiver on 127.0.0.1, refused there unless allowed."""
from __future__ import annotations

import json
import threading
from contextlib import contextmanager
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from armstrack.graph.graph import open_graph, review
from armstrack.graph.query import FactFilter
from armstrack.news.fetch import Fetcher
from armstrack.watch.watchlists import add_watchlist, entries, get_watchlist
from armstrack.watch.webhook import MAX_POSTS_PER_POLL, notify_all

T0 = datetime(2025, 3, 1, 9, 0)


@contextmanager
def receiver(statuses: list[int]):
    """A webhook endpoint answering with ``statuses`` in turn (then 200), recording every JSON body."""
    got: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            body = self.rfile.read(int(self.headers["Content-Length"]))
            status = statuses.pop(0) if statuses else 200
            if status == 200:
                got.append(json.loads(body))
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hook", got
    finally:
        server.shutdown()
        server.server_close()


def fetcher(allow_private: bool = True) -> Fetcher:
    return Fetcher(timeout=2, retries=1, backoff=0.01, host_delay=0.0, allow_private=allow_private)


@pytest.fixture()
def graph(fresh_gold_db):
    g = open_graph(fresh_gold_db)
    yield g
    g.store.close()


def test_each_match_is_posted_once_and_changes_are_posted_again(graph):
    with receiver([]) as (url, got):
        add_watchlist(graph, "kz-uav", FactFilter(country="Kazakhstan", category="uav"), webhook=url, now=T0)
        add_watchlist(graph, "quiet", FactFilter(country="Kazakhstan"), now=T0)  # no webhook: nothing is pushed
        (hooked, quiet) = sorted(notify_all(graph, fetcher(), base_url="http://armstrack.test", now=T0),
                                 key=lambda n: n.watchlist)
        wl = get_watchlist(graph.store, "kz-uav")
        assert hooked.error is None and hooked.posted == hooked.changed == len(entries(graph, wl)) == len(got) > 0
        assert quiet.posted == 0 and quiet.changed > 0
        body = got[0]
        assert body["watchlist"] == "kz-uav" and body["change"] == "new fact" and body["version"] == 1
        assert body["id"].startswith("urn:armstrack:watchlist:kz-uav:fact:")
        assert body["link"].startswith("http://armstrack.test/#fact/") and body["fact"]["sources"]
        assert {b["fact"]["key"] for b in got} == {e.fact.key for e in entries(graph, wl)}

        assert all(n.posted == 0 for n in notify_all(graph, fetcher(), now=T0 + timedelta(minutes=15)))
        review(graph, got[0]["fact"]["key"], "accept", {}, reviewer="analyst")
        (hooked, _) = sorted(notify_all(graph, fetcher(), now=T0 + timedelta(minutes=30)), key=lambda n: n.watchlist)
        assert hooked.posted == 1 and got[-1]["change"] == "review: accepted" and got[-1]["version"] == 2


def test_private_receiver_refused_unless_allowed_and_failures_retried_next_poll(graph):
    with receiver([500, 500]) as (url, got):
        add_watchlist(graph, "kz", FactFilter(country="Kazakhstan", fact_type="licensed_production"), webhook=url)
        (refused,) = notify_all(graph, fetcher(allow_private=False))
        assert refused.posted == 0 and "not a public address" in refused.error and got == []

        (failed,) = notify_all(graph, fetcher())  # 500 twice: the first attempt and its one retry
        assert failed.posted == 0 and failed.error == "HTTP 500" and got == []
        (delivered,) = notify_all(graph, fetcher())
        wl = get_watchlist(graph.store, "kz")
        assert delivered.error is None and delivered.posted == len(entries(graph, wl)) == len(got) > 0


def test_a_first_poll_of_a_broad_watchlist_is_spread_over_polls(graph):
    with receiver([]) as (url, got):
        add_watchlist(graph, "everything", FactFilter(), webhook=url)
        (first,) = notify_all(graph, fetcher())
        assert first.posted == MAX_POSTS_PER_POLL < first.changed
        (second,) = notify_all(graph, fetcher())
        assert second.changed == 0 and second.posted == min(MAX_POSTS_PER_POLL, first.changed - MAX_POSTS_PER_POLL)
        assert len({b["fact"]["key"] for b in got}) == len(got)
