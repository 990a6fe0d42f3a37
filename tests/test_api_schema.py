"""schemathesis against the OpenAPI schema: whatever the schema allows, the API never answers 500.

Every operation gets generated requests (bounded, so the run stays fast); `not_a_server_error` and
`response_schema_conformance` must hold on each. The store is the small graph of tests/viewdata.py,
built in a temporary directory when the module loads (schemathesis reads the schema at collection).
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schema_rules import run_case
from schemathesis.checks import CHECKS, load_all_checks, not_a_server_error, response_schema_conformance
from viewdata import load

from api.app import create_app
from graph.settings import Settings
from graph.store.sqlite import SqliteStore

load_all_checks()
_DIR = Path(tempfile.mkdtemp(prefix="innograph-schema-"))
_STORE = SqliteStore(_DIR / "g.db")
load(_STORE)
_ALL = schemathesis.openapi.from_asgi("/openapi.json", create_app(Settings(db=_DIR / "g.db"), store=_STORE))
# /export/* writes whole files per request (about 30 s to fuzz): in the slow selection below.
schema = _ALL.exclude(path_regex="^/export/")
exports = _ALL.include(path_regex="^/export/")


@pytest.fixture(scope="module", autouse=True)
def _cleanup() -> Iterator[None]:
    yield
    _STORE.close()
    shutil.rmtree(_DIR, ignore_errors=True)


@schema.parametrize()
@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_no_server_errors(case: schemathesis.Case) -> None:
    case.call_and_validate(checks=[not_a_server_error, response_schema_conformance])


@pytest.mark.slow
@exports.parametrize()
@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_exports_no_server_errors(case: schemathesis.Case) -> None:
    case.call_and_validate(checks=[not_a_server_error, response_schema_conformance])


ALL_CHECKS = [*CHECKS.get_all()]


@pytest.mark.slow  # about 100 s: run with -m slow
@schema.parametrize()
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_every_check_holds(case: schemathesis.Case) -> None:
    """All of schemathesis's checks (status codes, content types, headers, positive and negative data,
    …): what the schema allows is accepted, what it refuses is refused, every answer is documented;
    but for the two rules the schema cannot state (tests/schema_rules.py), checked apart.
    """
    run_case(case, ALL_CHECKS)
