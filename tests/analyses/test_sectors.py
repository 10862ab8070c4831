"""Actors, initiatives and memberships per sector, and per sector year by year."""

from __future__ import annotations

import pytest

from bioeco.analyses._fixture import build_graph
from bioeco.analyses.sectors import sector_counts, sectors_by_year
from bioeco.errors import UsageError


@pytest.fixture(scope="module")
def graph():
    actors = {
        "pharma-co": {"sector": ["pharma"]},  # rolled up to health
        "both": {"sector": ["marine", "health"]},  # counts in both
        "loose": {},  # no sector, no membership
        "idle": {"sector": ["marine"]},  # a sector, no membership
    }
    initiatives = {
        "old": {"sector": ["health"], "start": "2015", "end": "2018"},
        "new": {"sector": ["marine"]},
    }
    memberships = [
        ("pharma-co", "old", "member"),
        ("both", "old", "member"),
        {"member": "both", "organization": "new", "role": "member", "observed": "2021"},
        {"member": "loose", "organization": "new", "role": "interviewee", "observed": "2021"},
    ]
    return build_graph(actors, initiatives, memberships, schemes=True)


def test_sector_counts_roll_up_and_count_shared_members_twice(graph):
    frame = sector_counts(graph).set_index("sector")
    # "both" has two memberships, each counted in health and in marine
    assert frame.loc["health", ["actors", "active_actors", "memberships"]].tolist() == [2, 2, 3]
    assert frame.loc["marine", ["actors", "active_actors", "memberships"]].tolist() == [2, 1, 2]
    assert frame.loc["marine", ["initiatives", "active_initiatives"]].tolist() == [1, 1]
    # the interview is not a collaboration: "loose" is not active
    assert frame.loc["none", ["actors", "active_actors", "memberships"]].tolist() == [1, 0, 0]
    assert "pharma" not in frame.index  # narrower sectors are rolled up
    assert list(frame.index)[-1] == "none"


def test_sectors_by_year_follow_the_dates(graph):
    frame = sectors_by_year(graph, [2017, 2021])
    got = {(r.year, r.sector): (r.actors, r.memberships) for r in frame.itertuples()}
    assert got[(2017, "health")] == (2, 2)  # "old" ran 2015-2018
    assert got[(2017, "marine")] == (1, 1)  # "both" through "old" only
    assert got[(2021, "health")] == (1, 1)  # "both" observed in "new" in 2021
    assert got[(2021, "marine")] == (1, 1)
    assert set(frame["sector"]) == {"health", "marine"}  # empty sectors left out


@pytest.mark.parametrize("years", [[], ["2017"], [0], 2017.5])
def test_sectors_by_year_refuses_what_is_not_a_year(graph, years):
    with pytest.raises(UsageError, match="years must be"):
        sectors_by_year(graph, years)
