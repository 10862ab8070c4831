"""Gephi and Cytoscape keep the findings: GraphML/GEXF of data/ read back with networkx carry
the analyses' results, the viewer's colour and position, and the overlap and pair edges."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET

import networkx as nx
import pytest

from bioeco.analyses.project import entity_id
from bioeco.analyses.run import run_analyses
from bioeco.core.paths import DATA_DIR
from bioeco.ingest.build import build_dataset
from bioeco.viz import exports as ex
from bioeco.viz.viewer import node_placement, viewer_data

NODE_FINDINGS = {
    "bridge_rank",
    "bridge_score",
    "betweenness",
    "participation",
    "bridge_finding",
    "community",
    "top_sector",
    "top_sector_label",
    "color",
    "x",
    "y",
    "size",
}


@pytest.fixture(scope="module")
def real():
    return build_dataset(DATA_DIR)


@pytest.fixture(scope="module")
def exported(real):
    return ex.export_graph(real, "bipartite")


@pytest.fixture(scope="module")
def tables(real):
    return run_analyses(real, ["overlap", "bridges"])


def test_graphml_of_data_keeps_bridge_scores_communities_colours_and_positions(exported, tables):
    back = nx.read_graphml(io.BytesIO(ex.graphml_bytes(exported)))
    top = tables["bridges_actors"].iloc[0]
    node = back.nodes[top["actor"]]
    assert set(node) >= NODE_FINDINGS
    assert node["bridge_rank"] == 1 and node["bridge_score"] == round(float(top["score"]), 6)
    assert node["bridge_finding"] == top["explanation"]
    broker = tables["bridges_brokerage"].iloc[0]
    assert back.nodes[broker["actor"]]["broker_role"] == broker["dominant_role"]
    assert node["color"].startswith("#") and len(node["color"]) == 7
    assert isinstance(node["x"], float) and isinstance(node["y"], float)
    # every node has a position and a single top sector; actors have a community
    for key, data in back.nodes(data=True):
        assert {"x", "y", "color", "top_sector"} <= set(data), key
        assert "|" not in data["top_sector"]
    assert all("community" in d for k, d in back.nodes(data=True) if k.startswith("actor/"))
    kinds = {d["relation"] for _, _, d in back.edges(data=True)}
    assert kinds == {"membership", "overlap", "suggested pair"}
    first = tables["bridges_pairs"].iloc[0]
    edge = back.edges[first["actor_a"], first["actor_b"]]
    assert edge["relation"] == "suggested pair" and edge["rank"] == 1
    assert edge["finding"] == first["explanation"]
    overlaps = tables["overlap_pairs"]
    marked = [d for _, _, d in back.edges(data=True) if d["relation"] == "overlap"]
    on_links = [d for _, _, d in back.edges(data=True) if "overlap_rank" in d]
    assert len(marked) + len(on_links) == len(overlaps)


def test_gexf_of_data_carries_the_viewers_colours_and_layout(real, exported):
    raw = ex.gexf_bytes(exported)
    back = nx.read_gexf(io.BytesIO(raw))
    shown = {n["id"]: n for n in viewer_data(real, view="bipartite")["nodes"]}
    assert set(back.nodes) == set(shown)
    for key, data in back.nodes(data=True):
        viz, seen = data["viz"], shown[key]
        colour = seen["color"]["background"]
        assert (viz["color"]["r"], viz["color"]["g"], viz["color"]["b"]) == tuple(
            int(colour[i : i + 2], 16) for i in (1, 3, 5)
        )
        assert viz["position"]["x"] == seen["x"] and viz["position"]["y"] == -seen["y"]
        assert viz["size"] == pytest.approx(seen["size"])
        assert data["label"] == seen["label"]
    # node_placement, which the export uses, is the viewer's own picture of every node
    placed = node_placement(real, view="bipartite")
    for iri, where in placed.items():
        seen = shown[entity_id(iri)]
        assert (where["x"], where["y"], where["size"]) == (seen["x"], seen["y"], seen["size"])
        assert (where["color"], where["sector_key"]) == (
            seen["color"]["background"],
            seen["sectorKey"],
        )
    # the viz elements are GEXF's own (Gephi reads these, not plain attributes)
    root = ET.fromstring(raw)
    tags = {el.tag.rsplit("}", 1)[-1] for el in root.iter() if "viz" in el.tag}
    assert tags == {"color", "position", "size"}


def test_top_keeps_the_best_overlap_and_pair_edges(real):
    g = ex.export_graph(real, "actors", top=3)
    # a suggested pair already linked by a shared cluster or network carries its rank on that edge
    ranks = sorted(
        d["rank"] if d["relation"] != "shared initiatives" else d["suggested pair_rank"]
        for _, _, d in g.edges(data=True)
        if d["relation"] != "shared initiatives" or "suggested pair_rank" in d
    )
    assert ranks == [1, 2, 3]
    assert {d["relation"] for _, _, d in g.edges(data=True)} == {
        "shared initiatives",
        "suggested pair",
    }


def test_without_findings_the_graph_is_the_network_only(real):
    g = ex.export_graph(real, "actors", findings=False)
    assert not any("bridge_rank" in d or "x" in d for _, d in g.nodes(data=True))
    assert {d["relation"] for _, _, d in g.edges(data=True)} == {"shared initiatives"}
