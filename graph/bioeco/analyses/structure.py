"""The member–member projection kept sparse: open two-paths by sector type, Burt's measures.

At national scale the projection has millions of ties (scale 100 of the benchmark: 9,920
members, 5.35 M ties, Σ degree² = 2.3·10¹⁰), too many for a networkx graph in 2 GB and for
per-node neighbour × neighbour matrices. Everything here is computed from the 0/1 incidence
matrix B (members × initiatives), the weights W = B·Bᵀ without its diagonal and the 0/1
adjacency A = [W > 0]:

* open two-paths a–v–b (a, b neighbours of v, not tied) counted per broker v and per pair of
  sector types of the ends, from bit rows of A (one AND and popcount per neighbour of v,
  n/64 words each) — the closed ones are the triangles, the rest follows from the counts of
  neighbours per type;
* Burt's constraint and effective size in closed form over W, with W·S⁻¹·W factored through
  the small initiative × initiative matrix Bᵀ·S⁻¹·B (no product of the projection with
  itself).

The functions are private helpers of :mod:`bioeco.analyses.bridges`; ``tests/analyses/
test_fast_paths.py`` compares each with the networkx computation it replaces.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np
from scipy import sparse

from bioeco.analyses.project import Network

if TYPE_CHECKING:  # imported where the graph is built: the what-if never needs it
    import igraph

__all__ = ["Structure", "brandes_backward", "brandes_batch", "brandes_forward", "structure"]

#: Rows per block in the closed forms (a block holds rows × members floats).
BLOCK = 512


class Structure:
    """Sparse views of a network's member–member projection, rows in ``net.members`` order.

    Parameters
    ----------
    net : Network
        The network; its incidence matrix and member attributes are read, nothing is copied
        into a graph object.
    """

    def __init__(self, net: Network) -> None:
        self.net = net
        self.members = net.members
        self.index = {m: i for i, m in enumerate(self.members)}
        self.initiatives = net.initiatives
        self.b = net.incidence.tocsr()
        self.b_csc = self.b.tocsc()
        #: W: shared initiatives of each tied pair (float; B·Bᵀ without its diagonal, sorted)
        self.weights = (self.b @ self.b.T).tocsr().astype(float)
        self.weights.setdiag(0)
        self.weights.eliminate_zeros()
        self.weights.sort_indices()
        #: the 0/1 adjacency (int8): W's pattern (its index arrays shared, not copied)
        self.adj = sparse.csr_matrix(
            (np.ones(self.weights.nnz, dtype=np.int8), self.weights.indices, self.weights.indptr),
            shape=self.weights.shape,
        )
        self.n = len(self.members)
        #: sector type of each member: index into ``types`` (sorted tuples; ``()`` = none)
        sectors = [tuple(net.attr(m, "sectors")) for m in self.members]
        self.types = sorted(set(sectors))
        code = {t: k for k, t in enumerate(self.types)}
        self.tid = np.array([code[s] for s in sectors], dtype=np.int64)
        self.sector_names = sorted({s for t in self.types for s in t})
        col = {s: k for k, s in enumerate(self.sector_names)}
        #: types × sectors 0/1
        self.type_sectors = np.zeros((len(self.types), len(self.sector_names)))
        for k, t in enumerate(self.types):
            for s in t:
                self.type_sectors[k, col[s]] = 1.0
        self.classified = np.array([bool(t) for t in self.types], dtype=bool)
        #: types × types: both classified and no sector in common
        self.disjoint = (
            (self.type_sectors @ self.type_sectors.T == 0)
            & self.classified[:, None]
            & self.classified[None, :]
        )

    @cached_property
    def degree(self) -> np.ndarray:
        """Number of neighbours of each member."""
        return np.diff(self.adj.indptr)

    @cached_property
    def igraph(self) -> igraph.Graph:
        """The projection as an unweighted igraph graph (built once: betweenness and Louvain),
        its edges (i < j) in row-major order, the order networkx lists them."""
        import igraph

        upper = sparse.triu(self.adj, k=1).tocoo()
        graph = igraph.Graph(n=self.n)
        # from an array: a list of 5 M Python tuples would take 0.9 GB at scale 100
        graph.add_edges(np.column_stack([upper.row, upper.col]).astype(np.int64))
        return graph

    @cached_property
    def upper_weights(self) -> np.ndarray:
        """The weights of the edges of :attr:`igraph`, in its edge order."""
        return sparse.triu(self.weights, k=1).tocoo().data

    def neighbours(self, i: int) -> np.ndarray:
        """Indices of the neighbours of member *i* (sorted, i.e. in IRI order)."""
        return self.adj.indices[self.adj.indptr[i] : self.adj.indptr[i + 1]]

    # -- open two-paths -------------------------------------------------------------------

    @cached_property
    def _bits(self) -> tuple[np.ndarray, np.ndarray]:
        """Bit rows of the adjacency with the columns grouped by type (each type's columns
        padded to whole 64-bit words) and the first word of each type."""
        counts = np.bincount(self.tid, minlength=len(self.types))
        words = (counts + 63) // 64
        first = np.concatenate([[0], np.cumsum(words)[:-1]]).astype(np.int64)
        rank = np.zeros(self.n, dtype=np.int64)
        for t in range(len(self.types)):
            members = np.flatnonzero(self.tid == t)
            rank[members] = np.arange(len(members))
        column = first[self.tid] * 64 + rank
        ncols = int(words.sum()) * 64
        rows = np.empty((self.n, ncols // 64), dtype=np.uint64)
        for r0 in range(0, self.n, 2048):
            r1 = min(r0 + 2048, self.n)
            block = np.zeros((r1 - r0, ncols), dtype=bool)
            part = self.adj[r0:r1]
            local = np.repeat(np.arange(r1 - r0), np.diff(part.indptr))
            block[local, column[part.indices]] = True
            rows[r0:r1] = np.packbits(block, axis=1, bitorder="little").view(np.uint64)
        return rows, first

    def open_pairs(self, i: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Open two-paths through member *i* counted by the types of their ends.

        Returns ``counts, nbrs, types, closed``: ``counts[s, t]`` (types × types) is the
        number of ordered pairs (a, b) of distinct, untied neighbours of i with a of type s
        and b of type t (each open two-path counted twice, once per direction); ``nbrs`` are
        the neighbours of i grouped by type (stable: IRI order within a type), ``types``
        their types and ``closed`` (neighbours × words of the bit rows, float32) the
        popcounts of each neighbour's bit row AND i's: summed over a type's words they are
        the neighbours of i of that type tied to that neighbour (the triangles). The
        triangles by pair of end types are summed over the neighbours of each type first
        (whole rows added) and over the words next. The popcounts are small integers (at
        most 64, sums below 2²⁴ as long as a type has under 2¹⁸ members), exact in float32,
        which numpy adds and multiplies much faster than uint8 cast on the fly.
        """
        ntypes = len(self.types)
        rows, first = self._bits
        counts = np.zeros((ntypes, ntypes), dtype=np.int64)
        nbrs = self.neighbours(i)
        if not len(nbrs):
            return counts, nbrs, nbrs, np.zeros((0, rows.shape[1]), dtype=np.float32)
        types = self.tid[nbrs]
        order = np.argsort(types, kind="stable")
        nbrs, types = nbrs[order], types[order]
        starts = np.flatnonzero(np.r_[True, types[1:] != types[:-1]])
        present = types[starts]
        size = np.diff(np.r_[starts, len(types)])
        per_type = np.zeros(ntypes, dtype=np.int64)
        per_type[present] = size
        x = np.take(rows, nbrs, axis=0)
        np.bitwise_and(x, rows[i], out=x)
        closed = np.bitwise_count(x).astype(np.float32)
        by_words = np.add.reduceat(closed, starts, axis=0).astype(np.int64)
        by_type = np.add.reduceat(by_words, first, axis=1)  # present × types
        counts[present] = size[:, None] * per_type[None, :] - by_type
        counts[present, present] -= size
        return counts, nbrs, types, closed

    def word_ends(self, sector: int) -> np.ndarray:
        """:meth:`ends_towards` spread over the words of the bit rows (types × words,
        float32 0/1): ``[t, w]`` when word w holds members of a type that is a cross-sector
        end including *sector* for one of type t (cached)."""
        cache = self.__dict__.setdefault("_word_ends", {})
        if sector not in cache:
            rows, first = self._bits
            word_type = np.repeat(np.arange(len(self.types)), np.diff(np.r_[first, rows.shape[1]]))
            cache[sector] = self.ends_towards(sector)[:, word_type].astype(np.float32)
        return cache[sector]

    def ends_towards(self, sector: int) -> np.ndarray:
        """types × types: ``[t, u]`` when a member of type u is a cross-sector end for one of
        type t that includes *sector* (both classified, no sector in common; cached)."""
        cache = self.__dict__.setdefault("_ends", {})
        if sector not in cache:
            cache[sector] = self.disjoint & (self.type_sectors[:, sector] > 0)[None, :]
        return cache[sector]

    @cached_property
    def sector_pairs(self) -> tuple[np.ndarray, np.ndarray]:
        """Index pairs (x < y) of the sectors, in ``itertools.combinations`` order."""
        return np.triu_indices(len(self.sector_names), k=1)

    # -- betweenness from sampled sources -------------------------------------------------

    def dependencies(self, sources: np.ndarray, batch: int = 100) -> np.ndarray:
        """Σ over *sources* s of Brandes' dependency δ_s(v) of every member v (0 at s itself)
        on the unweighted projection: the sum of σ_st(v)/σ_st over all targets t.

        Brandes' two passes (shortest-path counts level by level from s, then dependencies
        back from the farthest level) run for a *batch* of sources at once as products with
        the adjacency, and the adjacency is never formed: A·X = B·(Bᵀ·X) - D·X - C·X with D
        the number of initiatives of each member and C = W - A (the ties sharing two or more
        initiatives, W - 1 there), so each level costs the incidence (n · initiatives) and
        the multiple ties instead of all n · degree ties. Path counts are integers and exact
        in floats; dependencies agree with the per-source computation to rounding.
        """
        b = self.b.astype(float)
        bt = sparse.csr_matrix(b.T)
        inits = np.asarray(b.sum(axis=1)).ravel()[:, None]
        extra = self.weights.copy()
        extra.data -= 1
        extra.eliminate_zeros()

        def spread(x: np.ndarray) -> np.ndarray:  # A·x
            return b @ (bt @ x) - inits * x - extra @ x

        total = np.zeros(self.n)
        for c0 in range(0, len(sources), batch):
            chunk = np.asarray(sources[c0 : c0 + batch], dtype=np.int64)
            delta, _level = brandes_batch(lambda x, _rows: spread(x), self.n, chunk)
            total += delta.sum(axis=1)
        return total

    # -- Burt's measures --------------------------------------------------------------------

    def burt(self) -> tuple[np.ndarray, np.ndarray]:
        """Burt's constraint and effective size of every member on the weighted projection
        (NaN for members without ties).

        With P = S⁻¹W (S the strengths) and m_u the largest tie weight of u:
        ``constraint_v = Σ_{j∈N(v)} (P_vj + (P²)_vj)²`` and Burt's
        ``effective_size_v = Σ_{u∈N(v)} (1 - Σ_w P_vw W_uw / m_u)``: the redundancy of a
        contact u is v's proportional ties to w times u's marginal tie to w (u's tie to w over
        u's strongest tie), as networkx's per-node path, UCINET and igraph compute it.
        networkx 3.6's whole-graph matrix path (``nx.effective_size`` with a weight and no
        ``nodes``) divides by m_w instead (networkx pull request #8906), which bioeco used to
        report. Because W = B·Bᵀ - D (D the number
        of initiatives of each member), W·S⁻¹·W = B·(Bᵀ·S⁻¹·B)·Bᵀ - W·S⁻¹·D - D·S⁻¹·W +
        D·S⁻¹·D off the diagonal, so only the initiatives × initiatives matrix Bᵀ·S⁻¹·B is
        formed, and the effective size is
        ``deg_v - Σ_k (A·M⁻¹·B)_vk (P·B)_vk + (P·M⁻¹·D)_v`` (A the adjacency).
        """
        n = self.n
        w = self.weights
        b = self.b.astype(float)
        strength = np.asarray(w.sum(axis=1)).ravel()
        inits = np.asarray(b.sum(axis=1)).ravel()  # d: initiatives of each member
        tied = strength > 0
        inv_s = np.where(tied, 1 / np.where(tied, strength, 1), 0.0)
        wmax = w.max(axis=1).toarray().ravel() if n else np.zeros(0)
        inv_m = np.where(wmax > 0, 1 / np.where(wmax > 0, wmax, 1), 0.0)
        p = sparse.csr_matrix(sparse.diags(inv_s) @ w)
        gram = (b.T @ sparse.diags(inv_s) @ b).toarray()  # initiatives × initiatives
        d_over_s = inits * inv_s
        adj_over_m = sparse.csr_matrix(
            sparse.csr_matrix(self.adj, dtype=float) @ sparse.diags(inv_m)
        )  # (the float copy of the adjacency is not kept)
        p_d_over_m = sparse.csr_matrix(p @ sparse.diags(inv_m)) @ inits
        constraint = np.full(n, np.nan)
        effective = np.full(n, np.nan)
        # A·M⁻¹ and P share W's pattern in the same order: one product with B on complex
        # entries (A·M⁻¹ real, P imaginary) gives both, each part summed in the same order
        # with the same terms (B's entries are 1) as its own product
        both = None
        if np.array_equal(adj_over_m.indptr, p.indptr) and np.array_equal(
            adj_over_m.indices, p.indices
        ):
            both = sparse.csr_matrix(
                (adj_over_m.data + 1j * p.data, p.indices, p.indptr), shape=p.shape
            )
            b_complex = b.astype(complex)
            adj_over_m = p = None  # their values are in *both* now (memory)
        for r0 in range(0, n, BLOCK):
            r1 = min(r0 + BLOCK, n)
            # (W S⁻¹ W) on the ties of rows r0..r1
            y = b[r0:r1] @ gram  # rows × initiatives
            z = np.asarray((b @ y.T).T)  # rows × members: B G Bᵀ
            wb = w[r0:r1]
            local = np.repeat(np.arange(r1 - r0), np.diff(wb.indptr))
            cols = wb.indices
            wss = z[local, cols] - wb.data * (d_over_s[cols] + d_over_s[r0 + local])
            p2 = wss * inv_s[r0 + local]
            pv = wb.data * inv_s[r0 + local]
            constraint[r0:r1] = np.bincount(local, (pv + p2) ** 2, minlength=r1 - r0)
            if both is not None:
                hp = (both[r0:r1] @ b_complex).toarray()
                h, pb = hp.real, hp.imag
            else:
                h = (adj_over_m[r0:r1] @ b).toarray()
                pb = (p[r0:r1] @ b).toarray()
            effective[r0:r1] = self.degree[r0:r1] - (h * pb).sum(axis=1) + p_d_over_m[r0:r1]
        constraint[~tied] = np.nan
        effective[~tied] = np.nan
        return constraint, effective


def brandes_batch(
    spread: Callable[[np.ndarray, np.ndarray | None], np.ndarray],
    n: int,
    chunk: np.ndarray,
    rows: Callable[[np.ndarray], np.ndarray | None] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Brandes' two passes for the sources *chunk* at once, on an unweighted graph of *n*
    nodes given by ``spread(x, some) = A·x`` (A its adjacency; *some*: the rows that are
    used, None for all; the others may hold anything). Returns the dependencies δ_s(v)
    (n × sources, 0 at each source) and the distances (n × sources, -1 where unreached).

    First the shortest-path counts level by level from the sources (a node is reached when
    its count is positive; counts are integers, exact in floats), then the dependencies back
    from the farthest level. *rows* (``rows(mask) -> row indices or None``) names the rows a
    product needs — the nodes not reached yet, going out; the level before, coming back —
    so a caller can compute only those; without it every product is a whole one. Either
    way each used row is computed by the same operations: the same floats
    (:meth:`Structure.dependencies` and the what-if's tracker share this pass).

    Examples
    --------
    >>> a = np.array([[0, 1, 0], [1, 0, 1], [0, 1, 0]], dtype=float)  # a path 0 – 1 – 2
    >>> delta, level = brandes_batch(lambda x, _rows: a @ x, 3, np.array([0]))
    >>> delta[:, 0].tolist(), level[:, 0].tolist()  # from 0, the path to 2 runs through 1
    ([0.0, 1.0, 0.0], [0, 1, 2])
    """
    sigma, level = brandes_forward(spread, n, chunk, rows)
    return brandes_backward(spread, sigma, level, chunk, rows), level


def brandes_forward(
    spread: Callable[[np.ndarray, np.ndarray | None], np.ndarray],
    n: int,
    chunk: np.ndarray,
    rows: Callable[[np.ndarray], np.ndarray | None] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """The first pass of :func:`brandes_batch`: shortest-path counts and distances (n ×
    sources; -1 where unreached) from the sources *chunk*, level by level."""
    some = rows if rows is not None else (lambda _mask: None)
    cols = np.arange(len(chunk))
    sigma = np.zeros((n, len(chunk)))
    sigma[chunk, cols] = 1.0
    level = np.full((n, len(chunk)), -1, dtype=np.int32)
    level[chunk, cols] = 0
    frontier, depth = sigma.copy(), 0
    while True:  # only the rows not reached yet by some source can be new
        reached = spread(frontier, some(level < 0))
        new = (reached > 0.5) & (level < 0)
        if not new.any():
            break
        depth += 1
        level[new] = depth
        sigma[new] = np.rint(reached[new])
        frontier = np.where(new, sigma, 0.0)
    return sigma, level


def brandes_backward(
    spread: Callable[[np.ndarray, np.ndarray | None], np.ndarray],
    sigma: np.ndarray,
    level: np.ndarray,
    chunk: np.ndarray,
    rows: Callable[[np.ndarray], np.ndarray | None] | None = None,
) -> np.ndarray:
    """The second pass of :func:`brandes_batch`: the dependencies back from the farthest
    level of the counts *sigma* and distances *level* of the sources *chunk* (0 at each)."""
    some = rows if rows is not None else (lambda _mask: None)
    delta = np.zeros_like(sigma)
    for d in range(int(level.max(initial=0)), 0, -1):
        at = level == d
        y = np.where(at, (1.0 + delta) / np.where(at, sigma, 1.0), 0.0)
        before = level == d - 1  # only those rows are used
        delta += np.where(before, sigma * spread(y, some(before)), 0.0)
    delta[chunk, np.arange(len(chunk))] = 0.0
    return delta


def structure(net: Network) -> Structure:
    """The :class:`Structure` of *net*, built once per network (cached on it)."""
    cache = net.__dict__
    if "_structure" not in cache:
        cache["_structure"] = Structure(net)
    return cache["_structure"]
