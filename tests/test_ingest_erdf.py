"""Projektbanken's Regional Development Fund projects: JSON, CSV and XLSX; owners joined; places; bad input."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import shared_data
from openpyxl import Workbook

from graph.errors import InvalidInput
from graph.geo import SOUTH_SWEDEN
from graph.model import PLACED_BY_AREA, ActorKind, Role
from graph.store.sqlite import SqliteStore
from ingest.agencies import load_agencies
from ingest.erdf import load_erdf, municipality_name, owner_county, owner_kind
from ingest.interreg import load_interreg
from ingest.pipeline import commit

FIXTURES = Path(__file__).parent / "fixtures" / "regional"
JSON = FIXTURES / "erdf.json"
CSV = FIXTURES / "erdf.csv"
IDS = [
    "erdf:20200450",
    "erdf:20200461",
    "erdf:20200756",
    "erdf:20200970",
    "erdf:20200987",
    "erdf:20201077",
    "erdf:20201113",
]


def test_json_projects() -> None:
    b = load_erdf(JSON)
    assert b.rows_read == 11
    assert sorted(p.id for p in b.projects) == IDS
    p = {x.id: x for x in b.projects}["erdf:20200756"]
    assert (p.programme, p.programme_part, p.title) == (
        "ERDF",
        "Skåne-Blekinge",
        "Smart produktion i tillverkande och bearbetande företag",
    )
    assert (p.start, p.end) == (dt.date(2016, 1, 1), dt.date(2019, 3, 31))
    assert p.budget is not None and (p.budget.amount, p.budget.currency) == (4859301, "SEK")
    assert p.objective is not None and p.objective.startswith("Projektet skall arbeta med att i workshops")
    assert p.themes == ["erdf-axis:sme-competitiveness", "erdf-to:to3"]
    # where the project runs: Blekinge's county code and its five municipalities
    assert p.places == ["10", "Karlshamn", "Karlskrona", "Olofström", "Ronneby", "Sölvesborg"]
    assert p.funders == ["European Regional Development Fund"]
    assert [s.record for s in p.sources] == ["erdf:20200756"]


def test_places_fix_projektbanken_spellings() -> None:
    p = {x.id: x for x in load_erdf(JSON).projects}["erdf:20201077"]
    assert "Upplands Väsby" in p.places and "UpplandsVäsby" not in p.places
    assert municipality_name("Stenungssund") == "Stenungsund"
    assert municipality_name("ÖstraGöinge") == "Östra Göinge"
    assert municipality_name("Atlantis") == "Atlantis"


def test_owners_and_participations() -> None:
    b = load_erdf(JSON)
    owners = {a.id: a for a in b.actors}
    assert sorted(owners) == [
        "erdf-org:linneuniversitetet",
        "erdf-org:netport-science-park",
        "erdf-org:region-blekinge",
        "erdf-org:regionforbundet-kalmar",
        "erdf-org:skane-landsting",
        "erdf-org:stockholms-landsting",
        "erdf-org:sveriges-tekniska-forskningsinst",
    ]
    sk = owners["erdf-org:skane-landsting"]
    assert (sk.name, sk.kind, sk.county_code, sk.country) == (
        "Skåne Läns Landsting",
        ActorKind.regional_authority,
        "12",
        "SE",
    )
    assert owners["erdf-org:netport-science-park"].kind is ActorKind.science_park
    # its name places it nowhere, but its one project runs in Blekinge only: the weakest of places
    netport = owners["erdf-org:netport-science-park"]
    assert (netport.county_code, netport.placed_by) == ("10", PLACED_BY_AREA)
    assert len(b.participations) == 7
    assert all(p.role is Role.project_owner for p in b.participations)
    part = {p.project_id: p for p in b.participations}["erdf:20200461"]
    assert part.actor_id == "erdf-org:skane-landsting"
    assert part.contribution is not None and part.contribution.amount == 11449678
    assert sorted(t.id for t in b.themes) == [
        "erdf-axis:capital-region",
        "erdf-axis:ict",
        "erdf-axis:low-carbon",
        "erdf-axis:research-innovation",
        "erdf-axis:sme-competitiveness",
        "erdf-to:to1",
        "erdf-to:to2",
        "erdf-to:to3",
        "erdf-to:to4",
    ]


def test_malformed_records_are_problems_with_line_and_reason() -> None:
    assert [str(p) for p in load_erdf(JSON).problems] == [
        "erdf.json:8: 20209999: no stödmottagare (owner)",
        "erdf.json:9: 20209998: end date '2019-02-31' is not a date (YYYY-MM-DD)",
        "erdf.json:10: ärende-id 20201113 again (first at 3)",
        "erdf.json:11: expected an object, got str",
    ]


def _summary(path: Path) -> list[tuple[object, ...]]:
    b = load_erdf(path)
    return sorted(
        (
            p.id,
            p.title,
            p.programme_part,
            p.start,
            p.end,
            p.budget,
            tuple(p.themes),
            tuple(p.places),
            p.objective,
        )
        for p in b.projects
    )


def test_csv_with_todays_column_names_gives_the_same_projects() -> None:
    assert _summary(CSV) == _summary(JSON)
    assert [str(p) for p in load_erdf(CSV).problems] == [
        "erdf.csv:6: 20200450: organisationsnummer '5566-1234' is not NNNNNN-NNNN; left out (row kept)",
        "erdf.csv:9: 20209997: non-numeric granted amount: 'fyra miljoner'",
        "erdf.csv:10: wrong column count: 16 fields, header has 14",
    ]
    owners = {a.id: a for a in load_erdf(CSV).actors}
    assert owners["erdf-org:linneuniversitetet"].orgnr == "202100-6271"
    assert owners["erdf-org:netport-science-park"].orgnr is None


def _xlsx_from_csv(path: Path, title_row: bool = True) -> None:
    rows = list(csv.reader(io.StringIO(CSV.read_bytes().decode("cp1252")), delimiter=";"))
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Projekt"
    if title_row:
        ws.append(["Projektbanken – Europeiska regionala utvecklingsfonden, uttag 2016-10-14"])
    ws.append(rows[0])
    for r in rows[1:8]:
        vals: list[object] = list(r)
        vals[5] = dt.datetime.fromisoformat(r[5])  # Excel stores dates as dates
        vals[6] = dt.datetime.fromisoformat(r[6])
        vals[7] = int(r[7].replace(" ", ""))  # and amounts as numbers
        ws.append(vals)
    ws.append([None] * 5)
    ws.append(["20209995", "", None, "Utan ägare", None, "2016-01-01", "2017-01-01", 5])
    wb.save(path)


def test_xlsx_with_a_title_row_gives_the_same_projects(tmp_path: Path) -> None:
    f = tmp_path / "projektbanken.xlsx"
    _xlsx_from_csv(f)
    assert _summary(f) == _summary(JSON)
    assert [str(p) for p in load_erdf(f).problems] == [
        "projektbanken.xlsx:7: 20200450: organisationsnummer '5566-1234' is not NNNNNN-NNNN; left out (row kept)",
        "projektbanken.xlsx:11: 20209995: no stödmottagare (owner)",
    ]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.json", b"  \n", "the file is empty"),
        ("broken.json", b'[{"\xc3\xa4rende-id": "1",', "not valid JSON"),
        (
            "other.json",
            b'[{"program": "AURORA", "organisationsnamn": "X"}]',
            "no column ärende-id, stödmottagare",
        ),
        ("list.json", b"[]", "expected a JSON list of Projektbanken projects"),
        ("other.csv", b"id;name\n1;x\n", "no column ärende-id, stödmottagare, projektnamn"),
        ("fake.xlsx", b"not a workbook", "not an Excel workbook"),
        ("zip.xlsx", b"PK\x03\x04garbage", "not an Excel workbook"),
        ("bin.csv", b"\x00\x01\x02", "binary content"),
    ],
)
def test_wrong_file_stops_before_anything_is_written(
    tmp_path: Path, registry_store: SqliteStore, name: str, content: bytes, message: str
) -> None:
    f = tmp_path / name
    f.write_bytes(content)
    before = registry_store.stats()
    with pytest.raises(InvalidInput, match=message):
        load_erdf(f)
    assert registry_store.stats() == before


def test_xlsx_with_other_columns_is_refused(tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["Organisation", "Belopp"])
    ws.append(["x", 1])
    f = tmp_path / "annat.xlsx"
    wb.save(f)
    with pytest.raises(InvalidInput, match=r"annat\.xlsx: not a Projektbanken export: no column ärende-id"):
        load_erdf(f)


def test_owners_resolve_onto_the_graph_and_re_ingest_changes_nothing(registry_store: SqliteStore) -> None:
    commit(registry_store, load_agencies(FIXTURES / "agencies.json"))
    commit(registry_store, load_interreg(FIXTURES / "interreg.json"))
    before = registry_store.stats()
    r = commit(registry_store, load_erdf(JSON))
    after = registry_store.stats()
    assert after.projects - before.projects == 7
    owner = {
        p.project_id: p.actor_id for p in registry_store.participations() if p.project_id.startswith("erdf:")
    }
    assert owner["erdf:20200756"] == "se:region-blekinge"  # same name as the registry
    assert owner["erdf:20200970"] == "se:region-kalmar-lan"  # Regionförbundet i Kalmar län: public body
    assert owner["erdf:20201113"] == "se-org:2021006271"  # Linnéuniversitetet: SCB, also Interreg
    assert owner["erdf:20200461"] == owner_of(registry_store, "Region Skåne")  # Skåne Läns Landsting
    assert owner["erdf:20200450"] == "se:netport-science-park"  # "Netport Science Park AB (Svb)"
    # Former names of regions take the body's reference identity (public_bodies.yaml), then join it by key;
    # a body the graph does not hold yet (Region Skåne here) is created under its reference id.
    assert r.resolved.get("key", 0) >= 2 and r.resolved.get("public-body") == 1
    assert sum(r.resolved.values()) == 6
    kalmar = registry_store.get_actor("se:region-kalmar-lan")
    assert kalmar.name == "Region Kalmar län" and "Regionförbundet i Kalmar län" in kalmar.aliases
    again = commit(registry_store, load_erdf(JSON))
    assert registry_store.stats() == after
    assert (again.actors.created, again.projects.created, again.participations.created) == (0, 0, 0)


def owner_of(store: SqliteStore, name: str) -> str:
    found, _ = store.search_actors(name)
    return next(a.id for a in found if a.name == name)


@pytest.mark.parametrize(
    ("name", "kind", "county"),
    [
        ("Karlshamns kommun", ActorKind.municipality, "10"),
        ("Östra Göinge kommun", ActorKind.municipality, "12"),
        ("Länsstyrelsen i Skåne län", ActorKind.government_agency, "12"),
        ("Regionförbundet i Kalmar län", ActorKind.regional_authority, "08"),
        ("Region Blekinge", ActorKind.regional_authority, "10"),
        ("Coompanion Kronoberg Ekonomisk Fören", ActorKind.business_support, None),
        ("Kommunförbundet Skåne", ActorKind.association, None),
        ("Krinova AB", ActorKind.company, None),
        ("Stift Jamtli", ActorKind.other, None),
    ],
)
def test_owner_kind_and_county_from_the_name(name: str, kind: ActorKind, county: str | None) -> None:
    assert (owner_kind(name), owner_county(name)) == (kind, county)


def test_cli_ingest_erdf(tmp_path: Path) -> None:
    db = str(tmp_path / "g.db")
    ig = [sys.executable, "-m", "api"]
    p = subprocess.run(
        [*ig, "ingest", "erdf", str(JSON), "--json", "--db", db], capture_output=True, text=True, timeout=60
    )
    assert p.returncode == 0, p.stderr
    rep = json.loads(p.stdout)
    assert (rep["read"], rep["projects"]["created"], rep["skipped"]) == (11, 7, 4)
    assert rep["problems"][0] == "erdf.json:8: 20209999: no stödmottagare (owner)"
    bad = subprocess.run(
        [*ig, "ingest", "erdf", str(FIXTURES / "agencies.json"), "--db", db],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert bad.returncode == 1 and bad.stderr.count("\n") == 1
    assert "agencies.json: expected a JSON list of Projektbanken projects" in bad.stderr


@pytest.mark.integration
def test_real_projektbanken_export(registry_store: SqliteStore) -> None:
    path = shared_data("sweden", "erdf-2014-2020-projektbanken-2016-10.json")
    b = load_erdf(path)
    assert (len(b.projects), len(b.problems)) == (374, 0)
    south = [p for p in b.projects if set(p.places) & set(SOUTH_SWEDEN)]
    assert len(south) == 104  # the data README's count
    parts: dict[str, int] = {}
    for p in b.projects:
        parts[p.programme_part or ""] = parts.get(p.programme_part or "", 0) + 1
    assert (parts["Skåne-Blekinge"], parts["Småland med öarna"]) == (45, 29)
    assert all(p.budget and p.budget.currency == "SEK" and p.budget.amount > 0 for p in b.projects)
    # every thematic objective and priority axis wording is a crosswalk term
    assert all(t.sources[0].source == "crosswalk" for t in b.themes)
    before = registry_store.stats().projects
    commit(registry_store, b)
    counts = registry_store.stats()
    assert counts.projects - before == 374
    commit(registry_store, load_erdf(path))
    assert registry_store.stats() == counts


def test_an_owner_with_an_organisationsnummer_joins_by_key(tmp_path: Path, store: SqliteStore) -> None:
    commit(store, load_agencies(FIXTURES / "agencies.json"))
    f = tmp_path / "lista.csv"
    f.write_text(
        "Ärendenummer,Stödmottagare,Organisationsnummer,Projektnamn,Län\n"
        "20301234,LNU Campus Kalmar,2021006271,Ett projekt,Kalmar\n",
        encoding="utf-8",
    )
    r = commit(store, load_erdf(f))
    assert r.resolved == {"key": 1}
    (part,) = store.participations(project_id="erdf:20301234")
    assert part.actor_id == "se-org:2021006271" and part.role is Role.project_owner


@pytest.mark.parametrize(
    ("name", "county"),
    [
        ("ALMI Företagspartner Kronoberg AB", "07"),  # a county's name
        ("ALMI Företagspartner Kalmar län AB", "08"),
        ("Industriellt Utvecklingscentrum i Halland AB", "13"),
        ("Kalmar Science Park AB", "08"),  # a municipality's name
        ("Internationella Handelshögskolan i Jönköping AB", "06"),
        ("Regionförbundet Sörmland", "04"),  # the everyday name of Södermanland
        ("MAX IV Laboratory, Lund University", "12"),
        ("Karlshamns kommun", "10"),  # the genitive
        ("ALMI Invest Småland & Öarna AB", None),  # three counties
        ("Åkroken Science Park AB", None),  # no place in the name
        ("Stockholm–Malmö Innovation Network", None),  # two counties
        ("Mark- och miljööverdomstolen", None),  # 'Mark' is a municipality and a word
    ],
)
def test_county_a_name_places_an_actor_in(name: str, county: str | None) -> None:
    from graph.geo import county_in_name
    from ingest.enrich import county_of_own_name

    assert county_in_name(name) == county
    assert county_of_own_name(name, ActorKind.business_support) == county
    assert county_of_own_name(name, ActorKind.company) is None  # a company's name is no evidence of its seat


def test_real_owners_named_after_their_county_are_in_it() -> None:
    """Projektbanken names no owner's seat: regional agencies named after their county count for it."""
    b = load_erdf(shared_data("sweden", "erdf-2014-2020-projektbanken-2016-10.json"))
    by_name = {a.name: a for a in b.actors}
    for name, county in [
        ("ALMI Företagspartner Kronoberg AB", "07"),
        ("ALMI Företagspartner Jönköping AB", "06"),
        ("Kalmar Science Park AB", "08"),
        ("Industriellt Utvecklings Centrum i Skåne AB", "12"),
        ("Coompanion Kronoberg Ekonomisk Fören", "07"),
    ]:
        assert by_name[name].county_code == county, name
    placeless = [a for a in b.actors if a.kind is not ActorKind.company and a.county_code is None]
    assert len(placeless) < 0.4 * len([a for a in b.actors if a.kind is not ActorKind.company])  # 54 of 165
