"""`viz.graphml.graphml_bytes` writes the text networkx's GraphML writer gives, line by line
instead of through an element tree: checked against networkx on awkward and generated graphs
and on the exported graph of the example."""

from __future__ import annotations

import networkx as nx
from hypothesis import given, settings
from hypothesis import strategies as st

from bioeco.analyses._fixture import example_graph
from bioeco.viz import graphml as gm


def _networkx(g: nx.Graph) -> bytes:
    lines = ["<?xml version='1.0' encoding='utf-8'?>", *nx.generate_graphml(g, prettyprint=True)]
    return ("\n".join(lines) + "\n").encode("utf-8")


def test_awkward_graph_gives_networkx_bytes():
    g = nx.Graph(name='a "graph" & <more>')
    g.add_node('n"1&<x>\t\r\n', label="two\nlines\r\nand\x85more", n=1, f=0.5, b=True)
    g.add_node("bare")
    g.add_node("empty", label="", x=-0.0)
    g.add_edge('n"1&<x>\t\r\n', "empty", relation="overlap", weight=2)
    g.add_edge("bare", "empty")
    g.add_edge("bare", "n3", weight=2.5, relation="shared")  # weight: int and float keys
    assert gm.graphml_bytes(g) == _networkx(g)
    assert gm.graphml_bytes(nx.Graph()) == _networkx(nx.Graph())
    named = nx.Graph(name="only a name")
    assert gm.graphml_bytes(named) == _networkx(named)


def test_the_exported_example_gives_networkx_bytes():
    for view in gm.VIEWS:
        g = gm.export_graph(example_graph(), view)
        assert gm.graphml_bytes(g) == _networkx(g)


values = st.one_of(st.text(max_size=8), st.integers(), st.floats(allow_nan=False), st.booleans())


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.tuples(st.text(max_size=4), st.dictionaries(st.sampled_from("abc"), values))),
    st.lists(
        st.tuples(
            st.text(max_size=4), st.text(max_size=4), st.dictionaries(st.sampled_from("ab"), values)
        )
    ),
)
def test_generated_graphs_give_networkx_bytes(nodes, edges):
    g = nx.Graph()
    for node, attrs in nodes:
        g.add_node(node, **attrs)
    for u, v, attrs in edges:
        g.add_edge(u, v, **attrs)
    assert gm.graphml_bytes(g) == _networkx(g)
