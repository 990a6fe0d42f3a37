"""A real Bolt server for the tests: ArcadeDB from the `arcadedb-embedded` wheel (server, Bolt plugin, JRE).

`arcadedb` is a session fixture: one server per test session on free loopback ports, its data in a
temporary directory, a bounded wait for readiness, and always stopped at the end (also when tests
fail). It serves two databases: `innograph` (the tests create the schema) and `bare` (never
initialised, for the missing-schema error). Skipped with the reason when the wheel is not installed.
See ../shared/ENVIRONMENT.md for the start command this follows.
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from api_server import free_port

PASSWORD = "test-password-1"  # ArcadeDB wants at least 8 characters
START_TIMEOUT_S = 60


@dataclass(frozen=True)
class BoltServer:
    uri: str
    user: str
    password: str
    database: str
    bare_database: str
    log: Path


def _accepts(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def start_arcadedb(
    root: Path, databases: tuple[str, ...] = ("innograph", "bare"), heap: str = "1g"
) -> tuple[subprocess.Popen[bytes], BoltServer]:
    """Start the server under `root`; returns once Bolt accepts connections (or raises after the timeout).

    The first of `databases` is the `BoltServer.database`, the last its `bare_database`.
    """
    try:
        import arcadedb_embedded
    except ImportError:
        pytest.skip(
            "arcadedb-embedded is not installed (pip install -e '.[dev]'): no Bolt server to test against"
        )
    home = Path(os.path.dirname(arcadedb_embedded.__file__))
    bolt, http = free_port(), free_port()
    root.mkdir(parents=True, exist_ok=True)
    log = root / "server.log"
    cmd = [
        str(home / "jre" / "bin" / "java"),
        f"-Xmx{heap}",
        f"-Darcadedb.server.rootPath={root}",
        f"-Darcadedb.server.rootPassword={PASSWORD}",
        "-Darcadedb.server.httpIncomingHost=127.0.0.1",
        f"-Darcadedb.server.httpIncomingPort={http}",
        "-Darcadedb.server.plugins=Bolt:com.arcadedb.bolt.BoltProtocolPlugin",
        "-Darcadedb.bolt.host=127.0.0.1",
        f"-Darcadedb.bolt.port={bolt}",
        "-Darcadedb.server.defaultDatabases=" + ";".join(f"{d}[root]" for d in databases),
        "-cp",
        str(home / "jars" / "*"),
        "com.arcadedb.server.ArcadeDBServer",
    ]
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, cwd=root, stdout=out, stderr=subprocess.STDOUT)
    server = BoltServer(f"bolt://127.0.0.1:{bolt}", "root", PASSWORD, databases[0], databases[-1], log)
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"ArcadeDB exited with {proc.returncode}: {log.read_text()[-2000:]}")
        if "Server started" in log.read_text(errors="replace") and _accepts(bolt):
            return proc, server
        time.sleep(0.2)
    stop(proc)
    raise RuntimeError(f"ArcadeDB did not start within {START_TIMEOUT_S} s: {log.read_text()[-2000:]}")


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


@pytest.fixture(scope="session")
def arcadedb(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BoltServer]:
    proc, server = start_arcadedb(tmp_path_factory.mktemp("arcadedb"))
    try:
        yield server
    finally:
        stop(proc)
