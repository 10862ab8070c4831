"""bioeco.serve.lifeline: a child on a lifeline stops when its parent ends, however it ends."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from bioeco.serve.lifeline import Lifeline, tied_command


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(") ", 1)[1][0] != "Z"  # a zombie has ended
    except FileNotFoundError:
        return False


def _wait_gone(pid: int) -> bool:
    deadline = time.monotonic() + 120  # a guard against a hang, not a speed requirement
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    return not _alive(pid)


PARENT = textwrap.dedent(
    """
    import subprocess, sys, time
    from bioeco.serve.lifeline import Lifeline
    line = Lifeline()
    child = subprocess.Popen(line.command([sys.executable, "-c", "import time; time.sleep(600)"]),
                             pass_fds=line.pass_fds)
    line.started()
    print(child.pid, flush=True)
    time.sleep(600)
    """
)


def _grandchild(lifeline_pid: int) -> int:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            children = (
                Path(f"/proc/{lifeline_pid}/task/{lifeline_pid}/children").read_text().split()
            )
        except FileNotFoundError:
            children = []
        if children:
            return int(children[0])
        time.sleep(0.05)
    raise AssertionError("the lifeline did not start its program")


def test_the_program_stops_when_the_parent_is_killed():
    parent = subprocess.Popen([sys.executable, "-c", PARENT], stdout=subprocess.PIPE, text=True)
    try:
        lifeline = int(parent.stdout.readline())
        program = _grandchild(lifeline)
        assert _alive(program)
        parent.kill()  # SIGKILL: the parent runs no clean-up at all
        parent.wait()
        assert _wait_gone(program)
        assert _wait_gone(lifeline)
    finally:
        for pid in (parent.pid,):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


def test_closing_the_line_stops_the_program():
    line = Lifeline()
    process = subprocess.Popen(
        line.command([sys.executable, "-c", "import time; time.sleep(600)"]),
        pass_fds=line.pass_fds,
    )
    line.started()
    program = _grandchild(process.pid)
    line.close()
    assert process.wait(timeout=120) == 128 + signal.SIGTERM
    assert _wait_gone(program)


def test_the_exit_status_and_output_pass_through():
    with Lifeline() as line:
        done = subprocess.run(
            line.command([sys.executable, "-c", "import sys; print('out'); sys.exit(3)"]),
            pass_fds=line.pass_fds, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
    assert (done.returncode, done.stdout) == (3, "out\n")


def test_sigterm_is_passed_on_and_the_program_may_clean_up():
    script = textwrap.dedent(
        """
        import signal, sys, time
        signal.signal(signal.SIGTERM, lambda *a: (print("cleaned", flush=True), sys.exit(0)))
        print("ready", flush=True)
        time.sleep(600)
        """
    )
    with Lifeline() as line:
        process = subprocess.Popen(
            line.command([sys.executable, "-c", script]),
            pass_fds=line.pass_fds, stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        line.started()
        assert process.stdout.readline() == "ready\n"
        process.terminate()
        assert process.stdout.read() == "cleaned\n"
        assert process.wait(timeout=120) == 0


def test_the_memory_limit_is_set_before_the_program_starts():
    probe = "import resource; print(resource.getrlimit(resource.RLIMIT_AS)[0])"
    with Lifeline() as line:
        done = subprocess.run(
            line.command([sys.executable, "-c", probe], memory_bytes=3 * 2**30),
            pass_fds=line.pass_fds, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
    assert done.stdout == f"{3 * 2**30}\n"


def test_bad_usage_and_a_missing_program_are_one_line():
    bad = subprocess.run(
        [sys.executable, "-m", "bioeco.serve.lifeline", "--", "true"],
        capture_output=True,
        text=True,
    )
    assert bad.returncode == 2
    assert bad.stderr == (
        "usage: python -m bioeco.serve.lifeline --fd N [--memory BYTES] -- PROGRAM [ARGS…]\n"
    )
    closed = subprocess.run(tied_command(["true"], 987), capture_output=True, text=True)
    assert closed.returncode == 2
    assert closed.stderr == "bioeco.serve.lifeline: file descriptor 987 is not open\n"
    with Lifeline() as line:
        missing = subprocess.run(
            line.command(["/nonexistent/program"]),
            pass_fds=line.pass_fds, capture_output=True, text=True,
        )  # fmt: skip
    assert missing.returncode == 127
    assert missing.stderr == (
        "bioeco.serve.lifeline: cannot start /nonexistent/program: No such file or directory\n"
    )
