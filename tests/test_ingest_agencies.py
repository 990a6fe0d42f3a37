"""SCB's agency register as official identities: orgnr, canonical names, successors, joins onto the graph."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import shared_data

from graph.errors import InvalidInput
from graph.model import ActorKind
from graph.store.sqlite import SqliteStore
from ingest.agencies import agency_kind, canonical_name, load_agencies, load_curated
from ingest.interreg import load_interreg
from ingest.pipeline import commit

FIXTURES = Path(__file__).parent / "fixtures" / "regional"
AGENCIES = FIXTURES / "agencies.json"


def test_fixture_becomes_one_actor_per_number() -> None:
    b = load_agencies(AGENCIES)
    assert b.rows_read == 15
    # 15 entries: embassy without number passed over, 2 malformed, 2 courts share one number,
    # Växjö universitet + Högskolan i Kalmar folded into Linnéuniversitetet, NUTEK (no successor in the file)
    assert [a.id for a in b.actors] == [
        "se-org:2021002320",
        "se-org:2021002742",
        "se-org:2021004011",
        "se-org:2021004219",
        "se-org:2021004334",
        "se-org:2021004847",
        "se-org:2021005000",
        "se-org:2021005182",
        "se-org:2021006271",
    ]
    assert [str(p) for p in b.problems] == [
        "agencies.json:14: 'FELSKRIVEN MYNDIGHET': org_nr '20210-04011' is not NNNNNN-NNNN",
        "agencies.json:15: 'TRASIG POST': expected an object, got str",
    ]


def test_identity_fields() -> None:
    actors = {a.id: a for a in load_agencies(AGENCIES).actors}
    bth = actors["se-org:2021004011"]
    assert (bth.name, bth.orgnr, bth.kind, bth.country) == (
        "Blekinge tekniska högskola",
        "202100-4011",
        ActorKind.university,
        "SE",
    )
    assert (bth.county_code, bth.municipality, bth.city, bth.website) == (
        "10",
        "Karlskrona",
        "Karlskrona",
        "www.bth.se",
    )
    assert "BTH" in bth.aliases  # curated everyday name
    assert {"orgnr:202100-4011", "se-org:2021004011"} <= bth.identity_keys()
    lst = actors["se-org:2021002320"]
    assert (lst.name, lst.kind, lst.county_code) == (
        "Länsstyrelsen i Blekinge län",
        ActorKind.government_agency,
        "10",
    )
    foi = actors["se-org:2021005182"]
    assert (foi.name, foi.kind, foi.county_code, foi.city) == (
        "Totalförsvarets forskningsinstitut, FOI",
        ActorKind.research_institute,
        None,  # KISTA is a district, not a municipality: no county rather than a guess
        "Kista",
    )
    gih = actors["se-org:2021004334"]
    assert gih.name == "Gymnastik- och idrottshögskolan" and "GIH" in gih.aliases and gih.county_code == "01"
    assert actors["se-org:2021005000"].county_code == "04"  # ESKILSTUNA: Södermanland


def test_units_sharing_a_number_are_one_legal_entity() -> None:
    dv = {a.id: a for a in load_agencies(AGENCIES).actors}["se-org:2021002742"]
    assert dv.name == "Domstolsverket"  # the entry the register's group is named after
    assert {"Blekinge tingsrätt", "Länsrätten i Blekinge län"} <= set(dv.aliases)
    assert "BLEKINGE TINGSRÄTT" not in dv.aliases  # one spelling per name
    assert dv.county_code == "06"  # Domstolsverket's own address, Jönköping


def test_ended_agency_is_folded_into_its_successor() -> None:
    actors = {a.id: a for a in load_agencies(AGENCIES).actors}
    lnu = actors["se-org:2021006271"]
    assert lnu.name == "Linnéuniversitetet" and lnu.orgnr == "202100-6271"
    assert {"Växjö universitet", "Högskolan i Kalmar"} <= set(lnu.aliases)
    assert {"se-org:2021003187", "se-org:2021003179"} <= lnu.identity_keys()
    assert "se-org:2021003187" not in actors
    # NUTEK's successor (Tillväxtverket) is not in this file: it stays an actor of its own
    assert actors["se-org:2021004219"].name == "Verket för näringslivsutveckling, NUTEK"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("LUNDS UNIVERSITET", "Lunds universitet"),
        ("LÄNSSTYRELSEN I VÄSTRA GÖTALANDS LÄN", "Länsstyrelsen i Västra Götalands län"),
        ("VÄXJÖ TINGSRÄTT OCH MARK OCH MILJÖDOMSTOL", "Växjö tingsrätt och mark och miljödomstol"),
        ("SVERIGES LANTBRUKSUNIVERSITET", "Sveriges lantbruksuniversitet"),
        ("Myndigheten för samhällsskydd och beredskap", "Myndigheten för samhällsskydd och beredskap"),
    ],
)
def test_canonical_name(raw: str, expected: str) -> None:
    assert canonical_name(raw) == expected


def test_kinds() -> None:
    assert agency_kind("Karolinska institutet") is ActorKind.university
    assert agency_kind("Statens väg- och transportforskningsinstitut") is ActorKind.research_institute
    assert agency_kind("Tillväxtverket") is ActorKind.government_agency


def test_joins_the_registry_actor_and_re_ingest_changes_nothing(registry_store: SqliteStore) -> None:
    before = registry_store.stats().actors
    r = commit(registry_store, load_agencies(AGENCIES))
    assert sum(r.resolved.values()) == 1  # BTH (its names are curated in the alias file); the others are new
    bth = registry_store.get_actor("orgnr:202100-4011")
    assert bth.id == "se:blekinge-tekniska-hogskola"
    assert bth.name == "Blekinge Tekniska Högskola"  # the curated registry keeps its name
    assert (bth.orgnr, bth.website) == ("202100-4011", "www.bth.se")
    assert registry_store.get_actor("se-org:2021004011").id == bth.id
    assert registry_store.get_actor("se-org:2021003187").name == "Linnéuniversitetet"
    assert registry_store.stats().actors == before + 8
    counts = registry_store.stats()
    again = commit(registry_store, load_agencies(AGENCIES))
    assert again.actors.created == 0 and registry_store.stats() == counts


def test_interreg_names_resolve_onto_agencies(registry_store: SqliteStore) -> None:
    commit(registry_store, load_agencies(AGENCIES))
    commit(registry_store, load_interreg(FIXTURES / "interreg.json"))
    lst = registry_store.get_actor("orgnr:202100-2320")
    assert lst.id == "se-org:2021002320" and lst.name == "Länsstyrelsen i Blekinge län"
    assert any(s.source == "interreg" and s.name == "Länsstyrelsen Blekinge" for s in lst.sources)
    lnu = registry_store.get_actor("orgnr:202100-6271")
    assert lnu.id == "se-org:2021006271" and any(s.source == "interreg" for s in lnu.sources)
    assert registry_store.stats().actors == 17 + 8 + 1  # Region Skåne is the only new actor


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "not a JSON file"),
        (b"orgnr;namn\n202100-4011;BTH\n", "not a JSON file"),
        (b'[{"org_nr": "202100-4011"}]', "expected SCB's agency register"),
        (b'{"A": {"program": "x"}, "B": {"program": "y"}}', "only 0 of 2 entries have an 'org_nr'"),
    ],
)
def test_wrong_file_stops_before_writing(
    tmp_path: Path, store: SqliteStore, content: bytes, message: str
) -> None:
    f = tmp_path / "register.json"
    f.write_bytes(content)
    with pytest.raises(InvalidInput, match=message):
        load_agencies(f)
    assert store.stats().actors == 0


def test_cli_wrong_file_is_one_line_and_exit_1(tmp_path: Path) -> None:
    interreg = FIXTURES / "interreg.json"
    p = subprocess.run(
        [sys.executable, "-m", "api", "ingest", "agencies", str(interreg), "--db", str(tmp_path / "g.db")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert p.returncode == 1
    assert p.stderr.strip().count("\n") == 0 and "expected SCB's agency register" in p.stderr


def test_cli_ingest_then_find_by_orgnr(tmp_path: Path) -> None:
    db = str(tmp_path / "g.db")
    ig = [sys.executable, "-m", "api"]
    out = subprocess.run(
        [*ig, "ingest", "agencies", str(AGENCIES), "--json", "--db", db],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert (report["read"], report["actors"]["created"], report["skipped"]) == (15, 9, 2)
    found = subprocess.run(
        [*ig, "actor", "orgnr:202100-6271", "--json", "--db", db], capture_output=True, text=True, timeout=60
    )
    assert json.loads(found.stdout)["actor"]["name"] == "Linnéuniversitetet"


def test_bad_curated_file(tmp_path: Path) -> None:
    f = tmp_path / "agencies.yaml"
    f.write_text("successors:\n  - {ended: '2021003187', successor: '202100-6271'}\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match="needs ended, successor"):
        load_curated(f)


@pytest.mark.integration
def test_real_register_on_registry_and_interreg(registry_store: SqliteStore) -> None:
    b = load_agencies(shared_data("sweden", "myndighetsregister-scb.json"))
    # 534 entries; 427 with org_nr, of which 81 share Domstolsverket's and 22 ended ones fold into successors
    assert (b.rows_read, len(b.actors), b.problems) == (534, 325, [])
    commit(registry_store, load_interreg(shared_data("interreg", "swedish-partners-interreg-2021-2027.json")))
    commit(registry_store, b)
    found, _ = registry_store.search_actors("Blekinge Tekniska")
    assert [(a.id, a.orgnr) for a in found] == [("se:blekinge-tekniska-hogskola", "202100-4011")]
    lnu = registry_store.get_actor("orgnr:202100-6271")
    assert lnu.name == "Linnéuniversitetet"
    assert any(s.source == "interreg" for s in lnu.sources)  # the Interreg actor got the number
    assert registry_store.get_actor("se-org:2021003179").id == lnu.id  # Högskolan i Kalmar
