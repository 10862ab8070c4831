"""GraphML and GEXF of the network (Gephi, Cytoscape), typed, with the analyses' findings."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd
from rdflib import Dataset, Graph

from bioeco.analyses.project import actor_projection, bipartite_graph, entity_id, load_network
from bioeco.core.values import xml_text
from bioeco.errors import UsageError
from bioeco.viz.workbook import cell_number, sheet_cell

__all__ = [
    "VIEWS",
    "export_graph",
    "gexf_bytes",
    "graphml_bytes",
]


VIEWS = ("bipartite", "actors")


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
    (:func:`bioeco.viz.viewer.node_placement` with the same options, so colours and layout match):
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
        _add_findings(
            out, graph, net, view, as_of=as_of, basis=basis, top=top, seed=seed, source=source
        )
    return out


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
    source: nx.Graph | None = None,
) -> None:
    """Put the analyses' results and the viewer's colour and position on *out* (*source*:
    the view's graph of *net*, when made already)."""
    from bioeco.analyses.bridges import communities
    from bioeco.pipeline import analysis_tables
    from bioeco.viz.viewer import node_placement

    # out/analysis/ when `bioeco analyze` wrote it for this graph and these options (numbers
    # as the CSV files hold them, as the viewer and the workbook show them)
    tables = analysis_tables(graph, ["overlap", "bridges"], as_of=as_of, basis=basis, seed=seed)
    nodes = out.nodes

    def put(ident: Any, **values: Any) -> None:
        key = entity_id(str(ident))
        if key in nodes:
            nodes[key].update({k: v for k, v in values.items() if v is not None and v != ""})

    actors = tables["bridges_actors"]
    for row in actors.itertuples(index=False):
        put(
            row.actor,
            bridge_rank=cell_number(row.rank),
            bridge_score=cell_number(row.score),
            betweenness=cell_number(row.betweenness),
            participation=cell_number(row.participation),
            bridge_finding=sheet_cell(row.explanation),
        )
    for row in tables["bridges_brokerage"].itertuples(index=False):
        put(row.actor, broker_role=sheet_cell(row.dominant_role), brokerage=cell_number(row.score))
    for iri, community in communities(net, seed=seed).items():
        put(iri, community=community)
    # every node, whatever the size, where the viewer draws it (positions, sizes, colours;
    # not the page's facts and panels, which cost minutes at national scale)
    placed = node_placement(
        graph, view=view, as_of=as_of, basis=basis, seed=seed, scores=actors, network=net,
        view_graph=source,
    )  # fmt: skip
    for iri, where in placed.items():
        colour = where["color"]
        r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
        put(
            iri,
            top_sector=where["sector_key"],
            top_sector_label=where["sector_label"],
            color=colour,
            r=r,
            g=g,
            b=b,
            x=float(where["x"]),
            y=float(where["y"]),
            size=float(where["size"]),
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
                rank=cell_number(row.rank),
                score=cell_number(row.score),
                jaccard=cell_number(row.jaccard),
                finding=sheet_cell(row.explanation),
            )
    for row in ranked(tables["bridges_pairs"]).itertuples(index=False):
        link(
            row.actor_a,
            row.actor_b,
            relation="suggested pair",
            rank=cell_number(row.rank),
            score=cell_number(row.score),
            finding=sheet_cell(row.explanation),
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
    """GraphML of *g*: the text networkx's writer gives (``generate_graphml``, pretty-printed;
    attribute types declared per key, in the order the writer meets them), written here line
    by line instead of through an element tree of every node, edge and value (a million
    elements at national scale). A multigraph, a directed graph, a graph ``id`` or
    attribute defaults go through networkx itself.

    Examples
    --------
    >>> g = nx.Graph(); g.add_node("a", label="A & B", n=1)
    >>> b'attr.name="n" attr.type="long"' in graphml_bytes(g), b"A &amp; B" in graphml_bytes(g)
    (True, True)
    """
    if g.is_multigraph() or g.is_directed() or any(k in g.graph for k in ("id", *_DEFAULTS)):
        lines = [_XML_DECLARATION, *nx.generate_graphml(g, prettyprint=True)]
        return ("\n".join(lines) + "\n").encode("utf-8")
    writer = nx.readwrite.graphml.GraphMLWriter()  # its types, names and locations
    keys: dict[tuple[str, str, str], str] = {}

    def key(name: str, kind: type, scope: str) -> str:
        found = keys.get((name, writer.get_xml_type(kind), scope))
        if found is None:
            found = keys[(name, writer.get_xml_type(kind), scope)] = f"d{len(keys)}"
        return found

    def data(scope: str, values: dict, indent: str) -> list[str]:
        out = []
        for name, value in values.items():
            ident = key(str(name), type(value), scope)
            text = xml_text(str(value))
            if text:
                out.append(f'{indent}<data key="{ident}">{text}</data>')
            else:
                out.append(f'{indent}<data key="{ident}" />')
        return out

    body: list[str] = []
    graph_data = data("graph", dict(g.graph), "    ")
    for node, values in g.nodes(data=True):
        head = f'    <node id="{_attrib(str(node))}"'
        if values:
            body += [head + ">", *data("node", values, "      "), "    </node>"]
        else:
            body.append(head + " />")
    for u, v, values in g.edges(data=True):
        head = f'    <edge source="{_attrib(str(u))}" target="{_attrib(str(v))}"'
        if values:
            body += [head + ">", *data("edge", values, "      "), "    </edge>"]
        else:
            body.append(head + " />")
    # the graph's own data come after its nodes and edges, as networkx appends them
    body += graph_data
    root = (
        f'<graphml xmlns="{writer.NS_GRAPHML}" xmlns:xsi="{writer.NS_XSI}" '
        f'xsi:schemaLocation="{writer.SCHEMALOCATION}">'
    )
    declared = [
        f'  <key id="{ident}" for="{scope}" attr.name="{_attrib(name)}" attr.type="{kind}" />'
        for (name, kind, scope), ident in reversed(keys.items())
    ]
    graph = '  <graph edgedefault="undirected"'
    parts = [root, *declared, *([graph + ">", *body, "  </graph>"] if body else [graph + " />"])]
    text = "\n".join([*parts, "</graphml>"])
    del parts, body
    return f"{_XML_DECLARATION}\n{_as_lines(text)}\n".encode("ascii")


def _as_lines(text: str) -> str:
    """*text* as networkx's writers give it line by line: ASCII, other characters as
    references (ElementTree's default encoding), then split into lines (a line break inside
    a value breaks the line)."""
    if not text.isascii():
        text = text.encode("ascii", "xmlcharrefreplace").decode("ascii")
    if any(c in text for c in _OTHER_BREAKS):
        text = "\n".join(text.splitlines())
    return text


#: The line breaks of ``str.splitlines`` other than LF that can remain in ASCII text.
_OTHER_BREAKS = "\r\x0b\x0c\x1c\x1d\x1e"


_XML_DECLARATION = "<?xml version='1.0' encoding='utf-8'?>"
_DEFAULTS = ("node_default", "edge_default")


def _attrib(text: str) -> str:
    """An attribute value escaped as ElementTree escapes it."""
    text = xml_text(text)
    if '"' in text:
        text = text.replace('"', "&quot;")
    if "\r" in text:
        text = text.replace("\r", "&#13;")
    if "\n" in text:
        text = text.replace("\n", "&#10;")
    if "\t" in text:
        text = text.replace("\t", "&#09;")
    return text


def gexf_bytes(g: nx.Graph, *, date: datetime | None = None) -> bytes:
    """GEXF 1.2 of *g*: the text networkx's writer gives (``generate_gexf``, pretty-printed;
    attribute ids in the order the writer meets them), written here line by line as
    :func:`graphml_bytes` is; the file's date is *date* (default: the run clock). Nodes with
    ``r``/``g``/``b``, ``x``/``y`` and ``size`` attributes (:func:`export_graph`) also get
    ``viz:color``, ``viz:position`` (y mirrored: GEXF's y grows upwards) and ``viz:size``, so
    Gephi opens the file coloured and laid out as the viewer shows it. What this writer does
    not write (a multigraph, a directed or dynamic graph, ids, parents, spells, time
    attributes, defaults, list values) goes through networkx itself.

    Examples
    --------
    >>> from datetime import datetime
    >>> g = nx.Graph(); g.add_node("a", label="A")
    >>> b'lastmodifieddate="2020-01-02"' in gexf_bytes(g, date=datetime(2020, 1, 2))
    True
    """
    from bioeco.pipeline import run_clock

    day = (date or run_clock()).strftime("%Y-%m-%d")
    text = _gexf_lines(g, day)
    if text is None:
        lines = [_XML_DECLARATION, *nx.generate_gexf(_gexf_viz(g), prettyprint=True)]
        text = "\n".join(lines)
        text = re.sub(r'lastmodifieddate="[^"]*"', f'lastmodifieddate="{day}"', text, count=1)
    return (text + "\n").encode("utf-8")


#: Data keys networkx's GEXF writer gives a meaning of their own (not written here).
_GEXF_SPECIAL = frozenset({"id", "pid", "start", "end", "parents", "spells", "slices", "viz"})
_GEXF_EDGE_SPECIAL = frozenset({"id", "start", "end", "spells", "slices", "viz"})


def _gexf_lines(g: nx.Graph, day: str) -> str | None:
    """The GEXF text of :func:`gexf_bytes`, or None for a graph this writer leaves to
    networkx."""
    if g.is_multigraph() or g.is_directed() or g.graph.get("mode") == "dynamic":
        return None
    if any(k in g.graph for k in _DEFAULTS):
        return None
    writer = nx.readwrite.gexf.GEXFWriter()  # its types and namespaces
    types = writer.xml_type
    ids: dict[str, dict[str, tuple[str, str]]] = {"node": {}, "edge": {}}
    met: list[str] = []  # the classes in the order their first attribute was met
    count = 0

    def values(scope: str, data: dict, indent: str) -> list[str] | None:
        nonlocal count
        out = []
        for name, value in data.items():
            kind = type(value)
            if kind not in types or kind is list:
                return None
            title = "networkx_key" if name == "key" else str(name)
            found = ids[scope].get(title)
            if found is None:
                found = ids[scope][title] = (str(count), types[kind])
                count += 1
                if scope not in met:
                    met.append(scope)
            if kind is bool:
                text = str(value).lower()
            else:
                text = str(value)
                if kind is float:
                    text = {"inf": "INF", "nan": "NaN", "-inf": "-INF"}.get(text, text)
            out.append(f'{indent}<attvalue for="{found[0]}" value="{_attrib(text)}" />')
        return out

    nodes: list[str] = []
    for node, data in g.nodes(data=True):
        if _GEXF_SPECIAL & data.keys():
            return None
        rest = {k: v for k, v in data.items() if k != "label"}
        label = _attrib(str(data.get("label", node)))
        head = f'      <node id="{_attrib(str(node))}" label="{label}"'
        inner = _gexf_viz_lines(data)
        found = values("node", rest, "          ") if rest else []
        if found is None:
            return None
        if found:
            inner += ["        <attvalues>", *found, "        </attvalues>"]
        nodes += [head + ">", *inner, "      </node>"] if inner else [head + " />"]
    edges: list[str] = []
    for number, (u, v, data) in enumerate(g.edges(data=True)):
        if _GEXF_EDGE_SPECIAL & data.keys():
            return None
        extra = "".join(
            f' {k}="{_attrib(str(data[k]))}"' for k in ("label", "weight", "type") if k in data
        )
        head = f'      <edge source="{_attrib(str(u))}" target="{_attrib(str(v))}" id="{number}"'
        rest = {k: x for k, x in data.items() if k not in ("label", "weight", "type")}
        found = values("edge", rest, "          ") if rest else []
        if found is None:
            return None
        if found:
            edges += [head + extra + ">", "        <attvalues>", *found]
            edges += ["        </attvalues>", "      </edge>"]
        else:
            edges.append(head + extra + " />")
    viz = any(line.lstrip().startswith("<viz:") for line in nodes)
    root = "<gexf" + (f' xmlns:viz="{writer.NS_VIZ}"' if viz else "")
    root += (
        f' xmlns="{writer.NS_GEXF}" xmlns:xsi="{writer.NS_XSI}"'
        f' xsi:schemaLocation="{writer.SCHEMALOCATION}" version="{writer.VERSION}">'
    )
    name = _attrib(str(g.graph.get("name", "")))
    graph = f'  <graph defaultedgetype="undirected" mode="static" name="{name}">'
    declared: list[str] = []
    for scope in reversed(met):  # each new class of attributes goes first, as networkx puts it
        declared.append(f'    <attributes mode="static" class="{scope}">')
        declared += [
            f'      <attribute id="{ident}" title="{_attrib(title)}" type="{kind}" />'
            for title, (ident, kind) in ids[scope].items()
        ]
        declared.append("    </attributes>")
    parts = [
        root,
        f'  <meta lastmodifieddate="{day}">',
        f"    <creator>NetworkX {xml_text(nx.__version__)}</creator>",
        "  </meta>",
        graph,
        *declared,
        *(["    <nodes>", *nodes, "    </nodes>"] if nodes else ["    <nodes />"]),
        *(["    <edges>", *edges, "    </edges>"] if edges else ["    <edges />"]),
        "  </graph>",
        "</gexf>",
    ]
    return f"{_XML_DECLARATION}\n{_as_lines(chr(10).join(parts))}"


def _gexf_viz_lines(data: dict) -> list[str]:
    """A node's ``viz:color``, ``viz:size`` and ``viz:position`` lines (:func:`_gexf_viz`)."""
    out = []
    if {"r", "g", "b"} <= data.keys():
        r, g, b = (_attrib(str(data[k])) for k in "rgb")
        out.append(f'        <viz:color r="{r}" g="{g}" b="{b}" a="1.0" />')
    if "size" in data:
        out.append(f'        <viz:size value="{_attrib(str(data["size"]))}" />')
    if {"x", "y"} <= data.keys():
        x, y = _attrib(str(data["x"])), _attrib(str(-data["y"]))
        out.append(f'        <viz:position x="{x}" y="{y}" z="0.0" />')
    return out
