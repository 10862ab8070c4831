"""bioeco serve under load on loopback, and when its engine is busy or replaced (issue 24,
item 9): a hundred clients lose no answer, the engine keeps no thread per answered query,
queries wait their turn within their time limit, a replaced engine fails no other query, a
busy engine is asked again or answered with ``503`` and ``Retry-After``. Real ``bioeco serve``
processes and real sockets; no time is asserted (the full runs are bench/)."""

from __future__ import annotations

import contextlib
import http.client
import os
import re
import signal
import subprocess
import sys
import threading
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.endpoint_load import mixed_queries, run_load
from bioeco.core.paths import PROJECT_ROOT
from bioeco.serve.endpoint import Endpoint, engine_queries, load_store

HANG_GUARD = 300  # seconds: only a guard against a hang, never a budget
ASK = "ASK { ?m a org:Membership }"


def test_eight_concurrent_clients_lose_no_answer(endpoint, capsys):
    result = run_load(endpoint.url, clients=8, per_client=12)
    with capsys.disabled():
        print("\n" + result.line())  # benchmark output; no timing is asserted
    assert result.lost == 0
    assert result.answers == 8 * 12
    assert len(mixed_queries()) >= 7


def ask(port: int, query: str) -> tuple[int, str, str | None, bytes]:
    """POST *query* to the endpoint on *port*: status, reason, Retry-After, body."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=HANG_GUARD)
    try:
        conn.request(
            "POST",
            "/query",
            urllib.parse.urlencode({"query": query}),
            {
                "Content-Type": "application/x-www-form-urlencoded",
                "Accept": "application/sparql-results+json",
            },
        )
        response = conn.getresponse()
        body = response.read()
        return response.status, response.reason, response.getheader("Retry-After"), body
    finally:
        conn.close()


@contextlib.contextmanager
def serving(graph_files: list[Path], *options: str) -> Iterator[int]:
    """A real ``bioeco serve`` process over *graph_files*; yields its port."""
    argv = [sys.executable, "-m", "cli", "serve", "--port", "0", *options]
    for path in graph_files:
        argv += ["--graph", str(path)]
    process = subprocess.Popen(argv, cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True)  # fmt: skip
    assert process.stderr is not None
    lines: list[str] = []
    try:
        for line in process.stderr:  # the marker line names the port
            lines.append(line)
            found = re.search(r"SPARQL endpoint at http://127\.0\.0\.1:(\d+)/query", line)
            if found:
                break
        else:
            raise AssertionError("".join(lines))
        threading.Thread(target=process.stderr.read, daemon=True).start()
        yield int(found.group(1))
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=HANG_GUARD)
        finally:
            if process.poll() is None:
                process.kill()


def fire(port: int, queries: list[str], clients: int, each: int) -> list[tuple]:
    """*clients* threads at once, each asking *each* of *queries* in turn; every answer."""
    answers: list[tuple] = []
    lock = threading.Lock()

    def client(offset: int) -> None:
        for i in range(each):
            query = queries[(offset + i) % len(queries)]
            try:
                got = ask(port, query)
            except OSError as exc:  # a refused or reset connection is a lost answer too
                got = (0, type(exc).__name__, None, str(exc).encode())
            with lock:
                answers.append((query, got))

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


def test_a_hundred_clients_lose_no_answer(graph_files):
    """100 clients × 6 queries at once against ``bioeco serve --memory-limit 1024``. Before
    the fix the engine's own time limit kept a thread (and its stack) for 35 s after every
    answer, and 64 queries ran in it at once: its address space filled up, and answers were
    lost as ``500 Resource temporarily unavailable (os error 11)`` and ``503 Engine
    restarted``. Every answer must now be the one a single client gets."""
    queries = mixed_queries()
    with serving(graph_files, "--memory-limit", "1024") as port:
        alone = {query: ask(port, query) for query in queries}
        assert all(got[0] == 200 for got in alone.values()), alone
        answers = fire(port, queries, clients=100, each=6)
    wrong = [
        (query[:60], got[:3], got[3][:200])
        for query, got in answers
        if (got[0], got[3]) != (200, alone[query][3])
    ]
    assert wrong == []
    assert len(answers) == 600


def _threads_under(pid: int) -> int:
    """Threads of the process *pid* and all its descendants (the engine and its wrappers)."""
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        with contextlib.suppress(FileNotFoundError, ProcessLookupError):
            tasks = os.listdir(f"/proc/{current}/task")
            total += len(tasks)
            for task in tasks:
                children = Path(f"/proc/{current}/task/{task}/children").read_text()
                todo += [int(child) for child in children.split()]
    return total


def test_the_engine_keeps_no_thread_per_answered_query(endpoint):
    """The Oxigraph server's ``--timeout-s`` keeps a thread asleep for the whole limit after
    every query (200 queries: 200 threads for 25 s); the guard's limit does without it."""
    pid = endpoint.engine_pid
    assert pid is not None
    before = _threads_under(pid)
    for _ in range(200):
        assert ask(endpoint.port, ASK)[0] == 200
    assert _threads_under(pid) <= before + 10


def test_the_engines_places_are_sized_from_its_memory_limit(endpoint):
    assert engine_queries(4096) == 28 and engine_queries(1024) == 4
    assert endpoint.max_queries == 28  # the default limit
    status, _reason, _retry, body = _get_help(endpoint.port)
    assert status == 200 and b"at most 28 queries run at once" in body


def _get_help(port: int) -> tuple[int, str, str | None, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=HANG_GUARD)
    try:
        conn.request("GET", "/")
        response = conn.getresponse()
        return response.status, response.reason, None, response.read()
    finally:
        conn.close()


@pytest.fixture(scope="module")
def store_dir(graph_files, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("load") / "store"
    load_store(graph_files, folder)
    return folder


def test_a_restarted_engine_fails_no_other_query(store_dir):
    """The engine is replaced (what the time limit does) three times while eight clients
    ask: queries cut off are asked again of the new engine, queries waiting go to it; every
    answer is the one a single client gets."""
    queries = mixed_queries()
    with Endpoint(store_dir, port=0, timeout=60, max_queries=4) as server:
        server.serve_in_thread()
        alone = {query: ask(server.port, query) for query in queries}
        answers: list[tuple] = []
        done = threading.Event()

        def client(offset: int) -> None:
            i = 0
            while not done.is_set() or i < 10:
                query = queries[(offset + i) % len(queries)]
                try:
                    got = ask(server.port, query)
                except OSError as exc:
                    got = (0, type(exc).__name__, None, str(exc).encode())
                answers.append((query, got))
                i += 1

        threads = [threading.Thread(target=client, args=(n,)) for n in range(8)]
        for thread in threads:
            thread.start()
        for _ in range(3):
            while len(answers) < 10 * (server.restarts + 1):  # clients busy before each
                threading.Event().wait(0.02)
            server.restart()
        done.set()
        for thread in threads:
            thread.join()
        assert server.restarts == 3
    wrong = [
        (query[:60], got[:3], got[3][:200])
        for query, got in answers
        if (got[0], got[3]) != (200, alone[query][3])
    ]
    assert wrong == []


def test_a_query_that_waits_out_its_time_limit_gets_the_time_limit_answer(store_dir):
    """One place in the engine, taken by a query the engine never answers (it is stopped
    with SIGSTOP): a second query waits for the place until its time limit, and gets the
    time-limit answer with ``Retry-After``; it never reached the engine, so only the first
    query's limit replaces the engine."""
    with Endpoint(store_dir, port=0, timeout=2, max_queries=1) as server:
        server.serve_in_thread()
        pid = server.engine_pid
        assert pid is not None
        os.killpg(pid, signal.SIGSTOP)  # the guard's restart kills it (SIGKILL after 5 s)
        first: list[tuple] = []
        holder = threading.Thread(target=lambda: first.append(ask(server.port, ASK)))
        holder.start()
        while server.running == 0:  # the first query holds the only place
            threading.Event().wait(0.01)
        second = ask(server.port, ASK)
        holder.join()
        assert second[:3] == (503, "Query time limit exceeded", "1")
        assert second[3].decode() == (
            "the endpoint was busy: the query waited for its turn (at most 1 run at once) "
            "until the time limit of 2 s; try again later\n"
        )
        assert first[0][:2] == (503, "Query time limit exceeded")
        assert server.restarts == 1
        assert ask(server.port, ASK)[0] == 200  # the new engine answers


class _FlakyEngine(Endpoint):
    """The endpoint with :mod:`tests.endpoint.flaky_engine` as its engine."""

    failures = 0

    def _command(self, port: int) -> list[str]:
        script = Path(__file__).with_name("flaky_engine.py")
        return [sys.executable, str(script), str(port), str(self.failures)]


@pytest.mark.parametrize("failures", [1, 3])
def test_an_engine_short_of_resources_for_a_moment_is_asked_again(failures, tmp_path):
    engine = type("Engine", (_FlakyEngine,), {"failures": failures})
    with engine(tmp_path, port=0, timeout=30, sandbox=False) as server:
        server.serve_in_thread()
        status, _reason, _retry, body = ask(server.port, "ASK {}")
    assert (status, body) == (200, b'{"head":{},"boolean":true}')


def test_an_engine_short_of_resources_for_long_is_a_503_with_retry_after(tmp_path):
    engine = type("Engine", (_FlakyEngine,), {"failures": 1000})
    with engine(tmp_path, port=0, timeout=30, sandbox=False) as server:
        server.serve_in_thread()
        status, reason, retry, body = ask(server.port, "ASK {}")
    assert (status, reason, retry) == (503, "Engine busy", "1")
    assert body.decode() == (
        "the engine was short of resources for a moment (Resource temporarily unavailable "
        "(os error 11)); try again\n"
    )
