"""fetch.py and ``armstrack fetch`` against a real HTTP server on 127.0.0.1 (never the internet)."""
from __future__ import annotations

import json
from dataclasses import replace

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from armstrack.cli.main import main
from armstrack.news.fetch import USER_AGENT, FetchError, Fetcher, fetch_article, page_to_article, store_page
from armstrack.read.ingest import read_inputs
from armstrack.store.db import articles_table, open_store, pages_table
from conftest import CORPUS, SEED_ID
from newsserver import news_page, serve

SEED_PATH = CORPUS / f"{SEED_ID}.json"
PUBLISHED = "2024-01-10"
SHORT = dict(timeout=0.3, retries=1, backoff=0.01, host_delay=0.0, allow_private=True)


def _key(fact):
    """What a fact says, without where in the text it says it (offsets differ between page and plain text)."""
    return (fact.type, tuple((p.role, p.name) for p in fact.participants), tuple(s.name for s in fact.systems),
            fact.time.start, fact.time.end, fact.status, fact.quantity)


def _seed_text() -> str:
    return json.loads(SEED_PATH.read_text(encoding="utf-8"))["text"]


@pytest.fixture()
def site():
    with serve() as s:
        yield s


def test_fetch_command_stores_the_seed_page_with_metadata_and_the_seed_facts(site, tmp_path, extractor):
    text = _seed_text()
    headline = text.split("\n")[0]
    url = site.page("/news/kazakhstan-anka", news_page(
        text, title=headline, published=PUBLISHED, canonical="https://herald.example/news/kazakhstan-anka"))
    db = str(tmp_path / "news.db")
    result = CliRunner().invoke(main, ["fetch", url, "--db", db, "--allow-private", "--host-delay", "0",
                                       "--format", "json"])
    assert result.exit_code == 0, result.output
    (report,) = json.loads(result.stdout)
    assert report["created"] and report["title"] == headline and report["author"] == "Jane Analyst"
    with open_store(db) as store:
        with store.engine.connect() as conn:
            row = conn.execute(select(articles_table)).one()
            page = conn.execute(select(pages_table)).one()
        assert (row.url, row.published, row.outlet, row.origin) == (
            "https://herald.example/news/kazakhstan-anka", PUBLISHED, "Defence Herald", url)
        assert (page.title, page.author, page.fetched_url) == (headline, "Jane Analyst", url)
        # no page furniture reached the stored text: cookie banner, navigation, related links, comments
        for furniture in ("cookies", "Subscribe", "Apache", "S-500", "Nice article", "All rights reserved"):
            assert furniture not in row.text
        stored = store.facts_for_article(row.id)
    (plain,) = list(read_inputs([SEED_PATH]))  # the plain-text seed, as `armstrack ingest` reads it
    expected = extractor.extract(replace(plain, published=PUBLISHED))
    assert len(expected) >= 10
    assert sorted(map(_key, stored)) == sorted(map(_key, expected))
    again = CliRunner().invoke(main, ["fetch", url, "--db", db, "--allow-private", "--host-delay", "0"])
    assert again.exit_code == 0 and "already stored" in again.output


def test_page_date_anchors_relative_dates(extractor):
    text = ("Poland receives Turkish drones\n\nTurkey delivered 24 Bayraktar TB2 drones to Poland last February, "
            "the Polish defence ministry said on Tuesday.")
    page = page_to_article(news_page(text, title="Poland receives Turkish drones", published="2024-05-01"),
                           "https://herald.example/poland-tb2")
    assert page.article.published == "2024-05-01"
    (fact,) = [f for f in extractor.extract(page.article) if f.type == "arms_transfer"]
    assert fact.time.text == "last February" and fact.time.start == "2024-02"


def test_feed_date_is_the_fallback_and_host_the_fallback_outlet():
    body = "<html><body><article><p>" + " ".join(["Turkey delivered drones to Poland."] * 20) + "</p></article></body></html>"
    page = page_to_article(body, "https://www.herald.example/x", published="2024-03-03")
    assert page.article.published == "2024-03-03" and page.article.outlet == "herald.example"
    assert page.article.url == "https://www.herald.example/x" and page.author is None


def test_redirect_user_agent_and_conditional_request(site):
    target = site.page("/story", news_page(_seed_text(), title="t"))
    start = site.redirect("/old-story", "/story")
    fetcher = Fetcher(**SHORT)
    page = fetch_article(start, fetcher)
    assert page.fetched_url == target and page.article.origin == target
    assert all(headers["User-Agent"] == USER_AGENT for _, headers in site.requests)
    first = fetcher.get(target)
    assert first.status == 200 and first.headers["etag"]
    assert fetcher.get(target, etag=first.headers["etag"]).status == 304
    assert site.requests[-1][1]["If-None-Match"] == first.headers["etag"]


@pytest.mark.parametrize(("make", "reason", "attempts"), [
    (lambda s: s.status("/gone", 404), "HTTP 404", 1),  # final: never retried
    (lambda s: s.status("/busy", 503), "HTTP 503", 2),  # retried once with backoff, then given up
    (lambda s: s.slow("/slow", "late", delay=1.0), "timed out", 2),
    (lambda s: s.page("/empty", "<html><body></body></html>"), "HTML page has no text", 1),
])
def test_failures_have_plain_reasons_and_retry_only_when_worth_it(site, make, reason, attempts):
    url = make(site)
    waits: list[float] = []
    with pytest.raises(FetchError) as info:
        fetch_article(url, Fetcher(**SHORT, sleep=waits.append))
    assert info.value.reason == reason
    assert site.hits(url.removeprefix(site.base)) == attempts
    assert len([w for w in waits if w > 0]) == attempts - 1


def test_backoff_doubles_and_host_delay_is_kept(site):
    url = site.status("/busy", 503)
    waits: list[float] = []
    with pytest.raises(FetchError):
        Fetcher(timeout=1, retries=3, backoff=0.5, host_delay=0.0, allow_private=True, sleep=waits.append).get(url)
    assert waits == [0.5, 1.0, 2.0]
    waits.clear()
    page = site.page("/a", "x")
    polite = Fetcher(timeout=1, host_delay=30.0, allow_private=True, sleep=waits.append)
    polite.get(page)
    polite.get(page)
    assert len(waits) == 1 and 29 < waits[0] <= 30


def test_private_addresses_and_other_schemes_are_refused_by_default(site):
    url = site.page("/a", "x")
    with pytest.raises(FetchError, match="not a public address"):
        Fetcher(timeout=1).get(url)
    with pytest.raises(FetchError, match="only http and https"):
        Fetcher(timeout=1).get("file:///etc/passwd")
    assert site.requests == []


def test_store_page_records_page_metadata(tmp_path, extractor):
    page = page_to_article(news_page(_seed_text(), title="Kazakh ANKA", published=PUBLISHED),
                           "https://herald.example/kz")
    with open_store(str(tmp_path / "s.db")) as store:
        first = store_page(store, extractor, page)
        assert first.created and first.facts_written >= 10
        assert store_page(store, extractor, page) == replace(first, created=False, facts_written=0)
