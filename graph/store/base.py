"""The narrow interface every store implements, in the words of the domain.

Two implementations: `SqliteStore` (the embedded default, a real database file) and `Neo4jStore`
(production, over Bolt). One contract test suite (`tests/test_store_contract.py`) runs against both.

Writes go through `store.writer()`: a context manager that is one transaction. Leaving it normally
commits; an exception rolls everything back, so a whole-source ingest is all or nothing.
Upserts merge with what is stored through one pure function, `plan_upserts` (`graph.model.merge_*`), so
writing the same record twice changes nothing and both stores merge identically.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar, cast

import networkx as nx
from pydantic import BaseModel

from graph.geo import SOUTH_SWEDEN
from graph.model import (
    Actor,
    ActorKind,
    County,
    Participation,
    Project,
    Theme,
    merge_actor,
    merge_participation,
    merge_project,
    source_priority,
)


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


R = TypeVar("R", Actor, Project, Participation)
#: The derived-data key that marks a version's derived data complete (`GraphStore.write_derived`): the
#: stores keep that version's entries until a newer version is marked so.
COMPLETE_KEY = "derived:complete"

# The one merge of each record type; the stores never merge on their own.
_MERGE: dict[type, Callable[[Any, Any], Any]] = {
    Actor: merge_actor,
    Project: merge_project,
    Participation: merge_participation,
}


def record_key(record: Actor | Project | Participation) -> Hashable:
    """What identifies a stored record: an actor's or project's id, a participation's (actor, project)."""
    if isinstance(record, Participation):
        return (record.actor_id, record.project_id)
    return record.id


def collapse(records: Iterable[R]) -> dict[Hashable, R]:
    """The records of one batch with duplicates merged, keyed by `record_key`, in first-seen order.

    Merging is order-independent (`graph.model.merge_*`), so a batch that names a record twice gives the
    same result as two batches; the store then only has to read the collapsed keys.
    """
    out: dict[Hashable, R] = {}
    for r in records:
        k = record_key(r)
        out[k] = cast(R, _MERGE[type(r)](out[k], r)) if k in out else r
    return out


@dataclass(frozen=True)
class Upsert(Generic[R]):
    """One record to write: `new` is the merged result; `old` what was stored (None when created)."""

    new: R
    old: R | None


def plan_upserts(
    incoming: Mapping[Hashable, R], stored: Mapping[Hashable, R]
) -> tuple[list[Upsert[R]], UpsertCounts]:
    """Merge semantics of every store, once: each incoming record merged onto what is stored under its key.

    Pure: the backends read `stored` (only the incoming keys) and write `Upsert.new`; what a backend does
    beyond that (the Bolt store relinks a county when it changed) it decides from `Upsert.old`.

    >>> from graph.model import Actor
    >>> a = Actor(id="x:1", name="Region Blekinge", kind="regional_authority", country="SE")
    >>> plan, counts = plan_upserts(collapse([a, a]), {})
    >>> (len(plan), counts.created, counts.merged)
    (1, 1, 0)
    >>> plan, counts = plan_upserts(collapse([a]), {"x:1": a})
    >>> (plan[0].new == a, counts.created, counts.merged)
    (True, 0, 1)
    """
    counts = UpsertCounts()
    plan: list[Upsert[R]] = []
    for k, rec in incoming.items():
        old = stored.get(k)
        if old is None:
            counts.created += 1
            plan.append(Upsert(new=rec, old=None))
        else:
            counts.merged += 1
            plan.append(Upsert(new=cast(R, _MERGE[type(rec)](old, rec)), old=old))
    return plan, counts


def survivor_first(a: Actor, b: Actor) -> tuple[Actor, Actor]:
    """(survivor, loser) of two stored actors that prove to be one organisation: the one from the more
    authoritative source (`Actor.rank`: a reference identity before an agency register before CORDIS),
    then the one whose id is that source's record, then the smaller id. Decided by the two records alone, never by which was stored first, so that
    loading the sources in any order ends with the same actor."""
    return (a, b) if _survival(a) <= _survival(b) else (b, a)


def _survival(a: Actor) -> tuple[int, bool, str]:
    """Rank first; at the same rank the actor whose id is its best source's own record (a region's
    reference identity `se:region-…` rather than a CORDIS actor that carries it); then the id."""
    own = any(s.record == a.id and source_priority(s.source) == a.rank() for s in a.sources)
    return (-a.rank(), not own, a.id)


@dataclass(frozen=True)
class ActorMerge:
    """What a store writes when two stored actors prove to be one (`plan_actor_merge`).

    `survivor` replaces the stored survivor (its id, both records merged by `merge_actor`); the loser's
    node goes; `participations` are the loser's, moved to the survivor and merged with any the
    survivor already has in the same project; `units` are actors that named the loser (or the
    survivor, when the other was its unit) as parent, now naming the survivor; every key of the loser
    (its id included) then names the survivor, so `get_actor(loser id)` still finds it.
    """

    survivor: Actor
    loser: Actor
    participations: list[Upsert[Participation]]
    units: list[Actor]


def plan_actor_merge(
    survivor: Actor,
    loser: Actor,
    loser_parts: Iterable[Participation],
    survivor_parts: Mapping[Hashable, Participation],
    units: Iterable[Actor],
) -> ActorMerge:
    """The one merge of two stored actors, pure like `plan_upserts` (which it uses for the participations).

    `survivor_parts` are the survivor's participations in the loser's projects, keyed by `record_key`;
    `units` the actors whose `part_of` is the loser. A part-of link between the two disappears (an
    organisation is not its own unit).

    >>> from graph.model import Actor, Participation
    >>> a = Actor(id="se-org:1", name="Polismyndigheten", sources=[{"source": "scb-agencies", "record": "se-org:1"}])
    >>> b = Actor(id="cordis:9", name="Unnamed organisation (PIC 9)", sources=[{"source": "cordis", "record": "cordis:9"}])
    >>> s, l = survivor_first(b, a)
    >>> m = plan_actor_merge(s, l, [Participation(actor_id="cordis:9", project_id="p:1")], {}, [])
    >>> (m.survivor.id, m.survivor.name, [u.new.actor_id for u in m.participations])
    ('se-org:1', 'Polismyndigheten', ['se-org:1'])
    """
    merged = merge_actor(survivor, loser)
    if merged.part_of in (survivor.id, loser.id):
        merged = merged.model_copy(update={"part_of": None})
    moved = [p.model_copy(update={"actor_id": survivor.id}) for p in loser_parts]
    plan, _ = plan_upserts(collapse(moved), survivor_parts)
    relinked = [
        u.model_copy(update={"part_of": survivor.id})
        for u in units
        if u.id not in (survivor.id, loser.id) and u.part_of == loser.id
    ]
    return ActorMerge(survivor=merged, loser=loser, participations=plan, units=relinked)


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
    found: dict[int, int] = field(default_factory=dict)  # actors met at each hop, before the cap


WALK_CHUNK = 500  # ids per query in the walk; fixed here so every store caps at the same actors


def chunks(items: list[str], size: int) -> Iterator[list[str]]:
    """`items` in consecutive slices of at most `size`: every store batches ids into queries this way."""
    for i in range(0, len(items), size):
        yield items[i : i + size]


#: At depth 2, the share of the cap that direct partners may take, so that hop 2 always has room.
HOP1_SHARE = 0.6


def family_of(units: Callable[[str], list[Actor]], actor_id: str) -> list[str]:
    """The ids of an actor's units, their units and so on (`GraphStore.units`), each once."""
    out: dict[str, None] = {}
    todo = [actor_id]
    while todo:
        for u in units(todo.pop()):
            if u.id != actor_id and u.id not in out:
                out[u.id] = None
                todo.append(u.id)
    return list(out)


def tie_order(
    strength: dict[str, int], latest: dict[str, int], south: set[str]
) -> Callable[[str], tuple[int, int, int, str]]:
    """The order of ties every ego view uses: most shared projects, then South Swedish actors, then
    the most recent shared project (its start as a day number; unknown last), then the id."""
    return lambda a: (-strength[a], 0 if a in south else 1, -latest.get(a, 0), a)


def walk_neighbourhood(
    center: Actor,
    depth: int,
    max_actors: int,
    *,
    projects_of: Callable[[list[str]], Iterable[str]],
    members_of: Callable[[list[str]], Iterable[tuple[str, str]]],
    participations_of: Callable[[list[str], list[str]], Iterable[Participation]],
    get_actors: Callable[[Iterable[str]], dict[str, Actor]],
    get_projects: Callable[[Iterable[str]], dict[str, Project]],
    family: Iterable[str] = (),
) -> Neighbourhood:
    """The ego walk every store shares, so that all of them return the same actors in the same order.

    Hop by hop: the projects of the actors kept so far, then every actor in them not met before.
    Under the cap the strongest ties are kept first (`tie_order`: shared projects with the actors
    kept so far, then South Swedish actors, then recency), so a university's view never drops its
    regional partners for one-project partners that happen to come first in id order. At depth 2
    direct partners take at most `HOP1_SHARE` of the cap, and hop 2 adds the strongest second-hop
    actors. `found` says how many actors each hop had before the cap. A store supplies the three
    primitive reads, each for one chunk: `projects_of(actor_ids)`, `members_of(project_ids)`
    ((project_id, actor_id) pairs) and `participations_of(project_ids, actor_ids)` (only those of the
    given actors). `family` (the centre's units) walks with the centre, at hop 0: their projects are
    the centre's when units count for their parent.
    """
    hops = {center.id: 0} | dict.fromkeys(family, 0)
    met = set(hops)
    project_ids: set[str] = set()
    projects: dict[str, Project] = {}
    frontier = list(hops)
    found: dict[int, int] = {}
    capped = False
    leftovers: list[tuple[int, str]] = []  # ranked actors a hop's share of the cap left out
    everyone: dict[str, set[str]] = defaultdict(set)  # project → all its members
    for hop in range(1, depth + 1):
        new_projects: set[str] = set()
        for chunk in chunks(frontier, WALK_CHUNK):
            new_projects.update(projects_of(chunk))
        new_projects -= project_ids
        project_ids |= new_projects
        projects.update(get_projects(sorted(new_projects)))
        members: dict[str, set[str]] = defaultdict(set)
        for chunk in chunks(sorted(new_projects), WALK_CHUNK):
            for pid, aid in members_of(chunk):
                everyone[pid].add(aid)
                if aid not in met:
                    members[aid].add(pid)
        met |= set(members)
        found[hop] = len(members)
        if not members:
            break
        strength = {a: len(ps) for a, ps in members.items()}
        latest: dict[str, int] = {}
        for a, ps in members.items():
            starts = [d.toordinal() for p in ps if p in projects and (d := projects[p].start) is not None]
            latest[a] = max(starts, default=0)
        room = max_actors - len(hops)
        if hop < depth and len(members) > room:
            room = max(1, int(room * HOP1_SHARE))
        ranked = sorted(members, key=lambda a: (-strength[a], a))
        if len(ranked) > room:
            # Only the actors tied at the cut (and the next few) need their county to be read.
            cut = strength[ranked[min(len(ranked), max_actors) - 1]]
            tied = [a for a in ranked if strength[a] >= cut]
            south = {a for a, x in get_actors(tied).items() if x.county_code in SOUTH_SWEDEN}
            tied.sort(key=tie_order(strength, latest, south))
            ranked, rest = tied[: max(room, 0)], tied[max(room, 0) :]
            leftovers += [(hop, a) for a in rest]
            capped = True
        else:
            south = {a for a, x in get_actors(ranked).items() if x.county_code in SOUTH_SWEDEN}
            ranked.sort(key=tie_order(strength, latest, south))
        for a in ranked:
            hops[a] = hop
        frontier = ranked
        if not frontier or len(hops) >= max_actors:
            break
    # Room the later hops did not use goes back to the strongest actors an earlier hop left out.
    for hop, a in leftovers[: max(0, max_actors - len(hops))]:
        hops[a] = hop
    actors = get_actors(hops)
    members_list = sorted(hops)
    # Only projects that link two actors of the view (or hold the centre) are drawn; a hop-2 walk
    # meets thousands of others.
    centre = {a for a, h in hops.items() if h == 0}
    project_ids = {p for p, ms in everyone.items() if ms & centre or len(ms & hops.keys()) >= 2}
    # Read participations for the walked actors only: the busiest actors' projects hold thousands of
    # participations of actors outside a capped neighbourhood.
    parts = [
        p
        for chunk in chunks(sorted(project_ids), 250)
        for mchunk in chunks(members_list, 2000)
        for p in participations_of(chunk, mchunk)
    ]
    parts.sort(key=lambda p: (p.project_id, p.actor_id))
    return Neighbourhood(
        center=center,
        depth=depth,
        actors=[actors[a] for a in hops if a in actors],
        projects=[projects[p] for p in sorted(project_ids) if p in projects],
        participations=parts,
        capped=capped,
        hops=hops,
        found=found,
    )


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
    def merge_actors(self, a: str, b: str) -> str:
        """Make two stored actors one (`plan_actor_merge`, survivor by `survivor_first`); returns the
        survivor's id. For when a later source proves that two actors the store holds are one
        organisation. Raises NotFound when either id is not stored; merging an actor with itself is a no-op."""
        ...


class GraphStore(Protocol):
    """What ingest, analysis and the API need from a store, and nothing more."""

    def init_schema(self) -> None:
        """Create tables/constraints/indexes; explicit, never done by a constructor."""

    def writer(self) -> AbstractContextManager[Writer]:
        """One transaction for a batch of upserts: commit on exit, roll back on an exception."""

    def version(self) -> int:
        """A number that changes whenever committed data changes (for caching analysis)."""

    def identity(self) -> str:
        """Which database this is: made when its schema is created, the same in every process.

        A database deleted and built again gets a new identity, so `(identity(), version())` never
        repeats for other data: it is the key of everything derived from the data (`graph.cache`).
        """

    def read_derived(self, version: int, key: str) -> bytes | None:
        """Bytes stored by `write_derived(version, key, …)` for this database, or None."""

    def write_derived(self, version: int, key: str, data: bytes) -> None:
        """Keep data derived from the graph at `version` beside the store (for other processes).

        Not part of the graph: it does not change `version()`. Entries of older versions are dropped,
        except those of the newest version marked complete (a `COMPLETE_KEY` entry): a server keeps
        answering from it while a newer version is built. A failure to write is not an error of the
        caller's (the data can be computed again).
        """

    def get_actor(self, key: str) -> Actor:
        """By id or by any key the actor carries (`pic:…`, `cordis:…`, `vat:…`, `orgnr:…`). Raises NotFound."""

    def get_actors(self, ids: Iterable[str]) -> dict[str, Actor]: ...
    def get_project(self, project_id: str) -> Project: ...
    def get_projects(self, ids: Iterable[str]) -> dict[str, Project]: ...
    def lookup_keys(self, keys: Iterable[str]) -> dict[str, str]:
        """Map each known key to the id of the actor that carries it (unknown keys are left out)."""

    def iter_actors(self) -> Iterator[Actor]: ...
    def units(self, actor_id: str) -> list[Actor]:
        """The actors whose `part_of` is `actor_id` (its departments, hospitals, …), by id."""

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
    def neighbourhood(
        self, actor_id: str, depth: int = 1, max_actors: int = 200, with_units: bool = False
    ) -> Neighbourhood:
        """The ego walk (`walk_neighbourhood`); `with_units`: the actor's units (`units`, to the bottom)
        walk with it at hop 0, for views that count a unit's projects for its parent."""

    def counties(self) -> list[County]: ...
    def themes(self) -> list[Theme]: ...
    def stats(self) -> Stats: ...
    def raw_records(self) -> Iterator[tuple[str, str]]:
        """Every stored record as (kind, the JSON it was written as), no model in between: for `db check`."""
        ...

    def to_networkx(self) -> nx.Graph:
        """The bipartite actor–project graph (see `graph.projection` for node and edge attributes)."""

    def close(self) -> None: ...
