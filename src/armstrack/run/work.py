"""One unit of work for any engine: extract a batch of articles under the time limits.

The local pool (``engines.py``) and the Ray actors (``ray_engine.py``) both run this,
so neither engine imports the other for it.
"""
from __future__ import annotations

import logging

from armstrack.limits import ARTICLE_TIME_LIMIT, TimeLimitExceeded, time_limit
from armstrack.model import Fact, InputFailure, Article

log = logging.getLogger(__name__)

# The hard limit leaves the soft one (limits.time_limit) time to act first: a batch may use its
# soft limit once as a whole and once per article when redone one by one, plus this grace.
HARD_LIMIT_GRACE = 10.0

Outcome = list[Fact] | InputFailure


def extract_batch(extractor, articles: list[Article], limit: float | None = ARTICLE_TIME_LIMIT) -> list[Outcome]:
    """Facts of each article, parsed as one ``nlp.pipe`` batch within ``limit`` seconds.

    Should the batch raise or run out of time (an extractor bug or a pathological
    text), its articles are redone one by one, each with its own ``limit``, so that
    only the article at fault fails, with its reason.
    """
    results = extractor.extract_many(articles)
    try:
        with time_limit(limit):
            return [facts for _, facts in results]
    except TimeLimitExceeded:
        log.warning("a batch of %d articles ran out of time; retrying one by one", len(articles))
    except Exception:  # the batch is the unit of work; isolate the culprit below
        log.exception("extraction of a batch of %d articles failed; retrying one by one", len(articles))
    finally:
        results.close()  # finish the interrupted nlp.pipe now, not in a garbage collection under a later limit
    return [extract_one(extractor, article, limit) for article in articles]


def extract_one(extractor, article: Article, limit: float | None = ARTICLE_TIME_LIMIT) -> Outcome:
    """One article's facts, or its failure with a reason (never raises for the article's sake)."""
    try:
        with time_limit(limit):
            return extractor.extract(article)
    except TimeLimitExceeded as exc:
        log.warning("%s: extraction %s", article.origin, exc)
        return InputFailure(article.origin, f"extraction {exc}")
    except Exception as exc:  # recorded as this article's failure; the rest of the batch goes on
        log.exception("%s: extraction failed", article.origin)
        return InputFailure(article.origin, f"extraction failed: {type(exc).__name__}: {exc}")


def hard_limit(articles: int, limit: float | None) -> float | None:
    """Seconds after which a worker on a batch of ``articles`` is presumed hung and killed."""
    return None if not limit else limit * (articles + 1) + HARD_LIMIT_GRACE
