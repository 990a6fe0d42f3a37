"""`innograph funding`: EU money captured by the counties' actors, benchmarks and untapped programme parts.

`innograph funding` prints the totals of a scope (by county, programme, part, S3 area, year, role,
actor) as a table, `--json` (the `FundingResult` as is) or `--csv` (every total, one row each);
`funding benchmark` ranks all 21 counties per inhabitant; `funding untapped` lists the parts and
call-topic clusters where a county's S3 areas point but its actors capture little.
All numbers come from `graph.analysis.funding`, the same functions the API, page, report and XLSX use.
"""

from __future__ import annotations

from typing import Any

import click

from api.cli import Context, echo_csv, echo_json, pass_ctx, scope_options, store_options
from graph.analysis.funding import (
    BENCHMARK_COLUMNS,
    TOTAL_COLUMNS,
    benchmark,
    county_s3_areas,
    funding,
    funding_rows,
    store_facts,
    untapped,
)
from graph.analysis.scope import Scope
from graph.errors import InvalidInput
from graph.geo import COUNTIES, one_county
from graph.model import ActorKind


def _eur(x: float | None) -> str:
    return "" if x is None else f"{x:,.0f}"


def _print_totals(rows: list[list[Any]]) -> None:
    current = None
    for r in rows:
        if r[0] != current:
            current = r[0]
            click.echo(f"\n{current}:" if current != "total" else "total:")
            click.echo(f"  {'':44} {'EUR':>14} {'€/inhab.':>9} {'parts':>6} {'unknown':>8}")
        label = str(r[2])[:44]
        per = "" if r[4] is None else f"{r[4]:,.2f}"
        click.echo(f"  {label:44} {_eur(r[3]):>14} {per:>9} {r[5]:>6} {r[9]:>8.0%}")


@click.group("funding", invoke_without_command=True)
@scope_options
@click.option("--top", type=click.IntRange(1), default=25, show_default=True, help="Actors listed.")
@click.option("--json", "as_json", is_flag=True, help="Print the whole result as JSON.")
@click.option("--csv", "as_csv", is_flag=True, help="Print every total as CSV (one row per total).")
@store_options
@click.pass_context
def funding_cmd(
    click_ctx: click.Context,
    scope: Scope,
    top: int,
    as_json: bool,
    as_csv: bool,
) -> None:
    """EU money the scope's actors capture: by county, programme, part, S3 area, year, role and actor.

    Amounts in EUR (SEK at the ECB annual rate of the project's start year); every total says how
    many of its participations have no amount in the source (unknown share). A participation counts
    for the county its source places it in (CORDIS nutsCode, the Interreg row's county, the ERDF project's county when it runs in one), else its
    actor's county.

    \b
    Examples:
      innograph funding --county 10 --json
      innograph funding --county 10 --programme "Horizon Europe" --json
      innograph funding --county all --programme Interreg --csv > interreg.csv
      innograph funding benchmark --programme "Horizon Europe" --theme HORIZON.2.5
      innograph funding untapped --county 10
    """
    if click_ctx.invoked_subcommand is not None:
        return
    ctx = click_ctx.ensure_object(Context)
    if as_json and as_csv:
        raise InvalidInput("choose one of --json and --csv")
    facts, names = store_facts(ctx.store)
    result = funding(facts, scope, names, top=top)
    if as_json:
        echo_json(result)
        return
    rows = funding_rows(result)
    if as_csv:
        echo_csv(TOTAL_COLUMNS, rows)
        return
    _print_totals(rows)
    click.echo("")
    for programme_name, meaning in result.amounts.items():
        click.echo(f"{programme_name}: {meaning}", err=True)
    click.echo(result.not_covered, err=True)


@funding_cmd.command("benchmark")
@scope_options
@click.option("--no-universities", is_flag=True, help="Leave universities out (what the rest capture).")
@click.option(
    "--kind",
    "kinds",
    multiple=True,
    type=click.Choice([k.value for k in ActorKind]),
    help="Only actors of this kind, e.g. company (repeatable).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the whole result as JSON.")
@click.option("--csv", "as_csv", is_flag=True, help="Print the 21 counties as CSV.")
@store_options
@pass_ctx
def benchmark_cmd(
    ctx: Context,
    scope: Scope,
    no_universities: bool,
    kinds: tuple[str, ...],
    as_json: bool,
    as_csv: bool,
) -> None:
    """Each county per inhabitant against the Swedish median and every other county.

    --county picks the counties the sentences are written for (default South Sweden); the ranking
    and the median always use all 21 counties.

    \b
    Examples:
      innograph funding benchmark --programme "Horizon Europe" --theme HORIZON.2.5
      innograph funding benchmark --county 10 --no-universities --json
    """
    facts, names = store_facts(ctx.store)
    result = benchmark(facts, scope, names, exclude_universities=no_universities, kinds=kinds)
    if as_json:
        echo_json(result)
        return
    cols = list(BENCHMARK_COLUMNS)
    rows = [[getattr(r, c) for c in cols] for r in result.rows]
    if as_csv:
        echo_csv(cols, rows)
        return
    for line in result.lines:
        click.echo(line)
    click.echo("")
    for r in result.rows:
        click.echo(
            f"{r.rank:>3} {r.name:24} {_eur(r.eur):>14} € {r.per_inhabitant:>9,.2f} €/inh."
            f"  ×{r.ratio_to_median if r.ratio_to_median is not None else 0:.2f} median"
            f"  unknown {r.unknown_share:.0%}"
        )
    if result.by_kind:
        click.echo("\nper inhabitant by kind of actor (the Swedish median in brackets):")
        for k in result.by_kind:
            per = "  ".join(f"{COUNTIES[c].short_name} {v:,.2f}" for c, v in k.per_inhabitant.items())
            click.echo(f"  {k.kind:22} ({k.median_per_inhabitant:,.2f})  {per}")
    click.echo(result.not_covered, err=True)


@funding_cmd.command("untapped")
@click.option("--county", required=True, help="SCB county code, e.g. 10 (Blekinge).")
@click.option("--programme", multiple=True, help="Only projects of this programme (repeatable).")
@click.option("--from", "start_year", type=int, help="Only projects that start in or after this year.")
@click.option("--to", "end_year", type=int, help="Only projects that start in or before this year.")
@click.option(
    "--max-ratio",
    type=click.FloatRange(0),
    default=0.5,
    show_default=True,
    help="List parts where the county captures under this share of its population share.",
)
@click.option("--top", type=click.IntRange(1), default=15, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the whole result as JSON.")
@store_options
@pass_ctx
def untapped_cmd(
    ctx: Context,
    county: str,
    programme: tuple[str, ...],
    start_year: int | None,
    end_year: int | None,
    max_ratio: float,
    top: int,
    as_json: bool,
) -> None:
    """Programme parts and call-topic clusters on the county's S3 areas where its actors capture little.

    Each comes with the counties and actors elsewhere in Sweden that do capture it.

    \b
    Examples:
      innograph funding untapped --county 10
      innograph funding untapped --county 07 --programme "Horizon Europe" --json
    """
    county = one_county(county)
    scope = Scope.parse(["all"], programme, (), start_year, end_year)
    facts, names = store_facts(ctx.store)
    areas = county_s3_areas(ctx.store.themes(), county)
    result = untapped(facts, county, areas, scope, names, max_ratio=max_ratio, top=top)
    if as_json:
        echo_json(result)
        return
    click.echo(result.note)
    for r in result.rows:
        click.echo(
            f"\n{r.label} [{r.kind}] — {', '.join(r.s3_areas)}\n"
            f"  {result.county_name}: {_eur(r.county_eur)} € of an expected {_eur(r.expected_eur)} € "
            f"(×{r.ratio:.2f}); Sweden {_eur(r.sweden_eur)} €"
        )
        click.echo("  counties: " + "; ".join(f"{c.name} {_eur(c.eur)} €" for c in r.counties))
        click.echo("  actors:   " + "; ".join(f"{a.name} ({a.county}) {_eur(a.eur)} €" for a in r.actors))


def register(cli: click.Group) -> None:
    cli.add_command(funding_cmd)
