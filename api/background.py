"""Derived data computed off the request: one background runner, the readiness it reports, and waits.

Three uses, one mechanism (`submit`: a key runs once at a time in a daemon thread, whatever the number
of clients asking):

- `wait_for`: a request asks for something that may take long (an analysis over the full graph); it
  waits at most `wait` seconds and otherwise gets `Computing` (the API answers 202 with Retry-After),
  so no request holds a worker for minutes and twenty clients asking the same new question share one
  computation. `cached_analysis` and `actor_measures` are the two users.
- the refresh hook of `graph.cache.serve_stale`: after an ingest commits, a request gets the previous
  version's value at once and the current one is built here — the old version keeps serving until the
  new one is complete, so the API never stalls on a rebuild.
- `Precompute`: a watcher that builds the derived data every page needs (`steps`) for each new store
  version as soon as it appears, with progress; `GET /health` reports it (`ready`). On a large store
  a server hands the build to an `innograph derive` process (which builds in two processes on SQLite,
  `_build_parallel`); a version whose build finished before is ready at once; meanwhile every key
  answers from the newest complete version (`complete_version`), never computed on a request.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import gc
import hashlib
import logging
import os
import pickle
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any, Literal, overload

from pydantic import BaseModel, Field, ValidationError

from graph import cache
from graph.analysis import (
    ANALYSES,
    AnalysisResult,
    BrokerageResult,
    CentralityResult,
    CentralityRow,
    CommunitiesResult,
    CountiesResult,
    IsolatedResult,
    Scope,
    ThemesResult,
    run_analysis,
)
from graph.analysis.run import SCORE_SETTINGS, result_key
from graph.geo import COUNTIES
from graph.model import Actor
from graph.projection import RECORDS_KEY
from graph.settings import Settings
from graph.store.base import COMPLETE_KEY, GraphStore

log = logging.getLogger(__name__)

WAIT_S = 20.0
RETRY_AFTER_S = 5
#: How long an actor page waits for its measures (long enough for a small graph, short for a large one).
MEASURES_WAIT_S = 0.5
#: How often the precompute watcher looks at the store's version.
POLL_S = 1.0


class Computing(Exception):
    """The result is still being computed in the background: ask again in a few seconds."""


_running: dict[Hashable, threading.Event] = {}
_failed: dict[Hashable, BaseException] = {}
_guard = threading.Lock()


#: On-demand measures of counties outside the precompute: one at a time, so that twenty clients on
#: actors of twenty counties start one computation after another, not twenty against the requests.
_MEASURES = threading.Semaphore(1)


def submit(key: Hashable, fn: Callable[[], Any], gate: threading.Semaphore | None = None) -> threading.Event:
    """Run `fn` in a background thread unless a run of `key` is going on; the event is set when it ends.

    `fn` keeps its result itself (in `graph.cache`); a failure is kept for the next `wait_for`.
    """
    with _guard:
        done = _running.get(key)
        if done is not None:
            return done
        done = _running[key] = threading.Event()

    def run() -> None:
        try:
            if gate is None:
                fn()
            else:
                with gate:
                    fn()
        except Exception as e:  # handed to the request that asks next (NotFound, InvalidInput, …)
            with _guard:
                _failed[key] = e
        finally:
            with _guard:
                _running.pop(key, None)
            done.set()

    threading.Thread(target=run, name=f"background {key!r}"[:60], daemon=True).start()
    return done


def wait_for(
    key: Hashable, fn: Callable[[], Any], wait: float, what: str, gate: threading.Semaphore | None = None
) -> Any:
    """`fn()` if it answers within `wait` seconds (computed in the background), else raise `Computing`.

    `fn` must be cheap the second time (it reads `graph.cache`). Raises `fn`'s own error when it failed.
    """
    result: list[Any] = []
    done = submit(key, lambda: result.append(fn()), gate)
    done.wait(wait)
    if result:
        return result[0]
    with _guard:
        error = _failed.pop(key, None)
        still = key in _running
    if error is not None:
        raise error
    if not still:  # finished between the wait and the check, or answered by another caller's run
        return fn()
    raise Computing(f"{what} is still running: ask again in a few seconds")


def refresh(store: GraphStore, key: str, compute: Callable[[], Any]) -> None:
    """`graph.cache`'s hook: an older version was served for `key`; build the current one here.

    Not while the precompute builds the new version: it does so anyway (or another process does, and
    it reads the result), and a second build here would only compete with it.
    """
    job = _JOB
    if job is not None and not job.progress().ready:
        return
    submit(("refresh", store.identity(), key), compute)


# -- the two request-side users -----------------------------------------------------------------------
@overload
def cached_analysis(
    store: GraphStore,
    name: Literal["centrality"],
    scope: Scope,
    top: int | None = None,
    wait: float | None = None,
) -> CentralityResult: ...
@overload
def cached_analysis(
    store: GraphStore,
    name: Literal["brokerage"],
    scope: Scope,
    top: int | None = None,
    wait: float | None = None,
) -> BrokerageResult: ...
@overload
def cached_analysis(
    store: GraphStore,
    name: Literal["communities"],
    scope: Scope,
    top: int | None = None,
    wait: float | None = None,
) -> CommunitiesResult: ...
@overload
def cached_analysis(
    store: GraphStore,
    name: Literal["isolated"],
    scope: Scope,
    top: int | None = None,
    wait: float | None = None,
) -> IsolatedResult: ...
@overload
def cached_analysis(
    store: GraphStore,
    name: Literal["counties"],
    scope: Scope,
    top: int | None = None,
    wait: float | None = None,
) -> CountiesResult: ...
@overload
def cached_analysis(
    store: GraphStore,
    name: Literal["themes"],
    scope: Scope,
    top: int | None = None,
    wait: float | None = None,
) -> ThemesResult: ...
@overload
def cached_analysis(
    store: GraphStore, name: str, scope: Scope, top: int | None = None, wait: float | None = None
) -> AnalysisResult: ...
def cached_analysis(
    store: GraphStore, name: str, scope: Scope, top: int | None = None, wait: float | None = None
) -> AnalysisResult:
    """`run_analysis(store, name, scope, top)` without holding the request more than `wait` (`WAIT_S`),
    typed by the analysis's name as `run_analysis` is.

    Raises `Computing` when it is not ready in time, and the analysis's own error (e.g. `InvalidInput`).
    """
    if name in ANALYSES:  # computed before (here or by another process): no thread, no wait
        done = cache.peek(store, result_key(name, scope, top))
        if done is not cache.MISSING:
            return done
    key = ("analysis", store.identity(), store.version(), name, scope, top)
    result: AnalysisResult = wait_for(
        key,
        lambda: run_analysis(store, name, scope, top=top),
        WAIT_S if wait is None else wait,
        f"the {name} analysis for this scope",
    )
    return result


MeasuresStatus = Literal["ready", "computing", "not_applicable", "failed"]


def actor_measures(
    store: GraphStore, actor: Actor, wait: float | None = None
) -> tuple[CentralityRow | None, MeasuresStatus]:
    """The actor's centrality row (the centrality analysis of its county) and whether it is ready.

    Swedish actors with a county only. Ready, but without a row: the actor takes part in no project.
    """
    county = actor.county_code
    if county is None or county not in COUNTIES:
        return None, "not_applicable"
    key = ("measures", store.identity(), store.version(), county)
    try:
        result = wait_for(
            key,
            lambda: run_analysis(store, "centrality", Scope(counties=(county,)), top=None),
            MEASURES_WAIT_S if wait is None else wait,
            "the measures",
            gate=_MEASURES,
        )
    except Computing:
        return None, "computing"
    except Exception:  # reported in the answer; asked again on the next request
        return None, "failed"
    row = next((r for r in result.rows if r.actor_id == actor.id), None)
    return row, "ready"


# -- what every page needs, built before anyone asks --------------------------------------------------
Part = Literal["records", "graphs", "county"]


@dataclass(frozen=True)
class Step:
    """One piece of derived data, and what it needs first (which decides where it may be built)."""

    name: str
    fn: Callable[[], object]
    #: "records": only the store's records and the graphs, no other step's result (a worker builds
    #: it while the whole-graph scores are computed here); "graphs": the analyses; "county": one
    #: county's pages and files, once the analyses are done (split between this process and a worker).
    part: Part = "graphs"
    county: str | None = None
    #: A county step's work per actor of the county, roughly (to share the counties' steps out).
    weight: float = 1.0
    #: County steps of one group share intermediate work (a county's graph files share its actors'
    #: Burt measures) and are built in one process.
    group: str = ""


def steps(store: GraphStore) -> list[Step]:
    """The derived data the pages and commands use: each analysis in the scopes the pages, the API's
    defaults and the county reports ask for; the centrality of every other county (the measures on
    any Swedish actor's page: computed on a request, they would hold the server for half a minute);
    the South Sweden counties' isolated views, reports and downloads; the partner index and the
    funding facts. Each step keeps its result in `graph.cache` (memory and beside the store), so a
    process that finds them there reads them without building the graphs."""
    from api.routes.analysis_views import isolated_html
    from api.routes.export import export_file
    from graph.analysis import ANALYSES, prepare
    from graph.analysis.funding import store_facts
    from graph.geo import SOUTH_SWEDEN
    from graph.partners import partner_index
    from graph.report import county_report_cached
    from viz.theme import theme_selections

    def analysis(name: str, scope: Scope, top: int | None) -> Step:
        where = ",".join(scope.counties) or "all"
        label = f"analysis {name} ({where})" + (f" top {top}" if top else "")
        return Step(label, lambda: run_analysis(store, name, scope, top=top))

    out: list[Step] = [
        Step("partner index", lambda: partner_index(store), "records"),
        Step("funding facts", lambda: store_facts(store), "records"),
        Step("communities (Louvain) and modularity", lambda: prepare(store).modularity(), "records"),
    ]
    south, everyone = Scope(), Scope(counties=())
    out += [analysis(name, south, None) for name in ANALYSES]  # the CLI's and the views' defaults
    out += [analysis(name, south, 100) for name in ANALYSES]  # the API's default top
    out += [analysis(name, everyone, None) for name in ("counties", "themes", "isolated")]
    for code in SOUTH_SWEDEN:  # the county views, reports and actor measures
        county = Scope(counties=(code,))
        out += [analysis(name, county, None) for name in ("centrality", "brokerage", "isolated")]
        out += [analysis(name, county, 100) for name in ("centrality", "brokerage")]  # the API's default
    for code in sorted(set(COUNTIES) - set(SOUTH_SWEDEN)):  # every other Swedish actor's page measures
        county = Scope(counties=(code,))
        for top in (None, 100):  # once the whole-graph scores are there: shared out like a county's pages
            step = analysis("centrality", county, top)
            out.append(Step(step.name, step.fn, "county", code, 0.5, "measures"))
    out.append(Step("theme views", lambda: theme_selections(store)))
    max_nodes = 300  # the isolated view's default cap (the server's `api_max_nodes` allows more)
    out.append(Step("isolated view", functools.partial(isolated_html, store, south, max_nodes)))
    for code in SOUTH_SWEDEN:  # what a county's page, report and downloads show
        county = Scope.parse([code])
        page = functools.partial(isolated_html, store, county, max_nodes)
        report = functools.partial(county_report_cached, store, code)
        out.append(Step(f"isolated view {code}", page, "county", code, 0.1, "view"))
        out.append(Step(f"county report {code}", report, "county", code, 1.0, "report"))
        for kind, weight, group in (("gexf", 2.0, "graph"), ("graphml", 1.0, "graph"), ("xlsx", 1.0, "xlsx")):
            file = functools.partial(export_file, store, kind, county)
            out.append(Step(f"{kind} export {code}", file, "county", code, weight, group))
    return out


def _halves(store: GraphStore, todo: list[Step]) -> tuple[list[Step], list[Step]]:
    """The county steps in two shares of about equal work: a group's work is its steps' weights times
    its county's actors; the largest group first, each to the lighter share; each share in step order."""
    from graph.analysis import prepare

    size: dict[str | None, int] = {}
    for _, d in prepare(store).collab.nodes(data=True):
        code = d.get("county_code")
        size[code] = size.get(code, 0) + 1
    work: dict[tuple[str | None, str], float] = {}
    for s in todo:
        key = (s.county, s.group)
        work[key] = work.get(key, 0.0) + s.weight * size.get(s.county, 0)
    load = [0.0, 0.0]
    mine: set[tuple[str | None, str]] = set()
    for key in sorted(work, key=lambda k: (-work[k], str(k))):
        if load[0] <= load[1]:
            mine.add(key)
            load[0] += work[key]
        else:
            load[1] += work[key]
    here = [s for s in todo if (s.county, s.group) in mine]
    return here, [s for s in todo if (s.county, s.group) not in mine]


# -- precompute of each new version -------------------------------------------------------------------
class Progress(BaseModel):
    """What `GET /health` says about the derived data of the store's current version."""

    ready: bool = Field(description="derived data for the current store version is built")
    version: int | None = Field(description="the store version it is (being) built for")
    done: int = 0
    total: int = 0
    current: str | None = Field(default=None, description="the step being computed")
    seconds: float = Field(default=0.0, description="time spent on this version so far")
    failed: list[str] = Field(default_factory=list, description="steps that failed (computed on request)")


@dataclass
class Precompute:
    """Builds `steps(store)` for every new store version, one version at a time."""

    store: GraphStore
    poll: float = POLL_S
    #: Called with (step index, step count, step name) before each step (the CLI prints it).
    on_step: Callable[[int, int, str], None] | None = None
    #: Announce the build to other processes (`innograph derive`); a server follows instead.
    lead: bool = False
    #: When given (a server), large graphs are built by a `derive` process with these settings.
    settings: Settings | None = None
    #: Stop at a stored record the model refuses instead of failing every step on it (`innograph
    #: derive`: one line naming `db repair`, exit 1); a server keeps serving what it can.
    stop_on_refused: bool = False
    #: Processes a `derive` build may use (`_parallel`): the cores of the machine, at most two.
    workers: int = field(default_factory=lambda: min(2, os.cpu_count() or 1))
    #: Seconds each step took in the last build (`innograph derive` prints the slowest).
    step_seconds: dict[str, float] = field(default_factory=dict)
    #: The newest version whose derived data is complete (what a server answers from meanwhile).
    complete: int | None = None
    _progress: Progress = field(default_factory=lambda: Progress(ready=False, version=None))
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> Precompute:
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="precompute", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()

    def progress(self) -> Progress:
        with self._lock:
            p = self._progress.model_copy()
        try:
            current = self.store.version()
        except Exception:
            return p
        if p.version != current:  # a commit the watcher has not seen yet
            return Progress(ready=False, version=current)
        return p

    def _set(self, **changes: Any) -> None:
        with self._lock:
            self._progress = self._progress.model_copy(update=changes)

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                version = self.store.version()
                if self._progress.version != version or not self._progress.ready:
                    self.build(version)
            except Exception as e:  # the store is unreachable for now: try again later
                log.warning("precompute: %s", e)
            self._stop.wait(self.poll)

    def build(self, version: int) -> bool:
        """Build every step for `version`; False when a newer version appeared meanwhile (start again).

        When another process is building the same version (`innograph derive`, started by an ingest),
        this one follows its progress. A server (`settings` given) on a large graph hands the building
        to such a process itself: the heavy work then neither holds the server's interpreter lock
        against the requests nor raises its memory, and the steps here only read what it kept.
        """
        t0 = time.perf_counter()
        todo = steps(self.store)
        signature = steps_signature(todo)
        while True:
            if not self._follow(version, t0):
                return False
            if self._finished(version, signature, t0):  # built before (a restart): nothing to read now
                return True
            if not self.lead or self._claim(version, signature, len(todo)):
                break
        if self.settings is not None and self._large():
            if not self._delegate(version, t0):
                return False
            if self._finished(version, signature, t0):
                return True
            log.warning("precompute: the derive process did not finish version %s: building here", version)
        self.step_seconds = {}
        self._set(ready=False, version=version, done=0, total=len(todo), current=None, seconds=0.0, failed=[])
        run = _Run(self, version, signature, len(todo), t0)
        if self._parallel():
            if not self._build_parallel(run, todo):
                return False
        elif not run.steps(todo):
            return False
        failed = run.failed
        if self.store.version() != version:
            return False
        finished = Lease(len(todo), len(todo), None, finished=True, signature=signature, failed=failed)
        write_lease(self.store, version, finished)
        self.store.write_derived(version, COMPLETE_KEY, b"")  # the stores keep it until a newer one is
        cache.drop(self.store, RECORDS_KEY)  # every step has what it needs from them now
        release_memory()
        self._ready(version, finished, t0)
        return True

    def _claim(self, version: int, signature: str, total: int) -> bool:
        """Take the build of `version` (a lease beside the store, before any work): False when another
        process took it at the same moment (the last lease written wins; the other follows it)."""
        write_lease(self.store, version, Lease(0, total, "starting", signature=signature))
        time.sleep(CLAIM_S)
        lease = read_lease(self.store, version)
        return lease is None or lease.pid == os.getpid() or not lease.alive()

    def _parallel(self) -> bool:
        """Build in two processes: a `derive` process on a large graph with a store that a forked
        process may use (SQLite), on a machine with two cores or more."""
        return (
            self.lead
            and self.workers > 1
            and hasattr(os, "fork")
            and getattr(self.store, "fork_safe", False)
            and self._large()
        )

    def _build_parallel(self, run: _Run, todo: list[Step]) -> bool:
        """The records' steps in a worker while the graphs are built here; then the counties' steps
        split between this process and a worker (each forked with what is built so far in memory)."""
        from graph.analysis import prepare

        started = time.perf_counter()
        with cache.fresh():
            prepare(self.store)  # the records and graphs, read and built once: the workers inherit them
        self.step_seconds["store records and graphs"] = time.perf_counter() - started
        records = [s for s in todo if s.part == "records"]
        counties = [s for s in todo if s.part == "county"]
        graphs = [s for s in todo if s.part == "graphs"]
        worker = _Worker.start(self.store, run.version, records)
        try:
            if not run.steps(graphs):
                return False
            if not run.join(worker, records):
                return False
            here, there = _halves(self.store, counties)
            worker = _Worker.start(self.store, run.version, there)
            if not run.steps(here):
                return False
            return run.join(worker, there)
        finally:
            if worker is not None:
                worker.stop()

    def _ready(self, version: int, lease: Lease, t0: float) -> None:
        self.complete = version
        self._set(
            ready=True,
            version=version,
            done=lease.total,
            total=lease.total,
            current=None,
            seconds=round(time.perf_counter() - t0, 1),
            failed=list(getattr(lease, "failed", [])),
        )

    def _finished(self, version: int, signature: str, t0: float) -> bool:
        """Ready at once when a build of these steps for `version` finished before (here, in a `derive`
        process or before a restart): a restart only checks the version; pages then read what they
        need from beside the store when first asked."""
        lease = read_lease(self.store, version)
        if lease is None or not lease.finished or getattr(lease, "signature", None) != signature:
            return False
        self._ready(version, lease, t0)
        return True

    def _large(self) -> bool:
        try:
            return self.store.stats().participations >= DERIVE_FROM
        except Exception:
            return False

    def _delegate(self, version: int, t0: float) -> bool:
        """Run `innograph derive` for `version` and show its progress; False if the version moved."""
        assert self.settings is not None
        try:
            proc = spawn_derive(self.settings)
        except OSError as e:
            log.warning("precompute: cannot start a derive process (%s): building here", e)
            return True
        while proc.poll() is None:
            if self._stop.is_set():
                proc.terminate()
                return False
            lease = read_lease(self.store, version)
            self._set(
                ready=False,
                version=version,
                done=lease.done if lease else 0,
                total=lease.total if lease else 0,
                current=f"{lease.current if lease else 'starting'} (by process {proc.pid})",
                seconds=round(time.perf_counter() - t0, 1),
            )
            self._stop.wait(self.poll)
        return self.store.version() == version  # else: the process gave way to the newer version

    def _follow(self, version: int, t0: float) -> bool:
        """Wait while a live process builds `version`, showing its progress; False if the version moved."""
        while not self._stop.is_set():
            lease = read_lease(self.store, version)
            if lease is None or lease.finished or not lease.alive():
                return True
            if self.store.version() != version:
                return False
            self._set(
                ready=False,
                version=version,
                done=lease.done,
                total=lease.total,
                current=f"{lease.current} (by process {lease.pid})",
                seconds=round(time.perf_counter() - t0, 1),
            )
            self._stop.wait(self.poll)
        return False


@dataclass
class _Run:
    """One build's step loop: progress, the lease, each step's time, the failures."""

    job: Precompute
    version: int
    signature: str
    total: int
    t0: float
    done: int = 0
    failed: list[str] = field(default_factory=list)

    def steps(self, todo: list[Step], worker: bool = False) -> bool:
        """Run `todo` in order; False when the version moved on (or the build was stopped)."""
        job = self.job
        for step in todo:
            if job._stop.is_set() or job.store.version() != self.version:
                return False
            if not worker:
                job._set(current=step.name, done=self.done, seconds=round(time.perf_counter() - self.t0, 1))
                if job.on_step is not None:
                    job.on_step(self.done, self.total, step.name)
                if job.lead:
                    lease = Lease(self.done, self.total, step.name, signature=self.signature)
                    write_lease(job.store, self.version, lease)
            started = time.perf_counter()
            try:
                with cache.fresh():
                    step.fn()
            except ValidationError:
                if job.stop_on_refused:
                    raise
                self.failed.append(f"{step.name}: a stored record is refused by the model")
                log.warning("precompute %s: a stored record is refused by the model", step.name)
            except Exception as e:  # one broken step does not hold the others back
                said = " ".join(str(e).split())[:300]  # one line in a log, however long the error
                log.warning("precompute %s: %s", step.name, said)
                self.failed.append(f"{step.name}: {type(e).__name__}: {said}")
            job.step_seconds[step.name] = time.perf_counter() - started
            self.done += 1
        return True

    def join(self, worker: _Worker | None, todo: list[Step]) -> bool:
        """Wait for a worker's steps; what it did not report done is built here."""
        failed = worker.wait() if worker is not None else None
        if failed is None:  # no worker, or it died: build its steps here (what it kept is read)
            return self.steps(todo)
        self.failed += failed
        self.done += len(todo)
        return True


@dataclass
class _Worker:
    """A forked process that builds some steps of the same version and reports its failures beside
    the store. It inherits what this process has built so far (records, graphs, scores) and dies with
    it (a `derive` replaced by a newer version takes its worker along)."""

    store: GraphStore
    version: int
    pid: int
    running: bool = True

    @classmethod
    def start(cls, store: GraphStore, version: int, todo: list[Step]) -> _Worker | None:
        if not todo:
            return None
        _prctl()  # looked up here, before the fork
        try:
            pid = os.fork()
        except OSError as e:
            log.warning("precompute: cannot fork a worker (%s): building here", e)
            return None
        if pid:
            return cls(store, version, pid)
        code = 1
        try:  # the worker: never returns into the caller
            _die_with_parent()
            run = _Run(Precompute(store), version, "", len(todo), time.perf_counter())
            if run.steps(todo, worker=True):
                store.write_derived(version, _worker_key(os.getpid()), pickle.dumps(run.failed))
                code = 0
        except BaseException as e:
            log.warning("precompute worker: %s", e)
        finally:
            os._exit(code)

    def wait(self) -> list[str] | None:
        """The worker's failed steps once it ended; None when it ended without reporting them."""
        os.waitpid(self.pid, 0)
        self.running = False
        data = self.store.read_derived(self.version, _worker_key(self.pid))
        failed = pickle.loads(data) if data else None
        return failed if isinstance(failed, list) else None

    def stop(self) -> None:
        if self.running:
            with contextlib.suppress(OSError):
                os.kill(self.pid, signal.SIGTERM)
                os.waitpid(self.pid, 0)
            self.running = False


def _worker_key(pid: int) -> str:
    return f"precompute:worker:{pid}"


# -- who is building a version: a lease beside the store ---------------------------------------------
LEASE_KEY = "precompute:lease"
LEASE_STALE_S = 300.0  # a lease not renewed for this long is a crashed process's


@dataclass
class Lease:
    done: int
    total: int
    current: str | None
    finished: bool = False
    #: `steps_signature` of the steps built: a build by code with other steps is not this one's.
    signature: str | None = None
    failed: list[str] = field(default_factory=list)
    pid: int = field(default_factory=os.getpid)
    host: str = field(default_factory=socket.gethostname)
    at: float = field(default_factory=time.time)

    def alive(self) -> bool:
        if time.time() - self.at > LEASE_STALE_S:
            return False
        if self.host != socket.gethostname():
            return True
        if self.pid == os.getpid():
            return False
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True


def steps_signature(todo: list[Step]) -> str:
    """Names the code and the steps (and so the scopes and keys) a build covers: a finished lease counts
    only for the same code and steps, so new code builds again rather than claim readiness."""
    text = "\n".join([cache.code_version(), SCORE_SETTINGS, *(step.name for step in todo)])
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def write_lease(store: GraphStore, version: int, lease: Lease) -> None:
    store.write_derived(version, LEASE_KEY, pickle.dumps(lease))


def read_lease(store: GraphStore, version: int) -> Lease | None:
    try:
        data = store.read_derived(version, LEASE_KEY)
        lease = pickle.loads(data) if data else None
    except Exception:
        return None
    return lease if isinstance(lease, Lease) else None


def release_memory() -> None:
    """Give the heap that building freed back to the system (glibc keeps it otherwise: the server's
    resident size would stay at the build's peak). A no-op where there is no glibc."""
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


#: How long a process that took a build waits before it checks that no other process took it too.
CLAIM_S = 1.0

#: Below this many participations, derived data is computed in-process (faster than starting one).
DERIVE_FROM = 20_000


def settings_env(settings: Settings) -> dict[str, str]:
    """The environment that gives a child process these settings (`INNOGRAPH_*`)."""
    env = dict(os.environ)
    for key, value in settings.model_dump().items():
        if value is None or isinstance(value, dict):
            continue
        secret = getattr(value, "get_secret_value", None)
        env[f"INNOGRAPH_{key.upper()}"] = str(secret() if secret else value)
    if settings.store == "sqlite":
        env["INNOGRAPH_DB"] = str(settings.db_path)
    return env


def spawn_derive(settings: Settings, after_ingest: bool = False) -> subprocess.Popen[bytes]:
    """Start `innograph derive` on the settings' store, detached, its output in `<db>.derive.log`."""
    args = [sys.executable, "-m", "api", "derive", "--quiet"] + (["--after-ingest"] if after_ingest else [])
    out: Any = subprocess.DEVNULL
    if settings.store == "sqlite":
        out = open(settings.db_path.with_name(settings.db_path.name + ".derive.log"), "ab")  # noqa: SIM115
    return subprocess.Popen(
        args,
        env=settings_env(settings),
        stdin=subprocess.DEVNULL,
        stdout=out,
        stderr=out,
        start_new_session=after_ingest,  # after an ingest it outlives the command; a server's dies with it
        preexec_fn=None if after_ingest or _prctl() is None else _die_with_parent,
    )


@functools.cache
def _prctl() -> Any:
    """libc's prctl, looked up once in the parent (a forked child must not load libraries)."""
    try:
        return ctypes.CDLL("libc.so.6").prctl
    except (OSError, AttributeError):
        return None


def _die_with_parent() -> None:
    """In a child process (Linux): be sent SIGTERM when the parent ends, however it ends."""
    prctl = _prctl()
    if prctl is not None:
        prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def start_precompute(store: GraphStore, settings: Settings | None = None) -> Precompute:
    """Serve older versions while a new one builds, and build each new version in the background."""
    global _JOB
    job = Precompute(store, settings=settings)
    job.complete = newest_complete(store)
    _JOB = job
    cache.serve_stale(refresh, complete_version)
    return job.start()


#: How many versions back a starting server looks for complete derived data to answer from.
LOOK_BACK = 20


def newest_complete(store: GraphStore) -> int | None:
    """The newest version, at most `LOOK_BACK` before the current one, whose derived data is complete
    (a server restarted after an ingest answers from it until the new version is built)."""
    try:
        v = store.version()
        for back in range(v, max(v - LOOK_BACK, -1), -1):
            if store.read_derived(back, COMPLETE_KEY) is not None:
                return back
    except Exception:  # no schema yet
        return None
    return None


def complete_version(store: GraphStore) -> int | None:
    """`graph.cache.serve_stale`'s `complete`: the version the precompute last made ready."""
    job = _JOB
    if job is None or (job.store is not store and job.store.identity() != store.identity()):
        return None
    return job.complete


_JOB: Precompute | None = None


def clear() -> None:
    with _guard:
        _failed.clear()
