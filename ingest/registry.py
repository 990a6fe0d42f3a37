"""The bundled seed registry (`ingest/data/registry.yaml`) and SCB's counties, as a `SourceBatch`.

Every record cites the seed files it comes from; they become the record's `sources`, so
`innograph actor se:techtank` shows where each fact was read.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from graph.errors import InvalidInput, RecordError
from graph.geo import COUNTIES
from graph.model import Actor, County, Participation, Project, SourceRef, Theme, ThemeKind, parse
from ingest.pipeline import SourceBatch
from ingest.validate import check_depth, looks_binary, read_file

SOURCE = "registry"


def default_path() -> Path:
    return Path(str(resources.files("ingest").joinpath("data", "registry.yaml")))


def _refs(item: dict[str, Any], record_id: str, name: Any) -> list[SourceRef]:
    name = name if isinstance(name, str) else None  # a bad name is the record's problem, named by `parse`
    seeds = item.pop("seeds", None)
    item.pop("why", None)
    if not seeds:
        raise RecordError(record_id, "seeds", "every registry record must cite the seed files that state it")
    return [SourceRef(source=SOURCE, record=record_id, name=name, file=f"seeds/{s}") for s in seeds]


def _section(doc: dict[str, Any], name: str, path: Path) -> list[dict[str, Any]]:
    """One section of the registry: a list of mappings (anything else is one clear line)."""
    items = doc.get(name) or []
    if not isinstance(items, list):
        raise InvalidInput(f"{path.name}: section {name!r} must be a list")
    for i, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise InvalidInput(f"{path.name}: {name} entry {i} must be a mapping, got {type(item).__name__}")
        check_depth(item, f"{path.name}: {name} entry {i}", "YAML")
    return items


def load_registry(path: Path | None = None) -> SourceBatch:
    """Parse the registry file (the bundled one by default) into model records."""
    path = path or default_path()
    content = read_file(path, "a registry YAML file")
    if looks_binary(content):
        raise InvalidInput(f"{path.name}: not a YAML file (binary content)")
    try:
        doc = yaml.safe_load(content.decode("utf-8"))
    except UnicodeDecodeError as e:
        raise InvalidInput(f"{path.name}: not a YAML file (not UTF-8 text at byte {e.start})") from e
    except yaml.YAMLError as e:
        raise InvalidInput(f"{path}: not valid YAML: {' '.join(str(e).split())}") from e
    except RecursionError:
        raise InvalidInput(f"{path.name}: YAML nested too deeply") from None
    if not isinstance(doc, dict):
        raise InvalidInput(f"{path}: expected sections 'actors', 'projects', 'themes'")
    batch = SourceBatch(source=SOURCE)
    batch.counties = [
        County(code=c.code, name=c.name, short_name=c.short_name, nuts3=c.nuts3) for c in COUNTIES.values()
    ]
    for raw in _section(doc, "themes", path):
        item = dict(raw)
        tid = str(item.get("id", "?"))
        item["sources"] = _refs(item, tid, item.get("name"))
        item.setdefault("kind", ThemeKind.s3_area)
        batch.themes.append(parse(Theme, item, f"{path.name} theme {tid}"))
    for raw in _section(doc, "actors", path):
        item = dict(raw)
        aid = str(item.get("id", "?"))
        item["sources"] = _refs(item, aid, item.get("name"))
        batch.actors.append(parse(Actor, item, f"{path.name} actor {aid}"))
    known = {a.id for a in batch.actors}
    for raw in _section(doc, "projects", path):
        item = dict(raw)
        pid = str(item.get("id", "?"))
        participants = item.pop("participants", None) or []
        if not isinstance(participants, list) or not all(isinstance(x, dict) for x in participants):
            raise RecordError(
                f"{path.name} project {pid}", "participants", "expected a list of {actor, role}"
            )
        refs = _refs(item, pid, item.get("title"))
        item["sources"] = refs
        batch.projects.append(parse(Project, item, f"{path.name} project {pid}"))
        for part in participants:
            if part.get("actor") not in known:
                raise RecordError(
                    f"{path.name} project {pid}", "participants", f"unknown actor {part.get('actor')!r}"
                )
            batch.participations.append(
                parse(
                    Participation,
                    {
                        "actor_id": part["actor"],
                        "project_id": pid,
                        "role": part.get("role", "partner"),
                        "sources": [r.model_dump() for r in refs],
                    },
                    f"{path.name} project {pid} participant {part['actor']}",
                )
            )
    batch.rows_read = len(batch.actors) + len(batch.projects) + len(batch.themes)
    return batch
