"""A parsed sentence with what extraction needs to know about it: its paragraph,
whether it is a photo caption, the recognised names placed in it, and a word index.

Kept apart from ``facts.py`` so the equipment and role helpers can take sentences
without importing the fact builder that calls them.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from spacy.tokens import Doc, Span, Token

from armstrack.extract.recognise import Recognition
from armstrack.extract.slots import Placed, place_mentions
from armstrack.model import Article

NOT_TRIGGERS = frozenset(("according",))  # a word that looks like a trigger lemma but never is one


@dataclass
class Sentence:
    span: Span
    paragraph: int
    caption: bool
    placed: list[Placed]

    @cached_property
    def lower(self) -> str:
        return self.span.text.lower()

    @cached_property
    def named(self) -> frozenset[int]:
        """Token indices inside recognised names."""
        return frozenset(i for p in self.placed for i in range(p.span.start, p.span.end))

    @cached_property
    def words(self) -> dict[str, list[Token]]:
        """Tokens by lemma and by lower-case form, built once: every rule looks its words up here."""
        index: dict[str, list[Token]] = {}
        for t in self.span:
            if t.i in self.named or t.lower_ in NOT_TRIGGERS:
                continue
            for key in {t.lemma_.lower(), t.lower_}:
                index.setdefault(key, []).append(t)
        return index


def split_sentences(doc: Doc, article: Article, recognition: Recognition) -> list[Sentence]:
    """Sentences with their paragraph number (a paragraph is a line) and caption flag."""
    placed = place_mentions(doc, recognition.mentions)
    out: list[Sentence] = []
    for sent in doc.sents:
        if not sent.text.strip():
            continue
        paragraph = article.text.count("\n", 0, sent.start_char)
        caption = any(s <= sent.start_char < e for s, e in article.captions)
        mine = [p for p in placed if sent.start <= p.span.start < sent.end]
        out.append(Sentence(sent, paragraph, caption, mine))
    return out
