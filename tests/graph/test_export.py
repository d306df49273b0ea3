"""export.py: SIPRI-layout register, graph JSON and GraphML, each row traceable to its articles."""
from __future__ import annotations

import csv
import io
import json

import networkx as nx
import pytest

from armstrack.graph import export, query
from conftest import SEED_ID


def test_sipri_register_rows_follow_the_gold_transfers(gold_graph, corpus):
    rows = export.sipri_rows(gold_graph)
    assert rows and all(r["source_articles"] and r["fact_id"] for r in rows)
    assert set(rows[0]) == set(export.SIPRI_COLUMNS)
    merged = {f.id: f for t in export.SIPRI_TYPES for f in query.facts(gold_graph, fact_type=t)}
    assert {r["fact_id"] for r in rows} == set(merged)
    for r in rows:
        fact = merged[r["fact_id"]]
        assert set(r["source_articles"].split("; ")) == set(fact.articles)
        assert r["year_of_order"] == (fact.time_start or "")[:4]
        if fact.type == "licensed_production":
            assert r["comments"].startswith("licensed production")
    anka = [r for r in rows if r["designation"] == "ANKA" and r["recipient"] == "Kazakhstan"]
    gold = [f for f in next(g for g in corpus if g.article.id == SEED_ID).facts
            if f.type == "licensed_production" and any(s.name == "ANKA" for s in f.systems)]
    assert len(anka) == len(gold) == 1
    assert anka[0]["supplier"] == next(p.country for p in gold[0].participants if p.role == "licensor")
    assert SEED_ID in anka[0]["source_articles"]


def test_sipri_csv_has_the_register_header(gold_graph):
    out = io.StringIO()
    n = export.write_sipri_csv(gold_graph, out)
    reader = csv.DictReader(io.StringIO(out.getvalue()))
    assert tuple(reader.fieldnames) == export.SIPRI_COLUMNS
    assert len(list(reader)) == n > 0


def test_graph_json_and_graphml_keep_source_articles(gold_graph, tmp_path):
    out = io.StringIO()
    export.write_graph_json(gold_graph, out)
    data = json.loads(out.getvalue())
    assert data["nodes"] and data["edges"] and data["facts"]
    assert all(e["articles"] for e in data["edges"])
    assert {n["id"] for n in data["nodes"]} >= {"country:KZ", "country:TR", "org:turkish aerospace industries"}
    path = tmp_path / "graph.graphml"
    export.write_graphml(gold_graph, str(path))
    g = nx.read_graphml(path)
    assert g.number_of_edges() == len(data["edges"])
    assert all(d["articles"] for _, _, d in g.edges(data=True))
    assert g.nodes["org:turkish aerospace industries"]["name"] == "Turkish Aerospace Industries"


@pytest.mark.parametrize("cell, shown", [
    ('=HYPERLINK("http://evil.example")', '\'=HYPERLINK("http://evil.example")'),
    ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"), ("-2+3", "'-2+3"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\tx", "'\tx"), ("\rx", "'\rx"),
    ("ANKA", "ANKA"), ("T-129 ATAK", "T-129 ATAK"), ("", ""), (12, 12), (-3, -3),
])
def test_spreadsheet_formulas_are_neutralised(cell, shown):
    assert export.spreadsheet_safe(cell) == shown
