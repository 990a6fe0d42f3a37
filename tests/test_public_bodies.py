"""Swedish regions and municipalities as reference identities (ingest/public_bodies.py)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from conftest import shared_data

from graph.model import Actor, ActorKind, SourceRef
from graph.store.sqlite import SqliteStore
from ingest.pipeline import SourceBatch, commit
from ingest.public_bodies import default_public_bodies


def _a(aid: str, name: str, source: str = "interreg", **kw: object) -> Actor:
    return Actor(
        id=aid, name=name, country="SE", sources=[SourceRef(source=source, record=aid, name=name)], **kw
    )  # type: ignore[arg-type]


def test_reference_file_covers_21_regions_and_290_municipalities() -> None:
    pb = default_public_bodies()
    regions = [b for b in pb.bodies if b.kind is ActorKind.regional_authority]
    munis = {b.municipality_code for b in pb.bodies if b.municipality_code}
    assert len(regions) == 21 and len({r.county_code for r in regions}) == 21
    assert len(munis) == 290  # Region Gotland carries Gotland's municipality code 0980
    assert len({b.id for b in pb.bodies}) == len(pb.bodies)
    for b in pb.bodies:  # regions 232100-xxxx, municipalities 212000-xxxx, Luhn check digit
        if b.orgnr:
            digits = b.orgnr.replace("-", "")
            assert digits[:6] in ("232100", "212000")
            total = sum(sum(divmod(int(d) * (2 - i % 2), 10)) for i, d in enumerate(digits[:9]))
            assert (10 - total % 10) % 10 == int(digits[9]), b


def test_reference_file_matches_scb_code_lists() -> None:
    geo = shared_data("geo")
    munis = {
        r["municipality_code"]: r for r in csv.DictReader((geo / "municipalities.csv").open(encoding="utf-8"))
    }
    pb = default_public_bodies()
    for b in pb.bodies:
        if b.kind is ActorKind.municipality:
            m = munis[b.municipality_code or ""]
            assert b.county_code == m["county_code"]
            # the name as listed, or the official one where the list adds a genitive s (kept as a name)
            assert m["municipality_name"] in (b.name, *b.names)


@pytest.mark.parametrize(
    ("name", "vat", "body"),
    [
        ("BLEKINGE LANS LANDSTING", "SE232100008101", "se:region-blekinge"),
        ("Some unit", "SE232100008101", "se:region-blekinge"),  # the number decides
        ("County Council of Blekinge", None, "se:region-blekinge"),
        ("Landstinget i Kalmar län", None, "se:region-kalmar-lan"),
        ("Regionförbundet i Kalmar län", None, "se:region-kalmar-lan"),
        ("Regionförbundet Sörmland", None, "se:region-sormland"),  # the everyday name of the county
        ("Region Värmland-Kommunalförbund", None, "se:region-varmland"),  # its legal form until 2019
        ("Karlshamn Municipality", None, "se:karlshamns-kommun"),
        ("City of Karlshamn", None, "se:karlshamns-kommun"),
        ("Ronnebys kommun", None, "se:ronneby-kommun"),
        ("City Of Malmö", None, "se:malmo-kommun"),
        ("Göteborgs Stad", None, "se:goteborgs-kommun"),
        ("Borghoms Kommun", None, None),  # a misspelling is no name of the body
        ("Karlshamn Energi AB", None, None),
        ("Länsstyrelsen i Blekinge län", None, None),
        ("Region Skåne", "SE556000000101", None),  # a company's number: not the region whatever its name
        ("Håbo kommun", None, "se:habo-kommun-0305"),  # Habo / Håbo fold alike: the exact spelling decides
    ],
)
def test_find(name: str, vat: str | None, body: str | None) -> None:
    found = default_public_bodies().find(_a("x:1", name, vat=vat))
    assert (found.id if found else None) == body


def test_bare_place_name_only_for_a_public_record() -> None:
    pb = default_public_bodies()
    assert pb.find(_a("x:1", "Karlshamn", kind=ActorKind.municipality)) is not None
    assert pb.find(_a("x:2", "Karlshamn", kind=ActorKind.company)) is None


@pytest.mark.parametrize("order", [("cordis", "interreg", "erdf"), ("erdf", "interreg", "cordis")])
def test_all_names_of_a_region_are_one_actor_in_any_order(tmp_path: Path, order: tuple[str, ...]) -> None:
    batches = {
        "cordis": _a(
            "cordis:995943233", "BLEKINGE LANS LANDSTING", "cordis", pic="995943233", vat="SE232100008101"
        ),
        "interreg": _a("interreg-org:region-blekinge", "Region Blekinge"),
        "erdf": _a("erdf-org:landstinget-blekinge", "Landstinget Blekinge", "erdf"),
    }
    s = SqliteStore(tmp_path / "g.db")
    s.init_schema()
    for o in order:
        commit(s, SourceBatch(o, actors=[batches[o]]))
    assert s.stats().actors == 1
    a = s.get_actor("pic:995943233")
    assert a.id == "se:region-blekinge" and s.get_actor("se:region-blekinge").id == a.id
    assert (a.name, a.orgnr, a.county_code, a.kind) == (
        "Region Blekinge",
        "232100-0081",
        "10",
        ActorKind.regional_authority,
    )
    assert "BLEKINGE LANS LANDSTING" in a.aliases
    s.close()


@pytest.mark.parametrize(
    ("name", "parent"),
    [
        ("Ängelholms sjukhus, Region Skåne", "se:region-skane"),
        ("Hovdala Castle, Hässleholm municipality", "se:hassleholms-kommun"),
        ("Höganäs Omsorg (Höganäs Kommun)", "se:hoganas-kommun"),
        ("Park och naturförvaltningen Göteborgs stad", "se:goteborgs-kommun"),
        ("Stadsbyggnadsförvaltningen Helsingborg", "se:helsingborgs-kommun"),
        ("Naturbruksförvaltningen, Västra Götalands Regionen", "se:vastra-gotalandsregionen"),
        ("Lunds Universitet, Department of Chemical Engineering", "se-org:2021003120"),
        ("Lund University - Centre for Sustainability Studies", "se-org:2021003120"),
        ("Lunds kommuns fastighets AB", None),
        ("Stiftelsen Tem vid Lunds universitet", None),  # a foundation is a legal entity of its own
        (
            "Folkuniversitetet kursverksamheten vid Lunds universitet",
            None,
        ),  # not written apart  # a municipal company is a legal entity of its own
        ("Skellefteå Museum AB", None),
        ("Luftfartsverket, Lfv", None),  # an acronym is no unit
        ("Region Skåne", None),
        ("Lunds universitet", None),
    ],
)
def test_units_name_their_parent(tmp_path: Path, name: str, parent: str | None) -> None:
    s = SqliteStore(tmp_path / "g.db")
    s.init_schema()
    lund = _a("se-org:2021003120", "Lunds universitet", "scb-agencies", kind=ActorKind.university)
    commit(s, SourceBatch("scb-agencies", actors=[lund]))
    commit(s, SourceBatch("interreg", actors=[_a("interreg-org:x", name)]))
    got = [a for a in s.iter_actors() if a.id != lund.id or name == "Lunds universitet"]
    assert [a.part_of for a in got] == [parent]
    s.close()


def test_a_unit_is_not_isolated_while_its_parent_has_partners(tmp_path: Path) -> None:
    from graph.model import Participation, Project
    from graph.projection import collaboration_graph

    s = SqliteStore(tmp_path / "g.db")
    s.init_schema()
    projects = [Project(id=f"p:{i}", title=str(i), programme="Interreg") for i in (1, 2)]
    actors = [
        _a("interreg-org:skane", "Region Skåne"),
        _a("interreg-org:angelholm", "Ängelholms sjukhus, Region Skåne"),
        _a("interreg-org:partner", "Partner AB"),
    ]
    parts = [
        Participation(actor_id="interreg-org:skane", project_id="p:1"),
        Participation(actor_id="interreg-org:partner", project_id="p:1"),
        Participation(actor_id="interreg-org:angelholm", project_id="p:2"),
    ]
    commit(s, SourceBatch("interreg", actors=actors, projects=projects, participations=parts))
    unit = s.get_actor("interreg-org:angelholm")
    assert unit.part_of == "se:region-skane" and [u.id for u in s.units("se:region-skane")] == [unit.id]
    g = collaboration_graph(s.to_networkx())
    assert unit.id not in g and g.degree("se:region-skane") == 1  # its project counts for the region
    s.close()


def test_partner_index_and_records_count_a_unit_for_its_parent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from graph.model import Participation, Project, Role
    from graph.partners import PartnerIndex
    from graph.projection import rolled_up

    s = SqliteStore(tmp_path / "g.db")
    s.init_schema()
    actors = [
        _a("interreg-org:skane", "Region Skåne"),
        _a("interreg-org:angelholm", "Ängelholms sjukhus, Region Skåne"),
        _a("interreg-org:partner", "Partner AB"),
    ]
    projects = [Project(id="p:1", title="Clean water", programme="Interreg")]
    parts = [
        Participation(actor_id="interreg-org:skane", project_id="p:1"),
        Participation(actor_id="interreg-org:angelholm", project_id="p:1", role=Role.coordinator),
        Participation(actor_id="interreg-org:partner", project_id="p:1"),
    ]
    commit(s, SourceBatch("interreg", actors=actors, projects=projects, participations=parts))
    kept, mapped = rolled_up(s.iter_actors(), s.iter_participations())
    assert "interreg-org:angelholm" not in {a.id for a in kept}
    assert sorted((p.actor_id, p.role.value) for p in mapped) == [
        ("interreg-org:partner", "partner"),
        ("se:region-skane", "coordinator"),  # one participation, the strongest role
    ]
    assert "interreg-org:angelholm" not in {a.id for a in PartnerIndex.from_store(s).actors}
    monkeypatch.setenv("INNOGRAPH_UNITS_APART", "1")
    assert "interreg-org:angelholm" in {a.id for a in PartnerIndex.from_store(s).actors}
    s.close()


def test_api_and_actor_page_show_part_of_and_units(tmp_path: Path) -> None:
    import httpx
    from api_server import serve_api

    from graph.model import Participation, Project

    db = tmp_path / "g.db"
    s = SqliteStore(db)
    s.init_schema()
    actors = [
        _a("interreg-org:skane", "Region Skåne"),
        _a("interreg-org:angelholm", "Ängelholms sjukhus, Region Skåne"),
        _a("interreg-org:partner", "Partner AB"),
    ]
    projects = [Project(id=f"p:{i}", title=f"P{i}", programme="Interreg") for i in (1, 2)]
    parts = [
        Participation(actor_id="interreg-org:skane", project_id="p:1"),
        Participation(actor_id="interreg-org:angelholm", project_id="p:2"),
        Participation(actor_id="interreg-org:partner", project_id="p:2"),
    ]
    commit(s, SourceBatch("interreg", actors=actors, projects=projects, participations=parts))
    s.close()
    with serve_api(db) as url:
        region = httpx.get(f"{url}/actors/se:region-skane", timeout=30).json()
        assert [u["id"] for u in region["units"]] == ["interreg-org:angelholm"]
        assert {p["project"]["id"] for p in region["projects"]} == {"p:1", "p:2"}  # the unit's counts here
        assert [p["id"] for p in region["partners"]] == ["interreg-org:partner"]
        unit = httpx.get(f"{url}/actors/interreg-org:angelholm", timeout=30).json()
        assert unit["actor"]["part_of"] == "se:region-skane"
        page = httpx.get(f"{url}/views/actor/se:region-skane", timeout=30).text
        assert "Unit: Ängelholms sjukhus, Region Skåne" in page
        page = httpx.get(f"{url}/views/actor/interreg-org:angelholm", timeout=30).text
        assert "Part of Region Skåne" in page


def test_ego_view_draws_units_as_their_parent_unless_apart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The ego view counts as the analyses do: the region's hospital walks with the region (its
    partners are the region's), and a partner's department is drawn as its university."""
    from graph.model import Participation, Project
    from viz.ego import ego_view

    s = SqliteStore(tmp_path / "g.db")
    s.init_schema()
    actors = [
        _a("x:region", "Region Q"),
        _a("x:hospital", "Z Hospital", part_of="x:region"),
        _a("x:partner", "Partner AB"),
        _a("x:uni", "University U"),
        _a("x:dept", "Department of Physics", part_of="x:uni"),
    ]
    projects = [Project(id=f"p:{i}", title=f"P{i}", programme="Interreg") for i in (1, 2, 3)]
    parts = [
        Participation(actor_id="x:region", project_id="p:1"),
        Participation(actor_id="x:partner", project_id="p:1"),
        Participation(actor_id="x:hospital", project_id="p:2"),
        Participation(actor_id="x:dept", project_id="p:2"),
        Participation(actor_id="x:uni", project_id="p:3"),
    ]
    commit(s, SourceBatch("interreg", actors=actors, projects=projects, participations=parts))

    def drawn(center: str) -> tuple[set[str], set[frozenset[str]], list[str]]:
        v = ego_view(s, center)
        return (
            {n["id"] for n in v.net.nodes},
            {frozenset((e["from"], e["to"])) for e in v.net.edges},
            v.notes,
        )

    nodes, edges, notes = drawn("x:region")
    assert nodes == {"x:region", "x:partner", "x:uni"}
    assert edges == {frozenset({"x:region", "x:partner"}), frozenset({"x:region", "x:uni"})}
    assert any("2 units" in n and "INNOGRAPH_UNITS_APART" in n for n in notes)
    nodes, edges, _ = drawn("x:hospital")  # a unit's own view is its own; its partner's unit rolls up
    assert nodes == {"x:hospital", "x:uni"}
    monkeypatch.setenv("INNOGRAPH_UNITS_APART", "1")
    nodes, edges, notes = drawn("x:region")
    assert (nodes, edges) == ({"x:region", "x:partner"}, {frozenset({"x:region", "x:partner"})})
    assert not any("INNOGRAPH_UNITS_APART" in n for n in notes)
    assert drawn("x:hospital")[0] == {"x:hospital", "x:dept"}
    s.close()


@pytest.mark.parametrize("unit_first", [True, False])
def test_a_unit_written_with_its_parent_is_the_unit_written_alone(tmp_path: Path, unit_first: bool) -> None:
    """'Ängelholms sjukhus, Region Skåne' is the hospital 'Ängelholm sjukhus' (its own name, genitive
    aside), a unit of Region Skåne, never the region itself."""
    s = SqliteStore(tmp_path / "g.db")
    s.init_schema()
    written = _a("interreg-org:angelholms-sjukhus-region-skane", "Ängelholms sjukhus, Region Skåne")
    alone = _a("interreg-org:angelholm-sjukhus", "Ängelholm sjukhus")
    region = _a("interreg-org:region-skane", "Region Skåne")
    actors = [written, alone, region] if unit_first else [region, alone, written]
    commit(s, SourceBatch("interreg", actors=actors))
    a, b = s.get_actor(written.id), s.get_actor(alone.id)
    assert a.id == b.id and a.part_of == "se:region-skane"
    assert s.get_actor(region.id).id == "se:region-skane" != a.id
    s.close()


def test_a_generic_unit_name_is_never_matched_alone(tmp_path: Path) -> None:
    """Two universities' "Department of Physics" are two departments: a unit's own name becomes a name
    to match on only when it names one body ("Ängelholms sjukhus")."""
    s = SqliteStore(tmp_path / "g.db")
    s.init_schema()
    actors = [
        _a("interreg-org:lu", "Lunds universitet"),
        _a("interreg-org:uu", "Uppsala universitet"),
        _a("interreg-org:lu-phys", "Department of Physics, Lunds universitet"),
        _a("interreg-org:uu-phys", "Department of Physics, Uppsala universitet"),
    ]
    commit(s, SourceBatch("interreg", actors=actors))
    lu, uu = s.get_actor("interreg-org:lu-phys"), s.get_actor("interreg-org:uu-phys")
    assert lu.id != uu.id and (lu.part_of, uu.part_of) == ("interreg-org:lu", "interreg-org:uu")
    s.close()


def test_a_region_first_seen_under_a_pic_takes_its_reference_id_when_a_later_row_names_it(
    tmp_path: Path,
) -> None:
    """H2020 names PIC 941555527 in a broken encoding and without a VAT number (an actor of its own);
    Horizon Europe's row with the VAT number shows it is Region Värmland: the store merges the two under
    the region's reference id, as if Horizon Europe had come first."""
    s = SqliteStore(tmp_path / "g.db")
    s.init_schema()

    def row(name: str, file: str, **kw: object) -> Actor:
        return Actor(
            id="cordis:941555527", name=name, pic="941555527", country="SE",
            sources=[SourceRef(source="cordis", record="cordis:941555527", name=name, file=file)], **kw,
        )  # type: ignore[arg-type]  # fmt: skip

    commit(s, SourceBatch("cordis", actors=[row("V\ufffdrmlands l\ufffdns landsting", "h2020")]))
    commit(s, SourceBatch("cordis", actors=[row("REGION VARMLAND", "he", vat="SE232100015601")]))
    (a,) = list(s.iter_actors())
    assert a.id == "se:region-varmland" and a.name == "Region Värmland"
    assert s.get_actor("pic:941555527").id == s.get_actor("cordis:941555527").id == a.id
    s.close()
