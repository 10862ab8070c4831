"""Shared by the gap tables: the entities counted, their names, code checks, Benjamini–Hochberg."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from bioeco.analyses.project import Network
from bioeco.errors import UsageError

__all__ = [
    "bh_adjust",
    "check_code",
    "counted_entities",
    "name_list",
]


def name_list(net: Network, iris: list[str], limit: int = 3) -> str:
    """The labels of *iris* in a sentence: the first *limit* in sort order, then how many more."""
    labels = sorted(net.label(i) for i in iris)
    more = len(labels) - limit
    return ", ".join(labels[:limit]) + (f" and {more} more" if more > 0 else "")


def counted_entities(net: Network, kind: str) -> list[str]:
    """Entities of *kind* counted by the coverage (all, or those active in ``net.as_of``)."""
    frame = net.nodes[net.nodes["kind"] == kind]
    if net.as_of is None:
        return sorted(frame.index)
    year = net.as_of
    if kind == "actor":
        return sorted(set(frame.index.tolist()) & set(net.edges["member"].tolist()))
    out = []
    with_members = set(net.initiatives)
    for iri, start, end in zip(frame.index, frame["start"], frame["end"], strict=True):
        dated = pd.notna(start) or pd.notna(end)
        covers = (pd.isna(start) or start <= year) and (pd.isna(end) or year <= end)
        if (dated and covers) or iri in with_members:
            out.append(iri)
    return sorted(out)


def check_code(net: Network, scheme: str, code: str | None) -> None:
    """A usage error when *code* is given and is not a code of *scheme* in the graph."""
    if code is not None and code not in net.codes(scheme):
        known = ", ".join(net.codes(scheme)) or "none"
        raise UsageError(f"unknown {scheme} {code!r}: known {scheme} codes are {known}")


def bh_adjust(p_values: Sequence[float] | np.ndarray) -> np.ndarray:
    """Benjamini–Hochberg adjusted p-values (q-values) of a family of tests.

    ``q_(i) = min over j >= i of p_(j) · m / j`` (p sorted ascending, m tests, capped at 1):
    calling every test with ``q <= alpha`` a finding controls the false discovery rate (the
    expected share of false findings among those called) at *alpha* when the tests are
    independent or positively dependent (Benjamini and Hochberg 1995). NaN p-values are not
    tested and stay NaN.

    Examples
    --------
    >>> bh_adjust([0.01, 0.04, 0.03, 0.5]).round(3).tolist()
    [0.04, 0.053, 0.053, 0.5]
    >>> bh_adjust([float("nan"), 0.02]).tolist()
    [nan, 0.02]
    """
    p = np.asarray(p_values, dtype=float)
    out = np.full(len(p), np.nan)
    tested = np.flatnonzero(~np.isnan(p))
    m = len(tested)
    if m == 0:
        return out
    order = tested[np.argsort(p[tested], kind="mergesort")]
    ranked = p[order] * m / np.arange(1, m + 1)
    out[order] = np.minimum(np.minimum.accumulate(ranked[::-1])[::-1], 1.0)
    return out
