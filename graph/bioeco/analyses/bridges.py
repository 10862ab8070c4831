"""Cross-sector bridges: betweenness, Burt constraint, participation, brokerage, pair hints."""

from __future__ import annotations

import itertools
import random
from collections import Counter
from collections.abc import Callable, Hashable, Iterator, Mapping

import igraph
import networkx as nx
import numpy as np
import pandas as pd
from rdflib import Dataset, Graph
from scipy import sparse

from bioeco.analyses.project import Network, as_network, entity_id
from bioeco.analyses.structure import Structure, structure
from bioeco.errors import UsageError

__all__ = [
    "ACTOR_COLUMNS",
    "AFFILIATION_TYPES",
    "BROKERAGE_COLUMNS",
    "GF_COLUMNS",
    "HUB_ROLES",
    "PAIR_COLUMNS",
    "ROLES",
    "actor_scores",
    "brokerage",
    "communities",
    "gould_fernandez",
    "member_role",
    "pair_suggestions",
    "sector_group",
]

ROLES = ("coordinator", "gatekeeper", "representative", "consultant", "liaison")

#: ``role`` of a member in ``bridges_actors`` by actor type: funders, public bodies and the
#: initiatives themselves (a cluster, or the organisation that runs one) connect many actors
#: by what they are; they are ranked apart from the actors a cluster manager could work with.
HUB_ROLES: dict[str, str] = {
    "funding-agency": "funder",
    "ministry": "public-body",
    "public-agency": "public-body",
    "regional-authority": "public-body",
    "municipality": "public-body",
    "cluster-organisation": "initiative",
}


#: Initiative types whose membership is an affiliation, not joint work: two members of the
#: same cluster or network may never have worked together. Pair suggestions leave these links
#: out, so they can propose two members of one cluster who share no project, event or other
#: initiative yet.
AFFILIATION_TYPES = frozenset({"cluster", "network"})


def _joint_work(net: Network) -> Network:
    """*net* without the memberships of :data:`AFFILIATION_TYPES` (built once, cached)."""
    cache = net.__dict__
    if "_joint_work" not in cache:
        types = {i: net.attr(i, "type") for i in net.initiatives}
        keep = ~net.edges["initiative"].map(types).isin(AFFILIATION_TYPES).to_numpy()
        if keep.all():
            cache["_joint_work"] = net
        else:
            edges = net.edges[keep].reset_index(drop=True)
            cache["_joint_work"] = Network(net.nodes, edges, net.concepts, net.as_of, net.basis)
    return cache["_joint_work"]


def member_role(kind: str | None, actor_type: str | None) -> str:
    """``actor``, or the hub role of a member (:data:`HUB_ROLES`; every initiative is one).

    Examples
    --------
    >>> member_role("actor", "company"), member_role("actor", "funding-agency")
    ('actor', 'funder')
    >>> member_role("initiative", "cluster")
    'initiative'
    """
    if kind == "initiative":
        return "initiative"
    return HUB_ROLES.get(actor_type or "", "actor")


def _tie_ranks(df: pd.DataFrame, group: pd.Series | None = None) -> tuple[np.ndarray, list[str]]:
    """Ranks of the rows of *df* (already sorted best first) by ``score``: equal scores share
    the best rank of their group (1, 1, 3 …), counted apart within each value of *group*; and
    for every tied row the words saying so (empty for the others)."""
    score = np.round(df["score"].astype(float).to_numpy(), 12)
    keys = group.to_numpy() if group is not None else np.zeros(len(df), dtype=np.int64)
    ranks = np.zeros(len(df), dtype=np.int64)
    notes = [""] * len(df)
    for key in dict.fromkeys(keys.tolist()):
        rows = np.flatnonzero(keys == key)
        values = score[rows]
        first = np.searchsorted(-values, -values, side="left")  # sorted descending
        last = np.searchsorted(-values, -values, side="right")
        ranks[rows] = first + 1
        for pos, (a, b) in enumerate(zip(first.tolist(), last.tolist(), strict=True)):
            if b - a > 1:
                others = b - a - 1
                notes[rows[pos]] = (
                    f"; tied for rank {a + 1} with {others} other{'s' if others != 1 else ''} "
                    "(equal score)"
                )
    return ranks, notes


GF_COLUMNS = [
    "node",
    "group",
    *ROLES,
    "unclassified",
    "total",
    "cross_group",
    "dominant_role",
    "explanation",
]

BROKERAGE_COLUMNS = [
    "rank",
    "actor",
    "label",
    "kind",
    "group",
    *ROLES,
    "unclassified",
    "total",
    "cross_group",
    "dominant_role",
    "example",
    "score",
    "explanation",
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

PAIR_COLUMNS = [
    "rank",
    "actor_a",
    "actor_b",
    "label_a",
    "label_b",
    "sectors_a",
    "sectors_b",
    "common_neighbours",
    "common",
    "via",
    "resource_allocation",
    "adamic_adar",
    "soundarajan_hopcroft",
    "community_a",
    "community_b",
    "score",
    "explanation",
]


def sector_group(sectors: tuple[str, ...] | list[str]) -> str | None:
    """Brokerage group of an actor: its sector, or its sorted sectors joined by ``+``.

    An actor in several sectors forms its own composite group (so a marine+health actor
    between a marine and a health actor is a liaison); no sector → ``None`` (unclassified).

    Examples
    --------
    >>> sector_group(("marine",)), sector_group(("marine", "health")), sector_group(())
    ('marine', 'health+marine', None)
    """
    return "+".join(sorted(sectors)) if sectors else None


def _open_two_paths(g: nx.Graph, v: Hashable) -> Iterator[tuple[Hashable, Hashable]]:
    """Ordered (a, b) ends of the open two-paths a→v→b (directed) or {a, b} (undirected, once)."""
    if g.is_directed():
        for a in sorted(g.predecessors(v), key=str):
            for b in sorted(g.successors(v), key=str):
                if a != b and v not in (a, b) and not g.has_edge(a, b):
                    yield a, b
    else:
        nbrs = sorted((n for n in g.neighbors(v) if n != v), key=str)
        for a, b in itertools.combinations(nbrs, 2):
            if not g.has_edge(a, b):
                yield a, b


#: Largest projection for which :class:`_Neighbourhoods` keeps a dense adjacency (n² bytes).
DENSE_MAX_NODES = 16_000


class _Neighbourhoods:
    """Adjacency of an undirected graph as a sparse matrix, to look at the open two-paths
    a–v–b (a, b neighbours of v, not adjacent) of every node with numpy instead of a Python
    loop over neighbour pairs. Neighbours are in the same order as ``sorted(..., key=str)``."""

    def __init__(self, g: nx.Graph, adjacency: sparse.csr_matrix | None = None) -> None:
        self.nodes = sorted(g.nodes, key=str)
        self.index = {n: i for i, n in enumerate(self.nodes)}
        self.dense = None
        if not self.nodes:
            self.adj = sparse.csr_matrix((0, 0), dtype=np.int8)
            return
        if adjacency is not None:  # already 0/1, no diagonal, rows in self.nodes order
            adj = adjacency
        else:
            adj = nx.to_scipy_sparse_array(g, nodelist=self.nodes, weight=None, format="csr")
            adj = sparse.csr_matrix((adj > 0).astype(np.int8))
            adj.setdiag(0)
            adj.eliminate_zeros()
            adj.sort_indices()  # neighbour order = node order = sorted by str
        self.adj = adj
        # a dense 0/1 copy makes the neighbour × neighbour blocks plain numpy indexing (much
        # faster than sparse fancy indexing); n² bytes, so only up to DENSE_MAX_NODES nodes
        self.dense = adj.toarray().astype(bool) if len(self.nodes) <= DENSE_MAX_NODES else None

    def open_pairs(self, v: Hashable) -> tuple[np.ndarray, np.ndarray]:
        """Neighbour indices of v and the boolean upper-triangular matrix of its open pairs."""
        i = self.index[v]
        nbrs = self.adj.indices[self.adj.indptr[i] : self.adj.indptr[i + 1]]
        if self.dense is not None:
            sub = self.dense[np.ix_(nbrs, nbrs)]
        else:
            sub = self.adj[nbrs][:, nbrs].toarray().astype(bool)
        mask = np.triu(~sub, k=1)
        return nbrs, mask


def _classify(ga: str, gv: str, gb: str, directed: bool) -> tuple[str, ...]:
    if ga == gv == gb:
        return ("coordinator",)
    if ga == gb:
        return ("consultant",)
    if gv == gb:
        return ("gatekeeper",) if directed else ("gatekeeper", "representative")
    if ga == gv:
        return ("representative",) if directed else ("gatekeeper", "representative")
    return ("liaison",)


def gould_fernandez(g: nx.Graph, groups: Mapping[Hashable, str | None]) -> pd.DataFrame:
    """Gould–Fernandez brokerage role counts of every node of *g* (directed or undirected).

    A broker v sits on an open two-path a → v → b (a, b distinct, no tie a → b). With g(x) the
    group of x: coordinator g(a)=g(v)=g(b); consultant (itinerant) g(a)=g(b)≠g(v);
    gatekeeper g(a)≠g(v)=g(b); representative g(a)=g(v)≠g(b); liaison all three differ.
    In an undirected graph each open two-path a–v–b (a, b not adjacent) is counted once per
    broker; when exactly one end shares v's group the direction is unknown, so the path is
    counted both as gatekeeper and as representative (those two columns are then equal and
    ``total`` counts the path once). Paths with a node of group ``None`` count as
    ``unclassified`` only.

    Columns
    -------
    node : the node key; group : its group
    coordinator, gatekeeper, representative, consultant, liaison : role counts
    unclassified : open two-paths involving a node without group
    total : open two-paths through the node (each once)
    cross_group : open two-paths whose ends are not both in the broker's group
    dominant_role : the most frequent role (ties in the order above), ``none`` if no paths
    explanation : the counts in plain English

    Examples
    --------
    >>> g = nx.path_graph(["a", "v", "b"])
    >>> df = gould_fernandez(g, {"a": "x", "v": "y", "b": "z"})
    >>> df.loc[df["node"] == "v", ["liaison", "total", "dominant_role"]]
       liaison  total dominant_role
    2        1      1       liaison
    """
    return _gould_fernandez(g, groups, None if g.is_directed() else _Neighbourhoods(g))


def _gould_fernandez(
    g: nx.Graph, groups: Mapping[Hashable, str | None], hood: _Neighbourhoods | None
) -> pd.DataFrame:
    """:func:`gould_fernandez` with the neighbourhoods of an undirected *g* given."""
    directed = g.is_directed()
    rows = []
    for v in sorted(g.nodes, key=str):
        if hood is not None:
            counts, total, cross = _gf_counts_undirected(hood, v, groups)
        else:
            counts = Counter({r: 0 for r in (*ROLES, "unclassified")})
            total = cross = 0
            for a, b in _open_two_paths(g, v):
                total += 1
                ga, gv, gb = groups.get(a), groups.get(v), groups.get(b)
                if ga is None or gv is None or gb is None:
                    counts["unclassified"] += 1
                    continue
                for role in _classify(ga, gv, gb, directed):
                    counts[role] += 1
                if not (ga == gv == gb):
                    cross += 1
        rows.append(_gf_record(v, groups.get(v), counts, total, cross))
    return pd.DataFrame(rows, columns=GF_COLUMNS)


def _gf_record(
    node: Hashable, group: str | None, counts: Mapping[str, int], total: int, cross: int
) -> dict:
    """One row of :func:`gould_fernandez` from the role counts of *node*."""
    best = max(ROLES, key=lambda r: (counts[r], -ROLES.index(r)))
    dominant = best if counts[best] else "none"
    parts = [f"{counts[r]} {r}" for r in ROLES if counts[r]]
    text = (
        f"broker on {total} open two-path{'s' if total != 1 else ''}"
        + (f": {', '.join(parts)}" if parts else "")
        + (
            f"; {counts['unclassified']} with an unclassified node"
            if counts["unclassified"]
            else ""
        )
    )
    return {
        "node": node,
        "group": group,
        **{r: counts[r] for r in ROLES},
        "unclassified": counts["unclassified"],
        "total": total,
        "cross_group": cross,
        "dominant_role": dominant,
        "explanation": text,
    }


def _gf_counts_undirected(
    hood: _Neighbourhoods, v: Hashable, groups: Mapping[Hashable, str | None]
) -> tuple[Counter[str], int, int]:
    """Gould–Fernandez role counts of v in an undirected graph, vectorised over v's open
    two-paths (same rules as :func:`_classify` with ``directed=False``)."""
    counts: Counter[str] = Counter({r: 0 for r in (*ROLES, "unclassified")})
    nbrs, mask = hood.open_pairs(v)
    total = int(mask.sum())
    if not total:
        return counts, 0, 0
    labels = [groups.get(hood.nodes[j]) for j in nbrs]
    codes = {g: k for k, g in enumerate(sorted({x for x in labels if x is not None}))}
    gid = np.array([codes[x] if x is not None else -1 for x in labels])
    gv_label = groups.get(v)
    known = gid >= 0
    both = mask & known[:, None] & known[None, :]
    if gv_label is None:
        counts["unclassified"] = total
        return counts, total, 0
    counts["unclassified"] = total - int(both.sum())
    gv = codes.get(gv_label, -2)
    same_v = gid == gv
    same_ab = gid[:, None] == gid[None, :]
    sa, sb = same_v[:, None], same_v[None, :]
    coordinator = both & same_ab & sa
    consultant = both & same_ab & ~sa
    one_side = both & (sa ^ sb)
    liaison = both & ~same_ab & ~sa & ~sb
    counts["coordinator"] = int(coordinator.sum())
    counts["consultant"] = int(consultant.sum())
    counts["gatekeeper"] = counts["representative"] = int(one_side.sum())
    counts["liaison"] = int(liaison.sum())
    cross = int(both.sum()) - counts["coordinator"]
    return counts, total, cross


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


def _labels(net: Network, iris, limit: int = 2) -> str:
    labels = sorted({net.label(i) for i in iris})
    return _first_labels(labels[:limit], len(labels), limit)


def _first_labels(first: list[str], count: int, limit: int) -> str:
    """The first *limit* of *count* distinct labels (given sorted, *first*) in words."""
    more = count - limit
    text = " and ".join(first) if count <= limit else ", ".join(first)
    return text + (f" and {more} more" if more > 0 else "")


def _roles(st: Structure, i: int, counts: np.ndarray) -> tuple[Counter[str], int, int]:
    """Gould–Fernandez role counts of member *i* (undirected, groups = sector types) from the
    ordered open-pair counts by end types (:meth:`Structure.open_pairs`); the same rules as
    :func:`_classify` with ``directed=False``."""
    roles: Counter[str] = Counter({r: 0 for r in (*ROLES, "unclassified")})
    total = int(counts.sum()) // 2
    gv = st.tid[i]
    if not total:
        return roles, 0, 0
    if not st.classified[gv]:
        roles["unclassified"] = total
        return roles, total, 0
    known = st.classified
    both = counts[np.ix_(known, known)]
    n_both = int(both.sum()) // 2
    roles["unclassified"] = total - n_both
    other = known.copy()
    other[gv] = False
    roles["coordinator"] = int(counts[gv, gv]) // 2
    roles["consultant"] = int(np.trace(counts[np.ix_(other, other)])) // 2
    roles["gatekeeper"] = roles["representative"] = int(counts[gv, other].sum())
    rest = counts[np.ix_(other, other)]
    roles["liaison"] = (int(rest.sum()) - int(np.trace(rest))) // 2
    return roles, total, n_both - roles["coordinator"]


def _role_of_ends(role: str, gv: int, ga: int, gb: np.ndarray) -> np.ndarray:
    """Which ends b (types *gb*) make a–v–b a path of *role* (undirected, all classified)."""
    if role == "coordinator":
        return (gb == gv) & (ga == gv)
    if role == "consultant":
        return (gb == ga) & (ga != gv)
    if role in ("gatekeeper", "representative"):
        return (gb == gv) != (ga == gv)
    return (gb != ga) & (gb != gv) & (ga != gv)  # liaison


def _example(st: Structure, i: int, role: str) -> tuple[int, int] | None:
    """The first open two-path a–i–b of *role* (ends classified) in the order of
    :func:`_open_two_paths`: a before b, both in IRI order."""
    gv = st.tid[i]
    nbrs = st.neighbours(i)
    types = st.tid[nbrs]
    ok = st.classified[types]
    for pos in np.flatnonzero(ok):
        a = nbrs[pos]
        later = nbrs[pos + 1 :]
        cand = ok[pos + 1 :] & _role_of_ends(role, gv, types[pos], types[pos + 1 :])
        if not cand.any():
            continue
        cand &= ~np.isin(later, st.neighbours(a), assume_unique=True)
        hits = np.flatnonzero(cand)
        if len(hits):
            return int(a), int(later[hits[0]])
    return None


def _profile(
    st: Structure, i: int, counts: np.ndarray, nbrs: np.ndarray, closed: np.ndarray
) -> tuple[int, tuple[str, str] | None, dict[str, int], dict[str, int]]:
    """The cross-sector open two-paths through member *i*: their number, the sector pair
    (s, t) it bridges most (first in name order on ties) and, for the s side and the t side,
    the initiatives linking it to the neighbours at that end, weighted by those neighbours'
    cross paths towards the other sector (a neighbour's weight counts for every initiative
    it shares with *i*). *counts*, *nbrs* and *closed* are those of
    :meth:`Structure.open_pairs`."""
    cross_counts = counts * st.disjoint
    cross = int(cross_counts.sum()) // 2
    if not cross:
        return 0, None, {}, {}
    both_ways = st.type_sectors.T @ cross_counts @ st.type_sectors  # sector × sector
    upper = st.sector_pairs
    values = both_ways[upper]
    if not len(values) or values.max() <= 0:
        return cross, None, {}, {}
    best = int(np.argmax(values))
    x, y = int(upper[0][best]), int(upper[1][best])
    types = st.tid[nbrs]
    per_type = np.bincount(types, minlength=len(st.types))
    inits = st.b.indices[st.b.indptr[i] : st.b.indptr[i + 1]]
    open_to = per_type[None, :] - closed  # neighbours × types: untied neighbours of i

    def towards(side: int, other: int) -> dict[str, int]:
        at_side = st.type_sectors[types, side] > 0
        ends = st.ends_towards(other)[types[at_side]]
        weight = np.zeros(st.n)
        weight[nbrs[at_side]] = (open_to[at_side] * ends).sum(axis=1)
        out = {}
        csc = st.b_csc
        for k in inits:
            total = weight[csc.indices[csc.indptr[k] : csc.indptr[k + 1]]].sum()
            if total > 0:
                out[st.initiatives[k]] = int(total)
        return out

    pair = (st.sector_names[x], st.sector_names[y])
    return cross, pair, towards(x, y), towards(y, x)


def _open_paths(st: Structure) -> list[tuple]:
    """For every member (in :attr:`Structure.members` order), one pass over its open
    two-paths: ``(roles, total, cross_group, cross_sector, best pair, s side, t side)`` (see
    :func:`_roles` and :func:`_profile`); computed once per network and shared by
    :func:`actor_scores` and :func:`brokerage`."""
    cache = st.__dict__
    if "_open_paths" not in cache:
        out = []
        for i in range(st.n):
            counts, nbrs, closed = st.open_pairs(i)
            roles, total, cross_group = _roles(st, i, counts)
            out.append((roles, total, cross_group, *_profile(st, i, counts, nbrs, closed)))
        cache["_open_paths"] = out
    return cache["_open_paths"]


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


def _sector_filter(net: Network, sector: str | None) -> set[str] | None:
    if sector is None:
        return None
    if sector not in net.codes("sector"):
        known = ", ".join(net.codes("sector")) or "none"
        raise UsageError(f"unknown sector {sector!r}: known sector codes are {known}")
    return net.descendants("sector", sector)


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
    ``score = (betweenness / max betweenness + cross_sector_paths / max cross_sector_paths) / 2``.
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
    wanted = _sector_filter(net, sector)
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
    paths = _open_paths(st)
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
    df["score"] = (
        (df["betweenness"] / max_b if max_b > 0 else 0.0)
        + (df["cross_sector_paths"] / max_c if max_c > 0 else 0.0)
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
    ranks, ties = _tie_ranks(df, df["_hub"])
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


def brokerage(
    source: Graph | Dataset | Network,
    *,
    sector: str | None = None,
    as_of: int | None = None,
    basis: str = "all",
) -> pd.DataFrame:
    """Gould–Fernandez brokerage roles of every member, with sector as the group.

    Computed by :func:`gould_fernandez` on the **undirected** member–member projection (two
    members are tied when they share an initiative); groups are :func:`sector_group` (an
    actor's sector, or its sectors joined by ``+``). Each open two-path a–v–b is counted once
    per broker v; when exactly one end shares v's group the path counts as both gatekeeper and
    representative. Ranked by cross-group paths (``score``), then total, then id. *sector*
    keeps members of that sector (or below) and members with a neighbour there.

    Columns
    -------
    rank : 1 = most cross-group brokerage (equal scores share the rank and the explanation
        says they tie)
    actor, label, kind : the broker; group : its sector group (None if unclassified)
    coordinator, gatekeeper, representative, consultant, liaison : role counts
    unclassified : paths with an unclassified node; total : open two-paths (each once)
    cross_group : paths whose ends are not both in the broker's group
    dominant_role : most frequent role (``none`` without classified paths)
    example : one open two-path of the dominant role as ``a – broker – b`` labels
    score : cross_group (ranking key)
    explanation : the role counts in plain English

    Examples
    --------
    >>> from bioeco.analyses._fixture import example_graph
    >>> df = brokerage(example_graph())
    >>> df[["actor", "group", "liaison", "representative", "total"]].head(2)
            actor      group  liaison  representative  total
    0  actor/nofima  agri-food        0               6      6
    1  actor/biotec     health        0               0      0
    >>> print(df.loc[0, "explanation"])
    Nofima (agri-food) is broker on 6 open two-paths: 6 gatekeeper, 6 representative;
    e.g. Biotec AS – Nofima – Farm Coop
    """
    net = as_network(source, as_of=as_of, basis=basis)
    wanted = _sector_filter(net, sector)
    st = structure(net)
    if st.n == 0:
        return pd.DataFrame(columns=BROKERAGE_COLUMNS)
    records, examples, texts = [], [], []
    paths = _open_paths(st)
    for i, v in enumerate(st.members):
        roles, total, cross = paths[i][:3]
        group = sector_group(st.types[st.tid[i]])
        row = _gf_record(v, group, roles, total, cross)
        records.append(row)
        example = ""
        if row["dominant_role"] != "none":
            ends = _example(st, i, row["dominant_role"])
            if ends is not None:
                a, b = (st.members[e] for e in ends)
                example = f"{net.label(a)} – {net.label(v)} – {net.label(b)}"
        examples.append(example)
        texts.append(
            f"{net.label(v)} ({group or 'no sector'}) is {row['explanation']}"
            + (f"; e.g. {example}" if example else "")
        )
    gf = pd.DataFrame(records, columns=GF_COLUMNS)
    df = gf.assign(
        actor=gf["node"].map(entity_id),
        label=gf["node"].map(net.label),
        kind=gf["node"].map(lambda n: net.attr(n, "kind")),
        example=examples,
        explanation=texts,
        score=gf["cross_group"],
    )
    if wanted is not None:
        membership = sparse.csr_matrix(st.type_sectors[st.tid])
        near = (st.adj @ membership).toarray() > 0
        near |= st.type_sectors[st.tid] > 0
        want = np.array([x in wanted for x in st.sector_names], dtype=bool)
        df = df[(near & want).any(axis=1)]
    df = df.sort_values(
        ["score", "total", "actor"], ascending=[False, False, True], kind="mergesort"
    ).reset_index(drop=True)
    ranks, ties = _tie_ranks(df)
    df["explanation"] = [t + tie for t, tie in zip(df["explanation"], ties, strict=True)]
    df.insert(0, "rank", ranks)
    return df[BROKERAGE_COLUMNS]


_COMMUNITY_NAME = {"louvain": "Louvain", "sector": "sector"}


#: Largest projection whose Louvain communities come from networkx (the reference
#: implementation); larger ones use igraph's multilevel method (the same algorithm, compiled;
#: seeded, but its communities can differ from networkx's).
LOUVAIN_NX_MAX_NODES = 2000

#: Pair suggestions kept when no ``top`` is given: the best ``PAIR_LIMIT`` pairs (a national
#: projection has millions of candidate pairs; see :func:`pair_suggestions`).
PAIR_LIMIT = 1000


def _communities(st: Structure, net: Network, community: str, seed: int) -> dict[str, str]:
    if community == "sector":
        return {
            v: sector_group(st.types[st.tid[i]]) or "unclassified" for i, v in enumerate(st.members)
        }
    if community != "louvain":
        raise UsageError(f"community must be 'sector' or 'louvain', not {community!r}")
    if st.n <= LOUVAIN_NX_MAX_NODES:
        parts = nx.community.louvain_communities(net._actor_graph, weight="weight", seed=seed)
        parts = [sorted(p) for p in parts]
    else:
        previous = igraph.set_random_number_generator(random.Random(seed))
        try:
            found = st.igraph.community_multilevel(weights=st.upper_weights.tolist())
        finally:
            igraph.set_random_number_generator(previous or random)
        parts = [[st.members[i] for i in part] for part in found]  # indices ascending
    parts = sorted(parts, key=lambda p: p[0])
    return {v: f"c{i + 1}" for i, part in enumerate(parts) for v in part}


def communities(net: Network, community: str = "louvain", seed: int = 42) -> dict[str, str]:
    """The community (``c1``, ``c2`` …) of every member of *net*, as :func:`pair_suggestions`
    finds them (``louvain``, seeded, or ``sector`` groups); keys are member IRIs.

    Examples
    --------
    >>> from bioeco.analyses._fixture import example_graph
    >>> from bioeco.analyses.project import load_network
    >>> found = communities(load_network(example_graph()))
    >>> sorted(set(found.values()))[:1], len(found) > 0
    (['c1'], True)
    """
    return _communities(structure(net), net, community, seed)


def _dense_rows(adj: sparse.csr_matrix, rows: np.ndarray) -> np.ndarray:
    return adj[rows].toarray().astype(np.float32)


def _pair_candidates(
    st: Structure,
    net: Network,
    min_common: int,
    wanted: set[str] | None,
    limit: int | None,
    block: int = 1024,
    among: np.ndarray | None = None,
) -> tuple[list[tuple[str, str]], dict, dict]:
    """Candidate pairs of :func:`pair_suggestions` (best first, at most *limit*) with their
    resource-allocation and Adamic–Adar indices.

    RA(a, b) = Σ_{w common} 1/deg(w) is at most r_a = Σ_{w∈N(a)} 1/deg(w) (and r_b). The
    eligible actors are taken in decreasing r; the pairs among the first *block* of them (or,
    if they are too few, of them with any eligible actor) give a *limit*-th best score θ, a
    lower bound of the final one, so only actors with r ≥ θ can
    be in a pair that reaches the top, and only pairs among them are scored (float32 dense
    products of their adjacency rows, upper triangle; a 0.1 % margin covers float32
    rounding). The kept pairs are then scored exactly as before (float64 sparse rows, rounded
    to 12 decimals) and sorted by the ranking key. Without *limit* every eligible pair is
    scored.
    """
    deg = st.degree.astype(float)
    with np.errstate(divide="ignore"):
        inv = np.where(deg > 0, 1 / np.where(deg > 0, deg, 1), 0.0)
        inv_log = np.where(deg > 1, 1 / np.log(np.maximum(deg, 2)), 0.0)
    sec = st.type_sectors[st.tid] > 0  # members × sectors
    is_actor = np.array([net.attr(m, "kind") == "actor" for m in st.members], dtype=bool)
    eligible = st.classified[st.tid] & is_actor
    if among is not None:  # both ends in the region (the common co-members anywhere)
        eligible &= among
    want = np.array([x in (wanted or ()) for x in st.sector_names], dtype=bool)
    secf = sec.astype(np.float32)
    reach = st.adj @ inv
    cand = np.flatnonzero(eligible)
    order = cand[np.argsort(-reach[cand], kind="stable")]
    inv32 = inv.astype(np.float32)
    margin = 1e-3

    def scored(rows: np.ndarray, cols: np.ndarray, upper: bool, theta: float):
        """Candidate pairs (rows[p], cols[q]) with their float32 RA (≥ theta - margin)."""
        found = []
        dense_rows = _dense_rows(st.adj, rows)
        scaled = dense_rows * inv32[None, :]
        for c0 in range(0, len(cols), 2048):
            c1 = min(c0 + 2048, len(cols))
            dense_cols = _dense_rows(st.adj, cols[c0:c1])
            ra = scaled @ dense_cols.T
            common = dense_rows @ dense_cols.T if min_common > 1 else ra
            i = rows[:, None]
            j = cols[None, c0:c1]
            keep = (common > 0) & (ra >= theta * (1 - margin) - 1e-9)
            if min_common > 1:
                keep &= common >= min_common - 0.5
            keep &= dense_rows[:, cols[c0:c1]] == 0  # not tied
            keep &= (secf[rows] @ secf[cols[c0:c1]].T) == 0  # no common sector
            keep &= i != j
            if upper:
                keep &= i < j
            if wanted is not None:
                keep &= ((sec[rows] & want).any(axis=1))[:, None] | (
                    (sec[cols[c0:c1]] & want).any(axis=1)
                )[None, :]
            p, q = np.nonzero(keep)
            found.append((rows[p], cols[c0 + q], ra[p, q]))
        if not found:
            return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.float32)
        return tuple(np.concatenate([f[k] for f in found]) for k in range(3))

    theta = -np.inf
    if limit is not None and len(order) > block:
        # the pairs among the first block (each seen from both ends), else those with one end
        # there (seen once or twice): the 2·limit-th best of either is at most the limit-th
        # best pair's score
        for cols in (order[:block], order):
            _i, _j, ra = scored(order[:block], cols, False, -np.inf)
            if len(ra) >= 2 * limit:
                theta = float(np.partition(ra, len(ra) - 2 * limit)[len(ra) - 2 * limit])
                break
    rows = order if theta == -np.inf else order[reach[order] >= theta * (1 - margin) - 1e-9]
    rows = np.sort(rows)
    if not len(rows):
        return [], {}, {}
    parts = [
        scored(rows[r0 : r0 + block], rows[r0:], True, theta) for r0 in range(0, len(rows), block)
    ]
    if not parts:  # no actor with a partner's partner (e.g. after a strict --basis)
        parts = [(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0))]
    i, j, approx = (np.concatenate([p[k] for p in parts]) for k in range(3))
    if limit is not None and len(approx) > limit:  # only pairs that can reach the limit
        bound = float(np.partition(approx, len(approx) - limit)[len(approx) - limit])
        keep = approx >= bound * (1 - margin) - 1e-9
        i, j = i[keep], j[keep]
    if not len(i):
        return [], {}, {}
    # the adjacency rows of the kept pairs only (A·D⁻¹ and the Adamic–Adar weights on them)
    rows_i = sparse.csr_matrix(st.adj[i], dtype=np.int64)
    rows_j = sparse.csr_matrix(st.adj[j], dtype=np.int64)
    c = np.asarray(rows_i.multiply(rows_j).sum(axis=1)).ravel()
    keep = c >= min_common
    i, j, c = i[keep], j[keep], c[keep]
    rows_i, rows_j = rows_i[keep], rows_j[keep]
    ra_rows = sparse.csr_matrix(rows_i.multiply(inv[None, :]))  # A·D⁻¹ (columns scaled)
    aa_rows = sparse.csr_matrix(rows_i.multiply(inv_log[None, :]))
    ra = np.round(np.asarray(ra_rows.multiply(rows_j).sum(axis=1)).ravel(), 12)
    aa = np.round(np.asarray(aa_rows.multiply(rows_j).sum(axis=1)).ravel(), 12)
    ids = [entity_id(n) for n in st.members]
    best = sorted(range(len(i)), key=lambda p: (-ra[p], -aa[p], -c[p], ids[i[p]], ids[j[p]]))
    if limit is not None:
        best = best[:limit]
    bunch = [(st.members[i[p]], st.members[j[p]]) for p in best]
    ra_of = {pair: float(ra[p]) for pair, p in zip(bunch, best, strict=True)}
    aa_of = {pair: float(aa[p]) for pair, p in zip(bunch, best, strict=True)}
    return bunch, ra_of, aa_of


def pair_suggestions(
    source: Graph | Dataset | Network,
    *,
    community: str = "louvain",
    min_common: int = 1,
    seed: int = 42,
    sector: str | None = None,
    as_of: int | None = None,
    basis: str = "all",
    top: int | None = None,
    max_pairs: int | None = PAIR_LIMIT,
    region: str | None = None,
) -> pd.DataFrame:
    """Actors of different sectors with no shared initiative in these sources but common
    co-members.

    The pairs are found where actors work together: memberships of clusters and networks
    (:data:`AFFILIATION_TYPES`) are affiliations and are left out, so two members of one
    cluster who share no project, event or other initiative can be proposed (the explanation
    names the cluster they both belong to). *region* keeps the pairs of actors located there
    (or below) and looks for their common co-members in the whole network, so an actor outside
    the region that already works with both is named (marked "outside" the region).

    Candidates are pairs of actors (kind ``actor``) at distance two in the member–member
    projection, found with the sparse product A·A (A its adjacency matrix): at least
    *min_common* common neighbours, no shared initiative, both classified with a sector and no
    sector in common. Each pair is scored with networkx link prediction: resource allocation
    (the ranking ``score``), Adamic–Adar and the community-aware Soundarajan–Hopcroft
    common-neighbour count, with communities from Louvain (*seed*) or the sector groups
    (*community*). *sector* keeps pairs with either actor in that sector or below. Only the
    best *top* pairs (else the best *max_pairs*, default :data:`PAIR_LIMIT`; ``None`` for
    all) are scored exactly and explained: a national projection has millions of candidate
    pairs, so the search scores only pairs of actors whose resource-allocation bound can
    still reach that rank (see :func:`_pair_candidates`). Louvain communities come from
    networkx up to :data:`LOUVAIN_NX_MAX_NODES` members and from igraph's multilevel method
    (same algorithm, same *seed*, possibly other communities) above.

    Columns
    -------
    rank : 1 = best suggestion (score, then adamic_adar and common_neighbours, which break ties
        of the resource allocation; then ids)
    actor_a, actor_b, label_a, label_b, sectors_a, sectors_b : the two actors (a < b)
    common_neighbours : number of common co-members; common : their ids (tuple)
    via : initiatives linking them to those co-members (ids, tuple)
    resource_allocation, adamic_adar, soundarajan_hopcroft : link-prediction scores
    community_a, community_b : community labels used by Soundarajan–Hopcroft
    score : resource allocation index
    explanation : why the pair is suggested, in plain English

    Examples
    --------
    >>> from bioeco.analyses._fixture import example_graph
    >>> df = pair_suggestions(example_graph())
    >>> df[["actor_a", "actor_b", "common_neighbours", "score"]].round(2)
            actor_a        actor_b  common_neighbours  score
    0  actor/biotec   actor/nofima                  1   0.33
    1  actor/nofima  actor/seaweed                  1   0.33
    >>> print(df.loc[0, "explanation"])
    Biotec AS (health) and Nofima (agri-food) are both members of Biotech North but have no
    shared project, event or other initiative in these sources; both work with UiT (through
    Land meets Sea and Marine Seminar); resource allocation 0.33
    """
    if min_common < 1:
        raise UsageError(f"min_common must be at least 1, not {min_common!r}")
    full = as_network(source, as_of=as_of, basis=basis)
    wanted = _sector_filter(full, sector)
    inside: set[str] | None = None
    if region is not None:
        if region not in full.codes("region"):
            known = ", ".join(full.codes("region")) or "none"
            raise UsageError(f"unknown region {region!r}: known region codes are {known}")
        codes = full.descendants("region", region)
        inside = {i for i, r in full.nodes["regions"].items() if set(r) & codes}
    net = _joint_work(full)
    st = structure(net)
    if st.n < 3:
        return pd.DataFrame(columns=PAIR_COLUMNS)
    limit = top if top is not None else max_pairs
    among = None if inside is None else np.array([m in inside for m in st.members], dtype=bool)
    bunch, ra, aa = _pair_candidates(st, net, min_common, wanted, limit, among=among)
    if not bunch:
        return pd.DataFrame(columns=PAIR_COLUMNS)
    # the clusters and networks both belong to (left out of the pair search)
    fb = full.incidence
    full_row = {m: k for k, m in enumerate(full.members)}
    affiliation = np.array(
        [full.attr(i, "type") in AFFILIATION_TYPES for i in full.initiatives], dtype=bool
    )

    def both_in(a: str, b: str) -> list[str]:
        ka, kb = full_row[a], full_row[b]
        cols = np.intersect1d(
            fb.indices[fb.indptr[ka] : fb.indptr[ka + 1]],
            fb.indices[fb.indptr[kb] : fb.indptr[kb + 1]],
        )
        return [full.initiatives[c] for c in cols if affiliation[c]]

    comm = _communities(st, net, community, seed)
    community_of = np.array([comm[m] for m in st.members], dtype=object)
    member_ids = np.array([entity_id(m) for m in st.members], dtype=object)
    # distinct labels of a member set in label order: one rank per distinct label
    distinct = sorted({net.label(m) for m in st.members})
    label_rank = np.searchsorted(distinct, [net.label(m) for m in st.members])
    b, csc = st.b, st.b_csc
    rows = []
    for a, b_ in bunch:
        ia, ib = st.index[a], st.index[b_]
        shared = np.intersect1d(st.neighbours(ia), st.neighbours(ib), assume_unique=True)
        # Soundarajan–Hopcroft: common neighbours + those in the pair's community
        same = comm[a] == comm[b_]
        bonus = int(np.count_nonzero(community_of[shared] == comm[a])) if same else 0
        # the pair's initiatives that have one of the common neighbours as member
        near = np.zeros(st.n, dtype=bool)
        near[shared] = True
        own = np.union1d(
            b.indices[b.indptr[ia] : b.indptr[ia + 1]], b.indices[b.indptr[ib] : b.indptr[ib + 1]]
        )
        via = sorted(
            (
                st.initiatives[k]
                for k in own.tolist()
                if near[csc.indices[csc.indptr[k] : csc.indptr[k + 1]]].any()
            ),
            key=lambda i: (net.label(i), i),
        )
        if inside is None:
            names = np.unique(label_rank[shared])
            partners = _first_labels([distinct[k] for k in names[:3]], len(names), 3)
        else:
            named = sorted(
                {(net.label(st.members[k]), st.members[k] not in inside) for k in shared.tolist()}
            )
            shown = [f"{label} (outside {region})" if out else label for label, out in named]
            partners = _first_labels(shown[:3], len(shown), 3)
        clubs = both_in(a, b_)
        text = (
            f"{net.label(a)} ({', '.join(net.attr(a, 'sectors'))}) and {net.label(b_)} "
            f"({', '.join(net.attr(b_, 'sectors'))}) "
            + (
                f"are both members of {_labels(net, clubs, 2)} but have no shared project, "
                "event or other initiative in these sources; "
                if clubs
                else "have no shared initiative in these sources but "
            )
            + f"both work with {partners} "
            f"(through {_labels(net, via, 3)}); "
            f"resource allocation {ra[(a, b_)]:.2f}"
            + (f", same {_COMMUNITY_NAME[community]} community" if same else "")
        )
        common = tuple(member_ids[shared].tolist())
        rows.append(
            {
                "actor_a": entity_id(a),
                "actor_b": entity_id(b_),
                "label_a": net.label(a),
                "label_b": net.label(b_),
                "sectors_a": tuple(net.attr(a, "sectors")),
                "sectors_b": tuple(net.attr(b_, "sectors")),
                "common_neighbours": len(common),
                "common": common,
                "via": tuple(entity_id(i) for i in via),
                "resource_allocation": float(ra[(a, b_)]),
                "adamic_adar": float(aa[(a, b_)]),
                "soundarajan_hopcroft": int(len(common) + bonus),
                "community_a": comm[a],
                "community_b": comm[b_],
                "score": float(ra[(a, b_)]),
                "explanation": text,
            }
        )
    df = pd.DataFrame(rows)
    df = df.sort_values(
        ["score", "adamic_adar", "common_neighbours", "actor_a", "actor_b"],
        ascending=[False, False, False, True, True],
        kind="mergesort",
    ).reset_index(drop=True)
    df.insert(0, "rank", np.arange(1, len(df) + 1))
    return df[PAIR_COLUMNS]
