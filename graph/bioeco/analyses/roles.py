"""Gould–Fernandez brokerage roles, of any graph and of every member (bridges_brokerage)."""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Hashable, Iterator, Mapping

import networkx as nx
import numpy as np
import pandas as pd
from rdflib import Dataset, Graph
from scipy import sparse

from bioeco.analyses.project import Network, as_network, entity_id
from bioeco.analyses.ranking import sector_filter, tie_ranks
from bioeco.analyses.structure import Structure, structure

__all__ = [
    "BROKERAGE_COLUMNS",
    "DENSE_MAX_NODES",
    "GF_COLUMNS",
    "ROLES",
    "brokerage",
    "gould_fernandez",
    "open_paths",
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
    st: Structure,
    i: int,
    counts: np.ndarray,
    nbrs: np.ndarray,
    types: np.ndarray,
    closed_words: np.ndarray,
) -> tuple[int, tuple[str, str] | None, dict[str, int], dict[str, int]]:
    """The cross-sector open two-paths through member *i*: their number, the sector pair
    (s, t) it bridges most (first in name order on ties) and, for the s side and the t side,
    the initiatives linking it to the neighbours at that end, weighted by those neighbours'
    cross paths towards the other sector (a neighbour's weight counts for every initiative
    it shares with *i*). *counts*, *nbrs*, *types* and *closed_words* (the
    ``closed`` popcounts) are those of :meth:`Structure.open_pairs`."""
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
    per_type = np.bincount(types, minlength=len(st.types))
    inits = st.b.indices[st.b.indptr[i] : st.b.indptr[i + 1]]
    starts = np.flatnonzero(np.r_[True, types[1:] != types[:-1]])
    stops = np.r_[starts[1:], len(types)]

    def towards(side: int, other: int) -> dict[str, int]:
        # weight of a neighbour u at this side: Σ over types t of its untied neighbours of
        # i of type t (per_type[t] minus the closed ones) that are ends towards *other*;
        # the neighbours come grouped by type, so one product per type present
        ends, word_ends = st.ends_towards(other), st.word_ends(other)
        weight = np.zeros(st.n)
        for a, b in zip(starts, stops, strict=True):
            t = types[a]
            if st.type_sectors[t, side] > 0 and ends[t].any():
                closed = (closed_words[a:b] @ word_ends[t]).astype(np.int64)
                weight[nbrs[a:b]] = int(per_type @ ends[t]) - closed
        out = {}
        csc = st.b_csc
        for k in inits:
            total = weight[csc.indices[csc.indptr[k] : csc.indptr[k + 1]]].sum()
            if total > 0:
                out[st.initiatives[k]] = int(total)
        return out

    pair = (st.sector_names[x], st.sector_names[y])
    return cross, pair, towards(x, y), towards(y, x)


def open_paths(st: Structure) -> list[tuple]:
    """For every member (in :attr:`Structure.members` order), one pass over its open
    two-paths: ``(roles, total, cross_group, cross_sector, best pair, s side, t side)`` (see
    :func:`_roles` and :func:`_profile`); computed once per network and shared by
    :func:`actor_scores` and :func:`brokerage`."""
    cache = st.__dict__
    if "_open_paths" not in cache:
        out = []
        for i in range(st.n):
            counts, nbrs, types, closed_words = st.open_pairs(i)
            roles, total, cross_group = _roles(st, i, counts)
            profile = _profile(st, i, counts, nbrs, types, closed_words)
            out.append((roles, total, cross_group, *profile))
        cache["_open_paths"] = out
    return cache["_open_paths"]


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
    wanted = sector_filter(net, sector)
    st = structure(net)
    if st.n == 0:
        return pd.DataFrame(columns=BROKERAGE_COLUMNS)
    records, examples, texts = [], [], []
    paths = open_paths(st)
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
    ranks, ties = tie_ranks(df)
    df["explanation"] = [t + tie for t, tie in zip(df["explanation"], ties, strict=True)]
    df.insert(0, "rank", ranks)
    return df[BROKERAGE_COLUMNS]
