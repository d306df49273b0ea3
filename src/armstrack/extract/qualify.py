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
# Verbs of saying whose date is only the date of the saying ("..., the minister said on July 10");
# "announced at the end of November that the selection is under way" dates the state it reports.
SAYING_VERBS = frozenset("say tell note add write cite quote".split())
SAID_AFTER = re.compile(
    r"(?:^|[,;:“”\"]\s*)(?P<who>[A-Z][^,;“”\"]{2,90}?)\s+(?:said|says|told|added|adds|noted|announced|stated|reported|confirmed|claimed)\b"
)
ACCORDING = re.compile(r"\baccording to\s+(?:the\s+)?(?P<who>[^,.;]+)", re.I)


# Nouns whose complement is a deal not yet carried out ("a contract to purchase", "an order for").
DEAL_NOUNS = frozenset("contract deal agreement order plan decision approval request tender memorandum".split())
# "has begun to provide", "started constructing": under way.
INCEPTIVE = frozenset("start begin continue keep".split())


NESTED_CLAUSES = ("advcl", "relcl", "ccomp", "parataxis", "acl")


def _clause_text(trigger: Token) -> str:
    """The text of the trigger's own clause (nested clauses excluded), for cue words."""
    from armstrack.extract.slots import clause_verbs

    verb = clause_verbs(trigger)[0]
    nested = {t.i for d in verb.subtree if d is not verb and d.dep_ in NESTED_CLAUSES and trigger not in d.subtree
              for t in d.subtree}
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


# What an infinitive hangs from when it states an intention ("agreed to supply", "talks to buy");
# "were given the opportunity to study" and "have chosen to acquire" report what happened.
INTENT_HEADS = PLAN_VERBS | DEAL_NOUNS | frozenset(
    "seek promise offer ask request approve talk talks effort bid intention proposal want need aim ready willing".split()
)


def _intends(trigger: Token) -> bool:
    head = trigger.head
    while head.dep_ in ("amod", "acomp") and head.head is not head:
        head = head.head
    return head.lemma_.lower() in INTENT_HEADS or head.lower_ in INTENT_HEADS


def tense_of(trigger: Token, sent: Span) -> str:
    """"planned", "progressive", "past", "present" or "default" for the trigger's clause.

    Tried in order: modality and plans ("may start", "is expected to", "will"),
    a deal not yet executed ("signed a contract to purchase"), inception
    ("has begun to provide" is under way), then the verb's tense.
    """
    from armstrack.extract.slots import LIGHT_VERBS, clause_verbs, governing_verb

    if trigger.pos_ in ("NOUN", "PROPN"):
        own = [c for c in trigger.children if c.dep_ in ("acl", "relcl") and c.pos_ == "VERB"]
        if any(c.tag_ in ("VBN", "VBD") for c in own):
            return "past"
    if trigger.tag_ == "VBN" and trigger.dep_ == "acl" and not any(c.dep_.startswith("aux") for c in trigger.children):
        # "the units donated by the United States arrived": a reduced relative reports a done act,
        # unless what it describes is still to come ("systems ordered by India will be delivered")
        outer = trigger.head.head
        if outer is not trigger.head and outer.pos_ in ("VERB", "AUX") and tense_of(outer, sent) == "planned":
            return "planned"
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
    if any(c.dep_ == "aux" and c.tag_ == "TO" for c in trigger.children) and _intends(trigger):
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


# Reporting subjects that name nobody: "This confirms", "Officials said", "it added".
ANONYMOUS = frozenset("this that these those it they we he she officials sources reports report analysts experts".split())
# "The ministry said": the last organisation of that sort named before.
SOURCE_ANAPHORS = ("ministry", "agency", "company", "firm", "government", "department", "council", "office")


def _who_in(phrase, sent, recognition) -> str | None:
    """The person, organisation or outlet named in a reporting phrase (a spaCy span)."""
    start, end = phrase.start_char, phrase.end_char
    for s, e, text in recognition.persons:
        if start <= s < end:
            return _full_name(text, recognition.persons)
    for m in recognition.mentions:
        if start <= m.start < end and m.kind == "organization":
            return m.name
    words = [t for t in phrase if not t.is_punct]
    if not words or words[0].lower_ in ANONYMOUS:
        return None
    head = phrase.root.lower_
    if head in SOURCE_ANAPHORS and words[0].lower_ in ("the", "its"):
        named = [m for m in recognition.mentions if m.kind == "organization" and m.end <= start and head in m.name.lower()]
        return named[-1].name if named else None
    proper = [t for t in words if t.pos_ == "PROPN" and t.ent_type_ not in ("NORP", "GPE")]
    if proper and len(words) <= 5 and words[0].text[:1].isupper():
        return " ".join(t.text for t in words)
    return None  # "Kyrgyz state officials": no one in particular


def sentence_attribution(sent, recognition) -> str | None:
    """Who the sentence says claims it, or None."""
    span = sent.span
    m = ACCORDING.search(span.text)
    if m:
        phrase = span.doc.char_span(span.start_char + m.start("who"), span.start_char + m.end("who"), alignment_mode="expand")
        who = _who_in(phrase, sent, recognition) if phrase is not None else None
        if who:
            return who
    for tok in span:
        if tok.lemma_.lower() in REPORT_VERBS and tok.pos_ == "VERB":
            for s in (c for c in tok.children if c.dep_ in ("nsubj", "nsubjpass")):
                who = _who_in(span.doc[s.left_edge.i:s.right_edge.i + 1], sent, recognition)
                if who:
                    return who
    for m in SAID_AFTER.finditer(span.text):  # "..., Minister Oleksandr Kamyshin said on July 10" (parse missed it)
        phrase = span.doc.char_span(span.start_char + m.start("who"), span.start_char + m.end("who"), alignment_mode="expand")
        who = _who_in(phrase, sent, recognition) if phrase is not None else None
        if who:
            return who
    return None


# A sentence that goes on with the same report: "He added ...", "Moreover, ...", a quote.
CONTINUES = re.compile(r"^\s*(he|she|they|it|moreover|also|in addition|additionally|furthermore|according to (him|her|them)|[“\"])", re.I)


def attributions(sentences, recognition) -> list[str | None]:
    """Attribution per sentence, carried over to the following sentences of the
    same paragraph that continue the report (annotation notes)."""
    out: list[str | None] = []
    current: str | None = None
    paragraph = None
    for sent in sentences:
        if sent.paragraph != paragraph:
            current, paragraph = None, sent.paragraph
        found = sentence_attribution(sent, recognition)
        if found:
            current = found
        elif not CONTINUES.search(sent.span.text):
            current = None
        out.append(found or current)
    return out
