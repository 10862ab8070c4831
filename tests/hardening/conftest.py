"""Fixtures of the hardening suite: a good build to protect, a recording HTTP server."""

from __future__ import annotations

import http.server
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import main
from hardening_support import TINY


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture(scope="session")
def good_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An out/ folder holding the outputs of a good build of the tiny fixture (read-only use)."""
    out = tmp_path_factory.mktemp("good") / "out"
    result = CliRunner().invoke(main, ["build", "--data", str(TINY), "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture
def out_dir(good_build: Path, tmp_path: Path) -> Path:
    """A writable copy of a good build's out/ folder."""
    target = tmp_path / "out"
    shutil.copytree(good_build, target)
    return target


class Recorder(http.server.BaseHTTPRequestHandler):
    """Answers 404 to everything and records the request line."""

    requests: list[str]

    def _record(self) -> None:
        self.requests.append(f"{self.command} {self.path}")
        self.send_response(404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_GET = do_POST = do_HEAD = do_PUT = _record

    def log_message(self, format: str, *args: object) -> None:
        pass


class RecordingServer(http.server.ThreadingHTTPServer):
    """Records every TCP connection, even one that never sends a complete HTTP request."""

    seen: list[str]

    def verify_request(self, request: object, client_address: tuple) -> bool:
        self.seen.append(f"connection from {client_address[0]}")
        return True


@pytest.fixture
def http_server() -> Iterator[tuple[str, list[str]]]:
    """A local HTTP server on 127.0.0.1 (random port): yields its base URL and the list of
    connections and requests it received (must stay empty)."""
    seen: list[str] = []
    handler = type("Handler", (Recorder,), {"requests": seen})
    server = RecordingServer(("127.0.0.1", 0), handler)
    server.seen = seen
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", seen
    finally:
        server.shutdown()
        server.server_close()
