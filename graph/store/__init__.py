"""Stores behind one interface; `open_store(settings)` picks the configured one."""

from __future__ import annotations

from graph.settings import Settings
from graph.store.base import (
    ActorFilter,
    GraphStore,
    Neighbourhood,
    ProjectFilter,
    Stats,
    UpsertCounts,
    Writer,
)

__all__ = [
    "ActorFilter",
    "GraphStore",
    "Neighbourhood",
    "ProjectFilter",
    "Stats",
    "UpsertCounts",
    "Writer",
    "open_store",
]


def open_store(settings: Settings) -> GraphStore:
    """The store the settings name. Does no I/O: connecting happens on first use."""
    if settings.store == "neo4j":
        from graph.store.neo4j import Neo4jStore  # imported late: the driver is only needed for production

        return Neo4jStore(settings)
    from graph.store.sqlite import SqliteStore

    return SqliteStore(settings.db_path, lock_timeout_s=settings.lock_timeout_s)
