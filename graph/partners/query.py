"""What a partner query asks and what it answers: pydantic models shared by the CLI, the API and the pages.

`parse_query` turns a JSON object (a batch line, the web form, the API's parameters) into a
`PartnerQuery`, or raises `InvalidInput` with one readable line.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, Field, field_validator

from graph.errors import InvalidInput
from graph.geo import BLANK, county_codes
from graph.model import ActorKind
from graph.said import Said

SME = "sme"  # the pseudo-kind "an SME" (Actor.sme), beside the ActorKind values


class PartnerQuery(BaseModel):
    """What a user asks: the call, the members already in, and the constraints."""

    topic: str = Field(default="", max_length=2000, description="free text of the call")
    topic_codes: list[str] = Field(default_factory=list, description="call topic codes, e.g. HORIZON-CL6-…")
    programme_parts: list[str] = Field(default_factory=list, description="e.g. SC5, HORIZON.2.6")
    themes: list[str] = Field(default_factory=list, description="theme ids, e.g. part:h2020:SC5")
    members: list[str] = Field(default_factory=list, description="actor ids, keys (pic:…, cordis:…) or names")
    countries: list[str] = Field(default_factory=list, description="candidates only from these countries")
    exclude_countries: list[str] = Field(default_factory=list)
    min_countries: int = Field(default=0, ge=0, le=50, description="distinct countries the consortium needs")
    kinds: list[str] = Field(default_factory=list, description="wanted kinds: ActorKind values or 'sme'")
    favour_counties: list[str] = Field(
        default_factory=list, description="SCB county codes to favour; 'south-sweden' for the seven counties"
    )
    year_from: int | None = Field(default=None, ge=1950, le=2100)
    year_to: int | None = Field(default=None, ge=1950, le=2100)
    top: int = Field(default=10, ge=1, le=500)

    @field_validator("countries", "exclude_countries")
    @classmethod
    def _countries(cls, v: list[str]) -> list[str]:
        out = []
        for c in v:
            c = c.strip(BLANK).upper()
            c = {"UK": "GB", "EL": "GR"}.get(c, c)
            if not re.fullmatch(r"[A-Z]{2}", c):
                raise ValueError(f"country {c!r} is not an ISO 3166 alpha-2 code such as SE")
            out.append(c)
        return out

    @field_validator("kinds")
    @classmethod
    def _kinds(cls, v: list[str]) -> list[str]:
        known = {k.value for k in ActorKind} | {SME}
        for k in v:
            if k not in known:
                raise ValueError(f"unknown kind {k!r}: use one of {', '.join(sorted(known))}")
        return v

    @field_validator("favour_counties")
    @classmethod
    def _counties(cls, v: list[str]) -> list[str]:
        try:
            return list(county_codes(v, allow_all=False) or ())
        except InvalidInput as e:
            raise ValueError(str(e)) from None


class ProjectRef(BaseModel):
    id: str
    acronym: str | None
    title: str
    year: int | None


class Candidate(BaseModel):
    actor_id: str
    name: str
    kind: str
    country: str | None
    county_code: str | None
    score: float
    signals: dict[str, float] = Field(description="each signal in [0, 1] before weighting")
    reasons: list[str] = Field(description="why, in plain words")
    said: list[Said] = Field(
        default_factory=list, description="the same reasons as sentences a page words in its language"
    )
    identifiers: dict[str, str] = Field(description="pic, vat, orgnr where known")
    topic_projects: list[ProjectRef] = Field(default_factory=list)
    worked_with: list[str] = Field(default_factory=list, description="members it shared a project with")
    path: list[str] = Field(default_factory=list, description="a shortest network path to a member")
    fills: list[str] = Field(default_factory=list, description="gaps it fills: country:XX, kind:…")
    projects: int = 0
    coordinated: int = 0
    last_year: int | None = None
    topic_evidence: bool = Field(default=False, description="has a past project on the call's topic")
    funding_note: str | None = Field(default=None, description="why the programme may not fund it")


class Member(BaseModel):
    key: str
    actor_id: str
    name: str
    country: str | None
    kind: str


class Gaps(BaseModel):
    countries_present: list[str]
    countries_needed: int = Field(description="how many more distinct countries the consortium needs")
    kinds_missing: list[str]
    cover: list[str] = Field(description="greedy smallest set of candidates that fills the gaps")
    cover_fills: dict[str, list[str]] = Field(default_factory=dict)
    unfilled: list[str] = Field(default_factory=list, description="gaps no candidate could fill")


class PartnerResult(BaseModel):
    query: PartnerQuery
    members: list[Member]
    unknown_members: list[str]
    partners: list[Candidate] = Field(description="with a topic: only candidates with evidence on it")
    network: list[Candidate] = Field(
        default_factory=list,
        description="your existing network: members' partners with no evidence on the topic, kept apart",
    )
    gaps: Gaps
    candidates_considered: int
    programme: str | None = Field(default=None, description="the programme the call belongs to, if known")
    message: str | None = Field(default=None, description="what the answer could not use, in words")


def parse_query(data: dict[str, Any], where: str = "query") -> PartnerQuery:
    """A `PartnerQuery` from a JSON object (batch mode), accepting a few friendly aliases."""
    if not isinstance(data, dict):
        raise InvalidInput(f"{where}: expected a JSON object")
    d = dict(data)
    d.pop("id", None)
    for alias, name in (
        ("with", "members"),
        ("country", "countries"),
        ("exclude_country", "exclude_countries"),
        ("kind", "kinds"),
        ("favour_county", "favour_counties"),
        ("from", "year_from"),
        ("to", "year_to"),
    ):
        if alias in d:
            d[name] = d.pop(alias)
    for name in ("members", "countries", "exclude_countries", "kinds", "favour_counties", "topic_codes"):
        if isinstance(d.get(name), str):
            d[name] = [d[name]]
    try:
        return PartnerQuery.model_validate(d)
    except ValueError as e:
        first = e.errors()[0] if hasattr(e, "errors") else None
        text = first["msg"].removeprefix("Value error, ") if first else str(e)
        msg = f"{'.'.join(map(str, first['loc'][:1]))}: {text}" if first else text
        raise InvalidInput(f"{where}: {msg}") from e
