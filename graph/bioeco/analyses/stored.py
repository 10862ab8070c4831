"""The analysis tables as ``bioeco analyze`` wrote them, read back: the manifest of
``out/analysis/`` (which graph and options the tables come from, each column's kind) and the
tables rebuilt from their CSV files with the same column kinds.

:func:`bioeco.pipeline.analysis_tables` uses this to reuse a current ``out/analysis/``
instead of running the analyses again (``report``, ``viz``, ``export``).
"""

from __future__ import annotations

import hashlib
import inspect
import io
import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from bioeco.core.safeio import MAX_GRAPH_BYTES, read_bounded

__all__ = [
    "MANIFEST",
    "cell_text",
    "column_kinds",
    "manifest_text",
    "options_key",
    "read_manifest",
    "read_table",
]

MANIFEST = "manifest.json"
"""Name of the manifest in ``out/analysis/``, written in the same set as the tables."""

_FORMAT = 1
#: The defaults of the options no analysis function's signature holds.
_RUN_DEFAULTS: dict[str, Any] = {"basis": "all", "seed": 42}
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _defaults() -> dict[str, Any]:
    """The default of every option of :func:`bioeco.analyses.run.run_analyses`, read from the
    analysis functions' own signatures (so a new default needs no change here)."""
    from bioeco.analyses import bridges, change, gaps, overlap
    from bioeco.analyses.run import THRESHOLDS

    found: dict[str, Any] = dict(_RUN_DEFAULTS)
    functions = (
        gaps.coverage,
        gaps.structural_gaps,
        overlap.overlap_pairs,
        bridges.actor_scores,
        bridges.brokerage,
        bridges.pair_suggestions,
        change.compare_years,
    )
    for function in functions:
        for name, param in inspect.signature(function).parameters.items():
            if name in THRESHOLDS and param.default is not inspect.Parameter.empty:
                found.setdefault(name, param.default)
    return found


def options_key(options: Mapping[str, Any]) -> dict[str, Any]:
    """The options of a run of the analyses that decide its tables, as JSON-ready values:
    ``None`` and values equal to the default left out (``min_shared=2`` is no option), so
    a caller naming a default and one leaving it out ask for the same tables.

    Examples
    --------
    >>> options_key({"min_shared": 2, "seed": 42, "sector": None, "region": "tromso"})
    {'region': 'tromso'}
    >>> options_key({"min_jaccard": 0.5, "as_of": 2021})
    {'as_of': 2021, 'min_jaccard': 0.5}
    """
    # the defaults come from the analysis functions' signatures, which imports them all
    # (igraph, and matplotlib with it, about 1 s): only when an option other than these
    # defaults is given (``export`` and ``report`` pass basis="all")
    given = {n: v for n, v in options.items() if v is not None}
    plain = all(n in _RUN_DEFAULTS and v == _RUN_DEFAULTS[n] for n, v in given.items())
    defaults = _defaults() if not plain else _RUN_DEFAULTS
    key = {}
    for name, value in sorted(options.items()):
        if value is None or (name in defaults and value == defaults[name]):
            continue
        key[name] = value if isinstance(value, str | int | float | bool) else str(value)
    return key


def _kind(values: list[Any], dtype: Any) -> str:
    if pd.api.types.is_bool_dtype(dtype):
        return "bool"
    if pd.api.types.is_integer_dtype(dtype):
        return "int"
    if pd.api.types.is_float_dtype(dtype):
        return "float"
    if pd.api.types.is_string_dtype(dtype) and not pd.api.types.is_object_dtype(dtype):
        # pandas' string dtype; "str?" when it has missing values (nan), which the CSV
        # writes as empty cells as it writes empty text
        return "str?" if any(pd.isna(v) for v in values) else "str"
    present = [v for v in values if v is not None and not (isinstance(v, float) and math.isnan(v))]
    kinds = set()
    for v in present:
        if isinstance(v, list):
            kinds.add("list")
        elif isinstance(v, tuple):
            kinds.add("tuple")
        elif isinstance(v, bool | np.bool_):
            kinds.add("bool?")
        elif isinstance(v, int | np.integer):
            kinds.add("int?")
        elif isinstance(v, float | np.floating):
            kinds.add("float")
        else:
            kinds.add("text")
    if kinds == {"text"} and len(present) < len(values):
        return "text?"  # text and missing values (None)
    if len(kinds) == 1:
        return kinds.pop()
    if kinds <= {"int?", "float"}:
        return "float"
    if kinds <= {"list", "tuple"}:
        return "tuple"
    return "text?"


def column_kinds(frame: pd.DataFrame) -> dict[str, str]:
    """The kind of each column (``int``, ``float``, ``bool``, ``str`` (pandas' string dtype),
    ``text`` (an object column of text; ``text?`` with missing values), ``list``, ``tuple``,
    ``int?``/``bool?`` for an object column of those and missing values), so
    :func:`read_table` can rebuild the frame from its CSV text.

    Examples
    --------
    >>> column_kinds(pd.DataFrame({"a": [1], "b": [0.5], "c": [("x",)], "d": ["t"]}))
    {'a': 'int', 'b': 'float', 'c': 'tuple', 'd': 'str'}
    >>> column_kinds(pd.DataFrame({"e": pd.Series(["t", None], dtype=object)}))
    {'e': 'text?'}
    """
    return {str(c): _kind(frame[c].tolist(), frame[c].dtype) for c in frame.columns}


def _sha(text: str | bytes) -> str:
    return hashlib.sha256(text.encode("utf-8") if isinstance(text, str) else text).hexdigest()


def manifest_text(
    graph: str | None,
    kinds: list[str],
    options: Mapping[str, Any],
    tables: Mapping[str, pd.DataFrame],
    files: Mapping[str, str | bytes],
) -> str:
    """The manifest of a set of analysis tables: *graph* (the key of the graph analysed, see
    :func:`bioeco.pipeline.graph_key`; None when it cannot be told), the *kinds* asked, the
    :func:`options_key` of *options*, and per table its rows, :func:`column_kinds` and the
    SHA-256 of its CSV text (``files["<table>.csv"]``), so an edited file is not taken for
    the analysis's."""
    data = {
        "format": _FORMAT,
        "graph": graph,
        "kinds": list(kinds),
        "options": options_key(options),
        "tables": {
            name: {
                "rows": len(frame),
                "columns": column_kinds(frame),
                "sha256": _sha(files[f"{name}.csv"]),
                # what the table found, in words (``attrs["summary"]``): not in the CSV
                **({"summary": str(frame.attrs["summary"])} if frame.attrs.get("summary") else {}),
            }
            for name, frame in sorted(tables.items())
        },
    }
    return json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def read_manifest(folder: Path) -> dict | None:
    """The manifest of *folder* (``out/analysis``), or None when missing or unreadable."""
    try:
        data = json.loads(read_bounded(folder / MANIFEST, max_bytes=1 << 24, within=folder))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("format") != _FORMAT:
        return None
    if not isinstance(data.get("tables"), dict) or not isinstance(data.get("options"), dict):
        return None
    return data


def cell_text(cell: str) -> str | None:
    """A text cell of a written table as it was: None for an empty cell, without the
    apostrophe that kept formula-like text from running in a spreadsheet."""
    if cell == "":
        return None
    if cell.startswith("'") and cell[1:2] in _FORMULA and cell[1:2] != "":
        return cell[1:]  # the apostrophe that kept a spreadsheet from running it
    return cell


def _parts(cell: str, make: Any) -> Any:
    """A list cell's parts, each as :func:`cell_text` reads it; split alone when no part is
    empty or starts with an apostrophe (most cells: the same parts, a tenth of the time)."""
    if cell == "":
        return make()
    if "'" in cell or "||" in cell or cell[0] == "|" or cell[-1] == "|":
        return make(cell_text(p) for p in cell.split("|"))
    return make(cell.split("|"))


_TRUE = frozenset({"true", "True"})  # "True": tables written before booleans read "true"


def _cells(column: list[str], kind: str) -> Any:
    if kind == "int":
        return np.array([int(c) for c in column], dtype=np.int64)
    if kind == "float":
        return np.array([float(c) if c != "" else np.nan for c in column], dtype=np.float64)
    if kind == "bool":
        return np.array([c in _TRUE for c in column], dtype=bool)
    if kind == "int?":
        return [int(c) if c != "" else None for c in column]
    if kind == "bool?":
        return [(c in _TRUE) if c != "" else None for c in column]
    if kind in ("list", "tuple"):
        make = list if kind == "list" else tuple
        return [_parts(c, make) for c in column]
    if kind == "str":
        return pd.array([cell_text(c) or "" for c in column], dtype="str")
    if kind == "str?":
        return pd.array([cell_text(c) for c in column], dtype="str")
    if kind == "text":
        return pd.array([cell_text(c) or "" for c in column], dtype=object)
    return pd.array([cell_text(c) for c in column], dtype=object)


def read_table(path: Path, entry: Mapping[str, Any]) -> pd.DataFrame:
    """The table in the CSV file *path* (as :func:`bioeco.analyses.run.table_csv` wrote it),
    checked against its manifest *entry* (SHA-256, columns, rows) and each column rebuilt as
    the entry's column kinds say: numbers as numbers (floats as written, to 6 decimals), list
    cells split at ``|``, empty cells missing, the apostrophe put before formula-like text
    removed. Raises ``ValueError`` when the file is not the one the manifest describes."""
    try:
        raw = read_bounded(path, max_bytes=MAX_GRAPH_BYTES, within=path.parent)
    except OSError as exc:  # a FIFO, a device, a link out: not the file the manifest describes
        raise ValueError(f"{path.name}: {exc}") from None
    kinds = entry.get("columns") or {}
    if _sha(raw) != entry.get("sha256"):
        raise ValueError(f"{path.name} changed since the analysis wrote it")
    if not kinds:
        return pd.DataFrame(index=range(int(entry.get("rows", 0))))
    frame = pd.read_csv(io.BytesIO(raw), dtype=str, keep_default_na=False, na_filter=False)
    if sorted(frame.columns) != sorted(kinds) or len(frame) != entry.get("rows"):
        raise ValueError(f"{path.name}: columns differ from the manifest")
    table = pd.DataFrame(
        {col: _cells(frame[col].tolist(), kinds[col]) for col in frame.columns},
        columns=list(frame.columns),
    )
    if isinstance(entry.get("summary"), str):
        table.attrs["summary"] = entry["summary"]
    return table
