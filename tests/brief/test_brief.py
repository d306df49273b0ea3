"""Briefs over the ingested corpus: HTML opened in chromium, PDF read back by pdftotext, hostile text escaped."""
from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import lxml.html
import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from playwright.sync_api import sync_playwright

from armstrack.brief.gather import gather
from armstrack.brief.render import md_escape, to_html, to_markdown
from armstrack.cli.main import main
from armstrack.graph.graph import open_graph
from armstrack.model import Article
from armstrack.web.api import create_app
from webserver import copy_of, corpus_store

CHROMIUM = os.environ.get("ARMSTRACK_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = os.environ.get("ARMSTRACK_SCREENSHOTS")  # a folder, e.g. docs, to refresh the README's image
NAMES = ("ANKA", "Aselsan Engineering", "Wing Loong", "Orlan-10")
HOSTILE = Article(
    origin="hostile-kz", id="hostile_kz", published="2025-04-01", outlet="<b onmouseover=alert(1)>Evil</b> Outlet",
    url="javascript:alert(1)",
    text='Turkey delivered Bayraktar TB2 drones to Kazakhstan in 2024 <script>alert("x")</script> under a deal '
         '<img src=x onerror=alert(2)> [link](javascript:alert(3)), officials said.')


@pytest.fixture(scope="module")
def corpus_db(tmp_path_factory, extractor) -> str:
    return copy_of(corpus_store(extractor), tmp_path_factory.mktemp("brief"))


def cli(*args: str) -> str:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_html_and_pdf_briefs_name_the_seed_with_citations(corpus_db, tmp_path):
    html_path, pdf_path = tmp_path / "b.html", tmp_path / "b.pdf"
    cli("brief", "Kazakhstan", "--out", str(html_path), "--db", corpus_db)
    cli("brief", "Kazakhstan", "--format", "pdf", "--out", str(pdf_path), "--db", corpus_db)

    doc = lxml.html.fromstring(html_path.read_text(encoding="utf-8"))
    assert not doc.xpath("//script") and not doc.xpath("//@*[starts-with(name(), 'on')]")
    assert len(doc.xpath("//svg")) == 3  # partners, timeline, network: drawn, not tables
    rows = doc.xpath("//h2[.='Key facts']/following-sibling::table[1]//tr[td]")
    for name in NAMES:
        cited = [r for r in rows if name in r.text_content() and r.xpath(".//a[starts-with(@href, '#cite-')]")]
        assert cited, f"{name} has no cited key fact"
    citations = doc.xpath("//ol[@class='citations']/li")
    assert citations and all(li.xpath(".//span[@class='evidence']")[0].text_content().strip("“”") for li in citations)
    numbers = {a.get("href") for a in doc.xpath("//a[starts-with(@href, '#cite-')]")}
    assert numbers == {f"#cite-{li.get('id').split('-')[1]}" for li in citations}  # every citation is used

    text = subprocess.run(["pdftotext", "-layout", str(pdf_path), "-"], capture_output=True, text=True,
                          check=True).stdout
    flat = " ".join(text.split())
    assert pdf_path.read_bytes()[:5] == b"%PDF-" and "Kazakhstan: defence-industrial cooperation" in flat
    for name in (*NAMES, "Sources", "Timeline", "Network"):
        assert name in flat, name
    assert re.search(r"\[1\]", flat) and re.search(r"^\s*1\.\s", text, re.M)  # numbered citations


def test_the_brief_opens_in_chromium_offline_with_its_charts(corpus_db, tmp_path):
    path = tmp_path / "brief.html"
    cli("brief", "Kazakhstan", "--out", str(path), "--db", corpus_db)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 900, "height": 1300})
        errors, requests = [], []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("request", lambda r: requests.append(r.url))
        page.goto(path.as_uri())
        assert page.locator("h1").inner_text() == "Kazakhstan: defence-industrial cooperation"
        bars = page.locator("figure svg").first.locator("rect")
        assert bars.count() >= 2 and bars.first.bounding_box()["width"] > bars.nth(1).bounding_box()["width"]
        assert page.locator("figure svg").nth(1).locator("circle").count() >= 10  # the timeline's facts
        assert page.locator("figure svg").nth(2).locator("line").count() >= 2  # the network's arrows
        assert page.evaluate("document.scripts.length") == 0
        if SCREENSHOTS:
            page.screenshot(path=str(Path(SCREENSHOTS) / "brief.png"))
        else:
            page.screenshot()
        browser.close()
    assert errors == [] and requests == [path.as_uri()]  # nothing fetched but the file itself


def test_hostile_article_text_is_inert_in_html_and_markdown(fresh_gold_db, extractor):
    graph = open_graph(fresh_gold_db)
    graph.store.add_article(HOSTILE, extractor.extract(HOSTILE), extractor.version)
    graph = open_graph(fresh_gold_db)
    made = gather(graph, "Kazakhstan", since="2024")
    html = to_html(made)
    doc = lxml.html.fromstring(html)
    assert not doc.xpath("//script | //img | //iframe | //object")
    assert not doc.xpath("//@*[starts-with(name(), 'on')]")
    assert not [a for a in doc.xpath("//a/@href") if not a.startswith(("#", "http://", "https://"))]
    assert "<script>alert" in doc.text_content()  # shown as text, not run
    assert "Content-Security-Policy" in html and "default-src 'none'" in html
    markdown = to_markdown(made)
    assert "<script" not in markdown and "<b " not in markdown and "](javascript:" not in markdown
    assert md_escape("<b>[x](javascript:y)</b>") == r"&lt;b&gt;\[x\]\(javascript:y\)&lt;/b&gt;"
    graph.store.close()


def test_partner_and_since_narrow_the_brief_and_markdown_cli(fresh_gold_db, tmp_path):
    out = tmp_path / "b.md"
    cli("brief", "Kazakhstan", "--partner", "Turkey", "--since", "2010", "--format", "md", "--out", str(out),
        "--db", fresh_gold_db)
    markdown = out.read_text(encoding="utf-8")
    assert markdown.startswith("# Kazakhstan and Turkey: defence\\-industrial cooperation since 2010")
    assert markdown.count("data:image/svg+xml;base64,") == 3
    dates = re.findall(r"^\| (\d{4})[-\d–]* \|", markdown, re.M)
    assert dates and all(d >= "2010" for d in dates)
    failed = CliRunner().invoke(main, ["brief", "Atlantis", "--out", str(out), "--db", fresh_gold_db])
    assert failed.exit_code == 1 and "unknown country" in failed.output


def test_brief_route_is_a_download(gold_db):
    with TestClient(create_app(gold_db)) as client:
        response = client.get("/api/brief/Kazakhstan", params={"partner": "Turkey"})
        assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
        assert response.headers["content-disposition"] == 'attachment; filename="brief-Kazakhstan-Turkey.html"'
        assert "Kazakhstan and Turkey" in response.text
        md = client.get("/api/brief/Kazakhstan", params={"format": "md"})
        assert md.headers["content-type"].startswith("text/markdown") and md.text.startswith("# Kazakhstan")
        assert client.get("/api/brief/Atlantis").status_code == 404
        assert client.get("/api/brief/Kazakhstan", params={"format": "exe"}).status_code == 422
