"""The analysis tables of a graph: read back from ``out/analysis/`` when ``bioeco analyze``
wrote them for the same graph and options, else computed (``report``, ``viz``, ``export``)."""

from __future__ import annotations

import warnings
from collections.abc import Collection
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bioeco.core.progress import step
from bioeco.pipeline.open_step import graph_key, read_files
from bioeco.store.freshness import StaleGraphWarning

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["AnalysisNotReusedWarning", "analysis_tables", "as_stored"]


class AnalysisNotReusedWarning(StaleGraphWarning):
    """``out/analysis/`` does not hold the tables asked for (another graph, other options,
    missing tables): they are computed instead (:func:`analysis_tables`)."""


def _analysis_folder(graph: Any, out_dir: Path | str | None) -> Path | None:
    """``<out_dir>/analysis``; without *out_dir*, the ``analysis`` folder next to the
    ``bioeco.trig`` *graph* was read from (``out/bioeco.trig``, its store, or ``--graph
    elsewhere/bioeco.trig``); None for any other graph (built in memory, ``--graph
    other.ttl``): no ``bioeco analyze`` wrote tables for it anywhere it could be found."""
    if out_dir is not None:
        return Path(out_dir) / "analysis"
    files = read_files(graph)
    if files is not None and files[0].name == "bioeco.trig":
        return files[0].parent / "analysis"
    return None


def analysis_tables(
    graph: Any,
    kinds: str | list[str] | tuple[str, ...] = ("gaps", "overlap", "bridges"),
    *,
    out_dir: Path | str | None = None,
    top: int | None = None,
    only: Collection[str] | None = None,
    **options: Any,
) -> dict[str, pd.DataFrame]:
    """The tables of :func:`bioeco.analyses.run.run_analyses` ``(graph, kinds, top=top,
    **options)``, read from ``<out>/analysis/`` when ``bioeco analyze`` wrote them there for
    the same graph and options; else computed, with an :class:`AnalysisNotReusedWarning`
    saying why in one line when ``<out>/analysis/`` holds tables (of another graph or other
    options). ``<out>`` is *out_dir*, else the folder of the ``bioeco.trig`` the graph was
    read from; any other graph (built in memory, read from another file) meets tables only
    when *out_dir* names them (otherwise it is computed, without a warning).

    The manifest ``out/analysis/manifest.json`` (written with the tables, in one set) names
    the graph (:func:`graph_key`: the SHA-256 of the file :func:`open_graph` read, so *graph*
    must come from :func:`open_graph`), the options (defaults left out:
    :func:`bioeco.analyses.stored.options_key`), the kinds, and per table its column kinds and
    the SHA-256 of its CSV file. The tables are reused when the graph's key is the manifest's,
    the options (``sector``, ``region``, ``as_of``, ``seed``, ``basis`` and the thresholds) are
    equal, every table the *kinds* make was written (``all`` only from an ``all`` run) and
    every file is unchanged; *top* is applied to the reused tables as
    :func:`bioeco.analyses.run.cut_top` does. Reused floats are as the CSV holds them (6
    decimals). ``report``, ``viz`` and ``export`` call this instead of ``run_analyses``.
    With *only* (table names), just those of the tables are returned, and only they are read
    back (the viewer needs two of the three bridges tables, whose files are tens of MB at
    national scale).
    """
    from bioeco.analyses.run import TABLES, cut_top, run_analyses
    from bioeco.analyses.stored import options_key, read_manifest, read_table

    asked = [kinds] if isinstance(kinds, str) else list(kinds)
    folder = _analysis_folder(graph, out_dir)
    # a graph not read from a bioeco.trig (built in memory, another file) meets no tables
    # unless out_dir names them: computed without a warning, as when nothing is there
    manifest = read_manifest(folder) if folder is not None and folder.is_dir() else None
    key = graph_key(graph) if manifest is not None else None
    if manifest is not None:
        held = manifest["tables"]
        if "all" in asked:
            wanted = list(held) if "all" in manifest.get("kinds", []) else None
        else:
            names = [n for k in asked for n in TABLES.get(k, (f"?{k}",))]
            wanted = names if all(n in held for n in names) else None
        if key is None:
            why = "the graph was not read from a file (built in memory)"
        elif manifest.get("graph") != key:
            why = "it was computed from another graph"
        elif manifest["options"] != options_key(options):
            why = "it was computed with other options"
        elif wanted is None:
            why = f"it lacks tables of {', '.join(asked)}"
        else:
            step("reading the analysis tables")
            try:
                keep = wanted if only is None else [n for n in wanted if n in only]
                tables = {name: read_table(folder / f"{name}.csv", held[name]) for name in keep}
            except (OSError, ValueError) as exc:
                why = str(exc) if isinstance(exc, ValueError) else "a table cannot be read"
            else:
                order = [n for k in TABLES for n in TABLES[k]]  # run_analyses' order
                rank = {n: order.index(n) if n in order else len(order) for n in tables}
                tables = {n: tables[n] for n in sorted(tables, key=rank.__getitem__)}
                return cut_top(tables, top)
    if manifest is None:  # nothing to reuse: as before
        return _only_tables(as_stored(run_analyses(graph, asked, top=top, **options)), only)
    warnings.warn(
        f"computing the analyses: {folder} is not of this graph and these options ({why}); "
        "`bioeco analyze all` with the same options writes tables to reuse",
        AnalysisNotReusedWarning,
        stacklevel=2,
    )
    return _only_tables(as_stored(run_analyses(graph, asked, top=top, **options)), only)


def _only_tables(
    tables: dict[str, pd.DataFrame], only: Collection[str] | None
) -> dict[str, pd.DataFrame]:
    return tables if only is None else {n: t for n, t in tables.items() if n in only}


def as_stored(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Float columns rounded as the CSV files store them (6 decimals, ``format_cell``), so a
    page shows the same number whether its tables were computed or read back."""
    out = {}
    for name, frame in tables.items():
        floats = frame.select_dtypes("float").columns
        if len(floats):
            frame = frame.copy()
            frame[floats] = frame[floats].round(6)
        out[name] = frame
    return out
