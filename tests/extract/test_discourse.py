"""Roles filled from the story so far: candidates whose party comes from an earlier sentence's fact.

These are candidates (before the learned scorer chooses), so the tests read
``Extractor.candidates`` and check the slot each guess leaves in the trace: the
scorer learns how far to trust it from that name.
"""
from __future__ import annotations

import pytest

from armstrack.extract.pipeline import Extractor
from armstrack.model import Article


@pytest.fixture(scope="module")
def rules_only() -> Extractor:
    return Extractor(scorer="off")


def candidates(extractor: Extractor, text: str):
    facts, _ = extractor.candidates(Article("test", text, published="2023-06-15"))
    return facts


def with_roles(facts, fact_type: str, expected: set[tuple[str, str]]):
    return [f for f in facts if f.type == fact_type and expected <= {(p.role, p.name) for p in f.participants}]


def test_missing_supplier_comes_from_an_earlier_transfer(rules_only):
    text = "Fincantieri delivered two frigates to Qatar in 2022.\n\nEgypt will acquire four corvettes next year."
    (fact,) = with_roles(candidates(rules_only, text), "arms_transfer", {("supplier", "Fincantieri"), ("recipient", "Egypt")})
    assert "slot:supplier=earlier" in fact.trace


def test_earlier_supplier_is_not_taken_from_a_later_sentence(rules_only):
    text = "Egypt will acquire four corvettes next year.\n\nFincantieri delivered two frigates to Qatar in 2022."
    assert not with_roles(candidates(rules_only, text), "arms_transfer", {("supplier", "Fincantieri"), ("recipient", "Egypt")})


def test_written_supplier_wins_over_the_earlier_one(rules_only):
    text = "Fincantieri delivered two frigates to Qatar in 2022.\n\nEgypt will acquire four corvettes from Naval Group."
    facts = candidates(rules_only, text)
    assert with_roles(facts, "arms_transfer", {("supplier", "Naval Group"), ("recipient", "Egypt")})
    assert not with_roles(facts, "arms_transfer", {("supplier", "Fincantieri"), ("recipient", "Egypt")})


def test_relative_clause_on_a_named_party_is_a_fact(rules_only):
    text = "Saudi Arabia, which already operates CH-4 drones, wants to grow its fleet."
    (fact,) = with_roles(candidates(rules_only, text), "arms_transfer", {("recipient", "Saudi Arabia")})
    assert "dep=relcl" in fact.trace


def test_relative_clause_on_people_is_still_skipped(rules_only):
    text = "The pilots who will use the F-16 fighters are training in Denmark."
    assert not [f for f in candidates(rules_only, text) if f.type == "arms_transfer"]


def test_a_former_company_name_is_reported_as_written(rules_only):
    """A 2015 report of DCNS names DCNS: the knowledge files' successor (Naval Group) is not substituted."""
    text = "Egypt signed a contract with DCNS for four Gowind corvettes, the navy said."
    facts = with_roles(candidates(rules_only, text), "arms_transfer", {("supplier", "DCNS"), ("recipient", "Egypt")})
    assert facts
    assert not with_roles(candidates(rules_only, text), "arms_transfer", {("supplier", "Naval Group")})


def test_the_maker_of_equipment_is_found_under_its_former_name(rules_only):
    """The Gowind's maker in the knowledge files is Naval Group; an article naming DCNS gets DCNS."""
    text = ("DCNS opened an office in Cairo last year.\n\n"
            "Egypt has bought four Gowind corvettes, the defence ministry said.")
    (fact,) = with_roles(candidates(rules_only, text), "arms_transfer", {("supplier", "DCNS"), ("recipient", "Egypt")})
    assert "slot:supplier=kb_maker" in fact.trace


def test_both_companies_are_the_two_organisations_of_the_story(rules_only):
    """ "Both companies" are the firms named so far, "the two countries" their countries."""
    text = ("South African defence company Paramount Group and India's Bharat Forge will jointly manufacture "
            "armoured vehicles in India.\n\nThe agreement was signed by both companies at the IDEX defence expo.")
    facts = with_roles(candidates(rules_only, text), "agreement", {("party", "Paramount Group"), ("party", "Bharat Forge")})
    assert facts
    assert not with_roles(candidates(rules_only, text), "agreement", {("party", "India"), ("party", "South Africa")})
