"""Time limits for work on one hostile input: no article may stall a batch.

Two layers, because a hang can sit in Python or in C:

* ``time_limit`` (soft): a SIGALRM timer raising ``TimeLimitExceeded`` in the
  code that runs too long. Python code, and the ``re`` engine, which checks
  signals while it backtracks, are interrupted; the process survives and goes on
  with the next article. Signals only reach the main thread, so off it (an API
  request thread) the limit is not applied and the hard layer must do.
* the hard layer is in the engines (``engines.PoolMapper``, ``ray_engine.RayMapper``):
  a worker that does not answer within its budget (stuck in C code that never
  checks signals) or dies is replaced, and its batch is redone article by article.
"""
from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

# Extraction of the longest article accepted (ingest.MAX_ARTICLE_CHARS, 100,000 characters) takes
# ~5 s on one core of the development machine; 60 s leaves a 10x margin for slower machines.
ARTICLE_TIME_LIMIT = 60.0
# Decoding and cleaning one input (trafilatura on a 5 MB page) takes < 2 s; a page that needs
# more than 30 s is built to stall the parser.
READ_TIME_LIMIT = 30.0
# After the limit, the timer keeps firing at this interval until the limited block has exited.
REARM_SECONDS = 0.1


class TimeLimitExceeded(BaseException):
    """Work on one input took longer than its limit.

    A BaseException, like KeyboardInterrupt: raised wherever the timer fires, it
    must not be swallowed by an ``except Exception`` in the code it interrupts
    (a library's fallback around a date parse, say), which would let the work
    run on unbounded. Only the code that set the limit catches it.
    """

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
        # Fire again soon in case this one is swallowed: raised while the interpreter runs a
        # finaliser (a garbage-collected generator's cleanup, a __del__), an exception is only
        # printed as "ignored", and the work would run on unbounded.
        signal.setitimer(signal.ITIMER_REAL, REARM_SECONDS)
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
