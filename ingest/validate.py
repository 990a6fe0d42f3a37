"""The edge of ingest: every value a loader takes from a file passes through here before it becomes a record.

Files come from users and from the internet, so a loader never trusts a value's type, size or range.
This module is the one home of those checks, shared by every loader (csv, cordis, interreg, erdf,
agencies, registry):

- values: `amount` (finite, non-negative, at most `MAX_AMOUNT`; `inf`, `1e400`, `NaN`, `-5` are refused
  with the value named), `text` (a string, not a dict or a number; control and invisible characters
  removed and noted; a length limit), `identifier` (no control characters, a length limit) and `pic`
  (6–12 ASCII digits: `²²²²²²` is not a PIC). Each raises `BadValue`, which the loader turns into a
  `Problem` with file:line, so one bad row never stops a load.
- files: `read_file` and `read_member` (a size bound, a zip member read in bounded chunks, a zip bomb or
  a corrupt member refused), `load_json` (a nesting bound: a 200,000-deep JSON is one line, not a
  RecursionError) and `looks_binary`. Each raises `InvalidInput`: the whole file is refused before
  anything is written.

The store's model (`graph.model`) is the last line: it refuses non-finite money and cleans control
characters itself, so nothing that reaches a store is refused when read back.
"""

from __future__ import annotations

import json
import math
import zipfile
import zlib
from pathlib import Path
from typing import Any

from graph.errors import InvalidInput
from graph.model import MAX_AMOUNT
from graph.text import clean

MAX_ID = 100  # a source's own record id (CORDIS grant numbers, PICs, ärende-id): 9–20 characters in practice
MAX_NAME = 300  # names, titles, cities: the longest real one is 265 characters (a CORDIS title)
MAX_TEXT = 20_000  # objectives and descriptions: CORDIS caps them at 4,000
MAX_JSON_DEPTH = 32  # the sources' JSON is two or three levels deep
MAX_RATIO = 100  # decompressed / compressed: CSV compresses 5–10 times, a zip bomb 1,000 times
_RATIO_FROM = 16 * 1024 * 1024  # small members may compress better (an empty file, a tiny table)
_CHUNK = 1024 * 1024


class BadValue(ValueError):
    """One value of one row that cannot be used; its message names the column and the value."""


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else f"{text[: limit - 1]}…"


def amount(value: Any, column: str) -> float | None:
    """A money amount as a float, None when empty; BadValue for anything that is not a plausible amount.

    Accepts numbers and text with spaces or a decimal comma ("1 234,5"); refuses booleans, infinity
    (`inf`, `Infinity`, `1e400`), NaN, negative values and values above `MAX_AMOUNT`.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise BadValue(f"non-numeric {column}: {_short(value)} (a {type(value).__name__})")
    if isinstance(value, str):
        text = value.replace("\u00a0", "").replace(" ", "").strip()
        if "," in text and "." not in text:
            text = text.replace(",", ".")
        try:
            number = float(text)
        except ValueError:
            raise BadValue(f"non-numeric {column}: {_short(value)}") from None
    else:
        try:
            number = float(value)
        except OverflowError:  # an int too large for a float
            raise BadValue(f"{column} {_short(value)} is not a finite amount") from None
    if math.isnan(number):
        raise BadValue(f"non-numeric {column}: {_short(value)} (NaN)")
    if math.isinf(number):
        raise BadValue(f"{column} {_short(value)} is not a finite amount")
    if number < 0:
        raise BadValue(f"{column} {_short(value)} is negative")
    if number > MAX_AMOUNT:
        raise BadValue(f"{column} {_short(value)} is above {MAX_AMOUNT:.0e}: not a plausible amount")
    return number


def text(
    value: Any,
    column: str,
    *,
    max_len: int = MAX_NAME,
    numbers: bool = False,
    multiline: bool = False,
    notes: list[str] | None = None,
) -> str:
    """A cleaned, stripped string ('' when empty); BadValue for a dict, list, boolean or over-long value.

    A number is refused unless `numbers` (a name is text; a case number may be a number in a sheet).
    Control and invisible characters are removed; when `notes` is given, the removal is noted there.
    """
    if value is None:
        return ""
    if isinstance(value, bool | dict | list | tuple | set):
        raise BadValue(f"{column} is a {type(value).__name__}, expected text: {_short(value)}")
    if isinstance(value, int | float):
        if not numbers:
            raise BadValue(f"{column} is a number, expected text: {_short(value)}")
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        value = str(value)
    if not isinstance(value, str):
        raise BadValue(f"{column} is a {type(value).__name__}, expected text")
    cleaned = clean(value, multiline=multiline).strip()
    if notes is not None and cleaned != value.strip() and cleaned != " ".join(value.split()):
        notes.append(f"control characters removed from {column}")
    if len(cleaned) > max_len:
        raise BadValue(f"{column} is {len(cleaned):,} characters long (at most {max_len:,})")
    return cleaned


def identifier(value: Any, column: str, *, max_len: int = MAX_ID) -> str:
    """A source's record id as text ('' when empty); BadValue for control characters or an over-long id."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise BadValue(f"{column} is a {type(value).__name__}, expected an id: {_short(value)}")
    raw = str(value).strip()
    if clean(raw) != raw:
        raise BadValue(f"{column} {_short(raw)} contains control or invisible characters")
    if len(raw) > max_len:
        raise BadValue(f"{column} is {len(raw):,} characters long (at most {max_len})")
    return raw


def pic(value: Any, column: str = "PIC") -> str | None:
    """A Participant Identification Code: 6–12 ASCII digits; None when empty."""
    raw = identifier(value, column)
    if not raw:
        return None
    if not (raw.isascii() and raw.isdigit() and 6 <= len(raw) <= 12):
        raise BadValue(f"{column} {_short(raw)} is not a PIC (6–12 digits)")
    return raw


# --------------------------------------------------------------------------------------------- files


def _limit_bytes() -> int:
    """The largest file or zip member a loader reads, in bytes (INNOGRAPH_MAX_INPUT_MB, default 2,048)."""
    from graph.settings import Settings

    return Settings().max_input_mb * 1024 * 1024


def read_file(path: Path, what: str) -> bytes:
    """The bytes of one input file; InvalidInput when it is missing, a folder, unreadable or too large."""
    if not path.exists():
        raise InvalidInput(f"{path}: no such file")
    if path.is_dir():
        raise InvalidInput(f"{path}: is a folder; give {what}")
    limit = _limit_bytes()
    size = path.stat().st_size
    if size > limit:
        raise InvalidInput(
            f"{path.name}: {size / 1e6:,.0f} MB is larger than the input limit of {limit / 1e6:,.0f} MB "
            "(INNOGRAPH_MAX_INPUT_MB)"
        )
    try:
        return path.read_bytes()
    except OSError as e:
        raise InvalidInput(f"{path}: cannot be read ({e.strerror or e})") from e


def check_zip(zf: zipfile.ZipFile, name: str) -> None:
    """Refuse a zip whose members would expand beyond the input limit or far beyond their compressed size.

    The sizes are the ones the archive declares; `zipfile` never returns more than a member declares
    (and fails its CRC check if the data says otherwise), so this bounds what can be decompressed.
    """
    limit = _limit_bytes()
    total = 0
    for info in zf.infolist():
        total += info.file_size
        where = f"{name}: member {info.filename}"
        if info.file_size > limit or total > limit:
            raise InvalidInput(
                f"{where} expands to {info.file_size / 1e6:,.0f} MB, over the input limit of "
                f"{limit / 1e6:,.0f} MB (INNOGRAPH_MAX_INPUT_MB)"
            )
        if info.file_size > _RATIO_FROM and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise InvalidInput(
                f"{where} expands {info.file_size // max(info.compress_size, 1):,} times "
                f"({info.compress_size:,} → {info.file_size:,} bytes): refused as a zip bomb"
            )


def read_member(zf: zipfile.ZipFile, member: str, name: str) -> bytes:
    """One zip member's bytes, read in chunks with the size bound of `check_zip`; one line when corrupt."""
    check_zip(zf, name)
    limit = _limit_bytes()
    parts: list[bytes] = []
    size = 0
    try:
        with zf.open(member) as f:
            while chunk := f.read(_CHUNK):
                size += len(chunk)
                if size > limit:
                    raise InvalidInput(f"{name}: member {member} is larger than the input limit")
                parts.append(chunk)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError) as e:
        raise InvalidInput(f"{name}: member {member} is corrupt ({e})") from e
    return b"".join(parts)


# The signatures a zip file starts with: a member's local header, an empty archive, a spanned archive.
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")


def looks_like_zip(path: Path) -> bool:
    """Whether a file is meant to be a zip: a readable one, or one whose name or first bytes say so.

    `zipfile.is_zipfile` looks for the directory at the END of the archive, so a download cut short
    (the start intact, the end missing) is not a zip to it; by this test it is, and `open_zip` then
    reports it as a damaged zip instead of as some other kind of file.
    """
    if zipfile.is_zipfile(path) or path.suffix.lower() == ".zip":
        return True
    try:
        with path.open("rb") as f:
            return f.read(4) in _ZIP_MAGIC
    except OSError:
        return False


def open_zip(path: Path) -> zipfile.ZipFile:
    """A zip archive checked by `check_zip`; InvalidInput when it is damaged (truncated, corrupt)."""
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as e:
        size = path.stat().st_size if path.exists() else 0
        raise InvalidInput(
            f"{path}: damaged zip ({size:,} bytes; {e}): download it again or unzip it to a folder"
        ) from e
    try:
        check_zip(zf, path.name)
    except InvalidInput:
        zf.close()
        raise
    return zf


def looks_binary(raw: bytes) -> bool:
    """Whether the start of a file is binary data rather than text in any of the encodings we read.

    A NUL byte says so; so do many bytes that are control characters in every encoding (more than one
    in twenty of the first 64 KB, and at least 16: text has none besides tab and line ends, and a few
    terminal escapes in a name are a text file's problem, cleaned and reported row by row).
    """
    head = raw[:65536]
    if b"\x00" in head:
        return True
    if not head:
        return False
    controls = sum(head.count(bytes([b])) for b in (*range(1, 9), 11, 12, *range(14, 32), 127))
    return controls >= 16 and controls * 20 > len(head)


def load_json(raw: bytes, name: str) -> Any:
    """Parse JSON text; InvalidInput (one line) when it is binary, not UTF-8, not JSON or nested too deep."""
    if not raw.strip():
        raise InvalidInput(f"{name}: not a JSON file (the file is empty)")
    if looks_binary(raw):
        raise InvalidInput(f"{name}: not a JSON file (binary content)")
    try:
        doc = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as e:
        raise InvalidInput(f"{name}: not a JSON file (not UTF-8 text at byte {e.start})") from e
    except json.JSONDecodeError as e:
        raise InvalidInput(
            f"{name}: not a JSON file (not valid JSON at line {e.lineno} column {e.colno}: {e.msg})"
        ) from e
    except RecursionError:
        raise InvalidInput(f"{name}: JSON nested deeper than {MAX_JSON_DEPTH} levels") from None
    check_depth(doc, name)
    return doc


def check_depth(doc: Any, name: str, what: str = "JSON") -> None:
    """InvalidInput when a parsed document nests lists and mappings deeper than `MAX_JSON_DEPTH`."""
    stack: list[tuple[Any, int]] = [(doc, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            raise InvalidInput(f"{name}: {what} nested deeper than {MAX_JSON_DEPTH} levels")
        if isinstance(node, dict):
            stack.extend((v, depth + 1) for v in node.values() if isinstance(v, dict | list))
        elif isinstance(node, list):
            stack.extend((v, depth + 1) for v in node if isinstance(v, dict | list))
