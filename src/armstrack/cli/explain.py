"""``armstrack extract --explain``: every candidate fact, its probability, why, and whether it was kept.

Answers "why this fact?" (its strongest features and how it was built, the
``trace``) and "why not that reading?" (a candidate below the threshold, or
one a more specific fact subsumed).
"""
from __future__ import annotations

import json
import sys

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from armstrack.extract.pipeline import NO_DEFENCE_CONTEXT
from armstrack.model import Fact

REASONS_SHOWN = 6
EMITTED, BELOW, SUBSUMED, GATED = "emitted", "below threshold", "subsumed by another fact", "no defence context"


def _identity(f: Fact) -> tuple:
    return (f.type, tuple((p.role, p.name) for p in f.participants), f.evidence_span)


def verdicts(facts: list[Fact], scored) -> list[str]:
    """For each scored candidate: emitted, below the threshold, or dropped by a later step."""
    emitted = {_identity(f) for f in facts}
    return [EMITTED if _identity(s.fact) in emitted else SUBSUMED if s.above_threshold
            else GATED if s.reasons and s.reasons[0][0] == NO_DEFENCE_CONTEXT else BELOW for s in scored]


def _who(f: Fact) -> str:
    parts = [f"{p.role}: {p.name}" for p in f.participants] + [f"system: {s.name}" for s in f.systems]
    return "\n".join(parts)


def print_explanations(extractor, articles, fmt: str, console: Console) -> None:
    threshold = extractor.min_confidence if extractor.min_confidence is not None else (
        extractor.scorer.threshold if extractor.scorer else None)
    for article in articles:
        facts, scored = extractor.explain(article)
        verdict = verdicts(facts, scored)
        not_parsed = extractor.not_parsed_because(article)
        if fmt == "jsonl":
            record = {"source": article.origin, "id": article.id, "threshold": threshold, "not_parsed": not_parsed,
                      "candidates": [
                {"fact": s.fact.to_dict(), "probability": round(s.probability, 4), "verdict": v,
                 "reasons": [{"feature": n, "weight": round(c, 4)} for n, c in s.reasons[:REASONS_SHOWN]],
                 "trace": list(s.fact.trace)} for s, v in zip(scored, verdict)]}
            sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
            continue
        if not_parsed:
            console.print(escape(f"{article.origin}: {not_parsed}"))
            continue
        if extractor.scorer is None:
            console.print(escape(f"{article.origin}: no scorer (--scorer off): nothing to explain"))
            continue
        table = Table(title=escape(f"{article.origin} — {len(scored)} candidates, {len(facts)} facts, "
                                   f"threshold {threshold:.3f}"), show_lines=True, expand=True)
        table.add_column("p", width=5)
        table.add_column("verdict", width=10, overflow="fold")
        table.add_column("candidate", overflow="fold", ratio=3)
        table.add_column("features that weighed most", overflow="fold", ratio=3)
        table.add_column("evidence", overflow="fold", ratio=4)
        for s, v in sorted(zip(scored, verdict), key=lambda sv: -sv[0].probability):
            reasons = "\n".join(f"{c:+.2f} {n}" for n, c in s.reasons[:REASONS_SHOWN])
            built = [t for t in s.fact.trace if t.startswith(("rule=", "slot:", "trigger="))]
            table.add_row(f"{s.probability:.2f}", v, escape(f"{s.fact.type} {s.fact.status}\n{_who(s.fact)}\n" + "\n".join(built)),
                          escape(reasons), escape(s.fact.evidence))
        console.print(table)
