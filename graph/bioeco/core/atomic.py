"""Atomic writes: each output goes to a hidden temporary file, fsynced, then renamed.

A reader or a crash (even ``SIGKILL``) sees either the old file or the new one, never a mix.
Temporary files left by a killed writer are removed once they are :data:`STALE_TEMP_SECONDS`
old.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import time
from collections.abc import Iterable, Mapping
from pathlib import Path

from bioeco.errors import output_errors

__all__ = [
    "STALE_TEMP_SECONDS",
    "atomic_write",
    "atomic_write_many",
    "atomic_write_set",
    "fsync_dir",
    "remove_stale_temps",
]


STALE_TEMP_SECONDS = 600
"""Age after which a leftover temporary output file counts as abandoned (a killed build)."""

_TEMP_SUFFIX = ".tmp"


def _temp_prefix(path: Path) -> str:
    return f".{path.name}."


def _write_temp(path: Path, raw: bytes) -> Path:
    """Write *raw* to a new hidden temporary file next to *path*; flushed and fsynced."""
    fd, tmp = tempfile.mkstemp(prefix=_temp_prefix(path), suffix=_TEMP_SUFFIX, dir=path.parent)
    umask = os.umask(0)
    os.umask(umask)
    try:
        os.fchmod(fd, 0o666 & ~umask)  # mkstemp creates 0600; give the usual permissions
        with os.fdopen(fd, "wb") as fh:
            fh.write(raw)
            fh.flush()
            os.fsync(fh.fileno())
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)


def fsync_dir(folder: Path) -> None:
    """Make renames in *folder* durable (best effort: not every platform can open a folder)."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@output_errors
def atomic_write_many(files: Mapping[Path | str, str | bytes]) -> list[Path]:
    """Write several files atomically: all temporary files first, then the renames.

    Each target ends up with either its old content or its new content, never a partial
    file; the renames happen back to back only after every file is completely on disk.
    Returns the target paths in the given order.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> [p.name for p in atomic_write_many({d / "a.txt": "A", d / "b.txt": b"B"})]
    ['a.txt', 'b.txt']
    >>> (d / "a.txt").read_text(), sorted(p.name for p in d.iterdir())
    ('A', ['a.txt', 'b.txt'])
    """
    targets = [Path(p) for p in files]
    pending: list[Path] = []
    try:
        for path, data in zip(targets, files.values(), strict=True):
            path.parent.mkdir(parents=True, exist_ok=True)
            raw = data.encode("utf-8") if isinstance(data, str) else data
            pending.append(_write_temp(path, raw))
        for tmp, path in zip(list(pending), targets, strict=True):
            os.replace(tmp, path)
            pending.remove(tmp)
    finally:
        for tmp in pending:  # written but not renamed: never leave them behind
            tmp.unlink(missing_ok=True)
    for folder in sorted({p.parent for p in targets}):
        fsync_dir(folder)
    return targets


@output_errors
def atomic_write_set(
    folder: Path | str,
    files: Mapping[str, str | bytes],
    *,
    links: Mapping[Path | str, str] | None = None,
) -> list[Path]:
    """Replace the whole set of files in *folder* at once: readers see the old set or the new
    one, never a mix (an interrupt between two renames cannot leave files of two runs).

    The files (names relative to *folder*) are written into a new hidden sibling folder
    ``.<name>.<random>``; then *folder*, a symbolic link to the current set, is switched to it
    with one ``rename``, and earlier sets are removed. A real folder left by an older version
    is moved aside first. *links* maps extra stable paths to link targets (relative to the
    link's folder), e.g. ``out/analysis.trig -> analysis/analysis.trig``; each is created once
    and never changes, so it always shows the current set. Returns the paths under *folder*.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = atomic_write_set(d / "set", {"a.csv": "1", "b.csv": "2"})
    >>> _ = atomic_write_set(d / "set", {"a.csv": "3"})
    >>> sorted(p.name for p in (d / "set").iterdir()), (d / "set" / "a.csv").read_text()
    (['a.csv'], '3')
    >>> len([p for p in d.iterdir() if p.name.startswith(".set.")])  # only the current set
    1
    """
    folder = Path(folder)
    parent = folder.parent
    parent.mkdir(parents=True, exist_ok=True)
    fresh = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=parent))
    try:
        os.chmod(fresh, 0o755)
        for name, data in files.items():
            target = fresh / name
            target.parent.mkdir(parents=True, exist_ok=True)
            raw = data.encode("utf-8") if isinstance(data, str) else data
            os.replace(_write_temp(target, raw), target)
        fsync_dir(fresh)
        if folder.is_dir() and not folder.is_symlink():  # a real folder of an older version
            os.replace(folder, Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=parent)))
        link = parent / f".{folder.name}.link{_TEMP_SUFFIX}"
        link.unlink(missing_ok=True)
        os.symlink(fresh.name, link)
        os.replace(link, folder)  # the switch: one rename
    except BaseException:
        shutil.rmtree(fresh, ignore_errors=True)
        raise
    for path, target in (links or {}).items():
        path = Path(path)
        if not (path.is_symlink() and os.readlink(path) == target):
            tmp = path.parent / f".{path.name}.link{_TEMP_SUFFIX}"
            tmp.unlink(missing_ok=True)
            os.symlink(target, tmp)
            os.replace(tmp, path)
    fsync_dir(parent)
    for old in parent.glob(f".{folder.name}.*"):
        if old != fresh and old.is_dir() and not old.is_symlink():
            shutil.rmtree(old, ignore_errors=True)
    return [folder / name for name in files]


def atomic_write(path: Path | str, data: str | bytes) -> Path:
    """Write *data* to *path* through a temporary file in the same folder and a rename.

    A reader (or a crash) never sees a half-written file: either the old content or the new.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "x.txt"
    >>> _ = atomic_write(p, "hello")
    >>> p.read_text()
    'hello'
    """
    return atomic_write_many({Path(path): data})[0]


@output_errors
def remove_stale_temps(
    folder: Path | str, names: Iterable[str], *, max_age: float = STALE_TEMP_SECONDS
) -> list[Path]:
    """Delete temporary files of *names* in *folder* left by killed writers.

    Only files matching ``.<name>.*.tmp`` whose last change is older than *max_age* seconds
    are removed, so a build running concurrently in the same folder is not disturbed.
    Returns the removed paths, sorted.
    """
    base = Path(folder)
    if not base.is_dir():
        return []
    now = time.time()
    removed = []
    for name in names:
        for tmp in base.glob(f".{name}.*{_TEMP_SUFFIX}"):
            with contextlib.suppress(OSError):
                if tmp.is_file() and now - tmp.lstat().st_mtime > max_age:
                    tmp.unlink()
                    removed.append(tmp)
    return sorted(removed)
