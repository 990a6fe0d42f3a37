"""Tillväxtverket's list of Swedish partners in Interreg 2021–2027 (a JSON array of partner rows).

One row is one Swedish organisation in one project. A project is identified by programme +
`projektnamn` (the row `id` only numbers partner rows inside a programme), so project ids are
`interreg:<programme-slug>:<project-slug>`. Organisations become actors `interreg-org:<slug of the
normalised name>`, so the spellings "Länsstyrelsen Blekinge" and "Länsstyrelsen I Blekinge län" are one
actor from the start; entity resolution then joins them with the registry and CORDIS.

Money: `partnerbudget` is the partner's budget in the project. Interreg programmes are run and
reported in euro (the 2021–2027 programmes' budgets and partner budgets are in EUR), so it is read as
EUR; it becomes the participation's `contribution`. Two rows of one organisation in one project
(a few exist, with different budgets) are one participation: the budgets are summed and the stronger
role is kept. A project's dates are the earliest start and the latest end of its rows (four projects
have rows with two start dates). `places` holds the counties of the project's Swedish partners.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from graph.errors import InvalidInput
from graph.geo import COUNTIES, county_from_name, municipality_from_name
from graph.model import (
    MAX_AMOUNT,
    ROLE_RANK,
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
from ingest.enrich import kind_from_name, place_from_own_name
from ingest.pipeline import Problem, SourceBatch, validation_message
from ingest.resolve import normalise_name
from ingest.validate import BadValue, amount, load_json, read_file, text

SOURCE = "interreg"
PROGRAMME = "Interreg"
REQUIRED = ("program", "projektnamn", "organisationsnamn", "organisationsroll")

ROLES = {"LP": Role.coordinator, "PP": Role.partner, "AP": Role.associated}

# organisationstyp as Interreg's joint electronic monitoring system (Jems) writes it → our kind.
KINDS: dict[str, ActorKind] = {
    "higher education and research institution": ActorKind.university,
    "education and research institution": ActorKind.research_institute,
    "local public authority": ActorKind.municipality,
    "regional public authority": ActorKind.regional_authority,
    "national public authority": ActorKind.government_agency,
    "sectoral agency": ActorKind.government_agency,
    "national, regional and local authorities": ActorKind.government_agency,
    "business support organisation": ActorKind.business_support,
    "small or medium-sized enterprise (sme)": ActorKind.company,
    "large enterprise": ActorKind.company,
    "enterprise, except sme": ActorKind.company,
    "ngo": ActorKind.association,
    "interest groups including ngos": ActorKind.association,
}
SME_TYPES = {
    "small or medium-sized enterprise (sme)": True,
    "large enterprise": False,
    "enterprise, except sme": False,
}

# Interreg policy objectives (Regulation (EU) 2021/1060 art. 5 and 2021/1059 art. 14–15).
POLICY_OBJECTIVES = {
    "PO1": "A more competitive and smarter Europe",
    "PO2": "A greener, low-carbon Europe",
    "PO3": "A more connected Europe",
    "PO4": "A more social and inclusive Europe",
    "PO5": "A Europe closer to citizens",
    "PO6": "Interreg-specific objective: a better cooperation governance",
    "ISO": "Interreg-specific objectives (better cooperation governance, a safer Europe)",
}


def _kind(org_type: str | None, ownership: str | None, name: str) -> ActorKind:
    """Kind from the organisation type; when the type says nothing, from what the name states."""
    kind = KINDS.get((org_type or "").strip().lower(), ActorKind.other)
    words = fold(name).split()
    # (not "institute" alone: "Blekinge Institute of Technology" is a university college)
    research = "ab" in words or "research" in words or any(w.startswith("forskning") for w in words)
    if kind is ActorKind.university and kind_from_name(name) is not ActorKind.university and research:
        # "Higher education and research institution" is one Jems type for both: "Rise Processum AB" (a
        # research company) and "RISE Research Institute of Sweden" are research institutes, not universities
        return ActorKind.research_institute
    hint = kind_from_name(name)
    if kind is ActorKind.municipality and hint is None and words and words[-1] in ("ab", "aktiebolag"):
        return ActorKind.company  # a municipal company ("Kalmar Vatten AB"), not the municipality
    if hint is not None:
        return hint  # the name states it ("Lunds Kommun" typed once as a university is a municipality)
    if kind is not ActorKind.other:
        return kind
    if (ownership or "").lower() == "private" and words and words[-1] == "ab":
        return ActorKind.company
    return ActorKind.other


def _municipality(name: str, kind: ActorKind, county: str | None) -> str | None:
    """The municipality an actor of kind municipality names ("Karlskrona kommun", "Malmö stad")."""
    if kind is not ActorKind.municipality:
        return None
    n = fold(name)
    for suffix in (" kommun", " stad", " municipality"):
        n = n.removesuffix(suffix)
    n = n.removeprefix("city of ").removeprefix("municipality of ")
    m = municipality_from_name(n) or (municipality_from_name(n[:-1]) if n.endswith("s") else None)
    return m.short_name if m is not None and (county is None or m.county_code == county) else None


def _date(value: Any) -> tuple[dt.date | None, bool]:
    """The date, and whether it had to be corrected: a day past the month's end ("2027-02-31", which
    the list has) is read as the month's last day; anything else unreadable raises ValueError."""
    if value in (None, ""):
        return None, False
    if not isinstance(value, str):
        raise ValueError(value)
    day = value.strip()[:10]
    try:
        return dt.date.fromisoformat(day), False
    except ValueError:
        y, m, d = (int(x) for x in day.split("-"))
        if not (1 <= m <= 12 and 28 < d <= 31):
            raise
        last = (dt.date(y + m // 12, m % 12 + 1, 1) - dt.timedelta(days=1)).day
        return dt.date(y, m, last), True


@dataclass
class _ProjectAcc:
    programme: str
    name: str
    starts: set[dt.date] = field(default_factory=set)
    ends: set[dt.date] = field(default_factory=set)
    pos: set[str] = field(default_factory=set)
    sos: set[str] = field(default_factory=set)
    places: set[str] = field(default_factory=set)
    rows: list[int] = field(default_factory=list)


@dataclass
class _OrgAcc:
    names: Counter[str] = field(default_factory=Counter)
    kinds: Counter[ActorKind] = field(default_factory=Counter)
    counties: Counter[str] = field(default_factory=Counter)
    sme: set[bool] = field(default_factory=set)
    rows: list[int] = field(default_factory=list)


# The text fields of a partner row, each checked (a string, no control characters, a length limit).
TEXT_FIELDS = (
    "program",
    "projektnamn",
    "organisationsnamn",
    "organisationsroll",
    "organisationstyp",
    "organisationsagande",
    "nuts3",
    "politisktmal",
    "specifiktmal",
)


def _values(row: dict[str, Any], notes: list[str]) -> dict[str, str]:
    """The row's text fields, cleaned; BadValue for a number, a list or an object where text belongs."""
    return {
        f: text(row.get(f), f, notes=notes if f in ("projektnamn", "organisationsnamn") else None)
        for f in TEXT_FIELDS
    }


def project_id(programme: str, name: str) -> str:
    return f"interreg:{slug(programme)}:{slug(name)}"


def org_id(name: str) -> str:
    return f"interreg-org:{slug(normalise_name(name) or name)}"


def _read(path: Path) -> list[Any]:
    doc = load_json(read_file(path, "the Interreg partner list JSON file"), path.name)
    if isinstance(doc, dict):  # tolerate {"data": [...]} wrappers
        doc = next((v for v in doc.values() if isinstance(v, list)), None)
    if not isinstance(doc, list) or not doc:
        raise InvalidInput(f"{path}: expected a JSON array of Interreg partner rows")
    dicts = [r for r in doc if isinstance(r, dict)]
    if not dicts:
        raise InvalidInput(f"{path}: expected a JSON array of objects (partner rows)")
    present = set().union(*(r.keys() for r in dicts))
    missing = [c for c in REQUIRED if c not in present]
    if missing:
        raise InvalidInput(f"{path}: not the Interreg partner list: missing field(s) {', '.join(missing)}")
    return doc


def load_interreg(path: Path) -> SourceBatch:
    """Parse the partner list into projects, actors, participations and policy-objective themes."""
    path = Path(path)
    rows = _read(path)
    fname = path.name
    batch = SourceBatch(source=SOURCE, rows_read=len(rows))
    projects: dict[str, _ProjectAcc] = {}
    orgs: dict[str, _OrgAcc] = defaultdict(_OrgAcc)
    parts: dict[tuple[str, str], tuple[Role, float | None, list[int]]] = {}
    part_counties: dict[tuple[str, str], set[str]] = defaultdict(set)  # the rows' counties

    for n, row in enumerate(rows, start=1):
        if not isinstance(row, dict):
            batch.problems.append(Problem(fname, n, "record is not an object"))
            continue
        notes: list[str] = []
        try:
            v = _values(row, notes)
        except BadValue as e:
            batch.problems.append(Problem(fname, n, str(e)))
            continue
        programme, pname = v["program"], v["projektnamn"]
        if not programme or not pname:
            batch.problems.append(Problem(fname, n, "no programme or project name (program, projektnamn)"))
            continue
        try:
            (start, fixed_start), (end, fixed_end) = _date(row.get("startdatum")), _date(row.get("slutdatum"))
        except ValueError:
            batch.problems.append(
                Problem(fname, n, f"bad date {row.get('startdatum')!r}/{row.get('slutdatum')!r} (YYYY-MM-DD)")
            )
            continue
        if fixed_start or fixed_end:
            notes.append(
                f"impossible date {row.get('startdatum')!r}/{row.get('slutdatum')!r} read as {start}/{end}"
            )
        if start and end and end < start:
            notes.append(f"slutdatum {end} is before startdatum {start}: both dates left out")
            start = end = None
        try:
            budget = amount(row.get("partnerbudget"), "partnerbudget")
        except BadValue as e:
            batch.problems.append(Problem(fname, n, str(e)))
            continue
        batch.problems.extend(Problem(fname, n, f"{x} (row kept)", kept=True) for x in notes)
        pid = project_id(programme, pname)
        acc = projects.setdefault(pid, _ProjectAcc(programme, pname))
        acc.rows.append(n)
        acc.starts |= {start} if start else set()
        acc.ends |= {end} if end else set()
        if v["politisktmal"]:
            acc.pos.add(v["politisktmal"].upper())
        if v["specifiktmal"]:
            acc.sos.add(v["specifiktmal"])
        oname = v["organisationsnamn"]
        if not oname:
            batch.problems.append(
                Problem(fname, n, f"no organisation name (organisationsnamn) in project {pname!r}")
            )
            continue
        role_code = v["organisationsroll"].upper()
        if role_code not in ROLES:
            batch.problems.append(
                Problem(fname, n, f"unknown role {row.get('organisationsroll')!r} (expected LP, PP or AP)")
            )
            continue
        aid = org_id(oname)
        key = (aid, pid)
        if key in parts and budget is not None and parts[key][1] is not None:
            total = budget + (parts[key][1] or 0.0)
            if total > MAX_AMOUNT:
                batch.problems.append(
                    Problem(fname, n, f"partnerbudget {row.get('partnerbudget')!r} makes the sum implausible")
                )
                continue
        county = county_from_name(v["nuts3"])
        if county:
            acc.places.add(county)
        org = orgs[aid]
        org.rows.append(n)
        org.names[oname] += 1
        org_type = v["organisationstyp"].lower()
        org.kinds[_kind(org_type, v["organisationsagande"], oname)] += 1
        if org_type in SME_TYPES:
            org.sme.add(SME_TYPES[org_type])
        if county:
            org.counties[county] += 1
        role = ROLES[role_code]
        if budget is None and role is not Role.associated:
            batch.problems.append(
                Problem(
                    fname,
                    n,
                    f"no partnerbudget for {role_code} {oname!r}: amount unknown (row kept)",
                    kept=True,
                )
            )
        if county:
            part_counties[key].add(county)
        if key in parts:
            old_role, old_budget, lines = parts[key]
            role = max(old_role, role, key=lambda r: ROLE_RANK[r])
            if old_budget is not None:
                budget = old_budget + (budget or 0.0)
            parts[key] = (role, budget, [*lines, n])
        else:
            parts[key] = (role, budget, [n])

    used_pos: set[str] = set()
    dropped: set[str] = set()  # projects and organisations the model refused (reported at their first row)
    for pid, acc in sorted(projects.items()):
        pos = sorted(acc.pos)
        funder = acc.programme if fold(acc.programme).startswith("interreg") else f"Interreg {acc.programme}"
        try:
            batch.projects.append(
                Project(
                    id=pid,
                    title=acc.name,
                    programme=PROGRAMME,
                    programme_part=", ".join(pos) or None,
                    funders=[funder],
                    start=min(acc.starts) if acc.starts else None,
                    end=max(acc.ends) if acc.ends else None,
                    themes=[f"po:{p}" for p in pos],
                    topics=sorted(acc.sos),
                    places=sorted(acc.places),
                    coverage=SOURCE_COVERAGE[SOURCE],  # the list names the Swedish partners only
                    sources=[
                        SourceRef(source=SOURCE, record=pid, name=acc.name, file=fname),
                    ],
                )
            )
        except ValidationError as e:
            batch.problems.append(
                Problem(fname, acc.rows[0], f"project {acc.name[:60]!r}: {validation_message(e)}")
            )
            dropped.add(pid)
            continue
        used_pos |= acc.pos
    for aid, org in sorted(orgs.items()):
        # The most frequent spelling names the actor (ties: alphabetical); the others are aliases.
        names = sorted(org.names, key=lambda s: (-org.names[s], s))
        kind = sorted(org.kinds, key=lambda k: (-org.kinds[k], k.value))[0]
        if kind is ActorKind.other and len(org.kinds) > 1:
            kind = next(
                k
                for k in sorted(org.kinds, key=lambda k: (-org.kinds[k], k.value))
                if k is not ActorKind.other
            )
        county = sorted(org.counties, key=lambda c: (-org.counties[c], c))[0] if org.counties else None
        placed = {"county_code": county} if county else place_from_own_name(names[0], kind)
        county = placed.get("county_code")
        try:
            batch.actors.append(
                Actor(
                    id=aid,
                    name=names[0],
                    aliases=names[1:],
                    kind=kind,
                    country="SE",
                    placed_by=placed.get("placed_by"),
                    county_code=county,
                    nuts3=COUNTIES[county].nuts3 if county else None,
                    municipality=_municipality(names[0], kind, county),
                    sme=next(iter(org.sme)) if len(org.sme) == 1 else None,
                    sources=[SourceRef(source=SOURCE, record=aid, name=names[0], file=fname)],
                )
            )
        except ValidationError as e:
            batch.problems.append(
                Problem(fname, org.rows[0], f"organisation {names[0][:60]!r}: {validation_message(e)}")
            )
            dropped.add(aid)
    for (aid, pid), (role, budget, lines) in sorted(parts.items()):
        if aid in dropped or pid in dropped:
            continue
        batch.participations.append(
            Participation(
                actor_id=aid,
                project_id=pid,
                role=role,
                contribution=Money(amount=round(budget, 2), currency="EUR") if budget is not None else None,
                # the county the row names (where funding is attributed); none when the rows disagree
                nuts3=COUNTIES[next(iter(cs))].nuts3 if len(cs := part_counties[(aid, pid)]) == 1 else None,
                sources=[
                    SourceRef(
                        source=SOURCE,
                        record=f"{pid}#{aid}",
                        name=orgs[aid].names.most_common(1)[0][0],
                        file=f"{fname} rows {','.join(map(str, lines))}",
                    )
                ],
            )
        )
    batch.themes = [
        Theme(
            id=f"po:{p}",
            name=POLICY_OBJECTIVES.get(p, p),
            kind=ThemeKind.policy_objective,
            description=f"Cohesion policy objective {p}",
            sources=[SourceRef(source=SOURCE, record=f"po:{p}", name=p, file=fname)],
        )
        for p in sorted(used_pos)
    ]
    return batch
