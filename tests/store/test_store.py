"""Tests for armstrack.store.db against a real SQLite file."""
from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import delete, inspect

from armstrack.model import Article, Fact, Money, Participant, System, TimeSpan
from armstrack.quality.score import load_gold
from armstrack.store.db import (
    SCHEMA_VERSION, AddResult, Store, StoreError, articles_table, fact_key, open_store,
)

CORPUS = Path(os.environ.get("ARMSTRACK_CORPUS", Path(__file__).resolve().parents[3] / "shared" / "corpus"))
CORPUS_FILES = sorted(CORPUS.glob("*.json"))
needs_corpus = pytest.mark.usefixtures("corpus")  # conftest fails (never skips) without the corpus

TEXT = "Kyrgyzstan ordered Bayraktar TB2 drones from Baykar in 2021."
FACTS = (
    Fact("arms_transfer",
         (Participant("supplier", "Baykar", "organization", "Turkey"),
          Participant("recipient", "Kyrgyzstan", "country", "Kyrgyzstan")),
         (System("Bayraktar TB2", "uav"), System("Akinci", "uav")),
         TimeSpan("in 2021", "2021", None), "completed", 3, Money(2500000.0, "USD", None),
         "Defense Express", "Kyrgyzstan ordered Bayraktar TB2 drones", (0, 39), 0.8),
    Fact("agreement",
         (Participant("party", "Baykar", "organization", "Turkey"),
          Participant("party", "Kyrgyzstan", "country", "Kyrgyzstan"))),
)


@pytest.fixture()
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "armstrack.db"


@pytest.fixture()
def store(db_path: Path):
    with open_store(str(db_path)) as s:
        yield s


def article(origin: str = "a.txt", text: str = TEXT) -> Article:
    return Article(origin=origin, text=text, id="kg-1", url="https://example.org/kg",
                   published="2021-10-01", outlet="defence-ua", captions=((0, 10),))


def test_schema_created_with_version_and_indexes(store: Store, db_path: Path):
    insp = inspect(store.engine)
    assert {"meta", "articles", "facts", "fact_participants", "fact_systems", "article_sources"} <= set(
        insp.get_table_names())
    index_names = {i["name"] for t in ("facts", "fact_participants", "fact_systems") for i in insp.get_indexes(t)}
    assert {"ix_facts_type", "ix_facts_time_start", "ix_fact_participants_name",
            "ix_fact_participants_country", "ix_fact_systems_name"} <= index_names
    with sqlite3.connect(db_path) as raw:
        assert raw.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone() == (str(SCHEMA_VERSION),)
    assert store.counts() == {"articles": 0, "facts": 0, "participants": 0, "systems": 0, "sources": 0}


def test_wal_mode_and_foreign_keys(store: Store, db_path: Path):
    result = store.add_article(article(), FACTS, "v1")
    with sqlite3.connect(db_path) as raw:
        assert raw.execute("PRAGMA journal_mode").fetchone()[0].lower() == "wal"
    with store.engine.begin() as conn:  # ON DELETE CASCADE only works with foreign keys on
        conn.execute(delete(articles_table).where(articles_table.c.id == result.article_id))
    assert store.counts() == {"articles": 0, "facts": 0, "participants": 0, "systems": 0, "sources": 0}


def test_add_and_readd_is_idempotent(store: Store, db_path: Path):
    first = store.add_article(article(), FACTS, "v1")
    assert first == AddResult(first.article_id, True, 2)
    before = store.counts()
    assert before == {"articles": 1, "facts": 2, "participants": 4, "systems": 2, "sources": 1}
    assert store.add_article(article(), FACTS, "v1") == AddResult(first.article_id, False, 0)
    assert store.counts() == before
    assert store.has_article(article().content_hash)
    assert not store.has_article("0" * 64)
    with open_store(str(db_path)) as again:  # reopening keeps data and schema
        assert again.add_article(article(), FACTS, "v1").created is False
        assert again.counts() == before


def test_same_text_under_two_origins_is_one_article(store: Store):
    first = store.add_article(article("a.txt"), FACTS, "v1")
    second = store.add_article(article("copy/b.txt"), FACTS, "v1")
    assert second == AddResult(first.article_id, False, 0)
    assert store.counts()["articles"] == 1
    assert store.counts()["sources"] == 2
    stored = list(store.iter_articles())
    assert len(stored) == 1
    assert stored[0].origins == ("a.txt", "copy/b.txt")
    assert stored[0].article == article("a.txt")
    assert stored[0].extractor_version == "v1"


def test_extractor_version_change_replaces_facts(store: Store):
    first = store.add_article(article(), FACTS, "v1")
    result = store.add_article(article(), FACTS[1:], "v2")
    assert result == AddResult(first.article_id, False, 1)
    assert store.facts_for_article(first.article_id) == list(FACTS[1:])
    assert store.counts() == {"articles": 1, "facts": 1, "participants": 2, "systems": 0, "sources": 1}
    assert next(store.iter_articles()).extractor_version == "v2"


def test_duplicate_facts_in_one_add_are_written_once(store: Store):
    result = store.add_article(article(), [FACTS[0], FACTS[0]], "v1")
    assert result.facts_written == 1
    assert store.counts()["facts"] == 1


def test_round_trip_keeps_facts_and_order(store: Store):
    result = store.add_article(article(), FACTS, "v1")
    assert store.facts_for_article(result.article_id) == list(FACTS)
    assert store.facts_for_article(result.article_id + 100) == []


@needs_corpus
def test_round_trip_of_corpus_gold(store: Store):
    for path in CORPUS_FILES:
        data, facts = load_gold(path)
        art = Article(origin=str(path), text=data["text"], id=data["id"], url=data.get("url"),
                      published=data.get("published"), outlet=data.get("source"))
        result = store.add_article(art, facts, "gold")
        assert result.facts_written == len(facts), path.name
        assert store.facts_for_article(result.article_id) == facts, path.name
    assert store.counts()["articles"] == len(CORPUS_FILES)


def test_failure_mid_article_rolls_back(store: Store, monkeypatch: pytest.MonkeyPatch):
    store.add_article(article("other.txt", "Another text."), FACTS[:1], "v1")
    before = store.counts()
    import armstrack.store.db as store_module

    original = store_module._fact_row
    calls = []

    def failing(article_id, key, fact):  # fails after the article row (or the old facts' delete) is written
        calls.append(key)
        if len(calls) == 2:
            raise RuntimeError("disk on fire")
        return original(article_id, key, fact)

    monkeypatch.setattr(store_module, "_fact_row", failing)
    with pytest.raises(RuntimeError):
        store.add_article(article(), FACTS, "v1")
    assert store.counts() == before
    assert not store.has_article(article().content_hash)

    # a failing replacement keeps the old facts too
    calls.clear()
    with pytest.raises(RuntimeError):
        store.add_article(article("other.txt", "Another text."), FACTS, "v2")
    assert store.counts() == before
    assert next(store.iter_articles()).extractor_version == "v1"


def test_injection_looking_names_stored_verbatim(store: Store):
    nasty = "Robert'); DROP TABLE facts;--"
    fact = Fact("agreement", (Participant("party", nasty, "organization", "x' OR '1'='1"),
                              Participant("party", '"; DELETE FROM articles; --', "country", None)),
                (System("%_\\ LIKE", "other"),))
    result = store.add_article(article(origin=nasty, text=nasty), [fact], "v1")
    assert store.facts_for_article(result.article_id) == [fact]
    assert next(store.iter_articles()).origins == (nasty,)
    assert store.counts()["facts"] == 1


def test_fact_key_is_stable_and_discriminating():
    key = fact_key("h", FACTS[0])
    assert key == fact_key("h", FACTS[0]) and len(key) == 64
    renamed = Fact(FACTS[0].type, (Participant("supplier", "BAYKAR", "organization", "Turkey"),
                                   *FACTS[0].participants[1:]), FACTS[0].systems, FACTS[0].time,
                   evidence_span=FACTS[0].evidence_span)
    assert fact_key("h", renamed) == key  # only normalised names count
    assert fact_key("other", FACTS[0]) != key
    assert fact_key("h", FACTS[1]) != key


def test_fact_key_without_span_tells_sentences_apart():
    """Gold and imported facts have no span (0, 0): their evidence text says where they are."""
    signed = Fact("agreement", FACTS[1].participants, status="completed",
                  evidence="Babcock has today concluded a set of strategic cooperation agreements")
    planned = Fact("agreement", FACTS[1].participants, status="planned",
                   evidence="This will be facilitated through a design licensing agreement")
    assert signed.evidence_span == planned.evidence_span == (0, 0)
    assert fact_key("h", signed) != fact_key("h", planned)
    assert fact_key("h", signed) == fact_key("h", Fact("agreement", FACTS[1].participants, status="planned",
                                                       evidence=signed.evidence))
    with_span = Fact("agreement", FACTS[1].participants, evidence="one sentence", evidence_span=(5, 17))
    assert fact_key("h", with_span) == fact_key("h", Fact("agreement", FACTS[1].participants,
                                                          evidence="", evidence_span=(5, 17)))


def test_open_store_errors(tmp_path: Path, db_path: Path):
    with pytest.raises(StoreError):
        open_store(str(tmp_path / "missing-dir" / "x.db"))
    open_store(str(db_path)).close()
    with sqlite3.connect(db_path) as raw:
        raw.execute("UPDATE meta SET value='999' WHERE key='schema_version'")
    with pytest.raises(StoreError):
        open_store(str(db_path))


def test_open_store_accepts_urls(tmp_path: Path):
    with open_store(f"sqlite:///{tmp_path / 'u.db'}") as s:
        s.add_article(article(), FACTS, "v1")
        assert s.counts()["articles"] == 1
    assert (tmp_path / "u.db").exists()
