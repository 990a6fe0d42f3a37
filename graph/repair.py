"""Stored records the model refuses on read: find them (`innograph db check`) and fix them (`db repair`).

The model and the edge of ingest keep such values out (non-finite money, an over-long id, a control
character), but a store written by an older version, by hand or by another tool may hold them, and one
such row used to make every read fail. Repair is field by field and keeps everything it can: a value the
model refuses is dropped (an optional field, a list element, a bad amount's whole `Money`), a required
name or title falls back to the record's id, and the rest of the record is kept. A record that still does
not validate (its id itself is bad) is reported as not repairable.

The same repair runs when an upsert reads a stored record to merge with (`read_stored`), so loading a
source over a damaged record heals it instead of failing.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from graph.model import Actor, County, Participation, Project, Theme

M = TypeVar("M", bound=BaseModel)

MODELS: dict[str, type[BaseModel]] = {
    "actor": Actor,
    "project": Project,
    "participation": Participation,
    "county": County,
    "theme": Theme,
}

# Required fields that have a natural stand-in when their stored value is refused.
_FALLBACK: dict[str, str] = {"name": "id", "title": "id", "short_name": "name"}
_DEFAULTS: dict[str, Any] = {"programme": "unknown", "kind": "other", "role": "partner", "nuts3": ""}


@dataclass
class Finding:
    """One stored record that is refused on read (or not as the model would write it) and what repair does."""

    kind: str
    key: str
    reasons: list[str] = field(default_factory=list)
    repairable: bool = True

    def __str__(self) -> str:
        fix = "; ".join(self.reasons)
        return f"{self.kind} {self.key}: {fix}" + ("" if self.repairable else " (not repairable)")


def _error_text(e: ValidationError) -> str:
    err = e.errors()[0]
    where = ".".join(str(p) for p in err["loc"]) or "(record)"
    return f"{where}: {err['msg']}"


def _container(data: Any, loc: tuple[Any, ...]) -> Any:
    node = data
    for part in loc:
        found = (isinstance(node, dict) and part in node) or (
            isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        )
        if not found:
            return None
        node = node[part]
    return node


def _drop(data: dict[str, Any], loc: tuple[Any, ...], missing: bool) -> str | None:
    """Remove the refused value at `loc` (or, when it is required, its parent); what was done, or None."""
    if missing or not loc:
        if len(loc) == 1 and loc[0] in _FALLBACK and data.get(_FALLBACK[loc[0]]):
            data[loc[0]] = str(data[_FALLBACK[loc[0]]])
            return f"{loc[0]} set to the record's {_FALLBACK[loc[0]]}"
        if len(loc) == 1 and loc[0] in _DEFAULTS:
            data[loc[0]] = _DEFAULTS[loc[0]]
            return f"{loc[0]} set to {_DEFAULTS[loc[0]]!r}"
        loc = loc[:-1]  # a required part is gone: drop the whole parent value (a Money without amount)
        if not loc:
            return None
    parent = _container(data, loc[:-1])
    last = loc[-1]
    if isinstance(parent, list) and isinstance(last, int) and 0 <= last < len(parent):
        del parent[last]
        return f"{'.'.join(map(str, loc[:-1]))} item {last} removed"
    if isinstance(parent, dict) and last in parent:
        del parent[last]
        return f"{'.'.join(map(str, loc))} removed"
    return None


def fix_record(model: type[M], data: Any) -> tuple[M | None, list[str]]:
    """`data` as a valid `model` with the refused values taken out; (None, notes) when that is impossible."""
    notes: list[str] = []
    if not isinstance(data, dict):
        return None, ["not a JSON object"]
    data = json.loads(json.dumps(data))  # a private copy to cut into
    for _ in range(64):
        try:
            return model.model_validate(data), notes
        except ValidationError as e:
            err = e.errors()[0]
            loc = tuple(err["loc"])
            why = f"{'.'.join(map(str, loc)) or '(record)'}: {err['msg']}"
            if err["type"] == "missing" and len(loc) == 1 and loc[0] not in _FALLBACK | _DEFAULTS:
                return None, [*notes, why]
            missing = err["type"] == "missing"
            done = _drop(data, loc, missing)
            if done is None:
                return None, [*notes, why]
            if missing and notes:  # the second step of one repair (a Money without its amount goes)
                notes[-1] = f"{notes[-1].rsplit(' → ', 1)[0]} → {done}"
            else:
                notes.append(f"{why} → {done}")
    return None, notes


def read_stored(model: type[M], raw: str) -> M:
    """A stored record for merging: validated, or repaired by `fix_record` when the model refuses it.

    Raises the model's ValidationError when even repair cannot make it valid (its id is bad).
    """
    try:
        return model.model_validate_json(raw)
    except ValidationError:
        try:
            data = json.loads(raw)
        except ValueError:
            raise
        fixed, _notes = fix_record(model, data)
        if fixed is None:
            raise
        return fixed


def _key(kind: str, data: Any) -> str:
    if not isinstance(data, dict):
        return "?"
    if kind == "participation":
        return f"{data.get('actor_id')} → {data.get('project_id')}"
    return str(data.get("code" if kind == "county" else "id", "?"))


def inspect(rows: Iterable[tuple[str, str]]) -> tuple[int, list[Finding], dict[str, list[BaseModel]]]:
    """Check stored (kind, JSON) rows: how many, the findings, and the repaired records by kind."""
    n = 0
    findings: list[Finding] = []
    fixed: dict[str, list[BaseModel]] = {k: [] for k in MODELS}
    for kind, raw in rows:
        n += 1
        model = MODELS[kind]
        try:
            record = model.model_validate_json(raw)
        except ValidationError as e:
            try:
                data = json.loads(raw)
            except ValueError:
                findings.append(Finding(kind, "?", ["not JSON"], repairable=False))
                continue
            repaired, notes = fix_record(model, data)
            finding = Finding(kind, _key(kind, data), notes or [_error_text(e)], repaired is not None)
            findings.append(finding)
            if repaired is not None:
                fixed[kind].append(repaired)
            continue
        if record.model_dump_json() != raw and json.loads(record.model_dump_json()) != json.loads(raw):
            findings.append(
                Finding(
                    kind, _key(kind, json.loads(raw)), ["stored with characters the model removes on read"]
                )
            )
            fixed[kind].append(record)
    return n, findings, fixed
