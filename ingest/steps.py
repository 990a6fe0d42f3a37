"""Ingest as steps: a loader declares what it reads, one runner reads, checks, converts and assembles.

PUDL's extractor shape. A loader is mostly data:

- a `Spec` per file: the record fields it fills, each a `Col` (the file's column or columns, a converter
  from `ingest.validate` or the loader's own, whether the column is required, a length bound);
- a `build` function turning one converted row into model records, and the loader's assembly of the
  batch from them (grouping the rows of one organisation, summing amounts), which is the part that
  differs between sources.

The runner does the rest, the same way for every source:

1. **read** — `csvread.open_table` (CSV) or a loader's own reader (JSON, XLSX) gives (line, values) rows;
2. **check columns** — `open_tables` checks every file's header against its spec before any row is read,
   so a wrong file stops with one line and nothing written;
3. **convert** — `convert` runs each field's converter over a row; a `BadValue` (the edge's error)
   becomes a `Problem` with file:line and the row is skipped, so one bad value never stops a load;
4. **to records** — `to_records` runs the loader's `build` over the converted rows; a `BadValue` or the
   model's refusal (`ValidationError`) becomes a `Problem` with file:line, and notes (a repair that kept
   the row) become kept `Problem`s.

Converters see the value stripped, with the file's not-available words (`NA`) read as empty unless the
column says `na=False`; a `Col` with several columns hands the converter a tuple of them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import ValidationError

from ingest.csvread import Table, open_table
from ingest.pipeline import Problem, validation_message
from ingest.validate import BadValue

T = TypeVar("T")

Row = dict[str, Any]  # field -> converted value


@dataclass(frozen=True)
class Col:
    """Where one field of a record comes from and how its text becomes a value.

    `column`: the file's column name (found case-insensitively), or several names whose values reach
    `convert` as a tuple. `convert`: text → value, raising `BadValue` (None keeps the stripped text).
    `required`: the file is refused without the column. `max_len`: longer text is a `BadValue` naming
    the column (checked before conversion). `na`: whether the file's NA words mean empty here.
    """

    column: str | tuple[str, ...]
    convert: Callable[[Any], Any] | None = None
    required: bool = False
    max_len: int | None = None
    na: bool = True

    @property
    def columns(self) -> tuple[str, ...]:
        return self.column if isinstance(self.column, tuple) else (self.column,)


@dataclass(frozen=True)
class Spec:
    """One file of a source: its name, delimiter, NA words and the fields it fills (in checking order)."""

    file: str
    fields: Mapping[str, Col]
    delimiter: str = ","
    na: frozenset[str] = frozenset()
    optional: bool = False  # the source may come without this file

    @property
    def required(self) -> tuple[str, ...]:
        out: list[str] = []
        for col in self.fields.values():
            if col.required:
                out.extend(c for c in col.columns if c not in out)
        return tuple(out)


def open_tables(specs: Sequence[Spec], text_of: Callable[[Spec], str | None]) -> dict[str, Table]:
    """Step 2 for every file at once: each present file's header checked against its spec, no row read yet.

    `text_of(spec)` gives the file's decoded text, or None when an optional file is absent.
    """
    tables: dict[str, Table] = {}
    for spec in specs:
        content = text_of(spec)
        if content is None:
            continue
        tables[spec.file] = open_table(content, spec.file, spec.delimiter, spec.required, na=spec.na)
    return tables


_Getter = tuple[str, int | tuple[int | None, ...] | None, Callable[[Any], Any] | None, int | None, bool, str]


def convert(table: Table, spec: Spec, problems: list[Problem]) -> Iterator[tuple[int, Row]]:
    """Step 3: (line, field → value) for every row whose values all convert; the others become problems.

    The hot loop of every CSV load (H2020's organization.csv: 111,000 rows × 14 fields): each cell is
    read inline, and the NA words are looked up only for a value short enough to be one.
    """
    getters: list[_Getter] = []
    for name, col in spec.fields.items():
        if isinstance(col.column, tuple):
            index: int | tuple[int | None, ...] | None = tuple(table.column(c) for c in col.column)
        else:
            index = table.column(col.column)
        getters.append((name, index, col.convert, col.max_len, col.na, col.columns[0]))
    na = table.na
    file = spec.file
    # `upper()` never shortens a string, so a value longer than every NA word cannot be one.
    na_len = max(map(len, na), default=-1)

    def cell(values: list[str], i: int | None, use_na: bool) -> str:
        if i is None or i >= len(values):
            return ""
        v = values[i].strip()
        return "" if use_na and na and len(v) <= na_len and v.upper() in na else v

    for line, values in table.rows(problems):
        row: Row = {}
        n = len(values)
        try:
            for name, i, conv, max_len, use_na, column in getters:
                if isinstance(i, tuple):
                    row[name] = conv(tuple(cell(values, j, use_na) for j in i)) if conv else None
                    continue
                if i is None or i >= n:
                    v = ""
                else:
                    raw = values[i]
                    if max_len is not None and len(raw) > max_len:
                        raise BadValue(f"{column} is {len(raw):,} characters long (at most {max_len})")
                    v = raw.strip()
                    if use_na and len(v) <= na_len and v.upper() in na:
                        v = ""
                row[name] = v if conv is None else conv(v)
        except BadValue as e:
            problems.append(Problem(file, line, str(e)))
            continue
        yield line, row


def to_records(
    rows: Iterable[tuple[int, T]],
    build: Callable[[T, list[str]], Any],
    file: str,
    problems: list[Problem],
    kept: str = " (row kept)",
    what: Callable[[T], str] | None = None,
    refused: tuple[type[ValueError], ...] = (BadValue,),
) -> Iterator[tuple[int, Any]]:
    """Step 4: (line, what `build` returns) for each row; a refusal becomes a `Problem` with file:line.

    `build(row, notes)` raises `BadValue` (or what the loader names in `refused`) for a row that cannot
    be used; the model's `ValidationError` is reported as one line (`validation_message`). Each
    note `build` appended is a repair that kept the row: a kept `Problem` ending with `kept`. `what(row)`
    names the record at the start of each message when a line alone does not ("organisation 999589172").
    """
    for line, row in rows:
        notes: list[str] = []
        head = f"{what(row)}: " if what is not None else ""
        try:
            out = build(row, notes)
        except ValidationError as e:
            problems.append(Problem(file, line, head + validation_message(e)))
            continue
        except refused as e:
            problems.append(Problem(file, line, head + str(e)))
            continue
        problems.extend(Problem(file, line, f"{head}{n}{kept}", kept=True) for n in notes)
        yield line, out
