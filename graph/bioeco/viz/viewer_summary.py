"""The summarised view of a big graph: the strongest bridges and what links them, the rest found."""

from __future__ import annotations

import math
from typing import Any

import networkx as nx

#: Above this many nodes in the view the page opens on a summary instead of drawing everything
#: (a 12 000-node page takes a minute to write, 27 MB, and draws a hairball no one reads).
SUMMARY_MIN_NODES = 3000
#: The summary: this many actors, first by the size measure (bridge score), then by degree …
SUMMARY_ACTORS = 50
#: … and the nodes that link them most (initiatives in the bipartite view), this many in all.
SUMMARY_MAX_NODES = 400


def wants_summary(summary: bool | None, nodes: int) -> bool:
    """Whether the view is summarised: *summary* when given, else above :data:`SUMMARY_MIN_NODES`.

    >>> wants_summary(None, 12_000), wants_summary(None, 500), wants_summary(True, 10)
    (True, False, True)
    """
    return nodes > SUMMARY_MIN_NODES if summary is None else bool(summary)


def summary_nodes(graph: nx.Graph, measure: dict[str, float]) -> list[str]:
    """The nodes the summary draws: the :data:`SUMMARY_ACTORS` actors with the highest
    *measure* (then degree, then id), and the nodes linked to most of them (then degree, then
    id) up to :data:`SUMMARY_MAX_NODES` in all. Deterministic.

    >>> g = nx.Graph([("a", "i"), ("b", "i"), ("b", "j"), ("c", "k")])
    >>> for n in "ijk":
    ...     g.nodes[n]["kind"] = "initiative"
    >>> summary_nodes(g, {"b": 2.0, "a": 1.0})
    ['b', 'a', 'c', 'i', 'j', 'k']
    """
    degree = dict(graph.degree())

    def actor_key(n: str) -> tuple[float, int, str]:
        return (-measure.get(n, -1.0), -degree[n], n)

    actors = [n for n, d in graph.nodes(data=True) if (d.get("kind") or "actor") == "actor"]
    top = sorted(actors, key=actor_key)[:SUMMARY_ACTORS]
    chosen = set(top)
    links: dict[str, int] = {}
    for actor in top:
        for other in graph.neighbors(actor):
            if other not in chosen:
                links[other] = links.get(other, 0) + 1
    room = max(SUMMARY_MAX_NODES - len(top), 0)
    linking = sorted(links, key=lambda n: (-links[n], -degree[n], n))[:room]
    return top + linking


#: The room a node drawn from the index takes (canvas units): the widest node (radius 36,
#: :func:`bioeco.viz.viewer_style.node_size`) and a label's height below it.
OUTSIDE_SPACING = 2 * 36.0 + 40.0


class _Rings:
    """Free places on rings around centres, on a lattice of *spacing*: no two places nearer
    than *spacing*, none nearer than that to a place *taken* before."""

    TRIES = 24

    def __init__(self, spacing: float, taken: Any) -> None:
        self.spacing = spacing
        self.used: set[tuple[int, int]] = set()
        self.cursor: dict[str, tuple[int, int]] = {}
        for x, y in taken:  # the lattice points too near a drawn node
            gx, gy = math.floor(x / spacing), math.floor(y / spacing)
            for i in (gx - 1, gx, gx + 1, gx + 2):
                for j in (gy - 1, gy, gy + 1, gy + 2):
                    if (i * spacing - x) ** 2 + (j * spacing - y) ** 2 < spacing**2:
                        self.used.add((i, j))

    def place(self, key: str, centre: tuple[float, float]) -> tuple[int, int]:
        """The next free place on the rings around *centre* (ring *j* at *j* spacings, with
        room for 6 *j* nodes), taken; after :attr:`TRIES` taken places, further out."""
        ring, slot = self.cursor.get(key, (1, 0))
        cx, cy = centre[0] / self.spacing, centre[1] / self.spacing
        tries = 0
        while True:
            tries += 1
            if tries > self.TRIES:  # crowded: further out
                ring, slot, tries = ring + ring // 2 + 1, 0, 0
            if slot >= 6 * ring:
                ring, slot = ring + 1, 0
            angle = 2 * math.pi * slot / (6 * ring) + 0.5 * ring
            point = (round(cx + ring * math.cos(angle)), round(cy + ring * math.sin(angle)))
            slot += 1
            if point not in self.used:
                break
        self.cursor[key] = (ring, slot)
        self.used.add(point)
        return round(point[0] * self.spacing), round(point[1] * self.spacing)


def outside_positions(
    graph: nx.Graph, drawn: dict[str, tuple[int, int]], spacing: float = OUTSIDE_SPACING
) -> dict[str, tuple[int, int]]:
    """Positions for the nodes left out of the summary, for when search or focus draws them:
    each near its nearest drawn node (breadth first, in the order of *drawn*), on rings
    around it, no two nodes (drawn or not) nearer than *spacing*; nodes with no path to a
    drawn node in rows below the drawing. Cheap (no layout of the whole graph) and
    deterministic. (The page puts a focused node's neighbours on rings around it.)

    >>> g = nx.Graph([("a", "b"), ("b", "c"), ("x", "y")])
    >>> pos = outside_positions(g, {"a": (0, 0)}, spacing=10)
    >>> sorted(pos), pos["b"], pos["c"]
    (['b', 'c', 'x', 'y'], (10, 0), (0, 10))
    """
    out: dict[str, tuple[int, int]] = {}
    anchor: dict[str, str] = {}
    frontier = list(drawn)
    seen = set(drawn)
    while frontier:
        following = []
        for node in frontier:
            for other in sorted(graph.neighbors(node)):
                if other not in seen:
                    seen.add(other)
                    anchor[other] = anchor.get(node, node)
                    following.append(other)
        frontier = following
    where = dict(drawn)
    rings = _Rings(spacing, where.values())
    for node, centre in anchor.items():  # breadth-first order: nearer nodes first
        out[node] = rings.place(centre, where[centre])
    rest = sorted(n for n in graph.nodes if n not in seen)
    if rest:
        placed = [*where.values(), *out.values()]
        bottom = max((y for _x, y in placed), default=0) + 2 * spacing
        left = min((x for x, _y in where.values()), default=0)
        per_row = max(int(math.sqrt(len(rest))), 1)
        for i, node in enumerate(rest):
            out[node] = (
                round(left + spacing * (i % per_row)),
                round(bottom + spacing * (i // per_row)),
            )
    return out


def summary_note(
    graph: nx.Graph, drawn: list[str], measure_label: str, scoped: bool
) -> dict[str, Any]:
    """What the summary shows, what it leaves out and how to reach the rest, in words.

    >>> g = nx.Graph([("a", "i"), ("b", "i"), ("c", "j")])
    >>> for n in "abc":
    ...     g.nodes[n]["kind"] = "actor"
    >>> for n in "ij":
    ...     g.nodes[n]["kind"] = "initiative"
    >>> note = summary_note(g, ["a", "i"], "bridge score", False)
    >>> note["text"][1]
    'Left out: 3 nodes (2 actors, 1 initiative); drawing all 5 makes a page no one can read.'
    """

    def count(value: int, word: str | None = None) -> str:
        number = f"{value:,}".replace(",", " ")
        if word is None:
            return number
        return f"{number} {word}{'' if value == 1 else 's'}"

    def kind(node: str) -> str:
        return graph.nodes[node].get("kind") or "actor"

    total = graph.number_of_nodes()
    actors = sum(1 for n in graph.nodes if kind(n) == "actor")
    drawn_actors = sum(1 for n in drawn if kind(n) == "actor")
    left = total - len(drawn)
    left_actors = actors - drawn_actors
    drawn_edges = graph.subgraph(drawn).number_of_edges()
    bipartite = actors < total
    linking = "initiatives" if bipartite else "actors"
    shown = (
        f"Summarised view: {count(len(drawn))} of {count(total)} nodes and {count(drawn_edges)} "
        f"of {count(graph.number_of_edges())} lines are drawn: the {count(drawn_actors)} actors "
        f"with the highest {measure_label} and the {count(len(drawn) - drawn_actors)} "
        f"{linking} linked to most of them."
    )
    parts = [count(left_actors, "actor")]
    if bipartite:
        parts.append(count(left - left_actors, "initiative"))
    rest = (
        f"Left out: {count(left)} nodes ({', '.join(parts)}); drawing all {count(total)} makes "
        "a page no one can read."
    )
    how = (
        "To reach any node: type part of its name in Search (the matches and their neighbours "
        "are drawn), or click a node and choose Show only its neighbourhood. To draw a part in "
        "full, write the page for it: bioeco viz --focus ID (or --sector, --type, --region)."
    )
    if scoped:
        how += " The options given narrow the view, and it is still too big to draw whole."
    return {"text": [shown, rest, how], "total": total, "drawn": len(drawn), "left": left}


def outside_data(
    whole: nx.Graph,
    drawn: list[str],
    positions: dict[str, tuple[int, int]],
    describe: Any,
    edge_kind: Any,
) -> dict[str, Any]:
    """The nodes and lines the summary leaves out, compact, for the page to draw on demand.

    ``ids`` lists the drawn nodes, then the left-out ones; ``nodes`` has one row per left-out
    node (``describe(iri, x, y)``: the page's fields as a list); ``edges`` is a flat list
    ``a, b, k, …`` of indexes into ``ids`` and into ``kinds`` (``edge_kind(a, b)`` gives the
    line's kind as a list, the same list for lines drawn alike), for every line with an end
    left out. The viewer adds the facts of the left-out nodes and lines, by index into shared
    tables (``sources``, ``classes``, ``memberships``; :func:`bioeco.viz.viewer_model.viewer_data`).
    """
    drawn_set = set(drawn)
    left = sorted(n for n in whole.nodes if n not in drawn_set)
    where = outside_positions(whole, positions)
    ids = [*drawn, *left]
    index = {iri: i for i, iri in enumerate(ids)}
    rows = [describe(iri, *where[iri]) for iri in left]
    kinds: list[list[Any]] = []
    kind_index: dict[str, int] = {}
    flat: list[int] = []
    for a, b in sorted(tuple(sorted(e)) for e in whole.edges):
        if a in drawn_set and b in drawn_set:
            continue
        first, second, kind = edge_kind(a, b)
        key = repr(kind)
        if key not in kind_index:
            kind_index[key] = len(kinds)
            kinds.append(kind)
        flat += [index[first], index[second], kind_index[key]]
    return {"ids": ids, "drawn": len(drawn), "nodes": rows, "edges": flat, "kinds": kinds}
