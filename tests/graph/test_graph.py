"""graph.py: clustering across articles, idempotent re-ingest, incremental sync, reviews that survive."""
from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select

from armstrack.graph.graph import GraphError, cluster_key, find_cluster, open_graph, review, sync
from armstrack.knowledge.load import PACKAGE_DATA_DIR, load_knowledge
from armstrack.model import Article, Fact, Participant, System, TimeSpan
from armstrack.graph.query import facts as query_facts
from armstrack.store.db import articles_table, clusters_table, open_store, reviews_table
from conftest import GOLD_VERSION, fill_gold


def _counts(db: str) -> tuple[dict, int]:
    graph = open_graph(db)
    with graph.engine.connect() as conn:
        clusters = conn.execute(select(func.count()).select_from(clusters_table)).scalar_one()
    counts = graph.store.counts()
    graph.store.close()
    return counts, clusters


def _cluster_of(graph, fact_type: str, article_id: str, start: str | None):
    return [f for f in query_facts(graph, fact_type=fact_type, include_rejected=True)
            if article_id in f.articles and f.time_start == start]


def test_same_fact_in_two_articles_is_one_corroborated_cluster(gold_graph, corpus):
    # Gold facts that resolve to one identity in several articles must become one record with every source.
    by_key: dict[str, set[str]] = {}
    r = gold_graph.resolver
    for g in corpus:
        for f in g.facts:
            key = cluster_key(f.type, [(p.role, r.participant(p.name, p.kind, p.country).entity.id)
                                       for p in f.participants], [r.system(s.name).entity.id for s in f.systems])
            by_key.setdefault(key, set()).add(g.article.id)
    shared = {k: a for k, a in by_key.items() if len(a) > 1}
    assert shared, "the corpus reports some facts in more than one article"
    views = {f.key: f for f in query_facts(gold_graph, include_rejected=True)}
    assert set(views) == set(by_key)
    for key, articles in shared.items():
        assert views[key].corroboration == len(articles)
        assert set(views[key].articles) == articles


def test_aliases_give_the_same_cluster_key():
    a = cluster_key("agreement", [("party", "org:turkish aerospace industries"), ("party", "country:KZ")], [])
    b = cluster_key("agreement", [("party", "country:KZ"), ("party", "org:turkish aerospace industries")], [])
    assert a == b
    assert cluster_key("agreement", [("party", "country:KZ"), ("customer", "country:TR")], []) == \
        cluster_key("agreement", [("party", "country:KZ")], [])  # optional roles are not identity


def test_ingesting_twice_or_under_another_name_changes_no_count(tmp_path: Path, corpus):
    db = str(tmp_path / "twice.db")
    fill_gold(db)
    before = _counts(db)
    fill_gold(db)
    with open_store(db) as store:
        for g in corpus:
            store.add_article(replace(g.article, origin=str(tmp_path / f"copy-of-{g.path.name}")), g.facts,
                              GOLD_VERSION)
    after_counts, after_clusters = _counts(db)
    assert after_clusters == before[1]
    assert {k: v for k, v in after_counts.items() if k != "sources"} == \
        {k: v for k, v in before[0].items() if k != "sources"}
    assert after_counts["sources"] == 2 * before[0]["sources"]  # only the new origins are recorded


def _production(status: str, start: str, licensor: str) -> Fact:
    return Fact("licensed_production",
                (Participant("producer", "Kazakhstan Engineering", "organization", "Kazakhstan"),
                 Participant("licensor", licensor, "organization", "Turkey")),
                (System("ANKA", "uav"),), TimeSpan(f"in {start}", start, None), status)


def test_disagreeing_articles_are_merged_and_flagged_newest_status_wins(tmp_path: Path):
    db = str(tmp_path / "conflict.db")
    with open_store(db) as store:
        store.add_article(Article("old.txt", "old report", published="2022-06-01"),
                          [_production("planned", "2024", "TAI")], "v1")
        store.add_article(Article("new.txt", "new report", published="2024-11-20"),
                          [_production("completed", "2025", "Turkish Aerospace Industries")], "v1")
    graph = open_graph(db)
    (view,) = query_facts(graph)
    assert view.status == "completed" and view.time_start == "2025" and view.corroboration == 2
    assert view.conflicted and {c["field"] for c in view.conflicts} == {"status", "time_start"}
    (licensor,) = [p for p in view.participants if p["role"] == "licensor"]
    assert licensor["name"] == "Turkish Aerospace Industries"
    assert set(licensor["as_written"]) == {"TAI", "Turkish Aerospace Industries"}
    graph.store.close()


def test_sync_is_incremental_and_rebuilds_when_knowledge_changes(tmp_path: Path, fresh_gold_db):
    graph = open_graph(fresh_gold_db)
    assert sync(graph).new_facts == 0  # nothing changed since open_graph
    graph.store.add_article(Article("extra.txt", "one more report", published="2024-01-01"),
                            [_production("ongoing", "2024", "TUSAŞ")], "v1")
    result = sync(graph)
    assert (result.new_facts, result.clusters_merged, result.full) == (1, 1, False)
    copy = tmp_path / "data"
    shutil.copytree(PACKAGE_DATA_DIR, copy)
    (copy / "organizations.csv").write_text((copy / "organizations.csv").read_text(encoding="utf-8")
                                            + "Test Works,Turkey,company,TW Corp,\n", encoding="utf-8")
    graph.store.close()
    rebuilt = open_graph(fresh_gold_db, knowledge=load_knowledge(copy))
    assert sync(rebuilt).full is False  # open_graph already did the full rebuild
    with rebuilt.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(clusters_table)).scalar_one() > 0
    rebuilt.store.close()


def test_review_survives_reextraction_and_a_full_reingest(fresh_gold_db, seed):
    graph = open_graph(fresh_gold_db)
    (target,) = _cluster_of(graph, "licensed_production", seed.article.id, "2024")
    (agreement,) = _cluster_of(graph, "agreement", seed.article.id, "2022-05")
    review(graph, target.id, "reject", reviewer="ann")
    review(graph, agreement.key, "correct", {"status": "ongoing"}, reviewer="bob")
    assert target.key not in {f.key for f in query_facts(graph)}
    # 1. re-extraction: a new extractor version replaces every fact of every article
    graph.store.close()
    fill_gold(fresh_gold_db, version="gold.v2")
    # 2. a full re-ingest: every article deleted, then ingested again
    with open_store(fresh_gold_db) as store:
        with store.engine.begin() as conn:
            conn.execute(delete(articles_table))
        assert store.counts()["facts"] == 0
    fill_gold(fresh_gold_db)
    graph = open_graph(fresh_gold_db)
    visible = {f.key: f for f in query_facts(graph)}
    everything = {f.key: f for f in query_facts(graph, include_rejected=True)}
    assert target.key not in visible and everything[target.key].review == "rejected"
    assert visible[agreement.key].status == "ongoing"
    assert visible[agreement.key].corrections[0]["by"] == "bob"
    with graph.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(reviews_table)).scalar_one() == 2
    graph.store.close()


def test_find_cluster_and_review_errors(gold_graph):
    any_fact = query_facts(gold_graph)[0]
    assert find_cluster(gold_graph, any_fact.id)[1] == any_fact.key
    for bad in ("12", "zzzzzzzz", "0000000000000000"):
        with pytest.raises(GraphError):
            find_cluster(gold_graph, bad)
    with pytest.raises(GraphError):
        review(gold_graph, any_fact.id, "correct", {"type": "aid"})
    with pytest.raises(GraphError):
        review(gold_graph, any_fact.id, "maybe")
