"""ingest.py: every input format, bad inputs reported (never raised), streaming."""
from __future__ import annotations

import json
import os
import random
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from armstrack.read.ingest import MAX_INPUT_BYTES, MAX_JSONL_LINE_BYTES, read_inputs
from armstrack.model import Article, InputFailure
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # shared corpus helpers, any import mode
from test_clean import CORPUS, CORPUS_CAPTIONS, FOREIGN, KEY_SENTENCES, _corpus_files, _load, news_page

ARTICLE = (
    "Kazakhstan may start producing Turkish UAVs as early as 2024\n\n"
    "At the end of November 2023, the Ministry of Defense of Kazakhstan announced that the process of selecting "
    "a domestic enterprise that will produce reconnaissance and strike drones from Turkey is already underway.\n\n"
    "Turkish ANKA UAV, illustrative photo, source – Anadolu Agency\n\n"
    "Mass production of Turkish ANKA drones will start in Kazakhstan in 2024 as part of an agreement concluded "
    "in May 2022 between Kazakhstan Engineering and Turkish Aerospace Industries.\n\n"
    "You might also like\nComments\nLoading...\n\n"
    "This website uses cookies to improve your experience. Accept Read More\n"
)
CLEAN = ARTICLE.split("\n\nYou might")[0]
CAPTION = "Turkish ANKA UAV, illustrative photo, source – Anadolu Agency"


def _read(*paths: object, **kw: int) -> list[Article | InputFailure]:
    return list(read_inputs([str(p) for p in paths], **kw))


def _one(path: Path, **kw: int) -> Article | InputFailure:
    (result,) = _read(path, **kw)
    return result


def _failure(path: Path, **kw: int) -> str:
    result = _one(path, **kw)
    assert isinstance(result, InputFailure), result
    assert result.origin == str(path)
    return result.reason


def _write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def _html(body: str) -> str:
    return f"<html><head><title>T</title></head><body><article>{body}</article></body></html>"


# ---------------------------------------------------------------- formats

FORMATS = [
    ("a.txt", ARTICLE, {"id": "a"}),
    ("b.json", json.dumps({"id": "kz-1", "text": ARTICLE, "url": "https://x.test/a", "published": "2023-12-04",
                           "source": "defence-ua", "facts": [{"type": "aid"}], "other": 1}),
     {"id": "kz-1", "url": "https://x.test/a", "published": "2023-12-04", "outlet": "defence-ua"}),
    ("c.json", json.dumps({"text": ARTICLE, "id": 7, "published": None}), {"id": "7", "published": None}),
    ("d.json", json.dumps({"text": ARTICLE}), {"id": "d", "url": None, "outlet": None}),
    ("e.HTML", _html("".join(f"<p>{p}</p>" for p in CLEAN.split("\n\n"))), {"id": "e"}),
    ("f.htm", _html("".join(f"<p>{p}</p>" for p in CLEAN.split("\n\n"))), {"id": "f"}),
]


@pytest.mark.parametrize("name,content,fields", FORMATS, ids=[f[0] for f in FORMATS])
def test_each_format(tmp_path: Path, name: str, content: str, fields: dict) -> None:
    path = _write(tmp_path / name, content)
    art = _one(path)
    assert isinstance(art, Article), art
    assert art.origin == str(path)
    if name.endswith((".txt", ".json")):
        assert art.text == CLEAN
    else:  # trafilatura gives one paragraph per line
        assert art.text == CLEAN.replace("\n\n", "\n")
    assert [art.text[a:b] for a, b in art.captions] == [CAPTION]
    for key, value in fields.items():
        assert getattr(art, key) == value, key


def test_jsonl_lines_with_broken_line(tmp_path: Path) -> None:
    lines = [
        json.dumps({"id": "one", "text": ARTICLE, "source": "Trend"}),
        "",  # blank lines are not records
        '{"id": "broken", "text": "unterminated',
        json.dumps({"text": ARTICLE}),
        json.dumps(["not", "an", "object"]),
        json.dumps({"id": "empty", "text": "   "}),
        json.dumps({"id": "last", "text": ARTICLE}),
    ]
    path = _write(tmp_path / "batch.jsonl", "\n".join(lines))
    got = [(type(r).__name__, r.origin, getattr(r, "id", None) or getattr(r, "reason")) for r in _read(path)]
    assert got == [
        ("Article", f"{path}#1", "one"),
        ("InputFailure", f"{path}#3", got[1][2]),
        ("Article", f"{path}#4", "batch#4"),
        ("InputFailure", f"{path}#5", "JSON is a list, not an object"),
        ("InputFailure", f"{path}#6", 'JSON object has no non-empty "text"'),
        ("Article", f"{path}#7", "last"),
    ]
    assert got[1][2].startswith("invalid JSON")


def test_jsonl_line_over_limit_skipped(tmp_path: Path) -> None:
    big = json.dumps({"text": "x" * 5000})
    path = _write(tmp_path / "big.jsonl", "\n".join([big, json.dumps({"text": ARTICLE}), big]))
    got = _read(path, max_bytes=2000)
    assert [type(r).__name__ for r in got] == ["InputFailure", "Article", "InputFailure"]
    assert got[0].reason == "line larger than 1.95 kB limit" and got[1].origin == f"{path}#2"
    assert MAX_JSONL_LINE_BYTES <= MAX_INPUT_BYTES


def test_jsonl_streams_lazily(tmp_path: Path) -> None:
    path = _write(tmp_path / "many.jsonl", "\n".join(json.dumps({"text": ARTICLE, "id": i}) for i in range(200)))
    it = read_inputs([path])
    assert isinstance(it, Iterator)
    assert next(it).id == "0"
    assert sum(1 for _ in it) == 199


def test_single_path_argument(tmp_path: Path) -> None:
    good = _write(tmp_path / "good.txt", ARTICLE)
    assert [r.origin for r in read_inputs(str(good))] == [str(good)]
    assert [r.origin for r in read_inputs(good)] == [str(good)]


def test_paths_iterable_consumed_lazily(tmp_path: Path) -> None:
    good = _write(tmp_path / "good.txt", ARTICLE)

    def paths() -> Iterator[Path]:
        yield good
        raise AssertionError("second path requested before the first article was consumed")

    assert isinstance(next(read_inputs(paths())), Article)


# ---------------------------------------------------------------- bad inputs

BAD = [
    ("empty.txt", b"", "empty file"),
    ("blank.txt", b"  \n\t \r\n", "empty file"),
    ("nul.txt", b"Turkey sold drones\x00\x00\x01 to Qatar", "binary file, not text"),
    ("controls.txt", bytes(range(1, 32)) * 20, "binary file, not text"),
    ("random.txt", random.Random(7).randbytes(4000), "binary file, not text"),
    ("random_high.txt", bytes(b | 0x80 for b in random.Random(8).randbytes(4000)), "not UTF-8 and not decodable"),
    ("thai_junk.txt", "า".encode() * 300, "not English (detected 'th')"),
    ("arr.json", b'[{"text": "x"}]', "JSON is a list, not an object"),
    ("notext.json", b'{"id": "x", "title": "Drone deal"}', 'JSON object has no non-empty "text"'),
    ("emptytext.json", b'{"text": "  "}', 'JSON object has no non-empty "text"'),
    ("numtext.json", b'{"text": 42}', 'JSON object has no non-empty "text"'),
    ("script.html", b"<html><body><script>var a = 1;</script></body></html>", "HTML page has no text"),
    ("boiler.txt", b"Comments\nLoading...\nShare This Article\n",
     "no article text left after removing page boilerplate"),
    ("de.txt", FOREIGN["de"].encode(), "not English (detected 'de')"),
    ("ru_cp1251.txt", FOREIGN["ru"].encode("cp1251"), "not English (detected 'ru')"),
    ("de_latin1.txt", FOREIGN["de"].encode("latin-1"), "not English (detected 'de')"),
    ("ru.json", json.dumps({"text": FOREIGN["ru"]}).encode(), "not English (detected 'ru')"),
    ("tr.html", _html(f"<p>{FOREIGN['tr']}</p>").encode(), "not English (detected 'tr')"),
    ("paper.pdf", b"%PDF-1.4", "unsupported file type '.pdf'"),
    ("README", b"text", "unsupported file type '(no extension)'"),
]


@pytest.mark.parametrize("name,content,reason", BAD, ids=[b[0] for b in BAD])
def test_bad_input_reported(tmp_path: Path, name: str, content: bytes, reason: str) -> None:
    assert _failure(_write(tmp_path / name, content)) == reason


def test_invalid_json_reported(tmp_path: Path) -> None:
    assert _failure(_write(tmp_path / "bad.json", '{"text": ')).startswith("invalid JSON: ")


def test_missing_path(tmp_path: Path) -> None:
    assert _failure(tmp_path / "nope.txt") == "no such file or directory"
    assert _failure(tmp_path / "nodir") == "no such file or directory"


def test_size_checked_before_reading(tmp_path: Path) -> None:
    huge = tmp_path / "huge.txt"
    with huge.open("wb") as fh:  # sparse: reading it would take seconds, stat() takes none
        fh.truncate(4 * 1024**3)
    start = time.monotonic()
    assert _failure(huge) == "4.1e+03 MB, larger than 5 MB limit"
    assert time.monotonic() - start < 1
    small = _write(tmp_path / "small.txt", ARTICLE)
    assert _failure(small, max_bytes=100) == f"{len(ARTICLE.encode())} bytes, larger than 100 bytes limit"
    assert isinstance(_one(small, max_bytes=len(ARTICLE.encode())), Article)


@pytest.mark.parametrize("encoding", ["latin-1", "cp1252", "utf-8-sig", "utf-16"])
def test_legacy_encodings_decode(tmp_path: Path, encoding: str) -> None:
    text = CLEAN.replace("–", "-") + "\nAselsan Deputy General Manager Özcan Kahramangil said the plant in Türkiye’s " \
        "partner country would export to neighbouring states."
    if encoding == "latin-1":
        text = text.replace("’", "'")
    art = _one(_write(tmp_path / "legacy.txt", text.encode(encoding)))
    assert isinstance(art, Article), art
    assert "Özcan Kahramangil" in art.text and "Türkiye" in art.text


def test_never_raises_on_odd_paths(tmp_path: Path) -> None:
    (tmp_path / "loop.txt").symlink_to(tmp_path / "loop.txt")
    (tmp_path / "dangling.json").symlink_to(tmp_path / "gone.json")
    got = {Path(r.origin).name: r.reason for r in _read(tmp_path / "loop.txt", tmp_path / "dangling.json")}
    assert got["loop.txt"].startswith("cannot read: ")
    assert got["dangling.json"] == "no such file or directory" or got["dangling.json"].startswith("cannot read")


def test_unexpected_error_reported_per_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import armstrack.read.ingest as ingest

    def boom(*args: object, **kw: object) -> object:
        raise RuntimeError("kaboom")

    _write(tmp_path / "a.html", _html("<p>x</p>"))
    _write(tmp_path / "b.txt", ARTICLE)
    monkeypatch.setattr(ingest, "html_to_text", boom)
    got = _read(tmp_path)
    assert isinstance(got[0], InputFailure) and got[0].reason == "unexpected error: RuntimeError: kaboom"
    assert isinstance(got[1], Article)


# ---------------------------------------------------------------- folders


def test_mixed_folder_deterministic(tmp_path: Path) -> None:
    root = tmp_path / "in"
    _write(root / "b_good.txt", ARTICLE)
    _write(root / "a_good.json", json.dumps({"id": "A", "text": ARTICLE}))
    _write(root / "sub" / "c_good.html", _html(f"<p>{CLEAN}</p>"))
    _write(root / "sub" / "d.jsonl", json.dumps({"text": ARTICLE}) + "\n{oops\n")
    _write(root / "sub" / "deeper" / "e_empty.txt", "")
    _write(root / "z_bin.txt", b"\x00\x01\x02binary")
    _write(root / "notes.pdf", "# notes")
    _write(root / "de.txt", FOREIGN["de"])
    _write(root / ".hidden.txt", ARTICLE)
    _write(root / ".git" / "x.txt", ARTICLE)
    got = [(type(r).__name__, os.path.relpath(r.origin, root), getattr(r, "reason", "")) for r in _read(root)]
    assert got == [
        ("Article", "a_good.json", ""),
        ("Article", "b_good.txt", ""),
        ("InputFailure", "de.txt", "not English (detected 'de')"),
        ("InputFailure", "notes.pdf", "unsupported file type '.pdf'"),
        ("Article", "sub/c_good.html", ""),
        ("Article", "sub/d.jsonl#1", ""),
        ("InputFailure", "sub/d.jsonl#2", got[6][2]),
        ("InputFailure", "sub/deeper/e_empty.txt", "empty file"),
        ("InputFailure", "z_bin.txt", "binary file, not text"),
    ]
    assert got[6][2].startswith("invalid JSON")
    assert _read(root) == _read(root)
    assert [r.origin for r in _read(root)][0] == str(root / "a_good.json")


def test_symlink_loop_in_folder_terminates(tmp_path: Path) -> None:
    root = tmp_path / "loop"
    _write(root / "a.txt", ARTICLE)
    (root / "self").symlink_to(root)
    (root / "sub").mkdir()
    (root / "sub" / "up").symlink_to(root)
    (root / "sub" / "again").symlink_to(root / "sub")
    got = _read(root)
    assert [r.origin for r in got] == [str(root / "a.txt")]


def test_symlink_to_other_folder_followed_once(tmp_path: Path) -> None:
    other = tmp_path / "other"
    _write(other / "x.txt", ARTICLE)
    root = tmp_path / "root"
    root.mkdir()
    (root / "link").symlink_to(other)
    (root / "link2").symlink_to(other)
    assert [r.origin for r in _read(root)] == [str(root / "link" / "x.txt")]


# ---------------------------------------------------------------- real articles


def test_realistic_news_page_html(tmp_path: Path) -> None:
    path = _write(tmp_path / "kazakhstan.html", news_page(_load("000_kazakhstan_turkish_uavs.json")))
    art = _one(path)
    assert isinstance(art, Article), art
    for sentence in KEY_SENTENCES:
        assert sentence in art.text
    for gone in ("uses cookies", "You might also like", "Apache", "Great news", "Home\n"):
        assert gone not in art.text
    assert art.url == "https://en.defence-ua.com/news/kazakhstan_anka.html"
    assert art.published == "2023-12-04" and art.outlet == "Defence-UA" and art.id == "kazakhstan"
    assert [art.text[a:b] for a, b in art.captions] == CORPUS_CAPTIONS["000_kazakhstan_turkish_uavs.json"]


def test_corpus_folder_reads_every_article() -> None:
    results = _read(CORPUS)
    articles = [r for r in results if isinstance(r, Article)]
    assert len(articles) == len(_corpus_files())
    failures = [r for r in results if isinstance(r, InputFailure)]
    assert all(r.reason.startswith("unsupported file type") for r in failures), failures
    for art in articles:
        doc = json.loads(Path(art.origin).read_text(encoding="utf-8"))
        assert art.id == doc["id"] and art.outlet == doc["source"] and art.published == doc["published"]
        assert art.text.strip() and all(0 <= a < b <= len(art.text) for a, b in art.captions)


def test_folder_documentation_is_skipped_but_named_files_are_reported(tmp_path):
    from armstrack.read.ingest import read_inputs
    from armstrack.model import Article, InputFailure

    (tmp_path / "README.md").write_text("# notes about these articles")
    (tmp_path / "a.txt").write_text("Poland bought 48 K9 howitzers from South Korea in 2022. " * 5)
    items = list(read_inputs([tmp_path]))
    assert [type(i) for i in items] == [Article]
    (named,) = list(read_inputs([tmp_path / "README.md"]))
    assert isinstance(named, InputFailure) and "unsupported" in named.reason
