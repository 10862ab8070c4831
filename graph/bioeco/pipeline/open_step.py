"""Open a built graph: the current ``out/bioeco.trig`` (from its persistent store when it holds
exactly that file), given files, or tables built in memory; and the key of what it holds."""

from __future__ import annotations

import warnings
import weakref
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import Dataset

from bioeco.core.paths import OUT_DIR
from bioeco.core.safeio import MAX_GRAPH_BYTES, read_bounded, sha256_of
from bioeco.errors import UsageError
from bioeco.store.dataset import load_dataset, wrap_store
from bioeco.store.disk import STORE, db_path, digest, open_store, read_state, store_dir
from bioeco.store.freshness import MANIFEST, BuildState, StaleGraphWarning, build_state

__all__ = [
    "current_store",
    "digest_file",
    "graph_key",
    "load_files",
    "open_folder",
    "open_graph",
    "read_files",
    "read_from",
]


def load_files(paths: list[Path | str] | tuple[Path | str, ...]) -> Dataset:
    """Load several RDF files into one dataset (each file checked by :func:`load_dataset`)."""
    if not paths:
        raise UsageError("no graph file given")
    dataset = load_dataset(paths[0])
    for path in paths[1:]:
        load_dataset(path, into=dataset)
    return dataset


def open_graph(
    data_dir: Path | str | None = None,
    graph_file: Path | str | list[Path | str] | tuple[Path | str, ...] | None = None,
    *,
    ontology_dir: Path | str | None = None,
    out_dir: Path | str | None = None,
    with_analysis: bool = True,
    store: bool = True,
) -> Dataset:
    """The graph to work on: *graph_file* (one file or a list) if given, else built from
    *data_dir* if given,
    else ``out/bioeco.trig`` if it exists, else built from ``data/`` in memory.

    ``out/bioeco.trig`` is used only while it is current
    (:func:`bioeco.store.freshness.build_state`:
    the content hashes of the tables in its build manifest still match). When the tables (or
    the ontology) changed since, the graph is built from them in memory instead and a
    :class:`~bioeco.store.freshness.StaleGraphWarning` says so in one line; when the match cannot
    be told (no manifest) the file is used and the warning says that.

    When the graph comes from ``out/`` and *with_analysis* is true, the ``analysis`` named
    graph in ``out/analysis.trig`` (written by :func:`analyze`) is loaded too, so SPARQL can
    ask about analysis results.

    With *store* (the default), a current ``out/bioeco.trig`` (also given as *graph_file*)
    is answered from the persistent store ``out/bioeco.oxigraph`` when it holds exactly what
    would be read (:mod:`bioeco.store.disk`): opened read-only in milliseconds instead of
    parsed. Callers that read the whole graph (the viewer, the report, the exports) pass
    ``store=False``: Oxigraph answers whole-graph queries 5-9 times faster in memory.
    """
    if graph_file is not None and data_dir is not None:
        raise UsageError("give either a data directory or a graph file, not both")
    if isinstance(graph_file, list | tuple) and len(graph_file) == 1:
        graph_file = graph_file[0]
    if isinstance(graph_file, list | tuple):
        return read_from(load_files(graph_file), graph_file)
    onto = Path(ontology_dir) if ontology_dir else None
    if graph_file is not None:
        stored = _stored_copy(Path(graph_file), onto) if store else None
        return read_from(stored if stored is not None else load_dataset(graph_file), [graph_file])
    from bioeco.ingest.build import build_dataset

    out = Path(out_dir) if out_dir else OUT_DIR
    if data_dir is None and (out / "bioeco.trig").is_file():
        state = build_state(out, ontology_dir=onto)
        if state.message:
            warnings.warn(state.message, StaleGraphWarning, stacklevel=2)
        if state.state == "stale" and state.data_dir is not None:
            return build_dataset(state.data_dir, ontology_dir=onto)
        files = [out / "bioeco.trig"]
        if with_analysis and (out / "analysis.trig").is_file():
            files.append(out / "analysis.trig")
        if state.state == "fresh" and store:
            stored = _stored(out, state, with_analysis)
            if stored is not None:
                return read_from(stored, files)
        dataset = load_dataset(out / "bioeco.trig")
        if len(files) > 1:
            load_dataset(out / "analysis.trig", into=dataset)  # the safe loader: one-line errors
        return read_from(dataset, files)
    return build_dataset(data_dir, ontology_dir=onto)


# the files each graph open_graph returned was read from (by id: rdflib graphs compare by
# identifier), dropped with the graph
_ORIGINS: dict[int, tuple[weakref.ref, tuple[Path, ...]]] = {}


def read_from(dataset: Dataset, files: list | tuple) -> Dataset:
    """Remember that *dataset* holds exactly the RDF of *files* (for :func:`graph_key`)."""
    key = id(dataset)
    try:
        ref = weakref.ref(dataset, lambda _ref, key=key: _ORIGINS.pop(key, None))
    except TypeError:
        return dataset
    _ORIGINS[key] = (ref, tuple(Path(f) for f in files))
    return dataset


def digest_file(path: Path) -> str:
    return sha256_of(path, max_bytes=MAX_GRAPH_BYTES)


def read_files(graph: Any) -> tuple[Path, ...] | None:
    """The files :func:`open_graph` read *graph* from, in order; None for a graph built from
    tables in memory or made otherwise."""
    entry = _ORIGINS.get(id(graph))
    if entry is None or entry[0]() is not graph:
        return None
    return entry[1]


def graph_key(graph: Any) -> str | None:
    """What *graph* holds, as a key: the SHA-256 of the file it was read from by
    :func:`open_graph` (joined by ``+`` for several files, in order), so the same content
    read again, from the store or parsed, has the same key; None for a graph built from
    tables in memory or made otherwise (its content cannot be told cheaply)."""
    files = read_files(graph)
    if files is None:
        return None
    try:
        return "+".join(digest_file(path) for path in files)
    except OSError:
        return None


def _store_folder(out: Path, state: BuildState) -> Path | None:
    """The folder of the persistent store of the build *state* describes, or None (with a
    one-line warning when the manifest names a store that is missing or not this build's)."""
    if state.store is None:
        return None  # built without a store (an older version): nothing to check
    folder = store_dir(out)
    stored = read_state(folder) if folder is not None else None
    if stored is None or stored["graph"] != state.graph:
        what = "is missing" if folder is None else "does not hold this bioeco.trig"
        warnings.warn(
            f"{out / STORE} {what}; reading {out / 'bioeco.trig'} instead "
            "(run `bioeco build` to rewrite the store)",
            StaleGraphWarning,
            stacklevel=4,
        )
        return None
    return folder


def _analysis_digest(out: Path) -> str | None:
    try:
        return digest(read_bounded(out / "analysis.trig", max_bytes=MAX_GRAPH_BYTES, within=out))
    except OSError:
        return None


def open_folder(out: Path, folder: Path, *, writable: bool = False) -> ox.Store | None:
    try:
        return open_store(folder, writable=writable)
    except (OSError, RuntimeError) as exc:
        if writable and "lock" in str(exc).lower():
            return None  # another writer (a concurrent analyze): read the files instead
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        warnings.warn(
            f"{out / STORE} cannot be opened ({first}); reading {out / 'bioeco.trig'} instead "
            "(run `bioeco build` to rewrite the store)",
            StaleGraphWarning,
            stacklevel=4,
        )
        return None


def _stored(out: Path, state: BuildState, with_analysis: bool) -> Dataset | None:
    """The current persistent store of *out* as a read-only dataset, when it holds exactly
    ``bioeco.trig`` (and ``analysis.trig`` when *with_analysis*); None otherwise."""
    folder = _store_folder(out, state)
    if folder is None:
        return None
    held = (read_state(folder) or {}).get("analysis")
    if held != (_analysis_digest(out) if with_analysis else None):
        return None  # the store holds another analysis graph (or none): read the files
    native = open_folder(out, folder)
    return wrap_store(native, read_only=True) if native is not None else None


def current_store(
    out_dir: Path | str | None = None, *, ontology_dir: Path | str | None = None
) -> Path | None:
    """The folder of Oxigraph database files of the persistent store in *out_dir* (default
    ``out/``) when it holds exactly what :func:`open_graph` would read there, the analysis
    graph included (``bioeco.trig`` current, :func:`bioeco.store.freshness.build_state`); else
    None, with the usual one-line warning when the store is broken. ``bioeco serve`` hands
    it to the Oxigraph server instead of loading the files into a private copy."""
    out = Path(out_dir) if out_dir else OUT_DIR
    if not (out / "bioeco.trig").is_file():
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", StaleGraphWarning)  # the file path warns, if it comes
        state = build_state(out, ontology_dir=Path(ontology_dir) if ontology_dir else None)
    if state.state != "fresh":
        return None
    folder = _store_folder(out, state)
    if folder is None or (read_state(folder) or {}).get("analysis") != _analysis_digest(out):
        return None
    native = open_folder(out, folder)  # opens: not corrupt
    if native is None:
        return None
    del native
    return db_path(folder)


def _stored_copy(graph_file: Path, onto: Path | None) -> Dataset | None:
    """The persistent store next to *graph_file* when the file is the ``bioeco.trig`` it was
    built from (current or not: the file was asked for) and the store holds no analysis
    graph; else None."""
    if graph_file.name != "bioeco.trig" or not (graph_file.parent / MANIFEST).is_file():
        return None
    out = graph_file.parent
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", StaleGraphWarning)
        state = build_state(out, ontology_dir=onto)
        if state.state == "unknown" or state.store is None:
            return None
        folder = _store_folder(out, state)
    if folder is None or (read_state(folder) or {}).get("analysis") is not None:
        return None
    native = open_folder(out, folder)
    return wrap_store(native, read_only=True) if native is not None else None
