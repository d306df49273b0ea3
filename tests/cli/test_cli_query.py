"""cli_query.py: every command, in table and JSON form, through click's CliRunner."""
from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner

from armstrack.cli.main import main
from armstrack.cli.query import COMMANDS
from conftest import SEED_ID

QUERIES = [
    ["timeline", "Turkey", "Kazakhstan"],
    ["profile", "Kazakhstan"],
    ["network", "--type", "licensed_production", "--since", "2010"],
    ["ask", "first", "--type", "licensed_production", "--licensor", "Turkey", "--category", "uav"],
    ["facts", "--country", "Kazakhstan", "--type", "agreement"],
    ["facts", "--country", "Kazakhstan", "--min-confidence", "0.8"],
    ["timeline", "Turkey", "Kazakhstan", "--min-confidence", "0.8"],
    ["network", "--min-confidence", "0.5"],
    ["entity", "TAI"],
]


def run(*args: str):
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result


@pytest.mark.parametrize("args", QUERIES, ids=lambda a: " ".join(a[:2]))
def test_query_commands_in_table_and_json(gold_db, args):
    table = run(*args, "--db", gold_db)
    assert table.exit_code == 0, table.output
    assert table.output.strip()
    as_json = run(*args, "--db", gold_db, "--format", "json")
    assert as_json.exit_code == 0, as_json.output
    assert json.loads(as_json.output)


def test_json_answers_carry_the_seed_facts(gold_db):
    timeline = json.loads(run("timeline", "Turkey", "Kazakhstan", "--db", gold_db, "--format", "json").output)
    assert timeline["countries"] == ["Turkey", "Kazakhstan"]
    assert all(f["articles"] for f in timeline["facts"]) and any(SEED_ID in f["articles"] for f in timeline["facts"])
    first = json.loads(run("ask", "first", "--licensor", "Türkiye", "--category", "uav", "--db", gold_db,
                           "--format", "json").output)
    assert first["first"]["country"] == "Kazakhstan"
    assert "Kazakhstan" in run("ask", "first", "--licensor", "Turkey", "--category", "uav", "--db", gold_db).output


def test_facts_as_csv(gold_db):
    result = run("facts", "--country", "KZ", "--since", "2010", "--db", gold_db, "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert rows and all(r["time_start"] >= "2010" and r["source_articles"] for r in rows)


def test_review_accept_reject_correct(fresh_gold_db):
    facts = json.loads(run("timeline", "Turkey", "Kazakhstan", "--db", fresh_gold_db, "--format", "json").output)
    fact_id = facts["facts"][0]["id"]
    out = run("review", fact_id, "--correct", "status=completed", "--by", "ann", "--db", fresh_gold_db,
              "--format", "json")
    assert out.exit_code == 0, out.output
    decided = json.loads(out.output)
    assert decided["fact"]["status"] == "completed" and decided["by"] == "ann"
    assert run("review", fact_id, "--accept", "--db", fresh_gold_db).exit_code == 0
    assert "reject recorded" in run("review", fact_id, "--reject", "--by", "bob", "--db", fresh_gold_db).output
    after = json.loads(run("timeline", "Turkey", "Kazakhstan", "--db", fresh_gold_db, "--format", "json").output)
    assert fact_id not in {f["id"] for f in after["facts"]}
    shown = json.loads(run("timeline", "Turkey", "Kazakhstan", "--include-rejected", "--db", fresh_gold_db,
                           "--format", "json").output)
    assert fact_id in {f["id"] for f in shown["facts"]}


@pytest.mark.parametrize("args", [
    ["review", "abcdef0123", "--accept"],  # no such fact
    ["review", "12", "--accept"],  # too short to be a key
    ["review", "abcdef0123", "--correct", "colour=red"],
    ["timeline", "Atlantis", "Turkey"],
    ["profile", "Narnia"],
])
def test_errors_are_clean_messages(gold_db, args):
    result = CliRunner().invoke(main, [*args, "--db", gold_db])
    assert result.exit_code != 0
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Error" in result.output


def test_review_needs_a_decision(gold_db):
    assert run("review", "abcdef", "--db", gold_db).exit_code == 2


def test_exports(gold_db, tmp_path):
    for kind, name in (("sipri", "register.csv"), ("json", "graph.json"), ("graphml", "graph.graphml")):
        path = tmp_path / name
        result = run("export", kind, "--out", str(path), "--db", gold_db)
        assert result.exit_code == 0, result.output
        assert path.stat().st_size > 0
    assert run("export", "sipri", "--out", "-", "--db", gold_db).output.startswith("supplier,recipient,")


def test_rebuild(gold_db):
    result = run("rebuild", "--full", "--db", gold_db)
    assert result.exit_code == 0 and "full rebuild" in result.output


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c.name)
def test_every_command_has_help_with_an_example(command):
    commands = list(command.commands.values()) if hasattr(command, "commands") else [command]
    for c in commands:
        assert "Example:" in (c.help or ""), c.name
    assert run(command.name, "--help").exit_code == 0
