"""An engine that cannot reach the network: a seccomp filter against outbound connections.

bioeco never queries remote endpoints, but the SPARQL engines it runs (pyoxigraph in-process,
the Oxigraph server for ``bioeco serve``) do federate: ``SERVICE <http://…>`` makes them open
an HTTP connection. Refusing ``SERVICE`` by reading the query text before the engine parses it
cannot be made safe (two parsers never read every text alike), so the guarantee lives one level
deeper: the thread or process that evaluates SPARQL runs under a Linux seccomp filter that makes
the kernel refuse every way of *opening* a connection, whatever the query says:

- ``connect(2)`` fails (``EACCES``) for every socket, so no TCP connection and no connected
  UDP socket can be made;
- ``socket(2)`` is allowed only for ``AF_UNIX``, ``AF_NETLINK`` and stream sockets of
  ``AF_INET``/``AF_INET6`` (a server may still *listen* on 127.0.0.1); datagram, raw and packet
  sockets, which could send to an address without ``connect``, fail;
- ``sendto``/``sendmsg``/``sendmmsg`` with ``MSG_FASTOPEN`` (a connect hidden in a send) fail;
- ``io_uring_setup`` fails (io_uring can connect without the ``connect`` system call);
- system calls of another ABI (x32, 32-bit compat) fail.

A filter applies to the thread that installs it and to everything that thread starts later,
never to other threads of the process, and cannot be removed. :func:`run_offline` runs a
function on one long-lived worker thread that carries the filter (the in-process engine);
:func:`offline_command` wraps a command line so the child process carries it (the server).

Examples
--------
>>> import socket
>>> def try_connect():
...     try:
...         socket.create_connection(("127.0.0.1", 9), timeout=1)
...     except PermissionError:
...         return "refused by the kernel"
...     except OSError:
...         return "no route"
>>> run_offline(try_connect) if available() else "refused by the kernel"
'refused by the kernel'
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import os
import platform
import queue
import struct
import sys
import threading
import traceback
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from typing import Any, TypeVar

from bioeco.errors import SandboxUnavailable

__all__ = [
    "SandboxUnavailable",
    "abandon_worker",
    "available",
    "deny_outbound_network",
    "detach",
    "offline_command",
    "run_offline",
    "submit_offline",
]

T = TypeVar("T")

# BPF opcodes (linux/filter.h) and seccomp constants (linux/seccomp.h)
_LD_W_ABS = 0x20  # BPF_LD | BPF_W | BPF_ABS
_JEQ_K = 0x15  # BPF_JMP | BPF_JEQ | BPF_K
_JGE_K = 0x35  # BPF_JMP | BPF_JGE | BPF_K
_JSET_K = 0x45  # BPF_JMP | BPF_JSET | BPF_K
_AND_K = 0x54  # BPF_ALU | BPF_AND | BPF_K
_RET_K = 0x06  # BPF_RET | BPF_K
_ALLOW = 0x7FFF0000  # SECCOMP_RET_ALLOW
_DENY = 0x00050000 | errno.EACCES  # SECCOMP_RET_ERRNO | EACCES
_PR_SET_NO_NEW_PRIVS = 38
_PR_SET_SECCOMP = 22
_PR_SET_NAME = 15
_SECCOMP_MODE_FILTER = 2

_AF_UNIX, _AF_INET, _AF_INET6, _AF_NETLINK = 1, 2, 10, 16
_SOCK_STREAM = 1
_MSG_FASTOPEN = 0x20000000

# audit architecture and the system call numbers that matter, per machine
_ARCHES: dict[str, dict[str, int]] = {
    "x86_64": {
        "arch": 0xC000003E,
        "socket": 41,
        "connect": 42,
        "sendto": 44,
        "sendmsg": 46,
        "sendmmsg": 307,
        "io_uring_setup": 425,
        "x32": 0x40000000,  # x32 system calls carry this bit
    },
    "aarch64": {
        "arch": 0xC00000B7,
        "socket": 198,
        "connect": 203,
        "sendto": 206,
        "sendmsg": 211,
        "sendmmsg": 269,
        "io_uring_setup": 425,
    },
}


def _arg(i: int) -> int:
    """Offset of the low 32 bits of system call argument *i* in ``struct seccomp_data``."""
    return 16 + 8 * i + (0 if sys.byteorder == "little" else 4)


def _program(nums: dict[str, int]) -> list[tuple[int, int, int, int]]:
    """The filter as BPF instructions ``(code, jt, jf, k)``; jumps are resolved by label."""
    prog: list[tuple[Any, ...]] = [
        (_LD_W_ABS, 0, 0, 4),  # arch
        (_JEQ_K, 0, "deny", nums["arch"]),
        (_LD_W_ABS, 0, 0, 0),  # system call number
    ]
    if "x32" in nums:
        prog.append((_JGE_K, "deny", 0, nums["x32"]))
    prog += [
        (_JEQ_K, "deny", 0, nums["connect"]),
        (_JEQ_K, "deny", 0, nums["io_uring_setup"]),
        (_JEQ_K, "socket", 0, nums["socket"]),
        (_JEQ_K, "flags3", 0, nums["sendto"]),
        (_JEQ_K, "flags3", 0, nums["sendmmsg"]),
        (_JEQ_K, "flags2", 0, nums["sendmsg"]),
        (_RET_K, 0, 0, _ALLOW),
        ("socket:", _LD_W_ABS, 0, 0, _arg(0)),  # domain
        (_JEQ_K, "allow", 0, _AF_UNIX),
        (_JEQ_K, "allow", 0, _AF_NETLINK),
        (_JEQ_K, "stream", 0, _AF_INET),
        (_JEQ_K, "stream", "deny", _AF_INET6),
        ("stream:", _LD_W_ABS, 0, 0, _arg(1)),  # type, with SOCK_NONBLOCK/SOCK_CLOEXEC bits
        (_AND_K, 0, 0, 0xF),
        (_JEQ_K, "allow", "deny", _SOCK_STREAM),
        ("flags3:", _LD_W_ABS, 0, 0, _arg(3)),
        (_JSET_K, "deny", "allow", _MSG_FASTOPEN),
        ("flags2:", _LD_W_ABS, 0, 0, _arg(2)),
        (_JSET_K, "deny", "allow", _MSG_FASTOPEN),
        ("allow:", _RET_K, 0, 0, _ALLOW),
        ("deny:", _RET_K, 0, 0, _DENY),
    ]
    labels: dict[str, int] = {}
    plain: list[tuple[Any, ...]] = []
    for ins in prog:
        if isinstance(ins[0], str):
            labels[ins[0].rstrip(":")] = len(plain)
            ins = ins[1:]
        plain.append(ins)

    def rel(target: Any, at: int) -> int:
        return labels[target] - at - 1 if isinstance(target, str) else target

    return [(c, rel(jt, i), rel(jf, i), k) for i, (c, jt, jf, k) in enumerate(plain)]


def _machine() -> dict[str, int] | None:
    if sys.platform != "linux":
        return None
    return _ARCHES.get(platform.machine().lower())


def available() -> bool:
    """True where the filter can be installed (Linux on x86_64 or aarch64).

    Examples
    --------
    >>> isinstance(available(), bool)
    True
    """
    return _machine() is not None


def deny_outbound_network() -> None:
    """Install the filter on the calling thread (and what it starts later); irreversible.

    Raises :class:`SandboxUnavailable` where it cannot be installed.
    """
    nums = _machine()
    if nums is None:
        raise SandboxUnavailable(
            f"no outbound-network filter for {sys.platform}/{platform.machine()}"
        )
    code = b"".join(struct.pack("HBBI", *ins) for ins in _program(nums))
    count = len(code) // 8
    buf = ctypes.create_string_buffer(code, len(code))

    class SockFprog(ctypes.Structure):
        _fields_ = (("len", ctypes.c_ushort), ("filter", ctypes.c_void_p))

    fprog = SockFprog(count, ctypes.addressof(buf))
    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    libc.prctl.argtypes = (ctypes.c_int, ctypes.c_ulong, ctypes.c_void_p, ctypes.c_ulong,
                           ctypes.c_ulong)  # fmt: skip
    if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, None, 0, 0) != 0:
        raise SandboxUnavailable(os.strerror(ctypes.get_errno()))
    if libc.prctl(_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER, ctypes.byref(fprog), 0, 0) != 0:
        raise SandboxUnavailable(f"seccomp filter refused: {os.strerror(ctypes.get_errno())}")


def detach(exc: BaseException) -> BaseException:
    """Clear the local variables of every frame in *exc*'s tracebacks (and of the exceptions
    it chains), on the thread that raised it.

    Engine objects such as pyoxigraph's lazy results may only be freed on the thread that made
    them; a traceback carried to another thread would free them there.
    """
    seen: set[int] = set()
    stack: list[BaseException | None] = [exc]
    while stack:
        cur = stack.pop()
        if cur is None or id(cur) in seen:
            continue
        seen.add(id(cur))
        traceback.clear_frames(cur.__traceback__)
        stack += [cur.__cause__, cur.__context__]
    return exc


def _name_os_thread(name: bytes) -> None:
    """Name the calling thread for the OS (``/proc/<pid>/task/<tid>/comm``, ``top -H``)."""
    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    libc.prctl(_PR_SET_NAME, ctypes.c_char_p(name[:15]), 0, 0, 0)


class _Worker:
    """One daemon thread carrying the filter; runs submitted calls one at a time.

    A daemon, so that an evaluation left running after a timeout or Ctrl-C never keeps the
    interpreter from exiting.
    """

    def __init__(self) -> None:
        self.jobs: queue.SimpleQueue[tuple[Future[Any], Callable[[], Any]] | None] = (
            queue.SimpleQueue()
        )
        ready: Future[None] = Future()
        self.thread = threading.Thread(
            target=self._run, args=(ready,), name="bioeco-offline", daemon=True
        )
        self.thread.start()
        ready.result()  # raises SandboxUnavailable here if the filter cannot be installed

    def _run(self, ready: Future[None]) -> None:
        try:
            deny_outbound_network()
            _name_os_thread(b"bioeco-sparql")
        except BaseException as exc:
            ready.set_exception(exc)
            return
        ready.set_result(None)
        while (job := self.jobs.get()) is not None:
            future, call = job
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(call())
            except BaseException as exc:
                future.set_exception(detach(exc))


_lock = threading.Lock()
_worker: _Worker | None = None


def _forget_worker_in_child() -> None:
    """A forked child has no copy of the worker thread: start its own on first use."""
    global _worker, _lock
    _worker = None
    _lock = threading.Lock()


os.register_at_fork(after_in_child=_forget_worker_in_child)


def submit_offline(fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
    """Schedule ``fn(*args, **kwargs)`` on the filtered worker thread; return its future.

    Raises :class:`SandboxUnavailable` where the filter cannot be installed.
    """
    global _worker
    with _lock:
        if _worker is None:
            _worker = _Worker()
        future: Future[T] = Future()
        _worker.jobs.put((future, lambda: fn(*args, **kwargs)))
    return future


def abandon_worker() -> None:
    """Leave the worker to finish what it runs (an evaluation cannot be interrupted inside the
    engine) and start a fresh filtered thread for the next call."""
    global _worker
    with _lock:
        if _worker is not None:
            _worker.jobs.put(None)
        _worker = None


def run_offline(fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    """Run ``fn(*args, **kwargs)`` on the filtered worker thread and return its result.

    Raises :class:`SandboxUnavailable` where the filter cannot be installed.
    """
    return submit_offline(fn, *args, **kwargs).result()


def offline_command(argv: Sequence[str]) -> list[str]:
    """A command line that runs *argv* with the filter installed (for ``subprocess``).

    The wrapper is this module run as a script: it installs the filter on itself and then
    replaces itself with *argv* (``execvp``), so the program starts filtered.

    Examples
    --------
    >>> offline_command(["oxigraph", "--help"])[-3:]
    ['--', 'oxigraph', '--help']
    """
    return [sys.executable, "-m", "bioeco.store.sandbox", "--", *argv]


def _main(argv: Sequence[str]) -> int:
    if not argv or argv[0] != "--" or len(argv) < 2:
        print("usage: python -m bioeco.store.sandbox -- PROGRAM [ARGS…]", file=sys.stderr)
        return 2
    try:
        deny_outbound_network()
    except SandboxUnavailable as exc:
        print(f"bioeco.store.sandbox: {exc}", file=sys.stderr)
        return 1
    os.execvp(argv[1], list(argv[1:]))
    return 127  # pragma: no cover (execvp does not return)


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
