"""Partner finder for EU calls: ranked candidates with reasons, and the gaps of a consortium.

Given a call (free text and/or topic codes, programme parts, themes), the organisations already in
the consortium and some constraints, `find_partners(store, query)` returns candidate partners ranked
by a learned ranker over features a person can read, each with the evidence behind it.

The package by seam:
- `text` — words and call-topic codes (folding is `graph.text`'s);
- `index` — `PartnerIndex`, the store as sparse matrices, built by `build_index(store)` once per
  store version (`partner_index(store)`);
- `ranking` — the features of each candidate for one query and the learned ranker (`ranker.txt`);
- `explain` — reasons in words, "your existing network", funding eligibility, the gap cover, `find`;
- `query` — the pydantic query and result models shared by the CLI, the API and the pages.

For the API (`GET /partners`): build a `PartnerQuery` from the request parameters and call
`find_partners(store, query) -> PartnerResult`. Raises `InvalidInput` for a bad kind/county/country
or an empty query (neither a topic nor members).
"""

from __future__ import annotations

from graph.partners.explain import EMPTY_QUERY, find, is_empty
from graph.partners.index import PartnerIndex, build_index, partner_index
from graph.partners.query import (
    SME,
    Candidate,
    Gaps,
    Member,
    PartnerQuery,
    PartnerResult,
    ProjectRef,
    parse_query,
)
from graph.partners.ranking import FEATURES, score
from graph.partners.text import code_levels, code_path, code_tokens, query_tokens, words
from graph.store.base import GraphStore


def find_partners(store: GraphStore, query: PartnerQuery) -> PartnerResult:
    """Rank candidate partners for a call; see the module docstring. The API and the CLI call this."""
    return find(partner_index(store), query, store)


__all__ = [
    "EMPTY_QUERY",
    "FEATURES",
    "SME",
    "Candidate",
    "Gaps",
    "Member",
    "PartnerIndex",
    "PartnerQuery",
    "PartnerResult",
    "ProjectRef",
    "build_index",
    "code_levels",
    "code_path",
    "code_tokens",
    "find",
    "find_partners",
    "is_empty",
    "parse_query",
    "partner_index",
    "query_tokens",
    "score",
    "words",
]
