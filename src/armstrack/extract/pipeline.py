"""The pipeline in one readable place: article in, facts out.

    # 1. clean   (ingest.py / clean.py)  -> Article
    # 2. parse   (spaCy)                 -> Doc
    # 3. recognise (recognise.py)        -> mentions of countries, organisations, equipment
    # 4. extract (facts.py)              -> candidate facts, merged (consolidate.py)
    # 5. choose  (quality/scorer.py)     -> each candidate's calibrated probability; those
    #                                       under the emission threshold are not emitted

The ``Extractor`` loads the model, the knowledge files, the rules and the
scorer once and is then applied to any number of articles (``extract_many``
streams them through ``nlp.pipe``). ``explain`` also returns every scored
candidate, kept or not; ``candidates`` returns them unscored, for training.
"""
from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator

from armstrack.extract.facts import extract_facts
from armstrack.knowledge.load import Knowledge, load_knowledge
from armstrack.extract.consolidate import Named, by_hand_confidence
from armstrack.model import Article, Fact
from armstrack.quality.scorer import Scored, extractor_version, load_scorer, resolve_min_confidence
from armstrack.extract.recognise import Recogniser, load_nlp
from armstrack.extract.rules import load_rules

log = logging.getLogger(__name__)

PIPE_BATCH_SIZE = 16  # articles per nlp.pipe batch; news articles are 1-10 kB


class Extractor:
    """Holds the loaded model, knowledge, rules and scorer; turns articles into facts.

    ``scorer``: a model file, "off" for the rules' hand-made confidence, or None for
    ``$ARMSTRACK_SCORER`` or the shipped model. ``min_confidence``: emit facts at or above
    this confidence instead of the model's own threshold (None: ``$ARMSTRACK_MIN_CONFIDENCE``,
    else the model's threshold).
    """

    def __init__(self, model: str | None = None, knowledge: Knowledge | None = None, rules_path: str | None = None,
                 scorer: str | None = None, min_confidence: float | None = None):
        self.nlp = load_nlp(model)
        self.kb = knowledge or load_knowledge()
        self.rules = load_rules(rules_path)
        self.recogniser = Recogniser(self.nlp, self.kb)
        self.scorer = load_scorer(scorer)
        self.min_confidence = min_confidence = resolve_min_confidence(min_confidence)
        self.version = extractor_version(self.scorer, min_confidence)
        if self.scorer is not None:
            self._choose = self.scorer.chooser(min_confidence)
        elif min_confidence is not None:
            self._choose = lambda facts, named: [f for f in facts if f.confidence >= min_confidence]
        else:
            self._choose = by_hand_confidence

    def extract(self, article: Article) -> list[Fact]:
        """Facts of one article."""
        return self._from_doc(article, self.nlp(article.text))

    def extract_many(self, articles: Iterable[Article]) -> Iterator[tuple[Article, list[Fact]]]:
        """Facts of many articles, parsed in batches."""
        pairs = ((a.text, a) for a in articles)
        for doc, article in self.nlp.pipe(pairs, as_tuples=True, batch_size=PIPE_BATCH_SIZE):
            yield article, self._from_doc(article, doc)

    def explain(self, article: Article) -> tuple[list[Fact], list[Scored]]:
        """The facts of one article and every candidate the scorer saw (none without a scorer)."""
        record: list[Scored] = []
        choose = self.scorer.chooser(self.min_confidence, record) if self.scorer else self._choose
        return self._from_doc(article, self.nlp(article.text), choose), record

    def candidates(self, article: Article, doc=None) -> tuple[list[Fact], Named]:
        """The merged, unscored candidates of one article and its named models (training data)."""
        seen: list[tuple[list[Fact], Named]] = []

        def keep_all(facts: list[Fact], named: Named) -> list[Fact]:
            seen.append((facts, named))
            return facts

        self._from_doc(article, doc if doc is not None else self.nlp(article.text), keep_all)
        return seen[0]

    def candidates_many(self, articles: Iterable[Article]) -> Iterator[tuple[Article, list[Fact], Named]]:
        pairs = ((a.text, a) for a in articles)
        for doc, article in self.nlp.pipe(pairs, as_tuples=True, batch_size=PIPE_BATCH_SIZE):
            yield (article, *self.candidates(article, doc))

    def _from_doc(self, article: Article, doc, choose=None) -> list[Fact]:
        recognition = self.recogniser(doc)
        return extract_facts(article, doc, recognition, self.rules, self.kb, choose or self._choose)
