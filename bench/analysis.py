"""Benchmark of issue 3: every analysis on CORDIS H2020 2014–2018 + Interreg 2021–2027 (~27,000 actors).

    .venv/bin/python bench/analysis.py            # builds /tmp/innograph-bench-analysis/g.db once, then measures
    .venv/bin/python bench/analysis.py --rebuild  # re-ingest first

Four stages, each in its own process so the peak memory (ru_maxrss) is that stage's own:
1. ingest registry + CORDIS + Interreg into a SQLite store (not part of the budget; reused if present);
2. `run_analysis` for all six analyses, South Sweden scope, cold (no in-memory or on-disk cache):
   wall time per step and in total, and peak RSS — the budget is ≤ 60 s and ≤ 2 GB;
3. the same in a new process with the on-disk cache in place (what one more CLI command costs);
4. networkx vs igraph on the same collaboration graph: PageRank, and betweenness from the same 512
   sampled sources (igraph's `betweenness(sources=…)`), times and top-20 differences; plus networkx's
   reference `betweenness_centrality(k=64)` timed and extrapolated per source to k=512.

Times are wall and CPU (`time.process_time`): the machine is shared, and CPU time is the figure that
does not depend on what else runs on it.
"""

from __future__ import annotations

import json
import os
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
WORK = Path("/tmp/innograph-bench-analysis")
DB = WORK / "g.db"


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def stage_ingest() -> dict[str, object]:
    from graph.store.sqlite import SqliteStore
    from ingest.loaders import LOADERS
    from ingest.pipeline import commit
    from ingest.registry import load_registry

    WORK.mkdir(parents=True, exist_ok=True)
    for p in WORK.iterdir():
        p.unlink()
    store = SqliteStore(DB)
    store.init_schema()
    t = time.perf_counter()
    commit(store, load_registry())
    commit(store, LOADERS["cordis"](SHARED / "cordis" / "h2020-2014-2018"))
    commit(store, LOADERS["interreg"](SHARED / "interreg" / "swedish-partners-interreg-2021-2027.json"))
    s = store.stats()
    return {"ingest_s": round(time.perf_counter() - t, 1), "actors": s.actors, "projects": s.projects}


def stage_analysis() -> dict[str, object]:
    from graph.analysis import ANALYSES, Scope, prepare, run_analysis
    from graph.store.sqlite import SqliteStore

    for cache in [*WORK.glob(DB.name + ".derived*"), Path(f"{DB}.analysis-cache.json")]:
        cache.unlink(missing_ok=True)  # graph.cache's sidecar (and the file it replaced): a cold start
    store = SqliteStore(DB)
    times: dict[str, tuple[float, float]] = {}
    t0, c0 = time.perf_counter(), time.process_time()
    p = prepare(store)
    times["build graphs"] = (time.perf_counter() - t0, time.process_time() - c0)
    for name in ANALYSES:
        t, c = time.perf_counter(), time.process_time()
        result = run_analysis(store, name, Scope())
        times[name] = (time.perf_counter() - t, time.process_time() - c)
        if name == "centrality":
            note = result.betweenness.text
    total, cpu = time.perf_counter() - t0, time.process_time() - c0
    return {
        "nodes": p.collab.number_of_nodes(),
        "edges": p.collab.number_of_edges(),
        "steps_wall_cpu_s": {k: [round(w, 2), round(c, 2)] for k, (w, c) in times.items()},
        "total_s": round(total, 1),
        "total_cpu_s": round(cpu, 1),
        "peak_rss_mb": round(peak_mb()),
        "betweenness": note,
    }


def stage_warm() -> dict[str, object]:
    """A new process with the on-disk cache in place: what one more CLI command costs."""
    from graph.analysis import ANALYSES, Scope, run_analysis
    from graph.store.sqlite import SqliteStore

    store = SqliteStore(DB)
    t, c = time.perf_counter(), time.process_time()
    for name in ANALYSES:
        run_analysis(store, name, Scope())
    return {
        "warm_all_s": round(time.perf_counter() - t, 1),
        "warm_all_cpu_s": round(time.process_time() - c, 1),
        "peak_rss_mb": round(peak_mb()),
    }


def _top(values: dict[object, float], n: int = 20) -> list[object]:
    return [k for k, _ in sorted(values.items(), key=lambda kv: (-kv[1], str(kv[0])))[:n]]


def stage_compare() -> dict[str, object]:
    import igraph as ig
    import networkx as nx

    from graph.analysis import centrality, prepare
    from graph.store.sqlite import SqliteStore

    g = prepare(SqliteStore(DB)).collab
    nodes = list(g)
    index = {v: i for i, v in enumerate(nodes)}
    h = ig.Graph(n=len(nodes), edges=[(index[u], index[v]) for u, v in g.edges()])
    h.es["weight"] = [w for _, _, w in g.edges(data="weight")]
    out: dict[str, object] = {}

    t = time.process_time()
    pr_nx = nx.pagerank(g, weight="weight", tol=1e-10, max_iter=1000)
    t_nx = time.process_time() - t
    t = time.process_time()
    pr_ours = centrality.pagerank(g)
    t_ours = time.process_time() - t
    t = time.process_time()
    pr_ig_list = h.pagerank(weights="weight", damping=0.85)
    t_ig = time.process_time() - t
    pr_ig = {nodes[i]: v for i, v in enumerate(pr_ig_list)}
    top_nx, top_ig = _top(pr_nx), _top(pr_ig)
    out["pagerank"] = {
        "networkx_pagerank_cpu_s": round(t_nx, 2),
        "ours_on_shared_matrix_cpu_s": round(t_ours, 2),
        "igraph_cpu_s": round(t_ig, 2),
        "ratio_networkx_over_igraph": round(t_nx / t_ig, 1),
        "ours_equals_networkx_max_abs_diff": max(abs(pr_nx[v] - pr_ours[v]) for v in nodes),
        "top20_same_set": set(top_nx) == set(top_ig),
        "top20_same_order": top_nx == top_ig,
        "max_abs_diff": max(abs(pr_nx[v] - pr_ig[v]) for v in nodes),
    }

    k, seed = centrality.BETWEENNESS_SAMPLES, centrality.BETWEENNESS_SEED
    t = time.process_time()
    est = centrality.betweenness(g)
    t_ours = time.process_time() - t
    sources = random.Random(seed).sample(nodes, k)
    t = time.process_time()
    raw = h.betweenness(sources=[index[s] for s in sources], directed=False)
    t_ig = time.process_time() - t
    bc_ig = {nodes[i]: v for i, v in enumerate(raw)}
    top_ours, top_ig = _top(est.values), _top(bc_ig)
    t = time.process_time()
    nx.betweenness_centrality(g, k=64, seed=seed)
    t_ref64 = time.process_time() - t
    out["betweenness"] = {
        "k": k,
        "seed": seed,
        "ours_batched_scipy_cpu_s": round(t_ours, 2),
        "igraph_same_sources_cpu_s": round(t_ig, 2),
        "ratio_ours_over_igraph": round(t_ours / t_ig, 1),
        "networkx_reference_k64_cpu_s": round(t_ref64, 2),
        "networkx_reference_k512_extrapolated_cpu_s": round(t_ref64 * k / 64, 1),
        "ratio_networkx_over_igraph_extrapolated": round(t_ref64 * k / 64 / t_ig, 1),
        "top20_same_set": set(top_ours) == set(top_ig),
        "top20_same_order": top_ours == top_ig,
        "top20_rank_changes": sum(1 for a, b in zip(top_ours, top_ig, strict=True) if a != b),
        "hoeffding_95": est.hoeffding_95,
        "max_standard_error_top20": max(est.standard_error[v] for v in top_ours),
    }
    out["peak_rss_mb"] = round(peak_mb())
    return out


def run_stage(name: str) -> dict[str, object]:
    t = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, __file__, "--stage", name],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    if proc.returncode != 0:
        raise SystemExit(f"stage {name} failed:\n{proc.stderr}")
    doc: dict[str, object] = json.loads(proc.stdout.strip().splitlines()[-1])
    doc["process_wall_s"] = round(time.perf_counter() - t, 1)
    return doc


def main() -> None:
    if "--stage" in sys.argv:
        stage = sys.argv[sys.argv.index("--stage") + 1]
        fn = {
            "ingest": stage_ingest,
            "analysis": stage_analysis,
            "warm": stage_warm,
            "compare": stage_compare,
        }
        print(json.dumps(fn[stage](), default=str))
        return
    if not (SHARED / "cordis" / "h2020-2014-2018").exists():
        raise SystemExit(f"real data not available under {SHARED}")
    report: dict[str, object] = {"load": os.getloadavg()}
    if "--rebuild" in sys.argv or not DB.exists():
        report["ingest"] = run_stage("ingest")
    report["analysis_cold"] = run_stage("analysis")
    report["analysis_warm"] = run_stage("warm")
    report["networkx_vs_igraph"] = run_stage("compare")
    print(json.dumps(report, indent=2, default=str))


if __name__ == "__main__":
    main()
