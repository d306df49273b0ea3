"""engines.py: a broken extraction fails only its own article; workers load the model once."""
from __future__ import annotations

from armstrack.run.engines import InlineMapper, extract_batch, open_mapper, shared_extractor
from armstrack.model import Article, InputFailure

GOOD, BAD = Article("good.txt", "Poland bought K2 tanks."), Article("bad.txt", "this one breaks the extractor")


class Fragile:
    """An extractor that raises on one text, in a batch and alone."""

    def extract_many(self, articles):
        for a in articles:
            yield a, self.extract(a)

    def extract(self, article):
        if article is BAD:
            raise ValueError("odd text")
        return ["fact of " + article.origin]


def test_a_broken_article_fails_alone_and_its_batch_goes_on():
    out = extract_batch(Fragile(), [GOOD, BAD, GOOD])
    assert out[0] == out[2] == ["fact of good.txt"]
    assert out[1] == InputFailure("bad.txt", "extraction failed: ValueError: odd text")


def test_one_worker_runs_in_this_process_with_the_shared_model():
    with open_mapper("local", 1) as mapper:
        assert isinstance(mapper, InlineMapper) and mapper.workers == 1
        assert mapper.extractor is shared_extractor(None)
        (facts,) = mapper.collect(mapper.submit([GOOD]))
    assert isinstance(facts, list)
