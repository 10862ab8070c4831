"""The build's fast path (bioeco.quads) gives the quads and the bytes of the rdflib path."""

from __future__ import annotations

import csv
import itertools

import pyoxigraph as ox
import pytest

from bioeco.build import build_dataset, build_graphs
from bioeco.export import serialize_built, serialize_trig, serialize_turtle
from bioeco.load import load_records
from bioeco.quads import build_quads


def _rdflib_outputs(records) -> tuple[bytes, bytes]:
    """What the build wrote before the fast path: rdflib graphs, canonicalised, sorted."""
    graphs = build_graphs(records)
    trig = serialize_trig(graphs)
    ttl = serialize_turtle(itertools.chain.from_iterable(graphs.values()))
    return trig.encode(), ttl.encode()


def _quads(dataset) -> set[tuple[str, ...]]:
    store = dataset.store._inner
    return {tuple(map(str, q)) for q in store.quads_for_pattern(None, None, None)}


@pytest.fixture(scope="module")
def data_records():
    return load_records()  # the real data/ folder


def test_data_outputs_are_byte_identical_to_the_rdflib_path(data_records):
    assert serialize_built(build_quads(data_records)) == _rdflib_outputs(data_records)


def test_tiny_outputs_are_byte_identical_to_the_rdflib_path(tiny_records):
    assert serialize_built(build_quads(tiny_records)) == _rdflib_outputs(tiny_records)


def _set_notes(data_dir, notes: list[str]) -> None:
    """Give the actors of the tiny fixture these notes (one per row, in order)."""
    path = data_dir / "src-a" / "actors.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    for row, note in zip(rows, notes, strict=False):
        row["note"] = note
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def test_awkward_literals_are_byte_identical(tiny_dir):
    """Multi-line notes (rdflib keys them in triple quotes), quotes, backslashes, tabs,
    non-Latin scripts: same order and same bytes as the rdflib path."""
    _set_notes(
        tiny_dir,
        ['line one\nline "two" \\ end', 'tab\there "q"', 'Ærøy – 北極 \\\\ "x"', 'ends "\n"'],
    )
    records = load_records(tiny_dir)
    assert sum("\n" in a.note for a in records.actors) == 2
    built = build_quads(records)
    assert built.nt  # the multi-line notes' keys differ from their N-Triples form
    assert serialize_built(built) == _rdflib_outputs(records)


def test_many_multi_line_literals_take_the_key_by_key_path(tiny_dir, monkeypatch):
    import bioeco.quads

    monkeypatch.setattr(bioeco.quads, "_MAX_REPLACED", 0)
    _set_notes(tiny_dir, ['a\nb "c"'] * 20)
    records = load_records(tiny_dir)
    assert serialize_built(build_quads(records)) == _rdflib_outputs(records)


def test_build_dataset_holds_the_quads_of_build_graphs(tiny_records):
    from bioeco.store import to_oxigraph

    expected = {
        (*(str(to_oxigraph(term)) for term in triple), str(ox.NamedNode(str(name))))
        for name, g in build_graphs(tiny_records).items()
        for triple in g
    }
    found = _quads(build_dataset(records=tiny_records))

    def named(quads: set) -> set:  # blank nodes carry canonical labels in the store
        return {q for q in quads if not any(t.startswith("_:") for t in q)}

    assert named(found) == named(expected)
    assert len(found) == len(expected)


def test_rows_sort_as_rdflib_tuples(tiny_records):
    """Type statements first within a subject, then by predicate and object; the graph last."""
    built = build_quads(tiny_records)
    assert built.rows == sorted(set(built.rows))
    first = built.rows[0].split(" ")
    assert first[1] == "\1"  # rdf:type sorts first


def test_an_ontology_literal_with_the_type_placeholder_is_refused(tiny_records, monkeypatch):
    from rdflib import Graph, Literal, URIRef

    import bioeco.quads
    from bioeco.errors import DataError

    odd = Graph()
    odd.add((URIRef("https://example.org/x"), URIRef("https://example.org/p"), Literal("a \1 b")))
    monkeypatch.setattr(bioeco.quads, "load_ontology", lambda _dir=None: odd)
    with pytest.raises(DataError, match="U\\+0001"):
        build_quads(tiny_records)
