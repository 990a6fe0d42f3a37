"""One contract suite for every `GraphStore`: the embedded SQLite store always, the Bolt store against
ArcadeDB started by the tests (`tests/bolt_server.py`), and a real Neo4j when `INNOGRAPH_TEST_NEO4J_URI`
(+ `_USER`, `_PASSWORD`, optional `_DATABASE`) is set. WARNING: the suite empties that database before
each test; point it at a scratch database.

The hand-made graph in `tests/fixtures/store/graph.json` (7 actors, 4 projects, 10 participations)
is small enough to compute every expected value by hand; the figures below are those.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
import yaml
from bolt_server import BoltServer, arcadedb, free_port  # noqa: F401  (arcadedb is a fixture)
from conftest import shared_data
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from graph.errors import InvalidInput, NotFound, StoreUnavailable
from graph.model import (
    Actor,
    ActorKind,
    County,
    Coverage,
    Money,
    Participation,
    Project,
    Role,
    SourceRef,
    Theme,
)
from graph.projection import collaboration_graph
from graph.settings import Settings
from graph.store import ActorFilter, GraphStore, ProjectFilter, cypher
from graph.store.base import COMPLETE_KEY
from graph.store.neo4j import Neo4jStore, safe_uri
from graph.store.sqlite import SqliteStore
from ingest.pipeline import SourceBatch, commit
from ingest.registry import load_registry

FIXTURE = Path(__file__).parent / "fixtures" / "store" / "graph.json"
ROOT = Path(__file__).resolve().parents[1]
BOLT = [pytest.mark.bolt, pytest.mark.integration]
BACKENDS = ["sqlite", pytest.param("bolt", marks=BOLT), pytest.param("neo4j", marks=BOLT)]

BTH = "se:blekinge-tekniska-hogskola"
REGION = "se:region-blekinge"
LUND = "se:lunds-universitet"
NETPORT = "cordis:999000001"
AALBORG = "cordis:999000002"
HKR = "interreg-org:hogskolan-kristianstad"
ALMI = "se:almi-kronoberg"


def fixture_batch(source: str = "fixture") -> SourceBatch:
    raw = json.loads(FIXTURE.read_text("utf-8"))
    return SourceBatch(
        source=source,
        counties=[County.model_validate(c) for c in raw["counties"]],
        themes=[Theme.model_validate(t) for t in raw["themes"]],
        actors=[Actor.model_validate(a) for a in raw["actors"]],
        projects=[Project.model_validate(p) for p in raw["projects"]],
        participations=[Participation.model_validate(p) for p in raw["participations"]],
        rows_read=len(raw["participations"]),
    )


def bolt_settings(uri: str, user: str, password: str, database: str, **extra: Any) -> Settings:
    return Settings(
        store="neo4j",
        neo4j_uri=uri,
        neo4j_user=user,
        neo4j_password=password,
        neo4j_database=database,
        **extra,
    )


def wipe(settings: Settings) -> None:
    import neo4j

    with (
        neo4j.GraphDatabase.driver(
            settings.neo4j_uri, auth=(settings.neo4j_user, settings.neo4j_password.get_secret_value())
        ) as d,
        d.session(database=settings.neo4j_database) as s,
    ):
        s.run("MATCH (n) DETACH DELETE n").consume()


def neo4j_env_settings() -> Settings:
    uri = os.environ.get("INNOGRAPH_TEST_NEO4J_URI")
    if not uri:
        pytest.skip("no real Neo4j: set INNOGRAPH_TEST_NEO4J_URI (+ _USER, _PASSWORD) to run against one")
    return bolt_settings(
        uri,
        os.environ.get("INNOGRAPH_TEST_NEO4J_USER", "neo4j"),
        os.environ.get("INNOGRAPH_TEST_NEO4J_PASSWORD", ""),
        os.environ.get("INNOGRAPH_TEST_NEO4J_DATABASE", "neo4j"),
    )


def backend_settings(request: pytest.FixtureRequest, kind: str, batch_size: int) -> Settings:
    if kind == "bolt":
        server: BoltServer = request.getfixturevalue("arcadedb")
        return bolt_settings(server.uri, server.user, server.password, server.database, batch_size=batch_size)
    return neo4j_env_settings()


def open_backend(
    request: pytest.FixtureRequest, tmp_path: Path, kind: str, batch_size: int = 3
) -> GraphStore:
    if kind == "sqlite":
        s: GraphStore = SqliteStore(tmp_path / f"{kind}.db")
    else:
        settings = backend_settings(request, kind, batch_size)
        wipe(settings)
        s = Neo4jStore(settings)
    s.init_schema()
    return s


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[GraphStore]:
    """An empty store with its schema; the Bolt ones write in batches of 3 rows to exercise batching."""
    s = open_backend(request, tmp_path, request.param)
    yield s
    s.close()


@pytest.fixture
def loaded(store: GraphStore) -> GraphStore:
    commit(store, fixture_batch())
    return store


def counts(s: GraphStore) -> tuple[int, int, int]:
    st = s.stats()
    return st.actors, st.projects, st.participations


def ids(items: list[Any]) -> list[str]:
    return [i.id for i in items]


# -- writes -------------------------------------------------------------------------------------
def test_upsert_twice_gives_the_same_graph(store: GraphStore) -> None:
    first = commit(store, fixture_batch())
    assert (first.actors.created, first.projects.created, first.participations.created) == (7, 4, 10)
    before = (store.stats(), list(store.iter_actors()), list(store.iter_participations()))
    again = commit(store, fixture_batch())
    assert (again.actors.created, again.actors.merged) == (0, 7)
    assert (again.participations.created, again.participations.merged) == (0, 10)
    assert (store.stats(), list(store.iter_actors()), list(store.iter_participations())) == before
    assert counts(store) == (7, 4, 10)


def test_merge_rules_follow_the_model(loaded: GraphStore) -> None:
    cordis_bth = Actor(
        id=BTH,
        name="BLEKINGE TEKNISKA HOGSKOLA",
        kind=ActorKind.other,
        country="SE",
        website="https://www.bth.se",
        city="KARLSKRONA",
        sources=[SourceRef(source="cordis", record="cordis:999897719", name="BLEKINGE TEKNISKA HOGSKOLA")],
    )
    later = Project(
        id="h2020:100001", title="ignored: cordis ranks below nothing here", programme="Horizon 2020",
        themes=["part:h2020:SC2"], sources=[SourceRef(source="cordis", record="h2020:100001")],
    )  # fmt: skip
    part = Participation(
        actor_id=BTH,
        project_id="h2020:100001",
        role=Role.partner,
        contribution=Money(amount=7.0, currency="EUR"),
        nuts3="SE221",
    )
    with loaded.writer() as w:
        assert (w.upsert_actors([cordis_bth]).merged, w.upsert_projects([later]).merged) == (1, 1)
        assert w.upsert_participations([part]).merged == 1
    a = loaded.get_actor(BTH)
    assert a.name == "Blekinge Tekniska Högskola"  # registry (100) beats cordis (40)
    assert a.city == "Karlskrona" and a.website == "https://www.bth.se"  # the weaker source only fills gaps
    assert a.kind is ActorKind.university
    assert a.aliases == ["BLEKINGE TEKNISKA HOGSKOLA", "BTH"]
    assert [s.record for s in a.sources] == ["cordis:999897719", BTH]
    p = loaded.get_project("h2020:100001")
    assert p.title == "Smart ports of the Baltic Sea"  # same rank: the stored record keeps its fields
    assert p.themes == ["part:h2020:SC2", "part:h2020:SC5"]
    (kept,) = loaded.participations(actor_id=BTH, project_id="h2020:100001")
    assert kept.role is Role.coordinator and kept.contribution == Money(amount=7.0, currency="EUR")
    assert kept.nuts3 == "SE221"  # where the source placed the participation (funding attribution)
    assert loaded.get_actor("cordis:999897719").id == BTH  # the new source record became a key


def test_exception_inside_writer_rolls_everything_back(loaded: GraphStore) -> None:
    before, version = counts(loaded), loaded.version()
    extra = Actor(id="se:temp", name="Temporary AB", sources=[SourceRef(source="csv", record="se:temp")])
    with pytest.raises(RuntimeError, match="boom"), loaded.writer() as w:
        w.upsert_actors([extra])
        w.upsert_counties([])
        raise RuntimeError("boom")
    assert counts(loaded) == before and loaded.version() == version
    with pytest.raises(NotFound):
        loaded.get_actor("se:temp")


def test_unknown_participation_endpoint_is_refused_and_rolled_back(loaded: GraphStore) -> None:
    bad = Participation(actor_id="se:nobody", project_id="h2020:100001")
    new = Actor(id="se:new", name="New AB")
    with pytest.raises(InvalidInput, match="unknown actor 'se:nobody'"), loaded.writer() as w:
        w.upsert_actors([new])
        w.upsert_participations([bad])
    assert counts(loaded) == (7, 4, 10)


def test_version_changes_on_every_write(store: GraphStore) -> None:
    v0 = store.version()
    commit(store, fixture_batch())
    v1 = store.version()
    commit(store, fixture_batch())
    assert v0 < v1 < store.version()


def test_derived_data_is_kept_per_identity_and_version(store: GraphStore) -> None:
    ident, v0 = store.identity(), store.version()
    assert ident and store.identity() == ident  # the same database, the same identity
    store.write_derived(v0, "answer", b"\x00forty-two")
    assert store.read_derived(v0, "answer") == b"\x00forty-two"
    assert store.read_derived(v0, "other") is None
    assert store.version() == v0  # derived data is not a write to the graph
    commit(store, fixture_batch())
    v1 = store.version()
    assert v1 > v0 and store.read_derived(v1, "answer") is None  # a new version starts empty
    big = bytes(range(256)) * 40_000  # 10 MB: several parts in a Bolt store
    store.write_derived(v1, "answer", big)
    assert store.read_derived(v1, "answer") == big
    store.write_derived(v1, "answer", b"again")  # replaced, not appended
    assert store.read_derived(v1, "answer") == b"again"
    assert store.identity() == ident


def test_the_newest_complete_version_is_kept_until_a_newer_one_is_complete(store: GraphStore) -> None:
    v0 = store.version()
    store.write_derived(v0, "answer", b"old")
    store.write_derived(v0, COMPLETE_KEY, b"")
    commit(store, fixture_batch())
    v1 = store.version()
    store.write_derived(v1, "answer", b"new")
    assert store.read_derived(v0, "answer") == b"old"  # a server still answers from it
    store.write_derived(v1, COMPLETE_KEY, b"")
    store.write_derived(v1, "other", b"x")
    assert store.read_derived(v0, "answer") is None  # v1 is complete: v0 goes
    assert store.read_derived(v1, "answer") == b"new"


def test_a_new_database_never_repeats_an_identity(tmp_path: Path) -> None:
    path = tmp_path / "g.db"
    first = SqliteStore(path)
    first.init_schema()
    before = (first.identity(), first.version())
    first.write_derived(first.version(), "answer", b"old")
    first.close()
    path.unlink()
    second = SqliteStore(path)  # rebuilt at the same path: the version starts again
    second.init_schema()
    assert (second.identity(), second.version()) != before and second.version() == before[1]
    assert second.read_derived(second.version(), "answer") is None  # the sidecar's old entry is not served
    second.close()


# -- keys ---------------------------------------------------------------------------------------
def test_get_actor_by_any_key_and_first_claimant_keeps_it(loaded: GraphStore) -> None:
    for key in ("pic:999897719", "cordis:999897719", "orgnr:202100-5585", "se-org:2021005585", BTH):
        assert loaded.get_actor(key).id == BTH
    assert loaded.get_actor("pic:999000002").id == AALBORG
    with pytest.raises(NotFound, match="no actor 'pic:123456'"):
        loaded.get_actor("pic:123456")
    clash = Actor(id="se:impostor", name="Impostor AB", pic="999897719")
    with loaded.writer() as w:
        w.upsert_actors([clash])
    assert loaded.lookup_keys(["pic:999897719", "se:impostor", "pic:1"]) == {
        "pic:999897719": BTH,
        "se:impostor": "se:impostor",
    }
    with loaded.writer() as w:
        w.remove_actor_key("pic:999897719")
    assert "pic:999897719" not in loaded.lookup_keys(["pic:999897719"])
    assert loaded.get_actor("cordis:999897719").id == BTH


def test_get_many_and_projects(loaded: GraphStore) -> None:
    assert sorted(loaded.get_actors([LUND, "se:none", HKR, LUND])) == [HKR, LUND]
    assert sorted(loaded.get_projects(["erdf:20201234", "x:y"])) == ["erdf:20201234"]
    assert loaded.get_project("erdf:20201234").title == "Innovationsmiljöer i Blekinge"
    with pytest.raises(NotFound):
        loaded.get_project("h2020:0")


def test_project_coverage_is_kept_and_merges_to_the_most_complete(store: GraphStore) -> None:
    ref = [SourceRef(source="interreg", record="interreg:x")]
    swedish = Project(
        id="interreg:x", title="X", programme="Interreg", coverage=Coverage.swedish, sources=ref
    )
    owner = Project(id="erdf:1", title="Y", programme="ERDF", coverage=Coverage.owner, sources=ref)
    with store.writer() as w:
        w.upsert_projects([swedish, owner])
    assert store.get_project("interreg:x").coverage is Coverage.swedish
    assert not store.get_project("interreg:x").members_complete
    g = store.to_networkx()
    assert g.nodes["project:interreg:x"]["coverage"] == "swedish"
    assert g.nodes["project:erdf:1"]["coverage"] == "owner"
    full = Project(
        id="interreg:x", title="X", programme="Interreg", sources=[SourceRef(source="csv", record="x")]
    )
    with store.writer() as w:
        w.upsert_projects([full])
    # the members of both records are kept: the project is as complete as its most complete source
    assert store.get_project("interreg:x").coverage is Coverage.all
    assert store.get_projects(["erdf:1"])["erdf:1"].coverage is Coverage.owner


# -- reads --------------------------------------------------------------------------------------
def test_iterations_are_ordered_by_id(loaded: GraphStore) -> None:
    assert ids(list(loaded.iter_actors())) == sorted([BTH, REGION, LUND, NETPORT, AALBORG, HKR, ALMI])
    assert ids(list(loaded.iter_projects())) == [
        "erdf:20201234", "h2020:100001", "h2020:100002", "interreg:south-baltic:blue-growth",
    ]  # fmt: skip
    parts = [(p.actor_id, p.project_id) for p in loaded.iter_participations()]
    assert parts == sorted(parts) and len(parts) == 10
    assert [p.project_id for p in loaded.participations(actor_id=REGION)] == [
        "erdf:20201234", "h2020:100001", "h2020:100002",
    ]  # fmt: skip
    assert [p.actor_id for p in loaded.participations(project_id="h2020:100001")] == [AALBORG, BTH, REGION]
    assert [(p.role, p.contribution) for p in loaded.participations(BTH, "h2020:100001")] == [
        (Role.coordinator, Money(amount=500000.0, currency="EUR"))
    ]
    assert [c.code for c in loaded.counties()] == ["07", "10", "12"]
    assert ids(loaded.themes()) == ["part:h2020:SC3", "part:h2020:SC5", "po:PO1"]


def test_search_is_accent_and_case_insensitive_and_ranked(loaded: GraphStore) -> None:
    found, total = loaded.search_actors("Hogskola")
    assert (ids(found), total) == ([HKR, BTH], 2)  # "Högskolan…" starts with the query
    assert ids(loaded.search_actors("högskolan kristianstad")[0]) == [HKR]
    assert ids(loaded.search_actors("landsting")[0]) == [REGION]  # aliases are searched
    assert ids(loaded.search_actors("bth")[0]) == [BTH]
    # an exact name first, then names that start with the query, then by name
    assert ids(loaded.search_actors("region blekinge")[0]) == [REGION]
    assert ids(loaded.search_actors("blekinge")[0]) == [BTH, REGION]
    everyone, n = loaded.search_actors("", limit=3, offset=2)
    assert n == 7 and ids(everyone) == [BTH, HKR, LUND]  # by name after "AALBORG…", "Almi…"


def test_an_exact_alias_ranks_before_names_that_start_with_it(store: GraphStore) -> None:
    with store.writer() as w:
        w.upsert_actors(
            [
                Actor(id="x:uni", name="Lunds universitet", aliases=["LU", "Lund University"]),
                Actor(id="x:dept", name="Lund University - Department of Physics"),
                Actor(id="x:abc", name="Lund University Alumni"),
            ]
        )
    assert ids(store.search_actors("Lund University")[0]) == ["x:uni", "x:dept", "x:abc"]
    assert ids(store.search_actors("lu")[0])[0] == "x:uni"  # an exact alias at the end of the list


def test_part_of_round_trips_lists_units_and_rolls_up(
    store: GraphStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    def actor(aid: str, name: str, part_of: str | None = None) -> Actor:
        return Actor(id=aid, name=name, part_of=part_of, sources=[SourceRef(source="t", record=aid)])

    commit(
        store,
        SourceBatch(
            source="t",
            actors=[
                actor("x:region", "Region Q"),
                actor("x:hospital", "Z Hospital, Region Q", part_of="x:region"),
                actor("x:ward", "Ward 5, Z Hospital", part_of="x:hospital"),
                actor("x:partner", "Partner AB"),
            ],
            projects=[Project(id="p:1", title="One", programme="Interreg")],
            participations=[
                Participation(actor_id="x:ward", project_id="p:1", role=Role.coordinator),
                Participation(actor_id="x:partner", project_id="p:1"),
            ],
        ),
    )
    assert store.get_actor("x:hospital").part_of == "x:region"
    assert ids(store.units("x:region")) == ["x:hospital"] and ids(store.units("x:hospital")) == ["x:ward"]
    assert store.units("x:partner") == []
    g = store.to_networkx()  # units count for the top legal entity by default
    assert "x:ward" not in g and g.edges["x:region", "project:p:1"]["role"] == "coordinator"
    monkeypatch.setenv("INNOGRAPH_UNITS_APART", "1")
    g = store.to_networkx()
    assert "x:ward" in g and not g.has_edge("x:region", "project:p:1")


def test_merging_two_stored_actors_moves_everything_to_one_survivor(store: GraphStore) -> None:
    """A later source proves two stored actors are one: participations, units and keys move to the
    survivor, which is the same whichever way round the merge is asked (load order never decides)."""

    def src(source: str, record: str) -> list[SourceRef]:
        return [SourceRef(source=source, record=record, name=None)]

    nameless = Actor(id="cordis:998818604", name="Unnamed organisation (PIC 998818604)", pic="998818604",
                     sources=src("cordis", "cordis:998818604"))  # fmt: skip
    agency = Actor(id="se-org:2021000076", name="Polismyndigheten", kind=ActorKind.government_agency,
                   orgnr="202100-0076", country="SE", sources=src("scb-agencies", "se-org:2021000076"))  # fmt: skip
    lab = Actor(
        id="x:lab", name="Forensic lab, Polismyndigheten", part_of=nameless.id, sources=src("t", "x:lab")
    )
    other = Actor(id="x:other", name="Other AB", sources=src("t", "x:other"))
    euro = Money(amount=10.0, currency="EUR")
    with store.writer() as w:
        w.upsert_actors([nameless, agency, lab, other])
        w.upsert_projects([Project(id=f"p:{i}", title=f"P{i}", programme="Horizon 2020") for i in (1, 2)])
        w.upsert_participations(
            [
                Participation(
                    actor_id=nameless.id, project_id="p:1", role=Role.coordinator, contribution=euro
                ),
                Participation(actor_id=nameless.id, project_id="p:2"),
                Participation(actor_id=agency.id, project_id="p:2", sources=src("scb-agencies", "x")),
                Participation(actor_id=other.id, project_id="p:1"),
            ]
        )
    version = store.version()
    with store.writer() as w:
        assert w.merge_actors(nameless.id, agency.id) == agency.id  # the agency register outranks CORDIS
        assert w.merge_actors(agency.id, agency.id) == agency.id  # with itself: nothing to do
    assert store.version() > version
    a = store.get_actor(agency.id)
    assert (a.name, a.pic, a.orgnr) == ("Polismyndigheten", "998818604", "202100-0076")
    assert {s.record for s in a.sources} == {nameless.id, agency.id}
    assert store.get_actors([nameless.id]) == {}
    for key in (nameless.id, "pic:998818604", "orgnr:202100-0076"):  # the loser's ids still find it
        assert store.get_actor(key).id == agency.id
    assert store.lookup_keys([nameless.id]) == {nameless.id: agency.id}
    parts = {(p.actor_id, p.project_id): p for p in store.iter_participations()}
    assert sorted(parts) == [(agency.id, "p:1"), (agency.id, "p:2"), (other.id, "p:1")]
    assert (
        parts[(agency.id, "p:1")].role is Role.coordinator and parts[(agency.id, "p:1")].contribution == euro
    )
    assert counts(store) == (3, 2, 3)
    assert ids(store.units(agency.id)) == ["x:lab"] and store.get_actor("x:lab").part_of == agency.id
    g = collaboration_graph(store.to_networkx())
    assert g.has_edge(agency.id, other.id) and nameless.id not in g
    with pytest.raises(NotFound), store.writer() as w:
        w.merge_actors(agency.id, "x:nobody")
    assert counts(store) == (3, 2, 3)


def test_merge_survivor_does_not_depend_on_the_order_asked(tmp_path: Path) -> None:
    def build(first: bool) -> list[Actor]:
        s = SqliteStore(tmp_path / f"{first}.db")
        s.init_schema()
        x = Actor(
            id="interreg-org:a", name="A", sources=[SourceRef(source="interreg", record="interreg-org:a")]
        )
        y = Actor(
            id="cordis:999000111",
            name="A AB",
            pic="999000111",
            sources=[SourceRef(source="cordis", record="cordis:999000111")],
        )
        with s.writer() as w:
            w.upsert_actors([x, y])
            w.merge_actors(*((x.id, y.id) if first else (y.id, x.id)))
        out = list(s.iter_actors())
        s.close()
        return out

    assert build(True) == build(False) and [a.id for a in build(True)] == ["interreg-org:a"]


def test_actor_filters(loaded: GraphStore) -> None:
    def f(**kw: Any) -> list[str]:
        return ids(loaded.search_actors("", ActorFilter(**kw))[0])

    assert f(county=("10",)) == [BTH, NETPORT, REGION]
    assert f(kind=(ActorKind.university,), country=("SE",)) == [BTH, HKR, LUND]
    assert f(country=("DK",)) == [AALBORG]
    assert f(programme=("Interreg",)) == [HKR, LUND]
    assert f(theme=("part:h2020:SC5",)) == [AALBORG, BTH, REGION]
    assert f(theme=("po:PO1",), county=("12",), kind=(ActorKind.university,)) == [HKR, LUND]
    assert loaded.search_actors("lund", ActorFilter(county=("10",))) == ([], 0)


def test_project_search_and_filters(loaded: GraphStore) -> None:
    found, total = loaded.search_projects()
    # newest first, the project without a start date last
    assert (ids(found), total) == (
        ["interreg:south-baltic:blue-growth", "h2020:100002", "h2020:100001", "erdf:20201234"], 4,
    )  # fmt: skip
    assert ids(loaded.search_projects("miljoer")[0]) == ["erdf:20201234"]
    assert ids(loaded.search_projects("smartport")[0]) == ["h2020:100001"]
    assert ids(loaded.search_projects("", ProjectFilter(programme=("Horizon 2020",)))[0]) == [
        "h2020:100002", "h2020:100001",
    ]  # fmt: skip
    assert ids(loaded.search_projects("", ProjectFilter(theme=("po:PO1",)))[0]) == [
        "interreg:south-baltic:blue-growth"
    ]
    assert ids(loaded.search_projects("", ProjectFilter(actor=LUND), limit=1, offset=1)[0]) == [
        "h2020:100002"
    ]


def test_neighbourhood_by_depth_and_cap(loaded: GraphStore) -> None:
    one = loaded.neighbourhood(REGION, depth=1)
    assert one.hops == {REGION: 0, NETPORT: 1, AALBORG: 1, BTH: 1, LUND: 1}
    # strongest ties first: BTH shares two projects; then South Swedish actors, the most recent first
    assert ids(one.actors) == [REGION, BTH, LUND, NETPORT, AALBORG]
    assert ids(one.projects) == ["erdf:20201234", "h2020:100001", "h2020:100002"]
    assert len(one.participations) == 8 and not one.capped
    two = loaded.neighbourhood("pic:999897719", depth=2)  # by key, like get_actor
    assert two.center.id == BTH and two.hops[HKR] == 2 and ALMI not in two.hops
    assert len(two.projects) == 4 and len(two.participations) == 10
    capped = loaded.neighbourhood(REGION, depth=2, max_actors=3)
    assert capped.capped and list(capped.hops) == [REGION, BTH, LUND]
    assert capped.found == {1: 4, 2: 0}
    assert loaded.neighbourhood(ALMI).hops == {ALMI: 0}


def test_neighbourhood_keeps_the_strongest_ties_under_the_cap(store: GraphStore) -> None:
    """Shared projects first, then South Swedish actors, then recency: never project-id order."""
    ref = [SourceRef(source="csv", record="csv:t")]
    actors = [Actor(id="t:uni", name="Uni", county_code="10", country="SE", sources=ref)]
    actors += [Actor(id=f"t:f{i}", name=f"F{i}", country="DE", sources=ref) for i in range(8)]
    actors += [
        Actor(id="t:z-park", name="Park", county_code="10", country="SE", sources=ref),
        Actor(id="t:z-region", name="Region", county_code="10", country="SE", sources=ref),
        Actor(id="t:y-abroad", name="Abroad", country="FR", sources=ref),
        Actor(id="t:h2", name="Hop two", country="SE", county_code="01", sources=ref),
    ]
    dates = {"a0": 2015, "p1": 2016, "p2": 2017, "p3": 2018, "r": 2019, "y": 2023, "far": 2020}
    projects = [
        Project(id=f"t:{k}", title=k, programme="Horizon 2020", start=dt.date(y, 1, 1), sources=ref)
        for k, y in dates.items()
    ]
    members = {
        "a0": ["t:uni", *(f"t:f{i}" for i in range(8))],
        "p1": ["t:uni", "t:z-park"],
        "p2": ["t:uni", "t:z-park"],
        "p3": ["t:uni", "t:z-park"],
        "r": ["t:uni", "t:z-region"],
        "y": ["t:uni", "t:y-abroad"],
        "far": ["t:z-park", "t:h2"],
    }
    parts = [
        Participation(actor_id=a, project_id=f"t:{p}", sources=ref) for p, ms in members.items() for a in ms
    ]
    with store.writer() as w:
        w.upsert_actors(actors)
        w.upsert_projects(projects)
        w.upsert_participations(parts)
    one = store.neighbourhood("t:uni", depth=1, max_actors=4)
    assert list(one.hops) == ["t:uni", "t:z-park", "t:z-region", "t:y-abroad"]
    assert one.capped and one.found == {1: 11}
    two = store.neighbourhood("t:uni", depth=2, max_actors=4)
    # direct partners take at most 60% of the cap, the strongest second-hop actor joins, and the room
    # left goes back to the next strongest direct partner
    assert two.hops == {"t:uni": 0, "t:z-park": 1, "t:h2": 2, "t:z-region": 1}
    assert two.found == {1: 11, 2: 1}
    assert {p.id for p in two.projects} == {"t:p1", "t:p2", "t:p3", "t:r", "t:y", "t:a0", "t:far"}


def test_stats(loaded: GraphStore) -> None:
    s = loaded.stats()
    assert (s.actors, s.projects, s.participations, s.counties, s.themes) == (7, 4, 10, 3, 3)
    assert list(s.actors_by_kind.items()) == [
        ("business_support", 1), ("regional_authority", 1), ("science_park", 1), ("university", 4),
    ]  # fmt: skip
    assert list(s.actors_by_county.items()) == [("07", 1), ("10", 3), ("12", 2)]
    assert list(s.actors_by_country.items()) == [("DK", 1), ("SE", 6)]
    assert list(s.projects_by_programme.items()) == [("ERDF", 1), ("Horizon 2020", 2), ("Interreg", 1)]


def test_to_networkx_and_projection_weights(loaded: GraphStore) -> None:
    g = loaded.to_networkx()
    assert g.number_of_nodes() == 11 and g.number_of_edges() == 10
    assert g.nodes[BTH]["county_code"] == "10" and g.nodes["project:h2020:100001"]["start_year"] == 2016
    assert g.edges[BTH, "project:h2020:100001"]["role"] == "coordinator"
    c = collaboration_graph(g)
    assert c[BTH][REGION]["weight"] == 2  # two shared projects
    assert c[LUND][HKR]["weight"] == 1 and c.degree(ALMI) == 0


# -- the two stores agree -----------------------------------------------------------------------
@pytest.mark.bolt
@pytest.mark.integration
def test_bolt_and_embedded_stores_give_identical_results(
    request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    stores = [open_backend(request, tmp_path, k) for k in ("sqlite", "bolt")]
    for s in stores:
        commit(s, load_registry())
        commit(s, fixture_batch())
        commit(s, load_registry())
    a, b = stores
    assert a.stats().model_dump_json() == b.stats().model_dump_json()
    ga, gb = a.to_networkx(), b.to_networkx()
    assert list(ga.nodes(data=True)) == list(gb.nodes(data=True))
    assert list(ga.edges(data=True)) == list(gb.edges(data=True))
    assert nx.utils.graphs_equal(collaboration_graph(ga), collaboration_graph(gb))
    for name in ("counties", "centrality"):
        assert analysis_json(a, name) == analysis_json(b, name)
    for q in ("", "blekinge", "science park", "hogskola"):
        assert a.search_actors(q, limit=100) == b.search_actors(q, limit=100)
    assert a.search_projects(limit=100) == b.search_projects(limit=100)
    assert list(a.iter_participations()) == list(b.iter_participations())
    assert a.counties() == b.counties() and a.themes() == b.themes()
    na, nb = a.neighbourhood(REGION, 2), b.neighbourhood(REGION, 2)
    assert (na.hops, na.actors, na.projects) == (nb.hops, nb.actors, nb.projects)
    for s in stores:
        s.close()


# -- Bolt only: graph shape, schema, errors, crash recovery ------------------------------------------
@pytest.fixture
def bolt(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Neo4jStore]:
    s = open_backend(request, tmp_path, "bolt")
    assert isinstance(s, Neo4jStore)
    yield s
    s.close()


def cypher_rows(s: Neo4jStore, query: str) -> list[dict[str, Any]]:
    return s._rows(query)


@pytest.mark.bolt
@pytest.mark.integration
def test_bolt_graph_has_the_documented_shape(bolt: Neo4jStore) -> None:
    commit(bolt, fixture_batch())
    located = cypher_rows(
        bolt, "MATCH (a:Actor)-[:LOCATED_IN]->(c:County) RETURN a.id AS a, c.code AS c ORDER BY a"
    )
    assert [(r["a"], r["c"]) for r in located] == [
        (NETPORT, "10"), (HKR, "12"), (ALMI, "07"), (BTH, "10"), (LUND, "12"), (REGION, "10"),
    ]  # fmt: skip
    addresses = cypher_rows(
        bolt, "MATCH (p:Project)-[:ADDRESSES]->(t:Theme) RETURN p.id AS p, t.id AS t ORDER BY p"
    )
    assert [(r["p"], r["t"]) for r in addresses] == [
        ("h2020:100001", "part:h2020:SC5"), ("h2020:100002", "part:h2020:SC3"),
        ("interreg:south-baltic:blue-growth", "po:PO1"),
    ]  # fmt: skip
    rel = cypher_rows(
        bolt,
        "MATCH (:Actor {id: 'se:blekinge-tekniska-hogskola'})-[r:PARTICIPATES_IN]->(:Project {id: 'h2020:100001'}) "
        "RETURN r.role AS role, r.contribution_amount AS amount, r.contribution_currency AS currency",
    )
    assert rel == [{"role": "coordinator", "amount": 500000.0, "currency": "EUR"}]
    # a county change moves LOCATED_IN (the registry outranks CORDIS); a county loaded after its actors links them
    moved = Actor(id=NETPORT, name="Netport Science Park", county_code="12",
                  sources=[SourceRef(source="registry", record="se:netport")])  # fmt: skip
    halland = Actor(id="se:hms", name="Högskolan i Halmstad", county_code="13")
    with bolt.writer() as w:
        w.upsert_actors([moved, halland])
    with bolt.writer() as w:
        w.upsert_counties([County(code="13", name="Hallands län", short_name="Halland", nuts3="SE231")])
    located = cypher_rows(
        bolt, "MATCH (a:Actor)-[:LOCATED_IN]->(c:County) WHERE a.id IN ['se:hms', 'cordis:999000001'] "
        "RETURN a.id AS a, c.code AS c ORDER BY a",
    )  # fmt: skip
    assert located == [{"a": NETPORT, "c": "12"}, {"a": "se:hms", "c": "13"}]


def _attack_the_builders() -> None:
    """Every pure Cypher builder refuses a label, type or property that would change the statement."""
    attack = "Actor) DETACH DELETE n //"
    for build in (
        cypher.label,
        cypher.count_nodes,
        cypher.all_data,
        cypher.merge_nodes,
        cypher.existing_data,
    ):
        with pytest.raises(InvalidInput, match="not an innograph node label"):
            build(attack)
    with pytest.raises(InvalidInput, match="not an innograph node label"):
        cypher.create_index("innograph_x", attack, "id")
    with pytest.raises(InvalidInput, match="relationship type"):
        cypher.count_relationships("PARTICIPATES_IN]->() DETACH DELETE r //")
    with pytest.raises(InvalidInput, match="property"):
        cypher.count_by("Actor", "kind) DETACH DELETE n //")
    with pytest.raises(InvalidInput, match="property"):
        cypher.create_constraint("x} DETACH DELETE n //", "Actor", "id")


def test_cypher_builders_refuse_injected_labels() -> None:
    """Runs without a server: the builders are pure functions, so their guard is tested on every run."""
    _attack_the_builders()
    # The guard lets every legitimate name through, so the store's own statements still build.
    assert all(cypher.label(name) == name for name in cypher.LABELS)
    assert len(cypher.schema_statements(cypher.NEO4J)) == len(cypher.CONSTRAINTS) + len(cypher.INDEXES) + 2


@pytest.mark.bolt
@pytest.mark.integration
def test_labels_are_allow_listed_against_injection(bolt: Neo4jStore) -> None:
    commit(bolt, fixture_batch())
    _attack_the_builders()
    assert counts(bolt) == (7, 4, 10)


def test_dialect_switch_from_the_agent_string() -> None:
    arcade = cypher.dialect_for("Neo4j/5.26.0 compatible (ArcadeDB 26.10.2)")
    neo = cypher.dialect_for("Neo4j/5.26.0")
    assert arcade is cypher.ARCADEDB and neo is cypher.NEO4J
    text = [s for s in cypher.schema_statements(neo) if s.startswith("CREATE TEXT INDEX")]
    assert len(text) == 2 and "innograph_actor_search" in text[0]
    assert not any("search" in s for s in cypher.schema_statements(arcade))
    assert len(cypher.schema_statements(neo)) == len(cypher.schema_statements(arcade)) + 2
    assert all("IF NOT EXISTS" in s for s in cypher.schema_statements(neo))


@pytest.mark.bolt
@pytest.mark.integration
def test_missing_schema_is_a_clear_error(arcadedb: BoltServer) -> None:  # noqa: F811
    s = Neo4jStore(bolt_settings(arcadedb.uri, arcadedb.user, arcadedb.password, arcadedb.bare_database))
    with pytest.raises(StoreUnavailable, match=r"no innograph schema .*run 'innograph db init'"):
        s.stats()
    with pytest.raises(StoreUnavailable), s.writer():
        pass
    s.close()
    wrong_db = Neo4jStore(bolt_settings(arcadedb.uri, arcadedb.user, arcadedb.password, "nosuchdb"))
    with pytest.raises(StoreUnavailable, match="nosuchdb"):
        wrong_db.stats()
    wrong_db.close()


@pytest.mark.bolt
@pytest.mark.integration
def test_wrong_password_and_unreachable_server_never_show_the_password(arcadedb: BoltServer) -> None:  # noqa: F811
    secret = "s3cret-Passw0rd"
    for uri in (
        arcadedb.uri,
        f"bolt://127.0.0.1:{free_port()}",
        f"bolt://root:{secret}@127.0.0.1:{free_port()}",
    ):
        s = Neo4jStore(bolt_settings(uri, "root", secret, "innograph"))
        with pytest.raises(StoreUnavailable) as e:
            s.get_actor("x:y")
        msg = str(e.value)
        assert secret not in msg and "\n" not in msg and "unavailable" in msg
        s.close()
    assert secret not in repr(bolt_settings(arcadedb.uri, "root", secret, "innograph"))
    assert safe_uri(f"bolt://root:{secret}@host:7687") == "bolt://host:7687"
    with pytest.raises(StoreUnavailable, match="unsupported URI scheme 'http'"):
        Neo4jStore(bolt_settings("http://127.0.0.1:7474", "root", secret, "innograph")).stats()


def test_unreachable_server_gives_one_cli_line_and_a_503(
    monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    from api.app import create_app
    from api.cli import main

    port = free_port()
    monkeypatch.setenv("INNOGRAPH_NEO4J_PASSWORD", "hunter2-secret")
    with pytest.raises(SystemExit) as e:
        main(["stats", "--store", "neo4j", "--neo4j-uri", f"bolt://127.0.0.1:{port}"])
    err = capsys.readouterr().err
    assert e.value.code == 1 and err.count("\n") == 1
    assert err.startswith(
        f"innograph: error: Neo4j store bolt://127.0.0.1:{port} (database 'neo4j') unavailable"
    )
    assert "hunter2" not in err
    app = create_app(Settings(store="neo4j", neo4j_uri=f"bolt://127.0.0.1:{port}"))
    r = TestClient(app).get("/stats")
    assert r.status_code == 503 and "unavailable" in r.json()["detail"]


KILLED_LOAD = textwrap.dedent(
    """
    import sys, time
    sys.path.insert(0, sys.argv[1])
    from test_store_contract import fixture_batch
    from graph.settings import Settings
    from graph.store.neo4j import Neo4jStore
    batch = fixture_batch()
    store = Neo4jStore(Settings())
    with store.writer() as w:
        w.upsert_counties(batch.counties)
        w.upsert_themes(batch.themes)
        w.upsert_actors(batch.actors)
        w.upsert_projects(batch.projects)
        print("half way", flush=True)
        time.sleep(120)
        w.upsert_participations(batch.participations)
    """
)


@pytest.mark.bolt
@pytest.mark.integration
def test_killed_load_leaves_nothing_and_a_rerun_completes_it(bolt: Neo4jStore, arcadedb: BoltServer) -> None:  # noqa: F811
    env = dict(
        os.environ,
        INNOGRAPH_STORE="neo4j",
        INNOGRAPH_NEO4J_URI=arcadedb.uri,
        INNOGRAPH_NEO4J_USER=arcadedb.user,
        INNOGRAPH_NEO4J_PASSWORD=arcadedb.password,
        INNOGRAPH_NEO4J_DATABASE=arcadedb.database,
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", KILLED_LOAD, str(Path(__file__).parent)],
        env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line == b"half way\n", proc.stderr.read() if proc.stderr else b""
        assert counts(bolt) == (0, 0, 0)  # nothing visible while the transaction is open
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    assert counts(bolt) == (0, 0, 0)  # the server rolled the open transaction back
    report = commit(bolt, fixture_batch())
    assert (report.actors.created, report.participations.created) == (7, 10)
    assert counts(bolt) == (7, 4, 10)
    commit(bolt, fixture_batch())
    assert counts(bolt) == (7, 4, 10)


# -- docker-compose -----------------------------------------------------------------------------
def test_docker_compose_runs_the_api_on_neo4j() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text("utf-8"))
    neo = compose["services"]["neo4j"]
    assert neo["image"].startswith("neo4j:5.")
    env = neo["environment"]
    assert env["NEO4J_AUTH"] == "neo4j/${NEO4J_PASSWORD:?set NEO4J_PASSWORD}"
    assert "cypher-shell" in " ".join(neo["healthcheck"]["test"]) and "RETURN 1" in " ".join(
        neo["healthcheck"]["test"]
    )
    volumes = [v.split(":")[0] for v in neo["volumes"]]
    assert all(v in compose["volumes"] for v in volumes) and len(volumes) >= 2
    api = compose["services"]["api"]
    assert api["environment"]["INNOGRAPH_STORE"] == "neo4j"
    assert api["environment"]["INNOGRAPH_NEO4J_URI"] == "bolt://neo4j:7687"
    assert "NEO4J_PASSWORD" in api["environment"]["INNOGRAPH_NEO4J_PASSWORD"]
    assert api["depends_on"]["neo4j"]["condition"] == "service_healthy"


@pytest.mark.bolt
@pytest.mark.integration
def test_real_interreg_ingest_is_identical_through_both_stores(
    request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    from ingest.loaders import LOADERS

    if "interreg" not in LOADERS:
        pytest.skip("the Interreg loader is not registered in ingest.loaders.LOADERS")
    path = shared_data("interreg", "swedish-partners-interreg-2021-2027.json")
    stores = [open_backend(request, tmp_path, k, batch_size=500) for k in ("sqlite", "bolt")]
    reports = []
    for s in stores:
        commit(s, load_registry())
        reports.append(commit(s, LOADERS["interreg"](path)).as_dict())
    a, b = stores
    before = b.stats()
    again = commit(b, LOADERS["interreg"](path))
    assert again.actors.created == again.projects.created == again.participations.created == 0
    assert b.stats() == before  # re-ingest through Bolt changes nothing
    assert reports[0] == reports[1]
    assert a.stats().model_dump_json() == b.stats().model_dump_json()
    assert a.stats().participations == 1194  # 17 from the registry, 1177 from the partner list
    ga, gb = a.to_networkx(), b.to_networkx()
    assert list(ga.nodes(data=True)) == list(gb.nodes(data=True))
    assert list(ga.edges(data=True)) == list(gb.edges(data=True))
    assert analysis_json(a, "counties") == analysis_json(
        b, "counties"
    )  # what `analyze counties --json` prints
    for s in stores:
        s.close()


def analysis_json(store: GraphStore, name: str) -> str:
    from api.cli import to_jsonable
    from graph.analysis import run_analysis

    return json.dumps(to_jsonable(run_analysis(store, name)), ensure_ascii=False, indent=2)


@pytest.mark.bolt
@pytest.mark.integration
def test_transient_error_replays_the_open_transaction(
    bolt: Neo4jStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    from neo4j.exceptions import ServiceUnavailable

    from graph.store.neo4j import Neo4jWriter

    real_write = Neo4jWriter._write
    failures = []

    def flaky(self: Neo4jWriter, query: str, rows: list[dict[str, Any]], name: str = "rows") -> None:
        if query == cypher.merge_nodes("Project") and not failures:  # once, after actors were written
            failures.append(query)
            raise ServiceUnavailable("connection reset by peer")
        real_write(self, query, rows, name)

    monkeypatch.setattr(Neo4jWriter, "_write", flaky)
    report = commit(bolt, fixture_batch())
    assert failures and (report.actors.created, report.projects.created) == (7, 4)
    assert counts(bolt) == (7, 4, 10)  # replayed once into a fresh transaction, nothing doubled
    assert len(bolt.lookup_keys(["pic:999897719", "cordis:999000001"])) == 2


def test_open_store_picks_neo4j_without_connecting() -> None:
    from graph.store import open_store

    s = open_store(Settings(store="neo4j", neo4j_uri=f"bolt://127.0.0.1:{free_port()}"))
    assert isinstance(s, Neo4jStore) and s._driver is None  # nothing happens until first use
    s.close()


@pytest.mark.bolt
@pytest.mark.integration
def test_api_serves_the_bolt_store(bolt: Neo4jStore, tmp_path: Path) -> None:
    from api.app import create_app

    commit(bolt, fixture_batch())
    embedded = SqliteStore(tmp_path / "api.db")
    embedded.init_schema()
    commit(embedded, fixture_batch())
    answers = []
    for s in (bolt, embedded):
        client = TestClient(create_app(bolt.settings, store=s))
        answers.append([client.get(u).json() for u in ("/stats", "/actors?q=hogskola", f"/actors/{BTH}")])
    assert answers[0] == answers[1]
    assert answers[0][0]["participations"] == 10


@pytest.mark.bolt
@pytest.mark.integration
def test_version_never_repeats_after_the_database_is_emptied(bolt: Neo4jStore) -> None:
    commit(bolt, fixture_batch())
    before = bolt.version()
    wipe(bolt.settings)
    bolt.init_schema()
    commit(bolt, fixture_batch())
    assert bolt.version() > before  # analysis caches keyed by version cannot serve the old graph


# -- the store never holds a value its own model refuses on read (property test) ------------------------
_TEXT = st.text(max_size=30)  # any code point but surrogates: control characters, RTL overrides, NUL, …
_AMOUNT = st.one_of(
    st.none(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(10**14), max_value=10**14),
)
_ROUNDTRIP_N = iter(range(10**9))


def _or_none(build: Any) -> Any:
    """The record, or None when the model refuses the values (then nothing may be written either)."""
    try:
        return build()
    except ValidationError:
        return None


@given(
    name=_TEXT,
    aliases=st.lists(_TEXT, max_size=3),
    city=st.one_of(st.none(), _TEXT),
    title=_TEXT,
    objective=st.one_of(st.none(), st.text(max_size=60)),
    budget=_AMOUNT,
    contribution=_AMOUNT,
    pic=st.one_of(st.none(), st.text(alphabet="0123456789²³٣", min_size=5, max_size=13)),
)
@settings(
    max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True, database=None
)
def test_what_the_model_accepts_reads_back_unchanged(
    store: GraphStore,
    name: str,
    aliases: list[str],
    city: str | None,
    title: str,
    objective: str | None,
    budget: Any,
    contribution: Any,
    pic: str | None,
) -> None:
    n = next(_ROUNDTRIP_N)
    actor = _or_none(lambda: Actor(id=f"prop:a{n}", name=name, aliases=aliases, city=city, pic=pic))
    project = _or_none(
        lambda: Project(
            id=f"prop:p{n}",
            title=title,
            objective=objective,
            programme="Property",
            budget=None if budget is None else Money(amount=budget, currency="EUR"),
        )
    )
    part = _or_none(
        lambda: Participation(
            actor_id=f"prop:a{n}",
            project_id=f"prop:p{n}",
            contribution=None if contribution is None else Money(amount=contribution, currency="SEK"),
        )
    )
    for record in (actor, project, part):
        if record is not None:  # the model's own round trip: what it writes, it reads
            assert type(record).model_validate_json(record.model_dump_json()) == record
    with store.writer() as w:
        if actor is not None:
            w.upsert_actors([actor])
        if project is not None:
            w.upsert_projects([project])
        if actor is not None and project is not None and part is not None:
            w.upsert_participations([part])
    if actor is not None:
        assert store.get_actor(actor.id) == actor
    if project is not None:
        assert store.get_project(project.id) == project
    if actor is not None and project is not None and part is not None:
        assert store.participations(actor_id=actor.id) == [part]
    # and nothing stored anywhere is refused on read
    from graph.repair import inspect

    _n, findings, _fixed = inspect(store.raw_records())
    assert findings == []
