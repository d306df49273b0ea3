"""Query latency on a large synthetic store: profile and timeline p50/p95/max.

Generates realistic facts straight through the store layer (``Store.add_article``):
many short articles, each with a few facts whose participants and systems are
drawn from the knowledge files with Zipf-like repetition (a few countries,
firms and systems dominate, as in real defence news), then syncs the graph and
times the queries analysts run most. Countries and pairs to query are drawn
from the same skewed distribution, so the heavy hitters are well represented.

Usage: .venv/bin/python benchmarks/query_latency.py [--facts 100000] [--db /tmp/bench.db] [--queries 300]
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import time
from pathlib import Path

from sqlalchemy import event

from armstrack.graph.graph import Graph, sync
from armstrack.knowledge.load import load_knowledge
from armstrack.model import FACT_TYPES, ROLES, STATUSES, Article, Fact, Participant, System, TimeSpan
from armstrack.graph.query import profile, timeline
from armstrack.graph.resolve import Resolver
from armstrack.store.db import open_store

ZIPF_EXPONENT = 1.1  # rank-frequency slope of entity mentions; ~1 is typical of news text
FACTS_PER_ARTICLE = (1, 9)  # uniform range: short items to long features
ORG_SHARE = 0.6  # how often a participant is an organisation rather than a country
SECOND_SYSTEM_SHARE = 0.2
YEARS = (1990, 2025)
LATENCY_BUDGET_MS = 50.0


def zipf_weights(n: int) -> list[float]:
    return [1.0 / (rank ** ZIPF_EXPONENT) for rank in range(1, n + 1)]


class Generator:
    """Draws articles and facts with skewed entity frequencies from the knowledge files."""

    def __init__(self, seed: int):
        kb = load_knowledge()
        self.rng = random.Random(seed)
        self.countries = list(kb.countries)
        self.rng.shuffle(self.countries)
        self.orgs = list(kb.organizations)
        self.rng.shuffle(self.orgs)
        self.equipment = list(kb.equipment)
        self.rng.shuffle(self.equipment)
        self.wc, self.wo, self.we = (zipf_weights(len(x)) for x in (self.countries, self.orgs, self.equipment))

    def participant(self, role: str) -> Participant:
        if self.rng.random() < ORG_SHARE:
            org = self.rng.choices(self.orgs, self.wo)[0]
            name = self.rng.choice((org.name, *org.aliases)) if org.aliases and self.rng.random() < 0.2 else org.name
            return Participant(role, name, "organization", org.country)
        country = self.rng.choices(self.countries, self.wc)[0]
        return Participant(role, country.name, "country", country.name)

    def fact(self) -> Fact:
        fact_type = self.rng.choice(FACT_TYPES)
        roles = ROLES[fact_type]
        names = [roles[0], roles[-1] if len(roles) > 1 else roles[0]]
        participants = tuple(self.participant(r) for r in names)
        n_systems = 1 + (self.rng.random() < SECOND_SYSTEM_SHARE)
        systems = tuple(System(e.name, e.category) for e in self.rng.choices(self.equipment, self.we, k=n_systems))
        year = self.rng.randint(*YEARS)
        start = f"{year}-{self.rng.randint(1, 12):02d}" if self.rng.random() < 0.5 else str(year)
        return Fact(fact_type, participants, systems, TimeSpan(start, start, None), self.rng.choice(STATUSES),
                    evidence=f"synthetic evidence {self.rng.random():.12f}")

    def article(self, i: int) -> tuple[Article, list[Fact]]:
        facts = [self.fact() for _ in range(self.rng.randint(*FACTS_PER_ARTICLE))]
        year = self.rng.randint(2000, 2025)
        published = f"{year}-{self.rng.randint(1, 12):02d}-{self.rng.randint(1, 28):02d}"
        article = Article(origin=f"synthetic/{i}.txt", text=f"synthetic article {i} {self.rng.random()}",
                          id=f"syn-{i}", published=published, outlet="synthetic")
        return article, facts


def fill(db: str, n_facts: int, seed: int) -> float:
    gen = Generator(seed)
    started = time.perf_counter()
    written = i = 0
    with open_store(db) as store:
        # bulk load: durability is not the point here; new pooled connections skip fsync
        event.listen(store.engine, "connect", lambda dbapi_conn, _rec: dbapi_conn.execute("PRAGMA synchronous=OFF"))
        store.engine.dispose()
        while written < n_facts:
            article, facts = gen.article(i)
            written += store.add_article(article, facts, "synthetic.v1").facts_written
            i += 1
    print(f"generated {written} facts in {i} articles in {time.perf_counter() - started:.1f} s")
    return time.perf_counter() - started


def percentiles(samples_ms: list[float]) -> str:
    ordered = sorted(samples_ms)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return f"p50 {statistics.median(ordered):6.2f} ms   p95 {p95:6.2f} ms   max {ordered[-1]:6.2f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--facts", type=int, default=100_000)
    parser.add_argument("--db", default="/tmp/armstrack-bench.db")
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--reuse", action="store_true", help="Query an existing benchmark store.")
    args = parser.parse_args()

    if not args.reuse:
        for suffix in ("", "-wal", "-shm"):
            Path(args.db + suffix).unlink(missing_ok=True)
        fill(args.db, args.facts, args.seed)
    store = open_store(args.db)
    graph = Graph(store, Resolver(load_knowledge()))
    started = time.perf_counter()
    result = sync(graph)
    print(f"graph sync: {result.new_facts} facts -> clusters in {time.perf_counter() - started:.1f} s")
    counts = store.counts()
    with store.engine.connect() as conn:
        n_clusters = conn.exec_driver_sql("SELECT count(*) FROM clusters").scalar()
    print(f"store: {counts['articles']} articles, {counts['facts']} facts, {n_clusters} merged facts")

    gen = Generator(args.seed + 1)
    countries = [gen.rng.choices(gen.countries, gen.wc)[0].name for _ in range(args.queries)]
    pairs = []
    while len(pairs) < args.queries:
        a, b = (gen.rng.choices(gen.countries, gen.wc)[0].name for _ in range(2))
        if a != b:
            pairs.append((a, b))
    for name, run in (("profile", lambda i: profile(graph, countries[i])),
                      ("timeline", lambda i: timeline(graph, *pairs[i]))):
        run(0)  # warm the page cache once
        samples = []
        sizes = []
        for i in range(args.queries):
            t0 = time.perf_counter()
            out = run(i)
            samples.append((time.perf_counter() - t0) * 1000)
            sizes.append(out.n_facts if name == "profile" else len(out.facts))
        p95_ok = sorted(samples)[int(round(0.95 * (len(samples) - 1)))] < LATENCY_BUDGET_MS
        print(f"{name:<8} x{args.queries}: {percentiles(samples)}   (facts per answer: median "
              f"{statistics.median(sizes):.0f}, max {max(sizes)})   budget {LATENCY_BUDGET_MS:.0f} ms: "
              f"{'OK' if p95_ok else 'OVER'}")
    store.close()
    print(f"db size: {os.path.getsize(args.db) / 1e6:.0f} MB")


if __name__ == "__main__":
    main()
