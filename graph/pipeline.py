"""The main jobs as single calls: build the graph from data/, open a built graph, validate it."""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rdflib import Dataset, URIRef

from bioeco.errors import UsageError, ValidationFailed
from bioeco.export import (
    atomic_write,
    atomic_write_set,
    remove_stale_temps,
    serialize_trig,
    write_outputs,
)
from bioeco.freshness import MANIFEST, StaleGraphWarning, build_state, manifest_text, table_digests
from bioeco.paths import DATA_DIR, OUT_DIR
from bioeco.progress import job, step
from bioeco.store import load_dataset

if TYPE_CHECKING:  # imported where used: `bioeco query` / `stats` on a built graph need none
    # of them (pyshacl, the loader and the look-alike tables cost start-up time)
    import pandas as pd

    from bioeco.check import Finding
    from bioeco.load import Records
    from bioeco.validate import ValidationReport

__all__ = [
    "AnalysisOutput",
    "BuildResult",
    "analyze",
    "build",
    "open_graph",
    "run_clock",
    "validate",
]


@dataclass
class BuildResult:
    """What :func:`build` did: the dataset, the records, the files written, the SHACL report."""

    dataset: Dataset
    records: Records
    files: dict[str, Path] = field(default_factory=dict)
    report: ValidationReport | None = None
    warnings: list[Finding] = field(default_factory=list)
    """Near-duplicate names (:func:`bioeco.check.near_duplicates`): reported, not refused."""


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
    from bioeco.build import build_dataset
    from bioeco.check import near_duplicates
    from bioeco.load import load_records
    from bioeco.validate import validate_graph

    onto = Path(ontology_dir) if ontology_dir else None
    tables = table_digests(data_dir if data_dir is not None else DATA_DIR) if write else None
    step("loading tables")
    records = load_records(data_dir, ontology_dir=onto)
    step("building the graph")
    dataset = build_dataset(records=records, ontology_dir=onto)
    result = BuildResult(dataset=dataset, records=records, warnings=near_duplicates(records))
    if check:
        step("validating (SHACL)")
        result.report = validate_graph(dataset, ontology_dir=onto)
        if not result.report.conforms:
            raise ValidationFailed(
                "the graph does not conform to the SHACL shapes; nothing was written",
                result.report.text(),
            )
    if write:
        out = Path(out_dir) if out_dir else OUT_DIR
        step("writing bioeco.trig and bioeco.ttl")
        result.files = write_outputs(dataset, out)
        # after the graph: a build killed in between leaves a manifest that does not
        # describe the new file, which open_graph reports instead of trusting it
        remove_stale_temps(out, (MANIFEST,))
        graph = result.files["trig"].read_bytes()
        text = manifest_text(data_dir, graph, tables=tables, ontology_dir=onto)
        result.files["manifest"] = atomic_write(out / MANIFEST, text)
    return result


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
) -> Dataset:
    """The graph to work on: *graph_file* (one file or a list) if given, else built from
    *data_dir* if given,
    else ``out/bioeco.trig`` if it exists, else built from ``data/`` in memory.

    ``out/bioeco.trig`` is used only while it is current (:func:`bioeco.freshness.build_state`:
    the content hashes of the tables in its build manifest still match). When the tables (or
    the ontology) changed since, the graph is built from them in memory instead and a
    :class:`~bioeco.freshness.StaleGraphWarning` says so in one line; when the match cannot
    be told (no manifest) the file is used and the warning says that.

    When the graph comes from ``out/`` and *with_analysis* is true, the ``analysis`` named
    graph in ``out/analysis.trig`` (written by :func:`analyze`) is loaded too, so SPARQL can
    ask about analysis results.
    """
    if graph_file is not None and data_dir is not None:
        raise UsageError("give either a data directory or a graph file, not both")
    if isinstance(graph_file, list | tuple):
        return _load_files(graph_file)
    if graph_file is not None:
        return load_dataset(graph_file)
    from bioeco.build import build_dataset

    out = Path(out_dir) if out_dir else OUT_DIR
    onto = Path(ontology_dir) if ontology_dir else None
    if data_dir is None and (out / "bioeco.trig").is_file():
        state = build_state(out, ontology_dir=onto)
        if state.message:
            warnings.warn(state.message, StaleGraphWarning, stacklevel=2)
        if state.state == "stale" and state.data_dir is not None:
            return build_dataset(state.data_dir, ontology_dir=onto)
        dataset = load_dataset(out / "bioeco.trig")
        if with_analysis and (out / "analysis.trig").is_file():
            load_dataset(out / "analysis.trig", into=dataset)  # the safe loader: one-line errors
        return dataset
    return build_dataset(data_dir, ontology_dir=onto)


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
    *engine* is :func:`~bioeco.validate.validate_graph`'s (``oxigraph`` or ``pyshacl``)."""
    from bioeco.build import build_dataset
    from bioeco.validate import validate_graph

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


def run_clock() -> datetime:
    """Now, in UTC, or ``SOURCE_DATE_EPOCH`` when set (reproducible analysis graphs)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), tz=UTC)
    return datetime.now(tz=UTC).replace(microsecond=0)


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
    *thresholds* are passed on to :func:`graph.analyze.run.run_analyses` (e.g. ``min_shared``).
    *endpoint* (a :class:`bioeco.remote.Remote`) reads an external SPARQL store instead of a
    local graph, in bounded pages.
    Raises :class:`~bioeco.errors.UsageError` for unknown sector/region codes.
    """
    from bioeco.analyze.record import results_to_rdf
    from bioeco.analyze.run import csv_files, cut_top, run_analyses

    if endpoint is not None and "change" in kinds:
        raise UsageError(
            "the change analysis needs the local graph (it splits it by source year); "
            "run it without --endpoint"
        )
    if endpoint is not None:  # like the local run: without earlier analysis results
        from bioeco.vocab import analysis_graph

        dataset = endpoint.without(str(analysis_graph()))
        names = list(dataset.graphs())
    else:
        step("opening the graph")
        dataset = open_graph(data_dir, graph_file, out_dir=out_dir, with_analysis=False)
        names = [str(g.identifier) for g in dataset.graphs() if isinstance(g.identifier, URIRef)]
    started = run_clock()
    tables = run_analyses(
        dataset,
        kinds,
        top=None if write else top,  # the files always hold the full tables
        sector=sector,
        region=region,
        as_of=as_of,
        seed=seed,
        **thresholds,
    )
    ended = max(run_clock(), started)
    output = AnalysisOutput(
        tables=cut_top(tables, top), rows={name: len(df) for name, df in tables.items()}
    )
    if write:
        out = Path(out_dir) if out_dir else OUT_DIR
        used = sorted(name for name in names if "/graph/source/" in name)
        params = {
            "kinds": list(kinds),
            "sector": sector,
            "region": region,
            "as_of": as_of,
            "seed": seed,
            **thresholds,
        }
        rdf = results_to_rdf(tables, params, started=started, ended=ended, used=used)
        files = {p.name: data for p, data in csv_files(tables, out / "analysis").items()}
        files["analysis.trig"] = serialize_trig({rdf.identifier: rdf})
        # the tables and the graph of one run switch together (one rename); out/analysis.trig
        # is a fixed link into the current set
        output.files = atomic_write_set(
            out / "analysis", files, links={out / "analysis.trig": "analysis/analysis.trig"}
        )
    return output
