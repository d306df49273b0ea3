"""Domain knowledge (countries, places, organisations, equipment, head nouns) from CSV files.

The gazetteers are hand-edited by analysts, so they live in plain CSV files under
``armstrack/data`` rather than in code. They are validated on load and every
schema violation is reported with its file and line, because a typo in a data
file should fail loudly instead of silently dropping a name. Nothing is read at
import time; stages receive a ``Knowledge`` value (see ``load_knowledge``).
"""
from __future__ import annotations

import csv
import functools
import os
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from armstrack.errors import KnowledgeError
from armstrack.model import CATEGORIES

DATA_DIR_ENV = "ARMSTRACK_DATA_DIR"
PACKAGE_DATA_DIR = Path(__file__).parent / "data"

ORG_TYPES = ("company", "ministry", "armed_service", "agency", "outlet", "think_tank", "university", "other")
PLACE_TYPES = ("city", "region")

COLUMNS = {
    "countries.csv": ("name", "iso2", "iso3", "aliases", "demonyms", "capitals"),
    "organizations.csv": ("name", "country", "type", "aliases", "successor"),
    "equipment.csv": ("name", "category", "origin", "maker", "aliases"),
    "head_nouns.csv": ("noun", "category"),
    "places.csv": ("name", "country", "type", "aliases"),
}

# Acronyms such as "US", "UK", "TAI" or "DE&S" collide with ordinary words once
# lower-cased ("us", "tai"), so all-caps keys with at most this many letters must
# match exactly.
MAX_CASE_SENSITIVE_LETTERS = 4

_DASHES = str.maketrans({**dict.fromkeys("\u2010\u2011\u2012\u2013\u2014", "-"), **dict.fromkeys("\u2018\u2019\u02bc", "'")})
_SPACES = re.compile(r"\s+")
_PREFIX_SUFFIX = re.compile(r"^the\s+|'s$", re.IGNORECASE)


@dataclass(frozen=True)
class Country:
    name: str
    iso2: str
    iso3: str
    aliases: tuple[str, ...] = ()
    demonyms: tuple[str, ...] = ()
    capitals: tuple[str, ...] = ()


@dataclass(frozen=True)
class Organization:
    """``successor``: the organisation this one became (renamed, merged or absorbed). A former
    name is its own entry, so that a 2015 report of DCNS says DCNS, not Naval Group."""

    name: str
    country: str
    type: str
    aliases: tuple[str, ...] = ()
    successor: str | None = None


@dataclass(frozen=True)
class Place:
    """A city or first-level region (state, province, oblast) inside one country."""

    name: str
    country: str
    type: str  # one of PLACE_TYPES
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Equipment:
    name: str
    category: str
    origin: str
    maker: str | None = None
    aliases: tuple[str, ...] = ()


def _tidy(text: str) -> str:
    """Collapse whitespace in a cell; the spelling itself is kept for display."""
    return _SPACES.sub(" ", text).strip()


def _clean(text: str) -> str:
    """Unify dashes, apostrophes and whitespace, which vary between outlets, for lookup keys."""
    return _tidy(text.translate(_DASHES))


def _is_case_sensitive(key: str) -> bool:
    letters = [c for c in key if c.isalpha()]
    return 0 < len(letters) <= MAX_CASE_SENSITIVE_LETTERS and all(c.isupper() for c in letters)


def _strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def name_key(text: str, *, fold_accents: bool = False) -> str:
    """Lookup key for a country or organisation name (exact for short acronyms)."""
    text = _clean(text)
    if _is_case_sensitive(text):
        return text
    return (_strip_accents(text) if fold_accents else text).casefold()


# Legal forms and filler words that a company's name may carry or drop ("Corp", "Co. Ltd", "PJSC").
LEGAL_FORMS = frozenset("""corp corporation co company ltd limited inc incorporated plc llc llp sa ag se gmbh
    nv bv jsc pjsc ojsc pty spa s p a as ab asa oy oyj kg kgaa pvt private the group holding holdings""".split())


def org_core(text: str) -> str:
    """An organisation name's words without legal forms, folded: the key of ``organization_by_core``."""
    words = re.findall(r"[a-z0-9]+", _strip_accents(_clean(text)).casefold().replace("&", " and "))
    while words and words[-1] in LEGAL_FORMS:
        words.pop()
    while words and words[0] == "the":
        words.pop(0)
    return " ".join(words) if len(words) >= 2 else ""


def equipment_key(text: str) -> str:
    """Lookup key for equipment: "TB-2", "TB 2" and "tb2" are the same system."""
    return "".join(c for c in _strip_accents(_clean(text)).casefold() if c.isalnum())


@dataclass(frozen=True, eq=False)
class Knowledge:
    """All gazetteers, with indexes built once so lookups are dictionary hits."""

    countries: tuple[Country, ...]
    organizations: tuple[Organization, ...]
    equipment: tuple[Equipment, ...]
    head_nouns: dict[str, str]  # lower-cased noun -> category
    places: tuple[Place, ...] = ()
    _countries: dict[str, Country] = field(init=False, repr=False)
    _places: dict[str, Place] = field(init=False, repr=False)
    _orgs: dict[str, Organization] = field(init=False, repr=False)
    _org_names: dict[str, Organization] = field(init=False, repr=False)
    _org_cores: dict[str, Organization] = field(init=False, repr=False)
    _equipment: dict[str, Equipment] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        # Accents are kept in country keys: folding them would turn "Malé" into "male".
        object.__setattr__(self, "_countries", {name_key(k): c for c in self.countries for k in _country_names(c)})
        object.__setattr__(self, "_places", {name_key(k, fold_accents=True): p for p in self.places
                                             for k in (p.name, *p.aliases)})
        object.__setattr__(self, "_orgs", {name_key(k, fold_accents=True): o for o in self.organizations
                                           for k in (o.name, *o.aliases)})
        object.__setattr__(self, "_org_names", {o.name: o for o in self.organizations})
        cores: dict[str, Organization | None] = {}
        for o in self.organizations:
            for k in {org_core(n) for n in (o.name, *o.aliases)} - {""}:
                cores[k] = o if cores.get(k, o) is o else None  # a core two organisations share names neither
        object.__setattr__(self, "_org_cores", {k: o for k, o in cores.items() if o is not None})
        object.__setattr__(self, "_equipment", {equipment_key(k): e for e in self.equipment for k in (e.name, *e.aliases)})

    def country_by_any(self, text: str) -> Country | None:
        """The country named, aliased, described ("Turkish") or metonymised ("Ankara") by ``text``."""
        return _lookup(self._countries, text, fold_accents=False)

    def place_by_any(self, text: str) -> Place | None:
        """The city or region named or aliased by ``text`` ("Alabuga", "Nürnberg", "Eskisehir").

        Accents are folded, so "Gölcük" and "Golcuk" are one key. Countries, their
        capitals and demonyms are never places: use ``country_by_any`` for those.
        """
        return _lookup(self._places, text, fold_accents=True)

    def organization_by_any(self, text: str) -> Organization | None:
        """The organisation whose canonical name or alias is ``text`` ("TUSAŞ", "the Turkish Navy")."""
        return _lookup(self._orgs, text, fold_accents=True)

    def organization_by_core(self, text: str) -> Organization | None:
        """The organisation whose name, without its legal form, is ``text``'s: "China Shipbuilding
        Industry Corp" and "China Shipbuilding Industry Corporation" are one company."""
        core = org_core(text)
        return self._org_cores.get(core) if core else None

    def successors(self, name: str) -> tuple[str, ...]:
        """What the organisation ``name`` became, nearest first (DCNS -> Naval Group)."""
        out: list[str] = []
        org = self._org_names.get(name)
        while org is not None and org.successor and org.successor not in out:
            out.append(org.successor)
            org = self._org_names.get(org.successor)
        return tuple(out)

    def equipment_by_any(self, text: str) -> Equipment | None:
        """The equipment family named by ``text``, ignoring hyphens, spaces and a plural "s"."""
        key = equipment_key(text)
        found = self._equipment.get(key)
        if found is None and key.endswith("s"):
            found = self._equipment.get(key[:-1])
        return found

    def head_noun_category(self, noun: str) -> str | None:
        """The category a generic head noun ("howitzers", "armored vehicle") gives an unknown designation."""
        return self.head_nouns.get(_clean(noun).casefold())


def _country_names(country: Country) -> tuple[str, ...]:
    return (country.name, *country.aliases, *country.demonyms, *country.capitals)


def _lookup(index: dict, text: str, *, fold_accents: bool):
    text = _clean(text)
    for candidate in (text, _PREFIX_SUFFIX.sub("", text).strip()):
        if candidate and (found := index.get(name_key(candidate, fold_accents=fold_accents))) is not None:
            return found
    return None


def load_knowledge(data_dir: Path | None = None) -> Knowledge:
    """Load and validate the gazetteers.

    Args:
        data_dir: directory holding the five CSV files; by default
            ``$ARMSTRACK_DATA_DIR`` if set, else the packaged ``armstrack/data``.
            Only the default is cached, so tests and analysts editing a copy
            always see their latest files.

    Returns:
        The validated ``Knowledge``.

    Raises:
        KnowledgeError: a file is missing or breaks its schema (file, line, reason).
    """
    if data_dir is not None:
        return _load(Path(data_dir))
    return _load_cached(Path(os.environ.get(DATA_DIR_ENV) or PACKAGE_DATA_DIR).resolve())


@functools.lru_cache(maxsize=4)
def _load_cached(data_dir: Path) -> Knowledge:
    return _load(data_dir)


def _load(data_dir: Path) -> Knowledge:
    countries_csv = _CsvFile(data_dir, "countries.csv")
    countries = [(line, Country(r["name"], r["iso2"], r["iso3"], _split(r["aliases"]), _split(r["demonyms"]),
                                _split(r["capitals"]))) for line, r in countries_csv.rows()]
    for line, c in countries:
        if not (re.fullmatch(r"[A-Z]{2}", c.iso2) and re.fullmatch(r"[A-Z]{3}", c.iso3)):
            countries_csv.fail(line, f"bad ISO codes {c.iso2!r}/{c.iso3!r} for {c.name!r}")
    countries_csv.unique(((line, c.name, _country_names(c)) for line, c in countries), name_key)
    country_names = {c.name for _, c in countries}

    places_csv = _CsvFile(data_dir, "places.csv")
    places = [(line, Place(r["name"], r["country"], r["type"], _split(r["aliases"]))) for line, r in places_csv.rows()]
    place_key = functools.partial(name_key, fold_accents=True)
    # A place must never shadow a country, capital or demonym ("Baku", "Georgia"): those
    # already resolve to a country, and a second meaning would make lookups order-dependent.
    country_keys = {place_key(k): c.name for _, c in countries for k in _country_names(c)}
    for line, p in places:
        places_csv.require(line, "country", p.country, country_names)
        places_csv.require(line, "type", p.type, PLACE_TYPES)
        for text in (p.name, *p.aliases):
            if (country := country_keys.get(place_key(text))) is not None:
                places_csv.fail(line, f"{text!r} of {p.name!r} already names country {country!r} in countries.csv")
    places_csv.unique(((line, p.name, (p.name, *p.aliases)) for line, p in places), place_key)

    orgs_csv = _CsvFile(data_dir, "organizations.csv")
    orgs = [(line, Organization(r["name"], r["country"], r["type"], _split(r["aliases"]), r["successor"] or None))
            for line, r in orgs_csv.rows()]
    for line, o in orgs:
        orgs_csv.require(line, "country", o.country, country_names)
        orgs_csv.require(line, "type", o.type, ORG_TYPES)
    orgs_csv.unique(((line, o.name, (o.name, *o.aliases)) for line, o in orgs), lambda k: name_key(k, fold_accents=True))
    org_names = {o.name for _, o in orgs}
    successors = {o.name: o.successor for _, o in orgs if o.successor}
    for line, o in orgs:
        if o.successor is not None:
            orgs_csv.require(line, "successor", o.successor, org_names - {o.name})
            seen, name = {o.name}, o.successor
            while name in successors:
                if name in seen:
                    orgs_csv.fail(line, f"successors of {o.name!r} lead back to {name!r}")
                seen.add(name)
                name = successors[name]

    equipment_csv = _CsvFile(data_dir, "equipment.csv")
    equipment = [(line, Equipment(r["name"], r["category"], r["origin"], r["maker"] or None, _split(r["aliases"])))
                 for line, r in equipment_csv.rows()]
    for line, e in equipment:
        equipment_csv.require(line, "category", e.category, CATEGORIES)
        equipment_csv.require(line, "origin", e.origin, country_names)
        if e.maker is not None:
            equipment_csv.require(line, "maker", e.maker, org_names)
    equipment_csv.unique(((line, e.name, (e.name, *e.aliases)) for line, e in equipment), equipment_key)

    nouns_csv = _CsvFile(data_dir, "head_nouns.csv", key="noun")
    head_nouns: dict[str, str] = {}
    for line, r in nouns_csv.rows():
        nouns_csv.require(line, "category", r["category"], CATEGORIES)
        if (noun := _clean(r["noun"]).casefold()) in head_nouns:
            nouns_csv.fail(line, f"duplicate noun {r['noun']!r}")
        head_nouns[noun] = r["category"]

    return Knowledge(tuple(c for _, c in countries), tuple(o for _, o in orgs), tuple(e for _, e in equipment), head_nouns,
                     tuple(p for _, p in places))


def _split(cell: str) -> tuple[str, ...]:
    return tuple(part for part in (_tidy(p) for p in cell.split("|")) if part)


class _CsvFile:
    """One data file being read, so that every error names its path and line."""

    def __init__(self, data_dir: Path, filename: str, key: str = "name"):
        self.path, self.columns, self.key = data_dir / filename, COLUMNS[filename], key

    def rows(self):
        """Yield ``(line, row)`` with tidied cells; a wrong header or an empty key is an error."""
        try:
            handle = self.path.open(encoding="utf-8-sig", newline="")
        except OSError as exc:
            raise KnowledgeError(f"{self.path}: cannot open ({exc.strerror})") from exc
        with handle:
            reader = csv.DictReader(handle)
            if tuple(reader.fieldnames or ()) != self.columns:
                self.fail(1, f"header must be {','.join(self.columns)}")
            for row in reader:
                if None in row or None in row.values():
                    self.fail(reader.line_num, "wrong number of columns")
                row = {k: _tidy(v) for k, v in row.items()}
                if not row[self.key]:
                    self.fail(reader.line_num, f"empty {self.key}")
                yield reader.line_num, row

    def require(self, line: int, column: str, value: str, allowed) -> None:
        if value not in allowed:
            self.fail(line, f"unknown {column} {value!r}")

    def unique(self, entries, keyfunc) -> None:
        """Reject duplicate names and any alias that would point to two different entries."""
        owners: dict[str, str] = {}
        names: set[str] = set()
        for line, name, texts in entries:
            if name in names:
                self.fail(line, f"duplicate name {name!r}")
            names.add(name)
            for text in texts:
                if (owner := owners.setdefault(keyfunc(text), name)) != name:
                    self.fail(line, f"{text!r} of {name!r} already names {owner!r}")

    def fail(self, line: int, reason: str):
        raise KnowledgeError(f"{self.path}, line {line}: {reason}")
