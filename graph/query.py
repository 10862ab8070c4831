"""SPARQL over a bioeco graph, answered as pandas DataFrames; nothing ever reaches the network.

Guards, all applied before a query runs (:func:`check_query`, :func:`select`):

- ``SERVICE`` (federated query) is refused, found twice: in rdflib's parse tree and by a
  lexical scan of the text (keywords outside strings, IRIs and comments, with ``\\uXXXX``
  escapes expanded or not), so a parser difference between rdflib and Oxigraph (which does
  run SERVICE over HTTP) cannot let one through. ``LOAD`` in updates is refused.
- ``FROM`` / ``FROM NAMED`` may only name graphs of the dataset being queried (e.g.
  ``FROM <https://w3id.org/bioeco/graph/source/dln-2017>``); any other IRI is refused instead
  of being downloaded, and rdflib's ``SPARQL_LOAD_GRAPHS`` is switched off at import so its own
  engine never fetches a graph either.
- ``DESCRIBE <iri>`` describes the local resource; nothing is dereferenced.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Mapping
from typing import Any

import pandas as pd
import rdflib.plugins.sparql
from pyparsing import ParseException, ParseResults
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.plugins.sparql.parser import expandUnicodeEscapes, parseQuery, parseUpdate
from rdflib.query import Result

from bioeco.errors import NetworkRefused, QueryError
from bioeco.vocab import PREFIXES

__all__ = [
    "PREFIX_HEADER",
    "check_query",
    "dataset_clauses",
    "mentions_service",
    "select",
    "term_value",
]

PREFIX_HEADER = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())

rdflib.plugins.sparql.SPARQL_LOAD_GRAPHS = False  # FROM <iri> must never download <iri>

_SKIP = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'  # long strings
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n\r]|\\.)*"'  # short strings
    r"|'(?:[^'\\\n\r]|\\.)*'"
    r'|<[^<>"{}|^`\\\x00-\x20]*>'  # IRIs
    r"|#[^\n\r]*",  # comments
    re.DOTALL,
)
# not after a name character, ':', '?' or '$' (prefixed names, variables); '.' is allowed
# before it on purpose ("?o .SERVICE <x> {}" is valid SPARQL)
_SERVICE = re.compile(r"(?<![\w:?$\-])SERVICE(?![\w:\-])", re.IGNORECASE)


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


_SERVICE_REFUSED = "SPARQL SERVICE is refused: bioeco never queries remote endpoints"


def mentions_service(query: str) -> bool:
    """True if *query* uses the keyword ``SERVICE`` outside strings, IRIs and comments.

    A lexical, parser-independent check (any case, with or without ``\\uXXXX`` escapes);
    prefixed names and variables such as ``inittype:service`` or ``?service`` do not count.

    Examples
    --------
    >>> mentions_service("SELECT * { service <http://x/> { ?s ?p ?o } }")
    True
    >>> mentions_service("SELECT ?service { ?service a bioeco:Service } # SERVICE")
    False
    >>> mentions_service("SELECT * { \\u0053ERVICE <http://x/> { ?s ?p ?o } }")
    True
    """
    texts = {query}
    with contextlib.suppress(ValueError):
        texts.add(expandUnicodeEscapes(query))
    return any(_SERVICE.search(_SKIP.sub(" ", text)) for text in texts)


def _parse_checked(query: str, *, update: bool = False, offset: int = 0) -> Any:
    if not update and mentions_service(query):
        raise NetworkRefused(_SERVICE_REFUSED)
    try:
        tree = parseUpdate(query) if update else parseQuery(query)
    except ParseException as exc:
        line = exc.lineno - offset
        raise QueryError(f"SPARQL syntax error at line {line}, column {exc.col}") from None
    except ValueError as exc:  # e.g. an invalid \\u escape
        raise QueryError(f"SPARQL syntax error: {exc}") from None
    for node in _walk(tree):
        name = getattr(node, "name", None)
        if name == "ServiceGraphPattern":
            raise NetworkRefused(_SERVICE_REFUSED)
        if name == "Load":
            raise NetworkRefused("SPARQL LOAD is refused: bioeco never fetches remote documents")
    return tree


def check_query(query: str, *, update: bool = False, offset: int = 0) -> None:
    """Parse *query* and refuse what bioeco never does at run time.

    Raises :class:`~bioeco.errors.QueryError` for a syntax error and
    :class:`~bioeco.errors.NetworkRefused` for ``SERVICE`` (federated queries reach the network)
    and for ``LOAD`` in updates.

    Examples
    --------
    >>> check_query("SELECT * WHERE { ?s ?p ?o }")
    >>> check_query("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }")
    Traceback (most recent call last):
    ...
    bioeco.errors.NetworkRefused: SPARQL SERVICE is refused: bioeco never queries remote endpoints
    """
    _parse_checked(query, update=update, offset=offset)


def dataset_clauses(tree: Any) -> list[tuple[str, URIRef]]:
    """The ``FROM`` / ``FROM NAMED`` IRIs of a parsed query, as ``(keyword, iri)`` pairs."""
    found = []
    for node in _walk(tree):
        if getattr(node, "name", None) == "DatasetClause":
            # CompValue.get returns the key itself for a missing key: test membership
            if "default" in node:
                found.append(("FROM", URIRef(node["default"])))
            if "named" in node:
                found.append(("FROM NAMED", URIRef(node["named"])))
    return found


def _check_from(tree: Any, graph: Graph | Dataset) -> None:
    clauses = dataset_clauses(tree)
    if not clauses:
        return
    names: set[str] = set()
    if isinstance(graph, Dataset):
        names = {str(ctx.identifier) for ctx in graph.graphs()}
    for keyword, iri in clauses:
        if str(iri) not in names:
            raise NetworkRefused(
                f"SPARQL {keyword} <{iri}> is refused: not a named graph of this dataset "
                "(bioeco never fetches remote graphs)"
            )


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
    tree = _parse_checked(text, offset=PREFIX_HEADER.count("\n") if prefixes else 0)
    _check_from(tree, graph)
    try:
        result = graph.query(text)
        return _to_frame(result)
    except (QueryError, NetworkRefused):
        raise
    except Exception as exc:  # the engines raise many unrelated types
        raise QueryError(f"SPARQL evaluation failed: {exc}") from None
