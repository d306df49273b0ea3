"""Coverage-guided fuzzing (atheris, libFuzzer) of the parts that read hostile text.

Targets, each fed arbitrary bytes:

    time      timeparse.find_times / parse_time (text and a publication date)
    clean     clean.clean_text (spans of captions must slice the cleaned text)
    html      clean.html_to_text (may only raise InputError)
    read      ingest.read_inputs on a .txt/.html/.json/.jsonl file of those bytes
              (must never raise; one result per file, or per non-blank JSONL line)
    extract   pipeline.Extractor on the decoded text (must never raise; offsets valid)

An exception escaping a target is a crash: libFuzzer prints it, saves the input
as crash-<sha1> and exits non-zero. Any libFuzzer flag is passed through.

Usage:
    .venv/bin/python benchmarks/fuzz.py read -runs=100000          # a long run
    .venv/bin/python benchmarks/fuzz.py time -max_total_time=600
    .venv/bin/python benchmarks/fuzz.py extract -runs=200 -max_len=2000   # what the test suite runs
"""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import atheris

with atheris.instrument_imports(include=["armstrack"]):
    from armstrack.read.clean import clean_text, html_to_text
    from armstrack.errors import InputError
    from armstrack.read.ingest import read_inputs
    from armstrack.model import Article, InputFailure
    from armstrack.extract.pipeline import Extractor
    from armstrack.extract.timeparse import find_times, parse_time

SUFFIXES = (".txt", ".html", ".json", ".jsonl")
EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
SEED_CHARS = 2000  # seeds are cut to this: libFuzzer mutates short inputs faster
_scratch = Path(tempfile.mkdtemp(prefix="armstrack-fuzz-"))
_extractor = None


def fuzz_time(data: bytes) -> None:
    fdp = atheris.FuzzedDataProvider(data)
    published = fdp.ConsumeUnicodeNoSurrogates(12) if fdp.ConsumeBool() else None
    text = fdp.ConsumeUnicodeNoSurrogates(fdp.remaining_bytes())
    for mention in find_times(text, published):
        assert 0 <= mention.start <= mention.end <= len(text)
    parse_time(text[:200], published)


def fuzz_clean(data: bytes) -> None:
    text = atheris.FuzzedDataProvider(data).ConsumeUnicodeNoSurrogates(len(data))
    cleaned, captions = clean_text(text)
    for start, end in captions:
        assert 0 <= start < end <= len(cleaned)


def fuzz_html(data: bytes) -> None:
    html = atheris.FuzzedDataProvider(data).ConsumeUnicodeNoSurrogates(len(data))
    try:
        html_to_text(html)
    except InputError:
        pass


def fuzz_read(data: bytes) -> None:
    if not data:
        return
    suffix = SUFFIXES[data[0] % len(SUFFIXES)]
    path = _scratch / f"input{suffix}"
    path.write_bytes(data[1:])
    items = list(read_inputs([path]))
    assert all(isinstance(i, (Article, InputFailure)) for i in items)
    if suffix == ".jsonl":
        assert len(items) <= data.count(b"\n") + 1
    else:
        assert len(items) == 1


def fuzz_extract(data: bytes) -> None:
    global _extractor
    if _extractor is None:
        _extractor = Extractor()
    text = atheris.FuzzedDataProvider(data).ConsumeUnicodeNoSurrogates(len(data))
    if not text.strip():
        return
    for fact in _extractor.extract(Article(origin="fuzz", text=text)):
        start, end = fact.evidence_span
        assert 0 <= start <= end <= len(text)


TARGETS = {"time": fuzz_time, "clean": fuzz_clean, "html": fuzz_html, "read": fuzz_read, "extract": fuzz_extract}


def seed_corpus() -> str:
    """A folder of starting inputs: the bundled example articles in each input format, so that
    mutation starts from real news text rather than from nothing."""
    folder = Path(tempfile.mkdtemp(prefix="armstrack-fuzz-seeds-"))
    for i, path in enumerate(sorted(EXAMPLES.iterdir())):
        data = path.read_bytes()[:SEED_CHARS]
        suffix = SUFFIXES.index(path.suffix) if path.suffix in SUFFIXES else 0
        (folder / f"seed-{i}").write_bytes(bytes([suffix]) + data)
    return str(folder)


def main() -> None:
    if len(sys.argv) < 2 or sys.argv[1] not in TARGETS:
        sys.exit(f"usage: {sys.argv[0]} {{{'|'.join(TARGETS)}}} [libFuzzer flags] [corpus folder]")
    target = TARGETS[sys.argv[1]]
    flags = sys.argv[2:]
    if not any(not f.startswith("-") for f in flags):
        flags.append(seed_corpus())
    atheris.Setup([sys.argv[0], *flags], target)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
