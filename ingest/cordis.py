"""CORDIS open data (Horizon 2020, Horizon Europe, FP7) from the official CSV download.

Input: the zip as downloaded (`cordis-h2020projects-csv.zip`) or the folder it unzips to. Required:
`project.csv` and `organization.csv` (`;`-separated, every field quoted, objectives spanning lines);
optional `legalBasis.csv`, `topics.csv` (call topic code and title) and `euroSciVoc.csv` (fields of
science) enrich the projects' themes and topics.
Columns are found by name; missing required ones are named in the error.

- Projects: `h2020:<id>`, `horizon:<id>`, `fp7:<id>` by `frameworkProgramme`; the programme part
  (H2020 `SC5`, Horizon Europe `HORIZON.2.5`) becomes a `part:<programme>:<code>` theme.
- Organisations: one actor per PIC, `cordis:<PIC>`; the name is the most frequent non-empty `name`,
  else `shortName`, else "Unnamed organisation (PIC n)"; the other names and short names are aliases.
  The actor is dated by its latest project in the download (`Actor.as_of`), so when H2020 and Horizon
  Europe both name a PIC, the later programme's name (today's legal name) labels it in any loading
  order. VAT (a Swedish one yields the organisationsnummer), activity type
  (HES/REC/PRC/PUB/OTH → kind), SME flag, city, country (UK→GB, EL→GR), NUTS 3 and, for Sweden, the
  county and municipality.
- Participations: role (coordinator, participant/partner, associatedPartner/thirdParty), the EC
  contribution in EUR and the row's NUTS 3 region (`Participation.nuts3`, where funding analysis
  attributes the money). Two rows of one PIC in one project are one participation (contributions
  summed). A negative or non-numeric `ecContribution` is a problem with file:line and the row is not
  loaded, so a bad amount is never summed; an empty one is an unknown amount (`contribution` None).
"""

from __future__ import annotations

import datetime as dt
import zipfile
from collections.abc import Callable, Iterator, Mapping
from functools import partial
from operator import itemgetter
from pathlib import Path
from typing import Any

from graph.errors import InvalidInput
from graph.model import (
    MAX_AMOUNT,
    ROLE_RANK,
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
from graph.text import has_control, unnamed
from ingest.csvread import Table, decode
from ingest.enrich import (
    clean_vat,
    country_code,
    kind_from_name,
    orgnr_from_vat,
    place_name,
    swedish_place,
)
from ingest.pipeline import Problem, SourceBatch, gc_paused
from ingest.progress import Progress
from ingest.steps import Col, Row, Spec, convert, open_tables, to_records
from ingest.validate import (
    MAX_ID,
    MAX_NAME,
    MAX_TEXT,
    BadValue,
    amount,
    identifier,
    looks_like_zip,
    open_zip,
    read_file,
    read_member,
    text,
)

SOURCE = "cordis"

# Some extracts write missing values as NA (an R export); they mean empty, not a bad value.
NA_VALUES = frozenset({"NA", "N/A", "NAN", "NULL", "NONE"})

# frameworkProgramme → (id prefix, Project.programme)
PROGRAMMES: dict[str, tuple[str, str]] = {
    "H2020": ("h2020", "Horizon 2020"),
    "HORIZON": ("horizon", "Horizon Europe"),
    "FP7": ("fp7", "FP7"),
}

ROLES = {
    "coordinator": Role.coordinator,
    "participant": Role.partner,
    "partner": Role.partner,
    "beneficiary": Role.partner,
    "associatedpartner": Role.associated,
    "thirdparty": Role.associated,
    "internationalpartner": Role.partner,
}

ACTIVITY_KINDS = {
    "HES": ActorKind.university,
    "REC": ActorKind.research_institute,
    "PRC": ActorKind.company,
    "PUB": ActorKind.government_agency,
    "OTH": ActorKind.other,
}

# Horizon 2020 programme parts: the short codes CORDIS uses and the pillar numbers of the legal basis.
H2020_PARTS: dict[str, str] = {
    "ERC": "European Research Council",
    "FET": "Future and Emerging Technologies",
    "MSCA": "Marie Skłodowska-Curie Actions",
    "RI": "Research Infrastructures",
    "LEIT": "Leadership in Enabling and Industrial Technologies",
    "ARF": "Access to risk finance",
    "SME": "Innovation in SMEs",
    "SC1": "Health, demographic change and wellbeing",
    "SC2": "Food security, sustainable agriculture and forestry, marine research and the bioeconomy",
    "SC3": "Secure, clean and efficient energy",
    "SC4": "Smart, green and integrated transport",
    "SC5": "Climate action, environment, resource efficiency and raw materials",
    "SC6": "Europe in a changing world: inclusive, innovative and reflective societies",
    "SC7": "Secure societies",
    "SEWP": "Spreading excellence and widening participation",
    "SWAFS": "Science with and for Society",
    "JRC": "Joint Research Centre (non-nuclear)",
    "EIT": "European Institute of Innovation and Technology",
    "Euratom": "Euratom research and training programme",
}
_H2020_NUMBERED = {
    "1.1": "ERC",
    "1.2": "FET",
    "1.3": "MSCA",
    "1.4": "RI",
    "2.1": "LEIT",
    "2.2": "ARF",
    "2.3": "SME",
    "4": "SEWP",
    "5": "SWAFS",
    "6": "JRC",
    "7": "EIT",
    **{f"3.{i}": f"SC{i}" for i in range(1, 8)},
}


def h2020_part(legal_basis: str) -> str | None:
    """`H2020-EU.SC5` / `H2020-EU.3.5.2.` → `SC5`; `H2020-EU.Innovation in SMEs` → `SME`."""
    lb = legal_basis.strip()
    if lb.upper().startswith("H2020-EURATOM") or lb == "H2020-EU.Euratom":
        return "Euratom"
    rest = lb.removeprefix("H2020-EU.").strip(".").strip()
    if not rest:
        return None
    if rest in H2020_PARTS:
        return rest
    if rest.lower() == "innovation in smes":
        return "SME"
    nums = rest.split(".")
    for depth in (2, 1):
        code = _H2020_NUMBERED.get(".".join(nums[:depth]))
        if code:
            return code
    return None


# _actor's fields ← organization.csv columns, counted per organisation over its rows.
ORG_ATTRS = (
    ("names", "name"),
    ("short", "shortName"),
    ("vat", "vatNumber"),
    ("activity", "activityType"),
    ("sme", "SME"),
    ("city", "city"),
    ("country", "country"),
    ("nuts", "nutsCode"),
    ("url", "organizationURL"),
)
_ATTRS = tuple(attr for attr, _column in ORG_ATTRS)
Counts = dict[str, int]  # value -> rows (a plain dict: `Counter` costs a Python call per new value)
_NONE: Counts = {}


def _top(c: Counts | None) -> str | None:
    """The most frequent value, ties broken alphabetically (so the result never depends on row order)."""
    if not c:
        return None
    if len(c) == 1:  # most organisations write each value one way
        return next(iter(c))
    return min(c, key=lambda v: (-c[v], v))


class _Files:
    """The CSV files of a CORDIS download, from a zip or a folder, found by name (any sub-folder)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._zip: zipfile.ZipFile | None = None
        self._members: dict[str, str] = {}
        if not path.exists():
            raise InvalidInput(f"{path}: no such file or folder")
        if path.is_dir():
            for p in sorted(path.rglob("*.csv")):
                self._members.setdefault(p.name.lower(), str(p))
        elif looks_like_zip(path):  # a truncated download too: open_zip calls it a damaged zip
            self._zip = open_zip(path)
            for n in sorted(self._zip.namelist()):
                if n.lower().endswith(".csv"):
                    self._members.setdefault(n.rsplit("/", 1)[-1].lower(), n)
        else:
            raise InvalidInput(f"{path}: not a CORDIS download (expected a .zip or a folder of CSV files)")
        missing = [f for f in ("project.csv", "organization.csv") if f not in self._members]
        if missing:
            where = "zip" if self._zip else "folder"
            raise InvalidInput(
                f"{path}: the {where} has no {' and no '.join(missing)} (not a CORDIS CSV download)"
            )

    def has(self, name: str) -> bool:
        return name in self._members

    def size(self, name: str) -> int:
        m = self._members[name]
        return self._zip.getinfo(m).file_size if self._zip else Path(m).stat().st_size

    def text(self, name: str) -> str:
        m = self._members[name]
        raw = read_member(self._zip, m, self.path.name) if self._zip else read_file(Path(m), "a CSV file")
        return decode(raw, name)

    def text_of(self, spec: Spec) -> str | None:
        """The decoded text of a spec's file; None when an optional file is not in the download."""
        name = spec.file.lower()
        return self.text(name) if self.has(name) else None

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()


# ------------------------------------------------------------------------------ converters (step 3)


def _project_id(value: str) -> str:
    raw = identifier(value, "id")
    if not raw:
        raise BadValue("empty project id")
    return raw


def _programme(value: str) -> tuple[str, str]:
    """`frameworkProgramme` → (id prefix, `Project.programme`)."""
    fp = value.upper()
    if fp not in PROGRAMMES:
        raise BadValue(f"unknown frameworkProgramme {fp!r} (expected H2020, HORIZON or FP7)")
    return PROGRAMMES[fp]


def _dates(values: tuple[str, str]) -> tuple[dt.date | None, dt.date | None]:
    start, end = values
    try:
        return (
            dt.date.fromisoformat(start[:10]) if start else None,
            dt.date.fromisoformat(end[:10]) if end else None,
        )
    except ValueError:
        raise BadValue(f"bad date {start!r}/{end!r} (YYYY-MM-DD)") from None


def _amount(column: str) -> Callable[[str], float | None]:
    return lambda v: amount(v, column)


def _text(column: str, **kw: Any) -> Callable[[str], str]:
    return lambda v: text(v, column, **kw)


def _pic(value: str) -> str:
    if not (value.isascii() and value.isdigit() and len(value) <= MAX_ID):
        raise BadValue(f"organisationID {value[:60]!r} is not a PIC (digits)")
    return value


def _role(value: str) -> Role:
    role = ROLES.get(value.lower())
    if role is None:
        raise BadValue(f"unknown role {value!r}")
    return role


def _unquoted(value: str) -> str:
    """A name quoted once more than CSV needs, as some CORDIS rows write it: outer quotes around the
    whole name and every inner quote doubled (`NATIONAL CENTER FOR SCIENTIFIC RESEARCH "DEMOKRITOS"`
    arrives wrapped in quotes with `""DEMOKRITOS""` inside). The outer quotes go and the doubled ones
    become single. Only that signature is undone (doubled quotes inside, or none): `"A" and "B"` is a
    name with two quoted words, not a quoted name."""
    if len(value) > 2 and value[0] == value[-1] == '"':
        inner = value[1:-1]
        if '""' in inner or '"' not in inner:
            return inner.replace('""', '"').strip() or value
    return value


def _known_project(projects: Mapping[str, str], value: str) -> str:
    pid = projects.get(value)
    if pid is None:
        raise BadValue(f"projectID {value!r} is not in project.csv")
    return pid


# ------------------------------------------------------------------------------- the files (step 1–2)

PROJECTS = Spec(
    "project.csv",
    {
        "raw_id": Col("id", _project_id, required=True),
        "programme": Col("frameworkProgramme", _programme, required=True),
        "dates": Col(("startDate", "endDate"), _dates, required=True),
        "total": Col("totalCost", _amount("totalCost")),
        "ec_max": Col("ecMaxContribution", _amount("ecMaxContribution")),
        "acronym": Col("acronym", _text("acronym"), required=True),
        "title": Col("title", _text("title"), required=True),
        "objective": Col("objective", _text("objective", max_len=MAX_TEXT, multiline=True)),
        "legal_basis": Col("legalBasis"),
        "topics": Col("topics"),
        "keywords": Col("keywords"),
    },
    delimiter=";",
    na=NA_VALUES,
)
LEGAL_BASIS = Spec(
    "legalBasis.csv",
    {
        "project": Col("projectID", required=True),
        "code": Col("legalBasis", required=True),
        "title": Col("title"),
        "unique": Col("uniqueProgrammePart", lambda v: v.lower() == "true"),
    },
    delimiter=";",
    na=NA_VALUES,
    optional=True,
)
TOPICS = Spec(
    "topics.csv",
    {"project": Col("projectID", required=True), "topic": Col("topic", required=True), "title": Col("title")},
    delimiter=";",
    na=NA_VALUES,
    optional=True,
)
FIELDS = Spec(
    "euroSciVoc.csv",
    {"project": Col("projectID", required=True), "field": Col("euroSciVocTitle", required=True)},
    delimiter=";",
    na=NA_VALUES,
    optional=True,
)


def organisations(projects: Mapping[str, str]) -> Spec:
    """organization.csv: the row's PIC, its project (one of `projects`: raw id → project id), role and
    amount, then the organisation's values (`ORG_ATTRS`), each at most `MAX_NAME` long."""
    return Spec(
        "organization.csv",
        {
            "pic": Col("organisationID", _pic, required=True, na=False),
            "project": Col("projectID", partial(_known_project, projects), required=True, na=False),
            "role": Col("role", _role, required=True, na=False),
            "ec": Col("ecContribution", _amount("ecContribution")),
            **{
                attr: Col(
                    column,
                    _unquoted if attr in ("names", "short") else None,
                    required=column in ("name", "country"),
                    max_len=MAX_NAME,
                )
                for attr, column in ORG_ATTRS
            },
            "ec_raw": Col("ecContribution", na=False),
        },
        delimiter=";",
        na=NA_VALUES,
    )


SPECS = (PROJECTS, organisations({}), LEGAL_BASIS, TOPICS, FIELDS)


def load_cordis(path: Path) -> SourceBatch:
    """Parse a CORDIS CSV download (zip or folder) into a `SourceBatch`."""
    files = _Files(Path(path))
    try:
        with gc_paused():  # hundreds of thousands of small objects, no cycles among them
            # Every file's header checked before any row is read, so a wrong file stops with nothing done.
            tables = open_tables(SPECS, files.text_of)
            return _Cordis(files.path.name, tables).batch()
    finally:
        files.close()


class _Cordis:
    """Step 4 for one download: projects from project.csv and its side files, then organisations and
    participations from organization.csv, assembled into the batch."""

    def __init__(self, download: str, tables: dict[str, Table]) -> None:
        self.tables = tables
        self.out = SourceBatch(source=SOURCE)
        self.themes: dict[str, Theme] = {}
        # Source records cite the download they came from, so H2020 and Horizon Europe rows of one PIC
        # stay two records of the actor: "h2020-2014-2018/organization.csv", "cordis-….zip/organization.csv".
        self.ref_p, self.ref_o = f"{download}/project.csv", f"{download}/organization.csv"
        self.legal: dict[str, list[tuple[str, str, bool]]] = {}
        self.topics: dict[str, list[str]] = {}
        self.fields: dict[str, list[str]] = {}

    def rows(self, spec: Spec) -> Iterator[tuple[int, Row]]:
        table = self.tables.get(spec.file)
        return convert(table, spec, self.out.problems) if table is not None else iter(())

    def batch(self) -> SourceBatch:
        # legal basis / topics / fields of science, by project id
        for _line, r in self.rows(LEGAL_BASIS):
            self.legal.setdefault(r["project"], []).append((r["code"], r["title"], r["unique"]))
        for _line, r in self.rows(TOPICS):
            # The call topic's code and its title ("Direct atmospheric carbon capture and conversion"):
            # the title is the words a grant office pastes, so the partner finder and the call
            # matcher read it as text beside the project's own title.
            self.topics.setdefault(r["project"], []).extend(x for x in (r["topic"], r["title"]) if x)
        for _line, r in self.rows(FIELDS):
            self.fields.setdefault(r["project"], []).append(r["field"])

        projects: dict[str, Project] = {}
        by_raw_id: dict[str, str] = {}
        for _line, (raw_id, project) in to_records(
            self.rows(PROJECTS), self.project, PROJECTS.file, self.out.problems
        ):
            projects[project.id] = project
            by_raw_id[raw_id] = project.id
        self.out.rows_read += self.tables[PROJECTS.file].read

        self.organisations(organisations(by_raw_id), {pid: p.start for pid, p in projects.items()})
        self.out.projects = [projects[k] for k in sorted(projects)]
        self.out.themes = [self.themes[k] for k in sorted(self.themes)]
        return self.out

    def theme(self, tid: str, name: str, description: str | None = None) -> str:
        if tid not in self.themes:
            self.themes[tid] = Theme(
                id=tid,
                name=name,
                kind=ThemeKind.programme_part,
                description=description,
                sources=[SourceRef(source=SOURCE, record=tid, name=name)],
            )
        return tid

    def project(self, r: Row, _notes: list[str]) -> tuple[str, Project]:
        """One project row → (its raw id, the `Project`), with its programme-part themes."""
        raw_id: str = r["raw_id"]
        prefix, programme = r["programme"]
        start, end = r["dates"]
        total, ec_max = r["total"], r["ec_max"]
        acronym = r["acronym"] or None
        title = r["title"] or acronym or f"Untitled {programme} project {raw_id}"
        pid = f"{prefix}:{raw_id}"
        part: str | None = None
        theme_ids: list[str] = []
        lb: str = r["legal_basis"]
        if prefix == "h2020":
            code = h2020_part(lb) or h2020_part("H2020-EU." + r["topics"])
            if code:
                part = code
                theme_ids.append(self.theme(f"part:h2020:{code}", H2020_PARTS[code], f"Horizon 2020 {code}"))
        for code, name, unique in self.legal.get(raw_id, []):
            if not code:
                continue
            tid = self.theme(f"part:{prefix}:{code}", name or code, f"{programme} {code}")
            if tid not in theme_ids:
                theme_ids.append(tid)
            if unique and prefix != "h2020":
                part = code
        if prefix != "h2020" and lb and not part:
            part = lb
        if prefix != "h2020" and lb:
            tid = f"part:{prefix}:{lb}"
            if tid not in theme_ids:
                name = self.themes[tid].name if tid in self.themes else lb
                theme_ids.append(self.theme(tid, name, f"{programme} {lb}"))
        topic_codes = [t for t in r["topics"].split(",") if t.strip()]
        kw = [k.strip() for k in r["keywords"].split(",") if k.strip()]
        extra = [*self.topics.get(raw_id, []), *self.fields.get(raw_id, [])]
        all_topics = sorted({t.strip() for t in [*topic_codes, *extra, *kw] if t})
        project = Project(
            id=pid,
            acronym=acronym,
            title=title,
            objective=r["objective"] or None,
            programme=programme,
            programme_part=part,
            funders=["European Commission"],
            start=start,
            end=end,
            budget=Money(amount=total, currency="EUR") if total is not None else None,
            eu_contribution=Money(amount=ec_max, currency="EUR") if ec_max is not None else None,
            themes=sorted(theme_ids),
            topics=[t[:MAX_NAME] for t in all_topics],
            sources=[SourceRef(source=SOURCE, record=pid, name=acronym or title, file=self.ref_p)],
        )
        return raw_id, project

    def organisations(self, spec: Spec, starts: Mapping[str, dt.date | None]) -> None:
        """organization.csv in one pass (~100,000 rows): per-organisation value counts, one participation
        per (PIC, project) with amounts summed, then the batch's actors and participations. `starts`
        (project id → start) dates each actor by its latest project (`Actor.as_of`)."""
        problems = self.out.problems
        otab = self.tables[spec.file]
        oname = spec.file
        orgs: dict[str, list[tuple[str, ...]]] = {}  # PIC -> the ORG_ATTRS values of each of its rows
        values_of = itemgetter(*_ATTRS)
        parts: dict[tuple[str, str], tuple[Role, float | None, str | None]] = {}
        progress = Progress(oname, otab.text.count("\n"))
        has_ec = otab.column("ecContribution") is not None
        missing: list[int] = []  # lines of beneficiaries (not associated partners) without an amount
        first_line: dict[
            str, int
        ] = {}  # PIC -> its first row, where a problem with the organisation is reported
        for line, r in self.rows(spec):
            if otab.read % 5000 == 0:
                progress.update(line)
            pic: str = r["pic"]
            pid: str = r["project"]
            role: Role = r["role"]
            contribution: float | None = r["ec"]
            aid = f"cordis:{pic}"
            key = (aid, pid)
            old = parts.get(key)
            if old is not None and contribution is not None and (old[1] or 0.0) + contribution > MAX_AMOUNT:
                ec = r["ec_raw"]
                problems.append(
                    Problem(oname, line, f"ecContribution {ec!r} makes the sum above {MAX_AMOUNT:.0e}")
                )
                continue
            if contribution is None and has_ec and role is not Role.associated:
                # associated partners get no EC money (CORDIS leaves theirs empty); a beneficiary should have some
                missing.append(line)
            org = orgs.get(pic)
            if org is None:
                orgs[pic] = [values_of(r)]
                first_line[pic] = line
            else:
                org.append(values_of(r))
            # Where this row places the organisation: funding is attributed to this region (a NUTS 3 code);
            # a country-level "SE" states no county, and none is guessed for the money.
            row_nuts = r["nuts"].upper()[:5] or None
            if old is not None:
                old_role, old_c, old_nuts = old
                role = max(old_role, role, key=lambda x: ROLE_RANK[x])
                if old_c is not None:
                    contribution = old_c + (contribution or 0.0)
                if old_nuts and row_nuts and old_nuts != row_nuts:
                    problems.append(
                        Problem(
                            oname,
                            line,
                            f"PIC {pic} in project {pid.partition(':')[2]} again, in {row_nuts} after "
                            f"{old_nuts}: its money is attributed to the organisation's county (row kept)",
                            kept=True,
                        )
                    )
                    row_nuts = None
                else:
                    row_nuts = old_nuts or row_nuts
            parts[key] = (role, contribution, row_nuts)
        progress.close()
        self.out.rows_read += otab.read
        if missing:
            # one line for all of them: the H2020 extract alone has ~10,000 such rows (NA)
            problems.append(
                Problem(
                    oname,
                    missing[0],
                    f"{len(missing)} beneficiary row(s) with no ecContribution (empty or NA), first at line "
                    f"{missing[0]}: amounts unknown, kept and counted in the funding's unknown share",
                    kept=True,
                )
            )

        # The download's names are the PICs' names when it was extracted: its latest project dates them,
        # so a later programme's row of a PIC names it over an earlier one's (`Actor.standing`).
        latest: dict[str, dt.date] = {}
        for aid, pid in parts:
            start = starts.get(pid)
            if start is not None and (aid not in latest or start > latest[aid]):
                latest[aid] = start
        built = to_records(
            ((first_line[pic], pic) for pic in sorted(orgs)),
            lambda pic, notes: _actor(
                pic, _counts(orgs[pic]), self.ref_o, notes, latest.get(f"cordis:{pic}")
            ),
            oname,
            problems,
            kept=" (kept)",
            what=lambda pic: f"organisation {pic}",
        )
        self.out.actors = [a for _line, a in built]
        kept = {a.id for a in self.out.actors}
        for (aid, pid), (role, contribution, row_nuts) in sorted(parts.items()):
            if aid not in kept:
                continue
            money = Money(amount=round(contribution, 2), currency="EUR") if contribution is not None else None
            self.out.participations.append(
                Participation(
                    actor_id=aid,
                    project_id=pid,
                    role=role,
                    contribution=money,
                    nuts3=row_nuts,
                    sources=[SourceRef(source=SOURCE, record=f"{pid}#{aid}", file=self.ref_o)],
                )
            )


def _counts(rows: list[tuple[str, ...]]) -> dict[str, Counts]:
    """One organisation's rows (`ORG_ATTRS` values) → attribute → value → how many rows give it; empty
    values are not counted and an attribute no row fills is left out."""
    if len(rows) == 1:  # two organisations in three have one row
        return {attr: {v: 1} for attr, v in zip(_ATTRS, rows[0], strict=True) if v}
    out: dict[str, Counts] = {}
    for attr, col in zip(_ATTRS, zip(*rows, strict=True), strict=True):
        distinct = set(col)
        distinct.discard("")
        if len(distinct) == 1:  # the same value in every row that fills it
            (v,) = distinct
            out[attr] = {v: len(col) - col.count("")}
        elif distinct:
            out[attr] = {v: col.count(v) for v in distinct}
    return out


def _actor(
    pic: str, counts: dict[str, Counts], file: str, notes: list[str], as_of: dt.date | None = None
) -> Actor:
    get = counts.get
    names, shorts = get("names", _NONE), get("short", _NONE)
    for attr, values in (("names", names), ("short", shorts), ("city", get("city", _NONE))):
        if any(has_control(n) for n in values):
            notes.append(f"control characters removed from {dict(ORG_ATTRS)[attr]}")
    # The most frequent name, preferring real names to acronyms ("LTU" in some rows of Luleå's PIC).
    spelled = {n: c for n, c in names.items() if " " in n.strip() or len(n) > 5}
    name = _top(spelled) or _top(names)
    short = _top(shorts)
    aliases = sorted({*names, *shorts} - {name or short or ""})
    display = name or short or unnamed(pic)  # never a bare number as a label
    activity = (_top(get("activity")) or "").upper()
    kind = ACTIVITY_KINDS.get(activity, ActorKind.other)
    hint = kind_from_name(display)
    if hint is not None and kind in (ActorKind.government_agency, ActorKind.other):
        kind = hint  # a public body named "… universitet" or "… kommun" is better known by its name
    country = country_code(_top(get("country")))
    vat = clean_vat(_top(get("vat")))
    city = _top({c: n for c, n in get("city", _NONE).items() if place_name(c)})
    nuts = (_top(get("nuts")) or "").upper()
    place: dict[str, object] = {"nuts3": nuts[:5]} if len(nuts) >= 5 else {}
    if country == "SE":
        place |= swedish_place(nuts=nuts, city=city, name=display, kind=kind)
    sme_raw = (_top(get("sme")) or "").lower()
    return Actor(
        id=f"cordis:{pic}",
        name=display,
        aliases=aliases,
        kind=kind,
        country=country,
        city=city.title() if city and city.isupper() else city,
        website=_top(get("url")),
        pic=pic if 6 <= len(pic) <= 12 else None,
        vat=vat,
        orgnr=orgnr_from_vat(vat) if country == "SE" else None,
        sme={"true": True, "false": False}.get(sme_raw),
        as_of=as_of,
        sources=[SourceRef(source=SOURCE, record=f"cordis:{pic}", name=name or short, file=file)],
        **place,  # type: ignore[arg-type]
    )
