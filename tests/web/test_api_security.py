"""The API under attack: tokens (missing, wrong, expired), the ingest rate limit, SQL injection through
every read parameter on SQLite and PostgreSQL, and hostile stored text in the JSON answers and exports.

Writes are probed with a body the API refuses (422) only after the rate and token checks, so no
extractor is needed. SQL injection goes through a live uvicorn server, not the TestClient, which
percent-decodes paths twice.
"""
from __future__ import annotations

import csv
import io
import json
import os
from urllib.parse import quote

import httpx
import networkx as nx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, select, text

from armstrack.web import api

from armstrack.graph import export
from armstrack.web.api import create_app
from armstrack.web.auth import Auth, issue
from armstrack.web.ratelimit import INGEST_PER_MINUTE, RateLimiter
from armstrack.store.db import entities_table, mentions_table, open_store
from conftest import fill_gold
from hostile import add_hostile, snapshot
from webserver import live_server

TOKEN = "static-test-token-5678"
SECRET = "test-secret-3q2x7d0c9v8b7n6m5k4j3h2g1f0"
OTHER_SECRET = "another-secret-a1b2c3d4e5f6g7h8i9j0k1l2"
NOW = 1_750_000_000.0  # 2025-06-15T15:06:40Z
HOUR = 3600
REFUSED_BODY = {"text": ""}  # a 422, but only once the rate limit and the token have let it through
PG_ENV = "ARMSTRACK_TEST_PG"
PG_SCHEMA = "armstrack_sqli"


class Clock:
    """A clock the test moves by hand (epoch seconds for tokens, any origin for the rate limiter)."""

    def __init__(self, now: float = NOW):
        self.now = now

    def __call__(self) -> float:
        return self.now


def assert_error(response, status: int) -> str:
    """The one error shape; returns the message."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"} and body["error"]["status"] == status, body
    return body["error"]["message"]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture()
def clock() -> Clock:
    return Clock()


@pytest.fixture()
def db(tmp_path) -> str:
    path = str(tmp_path / "sec.db")
    fill_gold(path)
    return path


@pytest.fixture()
def secured(db, clock):
    """A static token valid for an hour and signed tokens; no rate limit (its own tests below)."""
    auth = Auth(token=TOKEN, token_expires=NOW + HOUR, secret=SECRET, clock=clock)
    with TestClient(create_app(db, auth=auth, limiter=RateLimiter(0))) as client:
        yield client


def review_url(client) -> str:
    fact = client.get("/api/facts", params={"limit": 1}).json()["facts"][0]
    return f"/api/facts/{fact['id']}/review"


# -- 1. tokens -------------------------------------------------------------------------------------

def _expired_static(clock: Clock) -> str:
    clock.now = NOW + HOUR
    return TOKEN


def _expired_signed(clock: Clock) -> str:
    token, _ = issue(SECRET, 60, now=NOW)
    clock.now = NOW + 61
    return token


def _tampered(_clock: Clock) -> str:
    token, expires = issue(SECRET, 60, now=NOW)
    return token.replace(f".{expires}.", f".{expires + 10 * 365 * 86400}.")  # a longer life, the old MAC


REFUSALS = {  # case -> (the Authorization header's token or None, words the 401 must say)
    "no token": (lambda c: None, "missing"),
    "wrong static token": (lambda c: "not-the-token-0000", "wrong"),
    "signed with another secret": (lambda c: issue(OTHER_SECRET, HOUR, now=NOW)[0], "wrong"),
    "expiry tampered with": (_tampered, "wrong"),
    "expired static token": (_expired_static, "expired at 2025-06-15T16:06:40Z"),
    "expired signed token": (_expired_signed, "expired at 2025-06-15T15:07:40Z"),
}


@pytest.mark.parametrize("case", list(REFUSALS))
def test_writes_are_refused_without_a_token_with_a_wrong_one_and_with_an_expired_one(secured, clock, case):
    make, words = REFUSALS[case]
    url = review_url(secured)
    token = make(clock)
    headers = bearer(token) if token else {}
    for response in (secured.post("/api/articles", json=REFUSED_BODY, headers=headers),
                     secured.post(url, json={"decision": "accept"}, headers=headers)):
        message = assert_error(response, 401)
        assert words in message and response.headers["www-authenticate"] == "Bearer"
        if token:
            assert token not in response.text, "a 401 must not echo the token it refused"


def test_good_tokens_pass_until_they_expire(secured, clock):
    url = review_url(secured)
    signed, expires = issue(SECRET, 60, now=NOW)
    for token in (TOKEN, signed):
        assert secured.post(url, json={"decision": "accept"}, headers=bearer(token)).status_code == 200
        assert_error(secured.post("/api/articles", json=REFUSED_BODY, headers=bearer(token)), 422)
    clock.now = expires - 1
    assert secured.post(url, json={"decision": "accept"}, headers=bearer(signed)).status_code == 200
    clock.now = expires
    assert "expired" in assert_error(secured.post(url, json={"decision": "accept"}, headers=bearer(signed)), 401)
    assert secured.post(url, json={"decision": "accept"}, headers=bearer(TOKEN)).status_code == 200


def test_a_static_token_without_an_expiry_never_expires_and_a_secret_alone_mounts_the_writes(db, clock):
    clock.now = NOW + 20 * 365 * 86400
    with TestClient(create_app(db, auth=Auth(token=TOKEN, clock=clock))) as client:
        assert client.post(review_url(client), json={"decision": "accept"}, headers=bearer(TOKEN)).status_code == 200
    with TestClient(create_app(db, auth=Auth(secret=SECRET, clock=clock))) as client:
        url = review_url(client)
        assert "wrong" in assert_error(client.post(url, json={"decision": "accept"}, headers=bearer(TOKEN)), 401)
        signed, _ = issue(SECRET, HOUR, now=clock.now)
        assert client.post(url, json={"decision": "accept"}, headers=bearer(signed)).status_code == 200


# -- 2. the ingest rate limit ------------------------------------------------------------------------

def test_ingest_is_rate_limited_per_client_with_retry_after(db, clock):
    app = create_app(db, token=TOKEN, limiter=RateLimiter(3, clock=clock))
    with TestClient(app, client=("10.0.0.1", 4000)) as first:
        for _ in range(3):
            assert_error(first.post("/api/articles", json=REFUSED_BODY, headers=bearer(TOKEN)), 422)
        limited = first.post("/api/articles", json=REFUSED_BODY, headers=bearer(TOKEN))
        message = assert_error(limited, 429)
        assert limited.headers["retry-after"] == "20" and "3 articles a minute" in message  # 1 token per 20 s
        other = TestClient(app, client=("10.0.0.2", 4000))  # same app, lifespan already running
        assert_error(other.post("/api/articles", json=REFUSED_BODY, headers=bearer(TOKEN)), 422)
        clock.now += 20
        assert_error(first.post("/api/articles", json=REFUSED_BODY, headers=bearer(TOKEN)), 422)
        assert_error(first.post("/api/articles", json=REFUSED_BODY, headers=bearer(TOKEN)), 429)
        assert first.post(review_url(first), json={"decision": "accept"}, headers=bearer(TOKEN)).status_code == 200


def test_the_limit_also_slows_token_guessing(db, clock):
    with TestClient(create_app(db, token=TOKEN, limiter=RateLimiter(2, clock=clock))) as client:
        for guess in ("guess-1", "guess-2"):
            assert_error(client.post("/api/articles", json=REFUSED_BODY, headers=bearer(guess)), 401)
        assert_error(client.post("/api/articles", json=REFUSED_BODY, headers=bearer(TOKEN)), 429)


def test_the_default_limit_is_ingest_per_minute(db, clock, monkeypatch):
    monkeypatch.setattr(api, "RateLimiter", lambda: RateLimiter(clock=clock))
    with TestClient(create_app(db, token=TOKEN)) as client:
        codes = [client.post("/api/articles", json=REFUSED_BODY, headers=bearer(TOKEN)).status_code
                 for _ in range(INGEST_PER_MINUTE + 1)]
    assert codes == [422] * INGEST_PER_MINUTE + [429]


# -- 3. SQL injection through every read parameter -------------------------------------------------------

SQL_PAYLOADS = [
    "' OR 1=1 --", "' OR '1'='1", '" OR ""="', "1 OR 1=1", "1' OR '1'='1' /*", "admin'--",
    '"; DROP TABLE facts; --', "'; DROP TABLE clusters; --", "1; DELETE FROM articles",
    "' UNION SELECT name, sql FROM sqlite_master --", "1 UNION SELECT NULL, version() --",
    "' AND 1=(SELECT COUNT(*) FROM articles) --", "'; SELECT pg_sleep(5); --", "1 AND randomblob(999999999)",
    "%", "%%", "_", "Kazakh%", "K_zakhstan", "%' OR '%'='", "\\", "\\' OR 1=1 --", "\\%",
    "\x00", "Turkey\x00' OR 1=1 --", "a" * 10_000, "'" * 300,
    "Ｔｕｒｋｅｙ' OR '１'='１", "\u202e' OR 1=1 --", "🚀' OR 1=1 --", "ʼ OR 1=1 --",
    "-1", "1e309", "99999999999999999999", "0x41", "2020' OR '1'='1", "2020\n", "2020%",
    "../../../../etc/passwd", "null", "[]", "{}",
]
BENIGN_NAME = "Atlantis"  # a name that matches nothing: a free-text answer never has more rows than this


def _q(p: str) -> str:
    return quote(p, safe="")


# free text: 200 with no more rows than for BENIGN_NAME, or a 4xx
NAME_TARGETS = {
    "entity name": lambda p: (f"/api/entities/{_q(p)}", {}),
    "profile country": lambda p: (f"/api/profile/{_q(p)}", {}),
    "timeline a": lambda p: (f"/api/timeline/{_q(p)}/Turkey", {}),
    "timeline b": lambda p: (f"/api/timeline/Turkey/{_q(p)}", {}),
    "facts country": lambda p: ("/api/facts", {"country": p}),
    "first source": lambda p: ("/api/first", {"source": p}),
}
# enumerated, patterned or numeric parameters: a 4xx, as no payload is a valid value (but for whitespace)
TYPED_TARGETS = {
    "search limit": lambda p: ("/api/search", {"q": "Turkey", "limit": p}),
    "profile latest": lambda p: ("/api/profile/Kazakhstan", {"latest": p}),
    "profile include_rejected": lambda p: ("/api/profile/Kazakhstan", {"include_rejected": p}),
    "timeline include_rejected": lambda p: ("/api/timeline/Turkey/Kazakhstan", {"include_rejected": p}),
    **{f"facts {k}": (lambda k: lambda p: ("/api/facts", {k: p}))(k)
       for k in ("type", "since", "status", "include_rejected", "limit", "offset")},
    "fact id": lambda p: (f"/api/facts/{_q(p)}", {}),
    **{f"network {k}": (lambda k: lambda p: ("/api/network", {k: p}))(k)
       for k in ("type", "since", "level", "include_rejected")},
    **{f"first {k}": (lambda k: lambda p: ("/api/first", {"source": "Turkey", k: p}))(k)
       for k in ("type", "category", "include_rejected")},
    "articles limit": lambda p: ("/api/articles", {"limit": p}),
    "articles offset": lambda p: ("/api/articles", {"offset": p}),
    "article id": lambda p: (f"/api/articles/{_q(p)}", {}),
}


def rows(body) -> int:
    """How much an answer returns: list items at any depth, plus its totals."""
    if isinstance(body, list):
        return len(body) + sum(rows(x) for x in body)
    if isinstance(body, dict):
        counted = sum(v for k, v in body.items() if k in ("total", "n_facts") and isinstance(v, int))
        return counted + sum(rows(v) for v in body.values())
    return 0


def literal_matches(db: str, needle: str) -> set[str]:
    """Entity ids whose name or any spelling seen in facts contains ``needle`` as plain text (no wildcards)."""
    low = needle.strip().lower()
    with open_store(db) as store, store.engine.connect() as conn:
        names = conn.execute(select(entities_table.c.id, entities_table.c.name)).all()
        spellings = conn.execute(select(mentions_table.c.entity_id, mentions_table.c.surface)).all()
    return {i for i, text in [*names, *spellings] if low in text.lower()}


def clean(response) -> dict | None:
    """Never a 5xx; a 4xx in the one error shape; returns a 200's JSON, else None."""
    assert response.status_code < 500, f"{response.request.url}: {response.status_code} {response.text[:200]}"
    body = response.json()
    if response.status_code >= 400:
        assert set(body) == {"error"}, body
        return None
    assert response.status_code == 200
    return body


def probe(http: httpx.Client, payload: str, db: str) -> None:
    """Every read parameter with ``payload``: clean answers, never more rows than a benign query."""
    for name, target in NAME_TARGETS.items():
        path, params = target(BENIGN_NAME)
        benign = clean(http.get(path, params=params))
        path, params = target(payload)
        body = clean(http.get(path, params=params))
        if body is not None:
            assert rows(body) <= rows(benign), f"{name} with {payload!r} returned more than for {BENIGN_NAME!r}"
    for name, target in TYPED_TARGETS.items():
        path, params = target(payload)
        body = clean(http.get(path, params=params))
        if body is not None:  # only a number with whitespace around it ("2020\n") passes, as that number
            path, params = target(payload.strip())
            assert body == clean(http.get(path, params=params)), f"{name} accepted {payload!r}"
    found = clean(http.get("/api/search", params={"q": payload}))
    if found is not None:
        allowed = literal_matches(db, payload)
        extra = [r for r in found["results"] if r["id"] not in allowed and r["kind"] != "country"]
        assert not extra, f"search {payload!r} matched {extra} (a LIKE wildcard?)"


@pytest.fixture(scope="module")
def injected(tmp_path_factory):
    """A live server over a private gold store, with the store's row counts before any attempt."""
    db = str(tmp_path_factory.mktemp("sqli") / "sqli.db")
    fill_gold(db)
    with live_server(create_app(db)) as base, httpx.Client(base_url=base, timeout=30) as http:
        yield http, db, snapshot(db)  # after the app's first sync built the graph


@pytest.mark.parametrize("payload", SQL_PAYLOADS, ids=[repr(p[:24]) for p in SQL_PAYLOADS])
def test_sql_injection_in_any_read_parameter_gets_a_clean_answer(injected, payload):
    http, db, before = injected
    probe(http, payload, db)
    assert snapshot(db) == before, "the store changed"


def test_like_wildcards_in_search_are_plain_characters(injected):
    http, db, _ = injected
    everything = clean(http.get("/api/search", params={"q": "a", "limit": 100}))["results"]
    assert len(everything) > 5
    for needle in ("%", "%%", "_", "a%", "%a"):
        found = clean(http.get("/api/search", params={"q": needle, "limit": 100}))["results"]
        assert {r["id"] for r in found} <= literal_matches(db, needle), needle
    assert clean(http.get("/api/search", params={"q": "%"}))["results"] == []


def test_undecodable_and_nul_paths_are_clean_4xx(injected):
    http, _, _ = injected
    for path in ("/api/profile/%ff%fe", "/api/timeline/%c3%28/Turkey", "/api/facts/%00", "/api/articles/%ff",
                 "/api/entities/%00", "/api/profile/Turkey%00"):
        assert clean(http.get(path)) is None, path
    assert clean(http.get("/api/entities/%ff")) is not None  # a name that is just unknown


def test_a_name_with_a_slash_is_one_path_parameter(injected):
    """A system such as AN/TPQ-36: the page sends the slash as %2F and the entity route takes it whole."""
    http, _, _ = injected
    assert clean(http.get("/api/entities/AN%2FTPQ-36"))["query"] == "AN/TPQ-36"


def pg_schema_url() -> str:
    """A fresh schema of its own on the test server (test_postgres.py drops the default schema's tables)."""
    url = os.environ.get(PG_ENV)
    assert url, f"${PG_ENV} is not set: run scripts/ensure_postgres.sh (`make test` does) and export its URL"
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {PG_SCHEMA} CASCADE"))
        conn.execute(text(f"CREATE SCHEMA {PG_SCHEMA}"))
    engine.dispose()
    return f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{PG_SCHEMA}"


def test_sql_injection_on_postgresql():
    """The same attempts against a store on PostgreSQL, which refuses NUL and types comparisons strictly."""
    url = pg_schema_url()
    fill_gold(url)
    with live_server(create_app(url)) as base, httpx.Client(base_url=base, timeout=30) as http:
        before = snapshot(url)
        for payload in SQL_PAYLOADS:
            probe(http, payload, url)
        assert clean(http.get("/api/search", params={"q": "%"}))["results"] == []
    assert snapshot(url) == before


# -- 4. hostile stored text in the JSON answers and the exports ------------------------------------

@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    db = str(tmp_path_factory.mktemp("hostile") / "hostile.db")
    fill_gold(db)
    payloads = add_hostile(db)
    with TestClient(create_app(db)) as client:
        yield client, payloads


def test_hostile_text_comes_back_verbatim_in_json(hostile):
    client, payloads = hostile
    listing = client.get("/api/articles", params={"limit": 500}).json()["articles"]
    stored = {a["url"]: a for a in listing if a["url"] in payloads}
    assert set(stored) == set(payloads)
    for payload, entry in stored.items():
        response = client.get(f"/api/articles/{entry['article_id']}")
        assert response.headers["content-type"] == "application/json"
        article = response.json()
        assert article["outlet"] == article["url"] == payload and payload in article["text"]
        assert article["id"] == payload or article["id"].endswith(f"/{payload}")
        (fact,) = article["facts"]
        start, end = fact["span"]
        assert payload in article["text"][start:end] == fact["evidence"]
        shown = client.get(f"/api/facts/{fact['id']}").json()
        assert {p["name"] for p in shown["participants"]} == {payload, "Kazakhstan"}
        assert [s["name"] for s in shown["systems"]] == [payload]


def test_sipri_csv_neutralises_spreadsheet_formulas(hostile):
    client, payloads = hostile
    register = list(csv.DictReader(io.StringIO(client.get("/api/export/sipri.csv").text)))
    cells = [cell for row in register for cell in row.values()]
    assert not [c for c in cells if c.startswith(export.FORMULA_STARTS)], "a cell a spreadsheet would run"
    designations = {r["designation"] for r in register}
    for payload in payloads:
        expected = "'" + payload if payload.startswith(export.FORMULA_STARTS) else payload
        assert expected in designations, payload
    assert any(p.startswith("=") for p in payloads) and any(p.startswith("@") for p in payloads)


def test_graph_exports_keep_hostile_names_intact(hostile):
    client, payloads = hostile
    data = json.loads(client.get("/api/export/graph.json").text)
    assert {n["name"] for n in data["nodes"]} >= set(payloads)
    graphml = nx.read_graphml(io.BytesIO(client.get("/api/export/graph.graphml").content))
    assert {d["name"] for _, d in graphml.nodes(data=True)} >= set(payloads)
    assert graphml.number_of_nodes() == len(data["nodes"])
