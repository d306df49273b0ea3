"""Facts extracted from pages that state no defence-industrial fact (every one is a false positive).

Runs the extractor over ``tests/nondefence/dev`` and ``tests/nondefence/holdout``
(or the folders given) and prints, per folder, the facts per page, their types
and the pages the document gate skipped.

Example: python benchmarks/nondefence.py --details
         python benchmarks/nondefence.py --no-gate           (both gates off)
         python benchmarks/nondefence.py --fact-gate-only    (document gate opened)
"""
from __future__ import annotations

import argparse
import collections
import json
from pathlib import Path

from armstrack.extract.domain import DomainGate
from armstrack.extract.pipeline import Extractor
from armstrack.model import Article

HERE = Path(__file__).resolve().parents[1]
DEFAULT_FOLDERS = (HERE / "tests" / "nondefence" / "dev", HERE / "tests" / "nondefence" / "holdout")


def load_pages(folder: Path) -> list[Article]:
    pages = []
    for path in sorted(folder.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        pages.append(Article(origin=str(path), text=data["text"], id=data["id"], url=data.get("url"),
                             published=data.get("published"), outlet=data.get("source")))
    return pages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="*", type=Path, default=DEFAULT_FOLDERS)
    parser.add_argument("--details", action="store_true", help="print every fact with its evidence")
    gates = parser.add_mutually_exclusive_group()
    gates.add_argument("--no-gate", action="store_true", help="extract without the domain gates")
    gates.add_argument("--fact-gate-only", action="store_true", help="open the document gate, keep the fact gate")
    args = parser.parse_args()
    extractor = Extractor(domain_gate=not args.no_gate)
    if args.fact_gate_only:
        extractor.domain = DomainGate(extractor.kb, min_score=0.0, min_cues=0)
    summary = {}
    for folder in args.folders:
        pages = load_pages(folder)
        by_type: collections.Counter = collections.Counter()
        total = 0
        for article, facts in extractor.extract_many(pages):
            total += len(facts)
            for fact in facts:
                by_type[fact.type] += 1
                if args.details:
                    parties = ", ".join(f"{p.role}={p.name}" for p in fact.participants)
                    print(f"  {article.id}: {fact.type} [{parties}] << {fact.evidence[:160]}")
        summary[folder.name] = {"pages": len(pages), "facts": total, "by_type": dict(by_type)}
        print(f"{folder.name}: {total} facts on {len(pages)} pages {dict(by_type)}")
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
