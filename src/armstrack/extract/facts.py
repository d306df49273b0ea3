"""Stage 3: turn recognised mentions into typed cooperation facts.

For every sentence and every trigger rule (``data/triggers.toml``):

1. find trigger tokens (words, phrases; ``requires`` checked on the sentence,
   ``forbids`` near the trigger), never inside a recognised name ("Ural Plant Zenit");
2. fill each role from the slots the rule lists, in order (``roles.py``);
3. attach equipment, time, status, quantity, money and attribution;
4. score the candidate: every guess (a role taken from context, an origin
   taken from the knowledge files) lowers its confidence.

``consolidate.py`` then merges duplicates, adds the facts the annotation
conventions imply, and drops candidates below the confidence floor.
"""
from __future__ import annotations

import itertools
import re
from dataclasses import replace
from functools import lru_cache

from spacy.tokens import Doc, Token

from armstrack.extract.consolidate import consolidate
from armstrack.extract.figures import find_money
from armstrack.model import ROLES, Article, Fact, Mention, Participant, System, TimeSpan
from armstrack.extract.qualify import SAYING_VERBS, attributions, tense_of
from armstrack.extract.recognise import Recognition
from armstrack.extract.roles import ArticleContext, SlotFinder
from armstrack.extract.rules import Rule
from armstrack.extract.equipment import named_systems, quantity, systems_for
from armstrack.extract.sentence import Sentence, split_sentences
from armstrack.extract.slots import Placed, clause_verbs
from armstrack.extract.timeparse import find_times

SYMMETRIC_TYPES = ("agreement", "co_production", "joint_venture")
OPTIONAL_ROLES = ("venture", "customer", "candidate")
BASE_CONFIDENCE = 0.8
CAPTION_WEIGHT = 0.7  # captions confirm facts but are written loosely
GENERIC_ONLY_PENALTY = 0.1  # "drones" with no model named anywhere near
MAX_FACTS_PER_TRIGGER = 12
FORBID_WINDOW = 10  # tokens either side of a trigger in which a veto word counts


@lru_cache(maxsize=1024)
def _cue(needle: str) -> re.Pattern:
    """A cue word or stem at a word start ("negotiat" finds "negotiations"); a trailing
    space in the cue asks for the whole word (" over " is not "overhaul")."""
    word = needle.strip()
    tail = r"(?![a-z])" if needle.endswith(" ") else ""
    return re.compile(r"(?<![a-z])" + re.escape(word) + tail)


def _has(text_lower: str, needle: str) -> bool:
    return _cue(needle).search(text_lower) is not None


def find_triggers(sent: Sentence, rule: Rule) -> list[Token]:
    """Tokens that fire ``rule`` in ``sent``; none inside a recognised name."""
    low = sent.lower
    words = rule.words & sent.words.keys()
    if not words and not any(phrase in low for phrase in rule.phrases):
        return []  # the cheap test first: most rules have no trigger word in most sentences
    if rule.requires and not any(_has(low, w) for w in rule.requires):
        return []
    if any(_has(low, w) for w in rule.forbids_sentence):
        return []
    named = sent.named
    found = sorted({t.i: t for w in words for t in sent.words[w]}.values(), key=lambda t: t.i)
    for phrase in rule.phrases:
        for m in re.finditer(r"(?<![a-z])" + re.escape(phrase) + r"(?![a-z])", low):
            span = sent.span.doc.char_span(sent.span.start_char + m.start(), sent.span.start_char + m.end(), alignment_mode="expand")
            if span is not None and not any(t.i in named for t in span):
                found.append(span.root)
    if rule.forbids:
        found = [t for t in found if not _vetoed(t, sent, rule)]
    # "Turkish-built corvette", "newly built frigates": a participle describing a thing is no event
    found = [t for t in found if not (t.pos_ == "VERB" and t.dep_ in ("amod", "compound"))]
    if rule.skip_relative:
        # "the personnel that will use them" is no fact; "Saudi Arabia, which already operates CH-4 drones" is:
        # a relative clause on a named party says what that party does
        parties = {p.root.i for p in sent.placed if p.mention.kind in ("country", "organization")}
        found = [t for t in found if t.dep_ not in ("relcl", "acl") or t.dep_ == "relcl" and t.head.i in parties]
    return found


def _vetoed(trigger: Token, sent: Sentence, rule: Rule) -> bool:
    """A veto word near the trigger, outside recognised names ("Ural Plant Zenit" is no plant)."""
    doc = sent.span.doc
    named = {i for p in sent.placed for i in range(p.span.start, p.span.end)}
    lo, hi = max(sent.span.start, trigger.i - FORBID_WINDOW), min(sent.span.end, trigger.i + FORBID_WINDOW + 1)
    window = "".join((" " * len(t.text_with_ws)) if t.i in named else t.text_with_ws.lower() for t in doc[lo:hi])
    return any(_has(window, w) for w in rule.forbids)


def _participant(role: str, m: Mention) -> Participant:
    return Participant(role, m.name, "country" if m.kind == "country" else "organization", m.country)


def _time(sent: Sentence, trigger: Token, published: str | None) -> TimeSpan:
    """The time expression of the trigger's own phrase, else of its clause, else the nearest."""
    times = _times_in(sent.span.text, published)
    if not times:
        return TimeSpan()
    base = sent.span.start_char
    pos = trigger.idx - base

    def inside(tokens) -> list:
        chars = {(t.idx - base) for t in tokens}
        return [t for t in times if any(t.start <= c < t.end for c in chars)]

    verb = clause_verbs(trigger)[0]
    times = [t for t in times if not _reporting_time(sent, t)]
    if not times:
        return TimeSpan()
    # the trigger's own phrase, then its clause, then the sentence: the first that holds a date wins
    # ("the joint development of the Future ..." has none, "In 2017, they entered into ..." has one);
    # an undated phrase ("on Tuesday", "soon") is kept only when no wider scope has a date either
    pools = [inside(trigger.subtree) if trigger.pos_ in ("NOUN", "PROPN") else [], inside(verb.subtree), list(times)]
    dated = next((p for p in ([t for t in pool if t.span.start or t.span.end] for pool in pools) if p), None)
    pool = dated or next(p for p in pools if p)
    best = min(pool, key=lambda t: min(abs(t.start - pos), abs(t.end - pos)))
    return best.span


@lru_cache(maxsize=256)
def _times_in(text: str, published: str | None) -> tuple:
    """Time expressions of a sentence, parsed once however many triggers it has."""
    return tuple(find_times(text, published))


def _reporting_time(sent: Sentence, mention) -> bool:
    """"..., the minister said on July 10": the date of the saying is not the fact's date."""
    span = sent.span.doc.char_span(sent.span.start_char + mention.start, sent.span.start_char + mention.end, alignment_mode="expand")
    if span is None:
        return False
    head = span.root
    for _ in range(3):
        if head.head is head:
            break
        head = head.head
        if head.pos_ in ("VERB", "AUX"):
            return head.lemma_.lower() in SAYING_VERBS
    return False


def _money(sent: Sentence):
    found = [m for m in find_money(sent.span.text) if m.money.per != "unit"]
    return found[0].money if found else None


def apply_rule(rule: Rule, trigger: Token, actx: ArticleContext, index: int, attribution: str | None) -> list[Fact]:
    """All facts one trigger yields under one rule."""
    sent = actx.sentences[index]
    systems = systems_for(trigger, actx.sentences, index, strict=rule.needs_system)
    if rule.needs_system and not systems:
        return []
    if rule.needs_system_or_money and not systems and not find_money(sent.span.text):
        return []
    finder = SlotFinder(actx, index, trigger, systems)
    fills, penalty = fill_roles(rule, finder)
    if all(p.mention.form == "generic" for p in systems) and systems:
        penalty += GENERIC_ONLY_PENALTY
    facts = _assemble(rule, trigger, actx, index, fills, systems, penalty, attribution, finder)
    if facts:
        for role, parties in fills.items():
            for party in parties:
                if id(party) in finder.in_sentence:
                    actx.remember(index, role, party)
    return facts


def fill_roles(rule: Rule, finder: SlotFinder) -> tuple[dict[str, list[Mention]], float]:
    """Fill every role from the sentence first; only then fall back to context and topic.

    Two passes, so that a guess for one role ("the article is about Turkey")
    can avoid the sides the sentence itself already gave to the other roles.
    """
    fills: dict[str, list[Mention]] = {r: [] for r, _ in rule.roles}
    penalty = 0.0
    for with_fallbacks in (False, True):
        for role, slots in rule.roles:
            symmetric = rule.type in SYMMETRIC_TYPES and role in ("party", "partner")
            if fills[role] and (not symmetric or len(fills[role]) >= max(rule.min_parties, 2)):
                continue
            # a plant's host may also own it when the sentence says so (a joint Iran-Russia plant in Russia)
            others = [m for r, ms in fills.items() if r != role for m in ms] if rule.type != "facility" or with_fallbacks else []
            chosen, cost = finder.fill(
                slots, exclude={m.name for m in others} | {m.name for m in fills[role]}, kinds=rule.kinds.get(role),
                symmetric=symmetric, min_count=rule.min_parties, coordinated=rule.coordinated_subject,
                fallbacks=with_fallbacks,
                exclude_countries=set() if symmetric or rule.type == "facility" else {
                    ms[0].country or ms[0].name for r, ms in fills.items() if r != role and len(ms) == 1},
            )
            fills[role] = fills[role] + chosen
            penalty += cost
    return fills, penalty


def _assemble(rule, trigger, actx, index, fills, systems, penalty, attribution, finder) -> list[Fact]:
    sent = actx.sentences[index]
    roles = [r for r, _ in rule.roles]
    required = [r for r in roles if r not in OPTIONAL_ROLES]
    multi = [r for r in roles if rule.type in SYMMETRIC_TYPES and r in ("party", "partner") or r in rule.multi]
    if rule.type in SYMMETRIC_TYPES:
        partners = fills.get(required[0], [])
        if len({m.name for m in partners}) < max(rule.min_parties, 2):
            return []
    if any(not fills.get(r) for r in required):
        return []
    split = [r for r in required if r not in multi]
    lists = [[(r, m) for m in fills[r]] for r in split]
    combos = [dict(fills, **{r: [m] for r, m in combo}) for combo in itertools.islice(itertools.product(*lists), MAX_FACTS_PER_TRIGGER)]
    status = rule.status_for(tense_of(trigger, sent.span))
    time = _time(sent, trigger, actx.article.published)
    raw = sent.span.text
    lead = len(raw) - len(raw.lstrip())
    evidence_span = (sent.span.start_char + lead, sent.span.start_char + len(raw.rstrip()))
    confidence = max(0.05, (BASE_CONFIDENCE - penalty) * (CAPTION_WEIGHT if sent.caption else 1.0))
    facts = []
    for combo in combos:
        for group in _system_groups(rule, combo, systems, finder):
            participants = tuple(_participant(r, m) for r in _canonical(rule.type, roles) for m in group[0].get(r, []))
            if not _plausible(rule, participants):
                continue
            facts.append(
                Fact(
                    type=rule.type,
                    participants=participants,
                    systems=tuple(dict.fromkeys(System(s.mention.name, s.mention.category or "other") for s in group[1])),
                    time=time,
                    status=status,
                    quantity=quantity(group[1], sent),
                    money=_money(sent),
                    attributed_to=attribution,
                    evidence=raw.strip(),
                    evidence_span=evidence_span,
                    confidence=confidence,
                    trace=_trace(rule, trigger, actx, index, finder, group, penalty) + _domestic(participants),
                )
            )
    return facts


def _trace(rule, trigger: Token, actx, index: int, finder, group, penalty: float) -> tuple[str, ...]:
    """How this candidate was built, for the scorer's features and for ``extract --explain``."""
    sent = actx.sentences[index]
    items = [f"rule={rule.name}", f"trigger={trigger.lemma_.lower()}", f"dep={trigger.dep_}",
             f"sentence={index}/{len(actx.sentences)}", f"penalty={penalty:.2f}"]
    if sent.caption:
        items.append("caption")
    for role, mentions in sorted(group[0].items()):
        for m in mentions:
            items += [f"slot:{role}={finder.filled_from.get(id(m), 'own_supplier')}", f"form:{role}={m.form}"]
    items += [f"system_form={s.mention.form}" for s in group[1]]
    return tuple(items)


def _domestic(participants: tuple[Participant, ...]) -> tuple[str, ...]:
    """ "domestic" when a supplier sells to its own country (a feature: most transfers cross a border)."""
    sellers = {p.country for p in participants if p.role == "supplier" and p.country}
    buyers = {p.country for p in participants if p.role == "recipient" and p.country}
    return ("domestic",) if sellers & buyers else ()


def _canonical(fact_type: str, roles: list[str]) -> list[str]:
    """Roles in the schema's order (supplier before recipient), whatever order the rule fills them in."""
    order = ROLES[fact_type]
    return sorted(roles, key=lambda r: order.index(r) if r in order else len(order))


def _system_groups(rule: Rule, combo: dict, systems: list[Placed], finder: SlotFinder):
    """Split an arms transfer by supplier when each item names its own ("X from Russia and Y from the UAE"),
    and by item when each item has its own count ("four corvettes and two patrol vessels": two orders
    in the annotation conventions, each with its quantity)."""
    if rule.type != "arms_transfer" or len(systems) < 2:
        return [(combo, systems)]
    own = {id(s): finder.supplier_of(s) for s in systems}
    if len({m.name for m in own.values() if m}) < 2:
        return [(combo, items) for items in _counted_items(systems, finder.sent)]
    groups: dict[str, tuple[dict, list]] = {}
    for s in systems:
        supplier = own[id(s)]
        key = supplier.name if supplier else combo["supplier"][0].name
        if key not in groups:
            groups[key] = (dict(combo, supplier=[supplier] if supplier else combo["supplier"]), [])
        groups[key][1].append(s)
    return list(groups.values())


def _counted_items(systems: list[Placed], sent: Sentence) -> list[list[Placed]]:
    """The systems as one group, or one group per noun phrase when every phrase has its own count.

    "130 Abrams tanks and 20 armored recovery vehicles": "Abrams" and "tanks" share a phrase (one
    item); the two phrases each carry a number, so they are two items.
    """
    phrases: dict[int, list[Placed]] = {}
    for s in systems:
        head = s.root.head if s.root.dep_ in ("compound", "nmod", "amod") else s.root
        phrases.setdefault(head.i, []).append(s)
    groups = list(phrases.values())
    if len(groups) < 2 or not all(_counted(head, sent) for head in phrases):
        return [systems]
    return groups


def _counted(head_index: int, sent: Sentence) -> bool:
    """The phrase headed here has its own number ("four corvettes"), not one borrowed from its neighbour."""
    head = sent.span.doc[head_index]
    return any(c.dep_ == "nummod" and c.like_num for c in head.children)


def _plausible(rule: Rule, participants: tuple[Participant, ...]) -> bool:
    """Directed facts need two different sides; a country does not trade with itself."""
    if rule.type in SYMMETRIC_TYPES:
        return True
    sides = {}
    for p in participants:
        sides.setdefault(p.role, []).append(p)
    first, *rest = [r for r, _ in rule.roles]
    if not rest or rest[0] not in sides or first not in sides:
        return True
    for a in sides[first]:
        for b in sides[rest[0]]:
            if a.name == b.name and rule.type != "facility":
                return False
            if a.country and a.country == b.country and (rule.type in ("licensed_production", "training", "aid")
                                                          or rule.type == "arms_transfer" and a.kind == "country"):
                return False  # a company may sell to its own country's forces (a domestic order); a country does not
    return True


def extract_facts(article: Article, doc: Doc, recognition: Recognition, rules, kb, choose=None) -> list[Fact]:
    """Every fact the article states (see module docstring); ``choose`` is consolidate's step 6."""
    sentences = split_sentences(doc, article, recognition)
    actx = ArticleContext.build(article, sentences, recognition, kb)
    attributed = attributions(sentences, recognition)
    candidates: list[Fact] = []
    for i, sent in enumerate(sentences):
        for rule in rules:
            for trigger in find_triggers(sent, rule):
                candidates += [_dated_from_neighbours(f, i, actx) for f in apply_rule(rule, trigger, actx, i, attributed[i])]
    return consolidate(candidates, named_systems(sentences), choose)


NEIGHBOUR_SENTENCES = (1, -1)  # the next sentence, then the previous one, of the same paragraph


def _dated_from_neighbours(fact: Fact, index: int, actx: ArticleContext) -> Fact:
    """An undated fact takes the date of a neighbouring sentence of its paragraph that names the same
    model ("Poland will buy K2 tanks from Hyundai Rotem. The first K2s arrive in 2025."): the annotation
    conventions date a fact by its event wherever the text gives it. A shared party or a generic noun
    ("drones") is too weak a link: tried, it dated as many facts wrongly as rightly."""
    if fact.time.start or fact.time.end:
        return fact
    here = actx.sentences[index]
    names = {s.name for s in fact.systems if not s.name[:1].islower()}
    for step in NEIGHBOUR_SENTENCES:
        j = index + step
        if not 0 <= j < len(actx.sentences) or actx.sentences[j].paragraph != here.paragraph:
            continue
        sent = actx.sentences[j]
        if not names & {p.mention.name for p in sent.placed}:
            continue
        dated = [t for t in _times_in(sent.span.text, actx.article.published)
                 if (t.span.start or t.span.end) and not _reporting_time(sent, t)]
        if dated:
            return replace(fact, time=dated[0].span, trace=fact.trace + (f"time=neighbour{step:+d}",))
    return fact
