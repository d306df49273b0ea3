"""The HTTP API and the web page: thin routes over query.py, browse.py, graph.py and export.py.

``create_app(db, token)`` builds a FastAPI app over one store. Every read route
calls one library function and returns its ``to_dict()``, the same JSON the
CLI prints with ``--format json``; the page at ``/`` is static HTML and
JavaScript that renders those same answers, so there is one view per question.

Safety at this boundary, where input is untrusted:

* write routes (ingest an article, review a fact) are mounted only when a
  token or a signing secret is configured (auth.py), and refuse a missing,
  wrong or expired bearer token with a 401 that never echoes it;
* ingest is rate-limited per client (ratelimit.py): 429 with Retry-After;
* free-text parameters refuse NUL characters (PostgreSQL cannot store them,
  so they would be a 500 there and a silent no-match on SQLite);
* request bodies are capped (``MAX_BODY_BYTES``) by declared and streamed size;
* every error, 4xx or 5xx, has one JSON shape, ``{"error": {"status", "message"}}``,
  and never carries a stack trace;
* responses carry a strict Content-Security-Policy (scripts and styles only
  from this server, nothing inline), so article text, which is hostile, cannot
  run even if a rendering bug let it through; no CORS headers are sent.
"""
from __future__ import annotations

import io
import logging
import math
import re
import threading
from contextlib import asynccontextmanager
from importlib import resources
from typing import Any, Literal

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from armstrack import __version__

from armstrack.graph import browse, export, query
from armstrack.web.auth import TOKEN_ENV, Auth, AuthError
from armstrack.errors import ArmstrackError, InputError
from armstrack.graph.graph import DECISIONS, Graph, GraphError, open_graph, review as record_review, sync
from armstrack.read.ingest import MAX_INPUT_BYTES
from armstrack.model import CATEGORIES, FACT_TYPES, STATUSES
from armstrack.web.ratelimit import RateLimiter
from armstrack.watch.atom import atom_feed
from armstrack.watch.watchlists import (
    WatchlistError, entries as watch_entries, get_watchlist, list_watchlists, refresh, show,
)

logger = logging.getLogger(__name__)

# An article may be 5 MB (ingest.MAX_INPUT_BYTES); JSON framing and metadata get 64 kB on top.
MAX_BODY_BYTES = MAX_INPUT_BYTES + 64 * 1024
MAX_META_CHARS = 2000  # id, url, published, source of a posted article
MAX_CORRECTIONS = 10
PAGE_DEFAULT, PAGE_MAX = 50, 500
SINCE_PATTERN = r"^\d{4}(-\d{2}(-\d{2})?)?$"
FACT_ID_PATTERN = r"^[0-9a-fA-F]{6,64}$"
NAME_MAX = 200
TEXT_PATTERN = r"^[^\x00]*$"  # any text but NUL, which PostgreSQL refuses to store or compare
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")
SECURITY_HEADERS = [(b"content-security-policy", CSP.encode()), (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"no-referrer"), (b"x-frame-options", b"DENY")]
WEB_DIR = resources.files("armstrack.web") / "static"

FactType = Literal[FACT_TYPES]  # type: ignore[valid-type]
Status = Literal[STATUSES]  # type: ignore[valid-type]
Category = Literal[CATEGORIES]  # type: ignore[valid-type]
Level = Literal[browse.LEVELS]  # type: ignore[valid-type]  # what a network node stands for
Decision = Literal[DECISIONS]  # type: ignore[valid-type]
BriefFormat = Literal["html", "md", "pdf"]
# A brief is a download to read outside the tool (its inline style would fall foul of this server's CSP).
BRIEF_TYPES = {"html": "text/html; charset=utf-8", "md": "text/markdown; charset=utf-8", "pdf": "application/pdf"}


def error_body(status: int, message: str) -> dict[str, Any]:
    """The one error shape of every 4xx and 5xx response."""
    return {"error": {"status": status, "message": message}}


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(error_body(status, message), status_code=status, headers=headers)


class _BodyTooLarge(Exception):
    pass


class Guard:
    """ASGI middleware: refuse bodies over ``max_bytes`` (declared or streamed) and add security headers."""

    def __init__(self, app, max_bytes: int = MAX_BODY_BYTES):
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = exceeded = False

        async def secured(message):
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                message["headers"] = [*message.get("headers", []), *SECURITY_HEADERS]
            await send(message)

        async def from_app(message):
            if not exceeded:  # the app's answer to a cut-off body is replaced by the 413 below
                await secured(message)

        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            return await self._too_large(scope, receive, secured)
        seen = 0

        async def counted():
            nonlocal seen, exceeded
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.max_bytes:
                exceeded = True
                raise _BodyTooLarge
            return message

        try:
            await self.app(scope, counted, from_app)
        except _BodyTooLarge:
            pass
        if exceeded and not started:
            await self._too_large(scope, receive, secured)

    async def _too_large(self, scope, receive, send):
        response = _error(413, f"request body over the limit of {self.max_bytes} bytes")
        await response(scope, receive, send)


# -- request bodies (the only pydantic models: the untrusted input) -----------------------------------

class ArticleIn(BaseModel):
    """An article to ingest: its text (or an HTML page) and optional metadata."""

    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1, max_length=MAX_INPUT_BYTES, description="Article text, or a whole HTML page.")
    format: Literal["text", "html"] = "text"
    id: str | None = Field(None, max_length=MAX_META_CHARS)
    url: str | None = Field(None, max_length=MAX_META_CHARS)
    published: str | None = Field(None, max_length=MAX_META_CHARS)
    source: str | None = Field(None, max_length=MAX_META_CHARS, description="The publishing outlet.")


class ReviewIn(BaseModel):
    """An analyst's decision on a merged fact (``correct`` needs ``corrections``)."""

    model_config = ConfigDict(extra="forbid")
    decision: Decision
    corrections: dict[str, str] = Field(default_factory=dict, max_length=MAX_CORRECTIONS)
    by: str = Field("api", min_length=1, max_length=NAME_MAX)


# -- app ---------------------------------------------------------------------------------------

class _State:
    """The open graph, a lock serialising syncs and writes, and the extractor (loaded on first ingest)."""

    def __init__(self, graph: Graph, extractor=None):
        self.graph, self.extractor, self.lock = graph, extractor, threading.Lock()

    def fresh(self) -> Graph:
        with self.lock:
            sync(self.graph)
        return self.graph

    def get_extractor(self):
        if self.extractor is None:
            from armstrack.extract.pipeline import Extractor

            self.extractor = Extractor()
        return self.extractor


def create_app(db: str, token: str | None = None, *, auth: Auth | None = None, limiter: RateLimiter | None = None,
               extractor=None) -> FastAPI:
    """The API and page over the store at ``db``; write routes only when a token or secret is set.

    Args:
        token: a static bearer token (short for ``auth=Auth(token=token)``).
        auth: the tokens accepted (``Auth.from_env()`` in ``armstrack serve``); overrides ``token``.
        limiter: how often a client may ingest; else ``RateLimiter()`` (``ratelimit.INGEST_PER_MINUTE``).
        extractor: a loaded ``pipeline.Extractor`` to reuse (tests); else loaded on the first ingest.
    """
    auth = auth or Auth(token=token)
    state = _State(open_graph(db), extractor)

    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        yield
        state.graph.store.close()

    app = FastAPI(title="armstrack", version=__version__, docs_url=None, redoc_url=None, lifespan=lifespan,
                  description="Sourced, dated defence-industrial cooperation facts. "
                              "Errors: {\"error\": {\"status\", \"message\"}}.")
    app.state.armstrack = state
    app.add_middleware(Guard)
    _handlers(app)
    app.include_router(_read_routes(state), prefix="/api")
    app.include_router(_export_routes(state), prefix="/api/export")
    if auth.enabled:
        app.include_router(_write_routes(state, auth, limiter or RateLimiter()), prefix="/api")
    app.mount("/static", StaticFiles(directory=str(WEB_DIR)), name="static")

    @app.get("/", include_in_schema=False)
    def page() -> FileResponse:
        return FileResponse(str(WEB_DIR / "index.html"), media_type="text/html")

    return app


def _handlers(app: FastAPI) -> None:
    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return _error(exc.status_code, str(exc.detail), getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        parts = []
        for e in exc.errors():
            where = ".".join(str(x) for x in e.get("loc", ()) if x != "body") or "body"
            parts.append(f"{where}: {e.get('msg', 'invalid')}")
        return _error(422, "; ".join(parts) or "invalid request")

    @app.exception_handler(query.QueryError)
    async def not_found(_request: Request, exc: query.QueryError) -> JSONResponse:
        return _error(404, str(exc))

    @app.exception_handler(WatchlistError)
    async def no_watchlist(_request: Request, exc: WatchlistError) -> JSONResponse:
        return _error(404, str(exc))

    @app.exception_handler(ArmstrackError)
    async def refused(_request: Request, exc: ArmstrackError) -> JSONResponse:
        return _error(422 if isinstance(exc, InputError) else 400, str(exc))

    @app.exception_handler(Exception)
    async def crashed(_request: Request, exc: Exception) -> JSONResponse:
        logger.error("internal error: %s: %s", type(exc).__name__, exc)
        return _error(500, "internal error; the server log has the details")


def _fact_or_404(graph: Graph, fact_id: str) -> query.FactView:
    try:
        return query.fact(graph, fact_id)
    except GraphError as exc:
        raise HTTPException(404, str(exc)) from exc


def Rejected():  # noqa: N802 - parameter specs, a fresh one per use
    return Query(False, description="Also include facts an analyst rejected.")


def MinConfidence():  # noqa: N802
    return Query(None, ge=0, le=1, description="Only facts with a report extracted at this confidence or more.")


def Since():  # noqa: N802
    return Query(None, pattern=SINCE_PATTERN, description="ISO date prefix: 2010, 2022-05.")


def Name():  # noqa: N802
    return Path(min_length=1, max_length=NAME_MAX, pattern=TEXT_PATTERN)


def Text(default: Any = ...):  # noqa: N802 - a name or search text in the query string
    return Query(default, min_length=1, max_length=NAME_MAX, pattern=TEXT_PATTERN)


# -- read routes ---------------------------------------------------------------------------------

def _read_routes(state: _State) -> APIRouter:
    r = APIRouter(tags=["read"])
    graph = state.fresh
    @r.get("/search", summary="Countries, organisations and systems by name")
    def search(q: str = Text(),
               limit: int = Query(browse.SEARCH_LIMIT, ge=1, le=100), g: Graph = Depends(graph)) -> dict:
        return browse.search(g, q, limit=limit).to_dict()

    # ":path": system names can hold a slash (AN/TPQ-36), which the client sends encoded as %2F
    @r.get("/entities/{name:path}", summary="How a name resolves, its aliases and source articles")
    def entity(name: str = Name(), g: Graph = Depends(graph)) -> dict:
        return query.entity(g, name).to_dict()

    @r.get("/profile/{country}", summary="A country's partners, equipment, organisations and latest facts")
    def profile(country: str = Name(), latest: int = Query(query.LATEST_FACTS, ge=1, le=100),
                include_rejected: bool = Rejected(), g: Graph = Depends(graph)) -> dict:
        return query.profile(g, country, latest=latest, include_rejected=include_rejected).to_dict()

    @r.get("/timeline/{a}/{b}", summary="Two countries' cooperation in date order")
    def timeline(a: str = Name(), b: str = Name(), include_rejected: bool = Rejected(),
                 min_confidence: float | None = MinConfidence(), g: Graph = Depends(graph)) -> dict:
        return query.timeline(g, a, b, include_rejected=include_rejected, min_confidence=min_confidence).to_dict()

    @r.get("/facts", summary="Merged facts with filters, in date order, a page at a time")
    def facts(country: str | None = Text(None), type: FactType | None = None,
              since: str | None = Since(), status: Status | None = None, include_rejected: bool = Rejected(),
              limit: int = Query(PAGE_DEFAULT, ge=1, le=PAGE_MAX), offset: int = Query(0, ge=0, le=10**9),
              min_confidence: float | None = MinConfidence(), g: Graph = Depends(graph)) -> dict:
        filters = dict(country=country, fact_type=type, since=since, status=status, include_rejected=include_rejected,
                       min_confidence=min_confidence)
        return {"total": query.count_facts(g, **filters), "offset": offset, "limit": limit,
                "facts": [f.to_dict() for f in query.facts(g, limit=limit, offset=offset, **filters)]}

    @r.get("/facts/{fact_id}", summary="One merged fact with its sources and review state")
    def fact(fact_id: str = Path(pattern=FACT_ID_PATTERN), g: Graph = Depends(graph)) -> dict:
        return _fact_or_404(g, fact_id).to_dict()

    @r.get("/network", summary="The cooperation network of countries or organisations, one edge per fact type")
    def network(type: FactType | None = None, since: str | None = Since(), include_rejected: bool = Rejected(),
                level: Level = "country", g: Graph = Depends(graph)) -> dict:
        typed = browse.typed_network(g, fact_type=type, since=since, include_rejected=include_rejected, level=level)
        if level != "country":
            return typed.to_dict()
        whole = query.network(g, fact_type=type, since=since, include_rejected=include_rejected)
        return typed.to_dict() | {"combined": whole.to_dict()}

    @r.get("/first", summary="Which country first received a directed fact type from a source country")
    def first(source: str = Text(), type: FactType = "licensed_production",
              category: Category | None = None, include_rejected: bool = Rejected(), g: Graph = Depends(graph)) -> dict:
        return query.first(g, type, source, category=category, include_rejected=include_rejected).to_dict()

    @r.get("/watchlists", summary="Every watchlist with its filter")
    def watchlists(g: Graph = Depends(graph)) -> list:
        return [w.to_dict() for w in list_watchlists(g.store)]

    @r.get("/watchlists/{name}", summary="The facts a watchlist matches, newest first")
    def watchlist(name: str = Name(), g: Graph = Depends(graph)) -> dict:
        found = get_watchlist(g.store, name)
        return found.to_dict() | {"facts": [f.to_dict() for f in show(g, name)]}

    @r.get("/watchlists/{name}/atom", summary="A watchlist's Atom feed: one entry per new or changed fact",
           response_class=Response, responses={200: {"content": {"application/atom+xml": {}}}})
    def watchlist_atom(request: Request, name: str = Name(), g: Graph = Depends(graph)) -> Response:
        found = get_watchlist(g.store, name)
        with state.lock:
            refresh(g, found)
        base = str(request.base_url).rstrip("/")
        return Response(atom_feed(found, watch_entries(g, found), base_url=base, self_url=str(request.url)),
                        media_type="application/atom+xml; charset=utf-8")

    @r.get("/brief/{country}", summary="A brief on a country to hand on: HTML, Markdown or PDF, as a download",
           response_class=Response, responses={200: {"content": {"text/html": {}, "text/markdown": {},
                                                                   "application/pdf": {}}}})
    def brief(country: str = Name(), partner: str | None = Text(None), since: str | None = Since(),
              format: BriefFormat = "html", g: Graph = Depends(graph)) -> Response:
        from armstrack.brief.gather import gather
        from armstrack.brief.render import render

        made = gather(g, country, partner=partner, since=since)
        name = re.sub(r"[^A-Za-z0-9]+", "-", f"brief-{made.country}-{made.partner or ''}").strip("-")
        return Response(render(made, format), media_type=BRIEF_TYPES[format],
                        headers={"content-disposition": f'attachment; filename="{name}.{format}"'})

    @r.get("/articles", summary="Stored articles, a page at a time")
    def articles(limit: int = Query(PAGE_DEFAULT, ge=1, le=PAGE_MAX), offset: int = Query(0, ge=0, le=10**9),
                 g: Graph = Depends(graph)) -> dict:
        return browse.articles(g, limit=limit, offset=offset).to_dict()

    @r.get("/articles/{article_id}", summary="An article's text with its facts and their evidence spans")
    def article(article_id: int = Path(ge=1, le=2**62), g: Graph = Depends(graph)) -> dict:
        return browse.article(g, article_id).to_dict()

    return r


def _export_routes(state: _State) -> APIRouter:
    r = APIRouter(tags=["export"])
    graph = state.fresh

    @r.get("/sipri.csv", summary="A register in the SIPRI Arms Transfers Database's layout",
           response_class=Response, responses={200: {"content": {"text/csv": {}}}})
    def sipri(g: Graph = Depends(graph)) -> Response:
        out = io.StringIO()
        export.write_sipri_csv(g, out)
        return Response(out.getvalue(), media_type="text/csv; charset=utf-8",
                        headers={"content-disposition": 'attachment; filename="armstrack-register.csv"'})

    @r.get("/graph.json", summary="The full graph as node-link JSON, with every merged fact")
    def graph_json(g: Graph = Depends(graph)) -> Response:
        out = io.StringIO()
        export.write_graph_json(g, out)
        return Response(out.getvalue(), media_type="application/json")

    @r.get("/graph.graphml", summary="The full graph as GraphML", response_class=Response,
           responses={200: {"content": {"application/graphml+xml": {}}}})
    def graphml(g: Graph = Depends(graph)) -> Response:
        out = io.BytesIO()
        export.write_graphml(g, out)  # networkx writes to a path or a binary file
        return Response(out.getvalue(), media_type="application/graphml+xml",
                        headers={"content-disposition": 'attachment; filename="armstrack.graphml"'})

    return r


# -- write routes (only with a token or a secret) -------------------------------------------------

def _write_routes(state: _State, auth: Auth, limiter: RateLimiter) -> APIRouter:
    bearer = HTTPBearer(auto_error=False, description=f"${TOKEN_ENV}, or a token from `armstrack token issue`.")
    denied = {"description": "Missing, wrong or expired bearer token."}

    def authorised(credentials: HTTPAuthorizationCredentials | None = Depends(bearer)) -> None:
        try:
            auth.check(credentials.credentials if credentials else None)
        except AuthError as exc:  # the message never contains the token given
            raise HTTPException(401, str(exc), headers={"WWW-Authenticate": "Bearer"}) from None

    def within_rate(request: Request) -> None:
        """Counted before the token is checked, so the limit also slows down token guessing."""
        wait = limiter.take(request.client.host if request.client else "unknown")
        if wait:
            seconds = max(1, math.ceil(wait))
            raise HTTPException(429, f"more than {limiter.per_minute} articles a minute from this client; "
                                     f"retry in {seconds} s", headers={"Retry-After": str(seconds)})

    r = APIRouter(tags=["write"])

    @r.post("/articles", status_code=201, summary="Ingest one article (text or HTML) and return its facts",
            dependencies=[Depends(within_rate), Depends(authorised)],
            responses={401: denied, 429: {"description": "Too many articles from this client; see Retry-After."}})
    def ingest(body: ArticleIn) -> dict:
        from armstrack.run.submit import submit

        with state.lock:
            done = submit(state.graph, state.get_extractor(), body.text, body.format, id=body.id, url=body.url,
                          published=body.published, source=body.source)
        return done.to_dict() | {"article": browse.article(state.graph, done.article_id).to_dict()}

    @r.post("/facts/{fact_id}/review", summary="Accept, reject or correct a merged fact",
            dependencies=[Depends(authorised)], responses={401: denied})
    def review(body: ReviewIn, fact_id: str = Path(pattern=FACT_ID_PATTERN)) -> dict:
        g = state.fresh()
        view = _fact_or_404(g, fact_id)
        with state.lock:
            key = record_review(g, view.key, body.decision, body.corrections, reviewer=body.by)
        return {"key": key, "decision": body.decision, "by": body.by, "fact": query.fact(g, key).to_dict()}

    return r
