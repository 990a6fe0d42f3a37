"""CORDIS open data (Horizon 2020, Horizon Europe, FP7) from the official CSV download.

Input: the zip as downloaded (`cordis-h2020projects-csv.zip`) or the folder it unzips to. Required:
`project.csv` and `organization.csv` (`;`-separated, every field quoted, objectives spanning lines);
optional `legalBasis.csv`, `topics.csv` (call topic code and title) and `euroSciVoc.csv` (fields of
science) enrich the projects' themes and topics.
Columns are found by name; missing required ones are named in the error.

- Projects: `h2020:<id>`, `horizon:<id>`, `fp7:<id>` by `frameworkProgramme`; the programme part
  (H2020 `SC5`, Horizon Europe `HORIZON.2.5`) becomes a `part:<programme>:<code>` theme.
- Organisations: one actor per PIC, `cordis:<PIC>`; the name is the most frequent non-empty `name`,
  else `shortName`, else the PIC. VAT (a Swedish one yields the organisationsnummer), activity type
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
import gc
import zipfile
from collections import Counter
from pathlib import Path

from pydantic import ValidationError

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
from ingest.csvread import Table, decode, open_table
from ingest.enrich import clean_vat, country_code, kind_from_name, orgnr_from_vat, swedish_place
from ingest.pipeline import Problem, SourceBatch, validation_message
from ingest.progress import Progress
from ingest.validate import (
    MAX_ID,
    MAX_NAME,
    MAX_TEXT,
    BadValue,
    amount,
    identifier,
    open_zip,
    read_file,
    read_member,
    text,
)

SOURCE = "cordis"
PROJECT_COLUMNS = ("id", "acronym", "title", "startDate", "endDate", "frameworkProgramme")
ORG_COLUMNS = ("projectID", "organisationID", "name", "role", "country")

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
_NONE: Counter[str] = Counter()


def _top(c: Counter[str] | None) -> str | None:
    """The most frequent value, ties broken alphabetically (so the result never depends on row order)."""
    if not c:
        return None
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
        elif zipfile.is_zipfile(path):
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

    def table(self, name: str, required: tuple[str, ...]) -> Table:
        return open_table(self.text(name), name, ";", required, na=NA_VALUES)

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()


def _date(value: str) -> dt.date | None:
    return dt.date.fromisoformat(value[:10]) if value else None


def load_cordis(path: Path) -> SourceBatch:
    """Parse a CORDIS CSV download (zip or folder) into a `SourceBatch`."""
    files = _Files(Path(path))
    # Hundreds of thousands of small objects and no cycles among them: the cyclic collector would
    # only re-scan them again and again, so it is paused for the parse.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _load(files)
    finally:
        files.close()
        if was_enabled:
            gc.enable()


def _load(files: _Files) -> SourceBatch:
    # Check every file's header before reading any row, so a wrong file stops with nothing done.
    ptab = files.table("project.csv", PROJECT_COLUMNS)
    otab = files.table("organization.csv", ORG_COLUMNS)
    extra: dict[str, Table] = {}
    for name, cols in (
        ("legalbasis.csv", ("projectID", "legalBasis")),
        ("topics.csv", ("projectID", "topic")),
        ("euroscivoc.csv", ("projectID", "euroSciVocTitle")),
    ):
        if files.has(name):
            extra[name] = files.table(name, cols)

    batch = SourceBatch(source=SOURCE)
    themes: dict[str, Theme] = {}
    projects: dict[str, Project] = {}
    by_raw_id: dict[str, str] = {}
    ptab_name = "project.csv"
    # Source records cite the download they came from, so H2020 and Horizon Europe rows of one PIC
    # stay two records of the actor: "h2020-2014-2018/organization.csv", "cordis-….zip/organization.csv".
    ref_p, ref_o = f"{files.path.name}/project.csv", f"{files.path.name}/organization.csv"

    def theme(tid: str, name: str, description: str | None = None) -> str:
        if tid not in themes:
            themes[tid] = Theme(
                id=tid,
                name=name,
                kind=ThemeKind.programme_part,
                description=description,
                sources=[SourceRef(source=SOURCE, record=tid, name=name)],
            )
        return tid

    # -- legal basis / topics / fields of science, by project id ---------------------------
    legal: dict[str, list[tuple[str, str, bool]]] = {}
    if "legalbasis.csv" in extra:
        t = extra["legalbasis.csv"]
        for _line, v in t.rows(batch.problems):
            legal.setdefault(t.get(v, "projectID"), []).append(
                (t.get(v, "legalBasis"), t.get(v, "title"), t.get(v, "uniqueProgrammePart").lower() == "true")
            )
    topics: dict[str, list[str]] = {}
    if "topics.csv" in extra:
        t = extra["topics.csv"]
        for _line, v in t.rows(batch.problems):
            # The call topic's code and its title ("Direct atmospheric carbon capture and conversion"):
            # the title is the words a grant office pastes, so the partner finder and the call
            # matcher read it as text beside the project's own title.
            topics.setdefault(t.get(v, "projectID"), []).extend(
                x for x in (t.get(v, "topic"), t.get(v, "title")) if x
            )
    fields: dict[str, list[str]] = {}
    if "euroscivoc.csv" in extra:
        t = extra["euroscivoc.csv"]
        for _line, v in t.rows(batch.problems):
            fields.setdefault(t.get(v, "projectID"), []).append(t.get(v, "euroSciVocTitle"))

    # -- projects ----------------------------------------------------------------------------
    for line, v in ptab.rows(batch.problems):
        try:
            raw_id = identifier(ptab.get(v, "id"), "id")
        except BadValue as e:
            batch.problems.append(Problem(ptab_name, line, str(e)))
            continue
        fp = ptab.get(v, "frameworkProgramme").upper()
        if not raw_id:
            batch.problems.append(Problem(ptab_name, line, "empty project id"))
            continue
        if fp not in PROGRAMMES:
            batch.problems.append(
                Problem(
                    ptab_name, line, f"unknown frameworkProgramme {fp!r} (expected H2020, HORIZON or FP7)"
                )
            )
            continue
        prefix, programme = PROGRAMMES[fp]
        try:
            start, end = _date(ptab.get(v, "startDate")), _date(ptab.get(v, "endDate"))
        except ValueError:
            batch.problems.append(
                Problem(
                    ptab_name,
                    line,
                    f"bad date {ptab.get(v, 'startDate')!r}/{ptab.get(v, 'endDate')!r} (YYYY-MM-DD)",
                )
            )
            continue
        try:
            total = amount(ptab.get(v, "totalCost"), "totalCost")
            ec_max = amount(ptab.get(v, "ecMaxContribution"), "ecMaxContribution")
            acronym = text(ptab.get(v, "acronym"), "acronym") or None
            title = text(ptab.get(v, "title"), "title") or acronym or f"Untitled {programme} project {raw_id}"
            objective = text(ptab.get(v, "objective"), "objective", max_len=MAX_TEXT, multiline=True)
        except BadValue as e:
            batch.problems.append(Problem(ptab_name, line, str(e)))
            continue
        pid = f"{prefix}:{raw_id}"
        part: str | None = None
        theme_ids: list[str] = []
        lb = ptab.get(v, "legalBasis")
        if prefix == "h2020":
            code = h2020_part(lb) or h2020_part("H2020-EU." + ptab.get(v, "topics"))
            if code:
                part = code
                theme_ids.append(theme(f"part:h2020:{code}", H2020_PARTS[code], f"Horizon 2020 {code}"))
        for code, name, unique in legal.get(raw_id, []):
            if not code:
                continue
            tid = theme(f"part:{prefix}:{code}", name or code, f"{programme} {code}")
            if tid not in theme_ids:
                theme_ids.append(tid)
            if unique and prefix != "h2020":
                part = code
        if prefix != "h2020" and lb and not part:
            part = lb
        if prefix != "h2020" and lb:
            tid = f"part:{prefix}:{lb}"
            if tid not in theme_ids:
                theme_ids.append(theme(tid, themes[tid].name if tid in themes else lb, f"{programme} {lb}"))
        topic_codes = [t for t in ptab.get(v, "topics").split(",") if t.strip()]
        kw = [k.strip() for k in ptab.get(v, "keywords").split(",") if k.strip()]
        all_topics = sorted(
            {t.strip() for t in [*topic_codes, *topics.get(raw_id, []), *fields.get(raw_id, []), *kw] if t}
        )
        try:
            project = Project(
                id=pid,
                acronym=acronym,
                title=title,
                objective=objective or None,
                programme=programme,
                programme_part=part,
                funders=["European Commission"],
                start=start,
                end=end,
                budget=Money(amount=total, currency="EUR") if total is not None else None,
                eu_contribution=Money(amount=ec_max, currency="EUR") if ec_max is not None else None,
                themes=sorted(theme_ids),
                topics=[t[:MAX_NAME] for t in all_topics],
                sources=[SourceRef(source=SOURCE, record=pid, name=acronym or title, file=ref_p)],
            )
        except ValidationError as e:
            batch.problems.append(Problem(ptab_name, line, validation_message(e)))
            continue
        projects[pid] = project
        by_raw_id[raw_id] = pid
    batch.rows_read += ptab.read

    # -- organisations and participations ----------------------------------------------------
    # The hot loop (one pass over ~100,000 rows): columns by index, per-organisation value counts.
    orgs: dict[str, dict[str, Counter[str]]] = {}
    parts: dict[tuple[str, str], tuple[Role, float | None, str | None]] = {}
    oname = "organization.csv"
    progress = Progress(oname, otab.text.count("\n"))
    col = otab.column
    req = otab.index  # required columns are always in the index
    i_pic, i_pid, i_role, i_ec = req["organisationID"], req["projectID"], req["role"], col("ecContribution")
    i_nuts = col("nutsCode")
    attrs = [(a, col(c), c) for a, c in ORG_ATTRS]
    na = otab.na
    missing: list[int] = []  # lines of beneficiaries (not associated partners) without an amount
    first_line: dict[str, int] = {}  # PIC -> its first row, where a problem with the organisation is reported
    for line, v in otab.rows(batch.problems):
        if otab.read % 5000 == 0:
            progress.update(line)
        pic = v[i_pic].strip()
        raw_pid = v[i_pid].strip()
        if not (pic.isascii() and pic.isdigit() and len(pic) <= MAX_ID):
            batch.problems.append(Problem(oname, line, f"organisationID {pic[:60]!r} is not a PIC (digits)"))
            continue
        pid_or_none = by_raw_id.get(raw_pid)
        if pid_or_none is None:
            batch.problems.append(Problem(oname, line, f"projectID {raw_pid!r} is not in project.csv"))
            continue
        pid = pid_or_none
        role_raw = v[i_role].strip()
        role = ROLES.get(role_raw.lower())
        if role is None:
            batch.problems.append(Problem(oname, line, f"unknown role {role_raw!r}"))
            continue
        ec = v[i_ec].strip() if i_ec is not None else ""
        try:
            contribution = amount("" if ec.upper() in na else ec, "ecContribution")
        except BadValue as e:
            batch.problems.append(Problem(oname, line, str(e)))
            continue
        too_long = next(((c, i) for _a, i, c in attrs if i is not None and len(v[i]) > MAX_NAME), None)
        if too_long is not None:
            length = len(v[too_long[1]])
            batch.problems.append(
                Problem(oname, line, f"{too_long[0]} is {length:,} characters long (at most {MAX_NAME})")
            )
            continue
        aid = f"cordis:{pic}"
        key = (aid, pid)
        if key in parts and contribution is not None and (parts[key][1] or 0.0) + contribution > MAX_AMOUNT:
            batch.problems.append(
                Problem(oname, line, f"ecContribution {ec!r} makes the sum above {MAX_AMOUNT:.0e}")
            )
            continue
        if contribution is None and i_ec is not None and role is not Role.associated:
            # associated partners get no EC money (CORDIS leaves theirs empty); a beneficiary should have some
            missing.append(line)
        org = orgs.get(pic)
        if org is None:
            org = orgs[pic] = {}
            first_line[pic] = line
        for attr, i, _c in attrs:
            if i is None:
                continue
            value = v[i].strip()
            if value and value.upper() not in na:
                c = org.get(attr)
                if c is None:
                    c = org[attr] = Counter()
                c[value] += 1
        # Where this row places the organisation: funding is attributed to this region (a NUTS 3 code).
        nuts_raw = v[i_nuts].strip().upper() if i_nuts is not None else ""
        # (also a country-level "SE": then CORDIS states no county, and none is guessed for the money)
        row_nuts = nuts_raw[:5] if nuts_raw and nuts_raw not in na else None
        if key in parts:
            old_role, old_c, old_nuts = parts[key]
            role = max(old_role, role, key=lambda r: ROLE_RANK[r])
            if old_c is not None:
                contribution = old_c + (contribution or 0.0)
            if old_nuts and row_nuts and old_nuts != row_nuts:
                batch.problems.append(
                    Problem(
                        oname,
                        line,
                        f"PIC {pic} in project {raw_pid} again, in {row_nuts} after {old_nuts}: "
                        "its money is attributed to the organisation's county (row kept)",
                        kept=True,
                    )
                )
                row_nuts = None
            else:
                row_nuts = old_nuts or row_nuts
        parts[key] = (role, contribution, row_nuts)
    progress.close()
    batch.rows_read += otab.read
    if missing:
        # one line for all of them: the H2020 extract alone has ~10,000 such rows (NA)
        batch.problems.append(
            Problem(
                oname,
                missing[0],
                f"{len(missing)} beneficiary row(s) with no ecContribution (empty or NA), first at line "
                f"{missing[0]}: amounts unknown, kept and counted in the funding's unknown share",
                kept=True,
            )
        )

    dropped: set[str] = set()
    for pic in sorted(orgs):
        notes: list[str] = []
        try:
            batch.actors.append(_actor(pic, orgs[pic], ref_o, notes))
        except ValidationError as e:
            batch.problems.append(
                Problem(oname, first_line[pic], f"organisation {pic}: {validation_message(e)}")
            )
            dropped.add(f"cordis:{pic}")
            continue
        batch.problems.extend(
            Problem(oname, first_line[pic], f"organisation {pic}: {n} (kept)", kept=True) for n in notes
        )
    for (aid, pid), (role, contribution, row_nuts) in sorted(parts.items()):
        if aid in dropped:
            continue
        money = Money(amount=round(contribution, 2), currency="EUR") if contribution is not None else None
        batch.participations.append(
            Participation(
                actor_id=aid,
                project_id=pid,
                role=role,
                contribution=money,
                nuts3=row_nuts,
                sources=[SourceRef(source=SOURCE, record=f"{pid}#{aid}", file=ref_o)],
            )
        )
    batch.projects = [projects[k] for k in sorted(projects)]
    batch.themes = [themes[k] for k in sorted(themes)]
    return batch


class _OrgView:
    """Attribute access to one organisation's value counts (an empty count for a column never filled)."""

    def __init__(self, counts: dict[str, Counter[str]]) -> None:
        self._c = counts

    def __getattr__(self, attr: str) -> Counter[str]:
        return self._c.get(attr, _NONE)


def _actor(pic: str, counts: dict[str, Counter[str]], file: str, notes: list[str]) -> Actor:
    org = _OrgView(counts)
    for attr in ("names", "short", "city"):
        if any(has_control(n) for n in org.__getattr__(attr)):
            notes.append(f"control characters removed from {dict(ORG_ATTRS)[attr]}")
    # The most frequent name, preferring real names to acronyms ("LTU" in some rows of Luleå's PIC).
    spelled = Counter({n: c for n, c in org.names.items() if " " in n.strip() or len(n) > 5})
    name = _top(spelled) or _top(org.names)
    short = _top(org.short)
    aliases = sorted({*org.names, *org.short} - {name or short or ""})
    display = name or short or unnamed(pic)  # never a bare number as a label
    activity = (_top(org.activity) or "").upper()
    kind = ACTIVITY_KINDS.get(activity, ActorKind.other)
    hint = kind_from_name(display)
    if hint is not None and kind in (ActorKind.government_agency, ActorKind.other):
        kind = hint  # a public body named "… universitet" or "… kommun" is better known by its name
    country = country_code(_top(org.country))
    vat = clean_vat(_top(org.vat))
    city = _top(org.city)
    nuts = (_top(org.nuts) or "").upper()
    place: dict[str, object] = {"nuts3": nuts[:5]} if len(nuts) >= 5 else {}
    if country == "SE":
        place |= swedish_place(nuts=nuts, city=city)
    sme_raw = (_top(org.sme) or "").lower()
    return Actor(
        id=f"cordis:{pic}",
        name=display,
        aliases=aliases,
        kind=kind,
        country=country,
        city=city.title() if city and city.isupper() else city,
        website=_top(org.url),
        pic=pic if 6 <= len(pic) <= 12 else None,
        vat=vat,
        orgnr=orgnr_from_vat(vat) if country == "SE" else None,
        sme={"true": True, "false": False}.get(sme_raw),
        sources=[SourceRef(source=SOURCE, record=f"cordis:{pic}", name=name or short, file=file)],
        **place,  # type: ignore[arg-type]
    )
