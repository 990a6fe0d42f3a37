"""Exports (GEXF, GraphML, XLSX) and the county report over HTTP, streamed as downloads."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse, Response, StreamingResponse

from api.deps import StoreDep
from graph.export import MEDIA_TYPES, Selection, build_graph_file, build_tables, xlsx_bytes

router = APIRouter(tags=["export"])
CHUNK = 64 * 1024

CountyQ = Annotated[list[str] | None, Query(description="SCB county code, e.g. 10 (repeatable)")]
ProgrammeQ = Annotated[list[str] | None, Query(description='programme, e.g. "Interreg" (repeatable)')]
ThemeQ = Annotated[list[str] | None, Query(description="theme id, e.g. s3:blekinge:tech (repeatable)")]
FromQ = Annotated[int | None, Query(alias="from", ge=1900, le=2100, description="first start year")]
ToQ = Annotated[int | None, Query(alias="to", ge=1900, le=2100, description="last start year")]


def _selection(
    county: list[str] | None,
    programme: list[str] | None,
    theme: list[str] | None,
    start: int | None,
    end: int | None,
) -> Selection:
    return Selection.from_options(county or (), programme or (), theme or (), start, end)


def _filename(stem: str, sel: Selection, ext: str) -> str:
    parts = [stem, *sel.counties, *(["all"] if sel.all_counties else [])]
    if sel.programme:
        parts.append("-".join(p.lower().replace(" ", "") for p in sel.programme))
    if sel.start_year or sel.end_year:
        parts.append(f"{sel.start_year or ''}_{sel.end_year or ''}")
    safe = "-".join(parts)
    return "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in safe)[:120] + "." + ext


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


def _graph(
    store: StoreDep,
    fmt: str,
    county: list[str] | None,
    programme: list[str] | None,
    theme: list[str] | None,
    start: int | None,
    end: int | None,
    bipartite: bool,
) -> StreamingResponse:
    sel = _selection(county, programme, theme, start, end)
    data, _ = build_graph_file(store, sel, fmt, bipartite=bipartite)
    stem = "innograph-bipartite" if bipartite else "innograph-graph"
    return _download(data, MEDIA_TYPES[fmt], _filename(stem, sel, fmt))


@router.get("/export/graph.gexf", response_class=StreamingResponse)
def export_gexf(
    store: StoreDep,
    county: CountyQ = None,
    programme: ProgrammeQ = None,
    theme: ThemeQ = None,
    start: FromQ = None,
    end: ToQ = None,
    bipartite: bool = False,
) -> StreamingResponse:
    """The collaboration graph as GEXF for Gephi (colour by kind, size by PageRank), with the measures."""
    return _graph(store, "gexf", county, programme, theme, start, end, bipartite)


@router.get("/export/graph.graphml", response_class=StreamingResponse)
def export_graphml(
    store: StoreDep,
    county: CountyQ = None,
    programme: ProgrammeQ = None,
    theme: ThemeQ = None,
    start: FromQ = None,
    end: ToQ = None,
    bipartite: bool = False,
) -> StreamingResponse:
    """The collaboration graph as GraphML, with the measures on each node."""
    return _graph(store, "graphml", county, programme, theme, start, end, bipartite)


@router.get("/export/tables.xlsx", response_class=StreamingResponse)
def export_xlsx(
    store: StoreDep,
    county: CountyQ = None,
    programme: ProgrammeQ = None,
    theme: ThemeQ = None,
    start: FromQ = None,
    end: ToQ = None,
) -> StreamingResponse:
    """Actors, projects, participations and every analysis result, one sheet each."""
    sel = _selection(county, programme, theme, start, end)
    data = xlsx_bytes(build_tables(store, sel))
    return _download(data, MEDIA_TYPES["xlsx"], _filename("innograph-tables", sel, "xlsx"))


@router.get("/reports/county/{code}", response_class=HTMLResponse, tags=["reports"])
def county_report_page(
    code: str,
    store: StoreDep,
    lang: Literal["en", "sv"] = "en",
    format: Literal["html", "pdf", "json"] = "html",
) -> Response:
    """The county report: a self-contained HTML page (or its PDF, or its figures as JSON)."""
    from viz.report import county_report, pdf_bytes, render_html

    report = county_report(store, code)
    if format == "json":
        return Response(report.model_dump_json(indent=2), media_type="application/json")
    html = render_html(report, lang)
    if format == "pdf":
        return _download(pdf_bytes(html), "application/pdf", f"innograph-report-{report.code}-{lang}.pdf")
    return HTMLResponse(html)
