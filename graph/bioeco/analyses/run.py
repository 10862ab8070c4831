"""One entry point for the CLI: run the analyses, and write their tables as safe, stable CSV."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from rdflib import Dataset, Graph

from bioeco.analyses.project import Network, load_network
from bioeco.analyses.tablecsv import format_cell, table_csv
from bioeco.analyses.years import CHANGE_TABLES, spanned_years
from bioeco.core.atomic import atomic_write_many
from bioeco.core.progress import step
from bioeco.errors import UsageError

__all__ = [
    "CANDIDATE_TABLES",
    "GLOSSARY",
    "KINDS",
    "TABLES",
    "TERMS",
    "THRESHOLDS",
    "csv_files",
    "cut_top",
    "format_cell",
    "run_analyses",
    "table_csv",
    "write_csvs",
]

#: Tables produced per analysis kind, in output order.
TABLES: dict[str, tuple[str, ...]] = {
    "gaps": ("gaps_coverage", "gaps_survey", "gaps_structural"),
    "overlap": ("overlap_pairs",),
    "bridges": ("bridges_actors", "bridges_brokerage", "bridges_pairs"),
    "change": CHANGE_TABLES,
}
KINDS = tuple(TABLES)

#: Terms each table's explanations and columns use, as headed in docs/glossary.md.
TERMS: dict[str, tuple[str, ...]] = {
    "gaps_coverage": (
        "empty and thin cells",
        "expected count",
        "adjusted residual",
        "not expected",
        "Benjamini–Hochberg adjustment",
        "uncertain cell",
    ),
    "gaps_survey": ("survey comparison",),
    "gaps_structural": (
        "shuffled sectors",
        "z-score",
        "permutation p-value",
        "Benjamini–Hochberg adjustment",
        "detectable shortfall",
    ),
    "overlap_pairs": (
        "Jaccard index",
        "overlap coefficient",
        "organiser-role holders",
        "comparison",
        "relation",
        "consolidation candidate",
    ),
    "bridges_actors": (
        "role",
        "open two-path",
        "betweenness",
        "participation coefficient",
        "Burt constraint",
        "effective size",
    ),
    "bridges_brokerage": ("sector group", "open two-path", "Gould–Fernandez roles"),
    "bridges_pairs": (
        "resource allocation",
        "Louvain community",
        "Adamic–Adar",
        "Soundarajan–Hopcroft",
    ),
    "change_summary": (),
    "change_continuity": (),
    "change_coverage": ("adjusted residual", "empty and thin cells"),
    "change_overlap": (),
    "change_bridges": (),
}

#: Where the terms are explained.
GLOSSARY = "docs/glossary.md"

#: Ranked tables of candidates: a row whose score is 0 (no betweenness and no cross-sector
#: path, no cross-group brokerage, no overlap) is not a candidate and is left out.
CANDIDATE_TABLES = ("overlap_pairs", "bridges_actors", "bridges_brokerage", "bridges_pairs")

#: Keyword thresholds accepted by :func:`run_analyses` and the tables they affect.
THRESHOLDS: dict[str, tuple[str, ...]] = {
    "basis": ("*",),
    "thin": ("gaps_coverage",),
    "z": CHANGE_TABLES,
    "type": ("gaps_coverage", "overlap_pairs"),
    "kind": ("overlap_pairs",),
    "alpha": ("gaps_coverage", "gaps_structural"),
    "min_shared": ("overlap_pairs",),
    "min_jaccard": ("overlap_pairs",),
    "min_overlap": ("overlap_pairs",),
    "consolidation_jaccard": ("overlap_pairs",),
    "consolidation_aims": ("overlap_pairs",),
    "exact_max_nodes": ("bridges_actors",),
    "k": ("bridges_actors",),
    "weight": ("bridges_actors",),
    "community": ("bridges_pairs",),
    "min_common": ("bridges_pairs",),
    "max_pairs": ("bridges_pairs",),
    "year_from": CHANGE_TABLES,
    "year_to": CHANGE_TABLES,
    "scope": CHANGE_TABLES,
}

_NAME = re.compile(r"^[a-z0-9][a-z0-9_]*$")


def _pick(thresholds: Mapping[str, Any], table: str) -> dict[str, Any]:
    return {k: v for k, v in thresholds.items() if k != "basis" and table in THRESHOLDS.get(k, ())}


def _check_code(net: Network, scheme: str, code: str | None) -> None:
    if code is not None and code not in net.codes(scheme):
        known = ", ".join(net.codes(scheme)) or "none"
        raise UsageError(f"unknown {scheme} {code!r}: known {scheme} codes are {known}")


def _change(
    graph: Graph | Dataset,
    thresholds: Mapping[str, Any],
    *,
    sector: str | None,
    region: str | None,
    seed: int,
) -> dict[str, pd.DataFrame]:
    """The change tables: years default to the first and last the sources describe; the scope
    to ``--scope``, else the region or sector given, else the comparison's own default."""
    if not isinstance(graph, Dataset):
        raise UsageError(
            "the change analysis reads each source's named graph and needs a local graph "
            "(--data or --graph), not an endpoint"
        )
    years = spanned_years(graph)
    if len(years) < 2 and ("year_from" not in thresholds or "year_to" not in thresholds):
        raise UsageError(
            "the change analysis needs sources describing two years (found: "
            f"{', '.join(map(str, years)) or 'none'})"
        )
    scope = thresholds.get("scope")
    if scope is None and region is not None:
        scope = f"region:{region}"
    elif scope is None and sector is not None:
        scope = f"sector:{sector}"
    options = {k: thresholds[k] for k in ("min_shared", "z", "thin") if k in thresholds}
    from bioeco.analyses.change import compare_years

    return compare_years(
        graph,
        thresholds.get("year_from", years[0] if years else None),
        thresholds.get("year_to", years[-1] if years else None),
        scope=scope,
        basis=thresholds.get("basis", "all"),
        seed=seed,
        **options,
    )


def run_analyses(
    graph: Graph | Dataset,
    kinds: Iterable[str] = ("gaps", "overlap", "bridges"),
    *,
    top: int | None = None,
    sector: str | None = None,
    region: str | None = None,
    as_of: int | None = None,
    seed: int = 42,
    network: Callable[[Network], None] | None = None,
    **thresholds: Any,
) -> dict[str, pd.DataFrame]:
    """Run the requested analyses on *graph* and return their tables by name.

    *kinds*: any of ``gaps``, ``overlap``, ``bridges`` (or ``all``). Tables:
    ``gaps_coverage`` (:func:`~bioeco.analyses.gaps.coverage`), ``gaps_survey``
    (:func:`~bioeco.analyses.gaps.survey_comparison`), ``gaps_structural``
    (:func:`~bioeco.analyses.gaps.structural_gaps`), ``overlap_pairs``
    (:func:`~bioeco.analyses.overlap.overlap_pairs`), ``bridges_actors``
    (:func:`~bioeco.analyses.bridges.actor_scores`), ``bridges_brokerage``
    (:func:`~bioeco.analyses.bridges.brokerage`), ``bridges_pairs``
    (:func:`~bioeco.analyses.bridges.pair_suggestions`); their docstrings list the columns.

    The graph is read once (:func:`~bioeco.analyses.project.load_network` with *as_of* and the
    ``basis`` threshold). *region* restricts the network to members located there (or below)
    for overlap, structural gaps and bridge actors, and filters the counted entities of the
    coverage; the pair suggestions are pairs of actors located there, whose common co-members
    may be anywhere.
    *sector* keeps the rows about that sector (or below); metrics are computed on the whole
    network first so they are not distorted. The candidate tables (:data:`CANDIDATE_TABLES`)
    leave out rows whose score is 0, so a filter never ranks a node that bridges nothing.
    *top* keeps the rows ranked 1 to N of every ranked table (:func:`cut_top`; the coverage
    ranks its cells from the most under-represented and keeps its matrix order); the survey
    comparison is kept whole.
    ``change`` adds the tables of :func:`~bioeco.analyses.change.compare_years` (thresholds
    ``year_from``, ``year_to`` (default: the first and last year the sources describe) and
    ``scope`` (default ``region:``/``sector:`` of *region*/*sector*, else the narrower of the two
    sources' areas)); ``all`` includes it when the sources describe more than one year.
    *thresholds* are passed to the functions that take them (see :data:`THRESHOLDS`).
    *network*, when given, is called with the network read (before *region* restricts it).
    Unknown kinds, thresholds, sector or region codes raise :class:`~bioeco.errors.UsageError`.

    Examples
    --------
    >>> from bioeco.analyses._fixture import example_graph
    >>> out = run_analyses(example_graph(), ["overlap", "bridges"], top=2, min_shared=2)
    >>> list(out), len(out["overlap_pairs"])
    (['overlap_pairs', 'bridges_actors', 'bridges_brokerage', 'bridges_pairs'], 1)
    >>> run_analyses(example_graph(), sector="space")
    Traceback (most recent call last):
    ...
    bioeco.errors.UsageError: unknown sector 'space': known sector codes are ...
    """
    kinds = [kinds] if isinstance(kinds, str) else list(kinds)
    if "all" in kinds:  # change only for a local dataset whose sources describe two years
        years = spanned_years(graph) if isinstance(graph, Dataset) else []
        kinds = [k for k in KINDS if k != "change" or len(years) > 1]
    unknown = [k for k in kinds if k not in TABLES]
    if unknown or not kinds:
        raise UsageError(
            f"unknown analysis {', '.join(unknown) or '(none)'}: "
            "use gaps, overlap, bridges, change or all"
        )
    bad = sorted(set(thresholds) - set(THRESHOLDS))
    if bad:
        raise UsageError(
            f"unknown option {', '.join(bad)}: known options are {', '.join(sorted(THRESHOLDS))}"
        )
    if top is not None and (not isinstance(top, int | np.integer) or top < 1):
        raise UsageError(f"top must be a positive integer, not {top!r}")
    if as_of is not None and (not isinstance(as_of, int | np.integer) or not 1 <= as_of <= 9999):
        raise UsageError(f"as_of must be a year between 1 and 9999, not {as_of!r}")
    basis = thresholds.get("basis", "all")
    # the analyses are imported when they run: reading tables back (report, export) and
    # formatting cells need neither scipy.stats nor igraph
    from bioeco.analyses.bridges import actor_scores, brokerage, pair_suggestions
    from bioeco.analyses.gaps import coverage, structural_gaps, survey_comparison
    from bioeco.analyses.overlap import overlap_pairs

    step("reading the network")
    net = load_network(graph, as_of=as_of, basis=basis)
    if network is not None:
        network(net)
    _check_code(net, "sector", sector)
    _check_code(net, "region", region)
    local = net.restrict_region(region) if region else net

    ordered = [k for k in KINDS if k in kinds]
    out: dict[str, pd.DataFrame] = {}
    for kind in ordered:
        step(f"analysing {kind}")
        if kind == "gaps":
            out["gaps_coverage"] = coverage(
                net, region=region, sector=sector, **_pick(thresholds, "gaps_coverage")
            )
            out["gaps_survey"] = survey_comparison(graph, network=net, sector=sector)
            out["gaps_structural"] = structural_gaps(
                local, sector=sector, seed=seed, **_pick(thresholds, "gaps_structural")
            )
        elif kind == "overlap":
            out["overlap_pairs"] = overlap_pairs(
                local, sector=sector, **_pick(thresholds, "overlap_pairs")
            )
        elif kind == "change":
            out.update(_change(graph, thresholds, sector=sector, region=region, seed=seed))
        else:
            out["bridges_actors"] = actor_scores(
                local, sector=sector, seed=seed, **_pick(thresholds, "bridges_actors")
            )
            out["bridges_brokerage"] = brokerage(local, sector=sector)
            # pairs inside the region, with their common co-members anywhere
            out["bridges_pairs"] = pair_suggestions(
                net,
                sector=sector,
                region=region,
                seed=seed,
                top=top,
                **_pick(thresholds, "bridges_pairs"),
            )
    out = {name: _candidates(df) if name in CANDIDATE_TABLES else df for name, df in out.items()}
    return cut_top(out, top)


def _candidates(df: pd.DataFrame) -> pd.DataFrame:
    """Rows with a positive score (a score of 0 is no candidate). Their ranks are kept: rows
    scoring 0 come last in each ranking, so the ranks before them do not change (and ranks
    shared by equal scores, or counted apart for the bridges' hubs, stay as they are)."""
    if df.empty or "score" not in df.columns:
        return df
    return df[df["score"].astype(float) > 0].reset_index(drop=True)


def cut_top(tables: Mapping[str, pd.DataFrame], top: int | None) -> dict[str, pd.DataFrame]:
    """Keep the rows ranked 1 to *top* of every table with a ``rank`` column (all when *top*
    is None); tables without a rank (the survey comparison) are kept whole.

    Examples
    --------
    >>> t = {"a": pd.DataFrame({"rank": [2, 1, 3]}), "b": pd.DataFrame({"x": [1, 2]})}
    >>> {k: len(v) for k, v in cut_top(t, 1).items()}, cut_top(t, 1)["a"]["rank"].tolist()
    ({'a': 1, 'b': 2}, [1])
    """
    if top is None:
        return dict(tables)
    return {
        name: (df[df["rank"] <= top].reset_index(drop=True) if "rank" in df.columns else df)
        for name, df in tables.items()
    }


def csv_files(results: Mapping[str, pd.DataFrame], out_dir: str | os.PathLike) -> dict[Path, str]:
    """The CSV text of each table, keyed by its path ``out_dir/<name>.csv`` (nothing written).

    Each table is rendered by :func:`table_csv` (formula-safe, CR/LF quoted, lists joined by
    ``|``); names must be lowercase letters, digits and ``_``.
    """
    out = Path(out_dir)
    for name in results:
        if not _NAME.match(name):
            raise UsageError(f"invalid table name {name!r}: use lowercase letters, digits and _")
    return {out / f"{name}.csv": table_csv(results[name]) for name in sorted(results)}


def write_csvs(results: Mapping[str, pd.DataFrame], out_dir: str | os.PathLike) -> list[Path]:
    """Write each table to ``out_dir/<name>.csv`` atomically; return the paths, sorted.

    All files are written to temporary files in *out_dir* and then moved into place
    (:func:`graph.export.atomic_write_many`), so a reader never sees a half-written file and an
    interrupted run leaves the previous files intact. Cells holding CR/LF are quoted
    (:func:`bioeco.core.formats.format_frame`). Output is deterministic (row order as given,
    ``\\n`` line
    ends, UTF-8, floats rounded to 6 decimals) and cells go through :func:`format_cell`.

    Examples
    --------
    >>> import tempfile
    >>> table = pd.DataFrame({"a": ["=1+1", "x"], "b": [1 / 3, 2.0]})
    >>> with tempfile.TemporaryDirectory() as d:
    ...     paths = write_csvs({"demo": table}, d)
    ...     print(paths[0].read_text(), end="")
    a,b
    '=1+1,0.333333
    x,2.0
    """
    return sorted(atomic_write_many(csv_files(results, out_dir), make_folders=True))
