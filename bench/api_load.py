"""API and views benchmark (issue 5): latency of actor detail, search and the ego view, then load.

Starts `innograph serve` on a free loopback port against an existing store, measures sequential
latency (client side, keep-alive) for `/actors/{id}`, `/actors?q=` and `/views/actor/{id}`, then runs
N concurrent clients for D seconds on a mix of those requests and counts errors. Loopback only;
every loop is bounded by a count or a deadline; the server is always stopped.

    .venv/bin/python bench/api_load.py --db /tmp/full.db [--clients 20] [--seconds 30] [--samples 200]
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import quote

import httpx

from graph.store.base import ActorFilter
from graph.store.sqlite import SqliteStore
from graph.text import fold

SEARCHES = [
    "blekinge",
    "lund",
    "universitet",
    "science park",
    "region",
    "kalmar",
    "energy",
    "hogskola",
    "almi",
    "rise",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def summary(ms: list[float]) -> dict[str, float]:
    return {
        "n": len(ms),
        "p50_ms": round(statistics.median(ms), 1),
        "p95_ms": round(pct(ms, 95), 1),
        "max_ms": round(max(ms), 1),
    }


def sample_ids(db: Path, n: int, seed: int = 5) -> tuple[list[str], list[str], list[str]]:
    """`n` random actor ids, the `n // 4` with the most participations (the heaviest ego views), and
    distinct search words taken from the sampled names (each asked once: uncached searches)."""
    store = SqliteStore(db)
    try:
        _, total = store.search_actors("", ActorFilter(), limit=1)
        rng = random.Random(seed)
        sampled = [store.search_actors("", limit=1, offset=rng.randrange(total))[0][0] for _ in range(n)]
        ids = [a.id for a in sampled]
        words = list(dict.fromkeys(w for a in sampled for w in fold(a.name).split()[:1] if len(w) >= 4))
        busiest = [
            r[0]
            for r in store.con.execute(
                "SELECT actor_id FROM participations GROUP BY actor_id ORDER BY count(*) DESC, actor_id LIMIT ?",
                (max(1, n // 4),),
            )
        ]
    finally:
        store.close()
    return ids, busiest, [w for w in words if w not in SEARCHES]


def timed(client: httpx.Client, url: str) -> tuple[float, int]:
    t = time.perf_counter()
    r = client.get(url)
    return (time.perf_counter() - t) * 1000, r.status_code


def sequential(base: str, ids: list[str], busiest: list[str], words: list[str]) -> dict[str, object]:
    out: dict[str, object] = {}
    with httpx.Client(base_url=base, timeout=60) as c:
        # Warm-up: the first detail call starts the centrality measures in the background; wait
        # (bounded) until they are ready for every county in the sample, so timings are steady state.
        t, status = timed(c, "/actors/" + quote(ids[0], safe=":"))
        out["first_actor_detail_ms"] = round(t, 1)
        start = time.perf_counter()
        counties_seen: set[str] = set()
        for aid in ids:
            body = c.get("/actors/" + quote(aid, safe=":")).json()
            county = body["actor"]["county_code"]
            if county is None or county in counties_seen:
                continue
            counties_seen.add(county)
            for _ in range(600):
                if body["measures_status"] != "computing":
                    break
                time.sleep(0.5)
                body = c.get("/actors/" + quote(aid, safe=":")).json()
        out["measures_ready_after_s"] = round(time.perf_counter() - start, 1)
        for aid in ids[:10]:
            timed(c, "/actors/" + quote(aid, safe=":"))
        detail = []
        for aid in ids:
            t, status = timed(c, "/actors/" + quote(aid, safe=":"))
            assert status == 200, (aid, status)
            detail.append(t)
        out["actor_detail"] = summary(detail)
        search = []
        for i in range(len(ids)):
            t, status = timed(c, f"/actors?q={quote(SEARCHES[i % len(SEARCHES)])}&limit=50")
            assert status == 200
            search.append(t)
        out["search_repeated"] = summary(search)
        cold = []
        for w in words:
            t, status = timed(c, f"/actors?q={quote(w)}&limit=50")
            assert status == 200
            cold.append(t)
        out["search_distinct_uncached"] = summary(cold)
        ego = []
        for aid in ids[: max(20, len(ids) // 2)]:
            t, status = timed(c, "/views/actor/" + quote(aid, safe=":"))
            assert status == 200, (aid, status)
            ego.append(t)
        out["ego_view_random"] = summary(ego)
        heavy = []
        for aid in busiest:
            t, status = timed(c, "/views/actor/" + quote(aid, safe=":"))
            assert status == 200, (aid, status)
            heavy.append(t)
        out["ego_view_busiest"] = summary(heavy)
        heavy2 = []
        for aid in busiest[:10]:
            t, status = timed(c, "/views/actor/" + quote(aid, safe=":") + "?depth=2")
            assert status == 200, (aid, status)
            heavy2.append(t)
        out["ego_view_busiest_depth2"] = summary(heavy2)
    return out


PARTNER_TOPICS = [
    "offshore wind",
    "hydrogen steel",
    "5G edge computing",
    "circular plastics",
    "forest biomass",
]


def load(
    base: str, ids: list[str], clients: int, seconds: float, partners: bool = False
) -> dict[str, object]:
    """`clients` threads for `seconds`; with `partners`, a tenth of the requests are `/partners` queries.

    Also the longest time in which no request completed (the API "stalls" when that is long)."""
    latencies: list[float] = []
    partner_ms: list[float] = []
    done_at: list[float] = []
    codes: Counter[str] = Counter()
    lock = threading.Lock()
    t_start = time.monotonic()
    deadline = t_start + seconds

    def worker(seed: int) -> None:
        rng = random.Random(seed)
        mine: list[float] = []
        mine_p: list[float] = []
        ends: list[float] = []
        seen: Counter[str] = Counter()
        with httpx.Client(base_url=base, timeout=120) as c:
            while time.monotonic() < deadline:
                x = rng.random()
                aid = quote(rng.choice(ids), safe=":")
                if partners and x < 0.1:
                    url = f"/partners?with={aid}&topic={quote(rng.choice(PARTNER_TOPICS))}"
                elif x < 0.4:
                    url = "/actors/" + aid
                elif x < 0.8:
                    url = f"/actors?q={quote(rng.choice(SEARCHES))}&limit=20"
                else:
                    url = "/views/actor/" + aid
                try:
                    t, status = timed(c, url)
                    mine.append(t)
                    if url.startswith("/partners"):
                        mine_p.append(t)
                    ends.append(time.monotonic() - t_start)
                    # 404: an actor the new ingest merged away; not a server error
                    seen[str(status)] += 1
                except httpx.HTTPError as e:
                    seen[type(e).__name__] += 1
        with lock:
            latencies.extend(mine)
            partner_ms.extend(mine_p)
            done_at.extend(ends)
            codes.update(seen)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=seconds + 120)
    elapsed = time.perf_counter() - start
    errors = sum(n for k, n in codes.items() if k not in ("200", "404"))
    marks = sorted([0.0, *done_at, elapsed])
    stall = max((b - a for a, b in itertools.pairwise(marks)), default=0.0)
    return {
        "clients": clients,
        "longest_gap_without_a_completed_request_s": round(stall, 2),
        "partners": summary(partner_ms) if partner_ms else None,
        "seconds": round(elapsed, 1),
        "requests": len(latencies),
        "requests_per_s": round(len(latencies) / elapsed, 1),
        "errors": errors,
        "status": dict(codes),
        **summary(latencies),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", type=Path, required=True)
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=30.0)
    ap.add_argument("--samples", type=int, default=200)
    ap.add_argument(
        "--ingest",
        metavar="SOURCE=PATH",
        help="during the load, ingest this source into the served store (e.g. cordis=…/horizon-europe-2021-2024)",
    )
    ap.add_argument("--ready", action="store_true", help="wait for /health ready before measuring")
    args = ap.parse_args()
    if not args.db.exists():
        sys.exit(f"no store at {args.db}: build it first (see bench/README.md)")
    ids, busiest, words = sample_ids(args.db, args.samples)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen(
        [sys.executable, "-m", "api", "serve", "--port", str(port), "--db", str(args.db)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(300):
            try:
                if httpx.get(base + "/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            sys.exit("server did not start within 30 s")
        if args.ready:
            t0 = time.perf_counter()
            while not httpx.get(base + "/health", timeout=30).json().get("ready"):
                time.sleep(1)
            print(f"ready after {time.perf_counter() - t0:.0f} s", file=sys.stderr)
        stats = httpx.get(base + "/stats", timeout=30).json()
        result: dict[str, object] = {
            "store": {k: stats[k] for k in ("actors", "projects", "participations")},
            "load_average_before": os.getloadavg(),
        }
        if args.ingest:
            source, _, path = args.ingest.partition("=")
            ingest = subprocess.Popen(
                [sys.executable, "-m", "api", "ingest", source, path, "--db", str(args.db), "--no-derive"],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            result["load_during_ingest"] = load(base, ids, args.clients, args.seconds, partners=True)
            result["ingest_exit"] = ingest.wait()
            result["load_after_ingest"] = load(base, ids, args.clients, args.seconds, partners=True)
        else:
            result.update(sequential(base, ids, busiest, words))
            result["load"] = load(base, ids, args.clients, args.seconds, partners=True)
        result["load_average_after"] = os.getloadavg()
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
