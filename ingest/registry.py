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

SOURCE = "registry"


def default_path() -> Path:
    return Path(str(resources.files("ingest").joinpath("data", "registry.yaml")))


def _refs(item: dict[str, Any], record_id: str, name: str | None) -> list[SourceRef]:
    seeds = item.pop("seeds", None)
    item.pop("why", None)
    if not seeds:
        raise RecordError(record_id, "seeds", "every registry record must cite the seed files that state it")
    return [SourceRef(source=SOURCE, record=record_id, name=name, file=f"seeds/{s}") for s in seeds]


def load_registry(path: Path | None = None) -> SourceBatch:
    """Parse the registry file (the bundled one by default) into model records."""
    path = path or default_path()
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as e:
        raise InvalidInput(f"{path}: no such file") from e
    except yaml.YAMLError as e:
        raise InvalidInput(f"{path}: not valid YAML: {e}") from e
    if not isinstance(doc, dict):
        raise InvalidInput(f"{path}: expected sections 'actors', 'projects', 'themes'")
    batch = SourceBatch(source=SOURCE)
    batch.counties = [
        County(code=c.code, name=c.name, short_name=c.short_name, nuts3=c.nuts3) for c in COUNTIES.values()
    ]
    for raw in doc.get("themes") or []:
        item = dict(raw)
        tid = str(item.get("id", "?"))
        item["sources"] = _refs(item, tid, item.get("name"))
        item.setdefault("kind", ThemeKind.s3_area)
        batch.themes.append(parse(Theme, item, f"{path.name} theme {tid}"))
    for raw in doc.get("actors") or []:
        item = dict(raw)
        aid = str(item.get("id", "?"))
        item["sources"] = _refs(item, aid, item.get("name"))
        batch.actors.append(parse(Actor, item, f"{path.name} actor {aid}"))
    known = {a.id for a in batch.actors}
    for raw in doc.get("projects") or []:
        item = dict(raw)
        pid = str(item.get("id", "?"))
        participants = item.pop("participants", [])
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
