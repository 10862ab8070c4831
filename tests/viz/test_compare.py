"""The 2017-against-2021 chart draws exactly the counts of its table."""

from __future__ import annotations

import pandas as pd
import pytest

from bioeco.analyses._fixture import example_graph
from bioeco.analyses.sectors import sectors_by_year
from bioeco.errors import UsageError
from bioeco.viz.compare import years_chart
from bioeco.viz.plots import svg


@pytest.fixture(scope="module")
def table():
    return sectors_by_year(example_graph(), [2020, 2021])


def test_bars_are_the_counts_of_the_table(table):
    fig = years_chart(table)
    for ax, measure in zip(fig.axes, ("actors", "memberships"), strict=True):
        drawn = sorted(round(p.get_width()) for p in ax.patches)
        assert drawn == sorted(table[measure].tolist())
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert labels == list(dict.fromkeys(table["label"]))  # first sector on top
    assert fig.axes[0].yaxis_inverted()


def test_one_measure_and_title(table):
    fig = years_chart(table, measures=("initiatives",), title="Initiatives")
    assert fig.get_suptitle() == "Initiatives"
    assert [ax.get_title(loc="left") for ax in fig.axes] == ["Initiatives with members"]


def test_the_chart_is_deterministic(table):
    assert svg(years_chart(table)) == svg(years_chart(table))


def test_empty_table_gives_a_message():
    empty = pd.DataFrame(columns=["year", "label", "actors", "memberships"])
    fig = years_chart(empty)
    assert "Nothing to compare." in svg(fig)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"measures": ("score",)}, "measures are"), ({"measures": ()}, "measures are")],
)
def test_bad_measures_are_refused(table, kwargs, message):
    with pytest.raises(UsageError, match=message):
        years_chart(table, **kwargs)


def test_missing_columns_are_named():
    with pytest.raises(UsageError, match="no column year"):
        years_chart(pd.DataFrame({"label": [], "actors": [], "memberships": []}))
