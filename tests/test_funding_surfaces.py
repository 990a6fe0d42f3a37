"""The same funding numbers everywhere people look: CLI JSON/CSV, /funding over HTTP, the page, the
county report (en and sv) and the XLSX export; the page in headless Chromium."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import openpyxl
import pytest
from api_server import serve_api
from click.testing import CliRunner
from test_funding import ACTORS, PARTS, PROJECTS

from api.cli import cli
from graph.model import SourceRef, Theme, ThemeKind
from graph.store.sqlite import SqliteStore
from ingest.pipeline import SourceBatch, commit

CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("funding") / "g.db"
    s = SqliteStore(path)
    s.init_schema()
    actors = [a.model_copy(update={"sources": [SourceRef(source="test", record=a.id)]}) for a in ACTORS]
    # Kronoberg names an S3 area that Horizon Europe cluster 5 serves (graph/data/crosswalk.yaml)
    s3 = Theme(id="s3:blekinge:missions", name="Missions", kind=ThemeKind.s3_area, county_codes=["07"])
    batch = SourceBatch(source="test", actors=actors, projects=PROJECTS, participations=PARTS, themes=[s3])
    commit(s, batch)
    s.close()
    return path


@pytest.fixture(scope="module")
def server(db: Path) -> Iterator[str]:
    with serve_api(db) as url:
        yield url


def _cli(db: Path, *args: str) -> str:
    r = CliRunner().invoke(cli, ["funding", *args, "--db", str(db)])
    assert r.exit_code == 0, r.output
    return r.stdout


def _eurs(html: str, breakdown: str) -> dict[str, float]:
    """key -> data-eur of the rows of one funding table on a page."""
    table = re.search(rf'<table class="list funding" data-breakdown="{breakdown}">(.*?)</table>', html, re.S)
    assert table, breakdown
    return {k: float(v) for k, v in re.findall(r'<tr data-key="([^"]*)" data-eur="([^"]*)">', table.group(1))}


def _total(html: str) -> float:
    m = re.search(r'id="funding-total" data-eur="([^"]+)"', html)
    assert m
    return float(m.group(1))


def test_numbers_are_identical_across_cli_api_page_report_and_xlsx(db: Path, server: str) -> None:
    data = json.loads(_cli(db, "--county", "10", "--json"))
    assert data["total"]["eur"] > 0 and len(data["by_programme"]) == 3  # ERDF, Horizon Europe, Interreg
    api = httpx.get(f"{server}/funding", params={"county": "10"}, timeout=30)
    assert api.status_code == 200 and api.json() == data

    rows = list(csv.DictReader(io.StringIO(_cli(db, "--county", "10", "--csv"))))
    assert float(rows[0]["eur"]) == data["total"]["eur"]
    csv_programmes = {r["key"]: float(r["eur"]) for r in rows if r["breakdown"] == "programme"}
    json_programmes = {t["key"]: t["eur"] for t in data["by_programme"]}
    assert csv_programmes == json_programmes

    page = httpx.get(f"{server}/views/funding", params={"county": "10"}, timeout=30).text
    assert _total(page) == data["total"]["eur"]
    assert _eurs(page, "by_part") == {t["key"]: t["eur"] for t in data["by_part"]}
    assert _eurs(page, "by_actor") == {t["key"]: t["eur"] for t in data["by_actor"]}
    svg = re.search(r'data-chart="funding-by-programme".*?</svg>', page, re.S)
    assert svg
    bars = dict(re.findall(r'class="bar" data-label="([^"]+)" data-value="([^"]+)"', svg.group(0)))
    assert {k: float(v.replace(",", "")) for k, v in bars.items()} == pytest.approx(json_programmes, abs=0.01)
    assert 'id="not-covered"' in page

    for lang in ("en", "sv"):
        report = httpx.get(f"{server}/reports/county/10", params={"lang": lang}, timeout=60)
        assert report.status_code == 200, report.text
        section = report.text[report.text.index('<section id="funding">') :]
        assert _total(section) == data["total"]["eur"]
        assert _eurs(section, "by_part") == {t["key"]: t["eur"] for t in data["by_part"]}
    assert "Hemtagna EU-medel" in report.text and "Ingår inte" in report.text

    xlsx = httpx.get(f"{server}/export/tables.xlsx", params={"county": "10"}, timeout=60)
    assert xlsx.status_code == 200
    wb = openpyxl.load_workbook(io.BytesIO(xlsx.content), read_only=True)
    sheet = [list(r) for r in wb["funding"].iter_rows(values_only=True)]
    header, body = sheet[0], sheet[1:]
    got = {(r[0], str(r[1])): r[header.index("eur")] for r in body}
    assert got[("total", "total")] == data["total"]["eur"]
    for t in data["by_programme"]:
        assert got[("programme", t["key"])] == t["eur"]
    assert "funding_benchmark" in wb.sheetnames


def test_benchmark_and_untapped_over_http(db: Path, server: str) -> None:
    cli_bench = json.loads(_cli(db, "benchmark", "--programme", "Horizon Europe", "--json"))
    r = httpx.get(f"{server}/funding/benchmark", params={"programme": "Horizon Europe"}, timeout=30)
    assert r.status_code == 200 and r.json() == cli_bench
    assert len(cli_bench["rows"]) == 21 and cli_bench["lines"][4].startswith("Blekinge gets")
    r = httpx.get(f"{server}/funding/untapped", params={"county": "07"}, timeout=30)
    assert r.status_code == 200 and r.json()["county"] == "07"
    gaps = r.json()["rows"]
    assert "Horizon Europe · HORIZON.2.5" in {g["key"] for g in gaps}
    assert gaps == json.loads(_cli(db, "untapped", "--county", "07", "--json"))["rows"]
    page = httpx.get(f"{server}/views/funding", params={"county": "07"}, timeout=30).text
    assert _eurs(page, "untapped") == {g["key"]: g["county_eur"] for g in gaps}
    assert httpx.get(f"{server}/funding/untapped", params={"county": "99"}, timeout=30).status_code == 422
    assert httpx.get(f"{server}/funding", params={"county": "99"}, timeout=30).status_code == 422
    assert httpx.get(f"{server}/views/funding", params={"county": "99"}, timeout=30).status_code == 422


@pytest.mark.browser
def test_funding_page_in_chromium(server: str) -> None:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} not installed (scripts/setup installs Debian's chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    requests: list[str] = []
    errors: list[str] = []
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"])
        try:
            page: Any = browser.new_page(viewport={"width": 1280, "height": 900})
            page.on("request", lambda r: requests.append(r.url))
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(f"{server}/")
            page.click("header.top a[href='/views/funding']")
            page.wait_for_url(f"{server}/views/funding")
            page.select_option("select[name=county]", "10")
            page.click("form.box button[type=submit]")
            page.wait_for_url(re.compile(r".*/views/funding\?county=10.*"))
            assert page.locator("#not-covered").is_visible()
            charts = page.eval_on_selector_all("svg[data-chart]", "els => els.map(e => e.dataset.chart)")
            assert charts == ["funding-by-programme", "funding-by-year", "funding-county-ranking"]
            box = page.locator("svg[data-chart=funding-by-year]").bounding_box()
            assert box and box["width"] > 300 and box["height"] > 100
            years = page.eval_on_selector_all(
                "svg[data-chart=funding-by-year] circle.point",
                "cs => cs.map(c => [c.dataset.label, c.dataset.value])",
            )
            # 2016, 2022 and 2023 have amounts; the years between are kept, not closed up: drawn as a gap
            # (no value) where no loaded source starts a project then, as zero where one does.
            assert [y for y, _ in years] == [str(y) for y in range(2016, 2024)]
            between = {y: v for y, v in years if y not in ("2016", "2022", "2023")}
            assert between and all(v in ("0", "") for v in between.values())
            gaps = [y for y, v in between.items() if v == ""]
            assert bool(gaps) == page.locator("#years-not-in-data").is_visible()
            assert page.locator("svg[data-chart=funding-county-ranking] rect.bar").count() == 21
            assert "Blekinge gets" in page.locator("#benchmark-lines").inner_text()
        finally:
            browser.close()
    outside = [u for u in requests if urlsplit(u).hostname not in ("127.0.0.1", "localhost")]
    assert outside == [] and errors == []
