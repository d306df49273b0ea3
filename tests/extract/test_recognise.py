"""Recognition of countries, organisations and equipment (knowledge files plus patterns)."""
from __future__ import annotations

import pytest

from armstrack.extract.recognise import mark_datelines


def mentions(extractor, text: str):
    return extractor.recogniser(extractor.nlp(text)).mentions


def first(extractor, text: str, surface: str):
    for m in mentions(extractor, text):
        if m.text == surface:
            return m
    raise AssertionError(f"{surface!r} not recognised in {[m.text for m in mentions(extractor, text)]}")


@pytest.mark.parametrize("text, surface, kind, name, country", [
    ("Turkish drones were shown.", "Turkish", "country", "Turkey", "Turkey"),
    ("Kazakh officers trained there.", "Kazakh", "country", "Kazakhstan", "Kazakhstan"),
    ("Türkiye signed the deal.", "Türkiye", "country", "Turkey", "Turkey"),
    ("Kyiv and Ankara signed the deal.", "Ankara", "country", "Turkey", "Turkey"),
    ("TUSAŞ builds the ANKA.", "TUSAŞ", "organization", "Turkish Aerospace Industries", "Turkey"),
    ("The drones serve with the Kazakh Air Force.", "Kazakh Air Force", "organization", "Kazakh Air Force", "Kazakhstan"),
    ("Romania's defence ministry said so.", "Romania's defence ministry", "organization", "Ministry of Defense of Romania", "Romania"),
    ("The Kazakh army uses Russian Orlan-10s.", "Orlan-10s", "system", "Orlan-10", "Russia"),
    ("A Wing Loon was seen.", "Wing Loon", "system", "Wing Loong", "China"),
    ("A plant in Tatarstan will open.", "Tatarstan", "place", "Tatarstan", "Russia"),
    # a service written with its country takes the knowledge files' canonical name
    ("Canada bought helicopters from the U.S. army.", "U.S. army", "organization", "United States Army", "United States"),
    # a demonym before another country's known service: that country's navy, not the British Royal Navy
    ("The corvettes go to the Saudi Royal Navy.", "Saudi Royal Navy", "country", "Saudi Arabia", "Saudi Arabia"),
    # a name written with "and" for the knowledge files' "&", or in capitals
    ("Indonesia signed with Daewoo Shipbuilding and Marine Engineering.", "Daewoo Shipbuilding and Marine Engineering",
     "organization", "Daewoo Shipbuilding & Marine Engineering", "South Korea"),
    ("Germany's ATLAS ELEKTRONIK will build torpedoes.", "ATLAS ELEKTRONIK", "organization", "Atlas Elektronik", "Germany"),
    # a former name is its own organisation (the knowledge files record what it became)
    ("DCNS started cutting metal for the corvette.", "DCNS", "organization", "DCNS", "France"),
    ("China Shipbuilding Industry Corp announced the deal.", "China Shipbuilding Industry Corp", "organization",
     "China Shipbuilding Industry Corporation", "China"),
    ("In 1986 India bought 410 field guns from AB Bofors.", "AB Bofors", "organization", "Bofors", "Sweden"),
    # a service named without its country is the service of the country named just before
    ("Indonesia became the first buyer of the KT-1. Its Air Force now operates 17 KT-1s.", "Air Force",
     "organization", "Indonesian Air Force", "Indonesia"),
    ("Latvia's first carrier, produced for its Armed Forces, was delivered in August.", "Armed Forces",
     "country", "Latvia", "Latvia"),
    ("Japan ordered the missiles. The Defense Agency plans to deploy them.", "The Defense Agency",
     "organization", "Japan Defense Agency", "Japan"),
    # ... but a country's adjective is no antecedent: "Korean manufacturers" leaves Indonesia
    ("Indonesia is a market for Korean manufacturers. Its Navy operates two ships.", "Navy",
     "organization", "Indonesian Navy", "Indonesia"),
])
def test_knowledge_mentions(extractor, text, surface, kind, name, country):
    m = first(extractor, text, surface)
    assert (m.kind, m.name, m.country) == (kind, name, country)


@pytest.mark.parametrize("written, family, name", [
    ("AK-203", "AK-103", "AK-203"),  # a model of its own under the family's entry
    ("EC725s", "H225M Caracal", "EC725"),
    ("TB2", "Bayraktar TB2", "Bayraktar TB2"),  # a shorter name of the same model
    ("TB-2", "Bayraktar TB2", "Bayraktar TB2"),
    ("Wing Loon", "Wing Loong", "Wing Loong"),  # a misspelling is no designation
])
def test_a_written_designation_names_its_own_model(written, family, name, knowledge):
    from armstrack.extract.recognise import designation_alias

    assert designation_alias(written, family, knowledge.equipment_by_any(family).aliases) == name


@pytest.mark.parametrize("text, surface, category", [
    ("The army ordered K9A1 howitzers last year.", "K9A1", "artillery"),
    ("The navy received Zorya-class frigates.", "Zorya-class", "ship"),
    ("It fields Redback infantry fighting vehicles.", "Redback", "armoured_vehicle"),
])
def test_unseen_equipment_from_a_designation_and_head_noun(extractor, text, surface, category):
    m = first(extractor, text, surface)
    assert m.kind == "system" and m.category == category


def test_unknown_organisation_takes_the_country_written_before_it(extractor):
    m = first(extractor, "The Kazakh state-owned enterprise Ural Plant Zenit signed it.", "Ural Plant Zenit")
    assert (m.kind, m.country) == ("organization", "Kazakhstan")


def test_an_unknown_factory_keeps_its_number(extractor):
    m = first(extractor, "The howitzers will be produced by the state-run Military Factory 200 in Egypt.", "Military Factory 200")
    assert (m.kind, m.name) == ("organization", "Military Factory 200")


def test_a_country_word_opens_an_unknown_company_name(extractor):
    m = first(extractor, "The tender was cancelled over allegations against Singapore Technology Kinetics.",
              "Singapore Technology Kinetics")
    assert (m.kind, m.name, m.country) == ("organization", "Singapore Technology Kinetics", "Singapore")


def test_a_bare_defence_ministry_is_the_ministry_of_the_reports_country(extractor):
    """The US is named last, but the report is about India: "a top Ministry of Defence official" is India's."""
    text = ("India signed a contract for 145 howitzers. India will pay in rupees. The deal was signed with the US "
            "subsidiary of BAE Systems. An agreement will be signed with the US government, according to a Ministry "
            "of Defence official.")
    m = first(extractor, text, "Ministry of Defence")
    assert (m.kind, m.name, m.country) == ("organization", "Ministry of Defense of India", "India")


def test_a_service_with_no_country_near_names_no_party(extractor):
    assert [m.text for m in mentions(extractor, "The Navy said the ships were ready.") if m.kind != "system"] == []


def test_a_person_named_like_a_drone_is_a_person(extractor):
    text = "According to the company's CEO, Haluk Bayraktar, production starts in 2025."
    assert not [m for m in mentions(extractor, text) if m.kind == "system"]


def test_acronym_defined_in_the_article(extractor):
    text = "The Pakistan Navy (PN) held a ceremony. Last year, the PN inducted two frigates."
    pn = [m for m in mentions(extractor, text) if m.text == "PN"]
    assert pn and all(m.name == "Pakistan Navy" for m in pn)


def test_outlets_are_sources_not_parties(extractor):
    m = first(extractor, "According to Reuters, Poland bought tanks.", "Reuters")
    assert m.form == "source"


def test_dateline_mentions_are_marked():
    from armstrack.model import Mention

    text = "WARSAW, Poland — Slovakia will buy tanks."
    poland = Mention(8, 14, "Poland", "country", "Poland", "Poland")
    slovakia = Mention(17, 25, "Slovakia", "country", "Slovakia", "Slovakia")
    marked = mark_datelines(text, (poland, slovakia))
    assert [m.form for m in marked] == ["dateline", "name"]


@pytest.mark.parametrize("text, party", [
    ("MUMBAI (Reuters) - Larsen & Toubro and MBDA agreed to form a joint venture.", "MBDA"),
    ("ANKARA, Turkey (AP) — Baykar delivered the drones.", "Baykar"),
    ("WARSAW, Poland — Slovakia will buy tanks.", "Slovakia"),
])
def test_a_dateline_with_an_agency_names_no_party(extractor, text, party):
    found = mentions(extractor, text)
    body = text.index(party)
    assert [m.form for m in found if m.start < body and m.kind != "system"] and all(
        m.form == "dateline" for m in found if m.start < text.index(" - " if " - " in text else " — "))
    assert first(extractor, text, party).form != "dateline"


def test_line_breaks_end_sentences(extractor):
    """Headlines and captions have no full stop: a line break must still end the sentence."""
    doc = extractor.nlp("Aerospace & Defense\n\nHanwha completes Australia plant for howitzers\nThe Korean firm eyes markets.")
    sentences = [s.text.strip() for s in doc.sents if s.text.strip()]
    assert sentences[0] == "Aerospace & Defense"
    assert all("\n" not in s for s in sentences)
