"""The measures of `graph.analysis` on small graphs with hand-computed values, and against networkx."""

from __future__ import annotations

import math
import random

import networkx as nx
import pytest

from graph.analysis import brokerage, centrality, communities, counties, isolation, themes


def _bridge() -> nx.Graph:
    """Two 4-cliques {0,1,2,3} and {4,5,6,7} joined by the one edge 3–4."""
    g = nx.barbell_graph(4, 0)
    nx.set_edge_attributes(g, 1, "weight")
    return g


def _weighted(g: nx.Graph, seed: int) -> nx.Graph:
    rnd = random.Random(seed)
    for u, v in g.edges:
        g[u][v]["weight"] = rnd.randint(1, 4)
    return g


# -- hand-computed values -------------------------------------------------------------------------
def test_star_by_hand() -> None:
    g = nx.star_graph(4)  # centre 0, leaves 1..4
    nx.set_edge_attributes(g, 1, "weight")
    assert centrality.degree(g) == {0: 4, 1: 1, 2: 1, 3: 1, 4: 1}
    bc = centrality.betweenness(g)
    assert bc.exact and bc.values[0] == pytest.approx(1.0) and bc.values[1] == 0.0
    close = centrality.closeness(g)
    assert close[0] == pytest.approx(1.0) and close[3] == pytest.approx(4 / 7)
    # PageRank: x_c = 0.03 + 0.85 * 4 x_l, x_l = 0.03 + 0.85 x_c / 4  =>  x_c = 0.132 / 0.2775
    pr = centrality.pagerank(g)
    assert pr[0] == pytest.approx(0.132 / 0.2775, abs=1e-8)
    assert pr[1] == pytest.approx(0.03 + 0.2125 * 0.132 / 0.2775, abs=1e-8)
    assert brokerage.constraint(g)[0] == pytest.approx(4 * (1 / 4) ** 2)
    assert brokerage.constraint(g)[2] == pytest.approx(1.0)
    assert brokerage.effective_size(g) == {0: 4.0, 1: 1.0, 2: 1.0, 3: 1.0, 4: 1.0}


def test_path_by_hand() -> None:
    g = nx.path_graph(4)  # 0-1-2-3
    nx.set_edge_attributes(g, 1, "weight")
    bc = centrality.betweenness(g).values
    assert bc == pytest.approx({0: 0.0, 1: 2 / 3, 2: 2 / 3, 3: 0.0})
    assert centrality.closeness(g) == pytest.approx({0: 0.5, 1: 0.75, 2: 0.75, 3: 0.5})
    assert brokerage.constraint(g) == pytest.approx({0: 1.0, 1: 0.5, 2: 0.5, 3: 1.0})
    assert centrality.component_size(g) == {0: 4, 1: 4, 2: 4, 3: 4}


def test_two_cliques_bridge_ends_broker() -> None:
    g = _bridge()
    bc = centrality.betweenness(g).values
    # 3 lies on every path between {0,1,2} and {4,5,6,7}: 12 of the 21 pairs that exclude it
    assert bc[3] == pytest.approx(12 / 21) and bc[4] == pytest.approx(12 / 21)
    assert max(bc, key=lambda n: (bc[n], -n)) == 3
    assert all(bc[n] == 0 for n in (0, 1, 2, 5, 6, 7))
    c = brokerage.constraint(g)
    # c_3 = 3 * (1/4 + 2 * 1/4 * 1/3)^2 + (1/4)^2 = 84/144; c_0 = 2 * (19/36)^2 + (5/9)^2 = 1122/1296
    assert c[3] == pytest.approx(84 / 144) and c[0] == pytest.approx(1122 / 1296)
    assert sorted(c, key=lambda n: (c[n], n))[:2] == [3, 4]
    es = brokerage.effective_size(g)
    assert sorted(es, key=lambda n: (-es[n], n))[:2] == [3, 4]


def test_weights_matrix_equals_networkx() -> None:
    g = _weighted(nx.les_miserables_graph(), 9)
    g.add_edge("Valjean", "Valjean", weight=3)  # self-loops are dropped
    g.add_node("alone")
    ref = nx.to_scipy_sparse_array(g, nodelist=list(g), weight="weight", dtype=float).toarray()
    for i in range(len(ref)):
        ref[i, i] = 0
    assert (centrality.weights(g).toarray() == ref).all()
    assert (centrality.binary(centrality.weights(g)).toarray() == (ref > 0)).all()


def test_isolated_node_scores() -> None:
    g = nx.Graph()
    g.add_edge("a", "b", weight=1)
    g.add_node("z")
    assert centrality.closeness(g)["z"] == 0.0
    assert math.isnan(brokerage.constraint(g)["z"]) and math.isnan(brokerage.effective_size(g)["z"])
    assert centrality.component_size(g) == {"a": 2, "b": 2, "z": 1}


# -- against networkx's reference implementations -----------------------------------------------
GRAPHS = [
    nx.karate_club_graph(),
    nx.gnp_random_graph(120, 0.04, seed=3),
    nx.les_miserables_graph(),
]


@pytest.mark.parametrize("g", GRAPHS, ids=["karate", "gnp", "lesmis"])
def test_betweenness_equals_networkx_exact_and_sampled(g: nx.Graph) -> None:
    ref = nx.betweenness_centrality(g)
    mine = centrality.betweenness(g).values
    assert mine == pytest.approx(ref, abs=1e-12)
    ref_k = nx.betweenness_centrality(g, k=15, seed=7)
    est = centrality.betweenness(g, k=15, seed=7)
    assert not est.exact and est.k == 15
    assert est.values == pytest.approx(ref_k, abs=1e-12)
    assert est.hoeffding_95 == pytest.approx(math.sqrt(math.log(40) / 30))


def test_large_graph_is_sampled_with_stated_k(monkeypatch: pytest.MonkeyPatch) -> None:
    g = nx.path_graph(30)
    monkeypatch.setattr(centrality, "BETWEENNESS_SAMPLES", 12)
    est = centrality.betweenness(g, exact_max_nodes=10, seed=3)
    assert (est.exact, est.k, est.seed) == (False, 12, 3)
    assert est.values == pytest.approx(nx.betweenness_centrality(g, k=12, seed=3), abs=1e-12)
    assert max(est.standard_error.values()) > 0
    assert centrality.betweenness(g).exact  # 30 nodes: below the default threshold


@pytest.mark.parametrize("g", GRAPHS, ids=["karate", "gnp", "lesmis"])
def test_pagerank_equals_networkx(g: nx.Graph) -> None:
    h = _weighted(nx.Graph(g), 4)
    h.add_node("dangling")
    ref = nx.pagerank(h, weight="weight", tol=1e-10, max_iter=1000)
    assert centrality.pagerank(h) == pytest.approx(ref, abs=1e-12)


@pytest.mark.parametrize("g", GRAPHS, ids=["karate", "gnp", "lesmis"])
def test_closeness_equals_networkx(g: nx.Graph) -> None:
    ref = {v: nx.closeness_centrality(g, v, wf_improved=False) for v in g}
    assert centrality.closeness(g) == pytest.approx(ref, abs=1e-12)


@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.parametrize("g", GRAPHS[:2], ids=["karate", "gnp"])
def test_structural_holes_equal_networkx(g: nx.Graph, seed: int) -> None:
    h = _weighted(nx.Graph(g), seed)
    h.add_node("alone")
    nodes = list(h)
    ref_c = nx.constraint(h, nodes=nodes, weight="weight")
    # networkx's per-node path is the definition (its all-nodes sparse path disagrees with it on weights)
    ref_e = nx.effective_size(h, nodes=nodes, weight="weight")
    mine_c, mine_e = brokerage.constraint(h), brokerage.effective_size(h)
    for v in nodes:
        if math.isnan(ref_c[v]):
            assert math.isnan(mine_c[v]) and math.isnan(mine_e[v])
            continue
        assert mine_c[v] == pytest.approx(ref_c[v], abs=1e-12)
        assert mine_e[v] == pytest.approx(ref_e[v], abs=1e-12)
    subset = nodes[:5]
    assert brokerage.constraint(h, subset) == pytest.approx({v: mine_c[v] for v in subset}, abs=1e-15)


def test_groups_and_cross_group_edges() -> None:
    g = _bridge()
    g[3][4]["weight"] = 2
    group = {n: ("A" if n < 4 else "B") for n in g}
    assert brokerage.other_groups(g, group, [3, 0]) == {3: 1, 0: 0}
    assert brokerage.cross_group_edges(g, group, [0, 3]) == [(3, 4, 2.0)]


# -- communities ------------------------------------------------------------------------------------
def test_louvain_finds_the_cliques_whatever_the_insertion_order() -> None:
    g = _bridge()
    parts = communities.louvain(g)
    assert [sorted(c) for c in parts] == [[0, 1, 2, 3], [4, 5, 6, 7]]
    shuffled = nx.Graph()
    edges = list(g.edges(data=True))
    random.Random(5).shuffle(edges)
    shuffled.add_edges_from(edges)
    big = nx.les_miserables_graph()
    rev = nx.Graph()
    rev.add_edges_from(reversed(list(big.edges(data=True))))
    assert communities.louvain(big) == communities.louvain(rev)
    # modularity of the two cliques: 2 * (6/13 - (13/26)^2)
    assert communities.modularity(g, parts) == pytest.approx(2 * (6 / 13 - 0.25))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_modularity_equals_networkx(seed: int) -> None:
    rng = random.Random(seed)
    g = nx.gnm_random_graph(200, 900, seed=seed)
    for u, v in g.edges():
        g[u][v]["weight"] = rng.randint(1, 5)
    g.add_edge(7, 7, weight=3)  # a self-loop counts as networkx counts it
    parts = [frozenset(c) for c in nx.community.louvain_communities(g, seed=seed)]
    assert communities.modularity(g, parts) == pytest.approx(nx.community.modularity(g, parts), abs=1e-12)
    one = [frozenset(g)]
    assert communities.modularity(g, one) == pytest.approx(nx.community.modularity(g, one), abs=1e-12)


def test_large_graphs_use_igraph_and_find_the_planted_communities() -> None:
    """Above IGRAPH_FROM nodes Louvain runs in igraph: same planted groups as networkx, any insertion order."""
    sizes = [communities.IGRAPH_FROM // 50] * 50
    g = nx.random_partition_graph(sizes, 0.1, 0.0001, seed=7)
    for u, v in g.edges():
        g[u][v]["weight"] = 1
    assert g.number_of_nodes() >= communities.IGRAPH_FROM
    fast = communities.louvain(g)
    rev = nx.Graph()
    rev.add_nodes_from(reversed(list(g.nodes)))
    rev.add_edges_from(reversed(list(g.edges(data=True))))
    assert communities.louvain(rev) == fast  # deterministic whatever the order
    planted = [frozenset(b) for b in g.graph["partition"]]
    reference = nx.community.louvain_communities(g, seed=communities.LOUVAIN_SEED)
    assert communities.nmi(communities.membership(fast), communities.membership(planted)) == pytest.approx(
        1.0
    )
    assert communities.modularity(g, fast) == pytest.approx(communities.modularity(g, reference), abs=0.02)


def test_nmi_by_hand() -> None:
    same = {1: "x", 2: "x", 3: "y", 4: "y"}
    assert communities.nmi(same, {1: 0, 2: 0, 3: 1, 4: 1}) == pytest.approx(1.0)
    # independent: every (community, county) combination once
    assert communities.nmi(same, {1: 0, 2: 1, 3: 0, 4: 1}) == pytest.approx(0.0)
    # H(A) = ln 2, H(B) = 1.5 ln 2 (1/2, 1/4, 1/4), I = ln 2  =>  NMI = 1 / 1.25
    assert communities.nmi(same, {1: 0, 2: 0, 3: 1, 4: 2}) == pytest.approx(0.8)
    assert communities.nmi({1: "x"}, {1: 0}) is None


# -- counties null model ------------------------------------------------------------------------------
def _county_graphs() -> tuple[nx.Graph, nx.Graph, list[str]]:
    """a1, a2 in Blekinge (10), b1 in Kronoberg (07), c1 in Skåne (12); P4 has c1 alone."""
    from graph.projection import collaboration_graph

    b = nx.Graph()
    for a, c in (("a1", "10"), ("a2", "10"), ("b1", "07"), ("c1", "12")):
        b.add_node(a, type="actor", county_code=c, name=a, kind="other", country="SE")
    members = {"P1": ["a1", "b1"], "P2": ["a1", "a2"], "P3": ["b1", "c1"], "P4": ["c1"]}
    for p, ms in members.items():
        b.add_node(p, type="project", programme="Interreg", themes=())
        b.add_edges_from((m, p) for m in ms)
    return b, collaboration_graph(b), sorted(members)


def test_county_null_model_by_hand() -> None:
    b, c, projects = _county_graphs()
    m = counties.county_matrix(b, c, projects, ["12", "10", "07"])
    assert m.counties == ["07", "10", "12"]
    assert m.projects == {"07": 2, "10": 2, "12": 2} and m.total_projects == 4
    assert m.actors == {"07": 1, "10": 2, "12": 1}
    assert m.shared_projects == {("07", "10"): 1, ("07", "12"): 1, ("10", "12"): 0}
    # P_a * P_b / N = 2 * 2 / 4
    assert m.expected_projects == pytest.approx({("07", "10"): 1.0, ("07", "12"): 1.0, ("10", "12"): 1.0})
    # ties: a1-b1, a1-a2, b1-c1 (M = 3); D_07 = 2, D_10 = 3, D_12 = 1
    assert m.actor_pairs == {("07", "10"): 1, ("07", "12"): 1, ("10", "12"): 0}
    assert m.expected_actor_pairs == pytest.approx(
        {("07", "10"): 1.0, ("07", "12"): 1 / 3, ("10", "12"): 0.5}
    )
    assert m.internal_pairs == {"07": 0, "10": 1, "12": 0}
    assert counties.ratio(1, 1 / 3) == pytest.approx(3.0) and counties.ratio(0, 0.0) is None


def test_theme_presence() -> None:
    b, _, projects = _county_graphs()
    pt = {"P1": ("s3:x:a",), "P3": ("s3:x:a", "po:PO1")}
    got = themes.theme_presence(b, projects, pt, ["07", "10", "12", "13"])
    assert got["s3:x:a"].projects == 2
    assert {c: sorted(a) for c, a in got["s3:x:a"].actors_by_county.items()} == {
        "07": ["b1"],
        "10": ["a1"],
        "12": ["c1"],
    }
    assert sorted(got["po:PO1"].actors_by_county) == ["07", "12"]
    assert themes.theme_kind("part:h2020:SC5") == "programme_part"


# -- isolation rules ------------------------------------------------------------------------------------
def _iso_graphs() -> tuple[nx.Graph, nx.Graph]:
    from graph.projection import collaboration_graph

    b = nx.Graph()
    actors = {
        "uni": ("university", "10"),
        "firm": ("company", "10"),
        "park": ("science_park", "07"),
        "city": ("municipality", "12"),
        "lonely": ("company", "10"),
        "solo": ("company", "12"),
        "abroad": ("university", ""),
        "uni2": ("university", "12"),
    }
    for a, (k, c) in actors.items():
        b.add_node(a, type="actor", kind=k, county_code=c, name=a.title(), country="SE" if c else "DE")
    projects = {
        "P1": ("Interreg", ["uni", "park"]),
        "P2": ("Regional", ["uni", "firm"]),
        "P3": ("Horizon 2020", ["park", "city", "abroad", "uni2"]),
        "P4": ("Interreg", ["solo"]),
    }
    for p, (prog, ms) in projects.items():
        b.add_node(p, type="project", programme=prog, themes=())
        b.add_edges_from((m, p) for m in ms)
    return b, collaboration_graph(b)


def test_isolation_rules_each() -> None:
    b, c = _iso_graphs()
    everyone = sorted(n for n, d in c.nodes(data=True) if d["county_code"])
    assert isolation.no_collaboration(b, c, everyone) == [
        ("lonely", "in no project"),
        ("solo", "in 1 project, with no other actor in them"),
    ]
    assert isolation.only_own_county(c, everyone) == [("firm", "its only partner is in Blekinge")]
    assert isolation.no_eu_project(b, everyone, ["Interreg", "Horizon 2020"]) == [
        ("firm", "only in projects of Regional"),
        ("lonely", "in no project"),
    ]
    # universities: abroad 3, uni 2, uni2 3 partners; bottom decile (nearest rank) of 3 is the minimum
    weak = isolation.weak_despite_profile(c, everyone, min_peers=3)
    assert [a for a, _ in weak] == ["uni"]
    assert "bottom decile of the 3 actors of its kind (at most 2; median 3)" in weak[0][1]
    assert isolation.weak_despite_profile(c, everyone) == []  # fewer than MIN_PEERS universities
    pt = {"P2": ("s3:blekinge:tech",), "P1": ("po:PO1",)}
    s3 = isolation.s3_theme_without_outside_partner(b, everyone, pt, lambda t: "Tech")
    assert s3 == [
        ("firm", "in 1 project on S3 themes (Tech); its only partner there is in Blekinge"),
        ("uni", "in 1 project on S3 themes (Tech); its only partner there is in Blekinge"),
    ]
    assert isolation.outside_partners(c, "uni") == 1
    assert isolation.suggested_brokers(c, "10") == [("uni", 1)]
