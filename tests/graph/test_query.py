"""query.py on a store of the corpus's gold facts: the issue's answers for the seed article, derived
from the gold facts, plus one end-to-end run through the real extractor."""
from __future__ import annotations

from collections import Counter

import pytest

from armstrack.graph import query
from armstrack.graph.graph import open_graph, review, sync
from armstrack.graph.query import QueryError, date_key
from armstrack.store.db import open_store
from conftest import SEED_ID

TURKEY, KAZAKHSTAN = "Turkey", "Kazakhstan"


def countries_of(fact, knowledge) -> set[str]:
    """A gold fact's countries: its participants' and the origins of its known systems."""
    out = {p.country for p in fact.participants if p.country}
    for s in fact.systems:
        if (e := knowledge.equipment_by_any(s.name)) is not None:
            out.add(e.origin)
    return out


def find(views, fact, article_id: str):
    """The merged facts standing for one gold fact of ``article_id``."""
    return [v for v in views if v.type == fact.type and v.time_start == fact.time.start and article_id in v.articles
            and {p.role for p in fact.participants} <= {p["role"] for p in v.participants}]


def assert_date_order(views):
    keys = [date_key(v.time_start, v.time_end) for v in views]
    assert keys == sorted(keys)


def test_timeline_has_every_seed_fact_of_the_pair_in_date_order(gold_graph, seed, knowledge):
    result = query.timeline(gold_graph, TURKEY, KAZAKHSTAN)
    expected = [f for f in seed.facts if {TURKEY, KAZAKHSTAN} <= countries_of(f, knowledge)]
    assert len(expected) >= 6  # 1993 training ... 2024 planned ANKA production
    positions = []
    for fact in expected:
        matches = find(result.facts, fact, SEED_ID)
        assert matches, f"missing from the timeline: {fact.type} {fact.time.start}"
        assert matches[0].status == fact.status
        assert {s["name"] for s in matches[0].systems} >= {knowledge.equipment_by_any(s.name).name
                                                           for s in fact.systems if knowledge.equipment_by_any(s.name)}
        positions.append(result.facts.index(matches[0]))
    assert_date_order(result.facts)
    dated = sorted((f for f in expected if f.time.start), key=lambda f: date_key(f.time.start, f.time.end))
    dated_positions = [result.facts.index(find(result.facts, f, SEED_ID)[0]) for f in dated]
    assert dated_positions == sorted(dated_positions)
    assert all(v.sources and v.corroboration >= 1 for v in result.facts)


def test_timeline_accepts_any_spelling_of_the_countries(gold_graph):
    keys = [v.key for v in query.timeline(gold_graph, TURKEY, KAZAKHSTAN).facts]
    assert [v.key for v in query.timeline(gold_graph, "Türkiye", "KZ").facts] == keys
    assert [v.key for v in query.timeline(gold_graph, "Kazakh", "Ankara").facts] == keys
    with pytest.raises(QueryError):
        query.timeline(gold_graph, "Atlantis", TURKEY)
    with pytest.raises(QueryError):
        query.timeline(gold_graph, TURKEY, "Türkiye")


def test_profile_equipment_by_origin_partners_and_organisations(gold_graph, seed, knowledge):
    result = query.profile(gold_graph, KAZAKHSTAN)
    shown = {origin: {s["system"] for s in systems} for origin, systems in result.equipment.items()}
    kazakh = [f for f in seed.facts if KAZAKHSTAN in {p.country for p in f.participants}]
    expected = {(e.origin, e.name) for f in kazakh for s in f.systems if (e := knowledge.equipment_by_any(s.name))}
    assert {("Turkey", "ANKA"), ("China", "Wing Loong"), ("Russia", "Orlan-10")} <= expected
    for origin, name in expected:
        assert name in shown.get(origin, set()), (origin, name)
    counts = [p["facts"] for p in result.partners]
    assert counts == sorted(counts, reverse=True)
    partners = {c for f in kazakh for c in countries_of(f, knowledge)} - {KAZAKHSTAN}
    assert partners <= {p["country"] for p in result.partners}
    assert result.partners[0]["country"] == TURKEY  # the seed article's story, and the gold agrees:
    assert sum(TURKEY in countries_of(f, knowledge) for f in kazakh) > max(
        sum(c in countries_of(f, knowledge) for f in kazakh) for c in partners - {TURKEY})
    orgs = {o["name"] for o in result.organisations}
    resolve = gold_graph.resolver.participant
    assert {resolve(p.name, p.kind, p.country).entity.name for f in kazakh for p in f.participants
            if p.kind == "organization"} <= orgs
    assert result.n_facts >= len(kazakh)
    latest = result.latest
    assert len(latest) == query.LATEST_FACTS
    dated = [v.time_start for v in latest if v.time_start]
    assert dated == sorted(dated, reverse=True)


def test_network_of_licensed_production_since_2010(gold_graph, corpus, knowledge):
    result = query.network(gold_graph, fact_type="licensed_production", since="2010")
    edges = {(e["source"], e["target"]) for e in result.edges}
    gold_facts = Counter(pair for g in corpus for f in g.facts
                         if f.type == "licensed_production" and (f.time.start or "") >= "2010"
                         for pair in {(lic.country, prod.country) for lic in f.participants if lic.role == "licensor"
                                      for prod in f.participants if prod.role == "producer"}
                         if pair[0] != pair[1])
    expected = set(gold_facts)
    assert expected and edges == expected
    assert (TURKEY, KAZAKHSTAN) in edges and (TURKEY, "Ukraine") in edges
    # An edge's weight and a country's out/in count merged facts (the page sizes nodes by them), not
    # partner countries: at most the gold facts, fewer where two articles report one fact (Baykar's
    # Ukrainian plant in 000 and 001), and Turkey's two distinct Kazakh licences weigh two.
    weights = {(e["source"], e["target"]): e["weight"] for e in result.edges}
    assert all(e["weight"] == len(e["facts"]) for e in result.edges)
    assert all(1 <= weights[pair] <= gold_facts[pair] for pair in expected)
    assert weights[(TURKEY, "Ukraine")] == 1 < gold_facts[(TURKEY, "Ukraine")]
    assert weights[(TURKEY, KAZAKHSTAN)] == 2
    turkey = next(c for c in result.centrality if c["country"] == TURKEY)
    assert turkey["out"] == sum(n for (s, _), n in weights.items() if s == TURKEY)
    assert turkey["out"] > sum(1 for s, _ in expected if s == TURKEY)
    assert result.centrality[0]["country"] == TURKEY  # the most connected licensor in the gold
    assert all(e["weight"] >= 1 and e["facts"] for e in result.edges)


def test_first_licensed_producer_of_turkish_uavs(gold_graph, corpus, knowledge):
    result = query.first(gold_graph, "licensed_production", TURKEY, category="uav")
    earliest: dict[str, str] = {}
    for g in corpus:
        for f in g.facts:
            licensors = {p.country for p in f.participants if p.role == "licensor"}
            uav = any((e := knowledge.equipment_by_any(s.name)) and e.category == "uav" for s in f.systems)
            if f.type == "licensed_production" and TURKEY in licensors and uav and f.time.start:
                for p in f.participants:
                    if p.role == "producer":
                        earliest[p.country] = min(earliest.get(p.country, f.time.start), f.time.start)
    expected = sorted(earliest, key=lambda c: earliest[c])
    assert [e["country"] for e in result.entries if e["time_start"]] == expected
    assert expected[:2] == [KAZAKHSTAN, "Ukraine"]  # the article's question, answered by the gold
    first = result.first
    assert first["status"] == "planned" and first["time_start"] == earliest[KAZAKHSTAN]
    assert SEED_ID in first["fact"].articles
    with pytest.raises(QueryError):
        query.first(gold_graph, "agreement", TURKEY)


def test_facts_filters(gold_graph):
    everything = query.facts(gold_graph)
    assert_date_order(everything)
    chosen = query.facts(gold_graph, country="Kazakhstan", fact_type="agreement", since="2010", status="completed")
    assert chosen and all(v.type == "agreement" and v.status == "completed" and v.time_start >= "2010"
                          for v in chosen)
    kazakh_keys = {v.key for v in query.timeline(gold_graph, TURKEY, KAZAKHSTAN).facts}
    assert kazakh_keys <= {v.key for v in query.facts(gold_graph, country="KZ")}
    assert len(query.facts(gold_graph, limit=3)) == 3
    for bad in ({"fact_type": "war"}, {"status": "rumoured"}, {"country": "Narnia"}):
        with pytest.raises(QueryError):
            query.facts(gold_graph, **bad)


def test_entity_explains_aliases_and_their_articles(gold_graph):
    report = query.entity(gold_graph, "TAI")
    assert report.entity["name"] == "Turkish Aerospace Industries" and report.method == "alias"
    assert "TAI" in report.known_aliases and report.n_facts >= 2
    used = {a["name"]: a["articles"] for a in report.aliases}
    assert SEED_ID in used["Turkish Aerospace Industries"]
    country = query.entity(gold_graph, "Kazakh")
    assert country.entity["id"] == "country:KZ" and country.n_facts >= 10


def test_rejected_facts_are_hidden_unless_asked_for(fresh_gold_db):
    graph = open_graph(fresh_gold_db)
    before = query.profile(graph, KAZAKHSTAN)
    target = query.timeline(graph, TURKEY, KAZAKHSTAN).facts[0]
    review(graph, target.key, "reject", reviewer="test")
    assert target.key not in {v.key for v in query.timeline(graph, TURKEY, KAZAKHSTAN).facts}
    assert target.key in {v.key for v in query.timeline(graph, TURKEY, KAZAKHSTAN, include_rejected=True).facts}
    after = query.profile(graph, KAZAKHSTAN)
    assert after.n_facts == before.n_facts - 1
    assert query.profile(graph, KAZAKHSTAN, include_rejected=True).partners == before.partners
    graph.store.close()


def test_end_to_end_through_the_extractor(tmp_path, extractor, seed):
    db = str(tmp_path / "extracted.db")
    with open_store(db) as store:
        for origin in ("seed.json", "copy-of-seed.json", "seed.json"):
            article = type(seed.article)(origin=origin, text=seed.article.text, id=seed.article.id,
                                         published=seed.article.published, outlet=seed.article.outlet)
            store.add_article(article, extractor.extract(article), extractor.version)
        facts_once = store.counts()["facts"]
    graph = open_graph(db)
    result = query.timeline(graph, TURKEY, KAZAKHSTAN)
    assert result.facts
    assert_date_order(result.facts)
    assert graph.store.counts()["facts"] == facts_once
    graph.store.close()


def test_network_lists_each_edge_facts_in_a_stable_order(gold_graph):
    edges = query.network(gold_graph).edges
    assert edges and all(e["facts"] == sorted(e["facts"]) for e in edges)


def test_min_confidence_keeps_facts_with_a_confident_report(fresh_gold_db):
    """Queries take --min-confidence: a merged fact shows when one of its reports reaches it."""
    from dataclasses import replace

    from armstrack.model import Article, Fact, Participant, System

    weak = Fact("arms_transfer", (Participant("supplier", "Turkey", "country", "Turkey"),
                                  Participant("recipient", "Kazakhstan", "country", "Kazakhstan")),
                (System("Akinci", "uav"),), evidence="Kazakhstan bought Akinci drones.", evidence_span=(0, 31),
                confidence=0.3)
    with open_store(fresh_gold_db) as store:
        store.add_article(Article("weak.txt", "Kazakhstan bought Akinci drones. " * 3), [weak], "test")
        store.add_article(Article("strong.txt", "Azerbaijan bought Akinci drones. " * 3),
                          [replace(weak, participants=(weak.participants[0],
                                                       Participant("recipient", "Azerbaijan", "country", "Azerbaijan")),
                                   confidence=0.9)], "test")
    graph = open_graph(fresh_gold_db)
    sync(graph)
    try:
        def akinci(views):
            return {p["name"] for v in views if any("Ak" in s["name"] for s in v.systems)
                    for p in v.participants if p["role"] == "recipient"}

        assert akinci(query.facts(graph)) == {"Kazakhstan", "Azerbaijan"}
        assert akinci(query.facts(graph, min_confidence=0.8)) == {"Azerbaijan"}
        assert akinci(query.timeline(graph, TURKEY, KAZAKHSTAN, min_confidence=0.8).facts) == set()
        assert akinci(query.timeline(graph, TURKEY, KAZAKHSTAN).facts) == {"Kazakhstan"}
        # gold facts carry confidence 1.0, so the rest of the graph stays
        assert len(query.facts(graph, min_confidence=0.8)) == len(query.facts(graph)) - 1
        edges = {(e["source"], e["target"]) for e in query.network(graph, fact_type="arms_transfer",
                                                                     min_confidence=0.8).edges}
        assert (TURKEY, "Azerbaijan") in edges
    finally:
        graph.store.close()
