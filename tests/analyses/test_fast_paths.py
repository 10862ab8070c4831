"""The fast analysis paths give the same answers as the straightforward ones they replace."""

from __future__ import annotations

import itertools
import random
from collections import Counter

import networkx as nx
import numpy as np
import pytest

from bioeco.analyses import project
from bioeco.analyses.bridges import (
    ROLES,
    brokerage,
    gould_fernandez,
    pair_suggestions,
    sector_group,
)
from bioeco.analyses.overlap import overlap_pairs
from bioeco.analyses.pairs import _pair_candidates
from bioeco.analyses.project import entity_id, entity_iri, load_network
from bioeco.analyses.roles import _classify, _open_two_paths, open_paths
from bioeco.analyses.scores import _betweenness, _participation
from bioeco.analyses.structure import structure
from bioeco.ingest.build import build_dataset
from bioeco.store.query import select

#: The membership query before the interval dates became a property path (one join per
#: ``time:`` predicate through VALUES): kept here as the reference the new query must match.
_OLD_MEMBERSHIPS = """
SELECT ?ms ?member ?org ?role (STR(?b) AS ?begin) (STR(?e) AS ?end) (STR(?o) AS ?observed) WHERE {
  ?ms a org:Membership ; org:member ?member ; org:organization ?org .
  ?org a org:OrganizationalCollaboration .
  { ?member a org:Organization } UNION { ?member a org:OrganizationalCollaboration }
  OPTIONAL { ?ms org:role ?role }
  OPTIONAL { ?ms bioeco:observedIn ?o }
  OPTIONAL { ?ms org:memberDuring ?iv .
    OPTIONAL { ?iv time:hasBeginning ?bi . ?bi ?bp ?b .
               VALUES ?bp { time:inXSDDate time:inXSDgYearMonth time:inXSDgYear
                            time:inXSDDateTime time:inXSDDateTimeStamp } }
    OPTIONAL { ?iv time:hasEnd ?ei . ?ei ?ep ?e .
               VALUES ?ep { time:inXSDDate time:inXSDgYearMonth time:inXSDgYear
                            time:inXSDDateTime time:inXSDDateTimeStamp } } }
}"""


def _rows(frame):
    return sorted(tuple("" if v is None or v != v else str(v) for v in row) for row in frame.values)


@pytest.fixture(scope="module")
def data_graph():
    return build_dataset()  # the real data/ folder


@pytest.mark.parametrize("source", ["example", "data"])
def test_membership_path_query_matches_the_values_query(source, example, request):
    graph = example if source == "example" else request.getfixturevalue("data_graph")
    new = select(graph, project._Q_MEMBERSHIPS)
    old = select(graph, _OLD_MEMBERSHIPS)
    assert len(new) > 0
    assert _rows(new) == _rows(old)


def test_membership_path_query_reads_every_date_kind(make_graph):
    # gYear, gYearMonth and date instants, open and closed intervals
    actors = {x: {"sector": ["marine"]} for x in "abcd"}
    ms = [
        {"member": "a", "organization": "i", "role": "member", "begin": "2019"},
        {"member": "b", "organization": "i", "role": "member", "end": "2021-06"},
        {
            "member": "c",
            "organization": "i",
            "role": "member",
            "begin": "2018-02-03",
            "end": "2020",
        },
        {"member": "d", "organization": "i", "role": "member", "observed": "2022"},
    ]
    g = make_graph(actors, {"i": {}}, ms)
    new = select(g, project._Q_MEMBERSHIPS)
    assert _rows(new) == _rows(select(g, _OLD_MEMBERSHIPS))
    dates = {entity_id(m): (b, e) for m, b, e in new[["member", "begin", "end"]].values}
    assert dates["actor/a"][0] == "2019"
    assert dates["actor/b"][1] == "2021-06"
    assert dates["actor/c"] == ("2018-02-03", "2020")


def _random_graph(seed: int, n: int = 60, p: float = 0.08) -> nx.Graph:
    g = nx.gnp_random_graph(n, p, seed=seed)
    return nx.relabel_nodes(g, {i: f"n{(i * 37) % n:03d}" for i in g})


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_betweenness_exact_equals_networkx(seed):
    g = _random_graph(seed)
    ours, method = _betweenness(g, exact_max_nodes=1000, k=10, seed=0)
    ref = nx.betweenness_centrality(g, normalized=True)
    assert method == "exact"
    assert ours == pytest.approx(ref, abs=1e-11)


@pytest.mark.parametrize("seed", [1, 2])
def test_betweenness_sampled_equals_networkx_with_the_same_seed(seed):
    g = _random_graph(seed, n=80)
    ours, method = _betweenness(g, exact_max_nodes=10, k=15, seed=seed)
    ref = nx.betweenness_centrality(g, k=15, normalized=True, seed=seed)
    assert method == f"sampled (k=15, seed={seed})"
    assert ours == pytest.approx(ref, abs=1e-11)


def test_betweenness_of_tiny_graphs_is_zero():
    g = nx.path_graph(["a", "b"])
    assert _betweenness(g, 1000, 10, 0) == ({"a": 0.0, "b": 0.0}, "exact")


def _reference_candidates(g, net, nodes, min_common):
    """Today's candidate rule and networkx's link-prediction indices, pair by pair."""
    out = {}
    for a_pos, a in enumerate(nodes):
        for b in nodes[a_pos + 1 :]:
            common = list(nx.common_neighbors(g, a, b))
            if len(common) < min_common or g.has_edge(a, b):
                continue
            if net.attr(a, "kind") != "actor" or net.attr(b, "kind") != "actor":
                continue
            sa, sb = set(net.attr(a, "sectors")), set(net.attr(b, "sectors"))
            if not sa or not sb or sa & sb:
                continue
            out[(a, b)] = (
                next(nx.resource_allocation_index(g, [(a, b)]))[2],
                next(nx.adamic_adar_index(g, [(a, b)]))[2],
                len(common),
            )
    return out


def _synthetic_network(make_graph, seed: int):
    rng = random.Random(seed)
    sectors = ["marine", "health", "agri-food", "forestry"]
    actors = {f"a{k}": {"sector": rng.sample(sectors, rng.choice([0, 1, 1, 2]))} for k in range(40)}
    inits = {f"i{k}": {"type": "project"} for k in range(12)}
    ms = sorted(
        {(a, i, "member") for i in inits for a in rng.sample(sorted(actors), rng.randint(2, 7))}
    )
    return load_network(make_graph(actors, inits, ms))


@pytest.mark.parametrize("seed", [0, 1])
def test_pair_candidates_match_the_pairwise_reference(make_graph, seed):
    net = _synthetic_network(make_graph, seed)
    g = net._actor_graph
    nodes = sorted(g.nodes)
    bunch, ra, aa = _pair_candidates(structure(net), net, 1, None, None, block=7)
    ref = _reference_candidates(g, net, nodes, 1)
    assert len(ref) > 20
    assert set(bunch) == set(ref)
    for pair in bunch:
        assert ra[pair] == pytest.approx(ref[pair][0], abs=1e-11)
        assert aa[pair] == pytest.approx(ref[pair][1], abs=1e-11)
    # best first: resource allocation, Adamic–Adar, common neighbours, ids
    keys = [(-ra[p], -aa[p], -ref[p][2], entity_id(p[0]), entity_id(p[1])) for p in bunch]
    assert keys == sorted(keys)


@pytest.mark.parametrize("top", [1, 5, 17])
def test_top_pairs_are_the_head_of_all_pairs(make_graph, top):
    net = _synthetic_network(make_graph, 3)
    everything = pair_suggestions(net)
    head = pair_suggestions(net, top=top)
    assert len(everything) > top
    assert head.equals(everything.head(top))


def test_projection_via_equals_the_row_intersections(make_graph):
    net = _synthetic_network(make_graph, 4)
    g = project.actor_projection(net)
    csr = net.incidence.tocsr()
    members = net.members
    expected = 0
    for i in range(len(members)):
        for j in range(i + 1, len(members)):
            shared = np.intersect1d(
                csr.indices[csr.indptr[i] : csr.indptr[i + 1]],
                csr.indices[csr.indptr[j] : csr.indptr[j + 1]],
            )
            if len(shared):
                expected += 1
                data = g[members[i]][members[j]]
                assert data["weight"] == len(shared)
                assert data["via"] == tuple(net.initiatives[s] for s in shared)
    assert g.number_of_edges() == expected
    assert project.actor_projection(net) is not net._actor_graph  # callers get their own


# -- the projection kept sparse (bioeco.analyses.structure) -----------------------------------


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_burt_closed_forms_equal_networkx(make_graph, seed):
    net = _synthetic_network(make_graph, seed)
    st = structure(net)
    constraint, effective = st.burt()
    g = net._actor_graph
    sub = g.subgraph([n for n in g.nodes if g.degree(n)])
    ref_c = nx.constraint(sub, weight="weight")
    # networkx's per-node path is Burt's definition (its whole-graph matrix path divides by the
    # wrong maximum: networkx pull request #8906)
    ref_e = nx.effective_size(sub, nodes=list(sub), weight="weight")
    assert len(ref_c) > 10
    for i, m in enumerate(st.members):
        if m in ref_c:
            assert constraint[i] == pytest.approx(ref_c[m], abs=1e-12)
            assert effective[i] == pytest.approx(ref_e[m], abs=1e-12)
        else:
            assert np.isnan(constraint[i]) and np.isnan(effective[i])


@pytest.mark.parametrize("seed", [0, 1])
def test_burt_effective_size_bit_for_bit_as_two_real_products(make_graph, seed):
    # the effective size takes A·M⁻¹·B and P·B as one product on complex entries: each part
    # must hold the floats of its own real product (later sums depend on every bit)
    from scipy import sparse

    st = structure(_synthetic_network(make_graph, seed))
    _constraint, effective = st.burt()
    w, b = st.weights, st.b.astype(float)
    strength = np.asarray(w.sum(axis=1)).ravel()
    tied = strength > 0
    inv_s = np.where(tied, 1 / np.where(tied, strength, 1), 0.0)
    wmax = w.max(axis=1).toarray().ravel()
    inv_m = np.where(wmax > 0, 1 / np.where(wmax > 0, wmax, 1), 0.0)
    p = sparse.csr_matrix(sparse.diags(inv_s) @ w)
    adj_over_m = sparse.csr_matrix(sparse.csr_matrix(st.adj, dtype=float) @ sparse.diags(inv_m))
    p_d_over_m = sparse.csr_matrix(p @ sparse.diags(inv_m)) @ np.asarray(b.sum(axis=1)).ravel()
    h, pb = (adj_over_m @ b).toarray(), (p @ b).toarray()
    reference = st.degree - (h * pb).sum(axis=1) + p_d_over_m
    reference[~tied] = np.nan
    assert effective.tobytes() == reference.tobytes()


def _reference_profile(g, net, v):
    """Open two-paths through v enumerated pair by pair: total, cross-sector count, the
    sector pair bridged most and the initiatives towards each side, as actor_scores defines."""
    nbrs = sorted(g[v])
    total, cross, by_pair, paths = 0, 0, Counter(), []
    for a, b in itertools.combinations(nbrs, 2):
        if g.has_edge(a, b):
            continue
        total += 1
        sa, sb = set(net.attr(a, "sectors")), set(net.attr(b, "sectors"))
        if sa and sb and not sa & sb:
            cross += 1
            paths.append((a, b))
            for x in sa:
                for y in sb:
                    by_pair[(x, y)] += 1
                    by_pair[(y, x)] += 1
    names = sorted({s for n in g for s in net.attr(n, "sectors")})
    best = None
    for x, y in itertools.combinations(names, 2):
        if by_pair[(x, y)] > (by_pair[best] if best else 0):
            best = (x, y)
    sides = []
    for side, other in (best, best[::-1]) if best else ():
        counter = Counter()
        for a, b in paths:
            for end, far in ((a, b), (b, a)):
                if side in net.attr(end, "sectors") and other in net.attr(far, "sectors"):
                    for init in g[v][end]["via"]:
                        counter[init] += 1
        sides.append(dict(counter))
    return total, cross, best, sides


@pytest.mark.parametrize("seed", [0, 3])
def test_open_two_path_profile_matches_the_pairwise_reference(make_graph, seed):
    net = _synthetic_network(make_graph, seed)
    st = structure(net)
    g = net._actor_graph
    paths = open_paths(st)
    crossing = 0
    for i, v in enumerate(st.members):
        _roles, total, _cg, cross, best, side_s, side_t = paths[i]
        ref_total, ref_cross, ref_best, ref_sides = _reference_profile(g, net, v)
        assert (total, cross, best) == (ref_total, ref_cross, ref_best)
        if best:
            crossing += 1
            assert [side_s, side_t] == ref_sides
    assert crossing > 5


def test_open_paths_with_types_over_one_word_match_the_references(make_graph):
    # 300 actors in five sector types: the large types span several 64-bit words of the bit
    # rows, so the per-type sums cross word boundaries (the small networks above fit in one)
    rng = random.Random(5)
    kinds = [[], ["marine"], ["health"], ["marine", "health"], ["forestry"]]
    actors = {
        f"a{k:03d}": {"sector": kinds[rng.choice([0, 1, 1, 2, 2, 2, 3, 4])]} for k in range(300)
    }
    inits = {f"i{k}": {"type": "project"} for k in range(60)}
    ms = sorted(
        {(a, i, "member") for i in inits for a in rng.sample(sorted(actors), rng.randint(2, 12))}
    )
    net = load_network(make_graph(actors, inits, ms))
    st = structure(net)
    assert max(np.bincount(st.tid)) > 64
    g = net._actor_graph
    groups = {v: sector_group(net.attr(v, "sectors")) for v in g.nodes}
    ref_roles = gould_fernandez(g, groups).set_index("node")
    paths = open_paths(st)
    crossing = 0
    for i, v in enumerate(st.members):
        roles, total, cross_group, cross, best, side_s, side_t = paths[i]
        ref_total, ref_cross, ref_best, ref_sides = _reference_profile(g, net, v)
        assert (total, cross, best) == (ref_total, ref_cross, ref_best)
        assert total == ref_roles.loc[v, "total"] and cross_group == ref_roles.loc[v, "cross_group"]
        assert all(roles[r] == ref_roles.loc[v, r] for r in (*ROLES, "unclassified"))
        if best:
            crossing += 1
            assert [side_s, side_t] == ref_sides
    assert crossing > 20


@pytest.mark.parametrize("seed", [0, 1])
def test_brokerage_roles_match_gould_fernandez_on_the_graph(make_graph, seed):
    net = _synthetic_network(make_graph, seed)
    g = net._actor_graph
    groups = {v: sector_group(net.attr(v, "sectors")) for v in g.nodes}
    ref = gould_fernandez(g, groups).set_index("node")
    ours = brokerage(net)
    assert ours["total"].sum() > 50
    for row in ours.itertuples(index=False):
        node = str(entity_iri(row.actor))
        for col in (*ROLES, "unclassified", "total", "cross_group", "dominant_role"):
            assert getattr(row, col) == ref.loc[node, col], (row.actor, col)
        if row.example:  # the first open two-path of the dominant role, in pair order
            a, b = next(
                (a, b)
                for a, b in _open_two_paths(g, node)
                if None not in (groups[a], groups[b], groups[node])
                and row.dominant_role in _classify(groups[a], groups[node], groups[b], False)
            )
            assert row.example == f"{net.label(a)} – {net.label(node)} – {net.label(b)}"


def test_participation_sums_in_the_order_sectors_first_occur():
    # three neighbours: (b), (a, b), (a); weights 1/1, 2/2 and 3/1 per sector
    per = np.array([1.0 + 3.0, 1.0 + 1.0])  # a, b
    sectors = np.array([[0, 1], [1, 1], [1, 0]])
    values = [2.0, 4.0]  # b first, then a
    k = sum(values)
    assert _participation(per, sectors) == 1.0 - sum((x / k) ** 2 for x in values)
    assert np.isnan(_participation(np.zeros(2), np.zeros((0, 2))))


@pytest.mark.parametrize("seed", [0, 2])
def test_overlap_shared_members_equal_the_pairwise_intersections(make_graph, seed):
    net = _synthetic_network(make_graph, seed)
    table = overlap_pairs(net, min_shared=1)
    csc = net.incidence.tocsc()
    column = {entity_id(i): k for k, i in enumerate(net.initiatives)}
    assert len(table) > 10
    for a, b, shared in table[["initiative_a", "initiative_b", "shared_members"]].values:
        x, y = column[a], column[b]
        common = np.intersect1d(
            csc.indices[csc.indptr[x] : csc.indptr[x + 1]],
            csc.indices[csc.indptr[y] : csc.indptr[y + 1]],
        )
        expected = sorted((net.members[k] for k in common), key=lambda m: (net.label(m), m))
        assert shared == tuple(entity_id(m) for m in expected)


@pytest.mark.parametrize(("min_common", "limit"), [(2, None), (1, 5), (2, 3), (1, 40)])
def test_bounded_pair_search_keeps_the_head_of_the_full_ranking(make_graph, min_common, limit):
    # block=7 makes the first block give the bound θ, so most actors are left out
    net = _synthetic_network(make_graph, 5)
    g = net._actor_graph
    ref = _reference_candidates(g, net, sorted(g.nodes), min_common)
    keys = sorted(
        ref,
        key=lambda p: (
            -round(ref[p][0], 12),
            -round(ref[p][1], 12),
            -ref[p][2],
            *map(entity_id, p),
        ),
    )
    bunch, ra, _aa = _pair_candidates(structure(net), net, min_common, None, limit, block=7)
    assert len(ref) > (limit or 10)
    assert bunch == keys[:limit]
    assert all(ra[p] == pytest.approx(ref[p][0], abs=1e-11) for p in bunch)


@pytest.mark.parametrize("seed", [0, 1])
def test_overlap_organisers_and_names_equal_the_per_pair_reference(make_graph, seed):
    rng = random.Random(seed)
    actors = {f"a{k}": {"label": f"Actor {rng.randint(0, 9)}"} for k in range(30)}
    inits = {f"i{k}": {} for k in range(8)}
    ms = sorted(
        (a, i, rng.choice(["organiser", "host", "member", "partner"]))
        for i in inits
        for a in rng.sample(sorted(actors), rng.randint(3, 12))
    )
    net = load_network(make_graph(actors, inits, ms))
    table = overlap_pairs(net, min_shared=1)
    roles = {(m, o): set(r) for m, o, r in net.edges[["member", "initiative", "roles"]].values}
    assert len(table) > 10 and (table["shared_organisers"].map(len) > 0).any()
    assert (table["shared"] > 3).any()
    for a, b, shared, organisers, text in table[
        ["initiative_a", "initiative_b", "shared_members", "shared_organisers", "explanation"]
    ].values:
        ia, ib = str(entity_iri(a)), str(entity_iri(b))
        common = [str(entity_iri(m)) for m in shared]
        expected = [
            m
            for m in common
            if roles[(m, ia)] & project.ORGANISER_ROLES and roles[(m, ib)] & project.ORGANISER_ROLES
        ]
        assert organisers == tuple(entity_id(m) for m in expected)
        names = ", ".join(net.label(m) for m in common[:3])
        more = f" and {len(common) - 3} more" if len(common) > 3 else ""
        assert f"({names}{more}): Jaccard" in text


def test_shared_igraph_edges_and_weights_are_the_projection(make_graph):
    net = _synthetic_network(make_graph, 6)
    st = structure(net)
    g = net._actor_graph
    edges = st.igraph.get_edgelist()
    assert len(edges) == g.number_of_edges() == len(st.upper_weights) > 20
    assert edges == sorted(edges) and all(u < v for u, v in edges)
    for (u, v), w in zip(edges, st.upper_weights, strict=True):
        assert g[st.members[u]][st.members[v]]["weight"] == w


@pytest.mark.parametrize("seed", [0, 7])
def test_dependencies_from_the_incidence_equal_igraph_per_source(make_graph, seed):
    # a second component (its own initiatives) and ties sharing several initiatives
    rng = random.Random(seed)
    actors = {f"a{k}": {"sector": ["marine"]} for k in range(40)}
    actors |= {f"z{k}": {"sector": ["health"]} for k in range(6)}
    inits = {f"i{k}": {} for k in range(12)} | {"j1": {}, "j2": {}}
    ms = sorted(
        {(a, i, "member") for i in list(inits)[:12] for a in rng.sample(sorted(actors)[:40], 5)}
        | {(f"z{k}", "j1", "member") for k in range(4)}
        | {(f"z{k}", "j2", "member") for k in range(2, 6)}
    )
    two = load_network(make_graph(actors, inits, ms))
    for net in (_synthetic_network(make_graph, seed), two):
        st = structure(net)
        assert (st.weights.data >= 2).any()
        sources = np.array(random.Random(seed).sample(range(st.n), 9))
        ref = 2 * np.asarray(st.igraph.betweenness(directed=False, sources=sources.tolist()))
        assert ref.max() > 0
        assert st.dependencies(sources, batch=4) == pytest.approx(ref, abs=1e-9)


@pytest.mark.parametrize("seed", [1, 4])
def test_sampled_actor_betweenness_equals_networkx_with_the_same_seed(make_graph, seed):
    from bioeco.analyses.bridges import actor_scores

    net = _synthetic_network(make_graph, seed)
    table = actor_scores(net, exact_max_nodes=5, k=12, seed=seed)
    ref = nx.betweenness_centrality(net._actor_graph, k=12, normalized=True, seed=seed)
    assert set(table["betweenness_method"]) == {f"sampled (k=12, seed={seed})"}
    got = dict(zip(table["actor"], table["betweenness"], strict=True))
    assert any(v > 0 for v in got.values())
    for v, value in ref.items():
        if entity_id(v) in got:
            assert got[entity_id(v)] == pytest.approx(value, abs=1e-11)


def test_structure_adjacency_is_the_network_projection(make_graph):
    net = _synthetic_network(make_graph, 8)
    st = structure(net)
    ref = net._actor_adjacency
    assert st.adj.dtype == np.int8 and st.adj.has_sorted_indices
    assert np.array_equal(st.adj.indptr, ref.indptr) and np.array_equal(st.adj.indices, ref.indices)
    assert np.array_equal(st.adj.data, ref.data) and (st.adj.data == 1).all()
    assert np.array_equal(st.weights.toarray() > 0, ref.toarray() > 0)
    assert not st.weights.diagonal().any()
