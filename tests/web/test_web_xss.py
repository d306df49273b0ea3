"""Stored XSS: the corpus of tests/data/xss_payloads.txt stored in every text field, then the page driven
through search, profile, timeline, fact panel, article view, lists and network in a real chromium.

The browser context bypasses the Content-Security-Policy on purpose: the policy would stop an injected
script from running, so these tests prove the rendering itself never turns stored text into markup.
An init script watches the DOM from the first byte (a MutationObserver under ``<main>``) for
dangerous elements, event-handler attributes and script URLs, even ones that come and go.
"""
from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import expect, sync_playwright

from armstrack.web.api import create_app
from conftest import fill_gold
from hostile import add_hostile, evidence_of
from test_web_page import CHROMIUM, CHROMIUM_ARGS, VIEWPORT, click_network_edge, wait_for_timeline
from webserver import keep_local, live_server

TOKEN = "xss-test-token"
# Articles posted through the API and read by the real extractor: payloads in the evidence sentence.
POSTED = [
    ("Turkey will deliver Bayraktar TB2 drones {p} to Kyrgyzstan in 2025 under a contract signed by Baykar, "
     "the ministry said on Tuesday.\n\nOfficials in Bishkek said the drones would be based near the capital.")
]
WATCH = """
(() => {
  const BAD_TAGS = new Set(["script", "iframe", "frame", "object", "embed", "img", "svg", "math", "video",
    "audio", "source", "base", "meta", "link", "style", "details", "marquee", "body", "template"]);
  const URL_ATTRS = ["href", "src", "action", "formaction", "data", "xlink:href", "poster", "background"];
  window.__injected = [];
  const bad = (el) => {
    if (!(el instanceof Element) || !el.closest("main")) return null;
    const tag = el.localName.toLowerCase();
    if (BAD_TAGS.has(tag)) return tag;
    for (const a of el.attributes) {
      const value = a.value.trim().toLowerCase();
      if (a.name.toLowerCase().startsWith("on") || a.name === "srcdoc" || a.name === "autofocus") return `${tag}[${a.name}]`;
      if (URL_ATTRS.includes(a.name) && /^(javascript|data|vbscript):/.test(value)) return `${tag}[${a.name}=${value}]`;
    }
    if (tag === "a" && el.hasAttribute("href") && !/^(#|https?:)/i.test(el.getAttribute("href"))) return "a[href]";
    return null;
  };
  const check = (el) => { const why = bad(el); if (why) window.__injected.push(why); };
  new MutationObserver((mutations) => {
    for (const m of mutations) {
      if (m.type === "attributes") check(m.target);
      for (const node of m.addedNodes) {
        check(node);
        if (node.querySelectorAll) node.querySelectorAll("*").forEach(check);
      }
    }
  }).observe(document, { childList: true, subtree: true, attributes: true });
})();
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory, extractor):
    """A live server over the gold store plus one hostile article per payload, and extracted hostile posts."""
    db = str(tmp_path_factory.mktemp("xss") / "xss.db")
    fill_gold(db)
    payloads = add_hostile(db)
    with live_server(create_app(db, token=TOKEN, extractor=extractor)) as base:
        posted = []
        for n, template in enumerate(POSTED):
            chosen = payloads[n * 3:(n + 1) * 3]
            text = template.format(p=" ".join(chosen))
            answer = httpx.post(f"{base}/api/articles", headers={"Authorization": f"Bearer {TOKEN}"},
                                json={"text": text, "id": chosen[0], "source": chosen[1], "url": chosen[2]})
            assert answer.status_code == 201, answer.text
            assert answer.json()["article"]["facts"], "the extractor found no fact in the hostile post"
            posted.append(answer.json()["article"])
        yield base, payloads, posted


@pytest.fixture(scope="module")
def browser():
    assert Path(CHROMIUM).exists(), f"chromium not found at {CHROMIUM} (see tests/test_web_page.py)"
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture()
def page(browser, site):
    """A page without the CSP's protection, watched for dialogs, errors, injected DOM and outside requests."""
    base = site[0]
    context = browser.new_context(viewport=VIEWPORT, bypass_csp=True)
    context.add_init_script(WATCH)
    pg = context.new_page()
    pg.dialogs = []
    pg.on("dialog", lambda d: (pg.dialogs.append(d.message), d.dismiss()))
    keep_local(pg, base)
    pg.goto(base + "/")
    yield pg
    assert_clean(pg)
    assert not pg.errors, pg.errors
    assert not pg.outside, f"the page fetched from outside: {pg.outside}"
    context.close()


def assert_clean(page) -> None:
    """Nothing ran and nothing was injected, now or at any moment since the page loaded."""
    assert page.evaluate("typeof window.__xss") == "undefined", "a payload ran"
    assert not page.dialogs, page.dialogs
    assert page.evaluate("window.__injected") == [], "markup from stored text reached the DOM"
    assert page.locator("main script, main iframe, main object, main embed, main img, main svg, main math, "
                        "main [onerror], main [onload], main [srcdoc], main a[href^='javascript' i], "
                        "main a[href^='data' i]").count() == 0


def go(page, base: str, hash_: str) -> None:
    page.goto(f"{base}/{hash_}")


def test_article_view_and_fact_panel_show_every_payload_as_text(page, site):
    base, payloads, posted = site
    listing = httpx.get(f"{base}/api/articles", params={"limit": 500}).json()["articles"]
    extracted = {a["article_id"] for a in posted}
    by_url = {a["url"]: a for a in listing if a["article_id"] not in extracted}
    for i, payload in enumerate(payloads):
        entry = by_url[payload]
        go(page, base, f"#article/{entry['article_id']}")
        text = page.locator("#article-text")
        expect(text).to_contain_text(f"article {i} of the hostile set")
        assert text.text_content().count(payload) == 2
        assert text.locator("mark").text_content() == evidence_of(payload)
        assert page.locator("#article h1").text_content() == entry["id"]
        meta = page.locator("#article .source-meta").text_content()
        assert meta.count(payload) == 3  # outlet, URL (as text: not an http(s) link) and id or origin
        text.locator("mark").click()
        panel = page.locator("#detail .fact-detail")
        expect(panel.locator(".participants")).to_contain_text(payload)
        expect(page.locator("#evidence-text mark")).to_have_text(evidence_of(payload))
        assert payload in panel.locator(".sources").text_content()  # the outlet
        assert f"Systems: {payload} (uav)" in panel.text_content()
        assert_clean(page)
    for article in posted:
        go(page, base, f"#article/{article['article_id']}")
        expect(page.locator("#article-text")).to_have_text(article["text"])
        page.locator("#article-text mark").first.click()
        expect(page.locator("#evidence-text")).to_be_visible()
        assert page.locator("#article h1").text_content() == article["id"]
        assert_clean(page)


def test_profile_timeline_and_lists_show_hostile_names_as_text(page, site):
    base, payloads, _ = site
    go(page, base, "#profile/Kazakhstan")
    expect(page.locator("#profile h1")).to_have_text("Kazakhstan")
    organisations = page.locator("#profile .orgs").text_content()
    equipment = page.locator("#profile .equipment").text_content()
    latest = page.locator("#latest-facts").text_content()
    for payload in payloads:
        assert payload in organisations and f"{payload} (1)" in equipment, payload
    assert sum(p in latest for p in payloads) >= 5
    assert_clean(page)

    go(page, base, "#timeline/Kazakhstan/Turkey")
    wait_for_timeline(page)
    chart = page.locator("#timeline-chart").text_content()
    assert all(payload in chart for payload in payloads)
    page.locator("#timeline .vis-item", has_text=payloads[0]).first.locator(".item-label").click()
    expect(page.locator("#detail .participants")).to_contain_text(payloads[0])
    assert_clean(page)

    total = httpx.get(f"{base}/api/articles", params={"limit": 1}).json()["total"]
    shown = ""
    for offset in range(0, total, 50):
        go(page, base, f"#articles?offset={offset}")
        # the pager names the page shown: two full pages of 50 look alike to a count of items
        expect(page.locator("#articles .pager")).to_have_text(re.compile(rf"^{offset + 1}–"))
        expect(page.locator("#articles li")).to_have_count(min(50, total - offset))
        shown += page.locator("#articles").text_content()
        assert_clean(page)
    assert all(shown.count(payload) >= 2 for payload in payloads)  # the outlet and the preview, or the id

    go(page, base, "#facts?country=Kazakhstan&since=2025")
    expect(page.locator("#facts .fact-table tr[data-fact-id]").first).to_be_visible()
    table = page.locator("#facts .fact-table").text_content()
    assert all(f"supplier: {payload}" in table for payload in payloads)
    assert_clean(page)


def test_search_and_entity_view_show_hostile_names_as_text(page, site):
    base, payloads, _ = site
    for payload in payloads:
        page.fill("#search", payload)
        page.press("#search", "Enter")
        results = page.locator("#search-results")
        expect(page.locator("#view h1")).to_have_text(f"Search: {payload}")
        link = results.locator("li", has_text="organization").get_by_role("link", name=payload, exact=True)
        expect(link).to_have_count(1)
        link.click()
        expect(page.locator("#entity h1")).to_have_text(payload)
        assert_clean(page)


def test_network_of_organisations_shows_hostile_names_as_text(page, site):
    base, payloads, _ = site
    go(page, base, "#network?level=organization")
    page.wait_for_selector("#network-chart[data-level=organization][data-ready=true]", timeout=30_000)
    ids = set(page.evaluate("() => networkWidget.body.data.nodes.getIds()"))
    assert set(payloads) <= ids
    target = next(p for p in payloads if p.startswith("<img"))
    point = page.evaluate("id => networkWidget.canvasToDOM(networkWidget.getPositions([id])[id])", target)
    box = page.locator("#network-chart canvas").bounding_box()
    page.mouse.move(box["x"] + point["x"], box["y"] + point["y"])
    tooltip = page.locator("#network-chart .vis-tooltip")
    expect(tooltip).to_be_visible()
    expect(tooltip).to_have_text(f"{target}: 1 facts")
    assert tooltip.evaluate("t => t.children.length") == 0
    edge = page.evaluate("""id => networkWidget.body.data.edges.getIds().find(e =>
        networkWidget.body.data.edges.get(e).from === id)""", target)
    click_network_edge(page, edge)
    expect(page.locator("#edge-facts h2")).to_contain_text(target)
    expect(page.locator("#network-facts li")).to_have_count(1)
    page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])
    expect(page.locator("#entity h1")).to_have_text(target)
    assert_clean(page)
