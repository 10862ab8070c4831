"""What-if suggestions: candidate actions ranked greedily by what they would add.

Introductions of the pairs ``bridges_pairs`` proposes and new initiatives in the value-chain
cells that lack them, each next one chosen given those before (the reach tracker of
:mod:`bioeco.analyses.incremental` gives every candidate's gain at once). These are effects on
the network model, not predictions of outcomes.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
from rdflib import Dataset, Graph

from bioeco.analyses.gaps import coverage
from bioeco.analyses.incremental import Tracker, bit_count, bit_indices, bit_row
from bioeco.analyses.project import Network, as_network, entity_id
from bioeco.analyses.whatif_apply import HONESTY, ScenarioState, apply_action
from bioeco.core.vocab import BID
from bioeco.errors import UsageError
from bioeco.ingest.scenario import ScenarioAction

__all__ = ["MEMBERS", "PER_ACTOR", "suggest_actions"]

PER_ACTOR = 2
"""By default, at most this many suggested actions name the same actor (docs/whatif.md)."""

MEMBERS = 6
"""At most this many actors start a suggested initiative (the most connected first)."""

START_TYPE = "project"
"""The initiative type of a suggested new initiative (its scenario row: ``type``)."""


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
    per_actor: int = PER_ACTOR,
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
    hand (``bioeco analyze`` wrote it), saves computing them. *per_actor* is how many of the
    suggested actions may name the same actor (as one of the two introduced, or as a member
    of a started initiative; 0: no limit): a candidate that would name an actor more often
    is passed over, and a started initiative takes the next actors classified in its cell
    instead (it needs two). A plan taken to a board should spread across the ecosystem
    rather than build itself around one well-placed actor. Returns ``rank``,
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
    if per_actor < 0:
        raise UsageError("the number of actions per actor must be 0 (no limit) or more")
    net = as_network(source, as_of=as_of, basis=basis)
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
    tracker = Tracker(net, reach_only=True)
    index = tracker.index
    bridges = [c for c in bridges if c["actor"] in index and c["other"] in index]
    if region is not None and goal in ("bridges", "both"):
        seen = {(c["actor"], c["other"]) for c in bridges}
        for cand in _regional_candidates(net, tracker, region, candidates):
            if (cand["actor"], cand["other"]) not in seen:
                bridges.append(cand)
    considered = len(bridges) + len(cells)
    chosen: list[dict] = []
    state: ScenarioState | None = None  # the network with the chosen actions taken
    named: dict[str, int] = {}  # actor -> how many chosen actions name it
    turn = "bridges" if bridges else "coverage"
    while len(chosen) < n and (bridges or cells):
        pool = bridges if turn == "bridges" else cells
        if turn == "bridges":
            gains = _introduce_gains(tracker, net, pool)
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
            chosen.append({**best, "gain": best_gain})
            # the later candidates are scored on the network with this action taken: its
            # ties in the reach tracker, and (a start) its initiative in the coverage; the
            # network itself (a scenario state) is made when a start first needs it
            named_all = _named(best)
            inside = all(m in index for m in named_all)
            if inside:
                for x, y in itertools.combinations(named_all, 2):
                    tracker.introduce(index[x], index[y])
            if best["action"] == "start" or not inside:
                if state is None:  # the actions chosen before, then this one
                    state = ScenarioState.of(net)
                    for done in chosen[:-1]:
                        apply_action(state, _as_action(done))
                apply_action(state, _as_action(best))
                if not inside:
                    # an actor with no membership before: the member index changes
                    tracker = Tracker(state.network(), reach_only=True)
                    index = tracker.index
                if best["action"] == "start" and cells:
                    _regap(cells, _coverage_candidates(state.network(), region))
            elif state is not None:
                apply_action(state, _as_action(best))
            if per_actor:
                for actor in _named(best):
                    named[actor] = named.get(actor, 0) + 1
                _keep_open(bridges, cells, named, per_actor)
        if goal == "both":  # alternate: one action for each goal in turn
            other = "coverage" if turn == "bridges" else "bridges"
            turn = other if (cells if other == "coverage" else bridges) else turn
        else:
            turn = "bridges" if bridges else "coverage"
    rows = []
    for rank, c in enumerate(chosen, start=1):
        rows.append(_suggestion_row(rank, c, net, per_actor))
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


PARTNERS = 3
"""With ``--region``: how many partners each actor in no initiative there is proposed with."""


def _introduce_gains(tracker: Tracker, net: Network, pool: list[dict]) -> list[int]:
    """The reach each introduction of *pool* would add now: from the tracker's bit rows when
    both actors are members, else counted directly (an actor in no initiative comes within
    two steps of the other one and of that one's actor co-members)."""
    index = tracker.index
    inside = [k for k, c in enumerate(pool) if c["actor"] in index and c["other"] in index]
    gains = [0] * len(pool)
    if inside:
        found = tracker.introduce_gains(
            np.array([index[pool[k]["actor"]] for k in inside], dtype=np.int64),
            np.array([index[pool[k]["other"]] for k in inside], dtype=np.int64),
        ).tolist()
        for k, gain in zip(inside, found, strict=True):
            gains[k] = gain
    for k, c in enumerate(pool):
        if c["actor"] not in index or c["other"] not in index:
            gains[k] = _outside_gain(tracker, net, c["actor"], c["other"])
    return gains


def _apart(one: set, two: set) -> bool:
    """Of different sectors: both classified, no sector in common (as the reach counts)."""
    return bool(one) and bool(two) and not one & two


def _outside_gain(tracker: Tracker, net: Network, u: str, v: str) -> int:
    """The reach added by introducing *u*, in no initiative, to *v* (a member or not)."""
    index = tracker.index
    if u in index:
        u, v = v, u
    mine = tuple(net.attr(u, "sectors"))
    if v not in index:
        return int(_apart(set(mine), set(net.attr(v, "sectors"))))
    k = index[v]
    near = (tracker.adj[k] & tracker.actor_bits) | _one(tracker, k)
    return int(bit_count(near & _apart_row(tracker, mine)))


def _one(tracker: Tracker, k: int) -> np.ndarray:
    row = np.zeros_like(tracker.actor_bits)
    row[k // 64] = np.left_shift(np.uint64(1), np.uint64(k % 64))
    return row


def _apart_row(tracker: Tracker, sectors: tuple) -> np.ndarray:
    """Bit row of the members of a sector different from all of *sectors* (kept with the
    tracker: its members do not change while it lives)."""
    cache = tracker.memo.setdefault("apart_rows", {})
    if sectors not in cache:
        mine = set(sectors)
        cache[sectors] = bit_row(
            np.array([_apart(mine, set(s)) for s in _member_sectors(tracker)], dtype=bool)
        )
    return cache[sectors]


def _member_sectors(tracker: Tracker) -> list[tuple]:
    found = tracker.memo.get("member_sectors")
    if found is None:
        found = tracker.memo["member_sectors"] = [
            tuple(tracker.net.attr(m, "sectors")) for m in tracker.members
        ]
    return found


def _regional_candidates(net: Network, tracker: Tracker, region: str, most: int) -> list[dict]:
    """Introductions that can add reach within *region* when its members are nearly all
    within two steps of each other already: an actor located there but in no initiative
    there, with each of the :data:`PARTNERS` members of another sector that would bring it
    the most reach; and members of different sectors more than two steps apart. At most
    *most* of each, in a fixed order."""
    index = tracker.index
    inside = net.descendants("region", region)
    nodes = net.nodes
    outsiders = [
        iri
        for iri, kind, regions, sectors in zip(
            nodes.index, nodes["kind"], nodes["regions"], nodes["sectors"], strict=True
        )
        if kind == "actor"
        and iri not in index
        and iri not in net.gone
        and set(regions) & inside
        and len(sectors)
    ]
    members = [m for m in tracker.members if tracker.is_actor[index[m]] and m not in net.gone]
    rows = np.array([index[m] for m in members], dtype=np.int64)
    near = (tracker.adj[rows] & tracker.actor_bits) | tracker.unit_rows(rows)
    best: dict[tuple, list] = {}  # the best partners of an actor of these sectors
    out: list[dict] = []
    for u in sorted(outsiders):
        mine = tuple(net.attr(u, "sectors"))
        if mine not in best:
            gains = bit_count(near & _apart_row(tracker, mine)).tolist()
            best[mine] = sorted(zip(gains, members, strict=True), key=lambda gv: (-gv[0], gv[1]))
        for gain, v in best[mine][:PARTNERS]:
            if gain > 0:
                out.append(
                    {"action": "introduce", "actor": u, "other": v, "why": "outside", "in": region}
                )
    out = out[:most]
    far: list[dict] = []
    for a in members:
        if len(far) >= most:
            break
        ka = index[a]
        row = tracker.actor_bits & ~tracker.near[ka] & tracker.dmask[tracker.tid[ka]]
        for kb in bit_indices(row).tolist():
            b = tracker.members[kb]
            if b > a and b not in net.gone:
                far.append(
                    {"action": "introduce", "actor": a, "other": b, "why": "far", "in": region}
                )
    return out + far[:most]


def _named(cand: dict) -> list[str]:
    """The actors a candidate action names."""
    if cand["action"] == "introduce":
        return [cand["actor"], cand["other"]]
    return list(cand["members"])


def _keep_open(bridges: list[dict], cells: list[dict], named: dict[str, int], cap: int) -> None:
    """Leave in the pools the candidates that name no actor *cap* chosen actions name
    already; a new initiative keeps the first six actors of its cell that are still open."""
    bridges[:] = [
        c for c in bridges if named.get(c["actor"], 0) < cap and named.get(c["other"], 0) < cap
    ]
    for cell in cells:
        cell["members"] = [m for m in cell["ranked"] if named.get(m, 0) < cap][:MEMBERS]
        cell["passed"] = [m for m in cell["ranked"][:MEMBERS] if m not in cell["members"]]
    cells[:] = [c for c in cells if len(c["members"]) >= 2]


def _as_action(cand: dict) -> ScenarioAction:
    """A chosen candidate as the scenario row its suggestion stands for."""
    if cand["action"] == "introduce":
        return ScenarioAction("introduce", actor=_ident(cand["actor"]), other=_ident(cand["other"]))
    return ScenarioAction(
        "start",
        initiative=_new_id(cand),
        label=_new_label(cand),
        type=START_TYPE,
        members=tuple(_ident(m) for m in cand["members"]),
        sectors=(cand["sector"],),
        stages=(cand["stage"],),
    )


def _ident(iri: str) -> str:
    return entity_id(iri).removeprefix("actor/")


def _new_id(cand: dict) -> str:
    return f"new-{cand['sector']}-{cand['stage']}"


def _new_label(cand: dict) -> str:
    return f"New {cand['sector']} initiative at stage {cand['stage']}"


def _regap(cells: list[dict], fresh: list[dict]) -> None:
    """Keep the cells still flagged once a chosen initiative is in the network, with their
    gap (and the members' order) as *fresh* computes them now."""
    now = {(c["sector"], c["stage"]): c for c in fresh}
    kept = []
    for cell in cells:
        new = now.get((cell["sector"], cell["stage"]))
        if new is not None:
            cell.update({k: new[k] for k in ("gap", "count", "members", "ranked", "passed")})
            kept.append(cell)
    cells[:] = kept


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
    expected or thin, with up to :data:`MEMBERS` actors classified in that cell (sector or
    below, stage; in *region* when given), the most connected first (``ranked``: all of them).
    ``gap`` is how many initiatives the cell lacks to reach its expected count (at least 1)."""
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
                    "members": members[:MEMBERS],
                    "ranked": members,
                    "passed": [],
                    "gap": gap,
                    "count": int(count),
                }
            )
    return out


def _sectors(net: Network, iri: str) -> str:
    return " and ".join(sorted(net.attr(iri, "sectors")))


def _suggestion_row(rank: int, c: dict, net: Network, per_actor: int) -> dict:
    label = net.label
    if c["action"] == "introduce":
        a, b = c["actor"], c["other"]
        why = ""
        if c.get("why") == "outside":
            year = f" (as of {net.as_of})" if net.as_of is not None else ""
            why = (
                f"{label(a)} is located in {c['in']} but in no initiative there{year}; "
                f"{label(b)} ({_sectors(net, b)}) would bring it within two steps of actors "
                f"of other sectors: "
            )
        elif c.get("why") == "far":
            why = (
                f"{label(a)} ({_sectors(net, a)}) and {label(b)} ({_sectors(net, b)}) are more "
                f"than two steps apart in {c['in']}: "
            )
        text = (
            f"Introduce {label(a)} and {label(b)} (a meeting or a shared initiative): {why}"
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
    ident = _new_id(c)
    n = c["count"]
    had = "no initiative" if n == 0 else f"{n} initiative{'s' if n != 1 else ''}"
    passed = ""
    if c["passed"]:
        left = ", ".join(label(m) for m in c["passed"])
        passed = f" ({left} left out: in {per_actor} of the actions above already)"
    text = (
        f"Start an initiative in {c['sector']} at stage {c['stage']} ({had} there in these "
        f"sources) with actors classified there: {names}{passed}. Effect on the network model, "
        "not a prediction."
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
