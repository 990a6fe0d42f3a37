"""The domain model: validation errors name the record and field; merges are deterministic."""

from __future__ import annotations

import datetime as dt

import pytest

from graph.errors import RecordError
from graph.model import (
    Actor,
    ActorKind,
    Participation,
    Role,
    SourceRef,
    merge_actor,
    merge_participation,
    parse,
)
from graph.text import fold


def test_validation_error_names_record_and_field() -> None:
    with pytest.raises(RecordError) as e:
        parse(Actor, {"id": "se:x", "name": "X", "county_code": "99"}, "actors.csv line 3")
    assert e.value.record == "actors.csv line 3"
    assert e.value.field == "county_code"
    assert "unknown SCB county code '99'" in str(e.value)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"id": "no-prefix", "name": "X"}, "id"),
        ({"id": "se:x", "name": ""}, "name"),
        ({"id": "se:x", "name": "X", "country": "Sweden"}, "country"),
        ({"id": "se:x", "name": "X", "kind": "castle"}, "kind"),
        ({"id": "se:x", "name": "X", "orgnr": "2021004011"}, "orgnr"),
        ({"id": "project:x", "name": "X"}, "id"),
    ],
)
def test_each_bad_field_is_named(data: dict[str, str], field: str) -> None:
    with pytest.raises(RecordError) as e:
        parse(Actor, data, "rec")
    assert e.value.field == field


def test_fold_handles_swedish_letters_and_case() -> None:
    assert fold("Blekinge Tekniska Högskola") == fold("BLEKINGE TEKNISKA HOGSKOLA")
    assert fold("Växjö, Åhus & Ørsted") == "vaxjo ahus orsted"


def _actor(source: str, name: str, **kw: object) -> Actor:
    return Actor(id="se:x", name=name, sources=[SourceRef(source=source, record=f"{source}:1")], **kw)  # type: ignore[arg-type]


def test_merge_prefers_the_more_authoritative_source_in_any_order() -> None:
    cordis = _actor("cordis", "BLEKINGE TEKNISKA HOGSKOLA", pic="999589172", kind=ActorKind.university)
    registry = _actor("registry", "Blekinge Tekniska Högskola", county_code="10")
    a = merge_actor(cordis, registry)
    b = merge_actor(registry, cordis)
    assert a == b
    assert a.name == "Blekinge Tekniska Högskola"
    assert a.pic == "999589172" and a.county_code == "10" and a.kind is ActorKind.university
    assert a.aliases == ["BLEKINGE TEKNISKA HOGSKOLA"]
    # merging a record that is already in changes nothing
    assert merge_actor(a, cordis) == a


def test_the_later_record_of_one_source_names_the_actor_in_any_order() -> None:
    """Horizon 2020 and Horizon Europe both name PIC 986942021: its Horizon Europe row (projects up to
    2024) gives today's name, its H2020 row (up to 2018) an alias, whichever download came first."""

    def row(name: str, short: str, as_of: dt.date | None, file: str) -> Actor:
        ref = SourceRef(source="cordis", record="cordis:986942021", name=name, file=file)
        return Actor(id="cordis:986942021", name=name, aliases=[short], as_of=as_of, sources=[ref])

    h2020 = row("HEIDELBERGCEMENT AG", "HeidelC", dt.date(2018, 5, 1), "h2020/organization.csv")
    he = row("HEIDELBERG MATERIALS AG", "HM", dt.date(2024, 1, 1), "he/organization.csv")
    a, b = merge_actor(h2020, he), merge_actor(he, h2020)
    assert a == b
    assert (a.name, a.aliases, a.as_of) == (
        "HEIDELBERG MATERIALS AG",
        ["HEIDELBERGCEMENT AG", "HM", "HeidelC"],
        he.as_of,
    )
    # an undated record of the same source does not outrank a dated one; a better source still does
    undated = row("HEIDELBERGCEMENT AG", "HeidelC", None, "old/organization.csv")
    assert merge_actor(undated, he).name == merge_actor(he, undated).name == "HEIDELBERG MATERIALS AG"
    registry = _actor("registry", "Heidelberg Materials (registry)")
    assert merge_actor(he, registry).name == merge_actor(registry, he).name == registry.name


def test_identity_keys_cover_identifiers_and_source_records() -> None:
    a = Actor(
        id="se:bth",
        name="BTH",
        pic="999589172",
        orgnr="202100-4011",
        vat="SE202100401101",
        sources=[SourceRef(source="cordis", record="cordis:999589172")],
    )
    assert {
        "se:bth",
        "pic:999589172",
        "cordis:999589172",
        "orgnr:202100-4011",
        "se-org:2021004011",
        "vat:SE202100401101",
    } <= a.identity_keys()


def test_participation_merge_keeps_the_stronger_role() -> None:
    p1 = Participation(actor_id="se:a", project_id="seed:p", role=Role.partner)
    p2 = Participation(actor_id="se:a", project_id="seed:p", role=Role.coordinator)
    assert merge_participation(p1, p2).role is Role.coordinator
    assert merge_participation(p2, p1).role is Role.coordinator


def test_place_comes_from_one_record_whatever_the_order() -> None:
    """SCB's register places Tillväxtverket in Stockholm; an Interreg row naming its Gävleborg office and a
    name-read county lose to it, and no county of one source is mixed with another's municipality."""
    import itertools

    from graph.model import PLACED_BY_NAME

    records = [
        _actor("registry", "Tillväxtverket"),
        _actor("interreg", "Tillväxtverket", county_code="21", nuts3="SE313"),
        _actor("scb-agencies", "TILLVÄXTVERKET", county_code="01", municipality="Stockholm"),
        _actor("erdf", "Tillväxtverket Östersund", county_code="23", placed_by=PLACED_BY_NAME),
    ]
    results = set()
    for order in itertools.permutations(records):
        merged = order[0]
        for r in order[1:]:
            merged = merge_actor(merged, r)
        results.add((merged.county_code, merged.nuts3, merged.municipality, merged.placed_by))
    assert {r[:3] for r in results} == {("01", None, "Stockholm")}
    # a place read from a name fills only what no source states
    named = merge_actor(
        _actor("erdf", "Kalmar Science Park AB", county_code="08", placed_by=PLACED_BY_NAME),
        _actor("cordis", "KALMAR SCIENCE PARK"),
    )
    assert (named.county_code, named.placed_by) == ("08", PLACED_BY_NAME)
