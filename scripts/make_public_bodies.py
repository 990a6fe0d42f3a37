"""Write `ingest/data/public_bodies.yaml`: Sweden's 21 regions and 290 municipalities as reference identities.

Sources (all under ../shared/data, none copied into the package):
- `geo/counties.csv`, `geo/municipalities.csv` (SCB's official code lists, CC0): codes, the municipalities'
  names, the counties' names from which the regions' former names are formed;
- `cordis/horizon-europe-2021-2024/organization.csv` and `cordis/h2020-2014-2018/organization.csv`
  (CORDIS, CC BY 4.0): a Swedish VAT number is SE + organisationsnummer + 01; regions are 232100-xxxx and
  municipalities 212000-xxxx. A number is written into the file only when a CORDIS row whose name (or short
  name) is one of the body's names carries it; the row is cited. Every other number is left empty: this
  script never derives a number from the pattern.
- `interreg/swedish-partners-interreg-2021-2027.json`: where a region's current name is written.

Run: `.venv/bin/python scripts/make_public_bodies.py ../shared/data` (prints what it could not place).
"""

from __future__ import annotations

import csv
import re
import sys
from pathlib import Path
from typing import Any

import yaml

from graph.text import slug
from ingest.names import variant_key

# Current (2019–) names of the regions, each as a source in the shared data writes it.
REGIONS: dict[str, tuple[str, str]] = {
    "01": ("Region Stockholm", "Interreg 2021–27; CORDIS PIC 999522921"),
    "03": ("Region Uppsala", "Interreg 2021–27; CORDIS PIC 998923946"),
    "04": ("Region Sörmland", "Interreg 2021–27"),
    "05": ("Region Östergötland", "Interreg 2021–27; CORDIS PIC 995440094"),
    "06": ("Region Jönköpings län", "registry seed 004; Interreg 2021–27 (Region Jönköpings)"),
    "07": ("Region Kronoberg", "registry seed 004; Interreg 2021–27"),
    "08": ("Region Kalmar län", "registry seed 004; Interreg 2021–27; CORDIS PIC 903248481"),
    "09": ("Region Gotland", "registry seed 004; CORDIS PIC 884009404 (a municipality with regional tasks)"),
    "10": ("Region Blekinge", "registry seeds 000–003; Interreg 2021–27"),
    "12": ("Region Skåne", "Interreg 2021–27; CORDIS PIC 998165794"),
    "13": ("Region Halland", "Interreg 2021–27"),
    "14": ("Västra Götalandsregionen", "Interreg 2021–27; CORDIS PIC 999651640"),
    "17": ("Region Värmland", "Interreg 2021–27; CORDIS PIC 941555527"),
    "18": ("Region Örebro län", "Interreg 2021–27; CORDIS short name 'Region Örebro County'"),
    "19": ("Region Västmanland", "CORDIS PIC 876855751"),
    "20": ("Region Dalarna", "Interreg 2021–27"),
    "21": ("Region Gävleborg", "CORDIS short name of PIC 915895535"),
    "22": ("Region Västernorrland", "Interreg 2021–27"),
    "23": ("Region Jämtland Härjedalen", "Interreg 2021–27"),
    "24": ("Region Västerbotten", "Interreg 2021–27; CORDIS PIC 996375659"),
    "25": ("Region Norrbotten", "Interreg 2021–27"),
}
# Former and other names no pattern below forms (each seen in the shared data or a documented renaming).
EXTRA: dict[str, list[str]] = {
    "04": ["Landstinget Sörmland", "Region Södermanland", "Regionförbundet Sörmland"],  # ERDF Projektbanken
    "07": ["Regionförbundet södra Småland"],
    "09": ["Gotlands kommun", "Gotland Municipality", "Region Gotlands län"],
    "14": ["Västra Götalands Regionen", "Region Västra Götaland", "Västra Götalands läns landsting"],
    # Region Värmland was a kommunalförbund (a federation of the municipalities) until 2019; ERDF Projektbanken
    "17": ["Region Värmland-Kommunalförbund"],
    "23": ["Region Jämtland", "Jämtlands läns landsting", "Landstinget Jämtland"],
    "1480": ["Göteborgs Stad", "City of Gothenburg", "Gothenburg Municipality"],
}
# Official names the shared code list misspells: it adds a genitive s to every name ending in a consonant,
# but these four do not take one (SCB, "Kommuner i Sverige": Falu kommun, Kalmar kommun, Kalix kommun,
# Överkalix kommun; each municipality writes its name so). The list's spelling stays as another name.
NAME_FIX: dict[str, str] = {
    "2080": "Falu kommun",
    "0880": "Kalmar kommun",
    "2514": "Kalix kommun",
    "2513": "Överkalix kommun",
}
_VAT = re.compile(r"^SE((2321000|212000)\d{3,4})01$")


def region_names(county: dict[str, str], current: str) -> list[str]:
    """Former names of a region formed from its county's name: landsting, regionförbund, English forms."""
    full, short = county["county_name"], county["county_name_short"]  # "Blekinge län", "Blekinge"
    names = [
        f"{full}s landsting",  # Blekinge läns landsting
        f"Landstinget {short}",
        f"Landstinget i {full}",
        f"Regionförbundet {short}",
        f"Regionförbundet i {full}",
        f"County Council of {short}",
        f"{short} County Council",
        f"Regional Development Council of {short}",
        f"Region {short}",
        f"Region {full}",
        f"Region {short} County",
    ]
    return [n for n in dict.fromkeys(names) if n != current]


def municipality_names(m: dict[str, str]) -> list[str]:
    """Other names of a municipality: stad, English forms, the bare place name."""
    name, short = m["municipality_name"], m["municipality_name_short"]  # "Karlshamns kommun", "Karlshamn"
    gen = name.removesuffix(" kommun")
    names = [
        f"{gen} stad",
        f"{short} kommun",
        f"{short} Municipality",
        f"Municipality of {short}",
        f"City of {short}",
        short,
    ]
    return [n for n in dict.fromkeys(names) if n != name]


def _cordis_numbers(data: Path) -> list[tuple[str, int, str, str, str]]:
    """(orgnr, 0 for a name / 1 for a short name, PIC, name, file) of every CORDIS row with a region's or
    municipality's VAT number (names first, so that a name rather than a short name is cited)."""
    out: dict[tuple[str, str], tuple[str, int, str, str, str]] = {}
    for folder in ("horizon-europe-2021-2024", "h2020-2014-2018"):
        path = data / "cordis" / folder / "organization.csv"
        with path.open(encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f, delimiter=";"):
                m = _VAT.match((row.get("vatNumber") or "").replace(" ", "").upper())
                if row.get("country") != "SE" or not m:
                    continue
                digits = m.group(1)
                orgnr = f"{digits[:6]}-{digits[6:]}"
                for i, n in enumerate((row.get("name") or "", row.get("shortName") or "")):
                    if n:
                        out.setdefault((orgnr, n), (orgnr, i, row["organisationID"], n, folder))
    return sorted(out.values())


def build(data: Path) -> dict[str, Any]:
    geo = data / "geo"
    counties = {r["county_code"]: r for r in csv.DictReader((geo / "counties.csv").open(encoding="utf-8"))}
    munis = list(csv.DictReader((geo / "municipalities.csv").open(encoding="utf-8")))
    bodies: list[dict[str, Any]] = []
    for code, (current, cited) in sorted(REGIONS.items()):
        body: dict[str, Any] = {
            "id": f"se:{slug(current)}",
            "kind": "regional_authority",
            "name": current,
            "name_source": cited,
            "county_code": code,
            "names": [*region_names(counties[code], current), *EXTRA.get(code, [])],
        }
        if code == "09":  # Region Gotland is Gotland's municipality (code 0980) with a region's tasks
            body["municipality_code"] = "0980"
        bodies.append(body)
    for m in munis:
        if m["municipality_code"] == "0980":
            continue
        listed = m["municipality_name"]
        if m["municipality_code"] in NAME_FIX:
            m = m | {"municipality_name": NAME_FIX[m["municipality_code"]]}
            EXTRA.setdefault(m["municipality_code"], []).append(listed)
        bodies.append(
            {
                "id": f"se:{slug(m['municipality_name'])}",
                "kind": "municipality",
                "name": m["municipality_name"],
                "name_source": "SCB, official name (the shared list writes " + repr(listed) + ")"
                if m["municipality_code"] in NAME_FIX
                else "SCB geo/municipalities.csv",
                "county_code": m["county_code"],
                "municipality_code": m["municipality_code"],
                "names": [*municipality_names(m), *EXTRA.get(m["municipality_code"], [])],
            }
        )
    ids: dict[str, list[dict[str, Any]]] = {}
    for b in bodies:
        ids.setdefault(b["id"], []).append(b)
    for same in ids.values():  # Habo (0643) and Håbo (0305) fold to one slug: the code tells them apart
        if len(same) > 1:
            for b in same:
                b["id"] = f"{b['id']}-{b['municipality_code']}"
    by_key: dict[str, dict[str, Any]] = {}
    ambiguous: set[str] = set()
    for b in bodies:
        for n in [b["name"], *b["names"]]:
            other = by_key.setdefault(variant_key(n), b)
            if other is not b:
                ambiguous.add(variant_key(n))
    for k in sorted(ambiguous):
        print(
            f"ambiguous name key {k!r}: joins only by organisationsnummer or the exact name", file=sys.stderr
        )
        del by_key[k]
    unplaced = []
    for orgnr, _, pic, name, folder in _cordis_numbers(data):
        b = by_key.get(variant_key(name))
        kind_ok = b is not None and orgnr.startswith("2321" if b["kind"] == "regional_authority" else "2120")
        if b is not None and b["id"] == "se:region-gotland":
            kind_ok = orgnr.startswith("2120")  # a municipality's number
        if b is None or not kind_ok:
            unplaced.append(f"{orgnr} PIC {pic} {name!r} ({folder})")
            continue
        if b.get("orgnr") not in (None, orgnr):
            raise SystemExit(f"{b['id']}: two numbers {b['orgnr']} / {orgnr}")
        if "orgnr" not in b:
            b["orgnr"] = orgnr
            b["orgnr_source"] = (
                f"CORDIS {folder} organization.csv: PIC {pic} {name!r}, VAT SE{orgnr.replace('-', '')}01"
            )
    for line in sorted(set(unplaced)):
        print("not placed:", line, file=sys.stderr)
    for b in bodies:
        b.setdefault("orgnr", None)
    return {"bodies": bodies}


HEADER = """\
# Swedish public bodies as reference identities: the 21 regions and 290 municipalities (Region Gotland is
# both: Gotland's municipality, code 0980, with a region's tasks). Read by ingest/public_bodies.py: an
# incoming record joins a body when the organisationsnummer its VAT number embeds is the body's `orgnr`, or
# when its name is one of the body's `name`/`names` up to the rules of ingest/data/name_rules.yaml.
# Written by scripts/make_public_bodies.py from:
#   - ../shared/data/geo/counties.csv and municipalities.csv (SCB's official code lists): county and
#     municipality codes, municipality names; regions' former names are formed from the county's name
#     (landsting until 2019, regionförbund, "County Council of …");
#   - the regions' current names as written in the shared data (`name_source`);
#   - `orgnr` ONLY where a CORDIS organization.csv row of the body carries the VAT number SE + orgnr + 01
#     (`orgnr_source` cites the row). Regions are 232100-xxxx, municipalities 212000-xxxx; a number that no
#     shared source states is left empty (null), never derived from the pattern.
"""


def main() -> None:
    data = Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data")
    doc = build(data)
    out = Path(__file__).resolve().parent.parent / "ingest" / "data" / "public_bodies.yaml"
    body = yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=120)
    out.write_text(HEADER + body, encoding="utf-8")
    with_nr = sum(1 for b in doc["bodies"] if b["orgnr"])
    print(f"wrote {out}: {len(doc['bodies'])} bodies, {with_nr} with an organisationsnummer")


if __name__ == "__main__":
    main()
