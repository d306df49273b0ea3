"""Nothing lost, nothing duplicated: a hostile batch and a kill loop, each checked against a clean run.

    hostile   writes --bad hostile inputs (hostile_inputs.py) and --good articles, ingests them
              all in one ``armstrack ingest`` run, and checks that every bad input is reported
              with a reason, every good one is stored, and the good ones' facts equal those of a
              run over the good inputs alone.
    killloop  ingests a first part and records review decisions, then ingests a large batch,
              SIGKILLing the ``armstrack ingest`` process --kills times at random points and
              re-running the same command until it finishes; the final store must equal that of
              an uninterrupted run (articles, sources, facts, merged facts, review decisions).

Both print: inputs tried, bad reported, good stored, facts lost, facts duplicated (and exit 1
unless the last two are 0 and every input is accounted for). ``--json`` prints the figures as
one JSON object (what tests/test_reliability.py reads).

Usage:
    .venv/bin/python benchmarks/reliability.py hostile [--bad 1000] [--good 100] [--workers 2]
    .venv/bin/python benchmarks/reliability.py killloop [--articles 400] [--kills 10] [--workers 2]
"""
from __future__ import annotations

import argparse
import json
import os
import random
import resource
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path

from hostile_inputs import BAD, GOOD, write_hostile_batch
from sample_corpus import resampled_articles, write_jsonl

from armstrack.graph.graph import open_graph, review, sync
from armstrack.store.db import open_store

ARMSTRACK = [sys.executable, "-m", "armstrack"]
POLL_SECONDS = 0.05  # how often the kill loop looks at the store's article count
# Reviews made before the large batch, the same in both stores (fixed time, so rows compare equal).
REVIEW_TIME = datetime(2026, 1, 1, 12, 0, 0)
REVIEWS = (("accept", {}), ("reject", {}), ("correct", {"status": "completed"}))


@dataclass
class Report:
    """The figures both checks print."""

    check: str
    inputs_tried: int = 0
    bad_expected: int = 0
    bad_reported: int = 0
    good_expected: int = 0
    good_stored: int = 0
    facts_expected: int = 0
    facts_lost: int = 0
    facts_duplicated: int = 0
    unaccounted: list[str] = field(default_factory=list)
    misjudged: list[str] = field(default_factory=list)
    kills: int = 0
    runs: int = 0
    identical: bool | None = None
    differences: list[str] = field(default_factory=list)
    peak_rss_mb: float = 0.0
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return (not self.facts_lost and not self.facts_duplicated and not self.unaccounted and not self.misjudged
                and self.identical is not False)

    def print(self) -> None:
        print(f"{self.check}: {self.inputs_tried} inputs tried in {self.seconds:.1f} s")
        if self.check == "hostile":
            print(f"  bad reported      {self.bad_reported} of {self.bad_expected}")
            print(f"  good stored       {self.good_stored} of {self.good_expected}")
            print(f"  peak RSS          {self.peak_rss_mb:.0f} MB (largest process of the ingest)")
        else:
            print(f"  kills             {self.kills} (runs {self.runs})")
            print(f"  identical store   {'yes' if self.identical else 'NO'}")
        print(f"  facts expected    {self.facts_expected}")
        print(f"  facts lost        {self.facts_lost}")
        print(f"  facts duplicated  {self.facts_duplicated}")
        for line in (self.unaccounted + self.misjudged + self.differences)[:20]:
            print(f"  ! {line}")
        print("OK" if self.ok else "FAILED")


# -- store snapshots ------------------------------------------------------------------------------

def snapshot(db: str) -> dict[str, dict]:
    """What two stores must agree on, without row ids or ingest times."""
    graph = open_graph(db)  # brings the merged facts up to date
    sync(graph)
    out: dict[str, dict] = {"articles": {}, "facts": {}, "clusters": {}, "reviews": {}}
    with graph.engine.connect() as conn:
        for row in conn.exec_driver_sql(
                "SELECT a.content_hash, s.origin FROM articles a JOIN article_sources s ON s.article_id = a.id"):
            out["articles"].setdefault(row[0], []).append(row[1])
        for row in conn.exec_driver_sql(
                "SELECT f.fact_key, a.content_hash, f.type, f.status, f.time_start, f.evidence FROM facts f "
                "JOIN articles a ON a.id = f.article_id"):
            out["facts"].setdefault(row[0], []).append(list(row[1:]))
        for row in conn.exec_driver_sql(
                "SELECT key, type, status, time_start, n_facts, n_articles, conflicted, review FROM clusters"):
            out["clusters"][row[0]] = list(row[1:])
        for row in conn.exec_driver_sql(
                "SELECT cluster_key, decision, field, value, reviewer, decided_at FROM reviews"):
            out["reviews"].setdefault(row[0], []).append([str(v) for v in row[1:]])
    graph.store.close()
    for value in out["articles"].values():
        value.sort()
    return out


def compare(expected: dict[str, dict], got: dict[str, dict], report: Report, *, facts_of: set[str] | None = None
            ) -> None:
    """Facts lost/duplicated (by fact key) and any difference between two snapshots.

    With ``facts_of`` (article hashes), only those articles and their facts are compared: the
    hostile store also holds articles a clean run never saw, so its merged facts differ by design.
    """
    def kept(part: dict, key_of) -> dict:
        return part if facts_of is None else {k: v for k, v in part.items() if key_of(k, v) in facts_of}

    want = kept(expected["facts"], lambda _k, rows: rows[0][0])
    have = kept(got["facts"], lambda _k, rows: rows[0][0])
    report.facts_expected = len(want)
    report.facts_lost = sum(1 for k in want if k not in have)
    report.facts_duplicated = sum(len(v) - 1 for v in have.values()) + sum(1 for k in have if k not in want)
    for part in ("articles",) if facts_of is not None else ("articles", "clusters", "reviews"):
        mine, theirs = kept(expected[part], lambda k, _v: k), kept(got[part], lambda k, _v: k)
        if mine != theirs:
            missing, extra = set(mine) - set(theirs), set(theirs) - set(mine)
            changed = [k for k in set(mine) & set(theirs) if mine[k] != theirs[k]]
            report.differences.append(f"{part}: {len(missing)} missing, {len(extra)} extra, {len(changed)} changed")


# -- hostile batch --------------------------------------------------------------------------------

def run_hostile(bad: int, good: int, workers: int, seed: int, folder: Path, big: bool = True) -> Report:
    report = Report("hostile")
    started = time.perf_counter()
    texts = [r["text"] for r in resampled_articles(good, seed)]
    manifest = write_hostile_batch(folder / "inputs", texts, bad=bad, seed=seed, big=big)
    report.inputs_tried = len(manifest.expected)
    report.bad_expected, report.good_expected = len(manifest.of(BAD)), len(manifest.of(GOOD))

    reference_db = str(folder / "reference.db")
    _ingest([folder / "inputs" / "good"], reference_db, workers)  # the good inputs alone
    db, failures_file = str(folder / "hostile.db"), folder / "failures.jsonl"
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    code = _ingest([folder / "inputs"], db, workers, "--failures", str(failures_file))
    report.peak_rss_mb = max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024
    if code not in (0, 1):
        report.misjudged.append(f"ingest crashed with exit code {code}")

    reported = {json.loads(line)["origin"]: json.loads(line)["reason"] for line in failures_file.open()}
    stored = set()
    with open_store(db) as store:
        with store.engine.connect() as conn:
            stored = {row[0] for row in conn.exec_driver_sql("SELECT origin FROM article_sources")}
    report.bad_reported = sum(1 for o in manifest.of(BAD) if o in reported)
    report.good_stored = sum(1 for o in manifest.of(GOOD) if o in stored)
    for origin, outcome in manifest.expected.items():
        kind = manifest.kinds[origin]
        if origin in reported and origin in stored:
            report.misjudged.append(f"{kind}: both stored and reported: {origin}")
        elif origin not in reported and origin not in stored:
            report.unaccounted.append(f"{kind}: neither stored nor reported: {origin}")
        elif outcome == GOOD and origin in reported:
            report.misjudged.append(f"{kind}: good input reported: {origin}: {reported[origin]}")
        elif outcome == BAD and origin in stored:
            report.misjudged.append(f"{kind}: bad input stored: {origin}")
    unknown = (set(reported) | stored) - set(manifest.expected)
    report.unaccounted += [f"an input that was not written: {o}" for o in sorted(unknown)[:5]]

    expected, got = snapshot(reference_db), snapshot(db)
    compare(expected, got, report, facts_of=set(expected["articles"]))
    report.seconds = time.perf_counter() - started
    return report


# -- kill loop ------------------------------------------------------------------------------------

def run_killloop(articles: int, kills: int, workers: int, seed: int, folder: Path) -> Report:
    report = Report("killloop")
    started = time.perf_counter()
    first = write_jsonl(folder / "first.jsonl", max(8, articles // 10), seed + 1)
    batch = write_jsonl(folder / "batch.jsonl", articles, seed)
    report.inputs_tried = articles

    reference_db, killed_db = str(folder / "reference.db"), str(folder / "killed.db")
    for db in (reference_db, killed_db):
        _ingest([first], db, workers)
        _review(db)
    if _ingest([batch], reference_db, workers) != 0:
        report.differences.append("the uninterrupted run failed")

    rng = random.Random(seed)
    while report.kills < kills:
        done = _count(killed_db)
        if done >= _count(reference_db):
            break  # finished before the planned kills: the loop needs more articles
        # a random step averaging an equal share of what is left, so that the planned kills fit in
        left, kills_left = _count(reference_db) - done, kills - report.kills
        target = done + rng.randint(1, max(1, 2 * left // (kills_left + 1)))
        report.runs += 1
        if _ingest_until(batch, killed_db, workers, target, rng.uniform(0, 0.3)):
            report.kills += 1
    report.runs += 1
    if _ingest([batch], killed_db, workers) != 0:
        report.differences.append("the final re-run failed")

    expected, got = snapshot(reference_db), snapshot(killed_db)
    compare(expected, got, report)
    report.identical = expected == got
    report.seconds = time.perf_counter() - started
    return report


def _review(db: str) -> None:
    """The same three decisions in both stores: on the first clusters in key order."""
    graph = open_graph(db)
    with graph.engine.connect() as conn:
        keys = [row[0] for row in conn.exec_driver_sql("SELECT key FROM clusters ORDER BY key LIMIT 3")]
    for key, (decision, corrections) in zip(keys, REVIEWS):
        review(graph, key, decision, corrections, reviewer="reliability", now=REVIEW_TIME)
    graph.store.close()


def _ingest_until(inputs: Path, db: str, workers: int, target: int, extra_delay: float) -> bool:
    """Start an ingest, SIGKILL it once the store holds ``target`` articles (plus a little); True if killed."""
    process = subprocess.Popen([*ARMSTRACK, "ingest", str(inputs), "--db", db, "--workers", str(workers), "-q"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while process.poll() is None and _count(db) < target:
        time.sleep(POLL_SECONDS)
    time.sleep(extra_delay)
    if process.poll() is not None:
        return False
    children = _children(process.pid)
    process.send_signal(signal.SIGKILL)
    process.wait()
    _reap(children)
    return True


def _children(pid: int) -> list[int]:
    """Worker processes of ``pid`` (Linux /proc), so that a killed run's orphans can be waited for."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            pass
    return found


def _reap(pids: list[int], timeout: float = 30.0) -> None:
    """Wait for a killed ingest's workers to notice and exit (they see their pipe close)."""
    deadline = time.monotonic() + timeout
    for pid in pids:
        while time.monotonic() < deadline and Path(f"/proc/{pid}").exists() and not _zombie(pid):
            time.sleep(POLL_SECONDS)
        if Path(f"/proc/{pid}").exists() and not _zombie(pid):
            os.kill(pid, signal.SIGKILL)  # an orphan that did not exit by itself


def _zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] == "Z"
    except OSError:
        return True


def _count(db: str) -> int:
    if not Path(db).exists():
        return 0
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
            return conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    except sqlite3.OperationalError:
        return 0  # tables not created yet


def _ingest(paths: list[Path], db: str, workers: int, *extra: str) -> int:
    command = [*ARMSTRACK, "ingest", *map(str, paths), "--db", db, "--workers", str(workers), "-q", *extra]
    return subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="check", required=True)
    hostile = sub.add_parser("hostile", help="one batch of hostile inputs mixed with good articles")
    hostile.add_argument("--bad", type=int, default=1000)
    hostile.add_argument("--good", type=int, default=100)
    hostile.add_argument("--small", action="store_true", help="leave out the 50 MB file and the 10 MB line")
    loop = sub.add_parser("killloop", help="SIGKILL an ingest at random points, re-run, compare")
    loop.add_argument("--articles", type=int, default=400)
    loop.add_argument("--kills", type=int, default=10)
    for p in (hostile, loop):
        p.add_argument("--workers", type=int, default=2)
        p.add_argument("--seed", type=int, default=0)
        p.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        if args.check == "hostile":
            report = run_hostile(args.bad, args.good, args.workers, args.seed, Path(tmp), big=not args.small)
        else:
            report = run_killloop(args.articles, args.kills, args.workers, args.seed, Path(tmp))
    if args.json:
        print(json.dumps(asdict(report) | {"ok": report.ok}))
    else:
        report.print()
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
