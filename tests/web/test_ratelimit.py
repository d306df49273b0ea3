"""ratelimit.py: a burst of per_minute, a steady refill, one bucket per client, bounded memory."""
from __future__ import annotations

import pytest

from armstrack.web import ratelimit
from armstrack.web.ratelimit import RateLimiter


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_burst_then_one_every_sixtieth_of_a_minute():
    clock = Clock()
    limiter = RateLimiter(6, clock=clock)  # one token every 10 s
    assert [limiter.take("a") for _ in range(6)] == [0.0] * 6
    assert limiter.take("a") == pytest.approx(10.0)
    clock.now += 4
    assert limiter.take("a") == pytest.approx(6.0)  # refused requests do not push the wait back
    clock.now += 6.01
    assert limiter.take("a") == 0.0 and limiter.take("a") > 0
    clock.now += 3600  # a long pause refills to the burst, not beyond
    assert [limiter.take("a") for _ in range(7)].count(0.0) == 6


def test_clients_have_their_own_buckets():
    limiter = RateLimiter(1, clock=Clock())
    assert limiter.take("10.0.0.1") == 0.0 and limiter.take("10.0.0.1") == pytest.approx(60.0)
    assert limiter.take("10.0.0.2") == 0.0


def test_zero_means_no_limit_and_negative_is_refused():
    limiter = RateLimiter(0, clock=Clock())
    assert all(limiter.take("a") == 0.0 for _ in range(1000))
    with pytest.raises(ValueError):
        RateLimiter(-1)


def test_memory_stays_bounded_under_many_clients(monkeypatch):
    monkeypatch.setattr(ratelimit, "MAX_TRACKED_CLIENTS", 10)
    clock = Clock()
    limiter = RateLimiter(2, clock=clock)
    for i in range(100):
        limiter.take(f"10.0.{i}.1")
        clock.now += 0.01
    assert len(limiter._buckets) <= 10
    recent = "10.0.99.1"
    assert recent in limiter._buckets  # the most recent clients are the ones kept
