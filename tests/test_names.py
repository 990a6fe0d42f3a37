"""One test per name-variant rule of `ingest/data/name_rules.yaml`, and the hard negatives they must keep apart."""

from __future__ import annotations

import pytest

from graph.text import is_mojibake, is_placeholder_name, unnamed
from ingest.names import match_key, rules, variant_key


def same(a: str, b: str) -> bool:
    return variant_key(a) == variant_key(b)


def test_legal_forms_are_dropped() -> None:
    for v in ("Acme Syd AB", "Acme Syd Aktiebolag", "Acme Syd (Svb)", "ACME SYD", "Acme Syd ek. för."):
        assert same("Acme Syd", v), v


def test_a_legal_form_cut_at_the_sources_width() -> None:
    assert same("Coompanion Östergötland, Ekonomisk Fören", "Coompanion Östergötland Ekonomisk Förening")


def test_filler_words_are_dropped() -> None:
    assert same("Högskolan i Halmstad", "Högskolan Halmstad")


def test_transliterations() -> None:
    assert match_key("GOETEBORGS UNIVERSITET") == match_key("Göteborgs universitet")


def test_genitive_s_in_a_public_body_name() -> None:
    assert same("Ronneby kommun", "Ronnebys kommun")
    assert same("Lunds universitet", "Lund University")
    assert same("Länsstyrelsen I Västerbottens Län", "Länsstyrelsen Västerbotten")


def test_kommun_stad_municipality_city() -> None:
    names = ["Karlshamns kommun", "Karlshamn Municipality", "City of Karlshamn", "Karlshamns stad"]
    assert len({variant_key(n) for n in names}) == 1
    assert same("Municipality of Landskrona", "Landskrona kommun")


def test_glossary_public_bodies() -> None:
    assert same("County Administrative Board of Jönköping", "Länsstyrelsen i Jönköpings län")
    assert same("Regional Development Council Kalmar", "Regionförbundet Kalmar")
    assert same("County Council of Blekinge", "Blekinge läns landsting")
    assert same("Landstinget Blekinge", "Blekinge läns landsting")  # definite form


def test_glossary_universities() -> None:
    assert same("Blekinge Institute of Technology", "Blekinge Tekniska Högskola")
    assert same("Luleå University of Technology", "Luleå tekniska universitet")
    assert same("Universitetet i Lund", "Lunds universitet")


def test_glossary_hospitals_and_their_genitive() -> None:
    assert same("Ängelholm sjukhus", "Ängelholms sjukhus")
    assert same("Ystad Hospital", "Ystads sjukhus")
    assert same("Sjukhuset i Ystad", "Ystads sjukhus")  # definite form


def test_a_state_agency_s_formal_and_everyday_name() -> None:
    assert same("Statens jordbruksverk", "Jordbruksverket")
    assert same("STATENS ENERGIMYNDIGHET", "Energimyndigheten")
    assert same("Statens skolinspektion", "Skolinspektionen")
    assert variant_key("Jordbruksverket") == "statens jordbruksverk"
    assert not same("Kraftverket AB", "Statens kraftverk")  # a company's name (legal form) is not an agency's
    assert not same("Jordbruksverket", "Skogsstyrelsen")
    assert not same("Statens jordbruksverk", "Jordbruksverket Invest AB")


def test_every_glossary_entry_cites_a_source() -> None:
    from importlib import resources

    import yaml

    doc = yaml.safe_load(resources.files("ingest").joinpath("data", "name_rules.yaml").read_text("utf-8"))
    assert all(g.get("source") for g in doc["glossary"])
    assert len(rules().glossary) == len(doc["glossary"])


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Lunds universitet", "Lunds universitets holding AB"),  # a university's holding company
        ("Karlshamns kommun", "Karlshamn Energi AB"),  # a municipal energy company
        ("Region Blekinge", "Länsstyrelsen Blekinge"),  # the county administrative board is not the region
        ("Region Skåne", "Solar Region Skåne"),
        ("Region Skåne", "Skånes kommuner"),
        ("Nordic Solution AB", "Nordic Solutions AB"),  # companies: no genitive rule
        ("Kalmar kommun", "Region Kalmar län"),
        ("Ängelholms sjukhus", "Ängelholms kommun"),  # a hospital is not its town
        ("Statens fastighetsverk", "Statens kulturråd"),
    ],
)
def test_hard_negatives_stay_apart(a: str, b: str) -> None:
    assert not same(a, b)


def test_stand_in_and_broken_names() -> None:
    assert is_placeholder_name(unnamed("888893336")) and is_placeholder_name("888893336")
    assert not is_placeholder_name("Region Blekinge")
    assert is_mojibake("V\ufffdrmlands l\ufffdns landsting") and is_mojibake("GÃ¶teborg")
    assert not is_mojibake("Göteborg")


def test_a_broken_encoding_gives_way_to_a_clean_name_of_the_same_actor_in_any_order() -> None:
    from graph.model import Actor, SourceRef, merge_actor
    from ingest.resolve import name_problems

    def a(name: str) -> Actor:
        return Actor(
            id="cordis:941555527",
            name=name,
            pic="941555527",
            sources=[SourceRef(source="cordis", record="cordis:941555527", name=name)],
        )

    broken, clean = a("V\ufffdrmlands l\ufffdns landsting"), a("REGION VARMLAND")
    for x, y in ((broken, clean), (clean, broken)):
        m = merge_actor(x, y)
        assert (m.name, m.aliases) == ("REGION VARMLAND", [])  # the broken spelling is not kept to search by
    flagged = name_problems([broken, a(unnamed("888893336")), clean])
    assert [d.actor_name for d in flagged] == [broken.name, "Unnamed organisation (PIC 888893336)"]
    assert "broken encoding" in flagged[0].evidence
