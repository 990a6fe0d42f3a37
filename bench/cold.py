"""Cold latency on all shared sources: time to ready, first requests, server RSS, fresh CLI processes.

What a new user meets after an ingest or a restart (issue 18):

1. a database with every shared source (registry, CORDIS H2020 and Horizon Europe, Interreg, ERDF, SCB
   agencies), built once into `--db` unless it exists (`--rebuild` to build it again, timed per source);
2. `innograph serve` on it with no derived data (the sidecar `<db>.derived` removed): seconds until
   `GET /health` says `"ready": true`;
3. the first request of every heavy page and endpoint after ready (none of them asked before);
4. the server's resident memory (VmRSS now, VmHWM peak) after all of that;
5. a restart with nothing new: seconds until ready again;
6. fresh CLI processes (`innograph analyze <each> --json`, `innograph partners`) reading what the
   server computed.

The machine is shared: the 1-minute load average is printed with the figures.

    .venv/bin/python bench/cold.py --db /tmp/cold.db            # build if missing, then measure
    .venv/bin/python bench/cold.py --db /tmp/cold.db --rebuild  # ingest timings too
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
IG = str(ROOT / ".venv" / "bin" / "innograph")
SOURCES = [
    ("registry", None),
    ("cordis", SHARED / "cordis" / "h2020-2014-2018"),
    ("cordis", SHARED / "cordis" / "horizon-europe-2021-2024"),
    ("interreg", SHARED / "interreg" / "swedish-partners-interreg-2021-2027.json"),
    ("erdf", SHARED / "sweden" / "erdf-2014-2020-projektbanken-2016-10.json"),
    ("agencies", SHARED / "sweden" / "myndighetsregister-scb.json"),
]
BTH = "se:blekinge-tekniska-hogskola"
KTH = "cordis:999990946"
CHALMERS = "cordis:999980373"
PAGES = [
    "/views/counties",
    "/views/isolated?county=10",
    "/views/isolated?county=12",
    "/views/isolated",
    "/reports/county/10?format=html",
    "/reports/county/12?format=html",
    "/export/graph.gexf?county=10",
    "/export/graph.graphml?county=12",
    "/export/tables.xlsx?county=10",
    f"/views/actor/{BTH}",
    f"/actors/{BTH}",
    f"/views/actor/{KTH}",  # outside South Sweden: its county's measures are precomputed too
    f"/actors/{CHALMERS}",
    "/views/theme/s3:blekinge:tech",
    "/actors?q=hogskola",
    "/analysis/counties",
    "/analysis/isolated?county=10",
    "/analysis/centrality",
    "/analysis/brokerage?county=12",
    "/analysis/communities",
    "/analysis/themes",
    f"/partners?with={BTH}&topic=offshore%20wind",
    "/partners?topic=hydrogen%20steel&min_countries=3",
    "/stats",
]


def load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def free_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = int(s.getsockname()[1])
    s.close()
    return port


def get(url: str, timeout: float = 300) -> tuple[int, float, bytes]:
    t = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            body = r.read()
            code = r.status
    except urllib.error.HTTPError as e:
        body, code = e.read(), e.code
    return code, time.perf_counter() - t, body


def rss_mb(pid: int) -> tuple[float, float]:
    now = peak = 0.0
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            now = int(line.split()[1]) / 1024
        elif line.startswith("VmHWM:"):
            peak = int(line.split()[1]) / 1024
    return now, peak


def build(db: Path) -> None:
    for p in db.parent.glob(db.name + "*"):
        p.unlink()
    print(f"## ingest (load {load()})")
    for name, path in SOURCES:
        t = time.perf_counter()
        args = [IG, "ingest", name] + ([str(path)] if path else []) + ["--db", str(db)]
        subprocess.run(args, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        print(f"- {name} {path.name if path else ''}: {time.perf_counter() - t:.1f} s")


def serve_until_ready(db: Path, port: int, limit: float = 900) -> tuple[subprocess.Popen[bytes], float]:
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [IG, "serve", "--port", str(port), "--db", str(db)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    while time.perf_counter() - t0 < limit:
        try:
            code, _, body = get(f"http://127.0.0.1:{port}/health", timeout=5)
            if code == 200 and json.loads(body).get("ready") is True:
                return proc, time.perf_counter() - t0
        except OSError:
            pass
        time.sleep(0.5)
    proc.kill()
    raise SystemExit(f"not ready within {limit} s")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", type=Path, default=Path("/tmp/innograph-cold.db"))
    ap.add_argument("--rebuild", action="store_true", help="ingest every source again (timed)")
    args = ap.parse_args()
    db: Path = args.db
    if args.rebuild or not db.exists():
        build(db)
    sidecar = db.with_name(db.name + ".derived")
    if sidecar.exists():
        sidecar.unlink()
    port = free_port()
    print(f"\n## serve from cold (no derived data; load {load()})")
    proc, secs = serve_until_ready(db, port)
    print(f"- start to ready: {secs:.1f} s")
    try:
        print(f"\n## first request after ready (load {load()})")
        print("| page | status | seconds |\n|---|---|---|")
        for u in PAGES:
            code, t, _ = get(f"http://127.0.0.1:{port}{u}")
            print(f"| `{u}` | {code} | {t:.2f} |")
        now, peak = rss_mb(proc.pid)
        print(f"\n- server RSS after all pages: {now:.0f} MB (peak {peak:.0f} MB)")
    finally:
        proc.terminate()
        proc.wait(30)
    print(f"\n## restart with nothing new (load {load()})")
    proc, secs = serve_until_ready(db, port)
    print(f"- start to ready: {secs:.1f} s; RSS {rss_mb(proc.pid)[0]:.0f} MB")
    proc.terminate()
    proc.wait(30)
    print(f"\n## fresh CLI processes (load {load()})")
    for cmd in [
        *(
            ["analyze", a, "--json"]
            for a in ("counties", "isolated", "centrality", "brokerage", "themes", "communities")
        ),
        ["analyze", "isolated", "--county", "10", "--json"],
        ["partners", "--with", BTH, "--topic", "offshore wind", "--json"],
    ]:
        t = time.perf_counter()
        r = subprocess.run([IG, *cmd, "--db", str(db)], capture_output=True)
        err = r.stderr.decode(errors="replace").strip().splitlines()[-1:] if r.returncode else []
        print(
            f"- `innograph {' '.join(cmd)}`: {time.perf_counter() - t:.2f} s (exit {r.returncode}) {' '.join(err)}"
        )
    sys.stdout.flush()


if __name__ == "__main__":
    main()
