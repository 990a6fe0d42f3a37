"""`run_analysis`: one analysis for a scope, typed by its name, computed once per store version.

The dispatcher only: the graphs and whole-graph scores are `graph.analysis.prepared`, the six result
builders `graph.analysis.results`. `run_analysis(store, "counties", scope)` is typed
`CountiesResult` (one overload per name in `AnalysisName`), so callers use the result's fields
without `isinstance`; a name known only at run time (the CLI's and the API's loops over `ANALYSES`)
gets the union `AnalysisResult`. Each answer is derived data of the store version (`on_graphs`): kept
in memory and beside the store, so a new CLI process answers from what the server or the ingest
computed.

Examples
--------
>>> import tempfile, pathlib
>>> from graph.store.sqlite import SqliteStore
>>> store = SqliteStore(pathlib.Path(tempfile.mkdtemp()) / "g.db"); store.init_schema()
>>> run_analysis(store, "counties", Scope(counties=("10",))).counties[0].name
'Blekinge län'
>>> run_analysis(store, "nonsense")
Traceback (most recent call last):
...
graph.errors.InvalidInput: unknown analysis 'nonsense': use one of centrality, brokerage, communities, isolated, counties, themes
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal, get_args, overload

from graph.analysis.isolation import ISOLATION_LISTS
from graph.analysis.models import (
    AnalysisResult,
    BrokerageResult,
    CentralityResult,
    CommunitiesResult,
    CountiesResult,
    IsolatedResult,
    ThemesResult,
)
from graph.analysis.prepared import SCORE_SETTINGS, Prepared, clear_cache, on_graphs, prepare
from graph.analysis.results import (
    brokerage_result,
    centrality_result,
    communities_result,
    counties_result,
    isolated_result,
    themes_result,
)
from graph.analysis.scope import Scope
from graph.errors import InvalidInput
from graph.store.base import GraphStore

__all__ = [
    "ANALYSES",
    "BUILDERS",
    "CUT_ONLY",
    "SCORE_SETTINGS",
    "AnalysisName",
    "Prepared",
    "clear_cache",
    "on_graphs",
    "prepare",
    "result_key",
    "run_analysis",
]

AnalysisName = Literal["centrality", "brokerage", "communities", "isolated", "counties", "themes"]
ANALYSES: tuple[AnalysisName, ...] = get_args(AnalysisName)

#: Each analysis's builder, `(Prepared, Scope, top) -> its result`.
BUILDERS: dict[str, Callable[[Prepared, Scope, int | None], AnalysisResult]] = {
    "centrality": centrality_result,
    "brokerage": brokerage_result,
    "communities": communities_result,
    "isolated": isolated_result,
    "counties": counties_result,
    "themes": themes_result,
}

#: Analyses whose `top` does nothing but cut their ranked lists (centrality's note and brokerage's
#: bridges depend on it, so those two are computed per `top`), and the lists it cuts.
CUT_ONLY: dict[str, tuple[str, ...]] = {
    "communities": ("communities",),
    "isolated": ISOLATION_LISTS,
    "counties": ("pairs",),
    "themes": ("themes",),
}


@overload
def run_analysis(
    store: GraphStore, name: Literal["centrality"], scope: Scope | None = None, top: int | None = None
) -> CentralityResult: ...
@overload
def run_analysis(
    store: GraphStore, name: Literal["brokerage"], scope: Scope | None = None, top: int | None = None
) -> BrokerageResult: ...
@overload
def run_analysis(
    store: GraphStore, name: Literal["communities"], scope: Scope | None = None, top: int | None = None
) -> CommunitiesResult: ...
@overload
def run_analysis(
    store: GraphStore, name: Literal["isolated"], scope: Scope | None = None, top: int | None = None
) -> IsolatedResult: ...
@overload
def run_analysis(
    store: GraphStore, name: Literal["counties"], scope: Scope | None = None, top: int | None = None
) -> CountiesResult: ...
@overload
def run_analysis(
    store: GraphStore, name: Literal["themes"], scope: Scope | None = None, top: int | None = None
) -> ThemesResult: ...
@overload
def run_analysis(
    store: GraphStore, name: str, scope: Scope | None = None, top: int | None = None
) -> AnalysisResult: ...
def run_analysis(
    store: GraphStore, name: str, scope: Scope | None = None, top: int | None = None
) -> AnalysisResult:
    """Run one analysis (`ANALYSES`) for a scope (default South Sweden); `top` cuts each ranked list.

    Raises `InvalidInput` for an unknown name or a `top` below 1.
    """
    build = BUILDERS.get(name)
    if build is None:
        raise InvalidInput(f"unknown analysis {name!r}: use one of {', '.join(ANALYSES)}")
    if top is not None and top < 1:
        raise InvalidInput(f"top must be at least 1, got {top}")
    scope = scope or Scope()
    cut = CUT_ONLY.get(name)
    if top is not None and cut:
        # `top` only shortens these results' lists: cut the full result rather than compute again
        full = run_analysis(store, name, scope, None)
        return full.model_copy(update={f: getattr(full, f)[:top] for f in cut})
    return on_graphs(store, result_key(name, scope, top), lambda p: build(p, scope, top))


def result_key(name: str, scope: Scope, top: int | None) -> str:
    """The cache key of one `run_analysis` answer (the scope's fields, in order)."""
    return f"analysis:{name}:{scope!r}:{top}:{SCORE_SETTINGS}"
