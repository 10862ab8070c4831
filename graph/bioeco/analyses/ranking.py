"""Shared by the bridges tables: ranks that tie on equal scores, and the sector filter."""

from __future__ import annotations

import numpy as np
import pandas as pd

from bioeco.analyses.project import Network
from bioeco.errors import UsageError

__all__ = [
    "sector_filter",
    "tie_ranks",
]


def tie_ranks(df: pd.DataFrame, group: pd.Series | None = None) -> tuple[np.ndarray, list[str]]:
    """Ranks of the rows of *df* (already sorted best first) by ``score``: equal scores share
    the best rank of their group (1, 1, 3 …), counted apart within each value of *group*; and
    for every tied row the words saying so (empty for the others)."""
    score = np.round(df["score"].astype(float).to_numpy(), 12)
    keys = group.to_numpy() if group is not None else np.zeros(len(df), dtype=np.int64)
    ranks = np.zeros(len(df), dtype=np.int64)
    notes = [""] * len(df)
    for key in dict.fromkeys(keys.tolist()):
        rows = np.flatnonzero(keys == key)
        values = score[rows]
        first = np.searchsorted(-values, -values, side="left")  # sorted descending
        last = np.searchsorted(-values, -values, side="right")
        ranks[rows] = first + 1
        for pos, (a, b) in enumerate(zip(first.tolist(), last.tolist(), strict=True)):
            if b - a > 1:
                others = b - a - 1
                notes[rows[pos]] = (
                    f"; tied for rank {a + 1} with {others} other{'s' if others != 1 else ''} "
                    "(equal score)"
                )
    return ranks, notes


def sector_filter(net: Network, sector: str | None) -> set[str] | None:
    """The codes of *sector* and the sectors below it (``None``: no filter); an unknown code
    is a usage error naming the known ones."""
    if sector is None:
        return None
    if sector not in net.codes("sector"):
        known = ", ".join(net.codes("sector")) or "none"
        raise UsageError(f"unknown sector {sector!r}: known sector codes are {known}")
    return net.descendants("sector", sector)
