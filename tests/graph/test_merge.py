"""merge.py: picking values across reports, flagging disagreements, applying reviews."""
from __future__ import annotations

import pytest

from armstrack.graph.merge import ACCEPTED, REJECTED, UNREVIEWED, Member, check_correction, merge_members


def member(fact_id: int, article_id: int, published: str | None, **kw) -> Member:
    base = {"type": "licensed_production", "status": "planned", "article": f"a{article_id}"}
    return Member(fact_id=fact_id, article_id=article_id, published=published, **(base | kw))


def test_newest_publication_wins_status_and_the_change_is_flagged():
    merged = merge_members([member(2, 2, "2024-03-01", status="completed", time_start="2024"),
                            member(1, 1, "2022-06-01", status="planned", time_start="2024")])
    assert merged.status == "completed"
    (conflict,) = merged.conflicts
    assert conflict["field"] == "status" and conflict["chosen"] == "completed"
    assert {v["value"]: v["articles"] for v in conflict["values"]} == {"completed": ["a2"], "planned": ["a1"]}
    assert merged.n_articles == 2 and merged.latest_published == "2024-03-01"
    assert [s["fact_id"] for s in merged.sources] == [2, 1]  # newest first


def test_prefix_compatible_times_agree_on_the_more_precise():
    merged = merge_members([member(1, 1, "2022-06-01", time_start="2022"),
                            member(2, 2, "2022-07-01", time_start="2022-05")])
    assert merged.time_start == "2022-05" and merged.conflicts == ()


def test_disagreeing_years_are_kept_side_by_side():
    merged = merge_members([member(1, 1, "2023-01-01", time_start="2023", time_text="in 2023"),
                            member(2, 2, "2023-06-01", time_start="2024", time_text="next year")])
    assert merged.time_start == "2024" and merged.time_text == "next year"
    (conflict,) = merged.conflicts
    assert conflict["field"] == "time_start"
    assert sorted(v["value"] for v in conflict["values"]) == ["2023", "2024"]


def test_undated_articles_count_as_oldest():
    merged = merge_members([member(1, 1, None, status="completed"), member(2, 2, "2020-01-01", status="planned")])
    assert merged.status == "planned"


def test_reviews_apply_in_order():
    facts = [member(1, 1, "2022-01-01", time_start="2024", quantity=10)]
    assert merge_members(facts).review == UNREVIEWED
    reviews = [{"decision": "reject", "field": None, "value": None, "by": "ann", "at": "t1"},
               {"decision": "correct", "field": "status", "value": "ongoing", "by": "bob", "at": "t2"},
               {"decision": "correct", "field": "quantity", "value": "12", "by": "bob", "at": "t3"}]
    merged = merge_members(facts, reviews)
    assert merged.review == REJECTED and merged.status == "ongoing" and merged.quantity == 12
    assert [c["field"] for c in merged.corrections] == ["status", "quantity"]
    accepted = merge_members(facts, reviews + [{"decision": "accept", "field": None, "value": None, "by": "cy",
                                                "at": "t4"}])
    assert accepted.review == ACCEPTED


@pytest.mark.parametrize("field,value,ok", [
    ("status", "completed", True), ("status", "done", False), ("time_start", "2022-05", True),
    ("time_start", "May 2022", False), ("quantity", "12", True), ("quantity", "a dozen", False),
    ("type", "aid", False),
])
def test_check_correction(field, value, ok):
    assert (check_correction(field, value) is None) is ok
