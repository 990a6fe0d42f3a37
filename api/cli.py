"""The `innograph` command line.

The top-level groups live here; commands live in `api/commands/*.py`, each module exposing
`register(cli)`, so that every feature adds its commands without touching the others.
Any `InnographError` becomes one line on stderr and exit status 1; usage mistakes exit 2 (click).
Anything else is a bug, but a user still gets one line (exit status 70) rather than a traceback;
INNOGRAPH_DEBUG=1 shows the traceback for whoever fixes it.
"""

from __future__ import annotations

import csv
import importlib
import io
import json
import os
import pkgutil
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import click
from pydantic import BaseModel, ValidationError

from graph.analysis.scope import YEAR_MAX, YEAR_MIN, Scope
from graph.errors import InnographError
from graph.settings import Settings
from graph.store import GraphStore, open_store

F = TypeVar("F", bound=Callable[..., Any])


class Context:
    """What every command gets: the settings (from the environment and options) and a lazily opened store."""

    def __init__(self) -> None:
        self.overrides: dict[str, Any] = {}
        self._store: GraphStore | None = None

    @property
    def settings(self) -> Settings:
        return Settings(**self.overrides)

    @property
    def store(self) -> GraphStore:
        if self._store is None:
            self._store = open_store(self.settings)
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.close()


pass_ctx = click.make_pass_decorator(Context, ensure=True)


def _set(name: str) -> Callable[[click.Context, click.Parameter, Any], Any]:
    def callback(ctx: click.Context, _param: click.Parameter, value: Any) -> Any:
        if value is not None:
            ctx.ensure_object(Context).overrides[name] = value
        return value

    return callback


def store_options(f: F) -> F:
    """`--db`, `--store`, `--neo4j-uri` on every command that touches the store (settings otherwise)."""
    f = click.option(
        "--neo4j-uri",
        callback=_set("neo4j_uri"),
        expose_value=False,
        is_eager=True,
        help="Bolt URI of the Neo4j store (INNOGRAPH_NEO4J_URI).",
    )(f)
    f = click.option(
        "--store",
        type=click.Choice(["sqlite", "neo4j"]),
        callback=_set("store"),
        expose_value=False,
        is_eager=True,
        help="Which store (INNOGRAPH_STORE, default sqlite).",
    )(f)
    f = click.option(
        "--db",
        type=click.Path(path_type=Path),
        callback=_set("db"),
        expose_value=False,
        is_eager=True,
        help="Embedded database file (INNOGRAPH_DB, default ./data/innograph.db).",
    )(f)
    return f


def scope_options(f: F) -> F:
    """`--county`, `--programme`, `--theme`, `--from`, `--to`, parsed into one `scope: Scope` argument.

    The one declaration of the scope options (analyze, export); `Scope.parse` reads them, so the CLI
    and the HTTP API (`api.deps.ScopeDep`) accept the same values.
    """
    import functools

    @functools.wraps(f)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        kwargs["scope"] = Scope.parse(
            kwargs.pop("county"),
            kwargs.pop("programme"),
            kwargs.pop("theme"),
            kwargs.pop("start_year"),
            kwargs.pop("end_year"),
        )
        return f(*args, **kwargs)

    year = click.IntRange(YEAR_MIN, YEAR_MAX)
    g: Any = wrapper
    g = click.option(
        "--to", "end_year", type=year, help="Only projects that started in or before this year."
    )(g)
    g = click.option(
        "--from", "start_year", type=year, help="Only projects that started in or after this year."
    )(g)
    g = click.option(
        "--theme", multiple=True, help="Only projects on this theme id, e.g. s3:blekinge:tech (repeatable)."
    )(g)
    g = click.option(
        "--programme", multiple=True, help='Only projects of this programme, e.g. "Interreg" (repeatable).'
    )(g)
    g = click.option(
        "--county",
        multiple=True,
        help="SCB county code (repeatable or comma-separated; default South Sweden: 06 07 08 09 10 12 13; "
        "'all' for every actor). A graph export is cut to the named counties' projects and partners.",
    )(g)
    return g


def to_jsonable(obj: Any) -> Any:
    if isinstance(obj, BaseModel):
        return obj.model_dump(mode="json")
    if isinstance(obj, dict):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [to_jsonable(v) for v in obj]
    return obj


def echo_json(obj: Any) -> None:
    click.echo(json.dumps(to_jsonable(obj), ensure_ascii=False, indent=2, sort_keys=False))


def echo_csv(header: Sequence[Any], rows: Iterable[Sequence[Any]]) -> None:
    """Print a table as CSV whose every cell is formula-safe (`graph.export.safe_row`): the output of
    `--csv` is opened in a spreadsheet, and a name "=HYPERLINK(…)" must stay text there."""
    from graph.export import safe_row

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(safe_row(header))
    w.writerows(safe_row(r) for r in rows)
    click.echo(buf.getvalue(), nl=False)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="innograph")
def cli() -> None:
    """innograph: the actors of a regional innovation ecosystem and the projects that link them.

    \b
    Start here:
      innograph demo                       build the store from the bundled registry and serve it
      innograph ingest registry            load the seed registry into ./data/innograph.db
      innograph stats --json               counts of actors, projects, participations
      innograph actors hogskola            search actors (accents optional)
      innograph actor se:region-blekinge   one actor with its projects and partners
      innograph serve --port 8000          the HTTP API and the network views

    Every command that reads or writes the graph takes --db PATH (or INNOGRAPH_DB).
    """


@cli.group()
def ingest() -> None:
    """Load a source into the graph (one transaction per source; re-running changes nothing).

    \b
    Examples:
      innograph ingest registry
      innograph ingest registry --db /tmp/g.db
    """


@cli.group()
def analyze() -> None:
    """Network analysis: brokers, isolated actors, cross-county links, theme gaps."""


@cli.group()
def export() -> None:
    """Export the graph and tables for Gephi, Excel and other tools."""


@cli.group()
def db() -> None:
    """Set up and inspect the store."""


def _register_commands() -> None:
    import api.commands as pkg

    for mod in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"api.commands.{mod.name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(cli)


_register_commands()


def main(argv: list[str] | None = None) -> None:
    """Console entry point: runs the CLI and turns domain errors into one clean line."""
    try:
        cli.main(args=argv, prog_name="innograph", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(1)
    except click.ClickException as e:
        e.show()
        sys.exit(e.exit_code)
    except InnographError as e:
        click.echo(f"innograph: error: {e}", err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)
    except OSError as e:
        click.echo(
            f"innograph: error: {e.strerror or e}: {getattr(e, 'filename', '') or ''}".rstrip(": "), err=True
        )
        sys.exit(1)
    except ValidationError as e:
        err = e.errors()[0]
        where = ".".join(str(p) for p in err["loc"]) or "(record)"
        click.echo(
            f"innograph: error: a record is refused by the model ({e.title} {where}: {err['msg']}); "
            "if it is stored, 'innograph db check' names it and 'innograph db repair' fixes it",
            err=True,
        )
        sys.exit(1)
    except MemoryError:
        click.echo("innograph: error: out of memory (is the input far larger than expected?)", err=True)
        sys.exit(1)
    except Exception as e:
        if os.environ.get("INNOGRAPH_DEBUG"):
            raise
        first = " ".join(str(e).split())[:300]
        click.echo(
            f"innograph: internal error: {type(e).__name__}: {first} "
            "(a bug: please report it; INNOGRAPH_DEBUG=1 shows the traceback)",
            err=True,
        )
        sys.exit(70)
