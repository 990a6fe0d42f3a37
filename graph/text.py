"""Text folding used by search and entity resolution.

Swedish users type "Hogskola" for "Högskola" and "Vaxjo" for "Växjö"; CORDIS writes names in upper
case without diacritics ("BLEKINGE TEKNISKA HOGSKOLA"). Folding both sides the same way makes them meet.
"""

from __future__ import annotations

import re
import unicodedata

# Letters that NFKD does not decompose into a base letter plus a combining mark.
_SPECIAL = str.maketrans({"ß": "ss", "æ": "ae", "ø": "o", "đ": "d", "ł": "l", "œ": "oe", "þ": "th", "ı": "i"})
_NON_ALNUM = re.compile(r"[^0-9a-z]+")


def fold(text: str | None) -> str:
    """Lower-case, strip accents (å→a, ä→a, ö→o, é→e, ø→o) and collapse everything else to single spaces.

    >>> fold("Blekinge Tekniska Högskola")
    'blekinge tekniska hogskola'
    >>> fold("  Länsstyrelsen I Blekinge län ")
    'lansstyrelsen i blekinge lan'
    """
    if not text:
        return ""
    lowered = text.lower()
    if lowered.isascii():  # most CORDIS text: nothing to decompose (and 10x faster than the loop below)
        return _NON_ALNUM.sub(" ", lowered).strip()
    lowered = lowered.translate(_SPECIAL)
    stripped = "".join(c for c in unicodedata.normalize("NFKD", lowered) if not unicodedata.combining(c))
    return _NON_ALNUM.sub(" ", stripped).strip()


def slug(text: str) -> str:
    """A stable, readable id fragment: folded words joined by hyphens ("Techtank" → "techtank")."""
    return fold(text).replace(" ", "-")


UNNAMED = "Unnamed organisation"


def is_placeholder_name(name: str | None) -> bool:
    """Whether a name is a stand-in, not a name: empty, a bare number, "Unnamed organisation (PIC n)"."""
    n = (name or "").strip()
    return not n or n.isdigit() or n.startswith(UNNAMED)


def is_mojibake(name: str | None) -> bool:
    """Whether a name carries a broken encoding (the replacement character, or UTF-8 read as Latin-1)."""
    n = name or ""
    return "\ufffd" in n or bool(re.search(r"Ã[\u0080-\u00bf]", n))


def unnamed(pic: str) -> str:
    """The label of an organisation that no source names: never a bare number in a table or view."""
    return f"{UNNAMED} (PIC {pic})"
