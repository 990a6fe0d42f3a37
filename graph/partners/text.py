"""Words and codes of calls and projects, for the partner finder's BM25 index and the call matcher.

Folding (accents, case) is `graph.text`'s, so a name or a call text folds the same way everywhere;
this module adds what ranking text needs beyond folding: stop words, a light stemmer, and call-topic
codes broken into their hierarchy (`HORIZON-CL5-2023-D3-01-05` → programme, cluster, call year,
destination, call, topic).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

from graph.model import Project
from graph.text import fold, fold_long

_STOP = frozenset(
    re.findall(
        r"[a-z]+",
        "a an and are as at be by for from in into is it of on or the to with via its their this that these "
        "those we our new novel based towards toward using use under over between across within will can "
        "such also more other all which not has have been support supporting develop development",
    )
)
_WORD = re.compile(r"[a-z0-9]+")
CODE = re.compile(r"^[a-z0-9]+(?:[-._][a-z0-9]+)+$", re.IGNORECASE)
# A Horizon Europe call-topic code: HORIZON-CL5-2023-D3-01-05, HORIZON-MSCA-2022-DN-01-01,
# HORIZON-EIC-2023-PATHFINDEROPEN-01-01, HORIZON-JU-CBE-2023-IA-01 …: programme, then the parts.
_HE_CODE = re.compile(r"^horizon-(?P<body>.+)$", re.IGNORECASE)
_YEAR = re.compile(r"^(19|20)\d\d$")


@functools.lru_cache(maxsize=200_000)
def _stem(w: str) -> str:
    """A very light English stemmer: plural and common suffixes ("oceans" → "ocean", "robotics" → "robot")."""
    for suf, rep in (("ies", "y"), ("ics", ""), ("ing", ""), ("ation", ""), ("s", "")):
        if len(w) > len(suf) + 3 and w.endswith(suf) and not w.endswith("ss"):
            return w[: -len(suf)] + rep
    return w


def words(text: str | None) -> list[str]:
    """Folded, stop-worded, lightly stemmed words; pure numbers are dropped."""
    if not text:
        return []
    folded = fold_long(text) if len(text) > 80 else fold(text)
    return [_stem(w) for w in _WORD.findall(folded) if w not in _STOP and len(w) > 1 and not w.isdigit()]


def code_levels(code: str) -> list[str]:
    """The hierarchy of a call-topic code, broadest first, with the call year taken out of the path.

    Horizon Europe reuses a destination's structure from one work-programme year to the next
    (`HORIZON-CL5-2023-D3-01-05` and `HORIZON-CL5-2024-D3-01-05` are both cluster 5, destination 3),
    so the levels drop the year: `horizon`, `horizon-cl5`, `horizon-cl5-d3`, `horizon-cl5-d3-01`,
    `horizon-cl5-d3-01-05`; plus the year-specific full code and call. Other codes give their
    prefixes ("H2020-EU.SC5", "part:h2020:SC5" and "SC5" all give `sc5`).

    >>> code_levels("HORIZON-CL5-2023-D3-01-05")
    ['horizon', 'horizon-cl5', 'horizon-cl5-d3', 'horizon-cl5-d3-01', 'horizon-cl5-d3-01-05', 'horizon-cl5-2023-d3-01', 'horizon-cl5-2023-d3-01-05']
    >>> code_levels("part:h2020:SC5")
    ['sc5']
    """
    c = code.strip().lower()
    if not c:
        return []
    c = c.split(":")[-1].removeprefix("h2020-eu.")
    m = _HE_CODE.match(c)
    if m and "-" in m.group("body"):
        parts = m.group("body").split("-")
        no_year = [p for p in parts if not _YEAR.match(p)]
        out = ["horizon"] + ["horizon-" + "-".join(no_year[: i + 1]) for i in range(len(no_year))]
        if len(no_year) != len(parts):  # the year-specific call and topic
            if len(parts) > 2:
                out.append("horizon-" + "-".join(parts[:-1]))
            out.append(c)
        return list(dict.fromkeys(out))
    parts = re.split(r"([-.])", c)
    return ["".join(parts[: i + 1]) for i in range(0, len(parts), 2)]


def code_path(code: str) -> list[str]:
    """The year-less levels of a code below the programme root, broadest first: what two calls share.

    >>> code_path("HORIZON-CL5-2024-D3-01-05")
    ['horizon-cl5', 'horizon-cl5-d3', 'horizon-cl5-d3-01', 'horizon-cl5-d3-01-05']
    >>> code_path("SC5")
    ['sc5']
    """
    levels = code_levels(code)
    if levels[:1] == ["horizon"]:
        body = [lv for lv in levels[1:] if not any(_YEAR.match(p) for p in lv.split("-"))]
        return body
    return levels


def code_tokens(code: str) -> list[str]:
    """`code_levels` marked with '#' so they never meet a word of the text."""
    return ["#" + lv for lv in code_levels(code)]


def is_code(word: str) -> bool:
    """A call-topic code or programme-part code rather than a word ("HORIZON-CL5-2021-D2-01-11", "SC5")."""
    bare = word.strip(",;()[]\"'")
    return bool(CODE.match(bare)) and any(ch.isdigit() for ch in bare)


def query_tokens(text: str, codes: Iterable[str] = ()) -> list[str]:
    """Tokens of a call: words of the text, code tokens for codes and for code-like words in the text."""
    toks: list[str] = []
    for raw in (text or "").split():
        bare = raw.strip(",;()[]\"'")
        if is_code(bare):
            toks.extend(code_tokens(bare))
        else:
            toks.extend(words(bare))
    for c in codes:
        toks.extend(code_tokens(c))
    return toks


def project_tokens(p: Project) -> list[str]:
    """A project's document: title and keywords twice (they are chosen words), objective once, codes.

    `Project.topics` holds call-topic codes (as code tokens), the call topic's title, fields of science
    and keywords (as words, twice).
    """
    toks = words(p.title) * 2 + words(p.acronym) + words(p.objective)
    for t in p.topics:
        toks.extend(code_tokens(t) if CODE.match(t.strip()) else words(t) * 2)
    if p.programme_part:
        toks.extend(code_tokens(p.programme_part))
    for t in p.themes:
        toks.extend(code_tokens(t))
    return toks
