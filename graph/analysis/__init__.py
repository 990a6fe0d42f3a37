"""Network analysis of the collaboration graph: who brokers, who is isolated, which counties and themes do not meet.

One module per family of measures, each a set of plain functions over networkx graphs that cite
their source: `centrality`, `brokerage`, `communities`, `isolation`, `counties`, `themes`.
`run_analysis(store, name, scope, top)` (`run.py`, typed by the name: `"counties"` gives a
`CountiesResult`) reads the graphs and the whole-graph scores of the store's version (`prepared.py`:
`store.to_networkx()` and `graph.projection.collaboration_graph`, nodes and edges sorted so every
store gives the same graph, scores cached per store version) and builds the pydantic result
(`results.py`, one function per analysis).

Scope semantics (`Scope`):

- Scores are computed on the whole graph: degree, weighted degree, betweenness, PageRank, closeness,
  component size, constraint, effective size, communities and the partners counted by
  `bridges_counties`/`bridges_communities` use every actor and every project, whatever the scope.
- `counties` chooses whom results are reported for: actors whose `county_code` is one of them
  (default South Sweden's seven counties; `()` means every actor, and every Swedish county for the
  county matrix and theme gaps). The county matrix's null model is Sweden-wide whatever the counties
  (so a pair has one expected figure everywhere); the counties only choose the rows shown.
- Partial sources (`graph.model.Coverage`): projects that list only Swedish partners (Interreg) or
  only the owner (ERDF) never make an actor "isolated" or "local-only" (`partners_not_in_data` lists
  it apart), owner-only projects stay out of the county matrix, and isolated, counties and brokerage
  results carry `partial_sources`, the line every page shows.
- `programme`, `theme`, `start_year`/`end_year` choose which projects count. A project counts when
  its programme is one of `programme` (case-insensitive), it is on one of `theme` (its own theme ids,
  the S3 areas `graph.crosswalk` maps it onto, or its `programme_part`), and its start year lies in
  the period (inclusive; a project without a start date does not count once a period is given).
  When any of these is set:
  * centrality, brokerage and communities list only the scoped actors that take part in a counting
    project (their scores stay whole-graph);
  * the isolated lists, the county matrix, the theme gaps and the bridge-edge lists of brokerage are
    computed on the counting projects only (the collaboration graph of those projects): "no
    collaboration" then means no partner in a counting project.
- Lists are sorted deterministically (each result says how) and cut to `top` entries when given;
  floats are rounded to 6 significant digits (see `graph.analysis.models`).
"""

from graph.analysis.models import (
    ActorRef,
    AnalysisResult,
    BetweennessNote,
    BridgeEdge,
    BrokerageResult,
    BrokerageRow,
    BrokerSuggestion,
    CentralityResult,
    CentralityRow,
    CommunitiesResult,
    Community,
    CountiesResult,
    CountyPair,
    CountyRow,
    IsolatedActor,
    IsolatedResult,
    ScopeInfo,
    ThemeGap,
    ThemesResult,
)
from graph.analysis.run import ANALYSES, AnalysisName, clear_cache, prepare, run_analysis
from graph.analysis.scope import EU_PROGRAMMES, Scope

__all__ = [
    "ANALYSES",
    "EU_PROGRAMMES",
    "ActorRef",
    "AnalysisName",
    "AnalysisResult",
    "BetweennessNote",
    "BridgeEdge",
    "BrokerSuggestion",
    "BrokerageResult",
    "BrokerageRow",
    "CentralityResult",
    "CentralityRow",
    "CommunitiesResult",
    "Community",
    "CountiesResult",
    "CountyPair",
    "CountyRow",
    "IsolatedActor",
    "IsolatedResult",
    "Scope",
    "ScopeInfo",
    "ThemeGap",
    "ThemesResult",
    "clear_cache",
    "prepare",
    "run_analysis",
]
