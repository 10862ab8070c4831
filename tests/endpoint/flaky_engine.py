"""A stand-in for the endpoint's engine that is short of resources: run as a script on
127.0.0.1:PORT, it answers its first FAILURES queries as the Oxigraph server did when it could
not start a thread (``500`` and ``Resource temporarily unavailable (os error 11)``) and every
later one with a true ASK answer. The real engine fails so only under load, never on demand,
so the guard's retry and its ``503`` with ``Retry-After`` are tested against this one.

Usage: ``python tests/endpoint/flaky_engine.py PORT FAILURES``
"""

from __future__ import annotations

import http.server
import sys
import threading

SHORTAGE = b"Resource temporarily unavailable (os error 11)"
ANSWER = b'{"head":{},"boolean":true}'


class _Handler(http.server.BaseHTTPRequestHandler):
    failures = 0
    lock = threading.Lock()

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        with self.lock:
            failing = type(self).failures > 0
            type(self).failures -= 1
        status, media, body = (
            (500, "text/plain", SHORTAGE)
            if failing
            else (200, "application/sparql-results+json", ANSWER)
        )
        self.send_response(status)
        self.send_header("Content-Type", media)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        return


def main(argv: list[str]) -> None:
    port, failures = int(argv[0]), int(argv[1])
    _Handler.failures = failures
    http.server.ThreadingHTTPServer(("127.0.0.1", port), _Handler).serve_forever()


if __name__ == "__main__":
    main(sys.argv[1:])
