"""Pair suggestions (bridges_pairs): actors of different sectors with common co-members."""

from __future__ import annotations

import random

import igraph
import networkx as nx
import numpy as np
import pandas as pd
from rdflib import Dataset, Graph
from scipy import sparse

from bioeco.analyses.project import Network, as_network, entity_id
from bioeco.analyses.ranking import sector_filter
from bioeco.analyses.roles import sector_group
from bioeco.analyses.structure import Structure, structure
from bioeco.errors import UsageError

__all__ = [
    "AFFILIATION_TYPES",
    "LOUVAIN_NX_MAX_NODES",
    "PAIR_COLUMNS",
    "PAIR_LIMIT",
    "communities",
    "pair_suggestions",
]


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


def _labels(net: Network, iris, limit: int = 2) -> str:
    labels = sorted({net.label(i) for i in iris})
    return _first_labels(labels[:limit], len(labels), limit)


def _first_labels(first: list[str], count: int, limit: int) -> str:
    """The first *limit* of *count* distinct labels (given sorted, *first*) in words."""
    more = count - limit
    text = " and ".join(first) if count <= limit else ", ".join(first)
    return text + (f" and {more} more" if more > 0 else "")


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
    wanted = sector_filter(full, sector)
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
