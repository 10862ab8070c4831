"""Render DataFrames as text tables, CSV or JSON, safely (no spreadsheet formula injection)."""

from __future__ import annotations

import csv
import io
import json
import math
from typing import Any

import pandas as pd

from bioeco.vocab import compact

__all__ = ["FORMATS", "format_frame", "neutralise"]

FORMATS = ("table", "csv", "json")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """Prefix text that a spreadsheet would run as a formula with an apostrophe.

    Numbers stay numbers; only strings starting with ``= + - @``, tab or CR change.

    Examples
    --------
    >>> neutralise("=SUM(A1)"), neutralise("-1"), neutralise(-1), neutralise("UiT")
    ("'=SUM(A1)", "'-1", -1, 'UiT')
    """
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _printable(value: Any) -> Any:
    """Text for a terminal: strings with control characters (escape sequences, newlines)
    are shown escaped, like ``repr``, so a label cannot drive the terminal.

    Examples
    --------
    >>> _printable("UiT"), _printable("a\\x1b[31mb"), _printable(3)
    ('UiT', "'a\\\\x1b[31mb'", 3)
    """
    if isinstance(value, str) and not value.isprintable():
        return repr(value)
    return value


def _csv_line(values: list[Any]) -> str:
    """One CSV record without its line end; cells holding CR or LF anywhere are quoted (the
    csv module quotes only the characters of its line terminator, and a bare CR would let a
    spreadsheet start a new row, and so a new formula, inside a cell).

    Examples
    --------
    >>> _csv_line(["a", "b\\rc", None, 1.5])
    'a,"b\\rc",,1.5'
    """
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerow(["" if v is None else v for v in values])
    return buf.getvalue()[:-2]


def _plain(value: Any) -> Any:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    if isinstance(value, int | float | str | bool):
        return value
    return str(value)


_MAX_WIDTH = 80


def _cell(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value, key=str) if isinstance(value, set | frozenset) else value
        return _cell(", ".join(compact(str(v)) for v in items)) if items else ""
    text = str(value)
    if text.startswith(("http://", "https://")):
        text = compact(text)  # actor:uit rather than the full IRI
    return text if len(text) <= _MAX_WIDTH else text[: _MAX_WIDTH - 1] + "…"


def _table(frame: pd.DataFrame) -> str:
    """Aligned text table: text left-aligned, numbers right-aligned, IRIs shortened with the
    project prefixes, long cells cut at 80 characters."""
    columns = [str(c) for c in frame.columns]
    cells = [[_cell(v) for v in row] for row in frame.itertuples(index=False, name=None)]
    numeric = [
        pd.api.types.is_numeric_dtype(frame[c]) and not pd.api.types.is_bool_dtype(frame[c])
        for c in frame.columns
    ]
    widths = [max([len(h), *(len(r[i]) for r in cells)]) for i, h in enumerate(columns)]

    def line(values: list[str]) -> str:
        parts = [
            v.rjust(w) if num else v.ljust(w)
            for v, w, num in zip(values, widths, numeric, strict=True)
        ]
        return "  ".join(parts).rstrip()

    return "\n".join([line(columns), *(line(r) for r in cells)])


def format_frame(frame: pd.DataFrame, fmt: str = "table") -> str:
    """Render *frame* as ``table`` (aligned text), ``csv`` (neutralised) or ``json`` (records).

    ``csv`` prefixes every text cell starting with ``= + - @``, tab or CR with an apostrophe
    (:func:`neutralise`) so a spreadsheet shows it as text instead of running it; ``table``
    shows text with control characters escaped; ``json`` keeps values exactly (JSON strings
    are escaped by the encoder).

    Examples
    --------
    >>> df = pd.DataFrame({"name": ["=cmd", "UiT"], "n": [1, 2]})
    >>> print(format_frame(df, "csv"), end="")
    name,n
    '=cmd,1
    UiT,2
    >>> format_frame(df, "json")
    '[{"name": "=cmd", "n": 1}, {"name": "UiT", "n": 2}]'
    >>> uit = "https://w3id.org/bioeco/id/actor/uit"
    >>> print(format_frame(pd.DataFrame({"x": [uit], "n": [12]})))
    x              n
    actor:uit     12
    """
    if fmt == "csv":
        if not len(frame.columns):
            return frame.to_csv(index=False, lineterminator="\n")
        lines = [_csv_line([str(c) for c in frame.columns])]
        for row in frame.itertuples(index=False, name=None):
            lines.append(_csv_line([_plain(neutralise(v)) for v in row]))
        return "\n".join(lines) + "\n"
    if fmt == "json":
        rows = [{k: _plain(v) for k, v in row.items()} for row in frame.to_dict("records")]
        return json.dumps(rows, ensure_ascii=False)
    if fmt == "table":
        if frame.empty:
            return "(no rows)" if len(frame.columns) else "(empty)"
        return _table(frame.map(_printable))
    raise ValueError(f"unknown format {fmt!r} (use one of {', '.join(FORMATS)})")
