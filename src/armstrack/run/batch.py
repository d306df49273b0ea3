"""Batch ingest: stream articles from inputs through parallel extractors into the store.

    # 1. read     (parent)   read_inputs streams Article | InputFailure, one at a time
    # 2. filter   (parent)   an article stored by this extractor version only gains its origin
    # 3. extract  (workers)  batches of BATCH_SIZE articles, one loaded Extractor per worker
    # 4. store    (parent)   Store.add_article, one transaction per article, in input order

The parent is the only writer, which is what SQLite wants and what keeps
results in input order whatever the engine. Engines (``engines.py`` in-process
and multiprocessing, ``ray_engine.py`` Ray actors) only map batches of articles
to facts; at most ``IN_FLIGHT_PER_WORKER`` batches per worker are queued, so
memory stays flat however large the input.
"""
from __future__ import annotations

import logging
import math
import os
import time
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Protocol

from armstrack.run.engines import BatchMapper, Outcome, open_mapper
from armstrack.read.ingest import FOLDER_NOTES_SUFFIXES, read_inputs
from armstrack.limits import ARTICLE_TIME_LIMIT
from armstrack.model import Article, InputFailure
from armstrack.quality.scorer import current_extractor_version
from armstrack.store.db import Store, open_store

log = logging.getLogger(__name__)

# Articles per batch sent to a worker: spaCy's own pipe batch (pipeline.PIPE_BATCH_SIZE), so one
# message carries one nlp.pipe batch; 16 news articles are ~50-150 kB to pickle, well under 1 % of
# the time to parse them.
BATCH_SIZE = 16
# Batches queued per worker: one being parsed and one waiting, so no worker idles while the parent
# writes, and no more than 2 x workers x BATCH_SIZE articles are held in memory.
IN_FLIGHT_PER_WORKER = 2
ENGINES = ("local", "ray")
COUNT_CHUNK_BYTES = 1 << 20  # JSONL files are counted in 1 MB reads


class IngestProgress(Protocol):
    """What a caller (the CLI's progress bar) is told while a batch runs."""

    def start(self, total_estimate: int, workers: int) -> None: ...

    def update(self, done: int, failed: int) -> None: ...

    def failure(self, failure: InputFailure) -> None: ...


@dataclass(frozen=True)
class IngestSummary:
    """What one ingest did; ``known`` articles were already stored by this extractor version."""

    added: int
    updated: int
    known: int
    facts_written: int
    failures: tuple[InputFailure, ...]
    seconds: float
    workers: int
    engine: str
    store_articles: int
    store_facts: int

    @property
    def articles(self) -> int:
        return self.added + self.updated + self.known

    @property
    def articles_per_second(self) -> float:
        return self.articles / self.seconds if self.seconds > 0 else 0.0


def ingest_paths(
    paths: Iterable[str | Path], db: str, *, workers: int | None = None, engine: str = "local",
    address: str | None = None, progress: IngestProgress | None = None, model: str | None = None,
    time_limit: float | None = ARTICLE_TIME_LIMIT,
) -> IngestSummary:
    """Extract the facts of every article under ``paths`` and store them in ``db``.

    Args:
        paths: files and folders, as ``read_inputs`` takes them.
        db: SQLite path or SQLAlchemy URL.
        workers: extraction processes (default: all cores); never more than there are batches.
        engine: "local" (this machine's processes) or "ray" (actors on a Ray cluster).
        address: Ray cluster address (``ray://host:10001``); None starts a local Ray.
        progress: told the estimated total, each failure and the running counts.
        model: spaCy model name (default: the configured one).
        time_limit: seconds one article may take to extract (limits.py); None for no limit.

    Returns:
        The counts, failures and timing of the run.
    """
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}; expected one of {ENGINES}")
    paths = [paths] if isinstance(paths, (str, Path)) else list(paths)
    started = time.perf_counter()
    total = estimate_inputs(paths)
    workers = plan_workers(workers, total, engine)
    run = _Run(progress, current_extractor_version())  # the scorer and threshold the workers will load
    if progress:
        progress.start(total, workers)
    with open_store(db) as store:
        fresh = _fresh(read_inputs(paths), store, run)
        for article, outcome in extract_articles(fresh, workers=workers, engine=engine, address=address,
                                                 model=model, time_limit=time_limit):
            run.stored(store, article, outcome)
        counts = store.counts()
    return IngestSummary(run.added, run.updated, run.known, run.facts, tuple(run.failures),
                         time.perf_counter() - started, workers, engine, counts["articles"], counts["facts"])


def extract_articles(
    articles: Iterable[Article], *, workers: int = 1, engine: str = "local", address: str | None = None,
    model: str | None = None, time_limit: float | None = ARTICLE_TIME_LIMIT,
) -> Iterator[tuple[Article, Outcome]]:
    """Each article with its facts (or the InputFailure of a broken extraction), in input order.

    Streams: articles are pulled from ``articles`` only as workers free up. The
    workers start when iteration begins and end with it (also when abandoned early).
    """
    with open_mapper(engine, workers, model=model, address=address, limit=time_limit) as mapper:
        batches = _batches(iter(articles))
        yield from _map_in_order(mapper, batches, workers * IN_FLIGHT_PER_WORKER)


def plan_workers(requested: int | None, total_estimate: int, engine: str) -> int:
    """All cores by default, but never more workers than batches: a worker costs a model load."""
    wanted = requested if requested is not None else (os.cpu_count() or 1)
    if wanted < 1:
        raise ValueError(f"workers must be at least 1, not {wanted}")
    if engine == "local":
        wanted = min(wanted, max(1, math.ceil(total_estimate / BATCH_SIZE)))
    return wanted


def estimate_inputs(paths: Iterable[str | Path]) -> int:
    """How many articles ``read_inputs`` will yield, about: files plus JSONL lines, for the ETA."""
    total = 0
    for path in map(Path, paths):
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs[:] = [d for d in dirs if not d.startswith(".")]
                total += sum(_count_file(Path(root, f)) for f in files
                             if not f.startswith(".") and Path(f).suffix.lower() not in FOLDER_NOTES_SUFFIXES)
        else:
            total += _count_file(path)
    return total


def _count_file(path: Path) -> int:
    """One article per file (a bad or unsupported file is one reported failure), one per JSONL line."""
    if path.suffix.lower() != ".jsonl":
        return 1
    try:
        with path.open("rb") as fh:
            return sum(chunk.count(b"\n") for chunk in iter(lambda: fh.read(COUNT_CHUNK_BYTES), b""))
    except OSError:
        return 1  # read_inputs will report it


class _Run:
    """Running counts of one ingest, reported to the progress sink as they change."""

    def __init__(self, progress: IngestProgress | None, version: str):
        self.progress = progress
        self.version = version
        self.added = self.updated = self.known = self.facts = 0
        self.failures: list[InputFailure] = []

    def tick(self) -> None:
        if self.progress:
            self.progress.update(self.added + self.updated + self.known, len(self.failures))

    def failed(self, failure: InputFailure) -> None:
        self.failures.append(failure)
        if self.progress:
            self.progress.failure(failure)
        self.tick()

    def stored(self, store: Store, article: Article, outcome: Outcome) -> None:
        if isinstance(outcome, InputFailure):
            self.failed(outcome)
            return
        result = store.add_article(article, outcome, self.version)
        if result.created:
            self.added += 1
        elif result.facts_written:
            self.updated += 1
        else:
            self.known += 1  # an identical text earlier in this same input
        self.facts += result.facts_written
        self.tick()


def _fresh(items: Iterator[Article | InputFailure], store: Store, run: _Run) -> Iterator[Article]:
    """Articles that need parsing; failures are counted, known articles only gain their origin."""
    for item in items:
        if isinstance(item, InputFailure):
            run.failed(item)
        elif store.extractor_version_of(item.content_hash) == run.version:
            store.add_article(item, [], run.version)
            run.known += 1
            run.tick()
        else:
            yield item


def _batches(articles: Iterator[Article]) -> Iterator[list[Article]]:
    while batch := list(islice(articles, BATCH_SIZE)):
        yield batch


def _map_in_order(mapper: BatchMapper, batches: Iterator[list[Article]],
                  window: int) -> Iterator[tuple[Article, Outcome]]:
    """Submit batches ahead up to ``window`` and yield results in input order."""
    pending: deque = deque()
    for batch in batches:
        pending.append((batch, mapper.submit(batch)))
        if len(pending) >= window:
            done, handle = pending.popleft()
            yield from zip(done, mapper.collect(handle), strict=True)
    while pending:
        done, handle = pending.popleft()
        yield from zip(done, mapper.collect(handle), strict=True)
