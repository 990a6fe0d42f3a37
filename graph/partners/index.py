"""The partner index: every actor and project of a store as sparse matrices, built once per store version.

`build_index(store)` is the one entry (a picklable `PartnerIndex`); `partner_index(store)` asks
`graph.cache.derived` for it, so it is built once per store version and persisted beside the store.

Matrices (actors sorted by id, projects by id):
- B: actors × projects, 1 where the actor took part; C: the same, 1 where it coordinated;
- A = B·Bᵀ without the diagonal: shared projects per pair. B, C and A come from
  `graph.projection` (`incidence`, `collaboration_matrix`), the one home of the projection;
- P: projects × words, BM25 weights (Robertson & Zaragoza 2009) of each project's title, acronym,
  objective, keywords, call-topic titles and fields of science;
- L: projects × call-code levels (0/1): `HORIZON-CL5-2023-D3-01-05` is cluster 5, destination 3,
  call 01, topic 05 (`graph.partners.text.code_levels`), and programme parts such as `SC5`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

import numpy as np
import scipy.sparse as sp

from graph.cache import PackedModels, derived
from graph.geo import county_from_nuts
from graph.model import Actor, Participation, Project
from graph.partners.text import CODE, code_levels, code_path, words
from graph.projection import collaboration_matrix, incidence, rolled_records, store_records
from graph.settings import Settings
from graph.store.base import GraphStore
from graph.text import fold

M = TypeVar("M", Actor, Project)
BM25_K1 = 1.2
BM25_B = 0.75
PAGERANK_RESTART = 0.7  # probability of jumping back to the members at each step (0.5–0.85 tested)
PAGERANK_ITERATIONS = 20  # at most; 0.3**20 < 1e-10
PAGERANK_TOLERANCE = 1e-6  # stop when an iteration moves less than this (L1); ~10 iterations


def _row_normalise(m: sp.csr_matrix) -> sp.csr_matrix:
    sums = np.asarray(m.sum(axis=1)).ravel()
    inv = np.divide(1.0, sums, out=np.zeros_like(sums), where=sums > 0)
    return sp.csr_matrix(sp.diags(inv) @ m)


def project_codes(p: Project) -> list[str]:
    """The code levels a project sits in: its call-topic codes and its programme part (year-less)."""
    levels: list[str] = []
    for t in p.topics:
        if CODE.match(t.strip()):
            levels.extend(code_levels(t))
    if p.programme_part:
        levels.extend(code_levels(p.programme_part))
    for t in p.themes:
        levels.extend(code_levels(t))
    return list(dict.fromkeys(levels))


def project_words(p: Project) -> list[str]:
    """A project's words: title and chosen words (keywords, topic titles, fields) twice, objective once."""
    toks = words(p.title) * 2 + words(p.acronym) + words(p.objective)
    for t in p.topics:
        if not CODE.match(t.strip()):
            toks.extend(words(t) * 2)
    return toks


class PartnerIndex:
    """Sparse matrices over all actors and projects; build once, query many times (thread-safe reads)."""

    def __init__(
        self, actors: Iterable[Actor], projects: Iterable[Project], participations: Iterable[Participation]
    ) -> None:
        self.actors: Sequence[Actor] = sorted(actors, key=lambda a: a.id)
        self.projects: Sequence[Project] = sorted(projects, key=lambda p: p.id)
        self.actor_pos = {a.id: i for i, a in enumerate(self.actors)}
        self.project_pos = {p.id: j for j, p in enumerate(self.projects)}
        self.B, self.C = incidence(self.actor_pos, self.project_pos, participations)
        self.BT = sp.csr_matrix(self.B.T)
        self.coordinated = np.asarray(self.C.sum(axis=1)).ravel()
        self.n_projects = np.asarray(self.B.sum(axis=1)).ravel()
        self.size = np.asarray(self.B.sum(axis=0)).ravel()
        self.year = np.array([p.start.year if p.start else -1 for p in self.projects], dtype=np.int64)
        known = self.year[self.year > 0]
        self.max_year = int(known.max()) if known.size else 2000
        self.min_year = int(known.min()) if known.size else 2000
        self.part = np.array([p.programme_part or "" for p in self.projects], dtype=object)
        # Collaboration graph (weighted projection), its binary form and each actor's partner count.
        self.A = collaboration_matrix(self.B)
        self.A_bin = self.A.copy()
        self.A_bin.data[:] = 1.0
        self.partner_count = np.asarray(self.A_bin.sum(axis=1)).ravel()
        self.inv_log_deg = 1.0 / np.log(np.maximum(self.partner_count, 2.0))
        # Attributes as arrays for fast filters.
        self.country = np.array([a.country or "" for a in self.actors], dtype=object)
        self.county = np.array(
            [a.county_code or county_from_nuts(a.nuts3) or "" for a in self.actors], dtype=object
        )
        self.kind = np.array([a.kind.value for a in self.actors], dtype=object)
        _, self.country_id = np.unique(self.country.astype(str), return_inverse=True)
        self.sme = np.array([bool(a.sme) for a in self.actors])
        self._build_text()
        self._build_codes()
        self._build_keys()
        self._derive()

    def _derive(self) -> None:
        """Arrays cheap to recompute from the kept ones (not kept beside the store: see `__getstate__`)."""
        a_bin = self.A.copy()
        a_bin.data[:] = 1.0
        self.A_bin = a_bin
        self.walk = self.walk_matrices(self.B)
        last = ((self.year > self.max_year - 2) & (self.year <= self.max_year)).astype(float)
        self.recent = np.asarray(self.B @ last).ravel()  # projects started in the last two years of the data
        kinds, self.kind_id = np.unique(self.kind.astype(str), return_inverse=True)
        self.kind_names = [str(k) for k in kinds]
        self.country_names = [str(c) for c in np.unique(self.country.astype(str))]  # by `country_id`

    def country_ids(self, countries: Iterable[str]) -> list[int]:
        """The `country_id` codes of these ISO codes (those no actor has are left out)."""
        pos = {c: k for k, c in enumerate(self.country_names)}
        return [pos[c] for c in countries if c in pos]

    # -- how it is kept beside the store (`graph.cache` pickles it) --------------------------------------
    def __getstate__(self) -> dict[str, Any]:
        """The arrays as they are; the records as JSON (`graph.cache.PackedModels`, built when read), the
        projects without their objectives, and nothing `_derive` rebuilds in milliseconds (`A_bin`, the
        walk matrices, kind codes): loading then takes about a second instead of ~10."""
        state = dict(self.__dict__)
        state["actors"] = _packed(Actor, self.actors)
        # A project's objective only feeds the BM25 matrix P, built already: not kept (half the bytes).
        state["projects"] = (
            self.projects
            if isinstance(self.projects, PackedModels)
            else PackedModels(Project, (p.model_copy(update={"objective": None}) for p in self.projects))
        )
        for k in ("A_bin", "walk", "recent", "kind_id", "kind_names", "country_names"):
            state.pop(k, None)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._derive()

    # -- construction helpers
    @classmethod
    def from_store(cls, store: GraphStore) -> PartnerIndex:
        # Units count for their parent legal entity (graph.projection.rolled_up; INNOGRAPH_UNITS_APART=1)
        # (read once per store version: `graph.projection.store_records`)
        actors, parts = rolled_records(store, units_apart=Settings().units_apart)
        return cls(actors, store_records(store).projects, parts)

    @staticmethod
    def walk_matrices(b: sp.csr_matrix) -> tuple[sp.csr_matrix, sp.csr_matrix]:
        """(actor→project, project→actor) transition matrices, transposed for `M @ x` products."""
        a_to_p = _row_normalise(b)
        p_to_a = _row_normalise(sp.csr_matrix(b.T))
        return sp.csr_matrix(a_to_p.T), sp.csr_matrix(p_to_a.T)

    def _build_text(self) -> None:
        vocab: dict[str, int] = {}
        rows, cols, tfs = [], [], []
        lengths = np.zeros(len(self.projects))
        for j, p in enumerate(self.projects):
            counts = Counter(project_words(p))
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

    def _build_codes(self) -> None:
        levels: dict[str, int] = {}
        rows, cols = [], []
        for j, p in enumerate(self.projects):
            for lv in project_codes(p):
                rows.append(j)
                cols.append(levels.setdefault(lv, len(levels)))
        self.levels = levels
        self.L = sp.csc_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(self.projects), len(levels)))

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

    # -- lookups
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

    def actor_projects(self, i: int) -> np.ndarray:
        return self.B.indices[self.B.indptr[i] : self.B.indptr[i + 1]]

    def coordinated_in(self, i: int, projects: np.ndarray) -> int:
        """How many of these project positions actor i coordinated (no sparse fancy indexing: ~50× faster)."""
        led = self.C.indices[self.C.indptr[i] : self.C.indptr[i + 1]]
        return int(np.isin(projects, led).sum()) if led.size else 0

    def partners_of(self, i: int) -> np.ndarray:
        return self.A.indices[self.A.indptr[i] : self.A.indptr[i + 1]]

    # -- primitive scores over all actors or projects
    def text_scores(self, tokens: Sequence[str]) -> np.ndarray:
        """BM25 score of every project for the query's words (0 where nothing matches)."""
        counts = Counter(t for t in tokens if t in self.vocab)
        if not counts:
            return np.zeros(len(self.projects))
        cols = [self.vocab[t] for t in counts]
        qw = np.array([counts[t] for t in counts], dtype=float)
        return np.asarray(self.P[:, cols] @ qw).ravel()

    def code_match(self, codes: Sequence[str]) -> np.ndarray:
        """Per project, the share of a query code's levels it sits in (best over the codes): 1 = same topic.

        For `HORIZON-CL5-2024-D3-01-05` a project of `HORIZON-CL5-2023-D3-01-05` scores 1 (same year-less
        topic), one of another destination-3 topic 0.6, one elsewhere in cluster 5 0.4.
        """
        best = np.zeros(len(self.projects))
        for code in codes:
            path = code_path(code)
            known = [self.levels[x] for x in path if x in self.levels]
            if not known:
                continue
            hits = np.asarray(self.L[:, known].sum(axis=1)).ravel() / len(path)
            best = np.maximum(best, hits)
        return best

    def pagerank(self, members: Sequence[int], walk: tuple[sp.csr_matrix, sp.csr_matrix]) -> np.ndarray:
        """Personalised PageRank (Jeh & Widom 2003) from the members on the actor–project graph."""
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
        via = np.asarray(self.A_bin[list(members)].sum(axis=0)).ravel() * self.inv_log_deg
        return np.asarray(self.A_bin @ via).ravel()


def _packed(model: type[M], items: Sequence[M]) -> PackedModels[M]:
    return items if isinstance(items, PackedModels) else PackedModels(model, items)


def build_index(store: GraphStore) -> PartnerIndex:
    """The partner index of a store: the single entry a per-store-version cache calls (picklable)."""
    return PartnerIndex.from_store(store)


# --- One index per store version ---------------------------------------------------------------------
def partner_index(store: GraphStore) -> PartnerIndex:
    """The index of this store's current version: built once by `build_index`, kept by `graph.cache`
    (in memory and beside the store, so another process loads it instead of building it)."""
    return derived(store, "partners:index", lambda: build_index(store))
