"""The Swedish regional layer: `innograph ingest agencies PATH`, `innograph ingest erdf PATH`, and the
theme crosswalk as a table (`innograph crosswalk`)."""

from __future__ import annotations

import click

from api.cli import echo_json
from api.commands.core import ingest_command
from graph.crosswalk import crosswalk_table

ingest_agencies = ingest_command(
    "agencies",
    """Load SCB's register of state agencies as official identities (organisationsnummer).

Each agency with an org_nr becomes the actor se-org:<10 digits> or, when the graph already holds it
(Blekinge Tekniska Högskola from the registry, Linnéuniversitetet from Interreg), gives that actor its
orgnr and canonical name. Ended agencies with a known successor (Växjö universitet, Högskolan i
Kalmar → Linnéuniversitetet) become the successor's old names and numbers.

\b
Examples:
  innograph ingest agencies ../shared/data/sweden/myndighetsregister-scb.json
  innograph actor orgnr:202100-4011
""",
)


ingest_erdf = ingest_command(
    "erdf",
    """Load Regional Development Fund projects from Tillväxtverket's Projektbanken (JSON, CSV or XLSX).

One project per ärende-id (erdf:<id>), its owner (stödmottagare) as project_owner joined with the
actors already in the graph, granted SEK, thematic objective and priority axis as themes, and the
counties and municipalities where it runs as places. CSV/XLSX columns are found by name.

\b
Examples:
  innograph ingest erdf ../shared/data/sweden/erdf-2014-2020-projektbanken-2016-10.json
  innograph ingest erdf projektbanken-2021-2027.xlsx --json
""",
)


@click.command("crosswalk")
@click.option("--json", "as_json", is_flag=True, help="Print the table as JSON.")
@click.option("--programme", help="Only the terms of this programme, e.g. Interreg.")
def crosswalk(as_json: bool, programme: str | None) -> None:
    """The theme crosswalk: each programme term, the S3 area it maps onto, and why.

    Edit graph/data/crosswalk.yaml to change it.

    \b
    Examples:
      innograph crosswalk --programme ERDF
      innograph crosswalk --json > crosswalk.json
    """
    rows = [r for r in crosswalk_table() if programme is None or r.programme.lower() == programme.lower()]
    if as_json:
        echo_json(rows)
        return
    for r in rows:
        click.echo(f"{r.term_id:40} {r.s3_theme or '-':42} {r.reason}")


def register(cli: click.Group) -> None:
    group = cli.commands
    for cmd in (ingest_agencies, ingest_erdf):
        group["ingest"].add_command(cmd)  # type: ignore[attr-defined]
    cli.add_command(crosswalk)
