"""SHACL validation of the graph against ``ontology/shapes.ttl`` with a readable report."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pyshacl import validate as shacl_validate
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.term import Node

from bioeco.errors import DataError
from bioeco.formats import escape_controls
from bioeco.paths import ONTOLOGY_DIR
from bioeco.schemes import load_ontology
from bioeco.store import normalise_triple, union_graph
from bioeco.vocab import BID, BIOECO, RDF, SH, SKOS, bind_prefixes

__all__ = ["ValidationReport", "Violation", "load_shapes", "validate_graph"]


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


def validate_graph(
    data: Dataset | Graph,
    *,
    ontology_dir: Path | None = None,
    shapes: Graph | None = None,
) -> ValidationReport:
    """Validate *data* (a Dataset's union, or a Graph) against the SHACL shapes.

    The ontology and concept schemes are added to the data graph (so scheme membership and
    class hierarchy are visible to the shapes); no inference is run and ``owl:imports`` are
    never followed (nothing is fetched).
    """
    project = Graph()
    for triple in load_ontology(ontology_dir):
        project.add(normalise_triple(triple))
    graph, ignored = _data_without_vocabulary(data, project)
    shapes = shapes if shapes is not None else load_shapes(ontology_dir)
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
        label = graph.value(focus, SKOS.prefLabel) if focus is not None else None
        locator = graph.value(focus, BIOECO.locator) if focus is not None else None
        message = results.value(result, SH.resultMessage)
        severity = results.value(result, SH.resultSeverity)
        violations.append(
            Violation(
                focus=str(focus),
                path=_short(graph, results.value(result, SH.resultPath)),
                message=str(message) if isinstance(message, Literal) else "constraint violated",
                severity=str(severity).rsplit("#", 1)[-1] if severity else "Violation",
                shape=_short(shapes, results.value(result, SH.sourceShape)),
                value=_short(graph, results.value(result, SH.value)),
                label=str(label) if label is not None else "",
                locator=str(locator) if locator is not None else "",
            )
        )
    return ValidationReport(bool(conforms), sorted(violations), len(graph), ignored)


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
