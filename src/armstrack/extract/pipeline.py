"""The pipeline in one readable place: article in, facts out.

    # 1. clean   (ingest.py / clean.py)  -> Article
    # 2. gate    (domain.py)             -> pages with too few defence cues stop here, unparsed
    # 3. parse   (spaCy)                 -> Doc
    # 4. recognise (recognise.py)        -> mentions of countries, organisations, equipment
    # 5. extract (facts.py)              -> candidate facts, merged (consolidate.py)
    # 6. gate    (domain.py)             -> only candidates with a defence context
    # 7. choose  (quality/scorer.py)     -> each candidate's calibrated probability; those
    #                                       under the emission threshold are not emitted

The ``Extractor`` loads the model, the knowledge files, the rules and the
scorer once and is then applied to any number of articles (``extract_many``
streams them through ``nlp.pipe``). ``explain`` also returns every scored
candidate, kept or not; ``candidates`` returns them unscored, for training.
"""
from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator

from armstrack.extract.domain import DomainGate
from armstrack.extract.facts import extract_facts
from armstrack.knowledge.load import Knowledge, load_knowledge
from armstrack.extract.consolidate import Named, by_hand_confidence
from armstrack.model import Article, Fact
from armstrack.quality.scorer import Scored, extractor_version, load_scorer, resolve_min_confidence
from armstrack.extract.recognise import Recogniser, load_nlp
from armstrack.extract.rules import load_rules

log = logging.getLogger(__name__)

NO_DEFENCE_CONTEXT = "no defence context near the evidence (fact gate)"  # an explain reason
PIPE_BATCH_SIZE = 16  # articles per nlp.pipe batch; news articles are 1-10 kB


class Extractor:
    """Holds the loaded model, knowledge, rules and scorer; turns articles into facts.

    ``scorer``: a model file, "off" for the rules' hand-made confidence, or None for
    ``$ARMSTRACK_SCORER`` or the shipped model. ``min_confidence``: emit facts at or above
    this confidence instead of the model's own threshold (None: ``$ARMSTRACK_MIN_CONFIDENCE``,
    else the model's threshold).
    """

    def __init__(self, model: str | None = None, knowledge: Knowledge | None = None, rules_path: str | None = None,
                 scorer: str | None = None, min_confidence: float | None = None, domain_gate: bool = True):
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
        self.domain = DomainGate(self.kb) if domain_gate else None

    def extract(self, article: Article) -> list[Fact]:
        """Facts of one article."""
        if not self._about_defence(article):
            return []
        return self._from_doc(article, self.nlp(article.text))

    def extract_many(self, articles: Iterable[Article]) -> Iterator[tuple[Article, list[Fact]]]:
        """Facts of many articles, parsed in batches; a page the gate stops is passed as empty text, unparsed."""
        pairs = ((a.text if self._about_defence(a) else "", a) for a in articles)
        for doc, article in self.nlp.pipe(pairs, as_tuples=True, batch_size=PIPE_BATCH_SIZE):
            yield article, (self._from_doc(article, doc) if len(doc) else [])

    def not_parsed_because(self, article: Article) -> str | None:
        """Why the document gate stops this page unparsed (None: it is parsed)."""
        return None if self.domain is None else self.domain.document_verdict(article)

    def _about_defence(self, article: Article) -> bool:
        reason = self.not_parsed_because(article)
        if reason:
            log.info("%s: %s", article.origin, reason)
        return reason is None

    def _gated(self, article: Article, choose, dropped: list[Fact] | None = None):
        """The chooser, given only the candidates with a defence context (training sees the same);
        ``dropped`` collects the others, for ``explain``."""
        if self.domain is None:
            return choose

        def gated(facts: list[Fact], named: Named) -> list[Fact]:
            kept = self.domain.keep_facts(article, facts)
            if dropped is not None:
                kept_ids = {id(f) for f in kept}
                dropped.extend(f for f in facts if id(f) not in kept_ids)
            return choose(kept, named)

        return gated

    def explain(self, article: Article) -> tuple[list[Fact], list[Scored]]:
        """The facts of one article and every candidate the scorer saw (none without a scorer)."""
        record: list[Scored] = []
        if not self._about_defence(article):
            return [], record
        choose = self.scorer.chooser(self.min_confidence, record) if self.scorer else self._choose
        dropped: list[Fact] = []
        facts = self._from_doc(article, self.nlp(article.text), choose, dropped)
        record += [Scored(f, 0.0, ((NO_DEFENCE_CONTEXT, 0.0),), False) for f in dropped]
        return facts, record

    def candidates(self, article: Article) -> tuple[list[Fact], Named]:
        """The merged, unscored candidates of one article and its named models (training data)."""
        if not self._about_defence(article):
            return [], ()
        return self._candidates(article, self.nlp(article.text))

    def candidates_many(self, articles: Iterable[Article]) -> Iterator[tuple[Article, list[Fact], Named]]:
        """``candidates`` of many articles, parsed in batches; a page the gate stops is not parsed."""
        pairs = ((a.text if self._about_defence(a) else "", a) for a in articles)
        for doc, article in self.nlp.pipe(pairs, as_tuples=True, batch_size=PIPE_BATCH_SIZE):
            yield (article, *(self._candidates(article, doc) if len(doc) else ([], ())))

    def _candidates(self, article: Article, doc) -> tuple[list[Fact], Named]:
        seen: list[tuple[list[Fact], Named]] = []

        def keep_all(facts: list[Fact], named: Named) -> list[Fact]:
            seen.append((facts, named))
            return facts

        self._from_doc(article, doc, keep_all)
        return seen[0]

    def _from_doc(self, article: Article, doc, choose=None, dropped: list[Fact] | None = None) -> list[Fact]:
        recognition = self.recogniser(doc)
        return extract_facts(article, doc, recognition, self.rules, self.kb,
                             self._gated(article, choose or self._choose, dropped))
