"""Export commands (`export graph`, `export tables`) and the county report (`report`)."""

from __future__ import annotations

from pathlib import Path

import click

from api.cli import Context, echo_json, pass_ctx, scope_options, store_options
from graph.analysis.scope import Scope
from graph.errors import InvalidInput
from graph.export import GRAPH_FORMATS, TABLE_FORMATS, build_graph_file, build_tables, write_csv
from viz.style import NODE_COLOURS


@click.command("graph")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(GRAPH_FORMATS),
    default="gexf",
    show_default=True,
    help="File format.",
)
@click.option("--out", required=True, type=click.Path(path_type=Path), help="File to write.")
@click.option("--bipartite", is_flag=True, help="The actor–project graph instead of the actor–actor graph.")
@scope_options
@store_options
@pass_ctx
def export_graph_cmd(
    ctx: Context,
    fmt: str,
    out: Path,
    bipartite: bool,
    scope: Scope,
) -> None:
    """Write the collaboration graph for Gephi, Cytoscape or networkx, with the analysis measures.

    Nodes carry name, kind, county, country, degree, betweenness, PageRank, constraint, community and
    isolation reasons; edges carry weight (shared projects). GEXF opens in Gephi coloured by kind and
    sized by PageRank. With no --county/--programme/--theme the whole graph is written.

    \b
    Examples:
      innograph export graph --format gexf --out south-sweden.gexf
      innograph export graph --format graphml --out blekinge.graphml --county 10
      innograph export graph --format json --out interreg.json --programme Interreg --bipartite
    """
    data, g = build_graph_file(ctx.store, scope, fmt, bipartite=bipartite, colours=NODE_COLOURS)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    click.echo(f"wrote {out}: {g.number_of_nodes()} nodes, {g.number_of_edges()} edges ({fmt})", err=True)


@click.command("tables")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(TABLE_FORMATS),
    default="xlsx",
    show_default=True,
    help="File format.",
)
@click.option(
    "--out",
    required=True,
    type=click.Path(path_type=Path),
    help="An .xlsx file, or a folder for the CSV files.",
)
@click.option(
    "--json", "as_json", is_flag=True, help="Print the sheets' names, columns and row counts as JSON."
)
@scope_options
@store_options
@pass_ctx
def export_tables_cmd(
    ctx: Context,
    fmt: str,
    out: Path,
    as_json: bool,
    scope: Scope,
) -> None:
    """Write actors, projects, participations and every analysis result as tables for Excel.

    One sheet (xlsx) or one CSV file (csv, --out is a folder) per table: actors, projects,
    participations, centrality, brokerage, isolated, county pairs with observed/expected, themes,
    communities. Analysis tables use the same scope as `innograph analyze … --county …`.

    \b
    Examples:
      innograph export tables --format xlsx --out innograph.xlsx
      innograph export tables --format csv --out tables/ --county 12
    """
    tables = build_tables(ctx.store, scope)
    if fmt == "xlsx":
        from graph.export import xlsx_bytes

        if out.is_dir():
            raise InvalidInput(f"--out {out} is a folder: give an .xlsx file name")
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(xlsx_bytes(tables))
    else:
        if out.exists() and not out.is_dir():
            raise InvalidInput(f"--out {out} is a file: CSV export writes one file per table into a folder")
        write_csv(tables, out)
    if as_json:
        echo_json([{"name": t.name, "columns": t.columns, "rows": len(t.rows)} for t in tables])
    else:
        click.echo(
            f"wrote {out}: " + ", ".join(f"{t.name} {len(t.rows)}" for t in tables),
            err=True,
        )


@click.command("report")
@click.option("--county", required=True, help="SCB county code, e.g. 12 (Skåne) or 10 (Blekinge).")
@click.option(
    "--lang", type=click.Choice(["en", "sv"]), default="en", show_default=True, help="Headings' language."
)
@click.option("--out", type=click.Path(path_type=Path), help="HTML file to write (default: stdout).")
@click.option(
    "--pdf", type=click.Path(path_type=Path), help="Also print the report to this PDF (headless Chromium)."
)
@click.option("--json", "as_json", is_flag=True, help="Print the report's figures as JSON instead of HTML.")
@store_options
@pass_ctx
def report_cmd(
    ctx: Context, county: str, lang: str, out: Path | None, pdf: Path | None, as_json: bool
) -> None:
    """A county report a strategist can mail or print: one self-contained HTML page with inline charts.

    Actors by kind, projects by programme and year, partner counties and countries, county-to-county
    observed/expected ratios, isolated actors and brokers, smart-specialisation themes against the
    programmes where the county takes part, and partner suggestions per theme.

    \b
    Examples:
      innograph report --county 12 --out skane.html
      innograph report --county 10 --lang sv --out blekinge.html --pdf blekinge.pdf
      innograph report --county 10 --json
    """
    from graph.report import county_report_cached
    from viz.report import render_html
    from viz.report.pdf import print_pdf

    report = county_report_cached(ctx.store, county)
    if as_json:
        echo_json(report)
        return
    html = render_html(report, lang)
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(html, encoding="utf-8")
        click.echo(f"wrote {out}", err=True)
    elif pdf is None:
        click.echo(html)
    if pdf is not None:
        print_pdf(html, pdf)
        click.echo(f"wrote {pdf}", err=True)


def register(cli: click.Group) -> None:
    group = cli.commands["export"]
    group.add_command(export_graph_cmd)  # type: ignore[attr-defined]
    group.add_command(export_tables_cmd)  # type: ignore[attr-defined]
    cli.add_command(report_cmd)
