"""Partner finder on a small crafted graph: each signal puts the hand-obvious candidate first.

The graph (actors by short name; P = project):
  P1 2016 "Autonomous underwater robots for ocean monitoring": OCEAN (coordinator), OTHER
  P2 2017 "Marine robotics for healthy oceans and seas":       OCEAN, OCEANPARTNER
  P3 2017 "Digital platform for manufacturing":                MUNI (coordinator), MCO, FRIEND
  P4 2016 "Energy storage materials":                          MUNI, BRIDGE
  P5 2015 "Battery recycling":                                  BRIDGE, POP
  P6 2018 "Voucher for digital services":                       SMEPT, OTHER
  P7 2018 "Regional smart specialisation lab":                  SKANE, OTHER
MUNI (SE, Blekinge) and MCO (DE) are the consortium in most tests.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import pickle
import re
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from api.app import create_app
from api.cli import cli
from graph import cache
from graph.errors import InvalidInput
from graph.model import Actor, ActorKind, Participation, Project, Role
from graph.partners import (
    PartnerIndex,
    PartnerQuery,
    code_tokens,
    find,
    find_partners,
    parse_query,
    partner_index,
    query_tokens,
)
from graph.projection import collaboration_graph, pair_weights
from graph.settings import Settings
from graph.store.sqlite import SqliteStore

MUNI, MCO, OCEAN, FRIEND, POP, BRIDGE, SMEPT, SKANE, OCEANPARTNER, OTHER = (
    f"cordis:10000000{i}" if i < 10 else f"cordis:1000000{i}" for i in range(1, 11)
)


def _actor(aid: str, name: str, kind: ActorKind, country: str, **kw: object) -> Actor:
    return Actor(id=aid, name=name, kind=kind, country=country, pic=aid.removeprefix("cordis:"), **kw)  # type: ignore[arg-type]


ACTORS = [
    _actor(MUNI, "Member University", ActorKind.university, "SE", county_code="10"),
    _actor(MCO, "Member Company GmbH", ActorKind.company, "DE"),
    _actor(OCEAN, "Ocean Robotics Institute", ActorKind.research_institute, "FR"),
    _actor(FRIEND, "Network Friend University", ActorKind.university, "NL"),
    _actor(POP, "Partner Of Partner GmbH", ActorKind.company, "AT"),
    _actor(BRIDGE, "Bridge Institute", ActorKind.research_institute, "BE"),
    _actor(SMEPT, "Small Portuguese Firm Lda", ActorKind.company, "PT", sme=True),
    _actor(SKANE, "Skane Lab AB", ActorKind.company, "SE", county_code="12"),
    _actor(OCEANPARTNER, "Ocean Partner Srl", ActorKind.company, "IT"),
    _actor(OTHER, "Other University", ActorKind.university, "ES"),
]
PROJECTS = [
    ("h2020:1", "UROBOT", "Autonomous underwater robots for ocean monitoring", 2016, "SC5", [OCEAN, OTHER]),
    ("h2020:2", "MAROB", "Marine robotics for healthy oceans and seas", 2017, "SC5", [OCEAN, OCEANPARTNER]),
    ("h2020:3", "DIGIPLAT", "Digital platform for manufacturing", 2017, "LEIT", [MUNI, MCO, FRIEND]),
    ("h2020:4", "ESTORE", "Energy storage materials", 2016, "SC3", [MUNI, BRIDGE]),
    ("h2020:5", "BATREC", "Battery recycling", 2015, "SC3", [BRIDGE, POP]),
    ("h2020:6", "VOUCH", "Voucher for digital services", 2018, "Innovation in SMEs", [SMEPT, OTHER]),
    ("h2020:7", "S3LAB", "Regional smart specialisation lab", 2018, "SC6", [SKANE, OTHER]),
]


def _fill(store: SqliteStore) -> None:
    projects = [
        Project(
            id=pid,
            acronym=acr,
            title=title,
            programme="Horizon 2020",
            programme_part=part,
            start=dt.date(year, 1, 1),
            themes=[f"part:h2020:{part.replace(' ', '-')}"],
            topics=[part],
        )
        for pid, acr, title, year, part, _ in PROJECTS
    ]
    parts = [
        Participation(actor_id=a, project_id=pid, role=Role.coordinator if k == 0 else Role.partner)
        for pid, *_, members in PROJECTS
        for k, a in enumerate(members)
    ]
    with store.writer() as w:
        w.upsert_actors(ACTORS)
        w.upsert_projects(projects)
        w.upsert_participations(parts)


@pytest.fixture
def crafted(store: SqliteStore) -> SqliteStore:
    _fill(store)
    return store


def ids(result: object) -> list[str]:
    return [c.actor_id for c in result.partners]  # type: ignore[attr-defined]


# --- signals --------------------------------------------------------------------------------------------
def test_topic_puts_the_marine_robotics_institute_first_and_names_its_projects(crafted: SqliteStore) -> None:
    r = find_partners(crafted, PartnerQuery(topic="marine robotics for healthy oceans"))
    assert ids(r)[0] == OCEAN
    top = r.partners[0]
    assert {p.id for p in top.topic_projects} == {"h2020:1", "h2020:2"}
    assert top.topic_projects[0].id == "h2020:2"  # the closer match first
    assert top.reasons[0].startswith("2 past projects on the topic, e.g. h2020:2 MAROB (2017)")
    assert "track record: 2 projects, 2 as coordinator, last started 2017" in top.reasons
    # OCEANPARTNER's one project is the closer match; OTHER's is weaker but it has more projects.
    assert OCEANPARTNER in ids(r)[1:3] and OTHER in ids(r)[1:3]
    sig = {c.actor_id: c.signals["topic_best"] for c in r.partners}
    assert sig[OCEAN] == 1.0 and sig[OCEANPARTNER] > sig[OTHER] > 0


def test_network_puts_the_partner_of_both_members_first(crafted: SqliteStore) -> None:
    r = find_partners(crafted, PartnerQuery(members=[MUNI, MCO], top=10))
    assert ids(r)[0] == FRIEND
    friend = r.partners[0]
    assert friend.worked_with == [MUNI, MCO]
    assert any(
        x == "already worked with member Member University on 1 project: h2020:3 DIGIPLAT (2017)"
        for x in friend.reasons
    )
    assert BRIDGE in ids(r)[:2]  # worked with one member


def test_a_partner_of_a_partner_gets_the_network_path(crafted: SqliteStore) -> None:
    r = find_partners(crafted, PartnerQuery(members=[MUNI, MCO], top=20))
    pop = next(c for c in r.partners if c.actor_id == POP)
    assert pop.worked_with == []
    assert pop.path == [
        "Partner Of Partner GmbH",
        "[h2020:5 BATREC (2015)]",
        "Bridge Institute",
        "[h2020:4 ESTORE (2016)]",
        "Member University (member)",
    ]
    assert any(
        x.startswith("shares 1 partner with the consortium; network path: Partner Of Partner")
        for x in pop.reasons
    )
    # Two hops away ranks below the direct partners.
    assert ids(r).index(POP) > ids(r).index(BRIDGE)


def test_country_filter_and_exclusion(crafted: SqliteStore) -> None:
    r = find_partners(crafted, PartnerQuery(members=[MUNI, MCO], countries=["PT"]))
    assert ids(r) == [SMEPT]
    r = find_partners(crafted, PartnerQuery(members=[MUNI, MCO], exclude_countries=["NL", "BE"]))
    assert FRIEND not in ids(r) and BRIDGE not in ids(r)
    assert MUNI not in ids(r) and MCO not in ids(r)  # members are never candidates


def test_favoured_county_and_wanted_kind_come_first(crafted: SqliteStore) -> None:
    r = find_partners(
        crafted, PartnerQuery(topic="regional smart specialisation lab", favour_counties=["12"])
    )
    assert ids(r)[0] == SKANE
    assert "in a favoured region (Skåne län)" in r.partners[0].reasons
    r = find_partners(crafted, PartnerQuery(topic="voucher for digital services", kinds=["sme"]))
    assert ids(r)[0] == SMEPT
    assert r.partners[0].fills == ["kind:sme"]


def test_period_of_activity_keeps_only_actors_active_then(crafted: SqliteStore) -> None:
    r = find_partners(crafted, PartnerQuery(members=[OTHER], year_from=2018, year_to=2018, top=20))
    assert sorted(ids(r)) == sorted([SMEPT, SKANE])  # OTHER is the member


# --- gaps and the greedy cover ---------------------------------------------------------------------------
def test_gaps_and_greedy_cover(crafted: SqliteStore) -> None:
    q = PartnerQuery(members=[MUNI, MCO], min_countries=4, kinds=["sme", "university"])
    g = find_partners(crafted, q).gaps
    assert g.countries_present == ["DE", "SE"]
    assert g.countries_needed == 2
    assert g.kinds_missing == ["sme"]  # a university is already in
    # The Portuguese SME fills a country and the kind at once; then the best-ranked new country.
    assert g.cover == [SMEPT, FRIEND]
    assert g.cover_fills == {SMEPT: ["country:PT", "kind:sme"], FRIEND: ["country:NL"]}
    assert g.unfilled == []


def test_gaps_no_candidate_can_fill(crafted: SqliteStore) -> None:
    g = find_partners(crafted, PartnerQuery(members=[MUNI], kinds=["cluster_organisation"])).gaps
    assert g.cover == []
    assert g.unfilled == ["kind:cluster_organisation"]


def test_fills_country_reason(crafted: SqliteStore) -> None:
    r = find_partners(crafted, PartnerQuery(members=[MUNI, MCO], min_countries=3, top=20))
    friend = next(c for c in r.partners if c.actor_id == FRIEND)
    assert "brings a new country (NL) that the consortium needs" in friend.reasons
    skane = next(c for c in r.partners if c.actor_id == SKANE)
    assert skane.fills == []  # SE is already in the consortium


# --- members, keys, errors --------------------------------------------------------------------------------
def test_members_by_key_or_name_and_unknown_members_reported(crafted: SqliteStore) -> None:
    r = find_partners(
        crafted,
        PartnerQuery(members=["pic:100000001", "cordis:999", "No Such Organisation", "Member Company GmbH"]),
    )
    assert [m.actor_id for m in r.members] == [MUNI, MCO]
    assert r.unknown_members == ["cordis:999", "No Such Organisation"]
    assert ids(r)[0] == FRIEND
    assert r.partners[0].identifiers == {"pic": "100000004"}
    # A partial name resolves through the store's search when it names exactly one actor.
    r = find_partners(crafted, PartnerQuery(members=["member company", "university"]))
    assert [m.actor_id for m in r.members] == [MCO]
    assert r.unknown_members == ["university"]  # three universities: ambiguous, reported


def test_bad_query_values_are_invalid_input() -> None:
    with pytest.raises(InvalidInput, match="unknown kind 'startup'"):
        parse_query({"kinds": ["startup"]})
    with pytest.raises(InvalidInput, match="county code '99'"):
        parse_query({"favour_county": "99"})
    assert parse_query({"id": 1, "with": "pic:1", "country": "uk"}).countries == ["GB"]
    assert parse_query({"favour_counties": ["south-sweden"]}).favour_counties == [
        "06",
        "07",
        "08",
        "09",
        "10",
        "12",
        "13",
    ]


def test_empty_store_answers_with_nothing(store: SqliteStore) -> None:
    r = find_partners(store, PartnerQuery(topic="marine robotics", members=["cordis:1"], min_countries=2))
    assert r.partners == [] and r.unknown_members == ["cordis:1"]
    assert r.gaps.unfilled == ["2 more countries"]


# --- index internals ---------------------------------------------------------------------------------------
def test_index_projection_equals_collaboration_graph(crafted: SqliteStore) -> None:
    """The finder's sparse projection (graph.projection.collaboration_matrix) has the networkx weights."""
    index = PartnerIndex.from_store(crafted)
    g = collaboration_graph(crafted.to_networkx())
    for a, b, d in g.edges(data=True):
        assert index.A[index.actor_pos[a], index.actor_pos[b]] == d["weight"]
    assert index.A.nnz == 2 * g.number_of_edges()
    members: dict[str, list[str]] = {}
    for part in crafted.iter_participations():
        members.setdefault(part.project_id, []).append(part.actor_id)
    assert {
        (a, b): w
        for (a, b), w in pair_weights(members).items()
        if a in index.actor_pos and b in index.actor_pos
    } == {
        (index.actors[i].id, index.actors[j].id): int(index.A[i, j])
        for i, j in zip(*index.A.nonzero(), strict=True)
        if i < j
    }


def test_adamic_adar_by_hand(crafted: SqliteStore) -> None:
    index = PartnerIndex.from_store(crafted)
    aa = index.adamic_adar([index.actor_pos[MUNI]])
    # POP and MUNI share one partner, BRIDGE, who has 2 partners: 1 / log 2.
    assert aa[index.actor_pos[POP]] == pytest.approx(1 / np.log(2))
    # MCO shares FRIEND (2 partners) with MUNI.
    assert aa[index.actor_pos[MCO]] == pytest.approx(1 / np.log(2))
    assert aa[index.actor_pos[OCEAN]] == 0


def test_code_tokens_match_across_spellings() -> None:
    assert code_tokens("part:h2020:SC5") == code_tokens("H2020-EU.SC5") == code_tokens("SC5") == ["#sc5"]
    assert code_tokens("HORIZON-CL6-2023-BIODIV")[:2] == ["#horizon", "#horizon-cl6"]
    assert query_tokens("robots HORIZON-CL6-2023 oceans") == [
        "robot",
        "#horizon",
        "#horizon-cl6",
        "#horizon-cl6-2023",
        "ocean",
    ]


def test_index_is_cached_per_store_version(crafted: SqliteStore, tmp_path: Path) -> None:
    first = partner_index(crafted)
    assert partner_index(crafted) is first
    with crafted.writer() as w:
        w.upsert_actors([Actor(id="cordis:200000001", name="Newcomer", country="FI")])
    second = partner_index(crafted)
    assert second is not first and "cordis:200000001" in second.actor_pos
    other = SqliteStore(tmp_path / "other.db")
    other.init_schema()
    assert partner_index(other) is not second
    other.close()


def test_index_read_back_from_beside_the_store_answers_the_same(crafted: SqliteStore) -> None:
    """What a new process loads (the pickled index: records as JSON, built when read) ranks alike."""
    built = partner_index(crafted)
    loaded = pickle.loads(pickle.dumps(built, protocol=pickle.HIGHEST_PROTOCOL))
    assert isinstance(loaded.actors, cache.PackedModels) and len(loaded.actors) == len(built.actors)
    assert list(loaded.actors) == list(built.actors)
    # the projects as kept without their objectives (they fed the BM25 matrix already)
    assert list(loaded.projects) == [p.model_copy(update={"objective": None}) for p in built.projects]
    assert all(p.objective is None for p in loaded.projects)
    assert (loaded.A_bin != built.A_bin).nnz == 0
    assert all((x != y).nnz == 0 for x, y in zip(loaded.walk, built.walk, strict=True))
    assert (loaded.kind_id == built.kind_id).all() and (loaded.recent == built.recent).all()
    q = PartnerQuery(topic="marine robotics", members=[MUNI, MCO])
    assert find(loaded, q, crafted).model_dump() == find(built, q, crafted).model_dump()
    again = pickle.loads(pickle.dumps(loaded))  # packed once, kept packed
    assert again.actors[-1] == built.actors[-1]


def test_sparse_sums_and_maxima_equal_the_dense_products(crafted: SqliteStore) -> None:
    """`_spread` / `_rowmax` (rows of the few projects a query touches) give what B @ v and a row max give."""
    from graph.partners.ranking import _rowmax, _spread

    ix = partner_index(crafted)
    dense = ix.B.toarray()
    rng = np.random.default_rng(3)
    for share in (0.1, 0.5, 1.0):
        v = rng.random(len(ix.projects)) * (rng.random(len(ix.projects)) < share)
        assert np.allclose(_spread(ix.BT, v), dense @ v)
        assert np.allclose(_rowmax(ix.BT, v), (dense * v).max(axis=1))


# --- CLI and API -------------------------------------------------------------------------------------------
def test_cli_single_query(crafted: SqliteStore) -> None:
    res = CliRunner().invoke(
        cli, ["partners", "--db", str(crafted.path), "--with", "pic:100000001", "--with", MCO, "--top", "3"]
    )
    assert res.exit_code == 0, res.output
    assert "  1. " in res.output and "Network Friend University" in res.output.splitlines()[2]
    res = CliRunner().invoke(cli, ["partners", "--db", str(crafted.path), "--with", MUNI, "--json"])
    assert json.loads(res.stdout)["partners"][0]["actor_id"] in (FRIEND, BRIDGE)


def test_cli_batch_reports_a_malformed_line_and_goes_on(crafted: SqliteStore, tmp_path: Path) -> None:
    qfile = tmp_path / "calls.jsonl"
    qfile.write_text(
        json.dumps({"id": "a", "members": [MUNI, MCO], "min_countries": 3})
        + "\n{not json\n"
        + json.dumps({"id": "b", "members": ["pic:999"], "topic": "marine robotics", "kinds": ["sme"]})
        + "\n"
        + json.dumps({"id": "c", "kinds": ["startup"]})
        + "\n",
        encoding="utf-8",
    )
    res = CliRunner().invoke(
        cli, ["partners", "--db", str(crafted.path), "--queries", str(qfile), "--top", "2"]
    )
    assert res.exit_code == 0
    lines = [json.loads(x) for x in res.stdout.splitlines()]
    assert [x["id"] for x in lines] == ["a", "b"]
    assert lines[0]["partners"][0]["actor_id"] == FRIEND
    assert lines[0]["partners"][0]["identifiers"] == {"pic": "100000004"}
    assert len(lines[0]["partners"]) == 2
    assert lines[0]["gaps"]["countries_needed"] == 1
    assert lines[1]["unknown_members"] == ["pic:999"]
    assert lines[1]["partners"][0]["actor_id"] == OCEAN
    assert "line 2: not JSON" in res.stderr
    assert "line 4: kinds: unknown kind" in res.stderr and "unknown kind 'startup'" in res.stderr
    assert "2 queries answered, 2 skipped" in res.stderr


def test_cli_needs_members_or_topic(crafted: SqliteStore) -> None:
    res = CliRunner().invoke(cli, ["partners", "--db", str(crafted.path)])
    assert res.exit_code == 1
    assert "give at least one --with member or a --topic" in str(res.exception)


def test_api_partners(crafted: SqliteStore) -> None:
    client = TestClient(create_app(Settings(db=crafted.path), store=crafted))
    r = client.get("/partners", params=[("with", MUNI), ("with", "pic:100000002"), ("min_countries", "3")])
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["partners"][0]["actor_id"] == FRIEND
    assert body["gaps"]["countries_needed"] == 1
    r = client.get("/partners", params={"from": "2018", "to": "2018", "top": "20", "with": OTHER})
    assert sorted(c["actor_id"] for c in r.json()["partners"]) == sorted([SMEPT, SKANE])
    # Neither a topic nor members: nothing to rank on; nobody is suggested and the answer says what to
    # give (a 200: the schema makes every parameter optional, so what it allows is answered).
    r = client.get("/partners", params={"from": "2018", "to": "2018"})
    assert r.status_code == 200
    assert r.json()["partners"] == [] and "give a call topic" in r.json()["message"]
    r = client.get("/partners", params={"topic": "marine robotics", "kind": "startup"})
    assert r.status_code == 422
    assert "unknown kind" in r.json()["detail"]


def test_the_form_and_the_cli_give_the_same_answer(crafted: SqliteStore) -> None:
    """The start page's form submits to /views/partners with the CLI's names; both rank alike."""
    client = TestClient(create_app(Settings(db=crafted.path), store=crafted))
    form = [
        ("with", f"{MUNI}, Member Company GmbH"),
        ("topic", "marine robotics for healthy oceans"),
        ("topic_code", ""),
        ("min_countries", "4"),
        ("kind", "sme"),
        ("favour_county", ""),
        ("top", "5"),
    ]
    page = client.get("/views/partners", params=form)
    assert page.status_code == 200, page.text
    first_table = page.text.split('<table class="list"')[1].split("</table>")[0]
    on_page = re.findall(r'<td><a href="/views/actor/[^"]+">([^<]+)</a></td>', first_table)
    res = CliRunner().invoke(
        cli,
        [
            "partners",
            "--db",
            str(crafted.path),
            "--with",
            MUNI,
            "--with",
            "Member Company GmbH",
            "--topic",
            "marine robotics for healthy oceans",
            "--min-countries",
            "4",
            "--kind",
            "sme",
            "--top",
            "5",
            "--json",
        ],
    )
    assert res.exit_code == 0, res.output
    body = json.loads(res.stdout)
    assert on_page == [html.escape(c["name"]) for c in body["partners"]]
    assert on_page  # the query has an answer
    assert 'id="gaps-table"' in page.text  # the gaps section with the greedy cover
    for aid in body["gaps"]["cover"]:
        assert aid.replace(":", "%3A") in page.text or aid in page.text


def test_empty_query_suggests_nobody(crafted: SqliteStore) -> None:
    res = CliRunner().invoke(cli, ["partners", "--db", str(crafted.path), "--json"])
    assert res.exit_code == 1 and "give at least one --with member or a --topic" in str(res.exception)
    with pytest.raises(InvalidInput, match="give a call topic"):
        find_partners(crafted, PartnerQuery(min_countries=3))
    client = TestClient(create_app(Settings(db=crafted.path), store=crafted))
    page = client.get("/views/partners", params={"with": "", "topic": ""})
    assert page.status_code == 200 and "Give a call topic" in page.text
    assert 'id="gaps-table"' not in page.text and "<td>1</td>" not in page.text  # nobody ranked


def test_no_topic_evidence_goes_to_your_existing_network(crafted: SqliteStore) -> None:
    # FRIEND worked with both members but never on marine robotics: not among the topic's experts.
    r = find_partners(crafted, PartnerQuery(members=[MUNI, MCO], topic="marine robotics for healthy oceans"))
    assert FRIEND not in ids(r)
    assert FRIEND in [c.actor_id for c in r.network]
    assert all(c.topic_evidence for c in r.partners)
    assert r.partners[0].actor_id == OCEAN


def test_countries_horizon_europe_cannot_fund_are_marked(crafted: SqliteStore) -> None:
    r = find_partners(
        crafted, PartnerQuery(topic="marine robotics", topic_codes=["HORIZON-CL6-2024-BIODIV-01"])
    )
    assert r.programme == "Horizon Europe"
    assert all(c.funding_note is None for c in r.partners)  # FR, IT, ES: all fundable
    from graph.partners.explain import funding_note

    assert "neither an EU member state" in (
        funding_note("Horizon Europe", PartnerQuery(), "US", "company", False) or ""
    )
    assert funding_note("Horizon Europe", PartnerQuery(), "NO", "company", False) is None
