"""Bridge candidates (bridges_actors): betweenness, Burt's constraint, participation."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from typing import TYPE_CHECKING

import networkx as nx
import numpy as np
import pandas as pd
from rdflib import Dataset, Graph
from scipy import sparse

from bioeco.analyses.hubs import HUB_ROLES, member_role
from bioeco.analyses.project import Network, as_network, entity_id
from bioeco.analyses.ranking import sector_filter, tie_ranks
from bioeco.analyses.roles import open_paths
from bioeco.analyses.structure import structure
from bioeco.errors import UsageError

if TYPE_CHECKING:  # imported where a graph is built: the what-if never needs it
    import igraph

__all__ = [
    "ACTOR_COLUMNS",
    "HUB_ROLES",
    "actor_scores",
    "member_role",
]


ACTOR_COLUMNS = [
    "rank",
    "actor",
    "label",
    "kind",
    "type",
    "role",
    "sectors",
    "initiatives",
    "degree",
    "strength",
    "betweenness",
    "betweenness_method",
    "constraint",
    "effective_size",
    "participation",
    "neighbour_sectors",
    "brokerage",
    "cross_sector_paths",
    "bridged_sectors",
    "via",
    "score",
    "explanation",
]


def _participation(per_sector: np.ndarray, neighbour_sectors: np.ndarray) -> float:
    """1 - Σ_s (k_s / k)² from a member's tie weight per sector (*per_sector*), summed in the
    order the sectors first occur among its neighbours (rows of *neighbour_sectors*, 0/1), as
    the accumulation over neighbours always did (the same float rounding); NaN when k = 0."""
    seen = neighbour_sectors.any(axis=0) & (per_sector != 0)
    if not seen.any():
        return float("nan")
    first = np.argmax(neighbour_sectors > 0, axis=0)
    order = sorted(np.flatnonzero(seen), key=lambda x: (first[x], x))
    values = [float(per_sector[x]) for x in order]
    k = sum(values)
    if k == 0:
        return float("nan")
    return float(1.0 - sum((x / k) ** 2 for x in values))


def _betweenness(g: nx.Graph, exact_max_nodes: int, k: int, seed: int) -> tuple[dict, str]:
    """:func:`_betweenness_of` a networkx graph (nodes in its order, edges as it lists them)."""
    nodes = list(g.nodes)
    index = {v: i for i, v in enumerate(nodes)}
    edges = [(index[u], index[v]) for u, v in g.edges if u != v]
    return _betweenness_of(nodes, edges, exact_max_nodes, k, seed)


def _betweenness_of(
    nodes: list,
    edges,
    exact_max_nodes: int,
    k: int,
    seed: int,
    graph: Callable[[], igraph.Graph] | None = None,
    dependencies: Callable[[np.ndarray], np.ndarray] | None = None,
) -> tuple[dict, str]:
    """Normalised betweenness of the unweighted graph on *nodes* with *edges* (index pairs).

    Exact up to *exact_max_nodes* nodes, by igraph (compiled Brandes); above, from the *k*
    source nodes networkx would pick (``random.Random(seed).sample(nodes, k)``) with
    networkx's rescaling, so the values equal
    ``nx.betweenness_centrality(g, k=k, seed=seed, normalized=True)`` up to rounding.
    *graph*, when given, returns that graph already built (*edges* is then not read);
    *dependencies*, when given, returns the summed Brandes dependencies of the sampled
    sources (index array), e.g. :meth:`~bioeco.analyses.structure.Structure.dependencies`;
    else igraph computes them.
    """
    n = len(nodes)

    def built() -> igraph.Graph:
        import igraph

        return graph() if graph is not None else igraph.Graph(n=n, edges=edges)

    if n <= exact_max_nodes or min(k, n) == n:
        if n <= 2:
            return dict.fromkeys(nodes, 0.0), "exact"
        raw = np.asarray(built().betweenness(directed=False), dtype=float)
        values = np.round(raw * 2 / ((n - 1) * (n - 2)), 12)  # same digits as networkx
        return {v: float(values[i]) for i, v in enumerate(nodes)}, "exact"
    index = {v: i for i, v in enumerate(nodes)}
    kk = min(k, n)
    sources = random.Random(seed).sample(nodes, kk)
    picked = np.array([index[s] for s in sources], dtype=np.int64)
    if dependencies is not None:
        raw = np.asarray(dependencies(picked), dtype=float)
    else:  # igraph counts each undirected source-target path once; networkx both directions
        raw = 2 * np.asarray(built().betweenness(directed=False, sources=picked.tolist()))
    scale = np.full(n, 1 / (kk * (n - 2)))
    if kk > 1:
        scale[picked] = 1 / ((kk - 1) * (n - 2))
    else:
        scale[picked] = np.nan
    values = np.round(raw * scale, 12)
    return {v: float(values[i]) for i, v in enumerate(nodes)}, f"sampled (k={kk}, seed={seed})"


def actor_scores(
    source: Graph | Dataset | Network,
    *,
    exact_max_nodes: int = 1000,
    k: int = 200,
    seed: int = 42,
    weight: str | None = "weight",
    sector: str | None = None,
    as_of: int | None = None,
    basis: str = "all",
) -> pd.DataFrame:
    """Bridge candidates: structural scores of every member of the member–member projection.

    The projection links two members (actors, and initiatives that are members of other
    initiatives) that share initiatives; ``weight`` is the number shared. Betweenness is
    computed on the unweighted projection (hops), normalised, exactly up to
    *exact_max_nodes* nodes and above that from *k* sampled sources with *seed* (the
    ``betweenness_method`` column says which). Burt's constraint and effective size use the
    edge weights (networkx). Participation over sectors is ``1 - Σ_s (k_s / k)²`` with k_s the
    weight of ties to neighbours in sector s (a neighbour in n sectors adds weight/n to each;
    unclassified neighbours are ignored). Brokerage is the Gould–Fernandez total on the
    undirected projection with :func:`sector_group` as groups (see :func:`brokerage`).
    ``score = (betweenness / max betweenness + log(1 + cross_sector_paths) / log(1 + max
    cross_sector_paths)) / 2``: open two-paths grow with the square of the degree, so they
    count on a log scale, or a hub tied to almost everyone would outrank the actor who is the
    only tie of a whole community.
    *sector* keeps members of that sector (or below) and members with a neighbour there.

    Funders, public bodies and the initiatives themselves (``role`` other than ``actor``, see
    :data:`HUB_ROLES`) connect many actors by what they are; they come after the actors, ranked
    among themselves, so the first rows are actors a cluster manager could work with. Equal
    scores share a rank (1, 1, 3 …) and the explanation says they tie.

    Columns
    -------
    rank : 1 = best bridge candidate (score; ties share the rank), counted apart for the actors
        (first) and for the hubs (after them); rows in order of score, betweenness, id
    actor, label, kind, type, sectors : the member (compact id, label, actor/initiative, type)
    role : ``actor``, or the hub role: ``funder``, ``public-body``, ``initiative``
    initiatives : number of initiatives it belongs to
    degree, strength : neighbours and total tie weight in the projection
    betweenness, betweenness_method : normalised betweenness and how it was computed
    constraint, effective_size : Burt's measures (NaN for isolates)
    participation : participation coefficient over sectors (NaN without classified ties)
    neighbour_sectors : sectors of its neighbours (tuple)
    brokerage : open two-paths through it (Gould–Fernandez total)
    cross_sector_paths : open two-paths whose ends have disjoint sector sets
    bridged_sectors : the sector pair it bridges most (tuple, empty if none)
    via : initiatives it bridges that pair through (ids, tuple)
    score : ranking score in [0, 1]
    explanation : the finding in plain English

    Examples
    --------
    >>> from bioeco.analyses._fixture import example_graph
    >>> df = actor_scores(example_graph())
    >>> df[["actor", "betweenness", "cross_sector_paths", "score"]].head(2)
            actor  betweenness  cross_sector_paths  score
    0  actor/nofima          0.6                   6    1.0
    1  actor/biotec          0.0                   0    0.0
    >>> print(df.loc[0, "explanation"])
    Nofima connects agri-food members it meets in Green Cluster with health members it meets
    in Biotech North; 6 of its 6 open two-paths join actors of different sectors;
    betweenness 0.60, participation coefficient 0.67, Burt constraint 0.58
    """
    if exact_max_nodes < 0 or k < 1:
        raise UsageError("exact_max_nodes must be >= 0 and k >= 1")
    net = as_network(source, as_of=as_of, basis=basis)
    wanted = sector_filter(net, sector)
    st = structure(net)
    if st.n == 0:
        return pd.DataFrame(columns=ACTOR_COLUMNS)
    btw, method = _betweenness_of(
        st.members,
        None,
        exact_max_nodes,
        k,
        seed,
        graph=lambda: st.igraph,
        dependencies=st.dependencies,
    )
    if weight == "weight":
        constraint, eff = st.burt()
    else:  # unweighted Burt measures: networkx on the (small) projection
        g = net._actor_graph
        sub = g.subgraph([n for n in g.nodes if g.degree(n)])
        c_of = nx.constraint(sub, weight=weight) if len(sub) else {}
        e_of = nx.effective_size(sub, weight=weight) if len(sub) else {}
        constraint = np.array([c_of.get(m, np.nan) for m in st.members], dtype=float)
        eff = np.array([e_of.get(m, np.nan) for m in st.members], dtype=float)
    ties = st.weights if weight == "weight" else sparse.csr_matrix(st.adj, dtype=float)
    strength = np.asarray(ties.sum(axis=1)).ravel()
    # participation: a neighbour in n sectors adds weight/n to each of its sectors
    n_sectors = st.type_sectors.sum(axis=1)[st.tid]
    share = ties.copy()
    share.data = np.divide(
        share.data,
        n_sectors[share.indices],
        out=np.zeros_like(share.data),
        where=n_sectors[share.indices] > 0,
    )
    membership = sparse.csr_matrix(st.type_sectors[st.tid])
    per_sector = (share @ membership).toarray()
    near = (st.adj @ membership).toarray() > 0
    n_inits = Counter(net.edges["member"])
    rows = []
    paths = open_paths(st)
    for i, v in enumerate(st.members):
        _roles_of_v, total, _cross_group, cross, best, side_s, side_t = paths[i]
        nbrs = st.neighbours(i)
        via_s = sorted(side_s, key=lambda x: (-side_s[x], net.label(x), x))
        via_t = sorted(side_t, key=lambda x: (-side_t[x], net.label(x), x))
        via = sorted(set(via_s) | set(via_t))
        nbr_sectors = tuple(st.sector_names[x] for x in np.flatnonzero(near[i]))
        degree = int(st.degree[i])
        part = _participation(per_sector[i], st.type_sectors[st.tid[nbrs]])
        label = net.label(v)
        if best:
            x, y = net.label(via_s[0]), net.label(via_t[0])
            # via_s / via_t: the initiatives where it meets the members of each sector (the
            # sector is theirs, not the initiative's own)
            through = (
                f"{best[0]} and {best[1]} members it meets in {x}"
                if x == y
                else f"{best[0]} members it meets in {x} with {best[1]} members it meets in {y}"
            )
            text = (
                f"{label} connects {through}; "
                f"{cross} of its {total} open two-paths join actors of different sectors"
            )
        elif degree:
            text = (
                f"{label} works with {degree} co-member{'s' if degree != 1 else ''}"
                + (f" (sectors: {', '.join(nbr_sectors)})" if nbr_sectors else "")
                + "; no cross-sector brokerage"
            )
        else:
            text = f"{label} has no shared initiative with another member in these sources"
        text += f"; betweenness {btw[v]:.2f}"
        if not np.isnan(part):
            text += f", participation coefficient {part:.2f}"
        if not np.isnan(constraint[i]):
            text += f", Burt constraint {constraint[i]:.2f}"
        rows.append(
            {
                "actor": entity_id(v),
                "label": label,
                "kind": net.attr(v, "kind"),
                "type": net.attr(v, "type"),
                "role": member_role(net.attr(v, "kind"), net.attr(v, "type")),
                "sectors": tuple(net.attr(v, "sectors")),
                "initiatives": int(n_inits.get(v, 0)),
                "degree": degree,
                "strength": float(strength[i]),
                "betweenness": float(btw[v]),
                "betweenness_method": method,
                "constraint": float(constraint[i]),
                "effective_size": float(eff[i]),
                "participation": part,
                "neighbour_sectors": nbr_sectors,
                "brokerage": total,
                "cross_sector_paths": cross,
                "bridged_sectors": tuple(best) if best else (),
                "via": tuple(entity_id(i) for i in sorted(via, key=lambda i: (net.label(i), i))),
                "explanation": text,
                "_own": set(net.attr(v, "sectors")),
            }
        )
    df = pd.DataFrame(rows)
    max_b = df["betweenness"].max()
    max_c = df["cross_sector_paths"].max()
    # open two-paths grow with the square of the degree: on a linear scale one hub tied to
    # almost everyone dwarfs the actor who is the only tie of a whole community (evaluation:
    # brokers found 22.5 % at scale 8); on a log scale the count stays comparable with
    # betweenness, which is what singles that actor out
    df["score"] = (
        (df["betweenness"] / max_b if max_b > 0 else 0.0)
        + (np.log1p(df["cross_sector_paths"]) / np.log1p(max_c) if max_c > 0 else 0.0)
    ) / 2
    if wanted is not None:
        mask = [
            bool((own | set(ns)) & wanted)
            for own, ns in zip(df["_own"], df["neighbour_sectors"], strict=True)
        ]
        df = df[mask]
    hub = df["role"].ne("actor")
    df = (
        df.assign(_hub=hub)
        .sort_values(
            ["_hub", "score", "betweenness", "actor"],
            ascending=[True, False, False, True],
            kind="mergesort",
        )
        .reset_index(drop=True)
    )
    ranks, ties = tie_ranks(df, df["_hub"])
    df["explanation"] = [
        text + tie + _HUB_NOTE.get(role, "")
        for text, tie, role in zip(df["explanation"], ties, df["role"], strict=True)
    ]
    df.insert(0, "rank", ranks)
    return df[ACTOR_COLUMNS]


#: What the explanation of a hub row adds (see :data:`HUB_ROLES`).
_HUB_NOTE = {
    "funder": "; a funder: ranked apart from the actors it connects",
    "public-body": "; a public body: ranked apart from the actors it connects",
    "initiative": "; an initiative itself: ranked apart from the actors it connects",
}
