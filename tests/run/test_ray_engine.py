"""ray_engine.py: a real local Ray (started by the run itself) gives the default engine's facts."""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

from armstrack.run.batch import BATCH_SIZE, ingest_paths
from ingest_helpers import KillOnFirstArticle, expected_dump, store_dump

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from sample_corpus import write_jsonl  # noqa: E402  (benchmarks/ is not a package)

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


def _actor_pids() -> list[int]:
    """Processes of this machine running an extractor actor (Ray names them ray::_ExtractorActor...)."""
    pids = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                if (proc / "cmdline").read_bytes().startswith(b"ray::_ExtractorActor"):
                    pids.append(int(proc.name))
            except OSError:
                continue
    return pids


def test_ray_actors_killed_mid_run_are_replaced_and_their_articles_redone(tmp_path, extractor, caplog):
    feed = write_jsonl(tmp_path / "feed.jsonl", 4 * BATCH_SIZE, seed=7)
    expected = expected_dump(extractor, [feed], str(tmp_path / "local.db"))
    recorder = KillOnFirstArticle(_actor_pids)
    summary = ingest_paths([feed], str(tmp_path / "ray.db"), workers=2, engine="ray", progress=recorder)
    assert len(recorder.killed) == 2
    assert "died and was replaced" in caplog.text
    assert summary.failures == ()
    assert store_dump(str(tmp_path / "ray.db")) == expected
