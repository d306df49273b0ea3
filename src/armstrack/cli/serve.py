"""The ``serve`` command (the HTTP API and web page of api.py under uvicorn) and ``token`` (signed tokens).

Binds 127.0.0.1 by default: the record is for the analyst at this machine
unless they choose otherwise. Write routes (ingest, review) exist only when
``$ARMSTRACK_TOKEN`` or ``$ARMSTRACK_SECRET`` is set (auth.py); tokens and the
secret are read from the environment so they never show in the process list,
and are never printed or logged (uvicorn's access log has no headers).
"""
from __future__ import annotations

import os

import click

from armstrack.web.auth import SECRET_ENV, TOKEN_ENV, TOKEN_EXPIRES_ENV, Auth, AuthError, iso, issue, new_secret, parse_duration
from armstrack.web.ratelimit import INGEST_PER_MINUTE
from armstrack.store.db import DEFAULT_DB

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
INGEST_RATE_ENV = "ARMSTRACK_INGEST_RATE"
DEFAULT_TTL = "7d"


def _writes(auth: Auth) -> str:
    """What the startup line says about the write routes (never a token)."""
    if not auth.enabled:
        return "write routes off"
    kinds = []
    if auth.token:
        kinds.append(f"static token until {iso(auth.token_expires)}" if auth.token_expires else "static token")
    if auth.secret:
        kinds.append("signed tokens")
    return f"write routes on: {', '.join(kinds)}"


@click.command()
@click.option("--db", default=DEFAULT_DB, show_default=True, help="SQLite file or SQLAlchemy URL.")
@click.option("--host", default=DEFAULT_HOST, show_default=True, help="Interface to bind (0.0.0.0 exposes it).")
@click.option("--port", default=DEFAULT_PORT, show_default=True, type=click.IntRange(0, 65535))
@click.option("--ingest-rate", default=INGEST_PER_MINUTE, show_default=True, type=click.IntRange(0),
              envvar=INGEST_RATE_ENV, show_envvar=True,
              help="Articles a minute one client (IP address) may POST to /api/articles; 0 for no limit.")
def serve(db: str, host: str, port: int, ingest_rate: int) -> None:
    """Serve the JSON API (/api, OpenAPI at /openapi.json) and the web page (/).

    \b
    The write routes (POST /api/articles, POST /api/facts/ID/review) exist only
    when a token is configured, and then require "Authorization: Bearer TOKEN":
      ARMSTRACK_TOKEN          a static token;
      ARMSTRACK_TOKEN_EXPIRES  optional: it stops working then (ISO date or time);
      ARMSTRACK_SECRET         accept signed, expiring tokens from `armstrack token issue`.
    A missing, wrong or expired token gets a 401; more than --ingest-rate
    articles a minute from one client get a 429 with Retry-After.

    Example: ARMSTRACK_TOKEN=s3cret armstrack serve --db armstrack.db --port 8000
    """
    import uvicorn

    from armstrack.web.api import create_app
    from armstrack.web.ratelimit import RateLimiter

    try:
        auth = Auth.from_env()
    except AuthError as exc:
        raise click.UsageError(str(exc)) from None
    if auth.token_expires is not None and auth.token_expires <= auth.clock():
        click.echo(f"warning: ${TOKEN_EXPIRES_ENV} has passed: ${TOKEN_ENV} is refused", err=True)
    app = create_app(db, auth=auth, limiter=RateLimiter(ingest_rate))
    click.echo(f"armstrack on http://{host}:{port}/ ({_writes(auth)})", err=True)
    uvicorn.run(app, host=host, port=port, log_level="info", server_header=False)


@click.group()
def token() -> None:
    """Signed bearer tokens that expire, for the write routes of `armstrack serve`.

    Example: export ARMSTRACK_SECRET=$(armstrack token secret); armstrack token issue --expires 7d
    """


@token.command("issue")
@click.option("--expires", "ttl", default=DEFAULT_TTL, show_default=True,
              help="How long it works: a number and s, m, h, d or w (12h, 7d, 2w).")
def token_issue(ttl: str) -> None:
    """Print a new token signed with $ARMSTRACK_SECRET (its expiry goes to stderr).

    The server must run with the same ARMSTRACK_SECRET. Changing the secret
    revokes every token issued with it.

    Example: ARMSTRACK_SECRET=... armstrack token issue --expires 12h
    """
    secret = os.environ.get(SECRET_ENV)
    if not secret:
        raise click.UsageError(f"set ${SECRET_ENV} (the server's signing secret; `armstrack token secret` makes one)")
    try:
        signed, expires = issue(secret, parse_duration(ttl))
    except AuthError as exc:
        raise click.UsageError(str(exc)) from None
    click.echo(signed)
    click.echo(f"valid until {iso(expires)}", err=True)


@token.command("secret")
def token_secret() -> None:
    """Print a new random signing secret for $ARMSTRACK_SECRET.

    Example: export ARMSTRACK_SECRET=$(armstrack token secret)
    """
    click.echo(new_secret())


def register(main: click.Group) -> None:
    """Add ``serve`` and ``token`` to the ``armstrack`` group."""
    main.add_command(serve)
    main.add_command(token)
