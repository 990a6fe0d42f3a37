"""Source commands: `innograph ingest interreg|cordis|csv PATH`, `innograph resolve --report`, `innograph fetch`."""

from __future__ import annotations

from pathlib import Path

import click

from api.cli import Context, pass_ctx, store_options
from api.commands.core import run_ingest


@click.command("interreg")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@store_options
@pass_ctx
def ingest_interreg(ctx: Context, path: Path, as_json: bool) -> None:
    """Load Tillväxtverket's list of Swedish partners in Interreg 2021–2027 (the JSON file).

    Projects are programme + project name; organisations are joined with actors already in the graph.

    \b
    Examples:
      innograph ingest interreg ../shared/data/interreg/swedish-partners-interreg-2021-2027.json
      innograph ingest interreg partners.json --json --db /tmp/g.db
    """
    run_ingest(ctx, "interreg", path, as_json)


@click.command("cordis")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@store_options
@pass_ctx
def ingest_cordis(ctx: Context, path: Path, as_json: bool) -> None:
    """Load a CORDIS CSV download (Horizon 2020, Horizon Europe or FP7): the zip or its unzipped folder.

    Needs project.csv and organization.csv; legalBasis.csv, topics.csv and euroSciVoc.csv add themes
    when present. Organisations are joined by PIC, VAT and name with actors already in the graph.

    \b
    Examples:
      innograph ingest cordis cordis-h2020projects-csv.zip
      innograph ingest cordis ../shared/data/cordis/horizon-europe-2021-2024/ --json
    """
    run_ingest(ctx, "cordis", path, as_json)


@click.command("csv")
@click.argument("folder", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@store_options
@pass_ctx
def ingest_csv(ctx: Context, folder: Path, as_json: bool) -> None:
    """Load your own CSV files: a folder with actors.csv, projects.csv and participations.csv.

    Comma-separated with a header (UTF-8 or Excel's Windows encoding); see docs/sources.md for the
    columns. Participations may point at actors already in the graph by id, pic:… or orgnr:….

    \b
    Examples:
      innograph ingest csv ./my-region/
      innograph ingest csv ./cluster-members/ --json --db /tmp/g.db
    """
    run_ingest(ctx, "csv", folder, as_json)


def register(cli: click.Group) -> None:
    group = cli.commands
    for cmd in (ingest_interreg, ingest_cordis, ingest_csv):
        group["ingest"].add_command(cmd)  # type: ignore[attr-defined]
