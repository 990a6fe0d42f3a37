"""What both back-tests share: split by start year, hide one member per consortium, rank, score.

A data set is model records (actors, projects, participations) plus each project's call topic
(code, title) where known. `split` builds the finder's index from the training projects ONLY and
keeps the test consortia with at least three members known in training; `hide` picks one known
member per consortium to hide (seeded); `evaluate` ranks the hidden member among all training
organisations that are not in the query for every method, and `metrics` turns ranks into hit@10,
hit@50 and MRR (misses count 0), overall and for incumbents / organisations with little history.
"""

from __future__ import annotations

import random
import statistics
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp

from graph.model import Actor, Participation, Project
from graph.partners import PartnerIndex, PartnerQuery, find, score
from graph.partners.index import project_words
from graph.partners.text import words

LITTLE_HISTORY = 3  # a hidden member with at most this many training projects has "little history"


@dataclass
class Data:
    actors: dict[str, Actor]
    projects: dict[str, Project]
    participations: list[Participation]
    members: dict[str, list[str]] = field(default_factory=dict)  # project id → actor ids
    call: dict[str, tuple[str, str]] = field(default_factory=dict)  # project id → (topic code, title)

    def __post_init__(self) -> None:
        if not self.members:
            for x in self.participations:
                self.members.setdefault(x.project_id, []).append(x.actor_id)


@dataclass
class Case:
    project_id: str
    part: str  # the project's programme part (for the "most active in the programme part" baseline)
    code: str  # call topic code ("" when unknown)
    title: str  # call topic title ("" when unknown)
    hidden: str
    query_members: list[str]
    history: int  # training projects of the hidden member

    @property
    def group(self) -> str:
        return "little_history" if self.history <= LITTLE_HISTORY else "incumbents"


def split(
    data: Data, train_years: tuple[int, int], test_years: tuple[int, int]
) -> tuple[PartnerIndex, list[Case], dict[str, int]]:
    """The index over training projects only, and one case per test consortium with ≥ 3 known members."""
    lo, hi = train_years
    train = {pid for pid, p in data.projects.items() if p.start and lo <= p.start.year <= hi}
    t_lo, t_hi = test_years
    test = sorted(pid for pid, p in data.projects.items() if p.start and t_lo <= p.start.year <= t_hi)
    history: dict[str, int] = defaultdict(int)
    for pid in train:
        for aid in set(data.members.get(pid, [])):
            history[aid] += 1
    parts = [x for x in data.participations if x.project_id in train]
    index = PartnerIndex((data.actors[a] for a in history), (data.projects[p] for p in sorted(train)), parts)
    cases = []
    for pid in test:
        known = sorted(a for a in set(data.members.get(pid, [])) if history.get(a, 0) > 0)
        if len(known) >= 3:
            code, title = data.call.get(pid, ("", ""))
            cases.append(Case(pid, data.projects[pid].programme_part or "", code, title, "", known, 0))
    return index, cases, dict(history)


def hide(cases: list[Case], history: dict[str, int], sample: int, seed: int) -> list[Case]:
    rng = random.Random(seed)
    picked = cases if sample <= 0 or sample >= len(cases) else rng.sample(cases, sample)
    out = []
    for c in sorted(picked, key=lambda c: c.project_id):
        hidden = rng.choice(c.query_members)
        rest = [m for m in c.query_members if m != hidden]
        out.append(Case(c.project_id, c.part, c.code, c.title, hidden, rest, history[hidden]))
    return out


def rank_of(index: PartnerIndex, scores: np.ndarray, eligible: np.ndarray, hidden: str) -> int | None:
    """1-based rank of the hidden actor as the finder orders (score desc, then id); None when unscored."""
    h = index.actor_pos[hidden]
    s = scores[h]
    if not eligible[h] or s <= 0:
        return None
    better = eligible & (scores > s)
    ties = eligible & (scores == s)
    tie_before = int(ties[:h].sum())  # index.actors is sorted by id: position order is id order
    return int(better.sum()) + tie_before + 1


Method = Callable[[PartnerIndex, Case, list[int]], tuple[np.ndarray, np.ndarray]]


def _eligible(index: PartnerIndex, members: list[int]) -> np.ndarray:
    e = np.ones(len(index.actors), bool)
    e[members] = False
    return e


class TfIdf:
    """TF-IDF (log idf, L2-normalised rows) over the training projects' words: a plain text baseline."""

    def __init__(self, index: PartnerIndex) -> None:
        rows, cols, vals = [], [], []
        vocab: dict[str, int] = {}
        for j, p in enumerate(index.projects):
            for t, c in Counter(project_words(p)).items():
                rows.append(j)
                cols.append(vocab.setdefault(t, len(vocab)))
                vals.append(float(c))
        m = sp.csr_matrix((vals, (rows, cols)), shape=(len(index.projects), len(vocab)))
        df = np.bincount(np.asarray(cols, dtype=np.int64), minlength=len(vocab))
        self.idf = np.log(len(index.projects) / np.maximum(df, 1))
        m = sp.csr_matrix(m @ sp.diags(self.idf))
        norms = np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())
        self.M = sp.csc_matrix(sp.diags(1 / np.maximum(norms, 1e-12)) @ m)
        self.vocab = vocab

    def project_scores(self, text: str) -> np.ndarray:
        q = Counter(t for t in words(text) if t in self.vocab)
        if not q:
            return np.zeros(self.M.shape[0])
        cols = [self.vocab[t] for t in q]
        w = np.array([q[t] for t in q], dtype=float) * self.idf[cols]
        return np.asarray(self.M[:, cols] @ (w / np.linalg.norm(w))).ravel()


@dataclass
class Methods:
    """The finder and the baselines, all reading the same training index."""

    index: PartnerIndex
    use_text: bool = True  # False on H2020: its extract has no titles
    tfidf: TfIdf | None = None
    _part_cache: dict[str, np.ndarray] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.use_text:
            self.tfidf = TfIdf(self.index)

    def query(self, c: Case, top: int = 50) -> PartnerQuery:
        if self.use_text:
            return PartnerQuery(
                members=c.query_members, topic=c.title, topic_codes=[c.code] if c.code else [], top=top
            )
        return PartnerQuery(members=c.query_members, programme_parts=[c.part] if c.part else [], top=top)

    def finder(self, c: Case, members: list[int]) -> tuple[np.ndarray, np.ndarray]:
        s = score(self.index, self.query(c), members)
        return s.score, s.eligible

    def past_partners(self, c: Case, members: list[int]) -> tuple[np.ndarray, np.ndarray]:
        """Projects shared with the members (the members' past partners, most frequent first)."""
        return np.asarray(self.index.A[members].sum(axis=0)).ravel(), _eligible(self.index, members)

    def adamic_adar(self, c: Case, members: list[int]) -> tuple[np.ndarray, np.ndarray]:
        return self.index.adamic_adar(members), _eligible(self.index, members)

    def most_active_in_part(self, c: Case, members: list[int]) -> tuple[np.ndarray, np.ndarray]:
        """Training projects in the test project's programme part."""
        if c.part not in self._part_cache:
            in_part = (self.index.part == c.part).astype(float)
            self._part_cache[c.part] = np.asarray(self.index.B @ in_part).ravel()
        return self._part_cache[c.part], _eligible(self.index, members)

    def text(self, c: Case, members: list[int]) -> tuple[np.ndarray, np.ndarray]:
        """TF-IDF cosine of the call's title with each past project, summed over the actor's projects."""
        assert self.tfidf is not None
        return np.asarray(self.index.B @ self.tfidf.project_scores(c.title)).ravel(), _eligible(
            self.index, members
        )

    def past_partners_text(self, c: Case, members: list[int]) -> tuple[np.ndarray, np.ndarray]:
        pp, e = self.past_partners(c, members)
        tx, _ = self.text(c, members)
        pp_max, tx_max = pp[e].max() if e.any() else 0, tx[e].max() if e.any() else 0
        return (pp / pp_max if pp_max else pp) + (tx / tx_max if tx_max else tx), e

    def all(self) -> dict[str, Method]:
        out: dict[str, Method] = {
            "finder": lambda i, c, m: self.finder(c, m),
            "past_partners": lambda i, c, m: self.past_partners(c, m),
            "adamic_adar": lambda i, c, m: self.adamic_adar(c, m),
            "most_active_in_topic": lambda i, c, m: self.most_active_in_part(c, m),
        }
        if self.use_text:
            out["tfidf_text"] = lambda i, c, m: self.text(c, m)
            out["past_partners_text"] = lambda i, c, m: self.past_partners_text(c, m)
        return out


def metrics(ranks: list[int | None]) -> dict[str, float]:
    n = len(ranks)
    if not n:
        return {"n": 0, "hit@10": 0.0, "hit@50": 0.0, "mrr": 0.0}
    return {
        "n": n,
        "hit@10": round(sum(1 for r in ranks if r is not None and r <= 10) / n, 4),
        "hit@50": round(sum(1 for r in ranks if r is not None and r <= 50) / n, 4),
        "mrr": round(sum(1.0 / r for r in ranks if r is not None) / n, 4),
    }


def evaluate(
    index: PartnerIndex, cases: Iterable[Case], methods: dict[str, Method]
) -> dict[str, dict[str, dict[str, float]]]:
    ranks: dict[str, dict[str, list[int | None]]] = {
        m: {"all": [], "incumbents": [], "little_history": []} for m in methods
    }
    for c in cases:
        members = [index.actor_pos[m] for m in c.query_members]
        for name, method in methods.items():
            scores, eligible = method(index, c, members)
            r = rank_of(index, scores, eligible, c.hidden)
            ranks[name]["all"].append(r)
            ranks[name][c.group].append(r)
    return {m: {g: metrics(rs) for g, rs in groups.items()} for m, groups in ranks.items()}


def bench(index: PartnerIndex, queries: list[PartnerQuery]) -> dict[str, float]:
    """Median latency of single queries with reasons (`find`) and batch throughput."""
    find(index, queries[0])  # warm-up
    times = []
    for q in queries:
        t0 = time.perf_counter()
        find(index, q)
        times.append(time.perf_counter() - t0)
    t0 = time.perf_counter()
    for q in queries:
        find(index, q)
    total = time.perf_counter() - t0
    return {
        "queries": len(queries),
        "median_ms": round(statistics.median(times) * 1000, 1),
        "p95_ms": round(sorted(times)[int(0.95 * (len(times) - 1))] * 1000, 1),
        "batch_qps": round(len(queries) / total, 1),
    }


def table(results: dict[str, dict[str, dict[str, float]]]) -> str:
    lines = [f"{'method':22} {'group':15} {'n':>5} {'hit@10':>7} {'hit@50':>7} {'MRR':>7}"]
    for m, groups in results.items():
        for g, r in groups.items():
            lines.append(f"{m:22} {g:15} {r['n']:5} {r['hit@10']:7.3f} {r['hit@50']:7.3f} {r['mrr']:7.3f}")
    return "\n".join(lines)


def best_baseline_ratio(results: dict[str, dict[str, dict[str, float]]]) -> tuple[str, float | None]:
    name, best = max(
        ((m, r["all"]["hit@10"]) for m, r in results.items() if m != "finder"), key=lambda x: x[1]
    )
    return name, (round(results["finder"]["all"]["hit@10"] / best, 2) if best else None)


def print_summary(
    out: dict[str, Any], results: dict[str, dict[str, dict[str, float]]], sampled: int, seed: int, graph: str
) -> None:
    """The back-test's text answer, the same for every programme: sizes, the table, the ratio, the bench."""
    best, ratio = best_baseline_ratio(results)
    print(
        f"train {out['train_projects']} projects / {out['train_actors']} actors; "
        f"{out['test_consortia']} test consortia, {sampled} sampled (seed {seed})"
    )
    print(table(results))
    print(f"finder hit@10 / best baseline ({best}) hit@10 = {ratio}")
    if f"bench_full_{graph}" in out:
        print(f"bench (full {GRAPH_NAMES[graph]} graph): {out[f'bench_full_{graph}']}")
    print(f"seconds: {out['seconds']}")


GRAPH_NAMES = {"h2020": "H2020", "horizon": "Horizon Europe"}
