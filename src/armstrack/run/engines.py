"""Where extraction runs: in this process, in local worker processes, or on Ray actors.

Every engine maps a batch of articles to one outcome per article (its facts, or
an ``InputFailure`` when extraction itself broke or ran out of time) and loads
the NLP model once per worker. ``submit`` returns a handle at once and
``collect`` waits for it, so ``batch._map_in_order`` can keep a bounded number
of batches in flight.

Time limits (limits.py): every engine applies the soft per-article limit in
``extract_batch``; the local process pool and the Ray engine add the hard one,
replacing a worker that stops answering (a hang in C code) or dies, and redoing
its batch article by article.
"""
from __future__ import annotations

import functools
import logging
import multiprocessing
from collections.abc import Iterator
from concurrent.futures import TimeoutError as FuturesTimeout
from contextlib import contextmanager
from typing import Any, Protocol

from pebble import ProcessExpired

from armstrack.limits import ARTICLE_TIME_LIMIT
from armstrack.model import Article, InputFailure
from armstrack.run.work import Outcome, extract_batch, extract_one, hard_limit

log = logging.getLogger(__name__)

# forkserver, not fork: a child forked from the parent would inherit its open database connections
# and threads (rich's progress refresher). The fork server is a clean process started once per
# parent; it imports ``warm_worker``, which loads the default Extractor, so every worker forked
# from it starts with the model in (copy-on-write) memory instead of spending ~2 s loading its own
# (measured: 2 workers ready in 3.2 s with spawn + load, 0.3 s from the warm fork server).
START_METHOD = "forkserver"
WARM_MODULE = "armstrack.run.warm_worker"
class BatchMapper(Protocol):
    workers: int

    def submit(self, batch: list[Article]) -> Any: ...

    def collect(self, handle: Any) -> list[Outcome]: ...


@functools.lru_cache(maxsize=2)
def shared_extractor(model: str | None):
    """This process's Extractor for ``model``, loaded on first use: a process that ingests many
    times (a server, a test session) loads the model once."""
    from armstrack.extract.pipeline import Extractor

    return Extractor(model=model)


class InlineMapper:
    """One worker: this process, no start-up cost (also what a small input gets).

    Only the soft time limit applies here: a hang in C code would hang the run.
    """

    def __init__(self, model: str | None, limit: float | None = ARTICLE_TIME_LIMIT):
        self.workers = 1
        self.limit = limit
        self.extractor = shared_extractor(model)

    def submit(self, batch: list[Article]) -> list[Outcome]:
        return extract_batch(self.extractor, batch, self.limit)

    def collect(self, handle: list[Outcome]) -> list[Outcome]:
        return handle


_worker_extractor = None  # one per worker process, set by _init_worker
_worker_error: Exception | None = None
_worker_limit: float | None = ARTICLE_TIME_LIMIT


def _init_worker(model: str | None, limit: float | None = ARTICLE_TIME_LIMIT) -> None:
    """Load the model; keep (not raise) an error, which a pool would answer by respawning forever."""
    global _worker_extractor, _worker_error, _worker_limit
    from armstrack.extract.pipeline import Extractor

    _worker_limit = limit
    try:
        _worker_extractor = _warm_extractor(model) or Extractor(model=model)
    except Exception as exc:  # raised again with the first batch, in the parent
        _worker_error = exc


_preloaded = None  # the fork server's Extractor (warm_worker.py), inherited by every forked worker


def preload() -> None:
    """Load the default Extractor in this process (the fork server), for its forked workers."""
    global _preloaded
    from armstrack.extract.pipeline import Extractor

    _preloaded = Extractor()


def _warm_extractor(model: str | None):
    """The inherited Extractor when it is the one asked for (the default model)."""
    return _preloaded if model is None else None


def _pool_context():
    context = multiprocessing.get_context(START_METHOD)
    context.set_forkserver_preload([WARM_MODULE])
    return context


def _extract_in_worker(batch: list[Article]) -> list[Outcome]:
    if _worker_error is not None:
        raise _worker_error
    return extract_batch(_worker_extractor, batch, _worker_limit)


class PoolMapper:
    """``workers`` local processes, each with its own loaded Extractor (pebble's ProcessPool,
    which can kill and replace one hung worker without disturbing the others)."""

    def __init__(self, workers: int, model: str | None, limit: float | None = ARTICLE_TIME_LIMIT):
        from pebble import ProcessPool

        self.workers = workers
        self.limit = limit
        self.pool = ProcessPool(max_workers=workers, initializer=_init_worker, initargs=(model, limit),
                                context=_pool_context())

    def submit(self, batch: list[Article]):
        return batch, self._schedule(batch)

    def collect(self, handle) -> list[Outcome]:
        batch, future = handle
        try:
            return future.result()
        except (FuturesTimeout, ProcessExpired) as exc:
            log.warning("a worker %s on a batch of %d articles; redoing them one by one",
                        _what_happened(exc, self.limit, len(batch)), len(batch))
        return [self._one(article) for article in batch]

    def _schedule(self, batch: list[Article]):
        return self.pool.schedule(_extract_in_worker, args=(batch,), timeout=hard_limit(len(batch), self.limit))

    def _one(self, article: Article) -> Outcome:
        try:
            return self._schedule([article]).result()[0]
        except (FuturesTimeout, ProcessExpired) as exc:
            reason = f"extraction stopped: its worker process {_what_happened(exc, self.limit, 1)}"
            log.error("%s: %s", article.origin, reason)
            return InputFailure(article.origin, reason)

    def close(self) -> None:
        self.pool.close()
        self.pool.join()

    def terminate(self) -> None:
        self.pool.stop()
        self.pool.join()


def _what_happened(exc: BaseException, limit: float | None, articles: int) -> str:
    if isinstance(exc, FuturesTimeout):
        return f"did not answer within {hard_limit(articles, limit):g} s and was killed"
    return f"died (exit code {getattr(exc, 'exitcode', '?')})"


@contextmanager
def open_mapper(engine: str, workers: int, *, model: str | None = None, address: str | None = None,
                limit: float | None = ARTICLE_TIME_LIMIT) -> Iterator[BatchMapper]:
    """The engine's mapper, shut down (workers ended) when the block exits, also on error."""
    if engine == "ray":
        from armstrack.run.ray_engine import RayMapper

        mapper = RayMapper(workers, model, address, limit)
        try:
            yield mapper
        finally:
            mapper.close()
    elif workers == 1:
        yield InlineMapper(model, limit)
    else:
        pool = PoolMapper(workers, model, limit)
        try:
            yield pool
        except BaseException:
            pool.terminate()
            raise
        pool.close()
