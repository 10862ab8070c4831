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

from bioeco.analyses.project import actor_projection, bipartite_graph, entity_id, load_network
from bioeco.analyses.run import format_cell
from bioeco.core.atomic import atomic_write, check_target
from bioeco.core.formats import neutralise
from bioeco.core.paths import OUT_DIR
from bioeco.core.progress import job, step
from bioeco.core.vocab import PREFIXES
from bioeco.errors import UsageError
from bioeco.ingest.canonical import canonical

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
    findings: bool = True,
    top: int | None = None,
    seed: int = 42,
) -> nx.Graph:
    """The network of *view* (``bipartite`` or ``actors``) with typed attributes.

    Node keys are compact ids; attributes ``iri``, ``label``, ``kind``, ``type``, ``sectors``,
    ``stages``, ``regions`` (``|``-joined codes) and, in the bipartite view, ``bipartite``
    (0 member, 1 initiative); edges carry ``relation`` (``membership`` or ``shared
    initiatives``), ``roles``, ``rule``, ``nested`` (bipartite) or ``weight`` and ``via``
    (actors). *as_of* and *basis* mean what they mean in ``analyze``.

    With *findings* (the default) the analyses' results come along, as the viewer shows them
    (:func:`bioeco.viz.viewer.viewer_data` with the same options, so colours and layout match):
    on the nodes ``bridge_rank``, ``bridge_score``, ``betweenness``, ``participation`` and
    ``bridge_finding`` (bridge candidates), ``broker_role`` and ``brokerage`` (Gould–Fernandez,
    the role of most of its two-paths), ``community`` (Louvain, as the pair suggestions use
    it), ``top_sector`` / ``top_sector_label`` (the single top-level sector the viewer colours
    by, or ``several`` / ``none``), ``color`` (hex), ``r``, ``g``, ``b``, ``x``, ``y`` (the
    viewer's position, screen coordinates: y grows downwards) and ``size``; and typed edges
    ``relation`` = ``overlap`` (overlapping initiatives, bipartite view) or ``suggested pair``
    (actors who could meet) with their ``rank``, ``score`` and ``finding``. *top* keeps the
    overlap and suggested-pair edges ranked 1 to *top*; an overlap of two initiatives already
    linked (one a member of the other) puts ``overlap_rank``, ``overlap_score`` … on that
    edge. A node without a result has no such
    attribute (never an empty number).

    Examples
    --------
    >>> from bioeco.analyses._fixture import example_graph
    >>> g = export_graph(example_graph())
    >>> g.nodes["actor/uit"]["sectors"], g.nodes["actor/uit"]["bipartite"]
    ('health|marine', 0)
    >>> export_graph(example_graph(), "actors").edges["actor/uit", "actor/nofima"]["weight"]
    2
    >>> sorted({d["relation"] for _, _, d in g.edges(data=True)})
    ['membership', 'overlap', 'suggested pair']
    >>> g.nodes["actor/uit"]["color"].startswith("#"), "x" in g.nodes["actor/uit"]
    (True, True)
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
    relation = "membership" if view == "bipartite" else "shared initiatives"
    for a, b, attrs in source.edges(data=True):
        typed = {"relation": relation, **{k: _typed(v) for k, v in attrs.items()}}
        out.add_edge(entity_id(a), entity_id(b), **typed)
    if findings:
        _add_findings(out, graph, net, view, as_of=as_of, basis=basis, top=top, seed=seed)
    return out


def _number(value: Any) -> int | float | None:
    """A number cell as int or float (rounded as in the CSVs), None when missing."""
    value = format_cell(value)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return value


def _add_findings(
    out: nx.Graph,
    graph: Graph | Dataset,
    net: Any,
    view: str,
    *,
    as_of: int | None,
    basis: str,
    top: int | None,
    seed: int,
) -> None:
    """Put the analyses' results and the viewer's colour and position on *out*."""
    from bioeco.analyses.bridges import communities
    from bioeco.analyses.run import run_analyses
    from bioeco.viz.viewer import viewer_data

    tables = run_analyses(graph, ["overlap", "bridges"], as_of=as_of, basis=basis, seed=seed)
    nodes = out.nodes

    def put(ident: Any, **values: Any) -> None:
        key = entity_id(str(ident))
        if key in nodes:
            nodes[key].update({k: v for k, v in values.items() if v is not None and v != ""})

    actors = tables["bridges_actors"]
    for row in actors.itertuples(index=False):
        put(
            row.actor,
            bridge_rank=_number(row.rank),
            bridge_score=_number(row.score),
            betweenness=_number(row.betweenness),
            participation=_number(row.participation),
            bridge_finding=_cell(row.explanation),
        )
    for row in tables["bridges_brokerage"].itertuples(index=False):
        put(row.actor, broker_role=_cell(row.dominant_role), brokerage=_number(row.score))
    for iri, community in communities(net, seed=seed).items():
        put(iri, community=community)
    # every node, whatever the size (a big view would otherwise open on a summary)
    shown = viewer_data(graph, view=view, as_of=as_of, basis=basis, seed=seed, summary=False)
    labels = {s["key"]: s["label"] for s in shown["legend"]["sectors"]}
    for node in shown["nodes"]:
        colour = node["color"]["background"]
        r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
        put(
            node["id"],
            top_sector=node["sectorKey"],
            top_sector_label=labels.get(node["sectorKey"], node["sectorKey"]),
            color=colour,
            r=r,
            g=g,
            b=b,
            x=float(node["x"]),
            y=float(node["y"]),
            size=float(node["size"]),
        )

    def link(a: Any, b: Any, **values: Any) -> None:
        ka, kb = entity_id(str(a)), entity_id(str(b))
        values = {k: v for k, v in values.items() if v is not None}
        if ka not in nodes or kb not in nodes:
            return
        if out.has_edge(ka, kb):  # one initiative is a member of the other: mark that edge
            kind = values.pop("relation")
            out.edges[ka, kb].update({f"{kind}_{k}": v for k, v in values.items()})
        else:
            out.add_edge(ka, kb, **values)

    def ranked(frame: pd.DataFrame) -> pd.DataFrame:
        return frame if top is None else frame[frame["rank"] <= top]

    if view == "bipartite":
        for row in ranked(tables["overlap_pairs"]).itertuples(index=False):
            link(
                row.initiative_a,
                row.initiative_b,
                relation="overlap",
                rank=_number(row.rank),
                score=_number(row.score),
                jaccard=_number(row.jaccard),
                finding=_cell(row.explanation),
            )
    for row in ranked(tables["bridges_pairs"]).itertuples(index=False):
        link(
            row.actor_a,
            row.actor_b,
            relation="suggested pair",
            rank=_number(row.rank),
            score=_number(row.score),
            finding=_cell(row.explanation),
        )


def _gexf_viz(g: nx.Graph) -> nx.Graph:
    """A copy of *g* whose nodes carry GEXF ``viz`` (colour, position, size) from their
    ``r``/``g``/``b``, ``x``/``y`` and ``size``; GEXF's y grows upwards, so y is mirrored."""
    out = g.copy()
    for _, data in out.nodes(data=True):
        viz: dict[str, Any] = {}
        if {"r", "g", "b"} <= set(data):
            viz["color"] = {"r": data["r"], "g": data["g"], "b": data["b"], "a": 1.0}
        if {"x", "y"} <= set(data):
            viz["position"] = {"x": data["x"], "y": -data["y"], "z": 0.0}
        if "size" in data:
            viz["size"] = data["size"]
        if viz:
            data["viz"] = viz
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
    Nodes with ``r``/``g``/``b``, ``x``/``y`` and ``size`` attributes (:func:`export_graph`)
    also get ``viz:color``, ``viz:position`` (y mirrored: GEXF's y grows upwards) and
    ``viz:size``, so Gephi opens the file coloured and laid out as the viewer shows it.

    Examples
    --------
    >>> from datetime import datetime
    >>> g = nx.Graph(); g.add_node("a", label="A")
    >>> b'lastmodifieddate="2020-01-02"' in gexf_bytes(g, date=datetime(2020, 1, 2))
    True
    """
    from bioeco.pipeline import run_clock

    day = (date or run_clock()).strftime("%Y-%m-%d")
    lines = [
        "<?xml version='1.0' encoding='utf-8'?>",
        *nx.generate_gexf(_gexf_viz(g), prettyprint=True),
    ]
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


def _sheet(wb: Any, name: str, frame: pd.DataFrame, *, header: bool = True) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    from bioeco.core.formats import column_decimals

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
        cell.alignment = Alignment(vertical="top", wrap_text=True)
    ws.freeze_panes = "A2"
    if columns and header:
        last = get_column_letter(len(columns))
        ws.auto_filter.ref = f"A1:{last}{max(1, len(rows) + 1)}"
    wrap = Alignment(vertical="top", wrap_text=True)
    for index, column in enumerate(columns, start=1):
        letter = get_column_letter(index)
        decimals = column_decimals(frame.iloc[:, index - 1].tolist())
        long_text = column in ("explanation", "in plain words")
        for cell in ws[letter][1:]:
            if decimals and isinstance(cell.value, float):
                cell.number_format = "0." + "0" * decimals
            if long_text:
                cell.alignment = wrap
        lengths = [len(column)] + [len(str(r[index - 1])) for r in rows[:500] if r[index - 1]]
        ws.column_dimensions[letter].width = 90 if long_text else min(max(lengths) + 2, 60)


_Q_LABELS = """
SELECT ?s ?label (LANG(?label) AS ?lang) WHERE { ?s skos:prefLabel ?label }"""
_Q_ENTITY_SOURCES = """
SELECT DISTINCT ?s ?src ?loc WHERE {
  { ?s a org:Organization } UNION { ?s a org:OrganizationalCollaboration }
  ?s prov:wasDerivedFrom ?src .
  OPTIONAL { ?s bioeco:locator ?loc }
}"""
_Q_MEMBERSHIP_ROWS = """
SELECT ?m ?member ?org ?role ?start ?end ?observed ?src ?loc WHERE {
  ?m a org:Membership ; org:member ?member ; org:organization ?org .
  OPTIONAL { ?m org:role ?role }
  OPTIONAL { ?m org:memberDuring ?during OPTIONAL { ?during time:hasBeginning ?b
             OPTIONAL { ?b time:inXSDgYear ?start } } }
  OPTIONAL { ?m org:memberDuring ?during2 OPTIONAL { ?during2 time:hasEnd ?e
             OPTIONAL { ?e time:inXSDgYear ?end } } }
  OPTIONAL { ?m bioeco:observedIn ?observed }
  OPTIONAL { ?m prov:wasDerivedFrom ?src }
  OPTIONAL { ?m bioeco:locator ?loc }
}"""


class Names:
    """Names of the entities and concepts of a graph, by one policy: the English label where
    one exists (else the untagged, else the Norwegian one), the Norwegian name beside it
    when it differs. Keys are IRIs; :meth:`of` also takes compact ids (``actor/uit``) and
    concept codes (``agri-food``)."""

    def __init__(self, graph: Graph | Dataset) -> None:
        from bioeco.store.query import select

        found: dict[str, dict[str, str]] = {}
        for s, label, lang in select(graph, _Q_LABELS, timeout=None).itertuples(index=False):
            if isinstance(label, str):
                tag = lang if isinstance(lang, str) else ""
                found.setdefault(str(s), {}).setdefault(tag, label)
        self.name: dict[str, str] = {}
        self.norwegian: dict[str, str] = {}
        by_code: dict[str, str] = {}
        for iri, labels in sorted(found.items()):
            name = labels.get("en") or labels.get("") or labels.get("nb") or labels.get("nn")
            if not name:
                continue
            self.name[iri] = name
            nb = labels.get("nb") or labels.get("nn") or labels.get("no")
            if nb and nb != name:
                self.norwegian[iri] = nb
            if "/concept/" in iri:
                by_code.setdefault(iri.rsplit("/", 1)[-1], name)
        self.by_id = {entity_id(iri): name for iri, name in self.name.items()}
        self.by_code = by_code

    def of(self, value: Any) -> Any:
        """The name of an IRI, id or concept code; anything else unchanged."""
        if not isinstance(value, str):
            return value
        found = self.name.get(value) or self.by_id.get(entity_id(value))
        return found or self.by_code.get(value, value)

    def nb(self, iri: str) -> str:
        """The Norwegian name of *iri* when it differs from :meth:`of`, else empty text."""
        return self.norwegian.get(iri, "")


def _code(iri: Any) -> str:
    return iri.rsplit("/", 1)[-1] if isinstance(iri, str) else ""


def _year(value: Any) -> int | None:
    if isinstance(value, str) and value[:4].isdigit():
        return int(value[:4])
    return None


def _lower(column: pd.Series) -> pd.Series:
    return column.astype(str).str.lower()


def entity_sheets(
    graph: Graph | Dataset, *, as_of: int | None = None, basis: str = "all"
) -> dict[str, pd.DataFrame]:
    """The ``actors``, ``initiatives`` and ``memberships`` sheets of the workbook: who is in
    what, with names (:class:`Names`: English where one exists, the Norwegian name beside it),
    types, sectors, stages and regions as labels, the sources and their locators; the ids and
    codes follow in the columns at the right. Memberships are every ``org:Membership`` of the
    graph (people's employments included, marked by the member's kind), with role and years.

    Examples
    --------
    >>> from bioeco.analyses._fixture import example_graph
    >>> sheets = entity_sheets(example_graph())
    >>> list(sheets), list(sheets["actors"].columns[:3])
    (['actors', 'initiatives', 'memberships'], ['name', 'Norwegian name', 'type'])
    """
    from bioeco.store.query import select

    names = Names(graph)
    net = load_network(graph, as_of=as_of, basis=basis)
    sources: dict[str, list[str]] = {}
    for s, src, loc in select(graph, _Q_ENTITY_SOURCES, timeout=None).itertuples(index=False):
        where = _code(src) + (f" ({loc})" if isinstance(loc, str) and loc else "")
        sources.setdefault(str(s), []).append(where)

    def labels(codes: Any) -> list[str]:
        return [names.of(c) for c in codes or ()]

    def text(value: Any) -> str:
        return value if isinstance(value, str) else ""

    sheets: dict[str, pd.DataFrame] = {}
    for kind, title in (("actor", "actors"), ("initiative", "initiatives")):
        rows = []
        nodes = net.nodes[net.nodes["kind"] == kind]
        for iri, node in nodes.iterrows():
            years = {}
            if kind == "initiative":
                years = {"start": _number(node.get("start")), "end": _number(node.get("end"))}
            rows.append(
                {
                    "name": names.name.get(iri) or node["label"],
                    "Norwegian name": names.nb(iri),
                    "type": names.of(text(node["type"])),
                    "sectors": labels(node["sectors"]),
                    "value-chain stages": labels(node["stages"]),
                    "regions": labels(node["regions"]),
                    **years,
                    "sources": sorted(sources.get(iri, [])),
                    "id": entity_id(iri),
                    "type code": text(node["type"]),
                    "sector codes": list(node["sectors"] or ()),
                    "stage codes": list(node["stages"] or ()),
                    "region codes": list(node["regions"] or ()),
                }
            )
        frame = pd.DataFrame(rows)
        if not frame.empty:
            frame = frame.sort_values(["name", "id"], key=_lower).reset_index(drop=True)
            for column in ("start", "end"):
                if column in frame.columns:
                    frame[column] = frame[column].astype("Int64")
        sheets[title] = frame
    rows = []
    found = select(graph, _Q_MEMBERSHIP_ROWS, timeout=None)
    for _m, member, org, role, start, end, observed, src, loc in found.itertuples(index=False):
        rows.append(
            {
                "member": names.of(str(member)),
                "member is": entity_id(str(member)).split("/", 1)[0],
                "role": names.of(_code(role)) if isinstance(role, str) else "",
                "of": names.of(str(org)),
                "from": _year(start),
                "to": _year(end),
                "observed in": _year(observed),
                "source": _code(src),
                "locator": text(loc),
                "member id": entity_id(str(member)),
                "of id": entity_id(str(org)),
                "role code": _code(role),
            }
        )
    frame = pd.DataFrame(rows)
    if not frame.empty:
        frame = frame.drop_duplicates().sort_values(
            ["of", "member", "role", "source", "locator"], key=_lower
        )
        for column in ("from", "to", "observed in"):
            frame[column] = frame[column].astype("Int64")
    sheets["memberships"] = frame.reset_index(drop=True)
    return sheets


#: Columns of the analysis tables holding one concept code (shown by its label in a sheet).
_CODE_COLUMNS = frozenset(
    {"sector", "stage", "sector_a", "sector_b", "type", "type_a", "type_b", "region"}
)


def sector_sheet(
    graph: Graph | Dataset, *, as_of: int | None = None, basis: str = "all"
) -> pd.DataFrame:
    """Actors and initiatives per top-level sector
    (:func:`bioeco.analyses.sectors.sector_counts`: the count the report and the CLI use,
    defined by :data:`bioeco.analyses.sectors.COUNT_DEFINITION`), labels first, codes last."""
    from bioeco.analyses.sectors import sector_counts

    counts = sector_counts(load_network(graph, as_of=as_of, basis=basis))
    return pd.DataFrame(
        {
            "sector": counts["label"],
            "actors": counts["actors"],
            "initiatives": counts["initiatives"],
            "actors taking part": counts["active_actors"],
            "initiatives with members": counts["active_initiatives"],
            "memberships of its actors": counts["memberships"],
            "sector code": counts["sector"],
        }
    )


def findings_sheet(frame: pd.DataFrame, names: Names | None = None) -> pd.DataFrame:
    """An analysis table as a colleague reads it: the rank, the names, the explanation, then
    the key numbers (:func:`bioeco.core.formats.finding_columns`), then the other columns;
    ranked rows in rank order; ids and codes in list cells, and the codes of sector, stage,
    type and region columns, replaced by names (*names*);
    headers in words (:func:`bioeco.core.formats.column_title`).

    Examples
    --------
    >>> df = pd.DataFrame({"actor": ["actor/uit"], "score": [0.5], "rank": [1],
    ...                    "label": ["UiT"], "explanation": ["UiT links two sectors"]})
    >>> list(findings_sheet(df).columns)
    ['rank', 'name', 'explanation', 'score', 'actor id']
    """
    from bioeco.core.formats import column_title, finding_columns

    frame = frame.sort_values("rank", kind="stable") if "rank" in frame.columns else frame
    lead, numbers = finding_columns(frame)
    first = [c for c in ("rank", *lead, "explanation", *numbers) if c in frame.columns]
    order = list(dict.fromkeys(first + [str(c) for c in frame.columns]))
    out = frame[order].reset_index(drop=True).copy()
    lists = (list, tuple, set, frozenset)
    if names is not None:
        for column in out.columns:
            values = out[column].tolist()
            if column in _CODE_COLUMNS:
                out[column] = [names.by_code.get(v, v) if isinstance(v, str) else v for v in values]
            elif any(isinstance(v, lists) for v in values):
                out[column] = [
                    [names.of(str(i)) for i in v] if isinstance(v, lists) else v for v in values
                ]
    titles = [column_title(str(c)) for c in out.columns]
    if len(set(titles)) == len(titles):
        out.columns = titles
    return out


#: What each sheet of the workbook holds, in plain words (Read me).
SHEET_NOTES: dict[str, str] = {
    "actors": "Every actor (company, research institute, funder …): its name, type, sectors, "
    "value-chain stages, region and the sources naming it; ids and codes at the right.",
    "initiatives": "Every initiative (cluster, project, event, application …) with the same "
    "columns and its years.",
    "memberships": "Who is in what: member, role, initiative or organisation, years, source "
    "and where in the source (locator). People's employments are marked 'person'.",
    "gaps_coverage": "Sector × value-chain stage cells with few or no actors or initiatives, "
    "the most under-represented first.",
    "gaps_survey": "What the survey respondents said beside what the graph holds for the same "
    "sector or stage.",
    "gaps_structural": "Pairs of sectors that share fewer initiatives than random mixing "
    "would give.",
    "overlap_pairs": "Initiatives with the same members (possible duplication), the most "
    "overlapping first.",
    "bridges_actors": "Actors who connect sectors (bridge candidates), the strongest first.",
    "bridges_brokerage": "Actors who broker between sector groups (Gould–Fernandez roles).",
    "bridges_pairs": "Actors who share no initiative but have partners in common: "
    "introductions worth making.",
    "sectors": "Actors and initiatives per top-level sector, with those taking part in an "
    "initiative and their memberships; the last row counts what has no sector.",
    "change_summary": "What changed between the two years the sources describe, in counts.",
    "change_continuity": "Actors and clusters named in one year, the other, or both.",
    "change_coverage": "Coverage cells that changed between the years.",
    "change_overlap": "Overlapping initiative pairs in one year or both.",
    "change_bridges": "Bridge candidates in one year or both.",
    "sources": "The source documents, with their titles and what each contributes.",
    "run": "The options this workbook was made with.",
}


def _glossary() -> list[tuple[str, str]]:
    """The terms of docs/glossary.md with their first paragraph, in file order (none when the
    checkout's docs are not there)."""
    from bioeco.core.paths import PROJECT_ROOT

    path = PROJECT_ROOT / "docs" / "glossary.md"
    if not path.is_file():
        return []
    terms: list[tuple[str, str]] = []
    term, lines = None, []
    for line in [*path.read_text(encoding="utf-8").splitlines(), "### "]:
        if line.startswith("#"):
            if term and lines:
                terms.append((term, " ".join(lines)))
            term = line.removeprefix("### ").strip() if line.startswith("### ") else None
            lines = []
        elif term is not None:
            if line.strip():
                lines.append(line.strip().replace("`", "").replace("*", ""))
            elif lines:
                terms.append((term, " ".join(lines)))
                term, lines = None, []
    return terms


def readme_sheet(
    sheets: list[str],
    sources: pd.DataFrame | None,
    found: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """The first sheet: what the analyses found (*found*: sheet → the table's summary in plain
    words, ``attrs["summary"]``, as the report and the terminal give it), what each sheet
    holds, the glossary's terms in plain words, and the sources with their titles (two
    columns, a heading row before each part).

    Examples
    --------
    >>> sheet = readme_sheet(["gaps_structural"], None, {"gaps_structural": "No pair is below."})
    >>> sheet.values[2][0], sheet.values[3].tolist()
    ('What the analyses found', ['gaps_structural', 'No pair is below.'])
    """
    rows: list[tuple[str, str]] = [
        (
            "bioeco workbook",
            "Findings about the bioeconomy ecosystem and the data behind them. "
            "Every finding has an explanation in plain words; numbers are numbers.",
        ),
        ("", ""),
    ]
    summaries = [(name, str(found[name])) for name in sheets if (found or {}).get(name)]
    if summaries:
        rows += [("What the analyses found", "In plain words (the sheets give each finding)")]
        rows += [*summaries, ("", "")]
    rows += [("Sheets", "What each holds")]
    rows += [(name, SHEET_NOTES.get(name, "analysis table")) for name in sheets]
    if "sectors" in sheets:
        from bioeco.analyses.sectors import COUNT_DEFINITION

        rows += [("", ""), ("How sectors are counted", COUNT_DEFINITION)]
    terms = _glossary()
    if terms:
        rows += [("", ""), ("Terms", "In plain words (docs/glossary.md)")]
        rows += terms
    if sources is not None and len(sources):
        rows += [("", ""), ("Sources", "Title")]
        for row in sources.to_dict("records"):
            issued = f" ({row['issued']})" if row.get("issued") else ""
            rows.append((str(row["source"]), f"{row.get('title') or ''}{issued}"))
    return pd.DataFrame(rows, columns=["item", "in plain words"])


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
    readme: pd.DataFrame | None = None,
    entities: Mapping[str, pd.DataFrame] | None = None,
) -> bytes:
    """An .xlsx workbook: a ``Read me`` sheet (*readme*, :func:`readme_sheet`), the *entities*
    sheets (:func:`entity_sheets`), one sheet per table (in the given order), then
    ``sources`` and ``run``.

    Each sheet has a bold header row, frozen panes below it, a filter and column widths fitted
    to the content (at most 60 characters; explanations 90, wrapped); a column of floats shows
    one number of decimals (:func:`bioeco.core.formats.column_decimals`, as the table view).
    Cells are those of the analysis CSVs
    (:func:`bioeco.analyses.run.format_cell`: lists joined by ``|``, floats rounded), and text
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
    if readme is not None:
        _sheet(wb, "Read me", readme, header=False)
    for name, frame in (entities or {}).items():
        _sheet(wb, name, frame)
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
    >>> from bioeco.analyses._fixture import example_graph
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
        entities = entity_sheets(graph, as_of=as_of, basis=basis)
        entities["sectors"] = sector_sheet(graph, as_of=as_of, basis=basis)
        sheets = {name: findings_sheet(frame, names) for name, frame in tables.items()}
        found = {name: frame.attrs.get("summary") for name, frame in tables.items()}
        readme = readme_sheet([*entities, *sheets, "sources", "run"], sources, found)
        data = workbook_bytes(
            sheets, sources=sources, run=run, date=started, readme=readme, entities=entities
        )
    return atomic_write(Path(out), data, make_folder=default)
