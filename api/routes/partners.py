"""`GET /partners`: the partner finder over HTTP, with the same parameters as `innograph partners`.

`partner_query` is the one place that turns request parameters into a `PartnerQuery`; the JSON
route and the page (`/views/partners`, the start page's form) both depend on it, so the form asks
exactly what the CLI and the API ask.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from api.deps import StoreDep
from graph.geo import BLANK
from graph.partners import (
    EMPTY_QUERY,
    Gaps,
    PartnerQuery,
    PartnerResult,
    find_partners,
    is_empty,
    parse_query,
)
from graph.store import GraphStore

router = APIRouter(tags=["partners"])


def split_values(values: list[str] | None) -> list[str]:
    """Repeated parameters or one comma-separated value, blanks dropped (the schema says so: `x-list`)."""
    return [v.strip(BLANK) for raw in values or [] for v in raw.split(",") if v.strip(BLANK)]


_LISTED: dict[str, Any] = {"x-list": True}


def partner_query(
    members: Annotated[
        list[str] | None,
        Query(
            alias="with", max_length=300, description="consortium member: actor id, cordis:/pic: key or name"
        ),
    ] = None,
    topic: Annotated[str, Query(max_length=2000, description="free text of the call")] = "",
    topic_code: Annotated[list[str] | None, Query(max_length=200, description="call topic code")] = None,
    programme_part: Annotated[list[str] | None, Query(max_length=100, description="e.g. SC5")] = None,
    theme: Annotated[list[str] | None, Query(max_length=300, description="theme id")] = None,
    country: Annotated[
        list[str] | None,
        Query(max_length=20, description="only these countries", json_schema_extra=_LISTED),
    ] = None,
    exclude_country: Annotated[list[str] | None, Query(max_length=20, json_schema_extra=_LISTED)] = None,
    min_countries: Annotated[int, Query(ge=0, le=50, description="distinct countries needed")] = 0,
    kind: Annotated[
        list[str] | None, Query(max_length=40, description="wanted kind, or sme", json_schema_extra=_LISTED)
    ] = None,
    favour_county: Annotated[list[str] | None, Query(max_length=20, description="SCB county code")] = None,
    year_from: Annotated[int | None, Query(alias="from", ge=1950, le=2100)] = None,
    year_to: Annotated[int | None, Query(alias="to", ge=1950, le=2100)] = None,
    top: Annotated[int, Query(ge=1, le=200)] = 10,
) -> PartnerQuery:
    """The query from request parameters (the same names as the CLI's options)."""
    return parse_query(
        {
            "members": split_values(members)[:50],
            "topic": topic,
            "topic_codes": split_values(topic_code),
            "programme_parts": split_values(programme_part),
            "themes": split_values(theme),
            "countries": split_values(country),
            "exclude_countries": split_values(exclude_country),
            "min_countries": min_countries,
            "kinds": split_values(kind),
            "favour_counties": split_values(favour_county),
            "year_from": year_from,
            "year_to": year_to,
            "top": top,
        },
        where="partner search",
    )


QueryDep = Annotated[PartnerQuery, Depends(partner_query)]


def answer(store: GraphStore, query: PartnerQuery) -> PartnerResult:
    """`find_partners`, except that a query with neither a topic nor members suggests nobody and says
    what to give (`message`) instead of failing: every parameter is optional in the schema, so a request
    the schema allows is answered (200), as the page answers with its form's prompt. The CLI still exits
    1 on it, as a command given nothing to do."""
    if is_empty(query):
        gaps = Gaps(countries_present=[], countries_needed=query.min_countries, kinds_missing=[], cover=[])
        return PartnerResult(
            query=query,
            members=[],
            unknown_members=[],
            partners=[],
            gaps=gaps,
            candidates_considered=0,
            message=EMPTY_QUERY,
        )
    return find_partners(store, query)


@router.get("/partners")
def partners(store: StoreDep, query: QueryDep) -> PartnerResult:
    """Ranked candidate partners for a call, with reasons, your existing network, and the consortium's gaps.

    A query with neither a topic nor members suggests nobody; its `message` says what to give.
    """
    return answer(store, query)
