"""`innograph serve` started for real, spoken to over HTTP: the foundation's endpoints."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import httpx
import pytest
from api_server import serve_api


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    db = tmp_path_factory.mktemp("api") / "g.db"
    subprocess.run(
        [sys.executable, "-m", "api", "ingest", "registry", "--db", str(db)],
        check=True,
        capture_output=True,
        timeout=60,
    )
    with serve_api(db) as url:
        yield url


def test_actors_lists_seed_actors_with_kind_county_and_sources(server: str) -> None:
    body = httpx.get(f"{server}/actors", params={"limit": 100}).json()
    assert body["total"] == 17
    by_id = {a["id"]: a for a in body["data"]}
    bth = by_id["se:blekinge-tekniska-hogskola"]
    assert bth["kind"] == "university" and bth["county_code"] == "10"
    assert {s["file"] for s in bth["sources"]} == {
        "seeds/002_a8d0cb5c6ac1b87b.txt",
        "seeds/003_495ec228f3af385d.txt",
    }
    assert by_id["se:campus-ljungby"]["county_code"] == "07"


def test_actor_search_and_filters(server: str) -> None:
    body = httpx.get(f"{server}/actors", params={"q": "jonkoping", "kind": "science_park"}).json()
    assert [a["id"] for a in body["data"]] == ["se:science-park-jonkoping"]
    assert httpx.get(f"{server}/actors", params={"limit": 0}).status_code == 422
    bad = httpx.get(f"{server}/actors", params={"county": "99"})
    assert bad.status_code == 422 and "99" in bad.json()["detail"]


def test_actor_and_project_detail(server: str) -> None:
    d = httpx.get(f"{server}/actors/se:region-blekinge").json()
    assert d["actor"]["name"] == "Region Blekinge"
    assert [p["project"]["id"] for p in d["projects"]] == ["seed:kickstart-s3"]
    p = httpx.get(f"{server}/projects/seed:smart-specialisering-s3-smaland-oarna").json()
    assert p["project"]["budget"] == {"amount": 25000000.0, "currency": "SEK"}
    roles = {m["actor"]["id"]: m["role"] for m in p["members"]}
    assert roles["se:tillvaxtverket"] == "financier" and roles["se:campus-ljungby"] == "partner"


def test_unknown_ids_are_404_json(server: str) -> None:
    for path in ("/actors/nope:missing", "/projects/nope:missing"):
        r = httpx.get(server + path)
        assert r.status_code == 404 and "nope:missing" in r.json()["detail"]
