"""A scenario applied to the analysable network: the network being changed, action by action.

The actions of a scenario (``bioeco.ingest.load.read_scenario``: one action a row) change a
:class:`ScenarioState` (node rows and memberships), never ``data/`` or the graph's source
graphs: the links they add carry the rule ``scenario``. Each action is checked like a data row
(unknown ids, organisations that have ended …: one-line errors naming file, row and field).
:mod:`bioeco.analyses.whatif` reports what each would change; this module only applies them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from rdflib import Dataset, Graph

from bioeco.analyses.ended import ended_text
from bioeco.analyses.project import Network, as_network, entity_id
from bioeco.core.vocab import BID
from bioeco.ingest.load import ScenarioAction, read_scenario

__all__ = ["HONESTY", "ScenarioState", "apply_action", "apply_scenario"]

HONESTY = (
    "These are effects on the network model (who would share an initiative with whom), "
    "not predictions of what the actions would achieve."
)
"""Said by every what-if output."""

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
class ScenarioState:
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
    def of(cls, net: Network) -> ScenarioState:
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

    def copy(self) -> ScenarioState:
        """A copy to change: its node rows and links are its own (the frames are shared)."""
        return ScenarioState(
            {iri: dict(row) for iri, row in self.nodes.items()},
            {link: set(roles) for link, roles in self.links.items()},
            dict(self.rules),
            self.concepts,
            self.as_of,
            self.basis,
            self.stage_rules,
            self.ended,
        )

    def network(
        self,
        initiatives: set[str] | None = None,
        edges: bool = True,
        members: Mapping[str, Iterable[str]] | None = None,
    ) -> Network:
        """The network now; with *initiatives*, only their links and the nodes of those
        links (what a pair of initiatives is judged on); without *edges*, every node and no
        link (what the coverage counts, without ``as_of``). *members*, each of those
        initiatives' members now when the caller keeps them, saves looking their links up
        among all links (the same links)."""
        if not edges:
            links = []
        elif initiatives is None:
            links = sorted(self.links.items())
        elif members is not None:
            links = sorted(
                ((m, i), self.links[(m, i)]) for i in initiatives for m in members.get(i, ())
            )
        else:
            links = sorted(((m, i), r) for (m, i), r in self.links.items() if i in initiatives)
        if initiatives is not None:
            keep = set(initiatives) | {m for (m, _i), _r in links}
            nodes = sorted((iri, self.nodes[iri]) for iri in keep if iri in self.nodes)
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
    state: ScenarioState, action: ScenarioAction, field_name: str, ident: str, joins: bool = False
) -> str:
    iri = _iri("actor", ident)
    if state.nodes.get(iri, {}).get("kind") != "actor":
        raise action.origin.error(f"unknown actor {ident!r} (not in the graph)", field_name)
    if joins:
        _not_ended(state, action, field_name, ident, iri)
    return iri


def _initiative(
    state: ScenarioState, action: ScenarioAction, field_name: str, ident: str, joins: bool = False
) -> str:
    iri = _iri("initiative", ident)
    if state.nodes.get(iri, {}).get("kind") != "initiative":
        raise action.origin.error(f"unknown initiative {ident!r} (not in the graph)", field_name)
    if joins:
        _not_ended(state, action, field_name, ident, iri)
    return iri


def _not_ended(
    state: ScenarioState, action: ScenarioAction, field_name: str, ident: str, iri: str
) -> None:
    """Refuse an action that would add a link to an organisation a change event ended."""
    how = state.ended_as(iri)
    if how is not None:
        raise action.origin.error(
            f"{ident!r} has ended: {how}; plan the action with what it became", field_name
        )


def _new_initiative(
    state: ScenarioState, action: ScenarioAction, ident: str, label: str, kind: str
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


def _link(state: ScenarioState, member: str, initiative: str, role: str) -> None:
    state.links.setdefault((member, initiative), set()).add(role)
    state.rules.setdefault((member, initiative), "scenario")


def apply_action(state: ScenarioState, action: ScenarioAction) -> tuple[str, set[str]]:
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
    state = ScenarioState.of(as_network(source, as_of=as_of, basis=basis))
    for action in actions:
        apply_action(state, action)
    return state.network()
