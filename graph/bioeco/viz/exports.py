"""Exports for other tools: GraphML and GEXF (Gephi, Cytoscape), an Excel workbook, JSON-LD.

* :func:`export_graph` gives the bipartite member–initiative graph or the actor projection
  (:mod:`bioeco.analyses.project`) with every attribute typed for GraphML/GEXF writers: lists
  become the ``|``-joined text the analysis CSVs use, missing values become empty text (never
  ``None``), node keys are compact ids (``actor/uit``) and the full IRI is an attribute.
* :func:`graphml_bytes` / :func:`gexf_bytes` serialize it (networkx writers).
* :func:`workbook_bytes` writes one sheet per analysis table plus ``sources`` and ``run``
  (header row, frozen panes, filters, readable widths, formula-safe cells through
  :func:`bioeco.analyses.run.format_cell` and :func:`bioeco.core.formats.neutralise`).
* :func:`jsonld_text` writes the named graphs as JSON-LD with a compact context of the
  project's prefixes (a local dict: no remote context is ever fetched).

Every output is deterministic (fixed dates from :func:`bioeco.pipeline.run_clock` under
``SOURCE_DATE_EPOCH``, sorted content) and :func:`export` writes it atomically.

The formats live in modules of their own: :mod:`bioeco.viz.graphml` (GraphML, GEXF),
:mod:`bioeco.viz.workbook` (the Excel workbook) and :mod:`bioeco.viz.jsonld`; this module keeps
:func:`export`, and their names import from here as well.
"""

from __future__ import annotations

import os
from pathlib import Path

from bioeco.core.atomic import atomic_write, check_target
from bioeco.core.paths import OUT_DIR
from bioeco.core.progress import job, step
from bioeco.errors import UsageError
from bioeco.viz.graphml import VIEWS, export_graph, gexf_bytes, graphml_bytes
from bioeco.viz.jsonld import jsonld_context, jsonld_text
from bioeco.viz.workbook import (
    SHEET_NOTES,
    Names,
    entity_sheets,
    findings_sheet,
    fit_rows,
    readme_sheet,
    sector_sheet,
    workbook_bytes,
)

__all__ = [
    "FORMATS",
    "SHEET_NOTES",
    "VIEWS",
    "Names",
    "entity_sheets",
    "export",
    "export_graph",
    "findings_sheet",
    "gexf_bytes",
    "graphml_bytes",
    "jsonld_context",
    "jsonld_text",
    "readme_sheet",
    "sector_sheet",
    "workbook_bytes",
]

FORMATS = ("graphml", "gexf", "xlsx", "jsonld")
_SUFFIX = {"graphml": "graphml", "gexf": "gexf", "xlsx": "xlsx", "jsonld": "jsonld"}


@job
def export(
    fmt: str,
    out: str | os.PathLike | None = None,
    *,
    data_dir: str | os.PathLike | None = None,
    graph_file: str | os.PathLike | list | tuple | None = None,
    view: str | None = None,
    as_of: int | None = None,
    basis: str = "all",
    top: int | None = None,
    sector: str | None = None,
    region: str | None = None,
) -> Path:
    """Write the graph or the analyses in format *fmt* to *out*; return the path.

    Default paths: ``out/bioeco-<view>.graphml`` / ``.gexf``, ``out/bioeco-analysis.xlsx``,
    ``out/bioeco.jsonld``. *view* applies to GraphML/GEXF, *top*/*sector*/*region* to the
    workbook, *as_of*/*basis* to both; JSON-LD is the whole graph as it is. The graph comes
    from :func:`bioeco.pipeline.open_graph` (analysis results not included). The file is
    written atomically: on any error nothing is written.
    """
    from bioeco.analyses.project import load_network
    from bioeco.pipeline import analysis_tables, open_graph, run_clock
    from bioeco.viz.report_data import source_table

    if fmt not in FORMATS:
        raise UsageError(f"unknown export format {fmt!r}: use {', '.join(FORMATS)}")
    if view is not None and fmt not in ("graphml", "gexf"):
        raise UsageError("--view applies to graphml and gexf only")
    if (sector, region) != (None, None) and fmt != "xlsx":
        raise UsageError("--sector and --region apply to xlsx only")
    if top is not None and fmt == "jsonld":
        raise UsageError("--top applies to xlsx, graphml and gexf")
    if (as_of is not None or basis != "all") and fmt == "jsonld":
        raise UsageError("--as-of and --basis do not apply to jsonld (the whole graph)")
    view = view or "bipartite"
    default = out is None  # out/ is created for a default path only
    if out is None:
        name = f"bioeco-{view}" if fmt in ("graphml", "gexf") else "bioeco-analysis"
        name = "bioeco" if fmt == "jsonld" else name
        out = OUT_DIR / f"{name}.{_SUFFIX[fmt]}"
    check_target(out, make_folder=default)  # a device, a link, a missing folder: refused now
    step("opening the graph")
    # the whole graph is read: faster parsed into memory than from the on-disk store
    graph = open_graph(data_dir, graph_file, with_analysis=False, store=False)
    step(f"writing {fmt}")
    if fmt == "graphml":
        data = graphml_bytes(export_graph(graph, view, as_of=as_of, basis=basis, top=top))
    elif fmt == "gexf":
        data = gexf_bytes(export_graph(graph, view, as_of=as_of, basis=basis, top=top))
    elif fmt == "jsonld":
        data = jsonld_text(graph).encode("utf-8")
    else:
        started = run_clock()
        # out/analysis/ when `bioeco analyze all` wrote it for this graph and these options
        tables = analysis_tables(
            graph,
            "all",  # change tables too when the sources describe two years
            top=top,
            sector=sector,
            region=region,
            as_of=as_of,
            basis=basis,
        )
        run = {
            "top": top,
            "sector": sector,
            "region": region,
            "as_of": as_of,
            "basis": basis,
            "seed": 42,
            "started": started.isoformat(),
        }
        sources, _ = source_table(graph)
        step("naming the entities")
        names = Names(graph)
        network = load_network(graph, as_of=as_of, basis=basis)  # read once for both
        entities = entity_sheets(graph, as_of=as_of, basis=basis, names=names, network=network)
        entities["sectors"] = sector_sheet(graph, as_of=as_of, basis=basis, network=network)
        sheets = {name: findings_sheet(frame, names) for name, frame in tables.items()}
        found = {name: frame.attrs.get("summary") for name, frame in tables.items()}
        # a sheet longer than a worksheet holds keeps its first rows, and the Read me says so
        for name, note in (fit_rows(entities) | fit_rows(sheets)).items():
            found[name] = f"{found[name]} {note}" if found.get(name) else note
        readme = readme_sheet([*entities, *sheets, "sources", "run"], sources, found)
        data = workbook_bytes(
            sheets, sources=sources, run=run, date=started, readme=readme, entities=entities
        )
    return atomic_write(Path(out), data, make_folder=default)
