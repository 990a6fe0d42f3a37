"""Calls matched to the region: for each call topic, the regional actors whose past work fits it.

`read_calls(path)` reads a list of call topics: CSV (`,` or `;`) or JSON Lines with a code, a title,
a description and a deadline — the columns of the Funding & Tenders portal's topic export
(`identifier`/`topicIdentifier`, `title`, `description`, `deadlineDate` …) and of CORDIS `topics.csv`
(`topic`, `title`; one row per funded project, so a code repeats and is read once).

`match_calls(index, calls, counties=…)` ranks, per topic, the actors of those counties whose past
projects fit it, each with the projects that are the evidence, plus partners from other countries
that would complete a consortium around them (`graph.partners.find`). `match_actor(index, calls, id)`
is the reverse: the topics that fit one actor.

An actor fits a topic through its past projects: a project's fit is its BM25 match with the topic's
title and description relative to the best-matching project of the whole data (below 0.25 it does
not count), or its place in the call-code hierarchy (the same year-less topic 0.8, the same call 0.6,
the same destination 0.4). The actor's fit is its best project plus a little for depth
(0.1 · log(1 + Σ fit²)), so a specialist with one project right on the topic comes before a large
organisation with many loosely related ones.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel, Field, ValidationInfo, field_validator

from graph.errors import InvalidInput, NotFound
from graph.geo import COUNTIES, SOUTH_SWEDEN, county_codes
from graph.partners import PartnerIndex, PartnerQuery, find, partner_index
from graph.partners.query import ProjectRef
from graph.partners.text import is_code, words
from graph.store.base import GraphStore
from graph.text import clean

MIN_MATCH = 0.25
CODE_FIT = ((0.999, 0.8), (0.75, 0.6), (0.5, 0.4))  # (share of the code path matched, project fit)
ALIASES: dict[str, tuple[str, ...]] = {
    "code": ("code", "topic", "identifier", "topicidentifier", "topic identifier", "topic code", "topiccode"),
    "title": ("title", "topic title", "topictitle", "name"),
    "description": ("description", "topic description", "objective", "scope", "expectedoutcome", "summary"),
    "deadline": (
        "deadline",
        "deadlinedate",
        "deadline date",
        "deadlinedates",
        "deadline dates",
        "closing date",
    ),
}
MAX_CALLS = 20_000


# What one topic may hold, wherever it comes from (a file, a form, a POSTed body): the longest real
# values are far shorter (CORDIS topics.csv: codes 49, titles 254 characters).
MAX_CODE = 200
MAX_TITLE = 1000
MAX_DESCRIPTION = 20_000
MAX_DEADLINE = 40
MAX_FILE = 50_000_000  # bytes of a call list file (the whole F&T topic export is ~2 MB)


class CallTopic(BaseModel):
    """One call topic to match. Its text reaches a terminal, a page and a spreadsheet: control and
    invisible characters are removed however it arrives (a file, a form, a JSON body)."""

    code: str = Field(max_length=MAX_CODE)
    title: str = Field(default="", max_length=MAX_TITLE)
    description: str = Field(default="", max_length=MAX_DESCRIPTION)
    deadline: str | None = Field(default=None, max_length=MAX_DEADLINE)

    # after the length checks: a schema's maxLength is about the text as sent
    @field_validator("code", "title", "description", "deadline", mode="after")
    @classmethod
    def _clean(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None:
            return None
        return clean(value, multiline=info.field_name == "description").strip()


class ActorFit(BaseModel):
    actor_id: str
    name: str
    kind: str
    county: str | None
    fit: float = Field(description="best project fit plus depth; see graph.calls")
    evidence: list[str] = Field(description="why, in words")
    projects: list[ProjectRef] = Field(default_factory=list, description="the best-fitting past projects")


class PartnerHint(BaseModel):
    actor_id: str
    name: str
    country: str | None
    kind: str
    reason: str


class TopicMatch(BaseModel):
    code: str
    title: str
    deadline: str | None
    fit: float = Field(description="the best regional actor's fit")
    actors: list[ActorFit]
    partners: list[PartnerHint] = Field(
        default_factory=list, description="partners from other countries that would complete a consortium"
    )


class CallsResult(BaseModel):
    calls_read: int
    region: list[str] = Field(description="county codes, or the one actor asked about")
    topics: list[TopicMatch]
    message: str | None = Field(default=None, description="what the answer could not use, in words")
    note: str = (
        "Fit is read from CORDIS and the other loaded sources' past projects; work outside them is not seen."
    )


# --- reading ---------------------------------------------------------------------------------------------
_LIMITS = {"code": MAX_CODE, "title": MAX_TITLE, "description": MAX_DESCRIPTION, "deadline": MAX_DEADLINE}


def _norm(column: str) -> str:
    return column.strip().lower().replace("_", " ")


def _field_of(column: str) -> str | None:
    """Which topic field a column holds under one of its aliases ("topicIdentifier" → code)."""
    name = _norm(column)
    return next((f for f, names in ALIASES.items() for a in names if name in (a, a.replace(" ", ""))), None)


def _pick(row: dict[str, Any], field: str, where: str) -> str:
    """One field of a row by any of its aliases, as clean text: a JSON number is read as its digits, a
    list, mapping or boolean is refused (never its Python repr); control characters (terminal escapes,
    an RTL override) are removed, and a value over the field's limit is refused, all with file:line."""
    norm = {_norm(k): v for k, v in row.items() if isinstance(k, str) and k}
    for alias in ALIASES[field]:
        for key in (alias, alias.replace(" ", "")):
            if key not in norm or norm[key] is None:
                continue
            value = norm[key]
            if isinstance(value, bool) or not isinstance(value, str | int):
                raise InvalidInput(f"{where}: {key} is a {_kind(value)}, expected text")
            text = clean(str(value), multiline=field == "description").strip()
            if len(text) > _LIMITS[field]:
                raise InvalidInput(f"{where}: {key} has {len(text):,} characters, at most {_LIMITS[field]:,}")
            return text
    return ""


def _kind(value: Any) -> str:
    return {dict: "mapping", list: "list", bool: "boolean", float: "number"}.get(
        type(value), type(value).__name__
    )


def _add(out: dict[str, CallTopic], row: dict[str, Any], where: str) -> None:
    code = _pick(row, "code", where)
    title = _pick(row, "title", where)
    if not code and not title:
        raise InvalidInput(f"{where}: no topic code or title (columns: code/topic/identifier, title)")
    code = code or title[:80]
    if code in out:
        return
    description = _pick(row, "description", where)
    out[code] = CallTopic(
        code=code, title=title, description=description, deadline=_pick(row, "deadline", where) or None
    )


def read_calls(path: Path) -> list[CallTopic]:
    """Call topics from a CSV or JSONL file, one per code (first occurrence), in file order."""
    if not path.is_file():
        raise InvalidInput(f"{path}: no such file")
    size = path.stat().st_size
    if size > MAX_FILE:
        raise InvalidInput(f"{path}: {size / 1e6:,.0f} MB; a call list is at most {MAX_FILE / 1e6:,.0f} MB")
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise InvalidInput(f"{path}: cannot be read ({e.strerror or e})") from e
    if raw.startswith(b"PK\x03\x04"):
        raise InvalidInput(f"{path}: a zip archive, not a CSV or JSONL file: unzip it first")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise InvalidInput(f"{path}: not UTF-8 text (byte {e.start}); save it as UTF-8") from e
    jsonl = path.suffix.lower() in (".jsonl", ".ndjson", ".json")
    return parse_calls(text, str(path), jsonl=jsonl, pasted=False)


def parse_calls(text: str, where: str = "calls", jsonl: bool = False, pasted: bool = True) -> list[CallTopic]:
    """Call topics from text: JSON Lines, a CSV with a header, or plain lines "CODE title" (pasted)."""
    out: dict[str, CallTopic] = {}
    if "\x00" in text[:65536]:
        raise InvalidInput(f"{where}: not a CSV or JSONL text (binary content)")
    lines = text.splitlines()
    if jsonl or text.lstrip().startswith("{"):
        for n, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as e:
                raise InvalidInput(f"{where}:{n}: not JSON: {e.msg}") from e
            except RecursionError:
                raise InvalidInput(f"{where}:{n}: JSON nested too deep") from None
            if not isinstance(row, dict):
                raise InvalidInput(f"{where}:{n}: expected a JSON object")
            _add(out, row, f"{where}:{n}")
        return _capped(out, where)
    first = lines[0] if lines else ""
    delim = ";" if first.count(";") > first.count(",") else ("\t" if "\t" in first else ",")
    header = next(csv.reader([first], delimiter=delim), [])
    keys = [h for h in header if _field_of(h) in ("code", "title")]
    if keys:
        # strict: a quote left open to the end of the file is an error, not one field holding every row
        # after it; a code or title running over several lines is a quote closed rows later
        reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delim, strict=True)
        end = 1  # the last line of the record before
        try:
            for row in reader:
                begin, end = end + 1, reader.line_num
                if end > begin and any(("\n" in v or "\r" in v) for k in keys if (v := row.get(k) or "")):
                    raise InvalidInput(
                        f'{where}:{begin}: unbalanced quote ("): the record runs over lines {begin}–{end} '
                        f"and swallowed the rows after line {begin}"
                    )
                _add(out, row, f"{where}:{begin}")
        except csv.Error as e:
            if "unexpected end of data" in str(e):
                raise InvalidInput(
                    f'{where}:{end + 1}: unbalanced quote ("): it stays open to the end of the file '
                    f"and would swallow every row after line {end + 1}"
                ) from e
            raise InvalidInput(f'{where}:{end + 1}: {e} (an unbalanced quote (")?)') from e
        return _capped(out, where)
    if not pasted:
        raise InvalidInput(
            f"{where}:1: no topic code or title column (expected code/topic/identifier and title)"
        )
    # Pasted lines: "HORIZON-CL5-2024-D3-01-05 Title of the topic", or a title alone; a line of codes only
    # ("HORIZON-CL5-2023-D3-01-05, HORIZON-CL4-2021-DIGITAL-EMERGING-01-09") is one topic per code.
    for n, line in enumerate(lines, start=1):
        line = line.strip()
        if not line:
            continue
        codes = [c for c in re.split(r"[\s,;]+", line) if c]
        if len(codes) > 1 and all(is_code(c) for c in codes):
            for c in codes:
                _add(out, {"code": c, "title": ""}, f"{where}:{n}")
            continue
        head, _, rest = line.partition(" ")
        if is_code(head):
            _add(out, {"code": head.strip(",;"), "title": rest.strip(" ,;:-\t")}, f"{where}:{n}")
        else:
            _add(out, {"title": line}, f"{where}:{n}")
    return _capped(out, where)


def _capped(out: dict[str, CallTopic], where: str) -> list[CallTopic]:
    if len(out) > MAX_CALLS:
        raise InvalidInput(f"{where}: {len(out):,} topics; at most {MAX_CALLS:,} at once")
    return list(out.values())


# --- matching --------------------------------------------------------------------------------------------
def project_fit(index: PartnerIndex, call: CallTopic) -> np.ndarray:
    """Each project's fit to the topic in [0, 1] (see the module docstring)."""
    bm25 = index.text_scores(words(f"{call.title} {call.description}"))
    top = bm25.max() if bm25.size else 0.0
    fit = bm25 / top if top > 0 else np.zeros(len(index.projects))
    fit[fit < MIN_MATCH] = 0.0
    if call.code:
        cm = index.code_match([call.code])
        for share, value in CODE_FIT:
            fit = np.maximum(fit, np.where(cm >= share, value, 0.0))
    return fit


def _actor_fit(index: PartnerIndex, i: int, fit: np.ndarray) -> tuple[float, np.ndarray]:
    projs = index.actor_projects(i)
    f = fit[projs]
    on = projs[f > 0]
    if not on.size:
        return 0.0, on
    score = float(f.max() + 0.1 * np.log1p((f**2).sum()))
    return score, on[np.lexsort((on, -fit[on]))]


def _label(index: PartnerIndex, j: int) -> str:
    p = index.projects[j]
    return f"{p.id} {p.acronym or p.title}" + (f" ({p.start.year})" if p.start else "")


def _fit_of(index: PartnerIndex, i: int, fit: np.ndarray) -> ActorFit | None:
    score, on = _actor_fit(index, i, fit)
    if score <= 0:
        return None
    a = index.actors[i]
    coord = index.coordinated_in(i, on)
    evidence = [
        f"{on.size} past project{'s' * (on.size != 1)} on the topic"
        + (f" ({coord} coordinated)" if coord else "")
        + ": "
        + "; ".join(_label(index, int(j)) for j in on[:3])
    ]
    return ActorFit(
        actor_id=a.id,
        name=a.name,
        kind=a.kind.value,
        county=COUNTIES[index.county[i]].name if index.county[i] in COUNTIES else None,
        fit=round(score, 4),
        evidence=evidence,
        projects=[
            ProjectRef(
                id=index.projects[j].id,
                acronym=index.projects[j].acronym,
                title=index.projects[j].title,
                year=index.projects[j].start.year if index.projects[j].start else None,
            )
            for j in on[:3]
        ],
    )


def _partners(index: PartnerIndex, call: CallTopic, actors: list[ActorFit], n: int) -> list[PartnerHint]:
    """Partners from other countries that would complete a consortium around the fitting actors."""
    if n <= 0 or not actors:
        return []
    members = [a.actor_id for a in actors[:2]]
    q = PartnerQuery(
        members=members,
        topic=f"{call.title}",
        topic_codes=[call.code] if call.code.upper().startswith("HORIZON") else [],
        exclude_countries=["SE"],
        min_countries=3,
        top=n,
    )
    res = find(index, q)
    return [
        PartnerHint(
            actor_id=c.actor_id,
            name=c.name,
            country=c.country,
            kind=c.kind,
            reason=next((r for r in c.reasons if not r.startswith("track record")), c.reasons[0]),
        )
        for c in res.partners
    ]


def match_calls(
    index: PartnerIndex,
    calls: Sequence[CallTopic],
    counties: Sequence[str],
    top_topics: int = 20,
    top_actors: int = 5,
    partners: int = 3,
) -> CallsResult:
    """The topics that fit the counties' actors best, each with its fitting actors and partners."""
    regional = np.flatnonzero(np.isin(index.county, list(counties)) & (index.n_projects > 0))
    found: list[TopicMatch] = []
    for call in calls:
        fit = project_fit(index, call)
        fits = [f for i in regional if (f := _fit_of(index, int(i), fit)) is not None]
        if not fits:
            continue
        fits.sort(key=lambda f: (-f.fit, f.actor_id))
        found.append(
            TopicMatch(
                code=call.code,
                title=call.title,
                deadline=call.deadline,
                fit=fits[0].fit,
                actors=fits[:top_actors],
            )
        )
    found.sort(key=lambda t: (-t.fit, t.code))
    found = found[:top_topics]
    by_code = {c.code: c for c in calls}
    for t in found:
        t.partners = _partners(index, by_code[t.code], t.actors, partners)
    return CallsResult(calls_read=len(calls), region=list(counties), topics=found)


def match_actor(
    index: PartnerIndex, calls: Sequence[CallTopic], actor: int, top_topics: int = 20, partners: int = 3
) -> CallsResult:
    """The reverse: the topics that fit one actor best, with partners around it."""
    found: list[TopicMatch] = []
    for call in calls:
        f = _fit_of(index, actor, project_fit(index, call))
        if f is not None:
            found.append(
                TopicMatch(code=call.code, title=call.title, deadline=call.deadline, fit=f.fit, actors=[f])
            )
    found.sort(key=lambda t: (-t.fit, t.code))
    found = found[:top_topics]
    by_code = {c.code: c for c in calls}
    for t in found:
        t.partners = _partners(index, by_code[t.code], t.actors, partners)
    return CallsResult(calls_read=len(calls), region=[index.actors[actor].id], topics=found)


def parse_counties(values: Sequence[str]) -> list[str]:
    """The region to match: SCB county codes or south-sweden (`graph.geo.county_codes`); default South Sweden."""
    return list(county_codes(values, allow_all=False) or SOUTH_SWEDEN)


NO_TOPIC = "give at least one call topic: a code and a title, one per line, or a CSV/JSONL text"


def run_calls(
    store: GraphStore,
    topics: list[CallTopic],
    counties: Sequence[str] = (),
    actor: str | None = None,
    top: int = 20,
    partners: int = 3,
) -> CallsResult:
    """One home for the CLI's and the API's matching: the topics for one actor, else for the counties."""
    if not topics:
        raise InvalidInput(NO_TOPIC)
    index = partner_index(store)
    if actor:
        i = index.resolve(actor, store)
        if i is None:
            raise NotFound(f"no actor {actor!r} with projects in the store")
        return match_actor(index, topics, i, top_topics=top, partners=partners)
    return match_calls(index, topics, parse_counties(counties), top_topics=top, partners=partners)
