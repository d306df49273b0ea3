"""Merging candidates into an article's facts: pure functions over the data model."""
from __future__ import annotations

import pytest

from armstrack.extract.consolidate import (
    compatible_times, complete_models, consolidate, drop_subsumed, drop_tendered_purchases, implied_facts,
    is_generic, merge_facts, specialise_parties,
)
from armstrack.model import Fact, Participant, System, TimeSpan


def c(role, name):
    return Participant(role, name, "country", name)


def o(role, name, country):
    return Participant(role, name, "organization", country)


def fact(kind, *parts, systems=(), start=None, end=None, span=(10, 50), status="completed", conf=0.8, **kw):
    return Fact(kind, tuple(parts), tuple(systems), TimeSpan(start, start, end), status,
                evidence="x", evidence_span=span, confidence=conf, **kw)


ANKA = System("ANKA", "uav")
DRONES = System("drones", "uav")


@pytest.mark.parametrize("a, b, ok", [
    (TimeSpan(None, "1993", None), TimeSpan(None, None, "2019"), True),
    (TimeSpan(None, "2011", None), TimeSpan(None, "2012", None), False),
    (TimeSpan(), TimeSpan(None, "2012", None), True),
    (TimeSpan(None, None, "2025"), TimeSpan(None, None, "2027"), False),
])
def test_compatible_times(a, b, ok):
    assert compatible_times(a, b) is ok


@pytest.mark.parametrize("name, generic", [("drones", True), ("ANKA", False), ("armoured vehicles", True), ("CV9035", False), ("k9", False)])
def test_is_generic(name, generic):
    assert is_generic(System(name, "other")) is generic


def test_merge_fills_empty_fields_and_joins_times():
    first = fact("training", c("provider", "Turkey"), c("trainee", "Kazakhstan"), start="1993")
    later = fact("training", c("provider", "Turkey"), c("trainee", "Kazakhstan"), end="2019", quantity=200)
    (merged,) = merge_facts([first, later])
    assert (merged.time.start, merged.time.end, merged.quantity) == ("1993", "2019", 200)


def test_differently_dated_facts_stay_apart():
    a = fact("agreement", c("party", "Turkey"), c("party", "Georgia"), start="1997")
    b = fact("agreement", c("party", "Turkey"), c("party", "Georgia"), start="2017")
    assert len(merge_facts([a, b])) == 2


def test_vaguer_restatement_is_dropped():
    specific = fact("licensed_production", o("producer", "Kazakhstan Engineering", "Kazakhstan"),
                    o("licensor", "Turkish Aerospace Industries", "Turkey"), systems=(ANKA,), start="2024", span=(100, 200))
    vague = fact("licensed_production", c("producer", "Kazakhstan"), c("licensor", "Turkey"), systems=(DRONES,),
                 start="1990", span=(300, 400))
    assert drop_subsumed([specific, vague]) == [specific]


def test_a_model_named_only_later_may_be_another_product():
    generic = fact("co_production", c("partner", "Iran"), c("partner", "Russia"), systems=(DRONES,), span=(0 + 5, 50))
    later = fact("co_production", c("partner", "Iran"), c("partner", "Russia"), systems=(System("Shahed-136", "uav"),),
                 span=(500, 600))
    assert len(drop_subsumed([generic, later])) == 2


def test_foreign_plant_implies_licensed_production():
    plant = fact("facility", o("owner", "Baykar", "Turkey"), c("host", "Ukraine"), systems=(System("Bayraktar", "uav"),))
    plant = Fact(**{**plant.__dict__, "evidence": "the plant will produce Bayraktars"})
    (lp,) = implied_facts([plant])
    assert lp.type == "licensed_production"
    assert {(p.role, p.name) for p in lp.participants} == {("producer", "Ukraine"), ("licensor", "Baykar")}


def test_jointly_owned_plant_implies_nothing():
    plant = fact("facility", c("owner", "Iran"), c("owner", "Russia"), c("host", "Russia"), systems=(DRONES,))
    plant = Fact(**{**plant.__dict__, "evidence": "a factory to produce drones"})
    assert implied_facts([plant]) == []


def test_generic_equipment_completed_with_the_model_named_before():
    f = fact("arms_transfer", c("supplier", "Turkey"), c("recipient", "Qatar"), systems=(DRONES,), span=(400, 450))
    (done,) = complete_models([f], [(100, ANKA, "Turkey"), (300, System("Wing Loong", "uav"), "China"), (420, System("Altay", "armoured_vehicle"), "Turkey")])
    assert ANKA in done.systems


def test_specialise_country_with_the_deal_organisation():
    lp = fact("licensed_production", c("producer", "Kazakhstan"), c("licensor", "Turkey"), systems=(ANKA,))
    deal = fact("agreement", o("party", "Kazakhstan Engineering", "Kazakhstan"), o("party", "Turkish Aerospace Industries", "Turkey"))
    out = specialise_parties([lp, deal])
    assert {p.name for p in out[0].participants} == {"Kazakhstan Engineering", "Turkish Aerospace Industries"}


def test_planned_purchase_under_open_tender_is_the_tender():
    buy = fact("arms_transfer", o("supplier", "Baykar", "Turkey"), o("recipient", "Ministry of Defense of Romania", "Romania"),
               systems=(System("Bayraktar TB2", "uav"),), status="planned")
    tender = fact("procurement_process", o("buyer", "Ministry of Defense of Romania", "Romania"), status="planned")
    running = fact("procurement_process", o("buyer", "Ministry of Defense of Romania", "Romania"), status="ongoing")
    assert drop_tendered_purchases([buy, running]) == [buy, running]
    assert drop_tendered_purchases([buy, tender]) == [tender]


def test_low_confidence_candidates_are_dropped():
    weak = fact("aid", c("donor", "Turkey"), c("recipient", "Georgia"), conf=0.2)
    assert consolidate([weak]) == []


def _order(buyer, seller, text, systems=(ANKA,)):
    f = fact("arms_transfer", o("supplier", seller, "Turkey"), c("recipient", buyer), systems=systems, status="planned")
    return Fact(**{**f.__dict__, "evidence": text})


def _deal(text, *parties):
    f = fact("agreement", *(c("party", p) for p in parties), systems=(ANKA,))
    return Fact(**{**f.__dict__, "evidence": text})


def _implied(facts):
    return sorted((tuple(sorted(p.name for p in f.participants)), [t for t in f.trace if t.startswith("implied")][0])
                  for f in implied_facts(facts) if f.type == "agreement")


AFTER = "Albania is the third country after Chad and Mali to sign a contract for ANKA drones."
JOINT = "Chad and Mali signed a contract to buy ANKA drones from TAI."
WITH = "Chad signed a contract with Mali to buy ANKA drones from TAI."


@pytest.mark.parametrize("facts, expected", [
    # no agreement of its own in the sentence: the order implies the contract
    ([_order("Chad", "TAI", JOINT)], [(("Chad", "TAI"), "implied=agreement")]),
    # an agreement between the buyers only: a joint contract with the seller, and each buyer's own beside it
    ([_deal(AFTER, "Chad", "Mali"), _order("Chad", "TAI", AFTER), _order("Mali", "TAI", AFTER)],
     [(("Chad", "Mali", "TAI"), "implied=joint_seller"), (("Chad", "TAI"), "implied=agreement_beside"),
      (("Mali", "TAI"), "implied=agreement_beside")]),
    # the sentence's agreement already holds buyer and seller: nothing more
    ([_deal(JOINT, "Chad", "TAI"), _order("Chad", "TAI", JOINT)], []),
    # an agreement with a party that is no buyer: an order it does not hold may be a misreading
    ([_deal(WITH, "Chad", "Niger"), _order("Chad", "TAI", WITH)], []),
    # buyers of different sellers are not one joint contract
    ([_deal(AFTER, "Chad", "Mali"), _order("Chad", "TAI", AFTER), _order("Mali", "Baykar", AFTER)],
     [(("Chad", "TAI"), "implied=agreement_beside"), (("Baykar", "Mali"), "implied=agreement_beside")]),
])
def test_signed_orders_imply_agreements(facts, expected):
    assert _implied(facts) == sorted(expected)
