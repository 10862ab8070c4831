"""The concept schemes of ``ontology/schemes``: codes, labels and the classes they stand for."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from rdflib import Graph, URIRef

from bioeco.core.paths import ontology_files
from bioeco.core.safeio import MAX_GRAPH_BYTES, read_bounded
from bioeco.core.vocab import BID, BIOECO, SKOS
from bioeco.errors import DataError

__all__ = ["load_ontology", "scheme_codes", "type_classes"]


@lru_cache(maxsize=8)
def _ontology(key: tuple[tuple[str, float], ...]) -> Graph:
    g = Graph()
    for path, _mtime in key:
        try:
            g.parse(path, format="turtle")
        except Exception as exc:  # rdflib raises parser-specific types
            raise DataError(f"cannot parse ontology file ({exc})", file=path) from None
    return g


def load_ontology(ontology_dir: Path | None = None) -> Graph:
    """Parse ``bioeco.ttl`` and every scheme file into one in-memory graph (cached by mtime).

    Examples
    --------
    >>> len(load_ontology()) > 100
    True
    """
    key = tuple((str(p), p.stat().st_mtime) for p in ontology_files(ontology_dir))
    return _ontology(key)


def _scheme_name(iri: URIRef) -> str | None:
    prefix = str(BID["scheme/"])
    return str(iri)[len(prefix) :] if str(iri).startswith(prefix) else None


def scheme_codes(ontology_dir: Path | None = None) -> dict[str, set[str]]:
    """Map each concept scheme name to the set of its codes (``skos:notation``).

    Examples
    --------
    >>> codes = scheme_codes()
    >>> sorted(codes["stage"])
    ['capital', 'commercialisation', 'data', 'innovation', 'research', 'sales']
    """
    key = tuple((str(p), p.stat().st_mtime) for p in ontology_files(ontology_dir))
    try:
        codes = _codes(key)
    except Exception:  # a file pyoxigraph does not take: rdflib's parse, and its error
        codes = _rdflib_codes(load_ontology(ontology_dir))
    return {name: set(values) for name, values in codes.items()}


@lru_cache(maxsize=8)
def _codes(key: tuple[tuple[str, float], ...]) -> dict[str, frozenset[str]]:
    """The scheme codes read with pyoxigraph's parser (~40 times faster than rdflib's, which
    the what-if would otherwise pay to check a scenario's codes); a concept has one notation
    (of several, the first in the files is taken)."""
    import pyoxigraph as ox

    scheme_of: dict[object, list[str]] = {}
    notation: dict[object, str] = {}
    in_scheme, skos_notation = str(SKOS.inScheme), str(SKOS.notation)
    for path, _mtime in key:
        text = read_bounded(path, max_bytes=MAX_GRAPH_BYTES)  # the one reader of files
        for q in ox.parse(text, format=ox.RdfFormat.TURTLE):
            p = q.predicate.value
            if p == in_scheme:
                scheme_of.setdefault(_node_key(q.subject, path), []).append(q.object.value)
            elif p == skos_notation and not isinstance(q.object, ox.BlankNode):
                notation.setdefault(_node_key(q.subject, path), q.object.value)
    out: dict[str, set[str]] = {}
    for concept, schemes in scheme_of.items():
        for scheme in schemes:
            name = _scheme_name(URIRef(scheme))
            if name and concept in notation:
                out.setdefault(name, set()).add(notation[concept])
    return {name: frozenset(values) for name, values in out.items()}


def _node_key(node: Any, path: str) -> tuple[str, ...]:
    """An IRI names the same node in every file; a blank node only within its file."""
    if type(node).__name__ == "BlankNode":
        return ("_", path, node.value)
    return ("<>", node.value)


def _rdflib_codes(g: Graph) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for concept, scheme in g.subject_objects(SKOS.inScheme):
        name = _scheme_name(scheme)
        notation = g.value(concept, SKOS.notation)
        if name and notation is not None:
            out.setdefault(name, set()).add(str(notation))
    return out


def type_classes(scheme: str, ontology_dir: Path | None = None) -> dict[str, URIRef]:
    """Map each code of an actor-type or initiative-type scheme to its OWL class.

    Examples
    --------
    >>> type_classes("actor-type")["company"]
    rdflib.term.URIRef('https://w3id.org/bioeco/ontology#Company')
    """
    g = load_ontology(ontology_dir)
    out: dict[str, URIRef] = {}
    for concept in g.subjects(SKOS.inScheme, BID[f"scheme/{scheme}"]):
        notation = g.value(concept, SKOS.notation)
        cls = g.value(concept, BIOECO.correspondingClass)
        if notation is not None and isinstance(cls, URIRef):
            out[str(notation)] = cls
    return out
