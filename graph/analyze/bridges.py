"""Cross-sector bridges: betweenness, Burt constraint, participation, brokerage, pair hints."""

from __future__ import annotations

import itertools
import random
from collections import Counter
from collections.abc import Hashable, Iterator, Mapping

import igraph
import networkx as nx
import numpy as np
import pandas as pd
from rdflib import Dataset, Graph
from scipy import sparse

from bioeco.analyze.project import Network, as_network, entity_id
from bioeco.errors import UsageError

__all__ = [
    "ACTOR_COLUMNS",
    "BROKERAGE_COLUMNS",
    "GF_COLUMNS",
    "PAIR_COLUMNS",
    "ROLES",
    "actor_scores",
    "brokerage",
    "gould_fernandez",
    "pair_suggestions",
    "sector_group",
]

ROLES = ("coordinator", "gatekeeper", "representative", "consultant", "liaison")

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


def _hood_of(net: Network) -> _Neighbourhoods:
    """The neighbourhoods of ``net._actor_graph``, built once per network (like the graph)."""
    cache = net.__dict__
    if "_neighbourhoods" not in cache:
        g = net._actor_graph
        same_order = sorted(g.nodes, key=str) == net.members
        cache["_neighbourhoods"] = _Neighbourhoods(g, net._actor_adjacency if same_order else None)
    return cache["_neighbourhoods"]


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
        rows.append(
            {
                "node": v,
                "group": groups.get(v),
                **{r: counts[r] for r in ROLES},
                "unclassified": counts["unclassified"],
                "total": total,
                "cross_group": cross,
                "dominant_role": dominant,
                "explanation": text,
            }
        )
    return pd.DataFrame(rows, columns=GF_COLUMNS)


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


def _participation(g: nx.Graph, net: Network, v: str, weight: str | None) -> float:
    """1 - Σ_s (k_vs / k_v)²; a neighbour in n sectors adds weight/n to each sector."""
    per: Counter[str] = Counter()
    for u, data in g[v].items():
        sectors = net.attr(u, "sectors")
        if not sectors:
            continue
        w = float(data.get(weight, 1.0)) if weight else 1.0
        for s in sectors:
            per[s] += w / len(sectors)
    k = sum(per.values())
    if k == 0:
        return float("nan")
    return float(1.0 - sum((x / k) ** 2 for x in per.values()))


def _labels(net: Network, iris, limit: int = 2) -> str:
    labels = sorted({net.label(i) for i in iris})
    more = len(labels) - limit
    text = " and ".join(labels[:limit]) if len(labels) <= limit else ", ".join(labels[:limit])
    return text + (f" and {more} more" if more > 0 else "")


def _bridge_profile(
    g: nx.Graph,
    net: Network,
    v: str,
    hood: _Neighbourhoods,
    membership: np.ndarray,
    sector_names: list[str],
) -> tuple[int, int, tuple[str, str] | None, list[str], list[str]]:
    """The open two-paths through v: their number, how many join actors of disjoint sectors,
    v's most bridged sector pair (s, t) and the initiatives linking v to the s side and to
    the t side (most used first). *membership* is the node × sector 0/1 matrix in the order
    of *hood* and *sector_names*; the work is vectorised over v's neighbour pairs."""
    nbrs, mask = hood.open_pairs(v)
    total = int(mask.sum())
    if not total:
        return 0, 0, None, [], []
    sec = membership[nbrs].astype(float)  # neighbours × sectors; float for BLAS (exact counts)
    has = sec.any(axis=1)
    disjoint = (sec @ sec.T) == 0
    cross_mask = mask & has[:, None] & has[None, :] & disjoint
    cross = int(cross_mask.sum())
    if not cross:
        return total, 0, None, [], []
    per_pair = sec.T @ cross_mask.astype(float) @ sec  # a-sector × b-sector path counts
    both_ways = per_pair + per_pair.T
    best_count, best = 0, None
    for x, y in itertools.combinations(range(len(sector_names)), 2):
        if both_ways[x, y] > best_count:  # combinations run in name order: first max wins
            best_count, best = int(both_ways[x, y]), (x, y)
    if best is None:
        return total, cross, None, [], []
    x, y = best
    sym = (cross_mask | cross_mask.T).astype(float)
    towards = sym @ sec  # end × sector: cross paths from this end to ends in that sector

    def ranked(side: int, other: int) -> list[str]:
        counter: Counter[str] = Counter()
        weights = sec[:, side] * towards[:, other]
        for k in np.flatnonzero(weights):
            for init in g[v][hood.nodes[nbrs[k]]]["via"]:
                counter[init] += int(weights[k])
        return sorted(counter, key=lambda i: (-counter[i], net.label(i), i))

    return total, cross, (sector_names[x], sector_names[y]), ranked(x, y), ranked(y, x)


def _betweenness(g: nx.Graph, exact_max_nodes: int, k: int, seed: int) -> tuple[dict, str]:
    """Normalised betweenness of the unweighted *g*, computed by igraph (compiled Brandes).

    Exact up to *exact_max_nodes* nodes; above, from the *k* source nodes networkx would pick
    (``random.Random(seed).sample(list(g), k)``) with networkx's rescaling, so the values
    equal ``nx.betweenness_centrality(g, k=k, seed=seed, normalized=True)`` up to rounding.
    """
    n = g.number_of_nodes()
    nodes = list(g.nodes)
    index = {v: i for i, v in enumerate(nodes)}
    h = igraph.Graph(n=n, edges=[(index[u], index[v]) for u, v in g.edges if u != v])
    if n <= exact_max_nodes or min(k, n) == n:
        if n <= 2:
            return dict.fromkeys(nodes, 0.0), "exact"
        raw = np.asarray(h.betweenness(directed=False), dtype=float)
        values = np.round(raw * 2 / ((n - 1) * (n - 2)), 12)  # same digits as networkx
        return {v: float(values[i]) for i, v in enumerate(nodes)}, "exact"
    kk = min(k, n)
    sources = random.Random(seed).sample(nodes, kk)
    # igraph counts each undirected source-target path once; networkx sums both directions
    raw = 2 * np.asarray(h.betweenness(directed=False, sources=[index[s] for s in sources]))
    scale = np.full(n, 1 / (kk * (n - 2)))
    if kk > 1:
        scale[[index[s] for s in sources]] = 1 / ((kk - 1) * (n - 2))
    else:
        scale[[index[s] for s in sources]] = np.nan
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

    Columns
    -------
    rank : 1 = best bridge candidate (score, betweenness, id)
    actor, label, kind, type, sectors : the member (compact id, label, actor/initiative, type)
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
    >>> from bioeco.analyze._fixture import example_graph
    >>> df = actor_scores(example_graph())
    >>> df[["actor", "betweenness", "cross_sector_paths", "score"]].head(2)
            actor  betweenness  cross_sector_paths  score
    0  actor/nofima          0.6                   6    1.0
    1  actor/biotec          0.0                   0    0.0
    >>> print(df.loc[0, "explanation"])
    Nofima connects agri-food and health through Green Cluster (agri-food) and
    Biotech North (health); 6 of its 6 open two-paths join actors of different sectors;
    betweenness 0.60, participation coefficient 0.67, Burt constraint 0.58
    """
    if exact_max_nodes < 0 or k < 1:
        raise UsageError("exact_max_nodes must be >= 0 and k >= 1")
    net = as_network(source, as_of=as_of, basis=basis)
    wanted = _sector_filter(net, sector)
    g = net._actor_graph  # built once per network; not modified here
    if g.number_of_nodes() == 0:
        return pd.DataFrame(columns=ACTOR_COLUMNS)
    btw, method = _betweenness(g, exact_max_nodes, k, seed)
    isolates = set(nx.isolates(g))
    active = [n for n in g.nodes if n not in isolates]
    sub = g.subgraph(active)
    constraint = nx.constraint(sub, weight=weight) if active else {}
    eff = nx.effective_size(sub, weight=weight) if active else {}
    n_inits = Counter(net.edges["member"])
    rows = []
    sectors = {n: frozenset(net.attr(n, "sectors")) for n in g.nodes}
    hood = _hood_of(net)
    sector_names = sorted({x for secs in sectors.values() for x in secs})
    column = {x: k for k, x in enumerate(sector_names)}
    membership = np.zeros((len(hood.nodes), len(sector_names)), dtype=np.int64)
    for n, secs in sectors.items():
        for x in secs:
            membership[hood.index[n], column[x]] = 1
    for v in sorted(g.nodes):
        total, cross, best, via_s, via_t = _bridge_profile(
            g, net, v, hood, membership, sector_names
        )
        via = sorted(set(via_s) | set(via_t))
        nbr_sectors = tuple(sorted({s for u in g[v] for s in sectors[u]}))
        strength = sum(float(d.get(weight, 1.0)) if weight else 1.0 for d in g[v].values())
        part = _participation(g, net, v, weight)
        label = net.label(v)
        if best:
            x, y = net.label(via_s[0]), net.label(via_t[0])
            through = f"through {x}" if x == y else f"through {x} ({best[0]}) and {y} ({best[1]})"
            text = (
                f"{label} connects {best[0]} and {best[1]} {through}; "
                f"{cross} of its {total} open two-paths join actors of different sectors"
            )
        elif g.degree(v):
            text = (
                f"{label} works with {g.degree(v)} co-member{'s' if g.degree(v) != 1 else ''}"
                + (f" (sectors: {', '.join(nbr_sectors)})" if nbr_sectors else "")
                + "; no cross-sector brokerage"
            )
        else:
            text = f"{label} shares no initiative with another member"
        text += f"; betweenness {btw[v]:.2f}"
        if not np.isnan(part):
            text += f", participation coefficient {part:.2f}"
        if v in constraint and not np.isnan(constraint[v]):
            text += f", Burt constraint {constraint[v]:.2f}"
        rows.append(
            {
                "actor": entity_id(v),
                "label": label,
                "kind": net.attr(v, "kind"),
                "type": net.attr(v, "type"),
                "sectors": tuple(net.attr(v, "sectors")),
                "initiatives": int(n_inits.get(v, 0)),
                "degree": int(g.degree(v)),
                "strength": strength,
                "betweenness": float(btw[v]),
                "betweenness_method": method,
                "constraint": float(constraint.get(v, np.nan)),
                "effective_size": float(eff.get(v, np.nan)),
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
    df = df.sort_values(
        ["score", "betweenness", "actor"], ascending=[False, False, True], kind="mergesort"
    ).reset_index(drop=True)
    df.insert(0, "rank", np.arange(1, len(df) + 1))
    return df[ACTOR_COLUMNS]


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
    rank : 1 = most cross-group brokerage
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
    >>> from bioeco.analyze._fixture import example_graph
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
    g = net._actor_graph  # built once per network; not modified here
    groups = {v: sector_group(net.attr(v, "sectors")) for v in g.nodes}
    gf = _gould_fernandez(g, groups, _hood_of(net))
    if gf.empty:
        return pd.DataFrame(columns=BROKERAGE_COLUMNS)
    examples, texts = [], []
    for row in gf.itertuples(index=False):
        v, example = row.node, ""
        if row.dominant_role != "none":
            for a, b in _open_two_paths(g, v):
                ga, gb = groups.get(a), groups.get(b)
                if None not in (ga, gb, groups[v]) and row.dominant_role in _classify(
                    ga, groups[v], gb, False
                ):
                    example = f"{net.label(a)} – {net.label(v)} – {net.label(b)}"
                    break
        examples.append(example)
        texts.append(
            f"{net.label(v)} ({groups[v] or 'no sector'}) is {row.explanation}"
            + (f"; e.g. {example}" if example else "")
        )
    df = gf.assign(
        actor=gf["node"].map(entity_id),
        label=gf["node"].map(net.label),
        kind=gf["node"].map(lambda n: net.attr(n, "kind")),
        example=examples,
        explanation=texts,
        score=gf["cross_group"],
    )
    if wanted is not None:
        keep = [
            bool({s for u in [n, *g[n]] for s in net.attr(u, "sectors")} & wanted)
            for n in gf["node"]
        ]
        df = df[keep]
    df = df.sort_values(
        ["score", "total", "actor"], ascending=[False, False, True], kind="mergesort"
    ).reset_index(drop=True)
    df.insert(0, "rank", np.arange(1, len(df) + 1))
    return df[BROKERAGE_COLUMNS]


_COMMUNITY_NAME = {"louvain": "Louvain", "sector": "sector"}


def _communities(g: nx.Graph, net: Network, community: str, seed: int) -> dict[str, str]:
    if community == "sector":
        return {v: sector_group(net.attr(v, "sectors")) or "unclassified" for v in g.nodes}
    if community == "louvain":
        parts = nx.community.louvain_communities(g, weight="weight", seed=seed)
        parts = sorted((sorted(p) for p in parts), key=lambda p: p[0])
        return {v: f"c{i + 1}" for i, part in enumerate(parts) for v in part}
    raise UsageError(f"community must be 'sector' or 'louvain', not {community!r}")


def _pair_candidates(
    g: nx.Graph,
    net: Network,
    nodes: list[str],
    min_common: int,
    wanted: set[str] | None,
    top: int | None,
    block: int = 512,
) -> tuple[list[tuple[str, str]], dict, dict]:
    """Candidate pairs of :func:`pair_suggestions` (best first) with their
    resource-allocation and Adamic–Adar indices, from sparse products of the adjacency matrix.

    Rows of A are taken *block* at a time, so memory stays at one block of A·A. With *top*,
    only pairs whose resource allocation can still reach the first *top* are kept (a running
    threshold), so the work after the products is proportional to *top*, not to all pairs.
    Scores are rounded to 12 decimals (the order in which networkx sums them is not fixed, so
    the last digits are noise); the result is sorted by the ranking key.
    """
    if nodes == net.members:  # the cached adjacency has the same rows
        adj = sparse.csr_matrix(net._actor_adjacency, dtype=np.int64)
    else:
        adj = nx.to_scipy_sparse_array(g, nodelist=nodes, weight=None, format="csr")
        adj = sparse.csr_matrix((adj > 0).astype(np.int64))
    deg = np.asarray(adj.sum(axis=1)).ravel().astype(float)
    with np.errstate(divide="ignore"):
        inv = np.where(deg > 0, 1 / deg, 0.0)
        inv_log = np.where(deg > 1, 1 / np.log(np.maximum(deg, 2)), 0.0)
    ra_mat = sparse.csr_matrix(adj.multiply(inv[None, :]))  # A·D⁻¹ (columns scaled)
    aa_mat = sparse.csr_matrix(adj.multiply(inv_log[None, :]))
    codes = sorted({c for n in nodes for c in net.attr(n, "sectors")})
    column = {c: k for k, c in enumerate(codes)}
    sec = np.zeros((len(nodes), max(len(codes), 1)), dtype=bool)
    for k, n in enumerate(nodes):
        for c in net.attr(n, "sectors"):
            sec[k, column[c]] = True
    classified = sec.any(axis=1)
    is_actor = np.array([net.attr(n, "kind") == "actor" for n in nodes])
    eligible = classified & is_actor
    want = np.zeros(sec.shape[1], dtype=bool)
    if wanted is not None:
        for c in wanted & set(codes):
            want[column[c]] = True
    found: list[tuple[np.ndarray, ...]] = []
    threshold = -np.inf
    adj_t = adj.T.tocsr()
    for r0 in range(0, len(nodes), block):
        r1 = min(r0 + block, len(nodes))
        common = (adj[r0:r1] @ adj_t).tocoo()
        i, j, c = common.row + r0, common.col, common.data
        keep = (j > i) & (c >= min_common) & eligible[i] & eligible[j]
        i, j, c = i[keep], j[keep], c[keep]
        linked = np.asarray(adj[i, j]).ravel() > 0 if len(i) else np.zeros(0, dtype=bool)
        keep = ~linked & ~(sec[i] & sec[j]).any(axis=1)
        if wanted is not None:
            keep &= ((sec[i] | sec[j]) & want).any(axis=1)
        i, j, c = i[keep], j[keep], c[keep]
        if not len(i):
            continue
        ra = np.round(np.asarray((ra_mat[i].multiply(adj[j])).sum(axis=1)).ravel(), 12)
        if top is not None:
            keep = ra >= threshold
            i, j, c, ra = i[keep], j[keep], c[keep], ra[keep]
        aa = np.round(np.asarray((aa_mat[i].multiply(adj[j])).sum(axis=1)).ravel(), 12)
        found.append((i, j, c, ra, aa))
        if top is not None:
            scores = np.concatenate([f[3] for f in found])
            if len(scores) >= top:
                threshold = np.partition(scores, len(scores) - top)[len(scores) - top]
                found = [tuple(x[f[3] >= threshold] for x in f) for f in found]
    if not found:
        return [], {}, {}
    i, j, c, ra, aa = (np.concatenate([f[k] for f in found]) for k in range(5))
    ids = [entity_id(n) for n in nodes]
    order = sorted(range(len(i)), key=lambda p: (-ra[p], -aa[p], -c[p], ids[i[p]], ids[j[p]]))
    if top is not None:
        order = order[:top]
    bunch = [(nodes[i[p]], nodes[j[p]]) for p in order]
    ra_of = {pair: float(ra[p]) for pair, p in zip(bunch, order, strict=True)}
    aa_of = {pair: float(aa[p]) for pair, p in zip(bunch, order, strict=True)}
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
) -> pd.DataFrame:
    """Actors of different sectors who share no initiative but have common co-members.

    Candidates are pairs of actors (kind ``actor``) at distance two in the member–member
    projection, found with the sparse product A·A (A its adjacency matrix): at least
    *min_common* common neighbours, no shared initiative, both classified with a sector and no
    sector in common. Each pair is scored with networkx link prediction: resource allocation
    (the ranking ``score``), Adamic–Adar and the community-aware Soundarajan–Hopcroft
    common-neighbour count, with communities from Louvain (*seed*) or the sector groups
    (*community*). *sector* keeps pairs with either actor in that sector or below. With *top*
    only the best N pairs are explained and returned (the candidates can be many).

    Columns
    -------
    rank : 1 = best suggestion (score, adamic_adar, common_neighbours, ids)
    actor_a, actor_b, label_a, label_b, sectors_a, sectors_b : the two actors (a < b)
    common_neighbours : number of common co-members; common : their ids (tuple)
    via : initiatives linking them to those co-members (ids, tuple)
    resource_allocation, adamic_adar, soundarajan_hopcroft : link-prediction scores
    community_a, community_b : community labels used by Soundarajan–Hopcroft
    score : resource allocation index
    explanation : why the pair is suggested, in plain English

    Examples
    --------
    >>> from bioeco.analyze._fixture import example_graph
    >>> df = pair_suggestions(example_graph())
    >>> df[["actor_a", "actor_b", "common_neighbours", "score"]].head(2)
          actor_a   actor_b  common_neighbours  score
    0  actor/biotec  actor/farm                  1    0.2
    1  actor/biotec  actor/mill                  1    0.2
    >>> print(df.loc[0, "explanation"])
    Biotec AS (health) and Farm Coop (agri-food) share no initiative but both work with
    Nofima (through Biotech North and Green Cluster); resource allocation 0.20
    """
    if min_common < 1:
        raise UsageError(f"min_common must be at least 1, not {min_common!r}")
    net = as_network(source, as_of=as_of, basis=basis)
    wanted = _sector_filter(net, sector)
    g = net._actor_graph  # built once per network; not modified here
    nodes = sorted(g.nodes)
    if len(nodes) < 3:
        return pd.DataFrame(columns=PAIR_COLUMNS)
    comm = _communities(g, net, community, seed)
    bunch, ra, aa = _pair_candidates(g, net, nodes, min_common, wanted, top)
    if not bunch:
        return pd.DataFrame(columns=PAIR_COLUMNS)
    sh = {}
    for a, b in bunch:  # Soundarajan–Hopcroft: common neighbours + those in the pair's community
        shared = nx.common_neighbors(g, a, b)
        bonus = sum(comm[w] == comm[a] for w in shared) if comm[a] == comm[b] else 0
        sh[(a, b)] = len(shared) + bonus
    rows = []
    for a, b in bunch:
        common = sorted(nx.common_neighbors(g, a, b))
        via = sorted(
            {i for w in common for i in g[a][w]["via"] + g[b][w]["via"]},
            key=lambda i: (net.label(i), i),
        )
        same = comm[a] == comm[b]
        text = (
            f"{net.label(a)} ({', '.join(net.attr(a, 'sectors'))}) and {net.label(b)} "
            f"({', '.join(net.attr(b, 'sectors'))}) share no initiative but both work with "
            f"{_labels(net, common, 3)} (through {_labels(net, via, 3)}); "
            f"resource allocation {ra[(a, b)]:.2f}"
            + (f", same {_COMMUNITY_NAME[community]} community" if same else "")
        )
        rows.append(
            {
                "actor_a": entity_id(a),
                "actor_b": entity_id(b),
                "label_a": net.label(a),
                "label_b": net.label(b),
                "sectors_a": tuple(net.attr(a, "sectors")),
                "sectors_b": tuple(net.attr(b, "sectors")),
                "common_neighbours": len(common),
                "common": tuple(entity_id(w) for w in common),
                "via": tuple(entity_id(i) for i in via),
                "resource_allocation": float(ra[(a, b)]),
                "adamic_adar": float(aa[(a, b)]),
                "soundarajan_hopcroft": int(sh[(a, b)]),
                "community_a": comm[a],
                "community_b": comm[b],
                "score": float(ra[(a, b)]),
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
