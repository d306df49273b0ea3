"""stories.py: near-duplicates grouped into one story, and corroboration counting stories, not copies."""
from __future__ import annotations

import itertools
import json
import random
import re

from sqlalchemy import delete, select

from armstrack.graph import browse, query
from armstrack.news.fetch import page_to_article
from armstrack.graph.graph import STORIES_REVISION_KEY, open_graph, sync
from armstrack.read.ingest import read_inputs
from armstrack.store.db import clusters_table, meta_table, open_store, stories_table, story_buckets_table
from armstrack.news.stories import STORY_MIN_JACCARD, buckets, jaccard, shingles
from conftest import CORPUS, SEED_ID, gold_articles
from newsserver import news_page

DEVSET = __import__("pathlib").Path(__file__).parents[1] / "devset"
# Distinct articles must stay far below the threshold, not just under it.
DISTINCT_MARGIN = 4


def _texts() -> dict[str, str]:
    files = sorted(CORPUS.glob("*.json")) + sorted(DEVSET.glob("*.json"))
    assert len(files) >= 30, "corpus or devset missing"
    return {p.stem: json.loads(p.read_text(encoding="utf-8"))["text"] for p in files}


def rewrite(text: str, rate: float, rng: random.Random) -> str:
    """A syndicated copy: new headline, site furniture, a share of words replaced, last paragraph dropped."""
    lines = text.split("\n")
    lines[0] = "EXCLUSIVE: " + " ".join(reversed(lines[0].split()))
    paragraphs = [" ".join("edited" if rng.random() < rate else w for w in ln.split(" ")) for ln in lines if ln.strip()]
    if len(paragraphs) > 4:
        paragraphs = paragraphs[:-1]
    return ("Skip to content\nMenu\nThis site uses cookies.\n" + "\n\n".join(paragraphs)
            + "\nSource: Other Outlet\nRelated\nSome other headline here")


def test_distinct_articles_stay_far_apart_and_copies_stay_close():
    texts = _texts()
    sets = {k: shingles(t) for k, t in texts.items()}
    closest = max(jaccard(sets[a], sets[b]) for a, b in itertools.combinations(sets, 2))
    assert closest < STORY_MIN_JACCARD / DISTINCT_MARGIN
    rng = random.Random(7)
    for name, text in texts.items():
        copy = shingles(rewrite(text, 0.06, rng))
        assert jaccard(sets[name], copy) >= STORY_MIN_JACCARD, name
        assert set(buckets(sets[name])) & set(buckets(copy)), name  # LSH finds it


def test_shingles_ignore_case_and_punctuation():
    assert shingles("Turkey, delivered DRONES.") == shingles("turkey delivered drones")
    assert shingles("") == set() and shingles("two words") == {"two words"}
    assert jaccard(set(), set()) == 0.0


def _seed_text() -> str:
    return json.loads((CORPUS / f"{SEED_ID}.json").read_text(encoding="utf-8"))["text"]


EDITS = [("announced", "said"), ("is already underway", "has begun"), ("interesting", "notable"),
         ("drew attention to this", "pointed this out"), ("In turn, ", "")]


def _copy(text: str, headline: str, edits: int, drop_last: bool) -> str:
    for old, new in EDITS[:edits]:
        text = text.replace(old, new)
    lines = [headline] + [ln for ln in text.split("\n")[1:] if ln.strip()]
    return "\n".join(lines[:-1] if drop_last else lines)


DIFFERENT_ARTICLE = """Astana confirms ANKA drone plant

Mass production of ANKA drones by Kazakhstan Engineering under a licence from Turkish Aerospace Industries \
will begin in 2024, officials in Astana confirmed on Monday.

The first locally assembled ANKA is expected to be handed over to the Kazakh armed forces next year, the state \
company said in a statement."""


def _ingest(store, extractor, text: str, outlet: str, url: str):
    page = page_to_article(news_page(text, title=text.split("\n")[0], outlet=outlet, published="2024-01-15"), url)
    return store.add_article(page.article, extractor.extract(page.article), extractor.version).article_id


def test_three_copies_are_one_story_and_a_different_article_corroborates(tmp_path, extractor):
    db = str(tmp_path / "stories.db")
    seed = _seed_text()
    copies = [seed, _copy(seed, "Turkish ANKA drones to be made in Kazakhstan", 3, False),
              _copy(seed, "Kazakhstan set to produce Turkish UAVs from 2024", 5, True)]
    with open_store(db) as store:
        ids = [_ingest(store, extractor, text, f"Outlet {i}", f"https://outlet{i}.example/kz-anka")
               for i, text in enumerate(copies)]
    graph = open_graph(db)
    try:
        listing = {a["article_id"]: a for a in browse.articles(graph).articles}
        assert {listing[i]["story"] for i in ids} == {ids[0]} and listing[ids[2]]["story_size"] == 3
        shared = [f for f in query.facts(graph, limit=500) if {s["article_id"] for s in f.sources} == set(ids)]
        assert len(shared) >= 5
        assert all(f.corroboration == 1 and len(f.sources) == 3 for f in shared)

        with open_store(db) as store:
            other = _ingest(store, extractor, DIFFERENT_ARTICLE, "Other Outlet", "https://other.example/anka")
        sync(graph)
        listing = {a["article_id"]: a for a in browse.articles(graph).articles}
        assert listing[other]["story"] == other and listing[other]["story_size"] == 1
        (anka,) = [f for f in query.facts(graph, fact_type="licensed_production", limit=500)
                   if other in {s["article_id"] for s in f.sources}]
        assert anka.corroboration == 2 and {s["article_id"] for s in anka.sources} == {*ids, other}
        assert {s["story"] for s in anka.sources} == {ids[0], other}
    finally:
        graph.store.close()


def test_stores_without_stories_get_them_on_the_next_sync(tmp_path, extractor):
    """A store written before stories existed (schema v2): the next sync groups and recounts."""
    db = str(tmp_path / "old.db")
    seed = _seed_text()
    with open_store(db) as store:
        for i, text in enumerate([seed, _copy(seed, "Copy headline", 2, False)]):
            _ingest(store, extractor, text, f"Outlet {i}", f"https://o{i}.example/a")
    graph = open_graph(db)
    try:
        with graph.engine.begin() as conn:  # forget the stories, as in a store from before them
            conn.execute(delete(stories_table))
            conn.execute(delete(story_buckets_table))
            conn.execute(delete(meta_table).where(meta_table.c.key == STORIES_REVISION_KEY))
            conn.execute(clusters_table.update().values(n_articles=2))
        sync(graph)
        with graph.engine.connect() as conn:
            assert len(set(conn.execute(select(stories_table.c.story_id)).scalars())) == 1
            assert max(conn.execute(select(clusters_table.c.n_articles)).scalars()) == 1
    finally:
        graph.store.close()


def test_corpus_articles_are_each_their_own_story(tmp_path):
    db = str(tmp_path / "gold.db")
    with open_store(db) as store:
        for g in gold_articles():
            store.add_article(g.article, g.facts, "gold")
    graph = open_graph(db)
    try:
        listing = browse.articles(graph, limit=100).articles
        assert len(listing) >= 20 and all(a["story"] == a["article_id"] and a["story_size"] == 1 for a in listing)
    finally:
        graph.store.close()


def test_fetched_pages_read_like_files(tmp_path):
    """A sanity check of the test's own page builder: the seed page reads back to the seed text."""
    page = page_to_article(news_page(_seed_text(), title="t"), "https://herald.example/a")
    (plain,) = list(read_inputs([CORPUS / f"{SEED_ID}.json"]))
    assert re.sub(r"\n+", "\n", page.article.text) == re.sub(r"\n+", "\n", plain.text)
