"""`innograph db check` and `innograph db repair`: stored records the model refuses on read (see graph.repair)."""

from __future__ import annotations

import sys

import click
from pydantic import BaseModel

from api.cli import Context, echo_json, pass_ctx, store_options
from graph.repair import Finding, inspect
from graph.store import GraphStore

_SHOWN = 50


def _report(findings: list[Finding], checked: int, as_json: bool, verb: str) -> None:
    if as_json:
        echo_json(
            {
                "checked": checked,
                "findings": len(findings),
                "not_repairable": sum(not f.repairable for f in findings),
                verb: [str(f) for f in findings],
            }
        )
        return
    for f in findings[:_SHOWN]:
        click.echo(f"  {f}")
    if len(findings) > _SHOWN:
        click.echo(f"  … and {len(findings) - _SHOWN} more (see --json)")


def _scan(store: GraphStore) -> tuple[int, list[Finding], dict[str, list[BaseModel]]]:
    return inspect(store.raw_records())


@click.command("check")
@click.option("--json", "as_json", is_flag=True, help="Print the findings as JSON.")
@store_options
@pass_ctx
def db_check(ctx: Context, as_json: bool) -> None:
    """Report every stored record the model refuses on read (exit status 1 when there is one).

    Such a record (an infinite amount stored as null, an over-long id, control characters written by an
    older version or another tool) makes reads of it fail; 'innograph db repair' fixes it.

    \b
    Examples:
      innograph db check
      innograph db check --json --db /tmp/g.db
    """
    checked, findings, _fixed = _scan(ctx.store)
    _report(findings, checked, as_json, "findings_list")
    if not as_json:
        bad = sum(not f.repairable for f in findings)
        click.echo(
            f"checked {checked} records: {len(findings)} to repair"
            + (f", {bad} not repairable" if bad else "")
            + ("; run 'innograph db repair'" if findings else ""),
            err=bool(findings),
        )
    if findings:
        sys.exit(1)


@click.command("repair")
@click.option("--json", "as_json", is_flag=True, help="Print what was repaired as JSON.")
@store_options
@pass_ctx
def db_repair(ctx: Context, as_json: bool) -> None:
    """Fix the records 'db check' reports, keeping every value the model accepts (one transaction).

    A refused value is dropped (a non-finite amount, a bad optional field) or replaced by a stand-in
    (a missing name by the id); the rest of the record is kept. Running it again changes nothing.

    \b
    Examples:
      innograph db repair
      innograph db repair --db /tmp/g.db --json
    """
    store = ctx.store
    checked, findings, fixed = _scan(store)
    if any(fixed.values()):
        with store.writer() as w:
            w.upsert_counties(fixed["county"])  # type: ignore[arg-type]
            w.upsert_themes(fixed["theme"])  # type: ignore[arg-type]
            w.upsert_actors(fixed["actor"])  # type: ignore[arg-type]
            w.upsert_projects(fixed["project"])  # type: ignore[arg-type]
            w.upsert_participations(fixed["participation"])  # type: ignore[arg-type]
    _report(findings, checked, as_json, "repaired_list")
    repaired = sum(len(v) for v in fixed.values())
    bad = [f for f in findings if not f.repairable]
    if not as_json:
        click.echo(
            f"checked {checked} records: repaired {repaired}"
            + (f"; {len(bad)} not repairable (listed above)" if bad else "")
        )
    if bad:
        sys.exit(1)


def register(cli: click.Group) -> None:
    group = cli.commands["db"]
    group.add_command(db_check)  # type: ignore[attr-defined]
    group.add_command(db_repair)  # type: ignore[attr-defined]
