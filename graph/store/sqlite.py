"""The embedded default store: one SQLite file in WAL mode.

Each record is kept whole as the model's JSON (so nothing is lost between layers) beside the columns
that search and filters need. `actor_keys` maps every key an actor carries (PIC, VAT, organisation
number, source record ids) to its id, which is what makes entity resolution and `get_actor("pic:…")` cheap.
Search compares folded text (`graph.text.fold`), so "Hogskola" finds "Högskola".
"""

from __future__ import annotations

import os
import sqlite3
import threading
import uuid
from collections.abc import Hashable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import networkx as nx

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
from graph.store.base import (
    COMPLETE_KEY,
    ActorFilter,
    Neighbourhood,
    ProjectFilter,
    Stats,
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

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS actors (
    id TEXT PRIMARY KEY, name TEXT NOT NULL, search TEXT NOT NULL, kind TEXT NOT NULL,
    country TEXT, county_code TEXT, data TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS actors_county ON actors(county_code);
CREATE INDEX IF NOT EXISTS actors_country ON actors(country);
CREATE INDEX IF NOT EXISTS actors_kind ON actors(kind);
-- covering index: a LIKE '%word%' search scans this instead of the rows with their JSON
CREATE INDEX IF NOT EXISTS actors_search ON actors(search, name, id);
-- the units of an actor (`units`, a merge relinking them): only the few actors that are a unit, so
-- finding them is not a scan of every actor's JSON (40 ms per merge on all shared sources)
CREATE INDEX IF NOT EXISTS actors_part_of ON actors(json_extract(data, '$.part_of'))
    WHERE json_extract(data, '$.part_of') IS NOT NULL;
CREATE TABLE IF NOT EXISTS actor_keys (key TEXT PRIMARY KEY, actor_id TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS actor_keys_actor ON actor_keys(actor_id);
CREATE TABLE IF NOT EXISTS projects (
    id TEXT PRIMARY KEY, search TEXT NOT NULL, programme TEXT NOT NULL, start TEXT, data TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS projects_programme ON projects(programme);
CREATE TABLE IF NOT EXISTS project_themes (
    project_id TEXT NOT NULL, theme_id TEXT NOT NULL, PRIMARY KEY (project_id, theme_id));
CREATE INDEX IF NOT EXISTS project_themes_theme ON project_themes(theme_id);
CREATE TABLE IF NOT EXISTS participations (
    actor_id TEXT NOT NULL, project_id TEXT NOT NULL, role TEXT NOT NULL, data TEXT NOT NULL,
    PRIMARY KEY (actor_id, project_id));
CREATE INDEX IF NOT EXISTS participations_project ON participations(project_id);
CREATE TABLE IF NOT EXISTS counties (code TEXT PRIMARY KEY, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS themes (id TEXT PRIMARY KEY, data TEXT NOT NULL);
"""
SCHEMA_VERSION = "1"
# Derived data lives in a sidecar file (`<db>.derived`), not in the database: writing it never waits for
# an ingest holding the write lock, and it never changes the graph's file.
DERIVED_SCHEMA = """
CREATE TABLE IF NOT EXISTS derived (
    store TEXT NOT NULL, key TEXT NOT NULL, version INTEGER NOT NULL, data BLOB NOT NULL,
    PRIMARY KEY (store, key, version));
"""
_CHUNK = 500  # SQLite's variable limit is 32766; keep IN lists well below it
_RAW_TABLES = (
    ("county", "counties"),
    ("theme", "themes"),
    ("actor", "actors"),
    ("project", "projects"),
    ("participation", "participations"),
)


def _chunks(items: list[str]) -> Iterator[list[str]]:
    return chunks(items, _CHUNK)


def _marks(n: int) -> str:
    return ",".join("?" * n)


class SqliteWriter:
    """Upserts inside the open transaction of a `SqliteStore.writer()` block."""

    def __init__(self, con: sqlite3.Connection) -> None:
        self._con = con
        # Ids this transaction has written (and not deleted since): a participation that names one
        # needs no read to know that its endpoint exists (a source's 91,000 participations name
        # actors and projects of the same batch).
        self._written: dict[str, set[str]] = {"actors": set(), "projects": set()}

    def _existing(self, table: str, ids: list[str]) -> dict[str, str]:
        out: dict[str, str] = {}
        for chunk in _chunks(ids):
            out.update(
                self._con.execute(f"SELECT id, data FROM {table} WHERE id IN ({_marks(len(chunk))})", chunk)
            )
        return out

    def upsert_actors(self, actors: Iterable[Actor]) -> UpsertCounts:
        batch = collapse(actors)
        found = self._existing("actors", [str(k) for k in batch])
        stored: dict[Hashable, Actor] = {k: read_stored(Actor, v) for k, v in found.items()}
        plan, counts = plan_upserts(batch, stored)
        self._write_actors([u.new for u in plan])
        return counts

    def _write_actors(self, actors: list[Actor]) -> None:
        rows: list[tuple[object, ...]] = []
        keys: list[tuple[str, str]] = []
        for a in actors:
            search = " | ".join(fold(n) for n in [a.name, *a.aliases])
            rows.append((a.id, a.name, search, a.kind.value, a.country, a.county_code, a.model_dump_json()))
            keys.extend((k, a.id) for k in a.identity_keys())
        self._con.executemany(
            "INSERT INTO actors (id, name, search, kind, country, county_code, data) VALUES (?,?,?,?,?,?,?) "
            "ON CONFLICT(id) DO UPDATE SET name=excluded.name, search=excluded.search, kind=excluded.kind, "
            "country=excluded.country, county_code=excluded.county_code, data=excluded.data",
            rows,
        )
        # The first actor to claim a key keeps it: keys are never silently moved between actors.
        self._con.executemany("INSERT OR IGNORE INTO actor_keys (key, actor_id) VALUES (?, ?)", keys)
        self._written["actors"].update(a.id for a in actors)

    def merge_actors(self, a: str, b: str) -> str:
        if a == b:
            return a
        found = self._existing("actors", [a, b])
        for i in (a, b):
            if i not in found:
                raise NotFound(f"no actor {i!r}")
        survivor, loser = survivor_first(read_stored(Actor, found[a]), read_stored(Actor, found[b]))
        loser_parts = [
            read_stored(Participation, d)
            for (d,) in self._con.execute("SELECT data FROM participations WHERE actor_id = ?", (loser.id,))
        ]
        stored: dict[Hashable, Participation] = {}
        for chunk in _chunks(sorted({p.project_id for p in loser_parts})):
            for (d,) in self._con.execute(
                f"SELECT data FROM participations WHERE actor_id = ? AND project_id IN ({_marks(len(chunk))})",
                [survivor.id, *chunk],
            ):
                p = read_stored(Participation, d)
                stored[(p.actor_id, p.project_id)] = p
        units = [
            read_stored(Actor, d)
            for (d,) in self._con.execute(
                "SELECT data FROM actors WHERE json_extract(data, '$.part_of') = ?", (loser.id,)
            )
        ]
        plan = plan_actor_merge(survivor, loser, loser_parts, stored, units)
        self._con.execute("DELETE FROM participations WHERE actor_id = ?", (loser.id,))
        self._con.execute("DELETE FROM actors WHERE id = ?", (loser.id,))
        self._written["actors"].discard(loser.id)
        # Every key of the loser, its id included, now names the survivor.
        self._con.execute("UPDATE actor_keys SET actor_id = ? WHERE actor_id = ?", (survivor.id, loser.id))
        self._con.execute(
            "INSERT OR IGNORE INTO actor_keys (key, actor_id) VALUES (?, ?)", (loser.id, survivor.id)
        )
        self._write_actors([plan.survivor, *plan.units])
        self._write_participations([u.new for u in plan.participations])
        return survivor.id

    def upsert_projects(self, projects: Iterable[Project]) -> UpsertCounts:
        batch = collapse(projects)
        found = self._existing("projects", [str(k) for k in batch])
        stored: dict[Hashable, Project] = {k: read_stored(Project, v) for k, v in found.items()}
        plan, counts = plan_upserts(batch, stored)
        rows: list[tuple[object, ...]] = []
        themes: list[tuple[str, str]] = []
        for p in (u.new for u in plan):
            search = fold(" ".join(x for x in (p.acronym, p.title) if x))
            rows.append(
                (p.id, search, p.programme, p.start.isoformat() if p.start else None, p.model_dump_json())
            )
            themes.extend((p.id, t) for t in p.themes)
        self._con.executemany(
            "INSERT INTO projects (id, search, programme, start, data) VALUES (?,?,?,?,?) "
            "ON CONFLICT(id) DO UPDATE SET search=excluded.search, programme=excluded.programme, "
            "start=excluded.start, data=excluded.data",
            rows,
        )
        self._con.executemany(
            "INSERT OR IGNORE INTO project_themes (project_id, theme_id) VALUES (?, ?)", themes
        )
        self._written["projects"].update(str(r[0]) for r in rows)
        return counts

    def upsert_participations(self, participations: Iterable[Participation]) -> UpsertCounts:
        batch = collapse(participations)
        wanted = {(p.actor_id, p.project_id) for p in batch.values()}
        stored: dict[Hashable, Participation] = {}
        for chunk in _chunks(sorted({pid for _, pid in wanted})):
            for aid, pid, data in self._con.execute(
                f"SELECT actor_id, project_id, data FROM participations WHERE project_id IN ({_marks(len(chunk))})",
                chunk,
            ):
                if (aid, pid) in wanted:
                    stored[(aid, pid)] = read_stored(Participation, data)
        plan, counts = plan_upserts(batch, stored)
        self._check_endpoints(wanted)
        self._write_participations([u.new for u in plan])
        return counts

    def _write_participations(self, parts: list[Participation]) -> None:
        self._con.executemany(
            "INSERT INTO participations (actor_id, project_id, role, data) VALUES (?,?,?,?) "
            "ON CONFLICT(actor_id, project_id) DO UPDATE SET role=excluded.role, data=excluded.data",
            [(p.actor_id, p.project_id, p.role.value, p.model_dump_json()) for p in parts],
        )

    def _check_endpoints(self, keys: set[tuple[str, str]]) -> None:
        actor_ids = sorted({a for a, _ in keys} - self._written["actors"])
        project_ids = sorted({p for _, p in keys} - self._written["projects"])
        for table, ids in (("actors", actor_ids), ("projects", project_ids)):
            found: set[str] = set()
            for chunk in _chunks(ids):
                found.update(
                    r[0]
                    for r in self._con.execute(
                        f"SELECT id FROM {table} WHERE id IN ({_marks(len(chunk))})", chunk
                    )
                )
            missing = [i for i in ids if i not in found]
            if missing:
                raise InvalidInput(f"participation refers to unknown {table[:-1]} {missing[0]!r}")

    def upsert_counties(self, counties: Iterable[County]) -> UpsertCounts:
        rows = [(c.code, c.model_dump_json()) for c in counties]
        return self._replace("counties", "code", rows)

    def upsert_themes(self, themes: Iterable[Theme]) -> UpsertCounts:
        rows = [(t.id, t.model_dump_json()) for t in themes]
        return self._replace("themes", "id", rows)

    def remove_actor_key(self, key: str) -> None:
        self._con.execute("DELETE FROM actor_keys WHERE key = ?", (key,))

    def _replace(self, table: str, pk: str, rows: list[tuple[str, str]]) -> UpsertCounts:
        existing: set[str] = set()
        for chunk in _chunks([r[0] for r in rows]):
            existing.update(
                r[0]
                for r in self._con.execute(
                    f"SELECT {pk} FROM {table} WHERE {pk} IN ({_marks(len(chunk))})", chunk
                )
            )
        self._con.executemany(
            f"INSERT INTO {table} ({pk}, data) VALUES (?, ?) ON CONFLICT({pk}) DO UPDATE SET data=excluded.data",
            rows,
        )
        return UpsertCounts(created=len(rows) - len(existing), merged=len(existing))


#: Connections a forked process inherited: never used, never closed there (SQLite forbids carrying a
#: connection across `fork`; closing one could touch the parent's WAL), only kept from the collector.
_INHERITED: list[sqlite3.Connection] = []


class SqliteStore:
    """`GraphStore` on one SQLite file. Opening does no I/O; `init_schema()` creates the tables.

    Safe to use after `os.fork` (`fork_safe`): a forked process opens its own connections.
    """

    fork_safe = True

    def __init__(self, path: Path | str, lock_timeout_s: float = 10.0) -> None:
        self.path = Path(path)
        # How long a statement waits for another process's write lock (SQLite retries with back-off)
        # before `writer()` gives up with one line instead of a traceback.
        self.lock_timeout_s = lock_timeout_s
        # One connection per thread: the API serves requests from a thread pool, and SQLite
        # connections must not be shared across threads while a statement is running.
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._derived: sqlite3.Connection | None = None
        self._derived_lock = threading.Lock()
        self._identity: str | None = None
        self._pid = os.getpid()

    # -- connection -------------------------------------------------------------------------
    def _forked(self) -> None:
        """In a process forked from the one that opened the connections: set them aside, open anew."""
        if self._pid == os.getpid():
            return
        self._pid = os.getpid()
        _INHERITED.extend(self._all)
        if self._derived is not None:
            _INHERITED.append(self._derived)
        self._all, self._derived, self._local = [], None, threading.local()
        self._lock, self._derived_lock = threading.Lock(), threading.Lock()

    @property
    def con(self) -> sqlite3.Connection:
        self._forked()
        con: sqlite3.Connection | None = getattr(self._local, "con", None)
        if con is None:
            if not self.path.parent.exists():
                raise StoreUnavailable(f"store directory {self.path.parent} does not exist")
            try:
                con = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
                con.execute("PRAGMA journal_mode=WAL")
                con.execute("PRAGMA synchronous=NORMAL")
                con.execute(f"PRAGMA busy_timeout={int(self.lock_timeout_s * 1000)}")
            except sqlite3.DatabaseError as e:
                raise self._unavailable(e) from e
            self._local.con = con
            with self._lock:
                self._all.append(con)
        return con

    def close(self) -> None:
        with self._lock:
            for con in self._all:
                con.close()
            self._all.clear()
        self._local = threading.local()
        with self._derived_lock:
            if self._derived is not None:
                self._derived.close()
                self._derived = None
        self._identity = None

    def _unavailable(self, e: sqlite3.Error) -> StoreUnavailable:
        """One line for what SQLite says went wrong with the file itself (locked, damaged, not a database)."""
        msg = str(e)
        if "locked" in msg or "busy" in msg:
            return StoreUnavailable(
                f"{self.path}: the database is locked by another writer; gave up after "
                f"{self.lock_timeout_s:g} s (INNOGRAPH_LOCK_TIMEOUT_S): try again when it has finished"
            )
        if "no such table" in msg:
            return StoreUnavailable(
                f"{self.path} has no innograph schema: run 'innograph db init' or an ingest first"
            )
        if "not a database" in msg or "malformed" in msg or "corrupt" in msg:
            return StoreUnavailable(f"{self.path} is not an innograph database or is damaged ({msg})")
        return StoreUnavailable(f"{self.path}: {msg}")

    def init_schema(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.con.executescript(SCHEMA)
            self.con.execute(
                "INSERT OR IGNORE INTO meta (key, value) VALUES ('schema', ?)", (SCHEMA_VERSION,)
            )
            self.con.execute("INSERT OR IGNORE INTO meta (key, value) VALUES ('version', '0')")
            # New for every new database: one rebuilt at the same path (its version starting at 0 again)
            # never repeats an (identity, version) key that derived data was stored under.
            self.con.execute(
                "INSERT OR IGNORE INTO meta (key, value) VALUES ('identity', ?)", (uuid.uuid4().hex,)
            )
        except sqlite3.Error as e:
            raise self._unavailable(e) from e

    def _q(self, sql: str, params: Iterable[Any] = ()) -> list[Any]:
        try:
            return self.con.execute(sql, tuple(params)).fetchall()
        except sqlite3.Error as e:
            raise self._unavailable(e) from e

    @contextmanager
    def writer(self) -> Iterator[SqliteWriter]:
        self.init_schema()
        con = self.con
        try:
            con.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as e:
            raise self._unavailable(e) from e
        try:
            yield SqliteWriter(con)
            con.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'version'")
        except BaseException as e:
            if con.in_transaction:
                con.execute("ROLLBACK")
            if isinstance(e, sqlite3.Error):
                raise self._unavailable(e) from e
            raise
        try:
            con.execute("COMMIT")
        except sqlite3.Error as e:
            if con.in_transaction:
                con.execute("ROLLBACK")
            raise self._unavailable(e) from e
        self._truncate_wal(con)

    def _truncate_wal(self, con: sqlite3.Connection) -> None:
        """Copy the committed pages into the database and empty the write-ahead log, best effort.

        A source's transaction puts every page it writes into the log (78 MB for H2020 beside a 77 MB
        database), and SQLite keeps the log file at its largest size until the last connection closes,
        so a server's store would stay twice its size on disk. A reader still on an older snapshot
        makes the truncation give way at once (no waiting), and the next write's checkpoint finishes it.
        """
        try:
            con.execute("PRAGMA busy_timeout=0")
            con.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
        except sqlite3.Error:
            pass
        finally:
            con.execute(f"PRAGMA busy_timeout={int(self.lock_timeout_s * 1000)}")

    def version(self) -> int:
        rows = self._q("SELECT value FROM meta WHERE key = 'version'")
        return int(rows[0][0]) if rows else 0

    def identity(self) -> str:
        if self._identity is None:
            rows = self._q("SELECT value FROM meta WHERE key = 'identity'")
            if not rows:  # a database from before identities, opened read-only: its file names it
                try:
                    inode = self.path.stat().st_ino
                except OSError:
                    inode = 0
                return f"sqlite:{self.path.resolve()}#{inode}"
            self._identity = f"sqlite:{rows[0][0]}"
        return self._identity

    # -- derived data (sidecar file) ----------------------------------------------------------
    @property
    def derived_path(self) -> Path:
        return self.path.with_name(self.path.name + ".derived")

    def _derived_con(self) -> sqlite3.Connection:
        self._forked()
        if self._derived is None:
            con = sqlite3.connect(self.derived_path, isolation_level=None, check_same_thread=False)
            con.execute("PRAGMA journal_mode=WAL")
            con.execute("PRAGMA busy_timeout=5000")
            con.executescript(DERIVED_SCHEMA)
            self._derived = con
        return self._derived

    def read_derived(self, version: int, key: str) -> bytes | None:
        self._forked()
        ident = self.identity()
        try:
            with self._derived_lock:
                if self._derived is None and not self.derived_path.exists():
                    return None
                row = (
                    self._derived_con()
                    .execute(
                        "SELECT data FROM derived WHERE store = ? AND key = ? AND version = ?",
                        (ident, key, version),
                    )
                    .fetchone()
                )
        except sqlite3.Error:
            return None  # an unreadable sidecar is a cache miss
        return bytes(row[0]) if row else None

    def write_derived(self, version: int, key: str, data: bytes) -> None:
        ident = self.identity()
        try:
            with self._derived_lock:
                con = self._derived_con()
                con.execute("BEGIN IMMEDIATE")
                try:
                    con.execute(
                        "INSERT OR REPLACE INTO derived (store, key, version, data) VALUES (?, ?, ?, ?)",
                        (ident, key, version, sqlite3.Binary(data)),
                    )
                    # older versions go, except the newest complete one (a server answers from it
                    # while this version is built)
                    con.execute(
                        "DELETE FROM derived WHERE store != ? OR (version < ? AND version != "
                        "(SELECT COALESCE(MAX(version), -1) FROM derived WHERE store = ? AND key = ?))",
                        (ident, version, ident, COMPLETE_KEY),
                    )
                except BaseException:
                    con.execute("ROLLBACK")
                    raise
                con.execute("COMMIT")
        except sqlite3.Error:
            pass  # best effort: the next process computes it again

    # -- reads ------------------------------------------------------------------------------
    def get_actor(self, key: str) -> Actor:
        rows = self._q(
            "SELECT a.data FROM actor_keys k JOIN actors a ON a.id = k.actor_id WHERE k.key = ? "
            "UNION ALL SELECT data FROM actors WHERE id = ? LIMIT 1",
            (key, key),
        )
        if not rows:
            raise NotFound(f"no actor {key!r}")
        return Actor.model_validate_json(rows[0][0])

    def get_actors(self, ids: Iterable[str]) -> dict[str, Actor]:
        out: dict[str, Actor] = {}
        for chunk in _chunks(list(dict.fromkeys(ids))):
            for aid, data in self._q(
                f"SELECT id, data FROM actors WHERE id IN ({_marks(len(chunk))})", chunk
            ):
                out[aid] = Actor.model_validate_json(data)
        return out

    def get_project(self, project_id: str) -> Project:
        rows = self._q("SELECT data FROM projects WHERE id = ?", (project_id,))
        if not rows:
            raise NotFound(f"no project {project_id!r}")
        return Project.model_validate_json(rows[0][0])

    def get_projects(self, ids: Iterable[str]) -> dict[str, Project]:
        out: dict[str, Project] = {}
        for chunk in _chunks(list(dict.fromkeys(ids))):
            for pid, data in self._q(
                f"SELECT id, data FROM projects WHERE id IN ({_marks(len(chunk))})", chunk
            ):
                out[pid] = Project.model_validate_json(data)
        return out

    def lookup_keys(self, keys: Iterable[str]) -> dict[str, str]:
        out: dict[str, str] = {}
        for chunk in _chunks(list(dict.fromkeys(keys))):
            out.update(
                self._q(f"SELECT key, actor_id FROM actor_keys WHERE key IN ({_marks(len(chunk))})", chunk)
            )
        return out

    def iter_actors(self) -> Iterator[Actor]:
        for (data,) in self._q("SELECT data FROM actors ORDER BY id"):
            yield Actor.model_validate_json(data)

    def units(self, actor_id: str) -> list[Actor]:
        rows = self._q(
            "SELECT data FROM actors WHERE json_extract(data, '$.part_of') = ? ORDER BY id", [actor_id]
        )
        return [Actor.model_validate_json(d) for (d,) in rows]

    def iter_projects(self) -> Iterator[Project]:
        for (data,) in self._q("SELECT data FROM projects ORDER BY id"):
            yield Project.model_validate_json(data)

    def iter_participations(self) -> Iterator[Participation]:
        for (data,) in self._q("SELECT data FROM participations ORDER BY actor_id, project_id"):
            yield Participation.model_validate_json(data)

    def participations(
        self, actor_id: str | None = None, project_id: str | None = None
    ) -> list[Participation]:
        where, params = [], []
        if actor_id is not None:
            where.append("actor_id = ?")
            params.append(actor_id)
        if project_id is not None:
            where.append("project_id = ?")
            params.append(project_id)
        sql = "SELECT data FROM participations" + (" WHERE " + " AND ".join(where) if where else "")
        return [
            Participation.model_validate_json(d)
            for (d,) in self._q(sql + " ORDER BY actor_id, project_id", params)
        ]

    def raw_records(self) -> Iterator[tuple[str, str]]:
        for kind, table in _RAW_TABLES:
            for (data,) in self._q(f"SELECT data FROM {table}"):
                yield kind, data

    def search_actors(
        self, query: str = "", filters: ActorFilter | None = None, limit: int = 50, offset: int = 0
    ) -> tuple[list[Actor], int]:
        f = filters or ActorFilter()
        where: list[str] = []
        params: list[Any] = []
        words = fold(query).split()
        for w in words:
            where.append("a.search LIKE ?")
            params.append(f"%{w}%")
        for col, values in (
            ("a.county_code", f.county),
            ("a.kind", [k.value for k in f.kind]),
            ("a.country", f.country),
        ):
            if values:
                where.append(f"{col} IN ({_marks(len(values))})")
                params.extend(values)
        if f.programme:
            where.append(
                "EXISTS (SELECT 1 FROM participations p JOIN projects j ON j.id = p.project_id "
                f"WHERE p.actor_id = a.id AND j.programme IN ({_marks(len(f.programme))}))"
            )
            params.extend(f.programme)
        if f.theme:
            where.append(
                "EXISTS (SELECT 1 FROM participations p JOIN project_themes t ON t.project_id = p.project_id "
                f"WHERE p.actor_id = a.id AND t.theme_id IN ({_marks(len(f.theme))}))"
            )
            params.extend(f.theme)
        clause = " WHERE " + " AND ".join(where) if where else ""
        total = self._q(f"SELECT count(*) FROM actors a{clause}", params)[0][0]
        q = fold(query)
        rows = self._q(
            # The exact name or an exact alias first (a university before its departments), then names
            # starting with the query. `search` is the folded name and aliases joined by " | ".
            f"SELECT a.data FROM actors a{clause} ORDER BY (a.search = ? OR a.search LIKE ? "
            "OR a.search LIKE ? OR a.search LIKE ?) DESC, a.search LIKE ? DESC, a.name, a.id LIMIT ? OFFSET ?",
            [*params, q, f"{q} |%", f"% | {q} |%", f"% | {q}", f"{q}%", limit, offset],
        )
        return [Actor.model_validate_json(d) for (d,) in rows], total

    def search_projects(
        self, query: str = "", filters: ProjectFilter | None = None, limit: int = 50, offset: int = 0
    ) -> tuple[list[Project], int]:
        f = filters or ProjectFilter()
        where: list[str] = []
        params: list[Any] = []
        for w in fold(query).split():
            where.append("j.search LIKE ?")
            params.append(f"%{w}%")
        if f.programme:
            where.append(f"j.programme IN ({_marks(len(f.programme))})")
            params.extend(f.programme)
        if f.theme:
            where.append(
                f"EXISTS (SELECT 1 FROM project_themes t WHERE t.project_id = j.id "
                f"AND t.theme_id IN ({_marks(len(f.theme))}))"
            )
            params.extend(f.theme)
        if f.actor:
            where.append(
                "EXISTS (SELECT 1 FROM participations p WHERE p.project_id = j.id AND p.actor_id = ?)"
            )
            params.append(f.actor)
        clause = " WHERE " + " AND ".join(where) if where else ""
        total = self._q(f"SELECT count(*) FROM projects j{clause}", params)[0][0]
        rows = self._q(
            f"SELECT j.data FROM projects j{clause} ORDER BY j.start DESC, j.id LIMIT ? OFFSET ?",
            [*params, limit, offset],
        )
        return [Project.model_validate_json(d) for (d,) in rows], total

    def neighbourhood(
        self, actor_id: str, depth: int = 1, max_actors: int = 200, with_units: bool = False
    ) -> Neighbourhood:
        def projects_of(ids: list[str]) -> list[str]:
            sql = f"SELECT project_id FROM participations WHERE actor_id IN ({_marks(len(ids))})"
            return [r[0] for r in self._q(sql, ids)]

        def members_of(ids: list[str]) -> list[tuple[str, str]]:
            sql = f"SELECT project_id, actor_id FROM participations WHERE project_id IN ({_marks(len(ids))})"
            return [(r[0], r[1]) for r in self._q(sql, ids)]

        def participations_of(project_ids: list[str], actor_ids: list[str]) -> list[Participation]:
            sql = (
                f"SELECT data FROM participations WHERE project_id IN ({_marks(len(project_ids))}) "
                f"AND actor_id IN ({_marks(len(actor_ids))})"
            )
            return [Participation.model_validate_json(d) for (d,) in self._q(sql, [*project_ids, *actor_ids])]

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
        return [County.model_validate_json(d) for (d,) in self._q("SELECT data FROM counties ORDER BY code")]

    def themes(self) -> list[Theme]:
        return [Theme.model_validate_json(d) for (d,) in self._q("SELECT data FROM themes ORDER BY id")]

    def stats(self) -> Stats:
        def grouped(sql: str) -> dict[str, int]:
            return {str(k) if k is not None else "": n for k, n in self._q(sql)}

        return Stats(
            actors=self._q("SELECT count(*) FROM actors")[0][0],
            projects=self._q("SELECT count(*) FROM projects")[0][0],
            participations=self._q("SELECT count(*) FROM participations")[0][0],
            counties=self._q("SELECT count(*) FROM counties")[0][0],
            themes=self._q("SELECT count(*) FROM themes")[0][0],
            actors_by_kind=grouped("SELECT kind, count(*) FROM actors GROUP BY kind ORDER BY kind"),
            actors_by_county=grouped(
                "SELECT county_code, count(*) FROM actors WHERE county_code IS NOT NULL "
                "GROUP BY county_code ORDER BY county_code"
            ),
            actors_by_country=grouped(
                "SELECT country, count(*) FROM actors WHERE country IS NOT NULL GROUP BY country ORDER BY country"
            ),
            projects_by_programme=grouped(
                "SELECT programme, count(*) FROM projects GROUP BY programme ORDER BY programme"
            ),
        )

    def to_networkx(self) -> nx.Graph:
        return bipartite_graph(
            self.iter_actors(),
            self.iter_projects(),
            self.iter_participations(),
            units_apart=Settings().units_apart,
        )
