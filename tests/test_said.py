"""Reasons in the reader's language: every reason the isolation rules and the partner finder give in
English carries a `Said` whose English wording (viz/texts.yaml, section `said`) is that same English
sentence, and whose Swedish wording is complete (no key, no placeholder left, no English word of it)."""

from __future__ import annotations

import networkx as nx
import pytest
from fastapi.testclient import TestClient
from test_analysis_measures import _iso_graphs
from test_partners import BRIDGE, MCO, MUNI, crafted  # noqa: F401  (crafted: the fixture)

from api.app import create_app
from graph.analysis import isolation
from graph.partners import PartnerQuery, find_partners
from graph.projection import collaboration_graph
from graph.said import said_of
from graph.settings import Settings
from graph.store.sqlite import SqliteStore
from viz.texts import say


def check(reason: str) -> str:
    """The Swedish wording of a reason, after checking its English wording is the reason itself."""
    s = said_of(reason)
    assert s is not None, reason
    assert say(s, "en") == reason
    sv = say(s, "sv")
    assert "{" not in sv and "}" not in sv and sv != reason, sv
    return sv


def _partial() -> tuple[nx.Graph, nx.Graph]:
    """An actor whose only partner (same county) is on a Swedish-only Interreg project, and one alone
    on an owner-only ERDF project."""
    b = nx.Graph()
    for a, c in (("a", "10"), ("b", "10"), ("owner", "12")):
        b.add_node(a, type="actor", kind="company", county_code=c, name=a, country="SE")
    b.add_node("I1", type="project", programme="Interreg", coverage="swedish", themes=())
    b.add_node("E1", type="project", programme="ERDF", coverage="owner", themes=())
    b.add_edges_from([("a", "I1"), ("b", "I1"), ("owner", "E1")])
    return b, collaboration_graph(b)


def test_every_isolation_reason_is_worded_the_same_in_english_and_fully_in_swedish() -> None:
    b, c = _iso_graphs()
    everyone = sorted(n for n, d in c.nodes(data=True) if d["county_code"])
    pt = {"P2": ("s3:blekinge:tech",), "P1": ("po:PO1",)}
    found = [
        *isolation.no_collaboration(b, c, everyone),
        *isolation.no_collaboration(b, c, everyone, "counting project"),
        *isolation.only_own_county(c, everyone),
        *isolation.no_eu_project(b, everyone, ["Interreg", "Horizon 2020"]),
        *isolation.weak_despite_profile(c, everyone, min_peers=3),
        *isolation.s3_theme_without_outside_partner(b, everyone, pt, lambda t: "Tech"),
    ]
    pb, pc = _partial()
    found += isolation.partners_not_in_data(pb, pc, ["a", "owner"])
    assert len(found) == 12
    swedish = {a + ": " + check(r) for a, r in found}
    assert "lonely: i inget projekt" in swedish
    assert "firm: dess enda partner finns i Blekinge" in swedish
    assert any(x.startswith("uni: universitet/högskola med 2 partner: lägsta tiondelen") for x in swedish)
    assert (
        "a: dess enda partner i data finns i Blekinge; partner utomlands saknas i data "
        "(1 projekt inom Interreg listar bara svenska partner)"
    ) in swedish
    assert (
        "owner: ingen partner i data; partner utomlands saknas i data (1 projekt inom ERDF listar bara projektägaren)"
        in swedish
    )


def test_every_partner_reason_is_worded_the_same_in_english_and_fully_in_swedish(
    crafted: SqliteStore,  # noqa: F811
) -> None:
    queries = [
        PartnerQuery(topic="marine robotics for healthy oceans", top=20),
        PartnerQuery(members=[MUNI, MCO], min_countries=4, kinds=["sme", "research_institute"], top=20),
        PartnerQuery(
            members=[MUNI], favour_counties=["south-sweden"], topic_codes=["HORIZON-EIC-2024-ACCELERATOR-01"]
        ),
    ]
    keys: set[str] = set()
    for q in queries:
        r = find_partners(crafted, q)
        for c in [*r.partners, *r.network]:
            assert len(c.said) == len(c.reasons)
            for s, text in zip(c.said, c.reasons, strict=True):
                assert say(s, "en") == text
                sv = say(s, "sv")
                assert "{" not in sv and sv != text, sv
                keys.add(s.key)
    # Topic, network, path, track record, gaps, favoured region and funding reasons were all seen.
    assert {"pr_topic", "pr_worked_with", "pr_path", "pr_track", "pr_new_country", "pr_fills_kind"} <= keys
    assert {"pr_favoured", "pr_funding"} <= keys


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_partner_page_words_reasons_and_headings_in_its_language(crafted: SqliteStore, lang: str) -> None:  # noqa: F811
    client = TestClient(create_app(Settings(db=crafted.path), store=crafted))
    page = client.get("/views/partners", params={"with": MUNI, "topic": "energy storage", "lang": lang}).text
    bridge = find_partners(crafted, PartnerQuery(members=[MUNI], topic="energy storage"))
    cand = next(c for c in [*bridge.partners, *bridge.network] if c.actor_id == BRIDGE)
    if lang == "sv":
        assert "Föreslagna partner" in page and "Suggested partners" not in page
        assert "har redan arbetat med medlemmen Member University" in page
        assert "already worked with" not in page and "track record" not in page
    else:
        assert "Suggested partners" in page
        assert any(r.replace("'", "&#39;") in page for r in cand.reasons)


def test_the_partial_sources_line_in_swedish_uses_the_models_english_pieces() -> None:
    """graph.model writes the line in English; viz/texts.yaml's `partial` pieces must be its very words."""
    from graph.model import COVERAGE_TEXT, Coverage, coverage_line
    from viz.texts import _texts, partial_line

    en = _texts()["partial"]["en"]
    assert (
        en["cov_swedish"] == COVERAGE_TEXT[Coverage.swedish]
        and en["cov_owner"] == COVERAGE_TEXT[Coverage.owner]
    )
    line = coverage_line({"Interreg": {"swedish": 1}, "ERDF": {"owner": 374}})
    sv = partial_line(line, "sv")
    assert sv.startswith("Ofullständiga källor: ERDF (374 projekt: bara projektägaren")
    assert "Interreg (1 projekt: bara svenska partner" in sv and sv.endswith("undre gräns.")
    assert not any(piece.strip(" :.") in sv for piece in en.values())  # no English left
    assert partial_line(line, "en") == line
