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


#: Words every county list accepts beside SCB codes: the seven South Swedish counties.
SOUTH_SWEDEN_WORDS = ("south", "south-sweden")
#: The word a county list accepts for "every actor, whatever its county or country".
EVERY_COUNTY = "all"


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
            c = c.strip()
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
