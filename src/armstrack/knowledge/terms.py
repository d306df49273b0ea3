"""Defence vocabulary from ``data/defence_terms.toml``: cue sets and what each fact type needs.

The file is hand-edited by analysts (see its header), so it is validated on load and
every problem names the set or fact type at fault. Matching the cues against text is
``extract/domain.py``'s job; this module only turns the file into ``DefenceTerms``.
"""
from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from armstrack.errors import KnowledgeError
from armstrack.knowledge.load import DATA_DIR_ENV, ORG_TYPES, PACKAGE_DATA_DIR
from armstrack.model import CATEGORIES, FACT_TYPES

TERMS_FILE = "defence_terms.toml"
MAX_CUE_WORDS = 4
CUE_WORD = re.compile(r"[a-z0-9]+(?:['\-][a-z0-9]+)*")  # also how domain.py splits text into words
FACT_TYPE_KEYS = frozenset(("cues", "equipment", "organisations", "neighbours"))


@dataclass(frozen=True)
class Cue:
    """A word sequence; with ``prefix`` its last word only has to start the text's word."""

    words: tuple[str, ...]
    prefix: bool = False


@dataclass(frozen=True)
class ContextNeed:
    """What a fact type needs in its evidence paragraph (see the file header)."""

    cue_sets: tuple[str, ...]
    equipment: bool = False
    organisations: bool = False
    neighbours: bool = True  # the paragraphs before and after count too (false: the evidence paragraph only)


@dataclass(frozen=True)
class DefenceTerms:
    sets: dict[str, tuple[Cue, ...]]
    needs: dict[str, ContextNeed]
    equipment_categories: frozenset[str] = frozenset()
    organisation_types: frozenset[str] = frozenset()
    civil_names: frozenset[str] = frozenset()  # lower-cased equipment names of civil models (see the file)
    civil_makers: frozenset[str] = frozenset()  # organisations that give no defence context alone (see the file)


def parse_cue(text: str, where: str) -> Cue:
    """One cue string ("soldier*", "armed forces") as a ``Cue``; malformed cues are errors."""
    raw = text.strip().lower()
    prefix = raw.endswith("*")
    words = tuple(raw.rstrip("*").split())
    if not words or len(words) > MAX_CUE_WORDS or not all(CUE_WORD.fullmatch(w) for w in words):
        raise KnowledgeError(f"{where}: bad cue {text!r} (1-{MAX_CUE_WORDS} words of letters, digits, - or ', "
                             "an optional * at the end)")
    return Cue(words, prefix)


def parse_terms(data: dict, source: str = TERMS_FILE) -> DefenceTerms:
    """Validate the parsed TOML and build ``DefenceTerms``."""
    unknown = set(data) - {"sets", "fact_types", "equipment", "organisations"}
    if unknown:
        raise KnowledgeError(f"{source}: unknown tables {sorted(unknown)}")
    sets: dict[str, tuple[Cue, ...]] = {}
    for name, table in (data.get("sets") or {}).items():
        cues = table.get("cues") if isinstance(table, dict) else None
        if set(table if isinstance(table, dict) else ()) != {"cues"} or not cues:
            raise KnowledgeError(f"{source} [sets.{name}]: needs exactly a non-empty `cues` list")
        parsed = [parse_cue(c, f"{source} [sets.{name}]") for c in cues]
        if len(set(parsed)) != len(parsed):
            raise KnowledgeError(f"{source} [sets.{name}]: a cue is listed twice")
        sets[name] = tuple(parsed)
    if "defence" not in sets:
        raise KnowledgeError(f"{source}: the document score needs a [sets.defence] table")
    needs: dict[str, ContextNeed] = {}
    for ftype, table in (data.get("fact_types") or {}).items():
        where = f"{source} [fact_types.{ftype}]"
        if ftype not in FACT_TYPES:
            raise KnowledgeError(f"{where}: unknown fact type")
        if not isinstance(table, dict) or set(table) - FACT_TYPE_KEYS:
            raise KnowledgeError(f"{where}: only {sorted(FACT_TYPE_KEYS)} are allowed")
        cue_sets = tuple(table.get("cues") or ())
        if missing := [s for s in cue_sets if s not in sets]:
            raise KnowledgeError(f"{where}: unknown cue sets {missing}")
        if not all(isinstance(table.get(k, False), bool) for k in ("equipment", "organisations", "neighbours")):
            raise KnowledgeError(f"{where}: `equipment`, `organisations` and `neighbours` are true or false")
        needs[ftype] = ContextNeed(cue_sets, table.get("equipment", False), table.get("organisations", False),
                                   table.get("neighbours", True))
        if not (needs[ftype].cue_sets or needs[ftype].equipment or needs[ftype].organisations):
            raise KnowledgeError(f"{where}: needs at least one of cues, equipment, organisations")
    categories = _listed(data, "equipment", "categories", CATEGORIES, source, ("civil_names",))
    org_types = _listed(data, "organisations", "types", ORG_TYPES, source, ("civil_makers",))
    return DefenceTerms(sets, needs, categories, org_types, _civil_names(data, source), _civil_makers(data, source))


def _listed(data: dict, table: str, key: str, allowed, source: str, others: tuple[str, ...] = ()) -> frozenset[str]:
    """``[table] key = [...]``, every value one of ``allowed``; ``others`` are the table's other keys."""
    raw = data.get(table) or {}
    if set(raw) - {key, *others}:
        raise KnowledgeError(f"{source} [{table}]: only {sorted((key, *others))} are allowed")
    values = raw.get(key) or []
    if bad := [v for v in values if v not in allowed]:
        raise KnowledgeError(f"{source} [{table}] {key}: unknown {bad}")
    return frozenset(values)


def _civil_names(data: dict, source: str) -> frozenset[str]:
    """``[equipment] civil_names``: non-empty strings, none twice, kept lower-cased."""
    values = (data.get("equipment") or {}).get("civil_names") or []
    if bad := [v for v in values if not isinstance(v, str) or not CUE_WORD.search(v.lower())]:
        raise KnowledgeError(f"{source} [equipment] civil_names: not names {bad}")
    lowered = [v.lower() for v in values]
    if len(set(lowered)) != len(lowered):
        raise KnowledgeError(f"{source} [equipment] civil_names: a name is listed twice")
    return frozenset(lowered)


def _civil_makers(data: dict, source: str) -> frozenset[str]:
    """``[organisations] civil_makers``: organisation names, none twice (the schema test checks they exist)."""
    values = (data.get("organisations") or {}).get("civil_makers") or []
    if bad := [v for v in values if not isinstance(v, str) or not v.strip()]:
        raise KnowledgeError(f"{source} [organisations] civil_makers: not names {bad}")
    if len(set(values)) != len(values):
        raise KnowledgeError(f"{source} [organisations] civil_makers: a name is listed twice")
    return frozenset(values)


@lru_cache(maxsize=4)
def load_defence_terms(path: str | None = None) -> DefenceTerms:
    """The vocabulary from ``path``, else ``$ARMSTRACK_DATA_DIR``'s copy if it has one, else the bundled file."""
    if path is None:
        data_dir = os.environ.get(DATA_DIR_ENV)
        candidate = Path(data_dir) / TERMS_FILE if data_dir else None
        path = str(candidate if candidate and candidate.exists() else PACKAGE_DATA_DIR / TERMS_FILE)
    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise KnowledgeError(f"{path}: cannot read ({exc})") from exc
    return parse_terms(data, source=Path(path).name)
