"""Which kind of organisation a name states (`ingest.enrich.kind_from_name`), across the countries of
the sources: CORDIS types every council PUB (public body), which alone would make a Spanish town council
a government agency; the name says it is a municipality or a regional authority."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.model import ActorKind
from ingest.cordis import load_cordis
from ingest.enrich import kind_from_name

M, R = ActorKind.municipality, ActorKind.regional_authority


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("AYUNTAMIENTO DE NOVELDA", M),
        ("Ajuntament de Mollet del Vallès", M),
        ("CONCELLO DE SANTIAGO DE COMPOSTELA", M),
        ("DONOSTIAKO UDALA", M),
        ("Comune di Padova", M),
        ("CITTA METROPOLITANA DI TORINO", M),
        ("Gemeente Rotterdam", M),
        ("STAD GENT", M),
        ("Stadt Leipzig", M),
        ("LANDESHAUPTSTADT HANNOVER", M),
        ("Aalborg Kommune", M),
        ("Mikkelin kaupunki", M),
        ("TALLINNA LINN", M),
        ("Município de Olhão", M),
        ("CÂMARA MUNICIPAL DE LISBOA", M),
        ("VILLE DE MARSEILLE", M),
        ("DIMOS CHANIA", M),
        ("GMINA MIASTA GDANSKA", M),
        ("STATUTARNI MESTO OSTRAVA", M),
        ("RIGAS PILSETAS PASVALDIBA", M),
        ("VILNIAUS MIESTO SAVIVALDYBES ADMINISTRACIJA", M),
        ("ABERDEEN CITY COUNCIL", M),
        ("Malmö stad", M),
        ("Lunds kommun", M),
        ("Essex County Council", R),
        ("DIPUTACION PROVINCIAL DE HUELVA", R),
        ("Provincie Groningen", R),
        ("REGIONE MARCHE", R),
        ("Kreis Lippe", R),
        ("Region Skåne", R),
        # Not a council: a company, a school, a religious province, a utility, an agency.
        ("Stadtwerke München GmbH", None),
        ("City of Glasgow College", None),
        ("PROVINCIA PORTUGUESA DA CONGREGACAO DOS IRMAOS MARISTAS", None),
        ("Regio Energie Solothurn", None),
        ("Trafikverket", None),
        ("Stadt und Land Wohnbauten GmbH", None),
        ("Stockholms Stads Bostadsförmedling AB", None),
    ],
)
def test_kind_from_name(name: str, kind: ActorKind | None) -> None:
    assert kind_from_name(name) == kind


def test_cordis_public_bodies_named_as_councils(tmp_path: Path) -> None:
    """Through the CORDIS loader: PUB rows are municipalities or regions by name; the rest stay agencies."""
    d = tmp_path / "he"
    d.mkdir()
    (d / "project.csv").write_text(
        '"id";"acronym";"title";"startDate";"endDate";"frameworkProgramme";"legalBasis";"topics"\n'
        '"1";"A";"Title";"2022-01-01";"2024-12-31";"HORIZON";"HORIZON.2.5";"X"\n'
    )
    rows = [
        ("900000001", "AYUNTAMIENTO DE MADRID", "ES"),
        ("900000002", "COMUNE DI MILANO", "IT"),
        ("900000003", "DIPUTACIO DE TARRAGONA", "ES"),
        ("900000004", "MINISTERIO DE CIENCIA E INNOVACION", "ES"),
        ("900000005", "Gemeente Utrecht", "NL"),
    ]
    (d / "organization.csv").write_text(
        '"projectID";"organisationID";"name";"role";"country";"activityType"\n'
        + "".join(f'"1";"{pic}";"{name}";"participant";"{c}";"PUB"\n' for pic, name, c in rows)
    )
    kinds = {a.name: a.kind for a in load_cordis(d).actors}
    assert kinds == {
        "AYUNTAMIENTO DE MADRID": M,
        "COMUNE DI MILANO": M,
        "DIPUTACIO DE TARRAGONA": R,
        "MINISTERIO DE CIENCIA E INNOVACION": ActorKind.government_agency,
        "Gemeente Utrecht": M,
    }
