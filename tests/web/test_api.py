"""api.py: every endpoint, the same answers as the library, the token rule, size limits, bad input, one error shape."""
from __future__ import annotations

import csv
import io
import json
import re

import networkx as nx
import pytest
from fastapi.testclient import TestClient

from armstrack.web import api

from armstrack.graph import browse, query
from armstrack.web.api import MAX_BODY_BYTES, create_app
from armstrack.graph.export import SIPRI_COLUMNS
from armstrack.graph.graph import open_graph
from conftest import SEED_ID, fill_gold

TOKEN = "test-token-1234"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
ARTICLE = ("Turkey will deliver Bayraktar TB2 drones to Kyrgyzstan in 2025, the Kyrgyz defence ministry said on "
           "Tuesday. The contract was signed in Ankara in March 2024 between Baykar and the ministry.")


@pytest.fixture(scope="module")
def reader(gold_db):
    """Read-only client over the gold store, without a token (no write routes)."""
    with TestClient(create_app(gold_db)) as client:
        yield client


@pytest.fixture()
def writer(tmp_path, extractor):
    """A client with the token over a private gold store (write tests change it)."""
    db = str(tmp_path / "w.db")
    fill_gold(db)
    with TestClient(create_app(db, token=TOKEN, extractor=extractor)) as client:
        yield client


def assert_error(response, status: int) -> dict:
    """The one error shape, pinned: exactly {"error": {"status", "message"}} and no trace."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"status", "message"}, body
    assert body["error"]["status"] == status
    assert body["error"]["message"] and "Traceback" not in body["error"]["message"]
    return body["error"]


# -- reads: the library's answers, as JSON -----------------------------------------------------------

def test_read_endpoints_serve_the_query_functions(reader, gold_graph):
    assert reader.get("/api/timeline/Turkey/Kazakhstan").json() == query.timeline(
        gold_graph, "Turkey", "Kazakhstan").to_dict()
    assert reader.get("/api/profile/KZ").json() == query.profile(gold_graph, "Kazakhstan").to_dict()
    assert reader.get("/api/entities/TAI").json() == query.entity(gold_graph, "TAI").to_dict()
    assert reader.get("/api/first", params={"source": "Türkiye", "category": "uav"}).json()["first"][
        "country"] == "Kazakhstan"
    assert reader.get("/api/search", params={"q": "Kazakh"}).json() == browse.search(gold_graph, "Kazakh").to_dict()


def test_search_puts_a_resolved_country_first(reader):
    results = reader.get("/api/search", params={"q": "Kazakhstan"}).json()["results"]
    assert results[0]["name"] == "Kazakhstan" and results[0]["kind"] == "country" and results[0]["facts"] > 0
    assert any(r["name"] == "Kazakhstan Engineering" for r in results)
    assert reader.get("/api/search", params={"q": "TR"}).json()["results"][0]["name"] == "Turkey"


def test_facts_filters_and_pagination(reader, gold_graph):
    everything = query.facts(gold_graph, country="Kazakhstan")
    pages, offset = [], 0
    while True:
        page = reader.get("/api/facts", params={"country": "Kazakhstan", "limit": 4, "offset": offset}).json()
        assert page["total"] == len(everything) and page["limit"] == 4
        if not page["facts"]:
            break
        pages += page["facts"]
        offset += 4
    assert [f["key"] for f in pages] == [f.key for f in everything]
    planned = reader.get("/api/facts", params={"type": "licensed_production", "status": "planned",
                                               "since": "2020"}).json()
    assert planned["facts"] and all(f["type"] == "licensed_production" and f["status"] == "planned"
                                    and f["time_start"] >= "2020" for f in planned["facts"])
    # gold facts carry confidence 1.0: every one passes 0.9, and a bound above 1 is refused
    confident = reader.get("/api/facts", params={"country": "Kazakhstan", "min_confidence": 0.9}).json()
    assert confident["total"] == len(everything)
    assert reader.get("/api/facts", params={"min_confidence": 1.5}).status_code == 422


def test_one_fact_by_id(reader, gold_graph):
    view = query.timeline(gold_graph, "Turkey", "Kazakhstan").facts[0]
    assert reader.get(f"/api/facts/{view.id}").json() == view.to_dict()
    assert_error(reader.get("/api/facts/abcdef0123"), 404)


def test_network_has_one_edge_per_type_and_the_combined_graph(reader, gold_graph):
    data = reader.get("/api/network", params={"type": "licensed_production", "since": "2010"}).json()
    assert data["combined"] == query.network(gold_graph, fact_type="licensed_production", since="2010").to_dict()
    assert data["edges"] and {e["type"] for e in data["edges"]} == {"licensed_production"}
    everything = reader.get("/api/network").json()
    assert len({e["type"] for e in everything["edges"]}) > 3
    assert {n["id"] for n in everything["nodes"]} >= {"Turkey", "Kazakhstan"}


def test_network_of_organisations_draws_each_participant(reader, gold_graph):
    data = reader.get("/api/network", params={"level": "organization"}).json()
    kinds = {n["id"]: n["kind"] for n in data["nodes"]}
    assert kinds.get("Kazakhstan Engineering") == kinds.get("Turkish Aerospace Industries") == "organization"
    licensed = [e for e in data["edges"] if e["type"] == "licensed_production"
                and {e["source"], e["target"]} == {"Turkish Aerospace Industries", "Kazakhstan Engineering"}]
    assert licensed and licensed[0]["source"] == "Turkish Aerospace Industries"  # licensor -> producer
    assert all(reader.get(f"/api/facts/{f}").status_code == 200 for f in licensed[0]["facts"])
    assert data == browse.typed_network(gold_graph, level="organization").to_dict()
    assert {n["kind"] for n in reader.get("/api/network").json()["nodes"]} == {"country"}
    assert_error(reader.get("/api/network", params={"level": "city"}), 422)


def test_articles_with_their_facts_and_evidence_spans(reader):
    listing = reader.get("/api/articles", params={"limit": 5}).json()
    assert listing["total"] >= 20 and len(listing["articles"]) == 5
    seed = next(a for a in listing["articles"] if a["id"] == SEED_ID)
    article = reader.get(f"/api/articles/{seed['article_id']}").json()
    assert article["facts"] and article["text"].startswith(seed["preview"])
    located = [f for f in article["facts"] if f["span"]]
    assert located, "gold facts carry no offsets: the evidence must be found in the text"
    for f in located:
        start, end = f["span"]
        assert article["text"][start:end] == f["evidence"]
    assert_error(reader.get("/api/articles/999999"), 404)


def test_exports(reader, gold_graph):
    register = reader.get("/api/export/sipri.csv")
    assert register.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(register.text)))
    assert rows and tuple(rows[0]) == SIPRI_COLUMNS
    graph = reader.get("/api/export/graph.json").json()
    assert graph["nodes"] and graph["edges"] and len(graph["facts"]) == len(query.facts(gold_graph))
    graphml = reader.get("/api/export/graph.graphml")
    assert graphml.headers["content-type"].startswith("application/graphml+xml")
    assert nx.read_graphml(io.BytesIO(graphml.content)).number_of_nodes() == len(graph["nodes"])


# -- errors: one shape, clear messages, never a 500 for bad input --------------------------------------

@pytest.mark.parametrize("url, status, words", [
    ("/api/profile/Atlantis", 404, "unknown country"),
    ("/api/timeline/Turkey/Türkiye", 404, "two different countries"),
    ("/api/facts?type=submarines", 422, "type"),
    ("/api/facts?since=last-year", 422, "since"),
    ("/api/facts?limit=100000", 422, "limit"),
    ("/api/facts?country=Atlantis", 404, "unknown country"),
    ("/api/facts/not-hex", 422, "fact_id"),
    ("/api/articles/zero", 422, "article_id"),
    ("/api/search?q=", 422, "q"),
    ("/api/nowhere", 404, "Not Found"),
])
def test_bad_requests_get_a_clear_4xx(reader, url, status, words):
    assert words.lower() in assert_error(reader.get(url), status)["message"].lower()


def test_an_internal_error_is_a_500_in_the_same_shape_without_a_trace(gold_db, monkeypatch):
    def broken(*_args, **_kwargs):
        raise RuntimeError("secret internals /etc/passwd")

    monkeypatch.setattr(query, "profile", broken)
    with TestClient(create_app(gold_db), raise_server_exceptions=False) as client:
        error = assert_error(client.get("/api/profile/Kazakhstan"), 500)
    assert "secret" not in error["message"]


# -- the token rule ----------------------------------------------------------------------------------

def test_without_a_token_there_are_no_write_routes(reader):
    paths = reader.get("/openapi.json").json()["paths"]
    assert "post" not in paths["/api/articles"] and "/api/facts/{fact_id}/review" not in paths
    assert_error(reader.post("/api/articles", json={"text": ARTICLE}), 405)
    assert_error(reader.post("/api/facts/abcdef/review", json={"decision": "accept"}), 404)


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN},
                                     {"Authorization": f"Basic {TOKEN}"}])
def test_write_routes_refuse_a_missing_or_wrong_token(writer, headers):
    response = writer.post("/api/articles", json={"text": ARTICLE}, headers=headers)
    assert_error(response, 401)
    assert response.headers["www-authenticate"] == "Bearer"
    assert_error(writer.post("/api/facts/abcdef/review", json={"decision": "accept"}, headers=headers), 401)


def test_ingest_text_then_query_it(writer):
    response = writer.post("/api/articles", headers=AUTH, json={"text": ARTICLE, "id": "kg-tb2", "source": "wire"})
    assert response.status_code == 201, response.text
    done = response.json()
    assert done["created"] and done["facts_written"] >= 1 and done["article"]["id"] == "kg-tb2"
    assert done["article"]["outlet"] == "wire" and done["article"]["text"] == ARTICLE
    assert any(f["type"] == "arms_transfer" for f in done["article"]["facts"])
    timeline = writer.get("/api/timeline/Turkey/Kyrgyzstan").json()
    assert any("kg-tb2" in f["articles"] for f in timeline["facts"])
    again = writer.post("/api/articles", headers=AUTH, json={"text": ARTICLE, "id": "kg-tb2"}).json()
    assert not again["created"] and again["article_id"] == done["article_id"]


def test_ingest_html(writer):
    page = f"<html><head><title>TB2</title></head><body><article><p>{ARTICLE}</p></article></body></html>"
    response = writer.post("/api/articles", headers=AUTH, json={"text": page, "format": "html"})
    assert response.status_code == 201, response.text
    assert "<p>" not in response.json()["article"]["text"] and "Bayraktar" in response.json()["article"]["text"]


@pytest.mark.parametrize("body, words", [
    ({"text": ""}, "text"),
    ({"text": "x", "format": "pdf"}, "format"),
    ({"text": ARTICLE, "colour": "red"}, "colour"),
    ({"text": "Das Verteidigungsministerium hat gestern in Berlin einen Vertrag über die Lieferung von "
              "gepanzerten Fahrzeugen unterzeichnet. Die ersten Fahrzeuge sollen im nächsten Jahr an die Truppe "
              "übergeben werden, teilte ein Sprecher mit. Die Kosten belaufen sich auf mehrere hundert Millionen "
              "Euro, wie das Ministerium am Abend in einer Mitteilung an die Presse bekannt gab."}, "not english"),
    ({"text": 42}, "text"),
])
def test_ingest_refuses_bad_input_with_a_4xx(writer, body, words):
    error = assert_error(writer.post("/api/articles", headers=AUTH, json=body), 422)
    assert words in error["message"].lower()


def test_broken_json_is_a_422(writer):
    response = writer.post("/api/articles", headers=AUTH | {"content-type": "application/json"}, content=b"{text: ")
    assert "json" in assert_error(response, 422)["message"].lower()


def test_review_reject_and_correct(writer):
    fact = writer.get("/api/timeline/Turkey/Kazakhstan").json()["facts"][0]
    rejected = writer.post(f"/api/facts/{fact['id']}/review", headers=AUTH,
                           json={"decision": "reject", "by": "ann"}).json()
    assert rejected["fact"]["review"] == "rejected" and rejected["key"] == fact["key"]
    assert fact["key"] not in [f["key"] for f in writer.get("/api/timeline/Turkey/Kazakhstan").json()["facts"]]
    corrected = writer.post(f"/api/facts/{fact['id']}/review", headers=AUTH,
                            json={"decision": "correct", "corrections": {"status": "completed"}}).json()
    assert corrected["fact"]["status"] == "completed"
    bad = assert_error(writer.post(f"/api/facts/{fact['id']}/review", headers=AUTH,
                                   json={"decision": "correct", "corrections": {"colour": "red"}}), 400)
    assert "cannot correct colour" in bad["message"]
    assert_error(writer.post("/api/facts/abcdef0123/review", headers=AUTH, json={"decision": "accept"}), 404)
    assert_error(writer.post(f"/api/facts/{fact['id']}/review", headers=AUTH, json={"decision": "maybe"}), 422)


# -- size limits ---------------------------------------------------------------------------------------

def test_declared_oversize_body_is_refused_before_reading(writer):
    body = json.dumps({"text": "a" * MAX_BODY_BYTES})
    assert "limit" in assert_error(writer.post("/api/articles", headers=AUTH, content=body,
                                               ), 413)["message"]


def test_streamed_oversize_body_is_refused(writer):
    chunk = b"a" * (1024 * 1024)

    def stream():  # no Content-Length: chunked transfer
        yield b'{"text": "'
        for _ in range(MAX_BODY_BYTES // len(chunk) + 2):
            yield chunk
        yield b'"}'

    response = writer.post("/api/articles", headers=AUTH | {"content-type": "application/json"}, content=stream())
    assert_error(response, 413)


def test_a_bad_content_length_is_refused(writer):
    response = writer.post("/api/articles", headers=AUTH | {"content-length": "lots"}, content=b"{}")
    assert response.status_code in (400, 413)


# -- page, headers, CLI ------------------------------------------------------------------------------

def test_page_and_assets_are_served_with_a_strict_policy(reader):
    page = reader.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page.text), "no inline scripts"
    assert not re.search(r"https?://(?!localhost)", re.sub(r"<!--.*?-->", "", page.text, flags=re.S)), "no CDN"
    for src in re.findall(r'(?:src|href)="(/static/[^"]+)"', page.text):
        assert reader.get(src).status_code == 200, src
    for response in (page, reader.get("/api/profile/Kazakhstan"), reader.get("/api/nowhere")):
        assert response.headers["x-content-type-options"] == "nosniff"
        csp = response.headers["content-security-policy"]
        assert "default-src 'self'" in csp and "script-src 'self'" in csp and "unsafe-inline" not in csp
    cors = reader.get("/api/facts", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in cors.headers


def test_openapi_document_lists_every_route(reader):
    paths = set(reader.get("/openapi.json").json()["paths"])
    assert paths >= {"/api/search", "/api/entities/{name}", "/api/profile/{country}", "/api/timeline/{a}/{b}",
                     "/api/facts", "/api/facts/{fact_id}", "/api/network", "/api/first", "/api/articles",
                     "/api/articles/{article_id}", "/api/export/sipri.csv", "/api/export/graph.json",
                     "/api/export/graph.graphml"}


def test_serve_binds_localhost_and_reads_the_token_from_the_environment(gold_db, monkeypatch):
    from click.testing import CliRunner

    import uvicorn
    from armstrack.cli.main import main

    seen = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: seen.update(kw, app=app))
    monkeypatch.setenv(api.TOKEN_ENV, "s3cret-token")
    result = CliRunner().invoke(main, ["serve", "--db", gold_db], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert seen["host"] == "127.0.0.1" and seen["port"] == 8000
    assert "s3cret-token" not in result.output and "write routes on" in result.output
    paths = TestClient(seen["app"]).get("/openapi.json").json()["paths"]
    assert "/api/facts/{fact_id}/review" in paths
    assert "Example:" in CliRunner().invoke(main, ["serve", "--help"]).output


def test_the_api_picks_up_facts_ingested_elsewhere(tmp_path, seed):
    db = str(tmp_path / "late.db")
    with TestClient(create_app(db)) as client:
        assert client.get("/api/facts").json()["total"] == 0
        fill_gold(db)  # e.g. `armstrack ingest` running beside the server
        assert client.get("/api/facts").json()["total"] == len(query.facts(open_graph(db)))
