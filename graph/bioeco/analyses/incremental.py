"""What-if, incrementally: the figures the what-if reports, updated from what an action touches.

:func:`bioeco.analyses.whatif.whatif` reports, before and after every action, the cross-sector
reach, the coverage cells, the sector pairs, the overlap pairs and the bridge scores. Running
the analyses again on the whole network after every action is exact but slow (seconds per
action at scale 8 of the benchmark, minutes at scale 100). :class:`Tracker` keeps what those
figures are made of and updates only what the action can change; every figure it reports is
the one the full analysis gives on the changed network (``tests/analyses/test_incremental.py``
compares them after every action, on small networks and at scale 8):

* the member–member projection is kept as bit rows (one bit per member) with each member's
  initiatives, so an action changes the rows of the members it links or unlinks only;
* **cross-sector reach** (pairs of actors of disjoint sectors within two steps, through an
  actor): a bit row per actor of the actors within two steps; an added tie a–b adds a's
  neighbours and a to b's row and the reverse, and b (a) to the rows of a's (b's) neighbours;
  a removed tie re-checks exactly those pairs (still tied, or a common actor neighbour);
* **bridge scores** (:func:`~bioeco.analyses.scores.actor_scores`: betweenness and
  cross-sector open two-paths, then the ranks): the cross-sector open two-paths of a member
  change by the ties added or removed at it and by the ties closed or opened between two of
  its neighbours, counted from the bit rows tie by tie; betweenness is the sum of Brandes'
  dependencies of the sources (every member up to ``exact_max_nodes``, else the same seeded
  sample as the analysis). A source's dependencies do not change when every tie the action
  adds or removes joins two members at the same distance from it (such a tie is on no
  shortest path from it, and adding or removing it makes none); only the other sources are
  run again (breadth-first, batched, on the incidence matrix, each pass on the rows it uses),
  the others are kept. The ranks are then taken over all members as the analysis takes
  them;
* **overlap pairs**: only pairs with an initiative whose members or roles changed can change;
  :func:`~bioeco.analyses.overlap.overlap_pairs` gives those pairs (``pairs_with``) from the
  links of those initiatives and the ones sharing a member with them (a pair's figures
  depend on its two initiatives only);
* **coverage cells**: they count nodes by their own sectors and stages, so an action changes
  them only when it adds or removes an initiative classified with a sector or a stage (or,
  with ``as_of``, any membership: who is active then); :func:`~bioeco.analyses.gaps.coverage`
  runs again only then;
* **sector pairs** (:func:`~bioeco.analyses.gaps.structural_gaps`): the observed count of
  initiatives per sector pair and the counts of the permutation test's 999 seeded shuffles
  (the same shuffles, drawn by the same generator) are kept; an action takes each changed
  initiative out of them and puts it back as it is now, and the p-values, the
  Benjamini–Hochberg adjustment and the gaps follow from the counts as in the analysis.

When an action changes who is a member at all (an actor's first or last membership), the
member index, the betweenness sample and the permutation test's shuffles change with it; the
tracker then starts again from the whole network (exact, as slow as before).
"""

from __future__ import annotations

import hashlib
import inspect
import itertools
import json
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse

from bioeco.analyses.gaps import bh_adjust, coverage, p_none, shuffled_counts
from bioeco.analyses.hubs import member_role
from bioeco.analyses.incremental_betweenness import Betweenness
from bioeco.analyses.overlap import comparison_of, overlap_pairs
from bioeco.analyses.project import Network
from bioeco.analyses.valuechain import CoverageCounts
from bioeco.core.vocab import BID

__all__ = [
    "STATE_FILE",
    "Tracker",
    "bit_count",
    "bit_indices",
    "bit_row",
    "read_state",
    "start_state",
    "state_bytes",
]

_ONE = np.uint64(1)


def _pack(rows: np.ndarray, cols: np.ndarray, n_rows: int, n_cols: int) -> np.ndarray:
    """Bit rows (``n_rows`` × words of uint64) with the bits (rows[k], cols[k]) set."""
    words = max(1, (n_cols + 63) // 64)
    out = np.zeros((n_rows, words), dtype=np.uint64)
    if len(rows):
        np.bitwise_or.at(
            out,
            (rows, cols // 64),
            np.left_shift(_ONE, (cols % 64).astype(np.uint64)),
        )
    return out


def bit_row(mask: np.ndarray) -> np.ndarray:
    """One bit row from a boolean vector."""
    words = max(1, (len(mask) + 63) // 64)
    packed = np.zeros(words * 8, dtype=np.uint8)
    bits = np.packbits(np.asarray(mask, dtype=bool), bitorder="little")
    packed[: len(bits)] = bits
    return packed.view(np.uint64)


def bit_indices(row: np.ndarray) -> np.ndarray:
    """The set bits of one bit row, ascending."""
    bits = np.unpackbits(row.view(np.uint8), bitorder="little")
    return np.flatnonzero(bits)


def bit_count(rows: np.ndarray) -> np.ndarray:
    """Set bits per row."""
    return np.bitwise_count(rows).sum(axis=-1, dtype=np.int64)


@dataclass
class Figures:
    """What the what-if compares before and after an action (see :mod:`bioeco.analyses.whatif`)."""

    reach: int
    cells: dict
    pairs: dict
    overlaps: dict
    bridges: dict


def cells_of(table: pd.DataFrame) -> dict[tuple[str, str, str], tuple[int, str]]:
    """Coverage cells → (count, flag)."""
    return {
        (e, s, t): (int(c), str(f))
        for e, s, t, c, f in table[["entity", "sector", "stage", "count", "flag"]].itertuples(False)
    }


def pairs_of(table: pd.DataFrame) -> dict[tuple[str, str], tuple[int, bool]]:
    """Sector pairs → (shared initiatives, structural gap)."""
    if table.empty:
        return {}
    gap = table["gap"].astype(bool)
    return {
        (a, b): (int(o), bool(g))
        for a, b, o, g in zip(
            table["sector_a"], table["sector_b"], table["observed"], gap, strict=True
        )
    }


def overlaps_of(table: pd.DataFrame) -> dict[tuple[str, str], bool]:
    """Initiative pairs (IRIs) → consolidation candidate."""
    if table.empty:
        return {}
    return {
        (f"{BID}{a}", f"{BID}{b}"): bool(c)
        for a, b, c in zip(
            table["initiative_a"], table["initiative_b"], table["consolidation"], strict=True
        )
    }


def bridges_of(table: pd.DataFrame) -> dict[str, tuple[int, float]]:
    """Members (IRIs) → (rank, score) of :func:`~bioeco.analyses.scores.actor_scores`."""
    if table.empty:
        return {}
    return {
        f"{BID}{a}": (int(r), float(s))
        for a, r, s in zip(table["actor"], table["rank"], table["score"], strict=True)
    }


class Tracker(Betweenness):
    """The what-if figures of a network, kept up to date action by action.

    Parameters
    ----------
    net : Network
        The network before the first action (the figures are computed on it once).
    exact_max_nodes, k, seed
        Betweenness as :func:`~bioeco.analyses.scores.actor_scores` computes it (exact up to
        *exact_max_nodes* members, else from *k* sources sampled with *seed*).
    reach_only : bool
        Keep the reach only (the suggestions: :meth:`introduce_gains`, :meth:`introduce`).
    cross : mapping, optional
        Member IRI → cross-sector open two-paths, as ``bridges_actors`` of *net* holds them:
        saves counting them at the start (when it has every member).

    :meth:`update` applies one action, :meth:`figures` gives the figures now.
    """

    def __init__(
        self,
        net: Network,
        *,
        exact_max_nodes: int = 1000,
        k: int = 200,
        seed: int = 42,
        reach_only: bool = False,
        cross: Mapping[str, int] | None = None,
        overlaps: Mapping[tuple[str, str], bool] | None = None,
        state: Mapping[str, Any] | None = None,
    ):
        self.exact_max_nodes, self.k, self.seed = exact_max_nodes, k, seed
        self.reach_only = reach_only
        self._given_cross = cross  # counted already (bridges_actors): for the first start
        self._given_overlaps = overlaps  # found already (overlap_pairs): for the first start
        self._given_state = state  # the start saved by analyze (read_state): the first start
        self.as_of = net.as_of
        self._start(net)

    # -- starting from a whole network -----------------------------------------------------

    def _start(self, net: Network) -> None:
        self.memo: dict[Any, Any] = {}  # what callers derive from the members (reset here)
        self._tallies: CoverageCounts | bool | None = None  # the coverage's, from self.net on
        self.concepts, self.stage_rules, self.basis = net.concepts, net.stage_rules, net.basis
        self.members = list(net.members)
        self.index = {m: i for i, m in enumerate(self.members)}
        n = self.n = len(self.members)
        kinds = [net.attr(m, "kind") for m in self.members]
        self.is_actor = np.array([k == "actor" for k in kinds], dtype=bool)
        self.hub = np.array(
            [
                member_role(k, net.attr(m, "type")) != "actor"
                for m, k in zip(self.members, kinds, strict=True)
            ],
            dtype=bool,
        )
        self.ids = [m[len(str(BID)) :] if m.startswith(str(BID)) else m for m in self.members]
        sectors = [tuple(net.attr(m, "sectors")) for m in self.members]
        types = sorted(set(sectors))
        code = {t: j for j, t in enumerate(types)}
        self.tid = np.array([code[s] for s in sectors], dtype=np.int64)
        sets = [set(t) for t in types]
        disjoint = np.array(
            [[bool(a) and bool(b) and not a & b for b in sets] for a in sets], dtype=bool
        ).reshape(len(types), len(types))
        #: per type: bit row of the members of a type disjoint from it
        self.dmask = np.zeros((len(types), max(1, (n + 63) // 64)), dtype=np.uint64)
        for t in range(len(types)):
            self.dmask[t] = bit_row(disjoint[t][self.tid])
        self.actor_bits = bit_row(self.is_actor)
        # memberships
        self.inits: dict[str, set[int]] = {}
        self.of: list[set[str]] = [set() for _ in range(n)]
        edges = net.edges
        for m, i in zip(edges["member"].tolist(), edges["initiative"].tolist(), strict=True):
            k = self.index[m]
            self.inits.setdefault(i, set()).add(k)
            self.of[k].add(i)
        # adjacency bit rows: every initiative's members are tied to each other
        self.adj = np.zeros((n, max(1, (n + 63) // 64)), dtype=np.uint64)
        mask = np.zeros(n, dtype=bool)
        for members in self.inits.values():
            ms = np.fromiter(members, dtype=np.int64)
            mask[ms] = True
            self.adj[ms] |= bit_row(mask)
            mask[ms] = False
        everyone = np.arange(n)
        self.adj[everyone, everyone // 64] &= ~np.left_shift(
            _ONE, (everyone % 64).astype(np.uint64)
        )
        self._start_reach()
        self.net = net
        if self.reach_only:  # the suggestions: reach and the bit rows only
            return
        given, self._given_state = self._given_state, None
        saved = given if given is not None and self._fits(given) else None
        self._start_bridges(saved)
        if saved is not None and "cells" in saved:  # the coverage analyze computed
            self.cells = saved["cells"]
        else:
            self.cells = cells_of(coverage(net))
        self._start_structural(net, saved=saved)
        given_overlaps, self._given_overlaps = self._given_overlaps, None
        if saved is not None:
            self.overlaps = saved["overlaps"]
        elif given_overlaps is not None:
            self.overlaps = dict(given_overlaps)
        else:
            self.overlaps = overlaps_of(overlap_pairs(net))
        self.net = net

    def _options(self) -> dict[str, Any]:
        return {"exact_max_nodes": self.exact_max_nodes, "k": self.k, "seed": self.seed}

    def _fits(self, saved: Mapping[str, Any]) -> bool:
        """Whether *saved* (:func:`read_state`) is the start of this network with these
        options: same members in the same order, same ``as_of`` and basis, same sample."""
        return (
            saved.get("n") == self.n
            and saved.get("members") == _digest(self.members)
            and saved.get("as_of") == self.as_of
            and saved.get("basis") == self.basis
            and saved.get("options") == self._options()
        )

    def _start_reach(self) -> None:
        """Within two steps through an actor, for the actors: ``near[x]`` has the actors
        tied to x or tied to an actor tied to x (x itself too, harmlessly: a member is never
        of a type disjoint from its own)."""
        act = self.adj & self.actor_bits
        one = act.copy()  # an actor's actor neighbours and itself
        everyone = np.arange(self.n)
        one[everyone, everyone // 64] |= np.left_shift(_ONE, (everyone % 64).astype(np.uint64))
        one[~self.is_actor] = 0
        self.near = np.zeros_like(self.adj)
        for members in self.inits.values():
            ms = np.array(sorted(k for k in members if self.is_actor[k]), dtype=np.int64)
            if len(ms):  # the actors within one step of an actor member, for each of them
                self.near[ms] |= np.bitwise_or.reduce(one[ms], axis=0)
        self.near &= self.actor_bits

    def unit_rows(self, rows: np.ndarray) -> np.ndarray:
        """One bit row per index of *rows*, with that bit set."""
        return _pack(np.arange(len(rows)), np.asarray(rows, dtype=np.int64), len(rows), self.n)

    def introduce_gains(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """For each pair (a[k], b[k]) of actors: the cross-sector pairs that would come within
        two steps if the two shared an initiative (a with b and b's actor neighbours, b with
        a's; the pair a–b counted once)."""
        a, b = np.asarray(a, dtype=np.int64), np.asarray(b, dtype=np.int64)
        act = self.actor_bits
        one_a, one_b = self.unit_rows(a), self.unit_rows(b)
        to_a = ((self.adj[b] & act) | one_b) & ~self.near[a] & self.dmask[self.tid[a]]
        to_b = ((self.adj[a] & act) | one_a) & ~self.near[b] & self.dmask[self.tid[b]]
        twice = (to_a & one_b).any(axis=1)
        return bit_count(to_a) + bit_count(to_b) - twice

    def introduce(self, a: int, b: int) -> None:
        """Record that actors a and b share an initiative from now on (the reach only)."""
        if not self.adj[a][b // 64] & np.left_shift(_ONE, np.uint64(b % 64)):
            self._tie(a, b)

    def reach(self) -> int:
        """Cross-sector reach: pairs of actors of disjoint sectors within two steps."""
        rows = np.flatnonzero(self.is_actor)
        return int(bit_count(self.near[rows] & self.dmask[self.tid[rows]]).sum()) // 2

    # -- bridges ------------------------------------------------------------------------------

    def _start_bridges(self, saved: Mapping[str, Any] | None = None) -> None:
        """The members' cross-sector open two-paths, then betweenness (from *saved*, the
        start analyze saved, when given)."""
        n = self.n
        given, self._given_cross = self._given_cross, None
        if saved is not None:  # what the same start computed when analyze ran
            self.cross = saved["cross"]
            self._start_betweenness(saved)
            return
        if given is not None and all(m in given for m in self.members):
            self.cross = np.array([given[m] for m in self.members], dtype=np.int64)
        else:
            self.cross = np.array([self._cross_at(v) for v in range(n)], dtype=np.int64)
        self._start_betweenness()

    def _cross_at(self, v: int) -> int:
        """Cross-sector open two-paths through v: unordered pairs of untied neighbours of v
        of disjoint types."""
        nb = bit_indices(self.adj[v])
        if len(nb) < 2:
            return 0
        rows = self.adj[v][None, :] & ~self.adj[nb] & self.dmask[self.tid[nb]]
        return int(bit_count(rows).sum()) // 2

    # -- one action ---------------------------------------------------------------------------

    def figures(self) -> Figures:
        return Figures(self.reach(), self.cells, self.pairs, self.overlaps, self.bridges())

    def update(
        self,
        network: Any,
        added: set[tuple[str, str]],
        removed: set[tuple[str, str]],
        changed: set[str],
        nodes: set[str],
        classified: bool,
    ) -> None:
        """Apply one action: *added* and *removed* links (member, initiative), the initiatives
        whose members or roles *changed*, the *nodes* added or removed, whether one of them
        is *classified* (a sector or a stage). ``network(initiatives=None, edges=True)``
        returns the network after it
        (:meth:`bioeco.analyses.whatif_apply.ScenarioState.network`: all of it, the links of
        some initiatives, or the nodes only)."""
        after_of: dict[int, set[str]] = {}
        new = set()
        for m, _i in [*removed, *added]:
            if m not in self.index:
                new.add(m)
                continue
            after_of.setdefault(self.index[m], set(self.of[self.index[m]]))
        for m, i in removed:
            if m in self.index:
                after_of[self.index[m]].discard(i)
        for m, i in added:
            if m in self.index:
                after_of[self.index[m]].add(i)
        if new or any(not found for found in after_of.values()):
            # the member index changes (a first or a last membership): start again
            self._start(network())
            return
        old_of = {}
        for m, _i in [*removed, *added]:
            k = self.index[m]
            old_of.setdefault(k, set(self.of[k]))
        pairs: set[tuple[int, int]] = set()
        before = {i: set(self.inits.get(i, ())) for _m, i in [*added, *removed]}
        for m, i in removed:
            k = self.index[m]
            self.of[k].discard(i)
            self.inits[i].discard(k)
            if not self.inits[i]:
                del self.inits[i]
        for m, i in added:
            k = self.index[m]
            self.of[k].add(i)
            self.inits.setdefault(i, set()).add(k)
        for m, i in [*removed, *added]:
            k = self.index[m]
            for y in before[i] | self.inits.get(i, set()):
                if y != k:
                    pairs.add((min(k, y), max(k, y)))
        ties_added, ties_removed = [], []
        dc_rows, dc_cols, dc_vals = [], [], []
        for x, y in sorted(pairs):
            w0 = len(old_of.get(x, self.of[x]) & old_of.get(y, self.of[y]))
            w1 = len(self.of[x] & self.of[y])
            if (w0 > 0) != (w1 > 0):
                (ties_added if w1 > 0 else ties_removed).append((x, y))
            c0, c1 = max(w0 - 1, 0), max(w1 - 1, 0)
            if c0 != c1:
                dc_rows += [x, y]
                dc_cols += [y, x]
                dc_vals += [c1 - c0, c1 - c0]
        for x, y in ties_removed:
            self._untie(x, y)
        for x, y in ties_added:
            self._tie(x, y)
        self._incidence_update(dc_rows, dc_cols, dc_vals)
        self._rerun(ties_added + ties_removed)
        if self.as_of is not None:
            self.cells = cells_of(coverage(network(edges=True)))
        elif classified:
            self.cells = self._coverage_after(network, nodes)
        if added or removed:
            self._structural_update(before)
        if changed:
            self._overlaps(network, changed)

    # -- coverage cells --------------------------------------------------------------------

    def _coverage_after(self, network: Any, moved: set[str]) -> dict:
        """The coverage cells once the nodes *moved* (added or taken away) are: the start's
        counts (:class:`~bioeco.analyses.valuechain.CoverageCounts` of :attr:`net`) changed
        node by node, or, from a moved node with a code the concepts do not declare on (the
        table's rows or columns could change), the whole network counted again."""
        if self._tallies is not False:
            counts = self._tallies or CoverageCounts(self.net)
            if counts.move(network(initiatives=set(moved), edges=False), moved):
                self._tallies = counts
                return cells_of(counts.table())
            self._tallies = False
        return cells_of(coverage(network(edges=False)))

    # -- sector pairs ---------------------------------------------------------------------

    def _start_structural(
        self,
        net: Network,
        alpha: float = 0.05,
        draws: int = 999,
        seed: int = 42,
        saved: Mapping[str, Any] | None = None,
    ) -> None:
        """The sector pairs as :func:`~bioeco.analyses.gaps.structural_gaps` counts them, and
        what it draws: the same seeded shuffles of the members' sector rows, kept (draws ×
        classified members), with each shuffle's count of initiatives per sector pair, so an
        action changes the counts of the initiatives it changes only."""
        self.pairs: dict = {}
        self.alpha = alpha
        tops = [
            sorted({net.top("sector", c) for c in net.attr(m, "sectors")}) for m in self.members
        ]
        classified = [k for k, t in enumerate(tops) if t]
        self.codes = sorted({c for t in tops for c in t})
        self.slot = np.full(self.n, -1, dtype=np.int64)  # member → row of smat
        self.slot[classified] = np.arange(len(classified))
        pos = {c: j for j, c in enumerate(self.codes)}
        self.smat = np.zeros((len(classified), len(self.codes)), dtype=bool)
        for row, k in enumerate(classified):
            self.smat[row, [pos[c] for c in tops[k]]] = True
        if len(self.codes) < 2 or not self.inits:
            self.perms = None
            return
        total = len(classified)
        self.spairs = np.array(list(itertools.combinations(range(len(self.codes)), 2)))
        a, b = self.spairs[:, 0], self.spairs[:, 1]
        if saved is not None and "null" in saved:  # the same counts, when analyze ran
            self.observed, self.null = saved["observed"], saved["null"]
        else:
            inc = sparse.csr_matrix(self.b[classified].T)  # initiatives × classified members
            present = (inc @ self.smat.astype(float)) > 0
            self.observed = (present[:, a] & present[:, b]).sum(axis=0).astype(np.int64)
            self.null = shuffled_counts(inc, self.smat.astype(np.int8), self.spairs, draws, seed)
        rng = np.random.default_rng(seed)  # the shuffles drawn: the same generator's
        self.perms = np.empty((draws, total), dtype=np.int32)
        for d in range(draws):
            self.perms[d] = rng.permutation(total)
        counted = (self.slot >= 0).tolist()
        self.sizes = {i: sum(counted[k] for k in m) for i, m in self.inits.items()}
        self.pairs = self._structural_pairs()

    def _count_initiative(self, i: str, members: set[int], sign: int) -> None:
        """Add (sign +1) or take away (-1) initiative *i* with *members* from the counts."""
        rows = self.slot[np.fromiter(members, dtype=np.int64)] if members else np.zeros(0)
        rows = rows[rows >= 0].astype(np.int64)
        if sign > 0:
            self.sizes[i] = len(rows)
        if not len(rows):
            return
        a, b = self.spairs[:, 0], self.spairs[:, 1]
        seen = self.smat[rows].any(axis=0)
        self.observed += sign * (seen[a] & seen[b])
        shuffled = self.smat[self.perms[:, rows]].any(axis=1)  # draws × codes
        self.null += sign * (shuffled[:, a] & shuffled[:, b])

    def _structural_update(self, before: dict[str, set[int]]) -> None:
        if self.perms is None:
            return
        for i, members in before.items():
            self._count_initiative(i, members, -1)
            self.sizes.pop(i, None)
        for i in before:
            if i in self.inits:
                self._count_initiative(i, self.inits[i], +1)
        self.pairs = self._structural_pairs()

    def _structural_pairs(self) -> dict[tuple[str, str], tuple[int, bool]]:
        """observed and gap of each sector pair, as :func:`structural_gaps` decides them."""
        sizes = np.array([self.sizes[i] for i in sorted(self.inits)], dtype=int)
        total = len(self.smat)
        k_count = self.smat.sum(axis=0).astype(int)
        draws = len(self.null)
        p_values, short = [], []
        for n_pair, (ia, ic) in enumerate(self.spairs):
            union = int((self.smat[:, ia] | self.smat[:, ic]).sum())
            probs = (
                1 - p_none(total, int(k_count[ia]), sizes) - p_none(total, int(k_count[ic]), sizes)
            )
            probs = np.clip(probs + p_none(total, union, sizes), 0.0, 1.0)
            expected = float(probs.sum())
            observed = int(self.observed[n_pair])
            p_values.append((1 + np.count_nonzero(self.null[:, n_pair] <= observed)) / (1 + draws))
            short.append(observed < expected - 1e-9)
        q = bh_adjust(np.array(p_values))
        return {
            (self.codes[ia], self.codes[ic]): (
                int(self.observed[k]),
                bool(short[k] and q[k] <= self.alpha),
            )
            for k, (ia, ic) in enumerate(self.spairs)
        }

    def _bit(self, rows: np.ndarray | int, col: int, on: bool, target: np.ndarray) -> None:
        mask = np.left_shift(_ONE, np.uint64(col % 64))
        if on:
            target[rows, col // 64] |= mask
        else:
            target[rows, col // 64] &= ~mask

    def _tie(self, u: int, v: int) -> None:
        """Add the tie u–v: cross-sector paths and reach first (from the rows before), then
        the bit rows."""
        adj = self.adj
        if not self.reach_only:
            self._cross_tie(u, v, +1)
        if self.is_actor[u] and self.is_actor[v]:
            act = self.actor_bits
            nu, nv = bit_indices(adj[u] & act), bit_indices(adj[v] & act)
            self.near[u] |= adj[v] & act
            self.near[v] |= adj[u] & act
            self._bit(np.array([u]), v, True, self.near)
            self._bit(np.array([v]), u, True, self.near)
            self._bit(nu, v, True, self.near)
            self._bit(nv, u, True, self.near)
        self._bit(np.array([u]), v, True, adj)
        self._bit(np.array([v]), u, True, adj)

    def _cross_tie(self, u: int, v: int, sign: int) -> None:
        """Change the cross-sector open two-paths by the tie u–v (not in the bit rows): the
        brokers u and v gain (lose) the paths to the other's untied neighbours, the common
        neighbours lose (gain) the path u–c–v, which the tie closes."""
        adj = self.adj
        self.cross[u] += sign * int(bit_count(adj[u] & ~adj[v] & self.dmask[self.tid[v]]))
        self.cross[v] += sign * int(bit_count(adj[v] & ~adj[u] & self.dmask[self.tid[u]]))
        if self._disjoint(u, v):
            self.cross[bit_indices(adj[u] & adj[v])] -= sign

    def _untie(self, u: int, v: int) -> None:
        """Remove the tie u–v (the reverse of :meth:`_tie`)."""
        adj = self.adj
        self._bit(np.array([u]), v, False, adj)
        self._bit(np.array([v]), u, False, adj)
        if not self.reach_only:
            self._cross_tie(u, v, -1)
        if self.is_actor[u] and self.is_actor[v]:
            act = self.actor_bits
            for a, others in (
                (u, np.union1d(bit_indices(adj[v] & act), [v])),
                (v, bit_indices(adj[u] & act)),
            ):
                others = others[others != a]
                if not len(others):
                    continue
                # still within two steps: tied, or an actor neighbour in common
                rows = adj[others]
                bit_a = np.left_shift(_ONE, np.uint64(a % 64))
                still = ((rows & act & adj[a]).any(axis=1)) | (rows[:, a // 64] & bit_a > 0)
                kept, dropped = others[still], others[~still]
                # a's row: the kept bits set, the others cleared; their rows: a's bit likewise
                self.near[a] |= bit_row(np.isin(np.arange(self.n), kept))
                self.near[a] &= ~bit_row(np.isin(np.arange(self.n), dropped))
                self.near[kept, a // 64] |= bit_a
                self.near[dropped, a // 64] &= ~bit_a

    def _disjoint(self, u: int, v: int) -> bool:
        return bool(self.dmask[self.tid[u]][v // 64] & np.left_shift(_ONE, np.uint64(v % 64)))

    def _overlaps(self, network: Any, changed: set[str]) -> None:
        """The overlap pairs with a changed initiative, from the network of those initiatives
        and the ones sharing enough members with them to be a pair."""
        # the pairs of each initiative, kept with the pairs (a copy of the pairs is changed:
        # the figures given out before keep theirs)
        index = self.__dict__.get("_pairs_of")
        if index is None or self.__dict__.get("_pairs_indexed") is not self.overlaps:
            index = {}
            for pair in self.overlaps:
                index.setdefault(pair[0], set()).add(pair)
                index.setdefault(pair[1], set()).add(pair)
        keep = dict(self.overlaps)
        for i in changed:
            for pair in index.pop(i, ()):
                keep.pop(pair, None)
                index.get(pair[1] if pair[0] == i else pair[0], set()).discard(pair)
        # only initiatives of the comparison overlap_pairs makes (its default kind) make
        # pairs: the changed ones' types from the network of their links (new ones too)
        defaults = inspect.signature(overlap_pairs).parameters
        least, kind = defaults["min_shared"].default, defaults["kind"].default
        names = self.members

        def held(initiatives: set[str]) -> dict[str, list[str]]:
            return {i: [names[k] for k in self.inits[i]] for i in initiatives if i in self.inits}

        def compared(t: Any) -> bool:
            return kind == "all" or comparison_of(t) == kind

        own = network(initiatives=set(changed), members=held(set(changed)))
        asked = {i for i in changed if i in own.nodes.index and compared(own.attr(i, "type"))}
        # a partner shares at least min_shared members with a changed initiative (links of
        # any role counted: a superset of the members overlap_pairs counts) and is of the
        # comparison (a partner the start did not have — a new one — is kept to be judged)
        known = self.net.nodes.index
        related = set(asked)
        for i in asked:
            shared = Counter(j for k in self.inits.get(i, ()) for j in self.of[k])
            related |= {
                j
                for j, n in shared.items()
                if n >= least and (j not in known or compared(self.net.attr(j, "type")))
            }
        if asked:
            table = overlap_pairs(
                network(initiatives=related, members=held(related)), pairs_with=asked
            )
            for pair, flag in overlaps_of(table).items():
                if pair[0] in asked or pair[1] in asked:
                    keep[pair] = flag
                    index.setdefault(pair[0], set()).add(pair)
                    index.setdefault(pair[1], set()).add(pair)
        self.overlaps = keep
        self._pairs_of, self._pairs_indexed = index, keep


# -- the start, saved by analyze -------------------------------------------------------------

STATE_FILE = "whatif_state.bin"
"""Name of the tracker's saved start in ``<out>/analysis/`` (written by ``bioeco analyze``)."""

_STATE_FORMAT = 3  # 2: with C (the multiple ties) and the coverage cells; 3: path counts


def _digest(members: list[str]) -> str:
    return hashlib.sha256("\n".join(members).encode("utf-8")).hexdigest()


def state_bytes(tracker: Tracker, graph: str | None = None) -> bytes:
    """What :class:`Tracker` computes to start (betweenness dependencies and distances of its
    sources, the members' cross-sector two-paths, C — the ties of two or more shared
    initiatives, as stored — the coverage cells, the structural test's counts, the overlap
    pairs) as bytes: a JSON header line, then the arrays, little-endian. The same network
    and options give the same bytes. *graph* is the key of the graph the network was read
    from (``bioeco.pipeline.graph_key``)."""
    if tracker.reach_only:
        raise ValueError("a reach-only tracker keeps no start to save")
    pairs = sorted(tracker.overlaps.items())
    names = sorted({i for (a, b), _c in pairs for i in (a, b)})
    pos = {name: k for k, name in enumerate(names)}
    arrays = {
        "cross": np.asarray(tracker.cross, dtype="<i8"),
        "sources": np.asarray(tracker.sources, dtype="<i8"),
        "levels": np.asarray(tracker.levels, dtype="<i2"),
        "delta": np.asarray(tracker.delta, dtype="<f8"),
        "sigma": np.asarray(tracker.sigma, dtype="<f8"),
        "overlap_a": np.array([pos[a] for (a, _b), _c in pairs], dtype="<i4"),
        "overlap_b": np.array([pos[b] for (_a, b), _c in pairs], dtype="<i4"),
        "overlap_flag": np.array([c for _p, c in pairs], dtype="u1"),
        # C as the tracker stores it (the order of each row's entries kept: the same sums)
        "c_indptr": np.asarray(tracker.c.indptr, dtype="<i8"),
        "c_indices": np.asarray(tracker.c.indices, dtype="<i4"),
        "c_data": np.asarray(np.rint(tracker.c.data), dtype="<i4"),
    }
    if getattr(tracker, "perms", None) is not None:
        arrays["observed"] = np.asarray(tracker.observed, dtype="<i8")
        arrays["null"] = np.asarray(tracker.null, dtype="<i8")
    header = {
        "format": _STATE_FORMAT,
        "graph": graph,
        "as_of": tracker.as_of,
        "basis": tracker.basis,
        "options": tracker._options(),
        "n": tracker.n,
        "members": _digest(tracker.members),
        "sampled": bool(tracker.sampled),
        "overlap_names": names,
        "cells": [[*key, count, flag] for key, (count, flag) in sorted(tracker.cells.items())],
        "arrays": [[k, a.dtype.str, list(a.shape)] for k, a in arrays.items()],
    }
    head = json.dumps(header, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return b"".join(
        [head.encode("utf-8"), b"\n", *(np.ascontiguousarray(a).tobytes() for a in arrays.values())]
    )


def read_state(raw: bytes) -> dict[str, Any]:
    """The start of :func:`state_bytes` (for ``Tracker(state=…)``): the header's fields, the
    arrays (writable) and ``overlaps``; ``ValueError`` when *raw* is not such a start."""
    end = raw.find(b"\n")
    if end < 0:
        raise ValueError("not a saved what-if start")
    header = json.loads(raw[:end].decode("utf-8"))
    if not isinstance(header, dict) or header.get("format") != _STATE_FORMAT:
        raise ValueError("not a saved what-if start of this version")
    body = bytearray(raw[end + 1 :])
    out: dict[str, Any] = {
        k: v for k, v in header.items() if k not in ("arrays", "overlap_names", "cells")
    }
    at = 0
    for name, dtype, shape in header["arrays"]:
        dt = np.dtype(dtype)
        size = int(np.prod(shape, dtype=np.int64)) * dt.itemsize
        if at + size > len(body):
            raise ValueError("a saved what-if start cut short")
        out[name] = (
            np.frombuffer(body, dtype=dt, count=size // dt.itemsize, offset=at)
            .reshape(shape)
            .astype(dt.newbyteorder("="), copy=False)
        )
        at += size
    if at != len(body):
        raise ValueError("a saved what-if start with bytes left over")
    names = header["overlap_names"]
    out["overlaps"] = {
        (names[a], names[b]): bool(c)
        for a, b, c in zip(
            out.pop("overlap_a").tolist(),
            out.pop("overlap_b").tolist(),
            out.pop("overlap_flag").tolist(),
            strict=True,
        )
    }
    n = header["n"]
    indptr, indices = out.pop("c_indptr"), out.pop("c_indices")
    if len(indptr) != n + 1 or indptr[-1] != len(indices) or (len(indices) and indices.max() >= n):
        raise ValueError("a saved what-if start with a broken matrix")
    out["c"] = sparse.csr_matrix(
        (out.pop("c_data").astype(float), indices.astype(np.int32), indptr), shape=(n, n)
    )
    out["cells"] = {(e, s, t): (int(c), str(f)) for e, s, t, c, f in header["cells"]}
    out["cross"] = out["cross"].astype(np.int64, copy=False)
    out["sources"] = out["sources"].astype(np.int64, copy=False)
    return out


def start_state(
    net: Network,
    graph: str | None = None,
    cross: Mapping[str, int] | None = None,
    overlaps: Mapping[tuple[str, str], bool] | None = None,
) -> bytes:
    """The saved start (:func:`state_bytes`) of the tracker :func:`bioeco.analyses.whatif.whatif`
    starts on *net*: ``bioeco analyze`` writes it next to the network file, handing over the
    members' cross-sector two-paths (*cross*) and the overlap pairs (*overlaps*,
    :func:`overlaps_of`) its analyses found on the same network, when they did."""
    return state_bytes(Tracker(net, cross=cross, overlaps=overlaps), graph)
