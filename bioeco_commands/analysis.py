"""Commands that analyse the graph: analyze (the findings tables) and whatif."""

from __future__ import annotations

from pathlib import Path

import click

from bioeco.errors import BioecoError
from bioeco_commands.options import (
    DATA_OPTION,
    FORMAT_OPTION,
    GRAPH_OPTION,
    as_of_option,
    basis_option,
    choose_table,
    echo_tables,
    endpoint_options,
    fail,
    open_remote,
    out_option,
    region_option,
    sector_option,
    seed_option,
    table_view,
    table_width,
    top_option,
    usage_error,
)

__all__ = [
    "analyze",
    "whatif",
]


@click.command()
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
@top_option()
@sector_option()
@region_option()
@as_of_option()
@seed_option()
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
@basis_option(
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
@out_option("Write <out>/analysis/*.csv and <out>/analysis.trig (default: out/).")
@click.option("--no-write", is_flag=True, help="Only print; write no files.")
@click.option(
    "--table", default=None, help="Print only this table (e.g. bridges_pairs); CSV needs one."
)
@table_view
@endpoint_options
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
    choose_table(fmt, available, table, hint)
    optional = {"min_jaccard": min_jaccard, "min_overlap": min_overlap, "thin": thin}
    thresholds = {k: v for k, v in optional.items() if v is not None}
    if type_code is not None:
        thresholds["type"] = type_code
    if overlap_kind is not None:
        thresholds["kind"] = overlap_kind
    remote = None
    if endpoint is not None:
        remote = open_remote(endpoint, user, password_env, bool(data_dir or graph_file))
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
        raise fail(exc) from None
    if table is not None and table not in output.tables:
        raise usage_error(f"table {table!r} was not made: the sources describe only one year")
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
        echo_tables(output.tables, fmt, table, table_width(wide, max_width), notes)
    for path in output.files:
        name = Path(path).stem
        shown = len(output.tables.get(name, ()))
        full = output.rows.get(name)
        note = f" ({full} rows; {shown} shown)" if full is not None and shown < full else ""
        click.echo(f"Wrote {path}{note}", err=True)


@click.command()
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
@click.option(
    "--per-actor",
    type=click.IntRange(min=0),
    default=2,
    show_default=True,
    help="Suggestions: at most K of them name the same actor (0: no limit).",
)
@region_option("Suggestions: only actors and memberships in this region code.")
@as_of_option("Only memberships valid in this year.")
@basis_option("Weakest basis of classifications to use.")
@DATA_OPTION
@GRAPH_OPTION
@FORMAT_OPTION
@out_option("Write <out>/whatif/*.csv (default: out/).")
@click.option("--no-write", is_flag=True, help="Only print; write no files.")
@click.option("--table", default=None, help="Print only this table; CSV needs one.")
@table_view
def whatif(
    scenario: Path | None,
    suggest: int | None,
    goal: str,
    per_actor: int,
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
    from bioeco.analyses.tablecsv import table_csv
    from bioeco.analyses.whatif import HONESTY
    from bioeco.pipeline import WHATIF_TABLES
    from bioeco.pipeline import whatif as run_whatif

    if scenario is None and suggest is None:
        raise usage_error("give a SCENARIO file or --suggest N (see bioeco whatif --help)")
    available = tuple(
        name for name in WHATIF_TABLES if (name == "whatif_suggestions" and suggest)
        or (name != "whatif_suggestions" and scenario is not None)
    )  # fmt: skip
    choose_table(fmt, available, table)
    try:
        tables = run_whatif(
            scenario,
            suggest=suggest,
            goal=goal,
            region=region,
            as_of=as_of,
            basis=basis,
            per_actor=per_actor,
            data_dir=data_dir,
            graph_file=graph_file,
            out_dir=out_dir,
            write=not no_write,
        )
    except BioecoError as exc:
        raise fail(exc) from None
    if fmt == "csv":
        click.echo(table_csv(tables[table or available[0]]), nl=False)
    else:
        notes = dict.fromkeys(tables, HONESTY)
        echo_tables(tables, fmt, table, table_width(wide, max_width), notes)
    for path in tables.files:
        click.echo(f"Wrote {path}", err=True)
