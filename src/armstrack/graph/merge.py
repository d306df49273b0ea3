"""Merging the reports of one fact: pick values, keep every source, flag disagreements, apply reviews.

Pure functions over plain values, so the rules are testable without a store:

- status: the newest publication wins ("planned" in 2022, "completed" in 2024 ->
  completed); differing statuses are still flagged, since an analyst may want
  to see the progression;
- time: values that are prefixes of one another agree ("2022" and "2022-05" ->
  the more precise "2022-05"); otherwise they conflict, the newest publication's
  value is shown, and every value is kept with the articles that gave it;
- quantity: like time, without the prefix rule;
- corroboration (``n_articles``): independent stories, not articles, so ten copies of one
  syndicated story count once while every copy stays listed among the sources;
- review decisions: the latest accept/reject sets the review state, the latest
  correction of each field overrides the merged value.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Sequence

from armstrack.model import STATUSES

CORRECTABLE = ("status", "time_start", "time_end", "quantity")
ISO_PREFIX = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
UNREVIEWED, ACCEPTED, REJECTED = "unreviewed", "accepted", "rejected"
_REVIEW_STATE = {"accept": ACCEPTED, "reject": REJECTED}


@dataclass(frozen=True)
class Member:
    """One stored fact reporting the cluster's fact, with the article it came from."""

    fact_id: int
    article_id: int
    article: str  # the article's own id, else its origin
    type: str
    status: str
    outlet: str | None = None
    published: str | None = None
    url: str | None = None
    story: int | None = None  # near-duplicate group (stories.py); None: the article is its own story
    time_text: str | None = None
    time_start: str | None = None
    time_end: str | None = None
    quantity: int | None = None
    attributed_to: str | None = None
    evidence: str = ""
    names: tuple[tuple[str, str, str], ...] = ()  # (role, name as written, kind)

    @property
    def story_id(self) -> int:
        """The story this report belongs to: copies of one article share it, so they corroborate once."""
        return self.story if self.story is not None else self.article_id

    @property
    def recency(self) -> tuple[str, int]:
        """Newer publications sort later; an undated article counts as oldest, ties go to later ingests."""
        return (self.published or "", self.article_id)


@dataclass(frozen=True)
class Merged:
    status: str
    time_text: str | None
    time_start: str | None
    time_end: str | None
    quantity: int | None
    n_articles: int
    latest_published: str | None
    review: str = UNREVIEWED
    conflicts: tuple[dict[str, Any], ...] = ()
    sources: tuple[dict[str, Any], ...] = ()
    corrections: tuple[dict[str, Any], ...] = ()
    reviews: tuple[dict[str, Any], ...] = field(default=())

    def detail(self) -> dict[str, Any]:
        """The JSON-ready parts that queries show but never filter on."""
        return {"sources": list(self.sources), "conflicts": list(self.conflicts),
                "corrections": list(self.corrections), "reviews": list(self.reviews)}


def check_correction(name: str, value: str) -> str | None:
    """Why ``name=value`` is not a valid correction, or None when it is."""
    if name not in CORRECTABLE:
        return "not a correctable field"
    if name == "status" and value not in STATUSES:
        return f"status must be one of {', '.join(STATUSES)}"
    if name in ("time_start", "time_end") and value and not ISO_PREFIX.match(value):
        return "times are ISO prefixes: 2011, 2022-05 or 2022-05-13"
    if name == "quantity" and value and not value.isdigit():
        return "quantity is a whole number"
    return None


def _newest_first(members: Sequence[Member]) -> list[Member]:
    return sorted(members, key=lambda m: m.recency, reverse=True)


def _compatible_times(values: list[str]) -> str | None:
    """The most precise value if all are prefixes of it ("2022" ~ "2022-05"), else None."""
    longest = max(values, key=len)
    return longest if all(longest.startswith(v) for v in values) else None


def _pick(field_name: str, members: list[Member], prefix_rule: bool) -> tuple[Any, dict[str, Any] | None]:
    """The merged value of one field (members newest first) and the conflict, if any."""
    given = [(getattr(m, field_name), m) for m in members if getattr(m, field_name) is not None]
    if not given:
        return None, None
    values = list(dict.fromkeys(v for v, _ in given))
    if len(values) == 1:
        return values[0], None
    if prefix_rule and (agreed := _compatible_times([str(v) for v in values])) is not None:
        return agreed, None
    by_value: dict[str, list[str]] = {}
    for value, m in given:
        articles = by_value.setdefault(str(value), [])
        if m.article not in articles:
            articles.append(m.article)
    conflict = {"field": field_name, "chosen": given[0][0], "rule": "newest publication",
                "values": [{"value": v, "articles": a} for v, a in by_value.items()]}
    return given[0][0], conflict


def merge_members(members: Sequence[Member], reviews: Sequence[dict[str, Any]] = ()) -> Merged:
    """Merge the facts of one cluster and apply its review decisions (oldest first).

    Args:
        members: every stored fact in the cluster (at least one).
        reviews: dicts with decision, field, value, by, at, in the order they were made.
    """
    ordered = _newest_first(members)
    status, status_conflict = _pick("status", ordered, prefix_rule=False)
    start, start_conflict = _pick("time_start", ordered, prefix_rule=True)
    end, end_conflict = _pick("time_end", ordered, prefix_rule=True)
    quantity, quantity_conflict = _pick("quantity", ordered, prefix_rule=False)
    time_text = next((m.time_text for m in ordered if m.time_start == start and m.time_text), None)
    if time_text is None:
        time_text = next((m.time_text for m in ordered if m.time_text), None)
    sources = [{"fact_id": m.fact_id, "article_id": m.article_id, "article": m.article, "outlet": m.outlet,
                "published": m.published, "url": m.url, "story": m.story_id, "attributed_to": m.attributed_to,
                "status": m.status, "time_start": m.time_start, "evidence": m.evidence} for m in ordered]
    merged: dict[str, Any] = {"status": status, "time_start": start, "time_end": end, "quantity": quantity}
    state, corrections = UNREVIEWED, []
    for r in reviews:
        if r["decision"] in _REVIEW_STATE:
            state = _REVIEW_STATE[r["decision"]]
        elif r["decision"] == "correct" and r.get("field") in CORRECTABLE:
            value = r.get("value") or None
            merged[r["field"]] = int(value) if r["field"] == "quantity" and value else value
            corrections.append({"field": r["field"], "value": value, "by": r.get("by"), "at": r.get("at")})
    published = [m.published for m in members if m.published]
    return Merged(
        status=merged["status"], time_text=time_text, time_start=merged["time_start"], time_end=merged["time_end"],
        quantity=merged["quantity"], n_articles=len({m.story_id for m in members}),
        latest_published=max(published) if published else None, review=state,
        conflicts=tuple(c for c in (status_conflict, start_conflict, end_conflict, quantity_conflict) if c),
        sources=tuple(sources), corrections=tuple(corrections), reviews=tuple(reviews))
