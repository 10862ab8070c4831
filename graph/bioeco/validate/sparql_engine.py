"""SHACL shapes compiled to SPARQL queries that run on Oxigraph.

Every constraint of ``ontology/shapes.ttl`` becomes one SPARQL ``SELECT`` that returns the
focus nodes (and value nodes) that break it, in one pass over the whole graph; Oxigraph
answers them in compiled code. The results are the ones pyshacl gives (same focus nodes,
paths, values and messages, also the nested results of a failed ``sh:node``), which
``tests/test_shacl_engines.py`` checks on every shape fixture, on ``data/`` and on synthetic
graphs with injected violations.

Only the SHACL features the project's shapes use are compiled; a shape that uses anything
else raises :class:`UnsupportedShape` (never a silent pass), and ``validate_graph(...,
engine="pyshacl")`` remains the reference validator.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

from bioeco.core.vocab import RDF, RDFS, SH
from bioeco.errors import DataError

__all__ = ["Check", "UnsupportedShape", "compile_shapes", "run_checks"]

XSD_NS = "http://www.w3.org/2001/XMLSchema#"
_CASTABLE = {
    XSD_NS + name
    for name in (
        "boolean",
        "date",
        "dateTime",
        "decimal",
        "double",
        "float",
        "gYear",
        "gYearMonth",
        "integer",
        "time",
        "duration",
    )
}
"""Datatypes whose lexical form Oxigraph can check with a cast (an ill-typed literal such as
``"2021-13"^^xsd:gYearMonth`` fails ``sh:datatype``, as in pyshacl)."""

_TARGETS = (SH.targetClass, SH.target, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)

# shape predicates that carry no constraint (or are read where the constraint is compiled)
_ANNOTATIONS = {
    RDF.type,
    RDFS.label,
    RDFS.comment,
    SH.message,
    SH.severity,
    SH.name,
    SH.description,
    SH.path,
    SH.property,
    SH.targetClass,
    SH.target,
    SH.qualifiedMinCount,
    SH.qualifiedMaxCount,
    SH.flags,
}
_VALUE_CONSTRAINTS = {
    SH.datatype,
    SH["class"],
    SH["in"],
    SH.nodeKind,
    SH.pattern,
    SH.languageIn,
    SH.minInclusive,
    SH.maxInclusive,
    SH.minExclusive,
    SH.maxExclusive,
    SH.hasValue,
    SH.node,
    SH["or"],
    SH.xone,
    SH["and"],
    SH["not"],
}
_PROPERTY_ONLY = {
    SH.minCount,
    SH.maxCount,
    SH.uniqueLang,
    SH.equals,
    SH.disjoint,
    SH.qualifiedValueShape,
}


class UnsupportedShape(DataError):
    """The shapes use a SHACL feature this compiler does not translate (use the pyshacl
    engine for them)."""


@dataclass(frozen=True)
class Check:
    """One compiled constraint: a query and how its rows become validation results.

    Rows have ``?this`` and, for ``kind == "value"`` and ``"nested"``, ``?value``. ``kind``
    is ``"value"`` (result value = ``?value``), ``"focus"`` (no value), ``"self"`` (a node
    shape's own constraint: the value is the focus node) or ``"nested"`` (a result of an
    inline ``sh:node`` shape: its focus node is ``?value``, it has no value).
    """

    query: str
    kind: str
    path: Node | None
    message: str | None
    severity: str
    shape: Node
    has_value: Node | None = None
    """For ``"nested"`` checks without a message: the ``sh:hasValue`` named in pyshacl's
    default message."""


def _iri(term: Node) -> str:
    text = str(term)
    if any(c in text for c in '<>"{}|^`\\ \n\t'):
        raise UnsupportedShape(f"IRI that cannot be written in SPARQL: {text!r}")
    return f"<{text}>"


def _escape(text: str) -> str:
    return (
        text.replace("\\", "\\\\")
        .replace('"', '\\"')
        .replace("\n", "\\n")
        .replace("\r", "\\r")
        .replace("\t", "\\t")
    )


def _term(term: Node) -> str:
    """A shapes-graph term written as SPARQL."""
    if isinstance(term, URIRef):
        return _iri(term)
    if isinstance(term, Literal):
        text = f'"{_escape(str(term))}"'
        if term.language:
            return f"{text}@{term.language}"
        if term.datatype:
            return f"{text}^^{_iri(term.datatype)}"
        return text
    raise UnsupportedShape(f"blank node {term} as a value in a shape")


class _Compiler:
    def __init__(self, shapes: Graph, closure: Callable[[URIRef], list[URIRef] | None]) -> None:
        self.g = shapes
        self.closure = closure
        self.counter = itertools.count()

    # ------------------------------------------------------------------ helpers
    def var(self) -> str:
        return f"?_v{next(self.counter)}"

    def one(self, node: Node, pred: URIRef) -> Node | None:
        values = list(self.g.objects(node, pred))
        if len(values) > 1:
            raise UnsupportedShape(f"shape {node} has several {pred}")
        return values[0] if values else None

    def items(self, node: Node) -> list[Node]:
        return list(Collection(self.g, node))

    def path(self, node: Node) -> str:
        if isinstance(node, URIRef):
            return _iri(node)
        first = self.g.value(node, RDF.first)
        if first is not None:
            return "(" + "/".join(self.path(x) for x in self.items(node)) + ")"
        inverse = self.g.value(node, SH.inversePath)
        if inverse is not None:
            return f"(^{self.path(inverse)})"
        raise UnsupportedShape(f"path {node} (only IRIs, sequences and sh:inversePath)")

    def typed(self, x: str, cls: URIRef, var: str) -> str:
        """A pattern matching when *x* is an instance of *cls* or of a subclass."""
        classes = self.closure(cls)
        if classes is None:  # a subclass the data names by a blank node: follow the path
            return f"{x} a/<{RDFS.subClassOf}>* {_iri(cls)}"
        return f"VALUES {var} {{ {' '.join(_iri(c) for c in classes)} }} {x} a {var}"

    def instance_of(self, x: str, cls: URIRef) -> str:
        return f"EXISTS {{ {self.typed(x, cls, '?_c')} }}"

    def datatype(self, x: str, dt: URIRef) -> str:
        if dt == RDF.langString:
            return f'(isLiteral({x}) && LANG({x}) != "")'
        test = f"(isLiteral({x}) && DATATYPE({x}) = {_iri(dt)}"
        if str(dt) == XSD_NS + "string":
            return test + f' && LANG({x}) = "")'
        if str(dt) in _CASTABLE:
            return test + f" && COALESCE(isLiteral({_iri(dt)}(STR({x}))), false))"
        return test + ")"

    def check_keys(self, shape: Node, allowed: set[URIRef]) -> None:
        for pred in set(self.g.predicates(shape, None)):
            if pred not in allowed and pred not in _ANNOTATIONS:
                raise UnsupportedShape(f"{pred} in shape {shape}")

    # ------------------------------------------------------------ conformance
    def value_conditions(self, shape: Node, x: str) -> list[str]:
        """SPARQL conditions that hold when node *x* meets the value constraints of *shape*
        (one per constraint, in a stable order)."""
        out: list[tuple[str, str]] = []
        for pred, obj in sorted(self.g.predicate_objects(shape), key=lambda po: str(po)):
            out.extend((str(pred), cond) for cond in self.value_condition(pred, obj, x))
        return [cond for _, cond in out]

    def value_condition(self, pred: URIRef, obj: Node, x: str) -> list[str]:
        if pred == SH.datatype:
            return [self.datatype(x, obj)]
        if pred == SH["class"]:
            return [self.instance_of(x, obj)]
        if pred == SH["in"]:
            options = [f"sameTerm({x}, {_term(v)})" for v in self.items(obj)]
            return ["(" + (" || ".join(options) or "false") + ")"]
        if pred == SH.nodeKind:
            kinds = {
                SH.IRI: f"isIRI({x})",
                SH.Literal: f"isLiteral({x})",
                SH.BlankNode: f"isBlank({x})",
                SH.BlankNodeOrIRI: f"(isBlank({x}) || isIRI({x}))",
                SH.BlankNodeOrLiteral: f"(isBlank({x}) || isLiteral({x}))",
                SH.IRIOrLiteral: f"(isIRI({x}) || isLiteral({x}))",
            }
            if obj not in kinds:
                raise UnsupportedShape(f"sh:nodeKind {obj}")
            return [kinds[obj]]
        if pred == SH.pattern:
            return [self.pattern(x, obj, None)]
        if pred == SH.languageIn:
            tags = [f'langMatches(LANG({x}), "{_escape(str(t))}")' for t in self.items(obj)]
            return [f"(isLiteral({x}) && (" + (" || ".join(tags) or "false") + "))"]
        compare = {
            SH.minInclusive: ">=",
            SH.maxInclusive: "<=",
            SH.minExclusive: ">",
            SH.maxExclusive: "<",
        }
        if pred in compare:
            return [f"COALESCE({x} {compare[pred]} {_term(obj)}, false)"]
        if pred == SH.hasValue:
            return [f"sameTerm({x}, {_term(obj)})"]
        if pred == SH.node:
            return [self.conforms(obj, x)]
        if pred == SH["or"]:
            return ["(" + " || ".join(self.conforms(s, x) for s in self.items(obj)) + ")"]
        if pred == SH["and"]:
            return ["(" + " && ".join(self.conforms(s, x) for s in self.items(obj)) + ")"]
        if pred == SH.xone:
            ones = " + ".join(f"IF({self.conforms(s, x)}, 1, 0)" for s in self.items(obj))
            return [f"(({ones}) = 1)"]
        if pred == SH["not"]:
            return [f"(!{self.conforms(obj, x)})"]
        if pred == SH.property:
            return [self.property_conforms(obj, x)]
        return []

    def pattern(self, x: str, regex: Node, flags: Node | None) -> str:
        flag = f', "{_escape(str(flags))}"' if flags is not None else ""
        return f'(!isBlank({x}) && REGEX(STR({x}), "{_escape(str(regex))}"{flag}))'

    def conforms(self, shape: Node, x: str) -> str:
        """A SPARQL expression true when node *x* conforms to *shape* (a nested shape:
        value constraints and property shapes with counts or value constraints)."""
        if (shape, SH.path, None) in self.g:  # a property shape as an alternative
            return self.property_conforms(shape, x)
        self.check_keys(shape, _VALUE_CONSTRAINTS)
        conds = self.value_conditions(shape, x)
        if self.one(shape, SH.pattern) is not None and self.one(shape, SH.flags) is not None:
            raise UnsupportedShape("sh:flags in a nested shape")
        return "(" + (" && ".join(conds) or "true") + ")"

    def property_conforms(self, prop: Node, x: str) -> str:
        self.check_keys(prop, _VALUE_CONSTRAINTS | {SH.minCount, SH.maxCount})
        path = self.path(self.g.value(prop, SH.path))
        conds = []
        v = self.var()
        low = self.one(prop, SH.minCount)
        high = self.one(prop, SH.maxCount)
        if (low is not None and int(low) > 1) or (high is not None and int(high) > 0):
            raise UnsupportedShape(f"counts other than minCount 1 / maxCount 0 in {prop}")
        if low is not None and int(low) == 1:
            conds.append(f"EXISTS {{ {x} {path} {v} }}")
        if high is not None:
            conds.append(f"NOT EXISTS {{ {x} {path} {v} }}")
        for pred, obj in sorted(self.g.predicate_objects(prop), key=lambda po: str(po)):
            if pred == SH.hasValue:
                conds.append(f"EXISTS {{ {x} {path} {_term(obj)} }}")
            elif pred in _VALUE_CONSTRAINTS:
                each = self.value_condition(pred, obj, v)
                conds += [f"NOT EXISTS {{ {x} {path} {v} FILTER(!{c}) }}" for c in each]
        return "(" + (" && ".join(conds) or "true") + ")"

    # ------------------------------------------------------------------ checks
    def target(self, shape: Node, prefixes: dict[str, str]) -> str:
        parts = []
        for pred, obj in sorted(self.g.predicate_objects(shape), key=lambda po: str(po)):
            if pred == SH.targetClass:
                where = self.typed("?this", obj, "?_t")
                parts.append(f"{{ SELECT DISTINCT ?this WHERE {{ {where} }} }}")
            elif pred == SH.target:
                if (obj, RDF.type, SH.SPARQLTarget) not in self.g:
                    raise UnsupportedShape(f"sh:target {obj} (only sh:SPARQLTarget)")
                for decl_owner in self.g.objects(obj, SH.prefixes):
                    for decl in self.g.objects(decl_owner, SH.declare):
                        prefixes[str(self.g.value(decl, SH.prefix))] = str(
                            self.g.value(decl, SH.namespace)
                        )
                select = str(self.g.value(obj, SH.select))
                if re.search(r"\bSERVICE\b", select, re.IGNORECASE):
                    raise UnsupportedShape(f"SERVICE in the SPARQL target of {shape}")
                parts.append(f"{{ {select} }}")
            elif pred in _TARGETS:
                raise UnsupportedShape(f"{pred} in {shape}")
        return " UNION ".join(parts)

    def node_shape(self, shape: Node) -> Iterator[tuple[str, str, dict]]:
        """(kind, query body, result fields) for every constraint of a node shape."""
        prefixes: dict[str, str] = {}
        target = self.target(shape, prefixes)
        head = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in sorted(prefixes.items()))
        self.check_keys(shape, _VALUE_CONSTRAINTS)
        base = {"shape": shape, "severity": self.severity(shape)}
        # constraints of the node shape itself: the value is the focus node
        for pred, obj in sorted(self.g.predicate_objects(shape), key=lambda po: str(po)):
            if pred == SH.property:
                continue
            for cond in self.value_condition(pred, obj, "?this"):
                body = f"SELECT DISTINCT ?this WHERE {{ {target} FILTER(!{cond}) }}"
                yield "self", head + body, {**base, "message": self.message(shape), "path": None}
        for prop in sorted(self.g.objects(shape, SH.property), key=str):
            yield from self.property_shape(shape, prop, target, head)

    def severity(self, shape: Node) -> str:
        sev = self.one(shape, SH.severity)
        return str(sev).rsplit("#", 1)[-1] if sev is not None else "Violation"

    def message(self, shape: Node) -> str | None:
        msg = self.one(shape, SH.message)
        return str(msg) if msg is not None else None

    def property_shape(
        self, owner: Node, prop: Node, target: str, head: str
    ) -> Iterator[tuple[str, str, dict]]:
        self.check_keys(prop, _VALUE_CONSTRAINTS | _PROPERTY_ONLY)
        path_node = self.g.value(prop, SH.path)
        if not isinstance(path_node, URIRef):
            raise UnsupportedShape(f"result path {path_node} (only IRIs at the top level)")
        path = self.path(path_node)
        fields = {
            "shape": owner,
            "severity": self.severity(prop),
            "message": self.message(prop),
            "path": path_node,
        }
        t = target

        def q(select: str, where: str, tail: str = "") -> str:
            return f"{head}SELECT {select} WHERE {{ {t} {where} }}{tail}"

        for pred, obj in sorted(self.g.predicate_objects(prop), key=lambda po: str(po)):
            if pred == SH.minCount:
                n = int(obj)
                if n == 1:
                    yield (
                        "focus",
                        q("?this", f"FILTER NOT EXISTS {{ ?this {path} ?value }}"),
                        fields,
                    )
                elif n > 1:
                    yield (
                        "focus",
                        q(
                            "?this",
                            f"OPTIONAL {{ ?this {path} ?value }}",
                            f" GROUP BY ?this HAVING (COUNT(DISTINCT ?value) < {n})",
                        ),
                        fields,
                    )
            elif pred == SH.maxCount:
                n = int(obj)
                yield (
                    "focus",
                    q(
                        "?this",
                        f"?this {path} ?value",
                        f" GROUP BY ?this HAVING (COUNT(DISTINCT ?value) > {n})",
                    ),
                    fields,
                )
            elif pred == SH.uniqueLang:
                if obj.toPython() is True:
                    yield (
                        "focus",
                        q(
                            "?this",
                            f'?this {path} ?value FILTER(LANG(?value) != "") '
                            "BIND(LCASE(LANG(?value)) AS ?lang)",
                            " GROUP BY ?this ?lang HAVING (COUNT(DISTINCT ?value) > 1)",
                        ),
                        fields,
                    )
            elif pred == SH.equals:
                other = _iri(obj)
                yield (
                    "value",
                    q(
                        "DISTINCT ?this ?value",
                        f"{{ ?this {path} ?value "
                        f"FILTER NOT EXISTS {{ ?this {other} ?value }} }} UNION "
                        f"{{ ?this {other} ?value "
                        f"FILTER NOT EXISTS {{ ?this {path} ?value }} }}",
                    ),
                    fields,
                )
            elif pred == SH.disjoint:
                yield (
                    "value",
                    q("DISTINCT ?this ?value", f"?this {path} ?value . ?this {_iri(obj)} ?value"),
                    fields,
                )
            elif pred == SH.qualifiedValueShape:
                if self.one(prop, SH.qualifiedValueShapesDisjoint) not in (None, Literal(False)):
                    raise UnsupportedShape("sh:qualifiedValueShapesDisjoint")
                cond = self.conforms(obj, "?value")
                where = f"OPTIONAL {{ ?this {path} ?value FILTER({cond}) }}"
                low = self.one(prop, SH.qualifiedMinCount)
                high = self.one(prop, SH.qualifiedMaxCount)
                if low is not None:
                    having = f" GROUP BY ?this HAVING (COUNT(DISTINCT ?value) < {int(low)})"
                    yield "focus", q("?this", where, having), fields
                if high is not None:
                    having = f" GROUP BY ?this HAVING (COUNT(DISTINCT ?value) > {int(high)})"
                    yield "focus", q("?this", where, having), fields
            elif pred == SH.hasValue:
                yield (
                    "focus",
                    q("?this", f"FILTER NOT EXISTS {{ ?this {path} {_term(obj)} }}"),
                    fields,
                )
            elif pred == SH.pattern:
                cond = self.pattern("?value", obj, self.one(prop, SH.flags))
                yield (
                    "value",
                    q("DISTINCT ?this ?value", f"?this {path} ?value FILTER(!{cond})"),
                    fields,
                )
            elif pred in _VALUE_CONSTRAINTS:
                for cond in self.value_condition(pred, obj, "?value"):
                    where = f"?this {path} ?value FILTER(!{cond})"
                    yield "value", q("DISTINCT ?this ?value", where), fields
                if pred == SH.node:
                    yield from self.nested(obj, fields, q, path)

    def nested(self, shape: Node, fields: dict, q: Callable, path: str) -> Iterator:
        """pyshacl reports, under a failed ``sh:node``, the results of the inline shape for
        the value node: one per (focus, value) and failing property constraint."""
        self.check_keys(shape, {SH.property})
        for prop in sorted(self.g.objects(shape, SH.property), key=str):
            self.check_keys(prop, {SH.hasValue})
            inner_path = self.g.value(prop, SH.path)
            if not isinstance(inner_path, URIRef):
                raise UnsupportedShape(f"nested result path {inner_path}")
            for value in self.g.objects(prop, SH.hasValue):
                cond = f"EXISTS {{ ?value {_iri(inner_path)} {_term(value)} }}"
                where = f"?this {path} ?value FILTER(!{cond})"
                yield (
                    "nested",
                    q("?this ?value", where),
                    {
                        "shape": fields["shape"],
                        "severity": self.severity(prop),
                        "message": self.message(prop),
                        "path": inner_path,
                        "has_value": value,
                    },
                )


def compile_shapes(shapes: Graph, closure: Callable[[URIRef], list[URIRef] | None]) -> list[Check]:
    """Compile every node shape with a target into :class:`Check` queries.

    Parameters
    ----------
    shapes
        The shapes graph (``ontology/shapes.ttl``).
    closure
        A class and its subclasses in the data (``rdfs:subClassOf*``), for
        ``sh:targetClass`` and ``sh:class``; ``None`` when one of them is a blank node (the
        queries then follow ``rdf:type/rdfs:subClassOf*`` themselves).

    Returns
    -------
    list of Check
        One or more queries per constraint, in a fixed order.

    Raises
    ------
    UnsupportedShape
        For a SHACL feature that is not translated (it is never skipped).
    """
    compiler = _Compiler(shapes, closure)
    with_target = {s for t in _TARGETS for s in shapes.subjects(t, None)}
    for shape in with_target:
        if (shape, RDF.type, SH.PropertyShape) in shapes or (shape, SH.path, None) in shapes:
            raise UnsupportedShape(f"property shape {shape} with a target")
        if (shape, SH.deactivated, None) in shapes:
            raise UnsupportedShape(f"sh:deactivated in {shape}")
    checks = []
    for shape in sorted(with_target, key=str):
        for kind, query, fields in compiler.node_shape(shape):
            checks.append(Check(query=query, kind=kind, **fields))
    return checks


def run_checks(
    store: ox.Store, checks: list[Check]
) -> Iterator[tuple[Check, ox.Term, ox.Term | None]]:
    """Run the compiled checks on *store*.

    Parameters
    ----------
    store
        The graph to check, all of it in the default graph.
    checks
        From :func:`compile_shapes`.

    Yields
    ------
    tuple
        ``(check, focus, value)`` for every result; ``value`` is ``None`` where a result has
        none (for ``"nested"`` checks, ``value`` is the focus of the nested result).
    """
    for check in checks:
        for row in store.query(check.query):
            this = row["this"]
            if this is None:
                continue
            value = row["value"] if check.kind in ("value", "nested") else None
            if check.kind == "self":
                value = this
            yield check, this, value
