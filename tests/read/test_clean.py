"""clean.py: boilerplate removal, caption spans, HTML extraction, language check."""
from __future__ import annotations

import html as htmlmod
import json
import os
import re
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from armstrack.read.clean import (
    BOILERPLATE,
    CAPTION_PATTERNS,
    clean_text,
    detect_language,
    html_to_text,
    is_boilerplate,
    is_caption,
    is_english,
)
from armstrack.errors import InputError

CORPUS = Path(os.environ.get("ARMSTRACK_CORPUS") or Path(__file__).resolve().parents[3] / "shared" / "corpus")


def _corpus_files() -> list[Path]:
    files = sorted(CORPUS.glob("*.json"))
    assert files, f"annotated corpus not found at {CORPUS} (set ARMSTRACK_CORPUS)"
    return files


def _load(name: str) -> dict:
    return json.loads((CORPUS / name).read_text(encoding="utf-8"))


def _ws(s: str) -> str:
    return re.sub(r"\s+", " ", s).strip()


def _lines(text: str) -> set[str]:
    return {ln for ln in text.split("\n")}


BODY_A = "Turkey has agreed to supply four corvettes to the Pakistan Navy, the ministry said on Friday."
BODY_B = "Deliveries are due to start in August 2023, according to the contract signed in Ankara."
# More article text after the line under test, so it sits early on the page
# (a comments heading in the last half of a page cuts the rest: tested below).
TAIL = ("Two of the ships will be built in Karachi under a technology transfer deal.\n"
        "The first corvette was launched last year in Istanbul.\n"
        "Pakistan also operates Chinese-built frigates.")

# ---------------------------------------------------------------- corpus


@pytest.mark.parametrize("path", _corpus_files(), ids=lambda p: p.stem)
def test_corpus_gold_evidence_survives_cleaning(path: Path) -> None:
    doc = json.loads(path.read_text(encoding="utf-8"))
    cleaned, captions = clean_text(doc["text"], outlet=doc.get("source"))
    assert doc["facts"], "every corpus article has gold facts"
    for fact in doc["facts"]:
        assert _ws(fact["evidence"]) in _ws(cleaned), fact["evidence"]
    for a, b in captions:
        assert 0 <= a < b <= len(cleaned)


# Boilerplate lines in the corpus that must go (test data, not program data).
CORPUS_BOILERPLATE = {
    "000_kazakhstan_turkish_uavs.json": ["Source defence-ua", "You might also like", "Comments", "Loading..."],
    "001_baykar_ukraine_factory.json": ["This audio is created with AI assistance"],
    "003_uzbekistan_drone_acquisitions.json": ["About Derek Bisaccio", "View all posts by Derek Bisaccio →"],
    "006_kyrgyzstan_tb2_order.json": ["READ MORE: A series of autonomous drones gives Turkey a military edge"],
    "008_azerbaijan_israel_azad_uav.json": ["News.Az"],
    "010_baykar_output_romania_tender.json": [
        "News About Turkey - NAT", "2 Min Read", "Source: Arab News", "Share This Article", "Leave a comment",
    ],
    "014_denmark_sweden_cv90_joint_order.json": ["Submit Release"],
    "015_slovakia_cv90_ifv_tender.json": ["Jaroslaw Adamowski is the Poland correspondent for Defense News."],
    "017_qatar_turkey_naval_base_tender.json": ["Read: HRW: Saudi Ritz Carlton torture needs investigating"],
    "018_hanwha_hace_geelong_plant.json": [
        "Skip to content", "• KOSPI 2674.49 -14.76 -0.55%", "• USD/KRW 1330 -7.00 0.53%", "View Market Snapshot",
        "2 Min read",
    ],
}


@pytest.mark.parametrize("name,lines", sorted(CORPUS_BOILERPLATE.items()))
def test_corpus_boilerplate_lines_removed(name: str, lines: list[str]) -> None:
    doc = _load(name)
    cleaned, _ = clean_text(doc["text"], outlet=doc.get("source"))
    for line in lines:
        assert line in doc["text"]
        assert line not in _lines(cleaned), line


def test_corpus_cookie_banner_and_subscription_notice_removed() -> None:
    for name, needle in [("000_kazakhstan_turkish_uavs.json", "uses cookies"),
                         ("019_mhi_pac3_licensed_production.json", "current subscription plan")]:
        cleaned, _ = clean_text(_load(name)["text"])
        assert needle in _load(name)["text"] and needle not in cleaned


@pytest.mark.parametrize("name,title,times_in_raw", [
    ("002_aselsan_kazakhstan_plant.json", "Turkey’s Aselsan open defense plant in Kazakhstan", 3),
    ("018_hanwha_hace_geelong_plant.json",
     "Hanwha Aerospace plant H-ACE in Geelong, Victoria, Australia (Courtesy of Hanwha)", 2),
])
def test_corpus_duplicated_lines_kept_once(name: str, title: str, times_in_raw: int) -> None:
    doc = _load(name)
    assert doc["text"].count(title) == times_in_raw
    assert clean_text(doc["text"])[0].count(title) == 1


CORPUS_CAPTIONS = {
    "000_kazakhstan_turkish_uavs.json": [
        "Turkish ANKA UAV, illustrative photo, source – Tayfun Ozberk/Staff",
        "Turkish UAV ANKA, illustrative photo, source – Anadolu Agency",
        "Chinese reconnaissance and strike UAV Wing Loon in service with the Kazakh Air Force, "
        "illustrative photo from open sources",
    ],
    "002_aselsan_kazakhstan_plant.json": ["Aselsan and a Kazakh company have opened a defense plant. AA photo"],
    "003_uzbekistan_drone_acquisitions.json": [
        "Uzbek President Shavkat Mirziyoyev observes new drone acquisitions. Source: Uzbek presidency"],
    "011_taiwan_national_guard_training_aid.json": ["Photo: Daniel Ceng, AP"],
    "018_hanwha_hace_geelong_plant.json": [
        "Hanwha Aerospace plant H-ACE in Geelong, Victoria, Australia (Courtesy of Hanwha)"],
    "023_poland_babcock_miecznik_frigates.json": ["Arrowhead 140 Type 31 frigate design. Photo: Babcock"],
    "029_canada_chinook_cyclone_helicopters.json": [
        "In December 2008, Canada purchased six used Chinook D-model helicopters from the U.S. army. "
        "((Master Cpl. Angela Abbey/Canadian Forces))"],
    "031_us_navy_fincantieri_ffgx_frigates.json": [
        "FILE PHOTO: A view of Fincantieri shipyard is seen in Monfalcone near Trieste, in northest Italy, "
        "April 21, 2016. REUTERS/Alessandro Bianchi/File Photo"],
    "042_rheinmetall_milvehcoe_queensland.json": [
        "(RHEINMETALL)",
        "Prime Minister Scott Morrison and Rheinmetall Australia Managing Director Gary Stewart. (RHEINMETALL)"],
    "043_us_taiwan_himars_slamer_sales.json": ["Photo: AFP"],
    "062_kazakhstan_elbit_skylark_factory.json": [
        "Senior Kazakh officers participate in the opening of the factory. Photo: Ministry of Industry and "
        "Infrastructural Development of the Republic of Kazakhstan"],
    # printed twice on one line in the page (image alt text glued to the caption): kept once
    "063_tajikistan_china_border_outposts.json": [
        "The Shughnon border post of Tajikistan's Badakhshan region (file photo)"],
    "064_azerbaijan_belarus_mou_polonez.json": [
        "Azerbaijan President Ilham Aliyev and Belarus President Aliaksandr Lukashenka. Photo:"],
    "065_turkmenistan_dearsan_fast_attack_craft.json": [
        "A computer-generated image of Turkmenistan's new hydrographic survey vessel. (Dearsan)"],
}


@pytest.mark.parametrize("path", _corpus_files(), ids=lambda p: p.stem)
def test_corpus_caption_spans(path: Path) -> None:
    doc = json.loads(path.read_text(encoding="utf-8"))
    cleaned, captions = clean_text(doc["text"], outlet=doc.get("source"))
    found = [cleaned[a:b] for a, b in captions]
    assert found == CORPUS_CAPTIONS.get(path.name, [])


def test_corpus_is_english() -> None:
    for path in _corpus_files():
        text = json.loads(path.read_text(encoding="utf-8"))["text"]
        assert is_english(clean_text(text)[0]), path.name
        assert detect_language(text)[0] == "en"


# ---------------------------------------------------------------- generic boilerplate


@pytest.mark.parametrize("line", [
    "This website uses cookies to improve your experience. We'll assume you're ok with this. Accept Read More",
    "We use cookies to personalise content and ads. Accept all cookies",
    "You might also like", "Related Articles", "More from Europe", "Most Read", "Trending Now",
    "Comments", "12 Comments", "Leave a comment", "Leave a Reply", "Comments are closed.",
    "Share This Article", "Share", "Facebook Twitter LinkedIn Email", "Loading...", "Advertisement",
    "Skip to content", "Skip to main content", "Submit Release", "Menu", "Sign in", "Privacy Policy",
    "Source defence-ua", "Source: Arab News", "Via Reuters",
    "READ MORE: A series of autonomous drones gives Turkey a military edge",
    "Read: HRW: Saudi Ritz Carlton torture needs investigating", "ALSO READ | Navy commissions new frigate",
    "KOSPI 2674.49 -14.76 -0.55%", "  • KOSDAQ 762.87 -2.08 -0.27%", "USD/KRW 1330 -7.00 0.53%",
    "2 Min Read", "5 min read", "Reading time: 4 minutes", "View all posts by Jane Smith →",
    "About Derek Bisaccio", "About the author", "This audio is created with AI assistance",
    "Listen to this article",
    "With your current subscription plan you can comment on stories. However, before writing your first "
    "comment, please create a display name in the Profile section of your subscriber account page.",
    "Already a subscriber? Log in", "© 2024 Example Media. All rights reserved.", "Tags: drones, Turkey",
    "Follow us on Telegram", "News.Az", "www.defence-blog.com",
    "Jane Doe is the Europe correspondent for Defense News.",
])
def test_boilerplate_line_removed(line: str) -> None:
    text = f"{BODY_A}\n{line}\n{BODY_B}\n{TAIL}"
    cleaned, _ = clean_text(text)
    assert cleaned == f"{BODY_A}\n{BODY_B}\n{TAIL}"
    assert is_boilerplate(line.strip())


@pytest.mark.parametrize("line", [
    "About 300 drones were delivered to the army in 2023.",
    "Sources said the contract for 18 Bayraktar TB2 drones was signed in May.",
    "The comments were made in an official ceremony by Tashiev, who said TB2 drones would be delivered soon.",
    "Share of exports in the company's revenue rose to 60 percent last year.",
    "Read the full statement on the ministry's website, the spokesman added.",
    "More than 7,000 soldiers from several countries participated in the exercises.",
    "Turkey’s Aselsan open defense plant in Kazakhstan",
    "ASTANA",
    "Improved version of Shahed-136 planned",
    "The source of the funding was not disclosed.",
    "Source of the funding",
    "Sources said",
])
def test_article_line_kept(line: str) -> None:
    text = f"{BODY_A}\n{line}\n{BODY_B}\n{TAIL}"
    assert clean_text(text)[0] == text
    assert not is_boilerplate(line)


def test_outlet_line_removed_only_with_outlet() -> None:
    text = f"{BODY_A}\nNews About Turkey - NAT\n{BODY_B}"
    assert "NAT" in clean_text(text)[0]
    assert clean_text(text, outlet="News About Turkey")[0] == f"{BODY_A}\n{BODY_B}"


def test_teaser_headlines_after_related_heading_dropped() -> None:
    text = "\n".join([BODY_A, BODY_B, "Related articles", "Poland orders 96 Apache helicopters",
                      "Ukraine and Rheinmetall sign tank plant deal", "", "Copyright notice follows here."])
    cleaned, _ = clean_text(text)
    assert "Apache" not in cleaned and "Rheinmetall" not in cleaned
    assert cleaned.startswith(f"{BODY_A}\n{BODY_B}")


def test_menu_heading_above_headline_keeps_headline() -> None:
    article = ["Hanwha completes Australia plant for howitzers", "", BODY_A, BODY_B, TAIL]
    assert clean_text("\n".join(["Latest", "Popular", *article]))[0] == "\n".join(article)


def test_comment_section_at_end_cut() -> None:
    body = "\n\n".join([BODY_A, BODY_B, *TAIL.split("\n")])
    text = body + "\n\nComments\nJohn: Turkey should sell drones to everyone!\nMary: Agreed, sign more deals."
    assert clean_text(text)[0] == body


def test_author_box_dropped() -> None:
    text = f"{BODY_A}\n\nAbout Jane Smith\nDefence analyst covering Eurasia.\nView all posts by Jane Smith →"
    assert clean_text(text)[0] == BODY_A


def test_whitespace_normalised_conservatively() -> None:
    text = f"  {BODY_A}   \r\n\r\n\r\n\r\n{BODY_B}\t \r\n\n\n"
    cleaned, _ = clean_text(text)
    assert cleaned == f"{BODY_A}\n\n{BODY_B}"
    inner = "Two  spaces inside  a sentence stay."
    assert clean_text(inner)[0] == inner


@pytest.mark.parametrize("line,expected", [
    ("Turkish ANKA UAV, illustrative photo, source – Anadolu Agency", True),
    ("Aselsan and a Kazakh company have opened a defense plant. AA photo", True),
    ("Photo: Daniel Ceng, AP", True),
    ("Hanwha Aerospace plant H-ACE in Geelong (Courtesy of Hanwha)", True),
    ("Uzbek President observes new drone acquisitions. Source: Uzbek presidency", True),
    ("A Bayraktar TB2 at an air show in 2022. (AP Photo/Burhan Ozbilici)", True),
    ("Soldiers unload the first batch of howitzers. Photo by John Smith", True),
    ("Ukrainian troops train on the F-16 in Romania. / AFP via Getty Images", True),
    ("File photo: A Leopard 2 tank during an exercise", True),
    ("Photo: AFP", True),
    ("FILE PHOTO: A view of the shipyard, April 21, 2016. REUTERS/Alessandro Bianchi/File Photo", True),
    ("The border post of the Badakhshan region (file photo)", True),
    ("Canada bought six used Chinook helicopters. ((Master Cpl. Angela Abbey/Canadian Forces))", True),
    ("The minister and the managing director. (RHEINMETALL)", True),
    ("(RHEINMETALL)", True),
    ("A computer-generated image of the new survey vessel. (Dearsan)", True),
    ("The presidents at the signing. Photo:", True),
    ("Officers at the factory opening. Photo: Ministry of Industry and Infrastructural Development of the "
     "Republic of Kazakhstan", True),
    ("The deal covers the Tactical Air Navigation system (TACAN) and spare parts.", False),
    ("Supplies went by the air/sea route (Baku/Odesa).", False),
    ("The ships are due in 2026. (The ministry did not comment.)", False),
    ("It will be built by Turkish Aerospace Industries (TAI)", False),
    (BODY_A, False),
    ("The ministry published a photograph of the signing ceremony on its website.", False),
    ("Improved version of Shahed-136 planned", False),
])
def test_is_caption(line: str, expected: bool) -> None:
    assert is_caption(line) is expected


@pytest.mark.parametrize("line, kept", [
    ("The border post of the Badakhshan region (file photo)The border post of the Badakhshan region (file photo)",
     "The border post of the Badakhshan region (file photo)"),
    ("Bora BoraBora Bora", "Bora BoraBora Bora"),  # halves shorter than MIN_DOUBLED_HALF are words
    ("Ukraine signs a deal. Ukraine signs a deal.", "Ukraine signs a deal. Ukraine signs a deal."),
])
def test_line_printed_twice_kept_once(line: str, kept: str) -> None:
    assert clean_text(f"{BODY_A}\n{line}\n{BODY_B}")[0] == f"{BODY_A}\n{kept}\n{BODY_B}"


def test_pattern_tables_are_compiled_and_documented() -> None:
    assert all(isinstance(p, re.Pattern) for p in BOILERPLATE)
    assert all(isinstance(p, re.Pattern) and why for p, why in CAPTION_PATTERNS)


# ---------------------------------------------------------------- HTML


def news_page(doc: dict) -> str:
    """A realistic news page around a corpus article: nav, cookie banner, figure, related, comments."""
    paras = [p.strip() for p in doc["text"].split("\n\n") if p.strip()]
    title, body = paras[0], [p for p in paras[1:] if not p.startswith(("Source defence-ua", "This website"))]
    body = [p for p in body if "\n" not in p]

    def block(p: str) -> str:
        if "illustrative photo" in p:
            return f'<figure><img src="/img/anka.jpg" alt="ANKA"><figcaption>{htmlmod.escape(p)}</figcaption></figure>'
        return f"<p>{htmlmod.escape(p)}</p>"

    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>{htmlmod.escape(title)} | Defence-UA</title>
<meta property="og:site_name" content="Defence-UA">
<meta property="og:url" content="https://en.defence-ua.com/news/kazakhstan_anka.html">
<meta property="article:published_time" content="2023-12-04T10:00:00+02:00">
<script>var ads = [1,2,3];</script></head><body>
<header><nav><ul><li><a href="/">Home</a></li><li><a href="/news">News</a></li><li><a href="/weapon">Weapon</a></li>
<li><a href="/industries">Industries</a></li></ul></nav></header>
<div id="cookie-notice" class="cookie-banner"><p>This website uses cookies to improve your experience. We'll assume
you're ok with this, but you can opt-out if you wish.</p><button>Accept</button><a href="/privacy">Read More</a></div>
<main><article><h1>{htmlmod.escape(title)}</h1><time datetime="2023-12-04">4 December 2023</time>
{"".join(block(p) for p in body)}
<p>Source defence-ua</p></article>
<aside class="related-posts"><h3>You might also like</h3><ul>
<li><a href="/a">Poland orders 96 Apache helicopters from Boeing</a></li>
<li><a href="/b">Rheinmetall to build a tank plant in Ukraine</a></li></ul></aside>
<section id="comments" class="comments-area"><h3>Comments</h3><ol class="comment-list">
<li class="comment"><p>Great news, Kazakhstan should sign a deal with Baykar too!</p></li></ol></section>
</main><footer><p>© 2023 Defence-UA. All rights reserved.</p></footer></body></html>"""


KEY_SENTENCES = [
    "mass production of Turkish ANKA drones will start in Kazakhstan in 2024 as part of an agreement concluded "
    "in May 2022 between Kazakhstan Engineering and Turkish Aerospace Industries",
    "the Turkish state-owned company Aselsan and Kazakhstan Engineering established a joint venture, Aselsan "
    "Engineering",
    "By 2019, 200 officers from Kazakhstan had undergone such training.",
    "the Kazakh army even uses Russian Orlan-10s.",
]


def test_html_to_text_realistic_news_page() -> None:
    page = news_page(_load("000_kazakhstan_turkish_uavs.json"))
    text, meta = html_to_text(page)
    assert meta == {
        "title": "Kazakhstan may start producing Turkish UAVs as early as 2024, even earlier than Ukraine",
        "date": "2023-12-04", "url": "https://en.defence-ua.com/news/kazakhstan_anka.html", "sitename": "Defence-UA",
    }
    cleaned, captions = clean_text(text)
    for sentence in KEY_SENTENCES:
        assert sentence in cleaned
    for gone in ("uses cookies", "You might also like", "Apache", "Great news", "var ads", "Source defence-ua"):
        assert gone not in cleaned
    assert [cleaned[a:b] for a, b in captions] == CORPUS_CAPTIONS["000_kazakhstan_turkish_uavs.json"]
    assert cleaned.count("\n") >= 8, "one paragraph per line"


def test_html_date_not_guessed_from_body_text() -> None:
    page = ("<html><head><title>Deal</title></head><body><article><p>On 12 March 2021 the ministry signed a"
            " contract for twelve drones, officials said.</p><p>Deliveries are due to start next year.</p>"
            "</article></body></html>")
    text, meta = html_to_text(page)
    assert "12 March 2021" in text and "date" not in meta


@pytest.mark.parametrize("html,expected", [
    ("", ""),
    ("   \n ", ""),
    ("<p>A bare fragment about a drone deal.</p>", "A bare fragment about a drone deal."),
    ("plain words, no markup at all", "plain words, no markup at all"),
    ("<html><body><script>x()</script></body></html>", ""),
    ("<div>" * 100_000 + "deep text" + "</div>" * 100_000, None),
    ("<html><body>" + "<b><i>" * 5000 + "nested", None),
    ("\x00\x01<<>>&&&;<!--", None),
    ('<?xml version="1.0" encoding="utf-8"?><html><body><p>Declared encoding text.</p></body></html>',
     "Declared encoding text."),
])
def test_html_to_text_malformed_inputs(html: str, expected: str | None) -> None:
    start = time.monotonic()
    text, meta = html_to_text(html)
    assert time.monotonic() - start < 5
    assert isinstance(text, str) and isinstance(meta, dict)
    if expected is not None:
        assert text == expected


# ---------------------------------------------------------------- language

FOREIGN = {
    "de": "Die Bundesregierung hat am Dienstag den Kauf von weiteren Flugabwehrsystemen vom Typ IRIS-T beschlossen. "
          "Nach Angaben des Verteidigungsministeriums sollen die Systeme bis Ende 2025 an die Bundeswehr geliefert "
          "werden. Der Vertrag mit dem Hersteller Diehl Defence hat einen Wert von rund 950 Millionen Euro.",
    "ru": "Министерство обороны Казахстана объявило о начале отбора отечественного предприятия, которое будет "
          "производить разведывательно-ударные беспилотники из Турции для нужд национальных вооружённых сил. "
          "Соглашение было подписано в мае 2022 года между компаниями Kazakhstan Engineering и TAI.",
    "tr": "Savunma Sanayii Başkanlığı, Kazakistan ile imzalanan anlaşma kapsamında ANKA insansız hava araçlarının "
          "seri üretiminin 2024 yılında başlayacağını açıkladı. Anlaşma, Türk Havacılık ve Uzay Sanayii ile "
          "Kazakistan Mühendislik arasında Mayıs 2022'de imzalanmıştı.",
    "fr": "Le ministère des Armées a annoncé mardi la commande de douze nouveaux avions de combat Rafale auprès de "
          "Dassault Aviation. Selon le ministère, les premières livraisons sont prévues pour 2027, et le contrat, "
          "d'un montant d'environ deux milliards d'euros, renforcera la coopération industrielle européenne.",
}


@pytest.mark.parametrize("lang", sorted(FOREIGN))
def test_foreign_paragraphs_rejected(lang: str) -> None:
    text = FOREIGN[lang]
    assert sum(c.isalpha() for c in text) >= 200
    assert detect_language(text)[0] == lang
    assert not is_english(text)


@pytest.mark.parametrize("text", [
    "Die Bundeswehr kauft neue Panzer.",  # too short to judge
    "",
    "12345 67890 !!! ???",
])
def test_short_or_letterless_text_not_judged(text: str) -> None:
    assert is_english(text)


def test_detect_language_shape() -> None:
    lang, prob = detect_language(BODY_A + " " + BODY_B)
    assert lang == "en" and 0.5 < prob <= 1.0
    assert detect_language("   ") == ("und", 0.0)


# ---------------------------------------------------------------- properties

_HTMLISH = st.lists(st.sampled_from(list("<>/=\"' !-&;#xabdipv\n\x00é") + [
    "<div>", "</p>", "<!--", "<p>", "<![CDATA[", "&amp;", "<html>", "<body>", "<figure><figcaption>", "</figure>",
    "<script>", "<meta charset='latin-1'>", "Photo: AP"]), max_size=60).map("".join)
_BYTES_AS_TEXT = st.binary(max_size=400).map(lambda b: b.decode("latin-1"))
_LINES = st.lists(st.sampled_from([BODY_A, "", "Comments", "Photo: AP", "Loading...", "You might also like",
                                   "Headline teaser", "About Jane Smith", "View all posts by Jane Smith",
                                   "  ", "\r", "News.Az", BODY_B]), max_size=25).map("\n".join)


def _check_spans(cleaned: str, captions: tuple[tuple[int, int], ...]) -> None:
    last = -1
    for a, b in captions:
        assert 0 <= a < b <= len(cleaned) and a > last
        assert a == 0 or cleaned[a - 1] == "\n"
        assert b == len(cleaned) or cleaned[b] == "\n"
        assert is_caption(cleaned[a:b])
        last = b


@settings(max_examples=150, deadline=None)
@given(st.one_of(st.text(), _BYTES_AS_TEXT, _LINES))
def test_clean_text_total_and_spans_valid(text: str) -> None:
    cleaned, captions = clean_text(text)
    assert isinstance(cleaned, str)
    assert "\r" not in cleaned and "\n\n\n" not in cleaned
    _check_spans(cleaned, captions)


@settings(max_examples=80, deadline=None)
@given(st.one_of(st.text(max_size=300), _BYTES_AS_TEXT, _HTMLISH))
def test_html_to_text_raises_only_input_error(html: str) -> None:
    try:
        text, meta = html_to_text(html)
    except InputError:
        return
    assert isinstance(text, str) and isinstance(meta, dict)
    _check_spans(*clean_text(text))


def test_plainly_english_needs_english_function_words(corpus):
    from armstrack.read.clean import _plainly_english

    assert all(_plainly_english(g.article.text) for g in corpus)
    french = ("La Turquie a livré des drones Bayraktar TB2 au Kazakhstan en 2022. Le ministère de la Défense a "
              "confirmé que les appareils seraient assemblés localement.")
    german = "Die Türkei hat im Jahr 2022 Bayraktar-Drohnen an Kasachstan geliefert, teilte das Ministerium mit."
    assert not _plainly_english(french) and not _plainly_english(german)
    assert not _plainly_english("Bayraktar TB2 Kazakhstan 2022")
