"""Betweenness and bridge scores of the what-if's projection, kept up to date tie by tie.

The part of :class:`bioeco.analyses.incremental.Tracker` that follows
:func:`~bioeco.analyses.scores.actor_scores`' betweenness: the sum of Brandes' dependencies of
its sources (every member up to ``exact_max_nodes``, else the same seeded sample of ``k`` as the
analysis), each source's dependencies, shortest-path counts and distances kept. A source whose
distances to the two ends of every tie an action adds or removes are equal keeps its
dependencies (such a tie is on no shortest path from it, before or after); the others are run
again with the analysis's own pass (the operations of
:func:`~bioeco.analyses.structure.brandes_batch`), on the incidence matrix and only on the rows
each product uses: the same floats. Going out, only the members whose count or distance can
have changed are counted again (at an end of a changed tie, or tied to a member whose count or
distance changed), the others keep theirs: at scale 100 a handful of rows per level instead of
every member, the same integers. Coming back every dependency is taken again (on the dense
projections of the benchmark one changed count reaches nearly every member's dependency), the
farthest level as a sparse product (same terms, same order). The scores and ranks are then
taken over all members as the analysis takes them.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Any

import numpy as np
from scipy import sparse

from bioeco.analyses.structure import brandes_backward, brandes_forward

__all__ = ["Betweenness"]


class Betweenness:
    """Betweenness of the tracker's members (a part of :class:`~bioeco.analyses.incremental.
    Tracker`, which holds ``n``, ``members``, ``index``, ``ids``, ``hub``, ``inits`` — each
    initiative's member positions — ``cross`` and the options ``exact_max_nodes``, ``k``,
    ``seed``)."""

    n: int
    members: list[str]
    index: dict[str, int]
    ids: list[str]
    hub: np.ndarray
    inits: dict[str, set[int]]
    cross: np.ndarray
    exact_max_nodes: int
    k: int
    seed: int

    def _start_betweenness(self, saved: Mapping[str, Any] | None = None) -> None:
        """The sources and their dependencies and distances: from *saved* (the start analyze
        saved) or computed."""
        n = self.n
        if saved is not None:
            self.sources = saved["sources"]
            self.sampled = bool(saved["sampled"])
            self.levels, self.delta = saved["levels"], saved["delta"]
            self.sigma = saved["sigma"]
            self._incidence(saved.get("c"))
            return
        if n <= self.exact_max_nodes or min(self.k, n) == n:
            self.sources = np.arange(n, dtype=np.int64)
            self.sampled = False
        else:
            picked = random.Random(self.seed).sample(self.members, min(self.k, n))
            self.sources = np.array([self.index[s] for s in picked], dtype=np.int64)
            self.sampled = True
        self.levels = np.zeros((n, len(self.sources)), dtype=np.int16)
        self.delta = np.zeros((n, len(self.sources)))
        self.sigma = np.zeros((n, len(self.sources)))
        self._incidence()
        if n > 2:
            self._run_sources(np.arange(len(self.sources)))

    def _incidence(self, c: sparse.csr_matrix | None = None) -> None:
        """B (members × initiatives, floats), Bᵀ, each member's initiatives and C = W - A on
        the ties of two or more shared initiatives (the spread of :meth:`_run_sources`);
        *c*, that C as saved (computing it is the costly part: B·Bᵀ)."""
        names = sorted(self.inits)
        rows = (
            np.concatenate([np.fromiter(self.inits[i], dtype=np.int64) for i in names])
            if names
            else np.zeros(0, dtype=np.int64)
        )
        cols = np.repeat(np.arange(len(names)), [len(self.inits[i]) for i in names])
        b = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(self.n, len(names)))
        self.b, self.bt = b, sparse.csr_matrix(b.T)
        self.d = np.asarray(b.sum(axis=1)).ravel()[:, None]
        if c is not None:
            self.c = c
            return
        w = (b @ b.T).tocsr()
        w.setdiag(0)
        w.eliminate_zeros()
        w.data -= 1
        w.eliminate_zeros()
        self.c = w.tocsr()

    def _spread(self, x: np.ndarray, rows: np.ndarray | None = None) -> np.ndarray:
        """A·x for the 0/1 adjacency A of the projection: B·(Bᵀ·x) - D·x - C·x; with *rows*,
        only those rows (the others 0): each row is computed by the same operations."""
        # the members where x is 0 for every source add nothing (x ≥ 0: leaving out a
        # term 0 leaves every sum as it is), so they are left out when they are most
        used = np.flatnonzero(x.any(axis=1))
        narrow = len(used) < 0.5 * self.n
        bt, xs = (self.bt[:, used], x[used]) if narrow else (self.bt, x)
        # C·x with x mostly 0 even where some source is not (the farthest level going back):
        # as a sparse product, which adds the same terms in the same order (C's row order)
        # and leaves out only terms 0 — the same floats for a fraction of the work
        few = not narrow and np.count_nonzero(xs) < 0.1 * xs.size
        if rows is None:
            c = self.c[:, used] if narrow else self.c
            return self.b @ (bt @ xs) - self.d * x - self._times(c, xs, few)
        out = np.zeros_like(x)
        if len(rows):
            c = self.c[rows][:, used] if narrow else self.c[rows]
            out[rows] = self.b[rows] @ (bt @ xs) - self.d[rows] * x[rows] - self._times(c, xs, few)
        return out

    @staticmethod
    def _times(c: sparse.csr_matrix, xs: np.ndarray, few: bool) -> np.ndarray:
        """c·xs, as a sparse product when *few* of xs are not 0."""
        return (c @ sparse.csr_matrix(xs)).toarray() if few else c @ xs

    def _rows(self, mask: np.ndarray) -> np.ndarray | None:
        """The rows where *mask* (members × sources) holds for a source: all of them (None)
        when that is most rows (slicing would cost more than it saves)."""
        rows = np.flatnonzero(mask.any(axis=1))
        return None if len(rows) > 0.8 * self.n else rows

    def _incidence_update(self, rows: list, cols: list, vals: list) -> None:
        """B, Bᵀ and D again from the initiatives' members now, and C changed by the entries
        (*rows*, *cols*) by *vals* (ties whose count of shared initiatives changed)."""
        names = sorted(self.inits)
        order = (
            np.concatenate([np.fromiter(sorted(self.inits[i]), dtype=np.int64) for i in names])
            if names
            else np.zeros(0, dtype=np.int64)
        )
        colidx = np.repeat(np.arange(len(names)), [len(self.inits[i]) for i in names])
        b = sparse.csr_matrix((np.ones(len(order)), (order, colidx)), shape=(self.n, len(names)))
        self.b, self.bt = b, sparse.csr_matrix(b.T)
        self.d = np.asarray(b.sum(axis=1)).ravel()[:, None]
        if vals:
            dc = sparse.csr_matrix((np.array(vals, dtype=float), (rows, cols)), shape=self.c.shape)
            self.c = (self.c + dc).tocsr()
            self.c.eliminate_zeros()

    def _run_sources(
        self, which: np.ndarray, batch: int = 100, ends: np.ndarray | None = None
    ) -> None:
        """Brandes' dependencies, path counts and distances of the sources *which* (positions
        in :attr:`sources`), by the pass :func:`~bioeco.analyses.structure.brandes_batch` runs
        (the same operations, so the same floats), each product on the rows it uses. With
        *ends* (the members at the ends of the ties an action added or removed), the path
        counts and distances are taken up from those kept (:meth:`_forward_update`)."""
        for c0 in range(0, len(which), batch):
            pos = which[c0 : c0 + batch]
            if ends is None:
                sigma, level = self._forward(self.sources[pos])
            else:
                sigma, level = self._forward_update(pos, ends)
            self.delta[:, pos] = self._backward(sigma, level, self.sources[pos])
            self.levels[:, pos] = level
            self.sigma[:, pos] = sigma

    def _forward(self, chunk: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Shortest-path counts and distances (-1: unreached) from the sources *chunk*: the
        first pass of :func:`~bioeco.analyses.structure.brandes_batch`."""
        return brandes_forward(self._spread, self.n, chunk, self._rows)

    def _forward_update(self, pos: np.ndarray, ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """What :meth:`_forward` gives for the sources at *pos* on the network now, from their
        counts and distances before the ties at the members *ends* changed. Level by level,
        only a member at an end or tied to a member whose count or distance changed is
        counted again (*asked*); any other member is reached at the same level by the same
        counts as before, so keeps them. Counts are integers, exact in floats: the same
        values as a whole pass, at the cost of the few rows asked."""
        n, b = self.n, len(pos)
        level, sigma = self.levels[:, pos], self.sigma[:, pos]  # copies (fancy indexing)
        old_level, old_sigma = self.levels[:, pos], self.sigma[:, pos]
        at_end = np.zeros(n, dtype=bool)
        at_end[ends] = True
        near = np.zeros((n, b), dtype=bool)  # tied to a member whose count or level changed
        waiting = np.zeros((n, b), dtype=bool)  # asked, not reached yet: level -1 for now
        depth = 0
        while True:
            nxt = depth + 1
            rows = np.flatnonzero(at_end | near.any(axis=1))
            lv = level[rows]
            settled = (lv >= 0) & (lv <= depth) & ~waiting[rows]
            ask = (at_end[rows, None] | near[rows]) & ~settled
            some = ask.any(axis=1)
            rows, ask = rows[some], ask[some]
            if len(rows):
                frontier = np.where(level == depth, sigma, 0.0)
                reached = self._spread(frontier, rows)[rows]
                found = ask & (reached > 0.5)
                counts = np.rint(reached)
                changed = (found & ((old_level[rows] != nxt) | (counts != old_sigma[rows]))) | (
                    ask & ~found & (old_level[rows] == nxt)
                )
                lost = ask & ~found
                sub_level, sub_sigma, sub_wait = level[rows], sigma[rows], waiting[rows]
                sub_level[found], sub_sigma[found], sub_wait[found] = nxt, counts[found], False
                sub_level[lost], sub_sigma[lost], sub_wait[lost] = -1, 0.0, True
                level[rows], sigma[rows], waiting[rows] = sub_level, sub_sigma, sub_wait
                hit = changed.any(axis=1)
                if hit.any():  # their neighbours (and themselves): A·x + D·x on their columns
                    which = rows[hit]
                    x = changed[hit].astype(float)
                    ties = self.b @ (self.b[which].T @ x) - self.c[which].T @ x
                    near |= ties > 0.5
            if not (level == nxt).any():
                break
            depth = nxt
        return sigma, level

    def _backward(self, sigma: np.ndarray, level: np.ndarray, chunk: np.ndarray) -> np.ndarray:
        """Brandes' dependencies back from the farthest level: the second pass of
        :func:`~bioeco.analyses.structure.brandes_batch` (0 at each source)."""
        return brandes_backward(self._spread, sigma, level, chunk, self._rows)

    def _rerun(self, ties: list[tuple[int, int]]) -> None:
        """Run again the sources from which the two ends of one of the *ties* (added or
        removed) are at different distances; the others keep their dependencies."""
        if ties and self.n > 2:
            a = np.array([x for x, _ in ties])
            b = np.array([y for _, y in ties])
            hit = (self.levels[a] != self.levels[b]).any(axis=0)
            self._run_sources(np.flatnonzero(hit), ends=np.union1d(a, b))

    def betweenness(self) -> np.ndarray:
        """Normalised betweenness of every member, as :func:`actor_scores` reports it."""
        n = self.n
        if n <= 2:
            return np.zeros(n)
        raw = self.delta.sum(axis=1)
        if not self.sampled:
            return np.round(raw / ((n - 1) * (n - 2)), 12)
        kk = len(self.sources)
        scale = np.full(n, 1 / (kk * (n - 2)))
        scale[self.sources] = 1 / ((kk - 1) * (n - 2)) if kk > 1 else np.nan
        return np.round(raw * scale, 12)

    def bridges(self) -> dict[str, tuple[int, float]]:
        """Member IRI → (rank, score), as :func:`~bioeco.analyses.scores.actor_scores`."""
        if not self.n:
            return {}
        btw = self.betweenness()
        cross = self.cross.astype(float)
        max_b, max_c = btw.max(), cross.max()
        score = (
            (btw / max_b if max_b > 0 else 0.0)
            + (np.log1p(cross) / np.log1p(max_c) if max_c > 0 else 0.0)
        ) / 2  # the two-paths on a log scale, as actor_scores counts them
        # the ranks of ranking.tie_ranks over the rows actor_scores sorts: within hubs and
        # within the others, 1 + the members whose score (to 12 decimals) is higher; the
        # order of equal scores (betweenness, then id) only orders rows of one rank: no sort
        score = np.broadcast_to(np.asarray(score, dtype=float), (self.n,)).copy()
        rounded = np.round(score, 12)
        ranks = np.zeros(self.n, dtype=np.int64)
        for group in (False, True):
            rows = np.flatnonzero(self.hub == group)
            higher = np.sort(-rounded[rows])
            ranks[rows] = np.searchsorted(higher, -rounded[rows], side="left") + 1
        return dict(
            zip(self.members, zip(ranks.tolist(), score.tolist(), strict=True), strict=True)
        )
