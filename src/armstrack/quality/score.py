"""Score extracted facts against gold annotations.

This module is the single implementation of the corpus README's section "How
extracted facts are scored against gold", so every number the project reports
(CLI, tests, experiments) means the same thing. The rules are deliberately
forgiving about *names* (spelling, acronyms, "Baykar" vs "Baykar Technologies")
and strict about *structure* (type, roles, systems): a name variant is a
normalisation problem, a swapped supplier/recipient is a real error.

Matching is greedy and one-to-one per article, in gold order; among the
extracted facts that match a gold fact, the one agreeing most on time, status
and systems wins, so a near-duplicate extraction is a false positive rather
than stealing a better partner.
"""
from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Sequence

from rapidfuzz import fuzz

from armstrack.errors import InputError
from armstrack.names import normalise_name
from armstrack.model import FACT_TYPES, Fact, Participant, System

logger = logging.getLogger(__name__)

STRICT = "strict"
LENIENT = "lenient"
LEVELS = (STRICT, LENIENT)

COUNTRY = "country"
ORGANIZATION = "organization"

# README: "a close spelling (similarity >= 0.85)", rapidfuzz ratio on normalised names.
SIMILARITY_THRESHOLD = 0.85
# Roles the README marks optional: a gold fact is found without them.
OPTIONAL_ROLES = frozenset({"venture", "customer", "candidate"})
# Types where who-does-what-to-whom matters, so roles must agree.
DIRECTED_TYPES = frozenset({
    "arms_transfer", "licensed_production", "training", "aid", "facility", "procurement_process",
})
# Types whose identity includes the equipment: a transfer of the wrong system is another fact.
SYSTEM_TYPES = frozenset({"arms_transfer", "licensed_production"})
# Small words acronyms usually skip ("Ministry of Defence" -> "MoD" or "MD").
ACRONYM_STOP_WORDS = frozenset({"of", "and", "the", "for", "de", "in", "on", "at", "to", "a", "an"})
MIN_ACRONYM_LEN = 2
# Only words at least this long lose a trailing plural "s" ("drones", "UAVs", not "AS"/"US").
PLURAL_MIN_LEN = 4

_YEAR = re.compile(r"^(\d{4})")


@lru_cache(maxsize=8192)
def _words(name: str, fold_plural: bool) -> tuple[str, ...]:
    words = normalise_name(name).split()
    if fold_plural:
        words = [w[:-1] if len(w) >= PLURAL_MIN_LEN and w.endswith("s") and not w.endswith("ss") else w
                 for w in words]
    return tuple(words)


def _is_acronym(short: tuple[str, ...], long: tuple[str, ...]) -> bool:
    """True when ``short`` spells the initials of ``long`` ("TAI", or "U.S." -> "u s")."""
    if len(long) < 2:
        return False
    if len(short) == 1:
        acronym = short[0]
    elif all(len(w) == 1 for w in short):
        acronym = "".join(short)
    else:
        return False
    if len(acronym) < MIN_ACRONYM_LEN:
        return False
    content = [w for w in long if w not in ACRONYM_STOP_WORDS]
    return acronym in ("".join(w[0] for w in long), "".join(w[0] for w in content))


def names_match(a: str, b: str, *, same_kind: bool = True, fold_plural: bool = False) -> bool:
    """The README's name rule: equal, acronym, word containment (same kind only), or close spelling.

    ``fold_plural`` treats a trailing plural "s" as absent; it is meant for system
    names ("drones" ~ "drone"). A name that normalises to nothing never matches:
    it carries no evidence of identity.
    """
    wa, wb = _words(a, fold_plural), _words(b, fold_plural)
    if not wa or not wb:
        return False
    if wa == wb or _is_acronym(wa, wb) or _is_acronym(wb, wa):
        return True
    if same_kind:
        sa, sb = set(wa), set(wb)
        if sa <= sb or sb <= sa:
            return True
    return fuzz.ratio(" ".join(wa), " ".join(wb)) / 100 >= SIMILARITY_THRESHOLD


def system_names_match(a: str, b: str) -> bool:
    """Systems use the name rule with containment and plural folding ("TB2" ~ "Bayraktar TB2")."""
    return names_match(a, b, same_kind=True, fold_plural=True)


def systems_overlap(extracted: Sequence[System], gold: Sequence[System]) -> bool:
    return any(system_names_match(e.name, g.name) for e in extracted for g in gold)


def _check_level(level: str) -> None:
    if level not in LEVELS:
        raise ValueError(f"unknown scoring level {level!r}; expected one of {LEVELS}")


def participant_matches(extracted: Participant, gold: Participant, level: str = STRICT) -> bool:
    """Whether ``extracted`` names the gold participant (roles are checked by the caller).

    Lenient also accepts the country standing in for one of its organisations and
    vice versa, because texts often say "Kazakhstan" where the gold names its air force.
    """
    if names_match(extracted.name, gold.name, same_kind=extracted.kind == gold.kind):
        return True
    if level != LENIENT:
        return False
    if extracted.kind == COUNTRY and gold.kind == ORGANIZATION and gold.country:
        return names_match(extracted.name, gold.country)
    if extracted.kind == ORGANIZATION and gold.kind == COUNTRY and extracted.country:
        return names_match(extracted.country, gold.name)
    return False


def fact_matches(extracted: Fact, gold: Fact, level: str = STRICT) -> bool:
    """The README's fact rule: same type, every required gold participant found, a shared system."""
    _check_level(level)
    if extracted.type != gold.type:
        return False
    directed = gold.type in DIRECTED_TYPES
    for g in gold.participants:
        if g.role in OPTIONAL_ROLES:
            continue
        if not any((not directed or e.role == g.role) and participant_matches(e, g, level)
                   for e in extracted.participants):
            return False
    if gold.type in SYSTEM_TYPES and gold.systems and not systems_overlap(extracted.systems, gold.systems):
        return False
    return True


def start_year(fact: Fact) -> str | None:
    """The year of ``time.start``; the README compares times at year precision."""
    match = _YEAR.match(fact.time.start or "")
    return match.group(1) if match else None


def _agreement(extracted: Fact, gold: Fact) -> int:
    """How well a matching extracted fact agrees on the details: the greedy tie-breaker."""
    if extracted.systems or gold.systems:
        systems_agree = systems_overlap(extracted.systems, gold.systems)
    else:
        systems_agree = True
    return (int(start_year(extracted) == start_year(gold)) + int(extracted.status == gold.status)
            + int(systems_agree))


@dataclass(frozen=True)
class ArticleMatch:
    """One article's matching: (gold index, predicted index) pairs and what is left over."""

    pairs: tuple[tuple[int, int], ...]
    unmatched_gold: tuple[int, ...]
    unmatched_predicted: tuple[int, ...]


def match_article(gold: Sequence[Fact], predicted: Sequence[Fact], level: str) -> ArticleMatch:
    """Greedy one-to-one matching in gold order; best agreement wins, ties go to the earliest."""
    _check_level(level)
    free = list(range(len(predicted)))
    pairs: list[tuple[int, int]] = []
    unmatched_gold: list[int] = []
    for gi, g in enumerate(gold):
        best, best_score = None, -1
        for pi in free:
            if fact_matches(predicted[pi], g, level):
                agreement = _agreement(predicted[pi], g)
                if agreement > best_score:
                    best, best_score = pi, agreement
        if best is None:
            unmatched_gold.append(gi)
        else:
            free.remove(best)
            pairs.append((gi, best))
    return ArticleMatch(tuple(pairs), tuple(unmatched_gold), tuple(free))


@dataclass
class Counts:
    """True/false positives and false negatives, with the derived rates.

    Empty denominators follow one convention so swapping gold and predicted swaps
    precision and recall: a rate is 1.0 when there was nothing to get wrong on
    either side, 0.0 otherwise.
    """

    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, other: "Counts") -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn

    @property
    def precision(self) -> float:
        if self.tp + self.fp:
            return self.tp / (self.tp + self.fp)
        return 1.0 if self.fn == 0 else 0.0

    @property
    def recall(self) -> float:
        if self.tp + self.fn:
            return self.tp / (self.tp + self.fn)
        return 1.0 if self.fp == 0 else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {"tp": self.tp, "fp": self.fp, "fn": self.fn, "precision": round(self.precision, 4),
                "recall": round(self.recall, 4), "f1": round(self.f1, 4)}


@dataclass
class Report:
    """Scores at one level: per type, per article, overall (micro), time and status accuracy."""

    level: str
    per_type: dict[str, Counts] = field(default_factory=dict)
    per_article: dict[str, Counts] = field(default_factory=dict)
    matched: int = 0
    time_correct: int = 0
    status_correct: int = 0

    @property
    def overall(self) -> Counts:
        total = Counts()
        for counts in self.per_type.values():
            total.add(counts)
        return total

    @property
    def time_accuracy(self) -> float | None:
        return self.time_correct / self.matched if self.matched else None

    @property
    def status_accuracy(self) -> float | None:
        return self.status_correct / self.matched if self.matched else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "level": self.level,
            "overall": self.overall.to_dict(),
            "per_type": {t: c.to_dict() for t, c in self.per_type.items()},
            "per_article": {a: c.to_dict() for a, c in self.per_article.items()},
            "matched": self.matched,
            "time_correct": self.time_correct,
            "status_correct": self.status_correct,
            "time_accuracy": self.time_accuracy,
            "status_accuracy": self.status_accuracy,
        }


def score(pairs_per_article: Iterable[tuple[str, Sequence[Fact], Sequence[Fact]]], level: str) -> Report:
    """Score ``(article_id, gold, predicted)`` triples at ``level`` ("strict" or "lenient")."""
    _check_level(level)
    report = Report(level)
    for article_id, gold, predicted in pairs_per_article:
        result = match_article(gold, predicted, level)
        article = Counts(len(result.pairs), len(result.unmatched_predicted), len(result.unmatched_gold))
        report.per_article.setdefault(article_id, Counts()).add(article)
        for gi, pi in result.pairs:
            g, p = gold[gi], predicted[pi]
            report.per_type.setdefault(g.type, Counts()).tp += 1
            report.matched += 1
            report.time_correct += start_year(g) == start_year(p)
            report.status_correct += g.status == p.status
        for gi in result.unmatched_gold:
            report.per_type.setdefault(gold[gi].type, Counts()).fn += 1
        for pi in result.unmatched_predicted:
            report.per_type.setdefault(predicted[pi].type, Counts()).fp += 1
        logger.debug("%s [%s]: tp=%d fp=%d fn=%d", article_id, level, article.tp, article.fp, article.fn)
    return report


_TYPE_WIDTH = 21
_EMPTY_CELLS = f"{'-':>4}{'-':>5}{'-':>5}{'-':>7}{'-':>7}{'-':>7}"


def _cells(counts: Counts | None) -> str:
    if counts is None or counts.tp + counts.fp + counts.fn == 0:
        return _EMPTY_CELLS
    return (f"{counts.tp:>4}{counts.fp:>5}{counts.fn:>5}"
            f"{counts.precision:>7.3f}{counts.recall:>7.3f}{counts.f1:>7.3f}")


def _accuracy(correct: int, matched: int) -> str:
    return f"{correct / matched:.3f} ({correct}/{matched})" if matched else "- (0/0)"


def format_report(strict: Report, lenient: Report) -> str:
    """A plain-text table: per type and overall, both levels side by side, then accuracies."""
    header_cells = f"{'TP':>4}{'FP':>5}{'FN':>5}{'P':>7}{'R':>7}{'F1':>7}"
    width = len(header_cells)
    lines = [
        f"{'':<{_TYPE_WIDTH}} | {STRICT:<{width}} | {LENIENT:<{width}}",
        f"{'type':<{_TYPE_WIDTH}} | {header_cells} | {header_cells}",
        "-" * (_TYPE_WIDTH + 2 * width + 6),
    ]
    extra = sorted((set(strict.per_type) | set(lenient.per_type)) - set(FACT_TYPES))
    for fact_type in (*FACT_TYPES, *extra):
        lines.append(f"{fact_type:<{_TYPE_WIDTH}} | {_cells(strict.per_type.get(fact_type))}"
                     f" | {_cells(lenient.per_type.get(fact_type))}")
    lines.append("-" * (_TYPE_WIDTH + 2 * width + 6))
    lines.append(f"{'overall':<{_TYPE_WIDTH}} | {_cells(strict.overall)} | {_cells(lenient.overall)}")
    lines.append("")
    lines.append(f"time accuracy (same start year, matched facts): strict "
                 f"{_accuracy(strict.time_correct, strict.matched)}, lenient "
                 f"{_accuracy(lenient.time_correct, lenient.matched)}")
    lines.append(f"status accuracy (matched facts):                strict "
                 f"{_accuracy(strict.status_correct, strict.matched)}, lenient "
                 f"{_accuracy(lenient.status_correct, lenient.matched)}")
    return "\n".join(line.rstrip() for line in lines)


def report_to_dict(strict: Report, lenient: Report) -> dict[str, Any]:
    """Both levels as plain JSON-serialisable data, keyed by level."""
    return {STRICT: strict.to_dict(), LENIENT: lenient.to_dict()}


def load_gold(path: str | Path) -> tuple[dict[str, Any], list[Fact]]:
    """Read a corpus JSON file: the article fields (without "facts") and its gold facts."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        facts = [Fact.from_dict(d) for d in data.get("facts") or ()]
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(str(path), f"cannot read gold file: {exc}") from exc
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise InputError(str(path), f"not a corpus article JSON: {exc}") from exc
    article = {k: v for k, v in data.items() if k != "facts"}
    article.setdefault("id", path.stem)
    return article, facts
