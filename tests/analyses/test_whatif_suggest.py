"""What-if suggestions spread across the ecosystem: at most ``per_actor`` of them name the same
actor, each still the best admissible action given those before."""

from __future__ import annotations

import inspect
import io
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from bioeco import build_dataset
from bioeco.analyses._fixture import build_graph
from bioeco.analyses.project import load_network
from bioeco.analyses.whatif import suggest_actions, whatif
from bioeco.analyses.whatif_suggest import PER_ACTOR
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
