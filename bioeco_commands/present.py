"""Commands that write pages and files for people and other tools: report, viz, export."""

from __future__ import annotations

from pathlib import Path

import click

from bioeco.errors import BioecoError
from bioeco_commands.options import (
    DATA_OPTION,
    GRAPH_OPTION,
    as_of_option,
    basis_option,
    fail,
    region_option,
    sector_option,
    seed_option,
    top_option,
)

__all__ = [
    "export_command",
    "report_command",
    "viz",
]


@click.command("report")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Where to write the page (default: out/report.html).",
)
@DATA_OPTION
@GRAPH_OPTION
@top_option(10, "Rows per ranking.")
@sector_option()
@region_option()
@as_of_option()
@basis_option("Weakest basis of classifications to use (as in analyze).")
@seed_option()
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
@click.option(
    "--pdf",
    is_flag=True,
    help="Also print the page to a PDF beside it (report.pdf), with the headless Chromium "
    "the project uses (Debian's chromium; BIOECO_CHROMIUM names another).",
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
    pdf: bool,
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
            pdf=pdf,
        )
    except BioecoError as exc:
        raise fail(exc) from None
    click.echo(f"Wrote {path}")
    if pdf:
        click.echo(f"Wrote {path.with_suffix('.pdf')}")


@click.command()
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
@sector_option("Only nodes in this sector (or below), e.g. marine.")
@region_option("Only members in this region (or below), e.g. tromso.")
@click.option("--type", "type_code", default=None, help="Only nodes of this type, e.g. cluster.")
@as_of_option("Only memberships valid in this year (as in analyze).")
@basis_option(
    "Weakest basis of classifications to use (as in analyze): 'stated' (what the sources say), "
    "'inferred' (also what they imply), 'external' = 'all'."
)
@click.option(
    "--highlight",
    type=click.Choice(["bridges", "overlap", "gaps"]),
    multiple=True,
    help="Overlay from the analyses (repeatable): bridges, overlap, gaps.",
)
@top_option(10, "How many bridge candidates, suggested pairs and overlapping pairs to mark.")
@seed_option("Seed for layout and metrics.")
@click.option(
    "--scenario",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="A what-if plan (CSV of actions, see bioeco whatif): the links it adds and ends are "
    "drawn dashed in colours of their own (bipartite view).",
)
@click.option(
    "--all-nodes",
    "all_nodes",
    is_flag=True,
    help="Draw every node: above 3000 nodes the page otherwise opens on a summary (the "
    "strongest bridges and what links them; search and focus reach the rest).",
)
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
    scenario: Path | None,
    all_nodes: bool,
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
            scenario=scenario,
            summary=False if all_nodes else None,
        )
    except BioecoError as exc:
        raise fail(exc) from None
    except OSError as exc:
        raise click.ClickException(f"cannot write {target}: {exc.strerror or exc}") from None
    click.echo(f"Wrote {path}")


@click.command("export")
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
@as_of_option("Only memberships valid in this year (graphml, gexf, xlsx).")
@basis_option("Weakest basis of classifications to use (graphml, gexf, xlsx).")
@top_option(None, "xlsx: keep the N best rows; graphml/gexf: the N best overlap and pair edges.")
@sector_option("xlsx: only rows about this sector code.")
@region_option("xlsx: only actors in this region code.")
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
        raise fail(exc) from None
    click.echo(f"Wrote {path}")
