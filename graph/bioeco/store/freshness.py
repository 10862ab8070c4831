"""Is a built graph current? The build manifest: content hashes of the tables it came from."""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from bioeco.core.paths import DATA_DIR, ontology_files
from bioeco.core.safeio import MAX_GRAPH_BYTES, read_bounded

__all__ = [
    "MANIFEST",
    "BuildState",
    "StaleGraphWarning",
    "build_state",
    "file_stamp",
    "manifest_text",
    "table_digests",
]

MANIFEST = "bioeco.manifest.json"
"""Name of the build manifest written next to ``bioeco.trig`` by ``bioeco build``."""

_FORMAT = 1
_MAX_BYTES = 50 * 1024 * 1024  # as the loader: a larger table is refused when building


def file_stamp(path: Path | str) -> list[int] | None:
    """What the file system says of *path* itself (not of a link's target): size, modification
    and change times in nanoseconds, inode and device; None when it cannot be read. A file
    rewritten, replaced, copied or touched gets another stamp (the change time cannot be set
    back), so an equal stamp means the bytes hashed when it was taken."""
    try:
        st = os.lstat(path)
    except OSError:
        return None
    return [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev]


class StaleGraphWarning(UserWarning):
    """The built graph in ``out/`` does not match the tables (or its match cannot be told)."""


def _digest(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def table_digests(data_dir: Path | str) -> dict[str, str]:
    """SHA-256 of every ``*.csv`` below *data_dir*, keyed by its path relative to it.

    Hidden folders are skipped and linked folders not entered (as the loader does); an entry
    that is not a readable regular file gets a digest of its name only, so it shows as a
    change (building from the tables then reports the problem).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "sources.csv").write_text("id\\n")
    >>> table_digests(d)
    {'sources.csv': '984a644ec3b56d32b0404777e1eb73390c4b0742a6a0e183f07861056b6746de'}
    """
    base = Path(data_dir)
    found: dict[str, str] = {}
    for folder, dirs, files in os.walk(base, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(f for f in files if f.endswith(".csv") and not f.startswith(".")):
            path = Path(folder) / name
            rel = path.relative_to(base).as_posix()
            try:
                found[rel] = _digest(read_bounded(path, max_bytes=_MAX_BYTES, within=base))
            except OSError:
                found[rel] = _digest(f"unreadable:{rel}".encode())
    return dict(sorted(found.items()))


def _ontology_digest(ontology_dir: Path | str | None) -> str:
    h = hashlib.sha256()
    for path in ontology_files(Path(ontology_dir) if ontology_dir else None):
        raw = read_bounded(path, max_bytes=MAX_GRAPH_BYTES)
        h.update(path.name.encode() + b"\0" + raw + b"\0")
    return h.hexdigest()


def manifest_text(
    data_dir: Path | str | None,
    graph: bytes,
    *,
    tables: dict[str, str] | None = None,
    ontology_dir: Path | str | None = None,
    store: str | None = None,
) -> str:
    """The manifest of a build of *data_dir* whose TriG file holds *graph*: the data folder,
    a digest per table (*tables*, from :func:`table_digests` taken before loading), a digest
    of the ontology files and of the TriG file, and the name of the link to the persistent
    store built with it (*store*, :mod:`bioeco.store.disk`, whose own ``state.json`` names
    the TriG digest it holds, and the :func:`file_stamp` of the TriG file as written).
    Deterministic JSON (sorted keys): the same input gives the same bytes.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "sources.csv").write_text("id\\n")
    >>> sorted(json.loads(manifest_text(d, b"graph")))
    ['data', 'format', 'graph', 'ontology', 'tables']
    """
    base = Path(data_dir) if data_dir is not None else DATA_DIR
    body = {
        "format": _FORMAT,
        "data": str(base.resolve()),
        "tables": tables if tables is not None else table_digests(base),
        "ontology": _ontology_digest(ontology_dir),
        "graph": _digest(graph),
    }
    if store is not None:  # the link to the persistent store built with this TriG
        body["store"] = store
    return json.dumps(body, indent=1, sort_keys=True) + "\n"


@dataclass(frozen=True)
class BuildState:
    """Whether ``<out>/bioeco.trig`` is current.

    ``state`` is ``fresh`` (built from the tables as they are now), ``stale`` (the tables or
    the ontology changed since: build from ``data_dir`` instead) or ``unknown`` (no manifest,
    the file is not the one the manifest describes, or its tables are gone: ``data_dir`` is
    None and the file can only be used unchecked); ``message`` is one line for the user
    ("" when fresh).
    """

    state: str
    data_dir: Path | None
    message: str
    graph: str = ""
    """SHA-256 of ``bioeco.trig`` when it is the file the manifest describes."""
    store: str | None = None
    """The manifest's ``store`` entry: the link to the persistent store built with it."""


def _changed(old: dict[str, str], new: dict[str, str]) -> list[str]:
    return sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k))


def _stamped(out: Path, graph: str, store: str | None) -> list[int] | None:
    """The file stamp the store built with the TriG of digest *graph* recorded, or None."""
    if store is None:
        return None
    from bioeco.store.disk import read_state, store_dir

    folder = store_dir(out)
    state = read_state(folder) if folder is not None else None
    if state is None or state.get("graph") != graph:
        return None
    stamp = state.get("graph_stamp")
    return stamp if isinstance(stamp, list) and stamp else None


def build_state(out_dir: Path | str, *, ontology_dir: Path | str | None = None) -> BuildState:
    """Compare ``<out_dir>/bioeco.trig`` with the tables it was built from (its manifest,
    :data:`MANIFEST`): content hashes, so touching a file without changing it is no change.
    The TriG file is hashed only when its :func:`file_stamp` is not the one the store built
    with it recorded (``state.json`` of :mod:`bioeco.store.disk`, with the same digest).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (out / "bioeco.trig").write_bytes(b"g")
    >>> build_state(out).state
    'unknown'
    """
    out = Path(out_dir)
    trig = out / "bioeco.trig"
    rebuild = "answering from the tables, built in memory; run `bioeco build` to update it"
    unchecked = "using it unchecked (run `bioeco build` to be sure)"
    try:
        manifest = json.loads(read_bounded(out / MANIFEST, max_bytes=1 << 24, within=out))
        recorded = Path(manifest["data"])
        tables, onto, graph = manifest["tables"], manifest["ontology"], manifest["graph"]
    except (OSError, ValueError, KeyError, TypeError):
        return BuildState(
            "unknown", None, f"{trig} has no build manifest ({MANIFEST}); {unchecked}"
        )
    store = manifest.get("store") if isinstance(manifest.get("store"), str) else None
    if _stamped(out, graph, store) == file_stamp(trig):
        same = True  # the very file hashed at build time (a query need not read 60 MB)
    else:
        try:
            same = _digest(read_bounded(trig, max_bytes=MAX_GRAPH_BYTES, within=out)) == graph
        except OSError:
            same = False
    if not same:
        return BuildState(
            "unknown", None, f"{trig} is not the file its build manifest describes; {unchecked}"
        )
    if not recorded.is_dir():
        return BuildState(
            "unknown", None, f"{trig} was built from {recorded}, which is gone; {unchecked}"
        )
    changed = _changed(tables, table_digests(recorded))
    if changed:
        more = f" and {len(changed) - 1} more" if len(changed) > 1 else ""
        return BuildState(
            "stale",
            recorded,
            f"{recorded / changed[0]}{more} changed since {trig} was built; {rebuild}",
            graph,
            store,
        )
    if onto != _ontology_digest(ontology_dir):
        return BuildState(
            "stale",
            recorded,
            f"the ontology changed since {trig} was built; {rebuild}",
            graph,
            store,
        )
    return BuildState("fresh", recorded, "", graph, store)
