"""What the commands share: common options, table output, one-line errors, external stores."""

from __future__ import annotations

from pathlib import Path

import click

from bioeco.errors import BioecoError

__all__ = [
    "BASIS_CHOICES",
    "DATA_OPTION",
    "FORMAT_OPTION",
    "GRAPHS_OPTION",
    "GRAPH_OPTION",
    "as_of_option",
    "basis_option",
    "choose_table",
    "echo_tables",
    "endpoint_options",
    "fail",
    "open_remote",
    "out_option",
    "password_from_env",
    "region_option",
    "sector_option",
    "seed_option",
    "table_view",
    "table_width",
    "top_option",
    "usage_error",
]


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


def top_option(default: int | None = None, help_text: str = "Keep the N best rows."):
    shown = {"show_default": True} if default is not None else {}
    return click.option(
        "--top", type=click.IntRange(min=1), default=default, help=help_text, **shown
    )


def sector_option(help_text: str = "Only rows about this sector code (e.g. marine)."):
    return click.option("--sector", default=None, help=help_text)


def region_option(help_text: str = "Only actors in this region code (e.g. tromso)."):
    return click.option("--region", default=None, help=help_text)


def as_of_option(help_text: str = "Only memberships valid in this year."):
    return click.option(
        "--as-of", "as_of", type=click.IntRange(1900, 2100), default=None, help=help_text
    )


def seed_option(help_text: str = "Seed for sampled metrics."):
    return click.option("--seed", type=int, default=42, show_default=True, help=help_text)


def basis_option(help_text: str, choices: tuple[str, ...] = BASIS_CHOICES):
    return click.option(
        "--basis", type=click.Choice(choices), default="all", show_default=True, help=help_text
    )


def out_option(help_text: str):
    return click.option(
        "--out",
        "out_dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help=help_text,
    )


def table_view(func):
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


def table_width(wide: bool, max_width: int | None) -> int | None:
    """Line width of the table view: None (never cut) with --wide, else --max-width, else the
    terminal's width (COLUMNS, or 120 when the output is not a terminal)."""
    import shutil

    if wide:
        return None
    return max_width or shutil.get_terminal_size((120, 24)).columns


def usage_error(message: str) -> click.ClickException:
    """A one-line usage error (exit code 2)."""
    err = click.ClickException(message)
    err.exit_code = 2
    return err


def choose_table(fmt: str, available: tuple[str, ...], table: str | None, hint: str = "") -> None:
    """Check --table against the tables a command gives; CSV holds one table only."""
    if table is not None and table not in available:
        raise usage_error(f"no table {table!r} here: choose one of {', '.join(available)}")
    if fmt == "csv" and table is None and len(available) > 1:
        raise usage_error(
            f"--format csv prints one table: choose it with --table ({', '.join(available)}) "
            f"or use --format json for all{hint}"
        )


def echo_tables(
    tables: dict, fmt: str, table: str | None, width: int | None, notes: dict | None = None
) -> None:
    """Print named tables as one document: a JSON object of tables, one CSV table, or a
    '== name (N rows)' block per table (with its note line)."""
    from bioeco.core.formats import format_tables

    names = [table] if table is not None else None
    click.echo(format_tables(tables, fmt, names=names, max_width=width, notes=notes), nl=False)


def fail(exc: BioecoError) -> click.ClickException:
    """Map a library error to a one-line click error with the error class's exit code;
    control characters from the input are shown escaped (no forged lines, no terminal codes)."""
    from bioeco.core.formats import escape_controls

    err = click.ClickException(escape_controls(str(exc)) if str(exc) else type(exc).__name__)
    err.exit_code = exc.exit_code
    return err


def endpoint_options(func):
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


def password_from_env(user: str | None, password_env: str | None) -> str | None:
    import os

    if password_env is None:
        return None
    if user is None:
        raise click.UsageError("--password-env needs --user")
    if password_env not in os.environ:
        raise click.UsageError(f"environment variable {password_env} is not set")
    return os.environ[password_env]


def open_remote(
    endpoint: str, user: str | None, password_env: str | None, local: bool, timeout: float = 0
):
    from bioeco.serve.remote import Remote

    if local:
        raise click.UsageError("--endpoint reads the store: do not give --data or --graph too")
    try:
        password = password_from_env(user, password_env)
        return Remote(endpoint, user=user, password=password, timeout=timeout or 120.0)
    except BioecoError as exc:
        raise fail(exc) from None
