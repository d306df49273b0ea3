"""Extraction on Ray: one actor per worker, each holding one loaded Extractor.

Batches go to the actors in turn and their results come back in input order to
the caller (``batch.ingest_paths``), which writes them through the store: the
same code path as the local engine, so both give identical facts. Without an
address a local Ray is started for this run and shut down after it; with one
(``ray://head:10001``) the actors run on the cluster, whose nodes need armstrack
and its spaCy model installed (the same ``make`` or ``pip install`` as here).
"""
from __future__ import annotations

import logging
from itertools import cycle

from armstrack.engines import Outcome, extract_batch
from armstrack.limits import ARTICLE_TIME_LIMIT
from armstrack.model import Article

log = logging.getLogger(__name__)

# A local Ray's shared-memory object store: batches are ~100 kB, so 256 MB holds every batch in
# flight many times over, instead of Ray's default 30 % of RAM.
LOCAL_OBJECT_STORE_BYTES = 256 * 1024 * 1024
ACTOR_CPUS = 1  # spaCy parsing is single-threaded: one core per actor


class _ExtractorActor:
    """Lives in a Ray worker process; loads the model once."""

    def __init__(self, model: str | None, limit: float | None):
        from armstrack.pipeline import Extractor

        self.extractor = Extractor(model=model)
        self.limit = limit

    def extract(self, batch: list[Article]) -> list[Outcome]:
        return extract_batch(self.extractor, batch, self.limit)


class RayMapper:
    """``workers`` Ray actors; ``submit`` returns an object ref, ``collect`` gets it."""

    def __init__(self, workers: int, model: str | None, address: str | None,
                 limit: float | None = ARTICLE_TIME_LIMIT):
        import ray

        self._ray = ray
        self._owns_ray = not ray.is_initialized()
        if self._owns_ray:
            if address:
                ray.init(address=address, log_to_driver=False)
            else:
                ray.init(num_cpus=workers, include_dashboard=False, log_to_driver=False,
                         object_store_memory=LOCAL_OBJECT_STORE_BYTES, configure_logging=False)
        actor_class = ray.remote(num_cpus=ACTOR_CPUS)(_ExtractorActor)
        self.workers = workers
        self._actors = [actor_class.remote(model, limit) for _ in range(workers)]
        self._next = cycle(self._actors)
        log.info("ray: %d extractor actors on %s", workers, address or "a local Ray")

    def submit(self, batch: list[Article]):
        return next(self._next).extract.remote(batch)

    def collect(self, handle) -> list[Outcome]:
        return self._ray.get(handle)

    def close(self) -> None:
        for actor in self._actors:
            self._ray.kill(actor)
        if self._owns_ray:
            self._ray.shutdown()
