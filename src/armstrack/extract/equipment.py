"""Which equipment a fact is about, and how many.

A trigger's equipment is what its own clause names ("bought 48 K9 howitzers"),
not what the sentence mentions elsewhere; a definite noun ("the jets") points
back at the model named shortly before; equipment named as the loser of a
choice ("over the Rafale") is not acquired.
"""
from __future__ import annotations

import re

from spacy.tokens import Token

from armstrack.extract.figures import parse_number
from armstrack.model import System
from armstrack.extract.sentence import Sentence
from armstrack.extract.slots import Placed, clause_verbs, written_origin

ANAPHORA = re.compile(r"\b(these|those|them|the (remaining|vehicles|ships|drones|aircraft|jets|systems|missiles|submarines|vessels|units|tanks|fighters|helicopters|frigates|corvettes))\b", re.I)


REJECTED = frozenset(("over", "instead", "than", "against"))
# "a drone similar to the MQ-1 Predator": equipment named for comparison is not the fact's equipment
COMPARED = frozenset(("similar", "comparable", "akin", "equivalent", "analogous"))


def compared(system: Placed) -> bool:
    """Equipment named only for comparison: "a drone similar to the MQ-1 Predator"."""
    tok = system.root
    for _ in range(4):
        if tok.head is tok or tok.pos_ in ("VERB", "AUX"):
            return False
        if tok.dep_ == "prep" and tok.lower_ == "to" and tok.head.lower_ in COMPARED:
            return True
        tok = tok.head
    return False


def rejected(system: Placed) -> bool:
    """Equipment named as the loser of a choice: "over X", "instead of X", "rather than X", and
    every item listed after it ("over A's X, B's Y and C's Z")."""
    tok = system.root
    while tok.dep_ == "conj" and tok.head is not tok:
        tok = tok.head
    for _ in range(4):
        if tok.head is tok:
            return False
        if tok.dep_ == "prep" and tok.lower_ in REJECTED or tok.lower_ in ("instead", "than") and tok.dep_ in ("prep", "advmod", "cc"):
            return True
        if tok.pos_ in ("VERB", "AUX"):
            return False
        tok = tok.head
    return False


def own_clause(verb: Token) -> set[int]:
    """Token indices of a verb's clause, without the clauses nested in it."""
    nested = [c for c in verb.children if c.dep_ in ("advcl", "relcl", "ccomp", "conj", "parataxis") and c.pos_ in ("VERB", "AUX")]
    skip = {t.i for c in nested for t in c.subtree}
    return {t.i for t in verb.subtree} - skip


def systems_for(trigger: Token, sents: list[Sentence], index: int, strict: bool = False) -> list[Placed]:
    """Equipment of the trigger's clause (else of the sentence, else what "these" refers to).

    With ``strict`` (rules that need equipment) only the clause counts: in
    "the centre will use the aircraft to provide training", nothing is supplied.
    A specific model hides generic nouns ("drones") of the same clause;
    ``consolidate`` later completes facts that only have generic nouns.
    """
    sent = sents[index]
    systems = [p for p in sent.placed if p.mention.kind == "system" and not compared(p)]
    verb = clause_verbs(trigger)[0]
    clause = own_clause(verb)
    if verb.dep_ == "relcl":  # "a drone ..., which Turkey has been supplying to Ukraine": the antecedent
        clause |= set(range(sent.span.start, verb.i))
    elif verb.dep_ in ("advcl", "acl", "xcomp") and not any(c.dep_ in ("nsubj", "nsubjpass") for c in verb.children):
        clause |= own_clause(verb.head)  # "Eight Orlan-10 drones were shown, purchased from Russia"
    local = [p for p in systems if p.span.start in clause]
    if not local and not strict:
        local = systems
    if strict:  # "chose the F-35A over the Rafale": the Rafale lost
        local = [p for p in local if not rejected(p)]
    if not local and ANAPHORA.search(sent.span.text) and index > 0:
        local = [p for p in sents[index - 1].placed if p.mention.kind == "system"]
    named = [p for p in local if p.mention.form != "generic"]
    # "Orlan-10 drones": the noun only heads the model; "and 40 armoured vehicles": another item
    heads = {q.root.head.i for q in named} | {q.span.end for q in named}
    others = [p for p in local if p.mention.form == "generic" and p.span.start not in heads and p.root.i not in heads]
    if named:
        return named + others
    return local + _antecedents(local, sents, index)


DEFINITE = frozenset("the these those its their such".split())
ANTECEDENT_SENTENCES = 3  # how far back "the jets" looks for the model it refers to


def _antecedents(generic: list[Placed], sents: list[Sentence], index: int) -> list[Placed]:
    """"Fifteen of the jets will be assembled ...": the definite noun points at the model named before."""
    out = []
    for p in generic:
        if not any(t.lower_ in DEFINITE for t in p.span.doc[max(p.span.start - 3, 0):p.span.start]):
            continue
        for back in range(1, ANTECEDENT_SENTENCES + 1):
            if index - back < 0:
                break
            same = [q for q in sents[index - back].placed
                    if q.mention.kind == "system" and q.mention.form != "generic"
                    and q.mention.category == p.mention.category and not rejected(q)]
            if same:
                out += [q for q in same if q.mention.name not in {o.mention.name for o in out}]
                break
    return out


def quantity(systems: list[Placed], sent: Sentence) -> int | None:
    """A count written just before the equipment ("four Turkish Bayraktar TB2s", "30 units of the AS9")."""
    for s in systems:
        if not (sent.span.start <= s.span.start < sent.span.end):
            continue
        doc = s.span.doc
        for tok in reversed(doc[max(sent.span.start, s.span.start - 6):s.span.start]):
            if tok.like_num and not re.fullmatch(r"(19|20)\d\d", tok.text):
                value = parse_number(doc[tok.i:s.span.start].text) or parse_number(tok.text)
                if value:
                    return value
            if tok.pos_ in ("VERB", "ADP", "PUNCT") and tok.lower_ not in ("of", "-"):
                break
    return None


def named_systems(sentences: list[Sentence]) -> list[tuple[int, System, str | None]]:
    """Every model the article names, where, and its origin (knowledge files, else as written)."""
    out = []
    for sent in sentences:
        parties = [p for p in sent.placed if p.mention.kind == "country"]
        for p in sent.placed:
            if p.mention.kind != "system" or p.mention.form == "generic":
                continue
            written = [q.mention.name for q in written_origin(p, parties)]
            origin = p.mention.country or (written[0] if written else None)
            out.append((p.mention.start, System(p.mention.name, p.mention.category or "other"), origin))
    return out
