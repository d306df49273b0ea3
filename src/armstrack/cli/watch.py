"""``armstrack watchlist`` and ``armstrack brief``: thin shells over watch/ and brief/.

``register(main)`` adds them to the ``armstrack`` group.
"""
from __future__ import annotations

import functools
from typing import Callable

import click
from rich.markup import escape

from armstrack.cli.query import _common, _fact_table, _graph, _json, _print
from armstrack.model import CATEGORIES, FACT_TYPES, STATUSES


def _filter_options(fn: Callable) -> Callable:
    """The ``facts`` filters a watchlist saves, gathered into one ``query.FactFilter`` argument ``flt``."""
    @functools.wraps(fn)
    def wrapper(*args, country, partner, organisation, system, category, fact_type, status, since, min_confidence,
                **kwargs):
        from armstrack.graph.query import FactFilter

        flt = FactFilter(country=country, partner=partner, organisation=organisation, system=system,
                         category=category, fact_type=fact_type, status=status, since=since,
                         min_confidence=min_confidence)
        return fn(*args, flt=flt, **kwargs)

    options = [
        click.option("--min-confidence", type=click.FloatRange(0, 1),
                     help="Only facts with a report extracted at this confidence or more."),
        click.option("--since", help="Only facts starting at or after this ISO date prefix (2010, 2022-05)."),
        click.option("--status", type=click.Choice(STATUSES)),
        click.option("--type", "fact_type", type=click.Choice(FACT_TYPES)),
        click.option("--category", type=click.Choice(CATEGORIES), help="Only facts with a system of this category."),
        click.option("--system", help="Only facts about this system (ANKA, Bayraktar TB2...)."),
        click.option("--organisation", "--organization", "organisation", help="Only facts this organisation is in."),
        click.option("--partner", help="With --country: only facts involving both countries (a pair)."),
        click.option("--country", help="Facts involving this country (its organisations and systems included)."),
    ]
    for option in options:
        wrapper = option(wrapper)
    return wrapper


@click.group()
def watchlist() -> None:
    """Saved fact filters that say what is new: each one is an Atom feed, optionally a webhook.

    Example: armstrack watchlist add kazakhstan --country Kazakhstan
    """


@watchlist.command("add")
@click.argument("name")
@_filter_options
@click.option("--webhook", help="POST each new or changed match as JSON here (sent by `armstrack watch`).")
@_common(rejected=False)
def watchlist_add(name: str, flt, webhook: str | None, db: str, fmt: str) -> None:
    """Save a filter under NAME; the facts it matches now are its first entries.

    Example: armstrack watchlist add kz-uav --country Kazakhstan --category uav --since 2020
    """
    from armstrack.watch.watchlists import add_watchlist, refresh

    with _graph(db) as g:
        saved = add_watchlist(g, name, flt, webhook=webhook)
        seen = refresh(g, saved)
    if fmt == "json":
        return _json(saved.to_dict() | {"matches": len(seen)})
    click.echo(f"watchlist {saved.name} ({saved.filter.describe()}): {len(seen)} facts match now")


@watchlist.command("list")
@_common(rejected=False)
def watchlist_list(db: str, fmt: str) -> None:
    """Every watchlist with its filter and webhook.

    Example: armstrack watchlist list --format json
    """
    from armstrack.watch.watchlists import list_watchlists

    with _graph(db) as g:
        found = list_watchlists(g.store)
    if fmt == "json":
        return _json([w.to_dict() for w in found])
    for w in found:
        click.echo(f"{w.name}: {w.filter.describe()}" + (f" -> {w.webhook}" if w.webhook else ""))


@watchlist.command("remove")
@click.argument("name")
@_common(rejected=False)
def watchlist_remove(name: str, db: str, fmt: str) -> None:
    """Forget a watchlist and what it has seen (the facts stay).

    Example: armstrack watchlist remove kz-uav
    """
    from armstrack.watch.watchlists import remove_watchlist

    with _graph(db) as g:
        remove_watchlist(g.store, name)
    if fmt == "json":
        return _json({"removed": name})
    click.echo(f"removed watchlist {name}")


@watchlist.command("show")
@click.argument("name")
@_common(rejected=False)
def watchlist_show(name: str, db: str, fmt: str) -> None:
    """The facts a watchlist matches, newest first.

    Example: armstrack watchlist show kz-uav
    """
    from armstrack.watch.watchlists import show

    with _graph(db) as g:
        found = show(g, name)
    if fmt == "json":
        return _json([f.to_dict() for f in found])
    _print(_fact_table(f"{escape(name)}: {len(found)} facts", found))


@watchlist.command("feed")
@click.argument("name")
@click.option("--out", required=True, help="Atom file to write ('-' for stdout).")
@click.option("--base-url", default=None, help="Where `armstrack serve` runs, for the links to each fact's panel.")
@click.option("--db", default=None, help="SQLite file or SQLAlchemy URL (default armstrack.db).")
def watchlist_feed(name: str, out: str, base_url: str | None, db: str | None) -> None:
    """Write the watchlist's Atom feed: one entry per new or changed fact, newest change first.

    Example: armstrack watchlist feed kz-uav --out kz-uav.xml
    """
    from armstrack.errors import ArmstrackError
    from armstrack.store.db import DEFAULT_DB
    from armstrack.watch.atom import DEFAULT_BASE_URL, atom_feed
    from armstrack.watch.watchlists import entries, get_watchlist, refresh

    try:
        with _graph(db or DEFAULT_DB) as g:
            saved = get_watchlist(g.store, name)
            refresh(g, saved)
            document = atom_feed(saved, entries(g, saved), base_url=base_url or DEFAULT_BASE_URL)
    except ArmstrackError as exc:
        raise click.ClickException(str(exc)) from exc
    with click.open_file(out, "wb") as handle:
        handle.write(document)
    if out != "-":
        click.echo(f"wrote {out}")


@click.command()
@click.argument("country")
@click.option("--partner", help="Only the cooperation between COUNTRY and this country.")
@click.option("--since", help="Only facts starting at or after this ISO date prefix (2010, 2022-05).")
@click.option("--out", required=True, help="File to write ('-' for stdout).")
@click.option("--format", "fmt", type=click.Choice(["html", "md", "pdf"]), default="html", show_default=True,
              help="pdf is printed by headless chromium ($ARMSTRACK_CHROMIUM or chromium on the PATH).")
@click.option("--db", default=None, help="SQLite file or SQLAlchemy URL (default armstrack.db).")
def brief(country: str, partner: str | None, since: str | None, out: str, fmt: str, db: str | None) -> None:
    """A self-contained brief on a country: partners, timeline and network charts, equipment, key facts, citations.

    Example: armstrack brief Kazakhstan --partner Turkey --since 2010 --out brief.html
    """
    from armstrack.brief.gather import gather
    from armstrack.brief.render import render
    from armstrack.errors import ArmstrackError
    from armstrack.store.db import DEFAULT_DB

    try:
        with _graph(db or DEFAULT_DB) as g:
            document = render(gather(g, country, partner=partner, since=since), fmt)
    except ArmstrackError as exc:
        raise click.ClickException(str(exc)) from exc
    with click.open_file(out, "wb") as handle:
        handle.write(document)
    if out != "-":
        click.echo(f"wrote {out}")


def register(main: click.Group) -> None:
    """Add ``watchlist`` and ``brief`` to the command group."""
    main.add_command(watchlist)
    main.add_command(brief)
