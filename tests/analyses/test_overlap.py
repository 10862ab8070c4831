"""Overlap: Jaccard and overlap coefficient, shared lists, thresholds, consolidation."""

from __future__ import annotations

import pandas as pd
import pytest

from bioeco.analyses.overlap import overlap_pairs
from bioeco.errors import UsageError


def _graph(make_graph, part_of=None):
    actors = {x: {} for x in "abcde"}
    inits = {
        "c1": {"sector": ["marine"], "stage": ["research"]},
        "c2": {"sector": ["marine"], "stage": ["research"], "part_of": part_of},
        "big": {"sector": ["health"]},
    }
    ms = [("a", "c1", "organiser"), ("b", "c1", "member"), ("c", "c1", "member")]
    ms += [("a", "c2", "host"), ("b", "c2", "host"), ("c", "c2", "member")]
    ms += [(x, "big", "member") for x in "abcde"]
    return make_graph(actors, inits, ms)


def test_identical_members_give_jaccard_and_overlap_one(make_graph):
    df = overlap_pairs(_graph(make_graph))
    top = df.iloc[0]
    assert (top["initiative_a"], top["initiative_b"]) == ("initiative/c1", "initiative/c2")
    assert top["jaccard"] == 1.0 and top["overlap"] == 1.0 and top["shared"] == 3
    assert top["shared_members"] == ("actor/a", "actor/b", "actor/c")
    assert top["shared_organisers"] == ("actor/a",)  # organiser in c1, host in c2
    assert top["relation"] == "consolidation-candidate"  # c2 is also run by b: other organisers
    assert top["shared_sectors"] == ("marine",) and top["shared_stages"] == ("research",)
    assert top["aims_similarity"] == 1.0
    assert bool(top["consolidation"]) and "consolidation candidate" in top["explanation"]
    assert top["rank"] == 1


def test_subset_pair_values(make_graph):
    df = overlap_pairs(_graph(make_graph)).set_index(["initiative_a", "initiative_b"])
    row = df.loc[("initiative/big", "initiative/c1")]
    # 3 shared of 5 and 3 members: Jaccard 3 / (5 + 3 - 3) = 0.6, overlap 3 / min(5, 3) = 1
    assert row["jaccard"] == pytest.approx(0.6) and row["overlap"] == 1.0
    assert row["aims_similarity"] == 0.0 and not row["consolidation"]


def test_part_of_is_not_a_consolidation_candidate(make_graph):
    df = overlap_pairs(_graph(make_graph, part_of="c1"))
    row = df[df["initiative_a"].eq("initiative/c1") & df["initiative_b"].eq("initiative/c2")]
    row = row.iloc[0]
    assert row["part_of"] and not row["consolidation"] and row["relation"] == "part-of"
    assert row["rank"] == 3  # the ordinary cases come after the unexplained overlaps


def test_thresholds_filter(make_graph):
    g = _graph(make_graph)
    assert len(overlap_pairs(g)) == 3
    assert len(overlap_pairs(g, min_jaccard=0.7)) == 1
    assert len(overlap_pairs(g, min_shared=4)) == 0
    assert len(overlap_pairs(g, sector="health")) == 2
    with pytest.raises(UsageError):
        overlap_pairs(g, min_jaccard=2)


def test_deterministic(make_graph):
    g = _graph(make_graph)
    pd.testing.assert_frame_equal(overlap_pairs(g), overlap_pairs(g))


def _kinds(make_graph, **types):
    """Five actors in every initiative of *types* (id → type code); x is organiser of all."""
    inits = {i: {"type": t, "sector": ["marine"]} for i, t in types.items()}
    ms = [(m, i, "organiser" if m == "x" else "member") for i in types for m in "vwxyz"]
    return make_graph({m: {} for m in "vwxyz"}, inits, ms)


def test_like_is_compared_with_like(make_graph):
    g = _kinds(make_graph, p="project", n="network", e="event", s="event-series", a="application")

    def pairs(df):
        ends = zip(df["initiative_a"], df["initiative_b"], strict=True)
        return {(x[11:], y[11:]) for x, y in ends}

    assert pairs(overlap_pairs(g)) == {("n", "p")}  # collaborations by default
    assert pairs(overlap_pairs(g, kind="events")) == {("e", "s")}
    assert pairs(overlap_pairs(g, kind="applications")) == set()
    assert len(overlap_pairs(g, kind="all")) == 10
    assert pairs(overlap_pairs(g, type="project")) == set()
    assert set(overlap_pairs(g, kind="all")["comparison"]) == {
        "collaborations",
        "events",
        "mixed",
    }
    with pytest.raises(UsageError, match="kind must be one of"):
        overlap_pairs(g, kind="meetings")
    with pytest.raises(UsageError, match="unknown type 'meeting'"):
        overlap_pairs(g, type="meeting")


def test_same_consortium_applying_to_different_calls_is_not_a_duplicate(make_graph):
    inits = {i: {"type": "application", "sector": ["marine"]} for i in ("call1", "call2")}
    ms = [(m, i, "applicant") for i in inits for m in "abcde"]
    df = overlap_pairs(make_graph({m: {} for m in "abcde"}, inits, ms), kind="applications")
    row = df.iloc[0]
    assert row["jaccard"] == 1.0 and row["relation"] == "same-consortium"
    assert not row["consolidation"]
    assert "the same consortium applying to different calls" in row["explanation"]


def test_a_consolidation_candidate_needs_more_than_shared_members(make_graph):
    actors = {m: {} for m in "abcd"}

    def pair(second: dict, org2: str = "b") -> pd.Series:
        inits = {"p1": {"type": "project", "sector": ["marine"], "start": "2020"}, "p2": second}
        ms = [(m, "p1", "coordinator" if m == "a" else "partner") for m in "abcd"]
        ms += [(m, "p2", "coordinator" if m == org2 else "partner") for m in "abcd"]
        return overlap_pairs(make_graph(actors, inits, ms)).iloc[0]

    same = {"type": "project", "sector": ["marine"], "start": "2021"}
    assert pair(same)["relation"] == "consolidation-candidate"
    assert "different organisers" in pair(same)["explanation"]
    # the same organiser runs both: its own portfolio
    assert pair(same, org2="a")["relation"] == "same-organisers"
    # other aims
    other = pair({**same, "sector": ["health"]})
    assert other["relation"] == "shared-members" and not other["consolidation"]
    assert "not a consolidation candidate: no common aims" in other["explanation"]
    # one after the other
    later = pair({**same, "start": "2019", "end": "2019"})
    assert later["relation"] == "successive"
    assert "p1 (2020–) came after p2 (2019)" in later["explanation"]
    # two single events are never consolidated
    event = {"type": "event", "sector": ["marine"]}
    inits = {"e1": event, "e2": event}
    ms = [(m, e, "organiser" if m == o else "participant") for e, o in (("e1", "a"), ("e2", "b"))
          for m in "abcd"]  # fmt: skip
    row = overlap_pairs(make_graph(actors, inits, ms), kind="events").iloc[0]
    assert row["relation"] == "shared-members" and not row["consolidation"]


def test_an_initiative_taking_part_in_another_is_its_activity(make_graph):
    actors = {m: {} for m in "abc"}
    inits = {"cl": {"type": "cluster"}, "pr": {"type": "project"}}
    ms = [(m, "cl", "member") for m in "abc"] + [(m, "pr", "partner") for m in "abc"]
    ms.append(("cl", "pr", "coordinator"))
    row = overlap_pairs(make_graph(actors, inits, ms)).iloc[0]
    assert row["relation"] == "takes-part"
    assert "cl takes part in pr (as coordinator)" in row["explanation"]


def test_a_funder_is_not_a_shared_member(make_graph):
    actors = {m: {} for m in "abcf"}
    inits = {"p1": {"type": "project"}, "p2": {"type": "project"}}
    ms = [("a", "p1", "coordinator"), ("b", "p1", "partner"), ("f", "p1", "funder")]
    ms += [("c", "p2", "coordinator"), ("b", "p2", "partner"), ("f", "p2", "funder")]
    g = make_graph(actors, inits, ms)
    assert overlap_pairs(g).empty  # b alone is shared: fewer than min_shared = 2
    assert overlap_pairs(g, min_shared=1)["shared_members"].tolist() == [("actor/b",)]
