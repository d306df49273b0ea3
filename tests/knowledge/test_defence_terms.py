"""Schema tests for the analyst-editable defence vocabulary (data/defence_terms.toml)."""
from __future__ import annotations

import shutil
import tomllib

import pytest

from armstrack.errors import KnowledgeError
from armstrack.knowledge.load import DATA_DIR_ENV, PACKAGE_DATA_DIR
from armstrack.knowledge.terms import TERMS_FILE, Cue, load_defence_terms, parse_cue, parse_terms
from armstrack.model import FACT_TYPES

# Single words that are everyday words outside defence; the file header says they may
# appear only inside phrases.
AMBIGUOUS_SINGLE_WORDS = ("arms", "security", "war", "tank", "tanks", "base", "force", "forces", "combat", "officer")


def _bundled() -> dict:
    with (PACKAGE_DATA_DIR / TERMS_FILE).open("rb") as handle:
        return tomllib.load(handle)


def test_the_bundled_file_loads_and_every_fact_type_has_its_need():
    terms = load_defence_terms(str(PACKAGE_DATA_DIR / TERMS_FILE))
    assert {"defence", "personnel"} <= set(terms.sets)
    assert set(terms.needs) == set(FACT_TYPES)
    assert terms.needs["training"].cue_sets == ("personnel",)
    assert terms.equipment_categories and terms.organisation_types


def test_no_ambiguous_single_word_is_a_cue():
    terms = parse_terms(_bundled())
    for name, cues in terms.sets.items():
        singles = {c.words[0] for c in cues if len(c.words) == 1}
        assert not singles & set(AMBIGUOUS_SINGLE_WORDS), name


def test_civil_names_are_gazetteer_names_and_not_of_military_only_categories(knowledge):
    terms = parse_terms(_bundled())
    assert "h145" in terms.civil_names
    by_name = {n.lower(): e for e in knowledge.equipment for n in (e.name, *e.aliases)}
    assert not [n for n in terms.civil_names if n not in by_name]
    assert not [n for n in terms.civil_names if by_name[n].category in terms.equipment_categories]


def test_civil_makers_are_companies_of_the_gazetteer(knowledge):
    terms = parse_terms(_bundled())
    assert {"Airbus", "Boeing"} <= terms.civil_makers
    companies = {o.name for o in knowledge.organizations if o.type == "company"}
    assert terms.civil_makers <= companies


def test_coast_guard_is_a_personnel_cue_only():
    terms = parse_terms(_bundled())
    assert Cue(("coast", "guard")) in terms.sets["personnel"]
    assert Cue(("coast", "guard")) not in terms.sets["defence"]


@pytest.mark.parametrize("text, cue", [
    ("soldier*", Cue(("soldier",), prefix=True)),
    ("Armed  Forces", Cue(("armed", "forces"))),
    ("anti-ship", Cue(("anti-ship",))),
])
def test_cues_parse(text, cue):
    assert parse_cue(text, "test") == cue


@pytest.mark.parametrize("text", ["", "*", "sold*ier", "a b c d e", "air-force!"])
def test_malformed_cues_are_errors(text):
    with pytest.raises(KnowledgeError, match="bad cue"):
        parse_cue(text, "test")


@pytest.mark.parametrize("change, message", [
    (lambda d: d["sets"].pop("defence"), "needs a \\[sets.defence\\]"),
    (lambda d: d["sets"]["personnel"]["cues"].append("army"), "listed twice"),
    (lambda d: d["fact_types"].update(sale={"cues": ["defence"]}), "unknown fact type"),
    (lambda d: d["fact_types"]["aid"].update(cues=["navy"]), "unknown cue sets"),
    (lambda d: d["fact_types"]["aid"].update(forces=True), "only"),
    (lambda d: d["fact_types"].update(aid={"cues": []}), "at least one"),
    (lambda d: d["fact_types"]["aid"].update(neighbours="no"), "true or false"),
    (lambda d: d["equipment"]["categories"].append("spaceship"), "unknown"),
    (lambda d: d["organisations"]["types"].append("club"), "unknown"),
    (lambda d: d["equipment"]["civil_names"].append("h145"), "listed twice"),
    (lambda d: d["equipment"]["civil_names"].append(7), "not names"),
    (lambda d: d["equipment"].update(colours=[]), "only"),
    (lambda d: d["organisations"]["civil_makers"].append("Boeing"), "listed twice"),
    (lambda d: d["organisations"]["civil_makers"].append(""), "not names"),
    (lambda d: d.update(extra={}), "unknown tables"),
])
def test_schema_errors_name_the_problem(change, message):
    data = _bundled()
    change(data)
    with pytest.raises(KnowledgeError, match=message):
        parse_terms(data)


def test_a_copy_in_the_data_dir_overrides_the_bundled_file(tmp_path, monkeypatch):
    shutil.copy(PACKAGE_DATA_DIR / TERMS_FILE, tmp_path / TERMS_FILE)
    text = (tmp_path / TERMS_FILE).read_text(encoding="utf-8")
    (tmp_path / TERMS_FILE).write_text(text.replace('"military", "militar*"', '"military", "militar*", "zzcue"'), encoding="utf-8")
    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path))
    load_defence_terms.cache_clear()
    try:
        assert Cue(("zzcue",)) in load_defence_terms().sets["defence"]
    finally:
        monkeypatch.delenv(DATA_DIR_ENV)
        load_defence_terms.cache_clear()


def test_an_unreadable_file_is_a_knowledge_error(tmp_path):
    (tmp_path / TERMS_FILE).write_text("[sets.defence\n", encoding="utf-8")
    with pytest.raises(KnowledgeError, match="cannot read"):
        load_defence_terms(str(tmp_path / TERMS_FILE))
