"""The one record→triple mapping (bioeco.ingest.quads): the quads of the rdflib builder it replaced,
and the bytes of the rdflib serializers."""

from __future__ import annotations

import csv
import hashlib

import pyoxigraph as ox
import pytest
from rdflib import URIRef

from bioeco.core.paths import DATA_DIR
from bioeco.core.vocab import ontology_graph
from bioeco.ingest.build import build_dataset
from bioeco.ingest.export import serialize_built
from bioeco.ingest.load import load_records
from bioeco.ingest.quads import build_quads

from .conftest import FIXTURES, rdflib_outputs

# The quads the rdflib builder (``bioeco.ingest.build._Builder``, removed) made from data/, before
# one mapping served both paths: count and sha256 of their sorted N-Quads lines (the source
# graphs; the ontology graph is read from ontology/, not mapped from records). If data/ is
# changed on purpose, recompute them with ``_source_nquads(build_dataset())``.
DATA_QUADS = 11817
DATA_SHA256 = "302f51aaf5054dff992250eb6d481bebfe763367d6d491db3cbc32a3c12d2be1"


def _source_nquads(dataset) -> list[str]:
    """Sorted N-Quads lines of the source graphs of *dataset* (without the ontology graph)."""
    store = dataset.store._inner
    onto = f"<{ontology_graph()}>"
    lines = (f"{q.subject} {q.predicate} {q.object} {q.graph_name} ." for q in store)
    return sorted(line for line in lines if not line.endswith(f" {onto} ."))


def _rdflib_outputs(records) -> tuple[bytes, bytes]:
    """The rdflib serializers' bytes for the quads of *records*."""
    return rdflib_outputs(build_dataset(records=records))


@pytest.fixture(scope="module")
def data_records():
    return load_records()  # the real data/ folder


def test_data_quads_are_those_of_the_rdflib_builder(data_records):
    lines = _source_nquads(build_dataset(records=data_records))
    assert len(lines) == DATA_QUADS
    digest = hashlib.sha256(("\n".join(lines) + "\n").encode()).hexdigest()
    assert digest == DATA_SHA256


def test_tiny_quads_are_those_of_the_rdflib_builder(tiny_records):
    """tests/fixtures/tiny-quads.nq: what the rdflib builder made of the tiny fixture."""
    expected = (FIXTURES / "tiny-quads.nq").read_text(encoding="utf-8").splitlines()
    assert _source_nquads(build_dataset(records=tiny_records)) == expected


def test_bioeco_build_writes_the_quads_of_build_dataset(data_records, tmp_path):
    """The library's Dataset and the TriG of ``bioeco build`` hold the same quads."""
    from bioeco.pipeline import build
    from bioeco.store.dataset import load_dataset

    result = build(DATA_DIR, tmp_path, check=False)
    written = load_dataset(result.files["trig"])
    assert _source_nquads(written) == _source_nquads(build_dataset(records=data_records))
    assert len(written) == len(build_dataset(records=data_records))


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
    store = build_dataset(records=records).store._inner
    note = ox.NamedNode("http://www.w3.org/2004/02/skos/core#editorialNote")
    stored = {q.object.value for q in store.quads_for_pattern(None, note, None)}
    assert {a.note for a in records.actors if a.note} <= stored  # escaped and read back


def test_many_multi_line_literals_take_the_key_by_key_path(tiny_dir, monkeypatch):
    import bioeco.ingest.built

    monkeypatch.setattr(bioeco.ingest.built, "_MAX_REPLACED", 0)
    _set_notes(tiny_dir, ['a\nb "c"'] * 20)
    records = load_records(tiny_dir)
    assert serialize_built(build_quads(records)) == _rdflib_outputs(records)


def test_rows_sort_as_rdflib_tuples(tiny_records):
    """Type statements first within a subject, then by predicate and object; the graph last."""
    built = build_quads(tiny_records)
    assert built.rows == sorted(set(built.rows))
    first = built.rows[0].split(" ")
    assert first[1] == "\1"  # rdf:type sorts first


def test_an_ontology_literal_with_the_type_placeholder_is_refused(tiny_records, monkeypatch):
    from rdflib import Graph, Literal

    import bioeco.ingest.quads
    from bioeco.errors import DataError

    odd = Graph()
    odd.add((URIRef("https://example.org/x"), URIRef("https://example.org/p"), Literal("a \1 b")))
    monkeypatch.setattr(bioeco.ingest.quads, "load_ontology", lambda _dir=None: odd)
    with pytest.raises(DataError, match="U\\+0001"):
        build_quads(tiny_records)


def _store_quads(store: ox.Store) -> tuple[set[tuple[str, ...]], int, int]:
    """The quads of *store* without blank nodes (labelled anew by every load), their count and
    the number of blank nodes (more if a load had split the triples of one)."""
    quads = list(store.quads_for_pattern(None, None, None))
    named = {tuple(map(str, q)) for q in quads if not any(isinstance(t, ox.BlankNode) for t in q)}
    blanks = {t for q in quads for t in q if isinstance(t, ox.BlankNode)}
    return named, len(quads), len(blanks)


def _fed_store(records, **kwargs) -> ox.Store:
    from bioeco.ingest.quads import StoreFeed

    feed = StoreFeed(**kwargs)
    try:
        built = build_quads(records, sink=feed)
    except BaseException:
        feed.abort()
        raise
    store = feed.close()
    expected = ox.Store()
    expected.bulk_load(input=built.nquads(), format=ox.RdfFormat.N_QUADS)
    assert _store_quads(store) == _store_quads(expected)
    return store


def test_the_store_fed_in_chunks_holds_the_sorted_quads(tiny_dir, monkeypatch):
    """Chunks of a few rows (so many loads), multi-line literals, quotes, other scripts."""
    import bioeco.ingest.quads

    monkeypatch.setattr(bioeco.ingest.quads, "_FEED_FIRST", 7)
    monkeypatch.setattr(bioeco.ingest.quads, "_FEED_MAX", 40)
    _set_notes(tiny_dir, ['line one\nline "two" \\ end', 'Ærøy – 北極 "x"', 'ends "\n"'])
    chunks: list[bytes] = []
    records = load_records(tiny_dir)
    build_quads(records, sink=chunks.append)
    assert len(chunks) > 5
    assert all(b"\1" not in c and "\x80".encode() not in c for c in chunks)
    for lenient in (True, False):
        _fed_store(records, threads=2, depth=1, lenient=lenient)


def test_store_text_of_a_graph_character_inside_a_literal():
    """With more than 32 graphs a graph character can be a letter: rows are then ended one by
    one, the literal keeps it."""
    from bioeco.ingest.quads import _trig_of_rows

    s, p, c = "<https://example.org/s>", "<https://example.org/p>", "<https://example.org/C>"
    rows = [f'{s} {p} "café" é', f"{s} \1 {c} é"]
    text = _trig_of_rows(rows, {"é": "https://example.org/g"})
    store = ox.Store()
    store.bulk_load(input=text, format=ox.RdfFormat.TRIG)
    graph = ox.NamedNode("https://example.org/g")
    found = {
        (str(q.predicate), str(q.object)) for q in store.quads_for_pattern(None, None, None, graph)
    }
    rdf_type = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
    assert found == {(p, '"café"'), (rdf_type, c)}


def test_the_store_fed_on_data_holds_the_sorted_quads(data_records, tmp_path):
    store = _fed_store(data_records, path=tmp_path / "db", lenient=True)
    assert (tmp_path / "db").is_dir() and len(store) > 1000


def test_a_failing_chunk_is_raised_and_the_rest_skipped():
    from bioeco.ingest.quads import StoreFeed

    feed = StoreFeed(threads=1)
    feed(b"<https://example.org/a> <https://example.org/p> <https://example.org/b> .\n")
    feed(b"<https://example.org/a> <https://example.org/p> broken .\n")
    with pytest.raises(SyntaxError):
        feed.close()
    feed = StoreFeed(threads=1)
    feed(b"<not an iri> <https://example.org/p> <https://example.org/b> .\n")
    feed.abort()  # stops without raising


def test_a_store_feed_that_cannot_be_written_is_an_output_error(tmp_path):
    from bioeco.errors import OutputError
    from bioeco.ingest.quads import StoreFeed

    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(OutputError, match=r"^cannot write"):
        StoreFeed(blocker / "store")
