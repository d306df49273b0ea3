"""Soak: ingest many generated articles from one JSONL file and show that memory stays flat.

Generates N articles by resampling corpus sentences (``sample_corpus.py``), streams them to a
JSONL file, ingests it into a fresh SQLite store with ``batch.ingest_paths`` and prints the
elapsed time, articles/s and peak RSS of the parent and of the worker processes
(``resource.getrusage``). Peak RSS is also sampled after each tenth of the input, so a leak
shows as a rising column; flat means streaming works.

Usage: .venv/bin/python benchmarks/soak_ingest.py [--articles 10000] [--workers 2]
"""
from __future__ import annotations

import argparse
from multiprocessing import forkserver
import resource
import tempfile
import time
from pathlib import Path

from sample_corpus import write_jsonl

from armstrack.run.batch import ingest_paths

CHECKPOINTS = 10  # RSS samples over the run


def peak_rss_mb(who: int = resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # Linux reports kB


class RssProgress:
    """Prints the parent's peak RSS at every tenth of the input."""

    def __init__(self):
        self.total = 0
        self.next_mark = 1
        self.started = time.perf_counter()

    def start(self, total_estimate: int, workers: int) -> None:
        self.total = total_estimate
        print(f"ingesting ~{total_estimate} articles with {workers} workers")

    def update(self, done: int, failed: int) -> None:
        if self.total and done + failed >= self.next_mark * self.total / CHECKPOINTS:
            elapsed = time.perf_counter() - self.started
            print(f"  {done + failed:>7} done  {elapsed:7.1f} s  {(done + failed) / elapsed:6.1f} articles/s  "
                  f"parent peak RSS {peak_rss_mb():7.1f} MB")
            self.next_mark += 1

    def failure(self, failure) -> None:
        print(f"  failed: {failure.origin}: {failure.reason}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=None, help="default: all cores")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        inputs = write_jsonl(Path(tmp) / "feed.jsonl", args.articles, args.seed)
        print(f"input: {inputs.stat().st_size / 2**20:.1f} MB JSONL")
        summary = ingest_paths([inputs], str(Path(tmp) / "soak.db"), workers=args.workers, progress=RssProgress())
        db_mb = (Path(tmp) / "soak.db").stat().st_size / 2**20
    print(f"\n{summary.articles} articles ({summary.added} new, {len(summary.failures)} failed), "
          f"{summary.store_facts} facts in {summary.seconds:.1f} s: {summary.articles_per_second:.1f} articles/s "
          f"with {summary.workers} workers; store {db_mb:.0f} MB")
    # workers are children of multiprocessing's fork server: stop (and so wait for) it to count them
    forkserver._forkserver._stop()
    print(f"peak RSS: parent {peak_rss_mb():.0f} MB, largest worker {peak_rss_mb(resource.RUSAGE_CHILDREN):.0f} MB")


if __name__ == "__main__":
    main()
