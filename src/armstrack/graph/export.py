"""Exports: a register in the SIPRI Arms Transfers Database's layout (CSV), the graph as JSON and GraphML.

Every exported row and edge carries the ids of the articles it rests on, so a
number in a spreadsheet can always be traced back to its sources.

SIPRI's register lists state-to-state transfers, so supplier and recipient are
countries (the organisations go into the comments); licensed production is a
row from the licensor's country to the producer's, commented "licensed
production", as SIPRI does.
"""
from __future__ import annotations

import csv
import json
from typing import IO, Any

import networkx as nx

from armstrack.graph.graph import Graph
from armstrack.graph.query import FactView, facts

SIPRI_TYPES = ("arms_transfer", "licensed_production")
SIPRI_COLUMNS = (
    "supplier", "recipient", "designation", "description", "number_ordered", "year_of_order",
    "years_of_delivery", "comments", "status", "fact_id", "source_articles",
)
DELIVERED = ("completed", "ongoing")
# Roles on each side of a SIPRI row, per fact type.
SIPRI_SIDES = {"arms_transfer": ("supplier", "recipient"), "licensed_production": ("licensor", "producer")}
LIST_SEPARATOR = "; "
# A cell a spreadsheet would run as a formula (OWASP "CSV injection"): system and organisation
# names and article ids come from hostile text, so such a cell gets a leading apostrophe.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _year(iso: str | None) -> str:
    return iso[:4] if iso else ""


def _side(fact: FactView, role: str) -> tuple[list[str], list[str]]:
    """Countries and organisation names playing ``role``."""
    people = [p for p in fact.participants if p["role"] == role]
    countries = list(dict.fromkeys(p["country"] for p in people if p["country"]))
    orgs = [p["name"] for p in people if p["kind"] == "organization"]
    return countries, orgs


def sipri_rows(graph: Graph, *, include_rejected: bool = False) -> list[dict[str, Any]]:
    """One row per (transfer or licensed production, supplier country, recipient country, system)."""
    rows = []
    for fact_type in SIPRI_TYPES:
        giver, taker = SIPRI_SIDES[fact_type]
        for fact in facts(graph, fact_type=fact_type, include_rejected=include_rejected):
            suppliers, supplier_orgs = _side(fact, giver)
            recipients, recipient_orgs = _side(fact, taker)
            comments = []
            if fact_type == "licensed_production":
                comments.append("licensed production" + (f" by {', '.join(recipient_orgs)}" if recipient_orgs else ""))
            if supplier_orgs:
                comments.append(f"{giver}: {', '.join(supplier_orgs)}")
            if fact_type == "arms_transfer" and recipient_orgs:
                comments.append(f"{taker}: {', '.join(recipient_orgs)}")
            if fact.conflicted:
                comments.append("sources disagree on " + ", ".join(c["field"] for c in fact.conflicts))
            delivered = fact.status in DELIVERED and fact.type == "arms_transfer"
            years = "-".join(dict.fromkeys(y for y in (_year(fact.time_start), _year(fact.time_end)) if y))
            for supplier in suppliers or [""]:
                for recipient in recipients or [""]:
                    for system in fact.systems or [{"name": "", "category": ""}]:
                        rows.append({
                            "supplier": supplier, "recipient": recipient, "designation": system["name"],
                            "description": system.get("category") or "",
                            "number_ordered": fact.quantity if fact.quantity is not None else "",
                            "year_of_order": _year(fact.time_start), "years_of_delivery": years if delivered else "",
                            "comments": LIST_SEPARATOR.join(comments), "status": fact.status or "",
                            "fact_id": fact.id, "source_articles": LIST_SEPARATOR.join(fact.articles)})
    return rows


def spreadsheet_safe(value: Any) -> Any:
    """A text cell that starts like a formula, prefixed with ``'`` so a spreadsheet shows it as text."""
    return f"'{value}" if isinstance(value, str) and value.startswith(FORMULA_STARTS) else value


def write_sipri_csv(graph: Graph, out: IO[str], *, include_rejected: bool = False) -> int:
    """Write the SIPRI-layout register as CSV (formula-like cells neutralised); returns the number of rows."""
    rows = sipri_rows(graph, include_rejected=include_rejected)
    writer = csv.DictWriter(out, fieldnames=SIPRI_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows({k: spreadsheet_safe(v) for k, v in row.items()} for row in rows)
    return len(rows)


def entity_graph(graph: Graph, *, include_rejected: bool = False) -> nx.MultiDiGraph:
    """The full graph: entity nodes (countries, organisations, systems) and one edge per fact and role pair.

    Participants of a fact are linked from its first role to its other roles
    (supplier -> recipient; for agreements party -> party), and every participant
    to each system of the fact; each edge carries the fact's id, type, status,
    dates and source article ids.
    """
    g = nx.MultiDiGraph()
    for fact in facts(graph, include_rejected=include_rejected):
        attrs = {"fact_id": fact.id, "type": fact.type, "status": fact.status or "",
                 "time_start": fact.time_start or "", "time_end": fact.time_end or "",
                 "corroboration": fact.corroboration, "conflicted": fact.conflicted,
                 "articles": LIST_SEPARATOR.join(fact.articles)}
        people = fact.participants
        for node in (*people, *fact.systems):
            g.add_node(node["entity"], name=node["name"], kind=node.get("kind", "system"),
                       country=node.get("country") or node.get("origin") or "")
        lead = people[0]["role"] if people else None
        heads = [p for p in people if p["role"] == lead]
        others = [p for p in people if p["role"] != lead] or heads
        for a in heads:
            for b in others:
                if a["entity"] != b["entity"]:
                    g.add_edge(a["entity"], b["entity"], key=f"{fact.id}:{b['role']}", role=b["role"], **attrs)
        for p in people:
            for s in fact.systems:
                g.add_edge(p["entity"], s["entity"], key=f"{fact.id}:system", role="system", **attrs)
    return g


def write_graph_json(graph: Graph, out: IO[str], *, include_rejected: bool = False) -> None:
    """The full graph as node-link JSON, plus every merged fact with its sources."""
    g = entity_graph(graph, include_rejected=include_rejected)
    data = nx.node_link_data(g, edges="edges")
    data["facts"] = [f.to_dict() for f in facts(graph, include_rejected=include_rejected)]
    json.dump(data, out, ensure_ascii=False, indent=1)


def write_graphml(graph: Graph, path: str, *, include_rejected: bool = False) -> None:
    """The full graph as GraphML (Gephi, yEd, Cytoscape)."""
    nx.write_graphml(entity_graph(graph, include_rejected=include_rejected), path)

