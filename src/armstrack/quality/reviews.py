"""Analysts' review decisions as training data for the scorer (``armstrack train --db``).

A review (``graph.review``) is stored against a merged fact (a cluster); each
stored fact of that cluster is one reading of one article. Accepted readings
are positives, rejected ones negatives, and a correction both: the original
reading negative, the corrected one positive. Each reviewed article is then
extracted again with scoring off, and its candidates take the label of the
reading they match under the lenient rules of ``score.py`` (a positive wins
when a candidate matches both, as after a status or date correction, which the
matching rules do not compare); candidates matching no reading stay unlabelled.
The store's article text is used, so this works for articles with no gold file.
"""
from __future__ import annotations

from dataclasses import replace

from sqlalchemy import select

from armstrack.model import Article, Fact, TimeSpan
from armstrack.quality.score import LENIENT, fact_matches
from armstrack.quality.train import Example, completed, make_example
from armstrack.store.db import clusters_table, cluster_facts_table, facts_table, open_store, reviews_table

# An analyst's decision on the very fact extracted from an article is worth more than one label of
# the gold corpus: it is a direct judgement of a reading the model emitted. Trained on the corpus and
# the devset without the reviewed article, one rejected reading (0.93, tests/quality/test_train.py)
# falls to 0.26 at weight 10, 0.10 at 30 and 0.07 at 50, each under the retrained threshold (~0.3-0.4);
# 30 moves it decisively without letting one review outweigh a whole article of gold labels.
REVIEW_WEIGHT = 30.0


def _corrected(fact: Fact, corrections: dict[str, str]) -> Fact:
    time = fact.time
    if "time_start" in corrections or "time_end" in corrections:
        time = TimeSpan(time.text, corrections.get("time_start", time.start), corrections.get("time_end", time.end))
    quantity = int(corrections["quantity"]) if corrections.get("quantity", "").isdigit() else fact.quantity
    return replace(fact, status=corrections.get("status", fact.status), time=time, quantity=quantity)


def reviewed_readings(db: str) -> list[tuple[Article, list[tuple[Fact, int]]]]:
    """Each reviewed article with its reviewed readings, labelled 1 (accepted/corrected) or 0."""
    with open_store(db) as store:
        with store.engine.connect() as conn:
            latest: dict[str, tuple[str, dict[str, str]]] = {}
            for r in conn.execute(select(reviews_table).order_by(reviews_table.c.decided_at, reviews_table.c.id)):
                decision, fields = latest.get(r.cluster_key, ("", {}))
                if r.decision == "correct":
                    latest[r.cluster_key] = ("correct", {**(fields if decision == "correct" else {}), r.field: r.value})
                else:
                    latest[r.cluster_key] = (r.decision, {})
            members: dict[int, list[tuple[int, str, dict[str, str]]]] = {}  # article id -> (fact id, decision, fields)
            for key in sorted(latest):
                rows = conn.execute(select(facts_table.c.id, facts_table.c.article_id)
                                    .join(cluster_facts_table, cluster_facts_table.c.fact_id == facts_table.c.id)
                                    .join(clusters_table, clusters_table.c.id == cluster_facts_table.c.cluster_id)
                                    .where(clusters_table.c.key == key)).all()
                for fact_id, article_id in rows:
                    members.setdefault(article_id, []).append((fact_id, *latest[key]))
            ids_of = {aid: conn.execute(select(facts_table.c.id).where(facts_table.c.article_id == aid)
                                        .order_by(facts_table.c.id)).scalars().all() for aid in members}
        out = []
        for stored in store.iter_articles():
            if stored.article_id not in members:
                continue
            facts = dict(zip(ids_of[stored.article_id], store.facts_for_article(stored.article_id)))
            readings = []
            for fact_id, decision, fields in members[stored.article_id]:
                fact = facts[fact_id]
                if decision == "accept":
                    readings.append((fact, 1))
                elif decision == "reject":
                    readings.append((fact, 0))
                else:
                    readings += [(fact, 0), (_corrected(fact, fields), 1)]
            out.append((stored.article, readings))
    return out


def label_by_readings(candidates: list[Fact], named, readings: list[tuple[Fact, int]]) -> list[int | None]:
    labels: list[int | None] = []
    for c in candidates:
        done = completed(c, named)
        found = {label for reading, label in readings if fact_matches(done, reading, LENIENT)}
        labels.append(1 if 1 in found else 0 if 0 in found else None)
    return labels


def review_examples(extractor, db: str) -> list[Example]:
    """Training examples from the reviews in ``db`` (weighted ``REVIEW_WEIGHT``; never held out)."""
    out = []
    for article, readings in reviewed_readings(db):
        candidates, named = extractor.candidates(article)
        labels = label_by_readings(candidates, named, readings)
        out.append(make_example(f"review/{article.content_hash[:12]}", candidates, named, None, labels, REVIEW_WEIGHT))
    return out
