"""Time expressions in news text, as ISO-prefix spans anchored on the publication date.

Why: a fact's time is recorded at the precision the text gives ("2011", "2022-05"),
with qualifiers deciding which end of the span is known ("since X" opens a span,
"by X" closes one) and relative phrases ("last month") resolved against the
article's ``published`` date, never against today. The rules follow the corpus
README and ANNOTATION_NOTES ("Status and time", "Decisions from 011–020").

Strategies are tried in the named order of ``STRATEGIES``; every candidate is
kept, and overlaps are settled leftmost-longest, ties by that order. Explicit
calendar dates are read from the regex groups directly (validated with
``datetime.date``), so no external parser is loaded and nothing guesses "now".
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Callable

from armstrack.model import TimeSpan

# Bounds keep every call linear and small: corpus articles are ~2-3k characters,
# so 100k covers any real article; a time phrase is never longer than a sentence.
MAX_SCAN_CHARS = 100_000
MAX_PHRASE_CHARS = 400
# How far left of a time core a qualifier ("as early as", "starting from") may start.
QUALIFIER_WINDOW = 30

# Thirds of a decade. Source: corpus README ("late 1990s" is start 1997, end 1999);
# early/mid take the matching thirds so the three parts tile the decade.
DECADE_PARTS = {"early": (0, 3), "mid": (4, 6), "late": (7, 9)}
# Northern-hemisphere seasons as (first month, last month) for "last/next summer".
SEASON_MONTHS = {"spring": (3, 5), "summer": (6, 8), "autumn": (9, 11), "fall": (9, 11), "winter": (12, 2)}
MONTHS = {name: i for i, names in enumerate((
    ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",),
    ("june", "jun"), ("july", "jul"), ("august", "aug"), ("september", "sep", "sept"),
    ("october", "oct"), ("november", "nov"), ("december", "dec")), start=1) for name in names}
SMALL_NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
                 "seven": 7, "eight": 8, "nine": 9, "ten": 10}

# Qualifier semantics: "since X" → start X, end open; "by X" → end X, start open.
START_QUALIFIERS = frozenset({
    "since", "from", "starting", "starting from", "starting in", "starting on", "starting with",
    "beginning", "beginning in", "beginning on", "beginning from", "beginning with", "as early as",
    "as of", "after", "not before", "dates back to", "dated back to", "dating back to", "back to"})
END_QUALIFIERS = frozenset({"by", "until", "till", "through", "no later than", "not later than",
                            "before", "ending in"})

_Y = r"(?:19|20)[0-9]{2}(?![\w%]|[.,][0-9])"
_MONTH_FULL = "January|February|March|April|May|June|July|August|September|October|November|December"
_MONTH_ABBR = "Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec"
_MONTH = rf"\b(?-i:(?:{_MONTH_FULL})\b|(?:{_MONTH_ABBR})\b\.?)"
_MONTH_STRICT = rf"\b(?-i:(?:{_MONTH_FULL})\b|(?:{_MONTH_ABBR})\.)"
_WEEKDAY = r"\b(?-i:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b"
_DAY = r"(?<![0-9.,$])(?:[12][0-9]|3[01]|0?[1-9])(?:st|nd|rd|th)?(?![0-9:])"
_PART = (r"(?:(?:the\s+)?(?:very\s+)?(?:end|beginning|start|middle|turn|close)\s+of\s+"
         r"|(?:early|mid|late|end)[\s-]+)")
_NO_NUM_BEFORE = r"(?<![\w$€£¥.,/#-])"
_VAGUE = (r"soon|recently|shortly|lately|in\s+recent\s+(?:days|weeks|months|years)|the\s+near\s+future"
          r"|the\s+future|the\s+(?:coming|next|past|last|previous|following)\s+(?:few\s+|several\s+|"
          r"two\s+|three\s+|five\s+|ten\s+)?(?:days|weeks|months|years|decades?)"
          r"|the\s+following\s+(?:day|week|month|year|spring|summer|autumn|fall|winter)"
          r"|the\s+previous\s+(?:day|week|month|year)|\w+\s+(?:day|week|month|year)s?\s+later")
_COUNT_WORD = r"(?:a|an|one|two|three|four|five|six|seven|eight|nine|ten|[0-9]{1,2})"
_RELATIVE = (rf"today|tonight|yesterday|tomorrow|within\s+{_COUNT_WORD}\s+(?:years?|months?)"
             rf"|(?:the\s+)?(?:past|last|previous)\s+{_COUNT_WORD}\s+years|(?:earlier\s+|later\s+)?(?:this|last|next|past)\s+"
             rf"(?:weekend|week|month|year|spring|summer|autumn|fall|winter)"
             rf"|(?:the\s+)?(?:end|beginning|start|middle|close)\s+of\s+(?:the|this|next|last)\s+(?:year|month)"
             rf"|(?:a|an|one|two|three|four|five|six|seven|eight|nine|ten|[0-9]{{1,2}})\s+"
             rf"(?:years?|months?|weeks?)\s+ago|{_VAGUE}")
_QUALIFIER_RE = re.compile(
    r"(?<!\w)(?P<q>as\s+early\s+as|as\s+late\s+as|no\s+later\s+than|not\s+later\s+than|not\s+before"
    r"|starting(?:\s+(?:from|in|on|with))?|beginning(?:\s+(?:in|on|from|with))?|dat(?:es|ed|ing)\s+back\s+to"
    r"|back\s+(?:in|to)|ending\s+in|as\s+of|since|by|until|till|through|from|in|on|at|during|over|between"
    r"|before|after|around|within|throughout|for|circa)\s+$", re.I)
_HEDGE_BEFORE_RE = re.compile(r"(?:some|about|around|approximately|nearly|almost|over|than|to|least)\s+$", re.I)
_PLURAL_AFTER_RE = re.compile(r"\s+[a-z]{2,}s\b")
# "Type 2010 radar", "Project 2020": a number inside a designation, not a year.
_DESIGNATION_BEFORE_RE = re.compile(r"\b(?:type|model|block|batch|mk|mark|no\.?|number|project|series|class"
                                    r"|version|flight|lot)\s+$", re.I)


@dataclass(frozen=True)
class TimeMention:
    """One time expression found in a text, with offsets into that text."""

    start: int
    end: int
    text: str
    span: TimeSpan
    qualifier: str | None


@dataclass(frozen=True)
class _Ctx:
    pub: dt.date | None
    qual: str | None


Span = tuple[str | None, str | None]


def _iso(y: int, m: int | None = None, d: int | None = None) -> str | None:
    """ISO prefix at the given precision, or None when the year leaves 1..9999."""
    if not 1 <= y <= 9999:
        return None
    return f"{y:04d}" + (f"-{m:02d}" if m else "") + (f"-{d:02d}" if d else "")


def _month_no(word: str) -> int:
    return MONTHS[word.lower().rstrip(".")]


def _shift(y: int, m: int, k: int) -> tuple[int, int]:
    n = y * 12 + (m - 1) + k
    return n // 12, n % 12 + 1


def _two_digit_end(a: int, b: str) -> int:
    return a // 100 * 100 + int(b) if len(b) == 2 else int(b)


# --- resolvers: each turns a match into its natural (start, end) ------------------------------

def _iso_date(m: re.Match, c: _Ctx) -> Span:
    y, mo, d = (int(g) for g in m.groups())
    return _checked_date(y, mo, d), None


def _checked_date(y: int, mo: int, d: int) -> str | None:
    try:
        dt.date(y, mo, d)
    except ValueError:
        return _iso(y, mo)
    return _iso(y, mo, d)


def _calendar_date(m: re.Match, c: _Ctx) -> Span:
    month = _month_no(m["m1"] or m["m2"])
    day = int(re.match(r"[0-9]+", m["d1"] or m["d2"]).group())
    return _checked_date(int(m["y"]), month, day), None


def _fiscal(m: re.Match, c: _Ctx) -> Span:
    a = int(m["y1"])
    return _iso(a), _iso(_two_digit_end(a, m["y2"])) if m["y2"] else None


def _year_range(m: re.Match, c: _Ctx) -> Span:
    a_month, a = m["ma"], int(m["a"])
    b = m["b"]
    if len(b) == 2 and not a_month and int(b) <= a % 100:
        # "2022-05" is a month, not a range running backwards.
        return (_iso(a, int(b)), None) if 1 <= int(b) <= 12 else (None, None)
    b_year = _two_digit_end(a, b)
    start = _iso(a, _month_no(a_month)) if a_month else _iso(a)
    return start, _iso(b_year, _month_no(m["mb"])) if m["mb"] else _iso(b_year)


def _decade(m: re.Match, c: _Ctx) -> Span:
    base = int(m["dec"]) if m["dec"] else (1900 if int(m["dd"]) >= 30 else 2000) + int(m["dd"])
    lo, hi = DECADE_PARTS.get((m["part"] or "").lower(), (0, 9))
    return _iso(base + lo), _iso(base + hi)


def _month_year(m: re.Match, c: _Ctx) -> Span:
    return _iso(int(m["y"]), _month_no(m["m"])), None


def _year_only(m: re.Match, c: _Ctx) -> Span:
    return _iso(int(m["y"])), None


def _month_rel_year(m: re.Match, c: _Ctx) -> Span:
    if c.pub is None:
        return None, None
    rel = m["rel"].lower()
    offset = -1 if "last" in rel else 1 if "next" in rel else 0 if "this" in rel else None
    return (_iso(c.pub.year + offset, _month_no(m["m"])), None) if offset is not None else (None, None)


def _month_alone(m: re.Match, c: _Ctx) -> Span:
    """A year-less month: "last May" = most recent May strictly before the publication month,
    "next May" the first after it, "by May" the first not before it, "in May" the most recent
    not after it (ANNOTATION_NOTES: "in March" in a July 2005 article is 2005-03)."""
    if c.pub is None:
        return None, None
    month, rel = _month_no(m["m"]), (m["rel"] or "").lower()
    y, pm = c.pub.year, c.pub.month
    if rel == "this":
        return _iso(y, month), None
    if rel == "next":
        return _iso(y + (month <= pm), month), None
    if rel in ("last", "past"):
        return _iso(y - (month >= pm), month), None
    if c.qual in END_QUALIFIERS:
        return _iso(y + (month < pm), month), None
    return _iso(y - (month > pm), month), None


def _season(word: str, rel: str, pub: dt.date) -> str | None:
    """Year of the season occurrence meant by "last/this/next summer" (winter counts from December)."""
    first, last = SEASON_MONTHS[word]
    length = (last - first) % 12
    now = pub.year * 12 + pub.month - 1
    starts = [y * 12 + first - 1 for y in range(pub.year - 2, pub.year + 2)]
    if rel in ("last", "past"):
        chosen = max(s for s in starts if s + length < now)
    elif rel == "next":
        chosen = min(s for s in starts if s > now)
    else:  # "this summer": the occurrence containing, else nearest to, the publication month
        chosen = min(starts, key=lambda s: max(s - now, now - s - length, 0))
    return _iso(chosen // 12)


_AGO_RE = re.compile(r"(?P<n>\w+)\s+(?P<unit>year|month|week)s?\s+ago$")
_WITHIN_RE = re.compile(rf"within\s+(?P<n>{_COUNT_WORD})\s+(?P<unit>year|month)s?$")
_PAST_YEARS_RE = re.compile(rf"(?:past|last|previous)\s+(?P<n>{_COUNT_WORD})\s+years$")
_REL_RE = re.compile(r"(?P<rel>this|last|next|past|the)\s+(?P<unit>weekend|week|month|year|spring|summer|autumn"
                     r"|fall|winter)$")
REL_STEPS = {"last": -1, "past": -1, "next": 1, "this": 0, "the": 0}


def _relative(m: re.Match, c: _Ctx) -> Span:
    """Relative phrases against ``published``. ANNOTATION_NOTES leave "today", "yesterday",
    "this week" and vague phrases ("soon", "in the coming years") unresolved; "last week"
    is the month of the previous week."""
    if c.pub is None:
        return None, None
    phrase = " ".join(m.group().lower().split())
    within = _WITHIN_RE.search(phrase)
    if within:  # "within a year" of a July 2020 article ends in 2021 (corpus notes, 059)
        n = _count(within["n"])
        if within["unit"] == "year":
            return None, _iso(c.pub.year + n)
        return None, _iso(*_shift(c.pub.year, c.pub.month, n))
    past = _PAST_YEARS_RE.search(phrase)
    if past:  # "over the past five years" in 2017: the five full years before, 2012-2016 (051)
        n = _count(past["n"])
        return _iso(c.pub.year - n), _iso(c.pub.year - 1)
    ago = _AGO_RE.search(phrase)
    if ago:
        n = _count(ago["n"])
        if ago["unit"] == "year":
            return _iso(c.pub.year - n), None
        if ago["unit"] == "month":
            return _iso(*_shift(c.pub.year, c.pub.month, -n)), None
        return _iso(*_month_of(c.pub - dt.timedelta(weeks=n))), None
    rel = _REL_RE.search(phrase)
    if not rel:
        return None, None
    step, unit = REL_STEPS[rel["rel"]], rel["unit"]
    if unit == "year":
        return _iso(c.pub.year + step), None
    if unit == "month":
        return _iso(*_shift(c.pub.year, c.pub.month, step)), None
    if unit in SEASON_MONTHS:
        return _season(unit, rel["rel"], c.pub), None
    if step:  # "last week" / "next week"; "this week" stays open
        return _iso(*_month_of(c.pub + dt.timedelta(weeks=step))), None
    return None, None


def _count(word: str) -> int:
    """"five" → 5, "11" → 11; 0 for anything else."""
    return SMALL_NUMBERS.get(word) or (int(word) if word.isdigit() else 0)


def _month_of(day: dt.date) -> tuple[int, int]:
    return day.year, day.month


def _unresolved(m: re.Match, c: _Ctx) -> Span:
    return None, None


Resolver = Callable[[re.Match, _Ctx], Span]

STRATEGIES: tuple[tuple[str, re.Pattern, Resolver], ...] = tuple(
    (name, re.compile(pattern, re.I), resolver) for name, pattern, resolver in (
        ("iso_date", r"\b((?:19|20)[0-9]{2})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])\b", _iso_date),
        ("calendar_date", rf"(?:{_WEEKDAY},?\s+)?(?:(?P<m1>{_MONTH})\s+(?P<d1>{_DAY}),?\s+|(?P<d2>{_DAY})\s+"
                          rf"(?:of\s+)?(?P<m2>{_MONTH}),?\s+)(?P<y>{_Y})", _calendar_date),
        ("fiscal", rf"(?:{_PART})?(?:fiscal(?:\s+year)?\s+|FY\s?)(?P<y1>{_Y})"
                   rf"(?:\s*(?:and|to|through|-|–|/)\s*(?P<y2>{_Y}|[0-9]{{2}}(?![\w%])))?", _fiscal),
        ("year_range", rf"{_NO_NUM_BEFORE}(?:(?:from|between)\s+)?(?:(?P<ma>{_MONTH})\s+)?(?P<a>{_Y})\s*"
                       rf"(?:to|until|till|through|and|-|–|—|/)\s*(?:(?P<mb>{_MONTH})\s+)?"
                       rf"(?P<b>{_Y}|[0-9]{{2}}(?![\w%]|[.,][0-9]))", _year_range),
        ("decade", rf"(?:the\s+)?(?:(?P<part>early|mid|late)[\s-]+)?"
                   rf"(?:(?<![0-9])(?P<dec>(?:19|20)[0-9]0)|[‘'’](?P<dd>[0-9]0))[‘'’]?s\b", _decade),
        ("month_year", rf"(?:{_PART})?(?P<m>{_MONTH}),?\s+(?:of\s+)?(?P<y>{_Y})", _month_year),
        ("month_rel_year", rf"(?:(?:early|mid|late)[\s-]+)?(?P<m>{_MONTH_STRICT}),?\s+(?P<rel>(?:earlier\s+|"
                           rf"later\s+)?(?:this|last|next|the\s+previous|the\s+following)\s+year)\b",
         _month_rel_year),
        ("season_year", rf"(?:the\s+)?(?:(?:early|mid|late)[\s-]+)?(?:spring|summer|autumn|fall|winter|"
                        rf"(?:first|second|1st|2nd)\s+half|(?:first|second|third|fourth|final|last|1st|2nd|3rd|4th)"
                        rf"\s+quarter|(?-i:H[12]|Q[1-4]))\s*(?:of\s+)?(?P<y>{_Y})", _year_only),
        ("part_of_year", rf"{_PART}(?P<y>{_Y})", _year_only),
        ("event_year", rf"(?-i:\(?[A-Z][A-Z0-9&]{{2,}}\)?|Eurosatory|Farnborough|Airshow|Expo|Summit|Forum)"
                       rf"\s+(?P<y>{_Y})", _year_only),
        ("year", rf"{_NO_NUM_BEFORE}(?P<y>{_Y})", _year_only),
        ("relative", rf"\b(?:{_RELATIVE})\b", _relative),
        ("month_alone", rf"(?:(?P<rel>last|next|this|past|early|mid|late)[\s-]+|{_PART})?(?P<m>{_MONTH_STRICT})"
                        rf"(?!\s*,?\s*[0-9])", _month_alone),
        ("month_day", rf"(?:{_MONTH}\s+{_DAY}|{_DAY}\s+(?:of\s+)?{_MONTH_STRICT})", _unresolved),
        ("weekday", rf"(?:(?:last|next|this|past)\s+)?{_WEEKDAY}(?:['’]s)?", _unresolved),
    ))


def _parse_published(published: str | None) -> dt.date | None:
    """The article date as a ``date``, or None when absent or unreadable."""
    if not isinstance(published, str):
        return None
    m = re.match(r"\s*([0-9]{4})-([0-9]{1,2})(?:-([0-9]{1,2}))?", published)
    if not m:
        return None
    try:
        return dt.date(int(m[1]), int(m[2]), int(m[3] or 1))
    except ValueError:
        return None


def _candidates(text: str) -> list[tuple[int, int, int, re.Match]]:
    found = []
    for order, (_, pattern, _) in enumerate(STRATEGIES):
        found.extend((m.start(), -m.end(), order, m) for m in pattern.finditer(text) if m.end() > m.start())
    found.sort(key=lambda f: (f[0], f[1], f[2]))
    return found


def _keep(name: str, m: re.Match, text: str, qual: str | None) -> bool:
    """Drop candidates that are probably not times (see each branch)."""
    if name == "month_alone":  # a bare "May"/"March" needs a cue that it is a month
        return bool(qual or m.start("m") > m.start())
    if name == "year":  # "some 2000 soldiers" is a count, not a year
        before = text[max(0, m.start() - 20):m.start()]
        if _DESIGNATION_BEFORE_RE.search(before):
            return False
        return not (_HEDGE_BEFORE_RE.search(before) and _PLURAL_AFTER_RE.match(text, m.end()))
    return True


def find_times(text: str, published: str | None = None) -> list[TimeMention]:
    """Every time expression in ``text``, leftmost-longest, with its resolved span.

    Args:
        text: a sentence or passage; only the first ``MAX_SCAN_CHARS`` are read.
        published: the article date ("YYYY-MM-DD"), the anchor for relative phrases.
    Returns:
        Mentions in text order; ``text[m.start:m.end] == m.text == m.span.text``.
    """
    if not isinstance(text, str) or not text:
        return []
    text = text[:MAX_SCAN_CHARS]
    pub = _parse_published(published)
    mentions: list[TimeMention] = []
    last_end = 0
    for start, neg_end, order, m in _candidates(text):
        if start < last_end:
            continue
        name, _, resolver = STRATEGIES[order]
        window_start = max(last_end, start - QUALIFIER_WINDOW)
        q = _QUALIFIER_RE.search(text, window_start, start)
        qual = " ".join(q["q"].lower().split()) if q else None
        if not _keep(name, m, text, qual):
            continue
        begin = q.start() if q else start
        try:
            first, last = resolver(m, _Ctx(pub, qual))
        except (ValueError, OverflowError, KeyError):
            first, last = None, None
        first, last = _apply_qualifier(qual, first, last)
        phrase = text[begin:-neg_end]
        mentions.append(TimeMention(begin, -neg_end, phrase, TimeSpan(phrase, first, last), qual))
        last_end = -neg_end
    return mentions


def _apply_qualifier(qual: str | None, start: str | None, end: str | None) -> Span:
    """"since the late 1990s" → (1997, None); "by the first half of 2026" → (None, 2026)."""
    if start is None and end is None:
        return None, None
    if qual in START_QUALIFIERS:
        return start or end, None
    if qual in END_QUALIFIERS:
        return None, end or start
    return start, end


def parse_time(phrase: str, published: str | None = None) -> TimeSpan:
    """The span of one time phrase as written ("in fiscal 2006 and 2007" → 2006/2007).

    Several dated parts ("in 2020 and the second in 2021") give start = first, end = last; a
    part known only at one end still fixes its side ("by the end of the year and more than 100
    in 2024" in a 2023 article runs 2023-2024).
    The phrase is kept as ``text``; start/end stay null when nothing can be fixed.
    """
    if not isinstance(phrase, str):
        return TimeSpan()
    if not phrase.strip():
        return TimeSpan(phrase or None)
    dated = [m.span for m in find_times(phrase[:MAX_PHRASE_CHARS], published) if m.span.start or m.span.end]
    if not dated:
        return TimeSpan(phrase, None, None)
    if len(dated) == 1:
        return TimeSpan(phrase, dated[0].start, dated[0].end)
    start, end = dated[0].start or dated[0].end, dated[-1].end or dated[-1].start
    return TimeSpan(phrase, start, end if end != start else None)
