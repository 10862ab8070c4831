"""A hostile or broken data folder: links out, devices, FIFOs; refused in one line, never read."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from bioeco.core.safeio import UnsafeFile, check_regular, read_bounded
from hardening_support import BIOECO, TINY, snapshot

# a guard against a hang: the commands must answer at once; never a pass condition on speed
HANG_GUARD = 120


@pytest.fixture
def data(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(TINY, target)
    return target


def _replace(table: Path, make) -> None:
    table.unlink()
    make(table)


def _build(data: Path, out: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(BIOECO), "build", "--data", str(data), "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=HANG_GUARD,
    )


CASES = {
    "link-to-dev-zero": (
        lambda p: os.symlink("/dev/zero", p),
        "is a link leading outside its folder; refused",
    ),
    "link-to-etc-passwd": (
        lambda p: os.symlink("/etc/passwd", p),
        "is a link leading outside its folder; refused",
    ),
    "fifo": (lambda p: os.mkfifo(p), "is a FIFO (named pipe), not a regular file; refused"),
    "directory": (lambda p: p.mkdir(), "is a directory, not a regular file; refused"),
    "dangling-link": (lambda p: os.symlink(p.parent / "gone.csv", p), "no such file"),
    "link-loop": (lambda p: os.symlink(p, p), "cannot resolve the path"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_build_refuses_a_hostile_table_in_one_line(data: Path, tmp_path: Path, case: str):
    make, message = CASES[case]
    table = data / "src-a" / "actors.csv"
    _replace(table, make)
    out = tmp_path / "out"
    done = _build(data, out)
    assert done.returncode == 1, done.stderr
    assert done.stdout == ""
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("Error: data/src-a/actors.csv: " + message)
    assert "root:" not in done.stderr  # /etc/passwd is never read or quoted
    assert not out.exists()


def test_a_link_inside_the_folder_is_read(data: Path, tmp_path: Path):
    table = data / "src-a" / "actors.csv"
    (data / "src-a" / "real-actors.txt").write_bytes(table.read_bytes())
    _replace(table, lambda p: os.symlink("real-actors.txt", p))
    done = _build(data, tmp_path / "out")
    assert done.returncode == 0, done.stderr


def test_a_hostile_table_leaves_a_previous_build_untouched(data: Path, tmp_path: Path):
    out = tmp_path / "out"
    assert _build(data, out).returncode == 0
    before = snapshot(out)
    _replace(data / "src-a" / "actors.csv", lambda p: os.symlink("/dev/zero", p))
    assert _build(data, out).returncode == 1
    assert snapshot(out) == before


def test_graph_and_query_files_must_be_regular(tmp_path: Path):
    fifo = tmp_path / "graph.trig"
    os.mkfifo(fifo)
    done = subprocess.run(
        [str(BIOECO), "stats", "--graph", str(fifo)],
        capture_output=True,
        text=True,
        timeout=HANG_GUARD,
    )
    assert done.returncode == 2
    assert done.stderr == f"Error: {fifo}: is a FIFO (named pipe), not a regular file; refused\n"
    zero = tmp_path / "q.rq"
    os.symlink("/dev/zero", zero)
    done = subprocess.run(
        [str(BIOECO), "query", "-f", str(zero), "--data", str(TINY)],
        capture_output=True,
        text=True,
        timeout=HANG_GUARD,
    )
    assert done.returncode == 1
    assert done.stderr == f"Error: {zero}: is a character device, not a regular file; refused\n"


def test_read_bounded_counts_bytes_read_not_stat(tmp_path: Path):
    big = tmp_path / "big.csv"
    big.write_bytes(b"x" * 101)
    with pytest.raises(UnsafeFile, match="larger than 100 bytes"):
        read_bounded(big, max_bytes=100)
    assert read_bounded(big, max_bytes=101) == b"x" * 101
    with pytest.raises(UnsafeFile, match="character device"):
        check_regular("/dev/zero")
