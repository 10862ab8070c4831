"""``bioeco serve``: a read-only SPARQL 1.1 Protocol endpoint (the Oxigraph server) behind a guard.

How it is put together (the README section "SPARQL endpoint" says why):

- By default it serves the persistent store that ``bioeco build`` wrote under ``out/``
  (:mod:`bioeco.store.disk`), read-only and as it is, when that store holds exactly
  ``out/bioeco.trig`` and ``out/analysis.trig``. Otherwise (files given, or no current store)
  the graph files are bulk-loaded into a private Oxigraph store in a temporary folder beside
  the first file (``.bioeco-serve-*``), removed again when the endpoint stops.
- The engine is the Oxigraph server from PyPI (``oxigraph serve-read-only``, union default
  graph), a child process bound to a private port on 127.0.0.1. It runs under the network
  filter of :mod:`bioeco.store.sandbox` (the kernel refuses every outbound connection, so
  ``SERVICE``
  cannot reach the network) and under a memory limit (``RLIMIT_AS``).
- In front of it, a small guard on ``--host``/``--port`` speaks the SPARQL 1.1 Protocol to
  clients: it refuses updates and Graph Store writes, predeclares the project's prefixes,
  enforces the time limit on the whole answer (the server's own ``--timeout-s`` is cooperative:
  measured here, a three-way cartesian ``COUNT`` was not stopped after 200 s and streamed
  answers are never stopped, so past the limit the guard restarts the engine), checks every
  answer is complete (the Oxigraph server reports an error met while streaming by appending its
  text to a ``200 OK`` body) and serialises it in the format the client asked for.
"""

from __future__ import annotations

import contextlib
import http.client
import http.server
import io
import ipaddress
import math
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from bioeco.core.paths import OUT_DIR
from bioeco.errors import EndpointError, UsageError
from bioeco.serve.lifeline import Lifeline
from bioeco.store.dataset import RDF_FORMATS, REFUSED_FORMATS
from bioeco.store.query import PREFIX_HEADER

__all__ = [
    "DEFAULT_MEMORY_MB",
    "DEFAULT_PORT",
    "DEFAULT_TIMEOUT",
    "Endpoint",
    "default_graph_files",
    "load_store",
    "negotiate",
    "serve",
]

DEFAULT_PORT = 7878
DEFAULT_TIMEOUT = 30.0
DEFAULT_MEMORY_MB = 4096
GUARD_MEMORY_MB = 4096
"""The guard's own address-space limit (``RLIMIT_AS``) while ``serve`` runs."""
MAX_REQUEST_BYTES = 1_000_000
MAX_ANSWER_BYTES = 256_000_000
REQUEST_TIMEOUT = 20.0
"""Seconds a client has to send one whole request (line, headers and body); also how long an
idle kept-alive connection stays open."""
MAX_CONNECTIONS = 64
"""Connections answered at once; more wait in the listen backlog (``BACKLOG``)."""
BACKLOG = 1024
MAX_NESTING = 100
"""The deepest nesting of ``{ ( [`` a query may have (the engine's parser recurses: 5 000
nested braces killed it)."""
MAX_OPERATORS = 500
"""The most operators (``/ | ^ + - * ! = < > && ||``) a query may hold (a 20 000-step path or
a sum of 2 000 terms killed the engine)."""
_SPOOL_BYTES = 4_000_000  # answers larger than this are held in a temporary file, not memory

_OX_FORMATS = {
    "trig": ox.RdfFormat.TRIG,
    "turtle": ox.RdfFormat.TURTLE,
    "nquads": ox.RdfFormat.N_QUADS,
    "nt": ox.RdfFormat.N_TRIPLES,
}
_PREFIX_LINES = PREFIX_HEADER.count("\n")

#: Result formats for SELECT/ASK and for CONSTRUCT/DESCRIBE, by media type; the first is the
#: default when the client accepts anything.
RESULT_TYPES = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "application/xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
GRAPH_TYPES = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "text/plain": ox.RdfFormat.N_TRIPLES,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/n-quads": ox.RdfFormat.N_QUADS,
    "application/trig": ox.RdfFormat.TRIG,
}
_READ_ONLY = (
    "bioeco serve is read-only: SPARQL Update and Graph Store writes are refused "
    "(load data with bioeco build, or push it to a server store with bioeco push)"
)


def default_graph_files(out_dir: Path | None = None) -> list[Path]:
    """The built graph and, when present, the analysis graph in *out_dir* (default ``out/``).

    Examples
    --------
    >>> default_graph_files(Path("/nonexistent"))
    Traceback (most recent call last):
    ...
    bioeco.errors.UsageError: /nonexistent/bioeco.trig: no such file; run bioeco build first ...
    """
    out = Path(out_dir or OUT_DIR)
    main = out / "bioeco.trig"
    if not main.is_file():
        raise UsageError(f"{main}: no such file; run bioeco build first or give --graph FILE")
    extra = out / "analysis.trig"
    return [main, extra] if extra.is_file() else [main]


def rdf_format(path: Path) -> ox.RdfFormat:
    suffix = path.suffix.lower()
    if suffix in REFUSED_FORMATS:
        raise UsageError(
            f"{path}: {REFUSED_FORMATS[suffix]} input is refused; convert it to Turtle or TriG"
        )
    if suffix not in RDF_FORMATS:
        raise UsageError(
            f"{path}: unsupported RDF format {path.suffix!r} (use {', '.join(RDF_FORMATS)})"
        )
    from bioeco.core.safeio import UnsafeFile, check_regular

    try:
        check_regular(path)  # a FIFO, a device: refused before a parser opens it
    except UnsafeFile as exc:
        raise UsageError(f"{path}: {exc}") from None
    return _OX_FORMATS[RDF_FORMATS[suffix]]


def load_store(files: Sequence[Path | str], directory: Path | str) -> int:
    """Bulk-load RDF *files* into a new on-disk Oxigraph store at *directory*; return its size.

    TriG and N-Quads keep their named graphs; Turtle and N-Triples go into a named graph named
    after the file's URI (as :func:`bioeco.store.dataset.load_dataset` does). Nothing is fetched.

    Examples
    --------
    >>> import tempfile
    >>> from bioeco.core.paths import PROJECT_ROOT
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     load_store([PROJECT_ROOT / "ontology" / "bioeco.ttl"], Path(tmp) / "store") > 100
    True
    """
    paths = [Path(f) for f in files]
    formats = [rdf_format(p) for p in paths]
    store = ox.Store(str(directory))
    try:
        for path, fmt in zip(paths, formats, strict=True):
            base = path.resolve().as_uri()
            target = None if fmt.supports_datasets else ox.NamedNode(base)
            try:
                store.bulk_load(path=str(path), format=fmt, base_iri=base, to_graph=target)
            except SyntaxError as exc:
                raise UsageError(f"{path}: not valid {fmt.name}: {exc}") from None
        store.flush()
        return len(store)
    finally:
        del store  # closes the database so the server can open it


def negotiate(accept: str | None, offered: Sequence[str]) -> str | None:
    """The media type of *offered* that an HTTP ``Accept`` header prefers (``None``: none).

    Examples
    --------
    >>> negotiate("text/csv;q=0.5, application/sparql-results+xml", ["text/csv",
    ...     "application/sparql-results+xml"])
    'application/sparql-results+xml'
    >>> negotiate("*/*", ["text/turtle", "application/n-triples"])
    'text/turtle'
    >>> negotiate("image/png", ["text/csv"]) is None
    True
    """
    if not accept:
        return offered[0]
    best_key: tuple[float, int, int] | None = None
    best: str | None = None
    for position, part in enumerate(accept.split(",")):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        q = 1.0
        for param in fields[1:]:
            if param.startswith("q="):
                with contextlib.suppress(ValueError):
                    q = float(param[2:])
        if q <= 0:
            continue
        if media in ("*/*", "*", ""):
            match = offered[0]
        elif media.endswith("/*"):
            match = next((o for o in offered if o.startswith(media[:-1])), None)
        else:
            match = media if media in offered else None
        # exact types beat wildcards at equal q; earlier entries beat later ones
        key = (q, 0 if "*" in media else 1, -position)
        if match is not None and (best_key is None or key > best_key):
            best_key, best = key, match
    return best


class _Stopped(Exception):
    """An answer could not be given; ``status`` and ``reason`` go to the client."""

    def __init__(self, status: int, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.status, self.reason, self.detail = status, reason, detail


@dataclass
class _Engine:
    process: subprocess.Popen
    port: int
    generation: int


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _oxigraph_binary() -> str:
    beside = Path(sys.executable).with_name("oxigraph")
    found = str(beside) if beside.exists() else shutil.which("oxigraph")
    if not found:
        raise EndpointError("the oxigraph server is not installed (pip install oxigraph)")
    return found


class Endpoint:
    """The guarded read-only SPARQL endpoint over an Oxigraph store folder.

    Use as a context manager (``with Endpoint(store) as ep: ep.serve_forever()``) or call
    :meth:`start` and :meth:`close`. ``timeout`` bounds each answer (seconds), ``memory_mb`` the
    engine's address space; ``max_bytes`` the size of one answer; ``request_timeout`` how long a
    client may take to send one request. Requests must name the endpoint in their ``Host``
    header by an IP address, ``localhost`` or *host* / *allowed_hosts* (no DNS rebinding).
    """

    def __init__(
        self,
        store_dir: Path | str,
        *,
        host: str = "127.0.0.1",
        port: int = DEFAULT_PORT,
        timeout: float = DEFAULT_TIMEOUT,
        memory_mb: int = DEFAULT_MEMORY_MB,
        max_bytes: int = MAX_ANSWER_BYTES,
        sandbox: bool = True,
        request_timeout: float = REQUEST_TIMEOUT,
        allowed_hosts: Sequence[str] = (),
    ) -> None:
        if not (math.isfinite(timeout) and 0 < timeout <= 86_400):
            raise UsageError(f"the time limit must be a positive number of seconds, not {timeout}")
        if not (math.isfinite(request_timeout) and request_timeout > 0):
            raise UsageError(f"the request time limit must be positive, not {request_timeout}")
        self.store_dir = Path(store_dir)
        self.host, self.port = host, port
        self.timeout, self.memory_mb, self.max_bytes = timeout, memory_mb, max_bytes
        self.sandbox = sandbox
        self.request_timeout = request_timeout
        self.allowed_hosts = {h.lower().strip("[]") for h in (host, *allowed_hosts)}
        self._lock = threading.Lock()
        self._engine: _Engine | None = None
        self._generation = 0
        self._lines: dict[int, Lifeline] = {}  # engine pid -> its lifeline
        self._httpd: http.server.ThreadingHTTPServer | None = None
        self.restarts = 0

    # -- life cycle --------------------------------------------------------------------
    @property
    def url(self) -> str:
        """The query URL clients use (``http://host:port/query``)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/query"

    def bind(self) -> None:
        """Open the listening socket (before anything slow), or fail with one clear line."""
        handler = type("Handler", (_Handler,), {"endpoint": self, "timeout": self.request_timeout})
        try:
            self._httpd = _Server((self.host, self.port), handler)
        except OSError as exc:
            if exc.errno == 98:  # EADDRINUSE
                raise EndpointError(
                    f"port {self.port} on {self.host} is already in use; stop the other server "
                    "or choose another with --port"
                ) from None
            raise EndpointError(
                f"cannot listen on {self.host}:{self.port}: {exc.strerror}"
            ) from None
        self.port = self._httpd.server_address[1]

    def start(self) -> None:
        """Bind (if not yet bound) and start the engine; returns when it answers."""
        if self._httpd is None:
            self.bind()
        with self._lock:
            self._engine = self._spawn()

    def serve_forever(self) -> None:
        """Answer requests until interrupted (Ctrl-C) or :meth:`shutdown`."""
        assert self._httpd is not None, "call start() first"
        self._httpd.serve_forever(poll_interval=0.2)

    def serve_in_thread(self) -> threading.Thread:
        """Answer requests on a daemon thread (tests, notebooks); stop with :meth:`close`."""
        thread = threading.Thread(target=self.serve_forever, daemon=True)
        thread.start()
        return thread

    def close(self) -> None:
        """Stop answering and stop the engine (idempotent)."""
        if self._httpd is not None:
            with contextlib.suppress(Exception):
                if getattr(self._httpd, "_serving", False):
                    self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        with self._lock:
            if self._engine is not None:
                self._stop_engine(self._engine.process)
                self._engine = None

    def __enter__(self) -> Endpoint:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the engine --------------------------------------------------------------------
    def _command(self, port: int) -> list[str]:
        argv = [
            _oxigraph_binary(),
            "serve-read-only",
            "--location",
            str(self.store_dir),
            "--bind",
            f"127.0.0.1:{port}",
            "--union-default-graph",
            # the engine's own cooperative limit, a little after the guard's hard one
            "--timeout-s",
            str(int(self.timeout) + 5),
        ]
        if not self.sandbox:
            return argv
        from bioeco.store.sandbox import offline_command

        return offline_command(argv)

    def _spawn(self) -> _Engine:
        last = ""
        for _attempt in range(3):  # another program may take the private port meanwhile
            port = _free_port()
            log = tempfile.TemporaryFile()  # noqa: SIM115 - outlives this block, read on failure
            # the engine runs on a lifeline: it stops when this process ends, however it ends
            # (killed guards left engines running); the lifeline also sets its memory limit
            line = Lifeline()
            process = subprocess.Popen(
                line.command(self._command(port), memory_bytes=self.memory_mb * 1024 * 1024),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                pass_fds=line.pass_fds,
                start_new_session=True,  # Ctrl-C reaches the guard, which stops the engine
            )
            line.started()
            self._lines[process.pid] = line
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and process.poll() is None:
                with contextlib.suppress(OSError):
                    socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                    self._generation += 1
                    return _Engine(process, port, self._generation)
                time.sleep(0.05)
            self._stop_engine(process)
            log.seek(0)
            lines = log.read().decode("utf-8", "replace").strip().splitlines()
            last = lines[-1] if lines else f"exit code {process.returncode}"
        raise EndpointError(f"the Oxigraph server did not start: {last}")

    def _stop_engine(self, process: subprocess.Popen) -> None:
        _stop(process)
        line = self._lines.pop(process.pid, None)
        if line is not None:
            line.close()

    def _restart(self, generation: int) -> None:
        """Replace the engine unless another request already did since *generation*."""
        with self._lock:
            if self._engine is None or self._engine.generation != generation:
                return
            self._stop_engine(self._engine.process)
            self.restarts += 1
            self._engine = self._spawn()

    # -- one query -------------------------------------------------------------------------
    def answer(self, params: dict[str, list[str]], accept: str | None) -> tuple[str, _Spool]:
        """Run the query in *params* (SPARQL Protocol parameters) and return the answer as
        ``(media type, body)`` in the format *accept* prefers; raises :class:`_Stopped`.

        The body is a spooled temporary file (on disk past a few MB): the engine's answer and
        its conversion are streamed, never held whole in memory, and the conversion counts
        in the time limit."""
        if "update" in params:
            raise _Stopped(403, "Forbidden", _READ_ONLY)
        queries = params.get("query", [])
        if len(queries) != 1:
            raise _Stopped(400, "Bad Request", "give exactly one query parameter")
        check_query(queries[0])
        fields = [("query", PREFIX_HEADER + queries[0])]
        for key in ("default-graph-uri", "named-graph-uri"):
            fields += [(key, value) for value in params.get(key, [])]
        body = urllib.parse.urlencode(fields).encode()
        with self._lock:
            engine = self._engine
        if engine is None:
            raise _Stopped(503, "Service Unavailable", "the endpoint is stopping")
        deadline = time.monotonic() + self.timeout
        try:
            status, media, raw = self._fetch(engine, body, deadline)
        except _Stopped:
            raise
        except TimeoutError:
            self._restart(engine.generation)
            raise _time_limit(self.timeout) from None
        except (OSError, http.client.HTTPException):
            self._engine_failed(engine)
        with raw:
            if status != 200:
                raw.seek(0)
                text = raw.read(4000)
                refused = _stream_error(text)
                if refused.status == 403:  # the engine met the network filter before answering
                    raise refused
                raise _Stopped(status, http.client.responses.get(status, "Error"), _message(text))
            return self._convert(media, raw, accept, deadline)

    def _engine_failed(self, engine: _Engine) -> None:
        """The engine closed the connection: find out whether it died, restart it, raise."""
        try:  # a dying engine closes its sockets a moment before it is gone
            engine.process.wait(timeout=3)
            died = True
        except subprocess.TimeoutExpired:
            died = False
        self._restart(engine.generation)
        detail = (
            f"the engine stopped (its memory limit of {self.memory_mb} MB reached?) and "
            "was restarted; narrow the query"
            if died
            else "the engine was restarted while answering; try again"
        )
        raise _Stopped(503, "Engine restarted", detail)

    def _fetch(self, engine: _Engine, body: bytes, deadline: float) -> tuple[int, str, _Spool]:
        conn = http.client.HTTPConnection("127.0.0.1", engine.port, timeout=self.timeout)
        spool = _Spool()
        try:
            conn.request(
                "POST",
                "/query",
                body,
                {
                    "Content-Type": "application/x-www-form-urlencoded",
                    # complete answers can be checked in these (an error appended to a CSV
                    # or TSV body could not be told from data)
                    "Accept": "application/sparql-results+json, application/n-triples",
                },
            )
            response = conn.getresponse()
            sock = conn.sock
            size = 0
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError
                if sock is not None:
                    sock.settimeout(left)
                chunk = response.read1(1 << 16)
                if not chunk:
                    break
                size += len(chunk)
                if size > self.max_bytes:
                    raise _too_large(self.max_bytes)
                spool.write(chunk)
            media = (response.getheader("Content-Type") or "").split(";")[0].strip()
            spool.seek(0)
            return response.status, media, spool
        except BaseException:
            spool.close()
            raise
        finally:
            conn.close()

    def _convert(
        self, media: str, raw: _Spool, accept: str | None, deadline: float
    ) -> tuple[str, _Spool]:
        """Stream the engine's answer *raw* into the client's format, under the deadline and
        the size cap; an incomplete answer (an error appended while streaming) is refused."""
        graph = media == "application/n-triples"
        offered = GRAPH_TYPES if graph else RESULT_TYPES
        target = negotiate(accept, list(offered))
        if target is None:
            raise _Stopped(406, "Not Acceptable", _not_acceptable(offered))
        out = _Spool(deadline=deadline, limit=self.max_bytes, timeout=self.timeout)
        try:
            raw.seek(0)
            if graph:
                fmt = GRAPH_TYPES[target]
                triples = ox.parse(raw, format=ox.RdfFormat.N_TRIPLES)
                ox.serialize(triples, out, format=fmt, prefixes=_prefixes(fmt))
            else:
                results = ox.parse_query_results(raw, format=ox.QueryResultsFormat.JSON)
                results.serialize(out, format=RESULT_TYPES[target])
            out.check()
        except _Stopped:
            out.close()
            raise
        except (SyntaxError, ValueError, OSError, RuntimeError):
            out.close()
            if out.stopped is not None:  # our own limit, passed back through the engine
                raise out.stopped from None
            raw.seek(max(raw.size - 4000, 0))
            raise _stream_error(raw.read()) from None
        out.seek(0)
        return target, out


class _Spool:
    """A temporary file that stays in memory up to a few MB (``SpooledTemporaryFile``) and,
    given a *deadline* and a *limit*, refuses writes past either: the guard never holds a
    whole large answer in memory, and converting one counts in the time limit."""

    def __init__(
        self, *, deadline: float | None = None, limit: int | None = None, timeout: float = 0.0
    ) -> None:
        self._file = tempfile.SpooledTemporaryFile(max_size=_SPOOL_BYTES)  # noqa: SIM115
        self.size = 0
        self.deadline, self.limit, self.timeout = deadline, limit, timeout
        self.stopped: _Stopped | None = None

    def write(self, data: bytes) -> int:
        self.size += len(data)
        self.check()
        self._file.write(data)
        return len(data)

    def check(self) -> None:
        """Raise the limit this spool is past, if any (and remember it)."""
        if self.limit is not None and self.size > self.limit:
            self.stopped = _too_large(self.limit)
        elif self.deadline is not None and time.monotonic() > self.deadline:
            self.stopped = _time_limit(self.timeout)
        if self.stopped is not None:
            raise self.stopped

    def flush(self) -> None:
        self._file.flush()

    def writable(self) -> bool:
        return True

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        return self._file.read(n)

    def seek(self, offset: int, whence: int = 0) -> int:
        return self._file.seek(offset, whence)

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> _Spool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _too_large(limit: int) -> _Stopped:
    return _Stopped(
        413,
        "Answer too large",
        f"the answer is larger than {limit / 1_000_000:g} MB; add a LIMIT or ask for less",
    )


def _time_limit(timeout: float) -> _Stopped:
    return _Stopped(
        503,
        "Query time limit exceeded",
        f"the query ran longer than the time limit of {timeout:g} s and was stopped; "
        "narrow it or add a LIMIT",
    )


_TOKEN = re.compile(
    r"""
    (?P<skip>\s+|\#[^\n]*)
    | (?P<string>"{3}(?:[^"\\]|\\.|"(?!""))*"{3}|'{3}(?:[^'\\]|\\.|'(?!''))*'{3}
        |"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
    | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
    | (?P<name>[?$]?[\w.:%\u00b7-\uffff-]+)
    | (?P<open>[{(\[])
    | (?P<close>[})\]])
    | (?P<op>\|\||&&|[/|^+*!=<>-]=?)
    | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)


def check_query(text: str) -> None:
    """Refuse a query the engine's recursive parser or evaluator could not survive: nesting of
    ``{ ( [`` deeper than :data:`MAX_NESTING`, or more than :data:`MAX_OPERATORS` operators
    (strings, IRIs and comments do not count). Raises a 400 :class:`_Stopped`.

    Examples
    --------
    >>> check_query("SELECT * WHERE { ?s <a:p>/<a:q> ?o FILTER(?o > 1) }")
    >>> check_query('ASK { ?s ?p "((((" } # ((((')
    >>> check_query("ASK " + "{" * 101 + "}" * 101)
    Traceback (most recent call last):
    ...
    bioeco.serve.endpoint._Stopped: the query nests { ( [ 101 deep; this endpoint accepts ...
    """
    depth = deepest = operators = 0
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup
        if kind == "open":
            depth += 1
            deepest = max(deepest, depth)
        elif kind == "close":
            depth = max(depth - 1, 0)
        elif kind == "op":
            operators += 1
    if deepest > MAX_NESTING:
        raise _Stopped(
            400,
            "Query too deeply nested",
            f"the query nests {{ ( [ {deepest} deep; this endpoint accepts at most "
            f"{MAX_NESTING} levels (deeper queries would stop its engine)",
        )
    if operators > MAX_OPERATORS:
        raise _Stopped(
            400,
            "Query too long",
            f"the query has {operators} operators (/ | ^ + - * ! = < > && ||); this endpoint "
            f"accepts at most {MAX_OPERATORS} (longer paths or expressions would stop its "
            "engine)",
        )


def _prefixes(fmt: ox.RdfFormat) -> dict[str, str] | None:
    if fmt not in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG):
        return None
    from bioeco.core.vocab import PREFIXES

    return {p: str(ns) for p, ns in PREFIXES.items()}


def _not_acceptable(types: dict) -> str:
    return "no acceptable format; this endpoint answers in " + ", ".join(types)


def _message(raw: bytes) -> str:
    """The engine's error text, with line numbers counted from the user's first line."""
    text = raw.decode("utf-8", "replace").strip()

    def shift(match: re.Match) -> str:
        line = int(match.group(1)) - _PREFIX_LINES
        return f"error at {line}:{match.group(2)}" if line > 0 else match.group(0)

    return re.sub(r"error at (\d+):(\d+)", shift, text)[:2000]


def _stream_error(raw: bytes) -> _Stopped:
    """Explain an error the engine appended to a partly streamed answer."""
    text = raw.decode("utf-8", "replace")
    tail = re.split(r"[\[\]{}]", text)[-1].strip().lstrip(",").strip() or "unknown error"
    if "cancelled" in tail:
        return _Stopped(
            503,
            "Query time limit exceeded",
            "the query ran longer than the engine's time limit and was stopped",
        )
    if "ermission denied" in tail or "os error 13" in tail:
        return _Stopped(
            403,
            "SERVICE refused",
            "SERVICE is refused: this endpoint never reaches the network "
            f"(the engine cannot open connections: {tail[:300]})",
        )
    return _Stopped(500, "Query failed", f"the query failed while answering: {tail[:500]}")


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)


class _Server(http.server.ThreadingHTTPServer):
    """Threads for at most :data:`MAX_CONNECTIONS` connections at once (more wait in a listen
    backlog of :data:`BACKLOG`); a client's error never prints a traceback."""

    daemon_threads = True
    allow_reuse_address = False  # a port in use must be reported, never shared
    request_queue_size = BACKLOG

    def __init__(self, address: tuple[str, int], handler: type) -> None:
        self._slots = threading.BoundedSemaphore(MAX_CONNECTIONS)
        self._stopping = threading.Event()
        super().__init__(address, handler)

    def serve_forever(self, poll_interval: float = 0.5) -> None:
        self._serving = True
        self._stopping.clear()
        try:
            super().serve_forever(poll_interval)
        finally:
            self._serving = False

    def shutdown(self) -> None:
        self._stopping.set()
        super().shutdown()

    def process_request(self, request: socket.socket, client_address: tuple) -> None:
        while not self._slots.acquire(timeout=0.2):  # all busy: wait, the backlog holds the rest
            if self._stopping.is_set():
                self.shutdown_request(request)
                return
        try:
            super().process_request(request, client_address)
        except BaseException:
            self._slots.release()
            raise

    def process_request_thread(self, request: socket.socket, client_address: tuple) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._slots.release()

    def handle_error(self, request: object, client_address: tuple) -> None:
        kind, exc, _tb = sys.exc_info()
        if isinstance(exc, OSError | http.client.HTTPException):
            return  # a client that hung up or stalled: nothing to report
        print(f"bioeco serve: error answering {client_address[0]}: {kind.__name__}: {exc}",
              file=sys.stderr)  # fmt: skip


class _DeadlineIO(socket.SocketIO):
    """A socket reader whose every ``recv`` waits at most until the handler's deadline."""

    def __init__(self, sock: socket.socket, handler: _Handler) -> None:
        super().__init__(sock, "rb")
        self._handler = handler

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        until = self._handler.reading_until
        if until is not None:
            left = until - time.monotonic()
            if left <= 0:
                raise TimeoutError("the request took longer than the time limit to arrive")
            self._sock.settimeout(min(left, self._handler.timeout))
        return super().readinto(buffer)


class _Handler(http.server.BaseHTTPRequestHandler):
    endpoint: Endpoint
    server_version = "bioeco-serve"
    protocol_version = "HTTP/1.1"
    timeout: float = REQUEST_TIMEOUT  # per read; the whole request also has this long

    def log_message(self, format: str, *args: object) -> None:  # quiet, like the engine
        return

    def setup(self) -> None:
        super().setup()
        # every read waits at most until the request's deadline, however slowly it trickles
        self.reading_until: float | None = None
        self.rfile = io.BufferedReader(_DeadlineIO(self.connection, self), 1 << 16)

    def handle_one_request(self) -> None:
        # the whole request (line, headers, body) must arrive within the time limit; an idle
        # kept-alive connection is closed after it too
        self.reading_until = time.monotonic() + self.timeout
        super().handle_one_request()

    def _send(self, status: int, reason: str, media: str, body: bytes | _Spool) -> None:
        size = body.size if isinstance(body, _Spool) else len(body)
        self.send_response(status, reason)
        self.send_header("Content-Type", media if ";" in media else f"{media}; charset=utf-8")
        self.send_header("Content-Length", str(size))
        self.send_header("Vary", "Accept")
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command == "HEAD":
            return
        if isinstance(body, _Spool):
            shutil.copyfileobj(body, self.wfile, 1 << 16)
        else:
            self.wfile.write(body)

    def _fail(self, stopped: _Stopped) -> None:
        if not self._body_read and self.command in ("POST", "PUT", "PATCH"):
            # read a small body (within the cap) so the client gets to read the answer
            with contextlib.suppress(_Stopped, OSError):
                self.rfile.read(self._length())
        self.close_connection = True  # a body left unread must not be taken for a request
        self._send(stopped.status, stopped.reason, "text/plain", (stopped.detail + "\n").encode())

    def _check_host(self) -> None:
        """Refuse a ``Host`` that is not a name of this endpoint (DNS rebinding: a web page
        whose own name now points at 127.0.0.1 would send its name here)."""
        given = self.headers.get_all("Host") or []
        if len(given) > 1:
            raise _Stopped(400, "Bad Request", "more than one Host header")
        if not given:
            return  # HTTP/1.0 clients; a browser always sends its page's name
        value = given[0].strip().lower()
        name = value[1:].split("]")[0] if value.startswith("[") else value.rsplit(":", 1)[0]
        if name in self.endpoint.allowed_hosts or name == "localhost":
            return
        try:
            ipaddress.ip_address(name)
            return  # an address is not a name that can be rebound
        except ValueError:
            pass
        raise _Stopped(
            421,
            "Misdirected Request",
            f"this endpoint answers only to its own names (an IP address, localhost, "
            f"{self.endpoint.host}), not to Host {value[:100]!r} (DNS rebinding protection)",
        )

    def _length(self) -> int:
        if self.headers.get("Transfer-Encoding") is not None:
            raise _Stopped(
                501, "Not Implemented", "chunked requests are not accepted; send Content-Length"
            )
        values = self.headers.get_all("Content-Length") or []
        if not values:
            return 0
        if len(set(values)) > 1 or not re.fullmatch(r"[0-9]{1,15}", values[0].strip()):
            shown = ", ".join(values)[:40]
            raise _Stopped(
                400, "Bad Request", f"Content-Length must be a number of bytes, not {shown!r}"
            )
        length = int(values[0])
        if length > MAX_REQUEST_BYTES:
            raise _Stopped(413, "Request too large", "the request is larger than 1 MB")
        return length

    def _params(self) -> dict[str, list[str]]:
        url = urllib.parse.urlsplit(self.path)
        params = urllib.parse.parse_qs(url.query, keep_blank_values=True)
        if self.command != "POST":
            return params
        length = self._length()
        data = self.rfile.read(length)
        self._body_read = True
        if len(data) < length:
            raise ConnectionError("the client sent less than its Content-Length")
        body = data.decode("utf-8", "replace")
        media = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if media == "application/x-www-form-urlencoded":
            for key, values in urllib.parse.parse_qs(body, keep_blank_values=True).items():
                params.setdefault(key, []).extend(values)
        elif media == "application/sparql-query":
            params["query"] = [*params.get("query", []), body]
        elif media == "application/sparql-update":
            raise _Stopped(403, "Forbidden", _READ_ONLY)
        else:
            raise _Stopped(415, "Unsupported Media Type", f"unsupported request type {media!r}")
        return params

    def _route(self) -> None:
        self._body_read = False
        path = urllib.parse.urlsplit(self.path).path.rstrip("/")
        try:
            self._check_host()
            if path in ("/query", "/sparql"):
                if self.command not in ("GET", "POST", "HEAD"):
                    raise _Stopped(405, "Method Not Allowed", "use GET or POST for queries")
                params = self._params()
                self.reading_until = None  # the request is in: now the answer's limit runs
                self.connection.settimeout(self.timeout)  # for writing the answer
                if not params.get("query") and "update" not in params and path == "/sparql":
                    self._send(200, "OK", "text/plain", _help(self.endpoint).encode())
                    return
                media, body = self.endpoint.answer(params, self.headers.get("Accept"))
                with body:
                    self._send(200, "OK", media, body)
            elif path in ("/update", "/store") or self.command in ("PUT", "DELETE", "PATCH"):
                raise _Stopped(403, "Forbidden", _READ_ONLY)
            elif path == "" and self.command in ("GET", "HEAD"):
                self._send(200, "OK", "text/plain", _help(self.endpoint).encode())
            else:
                raise _Stopped(404, "Not Found", "no such path; queries go to /query")
        except _Stopped as stopped:
            self._fail(stopped)
        except MemoryError:
            self._fail(_Stopped(503, "Out of memory", "the endpoint ran out of memory "
                                "answering; narrow the query or add a LIMIT"))  # fmt: skip
        except (OSError, http.client.HTTPException):
            self.close_connection = True  # the client hung up, stalled or sent too little

    do_GET = do_POST = do_HEAD = do_PUT = do_DELETE = do_PATCH = _route


def _help(endpoint: Endpoint) -> str:
    lines = [
        "bioeco SPARQL endpoint (read-only; SPARQL 1.1 Protocol)",
        f"Queries: GET or POST {endpoint.url}",
        f"Time limit: {endpoint.timeout:g} s per answer. SERVICE, updates and Graph Store "
        "writes are refused.",
        "Answers: JSON, XML, CSV, TSV (SELECT/ASK); Turtle, N-Triples, RDF/XML (CONSTRUCT/"
        "DESCRIBE), by the Accept header.",
        "Predeclared prefixes (a query may declare its own too):",
        PREFIX_HEADER.rstrip("\n"),
    ]
    return "\n".join(lines) + "\n"


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@contextlib.contextmanager
def _private_store(files: Sequence[Path]) -> Iterator[Path]:
    # locked while served; copies left by a killed serve (SIGKILL) are removed here
    from bioeco.core.atomic import private_folder

    base = files[0].resolve().parent
    with contextlib.ExitStack() as stack:
        try:
            folder = stack.enter_context(private_folder(base, ".bioeco-serve-"))
        except OSError:  # a read-only folder: the system's temporary folder will do
            folder = stack.enter_context(private_folder(tempfile.gettempdir(), "bioeco-serve-"))
        yield folder


@contextlib.contextmanager
def _as_is(folder: Path) -> Iterator[Path]:
    yield folder  # the persistent store: served read-only, never removed


def serve(
    graph_files: Sequence[Path | str] | None = None,
    *,
    host: str = "127.0.0.1",
    port: int = DEFAULT_PORT,
    timeout: float = DEFAULT_TIMEOUT,
    memory_mb: int = DEFAULT_MEMORY_MB,
    announce: Callable[[str], None] = print,
) -> None:
    """Serve *graph_files* (default: ``out/bioeco.trig`` and ``out/analysis.trig``) read-only
    until Ctrl-C or SIGTERM; *announce* receives the lines a person should read.

    By default the persistent store ``bioeco build`` wrote under ``out/`` is served as it is
    (read-only) when it holds exactly those files (:func:`bioeco.pipeline.current_store`);
    otherwise, and for files given, they are bulk-loaded into a private store first.

    Raises :class:`~bioeco.errors.EndpointError` when the port is in use or the engine does not
    start, :class:`~bioeco.errors.UsageError` for a missing or unreadable graph file. The
    private store is removed and the engine stopped however it ends.
    """
    files = [Path(f) for f in graph_files] if graph_files else default_graph_files()
    for path in files:
        rdf_format(path)
    if not _is_loopback(host):
        announce(
            f"warning: --host {host} makes the endpoint reachable from other machines; "
            "it has no authentication (keep 127.0.0.1 unless a proxy guards it)"
        )
    own_names = () if _is_loopback(host) else (socket.gethostname(),)
    endpoint = Endpoint(Path("unused"), host=host, port=port, timeout=timeout,
                        memory_mb=memory_mb, allowed_hosts=own_names)  # fmt: skip
    endpoint.bind()  # a port in use is reported before any slow work
    previous = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGTERM, _raise_interrupt)
    stored = None
    if not graph_files:  # out/: its persistent store, when it holds exactly these files
        from bioeco.pipeline import current_store

        stored = current_store()
    try:
        with (
            contextlib.ExitStack() as stack,
            _private_store(files) if stored is None else _as_is(stored) as folder,
        ):
            names = ", ".join(str(f) for f in files)
            if stored is None:
                endpoint.store_dir = folder / "store"
                size = load_store(files, endpoint.store_dir)
                announce(f"Loaded {size} quads from {names}")
            else:
                endpoint.store_dir = stored
                size = len(ox.Store.read_only(str(stored)))
                announce(f"Serving {size} quads of {names} from the store {stored.parent}")
            endpoint.start()
            stack.enter_context(_guard_memory(GUARD_MEMORY_MB))
            announce(
                f"SPARQL endpoint at {endpoint.url} (read-only, time limit {timeout:g} s); "
                "press Ctrl-C to stop"
            )
            try:
                endpoint.serve_forever()
            except KeyboardInterrupt:
                announce("Stopping")
            finally:
                endpoint.close()
    finally:
        endpoint.close()
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


@contextlib.contextmanager
def _guard_memory(megabytes: int) -> Iterator[None]:
    """Lower this process's soft address-space limit while the guard answers (a request or an
    answer that slipped past the caps then fails alone, with a 503), and restore it."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    wanted = megabytes * 1024 * 1024
    if hard != resource.RLIM_INFINITY:
        wanted = min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft <= wanted:
        yield
        return
    resource.setrlimit(resource.RLIMIT_AS, (wanted, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def _raise_interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt
