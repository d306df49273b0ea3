"""Time limits for work on one hostile input: no article may stall a batch.

Two layers, because a hang can sit in Python or in C:

* ``time_limit`` (soft): a SIGALRM timer raising ``TimeLimitExceeded`` in the
  code that runs too long. Python code, and the ``re`` engine, which checks
  signals while it backtracks, are interrupted; the process survives and goes on
  with the next article. Signals only reach the main thread, so off it (an API
  request thread) the limit is not applied and the hard layer must do.
* the hard layer is in ``engines.PoolMapper``: a worker that does not answer
  within its budget (stuck in C code that never checks signals) is killed and
  replaced, and its batch is redone article by article.
"""
from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from armstrack.errors import ArmstrackError

# Extraction of the longest article accepted (ingest.MAX_ARTICLE_CHARS, 100,000 characters) takes
# ~5 s on one core of the development machine; 60 s leaves a 10x margin for slower machines.
ARTICLE_TIME_LIMIT = 60.0
# Decoding and cleaning one input (trafilatura on a 5 MB page) takes < 2 s; a page that needs
# more than 30 s is built to stall the parser.
READ_TIME_LIMIT = 30.0


class TimeLimitExceeded(ArmstrackError):
    """Work on one input took longer than its limit."""

    def __init__(self, seconds: float):
        super().__init__(f"took longer than the {seconds:g} s limit")
        self.seconds = seconds


def can_interrupt() -> bool:
    """Whether ``time_limit`` works here: on the main thread of a POSIX process."""
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


@contextmanager
def time_limit(seconds: float | None) -> Iterator[None]:
    """Raise ``TimeLimitExceeded`` inside the block once it has run ``seconds``.

    A no-op for ``None``/0 and where signals cannot be used (see ``can_interrupt``).
    Nesting is allowed: an enclosing limit keeps its own remaining time.
    """
    if not seconds or not can_interrupt():
        yield
        return

    def _expired(_signum, _frame):
        raise TimeLimitExceeded(seconds)

    started = time.monotonic()
    previous_handler = signal.signal(signal.SIGALRM, _expired)
    previous_remaining, _ = signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous_handler)
        if previous_remaining:
            left = previous_remaining - (time.monotonic() - started)
            signal.setitimer(signal.ITIMER_REAL, max(left, 0.001))
