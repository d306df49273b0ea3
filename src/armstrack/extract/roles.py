"""Role filling: who fills each slot a trigger rule names (see ``data/triggers.toml``).

Slots inside the sentence come from the parse (``slots.py``); the fallbacks
reach further and cost confidence, because each is a guess an analyst would
want flagged: ``context`` (previous sentences of the paragraph), ``topic``
(the countries the article is about), ``kb_origin``/``kb_maker`` (the
equipment's origin or maker from the knowledge files when the text names none),
``pair`` ("the two countries").
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from spacy.tokens import Token

from armstrack.extract.equipment import compared, rejected
from armstrack.model import Article, Mention
from armstrack.extract.slots import (
    Placed,
    ancestor_verbs,
    LIGHT_VERBS,
    clause_verbs,
    governing_verb,
    in_phrase,
    modifies_personnel,
    object_control,
    org_descriptors,
    slot_of,
    subjects,
    written_origin,
)

PAIR_PHRASES = re.compile(
    r"\b(the two (countries|nations|states|governments|sides|parties|companies|firms)|both (countries|nations|sides|governments|parties|companies)|the parties|two countries)\b",
    re.I,
)
COMPANY_PAIR = re.compile(r"compan|firm", re.I)  # "both companies" are organisations, "the two sides" countries
PLACE_NOUNS = frozenset("school schools academy academies college center centre university institution institute".split())
# Confidence cost of each fallback slot; calibrated on the corpus so that a fact
# resting on two guesses falls below consolidate.MIN_CONFIDENCE.
FALLBACK_COST = {"context": 0.2, "topic": 0.3, "kb_origin": 0.1, "kb_maker": 0.05, "pair": 0.05, "any_org": 0.1,
                 "any_party": 0.15, "ancestor": 0.1, "prior": 0.2, "earlier": 0.2}
# "prior:ROLE": the party an earlier fact of the article gave that role in its own sentence ("Germany
# pledged a Patriot battery of its own" after "the US will send a Patriot battery to Ukraine"),
# looked for this many sentences back, and only when the sentence says it parallels what came before.
PRIOR_SENTENCES = 3
PRIOR_CUES = re.compile(r"\b(?:of (?:its|their) own|also|too|as well(?! as)|likewise|similar(?:ly)?|another|additional|further"
                        r"|in addition|in turn)\b", re.I)
LIST_MIN = 3  # "exported to A, B and C": three names make a list of recipients
# Definite descriptions that point back to the last organisation of that sort ("the ministry said").
ANAPHORS = {"ministry": "ministry", "company": "", "firm": "", "manufacturer": "", "government": "country",
            "nation": "salient", "kingdom": "salient", "republic": "salient", "emirate": "salient"}
# "the Gulf nation", "the kingdom": the country that was the subject of a recent sentence (the preferred
# centre of the discourse), not the last one named, which is often a supplier or a place
# ("Qatar signed a contract ... as part of Italy's largest export. The Gulf nation also signed ...").
SALIENT_SENTENCES = 3
CONTEXT_SENTENCES = 2  # how far back "context" looks within a paragraph
TOPIC_SIZE = 2
TITLE_WEIGHT = 3  # a country in the headline counts as three mentions in the body
NON_PARTY_SLOTS = ("maker", "origin", "descriptor")


@dataclass
class ArticleContext:
    """Article-wide facts the slots need: sentences, topic countries, named organisations."""

    article: Article
    sentences: list
    topic: list[Mention]
    orgs_named: dict[str, Mention]  # by name, and by the names of what each became (knowledge successors)
    focus: list[tuple[Mention, ...]]
    kb: object
    recent: dict[str, tuple[int, Mention]] = field(default_factory=dict)  # role -> (sentence, party), see remember
    history: dict[str, list[tuple[int, Mention]]] = field(default_factory=dict)  # role -> every (sentence, party)
    org_focus: list[tuple[Mention, ...]] = field(default_factory=list)  # the two organisations named most so far

    def pair(self, index: int, phrase: str) -> list[Mention]:
        """Who "the two countries" or "both companies" are: the two named most before this sentence."""
        companies = COMPANY_PAIR.search(phrase)
        return list((self.org_focus if companies else self.focus)[index])

    def remember(self, index: int, role: str, party: Mention) -> None:
        """Note a party a fact found in its own sentence, for the "prior:ROLE" and "earlier:ROLE" slots
        of later sentences."""
        self.recent[role] = (index, party)
        self.history.setdefault(role, []).append((index, party))

    def earlier(self, role: str, index: int) -> Mention | None:
        """The party the nearest earlier sentence's fact gave ``role`` in its own sentence."""
        before = [(i, m) for i, m in self.history.get(role, ()) if i < index]
        return before[-1][1] if before else None

    @classmethod
    def build(cls, article: Article, sentences, recognition, kb) -> "ArticleContext":
        counts: Counter[str] = Counter()
        org_counts: Counter[str] = Counter()
        first: dict[str, Mention] = {}
        focus, org_focus = [], []
        for n, sent in enumerate(sentences):
            focus.append(tuple(first[name] for name, _ in counts.most_common(2)))
            org_focus.append(tuple(first[name] for name, _ in org_counts.most_common(2)))
            systems = {p.span.start for p in sent.placed if p.mention.kind == "system"}
            for p in sent.placed:
                if p.mention.kind == "country" and p.mention.form not in ("dateline",):
                    origin = p.mention.form == "demonym" and any(0 < s - p.span.end <= 3 for s in systems)
                    counts[p.mention.name] += 0 if origin else TITLE_WEIGHT if n == 0 else 1
                    first.setdefault(p.mention.name, p.mention)
                elif p.mention.kind == "organization" and p.mention.form not in ("source", "dateline"):
                    org_counts[p.mention.name] += TITLE_WEIGHT if n == 0 else 1
                    first.setdefault(p.mention.name, p.mention)
        topic = [first[n] for n, _ in counts.most_common(TOPIC_SIZE)]
        orgs = {}
        for m in recognition.mentions:
            if m.kind == "organization":
                orgs.setdefault(m.name, m)
        for name, m in list(orgs.items()):  # the maker "Naval Group" of a 2015 report is the DCNS it names
            for later in kb.successors(name):
                orgs.setdefault(later, m)
        return cls(article, sentences, topic, orgs, focus, kb, org_focus=org_focus)


class SlotFinder:
    """Answers "who fills slot X?" for one trigger in one sentence."""

    def __init__(self, actx: ArticleContext, index: int, trigger: Token, systems: list[Placed]):
        self.actx = actx
        self.index = index
        self.sent = actx.sentences[index]
        self.trigger = trigger
        self.control = object_control(trigger)
        # under object control the governing verb's subject, agent and passive are not the trigger's own
        self.verbs = [trigger] if self.control else clause_verbs(trigger)
        self.systems = systems
        # equipment named for comparison ("similar to General Atomics' MQ-1") or as the loser of a
        # choice ("over Boeing's F/A-18") gives the fact no maker
        named = [p for p in self.sent.placed if p.mention.kind == "system" and not compared(p) and not rejected(p)]
        self.system_tokens = {i for p in named for i in range(p.span.start, p.span.end)}
        self.system_tokens |= {p.root.head.i for p in named if p.root.dep_ in ("compound", "nmod", "amod")}
        self.parties = [p for p in self.sent.placed if p.mention.kind != "system" and p.mention.form not in ("source", "dateline")]
        self.used_ancestor = False
        self.in_sentence: set[int] = set()  # ids of the mentions found by non-fallback slots
        self.filled_from: dict[int, str] = {}  # id of a chosen mention -> the slot that found it (the fact's trace)
        roots = {p.root.i for p in self.parties}
        self.slots = {id(p): slot_of(p, trigger, self.verbs, self.system_tokens, roots) for p in self.parties}
        for org in self.parties:
            if org.mention.kind == "organization":
                for described in org_descriptors(org, self.parties):
                    self.slots[id(described)] = "descriptor"
        self.origins = {id(s): written_origin(s, self.parties) for s in self.sent.placed if s.mention.kind == "system"}

    # -- public --------------------------------------------------------------
    def fill(self, slots, exclude: set[str], kinds, symmetric: bool, min_count: int, coordinated: bool,
             fallbacks: bool = True, exclude_countries: set[str] = frozenset()) -> tuple[list[Mention], float]:
        """Fillers for one role and the confidence cost of any fallback used.

        A directed role takes the fillers of the first slot that yields any (a
        slot may be a union, "subj|prep:with"). A symmetric role (agreement
        parties, partners) gathers every in-sentence slot, and falls back to
        context only while it has fewer than ``min_count`` parties.
        """
        chosen: list[Mention] = []
        cost = 0.0
        need = max(min_count, 2) if symmetric else 1
        for slot in slots:
            base = slot.split("|")[0].split(":")[0] if slot.startswith(("prior:", "earlier:")) else slot.split("|")[0]
            fallback = base in FALLBACK_COST
            if fallback and (not fallbacks or symmetric and len(chosen) >= need):
                continue
            self.used_ancestor = False
            found = [_as_country(m) if m.kind == "place" else m for m in self.find(slot) if m.kind != "place" or base == "loc"]
            found = [m for m in _unique(found) if m.name not in exclude and (not kinds or m.kind in kinds)]
            found = [m for m in found if m.name not in {c.name for c in chosen}
                     and not (fallback and (m.country or m.name) in exclude_countries)]
            if base in ("topic", "context") and not symmetric:
                found = found[:1]  # a guess names one party, not everyone mentioned before
            if coordinated and base == "subj" and not self._coordinated(found):
                continue
            if not found:
                continue
            cost += FALLBACK_COST.get(base, 0.0) + (FALLBACK_COST["ancestor"] if self.used_ancestor else 0.0)
            if not fallback:
                self.in_sentence |= {id(m) for m in found}
            chosen += found
            self.filled_from.update((id(m), base + ("+ancestor" if self.used_ancestor else "")) for m in found)
            if not symmetric:
                break
        return chosen, cost

    def find(self, slot: str) -> list[Mention]:
        if "|" in slot:
            return [m for part in slot.split("|") for m in self.find(part)]
        parties = self.parties
        slotted = lambda name: [p.mention for p in parties if self.slots[id(p)] == name]  # noqa: E731
        if slot == "subj":
            if self.control:
                return [p.mention for p in parties if in_phrase(p, self.control.doers) and self._usable(p)]
            return self._subject()
        if slot == "employer":  # "contracted by Y to build", "Y awarded a contract to X to build"
            heads = self.control.employers if self.control else []
            return [p.mention for p in parties if in_phrase(p, heads) and self._usable(p)]
        if slot == "patient":
            heads = [h for h in subjects(self.verbs) if _is_patient(h)]
            return [p.mention for p in parties if in_phrase(p, heads) and self._usable(p)]
        if slot in ("obj", "dative", "poss") or slot.startswith("prep:"):
            found = slotted(slot)
            if slot == "poss":
                found += [p.mention for p in parties if p.span.end == self.trigger.i and self.slots[id(p)] not in NON_PARTY_SLOTS]
            return found
        if slot in ("origin", "maker"):
            kind = "country" if slot == "origin" else "organization"
            return [p.mention for s in self.systems for p in self.origins.get(id(s), []) if p.mention.kind == kind] + slotted(slot)
        if slot == "obj_country":
            return [m for m in slotted("obj") if m.kind == "country"]
        if slot == "kb_origin":
            return [_country(s.mention.country, s.mention) for s in self.systems if s.mention.country]
        if slot == "kb_maker":
            return [self.actx.orgs_named[s.mention.maker] for s in self.systems if s.mention.maker in self.actx.orgs_named]
        if slot == "loc":
            return [p.mention for p in parties if p.mention.kind in ("country", "place") and self.slots[id(p)] in ("prep:in", "prep:at")]
        if slot == "list":
            countries = _unique([p.mention for p in parties if p.mention.kind == "country" and p.mention.form != "demonym"
                                 and self.slots[id(p)] not in ("prep:from", "prep:by", *NON_PARTY_SLOTS)])
            return countries if len(countries) >= LIST_MIN else []
        if slot == "pair":
            found = PAIR_PHRASES.search(self.sent.span.text)
            return self.actx.pair(self.index, found.group(0)) if found else []
        if slot == "personnel":
            return [p.mention for p in parties if modifies_personnel(p)]
        if slot == "origin_of_place":
            return [p.mention for p in parties if p.mention.kind == "country" and p.root.head.lower_ in PLACE_NOUNS]
        if slot == "any_party":  # "Russia is delivering S-400s to India under a contract signed in 2018"
            return [p.mention for p in parties if self.slots[id(p)] not in NON_PARTY_SLOTS and p.mention.kind != "place"]
        if slot == "any_org":
            return [p.mention for p in parties if p.mention.kind == "organization" and self.slots[id(p)] not in NON_PARTY_SLOTS]
        if slot == "competitors":
            cut = next((t.idx for t in self.sent.span if t.lemma_.lower() in ("competitor", "include", "bid", "win")), None)
            return [p.mention for p in parties if cut is not None and p.mention.kind == "organization" and p.mention.start > cut]
        if slot == "venture":
            return self._venture()
        if slot == "system_makers":  # every contender of a selection: "chose X over A's Y and B's Z"
            return [m for s in self.systems for m in [self.supplier_of(s)] if m is not None]
        if slot == "context":
            return self._context()
        if slot == "topic":
            return list(self.actx.topic)
        if slot.startswith("earlier:"):  # "Germany will acquire two submarines": the supplier of the story so far
            party = self.actx.earlier(slot.split(":", 1)[1], self.index)
            return [party] if party is not None else []
        if slot.startswith("prior:"):
            index, party = self.actx.recent.get(slot.split(":", 1)[1], (None, None))
            if index is None or not 0 < self.index - index <= PRIOR_SENTENCES:
                return []
            return [party] if PRIOR_CUES.search(self.sent.span.text) else []
        return []

    def supplier_of(self, system: Placed) -> Mention | None:
        """The supplier written on one item: "Orlan-10 drones from Russia", "Chinese-made Wing Loong"."""
        head = system.root.head if system.root.dep_ in ("compound", "nmod", "amod") else system.root
        for prep in head.children:
            if prep.dep_ == "prep" and prep.lower_ == "from":
                for p in self.parties:
                    if p.root.head.i == prep.i or p.root.i in {t.i for t in prep.subtree}:
                        return p.mention
        origins = self.origins.get(id(system), [])
        orgs = [p.mention for p in origins if p.mention.kind == "organization"]
        countries = [p.mention for p in origins if p.mention.kind == "country"]
        if orgs or countries:
            return (orgs or countries)[0]
        maker = system.mention.maker
        if maker in self.actx.orgs_named:
            return self.actx.orgs_named[maker]
        return _country(system.mention.country, system.mention) if system.mention.country else None

    # -- slots that need more than a lookup ------------------------------------
    def _coordinated(self, found: list[Mention]) -> bool:
        """"Iran and Russia will produce": two parties joined by "and", or "both countries"."""
        if len(found) < 2:
            return False
        if PAIR_PHRASES.search(self.sent.span.text):
            return True
        roots = {p.root.i: p for p in self.parties if p.mention in found}
        return any(p.root.dep_ == "conj" and p.root.head.i in roots for p in roots.values())

    def _usable(self, placed: Placed) -> bool:
        return self.slots[id(placed)] not in NON_PARTY_SLOTS

    def _subject(self) -> list[Mention]:
        """The clause's subject; for a noun trigger its possessor ("Tehran's supply");
        else the subject of a governing verb ("X announced that the process of selecting ...")."""
        if self.trigger.pos_ in ("NOUN", "PROPN"):
            owners = [p.mention for p in self.parties if p.root.head.i == self.trigger.i
                      and (p.root.dep_ == "poss" or p.root.dep_ == "compound" and p.mention.kind == "organization")]
            if owners:
                return owners
            verb = governing_verb(self.trigger)
            if verb is None or verb.lemma_.lower() not in LIGHT_VERBS:
                return []  # "a budget for the supply of drones": the budget's approver supplies nothing
        agents = [a for v in self.verbs for a in v.children if a.dep_ == "agent"]
        by_agent = [p.mention for p in self.parties if any(p.root.head.i == a.i for a in agents) and self._usable(p)]
        if by_agent:
            return by_agent  # a passive's doer: "units donated by the United States", "bought by Poland"
        heads = subjects(self.verbs)
        if heads and all(_is_patient(h) for h in heads):
            return []  # "Ukrainian soldiers are being trained": the passive subject is the patient
        found = [p.mention for p in self.parties if in_phrase(p, heads) and self._usable(p)]
        if found:
            return found
        pairs = [found for h in heads if (found := PAIR_PHRASES.search(" ".join(t.text for t in h.subtree)))]
        if pairs:
            return self.actx.pair(self.index, pairs[0].group(0))
        anaphor = self._anaphor(heads)
        if anaphor:
            return anaphor
        if any(h.pos_ in ("NOUN", "PROPN") for h in heads):
            return []  # an explicit subject that is no party ("a domestic enterprise that will produce")
        for verb in ancestor_verbs(self.trigger)[:3]:
            heads = subjects([verb])
            found = [p.mention for p in self.parties if in_phrase(p, heads) and self._usable(p)]
            if found:
                self.used_ancestor = True
                return found
            anaphor = self._anaphor(heads)
            if anaphor:
                return anaphor
        return []

    def _anaphor(self, heads: list[Token]) -> list[Mention]:
        """"The ministry said ...": the last ministry named before; "the company": the last company."""
        for head in heads:
            sort = ANAPHORS.get(head.lower_)
            if sort is None or not any(c.lower_ in ("the", "its", "their") for c in head.children):
                continue
            if sort == "salient":
                return self._recent_subject_country()
            before = [p.mention for s in self.actx.sentences[:self.index] for p in s.placed if p.mention.form != "source"]
            for m in reversed(before):
                if sort == "country" and m.kind == "country" and m.form != "demonym":
                    return [m]
                if sort != "country" and m.kind == "organization" and sort in m.name.lower():
                    return [m]
        return []

    def _recent_subject_country(self) -> list[Mention]:
        """The country that was the subject of one of the last few sentences, nearest first."""
        for j in range(self.index - 1, max(-1, self.index - 1 - SALIENT_SENTENCES), -1):
            for p in self.actx.sentences[j].placed:
                if p.mention.kind == "country" and p.mention.form != "demonym" and p.root.dep_ in ("nsubj", "nsubjpass"):
                    return [p.mention]
        return []

    def _venture(self) -> list[Mention]:
        """The named company of a joint venture: "a joint venture, X" or "X, a joint venture".

        X is the whole apposition, even when parts of it are known names
        ("Rheinmetall Ukrainian Defense Industry" holds "Rheinmetall").
        """
        low = self.sent.lower
        at = low.find("joint venture")
        if at < 0:
            return []
        base = self.sent.span.start_char
        orgs = [p for p in self.parties if p.mention.kind == "organization"]
        after = [p for p in orgs if 0 <= p.mention.start - (base + at + len("joint venture")) <= 4]
        if after:
            run = [p for p in orgs if p.span.start >= after[0].span.start]
            joined = [after[0]]
            for p in run[1:]:
                if p.span.start == joined[-1].span.end:
                    joined.append(p)
            if len(joined) > 1:
                first, last = joined[0].mention, joined[-1].mention
                text = self.sent.span.doc.text[first.start:last.end]
                return [Mention(first.start, last.end, text, "organization", text, last.country or first.country, form="pattern")]
            return [after[0].mention]
        before = [p.mention for p in orgs if 0 <= (base + at) - p.mention.end <= 6]
        return before[:1]

    def _context(self) -> list[Mention]:
        """Actors of the previous sentences of the same paragraph, in reading order."""
        here = self.sent
        for back in range(1, CONTEXT_SENTENCES + 1):
            j = self.index - back
            if j < 0 or self.actx.sentences[j].paragraph != here.paragraph:
                break
            found = [p.mention for p in self.actx.sentences[j].placed
                     if p.mention.kind in ("country", "organization") and p.mention.form not in ("demonym", "source", "dateline")]
            if found:
                return found
        return []


# Passive verbs whose subject is still the doer of what follows ("MHI is expected to produce").
RAISING_VERBS = frozenset("expect set schedule say report believe plan due poise slate tip suppose think understand".split())


def _is_patient(subject: Token) -> bool:
    """A passive subject undergoes the action, unless the passive only frames it ("is expected to")."""
    return subject.dep_ == "nsubjpass" and subject.head.lemma_.lower() not in RAISING_VERBS


def _as_country(place: Mention) -> Mention:
    """A city or region stands for its country when it locates a fact ("a plant in Tatarstan")."""
    return Mention(place.start, place.end, place.text, "country", place.country, place.country, form="place")


def _country(name: str, near: Mention) -> Mention:
    return Mention(near.start, near.end, near.text, "country", name, name, form="kb")


def _unique(mentions: list[Mention]) -> list[Mention]:
    seen, out = set(), []
    for m in mentions:
        if m.name not in seen:
            seen.add(m.name)
            out.append(m)
    return out
