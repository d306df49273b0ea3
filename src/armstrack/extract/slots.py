"""Where a mention sits relative to a trigger: the "slot" it fills.

A slot is read off the dependency parse by walking from the mention's head
token up towards the trigger's clause: the first preposition met gives
``prep:<word>``, reaching the clause verb as its subject gives ``subj``, as
its object ``obj``; a demonym or organisation written on an equipment mention
is its ``origin`` or ``maker``; a possessor of another party ("Turkey's
Aselsan") is a ``descriptor``, not a party. The small spaCy parser makes
attachment mistakes, so slots are preferences tried in order, and the origin
of equipment is also read off the surface of its noun phrase.
"""
from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Doc, Span, Token

from armstrack.model import Mention

SUBJECT_DEPS = ("nsubj", "nsubjpass", "csubj")
OBJECT_DEPS = ("dobj", "attr", "oprd")
# Dependencies that keep us inside one predicate when climbing from the trigger.
CLAUSE_LINKS = ("xcomp", "aux", "auxpass", "conj", "ccomp", "advcl", "pcomp", "acomp", "prep", "pobj", "dobj", "acl", "relcl")
PRONOUNS = frozenset("they we it he she them us i".split())
RELATIVES = frozenset("that which who whom".split())
PERSONNEL = frozenset(
    """officer officers pilot pilots personnel soldier soldiers troop troops crew crews cadet
    cadets staff servicemen serviceman specialist specialists force forces student students
    operator operators marine marines sailor sailors commander commanders
    technician technicians engineer engineers""".split()
)
MODIFIER_DEPS = ("amod", "compound", "nmod", "poss", "npadvmod", "nummod")
# Verbs whose object noun carries the fact: the verb's subject is the noun's agent
# ("Qatar signed an agreement", "Aselsan opened a plant", "they placed an order").
LIGHT_VERBS = frozenset(
    """sign conclude ink reach finalize finalise place make give provide hold launch begin start complete win
    award announce establish create form set open build construct inaugurate approve receive get enter
    produce manufacture assemble operate run""".split()
)
# Object-control verbs: in "X was contracted by Y to build" and "Y awarded a contract to X to build"
# the builder is X (the verb's object or passive subject), and Y is who commissioned the work.
OBJECT_CONTROL_VERBS = frozenset(
    """award contract commission hire select choose pick task ask engage authorize authorise tap mandate
    invite order sign""".split()
)
MAX_WALK = 12  # dependency steps; sentences in news rarely nest deeper
MAX_PRONOUN_HOPS = 2  # "they said they would buy": two clauses up at most
MAX_CLAUSE_VERBS = 4
NP_SCAN_TOKENS = 8  # how far left of an equipment name its origin adjective may stand
NP_POS = frozenset(("ADJ", "NOUN", "PROPN", "NUM", "DET", "CCONJ", "PUNCT", "ADV"))


@dataclass
class Placed:
    """A mention with its token span in the parsed document."""

    mention: Mention
    span: Span

    @property
    def root(self) -> Token:
        return self.span.root


def clause_verbs(trigger: Token) -> list[Token]:
    """The trigger's own verb and the verbs its clause hangs from.

    "plans to buy", "will start producing", "are willing to give": the subject
    of a controlling verb is the subject of the trigger too.
    """
    tok = trigger
    chain: list[Token] = []
    for _ in range(MAX_WALK):
        if tok.pos_ in ("VERB", "AUX") and tok not in chain:
            chain.append(tok)
            if len(chain) >= MAX_CLAUSE_VERBS:
                break
        if tok.head is tok:
            break
        if chain and tok.dep_ not in ("xcomp", "conj", "advcl", "acomp", "aux", "ccomp", "pcomp"):
            break
        tok = tok.head
    return chain or [trigger]


@dataclass
class Control:
    """Who does an infinitive trigger's action ("doer") and who commissioned it ("employer")."""

    doers: list[Token]
    employers: list[Token]


def object_control(trigger: Token) -> Control | None:
    """The understood subject of an infinitive under an object-control verb, else None.

    "Navantia was contracted by Saudi Arabia to build corvettes": the builder is
    Navantia, Saudi Arabia the employer. "The Navy awarded a contract to Fincantieri
    to build frigates", "selected Babcock to design": Fincantieri, Babcock build.
    """
    if trigger.pos_ != "VERB" or not any(c.dep_ == "aux" and c.lower_ == "to" for c in trigger.children):
        return None
    if any(c.dep_ in SUBJECT_DEPS for c in trigger.children):
        return None
    head = trigger.head
    verb = head if head.pos_ in ("VERB", "AUX") else governing_verb(head)
    if verb is None or verb.lemma_.lower() not in OBJECT_CONTROL_VERBS:
        return None
    kids = list(verb.children) + ([] if head is verb else list(head.children))
    passive = any(c.dep_ in ("nsubjpass", "auxpass") for c in verb.children)
    if passive:
        doers = [c for c in verb.children if c.dep_ == "nsubjpass"]
        employers = [g for c in verb.children if c.dep_ == "agent" for g in c.children if g.dep_ == "pobj"]
    else:
        doers = [c for c in kids if c.dep_ == "dative" and c.lower_ != "to"]  # "awarded Fincantieri a contract"
        doers += [g for c in kids if c.dep_ in ("prep", "dative") and c.lower_ == "to"
                  for g in c.children if g.dep_ == "pobj"]  # "awarded a contract to Fincantieri"
        if not doers and head is verb:
            doers = [c for c in verb.children if c.dep_ == "dobj"]
        employers = subjects([verb])
    return Control(doers, employers) if doers else None


def subjects(verbs: list[Token], depth: int = 0) -> list[Token]:
    """Subject heads of the clause; pronouns and relative pronouns resolved one clause up."""
    for verb in verbs:
        subj = [c for c in verb.children if c.dep_ in SUBJECT_DEPS]
        if not subj and verb.dep_ == "relcl":
            return [verb.head]
        out = []
        for s in subj:
            if s.lower_ in RELATIVES and verb.dep_ == "relcl":
                out.append(verb.head)
            elif s.lower_ in PRONOUNS and verb.head is not verb and depth < MAX_PRONOUN_HOPS:
                out += subjects(clause_verbs(verb.head), depth + 1) or [s]
            else:
                out.append(s)
        if out:
            return out
    return []


def governing_verb(noun: Token) -> Token | None:
    """The verb a noun trigger is the object of ("signed a contract for the acquisition of ...")."""
    tok = noun
    for _ in range(MAX_WALK):
        if tok.head is tok:
            return None
        if tok.dep_ not in ("dobj", "pobj", "prep", "conj", "compound", "appos", "nsubjpass", "attr", "npadvmod", "amod"):
            return None
        tok = tok.head
        if tok.pos_ in ("VERB", "AUX"):
            return tok
    return None


def ancestor_verbs(trigger: Token) -> list[Token]:
    """Verbs above the trigger's clause, nearest first ("X announced that the process of selecting ...")."""
    out = []
    tok = trigger
    for _ in range(MAX_WALK):
        if tok.head is tok:
            break
        tok = tok.head
        if tok.pos_ in ("VERB", "AUX"):
            out.append(tok)
    return out


def path_to(token: Token, stop: set[int]) -> list[Token]:
    """Tokens from ``token`` (inclusive) up to the first token in ``stop`` (inclusive)."""
    path = [token]
    tok = token
    for _ in range(MAX_WALK):
        if tok.i in stop or tok.head is tok:
            break
        tok = tok.head
        path.append(tok)
    return path


def slot_of(placed: Placed, trigger: Token, verbs: list[Token], system_tokens: set[int], party_roots: set[int]) -> str:
    """The slot of one party mention relative to a trigger (see module docstring)."""
    own = set(range(placed.span.start, placed.span.end))
    root = placed.root
    if root.dep_ in ("poss", "compound") and root.head.i in party_roots and root.head.i not in own:
        return "descriptor"
    if root.dep_ == "appos" and root.head.i in party_roots:
        return "descriptor"
    if root.dep_ in ("compound", "amod", "nmod") and root.head.dep_ == "appos" and root.head.head.i in party_roots:
        return "descriptor"  # "Lockheed Martin, the U.S. company which ..."
    stop = {v.i for v in verbs} | {trigger.i}
    path = path_to(root, stop)
    for below, tok in zip(path, path[1:]):
        if tok.i in system_tokens and tok.i not in own and below.dep_ in MODIFIER_DEPS:
            return "maker" if placed.mention.kind == "organization" else "origin"
        if tok.dep_ == "dative":
            return "dative"
        if tok.dep_ in ("prep", "agent") and tok.i not in stop:
            if _made_by(tok, system_tokens):
                return "maker" if placed.mention.kind == "organization" else "origin"
            return f"prep:{tok.lower_}"
        if tok.i in stop:
            break
    last = path[-1]
    if last.i not in stop:
        return "other"
    if root.i in stop:
        return "self"
    below = path[-2] if len(path) > 1 else path[0]
    if below.dep_ in SUBJECT_DEPS:
        return "subj"
    if below.dep_ in OBJECT_DEPS:
        return "obj"
    if below.dep_ == "dative":
        return "dative"
    if below.dep_ in ("poss", "compound", "amod", "nmod") and last.i == trigger.i:
        return "poss"
    return "other"


MAKING_VERBS = frozenset("make build develop design produce manufacture construct supply".split())


def _made_by(prep: Token, system_tokens: set[int]) -> bool:
    """"The SkyLark UAV, developed by Elbit": a "by" under a making participle that describes equipment."""
    verb = prep.head
    return (prep.lower_ == "by" and verb.tag_ == "VBN" and verb.lemma_.lower() in MAKING_VERBS
            and verb.dep_ in ("acl", "amod", "relcl") and verb.head.i in system_tokens)


def in_phrase(placed: Placed, heads: list[Token]) -> bool:
    """True when the mention lies in one of these phrases, not under a preposition or clause inside it."""
    for head in heads:
        tok = placed.root
        for _ in range(MAX_WALK):
            if tok.i == head.i:
                return True
            if tok.dep_ in ("prep", "relcl", "acl", "advcl", "pobj") or tok.head is tok:
                break
            tok = tok.head
    return False


def written_origin(system: Placed, parties: list[Placed]) -> list[Placed]:
    """Countries/organisations written on the equipment: "Turkish ANKA drones", "Chinese-made Wing Loong",
    "Baykar drones", "Turkish defence company Baykar made Bayraktar TB2".

    Read off the surface: scan left over the noun phrase (adjectives, nouns,
    names, numbers, determiners, hyphens) and one token right for "-made".
    """
    doc = system.span.doc
    by_start = {p.span.start: p for p in parties}
    by_end = {p.span.end: p for p in parties}
    found = []
    i = system.span.start - 1
    steps = 0
    while i >= 0 and steps < NP_SCAN_TOKENS:
        tok = doc[i]
        if tok.is_space or tok.is_sent_start and i != system.span.start - 1 and tok.i not in by_start:
            break
        if (i + 1) in by_end:
            party = by_end[i + 1]
            found.append(party)
            i = party.span.start - 1
            steps += 1
            continue
        if tok.pos_ not in NP_POS and tok.lower_ not in ("made", "built", "-", "designed", "origin"):
            break
        if tok.pos_ == "PUNCT" and tok.text not in ("-", "‑"):
            break
        i -= 1
        steps += 1
    return found


def org_descriptors(org: Placed, parties: list[Placed]) -> list[Placed]:
    """Countries written just before an organisation describe it ("the Turkish state-owned company
    Aselsan", "the Kazakh state-owned enterprise Ural Plant Zenit"): they are not parties."""
    doc = org.span.doc
    by_end = {p.span.end: p for p in parties}
    found = []
    i = org.span.start - 1
    for _ in range(NP_SCAN_TOKENS):
        if i < 0:
            break
        if (i + 1) in by_end:
            party = by_end[i + 1]
            if party.mention.kind != "country":
                break
            found.append(party)
            i = party.span.start - 1
            continue
        tok = doc[i]
        if tok.is_space or tok.pos_ not in ("ADJ", "NOUN", "DET", "ADV", "PUNCT", "VERB") or tok.pos_ == "PUNCT" and tok.text not in ("-", "‑"):
            break
        if tok.pos_ == "VERB" and tok.tag_ != "VBN":
            break
        i -= 1
    return found


def modifies_personnel(placed: Placed) -> bool:
    """"Ukrainian pilots", "Qatar's forces", "staff of the Tajik Air Force", "officers from Kazakhstan".

    Only a direct modifier counts: a name somewhere below a personnel noun
    ("personnel ... training in India") is where they trained, not who they are.
    """
    tok = placed.root
    while tok.dep_ == "conj" and tok.head is not tok:
        tok = tok.head
    if tok.dep_ in ("amod", "compound", "poss", "nmod") and tok.head.lower_ in PERSONNEL:
        return True
    return tok.dep_ == "pobj" and tok.head.lower_ in ("of", "from") and tok.head.head.lower_ in PERSONNEL


def place_mentions(doc: Doc, mentions) -> list[Placed]:
    """Attach token spans to mentions (expanding to token boundaries)."""
    placed = []
    for m in mentions:
        span = doc.char_span(m.start, m.end, alignment_mode="expand")
        if span is not None and len(span):
            placed.append(Placed(m, span))
    return placed
