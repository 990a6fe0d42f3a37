"""`/calls`: call topics matched to the region's actors (JSON), the same as `innograph calls match`."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field, ValidationError

from api.deps import LangDep, StoreDep, request_body
from api.pages import page
from graph.calls import (
    MAX_CALLS,
    MAX_CODE,
    MAX_DESCRIPTION,
    MAX_TITLE,
    NO_TOPIC,
    CallsResult,
    CallTopic,
    parse_calls,
    parse_counties,
    run_calls,
)
from graph.errors import InvalidInput, NotFound
from graph.geo import COUNTIES, SOUTH_SWEDEN
from graph.store import GraphStore
from graph.text import VISIBLE
from viz.page import render_page
from viz.texts import texts

router = APIRouter(tags=["calls"])
MAX_TEXT = 200_000
MAX_BODY = 5_000_000  # bytes of a POSTed call list (the F&T export of a whole work programme is ~2 MB)
_NOT_BLANK = VISIBLE  # something left once control characters and white space are taken away


class TopicIn(CallTopic):
    """One call topic as a request states it: a code (or, lacking one, the title as its code)."""

    code: str = Field(
        min_length=1, max_length=MAX_CODE, pattern=_NOT_BLANK, description="e.g. HORIZON-CL5-2024-D3-01-05"
    )


class CallList(BaseModel):
    """POST /calls as JSON: the topics to match (at least one)."""

    topics: list[TopicIn] = Field(min_length=1, max_length=MAX_CALLS)


def answer(
    store: GraphStore, topics: list[CallTopic], county: list[str], actor: str | None, top: int, partners: int
) -> CallsResult:
    """`run_calls`, except that no topic at all matches nobody and says what to give (`message`) instead of
    failing: every GET parameter is optional in the schema, so a request the schema allows is answered."""
    if not topics:
        region = [actor] if actor else parse_counties(county)
        return CallsResult(calls_read=0, region=region, topics=[], message=NO_TOPIC)
    return run_calls(store, topics, county, actor, top, partners)


@router.get("/calls")
def calls_get(
    store: StoreDep,
    code: Annotated[
        str, Query(max_length=MAX_CODE, description="call topic code, e.g. HORIZON-CL5-2024-D3-01-05")
    ] = "",
    title: Annotated[str, Query(max_length=MAX_TITLE, description="call topic title")] = "",
    description: Annotated[str, Query(max_length=MAX_DESCRIPTION, description="call topic text")] = "",
    topics: Annotated[
        str, Query(max_length=MAX_TEXT, description="several topics: lines 'CODE title', or CSV/JSONL text")
    ] = "",
    county: Annotated[
        list[str] | None, Query(max_length=20, description="SCB county code; default South Sweden")
    ] = None,
    actor: Annotated[str | None, Query(max_length=300, description="the topics that fit this actor")] = None,
    top: Annotated[int, Query(ge=1, le=200)] = 20,
    partners: Annotated[int, Query(ge=0, le=10)] = 3,
) -> CallsResult:
    """The region's actors whose past work fits each call topic, with evidence and partners to complete it."""
    found = parse_calls(topics, "topics") if topics.strip() else []
    if code.strip() or title.strip():
        found.insert(
            0,
            CallTopic(code=code.strip() or title.strip()[:80], title=title.strip(), description=description),
        )
    return answer(store, found, county or [], actor, top, partners)


_TEXT_BODY: dict[str, Any] = {
    "type": "string",
    "minLength": 1,
    "maxLength": MAX_BODY,
    "pattern": _NOT_BLANK,
    "description": "a CSV with a header (code/topic/identifier, title, description), JSON Lines of such "
    "objects, or pasted lines 'CODE title'",
}


@router.post(
    "/calls",
    openapi_extra={"requestBody": request_body(CallList, _TEXT_BODY)},
    responses={
        413: {"description": "The body is larger than 5 MB"},
        415: {"description": "Not JSON or text"},
    },
)
async def calls_post(
    request: Request,
    store: StoreDep,
    county: Annotated[list[str] | None, Query(max_length=20)] = None,
    actor: Annotated[str | None, Query(max_length=300)] = None,
    top: Annotated[int, Query(ge=1, le=200)] = 20,
    partners: Annotated[int, Query(ge=0, le=10)] = 3,
) -> CallsResult:
    """The same for a whole call list sent as the request body: JSON `{"topics": [...]}`, or as text the
    F&T topic export, CORDIS topics.csv, JSON Lines or pasted lines."""
    topics = await read_topics(request)
    return await run_in_threadpool(answer, store, topics, county or [], actor, top, partners)


async def read_topics(request: Request) -> list[CallTopic]:
    """The topics of a POST body, by its content type; one readable error for each way it can be wrong."""
    from starlette.exceptions import HTTPException

    if int(request.headers.get("content-length") or 0) > MAX_BODY:
        raise HTTPException(413, f"the body is larger than {MAX_BODY:,} bytes")
    raw = await request.body()
    if len(raw) > MAX_BODY:
        raise HTTPException(413, f"the body is larger than {MAX_BODY:,} bytes")
    kind = request.headers.get("content-type", "text/plain").split(";")[0].strip().lower()
    if kind == "application/json":
        try:
            return list(CallList.model_validate_json(raw).topics)
        except ValidationError as e:
            raise RequestValidationError(
                [
                    {**err, "loc": ("body", *err["loc"])}
                    for err in e.errors(include_url=False, include_input=False)
                ]
            ) from e
    if kind not in ("text/plain", "text/csv"):
        raise HTTPException(415, f"send the topics as application/json or text/plain, not {kind}")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise InvalidInput(f"body: not UTF-8 text (byte {e.start})") from e
    if not text.strip():
        raise InvalidInput(f"body: empty; {NO_TOPIC}")
    return await run_in_threadpool(parse_calls, text, "body")


@router.get("/views/calls", response_class=HTMLResponse, include_in_schema=False)
def calls_page(
    store: StoreDep,
    lang: LangDep,
    topics: Annotated[str, Query(max_length=MAX_TEXT)] = "",
    county: Annotated[str, Query(max_length=20)] = "",
    actor: Annotated[str, Query(max_length=300)] = "",
    top: Annotated[int, Query(ge=1, le=100)] = 20,
) -> HTMLResponse:
    """The page: paste call topics, pick a county or an actor, read the fitting actors and partners."""
    c = texts("calls", lang)
    result = None
    message = None
    if topics.strip():
        try:
            result = run_calls(
                store, parse_calls(topics, "topics"), [county] if county else [], actor or None, top, 3
            )
        except (InvalidInput, NotFound) as e:
            message = str(e)
    else:
        message = c["prompt"]
    if result is not None and actor:
        region_label = result.region[0]
    elif county in COUNTIES:
        region_label = COUNTIES[county].name
    else:
        region_label = c["south_sweden"]
    return page(
        render_page(
            "calls.html",
            lang=lang,
            c=c,
            result=result,
            message=message,
            topics_text=topics,
            county=county,
            actor=actor,
            counties=[COUNTIES[c] for c in SOUTH_SWEDEN],
            region_label=region_label,
        )
    )
