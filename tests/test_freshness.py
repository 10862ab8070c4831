"""Fresh results: query, stats and analyze notice when the tables changed since out/ was built."""

from __future__ import annotations

import json
import os
import subprocess
import warnings
from pathlib import Path

import pytest
from click.testing import CliRunner

from bioeco.pipeline import build, open_graph
from bioeco.store.freshness import MANIFEST, StaleGraphWarning, build_state, table_digests
from bioeco.store.query import select
from cli import main

ROOT = Path(__file__).parent.parent
LABEL = "SELECT ?l WHERE { actor:alpha skos:prefLabel ?l FILTER(lang(?l) = 'nb') }"


def _rename_alpha(data: Path, new: str) -> None:
    actors = data / "src-a" / "actors.csv"
    actors.write_text(actors.read_text(encoding="utf-8").replace("Alpha Marin AS", new))


def _label(out: Path) -> str:
    return select(open_graph(out_dir=out), LABEL)["l"].tolist()[0]


@pytest.fixture
def built(tiny_dir: Path, tmp_path: Path) -> Path:
    out = tmp_path / "out"
    build(tiny_dir, out, check=False)
    return out


def test_build_writes_a_manifest_of_the_tables(tiny_dir, built):
    manifest = json.loads((built / MANIFEST).read_text())
    assert manifest["data"] == str(tiny_dir.resolve())
    assert manifest["tables"] == table_digests(tiny_dir)
    assert "src-a/actors.csv" in manifest["tables"]
    assert build_state(built).state == "fresh"


def test_fresh_graph_is_used_without_a_word(built):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert _label(built) == "Alpha Marin AS"


def test_changed_table_is_noticed_and_answered_from_the_tables(tiny_dir, built):
    _rename_alpha(tiny_dir, "Alpha Hav AS")
    state = build_state(built)
    assert state.state == "stale" and state.data_dir == tiny_dir.resolve()
    with pytest.warns(StaleGraphWarning) as caught:
        assert _label(built) == "Alpha Hav AS"
    assert [str(w.message) for w in caught] == [
        f"{tiny_dir.resolve() / 'src-a' / 'actors.csv'} changed since {built / 'bioeco.trig'} "
        "was built; answering from the tables, built in memory; run `bioeco build` to update it"
    ]
    build(tiny_dir, built, check=False)  # after a build the graph is current again
    assert build_state(built).state == "fresh"


def test_touching_a_table_without_changing_it_is_no_change(tiny_dir, built):
    actors = tiny_dir / "src-a" / "actors.csv"
    os.utime(actors, (1, 1))
    actors.write_bytes(actors.read_bytes())
    assert build_state(built).state == "fresh"


def test_new_or_removed_table_is_a_change(tiny_dir, built):
    (tiny_dir / "src-b" / "people.csv").unlink(missing_ok=True)
    (tiny_dir / "src-b" / "notes.csv").write_text("x\n")
    assert build_state(built).state == "stale"


def test_graph_without_manifest_is_used_with_a_warning(built):
    (built / MANIFEST).unlink()
    with pytest.warns(StaleGraphWarning, match="has no build manifest"):
        assert _label(built) == "Alpha Marin AS"


def test_graph_replaced_after_the_build_is_used_with_a_warning(built):
    trig = built / "bioeco.trig"
    trig.write_text(trig.read_text() + "\n")
    assert build_state(built).state == "unknown"
    with pytest.warns(StaleGraphWarning, match="not the file its build manifest describes"):
        _label(built)


def test_the_untouched_graph_file_is_not_read_again(built, monkeypatch):
    """The build records the TriG file's stamp; while the file is untouched, telling it
    current does not hash its bytes (60 MB at national scale, on every query)."""
    import bioeco.store.freshness as freshness
    from bioeco.store.disk import read_state, store_dir

    assert "graph_stamp" not in json.loads((built / MANIFEST).read_text())  # same bytes
    stamp = read_state(store_dir(built))["graph_stamp"]
    assert stamp == freshness.file_stamp(built / "bioeco.trig")
    read = []
    real = freshness.read_bounded
    monkeypatch.setattr(
        freshness,
        "read_bounded",
        lambda path, **kw: read.append(Path(path).name) or real(path, **kw),
    )
    assert build_state(built).state == "fresh"
    assert "bioeco.trig" not in read
    os.utime(built / "bioeco.trig")  # touched: hashed again, and still current
    assert build_state(built).state == "fresh"
    assert "bioeco.trig" in read


def test_a_graph_file_changed_in_place_under_its_old_times_is_noticed(built):
    """Same size, same modification time, other bytes: the change time and (rewritten by
    a copy) the inode still tell it, and the file is hashed."""
    trig = built / "bioeco.trig"
    before = os.stat(trig)
    raw = trig.read_bytes()
    trig.write_bytes(raw.replace(b"Alpha Marin AS", b"Alpha Mxrin AS"))
    os.utime(trig, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert build_state(built).state == "unknown"
    trig.write_bytes(raw)  # the same bytes again: current, found by hashing
    assert build_state(built).state == "fresh"


def test_analyze_keeps_the_stamp_and_the_manifest_bytes(built):
    """analyze swaps the analysis graph into the store: the TriG file is the same, so its stamp
    stays (queries after analyze still skip hashing it); the manifest is never rewritten."""
    from bioeco.store.disk import read_state, store_dir
    from bioeco.store.freshness import file_stamp

    manifest = (built / MANIFEST).read_bytes()
    result = CliRunner().invoke(main, ["analyze", "overlap", "--out", str(built)])
    assert result.exit_code == 0, result.output
    state = read_state(store_dir(built))
    assert state["analysis"] not in (None, "updating")  # the store holds the analysis graph
    assert state["graph_stamp"] == file_stamp(built / "bioeco.trig")
    assert (built / MANIFEST).read_bytes() == manifest


def test_analyze_warns_in_one_line(tiny_dir, built):
    _rename_alpha(tiny_dir, "Alpha Hav AS")
    args = ["analyze", "overlap", "--out", str(built), "--no-write", "--format", "json"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    json.loads(result.stdout)  # stdout stays one valid document
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Warning: ")
    assert lines[0].endswith("run `bioeco build` to update it")


def test_query_process_answers_from_changed_tables(tiny_dir, tmp_path):
    env = dict(os.environ, BIOECO_DATA=str(tiny_dir), BIOECO_OUT=str(tmp_path / "out"))
    bioeco = str(ROOT / ".venv" / "bin" / "bioeco")
    subprocess.run([bioeco, "build", "--no-validate"], env=env, check=True, capture_output=True)
    _rename_alpha(tiny_dir, "Alpha Hav AS")
    done = subprocess.run(
        [bioeco, "query", LABEL, "--format", "csv"], env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == "l\nAlpha Hav AS\n"
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("Warning: ")
