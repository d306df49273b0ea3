"""Tests for armstrack.extract.figures: money, number and quantity tables, corpus gold figures, properties."""
from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from armstrack.extract.figures import MAX_SCAN_CHARS, find_money, find_quantities, parse_number
from armstrack.model import Money

CORPUS = Path(os.environ.get("ARMSTRACK_CORPUS", Path(__file__).resolve().parents[3] / "shared" / "corpus"))
CORPUS_FILES = sorted(CORPUS.glob("*.json"))

# Share of gold quantities found in the evidence or article; measured 0.923 (144/156) on the
# 69-article corpus (see test_corpus_gold_quantities for the kinds of case missed).
GOLD_QUANTITY_FLOOR = 0.9
# Share of gold money (amount, currency, per) found; measured 0.940 (63/67) on the 69-article corpus.
GOLD_MONEY_FLOOR = 0.92


# --- money ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("grants did not exceed $1 million annually.", [("$1 million annually", 1_000_000, "USD", "year")]),
    ("worth USD 2 million, according to", [("USD 2 million", 2_000_000, "USD", None)]),
    ("military assistance of US$345 million to Taiwan", [("US$345 million", 345_000_000, "USD", None)]),
    ("a plant costing $44 million in Kazakhstan", [("$44 million", 44_000_000, "USD", None)]),
    ("The nearly €400 million tender", [("€400 million", 400_000_000, "EUR", None)]),
    ("procurement worth SEK 25 billion signed", [("SEK 25 billion", 25_000_000_000, "SEK", None)]),
    ("budgeted some €1.7 billion ($1.8 billion), including VAT", [("€1.7 billion", 1_700_000_000, "EUR", None)]),
    ("SEK 25 billion (about $2.3 billion)", [("SEK 25 billion", 25_000_000_000, "SEK", None)]),
    ("¥500 billion, or about $4.5 billion", [("¥500 billion", 500_000_000_000, "JPY", None)]),
    ("invest 33 million dollars in creating", [("33 million dollars", 33_000_000, "USD", None)]),
    ("a billion-dollar deal", [("billion-dollar", 1_000_000_000, "USD", None)]),
    ("a £250 million contract", [("£250 million", 250_000_000, "GBP", None)]),
    ("worth 120 billion yen", [("120 billion yen", 120_000_000_000, "JPY", None)]),
    ("¥20 billion", [("¥20 billion", 20_000_000_000, "JPY", None)]),
    ("for 300 million rubles", [("300 million rubles", 300_000_000, "RUB", None)]),
    ("a 1.2 trillion won order", [("1.2 trillion won", 1_200_000_000_000, "KRW", None)]),
    ("10 billion Turkish lira", [("10 billion Turkish lira", 10_000_000_000, "TRY", None)]),
    ("25 billion Swedish kronor", [("25 billion Swedish kronor", 25_000_000_000, "SEK", None)]),
    ("5 million Australian dollars", [("5 million Australian dollars", 5_000_000, "AUD", None)]),
    ("A$1.3 billion", [("A$1.3 billion", 1_300_000_000, "AUD", None)]),
    ("NT$2 billion", [("NT$2 billion", 2_000_000_000, "TWD", None)]),
    ("Rs 500 crore", [("Rs 500 crore", 5_000_000_000, "INR", None)]),
    ("USD 37.4 million to the armed forces", [("USD 37.4 million", 37_400_000, "USD", None)]),
    ("$1,234,567.50 in total", [("$1,234,567.50", 1_234_567.5, "USD", None)]),
    ("$5 million per year", [("$5 million per year", 5_000_000, "USD", "year")]),
    ("$2 million a month", [("$2 million a month", 2_000_000, "USD", "month")]),
    ("$12.5 million per unit", [("$12.5 million per unit", 12_500_000, "USD", "unit")]),
    ("$300m and €2bn", [("$300m", 300_000_000, "USD", None), ("€2bn", 2_000_000_000, "EUR", None)]),
    ("$2.5-3 billion", [("$2.5-3 billion", 3_000_000_000, "USD", None)]),
    ("$44 million and $34 million", [("$44 million", 44_000_000, "USD", None),
                                     ("$34 million", 34_000_000, "USD", None)]),
    ("valued at C$5.1 billion", [("C$5.1 billion", 5_100_000_000, "CAD", None)]),
    ("5.1 billion Canadian dollars", [("5.1 billion Canadian dollars", 5_100_000_000, "CAD", None)]),
    ("will spend 36 billion baht ($1.04 billion)", [("36 billion baht", 36_000_000_000, "THB", None)]),
    ("its 34-billion-baht procurement", [("34-billion-baht", 34_000_000_000, "THB", None)]),
    ("two corvettes for P25 billion.", [("P25 billion", 25_000_000_000, "PHP", None)]),
    ("Korean firm bags P25B deal", [("P25B", 25_000_000_000, "PHP", None)]),
    ("₱16 billion", [("₱16 billion", 16_000_000_000, "PHP", None)]),
    ("18 Atmos 2000 worth $102 mil", [("$102 mil", 102_000_000, "USD", None)]),
    # not money
    ("the P8 aircraft and P-8 Poseidon", []),
    ("P25 fighters", []),
    ("Hanwha won a contract in 2018", []),
    ("Hanwha in 2018 won a contract", []),
    ("2,000-pound bombs", []),
    ("USD/KRW 1330 -7.00", []),
    ("Some 50 percent of the factory", []),
    ("a multibillion deal", []),
])
def test_find_money(text: str, expected: list[tuple]) -> None:
    found = find_money(text)
    assert [(m.text, m.money.amount, m.money.currency, m.money.per) for m in found] == expected
    for m in found:
        assert text[m.start:m.end] == m.text
        assert isinstance(m.money, Money)


# --- numbers -------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("six", 6), ("eight", 8), ("Eight", 8), ("twenty-four", 24), ("200", 200), ("1,000", 1000),
    ("over 1,000", 1000), ("up to 400", 400), ("up to 400 per year", 400), ("between 12 and 18", 18),
    ("12 to 18", 18), ("12-18", 18), ("1,000 to 2,000", 2000), ("around 40", 40), ("some 50", 50),
    ("at least 6,000", 6000), ("a dozen", 12), ("two dozen", 24), ("a hundred", 100),
    ("one hundred", 100), ("two hundred and fifty", 250), ("three thousand", 3000), ("2 million", 2_000_000),
    ("hundreds", None), ("dozens", None), ("several", None), ("2.5", None), ("", None), ("the 11th", None),
])
def test_parse_number(text: str, expected: int | None) -> None:
    assert parse_number(text) == expected


# --- quantities ----------------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("produces six UAVs for military and civilian use", [(6, "UAVs")]),
    ("By 2019, 200 officers from Kazakhstan had undergone such training.", [(200, "officers")]),
    ("plans to supply 30 units of the AS9 and 15 units of the AS10 to the army", [(30, "AS9"), (15, "AS10")]),
    ("purchase 152 CV90 MkIV tracked infantry fighting vehicles fitted with 35mm cannons",
     [(152, "CV90 MkIV tracked infantry fighting vehicles")]),
    ("the capacity to make at least 6,000 drones in the coming years", [(6000, "drones")]),
    ("as well as four Turkish Bayraktar TB2s. All were armed.", [(4, "Turkish Bayraktar TB2s")]),
    ("Eight Orlan-10 drones were shown off", [(8, "Orlan-10 drones")]),
    ("will make between 12 and 18 aircraft available", [(18, "aircraft")]),
    ("around 40 armoured vehicles from the UAE", [(40, "armoured vehicles")]),
    ("export six armed, unmanned aerial vehicles or drones", [(6, "armed, unmanned aerial vehicles")]),
    ("Of these, 115 will be delivered to Denmark", [(115, "")]),
    ("the delivery of 129 Redback IFV units", [(129, "Redback IFV units")]),
    ("Some one hundred soldiers are based there", [(100, "soldiers")]),
    ("1,000 to 2,000 Tamir missiles per year", [(2000, "Tamir missiles")]),
    ("a dozen drones", [(12, "drones")]),
    ("one drone", [(1, "drone")]),
    ("2000 soldiers", [(2000, "soldiers")]),
    ("two newly built Chinese Type 054 A/P frigates", [(2, "newly built Chinese Type 054 A/P frigates")]),
    ("armour for 48 of the helicopters.", [(48, "helicopters")]),
    ("Brazil has 50 of the type on order", [(50, "type")]),
])
def test_find_quantities(text: str, expected: list[tuple[int, str]]) -> None:
    found = find_quantities(text)
    assert [(q.value, q.unit_text) for q in found] == expected
    for q in found:
        assert text[q.start:q.end] == q.text


@pytest.mark.parametrize("text", [
    "in 2011 the firm", "Since 1998 the Turkish side", "by 2027", "Some 50 percent", "49% by Aselsan",
    "the third batch", "the 11th Mechanized Brigade", "the 333rd Infantry Brigade", "35mm cannons",
    "155 mm howitzers", "Russian Orlan-10s", "F-16 jets", "K9 howitzers", "AS10 vehicles",
    "Type 054A frigates", "on July 10, the minister", "from Aug. 5 to Aug. 19", "10 July", "plant costing $44 million",
    "No. 7 conglomerate", "the Combat Vehicle 90, CV9035", "2 Min Read", "in 30 years", "KOSPI 2674.49 -14.76 -0.55%",
    "USD/KRW 1330 -7.00", "(Gmt+09:00)", "one of the drones", "hundreds of tanks", "dozens of drones",
    "a 2022 defence plan", "at 10:30 local time", "two of them", "in 2020 of the drones",
])
def test_find_quantities_exclusions(text: str) -> None:
    assert find_quantities(text) == []


# --- corpus gold ---------------------------------------------------------------------------------

def _gold_facts():
    assert CORPUS_FILES, f"no corpus at {CORPUS}"
    for path in CORPUS_FILES:
        article = json.loads(path.read_text(encoding="utf-8"))
        for fact in article["facts"]:
            yield article, fact


def test_corpus_gold_money() -> None:
    """Gold money amounts are found, with their currency, in the evidence or the article.

    Measured on the 69-article corpus: 63 of 67 (0.940). The misses are bare "$" amounts in
    non-US outlets, which the annotators read as the outlet's own dollar (CAD in a Canadian
    outlet, AUD in an Australian one) although the text has no "C$", "A$" or "Canadian dollars":
    the currency lives in the outlet, which find_money does not see. Every amount is still found.
    """
    total, misses, amount_misses = 0, [], []
    for article, fact in _gold_facts():
        gold = fact.get("money")
        if not gold:
            continue
        total += 1
        found = {(m.money.amount, m.money.currency, m.money.per)
                 for m in find_money(fact["evidence"]) + find_money(article["text"])}
        if (gold["amount"], gold["currency"], gold.get("per")) not in found:
            misses.append((article["id"], gold))
        if gold["amount"] not in {amount for amount, _, _ in found}:
            amount_misses.append((article["id"], gold))
    assert total >= 60
    assert not amount_misses
    assert 1 - len(misses) / total >= GOLD_MONEY_FLOOR, misses


def test_corpus_gold_quantities() -> None:
    """Gold quantities are found in the evidence or article, at a measured floor.

    The misses are counts no number rule can see: a singular noun or ordinal that the
    annotators read as one ("a frigate", "the first Egyptian Gowind", "the third unit", "the
    fourth of five corvettes"); an elliptic count whose noun is in an earlier clause ("Germany
    will acquire two new submarines, Norway four", "another four in December"); and a sum of
    counts ("more than 100 officers and about 90 cadets" recorded as 190).
    """
    total, misses = 0, []
    for article, fact in _gold_facts():
        gold = fact.get("quantity")
        if gold is None:
            continue
        total += 1
        values = {q.value for q in find_quantities(fact["evidence"]) + find_quantities(article["text"])}
        if gold not in values:
            misses.append((article["id"], gold))
    assert total >= 100
    assert 1 - len(misses) / total >= GOLD_QUANTITY_FLOOR, misses


def test_corpus_offsets_and_speed() -> None:
    began = time.perf_counter()
    for path in CORPUS_FILES:
        text = json.loads(path.read_text(encoding="utf-8"))["text"]
        for mention in find_money(text) + find_quantities(text):
            assert text[mention.start:mention.end] == mention.text
    assert time.perf_counter() - began < 2.0


# --- properties ----------------------------------------------------------------------------------

_FIGURY = st.sampled_from(["$", "US$", "€", "SEK ", "1", "25", ",000", ".5", " million", "bn", " dollars",
                           " won", "-", " to ", "between ", " and ", "six", "twenty-four", " drones", " units of the ",
                           "AS9", "%", " per year", " (", ")", "F-16", "2024", " ", "a dozen", "hundred"])


def _check(text: str, mentions: list) -> None:
    for m in mentions:
        assert 0 <= m.start < m.end <= len(text)
        assert text[m.start:m.end] == m.text


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(), st.lists(_FIGURY, max_size=30).map("".join)))
def test_figures_never_raise(text: str) -> None:
    _check(text, find_money(text))
    _check(text, found := find_quantities(text))
    assert all(q.value > 0 for q in found)
    assert parse_number(text) is None or parse_number(text) >= 0


def test_huge_inputs_are_bounded_and_fast() -> None:
    text = "about 6,000 drones worth $1.7 billion ($1.8 billion) and 30 units of the AS9; " * 5_000 + "ü€日本" * 10_000
    began = time.perf_counter()
    money, quantities = find_money(text), find_quantities(text)
    assert parse_number(text) == 6000
    assert time.perf_counter() - began < 5.0
    assert money[-1].end <= MAX_SCAN_CHARS and quantities[-1].end <= MAX_SCAN_CHARS
    _check(text, money)
    _check(text, quantities)
    assert parse_number("9" * 100_000) is None


@pytest.mark.parametrize("text", [
    "one two three " * 5_000, "5 units of the " * 5_000, "6 armed, " * 5_000, "$1 " * 10_000,
    "1," * 20_000, "$1 million, 5 drones, " * 3_000, "between 1 and " * 5_000,
])
def test_pathological_inputs_stay_linear(text: str) -> None:
    began = time.perf_counter()
    _check(text, find_money(text))
    _check(text, find_quantities(text))
    parse_number(text)
    assert time.perf_counter() - began < 2.0
