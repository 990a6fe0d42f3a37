"""Result models of the analyses: JSON-friendly, ordered deterministically, floats rounded.

Floats are rounded to 6 significant digits (`sig6`), not 6 decimals: on a 27,000-actor graph most
PageRank values are below 1e-4, and 6 decimals would erase the differences between them. Either
way the output is byte-stable for the same graph.
"""

from __future__ import annotations

import math

from pydantic import BaseModel, Field

from graph.said import Said

PARTIAL_DOC = (
    "one line naming the sources among the counting projects that do not list every member "
    "(Interreg: Swedish partners only; ERDF: the owner only); empty when all are complete"
)


def sig6(x: float | None) -> float | None:
    """Round to 6 significant digits; NaN and infinities become None (JSON has no NaN)."""
    if x is None or not math.isfinite(x):
        return None
    if x == 0:
        return 0.0
    return float(f"{x:.6g}")


def r6(x: float) -> float:
    """`sig6` for values that are always finite."""
    out = sig6(x)
    return 0.0 if out is None else out


class ScopeInfo(BaseModel):
    counties: list[str]
    programme: list[str]
    theme: list[str]
    start_year: int | None
    end_year: int | None


class ActorRef(BaseModel):
    actor_id: str
    name: str
    county_code: str


# -- centrality ------------------------------------------------------------------------------------
class CentralityRow(BaseModel):
    actor_id: str
    name: str
    kind: str
    county_code: str
    country: str
    degree: int = Field(description="distinct partners")
    weighted_degree: float = Field(description="sum over partners of shared projects")
    betweenness: float = Field(description="normalised hop betweenness on the whole graph")
    pagerank: float = Field(description="weighted PageRank on the whole graph")
    closeness: float = Field(description="closeness within the actor's component")
    component_size: int


class BetweennessNote(BaseModel):
    method: str = Field(description="exact or sampled")
    nodes: int
    k: int | None = Field(description="sampled source nodes (None when exact)")
    seed: int | None
    hoeffding_95: float | None = Field(description="absolute error bound that holds with 95 % probability")
    max_standard_error: float | None = Field(description="largest empirical standard error among the rows")
    text: str


class CentralityResult(BaseModel):
    analysis: str = "centrality"
    scope: ScopeInfo
    total: int = Field(description="actors in the scope before --top")
    rows: list[CentralityRow]
    betweenness: BetweennessNote
    sort: str = "betweenness desc, pagerank desc, actor_id"


# -- brokerage ----------------------------------------------------------------------------------
class BrokerageRow(BaseModel):
    actor_id: str
    name: str
    kind: str
    county_code: str
    degree: int
    constraint: float | None = Field(description="Burt's constraint (None without partners)")
    effective_size: float | None = Field(description="Burt's effective size (None without partners)")
    bridges_counties: int = Field(description="other Swedish counties among the actor's partners")
    bridges_communities: int = Field(description="other communities among the actor's partners")


class BridgeEdge(BaseModel):
    a: str
    b: str
    a_name: str
    b_name: str
    a_group: str
    b_group: str
    weight: float = Field(description="shared projects")


class BrokerageResult(BaseModel):
    analysis: str = "brokerage"
    scope: ScopeInfo
    total: int
    rows: list[BrokerageRow]
    county_bridges: list[BridgeEdge] = Field(description="partner pairs in two different Swedish counties")
    county_bridges_total: int
    community_bridges: list[BridgeEdge] = Field(description="partner pairs in two different communities")
    community_bridges_total: int
    partial_sources: str = Field(default="", description=PARTIAL_DOC)
    sort: str = "constraint asc (None last), effective_size desc, actor_id; bridges by weight desc"


# -- communities --------------------------------------------------------------------------------
class Community(BaseModel):
    id: int
    size: int
    scoped_members: int = Field(description="members in the scope")
    members_top: list[ActorRef] = Field(description="members with the most partners")
    counties: dict[str, int] = Field(description="members per Swedish county code")
    themes: dict[str, int] = Field(description="projects per theme with a member in them (top 10)")


class CommunitiesResult(BaseModel):
    analysis: str = "communities"
    scope: ScopeInfo
    algorithm: str
    seed: int
    resolution: float
    modularity: float
    total_communities: int = Field(description="communities on the whole graph, singletons included")
    singletons: int
    communities: list[Community] = Field(description="those with a member in the scope, size >= 2")
    nmi_counties: float | None = Field(description="normalised mutual information, communities vs counties")
    nmi_themes: float | None = Field(description="normalised mutual information, communities vs main theme")
    aligned_actors: int = Field(description="scoped actors with partners and a county, used for nmi_counties")
    note: str


# -- isolation ----------------------------------------------------------------------------------
class IsolatedActor(BaseModel):
    actor_id: str
    name: str
    kind: str
    county_code: str
    reason: str
    said: Said | None = Field(
        default=None, description="the reason as a sentence a page words in its language"
    )


class BrokerSuggestion(BaseModel):
    county_code: str
    actor_id: str
    name: str
    outside_partners: int = Field(description="partners outside the county")


class IsolatedResult(BaseModel):
    analysis: str = "isolated"
    scope: ScopeInfo
    no_collaboration: list[IsolatedActor]
    only_own_county: list[IsolatedActor]
    no_eu_project: list[IsolatedActor]
    weak_despite_profile: list[IsolatedActor]
    s3_theme_without_outside_partner: list[IsolatedActor]
    partners_not_in_data: list[IsolatedActor] = Field(
        default_factory=list,
        description="actors that would read as isolated or local-only, but whose projects' partners abroad "
        "(or all partners) are not in the data: counted apart",
    )
    counts: dict[str, int] = Field(description="length of each list before --top")
    suggested_brokers: dict[str, list[BrokerSuggestion]] = Field(
        description="per list: actors in the listed actors' counties with the most partners outside them"
    )
    rules: dict[str, str]
    partial_sources: str = Field(default="", description=PARTIAL_DOC)


# -- counties -----------------------------------------------------------------------------------
class CountyRow(BaseModel):
    code: str
    name: str
    actors: int = Field(
        description="the county's actors in the scope (as the county report, /counties and the isolated view count them)"
    )
    projects: int = Field(
        description="projects in the scope with an actor of the county (as the report counts them)"
    )
    collaboration_projects: int = Field(
        description="of those, the projects whose source names every member (P_c of the null model: "
        "ERDF owner-only projects say nothing about collaboration and are left out)"
    )
    internal_actor_pairs: int


class CountyPair(BaseModel):
    a: str
    b: str
    a_name: str
    b_name: str
    shared_projects: int
    actor_pairs: int
    expected_projects: float
    ratio_projects: float | None
    expected_actor_pairs: float
    ratio_actor_pairs: float | None


class CountiesResult(BaseModel):
    analysis: str = "counties"
    scope: ScopeInfo
    counties: list[CountyRow]
    pairs: list[CountyPair]
    null_model: str
    partial_sources: str = Field(default="", description=PARTIAL_DOC)


# -- themes -------------------------------------------------------------------------------------
class ThemeGap(BaseModel):
    theme_id: str
    name: str
    kind: str
    counties_present: list[str]
    counties_missing: list[str]
    strategy_counties: list[str] = Field(description="counties whose S3 strategy names the theme")
    strategy_counties_missing: list[str] = Field(description="of those, counties with no actor in it")
    projects: int
    actors: int = Field(description="actors of the scope's counties in the theme's projects")
    by_county: dict[str, int] = Field(description="actors per county")


class ThemesResult(BaseModel):
    analysis: str = "themes"
    scope: ScopeInfo
    themes: list[ThemeGap]
    crosswalk: bool = Field(description="whether graph.crosswalk mapped projects onto S3 themes")
    note: str


AnalysisResult = (
    CentralityResult | BrokerageResult | CommunitiesResult | IsolatedResult | CountiesResult | ThemesResult
)
