"""The embedded store on a real file: idempotent ingest, rollback, search, neighbourhood, projection."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from graph.errors import InvalidInput, NotFound, StoreUnavailable
from graph.model import Actor, Participation, Project, Role, SourceRef
from graph.projection import collaboration_graph, project_node
from graph.store import ActorFilter
from graph.store.sqlite import SqliteStore
from ingest.pipeline import SourceBatch, commit
from ingest.registry import load_registry


def counts(store: SqliteStore) -> tuple[int, int, int]:
    s = store.stats()
    return s.actors, s.projects, s.participations


def test_registry_ingest_is_idempotent(store: SqliteStore) -> None:
    first = commit(store, load_registry())
    assert first.actors.created == 17 and first.projects.created == 2 and first.participations.created == 17
    before = counts(store)
    second = commit(store, load_registry())
    assert second.actors.created == 0 and second.actors.merged == 17
    assert counts(store) == before == (17, 2, 17)
    assert [a.model_dump() for a in store.iter_actors()] == [a.model_dump() for a in store.iter_actors()]


def test_data_survives_reopening_the_file(tmp_path: Path) -> None:
    s = SqliteStore(tmp_path / "g.db")
    commit(s, load_registry())
    s.close()
    again = SqliteStore(tmp_path / "g.db")
    assert counts(again) == (17, 2, 17)
    assert again.get_actor("se:techtank").name == "Techtank"
    again.close()


def test_failing_ingest_leaves_store_unchanged(registry_store: SqliteStore) -> None:
    before = counts(registry_store)
    version = registry_store.version()
    batch = SourceBatch(source="csv")
    batch.actors.append(Actor(id="csv:new", name="New Actor AB", country="SE"))
    batch.projects.append(Project(id="csv:p", title="P", programme="other"))
    # the second participation names an actor nobody loaded: the whole source must roll back
    batch.participations += [
        Participation(actor_id="csv:new", project_id="csv:p"),
        Participation(actor_id="csv:ghost", project_id="csv:p"),
    ]
    with pytest.raises(InvalidInput, match="csv:ghost"):
        commit(registry_store, batch)
    assert counts(registry_store) == before
    assert registry_store.version() == version
    with pytest.raises(NotFound):
        registry_store.get_actor("csv:new")


def test_search_ignores_accents_case_and_swedish_letters(registry_store: SqliteStore) -> None:
    found, total = registry_store.search_actors("hogskola")
    assert [a.id for a in found] == ["se:blekinge-tekniska-hogskola"] and total == 1
    found, _ = registry_store.search_actors("TRACENTRUM nassjo")
    assert [a.id for a in found] == ["se:tracentrum-nassjo-kompetensutveckling"]
    found, _ = registry_store.search_actors("Institute of Technology")  # an alias
    assert [a.id for a in found] == ["se:blekinge-tekniska-hogskola"]


def test_search_filters(registry_store: SqliteStore) -> None:
    found, total = registry_store.search_actors("", ActorFilter(county=("06",)))
    assert total == 3
    assert {a.id for a in found} == {
        "se:region-jonkopings-lan",
        "se:science-park-jonkoping",
        "se:tracentrum-nassjo-kompetensutveckling",
    }
    found, _ = registry_store.search_actors("science park", ActorFilter(county=("10",)))
    assert {a.id for a in found} == {"se:netport-science-park", "se:blue-science-park"}
    found, _ = registry_store.search_actors("", ActorFilter(theme=("s3:smaland-oarna:food",), county=("09",)))
    assert {a.id for a in found} == {"se:region-gotland", "se:foreningen-gotlands-forenade-besoksnaring"}
    found, _ = registry_store.search_actors("", ActorFilter(programme=("Horizon 2020",)))
    assert found == []


def test_get_by_any_key(store: SqliteStore) -> None:
    batch = SourceBatch(source="cordis")
    batch.actors.append(
        Actor(
            id="cordis:999589172",
            name="BTH",
            pic="999589172",
            country="SE",
            sources=[SourceRef(source="cordis", record="cordis:999589172")],
        )
    )
    commit(store, batch)
    assert store.get_actor("pic:999589172").id == "cordis:999589172"
    with pytest.raises(NotFound):
        store.get_actor("pic:1")


def _chain_store(store: SqliteStore) -> SqliteStore:
    """a–b share projects p1 and p2; b–c share p3; c–d share p4: a path a-b-c-d with weight 2 on a-b."""
    batch = SourceBatch(source="csv")
    batch.actors = [Actor(id=f"t:{n}", name=n.upper()) for n in "abcde"]
    batch.projects = [Project(id=f"t:p{i}", title=f"P{i}", programme="other") for i in range(1, 5)]
    links = [("a", 1), ("b", 1), ("a", 2), ("b", 2), ("b", 3), ("c", 3), ("c", 4), ("d", 4)]
    batch.participations = [
        Participation(actor_id=f"t:{a}", project_id=f"t:p{p}", role=Role.partner) for a, p in links
    ]
    commit(store, batch)
    return store


def test_projection_weights_count_shared_projects(store: SqliteStore) -> None:
    g = _chain_store(store).to_networkx()
    assert g.nodes["t:a"]["type"] == "actor" and g.nodes[project_node("t:p1")]["type"] == "project"
    c = collaboration_graph(g)
    assert c["t:a"]["t:b"]["weight"] == 2
    assert c["t:b"]["t:c"]["weight"] == 1
    assert not c.has_edge("t:a", "t:c")
    assert "t:e" in c and c.degree("t:e") == 0  # isolated actors stay in the graph


def test_ego_neighbourhood_by_depth_and_cap(store: SqliteStore) -> None:
    _chain_store(store)
    one = store.neighbourhood("t:b", depth=1)
    assert {a.id for a in one.actors} == {"t:a", "t:b", "t:c"}
    assert {p.id for p in one.projects} == {"t:p1", "t:p2", "t:p3"}
    two = store.neighbourhood("t:a", depth=2)
    assert two.hops == {"t:a": 0, "t:b": 1, "t:c": 2}
    capped = store.neighbourhood("t:b", depth=2, max_actors=2)
    assert capped.capped and len(capped.actors) == 2
    assert all(p.actor_id in capped.hops for p in capped.participations)


def test_missing_schema_is_a_clear_error(tmp_path: Path) -> None:
    sqlite3.connect(tmp_path / "empty.db").close()
    with pytest.raises(StoreUnavailable, match="innograph db init"):
        SqliteStore(tmp_path / "empty.db").stats()
    with pytest.raises(StoreUnavailable, match="does not exist"):
        SqliteStore(tmp_path / "nowhere" / "g.db").stats()
