"""The viewer's legend, colour and size choices, filters and the texts that explain the page."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

import networkx as nx
import pandas as pd

from bioeco.analyses.project import Network, entity_id
from bioeco.analyses.sectors import COUNT_DEFINITION
from bioeco.viz.viewer_facts import plain_text
from bioeco.viz.viewer_options import SIZE_WORDS, ViewerOptions
from bioeco.viz.viewer_style import (
    NO_SECTOR,
    OVERLAP_STYLE,
    PAIR_STYLE,
    PALETTE,
    RING,
    ROLE_STYLES,
    SCENARIO_ADD_STYLE,
    SCENARIO_END_STYLE,
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
    scenario: dict[str, Any] | None = None,
    local: Network | None = None,
    whole: nx.Graph | None = None,
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
        SCENARIO_ADD_STYLE,
        SCENARIO_END_STYLE,
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
    if scenario is not None:
        scope.append(f"what-if {scenario['name']}")
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
            "scenario": None if scenario is None else scenario["note"],
            "findings": findings(tables),
            "counts": None
            if local is None
            else {
                **count_texts(
                    local, shown if whole is None else whole, shown, top_codes, sector_label
                ),
                "definition": COUNT_DEFINITION,
            },
        },
        "encodings": encodings,
        "filters": {"types": filter_types, "roles": filter_roles, "typeGroups": type_groups},
    }


#: The analyses' tables whose summary (``attrs["summary"]``, as the report shows it) the page
#: shows, in this order, with what each is about.
FINDINGS = (
    ("gaps_coverage", "Coverage of sectors × value-chain stages"),
    ("gaps_structural", "Structural gaps between sectors"),
)


def findings(tables: dict[str, pd.DataFrame]) -> list[dict[str, str]]:
    """The analyses' summary lines, as the report shows them: one per table that has one."""
    known = dict(FINDINGS)
    names = [n for n, _ in FINDINGS] + sorted(set(tables) - set(known))
    return [
        {"table": name, "title": known.get(name, name), "text": str(tables[name].attrs["summary"])}
        for name in names
        if name in tables and tables[name].attrs.get("summary")
    ]


def count_texts(
    local: Network,
    whole: nx.Graph,
    shown: nx.Graph,
    top_codes: list[str],
    sector_label: dict[str, str],
) -> dict[str, Any]:
    """The page's node total in words, and per top sector how the legend's colour count
    relates to the report's count (:data:`bioeco.analyses.sectors.COUNT_DEFINITION`).

    ``total`` is the text at first sight; the page rewrites its first sentence from what it
    draws (search, filters, focus), with ``inView`` (the nodes of this view) and ``rest`` (the
    sentences after the first, which do not change)."""

    def count(n: int, word: str) -> str:
        return f"{n} {word}{'' if n == 1 else 's'}"

    def both(numbers: dict[str, int]) -> str:
        return f"{count(numbers['actor'], 'actor')}, {count(numbers['initiative'], 'initiative')}"

    def kind_of(iri: str) -> str:
        return kinds.get(iri, "actor")

    tops = {
        iri: {local.top("sector", c) for c in codes or ()}
        for iri, codes in local.nodes["sectors"].items()
    }
    kinds = {iri: str(kind or "actor") for iri, kind in local.nodes["kind"].items()}

    drawn = Counter(kind_of(n) for n in shown.nodes)
    in_view = Counter(kind_of(n) for n in whole.nodes)
    in_graph = Counter(kind_of(n) for n in local.nodes.index)
    total = (
        f"{count(shown.number_of_nodes(), 'node')} drawn = {count(drawn['actor'], 'actor')} + "
        f"{count(drawn['initiative'], 'initiative')}"
    )
    if shown.number_of_nodes() < whole.number_of_nodes():
        total += f", of {whole.number_of_nodes()} in this view (the summary)"
    rest = ""
    unlinked = {k: in_graph[k] - in_view[k] for k in ("actor", "initiative")}
    if any(unlinked.values()):
        rest += (
            f". Not drawn: {count(unlinked['actor'], 'actor')} and "
            f"{count(unlinked['initiative'], 'initiative')} of the graph have no link in this view"
        )
    rest += ". People are not drawn; the report's tables count them apart."
    total += rest
    rows = []
    words = {**sector_label, NO_SECTOR[0]: NO_SECTOR[1][0].upper() + NO_SECTOR[1][1:]}
    for code in [*top_codes, NO_SECTOR[0]]:
        report = {"actor": 0, "initiative": 0}
        alone = {"actor": 0, "initiative": 0}
        shared = {"actor": 0, "initiative": 0}
        missing = {"actor": 0, "initiative": 0}
        for iri, found in tops.items():
            if (code not in found) if code != NO_SECTOR[0] else bool(found):
                continue
            kind = kind_of(iri)
            report[kind] += 1
            if iri not in whole:
                missing[kind] += 1
            elif len(found) <= 1:
                alone[kind] += 1
            else:
                shared[kind] += 1
        if not any(report.values()):
            continue

        text = f"{words[code]}: the report counts {both(report)}; in its colour {both(alone)}"
        why = []
        if any(shared.values()):
            why.append(f"{both(shared)} have another sector too (coloured several sectors)")
        if any(missing.values()):
            why.append(f"{both(missing)} have no link in this view")
        rows.append({"key": code, "text": text + ("; " + "; ".join(why) if why else "") + "."})
    return {"total": total, "inView": whole.number_of_nodes(), "rest": rest, "sectors": rows}
