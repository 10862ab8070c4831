"""Outputs are atomic (a killed build leaves the previous files intact) and deterministic."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph
import pytest
from click.testing import CliRunner

from bioeco.core.atomic import STALE_TEMP_SECONDS, switch_link
from bioeco.errors import OutputError
from bioeco.store.disk import STORE
from cli import main
from hardening_support import BIOECO, ROOT, TINY, snapshot

OUTPUTS = ("bioeco.manifest.json", "bioeco.trig", "bioeco.ttl")


def _changed_data(tmp_path: Path) -> Path:
    """The tiny fixture with one label changed, so its build differs from the good build."""
    data = tmp_path / "data"
    shutil.copytree(TINY, data)
    people = data / "src-a" / "people.csv"
    people.write_text(people.read_text().replace("Kari Nordmann,", "Kari Nordkvinne,"))
    return data


def _parses(out: Path) -> None:
    for name, fmt in (("bioeco.trig", pyoxigraph.RdfFormat.TRIG), ("bioeco.ttl", None)):
        store = pyoxigraph.Store()
        store.load(path=str(out / name), format=fmt or pyoxigraph.RdfFormat.TURTLE)
        assert len(store) > 0


def _visible(out: Path) -> list[str]:
    return sorted(p.name for p in out.iterdir() if not p.name.startswith(".") and p.name != STORE)


def _store_matches(out: Path) -> None:
    """open_graph answers from the store only when it holds exactly the TriG beside it."""
    from bioeco.pipeline import current_store

    db = current_store(out)
    if db is not None:
        parsed = pyoxigraph.Store()
        parsed.load(path=str(out / "bioeco.trig"), format=pyoxigraph.RdfFormat.TRIG)
        assert len(pyoxigraph.Store.read_only(str(db))) == len(parsed)


@pytest.fixture(scope="module")
def changed_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The changed tables, in one place for the module (the manifest names their folder)."""
    return _changed_data(tmp_path_factory.mktemp("changed"))


@pytest.fixture(scope="module")
def new_build(tmp_path_factory: pytest.TempPathFactory, changed_data: Path) -> dict[str, bytes]:
    """The bytes a complete build of the changed data produces."""
    out = tmp_path_factory.mktemp("new") / "out"
    args = ["build", "--data", str(changed_data), "--out", str(out), "--no-validate"]
    assert CliRunner().invoke(main, args).exit_code == 0
    return snapshot(out)


# A build that stops (blocks) at one moment of its run and says so by creating a marker file,
# so the test kills it at that moment whatever the machine's speed: before loading, after the
# first temporary file is on disk, between the renames of the two graph files, before the
# manifest, or not at all (the build completes).
STOP_AT = """
import os, sys, threading
import bioeco.core.atomic as atomic
import bioeco.ingest.load as load
import bioeco.pipeline.build_step as build_step
moment, marker = sys.argv[1], sys.argv[2]

def stop():
    with open(marker, "w") as fh:
        fh.write(moment)
    threading.Event().wait()  # blocked until killed

def at_call(module, name):
    real = getattr(module, name)
    def wrapper(*args, **kwargs):
        stop()
    setattr(module, name, wrapper)

def after_first_call(module, name):
    real = getattr(module, name)
    calls = []
    def wrapper(*args, **kwargs):
        result = real(*args, **kwargs)
        calls.append(1)
        if len(calls) == 1:
            stop()
        return result
    setattr(module, name, wrapper)

if moment == "start":
    at_call(load, "load_records")  # pipeline.build imports it when called
elif moment == "temp-file":
    after_first_call(atomic.os, "fsync")
elif moment == "between-renames":
    after_first_call(atomic.os, "replace")
elif moment == "before-manifest":
    at_call(build_step, "atomic_write")
from cli import main
sys.argv = ["bioeco", *sys.argv[3:]]
main()
"""
MOMENTS = ("start", "temp-file", "between-renames", "before-manifest", "end")


def _build_until(moment: str, data: Path, out: Path, marker: Path) -> None:
    """Run a build that stops at *moment* and kill it there (or let it finish at "end")."""
    args = ["build", "--data", str(data), "--out", str(out), "--no-validate"]
    proc = subprocess.Popen(
        [sys.executable, "-c", STOP_AT, moment, str(marker), *args],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    if moment == "end":
        assert proc.wait() == 0
        return
    while not marker.exists():  # an event, not a time: the build says it got there
        assert proc.poll() is None, f"the build ended before reaching {moment}"
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    marker.unlink()


def test_build_killed_at_any_moment_leaves_old_or_new_files(
    tmp_path: Path, out_dir: Path, new_build: dict[str, bytes], changed_data: Path
):
    from bioeco.store.freshness import build_state

    old = snapshot(out_dir)
    assert old != new_build
    data = changed_data
    outcomes = {}
    for moment in MOMENTS:
        _build_until(moment, data, out_dir, tmp_path / "marker")
        now = {k: v for k, v in snapshot(out_dir).items() if not k.startswith(".")}
        for name in OUTPUTS:
            assert now[name] in (old[name], new_build[name]), f"{name} torn at {moment}"
        outcomes[moment] = tuple(now[name] == new_build[name] for name in OUTPUTS)
        assert _visible(out_dir) == list(OUTPUTS)
        _parses(out_dir)
        _store_matches(out_dir)
        # the manifest never vouches for a graph that is not the build of its tables
        state = build_state(out_dir)
        if state.state == "fresh":
            built = {TINY.resolve(): old, data.resolve(): new_build}[state.data_dir]
            assert now["bioeco.trig"] == built["bioeco.trig"], moment
    # (manifest, trig, ttl) new?
    assert outcomes["start"] == outcomes["temp-file"] == (False, False, False)
    assert outcomes["between-renames"] == (False, True, False)  # trig renamed, ttl not yet
    assert outcomes["before-manifest"] == (False, True, True)
    assert outcomes["end"] == (True, True, True)


def test_kill_while_temp_file_is_on_disk_then_next_build_cleans_up(
    tmp_path: Path, out_dir: Path, new_build: dict[str, bytes], changed_data: Path
):
    old = snapshot(out_dir)
    data = changed_data
    _build_until("temp-file", data, out_dir, tmp_path / "marker")
    left = snapshot(out_dir)
    stale = sorted(k for k in left if k.startswith("."))
    assert stale and all(k.startswith(".bioeco.trig.") and k.endswith(".tmp") for k in stale)
    assert {k: v for k, v in left.items() if not k.startswith(".")} == old
    assert _visible(out_dir) == list(OUTPUTS)

    # a temp file younger than STALE_TEMP_SECONDS may belong to a running build: kept
    args = ["build", "--data", str(data), "--out", str(out_dir), "--no-validate"]
    assert CliRunner().invoke(main, args).exit_code == 0
    assert all((out_dir / k).exists() for k in stale)
    # an old one is removed by the next build
    past = time.time() - STALE_TEMP_SECONDS - 5
    for k in stale:
        os.utime(out_dir / k, (past, past))
    assert CliRunner().invoke(main, args).exit_code == 0
    assert snapshot(out_dir) == new_build


def test_real_data_builds_byte_identical_in_two_processes(tmp_path: Path):
    # fresh interpreters: different hash seeds, blank-node ids and dict orders
    env = dict(os.environ, PYTHONHASHSEED="random")
    outs = []
    for name in ("a", "b"):
        out = tmp_path / name
        subprocess.run(
            [str(BIOECO), "build", "--out", str(out), "--no-validate"],
            check=True,
            env=env,
            cwd=ROOT,
            capture_output=True,
            timeout=120,
        )
        outs.append(snapshot(out))
    assert outs[0] == outs[1]
    assert sorted(outs[0]) == list(OUTPUTS)


def test_rebuilding_in_place_is_idempotent(runner: CliRunner, out_dir: Path):
    before = snapshot(out_dir)
    args = ["build", "--data", str(TINY), "--out", str(out_dir), "--no-validate"]
    assert runner.invoke(main, args).exit_code == 0
    assert snapshot(out_dir) == before


def test_switch_link_moves_a_real_folder_aside_and_refuses_a_file(tmp_path):

    (tmp_path / "v2").mkdir()
    current = tmp_path / "current"
    current.mkdir()  # a copy made without keeping links
    (current / "kept").write_text("old store")
    moved = switch_link(current, "v2")
    assert os.readlink(current) == "v2"
    assert moved is not None and (moved / "kept").read_text() == "old store"
    assert moved.parent == tmp_path and moved.name.startswith(".current.")
    (tmp_path / "file").write_text("x")
    with pytest.raises(OutputError, match="file: a file is in the way"):
        switch_link(tmp_path / "file", "v2")
    assert (tmp_path / "file").read_text() == "x"
    with pytest.raises(OutputError, match="not a name in its folder"):
        switch_link(current, "../elsewhere")
    assert os.readlink(current) == "v2"
    assert not list(tmp_path.glob("*.tmp")) and not list(tmp_path.glob(".*.tmp"))
