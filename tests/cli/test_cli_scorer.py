"""CLI options of the learned scorer: extract --explain/--min-confidence/--scorer, score --cv."""
from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from armstrack.cli.main import main

from conftest import CORPUS, SEED_ID

SEED = CORPUS / f"{SEED_ID}.json"
DEVSET = Path(__file__).resolve().parents[1] / "devset"


def _facts(*args) -> list[dict]:
    result = CliRunner().invoke(main, ["extract", str(SEED), "--format", "jsonl", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)["facts"]


def test_min_confidence_and_scorer_off():
    default, strict = _facts(), _facts("--min-confidence", "0.9")
    assert len(strict) < len(default)
    assert all(f["confidence"] >= 0.9 for f in strict)
    hand = _facts("--scorer", "off")
    assert {f["confidence"] for f in hand} != {f["confidence"] for f in default}  # the rules' hand-made numbers


def test_explain_lists_every_candidate_with_probability_reasons_and_verdict():
    result = CliRunner().invoke(main, ["extract", str(SEED), "--explain", "--format", "jsonl"])
    assert result.exit_code == 0, result.output
    record = json.loads(result.stdout)
    verdicts = {c["verdict"] for c in record["candidates"]}
    assert "emitted" in verdicts and len(record["candidates"]) >= len(_facts())
    first = record["candidates"][0]
    assert 0 < first["probability"] < 1 and first["reasons"] and any(t.startswith("rule=") for t in first["trace"])
    table = CliRunner().invoke(main, ["extract", str(SEED), "--explain"])
    assert table.exit_code == 0 and "emitted" in table.stdout and "candidates" in table.stdout


def test_score_cross_validated_prints_calibration_and_thresholds():
    result = CliRunner().invoke(main, ["score", str(DEVSET), "--cv", "3", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["cross_validated_folds"] == 3 and len(data["emission_thresholds"]) == 3
    assert [r["threshold"] for r in data["thresholds"]] == [0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]
    assert data["calibration"]["mean_gap"] is not None
    text = CliRunner().invoke(main, ["score", str(DEVSET)]).stdout
    assert "calibration" in text and "threshold" in text
