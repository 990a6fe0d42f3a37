"""XSS through every page: a store whose every text a user can load is a payload naming its field.

The payloads go in through `innograph ingest csv` as a user would load them (actor names, aliases,
cities, websites, project titles, acronyms, programme names) and through the query (an id, a topic, a
county, pasted call topics), then every HTML page is read: the server-side test checks that no
payload reaches the HTML as markup (only escaped), in English and Swedish, on error pages too; the
browser test opens the same pages in Chromium and checks that no payload ran (`window.__xss`), no
dialog opened, the Content-Security-Policy refused nothing (it would have, had a handler reached the
page) and no `javascript:` link exists.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from graph.settings import Settings

from .conftest import RunCli


def payload(field: str) -> str:
    """Markup that runs in an element, in an attribute (the quotes close it) and in a URL."""
    return f"<img src=x onerror=window.__xss='{field}'>\"'><svg onload=window.__xss='{field}2'>"


EVIL = "reg:evil-battery"
LONELY = "reg:evil-lonely"
Q = payload("query")


def hostile_csv(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    rows = {
        "actors.csv": [
            ["id", "name", "kind", "country", "county_code", "city", "aliases", "website"],
            [
                EVIL,
                payload("name") + " Battery AB",
                "company",
                "SE",
                "10",
                payload("city"),
                payload("alias"),
                "javascript:window.__xss='website'",
            ],
            [LONELY, payload("name2") + " Lonely AB", "company", "SE", "10", "", "", ""],
        ],
        "projects.csv": [
            ["id", "title", "programme", "start", "end", "budget", "currency", "acronym", "themes"],
            [
                "reg:evil-project",
                payload("title") + " battery storage hydrogen",
                payload("programme"),
                "2022-01-01",
                "2024-12-31",
                "1000000",
                "EUR",
                payload("acronym"),
                "s3:blekinge:tech",
            ],
            [
                "reg:evil-alone",
                payload("title2") + " alone",
                "Interreg",
                "2022-01-01",
                "2024-12-31",
                "1000",
                "EUR",
                "",
                "",
            ],
        ],
        "participations.csv": [
            ["actor_id", "project_id", "role", "contribution", "currency"],
            [EVIL, "reg:evil-project", "coordinator", "500000", "EUR"],
            ["se:region-blekinge", "reg:evil-project", "partner", "100000", "EUR"],
            ["se:blekinge-tekniska-hogskola", "reg:evil-project", "partner", "100000", "EUR"],
            [LONELY, "reg:evil-alone", "coordinator", "1000", "EUR"],
        ],
    }
    for name, table in rows.items():
        with (folder / name).open("w", newline="", encoding="utf-8") as f:
            csv.writer(f).writerows(table)
    return folder


def _topics(text: str) -> str:
    return quote(text)


# Every page people open, with the hostile actor, project and programme on it, and the query echoed.
PAGES = [
    "/",
    "/?lang=sv",
    f"/views/actor/{EVIL}",
    f"/views/actor/{EVIL}?lang=sv",
    f"/views/actor/{LONELY}",
    "/views/actor/" + quote(Q),
    "/views/theme/s3:blekinge:tech",
    "/views/theme/s3:blekinge:tech?lang=sv",
    "/views/theme/" + quote(Q),
    f"/views/partners?with={EVIL}&top=10",
    "/views/partners?topic=battery+storage+hydrogen&top=10",
    "/views/partners?topic=" + quote(Q),
    "/views/isolated?county=10",
    "/views/isolated?county=10&lang=sv",
    "/views/isolated?county=" + quote(Q),
    "/views/counties",
    "/views/funding?county=10",
    "/views/funding?county=10&lang=sv",
    "/views/funding?programme=" + quote(Q),
    "/views/calls?county=10&topics=" + _topics("HORIZON-X-1 battery storage hydrogen\n" + Q),
    f"/views/calls?actor={EVIL}&topics=" + _topics("HORIZON-X-1 battery storage hydrogen"),
    "/views/calls?topics=" + _topics('code,title\nA-1,"' + Q),
    "/reports/county/10",
    "/reports/county/10?lang=sv",
    "/views/nowhere/" + quote(Q),
]
# Markup a payload would have become: a tag, or a link that runs script. Escaped text (&lt;img …) is fine.
MARKUP = re.compile(r"<img|<svg onload|<script>window|href=[\"']?\s*javascript:", re.IGNORECASE)


@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory: pytest.TempPathFactory, registry_template: Path) -> Path:
    import shutil

    from api.cli import main

    root = tmp_path_factory.mktemp("xss")
    db = root / "g.db"
    shutil.copy(registry_template, db)
    try:
        main(["ingest", "csv", str(hostile_csv(root / "in")), "--db", str(db)])
    except SystemExit as e:
        assert not e.code
    return db


def test_the_payloads_are_stored_as_text(hostile_db: Path, cli: RunCli) -> None:
    """The payloads are data, not errors: ingest keeps them (so the pages below are really attacked)."""
    run = cli("actor", EVIL, "--db", hostile_db)
    assert run.code == 0 and payload("name") in run.out and payload("city") in run.out


@pytest.mark.parametrize("path", PAGES)
def test_no_payload_becomes_markup(hostile_db: Path, path: str) -> None:
    with TestClient(create_app(Settings(db=hostile_db)), raise_server_exceptions=False) as c:
        r = c.get(path)
    assert r.status_code in (200, 404, 422), (r.status_code, r.text[:300])
    assert r.headers["content-type"].startswith("text/html")
    assert (
        "default-src 'none'" in r.headers["content-security-policy"]
        or "default-src" in r.headers["content-security-policy"]
    )
    assert r.headers["x-content-type-options"] == "nosniff"
    assert not MARKUP.findall(r.text), MARKUP.findall(r.text)[:5]
    # a JSON block inside the page never holds a raw '<' (`</script>` would end it early)
    for block in re.findall(r'<script type="application/json"[^>]*>(.*?)</script>', r.text, re.S):
        assert "<" not in block


def test_the_hostile_names_are_on_the_pages(hostile_db: Path) -> None:
    """Where the attack is aimed: the escaped name is shown on the actor, partner, isolated, funding,
    calls and report pages (a page that dropped it would pass the test above for nothing)."""
    shown = "&lt;img src=x onerror=window.__xss=&#39;name&#39;&gt;"
    with TestClient(create_app(Settings(db=hostile_db)), raise_server_exceptions=False) as c:
        for path in (PAGES[2], PAGES[9], PAGES[12], PAGES[16], PAGES[19], PAGES[22]):
            text = c.get(path).text
            assert shown in text or "Battery AB" in text, path


# -- the same pages in a real browser ---------------------------------------------------------------------
# Where each drawn node is on the screen (the tooltips, which are where a name becomes DOM, show on hover).
NODE_SPOTS = """() => { const net = window.innograph.network;
  const r = document.querySelector('#network').getBoundingClientRect();
  return Object.values(net.getPositions()).slice(0, 40).map(
    (xy) => { const p = net.canvasToDOM(xy); return {x: r.left + p.x, y: r.top + p.y}; }); }"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from viz.report.pdf import CHROMIUM, CHROMIUM_FLAGS

    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} not installed (scripts/setup installs Debian's chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=[f for f in CHROMIUM_FLAGS if "pdf" not in f])
        try:
            yield b
        finally:
            b.close()


@pytest.fixture(scope="module")
def server(hostile_db: Path) -> Iterator[str]:
    import sys

    sys.path.insert(0, str(Path(__file__).parent.parent))
    from api_server import serve_api

    with serve_api(hostile_db) as url:
        yield url


@pytest.mark.browser
def test_no_payload_runs_in_chromium_on_any_page(server: str, browser: Any) -> None:
    ran: dict[str, list[str]] = {}
    for path in PAGES:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        seen: list[str] = []
        page.on("dialog", lambda d, seen=seen: (seen.append(f"dialog {d.message}"), d.dismiss()))
        page.on("pageerror", lambda e, seen=seen: seen.append(f"error {e}"))
        page.on(
            "console",
            lambda m, seen=seen: (
                seen.append(f"csp {m.text}") if "Content Security Policy" in m.text else None
            ),
        )
        try:
            page.goto(server + path, wait_until="load", timeout=60_000)
            if page.locator("#network").count():
                page.wait_for_function(
                    "() => window.innograph && window.innograph.stabilised === true", timeout=30_000
                )
                for spot in page.evaluate(NODE_SPOTS):
                    page.mouse.move(spot["x"], spot["y"])
                    page.wait_for_timeout(60)
            page.wait_for_timeout(200)
            xss = page.evaluate("() => window.__xss === undefined ? null : String(window.__xss)")
            if xss is not None:
                seen.append(f"ran payload {xss}")
            if page.locator("a[href^='javascript:' i]").count():
                seen.append("javascript: link")
            if page.locator("img[src='x'], svg[onload]").count():
                seen.append("payload element in the DOM")
        finally:
            context.close()
        if seen:
            ran[path] = seen
    assert ran == {}
