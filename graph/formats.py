"""Render DataFrames as text tables, CSV or JSON, safely (no spreadsheet formula injection)."""

from __future__ import annotations

import csv
import io
import json
import math
from typing import Any

import pandas as pd

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
        shown = frame.map(_printable) if len(frame) else frame
        with pd.option_context(
            "display.max_rows", None, "display.max_colwidth", 80, "display.width", 200
        ):
            return shown.to_string(index=False)
    raise ValueError(f"unknown format {fmt!r} (use one of {', '.join(FORMATS)})")
