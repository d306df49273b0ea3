"""Trigger rules: loaded from ``data/triggers.toml`` so analysts can extend them.

A rule says which words signal a fact type and where each role is found
(see the comment block at the top of the TOML file for the slot names).
"""
from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from armstrack.errors import KnowledgeError
from armstrack.knowledge.load import PACKAGE_DATA_DIR
from armstrack.model import FACT_TYPES, ROLES, STATUSES


SLOTS = frozenset(
    """subj patient obj dative poss origin maker kb_origin kb_maker loc list context topic pair personnel
    origin_of_place competitors venture any_org any_party obj_country system_makers employer""".split()
)
RULE_KEYS = frozenset(
    """type name words phrases requires forbids forbids_sentence roles kinds status min_parties needs_system
    needs_system_or_money coordinated_subject skip_relative multi""".split()
)
TENSES = ("planned", "past", "present", "progressive", "default")


@dataclass(frozen=True)
class Rule:
    type: str
    name: str
    words: frozenset[str]
    phrases: tuple[str, ...] = ()
    requires: tuple[str, ...] = ()
    forbids: tuple[str, ...] = ()
    forbids_sentence: tuple[str, ...] = ()
    roles: tuple[tuple[str, tuple[str, ...]], ...] = ()
    kinds: dict[str, tuple[str, ...]] = field(default_factory=dict)
    status: dict[str, str] = field(default_factory=dict)
    min_parties: int = 0
    needs_system: bool = False
    needs_system_or_money: bool = False
    coordinated_subject: bool = False
    skip_relative: bool = False
    multi: tuple[str, ...] = ()

    def status_for(self, tense: str) -> str:
        return self.status.get(tense) or self.status.get("default") or "reported"


def _check_slot(slot: str, where: str) -> None:
    """A slot name, or several joined by "|" (their union)."""
    for part in slot.split("|"):
        if part not in SLOTS and not (part.startswith(("prep:", "prior:", "earlier:")) and len(part.split(":", 1)[1]) > 0):
            raise KnowledgeError(f"{where}: unknown slot {part!r}")


def parse_rules(data: dict, source: str = "triggers.toml") -> tuple[Rule, ...]:
    """Validate and build rules; errors name the rule and the problem."""
    rules = []
    for i, raw in enumerate(data.get("rule", []), 1):
        where = f"{source} rule {i} ({raw.get('name', '?')})"
        ftype = raw.get("type")
        if ftype not in FACT_TYPES:
            raise KnowledgeError(f"{where}: unknown fact type {ftype!r}")
        roles = raw.get("roles") or {}
        for role, slots in roles.items():
            if role not in ROLES[ftype]:
                raise KnowledgeError(f"{where}: role {role!r} is not a role of {ftype}")
            for slot in slots:
                _check_slot(slot, where)
        status = raw.get("status") or {}
        for tense, value in status.items():
            if tense not in TENSES or value not in STATUSES:
                raise KnowledgeError(f"{where}: bad status entry {tense}={value}")
        unknown = set(raw) - RULE_KEYS
        if unknown:
            raise KnowledgeError(f"{where}: unknown keys {sorted(unknown)}")
        if not raw.get("words") and not raw.get("phrases"):
            raise KnowledgeError(f"{where}: needs words or phrases")
        rules.append(
            Rule(
                type=ftype,
                name=raw.get("name", f"rule{i}"),
                words=frozenset(w.lower() for w in raw.get("words", [])),
                phrases=tuple(p.lower() for p in raw.get("phrases", [])),
                requires=tuple(p.lower() for p in raw.get("requires", [])),
                forbids=tuple(p.lower() for p in raw.get("forbids", [])),
                forbids_sentence=tuple(p.lower() for p in raw.get("forbids_sentence", [])),
                roles=tuple((role, tuple(slots)) for role, slots in roles.items()),
                kinds={k: tuple(v) for k, v in (raw.get("kinds") or {}).items()},
                status=dict(status),
                min_parties=int(raw.get("min_parties", 0)),
                needs_system=bool(raw.get("needs_system", False)),
                needs_system_or_money=bool(raw.get("needs_system_or_money", False)),
                coordinated_subject=bool(raw.get("coordinated_subject", False)),
                skip_relative=bool(raw.get("skip_relative", False)),
                multi=tuple(raw.get("multi", ())),
            )
        )
    return tuple(rules)


@lru_cache(maxsize=4)
def load_rules(path: str | None = None) -> tuple[Rule, ...]:
    """Rules from ``path``, else ``$ARMSTRACK_DATA_DIR/triggers.toml``, else the bundled file."""
    if path is None:
        data_dir = os.environ.get("ARMSTRACK_DATA_DIR")
        candidate = Path(data_dir) / "triggers.toml" if data_dir else None
        path = str(candidate if candidate and candidate.exists() else PACKAGE_DATA_DIR / "triggers.toml")
    with open(path, "rb") as fh:
        return parse_rules(tomllib.load(fh), source=Path(path).name)
