"""Where a mention sits relative to a trigger: the "slot" it fills.

A slot is read off the dependency parse by walking from the mention's head
token up towards the trigger's clause: the first preposition met gives
``prep:<word>``, reaching the clause verb as its subject gives ``subj``, as
its object ``obj``; a demonym or organisation that modifies an equipment
mention is its ``origin`` or ``maker``. The walk is short and tolerant: the
small spaCy parser makes attachment mistakes, so the slots are preferences
tried in order, never hard requirements.
"""
from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Doc, Span, Token

from .model import Mention

SUBJECT_DEPS = ("nsubj", "nsubjpass", "csubj", "expl")
OBJECT_DEPS = ("dobj", "attr", "oprd")
CLAUSE_LINKS = ("xcomp", "aux", "auxpass", "conj", "ccomp", "advcl", "acl", "relcl", "pcomp")
PRONOUNS = frozenset("they we it he she who which that them us".split())
PERSONNEL = frozenset(
    """officer officers pilot pilots personnel soldier soldiers troop troops crew crews cadet
    cadets staff servicemen serviceman specialist specialists force forces student students
    instructor instructors operator operators marine marines sailor sailors""".split()
)
MAX_PRONOUN_HOPS = 2  # "they said they would buy": two clauses up at most
MAX_WALK = 12  # dependency steps; sentences in news rarely nest deeper


@dataclass
class Placed:
    """A mention with its token span in the parsed document."""

    mention: Mention
    span: Span

    @property
    def root(self) -> Token:
        return self.span.root


def clause_verbs(trigger: Token) -> list[Token]:
    """The trigger's verb and the verbs it hangs from ("plans to buy", "will start producing")."""
    tok = trigger
    steps = 0
    while tok.pos_ not in ("VERB", "AUX") and tok.head is not tok and steps < MAX_WALK:
        tok = tok.head
        steps += 1
    chain = [tok]
    while tok.dep_ in ("xcomp", "conj", "ccomp", "advcl", "aux", "pcomp", "acl") and tok.head is not tok and len(chain) < 6:
        tok = tok.head
        if tok.pos_ in ("VERB", "AUX"):
            chain.append(tok)
        else:
            break
    return chain


def subjects(verbs: list[Token], depth: int = 0) -> list[Token]:
    """Subject heads of the clause, resolving pronouns to the governing clause's subject."""
    for verb in verbs:
        subj = [c for c in verb.children if c.dep_ in SUBJECT_DEPS]
        if not subj and verb.dep_ == "relcl":
            return [verb.head]
        for s in subj:
            if s.lower_ in PRONOUNS and verb.head is not verb and depth < MAX_PRONOUN_HOPS:
                deeper = subjects(clause_verbs(verb.head), depth + 1)
                if deeper:
                    return deeper
            if s.lower_ in ("that", "which", "who") and verb.dep_ == "relcl":
                return [verb.head]
        if subj:
            return subj
    return []


def path_to(token: Token, stop: set[int]) -> list[Token]:
    """Tokens from ``token`` (inclusive) up to the first token in ``stop`` (exclusive)."""
    path = [token]
    tok = token
    for _ in range(MAX_WALK):
        if tok.i in stop or tok.head is tok:
            break
        tok = tok.head
        path.append(tok)
    return path


def slot_of(placed: Placed, trigger: Token, verbs: list[Token], system_tokens: set[int]) -> str:
    """The slot of one mention relative to a trigger (see module docstring)."""
    stop = {v.i for v in verbs} | {trigger.i}
    path = path_to(placed.root, stop)
    for tok in path[1:]:
        if tok.i in system_tokens and tok.i not in range(placed.span.start, placed.span.end):
            return "maker" if placed.mention.kind == "organization" else "origin"
        if tok.dep_ in ("prep", "agent", "dative") and tok.i not in stop:
            if tok.dep_ == "dative":
                return "dative"
            return f"prep:{tok.lower_}"
        if tok.i in stop:
            break
    last = path[-1]
    if last.i not in stop:
        return "other"
    below = path[-2] if len(path) > 1 else path[0]
    if placed.root.i in stop:
        return "self"
    if below.dep_ in SUBJECT_DEPS:
        return "subj"
    if below.dep_ in OBJECT_DEPS:
        return "obj"
    if below.dep_ == "dative":
        return "dative"
    if below.dep_ in ("poss", "compound", "amod", "nmod") and last.i == trigger.i:
        return "poss"
    return "other"


def in_subject(placed: Placed, subject_heads: list[Token]) -> bool:
    """True when the mention lies in a subject phrase, not under a preposition inside it."""
    for head in subject_heads:
        tok = placed.root
        for _ in range(MAX_WALK):
            if tok.i == head.i:
                return True
            if tok.dep_ in ("prep", "relcl", "acl", "advcl") or tok.head is tok:
                break
            tok = tok.head
    return False


def modifies_personnel(placed: Placed) -> bool:
    """"Ukrainian pilots", "Qatar's forces", "staff of the Tajik Air Force"."""
    tok = placed.root
    for _ in range(3):
        if tok.lower_ in PERSONNEL and tok.i != placed.root.i:
            return True
        if tok.head is tok:
            break
        if tok.dep_ in ("pobj",) and tok.head.dep_ == "prep" and tok.head.head.lower_ in PERSONNEL:
            return True
        tok = tok.head
    return False


def place_mentions(doc: Doc, mentions) -> list[Placed]:
    """Attach token spans to mentions (expanding to token boundaries)."""
    placed = []
    for m in mentions:
        span = doc.char_span(m.start, m.end, alignment_mode="expand")
        if span is not None and len(span):
            placed.append(Placed(m, span))
    return placed
