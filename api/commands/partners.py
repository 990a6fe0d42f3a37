"""`innograph partners`: rank candidate partners for an EU call, one query or a JSONL batch."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, TextIO

import click

from api.cli import Context, echo_json, pass_ctx, store_options
from graph.errors import InnographError, InvalidInput
from graph.geo import COUNTIES
from graph.partners import PartnerResult, find, parse_query, partner_index


def batch_line(qid: Any, result: PartnerResult) -> dict[str, Any]:
    """One output line of batch mode."""
    return {
        "id": qid,
        "partners": [
            {
                "actor_id": c.actor_id,
                "name": c.name,
                "score": c.score,
                "reasons": c.reasons,
                "identifiers": c.identifiers,
                "country": c.country,
                "kind": c.kind,
            }
            for c in result.partners
        ],
        "unknown_members": result.unknown_members,
        "gaps": result.gaps.model_dump(mode="json"),
    }


def run_batch(ctx: Context, source: TextIO, top: int | None) -> tuple[int, int]:
    """Answer each JSON line; a malformed line is reported on stderr with its number. (answered, failed)."""
    store = ctx.store
    index = partner_index(store)
    ok = failed = 0
    for n, raw in enumerate(source, start=1):
        if not raw.strip():
            continue
        try:
            data = json.loads(raw)
            q = parse_query(data, f"line {n}")
            if top is not None:
                q = q.model_copy(update={"top": top})
            result = find(index, q, store)
        except json.JSONDecodeError as e:
            click.echo(f"innograph: line {n}: not JSON: {e.msg} (column {e.colno})", err=True)
            failed += 1
            continue
        except InnographError as e:
            click.echo(f"innograph: {e}", err=True)
            failed += 1
            continue
        click.echo(json.dumps(batch_line(data.get("id", n), result), ensure_ascii=False))
        ok += 1
    return ok, failed


def print_result(r: PartnerResult) -> None:
    if r.members:
        click.echo(
            "consortium: " + "; ".join(f"{m.name} ({m.actor_id}, {m.country or '-'})" for m in r.members)
        )
    if r.unknown_members:
        click.echo("unknown members (ignored): " + ", ".join(r.unknown_members))
    click.echo(f"{len(r.partners)} of {r.candidates_considered} candidates:")
    for rank, c in enumerate(r.partners, start=1):
        place = COUNTIES[c.county_code].short_name if c.county_code in COUNTIES else (c.country or "-")
        ids = ", ".join(f"{k} {v}" for k, v in c.identifiers.items())
        click.echo(
            f"{rank:3}. {c.score:.3f}  {c.name}  [{c.actor_id}; {c.kind}; {place}{'; ' + ids if ids else ''}]"
        )
        for reason in c.reasons:
            click.echo(f"        - {reason}")
    g = r.gaps
    if g.countries_needed or g.kinds_missing:
        click.echo(
            f"gaps: {g.countries_needed} more countr{'ies' if g.countries_needed != 1 else 'y'} "
            f"(has {', '.join(g.countries_present) or 'none'})"
            + (f"; missing kinds: {', '.join(g.kinds_missing)}" if g.kinds_missing else "")
        )
        for aid in g.cover:
            click.echo(f"  add {aid}: fills {', '.join(g.cover_fills.get(aid, []))}")
        if g.unfilled:
            click.echo("  not fillable from the candidates: " + ", ".join(g.unfilled))


@click.command()
@click.option("--with", "members", multiple=True, metavar="ID", help="A consortium member (repeatable).")
@click.option("--topic", default="", help="Free text of the call, topic codes allowed.")
@click.option("--topic-code", "topic_codes", multiple=True, help="A call topic code (repeatable).")
@click.option("--programme-part", "programme_parts", multiple=True, help="e.g. SC5, HORIZON.2.6.")
@click.option("--theme", "themes", multiple=True, help="A theme id, e.g. part:h2020:SC5.")
@click.option("--country", "countries", multiple=True, help="Only candidates from this country.")
@click.option(
    "--exclude-country", "exclude_countries", multiple=True, help="No candidates from this country."
)
@click.option("--min-countries", default=0, type=click.IntRange(0, 50), help="Distinct countries needed.")
@click.option("--kind", "kinds", multiple=True, help="A wanted kind: university, company, …, or sme.")
@click.option(
    "--favour-county", "favour_counties", multiple=True, help="SCB county code to favour, or south-sweden."
)
@click.option("--from", "year_from", type=int, default=None, help="Only projects started from this year.")
@click.option("--to", "year_to", type=int, default=None, help="Only projects started up to this year.")
@click.option("--top", default=None, type=click.IntRange(1, 500), help="Candidates to return (default 10).")
@click.option(
    "--queries",
    type=click.Path(path_type=Path, allow_dash=True),
    default=None,
    help="Batch mode: a JSONL file of queries ('-' for stdin); writes one JSON line per query.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the full result as JSON.")
@store_options
@pass_ctx
def partners(
    ctx: Context,
    members: tuple[str, ...],
    topic: str,
    topic_codes: tuple[str, ...],
    programme_parts: tuple[str, ...],
    themes: tuple[str, ...],
    countries: tuple[str, ...],
    exclude_countries: tuple[str, ...],
    min_countries: int,
    kinds: tuple[str, ...],
    favour_counties: tuple[str, ...],
    year_from: int | None,
    year_to: int | None,
    top: int | None,
    queries: Path | None,
    as_json: bool,
) -> None:
    """Find partners for an EU call: ranked candidates with reasons, and what the consortium lacks.

    Members are actor ids or any key they carry (cordis:PIC, pic:PIC, vat:…, orgnr:…) or a name;
    unknown members are reported and left out.

    \b
    Examples:
      innograph partners --with cordis:999993856 --topic "marine robotics for healthy oceans"
      innograph partners --with se:blekinge-tekniska-hogskola --with pic:999889872 \\
          --topic "5G edge computing" --min-countries 3 --kind sme --favour-county 10 --top 20
      innograph partners --with cordis:999993856 --programme-part SC5 --exclude-country SE --json
      innograph partners --queries calls.jsonl --top 10 > answers.jsonl

    \b
    A batch line: {"id": "call-1", "members": ["pic:999993856"], "topic": "…", "min_countries": 3,
                   "kinds": ["sme"], "countries": [], "exclude_countries": [], "favour_counties": ["10"]}
    """
    if queries is not None:
        if queries == Path("-"):
            ok, failed = run_batch(ctx, sys.stdin, top)
        else:
            if not queries.is_file():
                raise InvalidInput(f"--queries {queries}: no such file")
            with queries.open(encoding="utf-8") as f:
                ok, failed = run_batch(ctx, f, top)
        click.echo(f"{ok} queries answered, {failed} skipped", err=True)
        return
    if not members and not (topic or topic_codes or programme_parts or themes):
        raise InvalidInput("give at least one --with member or a --topic (see innograph partners --help)")
    q = parse_query(
        {
            "members": list(members),
            "topic": topic,
            "topic_codes": list(topic_codes),
            "programme_parts": list(programme_parts),
            "themes": list(themes),
            "countries": list(countries),
            "exclude_countries": list(exclude_countries),
            "min_countries": min_countries,
            "kinds": list(kinds),
            "favour_counties": list(favour_counties),
            "year_from": year_from,
            "year_to": year_to,
            "top": top or 10,
        },
        "options",
    )
    result = find(partner_index(ctx.store), q, ctx.store)
    if as_json:
        echo_json(result)
        return
    print_result(result)


def register(cli: click.Group) -> None:
    cli.add_command(partners)
