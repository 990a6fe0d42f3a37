"""Issue 21 on the real shared data (all sources): slow, run with `pytest -m slow tests/test_honest_real.py`.

The ego view keeps BTH's strongest Blekinge partners whatever the cap, partial Interreg data never makes
an actor "only own county", and Blekinge–Skåne has one observed/expected figure everywhere.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import shared_data

from graph.analysis import Scope, run_analysis
from graph.report import county_report
from graph.store.sqlite import SqliteStore
from ingest.loaders import LOADERS
from ingest.pipeline import commit
from ingest.registry import load_registry

pytestmark = [pytest.mark.slow, pytest.mark.integration]
BTH = "se:blekinge-tekniska-hogskola"


@pytest.fixture(scope="module")
def real(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SqliteStore]:
    sources = [
        ("cordis", shared_data("cordis", "h2020-2014-2018")),
        ("cordis", shared_data("cordis", "horizon-europe-2021-2024")),
        ("interreg", shared_data("interreg", "swedish-partners-interreg-2021-2027.json")),
        ("erdf", shared_data("sweden", "erdf-2014-2020-projektbanken-2016-10.json")),
    ]
    store = SqliteStore(Path(tmp_path_factory.mktemp("honest")) / "g.db")
    store.init_schema()
    commit(store, load_registry())
    for kind, path in sources:
        commit(store, LOADERS[kind](path))
    yield store
    store.close()


@pytest.mark.parametrize("cap", [150, 40, 12])
def test_bth_ego_view_keeps_its_strongest_blekinge_partners(real: SqliteStore, cap: int) -> None:
    nb = real.neighbourhood(BTH, depth=1, max_actors=cap)
    names = {a.name for a in nb.actors}
    assert {"Blue Science Park", "Almi Blekinge", "Region Blekinge"} <= names, sorted(names)[:20]
    two = real.neighbourhood(BTH, depth=2, max_actors=cap)
    assert 2 in two.hops.values()


def test_partial_interreg_data_is_never_only_own_county(real: SqliteStore) -> None:
    r = run_analysis(real, "isolated", Scope(counties=("10",)))
    own = {i.actor_id for i in r.only_own_county}
    assert not own & {"se:almi-blekinge", "se:techtank"}
    apart = {i.actor_id for i in r.partners_not_in_data}
    assert {"se:almi-blekinge", "se:techtank"} <= apart
    assert "Interreg" in r.partial_sources and "ERDF" in r.partial_sources


def test_blekinge_skane_has_one_figure(real: SqliteStore) -> None:
    cli = next(p for p in run_analysis(real, "counties", Scope()).pairs if (p.a, p.b) == ("10", "12"))
    rep = next(r for r in county_report(real, "10").county_pairs if r["county"] == "12")
    assert (rep["observed"], rep["expected"], rep["ratio"]) == (
        cli.shared_projects,
        cli.expected_projects,
        cli.ratio_projects,
    )
