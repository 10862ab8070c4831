"""The column-wise CSV cell paths (`core.formats.csv_values`, also with the analysis tables'
6 decimals, and the one-writer records of `format_frame`) give exactly what the cell-by-cell
functions give: checked on awkward and generated cells."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from bioeco.analyses import tablecsv
from bioeco.core import formats
from bioeco.core import values as cell_values

cells = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.lists(st.text(alphabet='ab|=- ,"\r\n', max_size=3), max_size=3),
    st.lists(st.text(max_size=3), max_size=3).map(tuple),
    st.sampled_from([np.int64(3), np.float64(0.25), np.bool_(True), pd.NA, date(2020, 1, 2)]),
    st.sampled_from([{"b", "a"}, ("a", None), (1, 2.5), ["x", float("nan")]]),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(cells, max_size=10))
def test_columns_give_the_cells_one_by_one(values):
    assert formats.csv_values(values) == [formats.csv_value(v) for v in values]
    assert formats.csv_values(values, decimals=6) == [tablecsv.format_cell(v) for v in values]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(cells, min_size=3, max_size=3), max_size=6))
def test_records_of_one_writer_are_the_lines_one_by_one(rows):
    ready = [formats.csv_values(row) for row in rows]
    assert cell_values.csv_lines(ready) == [cell_values.csv_line(row) for row in ready]


_text = st.text(alphabet=st.sampled_from(list('ab ,"\n\r\tØ|\x00\u2028')), max_size=6)
_column_cells = st.one_of(
    _text, st.integers(), st.floats(allow_nan=True, allow_infinity=True), st.booleans(), st.none()
)


@settings(max_examples=300, deadline=None)
@given(
    st.integers(min_value=1, max_value=4).flatmap(
        lambda n: st.lists(
            st.one_of(
                st.lists(_text, min_size=n, max_size=n),
                st.lists(st.integers(), min_size=n, max_size=n),
                st.lists(st.floats(), min_size=n, max_size=n),
                st.lists(_column_cells, min_size=n, max_size=n),
            ),
            min_size=1,
            max_size=4,
        )
    )
)
def test_lines_made_a_column_at_a_time_are_the_writers(columns):
    # the CSV of the analysis tables is joined column by column: the same text as the
    # csv module's (quotes, doubled quotes, CR/LF, a lone empty field, floats by repr)
    rows = list(zip(*columns, strict=True))
    assert cell_values.csv_column_lines(columns) == cell_values.csv_lines(rows)


def test_awkward_cells_in_a_table():
    frame = pd.DataFrame(
        {
            "text": ["=cmd", 'a "quoted", text', "line\nbreak", "cr\ronly", None],
            "number": [1.23456789, float("nan"), 2.0, -0.0, 1e20],
            "flag": [True, False, None, True, False],
            "list": [("a", "b"), [], ["-x"], ("a", None), {"c", "b"}],
        }
    )
    rows = frame.itertuples(index=False, name=None)
    one_by_one = [cell_values.csv_line([formats.csv_value(v) for v in row]) for row in rows]
    expected = "\n".join([cell_values.csv_line(list(frame.columns)), *one_by_one]) + "\n"
    assert formats.format_frame(frame, "csv") == expected
    formatted = pd.DataFrame({c: [tablecsv.format_cell(v) for v in frame[c]] for c in frame})
    assert tablecsv.table_csv(frame) == formats.format_frame(formatted, "csv")
