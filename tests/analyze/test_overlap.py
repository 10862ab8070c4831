"""Overlap: Jaccard and overlap coefficient, shared lists, thresholds, consolidation."""

from __future__ import annotations

import pandas as pd
import pytest

from bioeco.analyze.overlap import overlap_pairs
from bioeco.errors import UsageError


def _graph(make_graph, part_of=None):
    actors = {x: {} for x in "abcde"}
    inits = {
        "c1": {"sector": ["marine"], "stage": ["research"]},
        "c2": {"sector": ["marine"], "stage": ["research"], "part_of": part_of},
        "big": {"sector": ["health"]},
    }
    ms = [("a", "c1", "organiser"), ("b", "c1", "member"), ("c", "c1", "member")]
    ms += [("a", "c2", "host"), ("b", "c2", "member"), ("c", "c2", "member")]
    ms += [(x, "big", "member") for x in "abcde"]
    return make_graph(actors, inits, ms)


def test_identical_members_give_jaccard_and_overlap_one(make_graph):
    df = overlap_pairs(_graph(make_graph))
    top = df.iloc[0]
    assert (top["initiative_a"], top["initiative_b"]) == ("initiative/c1", "initiative/c2")
    assert top["jaccard"] == 1.0 and top["overlap"] == 1.0 and top["shared"] == 3
    assert top["shared_members"] == ("actor/a", "actor/b", "actor/c")
    assert top["shared_organisers"] == ("actor/a",)  # organiser in c1, host in c2
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
    assert df.iloc[0]["part_of"] and not df.iloc[0]["consolidation"]


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
