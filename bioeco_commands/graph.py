"""Commands that make the graph and look at it: build, check, validate, stats."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from bioeco.errors import BioecoError, ValidationFailed
from bioeco_commands.options import (
    DATA_OPTION,
    FORMAT_OPTION,
    GRAPH_OPTION,
    GRAPHS_OPTION,
    choose_table,
    echo_tables,
    fail,
    out_option,
    table_view,
    table_width,
)

__all__ = [
    "build",
    "check",
    "stats",
    "validate",
]


@click.command()
@DATA_OPTION
@out_option("Output folder (default: out/).")
@click.option("--no-validate", is_flag=True, help="Write the graph even if SHACL finds problems.")
def build(data_dir: Path | None, out_dir: Path | None, no_validate: bool) -> None:
    """Build the graph from the tables and write bioeco.trig and bioeco.ttl (atomically)."""
    from bioeco.pipeline import build as run_build

    try:
        result = run_build(data_dir, out_dir, check=not no_validate)
    except ValidationFailed as exc:
        click.echo(exc.report, err=True)
        raise fail(exc) from None
    except BioecoError as exc:
        raise fail(exc) from None
    counts = result.records.counts()
    click.echo(
        "Built {actors} actors, {initiatives} initiatives, {people} people, "
        "{memberships} memberships, {classifications} classifications, "
        "{observations} observations from {sources} sources.".format(**counts)
    )
    if result.report is not None:
        click.echo(result.report.text())
    for _kind, path in sorted(result.files.items()):
        click.echo(f"Wrote {path}")
    _warn(result.warnings)


def _warn(findings: list) -> None:
    """Near-duplicate names, one escaped line each on stderr."""
    if not findings:
        return  # the formats module costs 0.5 s of imports (pandas)
    from bioeco.core.formats import escape_controls

    for finding in findings:
        click.echo(f"warning: {escape_controls(str(finding))}", err=True)


@click.command()
@DATA_OPTION
def check(data_dir: Path | None) -> None:
    """Report near-duplicate actors and initiatives: the same name twice, or names that differ
    only by look-alike letters of another script or invisible characters (file and row of both).

    Exit code 0 when none are found, 1 when some are (the build still accepts them).
    """
    from bioeco.ingest.check import near_duplicates
    from bioeco.ingest.load import load_records

    try:
        findings = near_duplicates(load_records(data_dir))
    except BioecoError as exc:
        raise fail(exc) from None
    _warn(findings)
    if findings:
        raise click.exceptions.Exit(1)
    click.echo("No near-duplicate names found.")


@click.command()
@DATA_OPTION
@GRAPH_OPTION
@click.option("--limit", type=int, default=50, show_default=True, help="Violations to show.")
@click.option(
    "--engine",
    type=click.Choice(["oxigraph", "pyshacl"]),
    default="oxigraph",
    show_default=True,
    help="oxigraph: the shapes as SPARQL queries (fast); pyshacl: the reference validator.",
)
def validate(data_dir: Path | None, graph_file: Path | None, limit: int, engine: str) -> None:
    """Check the graph against the SHACL shapes (exit code 3 if it does not conform)."""
    from bioeco.pipeline import validate as run_validate

    try:
        report = run_validate(data_dir, graph_file, engine=engine)
    except BioecoError as exc:
        raise fail(exc) from None
    click.echo(report.text(limit=limit))
    if not report.conforms:
        sys.exit(ValidationFailed.exit_code)


@click.command()
@DATA_OPTION
@GRAPHS_OPTION
@FORMAT_OPTION
@click.option(
    "--table",
    default=None,
    help="Print only this table: graphs, classes, sources, or sectors (actors and initiatives "
    "per sector as the report counts them; only when asked for).",
)
@table_view
def stats(
    data_dir: Path | None,
    graph_files: tuple[Path, ...],
    fmt: str,
    table: str | None,
    wide: bool,
    max_width: int | None,
) -> None:
    """Counts per named graph, per class, per source document and per sector (the count the
    report, the viewer and the workbook give)."""
    from bioeco.pipeline import STATS_TABLES, statistics

    choose_table(fmt, STATS_TABLES, table)
    try:
        tables = statistics(data_dir, list(graph_files) or None, sectors=table == "sectors")
    except BioecoError as exc:
        raise fail(exc) from None
    notes = {n: f"Counted: {t.attrs['summary']}" for n, t in tables.items() if n == "sectors"}
    echo_tables(tables, fmt, table, table_width(wide, max_width), notes if fmt != "json" else None)
