"""Ingest throughput against its floor: bare spaCy parsing of the same texts with the same model.

One run, the same generated texts (corpus sentences resampled, ``sample_corpus.py``), for each
number of processes asked for:

    bare spaCy    nlp.pipe(texts, n_process=N) with armstrack's pipeline (load_nlp): the parse alone
    extract-only  read + clean + parse + recognise + extract (batch.extract_articles), no store
    full ingest   all of that plus writing every article and its facts to a fresh SQLite file

Each figure is wall time from a cold start of its stage, model loads included (spaCy's
n_process forks the loaded model; armstrack's workers fork from a fork server that loads it
once, and that server is stopped before each armstrack stage so none starts warm), which is
what a user running the command waits for. Printed: seconds, articles/s, words/s, and the ratio
armstrack/bare spaCy at the same process count (the target for full ingest is >= 0.7).

Usage: .venv/bin/python benchmarks/throughput.py [--articles 1000] [--workers 1 2]
"""
from __future__ import annotations

import argparse
from multiprocessing import forkserver
import tempfile
import time
from pathlib import Path

from sample_corpus import write_jsonl

from armstrack.run.batch import extract_articles, ingest_paths
from armstrack.read.ingest import read_inputs
from armstrack.model import Article
from armstrack.extract.pipeline import PIPE_BATCH_SIZE
from armstrack.extract.recognise import load_nlp

TARGET_RATIO = 0.7


def bare_spacy(texts: list[str], workers: int, model: str | None) -> float:
    started = time.perf_counter()
    nlp = load_nlp(model)
    for _ in nlp.pipe(texts, batch_size=PIPE_BATCH_SIZE, n_process=workers):
        pass
    return time.perf_counter() - started


def cold_start() -> None:
    """Stop multiprocessing's fork server (and with it the model it holds), as at a new command."""
    forkserver._forkserver._stop()  # private, but the only way short of a new process


def extract_only(inputs: Path, workers: int, model: str | None) -> float:
    cold_start()
    started = time.perf_counter()
    articles = (a for a in read_inputs([inputs]) if isinstance(a, Article))
    for _ in extract_articles(articles, workers=workers, model=model):
        pass
    return time.perf_counter() - started


def full_ingest(inputs: Path, workers: int, model: str | None, folder: Path) -> float:
    cold_start()
    db = folder / f"ingest-{workers}.db"
    summary = ingest_paths([inputs], str(db), workers=workers, model=model)
    assert not summary.failures, summary.failures[:3]
    return summary.seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--model", default=None)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        inputs = write_jsonl(folder / "articles.jsonl", args.articles, args.seed)
        texts = [a.text for a in read_inputs([inputs]) if isinstance(a, Article)]  # what armstrack parses
        n, words = len(texts), sum(len(t.split()) for t in texts)
        print(f"{n} articles, {words} words ({words / n:.0f} words/article)\n")
        print(f"{'stage':<14}{'workers':>8}{'seconds':>10}{'articles/s':>12}{'words/s':>10}{'vs spaCy':>10}")
        rates: dict[tuple[str, int], float] = {}
        for workers in args.workers:
            floor = bare_spacy(texts, workers, args.model)
            stages = (("bare spaCy", floor), ("extract-only", extract_only(inputs, workers, args.model)),
                      ("full ingest", full_ingest(inputs, workers, args.model, folder)))
            for name, seconds in stages:
                rates[name, workers] = n / seconds
                print(f"{name:<14}{workers:>8}{seconds:>10.1f}{n / seconds:>12.1f}{words / seconds:>10.0f}"
                      f"{floor / seconds:>10.2f}")
        print()
        for workers in args.workers:
            ratio = rates["full ingest", workers] / rates["bare spaCy", workers]
            verdict = "meets" if ratio >= TARGET_RATIO else "below"
            print(f"full ingest / bare spaCy with {workers} worker(s): {ratio:.2f} ({verdict} the {TARGET_RATIO} target)")
        base = min(args.workers)
        for workers in args.workers:
            if workers != base:
                for name in ("bare spaCy", "extract-only", "full ingest"):
                    print(f"{name}: {workers} workers {rates[name, workers] / rates[name, base]:.2f}x "
                          f"the throughput of {base}")


if __name__ == "__main__":
    main()
