"""Betweenness and bridge scores of the what-if's projection, kept up to date tie by tie.

The part of :class:`bioeco.analyses.incremental.Tracker` that follows
:func:`~bioeco.analyses.scores.actor_scores`' betweenness: the sum of Brandes' dependencies of
its sources (every member up to ``exact_max_nodes``, else the same seeded sample of ``k`` as the
analysis), each source's dependencies and distances kept. A source whose distances to the two
ends of every tie an action adds or removes are equal keeps its dependencies (such a tie is on
no shortest path from it, before or after); the others are run again with the analysis's own
pass (:func:`~bioeco.analyses.structure.brandes_batch`), on the incidence matrix and only on
the rows each product uses: the same floats. The scores and ranks are then taken over all
members as the analysis takes them.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse

from bioeco.analyses.ranking import tie_ranks
from bioeco.analyses.structure import brandes_batch

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
        if rows is None:
            c = self.c[:, used] if narrow else self.c
            return self.b @ (bt @ xs) - self.d * x - c @ xs
        out = np.zeros_like(x)
        if len(rows):
            c = self.c[rows][:, used] if narrow else self.c[rows]
            out[rows] = self.b[rows] @ (bt @ xs) - self.d[rows] * x[rows] - c @ xs
        return out

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

    def _run_sources(self, which: np.ndarray, batch: int = 100) -> None:
        """Brandes' dependencies and the distances of the sources *which* (positions in
        :attr:`sources`), by the pass :meth:`~bioeco.analyses.structure.Structure.dependencies`
        runs (the same operations, so the same floats), each product on the rows it uses."""
        for c0 in range(0, len(which), batch):
            pos = which[c0 : c0 + batch]
            delta, level = brandes_batch(self._spread, self.n, self.sources[pos], self._rows)
            self.delta[:, pos] = delta
            self.levels[:, pos] = level

    def _rerun(self, ties: list[tuple[int, int]]) -> None:
        """Run again the sources from which the two ends of one of the *ties* (added or
        removed) are at different distances; the others keep their dependencies."""
        if ties and self.n > 2:
            a = np.array([x for x, _ in ties])
            b = np.array([y for _, y in ties])
            hit = (self.levels[a] != self.levels[b]).any(axis=0)
            self._run_sources(np.flatnonzero(hit))

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
        df = pd.DataFrame(
            {"member": self.members, "actor": self.ids, "score": score, "betweenness": btw,
             "_hub": self.hub}
        ).sort_values(
            ["_hub", "score", "betweenness", "actor"],
            ascending=[True, False, False, True],
            kind="mergesort",
        ).reset_index(drop=True)  # fmt: skip
        ranks, _ = tie_ranks(df, df["_hub"])
        members, scores = df["member"].tolist(), df["score"].tolist()  # lists: text columns
        return {
            m: (int(r), float(s)) for m, r, s in zip(members, ranks.tolist(), scores, strict=True)
        }
