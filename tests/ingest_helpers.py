"""Helpers shared by the ingest tests of several folders (run/, store/): the examples folder, a
store's facts as a comparable dump, and progress sinks that record or kill workers."""
from __future__ import annotations

import os
import signal
from pathlib import Path

from armstrack.model import Article, InputFailure
from armstrack.read.ingest import read_inputs
from armstrack.store.db import open_store

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def store_dump(db: str) -> dict[str, list[dict]]:
    """Every stored article's facts by text hash: what two ingests must agree on."""
    with open_store(db) as store:
        return {s.article.content_hash: [f.to_dict() for f in store.facts_for_article(s.article_id)]
                for s in store.iter_articles()}


def expected_dump(extractor, paths, db: str) -> dict[str, list[dict]]:
    """What a plain single-process extract-and-add gives (the session's already loaded extractor)."""
    articles = [a for a in read_inputs(paths) if isinstance(a, Article)]
    with open_store(db) as store:
        for article, facts in extractor.extract_many(articles):
            store.add_article(article, facts, extractor.version)
    return store_dump(db)


class Recorder:
    """A progress sink that keeps everything it is told."""

    def __init__(self):
        self.total = self.workers = None
        self.updates: list[tuple[int, int]] = []
        self.failures: list[InputFailure] = []

    def start(self, total_estimate, workers):
        self.total, self.workers = total_estimate, workers

    def update(self, done, failed):
        self.updates.append((done, failed))

    def failure(self, failure):
        self.failures.append(failure)


class KillOnFirstArticle(Recorder):
    """SIGKILLs the processes ``find_pids`` returns as soon as the first article is stored (the OOM
    killer, say): whichever worker holds a batch then must have it redone."""

    def __init__(self, find_pids):
        super().__init__()
        self.find_pids = find_pids
        self.killed: list[int] = []

    def update(self, done, failed):
        super().update(done, failed)
        if not self.killed and done:
            self.killed = self.find_pids()
            for pid in self.killed:
                os.kill(pid, signal.SIGKILL)
