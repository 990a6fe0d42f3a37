"""The narrow interface every store implements, in the words of the domain.

Two implementations: `SqliteStore` (the embedded default, a real database file) and `Neo4jStore`
(production, over Bolt). One contract test suite (`tests/test_store_contract.py`) runs against both.

Writes go through `store.writer()`: a context manager that is one transaction. Leaving it normally
commits; an exception rolls everything back, so a whole-source ingest is all or nothing.
Upserts merge with what is stored (`graph.model.merge_*`), so writing the same record twice changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Protocol

import networkx as nx
from pydantic import BaseModel

from graph.model import Actor, ActorKind, County, Participation, Project, Theme


@dataclass(frozen=True)
class ActorFilter:
    """Filters for actor search; each tuple is "any of", and all given filters must hold."""

    county: tuple[str, ...] = ()
    kind: tuple[ActorKind, ...] = ()
    country: tuple[str, ...] = ()
    programme: tuple[str, ...] = ()
    theme: tuple[str, ...] = ()


@dataclass(frozen=True)
class ProjectFilter:
    programme: tuple[str, ...] = ()
    theme: tuple[str, ...] = ()
    actor: str | None = None


@dataclass
class UpsertCounts:
    created: int = 0
    merged: int = 0

    def add(self, other: UpsertCounts) -> None:
        self.created += other.created
        self.merged += other.merged


@dataclass
class Neighbourhood:
    """An actor's ego network: the actors within `depth` collaboration hops and the projects that link them."""

    center: Actor
    depth: int
    actors: list[Actor]
    projects: list[Project]
    participations: list[Participation]
    capped: bool = False
    hops: dict[str, int] = field(default_factory=dict)


class Stats(BaseModel):
    actors: int
    projects: int
    participations: int
    counties: int
    themes: int
    actors_by_kind: dict[str, int]
    actors_by_county: dict[str, int]
    actors_by_country: dict[str, int]
    projects_by_programme: dict[str, int]


class Writer(Protocol):
    def upsert_actors(self, actors: Iterable[Actor]) -> UpsertCounts: ...
    def upsert_projects(self, projects: Iterable[Project]) -> UpsertCounts: ...
    def upsert_participations(self, participations: Iterable[Participation]) -> UpsertCounts: ...
    def upsert_counties(self, counties: Iterable[County]) -> UpsertCounts: ...
    def upsert_themes(self, themes: Iterable[Theme]) -> UpsertCounts: ...
    def remove_actor_key(self, key: str) -> None: ...


class GraphStore(Protocol):
    """What ingest, analysis and the API need from a store, and nothing more."""

    def init_schema(self) -> None:
        """Create tables/constraints/indexes; explicit, never done by a constructor."""

    def writer(self) -> AbstractContextManager[Writer]:
        """One transaction for a batch of upserts: commit on exit, roll back on an exception."""

    def version(self) -> int:
        """A number that changes whenever committed data changes (for caching analysis)."""

    def get_actor(self, key: str) -> Actor:
        """By id or by any key the actor carries (`pic:…`, `cordis:…`, `vat:…`, `orgnr:…`). Raises NotFound."""

    def get_actors(self, ids: Iterable[str]) -> dict[str, Actor]: ...
    def get_project(self, project_id: str) -> Project: ...
    def get_projects(self, ids: Iterable[str]) -> dict[str, Project]: ...
    def lookup_keys(self, keys: Iterable[str]) -> dict[str, str]:
        """Map each known key to the id of the actor that carries it (unknown keys are left out)."""

    def iter_actors(self) -> Iterator[Actor]: ...
    def iter_projects(self) -> Iterator[Project]: ...
    def iter_participations(self) -> Iterator[Participation]: ...
    def participations(
        self, actor_id: str | None = None, project_id: str | None = None
    ) -> list[Participation]: ...
    def search_actors(
        self, query: str = "", filters: ActorFilter | None = None, limit: int = 50, offset: int = 0
    ) -> tuple[list[Actor], int]:
        """Accent-, case- and Swedish-letter-insensitive search on names and aliases; (page, total)."""

    def search_projects(
        self, query: str = "", filters: ProjectFilter | None = None, limit: int = 50, offset: int = 0
    ) -> tuple[list[Project], int]: ...
    def neighbourhood(self, actor_id: str, depth: int = 1, max_actors: int = 200) -> Neighbourhood: ...
    def counties(self) -> list[County]: ...
    def themes(self) -> list[Theme]: ...
    def stats(self) -> Stats: ...
    def to_networkx(self) -> nx.Graph:
        """The bipartite actor–project graph (see `graph.projection` for node and edge attributes)."""

    def close(self) -> None: ...
