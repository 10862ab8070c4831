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
  cannot reach the network) and under a memory limit (``RLIMIT_AS``), with at most
  :attr:`Endpoint.max_queries` queries in it at once (sized from that limit; the others wait
  their turn in the guard, and the wait counts in their time limit).
- In front of it, a small guard on ``--host``/``--port`` speaks the SPARQL 1.1 Protocol to
  clients: it refuses updates and Graph Store writes, predeclares the project's prefixes,
  enforces the time limit on the whole answer (past it the guard restarts the engine: the
  server's own ``--timeout-s`` is cooperative — measured here, a three-way cartesian ``COUNT``
  was not stopped after 200 s and streamed answers are never stopped — and is not used, because
  it keeps a thread asleep for the whole limit after every query), checks every
  answer is complete (the Oxigraph server reports an error met while streaming by appending its
  text to a ``200 OK`` body) and serialises it in the format the client asked for.

This module keeps :class:`Endpoint` (its engine's life cycle, one query), the store loading and
:func:`serve`; the guard's HTTP side is :mod:`bioeco.serve.guard`, the spooling and conversion
of answers :mod:`bioeco.serve.answers`, the refusals and query checks
:mod:`bioeco.serve.querycheck`.
"""

from __future__ import annotations

import contextlib
import http.client
import http.server
import ipaddress
import math
import os
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
from typing import NoReturn

import pyoxigraph as ox

from bioeco.core.paths import OUT_DIR
from bioeco.errors import EndpointError, UsageError
from bioeco.serve.answers import (
    GRAPH_TYPES,
    RESULT_TYPES,
    Spool,
    engine_busy,
    engine_message,
    negotiate,
    not_acceptable,
    prefixes_for,
    stream_error,
)
from bioeco.serve.guard import MAX_CONNECTIONS, REQUEST_TIMEOUT, GuardHandler, GuardServer
from bioeco.serve.lifeline import Lifeline
from bioeco.serve.querycheck import (
    READ_ONLY,
    RETRY_AFTER,
    Busy,
    Stopped,
    check_query,
    time_limit,
    too_large,
)
from bioeco.store.dataset import RDF_FORMATS, REFUSED_FORMATS
from bioeco.store.query import PREFIX_HEADER

__all__ = [
    "DEFAULT_MEMORY_MB",
    "DEFAULT_PORT",
    "DEFAULT_TIMEOUT",
    "ENGINE_ARENAS",
    "ENGINE_BASE_MB",
    "ENGINE_QUERY_MB",
    "Endpoint",
    "default_graph_files",
    "engine_queries",
    "load_store",
    "negotiate",
    "serve",
]

DEFAULT_PORT = 7878
DEFAULT_TIMEOUT = 30.0
DEFAULT_MEMORY_MB = 4096
GUARD_MEMORY_MB = 4096
"""The guard's own address-space limit (``RLIMIT_AS``) while ``serve`` runs."""
MAX_ANSWER_BYTES = 256_000_000
ENGINE_BASE_MB = 512
"""Address space the engine holds before any query, rounded up (measured: about 190 MB idle
with :data:`ENGINE_ARENAS`, 380 MB with 64 small queries at once; bench/RESULTS.md)."""
ENGINE_QUERY_MB = 128
"""Address space of the engine's memory limit set aside for each query running in it: the
default limit (4096 MB) lets 28 queries run at once, 1024 MB lets 4 (:func:`engine_queries`)."""
ENGINE_ARENAS = 2
"""``MALLOC_ARENA_MAX`` of the engine. glibc reserves 64 MB of address space per malloc arena
and makes up to eight per core, so under an address-space limit the room left for queries
would otherwise depend on how many cores the machine has (1 GB of arenas on two cores)."""
ATTEMPTS = 4
"""How often one query is sent to the engine when the engine was busy for a moment (a
:class:`~bioeco.serve.querycheck.Busy` answer), always within the query's time limit."""

_OX_FORMATS = {
    "trig": ox.RdfFormat.TRIG,
    "turtle": ox.RdfFormat.TURTLE,
    "nquads": ox.RdfFormat.N_QUADS,
    "nt": ox.RdfFormat.N_TRIPLES,
}


def engine_queries(memory_mb: int) -> int:
    """How many queries the engine may run at once under a memory limit of *memory_mb*:
    :data:`ENGINE_QUERY_MB` each above :data:`ENGINE_BASE_MB`, at least one, at most the
    guard's connections (:data:`~bioeco.serve.guard.MAX_CONNECTIONS`).

    Examples
    --------
    >>> engine_queries(4096), engine_queries(1024), engine_queries(256), engine_queries(65536)
    (28, 4, 1, 64)
    """
    return max(1, min(MAX_CONNECTIONS, (memory_mb - ENGINE_BASE_MB) // ENGINE_QUERY_MB))


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


@dataclass
class _Engine:
    process: subprocess.Popen
    port: int
    generation: int
    retired: bool = False  # set before the guard stops it: a query cut off may ask again


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
    :meth:`start` and :meth:`close`. ``timeout`` bounds each answer (seconds), waiting for
    its turn included; ``memory_mb`` the engine's address space; ``max_queries`` how many
    queries run in the engine at once (default: :func:`engine_queries` of ``memory_mb``);
    ``max_bytes`` the size of one answer; ``request_timeout`` how long a client may take to
    send one request. Requests must name the endpoint in their ``Host`` header by an IP
    address, ``localhost`` or *host* / *allowed_hosts* (no DNS rebinding).
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
        max_queries: int | None = None,
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
        self.max_queries = engine_queries(memory_mb) if max_queries is None else max_queries
        if self.max_queries < 1:
            raise UsageError(f"at least one query must run at once, not {self.max_queries}")
        # places in the engine: a query holds one while the engine works on it
        self._places = threading.BoundedSemaphore(self.max_queries)
        self._counting = threading.Lock()
        self.running = 0  # queries in the engine now
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
        handler = type(
            "Handler", (GuardHandler,), {"endpoint": self, "timeout": self.request_timeout}
        )
        try:
            self._httpd = GuardServer((self.host, self.port), handler)
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
            # no --timeout-s: the guard's limit is the hard one (it replaces the engine), and
            # the server's keeps a thread asleep for the whole limit after every query, so
            # many quick queries filled its address space (issue 24, item 9)
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
                env={**os.environ, "MALLOC_ARENA_MAX": str(ENGINE_ARENAS)},
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

    @property
    def engine_pid(self) -> int | None:
        """The process id of the engine's process group (its lifeline), ``None`` when stopped."""
        engine = self._engine
        return None if engine is None else engine.process.pid

    def restart(self) -> None:
        """Replace the engine, as the time limit does; the queries it was answering are asked
        again of the new one (within their time limits), those waiting go to the new one."""
        with self._lock:
            engine = self._engine
        if engine is not None:
            self._restart(engine.generation)

    def _restart(self, generation: int) -> None:
        """Replace the engine unless another request already did since *generation*."""
        with self._lock:
            if self._engine is None or self._engine.generation != generation:
                return
            self._engine.retired = True  # the queries it is answering will ask the next one
            self._stop_engine(self._engine.process)
            self.restarts += 1
            self._engine = self._spawn()

    # -- one query -------------------------------------------------------------------------
    def answer(self, params: dict[str, list[str]], accept: str | None) -> tuple[str, Spool]:
        """Run the query in *params* (SPARQL Protocol parameters) and return the answer as
        ``(media type, body)`` in the format *accept* prefers; raises :class:`Stopped`.

        The body is a spooled temporary file (on disk past a few MB): the engine's answer and
        its conversion are streamed, never held whole in memory, and the conversion counts
        in the time limit. At most :attr:`max_queries` queries are in the engine at once; the
        others wait here for a place, and the wait counts in the time limit too (a query that
        waits it out gets the time-limit answer and never reaches the engine). When the engine
        was busy for a moment (``os error 11``) or was replaced by another query's time limit
        while answering, the query is asked again (at most :data:`ATTEMPTS` times, within
        its time limit); otherwise the answer is a 503 with ``Retry-After``."""
        if "update" in params:
            raise Stopped(403, "Forbidden", READ_ONLY)
        queries = params.get("query", [])
        if len(queries) != 1:
            raise Stopped(400, "Bad Request", "give exactly one query parameter")
        check_query(queries[0])
        fields = [("query", PREFIX_HEADER + queries[0])]
        for key in ("default-graph-uri", "named-graph-uri"):
            fields += [(key, value) for value in params.get(key, [])]
        body = urllib.parse.urlencode(fields).encode()
        deadline = time.monotonic() + self.timeout
        attempt = 0
        while True:
            try:
                media, raw = self._in_engine(body, deadline)
                with raw:
                    return self._convert(media, raw, accept, deadline)
            except Busy:
                attempt += 1
                pause = 0.05 * 2**attempt
                if attempt >= ATTEMPTS or time.monotonic() + pause >= deadline:
                    raise
                time.sleep(pause)

    def _in_engine(self, body: bytes, deadline: float) -> tuple[str, Spool]:
        """Wait for a place in the engine, send it the query, return its complete ``200``
        answer ``(media type, spool)``; raises :class:`Stopped` (:class:`Busy` when asking
        again may help)."""
        if not self._places.acquire(timeout=max(deadline - time.monotonic(), 0)):
            raise self._waited_out()
        with self._counting:
            self.running += 1
        try:
            engine = self._current(deadline)
            try:
                status, media, raw = self._fetch(engine, body, deadline)
            except Stopped:
                raise
            except TimeoutError:
                self._restart(engine.generation)  # the only way to stop what it runs
                raise time_limit(self.timeout) from None
            except (OSError, http.client.HTTPException):
                if engine.retired:  # another query's time limit replaced it: ask the new one
                    raise Busy(
                        "Engine restarted",
                        "the engine was replaced (another query reached the time limit) "
                        "while answering; try again",
                    ) from None
                self._engine_failed(engine)
        finally:
            with self._counting:
                self.running -= 1
            self._places.release()
        if status == 200:
            return media, raw
        with raw:
            raw.seek(0)
            text = raw.read(4000)
        busy = engine_busy(text)
        if busy is not None:
            raise busy
        refused = stream_error(text)
        if refused.status == 403:  # the engine met the network filter before answering
            raise refused
        raise Stopped(status, http.client.responses.get(status, "Error"), engine_message(text))

    def _current(self, deadline: float) -> _Engine:
        """The engine to ask; waits (within *deadline*) while another request replaces it."""
        if not self._lock.acquire(timeout=max(deadline - time.monotonic(), 0)):
            raise self._waited_out()
        try:
            engine = self._engine
        finally:
            self._lock.release()
        if engine is None:
            raise Stopped(503, "Service Unavailable", "the endpoint is stopping")
        if time.monotonic() >= deadline:
            raise self._waited_out()
        return engine

    def _waited_out(self) -> Stopped:
        """The time-limit answer of a query that waited for its turn until its limit ran out
        (it never reached the engine, so nothing is stopped or restarted)."""
        return Stopped(
            503,
            "Query time limit exceeded",
            f"the endpoint was busy: the query waited for its turn (at most "
            f"{self.max_queries} run at once) until the time limit of {self.timeout:g} s; "
            "try again later",
            retry_after=RETRY_AFTER,
        )

    def _engine_failed(self, engine: _Engine) -> NoReturn:
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
        raise Stopped(503, "Engine restarted", detail, retry_after=RETRY_AFTER)

    def _fetch(self, engine: _Engine, body: bytes, deadline: float) -> tuple[int, str, Spool]:
        left = max(deadline - time.monotonic(), 0.001)  # waiting for a place counted already
        conn = http.client.HTTPConnection("127.0.0.1", engine.port, timeout=left)
        spool = Spool()
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
                    raise too_large(self.max_bytes)
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
        self, media: str, raw: Spool, accept: str | None, deadline: float
    ) -> tuple[str, Spool]:
        """Stream the engine's answer *raw* into the client's format, under the deadline and
        the size cap; an incomplete answer (an error appended while streaming) is refused."""
        graph = media == "application/n-triples"
        offered = GRAPH_TYPES if graph else RESULT_TYPES
        target = negotiate(accept, list(offered))
        if target is None:
            raise Stopped(406, "Not Acceptable", not_acceptable(offered))
        out = Spool(deadline=deadline, limit=self.max_bytes, timeout=self.timeout)
        try:
            raw.seek(0)
            if graph:
                fmt = GRAPH_TYPES[target]
                triples = ox.parse(raw, format=ox.RdfFormat.N_TRIPLES)
                ox.serialize(triples, out, format=fmt, prefixes=prefixes_for(fmt))
            else:
                results = ox.parse_query_results(raw, format=ox.QueryResultsFormat.JSON)
                results.serialize(out, format=RESULT_TYPES[target])
            out.check()
        except Stopped:
            out.close()
            raise
        except (SyntaxError, ValueError, OSError, RuntimeError):
            out.close()
            if out.stopped is not None:  # our own limit, passed back through the engine
                raise out.stopped from None
            raw.seek(max(raw.size - 4000, 0))
            raise stream_error(raw.read()) from None
        out.seek(0)
        return target, out


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
