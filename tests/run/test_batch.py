"""batch.py: parallel ingest gives the facts a single process gives, streams, counts and is idempotent."""
from __future__ import annotations

import json
import os
import shutil
import signal
from itertools import count
from pathlib import Path

import pytest
from click.testing import CliRunner

from armstrack.run.batch import (
    BATCH_SIZE, IN_FLIGHT_PER_WORKER, _map_in_order, estimate_inputs, extract_articles, ingest_paths, plan_workers,
)
from armstrack.cli.main import main
from armstrack.read.ingest import read_inputs
from armstrack.model import Article, InputFailure
from armstrack.store.db import open_store
from conftest import CORPUS

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


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


def test_two_workers_give_the_facts_of_one_process_on_the_corpus(tmp_path, extractor):
    expected = expected_dump(extractor, [CORPUS], str(tmp_path / "expected.db"))
    recorder = Recorder()
    summary = ingest_paths([CORPUS], str(tmp_path / "parallel.db"), workers=2, progress=recorder)
    assert summary.workers == 2 and summary.engine == "local"
    assert store_dump(str(tmp_path / "parallel.db")) == expected
    assert summary.added == len(expected) == recorder.total and summary.failures == ()
    assert recorder.updates[-1] == (len(expected), 0)
    assert summary.facts_written == summary.store_facts == sum(map(len, expected.values())) > 0


def test_failures_are_counted_reported_and_the_rest_stored(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(EXAMPLES / "000_kazakhstan_turkish_uavs.txt", folder / "good.txt")
    (folder / "empty.txt").write_text("")
    (folder / "feed.jsonl").write_text('{"text": "Poland signed a contract for K2 tanks."}\n{broken\n')
    recorder = Recorder()
    summary = ingest_paths([folder, tmp_path / "missing.txt"], str(tmp_path / "a.db"), workers=1,
                           progress=recorder)
    assert sorted(Path(f.origin).name for f in summary.failures) == ["empty.txt", "feed.jsonl#2", "missing.txt"]
    assert recorder.failures == list(summary.failures)
    assert summary.added == 2 and summary.store_articles == 2
    assert recorder.updates[-1] == (2, 3)
    assert recorder.total == 5  # two files, two JSONL lines, one missing path


def test_re_ingest_parses_nothing_and_records_new_origins(tmp_path):
    db = str(tmp_path / "a.db")
    first = ingest_paths([EXAMPLES], db, workers=1)
    copy = tmp_path / "copy.txt"
    shutil.copy(EXAMPLES / "000_kazakhstan_turkish_uavs.txt", copy)
    again = ingest_paths([EXAMPLES, copy], db, workers=1)
    assert first.added == first.store_articles > 0
    assert (again.added, again.updated, again.facts_written) == (0, 0, 0)
    assert again.known == first.added + 1
    assert (again.store_articles, again.store_facts) == (first.store_articles, first.store_facts)
    with open_store(db) as store:
        assert store.counts()["sources"] == first.store_articles + 1


def test_cli_ingest_prints_the_summary_and_fails_on_a_bad_input(tmp_path):
    db = str(tmp_path / "a.db")
    result = CliRunner().invoke(main, ["ingest", str(EXAMPLES), str(tmp_path / "nope.txt"), "--db", db,
                                       "--workers", "1"])
    assert result.exit_code == 1
    assert "nope.txt: no such file or directory" in " ".join(result.stderr.split())  # rich wraps lines
    assert "ingested 3 new articles" in result.stdout and "1 inputs failed" in result.stdout
    assert "articles/s" in result.stdout
    usage = CliRunner().invoke(main, ["ingest", str(EXAMPLES), "--address", "ray://x:1"])
    assert usage.exit_code == 2 and "--engine ray" in usage.stderr


def test_estimate_counts_files_and_jsonl_lines_but_not_notes(tmp_path):
    (tmp_path / "a.txt").write_text("x")
    (tmp_path / "README.md").write_text("notes")
    (tmp_path / ".hidden.txt").write_text("x")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.jsonl").write_text("\n".join(json.dumps({"text": str(i)}) for i in range(5)) + "\n")
    assert estimate_inputs([tmp_path]) == 6
    assert estimate_inputs([tmp_path / "sub" / "b.jsonl", tmp_path / "missing.txt"]) == 6


def test_workers_default_to_all_cores_but_never_exceed_the_batches(monkeypatch):
    monkeypatch.setattr("os.cpu_count", lambda: 8)
    assert plan_workers(None, 10 * BATCH_SIZE, "local") == 8
    assert plan_workers(None, BATCH_SIZE + 1, "local") == 2
    assert plan_workers(4, 0, "local") == 1
    assert plan_workers(4, 0, "ray") == 4
    with pytest.raises(ValueError):
        plan_workers(0, 100, "local")


class CountingMapper:
    """A mapper that 'extracts' instantly and remembers how many batches it was given."""

    workers = 2

    def __init__(self):
        self.submitted = 0

    def submit(self, batch):
        self.submitted += 1
        return [[] for _ in batch]

    def collect(self, handle):
        return handle


def test_batches_are_pulled_lazily_and_results_come_in_input_order():
    """Memory stays flat: an endless input is read only as far as the in-flight window."""
    mapper = CountingMapper()
    window = mapper.workers * IN_FLIGHT_PER_WORKER
    endless = ([Article(f"{i}.txt", f"text {i}")] for i in count())
    results = _map_in_order(mapper, endless, window)
    origins = [next(results)[0].origin for _ in range(10)]
    assert origins == [f"{i}.txt" for i in range(10)]
    assert mapper.submitted <= 10 + window


def test_extract_articles_keeps_input_order(extractor):
    articles = [a for a in read_inputs([EXAMPLES]) if isinstance(a, Article)]
    got = list(extract_articles(articles, workers=1))
    assert [a.origin for a, _ in got] == [a.origin for a in articles]
    assert [facts for _, facts in got] == [facts for _, facts in extractor.extract_many(articles)]
