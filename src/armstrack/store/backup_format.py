"""The backup file format (version 2): its records, and a reader that refuses anything else.

A backup is untrusted input (hand-edited, cut short by a full disk, written by a newer armstrack),
so every line is validated by a strict pydantic model before anything reaches a store, and every
refusal names the line. Field names are the store's column names, so a record maps onto its row
without a translation table; row ids and foreign keys are replaced by natural keys (an item names
its feed, a fact belongs to the article line it sits in, a watchlist entry names its watchlist and
gives the articles it had seen by content hash).

Version 2 added the watchlists and what each has seen; version 1 files (without them) are still read:
each version has its own record kinds and end counts (``COUNTED_IN``), and a record kind a file's
version did not have is refused as such.
"""
from __future__ import annotations

import gzip
import hashlib
import json
import zlib
from collections import Counter
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import IO, Annotated, Iterator, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, TypeAdapter, ValidationError, model_validator

from armstrack.errors import ArmstrackError

FORMAT = "armstrack-backup"
BACKUP_VERSION = 2  # bump when a reader of this version could not read the new files
_V1_COUNTED = ("articles", "facts", "sources", "reviews", "feeds", "feed_items")
# What the end record of each version counts; every kind of record adds to one of these counts, so a
# record whose kind its file's version does not count is one that version could not hold.
COUNTED_IN = {1: _V1_COUNTED, 2: (*_V1_COUNTED, "watchlists", "watchlist_entries")}
COUNTED = COUNTED_IN[BACKUP_VERSION]  # what this armstrack writes, and reports after an import
GZIP_MAGIC = b"\x1f\x8b"
# Record fields that are not columns of the record's table (nesting and natural keys).
NOT_COLUMNS = frozenset({"record", "sources", "page", "facts", "participants", "systems", "feed", "watchlist"})

HexKey = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]


class BackupError(ArmstrackError):
    """A file that is not a backup this armstrack can read; the message names the line."""

    def __init__(self, path: str | Path, line: int | None, reason: str):
        super().__init__(f"{path}, line {line}: {reason}" if line else f"{path}: {reason}")
        self.path, self.line, self.reason = str(path), line, reason


class _Record(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


class Header(_Record):
    format: Literal["armstrack-backup"]
    version: int
    store_schema: int = Field(alias="schema")  # the store's schema version at export, for the record
    extractor_version: str  # the exporting armstrack's; each article carries the one of its facts
    armstrack: str
    created_at: datetime


class SourceRecord(_Record):
    origin: str
    added_at: datetime


class PageRecord(_Record):
    title: str | None
    author: str | None
    fetched_url: str
    fetched_at: datetime


class ParticipantRecord(_Record):
    role: str
    name: str
    kind: str
    country: str | None


class SystemRecord(_Record):
    name: str
    category: str


class FactRecord(_Record):
    fact_key: HexKey  # kept as stored, not recomputed: the key function may change between versions
    type: str
    status: str
    time_text: str | None
    time_start: str | None
    time_end: str | None
    quantity: int | None
    money_amount: float | None
    money_currency: str | None
    money_per: str | None
    attributed_to: str | None
    evidence: str
    span_start: int
    span_end: int
    confidence: float
    participants: tuple[ParticipantRecord, ...]  # in stored order (their position)
    systems: tuple[SystemRecord, ...]


class ArticleRecord(_Record):
    record: Literal["article"]
    content_hash: HexKey
    origin: str
    ext_id: str | None
    url: str | None
    published: str | None
    outlet: str | None
    text: str
    captions: tuple[tuple[int, int], ...]
    extractor_version: str
    ingested_at: datetime
    sources: tuple[SourceRecord, ...]
    page: PageRecord | None
    facts: tuple[FactRecord, ...]

    @model_validator(mode="after")
    def _hash_is_the_text(self) -> "ArticleRecord":
        if hashlib.sha256(self.text.encode("utf-8")).hexdigest() != self.content_hash:
            raise ValueError("content_hash does not match the text")
        return self


class ReviewRecord(_Record):
    record: Literal["review"]
    cluster_key: HexKey
    decision: Literal["accept", "reject", "correct"]
    field: str | None
    value: str | None
    reviewer: str
    decided_at: datetime


class FeedRecord(_Record):
    record: Literal["feed"]
    name: str
    url: str
    etag: str | None
    last_modified: str | None
    last_polled: datetime | None
    last_error: str | None
    failures: int
    added_at: datetime


class FeedItemRecord(_Record):
    record: Literal["feed_item"]
    url: str
    feed: str | None  # the feed's name; None once the feed was removed
    content_hash: HexKey | None
    attempts: int
    last_error: str | None
    first_seen: datetime


class WatchlistRecord(_Record):
    record: Literal["watchlist"]
    name: str
    filters: dict[str, str | int | float | bool]  # the ``query.FactFilter`` fields that are set, as stored
    webhook: str | None
    created_at: datetime


class WatchStateRecord(_Record):
    """What a watchlist entry measures change on: its articles by content hash (row ids in the store);
    the rest (conflicts, review, corrections, status) is natural already and carried as it is."""

    model_config = ConfigDict(extra="allow")
    articles: tuple[HexKey, ...]


class WatchEntryRecord(_Record):
    record: Literal["watchlist_entry"]
    watchlist: str  # the watchlist's name, defined by an earlier line of the file
    cluster_key: HexKey  # the merged fact, by identity: it survives the graph rebuild after an import
    state: WatchStateRecord
    change: str
    version: int
    notified_version: int
    first_seen: datetime
    updated: datetime


class EndRecord(_Record):
    record: Literal["end"]
    counts: dict[str, int]


Record = ArticleRecord | ReviewRecord | FeedRecord | FeedItemRecord | WatchlistRecord | WatchEntryRecord | EndRecord
_RECORD = TypeAdapter(Annotated[Record, Field(discriminator="record")])


@cache
def columns(model: type[_Record]) -> tuple[str, ...]:
    """The record's fields that are columns of its table, under the same names."""
    return tuple(name for name in model.model_fields if name not in NOT_COLUMNS)


def open_text(path: str | Path, mode: str, *, compressed: bool = False) -> IO[str]:
    """A UTF-8 text stream for writing a backup, gzip-compressed when asked."""
    if compressed:
        return gzip.open(path, mode + "t", encoding="utf-8", newline="\n")
    return open(path, mode, encoding="utf-8", newline="\n")


def read_backup(path: str | Path) -> Iterator[tuple[int, Header | Record]]:
    """The header, then every record but the end one, validated, with their line numbers.

    Raises:
        BackupError: at the first line that is not what a backup of the file's version holds (a
            watchlist entry whose watchlist no earlier line defines included), when the end record
            is missing (a truncated file) or when its counts disagree with the records before it.
    """
    lines = _lines(path)
    first = next(lines, None)
    if first is None:
        raise BackupError(path, None, "empty file, not an armstrack backup")
    header = _header(path, first[1])  # before anything else, so any other file is named for what it is
    _whole(path, *first)
    yield 1, header
    counted = COUNTED_IN[header.version]
    counts: Counter[str] = Counter()
    watchlists: set[str] = set()
    end: tuple[int, EndRecord] | None = None
    n = 1
    for n, raw in lines:
        _whole(path, n, raw)
        if end is not None:
            raise BackupError(path, n, "data after the end record")
        record = _parse(path, n, raw)
        if isinstance(record, EndRecord):
            end = (n, record)
            continue
        kind = _count(counts, record)
        if kind not in counted:
            raise BackupError(path, n, f"a {record.record} record, which a version-{header.version} backup "
                                       "cannot hold")
        _check_watchlist(path, n, record, watchlists)
        yield n, record
    if end is None:
        raise BackupError(path, n + 1, "the file is truncated: its end record is missing")
    found = {kind: counts[kind] for kind in counted}
    if end[1].counts != found:
        raise BackupError(path, end[0], f"the end record counts {end[1].counts} but the file holds {found}")


def _whole(path: str | Path, n: int, line: bytes) -> None:
    """The writer ends every line, so a line without its end is where the file was cut."""
    if not line.endswith(b"\n"):
        raise BackupError(path, n, "the line is cut short: the file is truncated")


def _lines(path: str | Path) -> Iterator[tuple[int, bytes]]:
    """Raw lines (decoded one by one later, so a bad byte is blamed on its own line), gzip or not."""
    try:
        with open(path, "rb") as probe:
            compressed = probe.read(len(GZIP_MAGIC)) == GZIP_MAGIC
        handle: IO[bytes] = gzip.open(path, "rb") if compressed else open(path, "rb")
    except OSError as exc:
        raise BackupError(path, None, f"cannot read it: {exc.strerror or exc}") from exc
    n = 0
    with handle:
        try:
            for n, raw in enumerate(handle, 1):
                yield n, raw
        except (OSError, EOFError, zlib.error) as exc:
            raise BackupError(path, n + 1, f"corrupt compressed data: {exc}") from exc


def _header(path: str | Path, line: bytes) -> Header:
    try:
        data = json.loads(line.decode("utf-8"))
    except ValueError:  # not UTF-8 (UnicodeDecodeError is one) or not JSON
        data = None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise BackupError(path, 1, f'not an armstrack backup (no "format": "{FORMAT}" header)')
    version = data.get("version")
    if type(version) is not int or version < 1:
        raise BackupError(path, 1, f"invalid backup format version {version!r}")
    if version > BACKUP_VERSION or version not in COUNTED_IN:
        raise BackupError(path, 1, f"written by a newer armstrack (backup format version {version}); this one "
                                   f"reads version {BACKUP_VERSION}: upgrade armstrack to import it")
    try:
        return Header.model_validate_json(line)
    except ValidationError as exc:
        raise BackupError(path, 1, _explain(exc)) from exc


def _parse(path: str | Path, n: int, line: bytes) -> Record:
    try:
        return _RECORD.validate_json(line.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise BackupError(path, n, f"not UTF-8 text ({exc.reason})") from exc
    except ValidationError as exc:
        raise BackupError(path, n, _explain(exc)) from exc


def _explain(exc: ValidationError) -> str:
    """The first problem, where it is in the record, and how many more there are."""
    errors = exc.errors(include_url=False)
    first = errors[0]
    where = ".".join(str(part) for part in first["loc"])
    more = f" (and {len(errors) - 1} more problems)" if len(errors) > 1 else ""
    return f"{where + ': ' if where else ''}{first['msg']}{more}"


def _count(counts: Counter[str], record: Record) -> str:
    """Count the record in; returns the kind it counts as (an article also counts its facts and sources)."""
    if isinstance(record, ArticleRecord):
        counts.update(facts=len(record.facts), sources=len(record.sources))
    kind = RECORD_COUNTS[record.record]
    counts[kind] += 1
    return kind


def _check_watchlist(path: str | Path, n: int, record: Record, defined: set[str]) -> None:
    """A watchlist is defined once, before its entries (the writer puts them so)."""
    if isinstance(record, WatchlistRecord):
        if record.name in defined:
            raise BackupError(path, n, f"watchlist {record.name!r} is defined twice")
        defined.add(record.name)
    elif isinstance(record, WatchEntryRecord) and record.watchlist not in defined:
        raise BackupError(path, n, f"an entry of watchlist {record.watchlist!r}, which no earlier line defines")


RECORD_COUNTS = {  # the end record's count each kind of record adds to
    "article": "articles", "review": "reviews", "feed": "feeds", "feed_item": "feed_items",
    "watchlist": "watchlists", "watchlist_entry": "watchlist_entries",
}
