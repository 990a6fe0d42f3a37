"""Name keys of entity resolution, built from the rules in `ingest/data/name_rules.yaml` (the one place
that says which differences between two names do not make two organisations).

Three keys, from loose to strict use:
- `normalise_name`: folded, legal forms and "i … län" removed (also the stable slug of Interreg / ERDF ids,
  so it must not change between releases);
- `match_key`: `normalise_name` without filler words and with transliterations (oe → o): what the name and
  fuzzy rules compare;
- `variant_key`: `match_key` after the Swedish ↔ English glossary, and, for names of public bodies and
  universities only (a `body_words` word in them), with the words sorted and a genitive s dropped:
  "Karlshamn Municipality", "Karlshamns kommun" and "City of Karlshamn" all give `karlshamn kommun`;
  "Lund University" and "Lunds universitet" give `lund universitet`. Companies keep the stricter key:
  "Nordic Solutions AB" is not "Nordic Solution AB".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources

import yaml

from graph.text import fold

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class NameRules:
    legal_forms: frozenset[str]
    filler: frozenset[str]
    transliterations: tuple[tuple[str, str], ...]
    body_words: frozenset[str]
    glossary: tuple[tuple[str, re.Pattern[str], str], ...]  # (phrase, its pattern, replacement)
    state_prefix: str
    agency_heads: tuple[tuple[str, str], ...]  # (definite, indefinite) ending of an agency's head noun


@cache
def rules() -> NameRules:
    """The rules file shipped in the package (read once)."""
    text = resources.files("ingest").joinpath("data", "name_rules.yaml").read_text(encoding="utf-8")
    doc = yaml.load(text, Loader=_LOADER)
    gloss = sorted(((str(g["from"]), str(g["to"])) for g in doc["glossary"]), key=lambda g: -len(g[0]))
    return NameRules(
        legal_forms=frozenset(doc["legal_forms"]),
        filler=frozenset(doc["filler"]),
        transliterations=tuple((str(a), str(b)) for a, b in doc["transliterations"].items()),
        body_words=frozenset(doc["body_words"]),
        glossary=tuple((a, re.compile(rf"\b{re.escape(a)}\b"), b) for a, b in gloss),
        state_prefix=str(doc["state_prefix"]),
        agency_heads=tuple((str(a), str(b)) for a, b in doc["agency_heads"].items()),
    )


_I_LAN = re.compile(r"\b(i|in) (\w+ )?lan\b|\blans?\b")


@lru_cache(maxsize=262_144)
def normalise_name(name: str | None) -> str:
    """The name with the noise removed: `Länsstyrelsen I Blekinge län` → `lansstyrelsen blekinge`.

    >>> normalise_name("Techtank AB") == normalise_name("TECHTANK")
    True
    """
    text = fold(name)
    text = _I_LAN.sub(lambda m: (m.group(2) or "").strip(), text)
    legal = rules().legal_forms
    return " ".join(w for w in text.split() if w not in legal)


def _plain(words: list[str]) -> list[str]:
    r = rules()
    out = []
    for w in words:
        if w in r.filler:
            continue
        for a, b in r.transliterations:
            w = w.replace(a, b)
        out.append(w)
    return out


@lru_cache(maxsize=262_144)
def match_key(name: str | None) -> str:
    """The form names are compared in: `normalise_name`, filler words dropped, oe/ae/ue → o/a/u.

    >>> match_key("GOETEBORGS UNIVERSITET") == match_key("Göteborgs universitet")
    True
    >>> match_key("Högskolan i Halmstad") == match_key("HOGSKOLAN HALMSTAD")
    True
    """
    return " ".join(_plain(normalise_name(name).split()))


def _genitive(word: str) -> str:
    """`lunds` → `lund`, `ronnebys` → `ronneby`; short words and `ss` endings are kept."""
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


@lru_cache(maxsize=262_144)
def variant_key(name: str | None) -> str:
    """`match_key` after the glossary; for public bodies and universities also order- and genitive-free.

    >>> variant_key("City of Karlshamn") == variant_key("Karlshamns kommun") == "karlshamn kommun"
    True
    """
    r = rules()
    text = normalise_name(name)
    for phrase, pattern, to in r.glossary:
        if phrase in text:  # the pattern can only match where the phrase is (a substring test is cheap)
            text = pattern.sub(to, text)
    words = _plain(text.split())
    agency = None if set(fold(name).split()) & (r.legal_forms - {"for", "the"}) else _state_agency(words)
    if agency is not None:  # (a name with a legal form is a company's, never a state agency's)
        return agency
    if not r.body_words & set(words):
        return " ".join(words)
    return " ".join(sorted({w if w in r.body_words else _genitive(w) for w in words}))


def _state_agency(words: list[str]) -> str | None:
    """`statens jordbruksverk` for ["jordbruksverket"] and for ["statens", "jordbruksverk"]; None for a
    name that is not a state agency's formal or everyday one-word name (`agency_heads`)."""
    r = rules()
    if len(words) == 1:
        for definite, indefinite in r.agency_heads:
            w = words[0]
            if w.endswith(definite) and len(w) > len(definite) + 2:
                return f"{r.state_prefix} {w[: -len(definite)]}{indefinite}"
    if len(words) == 2 and words[0] == r.state_prefix:
        w = words[1]
        for definite, indefinite in r.agency_heads:
            if w.endswith(definite) and len(w) > len(definite) + 2:
                return f"{r.state_prefix} {w[: -len(definite)]}{indefinite}"
        if any(w.endswith(indefinite) for _, indefinite in r.agency_heads):
            return " ".join(words)
    return None
