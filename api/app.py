"""The FastAPI application: `create_app(settings)` wires the store, the routers and the error mapping.

Errors are mapped once, here: NotFound → 404, InvalidInput → 422, StoreUnavailable and ToolUnavailable → 503
(and a stored record the model refuses → 503 naming `innograph db repair`), each a JSON body
`{"detail": "..."}` with a message a person can act on. Every HTML answer gets the same security headers
here too (`api.pages.HEADERS`), whichever route made it.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import pkgutil
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, Field, ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.background import RETRY_AFTER_S, Computing, Precompute, start_precompute
from api.pages import HEADERS
from graph import cache
from graph.errors import InvalidInput, NotFound, StoreUnavailable, ToolUnavailable
from graph.model import ActorKind
from graph.settings import Settings
from graph.store import GraphStore, open_store

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class ErrorBody(BaseModel):
    """Every error answer: one sentence, or FastAPI's list of invalid parameters (422)."""

    detail: str | list[dict[str, Any]] = Field(description="what went wrong and, where it helps, what to do")


# Documented on every operation, so clients (and schemathesis) know the shape of an error.
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    202: {
        "model": ErrorBody,
        "description": "A long analysis is still running: ask again after Retry-After seconds",
    },
    404: {"model": ErrorBody, "description": "Unknown id"},
    422: {"model": ErrorBody, "description": "Invalid parameters"},
    503: {"model": ErrorBody, "description": "The store cannot be reached"},
}


def error_response(request: Request, status: int, reason: str, detail: str) -> Response:
    """JSON `{"detail": ...}` for the API; a small escaped HTML page for the pages people open."""
    path = request.url.path
    if path == "/" or path.startswith("/views/"):
        from api.deps import request_lang
        from api.pages import page
        from graph.errors import InvalidInput
        from viz.page import render_page

        try:
            lang = request_lang(request)
        except InvalidInput:
            lang = "en"
        html = render_page(
            "error.html", lang=lang, status=status, reason=reason, detail=detail, refresh=status == 202
        )
        return page(html, status)
    return JSONResponse(status_code=status, content={"detail": detail})


_DOCS_HTML = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="/static/docs/swagger-ui.css"><link rel="icon" href="/static/docs/favicon.png">
<title>innograph API</title></head>
<body><div id="swagger-ui"></div>
<script src="/static/docs/swagger-ui-bundle.js"></script><script src="/static/docs/init.js"></script>
</body></html>
"""
# Swagger UI's start-up, as a file of its own: the pages' Content-Security-Policy allows no inline script.
_DOCS_INIT = """SwaggerUIBundle({
  url: "/openapi.json", dom_id: "#swagger-ui", layout: "BaseLayout", deepLinking: true,
  showExtensions: true, showCommonExtensions: true,
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
});
"""


# What `refuse_control_characters` refuses, said in the schema too (a pattern on every free-text query
# parameter), so a request the schema allows is never refused for it.
NO_CONTROL_PATTERN = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"


# Parameters whose every value the routes check against a fixed vocabulary, said in the schema too: one
# value (`api.deps.one_pattern`), or, where the route splits commas (`x-list`), a list of them.
_PARAM_PIECES = {
    "country": "[A-Za-z]{2}",
    "exclude_country": "[A-Za-z]{2}",
    "kind": "|".join(k.value for k in ActorKind) + "|sme",
    # api.deps.request_lang: en or sv, any case; left blank (a form's "default") it follows Accept-Language
    "lang": "[eE][nN]|[sS][vV]",
}


def _html_path(path: str) -> bool:
    return path == "/" or path.startswith("/views/")


def conforming_openapi(app: FastAPI) -> dict[str, Any]:
    """FastAPI's OpenAPI document, made to say what the API does: free-text query parameters carry the
    control-character pattern; error answers are documented as JSON for the API and as HTML for the
    pages (`error_response` decides the same way)."""
    if app.openapi_schema:
        return app.openapi_schema
    from fastapi.openapi.utils import get_openapi

    doc = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
    for path, ops in doc.get("paths", {}).items():
        for op in ops.values():
            for param in op.get("parameters", []):
                if param.get("in") != "query":
                    continue
                schema = param.get("schema", {})
                # An optional list is `anyOf: [array, null]` to FastAPI; a query string cannot hold a
                # null (a missing parameter is the default), and negative tests read "theme=false" as
                # a boolean that "violates" the null branch: the parameter is the array alone.
                options = schema.get("anyOf", [])
                if len(options) == 2 and {"type": "null"} in options:
                    (kept,) = [o for o in options if o != {"type": "null"}]
                    schema.pop("anyOf")
                    schema.update(kept)
                if param.get("name") in ("county", "favour_county"):
                    from api.deps import COUNTY_LIST_PATTERN, COUNTY_PATTERN, ONE_COUNTY_PATTERN

                    for s in (schema, *schema.get("anyOf", [])):
                        if s.get("type") == "array":  # Scope's list also takes "all"
                            listed = (
                                COUNTY_PATTERN
                                if "x-county-list" in json.dumps(schema)
                                else COUNTY_LIST_PATTERN
                            )
                            target, pattern = s.setdefault("items", {}), listed
                        else:
                            target, pattern = s, ONE_COUNTY_PATTERN
                        if target.get("type") == "string" and "pattern" not in target:
                            target["pattern"] = pattern
                piece = _PARAM_PIECES.get(param.get("name", ""))
                if piece:
                    from api.deps import list_pattern, one_pattern

                    extra = (list_pattern if "x-list" in json.dumps(schema) else one_pattern)(piece)
                    for s in (schema, *schema.get("anyOf", [])):
                        target = s.setdefault("items", {}) if s.get("type") == "array" else s
                        if target.get("type") == "string" and "pattern" not in target:
                            target["pattern"] = extra
                for s in (schema, schema.get("items", {}), *schema.get("anyOf", [])):
                    for t in (s, s.get("items", {})):
                        if t.get("type") == "string" and "pattern" not in t and "enum" not in t:
                            t["pattern"] = NO_CONTROL_PATTERN
            for status, response in op.get("responses", {}).items():
                if not str(status).startswith(("4", "5")) or "content" not in response:
                    continue
                if _html_path(path):
                    response["content"] = {"text/html": {"schema": {"type": "string"}}}
                else:
                    content = response["content"]
                    body: dict[str, Any] = next(iter(content.values()), {})
                    response["content"] = {"application/json": body}
    app.openapi_schema = doc
    return doc


def allowed_methods(app: FastAPI, scope: Any) -> list[str]:
    """Every method some route takes on this request's path (the `Allow` header of a 405)."""
    from starlette.routing import Match

    methods = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")
    return [
        m
        for m in methods
        if any(route.matches({**scope, "method": m})[0] == Match.FULL for route in app.router.routes)
    ]


def add_docs(app: FastAPI) -> None:
    """OpenAPI's Swagger UI at /docs, its files served from the fastapi-offline package (no CDN)."""
    import fastapi_offline

    root = Path(fastapi_offline.__file__).parent / "static"
    files = {n: root / n for n in ("swagger-ui-bundle.js", "swagger-ui.css", "favicon.png")}

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return HTMLResponse(_DOCS_HTML)

    @app.get("/static/docs/init.js", include_in_schema=False)
    def docs_init() -> Response:
        return Response(_DOCS_INIT, media_type="text/javascript")

    @app.get("/static/docs/{name}", include_in_schema=False)
    def docs_static(name: str) -> FileResponse:
        path = files.get(name)
        if path is None:
            raise NotFound(f"no static file {name!r}")
        return FileResponse(path, headers={"Cache-Control": "public, max-age=3600"})


def create_app(
    settings: Settings | None = None, store: GraphStore | None = None, precompute: bool = False
) -> FastAPI:
    """The app on `store` (default: the one `settings` names).

    `precompute=True` (what `serve` and `demo` use) builds each new store version's derived data in
    the background from start-up on, and answers from the previous version until it is complete
    (`api.background`); `GET /health` reports the progress.
    """
    settings = settings or Settings()

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        job: Precompute | None = (
            start_precompute(app.state.store, settings if store is None else None) if precompute else None
        )
        app.state.precompute = job
        try:
            yield
        finally:
            if job is not None:
                job.stop()
                cache.serve_stale(None)

    app = FastAPI(
        lifespan=lifespan,
        title="innograph",
        version="0.1.0",
        description="Actors of a regional innovation ecosystem, the projects that link them, and their networks.",
        docs_url=None,  # our own /docs below: FastAPI's loads Swagger UI from a CDN
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.store = store if store is not None else open_store(settings)
    app.state.precompute = None

    @app.exception_handler(NotFound)
    async def not_found(request: Request, exc: NotFound) -> Response:
        return error_response(request, 404, "not found", str(exc))

    @app.exception_handler(InvalidInput)
    async def invalid(request: Request, exc: InvalidInput) -> Response:
        return error_response(request, 422, "invalid request", str(exc))

    @app.exception_handler(Computing)
    async def computing(request: Request, exc: Computing) -> Response:
        response = error_response(request, 202, "still computing", str(exc))
        response.headers["Retry-After"] = str(RETRY_AFTER_S)
        return response

    @app.exception_handler(StoreUnavailable)
    async def unavailable(request: Request, exc: StoreUnavailable) -> Response:
        return error_response(request, 503, "store unavailable", str(exc))

    @app.exception_handler(ToolUnavailable)
    async def tool_unavailable(request: Request, exc: ToolUnavailable) -> Response:
        return error_response(request, 503, "not available on this server", str(exc))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        # Starlette's own answers (no such route, method not allowed) in the same shape as ours.
        response = error_response(
            request, exc.status_code, "not found" if exc.status_code == 404 else "error", str(exc.detail)
        )
        for name, value in (exc.headers or {}).items():
            response.headers[name] = value
        if exc.status_code == 405:
            # Starlette names only the first route on the path; a path may have one route per method.
            response.headers["Allow"] = ", ".join(allowed_methods(app, request.scope))
        return response

    @app.exception_handler(RequestValidationError)
    async def invalid_parameters(request: Request, exc: RequestValidationError) -> Response:
        # A page answers with a page (as for every other error); the API keeps FastAPI's list of fields.
        if _html_path(request.url.path):
            errs = exc.errors()
            where = ", ".join(".".join(str(x) for x in e.get("loc", ())[1:]) for e in errs[:3])
            return error_response(request, 422, "invalid request", f"invalid parameter(s): {where}")
        return JSONResponse(status_code=422, content={"detail": jsonable_encoder(exc.errors())})

    @app.exception_handler(ValidationError)
    async def refused_record(request: Request, exc: ValidationError) -> Response:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"]) or "(record)"
        detail = (
            f"a stored record is refused by the model ({exc.title} {where}: {err['msg']}): "
            "'innograph db check' names it and 'innograph db repair' fixes it"
        )
        return error_response(request, 503, "store needs repair", detail)

    @app.middleware("http")
    async def security_headers(request: Request, call_next: Any) -> Response:
        # One place for every HTML answer (views, the county report, error pages, pages added later):
        # the same Content-Security-Policy, nosniff and referrer policy; nosniff on every answer.
        response: Response = await call_next(request)
        if response.headers.get("content-type", "").startswith("text/html"):
            for name, value in HEADERS.items():
                response.headers[name] = value
        else:
            response.headers.setdefault("X-Content-Type-Options", "nosniff")
        return response

    @app.middleware("http")
    async def refuse_control_characters(request: Request, call_next: Any) -> Response:
        # No name, id or theme contains a control character; refusing them here keeps them out of
        # every query, file and spreadsheet the API writes (openpyxl raises on them, for one).
        for name, value in request.query_params.multi_items():
            if _CONTROL.search(name) or _CONTROL.search(value):
                return error_response(
                    request, 422, "invalid request", f"parameter {name!r} contains a control character"
                )
        response: Response = await call_next(request)
        return response

    add_docs(app)
    app.openapi = lambda: conforming_openapi(app)  # type: ignore[method-assign]

    import api.routes as pkg

    # Each module in api/routes exposes `router`; features add modules without touching this file.
    for mod in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"api.routes.{mod.name}")
        router = getattr(module, "router", None)
        if router is not None:
            app.include_router(router, responses=ERROR_RESPONSES)
    return app
