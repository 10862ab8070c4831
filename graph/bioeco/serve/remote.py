"""An external SPARQL 1.1 store: push the built named graphs to it, query it, analyse from it.

- :func:`push` replaces each named graph of the built files in the store: one Graph Store
  HTTP Protocol ``PUT`` per graph (atomic per graph in the stores tested, and idempotent), or,
  where the store has no Graph Store endpoint, one SPARQL Update request per graph
  (``DROP SILENT GRAPH`` + ``INSERT DATA``).
- :class:`Remote` answers queries through SPARQLWrapper as DataFrames with the same values as
  :func:`bioeco.store.query.select` on the local graph. Queries see exactly the bioeco graphs of the
  store (sent as the protocol's ``default-graph-uri``/``named-graph-uri``), never the store's
  own system graphs. :meth:`Remote.select_paged` fetches a SELECT in ordered pages of bounded
  size, which is how the analyses read a store larger than memory would hold as triples.
"""

from __future__ import annotations

import base64
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from SPARQLWrapper import DIGEST, JSON, POST, TURTLE, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

from bioeco.core.vocab import GRAPH
from bioeco.errors import EndpointError, QueryError, UsageError
from bioeco.store.query import PREFIX_HEADER, term_value

__all__ = ["PushedGraph", "Remote", "graph_payloads", "push"]

_BIOECO_GRAPHS = str(GRAPH)
_PREFIX_LINES = PREFIX_HEADER.count("\n")


def _opener() -> urllib.request.OpenerDirector:
    """A urllib opener without proxies from the environment: the store is named explicitly."""
    return urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _authorize(
    request: urllib.request.Request, user: str | None, password: str | None, timeout: float
) -> None:
    """Add an ``Authorization`` header answering the store's challenge (Basic or Digest).

    The challenge is fetched with a ``HEAD`` of the same URL first: a store that refuses a
    large body before reading it (Virtuoso closes the connection on its 401) would otherwise
    break the upload, and urllib cannot send ``Expect: 100-continue``.
    """
    if user is None:
        return
    probe = urllib.request.Request(request.full_url, method="HEAD")
    try:
        _opener().open(probe, timeout=timeout).close()
        return  # no challenge: the store lets anyone write here
    except urllib.error.HTTPError as exc:
        challenge = exc.headers.get("WWW-Authenticate") or ""
        if exc.code != 401 or not challenge:
            return
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise EndpointError(f"{request.full_url}: cannot reach the store ({reason})") from None
    scheme, _, rest = challenge.partition(" ")
    if scheme.lower() == "digest":
        manager = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        manager.add_password(None, request.full_url, user, password or "")
        handler = urllib.request.HTTPDigestAuthHandler(manager)
        fields = urllib.request.parse_keqv_list(
            [f for f in urllib.request.parse_http_list(rest) if f]
        )
        value = handler.get_authorization(request, fields)
        if value:
            request.add_header("Authorization", "Digest " + value)
        return
    token = base64.b64encode(f"{user}:{password or ''}".encode()).decode()
    request.add_header("Authorization", "Basic " + token)


def _check_url(url: str, what: str) -> str:
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise UsageError(f"{what} must be an http(s) URL, not {url!r}")
    return url


def _term(cell: dict[str, str]) -> Any:
    kind = cell.get("type")
    if kind == "uri":
        return URIRef(cell["value"])
    if kind == "bnode":
        return BNode(cell["value"])
    if "xml:lang" in cell:
        return Literal(cell["value"], lang=cell["xml:lang"])
    if cell.get("datatype"):
        return Literal(cell["value"], datatype=URIRef(cell["datatype"]))
    return Literal(cell["value"])


@dataclass(frozen=True)
class PushedGraph:
    """One named graph written to the store: its IRI, triple count and the protocol used."""

    graph: str
    triples: int
    method: str


def graph_payloads(files: Sequence[Path | str]) -> dict[str, bytes]:
    """The named graphs of the built *files* as N-Triples, by graph IRI (sorted).

    TriG/N-Quads keep their graphs; a Turtle or N-Triples file becomes a graph named after its
    file URI (as :func:`bioeco.store.dataset.load_dataset` does). Triples of a default graph are
    refused:
    a store would merge them with whatever else it holds.

    Examples
    --------
    >>> from bioeco.core.paths import PROJECT_ROOT
    >>> payloads = graph_payloads([PROJECT_ROOT / "ontology" / "bioeco.ttl"])
    >>> [iri.rsplit("/", 1)[-1] for iri in payloads]
    ['bioeco.ttl']
    """
    from bioeco.serve.endpoint import rdf_format

    store = ox.Store()
    for f in files:
        path = Path(f)
        fmt = rdf_format(path)
        base = path.resolve().as_uri()
        target = None if fmt.supports_datasets else ox.NamedNode(base)
        try:
            store.load(path=str(path), format=fmt, base_iri=base, to_graph=target)
        except SyntaxError as exc:
            raise UsageError(f"{path}: not valid {fmt.name}: {exc}") from None
    if any(True for _ in store.quads_for_pattern(None, None, None, ox.DefaultGraph())):
        raise UsageError("the files have triples outside any named graph; use TriG")
    out: dict[str, bytes] = {}
    for name in sorted(store.named_graphs(), key=lambda n: n.value):
        out[name.value] = store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=name) or b""
    return out


def _send(
    request: urllib.request.Request, user: str | None, password: str | None, timeout: float
) -> tuple[int, str]:
    """Send *request*; return the status and the first line of the store's answer."""
    _authorize(request, user, password, timeout)
    try:
        with _opener().open(request, timeout=timeout) as response:
            response.read()
            return response.status, ""
    except urllib.error.HTTPError as exc:
        return exc.code, _first_line(exc.read())
    except (urllib.error.URLError, OSError) as exc:
        # a store refusing the credentials may close the connection before reading the body
        probe = urllib.request.Request(request.full_url, method="HEAD")
        for key, value in request.header_items():
            if key.lower() == "authorization":
                probe.add_header(key, value)
        try:
            _opener().open(probe, timeout=timeout).close()
        except urllib.error.HTTPError as refused:
            if refused.code in (401, 403):
                return refused.code, ""
        except (urllib.error.URLError, OSError):
            pass
        reason = getattr(exc, "reason", exc)
        raise EndpointError(f"{request.full_url}: cannot reach the store ({reason})") from None


def _first_line(body: bytes) -> str:
    text = body.decode("utf-8", "replace").strip()
    return " ".join(text.split())[:300]


def push(
    files: Sequence[Path | str],
    endpoint: str,
    *,
    graph_store: str | None = None,
    update_endpoint: str | None = None,
    user: str | None = None,
    password: str | None = None,
    timeout: float = 300.0,
    batch: int = 1000,
) -> list[PushedGraph]:
    """Replace each named graph of *files* in the store; return what was written.

    With *graph_store* (e.g. Oxigraph ``http://host:7878/store``, Virtuoso
    ``http://host:8890/sparql-graph-crud-auth``) each graph is sent as one ``PUT ?graph=IRI``
    (Turtle); a store answering 404/405/415/501 there falls back to SPARQL Update. Without it,
    SPARQL Update is sent to *update_endpoint* (default *endpoint*): ``DROP SILENT GRAPH``, then
    ``INSERT DATA`` in requests of at most *batch* triples (stores' parsers limit the size of
    one request; the triples holding blank nodes travel together in one ``INSERT … WHERE {}``
    so lists stay whole), so a
    graph is replaced atomically only through the Graph Store Protocol. Credentials answer
    Basic or Digest challenges. Repeating a push gives the same store content.
    """
    _check_url(endpoint, "--endpoint")
    update_url = _check_url(update_endpoint or endpoint, "--update-endpoint")
    if graph_store:
        _check_url(graph_store, "--graph-store")
    payloads = graph_payloads(files)
    if not payloads:
        raise UsageError("nothing to push: the files hold no named graph")
    done: list[PushedGraph] = []
    use_gsp = bool(graph_store)
    for iri, data in payloads.items():
        triples = data.count(b"\n")
        if use_gsp:
            assert graph_store is not None
            sep = "&" if "?" in graph_store else "?"
            url = f"{graph_store}{sep}{urllib.parse.urlencode({'graph': iri})}"
            request = urllib.request.Request(
                url, data=data, method="PUT", headers={"Content-Type": "text/turtle"}
            )
            status, answer = _send(request, user, password, timeout)
            if 200 <= status < 300:
                done.append(PushedGraph(iri, triples, "graph-store PUT"))
                continue
            if status not in (404, 405, 415, 501):
                raise EndpointError(_refused(graph_store, status, iri, answer))
            use_gsp = False  # this store has no Graph Store Protocol: use SPARQL Update
        for update in _updates(iri, data, batch):
            body = urllib.parse.urlencode({"update": update}).encode()
            request = urllib.request.Request(
                update_url,
                data=body,
                method="POST",
                headers={"Content-Type": "application/x-www-form-urlencoded"},
            )
            status, answer = _send(request, user, password, timeout)
            if not 200 <= status < 300:
                raise EndpointError(_refused(update_url, status, iri, answer))
        done.append(PushedGraph(iri, triples, "SPARQL Update"))
    return done


def _updates(iri: str, data: bytes, batch: int) -> list[str]:
    r"""SPARQL Update requests replacing graph *iri* by the N-Triples *data*.

    Examples
    --------
    >>> nt = b"<a:s> <a:p> _:b .\n_:b <a:p> 1 .\n<a:s> <a:q> 2 .\n<a:s> <a:q> 3 .\n"
    >>> for text in _updates("a:g", nt, batch=1):
    ...     print(text.replace("\n", " "))
    DROP SILENT GRAPH <a:g>
    INSERT { GRAPH <a:g> { <a:s> <a:p> _:b . _:b <a:p> 1 . } } WHERE {}
    INSERT DATA { GRAPH <a:g> { <a:s> <a:q> 2 . } }
    INSERT DATA { GRAPH <a:g> { <a:s> <a:q> 3 . } }
    """
    lines = data.decode("utf-8").splitlines()
    blank = [line for line in lines if "_:" in line]
    plain = [line for line in lines if "_:" not in line]
    out = [f"DROP SILENT GRAPH <{iri}>"]
    if blank:  # a template, not INSERT DATA: some stores refuse blank nodes in constant data
        out.append(f"INSERT {{ GRAPH <{iri}> {{\n" + "\n".join(blank) + "\n} } WHERE {}")
    for i in range(0, len(plain), max(batch, 1)):
        chunk = "\n".join(plain[i : i + batch])
        out.append(f"INSERT DATA {{ GRAPH <{iri}> {{\n{chunk}\n}} }}")
    return out


def _refused(url: str, status: int, iri: str, answer: str = "") -> str:
    why = {
        401: "credentials missing or wrong (--user, --password-env)",
        403: "the store refuses writes from this user",
        413: "the graph is larger than the store accepts in one request",
    }.get(status, answer or "see the store's log")
    return f"{url}: the store answered HTTP {status} for graph <{iri}>: {why}"


class Remote:
    """Queries against an external SPARQL endpoint, answered as DataFrames.

    The project's prefixes are predeclared (sent as ``PREFIX`` lines) unless ``prefixes=False``.
    Queries see the union of the store's bioeco graphs (IRIs under ``GRAPH``) as their default
    graph and those graphs as named graphs, whatever else the store holds.
    """

    def __init__(
        self,
        endpoint: str,
        *,
        user: str | None = None,
        password: str | None = None,
        timeout: float = 120.0,
        page_size: int = 10_000,
    ) -> None:
        self.endpoint = _check_url(endpoint, "--endpoint")
        self.user, self.password = user, password
        self.timeout, self.page_size = timeout, page_size
        self._graphs: list[str] | None = None
        self._digest: bool | None = None

    def _wrapper(self, query: str, fmt: str, dataset: bool = True) -> SPARQLWrapper:
        sparql = SPARQLWrapper(self.endpoint)
        sparql.setMethod(POST)
        sparql.setTimeout(int(self.timeout))
        sparql.setReturnFormat(fmt)
        if self.user is not None:
            sparql.setCredentials(self.user, self.password or "")
            if self._uses_digest():
                sparql.setHTTPAuth(DIGEST)
        if dataset:
            for iri in self.graphs():
                sparql.addDefaultGraph(iri)
                sparql.addNamedGraph(iri)
        sparql.setQuery(query)
        return sparql

    def _uses_digest(self) -> bool:
        if self._digest is None:
            request = urllib.request.Request(
                self.endpoint + "?" + urllib.parse.urlencode({"query": "ASK {}"})
            )
            try:
                _opener().open(request, timeout=self.timeout).close()
                self._digest = False
            except urllib.error.HTTPError as exc:
                scheme = (exc.headers.get("WWW-Authenticate") or "").split(" ")[0]
                self._digest = scheme.lower() == "digest"
            except (urllib.error.URLError, OSError):
                self._digest = False
        return self._digest

    def _run(self, query: str, fmt: str, dataset: bool = True) -> Any:
        try:
            return self._wrapper(query, fmt, dataset).query().convert()
        except SPARQLWrapperException as exc:
            text = str(exc).replace("\\n", " ").splitlines()
            detail = " ".join(t.strip() for t in text if t.strip())
            raise QueryError(f"{self.endpoint}: {detail[:500]}") from None
        except urllib.error.HTTPError as exc:
            raise QueryError(f"{self.endpoint}: HTTP {exc.code} {exc.reason}") from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            if isinstance(reason, TimeoutError) or isinstance(exc, TimeoutError):
                raise QueryError(
                    f"{self.endpoint}: no answer within the time limit of {self.timeout:g} s"
                ) from None
            raise EndpointError(f"{self.endpoint}: cannot reach the store ({reason})") from None

    def graphs(self) -> list[str]:
        """The bioeco named graphs the store holds (sorted); raises when there are none."""
        if self._graphs is None:
            found = self._run(
                "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } "
                f'FILTER(STRSTARTS(STR(?g), "{_BIOECO_GRAPHS}")) }}',
                JSON,
                dataset=False,
            )
            self._graphs = sorted(b["g"]["value"] for b in found["results"]["bindings"])
            if not self._graphs:
                raise EndpointError(
                    f"{self.endpoint}: the store holds no bioeco graph; run bioeco push first"
                )
        return self._graphs

    def without(self, *graphs: str) -> Remote:
        """The same store with *graphs* left out of every query's dataset."""
        other = Remote(
            self.endpoint,
            user=self.user,
            password=self.password,
            timeout=self.timeout,
            page_size=self.page_size,
        )
        other._graphs = [g for g in self.graphs() if g not in graphs]
        other._digest = self._digest
        return other

    def select(self, query: str, *, prefixes: bool = True) -> pd.DataFrame:
        """Run any query form and return a DataFrame shaped like
        :func:`bioeco.store.query.select`'s.

        SELECT: one column per variable; ASK: one ``ask`` column; CONSTRUCT/DESCRIBE: sorted
        ``subject, predicate, object`` rows.
        """
        text = (PREFIX_HEADER + query) if prefixes else query
        kind = SPARQLWrapper(self.endpoint)
        kind.setQuery(text)
        form = kind.queryType
        if form in ("CONSTRUCT", "DESCRIBE"):
            data = self._run(text, TURTLE)
            graph = Graph().parse(data=data, format="turtle")
            rows = sorted((str(s), str(p), str(o)) for s, p, o in graph)
            return pd.DataFrame(rows, columns=["subject", "predicate", "object"])
        if form not in ("SELECT", "ASK"):
            raise QueryError("only queries are sent to a store here (SELECT, ASK, CONSTRUCT, "
                             "DESCRIBE); load data with bioeco push")  # fmt: skip
        return _frame(self._run(text, JSON))

    def __call__(self, query: str) -> pd.DataFrame:
        """``select(query) -> DataFrame`` for the analyses (see
        :func:`bioeco.analyze.project.selector`): :meth:`select_paged`."""
        return self.select_paged(query)

    def select_paged(self, query: str) -> pd.DataFrame:
        """Run a SELECT (without prologue) in pages of ``page_size`` rows, ordered by every
        projected variable so that pages neither overlap nor miss rows."""
        names = _projection(query)
        order = " ".join(f"?{n}" for n in names)
        frames: list[pd.DataFrame] = []
        offset = 0
        while True:
            page = (
                f"{PREFIX_HEADER}SELECT * WHERE {{\n{query}\n}} ORDER BY {order} "
                f"LIMIT {self.page_size} OFFSET {offset}"
            )
            frame = _frame(self._run(page, JSON), names)
            frames.append(frame)
            if len(frame) < self.page_size:
                break
            offset += self.page_size
        return pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]


def _projection(query: str) -> list[str]:
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.parser import parseQuery

    algebra = translateQuery(parseQuery(PREFIX_HEADER + query)).algebra
    return [str(v) for v in algebra["PV"]]


def _frame(result: dict[str, Any], names: list[str] | None = None) -> pd.DataFrame:
    if "boolean" in result:
        return pd.DataFrame({"ask": [bool(result["boolean"])]})
    columns = names or list(result["head"].get("vars", []))
    rows = [
        [term_value(_term(b[c])) if c in b else None for c in columns]
        for b in result["results"]["bindings"]
    ]
    return pd.DataFrame(rows, columns=columns)
