"""Checks of the ontology, the concept schemes and the SHACL shapes (ontology/**/*.ttl).

Every sh:NodeShape in ontology/shapes.ttl has two fixtures in tests/fixtures/shapes/:
``<name>-ok.ttl`` must conform and ``<name>-bad.ttl`` must be rejected by that shape and by no
other (``<name>`` is the shape's local name without ``Shape`` in kebab-case).
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest
from pyshacl import validate
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import (
    DCTERMS,
    FOAF,
    ORG,
    OWL,
    PROV,
    QB,
    RDF,
    RDFS,
    SH,
    SKOS,
    TIME,
    XSD,
)

from bioeco.validate.shacl import ValidationReport, check_graph

ROOT = Path(__file__).resolve().parents[1]
ONTOLOGY_DIR = ROOT / "ontology"
BIOECO_TTL = ONTOLOGY_DIR / "bioeco.ttl"
SHAPES_TTL = ONTOLOGY_DIR / "shapes.ttl"
SCHEMES_DIR = ONTOLOGY_DIR / "schemes"
FIXTURES = ROOT / "tests" / "fixtures" / "shapes"
VOCABULARY_MD = ROOT / "docs" / "vocabulary.md"

BIOECO = "https://w3id.org/bioeco/ontology#"
BID = "https://w3id.org/bioeco/id/"
ONTOLOGY_IRI = URIRef("https://w3id.org/bioeco/ontology")
DSD = URIRef(BID + "dsd/survey")
EURIO = "http://data.europa.eu/s66#"

STANDARD_NAMESPACES = (
    DCTERMS,
    FOAF,
    ORG,
    OWL,
    PROV,
    QB,
    RDF,
    RDFS,
    SH,
    SKOS,
    TIME,
    XSD,
)

ALL_TTL = sorted(ONTOLOGY_DIR.rglob("*.ttl"))
SCHEME_FILES = sorted(SCHEMES_DIR.glob("*.ttl"))
SCHEMES = [
    "sector",
    "stage",
    "role",
    "actor-type",
    "initiative-type",
    "region",
    "competence",
    "change-type",
    "basis",
    "figure-measure",
    "unit",
]
STAGES = ["research", "data", "innovation", "commercialisation", "sales", "capital"]

ACTOR_CLASSES = [
    "Company",
    "ResearchInstitute",
    "University",
    "UniversityCollege",
    "Hospital",
    "PublicAgency",
    "Ministry",
    "RegionalAuthority",
    "Municipality",
    "FundingAgency",
    "Investor",
    "ClusterOrganisation",
    "TechnologyTransferOffice",
    "Incubator",
    "InterestOrganisation",
    "InternationalOrganisation",
    "Foundation",
    "ResearchInfrastructureOrganisation",
]
INITIATIVE_CLASSES = [
    "Cluster",
    "Network",
    "Project",
    "Programme",
    "Centre",
    "Event",
    "EventSeries",
    "Service",
    "Application",
    "Forum",
    "Strategy",
    "Committee",
    "Infrastructure",
]
OTHER_CLASSES = ["SourceDocument", "ClassificationAssertion", "Basis", "PartOfAssertion"]
OTHER_CLASSES += ["ValueQualifier"]
PROPERTIES = [
    "part",
    "whole",
    "partOfProperty",
    "valueQualifier",
    "sector",
    "valueChainStage",
    "competenceArea",
    "actorType",
    "initiativeType",
    "region",
    "locator",
    "observedIn",
    "basis",
    "classifiedEntity",
    "classificationProperty",
    "concept",
    "startDate",
    "endDate",
    "place",
    "status",
    "changeType",
    "order",
    "correspondingClass",
    "question",
    "respondentGroup",
    "topic",
    "share",
    "sampleSize",
]
CLASSIFICATION_PROPERTIES = ["sector", "valueChainStage", "competenceArea", "actorType"]
CLASSIFICATION_PROPERTIES += ["initiativeType", "region"]
DIMENSIONS = ["question", "respondentGroup", "topic", "sector", "valueChainStage"]
DIMENSIONS += ["competenceArea"]


def b(name: str) -> URIRef:
    return URIRef(BIOECO + name)


def concept(scheme: str, code: str) -> URIRef:
    return URIRef(f"{BID}concept/{scheme}/{code}")


def scheme_iri(scheme: str) -> URIRef:
    return URIRef(f"{BID}scheme/{scheme}")


@cache
def parsed(path: Path) -> Graph:
    return Graph().parse(path, format="turtle")


@cache
def ontology() -> Graph:
    """bioeco.ttl alone."""
    return parsed(BIOECO_TTL)


@cache
def vocabulary() -> Graph:
    """bioeco.ttl + all concept schemes (what the validator loads next to the data)."""
    graph = Graph()
    for path in [BIOECO_TTL, *SCHEME_FILES]:
        graph += parsed(path)
    return graph


@cache
def shapes() -> Graph:
    return parsed(SHAPES_TTL)


def concepts_of(scheme: str) -> dict[str, URIRef]:
    """notation -> concept IRI for one scheme."""
    graph = vocabulary()
    out = {}
    for c in graph.subjects(SKOS.inScheme, scheme_iri(scheme)):
        out[str(graph.value(c, SKOS.notation))] = c
    return out


def langs(graph: Graph, subject, predicate) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for value in graph.objects(subject, predicate):
        assert isinstance(value, Literal), f"{subject} {predicate} {value!r} is not a literal"
        out.setdefault(value.language or "", []).append(str(value))
    return out


# --------------------------------------------------------------------------- files


@pytest.mark.parametrize("path", ALL_TTL, ids=lambda p: str(p.relative_to(ONTOLOGY_DIR)))
def test_turtle_file_parses(path: Path) -> None:
    assert len(parsed(path)) > 0


def test_all_expected_files_exist() -> None:
    assert BIOECO_TTL.exists() and SHAPES_TTL.exists()
    # one file per scheme, except figure.ttl (figure-measure + unit) and survey.ttl
    expected = (set(SCHEMES) - {"figure-measure", "unit"}) | {"figure", "survey"}
    assert expected <= {p.stem for p in SCHEME_FILES}


@pytest.mark.parametrize("path", ALL_TTL, ids=lambda p: str(p.relative_to(ONTOLOGY_DIR)))
def test_no_owl_imports(path: Path) -> None:
    assert not list(parsed(path).triples((None, OWL.imports, None)))


# --------------------------------------------------------------------------- ontology


def test_ontology_header() -> None:
    g = ontology()
    assert (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in g
    assert g.value(ONTOLOGY_IRI, OWL.versionInfo) is not None
    assert g.value(ONTOLOGY_IRI, OWL.versionIRI) is not None
    assert "en" in langs(g, ONTOLOGY_IRI, DCTERMS.title)
    assert "en" in langs(g, ONTOLOGY_IRI, DCTERMS.description)
    assert isinstance(g.value(ONTOLOGY_IRI, DCTERMS.license), URIRef)


@pytest.mark.parametrize("name", ACTOR_CLASSES + INITIATIVE_CLASSES + OTHER_CLASSES)
def test_class_declared(name: str) -> None:
    g = ontology()
    cls = b(name)
    assert (cls, RDF.type, OWL.Class) in g
    if name in ACTOR_CLASSES:
        assert (cls, RDFS.subClassOf, ORG.Organization) in g
    if name in INITIATIVE_CLASSES:
        assert (cls, RDFS.subClassOf, ORG.OrganizationalCollaboration) in g
    if name == "SourceDocument":
        assert (cls, RDFS.subClassOf, PROV.Entity) in g


@pytest.mark.parametrize("name", PROPERTIES)
def test_property_declared(name: str) -> None:
    g = ontology()
    types = set(g.objects(b(name), RDF.type))
    assert types & {OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty}
    if name in CLASSIFICATION_PROPERTIES:
        assert (b(name), RDFS.subPropertyOf, ORG.classification) in g
    if name == "region":
        assert (b(name), RDFS.subPropertyOf, DCTERMS.spatial) in g


def test_every_bioeco_term_is_documented() -> None:
    g = ontology()
    terms = {s for s in g.subjects(RDF.type, None) if str(s).startswith(BIOECO)}
    terms.add(DSD)
    assert len(terms) > 40
    for term in terms:
        assert "en" in langs(g, term, RDFS.label), f"{term} lacks rdfs:label @en"
        assert "en" in langs(g, term, RDFS.comment), f"{term} lacks rdfs:comment @en"
        assert (term, RDFS.isDefinedBy, ONTOLOGY_IRI) in g, f"{term} lacks rdfs:isDefinedBy"


def test_basis_individuals() -> None:
    g = vocabulary()
    for name in ("stated", "inferred", "external"):
        ind = b(name)
        assert (ind, RDF.type, b("Basis")) in g
        assert (ind, RDF.type, SKOS.Concept) in g
        assert (ind, SKOS.inScheme, scheme_iri("basis")) in g
        assert str(g.value(ind, SKOS.notation)) == name
    assert set(concepts_of("basis").values()) == {b("stated"), b("inferred"), b("external")}


def test_eurio_alignment() -> None:
    g = vocabulary()
    assert (b("Project"), SKOS.closeMatch, URIRef(EURIO + "Project")) in g
    assert (b("startDate"), SKOS.closeMatch, URIRef(EURIO + "startDate")) in g
    assert (b("endDate"), SKOS.closeMatch, URIRef(EURIO + "endDate")) in g
    for name in ACTOR_CLASSES:
        matches = list(g.objects(b(name), SKOS.closeMatch))
        assert any(str(m).startswith(EURIO) for m in matches), name
    for code in ("coordinator", "participant"):
        matches = set(g.objects(concept("role", code), SKOS.closeMatch))
        matches |= set(g.objects(concept("role", code), SKOS.broadMatch))
        assert any(str(m).startswith(EURIO) for m in matches), code


def test_survey_structure() -> None:
    g = ontology()
    for name in DIMENSIONS:
        assert (b(name), RDF.type, QB.DimensionProperty) in g, name
    assert (b("share"), RDF.type, QB.MeasureProperty) in g
    assert (b("share"), RDFS.range, XSD.decimal) in g
    assert (b("sampleSize"), RDF.type, QB.AttributeProperty) in g
    assert (DSD, RDF.type, QB.DataStructureDefinition) in g
    components = list(g.objects(DSD, QB.component))
    dims = {g.value(c, QB.dimension) for c in components} - {None}
    assert dims == {b(n) for n in DIMENSIONS}
    assert {g.value(c, QB.measure) for c in components} - {None} == {b("share")}
    attributes = {g.value(c, QB.attribute) for c in components} - {None}
    assert attributes == {b("sampleSize"), b("valueQualifier")}


# --------------------------------------------------------------------------- schemes


def all_concepts() -> list[URIRef]:
    return sorted(set(vocabulary().subjects(RDF.type, SKOS.Concept)))


@pytest.mark.parametrize("scheme", SCHEMES)
def test_scheme_declared(scheme: str) -> None:
    g = vocabulary()
    s = scheme_iri(scheme)
    assert (s, RDF.type, SKOS.ConceptScheme) in g
    assert {"nb", "en"} <= set(langs(g, s, SKOS.prefLabel))
    tops = set(g.objects(s, SKOS.hasTopConcept))
    assert tops, f"{scheme} has no top concept"
    assert tops == set(g.subjects(SKOS.topConceptOf, s))
    assert len(concepts_of(scheme)) >= 2


def test_concept_labels_and_notation() -> None:
    g = vocabulary()
    concepts = all_concepts()
    assert len(concepts) > 100
    for c in concepts:
        notations = list(g.objects(c, SKOS.notation))
        assert len(notations) == 1, f"{c}: one skos:notation expected"
        pref = langs(g, c, SKOS.prefLabel)
        assert len(pref.get("nb", [])) == 1, f"{c}: one @nb prefLabel expected"
        assert len(pref.get("en", [])) == 1, f"{c}: one @en prefLabel expected"
        assert set(g.objects(c, RDFS.label)) == set(g.objects(c, SKOS.prefLabel)), c
        assert "en" in langs(g, c, SKOS.definition), f"{c}: skos:definition @en expected"
        schemes = list(g.objects(c, SKOS.inScheme))
        assert len(schemes) == 1, f"{c}: one skos:inScheme expected"
        broader = list(g.objects(c, SKOS.broader))
        assert broader or (c, SKOS.topConceptOf, schemes[0]) in g, c
        for parent in broader:
            assert (parent, SKOS.inScheme, schemes[0]) in g, f"{c}: broader outside scheme"


@pytest.mark.parametrize("scheme", [s for s in SCHEMES if s != "basis"])
def test_concept_iris_follow_pattern(scheme: str) -> None:
    for code, c in concepts_of(scheme).items():
        assert c == concept(scheme, code)
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", code), code


def vocabulary_md_codes() -> dict[str, set[str]]:
    """Codes listed per scheme in the 'Concept schemes' section of docs/vocabulary.md."""
    text = VOCABULARY_MD.read_text(encoding="utf-8")
    section = text.split("## Concept schemes", 1)[1].split("\n## ", 1)[0]
    out: dict[str, set[str]] = {}
    for bullet in re.split(r"\n- ", "\n" + section)[1:]:
        head = re.match(r"`([a-z-]+)`", bullet)
        if not head:
            continue
        body = bullet[head.end() :]
        codes = {
            code
            for code in re.findall(r"`([^`]+)`", body)
            if re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", code)
        }
        out[head.group(1)] = codes
    return out


@pytest.mark.parametrize("scheme", SCHEMES)
def test_codes_match_vocabulary_md(scheme: str) -> None:
    documented = vocabulary_md_codes()
    assert scheme in documented, f"docs/vocabulary.md lists no codes for {scheme}"
    assert set(concepts_of(scheme)) == documented[scheme]


def test_sector_health_subgroups() -> None:
    g = vocabulary()
    health = concept("sector", "health")
    narrower = {str(g.value(c, SKOS.notation)) for c in g.subjects(SKOS.broader, health)}
    assert narrower == {"pharma", "diagnostics", "medtech", "health-ict", "specialised-suppliers"}


def test_stage_order() -> None:
    g = vocabulary()
    stages = concepts_of("stage")
    orders = {code: g.value(c, b("order")) for code, c in stages.items()}
    assert all(o is not None and o.datatype == XSD.integer for o in orders.values())
    assert sorted(stages, key=lambda code: int(orders[code])) == STAGES
    assert sorted(int(o) for o in orders.values()) == [1, 2, 3, 4, 5, 6]
    collections = list(g.subjects(RDF.type, SKOS.OrderedCollection))
    assert len(collections) == 1
    members = list(Collection(g, g.value(collections[0], SKOS.memberList)))
    assert members == [concept("stage", code) for code in STAGES]


@pytest.mark.parametrize(
    ("scheme", "names", "superclass"),
    [
        ("actor-type", ACTOR_CLASSES, ORG.Organization),
        ("initiative-type", INITIATIVE_CLASSES, ORG.OrganizationalCollaboration),
    ],
)
def test_corresponding_classes(scheme: str, names: list[str], superclass: URIRef) -> None:
    g = vocabulary()
    onto = ontology()
    classes = []
    for code, c in concepts_of(scheme).items():
        values = list(g.objects(c, b("correspondingClass")))
        assert len(values) == 1, f"{code}: one bioeco:correspondingClass expected"
        cls = values[0]
        assert (cls, RDF.type, OWL.Class) in onto, f"{code}: {cls} not declared in bioeco.ttl"
        assert (cls, RDFS.subClassOf, superclass) in onto
        classes.append(cls)
    assert sorted(classes) == sorted(b(n) for n in names), "one concept per class"


def test_role_concepts_are_org_roles() -> None:
    g = vocabulary()
    for code, c in concepts_of("role").items():
        assert (c, RDF.type, ORG.Role) in g, code


def test_region_hierarchy() -> None:
    g = vocabulary()
    norway, international = concept("region", "norway"), concept("region", "international")
    for code, c in concepts_of("region").items():
        chain = [c]
        while (parent := g.value(chain[-1], SKOS.broader)) is not None:
            assert parent not in chain, f"cycle at {code}"
            chain.append(parent)
        assert chain[-1] in {norway, international}, code
    chain = []
    node = concept("region", "tromso")
    while node is not None:
        chain.append(str(g.value(node, SKOS.notation)))
        node = g.value(node, SKOS.broader)
    assert chain == ["tromso", "troms-og-finnmark", "nord-norge", "norway"]
    hamar = g.value(concept("region", "hamar-region"), SKOS.broader)
    assert hamar == concept("region", "innlandet")
    # a national remit is its own code under norway (located in Norway, place not given)
    assert g.value(concept("region", "national"), SKOS.broader) == concept("region", "norway")
    nb = {
        str(lbl)
        for lbl in g.objects(None, SKOS.prefLabel)
        if isinstance(lbl, Literal) and lbl.language == "nb"
    }
    assert {"Tromsø", "Oslo-regionen", "Hamar-regionen", "Ås", "Nord-Norge"} <= nb
    assert "Troms og Finnmark" in nb


# --------------------------------------------------------------------------- shapes


def node_shapes() -> list[URIRef]:
    return sorted(shapes().subjects(RDF.type, SH.NodeShape))


def fixture_stem(shape: URIRef) -> str:
    local = re.split(r"[#/]", str(shape))[-1]
    local = local.removesuffix("Shape")
    return re.sub(r"(?<!^)(?=[A-Z])", "-", local).lower()


def shape_terms() -> set[URIRef]:
    """IRIs that shapes.ttl uses as properties, classes, datatypes or allowed values."""
    g = shapes()
    terms: set[URIRef] = set()

    def add_path(path) -> None:
        if isinstance(path, URIRef):
            terms.add(path)
        elif isinstance(path, BNode):
            if g.value(path, RDF.first) is not None:
                for item in Collection(g, path):
                    add_path(item)
            for pred in (SH.inversePath, SH.zeroOrMorePath, SH.oneOrMorePath, SH.zeroOrOnePath):
                if (inner := g.value(path, pred)) is not None:
                    add_path(inner)
            if (alt := g.value(path, SH.alternativePath)) is not None:
                add_path(alt)

    for path in g.objects(None, SH.path):
        add_path(path)
    for pred in (SH.targetClass, SH["class"], SH.datatype, SH.equals, SH.disjoint):
        terms.update(o for o in g.objects(None, pred) if isinstance(o, URIRef))
    for pred in (SH["in"], SH.hasValue):
        for o in g.objects(None, pred):
            values = Collection(g, o) if isinstance(o, BNode) else [o]
            terms.update(v for v in values if isinstance(v, URIRef))
    return terms


def is_declared(term: URIRef) -> bool:
    text = str(term)
    if text.startswith(BIOECO):
        return (term, RDF.type, None) in ontology()
    if text.startswith(BID):
        return (term, RDF.type, None) in vocabulary()
    return any(text.startswith(str(ns)) and term in ns for ns in STANDARD_NAMESPACES)


def test_shapes_use_only_declared_terms() -> None:
    terms = shape_terms()
    assert len(terms) > 30
    assert sorted(t for t in terms if not is_declared(t)) == []


def test_node_shapes_have_targets_and_messages() -> None:
    g = shapes()
    assert len(node_shapes()) >= 12
    for shape in node_shapes():
        has_target = (shape, SH.targetClass, None) in g or (shape, SH.target, None) in g
        assert has_target, shape
        for prop in g.objects(shape, SH.property):
            assert g.value(prop, SH.message) is not None, f"{shape}: property shape lacks message"
        for constraint in g.objects(shape, SH.sparql):
            assert g.value(constraint, SH.message) is not None, shape


@pytest.mark.parametrize("shape", node_shapes(), ids=fixture_stem)
def test_every_node_shape_has_fixtures(shape: URIRef) -> None:
    stem = fixture_stem(shape)
    for kind in ("ok", "bad"):
        assert (FIXTURES / f"{stem}-{kind}.ttl").exists(), f"missing {stem}-{kind}.ttl"


def test_no_orphan_fixtures() -> None:
    stems = {fixture_stem(s) for s in node_shapes()}
    for path in FIXTURES.glob("*.ttl"):
        stem, _, kind = path.stem.rpartition("-")
        assert kind in {"ok", "bad"} and stem in stems, f"{path.name} matches no NodeShape"


def run_validation(data: Graph) -> tuple[bool, Graph, str]:
    """pyshacl on vocabulary + *data* (the reference validator; a ValidationFailure means
    broken shapes)."""
    union = Graph()
    union += vocabulary()
    union += data
    conforms, results, text = validate(
        union, shacl_graph=shapes(), inference="none", allow_warnings=False, advanced=True
    )
    assert isinstance(results, Graph), text  # a ValidationFailure means broken shapes
    return conforms, results, text


def run_engine(data: Graph) -> ValidationReport:
    """vocabulary + *data* through the engine ``bioeco build`` / ``validate`` use."""
    union = Graph()
    union += vocabulary()
    union += data
    return check_graph(union, shapes())


def owning_node_shape(shape) -> URIRef | BNode:
    """The NodeShape a validation result's sh:sourceShape belongs to."""
    g = shapes()
    if (shape, RDF.type, SH.NodeShape) in g:
        return shape
    owner = g.value(predicate=SH.property, object=shape)
    assert owner is not None, f"cannot find the node shape of {shape}"
    return owner


def test_vocabulary_conforms_to_shapes() -> None:
    conforms, _, text = run_validation(Graph())
    assert conforms, text
    report = run_engine(Graph())
    assert report.conforms, report.text()


@pytest.mark.parametrize("shape", node_shapes(), ids=fixture_stem)
def test_shape_accepts_ok_fixture(shape: URIRef) -> None:
    data = Graph().parse(FIXTURES / f"{fixture_stem(shape)}-ok.ttl", format="turtle")
    target_class = shapes().value(shape, SH.targetClass)
    if target_class is not None:
        targets = set(data.subjects(RDF.type, target_class))
        assert targets, "the -ok fixture must contain a node targeted by the shape"
    report = run_engine(data)
    assert report.conforms, report.text()


@pytest.mark.parametrize("shape", node_shapes(), ids=fixture_stem)
def test_shape_rejects_bad_fixture(shape: URIRef) -> None:
    data = Graph().parse(FIXTURES / f"{fixture_stem(shape)}-bad.ttl", format="turtle")
    report = run_engine(data)
    assert not report.conforms
    # every result (also the nested ones of an inline sh:node shape) names the node shape
    owners = {v.shape for v in report.violations}
    assert owners == {shapes().namespace_manager.normalizeUri(shape)}, report.text(None)


@pytest.mark.parametrize("shape", node_shapes(), ids=fixture_stem)
def test_reference_validator_rejects_bad_fixture(shape: URIRef) -> None:
    """pyshacl, the reference the engine is compared with (tests/test_shacl_engines.py),
    also rejects each -bad fixture, for this shape only."""
    data = Graph().parse(FIXTURES / f"{fixture_stem(shape)}-bad.ttl", format="turtle")
    conforms, results, text = run_validation(data)
    assert not conforms
    # top-level results only: nested sh:detail results come from inline sh:node value shapes
    sources = [results.value(r, SH.sourceShape) for r in results.objects(None, SH.result)]
    assert sources, text
    owners = {owning_node_shape(s) for s in sources}
    assert owners == {shape}, f"violations from other shapes:\n{text}"


def test_scheme_codes_are_those_rdflib_reads(tmp_path) -> None:
    """The scheme codes come from a fast Turtle parser: the same codes as read from the
    ontology parsed with rdflib, blank-node concepts kept apart per file; a file the fast
    parser refuses gets rdflib's parse and its error (file named)."""
    import shutil

    from bioeco.core.paths import ONTOLOGY_DIR
    from bioeco.core.schemes import _rdflib_codes, load_ontology, scheme_codes
    from bioeco.errors import DataError

    assert scheme_codes() == _rdflib_codes(load_ontology())
    onto = tmp_path / "onto"
    shutil.copytree(ONTOLOGY_DIR, onto, ignore=shutil.ignore_patterns(".*"))
    skos = "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
    (onto / "schemes" / "zz-a.ttl").write_text(
        skos + "_:a skos:inScheme <https://w3id.org/bioeco/id/scheme/stage> .\n", encoding="utf-8"
    )
    (onto / "schemes" / "zz-b.ttl").write_text(
        skos + '_:a skos:notation "orphan" .\n', encoding="utf-8"
    )
    codes = scheme_codes(onto)
    assert codes == _rdflib_codes(load_ontology(onto))
    assert "orphan" not in codes["stage"]  # two files' _:a are two concepts
    (onto / "schemes" / "zz-c.ttl").write_text("this is not turtle", encoding="utf-8")
    with pytest.raises(DataError, match=r"zz-c\.ttl.*cannot parse ontology file"):
        scheme_codes(onto)
