"""Small field-level helpers every loader shares: Swedish place enrichment, identifiers, kind hints.

Swedish actors get their SCB county code and municipality from what the source gives, strongest
first: a NUTS 3 code (`SE221` → Blekinge), a county name ("Blekinge län"), then a city that is a
municipality's seat of the same name ("KARLSKRONA" → Karlskrona, Blekinge), and last, where the
source gives none of these, the one county the organisation's own name places it in ("ALMI
Företagspartner Kronoberg AB", "Kalmar Science Park AB": `county_of_own_name`). The code lists are the
package data of `graph.geo`.
"""

from __future__ import annotations

import re
from typing import Any

from graph.geo import COUNTIES, county_from_name, county_from_nuts, county_in_name, municipality_from_name
from graph.model import PLACED_BY_NAME, ActorKind
from graph.text import fold

_SE_VAT = re.compile(r"^SE(\d{6})(\d{4})01$")
_ORGNR = re.compile(r"^(\d{6})-?(\d{4})$")

# CORDIS / EU country codes that differ from ISO 3166 alpha-2.
COUNTRY_FIX = {"UK": "GB", "EL": "GR"}


def country_code(value: str | None) -> str | None:
    """ISO 3166 alpha-2 from a source's code ("UK" → "GB", "EL" → "GR"); None if not two letters."""
    code = (value or "").strip().upper()
    code = COUNTRY_FIX.get(code, code)
    return code if len(code) == 2 and code.isalpha() else None


def place_name(value: str | None) -> str | None:
    """A city as the source writes it; None when it has no letter: a phone number ("+4930209346295",
    Humboldt-Universität's second PIC) or a dash typed into the city column names no place, and
    entity resolution would read it as a second city of the organisation."""
    return value if value and any(c.isalpha() for c in value) else None


def clean_vat(value: str | None) -> str | None:
    """A VAT number without spaces, dots or dashes, upper case; None when empty."""
    v = re.sub(r"[\s.\-]", "", value or "").upper()
    return v or None


def orgnr_from_vat(vat: str | None) -> str | None:
    """The Swedish organisationsnummer a Swedish VAT number embeds: SE202100401101 → 202100-4011."""
    m = _SE_VAT.match(clean_vat(vat) or "")
    return f"{m.group(1)}-{m.group(2)}" if m else None


def clean_orgnr(value: str | None) -> str | None:
    """`NNNNNN-NNNN` from "2021004011" or "202100-4011"; None when it is not ten digits."""
    m = _ORGNR.match((value or "").strip())
    return f"{m.group(1)}-{m.group(2)}" if m else None


def swedish_place(
    nuts: str | None = None,
    county_name: str | None = None,
    city: str | None = None,
    name: str | None = None,
    kind: ActorKind | None = None,
) -> dict[str, Any]:
    """county_code, nuts3 and municipality for a Swedish actor, from whatever the source gave.

    With `name` and `kind`, an actor whose source states no place gets the county its own name
    places it in (`county_of_own_name`), as the last resort (`placed_by` "name": any stated place wins
    over it in a merge). When the NUTS code and the city disagree and the name agrees with the city
    ("STIFTELSEN HOGSKOLAN I JONKOPING", city JONKOPING, nutsCode SE110), two of the three win.
    """
    out: dict[str, Any] = {}
    county = county_from_nuts(nuts) or county_from_name(county_name)
    muni = municipality_from_name(city) if city else None
    if (
        muni is not None
        and county is not None
        and muni.county_code != county
        and kind is not None
        and county_in_name(name) == muni.county_code
    ):
        county = muni.county_code
    if muni is not None and (county is None or muni.county_code == county):
        out["municipality"] = muni.short_name
        county = county or muni.county_code
    if county is None and kind is not None:
        out = place_from_own_name(name, kind)
        county = out.get("county_code")
    if county:
        out["county_code"] = county
        out["nuts3"] = COUNTIES[county].nuts3
    return out


def place_from_own_name(name: str | None, kind: ActorKind) -> dict[str, Any]:
    """`county_code` and `placed_by` "name" for an actor whose source states no place (`county_of_own_name`),
    or {} when its name places it nowhere: the one way every loader marks a place read from a name, so
    that any stated place wins over it in a merge (`graph.model.place_rank`)."""
    county = county_of_own_name(name, kind)
    return {"county_code": county, "placed_by": PLACED_BY_NAME} if county else {}


def county_of_own_name(name: str | None, kind: ActorKind) -> str | None:
    """The county a Swedish actor's name places it in, for the kinds whose names say where they work.

    Regional agencies, science parks, incubators, universities, municipalities and associations are
    named after their area ("Coompanion Kronoberg", "Invest in Skåne"); a company's name is not
    evidence of its seat (brands, founders' names), so companies get none. Loaders use it only when the
    source states no county, so a stated one always wins. Without it those actors fall out of their
    county's analyses and lists.
    """
    return None if kind is ActorKind.company else county_in_name(name)


# Local and regional government as the countries of the sources name it (folded: lower case, no accents),
# by the word a name starts or ends with: "Ayuntamiento de Novelda", "Comune di Padova", "Gemeente
# Rotterdam", "Stadt Leipzig", "Aalborg Kommune", "Mikkelin kaupunki", "Tallinna linn", "Essex County
# Council", "Diputación Provincial de Huelva", "Provincie Groningen". CORDIS types all of them PUB
# (public body), which alone would make them government agencies.
_LOCAL_FIRST = (
    "ayuntamiento|ajuntament|concello|comune|citta|citta metropolitana|municipio|municipiul|primaria|"
    "camara municipal|commune|communaute d|ville de|mairie|metropole|gemeente|stad|stadt|landeshauptstadt|"
    "hansestadt|gemeinde|stadtgemeinde|marktgemeinde|magistrat|stadtverwaltung|municipality of|city of|"
    "town of|borough of|dimos|gmina|miasto|urzad miasta|statutarni mesto|mesto|mestna obcina|obcina|obec|"
    "grad|kommune|kaupunki|comhairle"
)
_LOCAL_LAST = (
    "city council|town council|borough council|district council|city hall|municipality|kommune|kommun|"
    "kaupunki|kunta|udala|linn|linnavalitsus|vallavalitsus|pasvaldiba|pilsetas dome|novada dome|rigas dome|"
    "savivaldybe|savivaldybes administracija|onkormanyzat|onkormanyzata|belediyesi|stadsdeel|gemeente|"
    "stadt|gemeinde"
)
_REGIONAL_FIRST = (
    "regione|region|provincia|provincie|province|diputacion|diputacio|landkreis|kreis|departement|"
    "conseil departemental|conseil regional|county council|generalitat|junta de|gobierno de|"
    "comunidad autonoma|wojewodztwo|urzad marszalkowski|perifereia"
)
_REGIONAL_LAST = "county council|regional council|landkreis|kreis|maakond|wojewodztwa|provincie|province"
_MUNICIPALITY = re.compile(rf"^(?:{_LOCAL_FIRST})\b|\b(?:{_LOCAL_LAST})$")
_REGIONAL = re.compile(rf"^(?:{_REGIONAL_FIRST})\b|\b(?:{_REGIONAL_LAST})$")
# Words that make a "City of …" or "… Kommune" name something else: a school, a hospital, a company.
_NOT_THE_COUNCIL = {
    "college", "school", "skole", "hospital", "museum", "library", "ltd", "limited", "gmbh", "spa", "srl",
    "bv", "nv", "ab", "oy", "as", "sa", "ag", "kf", "foundation", "stiftung", "fondazione",
    "congregacao", "congregazione", "congregation", "orden", "ordine",
}  # fmt: skip


def kind_from_name(name: str | None) -> ActorKind | None:
    """What a name alone says about the kind of organisation, when it says it clearly.

    >>> [kind_from_name(n) for n in ("Ayuntamiento de Novelda", "Essex County Council", "City of Glasgow College")]
    [<ActorKind.municipality: 'municipality'>, <ActorKind.regional_authority: 'regional_authority'>, None]
    """
    n = fold(name)
    words = set(n.split())
    if not n:
        return None
    if (
        words & {"universitet", "university", "universidad", "universita", "universite", "universitat"}
        or ("hogskola" in n or "hogskolan" in words)
        or n == "karolinska institutet"  # a medical university named an institute (SCB: a state university)
    ):
        return ActorKind.university
    if n.endswith(" kommun") or n.startswith("kommun ") or (n.endswith(" stad") and "kommun" not in n):
        return ActorKind.municipality
    if n.startswith("region ") or n.startswith("regionforbundet") or n.endswith(" landsting"):
        return ActorKind.regional_authority
    if not words & _NOT_THE_COUNCIL:
        if _REGIONAL.search(n):  # first: "Kreis Lippe", "Essex County Council" are not a town's
            return ActorKind.regional_authority
        if _MUNICIPALITY.search(n):
            return ActorKind.municipality
    if n.startswith("lansstyrelsen"):
        return ActorKind.government_agency
    if "science park" in n:
        return ActorKind.science_park
    return None
