"""What the schemathesis tests (tests/test_api_schema.py, tests/test_api_schema_real.py) run on each case,
with the two rules the OpenAPI schema cannot state and that are a 422 by design:

- a period whose `from` is after its `to`;
- a call list given as text (POST /calls as text/plain or text/csv, GET /calls?topics=…) whose CSV or
  JSON Lines is malformed, or whose line holds a title over the limit: the schema says "text", not CSV's
  grammar. That answer is still checked with every other check: a 422 naming the line at fault.
"""

from __future__ import annotations

import re
from typing import Any

from schemathesis.specs.openapi.checks import positive_data_acceptance


def parsed_text(case: Any) -> str | None:
    """The name the API gives a call list sent as text in this case ("body" or "topics"), else None."""
    if case.method == "POST" and case.path == "/calls" and (case.media_type or "").startswith("text/"):
        return "body"
    if case.method == "GET" and case.path == "/calls" and str((case.query or {}).get("topics", "")).strip():
        return "topics"
    return None


def run_case(case: Any, checks: list[Any], **call: Any) -> None:
    """`case.call_and_validate` with every check, but for the rules above."""
    q = case.query or {}
    years = [str(q.get(k, "")) for k in ("from", "to")]
    if all(y.lstrip("-").isdigit() for y in years) and int(years[0]) > int(years[1]):
        return
    where = parsed_text(case)
    if where is None:
        case.call_and_validate(checks=checks, **call)
        return
    r = case.call_and_validate(checks=checks, excluded_checks=[positive_data_acceptance], **call)
    if case._meta is not None and not case._meta.generation.mode.is_negative:
        detail = r.json().get("detail") if r.status_code == 422 else None
        assert r.status_code in (200, 404) or (  # 404: an unknown actor, documented
            r.status_code == 422 and isinstance(detail, str) and re.match(rf"{where}(:\d+)?: ", detail)
        ), (r.status_code, r.text[:300])
