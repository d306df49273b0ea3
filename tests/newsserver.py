"""A real HTTP server on 127.0.0.1 for the fetch and feed tests: it serves what the test writes.

Routes are set per test (``site.page(path, body)``, ``site.redirect``,
``site.slow``, ``site.status``); pages get an ETag and a Last-Modified and
answer conditional requests with 304, as news sites and feed servers do.
Every request is logged with its headers so tests can check politeness.
Also builds realistic news pages and feeds around article text.
"""
from __future__ import annotations

import hashlib
import html
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Iterator

LAST_MODIFIED = "Mon, 08 Jan 2024 10:00:00 GMT"


@dataclass
class Route:
    status: int = 200
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    location: str | None = None
    delay: float = 0.0


@dataclass
class Site:
    base: str = ""
    routes: dict[str, Route] = field(default_factory=dict)
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)

    def page(self, path: str, body: str, content_type: str = "text/html; charset=utf-8") -> str:
        self.routes[path] = Route(body=body.encode("utf-8"), content_type=content_type)
        return self.base + path

    def feed(self, path: str, body: str) -> str:
        return self.page(path, body, "application/rss+xml; charset=utf-8")

    def redirect(self, path: str, target: str) -> str:
        self.routes[path] = Route(status=301, location=target)
        return self.base + path

    def slow(self, path: str, body: str, delay: float) -> str:
        self.routes[path] = Route(body=body.encode("utf-8"), delay=delay)
        return self.base + path

    def status(self, path: str, status: int) -> str:
        self.routes[path] = Route(status=status, body=b"error")
        return self.base + path

    def hits(self, path: str) -> int:
        return sum(1 for p, _ in self.requests if p == path)


def _handler(site: Site) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            site.requests.append((self.path, dict(self.headers.items())))
            route = site.routes.get(self.path, Route(status=404, body=b"not found"))
            if route.delay:
                time.sleep(route.delay)
            etag = '"' + hashlib.sha1(route.body).hexdigest()[:16] + '"'
            if route.status == 200 and self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.send_header("ETag", etag)
                self.end_headers()
                return
            try:
                self.send_response(route.status)
                if route.location:
                    self.send_header("Location", route.location)
                self.send_header("Content-Type", route.content_type)
                self.send_header("Content-Length", str(len(route.body)))
                if route.status == 200:
                    self.send_header("ETag", etag)
                    self.send_header("Last-Modified", LAST_MODIFIED)
                self.end_headers()
                self.wfile.write(route.body)
            except (BrokenPipeError, ConnectionResetError):  # the client gave up on a slow route
                pass

        def log_message(self, *_args: object) -> None:
            pass

    return Handler


@contextmanager
def serve() -> Iterator[Site]:
    """A server on a free port of 127.0.0.1, in a thread, stopped on exit."""
    site = Site()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(site))
    server.daemon_threads = True
    server.block_on_close = False
    site.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield site
    finally:
        server.shutdown()
        server.server_close()


def news_page(text: str, *, title: str, published: str = "2024-01-10", outlet: str = "Defence Herald",
              author: str = "Jane Analyst", canonical: str | None = None) -> str:
    """A realistic article page: navigation, cookie banner, the article, related links, comments."""
    lines = text.split("\n")
    headline, body = lines[0], [ln for ln in lines[1:] if ln.strip()]
    paragraphs = "\n".join(f"<p>{html.escape(p)}</p>" for p in body)
    canonical_link = f'<link rel="canonical" href="{canonical}">' if canonical else ""
    return f"""<!DOCTYPE html>
<html lang="en"><head>
<meta charset="utf-8">
<title>{html.escape(title)} | {html.escape(outlet)}</title>
{canonical_link}
<meta property="og:site_name" content="{html.escape(outlet)}">
<meta property="og:title" content="{html.escape(title)}">
<meta name="author" content="{html.escape(author)}">
<meta property="article:published_time" content="{published}T08:30:00+00:00">
</head><body>
<header><nav><ul><li><a href="/">Home</a></li><li><a href="/europe">Europe</a></li>
<li><a href="/asia">Asia</a></li><li><a href="/air">Air</a></li><li><a href="/subscribe">Subscribe</a></li></ul></nav></header>
<div class="cookie-banner" id="cookie-consent"><p>This website uses cookies to improve your experience.
By continuing you accept our cookie policy.</p><button>Accept all cookies</button></div>
<main><article>
<h1>{html.escape(headline)}</h1>
<p class="byline">By {html.escape(author)}</p>
{paragraphs}
</article>
<aside class="related"><h2>Related articles</h2><ul>
<li><a href="/a1">Poland signs deal for 96 Apache helicopters</a></li>
<li><a href="/a2">India and France agree on Rafale Marine order</a></li>
<li><a href="/a3">Egypt receives first K9 howitzers from Hanwha</a></li></ul></aside>
<section class="comments" id="comments"><h2>3 Comments</h2>
<div class="comment"><p>Great news, Turkey should also sell Bayraktar TB3 drones to Pakistan.</p></div>
<div class="comment"><p>Russia will supply S-500 systems to Iran next year, mark my words.</p></div>
<div class="comment"><p>Nice article.</p></div></section>
</main>
<footer><p>© 2024 {html.escape(outlet)}. All rights reserved.</p><a href="/privacy">Privacy Policy</a></footer>
</body></html>"""


def rss(items: list[tuple[str, str]], title: str = "Defence Herald") -> str:
    """An RSS 2.0 feed of (title, link) items."""
    entries = "\n".join(
        f"<item><title>{html.escape(t)}</title><link>{html.escape(link)}</link>"
        f"<guid>{html.escape(link)}</guid><pubDate>Wed, 10 Jan 2024 08:30:00 GMT</pubDate></item>"
        for t, link in items)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>{html.escape(title)}</title><link>http://example.invalid/</link>
<description>News</description>
{entries}
</channel></rss>"""


def atom(items: list[tuple[str, str]], title: str = "Wire") -> str:
    """An Atom 1.0 feed of (title, link) items."""
    entries = "\n".join(
        f"<entry><title>{html.escape(t)}</title><link href=\"{html.escape(link)}\"/>"
        f"<id>{html.escape(link)}</id><updated>2024-01-11T09:00:00Z</updated></entry>" for t, link in items)
    return f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>{html.escape(title)}</title>
<id>urn:wire</id><updated>2024-01-11T09:00:00Z</updated>
{entries}
</feed>"""
