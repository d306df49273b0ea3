"""Tests for armstrack.quality.score: the corpus README's matching rules, one by one."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from armstrack.errors import InputError
from armstrack.model import FACT_TYPES, ROLES, Fact, Participant, System, TimeSpan
from armstrack.quality.score import (
    LENIENT, LEVELS, SIMILARITY_THRESHOLD, STRICT, Counts, fact_matches, format_report,
    load_gold, match_article, names_match, normalise_name, report_to_dict, score, system_names_match,
)

CORPUS = Path(os.environ.get("ARMSTRACK_CORPUS", Path(__file__).resolve().parents[3] / "shared" / "corpus"))
CORPUS_FILES = sorted(CORPUS.glob("*.json"))
needs_corpus = pytest.mark.usefixtures("corpus")  # conftest fails (never skips) without the corpus


def org(role: str, name: str, country: str | None = None) -> Participant:
    return Participant(role, name, "organization", country)


def ctry(role: str, name: str) -> Participant:
    return Participant(role, name, "country", name)


def fact(type_: str, *participants: Participant, systems: tuple[str, ...] = (), start: str | None = None,
         status: str = "reported") -> Fact:
    return Fact(type_, tuple(participants), tuple(System(s, "other") for s in systems),
                TimeSpan(start, start, None), status)


# --- names ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("raw, expected", [
    ("Türkiye", "turkiye"),
    ("The Pentagon", "pentagon"),
    ("Turkey's", "turkey"),
    ("Turkey\u2019s Navy", "turkey navy"),
    ("Karachi Shipyard & Engineering Works", "karachi shipyard engineering works"),
    ("IRIS-T SLM", "iris t slm"),
    ("  BAE   Systems Hägglunds ", "bae systems hagglunds"),
    ("The", "the"),
])
def test_normalise_name(raw, expected):
    assert normalise_name(raw) == expected


@pytest.mark.parametrize("a, b, same_kind, expected", [
    # equal after normalisation
    ("Aselsan", "ASELSAN", True, True),
    ("Türkiye", "Turkiye", True, True),
    ("The United States", "United States", True, True),
    ("Turkey's", "Turkey", True, True),
    ("BAE Systems Hägglunds", "BAE Systems Hagglunds", False, True),
    # acronyms, both directions, with and without stop words
    ("TAI", "Turkish Aerospace Industries", True, True),
    ("Polska Grupa Zbrojeniowa", "PGZ", True, True),
    ("tai", "Turkish Aerospace Industries", True, True),
    ("U.S.", "United States", True, True),
    ("MoD", "Ministry of Defence", True, True),
    ("MD", "Ministry of Defence", True, True),
    ("KSEW", "Karachi Shipyard & Engineering Works", True, True),
    ("TAI", "Turkish Aircraft", True, False),
    ("T", "Turkey", True, False),
    ("Turkish Aerospace", "Turkish Aerospace Industries", False, False),  # not an acronym, other kind
    # word containment only between the same kind
    ("Baykar", "Baykar Technologies", True, True),
    ("Baykar Technologies", "Baykar", True, True),
    ("Ministry of Defense", "Ministry of Defense of Kazakhstan", True, True),
    ("Pakistan", "Pakistan Navy", False, False),
    ("Pakistan", "Pakistan Navy", True, True),
    ("Sweden", "Swedish Defence Materiel Administration", True, False),
    # close spelling at the 0.85 threshold
    ("Wing Loon", "Wing Loong", True, True),
    ("Ukraine", "Ukriane", True, True),  # ratio 0.857
    ("Niger", "Nigeria", True, False),  # ratio 0.833 < 0.85
    ("Iran", "Iraq", True, False),  # ratio 0.75
    ("Turkey", "Turkmenistan", True, False),
    ("", "", True, False),  # nothing left: no evidence
    ("!!!", "Turkey", True, False),
])
def test_names_match(a, b, same_kind, expected):
    assert names_match(a, b, same_kind=same_kind) is expected
    assert names_match(b, a, same_kind=same_kind) is expected


def test_similarity_threshold_is_inclusive():
    a, b = "a" * 17 + "xyz", "a" * 17 + "pqr"  # ratio 2*17/40 = 0.85 exactly
    assert SIMILARITY_THRESHOLD == 0.85
    assert names_match(a, b)
    assert not names_match("a" * 16 + "wxyz", "a" * 16 + "pqrs")  # 0.8


@pytest.mark.parametrize("a, b, expected", [
    ("TB2", "Bayraktar TB2", True),
    ("drones", "drone", True),
    ("UAVs", "unmanned aerial vehicles", True),
    ("Wing Loon", "Wing Loong", True),
    ("CV90", "CV9035 MkIIIC", False),
    ("AS9", "AS10", False),
    ("Hangor class", "Hangor", True),
])
def test_system_names_match(a, b, expected):
    assert system_names_match(a, b) is expected


# --- fact rules ----------------------------------------------------------------------------------

DIRECTED = ["arms_transfer", "licensed_production", "training", "aid", "facility", "procurement_process"]


@pytest.mark.parametrize("type_", DIRECTED)
def test_directed_types_compare_roles(type_):
    first, second = ROLES[type_]
    if second == "candidate":  # optional: make the first role carry the direction instead
        gold = fact(type_, ctry(first, "Turkey"))
        swapped = fact(type_, ctry(second, "Turkey"), ctry(first, "Qatar"))
    else:
        gold = fact(type_, ctry(first, "Turkey"), ctry(second, "Qatar"), systems=("ANKA",))
        swapped = fact(type_, ctry(first, "Qatar"), ctry(second, "Turkey"), systems=("ANKA",))
    assert fact_matches(gold, gold)
    assert not fact_matches(swapped, gold)


@pytest.mark.parametrize("type_", ["agreement", "joint_venture", "co_production"])
def test_undirected_types_ignore_roles(type_):
    role = ROLES[type_][0]
    gold = fact(type_, ctry(role, "Turkey"), ctry(role, "Qatar"))
    other_roles = fact(type_, ctry("whatever", "Qatar"), ctry("x", "Turkey"))
    assert fact_matches(other_roles, gold)
    assert not fact_matches(fact(type_, ctry(role, "Turkey")), gold)


@pytest.mark.parametrize("gold", [
    fact("joint_venture", org("partner", "Aselsan"), org("partner", "Kazakhstan Engineering"),
         org("venture", "Aselsan Engineering")),
    fact("co_production", org("partner", "Asfat"), org("partner", "YDA Group"), org("customer", "Turkish Navy")),
    fact("procurement_process", org("buyer", "Ministry of Defense of Romania"), org("candidate", "Baykar")),
])
def test_optional_roles_not_required(gold):
    required = tuple(p for p in gold.participants if p.role not in ("venture", "customer", "candidate"))
    assert fact_matches(Fact(gold.type, required), gold)


def test_extra_participants_and_type():
    gold = fact("agreement", ctry("party", "Turkey"), ctry("party", "Georgia"))
    extra = fact("agreement", ctry("party", "Georgia"), ctry("party", "Turkey"), ctry("party", "Azerbaijan"))
    assert fact_matches(extra, gold)
    assert not fact_matches(Fact("aid", extra.participants), gold)


def test_system_rule_only_for_transfer_and_licensed_production():
    gold = fact("arms_transfer", org("supplier", "Baykar"), ctry("recipient", "Kyrgyzstan"),
                systems=("Bayraktar TB2",))
    assert fact_matches(fact("arms_transfer", *gold.participants, systems=("TB2",)), gold)
    assert not fact_matches(fact("arms_transfer", *gold.participants), gold)
    assert not fact_matches(fact("arms_transfer", *gold.participants, systems=("Akinci",)), gold)
    no_systems = fact("arms_transfer", *gold.participants)
    assert fact_matches(fact("arms_transfer", *gold.participants, systems=("anything",)), no_systems)
    agreement = fact("agreement", org("party", "Baykar"), ctry("party", "Kyrgyzstan"), systems=("TB2",))
    assert fact_matches(fact("agreement", *agreement.participants, systems=("Akinci",)), agreement)


def test_lenient_accepts_country_for_its_organisation_and_back():
    gold = fact("arms_transfer", ctry("supplier", "China"), org("recipient", "Kazakh Air Force", "Kazakhstan"),
                systems=("Wing Loong",))
    by_country = fact("arms_transfer", ctry("supplier", "China"), ctry("recipient", "Kazakhstan"),
                      systems=("Wing Loong",))
    assert not fact_matches(by_country, gold, STRICT)
    assert fact_matches(by_country, gold, LENIENT)

    gold2 = fact("training", ctry("provider", "Turkey"), ctry("trainee", "Pakistan"))
    by_org = fact("training", org("provider", "Turkish Naval Academy", "Turkey"), ctry("trainee", "Pakistan"))
    assert not fact_matches(by_org, gold2, STRICT)
    assert fact_matches(by_org, gold2, LENIENT)
    wrong_country = fact("training", org("provider", "Hellenic Navy", "Greece"), ctry("trainee", "Pakistan"))
    assert not fact_matches(wrong_country, gold2, LENIENT)


def test_unknown_level_rejected():
    with pytest.raises(ValueError):
        match_article([], [], "fuzzy")


# --- greedy one-to-one matching --------------------------------------------------------------------

def test_duplicates_count_as_false_positives():
    gold = [fact("agreement", ctry("party", "Turkey"), ctry("party", "Qatar"))]
    result = match_article(gold, [gold[0], gold[0]], STRICT)
    assert result.pairs == ((0, 0),)
    assert result.unmatched_predicted == (1,)
    counts = score([("a", gold, [gold[0], gold[0]])], STRICT).overall
    assert (counts.tp, counts.fp, counts.fn) == (1, 1, 0)
    assert counts.precision == 0.5 and counts.recall == 1.0


def test_greedy_prefers_best_agreement_then_earliest():
    parts = (ctry("party", "Turkey"), ctry("party", "Qatar"))
    gold = [fact("agreement", *parts, start="2018", status="completed")]
    weak = fact("agreement", *parts, start="2020", status="planned")
    strong = fact("agreement", *parts, start="2018-03", status="completed")
    assert match_article(gold, [weak, strong], STRICT).pairs == ((0, 1),)
    assert match_article(gold, [strong, strong], STRICT).pairs == ((0, 0),)


def test_time_and_status_accuracy():
    parts = (ctry("party", "Turkey"), ctry("party", "Qatar"))
    gold = [fact("agreement", *parts, start="2018-05", status="completed"), fact("aid", *parts)]
    predicted = [fact("agreement", *parts, start="2018", status="planned"), fact("aid", *parts)]
    report = score([("a", gold, predicted)], STRICT)
    assert report.time_accuracy == 1.0  # same year; both null counts as same
    assert report.status_accuracy == 0.5
    assert score([("a", [], [])], STRICT).time_accuracy is None


# --- corpus --------------------------------------------------------------------------------------

@needs_corpus
@pytest.mark.parametrize("level", LEVELS)
def test_gold_against_itself_is_perfect(level):
    triples = [(a["id"], facts, facts) for a, facts in map(load_gold, CORPUS_FILES)]
    report = score(triples, level)
    for article_id, counts in report.per_article.items():
        assert (counts.precision, counts.recall, counts.f1) == (1.0, 1.0, 1.0), article_id
    assert report.overall.f1 == 1.0
    assert report.time_accuracy == 1.0 and report.status_accuracy == 1.0


@needs_corpus
@pytest.mark.parametrize("path", CORPUS_FILES, ids=lambda p: p.stem)
def test_gold_with_one_fact_removed(path):
    _, facts = load_gold(path)
    for i in range(len(facts)):
        counts = score([("a", facts, facts[:i] + facts[i + 1:])], STRICT).overall
        assert counts.recall == pytest.approx((len(facts) - 1) / len(facts))
        assert counts.precision == 1.0


@needs_corpus
def test_load_gold_and_reports():
    article, facts = load_gold(CORPUS_FILES[0])
    assert "facts" not in article and article["text"] and facts
    strict = score([(article["id"], facts, facts[1:])], STRICT)
    lenient = score([(article["id"], facts, facts[1:])], LENIENT)
    text = format_report(strict, lenient)
    assert "overall" in text and all(t in text for t in FACT_TYPES) and "time accuracy" in text
    data = json.loads(json.dumps(report_to_dict(strict, lenient)))
    assert data["strict"]["overall"]["fn"] == 1
    assert set(data) == {STRICT, LENIENT}


def test_load_gold_errors(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(InputError):
        load_gold(bad)
    with pytest.raises(InputError):
        load_gold(tmp_path / "missing.json")


# --- properties ----------------------------------------------------------------------------------

NAMES = ["Turkey", "Turkish Aerospace Industries", "TAI", "Baykar", "Baykar Technologies", "Qatar",
         "Kazakh Air Force", "Kazakhstan", "Türkiye", "", "the Ministry of Defense"]
participants = st.builds(
    Participant, role=st.sampled_from(sorted({r for roles in ROLES.values() for r in roles})),
    name=st.sampled_from(NAMES) | st.text(max_size=12), kind=st.sampled_from(["country", "organization"]),
    country=st.none() | st.sampled_from(NAMES))
facts = st.builds(
    Fact, type=st.sampled_from(FACT_TYPES), participants=st.lists(participants, max_size=4).map(tuple),
    systems=st.lists(st.builds(System, st.sampled_from(["TB2", "Bayraktar TB2", "drones", "ANKA", ""]),
                               st.just("uav")), max_size=2).map(tuple),
    time=st.builds(TimeSpan, st.none(), st.none() | st.sampled_from(["2022", "2022-05", "2023", "late"])),
    status=st.sampled_from(["planned", "completed", "reported"]))


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.lists(facts, max_size=5), st.lists(facts, max_size=5)), max_size=3),
       st.sampled_from(LEVELS))
def test_score_never_crashes_and_rates_are_bounded(articles, level):
    report = score([(str(i), g, p) for i, (g, p) in enumerate(articles)], level)
    for counts in (report.overall, *report.per_type.values(), *report.per_article.values()):
        assert 0.0 <= counts.precision <= 1.0 and 0.0 <= counts.recall <= 1.0 and 0.0 <= counts.f1 <= 1.0
    assert report.matched == report.overall.tp
    format_report(report, report)


# Distinct names that match nothing but themselves, so matching is an equivalence relation.
PAIR_NAMES = ["Turkey", "Qatar", "Georgia", "Japan", "Norway"]
undirected = st.builds(
    lambda t, pair: Fact(t, tuple(Participant(role, n, "country", n) for role, n in zip(("a", "b"), pair))),
    st.sampled_from(["agreement", "joint_venture", "co_production"]),
    st.lists(st.sampled_from(PAIR_NAMES), min_size=2, max_size=2, unique=True))


@settings(max_examples=150, deadline=None)
@given(st.lists(undirected, max_size=6), st.lists(undirected, max_size=6), st.sampled_from(LEVELS))
def test_swapping_gold_and_predicted_swaps_precision_and_recall(gold, predicted, level):
    forward = score([("a", gold, predicted)], level).overall
    backward = score([("a", predicted, gold)], level).overall
    assert forward.tp == backward.tp
    assert forward.precision == pytest.approx(backward.recall)
    assert forward.recall == pytest.approx(backward.precision)
    assert forward.f1 == pytest.approx(backward.f1)


def test_counts_empty_conventions():
    assert (Counts().precision, Counts().recall, Counts().f1) == (1.0, 1.0, 1.0)
    assert (Counts(fn=2).precision, Counts(fn=2).recall) == (0.0, 0.0)
    assert (Counts(fp=2).precision, Counts(fp=2).recall) == (0.0, 0.0)
