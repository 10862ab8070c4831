"""The incremental what-if gives, after every action, exactly what the analyses give on the whole
changed network: reach, coverage cells, sector pairs, overlap pairs, bridge scores and ranks
(exact and sampled betweenness), on a small network and at scale 8 of the benchmark."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import sparse

from bench.generate import generate
from bench.whatif_plan import scenario
from bioeco import build_dataset
from bioeco.analyses._fixture import build_graph
from bioeco.analyses.incremental import Figures, Tracker, bridges_of, read_state, state_bytes
from bioeco.analyses.overlap import overlap_pairs
from bioeco.analyses.project import load_network, shared_columns
from bioeco.analyses.scores import actor_scores
from bioeco.analyses.whatif import _Snapshot, _update, apply_action, whatif
from bioeco.analyses.whatif_apply import _NODE_COLUMNS, ScenarioState
from bioeco.core.vocab import BID
from bioeco.ingest.load import ScenarioAction, read_scenario


def _same(got: Figures, want: Figures, net, options: dict) -> None:
    assert got.reach == want.reach
    assert got.cells == want.cells
    assert got.pairs == want.pairs
    assert got.overlaps == want.overlaps
    bridges = bridges_of(actor_scores(net, **options)) if options else want.bridges
    assert set(got.bridges) == set(bridges)
    for member, (rank, score) in bridges.items():
        assert got.bridges[member][0] == rank, member
        assert got.bridges[member][1] == pytest.approx(score, abs=1e-9, rel=1e-9), member


def _follow(net, actions, saved: bool = False, **options) -> int:
    """Apply *actions* one by one; after each, the tracker's figures equal the full ones.
    With *saved*, the tracker starts from the start saved as ``bioeco analyze`` saves it.
    Returns how many steps were checked."""
    state = ScenarioState.of(net)
    if saved:
        raw = state_bytes(Tracker(net, **options), graph="key")
        assert state_bytes(Tracker(net, **options), graph="key") == raw  # deterministic
        tracker = Tracker(net, state=read_state(raw), **options)
        assert state_bytes(tracker, graph="key") == raw  # taken as it was saved
    else:
        tracker = Tracker(net, **options)
    _same(tracker.figures(), _Snapshot.of(net), net, options)
    for action in actions:
        links, nodes = set(state.links), dict(state.nodes)
        _, touched = apply_action(state, action)
        _update(tracker, state, links, nodes, touched)
        after = state.network()
        _same(tracker.figures(), _Snapshot.of(after), after, options)
    return len(actions)


@pytest.fixture(scope="module")
def small():
    return load_network(
        build_graph(
            {
                "a": {"sector": ["marine"], "stage": ["research"]},
                "b": {"sector": ["marine"]},
                "c": {"sector": ["health"], "stage": ["research"]},
                "d": {"sector": ["health"]},
                "e": {"sector": ["agri-food"], "type": "funding-agency"},
                "f": {"sector": ["agri-food", "marine"]},
                "g": {},
                "h": {"sector": ["forestry"]},
                "solo": {"sector": ["forestry"]},
            },
            {
                "i1": {"type": "project", "sector": ["marine"], "stage": ["research"]},
                "i2": {"type": "project", "sector": ["marine"], "stage": ["research"]},
                "i3": {"type": "network"},
                "i4": {"type": "project", "sector": ["health"]},
            },
            [
                ("a", "i1", "member"),
                ("b", "i1", "member"),
                ("b", "i2", "member"),
                ("c", "i2", "member"),
                ("a", "i2", "coordinator"),
                ("c", "i3", "member"),
                ("d", "i3", "member"),
                ("e", "i3", "member"),
                ("f", "i4", "member"),
                ("g", "i4", "member"),
                ("h", "i4", "member"),
                ("d", "i4", "member"),
                ("e", "i1", "member"),
            ],
        )
    )


PLAN = [
    ScenarioAction("invite", actor="h", initiative="i1"),  # new ties, reach through h
    ScenarioAction("introduce", actor="a", other="b"),  # already tied: nothing but a node
    ScenarioAction("introduce", actor="a", other="d"),  # a new tie
    ScenarioAction("end", actor="b", initiative="i1"),  # b and a stay tied through i2
    ScenarioAction("end", actor="c", initiative="i3"),  # a tie goes
    ScenarioAction(
        "start",
        initiative="n1",
        label="New",
        type="project",
        members=("f", "c", "g"),
        sectors=("marine",),
        stages=("research",),
    ),
    ScenarioAction("merge", initiative="i4", into="i2"),
    ScenarioAction("invite", actor="solo", initiative="i3"),  # a first membership: restart
    ScenarioAction("end", actor="solo", initiative="i3"),  # and the last one
]


def test_each_action_gives_the_full_figures(small):
    assert _follow(small, PLAN) == len(PLAN)


def test_path_counts_taken_up_after_an_action_are_those_of_a_whole_pass(small):
    # going out, only the members near a changed tie are counted again: the same counts,
    # distances and dependencies, bit for bit, as every source run on the changed network
    state = ScenarioState.of(small)
    tracker = Tracker(small, exact_max_nodes=0, k=5, seed=3)
    for action in PLAN:
        links, nodes = set(state.links), dict(state.nodes)
        _, touched = apply_action(state, action)
        _update(tracker, state, links, nodes, touched)
        whole = Tracker(state.network(), exact_max_nodes=0, k=5, seed=3)
        assert tracker.members == whole.members
        assert np.array_equal(tracker.sources, whole.sources)
        assert np.array_equal(tracker.levels, whole.levels)
        assert np.array_equal(tracker.sigma, whole.sigma)
        assert np.array_equal(tracker.delta, whole.delta)


def test_sampled_betweenness_follows_the_sample(small):
    # above exact_max_nodes the analysis samples k sources with the seed: so does the tracker
    assert _follow(small, PLAN[:7], exact_max_nodes=3, k=4, seed=7) == 7


def test_a_saved_start_gives_the_full_figures(small):
    assert _follow(small, PLAN, saved=True) == len(PLAN)
    assert _follow(small, PLAN[:7], saved=True, exact_max_nodes=3, k=4, seed=7) == 7


def test_a_saved_start_of_other_options_or_members_is_not_taken(small):
    other = read_state(state_bytes(Tracker(small, exact_max_nodes=3, k=4, seed=7)))
    tracker = Tracker(small, state=other)
    assert state_bytes(tracker) == state_bytes(Tracker(small))
    moved = read_state(state_bytes(Tracker(small)))
    moved["members"] = "0" * 64  # members of another network, or in another order
    taken = []
    tracker = Tracker(small, state=moved)
    tracker._fits = lambda saved: taken.append(saved) or True  # not asked again later
    assert state_bytes(tracker) == state_bytes(Tracker(small)) and not taken


def test_a_saved_start_that_is_cut_short_is_refused(small):
    raw = state_bytes(Tracker(small))
    for bad in (raw[:-1], raw + b"x", b"{}\n", b"no header"):
        with pytest.raises(ValueError):
            read_state(bad)


def test_whatif_reports_bridge_scores_of_the_touched_actors(small):
    out = whatif(small, [ScenarioAction("introduce", actor="a", other="h")])
    changes = out["whatif_changes"]
    assert (changes["measure"] == "bridge score").any()


def test_scale_8_plan_equals_the_full_recompute(tmp_path: Path):
    data = tmp_path / "data"
    generate(data, 8, 0)
    plan = scenario(data, tmp_path / "plan.csv")
    net = load_network(build_dataset(data))
    actions = read_scenario(plan)
    assert [a.action for a in actions] == ["invite"] * 3 + ["introduce"] * 3 + [
        "start", "start", "merge", "end",
    ]  # fmt: skip
    # every kind of action on each path, half the plan each (a full recompute after every
    # action at scale 8 is what makes this test slow)
    assert _follow(net, [actions[i] for i in (0, 3, 6, 8, 9)]) == 5
    assert _follow(net, [actions[i] for i in (1, 4, 7, 8, 9)], saved=True) == 5


def test_as_of_plan_on_data_equals_the_full_recompute():
    # with as_of only memberships valid that year count, and the coverage counts the active
    root = Path(__file__).resolve().parents[2]
    net = load_network(build_dataset(root / "data"), as_of=2021)
    plan = read_scenario(root / "docs" / "examples" / "whatif-land-moter-hav.csv")
    assert _follow(net, plan) == len(plan)


def test_shared_columns_with_rows_are_those_of_the_whole_answer():
    rng = np.random.default_rng(3)
    matrix = sparse.csr_matrix(rng.random((12, 30)) < 0.3)
    full = shared_columns(matrix)
    pairs = {
        (i, j): tuple(full[4][full[3][p] : full[3][p + 1]])
        for p, (i, j) in enumerate(zip(full[0], full[1], strict=True))
    }
    for asked in ([3], [0, 5], [2, 7, 11], list(range(12))):
        with_rows = np.isin(np.arange(12), asked)
        got = shared_columns(matrix, with_rows)
        assert list(zip(got[0], got[1], strict=True)) == [
            p for p in pairs if p[0] in asked or p[1] in asked
        ]  # in (i, j) order
        for p, (i, j) in enumerate(zip(got[0], got[1], strict=True)):
            assert got[2][p] == len(pairs[(i, j)])
            assert tuple(got[4][got[3][p] : got[3][p + 1]]) == pairs[(i, j)]


def test_overlap_pairs_with_some_initiatives_are_rows_of_the_whole_table(small):
    full = overlap_pairs(small, kind="all", min_shared=1).drop(columns="rank")
    for asked in (["i1"], ["i2", "i4"], ["i3"]):
        iris = {f"{BID}initiative/{i}" for i in asked}
        got = overlap_pairs(small, kind="all", min_shared=1, pairs_with=iris).drop(columns="rank")
        ids = {f"initiative/{i}" for i in asked}
        want = full[full["initiative_a"].isin(ids) | full["initiative_b"].isin(ids)]
        pd.testing.assert_frame_equal(got.reset_index(drop=True), want.reset_index(drop=True))


def test_the_changed_network_has_the_frames_of_its_rows(small):
    # the network after actions is built column by column: the frames of its rows, typed alike
    state = ScenarioState.of(small)
    for action in PLAN:
        apply_action(state, action)
        for kw in ({}, {"edges": False}, {"initiatives": {f"{BID}initiative/i2"}}):
            net = state.network(**kw)
            links = [] if kw.get("edges") is False else sorted(state.links.items())
            if "initiatives" in kw:
                links = [(p, r) for p, r in links if p[1] in kw["initiatives"]]
                keep = kw["initiatives"] | {m for (m, _i), _r in links}
            else:
                keep = set(state.nodes)
            nodes = pd.DataFrame(
                [{"iri": iri, **row} for iri, row in sorted(state.nodes.items()) if iri in keep],
                columns=["iri", *_NODE_COLUMNS],
            ).set_index("iri")
            edges = pd.DataFrame(
                [
                    {
                        "member": m,
                        "initiative": i,
                        "roles": tuple(sorted(r)),
                        "rule": state.rules[(m, i)],
                    }
                    for (m, i), r in links
                ],
                columns=["member", "initiative", "roles", "rule"],
            )
            pd.testing.assert_frame_equal(net.nodes, nodes)
            pd.testing.assert_frame_equal(net.edges, edges)
            if "initiatives" in kw:  # their members given: the same links, not looked up
                held = {i: {m for (m, j) in state.links if j == i} for i in kw["initiatives"]}
                given = state.network(initiatives=kw["initiatives"], members=held)
                pd.testing.assert_frame_equal(given.nodes, nodes)
                pd.testing.assert_frame_equal(given.edges, edges)


def test_spread_on_some_rows_is_the_whole_spread_there(small):
    # the breadth-first passes compute only the rows they use: the same floats, bit for bit
    tracker = Tracker(small)
    x = np.random.default_rng(5).random((tracker.n, 7))
    sparse_x = x.copy()
    sparse_x[2:] = 0.0  # zero at most members: those are left out of the products
    for vectors in (x, sparse_x):
        whole = tracker._spread(vectors)
        full = tracker.b @ (tracker.bt @ vectors) - tracker.d * vectors - tracker.c @ vectors
        assert np.array_equal(whole, full)
        for rows in (np.array([0, 3, 4]), np.array([], dtype=np.int64), np.arange(tracker.n)):
            part = tracker._spread(vectors, rows)
            assert np.array_equal(part[rows], whole[rows])
            assert not np.delete(part, rows, axis=0).any()
    raw = state_bytes(tracker)
    tracker._run_sources(np.arange(len(tracker.sources)))  # the same dependencies again
    assert state_bytes(tracker) == raw


def test_coverage_counts_kept_node_by_node_give_the_full_cells():
    """The coverage cells after actions that add and take away classified nodes (new
    initiatives, a merge, a new one merged again) are kept by changing the start's counts
    node by node; a node with a code the concepts do not declare (a new row of the table)
    makes the tracker count the whole network from then on: both equal the full figures."""
    net = load_network(
        build_graph(
            {
                "a": {"sector": ["marine"], "stage": ["research"]},
                "b": {"sector": ["health"], "stage": ["capital"], "type": "investor"},
                "c": {"sector": ["agri-food"]},
                "d": {"stage": ["sales"]},
            },
            {
                "i1": {"type": "project", "sector": ["marine"], "stage": ["research"]},
                "i2": {"type": "cluster", "sector": ["health"], "stage": ["capital"]},
            },
            [
                ("a", "i1", "member"),
                ("b", "i1", "member"),
                ("c", "i2", "member"),
                ("d", "i2", "member"),
                ("a", "i2", "member"),
            ],
            schemes=True,
        )
    )
    new = {"type": "project", "members": ("a", "d"), "stages": ("research", "capital")}
    plan = [
        ScenarioAction("start", initiative="n1", label="One", sectors=("health",), **new),
        ScenarioAction("start", initiative="n2", label="Two", sectors=("marine",), **new),
        ScenarioAction("merge", initiative="n1", into="i1"),
        ScenarioAction("merge", initiative="i2", into="n2"),
    ]
    assert _follow(net, plan) == len(plan)
    assert _follow(net, plan, saved=True) == len(plan)
    odd = ScenarioAction("start", initiative="n3", label="Odd", sectors=("no-such-sector",), **new)
    tracker_plan = [plan[0], odd, plan[2], ScenarioAction("merge", initiative="n3", into="i1")]
    assert _follow(net, tracker_plan) == len(tracker_plan)
