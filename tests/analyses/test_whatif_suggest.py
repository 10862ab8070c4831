"""What-if suggestions spread across the ecosystem: at most ``per_actor`` of them name the same
actor, each still the best admissible action given those before."""

from __future__ import annotations

import inspect
import io
import math
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from bioeco import build_dataset
from bioeco.analyses._fixture import build_graph
from bioeco.analyses.gaps import coverage
from bioeco.analyses.project import load_network
from bioeco.analyses.whatif import apply_scenario, cross_sector_reach, suggest_actions, whatif
from bioeco.analyses.whatif_suggest import PER_ACTOR
from bioeco.core.vocab import BID
from bioeco.errors import UsageError
from bioeco.ingest.load import ScenarioAction
from bioeco.pipeline import whatif as pipeline_whatif
from cli import main

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def hub():
    """A well-placed actor ("hub", industry, in a project with three other industry actors)
    and four pairs of another sector each (x1–y1 … x4–y4); besides, two pairs of pairs that
    an introduction would bring within reach (a–b, e–g). Introducing hub to any x brings hub's
    three partners within two steps of x and y too, so its gain (5 and more) always beats the
    others' (3): without a limit, hub takes every slot."""
    sectors = ["marine", "agri-food", "health", "knowledge"]
    actors = {"hub": {"sector": ["industry"]}}
    actors |= {f"i{k}": {"sector": ["industry"]} for k in (1, 2, 3)}
    memberships = [("hub", "p", "member")] + [(f"i{k}", "p", "member") for k in (1, 2, 3)]
    initiatives = {"p": {"type": "project"}}
    for k, sector in enumerate(sectors, start=1):
        actors |= {f"x{k}": {"sector": [sector]}, f"y{k}": {"sector": [sector]}}
        initiatives[f"q{k}"] = {"type": "project"}
        memberships += [(f"x{k}", f"q{k}", "member"), (f"y{k}", f"q{k}", "member")]
    others = [("a", "c", "marine", "r"), ("b", "d", "health", "s"),
              ("e", "f", "agri-food", "t"), ("g", "h", "knowledge", "u")]  # fmt: skip
    for one, two, sector, init in others:
        actors |= {one: {"sector": [sector]}, two: {"sector": [sector]}}
        initiatives[init] = {"type": "project"}
        memberships += [(one, init, "member"), (two, init, "member")]
    return load_network(build_graph(actors, initiatives, memberships))


def _pairs(*pairs: tuple[str, str]) -> pd.DataFrame:
    """Candidate pairs as ``bridges_pairs`` holds them."""
    return pd.DataFrame(
        {"actor_a": [f"actor/{a}" for a, _ in pairs], "actor_b": [f"actor/{b}" for _, b in pairs]}
    )


CANDIDATES = _pairs(("hub", "x1"), ("hub", "x2"), ("hub", "x3"), ("hub", "x4"), ("a", "b"),
                    ("e", "g"))  # fmt: skip


def _named(top: pd.DataFrame) -> Counter:
    """How many suggested actions name each actor (introduced, or a member of a new one)."""
    found: Counter = Counter()
    for row in top.itertuples():
        names = {row.actor, row.other, *str(row.members).split("|")} - {"", "nan"}
        found.update(names)
    return found


def test_without_a_limit_one_actor_takes_every_slot(hub):
    top = suggest_actions(hub, 4, goal="bridges", pairs=CANDIDATES, per_actor=0)
    assert list(top["actor"]) == ["hub"] * 4


def test_at_most_k_suggestions_name_the_same_actor(hub):
    top = suggest_actions(hub, 4, goal="bridges", pairs=CANDIDATES)  # default: 2
    assert PER_ACTOR == 2
    assert max(_named(top).values()) <= 2
    assert top[["actor", "other"]].values.tolist() == [
        ["hub", "x1"], ["hub", "x2"], ["a", "b"], ["e", "g"],
    ]  # fmt: skip
    one = suggest_actions(hub, 4, goal="bridges", pairs=CANDIDATES, per_actor=1)
    assert one[["actor", "other"]].values.tolist() == [["hub", "x1"], ["a", "b"], ["e", "g"]]


def test_each_gain_is_still_given_the_actions_before(hub):
    """The limit only passes candidates over: every gain is what the what-if measures after
    the suggestions above it."""
    top = suggest_actions(hub, 4, goal="bridges", pairs=CANDIDATES)
    pairs = top[["actor", "other"]].values
    plan = [ScenarioAction("introduce", actor=a, other=b) for a, b in pairs]
    steps = whatif(hub, plan)["whatif_steps"]
    steps = steps[steps["step"].gt(0)]
    assert (steps["reach_after"] - steps["reach_before"]).tolist() == top["gain"].tolist()


def test_the_limit_is_checked():
    with pytest.raises(UsageError, match="0 \\(no limit\\) or more"):
        suggest_actions(build_graph({"a": {}}, {"i": {}}, [("a", "i", "member")]), per_actor=-1)
    assert inspect.signature(pipeline_whatif).parameters["per_actor"].default == PER_ACTOR


@pytest.fixture(scope="module")
def dataset():
    return build_dataset(ROOT / "data")


def test_on_data_no_actor_is_in_more_than_k_of_the_top_suggestions(dataset):
    net = load_network(dataset)
    for k in (2, 1):
        top = suggest_actions(net, 10, per_actor=k)
        assert len(top) == 10
        assert max(_named(top).values()) <= k, top[["actor", "other", "members"]]
    # a new initiative leaves out an actor already in enough actions, and says so
    one = suggest_actions(net, 2, per_actor=1)
    assert "nibio" in set(one["other"]) and "nibio" not in one["members"].iloc[1].split("|")
    assert (
        "Norwegian Institute of Bioeconomy Research left out: in 1 of the actions above"
        in (one["explanation"].iloc[1])
    )
    # without the limit, the patent law firm is in three of the first five
    free = suggest_actions(net, 5, per_actor=0)
    assert _named(free)["bryn-aarflot"] == 3


def test_cli_passes_the_limit(tmp_path):
    args = ["whatif", "--suggest", "5", "--data", str(ROOT / "data"), "--no-write"]
    for k, most in (("2", 2), ("0", 3)):
        result = CliRunner().invoke(main, [*args, "--per-actor", k, "--format", "csv"])
        assert result.exit_code == 0, result.output
        top = pd.read_csv(io.StringIO(result.stdout), keep_default_na=False)
        assert max(_named(top).values()) == most
    result = CliRunner().invoke(main, [*args, "--per-actor", "-1"])
    assert result.exit_code == 2


# -- each gain is the one measured when the suggestions are run in order as a scenario ------


def _plan(top: pd.DataFrame) -> list[ScenarioAction]:
    """The suggestions as the scenario rows a cluster manager would write from them."""
    plan = []
    for row in top.itertuples():
        if row.action == "introduce":
            plan.append(ScenarioAction("introduce", actor=row.actor, other=row.other))
        else:
            plan.append(
                ScenarioAction(
                    "start",
                    initiative=row.initiative,
                    label=f"A new initiative {row.rank}",
                    type="project",
                    members=tuple(row.members.split("|")),
                    sectors=(row.sector,),
                    stages=(row.stage,),
                )
            )
    return plan


def _measured(net, top: pd.DataFrame) -> list[int]:
    """Per suggestion, what running the suggestions before it and then it measures: the
    cross-sector reach it adds (an introduction) or the initiatives its cell lacks to reach
    its expected count before it (a new initiative; the gap it is chosen for)."""
    plan = _plan(top)
    steps = whatif(net, plan)["whatif_steps"].set_index("step")
    out = []
    for k, action in enumerate(plan, start=1):
        if action.action == "introduce":
            out.append(int(steps.loc[k, "reach_after"] - steps.loc[k, "reach_before"]))
            continue
        before = apply_scenario(net, plan[: k - 1]) if k > 1 else net
        table = coverage(before)
        cell = table[
            table["entity"].eq("initiatives")
            & table["sector"].eq(action.sectors[0])
            & table["stage"].eq(action.stages[0])
        ].iloc[0]
        out.append(max(1, math.ceil(float(cell["expected"]) - int(cell["count"]))))
    return out


def test_a_new_initiative_counts_for_the_introductions_after_it():
    """m1 and m2 (marine research) start an initiative (the only cell with two actors); the
    introduction of h (health) to m1 chosen after it then also brings m2 within two steps
    of h: a gain of 4, not the 3 it would have without the new initiative."""
    actors = {
        "p": {"sector": ["industry"]}, "q": {"sector": ["agri-food"]},
        "m1": {"sector": ["marine"], "stage": ["research"]},
        "m2": {"sector": ["marine"], "stage": ["research"]},
        "x": {"sector": ["marine"]}, "y": {"sector": ["marine"]},
        "h": {"sector": ["health"]}, "h2": {"sector": ["health"]},
    }  # fmt: skip
    actors |= {f"i{k}": {"sector": ["industry"]} for k in (1, 2, 3)}
    actors |= {f"q{k}": {"sector": ["agri-food"]} for k in (2, 3)}
    initiatives = {k: {"type": "project"} for k in ("pi", "qq", "r1", "r2", "s")}
    memberships = [("p", "pi", "member")] + [(f"i{k}", "pi", "member") for k in (1, 2, 3)]
    memberships += [(m, "qq", "member") for m in ("q", "q2", "q3")]
    memberships += [("m1", "r1", "member"), ("x", "r1", "member"), ("m2", "r2", "member"),
                    ("y", "r2", "member"), ("h", "s", "member"), ("h2", "s", "member")]  # fmt: skip
    net = load_network(build_graph(actors, initiatives, memberships))
    top = suggest_actions(net, 5, pairs=_pairs(("p", "q"), ("h", "m1")))
    assert top[["action", "actor", "other", "members"]].values.tolist() == [
        ["introduce", "p", "q", ""], ["start", "", "", "m1|m2"], ["introduce", "h", "m1", ""],
    ]  # fmt: skip
    assert top["gain"].tolist() == [6, 1, 4]
    assert _measured(net, top) == top["gain"].tolist()


@pytest.mark.parametrize("goal", ["both", "bridges"])
def test_on_data_each_gain_is_what_the_scenario_measures(dataset, goal):
    net = load_network(dataset)
    top = suggest_actions(net, 10, goal=goal)
    assert len(top) == 10
    if goal == "both":
        assert set(top["action"]) == {"introduce", "start"}
    assert _measured(net, top) == top["gain"].tolist()


def test_the_regional_lens_gives_several_actions_with_actors_of_the_region(dataset):
    """In nord-norge (2021) nearly every classified actor is within two steps of every other
    one already; what reach is left comes from Nord University (located there, in no
    initiative there) and Arctic Biodiscovery (more than two steps from the others). The
    regional candidates find both; the pair suggestions alone (pairs with a shared
    neighbour) gained nothing there."""
    net = load_network(dataset, as_of=2021)
    top = suggest_actions(net, 5, region="nord-norge")
    assert len(top) >= 3 and top["gain"].gt(0).all()
    assert (top["action"] == "introduce").sum() >= 2
    inside = net.descendants("region", "nord-norge")
    for row in top.itertuples():
        named = {row.actor, row.other, *row.members.split("|")} - {""}
        assert named
        for ident in named:
            assert set(net.attr(f"{BID}actor/{ident}", "regions")) & inside, ident
    why = " ".join(top["explanation"])
    assert "is located in nord-norge but in no initiative there (as of 2021)" in why
    assert "are more than two steps apart in nord-norge" in why
    # the introductions take all the reach the region has left: every pair of actors of
    # different sectors that are members there (Nord University now too) is within two steps
    regional = net.restrict_region("nord-norge")
    assert _measured(regional, top) == top["gain"].tolist()
    after = apply_scenario(regional, _plan(top))
    assert f"{BID}actor/nord-universitet" in after.members
    assert cross_sector_reach(after) == _possible(after) > cross_sector_reach(regional)


def _possible(net) -> int:
    """Pairs of actor members of *net* of different sectors (both classified)."""
    found = [set(net.attr(m, "sectors")) for m in net.members if net.attr(m, "kind") == "actor"]
    return sum(
        bool(a) and bool(b) and not a & b for k, a in enumerate(found) for b in found[k + 1 :]
    )
