"""Hostile data for the security tests: the XSS payload corpus and a store whose every text field carries one.

Not fixtures themselves (test modules wrap them). Each payload becomes one
article: its text (with the payload inside the evidence sentence), its outlet,
URL and id or origin, and the names of an organisation and a system of its one
fact, so one store exercises every place the page and the exports show stored text.
"""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, inspect, select

from armstrack.model import Article, Fact, Participant, System, TimeSpan
from armstrack.store.db import metadata, open_store

PAYLOADS_FILE = Path(__file__).resolve().parent / "data" / "xss_payloads.txt"
HOSTILE_VERSION = "hostile-test"
PUBLISHED = "2024-05-01"
ORIGIN_PREFIX = "hostile/"


def xss_payloads() -> list[str]:
    """The payloads of ``data/xss_payloads.txt`` (blank lines and "# " comments skipped)."""
    lines = PAYLOADS_FILE.read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line and not line.startswith("# ") and line != "#"]


def evidence_of(payload: str) -> str:
    return f"Turkey will deliver {payload} drones to Kazakhstan in 2025 under a contract with the ministry"


def hostile_article(i: int, payload: str) -> tuple[Article, Fact]:
    """Article ``i``: the payload in its text, outlet, URL and id (odd i) or origin (even i: no id)."""
    evidence = evidence_of(payload)
    text = (f"{evidence}, officials said on Tuesday.\n\nThe supplier, {payload}, declined to comment on "
            f"the deal, article {i} of the hostile set.")
    article = Article(origin=f"{ORIGIN_PREFIX}{i}/{payload}", text=text, id=payload if i % 2 else None,
                      url=payload, published=PUBLISHED, outlet=payload)
    fact = Fact(type="arms_transfer", status="planned", evidence=evidence, confidence=0.9,
                participants=(Participant("supplier", payload, "organization", "Turkey"),
                              Participant("recipient", "Kazakhstan", "country", "Kazakhstan")),
                systems=(System(payload, "uav"),), time=TimeSpan("in 2025", "2025"))
    return article, fact


def add_hostile(db: str) -> list[str]:
    """Add one hostile article per payload to the store at ``db``; returns the payloads."""
    payloads = xss_payloads()
    with open_store(db) as store:
        for i, payload in enumerate(payloads):
            article, fact = hostile_article(i, payload)
            store.add_article(article, [fact], HOSTILE_VERSION)
    return payloads


def snapshot(db: str) -> dict[str, int]:
    """Every table of the store with its row count: equal before and after means nothing was dropped or written."""
    with open_store(db) as store:
        engine = store.engine
        names = set(inspect(engine).get_table_names())
        assert names >= {t.name for t in metadata.sorted_tables}, "a table is missing"
        with engine.connect() as conn:
            return {t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
                    for t in metadata.sorted_tables}
