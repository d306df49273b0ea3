"""Query, review, export and import commands: thin shells over query.py, graph.py, export.py, backup.py.

Each command opens the graph (``graph.open_graph`` brings it up to date with
the stored facts), calls one library function and renders the result as a
table for people or JSON for scripts. ``register(main)`` adds them to the
``armstrack`` group.
"""
from __future__ import annotations

import csv
import functools
import getpass
import json
import os
import sys
from contextlib import contextmanager
from typing import Any, Callable, Iterator

import click
from rich.console import Console
from rich.table import Table

from armstrack.graph import query
from armstrack.errors import ArmstrackError
from armstrack.model import CATEGORIES, FACT_TYPES, STATUSES
from armstrack.store.db import DEFAULT_DB

FORMATS = ("table", "json")
REVIEWER_ENV = "USER"


@contextmanager
def _graph(db: str) -> Iterator[Any]:
    from armstrack.graph.graph import open_graph

    graph = open_graph(db)
    try:
        yield graph
    finally:
        graph.store.close()


def _common(formats: tuple[str, ...] = FORMATS, rejected: bool = True, confidence: bool = False) -> Callable:
    """The shared options: --db, --format and (for queries) --include-rejected; errors become clean messages."""
    def decorate(fn: Callable) -> Callable:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            try:
                return fn(*args, **kwargs)
            except ArmstrackError as exc:
                raise click.ClickException(str(exc)) from exc

        wrapper = click.option("--format", "fmt", type=click.Choice(formats), default="table",
                               show_default=True)(wrapper)
        wrapper = click.option("--db", default=DEFAULT_DB, show_default=True,
                               help="SQLite file or SQLAlchemy URL.")(wrapper)
        if rejected:
            wrapper = click.option("--include-rejected", is_flag=True,
                                   help="Also show facts an analyst rejected.")(wrapper)
        if confidence:
            wrapper = click.option("--min-confidence", type=click.FloatRange(0, 1), default=None,
                                   help="Only facts with a report extracted at this confidence or more "
                                        "(the calibrated probability an analyst accepts it; default: all stored).")(wrapper)
        return wrapper
    return decorate


def _json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


def _when(f: query.FactView) -> str:
    if f.time_start and f.time_end and f.time_end != f.time_start:
        return f"{f.time_start}–{f.time_end}"
    return f.time_start or "undated"


def _fact_table(title: str, facts: list[query.FactView]) -> Table:
    table = Table(title=title, show_lines=True)
    for col in ("id", "when", "type", "participants", "systems", "status", "sources"):
        table.add_column(col, overflow="fold")
    for f in facts:
        flags = [x for x, on in (("CONFLICT", f.conflicted), (f.review.upper(), f.review != "unreviewed")) if on]
        table.add_row(
            f.id, _when(f), f.type, "\n".join(f"{p['role']}: {p['name']}" for p in f.participants),
            ", ".join(s["name"] for s in f.systems), " ".join([f.status or "", *flags]),
            f"{f.corroboration}× " + ", ".join(f.articles))
    return table


def _print(renderable: Any) -> None:
    Console(soft_wrap=False).print(renderable)


@click.command()
@click.argument("country_a")
@click.argument("country_b")
@_common(confidence=True)
def timeline(country_a: str, country_b: str, db: str, fmt: str, include_rejected: bool,
             min_confidence: float | None) -> None:
    """Two countries' cooperation in date order, with type, systems, status and sources.

    Example: armstrack timeline Turkey Kazakhstan --db armstrack.db
    """
    with _graph(db) as g:
        result = query.timeline(g, country_a, country_b, include_rejected=include_rejected,
                                min_confidence=min_confidence)
    if fmt == "json":
        return _json(result.to_dict())
    _print(_fact_table(f"{result.countries[0]} – {result.countries[1]}: {len(result.facts)} facts", result.facts))


@click.command()
@click.argument("country")
@click.option("--latest", default=query.LATEST_FACTS, show_default=True, help="How many latest facts to list.")
@_common()
def profile(country: str, latest: int, db: str, fmt: str, include_rejected: bool) -> None:
    """A country's partners ranked by facts, equipment by origin, organisations and latest facts.

    Example: armstrack profile Kazakhstan
    """
    with _graph(db) as g:
        result = query.profile(g, country, latest=latest, include_rejected=include_rejected)
    if fmt == "json":
        return _json(result.to_dict())
    click.echo(f"{result.country}: {result.n_facts} facts")
    click.echo("partners: " + ", ".join(f"{p['country']} ({p['facts']})" for p in result.partners))
    click.echo("equipment by origin:")
    for origin, systems in result.equipment.items():
        click.echo(f"  {origin}: " + ", ".join(f"{s['system']} ({s['facts']})" for s in systems))
    click.echo("organisations: " + ", ".join(f"{o['name']} [{o['country']}] ({o['facts']})"
                                             for o in result.organisations))
    _print(_fact_table("latest facts", result.latest))


@click.command()
@click.option("--type", "fact_type", type=click.Choice(FACT_TYPES), help="Only this fact type.")
@click.option("--since", help="Only facts starting at or after this ISO date prefix (2010, 2022-05).")
@_common(confidence=True)
def network(fact_type: str | None, since: str | None, db: str, fmt: str, include_rejected: bool,
            min_confidence: float | None) -> None:
    """The supplier -> recipient graph between countries, with edge weights and centrality.

    Example: armstrack network --type licensed_production --since 2010
    """
    with _graph(db) as g:
        result = query.network(g, fact_type=fact_type, since=since, include_rejected=include_rejected,
                               min_confidence=min_confidence)
    if fmt == "json":
        return _json(result.to_dict())
    edges = Table(title=f"{len(result.edges)} edges")
    for col in ("from", "to", "weight", "types"):
        edges.add_column(col)
    for e in result.edges:
        edges.add_row(e["source"], e["target"], str(e["weight"]), ", ".join(e["types"]))
    central = Table(title="centrality")
    for col in ("country", "degree", "out", "in", "betweenness"):
        central.add_column(col)
    for c in result.centrality:
        central.add_row(c["country"], f"{c['degree']:.3f}", str(c["out"]), str(c["in"]), f"{c['betweenness']:.3f}")
    _print(edges)
    _print(central)


@click.group()
def ask() -> None:
    """Canned analytical questions."""


@ask.command()
@click.option("--type", "fact_type", type=click.Choice(sorted(query.FLOW)), default="licensed_production",
              show_default=True)
@click.option("--licensor", "--supplier", "--donor", "--from", "source", required=True,
              help="The giving country (licensor, supplier, donor, provider, owner).")
@click.option("--category", type=click.Choice(CATEGORIES), help="Only facts with a system of this category.")
@_common(confidence=True)
def first(fact_type: str, source: str, category: str | None, db: str, fmt: str, include_rejected: bool,
          min_confidence: float | None) -> None:
    """Which country is (or is planned to be) first to receive it, with dates and sources.

    Example: armstrack ask first --type licensed_production --licensor Turkey --category uav
    """
    with _graph(db) as g:
        result = query.first(g, fact_type, source, category=category, include_rejected=include_rejected,
                             min_confidence=min_confidence)
    if fmt == "json":
        return _json(result.to_dict())
    if not result.entries:
        return click.echo("no matching facts")
    table = Table(title=f"first {fact_type} from {source}" + (f" ({category})" if category else ""))
    for col in ("#", "country", "when", "status", "fact", "sources"):
        table.add_column(col, overflow="fold")
    for i, e in enumerate(result.entries, 1):
        table.add_row(str(i), e["country"], _when(e["fact"]), e["status"] or "", e["fact"].id,
                      ", ".join(e["fact"].articles))
    _print(table)


@click.command(name="facts")
@click.option("--country", help="Facts involving this country (its organisations and systems included).")
@click.option("--type", "fact_type", type=click.Choice(FACT_TYPES))
@click.option("--since", help="Only facts starting at or after this ISO date prefix.")
@click.option("--status", type=click.Choice(STATUSES))
@click.option("--limit", type=int, default=None, help="At most this many facts.")
@_common(formats=(*FORMATS, "csv"), confidence=True)
def facts_command(country, fact_type, since, status, limit, db: str, fmt: str, include_rejected: bool,
                  min_confidence: float | None) -> None:
    """Merged facts filtered by country, type, start date and status, in date order.

    Example: armstrack facts --country Kazakhstan --type agreement --since 2020 --format csv
    """
    with _graph(db) as g:
        result = query.facts(g, country=country, fact_type=fact_type, since=since, status=status,
                             include_rejected=include_rejected, limit=limit, min_confidence=min_confidence)
    if fmt == "json":
        return _json([f.to_dict() for f in result])
    if fmt == "csv":
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(("id", "type", "time_start", "time_end", "status", "participants", "systems",
                         "corroboration", "conflicted", "review", "source_articles"))
        for f in result:
            writer.writerow((f.id, f.type, f.time_start or "", f.time_end or "", f.status or "",
                             "; ".join(f"{p['role']}={p['name']}" for p in f.participants),
                             "; ".join(s["name"] for s in f.systems), f.corroboration, int(f.conflicted),
                             f.review, "; ".join(f.articles)))
        return
    _print(_fact_table(f"{len(result)} facts", result))


@click.command()
@click.argument("name")
@_common(rejected=False)
def entity(name: str, db: str, fmt: str) -> None:
    """How a name resolves, every alias seen in facts and the articles each came from.

    Example: armstrack entity "TAI"
    """
    with _graph(db) as g:
        result = query.entity(g, name)
    if fmt == "json":
        return _json(result.to_dict())
    e = result.entity
    click.echo(f"{name!r} -> {e['name']} [{e['id']}] ({e['kind']}, {e['country'] or 'no country'}): {result.reason}")
    click.echo(f"{result.n_facts} facts; aliases in the knowledge files: {', '.join(result.known_aliases) or '-'}")
    table = Table(title="names seen in facts")
    for col in ("name", "why", "articles"):
        table.add_column(col, overflow="fold")
    for a in result.aliases:
        table.add_row(a["name"], a["reason"], ", ".join(a["articles"]))
    _print(table)


@click.command()
@click.argument("fact_id")
@click.option("--accept", "decision", flag_value="accept", help="Confirm the fact.")
@click.option("--reject", "decision", flag_value="reject", help="Hide the fact from queries.")
@click.option("--correct", "corrections", multiple=True, metavar="FIELD=VALUE",
              help="Override a merged value (status, time_start, time_end, quantity); repeatable.")
@click.option("--by", "reviewer", default=None, help="Reviewer name (default: $USER).")
@_common(rejected=False)
def review(fact_id: str, decision: str | None, corrections, reviewer: str | None, db: str, fmt: str) -> None:
    """Record an analyst's decision on a fact; it survives re-ingesting and re-extraction.

    Example: armstrack review 7529a29d313b --correct status=ongoing --by analyst1
    """
    from armstrack.graph.graph import review as record_review

    if corrections and decision:
        raise click.UsageError("give either --accept/--reject or --correct")
    if not corrections and not decision:
        raise click.UsageError("give --accept, --reject or --correct FIELD=VALUE")
    pairs = {}
    for item in corrections:
        field, sep, value = item.partition("=")
        if not sep:
            raise click.UsageError(f"--correct needs FIELD=VALUE, got {item!r}")
        pairs[field.strip()] = value.strip()
    who = reviewer or os.environ.get(REVIEWER_ENV) or getpass.getuser()
    with _graph(db) as g:
        key = record_review(g, fact_id, decision or "correct", pairs, reviewer=who)
        (view,) = [f for f in query.facts(g, include_rejected=True) if f.key == key] or [None]
    if fmt == "json":
        return _json({"key": key, "decision": decision or "correct", "by": who, "fact": view.to_dict() if view else None})
    click.echo(f"{decision or 'correct'} recorded for {key[:query.SHORT_ID]} by {who}")


@click.command(name="export")
@click.argument("kind", type=click.Choice(["sipri", "json", "graphml"]), required=False)
@click.option("--all", "everything", is_flag=True,
              help="Back up the whole store (articles, sources, facts, reviews, feeds) to import elsewhere; "
                   "gzip-compressed when --out ends in .gz.")
@click.option("--out", "out", required=True, help="Output file ('-' for stdout, not for graphml).")
@click.option("--db", default=DEFAULT_DB, show_default=True, help="SQLite file or SQLAlchemy URL.")
@click.option("--include-rejected", is_flag=True, help="Also export facts an analyst rejected.")
def export_command(kind: str | None, everything: bool, out: str, db: str, include_rejected: bool) -> None:
    """Export a SIPRI-layout register (CSV), the full graph as JSON or GraphML, or a backup (--all).

    A backup holds the whole store for `armstrack import`: armstrack export --all --out backup.jsonl.gz

    Example: armstrack export sipri --out register.csv
    """
    from armstrack.graph import export

    if everything:
        return _backup(kind, out, db, include_rejected)
    if kind is None:
        raise click.UsageError("give what to export (sipri, json, graphml) or --all for a backup")
    with _graph(db) as g:
        if kind == "graphml":
            if out == "-":
                raise click.UsageError("graphml needs a file name")
            export.write_graphml(g, out, include_rejected=include_rejected)
            return click.echo(f"wrote {out}")
        with click.open_file(out, "w", encoding="utf-8") as handle:
            if kind == "sipri":
                export.write_sipri_csv(g, handle, include_rejected=include_rejected)
            else:
                export.write_graph_json(g, handle, include_rejected=include_rejected)
    if out != "-":
        click.echo(f"wrote {out}")


def _backup(kind: str | None, out: str, db: str, include_rejected: bool) -> None:
    """``export --all``: every record of the store, whatever its review (an import needs them all)."""
    from armstrack.store.backup import export_all, write_backup
    from armstrack.store.db import open_store

    if kind is not None or include_rejected:
        raise click.UsageError("--all backs up everything: give it without KIND or --include-rejected")
    try:
        if out == "-":
            with open_store(db) as store, click.open_file(out, "w", encoding="utf-8") as handle:
                write_backup(store, handle)
            return
        counts = export_all(db, out)
    except ArmstrackError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"wrote {out}: " + ", ".join(f"{n} {what.replace('_', ' ')}" for what, n in counts.items()))


@click.command(name="import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@_common(rejected=False)
def import_command(path: str, db: str, fmt: str) -> None:
    """Read a backup written by `export --all` into a store; what is already there is not added again.

    The whole file is checked first: a corrupt, truncated or newer-version backup is refused with
    its line number and nothing is written. Merged facts and reviews are rebuilt afterwards.

    Example: armstrack import backup.jsonl.gz --db postgresql+psycopg://armstrack@db/armstrack
    """
    from armstrack.graph.restore import import_backup

    summary = import_backup(path, db)
    if fmt == "json":
        return _json(summary.to_dict())
    for kind, added in summary.added.items():
        click.echo(f"{kind.replace('_', ' ')}: {added} imported, {summary.present[kind]} already present")
    click.echo(f"{summary.clusters_merged} merged facts rebuilt")


@click.command()
@click.option("--db", default=DEFAULT_DB, show_default=True, help="SQLite file or SQLAlchemy URL.")
@click.option("--full", is_flag=True, help="Rebuild every cluster, not only those whose facts changed.")
def rebuild(db: str, full: bool) -> None:
    """Bring the merged facts up to date with the stored facts (queries do this on their own).

    Example: armstrack rebuild --full
    """
    from armstrack.graph.graph import Graph, sync
    from armstrack.knowledge.load import load_knowledge
    from armstrack.graph.resolve import Resolver
    from armstrack.store.db import open_store

    with open_store(db) as store:
        result = sync(Graph(store, Resolver(load_knowledge())), full=full)
    click.echo(f"{result.new_facts} new facts clustered, {result.clusters_merged} clusters merged"
               + (" (full rebuild)" if result.full else ""))


COMMANDS = (timeline, profile, network, ask, facts_command, entity, review, export_command, import_command,
            rebuild)


def register(main: click.Group) -> None:
    """Add the query, review, export and import commands to the ``armstrack`` group."""
    for command in COMMANDS:
        main.add_command(command)
