"""`run_analysis` on a small crafted store: scope semantics, caching per version, determinism, the CLI."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest

from graph import cache
from graph.analysis import ANALYSES, Scope, clear_cache, prepare, run_analysis
from graph.analysis.models import sig6
from graph.analysis.run import SCORE_SETTINGS, result_key
from graph.errors import InvalidInput
from graph.model import Actor, ActorKind, Participation, Project, SourceRef, Theme, ThemeKind
from graph.store.sqlite import SqliteStore

REF = [SourceRef(source="csv", record="csv:test")]


def _actor(aid: str, kind: str, county: str | None, country: str = "SE") -> Actor:
    return Actor(
        id=aid,
        name=aid.split(":")[1].title(),
        kind=ActorKind(kind),
        county_code=county,
        country=country,
        sources=REF,
    )


ACTORS = [
    _actor("t:uni", "university", "10"),
    _actor("t:firm", "company", "10"),
    _actor("t:lonely", "company", "10"),
    _actor("t:park", "science_park", "07"),
    _actor("t:city", "municipality", "12"),
    _actor("t:solo", "company", "12"),
    _actor("t:abroad", "university", None, "DE"),
]
PROJECTS = {
    "t:p1": ("Interreg", 2022, ["s3:blekinge:tech"], ["t:uni", "t:park"]),
    "t:p2": ("Regional", 2019, ["s3:blekinge:tech"], ["t:uni", "t:firm"]),
    "t:p3": ("Horizon 2020", 2016, [], ["t:park", "t:city", "t:abroad"]),
    "t:p4": ("Interreg", 2023, [], ["t:solo"]),
}
THEMES = [Theme(id="s3:blekinge:tech", name="Tech", kind=ThemeKind.s3_area, county_codes=["10"], sources=REF)]


def _fill(store: SqliteStore, reverse: bool = False) -> None:
    projects = [
        Project(id=pid, title=pid, programme=prog, start=dt.date(year, 1, 1), themes=themes, sources=REF)
        for pid, (prog, year, themes, _) in PROJECTS.items()
    ]
    parts = [
        Participation(actor_id=a, project_id=pid, sources=REF)
        for pid, (_, _, _, members) in PROJECTS.items()
        for a in members
    ]
    actors = list(ACTORS)
    if reverse:
        actors, projects, parts = actors[::-1], projects[::-1], parts[::-1]
    with store.writer() as w:
        w.upsert_themes(THEMES)
        w.upsert_actors(actors)
        w.upsert_projects(projects)
        w.upsert_participations(parts)


@pytest.fixture
def crafted(store: SqliteStore) -> SqliteStore:
    _fill(store)
    return store


def test_centrality_reports_scope_and_whole_graph_scores(crafted: SqliteStore) -> None:
    r = run_analysis(crafted, "centrality", Scope(counties=("10",)))
    assert [row.actor_id for row in r.rows] == ["t:uni", "t:firm", "t:lonely"]
    uni = r.rows[0]
    # pairs through uni: (firm, park), (firm, city), (firm, abroad): 3 of the C(6, 2) = 15 pairs of the others
    assert (uni.degree, uni.weighted_degree, uni.component_size) == (2, 2.0, 5)
    assert uni.betweenness == pytest.approx(3 / 15)
    assert r.betweenness.method == "exact" and r.total == 3
    # the programme filter keeps the scores whole-graph but lists only actors in counting projects
    r2 = run_analysis(crafted, "centrality", Scope(programme=("interreg",)))
    # park: (uni, city), (uni, abroad), (firm, city), (firm, abroad) = 4/15 comes first
    assert [row.actor_id for row in r2.rows] == ["t:park", "t:uni", "t:solo"]
    assert r2.rows[0].betweenness == sig6(4 / 15)
    assert r2.rows[1].betweenness == uni.betweenness
    assert len(run_analysis(crafted, "centrality", Scope(), top=2).rows) == 2


def test_brokerage_and_communities(crafted: SqliteStore) -> None:
    r = run_analysis(crafted, "brokerage", Scope())
    by_id = {row.actor_id: row for row in r.rows}
    assert by_id["t:lonely"].constraint is None and r.rows[-1].constraint is None
    assert by_id["t:uni"].bridges_counties == 1 and by_id["t:park"].bridges_counties == 2
    assert by_id["t:firm"].constraint == pytest.approx(1.0)
    assert {(e.a, e.b) for e in r.county_bridges} == {("t:park", "t:uni"), ("t:city", "t:park")}
    c = run_analysis(crafted, "communities", Scope())
    assert c.seed == 42 and c.singletons == 2  # lonely and solo
    assert sum(x.size for x in c.communities) == 5
    assert c.nmi_counties is not None and 0 <= c.nmi_counties <= 1


def test_isolated_lists_and_reasons(crafted: SqliteStore) -> None:
    r = run_analysis(crafted, "isolated", Scope())
    assert [(i.actor_id, i.reason) for i in r.no_collaboration] == [
        ("t:lonely", "in no project"),
        ("t:solo", "in 1 project, with no other actor in them"),
    ]
    assert [i.actor_id for i in r.only_own_county] == ["t:firm"]
    assert [i.actor_id for i in r.no_eu_project] == ["t:firm", "t:lonely"]
    assert r.no_eu_project[0].reason == "only in projects of Regional"
    assert [i.actor_id for i in r.s3_theme_without_outside_partner] == ["t:firm"]
    assert "Tech" in r.s3_theme_without_outside_partner[0].reason
    assert [b.actor_id for b in r.suggested_brokers["only_own_county"]] == ["t:uni"]
    assert r.counts["no_collaboration"] == 2
    # under a programme filter, collaboration means collaboration in counting projects
    h = run_analysis(crafted, "isolated", Scope(programme=("Horizon 2020",)))
    assert ("t:firm", "in no counting project") in [(i.actor_id, i.reason) for i in h.no_collaboration]


def test_counties_and_themes(crafted: SqliteStore) -> None:
    r = run_analysis(crafted, "counties", Scope(counties=("07", "10", "12")))
    assert [c.code for c in r.counties] == ["07", "10", "12"]
    pair = {(p.a, p.b): p for p in r.pairs}
    # P_07 = 2 (p1, p3), P_10 = 2 (p1, p2), P_12 = 2 (p3, p4), N = 4
    assert pair[("07", "10")].shared_projects == 1 and pair[("07", "10")].expected_projects == 1.0
    # ties inside the three counties: uni-park, uni-firm, park-city; D_07 = 2, D_10 = 3, D_12 = 1
    assert pair[("07", "12")].expected_actor_pairs == sig6(1 / 3)
    assert pair[("07", "12")].ratio_actor_pairs == 3.0
    assert pair[("10", "12")].ratio_projects == 0.0
    assert "P_a * P_b / N" in r.null_model
    period = run_analysis(crafted, "counties", Scope(counties=("07", "10", "12"), start_year=2020))
    assert {(p.a, p.b): p.shared_projects for p in period.pairs}[("07", "10")] == 1
    assert [c.projects for c in period.counties] == [1, 1, 1]
    t = run_analysis(crafted, "themes", Scope())
    tech = next(x for x in t.themes if x.theme_id == "s3:blekinge:tech")
    assert tech.counties_present == ["07", "10"] and "12" in tech.counties_missing
    assert tech.strategy_counties == ["10"] and tech.strategy_counties_missing == []
    assert (tech.projects, tech.actors) == (2, 3)


def test_unknown_inputs_are_invalid(crafted: SqliteStore) -> None:
    with pytest.raises(InvalidInput, match="unknown analysis"):
        run_analysis(crafted, "nonsense", Scope())
    with pytest.raises(InvalidInput, match="unknown county code"):
        Scope(counties=("99",))
    with pytest.raises(InvalidInput, match="empty"):
        Scope(start_year=2024, end_year=2020)


def test_cache_per_version_recomputes_when_data_changes(crafted: SqliteStore) -> None:
    first = prepare(crafted)
    assert prepare(crafted) is first
    before = run_analysis(crafted, "centrality", Scope(counties=("10",)))
    assert {r.actor_id: r.degree for r in before.rows}["t:lonely"] == 0
    with crafted.writer() as w:
        w.upsert_participations([Participation(actor_id="t:lonely", project_id="t:p2", sources=REF)])
    assert prepare(crafted) is not first
    after = run_analysis(crafted, "centrality", Scope(counties=("10",)))
    assert {r.actor_id: r.degree for r in after.rows}["t:lonely"] == 2
    # a new process (an empty memory cache) reads the whole-graph scores and the result from beside the db
    assert crafted.derived_path.exists()
    clear_cache()
    for key in ("betweenness", "pagerank"):
        assert cache.peek(crafted, f"scores:{key}:{SCORE_SETTINGS}") is not cache.MISSING
    assert cache.peek(crafted, result_key("centrality", Scope(counties=("10",)), None)) == after
    assert run_analysis(crafted, "centrality", Scope(counties=("10",))) == after


def test_a_database_rebuilt_at_the_same_path_is_never_served_stale(tmp_path: Path) -> None:
    path = tmp_path / "g.db"
    first = SqliteStore(path)
    _fill(first)
    before = run_analysis(first, "isolated", Scope())
    assert [i.actor_id for i in before.no_collaboration] == ["t:lonely", "t:solo"]
    first.close()
    path.unlink()
    second = SqliteStore(path)  # same path, same version number (1), other data
    with second.writer() as w:
        w.upsert_actors(ACTORS[:2])
        w.upsert_projects([Project(id="t:p9", title="p9", programme="Interreg", sources=REF)])
        w.upsert_participations(
            [Participation(actor_id=a.id, project_id="t:p9", sources=REF) for a in ACTORS[:2]]
        )
    assert second.version() == 1
    clear_cache()  # as a new process starts; the cache file beside the db is still the old one's
    after = run_analysis(second, "centrality", Scope())
    assert {r.actor_id: r.degree for r in after.rows} == {"t:uni": 1, "t:firm": 1}
    second.close()


def test_same_data_in_another_order_gives_identical_json(tmp_path: Path) -> None:
    a, b = SqliteStore(tmp_path / "a.db"), SqliteStore(tmp_path / "b.db")
    a.init_schema()
    b.init_schema()
    _fill(a)
    _fill(b, reverse=True)
    for name in ANALYSES:
        assert (
            run_analysis(a, name, Scope()).model_dump_json()
            == run_analysis(b, name, Scope()).model_dump_json()
        )
    a.close()
    b.close()


def _cli(*args: str, db: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "api", "analyze", *args, "--db", str(db)],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_cli_json_csv_table_and_errors(crafted: SqliteStore) -> None:
    db = crafted.path
    out = _cli("counties", "--county", "07", "--county", "10", "--json", db=db)
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert [c["code"] for c in doc["counties"]] == ["07", "10"] and doc["pairs"][0]["shared_projects"] == 1
    csv_out = _cli("centrality", "--csv", "--top", "1", db=db)
    lines = csv_out.stdout.splitlines()
    assert lines[0].startswith("actor_id,name,kind") and lines[1].startswith("t:park,") and len(lines) == 2
    table = _cli("isolated", db=db)
    assert table.returncode == 0 and "only_own_county" in table.stdout and "t:firm" in table.stdout
    bad = _cli("counties", "--county", "99", db=db)
    assert (
        bad.returncode == 1
        and bad.stderr.strip().count("\n") == 0
        and "unknown county code '99'" in bad.stderr
    )
    allc = json.loads(_cli("counties", "--county", "all", "--json", db=db).stdout)
    assert len(allc["counties"]) == 21


def test_partial_sources_are_never_read_as_local_only(store: SqliteStore) -> None:
    """Interreg lists Swedish partners only, ERDF the owner only: such actors are counted apart."""
    from graph.model import Coverage

    actors = [_actor("t:almi", "business_support", "10"), _actor("t:bank", "company", "10")]
    actors += [_actor("t:net", "science_park", "10"), _actor("t:firm2", "company", "10")]
    actors += [_actor("t:owner", "municipality", "12")]
    projects = [
        Project(id="t:i1", title="i1", programme="Interreg", coverage=Coverage.swedish, sources=REF),
        Project(id="t:c1", title="c1", programme="Horizon 2020", sources=REF),
        Project(id="t:e1", title="e1", programme="ERDF", coverage=Coverage.owner, sources=REF),
    ]
    members = {"t:i1": ["t:almi", "t:bank"], "t:c1": ["t:net", "t:firm2"], "t:e1": ["t:owner"]}
    parts = [Participation(actor_id=a, project_id=p, sources=REF) for p, ms in members.items() for a in ms]
    with store.writer() as w:
        w.upsert_actors(actors)
        w.upsert_projects(projects)
        w.upsert_participations(parts)
    r = run_analysis(store, "isolated", Scope())
    # a complete project with own-county partners only is still "only own county"
    assert {i.actor_id for i in r.only_own_county} == {"t:net", "t:firm2"}
    assert {i.actor_id for i in r.no_collaboration} == set()
    apart = {i.actor_id: i.reason for i in r.partners_not_in_data}
    assert set(apart) == {"t:almi", "t:bank", "t:owner"}
    assert "Swedish partners only" in apart["t:almi"] and "owner only" in apart["t:owner"]
    assert r.counts["partners_not_in_data"] == 3
    assert "Interreg" in r.partial_sources and "ERDF" in r.partial_sources
    # the owner-only ERDF project is left out of the county matrix
    c = run_analysis(store, "counties", Scope(counties=("10", "12")))
    assert {x.code: x.collaboration_projects for x in c.counties} == {"10": 2, "12": 0}
    # ... while the county's own counts are those of every other page (the report, /counties)
    assert {x.code: (x.actors, x.projects) for x in c.counties} == {"10": (4, 2), "12": (1, 1)}
    assert "ERDF" in c.partial_sources and "owner" in c.null_model


def test_a_top_cut_of_the_full_result_equals_computing_with_top(crafted: SqliteStore) -> None:
    from graph.analysis.run import BUILDERS, CUT_ONLY

    for name in CUT_ONLY:
        for scope in (Scope(), Scope(counties=())):
            direct = BUILDERS[name](prepare(crafted), scope, 1)
            assert run_analysis(crafted, name, scope, top=1) == direct
