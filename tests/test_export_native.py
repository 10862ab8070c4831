"""write_outputs' direct path from Oxigraph quads gives the bytes of the rdflib path."""

from __future__ import annotations

import itertools

import pyoxigraph as ox
import pytest
from rdflib import URIRef

from bioeco.build import build_dataset
from bioeco.export import _write_native, serialize_trig, serialize_turtle, write_outputs
from bioeco.store import new_dataset


def _rdflib_path(dataset) -> tuple[str, str]:
    """What write_outputs wrote before the direct path: rdflib triples, canonicalised."""
    per_graph = {
        URIRef(str(c.identifier)): list(c)
        for c in dataset.graphs()
        if isinstance(c.identifier, URIRef) and len(c)
    }
    trig = serialize_trig(per_graph)
    ttl = serialize_turtle(itertools.chain.from_iterable(per_graph.values()))
    return trig, ttl


@pytest.fixture(scope="module")
def data_dataset():
    return build_dataset()  # the real data/ folder


def test_data_outputs_are_byte_identical_to_the_rdflib_path(data_dataset, tmp_path):
    native = _write_native(data_dataset)
    assert native is not None  # data/ has no blank nodes: the direct path is taken
    assert native == _rdflib_path(data_dataset)
    files = write_outputs(data_dataset, tmp_path)
    assert files["trig"].read_text(encoding="utf-8") == native[0]
    assert files["ttl"].read_text(encoding="utf-8") == native[1]


def test_tiny_outputs_are_byte_identical_to_the_rdflib_path(tiny_dataset):
    assert _write_native(tiny_dataset) == _rdflib_path(tiny_dataset)


def _store_with(quads):
    dataset = new_dataset()
    for q in quads:
        dataset.store._inner.add(q)
    return dataset


EX = "http://example.org/"
G1, G2 = ox.NamedNode(EX + "g1"), ox.NamedNode(EX + "g2")
S, P = ox.NamedNode(EX + "s"), ox.NamedNode(EX + "p")
XSD = "http://www.w3.org/2001/XMLSchema#"


def test_literals_are_normalised_and_quoted_as_rdflib_does():
    odd = [
        ox.Literal("01", datatype=ox.NamedNode(XSD + "integer")),  # rdflib writes "1"
        ox.Literal("1", datatype=ox.NamedNode(XSD + "integer")),  # the same term then
        ox.Literal("1.50", datatype=ox.NamedNode(XSD + "decimal")),
        ox.Literal('two\nlines with "quotes" and \\ backslash'),
        ox.Literal('ends with a quote"'),
        ox.Literal("Bioøkonomi", language="nb"),
        ox.Literal("x", datatype=ox.NamedNode(XSD + "string")),
        ox.Literal("2021", datatype=ox.NamedNode(XSD + "gYear")),
    ]
    quads = [ox.Quad(S, P, o, G1) for o in odd]
    quads += [ox.Quad(S, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), P, G2)]
    quads += [ox.Quad(ox.NamedNode(EX + "a"), P, S, G2)]
    dataset = _store_with(quads)
    native = _write_native(dataset)
    assert native is not None
    assert native == _rdflib_path(dataset)
    assert "01" not in native[0].split("\n\n", 1)[1]  # rdflib's canonical integer


def test_blank_nodes_get_the_canonical_labels(tmp_path):
    quads = [ox.Quad(S, P, ox.BlankNode("b1"), G1), ox.Quad(ox.BlankNode("b1"), P, S, G1)]
    dataset = _store_with(quads)
    quads += [ox.Quad(S, P, ox.Literal("plain"), G1), ox.Quad(S, P, ox.BlankNode("b2"), G2)]
    dataset = _store_with(quads)
    assert _write_native(dataset) == _rdflib_path(dataset)
    files = write_outputs(dataset, tmp_path)
    assert files["trig"].read_text(encoding="utf-8") == _rdflib_path(dataset)[0]
    assert files["ttl"].read_text(encoding="utf-8") == _rdflib_path(dataset)[1]
