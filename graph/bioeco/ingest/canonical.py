"""Canonical order and labels of triples: the sort key every serialiser of the graph shares.

rdflib terms are ordered by ``n3()`` with ``rdf:type`` first within a subject; blank nodes get
rdflib's canonical labels. :class:`OxKeys` and :func:`native_rows` give the same keys for
Oxigraph terms without making rdflib triples.
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import to_canonical_graph

from bioeco.core.vocab import RDF, XSD
from bioeco.store.dataset import normalise_triple, to_oxigraph, to_rdflib

__all__ = ["OxKeys", "canonical", "has_blank", "native_rows", "sort_key"]


def sort_key(triple: tuple) -> tuple:
    s, p, o = triple
    return (s.n3(), p != RDF.type, p.n3(), o.n3())  # rdf:type first within a subject


def canonical(triples: Iterable, scope: str = "") -> list[tuple]:
    """The triples, plain literals normalised, blank nodes relabelled canonically (prefixed
    with *scope* so labels of different graphs in one TriG file never collide), sorted."""
    unique = {normalise_triple(t) for t in triples}
    if any(isinstance(term, BNode) for t in unique for term in t):
        g = Graph()
        for t in unique:
            g.add(t)
        unique = {
            tuple(BNode(f"{scope}{term}") if isinstance(term, BNode) else term for term in t)
            for t in to_canonical_graph(g)
        }
    return sorted(unique, key=sort_key)


_RDF_TYPE = str(RDF.type)
_XSD_STRING = str(XSD.string)


class OxKeys:
    """Sort keys and output terms for Oxigraph terms, equal to what :func:`canonical` and
    :func:`to_oxigraph` give for the same terms read through rdflib (``n3()`` of the rdflib term,
    rdflib's normalised lexical form), computed without making rdflib triples. Literals go
    through rdflib once per distinct literal (cached), so its lexical normalisation
    (``"01"^^xsd:integer`` → ``"1"``) and ``n3()`` quoting apply exactly as before."""

    def __init__(self) -> None:
        self.literals: dict[ox.Literal, tuple[str, ox.Literal]] = {}

    def key(self, term: ox.NamedNode | ox.Literal) -> tuple[str, ox.NamedNode | ox.Literal]:
        if isinstance(term, ox.NamedNode):
            return f"<{term.value}>", term
        done = self.literals.get(term)
        if done is None:
            if term.language:
                lit = Literal(term.value, lang=term.language)
            elif term.datatype.value == _XSD_STRING:
                lit = Literal(term.value)
            else:
                lit = Literal(term.value, datatype=URIRef(term.datatype.value))
            done = self.literals[term] = (lit.n3(), to_oxigraph(lit))
        return done


def has_blank(q: ox.Quad | ox.Triple) -> bool:
    return isinstance(q.subject, ox.BlankNode) or isinstance(q.object, ox.BlankNode)


def native_rows(triples: Iterable[ox.Quad | ox.Triple], keys: OxKeys, scope: str) -> dict:
    """{sort key: (s, p, o) Oxigraph terms} of *triples*, as :func:`canonical` orders and
    labels them: triples without blank nodes keyed directly; those with blank nodes go through
    :func:`canonical` (rdflib's canonical labels, computed from the blank-node triples only:
    the other triples do not change them)."""
    rows: dict[tuple, tuple] = {}
    blank = []
    for q in triples:
        s, p, o = q.subject, q.predicate, q.object
        if isinstance(s, ox.Triple) or isinstance(o, ox.Triple):
            raise TypeError("quoted triples are not part of the vocabulary")
        if has_blank(q):
            blank.append((to_rdflib(s), to_rdflib(p), to_rdflib(o)))
            continue
        ok, oterm = keys.key(o)
        rows[(f"<{s.value}>", p.value != _RDF_TYPE, f"<{p.value}>", ok)] = (s, p, oterm)
    for t in canonical(blank, scope=scope) if blank else ():
        rows[sort_key(t)] = tuple(to_oxigraph(x) for x in t)
    return rows
