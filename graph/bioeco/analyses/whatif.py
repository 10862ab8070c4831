"""What-if: apply planned actions to the network and say what each would change, and suggest some.

A scenario (``bioeco.ingest.load.read_scenario``: one action a row) is applied to the analysable
network (:class:`~bioeco.analyses.project.Network`), never to ``data/`` or the graph's source
graphs: its facts are a separate layer (``rule`` ``scenario`` on the links it adds). Before and
after each action the same analyses run as ``bioeco analyze`` runs them, and the differences are
reported in plain words. These are effects on the network model, not predictions of outcomes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from rdflib import Dataset, Graph
from scipy import sparse

from bioeco.analyses.ended import ended_text
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
from bioeco.analyses.project import Network, as_network, entity_id
from bioeco.analyses.valuechain import flag_words
from bioeco.core.vocab import BID
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

HONESTY = (
    "These are effects on the network model (who would share an initiative with whom), "
    "not predictions of what the actions would achieve."
)
"""Said by every what-if output."""

STEP_COLUMNS = ["step", "action", "description", "reach_before", "reach_after", "explanation"]
"""Columns of ``whatif_steps``: one row per action, then step 0 for the whole scenario."""

CHANGE_COLUMNS = ["step", "measure", "subject", "before", "after", "explanation"]
"""Columns of ``whatif_changes``: what one action (or, step 0, the whole scenario) changes."""

_DEFAULT_ROLE = {"invite": "partner", "introduce": "participant", "start": "partner"}
_ORGANISER = "organiser"


_NODE_COLUMNS = [
    "id", "label", "kind", "type", "sectors", "stages", "regions", "start", "end", "part_of",
]  # fmt: skip


def _frame(columns: dict[str, list]) -> pd.DataFrame:
    """A frame of *columns*, the values of each typed as in a frame of rows (object columns
    stay object, numbers with missing values float)."""
    return pd.DataFrame(
        {
            name: pd.Series(values, dtype=object).infer_objects()
            if values
            else pd.Series([], dtype=object)
            for name, values in columns.items()
        }
    )


def _iri(kind: str, ident: str) -> str:
    return f"{BID}{kind}/{ident}"


@dataclass
class _State:
    """A network being changed: node rows and (member, initiative) → roles."""

    nodes: dict[str, dict[str, Any]]
    links: dict[tuple[str, str], set[str]]
    rules: dict[tuple[str, str], str]
    concepts: pd.DataFrame
    as_of: int | None
    basis: str
    stage_rules: pd.DataFrame | None = None
    ended: pd.DataFrame | None = None

    @classmethod
    def of(cls, net: Network) -> _State:
        # from the columns as lists: a dict per row of the frame, without to_dict's per-value
        # boxing or iterating text columns value by value
        columns = list(net.nodes.columns)
        values = zip(*(net.nodes[c].tolist() for c in columns), strict=True)
        nodes = {
            iri: dict(zip(columns, row, strict=True))
            for iri, row in zip(net.nodes.index.tolist(), values, strict=True)
        }
        links = {}
        rules = {}
        edges = net.edges
        for m, i, roles, rule in zip(
            *(edges[c].tolist() for c in ("member", "initiative", "roles", "rule")), strict=True
        ):
            links[(m, i)] = set(roles)
            rules[(m, i)] = rule
        return cls(
            nodes, links, rules, net.concepts, net.as_of, net.basis, net.stage_rules, net.ended
        )

    def copy(self) -> _State:
        """A copy to change: its node rows and links are its own (the frames are shared)."""
        return _State(
            {iri: dict(row) for iri, row in self.nodes.items()},
            {link: set(roles) for link, roles in self.links.items()},
            dict(self.rules),
            self.concepts,
            self.as_of,
            self.basis,
            self.stage_rules,
            self.ended,
        )

    def network(self, initiatives: set[str] | None = None, edges: bool = True) -> Network:
        """The network now; with *initiatives*, only their links and the nodes of those
        links (what a pair of initiatives is judged on); without *edges*, every node and no
        link (what the coverage counts, without ``as_of``)."""
        if not edges:
            links = []
        elif initiatives is None:
            links = sorted(self.links.items())
        else:
            links = sorted(((m, i), r) for (m, i), r in self.links.items() if i in initiatives)
        if initiatives is not None:
            keep = set(initiatives) | {m for (m, _i), _r in links}
            nodes = sorted((iri, row) for iri, row in self.nodes.items() if iri in keep)
        else:
            nodes = sorted(self.nodes.items())
        return self._frames(nodes, links)

    def _frames(self, nodes: list, links: list) -> Network:
        # built column by column (the frames of rows of dicts, without a dict per row)
        node_frame = _frame(
            {
                "iri": [iri for iri, _row in nodes],
                **{c: [row.get(c, np.nan) for _iri, row in nodes] for c in _NODE_COLUMNS},
            }
        ).set_index("iri")
        edge_frame = _frame(
            {
                "member": [m for (m, _i), _r in links],
                "initiative": [i for (_m, i), _r in links],
                "roles": [tuple(sorted(r)) for _p, r in links],
                "rule": [self.rules[p] for p, _r in links],
            }
        )
        return Network(
            node_frame,
            edge_frame,
            self.concepts,
            as_of=self.as_of,
            basis=self.basis,
            stage_rules=self.stage_rules,
            ended=self.ended,
        )

    def label(self, iri: str) -> str:
        row = self.nodes.get(iri)
        return str(row["label"]) if row and row.get("label") else entity_id(iri)

    def ended_as(self, iri: str) -> str | None:
        """What ended *iri* in words (a recorded merger or renaming), or None."""
        if self.ended is None:
            return None
        found = self.ended[self.ended["organisation"].eq(iri)]
        if found.empty:
            return None
        return ended_text(found.iloc[0].to_dict(), self.label)


def _need(action: ScenarioAction, *fields: str) -> None:
    for name in fields:
        if not getattr(action, name):
            raise action.origin.error(f"is empty but the action '{action.action}' needs it", name)


def _actor(
    state: _State, action: ScenarioAction, field_name: str, ident: str, joins: bool = False
) -> str:
    iri = _iri("actor", ident)
    if state.nodes.get(iri, {}).get("kind") != "actor":
        raise action.origin.error(f"unknown actor {ident!r} (not in the graph)", field_name)
    if joins:
        _not_ended(state, action, field_name, ident, iri)
    return iri


def _initiative(
    state: _State, action: ScenarioAction, field_name: str, ident: str, joins: bool = False
) -> str:
    iri = _iri("initiative", ident)
    if state.nodes.get(iri, {}).get("kind") != "initiative":
        raise action.origin.error(f"unknown initiative {ident!r} (not in the graph)", field_name)
    if joins:
        _not_ended(state, action, field_name, ident, iri)
    return iri


def _not_ended(
    state: _State, action: ScenarioAction, field_name: str, ident: str, iri: str
) -> None:
    """Refuse an action that would add a link to an organisation a change event ended."""
    how = state.ended_as(iri)
    if how is not None:
        raise action.origin.error(
            f"{ident!r} has ended: {how}; plan the action with what it became", field_name
        )


def _new_initiative(
    state: _State, action: ScenarioAction, ident: str, label: str, kind: str
) -> str:
    iri = _iri("initiative", ident)
    if iri in state.nodes:
        raise action.origin.error(f"initiative {ident!r} exists already", "initiative")
    state.nodes[iri] = {
        "id": entity_id(iri),
        "label": label,
        "kind": "initiative",
        "type": kind,
        "sectors": tuple(sorted(action.sectors)),
        "stages": tuple(sorted(action.stages)),
        "regions": (action.region,) if action.region else (),
        "start": int(action.year) if action.year else None,
        "end": None,
        "part_of": (),
    }
    return iri


def _link(state: _State, member: str, initiative: str, role: str) -> None:
    state.links.setdefault((member, initiative), set()).add(role)
    state.rules.setdefault((member, initiative), "scenario")


def apply_action(state: _State, action: ScenarioAction) -> tuple[str, set[str]]:
    """Change *state* by one action; return its description in words and the touched nodes."""
    kind = action.action
    role = action.role or _DEFAULT_ROLE.get(kind, "partner")
    if kind == "invite":
        _need(action, "actor", "initiative")
        actor = _actor(state, action, "actor", action.actor, joins=True)
        init = _initiative(state, action, "initiative", action.initiative, joins=True)
        if (actor, init) in state.links:
            raise action.origin.error(
                f"{state.label(actor)} is already a member of {state.label(init)}", "actor"
            )
        _link(state, actor, init, role)
        return f"invite {state.label(actor)} into {state.label(init)} as {role}", {actor, init}
    if kind == "introduce":
        _need(action, "actor", "other")
        a = _actor(state, action, "actor", action.actor, joins=True)
        b = _actor(state, action, "other", action.other, joins=True)
        if a == b:
            raise action.origin.error("an actor cannot be introduced to itself", "other")
        ident = action.initiative or f"meeting-{action.actor}-{action.other}"
        label = action.label or f"Meeting of {state.label(a)} and {state.label(b)}"
        init = _new_initiative(state, action, ident, label, action.type or "event")
        _link(state, a, init, role)
        _link(state, b, init, role)
        return f"introduce {state.label(a)} and {state.label(b)} ({label})", {a, b, init}
    if kind == "start":
        _need(action, "initiative", "label", "type", "members")
        members = [_actor(state, action, "members", m, joins=True) for m in action.members]
        if len(set(members)) != len(members):
            raise action.origin.error("an actor is listed twice", "members")
        init = _new_initiative(state, action, action.initiative, action.label, action.type)
        for k, member in enumerate(members):
            _link(state, member, init, _ORGANISER if k == 0 else role)
        names = ", ".join(state.label(m) for m in members)
        return f"start {action.label} with {names}", {init, *members}
    if kind == "merge":
        _need(action, "initiative", "into")
        gone = _initiative(state, action, "initiative", action.initiative)
        kept = _initiative(state, action, "into", action.into, joins=True)
        if gone == kept:
            raise action.origin.error("an initiative cannot be merged into itself", "into")
        moved = [(m, i) for (m, i) in state.links if i == gone]
        for m, i in moved:
            roles = state.links.pop((m, i))
            rule = state.rules.pop((m, i))
            if m != kept:
                state.links.setdefault((m, kept), set()).update(roles)
                state.rules.setdefault((m, kept), rule)
        for key in [k for k in state.links if k[0] == gone]:  # the merged one as a member
            state.links.pop(key)
            state.rules.pop(key)
        del state.nodes[gone]
        touched = {kept, *(m for m, _ in moved)}
        return f"merge {action.initiative} into {state.label(kept)}", touched
    # end
    _need(action, "actor", "initiative")
    actor = _actor(state, action, "actor", action.actor)
    init = _initiative(state, action, "initiative", action.initiative)
    if (actor, init) not in state.links:
        raise action.origin.error(
            f"{state.label(actor)} is not a member of {state.label(init)}", "actor"
        )
    del state.links[(actor, init)]
    state.rules.pop((actor, init))
    return f"end {state.label(actor)}'s membership of {state.label(init)}", {actor, init}


def apply_scenario(
    source: Graph | Dataset | Network,
    scenario: Path | str | Sequence[ScenarioAction],
    *,
    as_of: int | None = None,
    basis: str = "all",
) -> Network:
    """The network after every action of *scenario*: any analysis can read it.

    The links the scenario adds carry the rule ``scenario`` (``edges["rule"]``); the graph and
    ``data/`` are not touched.

    Examples
    --------
    >>> from bioeco.analyses._fixture import example_graph
    >>> from bioeco.ingest.load import ScenarioAction
    >>> after = apply_scenario(example_graph(), [ScenarioAction("end", actor="nofima",
    ...                                                         initiative="north")])
    >>> len(after.edges), sorted(set(after.edges["rule"]))
    (11, ['all'])
    """
    actions = read_scenario(scenario) if isinstance(scenario, str | Path) else list(scenario)
    state = _State.of(_network(source, as_of, basis))
    for action in actions:
        apply_action(state, action)
    return state.network()


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
    initial = _State.of(net)
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
    state: _State,
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


def suggest_actions(
    source: Graph | Dataset | Network,
    n: int = 10,
    *,
    goal: str = "both",
    as_of: int | None = None,
    region: str | None = None,
    basis: str = "all",
    candidates: int = 1000,
    pairs: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Rank candidate actions by what they would add, greedily (each next one given those before).

    Candidates: introductions of the pairs :func:`~bioeco.analyses.bridges.pair_suggestions`
    proposes (goal ``bridges``: gain = new pairs of actors of different sectors within two
    steps, recomputed after each chosen action), and for goal ``coverage`` a new initiative for
    each value-chain cell where initiatives are missing, fewer than expected or thin, with the
    actors classified in that cell (gain = initiatives the cell lacks to reach its expected
    count). ``both`` alternates between the two goals (their gains are in different units).
    *region* keeps the memberships and the actors located there. *candidates* is how many
    pairs to consider; *pairs*, the ``bridges_pairs`` table of this network when it is at
    hand (``bioeco analyze`` wrote it), saves computing them. Returns ``rank``,
    ``action``, ``actor``, ``other``, ``initiative``, ``members``, ``sector``, ``stage``,
    ``gain``, ``explanation`` (the action columns are those of a scenario file).

    Examples
    --------
    >>> from bioeco.analyses._fixture import chain_graph
    >>> chain = chain_graph()  # a, b (marine) — c, d (health) in a chain of three projects
    >>> top = suggest_actions(chain, 2, goal="bridges")  # after the first, a and d are near
    >>> top[["rank", "action", "actor", "other", "gain"]].values.tolist()
    [[1, 'introduce', 'a', 'c', 1]]
    """
    if goal not in ("coverage", "bridges", "both"):
        raise UsageError(f"unknown goal {goal!r}: use coverage, bridges or both")
    if n < 1:
        raise UsageError("the number of suggestions must be at least 1")
    net = _network(source, as_of, basis)
    if region is not None:
        net = net.restrict_region(region)
    bridges: list[dict] = []
    if goal in ("bridges", "both"):
        if pairs is None or region is not None:
            from bioeco.analyses.bridges import pair_suggestions  # igraph: only when needed

            pairs = pair_suggestions(net, top=candidates)
        else:  # the table bioeco analyze wrote of this network (its best rows first)
            pairs = pairs.head(candidates)
        gone = net.gone
        for a, b in zip(pairs["actor_a"], pairs["actor_b"], strict=True):
            if f"{BID}{a}" in gone or f"{BID}{b}" in gone:
                continue  # a recorded change event ended one of the two
            bridges.append({"action": "introduce", "actor": f"{BID}{a}", "other": f"{BID}{b}"})
    cells = _coverage_candidates(net, region) if goal in ("coverage", "both") else []
    considered = len(bridges) + len(cells)
    tracker = Tracker(net, reach_only=True)
    index = tracker.index
    bridges = [c for c in bridges if c["actor"] in index and c["other"] in index]
    chosen: list[dict] = []
    turn = "bridges" if bridges else "coverage"
    while len(chosen) < n and (bridges or cells):
        pool = bridges if turn == "bridges" else cells
        if turn == "bridges":
            gains = tracker.introduce_gains(
                np.array([index[c["actor"]] for c in pool], dtype=np.int64),
                np.array([index[c["other"]] for c in pool], dtype=np.int64),
            ).tolist()
        else:
            gains = [c["gap"] for c in pool]
        best, best_gain = None, 0
        for cand, gain in zip(pool, gains, strict=True):
            if gain > best_gain or (
                gain == best_gain and best is not None and _key(cand) < _key(best)
            ):
                best, best_gain = cand, gain
        if best is None:
            pool.clear()  # nothing left in this pool improves anything
        else:
            pool.remove(best)
            if best["action"] == "introduce":
                tracker.introduce(index[best["actor"]], index[best["other"]])
            chosen.append({**best, "gain": best_gain})
        if goal == "both":  # alternate: one action for each goal in turn
            other = "coverage" if turn == "bridges" else "bridges"
            turn = other if (cells if other == "coverage" else bridges) else turn
        else:
            turn = "bridges" if bridges else "coverage"
    rows = []
    for rank, c in enumerate(chosen, start=1):
        rows.append(_suggestion_row(rank, c, net))
    out = pd.DataFrame(
        rows,
        columns=[
            "rank",
            "action",
            "actor",
            "other",
            "initiative",
            "members",
            "sector",
            "stage",
            "gain",
            "explanation",
        ],
    )
    out.attrs["note"] = HONESTY
    out.attrs["candidates"] = considered  # how many candidate actions were weighed
    return out


def _key(cand: dict) -> tuple:
    return (
        cand["action"],
        cand.get("actor", ""),
        cand.get("other", ""),
        cand.get("sector", ""),
        cand.get("stage", ""),
    )


def _coverage_candidates(net: Network, region: str | None = None) -> list[dict]:
    """A new initiative for each value-chain cell where initiatives are missing, fewer than
    expected or thin, with up to six actors classified in that cell (sector or below, stage;
    in *region* when given), the most connected first. ``gap`` is how many initiatives the cell
    lacks to reach its expected count (at least 1)."""
    table = coverage(net)
    cells = table[table["entity"].eq("initiatives")]
    flags = cells["flag"].astype(str).str.split("|")
    flagged = cells[flags.map(lambda found: bool({"empty", "under", "thin"} & set(found)))]
    actors = net.nodes[net.nodes["kind"].eq("actor")]
    inside = net.descendants("region", region) if region else None
    degree = net.edges.groupby("member").size()
    out = []
    for sector, stage, count, expected in flagged[
        ["sector", "stage", "count", "expected"]
    ].itertuples(False):
        wanted = net.descendants("sector", sector)
        members = [
            iri
            for iri, s, t, r in zip(
                actors.index, actors["sectors"], actors["stages"], actors["regions"], strict=True
            )
            if wanted & set(s)
            and stage in t
            and (inside is None or inside & set(r))
            and iri not in net.gone
        ]
        members.sort(key=lambda iri: (-int(degree.get(iri, 0)), iri))
        if len(members) >= 2:
            gap = max(1, int(np.ceil(float(expected) - int(count))))
            out.append(
                {
                    "action": "start",
                    "sector": sector,
                    "stage": stage,
                    "members": members[:6],
                    "gap": gap,
                    "count": int(count),
                }
            )
    return out


def _suggestion_row(rank: int, c: dict, net: Network) -> dict:
    label = net.label
    if c["action"] == "introduce":
        a, b = c["actor"], c["other"]
        text = (
            f"Introduce {label(a)} and {label(b)} (a meeting or a shared initiative): "
            f"{c['gain']} more pairs of actors of different sectors would be within two steps "
            "of each other. Effect on the network model, not a prediction."
        )
        return {
            "rank": rank,
            "action": "introduce",
            "actor": entity_id(a).removeprefix("actor/"),
            "other": entity_id(b).removeprefix("actor/"),
            "initiative": "",
            "members": "",
            "sector": "",
            "stage": "",
            "gain": c["gain"],
            "explanation": text,
        }
    members = c["members"]
    names = ", ".join(label(m) for m in members)
    ident = f"new-{c['sector']}-{c['stage']}"
    n = c["count"]
    had = "no initiative" if n == 0 else f"{n} initiative{'s' if n != 1 else ''}"
    text = (
        f"Start an initiative in {c['sector']} at stage {c['stage']} ({had} there in these "
        f"sources) with actors classified there: {names}. Effect on the network model, not a "
        "prediction."
    )
    return {
        "rank": rank,
        "action": "start",
        "actor": "",
        "other": "",
        "initiative": ident,
        "members": "|".join(entity_id(m).removeprefix("actor/") for m in members),
        "sector": c["sector"],
        "stage": c["stage"],
        "gain": c["gain"],
        "explanation": text,
    }
