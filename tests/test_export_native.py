"""write_outputs' direct path from Oxigraph quads gives the bytes of the rdflib path."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from bioeco.ingest.build import build_dataset
from bioeco.ingest.export import _write_native, write_outputs
from bioeco.store.dataset import new_dataset

from .conftest import rdflib_outputs


@pytest.fixture(scope="module")
def data_dataset():
    return build_dataset()  # the real data/ folder


def test_data_outputs_are_byte_identical_to_therdflib_outputs(data_dataset, tmp_path):
    native = _write_native(data_dataset)
    assert native is not None  # data/ has no blank nodes: the direct path is taken
    assert native == rdflib_outputs(data_dataset)
    files = write_outputs(data_dataset, tmp_path)
    assert files["trig"].read_bytes() == native[0]
    assert files["ttl"].read_bytes() == native[1]


def test_tiny_outputs_are_byte_identical_to_therdflib_outputs(tiny_dataset):
    assert _write_native(tiny_dataset) == rdflib_outputs(tiny_dataset)


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
        ox.Literal("2021-01-01Z", datatype=ox.NamedNode(XSD + "date")),  # rdflib: one date
        ox.Literal("2021-01-01", datatype=ox.NamedNode(XSD + "date")),
        ox.Literal("1", datatype=ox.NamedNode(XSD + "boolean")),
    ]
    quads = [ox.Quad(S, P, o, G1) for o in odd]
    quads += [ox.Quad(S, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), P, G2)]
    quads += [ox.Quad(ox.NamedNode(EX + "a"), P, S, G2)]
    dataset = _store_with(quads)
    native = _write_native(dataset)
    assert native is not None
    assert native == rdflib_outputs(dataset)
    assert b'"01"' not in native[0]  # rdflib's canonical integer
    assert native[0].count(b"2021-01-01") == 1  # two dates rdflib reads as one


def test_blank_nodes_get_the_canonical_labels(tmp_path):
    quads = [ox.Quad(S, P, ox.BlankNode("b1"), G1), ox.Quad(ox.BlankNode("b1"), P, S, G1)]
    dataset = _store_with(quads)
    quads += [ox.Quad(S, P, ox.Literal("plain"), G1), ox.Quad(S, P, ox.BlankNode("b2"), G2)]
    dataset = _store_with(quads)
    assert _write_native(dataset) == rdflib_outputs(dataset)
    files = write_outputs(dataset, tmp_path)
    assert files["trig"].read_bytes() == rdflib_outputs(dataset)[0]
    assert files["ttl"].read_bytes() == rdflib_outputs(dataset)[1]


AWKWARD = [
    "tab\there",
    "bell \x07 and \x01 and del \x7f",
    "line\u2028separator and \x85 next line",
    'a "quoted" \\ word',
    "two\nlines",
    "carriage\rreturn",
    "see _:b1 in a literal",
    'ends with a quote"',
    "Ærøy – 北極",
]


def test_awkward_literals_in_many_graphs_are_byte_identical(tmp_path):
    """Control characters, line separators, escapes and a blank-node label inside a literal
    (the union drops blank-node rows by their subject and object only), spread over graphs
    that also hold blank nodes."""
    quads = [ox.Quad(S, P, ox.Literal(text), G1) for text in AWKWARD]
    quads += [ox.Quad(S, P, ox.Literal(text, language="en"), G2) for text in AWKWARD]
    quads += [ox.Quad(S, P, ox.BlankNode("b1"), G2), ox.Quad(ox.BlankNode("b1"), P, S, G1)]
    quads += [ox.Quad(S, P, ox.Literal("2021", datatype=ox.NamedNode(XSD + "gYear")), G2)]
    dataset = _store_with(quads)
    native = _write_native(dataset)
    assert native == rdflib_outputs(dataset)
    assert b"see _:b1 in a literal" in native[1]  # kept in the Turtle
    files = write_outputs(dataset, tmp_path)
    assert (files["trig"].read_bytes(), files["ttl"].read_bytes()) == native


def test_many_multi_line_literals_and_small_chunks(monkeypatch):
    """More multi-line literals than are replaced in one pass, a graph's N-Triples read a
    few lines at a time, the sorted text handed to Oxigraph a few quads at a time: the same
    bytes."""
    import bioeco.ingest.built
    import bioeco.ingest.export

    monkeypatch.setattr(bioeco.ingest.built, "_MAX_REPLACED", 2)
    monkeypatch.setattr(bioeco.ingest.export, "_LINES_AT_ONCE", 64)
    monkeypatch.setattr(bioeco.ingest.built, "_CHUNK", 3)  # N-Quads streamed to Oxigraph in pieces
    quads = [ox.Quad(ox.NamedNode(f"{EX}s{i}"), P, ox.Literal(f"a\nb {i}"), G1) for i in range(40)]
    quads += [ox.Quad(ox.NamedNode(f"{EX}t{i}"), P, ox.Literal(f"t {i}"), G2) for i in range(40)]
    dataset = _store_with(quads)
    assert _write_native(dataset) == rdflib_outputs(dataset)


def test_default_graph_triples_take_therdflib_outputs(tmp_path):
    dataset = _store_with([ox.Quad(S, P, ox.Literal("x"), G1), ox.Quad(S, P, S)])
    assert _write_native(dataset) is None
    files = write_outputs(dataset, tmp_path)
    assert files["trig"].read_bytes() == rdflib_outputs(dataset)[0]


def test_an_empty_dataset_is_written_as_the_rdflib_path_writes_it(tmp_path):
    dataset = new_dataset()
    assert _write_native(dataset) == rdflib_outputs(dataset)


def test_triple_terms_are_refused():
    quoted = ox.Triple(S, P, ox.Literal("x"))
    dataset = _store_with([ox.Quad(S, P, quoted, G1)])
    with pytest.raises(TypeError, match="quoted triples"):
        _write_native(dataset)
