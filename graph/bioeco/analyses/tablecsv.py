"""One analysis table as CSV text: what ``bioeco analyze`` and ``bioeco whatif`` write.

Kept apart from :mod:`bioeco.analyses.run` (which re-exports both names) so that a command
writing a few tables does not import every analysis to do it.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from bioeco.core.formats import csv_value, csv_values, format_frame

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
        {col: csv_values(frame[col].tolist(), decimals=6) for col in frame.columns},
        columns=list(frame.columns),
    )
    return format_frame(cells, "csv")
