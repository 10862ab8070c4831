"""Build the graph from data/ (tables → quads → store and files), validate it, count it."""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox
from rdflib import Dataset

from bioeco.core.paths import DATA_DIR, OUT_DIR
from bioeco.core.progress import job, step
from bioeco.core.safeio import MAX_GRAPH_BYTES, read_bounded
from bioeco.errors import DataError, UsageError, ValidationFailed
from bioeco.ingest.export import (
    atomic_write,
    remove_stale_temps,
    serialize_built,
    write_graph_files,
)
from bioeco.pipeline.open_step import load_files, open_graph
from bioeco.store.dataset import close_dataset, load_dataset, wrap_store
from bioeco.store.disk import (
    STORE,
    db_path,
    digest,
    new_store_dir,
    open_store,
    switch_store,
    write_state,
)
from bioeco.store.freshness import MANIFEST, file_stamp, manifest_text, table_digests

if TYPE_CHECKING:  # imported where used: `bioeco query` / `stats` on a built graph need none
    # of them (pyshacl, the loader and the look-alike tables cost start-up time)
    import pandas as pd

    from bioeco.ingest.check import Finding
    from bioeco.ingest.load import Records
    from bioeco.validate.shacl import ValidationReport

__all__ = ["STATS_TABLES", "BuildResult", "build", "statistics", "validate"]


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
    # of TriG handed over while the quads are made, and meanwhile this thread sorts them and
    # writes the TriG and Turtle text (bioeco.ingest.turtle). The store is the longest path:
    # two chunks load at once, so both cores stay busy once this thread is done (scale 100:
    # about 6 s less waiting at the end on a loaded machine, peak 1.3 -> 1.6 GB). The store's
    # load may skip Oxigraph's IRI checks (lenient) only when the text pass checks every
    # term strictly, as it does.
    try:
        feed = StoreFeed(db_path(folder) if folder else None, lenient=write, threads=2)
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
            from bioeco.validate.shacl import validate_graph  # 0.5 s of imports (pandas)

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
        stamp = file_stamp(out / "bioeco.trig")  # the file just written, with this digest
        write_state(folder, digest(graph), analysis, graph_stamp=stamp)
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
        dataset = load_files(graph_file)
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
