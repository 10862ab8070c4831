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

from bioeco.export import STALE_TEMP_SECONDS
from cli import main
from hardening_support import BIOECO, ROOT, TINY, snapshot

OUTPUTS = ("bioeco.trig", "bioeco.ttl")


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
    return sorted(p.name for p in out.iterdir() if not p.name.startswith("."))


@pytest.fixture(scope="module")
def new_build(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """The bytes a complete build of the changed data produces."""
    base = tmp_path_factory.mktemp("new")
    out = base / "out"
    args = ["build", "--data", str(_changed_data(base)), "--out", str(out), "--no-validate"]
    assert CliRunner().invoke(main, args).exit_code == 0
    return snapshot(out)


def test_build_killed_at_any_moment_leaves_old_or_new_files(
    tmp_path: Path, out_dir: Path, new_build: dict[str, bytes]
):
    old = snapshot(out_dir)
    assert old != new_build
    data = _changed_data(tmp_path)
    outcomes = set()
    for delay in (0.05, 0.9, 1.2, 1.5, 2.2):
        proc = subprocess.Popen(
            [str(BIOECO), "build", "--data", str(data), "--out", str(out_dir), "--no-validate"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        now = {k: v for k, v in snapshot(out_dir).items() if not k.startswith(".")}
        for name in OUTPUTS:
            assert now[name] in (old[name], new_build[name]), f"{name} torn after {delay}s"
            outcomes.add((name, now[name] == new_build[name]))
        assert _visible(out_dir) == list(OUTPUTS)
        _parses(out_dir)
    # the loop ran builds both before and after they finished writing
    assert ("bioeco.trig", False) in outcomes
    assert ("bioeco.trig", True) in outcomes


KILL_DURING_WRITE = """
import os, sys, time
import bioeco.export as export
marker = sys.argv[1]
real_fsync = os.fsync
def slow_fsync(fd):
    real_fsync(fd)
    with open(marker, "w") as fh:
        fh.write("writing")
    time.sleep(60)
export.os.fsync = slow_fsync
from cli import main
sys.argv = ["bioeco", *sys.argv[2:]]
main()
"""


def test_kill_while_temp_file_is_on_disk_then_next_build_cleans_up(
    tmp_path: Path, out_dir: Path, new_build: dict[str, bytes]
):
    old = snapshot(out_dir)
    data = _changed_data(tmp_path)
    marker = tmp_path / "marker"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            KILL_DURING_WRITE,
            str(marker),
            "build",
            "--data",
            str(data),
            "--out",
            str(out_dir),
            "--no-validate",
        ],
        cwd=ROOT,
    )
    deadline = time.monotonic() + 30
    while not marker.exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert marker.exists(), "the build never reached the write"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
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
