"""The one way records enter a store: a loader parses a source into a `SourceBatch`, `commit` writes it.

`commit` runs in one store transaction: it resolves each incoming actor against the graph (so the same
organisation from two sources becomes one actor), rewrites the participations to the resolved ids
and upserts everything. An exception anywhere rolls the whole source back; a malformed row is not an
exception but a `Problem` the loader records (file, line, reason) and the report counts.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from pydantic import ValidationError

from graph.model import MAX_AMOUNT, Actor, County, Money, Participation, Project, Theme, merge_participation
from graph.store.base import GraphStore, UpsertCounts, Writer, survivor_first
from ingest.resolve import Match, Resolver


@dataclass(frozen=True)
class Problem:
    """A row that was skipped, or kept with a repair (`kept`), and why.

    `line` is the 1-based line (or record number) in `file`.
    """

    file: str
    line: int
    reason: str
    kept: bool = False

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.reason}"


def validation_message(e: ValidationError) -> str:
    """A model's refusal of a record as one line: the field and the reason, not pydantic's report."""
    err = e.errors()[0]
    where = ".".join(str(p) for p in err["loc"])
    return f"{where}: {err['msg']}" if where else str(err["msg"])


@dataclass
class SourceBatch:
    """Everything one source said, in model records. Participations use the actors' ids as loaded."""

    source: str
    actors: list[Actor] = field(default_factory=list)
    projects: list[Project] = field(default_factory=list)
    participations: list[Participation] = field(default_factory=list)
    counties: list[County] = field(default_factory=list)
    themes: list[Theme] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    rows_read: int = 0
    # Participations that may name an actor (by any key it carries) or a project outside this batch,
    # e.g. a user's CSV row pointing at `cordis:999589172`: (actor_id, project_id) → where the row is.
    # `commit` looks them up in the store; one naming nothing known becomes that Problem, not an error.
    external_refs: dict[tuple[str, str], Problem] = field(default_factory=dict)


@dataclass
class IngestReport:
    source: str
    rows_read: int = 0
    actors: UpsertCounts = field(default_factory=UpsertCounts)
    projects: UpsertCounts = field(default_factory=UpsertCounts)
    participations: UpsertCounts = field(default_factory=UpsertCounts)
    resolved: dict[str, int] = field(default_factory=dict)  # rule -> how many incoming actors it merged
    merges: list[tuple[str, str, Match]] = field(default_factory=list)  # (incoming id, name, match)
    problems: list[Problem] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {
            "source": self.source,
            "read": self.rows_read,
            "actors": vars(self.actors),
            "projects": vars(self.projects),
            "participations": vars(self.participations),
            "resolved": self.resolved,
            "skipped": sum(not p.kept for p in self.problems),
            "kept_with_repairs": sum(p.kept for p in self.problems),
            "problems": [str(p) for p in self.problems],
        }


@contextmanager
def gc_paused() -> Iterator[None]:
    """The cyclic garbage collector paused for a block that makes hundreds of thousands of small acyclic
    objects (a source's rows, records, index entries): each full collection would re-scan every one of
    them, again and again (about 1.4 s of the 10 s of H2020's commit). Reference counting still frees
    them; the collector runs again after the block."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def commit(
    store: GraphStore, batch: SourceBatch, resolver_factory: type[Resolver] = Resolver
) -> IngestReport:
    """Resolve and write one source's batch in one transaction; returns what happened."""
    with gc_paused():
        return _commit(store, batch, resolver_factory)


def _commit(store: GraphStore, batch: SourceBatch, resolver_factory: type[Resolver]) -> IngestReport:
    report = IngestReport(source=batch.source, rows_read=batch.rows_read, problems=list(batch.problems))
    with store.writer() as w:
        resolver = resolver_factory(store)
        id_map: dict[str, str] = {}
        actors: list[Actor] = []
        joins: list[tuple[str, str]] = []
        for a in resolver.order(batch.actors):
            loaded_id, loaded_name = a.id, a.name
            a = resolver.canonical(a)  # a region or municipality takes its reference identity
            if a.part_of is not None:  # a parent named by any key it carries (a CSV's `part_of`)
                named = resolver.actor_for_key(a.part_of) or a.part_of
                a = a.model_copy(update={"part_of": named if named != a.id else None})
            elif a.id == loaded_id and (found := resolver.unit_of(a)) is not None:
                # "X Hospital, Region Q" is a unit of the region, also known as "X Hospital"
                parent, own = found
                aliases = sorted({*a.aliases, own}) if own and own != a.name else a.aliases
                a = a.model_copy(update={"part_of": parent, "aliases": aliases})
            match = resolver.resolve(a)
            if match is None and a.id != loaded_id:
                match = Match(a.id, "public-body", a.name)
            elif match is not None and a.id != loaded_id and match.actor_id != a.id:
                # A region or municipality that the graph holds under another id (a CORDIS PIC whose
                # first row did not name it) takes the reference identity's id, the two merged by the
                # store, unless the stored actor would survive that merge anyway (a registry's record).
                held = store.get_actors([match.actor_id]).get(match.actor_id)
                if held is None or survivor_first(held, a)[0] is a:
                    match.also = [match.actor_id, *match.also]
                    match.actor_id = a.id
            target = match.actor_id if match is not None else a.id
            if match is not None and target != loaded_id:
                report.resolved[match.rule] = report.resolved.get(match.rule, 0) + 1
                report.merges.append((loaded_id, loaded_name, match))
            if a.id != target:
                a = a.model_copy(update={"id": target})
            for other in match.also if match is not None else ():
                resolver.join(target, other)  # the record names two actors the graph holds: one organisation
                joins.append((target, other))
            id_map[loaded_id] = target
            resolver.add(a)
            actors.append(a)
        if batch.counties:
            w.upsert_counties(batch.counties)
        if batch.themes:
            w.upsert_themes(batch.themes)
        report.actors = w.upsert_actors(actors)
        if joins:
            survivor = merge_stored(w, joins)
            id_map = {k: survivor(v) for k, v in id_map.items()}
            report.resolved["store-merge"] = len(joins)
        report.projects = w.upsert_projects(batch.projects)
        # Copy only the participations whose actor was resolved to another id (most keep theirs).
        parts = [
            p
            if id_map.get(p.actor_id, p.actor_id) == p.actor_id
            else p.model_copy(update={"actor_id": id_map[p.actor_id]})
            for p in batch.participations
            if (p.actor_id, p.project_id) not in batch.external_refs
        ]
        if batch.external_refs:
            parts += _external(store, batch, id_map, report)
        report.participations = w.upsert_participations(combine_participations(parts, report))
    return report


def merge_stored(w: Writer, joins: list[tuple[str, str]]) -> Callable[[str], str]:
    """Merge each pair of stored actors that one record proved to be one organisation (the store
    picks the survivor, `graph.store.base.survivor_first`); returns where an actor id now lives."""
    moved: dict[str, str] = {}

    def find(x: str) -> str:
        while x in moved:
            x = moved[x]
        return x

    for a, b in joins:
        ra, rb = find(a), find(b)
        if ra != rb:
            kept = w.merge_actors(ra, rb)
            moved[rb if kept == ra else ra] = kept
    return find


def combine_participations(
    parts: list[Participation], report: IngestReport | None = None
) -> list[Participation]:
    """One participation per (actor, project), amounts ADDED when several rows of one batch land there.

    Resolution can map two records of one source (two PICs of one organisation, an organisation
    written two ways) onto one actor in one project. They are different rows with different money,
    so their contributions add up; the store's `merge_participation` then replaces what an earlier
    load of the same source wrote, so re-running a source never counts its money twice. Amounts in
    different currencies cannot be added: the first is kept and the clash becomes a `Problem`.
    """
    out: dict[tuple[str, str], Participation] = {}
    for p in parts:
        key = (p.actor_id, p.project_id)
        old = out.get(key)
        if old is None:
            out[key] = p
            continue
        money = old.contribution
        if p.contribution is not None:
            if money is None:
                money = p.contribution
            elif (
                money.currency == p.contribution.currency
                and money.amount + p.contribution.amount > MAX_AMOUNT
            ):
                if report is not None:  # each amount passed the edge of ingest; their sum may not
                    report.problems.append(
                        Problem(
                            (p.sources[0].file or p.sources[0].source) if p.sources else "(batch)",
                            0,
                            f"{p.actor_id} in {p.project_id}: the amounts add up above {MAX_AMOUNT:.0e}; "
                            "the second is left out",
                            kept=True,
                        )
                    )
            elif money.currency == p.contribution.currency:
                money = Money(amount=round(money.amount + p.contribution.amount, 2), currency=money.currency)
            elif report is not None:
                report.problems.append(
                    Problem(
                        (p.sources[0].file or p.sources[0].source) if p.sources else "(batch)",
                        0,
                        f"{p.actor_id} in {p.project_id}: amounts in {money.currency} and "
                        f"{p.contribution.currency} cannot be added; {p.contribution.currency} left out",
                        kept=True,
                    )
                )
        # Two rows placed in two different regions cannot be attributed to one: the actor's county decides.
        nuts3 = old.nuts3 or p.nuts3 if not (old.nuts3 and p.nuts3 and old.nuts3 != p.nuts3) else None
        out[key] = merge_participation(old, p).model_copy(update={"contribution": money, "nuts3": nuts3})
    return list(out.values())


def _external(
    store: GraphStore, batch: SourceBatch, id_map: dict[str, str], report: IngestReport
) -> list[Participation]:
    """The participations of `batch.external_refs` whose actor and project exist, with resolved actor ids."""
    todo = [p for p in batch.participations if (p.actor_id, p.project_id) in batch.external_refs]
    keys = store.lookup_keys(sorted({p.actor_id for p in todo if p.actor_id not in id_map}))
    keys |= id_map
    stored = store.get_actors(sorted({p.actor_id for p in todo} - set(keys)))
    keys |= {k: k for k in stored}
    projects = {p.id for p in batch.projects}
    projects |= set(store.get_projects(sorted({p.project_id for p in todo} - projects)))
    out: list[Participation] = []
    for p in todo:
        where = batch.external_refs[(p.actor_id, p.project_id)]
        if p.actor_id not in keys:
            report.problems.append(Problem(where.file, where.line, f"unknown actor {p.actor_id!r}"))
        elif p.project_id not in projects:
            report.problems.append(Problem(where.file, where.line, f"unknown project {p.project_id!r}"))
        else:
            out.append(p.model_copy(update={"actor_id": keys[p.actor_id]}))
    return out
