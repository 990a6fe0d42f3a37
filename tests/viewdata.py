"""A small, real-shaped graph for the API, view and browser tests (issue 5), with hostile names.

Hand-computed facts the tests rely on:
- ego network of BTH, depth 1: 6 actors (BTH, Linnéuniversitetet, Fraunhofer, the hostile company,
  Region Blekinge, Region Kronoberg) and 9 links (the 4 members of h2020:722000 pairwise = 6, the 3
  members of the Interreg project pairwise = 3);
- depth 2 adds Region Skåne (via Linnéuniversitetet) and the ERDF project's link Region Blekinge –
  hostile company: 7 actors, 11 links;
- `se:ensam-ab` (Blekinge) takes part in no project: isolated.
"""

from __future__ import annotations

import datetime as dt

from graph.geo import COUNTIES
from graph.model import Actor, ActorKind, County, Participation, Project, Role, SourceRef, Theme, ThemeKind
from graph.store.base import GraphStore

HOSTILE = "<img src=x onerror=window.__xss=1>"
HOSTILE_TITLE = "<script>window.__xss=2</script> Blå tillväxt"
BTH = "se:blekinge-tekniska-hogskola"


def _src(record: str) -> list[SourceRef]:
    return [SourceRef(source="csv", record=record, file="viewdata")]


ACTORS = [
    Actor(
        id=BTH,
        name="Blekinge Tekniska Högskola",
        aliases=["BTH"],
        kind=ActorKind.university,
        country="SE",
        county_code="10",
        sources=_src(BTH),
    ),
    Actor(
        id="se:region-blekinge",
        name="Region Blekinge",
        kind=ActorKind.regional_authority,
        country="SE",
        county_code="10",
        sources=_src("se:region-blekinge"),
    ),
    Actor(
        id="x:evil",
        name=HOSTILE,
        kind=ActorKind.company,
        country="SE",
        county_code="10",
        sources=_src("x:evil"),
    ),
    Actor(
        id="se:ensam-ab",
        name="Ensam AB",
        kind=ActorKind.company,
        country="SE",
        county_code="10",
        sources=_src("se:ensam-ab"),
    ),
    Actor(
        id="se:linneuniversitetet",
        name="Linnéuniversitetet",
        kind=ActorKind.university,
        country="SE",
        county_code="07",
        sources=_src("se:linneuniversitetet"),
    ),
    Actor(
        id="se:region-kronoberg",
        name="Region Kronoberg",
        kind=ActorKind.regional_authority,
        country="SE",
        county_code="07",
        sources=_src("se:region-kronoberg"),
    ),
    Actor(
        id="se:region-skane",
        name="Region Skåne",
        kind=ActorKind.regional_authority,
        country="SE",
        county_code="12",
        sources=_src("se:region-skane"),
    ),
    Actor(
        id="cordis:999984059",
        name="Fraunhofer-Gesellschaft",
        kind=ActorKind.research_institute,
        country="DE",
        pic="999984059",
        sources=_src("cordis:999984059"),
    ),
]
THEMES = [
    Theme(
        id="part:h2020:SC5",
        name="Climate action, environment, resource efficiency",
        kind=ThemeKind.programme_part,
    ),
    Theme(id="po:PO1", name="A more competitive and smarter Europe", kind=ThemeKind.policy_objective),
]
PROJECTS = [
    Project(
        id="h2020:722000",
        acronym="SEAFARE",
        title="Sustainable sea transport",
        programme="Horizon 2020",
        programme_part="SC5",
        start=dt.date(2017, 5, 1),
        themes=["part:h2020:SC5"],
        sources=_src("h2020:722000"),
    ),
    Project(
        id="interreg:south-baltic:blue-growth",
        title=HOSTILE_TITLE,
        programme="Interreg",
        start=dt.date(2022, 9, 1),
        themes=["po:PO1"],
        sources=_src("interreg:south-baltic:blue-growth"),
    ),
    Project(
        id="erdf:20201234",
        title="Digital acceleration Blekinge",
        programme="ERDF",
        start=dt.date(2015, 1, 1),
        sources=_src("erdf:20201234"),
    ),
    Project(
        id="interreg:oks:skane-smaland",
        title="Skåne–Småland innovation",
        programme="Interreg",
        start=dt.date(2023, 1, 1),
        themes=["po:PO1"],
        sources=_src("interreg:oks:skane-smaland"),
    ),
]
MEMBERS = {
    "h2020:722000": [
        (BTH, Role.coordinator),
        ("se:linneuniversitetet", Role.partner),
        ("cordis:999984059", Role.partner),
        ("x:evil", Role.partner),
    ],
    "interreg:south-baltic:blue-growth": [
        (BTH, Role.partner),
        ("se:region-blekinge", Role.coordinator),
        ("se:region-kronoberg", Role.partner),
    ],
    "erdf:20201234": [("se:region-blekinge", Role.project_owner), ("x:evil", Role.partner)],
    "interreg:oks:skane-smaland": [
        ("se:region-skane", Role.coordinator),
        ("se:linneuniversitetet", Role.partner),
    ],
}


def load(store: GraphStore) -> None:
    """Write the graph into an empty store (one transaction)."""
    store.init_schema()
    with store.writer() as w:
        w.upsert_counties(
            County(code=c.code, name=c.name, short_name=c.short_name, nuts3=c.nuts3)
            for c in COUNTIES.values()
        )
        w.upsert_themes(THEMES)
        w.upsert_actors(ACTORS)
        w.upsert_projects(PROJECTS)
        w.upsert_participations(
            Participation(actor_id=a, project_id=p, role=r, sources=_src(f"{p}/{a}"))
            for p, members in MEMBERS.items()
            for a, r in members
        )
