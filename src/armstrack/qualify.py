"""Qualifiers of a fact that come from the wording around it: tense and attribution.

Tense decides status ("may start producing" is planned, "signed" completed,
"is underway" ongoing, "operates" reported); attribution records who the
article says claims the fact ("According to the Jamestown Foundation",
"Defense Express adds"), carried over to the following sentences of the same
paragraph as the annotation notes ask.
"""
from __future__ import annotations

import re

from spacy.tokens import Span, Token

MODALS = frozenset("will would shall may might could should 'll wo".split())
PLAN_VERBS = frozenset(
    """plan expect aim intend seek hope want wish prepare schedule envisage envision pledge
    propose consider set negotiate discuss announce decide agree""".split()
)
PLAN_WORDS = re.compile(
    r"\b(will|would|plans?|planned|planning|expected|set to|to be|is to|are to|aims?|intends?|"
    r"envisaged|pledged|willing|next year|in the coming|future|to begin|to start|draft|under negotiation|negotiat\w+|likely|"
    r"in talks|talks|considering|interested in|seeks?|seeking|wants?|approved|approves|offered|proposed)\b",
    re.I,
)
ONGOING_WORDS = re.compile(r"\b(underway|under way|ongoing|continues|continuing|since|has been \w+ing|have been \w+ing|currently)\b", re.I)

REPORT_VERBS = frozenset("say tell report announce note add state claim confirm write cite reveal quote".split())
ACCORDING = re.compile(r"\baccording to\s+(?:the\s+)?(?P<who>[^,.;]+)", re.I)


# Nouns whose complement is a deal not yet carried out ("a contract to purchase", "an order for").
DEAL_NOUNS = frozenset("contract deal agreement order plan decision approval request tender memorandum".split())
# "has begun to provide", "started constructing": under way.
INCEPTIVE = frozenset("start begin continue keep".split())


def _clause_text(trigger: Token) -> str:
    """The text of the trigger's own clause (nested clauses excluded), for cue words."""
    from .slots import clause_verbs

    verb = clause_verbs(trigger)[0]
    nested = {t.i for c in verb.children if c.dep_ in ("advcl", "relcl", "ccomp", "parataxis") for t in c.subtree}
    return " ".join(t.text for t in verb.subtree if t.i not in nested)


def _in_deal(trigger: Token) -> bool:
    """"a contract for the acquisition of", "signed the contract to purchase", "an order to buy"."""
    tok = trigger
    for _ in range(4):
        if tok.head is tok:
            return False
        if tok.dep_ not in ("pobj", "prep", "acl", "xcomp", "compound", "aux") and tok is not trigger:
            return False
        tok = tok.head
        if tok.lemma_.lower() in DEAL_NOUNS and tok.pos_ == "NOUN":
            return True
    return False


def _chosen(trigger: Token) -> bool:
    """"have chosen to acquire the CV90": the choice is made, the equipment is theirs."""
    head = trigger.head
    return head.lemma_.lower() in ("choose", "opt", "select") and head.tag_ in ("VBD", "VBN")


def tense_of(trigger: Token, sent: Span) -> str:
    """"planned", "progressive", "past", "present" or "default" for the trigger's clause.

    Tried in order: modality and plans ("may start", "is expected to", "will"),
    a deal not yet executed ("signed a contract to purchase"), inception
    ("has begun to provide" is under way), then the verb's tense.
    """
    from .slots import LIGHT_VERBS, clause_verbs, governing_verb

    if trigger.pos_ in ("NOUN", "PROPN"):
        own = [c for c in trigger.children if c.dep_ in ("acl", "relcl") and c.pos_ == "VERB"]
        if any(c.tag_ in ("VBN", "VBD") for c in own):
            return "past"
    verbs = clause_verbs(trigger)
    aux = [c for v in verbs for c in v.children if c.dep_ in ("aux", "auxpass")]
    lemmas = {t.lemma_.lower() for t in verbs} | {t.lower_ for t in aux}
    clause = _clause_text(trigger)
    if lemmas & MODALS or any(v.lemma_.lower() in PLAN_VERBS and v.i != trigger.i for v in verbs):
        return "planned"
    if PLAN_WORDS.search(clause) and not re.search(r"\b(was|were|had)\b", clause):
        return "planned"
    if _in_deal(trigger):
        return "planned"
    if ONGOING_WORDS.search(clause) or any(t.tag_ == "VBG" and any(a.lemma_ == "be" for a in aux) for t in verbs):
        return "progressive"
    if any(v.lemma_.lower() in INCEPTIVE and v.i != trigger.i for v in verbs):
        return "progressive"
    if any(c.dep_ == "aux" and c.tag_ == "TO" for c in trigger.children) and not _chosen(trigger):
        return "planned"  # "is in talks to buy", "agreed to supply": intended, not done
    if trigger.pos_ in ("NOUN", "PROPN"):
        verb = governing_verb(trigger)
        if verb is None or verb.lemma_.lower() not in LIGHT_VERBS:
            return "default"  # "the activity of AZAD Systems, a joint venture": only said to exist
    tags = {v.tag_ for v in verbs} | {a.tag_ for a in aux}
    if tags & {"VBD"} or ("VBN" in tags and {"have", "has", "had"} & {a.lower_ for a in aux}):
        return "past"
    if tags & {"VBZ", "VBP"}:
        return "present"
    return "default"


def _full_name(surname: str, persons) -> str:
    """"Kamyshin" -> "Oleksandr Kamyshin" when the article named him in full before."""
    for _, _, text in persons:
        if text.split()[-1] == surname.split()[-1] and len(text.split()) >= len(surname.split()):
            return text
    return surname


def _who_in(span_text: str, start_char: int, sent, recognition) -> str | None:
    """The person, organisation or outlet named in a reporting phrase."""
    end = start_char + len(span_text)
    for s, e, text in recognition.persons:
        if start_char <= s < end:
            return _full_name(text, recognition.persons)
    for m in recognition.mentions:
        if start_char <= m.start < end and m.kind == "organization":
            return m.name
    words = span_text.strip().split()
    if words and words[0][:1].isupper() and len(words) <= 5:
        return " ".join(words)
    return None


def sentence_attribution(sent, recognition) -> str | None:
    """Who the sentence says claims it, or None."""
    span = sent.span
    m = ACCORDING.search(span.text)
    if m:
        who = _who_in(m.group("who"), span.start_char + m.start("who"), sent, recognition)
        if who:
            return who
    for tok in span:
        if tok.lemma_.lower() in REPORT_VERBS and tok.pos_ == "VERB":
            subj = [c for c in tok.children if c.dep_ in ("nsubj", "nsubjpass")]
            for s in subj:
                phrase = span.doc[s.left_edge.i:s.right_edge.i + 1]
                if s.lower_ in ("he", "she") :
                    continue
                who = _who_in(phrase.text, phrase.start_char, sent, recognition)
                if who and who.lower() not in ("it", "they", "we", "officials", "the ministry"):
                    return who
    return None


def attributions(sentences, recognition) -> list[str | None]:
    """Attribution per sentence, carried over within a paragraph (annotation notes)."""
    out: list[str | None] = []
    current: str | None = None
    paragraph = None
    for sent in sentences:
        if sent.paragraph != paragraph:
            current, paragraph = None, sent.paragraph
        found = sentence_attribution(sent, recognition)
        if found:
            current = found
        out.append(current)
    return out
