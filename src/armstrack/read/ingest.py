"""Stage 1a: read input paths into cleaned ``Article`` objects.

Inputs come from scrapers and colleagues' folders, so anything can turn up:
missing paths, binary files, legacy encodings, a 2 GB dump, a foreign-language
page, a JSONL file with one broken line. ``read_inputs`` never raises for a bad
input: it yields an ``InputFailure`` with a plain reason and goes on, so one bad
file cannot stop a batch. It is a generator that holds one article at a time,
so a folder or a JSONL file of any size streams through in constant memory.
"""
from __future__ import annotations

import codecs
import json
import logging
import os
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from armstrack.read.clean import clean_text, detect_language, html_to_text, is_english
from armstrack.errors import InputError
from armstrack.limits import READ_TIME_LIMIT, TimeLimitExceeded, time_limit
from armstrack.model import Article, InputFailure

log = logging.getLogger(__name__)

# An article's text is < 100 kB and a full HTML page with markup and inline
# scripts rarely passes 2 MB; anything over 5 MB is a dump or a wrong file, and
# parsing it would cost seconds and memory for nothing.
MAX_INPUT_BYTES = 5 * 1024 * 1024
# One JSONL record holds one article, so it gets the same ceiling as a file.
# The JSONL file as a whole is streamed and has no size limit.
MAX_JSONL_LINE_BYTES = 5 * 1024 * 1024
# One article's cleaned text: long features run to ~60,000 characters. Extraction memory and time
# grow with length (measured: 100,000 characters take ~5 s and ~330 MB, 300,000 take 16 s and
# ~930 MB), so a longer text is a dump or several articles pasted together: refused, not parsed.
MAX_ARTICLE_CHARS = 100_000
# The shortest report of a fact ("Egypt ordered 24 Rafale jets from France.") has ~35 letters; a
# text with fewer is a leftover menu, a symbol dump or a mis-decoded byte, not an article.
MIN_ARTICLE_LETTERS = 25
# A file cut mid-character loses at most the 3 bytes of its last UTF-8 sequence.
UTF8_MAX_CONTINUATION = 3
# How much of a file is sniffed for binary content.
BINARY_SNIFF_BYTES = 8192
# Text files have almost no C0 control bytes (tab/newline/CR/FF/ESC excepted);
# random or compressed data has ~9 %. 5 % separates them with a margin.
MAX_CONTROL_RATIO = 0.05
# charset-normalizer's "chaos" (mess ratio) above which a guessed decoding is
# not trusted; 0.2 is the library's own default cut-off.
MAX_DECODE_CHAOS = 0.2
# Guesses whose chaos is within this of the best are treated as a tie.
CHAOS_TIE = 0.01
# Tie-break order for non-UTF-8 English pages (see _decode).
WESTERN_ORDER = ("cp1252", "latin_1", "iso8859_15")

SUPPORTED_SUFFIXES = (".txt", ".html", ".htm", ".json", ".jsonl")
_CONTROL_BYTES = bytes(sorted(set(range(0x20)) - {0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x1B}))
_UTF16_32_BOMS = (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


# Files that document a folder of articles rather than being articles (a corpus README,
# annotation notes, config): skipped inside folders, still reported when named directly.
FOLDER_NOTES_SUFFIXES = frozenset((".md", ".rst", ".yml", ".yaml", ".toml", ".cfg", ".ini"))


def read_inputs(
    paths: Iterable[str | Path], *, max_bytes: int = MAX_INPUT_BYTES
) -> Iterator[Article | InputFailure]:
    """Yield one Article or InputFailure per input document, in a stable order.

    Folders are read recursively in name order, skipping hidden entries and
    never entering the same real directory twice (symlink loops end).
    """
    if isinstance(paths, (str, Path)):
        paths = [paths]  # one path, not an iterable of its characters
    for path in paths:
        origin = str(path)
        try:
            yield from _read_path(Path(path), origin, max_bytes, set())
        except Exception as exc:  # a bug must not stop the batch; report it per input
            log.exception("%s: unexpected error", origin)
            yield InputFailure(origin, f"unexpected error: {type(exc).__name__}: {exc}")


def _read_path(path: Path, origin: str, max_bytes: int, visited: set[str]) -> Iterator[Article | InputFailure]:
    if path.is_dir():
        yield from _read_dir(path, origin, max_bytes, visited)
    elif not path.exists() and not path.is_symlink():
        yield InputFailure(origin, "no such file or directory")
    else:
        yield from _read_file(path, origin, max_bytes)


def _read_dir(path: Path, origin: str, max_bytes: int, visited: set[str]) -> Iterator[Article | InputFailure]:
    real = os.path.realpath(path)
    if real in visited:
        log.warning("%s: already read (symlink loop or repeat), skipped", origin)
        return
    visited.add(real)
    try:
        names = sorted(os.listdir(path))
    except OSError as exc:
        yield InputFailure(origin, f"cannot list folder: {exc.strerror or exc}")
        return
    for name in names:
        if name.startswith("."):
            continue  # hidden files and folders (.git, .DS_Store, editor swap files)
        child, child_origin = path / name, os.path.join(origin, name)
        if child.suffix.lower() in FOLDER_NOTES_SUFFIXES and not child.is_dir():
            log.info("%s: documentation beside the articles, skipped", child_origin)
            continue
        if child.is_dir():
            yield from _read_dir(child, child_origin, max_bytes, visited)
        else:
            yield from _read_file(child, child_origin, max_bytes)


def _read_file(path: Path, origin: str, max_bytes: int) -> Iterator[Article | InputFailure]:
    try:
        yield from _read_one_file(path, origin, max_bytes)
    except Exception as exc:  # a bug must not stop the rest of a folder; report it for this file
        log.exception("%s: unexpected error", origin)
        yield InputFailure(origin, f"unexpected error: {type(exc).__name__}: {exc}")


def _read_one_file(path: Path, origin: str, max_bytes: int) -> Iterator[Article | InputFailure]:
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        yield InputFailure(origin, f"unsupported file type {suffix or '(no extension)'!r}")
        return
    try:
        st = path.stat()
    except OSError as exc:
        yield InputFailure(origin, f"cannot read: {exc.strerror or exc}")
        return
    if not stat.S_ISREG(st.st_mode):
        yield InputFailure(origin, "not a regular file")
        return
    if suffix == ".jsonl":
        yield from _read_jsonl(path, origin, min(max_bytes, MAX_JSONL_LINE_BYTES))
        return
    if st.st_size > max_bytes:
        yield InputFailure(origin, f"{_size(st.st_size)}, larger than {_size(max_bytes)} limit")
        return
    try:
        with path.open("rb") as fh:
            data = fh.read(max_bytes + 1)
    except OSError as exc:
        yield InputFailure(origin, f"cannot read: {exc.strerror or exc}")
        return
    if len(data) > max_bytes:  # grew since stat()
        yield InputFailure(origin, f"larger than {_size(max_bytes)} limit")
        return
    yield _within_limit(data, suffix, origin, path.stem)


def _from_bytes(data: bytes, suffix: str, origin: str, default_id: str) -> Article | InputFailure:
    text = _decode(data, origin)
    if suffix == ".json":
        return _from_record(_parse_json(text, origin), origin, default_id)
    if suffix in (".html", ".htm"):
        return _from_html(text, origin, default_id)
    return _article(origin, text, id=default_id)


def _within_limit(data: bytes, suffix: str, origin: str, default_id: str) -> Article | InputFailure:
    """One input's bytes to an Article within READ_TIME_LIMIT; its InputError becomes its failure.

    Called between yields, never across one: the timer must not fire in the consumer's code.
    """
    try:
        with time_limit(READ_TIME_LIMIT):
            return _from_bytes(data, suffix, origin, default_id)
    except InputError as exc:
        return InputFailure(origin, exc.reason)
    except TimeLimitExceeded as exc:
        log.warning("%s: cleaning %s", origin, exc)
        return InputFailure(origin, f"cleaning {exc}")


def _read_jsonl(path: Path, origin: str, line_limit: int) -> Iterator[Article | InputFailure]:
    """One record per line; a bad line is reported and the rest go on."""
    try:
        fh = path.open("rb")
    except OSError as exc:
        yield InputFailure(origin, f"cannot read: {exc.strerror or exc}")
        return
    with fh:
        lineno = 0
        while True:
            raw = fh.readline(line_limit + 1)
            if not raw:
                break
            lineno += 1
            line_origin = f"{origin}#{lineno}"
            if len(raw) > line_limit and not raw.endswith(b"\n"):
                while raw and not raw.endswith(b"\n"):  # skip the rest of the line
                    raw = fh.readline(1 << 20)
                yield InputFailure(line_origin, f"line larger than {_size(line_limit)} limit")
                continue
            if not raw.strip():
                continue  # blank lines (a trailing newline) are not records
            yield _within_limit(raw, ".json", line_origin, f"{path.stem}#{lineno}")  # a line is a JSON record


def _decode(data: bytes, origin: str) -> str:
    """Bytes to str: UTF-8 first, then a confident charset-normalizer guess."""
    if not data.strip():
        raise InputError(origin, "empty file")
    if data.startswith(_UTF16_32_BOMS):
        try:
            return data.decode("utf-32" if data[:4] in _UTF16_32_BOMS[:2] else "utf-16")
        except UnicodeDecodeError:
            raise InputError(origin, "not UTF-8 and not decodable") from None
    sniff = data[:BINARY_SNIFF_BYTES]
    controls = len(sniff) - len(sniff.translate(None, _CONTROL_BYTES))  # counted in C, not per byte
    if b"\x00" in sniff or controls > MAX_CONTROL_RATIO * len(sniff):
        raise InputError(origin, "binary file, not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if exc.reason == "unexpected end of data" and exc.start >= len(data) - UTF8_MAX_CONTINUATION:
            log.info("%s: UTF-8 cut in the middle of its last character; that character dropped", origin)
            return data[:exc.start].decode("utf-8-sig")
    from charset_normalizer import from_bytes

    matches = [m for m in from_bytes(data) if m.chaos <= MAX_DECODE_CHAOS]
    if not matches:
        raise InputError(origin, "not UTF-8 and not decodable")
    least = min(m.chaos for m in matches)
    # On mostly-ASCII text the detector's ranking among equally clean guesses is
    # arbitrary (latin-1 "Özcan" ranks as cp775 "ųzcan"); English pages that are
    # not UTF-8 are nearly always Windows-1252/Latin-1, so prefer that on a tie.
    tied = {e for m in matches if m.chaos <= least + CHAOS_TIE for e in (m.encoding, *m.could_be_from_charset)}
    preferred = [e for e in WESTERN_ORDER if e in tied]
    for encoding in preferred + [m.encoding for m in matches]:
        try:
            text = data.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
        log.info("%s: not UTF-8, decoded as %s", origin, encoding)
        return text
    raise InputError(origin, "not UTF-8 and not decodable")


def _parse_json(text: str, origin: str) -> dict[str, Any]:
    try:
        obj = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        raise InputError(origin, f"invalid JSON: {getattr(exc, 'msg', exc)}") from None
    if not isinstance(obj, dict):
        raise InputError(origin, f"JSON is a {type(obj).__name__}, not an object")
    return obj


def _opt_str(value: Any) -> str | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (str, int, float)):
        return str(value).strip() or None
    return None


def _from_record(record: dict[str, Any], origin: str, default_id: str) -> Article | InputFailure:
    """An {"text", "id"?, "url"?, "published"?, "source"?} object; other keys are ignored."""
    text = record.get("text")
    if not isinstance(text, str) or not text.strip():
        return InputFailure(origin, 'JSON object has no non-empty "text"')
    return _article(
        origin, text, id=_opt_str(record.get("id")) or default_id, url=_opt_str(record.get("url")),
        published=_opt_str(record.get("published")), outlet=_opt_str(record.get("source")),
    )


def _from_html(html: str, origin: str, default_id: str) -> Article | InputFailure:
    text, meta = html_to_text(html, origin=origin)
    if not text.strip():
        return InputFailure(origin, "HTML page has no text")
    return _article(
        origin, text, id=default_id, url=meta.get("url"), published=meta.get("date"), outlet=meta.get("sitename")
    )


def _article(origin: str, text: str, **fields: str | None) -> Article | InputFailure:
    """Clean, check language and build the Article (or say why not)."""
    if not text.strip():
        return InputFailure(origin, "empty file")
    cleaned, captions = clean_text(text, outlet=fields.get("outlet"))
    if not cleaned.strip():
        return InputFailure(origin, "no article text left after removing page boilerplate")
    letters = sum(1 for c in cleaned[:MIN_ARTICLE_LETTERS * 40] if c.isalpha())
    if letters < MIN_ARTICLE_LETTERS:
        return InputFailure(origin, f"no article text: {letters} letters (fewer than {MIN_ARTICLE_LETTERS})")
    if len(cleaned) > MAX_ARTICLE_CHARS:
        return InputFailure(origin, f"article text of {len(cleaned):,} characters is over the {MAX_ARTICLE_CHARS:,} "
                                    "limit for one article (a dump or several articles: split it)")
    if not is_english(cleaned):
        lang, _ = detect_language(cleaned)
        return InputFailure(origin, f"not English (detected {lang!r})")
    return Article(origin=origin, text=cleaned, captions=captions, **fields)


def _size(n: int) -> str:
    """Human size: '5 MB', '12 kB', '100 bytes' (binary multiples)."""
    if n >= 1 << 20:
        return f"{n / (1 << 20):.3g} MB"
    if n >= 1 << 10:
        return f"{n / (1 << 10):.3g} kB"
    return f"{n} bytes"
