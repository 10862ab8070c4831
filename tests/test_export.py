"""Export: deterministic bytes, atomic writes, and files an independent parser reads."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pyoxigraph
import pytest

from bioeco.core.atomic import atomic_write
from bioeco.ingest.export import write_outputs

ROOT = Path(__file__).resolve().parent.parent
TINY = Path(__file__).parent / "fixtures" / "tiny"


def _build_in_subprocess(out: Path) -> None:
    # a fresh interpreter: different hash seeds, blank-node ids and dict orders
    env = dict(os.environ, PYTHONHASHSEED="random")
    subprocess.run(
        [sys.executable, str(ROOT / "cli.py"), "build", "--data", str(TINY), "--out", str(out)],
        check=True,
        env=env,
        cwd=ROOT,
        capture_output=True,
    )


def test_same_input_gives_byte_identical_files(tmp_path):
    _build_in_subprocess(tmp_path / "a")
    _build_in_subprocess(tmp_path / "b")
    for name in ("bioeco.trig", "bioeco.ttl"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_trig_parses_in_oxigraph_with_all_named_graphs(tiny_dataset, tmp_path):
    files = write_outputs(tiny_dataset, tmp_path)
    store = pyoxigraph.Store()
    store.load(path=str(files["trig"]), format=pyoxigraph.RdfFormat.TRIG)
    graphs = {str(g.value) for g in store.named_graphs()}
    assert "https://w3id.org/bioeco/graph/source/src-a" in graphs
    ours = sum(1 for c in tiny_dataset.graphs() for _ in c)
    assert len(store) == ours
    union = pyoxigraph.Store()
    union.load(path=str(files["ttl"]), format=pyoxigraph.RdfFormat.TURTLE)
    assert 0 < len(union) <= ours


def test_atomic_write_keeps_old_file_when_writing_fails(tmp_path, monkeypatch):
    target = tmp_path / "bioeco.trig"
    target.write_text("old")

    def crash(*_args):
        raise OSError("disk full")

    monkeypatch.setattr("bioeco.core.atomic.os.replace", crash)
    with pytest.raises(OSError):
        atomic_write(target, "new content")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["bioeco.trig"]
