"""What-if scenario links in the viewer: the memberships a scenario adds and ends, styled apart."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import networkx as nx
from rdflib import Dataset, Graph

from bioeco.analyses.project import Network, bipartite_graph
from bioeco.viz.viewer_options import ViewerOptions


def scenario_overlay(
    graph: Graph | Dataset, local: Network, full: nx.Graph, opts: ViewerOptions
) -> dict[str, Any]:
    """Add the links (and new initiatives) of the scenario ``opts.scenario`` to *full*, the
    bipartite view of *local*, marked ``scenario``; return the added and the ended
    ``(member, initiative)`` pairs and the legend's note.

    The scenario is read and applied by the what-if analysis
    (:func:`bioeco.ingest.load.read_scenario`, :func:`bioeco.analyses.whatif.apply_scenario`,
    same ``as_of``, ``basis`` and ``region``), so the viewer draws what ``bioeco whatif``
    computes on. Links it ends (``end``, ``merge``) stay drawn, in their own style.
    """
    from bioeco.analyses.whatif import HONESTY, apply_scenario
    from bioeco.ingest.load import read_scenario

    actions = read_scenario(Path(opts.scenario))
    after = apply_scenario(graph, actions, as_of=opts.as_of, basis=opts.basis)
    if opts.region:
        after = after.restrict_region(opts.region)
    after_graph = bipartite_graph(after)
    added: set[tuple[str, str]] = set()
    columns = ["member", "initiative", "roles", "rule"]
    for member, initiative, roles, rule in after.edges[columns].itertuples(False):
        if "scenario" not in str(rule).split("|") or full.has_edge(member, initiative):
            continue
        for node in (member, initiative):
            if node not in full:
                full.add_node(node, **after_graph.nodes[node])
        full.add_edge(member, initiative, roles=tuple(roles), scenario=True)
        added.add((member, initiative))
    before = set(zip(local.edges["member"], local.edges["initiative"], strict=True))
    kept = set(zip(after.edges["member"], after.edges["initiative"], strict=True))
    ended = before - kept
    name = Path(opts.scenario).name
    count = len(actions)
    note = (
        f"What-if scenario {name} ({count} action{'s' if count != 1 else ''}): "
        f"{len(added)} link{'s' if len(added) != 1 else ''} added (dashed orange), "
        f"{len(ended)} ended (dotted dark red). {HONESTY}"
    )
    return {"added": added, "ended": ended, "note": note, "name": name}
