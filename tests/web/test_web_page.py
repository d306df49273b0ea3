"""The web page in a real headless browser (Debian's chromium through Playwright) over the ingested corpus.

The server is uvicorn in a thread over a store of ../shared/corpus as the real
extractor reads it. With ARMSTRACK_SCREENSHOTS=docs they also save the README's
screenshots there (a plain run leaves the working tree untouched).
Chromium must be installed (.ci/run installs it): without it they fail, never skip.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import expect, sync_playwright

from armstrack.web.api import create_app
from webserver import copy_of, corpus_store, keep_local, live_server

CHROMIUM = os.environ.get("ARMSTRACK_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
SCREENSHOTS = os.environ.get("ARMSTRACK_SCREENSHOTS")  # a folder, e.g. docs, to refresh the README's images


def screenshot(page, name: str) -> None:
    if SCREENSHOTS:
        page.screenshot(path=str(Path(SCREENSHOTS) / name))
    else:
        page.screenshot()  # still renders the page: a broken render fails the test either way


def click_network_edge(page, edge_id: str) -> None:
    """Fire vis-network's click on one edge, as a click on the canvas would.

    The arrow function returns nothing on purpose: ``emit`` returns the emitter, and Playwright
    then tries to serialise the whole network behind it, which fails ("object reference chain
    is too long") once the graph is as large as the 69-article corpus's organisation network.
    """
    page.evaluate("id => { networkWidget.body.emitter.emit('click', {nodes: [], edges: [id]}); }", edge_id)


TOKEN = "browser-test-token"
VIEWPORT = {"width": 1400, "height": 900}
HOSTILE = ('Turkey will deliver Bayraktar TB2 drones to Kyrgyzstan in 2025 <script>window.__pwned = 1</script> '
           'under a contract <img src=x onerror="window.__pwned = 2"> signed by Baykar, the ministry said '
           '(<a href="javascript:window.__pwned = 3">details</a>).\n\nOfficials in Bishkek said the drones '
           'would be based near the capital and that crews would be trained in Turkey.')


@pytest.fixture(scope="module")
def site(tmp_path_factory, extractor):
    db = copy_of(corpus_store(extractor), tmp_path_factory.mktemp("site"))
    with live_server(create_app(db, token=TOKEN, extractor=extractor)) as base:
        yield base


@pytest.fixture(scope="module")
def browser():
    assert Path(CHROMIUM).exists(), (
        f"chromium not found at {CHROMIUM}: install Debian's chromium (apt-get install -y chromium), "
        "as .ci/run does, or set ARMSTRACK_CHROMIUM")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture()
def page(browser, site):
    """A fresh page that records page errors and every request leaving the server (there must be none)."""
    context = browser.new_context(viewport=VIEWPORT)
    pg = context.new_page()
    keep_local(pg, site)
    yield pg
    assert not pg.errors, pg.errors
    assert not pg.outside, f"the page fetched from the internet: {pg.outside}"
    context.close()


def wait_for_timeline(page) -> None:
    page.wait_for_function("() => { const i = document.querySelector('#timeline .vis-item');"
                           " return i && i.style.transform; }")


def item(page, text: str):
    return page.locator("#timeline .vis-item", has_text=text)


def test_search_profile_timeline_and_evidence(page, site):
    page.goto(site + "/")
    page.fill("#search", "Kazakhstan")
    page.press("#search", "Enter")
    expect(page.locator("#profile h1")).to_have_text("Kazakhstan")
    expect(page.locator("#profile .partners")).to_contain_text("Turkey")
    expect(page.locator("#latest-facts li").first).to_be_visible()
    expect(page.locator("#profile .equipment dt").first).to_be_visible()
    assert "[object" not in page.locator("#profile").inner_text()
    screenshot(page, "profile.png")

    page.get_by_role("link", name="timeline Kazakhstan–Turkey").click()
    expect(page.locator("#timeline h1")).to_have_text("Kazakhstan – Turkey")
    wait_for_timeline(page)
    venture = item(page, "Aselsan Engineering")
    anka = item(page, "ANKA").filter(has_text="licensed production")
    expect(venture).to_have_count(1)
    expect(anka).to_have_count(1)
    assert venture.locator(".item-label").get_attribute("data-start") == "2011"
    assert "joint venture" in venture.text_content()
    assert anka.locator(".item-label").get_attribute("data-start") == "2024"
    assert "status-planned" in anka.get_attribute("class") and "planned" in anka.text_content()
    assert "status-completed" in venture.get_attribute("class")
    # a real time axis: 2024 lies right of 2011, and planned is drawn differently from completed
    assert anka.bounding_box()["x"] > venture.bounding_box()["x"] + 50
    style = "e => getComputedStyle(e).borderTopStyle"
    assert anka.evaluate(style) == "dashed" and venture.evaluate(style) == "solid"
    # a year-precise fact is a bar spanning its year, not a point
    assert venture.get_attribute("class").count("vis-range")

    venture.click()
    mark = page.locator("#evidence mark")
    expect(mark).to_be_visible()
    assert re.search(r"2011.*Aselsan.*joint venture, Aselsan Engineering", mark.inner_text(), re.S)
    expect(page.locator("#detail .badge.review-unreviewed")).to_be_visible()
    expect(page.locator("#detail .sources")).to_contain_text("000_kazakhstan_turkish_uavs")
    screenshot(page, "timeline.png")


def test_network_draws_countries_and_opens_facts(page, site):
    page.goto(site + "/#network")
    page.wait_for_selector("#network-chart[data-ready=true]", timeout=30_000)
    assert page.locator("#network-chart canvas").count() == 1
    screenshot(page, "network.png")
    edge = page.evaluate("""() => {
        const ids = networkWidget.body.data.edges.getIds();
        return ids.find(id => { const e = networkWidget.body.data.edges.get(id);
                                return e.from === 'Turkey' && e.to === 'Kazakhstan'; }); }""")
    assert edge is not None, "no Turkey -> Kazakhstan edge"
    click_network_edge(page, edge)
    expect(page.locator("#network-facts li").first).to_be_visible()
    page.locator("#network-facts .fact-link").first.click()
    expect(page.locator("#evidence")).to_be_visible()
    point = page.evaluate("""() => { const p = networkWidget.getPositions(['Kazakhstan']).Kazakhstan;
                                     return networkWidget.canvasToDOM(p); }""")
    box = page.locator("#network-chart canvas").bounding_box()
    page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])
    expect(page.locator("#profile h1")).to_have_text("Kazakhstan")
    page.goto(site + "/#network")
    page.select_option("#network select[name=level]", "organization")
    expect(page).to_have_url(re.compile(r"#network\?level=organization$"))
    page.wait_for_selector("#network-chart[data-level=organization][data-ready=true]", timeout=30_000)
    org = page.evaluate("() => networkWidget.body.data.nodes.get('Turkish Aerospace Industries')")
    assert org and org["label"] == "Turkish Aerospace Industries" and org["shape"] == "diamond"


def test_fact_list_filters_and_pages(page, site):
    page.goto(site + "/#facts?country=Kazakhstan&type=joint_venture")
    rows = page.locator("#facts .fact-table tr[data-fact-id]")
    expect(rows.first).to_be_visible()
    ventures = rows.count()
    assert all("joint venture" in rows.nth(i).inner_text() for i in range(ventures))
    pager = page.locator("#facts .pager")
    before = pager.inner_text()
    page.select_option("#facts select[name=type]", "")
    page.click("#facts form button[type=submit]")
    expect(page).to_have_url(re.compile(r"#facts\?country=Kazakhstan$"))
    expect(pager).not_to_have_text(before)
    total = int(pager.inner_text().split(" of ")[1].split()[0])
    expect(rows).to_have_count(total)
    assert total > ventures
    rows.first.locator(".fact-link").click()
    expect(page.locator("#detail .fact-detail")).to_be_visible()


def test_article_list_pages_through_every_article(page, site):
    total = httpx.get(f"{site}/api/articles", params={"limit": 1}).json()["total"]
    assert total > 50  # the corpus no longer fits one page
    page.goto(site + "/#articles")
    pager, items = page.locator("#articles .pager"), page.locator("#articles li")
    expect(pager).to_have_text(re.compile(rf"^1–50 of {total}\b"))
    expect(items).to_have_count(50)
    first_link = items.first.get_by_role("link")
    first_page = first_link.inner_text()
    pager.get_by_role("button", name="next").click()
    expect(page).to_have_url(re.compile(r"#articles\?offset=50$"))
    expect(pager).to_have_text(re.compile(rf"^51–{min(100, total)} of {total}\b"))
    expect(items).to_have_count(min(50, total - 50))
    expect(first_link).not_to_have_text(first_page)
    pager.get_by_role("button", name="previous").click()
    expect(pager).to_have_text(re.compile(rf"^1–50 of {total}\b"))
    expect(first_link).to_have_text(first_page)


def test_hostile_article_text_never_runs_or_renders_as_markup(page, site):
    posted = httpx.post(f"{site}/api/articles", json={"text": HOSTILE, "id": "hostile"},
                        headers={"Authorization": f"Bearer {TOKEN}"})
    assert posted.status_code == 201, posted.text
    article = posted.json()["article"]
    assert article["facts"], "the hostile article should yield a fact to click"
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(f"{site}/#article/{article['article_id']}")
    text = page.locator("#article-text")
    expect(text).to_contain_text("<script>window.__pwned = 1</script>")
    expect(text).to_contain_text('<img src=x onerror="window.__pwned = 2">')
    expect(text).to_contain_text('<a href="javascript:window.__pwned = 3">details</a>')
    assert text.locator("script, img, a, iframe").count() == 0
    text.locator("mark").first.click()
    expect(page.locator("#evidence-text")).to_be_visible()
    for area in ("#view", "#detail"):
        assert page.locator(f"{area} script, {area} img, {area} iframe").count() == 0
        assert page.locator(f"{area} a[href^='javascript']").count() == 0
    page.wait_for_timeout(200)
    assert page.evaluate("window.__pwned") is None and not dialogs


def test_review_form_records_a_decision_with_a_token_kept_in_memory(page, site):
    fact = httpx.get(f"{site}/api/facts", params={"type": "training", "limit": 1}).json()["facts"][0]
    page.goto(f"{site}/#facts?type=training")
    page.locator(f"#facts tr[data-fact-id='{fact['id']}'] .fact-link").click()
    form = page.locator("#detail .review-form")
    form.locator("select[name=decision]").select_option("accept")
    form.locator("input[name=token]").fill("wrong")
    form.locator("button[type=submit]").click()
    expect(form.locator(".review-outcome")).to_contain_text("token")
    form.locator("input[name=token]").fill(TOKEN)
    form.locator("button[type=submit]").click()
    expect(page.locator("#detail .badge.review-accepted")).to_be_visible()
    assert httpx.get(f"{site}/api/facts/{fact['id']}").json()["review"] == "accepted"
    assert page.evaluate("JSON.stringify({...localStorage, ...sessionStorage})") == "{}"
    assert TOKEN not in page.url


def test_profile_brief_button_downloads_a_self_contained_brief(page, site):
    page.goto(site + "/#profile/Kazakhstan")
    button = page.get_by_role("link", name="Brief", exact=True)
    expect(button).to_be_visible()
    with page.expect_download() as download:
        button.click()
    saved = download.value
    assert saved.suggested_filename == "brief-Kazakhstan.html"
    text = Path(saved.path()).read_text(encoding="utf-8")
    assert "<script" not in text and text.count("<svg") == 3 and "ANKA" in text
