"""The theme crosswalk: each programme's vocabulary onto the seeds' S3 areas, with a reason per mapping."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from conftest import shared_data

from graph.crosswalk import (
    SELF_REASON,
    crosswalk_table,
    default_crosswalk,
    load_crosswalk,
    themes_for,
)
from graph.errors import InvalidInput
from graph.model import Project
from graph.store.sqlite import SqliteStore
from ingest.registry import load_registry


def project(programme: str, **kw: object) -> Project:
    kw.setdefault("title", "t")
    return Project(id="x:1", programme=programme, **kw)  # type: ignore[arg-type]


def ids(p: Project) -> list[str]:
    return [link.theme_id for link in themes_for(p)]


def test_every_target_is_a_registry_s3_area_and_every_term_says_why() -> None:
    s3 = {t.id for t in load_registry().themes}
    cw = default_crosswalk()
    for e in cw.entries:
        assert set(e.to) <= s3, e.id
        assert e.to or e.note, f"{e.id} maps to nothing and gives no note"
    # every S3 area of the seeds is reachable from some programme term
    assert {t for e in cw.entries for t in e.to} == s3


@pytest.mark.parametrize(
    ("kw", "expected"),
    [
        ({"programme": "Horizon 2020", "themes": ["part:h2020:SC5"]}, ["s3:blekinge:missions"]),
        # the CORDIS layout writes the part as a topic; the real downloads as a legal-basis number
        (
            {"programme": "Horizon 2020", "topics": ["SC2"]},
            ["s3:blekinge:missions", "s3:smaland-oarna:food", "s3:smaland-oarna:wood-forest"],
        ),
        ({"programme": "Horizon 2020", "programme_part": "H2020-EU.3.5.2."}, ["s3:blekinge:missions"]),
        (
            {"programme": "Horizon 2020", "themes": ["part:h2020:Innovation in SMEs"]},
            ["s3:smaland-oarna:industrial-development"],
        ),
        ({"programme": "Horizon 2020", "themes": ["part:h2020:ERC"]}, []),
        (
            {"programme": "Horizon 2020", "themes": ["part:h2020:LEIT", "part:h2020:LEIT-ICT"]},
            ["s3:blekinge:tech", "s3:smaland-oarna:digital-services"],
        ),  # narrower LEIT-ICT wins over LEIT
        (
            {
                "programme": "Horizon Europe",
                "themes": ["part:horizon:HORIZON.2.6", "part:horizon:HORIZON.2.6.5"],
            },
            ["s3:smaland-oarna:food"],
        ),
        ({"programme": "Horizon Europe", "themes": ["part:horizon:HORIZON.2.5.2"]}, ["s3:blekinge:missions"]),
        (
            {"programme": "Horizon Europe", "topics": ["HORIZON-MISS-2022-OCEAN-01-02"]},
            ["s3:blekinge:missions"],
        ),
        ({"programme": "Horizon Europe", "topics": ["HORIZON-MISS-2021-CANCER-02-01"]}, []),
        ({"programme": "Interreg", "themes": ["po:PO4"], "topics": ["RSO4.6"]}, ["s3:smaland-oarna:tourism"]),
        ({"programme": "Interreg", "themes": ["po:PO4"], "topics": ["RSO4.1"]}, []),
        ({"programme": "Interreg", "themes": ["po:PO2"], "topics": ["RSO2.4"]}, ["s3:blekinge:missions"]),
        (
            {"programme": "ERDF", "themes": ["erdf-to:to2", "erdf-axis:ict"]},
            ["s3:blekinge:tech", "s3:smaland-oarna:digital-services"],
        ),
        ({"programme": "ERDF", "themes": ["erdf-to:to1", "erdf-axis:research-innovation"]}, []),
        # an S3 area the project names itself (the seed projects)
        ({"programme": "ERDF", "themes": ["s3:blekinge:tech"]}, ["s3:blekinge:tech"]),
        # codes only count within their own programme
        ({"programme": "Interreg", "topics": ["SC5"]}, []),
    ],
)
def test_themes_for(kw: dict[str, object], expected: list[str]) -> None:
    assert ids(project(**kw)) == expected  # type: ignore[arg-type]


def test_links_carry_reasons_and_the_terms_they_came_through() -> None:
    links = themes_for(
        project("ERDF", themes=["erdf-to:to4", "erdf-axis:low-carbon", "s3:blekinge:missions"])
    )
    assert len(links) == 1
    (link,) = links
    assert link.theme_id == "s3:blekinge:missions"
    assert link.via == ("erdf-axis:low-carbon", "erdf-to:to4", "s3:blekinge:missions")
    assert SELF_REASON in link.reason and "erdf-to:to4: the low-carbon shift" in link.reason


def test_label_lookup_for_the_erdf_wording() -> None:
    cw = default_crosswalk()
    assert (
        cw.label_to_id("erdf-axis", "Smart tillväxt - små och medelstora företag")
        == "erdf-axis:sme-competitiveness"
    )
    assert (
        cw.label_to_id("erdf-to", "Att stärka forskning, teknisk utveckling och innovation") == "erdf-to:to1"
    )
    assert cw.label_to_id("erdf-to", "something else") is None


def test_table_has_a_row_per_mapping_and_one_per_unmapped_term() -> None:
    rows = crosswalk_table()
    cw = default_crosswalk()
    assert len(rows) == sum(max(1, len(e.to)) for e in cw.entries)
    sc2 = [r for r in rows if r.term_id == "part:h2020:SC2"]
    assert [r.s3_theme for r in sc2] == [
        "s3:blekinge:missions",
        "s3:smaland-oarna:food",
        "s3:smaland-oarna:wood-forest",
    ]
    erc = [r for r in rows if r.term_id == "part:h2020:ERC"]
    assert erc[0].s3_theme is None and "bottom-up" in erc[0].reason
    assert {t.id for t in cw.themes()} == {e.id for e in cw.entries}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("vocabulary: 3", "expected a 'vocabulary' list"),
        (
            "vocabulary: [{id: 'po:X', programme: I, name: n, kind: policy_objective, to: {'po:PO1': r}}]",
            "not an S3 area id",
        ),
        (
            "vocabulary: [{id: 'po:X', programme: I, name: n, kind: policy_objective, to: {'s3:a:b': ''}}]",
            "gives no reason",
        ),
        ("vocabulary: [{id: 'po:X', programme: I, name: n, kind: policy_objective, colour: red}]", "colour"),
        (
            "vocabulary: [{id: 'po:X', programme: I, name: n, kind: policy_objective, within: 'po:Y'}]",
            "within 'po:Y' is not an entry",
        ),
        (
            "vocabulary: [{id: 'po:X', programme: I, name: n, kind: policy_objective, topic_patterns: ['(']}]",
            "topic pattern",
        ),
        ("vocabulary: [: :", "not valid YAML"),
    ],
)
def test_bad_crosswalk_files_name_the_entry(tmp_path: Path, text: str, message: str) -> None:
    f = tmp_path / "cw.yaml"
    f.write_text(text, encoding="utf-8")
    with pytest.raises(InvalidInput, match=message):
        load_crosswalk(f)


def test_an_edited_file_changes_the_mapping(tmp_path: Path) -> None:
    f = tmp_path / "cw.yaml"
    f.write_text(
        "vocabulary:\n"
        "  - {id: 'po:PO3', programme: Interreg, name: transport, kind: policy_objective, codes: [PO3],\n"
        "     to: {'s3:blekinge:missions': 'our own reading'}}\n",
        encoding="utf-8",
    )
    links = themes_for(project("Interreg", themes=["po:PO3"]), load_crosswalk(f))
    assert [(x.theme_id, x.reason) for x in links] == [("s3:blekinge:missions", "po:PO3: our own reading")]


@pytest.mark.integration
def test_every_real_programme_code_has_a_term() -> None:
    cw = default_crosswalk()
    h2020 = shared_data("cordis", "h2020-2014-2018", "project.csv")
    with h2020.open(encoding="utf-8", newline="") as fh:
        codes = {r["topics"] for r in csv.DictReader(fh, delimiter=";") if r["topics"]}
    unmatched = sorted(c for c in codes if not cw.matching_entries(project("Horizon 2020", topics=[c])))
    assert unmatched == []
    he = shared_data("cordis", "horizon-europe-2021-2024", "legalBasis.csv")
    with he.open(encoding="utf-8", newline="") as fh:
        parts = {r["legalBasis"] for r in csv.DictReader(fh, delimiter=";")}
    unmatched = sorted(
        c for c in parts if not cw.matching_entries(project("Horizon Europe", programme_part=c))
    )
    assert unmatched == ["HORIZON.2.7"]  # the JRC's direct actions: no call, no term
    rows = json.loads(shared_data("interreg", "swedish-partners-interreg-2021-2027.json").read_text("utf-8"))
    pos = {(r["politisktmal"], r["specifiktmal"]) for r in rows if r.get("politisktmal")}
    assert all(cw.matching_entries(project("Interreg", themes=[f"po:{po}"], topics=[so])) for po, so in pos)
    erdf = json.loads(shared_data("sweden", "erdf-2014-2020-projektbanken-2016-10.json").read_text("utf-8"))
    assert all(cw.label_to_id("erdf-to", r["tematiskt_mål"]) for r in erdf)
    assert all(cw.label_to_id("erdf-axis", r["insatsområde"]) for r in erdf)


def test_text_rules_are_opt_in_and_name_the_word() -> None:
    p = project(
        "ERDF",
        title="Trähus för besöksnäringen",
        objective="Livsmedel och matematik i Kalmar län.",
        themes=["erdf-to:to1"],
    )
    assert ids(p) == []  # TO1 alone names no S3 area
    links = {x.theme_id: x for x in themes_for(p, text=True)}
    assert sorted(links) == [
        "s3:smaland-oarna:food",
        "s3:smaland-oarna:tourism",
        "s3:smaland-oarna:wood-forest",
    ]
    assert links["s3:smaland-oarna:wood-forest"].via == ("text:trahus",)
    assert links["s3:smaland-oarna:tourism"].reason == "the project's text mentions 'besoksnaringen'"
    # "matematik" is not food: the rule is the whole word "mat"
    assert links["s3:smaland-oarna:food"].via == ("text:livsmedel",)


def test_bad_keyword_rules(tmp_path: Path) -> None:
    f = tmp_path / "cw.yaml"
    f.write_text("vocabulary: []\nkeywords:\n  's3:a:b': ['(']\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match="keywords: s3:a:b: pattern"):
        load_crosswalk(f)
    f.write_text("vocabulary: []\nkeywords:\n  'po:PO1': ['x']\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match="must be an S3 area id"):
        load_crosswalk(f)


def test_crosswalk_command() -> None:
    from click.testing import CliRunner

    from api.cli import cli

    r = CliRunner().invoke(cli, ["crosswalk", "--json", "--programme", "erdf"])
    assert r.exit_code == 0, r.output
    rows = json.loads(r.output)
    assert {x["programme"] for x in rows} == {"ERDF"}
    assert {"term_id": "erdf-to:to4", "s3_theme": "s3:blekinge:missions"}.items() <= next(
        x for x in rows if x["term_id"] == "erdf-to:to4"
    ).items()


def test_crosswalk_api(registry_store: SqliteStore) -> None:
    from fastapi.testclient import TestClient

    from api.app import create_app
    from graph.settings import Settings

    client = TestClient(create_app(Settings(), store=registry_store))
    rows = client.get("/crosswalk", params={"programme": "Interreg"}).json()
    assert {r["programme"] for r in rows} == {"Interreg"}
    assert any(r["term_id"] == "po:RSO4.6" and r["s3_theme"] == "s3:smaland-oarna:tourism" for r in rows)
    links = client.get("/crosswalk/projects/seed:kickstart-s3").json()
    assert [x["theme_id"] for x in links] == [
        "s3:blekinge:missions",
        "s3:blekinge:smart-industry",
        "s3:blekinge:tech",
    ]
    assert links[0]["reason"] == SELF_REASON
    assert client.get("/crosswalk/projects/erdf:0").status_code == 404
