"""Change over time: what differs between the sources describing two years, and on what basis.

Each source document describes one year (``dcterms:temporal``, the ``covers`` column of
``sources.csv``; else the year issued) and one area (``dcterms:spatial``, ``coverage``). The
comparison of two years reads, for each year, only the facts of the sources describing it
(:func:`year_graph`) and reports four tables:

- ``change_continuity`` (:func:`continuity`): every actor (and every cluster-like initiative)
  that one of the two years' sources names: in both, only in the earlier or only in the later,
  and whether a difference is *stated* (a change event or a stated start or end date),
  rests on *external* knowledge (a change event with basis ``external`` and its citation, shown
  only when ``basis`` admits it) or is only *not observed* (one report does not name it, which
  is no evidence that it began or ceased).
- ``change_coverage`` (:func:`coverage_shift`): sector × stage counts of each year
  (:func:`~bioeco.analyses.gaps.coverage` on each year's graph, with its adjusted residuals) and
  their difference, with the adjusted residual of the years × cells table.
- ``change_overlap`` and ``change_bridges`` (:func:`overlap_shift`, :func:`bridge_shift`):
  overlapping initiative pairs (:func:`~bioeco.analyses.overlap.overlap_pairs`) and bridge
  candidates (:func:`~bioeco.analyses.bridges.actor_scores`, actors linking two sectors) found in
  one year and not the other.
- ``change_summary`` (:func:`change_summary`): the counts, stated and not observed apart.

Every row carries ``scope``: which actors a figure covers. The two sources need not cover the
same ground (the 2021 report covers one northern cluster, the 2017 report the nation), so by
default the comparison is restricted to the narrower of the two areas (:func:`resolve_scope`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd
from rdflib import Dataset, Graph

from bioeco.analyses.bridges import actor_scores
from bioeco.analyses.continuity import CONTINUITY_COLUMNS, PERSISTENT_INITIATIVE_TYPES, continuity
from bioeco.analyses.gaps import coverage
from bioeco.analyses.overlap import overlap_pairs
from bioeco.analyses.project import Network
from bioeco.analyses.valuechain import flag_words
from bioeco.analyses.years import (
    CHANGE_TABLES,
    DIFF_ORDER,
    STATUS_ORDER,
    Comparison,
    Scope,
    comparison,
    is_missing,
    resolve_scope,
    source_years,
    spanned_years,
    stated_dates,
    year_graph,
    year_network,
)

__all__ = [
    "BRIDGE_COLUMNS",
    "CHANGE_TABLES",
    "CONTINUITY_COLUMNS",
    "COVERAGE_SHIFT_COLUMNS",
    "OVERLAP_COLUMNS",
    "PERSISTENT_INITIATIVE_TYPES",
    "SUMMARY_COLUMNS",
    "Scope",
    "bridge_shift",
    "change_summary",
    "compare_years",
    "continuity",
    "coverage_shift",
    "overlap_shift",
    "resolve_scope",
    "source_years",
    "spanned_years",
    "year_graph",
]


COVERAGE_SHIFT_COLUMNS = [
    "entity",
    "sector",
    "stage",
    "count_from",
    "count_to",
    "difference",
    "residual_from",
    "residual_to",
    "flag_from",
    "flag_to",
    "shift_residual",
    "shift",
    "scope",
    "explanation",
]


OVERLAP_COLUMNS = [
    "rank",
    "label_a",
    "label_b",
    "status",
    "difference",
    "initiative_a",
    "initiative_b",
    "shared_members",
    "score",
    "scope",
    "explanation",
]


BRIDGE_COLUMNS = [
    "rank",
    "actor",
    "label",
    "status",
    "difference",
    "bridged_sectors",
    "score",
    "scope",
    "explanation",
]


SUMMARY_COLUMNS = ["table", "status", "difference", "count", "scope", "explanation"]


def _scope_kwargs(ctx: Comparison) -> dict[str, Any]:
    return {"sector": ctx.scope.code} if ctx.scope.kind == "sector" else {}


def _localise(ctx: Comparison, net: Network) -> Network:
    """The year's network restricted to the scope's members (region or cluster)."""
    if ctx.scope.kind == "region" and ctx.scope.code in net.codes("region"):
        # the full network's regions: a member's region may be recorded in the other year
        keep = {iri for iri in net.nodes.index if ctx.in_scope(iri)}
        edges = net.edges[net.edges["member"].isin(keep)].reset_index(drop=True)
        return replace(net, edges=edges)
    if ctx.scope.kind == "cluster":
        keep = set(ctx.cluster_members)
        edges = net.edges[net.edges["member"].isin(keep)].reset_index(drop=True)
        return replace(net, edges=edges)
    return net


def coverage_shift(ctx: Comparison, *, z: float = 1.96, thin: int = 3) -> pd.DataFrame:
    """Sector × stage counts in each year and their difference.

    Each year's counts, residuals and flags are :func:`~bioeco.analyses.gaps.coverage` of that
    year's graph (:func:`year_graph`) restricted to the scope. ``shift_residual`` applies the
    same adjusted standardised residual to the table of cells × the two years:
    ``(count_to - E) / sqrt(E · (1 - n/N) · (1 - T/N))`` with ``E = n · T / N``, ``n`` the
    cell's count over both years, ``T`` the later year's total and ``N`` the grand total; it is
    large and positive when the cell grew more than the whole table did. ``shift`` is
    ``more``/``fewer`` when ``|shift_residual| >= z``, else ``similar``. Cells empty in both
    years are left out.

    Columns
    -------
    entity : ``actors`` or ``initiatives``; sector, stage : codes
    count_from, count_to, difference : counts in each year and their difference
    residual_from, residual_to, flag_from, flag_to : as in ``gaps_coverage`` for each year
    shift_residual, shift : see above; scope; explanation
    """
    frames = {}
    for which, year in (("from", ctx.year_from), ("to", ctx.year_to)):
        net = year_network(ctx, year)
        if ctx.scope.kind in ("region", "cluster"):
            # count only what lies in the scope (judged on every year's facts: a member's
            # region may be recorded by the other year's source)
            keep = [iri for iri in net.nodes.index if ctx.in_scope(iri)]
            edges = net.edges[net.edges["member"].isin(keep)].reset_index(drop=True)
            net = replace(net, nodes=net.nodes.loc[keep], edges=edges)
        frames[which] = coverage(net, thin=thin, **_scope_kwargs(ctx))
    keys = ["entity", "sector", "stage"]
    a = frames["from"].set_index(keys)
    b = frames["to"].set_index(keys)
    index = a.index.union(b.index, sort=False)
    a, b = a.reindex(index), b.reindex(index)
    out = pd.DataFrame(index=index).reset_index()
    out["count_from"] = a["count"].fillna(0).astype(int).to_numpy()
    out["count_to"] = b["count"].fillna(0).astype(int).to_numpy()
    out["difference"] = out["count_to"] - out["count_from"]
    out["residual_from"] = a["residual"].to_numpy(float)
    out["residual_to"] = b["residual"].to_numpy(float)
    out["flag_from"] = a["flag"].fillna("empty").to_numpy()
    out["flag_to"] = b["flag"].fillna("empty").to_numpy()
    resid = np.full(len(out), np.nan)
    for kind in out["entity"].unique():
        mask = (out["entity"] == kind).to_numpy()
        n = (out.loc[mask, "count_from"] + out.loc[mask, "count_to"]).to_numpy(float)
        total_to = float(out.loc[mask, "count_to"].sum())
        grand = float(n.sum())
        if grand == 0:
            continue
        with np.errstate(divide="ignore", invalid="ignore"):
            expected = n * total_to / grand
            var = expected * (1 - n / grand) * (1 - total_to / grand)
            resid[mask] = np.where(
                var > 0,
                (out.loc[mask, "count_to"].to_numpy(float) - expected) / np.sqrt(var),
                np.nan,
            )
    out["shift_residual"] = resid
    shift = np.where(resid >= z, "more", np.where(resid <= -z, "fewer", "similar")).astype(object)
    both_empty = (out["count_from"] == 0) & (out["count_to"] == 0)
    shift[both_empty.to_numpy()] = "empty"
    out["shift"] = shift
    out = out[out["shift"] != "empty"].reset_index(drop=True)
    out["scope"] = ctx.scope.describe()
    texts = []
    for row in out.itertuples():
        noun = row.entity
        res = "undefined" if np.isnan(row.shift_residual) else f"{row.shift_residual:+.2f}"
        text = (
            f"{noun.capitalize()} in {row.sector} at stage {row.stage}: {row.count_from} in "
            f"{ctx.year_from}, {row.count_to} in {ctx.year_to} ({row.difference:+d})"
        )
        if row.shift in ("more", "fewer"):
            share = "more" if row.shift == "more" else "fewer"
            text += f"; {share} than the change of the whole table predicts"
        text += f", adjusted residual {res}"
        if row.flag_from != row.flag_to:
            text += (
                f"; flag {flag_words(row.flag_from)} in {ctx.year_from}, "
                f"{flag_words(row.flag_to)} in {ctx.year_to}"
            )
        texts.append(text + " (counts of what each year's sources name)")
    out["explanation"] = texts
    return out[COVERAGE_SHIFT_COLUMNS].reset_index(drop=True)


def _one_sided(ctx: Comparison, iris: Iterable[str], dates: Mapping[str, tuple]) -> str:
    """Stated reason why something present in one year cannot be in the other, or ''."""
    reasons = []
    for iri in iris:
        start, end, _where = dates.get(iri, (None, None, ""))
        if end is not None and end < ctx.year_to:
            reasons.append(f"{ctx.net.label(iri)} ended {end}")
        if start is not None and start > ctx.year_from:
            reasons.append(f"{ctx.net.label(iri)} started {start}")
    return "; ".join(reasons)


def overlap_shift(ctx: Comparison, *, min_shared: int = 2) -> pd.DataFrame:
    """Initiative pairs sharing at least *min_shared* members in one year and not the other.

    :func:`~bioeco.analyses.overlap.overlap_pairs` on each year's graph (restricted to the
    scope). A pair found in both years is listed with ``status`` ``both``. A pair found in one
    year only is ``stated`` when one of the two initiatives has a stated start or end that keeps
    it out of the other year, else ``not-observed``.

    Columns
    -------
    rank; initiative_a, initiative_b, label_a, label_b; status; difference;
    shared_members : ids shared in the year(s) found; score : overlap score (the later year's
    when found in both); scope; explanation
    """
    dates = stated_dates(ctx)
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for which, year in (("from", ctx.year_from), ("to", ctx.year_to)):
        net = _localise(ctx, year_network(ctx, year))
        pairs = overlap_pairs(net, min_shared=min_shared, **_scope_kwargs(ctx))
        for row in pairs.to_dict("records"):
            key = (row["initiative_a"], row["initiative_b"])
            entry = found.setdefault(
                key,
                {
                    "years": set(),
                    "shared": set(),
                    "score": np.nan,
                    "labels": (row["label_a"], row["label_b"]),
                },
            )
            entry["years"].add(which)
            entry["shared"].update(row["shared_members"])
            entry["score"] = row["score"]
    return _shift_rows(
        ctx,
        found,
        dates,
        OVERLAP_COLUMNS,
        lambda key, e: {
            "initiative_a": key[0],
            "initiative_b": key[1],
            "label_a": e["labels"][0],
            "label_b": e["labels"][1],
            "shared_members": tuple(sorted(e["shared"])),
        },
        lambda key, e: f"{e['labels'][0]} and {e['labels'][1]} share members",
        "overlap score",
    )


def bridge_shift(ctx: Comparison, *, seed: int = 42) -> pd.DataFrame:
    """Bridge candidates (actors linking two sectors) in one year and not the other.

    A bridge candidate of a year is an actor whose ``bridged_sectors`` in
    :func:`~bioeco.analyses.bridges.actor_scores` of that year's graph (restricted to the scope)
    is not empty: it takes part in initiatives with members of two sectors that share no
    sector. Status and difference as in :func:`overlap_shift`.

    Columns
    -------
    rank; actor; label; status; difference; bridged_sectors : the sector pair (the later
    year's when found in both); score : bridge score (idem); scope; explanation
    """
    dates = stated_dates(ctx)
    found: dict[tuple[str, ...], dict[str, Any]] = {}
    for which, year in (("from", ctx.year_from), ("to", ctx.year_to)):
        net = _localise(ctx, year_network(ctx, year))
        scores = actor_scores(net, seed=seed, **_scope_kwargs(ctx))
        for row in scores.to_dict("records"):
            if not row["bridged_sectors"] or row["kind"] != "actor":
                continue
            entry = found.setdefault(
                (row["actor"],), {"years": set(), "label": row["label"], "score": np.nan}
            )
            entry["years"].add(which)
            entry["bridged"] = tuple(row["bridged_sectors"])
            entry["score"] = row["score"]
    return _shift_rows(
        ctx,
        found,
        dates,
        BRIDGE_COLUMNS,
        lambda key, e: {"actor": key[0], "label": e["label"], "bridged_sectors": e["bridged"]},
        lambda key, e: f"{e['label']} bridges {' and '.join(e['bridged'])}",
        "bridge score",
    )


def _shift_rows(ctx, found, dates, columns, fields, head, measure) -> pd.DataFrame:
    rows = []
    for key, e in found.items():
        years = e["years"]
        status = (
            "both" if len(years) == 2 else ("only-earlier" if "from" in years else "only-later")
        )
        iris = [i for i in (_iri(ctx, k) for k in key) if i]
        if status == "both":
            difference, tail = "none", f"in {ctx.year_from} and in {ctx.year_to}"
        else:
            seen = ctx.year_from if status == "only-earlier" else ctx.year_to
            unseen = ctx.year_to if status == "only-earlier" else ctx.year_from
            stated = _one_sided(ctx, iris, dates)
            if stated:
                difference, tail = "stated", f"in {seen} only: {stated}"
            else:
                difference = "not-observed"
                tail = (
                    f"in {seen} only; not observed in {unseen}, where the sources may simply "
                    "not report it"
                )
        score = float(e["score"]) if not is_missing(e["score"]) else np.nan
        if not np.isnan(score):
            # the score of the later year the row was found in, on that year's memberships in
            # the compared scope: not the whole graph's score of the same pair or actor
            scored = ctx.year_to if "to" in years else ctx.year_from
            tail += f"; {measure} {score:.2f} in {scored} (that year's memberships in the scope)"
        rows.append(
            {
                **fields(key, e),
                "status": status,
                "difference": difference,
                "score": score,
                "scope": ctx.scope.describe(),
                "explanation": f"{head(key, e)} {tail}",
            }
        )
    frame = pd.DataFrame(rows, columns=[c for c in columns if c != "rank"])
    if not frame.empty:
        frame = frame.assign(
            _s=frame["status"].map(STATUS_ORDER), _d=frame["difference"].map(DIFF_ORDER)
        ).sort_values(["_s", "_d", "score"], ascending=[True, True, False], kind="mergesort")
        frame = frame.drop(columns=["_s", "_d"]).reset_index(drop=True)
    frame.insert(0, "rank", range(1, len(frame) + 1))
    return frame[columns]


def _iri(ctx: Comparison, ident: str) -> str | None:
    for prefix in ("", "https://w3id.org/bioeco/id/"):
        if prefix + ident in ctx.net.nodes.index:
            return prefix + ident
    return None


def change_summary(ctx: Comparison, tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """Counts of each table by status and difference (stated, external and not observed apart).

    Columns
    -------
    table; status; difference; count; scope; explanation (kept whole by ``--top``: no rank)
    """
    rows = []
    words = {
        "both": f"named in both {ctx.year_from} and {ctx.year_to}",
        "only-earlier": f"named in {ctx.year_from} only",
        "only-later": f"named in {ctx.year_to} only",
    }
    diff_words = {
        "none": "",
        "stated": "; the difference is stated (change event or stated date)",
        "external": "; the difference rests on outside knowledge, with a citation",
        "not-observed": "; the difference is only not observed (no evidence either way)",
    }
    what = {
        "change_continuity": (
            "actor or cluster-like initiative",
            "actors or cluster-like initiatives",
        ),
        "change_overlap": ("overlapping initiative pair", "overlapping initiative pairs"),
        "change_bridges": ("bridge candidate", "bridge candidates"),
    }
    for table, noun in what.items():
        frame = tables.get(table)
        if frame is None or frame.empty:
            continue
        counts = frame.groupby(["status", "difference"]).size()
        for (status, difference), n in counts.items():
            rows.append(
                {
                    "table": table,
                    "status": status,
                    "difference": difference,
                    "count": int(n),
                    "scope": ctx.scope.describe(),
                    "explanation": (f"{n} {noun[n != 1]} {words[status]}{diff_words[difference]}"),
                }
            )
    cov = tables.get("change_coverage")
    if cov is not None and not cov.empty:
        for shift in ("more", "fewer"):
            n = int((cov["shift"] == shift).sum())
            rows.append(
                {
                    "table": "change_coverage",
                    "status": shift,
                    "difference": "not-observed",
                    "count": n,
                    "scope": ctx.scope.describe(),
                    "explanation": (
                        f"{n} sector × stage {'cell' if n == 1 else 'cells'} with {shift} "
                        f"entities in {ctx.year_to} than the change of the whole table predicts "
                        "(counts of what each year's sources name, not changes observed on the "
                        "ground)"
                    ),
                }
            )
    frame = pd.DataFrame(rows, columns=SUMMARY_COLUMNS)
    frame = frame.assign(
        _t=frame["table"].map({t: i for i, t in enumerate(CHANGE_TABLES)}),
        _s=frame["status"].map(lambda s: STATUS_ORDER.get(s, 3)),
        _d=frame["difference"].map(DIFF_ORDER),
    ).sort_values(["_t", "_s", "_d", "status"], kind="mergesort")
    frame = frame.drop(columns=["_t", "_s", "_d"]).reset_index(drop=True)
    return frame[SUMMARY_COLUMNS]


def compare_years(
    graph: Graph | Dataset,
    year_from: int,
    year_to: int,
    *,
    scope: str | None = None,
    basis: str = "all",
    min_shared: int = 2,
    z: float = 1.96,
    thin: int = 3,
    seed: int = 42,
) -> dict[str, pd.DataFrame]:
    """Compare what the sources describing *year_from* and *year_to* say: the tables of
    :data:`CHANGE_TABLES` (see the module docstring and each function's columns).

    *scope*: see :func:`resolve_scope` (default: the narrower of the two sources' areas).
    *basis*: the weakest basis admitted (:data:`~bioeco.analyses.project.BASIS_LEVELS`); change
    events with basis external (successions no source states) appear only with ``external`` or
    ``all``. Raises :class:`~bioeco.errors.UsageError` for years no source describes, a bad
    scope or basis.

    Examples
    --------
    >>> from bioeco.analyses._change_fixture import example_dataset
    >>> out = compare_years(example_dataset(), 2017, 2021, scope="all", basis="inferred")
    >>> out["change_continuity"][["subject", "status", "difference"]]
                  subject        status    difference
    0          actor/beta          both        stated
    1         actor/alpha          both          none
    2  initiative/old-net  only-earlier        stated
    3       actor/epsilon  only-earlier  not-observed
    4         actor/gamma    only-later        stated
    5    initiative/north    only-later        stated
    6         actor/delta    only-later  not-observed
    >>> print(out["change_continuity"].loc[3, "explanation"])
    Epsilon Helse is named by the 2017 source (early) but not by the 2021 source (late): not
    observed in 2021, which is no evidence that it ceased; it lies outside the area those sources
    cover (nord-norge), so they would not be expected to name it
    """
    ctx = comparison(graph, year_from, year_to, scope, basis)
    tables: dict[str, pd.DataFrame] = {}
    tables["change_continuity"] = continuity(ctx)
    tables["change_coverage"] = coverage_shift(ctx, z=z, thin=thin)
    tables["change_overlap"] = overlap_shift(ctx, min_shared=min_shared)
    tables["change_bridges"] = bridge_shift(ctx, seed=seed)
    tables["change_summary"] = change_summary(ctx, tables)
    return {name: tables[name] for name in CHANGE_TABLES}
