"""Money amounts and unit counts in news text.

Why: a fact's ``money`` is the value of its deal and its ``quantity`` the count of
units or people it covers (corpus README, ANNOTATION_NOTES "Money and quantity").
Both come from the same sentence as the fact, so this module only finds every
candidate with its character span; choosing which one belongs to a fact is the
fact builder's job. Money spans are found first so their numbers are never
counted again as quantities; years, percentages, ordinals, calibres, dates and
model numbers inside designations ("F-16", "Type 054A") are not quantities.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from armstrack.model import Money

# Bound on characters read per call; corpus articles are ~2-3k characters.
MAX_SCAN_CHARS = 100_000
# Tokens after a number searched for the noun it counts ("152 CV90 MkIV tracked
# infantry fighting vehicles" needs six, "two newly built Chinese Type 054 A/P
# frigates" seven); longer runs are rarely one noun phrase.
MAX_UNIT_TOKENS = 8

# Words in one spelled-out number ("two hundred and fifty-five thousand" is five after
# the first); the bound keeps the number regexes linear on long runs of number words.
MAX_NUMBER_WORDS = 6
SCALES = {"thousand": 10**3, "k": 10**3, "lakh": 10**5, "crore": 10**7, "million": 10**6, "mln": 10**6,
          "mn": 10**6, "mil": 10**6, "m": 10**6, "billion": 10**9, "bln": 10**9, "bn": 10**9, "b": 10**9,
          "trillion": 10**12, "tn": 10**12}
# A bare "$" is USD and "¥" JPY: the defence press uses "yuan"/"RMB" for Chinese amounts.
SYMBOLS = {"us$": "USD", "u.s.$": "USD", "nt$": "TWD", "a$": "AUD", "au$": "AUD", "c$": "CAD", "ca$": "CAD",
           "nz$": "NZD", "hk$": "HKD", "s$": "SGD", "r$": "BRL", "rs.": "INR", "rs": "INR", "$": "USD",
           "€": "EUR", "£": "GBP", "¥": "JPY", "₹": "INR", "₩": "KRW", "₽": "RUB", "₺": "TRY", "₪": "ILS",
           "₴": "UAH", "₱": "PHP", "฿": "THB"}
# Letters that stand for a currency only when glued to a number with a scale word: the Philippine
# press writes pesos as "P25 billion" / "P25B"; a lone "P" before a number is otherwise a designation.
SCALED_LETTER_SYMBOLS = {"P": "PHP"}
CODES = ("USD", "EUR", "GBP", "SEK", "NOK", "DKK", "JPY", "CNY", "RMB", "KRW", "INR", "PKR", "RUB", "TRY",
         "PLN", "AUD", "CAD", "CHF", "ILS", "UAH", "KZT", "AZN", "SAR", "AED", "QAR", "TWD", "SGD", "BRL",
         "EGP", "IRR", "CZK", "HUF", "RON", "NZD", "HKD", "ZAR", "IDR", "MYR", "THB", "PHP")
# Currency words → ISO code; an adjective before the word ("Swedish kronor") overrides.
CURRENCY_WORDS = {"dollar": "USD", "euro": "EUR", "pound": "GBP", "sterling": "GBP", "yen": "JPY",
                  "yuan": "CNY", "renminbi": "CNY", "won": "KRW", "ruble": "RUB", "rouble": "RUB",
                  "lira": "TRY", "rupee": "INR", "krona": "SEK", "kronor": "SEK", "krone": "DKK",
                  "kroner": "DKK", "zloty": "PLN", "zlotys": "PLN", "hryvnia": "UAH", "shekel": "ILS",
                  "franc": "CHF", "riyal": "SAR", "dirham": "AED", "tenge": "KZT", "manat": "AZN",
                  "ringgit": "MYR", "rupiah": "IDR", "real": "BRL", "reais": "BRL", "rand": "ZAR",
                  "baht": "THB"}
ADJECTIVE_CURRENCY = {"us": "USD", "u.s.": "USD", "american": "USD", "australian": "AUD", "canadian": "CAD",
                      "singapore": "SGD", "hong kong": "HKD", "new zealand": "NZD", "taiwan": "TWD",
                      "new taiwan": "TWD", "swedish": "SEK", "danish": "DKK", "norwegian": "NOK",
                      "indian": "INR", "pakistani": "PKR", "turkish": "TRY", "russian": "RUB",
                      "chinese": "CNY", "japanese": "JPY", "korean": "KRW", "south korean": "KRW",
                      "swiss": "CHF", "saudi": "SAR", "qatari": "QAR", "emirati": "AED", "uae": "AED",
                      "israeli": "ILS", "polish": "PLN", "ukrainian": "UAH", "kazakh": "KZT",
                      "azerbaijani": "AZN", "egyptian": "EGP", "brazilian": "BRL"}
# Currency words that count as money only with a scale word ("2 trillion won"): "won" is also
# a verb ("in 2018 won a tender"), "pounds" also a weight ("500 pounds of explosives").
AMBIGUOUS_CURRENCY_WORDS = frozenset({"won", "pound", "real", "rand", "franc"})
PER_WORDS = {"year": "year", "annum": "year", "annually": "year", "yearly": "year", "month": "month",
             "monthly": "month", "week": "week", "weekly": "week", "day": "day", "daily": "day",
             "unit": "unit", "apiece": "unit", "each": "unit", "piece": "unit"}
UNITS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen".split())}
TENS = {w: 10 * i for i, w in enumerate("twenty thirty forty fifty sixty seventy eighty ninety".split(), 2)}
WORD_SCALES = {"hundred": 100, "thousand": 10**3, "million": 10**6, "billion": 10**9}
# Measurements, not counts of units or people ("155 mm", "30 years", "2 Min read").
MEASURE_WORDS = frozenset(
    "mm cm km m kg t ton tons tonne tonnes km/h kph mph knots miles mile metres meters metre meter feet ft "
    "inch inches hours hour minutes minute min mins seconds second days day weeks week months month years "
    "year decades decade percent per pct degrees degree kw mw hp horsepower kilometres kilometers "
    "kilograms litres liters calibre caliber gb times".split())
# Words that make the following number part of a name or index ("Type 054A", "No. 7", "Block 70").
DESIGNATION_WORDS = frozenset(
    "type no no. nos number block batch mk mark model series project flight lot phase tranche article "
    "section resolution chapter level stage class version route vision agenda page pp gmt utc "
    "kospi kosdaq index brigade division regiment battalion squadron fleet group unit".split())
# Capitalised words that may stand before a count without making it a designation.
CAPITALISED_OK = frozenset(
    "the some about around over nearly almost only another all with and of for in by since from to at "
    "between up least than more total just approximately roughly its their these those overall including "
    "plus exactly as while when but so another".split())
# Words after which a counted noun never continues.
STOP_WORDS = frozenset(
    "of for from to in on at by with and or but that which who whom whose will would could should can may "
    "might must are were is was be been being have has had as than per each a an the this these those their "
    "its his her our your into under over during after before since including such while if when where "
    "also already both all not no only said says say another".split())
PLURAL_INVARIANT = frozenset("aircraft personnel staff people crew troops police military equipment "
                             "ammunition artillery infantry sheep fish".split())
NOT_PLURAL_ENDINGS = ("ss", "us", "is")  # "class", "various", "analysis" end in s but are not plurals
CONTAINER_NOUNS = frozenset("units pieces sets batches examples copies items lots pairs".split())
# "the one that", "which one", "one another": "one" as a pronoun, not a count.
ONE_BLOCKER_RE = re.compile(r"\b(?:the|this|that|which|every|no|any|each|at|such)\s+$", re.I)
QUANTITY_VERBS = frozenset("will would are were have had has is was could should may might".split())

_NUM = r"(?<![0-9.,])(?:[0-9]{1,3}(?:,[0-9]{3}){1,5}|[0-9]{1,12})(?:\.[0-9]{1,4})?(?![0-9]|[.,][0-9])"
_WORD = "|".join(sorted(list(UNITS) + list(TENS), key=len, reverse=True))
_WORDNUM = (rf"(?:\ba\s+(?:dozen|hundred|thousand)\b|\b(?:{_WORD}|dozen)(?:[\s-]+(?:{_WORD}|hundred(?:\s+and"
            rf"(?=\s+(?:{_WORD})\b))?|thousand|million|billion|dozen)){{0,{MAX_NUMBER_WORDS}}}\b)")
_SCALE = r"(?:[\s-]?(?:thousand|lakh|crore|million|billion|trillion|mln|bln|mil|mn|bn|tn)\b|(?-i:[mbkMBK])\b)"
_SYM = "|".join(re.escape(s) for s in sorted(SYMBOLS, key=len, reverse=True))
_CUR_WORD = "|".join(sorted(CURRENCY_WORDS, key=len, reverse=True))
_ADJ = "|".join(re.escape(a) for a in sorted(ADJECTIVE_CURRENCY, key=len, reverse=True))
_CODE = "|".join(CODES)


def _range(sym: str) -> str:
    """An optional upper bound ("$2.5-3 billion"); money ranges count at their upper bound."""
    return r"(?:\s*(?:-|–|to)\s*(?:" + sym + r")?\s?(?P<num2>" + _NUM + "))?"


MONEY_PATTERNS = tuple(re.compile(p, re.I) for p in (
    rf"(?<![A-Za-z])(?P<sym>{_SYM})\s?(?P<num>{_NUM}){_range(_SYM)}(?P<scale>{_SCALE})?",
    rf"(?<![A-Za-z/])(?P<code>(?-i:{_CODE}))(?![A-Za-z/])\s?(?P<num>{_NUM}){_range('(?!)')}"
    rf"(?P<scale>{_SCALE})?",
    rf"(?P<num>{_NUM}|{_WORDNUM}){_range('(?!)')}(?P<scale>{_SCALE})?(?:\s*|-)(?:(?P<adj>{_ADJ})\s+)?"
    rf"(?:(?P<word>{_CUR_WORD})(?:e?s)?\b|(?P<code>(?-i:{_CODE}))\b)(?!-)",
    rf"(?<![\w-])(?P<scale>thousand|million|billion|trillion)-(?P<word>dollar|euro|pound)\b",
    rf"(?<![\w-])(?P<letter>(?-i:{'|'.join(SCALED_LETTER_SYMBOLS)}))(?P<num>{_NUM})(?P<scale>{_SCALE})",
))
_PER_RE = re.compile(r"\s*(?:(?:per|a|an|each|every)\s+(?P<u>year|annum|month|week|day|unit|piece)\b"
                     r"|(?P<adv>annually|yearly|monthly|weekly|daily|apiece|each)\b)", re.I)
_CONVERSION_GAP_RE = re.compile(r"\s*(?:[(\[/]|,?\s*or)\s*(?:about|around|approximately|approx\.|roughly|some|"
                                r"nearly|almost|c\.|~|≈)?\s*$", re.I)

_HEDGE = (r"(?:at\s+least|at\s+most|up\s+to|as\s+many\s+as|more\s+than|less\s+than|fewer\s+than|over|under"
          r"|nearly|almost|about|around|approximately|roughly|some|a\s+total\s+of|another|only|just)")
_COUNT = rf"(?:(?<![\w$€£¥/#:+.,-]){_NUM}|{_WORDNUM})"
_NUMBER_PHRASE_RE = re.compile(
    rf"(?:(?P<hedge>{_HEDGE})\s+)?(?:between\s+|from\s+)?(?P<a>{_COUNT})(?:\s*(?:-|–|to|and|or)\s*"
    rf"(?P<b>{_NUM}|{_WORDNUM}))?(?P<scale>\s+(?:thousand|million|billion))?(?![\w%])", re.I)
_TOKEN_RE = re.compile(r"\s*(\w[\w'’/.&-]*\w|\w|[^\w\s])")
_MONTH_RE = re.compile(r"(?:january|february|march|april|may|june|july|august|september|october|november"
                       r"|december|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec)\.?$", re.I)
_OF_THE_RE = re.compile(r"\s+of\s+(?:the\s+)?", re.I)
# "48 of the helicopters", "50 of the type": a count of part of a set named after "of".
_PARTITIVE_RE = re.compile(r"\s+of\s+(?:the|these|those|its|their|our)\s+", re.I)
_TIME_WORD_BEFORE_RE = re.compile(r"\b(?:in|since|by|from|until|till|after|before|during|of|early|late|mid"
                                  r"|the|year|fiscal|summer|spring|autumn|fall|winter)[\s-]+$", re.I)
_WORD_BEFORE_RE = re.compile(r"(\S+)\s+$")
_PERCENT_RE = re.compile(r"\s*(?:%|percent\b|per\s+cent\b|pct\b)", re.I)


@dataclass(frozen=True)
class MoneyMention:
    start: int
    end: int
    text: str
    money: Money


@dataclass(frozen=True)
class QuantityMention:
    start: int
    end: int
    text: str
    value: int
    unit_text: str


def _words_value(words: str) -> int | None:
    """"twenty-four" → 24, "two hundred" → 200, "a dozen" → 12; None when not a number."""
    total = current = 0
    seen = False
    for w in re.split(r"[\s-]+", words.lower().strip()):
        if w == "and":
            continue
        if w in ("a", "an"):
            current = current or 1
        elif w in UNITS or w in TENS:
            current += UNITS.get(w, 0) + TENS.get(w, 0)
        elif w == "dozen":
            current = (current or 1) * 12
        elif w in WORD_SCALES:
            current = (current or 1) * WORD_SCALES[w]
            if WORD_SCALES[w] >= 1000:
                total, current = total + current, 0
        else:
            return None
        seen = True
    return total + current if seen else None


def _value(token: str) -> Decimal | None:
    """Numeric value of a digit or word number token."""
    if token[0].isdigit():
        try:
            return Decimal(token.replace(",", ""))
        except InvalidOperation:
            return None
    words = _words_value(token)
    return Decimal(words) if words is not None else None


def _scaled(m: re.Match) -> Decimal | None:
    groups = m.groupdict()
    raw = groups.get("num2") or groups.get("num")  # a range counts at its upper bound
    value = _value(raw) if raw else Decimal(1)
    scale = (m["scale"] or "").strip(" -").lower()
    return value * SCALES.get(scale, 1) if value is not None else None


def _currency(m: re.Match) -> str | None:
    d = m.groupdict()
    if d.get("letter"):
        return SCALED_LETTER_SYMBOLS[d["letter"]]
    if d.get("sym"):
        return SYMBOLS.get(d["sym"].lower().replace(" ", ""))
    if d.get("code"):
        return "CNY" if d["code"] == "RMB" else d["code"]
    if d.get("adj") and d.get("word") not in (None, "euro"):
        return ADJECTIVE_CURRENCY.get(" ".join(d["adj"].lower().split()))
    return CURRENCY_WORDS.get((d.get("word") or "").lower())


def _plausible(m: re.Match) -> bool:
    word = (m.groupdict().get("word") or "").lower()
    return word not in AMBIGUOUS_CURRENCY_WORDS or bool(m["scale"])


def _number(amount: Decimal) -> int | float:
    return int(amount) if amount == amount.to_integral_value() else float(amount)


def find_money(text: str) -> list[MoneyMention]:
    """Every money amount in ``text`` ("nearly €400 million" → 400000000 EUR).

    A conversion in brackets or after "or" ("€1.7 billion ($1.8 billion)") is not a
    second mention. "annually", "per year", "a month" after an amount set ``per`` and
    are part of the mention's span.
    """
    if not isinstance(text, str) or not text:
        return []
    text = text[:MAX_SCAN_CHARS]
    found = sorted(((m.start(), -m.end(), m) for p in MONEY_PATTERNS for m in p.finditer(text)),
                   key=lambda f: (f[0], f[1]))
    mentions: list[MoneyMention] = []
    for start, neg_end, m in found:
        if mentions and start < mentions[-1].end:
            continue
        amount, currency = _scaled(m), _currency(m)
        if amount is None or currency is None or amount <= 0 or not _plausible(m):
            continue
        if mentions and _CONVERSION_GAP_RE.fullmatch(text, mentions[-1].end, start):
            continue
        end, per = -neg_end, None
        per_m = _PER_RE.match(text, end)
        if per_m:
            per, end = PER_WORDS[(per_m["u"] or per_m["adv"]).lower()], per_m.end()
        mentions.append(MoneyMention(start, end, text[start:end], Money(_number(amount), currency, per)))
    return mentions


def parse_number(text: str) -> int | None:
    """The count a number phrase gives: "over 1,000" → 1000, "between 12 and 18" → 18,
    "a dozen" → 12; None for "hundreds", fractions or text without a number."""
    if not isinstance(text, str):
        return None
    m = _NUMBER_PHRASE_RE.search(text[:MAX_SCAN_CHARS])
    return _phrase_value(m) if m else None


def _phrase_value(m: re.Match) -> int | None:
    value = _value(m["b"] or m["a"])  # a range gives its upper bound (ANNOTATION_NOTES)
    if value is None:
        return None
    if m["scale"]:
        value *= WORD_SCALES[m["scale"].strip().lower()]
    return int(value) if value == value.to_integral_value() else None


def _unit_phrase(text: str, pos: int, follow_of: bool = True) -> tuple[str, int, str | None]:
    """The noun phrase a number at ``pos`` counts: (unit_text, end offset, first token).

    "30 units of the AS9" counts AS9: a container noun is followed once through "of".
    """
    tokens: list[tuple[str, int, int]] = []
    head = -1
    for t in _TOKEN_RE.finditer(text, pos, min(len(text), pos + 200)):
        word = t.group(1)
        if word == "," and head < 0 and tokens and tokens[-1][0].islower():
            continue  # "six armed, unmanned aerial vehicles": a list of adjectives
        if not word[0].isalnum() or word.lower() in STOP_WORDS or len(tokens) >= MAX_UNIT_TOKENS:
            break
        tokens.append((word, t.start(1), t.end(1)))
        low = word.lower()
        if low in PLURAL_INVARIANT or (len(low) > 2 and low.endswith("s") and not low.endswith(NOT_PLURAL_ENDINGS)):
            head = len(tokens) - 1  # the last plural noun is the head: "tracked infantry fighting vehicles"
    first = _TOKEN_RE.match(text, pos)
    first_word = first.group(1) if first else None
    if not tokens:
        return "", pos, first_word
    if follow_of and head >= 0 and tokens[head][0].lower() in CONTAINER_NOUNS:
        of = _OF_THE_RE.match(text, tokens[head][2])
        if of:
            inner, end, _ = _unit_phrase(text, of.end(), follow_of=False)
            if inner:
                return inner, end, first_word
    last = tokens[head] if head >= 0 else tokens[-1]
    start = tokens[0][1]
    return text[start:last[2]], last[2], first_word


def _partitive_unit(text: str, pos: int, end: int) -> tuple[str, int]:
    """The set a partitive count is taken from ("48 of the helicopters" counts helicopters);
    ("", end) when "of" is not followed by a determiner and a noun ("5 of 7", "one of")."""
    of = _PARTITIVE_RE.match(text, pos)
    if not of:
        return "", end
    inner, inner_end, _ = _unit_phrase(text, of.end(), follow_of=False)
    if not any(c.isalpha() for c in inner):
        return "", end
    return inner, inner_end


def _designation_before(text: str, start: int) -> bool:
    """"Type 054", "No. 7", "Combat Vehicle 90", "KRW 1330": the number is part of a name."""
    m = _WORD_BEFORE_RE.search(text, max(0, start - 30), start)
    if not m:
        return False
    word = m.group(1)
    low = word.lower().rstrip(",:;")
    if word[-1] in ",;:(" or low in CAPITALISED_OK:
        return False
    if low in DESIGNATION_WORDS or word == "#":
        return True
    return word[0].isupper() and word.isalpha() or word.isupper()


def _is_year(token: str) -> bool:
    return len(token) == 4 and token.isdigit() and 1900 <= int(token) <= 2099


def find_quantities(text: str) -> list[QuantityMention]:
    """Counts of units or people ("at least 6,000 drones" → 6000, unit "drones").

    Skips money, percentages, years, dates, ordinals, calibres and measurements, and
    numbers inside designations. A count with no noun is kept only before a verb
    ("115 will be delivered"), where the noun is in the previous clause.
    """
    if not isinstance(text, str) or not text:
        return []
    text = text[:MAX_SCAN_CHARS]
    money = find_money(text)
    money_starts = [mm.start for mm in money]
    mentions: list[QuantityMention] = []
    for m in _NUMBER_PHRASE_RE.finditer(text):
        # Money spans are sorted and disjoint: only the last two starting before the number can overlap it.
        i = bisect.bisect_left(money_starts, m.end())
        if any(money[j].end > m.start("a") for j in range(max(0, i - 2), i)) or _PERCENT_RE.match(text, m.end()):
            continue
        if _designation_before(text, m.start()):
            continue
        value = _phrase_value(m)
        if value is None or value <= 0:
            continue
        unit, end, first = _unit_phrase(text, m.end())
        first_low = (first or "").lower()
        if not unit and first_low == "of" and m["a"].lower() not in ("one", "a"):
            unit, end = _partitive_unit(text, m.end(), end)
        if first_low in MEASURE_WORDS or (first and _MONTH_RE.match(first_low) and first[0].isupper()):
            continue
        if _is_year(m["a"]) and (not unit or not unit.split()[-1].lower().endswith("s")
                                 or _TIME_WORD_BEFORE_RE.search(text, max(0, m.start() - 12), m.start())):
            continue
        if not unit and (first_low not in QUANTITY_VERBS or m["a"].lower() in ("one", "a")):
            continue
        if m["a"].lower() == "one" and ONE_BLOCKER_RE.search(text, max(0, m.start() - 12), m.start()):
            continue
        mentions.append(QuantityMention(m.start(), end, text[m.start():end], value, unit))
    return mentions
