"""The one domain model: what ingest produces, what the stores keep, what analysis and the API speak.

Ids are stable and source-prefixed (`cordis:999905974`, `se:blekinge-tekniska-hogskola`,
`interreg:<programme>:<project>`), so that loading the same source twice writes the same records.

When two sources describe the same actor, `merge_actor` decides deterministically which values win:
the record from the more authoritative source (see `SOURCE_PRIORITY`), and between two records of one
source the more recent one (`Actor.as_of`), sets a field, the other only fills what is empty. Because the rule depends on the sources and not on the order of loading,
loading CORDIS, then Interreg, then CORDIS again gives the same graph as loading each once.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, Any, Literal, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
)

from graph.errors import RecordError
from graph.geo import COUNTIES
from graph.text import clean, has_control, is_mojibake, is_placeholder_name


def _plain_id(v: str) -> str:
    """Ids are keys: a control character in one is refused, not cleaned (cleaning would change the key)."""
    if has_control(v) or clean(v) != v:
        raise ValueError("an id may not contain control, line-break or invisible characters")
    return v


Id = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=3, max_length=300, pattern=r"^[a-z0-9-]+:.+$"),
    AfterValidator(_plain_id),
]
Country = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]

# Free text is cleaned, not refused, of control and invisible-format characters (terminal escapes,
# RTL overrides, NUL, lone surrogates): a record read back from a store holding them from before is
# still readable, and nothing a page, a terminal or a spreadsheet cannot show is ever written again.
Line = Annotated[str, AfterValidator(clean)]
Text = Annotated[str, AfterValidator(lambda v: clean(v, multiline=True))]

# The largest amount a record may carry (EUR or SEK): more than any programme's whole budget, so a
# value above it is a typo or an attack; infinity and NaN are refused because JSON cannot hold them
# (they would be written as null and every later read would fail).
MAX_AMOUNT = 1e12


class ActorKind(StrEnum):
    university = "university"
    science_park = "science_park"
    incubator = "incubator"
    business_support = "business_support"
    regional_authority = "regional_authority"
    municipality = "municipality"
    government_agency = "government_agency"
    research_institute = "research_institute"
    company = "company"
    cluster_organisation = "cluster_organisation"
    association = "association"
    other = "other"


class Role(StrEnum):
    coordinator = "coordinator"  # also Interreg's lead partner (LP)
    partner = "partner"
    associated = "associated"
    financier = "financier"
    project_owner = "project_owner"


# Which role wins when one actor is recorded twice on one project: the one that says more about it.
ROLE_RANK: dict[Role, int] = {
    Role.project_owner: 5,
    Role.coordinator: 4,
    Role.partner: 3,
    Role.financier: 2,
    Role.associated: 1,
}

# How authoritative each source is about an actor's identity fields (name, kind, place).
# Curated registry and official registers beat large automatic sources.
SOURCE_PRIORITY: dict[str, int] = {
    "registry": 100,
    "aliases": 95,
    "public-bodies": 95,  # ingest/data/public_bodies.yaml: a region's or municipality's reference identity
    "scb-agencies": 90,
    "csv": 80,
    "erdf": 45,  # Projektbanken 2016 writes names as they were then (Skåne Läns Landsting): below Interreg 2021–27
    "interreg": 50,
    "cordis": 40,
}


def source_priority(source: str) -> int:
    return SOURCE_PRIORITY.get(source, 10)


#: `Actor.placed_by` of a place read from the organisation's own name (`graph.geo.county_in_name`): weaker
#: than any source that states a place.
PLACED_BY_NAME = "name"
#: `Actor.placed_by` of a place read from where all of an owner's projects run (ERDF `län`): weaker still.
PLACED_BY_AREA = "project-area"
#: The fields that say where an actor is: they come from one record together, never mixed.
PLACE_FIELDS = ("county_code", "nuts3", "municipality")


def place_rank(a: Actor) -> int:
    """How authoritative `a`'s place is: the priority of the source that set it, -1 when it has none."""
    if a.county_code is None and a.municipality is None:
        return -1
    if a.placed_by == PLACED_BY_AREA:
        return 0
    if a.placed_by == PLACED_BY_NAME:
        return 1
    return source_priority(a.placed_by) if a.placed_by else a.rank()


class Coverage(StrEnum):
    """Which of a project's members its source lists: the measures that count partners depend on it.

    A partial list does not mean "no partner there": an actor whose only partners come from a project
    with `swedish` coverage may well have partners abroad that the data does not hold.
    """

    all = "all"  # every participant (CORDIS)
    swedish = "swedish"  # only the Swedish participants (Tillväxtverket's Interreg list)
    owner = "owner"  # only the project owner (ERDF Projektbanken)

    @property
    def knows_foreign(self) -> bool:
        """Whether the members abroad are in the data."""
        return self is Coverage.all

    @property
    def knows_swedish(self) -> bool:
        """Whether every Swedish member is in the data."""
        return self is not Coverage.owner


#: What each source lists of a project's members; a user's CSV declares it per project (column `coverage`).
SOURCE_COVERAGE: dict[str, Coverage] = {
    "registry": Coverage.all,
    "cordis": Coverage.all,
    "interreg": Coverage.swedish,
    "erdf": Coverage.owner,
    "csv": Coverage.all,
}
#: Words for the line every page with a partner-based measure shows.
COVERAGE_TEXT: dict[Coverage, str] = {
    Coverage.all: "every participant",
    Coverage.swedish: "Swedish partners only, partners abroad not in the data",
    Coverage.owner: "the project owner only, no partners in the data",
}
_COVERAGE_RANK = {Coverage.owner: 0, Coverage.swedish: 1, Coverage.all: 2}


def coverage_line(partial: dict[str, dict[str, int]]) -> str:
    """One visible sentence naming the partial sources: `{programme: {coverage: projects}}` → text.

    Empty when every project counted lists all its members.
    """
    parts = []
    for programme in sorted(partial):
        for cov, n in sorted(partial[programme].items()):
            c = Coverage(cov)
            if c is Coverage.all or not n:
                continue
            parts.append(f"{programme} ({n} project{'s' if n != 1 else ''}: {COVERAGE_TEXT[c]})")
    if not parts:
        return ""
    return "Partial sources: " + "; ".join(parts) + ". Partner counts from them are lower bounds."


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", use_enum_values=False, frozen=False)


class SourceRef(_Model):
    """Where one record came from: the source kind, the record's id there, and how it named the thing."""

    source: str = Field(min_length=1, description="source kind: registry, cordis, interreg, csv, erdf, …")
    record: str = Field(
        min_length=1, description="the id that source gives the record, prefixed: cordis:999589172"
    )
    name: Line | None = Field(default=None, description="the name as written in that source")
    file: str | None = Field(default=None, description="the file the record was read from")

    def key(self) -> tuple[str, str, str]:
        return (self.source, self.record, self.file or "")


class Money(_Model):
    amount: float = Field(ge=0, le=MAX_AMOUNT, allow_inf_nan=False)
    currency: Literal["EUR", "SEK"]


class Actor(_Model):
    """An organisation of the ecosystem."""

    id: Id
    name: Line = Field(min_length=1)
    aliases: list[Line] = Field(default_factory=list)
    kind: ActorKind = ActorKind.other
    country: Country | None = None
    county_code: str | None = Field(default=None, description="SCB län code, Swedish actors only")
    nuts3: str | None = None
    municipality: Line | None = None
    city: Line | None = None
    website: Line | None = None
    pic: str | None = Field(default=None, pattern=r"^\d{6,12}$")
    vat: str | None = None
    orgnr: str | None = Field(default=None, pattern=r"^\d{6}-\d{4}$")
    sme: bool | None = None
    part_of: Id | None = Field(
        default=None,
        description="the id of the legal entity this is a unit of (a department, hospital, administration); "
        "analyses count a unit's projects for it unless units are shown apart (INNOGRAPH_UNITS_APART)",
    )
    placed_by: str | None = Field(
        default=None,
        description="the source whose record set county_code, nuts3 and municipality ('name' when they were "
        "read from the organisation's own name); None: the record's own source",
    )
    as_of: dt.date | None = Field(
        default=None,
        description="the latest date its records of the best source rank speak for (CORDIS: the latest "
        "start of the organisation's projects in the download); of two records of one source rank, the "
        "more recent one names the actor (a renamed organisation is shown under today's name)",
    )
    sources: list[SourceRef] = Field(default_factory=list)

    @field_validator("id")
    @classmethod
    def _not_project_namespace(cls, v: str) -> str:
        if v.startswith("project:"):
            raise ValueError("actor ids may not start with 'project:' (reserved for project nodes)")
        return v

    @field_validator("county_code")
    @classmethod
    def _known_county(cls, v: str | None) -> str | None:
        if v is not None and v not in COUNTIES:
            raise ValueError(f"unknown SCB county code {v!r} (expected one of {', '.join(sorted(COUNTIES))})")
        return v

    def identity_keys(self) -> set[str]:
        """Every key that names this actor: its id, strong identifiers and each source record id.

        Stores index these so `get_actor("pic:999589172")` or `get_actor("cordis:999589172")` find the
        actor whatever id it ended up with.
        """
        keys = {self.id}
        if self.pic:
            keys |= {f"pic:{self.pic}", f"cordis:{self.pic}"}
        if self.vat:
            keys.add(f"vat:{self.vat}")
        if self.orgnr:
            keys |= {f"orgnr:{self.orgnr}", f"se-org:{self.orgnr.replace('-', '')}"}
        keys |= {s.record for s in self.sources}
        return keys

    def rank(self) -> int:
        return max((source_priority(s.source) for s in self.sources), default=0)

    def standing(self) -> tuple[int, dt.date]:
        """Which of two records of one actor sets its fields (`merge_actor`): the more authoritative
        source (`rank`), then the more recent record (`as_of`: Horizon Europe's row of a PIC before
        Horizon 2020's, so "HEIDELBERG MATERIALS AG", not "HEIDELBERGCEMENT AG", whichever was loaded
        first). Decided by the records alone, never by the order they arrive in."""
        return (self.rank(), self.as_of or dt.date.min)


class Project(_Model):
    """A funded project that links actors."""

    id: Id
    acronym: Line | None = None
    title: Line = Field(min_length=1)
    objective: Text | None = None
    programme: Line = Field(min_length=1, description="Horizon 2020, Horizon Europe, Interreg, ERDF, …")
    programme_part: Line | None = Field(
        default=None, description="e.g. H2020 SC5, HORIZON.2.5, PO1, an ERDF area"
    )
    funders: list[Line] = Field(default_factory=list)
    start: dt.date | None = None
    end: dt.date | None = None
    budget: Money | None = None
    eu_contribution: Money | None = None
    themes: list[str] = Field(default_factory=list, description="Theme ids")
    topics: list[Line] = Field(default_factory=list, description="call topic codes and keywords")
    places: list[str] = Field(default_factory=list, description="county codes / municipalities where it runs")
    coverage: Coverage = Field(
        default=Coverage.all,
        description="which members the sources list: all, swedish (partners abroad unknown), owner (only the owner)",
    )
    sources: list[SourceRef] = Field(default_factory=list)

    def rank(self) -> int:
        return max((source_priority(s.source) for s in self.sources), default=0)

    @property
    def members_complete(self) -> bool:
        """Whether every member of the project is in the data."""
        return self.coverage is Coverage.all


class Participation(_Model):
    """An actor's part in a project."""

    actor_id: Id
    project_id: Id
    role: Role = Role.partner
    contribution: Money | None = None
    nuts3: str | None = Field(
        default=None,
        description="the NUTS code where the source places the participant in this project (CORDIS "
        "nutsCode, NUTS 3 or just the country 'SE'; the Interreg row's county); funding is attributed "
        "by it before the actor's own county",
    )
    sources: list[SourceRef] = Field(default_factory=list)


class County(_Model):
    code: str = Field(pattern=r"^\d{2}$")
    name: str
    short_name: str
    nuts3: str


class ThemeKind(StrEnum):
    s3_area = "s3_area"
    programme_part = "programme_part"
    policy_objective = "policy_objective"
    thematic_objective = "thematic_objective"
    topic = "topic"


class Theme(_Model):
    """A smart-specialisation area or a part of an EU programme that projects address."""

    id: Id
    name: Line
    kind: ThemeKind
    description: Text | None = None
    county_codes: list[str] = Field(default_factory=list, description="counties whose S3 strategy names it")
    sources: list[SourceRef] = Field(default_factory=list)


M = TypeVar("M", bound=BaseModel)


def parse(model: type[M], data: dict[str, Any], record: str) -> M:
    """Validate `data` as `model`; a failure becomes a `RecordError` naming the record and field."""
    try:
        return model.model_validate(data)
    except ValidationError as e:
        err = e.errors()[0]
        field = ".".join(str(p) for p in err["loc"]) or "(record)"
        raise RecordError(record, field, err["msg"]) from e


def _union_sources(a: list[SourceRef], b: list[SourceRef]) -> list[SourceRef]:
    seen: dict[tuple[str, str, str], SourceRef] = {}
    for s in [*a, *b]:
        seen.setdefault(s.key(), s)
    return sorted(seen.values(), key=lambda s: s.key())


def _merge_fields(primary: BaseModel, secondary: BaseModel, skip: set[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in type(primary).model_fields:
        if name in skip:
            continue
        value = getattr(primary, name)
        if value is None or value == []:
            value = getattr(secondary, name)
        out[name] = value
    return out


def merge_actor(old: Actor, new: Actor) -> Actor:
    """Merge two records of the same actor; the id of `old` is kept. Deterministic, see module doc."""
    primary, secondary = (new, old) if new.standing() > old.standing() else (old, new)
    fields = _merge_fields(
        primary, secondary, skip={"id", "aliases", "sources", "kind", "as_of", "placed_by"}
    )
    # Where the actor is comes from one record, the one whose source states a place with the most
    # authority (SCB's register over an Interreg row naming a regional office, a stated place over one
    # read from a name), so a county never comes from one source and the municipality from another, and
    # the order of loading does not decide it.
    placed = max((primary, secondary), key=lambda r: (place_rank(r), r is primary))
    for f in PLACE_FIELDS:
        fields[f] = getattr(placed, f)
    if placed.placed_by is not None:
        fields["placed_by"] = placed.placed_by
    elif place_rank(placed) >= 0 and placed.rank() < max(old.rank(), new.rank()):
        # None means "the merged record's best source": name the placing source only when it is another
        best = max(placed.sources, key=lambda s: source_priority(s.source), default=None)
        fields["placed_by"] = best.source if best else None
    kind = primary.kind if primary.kind is not ActorKind.other else secondary.kind
    # A stand-in name ("Unnamed organisation (PIC n)", or a bare number from older stores) gives way to a
    # real name from the other record, whichever was loaded first.
    if is_placeholder_name(fields["name"]) and not is_placeholder_name(secondary.name):
        fields["name"] = secondary.name
    # A broken encoding ("V\ufffdrmlands l\ufffdns landsting") gives way to a clean name of the same actor.
    if (
        is_mojibake(fields["name"])
        and not is_mojibake(secondary.name)
        and not is_placeholder_name(secondary.name)
    ):
        fields["name"] = secondary.name
    names = {n for n in (*old.aliases, *new.aliases, old.name, new.name) if not is_placeholder_name(n)}
    if not is_mojibake(fields["name"]):  # a broken spelling is no name to search by once a clean one exists
        names = {n for n in names if not is_mojibake(n)}
    names.discard(fields["name"])
    return Actor(
        id=old.id,
        kind=kind,
        aliases=sorted(names),
        # the date of the records that set the fields: a CORDIS row's date does not lift an Interreg record
        as_of=max((d for d in (old.as_of, new.as_of) if d is not None), default=None)
        if old.rank() == new.rank()
        else primary.as_of,
        sources=_union_sources(old.sources, new.sources),
        **fields,
    )


def merge_project(old: Project, new: Project) -> Project:
    primary, secondary = (new, old) if new.rank() > old.rank() else (old, new)
    fields = _merge_fields(
        primary, secondary, skip={"id", "sources", "themes", "topics", "places", "funders", "coverage"}
    )
    return Project(
        id=old.id,
        # Members of both records are kept, so the project is as complete as its most complete source.
        coverage=max(old.coverage, new.coverage, key=lambda c: _COVERAGE_RANK[c]),
        sources=_union_sources(old.sources, new.sources),
        themes=sorted({*old.themes, *new.themes}),
        topics=sorted({*old.topics, *new.topics}),
        places=sorted({*old.places, *new.places}),
        funders=sorted({*old.funders, *new.funders}),
        **fields,
    )


def merge_participation(old: Participation, new: Participation) -> Participation:
    role = max(old.role, new.role, key=lambda r: ROLE_RANK[r])
    return Participation(
        actor_id=old.actor_id,
        project_id=old.project_id,
        role=role,
        contribution=new.contribution if new.contribution is not None else old.contribution,
        nuts3=new.nuts3 or old.nuts3,
        sources=_union_sources(old.sources, new.sources),
    )
