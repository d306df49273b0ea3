"""The learned choice among candidate facts: a model file, read and applied in pure Python.

``armstrack train`` (``train.py``) fits a logistic regression over the
features of ``features.py`` and writes it as JSON: feature weights, an
intercept, a Platt calibration (a, b) fitted on out-of-fold scores and the
emission threshold chosen by cross-validation. Scoring a candidate is then a
sparse dot product and a sigmoid, with no scikit-learn import on the
extraction path, so ingest keeps its speed.

The model file in use is, in order: the ``scorer`` argument (a path, or "off"
for the hand-made confidence of the rules), ``$ARMSTRACK_SCORER``, the model
shipped in ``models/scorer.json``. The extractor version stored with facts
names the model by a hash of its bytes, so a new model makes the store
re-extract (``run/batch.py``).
"""
from __future__ import annotations

import hashlib
import json
import math
import os
from dataclasses import dataclass, replace
from pathlib import Path

from armstrack.errors import KnowledgeError
from armstrack.extract.consolidate import Named, complete_models
from armstrack.model import EXTRACTOR_VERSION, Fact
from armstrack.quality.features import candidate_features

MODEL_FORMAT = "armstrack-scorer"
MODEL_FORMAT_VERSION = 1
SHIPPED_MODEL = Path(__file__).parent / "models" / "scorer.json"
SCORER_ENV = "ARMSTRACK_SCORER"
MIN_CONFIDENCE_ENV = "ARMSTRACK_MIN_CONFIDENCE"  # how ``ingest --min-confidence`` reaches its worker processes
OFF = ("off", "none", "hand")
REASONS_KEPT = 3  # features named in a scored fact's trace (``extract --explain`` lists more)
HASH_CHARS = 12


def sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x)) if x >= 0 else math.exp(x) / (1.0 + math.exp(x))


@dataclass(frozen=True)
class Scored:
    """One candidate as the scorer saw it: the fact (confidence set), its features and contributions."""

    fact: Fact
    probability: float
    reasons: tuple[tuple[str, float], ...]  # (feature, weight x value), largest magnitude first
    above_threshold: bool


class Scorer:
    """A loaded model file: weights, intercept, Platt calibration, emission threshold."""

    def __init__(self, data: dict, digest: str, path: str = ""):
        if data.get("format") != MODEL_FORMAT or data.get("version") != MODEL_FORMAT_VERSION:
            raise KnowledgeError(f"{path or 'scorer'}: not an {MODEL_FORMAT} v{MODEL_FORMAT_VERSION} model file")
        self.weights: dict[str, float] = data["weights"]
        self.intercept = float(data["intercept"])
        self.platt_a = float(data["calibration"]["a"])
        self.platt_b = float(data["calibration"]["b"])
        self.threshold = float(data["threshold"])
        self.digest = digest
        self.path = path

    @classmethod
    def load(cls, path: str | Path) -> "Scorer":
        try:
            raw = Path(path).read_bytes()
            data = json.loads(raw)
        except (OSError, ValueError) as exc:
            raise KnowledgeError(f"{path}: cannot read scorer model: {exc}") from exc
        return cls(data, hashlib.sha256(raw).hexdigest()[:HASH_CHARS], str(path))

    def margin(self, features: dict[str, float]) -> float:
        """The uncalibrated score: intercept plus the weights of the features present."""
        w = self.weights
        return self.intercept + sum(w.get(name, 0.0) * value for name, value in features.items())

    def calibrate(self, margin: float) -> float:
        return sigmoid(self.platt_a * margin + self.platt_b)

    def reasons(self, features: dict[str, float], n: int | None = None) -> tuple[tuple[str, float], ...]:
        parts = [(name, self.weights.get(name, 0.0) * value) for name, value in features.items()]
        parts = sorted((p for p in parts if p[1]), key=lambda p: (-abs(p[1]), p[0]))
        return tuple(parts[:n] if n else parts)

    def score(self, facts: list[Fact], named: Named, threshold: float | None = None) -> list[Scored]:
        """Every candidate of one article with its calibrated probability as confidence."""
        cut = self.threshold if threshold is None else threshold
        features = candidate_features(facts, completable(facts, named))
        out = []
        for fact, feats in zip(facts, features):
            p = self.calibrate(self.margin(feats))
            why = self.reasons(feats)
            trace = fact.trace + (f"p={p:.3f}",) + tuple(f"because={name}:{c:+.2f}" for name, c in why[:REASONS_KEPT])
            out.append(Scored(replace(fact, confidence=p, trace=trace), p, why, p >= cut))
        return out

    def chooser(self, threshold: float | None = None, record: list | None = None):
        """consolidate's step 6: keep the candidates at or above the threshold (default: the model's).

        ``record`` (a list) receives every ``Scored`` candidate, kept or not, for ``--explain``.
        """
        def choose(facts: list[Fact], named: Named) -> list[Fact]:
            scored = self.score(facts, named, threshold)
            if record is not None:
                record.extend(scored)
            return [s.fact for s in scored if s.above_threshold]

        return choose


def completable(facts: list[Fact], named: Named) -> list[bool]:
    """Whether each generic-only candidate would get a named model from the article (a feature)."""
    return [complete_models([f], named)[0].systems != f.systems for f in facts]


def resolve(scorer: str | Path | None = None) -> Path | None:
    """The model file to use (see module docstring), or None for the rules' hand-made confidence."""
    choice = str(scorer) if scorer is not None else os.environ.get(SCORER_ENV) or ""
    if choice.lower() in OFF:
        return None
    if choice:
        return Path(choice)
    return SHIPPED_MODEL if SHIPPED_MODEL.exists() else None


def resolve_min_confidence(value: float | None = None) -> float | None:
    """An emission threshold asked for (argument, else ``$ARMSTRACK_MIN_CONFIDENCE``), or None for the model's."""
    if value is not None:
        return value
    raw = os.environ.get(MIN_CONFIDENCE_ENV)
    return float(raw) if raw else None


def load_scorer(scorer: str | Path | None = None) -> Scorer | None:
    path = resolve(scorer)
    return Scorer.load(path) if path is not None else None


def extractor_version(scorer: Scorer | None, min_confidence: float | None = None) -> str:
    """The version stored with facts: the rules', the model's hash, and a non-default threshold."""
    version = EXTRACTOR_VERSION + (f"+scorer.{scorer.digest}" if scorer else "+hand")
    return version + (f"+min{min_confidence:g}" if min_confidence is not None else "")


def current_extractor_version(scorer: str | Path | None = None, min_confidence: float | None = None) -> str:
    """The version an ``Extractor`` built with these arguments reports, without loading spaCy."""
    return extractor_version(load_scorer(scorer), resolve_min_confidence(min_confidence))
