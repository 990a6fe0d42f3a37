"""Source commands: `innograph ingest interreg|cordis|csv PATH`, `innograph resolve --report`, `innograph fetch`."""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import click

from api.cli import Context, echo_json, pass_ctx, store_options
from api.commands.core import ingest_command
from graph.errors import InvalidInput
from graph.export import safe_cell
from ingest.resolve import Decision, explain_merges, load_aliases, name_problems, near_misses

ingest_interreg = ingest_command(
    "interreg",
    """Load Tillväxtverket's list of Swedish partners in Interreg 2021–2027 (the JSON file).

Projects are programme + project name; organisations are joined with actors already in the graph.

\b
Examples:
  innograph ingest interreg ../shared/data/interreg/swedish-partners-interreg-2021-2027.json
  innograph ingest interreg partners.json --json --db /tmp/g.db
""",
)


ingest_cordis = ingest_command(
    "cordis",
    """Load a CORDIS CSV download (Horizon 2020, Horizon Europe or FP7): the zip or its unzipped folder.

Needs project.csv and organization.csv; legalBasis.csv, topics.csv and euroSciVoc.csv add themes
when present. Organisations are joined by PIC, VAT and name with actors already in the graph.

\b
Examples:
  innograph ingest cordis cordis-h2020projects-csv.zip
  innograph ingest cordis ../shared/data/cordis/horizon-europe-2021-2024/ --json
""",
)


ingest_csv = ingest_command(
    "csv",
    """Load your own CSV files: a folder with actors.csv, projects.csv and participations.csv.

Comma-separated with a header (UTF-8 or Excel's Windows encoding); see docs/sources.md for the
columns. Participations may point at actors already in the graph by id, pic:… or orgnr:….

\b
Examples:
  innograph ingest csv ./my-region/
  innograph ingest csv ./cluster-members/ --json --db /tmp/g.db
""",
    metavar="FOLDER",
)


REPORT_COLUMNS = (
    "kind",
    "actor_id",
    "actor_name",
    "other_record",
    "other_name",
    "rule",
    "evidence",
    "score",
    "country",
)


@click.command("resolve")
@click.option("--report", is_flag=True, help="List the merges in the graph and the near-misses (CSV).")
@click.option(
    "--out", type=click.Path(path_type=Path, dir_okay=False), help="Write the CSV here (default stdout)."
)
@click.option("--country", multiple=True, help="Only actors of this country, e.g. SE (repeatable).")
@click.option("--no-near-misses", is_flag=True, help="Only the merges (faster on large graphs).")
@store_options
@pass_ctx
def resolve(
    ctx: Context, report: bool, out: Path | None, country: tuple[str, ...], no_near_misses: bool
) -> None:
    """Review entity resolution: every merge made (rule, evidence, score), near-misses and names to fix
    (a broken encoding no clean source repairs, an organisation no source names), as CSV.

    Confirm or reject a row by adding it to ingest/data/aliases.yaml (same: / different:); the
    decision applies on every later ingest.

    \b
    Examples:
      innograph resolve --report --out review.csv
      innograph resolve --report --country SE | less -S
    """
    if not report:
        raise InvalidInput("nothing to do: use 'innograph resolve --report [--out FILE.csv]'")
    aliases = load_aliases()
    wanted = {c.upper() for c in country}
    actors = [a for a in ctx.store.iter_actors() if not wanted or (a.country or "") in wanted]
    rows: list[Decision] = [d for a in actors for d in explain_merges(a, aliases)]
    merges = len(rows)
    if not no_near_misses:
        rows += near_misses(actors, aliases)
    flagged = name_problems(actors)
    rows += flagged
    stream = out.open("w", encoding="utf-8", newline="") if out else None
    try:
        w = csv.DictWriter(stream or sys.stdout, fieldnames=REPORT_COLUMNS, lineterminator="\n")
        w.writeheader()
        for d in rows:
            w.writerow({k: safe_cell(v) for k, v in d.row().items()})
    finally:
        if stream is not None:
            stream.close()
    by_rule: dict[str, int] = {}
    for d in rows[:merges]:
        by_rule[d.rule] = by_rule.get(d.rule, 0) + 1
    click.echo(
        f"{merges} merges ({', '.join(f'{k} {v}' for k, v in sorted(by_rule.items())) or 'none'}), "
        f"{len(rows) - merges - len(flagged)} near-misses, {len(flagged)} names to fix"
        + (f"; written to {out}" if out else ""),
        err=True,
    )


@click.group("fetch")
def fetch_group() -> None:
    """Download official source files (with resume, sha256 and date recorded beside the file)."""


@fetch_group.command("cordis")
@click.option(
    "--programme",
    type=click.Choice(["h2020", "horizon", "fp7"]),
    required=True,
    help="Which CORDIS download (URL from INNOGRAPH_CORDIS_URLS / settings).",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    help="Folder to download into (default <data dir>/downloads).",
)
@click.option("--url", help="Download from this URL instead of the configured one.")
@click.option("--retries", default=3, show_default=True, type=click.IntRange(0, 20))
@click.option("--json", "as_json", is_flag=True, help="Print what was pinned as JSON.")
@pass_ctx
def fetch_cordis(
    ctx: Context, programme: str, out: Path | None, url: str | None, retries: int, as_json: bool
) -> None:
    """Download a CORDIS projects zip; a broken transfer resumes where it stopped.

    Writes the zip and <zip>.json (URL, bytes, sha256, UTC date) into the folder; then load it with
    'innograph ingest cordis <zip>'.

    \b
    Examples:
      innograph fetch cordis --programme horizon
      innograph fetch cordis --programme h2020 --out ./downloads && innograph ingest cordis ./downloads/cordis-h2020projects-csv.zip
    """
    from ingest.fetch import fetch

    settings = ctx.settings
    source = url or settings.cordis_urls.get(programme)
    if not source:
        raise InvalidInput(f"no URL configured for {programme!r}: set INNOGRAPH_CORDIS_URLS or pass --url")
    pinned = fetch(source, out or settings.data_dir / "downloads", retries=retries)
    if as_json:
        echo_json(pinned.as_dict())
        return
    click.echo(
        f"{pinned.file}: {pinned.bytes} bytes, sha256 {pinned.sha256}"
        + (f" (resumed {pinned.resumed}x)" if pinned.resumed else "")
    )


def register(cli: click.Group) -> None:
    group = cli.commands
    for cmd in (ingest_interreg, ingest_cordis, ingest_csv):
        group["ingest"].add_command(cmd)  # type: ignore[attr-defined]
    cli.add_command(resolve)
    cli.add_command(fetch_group)
