"""Users' own CSV folder: encodings, every bad-row and wrong-file case, references into the graph."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from api.cli import cli
from graph.errors import InvalidInput
from graph.model import Role
from graph.store.sqlite import SqliteStore
from ingest.csvsource import load_csv
from ingest.pipeline import commit

REGION = Path(__file__).parent / "fixtures" / "sources" / "csv-region"


def test_rows_fields_and_encodings() -> None:
    # actors.csv is CP1252 with CRLF, projects.csv UTF-8 with a BOM, participations.csv plain UTF-8
    b = load_csv(REGION)
    actors = {a.id: a for a in b.actors}
    assert sorted(actors) == ["reg:bth", "reg:karlshamn-energi", "reg:nordic-cluster"]
    bth = actors["reg:bth"]
    assert (bth.name, bth.kind.value, bth.county_code, bth.municipality, bth.orgnr, bth.nuts3) == (
        "Blekinge Tekniska Högskola",
        "university",
        "10",
        "Karlskrona",
        "202100-4011",
        "SE221",
    )
    assert bth.aliases == ["BTH", "Blekinge Institute of Technology"]
    ke = actors["reg:karlshamn-energi"]  # county from the city; orgnr without dash
    assert (ke.county_code, ke.municipality, ke.orgnr) == ("10", "Karlshamn", "556555-3333")
    nc = actors["reg:nordic-cluster"]  # a quoted name with a comma; a county name; country defaults to SE
    assert (nc.name, nc.county_code, nc.country) == ("Nordic Maritime Cluster, ideell förening", "10", "SE")
    (p,) = b.projects
    assert (p.id, p.title, p.acronym, p.themes) == (
        "reg:blue-lab",
        "Blå labbet – marin innovation",
        "BlueLab",
        ["s3:blekinge:digitalisation"],
    )
    assert p.budget is not None and (p.budget.amount, p.budget.currency) == (1250000.0, "SEK")
    parts = {(x.actor_id, x.project_id): x for x in b.participations}
    assert parts[("reg:nordic-cluster", "reg:blue-lab")].role is Role.coordinator  # LP
    c = parts[("reg:bth", "reg:blue-lab")].contribution
    assert c is not None and (c.amount, c.currency) == (400000.0, "SEK")  # the project's currency


def test_bad_rows_are_reported_with_file_line_and_reason() -> None:
    b = load_csv(REGION)
    got = {(p.file, p.line): p.reason for p in b.problems}
    assert got == {
        ("actors.csv", 5): "unknown kind 'spaceship' (one of "
        + ", ".join(
            [
                "university",
                "science_park",
                "incubator",
                "business_support",
                "regional_authority",
                "municipality",
                "government_agency",
                "research_institute",
                "company",
                "cluster_organisation",
                "association",
                "other",
            ]
        )
        + ")",
        ("actors.csv", 6): "unknown county_code '99' (an SCB code such as 10, or a county name)",
        ("actors.csv", 7): "wrong column count: 2 fields, header has 12",
        ("actors.csv", 8): "orgnr '12345' is not an organisationsnummer (NNNNNN-NNNN)",
        ("projects.csv", 3): "bad date in start: '2023-02-30' (expected YYYY-MM-DD)",
        ("projects.csv", 4): "non-numeric budget: 'many'",
        (
            "participations.csv",
            5,
        ): "unknown role 'boss' (coordinator, partner, associated, financier, project_owner)",
        ("participations.csv", 10): "non-numeric contribution: 'abc'",
    }
    assert b.rows_read == 7 + 3 + 9


def test_commit_resolves_references_into_the_graph(registry_store: SqliteStore) -> None:
    r = commit(registry_store, load_csv(REGION))
    # unknown actor / project become problems at commit time, the rest is written
    assert {str(p) for p in r.problems} >= {
        "participations.csv:6: unknown actor 'reg:ghost'",
        "participations.csv:9: unknown project 'reg:nope'",
    }
    assert len(r.problems) == 10
    assert r.resolved == {"name": 1}  # reg:bth is the registry's BTH
    assert registry_store.get_actor("reg:bth").id == "se:blekinge-tekniska-hogskola"
    members = {p.actor_id: p for p in registry_store.participations(project_id="reg:blue-lab")}
    assert sorted(members) == [
        "reg:karlshamn-energi",
        "reg:nordic-cluster",
        "se:blekinge-tekniska-hogskola",
        "se:techtank",
    ]
    before = registry_store.stats()
    commit(registry_store, load_csv(REGION))
    assert registry_store.stats() == before


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("actors.csv", b"", "actors.csv: the file is empty"),
        (
            "actors.csv",
            b"id,name,kind\nx:a,A,company\n",
            "actors.csv: missing required column(s) country, county_code",
        ),
        ("actors.csv", b"id;name;kind;country;county_code\nx:a;A;;;\n", "actors.csv: wrong delimiter"),
        ("projects.csv", b"PK\x03\x04\x14\x00\x00\x00", "projects.csv: not a CSV file"),
        ("participations.csv", b"\x00\x01\x02binary", "participations.csv: not a CSV file"),
    ],
)
def test_wrong_file_stops_before_anything_is_written(
    tmp_path: Path, store: SqliteStore, name: str, content: bytes, message: str
) -> None:
    d = tmp_path / "csv"
    shutil.copytree(REGION, d)
    (d / name).write_bytes(content)
    with pytest.raises(InvalidInput, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_csv(d)
    assert store.stats().actors == 0


def test_not_a_folder(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="no such folder"):
        load_csv(tmp_path / "nope")
    with pytest.raises(InvalidInput, match=r"no actors\.csv, projects\.csv or participations\.csv"):
        load_csv(tmp_path)
    (tmp_path / "actors.csv").write_text("id,name,kind,country,county_code\n")
    with pytest.raises(InvalidInput, match="give the folder"):
        load_csv(tmp_path / "actors.csv")


def test_cli_ingest_csv(tmp_path: Path) -> None:
    d = tmp_path / "csv"
    d.mkdir()
    (d / "actors.csv").write_text(
        "id,name,kind,country,county_code\nx:evil,<img src=x onerror=alert(1)>,company,SE,10\nx:ok,Plain Actor AB,company,SE,10\n"
    )
    (d / "projects.csv").write_text("id,title,programme\nx:p1,Evil project,other\n")
    (d / "participations.csv").write_text(
        "actor_id,project_id,role\nx:evil,x:p1,partner\nx:ok,x:p1,partner\n"
    )
    db = str(tmp_path / "g.db")
    res = CliRunner().invoke(cli, ["ingest", "csv", str(d), "--db", db])
    assert res.exit_code == 0, res.output
    assert "actors 2 created" in res.output and "participations 2 created" in res.output
    (d / "projects.csv").write_text("id;title;programme\n")
    res = CliRunner().invoke(cli, ["ingest", "csv", str(d), "--db", db])
    assert res.exit_code != 0
