"""The partner finder on the real CORDIS extracts in ../shared/data (skipped when absent)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from conftest import shared_data

from graph.partners import PartnerIndex, PartnerQuery, find_partners
from graph.store.sqlite import SqliteStore
from ingest.cordis import load_cordis
from ingest.pipeline import commit

# eval/ is a folder of scripts run from the checkout (python -m eval.partners.backtest), not an
# installed package: make the checkout importable for this module.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from eval.partners.backtest import evaluate, hide, read_cordis, split
from graph.partners import find

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def h2020() -> object:
    return read_cordis(shared_data("cordis", "h2020-2014-2018"))


def test_h2020_extract_counts(h2020: object) -> None:
    # The counts the data README gives for the extract.
    assert len(h2020.actors) == 27_411  # type: ignore[attr-defined]
    assert len(h2020.projects) == 20_073  # type: ignore[attr-defined]
    assert len(h2020.participations) == 91_334  # type: ignore[attr-defined]


def test_backtest_sample_beats_both_baselines(h2020: object) -> None:
    index, cases, history = split(h2020)  # type: ignore[arg-type]
    assert len(index.projects) == 10_030  # started 2014–2016
    assert len(cases) == 2_660  # 2017–2018 consortia with ≥ 3 members known in training
    r = evaluate(index, hide(cases, history, 300, seed=7))
    finder, active, aa = (r[m]["all"] for m in ("finder", "most_active_in_topic", "adamic_adar"))
    assert finder["n"] == 300
    assert finder["hit@10"] >= 1.3 * max(active["hit@10"], aa["hit@10"])
    assert finder["mrr"] > max(active["mrr"], aa["mrr"])
    assert r["finder"]["little_history"]["hit@10"] > r["adamic_adar"]["little_history"]["hit@10"]


def test_real_consortium_query_explains_every_candidate(h2020: object) -> None:
    d = h2020
    index = PartnerIndex(d.actors.values(), d.projects.values(), d.participations)  # type: ignore[attr-defined]
    # Lund University (by PIC), Blekinge Tekniska Högskola (by name), one unknown PIC; programme part SC5.
    q = PartnerQuery(
        members=["pic:999901318", "BLEKINGE TEKNISKA HOGSKOLA", "cordis:111"],
        programme_parts=["SC5"],
        min_countries=4,
    )
    res = find(index, q)
    assert [m.actor_id for m in res.members] == ["cordis:999901318", "cordis:999589172"]
    assert res.unknown_members == ["cordis:111"]
    assert len(res.partners) == 10
    for c in res.partners:
        assert any(r.startswith("track record:") for r in c.reasons)
        assert c.identifiers["pic"] == c.actor_id.removeprefix("cordis:")
        assert c.worked_with or c.path  # each top candidate is within two hops of Lund or BTH
    assert res.gaps.countries_needed == 3
    assert len(res.gaps.cover) == 3 and res.gaps.unfilled == []


@pytest.mark.slow
def test_horizon_europe_free_text_finds_marine_organisations(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "he.db")
    store.init_schema()
    commit(store, load_cordis(shared_data("cordis", "horizon-europe-2021-2024")))
    res = find_partners(store, PartnerQuery(topic="marine robotics for healthy oceans", top=10))
    marine = ("MAR", "OCEAN", "SEA", "ZEE", "MEER", "MER")
    hits = [c for c in res.partners if any(w in c.name.upper() for w in marine)]
    assert len(hits) >= 4, [c.name for c in res.partners]
    assert all(c.topic_projects for c in res.partners)
    store.close()
