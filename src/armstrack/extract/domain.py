"""Is a page, and the context of a fact, about defence? Two gates over ``defence_terms.toml``.

Trigger words such as "trained", "agreement", "donated" or "plant" are everyday
words: a software conference trains volunteers, a telescope has foreign funding.
A fact needs a defence or security context, so extraction is gated twice:

1. **Document gate, before parsing.** ``document_score`` counts the cues of the
   ``defence`` set and the equipment designations of the gazetteer ("F-16",
   "Bayraktar TB2") per 100 words of the raw text; a page under
   ``MIN_DOCUMENT_SCORE`` is not parsed at all (so the pages it skips pay for the
   rest of the pipeline). A text too short to judge passes.
2. **Fact gate, on the candidates before the scorer chooses.** A candidate is kept
   only when its evidence paragraph (the line the sentence is on) or the paragraphs
   either side (the evidence paragraph alone where the type says ``neighbours =
   false``) hold a cue of a set its type needs, or it names military equipment, or
   a participant is a defence organisation of the gazetteer (``[fact_types]`` in the
   data file). Training sees the same candidates (``pipeline.Extractor._gated``).

``defence_score`` gives the same density for any text (a sentence), so that a
learned scorer can later use it as a feature instead of a hard filter.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from armstrack.knowledge.load import Knowledge
from armstrack.knowledge.terms import CUE_WORD, MAX_CUE_WORDS, Cue, DefenceTerms, load_defence_terms
from armstrack.model import Article, Fact

# A page gets no facts unless it has at least MIN_DOCUMENT_CUES defence cues (of the
# defence set or gazetteer designations) and MIN_DOCUMENT_SCORE of them per 100 words.
# Calibrated on the 69 corpus and 16 devset articles (lowest: 1.85 per 100 words, 6 cues;
# fewest cues: 5) against the 40 dev non-defence pages written for the project
# (tests/nondefence/dev). Once civil model names and "coast guard" were taken out of the
# document cues (see defence_terms.toml), 39 of them have no cue and one, an opinion piece
# on a peace process ("ceasefire", "peacekeepers"), has 2 cues, 0.79 per 100 words. The
# density threshold sits a little under the geometric middle of 0.79 and 1.85 (1.21), on
# the side of recall; the count keeps a short page with two stray cues out and is still
# under the fewest cues of a defence article. Under MIN_JUDGED_WORDS (a sentence or two;
# the shortest page of either set has 169 words) there is too little text to judge, and
# only the fact gate applies.
MIN_DOCUMENT_SCORE = 1.0
MIN_DOCUMENT_CUES = 3
MIN_JUDGED_WORDS = 60
DEFENCE_SET = "defence"

_NORMALISE = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u2010": "-", "\u2011": "-", "\u2013": "-"})


def words_of(text: str) -> list[str]:
    """Lower-case words, split the way the cues are written."""
    return CUE_WORD.findall(text.lower().translate(_NORMALISE))


@dataclass(frozen=True)
class CueMatcher:
    """All cues of one set, indexed so that a text costs a few set lookups per word."""

    exact: dict[str, tuple[Cue, ...]] = field(default_factory=dict)  # first word -> cues starting with it
    prefixes: tuple[str, ...] = ()  # single-word stems ("soldier" of "soldier*")

    @classmethod
    def build(cls, cues: Iterable[Cue]) -> CueMatcher:
        exact: dict[str, list[Cue]] = {}
        prefixes = []
        for cue in cues:
            if cue.prefix and len(cue.words) == 1:
                prefixes.append(cue.words[0])
            else:
                exact.setdefault(cue.words[0], []).append(cue)
        return cls({k: tuple(v) for k, v in exact.items()}, tuple(prefixes))

    def count(self, words: Sequence[str]) -> int:
        """How many cues the words hold, not overlapping ("Bayraktar TB2" is one, not two)."""
        hits, i = 0, 0
        while i < len(words):
            word = words[i]
            length = max((len(c.words) for c in self.exact.get(word, ()) if _matches(c, words, i)), default=0)
            if not length and self.prefixes and word.startswith(self.prefixes):
                length = 1
            hits += length > 0
            i += max(length, 1)
        return hits


def _matches(cue: Cue, words: Sequence[str], i: int) -> bool:
    n = len(cue.words)
    if i + n > len(words):
        return False
    for k in range(1, n):
        last = k == n - 1
        if not (words[i + k].startswith(cue.words[k]) if last and cue.prefix else words[i + k] == cue.words[k]):
            return False
    return True


def designations(kb: Knowledge, civil_names: Iterable[str] = ()) -> set[Cue]:
    """Gazetteer equipment names that cannot be everyday words: several words ("Leopard 2"),
    or one with letters and digits ("TB2", "F-16"). Single names such as "Apache",
    "Boxer" or "Meteor" are left to the recogniser, which sees them in context, and the
    names of civil models ("H145", "King Air") are no sign of defence at all."""
    civil = {tuple(words_of(name)) for name in civil_names}
    found = set()
    for equipment in kb.equipment:
        for name in (equipment.name, *equipment.aliases):
            words = tuple(words_of(name))
            if not words or len(words) > MAX_CUE_WORDS or words in civil:
                continue
            if len(words) > 1 or (any(c.isdigit() for c in words[0]) and any(c.isalpha() for c in words[0])):
                found.add(Cue(words))
    return found


class DomainGate:
    """The two gates of the module docstring, with the vocabulary loaded once."""

    def __init__(self, kb: Knowledge, terms: DefenceTerms | None = None,
                 min_score: float = MIN_DOCUMENT_SCORE, min_cues: int = MIN_DOCUMENT_CUES):
        self.kb = kb
        self.terms = terms or load_defence_terms()
        self.min_score, self.min_cues = min_score, min_cues
        self.matchers = {name: CueMatcher.build(cues) for name, cues in self.terms.sets.items()}
        self.document_matcher = CueMatcher.build((*self.terms.sets[DEFENCE_SET],
                                                  *designations(kb, self.terms.civil_names)))
        self._civil = {tuple(words_of(name)) for name in self.terms.civil_names}
        self._name_matchers: dict[str, tuple[CueMatcher, CueMatcher] | None] = {}  # equipment -> (civil, military)

    def defence_score(self, text: str) -> float:
        """Defence cues and equipment designations per 100 words of ``text`` (a sentence, a paragraph or a page)."""
        words = words_of(text)
        return 100.0 * self.document_matcher.count(words) / len(words) if words else 0.0

    def document_score(self, article: Article) -> float:
        """The page's defence score, computed on the raw text before any parsing."""
        return self.defence_score(article.text)

    def passes_document(self, article: Article) -> bool:
        """Enough defence cues, and densely enough, to be worth parsing (see MIN_DOCUMENT_SCORE)."""
        return self.document_verdict(article) is None

    def document_verdict(self, article: Article) -> str | None:
        """None for a page worth parsing, else why not, in words an analyst can check."""
        words = words_of(article.text)
        if len(words) < MIN_JUDGED_WORDS:
            return None
        cues = self.document_matcher.count(words)
        per_100 = 100.0 * cues / len(words)
        if cues >= self.min_cues and per_100 >= self.min_score:
            return None
        return (f"not about defence: {cues} defence cues in {len(words)} words ({per_100:.2f} per 100; "
                f"a page needs {self.min_cues} and {self.min_score:.2f} per 100)")

    def keep_facts(self, article: Article, facts: Iterable[Fact]) -> list[Fact]:
        """The facts whose evidence paragraph, equipment or participants give a defence context."""
        contexts: dict[tuple[int, int] | str, list[str]] = {}  # words by paragraph bounds (evidence if no span)
        kept = []
        for fact in facts:
            need = self.terms.needs.get(fact.type)
            if need is None or (need.equipment and self._names_equipment(fact)) or (
                    need.organisations and self._has_defence_organisation(fact)):
                kept.append(fact)
                continue
            bounds = _context_bounds(article.text, fact, need.neighbours)
            key = bounds if bounds != (0, 0) else fact.evidence
            if key not in contexts:
                contexts[key] = words_of(article.text[bounds[0]:bounds[1]] if bounds != (0, 0) else fact.evidence)
            words = contexts[key]
            if any(self.matchers[name].count(words) for name in need.cue_sets):
                kept.append(fact)
        return kept

    def _names_equipment(self, fact: Fact) -> bool:
        """A generic system of a military-only category, or a gazetteer system that the
        evidence does not name only by its civil model names ("H145" of the "H145M")."""
        for system in fact.systems:
            if system.category in self.terms.equipment_categories:
                return True
            equipment = self.kb.equipment_by_any(system.name)
            if equipment is not None and not self._named_only_as_civil(equipment, fact.evidence):
                return True
        return False

    def _named_only_as_civil(self, equipment, evidence: str) -> bool:
        if equipment.name not in self._name_matchers:
            names = [tuple(words_of(n)) for n in (equipment.name, *equipment.aliases)]
            civil = [Cue(w) for w in names if w and w in self._civil]
            military = [Cue(w) for w in names if w and w not in self._civil]
            self._name_matchers[equipment.name] = (CueMatcher.build(civil), CueMatcher.build(military)) if civil else None
        matchers = self._name_matchers[equipment.name]
        if matchers is None:
            return False
        words = words_of(evidence)
        return matchers[0].count(words) > 0 and matchers[1].count(words) == 0

    def _has_defence_organisation(self, fact: Fact) -> bool:
        for p in fact.participants:
            org = self.kb.organization_by_any(p.name) if p.kind == "organization" else None
            if org is None or org.type not in self.terms.organisation_types or org.name in self.terms.civil_makers:
                continue
            if org.type != "ministry" or self.matchers[DEFENCE_SET].count(words_of(org.name)):
                return True
        return False


def _context_bounds(text: str, fact: Fact, neighbours: bool = True) -> tuple[int, int]:
    """From the start of the paragraph before the evidence to the end of the one after it (or the
    evidence paragraph alone without ``neighbours``).

    A paragraph is a line; blank lines are skipped. (0, 0) when the fact carries no span.
    """
    start, end = fact.evidence_span
    if end <= start or end > len(text):
        return (0, 0)
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    if not neighbours:
        return (line_start, len(text) if line_end < 0 else line_end)
    previous_end = len(text[:line_start].rstrip())
    lo = text.rfind("\n", 0, previous_end) + 1 if previous_end else 0
    if line_end < 0:
        return (lo, len(text))
    next_start = len(text) - len(text[line_end:].lstrip())
    hi = text.find("\n", next_start)
    return (lo, len(text) if hi < 0 else hi)
