"""The workbook's own sheet writer (`bioeco.viz.workbook._rows_xml`) gives the bytes openpyxl
gives when every cell is an openpyxl cell, styled one by one: checked against that way of
writing (kept here as the reference) on awkward cells and on generated tables."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import datetime

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bioeco.core.formats import column_decimals, neutralise
from bioeco.viz import workbook as wbm

openpyxl = pytest.importorskip("openpyxl")

DATE = datetime(2026, 1, 1)


def _reference_sheet(wb, name, frame, *, header=True):
    """The sheet as it was written before the fast writer: openpyxl cells, styled per cell."""
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(title=name[:31])
    columns = [str(c) for c in frame.columns]
    ws.append([neutralise(c) for c in columns])
    rows = [[wbm.sheet_cell(v) for v in row] for row in frame.itertuples(index=False, name=None)]
    for row in rows:
        ws.append(row)
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DCE6F1")
        cell.alignment = Alignment(vertical="top", wrap_text=True)
    ws.freeze_panes = "A2"
    if columns and header:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(1, len(rows) + 1)}"
    wrap = Alignment(vertical="top", wrap_text=True)
    for index, column in enumerate(columns, start=1):
        letter = get_column_letter(index)
        decimals = column_decimals(frame.iloc[:, index - 1].tolist())
        long_text = column in ("explanation", "in plain words")
        for cell in ws[letter][1:]:
            if decimals and isinstance(cell.value, float):
                cell.number_format = "0." + "0" * decimals
            if long_text:
                cell.alignment = wrap
        lengths = [len(column)] + [len(str(r[index - 1])) for r in rows[:500] if r[index - 1]]
        ws.column_dimensions[letter].width = 90 if long_text else min(max(lengths) + 2, 60)


def _reference_bytes(tables, readme=None):
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    if readme is not None:
        _reference_sheet(wb, "Read me", readme, header=False)
    for name, frame in tables.items():
        _reference_sheet(wb, name, frame)
    wb.properties.creator = "bioeco"
    wb.properties.created = DATE
    buf = io.BytesIO()
    wb.save(buf)
    out = io.BytesIO()
    with zipfile.ZipFile(buf) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            raw = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                raw = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                    rb"\g<1>2026-01-01T00:00:00Z\g<2>",
                    raw,
                )
            entry = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            dst.writestr(entry, raw, compresslevel=wbm.ZIP_LEVEL)
    return out.getvalue()


AWKWARD = pd.DataFrame(
    {
        "text": [
            *("a&b<c>", " lead", "trail ", "   ", "x\ny\r\tz", "#N/A", "=", "é😀"),
            *(None, "\x01x", "=cmd", "a" * 40000),
        ],
        "explanation": [
            *(1.5, None, 2, 3, True, False, float("nan"), 1e20),
            *(12345678901234567890, -0.0, 0.125, "why"),
        ],
        "ids": [("a", "b"), [], "", 0.1, 2.0, 3, 4, 5, (1, None), datetime(2020, 1, 1), 8, 9],
        "score": [0.5, 1.0, 0.25, None, 2, 0.123456789, float("inf"), 7, 8, 9, 10, 11],
    }
)


def test_awkward_cells_give_openpyxl_bytes():
    tables = {
        "awkward": AWKWARD,
        "empty": pd.DataFrame(),
        "header only": pd.DataFrame({"x": [], "in plain words": []}),
        "=formula name": pd.DataFrame({"#REF!": ["#DIV/0!", "+1"]}),
    }
    readme = pd.DataFrame({"item": ["a", ""], "in plain words": ["", "b"]})
    assert wbm.workbook_bytes(tables, date=DATE, readme=readme) == _reference_bytes(tables, readme)


def test_columns_of_one_kind_give_openpyxl_bytes():
    """Columns of text, text and gaps, numbers and gaps are written a column at a time: the
    same bytes as cell by cell, styled gaps (wrapped explanations) and escapes included."""
    n = 30
    frame = pd.DataFrame(
        {
            "name": [f"actor {i} R&D <x>" for i in range(n)],
            "Norwegian name": [None if i % 3 else f"aktør {i}" for i in range(n)],
            "explanation": [None if i % 4 == 0 else f"why {i}" for i in range(n)],
            "count": list(range(n)),
            "score": [i / 7 for i in range(n)],
            "mixed": [None if i % 5 == 0 else (i if i % 2 else i / 3) for i in range(n)],
            "spaced": [f" lead {i}" if i == 7 else f"v{i}" for i in range(n)],
            "codes": ["#N/A" if i == 3 else "ok" for i in range(n)],
            "multi": ["a\nb" if i == 2 else "\x01" if i == 4 else "c" for i in range(n)],
        }
    )
    tables = {"kinds": frame, "reversed": frame.iloc[::-1]}
    readme = pd.DataFrame({"item": ["a", "b"], "in plain words": ["x", None]})
    assert wbm.workbook_bytes(tables, date=DATE, readme=readme) == _reference_bytes(tables, readme)


cells = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.lists(st.text(alphabet="ab|=- &<", max_size=3), max_size=3).map(tuple),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(cells, min_size=3, max_size=3), min_size=0, max_size=6))
def test_generated_tables_give_openpyxl_bytes(rows):
    frame = pd.DataFrame(rows, columns=["name", "explanation", "score"], dtype=object)
    tables = {"t": frame, "u": frame.iloc[::-1]}
    assert wbm.workbook_bytes(tables, date=DATE) == _reference_bytes(tables)


@settings(max_examples=200, deadline=None)
@given(st.lists(cells, max_size=8))
def test_column_values_are_sheet_cells(values):
    assert wbm._sheet_values(values) == [wbm.sheet_cell(v) for v in values]


texts = st.text(alphabet="ab=+-@ \t\r\x01\x1b|", max_size=4)


@settings(max_examples=200, deadline=None)
@given(
    st.one_of(
        st.lists(st.one_of(st.none(), texts), max_size=8),
        st.lists(st.one_of(st.none(), st.lists(texts, max_size=3)), max_size=8),
        st.lists(st.one_of(st.none(), st.tuples(texts, st.integers())), max_size=8),
    )
)
def test_columns_of_text_or_lists_are_sheet_cells(values):
    """Columns of one kind (text and gaps, lists and gaps) are checked at once, not cell by
    cell: the same cells as sheet_cell, formulas and control characters included."""
    assert wbm._sheet_values(values) == [wbm.sheet_cell(v) for v in values]


def test_column_decimals_of_one_kind_columns():
    assert column_decimals(["a", None, 3]) is None
    assert column_decimals([True, 1]) is None
    assert column_decimals([0.5, 0.25, 0.5]) == 2
    assert column_decimals(iter([1, 0.125, "x"])) == 3


def test_a_table_longer_than_a_worksheet_keeps_its_first_rows_and_says_so(tmp_path, monkeypatch):
    """Excel opens no sheet of more than 1 048 576 rows: a longer table keeps its first rows
    (ranked: the best) and the Read me says how many of how many (limit lowered here)."""
    from bioeco.core.paths import DATA_DIR
    from bioeco.viz import exports

    monkeypatch.setattr(wbm, "SHEET_ROWS", 3)
    path = exports.export("xlsx", tmp_path / "cut.xlsx", data_dir=DATA_DIR)
    book = openpyxl.load_workbook(path, read_only=True)
    assert book["memberships"].max_row == 4  # header and three rows
    ranks = [r[0] for r in book["bridges_actors"].iter_rows(min_row=2, values_only=True)]
    assert ranks == sorted(ranks) and ranks[0] == 1  # the best, in rank order (ties share one)
    said = [r for r in book["Read me"].iter_rows(values_only=True) if r[0]]
    memberships = " ".join(str(text) for name, text in said if name == "memberships")
    actors = " ".join(str(text) for name, text in said if name == "bridges_actors")
    assert "The sheet holds the first 3 of" in memberships
    assert "(bioeco analyze) has them all." in actors


def test_the_workbook_is_deflated_at_the_fast_level_and_reads_back_the_same():
    """Entries are packed at zlib level ZIP_LEVEL (1: the fastest; the XML is the same as at
    the default level), twice the same bytes, and openpyxl and pandas read the same values."""
    import zlib

    tables = {"t": AWKWARD.iloc[:8], "kinds": pd.DataFrame({"a": ["x", "y"], "b": [1.5, 2]})}
    raw = wbm.workbook_bytes(tables, date=DATE)
    assert raw == wbm.workbook_bytes(tables, date=DATE)
    assert wbm.ZIP_LEVEL == 1
    with zipfile.ZipFile(io.BytesIO(raw)) as book:
        for info in book.infolist():
            packer = zlib.compressobj(wbm.ZIP_LEVEL, zlib.DEFLATED, -15)
            data = book.read(info.filename)
            assert info.compress_size == len(packer.compress(data) + packer.flush())
    out = io.BytesIO()  # the same entries packed at zlib's default level, as before
    with zipfile.ZipFile(io.BytesIO(raw)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            dst.writestr(info, src.read(info.filename), compresslevel=6)
    default = out.getvalue()
    assert default != raw
    read = pd.read_excel(io.BytesIO(raw), sheet_name=None)
    for name, frame in pd.read_excel(io.BytesIO(default), sheet_name=None).items():
        pd.testing.assert_frame_equal(read[name], frame)
    book = openpyxl.load_workbook(io.BytesIO(raw))
    assert [c.value for c in book["kinds"]["B"]] == ["b", 1.5, 2]
