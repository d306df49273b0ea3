"""A folder of hostile and broken inputs mixed with good articles, and what each should become.

``write_hostile_batch`` writes every kind of input a scraper or a colleague's
folder can throw at ``armstrack ingest`` (empty, whitespace, binary, truncated
UTF-8, legacy encodings, 50 MB of text, a 10 MB line, deeply nested HTML,
scripts, broken JSONL lines, zip bombs renamed .html, non-English articles,
symlink loops, a named pipe, unsupported types) and returns a ``Manifest``:
for each input its origin (as ``read_inputs`` names it) and whether it must be
stored (``good``), must be reported (``bad``) or may be either (``either``:
a deeply nested page whose text a parser may or may not recover).

Used by tests/test_reliability.py (the suite's version) and
benchmarks/reliability.py (the large version).
"""
from __future__ import annotations

import codecs
import gzip
import io
import json
import os
import random
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

GOOD, BAD, EITHER = "good", "bad", "either"
MB = 1 << 20

# Written in-house, not copied: enough running text for a language detector.
NON_ENGLISH = {
    "fr": "La Turquie a livré des drones Bayraktar TB2 au Kazakhstan en 2022. Le ministère de la Défense a "
          "confirmé que les appareils seraient assemblés localement. Les deux pays ont signé un accord de "
          "coopération industrielle qui prévoit la formation de techniciens kazakhs.",
    "de": "Die Türkei hat im Jahr 2022 Bayraktar-Drohnen an Kasachstan geliefert. Das Verteidigungsministerium "
          "bestätigte, dass die Geräte vor Ort montiert werden sollen. Beide Länder unterzeichneten ein "
          "Abkommen über die industrielle Zusammenarbeit und die Ausbildung von Technikern.",
    "es": "Turquía entregó drones Bayraktar a Kazajistán en 2022. El Ministerio de Defensa confirmó que los "
          "aparatos se ensamblarán en el país. Ambos países firmaron un acuerdo de cooperación industrial que "
          "incluye la formación de técnicos kazajos. El acuerdo también contempla la transferencia de "
          "tecnología y el mantenimiento de los sistemas durante diez años.",
    "ru": "Турция поставила Казахстану беспилотники Bayraktar в 2022 году. Министерство обороны подтвердило, "
          "что аппараты будут собираться на месте. Обе страны подписали соглашение о промышленном "
          "сотрудничестве и подготовке казахстанских техников.",
    "tr": "Türkiye 2022 yılında Kazakistan'a Bayraktar insansız hava araçları teslim etti. Savunma Bakanlığı "
          "araçların yerel olarak monte edileceğini doğruladı. İki ülke sanayi işbirliği ve teknisyen "
          "eğitimi konusunda bir anlaşma imzaladı. Anlaşma ayrıca teknoloji transferini ve sistemlerin on "
          "yıl boyunca bakımını da kapsıyor.",
    "zh": "土耳其于2022年向哈萨克斯坦交付了无人机。国防部证实这些飞机将在当地组装。两国签署了一项工业合作协议，其中包括培训哈萨克斯坦技术人员。",
    "ar": "سلمت تركيا طائرات مسيرة إلى كازاخستان في عام 2022. وأكدت وزارة الدفاع أن الطائرات سيتم تجميعها "
          "محليا. ووقع البلدان اتفاقية للتعاون الصناعي تشمل تدريب الفنيين.",
}
# Encodings an English page may come in (decoded, so stored) and one a detector cannot recover.
WESTERN_ENCODINGS = ("cp1252", "latin_1", "utf-16")
# Payloads a page may carry; the cleaner must drop the code and keep the article.
SCRIPT_BLOCKS = (
    "<script>document.write('<p>Russia sold 400 tanks to Narnia.</p>')</script>",
    "<script type=module>import('//evil.example/x.js')</script>",
    "<style>body{background:url(javascript:alert(1))}</style>",
    "<noscript><p>Enable JavaScript to read about Chinese drones.</p></noscript>",
)


@dataclass
class Manifest:
    """Every input written: origin -> expected outcome, and the good texts by origin."""

    root: Path
    expected: dict[str, str] = field(default_factory=dict)
    kinds: dict[str, str] = field(default_factory=dict)

    def add(self, origin: str, outcome: str, kind: str) -> None:
        self.expected[origin] = outcome
        self.kinds[origin] = kind

    def of(self, outcome: str) -> set[str]:
        return {o for o, e in self.expected.items() if e == outcome}


def write_hostile_batch(root: Path, good_texts: list[str], *, bad: int = 1000, seed: int = 0,
                        big: bool = True) -> Manifest:
    """Write ``bad`` hostile inputs (cycling through every kind) and one input per good text.

    Args:
        root: an empty folder to fill.
        good_texts: English articles, each distinct; each is written in a different good wrapping
            (plain .txt, .json, .html with scripts, a cp1252 file, a JSONL line, ...).
        bad: how many hostile inputs (the symlink loops, FIFO and JSONL lines count one each).
        big: include the 50 MB file and the 10 MB line (60 MB of disk).
    """
    rng = random.Random(seed)
    root.mkdir(parents=True, exist_ok=True)
    manifest = Manifest(root)
    _write_good(root, good_texts, manifest)
    written = sum(make(root / "bad", 0, rng, manifest) for make in _ONCE if big or make not in _BIG_MAKERS)
    for i in range(1, 10**9):
        if written >= bad:
            break
        written += _CHEAP_MAKERS[i % len(_CHEAP_MAKERS)](root / "bad", i, rng, manifest)
    return manifest


# -- good inputs ----------------------------------------------------------------------------------

def _write_good(root: Path, texts: list[str], manifest: Manifest) -> None:
    folder = root / "good"
    folder.mkdir(parents=True, exist_ok=True)
    jsonl = folder / "feed.jsonl"
    lines: list[str] = []
    for i, text in enumerate(texts):
        wrapping = i % 7
        if wrapping == 0:
            _put(manifest, folder / f"article-{i:04d}.txt", text.encode("utf-8"), GOOD, "good .txt")
        elif wrapping == 1:
            body = json.dumps({"id": f"good-{i}", "text": text, "source": "Example News"}).encode()
            _put(manifest, folder / f"article-{i:04d}.json", body, GOOD, "good .json")
        elif wrapping == 2:
            _put(manifest, folder / f"article-{i:04d}.html", _html_page(text, scripts=True).encode(), GOOD,
                 "good .html with scripts")
        elif wrapping == 3:
            encoded = text.encode("cp1252", errors="replace")
            _put(manifest, folder / f"article-{i:04d}.txt", encoded, GOOD, "good cp1252 .txt")
        elif wrapping == 4:
            cut = text.encode("utf-8") + "é".encode()[:1]  # a file cut in the middle of its last character
            _put(manifest, folder / f"article-{i:04d}.txt", cut, GOOD, "good .txt, truncated UTF-8 at the end")
        elif wrapping == 5:
            _put(manifest, folder / f"article-{i:04d}.txt", codecs.BOM_UTF8 + b"\r\n" + text.replace("\n", "\r\n")
                 .encode("utf-8"), GOOD, "good .txt with BOM and CRLF")
        else:
            lines.append(json.dumps({"id": f"good-{i}", "text": text}))
            manifest.add(f"{jsonl}#{len(lines)}", GOOD, "good JSONL line")
    if lines:
        jsonl.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _html_page(text: str, *, scripts: bool) -> str:
    paragraphs = "".join(f"<p>{p}</p>" for p in text.split("\n\n"))
    noise = "".join(SCRIPT_BLOCKS) if scripts else ""
    return (f"<!doctype html><html><head><title>News</title>{noise}</head><body>"
            f"<nav><a href='/'>Home</a></nav><article><h1>Defence news</h1>{paragraphs}</article>"
            f"{noise}<footer>Cookie settings. You might also like</footer></body></html>")


def _put(manifest: Manifest, path: Path, data: bytes, outcome: str, kind: str) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    manifest.add(str(path), outcome, kind)
    return 1


# -- hostile inputs: each maker writes one or more inputs and returns how many -------------------

Maker = Callable[[Path, int, random.Random, Manifest], int]


def _empty(d: Path, i: int, _r: random.Random, m: Manifest) -> int:
    return _put(m, d / f"empty-{i}.txt", b"", BAD, "empty file")


def _whitespace(d: Path, i: int, r: random.Random, m: Manifest) -> int:
    return _put(m, d / f"blank-{i}.txt", "".join(r.choice(" \t\r\n\u00a0\u2003") for _ in range(200)).encode(),
                BAD, "whitespace only")


def _binary(d: Path, i: int, r: random.Random, m: Manifest) -> int:
    return _put(m, d / f"binary-{i}{r.choice(['.txt', '.html', '.json'])}", r.randbytes(4096), BAD, "random bytes")


def _invalid_utf8(d: Path, i: int, r: random.Random, m: Manifest) -> int:
    # text whose bytes are broken everywhere: lone continuation bytes and cut sequences every few bytes
    data = bytearray()
    for _ in range(600):
        data += r.choice([b"\x80", b"\xc3", b"\xe2\x82", b"\xff", b"ab", b"\xf0\x9f"])
    return _put(m, d / f"broken-utf8-{i}.txt", bytes(data), BAD, "invalid UTF-8 throughout")


def _non_english(d: Path, i: int, r: random.Random, m: Manifest) -> int:
    lang = sorted(NON_ENGLISH)[i % len(NON_ENGLISH)]
    text = NON_ENGLISH[lang]
    encoding = {"ru": r.choice(["utf-8", "koi8_r", "cp1251"]), "zh": r.choice(["utf-8", "gb18030"])}.get(lang, "utf-8")
    return _put(m, d / f"foreign-{lang}-{i}.txt", text.encode(encoding), BAD, f"not English ({lang}, {encoding})")


def _utf16_foreign(d: Path, i: int, _r: random.Random, m: Manifest) -> int:
    return _put(m, d / f"foreign-utf16-{i}.txt", NON_ENGLISH["de"].encode("utf-16"), BAD, "not English (UTF-16)")


def _unsupported(d: Path, i: int, r: random.Random, m: Manifest) -> int:
    suffix = r.choice([".pdf", ".docx", ".exe", ".png", ""])
    return _put(m, d / f"unsupported-{i}{suffix}", b"%PDF-1.7 " + r.randbytes(200), BAD, "unsupported type")


def _boilerplate_only(d: Path, i: int, _r: random.Random, m: Manifest) -> int:
    page = ("<html><body><div class='cookie'>We use cookies. Accept all cookies</div>"
            "<nav>Home | World | Defence</nav><footer>You might also like</footer></body></html>")
    return _put(m, d / f"boilerplate-{i}.html", page.encode(), BAD, "HTML with no article text")


def _script_only(d: Path, i: int, _r: random.Random, m: Manifest) -> int:
    page = "<html><head><script>" + "var x='Turkey sold drones to Kazakhstan';" * 200 + "</script></head><body></body></html>"
    return _put(m, d / f"scripts-only-{i}.html", page.encode(), BAD, "HTML with only scripts")


def _nested_html(d: Path, i: int, r: random.Random, m: Manifest) -> int:
    depth = r.choice([5_000, 50_000, 200_000])
    tag = r.choice(["div", "span", "b", "table><tr><td"])
    closing = "</td></tr></table>" if tag.startswith("table") else f"</{tag}>"
    body = f"<{tag}>" * depth + "<p>Turkey delivered drones to Kazakhstan in 2022, the ministry said.</p>" + closing * depth
    return _put(m, d / f"nested-{i}.html", f"<html><body>{body}</body></html>".encode(), EITHER,
                f"HTML nested {depth} deep")


def _zip_bomb(d: Path, i: int, _r: random.Random, m: Manifest) -> int:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        with archive.open("index.html", "w") as member:
            zeros = b"\0" * MB
            for _ in range(64):  # 64 MB of zeros in ~64 kB
                member.write(zeros)
    return _put(m, d / f"bomb-{i}.html", buffer.getvalue(), BAD, "zip bomb renamed .html")


def _gzip_bomb(d: Path, i: int, _r: random.Random, m: Manifest) -> int:
    data = gzip.compress(b"<p>" + b"A" * (32 * MB) + b"</p>", compresslevel=9)
    return _put(m, d / f"gzbomb-{i}.html", data, BAD, "gzip bomb renamed .html")


def _truncated_json(d: Path, i: int, r: random.Random, m: Manifest) -> int:
    full = json.dumps({"id": f"t{i}", "text": "Turkey delivered drones to Kazakhstan in 2022."})
    return _put(m, d / f"truncated-{i}.json", full[: r.randint(1, len(full) - 2)].encode(), BAD, "truncated JSON")


def _deep_json(d: Path, i: int, _r: random.Random, m: Manifest) -> int:
    return _put(m, d / f"deep-{i}.json", b"[" * 200_000 + b"]" * 200_000, BAD, "JSON nested 200,000 deep")


def _json_not_article(d: Path, i: int, r: random.Random, m: Manifest) -> int:
    body = r.choice(['["text"]', '{"text": 42}', '{"text": ["a"]}', '{"title": "no text"}', '"text"', "null",
                     '{"text": "   "}', "1e99999"])
    return _put(m, d / f"not-article-{i}.json", body.encode(), BAD, "JSON that is not an article")


def _broken_jsonl(d: Path, i: int, r: random.Random, m: Manifest) -> int:
    """One JSONL file of broken lines (each one input), with blank lines that are not records."""
    path = d / f"broken-{i}.jsonl"
    lines = ['{"text": "Turkey delivered', "{not json}", "[1, 2, 3]", '{"id": "no text"}', '{"text": ""}',
             json.dumps({"text": NON_ENGLISH["fr"]}), '{"text": "\udc80"}', "\x00\x01\x02", '{"text": null}']
    chosen = r.sample(lines, 4)
    raw = "\n\n".join(chosen) + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(raw.encode("utf-8", errors="surrogateescape").replace(b"\\udc80", b"\xed\xb2\x80"))
    for lineno in range(1, len(chosen) + 1):
        m.add(f"{path}#{2 * lineno - 1}", BAD, "broken JSONL line")
    return len(chosen)


def _huge_text(d: Path, i: int, _r: random.Random, m: Manifest) -> int:
    path = d / f"huge-{i}.txt"
    path.parent.mkdir(parents=True, exist_ok=True)
    line = b"Turkey delivered drones to Kazakhstan in 2022, the ministry said.\n"
    with path.open("wb") as fh:
        for _ in range(50 * MB // len(line) + 1):
            fh.write(line)
    m.add(str(path), BAD, "50 MB of text")
    return 1


def _long_line(d: Path, i: int, _r: random.Random, m: Manifest) -> int:
    path = d / f"long-line-{i}.txt"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"drone " * (10 * MB // 6))
    m.add(str(path), BAD, "one 10 MB line")
    jsonl = d / f"long-line-{i}.jsonl"
    jsonl.write_bytes(b'{"text": "' + b"drone " * (10 * MB // 6) + b'"}\n')
    m.add(f"{jsonl}#1", BAD, "one 10 MB JSONL line")
    return 2


def _over_article_cap(d: Path, i: int, _r: random.Random, m: Manifest) -> int:
    sentence = "Turkey delivered drones to Kazakhstan in 2022, the ministry said. "
    return _put(m, d / f"dump-{i}.txt", (sentence * 3000).encode(), BAD, "200 kB article (over the article cap)")


def _symlink_loops(d: Path, i: int, _r: random.Random, m: Manifest) -> int:
    loop = d / f"loop-{i}"
    loop.mkdir(parents=True, exist_ok=True)
    (loop / "self").symlink_to(".", target_is_directory=True)  # a folder that contains itself
    (loop / "up").symlink_to("..", target_is_directory=True)
    (loop / "a.txt").symlink_to("b.txt")  # a file symlink loop
    (loop / "b.txt").symlink_to("a.txt")
    (loop / "dangling.txt").symlink_to("nowhere.txt")
    m.add(str(loop / "a.txt"), BAD, "symlink loop (file)")
    m.add(str(loop / "b.txt"), BAD, "symlink loop (file)")
    m.add(str(loop / "dangling.txt"), BAD, "dangling symlink")
    return 3


def _fifo(d: Path, i: int, _r: random.Random, m: Manifest) -> int:
    d.mkdir(parents=True, exist_ok=True)
    path = d / f"pipe-{i}.txt"
    os.mkfifo(path)  # opening it for reading would block forever
    m.add(str(path), BAD, "named pipe")
    return 1


def _control_chars(d: Path, i: int, r: random.Random, m: Manifest) -> int:
    text = "".join(r.choice("\x01\x02\x03\x07\x08\x0e\x0f\x10\x1f") + "x" for _ in range(1000))
    return _put(m, d / f"control-{i}.txt", text.encode(), BAD, "control characters")


def _mojibake_only(d: Path, i: int, r: random.Random, m: Manifest) -> int:
    chars = "".join(chr(r.randint(0x2500, 0x25FF)) for _ in range(400))  # box drawing: no language
    return _put(m, d / f"symbols-{i}.txt", chars.encode(), BAD, "symbols, no language")


_BIG_MAKERS: list[Maker] = [_huge_text, _long_line]
_ONCE: list[Maker] = [_zip_bomb, _gzip_bomb, _symlink_loops, _fifo, _deep_json, _huge_text, _long_line]
# Written once each (large, or one is as good as many), then the cheap kinds in turn up to the count.
_CHEAP_MAKERS: list[Maker] = [
    _empty, _whitespace, _binary, _invalid_utf8, _non_english, _utf16_foreign, _unsupported, _boilerplate_only,
    _script_only, _nested_html, _truncated_json, _json_not_article, _broken_jsonl, _control_chars, _mojibake_only,
    _over_article_cap, _symlink_loops,
]
