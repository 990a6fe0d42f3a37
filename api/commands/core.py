"""Foundation commands: ingest registry, stats, actors, actor, project, db init, serve, demo."""

from __future__ import annotations

import contextlib
import os
import threading
import time
from pathlib import Path
from typing import Any

import click

from api.background import DERIVE_FROM, spawn_derive
from api.cli import Context, echo_json, pass_ctx, store_options
from graph.detail import actor_detail, project_detail
from graph.errors import InvalidInput
from graph.geo import COUNTIES, county_codes
from graph.model import ActorKind
from graph.store import ActorFilter
from ingest.loaders import LOADERS
from ingest.pipeline import IngestReport, commit
from ingest.registry import default_path as default_registry_path


def print_report(report: IngestReport, as_json: bool) -> None:
    """The end-of-ingest summary: read, created, merged, skipped with reasons."""
    if as_json:
        echo_json(report.as_dict())
        return
    click.echo(
        f"{report.source}: read {report.rows_read} rows; actors {report.actors.created} created, "
        f"{report.actors.merged} merged; projects {report.projects.created} created, {report.projects.merged} merged; "
        f"participations {report.participations.created} created, {report.participations.merged} merged"
    )
    if report.resolved:
        click.echo(
            "  resolved to existing actors: "
            + ", ".join(f"{k} {v}" for k, v in sorted(report.resolved.items()))
        )
    if report.problems:
        skipped = sum(not p.kept for p in report.problems)
        kept = len(report.problems) - skipped
        click.echo(f"  skipped {skipped} rows, kept {kept} with a repair:", err=True)
        for p in report.problems[:50]:
            click.echo(f"    {p}", err=True)
        if len(report.problems) > 50:
            click.echo(f"    … and {len(report.problems) - 50} more (see --json)", err=True)


def run_ingest(
    ctx: Context, source: str, path: Path | None, as_json: bool, derive: bool = True
) -> IngestReport:
    if path is None:
        if source != "registry":
            raise InvalidInput(f"ingest {source} needs a PATH")
        path = default_registry_path()
    _mark_ingest(ctx)
    batch = LOADERS[source](path)
    report = commit(ctx.store, batch)
    print_report(report, as_json)
    if derive and ctx.store.stats().participations >= DERIVE_FROM:
        _spawn_derive(ctx)
    return report


INGEST_MARK = "ingest:running"


def _mark_ingest(ctx: Context) -> None:
    """Tell a `derive --after-ingest` waiting on the current version that a newer one is coming."""
    with contextlib.suppress(Exception):  # no schema yet: nothing is derived from it either
        ctx.store.write_derived(ctx.store.version(), INGEST_MARK, str(os.getpid()).encode())


def _spawn_derive(ctx: Context) -> None:
    """Build the new version's derived data in a detached process (`derive --after-ingest`).

    Detached, so the ingest returns at once; it waits a few seconds and gives way when another ingest
    follows, so a batch of ingests builds once, for the last version. A server started meanwhile follows
    its progress (`/health`) instead of computing the same again.
    """
    try:
        spawn_derive(ctx.settings, after_ingest=True)
    except OSError as e:
        click.echo(f"  derived data will be built on first use ({e})", err=True)
        return
    click.echo("  building derived data in the background (innograph derive; serve shows progress)", err=True)


def ingest_command(source: str, help_text: str, metavar: str = "PATH") -> click.Command:
    """`innograph ingest SOURCE PATH [--json]` for a loader in `ingest.loaders.LOADERS`.

    Every source's command is the same (load, resolve, one transaction, a summary); only the help differs.
    """

    @click.command(source, help=help_text)
    @click.argument("path", metavar=metavar, type=click.Path(path_type=Path))
    @click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
    @click.option("--no-derive", is_flag=True, help="Do not build derived data in the background afterwards.")
    @store_options
    @pass_ctx
    def command(ctx: Context, path: Path, as_json: bool, no_derive: bool) -> None:
        run_ingest(ctx, source, path, as_json, derive=not no_derive)

    return command


@click.command("registry")
@click.argument("path", required=False, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.option("--no-derive", is_flag=True, help="Do not build derived data in the background afterwards.")
@store_options
@pass_ctx
def ingest_registry(ctx: Context, path: Path | None, as_json: bool, no_derive: bool) -> None:
    """Load the bundled seed registry (or a registry YAML file of the same shape).

    \b
    Examples:
      innograph ingest registry
      innograph ingest registry my-registry.yaml --db /tmp/g.db
    """
    run_ingest(ctx, "registry", path, as_json, derive=not no_derive)


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@store_options
@pass_ctx
def stats(ctx: Context, as_json: bool) -> None:
    """Counts of actors (by kind, county, country), projects (by programme) and participations.

    \b
    Examples:
      innograph stats
      innograph stats --json | jq .actors
    """
    s = ctx.store.stats()
    if as_json:
        echo_json(s)
        return
    click.echo(
        f"actors {s.actors}  projects {s.projects}  participations {s.participations}  "
        f"counties {s.counties}  themes {s.themes}"
    )
    click.echo("actors by kind:    " + ", ".join(f"{k} {v}" for k, v in s.actors_by_kind.items()))
    click.echo(
        "actors by county:  "
        + ", ".join(
            f"{COUNTIES[k].short_name if k in COUNTIES else k} {v}" for k, v in s.actors_by_county.items()
        )
    )
    click.echo("projects by programme: " + ", ".join(f"{k} {v}" for k, v in s.projects_by_programme.items()))


@click.command()
@click.argument("query", required=False, default="")
@click.option("--county", multiple=True, help="SCB county code, e.g. 10 (repeatable).")
@click.option(
    "--kind", multiple=True, type=click.Choice([k.value for k in ActorKind]), help="Actor kind (repeatable)."
)
@click.option("--country", multiple=True, help="ISO country code, e.g. SE (repeatable).")
@click.option("--programme", multiple=True, help="Only actors in projects of this programme.")
@click.option("--theme", multiple=True, help="Only actors in projects on this theme id.")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 10000))
@click.option("--offset", default=0, type=click.IntRange(0))
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list of actors.")
@store_options
@pass_ctx
def actors(
    ctx: Context,
    query: str,
    county: tuple[str, ...],
    kind: tuple[str, ...],
    country: tuple[str, ...],
    programme: tuple[str, ...],
    theme: tuple[str, ...],
    limit: int,
    offset: int,
    as_json: bool,
) -> None:
    """Search actors by name or alias; accents and case do not matter ("hogskola" finds "Högskola").

    \b
    Examples:
      innograph actors blekinge
      innograph actors "science park" --county 06 --json
      innograph actors --kind university --country SE
    """
    flt = ActorFilter(
        county=county_codes(county, allow_all=False) or (),
        kind=tuple(ActorKind(k) for k in kind),
        country=tuple(c.upper() for c in country),
        programme=programme,
        theme=theme,
    )
    found, total = ctx.store.search_actors(query, flt, limit=limit, offset=offset)
    if as_json:
        echo_json(found)
        return
    for a in found:
        place = COUNTIES[a.county_code].short_name if a.county_code in COUNTIES else (a.country or "")
        click.echo(f"{a.id:45} {a.name[:50]:50} {a.kind.value:22} {place}")
    click.echo(f"({len(found)} of {total})", err=True)


@click.command()
@click.argument("key")
@click.option("--json", "as_json", is_flag=True, help="Print the actor, its projects and partners as JSON.")
@store_options
@pass_ctx
def actor(ctx: Context, key: str, as_json: bool) -> None:
    """Show one actor by id or by any identifier it carries (pic:…, cordis:…, vat:…, orgnr:…).

    \b
    Examples:
      innograph actor se:blekinge-tekniska-hogskola
      innograph actor pic:999589172 --json
    """
    d = actor_detail(ctx.store, key)
    if as_json:
        echo_json(d)
        return
    a = d.actor
    click.echo(f"{a.name}  ({a.id})")
    click.echo(
        f"  kind {a.kind.value}; country {a.country or '-'}; county {a.county_code or '-'}; "
        f"municipality {a.municipality or '-'}; city {a.city or '-'}"
    )
    ids = {k: v for k, v in (("pic", a.pic), ("vat", a.vat), ("orgnr", a.orgnr), ("website", a.website)) if v}
    if ids:
        click.echo("  " + "; ".join(f"{k} {v}" for k, v in ids.items()))
    if a.aliases:
        click.echo("  also known as: " + "; ".join(a.aliases))
    click.echo(
        "  sources: "
        + "; ".join(f"{s.source} {s.record}" + (f" ({s.file})" if s.file else "") for s in a.sources)
    )
    if a.part_of:
        click.echo(f"  part of: {a.part_of}")
    if d.units:
        click.echo(
            f"  units ({len(d.units)}, their projects counted here): " + "; ".join(u.name for u in d.units)
        )
    click.echo(f"  projects ({len(d.projects)}):")
    for r in d.projects:
        click.echo(f"    {r.project.id:40} {r.role.value:14} {r.project.programme:16} {r.project.title[:60]}")
    click.echo(f"  partners ({len(d.partners)}):")
    for p in d.partners[:30]:
        click.echo(f"    {p.id:40} {p.name[:50]:50} shared projects {p.shared_projects}")


@click.command()
@click.argument("project_id")
@click.option("--json", "as_json", is_flag=True)
@store_options
@pass_ctx
def project(ctx: Context, project_id: str, as_json: bool) -> None:
    """Show one project with its members.

    \b
    Example:
      innograph project seed:kickstart-s3
    """
    d = project_detail(ctx.store, project_id)
    if as_json:
        echo_json(d)
        return
    p = d.project
    click.echo(f"{p.title}  ({p.id})  {p.programme}  {p.start or '?'} – {p.end or '?'}")
    for m in d.members:
        click.echo(f"    {m.actor.id:45} {m.role.value:14} {m.actor.name}")


@click.command("init")
@store_options
@pass_ctx
def db_init(ctx: Context) -> None:
    """Create the schema (tables, or Neo4j constraints and indexes). Safe to run again.

    \b
    Examples:
      innograph db init --db ./data/innograph.db
      INNOGRAPH_STORE=neo4j innograph db init
    """
    ctx.store.init_schema()
    click.echo("schema ready")


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@store_options
@pass_ctx
def serve(ctx: Context, host: str, port: int) -> None:
    """Serve the HTTP API and the network views (FastAPI + uvicorn).

    \b
    Examples:
      innograph serve
      innograph serve --port 8080 --db /tmp/g.db
    """
    import uvicorn

    from api.app import create_app

    settings = ctx.settings
    app = create_app(settings, precompute=True)
    click.echo(
        f"innograph API on http://{host}:{port}/  (store: {settings.store}, "
        f"{settings.db_path if settings.store == 'sqlite' else settings.neo4j_uri})",
        err=True,
    )
    threading.Thread(target=_print_readiness, args=(app,), daemon=True).start()
    # The longest request line the schema allows (GET /calls with 200,000 characters of pasted topics,
    # percent-encoded: up to 12 bytes each) must reach the app, which answers it; h11's default of 16 KB
    # reset the connection (found by schemathesis on a real store).
    uvicorn.run(
        app, host=host, port=port, log_level="warning", h11_max_incomplete_event_size=MAX_REQUEST_HEAD
    )


MAX_REQUEST_HEAD = 4 * 1024 * 1024  # bytes of a request's line and headers


@click.command()
@click.option("--quiet", is_flag=True, help="Print only the summary line.")
@click.option("--after-ingest", is_flag=True, hidden=True, help="Wait for quiet; give way to a later ingest.")
@store_options
@pass_ctx
def derive(ctx: Context, quiet: bool, after_ingest: bool) -> None:
    """Build the derived data of the store's current version now: what `serve` precomputes.

    Analyses in the scopes the pages use, the actors' measures, county figures and reports, the partner
    index; kept beside the store (SQLite: the <db>.derived file), so every later process — `serve`,
    `analyze`, `partners`, `report` — reads it instead of computing it. Built once per version: running
    it again with nothing new only reads what is there.

    \b
    Examples:
      innograph derive --db ./data/innograph.db
    """
    from api.background import Precompute

    def step(i: int, n: int, name: str) -> None:
        if not quiet:
            click.echo(f"  [{i + 1}/{n}] {name}", err=True)

    store = ctx.store
    version = store.version()
    if after_ingest and not _quiet(store, version):
        return  # a later ingest's own derive builds the newer version
    threading.Thread(target=_exit_when_replaced, args=(ctx.settings, version), daemon=True).start()
    job = Precompute(store, on_step=step, lead=True, stop_on_refused=True)
    t = time.perf_counter()
    if not job.build(version):
        click.echo(
            f"store version {version} was replaced while building; the newer one is built apart", err=True
        )
        return
    p = job.progress()
    click.echo(
        f"derived data of store version {p.version}: {p.done} steps in {time.perf_counter() - t:.1f} s"
        + (f", {len(p.failed)} failed: {'; '.join(p.failed)}" if p.failed else ""),
        err=True,
    )
    slowest = sorted(job.step_seconds.items(), key=lambda kv: -kv[1])[:8]
    click.echo("  slowest steps: " + ", ".join(f"{name} {s:.1f} s" for name, s in slowest), err=True)


QUIET_S = 10.0


def _exit_when_replaced(settings: Any, version: int) -> None:
    """Stop this `derive` process as soon as a newer version is committed (mid-step too): its work
    would be for a version nobody will ask for, and the newer version's derive takes over."""
    from graph.store import open_store

    store = open_store(settings)  # its own connection: the build holds the other one
    failures = 0
    while True:
        time.sleep(1.0)
        try:
            replaced = store.version() != version
            if settings.store == "sqlite" and not Path(settings.db_path).exists():
                replaced = True  # the file was deleted: its open connection would read on, for nobody
            failures = 0
        except Exception:  # busy for a moment: look again; gone for a minute: stop
            failures += 1
            replaced = failures >= 60
        if replaced:
            click.echo(f"store version {version} was replaced or is gone: stopping", err=True)
            os._exit(0)


def _quiet(store: Any, version: int) -> bool:
    """After an ingest: False when within `QUIET_S` seconds another ingest started or committed, or
    another process (a server's own derive) took the build of this version."""
    from api.background import read_lease

    time.sleep(QUIET_S)
    if store.version() != version:
        return False
    lease = read_lease(store, version)
    if lease is not None and (lease.finished or lease.alive()):
        return False
    mark = store.read_derived(version, INGEST_MARK)
    if mark is None:
        return True
    try:
        os.kill(int(mark), 0)  # that ingest is still running: it starts its own derive when done
    except (ValueError, ProcessLookupError):
        return True
    except PermissionError:
        return False
    return False


def _print_readiness(app: Any) -> None:
    """One line per step while the derived data is built, then `ready` (what `GET /health` says)."""
    last = None
    while True:
        job = getattr(app.state, "precompute", None)
        p = job.progress() if job is not None else None
        if p is not None and p.version is not None:
            if p.ready:
                line = f"ready: true (store version {p.version}, derived data built in {p.seconds:.0f} s)"
                if p.failed:
                    line += f"; {len(p.failed)} steps failed and are computed on request"
            else:
                line = f"ready: false — computing {p.done}/{p.total}: {p.current or 'starting'}"
            if line != last and (p.ready or p.current):
                click.echo(line, err=True)
                last = line
        time.sleep(0.5)


@click.command()
@click.option(
    "--source",
    "sources",
    multiple=True,
    metavar="NAME=PATH",
    help="Also ingest this source, e.g. interreg=../shared/data/interreg/swedish-partners-interreg-2021-2027.json",
)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--no-serve", is_flag=True, help="Build the store and stop.")
@store_options
@pass_ctx
def demo(ctx: Context, sources: tuple[str, ...], host: str, port: int, no_serve: bool) -> None:
    """Build the store from the bundled registry plus any source files in the data directory, then serve it.

    Source files are picked up from <data dir>/sources/NAME/ (NAME a loader: cordis, interreg, csv, …)
    and from --source NAME=PATH.

    \b
    Examples:
      innograph demo
      innograph demo --source interreg=../shared/data/interreg/swedish-partners-interreg-2021-2027.json
    """
    settings = ctx.settings
    todo: list[tuple[str, Path | None]] = [("registry", None)]
    folder = settings.data_dir / "sources"
    if folder.is_dir():
        for sub in sorted(folder.iterdir()):
            if sub.is_dir() and sub.name in LOADERS:
                todo.extend((sub.name, p) for p in sorted(sub.iterdir()) if not p.name.startswith("."))
    for spec in sources:
        name, sep, where = spec.partition("=")
        if not sep or name not in LOADERS:
            raise InvalidInput(
                f"--source {spec!r}: expected NAME=PATH with NAME one of {', '.join(sorted(LOADERS))}"
            )
        todo.append((name, Path(where)))
    for name, path in todo:
        run_ingest(ctx, name, path, as_json=False, derive=False)  # serve builds it, with progress
    if not no_serve:
        ctx.close()
        click.get_current_context().invoke(serve, host=host, port=port)


def register(cli: click.Group) -> None:
    group = cli.commands
    group["ingest"].add_command(ingest_registry)  # type: ignore[attr-defined]
    group["db"].add_command(db_init)  # type: ignore[attr-defined]
    for cmd in (stats, actors, actor, project, serve, demo, derive):
        cli.add_command(cmd)
