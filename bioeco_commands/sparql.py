"""Commands that ask or share the graph over SPARQL: query, queries, serve, push."""

from __future__ import annotations

from pathlib import Path

import click

from bioeco.errors import BioecoError
from bioeco_commands.options import (
    DATA_OPTION,
    FORMAT_OPTION,
    GRAPHS_OPTION,
    endpoint_options,
    fail,
    open_remote,
    password_from_env,
    table_view,
    table_width,
)

__all__ = [
    "push",
    "queries",
    "query",
    "serve",
]


@click.command()
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
@table_view
@endpoint_options
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
            raise fail(exc) from None
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
            remote = open_remote(endpoint, user, password_env, local, timeout)
            frame = remote.select(text)
        else:
            graph = open_graph(data_dir, list(graph_files) or None)
            frame = select(graph, text, timeout=timeout or None, max_rows=limit)
    except BioecoError as exc:
        raise fail(exc) from None
    except KeyboardInterrupt:
        err = click.ClickException("interrupted: the query was stopped")
        err.exit_code = 130
        raise err from None
    click.echo(format_frame(frame, fmt, max_width=table_width(wide, max_width)).rstrip("\n"))
    if frame.attrs.get("truncated"):
        click.echo(
            f"(first {limit} rows shown; --max-rows 0 shows all, --format csv writes all)",
            err=True,
        )


@click.command()
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
    help="Memory (address space) limit of the engine in MB; it also sets how many queries "
    "run at once (one per 128 MB above 512 MB, the others wait their turn).",
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
        raise fail(exc) from None


@click.command()
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


@click.command()
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
            password=password_from_env(user, password_env),
        )
    except BioecoError as exc:
        raise fail(exc) from None
    for item in pushed:
        click.echo(f"{item.graph}: {item.triples} triples ({item.method})")
    target = public_url(graph_store or update_endpoint or endpoint)
    click.echo(f"Pushed {len(pushed)} named graphs to {target}")
