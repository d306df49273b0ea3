"""The API serves reads while an ingest writes (SQLite in WAL mode), and never shows half an article.

A real ``armstrack ingest`` process writes a feed into the store while a live
API server (uvicorn) over the same file is read as fast as it answers. Every
article a reader sees must already carry all the facts it will have when the
ingest is done (each article and its facts are one transaction), every answer
must be a 200, and the ingest must not be disturbed by the readers (which
bring the merged facts up to date as they read).
"""
from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import httpx

from armstrack.web.api import create_app
from armstrack.run.batch import ingest_paths
from armstrack.store.db import open_store
from webserver import live_server

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from sample_corpus import write_jsonl  # noqa: E402  (benchmarks/ is not a package)

ARTICLES = 80  # ~4 s of ingest on one worker: hundreds of reads land while it writes
INGEST_TIMEOUT = 300


def facts_per_origin(db: str) -> dict[str, int]:
    with open_store(db) as store, store.engine.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT s.origin, (SELECT count(*) FROM facts f WHERE f.article_id = a.id) "
            "FROM articles a JOIN article_sources s ON s.article_id = a.id")
        return dict(rows.all())


def test_readers_during_an_ingest_see_whole_articles_and_get_answers(tmp_path):
    feed = write_jsonl(tmp_path / "feed.jsonl", ARTICLES, seed=11)
    reference = str(tmp_path / "reference.db")
    ingest_paths([feed], reference, workers=1)
    expected = facts_per_origin(reference)

    db = str(tmp_path / "live.db")
    ingest_paths([write_jsonl(tmp_path / "first.jsonl", 5, seed=12)], db, workers=1)  # something to serve
    seen: dict[str, int] = {}
    statuses: list[int] = []
    reads = 0
    with live_server(create_app(db)) as base, httpx.Client(base_url=base, timeout=30) as client:
        ingest = subprocess.Popen([sys.executable, "-m", "armstrack", "ingest", str(feed), "--db", db,
                                   "--workers", "1", "-q"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  text=True)
        deadline = time.monotonic() + INGEST_TIMEOUT
        while ingest.poll() is None and time.monotonic() < deadline:
            listing = client.get("/api/articles", params={"limit": 200})
            statuses.append(listing.status_code)
            for item in listing.json().get("articles", []) if listing.status_code == 200 else []:
                view = client.get(f"/api/articles/{item['article_id']}")
                statuses.append(view.status_code)
                if view.status_code == 200:
                    body = view.json()
                    for origin in body["origins"]:
                        if origin in expected:
                            seen[origin] = min(seen.get(origin, 10**9), len(body["facts"]))
            for path in ("/api/facts", "/api/search?q=Turkey", "/api/network", "/api/export/sipri.csv"):
                statuses.append(client.get(path).status_code)
            reads += 1
        out, err = ingest.communicate(timeout=INGEST_TIMEOUT)
    assert ingest.returncode == 0, err[-2000:]
    assert set(statuses) == {200}, sorted(set(statuses))
    assert reads >= 5, "the readers did not overlap the ingest"
    assert len(seen) > ARTICLES // 4, "too few articles were read while the ingest ran"
    half_read = {o: (n, expected[o]) for o, n in seen.items() if n != expected[o]}
    assert half_read == {}
    assert facts_per_origin(db).items() >= expected.items()
