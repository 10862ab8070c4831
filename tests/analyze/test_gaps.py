"""Gaps: coverage residuals and flags, filters, survey join, structural gaps."""

from __future__ import annotations

import math

import pytest

from bioeco.analyze.gaps import STRUCTURAL_METHOD, coverage, structural_gaps, survey_comparison
from bioeco.errors import UsageError


def _two_by_two(make_graph):
    # actors:  research  sales
    # marine        3      1
    # health        1      3
    cells = [("marine", "research")] * 3 + [("marine", "sales")]
    cells += [("health", "research")] + [("health", "sales")] * 3
    actors = {f"a{n}": {"sector": [s], "stage": [t]} for n, (s, t) in enumerate(cells)}
    return make_graph(actors, {"i": {}}, [(a, "i", "member") for a in actors])


def test_coverage_residual_hand_computed(make_graph):
    df = coverage(_two_by_two(make_graph))
    actors = df[df["entity"] == "actors"].set_index(["sector", "stage"])
    cell = actors.loc[("marine", "research")]
    # N = 8, row = col = 4: expected 4 * 4 / 8 = 2;
    # adjusted residual (3 - 2) / sqrt(2 * (1 - 4/8) * (1 - 4/8)) = 1 / sqrt(0.5) = 1.414214
    assert cell["count"] == 3 and cell["expected"] == 2.0
    assert cell["residual"] == pytest.approx(math.sqrt(2))
    assert actors.loc[("marine", "sales"), "residual"] == pytest.approx(-math.sqrt(2))
    assert (cell["row_total"], cell["col_total"], cell["total"]) == (4, 4, 8)
    assert actors.loc[("marine", "sales"), "flag"] == "thin"
    assert actors.loc[("marine", "research"), "flag"] == "ok"
    flagged = coverage(_two_by_two(make_graph), z=1.4, thin=2)
    row = flagged[(flagged["sector"] == "marine") & (flagged["stage"] == "sales")].iloc[0]
    assert row["flag"] == "thin|under" and row["under"]


def test_coverage_empty_cells_from_schemes_and_order(make_graph):
    g = make_graph(
        {"a": {"sector": ["marine"], "stage": ["research"]}},
        {"i": {}},
        [("a", "i", "member")],
        schemes=True,
    )
    df = coverage(g)
    actors = df[(df["entity"] == "actors") & (df["sector"] == "marine")]
    assert list(actors["stage"]) == [
        "research",
        "data",
        "innovation",
        "commercialisation",
        "sales",
        "capital",
    ]
    assert list(actors["flag"]) == ["thin"] + ["empty"] * 5
    assert "No actors in marine at stage data" in actors.iloc[1]["explanation"]


def test_coverage_region_and_type_filters(make_graph):
    g = make_graph(
        {
            "t": {
                "type": "company",
                "sector": ["marine"],
                "stage": ["sales"],
                "region": ["tromso"],
            },
            "o": {
                "type": "university",
                "sector": ["marine"],
                "stage": ["sales"],
                "region": ["oslo-region"],
            },
        },
        {"i": {}},
        [("t", "i", "member"), ("o", "i", "member")],
        schemes=True,
    )

    def count(**kw):
        df = coverage(g, **kw)
        actors = df[df["entity"] == "actors"]
        cell = actors[(actors["sector"] == "marine") & (actors["stage"] == "sales")]
        return int(cell["count"].iloc[0])

    assert count() == 2
    assert count(region="nord-norge") == 1  # tromso lies below nord-norge
    assert count(type="university") == 1
    with pytest.raises(UsageError, match="unknown region"):
        coverage(g, region="mars")
    with pytest.raises(UsageError, match="unknown type"):
        coverage(g, type="spaceship")


def test_survey_comparison_joins_both_sources(example):
    df = survey_comparison(example)
    row = df[df["observation"] == "observation/survey/o1"].iloc[0]
    assert row["stage"] == "commercialisation" and row["share"] == 0.42
    assert row["graph_scope"] == "stage" and row["graph_actors"] == 1
    assert row["graph_examples"] == ("actor/biotec",)
    assert row["survey_source"] == ("source/survey",)
    assert row["graph_sources"] == ("source/test",)
    assert row["sample_size"] == 50


def _structural(make_graph, mixed):
    actors = {
        "m1": {"sector": ["marine"]},
        "m2": {"sector": ["marine"]},
        "h1": {"sector": ["health"]},
        "h2": {"sector": ["health"]},
    }
    pairs = [("m1", "h1"), ("m2", "h2")] if mixed else [("m1", "m2"), ("h1", "h2")]
    ms = [(a, f"i{n}", "member") for n, pair in enumerate(pairs) for a in pair]
    return make_graph(actors, {"i0": {}, "i1": {}}, ms)


def test_structural_gap_when_sectors_never_meet(make_graph):
    row = structural_gaps(_structural(make_graph, mixed=False)).iloc[0]
    # N = 4 members, 2 marine, 2 health, initiatives of 2 members:
    # P(no marine) = C(2,2)/C(4,2) = 1/6 = P(no health); P(neither) = 0
    # P(both) = 1 - 2/6 = 2/3 per initiative, expected = 4/3, observed 0
    assert row["observed"] == 0 and row["expected"] == pytest.approx(4 / 3)
    assert row["gap"] and row["method"] == STRUCTURAL_METHOD
    assert row["p_value"] == pytest.approx((1 / 3) ** 2)
    assert "structural gap" in row["explanation"]


def test_no_structural_gap_when_sectors_mix(make_graph):
    row = structural_gaps(_structural(make_graph, mixed=True)).iloc[0]
    assert row["observed"] == 2 and not row["gap"]
    assert row["shared_initiatives"] == ("initiative/i0", "initiative/i1")


def test_unknown_sector_is_a_usage_error(example):
    with pytest.raises(UsageError, match="unknown sector 'space'"):
        structural_gaps(example, sector="space")


def test_coverage_rolls_narrower_sectors_up_to_their_top_sector(make_graph):
    g = make_graph(
        {
            "p": {"sector": ["pharma"], "stage": ["research"]},
            "h": {"sector": ["health"], "stage": ["research"]},
        },
        {"i": {}},
        [("p", "i", "member"), ("h", "i", "member")],
        schemes=True,
    )
    rolled = coverage(g)
    actors = rolled[rolled["entity"] == "actors"]
    assert "pharma" not in set(actors["sector"])
    cell = actors[(actors["sector"] == "health") & (actors["stage"] == "research")]
    assert int(cell["count"].iloc[0]) == 2
    leaf = coverage(g, rollup=False)
    leaf = leaf[(leaf["entity"] == "actors") & (leaf["stage"] == "research")]
    counts = dict(zip(leaf["sector"], leaf["count"], strict=True))
    assert counts["pharma"] == 1 and counts["health"] == 1
    narrow = coverage(g, sector="pharma")
    assert set(narrow["sector"]) == {"pharma"}


def test_coverage_matrix_is_a_sector_by_stage_pivot(example):
    from bioeco.analyze.gaps import coverage_matrix

    table = coverage(example)
    m = coverage_matrix(table, entity="initiatives")
    assert m.columns[0] == "research" and m.columns[-1] == "capital"
    rows = table[table["entity"] == "initiatives"]
    assert int(m.to_numpy().sum()) == int(rows["count"].sum())
    with pytest.raises(UsageError):
        coverage_matrix(table, entity="people")
