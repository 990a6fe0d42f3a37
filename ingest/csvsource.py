"""Users' own CSV: a folder with `actors.csv`, `projects.csv` and `participations.csv` (see docs/sources.md).

So that a region can add its regional projects, cluster members and ERDF projects. Comma-separated
with a header; UTF-8 (with or without BOM) or Latin-1/CP1252 as Excel saves it; CRLF is fine.
Columns are found by name; extra columns are ignored. A malformed row (wrong column count, bad date,
non-numeric money, unknown kind/role/county) is a Problem with file:line and the load goes on; a wrong
file (missing required columns, not a CSV, wrong delimiter, empty) stops before anything is written.
Participations may name actors and projects already in the graph, by id or by any key they carry
(`cordis:999589172`, `pic:…`, `orgnr:…`); one naming nothing known is reported, not loaded.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from graph.errors import InvalidInput
from graph.geo import COUNTIES, county_from_name, municipality_from_name
from graph.model import (
    SOURCE_COVERAGE,
    Actor,
    ActorKind,
    Coverage,
    Money,
    Participation,
    Project,
    Role,
    SourceRef,
)
from ingest.csvread import Table, decode
from ingest.enrich import clean_orgnr, clean_vat, country_code, orgnr_from_vat, swedish_place
from ingest.pipeline import Problem, SourceBatch
from ingest.steps import Col, Row, Spec, convert, open_tables, to_records
from ingest.validate import BadValue, amount, identifier, pic, read_file, text

SOURCE = "csv"
ROLE_WORDS: dict[str, Role] = {
    **{r.value: r for r in Role},
    "lp": Role.coordinator,
    "lead partner": Role.coordinator,
    "lead": Role.coordinator,
    "pp": Role.partner,
    "participant": Role.partner,
    "ap": Role.associated,
    "associated partner": Role.associated,
    "associatedpartner": Role.associated,
    "owner": Role.project_owner,
    "project owner": Role.project_owner,
    "projektägare": Role.project_owner,
    "stödmottagare": Role.project_owner,
    "medfinansiär": Role.financier,
}
_LIST = re.compile(r"\s*[;|]\s*")


# One bad value in one row: becomes a Problem (the edge of ingest's own error, see ingest.validate).
RowError = BadValue
MAX_USER_ID = 200  # a user's full id, e.g. reg:nordic-maritime-cluster


def _list(value: str) -> list[str]:
    return [x for x in _LIST.split(value.strip()) if x] if value.strip() else []


def _date(value: str, column: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise RowError(f"bad date in {column}: {value!r} (expected YYYY-MM-DD)") from None


def _currency(value: str) -> str:
    cur = value.strip().upper() or "EUR"
    if cur not in ("EUR", "SEK"):
        raise RowError(f"unknown currency {value!r} (EUR or SEK)")
    return cur


SPECS = (
    Spec(
        "actors.csv",
        {
            c: Col(c, required=c in ("id", "name", "kind", "country", "county_code"))
            for c in (
                "id",
                "name",
                "kind",
                "country",
                "county_code",
                "municipality",
                "city",
                "orgnr",
                "vat",
                "aliases",
                "website",
                "pic",
                "part_of",
            )
        },
    ),
    Spec(
        "projects.csv",
        {
            c: Col(c, required=c in ("id", "title", "programme"))
            for c in (
                "id",
                "title",
                "programme",
                "start",
                "end",
                "currency",
                "budget",
                "coverage",
                "acronym",
                "themes",
            )
        },
    ),
    Spec(
        "participations.csv",
        {
            c: Col(c, required=c in ("actor_id", "project_id", "role"))
            for c in ("actor_id", "project_id", "role", "contribution", "currency")
        },
    ),
)


def _tables(folder: Path) -> dict[str, Table]:
    if not folder.exists():
        raise InvalidInput(f"{folder}: no such folder")
    if not folder.is_dir():
        raise InvalidInput(
            f"{folder}: give the folder holding actors.csv, projects.csv and participations.csv"
        )
    found = {p.name.lower(): p for p in folder.iterdir() if p.is_file()}
    if not any(spec.file in found for spec in SPECS):
        raise InvalidInput(f"{folder}: no actors.csv, projects.csv or participations.csv in this folder")

    def text_of(spec: Spec) -> str | None:
        path = found.get(spec.file)
        return decode(read_file(path, "a CSV file"), spec.file) if path is not None else None

    return open_tables(SPECS, text_of)


def load_csv(folder: Path) -> SourceBatch:
    """Parse a folder of user CSV files into a `SourceBatch` (every file checked before any row is read)."""
    tables = _tables(Path(folder))
    batch = SourceBatch(source=SOURCE)
    projects_currency: dict[str, str] = {}
    builds: dict[str, Callable[[Row, list[str]], Actor | tuple[Project, str] | Participation]] = {
        "actors.csv": _actor,
        "projects.csv": _project,
        "participations.csv": lambda r, notes: _participation(r, projects_currency, notes),
    }
    for spec in SPECS:
        fname = spec.file
        t = tables.get(fname)
        if t is None:
            continue
        first: dict[object, tuple[int, object]] = {}  # key -> (line, record) of its first row
        rows = convert(t, spec, batch.problems)
        for line, built in to_records(rows, builds[fname], fname, batch.problems):
            record: Actor | Project | Participation
            if isinstance(built, tuple):
                record, cur = built
            else:
                record = built
            key: object = (
                (record.actor_id, record.project_id) if isinstance(record, Participation) else record.id
            )
            if key in first:
                conflict = _conflict(first[key][1], record)
                if conflict:
                    batch.problems.append(
                        Problem(
                            fname,
                            line,
                            f"{_key_text(key)} again (first at line {first[key][0]}) with a different "
                            f"{conflict}: the rows are merged, the first row's values win (row kept)",
                            kept=True,
                        )
                    )
            else:
                first[key] = (line, record)
            if isinstance(record, Actor):
                batch.actors.append(record)
            elif isinstance(record, Project):
                batch.projects.append(record)
                projects_currency.setdefault(record.id, cur)
            else:
                batch.participations.append(record)
                batch.external_refs.setdefault(key, Problem(fname, line, ""))  # type: ignore[arg-type]
        batch.rows_read += t.read
    return batch


def _key_text(key: object) -> str:
    return f"{key[0]} in {key[1]}" if isinstance(key, tuple) else str(key)


def _conflict(old: object, new: object) -> str:
    """The fields two rows of one record set to different values ('' when they agree or only fill gaps)."""
    assert isinstance(old, Actor | Project | Participation) and isinstance(new, type(old))
    fields = [
        f
        for f in type(old).model_fields
        if f != "sources"
        and getattr(old, f) not in (None, [])
        and getattr(new, f) not in (None, [])
        and getattr(old, f) != getattr(new, f)
    ]
    return ", ".join(fields)


def _actor(v: Row, notes: list[str]) -> Actor:
    aid = identifier(v["id"], "id", max_len=MAX_USER_ID)
    name = text(v["name"], "name", notes=notes)
    if not aid or not name:
        raise RowError("id and name are required")
    kind_raw = v["kind"].lower().replace(" ", "_")
    try:
        kind = ActorKind(kind_raw) if kind_raw else ActorKind.other
    except ValueError:
        raise RowError(
            f"unknown kind {v['kind']!r} (one of {', '.join(k.value for k in ActorKind)})"
        ) from None
    raw_country = v["country"]
    country = country_code(raw_country)
    if raw_country and country is None:
        raise RowError(f"country {raw_country!r} is not a two-letter ISO code")
    county_raw = v["county_code"]
    county = None
    if county_raw:
        county = county_raw.zfill(2) if county_raw.isdigit() else county_from_name(county_raw)
        if county not in COUNTIES:
            raise RowError(f"unknown county_code {county_raw!r} (an SCB code such as 10, or a county name)")
        country = country or "SE"
    fields: dict[str, Any] = {}
    muni_raw = text(v["municipality"], "municipality")
    city = text(v["city"], "city", notes=notes) or None
    if country == "SE":
        if muni_raw:
            muni = municipality_from_name(muni_raw)
            if muni is None:
                raise RowError(f"unknown municipality {muni_raw!r}")
            if county and muni.county_code != county:
                raise RowError(f"municipality {muni_raw!r} is not in county {county}")
            fields = {"municipality": muni.short_name, "county_code": muni.county_code}
        else:
            fields = swedish_place(city=city)  # a city that is a municipality's seat
            if county and fields.get("county_code") != county:
                fields = {}
        county = county or fields.get("county_code")
        if county:
            fields |= {"county_code": county, "nuts3": COUNTIES[county].nuts3}
    elif muni_raw:
        fields["municipality"] = muni_raw
    orgnr_raw = identifier(v["orgnr"], "orgnr")
    vat = clean_vat(identifier(v["vat"], "vat"))
    orgnr = clean_orgnr(orgnr_raw) if orgnr_raw else orgnr_from_vat(vat)
    if orgnr_raw and orgnr is None:
        raise RowError(f"orgnr {orgnr_raw!r} is not an organisationsnummer (NNNNNN-NNNN)")
    aliases = {text(a, "aliases", notes=notes) for a in _list(v["aliases"])}
    return Actor(
        id=aid,
        name=name,
        aliases=sorted(aliases - {name, ""}),
        kind=kind,
        country=country,
        city=city,
        website=text(v["website"], "website", notes=notes) or None,
        pic=pic(v["pic"], "pic"),
        vat=vat,
        orgnr=orgnr,
        part_of=v["part_of"] or None,  # the parent legal entity, by id or any key it carries
        sources=[SourceRef(source=SOURCE, record=aid, name=name, file="actors.csv")],
        **fields,
    )


def _project(v: Row, notes: list[str]) -> tuple[Project, str]:
    pid = identifier(v["id"], "id", max_len=MAX_USER_ID)
    title = text(v["title"], "title", notes=notes)
    programme = text(v["programme"], "programme", notes=notes)
    if not pid or not title or not programme:
        raise RowError("id, title and programme are required")
    start, end = _date(v["start"], "start"), _date(v["end"], "end")
    if start and end and end < start:
        raise RowError(f"end {end} is before start {start}")
    cur = _currency(v["currency"])
    budget = amount(v["budget"], "budget")
    coverage_raw = v["coverage"].strip().lower()
    try:
        coverage = Coverage(coverage_raw) if coverage_raw else SOURCE_COVERAGE[SOURCE]
    except ValueError:
        raise RowError(
            f"unknown coverage {coverage_raw!r} (all, swedish: Swedish partners only, owner: the owner only)"
        ) from None
    project = Project(
        id=pid,
        title=title,
        acronym=text(v["acronym"], "acronym", notes=notes) or None,
        programme=programme,
        start=start,
        end=end,
        budget=Money(amount=budget, currency=cur) if budget is not None else None,  # type: ignore[arg-type]
        themes=sorted(set(_list(v["themes"]))),
        coverage=coverage,
        sources=[SourceRef(source=SOURCE, record=pid, name=title, file="projects.csv")],
    )
    return project, cur


def _participation(v: Row, currency: dict[str, str], notes: list[str]) -> Participation:
    aid = identifier(v["actor_id"], "actor_id", max_len=MAX_USER_ID)
    pid = identifier(v["project_id"], "project_id", max_len=MAX_USER_ID)
    role_raw = text(v["role"], "role", notes=notes)
    if not aid or not pid:
        raise RowError("actor_id and project_id are required")
    role = ROLE_WORDS.get(role_raw.lower()) if role_raw else Role.partner
    if role is None:
        raise RowError(
            f"unknown role {role_raw!r} (coordinator, partner, associated, financier, project_owner)"
        )
    money = amount(v["contribution"], "contribution")
    cur = _currency(v["currency"]) if v["currency"] else currency.get(pid, "EUR")
    return Participation(
        actor_id=aid,
        project_id=pid,
        role=role,
        contribution=Money(amount=money, currency=cur) if money is not None else None,  # type: ignore[arg-type]
        sources=[SourceRef(source=SOURCE, record=f"{pid}#{aid}", file="participations.csv")],
    )
