"""Render DataFrames as text tables, CSV or JSON, safely (no spreadsheet formula injection)."""

from __future__ import annotations

import csv
import io
import json
import math
import textwrap
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from bioeco.core.vocab import compact

__all__ = [
    "FORMATS",
    "LIST_SEPARATOR",
    "csv_value",
    "escape_controls",
    "format_frame",
    "format_tables",
    "json_value",
    "neutralise",
]

FORMATS = ("table", "csv", "json")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

LIST_SEPARATOR = "|"
"""How a list cell (e.g. the sectors of an actor) is written in CSV: its items joined by ``|``
with no spaces, in every CSV bioeco writes (``--format csv`` and ``out/analysis/*.csv``).
Items are ids and codes (ASCII slugs), which never contain ``|``. JSON gives lists as arrays;
the table view joins them with ``, ``."""

_LISTS = (list, tuple, set, frozenset, np.ndarray)


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


def _missing(value: Any) -> bool:
    """True for None, NaN, NaT, pandas NA and infinite floats (no value a reader can use)."""
    if value is None or value is pd.NaT or value is pd.NA:
        return True
    if isinstance(value, float | np.floating):
        return not math.isfinite(value)
    return False


def _items(value: Any) -> list[Any]:
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
    if isinstance(value, _LISTS):
        return [json_value(v) for v in _items(value)]
    if _missing(value):
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
    """
    if isinstance(value, _LISTS):
        parts = ["" if _missing(v) else str(json_value(v)) for v in _items(value)]
        return neutralise(LIST_SEPARATOR.join(parts))
    if _missing(value):
        return ""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, bool | int | float):
        return value
    return neutralise(str(value))


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
    >>> _csv_line(["a", "b\\rc", "", 1.5])
    'a,"b\\rc",,1.5'
    """
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerow(values)
    return buf.getvalue()[:-2]


def _cell(value: Any) -> str:
    """A cell for the table view: lists joined with commas, IRIs compacted, floats short."""
    if isinstance(value, _LISTS):
        items = _items(value)
        return ", ".join(_cell(compact(str(v))) for v in items) if items else ""
    if _missing(value):
        return ""
    if isinstance(value, float | np.floating):
        return f"{value:.6g}"
    text = str(value)
    if text.startswith(("http://", "https://")):
        text = compact(text)  # actor:uit rather than the full IRI
    return text


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"


_MIN_TEXT = 6
_READABLE = 30  # text columns narrower than this are hard to read: leave columns out instead
_OTHER = 24  # when an explanation is cut, other text columns give it their width beyond this
_KEEP = ("rank", "label", "label_a", "label_b", "score", "explanation")


def _fit(widths: list[int], numeric: list[bool], max_width: int) -> tuple[list[int], int] | None:
    """Column widths whose lines fit *max_width* and the cap of the text columns, or None if
    they cannot fit: text columns are narrowed to a common cap (never below 6 characters, or
    their natural width if that is less); numbers keep theirs."""
    gaps = 2 * (len(widths) - 1)

    def sizes(cap: int) -> list[int]:
        return [
            w if num else min(w, max(cap, min(w, _MIN_TEXT)))
            for w, num in zip(widths, numeric, strict=True)
        ]

    if gaps + sum(sizes(0)) > max_width:
        return None
    low, high = 0, max(widths)
    while low < high:  # the widest cap that fits
        mid = (low + high + 1) // 2
        low, high = (mid, high) if gaps + sum(sizes(mid)) <= max_width else (low, mid - 1)
    return sizes(low), low


def _favour(
    widths: list[int], natural: list[int], numeric: list[bool], shown: list[int], keep: int
) -> None:
    """Give column *keep* (the explanation) the width other text columns have beyond
    :data:`_OTHER` characters, as far as its text needs it; the line width stays the same."""
    for i in shown:
        want = natural[keep] - widths[keep]
        if want <= 0:
            return
        if i != keep and not numeric[i] and widths[i] > _OTHER:
            give = min(widths[i] - _OTHER, want)
            widths[i] -= give
            widths[keep] += give


def _table(frame: pd.DataFrame, max_width: int | None) -> str:
    """Aligned text table: text left-aligned, numbers right-aligned, IRIs shortened with the
    project prefixes. With *max_width*, text cells are cut (``…``) so lines fit; when that
    would leave text columns narrower than 30 characters, columns are left out from the
    right (never the first one, the rank, labels, score or explanation) and a last line
    names them."""
    columns = [str(c) for c in frame.columns]
    cells = [[_cell(v) for v in row] for row in frame.itertuples(index=False, name=None)]
    numeric = [
        pd.api.types.is_numeric_dtype(frame[c]) and not pd.api.types.is_bool_dtype(frame[c])
        for c in frame.columns
    ]
    widths = [max([len(h), *(len(r[i]) for r in cells)]) for i, h in enumerate(columns)]
    shown = list(range(len(columns)))
    if max_width is not None:
        droppable = [i for i in shown[1:] if columns[i] not in _KEEP]
        longest = max((w for w, num in zip(widths, numeric, strict=True) if not num), default=0)
        fitted = _fit(widths, numeric, max_width)
        while droppable and (fitted is None or fitted[1] < min(_READABLE, longest)):
            shown.remove(droppable.pop())  # too many columns to read any: leave some out
            fitted = _fit([widths[i] for i in shown], [numeric[i] for i in shown], max_width)
        if fitted is not None:
            natural = list(widths)
            for i, w in zip(shown, fitted[0], strict=True):
                widths[i] = w
            if "explanation" in columns and columns.index("explanation") in shown:
                _favour(widths, natural, numeric, shown, columns.index("explanation"))

    def line(values: list[str]) -> str:
        parts = [
            _cut(values[i], widths[i]).rjust(widths[i])
            if numeric[i]
            else _cut(values[i], widths[i]).ljust(widths[i])
            for i in shown
        ]
        return "  ".join(parts).rstrip()

    lines = [line(columns), *(line(r) for r in cells)]
    hidden = [c for i, c in enumerate(columns) if i not in shown]
    if hidden:
        note = f"({len(hidden)} more columns: {', '.join(hidden)}; see --wide or --format csv)"
        lines.append(note if max_width is None else _cut(note, max_width))
    return "\n".join(lines)


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [
        {str(k): json_value(v) for k, v in zip(frame.columns, row, strict=True)}
        for row in frame.itertuples(index=False, name=None)
    ]


def format_frame(frame: pd.DataFrame, fmt: str = "table", *, max_width: int | None = None) -> str:
    """Render *frame* as ``table`` (aligned text), ``csv`` (neutralised) or ``json`` (records).

    ``csv`` writes list cells joined by :data:`LIST_SEPARATOR` and prefixes every text cell
    starting with ``= + - @``, tab or CR with an apostrophe (:func:`neutralise`) so a
    spreadsheet shows it as text instead of running it; ``json`` is one array of objects with
    lists as arrays and missing values as ``null`` (:func:`json_value`); ``table`` shows text
    with control characters escaped and, with *max_width*, cuts text cells so every line
    fits that many characters (``None``: cells are never cut). Missing values are empty
    cells (CSV, table) or ``null`` (JSON) — never ``nan`` or ``None``.

    Examples
    --------
    >>> df = pd.DataFrame({"name": ["=cmd", "UiT"], "n": [1, 2], "tags": [("a", "b"), ()]})
    >>> print(format_frame(df, "csv"), end="")
    name,n,tags
    '=cmd,1,a|b
    UiT,2,
    >>> format_frame(df, "json")
    '[{"name": "=cmd", "n": 1, "tags": ["a", "b"]}, {"name": "UiT", "n": 2, "tags": []}]'
    >>> uit = "https://w3id.org/bioeco/id/actor/uit"
    >>> print(format_frame(pd.DataFrame({"x": [uit], "n": [12]})))
    x              n
    actor:uit     12
    >>> wide = pd.DataFrame({"rank": [1], "note": ["x" * 50], "explanation": ["y" * 60]})
    >>> print(format_frame(wide, max_width=60))
    rank  explanation
       1  yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy…
    (1 more columns: note; see --wide or --format csv)
    """
    if fmt == "csv":
        if not len(frame.columns):
            return frame.to_csv(index=False, lineterminator="\n")
        lines = [_csv_line([str(c) for c in frame.columns])]
        for row in frame.itertuples(index=False, name=None):
            lines.append(_csv_line([csv_value(v) for v in row]))
        return "\n".join(lines) + "\n"
    if fmt == "json":
        return json.dumps(_records(frame), ensure_ascii=False, allow_nan=False)
    if fmt == "table":
        if frame.empty:
            return "(no rows)" if len(frame.columns) else "(empty)"
        return _table(frame.map(_printable), max_width)
    raise ValueError(f"unknown format {fmt!r} (use one of {', '.join(FORMATS)})")


def _wrap(text: str, width: int | None) -> str:
    return text if width is None else textwrap.fill(text, width, break_on_hyphens=False)


def format_tables(
    tables: dict[str, pd.DataFrame],
    fmt: str = "table",
    *,
    names: Iterable[str] | None = None,
    max_width: int | None = None,
    notes: dict[str, str] | None = None,
) -> str:
    """Render several named tables as ONE document: a JSON object ``{name: [records]}``, or
    for ``table`` a ``== name (N rows)`` block per table. CSV holds one table only, so
    several tables in ``csv`` raise :class:`ValueError` (choose one with *names*). *notes*
    adds a line under a table of the table view (e.g. the terms it uses).

    Examples
    --------
    >>> t = {"a": pd.DataFrame({"x": [1]}), "b": pd.DataFrame({"y": [("p", "q")]})}
    >>> format_tables(t, "json")
    '{"a": [{"x": 1}], "b": [{"y": ["p", "q"]}]}'
    >>> print(format_tables(t, "csv", names=["b"]), end="")
    y
    p|q
    """
    chosen = {k: tables[k] for k in names} if names is not None else dict(tables)
    if fmt == "json":
        body = {name: _records(frame) for name, frame in chosen.items()}
        return json.dumps(body, ensure_ascii=False, allow_nan=False)
    if fmt == "csv":
        if len(chosen) != 1:
            raise ValueError(f"CSV holds one table; choose one of {', '.join(chosen)}")
        return format_frame(next(iter(chosen.values())), "csv")
    blocks = [
        f"== {name} ({len(frame)} rows)\n"
        + format_frame(frame, fmt, max_width=max_width)
        + (f"\n{_wrap(notes[name], max_width)}" if notes and name in notes else "")
        for name, frame in chosen.items()
    ]
    return "\n\n".join(blocks) + "\n"
