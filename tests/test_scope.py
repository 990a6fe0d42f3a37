"""The one scope (issue 15 item 1): one parser, the same answers from the CLI and over HTTP."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from api.app import create_app
from api.cli import cli
from graph.analysis.scope import YEAR_MAX, YEAR_MIN, Scope
from graph.errors import InvalidInput
from graph.geo import SOUTH_SWEDEN
from graph.settings import Settings
from graph.store.sqlite import SqliteStore
from ingest.pipeline import commit
from ingest.registry import load_registry


def test_parse_defaults_lists_and_all() -> None:
    default = Scope.parse()
    assert default.counties == SOUTH_SWEDEN and not default.counties_named and default.graph_counties == ()
    named = Scope.parse(["12, 10", "10"], ["Interreg", "Interreg"], [" s3:blekinge:tech "], 2015, 2020)
    assert named.counties == ("10", "12") and named.graph_counties == ("10", "12")
    assert named.programme == ("Interreg",) and named.theme == ("s3:blekinge:tech",)
    everyone = Scope.parse(["all"])
    assert everyone.counties == () and everyone.counties_named
    # The default and an explicit South Sweden are one scope for caches.
    assert Scope.parse() == Scope.parse(list(SOUTH_SWEDEN)) == Scope()
    assert hash(Scope.parse()) == hash(Scope())
    assert "Blekinge" in named.text() and "2015–2020" in named.text()


def test_one_county_list_reader_for_scope_partners_and_calls() -> None:
    """Scope, the partner query's favoured counties and the calls' region read a county list alike."""
    from graph.calls import parse_counties
    from graph.geo import county_codes
    from graph.partners.query import PartnerQuery

    assert county_codes(["10,12", " south-sweden "]) == SOUTH_SWEDEN
    assert county_codes(["ALL", "10"]) is None and county_codes([]) == ()
    assert Scope.parse(["South-Sweden"]).counties == SOUTH_SWEDEN == tuple(parse_counties(["south"]))
    assert PartnerQuery(favour_counties=["10", "south-sweden"]).favour_counties == list(SOUTH_SWEDEN)
    assert parse_counties([]) == list(SOUTH_SWEDEN) and parse_counties(["10"]) == ["10"]
    for bad in (lambda: parse_counties(["all"]), lambda: county_codes(["99"]), lambda: Scope.parse(["9"])):
        with pytest.raises(InvalidInput, match="unknown county code"):
            bad()
    with pytest.raises(ValueError, match="unknown county code 'all'"):
        PartnerQuery(favour_counties=["all"])


@pytest.mark.parametrize(
    "kwargs",
    [
        {"counties": ["99"]},
        {"start_year": YEAR_MIN - 1},
        {"end_year": YEAR_MAX + 1},
        {"start_year": 2020, "end_year": 2010},
    ],
)
def test_parse_rejects_bad_input(kwargs: dict[str, object]) -> None:
    with pytest.raises(InvalidInput):
        Scope.parse(**kwargs)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    path = tmp_path_factory.mktemp("scope") / "g.db"
    s = SqliteStore(path)
    s.init_schema()
    commit(s, load_registry())
    s.close()
    yield path


@pytest.mark.parametrize("year", [YEAR_MIN - 1, YEAR_MAX + 1])
def test_cli_and_api_share_the_year_bounds(db: Path, year: int) -> None:
    for args in (["analyze", "counties"], ["export", "tables", "--out", str(db.parent / "t.xlsx")]):
        r = CliRunner().invoke(cli, [*args, "--from", str(year), "--db", str(db)])
        assert r.exit_code == 2, r.output
    store = SqliteStore(db)
    with TestClient(create_app(Settings(db=db), store=store)) as c:
        for url in ("/analysis/counties", "/export/tables.xlsx", "/views/counties"):
            assert c.get(url, params={"from": year}).status_code == 422, url
        ok = c.get("/analysis/counties", params={"from": YEAR_MIN, "county": "10,12"})
        assert ok.status_code == 200
        assert ok.json()["scope"]["counties"] == ["10", "12"]
    store.close()


def test_cli_and_api_read_counties_alike(db: Path) -> None:
    r = CliRunner().invoke(cli, ["analyze", "counties", "--county", "12,10", "--json", "--db", str(db)])
    assert r.exit_code == 0, r.output
    store = SqliteStore(db)
    with TestClient(create_app(Settings(db=db), store=store)) as c:
        body = c.get("/analysis/counties", params=[("county", "12"), ("county", "10")]).json()
    store.close()
    assert json.loads(r.output)["scope"] == body["scope"]
