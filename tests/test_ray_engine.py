"""ray_engine.py: a real local Ray (started by the run itself) gives the default engine's facts."""
from __future__ import annotations

import shutil

from armstrack.batch import ingest_paths
from test_batch import expected_dump, store_dump

RAY_ARTICLES = 4  # Ray's start-up costs seconds; a few articles across two actors show the equivalence


def test_ray_engine_stores_the_facts_of_the_default_engine(tmp_path, corpus, extractor):
    import ray

    folder = tmp_path / "in"
    folder.mkdir()
    for g in corpus[:RAY_ARTICLES]:
        shutil.copy(g.path, folder / g.path.name)
    expected = expected_dump(extractor, [folder], str(tmp_path / "local.db"))
    summary = ingest_paths([folder], str(tmp_path / "ray.db"), workers=2, engine="ray")
    assert (summary.engine, summary.workers, summary.added, summary.failures) == ("ray", 2, RAY_ARTICLES, ())
    assert store_dump(str(tmp_path / "ray.db")) == expected
    assert sum(map(len, expected.values())) > 0
    assert not ray.is_initialized()  # the local Ray it started is shut down again
