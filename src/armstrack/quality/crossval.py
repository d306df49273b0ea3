"""Honest figures for the learned scorer: k-fold cross-validation by article.

The articles are split into ``k`` deterministic folds (GroupKFold, one group
per article); for each fold the whole training of ``train.py`` (its own inner
out-of-fold calibration and threshold included) runs on the other folds, and
the held-out articles are extracted with that model and scored. The pooled
held-out predictions give the per-type precision/recall/F1, the calibration
table and precision/recall by threshold: no learned part is ever scored on an
article it saw. ``in_sample`` gives the same tables for one fixed scorer (the
shipped model, or the rules' hand-made confidence), for comparison.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from armstrack.extract.consolidate import MIN_CONFIDENCE
from armstrack.model import Fact
from armstrack.quality.calibration import THRESHOLDS, Judged, judge
from armstrack.quality.scorer import Scorer
from armstrack.quality.train import Example, emitter, group_folds, train


@dataclass
class Evaluation:
    """Pooled predictions: (article, gold, predicted) triples, judged facts, and judged facts by threshold."""

    triples: list[tuple[str, list[Fact], list[Fact]]] = field(default_factory=list)
    judged: list[Judged] = field(default_factory=list)
    judged_at: dict[float, list[Judged]] = field(default_factory=dict)
    thresholds: list[float] = field(default_factory=list)  # the emission threshold of each model used

    @property
    def gold_total(self) -> int:
        return sum(len(g) for _, g, _ in self.triples)

    def add(self, ex: Example, scorer: Scorer | None) -> None:
        gold = ex.gold or []
        emit_at = emitter(ex.candidates, ex.named, scorer)
        predicted = emit_at(scorer.threshold if scorer else MIN_CONFIDENCE)
        self.triples.append((ex.article_id, gold, predicted))
        self.judged += judge(gold, predicted)
        for t in THRESHOLDS:
            self.judged_at.setdefault(t, []).extend(judge(gold, emit_at(t)))


def in_sample(examples: Sequence[Example], scorer: Scorer | None) -> Evaluation:
    """One scorer (None: hand-made confidence) applied to every article."""
    result = Evaluation(thresholds=[scorer.threshold] if scorer else [])
    for ex in examples:
        result.add(ex, scorer)
    return result


def cross_validate(examples: Sequence[Example], k: int) -> Evaluation:
    """Train on k-1 folds, extract and score the held-out fold; pooled over the folds."""
    examples = list(examples)
    result = Evaluation()
    for train_idx, test_idx in group_folds(len(examples), k):
        trained = train([examples[i] for i in train_idx])
        scorer = Scorer(trained.model, "cv")
        result.thresholds.append(scorer.threshold)
        for i in test_idx:
            result.add(examples[i], scorer)
    return result
