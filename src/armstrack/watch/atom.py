"""A watchlist as an Atom feed (RFC 4287), built with lxml.

(feedgen 1.0 drops the ``rel`` of entry links, which makes every source link a
second "alternate" link, against RFC 4287 §4.1.1; lxml escapes text and
attributes just as well.)

One entry per merged fact the watchlist has seen, most recently changed first.
The entry's id is the fact's (``urn:armstrack:watchlist:NAME:fact:KEY``), so it
never changes; ``updated`` moves when the fact gains a source, a conflict, a
review or a correction, and the title starts with that change. The content is
HTML that this module escapes itself (article text is hostile): the fact in
words, the evidence sentences, and links to the sources (http(s) only) and to
the fact's panel on armstrack's page.
"""
from __future__ import annotations

import html
import re
from datetime import datetime, timezone
from urllib.parse import quote, urlsplit

from lxml import etree

from armstrack import __version__
from armstrack.graph.words import human, sentence
from armstrack.watch.watchlists import Entry, Watchlist

DEFAULT_BASE_URL = "http://127.0.0.1:8000"  # ``armstrack serve``'s address; feeds written by the CLI link there


ATOM = "http://www.w3.org/2005/Atom"
# Characters XML 1.0 cannot carry at all (C0 controls other than tab, newline, return); article text may hold them.
_XML_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _stamp(moment: datetime) -> str:
    """RFC 3339 in UTC to the second, as Atom's date constructs want."""
    return moment.replace(tzinfo=timezone.utc, microsecond=0).isoformat().replace("+00:00", "Z")


def _http(url: str | None) -> str | None:
    """The URL if it is absolute http(s), else None: a ``javascript:`` source URL never becomes a link."""
    return url if url and urlsplit(url).scheme in ("http", "https") and urlsplit(url).netloc else None


def entry_id(watchlist: str, key: str) -> str:
    return f"urn:armstrack:watchlist:{quote(watchlist, safe='')}:fact:{key}"


def fact_link(base_url: str, fact_id: str) -> str:
    """The fact's panel on the page (the page's ``#fact/ID`` route)."""
    return f"{base_url.rstrip('/')}/#fact/{quote(fact_id, safe='')}"


def _content(entry: Entry, base_url: str) -> str:
    e = html.escape
    f = entry.fact
    parts = [f"<p><strong>{e(entry.change)}</strong></p>", f"<p>{e(sentence(f))}</p>"]
    if f.conflicted:
        parts.append("<p>Sources disagree on: " + e(", ".join(c["field"] for c in f.conflicts)) + "</p>")
    if f.review != "unreviewed":
        parts.append(f"<p>Analyst review: {e(f.review)}</p>")
    items = []
    for s in f.sources:
        label = e(" · ".join(x for x in (s.get("outlet") or s["article"], s.get("published")) if x))
        url = _http(s.get("url"))
        head = f'<a href="{e(url)}">{label}</a>' if url else label
        items.append(f"<li>{head}: “{e(s.get('evidence') or '')}”</li>")
    parts.append("<ul>" + "".join(items) + "</ul>")
    parts.append(f'<p><a href="{e(fact_link(base_url, f.id))}">Open fact {e(f.id)} in armstrack</a></p>')
    return "".join(parts)


def atom_feed(watchlist: Watchlist, entries: list[Entry], *, base_url: str = DEFAULT_BASE_URL,
              self_url: str | None = None) -> bytes:
    """The Atom document of ``entries`` (as ``watchlists.entries`` gives them), UTF-8 encoded."""
    base = base_url.rstrip("/")
    feed = etree.Element(f"{{{ATOM}}}feed", nsmap={None: ATOM})
    _text(feed, "id", f"urn:armstrack:watchlist:{quote(watchlist.name, safe='')}")
    _text(feed, "title", f"armstrack watchlist: {watchlist.name}")
    _text(feed, "subtitle", watchlist.filter.describe())
    _text(feed, "updated", _stamp(max((x.updated for x in entries), default=watchlist.created_at)))
    _text(_sub(feed, "author"), "name", "armstrack")
    _text(feed, "generator", "armstrack").set("version", __version__)
    _sub(feed, "link", href=self_url or f"{base}/api/watchlists/{quote(watchlist.name, safe='')}/atom", rel="self",
         type="application/atom+xml")
    _sub(feed, "link", href=f"{base}/", rel="alternate", type="text/html")
    for entry in entries:
        f = entry.fact
        item = _sub(feed, "entry")
        _text(item, "id", entry_id(watchlist.name, f.key))
        _text(item, "title", f"{entry.change[:1].upper()}{entry.change[1:]}: {sentence(f)}")
        _text(item, "updated", _stamp(entry.updated))
        _text(item, "published", _stamp(entry.first_seen))
        _sub(item, "link", href=fact_link(base, f.id), rel="alternate", type="text/html")
        for url in dict.fromkeys(u for s in f.sources if (u := _http(s.get("url")))):
            _sub(item, "link", href=url, rel="related", type="text/html")
        _sub(item, "category", term=f.type, label=human(f.type))
        _text(item, "content", _content(entry, base)).set("type", "html")
    return etree.tostring(feed, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _sub(parent, tag: str, **attrs: str):
    return etree.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)


def _text(parent, tag: str, text: str):
    """A child element holding ``text``: lxml escapes it, and refuses control characters XML cannot carry."""
    element = _sub(parent, tag)
    element.text = _XML_UNSAFE.sub("\ufffd", text)
    return element
