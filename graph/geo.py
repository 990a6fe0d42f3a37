"""Swedish counties and municipalities from the official code lists shipped as package data.

`graph/data/counties.csv` and `municipalities.csv` are written by `scripts/make_geo.py` from SCB's
codes and Eurostat's NUTS 3 shapes; nothing here reads outside the package.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources

from graph.errors import InvalidInput
from graph.text import fold

# Blekinge, Kalmar, Kronoberg, Jönköping, Gotland, Halland and Skåne: the default analysis scope.
SOUTH_SWEDEN: tuple[str, ...] = ("06", "07", "08", "09", "10", "12", "13")


@dataclass(frozen=True)
class CountyInfo:
    code: str
    name: str
    short_name: str
    nuts3: str
    lon: float
    lat: float


@dataclass(frozen=True)
class MunicipalityInfo:
    code: str
    name: str
    short_name: str
    county_code: str


def _rows(name: str) -> list[dict[str, str]]:
    text = resources.files("graph").joinpath("data", name).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


COUNTIES: dict[str, CountyInfo] = {
    r["code"]: CountyInfo(r["code"], r["name"], r["short_name"], r["nuts3"], float(r["lon"]), float(r["lat"]))
    for r in _rows("counties.csv")
}
MUNICIPALITIES: dict[str, MunicipalityInfo] = {
    r["code"]: MunicipalityInfo(r["code"], r["name"], r["short_name"], r["county_code"])
    for r in _rows("municipalities.csv")
}
_BY_NUTS3 = {c.nuts3: c.code for c in COUNTIES.values()}
_BY_NAME = {fold(n): c.code for c in COUNTIES.values() for n in (c.name, c.short_name)}
_MUNI_BY_NAME = {fold(n): m for m in MUNICIPALITIES.values() for n in (m.name, m.short_name)}


#: Municipality names that are also ordinary words in organisation names ("mark- och miljödomstol",
#: "vara"): never read as a place on their own.
NOT_PLACES = frozenset(
    {"mark", "ale", "vara", "berg", "ed", "bro", "nora", "sala", "mora", "habo", "bjuv", "boden"}
)
#: Everyday names of counties that sources write instead of the official ones.
_COUNTY_ALIASES = {"sormland": "04", "vastra gotaland": "14", "gotland": "09"}


def _place_phrases() -> dict[tuple[str, ...], str]:
    """Folded word sequences of every county and municipality name (with the genitive -s) → county code."""
    out: dict[tuple[str, ...], str] = {}
    names = [(c.short_name, c.code) for c in COUNTIES.values()] + list(_COUNTY_ALIASES.items())
    names += [(m.short_name, m.county_code) for m in MUNICIPALITIES.values()]
    for name, code in names:
        words = tuple(fold(name).split())
        if not words or (len(words) == 1 and words[0] in NOT_PLACES):
            continue
        out[words] = code
        out[(*words[:-1], words[-1] + "s")] = code
    return out


_PLACE_PHRASES = _place_phrases()
_LONGEST_PLACE = max(len(k) for k in _PLACE_PHRASES)


def county_in_name(name: str | None) -> str | None:
    """The one county a Swedish organisation's own name places it in, else None.

    "Industriellt Utvecklingscentrum i Halland AB", "ALMI Företagspartner Kalmar län AB", "Kalmar Science
    Park AB" and "MAX IV Laboratory, Lund University" name one county (by its name or one of its
    municipalities); "ALMI Invest Småland & Öarna" (three counties) and "Åkroken Science Park" (no place)
    name none, and so does a name with places in two counties. Callers use it only where the source
    gives no county and only for kinds whose names say where they work (not for companies, whose names
    carry founders' and brand names: "Lund" may be a surname).

    >>> county_in_name("Internationella Handelshögskolan i Jönköping AB")
    '06'
    >>> county_in_name("Stockholm–Malmö Logistics") is None
    True
    """
    words = fold(name).split()
    found: set[str] = set()
    i = 0
    while i < len(words):
        for n in range(min(_LONGEST_PLACE, len(words) - i), 0, -1):
            code = _PLACE_PHRASES.get(tuple(words[i : i + n]))
            if code is not None:
                found.add(code)
                i += n
                break
        else:
            i += 1
    return found.pop() if len(found) == 1 else None


#: Words every county list accepts beside SCB codes: the seven South Swedish counties.
SOUTH_SWEDEN_WORDS = ("south", "south-sweden")
#: The word a county list accepts for "every actor, whatever its county or country".
EVERY_COUNTY = "all"


#: The white space a county code may have around it (what the API schema's county patterns say).
BLANK = " \t\n\r"


def county_codes(values: Iterable[str] | None, *, allow_all: bool = True) -> tuple[str, ...] | None:
    """The one reading of a county list (CLI options, query parameters, partner and calls queries).

    Values come repeated or comma-separated: SCB codes (`10`), `south-sweden` for the seven South
    Swedish counties, and, where `allow_all`, `all` for every actor. Returns the sorted codes, `()`
    when none is named (each caller has its default), or None for `all`. Raises InvalidInput naming
    the first unknown value.
    """
    out: set[str] = set()
    everyone = False
    for raw in values or ():
        for c in raw.split(","):
            c = c.strip(BLANK)
            word = c.lower()
            if not c:
                continue
            if word in SOUTH_SWEDEN_WORDS:
                out.update(SOUTH_SWEDEN)
            elif allow_all and word == EVERY_COUNTY:
                everyone = True
            elif c in COUNTIES:
                out.add(c)
            else:
                words = "south-sweden or 'all'" if allow_all else "or south-sweden"
                raise InvalidInput(
                    f"unknown county code {c!r}: use an SCB code such as 10 (Blekinge), {words}"
                )
    return None if everyone else tuple(sorted(out))


def one_county(value: str) -> str:
    """One SCB county code as a user writes it (white space around it is fine); InvalidInput otherwise."""
    code = value.strip(BLANK)
    if code not in COUNTIES:
        raise InvalidInput(f"unknown county code {code!r}: use an SCB code such as 10 (Blekinge)")
    return code


def county_from_nuts(nuts: str | None) -> str | None:
    """SCB county code for a Swedish NUTS 3 code (or a longer code that starts with one)."""
    if not nuts or not nuts.upper().startswith("SE"):
        return None
    return _BY_NUTS3.get(nuts.upper()[:5])


def county_from_name(name: str | None) -> str | None:
    """SCB code for a county name as sources write it: "Blekinge län", "Blekinge", "Skåne läns"."""
    key = fold(name)
    if not key:
        return None
    if key in _BY_NAME:
        return _BY_NAME[key]
    key = key.removesuffix(" lan").removesuffix(" lans").removesuffix("s")
    return _BY_NAME.get(key) or _BY_NAME.get(key + " lan")


def municipality_from_name(name: str | None) -> MunicipalityInfo | None:
    """The municipality named "Karlskrona", "Karlskrona kommun" or a city of the same name."""
    key = fold(name)
    return _MUNI_BY_NAME.get(key) or _MUNI_BY_NAME.get(key.removesuffix(" kommun"))
