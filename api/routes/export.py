"""Exports (GEXF, GraphML, XLSX) and the county report over HTTP, streamed as downloads."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response, StreamingResponse

from api.background import WAIT_S, wait_for
from api.deps import ScopeDep, StoreDep
from graph.analysis.scope import Scope
from graph.export import MEDIA_TYPES, export_bytes
from graph.store.base import GraphStore
from viz.style import NODE_COLOURS

router = APIRouter(tags=["export"])
CHUNK = 64 * 1024


def _filename(stem: str, sel: Scope, ext: str) -> str:
    parts = [stem, *sel.graph_counties, *(["all"] if sel.counties_named and not sel.counties else [])]
    if sel.programme:
        parts.append("-".join(p.lower().replace(" ", "") for p in sel.programme))
    if sel.start_year or sel.end_year:
        parts.append(f"{sel.start_year or ''}_{sel.end_year or ''}")
    safe = "-".join(parts)
    # ASCII only: a header is Latin-1, and a programme named "Ā" must not make the download a 500
    return (
        "".join(ch if (ch.isascii() and ch.isalnum()) or ch in "-_" else "_" for ch in safe)[:120] + "." + ext
    )


def _chunks(data: bytes) -> Iterator[bytes]:
    for i in range(0, len(data), CHUNK):
        yield data[i : i + CHUNK]


def _download(data: bytes, media_type: str, filename: str) -> StreamingResponse:
    return StreamingResponse(
        _chunks(data),
        media_type=media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Content-Length": str(len(data)),
        },
    )


def export_file(store: GraphStore, kind: str, sel: Scope, bipartite: bool = False) -> bytes:
    """A download's bytes: `graph.export.export_bytes` with the views' palette (`viz.style.NODE_COLOURS`)
    drawn into a GEXF, as the precompute (`api.background.steps`) builds them ahead of the request."""
    return export_bytes(store, kind, sel, bipartite, colours=NODE_COLOURS)


def _capped(store: GraphStore, kind: str, sel: Scope, bipartite: bool = False) -> bytes:
    """`export_file`, never longer than the analysis pages wait: after `WAIT_S` the answer is 202 with
    Retry-After while the file is built in the background."""
    return wait_for(
        ("export", store.identity(), store.version(), kind, repr(sel), sel.graph_counties, bipartite),
        lambda: export_file(store, kind, sel, bipartite),
        WAIT_S,
        f"the {kind} export",
    )


def _graph(store: StoreDep, fmt: str, sel: Scope, bipartite: bool) -> StreamingResponse:
    data = _capped(store, fmt, sel, bipartite)
    stem = "innograph-bipartite" if bipartite else "innograph-graph"
    return _download(data, MEDIA_TYPES[fmt], _filename(stem, sel, fmt))


@router.get("/export/graph.gexf", response_class=StreamingResponse)
def export_gexf(
    store: StoreDep,
    scope: ScopeDep,
    bipartite: bool = False,
) -> StreamingResponse:
    """The collaboration graph as GEXF for Gephi (colour by kind, size by PageRank), with the measures."""
    return _graph(store, "gexf", scope, bipartite)


@router.get("/export/graph.graphml", response_class=StreamingResponse)
def export_graphml(
    store: StoreDep,
    scope: ScopeDep,
    bipartite: bool = False,
) -> StreamingResponse:
    """The collaboration graph as GraphML, with the measures on each node."""
    return _graph(store, "graphml", scope, bipartite)


@router.get("/export/tables.xlsx", response_class=StreamingResponse)
def export_xlsx(
    store: StoreDep,
    scope: ScopeDep,
) -> StreamingResponse:
    """Actors, projects, participations and every analysis result, one sheet each."""
    data = _capped(store, "xlsx", scope)
    return _download(data, MEDIA_TYPES["xlsx"], _filename("innograph-tables", scope, "xlsx"))


@router.get("/reports/county/{code}", response_class=HTMLResponse, tags=["reports"])
def county_report_page(
    code: str,
    store: StoreDep,
    lang: Literal["en", "sv"] = "en",
    format: Literal["html", "pdf", "json"] = "html",
) -> Response:
    """The county report: a self-contained HTML page (or its PDF, or its figures as JSON)."""
    from graph.report import check_county, county_report_cached
    from viz.report import render_html
    from viz.report.pdf import pdf_bytes

    code = check_county(code)
    report = wait_for(
        ("report", store.identity(), store.version(), code),
        lambda: county_report_cached(store, code),
        WAIT_S,
        "the county report",
    )
    if format == "json":
        return Response(report.model_dump_json(indent=2), media_type="application/json")
    html = render_html(report, lang)
    if format == "pdf":
        return _download(pdf_bytes(html), "application/pdf", f"innograph-report-{report.code}-{lang}.pdf")
    return HTMLResponse(html)
