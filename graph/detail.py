"""Read models shared by the CLI and the API: an actor with its projects and partners, a project with its members."""

from __future__ import annotations

from collections import Counter

from pydantic import BaseModel, Field

from graph.model import Actor, Participation, Project, Role
from graph.settings import Settings
from graph.store.base import GraphStore


class ActorProject(BaseModel):
    project: Project
    role: Role


class Partner(BaseModel):
    id: str
    name: str
    kind: str
    country: str | None
    county_code: str | None
    shared_projects: int


class Unit(BaseModel):
    id: str
    name: str


class ActorDetail(BaseModel):
    actor: Actor
    projects: list[ActorProject]
    partners: list[Partner]
    units: list[Unit] = Field(
        default_factory=list,
        description="its units (part_of this actor); their projects are counted here unless units are apart",
    )


class ProjectMember(BaseModel):
    actor: Actor
    role: Role
    participation: Participation


class ProjectDetail(BaseModel):
    project: Project
    members: list[ProjectMember]


def actor_detail(store: GraphStore, key: str, max_partners: int = 200) -> ActorDetail:
    """The actor, its projects (newest first), its partners ranked by shared projects, and its units.

    A unit's projects count for its parent (and a project is listed once) unless `Settings.units_apart`.
    """
    actor = store.get_actor(key)
    units = store.units(actor.id)
    family = {actor.id}
    parts = store.participations(actor_id=actor.id)
    if not Settings().units_apart:
        family |= {u.id for u in units}
        seen = {p.project_id for p in parts}
        for u in units:
            for p in store.participations(actor_id=u.id):
                if p.project_id not in seen:
                    seen.add(p.project_id)
                    parts.append(p)
    projects = store.get_projects(p.project_id for p in parts)
    shared: Counter[str] = Counter()
    for p in parts:
        for other in {o.actor_id for o in store.participations(project_id=p.project_id)} - family:
            shared[other] += 1
    top = [aid for aid, _ in sorted(shared.items(), key=lambda kv: (-kv[1], kv[0]))[:max_partners]]
    partners = store.get_actors(top)
    rows = [
        ActorProject(project=projects[p.project_id], role=p.role) for p in parts if p.project_id in projects
    ]
    rows.sort(
        key=lambda r: (r.project.start.isoformat() if r.project.start else "", r.project.id), reverse=True
    )
    return ActorDetail(
        actor=actor,
        units=[Unit(id=u.id, name=u.name) for u in units],
        projects=rows,
        partners=[
            Partner(
                id=a.id,
                name=a.name,
                kind=a.kind.value,
                country=a.country,
                county_code=a.county_code,
                shared_projects=shared[a.id],
            )
            for aid in top
            if (a := partners.get(aid)) is not None
        ],
    )


def project_detail(store: GraphStore, project_id: str) -> ProjectDetail:
    project = store.get_project(project_id)
    parts = store.participations(project_id=project.id)
    actors = store.get_actors(p.actor_id for p in parts)
    return ProjectDetail(
        project=project,
        members=[
            ProjectMember(actor=actors[p.actor_id], role=p.role, participation=p)
            for p in parts
            if p.actor_id in actors
        ],
    )
