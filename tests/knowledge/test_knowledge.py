"""Schema, lookup and coverage tests for the analyst-editable knowledge files."""
from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from armstrack.errors import KnowledgeError
from armstrack.knowledge.load import (
    DATA_DIR_ENV,
    ORG_TYPES,
    PACKAGE_DATA_DIR,
    PLACE_TYPES,
    Knowledge,
    equipment_key,
    load_knowledge,
    name_key,
)
from armstrack.model import CATEGORIES

FILES = ("countries.csv", "organizations.csv", "equipment.csv", "head_nouns.csv", "places.csv")


@pytest.fixture(scope="module")
def kb() -> Knowledge:
    return load_knowledge(PACKAGE_DATA_DIR)


def _raw(filename: str) -> list[dict[str, str]]:
    with (PACKAGE_DATA_DIR / filename).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _split(cell: str) -> list[str]:
    return [part.strip() for part in cell.split("|") if part.strip()]


# --- schema -------------------------------------------------------------------------


def test_every_row_has_every_column_filled_where_required():
    for row in _raw("countries.csv"):
        assert row["name"] and len(row["iso2"]) == 2 and len(row["iso3"]) == 3, row
    for row in _raw("organizations.csv"):
        assert row["name"] and row["country"] and row["type"] in ORG_TYPES, row
    for row in _raw("equipment.csv"):
        assert row["name"] and row["origin"] and row["category"], row
    for row in _raw("head_nouns.csv"):
        assert row["noun"] and row["category"], row
    for row in _raw("places.csv"):
        assert row["name"] and row["country"] and row["type"] in PLACE_TYPES, row


def test_iso_codes_are_unique():
    rows = _raw("countries.csv")
    for column in ("iso2", "iso3"):
        codes = [r[column] for r in rows]
        assert len(codes) == len(set(codes)), column


def test_categories_are_model_categories(kb):
    assert {e.category for e in kb.equipment} <= set(CATEGORIES)
    assert set(kb.head_nouns.values()) <= set(CATEGORIES)


def test_countries_of_organizations_and_equipment_exist(kb):
    names = {c.name for c in kb.countries}
    assert {o.country for o in kb.organizations} <= names
    assert {e.origin for e in kb.equipment} <= names


def test_countries_of_places_exist(kb):
    assert {p.country for p in kb.places} <= {c.name for c in kb.countries}


def test_place_names_are_unique_and_never_name_a_country():
    """No place name or alias may equal a country's name, alias, demonym or capital (accents folded)."""
    fold = lambda k: name_key(k, fold_accents=True)  # noqa: E731
    country_keys = {fold(text) for row in _raw("countries.csv")
                    for column in ("name", "aliases", "demonyms", "capitals") for text in _split(row[column])}
    owners: dict[str, str] = {}
    clashes = []
    for row in _raw("places.csv"):
        for text in (row["name"], *_split(row["aliases"])):
            if fold(text) in country_keys:
                clashes.append((text, row["name"], "countries.csv"))
            if (owner := owners.setdefault(fold(text), row["name"])) != row["name"]:
                clashes.append((text, row["name"], owner))
    assert clashes == []


@pytest.mark.parametrize("name", ["Georgia", "Jordan", "Chad", "Nice", "Reading", "Mobile", "Split", "Bath",
                                  "Santa Bárbara", "Punjab", "Kashmir", "Macedonia", "Azerbaijan", "Limburg",
                                  "Crimea", "Sevastopol", "Hyderabad", "Newcastle"])
def test_ambiguous_or_disputed_names_are_not_places(name):
    names = {name_key(text, fold_accents=True) for row in _raw("places.csv")
             for text in (row["name"], *_split(row["aliases"]))}
    assert name_key(name, fold_accents=True) not in names


def test_makers_are_organizations(kb):
    orgs = {o.name for o in kb.organizations}
    assert {e.maker for e in kb.equipment if e.maker} <= orgs


@pytest.mark.parametrize(
    "filename, columns, keyfunc",
    [
        ("countries.csv", ("name", "aliases", "demonyms", "capitals"), name_key),
        ("organizations.csv", ("name", "aliases"), lambda k: name_key(k, fold_accents=True)),
        ("equipment.csv", ("name", "aliases"), equipment_key),
    ],
)
def test_no_alias_points_to_two_entities(filename, columns, keyfunc):
    owners: dict[str, str] = {}
    clashes = []
    for row in _raw(filename):
        for column in columns:
            for text in _split(row[column]):
                owner = owners.setdefault(keyfunc(text), row["name"])
                if owner != row["name"]:
                    clashes.append((text, row["name"], owner))
    assert clashes == []


def test_head_nouns_are_unique_and_lowercase_keys(kb):
    nouns = [r["noun"].casefold() for r in _raw("head_nouns.csv")]
    assert len(nouns) == len(set(nouns))
    assert all(k == k.casefold() for k in kb.head_nouns)


# --- coverage floors ----------------------------------------------------------------


def test_coverage_floors(kb):
    assert len(kb.countries) >= 190
    assert len(kb.organizations) >= 400
    assert len(kb.equipment) >= 300
    assert len(kb.places) >= 500
    assert sum(p.type == "city" for p in kb.places) >= 400
    assert sum(p.type == "region" for p in kb.places) >= 200


@pytest.mark.parametrize(
    "country, type_, floor",
    [("United States", "region", 49), ("Australia", "region", 8), ("Canada", "region", 13),
     ("Germany", "region", 13), ("Russia", "region", 75), ("Ukraine", "region", 24), ("China", "region", 27),
     ("India", "region", 25), ("Brazil", "region", 20), ("United Kingdom", "region", 4),
     ("Russia", "city", 80), ("China", "city", 80), ("India", "city", 50), ("Turkey", "city", 50)],
)
def test_place_coverage_per_country(kb, country, type_, floor):
    assert sum(p.country == country and p.type == type_ for p in kb.places) >= floor


def test_every_category_has_equipment(kb):
    assert {e.category for e in kb.equipment} == set(CATEGORIES)


# --- lookups ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Turkey", "Turkey"), ("Turkish", "Turkey"), ("Turks", "Turkey"), ("Türkiye", "Turkey"),
        ("Turkiye", "Turkey"), ("Ankara", "Turkey"), ("Turkey's", "Turkey"),
        ("Kazakh", "Kazakhstan"), ("Kazakhstani", "Kazakhstan"), ("Astana", "Kazakhstan"),
        ("Nur-Sultan", "Kazakhstan"), ("Uzbek", "Uzbekistan"), ("Kyrgyz", "Kyrgyzstan"),
        ("Tajik", "Tajikistan"), ("Turkmen", "Turkmenistan"),
        ("US", "United States"), ("U.S.", "United States"), ("USA", "United States"),
        ("America", "United States"), ("American", "United States"), ("Washington", "United States"),
        ("the United States", "United States"),
        ("UK", "United Kingdom"), ("Britain", "United Kingdom"), ("British", "United Kingdom"),
        ("Holland", "Netherlands"), ("Dutch", "Netherlands"), ("Czechia", "Czech Republic"),
        ("Slovak Republic", "Slovakia"), ("Kingdom of Sweden", "Sweden"), ("Swedish", "Sweden"),
        ("Danish", "Denmark"), ("ROK", "South Korea"), ("Korean", "South Korea"),
        ("North Korean", "North Korea"), ("UAE", "United Arab Emirates"), ("Emirati", "United Arab Emirates"),
        ("Russian Federation", "Russia"), ("Kremlin", "Russia"), ("Moscow", "Russia"),
        ("Kyiv", "Ukraine"), ("Kiev", "Ukraine"), ("Azeri", "Azerbaijan"), ("Georgian", "Georgia"),
        ("Taiwanese", "Taiwan"), ("Taipei", "Taiwan"), ("Kosovar", "Kosovo"), ("Palestinian", "Palestine"),
        ("Saudi", "Saudi Arabia"), ("Swiss", "Switzerland"), ("Qatari", "Qatar"), ("Iranian", "Iran"),
        ("TURKISH", "Turkey"), ("turkish", "Turkey"),
    ],
)
def test_country_by_any(kb, text, expected):
    found = kb.country_by_any(text)
    assert found is not None and found.name == expected


@pytest.mark.parametrize("text", ["us", "uk", "Soviet", "male", "", "Atlantis"])
def test_country_by_any_rejects(kb, text):
    assert kb.country_by_any(text) is None


@pytest.mark.parametrize(
    "text, expected, country, type_",
    [
        ("Tatarstan", "Tatarstan", "Russia", "region"), ("Republic of Tatarstan", "Tatarstan", "Russia", "region"),
        ("Arkansas", "Arkansas", "United States", "region"), ("Geelong", "Geelong", "Australia", "city"),
        ("Karachi", "Karachi", "Pakistan", "city"), ("Nuremberg", "Nuremberg", "Germany", "city"),
        ("Nürnberg", "Nuremberg", "Germany", "city"), ("Michigan", "Michigan", "United States", "region"),
        ("Victoria", "Victoria", "Australia", "region"), ("Yelabuga", "Yelabuga", "Russia", "city"),
        ("Alabuga", "Yelabuga", "Russia", "city"), ("Moscow Oblast", "Moscow Oblast", "Russia", "region"),
        ("Sverdlovsk Oblast", "Sverdlovsk Oblast", "Russia", "region"), ("Bashkortostan", "Bashkortostan", "Russia", "region"),
        ("Nizhny Tagil", "Nizhny Tagil", "Russia", "city"), ("Komsomolsk-on-Amur", "Komsomolsk-on-Amur", "Russia", "city"),
        ("Kharkiv Oblast", "Kharkiv Oblast", "Ukraine", "region"), ("Kharkov", "Kharkiv", "Ukraine", "city"),
        ("Lviv Oblast", "Lviv Oblast", "Ukraine", "region"), ("Odessa", "Odesa", "Ukraine", "city"),
        ("the Donbas", "Donbas", "Ukraine", "region"), ("Eskisehir", "Eskişehir", "Turkey", "city"),
        ("Gölcük", "Gölcük", "Turkey", "city"), ("Golcuk", "Gölcük", "Turkey", "city"),
        ("Kahramanmaraş", "Kahramanmaraş", "Turkey", "city"), ("Bangalore", "Bengaluru", "India", "city"),
        ("Nashik", "Nashik", "India", "city"), ("Changwon", "Changwon", "South Korea", "city"),
        ("Sacheon", "Sacheon", "South Korea", "city"), ("Nagoya", "Nagoya", "Japan", "city"),
        ("Shenyang", "Shenyang", "China", "city"), ("Wuchang", "Wuchang", "China", "city"),
        ("Kaohsiung", "Kaohsiung", "Taiwan", "city"), ("Fort Worth", "Fort Worth", "United States", "city"),
        ("St. Louis", "St. Louis", "United States", "city"), ("Saint Louis", "St. Louis", "United States", "city"),
        ("East Camden", "East Camden", "United States", "city"), ("Washington State", "Washington State", "United States", "region"),
        ("Barrow-in-Furness", "Barrow-in-Furness", "United Kingdom", "city"), ("Scotland", "Scotland", "United Kingdom", "region"),
        ("Linköping", "Linköping", "Sweden", "city"), ("Ornskoldsvik", "Örnsköldsvik", "Sweden", "city"),
        ("Lodz", "Łódź", "Poland", "city"), ("Constanta", "Constanța", "Romania", "city"),
        ("Petropavlovsk", "Petropavlovsk", "Kazakhstan", "city"), ("Uralsk", "Uralsk", "Kazakhstan", "city"),
        ("Almaty", "Almaty", "Kazakhstan", "city"), ("Jeddah", "Jeddah", "Saudi Arabia", "city"),
        ("Lahore", "Lahore", "Pakistan", "city"), ("Röthenbach an der Pegnitz", "Röthenbach an der Pegnitz", "Germany", "city"),
        ("NSW", "New South Wales", "Australia", "region"), ("karachi", "Karachi", "Pakistan", "city"),
    ],
)
def test_place_by_any(kb, text, expected, country, type_):
    found = kb.place_by_any(text)
    assert found is not None and (found.name, found.country, found.type) == (expected, country, type_)


@pytest.mark.parametrize("text", ["Georgia", "Jordan", "Baku", "Washington", "Moscow", "Ankara", "Turkish",
                                  "Punjab", "Crimea", "Bath", "nsw", "", "Atlantis"])
def test_place_by_any_rejects(kb, text):
    assert kb.place_by_any(text) is None


def test_knowledge_without_places_still_constructs():
    kb = Knowledge((), (), (), {})
    assert kb.places == () and kb.place_by_any("Karachi") is None


@pytest.mark.parametrize(
    "text, expected",
    [
        ("TUSAŞ", "Turkish Aerospace Industries"), ("TUSAS", "Turkish Aerospace Industries"),
        ("TAI", "Turkish Aerospace Industries"), ("Turkish Aerospace", "Turkish Aerospace Industries"),
        ("Baykar Technologies", "Baykar"), ("Baykar Makina", "Baykar"), ("ASELSAN", "Aselsan"),
        ("Hägglunds", "BAE Systems Hägglunds"), ("BAE Systems Hagglunds", "BAE Systems Hägglunds"),
        ("Diehl Defense", "Diehl Defence"), ("Lockheed Martin Corp.", "Lockheed Martin"),
        ("MHI", "Mitsubishi Heavy Industries"), ("Rafael", "Rafael Advanced Defense Systems"),
        ("RTX", "Raytheon"), ("Raytheon Technologies", "Raytheon"),
        ("SSM", "Undersecretariat for Defence Industries"),
        ("Presidency of Defense Industries", "Undersecretariat for Defence Industries"),
        ("FMV", "Swedish Defence Materiel Administration"),
        ("DALO", "Danish Ministry of Defence Acquisition and Logistics Organisation"),
        ("ECDI", "Estonian Centre for Defence Investments"), ("RKIK", "Estonian Centre for Defence Investments"),
        ("Kazakh Ministry of Defense", "Ministry of Defense of Kazakhstan"),
        ("Georgian Defense Ministry", "Ministry of Defense of Georgia"),
        ("Romania's Ministry of Defense", "Ministry of Defense of Romania"),
        ("MoD of Slovakia", "Ministry of Defense of Slovakia"),
        ("the Turkish Navy", "Turkish Navy"), ("Kazakh Air Force", "Kazakh Air Force"),
        ("USMC", "United States Marine Corps"), ("PGZ", "Polska Grupa Zbrojeniowa"),
        ("General Dynamics European Land Systems – Santa Bárbara Sistemas", "Santa Bárbara Sistemas"),
        ("Santa Barbara Sistemas", "Santa Bárbara Sistemas"), ("Jamestown Foundation", "Jamestown Foundation"),
        ("WSJ", "The Wall Street Journal"), ("Hanwha", "Hanwha Aerospace"),
    ],
)
def test_organization_by_any(kb, text, expected):
    found = kb.organization_by_any(text)
    assert found is not None and found.name == expected


@pytest.mark.parametrize("text", ["tai", "Lockheed Martin Aircraft Widgets", ""])
def test_organization_by_any_rejects(kb, text):
    assert kb.organization_by_any(text) is None


@pytest.mark.parametrize(
    "text, expected, category",
    [
        ("Orlan-10s", "Orlan-10", "uav"), ("Orlan 10", "Orlan-10", "uav"),
        ("Wing Loon", "Wing Loong", "uav"), ("Wing Loong II", "Wing Loong", "uav"),
        ("TB2", "Bayraktar TB2", "uav"), ("TB-2", "Bayraktar TB2", "uav"), ("Bayraktar TB2s", "Bayraktar TB2", "uav"),
        ("Bayraktars", "Bayraktar", "uav"), ("Geran-2", "Shahed-136", "uav"), ("ANKA", "ANKA", "uav"),
        ("F16", "F-16", "aircraft"), ("F-16s", "F-16", "aircraft"), ("Hurjet", "Hürjet", "aircraft"),
        ("T72", "T-72", "armoured_vehicle"), ("T-72s", "T-72", "armoured_vehicle"),
        ("CV9035 Mk IIIC", "CV9035 MkIIIC", "armoured_vehicle"), ("CV90 Mk IV", "CV90 MkIV", "armoured_vehicle"),
        ("K9A1", "K9", "artillery"), ("AS9", "AS9", "artillery"), ("K10", "K10", "armoured_vehicle"),
        ("AS10", "AS10", "armoured_vehicle"), ("MILGEM", "Ada class", "ship"),
        ("Hangor-class", "Hangor class", "submarine"), ("Type 054A/P", "Type 054A", "ship"),
        ("IRIS-T SLM", "IRIS-T SLM", "air_defence"), ("Patriots", "Patriot", "air_defence"),
        ("PAC-3 MSE", "PAC-3", "missile"), ("Tamir", "Tamir", "missile"), ("Sky Hunter", "SkyHunter", "missile"),
        ("Iron Dome", "Iron Dome", "air_defence"), ("T-155 Firtina", "T-155 Fırtına", "artillery"),
    ],
)
def test_equipment_by_any(kb, text, expected, category):
    found = kb.equipment_by_any(text)
    assert found is not None and (found.name, found.category) == (expected, category)


@pytest.mark.parametrize("text", ["Hawk", "tank", "Soviet", ""])
def test_equipment_by_any_rejects(kb, text):
    assert kb.equipment_by_any(text) is None


@pytest.mark.parametrize(
    "noun, category",
    [("drones", "uav"), ("UAV", "uav"), ("howitzer", "artillery"), ("frigate", "ship"),
     ("armoured vehicles", "armoured_vehicle"), ("armored vehicles", "armoured_vehicle"),
     ("air defence system", "air_defence"), ("air defense system", "air_defence"),
     ("submarine", "submarine"), ("guided bomb", "ammunition"), ("engine", "engine")],
)
def test_head_nouns(kb, noun, category):
    assert kb.head_nouns[noun.casefold()] == category
    assert kb.head_noun_category(noun.title()) == category


# --- loading ------------------------------------------------------------------------


@pytest.fixture()
def data_copy(tmp_path) -> Path:
    for name in FILES:
        shutil.copy(PACKAGE_DATA_DIR / name, tmp_path / name)
    return tmp_path


def _append(path: Path, line: str) -> int:
    """Append a row and return its 1-based line number."""
    text = path.read_text(encoding="utf-8")
    if not text.endswith("\n"):
        text += "\n"
    path.write_text(text + line + "\n", encoding="utf-8")
    return text.count("\n") + 1


@pytest.mark.parametrize(
    "filename, row, reason",
    [
        ("equipment.csv", "Wunderwaffe,death_ray,Germany,,", "unknown category"),
        ("equipment.csv", "Wunderwaffe,uav,Atlantis,,", "unknown origin"),
        ("equipment.csv", "Wunderwaffe,uav,Germany,Acme Drones,", "unknown maker"),
        ("equipment.csv", "Wunderwaffe,uav,Germany,,TB2", "already names"),
        ("equipment.csv", ",uav,Germany,,", "empty name"),
        ("organizations.csv", "Acme Drones,Atlantis,company,,", "unknown country"),
        ("organizations.csv", "Acme Drones,Germany,cartel,,", "unknown type"),
        ("organizations.csv", "Baykar,Turkey,company,,", "duplicate name"),
        ("organizations.csv", "Acme Drones,Germany,company,,Acme Holdings", "unknown successor"),
        ("organizations.csv", "Acme Drones,Germany,company,,Acme Drones", "unknown successor"),
        ("countries.csv", "Atlantis,at,ATL,,,", "bad ISO codes"),
        ("countries.csv", "Atlantis,XA,XAT,,Turkish,", "already names"),
        ("head_nouns.csv", "death ray,weapon", "unknown category"),
        ("head_nouns.csv", "drones,uav", "duplicate noun"),
        ("organizations.csv", "Acme Drones,Germany", "wrong number of columns"),
        ("places.csv", "Atlantis City,Atlantis,city,", "unknown country"),
        ("places.csv", "Springfield,United States,village,", "unknown type"),
        ("places.csv", "Geelong,Australia,city,", "duplicate name"),
        ("places.csv", "Springfield,United States,city,Nurnberg", "already names 'Nuremberg'"),
        ("places.csv", "Baku,Azerbaijan,city,", "already names country 'Azerbaijan'"),
        ("places.csv", "Springfield,United States,city,Turkish", "already names country 'Turkey'"),
        ("places.csv", ",United States,city,", "empty name"),
    ],
)
def test_broken_file_raises_with_file_and_line(data_copy, filename, row, reason):
    line = _append(data_copy / filename, row)
    with pytest.raises(KnowledgeError) as excinfo:
        load_knowledge(data_copy)
    message = str(excinfo.value)
    assert filename in message and f"line {line}" in message and reason in message


def test_successors_must_not_loop(data_copy):
    line = _append(data_copy / "organizations.csv", "Acme Drones,Germany,company,,Acme Holdings")
    _append(data_copy / "organizations.csv", "Acme Holdings,Germany,company,,Acme Drones")
    with pytest.raises(KnowledgeError, match=rf"organizations\.csv, line {line}: successors of 'Acme Drones' lead back"):
        load_knowledge(data_copy)


def test_a_former_name_is_its_own_organisation_with_its_successors(kb):
    dcns = kb.organization_by_any("DCNS")
    assert (dcns.name, dcns.successor) == ("DCNS", "Naval Group")
    assert kb.organization_by_any("Naval Group").successor is None
    assert kb.successors("Hanwha Land Systems") == ("Hanwha Defense", "Hanwha Aerospace")
    assert kb.successors("Baykar") == ()


@pytest.mark.parametrize("written, name", [
    ("China Shipbuilding Industry Corp", "China Shipbuilding Industry Corporation"),
    ("Hyundai Rotem Co. Ltd", "Hyundai Rotem"),
    ("Daewoo Shipbuilding and Marine Engineering Co", "Daewoo Shipbuilding & Marine Engineering"),
    ("The Lockheed Martin Corporation", "Lockheed Martin"),
])
def test_an_organisation_is_found_whatever_its_legal_form(kb, written, name):
    assert kb.organization_by_core(written).name == name


def test_a_core_shared_by_two_organisations_or_of_one_word_names_none(kb):
    assert kb.organization_by_core("Group") is None and kb.organization_by_core("Baykar Ltd") is None


def test_bad_header_and_missing_file(data_copy):
    path = data_copy / "head_nouns.csv"
    path.write_text("word,category\ndrone,uav\n", encoding="utf-8")
    with pytest.raises(KnowledgeError, match=r"head_nouns\.csv, line 1: header"):
        load_knowledge(data_copy)
    path.unlink()
    with pytest.raises(KnowledgeError, match="head_nouns.csv"):
        load_knowledge(data_copy)


def test_env_var_points_to_extended_copy(data_copy, monkeypatch):
    _append(data_copy / "equipment.csv", "Acme Sparrowhawk,uav,Germany,,Sparrowhawk")
    monkeypatch.setenv(DATA_DIR_ENV, str(data_copy))
    assert load_knowledge().equipment_by_any("Sparrowhawks").name == "Acme Sparrowhawk"
    monkeypatch.delenv(DATA_DIR_ENV)
    assert load_knowledge().equipment_by_any("Sparrowhawk") is None


def test_default_load_is_cached(monkeypatch):
    monkeypatch.delenv(DATA_DIR_ENV, raising=False)
    assert load_knowledge() is load_knowledge()
