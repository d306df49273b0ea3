"""Fuzzing: no exception escapes the readers, the cleaner, the time parser or the extractor.

Hypothesis generates structured hostile inputs here (JSON values of any shape,
JSONL files with broken lines); atheris (``benchmarks/fuzz.py``, coverage-guided
libFuzzer) mutates real articles byte by byte. The suite runs short atheris
sessions; the script runs long ones. Property tests of the time parser, the
cleaner and the extractor on generated text are in their own test modules
(test_timeparse, test_clean, test_properties).
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from armstrack.read.ingest import read_inputs
from armstrack.model import Article, InputFailure

FUZZ = Path(__file__).resolve().parents[1] / "benchmarks" / "fuzz.py"
# Runs per atheris target in the suite: a few seconds each on 2 cores (the extractor is ~50 runs/s).
SUITE_RUNS = {"time": 1500, "clean": 3000, "html": 1000, "read": 2000, "extract": 300}

_json_scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=50))
JSON_VALUES = st.recursive(_json_scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.sampled_from(["text", "id", "url", "published", "source", "x"]),
                                                 inner, max_size=5)), max_leaves=20)
ARTICLE_RECORDS = st.fixed_dictionaries({"text": st.one_of(st.text(max_size=300), JSON_VALUES)},
                                        optional={"id": JSON_VALUES, "url": JSON_VALUES, "published": JSON_VALUES,
                                                  "source": JSON_VALUES})
JSONL_LINES = st.one_of(ARTICLE_RECORDS.map(json.dumps), JSON_VALUES.map(json.dumps),
                        st.binary(max_size=80).map(lambda b: b.decode("latin-1")), st.just(""), st.just("   "))


def _one_kind(items) -> bool:
    return all(isinstance(i, (Article, InputFailure)) for i in items)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=st.one_of(JSON_VALUES, ARTICLE_RECORDS))
def test_any_json_value_reads_as_one_article_or_one_failure(tmp_path, value):
    path = tmp_path / "x.json"
    path.write_text(json.dumps(value), encoding="utf-8")
    items = list(read_inputs([path]))
    assert len(items) == 1 and _one_kind(items)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=st.lists(JSONL_LINES, max_size=8), newline=st.sampled_from(["\n", "\r\n"]))
def test_a_jsonl_file_gives_one_result_per_non_blank_line(tmp_path, lines, newline):
    path = tmp_path / "x.jsonl"
    path.write_bytes(newline.join(lines).encode("utf-8", errors="surrogatepass"))
    items = list(read_inputs([path]))
    assert _one_kind(items)
    physical = path.read_bytes().split(b"\n")
    assert len(items) == sum(1 for line in physical if line.strip())
    assert all(item.origin.startswith(f"{path}#") for item in items)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=3000), suffix=st.sampled_from([".txt", ".html", ".json"]))
def test_any_bytes_in_any_file_type_read_as_one_result(tmp_path, data, suffix):
    path = tmp_path / f"x{suffix}"
    path.write_bytes(data)
    items = list(read_inputs([path]))
    assert len(items) == 1 and _one_kind(items)


@pytest.mark.parametrize("target", sorted(SUITE_RUNS))
def test_atheris_finds_no_crash(target, tmp_path):
    result = subprocess.run(
        [sys.executable, str(FUZZ), target, f"-runs={SUITE_RUNS[target]}", "-max_len=3000", "-seed=1",
         f"-artifact_prefix={tmp_path}/"],
        capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    assert f"Done {SUITE_RUNS[target]} runs" in result.stderr
    assert not list(tmp_path.glob("crash-*"))
