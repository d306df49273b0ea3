"""Entity resolution: one canonical id for every way a country, organisation or system is written.

Articles write "TAI", "TUSAŞ" and "Turkish Aerospace Industries" for one company
and "TB2" for the "Bayraktar TB2"; merging facts across articles needs them to be
one entity. Candidates are tried in a fixed order, most trustworthy first, and
the winning step is kept as a human-readable ``reason`` so every merge can be
explained (``armstrack entity "TAI"``):

    1. knowledge data: canonical names, aliases, demonyms, capitals, ISO codes
       (countries.csv, organizations.csv, equipment.csv); a former name (DCNS) is
       the entity it became (Naval Group), so a company's history stays one node
    2. generic equipment nouns ("drones", "armored vehicles") from head_nouns.csv
    3. fuzzy spelling against the known names (rapidfuzz), guarded so that
       "Austria"/"Australia" or "Orlan-10"/"Orlan-30" never merge
    4. otherwise a new entity keyed by the normalised name

Entity ids: ``country:KZ`` (ISO alpha-2), ``org:<normalised canonical name>``,
``system:<equipment key>`` and ``system:generic:<category>``.
"""
from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from armstrack.knowledge.load import Country, Knowledge, equipment_key
from armstrack.names import normalise_name

logger = logging.getLogger(__name__)

COUNTRY = "country"
ORGANIZATION = "organization"
SYSTEM = "system"

# Calibrated on the knowledge files (tests/test_resolve.py::test_no_known_entity_fuzzes_into_another):
# raw ratios between *distinct* known names reach 96.9 ("ROK"/"ROC Ministry of National Defense",
# "Austria"/"Australia ..."), so the token guard below does the real work. With the guard, the closest
# distinct pairs are "Ukrspetsexport"/"Kazspetsexport" and "Taishan"/"Taihang" at 85.7; none reach 88.
# 90 leaves a margin and still admits one-letter typos of longer names ("Lockhed Martin", 97).
ORG_FUZZY_THRESHOLD = 90
# Systems differ by one character more often ("Orlan-10"/"Orlan-30", "CV90 MkIII"/"CV90 MkIIIC"): on top of
# the guard their differing words must have equal length (a typo, not a variant suffix).
SYSTEM_FUZZY_THRESHOLD = 90
# A word that differs between query and candidate must itself be a near-spelling (one substituted letter
# in a 7-letter word scores 85.7) and at least this long: short words ("ROK"/"ROC", "Ada"/"Lada", "Sage"/
# "Sagem") are codes, not typos.
WORD_FUZZY_THRESHOLD = 85
MIN_FUZZY_WORD_LEN = 5
# head_nouns.csv entries are at most four words ("unmanned combat aerial vehicles").
GENERIC_MAX_WORDS = 4

_DIGITS = re.compile(r"\d+")
_ROMAN = re.compile(r"^(?:i{1,3}|iv|v|vi{1,3}|ix|x)$")


@dataclass(frozen=True)
class Entity:
    """A resolved entity: stable ``id``, display ``name``, and its country (a system's origin)."""

    id: str
    kind: str  # country | organization | system
    name: str
    country: str | None = None
    category: str | None = None
    known: bool = True


@dataclass(frozen=True)
class Resolution:
    """The entity a written name resolved to, and why (``reason``), with the step's ``score`` (0-100)."""

    entity: Entity
    method: str  # exact | alias | iso | generic | fuzzy | new
    reason: str
    score: float = 100.0


def _slug(text: str) -> str:
    return normalise_name(text) or hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]


class Resolver:
    """Resolves participant and system names against one ``Knowledge``; results are memoised.

    Memoising matters at scale: a store of 100,000 facts repeats a few thousand
    names, so each name pays for its fuzzy search once.
    """

    def __init__(self, knowledge: Knowledge):
        self.kb = knowledge
        self._countries_by_iso = {c.iso2: c for c in knowledge.countries} | {c.iso3: c for c in knowledge.countries}
        self._country_by_name = {c.name: c for c in knowledge.countries}
        self._org_names = [(normalise_name(n), o) for o in knowledge.organizations for n in (o.name, *o.aliases)]
        self._org_choices = [n for n, _ in self._org_names]
        self._sys_names = [(normalise_name(n), e) for e in knowledge.equipment for n in (e.name, *e.aliases)]
        self._sys_choices = [n for n, _ in self._sys_names]
        self._memo: dict[tuple[str, str, str | None], Resolution] = {}
        self.fingerprint = _fingerprint(knowledge)

    # -- public API ---------------------------------------------------------------------------

    def country(self, text: str | None) -> Resolution | None:
        """The country a name, alias, demonym, capital or ISO code denotes, or None."""
        if not text:
            return None
        key = (COUNTRY, text, None)
        if key not in self._memo:
            found = self._known_country(text)
            if found is None:
                return None
            self._memo[key] = found
        return self._memo[key]

    def country_name(self, text: str | None) -> str | None:
        """Canonical country name for ``text`` ("Türkiye", "TR", "Turkish" -> "Turkey"), else None."""
        found = self.country(text)
        return found.entity.name if found else None

    def participant(self, name: str, kind: str, country: str | None = None) -> Resolution:
        """Resolve a fact participant; ``country`` (its headquarters) fills in for unknown organisations."""
        key = (kind, name, country)
        if key not in self._memo:
            self._memo[key] = self._participant(name, kind, country)
        return self._memo[key]

    def system(self, name: str, category: str | None = None) -> Resolution:
        """Resolve an equipment name: known family, generic noun, fuzzy spelling or a new system."""
        key = (SYSTEM, name, category)
        if key not in self._memo:
            self._memo[key] = self._system(name, category)
        return self._memo[key]

    # -- steps --------------------------------------------------------------------------------

    def _country_entity(self, c: Country) -> Entity:
        return Entity(f"country:{c.iso2}", COUNTRY, c.name, c.name)

    def _known_country(self, text: str) -> Resolution | None:
        stripped = text.strip()
        if (c := self._countries_by_iso.get(stripped)) is not None:
            return Resolution(self._country_entity(c), "iso", f"ISO code of {c.name} in countries.csv")
        if (c := self.kb.country_by_any(stripped)) is None:
            return None
        if stripped == c.name:
            return Resolution(self._country_entity(c), "exact", f"canonical name in countries.csv")
        return Resolution(self._country_entity(c), "alias",
                          f"alias, demonym or capital of {c.name} in countries.csv")

    def _org_entity(self, org) -> Entity:
        return Entity(f"org:{_slug(org.name)}", ORGANIZATION, org.name, org.country)

    def _participant(self, name: str, kind: str, country: str | None) -> Resolution:
        home = self.country_name(country)
        if kind == COUNTRY:
            if (found := self.country(name)) is not None:
                return found
        if (org := self.kb.organization_by_any(name)) is not None:
            if later := self.kb.successors(org.name):  # DCNS and Naval Group are one entity across the years
                today = self.kb.organization_by_any(later[-1])
                return Resolution(self._org_entity(today), "alias", f"{org.name}, a former name of {today.name} in organizations.csv")
            how = "exact" if name.strip() == org.name else "alias"
            what = "canonical name" if how == "exact" else f"alias of {org.name}"
            return Resolution(self._org_entity(org), how, f"{what} in organizations.csv")
        if (found := self.country(name)) is not None:  # an organisation written as its country
            return found
        if (hit := self._fuzzy(name, self._org_choices, ORG_FUZZY_THRESHOLD, same_length=False)) is not None:
            choice, score = hit
            org = self._org_names[choice][1]
            return Resolution(self._org_entity(org), "fuzzy", f"fuzzy {score:.0f} vs {org.name!r}", score)
        entity = Entity(f"org:{_slug(name)}", ORGANIZATION, name.strip(), home, known=False)
        return Resolution(entity, "new", "not in the knowledge files; keyed by its normalised name", 0.0)

    def _system(self, name: str, category: str | None) -> Resolution:
        if (e := self.kb.equipment_by_any(name)) is not None:
            entity = Entity(f"system:{equipment_key(e.name)}", SYSTEM, e.name, e.origin, e.category)
            how = "exact" if name.strip() == e.name else "alias"
            what = "canonical name" if how == "exact" else f"alias of {e.name}"
            return Resolution(entity, how, f"{what} in equipment.csv")
        if (generic := self._generic_category(name)) is not None:
            entity = Entity(f"system:generic:{generic}", SYSTEM, f"{generic} (generic)", None, generic)
            return Resolution(entity, "generic", f"generic noun for {generic} in head_nouns.csv")
        if (hit := self._fuzzy(name, self._sys_choices, SYSTEM_FUZZY_THRESHOLD, same_length=True)) is not None:
            choice, score = hit
            e = self._sys_names[choice][1]
            entity = Entity(f"system:{equipment_key(e.name)}", SYSTEM, e.name, e.origin, e.category)
            return Resolution(entity, "fuzzy", f"fuzzy {score:.0f} vs {e.name!r}", score)
        key = equipment_key(name) or _slug(name)
        entity = Entity(f"system:{key}", SYSTEM, name.strip(), None, category, known=False)
        return Resolution(entity, "new", "not in the knowledge files; keyed by its normalised name", 0.0)

    def _generic_category(self, name: str) -> str | None:
        """"drones", "combat drones", "unmanned aerial vehicles": the longest known head noun ending the name."""
        words = name.strip().split()
        for n in range(GENERIC_MAX_WORDS, 0, -1):
            if len(words) >= n and (cat := self.kb.head_noun_category(" ".join(words[-n:]))) is not None:
                return cat
        return None

    def _fuzzy(self, name: str, choices: list[str], threshold: float, *,
               same_length: bool) -> tuple[int, float] | None:
        query = normalise_name(name)
        if not query:
            return None
        for _choice, score, index in process.extract(query, choices, scorer=fuzz.ratio, score_cutoff=threshold,
                                                     limit=5):
            if self.same_tokens(query, choices[index], same_length=same_length):
                logger.debug("fuzzy %s ~ %s (%.1f)", name, choices[index], score)
                return index, score
        return None

    def same_tokens(self, a: str, b: str, *, same_length: bool) -> bool:
        """The fuzzy guard on two normalised names: numbers agree, and every word that differs is a
        typo of a long word (same length when ``same_length``), never a country or a numeral."""
        if _DIGITS.findall(a) != _DIGITS.findall(b):
            return False
        wa, wb = a.split(), b.split()
        only_a, only_b = [w for w in wa if w not in wb], [w for w in wb if w not in wa]
        if len(only_a) != len(only_b):
            return False
        return all(self._typo(x, y, same_length) for x, y in zip(only_a, only_b))

    def _typo(self, x: str, y: str, same_length: bool) -> bool:
        for word in (x, y):
            if len(word) < MIN_FUZZY_WORD_LEN or _ROMAN.match(word) or self.kb.country_by_any(word):
                return False
        if same_length and len(x) != len(y):
            return False
        return fuzz.ratio(x, y) >= WORD_FUZZY_THRESHOLD


def _fingerprint(kb: Knowledge) -> str:
    """Identity of the knowledge data: when analysts edit it, stored resolutions must be redone."""
    digest = hashlib.sha256()
    for rows in (kb.countries, kb.organizations, kb.equipment, sorted(kb.head_nouns.items())):
        digest.update(repr(rows).encode("utf-8"))
    return digest.hexdigest()
