"""`innograph analyze centrality|brokerage|communities|isolated|counties|themes`: the network analyses.

Each command runs `graph.analysis.run_analysis` for a scope and prints a table, JSON (`--json`,
the result model as is) or CSV (`--csv`, the result's main list).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from api.cli import Context, echo_csv, echo_json, pass_ctx, scope_options, store_options
from graph.analysis import ANALYSES, Scope, run_analysis
from graph.errors import InvalidInput

HELP: dict[str, str] = {
    "centrality": "Degree, weighted degree, betweenness, PageRank and closeness of the scope's actors.",
    "brokerage": "Burt's constraint and effective size, and the partner ties that bridge counties and communities.",
    "communities": "Louvain communities that reach the scope, and how they line up with counties and themes.",
    "isolated": "Actors with no collaboration, only in-county partners, no EU project, weak links, closed S3 work.",
    "counties": "County × county shared projects and partner pairs, observed against a null model.",
    "themes": "Per S3 area, programme part and policy objective: the counties that take part and those missing.",
}


def _table(rows: list[list[Any]], header: list[str]) -> None:
    cells = [[str(h) for h in header], *[["" if v is None else str(v) for v in r] for r in rows]]
    widths = [min(max(len(r[i]) for r in cells), 48) for i in range(len(header))]
    widths[-1] = max(len(r[-1]) for r in cells)  # the last column (often a reason) is never cut
    for r in cells:
        click.echo("  ".join(v[:w].ljust(w) for v, w in zip(r, widths, strict=True)).rstrip())


def _main_list(name: str, result: Any) -> tuple[list[str], list[list[Any]]]:
    """The header and rows of the result's main list (what --csv and the table print)."""
    if name == "centrality":
        cols = ["actor_id", "name", "kind", "county_code", "country", "degree", "weighted_degree"]
        cols += ["betweenness", "pagerank", "closeness", "component_size"]
        return cols, [[getattr(r, c) for c in cols] for r in result.rows]
    if name == "brokerage":
        cols = ["actor_id", "name", "kind", "county_code", "degree", "constraint", "effective_size"]
        cols += ["bridges_counties", "bridges_communities"]
        return cols, [[getattr(r, c) for c in cols] for r in result.rows]
    if name == "communities":
        cols = ["id", "size", "scoped_members", "counties", "themes", "members_top"]
        return cols, [
            [
                c.id,
                c.size,
                c.scoped_members,
                " ".join(f"{k}:{v}" for k, v in c.counties.items()),
                " ".join(f"{k}:{v}" for k, v in list(c.themes.items())[:3]),
                "; ".join(m.name for m in c.members_top[:3]),
            ]
            for c in result.communities
        ]
    if name == "isolated":
        cols = ["list", "actor_id", "name", "kind", "county_code", "reason"]
        rows = []
        for key in result.counts:
            rows += [[key, i.actor_id, i.name, i.kind, i.county_code, i.reason] for i in getattr(result, key)]
        return cols, rows
    if name == "counties":
        cols = ["a", "b", "shared_projects", "expected_projects", "ratio_projects", "actor_pairs"]
        cols += ["expected_actor_pairs", "ratio_actor_pairs"]
        return cols, [[getattr(p, c) for c in cols] for p in result.pairs]
    cols = ["theme_id", "name", "kind", "projects", "actors", "counties_present", "counties_missing"]
    return cols, [
        [
            t.theme_id,
            t.name,
            t.kind,
            t.projects,
            t.actors,
            " ".join(t.counties_present),
            " ".join(t.counties_missing),
        ]
        for t in result.themes
    ]


def _print_human(name: str, result: Any) -> None:
    header, rows = _main_list(name, result)
    if name == "centrality":
        click.echo(result.betweenness.text)
    if name == "counties":
        _table(
            [
                [c.code, c.name, c.actors, c.projects, c.collaboration_projects, c.internal_actor_pairs]
                for c in result.counties
            ],
            ["code", "county", "actors", "projects", "with_all_members", "internal_pairs"],
        )
        click.echo("")
    if name == "isolated":
        click.echo("lists: " + ", ".join(f"{k} {v}" for k, v in result.counts.items()))
    if name == "communities":
        click.echo(
            f"{result.algorithm}, seed {result.seed}: modularity {result.modularity}, "
            f"{result.total_communities} communities ({result.singletons} singletons); "
            f"NMI with counties {result.nmi_counties}, with themes {result.nmi_themes}"
        )
    if header == ["list", "actor_id", "name", "kind", "county_code", "reason"]:
        rows = [[r[0], r[1], r[2], r[4], r[5]] for r in rows]
        header = ["list", "actor_id", "name", "county", "reason"]
    _table(rows, header)
    if name == "counties":
        click.echo(f"null model: {result.null_model}", err=True)
    if name == "brokerage":
        click.echo("")
        _table(
            [[e.a_group, e.b_group, e.a_name, e.b_name, e.weight] for e in result.county_bridges[:20]],
            ["county_a", "county_b", "actor_a", "actor_b", "shared_projects"],
        )


def _print_csv(name: str, result: Any) -> None:
    echo_csv(*_main_list(name, result))


def _make_command(name: str) -> click.Command:
    @click.command(name, help=None)
    @scope_options
    @click.option("--top", type=click.IntRange(1), help="Show only the first N of each list.")
    @click.option("--json", "as_json", is_flag=True, help="Print the whole result as JSON.")
    @click.option("--csv", "as_csv", is_flag=True, help="Print the main list as CSV.")
    @store_options
    @pass_ctx
    def command(
        ctx: Context,
        scope: Scope,
        top: int | None,
        as_json: bool,
        as_csv: bool,
    ) -> None:
        if as_json and as_csv:
            raise InvalidInput("choose one of --json and --csv")
        result = run_analysis(ctx.store, name, scope, top=top)
        if as_json:
            echo_json(result)
        elif as_csv:
            _print_csv(name, result)
        else:
            _print_human(name, result)

    command.help = (
        f"{HELP[name]}\n\n"
        "Scores are computed on the whole graph and reported for the scope: actors of the --county "
        "counties (default South Sweden: 06 07 08 09 10 12 13), and projects of --programme/--theme/--from/--to.\n\n"
        "\b\nExamples:\n"
        f"  innograph analyze {name}\n"
        f"  innograph analyze {name} --county 10 --top 20\n"
        f"  innograph analyze {name} --programme Interreg --from 2021 --json\n"
        f"  innograph analyze {name} --county all --csv > {name}.csv"
    )
    return command


COMMANDS: dict[str, click.Command] = {name: _make_command(name) for name in ANALYSES}


def register(cli: click.Group) -> None:
    group: Callable[..., Any] = cli.commands["analyze"]
    for cmd in COMMANDS.values():
        group.add_command(cmd)  # type: ignore[attr-defined]
