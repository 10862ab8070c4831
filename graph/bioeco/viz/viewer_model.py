"""The viewer's node and edge model, built from the graph and its analyses."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from typing import Any

import networkx as nx
from rdflib import Dataset, Graph

from bioeco.analyses.project import (
    Network,
    actor_projection,
    bipartite_graph,
    entity_id,
    entity_iri,
    load_network,
)
from bioeco.errors import UsageError
from bioeco.viz.viewer_facts import (
    PANEL_MAX_ROWS,
    analysis_results,
    change_mode,
    concept_labels,
    index_facts,
    limit_lines,
    membership_facts,
    plain_text,
    provenance,
    viewer_tables,
    year_views,
)
from bioeco.viz.viewer_layout import layout_positions
from bioeco.viz.viewer_legend import Tally, legend_texts
from bioeco.viz.viewer_options import (
    PAGE_SIZES,
    SIZE_MEASURES,
    SIZE_WORDS,
    ViewerOptions,
    check_code,
    parse_options,
)
from bioeco.viz.viewer_scenario import scenario_overlay
from bioeco.viz.viewer_style import (
    CHANGE_COLOURS,
    NO_SECTOR,
    OVERLAP_STYLE,
    PAIR_STYLE,
    PALETTE,
    RING,
    SCENARIO_ADD_STYLE,
    SCENARIO_END_STYLE,
    SEVERAL,
    SHAPES,
    SHARED_STYLE,
    TYPE_PALETTE,
    node_size,
    role_style,
    shape_of,
)
from bioeco.viz.viewer_summary import (
    outside_data,
    summary_nodes,
    summary_note,
    wants_summary,
)

#: Up to this many nodes a node under the mouse is drawn highlighted (vis-network's ``hover``,
#: one redraw each time the mouse enters or leaves a node); above it only the tooltip shows, and
#: lines are left out while the view is dragged or zoomed, so a 5000-node page stays responsive.
HOVER_MAX_NODES = 1000


#: The classifications a panel lists, in order: scheme and the node's column of codes.
_CLASSIFIED = (("sector", "sectors"), ("stage", "stages"), ("region", "regions"))


def resolve_focus(graph: nx.Graph, net: Network, focus: str) -> str:
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


def subset(graph: nx.Graph, net: Network, opts: ViewerOptions) -> nx.Graph:
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
        centre = resolve_focus(graph, net, opts.focus)
        graph = nx.ego_graph(graph, centre, radius=opts.depth)
    return graph


def communities_of(graph: nx.Graph, seed: int) -> dict[str, int]:
    """Node -> community index (0 = the largest), Louvain with a fixed seed."""
    if graph.number_of_edges() == 0:
        return {}
    ordered = nx.Graph()
    ordered.add_nodes_from(sorted(graph.nodes))
    ordered.add_edges_from(sorted(tuple(sorted(e)) for e in graph.edges))
    found = nx.community.louvain_communities(ordered, seed=seed)
    groups = sorted((sorted(c) for c in found), key=lambda c: (-len(c), c[0]))
    return {node: i for i, group in enumerate(groups) for node in group}


class _SectorPalette:
    """The viewer's colour per top-level sector (several sectors and none have their own)."""

    def __init__(self, net: Any, labels: dict[tuple[str, str], str]) -> None:
        self.net = net
        self.top_codes = [c for c in net.codes("sector") if net.top("sector", c) == c]
        self.colour = {code: PALETTE[i % len(PALETTE)] for i, code in enumerate(self.top_codes)}
        self.key_colour = {**self.colour, SEVERAL[0]: SEVERAL[2], NO_SECTOR[0]: NO_SECTOR[2]}
        self.label = {code: labels.get(("sector", code), code) for code in self.top_codes}

    def tops_of(self, sectors: Iterable[str]) -> list[str]:
        found = {self.net.top("sector", s) for s in sectors}
        return [c for c in self.top_codes if c in found]

    def key(self, tops: list[str]) -> str:
        return tops[0] if len(tops) == 1 else (NO_SECTOR[0] if not tops else SEVERAL[0])

    def key_label(self, key: str) -> str:
        return self.label.get(key) or {SEVERAL[0]: SEVERAL[1], NO_SECTOR[0]: NO_SECTOR[1]}[key]


def _size_measure(size_key: str, scores: Any, shown: nx.Graph) -> dict[str, float]:
    """The values of one size measure (a column of ``bridges_actors``, or the degree)."""
    column = SIZE_MEASURES[size_key]
    values: dict[str, float] = {}
    if column is not None and scores is not None:
        for ident, value in zip(scores["actor"], scores[column], strict=True):
            if value is not None and not (isinstance(value, float) and math.isnan(value)):
                values[str(entity_iri(ident))] = float(value)
    elif size_key == "degree":
        values = {n: float(d) for n, d in shown.degree()}
    return values


def node_placement(
    graph: Graph | Dataset,
    *,
    view: str = "bipartite",
    as_of: int | None = None,
    basis: str = "all",
    seed: int = 42,
    scores: Any = None,
    network: Any = None,
    view_graph: Any = None,
) -> dict[str, dict[str, Any]]:
    """Where and how the viewer draws every node of the whole view (never a summary): its
    position ``x``, ``y``, ``size``, top-sector ``sector_key`` with its ``sector_label`` and
    ``color`` — what GraphML and GEXF carry so Gephi shows the viewer's picture, without the
    page's facts, year views and panels (at national scale those cost minutes and gigabytes).
    The same as :func:`viewer_data`'s nodes with ``summary=False`` (a test checks it).
    *scores* is the ``bridges_actors`` table the sizes come from (read or computed as the
    viewer does when not given); its floats are taken as stored (6 decimals). *network* is
    :func:`bioeco.analyses.project.load_network` of *graph* with the same *as_of* and *basis*
    when the caller has it already (read otherwise), and *view_graph* the view's graph of it
    (:func:`bioeco.analyses.project.bipartite_graph` or ``actor_projection``; made otherwise).

    Examples
    --------
    >>> from bioeco.analyses._fixture import example_graph
    >>> placed = node_placement(example_graph())
    >>> sorted(placed["https://w3id.org/bioeco/id/actor/uit"])
    ['color', 'sector_key', 'sector_label', 'size', 'x', 'y']
    """
    opts = parse_options(view=view, as_of=as_of, basis=basis, seed=seed, summary=False)
    if network is None:
        network = load_network(graph, as_of=opts.as_of, basis=opts.basis)
    net = network
    if view_graph is None:
        view_graph = bipartite_graph(net) if opts.view == "bipartite" else actor_projection(net)
    shown = subset(view_graph, net, opts)
    if scores is None:
        scores = viewer_tables(graph, opts).get("bridges_actors")
    else:  # as the tables the viewer reads hold them
        from bioeco.pipeline import as_stored

        scores = as_stored({"bridges_actors": scores})["bridges_actors"]
    measure = _size_measure(opts.size_by, scores, shown)
    peak = max((v for n, v in measure.items() if n in shown), default=0.0)
    positions = layout_positions(shown, opts.seed)
    palette = _SectorPalette(net, concept_labels(net))
    placed = {}
    for iri in sorted(shown.nodes):
        key = palette.key(palette.tops_of(shown.nodes[iri].get("sectors", ())))
        x, y = positions[iri]
        placed[iri] = {
            "x": x,
            "y": y,
            "size": round(node_size(measure.get(iri), peak), 2),
            "sector_key": key,
            "sector_label": palette.key_label(key),
            "color": palette.key_colour[key],
        }
    return placed


def viewer_data(graph: Graph | Dataset, **options: Any) -> dict[str, Any]:
    """Everything the viewer page draws, as plain JSON-ready data (no HTML).

    Options (all keyword): ``view`` (``bipartite``/``actors``), ``size_by`` (a key of
    :data:`SIZE_MEASURES`), ``focus`` (an id such as ``actor/uit``) and ``depth`` (ego network
    radius, default 1), ``sector``, ``region``, ``type`` (codes), ``as_of`` (year), ``basis``
    (the weakest basis of classifications admitted, a key of
    :data:`~bioeco.analyses.project.BASIS_LEVELS`: ``all``, ``stated``, ``inferred`` or
    ``external``, as in ``analyze``), ``highlight`` (any of :data:`HIGHLIGHTS`), ``top`` (how
    many bridge candidates, suggested pairs and overlapping pairs to mark, default 10),
    ``seed``, ``physics_max_nodes``, ``title``, ``summary`` (``None``: a view of more than
    :data:`~bioeco.viz.viewer_summary.SUMMARY_MIN_NODES` nodes opens on a summary, the rest in
    ``outside`` for search and focus; ``True``/``False``: always/never) and ``scenario`` (a
    what-if plan file: its added and ended links drawn in styles of their own, bipartite view).

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
    opts = parse_options(**options)
    net = load_network(graph, as_of=opts.as_of, basis=opts.basis)
    check_code(net, "sector", opts.sector)
    check_code(net, "region", opts.region)
    if opts.type is not None and opts.type not in set(net.nodes["type"].dropna()):
        known = ", ".join(sorted(set(net.nodes["type"].dropna()))) or "none"
        raise UsageError(f"unknown type {opts.type!r}: known type codes are {known}")
    local = net.restrict_region(opts.region) if opts.region else net
    full = bipartite_graph(local) if opts.view == "bipartite" else actor_projection(local)
    scenario = None if opts.scenario is None else scenario_overlay(graph, local, full, opts)
    shown = subset(full, net, opts)
    # a big view opens on a summary; the rest is found by search and focus (no year control:
    # each year costs a network of the whole graph, and the nodes drawn on demand have none)
    summarised = wants_summary(opts.summary, shown.number_of_nodes())
    tables = viewer_tables(graph, opts, summarised)
    labels = concept_labels(net)
    years: list[int] = []
    year_nodes: dict[int, set[str]] = {}
    year_edges: dict[int, set[tuple[str, str]]] = {}
    if not summarised:
        years, year_nodes, year_edges = year_views(graph, opts, set(shown.nodes))
    change = change_mode(graph, opts, years)

    # --- colours by top sector -------------------------------------------------------------
    palette = _SectorPalette(net, labels)
    top_codes, colour, sector_label = palette.top_codes, palette.colour, palette.label
    tops_of, sector_key, key_colour = palette.tops_of, palette.key, palette.key_colour
    group_colour = {shape[1]: TYPE_PALETTE[i % len(TYPE_PALETTE)] for i, shape in enumerate(SHAPES)}

    def community_key(iri: str) -> str:
        index = communities.get(iri, len(PALETTE))
        return f"community:{index}" if index < len(PALETTE) else "community:rest"

    def community_colour(iri: str) -> str:
        index = communities.get(iri, len(PALETTE))
        return PALETTE[index] if index < len(PALETTE) else NO_SECTOR[2]

    # --- size measures: the one chosen, and those the page offers ----------------------------
    scores = tables.get("bridges_actors")
    size_keys = list(dict.fromkeys([*PAGE_SIZES, opts.size_by]))
    measures = {key: _size_measure(key, scores, shown) for key in size_keys}
    measure = measures[opts.size_by]

    # --- the summary: the strongest bridges and what links them ------------------------------
    whole = shown
    if summarised:
        shown = whole.subgraph(summary_nodes(whole, measure)).copy()
    prov = provenance(graph)  # a summary's left-out nodes carry their facts too
    communities = communities_of(shown, opts.seed)
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
                ring[iri] = f"Bridge candidate #{int(rank)}: {plain_text(text)}"
        pairs = tables["bridges_pairs"]
        for a, b, text in pairs[["actor_a", "actor_b", "explanation"]].itertuples(False):
            ia, ib = str(entity_iri(a)), str(entity_iri(b))
            if ia in shown and ib in shown and len(overlay_edges) < opts.top:
                overlay_edges.append(
                    {"a": ia, "b": ib, "style": PAIR_STYLE, "title": plain_text(text), "width": 2.0}
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
                        "style": OVERLAP_STYLE,
                        "title": plain_text(text),
                        "width": width,
                    }
                )

    # --- nodes ---------------------------------------------------------------------------
    # the page labels the most important nodes in view by this rank
    degree = dict(shown.degree())
    importance = sorted(shown.nodes, key=lambda n: (-measure.get(n, -1.0), -degree[n], n))
    positions = layout_positions(shown, opts.seed)
    sizes = {iri: node_size(measure.get(iri), peak) for iri in shown.nodes}
    rank = {iri: i for i, iri in enumerate(importance)}
    order = sorted(shown.nodes)
    vis_id = {iri: entity_id(iri) for iri in order}
    member_facts = membership_facts(net, prov, labels, set(shown.nodes))
    results = analysis_results(net, tables, set(shown.nodes))
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
        group, shape, _glyph = shape_of(kind, type_code)
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
            lines.extend("  " + f for f in limit_lines(facts, 14))
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
            node_colours["change"] = CHANGE_COLOURS[change_key]
        node: dict[str, Any] = {
            "id": vis_id[iri],
            "label": data.get("label") or entity_id(iri),
            "shape": shape,
            "size": round(size, 2),
            "x": x,
            "y": y,
            "color": {
                "background": key_colour[key],
                "border": RING if iri in ring else key_colour[key],
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
            "sizes": {k: round(node_size(measures[k].get(iri), peaks[k]), 2) for k in size_keys},
            "measures": {k: round(measures[k][iri], 4) for k in size_keys if iri in measures[k]},
            "sectorLabel": palette.key_label(key),
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
            group, colour_, width, dashes = role_style(roles)
            if scenario is not None and data.get("scenario"):
                member, org = (a, b) if (a, b) in scenario["added"] else (b, a)
                group, colour_, width, dashes = SCENARIO_ADD_STYLE
            elif scenario is not None and (member, org) in scenario["ended"]:
                group, colour_, width, dashes = SCENARIO_END_STYLE
            role_text = ", ".join(labels.get(("role", r), r) for r in roles) or "linked"
            lines = [f"{shown.nodes[member]['label']} — {role_text} — {shown.nodes[org]['label']}"]
            if group in (SCENARIO_ADD_STYLE[0], SCENARIO_END_STYLE[0]):
                what = f"{group[0].upper()}{group[1:]} ({scenario['name']})"
                lines.append(f"{what}: a what-if, not a fact")
            facts = [
                f"{labels.get(('role', r), r)}: {where}"
                for r, where in prov["links"].get((member, org), [])
                if r in roles
            ]
            if facts:
                lines.append("Sources:")
                lines.extend("  " + f for f in limit_lines(facts, 8))
            for role in roles:
                role_counts[role] += 1
        else:
            via = data.get("via", ())
            weight = int(data.get("weight", 1))
            group, colour_, _w, dashes = SHARED_STYLE
            width = min(0.5 + weight, 6.0)
            names = [net.label(v) for v in via]
            lines = [
                f"{shown.nodes[a]['label']} and {shown.nodes[b]['label']} share {weight} "
                f"initiative{'s' if weight != 1 else ''}:",
                *("  " + n for n in limit_lines(names, 10)),
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

    # --- the nodes and lines the summary leaves out ------------------------------------------
    outside = None
    if summarised:
        types: dict[str, list[str]] = {}
        # the left-out nodes' facts with their sources and years, but no locators: shared
        # tables (a source, a class fact, a membership fact once) and indexes into them
        index = index_facts(prov)
        shared: dict[str, dict[Any, int]] = {"sources": {}, "classes": {}, "memberships": {}}

        def ref(table: str, item: Any) -> int:
            return shared[table].setdefault(item, len(shared[table]))

        def describe(iri: str, x: int, y: int) -> list[Any]:
            data = whole.nodes[iri]
            kind = data.get("kind") or "actor"
            type_code = data.get("type") or ""
            key = f"{kind}/{type_code}"
            if key not in types:
                group, shape, _glyph = shape_of(kind, type_code or None)
                words = labels.get((f"{kind}-type", type_code), type_code or "type not stated")
                types[key] = [words, group, shape]
            tops = tops_of(data.get("sectors", ()))
            change_key = "" if change is None else change["subjects"].get(entity_id(iri), "")
            sizes = [
                round(node_size(min(measures[k][iri], peaks[k]), peaks[k]), 1)
                if iri in measures[k]
                else node_size(None, peaks[k])
                for k in size_keys
            ]
            values = [round(measures[k][iri], 4) if iri in measures[k] else None for k in size_keys]
            aliases = "; ".join(prov["aliases"].get(iri, []))
            label = data.get("label") or entity_id(iri)
            classes = [
                ref("classes", (scheme, labels.get((scheme, code), code), how, where))
                for scheme, col in _CLASSIFIED
                for code in data.get(col, ())
                for how, where in index["classes"].get((iri, scheme, code), [("", "")])
            ]
            named = [ref("sources", where) for where in index["named"].get(iri, [])]
            return [entity_id(iri), label, kind, type_code, sector_key(tops), tops, x, y,
                    aliases, change_key, sizes, values, classes, named]  # fmt: skip

        def edge_kind(a: str, b: str) -> tuple[str, str, list[Any]]:
            data = whole.edges[a, b]
            if opts.view == "bipartite":
                member, org = (a, b) if (a, b) in member_of else (b, a)
                roles = sorted(data.get("roles", ()))
                _group, colour_, width, dashes = role_style(roles)
                text = ", ".join(labels.get(("role", r), r) for r in roles) or "linked"
                return member, org, [roles, text, colour_, width, dashes]
            weight = int(data.get("weight", 1))
            text = f"share {weight} initiative{'s' if weight != 1 else ''}"
            return a, b, [[], text, SHARED_STYLE[1], min(0.5 + weight, 6.0), SHARED_STYLE[3]]

        outside = outside_data(whole, importance, positions, describe, edge_kind)
        if opts.view == "bipartite":  # a line is a membership: its facts, one or a list each
            ids, flat = outside["ids"], outside["edges"]
            facts = []
            for line in range(len(flat) // 3):
                member, org = ids[flat[3 * line]], ids[flat[3 * line + 1]]
                found = [
                    ref("memberships", (labels.get(("role", code), code) or "linked", when, where))
                    for code, when, where in index["links"].get((member, org), [])
                ]
                facts.append(found[0] if len(found) == 1 else found)
            outside["lineFacts"] = facts
        outside["ids"] = [entity_id(i) for i in outside["ids"]]
        for table, items in shared.items():
            outside[table] = [list(item) if isinstance(item, tuple) else item for item in items]
        outside["panelMax"] = PANEL_MAX_ROWS
        outside["sizeKeys"] = size_keys
        outside["types"] = types
        outside["palette"] = {
            "sector": key_colour,
            "type": {f"type:{g}": c for g, c in group_colour.items()},
            "community": NO_SECTOR[2],
            "change": CHANGE_COLOURS,
        }
        outside["sectorLabels"] = {
            key: palette.key_label(key) for key in [*top_codes, SEVERAL[0], NO_SECTOR[0]]
        }
        outside["opacity"] = 0.85 if opts.view == "bipartite" else 0.45
        outside["note"] = summary_note(
            whole,
            list(shown.nodes),
            SIZE_WORDS[opts.size_by][0] if opts.size_by not in ("none", "degree") else "degree",
            any(v is not None for v in (opts.focus, opts.sector, opts.type, opts.region)),
        )
        if opts.view == "bipartite" and "overlap" not in opts.highlight:
            outside["note"]["text"].append(
                "In this view the panels leave out the initiatives' overlap partners (the "
                "overlap table is long at this size): see the report, or bioeco viz "
                "--highlight overlap."
            )

    # --- legend, filters, options ---------------------------------------------------------
    texts = legend_texts(
        opts,
        tables,
        Tally(
            sectors=sector_counts,
            shapes=shape_counts,
            types=type_counts,
            type_group=type_group,
            roles=role_counts,
            edges=edge_counts,
            overlays=overlay_counts,
        ),
        labels=labels,
        top_codes=top_codes,
        colour=colour,
        sector_label=sector_label,
        group_colour=group_colour,
        communities=communities,
        shown=shown,
        importance=importance,
        change=change,
        size_keys=size_keys,
        ring=ring,
        scenario=scenario,
        local=local,
        whole=whole,
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
    return {
        "title": texts["title"],
        "subtitle": texts["subtitle"],
        "view": opts.view,
        "nodes": through_pyvis(nodes, edges)[0],
        "edges": edges,
        "legend": texts["legend"],
        "encodings": texts["encodings"],
        "filters": texts["filters"],
        "years": years,
        "change": None if change is None else {"from": change["from"], "to": change["to"]},
        "options": vis_options,
        "physics": physics,
        "stats": {
            "nodes": n,
            "edges": shown.number_of_edges(),
            "total": whole.number_of_nodes(),
            "totalEdges": whole.number_of_edges(),
        },
        "outside": outside,
    }


def through_pyvis(nodes: list[dict[str, Any]], edges: list[dict[str, Any]]) -> tuple[list, list]:
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
