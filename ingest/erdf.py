"""Regional Development Fund (ERDF, regionalfonden) projects from Tillväxtverket's Projektbanken.

Reads the 2016 JSON export (a list of projects with Projektbanken's field names: `ärende-id`,
`stödmottagare`, `projektnamn`, …) and the same fields as a CSV or XLSX table (today's download), columns
found by name (case, accents, spaces and underscores do not matter; see `COLUMNS` for the accepted
names), so a region can load this period's list itself.

Each project becomes:
- a `Project` `erdf:<ärende-id>`, programme `ERDF`, programme_part the programme area (`område`, e.g.
  "Skåne-Blekinge"), the Swedish description as objective, start/end dates, the granted amount
  (`beviljat_belopp_sek`) as budget and as EU contribution in SEK (the grant is the fund's money);
- themes: the thematic objective (`erdf-to:…`) and the priority axis (`erdf-axis:…`), named by the
  crosswalk's labels (`graph/data/crosswalk.yaml`; a wording it does not know gets `erdf-to:<slug>`),
  with their `Theme` records;
- places: the county codes of `län` and the municipality names of `kommuner`, i.e. where the project
  runs (often the whole programme area), not the owner's seat;
- its one owner (`stödmottagare`) an actor `erdf-org:<slug of the normalised name>` with the role
  `project_owner` (the grant as its contribution). Resolution (`ingest.pipeline.commit`) joins the owner
  with the actors already in the graph, old names through the curated alias file. The owner's county is
  set only when its name says it ("Karlshamns kommun", "Skåne Läns Landsting", "Länsstyrelsen i Skåne län").
  When the table has the owner's organisationsnummer (today's downloads do; the 2016 export does not), it
  becomes the owner's `orgnr`, a strong key: the owner then joins SCB's or CORDIS's record of it whatever
  its name. A malformed number is reported (row kept) and left out.

A malformed record (no id, no owner, a date or amount that is not one) is a `Problem` with file, line (CSV
line, XLSX row or JSON record number) and reason; a file that is not such a list raises `InvalidInput`
before anything is written.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import zipfile
import zlib
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz, process

from graph.crosswalk import default_crosswalk
from graph.errors import InvalidInput
from graph.geo import COUNTIES, MUNICIPALITIES, county_from_name, municipality_from_name
from graph.model import (
    PLACED_BY_AREA,
    SOURCE_COVERAGE,
    Actor,
    ActorKind,
    Money,
    Participation,
    Project,
    Role,
    SourceRef,
    Theme,
    ThemeKind,
)
from graph.text import fold, slug
from ingest.csvread import decode, record_problem, records
from ingest.enrich import place_from_own_name
from ingest.pipeline import Problem, SourceBatch
from ingest.resolve import normalise_name
from ingest.steps import to_records
from ingest.validate import MAX_ID, MAX_TEXT, amount, check_zip, load_json, read_file, text

SOURCE = "erdf"
PROGRAMME = "ERDF"
FUNDER = "European Regional Development Fund"

# field -> the column names that mean it (compared folded, without spaces, hyphens or underscores)
COLUMNS: dict[str, tuple[str, ...]] = {
    "case_id": ("ärende-id", "ärendeid", "ärendenummer", "ärende", "diarienummer", "case id"),
    "owner": ("stödmottagare", "projektägare", "organisation", "beneficiary"),
    "title": ("projektnamn", "projekttitel", "project name"),
    "description": ("projektbeskrivning", "beskrivning", "sammanfattning", "description"),
    "start": ("projekt_starttid", "projektstart", "startdatum", "projektets startdatum", "start date"),
    "end": ("projekt_sluttid", "projektslut", "slutdatum", "projektets slutdatum", "end date"),
    "amount": (
        "beviljat_belopp_sek",
        "beviljat belopp",
        "beviljat belopp sek",
        "beviljat stöd",
        "beviljat eu-stöd",
    ),
    "area": ("område", "programområde", "program", "programme area"),
    "axis": ("insatsområde", "prioriteringsaxel", "priority axis"),
    "objective": ("tematiskt_mål", "tematiskt mål", "thematic objective"),
    "counties": ("län", "county"),
    "municipalities": ("kommuner", "kommun", "municipalities"),
    "orgnr": ("organisationsnummer", "orgnr", "org nr", "stödmottagarens organisationsnummer"),
}
REQUIRED = ("case_id", "owner", "title")
_CASE_ID = re.compile(r"^[0-9A-Za-z][0-9A-Za-z./-]{0,40}$")
_ORGNR = re.compile(r"^(?:16)?(\d{6})-?(\d{4})$")


def _colkey(name: str) -> str:
    return re.sub(r"[\s_\-.]+", "", fold(name))


_BY_COLUMN = {_colkey(alias): f for f, aliases in COLUMNS.items() for alias in aliases}
_MUNI_COMPACT = {fold(m.short_name).replace(" ", ""): m.short_name for m in MUNICIPALITIES.values()}


@dataclass
class _Row:
    line: int
    values: dict[str, Any]  # field -> raw value


# ------------------------------------------------------------------------------------------- reading


def _map_header(header: list[Any]) -> dict[int, str]:
    out: dict[int, str] = {}
    for i, col in enumerate(header):
        f = _BY_COLUMN.get(_colkey(str(col or "")))
        if f and f not in out.values():
            out[i] = f
    return out


def _check_header(fields: set[str], name: str, seen: list[str]) -> None:
    missing = [f for f in REQUIRED if f not in fields]
    if missing:
        wanted = ", ".join(COLUMNS[f][0] for f in missing)
        got = ", ".join(seen[:8]) + (" …" if len(seen) > 8 else "")
        raise InvalidInput(f"{name}: not a Projektbanken export: no column {wanted} (found: {got or 'none'})")


def _read_json(raw: bytes, name: str) -> Iterator[_Row]:
    doc = load_json(raw, name)
    if isinstance(doc, dict):
        doc = next((v for v in doc.values() if isinstance(v, list)), None)
    if not isinstance(doc, list) or not doc:
        raise InvalidInput(f"{name}: expected a JSON list of Projektbanken projects")
    keys = sorted({str(k) for r in doc if isinstance(r, dict) for k in r})
    fields = {_BY_COLUMN[_colkey(k)] for k in keys if _colkey(k) in _BY_COLUMN}
    _check_header(fields, name, keys)
    rows = []
    for i, r in enumerate(doc, start=1):
        if not isinstance(r, dict):
            rows.append(_Row(i, {"_error": f"expected an object, got {type(r).__name__}"}))
            continue
        vals: dict[str, Any] = {}
        for k, v in r.items():
            f = _BY_COLUMN.get(_colkey(str(k)))
            if f and f not in vals:
                vals[f] = v
        rows.append(_Row(i, vals))
    return iter(rows)


def _read_csv(raw: bytes, name: str) -> Iterator[_Row]:
    content = decode(raw, name)
    first = content.split("\n", 1)[0]
    delim = max((";", ",", "\t"), key=first.count)
    header = next(csv.reader([first.rstrip("\r")], delimiter=delim), [])
    colmap = _map_header(header)
    _check_header(set(colmap.values()), name, [h for h in header if h])
    rows = []
    for start, end, values, balanced in records(content, delim):
        if not any(v.strip() for v in values):
            continue
        problem = record_problem(name, start, end, len(values), len(header), balanced, exact=False)
        if problem is not None:
            rows.append(_Row(start, {"_error": problem.reason}))
            continue
        rows.append(_Row(start, {f: values[i] for i, f in colmap.items() if i < len(values)}))
    return iter(rows)


def _read_xlsx(path: Path, name: str) -> Iterator[_Row]:
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(path) as zf:
            check_zip(zf, name)  # a workbook is a zip: the same bound on what it may expand to
        wb = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, zlib.error, EOFError, KeyError, OSError, ValueError, TypeError) as e:
        raise InvalidInput(f"{name}: not an Excel workbook (.xlsx): {e}") from e
    try:
        return _xlsx_rows(wb, name)
    except (zipfile.BadZipFile, zlib.error, EOFError, KeyError, ValueError, TypeError) as e:
        raise InvalidInput(f"{name}: a damaged Excel workbook (.xlsx): {e}") from e
    finally:
        wb.close()


def _xlsx_rows(wb: Any, name: str) -> Iterator[_Row]:
    if True:
        best: tuple[dict[int, str], int, Any] | None = None
        for ws in wb.worksheets:
            for r, row in enumerate(ws.iter_rows(min_row=1, max_row=10, values_only=True), start=1):
                colmap = _map_header(list(row))
                if best is None or len(colmap) > len(best[0]):
                    best = (colmap, r, ws)
        if best is None or not best[0]:
            raise InvalidInput(f"{name}: not a Projektbanken export: no sheet has its column names")
        colmap, header_row, ws = best
        header = next(ws.iter_rows(min_row=header_row, max_row=header_row, values_only=True))
        _check_header(set(colmap.values()), name, [str(h) for h in header if h is not None])
        rows = []
        for r, row in enumerate(ws.iter_rows(min_row=header_row + 1, values_only=True), start=header_row + 1):
            if not any(v is not None and str(v).strip() for v in row):
                continue
            rows.append(_Row(r, {f: row[i] for i, f in colmap.items() if i < len(row)}))
        return iter(rows)


def read_rows(path: Path) -> Iterator[_Row]:
    """The file's records as field → raw value, whichever of JSON, CSV or XLSX it is."""
    name = path.name
    if path.is_dir():
        raise InvalidInput(f"{path}: is a directory, expected a Projektbanken export (.json, .csv or .xlsx)")
    raw = read_file(path, "a Projektbanken export (.json, .csv or .xlsx)")
    if not raw.strip():
        raise InvalidInput(f"{name}: the file is empty")
    if raw.startswith(b"PK\x03\x04"):
        return _read_xlsx(path, name)
    if path.suffix.lower() in {".xlsx", ".xlsm", ".xls"}:
        raise InvalidInput(f"{name}: not an Excel workbook (.xlsx)")
    if raw.lstrip(b"\xef\xbb\xbf \r\n\t")[:1] in (b"[", b"{"):
        return _read_json(raw, name)
    return _read_csv(raw, name)


# ------------------------------------------------------------------------------------------- values


def _text(
    v: Any, column: str, *, numbers: bool = True, max_len: int = 300, notes: list[str] | None = None
) -> str:
    """A cell or JSON value as one line of text (see `ingest.validate.text`); numbers are fine in a sheet."""
    if isinstance(v, dt.date):
        return v.isoformat()
    return " ".join(text(v, column, numbers=numbers, max_len=max_len, notes=notes).split())


def _date(v: Any, what: str) -> dt.date | None:
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    s = _text(v, what)
    if not s:
        return None
    try:
        return dt.date.fromisoformat(s[:10])
    except ValueError as e:
        raise ValueError(f"{what} {s!r} is not a date (YYYY-MM-DD)") from e


def _amount(v: Any) -> float | None:
    if isinstance(v, str):
        v = v.strip().removesuffix("kr").removesuffix("SEK").strip()
    return amount(v, "granted amount")


def _split(v: Any, column: str) -> list[str]:
    if isinstance(v, list):
        parts = [_text(x, column) for x in v]
    else:
        parts = re.split(r"[,;\n]", _text(v, column, max_len=MAX_TEXT))
    return [p.strip() for p in parts if p.strip()]


def municipality_name(text: str) -> str:
    """The official short name of a municipality as Projektbanken writes it ("UpplandsVäsby", "Stenungssund")."""
    m = municipality_from_name(text)
    if m:
        return m.short_name
    key = fold(text).replace(" ", "")
    if key in _MUNI_COMPACT:
        return _MUNI_COMPACT[key]
    hit = process.extractOne(key, list(_MUNI_COMPACT), scorer=fuzz.ratio, score_cutoff=90)
    return _MUNI_COMPACT[hit[0]] if hit else text


def owner_kind(name: str) -> ActorKind:
    key = fold(name)
    rules: list[tuple[str, ActorKind]] = [
        (r"\bkommun$|\bkommuns\b|\bstad$", ActorKind.municipality),
        (r"\blansstyrelsen\b", ActorKind.government_agency),
        (
            r"\blans landsting\b|^region |\bregionforbundet\b|\bregion [a-z]+ lan\b|\blandstinget\b",
            ActorKind.regional_authority,
        ),
        (r"universitet|hogskola|hogskolan", ActorKind.university),
        (r"science park|\bsciencepark\b", ActorKind.science_park),
        (r"inkubator|incubator", ActorKind.incubator),
        (r"forskningsinst|\bresearch institute|\brise\b|\bswerea\b", ActorKind.research_institute),
        (
            r"\balmi\b|\bcoompanion\b|utvecklingscentrum|utvecklings centrum|\biuc\b|\binvest in\b|business region",
            ActorKind.business_support,
        ),
        (r"myndighet|verket$|\bverket\b", ActorKind.government_agency),
        (r"\bek for\b|foren\b|forening\b|forbund(et)?\b", ActorKind.association),
        (r"\bab\b|\baktiebolag\b", ActorKind.company),
    ]
    for pattern, kind in rules:
        if re.search(pattern, key):
            return kind
    return ActorKind.other


def owner_county(name: str) -> str | None:
    """The county an owner's name places it in, for public bodies named after their area; else None."""
    key = fold(name)
    m = re.match(r"^(.+?)s? kommun$", key) or re.match(r"^(.+?) kommun$", key)
    if m:
        muni = municipality_from_name(m.group(1)) or municipality_from_name(m.group(1) + "s")
        return muni.county_code if muni else None
    for pattern in (
        r"^(.+?) lans landsting$",
        r"^region (.+?)(?: lan)?$",
        r"^regionforbundet i (.+?) lan$",
        r"^lansstyrelsen i (.+?) lan$",
        r"^landstinget i (.+?) lan$",
    ):
        m = re.match(pattern, key)
        if m:
            return county_from_name(m.group(1))
    return None


# ------------------------------------------------------------------------------------------- records


def _theme_id(namespace: str, label: str) -> str | None:
    if not label:
        return None
    return default_crosswalk().label_to_id(namespace, label) or f"{namespace}:{slug(label)}"


def load_erdf(path: Path) -> SourceBatch:
    """Parse a Projektbanken export (JSON, CSV or XLSX) into projects, owners and participations."""
    rows = list(read_rows(path))
    fname = path.name
    batch = SourceBatch(source=SOURCE)
    cw = default_crosswalk()
    known_themes = {t.id: t for t in cw.themes()}
    themes: dict[str, Theme] = {}
    actors: dict[str, Actor] = {}
    areas: dict[str, list[set[str]]] = defaultdict(list)  # the counties each project of an owner runs in
    seen: dict[str, int] = {}
    batch.rows_read = len(rows)
    built = to_records(
        ((row.line, row) for row in rows),
        lambda row, notes: _record(row, fname, notes),
        fname,
        batch.problems,
        kept="",
        refused=(ValueError,),
    )
    for line, (project, owner, part, used) in built:
        if project.id in seen:
            batch.problems.append(
                Problem(
                    fname,
                    line,
                    f"ärende-id {project.id.removeprefix('erdf:')} again (first at {seen[project.id]})",
                )
            )
            continue
        seen[project.id] = line
        batch.projects.append(project)
        batch.participations.append(part)
        if owner.id in actors:
            prev = actors[owner.id]
            names = sorted({*prev.aliases, owner.name} - {prev.name})
            owner = prev.model_copy(update={"aliases": names, "orgnr": prev.orgnr or owner.orgnr})
        actors[owner.id] = owner
        areas[owner.id].append({p for p in project.places if p in COUNTIES})
        for tid, label in used:
            if tid in known_themes:
                themes[tid] = known_themes[tid]
            else:
                themes.setdefault(
                    tid,
                    Theme(
                        id=tid,
                        name=label,
                        kind=ThemeKind.thematic_objective,
                        sources=[SourceRef(source=SOURCE, record=tid, name=label, file=fname)],
                    ),
                )
    batch.actors = [_placed_by_area(actors[k], areas[k]) for k in sorted(actors)]
    batch.themes = [themes[k] for k in sorted(themes)]
    return batch


def _placed_by_area(owner: Actor, areas: list[set[str]]) -> Actor:
    """An owner no name places gets the one county all its projects run in ("Affärsverken Karlskrona AB",
    whose one project runs in Blekinge), marked as the weakest of places (`PLACED_BY_AREA`): Projektbanken
    names no owner's seat, but a regional fund's owner whose every project runs in one county is there."""
    if owner.county_code is not None or not areas:
        return owner
    common = set.intersection(*areas)
    if len(common) != 1:
        return owner
    county = common.pop()
    return owner.model_copy(
        update={"county_code": county, "nuts3": COUNTIES[county].nuts3, "placed_by": PLACED_BY_AREA}
    )


def _record(
    row: _Row, fname: str, notes: list[str]
) -> tuple[Project, Actor, Participation, list[tuple[str, str]]]:
    """One record's model objects; `notes` collects what was wrong but did not cost the row."""
    v = row.values
    if "_error" in v:
        raise ValueError(v["_error"])
    case_id = _text(v.get("case_id"), "ärende-id", max_len=MAX_ID)
    if not case_id:
        raise ValueError("no ärende-id")
    if not _CASE_ID.match(case_id):
        raise ValueError(f"ärende-id {case_id!r} is not a case number")
    owner_name = _text(v.get("owner"), "stödmottagare", numbers=False, notes=notes)
    if not owner_name:
        raise ValueError(f"{case_id}: no stödmottagare (owner)")
    title = _text(v.get("title"), "projektnamn", notes=notes)
    if not title:
        raise ValueError(f"{case_id}: no projektnamn (title)")
    try:
        start, end = _date(v.get("start"), "start date"), _date(v.get("end"), "end date")
        granted = _amount(v.get("amount"))
    except ValueError as e:
        raise ValueError(f"{case_id}: {e}") from e
    if start and end and end < start:
        raise ValueError(f"{case_id}: end date {end} is before start date {start}")
    money = Money(amount=granted, currency="SEK") if granted is not None else None
    if money is None:
        notes.append(f"{case_id}: no granted amount (beviljat belopp): amount unknown (row kept)")
    used: list[tuple[str, str]] = []
    for field, namespace in (("objective", "erdf-to"), ("axis", "erdf-axis")):
        label = _text(v.get(field), field)
        tid = _theme_id(namespace, label)
        if tid:
            used.append((tid, label))
    counties: list[str] = []
    for c in _split(v.get("counties"), "län"):
        code = county_from_name(c)
        if code is None:
            raise ValueError(f"{case_id}: län {c!r} is not a Swedish county")
        counties.append(code)
    places = sorted({*counties, *(municipality_name(m) for m in _split(v.get("municipalities"), "kommuner"))})
    pid = f"erdf:{case_id}"
    ref = SourceRef(source=SOURCE, record=pid, name=title, file=fname)
    area = _text(v.get("area"), "område") or None
    project = Project(
        id=pid,
        title=title,
        objective=_text(v.get("description"), "projektbeskrivning", max_len=MAX_TEXT) or None,
        programme=PROGRAMME,
        programme_part=area,
        funders=[FUNDER],
        start=start,
        end=end,
        budget=money,
        eu_contribution=money,
        themes=sorted({t for t, _ in used}),
        places=places,
        coverage=SOURCE_COVERAGE[SOURCE],  # Projektbanken names the owner only
        sources=[ref],
    )
    key = slug(normalise_name(owner_name)) or slug(owner_name)
    if not key:
        raise ValueError(f"{case_id}: owner name {owner_name!r} has no letters or digits")
    aid = f"erdf-org:{key}"
    kind = owner_kind(owner_name)
    stated = owner_county(owner_name)  # a public body named after its area: the name is its seat
    owner = Actor(
        id=aid,
        name=owner_name,
        kind=kind,
        country="SE",
        **({"county_code": stated} if stated else place_from_own_name(owner_name, kind)),
        sources=[SourceRef(source=SOURCE, record=aid, name=owner_name, file=fname)],
    )
    raw_orgnr = _text(v.get("orgnr"), "organisationsnummer").replace(" ", "")
    if raw_orgnr:
        m = _ORGNR.match(raw_orgnr)
        if m:
            owner = owner.model_copy(update={"orgnr": f"{m.group(1)}-{m.group(2)}"})
        else:
            notes.append(
                f"{case_id}: organisationsnummer {raw_orgnr!r} is not NNNNNN-NNNN; left out (row kept)"
            )
    # A project that runs in one county spends its grant there: the owner's participation counts for it
    # (funding attribution; a project of several counties leaves it to the owner's own county).
    runs_in = {*counties}
    part = Participation(
        actor_id=aid,
        project_id=pid,
        role=Role.project_owner,
        contribution=money,
        nuts3=COUNTIES[next(iter(runs_in))].nuts3 if len(runs_in) == 1 else None,
        sources=[ref],
    )
    return project, owner, part, used
