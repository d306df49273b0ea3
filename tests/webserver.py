"""Helpers for the API and browser tests: a store of the corpus as extracted, and a live uvicorn server.

Not fixtures themselves (test modules wrap them), so the corpus is extracted
once per test process however many modules use it.
"""
from __future__ import annotations

import shutil
import socket
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator
from urllib.parse import urlparse

import uvicorn

from armstrack.read.ingest import read_inputs
from armstrack.model import Article
from armstrack.store.db import open_store
from conftest import CORPUS

SERVER_START_SECONDS = 20
_built: dict[str, Path] = {}


def corpus_store(extractor) -> Path:
    """A store of ../shared/corpus ingested with the real extractor, as `armstrack ingest` does (built once)."""
    if "db" not in _built:
        folder = Path(tempfile.mkdtemp(prefix="armstrack-corpus-"))
        db = folder / "corpus.db"
        articles = [a for a in read_inputs([CORPUS]) if isinstance(a, Article)]
        assert len(articles) >= 20, f"corpus at {CORPUS} has {len(articles)} readable articles"
        with open_store(str(db)) as store:
            for article, facts in extractor.extract_many(articles):
                store.add_article(article, facts, extractor.version)
        _built["db"] = db
    return _built["db"]


def copy_of(db: Path, folder: Path) -> str:
    """A private copy of a store file, for tests that write."""
    target = folder / db.name
    shutil.copy(db, target)
    return str(target)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def live_server(app) -> Iterator[str]:
    """Run ``app`` under uvicorn on 127.0.0.1 and a free port in a thread; yields its base URL."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + SERVER_START_SECONDS
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def keep_local(pg, base: str) -> None:
    """Record the page's errors in ``pg.errors`` and abort every request leaving ``base``'s host,
    recording it in ``pg.outside``: the page must work with no internet."""
    pg.errors, pg.outside = [], []
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))
    host = urlparse(base).netloc

    def only_local(route):
        if urlparse(route.request.url).netloc == host:
            return route.continue_()
        pg.outside.append(route.request.url)
        return route.abort()

    pg.route("**/*", only_local)
