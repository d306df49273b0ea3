"""The small typed data model every pipeline stage passes along.

Everything here is a frozen dataclass: stages return new values instead of
mutating shared ones, so a fact can be traced back to the text it came from.
The JSON shape produced by ``Fact.to_dict`` is exactly the corpus fact schema
(``../shared/corpus/README.md``) plus ``evidence_span`` and ``confidence``.
"""
from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from typing import Any

EXTRACTOR_VERSION = "armstrack.rules.v1"

FACT_TYPES = (
    "arms_transfer",
    "licensed_production",
    "joint_venture",
    "co_production",
    "agreement",
    "training",
    "aid",
    "facility",
    "procurement_process",
)

# Roles per fact type; the first two are the "directed" pair where order matters.
ROLES = {
    "arms_transfer": ("supplier", "recipient"),
    "licensed_production": ("producer", "licensor"),
    "joint_venture": ("partner", "venture"),
    "co_production": ("partner", "customer"),
    "agreement": ("party",),
    "training": ("provider", "trainee"),
    "aid": ("donor", "recipient"),
    "facility": ("owner", "host"),
    "procurement_process": ("buyer", "candidate"),
}

CATEGORIES = (
    "uav", "aircraft", "helicopter", "ship", "submarine", "armoured_vehicle",
    "artillery", "missile", "air_defence", "radar", "electronics", "small_arms",
    "ammunition", "engine", "other",
)

STATUSES = ("planned", "ongoing", "completed", "reported")

KINDS = ("country", "organization")


@dataclass(frozen=True)
class Article:
    """One input article after reading and cleaning.

    ``origin`` is where it came from (a path, or ``path#line`` for JSONL);
    ``outlet`` is the publishing outlet (the corpus JSON calls it "source").
    ``captions`` are the character spans of photo-caption lines: their text
    stays in ``text`` (offsets stay valid) but facts found there are weaker.
    """

    origin: str
    text: str
    id: str | None = None
    url: str | None = None
    published: str | None = None
    outlet: str | None = None
    captions: tuple[tuple[int, int], ...] = ()

    @property
    def content_hash(self) -> str:
        """Identity of the article's text, so a re-ingest under another name is a no-op."""
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class InputFailure:
    """An input that could not be read, with a human-readable reason."""

    origin: str
    reason: str


@dataclass(frozen=True)
class Mention:
    """A recognised country, organisation or equipment item in an article.

    ``start``/``end`` are character offsets into ``Article.text``; ``name`` is
    the canonical name; ``country`` is the country itself, an organisation's
    headquarters or an item's origin. ``form`` records how it was written
    ("name", "demonym", "capital", "generic" for "drones", "pattern" for an
    unseen designation), which the extractor uses to weigh it.
    """

    start: int
    end: int
    text: str
    kind: str  # "country" | "organization" | "system"
    name: str
    country: str | None = None
    category: str | None = None
    maker: str | None = None
    form: str = "name"


@dataclass(frozen=True)
class Participant:
    role: str
    name: str
    kind: str  # "country" | "organization"
    country: str | None


@dataclass(frozen=True)
class System:
    name: str
    category: str


@dataclass(frozen=True)
class TimeSpan:
    """A time at the precision the text gives: ISO prefixes "2011", "2022-05", "2022-05-13"."""

    text: str | None = None
    start: str | None = None
    end: str | None = None


@dataclass(frozen=True)
class Money:
    amount: float
    currency: str
    per: str | None = None


@dataclass(frozen=True)
class Fact:
    type: str
    participants: tuple[Participant, ...]
    systems: tuple[System, ...] = ()
    time: TimeSpan = field(default_factory=TimeSpan)
    status: str = "reported"
    quantity: int | None = None
    money: Money | None = None
    attributed_to: str | None = None
    evidence: str = ""
    evidence_span: tuple[int, int] = (0, 0)
    confidence: float = 0.5
    # How the candidate was built and scored ("rule=...", "slot:recipient=subj", "restated", "p=0.83"):
    # the answer to "why this fact?", kept in memory only (not compared, not stored, not exported).
    trace: tuple[str, ...] = field(default=(), compare=False)

    def to_dict(self) -> dict[str, Any]:
        """The corpus fact schema, plus ``evidence_span`` and ``confidence``."""
        d = asdict(self)
        del d["trace"]
        d["participants"] = [asdict(p) for p in self.participants]
        d["systems"] = [asdict(s) for s in self.systems]
        d["money"] = _money_dict(self.money)
        d["evidence_span"] = list(self.evidence_span)
        d["confidence"] = round(self.confidence, 3)
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Fact":
        """Build a fact from the corpus JSON schema (gold files, exports)."""
        money = d.get("money")
        time = d.get("time") or {}
        return cls(
            type=d["type"],
            participants=tuple(
                Participant(p.get("role", ""), p.get("name", ""), p.get("kind", "organization"), p.get("country"))
                for p in d.get("participants") or ()
            ),
            systems=tuple(System(s.get("name", ""), s.get("category", "other")) for s in d.get("systems") or ()),
            time=TimeSpan(time.get("text"), time.get("start"), time.get("end")),
            status=d.get("status") or "reported",
            quantity=d.get("quantity"),
            money=Money(money["amount"], money.get("currency", "USD"), money.get("per")) if money else None,
            attributed_to=d.get("attributed_to"),
            evidence=d.get("evidence") or "",
            evidence_span=tuple(d.get("evidence_span") or (0, 0)),
            confidence=float(d.get("confidence", 1.0)),
        )


def _money_dict(money: Money | None) -> dict[str, Any] | None:
    if money is None:
        return None
    amount = int(money.amount) if float(money.amount).is_integer() else money.amount
    return {"amount": amount, "currency": money.currency, "per": money.per}
