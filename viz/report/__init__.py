"""Drawing the county report: one self-contained HTML page (inline CSS and SVG charts).

The figures come from `graph.report.county_report` (data and rules live in the graph layer); this
package only renders them with the `viz/templates/county_report.html` template in the pages' Jinja
environment (autoescaped: names are data and are shown as text), with the texts of `viz/texts.yaml`.
Printing to PDF is apart, in `viz.report.pdf`.
"""

from __future__ import annotations

from typing import Any

from graph.geo import COUNTIES
from graph.report import CountyReport
from viz.charts import PALETTE, Bar, hbar_chart, stacked_columns
from viz.counties import ratio_bin
from viz.funding import section_context
from viz.page import render_page
from viz.texts import LANGS, check_lang, kind_labels, texts

__all__ = ["LANGS", "charts", "render_html"]


def charts(report: CountyReport, t: dict[str, str], lang: str = "en") -> dict[str, Any]:
    """The inline SVG charts of the report, keyed by section."""
    years = sorted({r.year for r in report.projects_by_year}, key=lambda y: (y == "?", y))
    programmes = [c.key for c in report.projects_by_programme]
    series = {
        prog: [
            sum(r.projects for r in report.projects_by_year if r.year == y and r.programme == prog)
            for y in years
        ]
        for prog in programmes
    }
    return {
        "actors": hbar_chart(
            "actors-by-kind", t["actors"], [Bar(c.label, c.value) for c in report.actors_by_kind], PALETTE[0]
        ),
        "projects": stacked_columns("projects-by-year", t["projects"], years, series),
        "partner_counties": hbar_chart(
            "partner-counties",
            t["partner_counties"],
            [Bar(p.label, p.projects) for p in report.partner_counties[:20]],
            PALETTE[2],
        ),
        "partner_countries": hbar_chart(
            "partner-countries",
            t["partner_countries"],
            [Bar(p.label, p.projects) for p in report.partner_countries[:20]],
            PALETTE[1],
        ),
        "pairs": hbar_chart(
            "county-ratios",
            t["pairs"],
            [
                Bar(
                    str(r["label"]),
                    float(r["ratio"]),
                    f"{r['observed']} / {float(r['expected']):.2f}: {ratio_bin(float(r['ratio']), lang)[1]}",
                    ratio_bin(float(r["ratio"]), lang)[0],
                )
                for r in report.county_pairs
                if r.get("ratio") is not None and r["observed"]
            ],
            PALETTE[3],
        ),
    }


def render_html(report: CountyReport, lang: str = "en") -> str:
    """The report as one self-contained HTML page (no external assets)."""
    t = texts("report", check_lang(lang))
    kinds = kind_labels(lang)
    report = report.model_copy(deep=True)
    for c in report.actors_by_kind:
        c.label = kinds.get(c.key, c.key)
    names = {c: info.short_name for c, info in COUNTIES.items()}
    return render_page(
        "county_report.html",
        r=report,
        t=t,
        lang=lang,
        kinds=kinds,
        county_names=names,
        charts=charts(report, t, lang),
        funding=section_context(report.funding, report.funding_benchmark, lang) if report.funding else None,
    )
