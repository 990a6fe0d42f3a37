"""The county report: hand-counted figures, the analysis numbers unchanged, escaping, CLI and HTTP errors, browser."""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from api_server import free_port
from click.testing import CliRunner
from fastapi.testclient import TestClient

from api.app import create_app
from api.cli import cli, main
from graph.analysis.scope import Scope
from graph.errors import NotFound
from graph.report import county_report
from graph.settings import Settings
from graph.store.sqlite import SqliteStore
from ingest.pipeline import commit
from ingest.registry import load_registry
from viz.report import render_html

FIXTURE = Path(__file__).parent / "fixtures" / "export" / "mini.yaml"
ARTIFACTS = Path(__file__).parent / "artifacts"
HOSTILE = "<img src=x onerror=alert(1)>"
CHARTS = ["actors-by-kind", "projects-by-year", "partner-counties", "partner-countries", "county-ratios"]
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def mini(tmp_path: Path) -> Iterator[SqliteStore]:
    s = SqliteStore(tmp_path / "mini.db")
    s.init_schema()
    commit(s, load_registry(FIXTURE))
    yield s
    s.close()


def _analyze(db: Path, *args: str) -> Any:
    r = CliRunner().invoke(cli, ["analyze", *args, "--json", "--db", str(db)])
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


# -- figures --------------------------------------------------------------------------------


def test_hand_counted_figures_for_blekinge(mini: SqliteStore) -> None:
    r = county_report(mini, "10")
    assert (r.code, r.name, r.nuts3) == ("10", "Blekinge län", "SE221")
    assert r.actors_total == 3  # Alpha University, the hostile-named park, Epsilon Kommun
    assert {c.key: c.value for c in r.actors_by_kind} == {
        "university": 1,
        "science_park": 1,
        "municipality": 1,
    }
    assert r.projects_total == 2  # P1 and P2; P3 has no Blekinge member
    assert {c.key: c.value for c in r.projects_by_programme} == {"Interreg": 1, "Horizon 2020": 1}
    assert [(y.year, y.programme, y.projects) for y in r.projects_by_year] == [
        ("2016", "Horizon 2020", 1),
        ("2022", "Interreg", 1),
    ]
    assert [(p.key, p.partners, p.projects) for p in r.partner_counties] == [("12", 1, 2)]
    assert [(p.key, p.partners, p.projects) for p in r.partner_countries] == [("SE", 1, 2), ("DE", 1, 1)]


def test_one_count_of_a_countys_actors_and_projects(mini: SqliteStore) -> None:
    """The report, the counties analysis and /counties give a county one actor and one project count."""
    from graph.analysis import run_analysis

    r = county_report(mini, "10")
    row = next(c for c in run_analysis(mini, "counties", Scope(counties=("10",))).counties if c.code == "10")
    assert (row.actors, row.projects) == (r.actors_total, r.projects_total) == (3, 2)
    assert mini.stats().actors_by_county["10"] == r.actors_total


def test_themes_against_crosswalk(mini: SqliteStore) -> None:
    r = county_report(mini, "10")
    themes = {t["theme_id"]: t for t in r.themes}
    assert sorted(themes) == ["s3:blekinge:smart-industry", "s3:blekinge:tech"]
    tech = themes["s3:blekinge:tech"]
    assert tech["named_by_projects"] == 1  # P1 names it
    assert tech["members"] == ["se:a-university", "se:b-park"]
    assert tech["active"][0]["self"] is True
    # nothing in the fixture carries a Horizon Europe part that maps to Tech: all of them are gaps
    assert any(g["programme"] == "Horizon Europe" for g in tech["gaps"])
    assert all(g["term_id"] != "po:PO1" for g in themes["s3:blekinge:smart-industry"]["gaps"]) or not any(
        a["term_id"] == "po:PO1" for a in themes["s3:blekinge:smart-industry"]["active"]
    )


def test_county_without_themes_or_partners(mini: SqliteStore) -> None:
    r = county_report(mini, "01")  # Stockholm: nothing in the fixture
    assert r.actors_total == 0 and r.projects_total == 0
    assert r.themes == [] and r.partner_countries == []
    html = render_html(r)
    assert "The registry names no smart-specialisation themes for this county." in html
    for name in CHARTS:
        assert f'data-chart="{name}"' in html


def test_unknown_county_is_not_found(mini: SqliteStore) -> None:
    with pytest.raises(NotFound, match="unknown county code '99'"):
        county_report(mini, "99")


# -- the page -------------------------------------------------------------------------------


def test_html_is_self_contained_escaped_and_has_every_chart(mini: SqliteStore) -> None:
    html = render_html(county_report(mini, "10"))
    assert HOSTILE not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<img" not in html and "<script" not in html
    assert not re.search(r'(src|href)="(https?:)?//', html)
    assert "<link" not in html
    for name in CHARTS:
        assert f'data-chart="{name}"' in html
    assert "<h1>County report: Blekinge län</h1>" in html


def test_swedish_headings_names_as_they_are(mini: SqliteStore) -> None:
    html = render_html(county_report(mini, "10"), lang="sv")
    assert '<html lang="sv">' in html
    assert "<h1>Länsrapport: Blekinge län</h1>" in html
    assert "Aktörer per typ" in html and "Actors by kind" not in html
    assert "Alpha University" in html  # names are not translated
    assert "Universitet/högskola" in html


def test_chart_values_equal_report_figures(mini: SqliteStore) -> None:
    r = county_report(mini, "10")
    html = render_html(r)
    kinds = re.search(r'data-chart="actors-by-kind".*?</svg>', html, re.S)
    assert kinds is not None
    values = dict(re.findall(r'data-label="([^"]+)" data-value="([^"]+)"', kinds.group(0)))
    assert values == {"University": "1", "Science park": "1", "Municipality": "1"}


# -- CLI ------------------------------------------------------------------------------------


def test_cli_report_writes_html_and_json(mini: SqliteStore, tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    r = CliRunner().invoke(cli, ["report", "--county", "10", "--out", str(out), "--db", str(mini.path)])
    assert r.exit_code == 0, r.output
    assert "<svg" in out.read_text(encoding="utf-8")
    r = CliRunner().invoke(cli, ["report", "--county", "10", "--json", "--db", str(mini.path)])
    assert json.loads(r.stdout)["actors_total"] == 3


def test_cli_unknown_county_is_one_line(
    mini: SqliteStore, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as e:
        main(["report", "--county", "99", "--out", str(tmp_path / "x.html"), "--db", str(mini.path)])
    assert e.value.code == 1
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "unknown county code '99'" in err
    assert not (tmp_path / "x.html").exists()


def test_cli_bad_language_is_usage_error(mini: SqliteStore) -> None:
    r = CliRunner().invoke(cli, ["report", "--county", "10", "--lang", "de", "--db", str(mini.path)])
    assert r.exit_code == 2


# -- HTTP -----------------------------------------------------------------------------------


@pytest.fixture
def client(mini: SqliteStore) -> TestClient:
    return TestClient(create_app(Settings(db=mini.path), store=mini))


def test_http_report(client: TestClient) -> None:
    r = client.get("/reports/county/10")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    assert "&lt;img src=x onerror=alert(1)&gt;" in r.text
    r = client.get("/reports/county/10", params={"lang": "sv", "format": "json"})
    assert r.status_code == 200 and r.json()["actors_total"] == 3


def test_http_report_bad_input(client: TestClient) -> None:
    assert client.get("/reports/county/99").status_code == 404
    assert client.get("/reports/county/10", params={"format": "docx"}).status_code == 422
    assert client.get("/reports/county/10", params={"lang": "de"}).status_code == 422


# -- in a real browser ------------------------------------------------------------------------


@pytest.fixture
def served(mini: SqliteStore) -> Iterator[str]:
    import uvicorn

    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(Settings(db=mini.path), store=mini), host="127.0.0.1", port=port, log_level="warning"
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        for _ in range(100):
            if server.started:
                break
            time.sleep(0.05)
        assert server.started, "uvicorn did not start"
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.mark.browser
def test_report_in_headless_chromium(served: str) -> None:
    playwright = pytest.importorskip("playwright.sync_api")
    if not Path("/usr/bin/chromium").exists():
        pytest.skip("Chromium is not installed at /usr/bin/chromium")
    ARTIFACTS.mkdir(exist_ok=True)
    requests: list[str] = []
    dialogs: list[str] = []
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1000, "height": 1200})
            page.on("request", lambda req: requests.append(req.url))
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            page.goto(f"{served}/reports/county/10", wait_until="networkidle")
            shot = ARTIFACTS / "report-county-10.png"
            page.screenshot(path=str(shot), full_page=True)
            assert shot.stat().st_size > 20_000  # a blank page compresses to a few kB
            assert page.locator("h1").inner_text() == "County report: Blekinge län"
            for name in CHARTS:
                chart = page.locator(f'svg[data-chart="{name}"]')
                assert chart.count() == 1, name
                box = chart.bounding_box()
                assert box is not None and box["width"] > 100 and box["height"] > 10, name
            assert page.locator('svg[data-chart="actors-by-kind"] rect.bar').count() == 3
            assert page.locator("img").count() == 0
            assert page.get_by_text(HOSTILE, exact=True).count() >= 1
            assert dialogs == []
        finally:
            browser.close()
    assert requests and all(u.startswith(served) for u in requests), requests


@pytest.mark.browser
def test_pdf_printed_by_chromium(mini: SqliteStore, tmp_path: Path) -> None:
    if not Path("/usr/bin/chromium").exists():
        pytest.skip("Chromium is not installed at /usr/bin/chromium")
    pdf = tmp_path / "r.pdf"
    r = CliRunner().invoke(cli, ["report", "--county", "10", "--pdf", str(pdf), "--db", str(mini.path)])
    assert r.exit_code == 0, r.output
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF-") and len(data) > 5_000


# -- every number equals the analysis CLI's --json for the same scope --------------------------


def _row(html: str, attr: str, value: str) -> list[str]:
    m = re.search(rf'<tr {attr}="{re.escape(value)}"[^>]*>(.*?)</tr>', html, re.S)
    assert m is not None, (attr, value)
    return [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", m.group(1), re.S)]


def test_report_numbers_equal_analyze_json(mini: SqliteStore) -> None:
    r = county_report(mini, "10")
    html = render_html(r)
    db = mini.path

    cen = _analyze(db, "centrality", "--county", "10")
    assert [a["actor_id"] for a in r.top_actors] == [x["actor_id"] for x in cen["rows"]][: len(r.top_actors)]
    for a, x in zip(r.top_actors, cen["rows"], strict=False):
        for k in ("degree", "weighted_degree", "betweenness", "pagerank"):
            assert a[k] == x[k], (a["actor_id"], k)
        cells = _row(html, "data-actor", x["actor_id"])
        assert cells[2] == str(x["degree"]) and cells[4] == f"{x['betweenness']:.4f}"

    iso = _analyze(db, "isolated", "--county", "10")
    expected = [(k, i["actor_id"], i["reason"]) for k in iso["counts"] for i in iso[k]]
    assert [(i["list"], i["actor_id"], i["reason"]) for i in r.isolated] == expected
    assert ("no_collaboration", "se:e-lonely") in {(k, a) for k, a, _ in expected}
    assert r.isolated_counts == iso["counts"]

    bro = {x["actor_id"]: x for x in _analyze(db, "brokerage", "--county", "10")["rows"]}
    for b in r.brokers:
        assert b["constraint"] == bro[b["actor_id"]]["constraint"]
        assert b["effective_size"] == bro[b["actor_id"]]["effective_size"]
        assert b["degree"] == bro[b["actor_id"]]["degree"]

    cty = _analyze(db, "counties", "--county", "all")
    pairs = {(p["a"], p["b"]): p for p in cty["pairs"]}
    assert r.county_pairs, "Blekinge shares projects with Skåne in the fixture"
    for row in r.county_pairs:
        p = pairs[tuple(sorted(("10", row["county"])))]  # type: ignore[index]
        assert (row["observed"], row["expected"], row["ratio"]) == (
            p["shared_projects"],
            p["expected_projects"],
            p["ratio_projects"],
        )
        assert (row["actor_pairs"], row["expected_pairs"], row["ratio_pairs"]) == (
            p["actor_pairs"],
            p["expected_actor_pairs"],
            p["ratio_actor_pairs"],
        )
        cells = _row(html, "data-county", row["county"])
        assert cells[1] == str(p["shared_projects"]) and cells[2] == f"{p['expected_projects']:.2f}"
    skane = next(x for x in r.county_pairs if x["county"] == "12")
    assert skane["observed"] == 2 and skane["actor_pairs"] == 2  # projects P1, P2; partner pairs A–C, B–C

    thm = {t["theme_id"]: t for t in _analyze(db, "themes", "--county", "all")["themes"]}
    for th in r.themes:
        assert th["counties_present"] == thm[th["theme_id"]]["counties_present"]
        assert th["projects_all_counties"] == thm[th["theme_id"]]["projects"]


@pytest.mark.browser
def test_http_pdf_download(client: TestClient) -> None:
    if not Path("/usr/bin/chromium").exists():
        pytest.skip("Chromium is not installed at /usr/bin/chromium")
    r = client.get("/reports/county/10", params={"format": "pdf", "lang": "sv"})
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/pdf"
    assert 'filename="innograph-report-10-sv.pdf"' in r.headers["content-disposition"]
    assert r.content.startswith(b"%PDF-")


@pytest.mark.integration
def test_real_blekinge_report_equals_analysis(tmp_path: Path) -> None:
    from conftest import shared_data

    from ingest.loaders import LOADERS

    path = shared_data("interreg", "swedish-partners-interreg-2021-2027.json")
    s = SqliteStore(tmp_path / "real.db")
    s.init_schema()
    commit(s, load_registry())
    commit(s, LOADERS["interreg"](path))
    try:
        r = county_report(s, "10")
        iso = _analyze(s.path, "isolated", "--county", "10")
        assert [(i["list"], i["actor_id"]) for i in r.isolated] == [
            (k, i["actor_id"]) for k in iso["counts"] for i in iso[k]
        ]
        cty = {(p["a"], p["b"]): p for p in _analyze(s.path, "counties", "--county", "all")["pairs"]}
        for row in r.county_pairs:
            p = cty[tuple(sorted(("10", row["county"])))]  # type: ignore[index]
            assert (row["observed"], row["ratio"]) == (p["shared_projects"], p["ratio_projects"])
        # the seeds' Kickstart S3 names all three Blekinge S3 themes itself
        assert sorted(t["theme_id"] for t in r.themes) == [
            "s3:blekinge:missions",
            "s3:blekinge:smart-industry",
            "s3:blekinge:tech",
        ]
        assert all(t["named_by_projects"] >= 1 for t in r.themes)
        assert r.projects_by_programme[0].key == "Interreg"
        html = render_html(r, "sv")
        assert "<h1>Länsrapport: Blekinge län</h1>" in html
    finally:
        s.close()


def test_charts_escape_labels_and_carry_values() -> None:
    from viz.charts import Bar, hbar_chart, stacked_columns

    svg = str(hbar_chart("c", "T <b>", [Bar(HOSTILE, 3), Bar("B", 1.5, "0.4× expected")]))
    assert HOSTILE not in svg and "&lt;img src=x onerror=alert(1)&gt;" in svg
    assert re.findall(r'data-value="([^"]+)"', svg) == ["3", "1.50"]
    cols = str(stacked_columns("s", "S", ["2020", "2021"], {"Interreg": [1, 0], "Horizon 2020": [2, 4]}))
    assert re.findall(r'class="bar" data-label="([^"]+)" data-value="(\d+)"', cols) == [
        ("2020 Interreg", "1"),
        ("2020 Horizon 2020", "2"),
        ("2021 Horizon 2020", "4"),
    ]
    assert cols.startswith("<svg") and cols.endswith("</svg>")


def test_texts_file_has_every_key_in_both_languages() -> None:
    """A key present in English but not in Swedish would show an English word on a Swedish page."""
    from viz.texts import LANGS, _texts

    for section, by_lang in _texts().items():
        keys = [set(by_lang[lang]) for lang in LANGS]
        assert keys[0] == keys[1], f"{section}: {keys[0] ^ keys[1]}"


def test_missing_chromium_is_unavailable_not_bad_input(tmp_path: Path) -> None:
    """No Chromium on the server is the machine's fault: a 503-class error, not a 422 for the user."""
    from graph.errors import InvalidInput, ToolUnavailable
    from viz.report.pdf import print_pdf

    with pytest.raises(ToolUnavailable, match="needs Chromium") as info:
        print_pdf("<p>x</p>", tmp_path / "r.pdf", chromium=str(tmp_path / "no-such-chromium"))
    assert not isinstance(info.value, InvalidInput)


def test_one_county_figure_in_view_cli_report_and_xlsx(mini: SqliteStore, tmp_path: Path) -> None:
    """Blekinge–Skåne: one observed/expected in `analyze counties`, /views/counties, the report
    (HTML and JSON over HTTP) and the county's XLSX, which lists its cross-county pairs."""
    import io

    import openpyxl

    db = mini.path
    cli_pair = next(p for p in _analyze(db, "counties")["pairs"] if (p["a"], p["b"]) == ("10", "12"))
    expected, ratio = cli_pair["expected_projects"], cli_pair["ratio_projects"]
    assert cli_pair["shared_projects"] == 2 and expected > 0
    # the same figure whichever counties are asked for: the null model is Sweden-wide
    for county in (["10"], ["10", "12"], ["all"]):
        args = [x for c in county for x in ("--county", c)]
        pair = next(p for p in _analyze(db, "counties", *args)["pairs"] if (p["a"], p["b"]) == ("10", "12"))
        assert (pair["expected_projects"], pair["ratio_projects"]) == (expected, ratio)
    with TestClient(create_app(Settings(db=db), store=mini)) as c:
        rep = c.get("/reports/county/10", params={"format": "json"}).json()
        row = next(r for r in rep["county_pairs"] if r["county"] == "12")
        assert (row["observed"], row["expected"], row["ratio"]) == (2, expected, ratio)
        html = c.get("/reports/county/10").text
        assert "P_a × P_b / N" in html and 'id="scope-line"' in html
        view = c.get("/views/counties").text
        assert f"{expected:.1f}" in view and f"{ratio:.2f}" in view
        assert 'id="scope-line"' in view and "P_a × P_b / N" in view
        wb = openpyxl.load_workbook(io.BytesIO(c.get("/export/tables.xlsx", params={"county": "10"}).content))
        gexf = c.get("/export/graph.gexf", params={"county": "10"}).text
        assert f"Blekinge–Skåne 2/{expected} ({ratio})" in gexf
    sheet = list(wb["county_pairs"].iter_rows(values_only=True))
    head = list(sheet[0])
    rows = [dict(zip(head, r, strict=True)) for r in sheet[1:]]
    assert len(rows) == 20  # Blekinge with each other county
    x = next(r for r in rows if {r["a"], r["b"]} == {"10", "12"})
    assert (x["shared_projects"], x["expected_projects"], x["ratio_projects"]) == (2, expected, ratio)
