"""Ingest one article handed over as a string (the HTTP API's write endpoint).

The text goes through exactly the checks and cleaning a file gets from
``armstrack ingest`` (``ingest.read_inputs``: size, binary, encoding,
language, boilerplate), by way of a private temporary file, so an article
posted over HTTP and one read from disk can never be treated differently.
"""
from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from armstrack.errors import InputError
from armstrack.graph.graph import Graph, sync
from armstrack.read.ingest import read_inputs
from armstrack.model import Article, InputFailure

SUFFIX = {"text": ".json", "html": ".html"}
ORIGIN_PREFIX = "api:"


@dataclass(frozen=True)
class Submitted:
    article_id: int
    created: bool
    facts_written: int
    origin: str

    def to_dict(self) -> dict[str, Any]:
        return {"article_id": self.article_id, "created": self.created, "facts_written": self.facts_written,
                "origin": self.origin}


def _read(content: str, kind: str, meta: dict[str, str | None]) -> Article:
    if kind not in SUFFIX:
        raise InputError("request", f"unknown format {kind!r}; expected one of {', '.join(SUFFIX)}")
    with tempfile.TemporaryDirectory(prefix="armstrack-submit-") as tmp:
        path = Path(tmp) / f"article{SUFFIX[kind]}"
        if kind == "text":
            record = {"text": content} | {k: v for k, v in meta.items() if v}
            path.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
        else:
            path.write_text(content, encoding="utf-8")
        (item,) = list(read_inputs([path]))
    if isinstance(item, InputFailure):
        raise InputError("article", item.reason)
    fields = {k: v for k, v in meta.items() if v and k != "id"} if kind == "html" else {}
    if "source" in fields:
        fields["outlet"] = fields.pop("source")
    name = meta.get("id") or f"{ORIGIN_PREFIX}{item.content_hash[:12]}"
    return replace(item, origin=f"{ORIGIN_PREFIX}{name}" if meta.get("id") else name, id=name, **fields)


def submit(graph: Graph, extractor, content: str, kind: str = "text", **meta: str | None) -> Submitted:
    """Clean, extract and store one article, then bring the graph up to date.

    Args:
        kind: "text" (plain article text) or "html" (a page; its main text is extracted).
        meta: optional ``id``, ``url``, ``published``, ``source`` (the outlet).
    """
    article = _read(content, kind, meta)
    facts = extractor.extract(article)
    result = graph.store.add_article(article, facts, extractor.version)
    sync(graph)
    return Submitted(result.article_id, result.created, result.facts_written, article.origin)
