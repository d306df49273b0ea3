"""feeds.py and ``armstrack sources`` / ``watch`` against feeds served on 127.0.0.1 by the test."""
from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from click.testing import CliRunner

from armstrack.cli.main import main
from armstrack.news.feeds import (
    FEED_RETRY_BASE, ITEM_MAX_ATTEMPTS, FeedError, add_feed, list_feeds, parse_interval, poll_once, remove_feed,
    watch,
)
from armstrack.news.fetch import Fetcher
from armstrack.store.db import open_store
from newsserver import atom, news_page, rss, serve

NOW = datetime(2024, 1, 10, 12, 0)
ARTICLES = {
    "/news/tb2-poland": ("Poland receives Turkish drones",
                         "Turkey delivered 24 Bayraktar TB2 drones to Poland last February, the Polish defence "
                         "ministry said on Tuesday. The drones joined a reconnaissance squadron in the east."),
    "/news/k9-egypt": ("Egypt signs for Korean howitzers",
                       "Egypt signed a contract with Hanwha Aerospace for the licensed production of K9 "
                       "howitzers at a plant near Cairo, the company said. Deliveries start in 2025."),
    "/news/iris-estonia": ("Estonia orders IRIS-T",
                           "Estonia and Latvia ordered IRIS-T SLM air defence systems from Germany's Diehl "
                           "Defence in a joint procurement, the ministries said on Friday."),
}


def _fetcher() -> Fetcher:
    return Fetcher(timeout=0.5, retries=0, backoff=0.01, host_delay=0.0, allow_private=True)


def _publish(site, path: str) -> str:
    title, body = ARTICLES[path]
    return site.page(path, news_page(f"{title}\n\n{body}", title=title))


@pytest.fixture()
def site():
    with serve() as s:
        yield s


@pytest.fixture()
def store(tmp_path):
    with open_store(str(tmp_path / "feeds.db")) as s:
        yield s


def test_second_poll_adds_nothing_and_a_new_item_is_picked_up(site, store, extractor):
    first, second = _publish(site, "/news/tb2-poland"), _publish(site, "/news/k9-egypt")
    feed_url = site.feed("/rss.xml", rss([("TB2", first), ("K9", second + "#comments")]))
    add_feed(store, "herald", feed_url)
    report = poll_once(store, extractor, _fetcher(), now=NOW)
    (outcome,) = report.outcomes
    assert outcome.status == "ok" and outcome.entries == 2
    assert sorted(a.url for a in report.added) == sorted([first, second])
    assert all(a.facts_written >= 1 and a.outlet == "Defence Herald" for a in report.added)
    pages_fetched = site.hits("/news/tb2-poland") + site.hits("/news/k9-egypt")

    again = poll_once(store, extractor, _fetcher(), now=NOW + timedelta(minutes=15))
    assert again.added == [] and again.outcomes[0].status == "not modified"  # ETag: the feed answered 304
    assert site.requests[-1][1].get("If-None-Match")

    third = _publish(site, "/news/iris-estonia")
    site.feed("/rss.xml", rss([("IRIS-T", third), ("TB2", first), ("K9", second)]))
    latest = poll_once(store, extractor, _fetcher(), now=NOW + timedelta(minutes=30))
    assert [a.url for a in latest.added] == [third]
    assert site.hits("/news/tb2-poland") + site.hits("/news/k9-egypt") == pages_fetched  # old items not refetched
    assert store.counts()["articles"] == 3


def test_broken_feed_does_not_stop_the_others_and_is_retried_later(site, store, extractor):
    add_feed(store, "a-broken", site.feed("/broken.xml", "<rss><channel><title>oops</channel>\x00<<<"))
    add_feed(store, "b-missing", site.status("/missing.xml", 404))
    add_feed(store, "c-slow", site.slow("/slow.xml", rss([]), delay=1.5))
    add_feed(store, "d-atom", site.feed("/atom.xml", atom([("TB2", _publish(site, "/news/tb2-poland"))])))
    report = poll_once(store, extractor, _fetcher(), now=NOW)
    status = {o.feed: (o.status, o.error) for o in report.outcomes}
    assert status["a-broken"][0] == "failed" and "not a readable feed" in status["a-broken"][1]
    assert status["b-missing"] == ("failed", "HTTP 404")
    assert status["c-slow"] == ("failed", "timed out")
    assert status["d-atom"] == ("ok", None) and len(report.added) == 1
    assert {f.name: f.failures for f in list_feeds(store)} == {"a-broken": 1, "b-missing": 1, "c-slow": 1,
                                                               "d-atom": 0}
    # a failing feed waits before it is asked again, then is retried
    soon = poll_once(store, extractor, _fetcher(), now=NOW + FEED_RETRY_BASE / 2)
    assert {o.feed for o in soon.outcomes if o.status == "waiting"} == {"a-broken", "b-missing", "c-slow"}
    site.feed("/broken.xml", rss([]))
    later = poll_once(store, extractor, _fetcher(), now=NOW + FEED_RETRY_BASE)
    assert {o.feed: o.status for o in later.outcomes}["a-broken"] == "ok"
    assert {f.name: f.failures for f in list_feeds(store)}["a-broken"] == 0


def test_failed_items_are_reported_retried_and_given_up(site, store, extractor):
    gone = site.status("/news/gone", 404)
    add_feed(store, "herald", site.feed("/rss.xml", rss([("gone", gone)])))
    for i in range(ITEM_MAX_ATTEMPTS + 1):
        site.feed("/rss.xml", rss([("gone", gone)], title=f"poll {i}"))  # a changed feed, so no 304
        (outcome,) = poll_once(store, extractor, _fetcher(), now=NOW + timedelta(hours=i)).outcomes
        assert outcome.status == "ok"
        assert outcome.item_errors == ((gone, "HTTP 404"),) if i < ITEM_MAX_ATTEMPTS else outcome.item_errors == ()
    assert site.hits("/news/gone") == ITEM_MAX_ATTEMPTS


def test_same_text_under_a_new_url_is_known_not_added(site, store, extractor):
    first = _publish(site, "/news/tb2-poland")
    title, body = ARTICLES["/news/tb2-poland"]
    mirror = site.page("/mirror/tb2", news_page(f"{title}\n\n{body}", title=title))
    add_feed(store, "herald", site.feed("/rss.xml", rss([("TB2", first), ("TB2 again", mirror)])))
    (outcome,) = poll_once(store, extractor, _fetcher(), now=NOW).outcomes
    assert len(outcome.added) == 1 and outcome.known == 1


def test_feed_list(store):
    add_feed(store, "herald", "https://herald.example/rss.xml")
    with pytest.raises(FeedError, match="already exists"):
        add_feed(store, "herald", "https://other.example/rss.xml")
    with pytest.raises(FeedError, match="http"):
        add_feed(store, "bad", "ftp://herald.example/rss.xml")
    assert [f.name for f in list_feeds(store)] == ["herald"]
    remove_feed(store, "herald")
    assert list_feeds(store) == []
    with pytest.raises(FeedError, match="no feed named"):
        remove_feed(store, "herald")


@pytest.mark.parametrize(("text", "seconds"), [("90", 90), ("30s", 30), ("15m", 900), ("2h", 7200), ("1d", 86400),
                                               ("1.5m", 90)])
def test_parse_interval(text, seconds):
    assert parse_interval(text) == seconds


@pytest.mark.parametrize("text", ["", "0", "-5m", "15 minutes", "m"])
def test_parse_interval_rejects(text):
    with pytest.raises(FeedError):
        parse_interval(text)


def test_watch_loop_polls_then_sleeps():
    sleeps: list[float] = []
    reports = watch(lambda: "report", 60, sleep=sleeps.append)
    assert [next(reports) for _ in range(3)] == ["report"] * 3 and sleeps == [60, 60]
    assert list(watch(lambda: "once", 60, once=True, sleep=sleeps.append)) == ["once"]


def test_sources_and_watch_commands(site, tmp_path):
    db = str(tmp_path / "cli.db")
    runner = CliRunner()
    feed_url = site.feed("/rss.xml", rss([("TB2", _publish(site, "/news/tb2-poland"))]))
    assert runner.invoke(main, ["sources", "add", "herald", feed_url, "--db", db]).exit_code == 0
    assert runner.invoke(main, ["sources", "add", "herald", feed_url, "--db", db]).exit_code != 0
    listed = json.loads(runner.invoke(main, ["sources", "list", "--db", db, "--format", "json"]).stdout)
    assert [f["name"] for f in listed] == ["herald"]
    common = ["--db", db, "--allow-private", "--host-delay", "0", "--timeout", "2"]
    first = runner.invoke(main, ["watch", "--once", *common])
    assert first.exit_code == 0, first.output
    assert "herald: ok, 1 added" in first.output and "Poland receives Turkish drones" in first.output
    second = runner.invoke(main, ["watch", "--once", *common])
    assert second.exit_code == 0 and "herald: not modified, 0 added" in second.output
    assert runner.invoke(main, ["watch", "--once", "--interval", "soon", *common]).exit_code != 0
    assert runner.invoke(main, ["sources", "remove", "herald", "--db", db]).exit_code == 0
    assert "0 feeds" in runner.invoke(main, ["sources", "list", "--db", db]).output
