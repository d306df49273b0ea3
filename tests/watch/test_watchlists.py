"""Watchlists over the corpus: what is new, what changed, remembered across restarts, read by feedparser."""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import feedparser
import pytest
from lxml import etree

from armstrack.graph.graph import open_graph, review
from armstrack.graph.query import FactFilter, QueryError, matching
from armstrack.model import Article
from armstrack.watch.atom import ATOM, atom_feed
from armstrack.watch.watchlists import (
    NEW, WatchlistError, add_watchlist, entries, get_watchlist, list_watchlists, refresh, remove_watchlist, show,
)
from conftest import SEED_ID, fill_gold

T0 = datetime(2025, 3, 1, 9, 0)
EXTRA = Article(
    origin="extra-kz", id="extra_kz", published="2025-03-03", outlet="Astana Times", url="https://example.org/kz-hurjet",
    text="Kazakhstan will buy 12 Hurjet jet trainers from Turkish Aerospace, the Kazakh defence ministry said on "
         "Monday. The aircraft are to be delivered in 2026. Separately, China delivered four Wing Loong II drones to "
         "Kazakhstan in 2023, officials said.")
HOSTILE = Article(
    origin="hostile-kz", id="hostile_kz", published="2025-04-01", outlet="<b>Evil</b> Outlet",
    url="javascript:alert(1)",
    text='Turkey delivered Bayraktar TB2 drones to Kazakhstan in 2024 <script>alert("x")</script> under a deal '
         '<img src=x onerror=alert(2)>, officials said.')


def feed_of(graph, name: str) -> tuple[bytes, feedparser.FeedParserDict]:
    wl = get_watchlist(graph.store, name)
    document = atom_feed(wl, entries(graph, wl), base_url="http://armstrack.test")
    return document, feedparser.parse(document)


def assert_atom_required_elements(document: bytes) -> None:
    """RFC 4287's required elements: feed id/title/updated/author, entry id/title/updated and content or
    an alternate link, and at most one alternate link per type; checked on the XML itself."""
    root = etree.fromstring(document)
    ns = {"a": ATOM}
    assert root.tag == f"{{{ATOM}}}feed"
    for tag in ("id", "title", "updated"):
        assert len(root.findall(f"a:{tag}", ns)) == 1, tag
    assert root.find("a:author/a:name", ns) is not None
    for entry in root.findall("a:entry", ns):
        for tag in ("id", "title", "updated"):
            assert len(entry.findall(f"a:{tag}", ns)) == 1, tag
        alternates = [link.get("type") for link in entry.findall("a:link", ns) if link.get("rel", "alternate") == "alternate"]
        assert len(alternates) == len(set(alternates)) == 1
        assert entry.find("a:content", ns) is not None
        assert datetime.fromisoformat(entry.find("a:updated", ns).text)


@pytest.fixture()
def graph(fresh_gold_db):
    g = open_graph(fresh_gold_db)
    yield g
    g.store.close()


def test_kazakhstan_watchlist_lists_the_seed_then_adds_exactly_a_new_articles_facts(graph, seed, extractor):
    wl = add_watchlist(graph, "kazakhstan", FactFilter(country="Kazakhstan"), now=T0)
    first = refresh(graph, wl, now=T0)
    listed = show(graph, "kazakhstan")
    evidence = {s["evidence"] for f in listed for s in f.sources}
    seed_kz = [f for f in seed.facts if any(p.country == "Kazakhstan" for p in f.participants)]
    assert seed_kz and all(f.evidence in evidence for f in seed_kz)
    assert {e.fact.key for e in first} == {f.key for f in listed} and all(e.change == NEW for e in first)
    dated = [f.time_start for f in listed if f.time_start]
    assert dated == sorted(dated, reverse=True)  # newest first
    document, before = feed_of(graph, "kazakhstan")
    assert not before.bozo and before.version == "atom10" and len(before.entries) == len(listed)
    assert_atom_required_elements(document)

    keys_before = {f.key for f in matching(graph, FactFilter(include_rejected=True))}
    graph.store.add_article(EXTRA, extractor.extract(EXTRA), extractor.version)
    graph = open_graph(str(graph.engine.url.database))  # a restart: what was seen comes from the store
    new_kz = {f.key for f in matching(graph, FactFilter(country="Kazakhstan"))} - keys_before
    assert new_kz  # the Hürjet order at least

    changed = refresh(graph, get_watchlist(graph.store, "kazakhstan"), now=T0 + timedelta(hours=1))
    assert {e.fact.key for e in changed if e.change == NEW} == new_kz
    _, after = feed_of(graph, "kazakhstan")
    ids_before = {e.id for e in before.entries}
    added = [e for e in after.entries if e.id not in ids_before]
    assert {e.id.rsplit(":", 1)[1] for e in added} == new_kz
    assert any("Hürjet" in e.title for e in added)
    hurjet = next(e for e in added if "Hürjet" in e.title)
    assert "https://example.org/kz-hurjet" in [link.href for link in hurjet.links]
    assert any(link.href.startswith("http://armstrack.test/#fact/") for link in hurjet.links)
    assert "delivered in 2026" in hurjet.content[0].value  # the evidence sentence
    assert after.entries[0].updated.startswith("2025-03-01T10:00:00")  # the newest change first

    assert refresh(graph, get_watchlist(graph.store, "kazakhstan"), now=T0 + timedelta(hours=2)) == []
    _, again = feed_of(graph, "kazakhstan")
    assert [(e.id, e.updated) for e in again.entries] == [(e.id, e.updated) for e in after.entries]
    graph.store.close()


def test_a_new_source_a_review_and_a_correction_are_changes(graph):
    wl = add_watchlist(graph, "kz-pair", FactFilter(country="Kazakhstan", partner="Turkey"), now=T0)
    refresh(graph, wl, now=T0)
    target = next(f for f in show(graph, "kz-pair") if f.corroboration == 1)
    review(graph, target.key, "accept", {}, reviewer="analyst")
    review(graph, target.key, "correct", {"status": "completed"}, reviewer="analyst")
    (changed,) = refresh(graph, wl, now=T0 + timedelta(hours=1))
    assert changed.fact.key == target.key and changed.version == 2
    assert "review: accepted" in changed.change and "corrected status to completed" in changed.change
    review(graph, target.key, "reject", {}, reviewer="analyst")
    (rejected,) = refresh(graph, wl, now=T0 + timedelta(hours=2))
    assert rejected.change == "review: rejected" and rejected.version == 3

    # a copy of a seed sentence in another article from another outlet corroborates a known fact
    fact, source = next((f, s) for f in show(graph, "kz-pair") for s in f.sources if s["article"] == SEED_ID)
    mine = next(x for x in graph.store.facts_for_article(source["article_id"]) if x.evidence == source["evidence"])
    lead = "Officials repeated it this week. "
    moved = replace(mine, evidence_span=(len(lead), len(lead) + len(mine.evidence)))
    graph.store.add_article(Article(origin="again", id="again", text=lead + mine.evidence, outlet="Daily Sabah",
                                    published="2025-05-01"), [moved], "gold")
    graph = open_graph(str(graph.engine.url.database))
    updates = refresh(graph, get_watchlist(graph.store, "kz-pair"), now=T0 + timedelta(hours=3))
    assert [(u.fact.key, u.change) for u in updates] == [(fact.key, "new source: Daily Sabah (2025-05-01)")]
    graph.store.close()


def test_hostile_article_text_is_escaped_in_the_feed(graph, extractor):
    wl = add_watchlist(graph, "kz", FactFilter(country="Kazakhstan", since="2024"), now=T0)
    refresh(graph, wl, now=T0)
    graph.store.add_article(HOSTILE, extractor.extract(HOSTILE), extractor.version)
    graph = open_graph(str(graph.engine.url.database))
    assert refresh(graph, get_watchlist(graph.store, "kz"), now=T0 + timedelta(hours=1))
    document, parsed = feed_of(graph, "kz")
    root = etree.fromstring(document)
    assert not [e for e in root.iter() if etree.QName(e).localname in ("script", "img")]
    content = next(e.text for e in root.iter(f"{{{ATOM}}}content") if "alert" in e.text)
    assert "&lt;script&gt;" in content and "<script" not in content  # escaped HTML inside the escaped content
    assert "javascript:" not in document.decode()  # the source's javascript: URL never becomes a link
    assert not parsed.bozo
    graph.store.close()


def test_list_remove_and_refusals(graph):
    add_watchlist(graph, "b-uav", FactFilter(category="uav", min_confidence=0.5), webhook="https://hooks.example/x")
    add_watchlist(graph, "a-aselsan", FactFilter(organisation="Aselsan"))
    assert [w.name for w in list_watchlists(graph.store)] == ["a-aselsan", "b-uav"]
    assert get_watchlist(graph.store, "b-uav").filter == FactFilter(category="uav", min_confidence=0.5)
    assert all(any(p["name"].startswith("Aselsan") for p in f.participants) for f in show(graph, "a-aselsan"))
    with pytest.raises(WatchlistError, match="already exists"):
        add_watchlist(graph, "a-aselsan", FactFilter())
    with pytest.raises(QueryError, match="unknown country"):
        add_watchlist(graph, "nowhere", FactFilter(country="Atlantis"))
    with pytest.raises(WatchlistError, match="name"):
        add_watchlist(graph, "../etc", FactFilter())
    with pytest.raises(WatchlistError, match="webhook"):
        add_watchlist(graph, "hook", FactFilter(), webhook="file:///etc/passwd")
    remove_watchlist(graph.store, "a-aselsan")
    assert [w.name for w in list_watchlists(graph.store)] == ["b-uav"]
    with pytest.raises(WatchlistError, match="no watchlist"):
        remove_watchlist(graph.store, "a-aselsan")


def test_watchlists_on_postgresql(pg_url):
    fill_gold(pg_url)
    g = open_graph(pg_url)
    wl = add_watchlist(g, "kazakhstan", FactFilter(country="Kazakhstan"), now=T0)
    first = refresh(g, wl, now=T0)
    assert first and refresh(g, wl, now=T0) == []
    document, parsed = feed_of(g, "kazakhstan")
    assert len(parsed.entries) == len(first) and not parsed.bozo
    g.store.close()
