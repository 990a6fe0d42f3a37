"""Reading delimited files as users and agencies produce them, for the CORDIS and user-CSV loaders.

Handles UTF-8 with or without a BOM, Latin-1/CP1252 (Excel on Windows), CRLF line ends and quoted
fields that span lines. A file that is not the expected table (empty, binary, wrong delimiter,
missing required columns) raises `InvalidInput` with one line naming the file and what is wrong;
columns are found by name, so their order and any extra columns do not matter.

A record with the wrong number of fields is a `Problem`, not a row. An unbalanced quote makes the CSV
reader run a field over the following lines, so those rows vanish into one value: every record that
spans lines is checked, and one that has the wrong field count or an odd number of quotes names the
lines it swallowed.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from graph.errors import InvalidInput
from ingest.pipeline import Problem
from ingest.validate import looks_binary

csv.field_size_limit(64 * 1024 * 1024)

_OTHER_DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}


def decode(raw: bytes, name: str) -> str:
    """Text of a CSV file: UTF-8 (BOM optional), else CP1252, else Latin-1."""
    if not raw.strip():
        raise InvalidInput(f"{name}: the file is empty")
    if raw.startswith(b"PK\x03\x04"):
        raise InvalidInput(f"{name}: not a CSV file (a zip archive)")
    if looks_binary(raw):
        raise InvalidInput(f"{name}: not a CSV file (binary content)")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


@dataclass
class Table:
    """A parsed header and a row iterator; `rows()` yields (first line of the record, values)."""

    name: str
    text: str
    delimiter: str
    header: list[str]
    index: dict[str, int]
    na: frozenset[str] = frozenset()  # values that mean "missing" (upper case), e.g. NA in CORDIS extracts
    read: int = 0  # records `rows()` has read so far, good or not

    def rows(self, problems: list[Problem]) -> Iterator[tuple[int, list[str]]]:
        """The records with as many fields as the header; the others become `problems` (see module doc)."""
        ncols = len(self.header)
        for start, end, values, balanced in records(self.text, self.delimiter):
            self.read += 1
            problem = record_problem(self.name, start, end, len(values), ncols, balanced)
            if problem is not None:
                problems.append(problem)
                continue
            yield start, values

    def column(self, column: str) -> int | None:
        """The index of a column by name (case-insensitive fallback), None when absent."""
        i = self.index.get(column)
        return self.index.get(column.lower()) if i is None else i

    def get(self, values: Sequence[str], column: str) -> str:
        """The stripped value of `column` in a row ('' when the column is absent)."""
        i = self.index.get(column)
        if i is None:
            i = self.index.get(column.lower())
        if i is None or i >= len(values):
            return ""
        value = values[i].strip()
        return "" if self.na and value.upper() in self.na else value


def records(text: str, delimiter: str) -> Iterator[tuple[int, int, list[str], bool]]:
    """(first line, last line, values, quotes balanced) of every non-blank record after the header line."""
    lines: list[str] = []

    def feed() -> Iterator[str]:
        for raw in io.StringIO(text, newline=""):
            lines.append(raw)
            yield raw

    reader = csv.reader(feed(), delimiter=delimiter, quotechar='"')
    next(reader, None)
    line = reader.line_num
    for values in reader:
        start, line = line + 1, reader.line_num
        balanced = line == start or sum(x.count('"') for x in lines) % 2 == 0
        lines.clear()
        if not values or (len(values) == 1 and not values[0].strip()):
            continue
        yield start, line, values, balanced


def record_problem(
    name: str, start: int, end: int, nvalues: int, ncols: int, balanced: bool, exact: bool = True
) -> Problem | None:
    """The Problem of a record with the wrong field count or an unbalanced quote; None when it is fine.

    `exact=False` accepts fewer fields than the header (trailing empty columns left out).
    """
    swallowed = f"lines {start + 1}–{end}" if end > start + 1 else f"line {end}"
    if nvalues > ncols or (exact and nvalues != ncols) or (nvalues < ncols and not balanced):
        reason = f"wrong column count: {nvalues} fields, header has {ncols}"
        if end > start:
            reason += (
                f'; the record runs over lines {start}–{end}: an unbalanced quote (") swallowed {swallowed}'
            )
        return Problem(name, start, reason)
    if not balanced:
        return Problem(
            name,
            start,
            f'unbalanced quote ("): the record runs over lines {start}–{end} and swallowed the rows on '
            f"{swallowed}",
        )
    return None


def open_table(
    text: str, name: str, delimiter: str, required: Sequence[str], na: frozenset[str] = frozenset()
) -> Table:
    """Parse the header and check it; raises `InvalidInput` before any row is read."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quotechar='"')
    header = next(reader, None)
    if not header or not any(h.strip() for h in header):
        raise InvalidInput(f"{name}: the file is empty (no header line)")
    header = [h.strip().lstrip("\ufeff").strip() for h in header]
    if len(header) == 1:
        for d, label in _OTHER_DELIMITERS.items():
            if d != delimiter and d in header[0]:
                want = _OTHER_DELIMITERS[delimiter]
                raise InvalidInput(
                    f"{name}: wrong delimiter: the header is {label}-separated, expected {want}"
                )
    if any("\x00" in h for h in header):
        raise InvalidInput(f"{name}: not a CSV file")
    index: dict[str, int] = {}
    for i, h in enumerate(header):
        index.setdefault(h, i)
        index.setdefault(h.lower(), i)
    missing = [c for c in required if c not in index and c.lower() not in index]
    if missing:
        raise InvalidInput(f"{name}: missing required column(s) {', '.join(missing)}")
    for c in required:
        if c not in index:
            index[c] = index[c.lower()]
    return Table(name=name, text=text, delimiter=delimiter, header=header, index=index, na=na)
