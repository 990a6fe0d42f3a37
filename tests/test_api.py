"""The HTTP API of issue 5 over FastAPI's TestClient: reference data, errors (404/422/503), limits, views."""

from __future__ import annotations

import json
import re
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from viewdata import BTH, HOSTILE, HOSTILE_TITLE, load

from api.app import create_app
from graph.settings import Settings
from graph.store.sqlite import SqliteStore


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    db = tmp_path_factory.mktemp("api5") / "g.db"
    store = SqliteStore(db)
    load(store)
    with TestClient(create_app(Settings(db=db, api_max_page=100, api_max_nodes=50), store=store)) as c:
        yield c
    store.close()


def graph_data(html: str) -> str:
    m = re.search(r'<script type="application/json" id="graph-data">(.*?)</script>', html, re.S)
    assert m, "page carries no graph data"
    return m.group(1)


# -- reference data ---------------------------------------------------------------------------
def test_counties_have_codes_centroids_and_actor_counts(client: TestClient) -> None:
    body = client.get("/counties").json()
    assert len(body) == 21
    by_code = {c["code"]: c for c in body}
    assert by_code["10"]["name"] == "Blekinge län" and by_code["10"]["nuts3"] == "SE221"
    assert by_code["10"]["actors"] == 4 and by_code["07"]["actors"] == 2 and by_code["01"]["actors"] == 0
    assert by_code["10"]["south_sweden"] and not by_code["01"]["south_sweden"]
    assert 14 < by_code["10"]["lon"] < 16.5 and 55.9 < by_code["10"]["lat"] < 56.6


def test_themes_and_kind_filter(client: TestClient) -> None:
    assert [t["id"] for t in client.get("/themes").json()] == ["part:h2020:SC5", "po:PO1"]
    assert [t["id"] for t in client.get("/themes", params={"kind": "policy_objective"}).json()] == ["po:PO1"]
    assert client.get("/themes", params={"kind": "nonsense"}).status_code == 422


def test_stats_counts(client: TestClient) -> None:
    s = client.get("/stats").json()
    assert (s["actors"], s["projects"], s["participations"], s["themes"]) == (8, 4, 11, 2)
    assert s["projects_by_programme"] == {"ERDF": 1, "Horizon 2020": 1, "Interreg": 2}
    assert s["actors_by_country"] == {"DE": 1, "SE": 7}


# -- errors and limits ------------------------------------------------------------------------
def test_unknown_ids_are_404_with_a_message(client: TestClient) -> None:
    for path in ("/actors/nope:missing", "/projects/nope:missing"):
        r = client.get(path)
        assert r.status_code == 404 and r.json() == {"detail": f"no {path.split('/')[1][:-1]} 'nope:missing'"}
    r = client.get("/views/actor/nope:missing")
    assert r.status_code == 404 and "text/html" in r.headers["content-type"] and "nope:missing" in r.text
    assert client.get("/views/theme/po:PO9").status_code == 404
    assert client.get("/static/../../etc/passwd").status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/actors?limit=0",
        "/actors?limit=501",
        "/actors?offset=-1",
        "/actors?kind=dragon",
        "/actors?county=99",
        "/actors?q=" + "x" * 201,
        f"/views/actor/{BTH}?depth=0",
        f"/views/actor/{BTH}?depth=3",
        f"/views/actor/{BTH}?max_nodes=1",
        f"/views/actor/{BTH}?max_nodes=5000",
    ],
)
def test_bad_parameters_are_422(client: TestClient, path: str) -> None:
    r = client.get(path)
    assert r.status_code == 422, r.text
    if path.startswith("/views/"):  # a page answers with a page naming the parameter, with the pages' headers
        assert "text/html" in r.headers["content-type"] and "Content-Security-Policy" in r.headers
        assert path.split("?")[1].split("=")[0] in r.text
    else:
        assert "detail" in r.json()


def test_page_size_is_capped_by_settings(client: TestClient) -> None:
    body = client.get("/actors", params={"limit": 500}).json()
    assert body["limit"] == 100 and body["total"] == 8 and len(body["data"]) == 8


def test_node_count_is_capped_by_settings_with_a_visible_note(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "g.db")
    load(store)
    with TestClient(create_app(Settings(db=tmp_path / "g.db", api_max_nodes=3), store=store)) as c:
        html = c.get(f"/views/actor/{BTH}", params={"max_nodes": 100}).text
    store.close()
    assert 'data-nodes="3"' in html
    assert 'class="note">Capped: showing the first 3 actors' in html


def test_store_in_missing_directory_is_503(tmp_path: Path) -> None:
    missing = tmp_path / "gone" / "g.db"
    with TestClient(create_app(Settings(db=missing))) as c:
        for path in ("/health", "/actors", "/stats", f"/actors/{BTH}", "/counties"):
            r = c.get(path)
            assert r.status_code == 503, path
            assert "does not exist" in r.json()["detail"]
        page = c.get(f"/views/actor/{BTH}")
        assert page.status_code == 503 and "text/html" in page.headers["content-type"]


def test_file_that_is_not_a_database_is_503(tmp_path: Path) -> None:
    bad = tmp_path / "g.db"
    bad.write_text("this is not sqlite " * 100)
    with TestClient(create_app(Settings(db=bad))) as c:
        r = c.get("/actors")
    assert r.status_code == 503 and str(bad) in r.json()["detail"]


def test_closed_store_is_503(tmp_path: Path) -> None:
    # An empty directory: the file opens but has no schema, as when a server loses its database.
    store = SqliteStore(tmp_path / "empty.db")
    with TestClient(create_app(Settings(db=tmp_path / "empty.db"), store=store)) as c:
        r = c.get("/stats")
    store.close()
    assert r.status_code == 503 and "innograph schema" in r.json()["detail"]


def test_bolt_server_that_is_closed_is_503() -> None:
    with socket.socket() as s:  # a port nobody listens on: the server is "down"
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings = Settings(store="neo4j", neo4j_uri=f"bolt://127.0.0.1:{port}", neo4j_password="password1")
    with TestClient(create_app(settings)) as c:
        for path in ("/health", "/actors", f"/actors/{BTH}", "/analysis/counties"):
            r = c.get(path)
            assert r.status_code == 503, path
            assert f"127.0.0.1:{port}" in r.json()["detail"]
        assert c.get("/views/counties").status_code == 503


def test_read_only_no_write_methods(client: TestClient) -> None:
    for path in ("/actors", f"/actors/{BTH}", "/projects", "/counties"):
        assert client.post(path, json={}).status_code == 405
        assert client.delete(path).status_code == 405


def test_openapi_lists_the_resources(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for p in (
        "/actors",
        "/actors/{actor_id}",
        "/projects",
        "/counties",
        "/themes",
        "/stats",
        "/views/actor/{actor_id}",
    ):
        assert p in paths, p
    docs = client.get("/docs")
    assert docs.status_code == 200 and not re.search(r'(src|href)="(https?:)?//', docs.text)
    for asset in re.findall(r'(?:src|href)="(/static/[^"]+)"', docs.text):
        assert client.get(asset).status_code == 200, asset
    assert client.get("/redoc").status_code == 404  # ReDoc would load from a CDN: not served


# -- views ------------------------------------------------------------------------------------
def test_start_page_has_search_overviews_and_no_external_assets(client: TestClient) -> None:
    html = client.get("/").text
    assert (
        'id="search-form"' in html and 'href="/views/counties"' in html and 'href="/views/isolated"' in html
    )
    assert 'href="/views/theme/po%3APO1"' in html
    assert not re.search(r'(src|href)="(https?:)?//', html)
    for asset in re.findall(r'(?:src|href)="(/static/[^"]+)"', html):
        assert client.get(asset).status_code == 200, asset


def test_ego_view_depth_1_and_2_hand_counted(client: TestClient) -> None:
    one = client.get(f"/views/actor/{BTH}").text
    assert 'data-nodes="6" data-edges="9"' in one
    two = client.get(f"/views/actor/{BTH}", params={"depth": 2}).text
    assert 'data-nodes="7" data-edges="11"' in two
    assert "se:region-skane" in graph_data(two) and "se:region-skane" not in graph_data(one)


def test_ego_view_is_offline_and_escapes_names(client: TestClient) -> None:
    r = client.get("/views/actor/x:evil")
    assert "script-src 'self';" in r.headers["content-security-policy"]
    html = r.text
    assert not re.search(r'(src|href)="(https?:)?//', html)
    assert "<img" not in html and "<script>window" not in html
    assert "&lt;img src=x onerror=window.__xss=1&gt;" in html  # the heading shows the name as text
    data = graph_data(html)
    assert "\\u003cimg src=x onerror=window.__xss=1\\u003e" in data  # the tooltip data cannot close a tag
    assert "<" not in data and ">" not in data and "&" not in data
    for asset in re.findall(r'(?:src|href)="(/static/[^"]+)"', html):
        assert client.get(asset).status_code == 200, asset


def test_theme_view_shows_projects_and_actors_with_escaped_titles(client: TestClient) -> None:
    html = client.get("/views/theme/po:PO1").text
    assert 'data-nodes="7" data-edges="5"' in html  # 2 projects + 5 actors; 3 + 2 participations
    assert HOSTILE_TITLE not in html and "\\u003cscript\\u003ewindow.__xss=2" in graph_data(html)
    assert HOSTILE not in client.get("/views/theme/part:h2020:SC5").text


def test_partner_view_draws_consortium_candidates_and_links(client: TestClient) -> None:
    html = client.get("/views/partners", params={"members": "x:evil,se:region-skane", "top": 10}).text
    data = json.loads(graph_data(html))
    shapes = {n["id"]: n["shape"] for n in data["nodes"]}
    assert {k for k, v in shapes.items() if v == "box"} == {"x:evil", "se:region-skane"}
    # Everyone with a project and outside the consortium is a candidate; Ensam AB has no project.
    assert {k for k, v in shapes.items() if v == "dot"} == {
        BTH,
        "se:linneuniversitetet",
        "cordis:999984059",
        "se:region-blekinge",
        "se:region-kronoberg",
    }
    solid = sorted((e["from"], e["to"]) for e in data["edges"] if not e.get("dashes"))
    assert solid == [
        ("cordis:999984059", "x:evil"),
        ("se:blekinge-tekniska-hogskola", "x:evil"),
        ("se:linneuniversitetet", "se:region-skane"),
        ("se:linneuniversitetet", "x:evil"),
        ("se:region-blekinge", "x:evil"),
    ]
    assert [e["from"] for e in data["edges"] if e.get("dashes")] == ["se:region-kronoberg"]
    assert "<img" not in html and HOSTILE not in html


def test_partner_view_bad_kind_is_422(client: TestClient) -> None:
    r = client.get("/views/partners", params={"kind": "dragon"})
    assert r.status_code == 422 and "dragon" in r.text


# -- analysis ---------------------------------------------------------------------------------
def test_actor_detail_carries_hand_computed_measures(client: TestClient) -> None:
    d = client.get(f"/actors/{BTH}").json()
    for _ in range(100):  # the first request may answer "computing" while the analysis runs
        if d["measures_status"] != "computing":
            break
        time.sleep(0.2)
        d = client.get(f"/actors/{BTH}").json()
    assert d["measures_status"] == "ready"
    m = d["measures"]
    # BTH's partners: Linnéuniversitetet, Fraunhofer, the hostile company, Region Blekinge, Region
    # Kronoberg. Shortest paths through BTH (Region Kronoberg–Fraunhofer 1, –Linné 1, –Region Skåne 1,
    # –hostile ½; Region Blekinge–Linné ½, –Fraunhofer ½, –Region Skåne ½) = 5; normalised by 7·6/2.
    assert (m["degree"], m["weighted_degree"], m["component_size"]) == (5, 5.0, 7)
    assert m["betweenness"] == round(5 / 21, 6)
    foreign = client.get("/actors/cordis:999984059").json()
    assert foreign["measures"] is None and foreign["measures_status"] == "not_applicable"


def test_analysis_endpoints_answer_with_their_models(client: TestClient) -> None:
    iso = client.get("/analysis/isolated").json()
    assert [a["actor_id"] for a in iso["no_collaboration"]] == ["se:ensam-ab"]
    assert iso["scope"]["counties"] == ["06", "07", "08", "09", "10", "12", "13"]
    cen = client.get("/analysis/centrality", params={"county": "10", "top": 1}).json()
    assert [r["actor_id"] for r in cen["rows"]] == [BTH]
    counties = client.get("/analysis/counties").json()
    shared = {(p["a"], p["b"]): p["shared_projects"] for p in counties["pairs"] if p["shared_projects"]}
    assert shared == {("07", "10"): 2, ("07", "12"): 1}
    everyone = client.get("/analysis/communities", params={"county": "all"}).json()
    assert everyone["scope"]["counties"] == []
    for name in ("brokerage", "themes"):
        assert (
            client.get(f"/analysis/{name}", params={"programme": "Interreg", "from": 2020}).status_code == 200
        )


@pytest.mark.parametrize(
    "query",
    [
        "/analysis/centrality?county=99",
        "/analysis/centrality?from=2020&to=2010",
        "/analysis/centrality?top=0",
        "/analysis/centrality?top=5000",
        "/analysis/counties?from=1800",
        "/views/counties?county=99",
        "/views/isolated?max_nodes=5",
    ],
)
def test_analysis_bad_scope_is_422(client: TestClient, query: str) -> None:
    assert client.get(query).status_code == 422


def test_unknown_analysis_is_404(client: TestClient) -> None:
    assert client.get("/analysis/nonsense").status_code == 404


def test_county_view_places_counties_geographically_with_fixed_positions(client: TestClient) -> None:
    html = client.get("/views/counties").text
    data = json.loads(graph_data(html))
    assert data["options"]["physics"]["enabled"] is False
    pos = {n["id"]: (n["x"], n["y"]) for n in data["nodes"]}
    assert set(pos) == {"06", "07", "08", "09", "10", "12", "13"}
    assert all(n["fixed"] is True for n in data["nodes"])
    assert pos["13"][0] < pos["10"][0] < pos["09"][0]  # Halland west of Blekinge west of Gotland
    assert pos["06"][1] < pos["07"][1] < pos["12"][1]  # Jönköping north of Kronoberg north of Skåne
    edges = {(e["from"], e["to"]): e for e in data["edges"]}
    assert set(edges) == {("07", "10"), ("07", "12")}
    assert edges[("07", "10")]["shared_projects"] == 2 and edges[("07", "10")]["width"] == 12.0
    assert 'class="legend"' in html and "observed/expected" in html


def test_isolated_view_highlights_flagged_actors_in_their_county(client: TestClient) -> None:
    html = client.get("/views/isolated", params={"county": "10"}).text
    data = json.loads(graph_data(html))
    nodes = {n["id"]: n for n in data["nodes"]}
    assert set(nodes) == {BTH, "se:region-blekinge", "x:evil", "se:ensam-ab"}
    assert [k for k, n in nodes.items() if n["flagged"]] == ["se:ensam-ab"]
    assert nodes["se:ensam-ab"]["category"] == "isolated: no partner"
    assert sorted((e["from"], e["to"]) for e in data["edges"]) == [
        (BTH, "se:region-blekinge"),
        (BTH, "x:evil"),
        ("se:region-blekinge", "x:evil"),
    ]
    assert "Ensam AB" in html and "<img" not in html


def test_search_cache_never_serves_results_of_an_older_version(tmp_path: Path) -> None:
    from graph.model import Actor, ActorKind

    store = SqliteStore(tmp_path / "g.db")
    load(store)
    with TestClient(create_app(Settings(db=tmp_path / "g.db"), store=store)) as c:
        assert c.get("/actors", params={"q": "ensam"}).json()["total"] == 1
        assert c.get("/actors", params={"q": "ensam"}).json()["total"] == 1  # from the cache
        with store.writer() as w:
            w.upsert_actors([Actor(id="se:ensam-tva-ab", name="Ensam Två AB", kind=ActorKind.company)])
        assert c.get("/actors", params={"q": "ensam"}).json()["total"] == 2
    store.close()


def test_ego_view_sizes_by_weighted_degree_and_widths_by_shared_projects(client: TestClient) -> None:
    data = json.loads(graph_data(client.get(f"/views/actor/{BTH}").text))
    size = {n["id"]: n["size"] for n in data["nodes"]}
    # Weighted degree in the view: BTH 5, the other SEAFARE members 3, the Interreg partners 2;
    # mapped linearly onto 10–40.
    assert size[BTH] == 40.0 and size["se:region-kronoberg"] == 10.0 and size["x:evil"] == 20.0
    assert {e["shared_projects"] for e in data["edges"]} == {1} and {e["width"] for e in data["edges"]} == {1}
    tip = next(n["title"] for n in data["nodes"] if n["id"] == BTH)
    assert tip.splitlines()[:3] == [
        "Blekinge Tekniska Högskola",
        "university · Blekinge län",
        "projects in this view: 2",
    ]


@pytest.mark.parametrize("query", ["q=a%00b", "q=%1F", "county=%0B10", "kind%07=x"])
def test_control_characters_in_parameters_are_422(client: TestClient, query: str) -> None:
    r = client.get("/actors?" + query)
    assert r.status_code == 422 and "control character" in r.json()["detail"]
    assert client.get("/actors", params={"q": "tab\tand\nnewline"}).status_code == 200


def test_measures_answer_computing_first_then_ready(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    import api.background
    from graph.analysis import run_analysis

    release = threading.Event()

    def slow_analysis(*args: object, **kwargs: object) -> object:
        release.wait(10)  # a large graph: the analysis outlasts the request's short wait
        return run_analysis(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(api.background, "run_analysis", slow_analysis)
    monkeypatch.setattr(api.background, "MEASURES_WAIT_S", 0.05)
    store = SqliteStore(tmp_path / "g.db")
    load(store)
    with TestClient(create_app(Settings(db=tmp_path / "g.db"), store=store)) as c:
        first = c.get(f"/actors/{BTH}").json()
        assert first["measures_status"] == "computing" and first["measures"] is None
        assert first["actor"]["id"] == BTH and len(first["projects"]) == 2  # the rest is all there
        release.set()
        for _ in range(100):
            d = c.get(f"/actors/{BTH}").json()
            if d["measures_status"] == "ready":
                break
            time.sleep(0.1)
        assert d["measures"]["degree"] == 5
    store.close()


def test_ego_view_lists_direct_partners_as_text_links(client: TestClient) -> None:
    html = client.get("/views/actor/se:region-blekinge").text
    rows = re.findall(
        r'<tr><td><a href="([^"]+)">([^<]*)</a></td><td>([^<]*)</td><td>([^<]*)</td><td>(\d+)</td></tr>', html
    )
    # Region Blekinge: BTH and Region Kronoberg (Interreg), the hostile company (ERDF); one project each.
    assert [(r[1], r[4]) for r in rows] == [
        ("&lt;img src=x onerror=window.__xss=1&gt;", "1"),
        ("Blekinge Tekniska Högskola", "1"),
        ("Region Kronoberg", "1"),
    ]
    assert rows[1][0] == f"/views/actor/{BTH}"


def test_long_analysis_answers_202_with_retry_after_then_the_result(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    import api.background
    from graph.analysis import run_analysis

    release = threading.Event()

    def slow_analysis(*args: object, **kwargs: object) -> object:
        release.wait(10)  # e.g. centrality with county=all on the full data takes minutes
        return run_analysis(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(api.background, "run_analysis", slow_analysis)
    monkeypatch.setattr(api.background, "WAIT_S", 0.05)
    store = SqliteStore(tmp_path / "g.db")
    load(store)
    with TestClient(create_app(Settings(db=tmp_path / "g.db"), store=store)) as c:
        r = c.get("/analysis/isolated", params={"county": "10"})
        assert (
            r.status_code == 202 and r.headers["retry-after"] == "5" and "still running" in r.json()["detail"]
        )
        page = c.get("/views/isolated", params={"county": "10"})
        assert page.status_code == 202 and '<meta http-equiv="refresh" content="5">' in page.text
        release.set()
        for _ in range(100):
            r = c.get("/analysis/isolated", params={"county": "10"})
            if r.status_code == 200:
                break
            time.sleep(0.1)
        assert [a["actor_id"] for a in r.json()["no_collaboration"]] == ["se:ensam-ab"]
        assert c.get("/views/isolated", params={"county": "10"}).status_code == 200
    store.close()


def test_start_page_names_the_counties_without_s3_areas(registry_store: SqliteStore) -> None:
    """The seeds describe Blekinge's and Småland och öarna's strategies: Skåne and Halland have no S3 areas."""
    client = TestClient(create_app(Settings(db=registry_store.path), store=registry_store))
    html = client.get("/").text
    s3 = re.search(r'id="s3-missing">([^<]*)', html)
    assert s3 is not None and "No S3 areas in the data for Skåne, Halland" in s3.group(1)
    sv = client.get("/", params={"lang": "sv"}).text
    assert "Inga S3-områden i datan för Skåne, Halland" in sv
