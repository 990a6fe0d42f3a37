"""Exports: GEXF/GraphML/JSON read back alike, tables in CSV and XLSX, the CLI and HTTP contracts."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import networkx as nx
import openpyxl
import pytest
from click.testing import CliRunner
from conftest import shared_data
from fastapi.testclient import TestClient

from api.app import create_app
from api.cli import cli, main
from graph.analysis.scope import Scope
from graph.export import (
    build_graph_file,
    build_tables,
    export_graph,
    graph_bytes,
    select_bipartite,
    write_csv,
    xlsx_bytes,
)
from graph.projection import rollup
from graph.settings import Settings
from graph.store.sqlite import SqliteStore
from ingest.pipeline import commit
from ingest.registry import load_registry
from viz.style import NODE_COLOURS

FIXTURE = Path(__file__).parent / "fixtures" / "export" / "mini.yaml"


@pytest.fixture
def mini(tmp_path: Path) -> SqliteStore:
    s = SqliteStore(tmp_path / "mini.db")
    s.init_schema()
    commit(s, load_registry(FIXTURE))
    return s


def _weights(g: nx.Graph) -> dict[tuple[str, str], int]:
    return {tuple(sorted((a, b))): int(d["weight"]) for a, b, d in g.edges(data=True)}  # type: ignore[misc]


# -- the graph ------------------------------------------------------------------------------


def test_whole_graph_has_hand_counted_weights(mini: SqliteStore) -> None:
    g = export_graph(mini.to_networkx(), {}, "graphml")
    assert sorted(g.nodes) == [
        "de:d-institut",
        "se:a-university",
        "se:b-park",
        "se:c-region",
        "se:e-lonely",
        "se:f-company",
    ]
    assert _weights(g) == {
        ("se:a-university", "se:b-park"): 1,
        ("se:a-university", "se:c-region"): 2,
        ("se:b-park", "se:c-region"): 1,
        ("de:d-institut", "se:a-university"): 1,
        ("de:d-institut", "se:c-region"): 1,
        ("se:c-region", "se:f-company"): 1,
    }
    assert all(d["shared_projects"] == d["weight"] for _, _, d in g.edges(data=True))
    assert g.nodes["se:c-region"]["county"] == "Skåne"
    assert g.nodes["de:d-institut"]["country"] == "DE"
    assert g.degree("se:e-lonely") == 0


def test_selection_by_county_keeps_partners_and_isolated_county_actors(mini: SqliteStore) -> None:
    chosen = select_bipartite(mini.to_networkx(), Scope.parse(["10"]))
    actors = sorted(n for n, d in chosen.nodes(data=True) if d["type"] == "actor")
    projects = sorted(n for n, d in chosen.nodes(data=True) if d["type"] == "project")
    # P1 and P2 have a Blekinge member; P3 (Skåne only) does not, so Foxtrot is out; Epsilon stays.
    assert projects == ["project:seed:p1", "project:seed:p2"]
    assert actors == ["de:d-institut", "se:a-university", "se:b-park", "se:c-region", "se:e-lonely"]


def test_selection_by_programme_and_year(mini: SqliteStore) -> None:
    full = mini.to_networkx()
    inter = select_bipartite(full, Scope.parse(programme=["Interreg"]))
    assert sorted(n for n, d in inter.nodes(data=True) if d["type"] == "project") == [
        "project:seed:p1",
        "project:seed:p3",
    ]
    assert "de:d-institut" not in inter and "se:e-lonely" not in inter
    early = select_bipartite(full, Scope.parse(end_year=2020))
    assert sorted(n for n, d in early.nodes(data=True) if d["type"] == "project") == ["project:seed:p2"]
    themed = select_bipartite(full, Scope.parse(theme=["s3:blekinge:tech"]))
    assert sorted(n for n, d in themed.nodes(data=True) if d["type"] == "actor") == [
        "se:a-university",
        "se:b-park",
        "se:c-region",
    ]


@pytest.mark.parametrize("fmt", ["gexf", "graphml"])
def test_graph_files_read_back_with_same_nodes_edges_weights_attributes(mini: SqliteStore, fmt: str) -> None:
    data, g = build_graph_file(mini, Scope.parse(), fmt, colours=NODE_COLOURS)
    back = nx.read_gexf(io.BytesIO(data)) if fmt == "gexf" else nx.read_graphml(io.BytesIO(data))
    assert sorted(back.nodes) == sorted(g.nodes)
    assert _weights(back) == _weights(g)
    for a, b, d in g.edges(data=True):
        assert int(back.edges[a, b]["shared_projects"]) == d["shared_projects"]
    for n, d in g.nodes(data=True):
        got = back.nodes[n]
        for key, value in d.items():
            if key == "viz":
                continue
            if isinstance(value, float):
                assert got[key] == pytest.approx(value), (n, key)
            else:
                assert got[key] == value, (n, key)
    if fmt == "gexf":
        viz = back.nodes["se:a-university"]["viz"]
        assert (viz["color"]["r"], viz["color"]["g"], viz["color"]["b"]) == (0, 114, 178)  # university blue
        assert viz["size"] > 0
        assert back.nodes["se:a-university"]["label"] == "Alpha University"


def test_bipartite_export_has_projects_and_roles(mini: SqliteStore) -> None:
    data, _g = build_graph_file(mini, Scope.parse(), "graphml", bipartite=True)
    back = nx.read_graphml(io.BytesIO(data))
    assert back.number_of_nodes() == 6 + 3
    assert back.number_of_edges() == 8
    assert back.nodes["project:seed:p2"]["programme"] == "Horizon 2020"
    assert back.nodes["project:seed:p1"]["themes"] == "po:PO1; s3:blekinge:tech"
    assert back.edges["de:d-institut", "project:seed:p2"]["role"] == "coordinator"


def test_json_export_is_node_link(mini: SqliteStore) -> None:
    data, _ = build_graph_file(mini, Scope.parse(), "json")
    doc = json.loads(data)
    back = nx.node_link_graph(doc, edges="edges")
    assert back.number_of_nodes() == 6
    assert _weights(back) == _weights(export_graph(mini.to_networkx(), {}, "json"))


def test_unknown_graph_format_is_invalid(mini: SqliteStore) -> None:
    from graph.errors import InvalidInput

    with pytest.raises(InvalidInput, match="unknown graph format"):
        build_graph_file(mini, Scope.parse(), "dot")
    g = export_graph(mini.to_networkx(), {}, "gexf")
    with pytest.raises(InvalidInput):
        graph_bytes(g, "svg")


# -- tables ---------------------------------------------------------------------------------


def test_csv_tables_one_file_each(mini: SqliteStore, tmp_path: Path) -> None:
    tables = build_tables(mini, Scope.parse())
    paths = write_csv(tables, tmp_path / "csv")
    names = [p.stem for p in paths]
    assert names[:3] == ["actors", "projects", "participations"]
    with (tmp_path / "csv" / "participations.csv").open(encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 8
    assert {"actor_id": "de:d-institut", "project_id": "seed:p2", "role": "coordinator"}.items() <= rows[
        0
    ].items()
    with (tmp_path / "csv" / "actors.csv").open(encoding="utf-8-sig") as f:
        actors = {r["id"]: r for r in csv.DictReader(f)}
    assert actors["se:c-region"]["county"] == "Skåne"
    assert actors["se:a-university"]["projects"] == "2"


def test_xlsx_sheets_headers_types(mini: SqliteStore) -> None:
    tables = build_tables(mini, Scope.parse())
    wb = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(tables)))
    assert wb.sheetnames[:3] == ["actors", "projects", "participations"]
    ws = wb["actors"]
    assert ws.freeze_panes == "A2"
    header = [c.value for c in ws[1]]
    assert header[:3] == ["id", "name", "kind"]
    assert ws.max_row == 1 + 6
    col = {name: i for i, name in enumerate(header)}
    row = next(r for r in ws.iter_rows(min_row=2, values_only=True) if r[col["id"]] == "se:a-university")
    assert row[col["projects"]] == 2  # a number, not text
    assert row[col["county_code"]] == "10"  # an id kept as text, leading zeros safe
    assert ws.column_dimensions["B"].width >= len("<img src=x onerror=alert(1)>")


def test_actor_tables_trace_units_to_their_legal_entity(mini: SqliteStore, tmp_path: Path) -> None:
    from graph.model import Actor, Participation, SourceRef
    from ingest.pipeline import SourceBatch

    lab = Actor(
        id="se:a-lab",
        name="Lab of Things",
        part_of="se:a-university",
        sources=[SourceRef(source="t", record="l")],
    )
    commit(
        mini,
        SourceBatch(
            source="t", actors=[lab], participations=[Participation(actor_id=lab.id, project_id="seed:p3")]
        ),
    )
    tables = build_tables(mini, Scope.parse(counties=()))
    write_csv(tables, tmp_path / "csv")
    with (tmp_path / "csv" / "actors.csv").open(encoding="utf-8-sig") as f:
        actors = {r["id"]: r for r in csv.DictReader(f)}
    assert actors["se:a-lab"]["part_of"] == "se:a-university"  # the unit is listed, with its legal entity
    assert actors["se:a-lab"]["projects"] == "1"
    assert actors["se:a-university"]["part_of"] == ""
    assert actors["se:a-university"]["projects"] == "3"  # its own two and the lab's, as the graph counts
    with (tmp_path / "csv" / "participations.csv").open(encoding="utf-8-sig") as f:
        parts = {(r["actor_id"], r["project_id"]) for r in csv.DictReader(f)}
    assert ("se:a-university", "seed:p3") in parts and not any(a == "se:a-lab" for a, _ in parts)
    ws = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(tables)))["actors"]
    header = [c.value for c in ws[1]]
    row = next(r for r in ws.iter_rows(min_row=2, values_only=True) if r[0] == "se:a-lab")
    assert row[header.index("part_of")] == "se:a-university"


# -- CLI ------------------------------------------------------------------------------------


def test_cli_export_graph_and_tables(mini: SqliteStore, tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "g.gexf"
    r = runner.invoke(cli, ["export", "graph", "--format", "gexf", "--out", str(out), "--db", str(mini.path)])
    assert r.exit_code == 0, r.output
    assert nx.read_gexf(out).number_of_edges() == 6
    r = runner.invoke(
        cli,
        [
            "export",
            "graph",
            "--format",
            "graphml",
            "--out",
            str(tmp_path / "b.graphml"),
            "--county",
            "10",
            "--db",
            str(mini.path),
        ],
    )
    assert r.exit_code == 0, r.output
    assert nx.read_graphml(tmp_path / "b.graphml").number_of_nodes() == 5
    r = runner.invoke(
        cli,
        [
            "export",
            "tables",
            "--format",
            "xlsx",
            "--out",
            str(tmp_path / "t.xlsx"),
            "--json",
            "--db",
            str(mini.path),
        ],
    )
    assert r.exit_code == 0, r.output
    listed = json.loads(r.stdout)
    wb = openpyxl.load_workbook(tmp_path / "t.xlsx", read_only=True)
    assert wb.sheetnames == [t["name"] for t in listed]
    for t in listed:
        assert wb[t["name"]].max_row == t["rows"] + 1


@pytest.mark.parametrize(
    "args,message",
    [
        (["export", "graph", "--format", "gexf", "--county", "99"], "unknown county code '99'"),
        (["export", "tables", "--format", "xlsx", "--county", "99"], "unknown county code '99'"),
    ],
)
def test_cli_bad_input_is_one_line(
    mini: SqliteStore, tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    with pytest.raises(SystemExit) as e:
        main([*args, "--out", str(tmp_path / "x"), "--db", str(mini.path)])
    assert e.value.code == 1
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and message in err and "Traceback" not in err


def test_cli_bad_format_is_usage_error(mini: SqliteStore, tmp_path: Path) -> None:
    r = CliRunner().invoke(
        cli, ["export", "graph", "--format", "dot", "--out", str(tmp_path / "x"), "--db", str(mini.path)]
    )
    assert r.exit_code == 2
    assert "'dot' is not one of" in r.output


# -- HTTP -----------------------------------------------------------------------------------


@pytest.fixture
def client(mini: SqliteStore) -> TestClient:
    return TestClient(create_app(Settings(db=mini.path), store=mini))


def test_http_graph_gexf_and_graphml(client: TestClient) -> None:
    r = client.get("/export/graph.gexf", params={"county": "10"})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/gexf+xml")
    assert 'filename="innograph-graph-10.gexf"' in r.headers["content-disposition"]
    assert nx.read_gexf(io.BytesIO(r.content)).number_of_nodes() == 5
    r = client.get("/export/graph.graphml", params={"bipartite": "true"})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/graphml+xml")
    assert nx.read_graphml(io.BytesIO(r.content)).number_of_nodes() == 9


def test_http_tables_xlsx(client: TestClient) -> None:
    r = client.get("/export/tables.xlsx")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in r.headers["content-disposition"]
    wb = openpyxl.load_workbook(io.BytesIO(r.content), read_only=True)
    assert wb["participations"].max_row == 9


def test_http_bad_input(client: TestClient) -> None:
    assert client.get("/export/graph.gexf", params={"county": "99"}).status_code == 422
    assert client.get("/export/graph.dot").status_code == 404
    assert client.get("/export/tables.xlsx", params={"from": "abc"}).status_code == 422


# -- real data ------------------------------------------------------------------------------


@pytest.mark.integration
def test_real_interreg_export_reads_back(tmp_path: Path) -> None:
    path = shared_data("interreg", "swedish-partners-interreg-2021-2027.json")
    from ingest.loaders import LOADERS

    if "interreg" not in LOADERS:
        pytest.skip("the Interreg loader has not landed")
    s = SqliteStore(tmp_path / "real.db")
    s.init_schema()
    commit(s, load_registry())
    commit(s, LOADERS["interreg"](path))
    data, g = build_graph_file(s, Scope.parse(), "gexf")
    back = nx.read_gexf(io.BytesIO(data))
    actors = list(s.iter_actors())  # units (part_of) count for their parent: not nodes of their own
    assert back.number_of_nodes() == g.number_of_nodes() == len(actors) - len(rollup(actors))
    assert _weights(back) == _weights(g)
    s.close()


# -- the same numbers as the analysis CLI -----------------------------------------------------


def _analyze(db: Path, *args: str) -> Any:
    r = CliRunner().invoke(cli, ["analyze", *args, "--json", "--db", str(db)])
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


def test_node_measures_equal_analyze_json(mini: SqliteStore) -> None:
    data, _ = build_graph_file(mini, Scope.parse(), "graphml")
    back = nx.read_graphml(io.BytesIO(data))
    cen = {r["actor_id"]: r for r in _analyze(mini.path, "centrality", "--county", "all")["rows"]}
    bro = {r["actor_id"]: r for r in _analyze(mini.path, "brokerage", "--county", "all")["rows"]}
    assert set(cen) == set(back.nodes)
    for n, d in back.nodes(data=True):
        assert d["degree"] == cen[n]["degree"]
        assert d["weighted_degree"] == cen[n]["weighted_degree"]
        assert d["betweenness"] == cen[n]["betweenness"]
        assert d["pagerank"] == cen[n]["pagerank"]
        assert d.get("constraint") == bro[n]["constraint"]
        assert d.get("effective_size") == bro[n]["effective_size"]
    # hand-checked: Region Gamma lies on every path to Foxtrot; Epsilon has no partner at all
    assert back.nodes["se:c-region"]["betweenness"] == max(d["betweenness"] for _, d in back.nodes(data=True))
    assert back.nodes["se:e-lonely"]["isolation"].split("; ")[0] == "no_collaboration"
    assert "constraint" not in back.nodes["se:e-lonely"]  # undefined without partners: left out, not 0
    iso = _analyze(mini.path, "isolated", "--county", "all")
    assert [i["actor_id"] for i in iso["no_collaboration"]] == ["se:e-lonely"]
    communities = {d["community"] for _, d in back.nodes(data=True)}
    assert len(communities) == _analyze(mini.path, "communities", "--county", "all")["total_communities"]


def test_xlsx_row_counts_equal_analyze_json(mini: SqliteStore, tmp_path: Path) -> None:
    out = tmp_path / "t.xlsx"
    r = CliRunner().invoke(
        cli, ["export", "tables", "--format", "xlsx", "--out", str(out), "--db", str(mini.path)]
    )
    assert r.exit_code == 0, r.output
    wb = openpyxl.load_workbook(out, read_only=True)
    assert wb.sheetnames == [
        "actors", "projects", "participations", "centrality", "brokerage", "bridges", "isolated",
        "suggested_brokers", "counties", "county_pairs", "themes", "communities", "about",
        "funding", "funding_benchmark", "funding_about",
    ]  # fmt: skip

    def rows(sheet: str) -> int:
        return int(wb[sheet].max_row) - 1

    cen = _analyze(mini.path, "centrality")
    assert rows("centrality") == len(cen["rows"]) == cen["total"]
    assert rows("brokerage") == len(_analyze(mini.path, "brokerage")["rows"])
    iso = _analyze(mini.path, "isolated")
    assert rows("isolated") == sum(iso["counts"].values())
    cty = _analyze(mini.path, "counties")
    assert rows("counties") == len(cty["counties"]) == 7  # South Sweden by default
    assert rows("county_pairs") == len(cty["pairs"])
    assert rows("themes") == len(_analyze(mini.path, "themes")["themes"])
    assert rows("communities") == len(_analyze(mini.path, "communities")["communities"])
    header = [c.value for c in next(wb["county_pairs"].iter_rows(max_row=1))]
    assert header == list(cty["pairs"][0]) if cty["pairs"] else header[0] == "a"
    first = next(wb["centrality"].iter_rows(min_row=2, max_row=2, values_only=True))
    assert list(first) == [cen["rows"][0][k] for k in cen["rows"][0]]


@pytest.mark.parametrize("fmt", ["gexf", "graphml"])
def test_xml_writers_escape_names_and_drop_illegal_characters(fmt: str) -> None:
    g = nx.Graph()
    g.add_node('a&"1"', name='Fish & "Chips" <AB>', label="x", flag=True, size=2, score=0.5)
    g.add_node("b'2", name="Ctrl\x01char ÅÄÖ", label="y", flag=False, size=3, score=1.25e-07)
    g.add_edge('a&"1"', "b'2", weight=3, shared_projects=3)
    data = graph_bytes(g, fmt)
    back = nx.read_gexf(io.BytesIO(data)) if fmt == "gexf" else nx.read_graphml(io.BytesIO(data))
    assert sorted(back.nodes) == sorted(g.nodes)
    a, b = back.nodes['a&"1"'], back.nodes["b'2"]
    assert a["name"] == 'Fish & "Chips" <AB>' and b["name"] == "Ctrlchar ÅÄÖ"
    assert (a["flag"], b["flag"], a["size"], b["score"]) == (True, False, 2, 1.25e-07)
    assert back.edges['a&"1"', "b'2"]["shared_projects"] == 3
    assert float(back.edges['a&"1"', "b'2"]["weight"]) == 3.0
