"""Small charts as inline SVG, written by hand so a report needs no script, font or file from outside.

Every label passes through `markupsafe.escape`, so a name such as `<img src=x onerror=…>` is drawn as
text. Each chart is an `<svg>` with `role="img"`, a `<title>` and a `data-chart` name that tests and
readers can find; the numbers drawn are also written as `data-value` on each bar so a test can compare
them with the analysis results without parsing geometry.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
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
    if v <= 0:
        return 1.0
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000):
        if v <= step:
            return float(step)
    return float(v)


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
    points: Sequence[tuple[str, float]],
    colour: str = PALETTE[0],
    width: int = 640,
    height: int = 220,
) -> Markup:
    """One series over ordered categories (e.g. start years): a polyline with a marked, labelled point each.

    Each point is a `<circle class="point">` with `data-label`/`data-value`, like the bars of the
    other charts, so a test can read the numbers without parsing geometry.
    """
    left, right, top, bottom = 70, 16, 14, 26
    plot_w, plot_h = width - left - right, height - top - bottom
    vmax = _nice_max(max((v for _, v in points), default=0))
    n = max(len(points), 1)
    step = plot_w / max(n - 1, 1)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="chart" data-chart="{escape(name)}" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" style="{FONT}">',
        f"<title>{escape(title)}</title>",
    ]
    for frac in (0.0, 0.5, 1.0):
        y = top + plot_h * (1 - frac)
        out.append(f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>')
        out.append(f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end">{_fmt(vmax * frac)}</text>')
    if not points:
        out.append(f'<text x="{left + 4}" y="{top + 14}" fill="#666">–</text>')
    xy = [
        (left + (i * step if n > 1 else plot_w / 2), top + plot_h * (1 - (v / vmax if vmax else 0)))
        for i, (_, v) in enumerate(points)
    ]
    if len(xy) > 1:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in xy)
        out.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
    for (label, v), (x, y) in zip(points, xy, strict=True):
        out.append(
            f'<circle class="point" data-label="{escape(label)}" data-value="{escape(_fmt(v))}" '
            f'cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{colour}"><title>{escape(label)}: {escape(_fmt(v))}</title>'
            "</circle>"
        )
        out.append(f'<text x="{x:.1f}" y="{top + plot_h + 16}" text-anchor="middle">{escape(label)}</text>')
    out.append("</svg>")
    return Markup("".join(out))
