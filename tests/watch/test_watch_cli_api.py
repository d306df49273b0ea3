"""``armstrack watchlist`` and the Atom route: thin shells, the feed read back by feedparser."""
from __future__ import annotations

import json

import feedparser
from click.testing import CliRunner
from fastapi.testclient import TestClient

from armstrack.cli.main import main
from armstrack.web.api import create_app


def run(*args: str) -> str:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_watchlist_commands(fresh_gold_db, tmp_path):
    db = ("--db", fresh_gold_db)
    assert "facts match now" in run("watchlist", "add", "kz", "--country", "Kazakhstan", "--since", "2010", *db)
    run("watchlist", "add", "anka", "--system", "ANKA", "--min-confidence", "0.5", *db)
    listed = json.loads(run("watchlist", "list", "--format", "json", *db))
    assert [(w["name"], w["filter"]) for w in listed] == [
        ("anka", {"system": "ANKA", "min_confidence": 0.5}), ("kz", {"country": "Kazakhstan", "since": "2010"})]
    shown = json.loads(run("watchlist", "show", "anka", "--format", "json", *db))
    assert shown and all(any(s["name"] == "ANKA" for s in f["systems"]) for f in shown)
    out = tmp_path / "kz.xml"
    run("watchlist", "feed", "kz", "--out", str(out), "--base-url", "https://analyst.example", *db)
    parsed = feedparser.parse(out.read_bytes())
    assert not parsed.bozo and parsed.feed.title == "armstrack watchlist: kz"
    assert all(f["time_start"] >= "2010" for f in json.loads(run("watchlist", "show", "kz", "--format", "json", *db)))
    assert len(parsed.entries) == len(json.loads(run("watchlist", "show", "kz", "--format", "json", *db)))
    assert parsed.entries[0].link.startswith("https://analyst.example/#fact/")
    run("watchlist", "remove", "anka", *db)
    failed = CliRunner().invoke(main, ["watchlist", "show", "anka", *db])
    assert failed.exit_code == 1 and "no watchlist named 'anka'" in failed.output
    failed = CliRunner().invoke(main, ["watchlist", "add", "x", "--country", "Atlantis", *db])
    assert failed.exit_code == 1 and "unknown country" in failed.output


def test_atom_route(fresh_gold_db):
    run("watchlist", "add", "kz", "--country", "Kazakhstan", "--db", fresh_gold_db)
    with TestClient(create_app(fresh_gold_db)) as client:
        response = client.get("/api/watchlists/kz/atom")
        assert response.status_code == 200 and response.headers["content-type"].startswith("application/atom+xml")
        parsed = feedparser.parse(response.content)
        assert not parsed.bozo and parsed.entries
        assert parsed.entries[0].link.startswith("http://testserver/#fact/")
        assert [l.href for l in parsed.feed.links if l.rel == "self"] == ["http://testserver/api/watchlists/kz/atom"]
        listed = client.get("/api/watchlists/kz").json()
        assert listed["filter"] == {"country": "Kazakhstan"} and len(listed["facts"]) == len(parsed.entries)
        assert [w["name"] for w in client.get("/api/watchlists").json()] == ["kz"]
        missing = client.get("/api/watchlists/nope/atom")
        assert missing.status_code == 404 and missing.json()["error"]["message"] == "no watchlist named 'nope'"
