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

from armstrack.run.work import Outcome, extract_batch, hard_limit
from armstrack.limits import ARTICLE_TIME_LIMIT
from armstrack.model import Article, InputFailure

log = logging.getLogger(__name__)

# A local Ray's shared-memory object store: batches are ~100 kB, so 256 MB holds every batch in
# flight many times over, instead of Ray's default 30 % of RAM.
LOCAL_OBJECT_STORE_BYTES = 256 * 1024 * 1024
ACTOR_CPUS = 1  # spaCy parsing is single-threaded: one core per actor
SINGLE_ATTEMPTS = 2  # an article redone alone after its actor died: once more on a fresh actor


class _ExtractorActor:
    """Lives in a Ray worker process; loads the model once."""

    def __init__(self, model: str | None, limit: float | None):
        from armstrack.extract.pipeline import Extractor

        self.extractor = Extractor(model=model)
        self.limit = limit

    def extract(self, batch: list[Article]) -> list[Outcome]:
        return extract_batch(self.extractor, batch, self.limit)


class RayMapper:
    """``workers`` Ray actors; ``submit`` returns an object ref, ``collect`` gets it.

    As in the local pool, an actor that dies (its node lost, the OOM killer) or
    stops answering within the hard limit (engines.hard_limit) is replaced, and
    its batch is redone article by article so only the article at fault fails.
    """

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
        self._actor_class = ray.remote(num_cpus=ACTOR_CPUS)(_ExtractorActor)
        self._model, self.limit = model, limit
        self.workers = workers
        self._actors = [self._new_actor() for _ in range(workers)]
        self._turn = cycle(range(workers))
        log.info("ray: %d extractor actors on %s", workers, address or "a local Ray")

    def _new_actor(self):
        return self._actor_class.remote(self._model, self.limit)

    def submit(self, batch: list[Article]):
        slot = next(self._turn)
        return batch, slot, self._actors[slot].extract.remote(batch)

    def collect(self, handle) -> list[Outcome]:
        batch, slot, ref = handle
        try:
            return self._get(ref, len(batch))
        except self._lost as exc:
            log.warning("ray actor %d %s on a batch of %d articles; redoing them one by one",
                        slot, _what_happened(exc), len(batch))
            self._replace(slot)
        return [self._one(article) for article in batch]

    def _one(self, article: Article) -> Outcome:
        """The article alone; an actor found dead (killed with the others, not by this article) gets
        one fresh replacement before the article is blamed."""
        for attempt in range(SINGLE_ATTEMPTS):
            slot = next(self._turn)
            try:
                return self._get(self._actors[slot].extract.remote([article]), 1)[0]
            except self._lost as exc:
                self._replace(slot)
                if attempt + 1 < SINGLE_ATTEMPTS and not isinstance(exc, self._timeout):
                    continue
                reason = f"extraction stopped: its Ray actor {_what_happened(exc)}"
                log.error("%s: %s", article.origin, reason)
                return InputFailure(article.origin, reason)
        raise AssertionError("unreachable")

    def _get(self, ref, articles: int) -> list[Outcome]:
        return self._ray.get(ref, timeout=hard_limit(articles, self.limit))

    @property
    def _timeout(self) -> type[BaseException]:
        from ray.exceptions import GetTimeoutError

        return GetTimeoutError

    @property
    def _lost(self) -> tuple[type[BaseException], ...]:
        from ray.exceptions import GetTimeoutError, RayActorError, WorkerCrashedError

        return GetTimeoutError, RayActorError, WorkerCrashedError

    def _replace(self, slot: int) -> None:
        self._ray.kill(self._actors[slot])
        self._actors[slot] = self._new_actor()

    def close(self) -> None:
        for actor in self._actors:
            self._ray.kill(actor)
        if self._owns_ray:
            self._ray.shutdown()


def _what_happened(exc: BaseException) -> str:
    from ray.exceptions import GetTimeoutError

    return "did not answer in time and was replaced" if isinstance(exc, GetTimeoutError) else "died and was replaced"
