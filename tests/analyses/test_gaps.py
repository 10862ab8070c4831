"""Gaps: coverage residuals and flags, filters, survey join, structural gaps."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from bioeco.analyses.gaps import bh_adjust, coverage, structural_gaps, survey_comparison
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
    # 1 against 2 expected: Poisson P(X <= 1) = 3 e^-2 = 0.406, two-sided 0.812; never
    # significant at 5 %, flagged only at a false discovery rate above its adjusted p-value
    row = actors.loc[("marine", "sales")]
    assert row["p_value"] == pytest.approx(2 * 3 * math.exp(-2))
    assert not row["under"] and "gap" not in row["explanation"]
    loose = coverage(_two_by_two(make_graph), alpha=0.9, thin=2)
    row = loose[(loose["sector"] == "marine") & (loose["stage"] == "sales")].iloc[0]
    assert row["q_value"] <= 0.9 and row["flag"] == "thin|under" and row["under"]
    assert row["explanation"].endswith("a gap")


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


def _segregated(make_graph, per_sector=12, size=4):
    """Two sectors that never meet: per sector, *per_sector* members in initiatives of *size*
    members of that sector only."""
    actors = {
        f"{s}{n}": {"sector": [sector]}
        for s, sector in (("m", "marine"), ("h", "health"))
        for n in range(per_sector)
    }
    ms = []
    for s in ("m", "h"):
        for k in range(per_sector // size):
            ms += [(f"{s}{n}", f"{s}i{k}", "member") for n in range(k * size, (k + 1) * size)]
    inits = {i: {} for _, i, _ in ms}
    return make_graph(actors, inits, ms)


def test_structural_gap_when_sectors_never_meet(make_graph):
    df = structural_gaps(_segregated(make_graph))
    row = df.iloc[0]
    # 24 classified members, 12 marine, 12 health, 6 initiatives of 4 members:
    # P(no marine) = C(12,4)/C(24,4) = 495/10626 = P(no health); P(neither) = 0
    p_none = 495 / 10626
    assert row["observed"] == 0 and row["expected"] == pytest.approx(6 * (1 - 2 * p_none))
    # no shuffle of 999 leaves the sectors apart: p = 1/1000, one pair tested, q = p
    assert row["p_value"] == pytest.approx(1 / 1000) and row["q_value"] == row["p_value"]
    assert row["shortfall"] and row["gap"]
    assert row["explanation"].endswith("fewer than chance gives, a structural gap")
    assert "Benjamini–Hochberg" in row["method"]
    assert df.attrs["summary"].startswith("1 sector pair shares significantly fewer")


def test_a_shortfall_that_is_not_significant_is_not_called_a_gap(make_graph):
    # 4 members: even 0 shared initiatives happens in a third of the shuffles
    df = structural_gaps(_structural(make_graph, mixed=False))
    row = df.iloc[0]
    assert row["observed"] == 0 and row["expected"] == pytest.approx(4 / 3)
    assert row["shortfall"] and not row["gap"] and row["p_value"] > 0.05
    assert "structural gap" not in row["explanation"]
    assert "not a gap" in row["explanation"]
    # the smallest count that would have been significant: none exists with 4 members
    assert np.isnan(row["detectable"])
    summary = df.attrs["summary"]
    assert summary.startswith("No sector pair shares significantly fewer initiatives")
    assert "could not have detected a gap" in summary


def test_significance_is_judged_after_the_benjamini_hochberg_adjustment():
    # three tests at p 0.02, 0.03, 0.04: each below 0.05 alone, all called at FDR 5 %;
    # with a fourth at 0.9 the first three stay called (q = 0.04 · 4/3 = 0.053 > 0.05: no)
    assert bh_adjust([0.02, 0.03, 0.04]).tolist() == pytest.approx([0.04, 0.04, 0.04])
    q = bh_adjust([0.02, 0.03, 0.04, 0.9])
    assert q.tolist() == pytest.approx([0.04 * 4 / 3] * 3 + [0.9])
    assert not (q[:3] <= 0.05).any()


def test_the_detectable_shortfall_is_what_the_shuffles_would_call(make_graph):
    df = structural_gaps(_segregated(make_graph, per_sector=16))
    row = df.iloc[0]
    # a count at or below `detectable` has a permutation p-value <= alpha / pairs tested
    assert row["detectable"] >= 0
    assert row["observed"] <= row["detectable"]


def test_no_structural_gap_when_sectors_mix(make_graph):
    df = structural_gaps(_structural(make_graph, mixed=True))
    row = df.iloc[0]
    assert row["observed"] == 2 and not row["gap"] and not row["shortfall"]
    assert row["shared_initiatives"] == ("initiative/i0", "initiative/i1")
    assert row["explanation"].endswith("as many as chance gives or more, no gap")


def test_structural_gaps_are_deterministic_for_a_seed(make_graph):
    g = _segregated(make_graph)
    a, b = structural_gaps(g, seed=7), structural_gaps(g, seed=7)
    pd.testing.assert_frame_equal(a, b)


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
    from bioeco.analyses.gaps import coverage_matrix

    table = coverage(example)
    m = coverage_matrix(table, entity="initiatives")
    assert m.columns[0] == "research" and m.columns[-1] == "capital"
    rows = table[table["entity"] == "initiatives"]
    assert int(m.to_numpy().sum()) == int(rows["count"].sum())
    with pytest.raises(UsageError):
        coverage_matrix(table, entity="people")


def _with_rules(make_graph, **extra):
    # actors:     research  sales
    # marine (co)     2       2
    # knowledge (u)   2       -   universities cannot be at sales (stage rule)
    actors = {
        f"c{n}": {"type": "company", "sector": ["marine"], "stage": [t]}
        for n, t in enumerate(["research", "research", "sales", "sales"])
    }
    actors |= {
        f"u{n}": {"type": "university", "sector": ["knowledge"], "stage": ["research"]}
        for n in range(2)
    }
    actors |= extra
    return make_graph(
        actors,
        {"i": {}},
        [(a, "i", "member") for a in actors],
        stage_rules={"university": ["research", "data"], "investor": ["capital"]},
    )


def test_an_inapplicable_empty_cell_is_not_expected_and_not_a_gap(make_graph):
    df = coverage(_with_rules(make_graph))
    actors = df[df["entity"] == "actors"].set_index(["sector", "stage"])
    cell = actors.loc[("knowledge", "sales")]
    assert not cell["applicable"] and cell["count"] == 0 and cell["expected"] == 0
    assert cell["flag"] == "not-expected" and not cell["empty"] and not cell["under"]
    assert "not expected" in cell["explanation"] and "gap" not in cell["explanation"]
    assert "university" in cell["explanation"]
    # quasi-independence: the knowledge row can only be at research, so all of it is expected
    # there and the marine row takes the rest of the columns (independence would expect
    # 2 · 2 / 6 = 0.67 knowledge actors at sales and call the empty cell a shortfall)
    assert actors.loc[("knowledge", "research"), "expected"] == pytest.approx(2)
    assert actors.loc[("marine", "research"), "expected"] == pytest.approx(2)
    assert actors.loc[("marine", "sales"), "expected"] == pytest.approx(2)
    # cells that do not apply rank after every cell that does
    assert (
        cell["rank"] == df["rank"].max()
        or df.loc[df["rank"] > cell["rank"], "applicable"].eq(False).all()
    )
    assert "1 not expected by the stage rules" in df.attrs["summary"]


def test_a_type_without_a_rule_can_be_at_every_stage(make_graph):
    # a company in knowledge makes knowledge × sales a cell that applies (empty, not excluded)
    df = coverage(
        _with_rules(
            make_graph, k={"type": "company", "sector": ["knowledge"], "stage": ["research"]}
        )
    )
    cell = df[(df["entity"] == "actors") & (df["sector"] == "knowledge") & (df["stage"] == "sales")]
    assert cell["applicable"].item() and cell["flag"].item() == "empty"


def test_without_rules_every_cell_applies_and_residuals_are_the_adjusted_ones(make_graph):
    df = coverage(_two_by_two(make_graph))
    assert df["applicable"].all()


def test_unclassified_entities_are_counted_and_make_cells_uncertain(make_graph):
    # three marine actors without a stage: the marine row is mostly unclassified
    extra = {f"x{n}": {"type": "company", "sector": ["marine"]} for n in range(5)}
    extra["y"] = {"type": "company", "stage": ["sales"]}
    df = coverage(_with_rules(make_graph, **extra))
    actors = df[df["entity"] == "actors"].set_index(["sector", "stage"])
    cell = actors.loc[("marine", "research")]
    assert cell["row_unclassified"] == 5 and cell["uncertain"]
    assert "uncertain: 5 of the 9 actors in marine have no stage" in cell["explanation"]
    assert actors.loc[("marine", "sales"), "col_unclassified"] == 1
    assert not actors.loc[("knowledge", "research"), "uncertain"]
    summary = df.attrs["summary"]
    assert "Actors: 6 of 12 have both a sector and a stage and are counted" in summary
    assert "1 has no sector, 5 no stage (0 neither)" in summary


def test_not_expected_names_the_types_in_words(make_graph):
    """The explanation of an inapplicable cell shows type labels, not codes (issue 20)."""
    import dataclasses

    import numpy as np
    import pandas as pd

    from bioeco.analyses.project import load_network

    net = load_network(_with_rules(make_graph))
    label = {
        "concept": "https://w3id.org/bioeco/id/concept/actor-type/university",
        "scheme": "actor-type",
        "code": "university",
        "label": "Higher-education institution",
        "order": np.nan,
        "broader": (),
    }
    concepts = net.concepts[
        net.concepts["code"].ne("university") | net.concepts["scheme"].ne("actor-type")
    ]
    net = dataclasses.replace(net, concepts=pd.concat([concepts, pd.DataFrame([label])]))
    df = coverage(net)
    cell = df[(df["entity"] == "actors") & (df["sector"] == "knowledge") & (df["stage"] == "sales")]
    text = cell["explanation"].item()
    assert "types counted there: higher-education institution)" in text
    assert "university" not in text


def test_shuffled_counts_are_drawn_once_for_the_same_arguments(monkeypatch):
    """The what-if start asks for the shuffles structural_gaps drew: the same arguments (an
    equal incidence built another way too) give a copy of the kept counts, other arguments
    draw again."""
    from scipy import sparse

    import bioeco.analyses.sectorgaps as sectorgaps

    drawn = []
    real = sectorgaps._shuffled
    monkeypatch.setattr(
        sectorgaps, "_shuffled", lambda *args: drawn.append(args[-1]) or real(*args)
    )
    rng = np.random.default_rng(0)
    dense = (rng.random((30, 40)) < 0.2).astype(np.int64)
    smat = (rng.random((40, 4)) < 0.4).astype(np.int8)
    pairs = np.array([[0, 1], [0, 2], [1, 3], [2, 3]])
    first = sectorgaps.shuffled_counts(sparse.csr_matrix(dense), smat, pairs, 50, 7)
    again = sectorgaps.shuffled_counts(
        sparse.csc_matrix(dense.astype(float)).tocsr(), smat.astype(bool), pairs, 50, 7
    )
    assert drawn == [7] and np.array_equal(first, again) and first is not again
    again[:] = -1  # a copy: the caller may change it (the what-if tracker does)
    kept = sectorgaps.shuffled_counts(sparse.csr_matrix(dense), smat, pairs, 50, 7)
    assert np.array_equal(kept, first)
    other = sectorgaps.shuffled_counts(sparse.csr_matrix(dense), smat, pairs, 50, 8)
    assert drawn == [7, 8] and not np.array_equal(other, first)
    assert np.array_equal(real(sparse.csr_matrix(dense), smat, pairs, 50, 7), first)
