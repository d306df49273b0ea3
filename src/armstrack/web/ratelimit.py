"""A per-client token bucket: how often one client may ingest through the API.

Ingesting runs the extractor (tens of milliseconds to a second per article)
and writes to the store under one lock, so a client posting in a loop would
starve everyone else. Each client (the peer's IP address: behind a reverse
proxy every client shares the proxy's, so limit there too) gets a bucket of
``per_minute`` tokens that refills continuously; a request takes one, and an
empty bucket answers with how many seconds until the next one. Bulk loading
belongs to ``armstrack ingest``, which has no limit.
"""
from __future__ import annotations

import threading
import time
from typing import Callable

INGEST_PER_MINUTE = 30  # one analyst pasting articles by hand never reaches it; a script looping does
MAX_TRACKED_CLIENTS = 10_000  # past this, idle buckets are forgotten (then the oldest): memory stays bounded


class RateLimiter:
    """Up to ``per_minute`` requests per client per minute, in bursts of at most ``per_minute``.

    ``per_minute`` 0 turns the limit off. ``clock`` is monotonic seconds (tests move it).
    """

    def __init__(self, per_minute: int = INGEST_PER_MINUTE, *, clock: Callable[[], float] = time.monotonic):
        if per_minute < 0:
            raise ValueError("per_minute must be 0 (no limit) or more")
        self.per_minute, self.clock = per_minute, clock
        self._buckets: dict[str, tuple[float, float]] = {}  # client -> (tokens, when counted)
        self._lock = threading.Lock()

    def take(self, client: str) -> float:
        """Take one token for ``client``: 0.0 if it may go ahead, else the seconds to wait."""
        if not self.per_minute:
            return 0.0
        rate = self.per_minute / 60.0  # tokens per second
        with self._lock:
            now = self.clock()
            tokens, then = self._buckets.get(client, (float(self.per_minute), now))
            tokens = min(float(self.per_minute), tokens + (now - then) * rate)
            if tokens >= 1.0:
                self._buckets[client] = (tokens - 1.0, now)
                self._forget_idle(now, rate)
                return 0.0
            self._buckets[client] = (tokens, now)
            return (1.0 - tokens) / rate

    def _forget_idle(self, now: float, rate: float) -> None:
        if len(self._buckets) <= MAX_TRACKED_CLIENTS:
            return
        full = [c for c, (tokens, then) in self._buckets.items() if tokens + (now - then) * rate >= self.per_minute]
        for client in full:
            del self._buckets[client]
        if len(self._buckets) > MAX_TRACKED_CLIENTS:  # many clients at once: the longest unseen start afresh
            by_age = sorted(self._buckets, key=lambda c: self._buckets[c][1])
            for client in by_age[:len(by_age) - MAX_TRACKED_CLIENTS // 2]:
                del self._buckets[client]
