"""Reading user files safely: regular files only, inside their folder, bounded by bytes read.

A data folder or an input path is user input too. A table that is a symbolic link to
``/dev/zero`` reports size 0 to ``stat`` and never ends; a FIFO blocks ``open`` forever; a link
to ``/etc/passwd`` would be read and quoted in an error message. Every file bioeco reads from a
user goes through :func:`read_bounded` (or :func:`check_regular` where a parser reads the path):

- the path is resolved (symbolic links followed); with *within*, the result must stay inside
  that folder, else it is refused without being opened;
- it is opened non-blocking and without following a link in its last component, and ``fstat``
  of the open descriptor must say *regular file* (never a device, FIFO, socket or directory);
- at most *max_bytes* are read, counted as they are read, not taken from ``stat``.

Examples
--------
>>> import tempfile, os
>>> folder = Path(tempfile.mkdtemp())
>>> (folder / "a.csv").write_text("id\\nx\\n")
5
>>> read_bounded(folder / "a.csv", max_bytes=100, within=folder)
b'id\\nx\\n'
>>> os.symlink("/dev/zero", folder / "b.csv")
>>> read_bounded(folder / "b.csv", max_bytes=100, within=folder)
Traceback (most recent call last):
...
bioeco.errors.UnsafeFile: is a link leading outside its folder; refused
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from bioeco.errors import UnsafeFile

# UnsafeFile: from bioeco.errors
__all__ = [
    "MAX_GRAPH_BYTES",
    "UnsafeFile",
    "check_regular",
    "kind_of",
    "open_regular",
    "read_bounded",
    "sha256_of",
]

MAX_GRAPH_BYTES = 4 << 30
"""Largest RDF file (a TriG of ``out/``, an ontology file) read whole into memory."""

_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)


def kind_of(mode: int) -> str:
    """What a file of ``st_mode`` *mode* is, for a message ("a FIFO (named pipe)" …).

    Examples
    --------
    >>> import stat
    >>> kind_of(stat.S_IFCHR), kind_of(stat.S_IFLNK)
    ('a character device', 'a symbolic link')
    """
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def _open(path: Path | str, within: Path | str | None) -> int:
    path = Path(path)
    try:
        real = path.resolve(strict=True)
    except FileNotFoundError:
        raise UnsafeFile("no such file") from None
    except (OSError, RuntimeError) as exc:  # RuntimeError: a symlink loop
        raise UnsafeFile(f"cannot resolve the path ({getattr(exc, 'strerror', exc)})") from None
    if within is not None:
        base = Path(within).resolve()
        if real != base and base not in real.parents:
            raise UnsafeFile("is a link leading outside its folder; refused")
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(real, flags)
    except OSError as exc:
        raise UnsafeFile(f"cannot open ({exc.strerror})") from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        raise UnsafeFile(f"is {kind_of(mode)}, not a regular file; refused")
    return fd


def open_regular(path: Path | str, *, within: Path | str | None = None) -> int:
    """A read-only, blocking descriptor of regular file *path* (inside *within*), else
    :class:`UnsafeFile`; the caller closes it. For a helper program that must read exactly
    the file that was checked (pass ``/dev/fd/<n>`` to it with ``pass_fds``)."""
    fd = _open(path, within)
    os.set_blocking(fd, True)
    return fd


def check_regular(path: Path | str, *, within: Path | str | None = None) -> Path:
    """Return the resolved *path* if it is a regular file (inside *within*), else raise
    :class:`UnsafeFile`. For parsers that open the path themselves.

    Examples
    --------
    >>> check_regular("/dev/null")
    Traceback (most recent call last):
    ...
    bioeco.errors.UnsafeFile: is a character device, not a regular file; refused
    """
    os.close(_open(path, within))
    return Path(path).resolve()


def read_bounded(path: Path | str, *, max_bytes: int, within: Path | str | None = None) -> bytes:
    """The bytes of regular file *path*, at most *max_bytes* of them, else :class:`UnsafeFile`."""
    fd = _open(path, within)
    try:
        os.set_blocking(fd, True)
        chunks: list[bytes] = []
        total = 0
        while chunk := os.read(fd, min(1 << 20, max_bytes + 1 - total)):
            chunks.append(chunk)
            total += len(chunk)
            if total > max_bytes:
                raise UnsafeFile(f"file is larger than {max_bytes} bytes; refused")
        return b"".join(chunks)
    finally:
        os.close(fd)


def sha256_of(path: Path | str, *, max_bytes: int, within: Path | str | None = None) -> str:
    """The SHA-256 (hex) of regular file *path*, read in blocks (never whole in memory), at
    most *max_bytes* of it, else :class:`UnsafeFile`."""
    import hashlib

    fd = _open(path, within)
    try:
        os.set_blocking(fd, True)
        h = hashlib.sha256()
        total = 0
        while block := os.read(fd, 1 << 20):
            total += len(block)
            if total > max_bytes:
                raise UnsafeFile(f"file is larger than {max_bytes} bytes; refused")
            h.update(block)
        return h.hexdigest()
    finally:
        os.close(fd)
