"""bioeco serve through a real client (SPARQLWrapper): every query form and result format,
read-only, the time limit, content negotiation; the CLI process: Ctrl-C, a port in use."""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph
from SPARQLWrapper import CSV, JSON, N3, POST, RDFXML, TSV, TURTLE, XML, SPARQLWrapper

from bioeco.errors import EndpointError
from bioeco.pipeline import open_graph
from bioeco.serve.endpoint import Endpoint, load_store, serve
from bioeco.store.query import select
from cli import main

MEMBERS = "SELECT ?m ?who WHERE { ?m a org:Membership ; org:member ?who }"
CONSTRUCT = "CONSTRUCT { ?m org:member ?who } WHERE { ?m a org:Membership ; org:member ?who }"
DESCRIBE = "DESCRIBE initiative:biotech-north"


@pytest.fixture(scope="module")
def local(graph_files):
    return open_graph(graph_file=graph_files)


def client(endpoint: Endpoint, query: str, fmt: str, accept: str | None = None) -> SPARQLWrapper:
    sparql = SPARQLWrapper(endpoint.url)
    sparql.setQuery(query)
    sparql.setReturnFormat(fmt)
    if accept:
        sparql.addCustomHttpHeader("Accept", accept)
    return sparql


def test_select_in_every_result_format(endpoint, local):
    expected = {(m, w) for m, w in select(local, MEMBERS).itertuples(index=False)}
    assert len(expected) > 100
    as_json = client(endpoint, MEMBERS, JSON).query().convert()
    got = {(b["m"]["value"], b["who"]["value"]) for b in as_json["results"]["bindings"]}
    assert got == expected
    as_xml = client(endpoint, MEMBERS, XML).query().convert()
    assert len(as_xml.getElementsByTagName("result")) == len(expected)
    for fmt, delimiter in ((CSV, ","), (TSV, "\t")):
        raw = client(endpoint, MEMBERS, fmt).query().convert().decode("utf-8")
        rows = list(csv.reader(io.StringIO(raw), delimiter=delimiter))
        assert len(rows) == len(expected) + 1
        if fmt == CSV:
            assert rows[0] == ["m", "who"] and set(map(tuple, rows[1:])) == expected
        else:  # TSV writes RDF terms: <iri>
            assert rows[0] == ["?m", "?who"]
            assert {(m.strip("<>"), w.strip("<>")) for m, w in rows[1:]} == expected


def test_ask_in_every_result_format(endpoint):
    yes = "ASK { initiative:biotech-north a org:OrganizationalCollaboration }"
    no = "ASK { initiative:biotech-north a org:Membership }"
    assert client(endpoint, yes, JSON).query().convert()["boolean"] is True
    assert client(endpoint, no, JSON).query().convert()["boolean"] is False
    xml = client(endpoint, yes, XML).query().convert()
    assert xml.getElementsByTagName("boolean")[0].firstChild.data == "true"
    assert client(endpoint, no, CSV).query().convert() == b"false"
    assert client(endpoint, yes, TSV).query().convert() == b"true"


@pytest.mark.parametrize("query", [CONSTRUCT, DESCRIBE], ids=["construct", "describe"])
def test_construct_and_describe_in_every_graph_format(endpoint, local, query):
    expected = {tuple(row) for row in select(local, query).itertuples(index=False)}
    assert expected
    answers = {
        "turtle": client(endpoint, query, TURTLE).query(),
        "rdfxml": client(endpoint, query, RDFXML).query(),
        "n-triples": client(endpoint, query, N3, accept="application/n-triples").query(),
    }
    media = {name: a.response.headers["Content-Type"] for name, a in answers.items()}
    assert media["turtle"].startswith("text/turtle")
    assert media["rdfxml"].startswith("application/rdf+xml")
    assert media["n-triples"].startswith("application/n-triples")
    parsed = {
        "turtle": Graph().parse(data=answers["turtle"].convert(), format="turtle"),
        "rdfxml": answers["rdfxml"].convert(),  # SPARQLWrapper parses RDF/XML itself
        "n-triples": Graph().parse(data=answers["n-triples"].convert(), format="nt"),
    }
    for name, graph in parsed.items():
        assert {(str(s), str(p), str(o)) for s, p, o in graph} == expected, name


def test_predeclared_prefixes_and_own_prefixes_both_work(endpoint):
    own = (
        "PREFIX o: <http://www.w3.org/ns/org#>\n"
        "PREFIX org: <http://www.w3.org/ns/org#>\n"  # redeclaring a predeclared one is fine
        "SELECT (COUNT(*) AS ?n) WHERE { ?m a o:Membership, org:Membership }"
    )
    short = "SELECT (COUNT(*) AS ?n) WHERE { ?m a org:Membership }"
    n1 = client(endpoint, own, JSON).query().convert()["results"]["bindings"][0]["n"]["value"]
    n2 = client(endpoint, short, JSON).query().convert()["results"]["bindings"][0]["n"]["value"]
    assert int(n1) == int(n2) > 100


def test_syntax_error_points_at_the_users_own_line(endpoint):
    sparql = client(endpoint, "SELECT * WHERE {\n  ?s ?p ?o FILTR }", JSON)
    with pytest.raises(Exception) as caught:
        sparql.query()
    assert "error at 2:" in str(caught.value)


def _digest(files):
    return {str(f): hashlib.sha256(Path(f).read_bytes()).hexdigest() for f in files}


def test_updates_and_graph_store_writes_are_refused(endpoint, graph_files):
    before = _digest(graph_files)
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    n_before = client(endpoint, count, JSON).query().convert()["results"]["bindings"][0]["n"]
    update = SPARQLWrapper(endpoint.url.replace("/query", "/update"))
    update.setMethod(POST)
    update.setQuery("INSERT DATA { <http://example.org/a> <http://example.org/b> 1 }")
    with pytest.raises(urllib.error.HTTPError) as caught:
        update.query()
    assert caught.value.code == 403
    assert b"bioeco serve is read-only" in caught.value.read()
    # an update sent to the query URL, and Graph Store writes, are refused the same way
    base = endpoint.url.rsplit("/", 1)[0]
    requests = [
        urllib.request.Request(endpoint.url, data=b"update=CLEAR+ALL", method="POST",
                               headers={"Content-Type": "application/x-www-form-urlencoded"}),
        urllib.request.Request(endpoint.url, data=b"CLEAR ALL", method="POST",
                               headers={"Content-Type": "application/sparql-update"}),
        urllib.request.Request(base + "/store?default", data=b"<a:b> <a:c> <a:d> .",
                               method="PUT", headers={"Content-Type": "text/turtle"}),
        urllib.request.Request(base + "/store?default", data=b"<a:b> <a:c> <a:d> .",
                               method="POST", headers={"Content-Type": "text/turtle"}),
        urllib.request.Request(base + "/store?graph=urn:x", method="DELETE"),
    ]  # fmt: skip
    for request in requests:
        with pytest.raises(urllib.error.HTTPError) as caught:
            urllib.request.urlopen(request, timeout=30)
        assert caught.value.code == 403, request.full_url
    n_after = client(endpoint, count, JSON).query().convert()["results"]["bindings"][0]["n"]
    assert n_after == n_before
    assert _digest(graph_files) == before


def test_unacceptable_format_is_refused_with_the_list(endpoint):
    request = urllib.request.Request(
        endpoint.url + "?query=ASK%7B%7D", headers={"Accept": "image/png"}
    )
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(request, timeout=30)
    assert caught.value.code == 406
    assert b"text/csv" in caught.value.read()


CARTESIAN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def test_cartesian_product_is_stopped_by_the_time_limit(graph_files, tmp_path):
    load_store(graph_files, tmp_path / "store")
    with Endpoint(tmp_path / "store", port=0, timeout=2) as server:
        server.serve_in_thread()
        sparql = client(server, CARTESIAN, JSON)
        with pytest.raises(urllib.error.HTTPError) as caught:
            sparql.query()
        assert caught.value.code == 503
        assert str(caught.value) == "HTTP Error 503: Query time limit exceeded"
        assert caught.value.read().decode() == (
            "the query ran longer than the time limit of 2 s and was stopped; "
            "narrow it or add a LIMIT\n"
        )
        # the engine was replaced, so the endpoint goes on answering
        assert server.restarts == 1
        ok = client(server, "ASK { ?s a org:Membership }", JSON).query().convert()
        assert ok["boolean"] is True


def test_a_query_past_the_memory_limit_stops_only_itself(graph_files, tmp_path):
    load_store(graph_files, tmp_path / "store")
    sorted_product = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?c ?f ?i LIMIT 1"
    with Endpoint(tmp_path / "store", port=0, timeout=300, memory_mb=1024) as server:
        server.serve_in_thread()
        with pytest.raises(urllib.error.HTTPError) as caught:
            client(server, sorted_product, JSON).query()
        assert caught.value.code == 503
        assert caught.value.read().decode() == (
            "the engine stopped (its memory limit of 1024 MB reached?) and was restarted; "
            "narrow the query\n"
        )
        ok = client(server, "ASK { ?s a org:Membership }", JSON).query().convert()
        assert ok["boolean"] is True and server.restarts == 1


def test_port_in_use_is_one_line_and_exit_1(graph_files):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(
            main, ["serve", "--graph", str(graph_files[0]), "--port", str(port)]
        )
    assert result.exit_code == 1
    assert result.output == (
        f"Error: port {port} on 127.0.0.1 is already in use; stop the other server or "
        "choose another with --port\n"
    )


def test_a_host_other_than_loopback_warns_first():
    lines: list[str] = []
    # 192.0.2.1 (TEST-NET-1) is not an address of this machine: binding fails right after
    with pytest.raises(EndpointError, match=r"cannot listen on 192\.0\.2\.1"):
        serve([Path("ontology/bioeco.ttl")], host="192.0.2.1", port=0, announce=lines.append)
    assert lines[0].startswith("warning: --host 192.0.2.1 makes the endpoint reachable")


def _children_serving(folder: Path) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes().decode(errors="replace")
            except OSError:
                continue
            if "serve-read-only" in cmdline and str(folder) in cmdline:
                found.append(int(entry.name))
    return found


def _start_serving(graph: Path) -> tuple[subprocess.Popen, Path]:
    """``bioeco serve`` of *graph* in a child process, once it answers; and its store copy."""
    port = socket.socket()
    port.bind(("127.0.0.1", 0))
    number = port.getsockname()[1]
    port.close()
    process = subprocess.Popen(
        [sys.executable, "-m", "cli", "serve", "--graph", str(graph), "--port", str(number)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
        # a test runner started in the background may ignore SIGINT, and children inherit that
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    url = f"http://127.0.0.1:{number}/query?query=ASK%7B%3Fs+%3Fp+%3Fo%7D"
    deadline = time.monotonic() + 600  # a guard against a hang, not a speed requirement
    answered = None
    while time.monotonic() < deadline and process.poll() is None and answered is None:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                answered = response.read()
        except OSError:
            time.sleep(0.2)
    if answered is None:
        process.kill()
        raise AssertionError(process.communicate(timeout=30))
    assert b"true" in answered
    stores = [p for p in graph.parent.iterdir() if p.name.startswith(".bioeco-serve-")]
    assert len(stores) == 1 and _children_serving(stores[0])
    return process, stores[0]


def test_ctrl_c_stops_the_engine_and_removes_the_private_store(graph_files, tmp_path):
    graph = tmp_path / "bioeco.trig"
    graph.write_bytes(graph_files[0].read_bytes())
    process, store = _start_serving(graph)
    try:
        process.send_signal(signal.SIGINT)
        _out, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, err
    assert err.splitlines()[-1] == "Stopping"
    assert "Traceback" not in err
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".bioeco-serve-")]
    assert not _children_serving(store)


def test_the_engine_dies_with_a_killed_guard(graph_files, tmp_path):
    """SIGKILL leaves the guard no chance to clean up; the engine's lifeline still stops it."""
    graph = tmp_path / "bioeco.trig"
    graph.write_bytes(graph_files[0].read_bytes())
    process, store = _start_serving(graph)
    engines = _children_serving(store)
    process.kill()
    process.communicate(timeout=60)
    deadline = time.monotonic() + 120  # a guard against a hang, not a speed requirement
    while _children_serving(store) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = _children_serving(store)
    for pid in left:  # never leave a server behind, even when the test fails
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    assert engines and not left


def test_serve_help_and_environment():
    result = CliRunner().invoke(main, ["serve", "--help"])
    assert result.exit_code == 0
    assert "read-only SPARQL endpoint" in result.output
