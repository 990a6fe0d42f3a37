"""One `Fact` per participation: who, which project, which county (the attribution rule of the package
docstring), how much in EUR; read once per store version (`store_facts`) and cut to a `Scope` (`in_scope`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from graph.analysis.funding.reference import (
    Rates,
    rates,
)
from graph.analysis.scope import Scope
from graph.cache import derived
from graph.crosswalk import Crosswalk, default_crosswalk
from graph.geo import county_from_nuts
from graph.model import Actor, Participation, Project, Role, Theme
from graph.projection import store_records
from graph.store.base import GraphStore

#: What a participation's amount means in each programme (shown beside every result).
AMOUNT_MEANING: dict[str, str] = {
    "Horizon Europe": "EC contribution to the participant (CORDIS ecContribution), EUR",
    "Horizon 2020": "EC contribution to the participant (CORDIS ecContribution), EUR",
    "FP7": "EC contribution to the participant (CORDIS ecContribution), EUR",
    "Interreg": "the partner's whole budget in the project (partnerbudget: EU co-financing and own money), EUR",
    "ERDF": "regional-fund money granted to the project owner (beviljat belopp), SEK converted to EUR",
}

#: What the data behind these figures does not cover (one line on every page and report).
NOT_COVERED = (
    "Not covered: ERDF projects decided after 14 Oct 2016 (the Projektbanken 2016 export only), "
    "Interreg budgets of foreign partners and the EU share of Swedish ones (partner budgets only), "
    "Horizon 2020 projects started outside 2014–2018 (an extract), Horizon Europe after 2024, "
    "national co-funding; amounts of associated partners are not paid by the EU."
)

ATTRIBUTION = (
    "A participation counts for one county: the region its source states for it (CORDIS nutsCode, "
    "the Interreg row's county, the ERDF project's county when it runs in one), else its actor's county "
    "(none when unknown: counted for Sweden, not for a county); S3 totals overlap (a project may serve several)."
)

COORDINATING = frozenset({Role.coordinator, Role.project_owner})
_TOPIC_CODE = re.compile(r"^[A-Z0-9]+(?:-[A-Z0-9]+)+$")
_YEAR = re.compile(r"^(?:19|20)\d\d$")


@dataclass(frozen=True)
class Fact:
    """One participation with its money in EUR and where it is attributed.

    `status`: "known" (an amount), "unknown" (no amount for a funded role) or "unfunded" (an
    associated partner without an amount). `eur` is 0.0 unless known.
    """

    actor_id: str
    actor_name: str
    actor_kind: str
    project_id: str
    programme: str
    part: str | None
    year: int | None
    role: str
    county: str | None
    county_basis: str  # "participation", "actor" or "none"
    status: str
    eur: float
    amount: float | None
    currency: str | None
    rate_year: int | None
    s3: tuple[str, ...]
    topic_clusters: tuple[str, ...]
    project_attrs: dict[str, Any] = field(compare=False, hash=False)

    @property
    def coordinating(self) -> bool:
        return self.role in {r.value for r in COORDINATING}


def topic_cluster(code: str) -> str | None:
    """A call-topic code without its year and serial numbers: `HORIZON-CL5-2022-D3-01-04` → `HORIZON-CL5-D3`.

    Calls of one destination recur every year under new numbers; the cluster groups them.
    Returns None for words that are not topic codes (keywords, fields of science).
    """
    code = code.strip().upper()
    if not _TOPIC_CODE.match(code):
        return None
    tokens = [t for t in code.split("-") if not _YEAR.match(t)]
    kept: list[str] = []
    for t in tokens:
        if t.isdigit() and kept:
            break
        kept.append(t)
    return "-".join(kept[:3]) if len(kept) >= 2 else None


def funding_facts(
    actors: Iterable[Actor],
    projects: Iterable[Project],
    participations: Iterable[Participation],
    crosswalk: Crosswalk | None = None,
    fx: Rates | None = None,
) -> list[Fact]:
    """One `Fact` per participation (see the module docstring for attribution and amounts)."""
    cw = crosswalk or default_crosswalk()
    fx = fx or rates()
    actor_by_id = {a.id: a for a in actors}
    project_by_id = {p.id: p for p in projects}
    s3_of: dict[str, tuple[str, ...]] = {}
    clusters_of: dict[str, tuple[str, ...]] = {}
    attrs_of: dict[str, dict[str, Any]] = {}
    out: list[Fact] = []
    for part in participations:
        a = actor_by_id.get(part.actor_id)
        p = project_by_id.get(part.project_id)
        if a is None or p is None:
            continue
        if p.id not in s3_of:
            s3_of[p.id] = tuple(t.theme_id for t in cw.themes_for(p))
            clusters_of[p.id] = tuple(sorted({c for t in p.topics if (c := topic_cluster(t))}))
            # one dict per project, shared by its facts (and by the pickle kept beside the store)
            attrs_of[p.id] = {
                "programme": p.programme,
                "programme_part": p.programme_part,
                "themes": p.themes,
                "start_year": p.start.year if p.start else None,
            }
        if part.nuts3:  # the source placed this participation: its word decides, even "SE" (no county)
            county, basis = county_from_nuts(part.nuts3), "participation"
        else:
            county, basis = a.county_code, "actor"
        if county is None:
            basis = "none"
        year = p.start.year if p.start else None
        money = part.contribution
        eur, rate_year = 0.0, None
        if money is not None:
            status = "known"
            if money.currency == "EUR":
                eur = money.amount
            else:  # SEK: the only other currency the model knows
                rate_year, rate = fx.rate(year)
                eur = money.amount / rate
        else:
            status = "unfunded" if part.role is Role.associated else "unknown"
        out.append(
            Fact(
                actor_id=a.id,
                actor_name=a.name,
                actor_kind=a.kind.value,
                project_id=p.id,
                programme=p.programme,
                part=p.programme_part,
                year=year,
                role=part.role.value,
                county=county,
                county_basis=basis,
                status=status,
                eur=eur,
                amount=money.amount if money else None,
                currency=money.currency if money else None,
                rate_year=rate_year,
                s3=s3_of[p.id],
                topic_clusters=clusters_of[p.id],
                project_attrs=attrs_of[p.id],
            )
        )
    out.sort(key=lambda f: (f.project_id, f.actor_id))
    return out


def store_facts(store: GraphStore) -> tuple[list[Fact], dict[str, str]]:
    """The facts of a store and the names of its themes, computed once per store version (`graph.cache`)."""

    def compute() -> tuple[list[Fact], dict[str, str]]:
        r = store_records(store)  # read once per store version, shared with the graphs and the index
        facts = funding_facts(r.actors, r.projects, r.participations)
        return facts, theme_names(store.themes())

    return derived(store, "funding-facts", compute)


def theme_names(themes: Iterable[Theme]) -> dict[str, str]:
    return {t.id: t.name for t in themes}


def in_scope(facts: Iterable[Fact], scope: Scope, counties: bool = True) -> list[Fact]:
    """The facts whose project counts for the scope and (with `counties`) whose county is in it."""
    wanted = set(scope.counties) if counties else set()
    out = []
    for f in facts:
        if wanted and f.county not in wanted:
            continue
        if scope.filters_projects and not scope.project_matches(f.project_attrs, f.s3):
            continue
        out.append(f)
    return out
