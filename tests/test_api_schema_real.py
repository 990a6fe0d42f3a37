"""schemathesis with all checks against a live `innograph serve` on a store with REAL data.

Real ids and texts find other bugs than the small fixture of tests/test_api_schema.py does: names with
every script and punctuation, ids with slashes and colons, programmes and themes as the sources write
them. The store is the one INNOGRAPH_SCHEMA_DB names (a copy: the server may write derived data beside
it), e.g. a copy of the all-sources store:

    cp /work/dbs/full.db /tmp/real.db && INNOGRAPH_SCHEMA_DB=/tmp/real.db pytest -m slow tests/test_api_schema_real.py

Two parts: every operation with generated data (as in the fixture test), and explicit cases built from
the store's own values — a sample of real actor, project and theme ids in the path, real names as
searches, real programmes, themes and call-topic codes as filters — each with every check.
"""

from __future__ import annotations

import os
import random
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.slow
DB = os.environ.get("INNOGRAPH_SCHEMA_DB", "")
if not DB or not Path(DB).is_file():
    pytest.skip("INNOGRAPH_SCHEMA_DB names no store (a copy of a real one)", allow_module_level=True)

import schemathesis  # noqa: E402
from api_server import serve_api  # noqa: E402
from hypothesis import HealthCheck, settings  # noqa: E402
from schema_rules import run_case  # noqa: E402
from schemathesis.checks import CHECKS, load_all_checks  # noqa: E402

load_all_checks()
ALL_CHECKS = [*CHECKS.get_all()]
SAMPLE = int(os.environ.get("INNOGRAPH_SCHEMA_SAMPLE", "40"))


@pytest.fixture(scope="module")
def url() -> Iterator[str]:
    with serve_api(Path(DB), wait_s=300) as u:
        yield u


def _real(sql: str, n: int = SAMPLE) -> list[Any]:
    con = sqlite3.connect(f"file:{DB}?mode=ro", uri=True)
    try:
        rows = [r[0] for r in con.execute(sql) if r[0]]
    finally:
        con.close()
    random.Random(17).shuffle(rows)
    return rows[:n]


def _cases() -> list[tuple[str, str, dict[str, Any], dict[str, Any]]]:
    """(path, method, path parameters, query) from the store's own values."""
    actors = _real("SELECT id FROM actors")
    names = _real("SELECT name FROM actors")
    projects = _real("SELECT id FROM projects")
    themes = _real("SELECT id FROM themes", 200)
    programmes = _real("SELECT DISTINCT programme FROM projects", 50)
    topics = _real("SELECT json_extract(data, '$.topics[0]') FROM projects", SAMPLE)
    out: list[tuple[str, str, dict[str, Any], dict[str, Any]]] = []
    out += [("/actors/{actor_id}", "GET", {"actor_id": a}, {}) for a in actors]
    out += [("/views/actor/{actor_id}", "GET", {"actor_id": a}, {}) for a in actors[: SAMPLE // 2]]
    out += [("/projects/{project_id}", "GET", {"project_id": p}, {}) for p in projects]
    out += [
        ("/crosswalk/projects/{project_id}", "GET", {"project_id": p}, {}) for p in projects[: SAMPLE // 2]
    ]
    out += [("/views/theme/{theme_id}", "GET", {"theme_id": t}, {}) for t in themes[:SAMPLE]]
    out += [("/actors", "GET", {}, {"q": n[:200]}) for n in names]
    out += [("/projects", "GET", {}, {"programme": p}) for p in programmes]
    out += [("/funding", "GET", {}, {"programme": p, "county": "all"}) for p in programmes[:10]]
    out += [("/funding", "GET", {}, {"theme": t}) for t in themes[:10]]
    out += [("/partners", "GET", {}, {"with": a, "top": 5}) for a in actors[:10]]
    out += [("/calls", "GET", {}, {"code": c, "top": 5}) for c in topics if isinstance(c, str)][:10]
    return out


CASES = _cases()


def test_explicit_cases_with_real_values(url: str) -> None:
    schema = schemathesis.openapi.from_url(f"{url}/openapi.json")
    failures = []
    for path, method, path_params, query in CASES:
        case = schema[path][method].Case(path_parameters=path_params or None, query=query or None)
        try:
            case.call_and_validate(base_url=url, checks=ALL_CHECKS, timeout=120)
        except Exception as e:  # every failing case is listed, not only the first
            failures.append(f"{method} {path} {path_params or query}: {type(e).__name__}: {str(e)[:400]}")
    assert failures == [], "\n".join(failures)


# The same schema the server serves (built in-process at collection; the calls go to the live server).
def _schema() -> Any:
    from api.app import create_app
    from graph.settings import Settings

    doc = create_app(Settings(db=Path(DB))).openapi()
    return schemathesis.openapi.from_dict(doc).exclude(path_regex="^/export/")


live = _schema()


@live.parametrize()
@settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_every_operation_with_generated_data(case: Any, url: str) -> None:
    """Every operation, generated data, every check (the fixture test's run, on the real store)."""
    run_case(case, ALL_CHECKS, base_url=url, timeout=120)
