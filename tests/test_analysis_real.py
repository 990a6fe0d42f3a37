"""Facts that must hold on the real data: the registry plus Interreg 2021–2027, loaded by the loaders.

Each fact is checked against the store's own records (participations), not against the graph code.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import shared_data

from graph.analysis import Scope, run_analysis
from graph.geo import SOUTH_SWEDEN
from graph.projection import rollup
from graph.store.sqlite import SqliteStore
from ingest.loaders import LOADERS
from ingest.pipeline import commit
from ingest.registry import load_registry

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def real(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SqliteStore]:
    path = shared_data("interreg", "swedish-partners-interreg-2021-2027.json")
    store = SqliteStore(Path(tmp_path_factory.mktemp("real")) / "g.db")
    store.init_schema()
    commit(store, load_registry())
    commit(store, LOADERS["interreg"](path))
    yield store
    store.close()


def _partners(store: SqliteStore, actor_id: str) -> set[str]:
    out: set[str] = set()
    for p in store.participations(actor_id=actor_id):
        out |= {q.actor_id for q in store.participations(project_id=p.project_id)}
    out.discard(actor_id)
    return out


def _partial(store: SqliteStore, actor_id: str) -> bool:
    pids = [p.project_id for p in store.participations(actor_id=actor_id)]
    return any(not p.members_complete for p in store.get_projects(pids).values())


def test_only_own_county_actors_really_have_no_partner_outside(real: SqliteStore) -> None:
    r = run_analysis(real, "isolated", Scope())
    for item in r.only_own_county:
        partners = real.get_actors(_partners(real, item.actor_id))
        assert partners, item.actor_id
        assert {a.county_code for a in partners.values()} == {item.county_code}, item.actor_id
        assert not _partial(real, item.actor_id), item.actor_id
    # The Interreg list names Swedish partners only: local-only partners there are counted apart.
    assert r.counts["partners_not_in_data"] >= 5
    for item in r.partners_not_in_data:
        assert _partial(real, item.actor_id), item.actor_id
        partners = real.get_actors(_partners(real, item.actor_id))
        assert {a.county_code for a in partners.values()} <= {item.county_code}, item.actor_id
        assert "not in the data" in item.reason


def test_no_collaboration_actors_really_have_no_partner(real: SqliteStore) -> None:
    r = run_analysis(real, "isolated", Scope())
    for item in r.no_collaboration:
        assert _partners(real, item.actor_id) == set()
        assert item.county_code in SOUTH_SWEDEN
        assert not _partial(real, item.actor_id), item.actor_id
    alone = [i for i in r.partners_not_in_data if not _partners(real, i.actor_id)]
    assert alone and all("no partner in the data" in i.reason for i in alone)


def test_blekinge_in_the_county_matrix_with_consistent_counts(real: SqliteStore) -> None:
    r = run_analysis(real, "counties", Scope())
    rows = {c.code: c for c in r.counties}
    assert rows["10"].name == "Blekinge län" and rows["10"].actors > 5 and rows["10"].projects > 5
    pairs = {(p.a, p.b): p for p in r.pairs}
    assert len(pairs) == 21
    for p in pairs.values():
        # a project shared by two counties counts in each county's total
        assert p.shared_projects <= min(rows[p.a].projects, rows[p.b].projects)
        if p.expected_projects:
            assert p.ratio_projects == pytest.approx(p.shared_projects / p.expected_projects, rel=1e-5)


def test_centrality_lists_every_south_swedish_actor(real: SqliteStore) -> None:
    r = run_analysis(real, "centrality", Scope())
    by_county = real.stats().actors_by_county
    actors = list(real.iter_actors())
    units = rollup(actors)  # a unit counts for its parent legal entity, not as an actor of its own
    south_units = sum(1 for a in actors if a.id in units and a.county_code in SOUTH_SWEDEN)
    assert (
        south_units > 0
    )  # Interreg's "Ängelholms sjukhus, Region Skåne", "Hovdala Castle, Hässleholm municipality", …
    assert r.total == sum(by_county.get(c, 0) for c in SOUTH_SWEDEN) - south_units
    assert r.rows[0].betweenness >= r.rows[-1].betweenness
    top = r.rows[0]
    assert top.degree == len(_partners(real, top.actor_id))


def test_themes_cover_the_s3_areas_of_the_registry(real: SqliteStore) -> None:
    r = run_analysis(real, "themes", Scope())
    ids = {t.theme_id for t in r.themes}
    assert "s3:blekinge:tech" in ids and "po:PO1" in ids
    for t in r.themes:
        assert sorted(t.counties_present + t.counties_missing) == sorted(SOUTH_SWEDEN)
