"""Funding on the real shared data: the Horizon Europe totals equal sums redone from the CORDIS files.

The default run loads the Horizon Europe projects with a South Swedish participant (all participants)
together with the registry, the SCB agency register and Interreg, so that entity resolution merges
CORDIS organisations with actors from other sources; the totals per county must still equal the
csv-module sums over `organization.csv` by `nutsCode`: resolution and merging may neither double count
nor drop a participation's amount. The slow test does the same on the full download.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

import pytest
from conftest import shared_data

from graph.analysis.funding import funding, funding_facts, store_facts
from graph.analysis.scope import Scope
from graph.geo import COUNTIES
from graph.store.sqlite import SqliteStore
from ingest.agencies import load_agencies
from ingest.cordis import load_cordis
from ingest.interreg import load_interreg
from ingest.pipeline import commit
from ingest.registry import load_registry

csv.field_size_limit(10**9)
NUTS_TO_COUNTY = {c.nuts3: code for code, c in COUNTIES.items()}


def csv_sums(organization_csv: Path, projects: set[str] | None = None) -> dict[str, float]:
    """EC contribution per Swedish county, redone with the csv module exactly as check 12 does."""
    sums: dict[str, float] = defaultdict(float)
    with organization_csv.open(encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f, delimiter=";"):
            if projects is not None and r["projectID"] not in projects:
                continue
            code = NUTS_TO_COUNTY.get(r["nutsCode"])
            if code and r["ecContribution"] not in ("", "NA"):
                sums[code] += float(r["ecContribution"])
    return dict(sums)


def swedish_subset(src: Path, dst: Path) -> set[str]:
    """The real Horizon Europe projects with a South Swedish participant or one CORDIS places only in
    "SE" (no county), with all their participants and files' rows."""
    dst.mkdir()
    with (src / "organization.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f, delimiter=";"))
    header = rows[0]
    pid, nuts = header.index("projectID"), header.index("nutsCode")
    keep = {r[pid] for r in rows[1:] if r[nuts][:4] in ("SE21", "SE22", "SE23") or r[nuts] == "SE"}
    for name in ("organization.csv", "project.csv", "topics.csv", "legalBasis.csv"):
        if not (src / name).exists():
            continue
        with (src / name).open(encoding="utf-8", newline="") as f:
            table = list(csv.reader(f, delimiter=";"))
        col = table[0].index("projectID") if "projectID" in table[0] else table[0].index("id")
        with (dst / name).open("w", encoding="utf-8", newline="") as f:
            w = csv.writer(f, delimiter=";", quoting=csv.QUOTE_ALL)
            w.writerow(table[0])
            w.writerows(r for r in table[1:] if r[col] in keep)
    return keep


def _check_counties(store: SqliteStore, want: dict[str, float]) -> None:
    facts = funding_facts(store.iter_actors(), store.iter_projects(), store.iter_participations())
    for code in sorted(COUNTIES):
        got = funding(facts, Scope(counties=(code,), programme=("Horizon Europe",))).total.eur
        assert got == pytest.approx(want.get(code, 0.0), abs=0.05), COUNTIES[code].name


@pytest.mark.integration
def test_horizon_europe_county_totals_equal_the_csv_sums_after_resolution(tmp_path: Path) -> None:
    he = shared_data("cordis", "horizon-europe-2021-2024")
    keep = swedish_subset(he, tmp_path / "he")
    s = SqliteStore(tmp_path / "g.db")
    s.init_schema()
    commit(s, load_registry())
    commit(s, load_agencies(shared_data("sweden", "myndighetsregister-scb.json")))
    commit(s, load_interreg(shared_data("interreg", "swedish-partners-interreg-2021-2027.json")))
    report = commit(s, load_cordis(tmp_path / "he"))
    assert report.merges, "the test is meant to exercise entity resolution"
    want = csv_sums(he / "organization.csv", keep)
    assert want["10"] == pytest.approx(3_589_984.5)  # Blekinge, as check 12 recomputes it
    _check_counties(s, want)
    commit(s, load_cordis(tmp_path / "he"))  # a re-run changes nothing
    _check_counties(s, want)
    facts, _names = store_facts(s)
    r = funding(facts, Scope(counties=("10",)))
    assert {t.key for t in r.by_programme} >= {"Horizon Europe", "Interreg"}
    assert all(0.0 <= t.unknown_share <= 1.0 for t in r.by_programme)
    s.close()


@pytest.mark.slow
def test_full_horizon_europe_download(tmp_path: Path) -> None:
    he = shared_data("cordis", "horizon-europe-2021-2024")
    s = SqliteStore(tmp_path / "g.db")
    s.init_schema()
    commit(s, load_registry())
    commit(s, load_cordis(he))
    _check_counties(s, csv_sums(he / "organization.csv"))
    s.close()
