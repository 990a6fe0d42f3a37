"""`innograph calls match CALLS`: call topics matched to the region's actors, or the topics for one actor."""

from __future__ import annotations

from pathlib import Path

import click

from api.cli import Context, echo_json, pass_ctx, store_options
from graph.calls import CallsResult, read_calls, run_calls


def print_calls(r: CallsResult) -> None:
    click.echo(f"{len(r.topics)} of {r.calls_read} call topics fit ({', '.join(r.region)}):")
    for n, t in enumerate(r.topics, start=1):
        click.echo(
            f"{n:3}. {t.fit:.2f}  {t.code}  {t.title}" + (f"  (deadline {t.deadline})" if t.deadline else "")
        )
        for a in t.actors:
            click.echo(f"        {a.name} [{a.actor_id}; {a.kind}; {a.county or '-'}] fit {a.fit:.2f}")
            for e in a.evidence:
                click.echo(f"          - {e}")
        if t.partners:
            click.echo("        partners to complete the consortium:")
            for p in t.partners:
                click.echo(f"          + {p.name} [{p.actor_id}; {p.country or '-'}; {p.kind}]: {p.reason}")
    click.echo(r.note)


@click.group()
def calls() -> None:
    """Call topics matched to the region's actors."""


@calls.command("match")
@click.argument("calls_file", metavar="CALLS", type=click.Path(path_type=Path))
@click.option(
    "--county", "counties", multiple=True, help="SCB county code (repeatable); default: South Sweden."
)
@click.option("--actor", default=None, metavar="ID", help="The topics that fit this actor (id, key or name).")
@click.option("--top", default=20, type=click.IntRange(1, 500), help="Topics to list.")
@click.option("--partners", default=3, type=click.IntRange(0, 20), help="Partners per topic (0: none).")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@store_options
@pass_ctx
def match(
    ctx: Context,
    calls_file: Path,
    counties: tuple[str, ...],
    actor: str | None,
    top: int,
    partners: int,
    as_json: bool,
) -> None:
    """Rank, per call topic in CALLS, the region's actors whose past work fits it, with evidence.

    CALLS is a CSV or JSONL file with a topic code, title, description and deadline (the Funding &
    Tenders topic export, or CORDIS topics.csv). Each topic lists the fitting actors and partners from
    other countries that would complete a consortium around them.

    \b
    Examples:
      innograph calls match ../shared/data/cordis/horizon-europe-2021-2024/topics.csv --county 10
      innograph calls match topics.csv --actor se:blekinge-tekniska-hogskola --json
    """
    result = run_calls(ctx.store, read_calls(calls_file), list(counties), actor, top, partners)
    if as_json:
        echo_json(result)
    else:
        print_calls(result)


def register(cli: click.Group) -> None:
    cli.add_command(calls)
