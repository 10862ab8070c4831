"""Real SPARQL servers for the endpoint tests, started on 127.0.0.1 (free ports) and stopped."""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from bioeco.serve.lifeline import Lifeline

VIRTUOSO = shutil.which("virtuoso-t")
VIRTUOSO_VAD = Path("/usr/share/virtuoso-opensource-7/vad")
VIRTUOSO_ROOT = Path("/var/lib/virtuoso-opensource-7/vsp")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_answers(url: str, process: subprocess.Popen, log: Path, seconds: float) -> None:
    """Poll *url* with an ASK until it answers 200 (bounded); fail with the server's log."""
    probe = url + "?" + urllib.parse.urlencode({"query": "ASK {}"})
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        with contextlib.suppress(OSError), urllib.request.urlopen(probe, timeout=5) as response:
            if response.status == 200:
                return
        time.sleep(0.2)
    process.kill()
    tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
    raise RuntimeError(f"{url} did not answer within {seconds:g} s:\n{tail}")


@dataclass
class Store:
    """A running store: its query, update and Graph Store URLs and credentials."""

    name: str
    query: str
    update: str
    graph_store: str
    user: str | None = None
    password: str | None = None


def tied_popen(argv: list[str], **kwargs) -> subprocess.Popen:
    """``subprocess.Popen`` of a server that stops when this test process ends, however it
    ends (a test run killed hard would otherwise leave the server running)."""
    line = Lifeline()
    process = subprocess.Popen(line.command(argv), pass_fds=line.pass_fds, **kwargs)
    line.started()
    process.lifeline = line  # kept open as long as the process object lives
    return process


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@contextlib.contextmanager
def oxigraph_server(folder: Path) -> Iterator[Store]:
    """A read-write Oxigraph server (``oxigraph serve``) with an empty store."""
    binary = Path(sys.executable).with_name("oxigraph")
    port = free_port()
    log = folder / "oxigraph.log"
    with log.open("wb") as out:
        process = tied_popen(
            [str(binary), "serve", "--location", str(folder / "store"), "--bind",
             f"127.0.0.1:{port}"],
            stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_answers(base + "/query", process, log, 60)
        yield Store("oxigraph", base + "/query", base + "/update", base + "/store")
    finally:
        _stop(process)


VIRTUOSO_INI = """\
[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
DisableTcpSocket = 0
MaxClientConnections = 10
CheckpointInterval = 60
CaseMode = 2
DirsAllowed = ., {dir}, {vad}
VADInstallDir = {vad}/
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
MaxQueryMem = 500M
ThreadsPerQuery = 2
; paging with ORDER BY ... LIMIT/OFFSET past 10000 rows needs these raised
MaxSortedTopRows = 1000000

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {root}
MaxClientConnections = 10
ServerThreads = 10
Charset = UTF-8

[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 120
MaxQueryCostEstimationTime = 400
"""


@contextlib.contextmanager
def virtuoso_server(folder: Path) -> Iterator[Store]:
    """OpenLink Virtuoso Open Source 7 in the foreground with a new database in *folder*.

    The Graph Store and SPARQL Update endpoints used are the authenticated ones
    (``/sparql-graph-crud-auth``, ``/sparql-auth``, HTTP Digest) with the new database's
    ``dba`` account, which may write.
    """
    if VIRTUOSO is None:
        raise RuntimeError(
            "virtuoso-t is not installed: make sysdeps installs virtuoso-opensource-7"
        )
    http_port, sql_port = free_port(), free_port()
    ini = folder / "virtuoso.ini"
    ini.write_text(
        VIRTUOSO_INI.format(dir=folder, sql_port=sql_port, http_port=http_port,
                            vad=VIRTUOSO_VAD, root=VIRTUOSO_ROOT),
        encoding="utf-8",
    )  # fmt: skip
    log = folder / "virtuoso.log"
    with (folder / "stdout.log").open("wb") as out:
        process = tied_popen(
            [VIRTUOSO, "-f", "-c", str(ini)], cwd=folder,
            stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        )  # fmt: skip
    base = f"http://127.0.0.1:{http_port}"
    try:
        wait_until_answers(base + "/sparql", process, log, 180)
        yield Store(
            "virtuoso",
            base + "/sparql",
            base + "/sparql-auth",
            base + "/sparql-graph-crud-auth",
            user="dba",
            password="dba",
        )
    finally:
        _stop(process)
