"""bioeco.ingest.turtle writes the TriG and Turtle bytes Oxigraph's serializer writes for the
same sorted triples: layout, prefixes, local-name escapes, literal forms, term checks."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bioeco.ingest.export import _OX_PREFIXES, _with_prefix_lines
from bioeco.ingest.quads import TYPE_KEY
from bioeco.ingest.turtle import TurtleTerms, write_graph

BID = "https://w3id.org/bioeco/id/"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
P = "<https://w3id.org/bioeco/ontology#p>"


def _ours(keys: list[str], graph: str | None = None) -> bytes:
    """Our bytes of the N-Triples keys ``s p o `` (rdf:type as the placeholder), put
    together as serialize_built does."""
    terms = TurtleTerms(_OX_PREFIXES, {}, TYPE_KEY)
    rows = []
    for key in keys:
        s, p, o = key.split(" ", 2)
        rows.append(f"{s} {TYPE_KEY if p == RDF_TYPE else p} {o}")
    return _with_prefix_lines(write_graph(graph, iter([rows]), terms))


def _sorted_prefixes(raw: bytes) -> bytes:
    """Oxigraph's output with its prefix lines sorted (it writes them in map order)."""
    head = 0
    while raw.startswith(b"@prefix ", head):
        head = raw.index(b"\n", head) + 1
    prefixes = sorted(raw[:head].splitlines())
    return b"\n".join(prefixes) + b"\n\n" + raw[head:].strip(b"\n") + b"\n"


def _oxigraph(keys: list[str], graph: str | None = None) -> bytes:
    """Oxigraph's bytes of the same keys in the same order."""
    text = "".join(f"{k}.\n" for k in keys).encode()
    triples = list(ox.parse(text, format=ox.RdfFormat.N_TRIPLES))
    if graph is None:
        raw = ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=_OX_PREFIXES)
    else:
        quads = [ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(graph)) for t in triples]
        raw = ox.serialize(quads, format=ox.RdfFormat.TRIG, prefixes=_OX_PREFIXES)
    return _sorted_prefixes(raw)


def _same(keys: list[str]) -> None:
    assert _ours(keys) == _oxigraph(keys)
    graph = "https://w3id.org/bioeco/graph/g"
    assert _ours(keys, graph) == _oxigraph(keys, graph)


AWKWARD_IRIS = [
    BID + "actor/plain-name_1",
    BID + "classification/src/init-1/sector/marine",  # "/" escaped after bid:
    BID + "actor/-leading-hyphen",
    BID + "actor/.leading.dot",
    BID + "actor/trailing.dot.",
    BID + "actor/inner.dots.ok",
    BID + "actor/" + "\u00b7middle-dot-first",  # cannot start a local name: next namespace
    BID + "actor/has\u00b7middle-dot",
    BID + "actor/2021",
    BID + "actor/%C3%A6ble",
    BID + "actor/a~b!c$d&e'f(g)h*i+j,k;l=m?n#o@p",
    BID + "actor/Ærøy-北極",
    BID,  # the namespace itself: "bid:"
    BID + "actor/",
    "https://w3id.org/bioeco/ontology#Company",
    "http://example.org/no/prefix",
    "http://example.org/a:b",
    "urn:isbn:0451450523",
]


def test_awkward_iris_are_written_as_oxigraph_writes_them():
    keys = [f"<{iri}> {P} <{iri}> " for iri in AWKWARD_IRIS]
    _same(keys)


AWKWARD_LITERALS = [
    '"plain"',
    '"with \\"quotes\\" and \\\\ backslash"',
    '"tab\there"',
    '"line\\nbreak\\r"',
    '"control \\u0001 \\u007F"',
    '"nb"@nb',
    '"upper"@EN-GB',
    '"Bioøkonomi – 北極"@nb',
    '"x"^^<http://www.w3.org/2001/XMLSchema#string>',
    '"12"^^<http://www.w3.org/2001/XMLSchema#integer>',
    '"-012"^^<http://www.w3.org/2001/XMLSchema#integer>',
    '"+1"^^<http://www.w3.org/2001/XMLSchema#integer>',
    '"1.5"^^<http://www.w3.org/2001/XMLSchema#integer>',
    '"1.50"^^<http://www.w3.org/2001/XMLSchema#decimal>',
    '".5"^^<http://www.w3.org/2001/XMLSchema#decimal>',
    '"5."^^<http://www.w3.org/2001/XMLSchema#decimal>',
    '"5"^^<http://www.w3.org/2001/XMLSchema#decimal>',
    '"1e3"^^<http://www.w3.org/2001/XMLSchema#double>',
    '"1.5E-3"^^<http://www.w3.org/2001/XMLSchema#double>',
    '"INF"^^<http://www.w3.org/2001/XMLSchema#double>',
    '"true"^^<http://www.w3.org/2001/XMLSchema#boolean>',
    '"1"^^<http://www.w3.org/2001/XMLSchema#boolean>',
    '"2021"^^<http://www.w3.org/2001/XMLSchema#gYear>',
    '"x"^^<http://example.org/datatype>',
    '"\\u00e6 escaped"',
    '"\\U0001F600"',
    '""',
]


def test_awkward_literals_are_written_as_oxigraph_writes_them():
    keys = [f"<{BID}actor/a> {P} {lit} " for lit in AWKWARD_LITERALS]
    _same(keys)


def test_subjects_predicates_objects_and_types_are_grouped_as_oxigraph_groups_them():
    a, b = f"<{BID}actor/a>", f"<{BID}actor/b>"
    q = "<https://w3id.org/bioeco/ontology#q>"
    keys = [
        f"{a} {RDF_TYPE} <http://www.w3.org/ns/org#Organization> ",
        f"{a} {RDF_TYPE} <https://w3id.org/bioeco/ontology#Company> ",
        f'{a} {P} "1" ',
        f'{a} {P} "2" ',
        f"{a} {q} {b} ",
        f"{b} {q} {RDF_TYPE} ",  # rdf:type as an object is no "a"
        "_:g0abc " + f"{P} _:g0def ",
        f"{b} {P} _:g0abc ",
    ]
    _same(keys)


def test_no_triples_give_what_the_oxigraph_path_gave():
    from bioeco.ingest.export import serialize_built
    from bioeco.ingest.quads import BuiltGraph

    empty = BuiltGraph(rows=[], graphs=["http://example.org/g"])
    assert serialize_built(empty) == (_oxigraph([]), _oxigraph([]))
    terms = TurtleTerms(_OX_PREFIXES, {}, TYPE_KEY)
    assert "".join(write_graph("http://example.org/g", iter([[]]), terms)) == ""


def test_pieces_continue_the_statement_of_the_previous_piece():
    a = f"<{BID}actor/a>"
    keys = [f'{a} {P} "{n}" ' for n in range(5)] + [f"<{BID}actor/b> {P} {a} "]
    terms = TurtleTerms(_OX_PREFIXES, {}, TYPE_KEY)
    whole = "".join(write_graph(None, iter([keys]), terms))
    cut = "".join(write_graph(None, iter([keys[:2], keys[2:5], [], keys[5:]]), terms))
    assert cut == whole


def test_multi_line_keys_are_written_from_their_n_triples_form():
    key = '"""two\nlines"""'
    terms = TurtleTerms(_OX_PREFIXES, {key: '"two\\nlines"'}, TYPE_KEY)
    assert terms[key] == '"two\\nlines"'


@pytest.mark.parametrize(
    "term",
    ["<http://example.org/a b>", "<not an iri>", '"x"@abcdefghij', '"x"^^<bad iri>'],
)
def test_invalid_terms_are_refused_as_the_strict_parser_refused_them(term):
    terms = TurtleTerms(_OX_PREFIXES, {}, TYPE_KEY)
    with pytest.raises(ValueError):
        terms[term]


_local = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters='<>"{}|^`\\ \n\r\t'),
    min_size=1,
    max_size=12,
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_local, min_size=1, max_size=6), st.lists(st.text(max_size=12), max_size=4))
def test_generated_terms_are_written_as_oxigraph_writes_them(locals_, values):
    keys = []
    for local in locals_:
        iri = f"{BID}actor/{local}"
        try:
            ox.NamedNode(iri)
        except ValueError:
            continue
        keys.append(f"<{iri}> {P} <{iri}> ")
        for value in values:
            lit = str(ox.Literal(value))  # the N-Triples form
            keys.append(f"<{iri}> {P} {lit} ")
            keys.append(f"<{iri}> {P} {ox.Literal(value, language='nb')!s} ")
    if keys:
        _same(keys)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.text(alphabet="0123456789+-.eE", max_size=6), min_size=1, max_size=6),
    st.sampled_from(["integer", "decimal", "double", "boolean", "gYear", "string"]),
)
def test_generated_numbers_are_bare_where_oxigraph_writes_them_bare(values, datatype):
    dt = ox.NamedNode(XSD + datatype)
    keys = [f"<{BID}actor/a> {P} {ox.Literal(v, datatype=dt)} " for v in values]
    _same(keys)
