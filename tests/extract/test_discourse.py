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
