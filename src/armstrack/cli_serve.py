"""The ``serve`` command: the HTTP API and web page (api.py) under uvicorn.

Binds 127.0.0.1 by default: the record is for the analyst at this machine
unless they choose otherwise. Write routes (ingest, review) exist only when
``$ARMSTRACK_TOKEN`` is set; the token is read from the environment so it never
shows in the process list, and is never logged.
"""
from __future__ import annotations

import os

import click

from .store import DEFAULT_DB

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


@click.command()
@click.option("--db", default=DEFAULT_DB, show_default=True, help="SQLite file or SQLAlchemy URL.")
@click.option("--host", default=DEFAULT_HOST, show_default=True, help="Interface to bind (0.0.0.0 exposes it).")
@click.option("--port", default=DEFAULT_PORT, show_default=True, type=click.IntRange(0, 65535))
def serve(db: str, host: str, port: int) -> None:
    """Serve the JSON API (/api, OpenAPI at /openapi.json) and the web page (/).

    Set ARMSTRACK_TOKEN to enable the write routes (POST /api/articles,
    POST /api/facts/ID/review), which then require "Authorization: Bearer TOKEN".

    Example: ARMSTRACK_TOKEN=s3cret armstrack serve --db armstrack.db --port 8000
    """
    import uvicorn

    from .api import TOKEN_ENV, create_app

    token = os.environ.get(TOKEN_ENV) or None
    app = create_app(db, token=token)
    click.echo(f"armstrack on http://{host}:{port}/ (write routes {'on' if token else 'off'})", err=True)
    uvicorn.run(app, host=host, port=port, log_level="info", server_header=False)


def register(main: click.Group) -> None:
    """Add ``serve`` to the ``armstrack`` group."""
    main.add_command(serve)
