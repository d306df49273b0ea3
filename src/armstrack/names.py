"""Name normalisation: the shared vocabulary by which every stage compares names.

The scorer, the store and entity resolution all need "Turkish Aerospace Industries"
and "the Turkish Aerospace Industries'" to compare equal, so the rule lives here,
below all of them.
"""
from __future__ import annotations

import re
import unicodedata

_POSSESSIVE = re.compile(r"(\w)['\u2019]s\b")
_NON_WORD = re.compile(r"[\W_]+")


def normalise_name(name: str) -> str:
    """Case-, accent- and punctuation-free form of a name, without a leading "the"
    or a possessive "'s", so spelling variants of one entity compare equal."""
    text = unicodedata.normalize("NFKD", name or "")
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    text = _POSSESSIVE.sub(r"\1", text)
    words = _NON_WORD.sub(" ", text).split()
    if len(words) > 1 and words[0] == "the":
        words = words[1:]
    return " ".join(words)
