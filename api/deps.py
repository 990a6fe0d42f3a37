"""FastAPI dependencies as named aliases: `StoreDep`, `SettingsDep`, `ScopeDep`."""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import Depends, Query, Request
from pydantic import BaseModel

from graph.analysis.scope import YEAR_MAX, YEAR_MIN, Scope
from graph.geo import COUNTIES, EVERY_COUNTY, SOUTH_SWEDEN_WORDS
from graph.settings import Settings
from graph.store import GraphStore


def get_store(request: Request) -> GraphStore:
    store: GraphStore = request.app.state.store
    return store


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


StoreDep = Annotated[GraphStore, Depends(get_store)]
SettingsDep = Annotated[Settings, Depends(get_settings)]


# The schema says exactly what `graph.geo.county_codes` accepts, so a schema-valid value is never refused
# and a refused one is never allowed: pieces separated by commas, each blank (a form's "default") or a
# code or word, with white space around; an unknown code is a 422 from the schema itself.
def _any_case(word: str) -> str:
    """A regular expression for `word` in any case (`graph.geo.county_codes` folds case; JSON Schema has no flags)."""
    return "".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else re.escape(c) for c in word)


_B = "[ \\t\\n\\r]*"  # graph.geo.BLANK: the white space every parser strips (no other)


def one_pattern(piece: str) -> str:
    """A query value that is `piece` or blank (a form's "default"), with white space around it."""
    return rf"^{_B}(?:{piece})?{_B}$"


def list_pattern(piece: str) -> str:
    """Comma-separated values (`api.routes.partners.split_values`, `graph.geo.county_codes`), each
    `piece` or blank, with white space around: what those parsers accept, and nothing else."""
    return rf"^{_B}(?:{piece})?{_B}(?:,{_B}(?:{piece})?{_B})*$"


_WORDS = "|".join(_any_case(w) for w in SOUTH_SWEDEN_WORDS)
_CODES = "|".join(sorted(COUNTIES))
#: A scope's counties (`Scope.parse`): codes, south-sweden, or 'all' for every actor.
COUNTY_PATTERN = list_pattern(f"{_any_case(EVERY_COUNTY)}|{_WORDS}|{_CODES}")
#: Other lists of counties (`county_codes(…, allow_all=False)`: a call's region, favoured counties, /actors).
COUNTY_LIST_PATTERN = list_pattern(f"{_WORDS}|{_CODES}")
#: One county (`graph.geo.one_county`): an SCB code.
ONE_COUNTY_PATTERN = rf"^{_B}(?:{_CODES}){_B}$"


def get_scope(
    county: Annotated[
        list[str] | None,
        Query(
            max_length=40,
            json_schema_extra={"x-county-list": True},  # api.app writes COUNTY_PATTERN on its items
            description="SCB county codes (repeatable or comma-separated); default South Sweden; 'all'",
        ),
    ] = None,
    programme: Annotated[
        list[str] | None,
        Query(max_length=60, description='only projects of these programmes, e.g. "Interreg"'),
    ] = None,
    theme: Annotated[
        list[str] | None,
        Query(max_length=300, description="only projects on these theme ids, e.g. s3:blekinge:tech"),
    ] = None,
    start: Annotated[
        int | None, Query(alias="from", ge=YEAR_MIN, le=YEAR_MAX, description="projects starting in or after")
    ] = None,
    end: Annotated[
        int | None, Query(alias="to", ge=YEAR_MIN, le=YEAR_MAX, description="projects starting in or before")
    ] = None,
) -> Scope:
    """The one reading of the scope query parameters (`Scope.parse`, as the CLI's `scope_options`)."""
    return Scope.parse(county, programme, theme, start, end)


ScopeDep = Annotated[Scope, Depends(get_scope)]


def request_lang(request: Request) -> str:
    """The page language: `?lang=` when given (en or sv), else the browser's Accept-Language, else English."""
    from viz.texts import LANGS, check_lang

    asked = (request.query_params.get("lang") or "").strip()
    if asked:  # blank is "not given", as the schema says (api.app._PARAM_PATTERNS)
        return check_lang(asked.lower())
    ranked = []
    for i, part in enumerate(request.headers.get("accept-language", "").split(",")):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        ranked.append((-q, i, tag.strip().lower().split("-")[0]))
    for _, _, code in sorted(ranked):
        if code in LANGS:
            return code
    return "en"


def get_lang(
    request: Request,
    lang: Annotated[
        str | None, Query(description="page language: en or sv (default: Accept-Language)")
    ] = None,
) -> str:
    return request_lang(request)


LangDep = Annotated[str, Depends(get_lang)]


def _inline(node: Any, defs: dict[str, Any]) -> Any:
    if isinstance(node, dict):
        ref = node.get("$ref", "")
        if ref.startswith("#/$defs/"):
            return _inline(defs[ref.removeprefix("#/$defs/")], defs)
        return {k: _inline(v, defs) for k, v in node.items() if k != "$defs"}
    if isinstance(node, list):
        return [_inline(v, defs) for v in node]
    return node


def request_body(model: type[BaseModel], text: dict[str, Any] | None = None) -> dict[str, Any]:
    """An OpenAPI `requestBody` for a route that reads its body by hand (to take JSON or text): the
    pydantic model's schema for `application/json` (inlined, so it needs no components), and `text`'s
    schema for `text/plain` when the route also reads text. Required: an empty body is refused."""
    schema = model.model_json_schema()
    content: dict[str, Any] = {"application/json": {"schema": _inline(schema, schema.get("$defs", {}))}}
    if text is not None:
        content["text/plain"] = {"schema": text}
    return {"required": True, "content": content}
