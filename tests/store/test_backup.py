"""backup.py, backup_format.py: a store exported with --all and imported elsewhere is the same store.

The source store holds the gold corpus, a second origin of one article, a fetched page with every
fact field set, a feed with its items, accept / reject / correct decisions (plus one on a fact no
longer reported) and two watchlists that have seen facts change (one with a webhook it has partly
been told). "The same" is checked three times: every backed-up row with row ids replaced by natural
keys (``primary_dump``), the analysts' answers, rejected facts hidden, corrections applied, and the
watchlists, which announce nothing new after the move.
"""
from __future__ import annotations

import gzip
import json
import shutil
import tempfile
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import insert, select

from armstrack.graph import query
from armstrack.graph.query import FactFilter
from armstrack.graph.restore import import_backup
from armstrack.store.backup import BackupError, export_all
from armstrack.store.backup_format import BACKUP_VERSION, COUNTED, COUNTED_IN, FORMAT
from armstrack.cli.main import main
from armstrack.news.feeds import add_feed
from armstrack.news.fetch import FetchedPage, store_page
from armstrack.graph.graph import open_graph, review
from armstrack.model import FACT_TYPES, KINDS, STATUSES, Article, Fact, Money, Participant, System, TimeSpan
from armstrack.store.db import (
    articles_table, cluster_countries_table, cluster_entities_table, cluster_facts_table, clusters_table,
    country_stats_table, entities_table, facts_table, feed_items_table, feeds_table, mentions_table, meta_table,
    metadata, open_store, pages_table, participants_table, reviews_table, sources_table, stories_table,
    story_buckets_table, systems_table, watchlist_entries_table, watchlists_table,
)
from armstrack.watch.watchlists import (
    add_watchlist, entries, list_watchlists, mark_notified, refresh, remove_watchlist,
)
from conftest import GOLD_VERSION, fill_gold

BACKED_UP = (articles_table, sources_table, pages_table, facts_table, participants_table, systems_table,
             reviews_table, feeds_table, feed_items_table, watchlists_table, watchlist_entries_table)
DERIVED = (entities_table, mentions_table, clusters_table, cluster_facts_table, cluster_countries_table,
           cluster_entities_table, country_stats_table, stories_table, story_buckets_table, meta_table)
ROW_IDS = frozenset({"fact_id", "article_id", "story"})  # row numbers inside query answers
AT = datetime(2024, 5, 6, 7, 8, 9, 123456)  # every timestamp the tests set: microseconds must survive
PAGE_ARTICLE = Article(
    origin="https://example.org/news/tb2", url="https://example.org/news/tb2", published="2024-03-01",
    outlet="example.org", captions=((88, 118),),
    text="Türkiye will deliver 12 Bayraktar TB2 drones to Kazakhstan for $120 million, Baykar said.\n"
         "Photo: a TB2 at Teknofest 2023.")
PAGE_FACT = Fact(
    type="arms_transfer", systems=(System("Bayraktar TB2", "uav"),),
    participants=(Participant("supplier", "Turkey", "country", "Turkey"),
                  Participant("recipient", "Kazakhstan", "country", "Kazakhstan")),
    time=TimeSpan("by 2025", "2024", "2025"), status="planned", quantity=12,
    money=Money(120_000_000.25, "USD", "unit"), attributed_to="Baykar",
    evidence=PAGE_ARTICLE.text[:88], evidence_span=(0, 88), confidence=0.8125)
ORPHAN_KEY = "f" * 64  # a decision on a fact no source reports any more: kept, applied if it comes back
WATCHLISTS = {"kazakhstan": (FactFilter(country="Kazakhstan"), "https://hooks.example/kz"),
              "tr-transfers": (FactFilter(country="Turkey", fact_type="arms_transfer", min_confidence=0.5), None)}
V1_BACKUP = Path(__file__).resolve().parents[1] / "data" / "backup-v1.jsonl"  # written by the version-1 writer
V1_COUNTS = {"articles": 2, "facts": 2, "sources": 2, "reviews": 1, "feeds": 1, "feed_items": 1}


@dataclass(frozen=True)
class Source:
    db: str
    accepted: str
    rejected: str
    corrected: str


class _PageExtractor:
    """What ``fetch.store_page`` needs of an extractor: a version and facts."""

    version = "page.v1"

    def extract(self, article: Article) -> list[Fact]:
        return [PAGE_FACT]


def build_source(db: str, seed, knowledge) -> Source:
    """A store with a row in every backed-up table, and three kinds of review decision."""
    fill_gold(db)
    with open_store(db) as store:
        store.add_article(replace(seed.article, origin="mirror/seed-copy.json"), seed.facts, GOLD_VERSION)
        store_page(store, _PageExtractor(), FetchedPage(PAGE_ARTICLE, "TB2s for Kazakhstan", None,
                                                        "https://example.org/news/tb2?utm=feed"), now=AT)
        feed = add_feed(store, "example", "https://example.org/feed.xml", now=AT)
        with store.engine.begin() as conn:
            conn.execute(insert(feed_items_table), [
                {"url": PAGE_ARTICLE.url, "feed_id": feed.id, "content_hash": PAGE_ARTICLE.content_hash,
                 "attempts": 1, "last_error": None, "first_seen": AT},
                {"url": "https://example.org/gone", "feed_id": None, "content_hash": None, "attempts": 3,
                 "last_error": "HTTP 404", "first_seen": AT}])
            conn.execute(insert(reviews_table).values(cluster_key=ORPHAN_KEY, decision="accept", reviewer="eve",
                                                      decided_at=AT))
    graph = open_graph(db, knowledge)
    try:
        watchlists = [add_watchlist(graph, name, flt, webhook=hook, now=AT)
                      for name, (flt, hook) in WATCHLISTS.items()]
        for wl in watchlists:
            refresh(graph, wl, now=AT)
        first, second, third = query.facts(graph, country="Kazakhstan")[:3]
        review(graph, first.key, "accept", reviewer="ann", now=AT)
        review(graph, second.key, "reject", reviewer="bob", now=AT)
        review(graph, third.key, "correct", {"status": "completed", "quantity": "12"}, reviewer="cy", now=AT)
        changed = refresh(graph, watchlists[0], now=AT)  # the decisions are changes: entries at version 2
        refresh(graph, watchlists[1], now=AT)  # every watchlist up to date: a refresh now announces nothing
        unchanged = [e for e in entries(graph, watchlists[0]) if e.version == 1]
        for entry in (changed[0], unchanged[0]):
            mark_notified(graph.store, watchlists[0], entry)  # the webhook was told of these two, not the rest
    finally:
        graph.store.close()
    return Source(db, first.key, second.key, third.key)


def primary_dump(db: str) -> dict[str, list[dict]]:
    """Every backed-up row, row ids replaced by natural keys; reviews in the order they were made.

    JSON columns are parsed, and the article ids in a watchlist entry's state become content hashes.
    """
    with open_store(db) as store, store.engine.connect() as conn:
        natural = {"article_id": dict(conn.execute(select(articles_table.c.id, articles_table.c.content_hash)).all()),
                   "fact_id": dict(conn.execute(select(facts_table.c.id, facts_table.c.fact_key)).all()),
                   "feed_id": dict(conn.execute(select(feeds_table.c.id, feeds_table.c.name)).all()),
                   "watchlist_id": dict(conn.execute(select(watchlists_table.c.id, watchlists_table.c.name)).all())}
        out = {}
        for table in BACKED_UP:
            rows = [{k: natural[k].get(v) if k in natural else v for k, v in r._mapping.items() if k != "id"}
                    for r in conn.execute(select(table).order_by(*table.primary_key.columns))]
            for row in rows:
                if "filters" in row:
                    row["filters"] = json.loads(row["filters"])
                if "state" in row:
                    state = json.loads(row["state"])
                    row["state"] = {**state, "articles": sorted(natural["article_id"][i] for i in state["articles"])}
            out[table.name] = rows if table is reviews_table else sorted(rows, key=repr)
    return out


def watch_state(db: str, knowledge) -> dict[str, dict]:
    """Per watchlist: what a refresh now announces (nothing, after a faithful move), and every entry's
    change, version and delivered version, by cluster key."""
    graph = open_graph(db, knowledge)
    try:
        return {wl.name: {"announced": [(e.fact.key, e.change) for e in refresh(graph, wl)],
                          "entries": sorted((e.fact.key, e.change, e.version, e.notified_version)
                                            for e in entries(graph, wl)),
                          "filter": wl.filter, "webhook": wl.webhook}
                for wl in list_watchlists(graph.store)}
    finally:
        graph.store.close()


def _drop(dump: dict[str, list[dict]], names) -> dict[str, list[dict]]:
    return {table: [{k: v for k, v in row.items() if k not in names} for row in rows] for table, rows in dump.items()}


def _without_row_ids(value):
    if isinstance(value, dict):
        return {k: _without_row_ids(v) for k, v in value.items() if k not in ROW_IDS}
    if isinstance(value, list):
        return [_without_row_ids(v) for v in value]
    return value


def _unordered_edge_facts(network: dict) -> dict:
    """An edge lists its facts in the order SQL returned them (no ORDER BY there): not the store's content."""
    return {**network, "edges": [{**e, "facts": sorted(e["facts"])} for e in network["edges"]]}


def answers(db: str, knowledge) -> dict:
    """What analysts see, row numbers aside (they follow insertion order, not identity)."""
    graph = open_graph(db, knowledge)
    try:
        return _without_row_ids({
            "timeline": query.timeline(graph, "Turkey", "Kazakhstan").to_dict(),
            "timeline_all": query.timeline(graph, "Turkey", "Kazakhstan", include_rejected=True).to_dict(),
            "profile": query.profile(graph, "Kazakhstan").to_dict(),
            "network": _unordered_edge_facts(query.network(graph).to_dict()),
            "facts": [f.to_dict() for f in query.facts(graph)],
            "facts_all": [f.to_dict() for f in query.facts(graph, include_rejected=True)],
        })
    finally:
        graph.store.close()


def _copy_sqlite(db: str, to: str) -> str:
    for suffix in ("", "-wal", "-shm"):
        if Path(db + suffix).exists():
            shutil.copy(db + suffix, to + suffix)
    return to


@pytest.fixture(scope="module")
def source(tmp_path_factory, seed, knowledge) -> Source:
    return build_source(str(tmp_path_factory.mktemp("source") / "source.db"), seed, knowledge)


@pytest.fixture(scope="module")
def backup(source, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("backup") / "store.jsonl.gz"
    export_all(source.db, path)
    return path


@pytest.fixture(scope="module")
def restored(backup, tmp_path_factory, knowledge):
    db = str(tmp_path_factory.mktemp("restored") / "restored.db")
    return db, import_backup(backup, db, knowledge=knowledge)


def test_every_table_is_backed_up_or_derived():
    # a new table must be added to the backup, or declared rebuilt from the others
    assert {t.name for t in metadata.sorted_tables} == {t.name for t in BACKED_UP + DERIVED}


def test_the_source_fills_every_backed_up_table(source):
    assert all(primary_dump(source.db).values())


def test_round_trip_keeps_every_row_exactly(source, restored):
    assert primary_dump(restored[0]) == primary_dump(source.db)


def test_round_trip_gives_the_same_answers_with_the_reviews_applied(source, restored, knowledge):
    before, after = answers(source.db, knowledge), answers(restored[0], knowledge)
    assert after == before
    shown = {f["key"]: f for f in after["facts"]}
    everything = {f["key"]: f for f in after["facts_all"]}
    assert source.rejected not in shown and everything[source.rejected]["review"] == "rejected"
    assert shown[source.accepted]["review"] == "accepted"
    assert (shown[source.corrected]["status"], shown[source.corrected]["quantity"]) == ("completed", 12)
    assert [c["by"] for c in shown[source.corrected]["corrections"]] == ["cy", "cy"]


def test_round_trip_keeps_the_watchlists_and_announces_nothing_new(source, restored, knowledge):
    before = watch_state(source.db, knowledge)
    assert set(before) == set(WATCHLISTS) and not any(w["announced"] for w in before.values())
    versions = [(version, notified) for w in before.values() for _, _, version, notified in w["entries"]]
    assert {(2, 2), (1, 1), (2, 0), (1, 0)} <= set(versions)  # told of the change, told, not told of it, not told
    assert watch_state(restored[0], knowledge) == before


def test_watchlists_moved_to_a_store_with_other_article_ids_announce_nothing_new(source, backup, tmp_path,
                                                                                 knowledge):
    # the state a watchlist keeps lists article row ids: the backup must carry them as content hashes
    db = str(tmp_path / "shifted.db")
    with open_store(db) as store:
        store.add_article(Article("notes/first.txt", "A note with no facts, stored first."), [], "notes.v1")
    import_backup(backup, db, knowledge=knowledge)
    ids = {}
    for where in (source.db, db):
        with open_store(where) as store, store.engine.connect() as conn:
            ids[where] = dict(conn.execute(select(articles_table.c.content_hash, articles_table.c.id)).all())
    assert all(ids[db][h] != i for h, i in ids[source.db].items())
    assert watch_state(db, knowledge) == watch_state(source.db, knowledge)


def test_a_watchlist_in_the_store_with_another_filter_is_a_conflict_named_by_its_line(source, backup, tmp_path,
                                                                                      knowledge):
    db = str(tmp_path / "conflict.db")
    fill_gold(db)
    graph = open_graph(db, knowledge)
    try:
        add_watchlist(graph, "kazakhstan", FactFilter(country="Kazakhstan", category="uav"), now=AT)
        add_watchlist(graph, "tr-transfers", WATCHLISTS["tr-transfers"][0], webhook="https://hooks.example/mine",
                      now=AT)
    finally:
        graph.store.close()
    before = primary_dump(db)
    line = next(n for n, raw in enumerate(_lines(backup), 1)
                if json.loads(raw).get("record") == "watchlist" and json.loads(raw)["name"] == "kazakhstan")
    with pytest.raises(BackupError) as caught:
        import_backup(backup, db, knowledge=knowledge)
    assert caught.value.line == line and "'kazakhstan' is in the store with another filter" in str(caught.value)
    assert primary_dump(db) == before  # refused before anything was written
    with open_store(db) as store:
        remove_watchlist(store, "kazakhstan")
    summary = import_backup(backup, db, knowledge=knowledge)
    assert (summary.added["watchlists"], summary.present["watchlists"]) == (1, 1)
    after = watch_state(db, knowledge)
    assert after["tr-transfers"]["webhook"] == "https://hooks.example/mine"  # the same question: kept as it is
    assert after == {**watch_state(source.db, knowledge),
                     "tr-transfers": {**after["tr-transfers"], "webhook": "https://hooks.example/mine"}}
    assert not after["tr-transfers"]["announced"]  # it took the backup's memory of the facts it had not seen


def test_a_version_1_backup_without_watchlists_still_imports(tmp_path, knowledge):
    assert json.loads(V1_BACKUP.read_text(encoding="utf-8").splitlines()[0])["version"] == 1 < BACKUP_VERSION
    assert COUNTED_IN[1] == tuple(V1_COUNTS)
    db = str(tmp_path / "v1.db")
    first = import_backup(V1_BACKUP, db, knowledge=knowledge)
    assert first.added == {**V1_COUNTS, "watchlists": 0, "watchlist_entries": 0}
    assert not any(import_backup(V1_BACKUP, db, knowledge=knowledge).added.values())
    dump = primary_dump(db)
    tables = (articles_table, facts_table, sources_table, reviews_table, feeds_table, feed_items_table)
    assert [len(dump[t.name]) for t in tables] == list(V1_COUNTS.values()) and not dump[watchlists_table.name]
    graph = open_graph(db, knowledge)
    try:  # the restored store takes watchlists like any other
        wl = add_watchlist(graph, "kz", FactFilter(country="Kazakhstan"))
        assert [e.change for e in refresh(graph, wl)] == ["new fact"]
    finally:
        graph.store.close()


def test_the_file_is_versioned_and_counts_what_it_holds(source, backup, restored):
    with gzip.open(backup, "rt", encoding="utf-8") as handle:
        lines = [json.loads(line) for line in handle]
    header, end = lines[0], lines[-1]
    assert (header["format"], header["version"]) == (FORMAT, BACKUP_VERSION)
    with open_store(source.db) as store:
        counts = store.counts()
    with open_store(source.db) as store, store.engine.connect() as conn:
        seen = len(conn.execute(select(watchlist_entries_table)).all())
    assert end["counts"] == {"articles": counts["articles"], "facts": counts["facts"], "sources": counts["sources"],
                             "reviews": 5, "feeds": 1, "feed_items": 2, "watchlists": 2, "watchlist_entries": seen}
    assert [line["record"] for line in lines[-seen - 3:-1]].count("watchlist") == 2
    assert restored[1].added == end["counts"] and not any(restored[1].present.values())


def test_importing_twice_or_into_the_store_it_came_from_adds_nothing(source, backup, tmp_path, knowledge):
    own = _copy_sqlite(source.db, str(tmp_path / "own.db"))
    before = primary_dump(own)
    again = import_backup(backup, own, knowledge=knowledge)
    assert not any(again.added.values()) and again.clusters_merged == 0
    assert import_backup(backup, own, knowledge=knowledge) == again
    assert primary_dump(own) == before
    assert answers(own, knowledge) == answers(source.db, knowledge)


def test_import_merges_into_a_store_with_other_articles(source, backup, tmp_path, knowledge):
    # the target already has the corpus and its clusters: the decisions must reach clusters gaining no fact
    db = str(tmp_path / "other.db")
    fill_gold(db)
    extra = Article("notes/extra.txt", "Poland signed an agreement with South Korea on K9 howitzers in 2022.")
    with open_store(db) as store:
        store.add_article(extra, [replace(PAGE_FACT, type="agreement", evidence=extra.text)], "notes.v1")
    answers(db, knowledge)  # builds the graph before the import
    summary = import_backup(backup, db, knowledge=knowledge)
    assert summary.present["articles"] == len(primary_dump(db)["articles"]) - 2  # all but the page and the extra
    # rows already there keep their own times: compare the rest
    untimed = ("ingested_at", "added_at")
    merged, original = _drop(primary_dump(db), untimed), _drop(primary_dump(source.db), untimed)
    for table, rows in original.items():
        assert all(row in merged[table] for row in rows), table
    assert any(row["origin"] == extra.origin for row in merged["articles"])
    graph = open_graph(db, knowledge)
    try:
        shown = {f.key: f for f in query.facts(graph)}
    finally:
        graph.store.close()
    assert source.rejected not in shown and shown[source.accepted].review == "accepted"
    assert shown[source.corrected].status == "completed"


def test_an_article_already_stored_keeps_its_own_facts(seed, backup, tmp_path, knowledge):
    db = str(tmp_path / "newer.db")
    with open_store(db) as store:
        article_id = store.add_article(seed.article, seed.facts[:1], "newer.v2").article_id
    import_backup(backup, db, knowledge=knowledge)
    with open_store(db) as store:
        assert store.facts_for_article(article_id) == list(seed.facts[:1])
        (stored,) = [a for a in store.iter_articles() if a.article_id == article_id]
    assert stored.extractor_version == "newer.v2"
    assert set(stored.origins) == {seed.article.origin, "mirror/seed-copy.json"}  # gained the missing origin


def test_round_trip_through_postgresql(pg_url, source, backup, tmp_path, knowledge):
    import_backup(backup, pg_url, knowledge=knowledge)
    assert primary_dump(pg_url) == primary_dump(source.db)
    assert answers(pg_url, knowledge) == answers(source.db, knowledge)
    assert watch_state(pg_url, knowledge) == watch_state(source.db, knowledge)  # nothing announced again
    assert not any(import_backup(backup, pg_url, knowledge=knowledge).added.values())
    back = tmp_path / "from_pg.jsonl"  # and back from PostgreSQL to SQLite
    export_all(pg_url, back)
    lite = str(tmp_path / "from_pg.db")
    import_backup(back, lite, knowledge=knowledge)
    assert primary_dump(lite) == primary_dump(source.db)
    assert watch_state(lite, knowledge) == watch_state(source.db, knowledge)


# -- refusing what is not a whole backup -------------------------------------------------------------

def _lines(backup: Path) -> list[str]:
    with gzip.open(backup, "rt", encoding="utf-8") as handle:
        return handle.readlines()


def _edit(lines: list[str], n: int, change) -> list[str]:
    """The lines with line ``n`` (1-based) parsed, changed in place by ``change`` and written back."""
    record = json.loads(lines[n - 1])
    change(record)
    return [*lines[:n - 1], json.dumps(record, ensure_ascii=False) + "\n", *lines[n:]]


def _set_confidence(record):
    record["facts"][0]["confidence"] = "high"


def _first_watchlist(lines: list[str]) -> int:
    return next(n for n, raw in enumerate(lines, 1) if json.loads(raw).get("record") == "watchlist")


CORRUPTIONS = {  # name: (the file's lines -> broken content, the line blamed, words of the message)
    "truncated line": (lambda ls: "".join(ls[:3]) + ls[3][:40], 4, "cut short"),
    "no end record": (lambda ls: "".join(ls[:-1]), -1, "end record is missing"),
    "another JSON file": (lambda ls: '{"hello": "world"}\n' + "".join(ls[1:]), 1, "not an armstrack backup"),
    "not JSON": (lambda ls: "id,name\n1,ANKA\n", 1, "not an armstrack backup"),
    "future version": (lambda ls: "".join(_edit(ls, 1, lambda h: h.update(version=BACKUP_VERSION + 1))), 1,
                       "newer armstrack"),
    "wrong field type": (lambda ls: "".join(_edit(ls, 2, _set_confidence)), 2, "facts.0.confidence"),
    "text changed": (lambda ls: "".join(_edit(ls, 2, lambda a: a.update(text=a["text"] + "!"))), 2,
                     "content_hash does not match"),
    "unknown record": (lambda ls: "".join([*ls[:2], '{"record": "spaceship"}\n', *ls[2:]]), 3, "spaceship"),
    "counts disagree": (lambda ls: "".join(_edit(ls, len(ls), lambda e: e["counts"].update(reviews=99))), -1,
                        "end record counts"),
    "data after the end": (lambda ls: "".join([*ls, ls[1]]), 0, "after the end record"),
    "watchlist in a version-1 file": (lambda ls: "".join(_edit(ls, 1, lambda h: h.update(version=1))),
                                      _first_watchlist, "version-1 backup cannot hold"),
    "entry without its watchlist": (lambda ls: "".join(ls[:_first_watchlist(ls) - 1] + ls[_first_watchlist(ls):]),
                                    _first_watchlist, "which no earlier line defines"),
}


@pytest.mark.parametrize("name", CORRUPTIONS)
def test_a_corrupt_file_is_refused_with_its_line_and_nothing_is_written(name, backup, tmp_path):
    make, line, words = CORRUPTIONS[name]
    lines = _lines(backup)
    path = tmp_path / "broken.jsonl"
    path.write_text(make(lines), encoding="utf-8")
    expected = line(lines) if callable(line) else {-1: len(lines), 0: len(lines) + 1}.get(line, line)
    db = tmp_path / "target.db"
    with pytest.raises(BackupError) as caught:
        import_backup(path, str(db))
    assert caught.value.line == expected and words in str(caught.value), str(caught.value)
    assert f"line {expected}" in str(caught.value)
    assert not db.exists()  # refused before the store was even opened


def test_a_truncated_gzip_file_is_refused(backup, tmp_path):
    data = backup.read_bytes()
    path = tmp_path / "cut.jsonl.gz"
    path.write_bytes(data[:len(data) // 2])
    with pytest.raises(BackupError, match="truncated|corrupt compressed data"):
        import_backup(path, str(tmp_path / "target.db"))


@pytest.mark.parametrize("content, words", [(b"", "empty file"), (b"\xff\xfe{}\n", "not an armstrack backup")])
def test_an_empty_or_binary_file_is_refused(content, words, tmp_path):
    path = tmp_path / "odd.jsonl"
    path.write_bytes(content)
    with pytest.raises(BackupError, match=words):
        import_backup(path, str(tmp_path / "target.db"))


def test_a_line_that_is_not_utf8_is_blamed(backup, tmp_path):
    lines = [line.encode("utf-8") for line in _lines(backup)]
    path = tmp_path / "latin1.jsonl"
    path.write_bytes(b"".join([*lines[:2], b'{"record": "review", "reviewer": "Jos\xe9"}\n', *lines[2:]]))
    with pytest.raises(BackupError, match="line 3: not UTF-8"):
        import_backup(path, str(tmp_path / "target.db"))


# -- the command line -------------------------------------------------------------------------------

def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_cli_export_all_then_import(source, tmp_path):
    path = tmp_path / "cli.jsonl"
    exported = run("export", "--all", "--out", str(path), "--db", source.db)
    assert exported.exit_code == 0, exported.output
    assert exported.output.startswith(f"wrote {path}: ") and "5 reviews" in exported.output
    db = str(tmp_path / "cli.db")
    first = run("import", str(path), "--db", db)
    assert first.exit_code == 0, first.output
    assert "reviews: 5 imported, 0 already present" in first.output
    again = json.loads(run("import", str(path), "--db", db, "--format", "json").output)
    assert not any(again["added"].values()) and again["present"]["reviews"] == 5
    assert primary_dump(db) == primary_dump(source.db)


def test_cli_export_all_to_stdout(source):
    result = run("export", "--all", "--out", "-", "--db", source.db)
    lines = result.output.splitlines()
    assert json.loads(lines[0])["format"] == FORMAT and json.loads(lines[-1])["record"] == "end"


@pytest.mark.parametrize("args", [["export", "--out", "x.csv"], ["export", "sipri", "--all", "--out", "x"],
                                  ["export", "--all", "--include-rejected", "--out", "x"],
                                  ["import", "no-such-backup.jsonl"]])
def test_cli_usage_errors(args, tmp_path):
    assert CliRunner().invoke(main, [*args, "--db", str(tmp_path / "db.db")]).exit_code == 2


def test_cli_import_of_a_corrupt_file_is_a_clean_error(tmp_path):
    path = tmp_path / "notes.jsonl"
    path.write_text('{"format": "armstrack-backup", "version": 99}\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["import", str(path), "--db", str(tmp_path / "db.db")])
    assert result.exit_code == 1 and "Error:" in result.output and "line 1" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


# -- any small store ----------------------------------------------------------------------------------

NAMES = st.text(min_size=1, max_size=20)
OPTIONAL = st.none() | st.text(max_size=20)
PARTICIPANTS = st.builds(Participant, st.sampled_from(("supplier", "recipient", "party", "partner")), NAMES,
                         st.sampled_from(KINDS), st.none() | NAMES)
FACTS = st.builds(
    Fact, type=st.sampled_from(FACT_TYPES), participants=st.lists(PARTICIPANTS, max_size=3).map(tuple),
    systems=st.lists(st.builds(System, NAMES, st.sampled_from(("uav", "ship", "other"))), max_size=2).map(tuple),
    time=st.builds(TimeSpan, OPTIONAL, st.none() | st.sampled_from(("1997", "2022-05", "2024-02-29"))),
    status=st.sampled_from(STATUSES), quantity=st.none() | st.integers(0, 2**31 - 1),
    money=st.none() | st.builds(Money, st.floats(0, 1e12, allow_nan=False), st.sampled_from(("USD", "EUR")),
                                OPTIONAL),
    attributed_to=OPTIONAL, evidence=st.text(max_size=40),
    evidence_span=st.tuples(st.integers(0, 500), st.integers(0, 500)), confidence=st.floats(0, 1))
ARTICLES = st.builds(Article, origin=NAMES, text=st.text(min_size=1, max_size=200), id=OPTIONAL, url=OPTIONAL,
                     published=st.none() | st.sampled_from(("2023-07-10", "2024")), outlet=OPTIONAL,
                     captions=st.lists(st.tuples(st.integers(0, 99), st.integers(0, 99)), max_size=2).map(tuple))


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(stored=st.lists(st.tuples(ARTICLES, st.lists(FACTS, max_size=3)), min_size=1, max_size=3))
@example(stored=[(Article("odd\x00name", "line\r\nbreaks\u2028and\x00NUL \"quoted\" \U0001f680", url="\n"),
                  [replace(PAGE_FACT, evidence="\r", money=Money(0.1 + 0.2, "USD"), confidence=1 / 3)])])
def test_any_small_store_round_trips_exactly(stored, knowledge):
    with tempfile.TemporaryDirectory() as folder:
        src, dst, path = f"{folder}/src.db", f"{folder}/dst.db", Path(folder) / "b.jsonl"
        with open_store(src) as store:
            for article, facts in stored:
                store.add_article(article, facts, "prop.v1")
        counts = export_all(src, path)
        summary = import_backup(path, dst, knowledge=knowledge)
        assert summary.added == counts and set(counts) == set(COUNTED)
        assert primary_dump(dst) == primary_dump(src)
