"""Download news pages politely and turn them into articles with their page metadata.

``Fetcher`` is the one HTTP client of armstrack (pages and feeds): a real
User-Agent, a timeout on every request, retries with exponential backoff on
network errors and on 429/5xx (honouring a short ``Retry-After``), a delay
between two requests to the same host, conditional requests for feeds
(``If-None-Match`` / ``If-Modified-Since``), redirects followed by hand so
that every hop is checked, and a size cap. Addresses outside the public
internet (loopback, private ranges, link-local cloud metadata) are refused
unless ``allow_private`` is set: URLs come from feeds, which are untrusted.

A page becomes an ``Article`` exactly as an ``.html`` file does in
``armstrack ingest`` (``ingest.read_inputs``: trafilatura's main text and
metadata, boilerplate lines dropped, language check), so a fetched page and a
saved one can never be treated differently. The page's publication date
(trafilatura's metadata) becomes ``Article.published``, which the extractor
uses to anchor relative dates such as "last February".
"""
from __future__ import annotations

import ipaddress
import json
import logging
import socket
import tempfile
import time
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Mapping
from urllib.parse import urljoin, urlsplit

from armstrack import __version__
from armstrack.errors import ArmstrackError
from armstrack.read.ingest import MAX_INPUT_BYTES, read_inputs
from armstrack.model import Article, InputFailure
from armstrack.store.db import Store, insert_ignore, pages_table, write_transaction

logger = logging.getLogger(__name__)

# Identifies the client honestly, as polite crawlers do; sites block anonymous library defaults.
USER_AGENT = f"armstrack/{__version__} (defence-news research; polite feed reader)"
ACCEPT = "text/html,application/xhtml+xml,application/rss+xml,application/atom+xml,application/xml;q=0.9,*/*;q=0.8"
# News sites answer in well under a second; 15 s covers slow ones without hanging a poll.
DEFAULT_TIMEOUT = 15.0
# Attempts after the first, on network errors and RETRY_STATUSES only (a 404 is final).
DEFAULT_RETRIES = 2
# Wait before retry n is BACKOFF_BASE * 2**(n-1) seconds, capped by BACKOFF_MAX (also caps Retry-After).
BACKOFF_BASE = 2.0
BACKOFF_MAX = 60.0
# Seconds between two requests to one host: one page every 2 s is the usual courtesy for small crawls.
HOST_DELAY = 2.0
MAX_REDIRECTS = 5
# A page larger than what ``armstrack ingest`` accepts is refused while downloading.
MAX_BODY_BYTES = MAX_INPUT_BYTES
RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
READ_CHUNK = 64 * 1024


class FetchError(ArmstrackError):
    """A URL could not be downloaded or read; ``reason`` says why in plain words."""

    def __init__(self, url: str, reason: str, *, retryable: bool = False):
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason
        self.retryable = retryable  # a network error worth another attempt, not a refusal


@dataclass(frozen=True)
class Response:
    url: str  # after redirects
    status: int  # 200, or 304 for a conditional request whose resource did not change
    headers: Mapping[str, str] = field(default_factory=dict)  # lower-case names
    body: bytes = b""


@dataclass(frozen=True)
class FetchedPage:
    """An article read from the web, with the page metadata ``Article`` has no place for."""

    article: Article
    title: str | None
    author: str | None
    fetched_url: str  # where it was downloaded from, after redirects


@dataclass(frozen=True)
class StoredPage:
    article_id: int
    created: bool
    facts_written: int


class Fetcher:
    """A polite HTTP client; one instance remembers when it last asked each host."""

    def __init__(self, *, timeout: float = DEFAULT_TIMEOUT, retries: int = DEFAULT_RETRIES,
                 backoff: float = BACKOFF_BASE, host_delay: float = HOST_DELAY, allow_private: bool = False,
                 user_agent: str = USER_AGENT, sleep: Callable[[float], None] = time.sleep):
        import urllib3

        self.timeout, self.retries, self.backoff, self.host_delay = timeout, retries, backoff, host_delay
        self.allow_private, self.user_agent, self._sleep = allow_private, user_agent, sleep
        self._pool = urllib3.PoolManager(num_pools=20, retries=False)
        self._last_request: dict[str, float] = {}

    def get(self, url: str, *, etag: str | None = None, last_modified: str | None = None) -> Response:
        """GET ``url``, following redirects; returns a 200 (or 304 to a conditional request) or raises FetchError."""
        headers = {"User-Agent": self.user_agent, "Accept": ACCEPT}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        current = url
        for _ in range(MAX_REDIRECTS + 1):
            response = self._with_retries(current, headers)
            if response.status in REDIRECT_STATUSES:
                location = response.headers.get("location")
                if not location:
                    raise FetchError(current, f"HTTP {response.status} redirect without a Location")
                current = urljoin(current, location)
                logger.debug("%s redirects to %s", url, current)
                continue
            if response.status in (200, 304):
                return response
            raise FetchError(current, f"HTTP {response.status}")
        raise FetchError(url, f"more than {MAX_REDIRECTS} redirects")

    def post_json(self, url: str, payload: Any) -> Response:
        """POST ``payload`` as JSON (a webhook): same address checks, time-outs and retries as ``get``.

        Redirects are not followed (a webhook that moved is a configuration to fix);
        any answer but 2xx raises FetchError.
        """
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        headers = {"User-Agent": self.user_agent, "Content-Type": "application/json; charset=utf-8"}
        response = self._with_retries(url, headers, "POST", body)
        if not 200 <= response.status < 300:
            raise FetchError(url, f"HTTP {response.status}")
        return response

    def _with_retries(self, url: str, headers: dict[str, str], method: str = "GET",
                      body: bytes | None = None) -> Response:
        for attempt in range(self.retries + 1):
            wait = min(self.backoff * 2 ** attempt, BACKOFF_MAX)
            try:
                response = self._once(url, headers, method, body)
            except FetchError as exc:
                if not exc.retryable or attempt == self.retries:
                    raise
                logger.info("%s: %s; retry %d in %.1f s", url, exc.reason, attempt + 1, wait)
            else:
                if response.status not in RETRY_STATUSES or attempt == self.retries:
                    return response
                wait = _retry_after(response.headers.get("retry-after"), wait)
                logger.info("%s: HTTP %d; retry %d in %.1f s", url, response.status, attempt + 1, wait)
            self._sleep(wait)
        raise AssertionError("unreachable")

    def _once(self, url: str, headers: dict[str, str], method: str = "GET", payload: bytes | None = None) -> Response:
        import urllib3

        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise FetchError(url, "refused: only http and https URLs are fetched")
        if not self.allow_private:
            _check_public(url, parts.hostname, parts.port or (443 if parts.scheme == "https" else 80))
        self._wait_for_host(parts.hostname)
        try:
            raw = self._pool.request(method, url, headers=headers, body=payload, redirect=False,
                                     preload_content=False, timeout=urllib3.Timeout(connect=self.timeout, read=self.timeout))
            try:
                body = bytearray()
                for chunk in raw.stream(READ_CHUNK):
                    body += chunk
                    if len(body) > MAX_BODY_BYTES:
                        raise FetchError(url, f"refused: larger than {MAX_BODY_BYTES // (1 << 20)} MB")
            finally:
                raw.release_conn()
        except urllib3.exceptions.HTTPError as exc:
            raise FetchError(url, _network_reason(exc), retryable=True) from exc
        finally:
            self._last_request[parts.hostname] = time.monotonic()
        return Response(url, raw.status, {k.lower(): v for k, v in raw.headers.items()}, bytes(body))

    def _wait_for_host(self, host: str) -> None:
        last = self._last_request.get(host)
        if last is not None and (wait := self.host_delay - (time.monotonic() - last)) > 0:
            logger.debug("waiting %.1f s before asking %s again", wait, host)
            self._sleep(wait)


def _retry_after(value: str | None, default: float) -> float:
    """Seconds a 429/503 asks us to wait (only the delta-seconds form), capped; else ``default``."""
    if value and value.strip().isdigit():
        return min(float(value.strip()), BACKOFF_MAX)
    return default


def _network_reason(exc: Exception) -> str:
    import urllib3

    if isinstance(exc, (urllib3.exceptions.TimeoutError, socket.timeout)):
        return "timed out"
    if isinstance(exc, urllib3.exceptions.NewConnectionError):
        return "cannot connect"
    return f"network error ({type(exc).__name__})"


def _check_public(url: str, host: str, port: int) -> None:
    """Refuse hosts that resolve to loopback, private, link-local or reserved addresses."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise FetchError(url, f"cannot resolve {host}", retryable=True) from exc
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
        address = getattr(address, "ipv4_mapped", None) or address
        if not address.is_global:
            raise FetchError(url, f"refused: {host} is not a public address (allow_private to fetch it)")


def page_to_article(html: bytes | str, url: str, *, published: str | None = None) -> FetchedPage:
    """The article of a downloaded page, read exactly as ``armstrack ingest`` reads an .html file.

    Args:
        url: where the page was downloaded (after redirects); the origin of the article.
        published: a fallback date (a feed item's) when the page's metadata gives none.
    """
    from trafilatura.metadata import extract_metadata
    from trafilatura.utils import decode_file

    text = decode_file(html) if isinstance(html, bytes) else html
    with tempfile.TemporaryDirectory(prefix="armstrack-fetch-") as tmp:
        path = Path(tmp) / "page.html"
        path.write_text(text, encoding="utf-8")
        (item,) = list(read_inputs([path]))
    if isinstance(item, InputFailure):
        raise FetchError(url, item.reason)
    meta = extract_metadata(text, default_url=url, extensive=False)
    canonical = urljoin(url, item.url) if item.url else url
    outlet = item.outlet or _host_outlet(url)
    article = replace(item, origin=url, id=None, url=canonical, published=item.published or published,
                      outlet=outlet)
    return FetchedPage(article, _clean(getattr(meta, "title", None)), _clean(getattr(meta, "author", None)), url)


def fetch_article(url: str, fetcher: Fetcher | None = None, *, published: str | None = None) -> FetchedPage:
    """Download ``url`` and read its article and metadata (title, outlet, author, date, canonical URL)."""
    response = (fetcher or Fetcher()).get(url)
    return page_to_article(response.body, response.url, published=published)


def store_page(store: Store, extractor, page: FetchedPage, now: datetime | None = None) -> StoredPage:
    """Extract the page's facts, store the article and keep its page metadata."""
    facts = extractor.extract(page.article)
    result = store.add_article(page.article, facts, extractor.version)
    at = (now or datetime.now(timezone.utc)).replace(tzinfo=None)
    with write_transaction(store.engine) as conn:
        insert_ignore(conn, pages_table, ("article_id",), {
            "article_id": result.article_id, "title": page.title, "author": page.author,
            "fetched_url": page.fetched_url, "fetched_at": at})
    return StoredPage(result.article_id, result.created, result.facts_written)


def _host_outlet(url: str) -> str | None:
    host = urlsplit(url).hostname or ""
    return host.removeprefix("www.") or None


def _clean(value: object) -> str | None:
    return value.strip() or None if isinstance(value, str) else None
