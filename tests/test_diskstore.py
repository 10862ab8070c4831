"""The persistent Oxigraph store under out/: written by build, reused instead of the TriG."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

import bioeco.ingest.build
import bioeco.pipeline.open_step
import bioeco.store.dataset
import bioeco.validate.shacl
from bioeco.core.vocab import analysis_graph
from bioeco.pipeline import analyze, build, current_store, open_graph
from bioeco.store.dataset import wrap_store
from bioeco.store.disk import STORE, open_store, read_state, store_dir
from bioeco.store.freshness import StaleGraphWarning, file_stamp
from bioeco.store.query import select

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"


def _count(dataset) -> int:
    return int(select(dataset, COUNT).loc[0, "n"])


def _no_parsing(monkeypatch) -> None:
    """Make every way of reading the TriG (or building from the tables) fail."""

    def refuse(*args, **kwargs):
        raise AssertionError("the graph was parsed or built instead of read from the store")

    monkeypatch.setattr(bioeco.pipeline.open_step, "load_dataset", refuse)
    monkeypatch.setattr(bioeco.ingest.build, "build_dataset", refuse)
    monkeypatch.setattr(bioeco.store.dataset, "load_dataset", refuse)


def _drop_aliases(data_dir: Path) -> None:
    """Edit a table: keep only the header of the tiny fixture's aliases."""
    aliases = data_dir / "src-b" / "aliases.csv"
    aliases.write_text(aliases.read_text(encoding="utf-8").split("\n")[0] + "\n", "utf-8")


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def built_out(tiny_dir: Path, tmp_path: Path) -> Path:
    out = tmp_path / "out"
    result = build(tiny_dir, out, check=False)
    assert result.files["store"] == out / STORE
    return out


def test_build_writes_a_store_holding_its_trig(built_out):
    folder = store_dir(built_out)
    assert folder is not None and folder.name.startswith(f".{STORE}.")
    assert (built_out / STORE).is_symlink()
    state = read_state(folder)
    assert state == {
        "graph": _sha(built_out / "bioeco.trig"),
        "analysis": None,
        "graph_stamp": file_stamp(built_out / "bioeco.trig"),  # the file written with it
    }
    parsed = bioeco.store.dataset.load_dataset(built_out / "bioeco.trig")
    assert _count(open_graph(out_dir=built_out)) == _count(parsed) > 0


def test_the_store_is_reused_not_the_trig_parsed(built_out, monkeypatch):
    expected = _count(bioeco.store.dataset.load_dataset(built_out / "bioeco.trig"))
    _no_parsing(monkeypatch)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a current store: no warning at all
        dataset = open_graph(out_dir=built_out)
        again = open_graph(graph_file=built_out / "bioeco.trig")  # the same file, explicitly
    assert _count(dataset) == _count(again) == expected
    assert current_store(built_out) == store_dir(built_out) / "db"


def test_readers_cannot_change_the_store(built_out):
    dataset = open_graph(out_dir=built_out)
    assert len(dataset.graph("https://example.org/not-there")) == 0  # asking is fine
    with pytest.raises(Exception, match="read-write"):
        dataset.store._inner.update("INSERT DATA { <urn:a> <urn:b> <urn:c> }")


def test_a_table_edit_makes_the_store_stale(built_out, tiny_dir):
    before = _count(open_graph(out_dir=built_out))
    _drop_aliases(tiny_dir)
    with pytest.warns(StaleGraphWarning, match="changed since"):
        dataset = open_graph(out_dir=built_out)
    assert _count(dataset) < before  # built from the edited tables, not the store
    assert current_store(built_out) is None


def test_a_corrupt_store_is_reported_and_the_trig_read(built_out):
    expected = _count(open_graph(out_dir=built_out))
    (store_dir(built_out) / "db" / "CURRENT").write_text("garbage")
    with pytest.warns(StaleGraphWarning, match=f"{STORE} cannot be opened .*reading"):
        dataset = open_graph(out_dir=built_out)
    assert _count(dataset) == expected


def test_a_store_of_another_trig_is_not_used(built_out, tmp_path):
    other = tmp_path / "other"
    build(None, other, check=False)  # data/: another graph, another store
    link = built_out / STORE
    link.unlink()
    os.symlink(os.path.relpath(store_dir(other), built_out), link)
    with pytest.warns(StaleGraphWarning, match="does not hold this bioeco.trig"):
        dataset = open_graph(out_dir=built_out)
    assert _count(dataset) == _count(bioeco.store.dataset.load_dataset(built_out / "bioeco.trig"))


def test_a_missing_store_falls_back_with_a_warning(built_out):
    (built_out / STORE).unlink()
    with pytest.warns(StaleGraphWarning, match="is missing"):
        assert _count(open_graph(out_dir=built_out)) > 0


def test_a_killed_build_leaves_the_old_store_current(built_out, tiny_dir):
    old = store_dir(built_out)
    expected = _count(open_graph(out_dir=built_out))
    _drop_aliases(tiny_dir)
    script = (
        "import os, signal, sys\n"
        "import bioeco.pipeline.build_step as p\n"
        "def die(*a, **k):\n"
        "    os.kill(os.getpid(), signal.SIGKILL)\n"
        "p.switch_store = die\n"  # killed just before the switch: the new store is complete
        f"p.build({str(tiny_dir)!r}, {str(built_out)!r}, check=False)\n"
    )
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=600)
    assert run.returncode == -9, run.stderr.decode()
    assert store_dir(built_out) == old  # the link still shows the old store, which opens
    assert _count(wrap_store(open_store(old))) == expected
    # the TriG was replaced before the kill, the manifest not: the store is not trusted
    with pytest.warns(StaleGraphWarning, match="not the file its build manifest describes"):
        open_graph(out_dir=built_out)
    build(tiny_dir, built_out, check=False)  # the next build switches to a new store
    assert store_dir(built_out) not in (old, None)
    assert old.is_dir()  # kept one build longer for readers that still have it open


def test_failed_validation_leaves_no_store(tiny_dir, tmp_path, monkeypatch):
    from bioeco.errors import ValidationFailed
    from bioeco.validate.shacl import ValidationReport

    def failing(*args, **kwargs):
        return ValidationReport(conforms=False)

    monkeypatch.setattr(bioeco.validate.shacl, "validate_graph", failing)
    out = tmp_path / "out"
    with pytest.raises(ValidationFailed):
        build(tiny_dir, out, check=True)
    assert not out.exists() or not [p for p in out.iterdir() if STORE in p.name]


def test_concurrent_readers_and_a_rebuild(built_out, tiny_dir):
    first = open_graph(out_dir=built_out)
    second = open_graph(out_dir=built_out)
    n = _count(first)
    reader = subprocess.run(
        [
            sys.executable,
            "-c",
            "import warnings; warnings.simplefilter('error');"
            "from bioeco.pipeline import open_graph; from bioeco.store.query import select;"
            f"d = open_graph(out_dir={str(built_out)!r});"
            f"print(select(d, {COUNT!r}).loc[0, 'n'])",
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert reader.returncode == 0, reader.stderr
    assert int(reader.stdout.split()[-1]) == n
    build(tiny_dir, built_out, check=False)  # a new store while both readers are open
    assert _count(first) == _count(second) == n  # they still read the store they opened
    assert _count(open_graph(out_dir=built_out)) == n


def test_analyze_puts_its_graph_into_the_store(built_out, monkeypatch):
    analyze(("gaps",), out_dir=built_out)
    state = read_state(store_dir(built_out))
    import hashlib

    assert (
        state["analysis"] == hashlib.sha256((built_out / "analysis.trig").read_bytes()).hexdigest()
    )
    ask = f"ASK {{ GRAPH <{analysis_graph()}> {{ ?s ?p ?o }} }}"
    with monkeypatch.context() as patched:
        _no_parsing(patched)
        dataset = open_graph(out_dir=built_out)  # with the analysis graph: from the store
        assert dataset.query(ask).askAnswer
        assert current_store(built_out) is not None
    analyze(("gaps",), out_dir=built_out)  # again (on the parsed TriG): the graph replaced
    assert read_state(store_dir(built_out))["analysis"] == _sha(built_out / "analysis.trig")
    with monkeypatch.context() as patched:
        _no_parsing(patched)
        assert open_graph(out_dir=built_out).query(ask).askAnswer
        n = len(list(open_graph(out_dir=built_out).graph(analysis_graph())))
    assert n == len(bioeco.store.dataset.load_dataset(built_out / "analysis.trig"))  # not twice
    # without the analysis graph, the store (which holds it) is not used: the files are read
    plain = open_graph(out_dir=built_out, with_analysis=False)
    assert not plain.query(ask).askAnswer


def test_analyze_of_the_built_trig_by_name_keeps_the_store_in_use(built_out, monkeypatch):
    """`bioeco analyze all --graph out/bioeco.trig --out out`, then `bioeco query`: the query
    is answered from the store (which now holds the analysis graph), not by parsing."""
    analyze(("gaps", "overlap"), graph_file=built_out / "bioeco.trig", out_dir=built_out)
    held = read_state(store_dir(built_out))["analysis"]
    assert held == _sha(built_out / "analysis.trig")
    ask = f'ASK {{ GRAPH <{analysis_graph()}> {{ ?t bioeco:tableName "overlap_pairs" }} }}'
    with monkeypatch.context() as patched:
        _no_parsing(patched)
        assert select(open_graph(out_dir=built_out), ask)["ask"][0]
        assert current_store(built_out) is not None
    # another graph file is analysed: the store, built from bioeco.trig, is not touched
    other = built_out.parent / "copy.trig"
    other.write_bytes((built_out / "bioeco.trig").read_bytes() + b"\n")
    analyze(("gaps",), graph_file=other, out_dir=built_out)
    assert read_state(store_dir(built_out))["analysis"] == held != _sha(built_out / "analysis.trig")
    assert current_store(built_out) is None


def test_a_second_writer_reads_the_files(built_out):
    from bioeco.store.disk import open_store

    holder = open_store(store_dir(built_out), writable=True)  # another analyze, say
    try:
        analyze(("gaps",), out_dir=built_out)  # no store for writing: the TriG is read
    finally:
        del holder
    assert read_state(store_dir(built_out))["analysis"] is None
    assert current_store(built_out) is None  # the store does not hold analysis.trig


def test_whole_graph_readers_can_ask_for_the_parsed_graph(built_out, monkeypatch):
    calls = []
    real = bioeco.pipeline.open_step.load_dataset

    def counting(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(bioeco.pipeline.open_step, "load_dataset", counting)
    memory = open_graph(out_dir=built_out, store=False)
    explicit = open_graph(graph_file=built_out / "bioeco.trig", store=False)
    assert len(calls) == 2 and _count(memory) == _count(explicit) > 0
    assert type(memory.store).__name__ == "OxigraphStore"  # writable, in memory
    open_graph(out_dir=built_out)
    assert len(calls) == 2  # the default: the store


def test_a_store_that_cannot_be_written_is_an_output_error(tmp_path):
    from bioeco.errors import OutputError
    from bioeco.ingest.quads import load_store
    from bioeco.store.disk import new_store_dir

    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(OutputError, match=r"^cannot write .*file/out: Not a directory$"):
        new_store_dir(blocker / "out")
    with pytest.raises(OutputError, match=r"^cannot write"):
        load_store(b"", blocker / "store")
