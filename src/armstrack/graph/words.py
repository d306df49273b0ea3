"""A merged fact in words, for people reading outside the tool (Atom entries, briefs).

Plain strings, never markup: whoever puts them in HTML or Markdown escapes them.
"""
from __future__ import annotations

from armstrack.graph.query import FactView


def human(fact_type: str) -> str:
    """``licensed_production`` -> "licensed production"."""
    return fact_type.replace("_", " ")


def when(fact: FactView) -> str:
    """The fact's date at its own precision: "2011", "2022-05–2024", or "undated"."""
    if fact.time_start and fact.time_end and fact.time_end != fact.time_start:
        return f"{fact.time_start}–{fact.time_end}"
    return fact.time_start or "undated"


def who(fact: FactView) -> str:
    """"Turkish Aerospace (licensor, Turkey), Kazakhstan (producer)"."""
    parts = []
    for p in fact.participants:
        where = f", {p['country']}" if p.get("country") and p["country"] != p["name"] else ""
        parts.append(f"{p['name']} ({p['role']}{where})")
    return ", ".join(parts)


def sentence(fact: FactView) -> str:
    """One line saying what the fact is: type, who, what equipment, status and date."""
    systems = ", ".join(s["name"] for s in fact.systems)
    quantity = f"{fact.quantity} × " if fact.quantity else ""
    what = f" — {quantity}{systems}" if systems else ""
    return f"{human(fact.type).capitalize()}: {who(fact)}{what} ({fact.status or 'reported'}, {when(fact)})"
