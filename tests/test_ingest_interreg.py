"""The Interreg partner-list loader on a small real-shaped fixture and on the real list."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import shared_data

from api.cli import cli
from graph.errors import InvalidInput
from graph.model import Role
from graph.store.sqlite import SqliteStore
from ingest.interreg import load_interreg
from ingest.pipeline import commit

FIXTURE = Path(__file__).parent / "fixtures" / "sources" / "interreg-partners.json"
GP = "interreg:oresund-kattegat-skagerrak:green-ports"
BGH = "interreg:south-baltic-programme:blue-growth-hub"


def test_fixture_parses_projects_actors_and_problems() -> None:
    b = load_interreg(FIXTURE)
    assert b.rows_read == 9
    assert sorted(p.id for p in b.projects) == [GP, BGH]
    assert sorted(a.id for a in b.actors) == [
        "interreg-org:blekinge-institute-of-technology",
        "interreg-org:lansstyrelsen-blekinge",
        "interreg-org:techtank",
    ]
    lines = {p.line: p.reason for p in b.problems}
    assert sorted(lines) == [3, 4, 7, 8, 9]
    assert "no organisation name" in lines[3]
    assert "read as 2023-01-01/2026-09-30" in lines[4]
    assert "unknown role 'XX'" in lines[7]
    assert "non-numeric partnerbudget: 'lots'" in lines[8]
    assert "bad date" in lines[9]


def test_fixture_fields() -> None:
    b = load_interreg(FIXTURE)
    actors = {a.id: a for a in b.actors}
    lst = actors["interreg-org:lansstyrelsen-blekinge"]
    # Both spellings are one organisation; the other spelling is kept as an alias.
    assert {lst.name, *lst.aliases} == {"Länsstyrelsen Blekinge", "Länsstyrelsen I Blekinge län"}
    assert (lst.kind.value, lst.county_code, lst.nuts3, lst.country) == (
        "government_agency",
        "10",
        "SE221",
        "SE",
    )
    assert actors["interreg-org:techtank"].kind.value == "company"  # no type, private, "AB"
    assert actors["interreg-org:blekinge-institute-of-technology"].kind.value == "university"
    projects = {p.id: p for p in b.projects}
    gp = projects[GP]
    assert (gp.programme, gp.themes, gp.topics, gp.funders) == (
        "Interreg",
        ["po:PO2"],
        ["RSO2.4"],
        ["Interreg Öresund-Kattegat-Skagerrak"],
    )
    assert (str(gp.start), str(gp.end)) == ("2023-01-01", "2026-09-30")
    parts = {(p.actor_id, p.project_id): p for p in b.participations}
    assert len(parts) == 4
    tt = parts[("interreg-org:techtank", GP)]
    # Two rows of one organisation in one project: one participation, budgets summed, stronger role.
    assert tt.role is Role.coordinator
    assert tt.contribution is not None and (tt.contribution.amount, tt.contribution.currency) == (
        25000.25,
        "EUR",
    )
    assert parts[("interreg-org:lansstyrelsen-blekinge", GP)].role is Role.associated
    assert sorted(t.id for t in b.themes) == ["po:PO1", "po:PO2"]


def test_joins_registry_and_is_idempotent(registry_store: SqliteStore) -> None:
    r = commit(registry_store, load_interreg(FIXTURE))
    assert r.actors.created == 1 and r.actors.merged == 2  # BTH and Techtank are in the registry
    bth = registry_store.get_actor("interreg-org:blekinge-institute-of-technology")
    assert bth.id == "se:blekinge-tekniska-hogskola"
    before = registry_store.stats()
    commit(registry_store, load_interreg(FIXTURE))
    after = registry_store.stats()
    assert (before.actors, before.projects, before.participations) == (
        after.actors,
        after.projects,
        after.participations,
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "empty"),
        ("id;program\n1;x\n", "not a JSON file"),
        ('{"a": 1}', "expected a JSON array"),
        ('[{"id": 1, "program": "x"}]', "missing field(s) projektnamn, organisationsnamn, organisationsroll"),
    ],
)
def test_wrong_file_is_invalid_input(tmp_path: Path, content: str, message: str) -> None:
    p = tmp_path / "x.json"
    p.write_text(content, encoding="utf-8")
    with pytest.raises(InvalidInput, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_interreg(p)


def test_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="no such file"):
        load_interreg(tmp_path / "nope.json")
    with pytest.raises(InvalidInput, match="is a folder"):
        load_interreg(tmp_path)


def test_cli_ingest_interreg_json(tmp_path: Path) -> None:
    res = CliRunner().invoke(
        cli, ["ingest", "interreg", str(FIXTURE), "--json", "--db", str(tmp_path / "g.db")]
    )
    assert res.exit_code == 0, res.output
    doc = json.loads(res.output[res.output.index("{") :])
    assert doc["projects"] == {"created": 2, "merged": 0}
    assert (doc["skipped"], doc["kept_with_repairs"]) == (
        4,
        1,
    )  # the impossible date is repaired, not skipped


@pytest.mark.integration
def test_real_list(registry_store: SqliteStore) -> None:
    path = shared_data("interreg", "swedish-partners-interreg-2021-2027.json")
    b = load_interreg(path)
    assert b.rows_read == 1196
    assert len(b.projects) == 586
    assert sum(1 for p in b.problems if "no organisation name" in p.reason) == 17
    commit(registry_store, b)
    bth = registry_store.get_actor("interreg-org:blekinge-institute-of-technology")
    assert bth.id == "se:blekinge-tekniska-hogskola"
    lst = registry_store.get_actor("interreg-org:lansstyrelsen-blekinge")
    assert lst.county_code == "10"


def test_a_kind_the_name_states_beats_a_mistyped_row() -> None:
    from graph.model import ActorKind
    from ingest.interreg import _kind

    # the real list types Lunds Kommun once as a university
    assert (
        _kind("Higher education and research institution", "Public", "Lunds Kommun") is ActorKind.municipality
    )
    assert _kind("Local public authority", "Public", "Kalmar Vatten AB") is ActorKind.company
    assert _kind("Higher education and research institution", "Public", "Rise Processum AB") is (
        ActorKind.research_institute
    )
    assert _kind("SME", "Private", "Nordic Boats AB") is ActorKind.company


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("RISE Research Institute of Sweden", "research_institute"),
        ("Rise Processum AB", "research_institute"),
        ("Blekinge Institute of Technology", "university"),
        ("Karolinska Institutet", "university"),
        ("Lunds universitet", "university"),
    ],
)
def test_one_jems_type_for_universities_and_research_institutes(name: str, kind: str) -> None:
    from ingest.interreg import _kind

    assert _kind("Higher education and research institution", None, name).value == kind
