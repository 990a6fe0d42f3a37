"""Partner finder for EU calls: ranked candidates with reasons, and the gaps of a consortium.

Given a call (free text and/or topic codes, programme parts, themes), the organisations already in
the consortium and some constraints, `find_partners(store, query)` returns candidate partners ranked
by a score that combines, with the weights in `WEIGHTS` (one place, each explained):

- **topic relevance** — BM25 (Robertson & Zaragoza 2009) of the call text against each project's
  title, objective, keywords, topic codes, programme part and themes; an actor's relevance is the sum
  over its projects, so the reasons can name the past projects on the topic;
- **re-formation** — how many of the members sat in the same past project as the candidate, weighted
  by the square of that overlap and divided by the project's size: consortia re-form around a core;
- **personalised PageRank** (Jeh & Widom 2003) from the members on the actor–project graph, i.e. a
  random walk on the collaboration graph `graph.projection.collaboration_graph` in which a large
  project spreads its weight thinner; it reaches partners of partners;
- **Adamic–Adar** (Adamic & Adar 2003) between the members and the candidate on the collaboration
  graph (shared partners, rare ones counting more);
- **track record** (projects, coordinator roles) and **recency**;
- **constraints**: hard filters (countries to include/exclude, the period of activity) and bonuses
  for filling a gap (a country the consortium still needs, a wanted kind, a favoured county).

The index (`PartnerIndex`) is built once per store version (`partner_index(store)`, kept by `graph.cache`), as
sparse matrices: actors × projects (B), its weighted projection A = B·Bᵀ (the same weights as
`collaboration_graph`: shared projects per pair), and projects × terms (BM25). A query is a few sparse
matrix–vector products over all actors, so it answers in milliseconds on the full CORDIS graph.

For the API (`GET /partners`): build a `PartnerQuery` from the request parameters and call
`find_partners(store, query) -> PartnerResult` (a pydantic model: `partners`, `members`,
`unknown_members`, `gaps`). Raises `InvalidInput` for a bad kind/county/country.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp
from pydantic import BaseModel, Field, field_validator

from graph.cache import derived
from graph.errors import InvalidInput
from graph.geo import COUNTIES, SOUTH_SWEDEN, county_from_nuts
from graph.model import Actor, ActorKind, Participation, Project, Role
from graph.projection import rolled_up
from graph.settings import Settings
from graph.store.base import GraphStore
from graph.text import fold

# --- All ranking weights, in one place --------------------------------------------------------------
# Each signal is scaled to [0, 1] over the eligible candidates of the query (divided by its maximum),
# so a weight says how much that signal can move a candidate at most. Tuned on the back-test
# (eval/partners/README.md) on Horizon 2020 consortia 2017–2018 with training data 2014–2016.
WEIGHTS: dict[str, float] = {
    # Past projects on the call's topic (BM25 per project; the best match, depth and focus of the
    # actor's projects, see `PartnerIndex.actor_topic`). What a coordinator checks first. It also
    # gates every other signal and bonus (TOPIC_FLOOR), so an SME that never touched the topic
    # does not outrank the topic's experts just for being an SME. In the H2020 back-test the only
    # topic is the coarse programme part and 0.1–0.25 gave the same hit@10 within noise; on
    # Horizon Europe's real titles and objectives it is what makes "marine robotics" find marine robotics.
    "topic": 0.25,
    # Re-formation: sat in a past project with several members at once (overlap² / project size).
    # Consortia re-form around a core; alone it reaches hit@10 0.186 in the back-test.
    "reformation": 0.35,
    # Personalised PageRank from the members: closeness that reaches partners of partners, with
    # large projects spreading their weight thinner. The strongest single signal in the back-test
    # (alone hit@10 0.193), also for organisations with little history.
    "pagerank": 0.35,
    # Adamic–Adar from the members: shared partners, a rare shared partner counting more. Mostly
    # redundant with PageRank (more weight lowered hit@10); kept small as a tie-breaker.
    "adamic_adar": 0.05,
    # Track record: log(1 + projects) plus half a point per coordinator role, log-scaled.
    "track_record": 0.05,
    # Recency: projects discounted by RECENCY_DECAY per year before the end of the period.
    "recency": 0.05,
    # Constraint bonuses (added, not scaled): the candidate brings a country the consortium still
    # needs (--min-countries), a kind it wants and lacks (--kind), or sits in a favoured county.
    "fills_country": 0.15,
    "fills_kind": 0.15,
    "favoured_region": 0.10,
}
# How much a candidate with no topic match keeps of its other signals and bonuses: they are
# multiplied by (TOPIC_FLOOR + (1 - TOPIC_FLOOR) · topic) when a topic is given, so a close partner
# who never worked on the topic still shows, but below one who did.
TOPIC_FLOOR = 0.6
TOPIC_MIN_MATCH = 0.25  # a project scoring below this share of the best project is not "on the topic"
TOPIC_FOCUS_PRIOR = 5.0  # focus = on-topic projects / (projects + 5): one lucky project is not a focus
PAGERANK_RESTART = 0.7  # probability of jumping back to the members at each step (0.5–0.85 tested)
PAGERANK_ITERATIONS = 20  # at most; 0.3**20 < 1e-10
PAGERANK_TOLERANCE = 1e-6  # stop when an iteration moves less than this (L1); ~10 iterations
RECENCY_DECAY = 0.8  # a project N years before the reference year counts 0.8**N
BM25_K1 = 1.2
BM25_B = 0.75
SME = "sme"  # the pseudo-kind "an SME" (Actor.sme), beside the ActorKind values
GREEDY_POOL = 300  # the greedy gap cover picks from this many top-ranked candidates

_STOP = frozenset(
    re.findall(
        r"[a-z]+",
        "a an and are as at be by for from in into is it of on or the to with via its their this that these "
        "those we our new novel based towards toward using use under over between across within",
    )
)
_WORD = re.compile(r"[a-z0-9]+")
_COMBINING = re.compile(r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
# The letters `graph.text.fold` maps by hand (NFKD does not decompose them).
_FOLD_SPECIAL = str.maketrans(
    {"ß": "ss", "æ": "ae", "ø": "o", "đ": "d", "ł": "l", "œ": "oe", "þ": "th", "ı": "i"}
)
_CODE = re.compile(r"^[a-z0-9]+(?:[-._][a-z0-9]+)+$", re.IGNORECASE)


# --- Text ---------------------------------------------------------------------------------------------
@functools.lru_cache(maxsize=200_000)
def _stem(w: str) -> str:
    """A very light English stemmer: plural and common suffixes ("oceans" → "ocean", "robotics" → "robot")."""
    for suf, rep in (("ies", "y"), ("ics", ""), ("ing", ""), ("ation", ""), ("s", "")):
        if len(w) > len(suf) + 3 and w.endswith(suf) and not w.endswith("ss"):
            return w[: -len(suf)] + rep
    return w


def _fold_long(text: str) -> str:
    """`graph.text.fold` for long texts (objectives): the same result on ASCII-letter words, done by
    regular expressions instead of a Python loop over characters, ~10× faster on a CORDIS objective."""
    lowered = text.lower().translate(_FOLD_SPECIAL)
    return _COMBINING.sub("", unicodedata.normalize("NFKD", lowered))


def words(text: str | None) -> list[str]:
    """Folded, stop-worded, lightly stemmed words; pure numbers are dropped."""
    if not text:
        return []
    folded = _fold_long(text) if len(text) > 80 else fold(text)
    return [_stem(w) for w in _WORD.findall(folded) if w not in _STOP and len(w) > 1 and not w.isdigit()]


def code_tokens(code: str) -> list[str]:
    """Tokens for a topic code or programme part: the code and each of its prefixes, marked with '#'.

    "HORIZON-CL5-2021-D2-01-11" gives #horizon, #horizon-cl5, …, the full code, so a call in the same
    destination or work programme matches partly; "part:h2020:SC5", "H2020-EU.SC5" and "SC5" all give #sc5.
    """
    c = code.strip().lower()
    if not c:
        return []
    c = c.split(":")[-1].removeprefix("h2020-eu.")
    parts = re.split(r"([-.])", c)
    out = []
    for i in range(0, len(parts), 2):
        out.append("#" + "".join(parts[: i + 1]))
    return out


def query_tokens(text: str, codes: Iterable[str] = ()) -> list[str]:
    """Tokens of a call: words of the text, code tokens for codes and for code-like words in the text."""
    toks: list[str] = []
    for raw in (text or "").split():
        bare = raw.strip(",;()[]\"'")
        if _CODE.match(bare) and any(ch.isdigit() for ch in bare):
            toks.extend(code_tokens(bare))
        else:
            toks.extend(words(bare))
    for c in codes:
        toks.extend(code_tokens(c))
    return toks


def project_tokens(p: Project) -> list[str]:
    """A project's document: title and keywords twice (they are chosen words), objective once, codes."""
    toks = words(p.title) * 2 + words(p.acronym) + words(p.objective)
    for t in p.topics:
        toks.extend(code_tokens(t) if _CODE.match(t.strip()) else words(t) * 2)
    if p.programme_part:
        toks.extend(code_tokens(p.programme_part))
    for t in p.themes:
        toks.extend(code_tokens(t))
    return toks


# --- Query and result models ----------------------------------------------------------------------------
class PartnerQuery(BaseModel):
    """What a user asks: the call, the members already in, and the constraints."""

    topic: str = Field(default="", max_length=2000, description="free text of the call")
    topic_codes: list[str] = Field(default_factory=list, description="call topic codes, e.g. HORIZON-CL6-…")
    programme_parts: list[str] = Field(default_factory=list, description="e.g. SC5, HORIZON.2.6")
    themes: list[str] = Field(default_factory=list, description="theme ids, e.g. part:h2020:SC5")
    members: list[str] = Field(default_factory=list, description="actor ids, keys (pic:…, cordis:…) or names")
    countries: list[str] = Field(default_factory=list, description="candidates only from these countries")
    exclude_countries: list[str] = Field(default_factory=list)
    min_countries: int = Field(default=0, ge=0, le=50, description="distinct countries the consortium needs")
    kinds: list[str] = Field(default_factory=list, description="wanted kinds: ActorKind values or 'sme'")
    favour_counties: list[str] = Field(
        default_factory=list, description="SCB county codes to favour; 'south-sweden' for the seven counties"
    )
    year_from: int | None = Field(default=None, ge=1950, le=2100)
    year_to: int | None = Field(default=None, ge=1950, le=2100)
    top: int = Field(default=10, ge=1, le=500)

    @field_validator("countries", "exclude_countries")
    @classmethod
    def _countries(cls, v: list[str]) -> list[str]:
        out = []
        for c in v:
            c = {"UK": "GB", "EL": "GR"}.get(c.strip().upper(), c.strip().upper())
            if not re.fullmatch(r"[A-Z]{2}", c):
                raise ValueError(f"country {c!r} is not an ISO 3166 alpha-2 code such as SE")
            out.append(c)
        return out

    @field_validator("kinds")
    @classmethod
    def _kinds(cls, v: list[str]) -> list[str]:
        known = {k.value for k in ActorKind} | {SME}
        for k in v:
            if k not in known:
                raise ValueError(f"unknown kind {k!r}: use one of {', '.join(sorted(known))}")
        return v

    @field_validator("favour_counties")
    @classmethod
    def _counties(cls, v: list[str]) -> list[str]:
        out: list[str] = []
        for c in v:
            if c.strip().lower() in ("south", "south-sweden"):
                out.extend(SOUTH_SWEDEN)
            elif c in COUNTIES:
                out.append(c)
            else:
                raise ValueError(
                    f"unknown county code {c!r}: use an SCB code such as 10 (Blekinge), or south-sweden"
                )
        return sorted(set(out))


class ProjectRef(BaseModel):
    id: str
    acronym: str | None
    title: str
    year: int | None


class Candidate(BaseModel):
    actor_id: str
    name: str
    kind: str
    country: str | None
    county_code: str | None
    score: float
    signals: dict[str, float] = Field(description="each signal in [0, 1] before weighting")
    reasons: list[str] = Field(description="why, in plain words")
    identifiers: dict[str, str] = Field(description="pic, vat, orgnr where known")
    topic_projects: list[ProjectRef] = Field(default_factory=list)
    worked_with: list[str] = Field(default_factory=list, description="members it shared a project with")
    path: list[str] = Field(default_factory=list, description="a shortest network path to a member")
    fills: list[str] = Field(default_factory=list, description="gaps it fills: country:XX, kind:…")
    projects: int = 0
    coordinated: int = 0
    last_year: int | None = None


class Member(BaseModel):
    key: str
    actor_id: str
    name: str
    country: str | None
    kind: str


class Gaps(BaseModel):
    countries_present: list[str]
    countries_needed: int = Field(description="how many more distinct countries the consortium needs")
    kinds_missing: list[str]
    cover: list[str] = Field(description="greedy smallest set of candidates that fills the gaps")
    cover_fills: dict[str, list[str]] = Field(default_factory=dict)
    unfilled: list[str] = Field(default_factory=list, description="gaps no candidate could fill")


class PartnerResult(BaseModel):
    query: PartnerQuery
    members: list[Member]
    unknown_members: list[str]
    partners: list[Candidate]
    gaps: Gaps
    candidates_considered: int


# --- Index ----------------------------------------------------------------------------------------------
def _row_normalise(m: sp.csr_matrix) -> sp.csr_matrix:
    sums = np.asarray(m.sum(axis=1)).ravel()
    inv = np.divide(1.0, sums, out=np.zeros_like(sums), where=sums > 0)
    return sp.csr_matrix(sp.diags(inv) @ m)


@dataclass
class Scored:
    """Every actor's score and signals for one query (arrays over the index's actors)."""

    score: np.ndarray
    signals: dict[str, np.ndarray]
    eligible: np.ndarray
    members: list[int]
    project_topic: np.ndarray
    fills_country: np.ndarray
    fills_kind: np.ndarray
    favoured: np.ndarray


class PartnerIndex:
    """Sparse matrices over all actors and projects; build once, query many times (thread-safe reads)."""

    def __init__(
        self, actors: Iterable[Actor], projects: Iterable[Project], participations: Iterable[Participation]
    ) -> None:
        self.actors: list[Actor] = sorted(actors, key=lambda a: a.id)
        self.projects: list[Project] = sorted(projects, key=lambda p: p.id)
        self.actor_pos = {a.id: i for i, a in enumerate(self.actors)}
        self.project_pos = {p.id: j for j, p in enumerate(self.projects)}
        n_a, n_p = len(self.actors), len(self.projects)
        rows, cols, coord = [], [], []
        for part in participations:
            i, j = self.actor_pos.get(part.actor_id), self.project_pos.get(part.project_id)
            if i is None or j is None:
                continue
            rows.append(i)
            cols.append(j)
            coord.append(part.role in (Role.coordinator, Role.project_owner))
        data = np.ones(len(rows))
        self.B = sp.csr_matrix((data, (rows, cols)), shape=(n_a, n_p))
        self.B.data[:] = 1.0  # duplicates summed: back to 0/1
        self.BT = sp.csr_matrix(self.B.T)
        coord_m = sp.csr_matrix((np.asarray(coord, dtype=float), (rows, cols)), shape=(n_a, n_p))
        coord_m.data = np.minimum(coord_m.data, 1.0)
        self.coordinated = np.asarray(coord_m.sum(axis=1)).ravel()
        self.n_projects = np.asarray(self.B.sum(axis=1)).ravel()
        self.size = np.asarray(self.B.sum(axis=0)).ravel()
        self.year = np.array([p.start.year if p.start else -1 for p in self.projects], dtype=np.int64)
        known = self.year[self.year > 0]
        self.max_year = int(known.max()) if known.size else 2000
        self.min_year = int(known.min()) if known.size else 2000
        # Collaboration graph (weighted projection), its binary form and each actor's partner count.
        a = sp.csr_matrix(self.B @ self.BT)
        a.setdiag(0)
        a.eliminate_zeros()
        a.sort_indices()
        self.A = a
        self.A_bin = a.copy()
        self.A_bin.data[:] = 1.0
        self.partner_count = np.asarray(self.A_bin.sum(axis=1)).ravel()
        self._inv_log_deg = 1.0 / np.log(np.maximum(self.partner_count, 2.0))
        self._walk = self._walk_matrices(self.B)
        # Attributes as arrays for fast filters.
        self.country = np.array([a.country or "" for a in self.actors], dtype=object)
        self.county = np.array(
            [a.county_code or county_from_nuts(a.nuts3) or "" for a in self.actors], dtype=object
        )
        self.kind = np.array([a.kind.value for a in self.actors], dtype=object)
        self.sme = np.array([bool(a.sme) for a in self.actors])
        self._build_text()
        self._build_keys()

    # -- construction helpers
    @classmethod
    def from_store(cls, store: GraphStore) -> PartnerIndex:
        # Units count for their parent legal entity (graph.projection.rolled_up; INNOGRAPH_UNITS_APART=1)
        actors, parts = rolled_up(
            store.iter_actors(), store.iter_participations(), units_apart=Settings().units_apart
        )
        return cls(actors, store.iter_projects(), parts)

    @staticmethod
    def _walk_matrices(b: sp.csr_matrix) -> tuple[sp.csr_matrix, sp.csr_matrix]:
        """(actor→project, project→actor) transition matrices, transposed for `M @ x` products."""
        a_to_p = _row_normalise(b)
        p_to_a = _row_normalise(sp.csr_matrix(b.T))
        return sp.csr_matrix(a_to_p.T), sp.csr_matrix(p_to_a.T)

    def _build_text(self) -> None:
        vocab: dict[str, int] = {}
        rows, cols, tfs = [], [], []
        lengths = np.zeros(len(self.projects))
        for j, p in enumerate(self.projects):
            counts = Counter(project_tokens(p))
            lengths[j] = sum(counts.values())
            for t, c in counts.items():
                rows.append(j)
                cols.append(vocab.setdefault(t, len(vocab)))
                tfs.append(c)
        self.vocab = vocab
        n_p = len(self.projects)
        tf = np.asarray(tfs, dtype=float)
        df = np.bincount(np.asarray(cols, dtype=np.int64), minlength=len(vocab)).astype(float)
        self.idf = np.log(1.0 + (n_p - df + 0.5) / (df + 0.5))
        avgdl = float(lengths.mean()) if n_p and lengths.mean() > 0 else 1.0
        dl = lengths[np.asarray(rows, dtype=np.int64)] if rows else np.zeros(0)
        col_arr = np.asarray(cols, dtype=np.int64)
        w = self.idf[col_arr] * tf * (BM25_K1 + 1) / (tf + BM25_K1 * (1 - BM25_B + BM25_B * dl / avgdl))
        self.P = sp.csc_matrix((w, (rows, cols)), shape=(n_p, len(vocab)))

    def _build_keys(self) -> None:
        self.keys: dict[str, int] = {}
        names: dict[str, set[int]] = {}
        for i, a in enumerate(self.actors):
            for k in a.identity_keys():
                self.keys.setdefault(k, i)
            if a.id.startswith("cordis:"):
                self.keys.setdefault("pic:" + a.id.removeprefix("cordis:"), i)
            for n in (a.name, *a.aliases):
                names.setdefault(fold(n), set()).add(i)
        self.names = {n: next(iter(s)) for n, s in names.items() if len(s) == 1 and n}

    # -- queries
    def resolve(self, key: str, store: GraphStore | None = None) -> int | None:
        """An actor's position from its id, any identity key, a bare PIC, or an unambiguous name."""
        k = key.strip()
        if k in self.keys:
            return self.keys[k]
        if k.isdigit() and f"pic:{k}" in self.keys:
            return self.keys[f"pic:{k}"]
        if store is not None:
            found = store.lookup_keys([k])
            if k in found and found[k] in self.actor_pos:
                return self.actor_pos[found[k]]
        if fold(k) in self.names:
            return self.names[fold(k)]
        if store is not None and ":" not in k:
            hits, total = store.search_actors(k, limit=2)
            if total == 1 and hits[0].id in self.actor_pos:
                return self.actor_pos[hits[0].id]
        return None

    def topic_scores(self, tokens: Sequence[str]) -> np.ndarray:
        """BM25 score of every project for the query tokens (0 where nothing matches)."""
        counts = Counter(t for t in tokens if t in self.vocab)
        if not counts:
            return np.zeros(len(self.projects))
        cols = [self.vocab[t] for t in counts]
        qw = np.array([counts[t] for t in counts], dtype=float)
        return np.asarray(self.P[:, cols] @ qw).ravel()

    @staticmethod
    def actor_topic(b: sp.csr_matrix, proj_topic: np.ndarray, n: np.ndarray) -> np.ndarray:
        """An actor's topic relevance from its projects' BM25 scores (before scaling to [0, 1]).

        Each project counts (score / best score)², so close matches dominate and the many projects
        that share one common word with the call add little; projects below TOPIC_MIN_MATCH of the
        best count nothing. The signal mixes the best single project (a specialist with one project
        right on the topic), depth (log of the sum over projects) and focus (the share of the actor's
        projects that are on the topic, smoothed by TOPIC_FOCUS_PRIOR projects), so a large
        organisation does not win on volume alone.
        """
        top = proj_topic.max() if proj_topic.size else 0.0
        if top <= 0:
            return np.zeros(b.shape[0])
        r = (proj_topic / top) ** 2
        r[proj_topic < TOPIC_MIN_MATCH * top] = 0.0
        on_topic = np.asarray(b @ r).ravel()
        depth = np.log1p(on_topic)
        depth_max = depth.max()
        depth = depth / depth_max if depth_max > 0 else depth
        focus = on_topic / (n + TOPIC_FOCUS_PRIOR)
        focus_max = focus.max()
        focus = focus / focus_max if focus_max > 0 else focus
        best = np.zeros(b.shape[0])
        rows = np.flatnonzero(np.diff(b.indptr))  # actors with at least one project
        if rows.size:
            best[rows] = np.maximum.reduceat(r[b.indices], b.indptr[rows])
        return 0.4 * best + 0.3 * depth + 0.3 * focus

    def pagerank(self, members: Sequence[int], walk: tuple[sp.csr_matrix, sp.csr_matrix]) -> np.ndarray:
        """Personalised PageRank from the members on the actor–project graph, read on the actors."""
        s = np.zeros(len(self.actors))
        s[list(members)] = 1.0 / len(members)
        x = s.copy()
        a_to_p, p_to_a = walk
        for _ in range(PAGERANK_ITERATIONS):
            nxt = PAGERANK_RESTART * s + (1 - PAGERANK_RESTART) * (p_to_a @ (a_to_p @ x))
            done = np.abs(nxt - x).sum() < PAGERANK_TOLERANCE
            x = nxt
            if done:
                break
        return x

    def adamic_adar(self, members: Sequence[int]) -> np.ndarray:
        """Σ over members m and shared partners z of 1 / log(partners of z) (Adamic & Adar 2003)."""
        if not members:
            return np.zeros(len(self.actors))
        via = np.asarray(self.A_bin[list(members)].sum(axis=0)).ravel() * self._inv_log_deg
        return np.asarray(self.A_bin @ via).ravel()

    def score(self, q: PartnerQuery, members: Sequence[int]) -> Scored:
        """Score every actor for the query; members and filtered-out actors get eligible=False."""
        n_a = len(self.actors)
        b, walk = self.B, self._walk
        ref_year = self.max_year
        if q.year_from is not None or q.year_to is not None:
            lo = q.year_from if q.year_from is not None else -(10**6)
            hi = q.year_to if q.year_to is not None else 10**6
            in_period = (self.year >= lo) & (self.year <= hi)
            b = sp.csr_matrix(self.B @ sp.diags(in_period.astype(float)))
            b.eliminate_zeros()
            walk = self._walk_matrices(b)
            ref_year = min(hi, self.max_year)
        n_proj = self.n_projects if b is self.B else np.asarray(b.sum(axis=1)).ravel()
        eligible = n_proj > 0
        eligible[list(members)] = False
        if q.countries:
            eligible &= np.isin(self.country, q.countries)
        if q.exclude_countries:
            eligible &= ~np.isin(self.country, q.exclude_countries)

        # Topic.
        tokens = query_tokens(q.topic, [*q.topic_codes, *q.programme_parts, *q.themes])
        proj_topic = self.topic_scores(tokens)
        topic = self.actor_topic(b, proj_topic, n_proj)
        # Network.
        m = np.zeros(n_a)
        m[list(members)] = 1.0
        overlap = np.asarray(b.T @ m).ravel()
        size = np.maximum(self.size if b is self.B else np.asarray(b.sum(axis=0)).ravel(), 1.0)
        reform = np.asarray(b @ (overlap**2 / size)).ravel()
        ppr = self.pagerank(members, walk) if members else np.zeros(n_a)
        aa = self.adamic_adar(members)
        # Activity.
        coord = self.coordinated if b is self.B else np.zeros(n_a)
        track = np.log1p(n_proj + 0.5 * coord)
        years = np.where(self.year > 0, self.year, ref_year)
        decay = np.where(years <= ref_year, RECENCY_DECAY ** np.maximum(ref_year - years, 0), 0.0)
        recency = np.asarray(b @ decay).ravel()

        signals = {
            "topic": topic,
            "reformation": reform,
            "pagerank": ppr,
            "adamic_adar": aa,
            "track_record": track,
            "recency": recency,
        }
        for name, v in signals.items():
            top = v[eligible].max() if eligible.any() else 0.0
            signals[name] = v / top if top > 0 else np.zeros(n_a)

        score = np.zeros(n_a)
        has_topic = bool(tokens) and signals["topic"].any()
        gate = TOPIC_FLOOR + (1 - TOPIC_FLOOR) * signals["topic"] if has_topic else 1.0
        for name in ("reformation", "pagerank", "adamic_adar", "track_record", "recency"):
            score += WEIGHTS[name] * signals[name] * gate
        score += WEIGHTS["topic"] * signals["topic"]

        # Constraints.
        present = {self.country[i] for i in members if self.country[i]}
        need_countries = max(q.min_countries - len(present), 0)
        fills_country = (
            ~np.isin(self.country, sorted(present)) & (self.country != "")
            if need_countries
            else np.zeros(n_a, bool)
        )
        missing = self.missing_kinds(q.kinds, members)
        fills_kind = np.zeros(n_a, bool)
        for k in missing:
            fills_kind |= self.sme if k == SME else (self.kind == k)
        favoured = np.isin(self.county, q.favour_counties) if q.favour_counties else np.zeros(n_a, bool)
        score += WEIGHTS["fills_country"] * fills_country * gate
        score += WEIGHTS["fills_kind"] * fills_kind * gate
        score += WEIGHTS["favoured_region"] * favoured * gate
        score = np.where(eligible, score, -1.0)
        return Scored(
            score, signals, eligible, list(members), proj_topic, fills_country, fills_kind, favoured
        )

    def missing_kinds(self, wanted: Sequence[str], members: Sequence[int]) -> list[str]:
        have = {self.kind[i] for i in members} | ({SME} if any(self.sme[i] for i in members) else set())
        return [k for k in wanted if k not in have]

    def ranked(self, scored: Scored, k: int) -> list[int]:
        """The top-k eligible actors, by score then id (deterministic)."""
        idx = np.flatnonzero(scored.eligible & (scored.score > 0))
        if idx.size > k:
            part = np.argpartition(-scored.score[idx], k - 1)[:k]
            cut = scored.score[idx[part]].min()
            idx = idx[scored.score[idx] >= cut]
        return sorted(idx.tolist(), key=lambda i: (-scored.score[i], self.actors[i].id))[:k]

    # -- explanations
    def actor_projects(self, i: int) -> np.ndarray:
        return self.B.indices[self.B.indptr[i] : self.B.indptr[i + 1]]

    def partners_of(self, i: int) -> np.ndarray:
        return self.A.indices[self.A.indptr[i] : self.A.indptr[i + 1]]

    def _pref(self, j: int) -> ProjectRef:
        p = self.projects[j]
        return ProjectRef(id=p.id, acronym=p.acronym, title=p.title, year=p.start.year if p.start else None)

    def _plabel(self, j: int) -> str:
        p = self.projects[j]
        label = p.acronym or p.title
        return f"{p.id} {label}" + (f" ({p.start.year})" if p.start else "")

    def _shared(self, i: int, k: int) -> np.ndarray:
        return np.intersect1d(self.actor_projects(i), self.actor_projects(k), assume_unique=True)

    def explain(self, i: int, s: Scored, q: PartnerQuery) -> Candidate:
        a = self.actors[i]
        reasons: list[str] = []
        projs = self.actor_projects(i)
        # Topic.
        floor = TOPIC_MIN_MATCH * s.project_topic.max() if s.project_topic.size else 0.0
        on_topic = projs[(s.project_topic[projs] > 0) & (s.project_topic[projs] >= floor)]
        n_all = int(on_topic.size)
        on_topic = on_topic[np.lexsort((on_topic, -s.project_topic[on_topic]))][:3]
        refs = [self._pref(int(j)) for j in on_topic]
        if on_topic.size:
            reasons.append(
                f"{n_all} past project{'s' * (n_all != 1)} on the topic, e.g. "
                + "; ".join(self._plabel(int(j)) for j in on_topic)
            )
        # Network: direct collaborations, else a path through a shared partner.
        worked: list[str] = []
        for mi in s.members:
            shared = self._shared(i, mi)
            shared = shared[np.lexsort((shared, -s.project_topic[shared]))]
            if shared.size:
                worked.append(self.actors[mi].id)
                reasons.append(
                    f"already worked with member {self.actors[mi].name} on {shared.size} "
                    f"project{'s' * (shared.size != 1)}: "
                    + "; ".join(self._plabel(int(j)) for j in shared[:3])
                )
        path: list[str] = []
        if not worked and s.members:
            path = self._path(i, s.members)
            if path:
                n_common = int(
                    np.intersect1d(
                        self.partners_of(i),
                        np.unique(np.concatenate([self.partners_of(m) for m in s.members])),
                    ).size
                )
                reasons.append(
                    f"shares {n_common} partner{'s' * (n_common != 1)} with the consortium; network path: "
                    + " → ".join(path)
                )
        # Track record.
        n = int(projs.size)
        coord = int(self.coordinated[i])
        yrs = self.year[projs]
        last = int(yrs.max()) if yrs.size and yrs.max() > 0 else None
        reasons.append(
            f"track record: {n} project{'s' * (n != 1)}"
            + (f", {coord} as coordinator" if coord else "")
            + (f", last started {last}" if last else "")
        )
        # Gaps.
        fills: list[str] = []
        if s.fills_country[i]:
            fills.append(f"country:{a.country}")
            reasons.append(f"brings a new country ({a.country}) that the consortium needs")
        if s.fills_kind[i]:
            missing = self.missing_kinds(q.kinds, s.members)
            got = [k for k in missing if (k == SME and self.sme[i]) or self.kind[i] == k]
            fills.extend(f"kind:{k}" for k in got)
            reasons.append("fills a wanted kind: " + ", ".join("an SME" if k == SME else k for k in got))
        if s.favoured[i]:
            county = COUNTIES[self.county[i]]
            reasons.append(f"in a favoured region ({county.name})")
        ids = {k: v for k, v in (("pic", a.pic), ("vat", a.vat), ("orgnr", a.orgnr)) if v}
        if "pic" not in ids and a.id.startswith("cordis:"):
            ids["pic"] = a.id.removeprefix("cordis:")
        return Candidate(
            actor_id=a.id,
            name=a.name,
            kind=a.kind.value,
            country=a.country,
            county_code=a.county_code,
            score=round(float(s.score[i]), 6),
            signals={k: round(float(v[i]), 4) for k, v in s.signals.items()},
            reasons=reasons,
            identifiers=ids,
            topic_projects=refs,
            worked_with=worked,
            path=path,
            fills=fills,
            projects=n,
            coordinated=coord,
            last_year=last,
        )

    def _weights(self, i: int, cols: np.ndarray) -> np.ndarray:
        """Shared-project counts A[i, cols] for sorted partner positions `cols` of actor i."""
        lo, hi = self.A.indptr[i], self.A.indptr[i + 1]
        return np.asarray(self.A.data[lo:hi][np.searchsorted(self.A.indices[lo:hi], cols)])

    def _path(self, i: int, members: Sequence[int]) -> list[str]:
        """Candidate → project → shared partner → project → member, through the strongest shared partner."""
        mine = self.partners_of(i)
        best: tuple[float, int, int] | None = None  # (-strength, shared partner, member): smallest wins
        for mi in members:
            common = np.intersect1d(mine, self.partners_of(mi), assume_unique=True)
            if not common.size:
                continue
            strength = self._weights(i, common) + self._weights(mi, common)
            k = int(np.argmax(strength))  # first maximum: the smallest id (actors are sorted by id)
            key = (-float(strength[k]), int(common[k]), mi)
            if best is None or key[:2] < best[:2]:
                best = key
        if best is None:
            return []
        _, z, mi = best
        p1 = int(self._shared(i, z)[0])
        p2 = int(self._shared(z, mi)[0])
        return [
            self.actors[i].name,
            f"[{self._plabel(p1)}]",
            self.actors[z].name,
            f"[{self._plabel(p2)}]",
            f"{self.actors[mi].name} (member)",
        ]

    def gaps(self, q: PartnerQuery, s: Scored, pool: Sequence[int]) -> Gaps:
        """What the consortium lacks and the greedy smallest set of pool candidates that fills it."""
        present = sorted({self.country[i] for i in s.members if self.country[i]})
        need = max(q.min_countries - len(present), 0)
        missing = self.missing_kinds(q.kinds, s.members)
        have_c = set(present)
        need_k = set(missing)
        cover: list[str] = []
        cover_fills: dict[str, list[str]] = {}
        chosen: set[int] = set()
        while need > 0 or need_k:
            best, best_gain, best_fills = -1, 0, []
            for i in pool:  # pool is in rank order: ties go to the better-ranked candidate
                if i in chosen:
                    continue
                f = []
                if need > 0 and self.country[i] and self.country[i] not in have_c:
                    f.append(f"country:{self.country[i]}")
                f.extend(
                    f"kind:{k}" for k in sorted(need_k) if (self.sme[i] if k == SME else self.kind[i] == k)
                )
                if len(f) > best_gain:
                    best, best_gain, best_fills = i, len(f), f
            if best < 0:
                break
            chosen.add(best)
            cover.append(self.actors[best].id)
            cover_fills[self.actors[best].id] = best_fills
            for fill in best_fills:
                kind, _, v = fill.partition(":")
                if kind == "country":
                    have_c.add(v)
                    need -= 1
                else:
                    need_k.discard(v)
        unfilled = ([f"{need} more countr{'ies' if need != 1 else 'y'}"] if need > 0 else []) + [
            f"kind:{k}" for k in sorted(need_k)
        ]
        return Gaps(
            countries_present=present,
            countries_needed=max(q.min_countries - len(present), 0),
            kinds_missing=missing,
            cover=cover,
            cover_fills=cover_fills,
            unfilled=unfilled,
        )

    def find(self, q: PartnerQuery, store: GraphStore | None = None) -> PartnerResult:
        members: list[Member] = []
        positions: list[int] = []
        unknown: list[str] = []
        for key in q.members:
            i = self.resolve(key, store)
            if i is None:
                unknown.append(key)
                continue
            if i in positions:
                continue
            positions.append(i)
            a = self.actors[i]
            members.append(Member(key=key, actor_id=a.id, name=a.name, country=a.country, kind=a.kind.value))
        s = self.score(q, positions)
        pool = self.ranked(s, max(q.top, GREEDY_POOL))
        partners = [self.explain(i, s, q) for i in pool[: q.top]]
        return PartnerResult(
            query=q,
            members=members,
            unknown_members=unknown,
            partners=partners,
            gaps=self.gaps(q, s, pool),
            candidates_considered=int(s.eligible.sum()),
        )


# --- One index per store and version ---------------------------------------------------------------
def partner_index(store: GraphStore) -> PartnerIndex:
    """The index of this store's current version: built once, kept by `graph.cache` (in memory and beside
    the store, so another process loads it instead of building it)."""
    return derived(store, "partners:index", lambda: PartnerIndex.from_store(store))


def find_partners(store: GraphStore, query: PartnerQuery) -> PartnerResult:
    """Rank candidate partners for a call; see the module docstring. The API and the CLI call this."""
    return partner_index(store).find(query, store)


def parse_query(data: dict[str, Any], where: str = "query") -> PartnerQuery:
    """A `PartnerQuery` from a JSON object (batch mode), accepting a few friendly aliases."""
    if not isinstance(data, dict):
        raise InvalidInput(f"{where}: expected a JSON object")
    d = dict(data)
    d.pop("id", None)
    for alias, name in (
        ("with", "members"),
        ("country", "countries"),
        ("exclude_country", "exclude_countries"),
        ("kind", "kinds"),
        ("favour_county", "favour_counties"),
        ("from", "year_from"),
        ("to", "year_to"),
    ):
        if alias in d:
            d[name] = d.pop(alias)
    for name in ("members", "countries", "exclude_countries", "kinds", "favour_counties", "topic_codes"):
        if isinstance(d.get(name), str):
            d[name] = [d[name]]
    try:
        return PartnerQuery.model_validate(d)
    except ValueError as e:
        first = e.errors()[0] if hasattr(e, "errors") else None
        text = first["msg"].removeprefix("Value error, ") if first else str(e)
        msg = f"{'.'.join(map(str, first['loc'][:1]))}: {text}" if first else text
        raise InvalidInput(f"{where}: {msg}") from e


__all__ = [
    "WEIGHTS",
    "Candidate",
    "Gaps",
    "Member",
    "PartnerIndex",
    "PartnerQuery",
    "PartnerResult",
    "find_partners",
    "parse_query",
    "partner_index",
]
