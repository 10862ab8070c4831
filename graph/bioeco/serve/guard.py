"""The guard's HTTP side: a bounded threaded server, request deadlines, Host check, routing."""

from __future__ import annotations

import contextlib
import http.client
import http.server
import io
import ipaddress
import re
import shutil
import socket
import sys
import threading
import time
import urllib.parse
from typing import Protocol

from bioeco.serve.answers import Spool
from bioeco.serve.querycheck import READ_ONLY, Stopped
from bioeco.store.query import PREFIX_HEADER

__all__ = [
    "BACKLOG",
    "MAX_CONNECTIONS",
    "MAX_REQUEST_BYTES",
    "REQUEST_TIMEOUT",
    "Answerer",
    "GuardHandler",
    "GuardServer",
]


MAX_REQUEST_BYTES = 1_000_000
REQUEST_TIMEOUT = 20.0
"""Seconds a client has to send one whole request (line, headers and body); also how long an
idle kept-alive connection stays open."""
MAX_CONNECTIONS = 64
"""Connections answered at once; more wait in the listen backlog (``BACKLOG``). Fewer queries
run in the engine at once (``Endpoint.max_queries``, sized from its memory limit): the rest
wait for a place in the guard, within their time limit."""
BACKLOG = 1024


class Answerer(Protocol):
    """What the guard asks of the endpoint it stands in front of
    (:class:`bioeco.serve.endpoint.Endpoint`)."""

    host: str
    allowed_hosts: set[str]
    timeout: float
    max_queries: int

    @property
    def url(self) -> str: ...

    def answer(self, params: dict[str, list[str]], accept: str | None) -> tuple[str, Spool]: ...


class GuardServer(http.server.ThreadingHTTPServer):
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

    def __init__(self, sock: socket.socket, handler: GuardHandler) -> None:
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


class GuardHandler(http.server.BaseHTTPRequestHandler):
    endpoint: Answerer
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

    def _send(
        self,
        status: int,
        reason: str,
        media: str,
        body: bytes | Spool,
        retry_after: int | None = None,
    ) -> None:
        size = body.size if isinstance(body, Spool) else len(body)
        self.send_response(status, reason)
        self.send_header("Content-Type", media if ";" in media else f"{media}; charset=utf-8")
        self.send_header("Content-Length", str(size))
        self.send_header("Vary", "Accept")
        if retry_after is not None:
            self.send_header("Retry-After", str(retry_after))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command == "HEAD":
            return
        if isinstance(body, Spool):
            shutil.copyfileobj(body, self.wfile, 1 << 16)
        else:
            self.wfile.write(body)

    def _fail(self, stopped: Stopped) -> None:
        if not self._body_read and self.command in ("POST", "PUT", "PATCH"):
            # read a small body (within the cap) so the client gets to read the answer
            with contextlib.suppress(Stopped, OSError):
                self.rfile.read(self._length())
        self.close_connection = True  # a body left unread must not be taken for a request
        self._send(stopped.status, stopped.reason, "text/plain",
                   (stopped.detail + "\n").encode(), stopped.retry_after)  # fmt: skip

    def _check_host(self) -> None:
        """Refuse a ``Host`` that is not a name of this endpoint (DNS rebinding: a web page
        whose own name now points at 127.0.0.1 would send its name here)."""
        given = self.headers.get_all("Host") or []
        if len(given) > 1:
            raise Stopped(400, "Bad Request", "more than one Host header")
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
        raise Stopped(
            421,
            "Misdirected Request",
            f"this endpoint answers only to its own names (an IP address, localhost, "
            f"{self.endpoint.host}), not to Host {value[:100]!r} (DNS rebinding protection)",
        )

    def _length(self) -> int:
        if self.headers.get("Transfer-Encoding") is not None:
            raise Stopped(
                501, "Not Implemented", "chunked requests are not accepted; send Content-Length"
            )
        values = self.headers.get_all("Content-Length") or []
        if not values:
            return 0
        if len(set(values)) > 1 or not re.fullmatch(r"[0-9]{1,15}", values[0].strip()):
            shown = ", ".join(values)[:40]
            raise Stopped(
                400, "Bad Request", f"Content-Length must be a number of bytes, not {shown!r}"
            )
        length = int(values[0])
        if length > MAX_REQUEST_BYTES:
            raise Stopped(413, "Request too large", "the request is larger than 1 MB")
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
            raise Stopped(403, "Forbidden", READ_ONLY)
        else:
            raise Stopped(415, "Unsupported Media Type", f"unsupported request type {media!r}")
        return params

    def _route(self) -> None:
        self._body_read = False
        path = urllib.parse.urlsplit(self.path).path.rstrip("/")
        try:
            self._check_host()
            if path in ("/query", "/sparql"):
                if self.command not in ("GET", "POST", "HEAD"):
                    raise Stopped(405, "Method Not Allowed", "use GET or POST for queries")
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
                raise Stopped(403, "Forbidden", READ_ONLY)
            elif path == "" and self.command in ("GET", "HEAD"):
                self._send(200, "OK", "text/plain", _help(self.endpoint).encode())
            else:
                raise Stopped(404, "Not Found", "no such path; queries go to /query")
        except Stopped as stopped:
            self._fail(stopped)
        except MemoryError:
            self._fail(Stopped(503, "Out of memory", "the endpoint ran out of memory "
                                "answering; narrow the query or add a LIMIT"))  # fmt: skip
        except (OSError, http.client.HTTPException):
            self.close_connection = True  # the client hung up, stalled or sent too little

    do_GET = do_POST = do_HEAD = do_PUT = do_DELETE = do_PATCH = _route


def _help(endpoint: Answerer) -> str:
    lines = [
        "bioeco SPARQL endpoint (read-only; SPARQL 1.1 Protocol)",
        f"Queries: GET or POST {endpoint.url}",
        f"Time limit: {endpoint.timeout:g} s per answer, waiting for a turn included (at most "
        f"{endpoint.max_queries} queries run at once). SERVICE, updates and Graph Store "
        "writes are refused.",
        "Answers: JSON, XML, CSV, TSV (SELECT/ASK); Turtle, N-Triples, RDF/XML (CONSTRUCT/"
        "DESCRIBE), by the Accept header.",
        "Predeclared prefixes (a query may declare its own too):",
        PREFIX_HEADER.rstrip("\n"),
    ]
    return "\n".join(lines) + "\n"
