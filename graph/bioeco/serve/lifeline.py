"""Child processes that die with their parent: a pipe as a lifeline, whatever kills the parent.

A server started by bioeco (the Oxigraph engine behind ``bioeco serve``, the stores the tests
start) must not outlive the process that started it, even when that process is killed with
``SIGKILL`` and runs no clean-up. ``PR_SET_PDEATHSIG`` cannot promise that here: Linux sends the
signal when the *thread* that forked the child ends, and ``bioeco serve`` starts replacement
engines from short-lived request threads.

So the parent holds the write end of a pipe and never writes to it; the child is started
through this module run as a script (:func:`tied_command`), which holds the read end and runs
the real program as its own child. When the parent ends in any way, the kernel closes the
write end, the read end sees end-of-file, and the lifeline stops the program (``SIGTERM``,
then ``SIGKILL`` after a grace period) and exits. When the program ends first, the lifeline
exits with its status. ``SIGTERM``/``SIGINT``/``SIGHUP`` sent to the lifeline are passed on.

Examples
--------
>>> import subprocess, sys
>>> with Lifeline() as line:
...     process = subprocess.Popen(
...         line.command([sys.executable, "-c", "print('hello')"]),
...         pass_fds=line.pass_fds, stdout=subprocess.PIPE, text=True,
...     )
...     print(process.communicate()[0].strip(), process.returncode)
hello 0
"""

from __future__ import annotations

import contextlib
import os
import resource
import select
import signal
import subprocess
import sys
from collections.abc import Sequence
from types import TracebackType

__all__ = ["GRACE_SECONDS", "Lifeline", "tied_command"]

GRACE_SECONDS = 10.0
"""How long the program gets to stop after ``SIGTERM`` before it is killed."""


def tied_command(argv: Sequence[str], fd: int, *, memory_bytes: int | None = None) -> list[str]:
    """A command line that runs *argv* and stops it when the write end of pipe *fd* closes.

    *fd* is the read end, passed to the child (``subprocess.Popen(pass_fds=[fd])``); the
    caller keeps the write end open for as long as the program may live. *memory_bytes*
    limits the program's address space (``RLIMIT_AS``), set before it starts.

    Examples
    --------
    >>> tied_command(["oxigraph", "serve"], 7)[-5:]
    ['--fd', '7', '--', 'oxigraph', 'serve']
    >>> tied_command(["oxigraph"], 7, memory_bytes=2**30)[3:8]
    ['--fd', '7', '--memory', '1073741824', '--']
    """
    limit = ["--memory", str(int(memory_bytes))] if memory_bytes else []
    return [sys.executable, "-m", "bioeco.serve.lifeline", "--fd", str(fd), *limit, "--", *argv]


class Lifeline:
    """The parent's side: a pipe whose write end stays open while this object is alive.

    Keep the object (or the process) alive as long as the child may run; :meth:`close` (or
    the end of the ``with`` block, or the end of the process) cuts the line and the child
    stops. The read end is closed in the parent once the child has been started with it.
    """

    def __init__(self) -> None:
        self._read, self._write = os.pipe()  # not inheritable: only pass_fds hands one on

    @property
    def pass_fds(self) -> tuple[int, ...]:
        """The file descriptors to give ``subprocess.Popen(pass_fds=…)``."""
        return (self._read,) if self._read >= 0 else ()

    def command(self, argv: Sequence[str], *, memory_bytes: int | None = None) -> list[str]:
        """*argv* wrapped by :func:`tied_command` with this line's read end."""
        if self._read < 0:
            raise ValueError("this lifeline has already been handed to a child")
        return tied_command(argv, self._read, memory_bytes=memory_bytes)

    def started(self) -> None:
        """Close the parent's copy of the read end (the child has its own)."""
        if self._read >= 0:
            os.close(self._read)
            self._read = -1

    def close(self) -> None:
        """Cut the line: the child's lifeline stops the program."""
        self.started()
        if self._write >= 0:
            os.close(self._write)
            self._write = -1

    def __enter__(self) -> Lifeline:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __del__(self) -> None:
        with contextlib.suppress(OSError):
            self.close()


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        process.terminate()
    try:
        process.wait(timeout=GRACE_SECONDS)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            process.kill()
        process.wait()


def _status(code: int) -> int:
    return 128 - code if code < 0 else code


def _parse(argv: Sequence[str]) -> tuple[int, int | None, list[str]] | None:
    args = list(argv)
    if len(args) < 2 or args[0] != "--fd" or not args[1].isdigit():
        return None
    line, args = int(args[1]), args[2:]
    memory = None
    if len(args) >= 2 and args[0] == "--memory":
        if not args[1].isdigit():
            return None
        memory, args = int(args[1]), args[2:]
    if len(args) < 2 or args[0] != "--":
        return None
    return line, memory, args[1:]


def _limit(memory: int) -> None:  # runs in the forked child before exec (single-threaded)
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))


def _main(argv: Sequence[str]) -> int:
    parsed = _parse(argv)
    if parsed is None:
        print("usage: python -m bioeco.serve.lifeline --fd N [--memory BYTES] -- PROGRAM [ARGS…]",
              file=sys.stderr)  # fmt: skip
        return 2
    line, memory, program = parsed
    try:
        os.fstat(line)
    except OSError:
        print(f"bioeco.serve.lifeline: file descriptor {line} is not open", file=sys.stderr)
        return 2
    try:
        process = subprocess.Popen(program, preexec_fn=(lambda: _limit(memory)) if memory else None)
    except (OSError, subprocess.SubprocessError) as exc:
        why = getattr(exc, "strerror", None) or str(exc)
        print(f"bioeco.serve.lifeline: cannot start {program[0]}: {why}", file=sys.stderr)
        return 127

    def pass_on(signum: int, frame: object) -> None:
        with contextlib.suppress(ProcessLookupError):
            process.send_signal(signum)

    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, pass_on)
    try:
        watched = os.pidfd_open(process.pid)
    except (AttributeError, OSError):  # no pidfd (old kernel, not Linux): poll the child
        watched = -1
    while True:
        fds = [line] if watched < 0 else [line, watched]
        try:
            ready, _, _ = select.select(fds, [], [], 0.5 if watched < 0 else None)
        except InterruptedError:  # pragma: no cover (PEP 475 retries select)
            continue
        if line in ready and not _read_some(line):
            _stop(process)  # the parent is gone
            return _status(process.returncode)
        if process.poll() is not None:
            return _status(process.returncode)


def _read_some(fd: int) -> bool:
    """True while the line is open (the parent never writes, so a read means end-of-file)."""
    try:
        return bool(os.read(fd, 64))
    except OSError:
        return False


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
