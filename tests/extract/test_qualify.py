"""Status from wording and attribution to sources, on sentences written for the tests."""
from __future__ import annotations

import pytest

from armstrack.model import Article


def only(extractor, text, fact_type=None, published="2023-06-15"):
    facts = [f for f in extractor.extract(Article("q", text, published=published)) if fact_type in (None, f.type)]
    assert facts, f"no fact in {text!r}"
    return facts[0]


@pytest.mark.parametrize("text, status", [
    ("Poland bought 48 K9 howitzers from South Korea.", "completed"),
    ("Poland will buy 48 K9 howitzers from South Korea.", "planned"),
    ("Poland is expected to buy 48 K9 howitzers from South Korea.", "planned"),
    ("Saudi Arabia is in talks with China to buy Wing Loong drones.", "planned"),
    ("Estonia signed a contract to purchase IRIS-T SLM systems from Diehl Defence.", "planned"),
    ("Since 2015 Turkey has been supplying Bayraktar TB2 drones to Ukraine.", "ongoing"),
    ("The Kazakh army operates Russian Orlan-10 drones.", "reported"),
    ("Russia said the S-400 systems ordered by India will be delivered next year.", "planned"),
])
def test_status_from_wording(extractor, text, status):
    assert only(extractor, text, "arms_transfer").status == status


@pytest.mark.parametrize("text, who", [
    ("According to Reuters, Poland bought 48 K9 howitzers from South Korea.", "Reuters"),
    ("Poland bought 48 K9 howitzers from South Korea, Defence Minister Mariusz Blaszczak said on Friday.", "Mariusz Blaszczak"),
    ("This confirms that Poland bought 48 K9 howitzers from South Korea.", None),
    ("Officials said Poland bought 48 K9 howitzers from South Korea.", None),
])
def test_attribution(extractor, text, who):
    assert only(extractor, text, "arms_transfer").attributed_to == who


def test_a_reduced_passive_reports_a_done_act(extractor):
    text = "The first NASAMS units donated by the United States arrived in Ukraine in November."
    assert only(extractor, text, "aid").status == "completed"


def test_attribution_carries_over_only_to_a_continuing_sentence(extractor):
    text = ("According to Reuters, Poland bought 48 K9 howitzers from South Korea. "
            "It also ordered 180 K2 tanks from Hyundai Rotem. "
            "Romania bought 54 Abrams tanks from the United States.")
    facts = extractor.extract(Article("q", text))
    by_recipient = {p.name: f.attributed_to for f in facts for p in f.participants if p.role == "recipient"}
    assert by_recipient.get("Romania") is None
    assert by_recipient.get("Poland") == "Reuters"


def test_the_date_of_saying_is_not_the_date_of_the_fact(extractor):
    f = only(extractor, "Poland bought 48 K9 howitzers from South Korea in 2022, the minister said on July 10.", "arms_transfer")
    assert f.time.start == "2022"
