"""The trigger rules data file: it loads, and a broken rule is reported clearly."""
from __future__ import annotations

import pytest

from armstrack.errors import KnowledgeError
from armstrack.model import FACT_TYPES, ROLES
from armstrack.extract.rules import load_rules, parse_rules

OPTIONAL = {"venture", "customer", "candidate"}


def test_every_fact_type_has_a_rule():
    assert {r.type for r in load_rules()} == set(FACT_TYPES)


@pytest.mark.parametrize("rule", load_rules(), ids=lambda r: r.name)
def test_rules_fill_every_required_role(rule):
    required = {r for r in ROLES[rule.type] if r not in OPTIONAL}
    if rule.type in ("agreement", "joint_venture", "co_production"):
        required = {ROLES[rule.type][0]}
    assert required <= {role for role, _ in rule.roles}


def good(**over):
    raw = {"type": "aid", "name": "x", "words": ["donate"], "roles": {"donor": ["subj"], "recipient": ["prep:to"]}}
    raw.update(over)
    return {"rule": [raw]}


@pytest.mark.parametrize("broken, message", [
    (good(type="gift"), "unknown fact type"),
    (good(roles={"giver": ["subj"]}), "is not a role of aid"),
    (good(roles={"donor": ["nowhere"]}), "unknown slot"),
    (good(words=[], phrases=[]), "needs words or phrases"),
    (good(status={"past": "done"}), "bad status"),
    (good(colour="red"), "unknown keys"),
])
def test_schema_errors_name_the_rule(broken, message):
    with pytest.raises(KnowledgeError, match=message):
        parse_rules(broken)


def test_slot_unions_are_checked():
    assert parse_rules(good(roles={"donor": ["subj|prep:alongside"], "recipient": ["prep:to"]}))
    with pytest.raises(KnowledgeError):
        parse_rules(good(roles={"donor": ["subj|bogus"], "recipient": ["prep:to"]}))


def test_prior_slots_name_a_role():
    assert parse_rules(good(roles={"donor": ["subj"], "recipient": ["prep:to", "prior:recipient"]}))
    with pytest.raises(KnowledgeError):
        parse_rules(good(roles={"donor": ["subj"], "recipient": ["prior:"]}))
