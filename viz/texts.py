"""The words people read, in English and Swedish, from one data file (`viz/texts.yaml`).

The report and the pages take their texts from here so that a translation lives in one place and a
missing Swedish key is caught by a test rather than shown as an English word on a Swedish page.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import yaml

from graph.errors import InvalidInput

LANGS: tuple[str, ...] = ("en", "sv")


@cache
def _texts() -> dict[str, Any]:
    raw = resources.files("viz").joinpath("texts.yaml").read_text(encoding="utf-8")
    data: dict[str, Any] = yaml.safe_load(raw)
    return data


def partial_line(text: str, lang: str) -> str:
    """The partial-sources line of a result (`graph.model.coverage_line`, English) in `lang`.

    >>> partial_line("Partial sources: ERDF (2 projects: the project owner only, no partners in the data). "
    ...              "Partner counts from them are lower bounds.", "sv")
    'Ofullständiga källor: ERDF (2 projekt: bara projektägaren, inga partner i datan). Antalet partner från dem är en undre gräns.'
    """
    if not text or check_lang(lang) == "en":
        return text
    en, words = _texts()["partial"]["en"], _texts()["partial"][lang]
    for key in sorted(en, key=lambda k: -len(en[k])):  # longest first: " projects: " before " project: "
        text = text.replace(en[key], words[key])
    return text


def check_lang(lang: str) -> str:
    """`lang` if we have texts in it; anything else is a clear error (422 over HTTP)."""
    if lang not in LANGS:
        raise InvalidInput(f"unknown language {lang!r}: use en or sv")
    return lang


def texts(section: str, lang: str) -> dict[str, str]:
    """The texts of one section (`report`, …) in `lang`.

    >>> texts("report", "sv")["title"]
    'Länsrapport'
    """
    return dict(_texts()[section][check_lang(lang)])


def kind_labels(lang: str) -> dict[str, str]:
    """Actor kinds as a person reads them (`regional_authority` → "Region/länsstyrelse" in Swedish)."""
    return dict(_texts()["kinds"][check_lang(lang)])


def scope_words(scope: Any, lang: str) -> str:
    """A `graph.analysis.scope.Scope` in one line of words, in `lang` (as `Scope.text()` in English)."""
    from graph.geo import COUNTIES

    t = texts("views", lang)
    names = ", ".join(COUNTIES[c].short_name for c in scope.counties if c in COUNTIES)
    parts = [t["scope_counties"].format(names=names) if scope.counties else t["scope_everyone"]]
    if scope.programme:
        parts.append(t["scope_programmes"].format(names=", ".join(scope.programme)))
    if scope.theme:
        parts.append(t["scope_themes"].format(names=", ".join(scope.theme)))
    if scope.start_year is not None or scope.end_year is not None:
        parts.append(t["scope_years"].format(start=scope.start_year or "…", end=scope.end_year or "…"))
    else:
        parts.append(t["scope_all_years"])
    return t["scope"].format(parts="; ".join(parts))


def say(sentence: Any, lang: str) -> str:
    """A `graph.said.Said` (or its dict form, as stored in a result) worded in `lang`.

    >>> from graph.said import said
    >>> say(said("iso_in_no_project", word=said("word_project")), "sv")
    'i inget projekt'
    """
    words = _texts()["said"][check_lang(lang)]
    data = sentence if isinstance(sentence, dict) else sentence.model_dump()
    args = data.get("args", {})
    key = data["key"]
    if args.get("n") == 1 and f"{key}_one" in words:
        key = f"{key}_one"
    values = {k: _worded(k, v, lang) for k, v in args.items()}
    text: str = words[key].format(**values)
    return text


def _worded(name: str, value: Any, lang: str) -> Any:
    """A value of a `Said` as it goes into the wording: sentences worded, lists of them joined (with
    ", " when the value's name ends in `_list`, else "; ")."""
    if isinstance(value, list):
        return (", " if name.endswith("_list") else "; ").join(say(v, lang) for v in value)
    if (isinstance(value, dict) and "key" in value) or hasattr(value, "model_dump"):
        return say(value, lang)
    return value


def kind_word(kind: str, lang: str) -> str:
    """An actor kind in lower case, as it reads inside a sentence or a tooltip ("research institute",
    "forskningsinstitut"); an unknown kind as it is, underscores as spaces."""
    words = _texts()["said"][check_lang(lang)]
    return str(words.get(f"kind_{kind}", kind.replace("_", " ")))
