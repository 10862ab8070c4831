"""Issue 14, items 3-6: query limits, one line instead of a traceback, no silently dropped
input, outputs that switch as a set, and nothing that can forge a line in a terminal."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import bioeco.store.query
from bioeco.core.atomic import atomic_write_set
from bioeco.errors import OutputError, QueryError, QueryTimeout
from bioeco.store.query import select
from cli import main
from hardening_support import BIOECO, TINY, snapshot

HANG_GUARD = 300  # only against a hang; never a pass condition on speed
NEVER_ENDS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


def _run(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(BIOECO), *args], capture_output=True, text=True, timeout=HANG_GUARD, **kwargs
    )


def test_a_query_that_never_ends_stops_at_the_time_limit(good_build: Path):
    done = _run("query", NEVER_ENDS, "--graph", str(good_build / "bioeco.trig"), "--timeout", "1")
    assert done.returncode == 4
    assert done.stderr == (
        "Error: SPARQL query stopped after the time limit of 1 s "
        "(narrow it, add LIMIT, or raise --timeout)\n"
    )


def test_the_python_api_has_the_time_limit_too(tiny_dataset):
    with pytest.raises(QueryTimeout, match=r"time limit of 0\.5 s"):
        select(tiny_dataset, NEVER_ENDS, timeout=0.5)
    # the engine thread is replaced: the next query answers
    assert len(select(tiny_dataset, "SELECT * WHERE { ?s ?p ?o } LIMIT 2")) == 2


def _engine_thread_started(pid: int) -> bool:
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            if (task / "comm").read_text().strip() == "bioeco-sparql":
                return True
        except OSError:
            continue
    return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_ctrl_c_stops_a_running_query(good_build: Path):
    proc = subprocess.Popen(
        [str(BIOECO), "query", NEVER_ENDS, "--graph", str(good_build / "bioeco.trig"),
         "--timeout", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # a test runner started in the background may ignore SIGINT, and children inherit that
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )  # fmt: skip
    try:
        # the event: the engine thread exists, i.e. the query is being evaluated
        while proc.poll() is None and not _engine_thread_started(proc.pid):
            os.sched_yield()
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=HANG_GUARD)
    finally:
        proc.kill()
    assert proc.returncode == 130
    assert err == "Error: interrupted: the query was stopped\n"
    assert out == ""


def test_table_view_has_a_row_limit_csv_has_none(good_build: Path):
    graph = str(good_build / "bioeco.trig")
    done = _run("query", "SELECT ?s WHERE { ?s ?p ?o }", "--graph", graph, "--max-rows", "3")
    assert done.returncode == 0
    assert len(done.stdout.splitlines()) == 4  # header + 3 rows
    assert done.stderr == "(first 3 rows shown; --max-rows 0 shows all, --format csv writes all)\n"
    done = _run("query", "SELECT ?s WHERE { ?s ?p ?o }", "--graph", graph, "--format", "csv")
    assert len(done.stdout.splitlines()) > 100 and done.stderr == ""


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (
            "SELECT ?x WHERE { FILTER(" + "(" * 40 + "1" + ")" * 40 + ") }",
            "SPARQL query is nested too deeply (parentheses or { } groups); flatten it",
        ),
        (
            "SELECT ?x WHERE " + "{" * 40 + " ?x ?p ?o " + "}" * 40,
            "SPARQL query is nested too deeply (parentheses or { } groups); flatten it",
        ),
        (
            "INSERT DATA { <http://e/a> <http://e/b> <http://e/c> }",
            "SPARQL updates are refused: bioeco query only reads the graph",
        ),
        (
            "PREFIX e: <http://e/>\nDELETE WHERE { ?s ?p ?o }",
            "SPARQL updates are refused: bioeco query only reads the graph",
        ),
        (
            "SELECT ?x\nWHERE {\n  ?x a ?y FILTER( }",
            "SPARQL syntax error at line 3, column 19: found '}'; "
            "expected ')' to close the '(' at line 3, column 17",
        ),
        (
            "SELECT ?x WHERE { ?x a ?y ",
            "SPARQL syntax error at line 1, column 26: the query ends too early; "
            "expected '}' to close the '{' at line 1, column 17",
        ),
    ],
)
def test_query_problems_are_one_clear_line(good_build: Path, query: str, message: str):
    done = _run("query", query, "--graph", str(good_build / "bioeco.trig"))
    assert (done.returncode, done.stderr) == (1, f"Error: {message}\n")


def test_a_query_file_with_a_byte_order_mark_runs(tmp_path: Path, good_build: Path):
    path = tmp_path / "q.rq"
    path.write_bytes("\ufeffSELECT ?s WHERE { ?s a org:Organization } LIMIT 1".encode())
    done = _run("query", "-f", str(path), "--graph", str(good_build / "bioeco.trig"))
    assert done.returncode == 0, done.stderr


def test_out_under_a_regular_file_is_one_line(tmp_path: Path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    done = _run("build", "--data", str(TINY), "--out", str(blocker / "out"))
    assert done.returncode == 5
    assert done.stderr.startswith("Error: cannot write ")
    assert done.stderr.endswith(": Not a directory\n")
    assert "Traceback" not in done.stderr and len(done.stderr.splitlines()) == 1


@pytest.mark.parametrize(("code", "reason"), [(30, "Read-only file system"), (28, "No space left")])
def test_read_only_or_full_file_system_is_one_line_and_keeps_outputs(
    out_dir: Path, monkeypatch: pytest.MonkeyPatch, code: int, reason: str
):
    before = snapshot(out_dir)

    def fail(*args, **kwargs):
        raise OSError(code, os.strerror(code), str(kwargs.get("dir")))

    monkeypatch.setattr("bioeco.core.atomic.tempfile.mkstemp", fail)
    result = CliRunner().invoke(main, ["build", "--data", str(TINY), "--out", str(out_dir)])
    assert result.exit_code == 5
    assert result.output.startswith("Error: cannot write ")
    assert reason in result.output and len(result.output.splitlines()) == 1
    assert snapshot(out_dir) == before


def test_a_corrupt_analysis_graph_is_one_line(out_dir: Path):
    (out_dir / "analysis.trig").write_text("<http://e/g> { <a> <b> ", encoding="utf-8")
    done = _run("query", "ASK {}", "--graph", str(out_dir / "bioeco.trig"))
    assert done.returncode == 0  # an explicit --graph does not read analysis.trig
    env = dict(os.environ, BIOECO_OUT=str(out_dir))
    for args in (("query", "ASK {}"), ("stats",)):
        done = _run(*args, env=env, cwd=out_dir)
        assert done.returncode == 2, done.stderr
        assert done.stderr.startswith(f"Error: {out_dir / 'analysis.trig'}: cannot parse trig")
        assert len(done.stderr.splitlines()) == 1


def test_an_ill_typed_literal_prints_no_traceback(tmp_path: Path):
    path = tmp_path / "ill.ttl"
    path.write_text(
        '<http://e/a> <http://e/n> "notanumber"^^<http://www.w3.org/2001/XMLSchema#integer> .\n',
        encoding="utf-8",
    )
    for args in (("stats",), ("query", "SELECT ?n WHERE { ?a <http://e/n> ?n }"), ("validate",)):
        done = _run(*args, "--graph", str(path))
        assert done.returncode == 0, done.stderr
        assert done.stderr == ""
    assert (
        "notanumber"
        in _run("query", "SELECT ?n { ?a <http://e/n> ?n }", "--graph", str(path)).stdout
    )


def test_graph_given_twice_reads_both(tmp_path: Path, good_build: Path):
    extra = tmp_path / "extra.ttl"
    extra.write_text(
        '<http://e/zz> <http://www.w3.org/2004/02/skos/core#prefLabel> "Extra" .\n',
        encoding="utf-8",
    )
    graph = str(good_build / "bioeco.trig")
    one = _run("validate", "--graph", graph)
    both = _run("validate", "--graph", graph, "--graph", str(extra))
    assert one.returncode == both.returncode == 0, both.stdout + both.stderr
    n_one = int(one.stdout.split()[1])
    n_both = int(both.stdout.split()[1])
    assert n_both == n_one + 1  # the extra file's triple was validated too


def test_an_input_cannot_extend_the_ontology_to_pass_validation(tmp_path: Path, good_build: Path):
    """A file that adds a sector concept (in any graph, even one named like the ontology
    graph) is validated against the project's own schemes: the extra concept is ignored."""
    trig = (good_build / "bioeco.trig").read_text(encoding="utf-8")
    sector = "<https://w3id.org/bioeco/id/concept/sector/space>"
    claim = (
        "<https://w3id.org/bioeco/graph/ontology> {\n"
        f"  {sector} a <http://www.w3.org/2004/02/skos/core#Concept> ;\n"
        "    <http://www.w3.org/2004/02/skos/core#inScheme> "
        "<https://w3id.org/bioeco/id/scheme/sector> .\n}\n"
    )
    path = tmp_path / "claims.trig"
    path.write_text(trig + claim, encoding="utf-8")
    done = _run("validate", "--graph", str(path))
    assert done.returncode == 0
    assert "Note: 2 input triple(s) that define the project's ontology" in done.stdout


def test_the_analysis_set_switches_at_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    folder = tmp_path / "analysis"
    atomic_write_set(folder, {"a.csv": "run1", "b.trig": "run1"})
    real_replace = os.replace
    calls: list[str] = []

    def interrupted(src, dst, *a, **k):
        calls.append(str(dst))
        if Path(dst) == folder:  # the one switch
            raise KeyboardInterrupt
        return real_replace(src, dst, *a, **k)

    monkeypatch.setattr("bioeco.core.atomic.os.replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        atomic_write_set(folder, {"a.csv": "run2", "b.trig": "run2"})
    monkeypatch.undo()
    assert {p.name: p.read_text() for p in folder.iterdir()} == {"a.csv": "run1", "b.trig": "run1"}
    atomic_write_set(folder, {"a.csv": "run3", "b.trig": "run3"})
    assert {p.name: p.read_text() for p in folder.iterdir()} == {"a.csv": "run3", "b.trig": "run3"}
    assert len([p for p in tmp_path.iterdir() if p.name.startswith(".analysis.")]) == 1


def test_query_errors_are_never_query_tracebacks(tiny_dataset):
    with pytest.raises(QueryError):
        select(tiny_dataset, "SELECT * WHERE { ?s ?p ?o } ORDER BY")
    with pytest.raises(OutputError):
        atomic_write_set(Path("/proc/version/x"), {"a": "b"})


@pytest.mark.parametrize("path", ["rdflib", "native"])
def test_running_out_of_memory_is_one_clear_line(tiny_dataset, monkeypatch, path):
    def exhausted(*args, **kwargs):
        raise MemoryError

    if path == "rdflib":  # the engine behind rdflib's Dataset.query
        monkeypatch.setattr(bioeco.store.query, "_native", lambda graph, tree: None)
        monkeypatch.setattr(type(tiny_dataset), "query", exhausted)
    else:  # a SELECT read straight from pyoxigraph
        monkeypatch.setattr(bioeco.store.query, "_select_native", exhausted)
    with pytest.raises(QueryError) as caught:
        select(tiny_dataset, "SELECT * WHERE { ?s ?p ?o }")
    assert str(caught.value) == (
        "SPARQL query needs more memory than this machine has: narrow it or add LIMIT"
    )
