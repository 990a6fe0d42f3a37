"""Drawing funding figures: the charts and sentences shared by the funding page and the county report.

The numbers are `graph.analysis.funding` results as they are; this module only draws them (inline SVG
from `viz.charts`, no script, no CDN) and words them in English or Swedish (`viz/texts.yaml`, section
`funding`). The page is `/views/funding`; the county report includes the same section template.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from markupsafe import Markup

from graph.analysis.funding import AMOUNT_MEANING, Benchmark, FundingResult, Untapped
from graph.geo import COUNTIES
from viz.charts import PALETTE, Bar, compact, hbar_chart, line_chart, year_points
from viz.page import render_page
from viz.texts import check_lang, texts


def year_series(result: FundingResult) -> list[tuple[str, float | None]]:
    """EUR by start year, every year kept: 0 where the data covers a year without money, None where it
    does not cover the year (`FundingResult.years_covered`)."""
    return year_points({int(x.key): x.eur for x in result.by_year if x.key.isdigit()}, result.years_covered)


def funding_charts(
    result: FundingResult,
    ranking: Benchmark | None,
    t: dict[str, str],
    years: list[tuple[str, float | None]],
) -> dict[str, Markup | None]:
    """Bars by programme, a line by start year (`years`: `year_series`) and (with a benchmark) the county
    ranking per inhabitant."""
    return {
        "by_programme": hbar_chart(
            "funding-by-programme",
            t["by_programme"],
            [Bar(x.label, x.eur, f"€ · {x.unknown_share:.0%} ?") for x in result.by_programme],
            PALETTE[0],
        ),
        "by_year": line_chart(
            "funding-by-year",
            t["by_year"],
            years,
            axis_label=lambda v: compact(v, t["million"], t["thousand"]),
            missing=t["year_not_in_data"],
        ),
        "ranking": hbar_chart(
            "funding-county-ranking",
            t["ranking"],
            [Bar(r.name, r.per_inhabitant, f"#{r.rank}") for r in ranking.rows],
            PALETTE[2],
        )
        if ranking is not None
        else None,
    }


def benchmark_lines(ranking: Benchmark, t: dict[str, str], lang: str) -> list[str]:
    """One sentence per focus county, in the page's language, from the benchmark's numbers."""
    what = ", ".join([*ranking.scope.get("programme", []), *ranking.scope.get("theme", [])]) or t["what_all"]
    rows = {r.county_code: r for r in ranking.rows}
    lines = []
    for code in ranking.focus:
        r = rows[code]
        lines.append(
            t["benchmark_line"].format(
                county=COUNTIES[code].short_name,
                per=f"{r.per_inhabitant:,.2f}",
                what=what,
                median=f"{ranking.median_per_inhabitant:,.2f}",
                rank=r.rank,
                n=len(ranking.rows),
                share=f"{r.unknown_share:.0%}",
            )
        )
    return lines


def _year_runs(years: list[int]) -> str:
    """2019, 2020, 2023 → "2019–2020, 2023"."""
    runs: list[list[int]] = []
    for y in years:
        if runs and y == runs[-1][-1] + 1:
            runs[-1].append(y)
        else:
            runs.append([y])
    return ", ".join(f"{r[0]}–{r[-1]}" if len(r) > 1 else str(r[0]) for r in runs)


def section_context(result: FundingResult, ranking: Benchmark | None, lang: str = "en") -> dict[str, Any]:
    """What `funding_section.html` needs: the result, its texts, charts and benchmark sentences."""
    t = texts("funding", check_lang(lang))
    years = year_series(result)
    return {
        "f": result,
        "t": t,
        "fc": funding_charts(result, ranking, t, years),
        "years_missing": _year_runs([int(y) for y, v in years if v is None]),
        "lines": benchmark_lines(ranking, t, lang) if ranking is not None else [],
    }


def funding_page(
    result: FundingResult, ranking: Benchmark | None, lang: str = "en", gaps: Untapped | None = None
) -> str:
    """The `/views/funding` page (`gaps`: the untapped parts of a single county, when one is chosen)."""
    ctx = section_context(result, ranking, lang)
    query = urlencode(
        [("county", c) for c in result.scope["counties"] or ["all"]]
        + [("programme", p) for p in result.scope["programme"]]
    )
    return render_page(
        "funding.html",
        lang=lang,
        page_title=ctx["t"]["page_title"].format(label=result.total.label),
        counties=sorted(COUNTIES.values(), key=lambda c: c.name),
        programmes=sorted(AMOUNT_MEANING),
        json_url=f"/funding?{query}",
        tag="h2",
        gaps=gaps,
        **ctx,
    )
