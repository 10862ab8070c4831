"""`viz.graphml.gexf_bytes` writes the text networkx's GEXF writer gives (with the viewer's
colours, positions and sizes as ``viz`` elements), line by line instead of through an
element tree: checked against networkx on awkward and generated graphs and on the exported
graph of the example, and read back by networkx."""

from __future__ import annotations

import io
import re
from datetime import datetime

import networkx as nx
from hypothesis import given, settings
from hypothesis import strategies as st

from bioeco.analyses._fixture import example_graph
from bioeco.viz import graphml as gm

DAY = datetime(2020, 1, 2)


def _networkx(g: nx.Graph) -> bytes:
    """The way of writing before: networkx's writer on a copy carrying the viz dicts."""
    lines = ["<?xml version='1.0' encoding='utf-8'?>"]
    lines += nx.generate_gexf(gm._gexf_viz(g), prettyprint=True)
    text = "\n".join(lines) + "\n"
    text = re.sub(r'lastmodifieddate="[^"]*"', 'lastmodifieddate="2020-01-02"', text, count=1)
    return text.encode("utf-8")


def _awkward() -> nx.Graph:
    g = nx.Graph(name='a "graph" & <more>')
    g.add_node('n"1&<x>\t\r\n', label="two\nlines\r\nand\x85more", n=1, f=0.5, b=True)
    g.add_node("bare")
    g.add_node("empty", label="", x=-0.0, y=0.0, r=1, g=2, b=3, size=4.5, key="k")
    g.add_node("odd", f=float("inf"), n=float("nan"), m=float("-inf"), x=1.5)
    g.add_edge('n"1&<x>\t\r\n', "empty", relation="overlap", weight=2, label="e<1>")
    g.add_edge("bare", "empty", type="undirected")
    g.add_edge("bare", "n3", weight=2.5, relation="shared", f=True)
    return g


def test_awkward_graph_gives_networkx_bytes():
    g = _awkward()
    assert gm._gexf_lines(g, "2020-01-02") is not None  # written here, not by networkx
    assert gm.gexf_bytes(g, date=DAY) == _networkx(g)
    assert gm.gexf_bytes(nx.Graph(), date=DAY) == _networkx(nx.Graph())
    edges_only = nx.Graph([(1, 2, {"w": 1})])
    assert gm.gexf_bytes(edges_only, date=DAY) == _networkx(edges_only)


def test_graphs_this_writer_leaves_to_networkx_give_its_bytes():
    directed = nx.DiGraph([("a", "b")])
    with_id = nx.Graph()
    with_id.add_node("a", id="x")
    timed = nx.Graph()
    timed.add_node("a", start=2001)
    for g in (directed, with_id, timed, nx.MultiGraph([("a", "b")])):
        assert gm._gexf_lines(g, "2020-01-02") is None
        assert gm.gexf_bytes(g, date=DAY) == _networkx(g)


def test_the_exported_example_gives_networkx_bytes_and_reads_back():
    for view in gm.VIEWS:
        g = gm.export_graph(example_graph(), view)
        raw = gm.gexf_bytes(g, date=DAY)
        assert raw == _networkx(g)
        back = nx.read_gexf(io.BytesIO(raw))
        assert sorted(back.nodes) == sorted(str(n) for n in g.nodes)
        assert back.number_of_edges() == g.number_of_edges()
        node = next(iter(g.nodes))
        assert back.nodes[node]["viz"]["color"]["r"] == g.nodes[node]["r"]


values = st.one_of(st.text(max_size=8), st.integers(), st.floats(allow_nan=True), st.booleans())


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.text(max_size=4), st.dictionaries(st.sampled_from(["a", "label", "x"]), values)
        )
    ),
    st.lists(
        st.tuples(
            st.text(max_size=4),
            st.text(max_size=4),
            st.dictionaries(st.sampled_from(["a", "weight", "label", "key"]), values),
        )
    ),
)
def test_generated_graphs_give_networkx_bytes(nodes, edges):
    g = nx.Graph()
    for node, attrs in nodes:
        g.add_node(node, **attrs)
    for u, v, attrs in edges:
        g.add_edge(u, v, **attrs)
    assert gm.gexf_bytes(g, date=DAY) == _networkx(g)
