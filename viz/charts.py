"""Small charts as inline SVG, written by hand so a report needs no script, font or file from outside.

Every label passes through `markupsafe.escape`, so a name such as `<img src=x onerror=…>` is drawn as
text. Each chart is an `<svg>` with `role="img"`, a `<title>` and a `data-chart` name that tests and
readers can find; the numbers drawn are also written as `data-value` on each bar so a test can compare
them with the analysis results without parsing geometry.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from viz.style import PALETTE

FONT = "font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;font-size:12px"


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    note: str = ""  # drawn after the value, e.g. "0.4× expected"
    colour: str = ""  # this bar's own colour (else the chart's)


def _fmt(v: float) -> str:
    return f"{v:,.0f}" if float(v).is_integer() else f"{v:,.2f}"


def _nice_max(v: float) -> float:
    """The smallest 1, 2, 2.5 or 5 × 10ⁿ at or above `v` (whole numbers from 1 up): round axis ends.

    >>> [_nice_max(x) for x in (0, 3, 7, 180, 12_345_678)]
    [1.0, 5.0, 10.0, 200.0, 20000000.0]
    """
    if v <= 0:
        return 1.0
    scale = 10.0 ** math.floor(math.log10(v)) if v >= 1 else 1.0
    for step in (1, 2, 2.5, 5, 10):
        if v <= step * scale * (1 + 1e-12):
            return float(step * scale)
    return float(10 * scale)


def compact(v: float, million: str = "M", thousand: str = "k") -> str:
    """A short axis label: 12,500,000 → "12.5 M", 250,000 → "250 k", 40 → "40" (units as words given).

    >>> [compact(x) for x in (0, 40, 2500, 250_000, 12_500_000, 100_000_000)]
    ['0', '40', '2.5 k', '250 k', '12.5 M', '100 M']
    """
    for size, unit in ((1e6, million), (1e3, thousand)):
        if abs(v) >= size:
            return f"{v / size:,.1f}".removesuffix(".0") + f" {unit}"
    return _fmt(v)


def label_width(text: str) -> float:
    """About how wide `text` is drawn in the charts' 12 px sans-serif (digits and letters ~7 px)."""
    return 7.0 * len(text)


def hbar_chart(
    name: str, title: str, bars: Sequence[Bar], colour: str = PALETTE[0], width: int = 640
) -> Markup:
    """A horizontal bar chart: one row per bar, label on the left, value (and note) after the bar."""
    label_w, value_w, row_h, top = 230, 150, 22, 8
    plot_w = width - label_w - value_w
    height = top * 2 + row_h * max(len(bars), 1)
    vmax = _nice_max(max((b.value for b in bars), default=0))
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="chart" data-chart="{escape(name)}" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" style="{FONT}">',
        f"<title>{escape(title)}</title>",
    ]
    if not bars:
        out.append(f'<text x="4" y="{top + 14}" fill="#666">–</text>')
    for i, b in enumerate(bars):
        y = top + i * row_h
        w = 0.0 if vmax == 0 else plot_w * b.value / vmax
        label = b.label if len(b.label) <= 34 else b.label[:33] + "…"
        out.append(
            f'<text x="{label_w - 6}" y="{y + 15}" text-anchor="end"><title>{escape(b.label)}</title>'
            f"{escape(label)}</text>"
        )
        out.append(
            f'<rect class="bar" data-label="{escape(b.label)}" data-value="{escape(_fmt(b.value))}" '
            f'x="{label_w}" y="{y + 3}" width="{w:.1f}" height="{row_h - 6}" fill="{b.colour or colour}"/>'
        )
        text = _fmt(b.value) + (f"  {b.note}" if b.note else "")
        out.append(f'<text x="{label_w + w + 4:.1f}" y="{y + 15}">{escape(text)}</text>')
    out.append("</svg>")
    return Markup("".join(out))


def stacked_columns(
    name: str,
    title: str,
    categories: Sequence[str],
    series: Mapping[str, Sequence[int]],
    width: int = 640,
    height: int = 260,
) -> Markup:
    """Columns per category (e.g. start year), stacked by series (e.g. programme), with a legend."""
    left, right, top, bottom, legend_h = 40, 10, 10, 24, 18 * ((len(series) + 2) // 3)
    plot_h = height - top - bottom - legend_h
    plot_w = width - left - right
    totals = [sum(s[i] for s in series.values()) for i in range(len(categories))]
    vmax = _nice_max(max(totals, default=0))
    n = max(len(categories), 1)
    col_w = plot_w / n
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="chart" data-chart="{escape(name)}" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" style="{FONT}">',
        f"<title>{escape(title)}</title>",
    ]
    fracs = (0.0, 0.5, 1.0) if float(vmax / 2).is_integer() else (0.0, 1.0)  # counts: whole-number ticks
    for frac in fracs:
        y = top + plot_h * (1 - frac)
        out.append(f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>')
        out.append(f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end">{_fmt(vmax * frac)}</text>')
    colours = {s: PALETTE[i % len(PALETTE)] for i, s in enumerate(series)}
    for i, cat in enumerate(categories):
        x = left + i * col_w
        base = float(top + plot_h)
        for s, values in series.items():
            v = values[i]
            if not v:
                continue
            h = plot_h * v / vmax
            base -= h
            out.append(
                f'<rect class="bar" data-label="{escape(cat)} {escape(s)}" data-value="{v}" '
                f'x="{x + col_w * 0.15:.1f}" y="{base:.1f}" width="{col_w * 0.7:.1f}" height="{h:.1f}" '
                f'fill="{colours[s]}"><title>{escape(cat)} · {escape(s)}: {v}</title></rect>'
            )
        if totals[i]:
            out.append(
                f'<text x="{x + col_w / 2:.1f}" y="{base - 3:.1f}" text-anchor="middle">{totals[i]}</text>'
            )
        out.append(
            f'<text x="{x + col_w / 2:.1f}" y="{top + plot_h + 15}" text-anchor="middle">{escape(cat)}</text>'
        )
    ly = height - legend_h + 4
    for j, s in enumerate(series):
        lx = left + (j % 3) * (plot_w / 3)
        y = ly + (j // 3) * 18
        out.append(f'<rect x="{lx:.1f}" y="{y}" width="12" height="12" fill="{colours[s]}"/>')
        out.append(f'<text x="{lx + 16:.1f}" y="{y + 10}">{escape(s)}</text>')
    out.append("</svg>")
    return Markup("".join(out))


def line_chart(
    name: str,
    title: str,
    points: Sequence[tuple[str, float | None]],
    colour: str = PALETTE[0],
    width: int = 640,
    height: int = 220,
    axis_label: Callable[[float], str] = _fmt,
    missing: str = "not in the data",
) -> Markup:
    """One series over ordered categories (e.g. start years): a polyline with a marked, labelled point each.

    Each point is a `<circle class="point">` with `data-label`/`data-value`, like the bars of the
    other charts, so a test can read the numbers without parsing geometry. The axis ends at a round
    value; `axis_label` words its ticks (e.g. `compact`: "25 M"), and the left margin is as wide as
    the longest of them, so no tick label is cut off. Categories are drawn as given: a caller that
    means a time line passes every year, with zero for a year without any (`year_points`), and None
    for a year the data does not cover: the line breaks there and a hollow mark on the axis says
    `missing` (`class="point missing"`, empty `data-value`).
    """
    right, top, bottom = 16, 14, 26
    vmax = _nice_max(max((v for _, v in points if v is not None), default=0))
    ticks = [(frac, axis_label(vmax * frac)) for frac in (0.0, 0.5, 1.0)]
    left = max(40, int(max(label_width(t) for _, t in ticks)) + 12)
    plot_w, plot_h = width - left - right, height - top - bottom
    n = max(len(points), 1)
    # The first and last points sit half a category label in from the plot's edges, so their labels
    # below the axis are whole and clear of the y-axis labels.
    inset = max((label_width(label) for label, _ in points), default=0.0) / 2 + 4
    step = (plot_w - 2 * inset) / max(n - 1, 1)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="chart" data-chart="{escape(name)}" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" style="{FONT}">',
        f"<title>{escape(title)}</title>",
    ]
    for frac, text in ticks:
        y = top + plot_h * (1 - frac)
        out.append(f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>')
        out.append(
            f'<text class="tick" x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{escape(text)}</text>'
        )
    if not points:
        out.append(f'<text x="{left + 4}" y="{top + 14}" fill="#666">–</text>')
    xy = [
        (
            left + (inset + i * step if n > 1 else plot_w / 2),
            top + plot_h * (1 - ((v or 0) / vmax if vmax else 0)),
        )
        for i, (_, v) in enumerate(points)
    ]
    runs: list[list[tuple[float, float]]] = [[]]
    for (_, v), p in zip(points, xy, strict=True):
        if v is None:
            runs.append([])
        else:
            runs[-1].append(p)
    for run in runs:
        if len(run) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in run)
            out.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
    every = max(1, math.ceil(n * label_width("2020 ") / max(plot_w - 2 * inset, 1)))  # labels never overlap
    for i, ((label, v), (x, y)) in enumerate(zip(points, xy, strict=True)):
        if v is None:
            out.append(
                f'<circle class="point missing" data-label="{escape(label)}" data-value="" cx="{x:.1f}" '
                f'cy="{y:.1f}" r="4" fill="#fff" stroke="#9aa5b1" stroke-dasharray="2,2">'
                f"<title>{escape(label)}: {escape(missing)}</title></circle>"
            )
        else:
            out.append(
                f'<circle class="point" data-label="{escape(label)}" data-value="{escape(_fmt(v))}" '
                f'cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{colour}"><title>{escape(label)}: {escape(_fmt(v))}</title>'
                "</circle>"
            )
        if i % every == 0 or i == n - 1:
            out.append(
                f'<text x="{x:.1f}" y="{top + plot_h + 16}" text-anchor="middle">{escape(label)}</text>'
            )
    out.append("</svg>")
    return Markup("".join(out))


def year_points(
    values: Mapping[int, float], covered: Collection[int] | None = None
) -> list[tuple[str, float | None]]:
    """Every year from the first to the last of `values` (and of `covered`), so that no year is closed up:
    0 for a year the data covers without any amount, None for a year no loaded source covers (`covered`:
    the years some source's projects start in; None means every year in between is covered), which the
    chart draws as a gap, not as a drop to zero.

    >>> year_points({2015: 2.0, 2017: 5.0})
    [('2015', 2.0), ('2016', 0.0), ('2017', 5.0)]
    >>> year_points({2017: 5.0, 2021: 1.0}, covered={2016, 2017, 2018, 2021})
    [('2016', 0.0), ('2017', 5.0), ('2018', 0.0), ('2019', None), ('2020', None), ('2021', 1.0)]
    """
    if not values:
        return []
    years = set(values) | set(covered or ())
    out: list[tuple[str, float | None]] = []
    for y in range(min(years), max(years) + 1):
        if y in values:
            out.append((str(y), float(values[y])))
        else:
            out.append((str(y), 0.0 if covered is None or y in covered else None))
    return out
