"""Stage 3: turn recognised mentions into typed cooperation facts.

For every sentence and every trigger rule (``data/triggers.toml``):

1. find trigger tokens (words, phrases; ``requires``/``forbids`` checked on the sentence);
2. fill each role from the slots the rule lists, in order (``slots.py``);
3. attach equipment, time, status, quantity, money and attribution;
4. keep the candidate with a confidence that says how much guessing it took.

Candidates are then merged: the same fact stated twice (headline and body,
or a fact and its follow-up sentence giving the figure) becomes one fact
whose empty fields are filled from the later mention.
"""
from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field, replace

from spacy.tokens import Doc, Span, Token

from .figures import find_money, parse_number
from .model import Article, Fact, Mention, Participant, System, TimeSpan
from .qualify import attributions, tense_of
from .recognise import Recognition
from .rules import Rule
from .slots import (
    Placed,
    clause_verbs,
    in_subject,
    modifies_personnel,
    place_mentions,
    slot_of,
    subjects,
)
from .timeparse import find_times

# Phrases that stand for the two parties already under discussion.
PAIR_PHRASES = re.compile(
    r"\b(the two (countries|nations|states|governments|sides|parties|companies|firms)|both (countries|nations|sides|governments|parties|companies)|the parties)\b",
    re.I,
)
PLACE_NOUNS = frozenset("school schools academy academies college center centre university institution institute".split())
SYMMETRIC_TYPES = ("agreement", "co_production", "joint_venture")
FALLBACK_SLOTS = {"context": 0.2, "kb_origin": 0.1, "list": 0.05, "pair": 0.1, "any_org": 0.1}
BASE_CONFIDENCE = 0.8
CAPTION_WEIGHT = 0.6  # captions confirm facts but are written loosely
MAX_FACTS_PER_TRIGGER = 12
CONTEXT_SENTENCES = 2  # how far back "context" looks within a paragraph


@dataclass
class Sentence:
    span: Span
    paragraph: int
    caption: bool
    placed: list[Placed] = field(default_factory=list)

    @property
    def lower(self) -> str:
        return self.span.text.lower()


@dataclass
class Context:
    """Everything a rule needs beyond the sentence itself."""

    article: Article
    sentences: list[Sentence]
    index: int
    focus_pair: tuple[Mention, ...]
    kb: object

    @property
    def sentence(self) -> Sentence:
        return self.sentences[self.index]


def split_sentences(doc: Doc, article: Article, recognition: Recognition) -> list[Sentence]:
    """Sentences with their paragraph number (a paragraph is a line) and caption flag."""
    placed = place_mentions(doc, recognition.mentions)
    out: list[Sentence] = []
    for sent in doc.sents:
        text = sent.text.strip()
        if not text:
            continue
        paragraph = article.text.count("\n", 0, sent.start_char)
        caption = any(s <= sent.start_char < e for s, e in article.captions)
        mine = [p for p in placed if sent.start <= p.span.start < sent.end]
        out.append(Sentence(sent, paragraph, caption, mine))
    # spaCy sometimes runs a sentence across a line break: paragraphs split sentences.
    return out


def focus_pairs(sentences: list[Sentence]) -> list[tuple[Mention, ...]]:
    """For each sentence, the two countries most discussed so far (for "the two countries")."""
    counts: dict[str, int] = {}
    last: dict[str, Mention] = {}
    pairs = []
    for sent in sentences:
        best = sorted(counts, key=lambda n: (-counts[n], n))[:2]
        pairs.append(tuple(last[n] for n in best))
        for p in sent.placed:
            if p.mention.kind == "country":
                counts[p.mention.name] = counts.get(p.mention.name, 0) + 1
                last[p.mention.name] = p.mention
    return pairs


def _has(text_lower: str, needle: str) -> bool:
    return re.search(r"(?<![a-z])" + re.escape(needle), text_lower) is not None


def find_triggers(sent: Sentence, rule: Rule) -> list[Token]:
    """Tokens that fire ``rule`` in ``sent`` (after its requires/forbids checks)."""
    low = sent.lower
    if rule.requires and not any(_has(low, w) for w in rule.requires):
        return []
    if any(_has(low, w) for w in rule.forbids):
        return []
    found = [t for t in sent.span if t.lemma_.lower() in rule.words or t.lower_ in rule.words]
    for phrase in rule.phrases:
        for m in re.finditer(r"(?<![a-z])" + re.escape(phrase) + r"(?![a-z])", low):
            tok = sent.span.doc.char_span(sent.span.start_char + m.start(), sent.span.start_char + m.end(), alignment_mode="expand")
            if tok is not None:
                found.append(tok.root)
    return found


class SlotFinder:
    """Answers "who fills slot X for this trigger?" for one trigger in one sentence."""

    def __init__(self, ctx: Context, trigger: Token, systems: list[Placed]):
        self.ctx = ctx
        self.trigger = trigger
        self.sent = ctx.sentence
        self.verbs = clause_verbs(trigger)
        self.systems = systems
        system_tokens = {i for s in systems for i in range(s.span.start, s.span.end)}
        self.parties = [p for p in self.sent.placed if p.mention.kind != "system"]
        self.slots = {id(p): slot_of(p, trigger, self.verbs, system_tokens) for p in self.parties}
        self.subject_heads = subjects(self.verbs)

    def find(self, slot: str) -> list[Mention]:
        parties = self.parties
        if slot == "subj":
            found = [p for p in parties if in_subject(p, self.subject_heads)]
            if not found and any(PAIR_PHRASES.search(h.sent.text[max(0, h.idx - h.sent.start_char - 20):h.idx - h.sent.start_char + 25]) for h in self.subject_heads):
                return list(self.ctx.focus_pair)
            return [p.mention for p in found]
        if slot in ("obj", "dative", "poss", "origin", "maker") or slot.startswith("prep:"):
            found = [p.mention for p in parties if self.slots[id(p)] == slot]
            if slot == "poss":
                found += [p.mention for p in parties if p.span.end == self.trigger.i and p.mention not in found]
            if slot == "origin":
                found += [p.mention for p in parties if _made_in(p)]
            return found
        if slot == "obj_country":
            return [p.mention for p in parties if self.slots[id(p)] == "obj" and p.mention.kind == "country"]
        if slot == "kb_origin":
            return [_country_mention(s.mention.country, s.mention) for s in self.systems if s.mention.country]
        if slot == "loc":
            return [p.mention for p in parties if p.mention.kind == "country" and self.slots[id(p)] in ("prep:in", "prep:at")]
        if slot == "list":
            countries = _unique([p.mention for p in parties if p.mention.kind == "country" and p.mention.form != "demonym"])
            return countries if len(countries) >= 3 else []
        if slot == "pair":
            return list(self.ctx.focus_pair) if PAIR_PHRASES.search(self.sent.span.text) else []
        if slot == "personnel":
            return [p.mention for p in parties if modifies_personnel(p)]
        if slot == "origin_of_place":
            return [p.mention for p in parties if p.mention.kind == "country" and p.root.head.lower_ in PLACE_NOUNS]
        if slot == "any_org":
            return [p.mention for p in parties if p.mention.kind == "organization"]
        if slot == "competitors":
            cut = next((t.idx for t in self.sent.span if t.lemma_.lower() in ("competitor", "include", "bid", "win")), None)
            return [p.mention for p in parties if cut is not None and p.mention.kind == "organization" and p.mention.start > cut]
        if slot == "venture":
            return _venture(self.sent)
        if slot == "context":
            return _context(self.ctx)
        return []


def _made_in(p: Placed) -> bool:
    doc = p.span.doc
    nxt = doc[p.span.end:p.span.end + 2]
    return len(nxt) == 2 and nxt[0].text == "-" and nxt[1].lower_ in ("made", "built", "designed", "origin", "produced")


def _country_mention(name: str, near: Mention) -> Mention:
    return Mention(near.start, near.end, near.text, "country", name, name, form="kb")


def _unique(mentions: list[Mention]) -> list[Mention]:
    seen, out = set(), []
    for m in mentions:
        if m.name not in seen:
            seen.add(m.name)
            out.append(m)
    return out


def _venture(sent: Sentence) -> list[Mention]:
    """The named company of a joint venture: "a joint venture, X" or "X, a joint venture"."""
    low = sent.span.text.lower()
    base = sent.span.start_char
    at = low.find("joint venture")
    if at < 0:
        return []
    orgs = [p.mention for p in sent.placed if p.mention.kind == "organization"]
    after = [m for m in orgs if 0 <= m.start - (base + at + len("joint venture")) <= 4]
    before = [m for m in orgs if 0 <= (base + at) - m.end <= 6]
    return after[:1] or before[:1]


def _context(ctx: Context) -> list[Mention]:
    """Most recent country/organisation mentions in the previous sentences of the paragraph."""
    here = ctx.sentence
    for back in range(1, CONTEXT_SENTENCES + 1):
        j = ctx.index - back
        if j < 0 or ctx.sentences[j].paragraph != here.paragraph and back > 1:
            break
        found = [p.mention for p in ctx.sentences[j].placed if p.mention.kind != "system"]
        if found:
            return list(reversed(found))
    return []


def _participant(role: str, m: Mention) -> Participant:
    return Participant(role, m.name, "country" if m.kind == "country" else "organization", m.country)


def _system_of(p: Placed) -> System:
    return System(p.mention.name, p.mention.category or "other")


def _systems_in(sent: Sentence, trigger: Token) -> list[Placed]:
    """Equipment named in the sentence; specific models hide generic nouns ("drones")."""
    systems = [p for p in sent.placed if p.mention.kind == "system"]
    named = [p for p in systems if p.mention.form != "generic"]
    return named or systems


def _quantity(systems: list[Placed], sent: Sentence) -> int | None:
    """A count written just before the equipment ("four Turkish Bayraktar TB2s", "30 units of the AS9")."""
    for s in systems:
        doc = s.span.doc
        window = doc[max(sent.span.start, s.span.start - 5):s.span.start]
        for tok in reversed(window):
            if tok.like_num and not re.fullmatch(r"(19|20)\d\d", tok.text):
                value = parse_number(doc[tok.i:s.span.start].text) or parse_number(tok.text)
                if value:
                    return value
            if tok.pos_ in ("VERB", "ADP") and tok.lower_ not in ("of",):
                break
    return None


def _time(ctx: Context, trigger: Token) -> TimeSpan:
    sent = ctx.sentence.span
    times = find_times(sent.text, ctx.article.published)
    if not times:
        return TimeSpan()
    pos = trigger.idx - sent.start_char
    best = min(times, key=lambda t: min(abs(t.start - pos), abs(t.end - pos)))
    return best.span


def _money(ctx: Context):
    found = find_money(ctx.sentence.span.text)
    return found[0].money if found else None


def apply_rule(rule: Rule, trigger: Token, ctx: Context, attribution: str | None) -> list[Fact]:
    """All facts one trigger yields under one rule."""
    sent = ctx.sentence
    systems = _systems_in(sent, trigger)
    if rule.needs_system and not systems:
        return []
    finder = SlotFinder(ctx, trigger, systems)
    fills: dict[str, list[Mention]] = {}
    penalty = 0.0
    used: set[str] = set()
    for role, slots in rule.roles:
        kinds = rule.kinds.get(role)
        symmetric = rule.type in SYMMETRIC_TYPES and role in ("party", "partner")
        chosen: list[Mention] = []
        for slot in slots:
            found = [m for m in _unique(finder.find(slot)) if m.name not in used and (not kinds or m.kind in kinds)]
            if slot == "subj" and rule.coordinated_subject and len(found) < 2:
                continue
            if found:
                if slot in FALLBACK_SLOTS and (not symmetric or len(chosen) < max(rule.min_parties, 1)):
                    penalty += FALLBACK_SLOTS[slot]
                elif slot in FALLBACK_SLOTS:
                    continue
                chosen += [m for m in found if m.name not in {c.name for c in chosen}]
                if not symmetric:
                    break
                if len(chosen) >= max(rule.min_parties, 2) and slot not in ("subj",):
                    break
        fills[role] = chosen
        used |= {m.name for m in chosen}
    return _assemble(rule, trigger, ctx, fills, systems, penalty, attribution)


def _assemble(rule, trigger, ctx, fills, systems, penalty, attribution) -> list[Fact]:
    sent = ctx.sentence
    roles = [r for r, _ in rule.roles]
    required = [r for r in roles if r not in ("venture", "customer", "candidate")]
    if rule.type in SYMMETRIC_TYPES:
        partners = fills.get(required[0], [])
        if len({m.country or m.name for m in partners}) < max(rule.min_parties, 2) and len(partners) < max(rule.min_parties, 2):
            return []
        combos = [dict(fills)]
    else:
        if any(not fills.get(r) for r in required):
            return []
        lists = [[(r, m) for m in fills[r]] for r in required]
        combos = [dict(fills, **{r: [m] for r, m in combo}) for combo in itertools.islice(itertools.product(*lists), MAX_FACTS_PER_TRIGGER)]
    tense = tense_of(trigger, sent.span)
    facts = []
    for combo in combos:
        participants = tuple(_participant(r, m) for r in roles for m in combo.get(r, []))
        if not _plausible(rule, participants):
            continue
        confidence = max(0.05, (BASE_CONFIDENCE - penalty) * (CAPTION_WEIGHT if sent.caption else 1.0))
        facts.append(
            Fact(
                type=rule.type,
                participants=participants,
                systems=tuple(dict.fromkeys(_system_of(s) for s in systems)),
                time=_time(ctx, trigger),
                status=rule.status_for(tense),
                quantity=_quantity(systems, sent),
                money=_money(ctx),
                attributed_to=attribution,
                evidence=sent.span.text.strip(),
                evidence_span=(sent.span.start_char, sent.span.end_char),
                confidence=confidence,
            )
        )
    return facts


def _plausible(rule: Rule, participants: tuple[Participant, ...]) -> bool:
    """Directed facts need two different sides; licensed production needs a foreign design."""
    if rule.type in SYMMETRIC_TYPES or len(participants) < 2:
        return True
    a, b = participants[0], participants[1]
    if a.name == b.name and rule.type != "facility":
        return False
    if rule.type in ("arms_transfer", "licensed_production", "training", "aid") and a.country and a.country == b.country:
        return False
    return True


def extract_facts(article: Article, doc: Doc, recognition: Recognition, rules, kb) -> list[Fact]:
    """Every fact the article states, merged (see module docstring)."""
    sentences = split_sentences(doc, article, recognition)
    pairs = focus_pairs(sentences)
    attributed = attributions(sentences, recognition)
    candidates: list[Fact] = []
    for i, sent in enumerate(sentences):
        ctx = Context(article, sentences, i, pairs[i], kb)
        for rule in rules:
            for trigger in find_triggers(sent, rule):
                candidates += apply_rule(rule, trigger, ctx, attributed[i])
    return merge_facts(candidates)


def fact_identity(fact: Fact) -> tuple:
    """Two candidates are the same fact when type, participants and (for transfers) equipment agree."""
    people = frozenset((p.role if fact.type not in SYMMETRIC_TYPES else "", p.name) for p in fact.participants)
    systems = frozenset(s.name for s in fact.systems) if fact.type in ("arms_transfer",) else frozenset()
    return (fact.type, people, systems)


def merge_facts(candidates: list[Fact]) -> list[Fact]:
    """Merge duplicates, filling empty fields of the first from the later ones."""
    merged: dict[tuple, Fact] = {}
    for fact in candidates:
        key = fact_identity(fact)
        if key not in merged:
            merged[key] = fact
            continue
        first = merged[key]
        merged[key] = replace(
            first,
            time=first.time if first.time.start or first.time.end else (fact.time if fact.time.start or fact.time.end else first.time),
            quantity=first.quantity or fact.quantity,
            money=first.money or fact.money,
            attributed_to=first.attributed_to or fact.attributed_to,
            systems=first.systems or fact.systems,
            confidence=max(first.confidence, fact.confidence),
        )
    return list(merged.values())
