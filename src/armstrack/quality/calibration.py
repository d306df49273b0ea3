"""How far confidence can be trusted: the calibration table and precision/recall by threshold.

Both take the facts an extractor emitted, each with its confidence and
whether it matched a gold fact (one-to-one, lenient: ``score.match_article``),
so they measure exactly what ``armstrack score`` counts.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from armstrack.model import Fact
from armstrack.quality.score import LENIENT, match_article

# Bins of the calibration table: everything under 0.5 together (few facts are emitted there),
# then steps of 0.1.
BIN_EDGES = (0.0, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0000001)
THRESHOLDS = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)


@dataclass(frozen=True)
class Judged:
    """One emitted fact's confidence and whether it matched a gold fact."""

    confidence: float
    correct: bool


@dataclass(frozen=True)
class CalibrationBin:
    low: float
    high: float
    facts: int
    mean_confidence: float
    precision: float

    @property
    def gap(self) -> float:
        return abs(self.mean_confidence - self.precision)


def judge(gold: Sequence[Fact], predicted: Sequence[Fact], level: str = LENIENT) -> list[Judged]:
    """Each predicted fact with its confidence and whether the one-to-one matching paired it."""
    paired = {pi for _, pi in match_article(gold, predicted, level).pairs}
    return [Judged(f.confidence, i in paired) for i, f in enumerate(predicted)]


def calibration_table(judged: Iterable[Judged]) -> tuple[list[CalibrationBin], float | None]:
    """Bins with facts, mean confidence and observed precision; and the fact-weighted mean gap."""
    judged = list(judged)
    bins = []
    for low, high in zip(BIN_EDGES, BIN_EDGES[1:]):
        inside = [j for j in judged if low <= j.confidence < high]
        if inside:
            bins.append(CalibrationBin(low, min(high, 1.0), len(inside),
                                       sum(j.confidence for j in inside) / len(inside),
                                       sum(j.correct for j in inside) / len(inside)))
    total = sum(b.facts for b in bins)
    gap = sum(b.facts * b.gap for b in bins) / total if total else None
    return bins, gap


@dataclass(frozen=True)
class ThresholdRow:
    threshold: float
    facts: int
    correct: int
    gold: int

    @property
    def precision(self) -> float:
        return self.correct / self.facts if self.facts else 1.0

    @property
    def recall(self) -> float:
        return self.correct / self.gold if self.gold else 0.0


def threshold_table(judged_at: dict[float, list[Judged]], gold_total: int) -> list[ThresholdRow]:
    """Precision and recall of the facts emitted at each threshold (``judged_at[t]``)."""
    return [ThresholdRow(t, len(js), sum(j.correct for j in js), gold_total) for t, js in sorted(judged_at.items())]


def format_calibration(bins: list[CalibrationBin], gap: float | None) -> str:
    lines = ["calibration (lenient, emitted facts)", f"{'confidence':<12}{'facts':>7}{'mean conf':>11}{'precision':>11}{'gap':>7}"]
    for b in bins:
        label = f"< {b.high:.1f}" if b.low == 0.0 else f"{b.low:.1f}-{b.high:.1f}"
        lines.append(f"{label:<12}{b.facts:>7}{b.mean_confidence:>11.3f}{b.precision:>11.3f}{b.gap:>7.3f}")
    lines.append(f"mean gap |confidence - precision| (fact-weighted): {gap:.3f}" if gap is not None else "no facts")
    return "\n".join(lines)


def format_thresholds(rows: list[ThresholdRow]) -> str:
    lines = ["precision and recall by confidence threshold (lenient)",
             f"{'threshold':<11}{'facts':>7}{'correct':>9}{'P':>8}{'R':>8}"]
    for r in rows:
        lines.append(f">= {r.threshold:<8.2f}{r.facts:>7}{r.correct:>9}{r.precision:>8.3f}{r.recall:>8.3f}")
    return "\n".join(lines)
