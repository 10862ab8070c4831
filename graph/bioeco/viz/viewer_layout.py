"""Seeded, deterministic node positions for the viewer (ForceAtlas2; igraph for big components)."""

from __future__ import annotations

import math

import networkx as nx
import numpy as np

#: Components up to this size get networkx's ForceAtlas2 (quadratic), larger ones igraph's
#: grid Fruchterman–Reingold (:data:`BIG_LAYOUT_ITERATIONS` rounds).
FORCEATLAS_MAX_NODES = 300
BIG_LAYOUT_ITERATIONS = 100

#: Least distance between two nodes of a laid-out component, in edge lengths (75 px).
MIN_DISTANCE = 0.75


def component_layout(graph: nx.Graph, seed: int) -> dict[str, tuple[float, float]]:
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
        coords = big_layout(ordered, nodes, seed)
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
        coords = spread(coords, MIN_DISTANCE)
    return {node: (float(x), float(y)) for node, (x, y) in zip(nodes, coords, strict=True)}


def big_layout(graph: nx.Graph, nodes: list[str], seed: int) -> np.ndarray:
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


def spread(coords: np.ndarray, min_distance: float, rounds: int = 60) -> np.ndarray:
    """Push apart nodes closer than *min_distance* (deterministic; hubs' spokes stop piling up).

    Examples
    --------
    >>> out = spread(np.array([[0.0, 0.0], [0.1, 0.0], [5.0, 0.0]]), 1.0)
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


def layout_positions(graph: nx.Graph, seed: int) -> dict[str, tuple[int, int]]:
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
        pos = component_layout(graph.subgraph(comp), seed)
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
