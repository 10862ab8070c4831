"""SPARQL over a bioeco graph, answered as pandas DataFrames; nothing ever reaches the network.

What keeps the network out is the engine itself, not a reading of the query text: every query
is evaluated on a worker thread under a seccomp filter (:mod:`bioeco.store.sandbox`) that makes the
kernel refuse any outbound connection, so ``SERVICE`` cannot federate whatever spelling, escape
or parser difference carried it in. Before that, for a clear message:

- the query is parsed (rdflib); ``SERVICE`` in the parse tree is refused, updates are refused
  ("bioeco query only reads"), ``LOAD`` is refused;
- ``FROM`` / ``FROM NAMED`` may only name graphs of the dataset being queried; any other IRI is
  refused instead of being downloaded, and rdflib's ``SPARQL_LOAD_GRAPHS`` and its ``SERVICE``
  evaluator are switched off at import so its own engine never fetches anything either;
- ``DESCRIBE <iri>`` describes the local resource; nothing is dereferenced.

Queries can have a time limit (the interactive surfaces use :data:`DEFAULT_TIMEOUT`) and a
row limit; errors carry the line and column in the caller's own text (the project's prefixes
are passed to the engine, not pasted above the query). Where the filter is unavailable (not
Linux), the query is evaluated by rdflib's engine on a parse of the very text that was
checked, with federation disabled.
"""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any

import pandas as pd
import rdflib.plugins.sparql
import rdflib.plugins.sparql.evaluate
from pyparsing import ParseException, ParseResults
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
from rdflib.plugins.sparql.processor import SPARQLResult
from rdflib.query import Result

from bioeco.core.vocab import PREFIX_HEADER, PREFIXES
from bioeco.errors import NetworkRefused, QueryError, QueryTimeout
from bioeco.store import sandbox

__all__ = [
    "DEFAULT_TIMEOUT",
    "PREFIX_HEADER",
    "check_query",
    "dataset_clauses",
    "select",
    "term_value",
]

DEFAULT_TIMEOUT = 30.0
"""Seconds an interactive query may run before it is stopped (the CLI's ``--timeout``)."""


rdflib.plugins.sparql.SPARQL_LOAD_GRAPHS = False  # FROM <iri> must never download <iri>

_PREFIX_IRIS = {prefix: str(ns) for prefix, ns in PREFIXES.items()}

_SERVICE_REFUSED = "SPARQL SERVICE is refused: bioeco never queries remote endpoints"


def _no_federation(ctx: Any, part: Any) -> Any:
    raise NetworkRefused(_SERVICE_REFUSED)


# rdflib's own engine would send SERVICE over HTTP (it reads the module global at call time)
rdflib.plugins.sparql.evaluate.evalServiceQuery = _no_federation


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


def _clean(query: str) -> str:
    """Drop a leading byte-order mark (editors on Windows save one)."""
    return query[1:] if query.startswith("\ufeff") else query


_FIRST_WORDS = {
    "Expected {SelectQuery | ConstructQuery | DescribeQuery | AskQuery}": (
        "SELECT, CONSTRUCT, DESCRIBE or ASK (after any PREFIX/BASE lines)"
    ),
}
_UPDATE_WORDS = re.compile(
    r"^\s*(?:(?:PREFIX|BASE)\b[^\n]*\n\s*)*"
    r"(INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD|WITH)\b",
    re.IGNORECASE,
)


_QUERY_FORM = re.compile(r"\b(?:SELECT|CONSTRUCT|DESCRIBE|ASK)\b", re.IGNORECASE)


def _syntax_error(query: str, exc: ParseException) -> QueryError:
    """One line: where (in the caller's own text), what was found, what was expected.

    The position and the expected words come from Oxigraph's parser when it reports them (it
    points at the offending token; rdflib's parser often at the start of the clause), else
    from rdflib's.
    """
    lineno, col, expected = exc.lineno, exc.col, _FIRST_WORDS.get(exc.msg)
    engine = _engine_syntax_error(query) if expected is None else None
    if engine is not None:
        lineno, col, expected = engine
    lines = query.splitlines() or [""]
    line = lines[lineno - 1] if 0 < lineno <= len(lines) else ""
    found = line[col - 1 :].strip()[:30] if col - 1 < len(line) else ""
    if not found and not "\n".join(lines[lineno:]).strip():
        # the query ends early: point just after its last character, not at trailing blanks
        end = query.rstrip()
        lineno = end.count("\n") + 1
        col = len(end) - (end.rfind("\n") + 1) + 1
        lines = end.splitlines() or [""]
    if found and not _QUERY_FORM.search(query):
        # text that names no query form is not a query (query -f /etc/shadow): never quoted
        what = "the text is not a SPARQL query"
    elif found:
        what = f"found {found!r}"
    else:
        what = "the query ends too early" if lineno >= len(lines) else f"line {lineno} ends early"
    if expected is None:
        expected = _unclosed(query)
    tail = f"; expected {expected}" if expected else ""
    return QueryError(f"SPARQL syntax error at line {lineno}, column {col}: {what}{tail}")


_STRUCTURAL = {"BY", "WHERE", "AS", "'{'", "'}'", "'('", "')'", "'.'", "','", "';'", "'>'"}


def _unclosed(query: str) -> str | None:
    """The first bracket left open (outside strings, IRIs and comments), as an expectation."""
    masked = re.sub(
        r'"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\''
        r'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|<[^<>"{}|^`\\\s]*>|#[^\n]*',
        lambda m: " " * len(m.group(0)),
        query,
    )
    stack: list[tuple[str, int]] = []
    pairs = {"}": "{", ")": "(", "]": "["}
    for i, ch in enumerate(masked):
        if ch in "{([":
            stack.append((ch, i))
        elif ch in pairs and stack and stack[-1][0] == pairs[ch]:
            stack.pop()
    if not stack:
        return None
    ch, at = stack[-1]
    line = query.count("\n", 0, at) + 1
    col = at - (query.rfind("\n", 0, at) + 1) + 1
    close = {"{": "}", "(": ")", "[": "]"}[ch]
    return f"'{close}' to close the '{ch}' at line {line}, column {col}"


def _engine_syntax_error(query: str) -> tuple[int, int, str | None] | None:
    """Oxigraph's position of a syntax error and, when short enough to read, what it expected.

    Parsing happens on the network-filtered worker, on an empty store.
    """
    import pyoxigraph

    def parse() -> str:
        try:
            pyoxigraph.Store().query(query, prefixes=_PREFIX_IRIS)
        except SyntaxError as exc:
            return str(exc)
        except Exception:
            return ""
        return ""

    try:
        message = _bounded(parse, 5.0)
    except Exception:
        return None
    match = re.match(r"error at (\d+):(\d+): (.*)$", message, re.DOTALL)
    if not match:
        return None
    # Oxigraph's column is one past the offending character
    lineno, col, rest = int(match.group(1)), max(int(match.group(2)) - 1, 1), match.group(3)
    expected = None
    words = re.fullmatch(r"expected (?:one of )?(.*)", rest, re.DOTALL)
    if words and "\n" not in words.group(1):
        items = [i.strip() for i in words.group(1).split(",") if i.strip() != "[_]"]
        # Oxigraph lists only some alternatives (keywords, never "a term"): show the list
        # only when it is made of structural words, which it then lists in full
        if items and all(i in _STRUCTURAL for i in items):
            expected = " or ".join(", ".join(items).rsplit(", ", 1))
    return lineno, col, expected


def _parse_checked(query: str, *, update: bool = False) -> Any:
    """The checked parse tree of *query* (see :func:`check_query`); shared, never modify it.

    Parsing with rdflib's pyparsing grammar takes 10–50 ms per query, often more than
    Oxigraph needs to answer it, so the trees of the last queries are kept: a query run again
    (an analysis, a notebook cell, a benchmark) is checked once. Refusals and syntax errors are
    raised again each time (exceptions are not cached). Texts over :data:`_CACHED_TEXT`
    characters are parsed every time (the cache stays small).
    """
    if len(query) > _CACHED_TEXT:
        return _parse_cached.__wrapped__(query, update)
    return _parse_cached(query, update)


_CACHED_TEXT = 20_000


@functools.lru_cache(maxsize=128)
def _parse_cached(query: str, update: bool) -> Any:
    try:
        tree = parseUpdate(query) if update else parseQuery(query)
    except ParseException as exc:
        if not update and _UPDATE_WORDS.match(query):
            try:
                utree = parseUpdate(query)
            except (ParseException, ValueError, RecursionError):
                utree = None
            if utree is not None:
                _refuse(utree)
                raise QueryError(
                    "SPARQL updates are refused: bioeco query only reads the graph"
                ) from None
        raise _syntax_error(query, exc) from None
    except ValueError as exc:  # e.g. an invalid \\u escape
        raise QueryError(f"SPARQL syntax error: {exc}") from None
    except RecursionError:
        raise QueryError(
            "SPARQL query is nested too deeply (parentheses or { } groups); flatten it"
        ) from None
    _refuse(tree)
    return tree


def _refuse(tree: Any) -> None:
    for node in _walk(tree):
        name = getattr(node, "name", None)
        if name == "ServiceGraphPattern":
            raise NetworkRefused(_SERVICE_REFUSED)
        if name == "Load":
            raise NetworkRefused("SPARQL LOAD is refused: bioeco never fetches remote documents")


def check_query(query: str, *, update: bool = False) -> None:
    """Parse *query* and refuse what bioeco never does at run time.

    Raises :class:`~bioeco.errors.QueryError` for a syntax error (line and column in *query*)
    and :class:`~bioeco.errors.NetworkRefused` for ``SERVICE`` and ``LOAD``. This is the
    early, readable refusal; the guarantee is the engine's filter (:mod:`bioeco.store.sandbox`).

    Examples
    --------
    >>> check_query("SELECT * WHERE { ?s ?p ?o }")
    >>> check_query("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }")
    Traceback (most recent call last):
    ...
    bioeco.errors.NetworkRefused: SPARQL SERVICE is refused: bioeco never queries remote endpoints
    >>> check_query("SELECT ?x WHERE {\\n  ?x a ?y FILTER( }")
    Traceback (most recent call last):
    ...
    bioeco.errors.QueryError: SPARQL syntax error at line 2, column 19: found '}'; expected ')' ...
    """
    _parse_checked(_clean(query), update=update)


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


def _bounded(fn: Callable[[threading.Event], Any] | Callable[[], Any], timeout: float | None,
             *, cancel: threading.Event | None = None) -> Any:  # fmt: skip
    """Run *fn* on the network-filtered worker and wait at most *timeout* seconds.

    Waits in short steps so that Ctrl-C reaches the caller at once; on a timeout or an
    interrupt the worker is abandoned (the engine cannot be stopped inside one step; its
    thread is a daemon) and *cancel* is set so that row-by-row work stops at the next row.
    """
    future: Future[Any] = sandbox.submit_offline(fn) if sandbox.available() else _plain(fn)
    limit = timeout if timeout and timeout > 0 else None
    waited = 0.0
    try:
        while True:
            step = 0.2 if limit is None else min(0.2, max(limit - waited, 0.0))
            try:
                return future.result(timeout=step)
            except FutureTimeout:
                waited += step
                if limit is not None and waited >= limit:
                    raise QueryTimeout(
                        f"SPARQL query stopped after the time limit of {limit:g} s "
                        "(narrow it, add LIMIT, or raise --timeout)"
                    ) from None
    except BaseException:
        if not future.done():
            if cancel is not None:
                cancel.set()
            if sandbox.available():
                sandbox.abandon_worker()
        raise


def _plain(fn: Callable[[], Any]) -> Future[Any]:
    """Where the filter is unavailable: the same call on a plain daemon thread."""
    future: Future[Any] = Future()

    def run() -> None:
        try:
            future.set_result(fn())
        except BaseException as exc:
            future.set_exception(sandbox.detach(exc))

    threading.Thread(target=run, name="bioeco-query", daemon=True).start()
    return future


def _to_frame(result: Result, max_rows: int | None, cancel: threading.Event) -> pd.DataFrame:
    if result.type == "ASK":
        return pd.DataFrame({"ask": [bool(result.askAnswer)]})
    if result.type in ("CONSTRUCT", "DESCRIBE"):
        rows = sorted((str(s), str(p), str(o)) for s, p, o in result.graph)
        frame = pd.DataFrame(rows, columns=["subject", "predicate", "object"])
        if max_rows is not None and len(frame) > max_rows:
            frame = frame.head(max_rows)
            frame.attrs["truncated"] = True
        return frame
    columns = [str(v) for v in result.vars or []]
    # iterate the result itself: its .bindings would read every row before the first
    return _read_rows(result, term_value, columns, max_rows, cancel)


def _read_rows(
    solutions: Any,
    cell: Any,
    columns: list[str],
    max_rows: int | None,
    cancel: threading.Event,
) -> pd.DataFrame:
    """The frame of *solutions* (each row's terms through *cell*), read lazily: stops with
    :class:`QueryTimeout` once *cancel* is set, and after *max_rows* rows (then the frame's
    ``attrs["truncated"]`` is True)."""
    rows = []
    truncated = False
    for solution in solutions:
        if cancel.is_set():
            raise QueryTimeout("SPARQL query stopped")
        if max_rows is not None and len(rows) >= max_rows:
            truncated = True
            break
        rows.append([cell(term) for term in solution])
    frame = pd.DataFrame(rows, columns=columns)
    if truncated:
        frame.attrs["truncated"] = True
    return frame


_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def _native(graph: Graph | Dataset, tree: Any) -> Any:
    """The pyoxigraph store to answer a SELECT from directly, or None.

    Only for a union-default-graph Dataset on the Oxigraph store (what :mod:`bioeco.store.dataset`
    makes), where oxrdflib would pass the query text to that very store unchanged.
    """
    if not isinstance(graph, Dataset) or not graph.default_union:
        return None
    inner = getattr(graph.store, "_inner", None)
    if inner is None or type(graph.store).__name__ != "OxigraphStore":
        return None
    if len(tree) < 2 or getattr(tree[1], "name", None) != "SelectQuery":
        return None
    import pyoxigraph

    return inner if isinstance(inner, pyoxigraph.Store) else None


def _select_native(
    graph: Dataset, store: Any, text: str, ns: Mapping[str, str], max_rows: int | None,
    cancel: threading.Event,
) -> pd.DataFrame:  # fmt: skip
    """A SELECT straight from pyoxigraph: the cells :func:`term_value` gives, without building
    an rdflib term per cell (oxrdflib's conversion was most of the time of large answers).

    The engine, query text, prefixes and union default graph are exactly oxrdflib's:
    ``initNs`` falls back to the graph's namespaces as in :meth:`rdflib.Graph.query`, merged
    over the store's own bindings. IRIs, blank nodes and plain or language-tagged strings are
    their text; any other literal goes through the same rdflib ``Literal`` and
    :func:`term_value` as before (once per distinct lexical form and datatype).
    """
    import pyoxigraph as ox

    init = dict(ns) or {p: str(n) for p, n in graph.namespaces()}
    prefixes = {p: str(n) for p, n in graph.store.namespaces()}
    prefixes.update(init)
    solutions = store.query(text, use_default_graph_as_union=True, prefixes=prefixes)
    names = [v.value for v in solutions.variables]
    named, blank, literal = ox.NamedNode, ox.BlankNode, ox.Literal
    typed: dict[tuple[str, str], Any] = {}

    def cell(term: Any) -> Any:
        kind = type(term)
        if kind is named or kind is blank:
            return term.value
        if term is None:
            return None
        if kind is literal:
            if term.language is not None:
                return term.value
            datatype = term.datatype.value
            if datatype == _XSD_STRING:
                return term.value
            key = (term.value, datatype)
            if key not in typed:
                typed[key] = term_value(Literal(term.value, datatype=URIRef(datatype)))
            return typed[key]
        from oxrdflib._converter import from_ox  # RDF-star triples: as oxrdflib gives them

        return term_value(from_ox(term))

    return _read_rows(solutions, cell, names, max_rows, cancel)


def _evaluate(
    graph: Graph | Dataset, text: str, tree: Any, ns: Mapping[str, str], max_rows: int | None,
    cancel: threading.Event, *, native: bool = True,
) -> pd.DataFrame:  # fmt: skip
    """On the worker: evaluate and read the answer (results are lazy: reading is evaluating).

    With *native* (the default) a SELECT on an Oxigraph-backed dataset is read straight from
    pyoxigraph (:func:`_select_native`); ``native=False`` keeps oxrdflib's rdflib terms (the
    tests compare the two).
    """
    result = None
    try:
        store = _native(graph, tree) if native and sandbox.available() else None
        if store is not None:
            return _select_native(graph, store, text, ns, max_rows, cancel)
        if sandbox.available():
            result = graph.query(text, initNs=dict(ns))
        else:  # rdflib's engine on the text that was checked, federation disabled above
            # (a fresh parse tree: translateQuery rewrites the tree it is given, and the
            # checked one is shared through the cache of _parse_checked)
            result = SPARQLResult(
                rdflib.plugins.sparql.evaluate.evalQuery(
                    graph, translateQuery(parseQuery(text), initNs=dict(ns)), {}
                )
            )
        return _to_frame(result, max_rows, cancel)
    except (QueryError, NetworkRefused):
        raise
    except PermissionError:
        # the filter refused a connection: only federation makes the engine open one
        raise NetworkRefused(_SERVICE_REFUSED) from None
    except OSError as exc:
        if "Permission denied" in str(exc) or "os error 13" in str(exc):
            raise NetworkRefused(_SERVICE_REFUSED) from None
        raise QueryError(f"SPARQL evaluation failed: {_reason(exc)}") from None
    except MemoryError:
        raise QueryError(
            "SPARQL query needs more memory than this machine has: narrow it or add LIMIT"
        ) from None
    except RecursionError:
        raise QueryError(
            "SPARQL query is nested too deeply (parentheses or { } groups); flatten it"
        ) from None
    except SyntaxError as exc:
        raise QueryError(f"SPARQL syntax error: {_reason(exc)}") from None
    except Exception as exc:  # the engines raise many unrelated types
        raise QueryError(f"SPARQL evaluation failed: {_reason(exc)}") from None
    finally:
        # free the engine's lazy result here, on the thread that made it (pyoxigraph objects
        # may not be dropped on another thread, e.g. by a garbage collection there)
        pending = getattr(result, "_genbindings", None)
        if pending is not None and hasattr(pending, "close"):
            pending.close()
        del result


def _reason(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text[:300] if text else type(exc).__name__


_IRI_TOKEN = re.compile(r'[^\x00-\x20<>"{}|^`\\]+')
_VARIABLE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_IRIREF = re.compile(r'<[^\x00-\x20<>"{}|^`\\]*>')


def _bind_values(query: str, values: Mapping[str, Sequence[str]]) -> tuple[str, bool]:
    """*query* with a ``VALUES ?v { <iri> ... }`` line per variable after its first
    ``WHERE {``, and whether the text before it is plain (no comment or string once its IRIs
    are taken out: the block then lands in the query's group, not in a comment or string).

    >>> _bind_values("SELECT ?s WHERE { ?s ?p ?o }", {"s": ["http://example.org/a"]})
    ('SELECT ?s WHERE {\\n  VALUES ?s { <http://example.org/a> } ?s ?p ?o }', True)
    >>> _bind_values("SELECT ?s WHERE { ?s ?p ?o }", {"s": ["http://x/> } SERVICE <y"]})
    Traceback (most recent call last):
    ...
    bioeco.errors.QueryError: VALUES ?s: not an IRI: 'http://x/> } SERVICE <y'
    """
    at = query.find("WHERE {")
    if at < 0:
        raise QueryError("VALUES need a query with a 'WHERE {' group")
    block = ""
    for variable, iris in values.items():
        if not _VARIABLE.fullmatch(variable):
            raise QueryError(f"VALUES: not a variable name: {variable!r}")
        for iri in iris:
            if not _IRI_TOKEN.fullmatch(iri):
                raise QueryError(f"VALUES ?{variable}: not an IRI: {iri!r}")
        block += f"\n  VALUES ?{variable} {{ {' '.join(f'<{iri}>' for iri in iris)} }}"
    end = at + len("WHERE {")
    plain = not re.search(r"[#\"']", _IRIREF.sub("", query[:at]))
    return query[:end] + block + query[end:], plain


def select(
    graph: Graph | Dataset,
    query: str,
    *,
    prefixes: bool = True,
    timeout: float | None = None,
    max_rows: int | None = None,
    values: Mapping[str, Sequence[str]] | None = None,
) -> pd.DataFrame:
    """Run a SPARQL query on *graph* and return the answer as a DataFrame.

    On a :class:`rdflib.Dataset` the default graph is the union of all named graphs, so
    plain queries see every source; use ``GRAPH ?g { ... }`` to ask per source.
    The project's prefixes (``bioeco:``, ``org:``, ``skos:`` …) are predeclared unless
    *prefixes* is False. SELECT gives one column per variable, ASK a single ``ask`` column,
    CONSTRUCT/DESCRIBE sorted ``subject, predicate, object`` rows.

    The query runs on a worker thread that cannot open network connections
    (:mod:`bioeco.store.sandbox`). With *timeout* it is stopped after that many seconds
    (:class:`~bioeco.errors.QueryTimeout`). The library sets no limit by default, so an
    analysis is never cut short by a slow machine; the interactive surfaces (``bioeco query``,
    the ``%%sparql`` magic, :meth:`bioeco.Ecosystem.select`, the endpoint) apply
    :data:`DEFAULT_TIMEOUT`. With *max_rows* at most that many rows are read and
    ``frame.attrs["truncated"]`` tells whether more existed.

    *values* (``{variable: [IRI, ...]}``) binds variables to IRIs first: a ``VALUES`` block
    is put at the start of the first ``WHERE {`` group. The query is checked without the block
    (a parse that is cached, however many IRIs follow) and each IRI is checked to be one IRI
    token, so the block adds constants and nothing else; where the engine's filter is not
    available, or the text before that ``WHERE {`` is not plain, the whole text is parsed and
    checked as before. The library's own queries about a set of nodes use it (parsing the
    long text cost seconds at national scale).

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
    text = _clean(query)
    tree = _parse_checked(text)
    _check_from(tree, graph)
    if values:
        text, plain = _bind_values(text, values)
        if not plain or not sandbox.available():
            tree = _parse_checked(text)  # rdflib's engine runs the very tree that was checked
            _check_from(tree, graph)
    ns = _PREFIX_IRIS if prefixes else {}
    cancel = threading.Event()
    return _bounded(
        lambda: _evaluate(graph, text, tree, ns, max_rows, cancel), timeout, cancel=cancel
    )
