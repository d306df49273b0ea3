"""Property tests: the extractor never crashes and its output is always well-formed."""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from armstrack.model import Article, FACT_TYPES, STATUSES

WORDS = st.sampled_from([
    "Turkey", "Kazakhstan", "Turkish", "drones", "will", "produce", "signed", "an", "agreement", "with", "Baykar",
    "in", "2024", "the", "two", "countries", "bought", "from", "Russia", "joint", "venture", "plant", "opened",
    "training", "donated", "tanks", "to", "Ukraine", ",", ".", "\n", "(", ")", "$", "1", "million", "according",
    "tender", "-", "Aselsan", "ANKA", "K9A1", "howitzers", "last", "February", "by", "since", "late", "1990s",
])
SENTENCES = st.lists(WORDS, min_size=1, max_size=60).map(" ".join)
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@SETTINGS
@given(text=st.one_of(SENTENCES, st.text(max_size=400)))
def test_extractor_never_crashes_and_output_is_well_formed(extractor, text):
    facts = extractor.extract(Article("prop", text, published="2023-07-10"))
    for f in facts:
        assert f.type in FACT_TYPES and f.status in STATUSES
        start, end = f.evidence_span
        assert text[start:end] == f.evidence
        assert 0 < f.confidence <= 1
        f.to_dict()  # serialisable
