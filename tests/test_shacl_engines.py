"""The two validators agree: the shapes compiled to SPARQL on Oxigraph (the engine ``bioeco
build`` and ``validate`` use, :mod:`bioeco.validate.sparql_engine`) and pyshacl (the reference)
give the
same report (focus, path, message, value, severity, shape, label, locator; the same number of
results) on every shape fixture, on ``data/`` and on a synthetic graph with injected
violations of every kind of constraint, so the SPARQL cannot drift from the shapes."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import ORG, PROV, RDF, RDFS, SH, SKOS, TIME, XSD

from bench.generate import generate
from bioeco.core.schemes import load_ontology
from bioeco.core.vocab import BID, BIOECO
from bioeco.errors import DataError, UsageError
from bioeco.ingest.build import build_dataset
from bioeco.store.dataset import load_dataset, new_dataset, union_graph
from bioeco.validate.shacl import ValidationReport, check_graph, load_shapes, validate_graph
from bioeco.validate.sparql_engine import UnsupportedShape

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "shapes"
FIXTURE_FILES = sorted(FIXTURES.glob("*.ttl"))


def same(a: ValidationReport, b: ValidationReport) -> None:
    assert (a.conforms, a.triples, a.ignored) == (b.conforms, b.triples, b.ignored)
    only_a = [v.line() for v in a.violations if v not in b.violations]
    only_b = [v.line() for v in b.violations if v not in a.violations]
    assert a.violations == b.violations, f"pyshacl only: {only_a}\noxigraph only: {only_b}"
    assert a.text(None) == b.text(None)


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return load_shapes()


@pytest.fixture(scope="module")
def vocabulary() -> Graph:
    graph = Graph()
    for triple in load_ontology():
        graph.add(triple)
    return graph


def through_oxigraph(graph: Graph) -> Graph:
    """*graph* as Oxigraph stores it: typed literals in canonical form (``"92.0"^^xsd:decimal``
    becomes ``"92"``), as every graph read by ``bioeco`` (files, builds) already is. The
    Oxigraph engine reports values in this form; pyshacl must see the same input."""
    store = ox.Store()
    store.load(graph.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES)
    dataset = new_dataset()
    dataset.store._inner.bulk_extend(store)
    return union_graph(dataset)


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=lambda p: p.stem)
def test_engines_agree_on_shape_fixture(path: Path, shapes: Graph, vocabulary: Graph) -> None:
    union = Graph()
    union += vocabulary
    union.parse(path, format="turtle")
    union = through_oxigraph(union)
    reference = check_graph(union, shapes, engine="pyshacl")
    report = check_graph(union, shapes, engine="oxigraph")
    same(reference, report)
    assert report.conforms == path.stem.endswith("-ok")


@pytest.mark.parametrize(
    "stem", ["actor-bad", "concept-bad", "observation-ok", "notation-unique-bad"]
)
def test_engines_agree_on_graph_files(stem: str) -> None:
    """As ``bioeco validate --graph``: read by Oxigraph, the vocabulary a file redefines left
    out (the concept fixtures define concepts: their triples are ignored)."""
    dataset = load_dataset(FIXTURES / f"{stem}.ttl")
    same(validate_graph(dataset, engine="pyshacl"), validate_graph(dataset, engine="oxigraph"))


def test_engines_agree_on_real_data() -> None:
    dataset = build_dataset()
    report = validate_graph(dataset)
    same(validate_graph(dataset, engine="pyshacl"), report)
    assert report.conforms and report.ignored == 0


def _first(dataset, query: str) -> URIRef:
    return next(iter(dataset.query(query)))[0]


@pytest.fixture(scope="module")
def broken(tmp_path_factory: pytest.TempPathFactory):
    """The scale-1 synthetic graph with violations of every kind of constraint injected."""
    data = tmp_path_factory.mktemp("synthetic") / "data"
    generate(data, scale=1, seed=7)
    dataset = build_dataset(data)
    native = dataset.store._inner
    extra = dataset.graph(URIRef("urn:test:injected"))

    def drop(s, p) -> None:
        for quad in list(native.quads_for_pattern(ox.NamedNode(s), ox.NamedNode(p), None)):
            native.remove(quad)

    def pick(cls: URIRef, offset: int = 0) -> URIRef:
        q = f"SELECT ?x WHERE {{ ?x a <{cls}> }} ORDER BY ?x OFFSET {offset} LIMIT 1"
        return _first(dataset, q)

    m1, m2, m3 = (pick(ORG.Membership, i) for i in range(3))
    a1, a2, a3 = (pick(ORG.Organization, i) for i in range(3))
    i1, i2 = (pick(ORG.OrganizationalCollaboration, i) for i in range(2))
    c1 = pick(BIOECO.ClassificationAssertion)
    instant = pick(TIME.Instant)
    region = URIRef(f"{BID}concept/region/trondheim")
    extra.add((m1, ORG.role, URIRef(f"{BID}concept/role/organiser")))  # maxCount
    drop(m2, PROV.wasDerivedFrom)  # minCount
    extra.add((m2, BIOECO.locator, Literal("p. 2")))  # pattern + maxCount
    extra.add((m3, ORG.organization, m3))  # sh:or of classes, maxCount
    extra.add((m3, ORG.member, m3))  # disjoint
    extra.add((m3, BIOECO.observedIn, Literal("2021-13", datatype=XSD.gYearMonth)))
    for actor in (a1, a2):  # the same wrong value twice: nested results once per focus
        extra.add((actor, BIOECO.sector, region))  # sh:node
    extra.add((a1, SKOS.prefLabel, Literal("Second name", lang="nb")))  # uniqueLang, equals
    extra.add((a3, RDF.type, BIOECO.University))  # qualifiedMaxCount, type-class
    extra.add((a3, BIOECO.actorType, Literal("company")))  # maxCount, sh:node on a literal
    extra.add((a3, BIOECO.actorType, URIRef(f"{BID}concept/actor-type/hospital")))  # type-class
    extra.add((i1, BIOECO.startDate, Literal("soon")))  # sh:or of datatypes
    drop(i2, BIOECO.startDate)
    drop(i2, BIOECO.endDate)
    extra.add((i2, BIOECO.startDate, Literal("2020-05", datatype=XSD.gYearMonth)))
    extra.add((i2, BIOECO.endDate, Literal("2019", datatype=XSD.gYear)))  # dates order
    extra.add((i1, RDFS.label, Literal("Another label", lang="en")))  # equals
    drop(c1, BIOECO.concept)
    extra.add((c1, BIOECO.concept, URIRef(f"{BID}concept/stage/data")))  # node sh:or, shortcut
    extra.add((instant, TIME.inXSDDate, Literal("2020-01-01", datatype=XSD.date)))  # xone
    extra.add((URIRef(f"{BID}concept/sector/fake"), SKOS.inScheme, URIRef(f"{BID}scheme/sector")))
    return dataset


def test_engines_agree_on_injected_violations(broken) -> None:
    report = validate_graph(broken)
    same(validate_graph(broken, engine="pyshacl"), report)
    assert not report.conforms and report.ignored == 1
    shapes = {v.shape for v in report.violations}
    assert shapes >= {
        "bsh:MembershipShape",
        "bsh:ActorShape",
        "bsh:ActorTypeClassShape",
        "bsh:InitiativeShape",
        "bsh:InitiativeDatesShape",
        "bsh:ClassificationAssertionShape",
        "bsh:ClassificationShortcutShape",
        "bsh:InstantShape",
    }
    nested = [v for v in report.violations if v.message.startswith("Node region:trondheim->")]
    assert len(nested) == 2  # one per actor whose sector is the region


def test_unsupported_feature_is_refused(shapes: Graph, vocabulary: Graph) -> None:
    """A shape using a SHACL feature the compiler does not translate fails loudly; it is
    never skipped."""
    extended = Graph()
    extended += shapes
    prop = next(
        iter(shapes.objects(URIRef("https://w3id.org/bioeco/shapes#PersonShape"), SH.property))
    )
    extended.add((prop, SH.minLength, Literal(3)))
    with pytest.raises(UnsupportedShape, match="minLength") as err:
        check_graph(vocabulary, extended)
    assert isinstance(err.value, DataError)
    assert check_graph(vocabulary, extended, engine="pyshacl").conforms


def test_unknown_engine() -> None:
    with pytest.raises(UsageError, match="engine"):
        validate_graph(Graph(), engine="fast")


def test_service_in_a_sparql_target_is_refused(vocabulary: Graph) -> None:
    shapes = Graph().parse(
        data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        <urn:x:S> a sh:NodeShape ;
            sh:target [ a sh:SPARQLTarget ; sh:select
                "SELECT ?this WHERE { SERVICE <http://example.org/sparql> { ?this ?p ?o } }" ] ;
            sh:property [ sh:path <urn:x:p> ; sh:maxCount 0 ; sh:message "m" ] .
        """,
        format="turtle",
    )
    with pytest.raises(UnsupportedShape, match="SERVICE"):
        check_graph(vocabulary, shapes)


def test_engines_agree_on_subclasses_the_data_declares(tmp_path: Path) -> None:
    """sh:targetClass and sh:class follow rdfs:subClassOf in the data, also through a class
    that is a blank node (the queries then walk the path themselves)."""
    path = tmp_path / "foreign.ttl"
    path.write_text(
        """
        @prefix org: <http://www.w3.org/ns/org#> .
        @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        <http://example.org/Startup> rdfs:subClassOf org:Organization .
        _:Spinoff rdfs:subClassOf org:Organization .
        <http://example.org/a> a <http://example.org/Startup> .
        <http://example.org/b> a _:Spinoff .
        <http://example.org/m> a org:Membership ; org:member <http://example.org/b> ;
            org:organization <http://example.org/a> .
        """,
        encoding="utf-8",
    )
    dataset = load_dataset(path)
    report = validate_graph(dataset)
    same(validate_graph(dataset, engine="pyshacl"), report)
    focus = {v.focus for v in report.violations if v.shape == "bsh:ActorShape"}
    assert focus == {"http://example.org/a", "http://example.org/b"}
    # the membership's member and organisation are actors through the subclasses: no sh:or
    member = [v for v in report.violations if v.path in ("org:member", "org:organization")]
    assert member == []


def test_engines_agree_on_a_source_page_that_is_not_an_https_iri(tiny_records) -> None:
    """foaf:page of a source document (sources.csv ``url``): one https IRI; the loader refuses
    anything else, the shapes say so for a graph made another way."""
    from rdflib.namespace import FOAF

    dataset = build_dataset(records=tiny_records)
    extra = dataset.graph(URIRef("urn:test:injected"))
    extra.add((URIRef(f"{BID}source/src-a"), FOAF.page, URIRef("http://example.org/r.pdf")))
    extra.add((URIRef(f"{BID}source/src-b"), FOAF.page, Literal("https://example.org/s.pdf")))
    report = validate_graph(dataset)
    same(validate_graph(dataset, engine="pyshacl"), report)
    pages = [v for v in report.violations if v.shape == "bsh:SourceDocumentShape"]
    # the http IRI breaks the pattern, the literal the node kind
    assert sorted(v.focus.rsplit("/", 1)[1] for v in pages) == ["src-a", "src-b"]
    assert {v.message for v in pages} == {
        "foaf:page of a source document (the address where it is published) must be a single "
        "https IRI."
    }
