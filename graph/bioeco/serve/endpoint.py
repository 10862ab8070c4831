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
import ipaddress
import json
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
MAX_REQUEST_BYTES = 1_000_000
MAX_ANSWER_BYTES = 256_000_000

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
    if not path.is_file():
        raise UsageError(f"{path}: no such file")
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
    engine's address space; ``max_bytes`` the size of one answer.
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
    ) -> None:
        if timeout <= 0:
            raise UsageError(f"the time limit must be positive, not {timeout}")
        self.store_dir = Path(store_dir)
        self.host, self.port = host, port
        self.timeout, self.memory_mb, self.max_bytes = timeout, memory_mb, max_bytes
        self.sandbox = sandbox
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
        handler = type("Handler", (_Handler,), {"endpoint": self})
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
    def answer(self, params: dict[str, list[str]], accept: str | None) -> tuple[str, bytes]:
        """Run the query in *params* (SPARQL Protocol parameters) and return the answer as
        ``(media type, body)`` in the format *accept* prefers; raises :class:`_Stopped`."""
        if "update" in params:
            raise _Stopped(403, "Forbidden", _READ_ONLY)
        queries = params.get("query", [])
        if len(queries) != 1:
            raise _Stopped(400, "Bad Request", "give exactly one query parameter")
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
        except TimeoutError:
            self._restart(engine.generation)
            raise _Stopped(
                503,
                "Query time limit exceeded",
                f"the query ran longer than the time limit of {self.timeout:g} s and was "
                "stopped; narrow it or add a LIMIT",
            ) from None
        except _Stopped:
            raise
        except (OSError, http.client.HTTPException):
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
            raise _Stopped(503, "Engine restarted", detail) from None
        if status != 200:
            refused = _stream_error(raw)
            if refused.status == 403:  # the engine met the network filter before answering
                raise refused
            raise _Stopped(status, http.client.responses.get(status, "Error"), _message(raw))
        return self._convert(media, raw, accept)

    def _fetch(self, engine: _Engine, body: bytes, deadline: float) -> tuple[int, str, bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", engine.port, timeout=self.timeout)
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
            chunks, size = [], 0
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError
                conn.sock.settimeout(left)
                chunk = response.read1(1 << 16)
                if not chunk:
                    break
                size += len(chunk)
                if size > self.max_bytes:
                    raise _Stopped(
                        413,
                        "Answer too large",
                        f"the answer is larger than {self.max_bytes // 1_000_000} MB; "
                        "add a LIMIT or ask for less",
                    )
                chunks.append(chunk)
            media = (response.getheader("Content-Type") or "").split(";")[0].strip()
            return response.status, media, b"".join(chunks)
        finally:
            conn.close()

    def _convert(self, media: str, raw: bytes, accept: str | None) -> tuple[str, bytes]:
        if media == "application/n-triples":
            try:
                triples = list(ox.parse(raw, format=ox.RdfFormat.N_TRIPLES))
            except SyntaxError:
                raise _stream_error(raw) from None
            target = negotiate(accept, list(GRAPH_TYPES))
            if target is None:
                raise _Stopped(406, "Not Acceptable", _not_acceptable(GRAPH_TYPES))
            fmt = GRAPH_TYPES[target]
            out = ox.serialize(triples, format=fmt, prefixes=_prefixes(fmt))
            return target, out or b""
        try:
            json.loads(raw)  # complete? an error met while streaming leaves invalid JSON
            results = ox.parse_query_results(raw, format=ox.QueryResultsFormat.JSON)
        except (ValueError, SyntaxError):
            raise _stream_error(raw) from None
        target = negotiate(accept, list(RESULT_TYPES))
        if target is None:
            raise _Stopped(406, "Not Acceptable", _not_acceptable(RESULT_TYPES))
        return target, results.serialize(format=RESULT_TYPES[target]) or b""


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
    daemon_threads = True
    allow_reuse_address = False  # a port in use must be reported, never shared

    def serve_forever(self, poll_interval: float = 0.5) -> None:
        self._serving = True
        try:
            super().serve_forever(poll_interval)
        finally:
            self._serving = False


class _Handler(http.server.BaseHTTPRequestHandler):
    endpoint: Endpoint
    server_version = "bioeco-serve"
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:  # quiet, like the engine
        return

    def _send(self, status: int, reason: str, media: str, body: bytes) -> None:
        self.send_response(status, reason)
        self.send_header("Content-Type", media if ";" in media else f"{media}; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Vary", "Accept")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _fail(self, stopped: _Stopped) -> None:
        self._send(stopped.status, stopped.reason, "text/plain", (stopped.detail + "\n").encode())

    def _params(self) -> dict[str, list[str]]:
        url = urllib.parse.urlsplit(self.path)
        params = urllib.parse.parse_qs(url.query, keep_blank_values=True)
        if self.command != "POST":
            return params
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_REQUEST_BYTES:
            raise _Stopped(413, "Request too large", "the request is larger than 1 MB")
        body = self.rfile.read(length).decode("utf-8", "replace")
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
        path = urllib.parse.urlsplit(self.path).path.rstrip("/")
        try:
            if path in ("/query", "/sparql"):
                if self.command not in ("GET", "POST", "HEAD"):
                    raise _Stopped(405, "Method Not Allowed", "use GET or POST for queries")
                params = self._params()
                if not params.get("query") and "update" not in params and path == "/sparql":
                    self._send(200, "OK", "text/plain", _help(self.endpoint).encode())
                    return
                media, body = self.endpoint.answer(params, self.headers.get("Accept"))
                self._send(200, "OK", media, body)
            elif path in ("/update", "/store") or self.command in ("PUT", "DELETE", "PATCH"):
                if self.command == "POST":
                    with contextlib.suppress(Exception):
                        self._params()  # drain the body so the client reads the answer
                raise _Stopped(403, "Forbidden", _READ_ONLY)
            elif path == "" and self.command in ("GET", "HEAD"):
                self._send(200, "OK", "text/plain", _help(self.endpoint).encode())
            else:
                raise _Stopped(404, "Not Found", "no such path; queries go to /query")
        except _Stopped as stopped:
            self._fail(stopped)

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
    base = files[0].resolve().parent
    try:
        folder = Path(tempfile.mkdtemp(prefix=".bioeco-serve-", dir=base))
    except OSError:  # a read-only folder: the system's temporary folder will do
        folder = Path(tempfile.mkdtemp(prefix="bioeco-serve-"))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


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
    endpoint = Endpoint(Path("unused"), host=host, port=port, timeout=timeout, memory_mb=memory_mb)
    endpoint.bind()  # a port in use is reported before any slow work
    previous = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGTERM, _raise_interrupt)
    stored = None
    if not graph_files:  # out/: its persistent store, when it holds exactly these files
        from bioeco.pipeline import current_store

        stored = current_store()
    try:
        with _private_store(files) if stored is None else _as_is(stored) as folder:
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


def _raise_interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt
