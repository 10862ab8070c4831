"""The viewer's legend, colour and size choices, filters and the texts that explain the page."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

import networkx as nx
import pandas as pd

from bioeco.analyses.project import entity_id
from bioeco.viz.viewer_facts import plain_text
from bioeco.viz.viewer_options import SIZE_WORDS, ViewerOptions
from bioeco.viz.viewer_style import (
    NO_SECTOR,
    OVERLAP_STYLE,
    PAIR_STYLE,
    PALETTE,
    RING,
    ROLE_STYLES,
    SEVERAL,
    SHAPES,
    SHARED_STYLE,
)


@dataclass(frozen=True)
class Tally:
    """What the drawn view holds, counted while its nodes and lines are made."""

    sectors: Counter[str]
    shapes: Counter[str]
    types: Counter[str]
    type_group: dict[str, str]
    roles: Counter[str]
    edges: Counter[str]
    overlays: Counter[str]


def community_legend(
    communities: dict[str, int], graph: nx.Graph, importance: list[str]
) -> list[dict[str, str]]:
    """Legend rows of the colour-by-community choice: each community named after its most
    important node."""
    named: dict[int, str] = {}
    for iri in importance:
        index = communities.get(iri)
        if index is not None and index < len(PALETTE) and index not in named:
            named[index] = graph.nodes[iri].get("label") or entity_id(iri)
    rows = [
        {"key": f"community:{i}", "label": f"around {named[i]}", "color": PALETTE[i]}
        for i in sorted(named)
    ]
    if any(i >= len(PALETTE) for i in communities.values()) or len(communities) < len(graph):
        rest = NO_SECTOR[2]
        rows.append({"key": "community:rest", "label": "smaller communities", "color": rest})
    return rows


def legend_texts(
    opts: ViewerOptions,
    tables: dict[str, pd.DataFrame],
    tally: Tally,
    *,
    labels: dict[tuple[str, str], str],
    top_codes: list[str],
    colour: dict[str, str],
    sector_label: dict[str, str],
    group_colour: dict[str, str],
    communities: dict[str, int],
    shown: nx.Graph,
    importance: list[str],
    change: dict[str, Any] | None,
    size_keys: list[str],
    ring: dict[str, str],
) -> dict[str, Any]:
    """The page's title and subtitle, legend, colour and size choices and filters."""
    sector_counts, shape_counts, type_counts = tally.sectors, tally.shapes, tally.types
    type_group, role_counts = tally.type_group, tally.roles
    edge_counts, overlay_counts = tally.edges, tally.overlays
    gaps: dict[str, list[str]] = {}
    if "gaps" in opts.highlight:
        cells: dict[tuple[str, str], dict[str, list[str]]] = {}
        cov = tables["gaps_coverage"]
        for entity, sector, stage, flag in cov[["entity", "sector", "stage", "flag"]].itertuples(
            False
        ):
            flags = set(plain_text(flag).split("|"))
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
    for key, label, col in (SEVERAL, NO_SECTOR):
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
            for _kind, label, _shape_name, _glyph, _codes in SHAPES
            if shape_counts.get(label)
        ],
        "community": community_legend(communities, shown, importance),
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
        for _kind, label, _shape_name, glyph, _codes in SHAPES
        if shape_counts.get(label)
    ]
    styles = ([s[:4] for s in ROLE_STYLES] if opts.view == "bipartite" else [SHARED_STYLE]) + [
        PAIR_STYLE,
        OVERLAP_STYLE,
    ]
    legend_edges = [
        {"label": label, "color": col, "width": width, "dashed": bool(dashes)}
        for label, col, width, dashes in styles
        if edge_counts.get(label) or overlay_counts.get(label)
    ]
    if ring:
        legend_edges.append(
            {"label": f"bridge candidate (top {len(ring)}, ringed)", "color": RING, "ring": True}
        )
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
    for _kind, group_label, _shape_name, glyph, _codes in SHAPES:
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
    }
