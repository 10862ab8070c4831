"""Exports for other tools: GraphML and GEXF (Gephi, Cytoscape), an Excel workbook, JSON-LD.

* :func:`export_graph` gives the bipartite member–initiative graph or the actor projection
  (:mod:`bioeco.analyze.project`) with every attribute typed for GraphML/GEXF writers: lists
  become the ``|``-joined text the analysis CSVs use, missing values become empty text (never
  ``None``), node keys are compact ids (``actor/uit``) and the full IRI is an attribute.
* :func:`graphml_bytes` / :func:`gexf_bytes` serialize it (networkx writers).
* :func:`workbook_bytes` writes one sheet per analysis table plus ``sources`` and ``run``
  (header row, frozen panes, filters, readable widths, formula-safe cells through
  :func:`bioeco.analyze.run.format_cell` and :func:`bioeco.core.formats.neutralise`).
* :func:`jsonld_text` writes the named graphs as JSON-LD with a compact context of the
  project's prefixes (a local dict: no remote context is ever fetched).

Every output is deterministic (fixed dates from :func:`bioeco.pipeline.run_clock` under
``SOURCE_DATE_EPOCH``, sorted content) and :func:`export` writes it atomically.
"""

from __future__ import annotations

import io
import json
import os
import re
import warnings
import zipfile
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd
from rdflib import Dataset, Graph, URIRef

from bioeco.analyze.project import actor_projection, bipartite_graph, entity_id, load_network
from bioeco.analyze.run import format_cell
from bioeco.core.atomic import atomic_write
from bioeco.core.formats import neutralise
from bioeco.core.paths import OUT_DIR
from bioeco.core.progress import job, step
from bioeco.core.vocab import PREFIXES
from bioeco.errors import UsageError
from bioeco.ingest.canonical import canonical

__all__ = [
    "FORMATS",
    "VIEWS",
    "export",
    "export_graph",
    "gexf_bytes",
    "graphml_bytes",
    "jsonld_context",
    "jsonld_text",
    "workbook_bytes",
]

FORMATS = ("graphml", "gexf", "xlsx", "jsonld")
VIEWS = ("bipartite", "actors")
_SUFFIX = {"graphml": "graphml", "gexf": "gexf", "xlsx": "xlsx", "jsonld": "jsonld"}
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def _typed(value: Any) -> str | int | float | bool:
    """One attribute value as GraphML/GEXF can type it: bool, int, float or text.

    Examples
    --------
    >>> _typed(("marine", "health")), _typed(None), _typed(np.int64(3)), _typed(float("nan"))
    ('marine|health', '', 3, '')
    >>> _typed("https://w3id.org/bioeco/id/initiative/north"), _typed(True)
    ('initiative/north', True)
    """
    if value is None:
        return ""
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        return "" if np.isnan(value) else float(value)
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value) if isinstance(value, set | frozenset) else value
        return "|".join(str(_typed(v)) for v in items)
    return entity_id(str(value))


def export_graph(
    graph: Graph | Dataset,
    view: str = "bipartite",
    *,
    as_of: int | None = None,
    basis: str = "all",
) -> nx.Graph:
    """The network of *view* (``bipartite`` or ``actors``) with typed attributes.

    Node keys are compact ids; attributes ``iri``, ``label``, ``kind``, ``type``, ``sectors``,
    ``stages``, ``regions`` (``|``-joined codes) and, in the bipartite view, ``bipartite``
    (0 member, 1 initiative); edges carry ``roles``, ``rule``, ``nested`` (bipartite) or
    ``weight`` and ``via`` (actors). *as_of* and *basis* mean what they mean in ``analyze``.

    Examples
    --------
    >>> from bioeco.analyze._fixture import example_graph
    >>> g = export_graph(example_graph())
    >>> g.nodes["actor/uit"]["sectors"], g.nodes["actor/uit"]["bipartite"]
    ('health|marine', 0)
    >>> export_graph(example_graph(), "actors").edges["actor/uit", "actor/nofima"]["weight"]
    2
    """
    if view not in VIEWS:
        raise UsageError(f"unknown view {view!r}: use {' or '.join(VIEWS)}")
    net = load_network(graph, as_of=as_of, basis=basis)
    source = bipartite_graph(net) if view == "bipartite" else actor_projection(net)
    out = nx.Graph(name=f"bioeco {view}")
    for node, attrs in source.nodes(data=True):
        typed = {"iri": str(node)}
        typed.update({k: _typed(v) for k, v in attrs.items() if k != "id"})
        out.add_node(entity_id(node), **typed)
    for a, b, attrs in source.edges(data=True):
        out.add_edge(entity_id(a), entity_id(b), **{k: _typed(v) for k, v in attrs.items()})
    return out


def graphml_bytes(g: nx.Graph) -> bytes:
    """GraphML of *g* (networkx writer; attribute types declared per key).

    Examples
    --------
    >>> g = nx.Graph(); g.add_node("a", label="A & B", n=1)
    >>> b'attr.name="n" attr.type="long"' in graphml_bytes(g), b"A &amp; B" in graphml_bytes(g)
    (True, True)
    """
    lines = ["<?xml version='1.0' encoding='utf-8'?>", *nx.generate_graphml(g, prettyprint=True)]
    return ("\n".join(lines) + "\n").encode("utf-8")


def gexf_bytes(g: nx.Graph, *, date: datetime | None = None) -> bytes:
    """GEXF 1.2 of *g* (networkx writer); the file's date is *date* (default: the run clock).

    Examples
    --------
    >>> from datetime import datetime
    >>> g = nx.Graph(); g.add_node("a", label="A")
    >>> b'lastmodifieddate="2020-01-02"' in gexf_bytes(g, date=datetime(2020, 1, 2))
    True
    """
    from bioeco.pipeline import run_clock

    day = (date or run_clock()).strftime("%Y-%m-%d")
    lines = ["<?xml version='1.0' encoding='utf-8'?>", *nx.generate_gexf(g, prettyprint=True)]
    text = "\n".join(lines) + "\n"
    text = re.sub(r'lastmodifieddate="[^"]*"', f'lastmodifieddate="{day}"', text, count=1)
    return text.encode("utf-8")


# --------------------------------------------------------------------------- Excel


def _cell(value: Any) -> Any:
    """A worksheet value: the CSV cell (lists joined, floats rounded, formulas neutralised),
    control characters shown escaped, empty text as an empty cell.

    Examples
    --------
    >>> _cell("=1+1"), _cell(("a", "b")), _cell(None), _cell("a\\x1bb"), _cell(2.5)
    ("'=1+1", 'a|b', None, 'a\\\\x1bb', 2.5)
    """
    value = format_cell(value)
    if isinstance(value, str):
        if value == "":
            return None
        value = _ILLEGAL.sub(lambda m: f"\\x{ord(m.group()):02x}", value)
        return neutralise(value)
    return value


def _sheet(wb: Any, name: str, frame: pd.DataFrame) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(title=name[:31])
    columns = [str(c) for c in frame.columns]
    ws.append([neutralise(c) for c in columns])
    rows = [[_cell(v) for v in row] for row in frame.itertuples(index=False, name=None)]
    for row in rows:
        ws.append(row)
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DCE6F1")
    for cell in ws[1]:
        cell.font = bold
        cell.fill = fill
        cell.alignment = Alignment(vertical="top")
    ws.freeze_panes = "A2"
    if columns:
        last = get_column_letter(len(columns))
        ws.auto_filter.ref = f"A1:{last}{max(1, len(rows) + 1)}"
    for index, column in enumerate(columns, start=1):
        lengths = [len(column)] + [len(str(r[index - 1])) for r in rows[:500] if r[index - 1]]
        ws.column_dimensions[get_column_letter(index)].width = min(max(lengths) + 2, 60)


def _fixed_zip(raw: bytes) -> bytes:
    """Re-pack a zip with fixed entry times and order, so equal content gives equal bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=_ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            dst.writestr(entry, src.read(info.filename))
    return out.getvalue()


def workbook_bytes(
    tables: Mapping[str, pd.DataFrame],
    *,
    sources: pd.DataFrame | None = None,
    run: Mapping[str, Any] | None = None,
    date: datetime | None = None,
) -> bytes:
    """An .xlsx workbook: one sheet per table (in the given order), then ``sources`` and ``run``.

    Each sheet has a bold header row, frozen panes below it, a filter and column widths fitted
    to the content (at most 60 characters). Cells are those of the analysis CSVs
    (:func:`bioeco.analyze.run.format_cell`: lists joined by ``|``, floats rounded), and text
    that a spreadsheet would run as a formula starts with an apostrophe
    (:func:`bioeco.core.formats.neutralise`). *run* (parameter → value) becomes a two-column sheet;
    *date* is the workbook's creation date (default: the run clock).

    Examples
    --------
    >>> import openpyxl
    >>> raw = workbook_bytes({"demo": pd.DataFrame({"name": ["=cmd"], "codes": [("a", "b")]})})
    >>> ws = openpyxl.load_workbook(io.BytesIO(raw))["demo"]
    >>> [c.value for c in ws[2]], ws.freeze_panes
    (["'=cmd", 'a|b'], 'A2')
    """
    from openpyxl import Workbook

    from bioeco.pipeline import run_clock

    when = (date or run_clock()).replace(tzinfo=None, microsecond=0)
    wb = Workbook()
    wb.remove(wb.active)
    for name, frame in tables.items():
        _sheet(wb, name, frame)
    if sources is not None:
        _sheet(wb, "sources", sources)
    if run is not None:
        items = [(k, format_cell(list(v) if isinstance(v, list) else v)) for k, v in run.items()]
        _sheet(wb, "run", pd.DataFrame(items, columns=["parameter", "value"]))
    if not wb.sheetnames:
        wb.create_sheet("empty")
    wb.properties.creator = "bioeco"
    wb.properties.created = when
    buf = io.BytesIO()
    wb.save(buf)
    raw = buf.getvalue()
    # openpyxl stamps "modified" with the wall clock on save: set it to the run date
    with zipfile.ZipFile(io.BytesIO(raw)) as z:
        core = z.read("docProps/core.xml").decode("utf-8")
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ")
    core = re.sub(
        r"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)", rf"\g<1>{stamp}\g<2>", core
    )
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            data = core.encode("utf-8") if info.filename == "docProps/core.xml" else None
            dst.writestr(info, data if data is not None else src.read(info.filename))
    return _fixed_zip(out.getvalue())


# --------------------------------------------------------------------------- JSON-LD


def jsonld_context() -> dict[str, str]:
    """The compact JSON-LD context: the project's prefixes (a local dict, never a URL).

    Examples
    --------
    >>> ctx = jsonld_context()
    >>> ctx["org"], ctx["actor"]
    ('http://www.w3.org/ns/org#', 'https://w3id.org/bioeco/id/actor/')
    """
    return {prefix: str(ns) for prefix, ns in sorted(PREFIXES.items())}


def _sorted_json(value: Any, key: str = "") -> Any:
    """Sort JSON-LD arrays (sets in RDF) for stable output; ``@list`` keeps its order."""
    if isinstance(value, dict):
        return {k: _sorted_json(v, k) for k, v in sorted(value.items())}
    if isinstance(value, list):
        items = [_sorted_json(v) for v in value]
        if key == "@list":
            return items
        return sorted(items, key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False))
    return value


def jsonld_text(dataset: Dataset | Graph) -> str:
    """JSON-LD of the named graphs of *dataset* (or of one graph), compacted with
    :func:`jsonld_context`; deterministic (canonical blank nodes, sorted nodes and values).

    Examples
    --------
    >>> from bioeco.analyze._fixture import example_graph
    >>> doc = json.loads(jsonld_text(example_graph()))
    >>> doc["@context"]["bioeco"], any(n.get("@id") == "actor:uit" for n in doc["@graph"])
    ('https://w3id.org/bioeco/ontology#', True)
    """
    out = Dataset()
    if isinstance(dataset, Dataset):
        named = [
            g
            for g in dataset.graphs()
            if isinstance(g.identifier, URIRef)
            and len(g)
            and not str(g.identifier).startswith("urn:x-rdflib:")
        ]
        for index, g in enumerate(sorted(named, key=lambda g: str(g.identifier))):
            target = out.graph(URIRef(str(g.identifier)))
            for triple in canonical(g, scope=f"g{index}"):
                target.add(triple)
        with warnings.catch_warnings():  # rdflib's serializer uses its own deprecated API
            warnings.simplefilter("ignore", DeprecationWarning)
            text = out.serialize(format="json-ld", context=jsonld_context(), auto_compact=True)
    else:
        single = Graph()
        for triple in canonical(dataset):
            single.add(triple)
        text = single.serialize(format="json-ld", context=jsonld_context(), auto_compact=True)
    doc = _sorted_json(json.loads(text))
    return json.dumps(doc, ensure_ascii=False, indent=1) + "\n"


# --------------------------------------------------------------------------- the job


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
    from bioeco.pipeline import analysis_tables, open_graph, run_clock
    from bioeco.viz.report import source_table

    if fmt not in FORMATS:
        raise UsageError(f"unknown export format {fmt!r}: use {', '.join(FORMATS)}")
    if view is not None and fmt not in ("graphml", "gexf"):
        raise UsageError("--view applies to graphml and gexf only")
    if (top, sector, region) != (None, None, None) and fmt != "xlsx":
        raise UsageError("--top, --sector and --region apply to xlsx only")
    if (as_of is not None or basis != "all") and fmt == "jsonld":
        raise UsageError("--as-of and --basis do not apply to jsonld (the whole graph)")
    view = view or "bipartite"
    if out is None:
        name = f"bioeco-{view}" if fmt in ("graphml", "gexf") else "bioeco-analysis"
        name = "bioeco" if fmt == "jsonld" else name
        out = OUT_DIR / f"{name}.{_SUFFIX[fmt]}"
    step("opening the graph")
    # the whole graph is read: faster parsed into memory than from the on-disk store
    graph = open_graph(data_dir, graph_file, with_analysis=False, store=False)
    step(f"writing {fmt}")
    if fmt == "graphml":
        data = graphml_bytes(export_graph(graph, view, as_of=as_of, basis=basis))
    elif fmt == "gexf":
        data = gexf_bytes(export_graph(graph, view, as_of=as_of, basis=basis))
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
        data = workbook_bytes(tables, sources=sources, run=run, date=started)
    return atomic_write(Path(out), data)
