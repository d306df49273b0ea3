"""Restoring a backup: the store's rows first, then the graph rebuilt over them.

``store.backup`` writes the rows; the entities, stories and merged facts derived from them
belong to the graph, so the whole restore lives here, above both. The review decisions and what
each watchlist has seen are rows keyed by cluster key, restored with the rest before the rebuild,
which gives the same merged facts the same keys: nothing of theirs needs the graph to be written.
"""
from __future__ import annotations

from pathlib import Path

from armstrack.graph.graph import Graph, apply_reviews, sync
from armstrack.graph.resolve import Resolver
from armstrack.knowledge.load import Knowledge, load_knowledge
from armstrack.store.backup import ImportSummary, load_backup
from armstrack.store.db import Store


def import_backup(path: str | Path, db: Store | str, *, knowledge: Knowledge | None = None) -> ImportSummary:
    """Read a backup into a store, then rebuild its graph and apply the review decisions
    to clusters that gained no fact (see ``store.backup.load_backup`` for the errors)."""

    def rebuild(store: Store, reviewed: set[str]) -> int:
        graph = Graph(store, Resolver(knowledge or load_knowledge()))
        return sync(graph).clusters_merged + apply_reviews(graph, reviewed)

    return load_backup(path, db, after=rebuild)
