"""Shared fixtures for the knowledge-graph tests: the corpus, a store of its gold facts, the extractor."""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import pytest

from armstrack.model import Article, Fact
from armstrack.store.db import open_store

CORPUS = Path(os.environ.get("ARMSTRACK_CORPUS") or Path(__file__).resolve().parents[2] / "shared" / "corpus")
GOLD_VERSION = "gold"
SEED_ID = "000_kazakhstan_turkish_uavs"
PG_ENV = "ARMSTRACK_TEST_PG"


@dataclass(frozen=True)
class GoldArticle:
    path: Path
    article: Article
    facts: tuple[Fact, ...]


def gold_articles() -> list[GoldArticle]:
    """Every corpus article with its gold facts; the corpus must be there (tests never skip)."""
    files = sorted(CORPUS.glob("*.json"))
    assert files, f"annotated corpus not found at {CORPUS} (set ARMSTRACK_CORPUS)"
    out = []
    for path in files:
        data = json.loads(path.read_text(encoding="utf-8"))
        article = Article(origin=str(path), text=data["text"], id=data.get("id") or path.stem, url=data.get("url"),
                          published=data.get("published"), outlet=data.get("source"))
        out.append(GoldArticle(path, article, tuple(Fact.from_dict(f) for f in data["facts"])))
    return out


def fill_gold(db: str, version: str = GOLD_VERSION) -> None:
    """Write every corpus article with its gold facts, as ``armstrack ingest`` would with extracted ones."""
    with open_store(db) as store:
        for g in gold_articles():
            store.add_article(g.article, g.facts, version)


@pytest.fixture(scope="session")
def corpus() -> list[GoldArticle]:
    return gold_articles()


@pytest.fixture(scope="session")
def seed(corpus) -> GoldArticle:
    (found,) = [g for g in corpus if g.article.id == SEED_ID]
    return found


@pytest.fixture(scope="session")
def gold_db(tmp_path_factory) -> str:
    """A read-only store of the gold facts (tests that write use ``fresh_gold_db``)."""
    db = str(tmp_path_factory.mktemp("gold") / "gold.db")
    fill_gold(db)
    return db


@pytest.fixture()
def fresh_gold_db(tmp_path) -> str:
    db = str(tmp_path / "gold.db")
    fill_gold(db)
    return db


@pytest.fixture(scope="session")
def gold_graph(gold_db):
    from armstrack.graph.graph import open_graph

    graph = open_graph(gold_db)
    yield graph
    graph.store.close()


@pytest.fixture(scope="session")
def knowledge():
    from armstrack.knowledge.load import load_knowledge

    return load_knowledge()


@pytest.fixture()
def pg_url():
    """An empty armstrack schema on the test PostgreSQL server (every table dropped before the test).

    The server is the one ``scripts/ensure_postgres.sh`` starts (``make test`` and CI run it and export
    ``ARMSTRACK_TEST_PG``); without it the tests that need it fail, never skip.
    """
    from sqlalchemy import create_engine

    from armstrack.store.db import metadata

    url = os.environ.get(PG_ENV)
    assert url, f"${PG_ENV} is not set: run scripts/ensure_postgres.sh (`make test` does) and export its URL"
    engine = create_engine(url)
    metadata.drop_all(engine)
    yield url
    engine.dispose()  # tables left for a look after a failure; the next test drops them


@pytest.fixture(scope="session")
def extractor():
    """Loading spaCy takes about a second: one extractor for the whole session."""
    from armstrack.extract.pipeline import Extractor

    return Extractor()
