"""One value as each output writes it: CSV and JSON cells, spreadsheet formulas neutralised,
control characters made visible, IRIs compacted."""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from bioeco.core.vocab import compact

__all__ = [
    "LIST_SEPARATOR",
    "LIST_TYPES",
    "compact_iri",
    "compact_iris",
    "csv_column_lines",
    "csv_line",
    "csv_lines",
    "csv_value",
    "csv_values",
    "escape_controls",
    "is_missing",
    "json_value",
    "list_items",
    "neutralise",
    "printable",
    "xml_text",
]

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

LIST_SEPARATOR = "|"
"""How a list cell (e.g. the sectors of an actor) is written in CSV: its items joined by ``|``
with no spaces, in every CSV bioeco writes (``--format csv`` and ``out/analysis/*.csv``).
Items are ids and codes (ASCII slugs), which never contain ``|``. JSON gives lists as arrays;
the table view joins them with ``, ``."""

LIST_TYPES = (list, tuple, set, frozenset, np.ndarray)


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


def is_missing(value: Any) -> bool:
    """True for None, NaN, NaT, pandas NA and infinite floats (no value a reader can use)."""
    if value is None or value is pd.NaT or value is pd.NA:
        return True
    if isinstance(value, float | np.floating):
        return not math.isfinite(value)
    return False


def list_items(value: Any) -> list[Any]:
    """The items of a list-like cell; sets sorted so the output is deterministic."""
    if isinstance(value, set | frozenset):
        return sorted(value, key=str)
    return list(value)


def json_value(value: Any) -> Any:
    """A cell as a JSON value: lists become arrays, missing values ``null``, numpy scalars
    plain numbers; anything else that is not a JSON scalar becomes its text.

    Examples
    --------
    >>> json_value(("actor/uit", "actor/nibio")), json_value(float("nan")), json_value(())
    (['actor/uit', 'actor/nibio'], None, [])
    >>> json_value(np.int64(3)), json_value(frozenset({"b", "a"})), json_value(True)
    (3, ['a', 'b'], True)
    """
    if isinstance(value, LIST_TYPES):
        return [json_value(v) for v in list_items(value)]
    if is_missing(value):
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, bool | int | float | str):
        return value
    return str(value)


def csv_value(value: Any) -> Any:
    """A cell for CSV: lists joined by :data:`LIST_SEPARATOR`, missing values empty, text
    that a spreadsheet would run as a formula neutralised (:func:`neutralise`).

    Examples
    --------
    >>> csv_value(("marine", "health")), csv_value(()), csv_value(None), csv_value(float("nan"))
    ('marine|health', '', '', '')
    >>> csv_value("=1+1"), csv_value(np.float64(0.5)), csv_value(["-x", "y"])
    ("'=1+1", 0.5, "'-x|y")
    >>> csv_value(True), csv_value(np.bool_(False))
    ('true', 'false')
    """
    if isinstance(value, LIST_TYPES):
        parts = ["" if is_missing(v) else str(json_value(v)) for v in list_items(value)]
        return neutralise(LIST_SEPARATOR.join(parts))
    if is_missing(value):
        return ""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, bool):
        return "true" if value else "false"  # as JSON and xsd:boolean write it, not Python's True
    if isinstance(value, int | float):
        return value
    return neutralise(str(value))


def csv_values(values: Iterable[Any], decimals: int | None = None) -> list[Any]:
    """``[csv_value(v) for v in values]``: text, numbers, booleans and lists of text (nearly
    every cell of a table) done here without the general path. With *decimals*, finite
    floats are rounded to that many places first (the analysis tables' cells:
    :func:`bioeco.analyses.tablecsv.format_cell` for each value).

    Examples
    --------
    >>> csv_values(["=x", 2, 0.5, float("nan"), True, ("a", "b"), None, np.int64(3)])
    ["'=x", 2, 0.5, '', 'true', 'a|b', '', 3]
    >>> csv_values([0.1234567, float("inf"), "-x", False, ["a", "b"], np.float64(0.5)], 6)
    [0.123457, '', "'-x", 'false', 'a|b', 0.5]
    """
    out: list[Any] = []
    add = out.append
    for value in values:
        kind = type(value)
        if kind is str:
            add(neutralise(value))
        elif kind is int:
            add(value)
        elif kind is float:
            if not math.isfinite(value):
                add("")
            else:
                add(value if decimals is None else round(value, decimals) + 0.0)
        elif kind is bool:
            add("true" if value else "false")
        elif value is None:
            add("")
        elif (kind is tuple or kind is list) and all(type(item) is str for item in value):
            add(neutralise(LIST_SEPARATOR.join(value)))
        elif decimals is not None and isinstance(value, np.floating) and math.isfinite(value):
            add(round(float(value), decimals) + 0.0)
        else:
            add(csv_value(value))
    return out


class _Lines:
    """A file for :func:`csv.writer` that keeps each record it is given (one per row)."""

    def __init__(self) -> None:
        self.records: list[str] = []
        self.write = self.records.append


def csv_lines(rows: Iterable[Iterable[Any]]) -> list[str]:
    """``[csv_line(row) for row in rows]`` with one writer."""
    sink = _Lines()
    csv.writer(sink, lineterminator="\r\n").writerows(rows)
    return [record[:-2] for record in sink.records]


def _quoted(text: str) -> str:
    """*text* as the csv module writes a field (minimal quoting, quotes doubled, a field
    holding the delimiter, a quote, CR or LF quoted)."""
    if "," in text or '"' in text or "\n" in text or "\r" in text:
        return '"' + text.replace('"', '""') + '"'
    return text


def csv_column_lines(columns: list[list[Any]]) -> list[str]:
    """:func:`csv_lines` of the rows of *columns* (each a list of one column's cells, all of
    one length), the same text, made a column at a time: a column of text, integers and
    floats (exact types) is turned into its fields at once — its text scanned once for the
    characters that need quoting — and the fields are joined row by row; a table with any
    other cell, or of one column (the csv module quotes a lone empty field), goes through
    :func:`csv_lines`. The csv module handles every character of a long text cell one by
    one; the explanations and member lists of the analysis tables are tens of megabytes.

    Examples
    --------
    >>> csv_column_lines([["a", "b,c"], [1, 0.5]])
    ['a,1', '"b,c",0.5']
    """
    if len(columns) < 2 or not columns[0]:
        return csv_lines(zip(*columns, strict=True))
    fields = []
    for column in columns:
        kinds = set(map(type, column))
        if not kinds <= {int, float, str}:
            return csv_lines(zip(*columns, strict=True))
        if kinds == {str}:
            whole = "".join(column)
            special = "," in whole or '"' in whole or "\n" in whole or "\r" in whole
            fields.append(list(map(_quoted, column)) if special else column)
        elif str in kinds:
            fields.append([_quoted(v) if type(v) is str else repr(v) for v in column])
        else:  # numbers: repr as the csv module writes them (floats by repr, ints alike)
            fields.append(list(map(repr, column)))
    return list(map(",".join, zip(*fields, strict=True)))


def escape_controls(text: str) -> str:
    """*text* with every non-printable character (control characters, escape sequences, line
    breaks, bidi and other format characters) written as a visible ``\\xNN``/``\\uNNNN``
    escape, so a value shown in a terminal can neither drive it nor start a new line.

    Examples
    --------
    >>> escape_controls("Nofima")
    'Nofima'
    >>> print(escape_controls("x\\x1b]0;title\\x07\\nConforms: yes\\u202e"))
    x\\x1b]0;title\\x07\\nConforms: yes\\u202e
    """
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else _escape(ch) for ch in text)


def _escape(ch: str) -> str:
    code = ord(ch)
    if ch == "\n":
        return "\\n"
    if ch == "\t":
        return "\\t"
    if ch == "\r":
        return "\\r"
    return (
        f"\\x{code:02x}"
        if code < 0x100
        else f"\\u{code:04x}"
        if code < 0x10000
        else f"\\U{code:08x}"
    )


def printable(value: Any) -> Any:
    """Text for a terminal: strings with control characters (escape sequences, newlines)
    are shown escaped, like ``repr``, so a label cannot drive the terminal.

    Examples
    --------
    >>> printable("UiT"), printable("a\\x1b[31mb"), printable(3)
    ('UiT', "'a\\\\x1b[31mb'", 3)
    """
    if isinstance(value, str) and not value.isprintable():
        return repr(value)
    return value


def csv_line(values: list[Any]) -> str:
    """One CSV record without its line end; cells holding CR or LF anywhere are quoted (the
    csv module quotes only the characters of its line terminator, and a bare CR would let a
    spreadsheet start a new row, and so a new formula, inside a cell).

    Examples
    --------
    >>> csv_line(["a", "b\\rc", "", 1.5])
    'a,"b\\rc",,1.5'
    """
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerow(values)
    return buf.getvalue()[:-2]


def compact_iri(text: str) -> str:
    """*text* shortened by the project's prefixes when it is an http(s) IRI (``actor:uit``
    rather than the full IRI); any other text unchanged."""
    return compact(text) if text.startswith(("http://", "https://")) else text


def compact_iris(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of *frame* with every IRI cell shortened by the project's prefixes, by the rule
    of the table view (``actor:uit`` rather than ``https://w3id.org/bioeco/id/actor/uit``);
    other cells, the index and ``attrs`` are kept.

    Examples
    --------
    >>> frame = pd.DataFrame({"x": ["https://w3id.org/bioeco/id/actor/uit", "UiT"], "n": [1, 2]})
    >>> compact_iris(frame)
               x  n
    0  actor:uit  1
    1        UiT  2
    """
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = [compact_iri(v) if isinstance(v, str) else v for v in out[column]]
    out.attrs = dict(frame.attrs)
    return out


def xml_text(text: str) -> str:
    """Text content escaped for XML as ElementTree writes it (``&``, ``<`` and ``>``), for
    the writers that write XML line by line (GraphML, the workbook's sheets).

    Examples
    --------
    >>> xml_text("R&D <marine> -> health")
    'R&amp;D &lt;marine&gt; -&gt; health'
    """
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    return text
