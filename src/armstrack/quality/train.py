"""``armstrack train``: learn which candidate facts an analyst would accept.

1. candidates: the extractor runs with scoring off over gold folders (corpus
   layout) and gives each article's merged candidates (``Extractor.candidates``);
2. labels: a candidate is 1 when, completed with the article's named model as
   extraction would, it matches a gold fact of its article under the lenient
   rules of ``score.py``, else 0; reviewed facts of a store add labels
   (``reviews.py``);
3. out-of-fold scores: GroupKFold by article (``INNER_FOLDS``) gives every gold
   candidate a score from a model that never saw its article;
4. threshold: the out-of-fold candidates are emitted as extraction would at each
   cut of ``THRESHOLD_GRID`` (choose, subsume, complete) and matched one-to-one
   against gold; the cut with the best pooled lenient F1 is the emission threshold;
5. calibration: one pooled Platt scaling (research note section 4: no isotonic, not
   per type) fitted on the out-of-fold scores of every fact emitted at the lowest
   cut, labelled by the one-to-one matching, so confidence means "share of emitted
   facts like this that are right". Fitted on the facts above the chosen cut only,
   the sigmoid extrapolated badly at both ends (5-fold CV gap 0.094; 0.052 so);
6. the final logistic regression is refitted on everything and written, with the
   calibration and threshold, as a JSON model file (``scorer.py`` reads it).

Same inputs give a byte-identical file: folds are deterministic, lbfgs has no
randomness, weights are rounded, keys sorted, and the date and figures go to a
report beside the model, not into it.
"""
from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from armstrack.extract.consolidate import MIN_CONFIDENCE, Named, complete_models, finish
from armstrack.model import Article, Fact
from armstrack.quality.calibration import Judged, calibration_table, judge
from armstrack.quality.features import candidate_features
from armstrack.quality.score import LENIENT, fact_matches, load_gold
from armstrack.quality.scorer import MODEL_FORMAT, MODEL_FORMAT_VERSION, Scorer, completable, sigmoid

INNER_FOLDS = 5  # out-of-fold scores for calibration and threshold; 5 folds of ~17 articles each
# L2 strength (sklearn's C): chosen by 5-fold grouped CV on corpus + devset among 0.03, 0.05, 0.1,
# 0.3, 1, 3: lenient F1 0.590, 0.597, 0.587, 0.584, 0.580, 0.570; weaker regularisation lets the
# rule-name features memorise their training articles.
REGULARISATION_C = 0.05
MIN_FEATURE_COUNT = 2  # a feature seen on a single candidate gets no weight (it would memorise it)
# Emission cuts tried, as raw (uncalibrated) probabilities: 0.10, 0.125, ... 0.90.
THRESHOLD_GRID = tuple(round(0.1 + 0.025 * i, 3) for i in range(33))
PLATT_C = 1e4  # Platt scaling is a 2-parameter fit on hundreds of facts: effectively unregularised
ROUND_DIGITS = 6
LOGIT_EPSILON = 1e-9  # weights in the file: enough for scoring, stable across platforms


@dataclass
class Example:
    """One article's candidates, their features and labels (None: no evidence either way)."""

    article_id: str
    candidates: list[Fact]
    named: Named
    features: list[dict[str, float]]
    labels: list[int | None]
    gold: list[Fact] | None = None  # fully annotated articles only; reviews give labels, not gold
    weight: float = 1.0
    sources: tuple[str, ...] = field(default=())


def read_gold_folders(folders: Iterable[str | Path]) -> list[tuple[str, Article, list[Fact]]]:
    """(group id, article, gold facts) of every ``*.json`` in the folders, in name order."""
    from armstrack.read.ingest import read_inputs

    out = []
    for folder in folders:
        folder = Path(folder)
        for path in sorted(folder.glob("*.json")) if folder.is_dir() else [folder]:
            meta, gold = load_gold(path)
            article = next(a for a in read_inputs([path]) if isinstance(a, Article))
            out.append((f"{folder.name}/{meta.get('id') or path.stem}", article, gold))
    return out


def completed(fact: Fact, named: Named) -> Fact:
    """The candidate as extraction would emit it (a generic "drones" gets the article's model)."""
    return complete_models([fact], named)[0]


def gold_labels(candidates: list[Fact], named: Named, gold: Sequence[Fact]) -> list[int]:
    return [int(any(fact_matches(completed(c, named), g, LENIENT) for g in gold)) for c in candidates]


def make_example(article_id: str, candidates: list[Fact], named: Named, gold: list[Fact] | None,
                 labels: list[int | None] | None = None, weight: float = 1.0) -> Example:
    features = candidate_features(candidates, completable(candidates, named))
    if labels is None:
        labels = gold_labels(candidates, named, gold or [])
    return Example(article_id, candidates, named, features, labels, gold, weight)


def gold_examples(extractor, folders: Iterable[str | Path]) -> list[Example]:
    """Candidates of every gold article, labelled against its gold facts."""
    items = read_gold_folders(folders)
    articles = [a for _, a, _ in items]
    out = []
    for (group, _, gold), (_, candidates, named) in zip(items, extractor.candidates_many(articles)):
        out.append(make_example(group, candidates, named, gold))
    return out


# -- fitting -----------------------------------------------------------------------------------

def fit_weights(examples: Sequence[Example], c: float | None = None) -> tuple[dict[str, float], float]:
    """Logistic regression over the labelled candidates: (feature -> weight, intercept)."""
    c = REGULARISATION_C if c is None else c
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    rows, ys, ws = [], [], []
    for ex in examples:
        for feats, label in zip(ex.features, ex.labels):
            if label is not None:
                rows.append(feats)
                ys.append(label)
                ws.append(ex.weight)
    counts: dict[str, int] = {}
    for feats in rows:
        for name in feats:
            counts[name] = counts.get(name, 0) + 1
    rows = [{k: v for k, v in feats.items() if counts[k] >= MIN_FEATURE_COUNT} for feats in rows]
    if len(set(ys)) < 2:
        raise ValueError("training needs both accepted and rejected candidates")
    vectorizer = DictVectorizer(sort=True)
    x = vectorizer.fit_transform(rows)
    model = LogisticRegression(C=c, max_iter=5000)
    model.fit(x, ys, sample_weight=ws)
    weights = {name: round(float(w), ROUND_DIGITS) for name, w in zip(vectorizer.feature_names_, model.coef_[0])}
    return {k: v for k, v in weights.items() if v}, round(float(model.intercept_[0]), ROUND_DIGITS)


def model_dict(weights: dict[str, float], intercept: float, a: float = 1.0, b: float = 0.0,
               threshold: float = 0.5, notes: dict | None = None) -> dict:
    return {"format": MODEL_FORMAT, "version": MODEL_FORMAT_VERSION, "weights": weights, "intercept": intercept,
            "calibration": {"method": "platt", "a": a, "b": b}, "threshold": threshold, "notes": notes or {}}


def raw_scorer(weights: dict[str, float], intercept: float, threshold: float = 0.5) -> Scorer:
    """A scorer without calibration: its probability is the regression's own."""
    return Scorer(model_dict(weights, intercept, threshold=threshold), "raw")


def emitter(candidates: list[Fact], named: Named, scorer: Scorer | None) -> Callable[[float], list[Fact]]:
    """The facts extraction would emit at any cut (``consolidate`` steps 3-6), the candidates scored once:
    evaluating many thresholds must not recompute every candidate's features for each."""
    scored = candidates if scorer is None else [s.fact for s in scorer.score(candidates, named)]
    return lambda cut: finish([f for f in scored if f.confidence >= cut], named)


def emit(candidates: list[Fact], named: Named, scorer: Scorer | None, threshold: float | None = None) -> list[Fact]:
    """The facts extraction would emit from these candidates, at ``threshold`` or the default cut."""
    if threshold is None:
        threshold = MIN_CONFIDENCE if scorer is None else scorer.threshold
    return emitter(candidates, named, scorer)(threshold)


def group_folds(n: int, k: int) -> list[tuple[list[int], list[int]]]:
    """Deterministic k folds over n articles (GroupKFold, one group per article)."""
    from sklearn.model_selection import GroupKFold

    k = max(2, min(k, n))
    return [(list(tr), list(te)) for tr, te in GroupKFold(n_splits=k).split(list(range(n)), groups=list(range(n)))]


def out_of_fold(gold: list[Example], extra: list[Example], k: int) -> list[Scorer]:
    """For each gold article, a raw scorer trained without it (reviews always train)."""
    by_article: list[Scorer | None] = [None] * len(gold)
    for train_idx, test_idx in group_folds(len(gold), k):
        scorer = raw_scorer(*fit_weights([gold[i] for i in train_idx] + extra))
        for i in test_idx:
            by_article[i] = scorer
    return by_article  # type: ignore[return-value]


def _f1(judged: list[Judged], gold_total: int) -> float:
    correct = sum(j.correct for j in judged)
    p = correct / len(judged) if judged else 0.0
    r = correct / gold_total if gold_total else 0.0
    return 2 * p * r / (p + r) if p + r else 0.0


def logit(p: float) -> float:
    """The inverse of ``sigmoid``, with p kept off 0 and 1 so that any probability has a margin."""
    p = min(max(p, LOGIT_EPSILON), 1 - LOGIT_EPSILON)
    return math.log(p / (1 - p))


def platt(margins: list[float], correct: list[bool]) -> tuple[float, float]:
    from sklearn.linear_model import LogisticRegression

    if len(set(correct)) < 2:
        return 1.0, 0.0
    model = LogisticRegression(C=PLATT_C, max_iter=1000)
    model.fit([[m] for m in margins], [int(c) for c in correct])
    return round(float(model.coef_[0][0]), ROUND_DIGITS), round(float(model.intercept_[0]), ROUND_DIGITS)


@dataclass(frozen=True)
class Trained:
    model: dict
    figures: dict


def train(gold: list[Example], extra: Sequence[Example] = (), folds: int = INNER_FOLDS) -> Trained:
    """Fit, choose the threshold and calibrate (module docstring steps 3-6)."""
    extra = list(extra)
    oof = out_of_fold(gold, extra, folds)
    gold_total = sum(len(ex.gold or ()) for ex in gold)
    emitters = [(ex.gold or [], emitter(ex.candidates, ex.named, s)) for ex, s in zip(gold, oof)]
    best_cut, best_f1, best_judged = THRESHOLD_GRID[0], -1.0, []
    widest: list[Judged] = []  # the facts emitted at the lowest cut: the calibration data
    for cut in THRESHOLD_GRID:
        judged = [j for facts, emit_at in emitters for j in judge(facts, emit_at(cut))]
        if cut == THRESHOLD_GRID[0]:
            widest = judged
        f1 = _f1(judged, gold_total)
        if f1 > best_f1 + 1e-9:
            best_cut, best_f1, best_judged = cut, f1, judged
    a, b = platt([logit(j.confidence) for j in widest], [j.correct for j in widest])
    threshold = round(sigmoid(a * logit(best_cut) + b), 3)
    weights, intercept = fit_weights(gold + extra)
    notes = {
        "threshold": f"emission threshold: the cut with the best pooled lenient F1 of {INNER_FOLDS}-fold "
                     "out-of-fold emitted facts, expressed as a calibrated probability",
        "calibration": "Platt scaling on the out-of-fold scores of every fact emitted at the lowest cut",
        "regularisation_c": REGULARISATION_C,
    }
    calibrated = [Judged(sigmoid(a * logit(j.confidence) + b), j.correct) for j in best_judged]
    _, gap = calibration_table(calibrated)
    correct = sum(j.correct for j in best_judged)
    figures = {
        "gold_articles": len(gold), "review_articles": len(extra), "gold_facts": gold_total,
        "candidates": sum(len(ex.candidates) for ex in gold + extra),
        "positive_candidates": sum(1 for ex in gold + extra for lab in ex.labels if lab == 1),
        "negative_candidates": sum(1 for ex in gold + extra for lab in ex.labels if lab == 0),
        "features": len(weights),
        "out_of_fold": {"raw_cut": best_cut, "threshold": threshold, "emitted": len(best_judged),
                        "correct": correct, "precision": round(correct / max(1, len(best_judged)), 4),
                        "recall": round(correct / max(1, gold_total), 4), "f1": round(best_f1, 4),
                        "calibration_gap": round(gap or 0.0, 4)},
    }
    return Trained(model_dict(weights, intercept, a, b, threshold, notes), figures)


def write_model(trained: Trained, out: str | Path, inputs: Sequence[str] = ()) -> Path:
    """The model file (byte-reproducible) and, beside it, a dated report of the figures."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(trained.model, sort_keys=True, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    report = report_path(out)
    report.write_text(json.dumps({"model": out.name, "trained_on": date.today().isoformat(), "inputs": list(inputs),
                                  **trained.figures}, sort_keys=True, indent=1) + "\n", encoding="utf-8")
    return report


def report_path(model: Path) -> Path:
    name = model.name.removesuffix(".json")
    return model.with_name(name + ".report.json")
