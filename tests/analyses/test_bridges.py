"""Bridges: betweenness, Burt, participation, Gould–Fernandez roles, pair suggestions."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from bioeco.analyses.bridges import actor_scores, brokerage, gould_fernandez, pair_suggestions
from bioeco.errors import UsageError


def _star(make_graph, sectors=("marine", "marine", "health", "health"), centre="health"):
    """Centre c shares one initiative with each leaf; leaves share nothing."""
    leaves = [f"l{n}" for n in range(len(sectors))]
    actors = {"c": {"label": "Centre", "sector": [centre]}}
    actors |= {
        leaf: {"label": leaf.upper(), "sector": [s]}
        for leaf, s in zip(leaves, sectors, strict=True)
    }
    inits = {f"i{n}": {"label": f"Init {n}"} for n in range(len(leaves))}
    ms = [("c", f"i{n}", "member") for n in range(len(leaves))]
    ms += [(leaf, f"i{n}", "member") for n, leaf in enumerate(leaves)]
    return make_graph(actors, inits, ms)


def test_star_centre_is_the_only_broker(make_graph):
    df = actor_scores(_star(make_graph)).set_index("actor")
    assert df.loc["actor/c", "betweenness"] == pytest.approx(1.0)
    assert (df.drop("actor/c")["betweenness"] == 0).all()
    assert df.loc["actor/c", "rank"] == 1 and df.loc["actor/c", "betweenness_method"] == "exact"
    # Burt: 4 unconnected contacts → effective size 4, constraint 4 · (1/4)² = 0.25;
    # each leaf has one contact → constraint 1, effective size 1.
    assert df.loc["actor/c", "effective_size"] == pytest.approx(4.0)
    assert df.loc["actor/c", "constraint"] == pytest.approx(0.25)
    assert df.loc["actor/l0", "constraint"] == pytest.approx(1.0)
    # participation: 2 marine + 2 health neighbours → 1 - (0.5² + 0.5²) = 0.5; leaves: 0
    assert df.loc["actor/c", "participation"] == pytest.approx(0.5)
    assert df.loc["actor/l0", "participation"] == pytest.approx(0.0)
    assert df.loc["actor/c", "explanation"].startswith(
        "Centre connects health members it meets in Init 2 with marine members it meets in Init 0"
    )
    assert df.loc["actor/c", "bridged_sectors"] == ("health", "marine")


def _hubs_and_a_broker(make_graph):
    """A planted broker beside hubs: four hubs (w, x, y, z) share a project with each of 20
    spokes (10 health, 10 marine) who share nothing else; broker b (marine) is the only tie of
    nine agri-food actors (three projects of four) and meets two spokes in one project."""
    spokes = {f"h{n}": "health" for n in range(10)} | {f"m{n}": "marine" for n in range(10)}
    actors = {s: {"type": "company", "sector": [sector]} for s, sector in spokes.items()}
    actors |= {hub: {"type": "company", "sector": ["health"]} for hub in "wxyz"}
    actors |= {"b": {"type": "company", "sector": ["marine"]}}
    actors |= {f"p{n}": {"type": "company", "sector": ["agri-food"]} for n in range(9)}
    inits, ms = {}, []
    for hub in "wxyz":
        for s in spokes:
            inits[f"{hub}-{s}"] = {"type": "project"}
            ms += [(hub, f"{hub}-{s}", "partner"), (s, f"{hub}-{s}", "partner")]
    for k in range(3):
        inits[f"periphery-{k}"] = {"type": "project"}
        ms += [("b", f"periphery-{k}", "partner")]
        ms += [(f"p{n}", f"periphery-{k}", "partner") for n in range(3 * k, 3 * k + 3)]
    inits["home"] = {"type": "project"}
    ms += [("b", "home", "partner"), ("m0", "home", "partner"), ("h0", "home", "partner")]
    return make_graph(actors, inits, ms)


def test_the_only_tie_of_a_community_outranks_hubs_tied_to_everyone(make_graph):
    """Issue 20 item 6: at scale 8 of the evaluation hubs outranked the planted brokers,
    because open two-paths (∝ degree²) counted on a linear scale."""
    df = actor_scores(_hubs_and_a_broker(make_graph)).set_index("actor")
    broker, hub = df.loc["actor/b"], df.loc["actor/w"]
    assert broker["rank"] == 1
    assert broker["betweenness"] > 2 * hub["betweenness"]
    assert hub["cross_sector_paths"] > 5 * broker["cross_sector_paths"]
    # the linear scale would have put the four hubs first
    linear = (
        broker["betweenness"] / df["betweenness"].max()
        + broker["cross_sector_paths"] / df["cross_sector_paths"].max()
    ) / 2
    assert linear < (hub["betweenness"] / df["betweenness"].max() + 1) / 2
    assert broker["score"] == pytest.approx(
        (1 + np.log1p(broker["cross_sector_paths"]) / np.log1p(hub["cross_sector_paths"])) / 2
    )


def test_weighted_effective_size_is_burts(make_graph):
    # v and a share three initiatives, b shares one with both (ties v-a 3, v-b 1, a-b 1).
    # Burt: the redundancy of contact u for ego v is sum_w p_vw * m_uw, with m_uw = u's tie to
    # w over u's strongest tie. For v: p_va = 3/4, p_vb = 1/4; m_ab = 1/3, m_ba = 1/1, so
    # effective size = (1 - 1/4 * 1/3) + (1 - 3/4 * 1) = 7/6 (a likewise); b: 1 - 1/2 twice = 1.
    # (networkx 3.6's whole-graph path divides by w's strongest tie instead and gives 1.5 for
    # v: networkx pull request #8906.)
    actors = {n: {"label": n.upper()} for n in ("v", "a", "b")}
    inits = {n: {} for n in ("i1", "i2", "i3")}
    ms = [("v", "i1", "member"), ("a", "i1", "member"), ("v", "i2", "member")]
    ms += [("a", "i2", "member"), ("v", "i3", "member"), ("a", "i3", "member")]
    ms += [("b", "i3", "member")]
    df = actor_scores(make_graph(actors, inits, ms)).set_index("actor")
    assert df.loc["actor/v", "effective_size"] == pytest.approx(7 / 6)
    assert df.loc["actor/a", "effective_size"] == pytest.approx(7 / 6)
    assert df.loc["actor/b", "effective_size"] == pytest.approx(1.0)
    # constraint of v: (3/4 + 1/4 * 1/2)^2 + (1/4 + 3/4 * 1/4)^2
    assert df.loc["actor/v", "constraint"] == pytest.approx((7 / 8) ** 2 + (7 / 16) ** 2)


def test_participation_uses_weights(make_graph):
    # c shares two initiatives with the marine actor m and one with h1, h2 (health), one with
    # x (no sector, ignored): k = 2 + 1 + 1 = 4 → 1 - ((2/4)² + (2/4)²) = 0.5;
    # with m in a third initiative: k = 3 + 2 → 1 - ((3/5)² + (2/5)²) = 0.48
    actors = {
        "c": {},
        "m": {"sector": ["marine"]},
        "h1": {"sector": ["health"]},
        "h2": {"sector": ["health"]},
        "x": {},
    }
    inits = {n: {} for n in ("a", "b", "d", "e", "f", "g")}
    ms = [
        ("c", "a", "member"),
        ("m", "a", "member"),
        ("c", "b", "member"),
        ("m", "b", "member"),
        ("c", "d", "member"),
        ("h1", "d", "member"),
        ("c", "e", "member"),
        ("h2", "e", "member"),
        ("c", "f", "member"),
        ("x", "f", "member"),
    ]
    df = actor_scores(make_graph(actors, inits, ms)).set_index("actor")
    assert df.loc["actor/c", "participation"] == pytest.approx(0.5)
    ms += [("c", "g", "member"), ("m", "g", "member")]
    df = actor_scores(make_graph(actors, inits, ms)).set_index("actor")
    assert df.loc["actor/c", "participation"] == pytest.approx(0.48)
    assert df.loc["actor/c", "strength"] == 6.0


@pytest.mark.parametrize(
    ("groups", "role"),
    [
        ({"a": "A", "v": "A", "b": "A"}, "coordinator"),
        ({"a": "B", "v": "A", "b": "A"}, "gatekeeper"),  # outsider a → v → insider b
        ({"a": "A", "v": "A", "b": "B"}, "representative"),  # insider a → v → outsider b
        ({"a": "A", "v": "B", "b": "A"}, "consultant"),
        ({"a": "A", "v": "B", "b": "C"}, "liaison"),
    ],
)
def test_gould_fernandez_directed_roles(groups, role):
    g = nx.DiGraph([("a", "v"), ("v", "b")])
    row = gould_fernandez(g, groups).set_index("node").loc["v"]
    assert row[role] == 1 and row["total"] == 1
    assert (
        sum(
            row[r] for r in ("coordinator", "gatekeeper", "representative", "consultant", "liaison")
        )
        == 1
    )
    assert row["dominant_role"] == role


def test_gould_fernandez_closed_triad_is_not_brokerage():
    g = nx.DiGraph([("a", "v"), ("v", "b"), ("a", "b")])
    row = gould_fernandez(g, {"a": "A", "v": "B", "b": "C"}).set_index("node").loc["v"]
    assert row["total"] == 0 and row["dominant_role"] == "none"


def test_gould_fernandez_undirected_hand_counts():
    # v (A) with neighbours a1, a2 (A), b1 (B), c1 (C), no ties among them: C(4,2) = 6 paths
    # {a1,a2}: coordinator 1; {a1,b1} {a1,c1} {a2,b1} {a2,c1}: one end in v's group → 4
    # counted as gatekeeper and as representative; {b1,c1}: liaison 1
    g = nx.star_graph(["v", "a1", "a2", "b1", "c1"])
    groups = {"v": "A", "a1": "A", "a2": "A", "b1": "B", "c1": "C"}
    row = gould_fernandez(g, groups).set_index("node").loc["v"]
    assert (row["coordinator"], row["gatekeeper"], row["representative"]) == (1, 4, 4)
    assert (row["consultant"], row["liaison"], row["total"], row["cross_group"]) == (0, 1, 6, 5)
    # consultant: v (B) between two A actors
    g2 = nx.path_graph(["a1", "v", "a2"])
    row2 = gould_fernandez(g2, {"a1": "A", "v": "B", "a2": "A"}).set_index("node").loc["v"]
    assert row2["consultant"] == 1 and row2["total"] == 1
    # unclassified ends are counted apart
    row3 = gould_fernandez(g2, {"a1": "A", "v": "B"}).set_index("node").loc["v"]
    assert row3["unclassified"] == 1 and row3["consultant"] == 0


def test_brokerage_on_rdf_star(make_graph):
    # centre (health) with leaves marine, marine, health, agri-food: 6 open two-paths
    # {m,m}: consultant 1; {m,h} ×2: gatekeeper/representative 2; {m,a} ×2: liaison 2;
    # {h,a}: gatekeeper/representative +1 → 3
    g = _star(make_graph, sectors=("marine", "marine", "health", "agri-food"))
    row = brokerage(g).set_index("actor").loc["actor/c"]
    assert (row["consultant"], row["representative"], row["gatekeeper"], row["liaison"]) == (
        1,
        3,
        3,
        2,
    )
    assert row["total"] == 6 and row["cross_group"] == 6 and row["rank"] == 1
    assert row["dominant_role"] == "gatekeeper"


def test_sampled_betweenness_is_reproducible(make_graph):
    g = _star(make_graph, sectors=("marine",) * 6)
    a = actor_scores(g, exact_max_nodes=3, k=3, seed=7)
    b = actor_scores(g, exact_max_nodes=3, k=3, seed=7)
    pd.testing.assert_frame_equal(a, b)
    assert set(a["betweenness_method"]) == {"sampled (k=3, seed=7)"}


def test_pair_suggestions(make_graph):
    actors = {
        "m": {"label": "M", "sector": ["marine"]},
        "h": {"label": "H", "sector": ["health"]},
        "h2": {"sector": ["health"]},
        "x": {"label": "X", "sector": ["marine"]},
    }
    inits = {
        "i": {"label": "I", "type": "project"},
        "j": {"label": "J", "type": "project"},
        "k": {"type": "project"},
    }
    ms = [
        ("m", "i", "member"),
        ("x", "i", "member"),
        ("h", "j", "member"),
        ("x", "j", "member"),
        ("h2", "k", "member"),
        ("h", "k", "member"),
    ]
    df = pair_suggestions(make_graph(actors, inits, ms), community="sector")
    pairs = list(zip(df["actor_a"], df["actor_b"], strict=True))
    # h–m: different sectors, no shared initiative, common neighbour x → suggested;
    # h–x share j; h2–x different sectors but common neighbour h → suggested
    assert ("actor/h", "actor/m") in pairs and ("actor/h", "actor/x") not in pairs
    row = df.set_index(["actor_a", "actor_b"]).loc[("actor/h", "actor/m")]
    assert row["common"] == ("actor/x",) and row["common_neighbours"] == 1
    assert row["resource_allocation"] == pytest.approx(1 / 2)  # x has degree 2
    assert row["explanation"].startswith(
        "H (health) and M (marine) have no shared initiative in these sources but both work"
    )
    assert "through I and J" in row["explanation"]


def test_bridges_deterministic(example):
    pd.testing.assert_frame_equal(actor_scores(example), actor_scores(example))
    a, b = pair_suggestions(example, seed=3), pair_suggestions(example, seed=3)
    pd.testing.assert_frame_equal(a, b)


def test_pair_suggestions_top_keeps_the_best_pairs(example):
    from bioeco.analyses.bridges import pair_suggestions

    full = pair_suggestions(example)
    for n in (1, 2):
        head = pair_suggestions(example, top=n)
        pd.testing.assert_frame_equal(head, full.head(n).reset_index(drop=True))


def _reference_gf(g, groups):
    """Pure-Python Gould–Fernandez counts (the definition, path by path)."""
    from collections import Counter

    from bioeco.analyses.roles import _classify, _open_two_paths

    out = {}
    for v in g.nodes:
        counts = Counter()
        for a, b in _open_two_paths(g, v):
            ga, gv, gb = groups.get(a), groups.get(v), groups.get(b)
            if None in (ga, gv, gb):
                counts["unclassified"] += 1
                continue
            for role in _classify(ga, gv, gb, False):
                counts[role] += 1
        out[v] = counts
    return out


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_vectorised_gould_fernandez_matches_the_definition(seed):
    import random

    import networkx as nx

    from bioeco.analyses.bridges import ROLES, gould_fernandez

    rng = random.Random(seed)
    g = nx.gnp_random_graph(40, 0.15, seed=seed)
    groups = {n: rng.choice(["a", "b", "c", None]) for n in g.nodes}
    df = gould_fernandez(g, groups).set_index("node")
    ref = _reference_gf(g, groups)
    for v, counts in ref.items():
        for role in (*ROLES, "unclassified"):
            assert df.loc[v, role] == counts.get(role, 0), (v, role)


def test_hubs_are_ranked_apart_from_the_actors_they_connect(make_graph):
    # a funder and a cluster (an initiative as member) tie everything together; the company
    # "b" bridges marine and health through two projects of its own
    actors = {
        "fund": {"type": "funding-agency", "sector": ["knowledge"]},
        "b": {"sector": ["industry"]},
        **{f"m{n}": {"sector": ["marine"]} for n in range(3)},
        **{f"h{n}": {"sector": ["health"]} for n in range(3)},
    }
    inits = {"cl": {"type": "cluster"}, "pm": {"type": "project"}, "ph": {"type": "project"}}
    inits |= {f"q{n}": {"type": "project"} for n in range(6)}
    ms = [("b", "pm", "partner"), ("b", "ph", "partner")]
    ms += [(f"m{n}", "pm", "partner") for n in range(3)]
    ms += [(f"h{n}", "ph", "partner") for n in range(3)]
    leaves = [f"m{n}" for n in range(3)] + [f"h{n}" for n in range(3)]
    ms += [("fund", f"q{n}", "funder") for n in range(6)]
    ms += [(leaf, f"q{n}", "partner") for n, leaf in enumerate(leaves)]
    ms += [("cl", f"q{n}", "partner") for n in range(6)]
    df = actor_scores(make_graph(actors, inits, ms))
    roles = dict(zip(df["actor"], df["role"], strict=True))
    assert roles["actor/fund"] == "funder" and roles["initiative/cl"] == "initiative"
    assert roles["actor/b"] == "actor"
    # the actors come first, the hubs after them with ranks of their own
    first_hub = int(df["role"].ne("actor").to_numpy().argmax())
    assert df["role"].iloc[:first_hub].eq("actor").all()
    assert df["role"].iloc[first_hub:].ne("actor").all()
    assert df.iloc[0]["actor"] == "actor/b" and df.iloc[0]["rank"] == 1
    assert df.iloc[first_hub]["rank"] == 1
    assert "a funder: ranked apart" in df.set_index("actor").loc["actor/fund", "explanation"]


def test_equal_scores_share_a_rank_and_say_so(make_graph):
    # two identical stars: both centres score the same
    actors = {c: {"label": c.upper()} for c in ("c", "d")}
    actors |= {f"{c}{n}": {"sector": [s]} for c in "cd" for n, s in enumerate(("marine", "health"))}
    inits = {f"{c}i{n}": {} for c in "cd" for n in range(2)}
    ms = [(c, f"{c}i{n}", "member") for c in "cd" for n in range(2)]
    ms += [(f"{c}{n}", f"{c}i{n}", "member") for c in "cd" for n in range(2)]
    df = actor_scores(make_graph(actors, inits, ms)).set_index("actor")
    assert df.loc["actor/c", "score"] == df.loc["actor/d", "score"] > 0
    assert df.loc["actor/c", "rank"] == df.loc["actor/d", "rank"] == 1
    assert "tied for rank 1 with 1 other (equal score)" in df.loc["actor/d", "explanation"]
    assert df["rank"].max() == 3  # the others tie at 3, after the two at 1


def test_cluster_members_without_joint_work_can_be_paired(make_graph):
    # m and h are both members of the cluster but work with x in two separate projects
    actors = {
        "m": {"label": "M", "sector": ["marine"], "region": ["tromso"]},
        "h": {"label": "H", "sector": ["health"], "region": ["tromso"]},
        "x": {"label": "X", "sector": ["knowledge"], "region": ["bergen"]},
    }
    inits = {"cl": {"label": "CL", "type": "cluster"}}
    inits |= {"p": {"label": "P", "type": "project"}, "q": {"label": "Q", "type": "project"}}
    ms = [("m", "cl", "member"), ("h", "cl", "member")]
    ms += [("m", "p", "partner"), ("x", "p", "partner")]
    ms += [("h", "q", "partner"), ("x", "q", "partner")]
    g = make_graph(actors, inits, ms, schemes=True)
    row = pair_suggestions(g).set_index(["actor_a", "actor_b"]).loc[("actor/h", "actor/m")]
    assert row["explanation"].startswith(
        "H (health) and M (marine) are both members of CL but have no shared project, event or "
        "other initiative in these sources; both work with X (through P and Q)"
    )
    # the regional lens: pairs inside the region, their common co-members anywhere
    local = pair_suggestions(g, region="nord-norge")
    assert list(zip(local["actor_a"], local["actor_b"], strict=True)) == [("actor/h", "actor/m")]
    assert "both work with X (outside nord-norge)" in local.loc[0, "explanation"]
    assert pair_suggestions(g, region="oslo-region").empty
    with pytest.raises(UsageError, match="unknown region"):
        pair_suggestions(g, region="mars")
