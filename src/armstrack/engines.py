"""Where extraction runs: in this process, in local worker processes, or on Ray actors.

Every engine maps a batch of articles to one outcome per article (its facts, or
an ``InputFailure`` when extraction itself broke) and loads the NLP model once
per worker. ``submit`` returns a handle at once and ``collect`` waits for it, so
``batch._map_in_order`` can keep a bounded number of batches in flight.
"""
from __future__ import annotations

import functools
import logging
import multiprocessing
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Protocol

from armstrack.model import Article, Fact, InputFailure

log = logging.getLogger(__name__)

# spawn, not fork: a forked child would inherit the parent's open database connections and threads
# (rich's progress refresher); each worker imports armstrack afresh and loads its own model.
START_METHOD = "spawn"

Outcome = list[Fact] | InputFailure


class BatchMapper(Protocol):
    workers: int

    def submit(self, batch: list[Article]) -> Any: ...

    def collect(self, handle: Any) -> list[Outcome]: ...


def extract_batch(extractor, articles: list[Article]) -> list[Outcome]:
    """Facts of each article, parsed as one ``nlp.pipe`` batch.

    Should the batch raise (an extractor bug on one odd text), its articles are
    redone one by one so that only the article that breaks fails, with its reason.
    """
    try:
        return [facts for _, facts in extractor.extract_many(articles)]
    except Exception:  # the batch is the unit of work; isolate the culprit below
        log.exception("extraction of a batch of %d articles failed; retrying one by one", len(articles))
    out: list[Outcome] = []
    for article in articles:
        try:
            out.append(extractor.extract(article))
        except Exception as exc:  # recorded as this article's failure; the rest of the batch goes on
            log.exception("%s: extraction failed", article.origin)
            out.append(InputFailure(article.origin, f"extraction failed: {type(exc).__name__}: {exc}"))
    return out


@functools.lru_cache(maxsize=2)
def shared_extractor(model: str | None):
    """This process's Extractor for ``model``, loaded on first use: a process that ingests many
    times (a server, a test session) loads the model once."""
    from armstrack.pipeline import Extractor

    return Extractor(model=model)


class InlineMapper:
    """One worker: this process, no start-up cost (also what a small input gets)."""

    def __init__(self, model: str | None):
        self.workers = 1
        self.extractor = shared_extractor(model)

    def submit(self, batch: list[Article]) -> list[Outcome]:
        return extract_batch(self.extractor, batch)

    def collect(self, handle: list[Outcome]) -> list[Outcome]:
        return handle


_worker_extractor = None  # one per worker process, set by _init_worker
_worker_error: Exception | None = None


def _init_worker(model: str | None) -> None:
    """Load the model; keep (not raise) an error, which a Pool would answer by respawning forever."""
    global _worker_extractor, _worker_error
    from armstrack.pipeline import Extractor

    try:
        _worker_extractor = Extractor(model=model)
    except Exception as exc:  # raised again with the first batch, in the parent
        _worker_error = exc


def _extract_in_worker(batch: list[Article]) -> list[Outcome]:
    if _worker_error is not None:
        raise _worker_error
    return extract_batch(_worker_extractor, batch)


class PoolMapper:
    """``workers`` local processes, each with its own loaded Extractor."""

    def __init__(self, workers: int, model: str | None):
        self.workers = workers
        context = multiprocessing.get_context(START_METHOD)
        self.pool = context.Pool(workers, initializer=_init_worker, initargs=(model,))

    def submit(self, batch: list[Article]):
        return self.pool.apply_async(_extract_in_worker, (batch,))

    def collect(self, handle) -> list[Outcome]:
        return handle.get()

    def close(self) -> None:
        self.pool.close()
        self.pool.join()

    def terminate(self) -> None:
        self.pool.terminate()
        self.pool.join()


@contextmanager
def open_mapper(engine: str, workers: int, *, model: str | None = None,
                address: str | None = None) -> Iterator[BatchMapper]:
    """The engine's mapper, shut down (workers ended) when the block exits, also on error."""
    if engine == "ray":
        from armstrack.ray_engine import RayMapper

        mapper = RayMapper(workers, model, address)
        try:
            yield mapper
        finally:
            mapper.close()
    elif workers == 1:
        yield InlineMapper(model)
    else:
        pool = PoolMapper(workers, model)
        try:
            yield pool
        except BaseException:
            pool.terminate()
            raise
        pool.close()
