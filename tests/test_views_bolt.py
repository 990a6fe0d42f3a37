"""The views and the API over the Neo4j store (ArcadeDB's Bolt server, started by tests/bolt_server.py):
the same pages as over SQLite, node for node and link for link."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from bolt_server import BoltServer, arcadedb  # noqa: F401  (arcadedb is a fixture)
from fastapi.testclient import TestClient
from viewdata import BTH, load

from api.app import create_app
from graph.settings import Settings
from graph.store.neo4j import Neo4jStore
from graph.store.sqlite import SqliteStore

pytestmark = pytest.mark.bolt

PAGES = [
    f"/views/actor/{BTH}",
    f"/views/actor/{BTH}?depth=2",
    "/views/actor/x:evil",
    "/views/theme/po:PO1",
    "/views/counties",
    "/views/isolated?county=10",
    "/views/partners?members=x:evil,se:region-skane",
]


def graph_of(html: str) -> dict[str, Any]:
    m = re.search(r'<script type="application/json" id="graph-data">(.*?)</script>', html, re.S)
    assert m
    data = json.loads(m.group(1))
    return {
        "nodes": sorted(json.dumps(n, sort_keys=True) for n in data["nodes"]),
        "edges": sorted(json.dumps(e, sort_keys=True) for e in data["edges"]),
    }


@pytest.fixture
def clients(arcadedb: BoltServer, tmp_path: Path) -> Iterator[tuple[TestClient, TestClient]]:  # noqa: F811
    import neo4j

    bolt = Settings(
        store="neo4j",
        neo4j_uri=arcadedb.uri,
        neo4j_user=arcadedb.user,
        neo4j_password=arcadedb.password,
        neo4j_database=arcadedb.database,
    )
    auth = (arcadedb.user, arcadedb.password)
    with neo4j.GraphDatabase.driver(arcadedb.uri, auth=auth) as d, d.session(database=arcadedb.database) as s:
        s.run("MATCH (n) DETACH DELETE n").consume()
    nstore = Neo4jStore(bolt)
    load(nstore)
    sstore = SqliteStore(tmp_path / "g.db")
    load(sstore)
    with (
        TestClient(create_app(bolt, store=nstore)) as nc,
        TestClient(create_app(Settings(db=tmp_path / "g.db"), store=sstore)) as sc,
    ):
        yield nc, sc
    nstore.close()
    sstore.close()


def test_views_are_the_same_over_bolt_and_sqlite(clients: tuple[TestClient, TestClient]) -> None:
    bolt, sqlite = clients
    for path in PAGES:
        a, b = bolt.get(path), sqlite.get(path)
        assert a.status_code == b.status_code == 200, path
        assert graph_of(a.text) == graph_of(b.text), path
    assert 'data-nodes="6" data-edges="9"' in bolt.get(f"/views/actor/{BTH}").text


def test_api_over_bolt(clients: tuple[TestClient, TestClient]) -> None:
    bolt, sqlite = clients
    for path in ("/actors?q=blekinge", f"/actors/{BTH}", "/counties", "/stats", "/analysis/counties"):
        a, b = bolt.get(path), sqlite.get(path)
        assert a.status_code == b.status_code == 200, path
        if path != f"/actors/{BTH}":  # measures may still be computing on one of them
            assert a.json() == b.json(), path
    assert bolt.get("/actors/nope:missing").status_code == 404
