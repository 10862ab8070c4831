"""The main jobs as single calls: build the graph from data/, open a built graph, validate it."""

from __future__ import annotations

import os
import shutil
import warnings
import weakref
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox
from rdflib import Dataset, URIRef

from bioeco.core.paths import DATA_DIR, OUT_DIR
from bioeco.core.progress import job, step
from bioeco.core.safeio import MAX_GRAPH_BYTES, read_bounded, sha256_of
from bioeco.errors import DataError, EndpointError, UsageError, ValidationFailed
from bioeco.ingest.export import (
    atomic_write,
    atomic_write_set,
    remove_stale_temps,
    serialize_built,
    serialize_trig,
    write_graph_files,
)
from bioeco.store.dataset import close_dataset, load_dataset, wrap_store
from bioeco.store.disk import (
    STORE,
    db_path,
    digest,
    new_store_dir,
    open_store,
    read_state,
    store_dir,
    switch_store,
    write_state,
)
from bioeco.store.freshness import (
    MANIFEST,
    BuildState,
    StaleGraphWarning,
    build_state,
    manifest_text,
    table_digests,
)

if TYPE_CHECKING:  # imported where used: `bioeco query` / `stats` on a built graph need none
    # of them (pyshacl, the loader and the look-alike tables cost start-up time)
    import pandas as pd

    from bioeco.ingest.check import Finding
    from bioeco.ingest.load import Records
    from bioeco.validate.shacl import ValidationReport

__all__ = [
    "STATS_TABLES",
    "AnalysisNotReusedWarning",
    "AnalysisOutput",
    "BuildResult",
    "analysis_tables",
    "analyze",
    "build",
    "current_store",
    "graph_key",
    "open_graph",
    "run_clock",
    "statistics",
    "validate",
    "whatif",
]

#: The tables of :func:`statistics` (``bioeco stats``), in order.
STATS_TABLES = ("graphs", "classes", "sources", "sectors")


@dataclass
class BuildResult:
    """What :func:`build` did: the dataset, the records, the files written, the SHACL report."""

    dataset: Dataset
    records: Records
    files: dict[str, Path] = field(default_factory=dict)
    report: ValidationReport | None = None
    warnings: list[Finding] = field(default_factory=list)
    """Near-duplicate names (:func:`bioeco.ingest.check.near_duplicates`): reported, not refused."""


@job
def build(
    data_dir: Path | str | None = None,
    out_dir: Path | str | None = None,
    *,
    ontology_dir: Path | str | None = None,
    check: bool = True,
    write: bool = True,
) -> BuildResult:
    """Load *data_dir*, build the graph, validate it and write ``bioeco.trig`` / ``bioeco.ttl``.

    Nothing is written when loading fails (:class:`~bioeco.errors.DataError`) or, with
    *check*, when the graph does not conform to the shapes
    (:class:`~bioeco.errors.ValidationFailed`, carrying the report).
    """
    from bioeco.ingest.check import near_duplicates
    from bioeco.ingest.load import finish_pending, load_records
    from bioeco.ingest.quads import StoreFeed, build_quads
    from bioeco.validate.shacl import validate_graph

    onto = Path(ontology_dir) if ontology_dir else None
    if write and Path(data_dir if data_dir is not None else DATA_DIR).is_dir():
        finish_pending(data_dir if data_dir is not None else DATA_DIR)  # before the hashes
    tables = table_digests(data_dir if data_dir is not None else DATA_DIR) if write else None
    step("loading tables")
    records = load_records(data_dir, ontology_dir=onto)
    if not records.sources:
        raise DataError("no source documents in sources.csv", file="sources.csv")
    step("building the graph")
    out = Path(out_dir) if out_dir else OUT_DIR
    folder = new_store_dir(out) if write else None
    # Oxigraph bulk-loads the store on background threads (it releases the GIL) from chunks
    # of N-Quads handed over while the quads are made, and meanwhile this thread sorts them
    # and has Oxigraph turn them into TriG and Turtle. The store's load may skip Oxigraph's
    # IRI checks (lenient) only when the TriG pass parses the same quads strictly.
    try:
        feed = StoreFeed(db_path(folder) if folder else None, lenient=write)
    except BaseException:
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
        raise
    try:
        built = build_quads(records, ontology_dir=onto, sink=feed)
        # the N-Quads and N-Triples texts are made in pieces as Oxigraph reads them
        files = serialize_built(built) if write else None
        del built  # the sorted rows
        similar = near_duplicates(records)  # while the store may still be loading
        native = feed.close()
        dataset = wrap_store(native)
        result = BuildResult(dataset=dataset, records=records, warnings=similar)
        if check:
            step("validating (SHACL)")
            result.report = validate_graph(dataset, ontology_dir=onto)
            if not result.report.conforms:
                raise ValidationFailed(
                    "the graph does not conform to the SHACL shapes; nothing was written",
                    result.report.text(),
                )
        if files is None or folder is None:
            return result
        step("writing bioeco.trig, bioeco.ttl and the store")
        graph, turtle = files
        del files
        result.files = write_graph_files(out, graph, turtle)
        del turtle
        analysis = _copy_analysis(out, native)
        write_state(folder, digest(graph), analysis)
    except BaseException:
        feed.abort()  # never remove the folder under a running bulk load
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
        raise
    # the store of this build becomes current (one rename), then the manifest that ties it to
    # the TriG: a build killed in between leaves a manifest that does not describe the new
    # file, which open_graph reports instead of trusting it (and then ignores the store)
    switch_store(out, folder)
    remove_stale_temps(out, (MANIFEST,))
    text = manifest_text(data_dir, graph, tables=tables, ontology_dir=onto, store=STORE)
    result.files["manifest"] = atomic_write(out / MANIFEST, text)
    result.files["store"] = out / STORE
    # hand back the store read-only: the write lock is released for analyze and other processes
    close_dataset(dataset)
    del dataset, native
    result.dataset = wrap_store(open_store(folder), read_only=True)
    return result


def _copy_analysis(out: Path, native: ox.Store) -> str | None:
    """Load ``out/analysis.trig`` (when present) into the new store, as :func:`open_graph`
    adds it to the parsed TriG; returns the digest of the bytes loaded."""
    path = out / "analysis.trig"
    try:
        raw = read_bounded(path, max_bytes=MAX_GRAPH_BYTES, within=out)
    except OSError:
        return None
    try:  # a bulk load: written as new files, not held in memory as one transaction
        native.bulk_load(input=raw, format=ox.RdfFormat.TRIG, base_iri=path.resolve().as_uri())
    except (SyntaxError, ValueError, OSError):
        return None  # the store then holds no analysis graph; readers parse the file
    return digest(raw)


def _load_files(paths: list[Path | str] | tuple[Path | str, ...]) -> Dataset:
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
        return _read_from(_load_files(graph_file), graph_file)
    onto = Path(ontology_dir) if ontology_dir else None
    if graph_file is not None:
        stored = _stored_copy(Path(graph_file), onto) if store else None
        return _read_from(stored if stored is not None else load_dataset(graph_file), [graph_file])
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
                return _read_from(stored, files)
        dataset = load_dataset(out / "bioeco.trig")
        if len(files) > 1:
            load_dataset(out / "analysis.trig", into=dataset)  # the safe loader: one-line errors
        return _read_from(dataset, files)
    return build_dataset(data_dir, ontology_dir=onto)


# the files each graph open_graph returned was read from (by id: rdflib graphs compare by
# identifier), dropped with the graph
_ORIGINS: dict[int, tuple[weakref.ref, tuple[Path, ...]]] = {}


def _read_from(dataset: Dataset, files: list | tuple) -> Dataset:
    """Remember that *dataset* holds exactly the RDF of *files* (for :func:`graph_key`)."""
    key = id(dataset)
    try:
        ref = weakref.ref(dataset, lambda _ref, key=key: _ORIGINS.pop(key, None))
    except TypeError:
        return dataset
    _ORIGINS[key] = (ref, tuple(Path(f) for f in files))
    return dataset


def _digest_file(path: Path) -> str:
    return sha256_of(path, max_bytes=MAX_GRAPH_BYTES)


def graph_key(graph: Any) -> str | None:
    """What *graph* holds, as a key: the SHA-256 of the file it was read from by
    :func:`open_graph` (joined by ``+`` for several files, in order), so the same content
    read again, from the store or parsed, has the same key; None for a graph built from
    tables in memory or made otherwise (its content cannot be told cheaply)."""
    entry = _ORIGINS.get(id(graph))
    if entry is None or entry[0]() is not graph:
        return None
    try:
        return "+".join(_digest_file(path) for path in entry[1])
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


def _open_folder(out: Path, folder: Path, *, writable: bool = False) -> ox.Store | None:
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
    native = _open_folder(out, folder)
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
    native = _open_folder(out, folder)  # opens: not corrupt
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
    native = _open_folder(out, folder)
    return wrap_store(native, read_only=True) if native is not None else None


@job
def validate(
    data_dir: Path | str | None = None,
    graph_file: Path | str | list[Path | str] | tuple[Path | str, ...] | None = None,
    *,
    ontology_dir: Path | str | None = None,
    engine: str = "oxigraph",
) -> ValidationReport:
    """Validate the graph in *graph_file*, or else the one built from *data_dir* (default
    ``data/``): validation checks the current tables, not a possibly stale ``out/``.
    *engine* is :func:`~bioeco.validate.shacl.validate_graph`'s (``oxigraph`` or ``pyshacl``)."""
    from bioeco.ingest.build import build_dataset
    from bioeco.validate.shacl import validate_graph

    if graph_file is not None and data_dir is not None:
        raise UsageError("give either a data directory or a graph file, not both")
    onto = Path(ontology_dir) if ontology_dir else None
    if isinstance(graph_file, list | tuple):
        dataset = _load_files(graph_file)
    elif graph_file is not None:
        dataset = load_dataset(graph_file)
    else:
        step("building the graph")
        dataset = build_dataset(data_dir, ontology_dir=onto)
    step("validating (SHACL)")
    return validate_graph(dataset, ontology_dir=onto, engine=engine)


def statistics(
    data_dir: Path | str | None = None,
    graph_file: Path | str | list | tuple | None = None,
    *,
    sectors: bool = False,
) -> dict[str, pd.DataFrame]:
    """The counts ``bioeco stats`` prints: triples per named graph, instances per class,
    what each source contributes (:func:`bioeco.store.stats.summary`), and actors and
    initiatives per top-level sector (:func:`bioeco.analyses.sectors.sector_counts`: the
    count the report, the viewer's legend and the workbook give, defined by
    :data:`~bioeco.analyses.sectors.COUNT_DEFINITION`, which the ``sectors`` table carries
    as ``attrs["summary"]``) when *sectors* is asked for: it reads the network (networkx),
    which the three quick counts never load."""
    from bioeco.store.stats import summary

    graph = open_graph(data_dir, graph_file)
    tables = summary(graph)
    if sectors:
        from bioeco.analyses.sectors import COUNT_DEFINITION, sector_counts

        counted = sector_counts(graph)
        counted.attrs["summary"] = COUNT_DEFINITION
        tables["sectors"] = counted
    return tables


def run_clock() -> datetime:
    """Now, in UTC, or ``SOURCE_DATE_EPOCH`` when set (reproducible analysis graphs)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), tz=UTC)
    return datetime.now(tz=UTC).replace(microsecond=0)


class AnalysisNotReusedWarning(StaleGraphWarning):
    """``out/analysis/`` does not hold the tables asked for (another graph, other options,
    missing tables): they are computed instead (:func:`analysis_tables`)."""


def _analysis_folder(graph: Any, out_dir: Path | str | None) -> Path | None:
    """``<out_dir>/analysis``; without *out_dir*, the ``analysis`` folder next to the
    ``bioeco.trig`` *graph* was read from (``out/bioeco.trig``, its store, or ``--graph
    elsewhere/bioeco.trig``); None for any other graph (built in memory, ``--graph
    other.ttl``): no ``bioeco analyze`` wrote tables for it anywhere it could be found."""
    if out_dir is not None:
        return Path(out_dir) / "analysis"
    entry = _ORIGINS.get(id(graph))
    if entry is not None and entry[0]() is graph and entry[1][0].name == "bioeco.trig":
        return entry[1][0].parent / "analysis"
    return None


def analysis_tables(
    graph: Any,
    kinds: str | list[str] | tuple[str, ...] = ("gaps", "overlap", "bridges"),
    *,
    out_dir: Path | str | None = None,
    top: int | None = None,
    only: Collection[str] | None = None,
    **options: Any,
) -> dict[str, pd.DataFrame]:
    """The tables of :func:`bioeco.analyses.run.run_analyses` ``(graph, kinds, top=top,
    **options)``, read from ``<out>/analysis/`` when ``bioeco analyze`` wrote them there for
    the same graph and options; else computed, with an :class:`AnalysisNotReusedWarning`
    saying why in one line when ``<out>/analysis/`` holds tables (of another graph or other
    options). ``<out>`` is *out_dir*, else the folder of the ``bioeco.trig`` the graph was
    read from; any other graph (built in memory, read from another file) meets tables only
    when *out_dir* names them (otherwise it is computed, without a warning).

    The manifest ``out/analysis/manifest.json`` (written with the tables, in one set) names
    the graph (:func:`graph_key`: the SHA-256 of the file :func:`open_graph` read, so *graph*
    must come from :func:`open_graph`), the options (defaults left out:
    :func:`bioeco.analyses.stored.options_key`), the kinds, and per table its column kinds and
    the SHA-256 of its CSV file. The tables are reused when the graph's key is the manifest's,
    the options (``sector``, ``region``, ``as_of``, ``seed``, ``basis`` and the thresholds) are
    equal, every table the *kinds* make was written (``all`` only from an ``all`` run) and
    every file is unchanged; *top* is applied to the reused tables as
    :func:`bioeco.analyses.run.cut_top` does. Reused floats are as the CSV holds them (6
    decimals). ``report``, ``viz`` and ``export`` call this instead of ``run_analyses``.
    With *only* (table names), just those of the tables are returned, and only they are read
    back (the viewer needs two of the three bridges tables, whose files are tens of MB at
    national scale).
    """
    from bioeco.analyses.run import TABLES, cut_top, run_analyses
    from bioeco.analyses.stored import options_key, read_manifest, read_table

    asked = [kinds] if isinstance(kinds, str) else list(kinds)
    folder = _analysis_folder(graph, out_dir)
    # a graph not read from a bioeco.trig (built in memory, another file) meets no tables
    # unless out_dir names them: computed without a warning, as when nothing is there
    manifest = read_manifest(folder) if folder is not None and folder.is_dir() else None
    key = graph_key(graph) if manifest is not None else None
    if manifest is not None:
        held = manifest["tables"]
        if "all" in asked:
            wanted = list(held) if "all" in manifest.get("kinds", []) else None
        else:
            names = [n for k in asked for n in TABLES.get(k, (f"?{k}",))]
            wanted = names if all(n in held for n in names) else None
        if key is None:
            why = "the graph was not read from a file (built in memory)"
        elif manifest.get("graph") != key:
            why = "it was computed from another graph"
        elif manifest["options"] != options_key(options):
            why = "it was computed with other options"
        elif wanted is None:
            why = f"it lacks tables of {', '.join(asked)}"
        else:
            step("reading the analysis tables")
            try:
                keep = wanted if only is None else [n for n in wanted if n in only]
                tables = {name: read_table(folder / f"{name}.csv", held[name]) for name in keep}
            except (OSError, ValueError) as exc:
                why = str(exc) if isinstance(exc, ValueError) else "a table cannot be read"
            else:
                order = [n for k in TABLES for n in TABLES[k]]  # run_analyses' order
                rank = {n: order.index(n) if n in order else len(order) for n in tables}
                tables = {n: tables[n] for n in sorted(tables, key=rank.__getitem__)}
                return cut_top(tables, top)
    if manifest is None:  # nothing to reuse: as before
        return _only_tables(_as_stored(run_analyses(graph, asked, top=top, **options)), only)
    warnings.warn(
        f"computing the analyses: {folder} is not of this graph and these options ({why}); "
        "`bioeco analyze all` with the same options writes tables to reuse",
        AnalysisNotReusedWarning,
        stacklevel=2,
    )
    return _only_tables(_as_stored(run_analyses(graph, asked, top=top, **options)), only)


def _only_tables(
    tables: dict[str, pd.DataFrame], only: Collection[str] | None
) -> dict[str, pd.DataFrame]:
    return tables if only is None else {n: t for n, t in tables.items() if n in only}


def _as_stored(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Float columns rounded as the CSV files store them (6 decimals, ``format_cell``), so a
    page shows the same number whether its tables were computed or read back."""
    out = {}
    for name, frame in tables.items():
        floats = frame.select_dtypes("float").columns
        if len(floats):
            frame = frame.copy()
            frame[floats] = frame[floats].round(6)
        out[name] = frame
    return out


@dataclass
class AnalysisOutput:
    """What :func:`analyze` did: the result tables (cut to *top*), the files written (always
    the full tables) and the number of rows of each full table."""

    tables: dict[str, pd.DataFrame]
    files: list[Path] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)


@job
def analyze(
    kinds: tuple[str, ...] = ("gaps", "overlap", "bridges"),
    *,
    data_dir: Path | str | None = None,
    graph_file: Path | str | list[Path | str] | tuple[Path | str, ...] | None = None,
    out_dir: Path | str | None = None,
    write: bool = True,
    top: int | None = None,
    sector: str | None = None,
    region: str | None = None,
    as_of: int | None = None,
    seed: int = 42,
    endpoint: Any = None,
    **thresholds: Any,
) -> AnalysisOutput:
    """Run the analyses on the graph (see :func:`open_graph`) and, with *write*, save them.

    *top* cuts the returned tables to their N best rows; the files always hold the full
    tables (``rows`` of the result says how many). Writes ``<out>/analysis/<table>.csv``
    (formula-safe, deterministic) and
    ``<out>/analysis.trig``: the ``analysis`` named graph with a ``prov:Activity`` recording
    the parameters, the graphs used and the time (``SOURCE_DATE_EPOCH`` makes it fixed).
    *thresholds* are passed on to :func:`bioeco.analyses.run.run_analyses` (e.g. ``min_shared``).
    *endpoint* (a :class:`bioeco.serve.remote.Remote`) reads an external SPARQL store instead of a
    local graph, in bounded pages.
    Raises :class:`~bioeco.errors.UsageError` for unknown sector/region codes.
    """
    from bioeco.analyses.record import results_to_rdf
    from bioeco.analyses.run import csv_files, cut_top, run_analyses

    if endpoint is not None and "change" in kinds:
        raise UsageError(
            "the change analysis needs the local graph (it splits it by source year); "
            "run it without --endpoint"
        )
    from bioeco.analyses.stored import MANIFEST as TABLES_MANIFEST
    from bioeco.analyses.stored import manifest_text as tables_manifest

    out = Path(out_dir) if out_dir else OUT_DIR
    trig: str | None = None  # digest of the bioeco.trig analysed, which the store may hold
    key: str | None = None  # what the analysed graph holds (graph_key), for reuse
    if endpoint is not None:  # like the local run: without earlier analysis results
        from bioeco.core.vocab import analysis_graph

        dataset = endpoint.without(str(analysis_graph()))
        names = list(dataset.graphs())
    else:
        step("opening the graph")
        # the analyses read the whole graph: Oxigraph answers them 5-9 times faster in memory
        # than from its on-disk store (scale 100: the network query 3.2 s against 15.3 s), so
        # they run on the parsed TriG; the store only receives their graph
        source = _analysed_trig(out, data_dir, graph_file) if write else None
        if source is not None:
            dataset = _read_from(load_dataset(source), [source])
        else:
            dataset = open_graph(
                data_dir, graph_file, out_dir=out_dir, with_analysis=False, store=False
            )
        key = graph_key(dataset) if write else None
        trig = key if source is not None else None
        names = [str(g.identifier) for g in dataset.graphs() if isinstance(g.identifier, URIRef)]
    started = run_clock()
    read: list = []  # the network the analyses read: written with the tables, for whatif
    try:
        tables = run_analyses(
            dataset,
            kinds,
            top=None if write else top,  # the files always hold the full tables
            sector=sector,
            region=region,
            as_of=as_of,
            seed=seed,
            network=read.append if write and endpoint is None else None,
            **thresholds,
        )
    except (KeyError, ValueError, TypeError, AttributeError, IndexError) as exc:
        if endpoint is None:
            raise
        # a store's rows are not checked like the tables bioeco builds from: rows of another
        # shape end here, as one line naming the store
        raise EndpointError(
            f"{getattr(endpoint, 'shown', endpoint)}: the store's answers are not those of a "
            f"bioeco graph ({type(exc).__name__}: {str(exc)[:200]}); push a graph built by "
            "bioeco there"
        ) from None
    ended = max(run_clock(), started)
    output = AnalysisOutput(
        tables=cut_top(tables, top), rows={name: len(df) for name, df in tables.items()}
    )
    if write:
        del dataset  # the graph is not needed any more: its memory goes before the files'
        step("writing the tables and the analysis graph")
        used = sorted(name for name in names if "/graph/source/" in name)
        params = {
            "kinds": list(kinds),
            "sector": sector,
            "region": region,
            "as_of": as_of,
            "seed": seed,
            **thresholds,
        }
        rdf = results_to_rdf(tables, params, started=started, ended=ended, used=used, top=top)
        files = {p.name: data for p, data in csv_files(tables, out / "analysis").items()}
        files["analysis.trig"] = serialize_trig({rdf.identifier: rdf})
        if read:
            from bioeco.analyses.incremental import STATE_FILE, start_state
            from bioeco.analyses.netfile import NETWORK_FILE, network_json

            net = read.pop()
            files[NETWORK_FILE] = network_json(net, graph=key)
            # what whatif computes to start on this network, computed once here
            # (the members' two-paths from bridges_actors when it is of the whole network)
            whole = sector is None and region is None and not thresholds
            cross = _counted_cross(net, tables) if whole else None
            files[STATE_FILE] = start_state(net, graph=key, cross=cross)
            del net
        # which graph and options the tables are of: report, viz and export reuse them
        options = {"sector": sector, "region": region, "as_of": as_of, "seed": seed}
        files[TABLES_MANIFEST] = tables_manifest(
            key, list(kinds), {**options, **thresholds}, tables, files
        )
        del rdf
        # the tables and the graph of one run switch together (one rename); out/analysis.trig
        # is a fixed link into the current set
        written = atomic_write_set(
            out / "analysis", files, links={out / "analysis.trig": "analysis/analysis.trig"}
        )
        # the manifest, the network file and the what-if start are no results of their own
        output.files = [
            p
            for p in written
            if p.name not in (TABLES_MANIFEST, "network.json", "whatif_state.bin")
        ]
        if trig is not None:
            step("loading the analysis graph into the store")
            _store_analysis(out, trig, files["analysis.trig"])
    return output


def _counted_cross(net: Any, tables: dict[str, pd.DataFrame]) -> dict[str, int] | None:
    """Member IRI → cross-sector open two-paths of the ``bridges_actors`` table just computed
    on *net* (the members it leaves out score 0: none); None without the table."""
    from bioeco.core.vocab import BID

    table = tables.get("bridges_actors")
    if table is None or not {"actor", "cross_sector_paths"} <= set(table.columns):
        return None
    counted = {
        f"{BID}{a}": int(c)
        for a, c in zip(table["actor"], table["cross_sector_paths"], strict=True)
    }
    return {m: counted.get(m, 0) for m in net.members}


def _analysed_trig(
    out: Path,
    data_dir: Path | str | None,
    graph_file: Path | str | list[Path | str] | tuple[Path | str, ...] | None,
) -> Path | None:
    """``out/bioeco.trig`` when it is the graph :func:`analyze` reads (given as *graph_file*,
    or the current build of *out*), so the store built from it may receive the analysis
    graph; None otherwise (other files, tables built in memory)."""
    trig = out / "bioeco.trig"
    if data_dir is not None or not trig.is_file():
        return None
    if isinstance(graph_file, list | tuple):
        graph_file = graph_file[0] if len(graph_file) == 1 else None
        if graph_file is None:
            return None
    if graph_file is not None:
        try:
            return trig if Path(graph_file).resolve() == trig.resolve() else None
        except OSError:
            return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", StaleGraphWarning)  # open_graph warns, if it comes to it
        state = build_state(out)
    return trig if state.state == "fresh" else None


def _store_analysis(out: Path, trig: str, analysis: str | bytes) -> bool:
    """Replace the analysis graph in the persistent store of *out* by *analysis* (the bytes
    of ``out/analysis.trig``) when the store holds the TriG whose digest is *trig*; returns
    whether it did. The new graph is bulk-loaded (written as new files, never held in memory
    as one transaction), after the old one is dropped; ``state.json`` says "updating"
    meanwhile, so no reader takes the store for one with or without either graph. When
    another process writes the store, nothing is done: readers then see that the store does
    not hold ``analysis.trig`` and read the files."""
    from bioeco.core.vocab import analysis_graph

    folder = store_dir(out)
    state = read_state(folder) if folder is not None else None
    if folder is None or state is None or state["graph"] != trig:
        return False
    native = _open_folder(out, folder, writable=True)
    if native is None:
        return False
    raw = analysis.encode("utf-8") if isinstance(analysis, str) else analysis
    try:
        write_state(folder, trig, "updating")
        native.update(f"DROP SILENT GRAPH <{analysis_graph()}>")
        native.bulk_load(input=raw, format=ox.RdfFormat.TRIG)
        native.flush()
        write_state(folder, trig, digest(raw))
    finally:
        del native  # release the write lock now, also after an error
    return True


def _analysed_network(
    data_dir: Path | str | None,
    graph_file: Path | str | list[Path | str] | tuple[Path | str, ...] | None,
    out_dir: Path | str | None,
    as_of: int | None,
    basis: str,
    *,
    want_pairs: bool,
    want_state: bool = False,
) -> tuple[Any, pd.DataFrame | None, dict[str, int] | None, dict[str, Any] | None]:
    """The network ``bioeco analyze`` read and wrote to ``<out>/analysis/network.json``
    (:mod:`bioeco.analyses.netfile`) when :func:`open_graph` would read one TriG file (given,
    or the current ``out/bioeco.trig``) whose SHA-256 is the analysis manifest's graph key, and
    the file is of these *as_of* and *basis*; else None (the graph is then not opened here).
    When the analysis ran with the default options, also (else None) the ``bridges_pairs``
    table (with *want_pairs*: what the suggestions would compute) and the cross-sector open
    two-paths of every member from ``bridges_actors`` (what the what-if would count). With
    *want_state*, also the what-if's start saved with the network
    (:func:`bioeco.analyses.incremental.read_state`) when it is of the same graph, else None."""
    from bioeco.analyses.netfile import NETWORK_FILE, read_network
    from bioeco.analyses.stored import options_key, read_manifest
    from bioeco.core.vocab import BID

    if data_dir is not None:
        return None, None, None, None
    if isinstance(graph_file, list | tuple):
        if len(graph_file) != 1:
            return None, None, None, None
        graph_file = graph_file[0]
    out = Path(out_dir) if out_dir is not None else None
    if graph_file is not None:
        trig = Path(graph_file)
    else:
        trig = (out or OUT_DIR) / "bioeco.trig"
        if not trig.is_file():
            return None, None, None, None
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", StaleGraphWarning)  # open_graph says it, if read
            if build_state(trig.parent).state != "fresh":
                return None, None, None, None
    if out is not None:
        folder = out / "analysis"
    elif trig.name == "bioeco.trig":
        folder = trig.parent / "analysis"
    else:
        folder = OUT_DIR / "analysis"
    manifest = read_manifest(folder) if folder.is_dir() else None
    if manifest is None:
        return None, None, None, None
    try:
        key = _digest_file(trig)
    except OSError:
        return None, None, None, None
    if manifest.get("graph") != key:
        return None, None, None, None
    try:
        net = read_network(read_bounded(folder / NETWORK_FILE, max_bytes=MAX_GRAPH_BYTES))
    except (OSError, ValueError, KeyError, TypeError):
        return None, None, None, None
    if net.as_of != as_of or net.basis != basis or net.__dict__.get("graph") != key:
        return None, None, None, None
    state = _saved_start(folder, key, as_of, basis) if want_state else None
    pairs, cross = None, None
    held = manifest.get("tables", {})
    if as_of is None and basis == "all" and manifest.get("options") == options_key({}):
        if want_pairs and "bridges_pairs" in held:
            pairs = _table_columns(
                folder / "bridges_pairs.csv", held["bridges_pairs"], ("actor_a", "actor_b")
            )
        if "bridges_actors" in held:
            found = _table_columns(
                folder / "bridges_actors.csv",
                held["bridges_actors"],
                ("actor", "cross_sector_paths"),
            )
            if found is not None:
                counted = {
                    f"{BID}{a}": int(c)
                    for a, c in zip(found["actor"], found["cross_sector_paths"], strict=True)
                }
                # the table leaves out the members whose score is 0: no betweenness and no
                # cross-sector two-path (both parts of the score are 0 or more)
                cross = {m: counted.get(m, 0) for m in net.members}
    return net, pairs, cross, state


def _saved_start(folder: Path, key: str, as_of: int | None, basis: str) -> dict[str, Any] | None:
    """The what-if's start ``bioeco analyze`` saved in *folder* for the graph *key* (and these
    *as_of* and *basis*), or None."""
    from bioeco.analyses.incremental import STATE_FILE, read_state

    try:
        state = read_state(read_bounded(folder / STATE_FILE, max_bytes=MAX_GRAPH_BYTES))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if state.get("graph") != key or state.get("as_of") != as_of or state.get("basis") != basis:
        return None
    return state


def _table_columns(path: Path, entry: dict, names: tuple[str, ...]) -> pd.DataFrame | None:
    """The columns *names* (text) of an analysis table in *path*, in its row order, when the
    file is the one the manifest *entry* describes (its SHA-256); else None. Only these
    columns are parsed: the tables' lists are long at scale."""
    import csv
    import hashlib
    import io

    import pandas as pd

    from bioeco.analyses.stored import cell_text

    try:
        raw = read_bounded(path, max_bytes=MAX_GRAPH_BYTES, within=path.parent)
    except OSError:
        return None
    if hashlib.sha256(raw).hexdigest() != entry.get("sha256"):
        return None
    rows = csv.DictReader(io.StringIO(raw.decode("utf-8")))
    if not set(names) <= set(rows.fieldnames or ()):
        return None
    return pd.DataFrame([[cell_text(r[n]) for n in names] for r in rows], columns=list(names))


WHATIF_TABLES = ("whatif_steps", "whatif_changes", "whatif_suggestions")
"""The tables of :func:`whatif`, written to ``<out>/whatif/<table>.csv``."""


def whatif(
    scenario: Path | str | None = None,
    *,
    suggest: int | None = None,
    goal: str = "both",
    region: str | None = None,
    as_of: int | None = None,
    basis: str = "all",
    data_dir: Path | str | None = None,
    graph_file: Path | str | list[Path | str] | tuple[Path | str, ...] | None = None,
    out_dir: Path | str | None = None,
    write: bool = True,
) -> dict[str, pd.DataFrame]:
    """What-if on the graph (see :func:`open_graph`): apply a *scenario* file and/or *suggest*
    the N actions that would change the most (:mod:`bioeco.analyses.whatif`).

    Returns the tables ``whatif_steps`` and ``whatif_changes`` (with a scenario) and
    ``whatif_suggestions`` (with *suggest*); with *write* they replace the set
    ``<out>/whatif/*.csv`` at once. Neither ``data/`` nor the graph files change. Raises
    :class:`~bioeco.errors.DataError` for a bad scenario row and
    :class:`~bioeco.errors.UsageError` when neither a scenario nor *suggest* is given.
    """
    from bioeco.analyses.run import table_csv
    from bioeco.analyses.whatif import suggest_actions
    from bioeco.analyses.whatif import whatif as run_whatif

    if scenario is None and not suggest:
        raise UsageError("give a scenario file or ask for suggestions (--suggest N)")
    net, pairs, cross, state = _analysed_network(
        data_dir,
        graph_file,
        out_dir,
        as_of,
        basis,
        want_pairs=region is None,
        want_state=scenario is not None,
    )
    source = net
    if net is None:  # read the graph, once for both
        from bioeco.analyses.project import load_network

        graph = open_graph(data_dir, graph_file, with_analysis=False)
        step("reading the network")
        source = net = load_network(graph, as_of=as_of, basis=basis)
    tables: dict[str, pd.DataFrame] = {}
    if scenario is not None:
        tables.update(run_whatif(source, scenario, cross=cross, start=state))
    if suggest:
        tables["whatif_suggestions"] = suggest_actions(
            source, suggest, goal=goal, region=region, pairs=pairs
        )
    if write:
        out = Path(out_dir) if out_dir is not None else OUT_DIR
        atomic_write_set(out / "whatif", {f"{n}.csv": table_csv(f) for n, f in tables.items()})
    return tables
