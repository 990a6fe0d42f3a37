"""Ranking: the features of every candidate for one query, and the learned linear ranker that orders them.

Each feature is a plain quantity a person can check (see `FEATURES`). The ranker is linear with a
topic gate, so every weight can be read and every score recomputed by hand:

    score = (gate + (1 − gate) · T) · Σ_k w_k · f_k  +  w_topic · T

where each f_k is the feature divided by its largest value among the query's candidates (so a weight
says how far that feature can move a candidate at most), and T is the topic evidence in [0, 1]
(0.4 · best project + 0.3 · depth + 0.3 · focus on the call's text, or the share of the candidate's
projects in the call's code hierarchy, whichever is larger). The gate keeps a candidate with no
evidence on the topic below an expert with the same network position.

The weights in `ranker.json` are learned by coordinate ascent on hit@10 + MRR (Metzler & Croft 2007)
by `eval/partners/train.py`, on the back-tests' training periods only (Horizon Europe 2021–2022
queried with 2023 consortia, Horizon 2020 2014–2015 with 2016), starting from the hand-set weights
that shipped before. They and what each feature adds are written down in `eval/partners/README.md`.
The reasons shown for a candidate are built from the same evidence (`graph.partners.explain`).

Constraints are not learned, they are what the user asks for: hard filters (countries, the period)
and bonuses (`BONUS`) for a candidate that brings a country the consortium still needs, a wanted kind
or a favoured county — scaled by the same topic gate, so a bonus never lifts a candidate without
evidence above the topic's experts.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp

from graph.partners.index import PartnerIndex
from graph.partners.query import SME, PartnerQuery
from graph.partners.text import query_tokens, words

MODEL_FILE = Path(__file__).with_name("ranker.json")

# Every feature the ranker sees, with what it measures. "Topic" is the call's text (BM25 over past
# projects' titles, objectives, keywords, call-topic titles and fields of science); "code" is the
# call-topic code hierarchy (cluster → destination → call → topic, year left out).
FEATURES: dict[str, str] = {
    "topic_best": "best BM25 match of one of its projects, relative to the best project overall",
    "topic_depth": "log of Σ (project match)² over its projects, relative to the best candidate",
    "topic_focus": "share of its projects on the topic (smoothed by 5 projects), relative to the best",
    "topic_coordinated": "log(1 + Σ project match) over the projects it coordinated",
    "code_same_topic": "log(1 + projects under the same year-less call topic code)",
    "code_same_destination": "log(1 + projects in the same destination or deeper)",
    "code_same_cluster": "log(1 + projects in the same cluster / programme part)",
    "code_focus": "share of its projects in the call's code hierarchy (weighted by depth)",
    "reformation": "sat with several members at once: Σ overlap² / project size, relative",
    "pagerank": "personalised PageRank from the members on the actor–project graph, relative",
    "adamic_adar": "shared partners with the members, rare ones counting more, relative",
    "members_worked_with": "share of the members it already had a project with",
    "shared_projects": "log(1 + projects shared with the members)",
    "shared_on_topic": "Σ topic match of the projects it shared with members",
    "best_joint_project": "max over its projects of (members in it)² / project size",
    "members_in_one_project": "max share of the members that sat in one project with it",
    "joint_recency": "1 / (1 + years since its last project with a member)",
    "share_with_members": "share of its projects that include a member",
    "partners": "log(1 + distinct partners it ever had)",
    "projects": "log(1 + its projects)",
    "coordinated": "log(1 + projects it coordinated)",
    "recent_projects": "log(1 + projects started in the last two years of the data)",
    "same_country_as_members": "share of the members from its country",
    "country_in_topic": "share of on-topic participations from its country",
    "kind": "kind: 0 university, 1 research institute, 2 company, 3 public body, 4 other",
    "sme": "an SME",
    "same_kind_as_members": "share of the members of its kind",
    "n_members": "members in the query",
}
KIND_CODE = {
    "university": 0,
    "research_institute": 1,
    "company": 2,
    "government_agency": 3,
    "municipality": 3,
    "region": 3,
}
TOPIC_MIN_MATCH = 0.25  # a project below this share of the best project's BM25 is not "on the topic"
TOPIC_FOCUS_PRIOR = 5.0  # focus = on-topic projects / (projects + 5): one lucky project is not a focus
EVIDENCE_CODE = 0.5  # a project at least this deep in the call's code hierarchy (destination) is evidence
# Constraint bonuses, added to the ranker's score scaled to [0, 1] over the pool.
BONUS: dict[str, float] = {"fills_country": 0.15, "fills_kind": 0.15, "favoured_region": 0.10}


# Features the linear ranker weighs (the others are shown as evidence only), and the topic mix T.
LINEAR = [
    "reformation",
    "pagerank",
    "adamic_adar",
    "best_joint_project",
    "members_worked_with",
    "share_with_members",
    "shared_projects",
    "shared_on_topic",
    "topic_coordinated",
    "code_same_topic",
    "code_same_destination",
    "projects",
    "coordinated",
    "recent_projects",
    "same_country_as_members",
    "country_in_topic",
]
TOPIC_MIX = {"topic_best": 0.4, "topic_depth": 0.3, "topic_focus": 0.3}


@dataclass(frozen=True)
class Ranker:
    """The learned weights: `score = (gate + (1 − gate)·T)·Σ w_k f_k + topic·T` (module docstring)."""

    weights: dict[str, float]
    gate: float
    topic: float

    @classmethod
    def load(cls, path: Path = MODEL_FILE) -> Ranker:
        data = json.loads(path.read_text(encoding="utf-8"))
        unknown = set(data["weights"]) - set(LINEAR)
        if unknown:
            raise RuntimeError(
                f"{path.name} weighs unknown features {sorted(unknown)}: retrain (eval/partners/train.py)"
            )
        return cls(
            {k: float(data["weights"].get(k, 0.0)) for k in LINEAR}, float(data["gate"]), float(data["topic"])
        )

    def vector(self) -> np.ndarray:
        return np.array([self.weights[k] for k in LINEAR])


@functools.lru_cache(maxsize=1)
def ranker() -> Ranker:
    return Ranker.load()


_COL = {f: k for k, f in enumerate(FEATURES)}
_LIN = [_COL[f] for f in LINEAR]


def linear_parts(X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(the LINEAR features scaled to [0, 1] by their maximum over the candidates, the topic evidence T)."""
    if not X.shape[0]:
        return np.zeros((0, len(LINEAR))), np.zeros(0)
    n = X[:, _LIN]
    top = n.max(axis=0)
    n = n / np.where(top > 0, top, 1.0)
    return n, topic_evidence({f: X[:, _COL[f]] for f in (*TOPIC_MIX, "code_focus")})


def topic_evidence(cols: dict[str, np.ndarray]) -> np.ndarray:
    """T per candidate: the text mix or the code focus (scaled to its maximum), whichever is larger."""
    text = sum(w * cols[f] for f, w in TOPIC_MIX.items())
    code = cols["code_focus"]
    code_top = code.max() if code.size else 0.0
    code = code / code_top if code_top > 0 else code
    return np.maximum(text, code)


def linear_score_columns(cols: dict[str, np.ndarray], r: Ranker, has_topic: bool) -> np.ndarray:
    """`linear_score(*linear_parts(X), …)` straight from the feature columns (no matrix is built)."""
    t = topic_evidence(cols)
    net = np.zeros(t.shape[0])
    for f in LINEAR:
        w = r.weights[f]
        top = cols[f].max() if cols[f].size else 0.0
        if w and top > 0:
            net += (w / top) * cols[f]
    g = r.gate + (1 - r.gate) * t if has_topic else 1.0
    return g * net + r.topic * t


def linear_score(
    n: np.ndarray, t: np.ndarray, w: np.ndarray, gate: float, topic: float, has_topic: bool
) -> np.ndarray:
    g = gate + (1 - gate) * t if has_topic else 1.0
    return g * (n @ w) + topic * t


@dataclass
class Scored:
    """Every actor's score and evidence for one query (arrays over the index's actors)."""

    score: np.ndarray
    eligible: np.ndarray
    members: list[int]
    pool: np.ndarray  # actor positions the ranker scored
    cols: dict[str, np.ndarray]  # their features (`FEATURES`), each in pool order
    project_topic: np.ndarray  # per project: relative topic match in [0, 1] (0 below TOPIC_MIN_MATCH)
    project_code: np.ndarray  # per project: depth in the call's code hierarchy in [0, 1]
    has_topic: bool  # the query gave a topic (text or codes) that matched something
    evidence: np.ndarray  # per actor: at least one project on the topic
    fills_country: np.ndarray
    fills_kind: np.ndarray
    favoured: np.ndarray
    _row_of: np.ndarray | None = None
    _partners: np.ndarray | None = None

    def feature(self, name: str, i: int) -> float:
        """A feature's value for actor i (0 outside the pool)."""
        return float(self.cols[name][self.row(i)]) if self.row(i) >= 0 else 0.0

    def members_partners(self, index: PartnerIndex) -> np.ndarray:
        """Per actor: it had a project with at least one member (computed once per query)."""
        if self._partners is None:
            self._partners = np.zeros(self.score.shape[0], bool)
            for m in self.members:
                self._partners[index.partners_of(m)] = True
        return self._partners

    def row(self, i: int) -> int:
        """Actor i's row in `X` (-1 outside the pool); the map is built on first use."""
        if self._row_of is None:
            self._row_of = np.full(self.score.shape[0], -1, dtype=np.int64)
            self._row_of[self.pool] = np.arange(self.pool.size)
        return int(self._row_of[i])


def _rel(v: np.ndarray, eligible: np.ndarray) -> np.ndarray:
    top = v[eligible].max() if eligible.any() else 0.0
    return v / top if top > 0 else np.zeros_like(v)


def _top(v: np.ndarray, mask: np.ndarray, k: int) -> np.ndarray:
    idx = np.flatnonzero(mask & (v > 0))
    if idx.size > k:
        idx = idx[np.argpartition(-v[idx], k - 1)[:k]]
    return idx


def _spread(bt: sp.csr_matrix, v: np.ndarray) -> np.ndarray:
    """Per actor, Σ over its projects of a per-project value (`B @ v`), given `bt` = Bᵀ as CSR.

    Most per-query project vectors are sparse (the members' projects, the projects on the topic), so
    the sum runs over the rows of those projects only; a dense vector takes the plain product.
    """
    nz = np.flatnonzero(v)
    if nz.size * 4 > v.size:
        return np.asarray(bt.T @ v).ravel()
    sub = bt[nz]
    return np.bincount(sub.indices, weights=np.repeat(v[nz], np.diff(sub.indptr)), minlength=bt.shape[1])


def _rowmax(bt: sp.csr_matrix, v: np.ndarray) -> np.ndarray:
    """Per actor, the maximum of a non-negative per-project value over its projects (0 without any)."""
    out = np.zeros(bt.shape[1])
    nz = np.flatnonzero(v > 0)
    if nz.size:
        sub = bt[nz]
        np.maximum.at(out, sub.indices, np.repeat(v[nz], np.diff(sub.indptr)))
    return out


def query_words_and_codes(q: PartnerQuery) -> tuple[list[str], list[str]]:
    """The query's words (for BM25) and codes (topic codes, programme parts, themes, codes in the text)."""
    toks = query_tokens(q.topic, [*q.topic_codes, *q.programme_parts, *q.themes])
    codes = [*q.topic_codes, *q.programme_parts, *q.themes]
    codes += [
        w.strip(",;()[]\"'") for w in q.topic.split() if w.strip(",;()[]\"'") and "#" + w.lower() in toks
    ]
    text_words = [t for t in toks if not t.startswith("#")]
    return text_words, list(dict.fromkeys(codes))


def feature_columns(
    index: PartnerIndex, q: PartnerQuery, members: list[int]
) -> tuple[np.ndarray, dict[str, np.ndarray], dict[str, Any]]:
    """(pool of actor positions, each feature of `FEATURES` as an array in pool order, context)."""
    n_a = len(index.actors)
    b, bt, walk, c_m = index.B, index.BT, index.walk, index.C
    ref_year = index.max_year
    n_proj, size, coord, recent = index.n_projects, index.size, index.coordinated, index.recent
    if q.year_from is not None or q.year_to is not None:
        lo = q.year_from if q.year_from is not None else -(10**6)
        hi = q.year_to if q.year_to is not None else 10**6
        keep = sp.diags(((index.year >= lo) & (index.year <= hi)).astype(float))
        b = sp.csr_matrix(index.B @ keep)
        b.eliminate_zeros()
        bt = sp.csr_matrix(b.T)
        c_m = sp.csr_matrix(index.C @ keep)
        walk = index.walk_matrices(b)
        ref_year = min(hi, index.max_year)
        n_proj = np.asarray(b.sum(axis=1)).ravel()
        size = np.asarray(b.sum(axis=0)).ravel()
        coord = np.asarray(c_m.sum(axis=1)).ravel()
        recent = _spread(bt, ((index.year > ref_year - 2) & (index.year <= ref_year)).astype(float))
    eligible = n_proj > 0
    eligible[members] = False
    if q.countries:
        eligible &= np.isin(index.country_id, index.country_ids(q.countries))
    if q.exclude_countries:
        eligible &= ~np.isin(index.country_id, index.country_ids(q.exclude_countries))

    # Topic text.
    text_words, codes = query_words_and_codes(q)
    bm25 = index.text_scores(text_words)
    top = bm25.max() if bm25.size else 0.0
    r = bm25 / top if top > 0 else np.zeros(len(index.projects))
    r[r < TOPIC_MIN_MATCH] = 0.0
    on_topic = _spread(bt, r**2)
    best = _rowmax(bt, r)
    depth = _rel(np.log1p(on_topic), eligible)
    focus = _rel(on_topic / (n_proj + TOPIC_FOCUS_PRIOR), eligible)
    topic_coord = np.log1p(np.asarray(c_m @ r).ravel())
    # Code hierarchy.
    cm = index.code_match(codes) if codes else np.zeros(len(index.projects))
    code_same = np.log1p(_spread(bt, (cm >= 0.999).astype(float)))
    code_dest = np.log1p(_spread(bt, (cm >= EVIDENCE_CODE).astype(float)))
    code_cluster = np.log1p(_spread(bt, (cm > 0).astype(float)))
    code_focus = _spread(bt, cm) / (n_proj + TOPIC_FOCUS_PRIOR)
    # Network.
    n_p = b.shape[1]
    overlap = np.bincount(b[members].indices, minlength=n_p).astype(float) if members else np.zeros(n_p)
    size = np.maximum(size, 1.0)
    reform = _rel(_spread(bt, overlap**2 / size), eligible)
    ppr = _rel(index.pagerank(members, walk), eligible) if members else np.zeros(n_a)
    worked_n = np.asarray(index.A_bin[members].sum(axis=0)).ravel() if members else np.zeros(n_a)
    aa = _rel(np.asarray(index.A_bin @ (worked_n * index.inv_log_deg)).ravel(), eligible)
    shared = _spread(bt, overlap)
    worked = worked_n / len(members) if members else worked_n
    shared_topic = _spread(bt, overlap * r)
    nm = max(len(members), 1)
    joint_best = _rowmax(bt, overlap**2 / size)
    overlap_max = _rowmax(bt, overlap / nm)
    with_members = (overlap > 0).astype(float)
    last_joint = _rowmax(
        bt, with_members * np.where(index.year > 0, 1.0 / (1.0 + np.maximum(ref_year - index.year, 0)), 0)
    )
    # Country and kind mix.
    topic_proj = (r > 0) | (cm >= EVIDENCE_CODE)
    country_in_topic = np.zeros(n_a)
    if topic_proj.any():
        parts_on = _spread(bt, topic_proj.astype(float))
        by_country = np.bincount(index.country_id, weights=parts_on)
        total = by_country.sum() or 1.0
        country_in_topic = by_country[index.country_id] / total

    evidence = (best > 0) | (code_dest > 0)
    # The pool: every eligible candidate; one with no signal at all scores 0 and is never suggested.
    pool = np.flatnonzero(eligible)
    n_c = int(index.country_id.max()) + 1 if index.country_id.size else 1
    by_c = np.bincount(index.country_id[members], minlength=n_c) / nm
    by_kind = np.bincount(index.kind_id[members], minlength=len(index.kind_names)) / nm
    kind_code = np.array([KIND_CODE.get(k, 4) for k in index.kind_names], dtype=float)
    cols = {
        "topic_best": best[pool],
        "topic_depth": depth[pool],
        "topic_focus": focus[pool],
        "topic_coordinated": topic_coord[pool],
        "code_same_topic": code_same[pool],
        "code_same_destination": code_dest[pool],
        "code_same_cluster": code_cluster[pool],
        "code_focus": code_focus[pool],
        "reformation": reform[pool],
        "pagerank": ppr[pool],
        "adamic_adar": aa[pool],
        "members_worked_with": worked[pool],
        "shared_projects": np.log1p(shared[pool]),
        "shared_on_topic": shared_topic[pool],
        "best_joint_project": joint_best[pool],
        "members_in_one_project": overlap_max[pool],
        "joint_recency": last_joint[pool],
        "share_with_members": shared[pool] / np.maximum(n_proj[pool], 1.0),
        "partners": np.log1p(index.partner_count[pool]),
        "projects": np.log1p(n_proj[pool]),
        "coordinated": np.log1p(coord[pool]),
        "recent_projects": np.log1p(recent[pool]),
        "same_country_as_members": by_c[index.country_id[pool]],
        "country_in_topic": country_in_topic[pool],
        "kind": kind_code[index.kind_id[pool]],
        "sme": index.sme[pool].astype(float),
        "same_kind_as_members": by_kind[index.kind_id[pool]],
        "n_members": np.full(pool.size, float(len(members))),
    }
    ctx = {
        "eligible": eligible,
        "project_topic": r,
        "project_code": cm,
        "has_topic": bool(r.any() or (cm > 0).any()),
        "evidence": evidence,
    }
    return pool, cols, ctx


def features(
    index: PartnerIndex, q: PartnerQuery, members: list[int]
) -> tuple[np.ndarray, np.ndarray, dict[str, Any]]:
    """(pool of actor positions, their feature matrix with columns in `FEATURES` order, context)."""
    pool, cols, ctx = feature_columns(index, q, members)
    X = np.column_stack([cols[f] for f in FEATURES]) if pool.size else np.zeros((0, len(FEATURES)))
    return pool, X, ctx


def missing_kinds(index: PartnerIndex, wanted: list[str], members: list[int]) -> list[str]:
    have = {index.kind[i] for i in members} | ({SME} if any(index.sme[i] for i in members) else set())
    return [k for k in wanted if k not in have]


def score(index: PartnerIndex, q: PartnerQuery, members: list[int]) -> Scored:
    """Score every actor for the query; members, filtered-out and unpooled actors get no score."""
    n_a = len(index.actors)
    pool, cols, ctx = feature_columns(index, q, members)
    scaled = linear_score_columns(cols, ranker(), ctx["has_topic"])
    s = np.zeros(n_a)
    s[pool] = scaled
    eligible = ctx["eligible"]
    # Constraints.
    present = {index.country[i] for i in members if index.country[i]}
    need_countries = max(q.min_countries - len(present), 0)
    fills_country = (
        ~np.isin(index.country_id, index.country_ids([*present, ""]))
        if need_countries
        else np.zeros(n_a, bool)
    )
    fills_kind = np.zeros(n_a, bool)
    for k in missing_kinds(index, q.kinds, members):
        fills_kind |= index.sme if k == SME else (index.kind == k)
    favoured = np.isin(index.county, q.favour_counties) if q.favour_counties else np.zeros(n_a, bool)
    gate = ctx["evidence"] if ctx["has_topic"] else np.ones(n_a, bool)
    in_pool = s > 0
    s += (
        in_pool
        * gate
        * (
            BONUS["fills_country"] * fills_country
            + BONUS["fills_kind"] * fills_kind
            + BONUS["favoured_region"] * favoured
        )
    )
    s = np.where(eligible, s, -1.0)
    return Scored(
        score=s,
        eligible=eligible,
        members=list(members),
        pool=pool,
        cols=cols,
        project_topic=ctx["project_topic"],
        project_code=ctx["project_code"],
        has_topic=ctx["has_topic"],
        evidence=ctx["evidence"],
        fills_country=fills_country,
        fills_kind=fills_kind,
        favoured=favoured,
    )


def ranked(index: PartnerIndex, scored: Scored, k: int, mask: np.ndarray | None = None) -> list[int]:
    """The top-k eligible actors (within `mask`), by score then id (deterministic)."""
    ok = scored.eligible & (scored.score > 0)
    if mask is not None:
        ok &= mask
    idx = np.flatnonzero(ok)
    if idx.size > k:
        part = np.argpartition(-scored.score[idx], k - 1)[:k]
        cut = scored.score[idx[part]].min()
        idx = idx[scored.score[idx] >= cut]
    return sorted(idx.tolist(), key=lambda i: (-scored.score[i], index.actors[i].id))[:k]


__all__ = ["BONUS", "FEATURES", "Scored", "features", "ranked", "score", "words"]
