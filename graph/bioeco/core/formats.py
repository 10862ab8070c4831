"""Render DataFrames as text tables, findings, CSV or JSON, safely (no formula injection).

Each cell as CSV and JSON write it: :mod:`bioeco.core.values` (its public names are also
importable from here)."""

from __future__ import annotations

import json
import math
import textwrap
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from bioeco.core.values import (
    LIST_SEPARATOR,
    LIST_TYPES,
    compact_iri,
    compact_iris,
    csv_column_lines,
    csv_line,
    csv_value,
    csv_values,
    escape_controls,
    is_missing,
    json_value,
    list_items,
    neutralise,
    printable,
)
from bioeco.core.vocab import compact

__all__ = [
    "COLUMN_TITLES",
    "FORMATS",
    "LIST_SEPARATOR",
    "column_decimals",
    "column_title",
    "compact_iris",
    "csv_value",
    "csv_values",
    "escape_controls",
    "finding_columns",
    "format_frame",
    "format_tables",
    "json_value",
    "neutralise",
]

FORMATS = ("table", "text", "csv", "json")


def _cell(value: Any, decimals: int | None = None) -> str:
    """A cell for the table view: lists joined with commas, IRIs compacted, floats with the
    *decimals* of their column (:func:`column_decimals`), true and false as yes and no (as
    the report writes them).

    Examples
    --------
    >>> _cell(True), _cell(np.bool_(False)), _cell(0.5, 3), _cell(("a", "b"))
    ('yes', 'no', '0.500', 'a, b')
    """
    if isinstance(value, LIST_TYPES):
        items = list_items(value)
        return ", ".join(_cell(compact(str(v))) for v in items) if items else ""
    if is_missing(value):
        return ""
    if isinstance(value, bool | np.bool_):
        return "yes" if value else "no"
    if isinstance(value, float | np.floating):
        places = _places(float(value)) if decimals is None else decimals
        return f"{round(float(value), 6) + 0.0:.{places}f}"
    return compact_iri(str(value))


def _places(value: float) -> int:
    """Decimals *value* needs once rounded to 6 (as every CSV bioeco writes holds it)."""
    if not math.isfinite(value):
        return 0
    text = f"{round(value, 6):.6f}".rstrip("0")
    return len(text.split(".")[1])


def column_decimals(values: Iterable[Any]) -> int | None:
    """How many decimals a column of numbers prints with, in the table and findings views and
    the workbook alike: the fewest that show every value as the CSV holds it (rounded to 6
    decimals), so ``1`` and ``0.713675`` in one column print as ``1.000000`` and
    ``0.713675``. None for a column holding no float.

    Examples
    --------
    >>> column_decimals([1.0, 0.713675]), column_decimals([0.25, 0.5]), column_decimals([3, 4])
    (6, 2, None)
    >>> column_decimals([2.0, float("nan")])
    0
    """
    values = values if isinstance(values, list) else list(values)
    kinds = set(map(type, values))
    if kinds == {float}:
        floats = set(values)
    elif not any(issubclass(kind, float | np.floating) for kind in kinds):
        return None  # no float (a bool is no float subclass): found without a look at each
    else:
        floats = {
            float(v)
            for v in values
            if isinstance(v, float | np.floating) and not isinstance(v, bool | np.bool_)
        }
    if not floats:
        return None
    most = 0
    for value in floats:  # each distinct value once; 6 decimals are the most a value needs
        most = max(most, _places(value))
        if most == 6:
            break
    return most


def _formats(frame: pd.DataFrame) -> list[int | None]:
    return [column_decimals(frame.iloc[:, i].tolist()) for i in range(len(frame.columns))]


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


def _text_column(frame: pd.DataFrame, column: str) -> bool:
    """True for a column of plain text (no numbers, flags or lists)."""
    series = frame[column]
    if pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
        return False
    return not any(isinstance(v, LIST_TYPES) for v in series.tolist())


def finding_columns(frame: pd.DataFrame) -> tuple[list[str], list[str]]:
    """The columns that name a finding and its key numbers, for the findings view and the
    first columns of a workbook sheet: the names are ``label``, ``label_a`` and ``label_b``
    when the table has them, else its leading text columns that are not ids (values with a
    ``/``); the numbers are ``score`` then the other numeric columns, at most six (ranks and
    orders left out).

    Examples
    --------
    >>> df = pd.DataFrame({"rank": [1], "actor": ["actor/uit"], "label": ["UiT"],
    ...                    "degree": [3], "score": [0.5], "explanation": ["UiT links …"]})
    >>> finding_columns(df)
    (['label'], ['score', 'degree'])
    >>> cells = pd.DataFrame({"rank": [1], "entity": ["actors"], "sector": ["marine"],
    ...                       "stage_order": [1.0], "count": [0], "explanation": ["No …"]})
    >>> finding_columns(cells)
    (['entity', 'sector'], ['count'])
    """
    columns = [str(c) for c in frame.columns]
    names = [c for c in ("label", "label_a", "label_b") if c in columns]
    if not names:
        for column in columns:
            if column in ("rank", "explanation"):
                continue
            if not _text_column(frame, column):
                if names:
                    break
                continue
            values = [v for v in frame[column].tolist() if isinstance(v, str) and v]
            if values and not any("/" in v or v.startswith("http") for v in values):
                names.append(column)
    numbers = [
        c
        for c in columns
        if c not in ("rank", "explanation")
        and not c.endswith("_order")
        and pd.api.types.is_numeric_dtype(frame[c])
        and not pd.api.types.is_bool_dtype(frame[c])
    ]
    numbers = (["score"] if "score" in numbers else []) + [c for c in numbers if c != "score"]
    return names, numbers[:6]


def _ranked(frame: pd.DataFrame) -> pd.DataFrame:
    """*frame* in rank order when it has a numeric ``rank`` column (stable; no rank last).

    A table whose ranks are counted apart per group, each group in rank order from 1 (the
    actors of ``bridges_actors``, then the funders and initiatives ranked among themselves),
    keeps its order: sorted by rank alone, the groups' first rows would interleave.

    Examples
    --------
    >>> _ranked(pd.DataFrame({"rank": [3, 1, 2]}))["rank"].tolist()
    [1, 2, 3]
    >>> _ranked(pd.DataFrame({"rank": [1, 1, 3, 1, 2]}))["rank"].tolist()
    [1, 1, 3, 1, 2]
    """
    if "rank" not in frame.columns or not pd.api.types.is_numeric_dtype(frame["rank"]):
        return frame
    ranks = frame["rank"].tolist()
    if ranks and not any(pd.isna(r) for r in ranks):
        starts = [i for i in range(len(ranks)) if i == 0 or ranks[i] < ranks[i - 1]]
        if all(ranks[i] == 1 for i in starts):  # each run ascends from 1: groups ranked apart
            return frame.reset_index(drop=True)
    return frame.sort_values("rank", kind="stable", na_position="last").reset_index(drop=True)


def _table(frame: pd.DataFrame, max_width: int | None) -> tuple[str, bool]:
    """Aligned text table: text left-aligned, numbers right-aligned, IRIs shortened with the
    project prefixes, floats with one number of decimals per column. With *max_width*, the
    explanation gets the room first: columns are left out from the right (numbers and lists
    before text; never the first one, the rank, the names, the score or the explanation)
    until it shows whole or nothing more can go, and text cells are cut (``…``) so lines fit;
    a last line names the columns left out. Also says whether every explanation shows whole."""
    columns = [str(c) for c in frame.columns]
    decimals = _formats(frame)
    cells = [
        [_cell(v, d) for v, d in zip(row, decimals, strict=True)]
        for row in frame.itertuples(index=False, name=None)
    ]
    numeric = [
        pd.api.types.is_numeric_dtype(frame[c]) and not pd.api.types.is_bool_dtype(frame[c])
        for c in frame.columns
    ]
    widths = [max([len(h), *(len(r[i]) for r in cells)]) for i, h in enumerate(columns)]
    shown = list(range(len(columns)))
    if max_width is not None:
        names, _ = finding_columns(frame)
        keep = set(_KEEP) | set(names)
        text = [i for i in shown[1:] if columns[i] not in keep and _text_column(frame, columns[i])]
        rest = [i for i in shown[1:] if columns[i] not in keep and i not in text]
        droppable = text + rest  # popped from the end: numbers and lists first
        longest = max((w for w, num in zip(widths, numeric, strict=True) if not num), default=0)
        explain = columns.index("explanation") if "explanation" in columns else None
        natural = list(widths)

        def attempt() -> tuple[list[int], int] | None:
            fitted = _fit([natural[i] for i in shown], [numeric[i] for i in shown], max_width)
            if fitted is None:
                return None
            sized = list(natural)
            for i, w in zip(shown, fitted[0], strict=True):
                sized[i] = w
            if explain is not None:
                _favour(sized, natural, numeric, shown, explain)
            return sized, fitted[1]

        fitted = attempt()
        while droppable and (
            fitted is None
            or fitted[1] < min(_READABLE, longest)
            or (explain is not None and fitted[0][explain] < natural[explain])
        ):
            shown.remove(droppable.pop())  # leave columns out: the explanation comes first
            fitted = attempt()
        if fitted is not None:
            widths = fitted[0]

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
    if "explanation" not in columns:
        return "\n".join(lines), True
    at = columns.index("explanation")
    whole = at in shown and all(len(r[at]) <= widths[at] for r in cells)
    return "\n".join(lines), whole


COLUMN_TITLES: dict[str, str] = {
    "rank": "rank",
    "label": "name",
    "label_a": "first name",
    "label_b": "second name",
    "actor": "actor id",
    "actor_a": "first actor id",
    "actor_b": "second actor id",
    "initiative_a": "first initiative id",
    "initiative_b": "second initiative id",
    "subject": "id",
    "explanation": "explanation",
    "entity": "counted",
    "stage_order": "stage order",
    "count": "count",
    "row_total": "sector total",
    "col_total": "stage total",
    "total": "total",
    "expected": "expected count",
    "residual": "adjusted residual",
    "flag": "flag",
    "examples": "examples",
    "respondent_group": "respondent group",
    "share": "share of respondents",
    "sample_size": "respondents",
    "survey_source": "survey source",
    "graph_scope": "graph scope",
    "graph_actors": "actors in the graph",
    "graph_initiatives": "initiatives in the graph",
    "graph_share_actors": "share of classified actors",
    "graph_examples": "examples in the graph",
    "graph_sources": "graph sources",
    "sector_a": "first sector",
    "sector_b": "second sector",
    "members_a": "members of the first",
    "members_b": "members of the second",
    "observed": "shared initiatives",
    "std": "standard deviation",
    "z": "z-score",
    "p_value": "p-value",
    "ratio": "observed / expected",
    "gap": "gap",
    "significant": "significant",
    "shared_initiatives": "shared initiatives (names)",
    "type_a": "first type",
    "type_b": "second type",
    "shared": "shared members",
    "jaccard": "Jaccard index",
    "overlap": "overlap coefficient",
    "shared_members": "shared members (names)",
    "shared_sectors": "shared sectors",
    "shared_stages": "shared stages",
    "shared_organisers": "shared organisers",
    "aims_similarity": "similarity of aims",
    "part_of": "one part of the other",
    "consolidation": "consolidation candidate",
    "initiatives": "initiatives",
    "degree": "partners",
    "strength": "ties (weighted)",
    "betweenness": "betweenness",
    "betweenness_method": "betweenness method",
    "constraint": "Burt constraint",
    "effective_size": "effective size",
    "participation": "participation coefficient",
    "neighbour_sectors": "partners' sectors",
    "brokerage": "brokerage",
    "cross_sector_paths": "cross-sector two-paths",
    "bridged_sectors": "bridged sectors",
    "via": "through",
    "group": "sector group",
    "cross_group": "cross-group two-paths",
    "dominant_role": "main role",
    "example": "example",
    "sectors_a": "first's sectors",
    "sectors_b": "second's sectors",
    "common_neighbours": "partners in common",
    "common": "partners in common (names)",
    "resource_allocation": "resource allocation",
    "adamic_adar": "Adamic–Adar index",
    "soundarajan_hopcroft": "common partners in the same community (Soundarajan–Hopcroft)",
    "community_a": "first's community",
    "community_b": "second's community",
    "count_from": "count earlier",
    "count_to": "count later",
    "residual_from": "residual earlier",
    "residual_to": "residual later",
    "flag_from": "flag earlier",
    "flag_to": "flag later",
    "shift_residual": "shift residual",
    "names_from": "names earlier",
    "names_to": "names later",
    "in_view": "in view",
}
"""Column names of the analysis tables in words, for the findings view and workbook headers
(a column not listed reads with its ``_`` as spaces, :func:`column_title`)."""


def column_title(column: str) -> str:
    """The header of *column* in words.

    Examples
    --------
    >>> column_title("soundarajan_hopcroft")
    'common partners in the same community (Soundarajan–Hopcroft)'
    >>> column_title("new_column")
    'new column'
    """
    return COLUMN_TITLES.get(column, column.replace("_", " "))


def _items_lines(items: list[str], width: int | None) -> list[str]:
    """*items* joined by `` · `` on indented lines of at most *width* characters, never
    breaking an item."""
    lines: list[str] = []
    for item in items:
        if lines and (width is None or len(lines[-1]) + 3 + len(item) <= width):
            lines[-1] += " · " + item
        else:
            lines.append(item)
    return ["   " + line for line in lines]


def _findings(frame: pd.DataFrame, max_width: int | None) -> str:
    """One finding per paragraph: the rank and the names on the first line, then the
    explanation whole (wrapped to *max_width*), then the key numbers
    (:func:`finding_columns`), each number with its column's decimals."""
    names, numbers = finding_columns(frame)
    decimals = dict(zip(frame.columns, _formats(frame), strict=True))
    width = None if max_width is None else max(max_width - 3, 20)
    paragraphs = []
    for _, row in frame.iterrows():
        head = " · ".join(_cell(row[c]) for c in names if _cell(row[c])) or "(unnamed)"
        rank = row.get("rank")
        lead = f"{_cell(rank)}." if rank is not None and not is_missing(rank) else "-"
        lines = [f"{lead} {head}" if max_width is None else _cut(f"{lead} {head}", max_width)]
        explanation = row.get("explanation")
        if isinstance(explanation, str) and explanation:
            lines.append(_indent(explanation, width))
        shown = [
            f"{column_title(c)} {_cell(row[c], decimals[c])}"
            for c in numbers
            if not is_missing(row[c])
        ]
        if shown:
            lines.extend(_items_lines(shown, width))
        paragraphs.append("\n".join(lines))
    return "\n\n".join(paragraphs)


def _indent(text: str, width: int | None) -> str:
    if width is None:
        return "   " + text
    return textwrap.fill(
        text, width + 3, initial_indent="   ", subsequent_indent="   ", break_on_hyphens=False
    )


def fits(frame: pd.DataFrame, max_width: int | None) -> bool:
    """True when the table view of *frame* shows every explanation whole within *max_width*
    (always without a width or an ``explanation`` column).

    Examples
    --------
    >>> df = pd.DataFrame({"rank": [1], "explanation": ["x" * 50]})
    >>> fits(df, 80), fits(df, 40)
    (True, False)
    """
    if max_width is None or "explanation" not in frame.columns or frame.empty:
        return True
    return _table(frame.map(printable), max_width)[1]


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [
        {str(k): json_value(v) for k, v in zip(frame.columns, row, strict=True)}
        for row in frame.itertuples(index=False, name=None)
    ]


def format_frame(frame: pd.DataFrame, fmt: str = "table", *, max_width: int | None = None) -> str:
    """Render *frame* as ``table`` (aligned text), ``text`` (one finding per paragraph),
    ``auto`` (the table when it shows every explanation whole in *max_width*, else the
    findings), ``csv`` (neutralised) or ``json`` (records).

    ``csv`` writes list cells joined by :data:`LIST_SEPARATOR` and prefixes every text cell
    starting with ``= + - @``, tab or CR with an apostrophe (:func:`neutralise`) so a
    spreadsheet shows it as text instead of running it; ``json`` is one array of objects with
    lists as arrays and missing values as ``null`` (:func:`json_value`); ``table`` shows text
    with control characters escaped and, with *max_width*, cuts text cells so every line
    fits that many characters (``None``: cells are never cut); ``text`` prints per row its
    rank and names, the explanation whole (wrapped) and its key numbers
    (:func:`finding_columns`). Rows print in the order given (a query's ``ORDER BY`` holds;
    :func:`format_tables` puts ranked tables in rank order); floats print with one number of
    decimals per column (:func:`column_decimals`). Missing values are
    empty cells (CSV, table) or ``null`` (JSON) — never ``nan`` or ``None``.

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
    >>> wide = pd.DataFrame({"rank": [1], "label": ["UiT"], "note": ["x" * 50],
    ...                      "explanation": ["y" * 60]})
    >>> print(format_frame(wide, max_width=60))
    rank  label  explanation
       1  UiT    yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy…
    (1 more columns: note; see --wide or --format csv)
    >>> found = pd.DataFrame({"rank": [2, 1], "label": ["Nofima", "UiT"], "score": [1.0, 0.5],
    ...                       "explanation": ["Nofima links marine and food.", "UiT links two."]})
    >>> print(format_frame(found, "text", max_width=40))
    2. Nofima
       Nofima links marine and food.
       score 1.0
    <BLANKLINE>
    1. UiT
       UiT links two.
       score 0.5
    """
    if fmt == "csv":
        if not len(frame.columns):
            return frame.to_csv(index=False, lineterminator="\n")
        lines = [csv_line([str(c) for c in frame.columns])]
        cells = [csv_values(frame.iloc[:, i].tolist()) for i in range(len(frame.columns))]
        lines += csv_column_lines(cells)
        return "\n".join(lines) + "\n"
    if fmt == "json":
        return json.dumps(_records(frame), ensure_ascii=False, allow_nan=False)
    if fmt == "auto":
        fmt = "table" if fits(frame, max_width) else "text"
    if fmt == "table":
        if frame.empty:
            return "(no rows)" if len(frame.columns) else "(empty)"
        return _table(frame.map(printable), max_width)[0]
    if fmt == "text":
        if frame.empty:
            return "(no rows)" if len(frame.columns) else "(empty)"
        return _findings(frame.map(printable), max_width)
    raise ValueError(f"unknown format {fmt!r} (use one of {', '.join(FORMATS)})")


_NO_BREAK = "\ue000"  # a private-use character: a space the filling must not break at


def _wrap(text: str, width: int | None) -> str:
    """*text* filled to *width*, each of its lines a paragraph of its own; a pointer such as
    ``(see docs/glossary.md)`` stays on one line.

    Examples
    --------
    >>> print(_wrap("Terms: betweenness, Burt constraint (see docs/glossary.md)", 44))
    Terms: betweenness, Burt constraint
    (see docs/glossary.md)
    """
    if width is None:
        return text
    return "\n".join(
        textwrap.fill(line.replace("(see ", f"(see{_NO_BREAK}"), width, break_on_hyphens=False)
        for line in text.split("\n")
    ).replace(_NO_BREAK, " ")


def format_tables(
    tables: dict[str, pd.DataFrame],
    fmt: str = "table",
    *,
    names: Iterable[str] | None = None,
    max_width: int | None = None,
    notes: dict[str, str] | None = None,
) -> str:
    """Render several named tables as ONE document: a JSON object ``{name: [records]}``, or
    for ``table``, ``text`` and ``auto`` a ``== name (N rows)`` block per table, ranked
    tables (a ``rank`` column) in rank order (``auto`` chooses per table,
    :func:`format_frame`). CSV holds one table only, so
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
        + format_frame(_ranked(frame), fmt, max_width=max_width)
        + (f"\n{_wrap(notes[name], max_width)}" if notes and name in notes else "")
        for name, frame in chosen.items()
    ]
    return "\n\n".join(blocks) + "\n"
