"""The extract, score and ingest commands, run through click as a user would."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from armstrack.cli.main import main

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SEED = "000_kazakhstan_turkish_uavs"


@pytest.fixture()
def runner():
    return CliRunner()


def _commands(group, prefix=()):
    for name, command in group.commands.items():
        if hasattr(command, "commands"):
            yield from _commands(command, prefix + (name,))
        else:
            yield prefix + (name,), command


def test_every_command_has_help_with_an_example(runner):
    for path, command in _commands(main):
        result = runner.invoke(main, [*path, "--help"])
        assert result.exit_code == 0, path
        assert "Example:" in (command.help or ""), f"{' '.join(path)} help has no Example:"


def test_extract_jsonl_over_the_examples(runner):
    result = runner.invoke(main, ["extract", str(EXAMPLES), "--format", "jsonl"])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert {Path(r["source"]).stem for r in records} >= {SEED}
    seed = next(r for r in records if Path(r["source"]).stem == SEED)
    types = {f["type"] for f in seed["facts"]}
    assert {"licensed_production", "joint_venture", "training", "aid"} <= types
    for fact in seed["facts"]:
        assert set(fact) >= {"type", "participants", "systems", "time", "status", "quantity", "money",
                             "attributed_to", "evidence", "evidence_span", "confidence"}


def test_extract_table_shows_evidence(runner):
    result = runner.invoke(main, ["extract", str(EXAMPLES / f"{SEED}.txt")])
    assert result.exit_code == 0
    assert "licensed_production" in result.stdout and "Kazakhstan" in result.stdout


def test_bad_inputs_are_reported_and_the_rest_goes_on(runner, tmp_path):
    (tmp_path / "empty.txt").write_text("")
    (tmp_path / "binary.txt").write_bytes(b"\x00\x01\x02" * 100)
    shutil.copy(EXAMPLES / f"{SEED}.txt", tmp_path / "good.txt")
    result = runner.invoke(main, ["extract", str(tmp_path), "--format", "jsonl", str(tmp_path / "missing.txt")])
    assert result.exit_code == 1
    assert len(result.stdout.splitlines()) == 1
    for name in ("empty.txt", "binary.txt", "missing.txt"):
        assert name in result.stderr


def test_score_prints_per_type_figures(runner, corpus):
    seed_path = next(g.path for g in corpus if g.article.id == SEED)
    result = runner.invoke(main, ["score", str(seed_path.parent), "--article", SEED])
    assert result.exit_code == 0, result.output
    for word in ("licensed_production", "overall", "time accuracy", "status accuracy", "strict", "lenient"):
        assert word in result.stdout
    data = json.loads(runner.invoke(main, ["score", str(seed_path.parent), "--article", SEED, "--format", "json"]).stdout)
    assert data["lenient"]["overall"]["f1"] == 1.0


def test_ingest_twice_and_under_two_names_changes_no_count(runner, tmp_path):
    db = str(tmp_path / "a.db")
    first = runner.invoke(main, ["ingest", str(EXAMPLES), "--db", db])
    assert first.exit_code == 0, first.output
    from armstrack.store.db import open_store

    with open_store(db) as store:
        before = store.counts()
    copy = tmp_path / "copy.txt"
    shutil.copy(EXAMPLES / f"{SEED}.txt", copy)
    again = runner.invoke(main, ["ingest", str(EXAMPLES), str(copy), "--db", db])
    assert again.exit_code == 0, again.output
    with open_store(db) as store:
        after = store.counts()
    assert {k: v for k, v in after.items() if k != "sources"} == {k: v for k, v in before.items() if k != "sources"}
    assert after["sources"] == before["sources"] + 1
    assert before["facts"] > 0


def test_markup_in_article_text_is_printed_verbatim():
    """Article text is hostile: rich markup in it is shown as text, never interpreted."""
    from rich.console import Console

    from armstrack.cli.main import _fact_table
    from armstrack.model import Article, Fact, Participant

    evil = "[bold red]Poland[/bold red] bought [link=javascript:alert(1)]tanks[/link]"
    fact = Fact("arms_transfer", (Participant("recipient", "[blink]Poland", "country", "Poland"),), evidence=evil,
                evidence_span=(0, len(evil)))
    console = Console(record=True, width=200)
    console.print(_fact_table(Article("[red]x.txt", evil), [fact]))
    shown = console.export_text()
    assert "[bold red]Poland[/bold red]" in shown and "[link=javascript:alert(1)]" in shown and "[blink]" in shown
