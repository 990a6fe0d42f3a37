"""The CORDIS loader on small real-shaped fixtures (every bad-input case) and on the real downloads."""

from __future__ import annotations

import csv
import shutil
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import shared_data

from api.cli import cli
from graph.errors import InvalidInput
from graph.model import Participation, Role
from graph.store.sqlite import SqliteStore
from ingest.cordis import _unquoted, h2020_part, load_cordis
from ingest.interreg import load_interreg
from ingest.pipeline import commit
from ingest.registry import load_registry

HORIZON = Path(__file__).parent / "fixtures" / "sources" / "cordis-horizon"
INTERREG = Path(__file__).parent / "fixtures" / "sources" / "interreg-partners.json"


def _copy(tmp_path: Path) -> Path:
    dst = tmp_path / "cordis"
    shutil.copytree(HORIZON, dst)
    return dst


def test_projects_themes_and_topics() -> None:
    b = load_cordis(HORIZON)
    projects = {p.id: p for p in b.projects}
    assert sorted(projects) == ["horizon:101057000", "horizon:101069359"]
    sol = projects["horizon:101069359"]
    assert (sol.programme, sol.programme_part, sol.acronym) == ("Horizon Europe", "HORIZON.2.5", "SolDAC")
    assert sol.themes == ["part:horizon:HORIZON.2.5", "part:horizon:HORIZON.2.5.2"]
    assert sol.objective is not None and sol.objective.count("\n") == 2  # a field spanning three lines
    assert {"HORIZON-CL5-2021-D2-01-11", "electrochemistry", "solar energy", "zero-carbon"} <= set(sol.topics)
    assert sol.budget is not None and sol.budget.amount == 2073781.25 and sol.budget.currency == "EUR"
    assert str(sol.start) == "2022-09-01"
    themes = {t.id: t for t in b.themes}
    assert sorted(themes) == [
        "part:horizon:HORIZON.2.5",
        "part:horizon:HORIZON.2.5.2",
        "part:horizon:HORIZON.2.6",
    ]
    assert themes["part:horizon:HORIZON.2.5.2"].name == "Energy Supply"
    assert themes["part:horizon:HORIZON.2.5"].kind.value == "programme_part"


def test_actors_and_participations() -> None:
    b = load_cordis(HORIZON)
    actors = {a.id: a for a in b.actors}
    assert sorted(actors) == ["cordis:911111111", "cordis:912743326", "cordis:998221957", "cordis:999589172"]
    bth = actors["cordis:999589172"]
    assert (bth.name, bth.kind.value, bth.pic, bth.vat, bth.orgnr) == (
        "BLEKINGE TEKNISKA HOGSKOLA",
        "university",
        "999589172",
        "SE202100401101",
        "202100-4011",
    )
    assert (bth.country, bth.county_code, bth.nuts3, bth.municipality, bth.city) == (
        "SE",
        "10",
        "SE221",
        "Karlskrona",
        "Karlskrona",
    )
    assert bth.aliases == ["BTH"] and bth.sme is False
    # dated by its latest project in the download (the later programme's name wins a merge)
    starts = {p.id: p.start for p in b.projects}
    mine = [starts[p.project_id] for p in b.participations if p.actor_id == bth.id]
    assert bth.as_of is not None and bth.as_of == max(d for d in mine if d is not None)
    wellcome = actors["cordis:998221957"]  # empty name: the short name; UK is GB
    assert (wellcome.name, wellcome.country, wellcome.nuts3) == ("Wellcome", "GB", "UKI31")
    nameless = actors["cordis:911111111"]  # no name at all: labelled so, never a bare number; EL is GR
    assert (nameless.name, nameless.country, nameless.nuts3, nameless.kind.value) == (
        "Unnamed organisation (PIC 911111111)",
        "GR",
        None,
        "government_agency",
    )
    assert actors["cordis:912743326"].sme is True
    parts = {(p.actor_id, p.project_id): p for p in b.participations}
    assert len(parts) == 5
    assert parts[("cordis:912743326", "horizon:101069359")].role is Role.coordinator
    assert parts[("cordis:999589172", "horizon:101069359")].role is Role.partner
    assert parts[("cordis:998221957", "horizon:101069359")].role is Role.associated
    assert parts[("cordis:911111111", "horizon:101057000")].role is Role.associated  # thirdParty
    c = parts[("cordis:999589172", "horizon:101069359")].contribution
    assert c is not None and (c.amount, c.currency) == (150000.5, "EUR")


def test_bad_rows_are_problems_with_file_and_line() -> None:
    b = load_cordis(HORIZON)
    got = {(p.file, p.line): p.reason for p in b.problems}
    assert sorted(got) == [
        ("organization.csv", 7),
        ("organization.csv", 8),
        ("organization.csv", 9),
        ("organization.csv", 10),
        ("project.csv", 7),
        ("project.csv", 8),
    ]
    assert got[("project.csv", 7)].startswith("bad date '2022-13-01'")
    assert got[("project.csv", 8)] == "non-numeric totalCost: 'lots'"
    assert got[("organization.csv", 7)] == "unknown role 'observer'"
    assert got[("organization.csv", 8)] == "non-numeric ecContribution: '1,5e'"
    assert got[("organization.csv", 9)] == "projectID '999' is not in project.csv"
    assert got[("organization.csv", 10)] == "wrong column count: 3 fields, header has 25"
    assert b.rows_read == 4 + 9


def test_a_project_without_title_or_acronym_is_labelled_in_words(tmp_path: Path) -> None:
    """The H2020 extract has no titles: a table must read "Untitled Horizon 2020 project 205563", not a bare id."""
    d = tmp_path / "h2020"
    d.mkdir()
    (d / "project.csv").write_text(
        '"id";"acronym";"title";"startDate";"endDate";"frameworkProgramme"\n"205563";"";"";"2016-01-01";"";"H2020"\n'
    )
    (d / "organization.csv").write_text(
        '"projectID";"organisationID";"name";"role";"country";"activityType"\n'
        '"205563";"999589172";"BTH";"coordinator";"SE";"HES"\n'
    )
    p = load_cordis(d).projects[0]
    assert (p.id, p.title, p.acronym) == ("h2020:205563", "Untitled Horizon 2020 project 205563", None)


def test_zip_reads_like_the_folder(tmp_path: Path) -> None:
    z = tmp_path / "cordis-HORIZONprojects-csv.zip"
    with zipfile.ZipFile(z, "w") as zf:
        for p in sorted(HORIZON.iterdir()):
            zf.write(p, f"csv/{p.name}")
    a, b = load_cordis(HORIZON), load_cordis(z)
    assert [x.model_dump(exclude={"sources"}) for x in a.actors] == [
        x.model_dump(exclude={"sources"}) for x in b.actors
    ]
    # each record cites the download it came from
    assert b.actors[0].sources[0].file == "cordis-HORIZONprojects-csv.zip/organization.csv"
    assert a.actors[0].sources[0].file == "cordis-horizon/organization.csv"
    assert len(b.participations) == 5 and len(b.projects) == 2


def test_h2020_parts_and_encodings(tmp_path: Path) -> None:
    assert [
        h2020_part(x) for x in ("H2020-EU.SC5", "H2020-EU.3.5.2.", "H2020-EU.Innovation in SMEs", "H2020-EU.")
    ] == [
        "SC5",
        "SC5",
        "SME",
        None,
    ]
    d = tmp_path / "h2020"
    d.mkdir()
    # CP1252 with CRLF line ends and a BOM-less header, as Excel on Windows saves it
    (d / "project.csv").write_bytes(
        '"id";"acronym";"title";"startDate";"endDate";"frameworkProgramme";"legalBasis";"topics"\r\n'
        '"193157";"MALMÖ";"Malmö stad – test";"2014-01-01";"2016-03-31";"H2020";"H2020-EU.SC5";"SC5"\r\n'.encode(
            "cp1252"
        )
    )
    (d / "organization.csv").write_bytes(
        '\ufeff"projectID";"organisationID";"name";"role";"country";"activityType";"city"\r\n'
        '"193157";"993964045";"MALMÖ STAD";"coordinator";"SE";"PUB";"MALMÖ"\r\n'.encode()
    )
    b = load_cordis(d)
    assert b.problems == []
    p = b.projects[0]
    assert (p.id, p.title, p.programme, p.programme_part, p.themes) == (
        "h2020:193157",
        "Malmö stad – test",
        "Horizon 2020",
        "SC5",
        ["part:h2020:SC5"],
    )
    a = b.actors[0]
    # PUB, but the name says municipality; the city gives the municipality and county
    assert (a.name, a.kind.value, a.county_code, a.municipality) == (
        "MALMÖ STAD",
        "municipality",
        "12",
        "Malmö",
    )


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        (lambda d: (d / "organization.csv").unlink(), "has no organization.csv"),
        (
            lambda d: (d / "organization.csv").write_text(
                (d / "organization.csv")
                .read_text()
                .replace('"role"', '"rolle"')
                .replace('"country"', '"land"')
            ),
            "organization.csv: missing required column(s) role, country",
        ),
        (
            lambda d: (d / "project.csv").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00"),
            "project.csv: not a CSV file",
        ),
        (
            lambda d: (d / "project.csv").write_text(
                "id,acronym,title,startDate,endDate,frameworkProgramme\n1,a,b,,,H2020\n"
            ),
            "project.csv: wrong delimiter",
        ),
        (lambda d: (d / "organization.csv").write_text(""), "organization.csv: the file is empty"),
    ],
)
def test_wrong_files_stop_before_writing(tmp_path: Path, store: SqliteStore, setup, message: str) -> None:  # type: ignore[no-untyped-def]
    d = _copy(tmp_path)
    setup(d)
    with pytest.raises(InvalidInput, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_cordis(d)
    assert store.stats().actors == 0


def test_zip_without_expected_files_and_missing_path(tmp_path: Path) -> None:
    z = tmp_path / "other.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("readme.txt", "hello")
    with pytest.raises(InvalidInput, match=r"the zip has no project\.csv and no organization\.csv"):
        load_cordis(z)
    with pytest.raises(InvalidInput, match="no such file or folder"):
        load_cordis(tmp_path / "nope")
    (tmp_path / "x.txt").write_text("hello")
    with pytest.raises(InvalidInput, match="not a CORDIS download"):
        load_cordis(tmp_path / "x.txt")


def test_idempotent_and_rollback(store: SqliteStore) -> None:
    r1 = commit(store, load_cordis(HORIZON))
    assert (r1.actors.created, r1.projects.created, r1.participations.created) == (4, 2, 5)
    s1 = store.stats()
    r2 = commit(store, load_cordis(HORIZON))
    assert (r2.actors.created, r2.actors.merged, r2.participations.created) == (0, 4, 0)
    assert store.stats() == s1
    bad = load_cordis(HORIZON)
    bad.participations.append(Participation(actor_id="cordis:123456789", project_id="horizon:101069359"))
    bad.projects = [p.model_copy(update={"title": "changed"}) for p in bad.projects]
    with pytest.raises(InvalidInput):
        commit(store, bad)
    assert store.get_project("horizon:101069359").title.startswith("Full spectrum")
    assert store.stats() == s1


def test_a_name_quoted_twice_reads_as_written() -> None:
    """Horizon Europe writes some names inside one more pair of quotes, inner quotes doubled."""
    assert _unquoted('"NATIONAL CENTER FOR SCIENTIFIC RESEARCH ""DEMOKRITOS"""') == (
        'NATIONAL CENTER FOR SCIENTIFIC RESEARCH "DEMOKRITOS"'
    )
    assert _unquoted('"""BGI Research Foundation Latvia"" fonds"') == '"BGI Research Foundation Latvia" fonds'
    assert _unquoted('"PRONA"') == "PRONA"
    for name in ('Fondacija "PRONA"', '"A" and "B"', '""', "Lunds universitet"):
        assert _unquoted(name) == name


def test_order_independent_with_interreg_and_registry(tmp_path: Path) -> None:
    def run(order: list[str]) -> tuple[int, int, int]:
        s = SqliteStore(tmp_path / f"{'-'.join(order)}.db")
        s.init_schema()
        loaders = {
            "cordis": lambda: load_cordis(HORIZON),
            "interreg": lambda: load_interreg(INTERREG),
            "registry": load_registry,
        }
        for name in order:
            commit(s, loaders[name]())
        st = s.stats()
        # BTH is one actor carrying its PIC, its CORDIS and Interreg projects and the registry's
        bth = s.get_actor("pic:999589172")
        projects = {p.project_id for p in s.participations(actor_id=bth.id)}
        assert {
            "horizon:101069359",
            "interreg:south-baltic-programme:blue-growth-hub",
            "seed:kickstart-s3",
        } <= projects
        assert s.get_actor("se:blekinge-tekniska-hogskola").id == bth.id
        s.close()
        return st.actors, st.projects, st.participations

    once = run(["cordis", "interreg", "registry"])
    assert run(["cordis", "interreg", "cordis", "registry"]) == once
    assert run(["registry", "interreg", "cordis"]) == once
    assert run(["interreg", "registry", "cordis", "interreg"]) == once


def test_cli_ingest_cordis(tmp_path: Path) -> None:
    res = CliRunner().invoke(cli, ["ingest", "cordis", str(HORIZON), "--db", str(tmp_path / "g.db")])
    assert res.exit_code == 0, res.output
    assert "cordis: read 13 rows; actors 4 created" in res.output
    res = CliRunner().invoke(
        cli, ["ingest", "cordis", str(tmp_path / "nope"), "--db", str(tmp_path / "g.db")]
    )
    assert res.exit_code != 0


@pytest.mark.integration
@pytest.mark.slow
def test_real_horizon_europe_parses() -> None:
    b = load_cordis(shared_data("cordis", "horizon-europe-2021-2024"))
    assert len(b.projects) == 13464
    assert len({a.id for a in b.actors}) == 25879
    assert b.problems == []
    assert sum(1 for p in b.projects if p.programme_part == "HORIZON.2.5") == 1063
    bth = next(a for a in b.actors if a.pic == "999589172")
    assert bth.orgnr == "202100-4011" and bth.county_code == "10"


@pytest.mark.integration
@pytest.mark.slow
def test_real_h2020_interreg_registry_join_bth(tmp_path: Path) -> None:
    h2020 = shared_data("cordis", "h2020-2014-2018")
    interreg = shared_data("interreg", "swedish-partners-interreg-2021-2027.json")
    s = SqliteStore(tmp_path / "g.db")
    s.init_schema()
    b = load_cordis(h2020)
    assert (len(b.projects), b.rows_read - len(b.projects), len(b.actors)) == (20073, 91334, 27411)
    commit(s, b)
    commit(s, load_interreg(interreg))
    commit(s, load_registry())
    found, total = s.search_actors("Blekinge Tekniska")
    assert total == 1 and found[0].pic == "999589172"
    programmes = {p.project_id.split(":")[0] for p in s.participations(actor_id=found[0].id)}
    assert programmes == {"h2020", "interreg", "seed"}
    st = s.stats()
    assert st.projects == 20073 + 586 + 2
    assert 26500 <= st.actors <= 28100


def _south_sweden_subset(src: Path, dst: Path) -> tuple[int, int]:
    """The real H2020 projects with a participant in Blekinge or Skåne, with all their participants."""
    dst.mkdir()
    with (src / "organization.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f, delimiter=";"))
    header, body = rows[0], rows[1:]
    pid, nuts = header.index("projectID"), header.index("nutsCode")
    keep = {r[pid] for r in body if r[nuts][:5] in ("SE221", "SE224")}
    with (dst / "organization.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, delimiter=";", quoting=csv.QUOTE_ALL)
        w.writerow(header)
        w.writerows(r for r in body if r[pid] in keep)
    with (src / "project.csv").open(encoding="utf-8", newline="") as f:
        prow = list(csv.reader(f, delimiter=";"))
    with (dst / "project.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, delimiter=";", quoting=csv.QUOTE_ALL)
        w.writerow(prow[0])
        w.writerows(r for r in prow[1:] if r[0] in keep)
    return len(keep), sum(1 for r in body if r[pid] in keep)


@pytest.mark.integration
def test_real_subset_with_real_interreg_joins_bth(tmp_path: Path) -> None:
    n_projects, _rows = _south_sweden_subset(shared_data("cordis", "h2020-2014-2018"), tmp_path / "sub")
    s = SqliteStore(tmp_path / "g.db")
    s.init_schema()
    r = commit(s, load_cordis(tmp_path / "sub"))
    # no row skipped; the extract's NA amounts are one note (kept, counted as unknown amounts)
    assert r.projects.created == n_projects and [p for p in r.problems if not p.kept] == []
    assert all("no ecContribution" in p.reason for p in r.problems)
    commit(s, load_interreg(shared_data("interreg", "swedish-partners-interreg-2021-2027.json")))
    commit(s, load_registry())
    found, total = s.search_actors("Blekinge Tekniska")
    assert total == 1 and found[0].pic == "999589172"
    programmes = {p.project_id.split(":")[0] for p in s.participations(actor_id=found[0].id)}
    assert programmes == {"h2020", "interreg", "seed"}
    before = s.stats()
    commit(s, load_cordis(tmp_path / "sub"))  # CORDIS again after Interreg: nothing changes
    assert s.stats() == before
    lund = s.get_actor("interreg-org:lund-university")
    assert lund.pic == "999901318"  # the alias file joins the English and the Swedish name


def test_progress_bar_only_on_a_terminal() -> None:
    import io

    from ingest.progress import Progress

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    tty, pipe = Tty(), io.StringIO()
    for stream in (tty, pipe):
        p = Progress("organization.csv", 2_000_000, stream=stream)
        p.update(1_000_000)
        p.close()
    assert (
        "organization.csv" in tty.getvalue() and "100.0%" in tty.getvalue() and tty.getvalue().endswith("\n")
    )
    assert pipe.getvalue() == ""
    small = Tty()
    Progress("x", 10, stream=small).update(5)  # small inputs draw nothing
    assert small.getvalue() == ""
