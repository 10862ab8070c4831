"""SHACL validation of the graph against ``ontology/shapes.ttl`` with a readable report."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.term import Node

from bioeco.core.formats import escape_controls
from bioeco.core.paths import ONTOLOGY_DIR
from bioeco.core.schemes import load_ontology
from bioeco.core.vocab import BID, BIOECO, RDF, RDFS, SH, SKOS, bind_prefixes
from bioeco.errors import DataError, UsageError
from bioeco.store import sandbox
from bioeco.store.dataset import normalise_triple, to_oxigraph, to_rdflib, union_graph
from bioeco.validate.sparql_engine import Check, UnsupportedShape, compile_shapes, run_checks

__all__ = [
    "ENGINES",
    "ValidationReport",
    "Violation",
    "check_graph",
    "load_shapes",
    "validate_graph",
]


@dataclass(frozen=True, order=True)
class Violation:
    """One SHACL result, with the focus node's label and locator when the data has them."""

    focus: str
    path: str
    message: str
    severity: str = "Violation"
    shape: str = ""
    value: str = ""
    label: str = ""
    locator: str = ""

    def line(self) -> str:
        """One readable line: who, which property, what is wrong, where in the source."""
        who = f"{self.label} <{self.focus}>" if self.label else f"<{self.focus}>"
        where = f" [{self.locator}]" if self.locator else ""
        path = f" {self.path}:" if self.path else ":"
        value = f" (value: {self.value})" if self.value else ""
        return f"{self.severity}: {who}{path} {self.message}{value}{where}"


@dataclass
class ValidationReport:
    """Result of :func:`validate_graph`: ``conforms`` and the violations, sorted."""

    conforms: bool
    violations: list[Violation] = field(default_factory=list)
    triples: int = 0
    ignored: int = 0
    """Triples of the input that (re)define the project's vocabulary and were left out."""

    def text(self, limit: int | None = 50) -> str:
        """Readable multi-line report (first *limit* violations); every value from the data
        is shown with control characters escaped, so no label can forge a line."""
        note = (
            f"Note: {self.ignored} input triple(s) that define the project's ontology, schemes "
            "or concepts were ignored: the graph is validated against the project's own "
            "ontology/."
            if self.ignored
            else ""
        )
        if self.conforms:
            head = f"Conforms: {self.triples} triples checked against the SHACL shapes."
            return "\n".join(x for x in (head, note) if x)
        shown = self.violations if limit is None else self.violations[:limit]
        lines = [f"Does not conform: {len(self.violations)} violation(s)."]
        lines += [escape_controls(v.line()) for v in shown]
        if len(shown) < len(self.violations):
            lines.append(f"... and {len(self.violations) - len(shown)} more")
        if note:
            lines.append(note)
        return "\n".join(lines)


def load_shapes(ontology_dir: Path | None = None) -> Graph:
    """Parse ``shapes.ttl`` of the ontology folder."""
    path = Path(ontology_dir or ONTOLOGY_DIR) / "shapes.ttl"
    if not path.is_file():
        raise DataError("SHACL shapes not found", file=str(path))
    g = Graph()
    try:
        g.parse(path, format="turtle")
    except Exception as exc:  # parser-specific exception types
        raise DataError(f"cannot parse shapes ({exc})", file=str(path)) from None
    return g


def _short(graph: Graph, node: Node | None) -> str:
    if node is None:
        return ""
    if isinstance(node, URIRef):
        try:
            return graph.namespace_manager.normalizeUri(node)
        except Exception:
            return str(node)
    return str(node)


ENGINES = ("oxigraph", "pyshacl")
"""Validators: ``oxigraph`` (the shapes compiled to SPARQL, :mod:`bioeco.validate.sparql_engine`;
the
default) and ``pyshacl`` (the reference implementation, slow on large graphs)."""


def validate_graph(
    data: Dataset | Graph,
    *,
    ontology_dir: Path | None = None,
    shapes: Graph | None = None,
    engine: str = "oxigraph",
) -> ValidationReport:
    """Validate *data* (a Dataset's union, or a Graph) against the SHACL shapes.

    The ontology and concept schemes are added to the data graph (so scheme membership and
    class hierarchy are visible to the shapes); no inference is run and ``owl:imports`` are
    never followed (nothing is fetched).

    Parameters
    ----------
    data
        The graph to check.
    ontology_dir
        Folder with ``shapes.ttl``, ``bioeco.ttl`` and the schemes (default: ``ontology/``).
    shapes
        Parsed shapes (default: read from *ontology_dir*).
    engine
        ``"oxigraph"`` (default): every constraint as one SPARQL query over the whole graph
        on an in-memory Oxigraph store; ``"pyshacl"``: pyshacl over an rdflib copy. Both
        give the same report (``tests/test_shacl_engines.py``).
    """
    if engine not in ENGINES:
        raise UsageError(f"unknown validation engine {engine!r} (use {', '.join(ENGINES)})")
    project = Graph()
    for triple in load_ontology(ontology_dir):
        project.add(normalise_triple(triple))
    shapes = shapes if shapes is not None else load_shapes(ontology_dir)
    if engine == "pyshacl":
        graph, ignored = _data_without_vocabulary(data, project)
        return _pyshacl_report(graph, shapes, ignored)
    store, ignored = _validation_store(data, project)
    names = Graph()  # the prefixes of the report: those of the pyshacl engine's union graph
    bind_prefixes(names)
    return _oxigraph_report(store, shapes, ignored, names)


def check_graph(graph: Graph, shapes: Graph, *, engine: str = "oxigraph") -> ValidationReport:
    """Check exactly the triples of *graph* against *shapes*: nothing is added or left out
    (unlike :func:`validate_graph`). For shape tests, whose fixtures bring their own concepts
    and schemes.

    Parameters
    ----------
    graph
        The triples to check; IRIs in the report are shortened with its prefixes.
    shapes
        The shapes graph.
    engine
        ``"oxigraph"`` or ``"pyshacl"``, as for :func:`validate_graph`.
    """
    if engine not in ENGINES:
        raise UsageError(f"unknown validation engine {engine!r} (use {', '.join(ENGINES)})")
    if engine == "pyshacl":
        return _pyshacl_report(graph, shapes, 0)
    store = ox.Store()
    store.bulk_extend(ox.Quad(*(to_oxigraph(t) for t in normalise_triple(x))) for x in graph)
    return _oxigraph_report(store, shapes, 0, graph)


def _pyshacl_report(graph: Graph, shapes: Graph, ignored: int) -> ValidationReport:
    from pyshacl import validate as shacl_validate  # the reference engine only: slow import

    conforms, results, _text = shacl_validate(
        graph,
        shacl_graph=shapes,
        inference="none",
        advanced=True,
        allow_warnings=True,
        do_owl_imports=False,  # never fetch owl:imports of the data or the shapes
    )
    bind_prefixes(results)
    violations = []
    for result in results.subjects(RDF.type, SH.ValidationResult):
        focus = results.value(result, SH.focusNode)
        message = results.value(result, SH.resultMessage)
        severity = results.value(result, SH.resultSeverity)
        violations.append(
            Violation(
                focus=str(focus),
                path=_short(graph, results.value(result, SH.resultPath)),
                message=str(message) if isinstance(message, Literal) else "constraint violated",
                severity=str(severity).rsplit("#", 1)[-1] if severity else "Violation",
                shape=_short(shapes, _node_shape(shapes, results.value(result, SH.sourceShape))),
                value=_short(graph, results.value(result, SH.value)),
                label=_first(graph.objects(focus, SKOS.prefLabel)),
                locator=_first(graph.objects(focus, BIOECO.locator)),
            )
        )
    return ValidationReport(bool(conforms), sorted(violations), len(graph), ignored)


def _first(values: Iterable[Node]) -> str:
    """The first of several labels (or locators) in a fixed order: by language tag, then
    text, so a report does not depend on the order a store returns them in."""
    best = min(values, key=lambda v: (getattr(v, "language", None) or "", str(v)), default=None)
    return "" if best is None else str(best)


def _node_shape(shapes: Graph, shape: Node | None) -> Node | None:
    """The named node shape a result's source shape belongs to (a property shape, a nested
    shape or a list item is a blank node inside it)."""
    seen = set()
    while isinstance(shape, BNode) and shape not in seen:
        seen.add(shape)
        owner = next(iter(sorted(shapes.subjects(None, shape), key=str)), None)
        if owner is None:
            break
        shape = owner
    return shape


def _oxigraph_report(
    store: ox.Store, shapes: Graph, ignored: int, names: Graph
) -> ValidationReport:
    """Run the compiled shapes on *store*; IRIs in the report are shortened with the
    prefixes of *names*."""
    classes: dict[URIRef, list[URIRef] | None] = {}

    def closure(cls: URIRef) -> list[URIRef] | None:
        """*cls* and its subclasses in the data; ``None`` if one is not an IRI."""
        if cls not in classes:
            query = f"SELECT DISTINCT ?c WHERE {{ ?c <{RDFS.subClassOf}>* <{cls}> }}"
            found = [row["c"] for row in store.query(query)]
            named = all(isinstance(c, ox.NamedNode) for c in found)
            classes[cls] = sorted({URIRef(c.value) for c in found} | {cls}) if named else None
        return classes[cls]

    checks = compile_shapes(shapes, closure)

    def collect() -> list[tuple[Check, ox.Term, ox.Term | None]]:
        return list(run_checks(store, checks))

    # on the thread that cannot open connections, as every query (bioeco.store.sandbox)
    found = sandbox.run_offline(collect) if sandbox.available() else collect()
    rows = []
    for check, focus_term, value_term in found:
        if check.kind == "nested":
            focus_term, value_term = value_term, None
        rows.append((check, focus_term, value_term))
    details: dict[ox.Term, tuple[str, str]] = {}
    for _check, focus_term, _value in rows:
        if isinstance(focus_term, ox.Literal):  # a literal has no label (nested results)
            details[focus_term] = ("", "")
        elif focus_term not in details:
            labels = [
                to_rdflib(q.object) for q in store.quads_for_pattern(focus_term, _LABEL, None)
            ]
            places = [
                to_rdflib(q.object) for q in store.quads_for_pattern(focus_term, _LOCATOR, None)
            ]
            details[focus_term] = (_first(labels), _first(places))
    violations = []
    for check, focus_term, value_term in rows:
        focus = to_rdflib(focus_term)
        message = check.message
        if message is None:
            message = _default_message(check, focus, names, shapes)
        label, locator = details[focus_term]
        violations.append(
            Violation(
                focus=str(focus),
                path=_short(names, check.path),
                message=message,
                severity=check.severity,
                shape=_short(shapes, check.shape),
                value=_short(names, to_rdflib(value_term)) if value_term is not None else "",
                label=label,
                locator=locator,
            )
        )
    return ValidationReport(not violations, sorted(violations), len(store), ignored)


_LABEL = ox.NamedNode(str(SKOS.prefLabel))
_LOCATOR = ox.NamedNode(str(BIOECO.locator))


def _default_message(check: Check, focus: Node, names: Graph, shapes: Graph) -> str:
    """pyshacl's own message for a nested ``sh:hasValue`` result that has no sh:message
    (written by pyshacl's own function, so both engines say the same)."""
    from pyshacl.rdfutil.stringify import stringify_node

    if check.kind != "nested" or check.has_value is None or check.path is None:
        raise UnsupportedShape(f"a constraint of {check.shape} without sh:message")
    focus = normalise_triple((focus, focus, focus))[2]  # "x"^^xsd:string is "x", as in rdflib
    the_set = [stringify_node(shapes, check.has_value)]
    node = stringify_node(names, focus)
    path = stringify_node(shapes, check.path)
    return f"Node {node}->{path} does not contain a value in the set: {the_set}"


def _native_store(data: Dataset | Graph) -> ox.Store | None:
    """The pyoxigraph store behind an oxrdflib Dataset (all its graphs), else ``None``."""
    if not isinstance(data, Dataset):
        return None
    native = getattr(data.store, "_inner", None)
    return native if isinstance(native, ox.Store) else None


def _validation_store(data: Dataset | Graph, project: Graph) -> tuple[ox.Store, int]:
    """A new in-memory Oxigraph store with the union of *data* in its default graph, less
    the triples that redefine the project's vocabulary (see :func:`_data_without_vocabulary`),
    plus the project's ontology and schemes. Returns the store and the number of triples
    left out."""
    store = ox.Store()
    native = _native_store(data)
    if native is not None:
        store.bulk_extend(
            ox.Quad(q.subject, q.predicate, q.object)
            for q in native.quads_for_pattern(None, None, None, None)
        )
    else:
        graphs = data.graphs() if isinstance(data, Dataset) else [data]
        store.bulk_extend(
            ox.Quad(*(to_oxigraph(t) for t in normalise_triple(triple)))
            for graph in graphs
            for triple in graph
        )
    starts = " || ".join(f'STRSTARTS(STR(?s), "{v}")' for v in _VOCABULARY)
    defines = " || ".join(f'STRSTARTS(STR(?p), "{d}")' for d in _DEFINING)
    query = f"SELECT ?s ?p ?o WHERE {{ ?s ?p ?o FILTER(isIRI(?s) && ({starts}) && ({defines})) }}"
    ignored = 0
    for row in list(store.query(query)):
        s, p, o = (to_rdflib(row[k]) for k in ("s", "p", "o"))
        s, p, o = normalise_triple((s, p, o))
        if isinstance(o, BNode):  # e.g. an owl:oneOf list: blank node ids differ per parse
            known = any(isinstance(x, BNode) for x in project.objects(s, p))
        else:
            known = (s, p, o) in project
        if not known:
            store.remove(ox.Quad(row["s"], row["p"], row["o"]))
            ignored += 1
    store.bulk_extend(ox.Quad(*(to_oxigraph(t) for t in triple)) for triple in project)
    return store, ignored


_VOCABULARY = (str(BIOECO), str(BID) + "concept/", str(BID) + "scheme/")
# predicates that define a term (its class, scheme, place in a hierarchy, code, label …);
# statements about a term in the project's own properties (e.g. a source saying a sector is
# centred in a region, bioeco:centredIn) are data and stay
_DEFINING = (
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "http://www.w3.org/2000/01/rdf-schema#",
    "http://www.w3.org/2002/07/owl#",
    "http://www.w3.org/2004/02/skos/core#",
    "http://www.w3.org/ns/shacl#",
)


def _data_without_vocabulary(data: Dataset | Graph, project: Graph) -> tuple[Graph, int]:
    """The union of *data* plus the project's ontology, without the triples of *data* that
    define an ontology, scheme or concept IRI (RDF, RDFS, OWL, SKOS or SHACL predicates) in a
    way the project's own ontology does not: an input may use the vocabulary, never extend or
    redefine it (else a file
    could add a sector code that the loader refuses and pass validation). Returns the graph
    and the number of triples left out."""
    graph = union_graph(data)
    ignored = 0
    for s, p, o in list(graph):
        if not (isinstance(s, URIRef) and str(s).startswith(_VOCABULARY)):
            continue
        if not str(p).startswith(_DEFINING):
            continue
        if isinstance(o, BNode):  # e.g. an owl:oneOf list: blank node ids differ per parse
            known = any(isinstance(x, BNode) for x in project.objects(s, p))
        else:
            known = (s, p, o) in project
        if not known:
            graph.remove((s, p, o))
            ignored += 1
    for triple in project:
        graph.add(triple)
    return graph, ignored
