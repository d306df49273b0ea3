"""The learned scorer at run time: features, model file, calibration arithmetic, threshold, version."""
from __future__ import annotations

import json

from armstrack.model import Fact, Participant, System
from armstrack.quality.calibration import Judged, calibration_table, threshold_table
from armstrack.quality.features import candidate_features
from armstrack.quality.scorer import SHIPPED_MODEL, Scorer, extractor_version
from armstrack.quality.train import Trained, model_dict, write_model


def _fact(confidence: float = 0.8, trace=("rule=buy", "trigger=buy", "slot:supplier=kb_origin", "sentence=3/20",
                                         "penalty=0.10", "restated")) -> Fact:
    return Fact("arms_transfer", (Participant("supplier", "Turkey", "country", "Turkey"),
                                  Participant("recipient", "Kazakhstan", "country", "Kazakhstan")),
                (System("ANKA", "uav"),), evidence="Kazakhstan bought ANKA drones.", evidence_span=(10, 40),
                confidence=confidence, trace=trace)


def test_trace_is_neither_compared_nor_exported():
    a, b = _fact(trace=("rule=x",)), _fact(trace=("rule=y",))
    assert a == b
    assert "trace" not in a.to_dict()


def test_features_are_deterministic_and_read_the_trace():
    facts = [_fact(), _fact(trace=("rule=deliver", "caption", "sentence=0/20"))]
    first, again = candidate_features(facts), candidate_features(list(facts))
    assert first == again
    assert first[0]["rule=buy"] == 1.0 and first[0]["slot:supplier=kb_origin&type=arms_transfer"] == 1.0
    assert first[0]["restated=1"] == 1.0 and first[0]["position=lead"] == 1.0
    assert first[1]["caption"] == 1.0 and first[1]["position=headline"] == 1.0
    assert first[0]["same_sentence=1"] == 1.0  # two candidates from one sentence


def test_model_file_round_trip_and_scoring(tmp_path):
    model = model_dict({"rule=buy": 2.0, "caption": -3.0}, -0.5, a=1.0, b=0.0, threshold=0.6)
    path = tmp_path / "m.json"
    write_model(Trained(model, {"candidates": 2}), path)
    assert json.loads(path.read_text()) == model
    assert (tmp_path / "m.report.json").exists()
    scorer = Scorer.load(path)
    scored = scorer.score([_fact(), _fact(trace=("rule=buy", "caption"))], [])
    assert round(scored[0].probability, 4) == round(1 / (1 + 2.718281828459045 ** -1.5), 4)
    assert scored[0].above_threshold and not scored[1].above_threshold
    assert scored[0].fact.confidence == scored[0].probability
    assert scored[1].reasons[0] == ("caption", -3.0)
    assert any(t.startswith("p=") for t in scored[0].fact.trace)
    kept = scorer.chooser()([_fact(), _fact(trace=("rule=buy", "caption"))], [])
    assert len(kept) == 1
    assert len(scorer.chooser(threshold=0.01)([_fact(), _fact(trace=("rule=buy", "caption"))], [])) == 2


def test_extractor_version_names_the_model():
    shipped = Scorer.load(SHIPPED_MODEL)
    other = Scorer(json.loads(SHIPPED_MODEL.read_text()), "0123456789ab")
    assert extractor_version(shipped) != extractor_version(other) != extractor_version(None)
    assert extractor_version(shipped, 0.8).endswith("+min0.8")


def test_calibration_table_arithmetic():
    judged = [Judged(0.3, False), Judged(0.4, True),  # < 0.5: mean 0.35, precision 0.5
              Judged(0.85, True), Judged(0.85, True), Judged(0.85, True), Judged(0.85, False)]  # 0.8-0.9
    bins, gap = calibration_table(judged)
    assert [(round(b.low, 1), b.facts) for b in bins] == [(0.0, 2), (0.8, 4)]
    assert round(bins[0].mean_confidence, 3) == 0.35 and bins[0].precision == 0.5
    assert round(bins[1].gap, 3) == 0.1
    assert round(gap, 4) == round((2 * 0.15 + 4 * 0.1) / 6, 4)


def test_threshold_table():
    rows = threshold_table({0.5: [Judged(0.6, True), Judged(0.55, False)], 0.8: []}, gold_total=4)
    assert (rows[0].precision, rows[0].recall) == (0.5, 0.25)
    assert (rows[1].facts, rows[1].precision, rows[1].recall) == (0, 1.0, 0.0)


def test_shipped_model_is_used_by_default(extractor):
    assert extractor.scorer is not None and extractor.scorer.path == str(SHIPPED_MODEL)
    assert "+scorer." in extractor.version
