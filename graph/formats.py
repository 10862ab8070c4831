"""Render DataFrames as text tables, CSV or JSON, safely (no spreadsheet formula injection)."""

from __future__ import annotations

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
        safe = frame.map(neutralise) if len(frame) else frame
        return safe.to_csv(index=False, lineterminator="\n")
    if fmt == "json":
        rows = [{k: _plain(v) for k, v in row.items()} for row in frame.to_dict("records")]
        return json.dumps(rows, ensure_ascii=False)
    if fmt == "table":
        if frame.empty:
            return "(no rows)" if len(frame.columns) else "(empty)"
        with pd.option_context(
            "display.max_rows", None, "display.max_colwidth", 80, "display.width", 200
        ):
            return frame.to_string(index=False)
    raise ValueError(f"unknown format {fmt!r} (use one of {', '.join(FORMATS)})")
