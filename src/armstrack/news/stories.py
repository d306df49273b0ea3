"""One story told by many outlets: near-duplicate articles grouped into stories.

A drone deal is republished by a dozen sites, often word for word, with a new
headline, the site's own furniture and a few edited words. Counted naively,
that looks like a dozen confirmations; ``graph.py`` counts stories instead.

Method: each article's text becomes a set of word shingles; MinHash
(datasketch) summarises the set in ``NUM_PERM`` numbers, and LSH cuts those
into ``BANDS`` bands whose hashes are stored as buckets in the database, so
finding the earlier articles that may copy a new one is an indexed lookup, not
a scan, and works across runs and processes. Candidates are then checked with
the exact Jaccard similarity of the shingle sets (texts are in the store), and
an article joins the story of its most similar earlier article when that
similarity reaches ``STORY_MIN_JACCARD``; otherwise it starts a story of its
own. A story's id is the id of its first article.

Assignment happens in ``graph.sync`` (the same lazy step that clusters facts),
one article at a time in id order inside one transaction, so concurrent
ingest workers cannot race each other into two stories for one text.
"""
from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass
from typing import Iterable

from sqlalchemy import delete, func, insert, select
from sqlalchemy.engine import Connection

from armstrack.store.db import articles_table, stories_table, story_buckets_table

logger = logging.getLogger(__name__)

# Word 3-grams. Calibrated on the 21 corpus and 16 devset articles: the most similar pair of
# distinct articles (two Rafale stories) has Jaccard 0.025; a copy with a new headline, cookie
# banner, navigation, credit and teaser lines, its last paragraph dropped and 3 % / 6 % / 10 % of
# its words replaced keeps Jaccard >= 0.45 / 0.38 / 0.32 (mean 0.65 / 0.57 / 0.46). Longer
# shingles separate less (5-grams: copies with 10 % edits fall to 0.24).
SHINGLE_WORDS = 3
# Between the two populations above: 12x the most similar distinct pair, under the worst copy
# with 10 % of its words changed. Republished copies sit far above it (usually > 0.6).
STORY_MIN_JACCARD = 0.3
# LSH: 64 bands of 2 rows. An earlier article with Jaccard 0.3 shares a bucket with probability
# 1 - (1 - 0.3**2)**64 = 0.998; a distinct one at 0.025 only 0.04 (and is then rejected by the
# exact check), so candidates stay few.
BANDS = 64
ROWS_PER_BAND = 2
NUM_PERM = BANDS * ROWS_PER_BAND
MINHASH_SEED = 1  # fixed for ever: stored buckets must be comparable across runs
_WORD = re.compile(r"\w+")
CANDIDATE_CHUNK = 500  # candidate ids per IN (...) list
_BUCKET_BITS = 63  # buckets are signed 64-bit integers in the database


@dataclass(frozen=True)
class Assignment:
    """The story an article was put in, and why."""

    article_id: int
    story_id: int
    matched_article: int | None = None
    similarity: float | None = None


def shingles(text: str) -> set[str]:
    """The article's word ``SHINGLE_WORDS``-grams, lower-cased, punctuation ignored."""
    words = _WORD.findall(text.lower())
    if len(words) < SHINGLE_WORDS:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i:i + SHINGLE_WORDS]) for i in range(len(words) - SHINGLE_WORDS + 1)}


def jaccard(a: set[str], b: set[str]) -> float:
    """|a ∩ b| / |a ∪ b|; 0 for two empty sets."""
    union = len(a | b)
    return len(a & b) / union if union else 0.0


def buckets(shingle_set: Iterable[str]) -> list[int]:
    """The LSH bucket of each band of the set's MinHash signature, band index included."""
    from datasketch import MinHash

    mh = MinHash(num_perm=NUM_PERM, seed=MINHASH_SEED)
    mh.update_batch([s.encode("utf-8") for s in shingle_set])
    values = mh.hashvalues.astype("<u8")
    out = []
    for band in range(BANDS):
        chunk = values[band * ROWS_PER_BAND:(band + 1) * ROWS_PER_BAND].tobytes()
        digest = hashlib.blake2b(band.to_bytes(2, "little") + chunk, digest_size=8).digest()
        out.append(int.from_bytes(digest, "little") >> (64 - _BUCKET_BITS))
    return out


def assign_pending(conn: Connection) -> list[Assignment]:
    """Put every article that has no story yet into one, oldest first; returns the assignments."""
    assigned = select(stories_table.c.article_id).where(stories_table.c.article_id == articles_table.c.id)
    pending = list(conn.execute(select(articles_table.c.id, articles_table.c.text)
                                .where(~assigned.exists()).order_by(articles_table.c.id)))
    out = [_assign(conn, row.id, row.text) for row in pending]
    if out:
        copies = sum(1 for a in out if a.matched_article is not None)
        logger.info("stories: %d articles assigned, %d of them copies of earlier ones", len(out), copies)
    return out


def _assign(conn: Connection, article_id: int, text: str) -> Assignment:
    own = shingles(text)
    keys = buckets(own)
    candidates = sorted(set(conn.execute(
        select(story_buckets_table.c.article_id).where(story_buckets_table.c.bucket.in_(keys))).scalars()))
    best: tuple[float, int, int] | None = None  # (similarity, article id, its story)
    for chunk in (candidates[i:i + CANDIDATE_CHUNK] for i in range(0, len(candidates), CANDIDATE_CHUNK)):
        for row in conn.execute(select(articles_table.c.id, articles_table.c.text, stories_table.c.story_id)
                                .join(stories_table, stories_table.c.article_id == articles_table.c.id)
                                .where(articles_table.c.id.in_(chunk))):
            score = jaccard(own, shingles(row.text))
            if score >= STORY_MIN_JACCARD and (best is None or score > best[0]):
                best = (score, row.id, row.story_id)
    if best is None:
        result = Assignment(article_id, article_id)
    else:
        score, matched, story = best
        result = Assignment(article_id, story, matched, round(score, 4))
        logger.info("article %d copies article %d (Jaccard %.2f): story %d", article_id, matched, score, story)
    conn.execute(insert(stories_table).values(article_id=article_id, story_id=result.story_id,
                                              matched_article=result.matched_article,
                                              similarity=result.similarity))
    conn.execute(delete(story_buckets_table).where(story_buckets_table.c.article_id == article_id))
    conn.execute(insert(story_buckets_table), [{"bucket": b, "article_id": article_id} for b in set(keys)])
    return result


def stories_of(conn: Connection, article_ids: Iterable[int]) -> dict[int, int]:
    """Story id by article id (articles not yet assigned are left out)."""
    ids = sorted(set(article_ids))
    if not ids:
        return {}
    return dict(conn.execute(select(stories_table.c.article_id, stories_table.c.story_id)
                             .where(stories_table.c.article_id.in_(ids))).all())


def story_sizes(conn: Connection, story_ids: Iterable[int]) -> dict[int, int]:
    """How many stored articles tell each story."""
    ids = sorted(set(story_ids))
    if not ids:
        return {}
    return dict(conn.execute(select(stories_table.c.story_id, func.count())
                             .where(stories_table.c.story_id.in_(ids)).group_by(stories_table.c.story_id)).all())


def story_groups(engine, article_ids: Iterable[int]) -> dict[int, tuple[int, int]]:
    """(story id, number of articles telling it) by article id, for reports after an ingest."""
    with engine.connect() as conn:
        story_of = stories_of(conn, article_ids)
        sizes = story_sizes(conn, story_of.values())
    return {a: (s, sizes.get(s, 1)) for a, s in story_of.items()}
