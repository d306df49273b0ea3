"""Any number of realistic articles for benchmarks, made by resampling the corpus's sentences.

Each generated article is a random run of corpus sentences (as many as a corpus
article has), so the parser and the extractor see the same vocabulary, entities
and trigger words as on real defence news, in new combinations: every text is
new (its own content hash), none is a copy of a corpus article.
"""
from __future__ import annotations

import json
import os
import random
import re
from collections.abc import Iterator
from pathlib import Path

CORPUS = Path(os.environ.get("ARMSTRACK_CORPUS") or Path(__file__).resolve().parents[2] / "shared" / "corpus")
SENTENCES_PER_ARTICLE = (8, 16)  # corpus articles have 105-523 words, ~20 words a sentence
MIN_SENTENCE_WORDS = 5  # drop datelines and bylines, which are not sentences
PARAGRAPH_SENTENCES = 3
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")


def corpus_sentences(corpus: Path = CORPUS) -> list[str]:
    """Every sentence of the corpus texts, in file order."""
    files = sorted(corpus.glob("*.json"))
    if not files:
        raise SystemExit(f"corpus not found at {corpus} (set ARMSTRACK_CORPUS)")
    out = []
    for path in files:
        text = json.loads(path.read_text(encoding="utf-8"))["text"]
        out += [s.strip() for s in _SENTENCE_END.split(text) if len(s.split()) >= MIN_SENTENCE_WORDS]
    return out


def resampled_articles(n: int, seed: int = 0, corpus: Path = CORPUS) -> Iterator[dict]:
    """``n`` article records ({"id", "published", "text"}), generated one at a time."""
    rng = random.Random(seed)
    pool = corpus_sentences(corpus)
    for i in range(n):
        picked = rng.sample(pool, rng.randint(*SENTENCES_PER_ARTICLE))
        paragraphs = [" ".join(picked[j:j + PARAGRAPH_SENTENCES]) for j in range(0, len(picked), PARAGRAPH_SENTENCES)]
        yield {"id": f"resampled-{seed}-{i}", "published": f"{rng.randint(2015, 2025)}-{rng.randint(1, 12):02d}-15",
               "text": "\n\n".join(paragraphs)}


def write_jsonl(path: Path, n: int, seed: int = 0) -> Path:
    """Write ``n`` resampled articles to a JSONL file, streaming (never all in memory)."""
    with path.open("w", encoding="utf-8") as fh:
        for record in resampled_articles(n, seed):
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path
