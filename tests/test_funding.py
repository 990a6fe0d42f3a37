"""Funding measures (graph.analysis.funding) on small fixtures, the ingest rules they rely on, and the CLI."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from api.cli import cli
from graph.analysis.funding import (
    benchmark,
    funding,
    funding_facts,
    funding_rows,
    population,
    rates,
    topic_cluster,
    untapped,
)
from graph.analysis.scope import Scope
from graph.geo import COUNTIES
from graph.model import Actor, ActorKind, Money, Participation, Project, Role, SourceRef
from graph.store.sqlite import SqliteStore
from ingest.cordis import load_cordis
from ingest.pipeline import SourceBatch, commit

EUR = "EUR"


def _actor(
    aid: str, county: str | None, kind: ActorKind = ActorKind.company, name: str | None = None
) -> Actor:
    return Actor(id=aid, name=name or aid.split(":")[1], kind=kind, county_code=county, country="SE")


def _project(
    pid: str, programme: str, part: str | None, year: int, topics: list[str] | None = None
) -> Project:
    return Project(
        id=pid,
        title=pid,
        programme=programme,
        programme_part=part,
        start=dt.date(year, 3, 1),
        topics=topics or [],
    )


def _part(
    aid: str,
    pid: str,
    amount: float | None,
    currency: str = EUR,
    role: Role = Role.partner,
    nuts3: str | None = None,
) -> Participation:
    money = Money(amount=amount, currency=currency) if amount is not None else None  # type: ignore[arg-type]
    return Participation(actor_id=aid, project_id=pid, role=role, contribution=money, nuts3=nuts3)


ACTORS = [
    _actor("x:bth", "10", ActorKind.university, "Blekinge Tekniska Högskola"),
    _actor("x:nkt", "10"),
    _actor("x:lund", "12", ActorKind.university),
    _actor("x:moved", "12"),  # the actor sits in Skåne, the row places this participation in Blekinge
    _actor("x:region", "10", ActorKind.regional_authority),
    _actor("x:nowhere", None),
]
PROJECTS = [
    _project("horizon:1", "Horizon Europe", "HORIZON.2.5", 2022, ["HORIZON-CL5-2022-D3-01-04"]),
    _project("horizon:2", "Horizon Europe", "HORIZON.2.4", 2023, ["HORIZON-CL4-2023-DIGITAL-EMERGING-01-10"]),
    _project("erdf:1", "ERDF", "Småland med öarna", 2016),
    _project("interreg:1", "Interreg", "PO1", 2023),
]
PARTS = [
    _part("x:bth", "horizon:1", 1000.0, role=Role.coordinator, nuts3="SE221"),
    _part("x:nkt", "horizon:1", 500.0, nuts3="SE221"),
    _part("x:lund", "horizon:1", 4000.0, nuts3="SE224"),
    _part("x:moved", "horizon:1", 250.0, nuts3="SE221"),
    _part("x:region", "horizon:1", None, role=Role.associated, nuts3="SE221"),  # unfunded, not unknown
    _part("x:bth", "horizon:2", None),  # a beneficiary without an amount: unknown
    _part("x:region", "erdf:1", 946890.0, currency="SEK", role=Role.project_owner),
    _part("x:nowhere", "interreg:1", 300.0),
    _part("x:region", "interreg:1", 200.0, role=Role.coordinator, nuts3="SE221"),
]


@pytest.fixture
def facts() -> list:
    return funding_facts(ACTORS, PROJECTS, PARTS)


def test_reference_files_are_complete_and_cited() -> None:
    pop = population()
    assert set(pop.by_county) == set(COUNTIES) and pop.year == 2023
    assert "SCB" in pop.source
    # the file states its own uncertainty: within 0.5 % of SCB's national total 10,551,707
    assert abs(pop.sweden - 10_551_707) / 10_551_707 < 0.005
    fx = rates()
    assert "European Central Bank" in fx.source
    assert fx.rate(2016) == (2016, 9.4689)
    assert fx.rate(2030)[0] == max(fx.sek_per_eur) and fx.rate(1999)[0] == min(fx.sek_per_eur)


def test_attribution_row_region_first_then_actor_county(facts: list) -> None:
    by = {(f.actor_id, f.project_id): f for f in facts}
    moved = by[("x:moved", "horizon:1")]
    assert (moved.county, moved.county_basis) == ("10", "participation")
    erdf = by[("x:region", "erdf:1")]
    assert (erdf.county, erdf.county_basis) == ("10", "actor")
    assert by[("x:nowhere", "interreg:1")].county_basis == "none"


def test_sek_converted_at_the_start_year_rate(facts: list) -> None:
    erdf = next(f for f in facts if f.project_id == "erdf:1")
    assert erdf.rate_year == 2016 and erdf.eur == pytest.approx(946890.0 / 9.4689)


def test_blekinge_totals_unknown_share_roles_and_per_inhabitant(facts: list) -> None:
    r = funding(facts, Scope(counties=("10",)))
    erdf_eur = 946890.0 / 9.4689
    assert r.total.eur == pytest.approx(1000 + 500 + 250 + 200 + erdf_eur, abs=0.01)
    assert (r.total.participations, r.total.known, r.total.unknown, r.total.unfunded) == (7, 5, 1, 1)
    assert r.total.unknown_share == round(1 / 7, 4)
    assert r.total.projects_unknown == 1
    assert r.total.coordinator_eur == pytest.approx(1000 + 200 + erdf_eur, abs=0.01)
    assert r.total.partner_eur == pytest.approx(750, abs=0.01)
    pop = population().by_county["10"]
    assert r.total.per_inhabitant == pytest.approx(r.total.eur / pop, rel=1e-4)
    progs = {t.key: t for t in r.by_programme}
    assert progs["Horizon Europe"].eur == 1750 and progs["Horizon Europe"].unknown == 1
    assert progs["Interreg"].eur == 200
    assert [t.key for t in r.by_year] == ["2016", "2022", "2023"]
    assert "SEK" not in json.dumps(r.rates_used) and r.rates_used == {"2016": 9.4689}
    assert "ERDF" in r.amounts and "Interreg" in r.amounts
    assert r.not_covered.startswith("Not covered")


def test_every_participation_counts_once_across_counties(facts: list) -> None:
    everything = funding(facts, Scope(counties=()))
    assert sum(t.eur for t in everything.by_county) == pytest.approx(everything.total.eur, abs=0.02)
    assert sum(t.participations for t in everything.by_county) == len(PARTS)
    by_county = {t.key: t.eur for t in everything.by_county}
    assert by_county["12"] == 4000 and by_county["none"] == 300


def test_scope_filters_programme_part_and_period(facts: list) -> None:
    r = funding(facts, Scope(counties=("10",), programme=("horizon europe",), theme=("HORIZON.2.5",)))
    assert r.total.eur == 1750 and r.total.unknown == 0
    r = funding(facts, Scope(counties=("10",), start_year=2023))
    assert r.total.eur == 200 and r.total.unknown == 1


def test_flat_rows_carry_the_json_numbers(facts: list) -> None:
    r = funding(facts, Scope(counties=("10", "12")))
    rows = funding_rows(r)
    assert rows[0][:4] == ["total", "total", "Blekinge, Skåne", r.total.eur]
    county_rows = {row[1]: row[3] for row in rows if row[0] == "county"}
    assert county_rows == {t.key: t.eur for t in r.by_county}


def test_benchmark_ranks_all_counties_against_the_median(facts: list) -> None:
    b = benchmark(facts, Scope(programme=("Horizon Europe",)))
    assert len(b.rows) == 21 and b.median_per_inhabitant == 0.0  # most counties capture nothing here
    top = b.rows[0]
    assert top.county_code == "10"  # 1750 € over ~156k people beats Skåne's 4000 € over ~1.4M
    assert b.lines[4].startswith("Blekinge gets ") and "the Swedish median is 0.00 €" in b.lines[4]
    no_uni = benchmark(facts, Scope(programme=("Horizon Europe",)), exclude_universities=True)
    assert {r.county_code: r.eur for r in no_uni.rows}["10"] == 750
    assert {r.county_code: r.eur for r in no_uni.rows}["12"] == 0
    kinds = {k.kind: k for k in b.by_kind}
    assert kinds["university"].per_inhabitant["10"] == pytest.approx(
        1000 / population().by_county["10"], abs=1e-4
    )


def test_untapped_points_to_who_captures_elsewhere(facts: list) -> None:
    # Blekinge's missions area: Horizon Europe cluster 5 maps onto it (graph/data/crosswalk.yaml)
    u = untapped(facts, "07", ["s3:blekinge:missions"], max_ratio=0.5)
    keys = {r.key for r in u.rows}
    assert "Horizon Europe · HORIZON.2.5" in keys and "HORIZON-CL5-D3" in keys
    row = next(r for r in u.rows if r.key == "Horizon Europe · HORIZON.2.5")
    assert row.county_eur == 0 and row.sweden_eur == 5750
    assert row.counties[0].key == "12" and row.actors[0].key == "x:lund"
    assert untapped(facts, "07", []).rows == []


def test_topic_clusters() -> None:
    assert topic_cluster("HORIZON-CL5-2022-D3-01-04") == "HORIZON-CL5-D3"
    assert topic_cluster("HORIZON-MSCA-2021-PF-01-01") == "HORIZON-MSCA-PF"
    assert topic_cluster("solar energy") is None and topic_cluster("LC-SC3-EE-1-2018") == "LC-SC3-EE"


# ----------------------------------------------------------------------------- ingest rules

HEADER = ["projectID", "organisationID", "vatNumber", "name", "role", "country", "nutsCode", "ecContribution"]


def _cordis(tmp_path: Path, rows: list[list[str]]) -> Path:
    d = tmp_path / "cordis"
    d.mkdir(exist_ok=True)
    with (d / "project.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, delimiter=";", quoting=csv.QUOTE_ALL)
        w.writerow(["id", "acronym", "title", "startDate", "endDate", "frameworkProgramme", "legalBasis"])
        w.writerow(["1", "ONE", "One", "2023-01-01", "2025-12-31", "HORIZON", "HORIZON.2.5"])
    with (d / "organization.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, delimiter=";", quoting=csv.QUOTE_ALL)
        w.writerow(HEADER)
        w.writerows(rows)
    return d


def test_two_pics_resolved_onto_one_actor_add_their_money_once(tmp_path: Path) -> None:
    src = _cordis(
        tmp_path,
        [
            ["1", "911111111", "", "ACME SVERIGE AB", "coordinator", "SE", "SE221", "1000"],
            ["1", "922222222", "", "ACME SVERIGE AB", "participant", "SE", "SE221", "500.5"],
        ],
    )
    s = SqliteStore(tmp_path / "g.db")
    s.init_schema()
    for _ in range(2):  # a re-run replaces, never doubles
        commit(s, load_cordis(src))
        parts = list(s.iter_participations())
        assert len(parts) == 1 and parts[0].contribution == Money(amount=1500.5, currency="EUR")
        assert parts[0].nuts3 == "SE221" and parts[0].role is Role.coordinator
    s.close()


def test_bad_amounts_are_reported_with_file_and_line_and_never_summed(tmp_path: Path) -> None:
    src = _cordis(
        tmp_path,
        [
            ["1", "911111111", "", "GOOD AB", "coordinator", "SE", "SE221", "1000"],
            ["1", "922222222", "", "NEGATIVE AB", "participant", "SE", "SE221", "-5"],
            ["1", "933333333", "", "WORDS AB", "participant", "SE", "SE221", "lots"],
            ["1", "944444444", "", "MISSING AB", "participant", "SE", "SE221", ""],
            ["1", "955555555", "", "ASSOCIATED AB", "associatedPartner", "SE", "SE221", ""],
        ],
    )
    b = load_cordis(src)
    got = {(p.file, p.line): p for p in b.problems}
    assert got[("organization.csv", 3)].reason == "ecContribution '-5' is negative"
    assert got[("organization.csv", 4)].reason == "non-numeric ecContribution: 'lots'"
    missing = got[("organization.csv", 5)]
    assert missing.kept and missing.reason.startswith("1 beneficiary row(s) with no ecContribution")
    s = SqliteStore(tmp_path / "g.db")
    s.init_schema()
    commit(s, b)
    r = funding(
        funding_facts(s.iter_actors(), s.iter_projects(), s.iter_participations()), Scope(counties=("10",))
    )
    assert r.total.eur == 1000 and (r.total.unknown, r.total.unfunded) == (1, 1)
    s.close()


def test_store_round_trips_the_participation_region(store: SqliteStore) -> None:
    batch = SourceBatch(
        source="test",
        actors=[_actor("x:a", "12")],
        projects=[_project("horizon:9", "Horizon Europe", "HORIZON.2.5", 2022)],
        participations=[_part("x:a", "horizon:9", 10.0, nuts3="SE221")],
    )
    batch.actors[0].sources.append(SourceRef(source="test", record="x:a"))
    commit(store, batch)
    assert [p.nuts3 for p in store.iter_participations()] == ["SE221"]


# ----------------------------------------------------------------------------- CLI

HORIZON = Path(__file__).parent / "fixtures" / "sources" / "cordis-horizon"


def test_cli_json_csv_and_table_agree(tmp_path: Path) -> None:
    db = str(tmp_path / "g.db")
    run = CliRunner().invoke
    assert run(cli, ["ingest", "cordis", str(HORIZON), "--db", db]).exit_code == 0
    out = run(cli, ["funding", "--county", "10", "--programme", "Horizon Europe", "--json", "--db", db])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    # the fixture's Blekinge rows (nutsCode SE221) with a valid amount: 150000.5 + 500000
    assert data["total"]["eur"] == 650000.5
    assert data["by_programme"][0]["key"] == "Horizon Europe"
    assert data["scope"]["counties"] == ["10"] and "unknown_share" in data["total"]
    out = run(cli, ["funding", "--county", "10", "--csv", "--db", db])
    rows = list(csv.DictReader(io.StringIO(out.output)))
    assert float(rows[0]["eur"]) == 650000.5 and rows[0]["breakdown"] == "total"
    out = run(cli, ["funding", "--county", "10", "--db", db])
    assert out.exit_code == 0 and "650,000" in out.output
    out = run(cli, ["funding", "benchmark", "--programme", "Horizon Europe", "--json", "--db", db])
    assert out.exit_code == 0 and json.loads(out.output)["rows"][0]["county_code"] == "10"
    out = run(cli, ["funding", "benchmark", "--county", "10", "--db", db])
    assert out.exit_code == 0 and out.output.startswith("Blekinge gets 4.16 € per inhabitant")
    assert "per inhabitant by kind of actor" in out.output and "university" in out.output
    out = run(cli, ["funding", "untapped", "--county", "07", "--json", "--db", db])
    assert out.exit_code == 0 and json.loads(out.output)["county"] == "07"
    bad = run(cli, ["funding", "--county", "99", "--db", db])
    assert bad.exit_code != 0
