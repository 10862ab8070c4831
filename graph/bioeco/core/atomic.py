"""Atomic writes: each output goes to a hidden temporary file, fsynced, then renamed.

A reader or a crash (even ``SIGKILL``) sees either the old file or the new one, never a mix.
Temporary files left by a killed writer are removed once they are :data:`STALE_TEMP_SECONDS`
old. This module is the one writer of files in a user's folders (a test lists every other
``open``/``write_text`` in the package); its rules:

- an output may only replace a regular file: a symbolic link, a device (``/dev/full``), a
  FIFO, a socket or a folder at the target is refused (:class:`~bioeco.errors.OutputError`,
  exit 5), never replaced or written through (:func:`check_target`);
- the folder of an output must exist: no parent folders are created unless the caller names
  an output folder the user asked for (``--out DIR``, the default ``out/``): ``make_folders``;
- several files that belong together switch as one, also across a ``SIGKILL``
  (:func:`atomic_write_group`: a journal, rolled forward by the next run; or
  :func:`atomic_write_set`: a folder switched with one rename);
- private working folders in a user's folder (:func:`private_folder`) are locked while in
  use; one left by a killed process is removed by the next one;
- a name that points at one of several versions of a folder (the on-disk store) switches with
  one rename of a symbolic link (:func:`switch_link`).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import stat
import tempfile
import time
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

from bioeco.core.safeio import kind_of, read_bounded
from bioeco.errors import OutputError, UnsafeFile, output_errors

__all__ = [
    "STALE_TEMP_SECONDS",
    "atomic_write",
    "atomic_write_group",
    "atomic_write_many",
    "atomic_write_set",
    "check_target",
    "finish_group",
    "fsync_dir",
    "private_folder",
    "remove_stale_temps",
    "switch_link",
]


STALE_TEMP_SECONDS = 600
"""Age after which a leftover temporary output file counts as abandoned (a killed build)."""

_TEMP_SUFFIX = ".tmp"


def _temp_prefix(path: Path) -> str:
    return f".{path.name}."


def _write_temp(path: Path, raw: bytes, tag: str = "") -> Path:
    """Write *raw* to a new hidden temporary file next to *path*; flushed and fsynced."""
    prefix = _temp_prefix(path) + (f"{tag}." if tag else "")
    fd, tmp = tempfile.mkstemp(prefix=prefix, suffix=_TEMP_SUFFIX, dir=path.parent)
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


def switch_link(path: Path | str, target: str) -> Path | None:
    """Make *path* a symbolic link to *target* (a name in the same folder) with one rename.

    A reader sees the old target or the new one, never no link. When *path* is a real folder
    (a copy made without keeping links), it is first moved aside into a new hidden folder
    beside it, whose path is returned so the caller can remove it once no reader needs it;
    otherwise None. Anything else at *path* (a file, a device) is refused.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> for name in ("v1", "v2"):
    ...     (folder / name).mkdir()
    >>> switch_link(folder / "current", "v1") is None
    True
    >>> _ = switch_link(folder / "current", "v2")
    >>> os.readlink(folder / "current")
    'v2'
    >>> shutil.rmtree(folder)
    """
    path = Path(path)
    if "/" in target or target in ("", ".", ".."):
        raise OutputError(f"cannot point {path} at {target!r}: not a name in its folder")
    if path.exists() and not path.is_symlink() and not path.is_dir():
        mode = path.lstat().st_mode
        what = "a file" if stat.S_ISREG(mode) else kind_of(mode)
        raise OutputError(f"cannot write {path}: {what} is in the way")
    moved = None
    try:
        if path.is_dir() and not path.is_symlink():
            moved = Path(tempfile.mkdtemp(prefix=_temp_prefix(path), dir=path.parent))
            os.replace(path, moved)
        link = path.with_name(f"{_temp_prefix(path)}link{_TEMP_SUFFIX}")
        link.unlink(missing_ok=True)
        os.symlink(target, link)
        os.replace(link, path)
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from None
    fsync_dir(path.parent)
    return moved


@output_errors
def check_target(path: Path | str, *, make_folder: bool = False) -> Path:
    """Refuse an output *path* that may not be replaced; return it.

    Only a missing entry or a regular file may be (re)written: a symbolic link (it would be
    replaced by a file, or written through), a device such as ``/dev/full``, a FIFO, a socket
    or a folder raise :class:`~bioeco.errors.OutputError`. The folder of *path* must exist,
    unless *make_folder* (an output folder the user named, or the default ``out/``): then it
    is created with its parents.

    Examples
    --------
    >>> check_target("/dev/full")
    Traceback (most recent call last):
    ...
    bioeco.errors.OutputError: cannot write /dev/full: is a character device, not a regular file; refused
    >>> check_target("/nonexistent/folder/r.html")
    Traceback (most recent call last):
    ...
    bioeco.errors.OutputError: cannot write /nonexistent/folder/r.html: folder /nonexistent/folder does not exist; create it first
    """  # noqa: E501
    path = Path(path)
    try:
        mode = os.lstat(path).st_mode
    except (FileNotFoundError, NotADirectoryError):  # the folder is checked below
        mode = None
    if mode is not None and not stat.S_ISREG(mode):
        what = kind_of(mode)
        raise OutputError(f"cannot write {path}: is {what}, not a regular file; refused")
    parent = path.parent
    if not parent.is_dir():
        if make_folder and not os.path.lexists(parent):
            parent.mkdir(parents=True, exist_ok=True)
        elif os.path.lexists(parent):
            raise OutputError(f"cannot write {path}: {parent} is not a folder")
        else:
            raise OutputError(
                f"cannot write {path}: folder {parent} does not exist; create it first"
            )
    return path


@output_errors
def atomic_write_many(
    files: Mapping[Path | str, str | bytes], *, make_folders: bool = False
) -> list[Path]:
    """Write several files atomically: all temporary files first, then the renames.

    Each target ends up with either its old content or its new content, never a partial
    file; the renames happen back to back only after every file is completely on disk.
    Every target is checked first (:func:`check_target`: only regular files are replaced, the
    folders must exist unless *make_folders*). Returns the target paths in the given order.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> [p.name for p in atomic_write_many({d / "a.txt": "A", d / "b.txt": b"B"})]
    ['a.txt', 'b.txt']
    >>> (d / "a.txt").read_text(), sorted(p.name for p in d.iterdir())
    ('A', ['a.txt', 'b.txt'])
    """
    targets = [check_target(p, make_folder=make_folders) for p in files]
    pending: list[Path] = []
    try:
        for path, data in zip(targets, files.values(), strict=True):
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


def atomic_write(path: Path | str, data: str | bytes, *, make_folder: bool = False) -> Path:
    """Write *data* to *path* through a temporary file in the same folder and a rename.

    A reader (or a crash) never sees a half-written file: either the old content or the new.
    Only a regular file is replaced, in a folder that exists unless *make_folder*
    (:func:`check_target`).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "x.txt"
    >>> _ = atomic_write(p, "hello")
    >>> p.read_text()
    'hello'
    """
    return atomic_write_many({Path(path): data}, make_folders=make_folder)[0]


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


# --------------------------------------------------------------------------- file groups

_JOURNAL_MAX_BYTES = 1 << 20


@contextlib.contextmanager
def _locked(folder: Path, *, wait: bool = True) -> Iterator[bool]:
    """Hold an exclusive ``flock`` on *folder* itself (no lock file is created); yields whether
    the lock was taken (always true when *wait*)."""
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            yield False
            return
        yield True
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def _tag(journal: Path) -> str:
    return journal.stem.lstrip(".") or "group"


def _group_temps(journal: Path, folders: Iterable[Path | str]) -> list[Path]:
    pattern = f".*.{_tag(journal)}.*{_TEMP_SUFFIX}"
    found = []
    for folder in folders:
        folder = Path(folder)
        if folder.is_dir() and not folder.is_symlink():
            found += [p for p in folder.glob(pattern) if p.is_file() and not p.is_symlink()]
    return sorted(found)


def _journal_moves(journal: Path) -> list[tuple[Path, Path]]:
    """The (temporary file, target) pairs of a committed journal, each checked to be what
    :func:`atomic_write_group` writes: a hidden temporary file beside its target, whose name
    is derived from the target's. Anything else is refused, never renamed."""
    where = str(journal)
    try:
        raw = read_bounded(journal, max_bytes=_JOURNAL_MAX_BYTES, within=journal.parent)
        moves = json.loads(raw.decode("utf-8"))["moves"]
        pairs = [(Path(tmp), Path(target)) for tmp, target in moves]
    except UnsafeFile as exc:
        raise OutputError(f"{where}: {exc}") from None
    except (ValueError, KeyError, TypeError):
        raise OutputError(
            f"{where}: not a journal of an interrupted bioeco write; remove it"
        ) from None
    for tmp, target in pairs:
        prefix = f"{_temp_prefix(target)}{_tag(journal)}."
        if not (
            tmp.is_absolute()
            and tmp.parent == target.parent
            and tmp.name.startswith(prefix)
            and tmp.name.endswith(_TEMP_SUFFIX)
            and ".." not in tmp.parts
        ):
            raise OutputError(f"{where}: not a journal of an interrupted bioeco write; remove it")
    return pairs


def _roll_forward(journal: Path, folders: Iterable[Path | str]) -> list[Path]:
    """Under the lock: finish a committed group, or drop an uncommitted one's temporary files."""
    done: list[Path] = []
    if os.path.lexists(journal):
        for tmp, target in _journal_moves(journal):
            try:
                tmp_mode = os.lstat(tmp).st_mode
            except FileNotFoundError:
                continue  # already renamed before the interruption
            if stat.S_ISREG(tmp_mode):
                check_target(target)
                os.replace(tmp, target)
                done.append(target)
        for folder in sorted({t.parent for _, t in _journal_moves(journal)}):
            fsync_dir(folder)
        journal.unlink()
        fsync_dir(journal.parent)
    for tmp in _group_temps(journal, folders):  # written, never committed
        tmp.unlink(missing_ok=True)
    return done


@output_errors
def finish_group(journal: Path | str, folders: Iterable[Path | str] = ()) -> list[Path]:
    """Complete what an interrupted :func:`atomic_write_group` left (see there); return the
    files it renamed into place.

    Cheap and writes nothing when nothing was left: only then is the folder of *journal*
    locked (waiting for a group being written at that moment). *folders* are where the
    group's temporary files may lie (its targets' folders).
    """
    journal = Path(journal)
    folders = list(folders)
    if not os.path.lexists(journal) and not _group_temps(journal, folders):
        return []
    with _locked(journal.parent):
        return _roll_forward(journal, folders)


@output_errors
def atomic_write_group(
    files: Mapping[Path | str, str | bytes],
    *,
    journal: Path | str,
    make_folders: bool = False,
) -> list[Path]:
    """Replace several files as one, also across a ``SIGKILL``: all of them or none.

    Holding a lock on the folder of *journal*: every target is checked (:func:`check_target`),
    every new file is written to a hidden temporary file beside its target and fsynced; then
    *journal* (the list of renames) is written atomically — the commit — and the renames
    follow; the journal is removed last. A run interrupted before the commit leaves the old
    files (its temporary files are removed by :func:`finish_group`, which the next reader of
    the folder calls); after the commit the next run completes the renames. Returns the
    targets in the given order.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> j = d / ".demo.journal"
    >>> [p.name for p in atomic_write_group({d / "a.csv": "A", d / "b.csv": "B"}, journal=j)]
    ['a.csv', 'b.csv']
    >>> sorted(p.name for p in d.iterdir())
    ['a.csv', 'b.csv']
    """
    journal = Path(journal)
    tag = _tag(journal)
    targets = [Path(p).absolute() for p in files]
    folders = sorted({t.parent for t in targets})
    with _locked(journal.parent):
        _roll_forward(journal, folders)
        for path in targets:
            check_target(path, make_folder=make_folders)
        pending: list[Path] = []
        try:
            for path, data in zip(targets, files.values(), strict=True):
                raw = data.encode("utf-8") if isinstance(data, str) else data
                pending.append(_write_temp(path, raw, tag))
            for folder in folders:
                fsync_dir(folder)
            moves = [[str(tmp), str(path)] for tmp, path in zip(pending, targets, strict=True)]
            text = json.dumps({"moves": moves}, indent=1)
            os.replace(_write_temp(journal, text.encode("utf-8")), journal)  # the commit
            fsync_dir(journal.parent)
        except BaseException:
            for tmp in pending:
                tmp.unlink(missing_ok=True)
            raise
        _roll_forward(journal, folders)
    return [Path(p) for p in files]


# --------------------------------------------------------------------------- private folders


@contextlib.contextmanager
def private_folder(base: Path | str, prefix: str) -> Iterator[Path]:
    """A new hidden working folder ``<base>/<prefix>*``, locked while in use and removed after.

    Before it is made, folders of the same *prefix* in *base* whose lock is free — left by a
    process that was killed (``SIGKILL`` runs no clean-up) — are removed; folders in use by
    another running process are left alone. The lock is the kernel's (``flock`` on the
    folder), released by the kernel when its holder dies: no time limit decides.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> base = pathlib.Path(tempfile.mkdtemp())
    >>> (base / ".work-abandoned").mkdir()
    >>> with private_folder(base, ".work-") as folder:
    ...     sorted(p.name for p in base.iterdir()) == [folder.name]
    True
    >>> list(base.iterdir())
    []
    """
    base = Path(base)
    with _locked(base):
        for old in sorted(base.glob(f"{_glob_escape(prefix)}*")):
            if old.is_symlink() or not old.is_dir():
                continue
            with _locked(old, wait=False) as free:
                if free:
                    shutil.rmtree(old, ignore_errors=True)
        folder = Path(tempfile.mkdtemp(prefix=prefix, dir=base))
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        os.close(fd)


def _glob_escape(text: str) -> str:
    """*text* with the wildcard characters of :meth:`pathlib.Path.glob` escaped."""
    return "".join(f"[{c}]" if c in "*?[" else c for c in text)
