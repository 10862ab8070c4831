"""The engine-level guarantee: code run under the seccomp filter cannot open a connection."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

import pyoxigraph
import pytest

from bioeco.store import sandbox

pytestmark = pytest.mark.skipif(not sandbox.available(), reason="seccomp filter is Linux-only")


def _port(url: str) -> int:
    return int(url.rsplit(":", 1)[1])


def _outcome(fn) -> str:
    try:
        fn()
    except PermissionError:
        return "refused"
    return "allowed"


def test_tcp_connect_is_refused_on_the_filtered_thread_only(http_server):
    url, seen = http_server
    address = ("127.0.0.1", _port(url))

    def connect() -> None:
        socket.create_connection(address, timeout=5).close()

    assert sandbox.run_offline(_outcome, connect) == "refused"
    assert seen == []
    # the rest of the process is untouched
    assert _outcome(connect) == "allowed"


def test_datagram_raw_and_packet_sockets_are_refused_stream_listening_allowed():
    def udp() -> None:
        socket.socket(socket.AF_INET, socket.SOCK_DGRAM).close()

    def udp6() -> None:
        socket.socket(socket.AF_INET6, socket.SOCK_DGRAM | socket.SOCK_NONBLOCK).close()

    def packet() -> None:
        socket.socket(socket.AF_PACKET, socket.SOCK_RAW).close()

    def listen() -> None:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM | socket.SOCK_CLOEXEC) as s:
            s.bind(("127.0.0.1", 0))
            s.listen()

    def unix_pair() -> None:
        a, b = socket.socketpair()
        a.close()
        b.close()

    got = {f.__name__: sandbox.run_offline(_outcome, f) for f in (udp, udp6, packet, listen)}
    got["unix_pair"] = sandbox.run_offline(_outcome, unix_pair)
    assert got == {
        "udp": "refused",
        "udp6": "refused",
        "packet": "refused",
        "listen": "allowed",
        "unix_pair": "allowed",
    }


def test_tcp_fast_open_send_is_refused(http_server):
    url, seen = http_server

    def fastopen() -> None:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.sendto(b"GET / HTTP/1.0\r\n\r\n", socket.MSG_FASTOPEN, ("127.0.0.1", _port(url)))

    assert sandbox.run_offline(_outcome, fastopen) == "refused"
    assert seen == []


def test_oxigraph_service_cannot_reach_the_recording_server(http_server):
    """pyoxigraph federates SERVICE over HTTP; under the filter the connection never opens,
    whatever spelling got the query past a text check."""
    url, seen = http_server

    def federate() -> str:
        store = pyoxigraph.Store()
        try:
            list(store.query(f"SELECT * WHERE {{ SERVICE <{url}/sparql> {{ ?s ?p ?o }} }}"))
        except OSError as exc:
            return str(exc)
        return "answered"

    assert "Permission denied" in sandbox.run_offline(federate)
    assert seen == []


def test_offline_command_filters_a_child_process(http_server):
    url, seen = http_server
    code = f"import socket; socket.create_connection(('127.0.0.1', {_port(url)}), timeout=5)"
    done = subprocess.run(
        sandbox.offline_command([sys.executable, "-c", code]), capture_output=True, text=True
    )
    assert done.returncode == 1
    assert "PermissionError" in done.stderr
    assert seen == []


def test_offline_command_usage():
    done = subprocess.run(
        [sys.executable, "-m", "bioeco.store.sandbox", "oxigraph"], capture_output=True, text=True
    )
    assert done.returncode == 2
    assert done.stderr.startswith("usage: python -m bioeco.store.sandbox -- PROGRAM")


def test_errors_raised_on_the_worker_reach_the_caller():
    def boom() -> None:
        raise ValueError("from the worker")

    with pytest.raises(ValueError, match="from the worker"):
        sandbox.run_offline(boom)
    assert sandbox.run_offline(lambda: 41 + 1) == 42  # the worker survives


def test_an_abandoned_worker_is_replaced_by_a_filtered_one(http_server):
    url, _seen = http_server
    first = sandbox.run_offline(lambda: __import__("threading").get_ident())
    sandbox.abandon_worker()
    second = sandbox.run_offline(lambda: __import__("threading").get_ident())
    assert first != second

    def connect() -> None:
        socket.create_connection(("127.0.0.1", _port(url)), timeout=5).close()

    assert sandbox.run_offline(_outcome, connect) == "refused"


def test_every_jump_of_the_filter_lands_inside_the_program():
    for nums in sandbox._ARCHES.values():
        program = sandbox._program(nums)
        for i, (code, jt, jf, _k) in enumerate(program):
            if code & 0x07 == 0x05:  # BPF_JMP
                assert 0 <= i + 1 + jt < len(program)
                assert 0 <= i + 1 + jf < len(program)
        assert program[-1][0] == 0x06 and program[-2][0] == 0x06  # ends in returns


def test_a_forked_child_gets_its_own_filtered_worker():
    sandbox.run_offline(lambda: None)  # the parent's worker exists
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: the parent's worker thread does not exist here
        try:
            ok = sandbox.run_offline(lambda: 6 * 7) == 42
        except BaseException:
            ok = False
        os.write(write, b"1" if ok else b"0")
        os._exit(0)
    os.close(write)
    answer = os.read(read, 1)
    os.waitpid(pid, 0)
    assert answer == b"1"
