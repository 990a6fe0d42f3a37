"""The theme crosswalk: programme terms onto the seeds' S3 areas, and the S3 areas of one project."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import StoreDep
from graph.crosswalk import CrosswalkRow, ThemeLink, crosswalk_table, themes_for

router = APIRouter(tags=["crosswalk"])


@router.get("/crosswalk")
def get_crosswalk(
    programme: Annotated[str | None, Query(max_length=100, description="e.g. Interreg, ERDF")] = None,
) -> list[CrosswalkRow]:
    """Each programme term with the S3 area it maps onto and why (graph/data/crosswalk.yaml)."""
    rows = crosswalk_table()
    if programme:
        rows = [r for r in rows if r.programme.lower() == programme.strip().lower()]
    return rows


@router.get("/crosswalk/projects/{project_id:path}")
def project_s3_areas(
    project_id: str,
    store: StoreDep,
    text: Annotated[bool, Query(description="also use the text rules on title and objective")] = False,
) -> list[ThemeLink]:
    """The S3 areas one project serves, each with the reason and the terms it came through."""
    return themes_for(store.get_project(project_id), text=text)
