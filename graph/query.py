"""SPARQL over a bioeco graph (local store or endpoint URL), answered as pandas DataFrames."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd
from pyparsing import ParseException, ParseResults
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
from rdflib.query import Result

from graph.errors import NetworkRefused, QueryError
from graph.vocab import PREFIXES

__all__ = [
    "PREFIX_HEADER",
    "check_query",
    "select",
    "term_value",
]

PREFIX_HEADER = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())


def _walk(node: Any):
    """Yield every parse-tree node (pyparsing ParseResults / rdflib CompValue) below *node*."""
    stack = [node]
    while stack:
        cur = stack.pop()
        yield cur
        if isinstance(cur, list | tuple | ParseResults):  # before Mapping: ParseResults is both
            stack.extend(list(cur))
        elif isinstance(cur, Mapping):
            stack.extend(cur.values())


def check_query(query: str, *, update: bool = False, offset: int = 0) -> None:
    """Parse *query* and refuse what bioeco never does at run time.

    Raises :class:`~graph.errors.QueryError` for a syntax error and
    :class:`~graph.errors.NetworkRefused` for ``SERVICE`` (federated queries reach the network)
    and for ``LOAD`` in updates.

    Examples
    --------
    >>> check_query("SELECT * WHERE { ?s ?p ?o }")
    >>> check_query("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }")
    Traceback (most recent call last):
    ...
    graph.errors.NetworkRefused: SPARQL SERVICE is refused: bioeco never queries remote endpoints
    """
    try:
        tree = parseUpdate(query) if update else parseQuery(query)
    except ParseException as exc:
        line = exc.lineno - offset
        raise QueryError(f"SPARQL syntax error at line {line}, column {exc.col}") from None
    for node in _walk(tree):
        name = getattr(node, "name", None)
        if name == "ServiceGraphPattern":
            raise NetworkRefused("SPARQL SERVICE is refused: bioeco never queries remote endpoints")
        if name == "Load":
            raise NetworkRefused("SPARQL LOAD is refused: bioeco never fetches remote documents")


def term_value(term: Any) -> Any:
    """Convert an RDF term to a plain Python value for a DataFrame cell.

    IRIs become strings, literals their Python value (dates stay ISO strings when rdflib
    cannot convert them), unbound variables ``None``.

    Examples
    --------
    >>> term_value(URIRef("http://example.org/a"))
    'http://example.org/a'
    >>> term_value(Literal(3))
    3
    >>> term_value(None) is None
    True
    """
    if term is None:
        return None
    if isinstance(term, URIRef | BNode):
        return str(term)
    if isinstance(term, Literal):
        value = term.toPython()
        return str(term) if isinstance(value, Literal) else value
    return term


def _to_frame(result: Result) -> pd.DataFrame:
    if result.type == "ASK":
        return pd.DataFrame({"ask": [bool(result.askAnswer)]})
    if result.type in ("CONSTRUCT", "DESCRIBE"):
        rows = sorted((str(s), str(p), str(o)) for s, p, o in result.graph)
        return pd.DataFrame(rows, columns=["subject", "predicate", "object"])
    columns = [str(v) for v in result.vars or []]
    rows = [[term_value(row.get(v)) for v in result.vars] for row in result.bindings]
    return pd.DataFrame(rows, columns=columns)


def select(graph: Graph | Dataset, query: str, *, prefixes: bool = True) -> pd.DataFrame:
    """Run a SPARQL query on *graph* and return the answer as a DataFrame.

    On a :class:`rdflib.Dataset` the default graph is the union of all named graphs, so
    plain queries see every source; use ``GRAPH ?g { ... }`` to ask per source.
    The project's prefixes (``bioeco:``, ``org:``, ``skos:`` …) are predeclared unless
    *prefixes* is False. SELECT gives one column per variable, ASK a single ``ask`` column,
    CONSTRUCT/DESCRIBE sorted ``subject, predicate, object`` rows.

    Examples
    --------
    >>> from rdflib import Graph
    >>> g = Graph().parse(data='''
    ... @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
    ... <http://example.org/a> skos:prefLabel "A" .''', format="turtle")
    >>> select(g, "SELECT ?x ?label WHERE { ?x skos:prefLabel ?label }")
                           x label
    0  http://example.org/a     A
    """
    text = (PREFIX_HEADER + query) if prefixes else query
    check_query(text, offset=PREFIX_HEADER.count("\n") if prefixes else 0)
    try:
        result = graph.query(text)
        return _to_frame(result)
    except (QueryError, NetworkRefused):
        raise
    except Exception as exc:  # the engines raise many unrelated types
        raise QueryError(f"SPARQL evaluation failed: {exc}") from None
