"""The planted-truth harness: what it plants is really there, its scoring counts right, and the
analyses recover planted duplicates and brokers on small ecosystems."""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

import networkx as nx
import pandas as pd
import pytest

from bench.evaluate import Score, degree_matched_baseline, evaluate, report, score_run
from bench.generate import SOURCE_ID
from bench.planted import MIN_CELL, Truth, plant


def _rows(folder: Path, table: str) -> list[dict[str, str]]:
    with (folder / SOURCE_ID / f"{table}.csv").open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    folder = tmp_path_factory.mktemp("planted")
    return folder, plant(folder, scale=1, seed=3)


def _members(folder: Path) -> dict[str, set[str]]:
    actors = {r["id"] for r in _rows(folder, "actors")}
    found: dict[str, set[str]] = defaultdict(set)
    for m in _rows(folder, "memberships"):
        if m["member"] in actors:
            found[m["organization"]].add(m["member"])
    return found


def test_planting_is_deterministic(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    assert plant(a, scale=1, seed=5) == plant(b, scale=1, seed=5)
    for name in ("actors", "initiatives", "memberships", "classifications"):
        assert (a / SOURCE_ID / f"{name}.csv").read_bytes() == (
            b / SOURCE_ID / f"{name}.csv"
        ).read_bytes()


def test_twins_have_the_same_members_and_another_organiser(planted):
    folder, truth = planted
    members = _members(folder)
    assert len(truth.duplicates) == 2
    roles = {(m["organization"], m["member"]): m["role"] for m in _rows(folder, "memberships")}
    for a, b in truth.duplicates:
        original, twin = sorted((a, b), key=len)
        assert twin == f"{original}-twin"
        assert members[original] == members[twin] and len(members[original]) >= 4
        assert [roles[(original, m)] for m in sorted(members[original])] != [
            roles[(twin, m)] for m in sorted(members[twin])
        ]


def test_a_broker_is_the_only_tie_of_its_periphery(planted):
    folder, truth = planted
    graph = nx.Graph()
    for m in _rows(folder, "memberships"):
        graph.add_edge(m["member"], m["organization"])
    for broker in truth.brokers:
        assert broker in nx.articulation_points(graph)
        without = graph.copy()
        without.remove_node(broker)
        periphery = [n for n in graph if n.startswith(broker.replace("broker", "periphery") + "-")]
        assert len(periphery) == 10  # eight actors and two projects
        # without the broker the periphery is cut off: its component holds nothing else
        assert all(
            set(nx.node_connected_component(without, p)) <= set(periphery) for p in periphery
        )


def test_emptied_cells_are_empty_and_hidden_pairs_share_nothing(planted):
    folder, truth = planted
    classes: dict[tuple[str, str], set[str]] = defaultdict(set)
    for c in _rows(folder, "classifications"):
        classes[(c["subject"], c["scheme"])].add(c["concept"])
    actors = [r["id"] for r in _rows(folder, "actors")]
    for sector, stage in truth.empty_cells:
        assert not [
            a for a in actors if sector in classes[(a, "sector")] and stage in classes[(a, "stage")]
        ]
    members = _members(folder)
    for a, b in truth.hidden_links:
        assert not any(a in group and b in group for group in members.values())
        assert not classes[(a, "sector")] & classes[(b, "sector")]
    assert MIN_CELL >= 5


def test_null_data_plants_nothing(tmp_path):
    truth = plant(tmp_path, scale=1, seed=0, null=True)
    assert truth == Truth(scale=1, seed=0, null=True)


def test_scoring_counts_found_missed_and_false():
    truth = Truth(
        scale=1,
        seed=0,
        null=False,
        empty_cells=[("marine", "sales"), ("health", "data")],
        duplicates=[("p", "p-twin")],
        brokers=["b1", "b2"],
        hidden_links=[("x", "y")],
    )
    tables = {
        "gaps_coverage": pd.DataFrame(
            {
                "entity": ["actors", "actors", "initiatives"],
                "sector": ["marine", "pharma", "health"],
                "stage": ["sales", "data", "data"],
                "flag": ["empty", "under", "empty"],
            }
        ),
        "overlap_pairs": pd.DataFrame(
            {
                "initiative_a": ["initiative/p", "initiative/q"],
                "initiative_b": ["initiative/p-twin", "initiative/r"],
                "consolidation": [True, False],
            }
        ),
        "bridges_actors": pd.DataFrame(
            {"rank": [2, 1, 3], "actor": ["actor/b1", "actor/hub", "actor/b2"], "kind": "actor"}
        ),
        "bridges_pairs": pd.DataFrame(
            {"rank": [1], "actor_a": ["actor/y"], "actor_b": ["actor/x"]}
        ),
    }
    scores = {n: Score() for n in ("coverage gaps", "duplicates", "brokers", "hidden links")}
    score_run(truth, tables, scores)
    assert (scores["coverage gaps"].found, scores["coverage gaps"].reported) == (1, 2)
    assert scores["coverage gaps"].recall == 0.5 and scores["coverage gaps"].false_discovery == 0.5
    assert scores["duplicates"].recall == 1.0 and scores["duplicates"].false_discovery == 0.0
    assert (scores["brokers"].found, scores["brokers"].false_discovery) == (1, 0.5)
    assert scores["hidden links"].found == 1


def test_null_runs_count_any_significant_gap():
    scores = {"null structural gaps": Score()}
    gaps = pd.DataFrame(
        {"sector_a": ["a", "b"], "sector_b": ["c", "d"], "gap": [True, True],
         "significant": [False, True]}
    )  # fmt: skip
    score_run(Truth(1, 0, True), {"gaps_structural": gaps}, scores)
    score_run(Truth(1, 1, True), {"gaps_structural": gaps.iloc[:1]}, scores)
    assert (scores["null structural gaps"].runs, scores["null structural gaps"].runs_with_any) == (
        2,
        1,
    )


def test_degree_matched_baseline_weights_pairs_by_degree():
    degree = {"a": 1, "b": 3, "c": 1}
    assert degree_matched_baseline(degree, [("a", "b"), ("a", "c")], {("a", "b")}) == 0.75


def test_the_analyses_recover_planted_duplicates_and_brokers():
    """Two seeds at scale 1: every planted twin is flagged for consolidation and nothing else
    is; the planted brokers lead the bridge table; null data shows no significant gap."""
    by_scale, baselines = evaluate(scales=(1,), seeds=2)
    scores = by_scale["all"]
    assert scores["duplicates"].recall == 1.0 and scores["duplicates"].false_discovery == 0.0
    assert scores["brokers"].recall >= 0.75
    assert scores["null structural gaps"].runs == 2
    assert scores["null structural gaps"].runs_with_any == 0
    text = report(by_scale, baselines, 2)
    assert "| duplicates | 1 | 4 | 4 | 4 | 100.0 % | 0.0 % |" in text
    assert "| duplicates | all | 4 | 4 | 4 | 100.0 % | 0.0 % |" in text
