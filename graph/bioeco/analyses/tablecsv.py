"""One analysis table as CSV text: what ``bioeco analyze`` and ``bioeco whatif`` write.

Kept apart from :mod:`bioeco.analyses.run` (which re-exports both names) so that a command
writing a few tables does not import every analysis to do it.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from bioeco.core.formats import LIST_SEPARATOR, csv_value, format_frame, neutralise

__all__ = ["format_cell", "table_csv"]


def format_cell(value: Any) -> Any:
    """One CSV cell: floats rounded to 6 decimals, then :func:`bioeco.core.formats.csv_value` (lists
    joined by ``|``, missing values empty, formulas neutralised).

    Text starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading
    apostrophe so spreadsheets show it instead of evaluating it; numbers are left alone.

    Examples
    --------
    >>> format_cell("=HYPERLINK(1)"), format_cell(-0.1234567), format_cell(("a", "b"))
    ("'=HYPERLINK(1)", -0.123457, 'a|b')
    >>> format_cell(float("nan")), format_cell(None), format_cell(True), format_cell(())
    ('', '', 'true', '')
    """
    if isinstance(value, float | np.floating) and math.isfinite(value):
        return round(float(value), 6) + 0.0
    return csv_value(value)


def table_csv(frame: pd.DataFrame) -> str:
    """The CSV text of one analysis table, exactly as :func:`write_csvs` writes it (and as
    ``bioeco analyze --format csv`` prints it): cells through :func:`format_cell`.

    Examples
    --------
    >>> print(table_csv(pd.DataFrame({"id": ["a"], "sectors": [("marine", "health")]})), end="")
    id,sectors
    a,marine|health
    """
    cells = pd.DataFrame(
        {col: _format_cells(frame[col].tolist()) for col in frame.columns},
        columns=list(frame.columns),
    )
    return format_frame(cells, "csv")


def _format_cells(values: list[Any]) -> list[Any]:
    """``[format_cell(v) for v in values]``, with text, numbers, booleans and lists of text
    (nearly every cell) done here without the general path.

    Examples
    --------
    >>> _format_cells([0.1234567, float("inf"), "-x", 3, False, ["a", "b"], None, ()])
    [0.123457, '', "'-x", 3, 'false', 'a|b', '', '']
    """
    out: list[Any] = []
    add = out.append
    for value in values:
        kind = type(value)
        if kind is float:
            add(round(value, 6) + 0.0 if math.isfinite(value) else "")
        elif kind is str:
            add(neutralise(value))
        elif kind is int:
            add(value)
        elif kind is bool:
            add("true" if value else "false")
        elif value is None:
            add("")
        elif (kind is tuple or kind is list) and all(type(item) is str for item in value):
            add(neutralise(LIST_SEPARATOR.join(value)))
        else:
            add(format_cell(value))
    return out
