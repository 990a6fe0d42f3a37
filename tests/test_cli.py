"""The command line as a user runs it: real subprocesses for exit codes and messages, CliRunner for help."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from api.cli import cli

IG = [sys.executable, "-m", "api"]


def run(*args: str, db: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*IG, *args, "--db", str(db)], capture_output=True, text=True, timeout=60)


def test_ingest_stats_actor_roundtrip(tmp_path: Path) -> None:
    db = tmp_path / "g.db"
    assert run("ingest", "registry", db=db).returncode == 0
    stats = json.loads(run("stats", "--json", db=db).stdout)
    assert (stats["actors"], stats["projects"], stats["participations"]) == (17, 2, 17)
    assert stats["actors_by_county"]["10"] == 7
    found = json.loads(run("actors", "Hogskola", "--json", db=db).stdout)
    assert [a["id"] for a in found] == ["se:blekinge-tekniska-hogskola"]
    detail = json.loads(run("actor", "se:region-blekinge", "--json", db=db).stdout)
    assert detail["projects"][0]["role"] == "project_owner"
    assert len(detail["partners"]) == 6
    assert any(s["file"] == "seeds/003_495ec228f3af385d.txt" for s in detail["actor"]["sources"])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("actor", "nope:missing"), "no actor 'nope:missing'"),
        (("ingest", "registry", "/nonexistent/registry.yaml"), "no such file"),
        (("actors", "--county", "99"), "unknown county code '99'"),
        (("project", "seed:nothing"), "no project 'seed:nothing'"),
    ],
)
def test_user_mistakes_give_one_line_and_nonzero_exit(
    tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    db = tmp_path / "g.db"
    run("ingest", "registry", db=db)
    r = run(*args, db=db)
    assert r.returncode == 1
    assert "Traceback" not in r.stderr
    assert r.stderr.strip().count("\n") == 0 and message in r.stderr


def test_store_in_missing_directory_is_a_clean_error(tmp_path: Path) -> None:
    r = run("stats", db=tmp_path / "no" / "such" / "dir.db")
    assert r.returncode == 1 and "does not exist" in r.stderr and "Traceback" not in r.stderr


def test_not_a_database_is_a_clean_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.db"
    bad.write_text("this is not sqlite\n" * 100)
    r = run("stats", db=bad)
    assert r.returncode == 1 and "Traceback" not in r.stderr, r.stderr


def _commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    out = []
    for name, cmd in group.commands.items():
        out.append((*prefix, name))
        if isinstance(cmd, click.Group):
            out.extend(_commands(cmd, (*prefix, name)))
    return out


@pytest.mark.parametrize("path", _commands(cli))
def test_every_command_has_help(path: tuple[str, ...]) -> None:
    r = CliRunner().invoke(cli, [*path, "--help"])
    assert r.exit_code == 0, r.output
    assert "Usage:" in r.output
    cmd: click.Command = cli
    for p in path:
        assert isinstance(cmd, click.Group)
        cmd = cmd.commands[p]
    assert cmd.help and len(cmd.help.strip()) > 20, f"{' '.join(path)} needs a help text"
