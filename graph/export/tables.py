"""Tables as files: plain rows (`Table`) written as CSV (one UTF-8 file per table) or XLSX (one sheet each).

`write_csv` writes one CSV per table into a folder; `xlsx_bytes` one sheet per table with the header
row frozen, column widths fitted, numbers stored as numbers and ids kept as text. Every text cell
passes `safe_cell`, so no spreadsheet runs a name as a formula. Which tables an export holds is
`graph.export.sheets`.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graph.text import clean

TABLE_FORMATS: tuple[str, ...] = ("csv", "xlsx")


@dataclass
class Table:
    """One sheet or CSV file: a name, column names, and rows of plain values."""

    name: str
    columns: list[str]
    rows: list[list[Any]] = field(default_factory=list)
    text_columns: frozenset[str] = frozenset()  # kept as text in Excel even when they look like numbers


ID_COLUMNS = frozenset(
    {
        "id",
        "actor_id",
        "project_id",
        "part_of",
        "pic",
        "vat",
        "orgnr",
        "county_code",
        "code",
        "county",
        "county_a",
        "county_b",
        "nuts3",
        "community",
        "theme_id",
        "municipality_code",
        "partner_county",
    }
)


def table_from_dicts(
    name: str, rows: Sequence[Mapping[str, Any]], columns: Sequence[str] | None = None
) -> Table:
    """A table whose columns are `columns` (or the union of keys in first-seen order); lists joined by '; '."""
    cols: list[str] = list(columns) if columns is not None else []
    if columns is None:
        for r in rows:
            for k in r:
                if k not in cols:
                    cols.append(k)
    out = Table(name=name, columns=cols, text_columns=frozenset(c for c in cols if c in ID_COLUMNS))
    for r in rows:
        out.rows.append([cell(r.get(c)) for c in cols])
    return out


def cell(v: Any) -> Any:
    if isinstance(v, dict):
        return json.dumps(v, ensure_ascii=False, sort_keys=True)
    if isinstance(v, list | tuple | set | frozenset):
        return "; ".join(cell(x) if not isinstance(x, str) else x for x in v)
    if hasattr(v, "value") and not isinstance(v, int | float | str):  # enums
        return v.value
    if isinstance(v, float) and not math.isfinite(v):
        return None
    return v


# A text cell starting with one of these is run as a formula by Excel, LibreOffice or Sheets (CSV/formula
# injection: a name "=HYPERLINK(…)" in a source becomes a live link in someone's spreadsheet).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """A cell value no spreadsheet runs and every writer accepts: text starting with `= + - @`, a tab or a
    CR gets a leading apostrophe, as OWASP recommends against CSV injection; control characters that XML
    (so XLSX) cannot hold are removed. Numbers, dates and None pass unchanged.

    >>> print(safe_cell('=HYPERLINK("http://evil.example","open")'))
    '=HYPERLINK("http://evil.example","open")
    >>> safe_cell("Blekinge\x1b[31m"), safe_cell(-5), safe_cell("-")
    ('Blekinge[31m', -5, "'-")
    """
    if not isinstance(value, str):
        return value
    value = clean(value, multiline=True)
    return "'" + value if value.startswith(_FORMULA_START) else value


def safe_row(values: Iterable[Any]) -> list[Any]:
    """A row for a CSV or XLSX writer: `safe_cell` of each value, None as an empty cell."""
    return ["" if v is None else safe_cell(v) for v in values]


def _safe_name(name: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in name)[:60]


def write_csv(tables: Iterable[Table], folder: Path) -> list[Path]:
    """One `<name>.csv` per table (UTF-8 with BOM so Excel reads å, ä, ö); returns the paths written."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for t in tables:
        p = folder / f"{_safe_name(t.name)}.csv"
        with p.open("w", encoding="utf-8-sig", newline="") as f:
            w = csv.writer(f)
            w.writerow(safe_row(t.columns))
            w.writerows(safe_row(row) for row in t.rows)
        paths.append(p)
    return paths


def xlsx_bytes(tables: Iterable[Table]) -> bytes:
    """One sheet per table: header frozen and bold, autofilter, fitted widths, ids as text."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    wb.remove(wb.active)
    bold = Font(bold=True)
    for t in tables:
        ws = wb.create_sheet(title=_safe_name(t.name)[:31])
        ws.append([safe_cell(c) for c in t.columns])
        for cell in ws[1]:
            cell.font = bold
        text_idx = {i for i, c in enumerate(t.columns) if c in t.text_columns}
        widths = [len(c) for c in t.columns]
        for row in t.rows:
            values = [safe_cell(str(v) if i in text_idx and v is not None else v) for i, v in enumerate(row)]
            ws.append(values)
            for i, v in enumerate(values):
                if v is not None:
                    widths[i] = max(widths[i], len(str(v)) if not isinstance(v, float) else 10)
        if t.text_columns:
            for i in text_idx:
                for (cell,) in ws.iter_rows(min_row=2, min_col=i + 1, max_col=i + 1):
                    cell.number_format = "@"
        ws.freeze_panes = "A2"
        if t.columns:
            ws.auto_filter.ref = f"A1:{get_column_letter(len(t.columns))}{max(len(t.rows) + 1, 1)}"
        for i, w in enumerate(widths):
            ws.column_dimensions[get_column_letter(i + 1)].width = min(max(w + 2, 8), 60)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
