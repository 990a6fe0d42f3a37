"""What the funding page promises a reader: a year chart whose axis labels fit and whose missing years
show as zero, and reference figures (populations, SEK/EUR rates) that are consistent with themselves and
say on the page that they are approximate, and from which year."""

from __future__ import annotations

import re
from importlib import resources

from fastapi.testclient import TestClient
from viewdata import BTH, load

from api.app import create_app
from graph.analysis.funding import population, rates
from graph.model import Money, Participation, Role, SourceRef
from graph.settings import Settings
from graph.store.sqlite import SqliteStore
from viz.charts import compact, label_width, line_chart, year_points


def funded(store: SqliteStore) -> None:
    """The view graph plus amounts: 112.5 M€ in 2017, 30 M SEK in 2015, 5 M€ in 2022 (gaps between)."""
    load(store)
    src = [SourceRef(source="csv", record="funded", file="test")]
    with store.writer() as w:
        w.upsert_participations(
            [
                Participation(
                    actor_id=BTH,
                    project_id="h2020:722000",
                    role=Role.coordinator,
                    contribution=Money(amount=112_500_000, currency="EUR"),
                    sources=src,
                ),
                Participation(
                    actor_id="se:region-blekinge",
                    project_id="erdf:20201234",
                    role=Role.project_owner,
                    contribution=Money(amount=30_000_000, currency="SEK"),
                    sources=src,
                ),
                Participation(
                    actor_id=BTH,
                    project_id="interreg:south-baltic:blue-growth",
                    role=Role.partner,
                    contribution=Money(amount=5_000_000, currency="EUR"),
                    sources=src,
                ),
            ]
        )


def test_year_points_fill_every_year_between_with_zero() -> None:
    assert year_points({2015: 1.0, 2017: 3.0, 2019: 2.0}) == [
        ("2015", 1.0),
        ("2016", 0.0),
        ("2017", 3.0),
        ("2018", 0.0),
        ("2019", 2.0),
    ]
    assert year_points({}) == []


def test_line_chart_axis_is_round_and_its_labels_fit_the_margin() -> None:
    svg = str(line_chart("c", "t", [("2015", 112_500_000.0), ("2016", 0.0)], axis_label=compact))
    ticks = re.findall(r'<text class="tick" x="(\d+)"[^>]*>([^<]+)</text>', svg)
    assert [t for _, t in ticks] == ["0", "100 M", "200 M"]  # round ends, short words
    for x, text in ticks:  # right-aligned at x: the label's left edge stays inside the drawing
        assert int(x) - label_width(text) >= 0, text
    # Long plain numbers widen the margin rather than being cut.
    svg = str(line_chart("c", "t", [("2015", 112_500_000.0)]))
    for x, text in re.findall(r'<text class="tick" x="(\d+)"[^>]*>([^<]+)</text>', svg):
        assert int(x) - label_width(text) >= 0, text


def test_reference_files_are_consistent_and_say_they_are_approximate() -> None:
    pop = population()
    text = resources.files("graph").joinpath("data", "population.csv").read_text(encoding="utf-8")
    # The national figure the file states is the sum of its rows (no second, contradicting total).
    stated = {int(n.replace(",", "")) for n in re.findall(r"\b\d{1,2},\d{3},\d{3}\b", text)}
    assert stated == {pop.sweden}, stated
    assert len(pop.by_county) == 21 and pop.year == 2023
    assert pop.approximate and "approximate" in text.lower()
    assert rates().approximate


def test_funding_page_names_the_population_year_and_says_approximate(tmp_path) -> None:  # type: ignore[no-untyped-def]
    store = SqliteStore(tmp_path / "g.db")
    funded(store)
    client = TestClient(create_app(Settings(db=store.path), store=store))
    for lang, word, million in (("en", "approximate", " M<"), ("sv", "ungefärligt", " milj.<")):
        page = client.get("/views/funding", params={"county": "10", "lang": lang}).text
        line = re.search(r'<p class="note" id="population-source"[^>]*>([^<]+)</p>', page)
        assert line is not None and "2023" in line.group(1) and word in line.group(1), lang
        assert 'id="rates-approximate"' in page  # the ERDF amount was converted from SEK
        assert "≈ " in page.split('id="funding-total"')[1].split("</p>")[0]  # per inhabitant: ≈
        chart = page.split('data-chart="funding-by-year"')[1].split("</svg>")[0]
        labels = re.findall(r'class="point(?: missing)?" data-label="(\d+)" data-value="([^"]*)"', chart)
        assert [y for y, _ in labels] == [str(y) for y in range(2015, 2024)]  # 2016, 2018–2021 kept
        # no source of this store starts a project in 2016 or 2018-2021: not in the data, not zero
        assert dict(labels)["2016"] == "" and dict(labels)["2017"] == "112,500,000"
        assert million in chart
    store.close()
