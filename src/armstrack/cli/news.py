"""Following the news: ``fetch``, ``sources`` and ``watch``, thin shells over fetch.py, feeds.py and stories.py.

Each command opens the graph, calls the library, brings the graph (stories,
corroboration) up to date with ``graph.sync`` and prints what was added.
``register(main)`` adds them to the ``armstrack`` group.
"""
from __future__ import annotations

import sys
from typing import Any, Callable

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from armstrack.cli.query import _common, _graph, _json
from armstrack.errors import ArmstrackError

EXIT_SOME_FAILED = 1
err = Console(stderr=True)


def _fetch_options(fn: Callable) -> Callable:
    """The HTTP politeness knobs shared by fetch and watch."""
    from armstrack.news.fetch import DEFAULT_TIMEOUT, HOST_DELAY

    fn = click.option("--allow-private", is_flag=True,
                      help="Also fetch from loopback/private addresses (a local mirror); refused by default.")(fn)
    fn = click.option("--host-delay", type=click.FloatRange(min=0), default=HOST_DELAY, show_default=True,
                      help="Seconds between two requests to one host.")(fn)
    fn = click.option("--timeout", type=click.FloatRange(min=0.1), default=DEFAULT_TIMEOUT, show_default=True,
                      help="Seconds before a request is given up (then retried with backoff).")(fn)
    fn = click.option("--model", default=None, help="spaCy model name.")(fn)
    return fn


def _fetcher(timeout: float, host_delay: float, allow_private: bool):
    from armstrack.news.fetch import Fetcher

    return Fetcher(timeout=timeout, host_delay=host_delay, allow_private=allow_private)


def _extractor(model: str | None):
    from armstrack.extract.pipeline import Extractor

    return Extractor(model=model)


def _story_note(groups: dict[int, tuple[int, int]], article_id: int) -> str:
    story, size = groups.get(article_id, (article_id, 1))
    return f"story {story}" + (f" ({size} articles)" if size > 1 else "")


def register(main: click.Group) -> None:
    """Add fetch, sources and watch to the command group."""
    main.add_command(fetch)
    main.add_command(sources)
    main.add_command(watch)


@click.command()
@click.argument("urls", nargs=-1, required=True)
@_fetch_options
@_common(rejected=False)
def fetch(urls, model: str | None, timeout: float, host_delay: float, allow_private: bool, db: str,
          fmt: str) -> None:
    """Download article pages, extract their text, metadata and facts, and store them.

    Title, outlet, author, publication date and canonical URL come from the
    page's metadata; the date anchors relative dates in the text.

    Example: armstrack fetch https://example.com/news/kazakhstan-anka --db armstrack.db
    """
    from armstrack.news.fetch import fetch_article, store_page
    from armstrack.graph.graph import sync
    from armstrack.news.stories import story_groups

    fetcher, extractor = _fetcher(timeout, host_delay, allow_private), _extractor(model)
    done: list[dict[str, Any]] = []
    failed = 0
    with _graph(db) as graph:
        for url in urls:
            try:
                page = fetch_article(url, fetcher)
                stored = store_page(graph.store, extractor, page)
            except ArmstrackError as exc:
                failed += 1
                err.print(f"[red]error[/red] {escape(str(exc))}", highlight=False)
                continue
            a = page.article
            done.append({"url": url, "article_id": stored.article_id, "created": stored.created,
                         "facts_written": stored.facts_written, "title": page.title, "author": page.author,
                         "outlet": a.outlet, "published": a.published, "canonical_url": a.url})
        sync(graph)
        groups = story_groups(graph.engine, [d["article_id"] for d in done])
    for d in done:
        d["story"], d["story_size"] = groups.get(d["article_id"], (d["article_id"], 1))
    if fmt == "json":
        _json(done)
        done = []
    for d in done:
        state = "added" if d["created"] else "already stored"
        click.echo(f"{state}: article {d['article_id']} ({d['facts_written']} facts) {d['title'] or d['url']} — "
                   f"{d['outlet'] or 'unknown outlet'}, {d['published'] or 'undated'}, "
                   f"{_story_note(groups, d['article_id'])}")
    if failed:
        sys.exit(EXIT_SOME_FAILED)


@click.group()
def sources() -> None:
    """The RSS/Atom feeds that ``armstrack watch`` polls.

    Example: armstrack sources add defense-news https://example.com/rss.xml
    """


@sources.command("add")
@click.argument("name")
@click.argument("feed_url")
@_common(rejected=False)
def sources_add(name: str, feed_url: str, db: str, fmt: str) -> None:
    """Follow a feed under a short name.

    Example: armstrack sources add defense-news https://example.com/rss.xml --db armstrack.db
    """
    from armstrack.news.feeds import add_feed

    with _graph(db) as graph:
        feed = add_feed(graph.store, name, feed_url)
    if fmt == "json":
        _json(feed.to_dict())
    else:
        click.echo(f"following {feed.name}: {feed.url}")


@sources.command("list")
@_common(rejected=False)
def sources_list(db: str, fmt: str) -> None:
    """The followed feeds with their last poll and last error.

    Example: armstrack sources list --format json
    """
    from armstrack.news.feeds import list_feeds

    with _graph(db) as graph:
        feeds = list_feeds(graph.store)
    if fmt == "json":
        _json([f.to_dict() for f in feeds])
        return
    table = Table(title=f"{len(feeds)} feeds")
    for col in ("name", "url", "last polled", "failures", "last error"):
        table.add_column(col, overflow="fold")
    for f in feeds:
        table.add_row(escape(f.name), escape(f.url), f.last_polled.isoformat(timespec="seconds") if f.last_polled
                      else "never", str(f.failures), escape(f.last_error or ""))
    Console().print(table)


@sources.command("remove")
@click.argument("name")
@_common(rejected=False)
def sources_remove(name: str, db: str, fmt: str) -> None:
    """Stop following a feed (its articles stay stored).

    Example: armstrack sources remove defense-news
    """
    from armstrack.news.feeds import remove_feed

    with _graph(db) as graph:
        remove_feed(graph.store, name)
    if fmt == "json":
        _json({"removed": name})
    else:
        click.echo(f"no longer following {name}")


@click.command()
@click.option("--once", is_flag=True, help="Poll every feed once and exit.")
@click.option("--interval", default="15m", show_default=True, help="Time between polls: 90, 30s, 15m, 2h.")
@click.option("--base-url", default=None,
              help="Where `armstrack serve` runs, for the fact links in webhook posts (default http://127.0.0.1:8000).")
@_fetch_options
@_common(rejected=False)
def watch(once: bool, interval: str, base_url: str | None, model: str | None, timeout: float, host_delay: float,
          allow_private: bool, db: str, fmt: str) -> None:
    """Poll the followed feeds, fetch and store new items only, and print what was added.

    Items are remembered by URL and text across runs; a feed that fails is
    reported and retried later while the others go on. After each poll every
    watchlist records what is new, and those with a webhook get each new match
    POSTed as JSON (same time-outs, retries and --allow-private rule as feeds).
    Stop with Ctrl-C.

    Example: armstrack watch --interval 30m --db armstrack.db
    """
    from armstrack.news.feeds import parse_interval, poll_once, watch as watch_loop
    from armstrack.graph.graph import sync
    from armstrack.news.stories import story_groups
    from armstrack.watch.atom import DEFAULT_BASE_URL
    from armstrack.watch.webhook import notify_all

    seconds = parse_interval(interval)
    fetcher, extractor = _fetcher(timeout, host_delay, allow_private), _extractor(model)
    failed = False
    with _graph(db) as graph:
        def poll():
            report = poll_once(graph.store, extractor, fetcher)
            sync(graph)
            return report, notify_all(graph, fetcher, base_url=base_url or DEFAULT_BASE_URL)

        try:
            for report, notified in watch_loop(poll, seconds, once=once):
                groups = story_groups(graph.engine, [a.article_id for a in report.added])
                failed = failed or bool(report.failed) or any(n.error for n in notified)
                _print_report(report, groups, notified, fmt)
        except KeyboardInterrupt:
            err.print("stopped")
    if once and failed:
        sys.exit(EXIT_SOME_FAILED)


def _print_report(report, groups: dict[int, tuple[int, int]], notified, fmt: str) -> None:
    if fmt == "json":
        data = report.to_dict()
        for outcome in data["outcomes"]:
            for added in outcome["added"]:
                added["story"], added["story_size"] = groups.get(added["article_id"], (added["article_id"], 1))
        _json(data | {"watchlists": [vars(n) for n in notified]})
        return
    for n in notified:
        if n.error:
            err.print(f"[red]watchlist {escape(n.watchlist)}: webhook failed[/red]: {escape(n.error)} "
                      "(retried next poll)", highlight=False)
        elif n.changed or n.posted:
            click.echo(f"watchlist {n.watchlist}: {n.changed} new or changed, {n.posted} posted")
    for o in report.outcomes:
        if o.status == "failed":
            err.print(f"[red]feed {escape(o.feed)} failed[/red]: {escape(o.error or '')} (retried later)",
                      highlight=False)
            continue
        click.echo(f"{o.feed}: {o.status}, {len(o.added)} added, {o.known} already known"
                   + (f", {len(o.item_errors)} items failed" if o.item_errors else ""))
        for a in o.added:
            click.echo(f"  + article {a.article_id} ({a.facts_written} facts) {a.title or a.url} — "
                       f"{a.outlet or 'unknown outlet'}, {a.published or 'undated'}, {_story_note(groups, a.article_id)}")
        for url, reason in o.item_errors:
            err.print(f"  [yellow]item failed[/yellow] {escape(url)}: {escape(reason)}", highlight=False)
