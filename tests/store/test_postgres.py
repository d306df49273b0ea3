"""The store and the knowledge graph on a real PostgreSQL server, against SQLite.

The server is the one ``scripts/ensure_postgres.sh`` starts (``make test`` and CI run it and
export ``ARMSTRACK_TEST_PG``); without it these tests fail, never skip (``pg_url`` in conftest.py).
"""
from __future__ import annotations

import re
import shutil
import subprocess
import sys

from sqlalchemy import create_engine, func, select

from armstrack.graph import query
from armstrack.graph.graph import open_graph
from armstrack.store.db import articles_table, entities_table, open_store, sources_table
from conftest import CORPUS, fill_gold
from ingest_helpers import EXAMPLES, expected_dump, store_dump

INGEST_TIMEOUT_S = 120


def answers(db: str) -> dict:
    """The analysts' questions of the README, answered from one store."""
    graph = open_graph(db)
    try:
        return {
            "timeline": query.timeline(graph, "Turkey", "Kazakhstan").to_dict(),
            "profile": query.profile(graph, "Kazakhstan").to_dict(),
            "network": query.network(graph, fact_type="licensed_production", since="2010").to_dict(),
            "first": query.first(graph, "licensed_production", "Turkey", category="uav").to_dict(),
            "facts": [f.to_dict() for f in query.facts(graph, country="Kazakhstan", since="1990")],
            "all": sorted(f.key for f in query.facts(graph)),
            "entity": query.entity(graph, "TAI").to_dict(),
        }
    finally:
        graph.store.close()


ROW_IDS = ("fact_id", "article_id", "story")  # a source's row numbers; PostgreSQL's follow the race


def merged(db: str) -> dict:
    """The merged facts and a profile's counts, independent of the order articles were written in
    (two racing writers interleave it, and a losing upsert uses up a sequence number: row ids, hence
    the order of a fact's sources, may differ; the content may not)."""
    graph = open_graph(db)
    try:
        views = {v.key: {**v.to_dict(), "articles": sorted(v.articles),
                         "sources": sorted(str({k: x for k, x in s.items() if k not in ROW_IDS}) for s in v.sources)}
                 for v in query.facts(graph)}
        counts = query.profile(graph, "Kazakhstan").to_dict()
        del counts["latest"]  # ties on a date are broken by row id
        return {"facts": views, "profile": counts}
    finally:
        graph.store.close()


def test_store_round_trip_matches_sqlite(pg_url, gold_db):
    fill_gold(pg_url)
    assert store_dump(pg_url) == store_dump(gold_db)
    with open_store(pg_url) as pg, open_store(gold_db) as lite:
        assert pg.counts() == lite.counts()
    fill_gold(pg_url)  # re-adding changes nothing
    with open_store(pg_url) as pg, open_store(gold_db) as lite:
        assert pg.counts() == lite.counts()


def test_queries_give_the_same_answers_as_sqlite(pg_url, gold_db):
    fill_gold(pg_url)
    pg, lite = answers(pg_url), answers(gold_db)
    assert pg["timeline"]["facts"] and pg["profile"]["partners"]
    for name in lite:
        assert pg[name] == lite[name], name


def _ingest(paths, url: str) -> subprocess.Popen:
    """``armstrack ingest`` in its own process, as a second team member would run it."""
    command = [sys.executable, "-c", "from armstrack.cli.main import run; run()", "ingest", *map(str, paths),
               "--db", url, "--workers", "1", "--quiet"]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_two_concurrent_ingests_of_overlapping_inputs_leave_no_duplicates(pg_url, tmp_path, extractor):
    """Both processes start on an empty database and meet on every corpus article at about the same
    time (same order, other file names): the unique keys and upserts, not luck, keep one copy."""
    copy = tmp_path / "copy"
    shutil.copytree(CORPUS, copy)
    inputs_a = [CORPUS, EXAMPLES / "013_estonia_latvia_iris_t.html"]
    inputs_b = [copy, EXAMPLES / "000_kazakhstan_turkish_uavs.txt"]
    runs = [_ingest(inputs_a, pg_url), _ingest(inputs_b, pg_url)]
    outputs = [run.communicate(timeout=INGEST_TIMEOUT_S) for run in runs]
    for run, (out, errors) in zip(runs, outputs):
        assert run.returncode == 0, errors
    added = [int(re.search(r"ingested (\d+) new articles", out).group(1)) for out, _ in outputs]

    expected = expected_dump(extractor, inputs_a + inputs_b, str(tmp_path / "expected.db"))
    assert store_dump(pg_url) == expected  # every article once, with exactly its facts
    assert sum(added) == len(expected)  # each article was created by exactly one of the two
    with open_store(pg_url) as store:
        with store.engine.connect() as conn:
            hashes = conn.execute(select(func.count(articles_table.c.content_hash.distinct()))).scalar_one()
            sources = conn.execute(select(func.count()).select_from(sources_table)).scalar_one()
    assert hashes == len(expected)
    read = sum(1 for p in [*CORPUS.glob("*.json"), *copy.glob("*.json")]) + 2
    assert sources == read  # every origin recorded once
    assert merged(pg_url) == merged(str(tmp_path / "expected.db"))
    with create_engine(pg_url).connect() as conn:
        names = conn.execute(select(entities_table.c.kind, entities_table.c.name)).all()
    assert len(names) == len(set(names)) > 0
