"""The main jobs as single calls: build the graph from data/, open a built graph, validate it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Dataset

from graph.build import build_dataset
from graph.errors import UsageError, ValidationFailed
from graph.export import write_outputs
from graph.load import Records, load_records
from graph.paths import OUT_DIR
from graph.store import load_dataset
from graph.validate import ValidationReport, validate_graph

__all__ = ["BuildResult", "build", "open_graph", "validate"]


@dataclass
class BuildResult:
    """What :func:`build` did: the dataset, the records, the files written, the SHACL report."""

    dataset: Dataset
    records: Records
    files: dict[str, Path] = field(default_factory=dict)
    report: ValidationReport | None = None


def build(
    data_dir: Path | str | None = None,
    out_dir: Path | str | None = None,
    *,
    ontology_dir: Path | str | None = None,
    check: bool = True,
    write: bool = True,
) -> BuildResult:
    """Load *data_dir*, build the graph, validate it and write ``bioeco.trig`` / ``bioeco.ttl``.

    Nothing is written when loading fails (:class:`~graph.errors.DataError`) or, with
    *check*, when the graph does not conform to the shapes
    (:class:`~graph.errors.ValidationFailed`, carrying the report).
    """
    onto = Path(ontology_dir) if ontology_dir else None
    records = load_records(data_dir, ontology_dir=onto)
    dataset = build_dataset(records=records, ontology_dir=onto)
    result = BuildResult(dataset=dataset, records=records)
    if check:
        result.report = validate_graph(dataset, ontology_dir=onto)
        if not result.report.conforms:
            raise ValidationFailed(
                "the graph does not conform to the SHACL shapes; nothing was written",
                result.report.text(),
            )
    if write:
        result.files = write_outputs(dataset, Path(out_dir) if out_dir else OUT_DIR)
    return result


def open_graph(
    data_dir: Path | str | None = None,
    graph_file: Path | str | None = None,
    *,
    ontology_dir: Path | str | None = None,
) -> Dataset:
    """The graph to work on: *graph_file* if given, else built from *data_dir* if given,
    else ``out/bioeco.trig`` if it exists, else built from ``data/`` in memory."""
    if graph_file is not None:
        return load_dataset(graph_file)
    if data_dir is None and (OUT_DIR / "bioeco.trig").is_file():
        return load_dataset(OUT_DIR / "bioeco.trig")
    onto = Path(ontology_dir) if ontology_dir else None
    return build_dataset(data_dir, ontology_dir=onto)


def validate(
    data_dir: Path | str | None = None,
    graph_file: Path | str | None = None,
    *,
    ontology_dir: Path | str | None = None,
) -> ValidationReport:
    """Validate the graph in *graph_file*, or else the one built from *data_dir* (default
    ``data/``): validation checks the current tables, not a possibly stale ``out/``."""
    if graph_file is not None and data_dir is not None:
        raise UsageError("give either a data directory or a graph file, not both")
    onto = Path(ontology_dir) if ontology_dir else None
    if graph_file is not None:
        dataset = load_dataset(graph_file)
    else:
        dataset = build_dataset(data_dir, ontology_dir=onto)
    return validate_graph(dataset, ontology_dir=onto)
