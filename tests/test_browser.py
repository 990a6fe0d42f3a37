"""The pages in a real headless Chromium (Debian's, driven by Playwright), as a person would use them.

A fixture builds a small store (tests/viewdata.py, with a hostile actor name), starts `innograph
serve` on a free loopback port and always stops it. Every request the browser makes is recorded and
must stay on 127.0.0.1. Screenshots go to tests/artifacts/ (git-ignored).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from api_server import serve_api
from viewdata import BTH, HOSTILE, load

from graph.store.sqlite import SqliteStore

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).parent / "artifacts"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

if not CHROMIUM.exists():
    pytest.skip(
        f"{CHROMIUM} not installed (scripts/setup installs Debian's chromium)", allow_module_level=True
    )
sync_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    db = tmp_path_factory.mktemp("browser") / "g.db"
    store = SqliteStore(db)
    load(store)
    store.close()
    with serve_api(db) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        try:
            yield b
        finally:
            b.close()


class Visit:
    """A page plus what happened on it: every request URL, dialogs, script errors."""

    def __init__(self, browser: Any) -> None:
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        self.page = self.context.new_page()
        self.requests: list[str] = []
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        # A script or style the Content-Security-Policy refused is an error too.
        self.page.on(
            "console",
            lambda m: self.errors.append(m.text) if "Content Security Policy" in m.text else None,
        )

    def outside(self) -> list[str]:
        return [u for u in self.requests if urlsplit(u).hostname not in ("127.0.0.1", "localhost")]

    def shot(self, name: str) -> None:
        ARTIFACTS.mkdir(exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def visit(browser: Any) -> Iterator[Visit]:
    v = Visit(browser)
    try:
        yield v
    finally:
        v.close()


# Statistics of the drawn canvas: how many pixels differ from the background and the grey-level variance.
CANVAS_STATS = """() => {
  const c = document.querySelector('#network canvas');
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let n = 0, sum = 0, sum2 = 0, ink = 0;
  for (let i = 0; i < d.length; i += 16) {
    const g = (d[i] + d[i + 1] + d[i + 2]) / 3 * (d[i + 3] / 255) + 255 * (1 - d[i + 3] / 255);
    n++; sum += g; sum2 += g * g; if (g < 245) ink++;
  }
  const mean = sum / n;
  return {variance: sum2 / n - mean * mean, ink: ink / n, width: c.width, height: c.height};
}"""


def wait_drawn(page: Any) -> None:
    page.wait_for_function("() => window.innograph && window.innograph.stabilised === true", timeout=20_000)


def hover(page: Any, node_id: str) -> Any:
    """Move the mouse onto a node and return vis-network's tooltip once it shows."""
    pos = page.evaluate(
        """(id) => { const net = window.innograph.network;
                     const p = net.canvasToDOM(net.getPositions([id])[id]);
                     const r = document.querySelector('#network').getBoundingClientRect();
                     return {x: r.left + p.x, y: r.top + p.y}; }""",
        node_id,
    )
    page.mouse.move(pos["x"], pos["y"])
    page.wait_for_selector("div.vis-tooltip", state="visible", timeout=5_000)
    return page.locator("div.vis-tooltip")


def test_search_open_actor_view_and_see_the_network(server: str, visit: Visit) -> None:
    page = visit.page
    page.goto(server + "/")
    page.fill("#q", "Blekinge")
    page.click("#search-form button[type=submit]")
    page.wait_for_selector("#results li a.actor-link")
    names = page.locator("#results a.actor-link").all_inner_texts()
    assert names == ["Blekinge Tekniska Högskola", "Region Blekinge"]
    assert "Blekinge län" in page.inner_text("#results li:first-child")
    visit.shot("start-search-blekinge")

    page.click("text=Blekinge Tekniska Högskola")
    page.wait_for_url(f"{server}/views/actor/{BTH}")
    wait_drawn(page)
    state = page.evaluate("() => ({nodes: window.innograph.nodes, edges: window.innograph.edges})")
    assert state == {"nodes": 6, "edges": 9}
    assert page.get_attribute("body", "data-nodes") == "6"
    stats = page.evaluate(CANVAS_STATS)
    assert stats["width"] > 300 and stats["height"] > 300
    assert stats["variance"] > 20 and stats["ink"] > 0.002, stats  # something is drawn, not a blank canvas
    visit.shot("actor-bth")
    assert visit.outside() == [] and visit.errors == []


def test_hostile_name_shows_as_text_in_results_heading_and_tooltip(server: str, visit: Visit) -> None:
    page = visit.page
    page.goto(server + "/")
    page.fill("#q", "onerror")
    page.click("#search-form button[type=submit]")
    page.wait_for_selector("#results li a.actor-link")
    assert page.locator("#results a.actor-link").all_inner_texts() == [HOSTILE]
    assert page.locator("#results img").count() == 0

    page.goto(server + "/views/actor/x:evil")
    wait_drawn(page)
    assert page.inner_text("#view-title") == f"{HOSTILE}: collaboration network"
    # Hover the hostile node: vis-network shows the tooltip we built with textContent.
    tip = hover(page, "x:evil")
    assert tip.inner_text().splitlines()[0] == HOSTILE
    assert tip.locator("img").count() == 0 and page.locator("img").count() == 0
    visit.shot("actor-hostile-tooltip")
    page.wait_for_timeout(300)
    assert page.evaluate("() => typeof window.__xss") == "undefined"
    assert visit.dialogs == [] and visit.errors == [] and visit.outside() == []


def test_theme_view_with_hostile_project_title(server: str, visit: Visit) -> None:
    page = visit.page
    page.goto(server + "/views/theme/po:PO1")
    wait_drawn(page)
    assert page.evaluate("() => window.innograph.nodes") == 7
    assert page.evaluate("() => typeof window.__xss") == "undefined"
    visit.shot("theme-po1")
    assert visit.dialogs == [] and visit.errors == [] and visit.outside() == []


def test_county_view_from_the_start_page(server: str, visit: Visit) -> None:
    page = visit.page
    page.goto(server + "/")
    page.click("#overviews a[href='/views/counties']")
    page.wait_for_url(f"{server}/views/counties")
    wait_drawn(page)
    assert page.evaluate("() => [window.innograph.nodes, window.innograph.edges]") == [7, 2]
    # Fixed, geographic positions: Skåne is drawn south (below) of Jönköping.
    ys = page.evaluate(
        "() => { const p = window.innograph.network.getPositions(['06', '12']); return [p['06'].y, p['12'].y]; }"
    )
    assert ys[0] < ys[1]
    stats = page.evaluate(CANVAS_STATS)
    assert stats["variance"] > 20 and stats["ink"] > 0.002, stats
    assert page.locator(".legend li").count() >= 6
    visit.shot("counties")
    assert visit.outside() == [] and visit.errors == []


def test_isolated_view_lists_flagged_actors_as_links(server: str, visit: Visit) -> None:
    page = visit.page
    page.goto(server + "/views/isolated?county=10")
    wait_drawn(page)
    assert page.evaluate("() => window.innograph.nodes") == 4
    assert page.locator("table.list a").all_inner_texts() == ["Ensam AB"]
    visit.shot("isolated-blekinge")
    assert page.evaluate("() => typeof window.__xss") == "undefined"
    assert visit.dialogs == [] and visit.errors == [] and visit.outside() == []


@pytest.mark.parametrize("path", ["/views/partners?members=x:evil&top=5", "/views/isolated?county=10"])
def test_hostile_name_in_partner_and_isolated_views_stays_text(server: str, visit: Visit, path: str) -> None:
    page = visit.page
    page.goto(server + path)
    wait_drawn(page)
    tip = hover(page, "x:evil")
    assert tip.inner_text().splitlines()[0].startswith(HOSTILE)
    assert page.locator("img").count() == 0
    page.wait_for_timeout(200)
    assert page.evaluate("() => typeof window.__xss") == "undefined"
    assert visit.dialogs == [] and visit.errors == [] and visit.outside() == []


def test_api_docs_render_offline(server: str, visit: Visit) -> None:
    page = visit.page
    page.goto(server + "/docs")
    page.wait_for_selector(".swagger-ui .info .title", timeout=20_000)
    assert "innograph" in page.inner_text(".swagger-ui .info .title")
    assert page.locator(".opblock-summary-path").count() >= 15
    visit.shot("docs")
    assert visit.outside() == [] and visit.errors == []


# -- honest answers (issue 21) ------------------------------------------------------------------

NODE_IDS = "() => window.innograph.network.body.data.nodes.getIds()"
PAGE_WIDTH = "() => document.documentElement.scrollWidth"


def test_capped_ego_view_keeps_the_strongest_ties_and_says_what_it_left_out(
    server: str, visit: Visit
) -> None:
    page = visit.page
    page.goto(server + f"/views/actor/{BTH}?max_nodes=3")
    wait_drawn(page)
    ids = set(page.evaluate(NODE_IDS))
    # five partners share one project each: the South Swedish ones of the newest project stay
    assert ids == {BTH, "se:region-blekinge", "se:region-kronoberg"}
    note = page.locator("p.note").first.inner_text()
    assert "strongest ties first" in note and "2 of 5 direct partners" in note and "3 actors" in note
    two = visit.context.new_page()
    two.goto(server + "/views/actor/se:region-skane?depth=2&max_nodes=4")
    wait_drawn(two)
    hops = two.evaluate("() => window.innograph.network.body.data.nodes.get().map(n => n.hop)")
    assert 2 in hops, hops  # depth 2 keeps room for an actor at hop 2
    assert visit.errors == [] and visit.outside() == []


def test_status_line_says_what_a_click_does_and_the_click_does_it(server: str, visit: Visit) -> None:
    page = visit.page
    page.goto(server + f"/views/actor/{BTH}")
    wait_drawn(page)
    status = page.inner_text("#status")
    assert "double-click" in status and "click a node to show its link" in status
    where = """(id) => { const net = window.innograph.network;
                     const p = net.canvasToDOM(net.getPositions([id])[id]);
                     const r = document.querySelector('#network').getBoundingClientRect();
                     return {x: r.left + p.x, y: r.top + p.y}; }"""
    pos = page.evaluate(where, "se:region-blekinge")
    page.mouse.click(pos["x"], pos["y"])
    page.wait_for_selector("#selected a")
    assert page.get_attribute("#selected a", "href") == "/views/actor/se:region-blekinge"
    page.wait_for_timeout(300)
    pos = page.evaluate(where, "se:region-blekinge")  # the line below the network may move it
    page.mouse.dblclick(pos["x"], pos["y"])
    page.wait_for_url(f"{server}/views/actor/se:region-blekinge")


def test_theme_view_has_its_table_beside_the_network_and_marks_south_swedish_actors(
    server: str, visit: Visit
) -> None:
    page = visit.page
    page.goto(server + "/views/theme/po:PO1")
    wait_drawn(page)
    net = page.locator("#network").bounding_box()
    table = page.locator("#view-table").bounding_box()
    assert net and table and table["x"] >= net["x"] + net["width"] - 1, (net, table)
    rows = page.locator("#view-table tbody tr").count()
    assert rows == 2  # both PO1 projects, the same set the report would count
    assert "Region Blekinge" in page.inner_text("#view-table")
    south = page.evaluate("() => window.innograph.network.body.data.nodes.get().filter(n => n.south).length")
    assert south >= 3
    assert "projects in the data are on this theme" in page.inner_text("#scope-line")
    assert page.evaluate(PAGE_WIDTH) <= 1280
    visit.shot("theme-po1-table")


@pytest.mark.parametrize(
    "path", ["/", "/views/counties", "/views/isolated", f"/views/actor/{BTH}", "/views/theme/po:PO1"]
)
def test_no_page_is_wider_than_a_1280_px_window(server: str, visit: Visit, path: str) -> None:
    visit.page.goto(server + path)
    assert visit.page.evaluate(PAGE_WIDTH) <= 1280, path
    assert visit.page.is_visible("#coverage")  # every page says what the data covers


def test_start_page_offers_s3_areas_before_programme_parts(server: str, visit: Visit) -> None:
    page = visit.page
    page.goto(server + "/")
    s3 = page.locator("#s3-themes").bounding_box()
    parts = page.locator("#programme-themes").bounding_box()
    assert s3 and parts and s3["y"] < parts["y"]


def test_counties_view_names_its_scope_model_and_colours_in_words(server: str, visit: Visit) -> None:
    page = visit.page
    page.goto(server + "/views/counties")
    wait_drawn(page)
    line = page.inner_text("#scope-line")
    assert "Scope: counties" in line and "P_a × P_b / N" in line and "Sweden-wide" in line
    legend = page.inner_text(".legend")
    assert "fewer shared projects than expected" in legend and "more than expected" in legend
    assert "in words" in page.inner_text("#view-table thead")


def test_pages_in_swedish_by_parameter_and_by_browser_language(server: str, browser: Any) -> None:
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="sv-SE")
    try:
        page = ctx.new_page()
        page.goto(server + "/")
        assert page.inner_text("h1") == "Innovationssystemet i Sydsverige"
        assert page.get_attribute("html", "lang") == "sv"
        page.goto(server + "/views/counties")
        wait_drawn(page)
        assert page.inner_text("#view-title") == "Samverkan mellan län"
        assert "Avgränsning" in page.inner_text("#scope-line")
        assert "klicka" in page.inner_text("#status")
    finally:
        ctx.close()
    en = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    try:
        page = en.new_page()
        page.goto(server + f"/views/actor/{BTH}?lang=sv")
        assert page.inner_text("#view-title").endswith("samverkansnätverk")
        page.goto(server + "/views/theme/po:PO1")
        assert page.inner_text("#view-title").startswith("Theme:")
        assert page.goto(server + "/views/counties?lang=xx").status == 422
    finally:
        en.close()


@pytest.fixture(scope="module")
def funded_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The view graph with amounts in 2015, 2017 and 2022 (tests/test_funding_trust.py: funded)."""
    from test_funding_trust import funded

    db = tmp_path_factory.mktemp("funded") / "g.db"
    store = SqliteStore(db)
    funded(store)
    store.close()
    with serve_api(db) as url:
        yield url


# Each y-axis label of the funding year chart: its drawn box against the chart's, and its text.
TICK_BOXES = """() => {
  const svg = document.querySelector('svg[data-chart="funding-by-year"]');
  const s = svg.getBoundingClientRect();
  return [...svg.querySelectorAll('text.tick')].map(t => {
    const r = t.getBoundingClientRect();
    return {text: t.textContent, left: r.left - s.left, right: r.right - s.left};
  });
}"""


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_funding_year_chart_labels_are_whole_and_missing_years_show(
    funded_server: str, visit: Visit, lang: str
) -> None:
    visit.page.goto(f"{funded_server}/views/funding?county=10&lang={lang}")
    ticks = visit.page.evaluate(TICK_BOXES)
    assert [t["text"] for t in ticks] == (
        ["0", "100 M", "200 M"] if lang == "en" else ["0", "100 milj.", "200 milj."]
    )
    plot_left = visit.page.evaluate(
        "() => document.querySelector('svg[data-chart=\"funding-by-year\"] line').getAttribute('x1')"
    )
    for t in ticks:  # the whole label is inside the chart, left of the plot
        assert t["left"] >= 0 and t["right"] <= float(plot_left), t
    whole = visit.page.evaluate(
        """() => { const svg = document.querySelector('svg[data-chart="funding-by-year"]');
                   const s = svg.getBoundingClientRect();
                   return [...svg.querySelectorAll('text')].every(t => { const r = t.getBoundingClientRect();
                     return r.left >= s.left && r.right <= s.right; }); }"""
    )
    assert whole  # no label of the chart (axis ticks, years) is cut at its edges
    years = visit.page.eval_on_selector_all(
        'svg[data-chart="funding-by-year"] circle.point',
        "cs => cs.map(c => [c.dataset.label, c.dataset.value])",
    )
    assert [y for y, _ in years] == [str(y) for y in range(2015, 2024)]
    # the store's sources start projects in 2015 (ERDF), 2017 (H2020) and 2022-2023 (Interreg): the years
    # between are not in the data, drawn as gaps with a line saying so, not as zero; 2023 is covered
    assert dict(years)["2016"] == "" and dict(years)["2019"] == "" and dict(years)["2023"] == "0"
    missing = visit.page.eval_on_selector_all(
        'svg[data-chart="funding-by-year"] circle.point.missing', "cs => cs.map(c => c.dataset.label)"
    )
    assert missing == ["2016", "2018", "2019", "2020", "2021"]
    assert "2018–2021" in visit.page.inner_text("#years-not-in-data")
    line = visit.page.inner_text("#population-source")
    assert "2023" in line and ("approximate" if lang == "en" else "ungefärligt") in line
    visit.shot(f"funding-year-chart-{lang}")
    assert visit.outside() == [] and visit.errors == []


def test_isolated_view_in_swedish_gives_reasons_and_tooltips_in_swedish(server: str, visit: Visit) -> None:
    visit.page.goto(server + "/views/isolated?county=10&lang=sv")
    wait_drawn(visit.page)
    tip = hover(visit.page, "se:ensam-ab").inner_text()
    assert "i inget projekt" in tip and "gemensamma projekt med länets visade aktörer: 0" in tip
    assert "företag" in tip and "shared projects" not in tip and "in no project" not in tip
    row = visit.page.locator("table.list tr", has_text="Ensam AB").inner_text()
    assert "i inget projekt" in row and "in no project" not in row
    visit.page.goto(server + "/views/isolated?county=10&lang=en")
    wait_drawn(visit.page)
    assert "in no project" in hover(visit.page, "se:ensam-ab").inner_text()


def test_a_long_theme_name_never_widens_the_start_page(tmp_path: Path, visit: Visit) -> None:
    """Real programme parts have 300-character names (Euratom's); the partner form's theme list holds them."""
    from graph.model import Theme, ThemeKind

    db = tmp_path / "g.db"
    store = SqliteStore(db)
    load(store)
    long_name = "Promotion of innovation, knowledge management and dissemination " * 5
    with store.writer() as w:
        w.upsert_themes([Theme(id="part:x:1", name=long_name.strip(), kind=ThemeKind.programme_part)])
    store.close()
    with serve_api(db) as url:
        visit.page.goto(url + "/")
        assert long_name.strip()[:40] in visit.page.inner_html("select[name=theme]")
        assert visit.page.evaluate(PAGE_WIDTH) <= 1280
