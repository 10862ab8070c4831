"""A hostile SPARQL store for the tests: a real HTTP server on 127.0.0.1 whose answers are
chosen by path (redirects, trickled bytes, endless or malformed answers), recording what it
receives. A second, innocent-looking server on 127.0.0.2 stands for "another host"."""

from __future__ import annotations

import http.server
import json
import re
import threading
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

GRAPH = "https://w3id.org/bioeco/graph/source/src-a"
GRAPHS_ANSWER = json.dumps(
    {"head": {"vars": ["g"]}, "results": {"bindings": [{"g": {"type": "uri", "value": GRAPH}}]}}
).encode()

MALFORMED = {
    "bad-utf8": b'{"head": {"vars": ["x"]}, "results": {"bindings": [{"x": {"type": "literal", '
    b'"value": "\xff\xfe"}}]}}',
    "not-json": b"<html>Service Temporarily Unavailable</html>",
    "a-list": b"[1, 2, 3]",
    "results-not-object": b'{"head": {"vars": ["x"]}, "results": 5}',
    "bindings-not-list": b'{"head": {"vars": ["x"]}, "results": {"bindings": {"x": 1}}}',
    "row-not-object": b'{"head": {"vars": ["x"]}, "results": {"bindings": [7]}}',
    "cell-not-object": b'{"head": {"vars": ["x"]}, "results": {"bindings": [{"x": "a"}]}}',
    "missing-value": b'{"head": {"vars": ["x"]}, "results": {"bindings": [{"x": {"type": '
    b'"uri"}}]}}',
    "null-value": b'{"head": {"vars": ["x"]}, "results": {"bindings": [{"x": {"type": "uri", '
    b'"value": null}}]}}',
    "unknown-type": b'{"head": {"vars": ["x"]}, "results": {"bindings": [{"x": {"type": "x", '
    b'"value": "a"}}]}}',
    "vars-not-list": b'{"head": {"vars": "x"}, "results": {"bindings": []}}',
    "boolean-not-bool": b'{"head": {}, "boolean": "yes"}',
    "deep-nesting": b"[" * 200_000 + b"]" * 200_000,
    "cut-off": b'{"head": {"vars": ["x"]}, "results": {"bindings": [{"x": {"type": "uri", ',
}


@dataclass
class Seen:
    """What a server received: one entry per request (method, path, Authorization)."""

    requests: list[tuple[str, str, str | None]] = field(default_factory=list)
    connections: int = 0


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    seen: Seen
    other: str  # the base URL of the other host

    def log_message(self, format: str, *args: object) -> None:
        pass

    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _answer(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _route(self) -> None:
        body = self._body()
        self.seen.requests.append((self.command, self.path, self.headers.get("Authorization")))
        path = urllib.parse.urlsplit(self.path).path
        form = urllib.parse.parse_qs(body.decode("utf-8", "replace"))
        query = (form.get("query") or [""])[0]
        kind, _, arg = path.strip("/").partition("/")
        if kind == "challenge" and self.headers.get("Authorization") is None:
            # like a store with accounts: ask for credentials, then redirect
            self._answer(401, b"", {"WWW-Authenticate": 'Basic realm="store"'})
            kind, _, arg = arg.partition("/")
        elif kind == "challenge":
            kind, _, arg = arg.partition("/")
        if kind == "redirect":
            self._answer(int(arg), b"moved", {"Location": f"{self.other}/steal"})
        elif kind == "trickle-body":
            self.send_response(200)
            self.send_header("Content-Type", "application/sparql-results+json")
            self.send_header("Content-Length", "1000000")
            self.end_headers()
            self._trickle()
        elif kind == "trickle-head":
            self._trickle(b"HTTP/1.1 200 OK\r\nX-Slow: ")
        elif kind == "endless":
            self.send_response(200)
            self.send_header("Content-Type", "application/sparql-results+json")
            self.end_headers()  # no length: the answer ends when the connection does
            self.close_connection = True
            try:
                while True:
                    self.wfile.write(b" " * 65536)
            except OSError:
                return
        elif kind == "huge":
            self.send_response(200)
            self.send_header("Content-Type", "application/sparql-results+json")
            self.send_header("Content-Length", str(3_000_000_000))
            self.end_headers()
            self.close_connection = True
        elif kind == "malformed":
            if "SELECT DISTINCT ?g" in query:  # the graph list is fine; the answers are not
                self._answer(200, GRAPHS_ANSWER, {"Content-Type": "application/json"})
            else:
                self._answer(200, MALFORMED[arg], {"Content-Type": "application/json"})
        elif kind == "well-formed-but-odd":  # valid SPARQL JSON, not a bioeco graph's rows
            if "SELECT DISTINCT ?g" in query:
                body = GRAPHS_ANSWER
            elif arg == "unbound":
                body = b'{"head": {"vars": []}, "results": {"bindings": [{}]}}'
            else:
                names = re.findall(r"\?(\w+)", query.rsplit("ORDER BY", 1)[-1])
                row = {n: {"type": "literal", "value": "zz"} for n in names}
                body = json.dumps({"head": {"vars": names}, "results": {"bindings": [row]}})
                body = body.encode()
            self._answer(200, body, {"Content-Type": "application/json"})
        elif kind == "malformed-graphs":
            self._answer(200, MALFORMED[arg], {"Content-Type": "application/json"})
        else:
            self._answer(404, b"no such path")

    def _trickle(self, prefix: bytes = b"") -> None:
        self.close_connection = True
        try:
            self.wfile.write(prefix)
            self.wfile.flush()
            while True:  # the hostile behaviour itself, not a wait in the test
                time.sleep(0.3)
                self.wfile.write(b" ")
                self.wfile.flush()
        except OSError:
            return

    do_GET = do_POST = do_HEAD = do_PUT = do_DELETE = _route


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    seen: Seen

    def verify_request(self, request: object, client_address: tuple) -> bool:
        self.seen.connections += 1
        return True

    def handle_error(self, request: object, client_address: tuple) -> None:
        pass  # a client hanging up on a hostile answer is expected; keep stderr clean


@contextmanager
def _serving(host: str, other: str) -> Iterator[tuple[str, Seen]]:
    seen = Seen()
    handler = type("Handler", (_Handler,), {"seen": seen, "other": other})
    server = _Server((host, 0), handler)
    server.seen = seen
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{server.server_address[1]}", seen
    finally:
        server.shutdown()
        server.server_close()


@dataclass
class Hostile:
    """The hostile store's base URL and what it received; the other host's likewise."""

    url: str
    seen: Seen
    other: str
    other_seen: Seen


@contextmanager
def hostile_store() -> Iterator[Hostile]:
    """The hostile store on 127.0.0.1, redirecting to another host on 127.0.0.2."""
    with (
        _serving("127.0.0.2", "http://unused") as (other, other_seen),
        _serving("127.0.0.1", other) as (url, seen),
    ):
        yield Hostile(url, seen, other, other_seen)
