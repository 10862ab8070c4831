"""Plots of the analysis tables: numbers equal the tables, same bytes, labels stay text."""

from __future__ import annotations

import os
import subprocess
import sys
import xml.etree.ElementTree as ET

import pandas as pd
import pytest
from matplotlib.figure import Figure

from bioeco.analyses._fixture import example_graph
from bioeco.analyses.bridges import actor_scores
from bioeco.analyses.gaps import coverage, survey_comparison
from bioeco.analyses.overlap import overlap_pairs
from bioeco.analyses.run import run_analyses
from bioeco.errors import UsageError
from bioeco.viz import plots
from tests.viz.hostile import HOSTILE, MATH, hostile_graph

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def example():
    return example_graph()


@pytest.fixture(scope="module")
def hostile():
    return hostile_graph()


def _counts_in_svg(text: str) -> dict[str, int]:
    """The number shown in each heatmap cell, by its group id."""
    root = ET.fromstring(text)
    out = {}
    for group in root.iter(f"{SVG}g"):
        gid = group.get("id", "")
        if gid.startswith("count-"):
            out[gid] = int("".join(group.itertext()).strip())
    return out


def test_heatmap_numbers_equal_the_coverage_table(example):
    table = coverage(example)
    shown = _counts_in_svg(plots.svg(plots.coverage_heatmap(table)))
    expected = {
        f"count-{e}-{s}-{t}": int(c)
        for e, s, t, c in table[["entity", "sector", "stage", "count"]].itertuples(index=False)
    }
    assert shown == expected
    assert any(v > 0 for v in shown.values()) and any(v == 0 for v in shown.values())


def test_heatmap_refuses_a_table_cut_to_its_top_rows(example):
    cut = run_analyses(example, ["gaps"], top=3)["gaps_coverage"]
    with pytest.raises(UsageError, match="the table lacks cells"):
        plots.coverage_heatmap(cut)


def test_heatmap_uses_labels_and_keeps_chain_order(example):
    fig = plots.coverage_heatmap(coverage(example), labels={"research": "Research (R&D)"})
    ticks = [t.get_text() for t in fig.axes[0].get_xticklabels()]
    assert ticks[0] == "Research (R&D)"
    assert ticks[1:] == ["data", "innovation", "commercialisation", "sales", "capital"]


def test_heatmap_of_one_entity_kind(example):
    fig = plots.coverage_heatmap(coverage(example), entities=("initiatives",))
    assert [ax.get_title(loc="left") for ax in fig.axes] == ["Initiatives"]


def test_same_table_gives_the_same_svg_bytes(example):
    table = coverage(example)
    first = plots.svg(plots.coverage_heatmap(table))
    fig = plots.coverage_heatmap(table)
    assert plots.svg(fig) == first == plots.svg(fig)
    assert "<dc:date>" not in first and 'id="count-actors-marine-research"' in first
    # another salt gives other ids, so several figures can be inlined in one page
    other = plots.svg(fig, salt="second")
    clip = [w for w in first.split('"') if w.startswith("url(#p")]
    assert clip and not set(clip) & {w for w in other.split('"') if w.startswith("url(#p")}


def test_svg_is_the_same_in_another_process():
    code = (
        "from bioeco.analyses._fixture import example_graph;"
        "from bioeco.analyses.gaps import coverage;"
        "from bioeco.viz import plots;"
        "import sys; sys.stdout.write(plots.svg(plots.coverage_heatmap(coverage(example_graph()))))"
    )
    runs = [
        subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
        ).stdout
        for seed in ("1", "2")
    ]
    assert runs[0] == runs[1]
    assert runs[0].startswith("<svg")


def test_hostile_labels_stay_text_in_every_chart(hostile):
    bridges = actor_scores(hostile)
    pairs = overlap_pairs(hostile, min_shared=1)
    assert HOSTILE in set(bridges["label"]) and not pairs.empty
    figs = [
        plots.bridges_chart(bridges),
        plots.overlap_chart(pairs),
        plots.coverage_heatmap(coverage(hostile), labels={"marine": HOSTILE}),
    ]
    for fig, marker in zip(figs, [HOSTILE, "A & <b>bold</b>", HOSTILE], strict=True):
        text = plots.svg(fig)
        root = ET.fromstring(text)  # well-formed XML: nothing broke out of a text node
        assert not [e for e in root.iter() if e.tag.endswith(("img", "script", "b"))]
        shown = "\n".join("".join(t.itertext()) for t in root.iter(f"{SVG}text"))
        assert marker in shown
        assert "<img" not in text and "<b>" not in text  # escaped in the markup
    labels = [t.get_text() for t in figs[0].axes[0].get_yticklabels()]
    assert MATH in labels  # shown as typed, not parsed as mathtext


def test_bar_charts_follow_the_rank_order(example):
    table = actor_scores(example)
    fig = plots.bridges_chart(table, n=3)
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    widths = [p.get_width() for p in fig.axes[0].patches]
    assert labels == list(table["label"].head(3))
    assert widths == pytest.approx(list(table["score"].head(3)))
    pairs = overlap_pairs(example, min_shared=1)
    fig = plots.overlap_chart(pairs, value="overlap")
    assert [p.get_width() for p in fig.axes[0].patches] == pytest.approx(list(pairs["overlap"]))


def test_long_labels_are_cut_on_one_line():
    table = pd.DataFrame({"label": ["x" * 80, "two\nlines"], "score": [1.0, 0.5]})
    labels = [t.get_text() for t in plots.bridges_chart(table).axes[0].get_yticklabels()]
    assert labels == ["x" * 41 + "…", "two lines"]


def test_survey_chart_pairs_survey_and_graph_shares(example):
    table = survey_comparison(example)
    fig = plots.survey_chart(table, labels={"research": "Research"})
    bars = sorted(fig.axes[0].patches, key=lambda p: p.get_y())
    assert len(bars) == 2 * len(table)
    assert [round(b.get_width(), 6) for b in bars[:2]] == [
        round(100 * table.loc[0, "share"], 6),
        round(100 * table.loc[0, "graph_share_actors"], 6),
    ]
    assert fig.axes[0].get_yticklabels()[0].get_text().startswith("marine / Research\n")


@pytest.mark.parametrize(
    ("function", "columns"),
    [
        (plots.coverage_heatmap, ["entity", "sector", "stage", "count"]),
        (plots.bridges_chart, ["label", "score"]),
        (plots.overlap_chart, ["label_a", "label_b", "jaccard"]),
        (plots.survey_chart, ["share", "graph_share_actors"]),
    ],
)
def test_empty_tables_give_a_figure_with_a_message(function, columns):
    fig = function(pd.DataFrame(columns=columns))
    assert isinstance(fig, Figure)
    assert "No " in " ".join(t.get_text() for ax in fig.axes for t in ax.texts)
    assert plots.svg(fig).startswith("<svg")


def test_a_table_without_the_needed_columns_is_refused():
    with pytest.raises(UsageError, match="overlap chart: the table has no column jaccard"):
        plots.overlap_chart(pd.DataFrame({"label_a": ["a"], "label_b": ["b"]}))


def test_png_is_deterministic(example):
    fig = plots.coverage_heatmap(coverage(example))
    assert plots.png(fig) == plots.png(fig)
    assert plots.png(fig)[:4] == b"\x89PNG"
