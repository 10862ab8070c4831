"""bioeco command line: one thin click command per job; the work happens in ``bioeco``."""

from __future__ import annotations

import contextlib
import sys
import warnings
from pathlib import Path

import click

from bioeco.errors import BioecoError, ValidationFailed

DATA_OPTION = click.option(
    "--data",
    "data_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder with sources.csv and the tables (default: data/).",
)


def _one_or_several(
    ctx: click.Context, param: click.Parameter, value: tuple[Path, ...]
) -> Path | tuple[Path, ...] | None:
    """``--graph`` given once: that file; several times: all of them (never only the last)."""
    return None if not value else value[0] if len(value) == 1 else value


GRAPH_OPTION = click.option(
    "--graph",
    "graph_file",
    type=click.Path(dir_okay=False, path_type=Path),
    multiple=True,
    callback=_one_or_several,
    help="Read built graphs (.trig/.ttl/.nq/.nt; repeatable) instead of building from tables.",
)
GRAPHS_OPTION = click.option(
    "--graph",
    "graph_files",
    type=click.Path(dir_okay=False, path_type=Path),
    multiple=True,
    help="Read built graphs (.trig/.ttl/.nq/.nt; repeatable) instead of building from tables.",
)
FORMAT_OPTION = click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "json"]),
    default="table",
    show_default=True,
    help="Output format.",
)


BASIS_CHOICES = ("all", "stated", "inferred", "external")
"""The ``--basis`` values (the keys of :data:`bioeco.analyses.project.BASIS_LEVELS`; a test
checks they agree)."""


def _top_option(default: int | None = None, help_text: str = "Keep the N best rows."):
    shown = {"show_default": True} if default is not None else {}
    return click.option(
        "--top", type=click.IntRange(min=1), default=default, help=help_text, **shown
    )


def _sector_option(help_text: str = "Only rows about this sector code (e.g. marine)."):
    return click.option("--sector", default=None, help=help_text)


def _region_option(help_text: str = "Only actors in this region code (e.g. tromso)."):
    return click.option("--region", default=None, help=help_text)


def _as_of_option(help_text: str = "Only memberships valid in this year."):
    return click.option(
        "--as-of", "as_of", type=click.IntRange(1900, 2100), default=None, help=help_text
    )


def _seed_option(help_text: str = "Seed for sampled metrics."):
    return click.option("--seed", type=int, default=42, show_default=True, help=help_text)


def _basis_option(help_text: str, choices: tuple[str, ...] = BASIS_CHOICES):
    return click.option(
        "--basis", type=click.Choice(choices), default="all", show_default=True, help=help_text
    )


def _out_option(help_text: str):
    return click.option(
        "--out",
        "out_dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help=help_text,
    )


def _table_view(func):
    """The --wide / --max-width options of the table view."""
    func = click.option(
        "--max-width",
        type=click.IntRange(min=20),
        default=None,
        help="Table view: cut text cells so lines fit N characters (default: terminal width).",
    )(func)
    return click.option(
        "--wide", is_flag=True, help="Table view: never cut cells (lines may be long)."
    )(func)


def _width(wide: bool, max_width: int | None) -> int | None:
    """Line width of the table view: None (never cut) with --wide, else --max-width, else the
    terminal's width (COLUMNS, or 120 when the output is not a terminal)."""
    import shutil

    if wide:
        return None
    return max_width or shutil.get_terminal_size((120, 24)).columns


def _usage(message: str) -> click.ClickException:
    """A one-line usage error (exit code 2)."""
    err = click.ClickException(message)
    err.exit_code = 2
    return err


def _choose_table(fmt: str, available: tuple[str, ...], table: str | None, hint: str = "") -> None:
    """Check --table against the tables a command gives; CSV holds one table only."""
    if table is not None and table not in available:
        raise _usage(f"no table {table!r} here: choose one of {', '.join(available)}")
    if fmt == "csv" and table is None and len(available) > 1:
        raise _usage(
            f"--format csv prints one table: choose it with --table ({', '.join(available)}) "
            f"or use --format json for all{hint}"
        )


def _echo_tables(
    tables: dict, fmt: str, table: str | None, width: int | None, notes: dict | None = None
) -> None:
    """Print named tables as one document: a JSON object of tables, one CSV table, or a
    '== name (N rows)' block per table (with its note line)."""
    from bioeco.core.formats import format_tables

    names = [table] if table is not None else None
    click.echo(format_tables(tables, fmt, names=names, max_width=width, notes=notes), nl=False)


def _fail(exc: BioecoError) -> click.ClickException:
    """Map a library error to a one-line click error with the error class's exit code;
    control characters from the input are shown escaped (no forged lines, no terminal codes)."""
    from bioeco.core.formats import escape_controls

    err = click.ClickException(escape_controls(str(exc)) if str(exc) else type(exc).__name__)
    err.exit_code = exc.exit_code
    return err


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


@main.command()
@DATA_OPTION
@_out_option("Output folder (default: out/).")
@click.option("--no-validate", is_flag=True, help="Write the graph even if SHACL finds problems.")
def build(data_dir: Path | None, out_dir: Path | None, no_validate: bool) -> None:
    """Build the graph from the tables and write bioeco.trig and bioeco.ttl (atomically)."""
    from bioeco.pipeline import build as run_build

    try:
        result = run_build(data_dir, out_dir, check=not no_validate)
    except ValidationFailed as exc:
        click.echo(exc.report, err=True)
        raise _fail(exc) from None
    except BioecoError as exc:
        raise _fail(exc) from None
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
    from bioeco.core.formats import escape_controls

    for finding in findings:
        click.echo(f"warning: {escape_controls(str(finding))}", err=True)


@main.command()
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
        raise _fail(exc) from None
    _warn(findings)
    if findings:
        raise click.exceptions.Exit(1)
    click.echo("No near-duplicate names found.")


@main.command()
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
        raise _fail(exc) from None
    click.echo(report.text(limit=limit))
    if not report.conforms:
        sys.exit(ValidationFailed.exit_code)


@main.command()
@DATA_OPTION
@GRAPHS_OPTION
@FORMAT_OPTION
@click.option("--table", default=None, help="Print only this table: graphs, classes or sources.")
@_table_view
def stats(
    data_dir: Path | None,
    graph_files: tuple[Path, ...],
    fmt: str,
    table: str | None,
    wide: bool,
    max_width: int | None,
) -> None:
    """Counts per named graph, per class and per source document."""
    from bioeco.pipeline import open_graph
    from bioeco.store.stats import TABLES, summary

    _choose_table(fmt, TABLES, table)
    try:
        tables = summary(open_graph(data_dir, list(graph_files) or None))
    except BioecoError as exc:
        raise _fail(exc) from None
    _echo_tables(tables, fmt, table, _width(wide, max_width))


# --------------------------------------------------------------------------- external SPARQL stores


def _endpoint_options(func):
    """--endpoint URL, --user U, --password-env VAR (for query, analyze, push)."""
    func = click.option(
        "--password-env",
        metavar="VAR",
        default=None,
        help="Name of the environment variable holding the password (never on the command line).",
    )(func)
    func = click.option("--user", default=None, help="User name for the store.")(func)
    return click.option(
        "--endpoint",
        metavar="URL",
        default=None,
        help="Query this SPARQL 1.1 endpoint instead of the local graph (see bioeco push).",
    )(func)


def _password(user: str | None, password_env: str | None) -> str | None:
    import os

    if password_env is None:
        return None
    if user is None:
        raise click.UsageError("--password-env needs --user")
    if password_env not in os.environ:
        raise click.UsageError(f"environment variable {password_env} is not set")
    return os.environ[password_env]


def _remote(
    endpoint: str, user: str | None, password_env: str | None, local: bool, timeout: float = 0
):
    from bioeco.serve.remote import Remote

    if local:
        raise click.UsageError("--endpoint reads the store: do not give --data or --graph too")
    try:
        password = _password(user, password_env)
        return Remote(endpoint, user=user, password=password, timeout=timeout or 120.0)
    except BioecoError as exc:
        raise _fail(exc) from None


@main.command()
@click.argument("sparql", required=False)
@click.option(
    "-f",
    "--file",
    "query_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Read the query from a file.",
)
@click.option("--name", "example", default=None, help="Run an example query (bioeco queries).")
@DATA_OPTION
@GRAPHS_OPTION
@FORMAT_OPTION
@click.option(
    "--timeout",
    type=click.FloatRange(min=0),
    default=30.0,
    show_default=True,
    help="Stop the query after this many seconds (0: no limit); exit code 4.",
)
@click.option(
    "--max-rows",
    type=click.IntRange(min=0),
    default=1000,
    show_default=True,
    help="Table view: show at most this many rows (0: all). CSV and JSON are never cut.",
)
@_table_view
@_endpoint_options
def query(
    sparql: str | None,
    query_file: Path | None,
    example: str | None,
    data_dir: Path | None,
    graph_files: tuple[Path, ...],
    fmt: str,
    timeout: float,
    max_rows: int,
    wide: bool,
    max_width: int | None,
    endpoint: str | None,
    user: str | None,
    password_env: str | None,
) -> None:
    """Run a SPARQL query (argument, -f FILE or --name NAME); prefixes bioeco:, org:, skos: …
    are predeclared.

    Reads out/bioeco.trig when it exists, else builds the graph from the tables in memory;
    --endpoint URL asks an external SPARQL store instead.
    The query runs on an engine thread that cannot open network connections; updates,
    SERVICE and LOAD are refused. Ctrl-C stops it (exit code 130).
    """
    from bioeco.core.formats import format_frame
    from bioeco.pipeline import open_graph
    from bioeco.store.query import select

    if sum(x is not None for x in (sparql, query_file, example)) != 1:
        raise click.UsageError("give one query: an argument, -f FILE or --name NAME")
    if example is not None:
        from bioeco.store.catalog import example_query

        try:
            text = example_query(example).text
        except BioecoError as exc:
            raise _fail(exc) from None
    elif sparql is not None:
        text = sparql
    else:
        from bioeco.core.safeio import UnsafeFile, read_bounded

        try:
            text = read_bounded(query_file, max_bytes=1 << 20).decode("utf-8")
        except UnsafeFile as exc:
            raise click.ClickException(f"{query_file}: {exc}") from None
        except UnicodeDecodeError as exc:
            raise click.ClickException(
                f"{query_file}: not valid UTF-8 (byte 0x{exc.object[exc.start]:02x} at offset "
                f"{exc.start}); save the query as UTF-8"
            ) from None
    limit = max_rows or None if fmt == "table" else None
    try:
        if endpoint is not None:
            local = bool(data_dir or graph_files)
            remote = _remote(endpoint, user, password_env, local, timeout)
            frame = remote.select(text)
        else:
            graph = open_graph(data_dir, list(graph_files) or None)
            frame = select(graph, text, timeout=timeout or None, max_rows=limit)
    except BioecoError as exc:
        raise _fail(exc) from None
    except KeyboardInterrupt:
        err = click.ClickException("interrupted: the query was stopped")
        err.exit_code = 130
        raise err from None
    click.echo(format_frame(frame, fmt, max_width=_width(wide, max_width)).rstrip("\n"))
    if frame.attrs.get("truncated"):
        click.echo(
            f"(first {limit} rows shown; --max-rows 0 shows all, --format csv writes all)",
            err=True,
        )


@main.command()
@click.argument("kind", type=click.Choice(["gaps", "overlap", "bridges", "change", "all"]))
@DATA_OPTION
@GRAPH_OPTION
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "text", "csv", "json"]),
    default=None,
    help="Output format: table, text (one finding per paragraph), csv or json "
    "[default: per table, the table when its explanations fit the width, else text].",
)
@_top_option()
@_sector_option()
@_region_option()
@_as_of_option()
@_seed_option()
@click.option(
    "--min-shared",
    type=click.IntRange(min=1),
    default=2,
    show_default=True,
    help="Overlap: least number of shared members for a pair of initiatives.",
)
@click.option(
    "--min-jaccard",
    type=click.FloatRange(0, 1),
    default=None,
    help="Overlap: least member Jaccard index of a pair (default 0).",
)
@click.option(
    "--min-overlap",
    type=click.FloatRange(0, 1),
    default=None,
    help="Overlap: least overlap coefficient of a pair (default 0).",
)
@click.option(
    "--thin",
    type=click.IntRange(min=1),
    default=None,
    help="Gaps: a cell with fewer entities than this is thin (default 3).",
)
@click.option(
    "--type",
    "type_code",
    default=None,
    help="Gaps: count only this actor/initiative type. Overlap: compare only initiatives of "
    "this type.",
)
@click.option(
    "--kind",
    "overlap_kind",
    type=click.Choice(["collaborations", "events", "applications", "other", "all"]),
    default=None,
    help="Overlap: which initiatives to compare with each other (default collaborations: "
    "clusters, networks, centres, programmes, projects, forums).",
)
@_basis_option(
    "Weakest basis of classifications to use: 'stated' (what the sources say), "
    "'inferred' (also what they imply), 'external' = 'all' (also outside knowledge)."
)
@click.option(
    "--from",
    "year_from",
    type=click.IntRange(1, 9999),
    default=None,
    help="Change: the earlier year (default: the first year a source describes).",
)
@click.option(
    "--to",
    "year_to",
    type=click.IntRange(1, 9999),
    default=None,
    help="Change: the later year (default: the last year a source describes).",
)
@click.option(
    "--scope",
    default=None,
    help="Change: all, region:CODE, sector:CODE or cluster:ID (default: the narrower of the "
    "two sources' areas).",
)
@_out_option("Write <out>/analysis/*.csv and <out>/analysis.trig (default: out/).")
@click.option("--no-write", is_flag=True, help="Only print; write no files.")
@click.option(
    "--table", default=None, help="Print only this table (e.g. bridges_pairs); CSV needs one."
)
@_table_view
@_endpoint_options
def analyze(
    kind: str,
    data_dir: Path | None,
    graph_file: Path | None,
    fmt: str | None,
    top: int | None,
    sector: str | None,
    region: str | None,
    as_of: int | None,
    seed: int,
    min_shared: int,
    min_jaccard: float | None,
    min_overlap: float | None,
    thin: int | None,
    type_code: str | None,
    overlap_kind: str | None,
    basis: str,
    year_from: int | None,
    year_to: int | None,
    scope: str | None,
    out_dir: Path | None,
    no_write: bool,
    table: str | None,
    wide: bool,
    max_width: int | None,
    endpoint: str | None,
    user: str | None,
    password_env: str | None,
) -> None:
    """Find value-chain gaps, overlapping initiatives, cross-sector bridge candidates and what
    changed between the years the sources describe (change: --from, --to, --scope).

    Prints the tables (--top N: the N best rows of each ranked table) and writes the full
    tables to <out>/analysis/<table>.csv and <out>/analysis.trig. --endpoint URL reads an
    external SPARQL store (in bounded pages) instead of the local graph.
    """
    from bioeco.analyses.run import GLOSSARY, TABLES, TERMS, table_csv
    from bioeco.pipeline import analyze as run_analyze

    kinds = ("all",) if kind == "all" else (kind,)
    fmt = fmt or "auto"
    available = tuple(name for k in (TABLES if kind == "all" else kinds) for name in TABLES[k])
    hint = "" if no_write else " (every table is also written to <out>/analysis/<table>.csv)"
    _choose_table(fmt, available, table, hint)
    optional = {"min_jaccard": min_jaccard, "min_overlap": min_overlap, "thin": thin}
    thresholds = {k: v for k, v in optional.items() if v is not None}
    if type_code is not None:
        thresholds["type"] = type_code
    if overlap_kind is not None:
        thresholds["kind"] = overlap_kind
    remote = None
    if endpoint is not None:
        remote = _remote(endpoint, user, password_env, bool(data_dir or graph_file))
        if kind == "all":
            click.echo("(with --endpoint, all is gaps, overlap and bridges)", err=True)
    changes = {"year_from": year_from, "year_to": year_to, "scope": scope}
    thresholds.update({k: v for k, v in changes.items() if v is not None})
    try:
        output = run_analyze(
            kinds,
            endpoint=remote,
            data_dir=data_dir,
            graph_file=graph_file,
            out_dir=out_dir,
            write=not no_write,
            top=top,
            sector=sector,
            region=region,
            as_of=as_of,
            seed=seed,
            min_shared=min_shared,
            basis=basis,
            **thresholds,
        )
    except BioecoError as exc:
        raise _fail(exc) from None
    if table is not None and table not in output.tables:
        raise _usage(f"table {table!r} was not made: the sources describe only one year")
    # what a table found (or could not find), in plain words, under the table
    summaries = {
        name: str(frame.attrs["summary"])
        for name, frame in output.tables.items()
        if frame.attrs.get("summary") and (table is None or name == table)
    }
    if fmt == "csv":  # the same bytes as the file <out>/analysis/<table>.csv
        name = table or available[0]
        click.echo(table_csv(output.tables[name]), nl=False)
    else:
        notes = {
            name: f"Terms: {', '.join(terms)} (see {GLOSSARY})"
            for name, terms in TERMS.items()
            if terms
        }
        if fmt != "json":  # table, text and the width-aware default
            for name, text in summaries.items():
                notes[name] = f"Summary: {text}" + (f"\n{notes[name]}" if name in notes else "")
        _echo_tables(output.tables, fmt, table, _width(wide, max_width), notes)
    for path in output.files:
        name = Path(path).stem
        shown = len(output.tables.get(name, ()))
        full = output.rows.get(name)
        note = f" ({full} rows; {shown} shown)" if full is not None and shown < full else ""
        click.echo(f"Wrote {path}{note}", err=True)


# --------------------------------------------------------------------------- what-if


@main.command()
@click.argument("scenario", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--suggest",
    type=click.IntRange(min=1),
    default=None,
    help="Suggest the N actions that would change the most (greedy, each given those before).",
)
@click.option(
    "--goal",
    type=click.Choice(["coverage", "bridges", "both"]),
    default="both",
    show_default=True,
    help="Suggestions: fill value-chain cells, bring sectors within reach, or both in turn.",
)
@_region_option("Suggestions: only actors and memberships in this region code.")
@_as_of_option("Only memberships valid in this year.")
@_basis_option("Weakest basis of classifications to use.")
@DATA_OPTION
@GRAPH_OPTION
@FORMAT_OPTION
@_out_option("Write <out>/whatif/*.csv (default: out/).")
@click.option("--no-write", is_flag=True, help="Only print; write no files.")
@click.option("--table", default=None, help="Print only this table; CSV needs one.")
@_table_view
def whatif(
    scenario: Path | None,
    suggest: int | None,
    goal: str,
    region: str | None,
    as_of: int | None,
    basis: str,
    data_dir: Path | None,
    graph_file: Path | None,
    fmt: str,
    out_dir: Path | None,
    no_write: bool,
    table: str | None,
    wide: bool,
    max_width: int | None,
) -> None:
    """What would planned actions change? SCENARIO is a CSV of actions (invite, introduce,
    start, merge, end; docs/whatif.md); --suggest N proposes actions instead (or as well).

    Effects on the network model, not predictions of outcomes. Nothing in data/ or the graph
    changes; the tables go to <out>/whatif/.
    """
    from bioeco.analyses.run import table_csv
    from bioeco.analyses.whatif import HONESTY
    from bioeco.pipeline import WHATIF_TABLES
    from bioeco.pipeline import whatif as run_whatif

    if scenario is None and suggest is None:
        raise _usage("give a SCENARIO file or --suggest N (see bioeco whatif --help)")
    available = tuple(
        name for name in WHATIF_TABLES if (name == "whatif_suggestions" and suggest)
        or (name != "whatif_suggestions" and scenario is not None)
    )  # fmt: skip
    _choose_table(fmt, available, table)
    try:
        tables = run_whatif(
            scenario,
            suggest=suggest,
            goal=goal,
            region=region,
            as_of=as_of,
            basis=basis,
            data_dir=data_dir,
            graph_file=graph_file,
            out_dir=out_dir,
            write=not no_write,
        )
    except BioecoError as exc:
        raise _fail(exc) from None
    if fmt == "csv":
        click.echo(table_csv(tables[table or available[0]]), nl=False)
    else:
        notes = dict.fromkeys(tables, HONESTY)
        _echo_tables(tables, fmt, table, _width(wide, max_width), notes)
    if not no_write:
        out = out_dir or Path("out")
        for name in tables:
            click.echo(f"Wrote {out / 'whatif' / (name + '.csv')}", err=True)


# --------------------------------------------------------------------------- extract / accept


@main.command()
@click.argument("report", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--source-id", required=True, help="Id of the report in data/sources.csv (new or known)."
)
@click.option(
    "-o",
    "--out",
    "out_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the proposals CSV here (default: print it).",
)
@click.option(
    "--publisher",
    default=None,
    help="Actor/initiative id of the publisher (default: from sources.csv); "
    "'klyngen' then means it.",
)
@DATA_OPTION
def extract(
    report: Path,
    source_id: str,
    out_file: Path | None,
    publisher: str | None,
    data_dir: Path | None,
) -> None:
    """Propose facts from a report (.txt, .md, .pdf): mentions, memberships, new actors.

    Review the CSV (set status to accepted or rejected), then run `bioeco accept`.
    """
    from bioeco.extract import extract_report

    try:
        result = extract_report(
            report, source_id, data_dir=data_dir, publisher=publisher, out=out_file
        )
    except BioecoError as exc:
        raise _fail(exc) from None
    if out_file is None:
        click.echo(result.csv, nl=False)
        return
    c = result.counts()
    click.echo(
        f"{c['mention']} mentions, {c['membership']} memberships, {c['new-actor']} new actors "
        f"({c['recorded']} already recorded) from {len(result.document.lines)} lines; "
        f"wrote {out_file}"
    )


@main.command()
@click.argument("proposals", type=click.Path(dir_okay=False, path_type=Path))
@DATA_OPTION
@click.option("--title", default="", help="Title of a new source (creates its sources.csv row).")
@click.option("--title-en", default="", help="English title of a new source.")
@click.option("--issued", default="", help="Publication date of a new source (YYYY[-MM[-DD]]).")
@click.option("--publisher", default="", help="Actor/initiative id publishing a new source.")
@click.option("--language", default="nb", show_default=True, help="Language tag of a new source.")
def accept(
    proposals: Path,
    data_dir: Path | None,
    title: str,
    title_en: str,
    issued: str,
    publisher: str,
    language: str,
) -> None:
    """Append the proposals marked accepted to data/<source>/; remember the rejected ones.

    Rows are validated like hand-written rows; on any problem nothing is written.
    """
    from bioeco.extract.accept import SourceInfo, accept_proposals

    info = SourceInfo(title, issued, publisher, language, title_en)
    try:
        result = accept_proposals(proposals, data_dir=data_dir, source=info)
    except BioecoError as exc:
        raise _fail(exc) from None
    click.echo(result.summary())


# --------------------------------------------------------------------------- report


@main.command("report")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Where to write the page (default: out/report.html).",
)
@DATA_OPTION
@GRAPH_OPTION
@_top_option(10, "Rows per ranking.")
@_sector_option()
@_region_option()
@_as_of_option()
@_basis_option("Weakest basis of classifications to use (as in analyze).")
@_seed_option()
@click.option(
    "--whatif",
    "plan",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Add a what-if plan (CSV of actions, see bioeco whatif) to 'Actions that would "
    "change the most'.",
)
@click.option(
    "--suggest",
    type=click.IntRange(min=1),
    default=None,
    help="Add the N suggested actions that would change the most.",
)
def report_command(
    output: Path | None,
    data_dir: Path | None,
    graph_file: Path | None,
    top: int,
    sector: str | None,
    region: str | None,
    as_of: int | None,
    basis: str,
    seed: int,
    plan: Path | None,
    suggest: int | None,
) -> None:
    """Write the findings report: one self-contained HTML page to send to a colleague.

    Key findings first (each with its evidence), then coverage, sector pairs, overlapping
    initiatives, bridge actors, suggested pairs and the change between the sources' years,
    each with explanations and sources; with --whatif/--suggest the actions that would change
    the most; an appendix with the further rows, counts, survey figures, method and parameters.
    Works offline; links to viewer.html next to it.
    """
    from bioeco.viz.report import report as write_page

    try:
        path = write_page(
            output,
            data_dir=data_dir,
            graph_file=graph_file,
            top=top,
            sector=sector,
            region=region,
            as_of=as_of,
            basis=basis,
            seed=seed,
            whatif=plan,
            suggest=suggest,
        )
    except BioecoError as exc:
        raise _fail(exc) from None
    click.echo(f"Wrote {path}")


# --- viz: the interactive viewer (graph/bioeco/viz/viewer.py) ---------------------------------
@main.command()
@DATA_OPTION
@GRAPH_OPTION
@click.option(
    "-o",
    "--output",
    "output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="HTML file to write (default: out/viewer.html).",
)
@click.option(
    "--view",
    type=click.Choice(["bipartite", "actors"]),
    default="bipartite",
    show_default=True,
    help="Actors and initiatives, or the actor projection (actors linked by shared initiatives).",
)
@click.option(
    "--size-by",
    type=click.Choice(
        ["bridge", "betweenness", "participation", "effective-size", "brokerage", "degree", "none"]
    ),
    default="bridge",
    show_default=True,
    help="Node size: a bridges_actors measure, the degree in the view, or none.",
)
@click.option(
    "--focus", default=None, help="Only this node and its neighbours (id, e.g. actor/uit)."
)
@click.option(
    "--depth", type=click.IntRange(min=0), default=1, show_default=True, help="Links from --focus."
)
@_sector_option("Only nodes in this sector (or below), e.g. marine.")
@_region_option("Only members in this region (or below), e.g. tromso.")
@click.option("--type", "type_code", default=None, help="Only nodes of this type, e.g. cluster.")
@_as_of_option("Only memberships valid in this year (as in analyze).")
@_basis_option(
    "Weakest basis of classifications to use (as in analyze): 'stated' (what the sources say), "
    "'inferred' (also what they imply), 'external' = 'all'."
)
@click.option(
    "--highlight",
    type=click.Choice(["bridges", "overlap", "gaps"]),
    multiple=True,
    help="Overlay from the analyses (repeatable): bridges, overlap, gaps.",
)
@_top_option(10, "How many bridge candidates, suggested pairs and overlapping pairs to mark.")
@_seed_option("Seed for layout and metrics.")
def viz(
    data_dir: Path | None,
    graph_file: Path | None,
    output: Path | None,
    view: str,
    size_by: str,
    focus: str | None,
    depth: int,
    sector: str | None,
    region: str | None,
    type_code: str | None,
    as_of: int | None,
    basis: str,
    highlight: tuple[str, ...],
    top: int,
    seed: int,
) -> None:
    """Write the interactive viewer: one self-contained HTML file that works offline."""
    from bioeco.core.paths import OUT_DIR
    from bioeco.pipeline import open_graph
    from bioeco.viz.viewer import write_viewer

    target = output if output is not None else OUT_DIR / "viewer.html"
    try:
        path = write_viewer(
            open_graph(data_dir, graph_file, store=False),  # whole graph: faster in memory
            output,
            view=view,
            size_by=size_by,
            focus=focus,
            depth=depth,
            sector=sector,
            region=region,
            type=type_code,
            as_of=as_of,
            basis=basis,
            highlight=highlight,
            top=top,
            seed=seed,
        )
    except BioecoError as exc:
        raise _fail(exc) from None
    except OSError as exc:
        raise click.ClickException(f"cannot write {target}: {exc.strerror or exc}") from None
    click.echo(f"Wrote {path}")


# --------------------------------------------------------------------------- SPARQL endpoint


@main.command()
@GRAPHS_OPTION
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on (warns if not loopback).",
)
@click.option(
    "--port", type=click.IntRange(0, 65535), default=7878, show_default=True, help="Port."
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0.1),
    default=30.0,
    show_default=True,
    help="Time limit of one answer in seconds.",
)
@click.option(
    "--memory-limit",
    "memory_mb",
    type=click.IntRange(min=256),
    default=4096,
    show_default=True,
    help="Memory (address space) limit of the engine in MB.",
)
def serve(
    graph_files: tuple[Path, ...], host: str, port: int, timeout: float, memory_mb: int
) -> None:
    """Serve the built graph (plus out/analysis.trig) as a read-only SPARQL endpoint.

    SPARQL 1.1 Protocol at http://HOST:PORT/query (the Oxigraph server): updates, Graph Store
    writes and SERVICE are refused; results by content negotiation. Ctrl-C stops it.
    """
    from bioeco.serve.endpoint import serve as run_serve

    try:
        run_serve(
            list(graph_files) or None,
            host=host,
            port=port,
            timeout=timeout,
            memory_mb=memory_mb,
            announce=lambda line: click.echo(line, err=True),
        )
    except BioecoError as exc:
        raise _fail(exc) from None


@main.command()
def queries() -> None:
    """List the example queries (graph/bioeco/store/queries/*.rq) with the question each answers."""
    from bioeco.core.vocab import PREFIX_HEADER  # not bioeco.store.query: listing needs no pandas
    from bioeco.store.catalog import example_queries

    for example in example_queries():
        click.echo(f"{example.name}\n    {example.question}")
    click.echo("")
    click.echo("Run one with: bioeco query --name NAME [--endpoint URL]")
    click.echo("Predeclared prefixes (write them in queries sent to other endpoints):")
    click.echo(PREFIX_HEADER.rstrip("\n"))


@main.command()
@GRAPHS_OPTION
@click.option("--endpoint", metavar="URL", required=True, help="The store's SPARQL endpoint.")
@click.option(
    "--graph-store",
    metavar="URL",
    default=None,
    help="The store's Graph Store Protocol endpoint (PUT per graph); else SPARQL Update.",
)
@click.option(
    "--update-endpoint",
    metavar="URL",
    default=None,
    help="Where SPARQL Update goes when it differs from --endpoint (e.g. Oxigraph /update).",
)
@click.option("--user", default=None, help="User name for the store.")
@click.option(
    "--password-env",
    metavar="VAR",
    default=None,
    help="Name of the environment variable holding the password (never on the command line).",
)
def push(
    graph_files: tuple[Path, ...],
    endpoint: str,
    graph_store: str | None,
    update_endpoint: str | None,
    user: str | None,
    password_env: str | None,
) -> None:
    """Load the built named graphs (out/bioeco.trig, out/analysis.trig) into a SPARQL store.

    Each named graph is replaced as a whole (idempotent): one Graph Store PUT per graph, or
    DROP + INSERT DATA through SPARQL Update where the store has no Graph Store endpoint.
    """
    from bioeco.serve.endpoint import default_graph_files
    from bioeco.serve.remote import public_url
    from bioeco.serve.remote import push as run_push

    try:
        files = list(graph_files) or default_graph_files()
        pushed = run_push(
            files,
            endpoint,
            graph_store=graph_store,
            update_endpoint=update_endpoint,
            user=user,
            password=_password(user, password_env),
        )
    except BioecoError as exc:
        raise _fail(exc) from None
    for item in pushed:
        click.echo(f"{item.graph}: {item.triples} triples ({item.method})")
    target = public_url(graph_store or update_endpoint or endpoint)
    click.echo(f"Pushed {len(pushed)} named graphs to {target}")


# --------------------------------------------------------------------------- export


@main.command("export")
@click.option(
    "--to",
    "fmt",
    type=click.Choice(["graphml", "gexf", "xlsx", "jsonld"]),
    required=True,
    help="graphml/gexf: the network for Gephi or Cytoscape; xlsx: every analysis table; "
    "jsonld: the whole graph.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="File to write (default: out/bioeco-<view>.graphml|.gexf, out/bioeco-analysis.xlsx, "
    "out/bioeco.jsonld).",
)
@DATA_OPTION
@GRAPH_OPTION
@click.option(
    "--view",
    type=click.Choice(["bipartite", "actors"]),
    default=None,
    help="graphml/gexf: actors and initiatives (bipartite, default) or the actor projection.",
)
@_as_of_option("Only memberships valid in this year (graphml, gexf, xlsx).")
@_basis_option("Weakest basis of classifications to use (graphml, gexf, xlsx).")
@_top_option(None, "xlsx: keep the N best rows; graphml/gexf: the N best overlap and pair edges.")
@_sector_option("xlsx: only rows about this sector code.")
@_region_option("xlsx: only actors in this region code.")
def export_command(
    fmt: str,
    output: Path | None,
    data_dir: Path | None,
    graph_file: Path | None,
    view: str | None,
    as_of: int | None,
    basis: str,
    top: int | None,
    sector: str | None,
    region: str | None,
) -> None:
    """Export for other tools: GraphML or GEXF (Gephi, Cytoscape), Excel, JSON-LD.

    Written atomically; lists are joined with | as in the analysis CSVs.
    """
    from bioeco.viz.exports import export

    try:
        path = export(
            fmt,
            output,
            data_dir=data_dir,
            graph_file=graph_file,
            view=view,
            as_of=as_of,
            basis=basis,
            top=top,
            sector=sector,
            region=region,
        )
    except BioecoError as exc:
        raise _fail(exc) from None
    click.echo(f"Wrote {path}")


if __name__ == "__main__":
    main()
