"""The interactive viewer: one self-contained, offline HTML page (pyvis on vis-network)."""

from __future__ import annotations

import html
import json
import math
import os
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd
from rdflib import Dataset, Graph

from bioeco.analyses.project import (
    ORGANISER_ROLES,
    Network,
    actor_projection,
    bipartite_graph,
    entity_id,
    entity_iri,
    load_network,
)
from bioeco.core.atomic import atomic_write, check_target
from bioeco.errors import UsageError
from bioeco.store.query import select

__all__ = [
    "HIGHLIGHTS",
    "SIZE_MEASURES",
    "VIEWS",
    "ViewerPage",
    "show_viewer",
    "viewer_data",
    "viewer_html",
    "write_viewer",
]

#: The two views: actors and initiatives as a bipartite graph, or the actor projection.
VIEWS = ("bipartite", "actors")
#: ``size_by`` choices: a column of the ``bridges_actors`` table, the degree in the view, or none.
SIZE_MEASURES: dict[str, str | None] = {
    "bridge": "score",
    "betweenness": "betweenness",
    "participation": "participation",
    "effective-size": "effective_size",
    "brokerage": "brokerage",
    "degree": None,
    "none": None,
}
#: Size choices the page always offers (plus the one ``size_by`` names).
PAGE_SIZES = ("bridge", "betweenness", "degree", "none")
#: Size measures in plain words: (menu label, legend sentence).
SIZE_WORDS = {
    "bridge": (
        "bridge score",
        "Bigger: a stronger bridge candidate (score of bridges_actors: links sectors that "
        "otherwise meet little). Initiatives have no score and stay small.",
    ),
    "betweenness": (
        "betweenness",
        "Bigger: the actor lies on more of the shortest paths between other actors.",
    ),
    "participation": (
        "participation",
        "Bigger: the actor's partners are spread over more sectors (participation coefficient).",
    ),
    "effective-size": (
        "effective size",
        "Bigger: more partners who are not linked to each other (Burt's effective size).",
    ),
    "brokerage": (
        "brokerage",
        "Bigger: the actor more often links partners of different sectors (Gould–Fernandez).",
    ),
    "degree": ("degree", "Bigger: more lines in this view."),
    "none": ("none", "All nodes the same size."),
}
_TYPE_PALETTE = ("#0072B2", "#009E73", "#D55E00", "#E69F00", "#CC79A7", "#56B4E9", "#999933")

#: Analysis overlays (``highlight``).
HIGHLIGHTS = ("bridges", "overlap", "gaps")

#: Components up to this size get networkx's ForceAtlas2 (quadratic), larger ones igraph's
#: grid Fruchterman–Reingold (:data:`BIG_LAYOUT_ITERATIONS` rounds).
FORCEATLAS_MAX_NODES = 300
BIG_LAYOUT_ITERATIONS = 100

#: Up to this many nodes vis-network's physics settles the Python layout (then stops); above it
#: physics is off and the Python layout is final (big graphs draw at once and stay readable).
PHYSICS_MAX_NODES = 80

#: Up to this many nodes a node under the mouse is drawn highlighted (vis-network's ``hover``,
#: one redraw each time the mouse enters or leaves a node); above it only the tooltip shows, and
#: lines are left out while the view is dragged or zoomed, so a 5000-node page stays responsive.
HOVER_MAX_NODES = 1000

#: Least distance between two nodes of a laid-out component, in edge lengths (75 px).
MIN_DISTANCE = 0.75

#: Labels are placed in the page (viewer.js ``placeLabels``): the most important nodes in view,
#: by ``rank`` (the size measure, then degree), none covering another, at a readable screen size.

# Okabe–Ito based palette, assigned to top sectors in code order.
_PALETTE = ("#009E73", "#D55E00", "#E69F00", "#CC79A7", "#0072B2", "#56B4E9", "#882255", "#999933")
_SEVERAL = ("several", "several sectors", "#3d3d3d")
_NONE = ("none", "no sector stated", "#b8b8b8")

# Shape per type group: (kind, group label, vis shape, legend glyph, type codes or None = rest).
_SHAPES: tuple[tuple[str, str, str, str, frozenset[str] | None], ...] = (
    ("actor", "company", "dot", "●", frozenset({"company"})),
    (
        "actor",
        "research, education, health",
        "triangle",
        "▲",
        frozenset(
            {
                "research-institute",
                "university",
                "university-college",
                "research-infrastructure",
                "hospital",
            }
        ),
    ),
    (
        "actor",
        "public sector",
        "diamond",
        "◆",
        frozenset({"public-agency", "ministry", "regional-authority", "municipality"}),
    ),
    (
        "actor",
        "funder or investor",
        "star",
        "★",
        frozenset({"funding-agency", "investor", "foundation"}),
    ),
    ("actor", "other organisation", "triangleDown", "▼", None),
    ("initiative", "cluster or network", "hexagon", "⬢", frozenset({"cluster", "network"})),
    ("initiative", "project, programme, event …", "square", "■", None),
)

# Edge style per role group, by precedence: (label, colour, width, dashes, role codes or None).
_ROLE_STYLES: tuple[tuple[str, str, float, Any, frozenset[str] | None], ...] = (
    ("leads or organises", "#4a4a4a", 2.5, False, ORGANISER_ROLES | {"coordinator"}),
    ("funds", "#1b7f3b", 2.0, [8, 4], frozenset({"funder"})),
    (
        "member or partner",
        "#9a9a9a",
        1.5,
        False,
        frozenset({"member", "partner", "participant", "collaborator", "applicant"}),
    ),
    ("contributes or advises", "#c4c4c4", 1.0, [2, 4], None),
)
_SHARED_STYLE = ("share initiatives (width: how many)", "#b4b4b4", 1.0, False)
_PAIR_STYLE = ("suggested pair (bridges)", "#e6007e", 2.0, [6, 6])
_OVERLAP_STYLE = ("overlapping initiatives (width: Jaccard)", "#7b2cbf", 2.0, [2, 5])
_RING = "#e6007e"

# per named graph, so each source is paired with its own locator
_Q_NODE_SOURCES = """
SELECT DISTINCT ?s ?src ?loc WHERE {
  GRAPH ?g {
    { ?s a org:Organization } UNION { ?s a org:OrganizationalCollaboration }
    ?s prov:wasDerivedFrom ?src .
    OPTIONAL { ?s bioeco:locator ?loc }
  }
}"""
_Q_NODE_SOURCES_PLAIN = _Q_NODE_SOURCES.replace("GRAPH ?g {", "{")

_Q_ASSERTIONS = """
SELECT DISTINCT ?s ?p ?c ?basis ?src ?loc WHERE {
  ?a bioeco:classifiedEntity ?s ; bioeco:classificationProperty ?p ; bioeco:concept ?c .
  OPTIONAL { ?a bioeco:basis ?basis }
  OPTIONAL { ?a prov:wasDerivedFrom ?src }
  OPTIONAL { ?a bioeco:locator ?loc }
}"""

_Q_MEMBERSHIPS = """
SELECT DISTINCT ?member ?org ?role ?src ?loc (STR(?b) AS ?begin) (STR(?e) AS ?end)
       (STR(?o) AS ?observed) WHERE {
  ?ms a org:Membership ; org:member ?member ; org:organization ?org .
  OPTIONAL { ?ms org:role ?role }
  OPTIONAL { ?ms prov:wasDerivedFrom ?src }
  OPTIONAL { ?ms bioeco:locator ?loc }
  OPTIONAL { ?ms bioeco:observedIn ?o }
  OPTIONAL { ?ms org:memberDuring ?iv .
    OPTIONAL { ?iv time:hasBeginning/(time:inXSDDate|time:inXSDgYearMonth|time:inXSDgYear
                                      |time:inXSDDateTime|time:inXSDDateTimeStamp) ?b }
    OPTIONAL { ?iv time:hasEnd/(time:inXSDDate|time:inXSDgYearMonth|time:inXSDgYear
                                |time:inXSDDateTime|time:inXSDDateTimeStamp) ?e } }
}"""

_Q_ALIASES = """
SELECT DISTINCT ?s ?alt WHERE { ?s skos:altLabel ?alt }"""

_PROPERTY_SCHEME = {"sector": "sector", "valueChainStage": "stage", "region": "region"}


@dataclass(frozen=True)
class _Options:
    view: str = "bipartite"
    size_by: str = "bridge"
    focus: str | None = None
    depth: int = 1
    sector: str | None = None
    region: str | None = None
    type: str | None = None
    as_of: int | None = None
    basis: str = "all"
    highlight: tuple[str, ...] = ()
    top: int = 10
    seed: int = 42
    physics_max_nodes: int = PHYSICS_MAX_NODES
    title: str | None = None


def _options(**options: Any) -> _Options:
    known = set(_Options.__dataclass_fields__)
    bad = sorted(set(options) - known)
    if bad:
        raise UsageError(
            f"unknown viewer option {', '.join(bad)}: known options are {', '.join(sorted(known))}"
        )
    highlight = options.get("highlight") or ()
    if isinstance(highlight, str):
        highlight = (highlight,)
    options["highlight"] = tuple(dict.fromkeys(highlight))
    opts = _Options(**options)
    if opts.view not in VIEWS:
        raise UsageError(f"unknown view {opts.view!r}: use {' or '.join(VIEWS)}")
    if opts.size_by not in SIZE_MEASURES:
        raise UsageError(f"unknown size measure {opts.size_by!r}: use {', '.join(SIZE_MEASURES)}")
    unknown = [h for h in opts.highlight if h not in HIGHLIGHTS]
    if unknown:
        raise UsageError(f"unknown highlight {unknown[0]!r}: use {', '.join(HIGHLIGHTS)}")
    if "overlap" in opts.highlight and opts.view != "bipartite":
        raise UsageError("highlight overlap links initiatives: use it with the bipartite view")
    if not isinstance(opts.depth, int) or opts.depth < 0:
        raise UsageError(f"depth must be a whole number ≥ 0, not {opts.depth!r}")
    if not isinstance(opts.top, int) or opts.top < 1:
        raise UsageError(f"top must be a positive integer, not {opts.top!r}")
    if opts.as_of is not None and (not isinstance(opts.as_of, int) or not 1 <= opts.as_of <= 9999):
        raise UsageError(f"as_of must be a year between 1 and 9999, not {opts.as_of!r}")
    return opts


def _check_code(net: Network, scheme: str, code: str | None) -> None:
    if code is not None and code not in net.codes(scheme):
        known = ", ".join(net.codes(scheme)) or "none"
        raise UsageError(f"unknown {scheme} {code!r}: known {scheme} codes are {known}")


def _text(value: Any) -> str:
    """Plain text of a cell: no ``nan``/``None`` ever reaches a page."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value)


def _concept_labels(net: Network) -> dict[tuple[str, str], str]:
    return {
        (scheme, code): _text(label) or code
        for scheme, code, label in net.concepts[["scheme", "code", "label"]].itertuples(False)
    }


def _resolve_focus(graph: nx.Graph, net: Network, focus: str) -> str:
    """The node key of *focus*: a full IRI, a compact id (``actor/uit``) or a bare slug."""
    candidates = [str(entity_iri(focus))]
    if "/" not in focus and ":" not in focus:
        candidates += [str(entity_iri(f"{kind}/{focus}")) for kind in ("actor", "initiative")]
    for key in candidates:
        if key in graph:
            return key
    if any(key in net.nodes.index for key in candidates):
        raise UsageError(f"focus {focus!r} has no links in this view (check --as-of, --region …)")
    raise UsageError(f"unknown focus {focus!r}: give an id such as actor/uit or initiative/dln")


def _subset(graph: nx.Graph, net: Network, opts: _Options) -> nx.Graph:
    """Apply ``sector``, ``type`` and ``focus``/``depth`` to the view graph."""
    core: set[str] | None = None
    if opts.sector is not None:
        inside = net.descendants("sector", opts.sector)
        core = {n for n, d in graph.nodes(data=True) if set(d.get("sectors", ())) & inside}
    if opts.type is not None:
        typed = {n for n, d in graph.nodes(data=True) if d.get("type") == opts.type}
        core = typed if core is None else core & typed
    if core is not None:
        keep = set(core)
        if opts.view == "bipartite":  # keep each kept node's partners as context
            for node in core:
                keep.update(graph.neighbors(node))
        graph = graph.subgraph(keep).copy()
    if opts.focus is not None:
        centre = _resolve_focus(graph, net, opts.focus)
        graph = nx.ego_graph(graph, centre, radius=opts.depth)
    return graph


def _component_layout(graph: nx.Graph, seed: int) -> dict[str, tuple[float, float]]:
    """Layout of one connected component, in units where an edge is about 1 long."""
    n = graph.number_of_nodes()
    nodes = sorted(graph.nodes)
    if n == 1:
        return {nodes[0]: (0.0, 0.0)}
    if n == 2:
        return {nodes[0]: (-0.5, 0.0), nodes[1]: (0.5, 0.0)}
    ordered = nx.Graph()
    ordered.add_nodes_from(nodes)
    ordered.add_edges_from(sorted(tuple(sorted(e)) for e in graph.edges))
    if n <= FORCEATLAS_MAX_NODES:  # spreads hub-and-spoke graphs; quadratic memory
        pos = nx.forceatlas2_layout(
            ordered, seed=seed, max_iter=200, distributed_action=True, scaling_ratio=6.0
        )
        coords = np.array([pos[node] for node in nodes], dtype=float)
    else:
        coords = _big_layout(ordered, nodes, seed)
    coords -= coords.mean(axis=0)
    # turn the widest direction horizontal: screens are wider than tall
    _, vectors = np.linalg.eigh(np.cov(coords.T))
    coords = coords @ vectors[:, ::-1]
    coords[:, 0] *= np.sign(coords[np.argmax(np.abs(coords[:, 0])), 0]) or 1.0
    coords[:, 1] *= np.sign(coords[np.argmax(np.abs(coords[:, 1])), 1]) or 1.0
    # fit into [-1, 1] (the longer side), then give the component room for its nodes
    coords /= np.abs(coords).max() or 1.0
    coords *= 0.9 * math.sqrt(n)
    if n <= FORCEATLAS_MAX_NODES:
        coords = _spread(coords, MIN_DISTANCE)
    return {node: (float(x), float(y)) for node, (x, y) in zip(nodes, coords, strict=True)}


def _big_layout(graph: nx.Graph, nodes: list[str], seed: int) -> np.ndarray:
    """Fruchterman–Reingold on a grid (igraph, in C) for big components: seconds, not minutes,
    for thousands of nodes. Starts from a circle in node order with igraph's random numbers
    drawn from a generator seeded with *seed*, so the result is the same on every run."""
    import random

    import igraph

    index = {node: i for i, node in enumerate(nodes)}
    edges = sorted((index[a], index[b]) for a, b in graph.edges)
    g = igraph.Graph(n=len(nodes), edges=edges)
    angle = 2 * math.pi * np.arange(len(nodes)) / len(nodes)
    start = np.stack([np.cos(angle), np.sin(angle)], axis=1).tolist()
    igraph.set_random_number_generator(random.Random(seed))
    try:
        layout = g.layout_fruchterman_reingold(seed=start, niter=BIG_LAYOUT_ITERATIONS, grid=True)
    finally:
        igraph.set_random_number_generator(random)
    return np.array(layout.coords, dtype=float)


def _spread(coords: np.ndarray, min_distance: float, rounds: int = 60) -> np.ndarray:
    """Push apart nodes closer than *min_distance* (deterministic; hubs' spokes stop piling up).

    Examples
    --------
    >>> out = _spread(np.array([[0.0, 0.0], [0.1, 0.0], [5.0, 0.0]]), 1.0)
    >>> bool(np.linalg.norm(out[0] - out[1]) > 0.95), out[2].tolist()
    (True, [5.0, 0.0])
    """
    coords = coords.copy()
    n = len(coords)
    # points on top of each other get a fixed, tiny, index-based offset to tell them apart
    jitter = np.stack([np.cos(np.arange(n)), np.sin(np.arange(n))], axis=1) * 1e-3
    for _ in range(rounds):
        diff = coords[:, None, :] - coords[None, :, :]
        dist = np.sqrt((diff**2).sum(axis=2))
        np.fill_diagonal(dist, np.inf)
        close = dist < min_distance
        if not close.any():
            break
        safe = np.where(dist == 0, 1.0, dist)
        direction = np.where((dist == 0)[..., None], jitter[:, None, :], diff / safe[..., None])
        push = np.where(close, (min_distance - dist) / 2, 0.0)
        coords += (direction * push[..., None]).sum(axis=1) * 0.5
    return coords


def _layout(graph: nx.Graph, seed: int) -> dict[str, tuple[int, int]]:
    """Seeded, deterministic positions in screen units.

    Each connected component is laid out by ForceAtlas2 (igraph's Fruchterman–Reingold when
    big); the components are packed in rows, largest first, so small islands do not push the
    main component into a corner. Rounded to whole pixels: the bytes never depend on the
    platform."""
    if graph.number_of_nodes() == 0:
        return {}
    unit = 75.0  # pixels per unit edge length
    gap = 1.2
    components = sorted(
        (sorted(c) for c in nx.connected_components(graph)), key=lambda c: (-len(c), c[0])
    )
    laid = []
    for comp in components:
        pos = _component_layout(graph.subgraph(comp), seed)
        xs = [p[0] for p in pos.values()]
        ys = [p[1] for p in pos.values()]
        laid.append((pos, min(xs), max(xs), min(ys), max(ys)))
    first = laid[0]
    row_width = max(first[2] - first[1], 6.0 * math.sqrt(len(components)), 8.0)
    out: dict[str, tuple[int, int]] = {}
    x0, y0, row_height, cursor = 0.0, 0.0, 0.0, 0.0
    for pos, xmin, xmax, ymin, ymax in laid:
        width, height = xmax - xmin, ymax - ymin
        if cursor > 0 and cursor + width > row_width:
            y0 += row_height + gap
            cursor, row_height = 0.0, 0.0
        for node, (x, y) in pos.items():
            out[node] = (round((x0 + cursor + x - xmin) * unit), round((y0 + y - ymin) * unit))
        cursor += width + gap
        row_height = max(row_height, height)
    return out


def _node_size(value: float | None, peak: float) -> float:
    """Node radius (canvas units) for a size-measure *value* out of *peak*: 9 to 36."""
    if value is None or peak <= 0:
        return 9.0
    return 9.0 + 27.0 * math.sqrt(max(value, 0) / peak)


def _shape(kind: str, type_code: str | None) -> tuple[str, str, str]:
    fallback = None
    for group_kind, label, shape, glyph, codes in _SHAPES:
        if group_kind != kind:
            continue
        if codes is None:
            fallback = (label, shape, glyph)
        elif type_code in codes:
            return label, shape, glyph
    assert fallback is not None
    return fallback


def _role_style(roles: Iterable[str]) -> tuple[str, str, float, Any]:
    roles = set(roles)
    for label, colour, width, dashes, codes in _ROLE_STYLES:
        if codes is None or roles & codes:
            return label, colour, width, dashes
    raise AssertionError("the last role style takes every role")


def _fact(source: Any, locator: Any) -> str:
    src = entity_id(_text(source)).removeprefix("source/") or "unknown source"
    loc = _text(locator)
    return f"{src}, {loc}" if loc else src


def _years_text(begin: str, end: str, observed: str) -> str:
    """When a membership holds, in words: ``2019–2022``, ``from 2019``, ``observed 2021``.

    >>> _years_text("2019", "2022", ""), _years_text("", "2020", ""), _years_text("", "", "2021")
    ('2019–2022', 'until 2020', 'observed 2021')
    """
    if begin and end:
        span = begin if begin == end else f"{begin}–{end}"
    elif begin:
        span = f"from {begin}"
    elif end:
        span = f"until {end}"
    else:
        span = ""
    seen = f"observed {observed}" if observed else ""
    return "; ".join(t for t in (span, seen) if t)


def _provenance(graph: Graph | Dataset) -> dict[str, Any]:
    """Source and locator of each node, classification and membership fact, and aliases.

    These are the project's own queries, so they run without the time limit meant for
    queries typed by users (a big graph on a busy machine may need longer)."""
    names: dict[str, list[str]] = {}
    plain = not isinstance(graph, Dataset)
    frame = select(graph, _Q_NODE_SOURCES_PLAIN if plain else _Q_NODE_SOURCES, timeout=None)
    for s, src, loc in frame.itertuples(index=False):
        names.setdefault(s, []).append(_fact(src, loc))
    classes: dict[tuple[str, str, str], list[tuple[str, str]]] = {}
    frame = select(graph, _Q_ASSERTIONS, timeout=None)
    for s, p, c, basis, src, loc in frame.itertuples(index=False):
        scheme = _PROPERTY_SCHEME.get(entity_id(_text(p)).rsplit("#", 1)[-1])
        if scheme is None:
            continue
        code = _text(c).rsplit("/", 1)[-1]
        how = _text(basis).rsplit("#", 1)[-1] or "stated"
        classes.setdefault((s, scheme, code), []).append((how, _fact(src, loc)))
    links: dict[tuple[str, str], list[tuple[str, str]]] = {}
    frame = select(graph, _Q_MEMBERSHIPS, timeout=None)
    years: dict[tuple[str, str, str, str], str] = {}
    for member, org, role, src, loc, begin, end, observed in frame.itertuples(index=False):
        code = _text(role).rsplit("/", 1)[-1]
        fact = _fact(src, loc)
        links.setdefault((member, org), []).append((code, fact))
        when = _years_text(_text(begin)[:4], _text(end)[:4], _text(observed)[:4])
        if when:
            years[(member, org, code, fact)] = when
    aliases: dict[str, list[str]] = {}
    frame = select(graph, _Q_ALIASES, timeout=None)
    for s, alt in frame.itertuples(index=False):
        aliases.setdefault(s, []).append(_text(alt))
    return {
        "names": {k: sorted(set(v)) for k, v in names.items()},
        "classes": {k: sorted(set(v)) for k, v in classes.items()},
        "links": {k: sorted(set(v)) for k, v in links.items()},
        "years": years,
        "aliases": {k: sorted(set(v)) for k, v in aliases.items()},
    }


def _tables(graph: Graph | Dataset, opts: _Options) -> dict[str, pd.DataFrame]:
    kinds = ["bridges"]  # sizes, rings and the panel's scores and suggested pairs
    if "overlap" in opts.highlight or opts.view == "bipartite":
        kinds.append("overlap")  # the panel's overlap partners
    if "gaps" in opts.highlight:
        kinds.append("gaps")
    if not kinds:
        return {}
    from bioeco.pipeline import analysis_tables

    # out/analysis/ when `bioeco analyze` wrote it for this graph and these options
    return analysis_tables(
        graph, kinds, region=opts.region, as_of=opts.as_of, seed=opts.seed, basis=opts.basis
    )


def _years(
    graph: Graph | Dataset, opts: _Options, shown: set[str]
) -> tuple[list[int], dict[int, set[str]], dict[int, set[tuple[str, str]]]]:
    """The years the sources describe, and per year the nodes and lines of the view that
    ``as_of`` that year keeps (the page's year control). None when ``as_of`` is fixed."""
    if opts.as_of is not None or not isinstance(graph, Dataset):
        return [], {}, {}
    from bioeco.analyses.change import source_years

    years = sorted({int(y) for y in source_years(graph)["year"].dropna()})
    nodes: dict[int, set[str]] = {}
    edges: dict[int, set[tuple[str, str]]] = {}
    for year in years:
        net = load_network(graph, as_of=year, basis=opts.basis)
        local = net.restrict_region(opts.region) if opts.region else net
        view = bipartite_graph(local) if opts.view == "bipartite" else actor_projection(local)
        nodes[year] = set(view.nodes) & shown
        edges[year] = {tuple(sorted(e)) for e in view.edges}
    return years, nodes, edges


#: Colours of the change mode, by ``status:difference`` of ``change_continuity`` ("" = an
#: actor or initiative the comparison does not cover).
_CHANGE_COLOURS = {
    "both:none": "#0072B2",
    "only-earlier:stated": "#D55E00",
    "only-earlier:external": "#CC79A7",
    "only-earlier:not-observed": "#E69F00",
    "only-later:stated": "#009E73",
    "only-later:external": "#882255",
    "only-later:not-observed": "#56B4E9",
    "": "#d0d0d0",
}


def _change(graph: Graph | Dataset, opts: _Options, years: list[int]) -> dict[str, Any] | None:
    """The change mode: ``analyze change`` between the first and the last year the sources
    describe (its default scope), each subject's ``status:difference``, the legend in the
    table's own words. None when there are fewer than two years."""
    if len(years) < 2:
        return None
    from bioeco.analyses.change import compare_years

    first, last = years[0], years[-1]
    table = compare_years(graph, first, last, basis=opts.basis, seed=opts.seed)["change_continuity"]
    subjects = {
        str(subject): f"{status}:{difference}"
        for subject, status, difference in table[["subject", "status", "difference"]].itertuples(
            False
        )
    }
    scope = _text(table["scope"].iloc[0]) if len(table) else "all"
    words = {
        "both:none": f"in both {first} and {last}",
        "only-earlier:stated": f"only {first}: stated (ended, merged or became part of another)",
        "only-earlier:external": f"only {first}: external (a cited succession)",
        "only-earlier:not-observed": f"only {first}: not-observed in {last} (no evidence it ended)",
        "only-later:stated": f"only {last}: stated (new: a stated start or change event)",
        "only-later:external": f"only {last}: external (a cited succession)",
        "only-later:not-observed": f"only {last}: not-observed in {first} (no evidence it is new)",
        "": "not compared (outside the scope, or an initiative)",
    }
    used = set(subjects.values()) | {""}
    legend = [
        {"key": key, "label": words[key], "color": colour}
        for key, colour in _CHANGE_COLOURS.items()
        if key in used
    ]
    note = (
        f"What changed from {first} to {last}, as analyze change says (scope: {scope}): "
        "stated = a change event or a stated start or end date says so; not-observed = one "
        "year's sources do not name it, which is no evidence of a change."
    )
    return {"from": first, "to": last, "subjects": subjects, "legend": legend, "note": note}


#: At most this many memberships and analysis results per node in the details panel.
PANEL_MAX_ROWS = 60


def _member_facts(
    net: Network, prov: dict[str, Any], labels: dict[tuple[str, str], str], shown: set[str]
) -> dict[str, list[dict[str, str]]]:
    """Per node: its memberships (either side) with role, years and source, for the panel."""
    out: dict[str, list[dict[str, str]]] = {}
    known = net.nodes.index
    for (member, org), facts in sorted(prov["links"].items()):
        if member not in known or org not in known:
            continue
        for code, where in facts:
            role = labels.get(("role", code), code) or "linked"
            when = prov["years"].get((member, org, code, where), "")
            for here, other, side in ((member, org, "in"), (org, member, "has")):
                if here in shown:
                    out.setdefault(here, []).append(
                        {
                            "other": entity_id(other),
                            "label": net.label(other),
                            "role": role,
                            "side": side,
                            "years": when,
                            "source": where,
                        }
                    )
    return {k: v[:PANEL_MAX_ROWS] for k, v in out.items()}


def _results(
    net: Network, tables: dict[str, pd.DataFrame], shown: set[str]
) -> dict[str, list[dict[str, str]]]:
    """Per node: its rows in the analyses' tables, in words, for the panel."""
    out: dict[str, list[dict[str, str]]] = {}

    def add(iri: str, text: str, other: str = "") -> None:
        if iri in shown and len(out.setdefault(iri, [])) < PANEL_MAX_ROWS:
            out[iri].append({"text": text, "other": entity_id(other) if other else ""})

    scores = tables.get("bridges_actors")
    if scores is not None and len(scores):
        total = len(scores)
        cols = ["actor", "rank", "score", "betweenness", "explanation"]
        for ident, rank, score, betweenness, text in scores[cols].itertuples(False):
            add(
                str(entity_iri(ident)),
                f"Bridge score {float(score):.3g} (rank {int(rank)} of {total}; "
                f"betweenness {float(betweenness):.3g}): {_text(text)}",
            )
    pairs = tables.get("overlap_pairs")
    if pairs is not None:
        cols = ["initiative_a", "initiative_b", "jaccard"]
        for a, b, jaccard in pairs[cols].itertuples(False):
            ia, ib = str(entity_iri(a)), str(entity_iri(b))
            for here, other in ((ia, ib), (ib, ia)):
                add(
                    here,
                    f"Overlaps {net.label(other)}: Jaccard {float(jaccard):.2f} of members",
                    other,
                )
    pairs = tables.get("bridges_pairs")
    if pairs is not None:
        for a, b, text in pairs[["actor_a", "actor_b", "explanation"]].itertuples(False):
            ia, ib = str(entity_iri(a)), str(entity_iri(b))
            for here, other in ((ia, ib), (ib, ia)):
                add(here, f"Suggested pair with {net.label(other)}: {_text(text)}", other)
    return out


def _communities(graph: nx.Graph, seed: int) -> dict[str, int]:
    """Node -> community index (0 = the largest), Louvain with a fixed seed."""
    if graph.number_of_edges() == 0:
        return {}
    ordered = nx.Graph()
    ordered.add_nodes_from(sorted(graph.nodes))
    ordered.add_edges_from(sorted(tuple(sorted(e)) for e in graph.edges))
    found = nx.community.louvain_communities(ordered, seed=seed)
    groups = sorted((sorted(c) for c in found), key=lambda c: (-len(c), c[0]))
    return {node: i for i, group in enumerate(groups) for node in group}


def _community_legend(
    communities: dict[str, int], graph: nx.Graph, importance: list[str]
) -> list[dict[str, str]]:
    """Legend rows of the colour-by-community choice: each community named after its most
    important node."""
    named: dict[int, str] = {}
    for iri in importance:
        index = communities.get(iri)
        if index is not None and index < len(_PALETTE) and index not in named:
            named[index] = graph.nodes[iri].get("label") or entity_id(iri)
    rows = [
        {"key": f"community:{i}", "label": f"around {named[i]}", "color": _PALETTE[i]}
        for i in sorted(named)
    ]
    if any(i >= len(_PALETTE) for i in communities.values()) or len(communities) < len(graph):
        rows.append({"key": "community:rest", "label": "smaller communities", "color": _NONE[2]})
    return rows


def _limit(lines: list[str], most: int) -> list[str]:
    if len(lines) <= most:
        return lines
    return [*lines[:most], f"… and {len(lines) - most} more"]


def viewer_data(graph: Graph | Dataset, **options: Any) -> dict[str, Any]:
    """Everything the viewer page draws, as plain JSON-ready data (no HTML).

    Options (all keyword): ``view`` (``bipartite``/``actors``), ``size_by`` (a key of
    :data:`SIZE_MEASURES`), ``focus`` (an id such as ``actor/uit``) and ``depth`` (ego network
    radius, default 1), ``sector``, ``region``, ``type`` (codes), ``as_of`` (year), ``basis``
    (the weakest basis of classifications admitted, a key of
    :data:`~bioeco.analyses.project.BASIS_LEVELS`: ``all``, ``stated``, ``inferred`` or
    ``external``, as in ``analyze``), ``highlight`` (any of :data:`HIGHLIGHTS`), ``top`` (how
    many bridge candidates, suggested pairs and overlapping pairs to mark, default 10),
    ``seed``, ``physics_max_nodes`` and ``title``.

    The network is read with :func:`~bioeco.analyses.project.load_network` (``as_of``,
    ``basis``), restricted with :meth:`~bioeco.analyses.project.Network.restrict_region`, and
    drawn as :func:`~bioeco.analyses.project.bipartite_graph` or
    :func:`~bioeco.analyses.project.actor_projection`; sizes and overlays come from the tables of
    :func:`~bioeco.analyses.run.run_analyses` run with the same options. ``sector`` and ``type``
    keep the nodes classified so (a sector includes the sectors below it); in the bipartite view
    their initiatives or members stay as context. ``focus`` keeps the nodes within ``depth``
    links of one node.

    Examples
    --------
    >>> from bioeco.analyses._fixture import example_graph
    >>> data = viewer_data(example_graph())
    >>> data["stats"]["nodes"], data["stats"]["edges"]
    (10, 12)
    >>> viewer_data(example_graph(), view="actors", focus="actor/uit")["stats"]["nodes"]
    4
    >>> viewer_data(example_graph(), view="graph")
    Traceback (most recent call last):
    ...
    bioeco.errors.UsageError: unknown view 'graph': use bipartite or actors
    """
    opts = _options(**options)
    net = load_network(graph, as_of=opts.as_of, basis=opts.basis)
    _check_code(net, "sector", opts.sector)
    _check_code(net, "region", opts.region)
    if opts.type is not None and opts.type not in set(net.nodes["type"].dropna()):
        known = ", ".join(sorted(set(net.nodes["type"].dropna()))) or "none"
        raise UsageError(f"unknown type {opts.type!r}: known type codes are {known}")
    local = net.restrict_region(opts.region) if opts.region else net
    full = bipartite_graph(local) if opts.view == "bipartite" else actor_projection(local)
    shown = _subset(full, net, opts)
    tables = _tables(graph, opts)
    prov = _provenance(graph)
    labels = _concept_labels(net)
    years, year_nodes, year_edges = _years(graph, opts, set(shown.nodes))
    change = _change(graph, opts, years)

    # --- colours by top sector -------------------------------------------------------------
    top_codes = [c for c in net.codes("sector") if net.top("sector", c) == c]
    colour = {code: _PALETTE[i % len(_PALETTE)] for i, code in enumerate(top_codes)}

    def tops_of(sectors: Iterable[str]) -> list[str]:
        found = {net.top("sector", s) for s in sectors}
        return [c for c in top_codes if c in found]

    def sector_key(tops: list[str]) -> str:
        return tops[0] if len(tops) == 1 else (_NONE[0] if not tops else _SEVERAL[0])

    key_colour = {**colour, _SEVERAL[0]: _SEVERAL[2], _NONE[0]: _NONE[2]}
    sector_label = {code: labels.get(("sector", code), code) for code in top_codes}
    group_colour = {
        shape[1]: _TYPE_PALETTE[i % len(_TYPE_PALETTE)] for i, shape in enumerate(_SHAPES)
    }
    communities = _communities(shown, opts.seed)

    def community_key(iri: str) -> str:
        index = communities.get(iri, len(_PALETTE))
        return f"community:{index}" if index < len(_PALETTE) else "community:rest"

    def community_colour(iri: str) -> str:
        index = communities.get(iri, len(_PALETTE))
        return _PALETTE[index] if index < len(_PALETTE) else _NONE[2]

    # --- size measures: the one chosen, and those the page offers ----------------------------
    scores = tables.get("bridges_actors")
    size_keys = list(dict.fromkeys([*PAGE_SIZES, opts.size_by]))
    measures: dict[str, dict[str, float]] = {}
    for size_key in size_keys:
        column = SIZE_MEASURES[size_key]
        values: dict[str, float] = {}
        if column is not None and scores is not None:
            for ident, value in zip(scores["actor"], scores[column], strict=True):
                if value is not None and not (isinstance(value, float) and math.isnan(value)):
                    values[str(entity_iri(ident))] = float(value)
        elif size_key == "degree":
            values = {n: float(d) for n, d in shown.degree()}
        measures[size_key] = values
    measure = measures[opts.size_by]
    peaks = {
        k: max((v for n, v in m.items() if n in shown), default=0.0) for k, m in measures.items()
    }
    peak = peaks[opts.size_by]

    # --- overlays from the analyses' tables --------------------------------------------------
    ring: dict[str, str] = {}
    overlay_edges: list[dict[str, Any]] = []
    if "bridges" in opts.highlight and scores is not None:
        for rank, ident, text in scores[["rank", "actor", "explanation"]].itertuples(False):
            iri = str(entity_iri(ident))
            if iri in shown and len(ring) < opts.top:
                ring[iri] = f"Bridge candidate #{int(rank)}: {_text(text)}"
        pairs = tables["bridges_pairs"]
        for a, b, text in pairs[["actor_a", "actor_b", "explanation"]].itertuples(False):
            ia, ib = str(entity_iri(a)), str(entity_iri(b))
            if ia in shown and ib in shown and len(overlay_edges) < opts.top:
                overlay_edges.append(
                    {"a": ia, "b": ib, "style": _PAIR_STYLE, "title": _text(text), "width": 2.0}
                )
    if "overlap" in opts.highlight:
        pairs = tables["overlap_pairs"]
        count = 0
        cols = ["initiative_a", "initiative_b", "jaccard", "explanation"]
        for a, b, jaccard, text in pairs[cols].itertuples(False):
            ia, ib = str(entity_iri(a)), str(entity_iri(b))
            if ia in shown and ib in shown and count < opts.top:
                count += 1
                width = 1.0 + 7.0 * float(jaccard)
                overlay_edges.append(
                    {
                        "a": ia,
                        "b": ib,
                        "style": _OVERLAP_STYLE,
                        "title": _text(text),
                        "width": width,
                    }
                )

    # --- nodes ---------------------------------------------------------------------------
    # the page labels the most important nodes in view by this rank
    degree = dict(shown.degree())
    importance = sorted(shown.nodes, key=lambda n: (-measure.get(n, -1.0), -degree[n], n))
    positions = _layout(shown, opts.seed)
    sizes = {iri: _node_size(measure.get(iri), peak) for iri in shown.nodes}
    rank = {iri: i for i, iri in enumerate(importance)}
    order = sorted(shown.nodes)
    vis_id = {iri: entity_id(iri) for iri in order}
    member_facts = _member_facts(net, prov, labels, set(shown.nodes))
    results = _results(net, tables, set(shown.nodes))
    nodes: list[dict[str, Any]] = []
    sector_counts: Counter[str] = Counter()
    shape_counts: Counter[str] = Counter()
    type_counts: Counter[str] = Counter()
    type_group: dict[str, str] = {}
    for iri in order:
        data = shown.nodes[iri]
        kind = data.get("kind") or "actor"
        type_code = data.get("type")
        tops = tops_of(data.get("sectors", ()))
        key = sector_key(tops)
        sector_counts[key] += 1
        group, shape, _glyph = _shape(kind, type_code)
        shape_counts[group] += 1
        if type_code:
            type_counts[type_code] += 1
            type_group[type_code] = group
        value = measure.get(iri)
        size = sizes[iri]
        type_label = labels.get((f"{kind}-type", type_code or ""), type_code or "type not stated")
        lines = [data.get("label") or entity_id(iri), f"{type_label} ({kind})"]
        for scheme, col, title in (
            ("sector", "sectors", "Sectors"),
            ("stage", "stages", "Stages"),
            ("region", "regions", "Region"),
        ):
            codes = data.get(col, ())
            if codes:
                lines.append(f"{title}: " + ", ".join(labels.get((scheme, c), c) for c in codes))
        if value is not None and opts.size_by != "none":
            lines.append(f"Size: {opts.size_by} {round(value, 3):g}")
        if iri in ring:
            lines.append(ring[iri])
        facts = [f"named in {f}" for f in prov["names"].get(iri, [])]
        for scheme, col in (("sector", "sectors"), ("stage", "stages"), ("region", "regions")):
            for code in data.get(col, ()):
                for how, where in prov["classes"].get((iri, scheme, code), []):
                    label = labels.get((scheme, code), code)
                    facts.append(f"{scheme} {label} ({how}): {where}")
        if facts:
            lines.append("Sources:")
            lines.extend("  " + f for f in _limit(facts, 14))
        aliases = prov["aliases"].get(iri, [])
        if aliases:
            lines.append("Also called: " + "; ".join(aliases))
        x, y = positions[iri]
        details = {
            "type": type_label,
            "classes": [
                {
                    "scheme": scheme,
                    "label": labels.get((scheme, code), code),
                    "basis": how,
                    "source": where,
                }
                for scheme, col in (
                    ("sector", "sectors"),
                    ("stage", "stages"),
                    ("region", "regions"),
                )
                for code in data.get(col, ())
                for how, where in prov["classes"].get((iri, scheme, code), [("", "")])
            ],
            "named": prov["names"].get(iri, []),
            "aliases": aliases,
            "memberships": member_facts.get(iri, []),
            "analysis": results.get(iri, []),
        }
        group_key = f"type:{group}"
        node_colours = {
            "sector": key_colour[key],
            "type": group_colour[group],
            "community": community_colour(iri),
        }
        change_key = ""
        if change is not None:
            change_key = change["subjects"].get(entity_id(iri), "")
            node_colours["change"] = _CHANGE_COLOURS[change_key]
        node: dict[str, Any] = {
            "id": vis_id[iri],
            "label": data.get("label") or entity_id(iri),
            "shape": shape,
            "size": round(size, 2),
            "x": x,
            "y": y,
            "color": {
                "background": key_colour[key],
                "border": _RING if iri in ring else key_colour[key],
                "highlight": {"background": key_colour[key], "border": "#111111"},
                "hover": {"background": key_colour[key], "border": "#111111"},
            },
            "borderWidth": 4 if iri in ring else 1,
            "title": "\n".join(lines),
            "kind": kind,
            "typeCode": type_code or "",
            "tops": tops,
            "sectorKey": key,
            "search": " ".join([data.get("label") or "", entity_id(iri), *aliases]).lower(),
            "rank": rank[iri],
            "colors": node_colours,
            "colorKeys": {
                "sector": key,
                "type": group_key,
                "community": community_key(iri),
                **({"change": change_key} if change is not None else {}),
            },
            "sizes": {k: round(_node_size(measures[k].get(iri), peaks[k]), 2) for k in size_keys},
            "measures": {k: round(measures[k][iri], 4) for k in size_keys if iri in measures[k]},
            "sectorLabel": (
                sector_label[key]
                if key in sector_label
                else {_SEVERAL[0]: _SEVERAL[1], _NONE[0]: _NONE[1]}[key]
            ),
            "details": details,
        }
        if years:
            node["years"] = [y for y in years if iri in year_nodes[y]]
        nodes.append(node)

    # --- edges ---------------------------------------------------------------------------
    member_of = set(zip(local.edges["member"], local.edges["initiative"], strict=True))
    edges: list[dict[str, Any]] = []
    edge_counts: Counter[str] = Counter()
    role_counts: Counter[str] = Counter()
    for a, b in sorted(tuple(sorted(e)) for e in shown.edges):
        data = shown.edges[a, b]
        if opts.view == "bipartite":
            member, org = (a, b) if (a, b) in member_of else (b, a)
            roles = list(data.get("roles", ()))
            group, colour_, width, dashes = _role_style(roles)
            role_text = ", ".join(labels.get(("role", r), r) for r in roles) or "linked"
            lines = [f"{shown.nodes[member]['label']} — {role_text} — {shown.nodes[org]['label']}"]
            facts = [
                f"{labels.get(('role', r), r)}: {where}"
                for r, where in prov["links"].get((member, org), [])
                if r in roles
            ]
            if facts:
                lines.append("Sources:")
                lines.extend("  " + f for f in _limit(facts, 8))
            for role in roles:
                role_counts[role] += 1
        else:
            via = data.get("via", ())
            weight = int(data.get("weight", 1))
            group, colour_, _w, dashes = _SHARED_STYLE
            width = min(0.5 + weight, 6.0)
            names = [net.label(v) for v in via]
            lines = [
                f"{shown.nodes[a]['label']} and {shown.nodes[b]['label']} share {weight} "
                f"initiative{'s' if weight != 1 else ''}:",
                *("  " + n for n in _limit(names, 10)),
            ]
            roles = []
        edge_counts[group] += 1
        edges.append(
            {
                "id": f"e{len(edges)}",
                "from": vis_id[a],
                "to": vis_id[b],
                "color": {"color": colour_, "opacity": 0.85 if opts.view == "bipartite" else 0.45},
                "width": width,
                "dashes": dashes,
                "title": "\n".join(lines),
                "roles": sorted(roles),
            }
        )
        if years:
            edges[-1]["years"] = [y for y in years if (a, b) in year_edges[y]]
    overlay_counts: Counter[str] = Counter()
    for item in overlay_edges:
        label, colour_, _w, dashes = item["style"]
        overlay_counts[label] += 1
        edges.append(
            {
                "id": f"e{len(edges)}",
                "from": vis_id[item["a"]],
                "to": vis_id[item["b"]],
                "color": {"color": colour_, "opacity": 1.0},
                "width": round(item["width"], 2),
                "dashes": dashes,
                "title": item["title"],
                "roles": [],
                "overlay": True,
                "physics": False,
                "smooth": {"enabled": True, "type": "curvedCW", "roundness": 0.2},
            }
        )

    # --- legend, filters, options ---------------------------------------------------------
    gaps: dict[str, list[str]] = {}
    if "gaps" in opts.highlight:
        cells: dict[tuple[str, str], dict[str, list[str]]] = {}
        cov = tables["gaps_coverage"]
        for entity, sector, stage, flag in cov[["entity", "sector", "stage", "flag"]].itertuples(
            False
        ):
            flags = set(_text(flag).split("|"))
            if flags & {"empty", "thin"}:
                word = "none" if "empty" in flags else "few"
                cells.setdefault((sector, entity), {}).setdefault(word, []).append(stage)
        for (sector, entity), words in sorted(cells.items()):
            things = "actors" if entity.startswith("actor") else "initiatives"
            parts = [
                f"{'no' if w == 'none' else 'few'} {things} in {', '.join(words[w])}"
                for w in ("none", "few")
                if w in words
            ]
            gaps.setdefault(sector, []).append("; ".join(parts))
    legend_sectors = [
        {
            "key": code,
            "label": sector_label[code],
            "color": colour[code],
            "count": sector_counts.get(code, 0),
            "gaps": gaps.get(code, []),
        }
        for code in top_codes
    ]
    for key, label, col in (_SEVERAL, _NONE):
        legend_sectors.append(
            {"key": key, "label": label, "color": col, "count": sector_counts.get(key, 0)}
        )
    legend_gaps = [
        {"sector": sector_label.get(code, code), "text": "; ".join(gaps[code])}
        for code in top_codes
        if gaps.get(code)
    ]
    legend_colours = {
        "sector": [
            {"key": s["key"], "label": s["label"], "color": s["color"]} for s in legend_sectors
        ],
        "type": [
            {"key": f"type:{label}", "label": label, "color": group_colour[label]}
            for _kind, label, _shape_name, _glyph, _codes in _SHAPES
            if shape_counts.get(label)
        ],
        "community": _community_legend(communities, shown, importance),
    }
    if change is not None:
        legend_colours["change"] = change["legend"]
    change_colour = (
        []
        if change is None
        else [
            {
                "key": "change",
                "label": f"change {change['from']} → {change['to']}",
                "note": change["note"],
            }
        ]
    )
    encodings = {
        "colour": [
            {"key": "sector", "label": "sector", "note": ""},
            {"key": "type", "label": "type", "note": ""},
            {
                "key": "community",
                "label": "community",
                "note": "Communities: groups of nodes linked more among themselves than to "
                "the rest (Louvain, seeded); each is named after its most important node.",
            },
            *change_colour,
        ],
        "colourDefault": "sector",
        "size": [
            {"key": k, "label": SIZE_WORDS[k][0], "note": SIZE_WORDS[k][1]} for k in size_keys
        ],
        "sizeDefault": opts.size_by,
    }
    legend_shapes = [
        {"label": label, "glyph": glyph, "count": shape_counts[label]}
        for _kind, label, _shape_name, glyph, _codes in _SHAPES
        if shape_counts.get(label)
    ]
    styles = ([s[:4] for s in _ROLE_STYLES] if opts.view == "bipartite" else [_SHARED_STYLE]) + [
        _PAIR_STYLE,
        _OVERLAP_STYLE,
    ]
    legend_edges = [
        {"label": label, "color": col, "width": width, "dashed": bool(dashes)}
        for label, col, width, dashes in styles
        if edge_counts.get(label) or overlay_counts.get(label)
    ]
    if ring:
        legend_edges.append(
            {"label": f"bridge candidate (top {len(ring)}, ringed)", "color": _RING, "ring": True}
        )
    n = shown.number_of_nodes()
    physics = n <= opts.physics_max_nodes
    vis_options = {
        "autoResize": True,
        "interaction": {
            "hover": n <= HOVER_MAX_NODES,
            "tooltipDelay": 150,
            "hideEdgesOnDrag": n > opts.physics_max_nodes,
            "hideEdgesOnZoom": n > HOVER_MAX_NODES,
            "navigationButtons": False,
            "keyboard": False,
        },
        "nodes": {
            "font": {"face": "sans-serif", "strokeWidth": 3, "strokeColor": "#ffffff"},
            "scaling": {"label": {"enabled": False, "drawThreshold": 9}},
        },
        "edges": {"smooth": False, "selectionWidth": 1.5},
        "layout": {"randomSeed": opts.seed, "improvedLayout": False},
        "physics": {
            "enabled": physics,
            "solver": "barnesHut",
            "barnesHut": {
                "gravitationalConstant": -3000,
                "centralGravity": 0.1,
                "springLength": 75,
                "springConstant": 0.03,
                "avoidOverlap": 0.4,
            },
            "stabilization": {"enabled": physics, "iterations": 150, "fit": True},
        },
    }
    title = opts.title or "bioeco ecosystem viewer"
    view_name = "actors and initiatives" if opts.view == "bipartite" else "actors (projection)"
    scope = [view_name]
    for label, value in (
        ("as of", opts.as_of),
        ("sector", opts.sector),
        ("region", opts.region),
        ("type", opts.type),
        ("focus", opts.focus and f"{opts.focus} (depth {opts.depth})"),
    ):
        if value is not None:
            scope.append(f"{label} {value}")
    if opts.basis == "stated":
        scope.append("stated classifications only")
    elif opts.basis == "inferred":
        scope.append("stated and inferred classifications only")
    sizes = "size: none" if opts.size_by == "none" else f"size: {opts.size_by}"
    filter_types = sorted(
        (
            {
                "code": code,
                "label": labels.get(("actor-type", code))
                or labels.get(("initiative-type", code))
                or code,
                "count": count,
            }
            for code, count in type_counts.items()
        ),
        key=lambda t: (t["label"].lower(), t["code"]),
    )
    type_groups = []
    for _kind, group_label, _shape_name, glyph, _codes in _SHAPES:
        members = [t for t in filter_types if type_group[t["code"]] == group_label]
        if members:
            type_groups.append(
                {"label": group_label, "glyph": glyph, "types": [t["code"] for t in members]}
            )
    filter_roles = [
        {"code": code, "label": labels.get(("role", code), code), "count": count}
        for code, count in sorted(role_counts.items())
    ]
    return {
        "title": title,
        "subtitle": " · ".join([*scope, sizes]),
        "view": opts.view,
        "nodes": _through_pyvis(nodes, edges)[0],
        "edges": edges,
        "legend": {
            "sectors": legend_sectors,
            "shapes": legend_shapes,
            "edges": legend_edges,
            "gaps": legend_gaps,
            "gapsNote": "A gap is a sector and value-chain stage with no or few (fewer than the "
            "threshold of gaps_coverage) actors or initiatives in the graph: where the chain "
            "may break.",
            "colours": legend_colours,
        },
        "encodings": encodings,
        "filters": {"types": filter_types, "roles": filter_roles, "typeGroups": type_groups},
        "years": years,
        "change": None if change is None else {"from": change["from"], "to": change["to"]},
        "options": vis_options,
        "physics": physics,
        "stats": {"nodes": n, "edges": shown.number_of_edges()},
    }


def _through_pyvis(nodes: list[dict[str, Any]], edges: list[dict[str, Any]]) -> tuple[list, list]:
    """Pass the node and edge dicts through a pyvis Network (its data model for vis-network)."""
    from pyvis.network import Network as PyvisNetwork

    net = PyvisNetwork(cdn_resources="in_line")
    for node in nodes:
        extra = {k: v for k, v in node.items() if k not in ("id", "label", "shape", "color")}
        net.add_node(
            node["id"], label=node["label"], shape=node["shape"], color=node["color"], **extra
        )
    # pyvis's add_edge checks every earlier edge (quadratic); the view has no duplicates, so the
    # edges are handed over as they are
    net.edges = list(edges)
    data = net.get_network_data()
    return data[0], data[1]


@cache
def _asset(package: str, name: str) -> str:
    return resources.files(package).joinpath(name).read_text(encoding="utf-8")


def _vis_assets() -> tuple[str, str]:
    """The vis-network script and style sheet bundled with pyvis (inlined, never fetched)."""
    js = _asset("pyvis", "templates/lib/vis-9.1.2/vis-network.min.js")
    css = _asset("pyvis", "templates/lib/vis-9.1.2/vis-network.css")
    return _script_safe(js), css.replace("</", "<\\/")


def _script_safe(text: str) -> str:
    """Text that cannot close the ``<script>`` element it is inlined in."""
    return text.replace("</script", "<\\/script").replace("<!--", "<\\!--")


def _json_for_script(data: Any) -> str:
    """Deterministic JSON safe inside ``<script>``: ``<``, ``>``, ``&`` and U+2028/9 escaped.

    Examples
    --------
    >>> _json_for_script({"b": "</script><script>alert(1)</script>", "a": 1})
    '{"a":1,"b":"\\\\u003c/script\\\\u003e\\\\u003cscript\\\\u003ealert(1)\\\\u003c/script\\\\u003e"}'
    """
    text = json.dumps(
        data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False
    )
    for char, escape in (
        ("&", "\\u0026"),
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(char, escape)
    return text


def viewer_html(graph: Graph | Dataset, **options: Any) -> str:
    """The viewer as one self-contained HTML page (vis-network and the data inlined).

    The page makes no request: vis-network (bundled with pyvis) and all scripts and styles are
    inline, and a Content-Security-Policy forbids loading anything else. Names and tooltips are
    plain text (JSON escaped for ``<script>``, shown through ``textContent`` and vis-network's
    text tooltips), so a name like ``<img src=x onerror=alert(1)>`` shows as written. The same
    graph and options give the same bytes. Options: see :func:`viewer_data`.

    Examples
    --------
    >>> from bioeco.analyses._fixture import example_graph
    >>> page = viewer_html(example_graph(), view="actors")
    >>> page.startswith("<!DOCTYPE html>"), "https://" in page.split("<script>")[0]
    (True, False)
    >>> page == viewer_html(example_graph(), view="actors")
    True
    """
    data = viewer_data(graph, **options)
    vis_js, vis_css = _vis_assets()
    parts = {
        "@TITLE@": html.escape(data["title"]),
        "@VIS_CSS@": vis_css,
        "@CSS@": _asset("bioeco.viz", "viewer.css"),
        "@DATA@": _json_for_script(data),
        "@VIS_JS@": vis_js,
        "@JS@": _script_safe(_asset("bioeco.viz", "viewer.js")),
    }
    out, rest = [], _asset("bioeco.viz", "viewer.html")
    for marker, value in parts.items():
        head, rest = rest.split(marker, 1)
        out += [head, value]
    out.append(rest)
    return "".join(out)


def write_viewer(
    graph: Graph | Dataset, path: str | os.PathLike | None = None, **options: Any
) -> Path:
    """Write :func:`viewer_html` to *path* atomically (temporary file + rename); return it.

    *path* defaults to ``out/viewer.html`` (``out/`` is created when missing); the folder of
    a *path* given must exist and only a regular file there is replaced
    (:func:`bioeco.core.atomic.check_target`, checked before the page is made).

    Examples
    --------
    >>> import tempfile
    >>> from bioeco.analyses._fixture import example_graph
    >>> target = Path(tempfile.mkdtemp()) / "viewer.html"
    >>> write_viewer(example_graph(), target).stat().st_size > 100_000
    True
    """
    from bioeco.core.paths import OUT_DIR

    target = Path(path) if path is not None else OUT_DIR / "viewer.html"
    check_target(target, make_folder=path is None)
    page = viewer_html(graph, **options)
    return atomic_write(target, page, make_folder=path is None)


@dataclass(frozen=True)
class ViewerPage:
    """A viewer page that Jupyter (Lab, Notebook, VS Code) shows inline.

    ``html`` is the full page; in a notebook it is shown in a sandboxed ``<iframe srcdoc>`` (scripts
    run, nothing reaches the notebook's own page); :meth:`save` writes it to a file.
    """

    html: str
    height: int = 720

    def _repr_html_(self) -> str:
        doc = html.escape(self.html, quote=True)
        return (
            f'<iframe srcdoc="{doc}" sandbox="allow-scripts" '
            f'style="width:100%;height:{int(self.height)}px;border:1px solid #ddd"></iframe>'
        )

    def save(self, path: str | os.PathLike) -> Path:
        """Write the page to *path* atomically; return the path."""
        return atomic_write(Path(path), self.html)


def show_viewer(graph: Graph | Dataset, *, height: int = 720, **options: Any) -> ViewerPage:
    """The viewer for a notebook cell: ``bioeco.show_viewer(ds, view="actors")``.

    Examples
    --------
    >>> from bioeco.analyses._fixture import example_graph
    >>> page = show_viewer(example_graph(), height=500)
    >>> page._repr_html_().startswith('<iframe srcdoc="&lt;!DOCTYPE html&gt;')
    True
    """
    return ViewerPage(viewer_html(graph, **options), height=height)
