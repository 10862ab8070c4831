"""Progress on a terminal: the library names its steps; the CLI shows them only on a terminal."""

from __future__ import annotations

import os
import pty
import select
import subprocess
from pathlib import Path

from click.testing import CliRunner

from bioeco.core.progress import listening
from bioeco.pipeline import build
from cli import main

ROOT = Path(__file__).resolve().parent.parent
TINY = ROOT / "tests" / "fixtures" / "tiny"
BIOECO = ROOT / ".venv" / "bin" / "bioeco"


def test_build_names_its_steps_and_ends_the_job(tmp_path: Path):
    seen: list[str] = []
    with listening(seen.append):
        build(TINY, tmp_path / "out")
    assert seen == [
        "loading tables",
        "building the graph",
        "validating (SHACL)",
        "writing bioeco.trig, bioeco.ttl and the store",
        "",
    ]


def _stderr_on_a_terminal(*args: str) -> tuple[int, bytes]:
    """Run bioeco with stderr on a pseudo-terminal; return the exit code and what it drew."""
    master, slave = pty.openpty()
    env = dict(os.environ, BIOECO_PROGRESS_DELAY="0")  # show every step, however fast
    proc = subprocess.Popen([str(BIOECO), *args], stdout=subprocess.DEVNULL, stderr=slave, env=env)
    os.close(slave)
    drawn = b""
    while True:
        ready, _, _ = select.select([master], [], [], 1)
        if ready:
            try:
                chunk = os.read(master, 4096)
            except OSError:  # the terminal hung up: the process is gone
                break
            if not chunk:
                break
            drawn += chunk
        elif proc.poll() is not None:
            break
    os.close(master)
    return proc.wait(), drawn


def test_a_terminal_shows_the_steps_and_the_line_is_cleared(tmp_path: Path):
    code, drawn = _stderr_on_a_terminal("build", "--data", str(TINY), "--out", str(tmp_path))
    assert code == 0
    assert b"bioeco: validating (SHACL)" in drawn
    assert drawn.endswith(b"\r\x1b[K")  # nothing left on the line


def test_quiet_shows_nothing_on_a_terminal(tmp_path: Path):
    code, drawn = _stderr_on_a_terminal(
        "--quiet", "build", "--data", str(TINY), "--out", str(tmp_path)
    )
    assert code == 0
    assert b"bioeco:" not in drawn


def test_no_progress_when_stderr_is_not_a_terminal(tmp_path: Path):
    result = CliRunner().invoke(main, ["build", "--data", str(TINY), "--out", str(tmp_path)])
    assert result.exit_code == 0
    assert "bioeco:" not in result.output
