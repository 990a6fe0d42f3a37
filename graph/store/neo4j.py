"""The production store: the same `GraphStore` over Bolt, with the official `neo4j` driver.

Atomicity: a whole-source ingest is ONE explicit transaction, as in the embedded store: `writer()`
begins it, every upsert runs in it as batched `UNWIND $rows … MERGE` statements (`Settings.batch_size`
rows each), leaving the block commits, an exception rolls everything back. A killed load therefore
leaves nothing behind and a re-run writes the whole source (tested by killing a load half way). We chose
this over batch-atomic commits because it keeps both stores' semantics the same and a source is not too
big for one transaction: the whole 2014-2018 Horizon 2020 extract (27,401 actors, 20,073 projects,
91,328 participations) commits as one transaction into ArcadeDB with a 3 GB heap (`bench/bolt_ingest.py`).
Neo4j keeps a transaction's changes in its heap (`db.memory.transaction.total.max`), so a server for
all of CORDIS needs a heap to match; this store never splits one source into several commits.

Transient errors (deadlocks, leader switches, a dropped connection) are retried: the writer keeps the
list of operations of the open transaction and, on an error the driver calls retryable, rolls back,
opens a new transaction and replays them (upserts are merges, so replaying is safe), a few times with
backoff. Reads that return whole lists run as managed read transactions, which the driver retries.

An unreachable server, wrong credentials, a missing database or a database without the schema
(`innograph db init` creates it) raise `StoreUnavailable` with one line naming the URI and database;
the password (a `SecretStr`) never appears in a message.

Nothing happens in the constructor: the driver connects on first use, then checks once per store that
the uniqueness constraints exist and picks the Cypher `Dialect` from the server's agent string.
"""

from __future__ import annotations

import base64
import threading
import time
import uuid
from collections.abc import Callable, Hashable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

import neo4j
import networkx as nx
from neo4j.exceptions import DriverError, Neo4jError, ServiceUnavailable, SessionExpired

from graph.errors import InvalidInput, NotFound, StoreUnavailable
from graph.model import (
    Actor,
    County,
    Participation,
    Project,
    Theme,
)
from graph.projection import bipartite_graph
from graph.repair import read_stored
from graph.settings import Settings
from graph.store import cypher
from graph.store.base import (
    COMPLETE_KEY,
    ActorFilter,
    Neighbourhood,
    ProjectFilter,
    Stats,
    Upsert,
    UpsertCounts,
    chunks,
    collapse,
    family_of,
    plan_actor_merge,
    plan_upserts,
    survivor_first,
    walk_neighbourhood,
)
from graph.text import fold

T = TypeVar("T")
_RETRIES = 3
_SCHEMES = ("bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc")
_UNAVAILABLE_CODES = (
    "Neo.ClientError.Security.",
    "Neo.ClientError.Database.DatabaseNotFound",
    "Neo.TransientError.General.DatabaseUnavailable",
)


DERIVED_PART = 4_000_000  # characters of base64 per (:Derived) node


def _epoch() -> int:
    return time.time_ns() // 1_000_000


def _retryable(e: Exception) -> bool:
    return isinstance(e, Neo4jError | DriverError) and e.is_retryable()


def safe_uri(uri: str) -> str:
    """The URI without any user:password part, for messages."""
    parts = urlsplit(uri)
    if parts.password is None and parts.username is None:
        return uri
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def _money(m: Any) -> tuple[float | None, str | None]:
    return (m.amount, m.currency) if m is not None else (None, None)


def actor_row(a: Actor) -> dict[str, Any]:
    """The node properties of an actor: what queries use, plus the model's JSON in `data`."""
    return {
        "key": a.id,
        "props": {
            "name": a.name,
            "search": " | ".join(fold(n) for n in [a.name, *a.aliases]),
            "aliases": a.aliases,
            "kind": a.kind.value,
            "country": a.country,
            "county_code": a.county_code,
            "nuts3": a.nuts3,
            "municipality": a.municipality,
            "city": a.city,
            "website": a.website,
            "pic": a.pic,
            "vat": a.vat,
            "orgnr": a.orgnr,
            "sme": a.sme,
            "part_of": a.part_of,
            "data": a.model_dump_json(),
        },
    }


def project_row(p: Project) -> dict[str, Any]:
    budget, budget_currency = _money(p.budget)
    eu, eu_currency = _money(p.eu_contribution)
    return {
        "key": p.id,
        "props": {
            "acronym": p.acronym,
            "title": p.title,
            "search": fold(" ".join(x for x in (p.acronym, p.title) if x)),
            "programme": p.programme,
            "programme_part": p.programme_part,
            "start": p.start.isoformat() if p.start else None,
            "end": p.end.isoformat() if p.end else None,
            "budget_amount": budget,
            "budget_currency": budget_currency,
            "eu_contribution_amount": eu,
            "eu_contribution_currency": eu_currency,
            "themes": p.themes,
            "topics": p.topics,
            "places": p.places,
            "funders": p.funders,
            "coverage": p.coverage.value,
            "data": p.model_dump_json(),
        },
    }


def participation_row(p: Participation) -> dict[str, Any]:
    amount, currency = _money(p.contribution)
    return {
        "actor_id": p.actor_id,
        "project_id": p.project_id,
        "props": {
            "role": p.role.value,
            "contribution_amount": amount,
            "contribution_currency": currency,
            "data": p.model_dump_json(),
        },
    }


class Neo4jWriter:
    """Upserts inside the open transaction of a `Neo4jStore.writer()` block.

    Each upsert reads what is stored (in the same transaction), merges it through
    `graph.store.base.plan_upserts`, the one merge both stores share, and writes the result in batches.
    """

    def __init__(self, store: Neo4jStore, session: neo4j.Session) -> None:
        self._store = store
        self._session = session
        self._batch = max(1, store.settings.batch_size)
        self._ops: list[tuple[Callable[[Any], Any], Any]] = []
        self._tx: neo4j.Transaction = session.begin_transaction()

    # -- transaction plumbing ---------------------------------------------------------------
    def _run(self, query: str, **params: Any) -> list[neo4j.Record]:
        return list(self._tx.run(query, **params))

    def _write(self, query: str, rows: list[dict[str, Any]], name: str = "rows") -> None:
        for i in range(0, len(rows), self._batch):
            self._tx.run(query, {name: rows[i : i + self._batch]}).consume()

    def _do(self, fn: Callable[..., T], arg: Any) -> T:
        """Run one operation; on a transient error restart the transaction and replay all of them."""
        self._ops.append((fn, arg))
        try:
            return fn(arg)
        except Exception as e:
            if not _retryable(e):
                raise
            return self._replay(e)

    def _replay(self, first: Exception) -> Any:
        err: Exception = first
        for attempt in range(_RETRIES):
            time.sleep(0.2 * 2**attempt)
            self._rollback_quietly()
            try:
                self._tx = self._session.begin_transaction()
                out: Any = None
                for fn, arg in self._ops:
                    out = fn(arg)
                return out
            except Exception as e:
                if not _retryable(e):
                    raise
                err = e
        raise err

    def _rollback_quietly(self) -> None:
        try:
            if not self._tx.closed():
                self._tx.rollback()
        except (Neo4jError, DriverError):
            pass

    def commit(self) -> None:
        self._do(self._bump, None)
        for attempt in range(_RETRIES + 1):
            try:
                self._tx.commit()
                return
            except Exception as e:
                if not _retryable(e) or attempt == _RETRIES:
                    raise
                self._replay(e)

    def rollback(self) -> None:
        self._rollback_quietly()

    def _bump(self, _: None) -> None:
        self._run(cypher.BUMP_VERSION, epoch=_epoch(), uid=uuid.uuid4().hex)

    def _existing(self, node_label: str, ids: list[str], key: str = "id") -> dict[str, str]:
        out: dict[str, str] = {}
        for chunk in chunks(ids, self._batch):
            out.update(
                (r["id"], r["data"]) for r in self._run(cypher.existing_data(node_label, key), ids=chunk)
            )
        return out

    # -- the Writer protocol ----------------------------------------------------------------
    def upsert_actors(self, actors: Iterable[Actor]) -> UpsertCounts:
        return self._do(self._upsert_actors, list(actors))

    def upsert_projects(self, projects: Iterable[Project]) -> UpsertCounts:
        return self._do(self._upsert_projects, list(projects))

    def upsert_participations(self, participations: Iterable[Participation]) -> UpsertCounts:
        return self._do(self._upsert_participations, list(participations))

    def upsert_counties(self, counties: Iterable[County]) -> UpsertCounts:
        return self._do(self._upsert_counties, list(counties))

    def upsert_themes(self, themes: Iterable[Theme]) -> UpsertCounts:
        return self._do(self._upsert_themes, list(themes))

    def remove_actor_key(self, key: str) -> None:
        self._do(self._remove_key, key)

    def merge_actors(self, a: str, b: str) -> str:
        return self._do(self._merge_actors, (a, b))

    # -- the operations (replayable) ---------------------------------------------------------
    def _upsert_actors(self, actors: list[Actor]) -> UpsertCounts:
        batch = collapse(actors)
        found = self._existing("Actor", [str(k) for k in batch])
        stored: dict[Hashable, Actor] = {k: read_stored(Actor, v) for k, v in found.items()}
        plan, counts = plan_upserts(batch, stored)
        self._write_actors(plan)
        return counts

    def _write_actors(self, plan: list[Upsert[Actor]]) -> None:
        rows: list[dict[str, Any]] = []
        keys: list[dict[str, str]] = []
        moved: list[str] = []
        link: list[dict[str, str]] = []
        for a, old in ((u.new, u.old) for u in plan):
            if old is not None and old.county_code is not None and old.county_code != a.county_code:
                moved.append(a.id)
            rows.append(actor_row(a))
            keys.extend({"key": k, "actor_id": a.id} for k in a.identity_keys())
            if a.county_code is not None and (old is None or old.county_code != a.county_code):
                link.append({"id": a.id, "county_code": a.county_code})
        self._write(cypher.merge_nodes("Actor"), rows)
        # The first actor to claim a key keeps it: keys are never silently moved between actors.
        self._write(cypher.MERGE_KEYS, keys)
        for chunk in chunks(moved, self._batch):
            self._run(cypher.UNLINK_COUNTY, ids=chunk)
        self._write(cypher.LINK_COUNTY, link)

    def _merge_actors(self, pair: tuple[str, str]) -> str:
        a, b = pair
        if a == b:
            return a
        found = self._existing("Actor", [a, b])
        for i in (a, b):
            if i not in found:
                raise NotFound(f"no actor {i!r}")
        survivor, loser = survivor_first(read_stored(Actor, found[a]), read_stored(Actor, found[b]))
        loser_parts = [
            read_stored(Participation, r["data"])
            for r in self._run(cypher.participations_of(actor=True, project=False), actor_id=loser.id)
        ]
        stored: dict[Hashable, Participation] = {}
        for chunk in chunks(sorted({p.project_id for p in loser_parts}), self._batch):
            for r in self._run(cypher.PARTICIPATIONS_OF_PROJECTS, ids=chunk, actors=[survivor.id]):
                p = read_stored(Participation, r["data"])
                stored[(p.actor_id, p.project_id)] = p
        units = [read_stored(Actor, r["data"]) for r in self._run(cypher.UNITS, id=loser.id)]
        plan = plan_actor_merge(survivor, loser, loser_parts, stored, units)
        self._run(cypher.DELETE_ACTOR, id=loser.id)
        # Every key of the loser, its id included, now names the survivor.
        self._run(cypher.MOVE_KEYS, old=loser.id, new=survivor.id)
        self._write(cypher.MERGE_KEYS, [{"key": loser.id, "actor_id": survivor.id}])
        self._write_actors(
            [Upsert(new=plan.survivor, old=survivor), *(Upsert(new=u, old=u) for u in plan.units)]
        )
        self._write(cypher.MERGE_PARTICIPATIONS, [participation_row(u.new) for u in plan.participations])
        return survivor.id

    def _upsert_projects(self, projects: list[Project]) -> UpsertCounts:
        batch = collapse(projects)
        found = self._existing("Project", [str(k) for k in batch])
        stored: dict[Hashable, Project] = {k: read_stored(Project, v) for k, v in found.items()}
        plan, counts = plan_upserts(batch, stored)
        rows: list[dict[str, Any]] = []
        link: list[dict[str, Any]] = []
        for p, old in ((u.new, u.old) for u in plan):
            rows.append(project_row(p))
            new_themes = sorted(set(p.themes) - set(old.themes if old else ()))
            if new_themes:
                link.append({"id": p.id, "themes": new_themes})
        self._write(cypher.merge_nodes("Project"), rows)
        self._write(cypher.LINK_THEMES, link)
        return counts

    def _upsert_participations(self, participations: list[Participation]) -> UpsertCounts:
        batch = collapse(participations)
        wanted = {(p.actor_id, p.project_id) for p in batch.values()}
        stored: dict[Hashable, Participation] = {}
        for chunk in chunks(sorted({pid for _, pid in wanted}), self._batch):
            for r in self._run(cypher.EXISTING_PARTICIPATIONS, ids=chunk):
                if (r["actor_id"], r["project_id"]) in wanted:
                    stored[(r["actor_id"], r["project_id"])] = read_stored(Participation, r["data"])
        plan, counts = plan_upserts(batch, stored)
        rows = [participation_row(u.new) for u in plan]
        # A row whose actor or project does not exist matches nothing and is not written: fewer rows
        # written than sent means a dangling reference, named by the check (the block then rolls back).
        written = 0
        for i in range(0, len(rows), self._batch):
            written += self._run(cypher.MERGE_PARTICIPATIONS, rows=rows[i : i + self._batch])[0]["n"]
        if written != len(rows):
            self._check_endpoints(wanted)
            raise InvalidInput(f"only {written} of {len(rows)} participations could be written")
        return counts

    def _check_endpoints(self, keys: set[tuple[str, str]]) -> None:
        for node_label, ids in (
            ("Actor", sorted({a for a, _ in keys})),
            ("Project", sorted({p for _, p in keys})),
        ):
            found: set[str] = set()
            for chunk in chunks(ids, self._batch):
                found.update(r["id"] for r in self._run(cypher.existing_ids(node_label), ids=chunk))
            missing = [i for i in ids if i not in found]
            if missing:
                raise InvalidInput(f"participation refers to unknown {node_label.lower()} {missing[0]!r}")

    def _upsert_counties(self, counties: list[County]) -> UpsertCounts:
        rows = [
            {"key": c.code, "props": {**c.model_dump(exclude={"code"}), "data": c.model_dump_json()}}
            for c in counties
        ]
        counts, created = self._replace("County", "code", rows)
        for chunk in chunks(created, self._batch):
            self._run(cypher.LINK_COUNTY_BACK, codes=chunk)
        return counts

    def _upsert_themes(self, themes: list[Theme]) -> UpsertCounts:
        rows = [
            {
                "key": t.id,
                "props": {
                    "name": t.name,
                    "kind": t.kind.value,
                    "description": t.description,
                    "county_codes": t.county_codes,
                    "data": t.model_dump_json(),
                },
            }
            for t in themes
        ]
        counts, created = self._replace("Theme", "id", rows)
        for chunk in chunks(created, self._batch):
            self._run(cypher.LINK_THEMES_BACK, ids=chunk)
        return counts

    def _replace(
        self, node_label: str, key: str, rows: list[dict[str, Any]]
    ) -> tuple[UpsertCounts, list[str]]:
        existing = set(self._existing(node_label, [r["key"] for r in rows], key))
        self._write(cypher.merge_nodes(node_label, key), rows)
        created = sorted({r["key"] for r in rows} - existing)
        return UpsertCounts(created=len(rows) - len(existing), merged=len(existing)), created

    def _remove_key(self, key: str) -> None:
        self._run(cypher.DELETE_KEY, key=key)


class Neo4jStore:
    """`GraphStore` on a Neo4j 5 database (or any server that speaks Bolt and Neo4j 5's Cypher)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._driver: neo4j.Driver | None = None
        self._dialect: cypher.Dialect | None = None
        self._checked = False
        self._lock = threading.RLock()  # the API calls from a thread pool: one driver, one check

    # -- connection -------------------------------------------------------------------------
    @property
    def where(self) -> str:
        return f"Neo4j store {safe_uri(self.settings.neo4j_uri)} (database {self.settings.neo4j_database!r})"

    def _unavailable(self, e: Exception) -> StoreUnavailable:
        reason = getattr(e, "message", None) or str(e) or type(e).__name__
        line = " ".join(str(reason).split())[:200]
        uri = self.settings.neo4j_uri
        line = line.replace(uri, safe_uri(uri))
        for secret in (self.settings.neo4j_password.get_secret_value(), urlsplit(uri).password):
            if secret:
                line = line.replace(secret, "***")
        return StoreUnavailable(f"{self.where} unavailable: {line}")

    def _is_unavailable(self, e: Exception) -> bool:
        if isinstance(e, ServiceUnavailable | SessionExpired):
            return True
        if isinstance(e, DriverError) and not isinstance(e, Neo4jError):
            return True
        code = getattr(e, "code", None) or ""
        return any(code.startswith(c) for c in _UNAVAILABLE_CODES)

    @property
    def driver(self) -> neo4j.Driver:
        with self._lock:
            if self._driver is None:
                s = self.settings
                scheme = urlsplit(s.neo4j_uri).scheme
                if scheme not in _SCHEMES:
                    raise StoreUnavailable(
                        f"{self.where}: unsupported URI scheme {scheme!r}: use one of {', '.join(_SCHEMES)}"
                    )
                try:
                    self._driver = neo4j.GraphDatabase.driver(
                        s.neo4j_uri,
                        auth=(s.neo4j_user, s.neo4j_password.get_secret_value()),
                        connection_timeout=10,
                        max_transaction_retry_time=15,
                    )
                except (ValueError, DriverError) as e:  # a malformed URI, credentials in the URI
                    raise self._unavailable(e) from None
            return self._driver

    @property
    def dialect(self) -> cypher.Dialect:
        self._connect()
        assert self._dialect is not None
        return self._dialect

    def _session(self) -> neo4j.Session:
        return self.driver.session(database=self.settings.neo4j_database)

    @contextmanager
    def _errors(self) -> Iterator[None]:
        """Driver errors that mean "cannot use the store" become one-line `StoreUnavailable`."""
        try:
            yield
        except (Neo4jError, DriverError) as e:
            if self._is_unavailable(e):
                raise self._unavailable(e) from None
            raise

    def _connect(self) -> None:
        if self._dialect is not None:
            return
        with self._errors():
            info = self.driver.get_server_info()
            with self._session() as s:
                s.run("RETURN 1").consume()  # the database exists and we may use it
        self._dialect = cypher.dialect_for(info.agent or "")

    def _ready(self) -> None:
        """Connect and check, once per store, that `innograph db init` has run."""
        if self._checked:
            return
        with self._lock:
            if self._checked:
                return
            self._connect()
            have = {
                (tuple(r["labelsOrTypes"] or ()), tuple(r["properties"] or ()))
                for r in self._read(lambda tx: list(tx.run(cypher.SHOW_CONSTRAINTS)), check=False)
            }
            missing = [f"{lbl}.{p}" for _, lbl, p in cypher.CONSTRAINTS if ((lbl,), (p,)) not in have]
            if missing:
                raise StoreUnavailable(
                    f"{self.where} has no innograph schema (missing uniqueness constraints on "
                    f"{', '.join(missing)}): run 'innograph db init'"
                )
            self._checked = True

    def _read(self, fn: Callable[[neo4j.ManagedTransaction], T], check: bool = True) -> T:
        if check:
            self._ready()
        with self._errors(), self._session() as s:
            return s.execute_read(fn)

    def _rows(self, query: str, **params: Any) -> list[dict[str, Any]]:
        return self._read(lambda tx: [r.data() for r in tx.run(query, params)])

    def _stream(self, query: str, **params: Any) -> Iterator[Any]:
        """Records one at a time (the driver fetches them in batches): for the big iterations."""
        self._ready()
        with self._errors(), self._session() as s:
            for r in s.run(query, params):
                yield r[0]

    def close(self) -> None:
        if self._driver is not None:
            self._driver.close()
            self._driver = None
        self._dialect = None
        self._checked = False

    def init_schema(self) -> None:
        self._connect()
        with self._errors(), self._session() as s:
            for statement in cypher.schema_statements(self.dialect):
                s.run(statement).consume()
            s.execute_write(
                lambda tx: tx.run(
                    cypher.INIT_META, schema=cypher.SCHEMA_VERSION, epoch=_epoch(), uid=uuid.uuid4().hex
                ).consume()
            )
        self._checked = False

    @contextmanager
    def writer(self) -> Iterator[Neo4jWriter]:
        self._ready()
        with self._errors(), self._session() as s:
            w = Neo4jWriter(self, s)
            try:
                yield w
            except BaseException:
                w.rollback()
                raise
            w.commit()

    def version(self) -> int:
        rows = self._rows(cypher.GET_VERSION)
        return int(rows[0]["version"] or 0) if rows else 0

    def identity(self) -> str:
        rows = self._rows(cypher.GET_IDENTITY)
        uid = rows[0]["uid"] if rows else None
        return f"neo4j:{uid}" if uid else self.where

    # -- derived data: (:Derived) nodes beside the graph ---------------------------------------
    def read_derived(self, version: int, key: str) -> bytes | None:
        try:
            rows = self._rows(cypher.READ_DERIVED, store=self.identity(), key=key, version=version)
        except (StoreUnavailable, Neo4jError, DriverError):
            return None
        if not rows:
            return None
        return base64.b64decode("".join(str(r["data"]) for r in rows))

    def write_derived(self, version: int, key: str, data: bytes) -> None:
        text = base64.b64encode(data).decode("ascii")
        parts = [
            {"part": i, "data": text[at : at + DERIVED_PART]}
            for i, at in enumerate(range(0, max(len(text), 1), DERIVED_PART))
        ]
        ident = self.identity()
        try:
            with self._errors(), self._session() as s:

                def fn(tx: neo4j.ManagedTransaction) -> None:
                    row = tx.run(cypher.KEPT_DERIVED, store=ident, complete=COMPLETE_KEY).single()
                    kept = row["kept"] if row is not None and row["kept"] is not None else -1
                    tx.run(cypher.DROP_DERIVED, store=ident, key=key, version=version, kept=kept).consume()
                    tx.run(cypher.WRITE_DERIVED, store=ident, key=key, version=version, parts=parts).consume()

                s.execute_write(fn)
        except (StoreUnavailable, Neo4jError, DriverError):
            pass  # best effort: the next process computes it again

    # -- reads ------------------------------------------------------------------------------
    def get_actor(self, key: str) -> Actor:
        def fn(tx: neo4j.ManagedTransaction) -> str | None:
            for q in (cypher.ACTOR_BY_KEY, cypher.ACTOR_BY_ID):
                r = tx.run(q, key=key).single()
                if r is not None:
                    return str(r["data"])
            return None

        data = self._read(fn)
        if data is None:
            raise NotFound(f"no actor {key!r}")
        return Actor.model_validate_json(data)

    def _by_ids(self, node_label: str, ids: Iterable[str]) -> dict[str, str]:
        wanted = list(dict.fromkeys(ids))
        out: dict[str, str] = {}
        for chunk in chunks(wanted, max(1, self.settings.batch_size)):
            out.update((r["id"], r["data"]) for r in self._rows(cypher.existing_data(node_label), ids=chunk))
        return out

    def get_actors(self, ids: Iterable[str]) -> dict[str, Actor]:
        return {k: Actor.model_validate_json(v) for k, v in self._by_ids("Actor", ids).items()}

    def get_project(self, project_id: str) -> Project:
        rows = self._rows(cypher.PROJECT_BY_ID, id=project_id)
        if not rows:
            raise NotFound(f"no project {project_id!r}")
        return Project.model_validate_json(rows[0]["data"])

    def get_projects(self, ids: Iterable[str]) -> dict[str, Project]:
        return {k: Project.model_validate_json(v) for k, v in self._by_ids("Project", ids).items()}

    def lookup_keys(self, keys: Iterable[str]) -> dict[str, str]:
        out: dict[str, str] = {}
        for chunk in chunks(list(dict.fromkeys(keys)), max(1, self.settings.batch_size)):
            out.update((r["key"], r["actor_id"]) for r in self._rows(cypher.LOOKUP_KEYS, keys=chunk))
        return out

    def iter_actors(self) -> Iterator[Actor]:
        for data in self._stream(cypher.all_data("Actor")):
            yield Actor.model_validate_json(data)

    def units(self, actor_id: str) -> list[Actor]:
        return [Actor.model_validate_json(r["data"]) for r in self._rows(cypher.UNITS, id=actor_id)]

    def iter_projects(self) -> Iterator[Project]:
        for data in self._stream(cypher.all_data("Project")):
            yield Project.model_validate_json(data)

    def iter_participations(self) -> Iterator[Participation]:
        for data in self._stream(cypher.participations_of(actor=False, project=False)):
            yield Participation.model_validate_json(data)

    def participations(
        self, actor_id: str | None = None, project_id: str | None = None
    ) -> list[Participation]:
        q = cypher.participations_of(actor_id is not None, project_id is not None)
        return [
            Participation.model_validate_json(r["data"])
            for r in self._rows(q, actor_id=actor_id, project_id=project_id)
        ]

    def raw_records(self) -> Iterator[tuple[str, str]]:
        for kind, label in (
            ("county", "County"),
            ("theme", "Theme"),
            ("actor", "Actor"),
            ("project", "Project"),
        ):
            for data in self._stream(cypher.all_data(label)):
                yield kind, data
        for data in self._stream(cypher.participations_of(actor=False, project=False)):
            yield "participation", data

    def search_actors(
        self, query: str = "", filters: ActorFilter | None = None, limit: int = 50, offset: int = 0
    ) -> tuple[list[Actor], int]:
        f = filters or ActorFilter()
        words = fold(query).split()
        q = fold(query)
        count_q, page_q = cypher.search_actors(
            len(words), bool(f.county), bool(f.kind), bool(f.country), bool(f.programme), bool(f.theme)
        )
        params: dict[str, Any] = {f"w{i}": w for i, w in enumerate(words)}
        params |= {
            "county": list(f.county),
            "kind": [k.value for k in f.kind],
            "country": list(f.country),
            "programme": list(f.programme),
            "theme": list(f.theme),
        }
        total = self._rows(count_q, **params)[0]["n"]
        rows = self._rows(
            page_q,
            **params,
            q=q,
            q_alias=f"{q} |",
            q_mid=f" | {q} |",
            q_end=f" | {q}",
            offset=offset,
            limit=limit,
        )
        return [Actor.model_validate_json(r["data"]) for r in rows], total

    def search_projects(
        self, query: str = "", filters: ProjectFilter | None = None, limit: int = 50, offset: int = 0
    ) -> tuple[list[Project], int]:
        f = filters or ProjectFilter()
        words = fold(query).split()
        count_q, page_q = cypher.search_projects(
            len(words), bool(f.programme), bool(f.theme), f.actor is not None
        )
        params: dict[str, Any] = {f"w{i}": w for i, w in enumerate(words)}
        params |= {"programme": list(f.programme), "theme": list(f.theme), "actor": f.actor}
        total = self._rows(count_q, **params)[0]["n"]
        rows = self._rows(page_q, **params, offset=offset, limit=limit)
        return [Project.model_validate_json(r["data"]) for r in rows], total

    def neighbourhood(
        self, actor_id: str, depth: int = 1, max_actors: int = 200, with_units: bool = False
    ) -> Neighbourhood:
        """The embedded store's walk (`walk_neighbourhood`), so both give the same actors in the same order."""

        def projects_of(ids: list[str]) -> list[str]:
            return [r["id"] for r in self._rows(cypher.PROJECTS_OF_ACTORS, ids=ids)]

        def members_of(ids: list[str]) -> list[tuple[str, str]]:
            return [(r["project"], r["id"]) for r in self._rows(cypher.MEMBERS_OF_PROJECTS, ids=ids)]

        def participations_of(project_ids: list[str], actor_ids: list[str]) -> list[Participation]:
            rows = self._rows(cypher.PARTICIPATIONS_OF_PROJECTS, ids=project_ids, actors=actor_ids)
            return [Participation.model_validate_json(r["data"]) for r in rows]

        center = self.get_actor(actor_id)
        return walk_neighbourhood(
            center,
            depth,
            max_actors,
            projects_of=projects_of,
            members_of=members_of,
            participations_of=participations_of,
            get_actors=self.get_actors,
            get_projects=self.get_projects,
            family=family_of(self.units, center.id) if with_units else (),
        )

    def counties(self) -> list[County]:
        return [County.model_validate_json(d) for d in self._stream(cypher.all_data("County", "code"))]

    def themes(self) -> list[Theme]:
        return [Theme.model_validate_json(d) for d in self._stream(cypher.all_data("Theme"))]

    def stats(self) -> Stats:
        def count(q: str) -> int:
            return int(self._rows(q)[0]["n"])

        def grouped(node_label: str, prop: str) -> dict[str, int]:
            rows = self._rows(cypher.count_by(node_label, prop))
            return {str(r["value"]): int(r["n"]) for r in sorted(rows, key=lambda r: str(r["value"]))}

        return Stats(
            actors=count(cypher.count_nodes("Actor")),
            projects=count(cypher.count_nodes("Project")),
            participations=count(cypher.count_relationships("PARTICIPATES_IN")),
            counties=count(cypher.count_nodes("County")),
            themes=count(cypher.count_nodes("Theme")),
            actors_by_kind=grouped("Actor", "kind"),
            actors_by_county=grouped("Actor", "county_code"),
            actors_by_country=grouped("Actor", "country"),
            projects_by_programme=grouped("Project", "programme"),
        )

    def to_networkx(self) -> nx.Graph:
        """Built by `graph.projection.bipartite_graph` from three record streams, never a second copy."""
        return bipartite_graph(
            self.iter_actors(),
            self.iter_projects(),
            self.iter_participations(),
            units_apart=Settings().units_apart,
        )
