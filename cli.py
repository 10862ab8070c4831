"""bioeco command line: one thin click command per job; the work happens in ``bioeco``.

The commands live in ``bioeco_commands/`` by group (graph, sparql, analysis, extract,
present, and the options they share); this module is the entry point (``bioeco = cli:main``)
that gathers them. Their names import from here as well.
"""

from __future__ import annotations

import contextlib
import sys
import warnings

import click

from bioeco_commands.analysis import analyze, whatif
from bioeco_commands.extract import accept, extract
from bioeco_commands.graph import build, check, stats, validate
from bioeco_commands.options import (
    BASIS_CHOICES,
    DATA_OPTION,
    FORMAT_OPTION,
    GRAPH_OPTION,
    GRAPHS_OPTION,
)
from bioeco_commands.present import export_command, report_command, viz
from bioeco_commands.sparql import push, queries, query, serve

__all__ = [
    "BASIS_CHOICES",
    "DATA_OPTION",
    "FORMAT_OPTION",
    "GRAPHS_OPTION",
    "GRAPH_OPTION",
    "accept",
    "analyze",
    "build",
    "check",
    "export_command",
    "extract",
    "main",
    "push",
    "queries",
    "query",
    "report_command",
    "serve",
    "stats",
    "validate",
    "viz",
    "whatif",
]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="bioeco")
@click.option(
    "-q", "--quiet", is_flag=True, help="No progress line on the terminal (errors still show)."
)
def main(quiet: bool) -> None:
    """bioeco: a knowledge graph of the bioeconomy ecosystem.

    Exit codes: 0 ok, 1 data error, 2 usage error, 3 the graph does not conform to the shapes,
    4 a query ran past its time limit, 5 an output could not be written, 130 interrupted.
    """
    ctx = click.get_current_context()
    ctx.with_resource(_warnings_as_lines())
    if not quiet and sys.stderr.isatty():
        ctx.with_resource(_progress_line())


@contextlib.contextmanager
def _progress_line():
    """On a terminal: one status line on stderr naming the step the library is in, shown once a
    job has run for about a second (``BIOECO_PROGRESS_DELAY``), and cleared at the end."""
    import os
    import time

    from bioeco.core.formats import escape_controls
    from bioeco.core.progress import listening

    delay = float(os.environ.get("BIOECO_PROGRESS_DELAY", "1"))
    start = time.monotonic()
    shown = False

    def show(name: str) -> None:
        nonlocal shown
        if not name:  # a job is over: clear the line before its results are printed
            if shown:
                sys.stderr.write("\r\x1b[K")
                sys.stderr.flush()
                shown = False
            return
        elapsed = time.monotonic() - start
        if elapsed < delay:
            return
        sys.stderr.write(f"\r\x1b[Kbioeco: {escape_controls(name)} … [{elapsed:.0f} s]")
        sys.stderr.flush()
        shown = True

    try:
        with listening(show):
            yield
    finally:
        if shown:  # clear the status line before anything else is printed
            sys.stderr.write("\r\x1b[K")
            sys.stderr.flush()


@contextlib.contextmanager
def _warnings_as_lines():
    """While a command runs, each warning of the library (e.g. a stale out/bioeco.trig) is
    one line on stderr, ``Warning: …``, every time; other warnings keep their usual form."""
    from bioeco.store.freshness import StaleGraphWarning

    with warnings.catch_warnings():
        warnings.simplefilter("always", StaleGraphWarning)
        usual = warnings.showwarning

        def show(message, category, filename, lineno, file=None, line=None):
            if issubclass(category, StaleGraphWarning):
                click.echo(f"Warning: {message}", err=True)
            else:
                usual(message, category, filename, lineno, file, line)

        warnings.showwarning = show
        yield


for _command in (
    build, check, validate, stats,  # the graph
    query, queries, serve, push,  # SPARQL
    analyze, whatif,  # analyses
    extract, accept,  # new reports
    report_command, viz, export_command,  # pages and files
):  # fmt: skip
    main.add_command(_command)


if __name__ == "__main__":
    main()
