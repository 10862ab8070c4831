"""The persistent Oxigraph store under ``out/``: written by ``bioeco build``, read by the rest.

``bioeco build`` bulk-loads the quads it writes to ``out/bioeco.trig`` into an on-disk
Oxigraph store too, so ``query``, ``stats`` and ``serve`` open it (read-only, in
milliseconds) instead of parsing the TriG again. Whole-graph readers (the analyses, the
viewer, the report, the exports) parse the TriG into memory instead
(``open_graph(store=False)``): Oxigraph answers whole-graph queries 5-9 times faster there.

Layout and atomicity (as :func:`bioeco.ingest.export.atomic_write_set`): the store of one build is a
hidden folder ``out/.bioeco.oxigraph.<random>/`` holding the RocksDB files (``db/``) and
``state.json``; ``out/bioeco.oxigraph`` is a symbolic link to the current one, switched with
one ``rename`` after the store is complete, so a killed build never leaves a half store and a
reader never sees one. The build manifest names the folder (``store``); ``state.json`` says
which TriG (its SHA-256) the store holds and which ``out/analysis.trig`` (``analysis``:
its SHA-256, or null when the store holds no analysis graph). A reader uses the store only
when the manifest is current, names the folder the link points at, and both digests match
the files; otherwise it parses the files as before (with a one-line warning when the store
is broken). The folder a link switch replaces is kept for readers that still have it open;
older ones are removed once :data:`~bioeco.ingest.export.STALE_TEMP_SECONDS` old.

The ``analysis`` named graph: ``build`` copies the current ``out/analysis.trig`` (if any)
into the new store, and ``analyze`` replaces that graph in the store in place (it holds the
store's write lock meanwhile, and ``state.json`` says "no analysis graph" until the new one
is in), so readers with the analysis graph keep using the store after an ``analyze``. The
analyses themselves run on the TriG parsed into memory: whole-graph queries are 5-9 times
faster on Oxigraph's memory store than on its on-disk one (``bench/RESULTS.md``).
Readers that want the graph without analysis results (``open_graph(with_analysis=False)``:
the viewer, the report) use the store only when it holds no analysis graph.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox

from bioeco.core.safeio import read_bounded
from bioeco.errors import output_errors

__all__ = [
    "STORE",
    "digest",
    "new_store_dir",
    "open_store",
    "read_state",
    "store_dir",
    "switch_store",
    "write_state",
]

STORE = "bioeco.oxigraph"
"""Name of the link to the current persistent store in ``out/``."""

_STATE = "state.json"
_DB = "db"


def digest(raw: bytes) -> str:
    """SHA-256 hex digest (the one the build manifest uses)."""
    return hashlib.sha256(raw).hexdigest()


@output_errors
def new_store_dir(out_dir: Path | str) -> Path:
    """A new hidden folder for a store in *out_dir* (not yet current)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    fresh = Path(tempfile.mkdtemp(prefix=f".{STORE}.", dir=out))
    os.chmod(fresh, 0o755)
    return fresh


def db_path(folder: Path) -> Path:
    """The RocksDB folder of the store folder *folder*."""
    return folder / _DB


def write_state(
    folder: Path, graph: str, analysis: str | None, *, graph_stamp: list[int] | None = None
) -> None:
    """Record in *folder* which TriG (*graph*) and analysis graph (*analysis*) its store holds
    (atomic: temporary file and rename). *graph_stamp*: the
    :func:`~bioeco.store.freshness.file_stamp` of ``out/bioeco.trig`` when it was written with
    that digest, so a freshness check need not hash the file again while it is untouched. It
    names inode and times, so it lives here, among the store's own files, and not in the
    build manifest, whose bytes stay the same for the same input."""
    from bioeco.core.atomic import atomic_write

    body: dict[str, object] = {"graph": graph, "analysis": analysis}
    if graph_stamp is not None:
        body["graph_stamp"] = graph_stamp
    atomic_write(folder / _STATE, json.dumps(body, sort_keys=True) + "\n")


def read_state(folder: Path) -> dict | None:
    """The state of the store in *folder*, or None when it cannot be read."""
    try:
        state = json.loads(read_bounded(folder / _STATE, max_bytes=1 << 20, within=folder))
    except (OSError, ValueError):
        return None
    if not isinstance(state, dict) or not isinstance(state.get("graph"), str):
        return None
    return state


def store_dir(out_dir: Path | str) -> Path | None:
    """The folder ``out/bioeco.oxigraph`` points at (or is: a copy of ``out/`` made without
    keeping links), or None."""
    link = Path(out_dir) / STORE
    try:
        target = os.readlink(link)
    except OSError:
        return link if link.is_dir() else None
    return Path(out_dir) / target


def switch_store(out_dir: Path | str, fresh: Path) -> None:
    """Make *fresh* the current store of *out_dir* with one rename of the link; keep the
    store it replaces (a reader may still have it open), remove older abandoned ones."""
    from bioeco.core.atomic import STALE_TEMP_SECONDS, switch_link

    out = Path(out_dir)
    before = store_dir(out)
    previous = switch_link(out / STORE, fresh.name) or before
    now = time.time()
    for old in out.glob(f".{STORE}.*"):
        if old in (fresh, previous) or not old.is_dir() or old.is_symlink():
            continue
        with contextlib.suppress(OSError):
            if now - old.stat().st_mtime > STALE_TEMP_SECONDS:
                shutil.rmtree(old, ignore_errors=True)


def open_store(folder: Path, *, writable: bool = False) -> ox.Store:
    """Open the store in *folder* read-only (or for writing: one writer at a time).

    Raises :class:`OSError` / :class:`RuntimeError` as Oxigraph does for a missing, locked or
    corrupt store.
    """
    db = db_path(folder)
    if not db.is_dir():
        raise FileNotFoundError(f"{db} is missing")
    return ox.Store(str(db)) if writable else ox.Store.read_only(str(db))
