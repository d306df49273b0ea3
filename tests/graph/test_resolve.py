"""resolve.py: knowledge first, then guarded fuzzy matching, every result with its reason."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from rapidfuzz import fuzz, process

from armstrack.knowledge.load import PACKAGE_DATA_DIR, load_knowledge
from armstrack.graph.resolve import ORG_FUZZY_THRESHOLD, SYSTEM_FUZZY_THRESHOLD, Resolver


@pytest.fixture(scope="module")
def resolver(knowledge) -> Resolver:
    return Resolver(knowledge)


@pytest.mark.parametrize("name", ["TAI", "TUSAŞ", "Turkish Aerospace Industries", "Turkish Aerospace", "TUSAS"])
def test_organisation_aliases_are_one_entity(resolver, name):
    found = resolver.participant(name, "organization", "Turkey")
    assert found.entity.id == "org:turkish aerospace industries"
    assert found.entity.name == "Turkish Aerospace Industries" and found.entity.country == "Turkey"
    assert "organizations.csv" in found.reason
    if name != "Turkish Aerospace Industries":
        assert found.method == "alias" and "alias of Turkish Aerospace Industries" in found.reason


@pytest.mark.parametrize("name, today", [("DCNS", "Naval Group"), ("Hanwha Land Systems", "Hanwha Aerospace"),
                                         ("Daewoo Shipbuilding", "Hanwha Ocean")])
def test_a_former_name_is_the_entity_it_became(resolver, name, today):
    found = resolver.participant(name, "organization", None)
    assert found.entity.name == today and found.method == "alias"
    assert "former name of " + today in found.reason


@pytest.mark.parametrize("name", ["Bayraktar TB2", "TB2", "TB-2", "Bayraktar TB 2"])
def test_system_aliases_are_one_entity(resolver, name):
    found = resolver.system(name, "uav")
    assert found.entity.id == "system:bayraktartb2"
    assert found.entity.country == "Turkey" and found.entity.category == "uav"
    assert "equipment.csv" in found.reason


@pytest.mark.parametrize("name,method", [("Turkey", "exact"), ("Türkiye", "alias"), ("Turkish", "alias"),
                                         ("Ankara", "alias"), ("TR", "iso"), ("TUR", "iso")])
def test_countries_resolve_to_their_iso_code(resolver, name, method):
    found = resolver.participant(name, "country", None)
    assert (found.entity.id, found.entity.name, found.method) == ("country:TR", "Turkey", method)
    assert resolver.country_name(name) == "Turkey"


def test_an_organisation_written_as_a_country_is_the_country(resolver):
    assert resolver.participant("Kazakhstan", "organization", "Kazakhstan").entity.id == "country:KZ"


def test_fuzzy_match_reports_score_and_target(resolver):
    found = resolver.participant("Lockhed Martin", "organization", None)
    assert found.method == "fuzzy" and found.entity.name == "Lockheed Martin"
    assert found.score >= ORG_FUZZY_THRESHOLD
    assert found.reason == f"fuzzy {found.score:.0f} vs 'Lockheed Martin'"


@pytest.mark.parametrize("a,b,same_length", [
    ("austria ministry of defense", "australia ministry of defense", False),
    ("ministry of defense of iraq", "ministry of defense of iran", False),
    ("orlan 10", "orlan 30", True),
    ("cv90 mkiii", "cv90 mkiiic", True),
    ("lada class", "ada class", True),
    ("ababil ii", "ababil iii", True),
])
def test_guard_keeps_near_identical_distinct_names_apart(resolver, a, b, same_length):
    assert not resolver.same_tokens(a, b, same_length=same_length)


def test_guard_accepts_a_typo(resolver):
    assert resolver.same_tokens("lockhed martin", "lockheed martin", same_length=False)


def _names(entries):
    return [(n, e.name) for e in entries for n in (e.name, *e.aliases)]


def test_no_known_entity_fuzzes_into_another(resolver, knowledge):
    """The calibration behind the thresholds: no name of one known entry fuzzes into a different entry."""
    from armstrack.names import normalise_name

    for entries, threshold, same_length in ((knowledge.organizations, ORG_FUZZY_THRESHOLD, False),
                                            (knowledge.equipment, SYSTEM_FUZZY_THRESHOLD, True)):
        names = [(normalise_name(n), owner) for n, owner in _names(entries)]
        choices = [n for n, _ in names]
        for query, owner in names:
            for choice, score, i in process.extract(query, choices, scorer=fuzz.ratio, score_cutoff=threshold,
                                                    limit=20):
                if names[i][1] != owner:
                    assert not resolver.same_tokens(query, choice, same_length=same_length), (query, choice, score)


def test_unknown_names_are_new_entities_keyed_by_normalised_name(resolver):
    a = resolver.participant("333rd Infantry Brigade", "organization", "Taiwan")
    b = resolver.participant("the 333rd infantry brigade", "organization", "Taiwan")
    assert a.method == "new" and not a.entity.known
    assert a.entity.id == b.entity.id == "org:333rd infantry brigade"
    assert a.entity.country == "Taiwan"


@pytest.mark.parametrize("name", ["drones", "UAVs", "combat drones", "unmanned aerial vehicles"])
def test_generic_nouns_resolve_to_a_generic_system(resolver, name):
    found = resolver.system(name)
    assert found.entity.id == "system:generic:uav" and found.method == "generic"
    assert "head_nouns.csv" in found.reason


def test_every_gold_name_resolves_to_a_known_or_explained_entity(resolver, corpus):
    for g in corpus:
        for fact in g.facts:
            for p in fact.participants:
                found = resolver.participant(p.name, p.kind, p.country)
                assert found.reason and found.entity.id.startswith(("country:", "org:"))
                if p.kind == "country":
                    assert found.entity.kind == "country", p
            for s in fact.systems:
                assert resolver.system(s.name, s.category).entity.id.startswith("system:")


def test_fingerprint_follows_the_knowledge_data(tmp_path: Path, knowledge):
    copy = tmp_path / "data"
    shutil.copytree(PACKAGE_DATA_DIR, copy)
    assert Resolver(load_knowledge(copy)).fingerprint == Resolver(knowledge).fingerprint
    orgs = copy / "organizations.csv"
    orgs.write_text(orgs.read_text(encoding="utf-8") + "Test Works,Turkey,company,TW Corp,\n", encoding="utf-8")
    assert Resolver(load_knowledge(copy)).fingerprint != Resolver(knowledge).fingerprint
