"""``bioeco serve`` under abuse, through a real ``bioeco serve`` process and raw sockets:
bad ``Content-Length``, chunked bodies, clients that hang up, queries nested to kill the engine,
foreign ``Host`` names, stalled requests, answers that grow past the cap when converted, and
impossible time limits (issue 24, items 3, 4, 8, 9, 10, 11)."""

from __future__ import annotations

import re
import signal
import socket
import subprocess
import sys
import threading
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest

from bioeco.serve.endpoint import Endpoint, load_store
from bioeco.serve.guard import MAX_CONNECTIONS
from cli import main
from hardening_support import ROOT

_PIDS: dict[int, int] = {}  # port -> pid of the bioeco serve process
HANG_GUARD = 120  # seconds: only a guard against a hang (the old guard hung), never a budget


@pytest.fixture(scope="module")
def served(good_build: Path, tmp_path_factory) -> Iterator[tuple[int, list[str]]]:
    """A real ``bioeco serve`` process: its port, and (after the module) its stderr lines."""
    graph = tmp_path_factory.mktemp("abuse") / "bioeco.trig"
    graph.write_bytes((good_build / "bioeco.trig").read_bytes())
    process = subprocess.Popen(
        [sys.executable, "-m", "cli", "serve", "--graph", str(graph), "--port", "0"],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        cwd=ROOT,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    lines: list[str] = []
    assert process.stderr is not None
    for line in process.stderr:  # wait for the marker line that names the port
        lines.append(line.rstrip("\n"))
        found = re.search(r"SPARQL endpoint at http://127\.0\.0\.1:(\d+)/query", line)
        if found:
            break
    else:
        raise AssertionError("\n".join(lines))
    rest: list[str] = []
    reader = threading.Thread(target=lambda: rest.extend(process.stderr), daemon=True)
    reader.start()
    _PIDS[int(found.group(1))] = process.pid
    try:
        yield int(found.group(1)), rest
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=HANG_GUARD)
        reader.join(timeout=HANG_GUARD)


def exchange(port: int, raw: bytes, *, host: str = "127.0.0.1") -> bytes:
    """Send *raw* bytes on a new connection; return all the guard answers until it closes."""
    with socket.create_connection((host, port), timeout=HANG_GUARD) as sock:
        sock.sendall(raw)
        chunks = []
        while True:
            try:
                chunk = sock.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            chunks.append(chunk)
        return b"".join(chunks)


def status_and_body(answer: bytes) -> tuple[str, str]:
    head, _, body = answer.partition(b"\r\n\r\n")
    return head.split(b"\r\n")[0].decode(), body.decode()


def get(port: int, query: str, headers: str = "") -> tuple[str, str]:
    path = "/query?" + urllib.parse.urlencode({"query": query})
    request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n{headers}\r\n"
    return status_and_body(exchange(port, request.encode()))


ASK = "ASK { ?s ?p ?o }"


@pytest.mark.parametrize(
    "length, expected",
    [
        ("-1", "Content-Length must be a number of bytes, not '-1'"),
        ("abc", "Content-Length must be a number of bytes, not 'abc'"),
        ("1e3", "Content-Length must be a number of bytes, not '1e3'"),
        ("0x10", "Content-Length must be a number of bytes, not '0x10'"),
        ("99999999999", "the request is larger than 1 MB"),
    ],
)
def test_a_bad_content_length_is_refused_and_the_body_never_read(served, length, expected):
    port, _stderr = served
    head = (
        f"POST /query HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {length}\r\n"
        "Content-Type: application/sparql-query\r\n\r\n"
    ).encode()
    # the guard answers at once and closes: it waits for no body (the old guard read
    # until the client closed the connection)
    answer = exchange(port, head)
    status, body = status_and_body(answer)
    code = "413" if "larger" in expected else "400"
    assert status.split(" ")[1] == code
    assert body == expected + "\n"
    assert get(port, ASK)[0] == "HTTP/1.1 200 OK"


def test_chunked_requests_are_refused(served):
    port, _stderr = served
    raw = (
        "POST /query HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n"
        "Content-Type: application/sparql-query\r\n\r\n5\r\nASK {\r\n0\r\n\r\n"
    )
    status, body = status_and_body(exchange(port, raw.encode()))
    assert status == "HTTP/1.1 501 Not Implemented"
    assert body == "chunked requests are not accepted; send Content-Length\n"


DEEP = {
    "braces": ("SELECT * WHERE " + "{" * 5000 + " ?s ?p ?o " + "}" * 5000,
               "the query nests { ( [ 5000 deep; this endpoint accepts at most 100 levels "
               "(deeper queries would stop its engine)"),
    "parentheses": ("SELECT * WHERE { ?s ?p ?o FILTER(" + "(" * 20000 + "1" + ")" * 20000 + ") }",
                    "the query nests { ( [ 20002 deep; this endpoint accepts at most 100 levels "
                    "(deeper queries would stop its engine)"),
    "path": ("SELECT * WHERE { ?s " + "/".join(["org:member"] * 20000) + " ?o }",
             "the query has 20000 operators (/ | ^ + - * ! = < > && ||); this endpoint accepts "
             "at most 500 (longer paths or expressions would stop its engine)"),
    "sum": ("SELECT * WHERE { ?s ?p ?o FILTER(" + "+".join(["1"] * 5000) + ") }",
            "the query has 5000 operators (/ | ^ + - * ! = < > && ||); this endpoint accepts "
            "at most 500 (longer paths or expressions would stop its engine)"),
}  # fmt: skip


@pytest.mark.parametrize("kind", sorted(DEEP))
def test_queries_nested_to_kill_the_engine_are_refused_before_it(served, kind):
    port, _stderr = served
    query, message = DEEP[kind]
    body = urllib.parse.urlencode({"query": query}).encode()
    raw = (
        f"POST /query HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {len(body)}\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\nConnection: close\r\n\r\n"
    ).encode() + body
    status, text = status_and_body(exchange(port, raw))
    assert status.split(" ")[1] == "400", text
    assert text == message + "\n"
    # the engine was never reached: an innocent query answers, and no restart was announced
    assert get(port, ASK)[0] == "HTTP/1.1 200 OK"


def test_a_query_with_brackets_in_strings_iris_and_comments_passes(served):
    port, _stderr = served
    query = 'ASK { ?s ?p ?o FILTER(?o != "' + "(" * 300 + '") } # ' + "{" * 300
    assert get(port, query)[0] == "HTTP/1.1 200 OK"


@pytest.mark.parametrize(
    "host, ok",
    [
        ("127.0.0.1", True),
        ("localhost", True),
        ("[::1]", True),
        ("evil.example", False),
        ("127.0.0.1.nip.io", False),
    ],
)
def test_only_the_endpoints_own_names_are_answered(served, host, ok):
    port, _stderr = served
    path = "/query?" + urllib.parse.urlencode({"query": ASK})
    raw = f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: close\r\n\r\n"
    status, body = status_and_body(exchange(port, raw.encode()))
    if ok:
        assert status == "HTTP/1.1 200 OK"
    else:
        assert status == "HTTP/1.1 421 Misdirected Request"
        assert body == (
            "this endpoint answers only to its own names (an IP address, localhost, "
            f"127.0.0.1), not to Host '{host}:{port}' (DNS rebinding protection)\n"
        )


def test_clients_hanging_up_early_leave_no_traceback(served):
    port, stderr = served
    query = "SELECT * WHERE { ?s ?p ?o }"
    path = "/query?" + urllib.parse.urlencode({"query": query})
    for _ in range(5):  # hang up before reading a large answer
        sock = socket.create_connection(("127.0.0.1", port), timeout=HANG_GUARD)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1024)
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
        sock.recv(10)
        sock.close()
    for _ in range(5):  # hang up in the middle of the body
        sock = socket.create_connection(("127.0.0.1", port), timeout=HANG_GUARD)
        sock.sendall(
            b"POST /query HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 500\r\n"
            b"Content-Type: application/sparql-query\r\n\r\nASK {"
        )
        sock.close()
    # the guard answers on; what it printed is checked once it stops (test below)
    assert get(port, ASK)[0] == "HTTP/1.1 200 OK"
    assert not any("Traceback" in line for line in stderr)


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "1e300"])
def test_an_impossible_time_limit_is_one_line(value, runner):
    result = runner.invoke(main, ["serve", "--graph", "ontology/bioeco.ttl", f"--timeout={value}"])
    assert result.exit_code == 2, result.output
    assert result.output.splitlines()[-1].startswith("Error: ")
    if value in ("nan", "inf", "1e300"):
        shown = {"nan": "nan", "inf": "inf", "1e300": "1e+300"}[value]
        assert result.output == (
            f"Error: the time limit must be a positive number of seconds, not {shown}\n"
        )


# -- the library endpoint, for a short request time limit and a small answer cap ----------


@pytest.fixture(scope="module")
def quick(good_build: Path, tmp_path_factory) -> Iterator[Endpoint]:
    folder = tmp_path_factory.mktemp("quick")
    load_store([good_build / "bioeco.trig"], folder / "store")
    with Endpoint(folder / "store", port=0, timeout=20, request_timeout=1.0,
                  max_bytes=200_000) as server:  # fmt: skip
        server.serve_in_thread()
        yield server


def test_stalled_requests_are_dropped_and_the_pool_is_bounded(quick):
    threads_before = threading.active_count()
    stalled = []
    for _ in range(MAX_CONNECTIONS + 40):  # more than the pool: the rest wait in the backlog
        sock = socket.create_connection(("127.0.0.1", quick.port), timeout=HANG_GUARD)
        sock.sendall(b"GET /query?query=ASK%7B%7D HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Half: ")
        stalled.append(sock)
    # every stalled connection is closed by the guard (end of stream), none answered
    peak = 0
    for sock in stalled:
        peak = max(peak, threading.active_count() - threads_before)
        assert sock.recv(65536) == b""
        sock.close()
    assert peak <= MAX_CONNECTIONS + 2  # one thread per answered connection, bounded
    status, _body = get(quick.port, ASK)
    assert status == "HTTP/1.1 200 OK"


def test_the_listen_backlog_is_large(quick):
    listing = subprocess.run(
        ["ss", "-ltnH", f"sport = :{quick.port}"], capture_output=True, text=True, check=True
    ).stdout.split()
    assert int(listing[2]) >= 512  # Send-Q of a listening socket: its backlog


def test_the_converted_answer_counts_in_the_size_cap(quick):
    """An answer whose JSON (the engine's) is under the cap but whose XML conversion (about a
    fifth larger) is over it: the XML is refused, never sent."""
    xml = "Accept: application/sparql-results+xml\r\n"
    found = []
    for limit in range(300, 1500, 50):
        query = f"SELECT * WHERE {{ ?s ?p ?o }} ORDER BY ?s ?p ?o LIMIT {limit}"
        json_status, json_body = get(quick.port, query)
        if json_status != "HTTP/1.1 200 OK":
            break
        xml_status, xml_body = get(quick.port, query, xml)
        if xml_status != "HTTP/1.1 200 OK":
            found.append((limit, len(json_body), xml_status, xml_body))
            break
    assert found, "no answer was under the cap as JSON and over it as XML"
    _limit, json_size, status, body = found[0]
    assert json_size < 200_000
    assert status == "HTTP/1.1 413 Answer too large"
    assert body == "the answer is larger than 0.2 MB; add a LIMIT or ask for less\n"


def test_the_guard_runs_under_a_memory_limit(served):
    port, _stderr = served
    limits = (Path("/proc") / str(_PIDS[port]) / "limits").read_text()
    found = re.search(r"Max address space\s+(\d+)", limits)
    assert found and int(found.group(1)) <= 4096 * 1024 * 1024, limits


class _Clock:
    """A clock for the guard's module that moves *step* seconds each time it is read: the
    conversion's own reads cross the deadline however fast the machine is."""

    def __init__(self, step: float) -> None:
        self.now, self.step = 1000.0, step

    def monotonic(self) -> float:
        self.now += self.step
        return self.now


def test_converting_an_answer_counts_in_the_time_limit(quick, monkeypatch):
    """Item 4: the engine answered within the limit, the conversion to the client's format
    would end after it; the answer is refused with the time-limit line, never sent late."""
    from bioeco.serve import answers
    from bioeco.serve.querycheck import Stopped

    query = "SELECT * WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o LIMIT 300"
    status, engine_json = get(quick.port, query, "Accept: application/sparql-results+json\r\n")
    assert status == "HTTP/1.1 200 OK"
    xml = "application/sparql-results+xml"

    def convert(deadline_after: float) -> str:
        raw = answers.Spool()
        raw.write(engine_json.encode())
        media, out = quick._convert(
            "application/sparql-results+json", raw, xml, answers.time.monotonic() + deadline_after
        )
        with out:
            return media

    assert convert(deadline_after=60) == xml  # the same conversion, time to spare: converted
    monkeypatch.setattr(answers, "time", _Clock(step=10.0))
    with pytest.raises(Stopped) as stopped:
        convert(deadline_after=15)  # one read to set it, the conversion's first read is past
    assert (stopped.value.status, stopped.value.reason) == (503, "Query time limit exceeded")
    assert str(stopped.value) == (
        "the query ran longer than the time limit of 20 s and was stopped; narrow it or add a LIMIT"
    )
