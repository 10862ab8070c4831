"""What-if: apply planned actions to the network and say what each would change, and suggest some.

A scenario (``bioeco.ingest.load.read_scenario``: one action a row) is applied to the analysable
network (:class:`~bioeco.analyses.project.Network`), never to ``data/`` or the graph's source
graphs: its facts are a separate layer (``rule`` ``scenario`` on the links it adds). Before and
after each action the same analyses run as ``bioeco analyze`` runs them, and the differences are
reported in plain words. These are effects on the network model, not predictions of outcomes.

The scenario is applied by :mod:`bioeco.analyses.whatif_apply` and the suggestions are ranked
by :mod:`bioeco.analyses.whatif_suggest`; their public names are kept here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from rdflib import Dataset, Graph
from scipy import sparse

from bioeco.analyses.gaps import coverage, structural_gaps
from bioeco.analyses.incremental import (
    Figures,
    Tracker,
    bridges_of,
    cells_of,
    overlaps_of,
    pairs_of,
)
from bioeco.analyses.overlap import overlap_pairs
from bioeco.analyses.project import Network, as_network
from bioeco.analyses.valuechain import flag_words
from bioeco.analyses.whatif_apply import HONESTY, ScenarioState, apply_action, apply_scenario
from bioeco.analyses.whatif_suggest import suggest_actions
from bioeco.errors import UsageError
from bioeco.ingest.load import ScenarioAction, read_scenario

__all__ = [
    "CHANGE_COLUMNS",
    "HONESTY",
    "STEP_COLUMNS",
    "apply_action",
    "apply_scenario",
    "cross_sector_reach",
    "suggest_actions",
    "whatif",
]

STEP_COLUMNS = ["step", "action", "description", "reach_before", "reach_after", "explanation"]
"""Columns of ``whatif_steps``: one row per action, then step 0 for the whole scenario."""

CHANGE_COLUMNS = ["step", "measure", "subject", "before", "after", "explanation"]
"""Columns of ``whatif_changes``: what one action (or, step 0, the whole scenario) changes."""


def cross_sector_reach(net: Network) -> int:
    """Pairs of actors of different sectors (no sector in common, both classified) that share
    an initiative or have a co-member in common: within two steps of each other.

    Examples
    --------
    >>> from bioeco.analyses._fixture import chain_graph
    >>> chain = chain_graph()  # a, b (marine) — c, d (health) in a chain of three projects
    >>> from bioeco.analyses.project import load_network
    >>> cross_sector_reach(load_network(chain))  # a–c, b–c, b–d; a and d are three steps apart
    3
    """
    reach, _ = _reach_matrix(net)
    return int(reach.nnz // 2)


def _reach_matrix(net: Network) -> tuple[sparse.csr_matrix, list[str]]:
    """The upper and lower halves of the cross-sector within-two-steps relation of actors."""
    kinds = net.nodes["kind"]
    actors = [m for m in net.members if kinds.get(m) == "actor"]
    if not actors:
        return sparse.csr_matrix((0, 0)), []
    index = {m: k for k, m in enumerate(net.members)}
    rows = np.array([index[a] for a in actors], dtype=np.int64)
    b = net.incidence[rows]
    adj = (b @ b.T).astype(bool).astype(np.int32)  # co-members
    two = (adj @ adj).astype(bool).astype(np.int32)
    near = ((adj + two) > 0).astype(np.int8).tolil()
    near.setdiag(0)
    near = near.tocsr()
    near.eliminate_zeros()
    sectors = [set(net.attr(a, "sectors")) for a in actors]
    coo = near.tocoo()
    keep = np.array(
        [
            bool(sectors[i]) and bool(sectors[j]) and not sectors[i] & sectors[j]
            for i, j in zip(coo.row, coo.col, strict=True)
        ],
        dtype=bool,
    )
    out = sparse.csr_matrix(
        (np.ones(int(keep.sum()), dtype=np.int8), (coo.row[keep], coo.col[keep])),
        shape=near.shape,
    )
    return out, actors


class _Snapshot:
    """The figures of a whole network, every analysis run on it (the reference the incremental
    :class:`~bioeco.analyses.incremental.Tracker` is tested against)."""

    @staticmethod
    def of(net: Network) -> Figures:
        from bioeco.analyses.bridges import actor_scores

        return Figures(
            cross_sector_reach(net),
            cells_of(coverage(net)),
            pairs_of(structural_gaps(net)),
            overlaps_of(overlap_pairs(net)),
            bridges_of(actor_scores(net)),
        )


def _differing(before: dict, after: dict) -> list:
    """The keys whose value differs (or that only one of the two has), sorted."""
    if before is after:
        return []
    return sorted({key for key, _value in before.items() ^ after.items()})


def _fmt(value: float) -> str:
    return f"{value:.3f}".rstrip("0").rstrip(".") if value != int(value) else str(int(value))


def _changes(step: int, before: Figures, after: Figures, touched: set[str], label) -> list[dict]:
    rows: list[dict] = []
    if after.reach != before.reach:
        diff = after.reach - before.reach
        rows.append(
            {
                "step": step,
                "measure": "cross-sector reach",
                "subject": "all actors",
                "before": str(before.reach),
                "after": str(after.reach),
                "explanation": "pairs of actors of different sectors within two steps of each "
                f"other: {before.reach} → {after.reach} ({diff:+d})",
            }
        )
    for key in _differing(before.cells, after.cells):
        (c0, f0), (c1, f1) = before.cells.get(key, (0, "ok")), after.cells.get(key, (0, "ok"))
        if (c0, f0) == (c1, f1):
            continue
        entity, sector, stage = key
        if c0 == 0 and c1 > 0:
            what = f"filled: {c1} {entity} in {sector} at stage {stage} (was none)"
        elif c1 == 0 and c0 > 0:
            what = f"emptied: no {entity} left in {sector} at stage {stage} (was {c0})"
        else:
            what = f"{entity} in {sector} at stage {stage}: {c0} → {c1}"
        if f0 != f1:
            what += f"; flag {flag_words(f0)} → {flag_words(f1)}"
        rows.append(
            {
                "step": step,
                "measure": "coverage",
                "subject": f"{entity}: {sector} × {stage}",
                "before": f"{c0} ({f0})",
                "after": f"{c1} ({f1})",
                "explanation": what,
            }
        )
    for key in _differing(before.pairs, after.pairs):
        (o0, g0), (o1, g1) = before.pairs.get(key, (0, False)), after.pairs.get(key, (0, False))
        if (o0, g0) == (o1, g1):
            continue
        a, b = key
        what = f"{a} and {b} meet in {o0} → {o1} initiatives"
        if g0 and not g1:
            what += "; no longer a significant structural gap"
        elif g1 and not g0:
            what += "; now a significant structural gap"
        rows.append(
            {
                "step": step,
                "measure": "sector pair",
                "subject": f"{a} × {b}",
                "before": str(o0),
                "after": str(o1),
                "explanation": what,
            }
        )
    for key in _differing(before.overlaps, after.overlaps):
        if before.overlaps.get(key) == after.overlaps.get(key):
            continue
        a, b = (label(x) for x in key)
        if key not in before.overlaps:
            what = f"new overlap: {a} and {b} would share members"
        elif key not in after.overlaps:
            what = f"overlap removed: {a} and {b}"
        else:
            now = "now" if after.overlaps[key] else "no longer"
            what = f"{a} and {b}: {now} a consolidation candidate"
        rows.append(
            {
                "step": step,
                "measure": "overlap",
                "subject": f"{a} × {b}",
                "before": _flag(before.overlaps.get(key)),
                "after": _flag(after.overlaps.get(key)),
                "explanation": what,
            }
        )
    for actor in sorted(t for t in touched if t in before.bridges or t in after.bridges):
        r0, s0 = before.bridges.get(actor, (0, 0.0))
        r1, s1 = after.bridges.get(actor, (0, 0.0))
        if (r0, s0) == (r1, s1):
            continue
        rank0 = f"rank {r0}" if r0 else "not ranked"
        rank1 = f"rank {r1}" if r1 else "not ranked"
        rows.append(
            {
                "step": step,
                "measure": "bridge score",
                "subject": label(actor),
                "before": f"{_fmt(s0)} ({rank0})",
                "after": f"{_fmt(s1)} ({rank1})",
                "explanation": f"{label(actor)}: bridge score {_fmt(s0)} → {_fmt(s1)}, "
                f"{rank0} → {rank1}",
            }
        )
    return rows


def _flag(value: bool | None) -> str:
    return "none" if value is None else ("consolidation candidate" if value else "overlap")


def _network(source: Graph | Dataset | Network, as_of: int | None, basis: str) -> Network:
    return as_network(source, as_of=as_of, basis=basis)


def whatif(
    source: Graph | Dataset | Network,
    scenario: Path | str | Sequence[ScenarioAction],
    *,
    as_of: int | None = None,
    basis: str = "all",
    cross: Mapping[str, int] | None = None,
    start: Mapping[str, Any] | None = None,
) -> dict[str, pd.DataFrame]:
    """Apply the actions of *scenario* one after the other; say what each and all change.

    *scenario* is a scenario CSV (:func:`bioeco.ingest.load.read_scenario`) or its actions.
    Each action is checked against the network (unknown ids, a member invited twice, a
    membership that does not exist …: :class:`~bioeco.errors.DataError` naming file, row and
    field) before anything is computed; nothing is written anywhere. *cross*, the
    cross-sector open two-paths of every member as ``bridges_actors`` of this network holds
    them (IRI → count), saves counting them (the rest is computed); *start*, the start
    ``bioeco analyze`` saved (:func:`bioeco.analyses.incremental.read_state`), saves computing
    the start when it is of this network (else it is computed).

    Returns ``whatif_steps`` (:data:`STEP_COLUMNS`: per action, then step 0 for the whole
    scenario, with the cross-sector reach before and after) and ``whatif_changes``
    (:data:`CHANGE_COLUMNS`: coverage cells, sector pairs, overlap pairs and the bridge scores
    of the actors each action touches, before → after, in words). Both frames carry
    :data:`HONESTY` in ``attrs["note"]``.

    Examples
    --------
    >>> from bioeco.analyses._fixture import chain_graph
    >>> chain = chain_graph()  # a, b (marine) — c, d (health) in a chain of three projects
    >>> from bioeco.ingest.load import ScenarioAction
    >>> plan = [ScenarioAction("introduce", actor="a", other="d", year="2024")]
    >>> out = whatif(chain, plan)
    >>> out["whatif_steps"][["step", "reach_before", "reach_after"]].values.tolist()
    [[1, 3, 4], [0, 3, 4]]
    """
    actions = read_scenario(scenario) if isinstance(scenario, str | Path) else list(scenario)
    if not actions:
        raise UsageError("the scenario has no actions")
    net = _network(source, as_of, basis)
    initial = ScenarioState.of(net)
    state = initial.copy()
    plans = []
    for action in actions:  # check every row before computing anything
        plans.append(apply_action(state, action))
    state = initial
    tracker = Tracker(net, cross=cross, state=start)
    first = previous = tracker.figures()
    steps, changes = [], []
    touched_all: set[str] = set()
    for k, action in enumerate(actions, start=1):
        links, nodes = set(state.links), dict(state.nodes)
        description, touched = apply_action(state, action)
        _update(tracker, state, links, nodes, touched)
        touched_all |= touched
        current = tracker.figures()
        rows = _changes(k, previous, current, touched, state.label)
        changes += rows
        steps.append(_step(k, action.action, description, previous, current, rows))
        previous = current
    rows = _changes(0, first, previous, touched_all, state.label)
    changes += rows
    steps.append(_step(0, "scenario", f"all {len(actions)} actions", first, previous, rows))
    out = {
        "whatif_steps": pd.DataFrame(steps, columns=STEP_COLUMNS),
        "whatif_changes": pd.DataFrame(changes, columns=CHANGE_COLUMNS),
    }
    for frame in out.values():
        frame.attrs["note"] = HONESTY
    return out


def _update(
    tracker: Tracker,
    state: ScenarioState,
    links: set[tuple[str, str]],
    nodes: dict[str, dict[str, Any]],
    touched: set[str],
) -> None:
    """Tell *tracker* what one action changed: the links before were *links*, the nodes
    *nodes*; *touched* are the nodes the action names."""
    now = set(state.links)
    added, removed = now - links, links - now
    moved = set(nodes) ^ set(state.nodes)
    rows = [nodes.get(i) or state.nodes.get(i) or {} for i in moved]
    classified = any(row.get("sectors") or row.get("stages") for row in rows)
    changed = {i for _m, i in added | removed}
    changed |= {
        i
        for i in touched | moved
        if (nodes.get(i) or state.nodes.get(i) or {}).get("kind") == "initiative"
    }
    tracker.update(state.network, added, removed, changed, moved, classified)


def _step(
    k: int, action: str, description: str, before: Figures, after: Figures, rows: list
) -> dict:
    counts: dict[str, int] = {}
    for row in rows:
        counts[row["measure"]] = counts.get(row["measure"], 0) + 1
    parts = [f"{n} {m} change{'s' if n != 1 else ''}" for m, n in sorted(counts.items())]
    gain = after.reach - before.reach
    text = (
        f"{description[0].upper()}{description[1:]}: cross-sector reach {before.reach} → "
        f"{after.reach} ({gain:+d})"
        + (f"; {', '.join(parts)}" if parts else "; nothing else changes")
        + ". Effect on the network model, not a prediction."
    )
    return {
        "step": k,
        "action": action,
        "description": description,
        "reach_before": before.reach,
        "reach_after": after.reach,
        "explanation": text,
    }
