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
import contextlib
import http.client
import json
import math
import re
import socket
import ssl
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from SPARQLWrapper import SPARQLWrapper

from bioeco.core.vocab import GRAPH
from bioeco.errors import EndpointError, QueryError, QueryTimeout, UsageError
from bioeco.store.query import PREFIX_HEADER, term_value

__all__ = ["MAX_ANSWER_BYTES", "PushedGraph", "Remote", "graph_payloads", "public_url", "push"]

_BIOECO_GRAPHS = str(GRAPH)
_PREFIX_LINES = PREFIX_HEADER.count("\n")


MAX_ANSWER_BYTES = 256_000_000
"""The largest answer read from a store (bytes); a larger one is refused, never read whole."""


def public_url(url: str) -> str:
    """*url* as it may be shown: without a user name or password (``user:pw@``).

    Examples
    --------
    >>> public_url("http://dba:secret@store.example:8890/sparql?x=1")
    'http://store.example:8890/sparql?x=1'
    >>> public_url("http://[::1")
    'http://[::1'
    """
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:
        return re.sub(r"//[^/@]*@", "//", url)
    if "@" not in parts.netloc:
        return url
    return urllib.parse.urlunsplit(parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]))


@dataclass(frozen=True)
class _Target:
    """A store URL taken apart: where to connect, what to ask for, what to show."""

    scheme: str
    host: str
    port: int
    selector: str
    shown: str
    user: str | None
    password: str | None


def _target(url: str, what: str = "--endpoint") -> _Target:
    """Check *url* (an http(s) URL with a host) and take it apart, or raise one UsageError
    line that never repeats a password written into it."""
    shown = public_url(url)
    try:
        parts = urllib.parse.urlsplit(url)
        port = parts.port
        host = parts.hostname
    except ValueError as exc:
        raise UsageError(f"{what} is not a valid URL ({shown!r}: {exc})") from None
    if parts.scheme not in ("http", "https") or not host:
        raise UsageError(f"{what} must be an http(s) URL, not {shown!r}")
    selector = urllib.parse.urlunsplit(("", "", parts.path or "/", parts.query, ""))
    user = urllib.parse.unquote(parts.username) if parts.username is not None else None
    password = urllib.parse.unquote(parts.password) if parts.password is not None else None
    default = 443 if parts.scheme == "https" else 80
    return _Target(parts.scheme, host, port or default, selector, shown, user, password)


def _check_url(url: str, what: str) -> str:
    _target(url, what)
    return url


@dataclass
class _Answer:
    status: int
    reason: str
    headers: http.client.HTTPMessage
    body: bytes

    @property
    def media(self) -> str:
        return (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()


class _Expired(Exception):
    """The whole exchange ran past its deadline."""


def _exchange(
    target: _Target,
    method: str,
    *,
    query: str = "",
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    deadline: float,
    max_bytes: int,
) -> _Answer:
    """One HTTP request to *target* and its whole answer, or an exception.

    Never follows a redirect (the caller decides what a 3xx means). The *deadline* (a
    ``time.monotonic()`` value) bounds the whole exchange, connecting, sending and every
    byte of the answer: a watchdog shuts the socket down when it passes, so a server that
    trickles bytes cannot hold the caller. An answer larger than *max_bytes* is refused
    after reading at most that much.
    """
    left = deadline - time.monotonic()
    if left <= 0:
        raise _Expired
    if target.scheme == "https":
        conn: http.client.HTTPConnection = http.client.HTTPSConnection(
            target.host, target.port, timeout=left, context=ssl.create_default_context()
        )
    else:
        conn = http.client.HTTPConnection(target.host, target.port, timeout=left)
    expired = threading.Event()
    held: list[socket.socket] = []  # http.client drops conn.sock once a closing answer is read

    def expire() -> None:
        expired.set()
        for sock in held or ([conn.sock] if conn.sock is not None else []):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    watchdog = threading.Timer(left, expire)
    watchdog.daemon = True
    watchdog.start()
    try:
        selector = target.selector + (("&" if "?" in target.selector else "?") + query
                                      if query else "")  # fmt: skip
        conn.connect()
        held.append(conn.sock)
        if expired.is_set():
            raise _Expired
        conn.request(method, selector, body, headers or {})
        response = conn.getresponse()
        declared = response.getheader("Content-Length") or ""
        if declared.isdigit() and int(declared) > max_bytes:
            raise _TooLarge
        chunks, size = [], 0
        while method != "HEAD":
            held[0].settimeout(max(deadline - time.monotonic(), 0.001))
            chunk = response.read1(1 << 16)
            if not chunk:
                break
            size += len(chunk)
            if size > max_bytes:
                raise _TooLarge
            chunks.append(chunk)
        if expired.is_set():  # the watchdog's shutdown ends a read as if the answer had ended
            raise _Expired
        return _Answer(response.status, response.reason, response.headers, b"".join(chunks))
    except _TooLarge:
        raise
    except (OSError, http.client.HTTPException, ValueError):
        if expired.is_set() or time.monotonic() >= deadline:
            raise _Expired from None
        raise
    finally:
        watchdog.cancel()
        conn.close()


class _TooLarge(Exception):
    """The answer is larger than the caller's cap."""


class _Session:
    """Requests to one store URL with its credentials, under one time limit and size cap.

    Credentials are only ever sent to the URL named, and only in answer to that URL's own
    challenge (``401`` with ``WWW-Authenticate``: Basic or Digest). A redirect (3xx) is never
    followed: it ends the exchange with one line naming where the store wanted to send it.
    """

    def __init__(self, url: str, what: str, user: str | None, password: str | None,
                 timeout: float, max_bytes: int) -> None:  # fmt: skip
        if not (timeout > 0 and math.isfinite(timeout)):
            raise UsageError(f"the time limit must be a positive number of seconds, not {timeout}")
        self.target = _target(url, what)
        self.shown = self.target.shown
        if user is None and self.target.user is not None:  # written into the URL
            user, password = self.target.user, self.target.password
        self.user, self.password = user, password
        self.timeout, self.max_bytes = timeout, max_bytes

    def request(self, method: str, *, query: str = "", body: bytes | None = None,
                headers: dict[str, str] | None = None, probe: bool = False,
                accept_redirect: bool = False) -> _Answer:  # fmt: skip
        """Send one request (answering an authentication challenge once); raise
        :class:`~bioeco.errors.EndpointError` for an unreachable store or a redirect and
        :class:`~bioeco.errors.QueryTimeout` past the time limit."""
        deadline = time.monotonic() + self.timeout
        sent = dict(headers or {})
        if probe and self.user is not None:  # challenge first: some stores drop large bodies
            head = self._one("HEAD", query, None, {}, deadline)
            if head.status == 401:
                self._answer_challenge(head, method, query, sent)
        answer = self._one(method, query, body, sent, deadline)
        retry = answer.status == 401 and self.user is not None and "Authorization" not in sent
        if retry and self._answer_challenge(answer, method, query, sent):
            answer = self._one(method, query, body, sent, deadline)
        if 300 <= answer.status < 400 and answer.status != 304:
            where = answer.headers.get("Location") or "(no Location given)"
            where = public_url(urllib.parse.urljoin(self.target.shown, where))[:300]
            raise EndpointError(
                f"{self.shown}: the store answered HTTP {answer.status} redirecting to {where}; "
                "bioeco does not follow redirects (credentials and data go only to the URL "
                "given): nothing was sent there; give that URL if it is the store"
            )
        return answer

    def _one(self, method: str, query: str, body: bytes | None, headers: dict[str, str],
             deadline: float) -> _Answer:  # fmt: skip
        try:
            return _exchange(self.target, method, query=query, body=body, headers=headers,
                             deadline=deadline, max_bytes=self.max_bytes)  # fmt: skip
        except _Expired:
            raise QueryTimeout(
                f"{self.shown}: no complete answer within the time limit of {self.timeout:g} s"
            ) from None
        except _TooLarge:
            raise EndpointError(
                f"{self.shown}: the answer is larger than {self.max_bytes // 1_000_000} MB "
                "and was not read; add a LIMIT or ask for less"
            ) from None
        except ssl.SSLError as exc:
            raise EndpointError(f"{self.shown}: TLS failed ({exc.reason or exc})") from None
        except (OSError, http.client.HTTPException, ValueError) as exc:
            reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
            raise EndpointError(f"{self.shown}: cannot reach the store ({reason})") from None

    def _answer_challenge(self, answer: _Answer, method: str, query: str,
                          headers: dict[str, str]) -> bool:  # fmt: skip
        challenge = answer.headers.get("WWW-Authenticate") or ""
        scheme, _, rest = challenge.partition(" ")
        if scheme.lower() == "digest":
            url = self.target.shown if not query else f"{self.target.shown}?{query}"
            request = urllib.request.Request(url, method=method)
            manager = urllib.request.HTTPPasswordMgrWithDefaultRealm()
            manager.add_password(None, url, self.user, self.password or "")
            handler = urllib.request.HTTPDigestAuthHandler(manager)
            fields = urllib.request.parse_keqv_list(
                [f for f in urllib.request.parse_http_list(rest) if f]
            )
            value = handler.get_authorization(request, fields)
            if not value:
                return False
            headers["Authorization"] = "Digest " + value
            return True
        if scheme.lower() == "basic":
            token = base64.b64encode(f"{self.user}:{self.password or ''}".encode()).decode()
            headers["Authorization"] = "Basic " + token
            return True
        return False


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
    session: _Session, method: str, query: str, body: bytes, headers: dict[str, str]
) -> tuple[int, str]:
    """Send one write; return the status and the first line of the store's answer.

    A redirect is an :class:`~bioeco.errors.EndpointError` (the write did not happen where
    it was meant to); so is running past the time limit.
    """
    try:
        answer = session.request(method, query=query, body=body, headers=headers, probe=True)
    except QueryTimeout as exc:
        raise EndpointError(str(exc)) from None
    except EndpointError:
        if session.user is None:
            raise
        # a store refusing the credentials may close the connection before reading the body
        sent: dict[str, str] = {}
        try:
            head = session.request("HEAD", query=query)
            if head.status == 401 and session._answer_challenge(head, "HEAD", query, sent):
                head = session._one("HEAD", query, None, sent, time.monotonic() + 30)
        except (EndpointError, QueryTimeout):
            head = None
        if head is not None and head.status in (401, 403):
            return head.status, ""
        raise
    return answer.status, _first_line(answer.body)


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
    updates = _Session(update_endpoint or endpoint, "--update-endpoint", user, password,
                       timeout, MAX_ANSWER_BYTES)  # fmt: skip
    store = (
        _Session(graph_store, "--graph-store", user, password, timeout, MAX_ANSWER_BYTES)
        if graph_store
        else None
    )
    payloads = graph_payloads(files)
    if not payloads:
        raise UsageError("nothing to push: the files hold no named graph")
    done: list[PushedGraph] = []
    for iri, data in payloads.items():
        triples = data.count(b"\n")
        if store is not None:
            query = urllib.parse.urlencode({"graph": iri})
            headers = {"Content-Type": "text/turtle"}
            status, answer = _send(store, "PUT", query, data, headers)
            if 200 <= status < 300:
                done.append(PushedGraph(iri, triples, "graph-store PUT"))
                continue
            if status not in (404, 405, 415, 501):
                raise EndpointError(_refused(store.shown, status, iri, answer))
            store = None  # this store has no Graph Store Protocol: use SPARQL Update
        for update in _updates(iri, data, batch):
            body = urllib.parse.urlencode({"update": update}).encode()
            headers = {"Content-Type": "application/x-www-form-urlencoded"}
            status, answer = _send(updates, "POST", "", body, headers)
            if not 200 <= status < 300:
                raise EndpointError(_refused(updates.shown, status, iri, answer))
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
        max_bytes: int = MAX_ANSWER_BYTES,
    ) -> None:
        self._session = _Session(endpoint, "--endpoint", user, password, timeout, max_bytes)
        self.endpoint = endpoint
        self.shown = self._session.shown
        self.user, self.password = user, password
        self.timeout, self.page_size, self.max_bytes = timeout, page_size, max_bytes
        self._graphs: list[str] | None = None

    def _run(self, query: str, accept: str, dataset: bool = True) -> _Answer:
        """POST *query* (SPARQL 1.1 Protocol) and return the store's successful answer."""
        fields = [("query", query)]
        if dataset:
            for iri in self.graphs():
                fields += [("default-graph-uri", iri), ("named-graph-uri", iri)]
        body = urllib.parse.urlencode(fields).encode()
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Accept": accept}
        answer = self._session.request("POST", body=body, headers=headers)
        if answer.status != 200:
            detail = _first_line(answer.body)
            raise QueryError(
                f"{self.shown}: HTTP {answer.status} {_first_line(answer.reason.encode())}"
                + (f": {detail}" if detail else "")
            )
        return answer

    def _results(self, query: str, dataset: bool = True) -> bool | tuple[list[str], list[dict]]:
        answer = self._run(query, "application/sparql-results+json", dataset)
        return _read_results(answer.body, self.shown)

    def graphs(self) -> list[str]:
        """The bioeco named graphs the store holds (sorted); raises when there are none."""
        if self._graphs is None:
            found = self._results(
                "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } "
                f'FILTER(STRSTARTS(STR(?g), "{_BIOECO_GRAPHS}")) }}',
                dataset=False,
            )
            if isinstance(found, bool):
                raise EndpointError(f"{self.shown}: malformed answer: a boolean for a SELECT")
            graphs = []
            for row in found[1]:
                cell = row.get("g")
                if cell is None or cell["type"] != "uri":
                    raise EndpointError(f"{self.shown}: malformed answer: a graph name "
                                        "that is not an IRI")  # fmt: skip
                graphs.append(cell["value"])
            self._graphs = sorted(set(graphs))
            if not self._graphs:
                raise EndpointError(
                    f"{self.shown}: the store holds no bioeco graph; run bioeco push first"
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
            max_bytes=self.max_bytes,
        )
        other._graphs = [g for g in self.graphs() if g not in graphs]
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
            answer = self._run(text, "application/n-triples, text/turtle;q=0.9")
            rows = sorted(_read_graph(answer, self.shown))
            return pd.DataFrame(rows, columns=["subject", "predicate", "object"])
        if form not in ("SELECT", "ASK"):
            raise QueryError("only queries are sent to a store here (SELECT, ASK, CONSTRUCT, "
                             "DESCRIBE); load data with bioeco push")  # fmt: skip
        return _frame(self._results(text))

    def __call__(self, query: str) -> pd.DataFrame:
        """``select(query) -> DataFrame`` for the analyses (see
        :func:`bioeco.analyses.project.selector`): :meth:`select_paged`."""
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
            frame = _frame(self._results(page), names)
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


def _frame(result: bool | tuple[list[str], list[dict]], names: list[str] | None = None
           ) -> pd.DataFrame:  # fmt: skip
    if isinstance(result, bool):
        return pd.DataFrame({"ask": [result]})
    columns = names or result[0]
    rows = [[term_value(_term(b[c])) if c in b else None for c in columns] for b in result[1]]
    return pd.DataFrame(rows, columns=columns)


_TERM_TYPES = ("uri", "bnode", "literal", "typed-literal")


def _decode(body: bytes, shown: str) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise EndpointError(
            f"{shown}: malformed answer: not valid UTF-8 (byte 0x{body[exc.start]:02x} at "
            f"offset {exc.start})"
        ) from None


def _read_results(body: bytes, shown: str) -> bool | tuple[list[str], list[dict]]:
    """A SPARQL JSON results document, checked: the boolean of an ASK, or the variables and
    the rows of a SELECT (each cell a dict with a ``type`` and a string ``value``).

    Anything else is one :class:`~bioeco.errors.EndpointError` line naming the store and what
    was wrong, never a ``KeyError`` or a ``RecursionError`` later.

    Examples
    --------
    >>> _read_results(b'{"head": {}, "boolean": true}', "S")
    True
    >>> _read_results(b'{"head": {"vars": ["x"]}, "results": {"bindings": [{"x": '
    ...               b'{"type": "uri", "value": "a:b"}}]}}', "S")
    (['x'], [{'x': {'type': 'uri', 'value': 'a:b'}}])
    >>> _read_results(b'{"results": {"bindings": [{"x": {"type": "uri"}}]}}', "S")
    Traceback (most recent call last):
    ...
    bioeco.errors.EndpointError: S: malformed answer: row 1, variable ?x has no string 'value'
    """

    def bad(what: str) -> EndpointError:
        return EndpointError(f"{shown}: malformed answer: {what}")

    text = _decode(body, shown)
    try:
        doc = json.loads(text)
    except RecursionError:
        raise bad("JSON nested too deeply") from None
    except ValueError as exc:
        msg = getattr(exc, "msg", str(exc))
        where = f" at line {exc.lineno} column {exc.colno}" if hasattr(exc, "lineno") else ""
        raise bad(f"not JSON ({msg}{where})") from None
    if not isinstance(doc, dict):
        raise bad("not a SPARQL JSON results object")
    if "boolean" in doc:
        if not isinstance(doc["boolean"], bool):
            raise bad("'boolean' is not true or false")
        return doc["boolean"]
    head = doc.get("head", {})
    names = head.get("vars", []) if isinstance(head, dict) else None
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise bad("'head' has no list of variable names")
    results = doc.get("results")
    rows = results.get("bindings") if isinstance(results, dict) else None
    if not isinstance(rows, list):
        raise bad("no 'results' with a list of 'bindings'")
    for number, row in enumerate(rows, 1):
        if not isinstance(row, dict):
            raise bad(f"row {number} is not an object")
        for name, cell in row.items():
            where = f"row {number}, variable ?{name}"
            if not isinstance(cell, dict):
                raise bad(f"{where} is not an RDF term object")
            if cell.get("type") not in _TERM_TYPES:
                raise bad(f"{where} has no known 'type' (uri, bnode, literal)")
            if not isinstance(cell.get("value"), str):
                raise bad(f"{where} has no string 'value'")
            for key in ("xml:lang", "datatype"):
                if key in cell and not isinstance(cell[key], str):
                    raise bad(f"{where} has a {key!r} that is not a string")
    return names, rows


def _read_graph(answer: _Answer, shown: str) -> list[tuple[str, str, str]]:
    """The triples of a CONSTRUCT/DESCRIBE answer (N-Triples or Turtle) as text rows."""
    fmt = ox.RdfFormat.N_TRIPLES if answer.media in ("application/n-triples", "text/plain") \
        else ox.RdfFormat.TURTLE  # fmt: skip
    _decode(answer.body, shown)
    try:
        return [(t.subject.value, t.predicate.value, t.object.value)
                for t in ox.parse(answer.body, format=fmt)]  # fmt: skip
    except (SyntaxError, ValueError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise EndpointError(f"{shown}: malformed answer: not valid {fmt.name} ({first[:200]})"
                            ) from None  # fmt: skip
