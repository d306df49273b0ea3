"""The pipeline in one readable place: article in, facts out.

    # 1. clean   (ingest.py / clean.py)  -> Article
    # 2. parse   (spaCy)                 -> Doc
    # 3. recognise (recognise.py)        -> mentions of countries, organisations, equipment
    # 4. extract (extract.py)            -> merged facts

The ``Extractor`` loads the model, the knowledge files and the rules once and
is then applied to any number of articles (``extract_many`` streams them
through ``nlp.pipe``).
"""
from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator

from armstrack.extract.facts import extract_facts
from armstrack.knowledge.load import Knowledge, load_knowledge
from armstrack.model import EXTRACTOR_VERSION, Article, Fact
from armstrack.extract.recognise import Recogniser, load_nlp
from armstrack.extract.rules import load_rules

log = logging.getLogger(__name__)

PIPE_BATCH_SIZE = 16  # articles per nlp.pipe batch; news articles are 1-10 kB


class Extractor:
    """Holds the loaded model, knowledge and rules; turns articles into facts."""

    version = EXTRACTOR_VERSION

    def __init__(self, model: str | None = None, knowledge: Knowledge | None = None, rules_path: str | None = None):
        self.nlp = load_nlp(model)
        self.kb = knowledge or load_knowledge()
        self.rules = load_rules(rules_path)
        self.recogniser = Recogniser(self.nlp, self.kb)

    def extract(self, article: Article) -> list[Fact]:
        """Facts of one article."""
        return self._from_doc(article, self.nlp(article.text))

    def extract_many(self, articles: Iterable[Article]) -> Iterator[tuple[Article, list[Fact]]]:
        """Facts of many articles, parsed in batches."""
        pairs = ((a.text, a) for a in articles)
        for doc, article in self.nlp.pipe(pairs, as_tuples=True, batch_size=PIPE_BATCH_SIZE):
            yield article, self._from_doc(article, doc)

    def _from_doc(self, article: Article, doc) -> list[Fact]:
        recognition = self.recogniser(doc)
        return extract_facts(article, doc, recognition, self.rules, self.kb)
