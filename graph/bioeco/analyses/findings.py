"""Key findings: at most seven sentences an analyst can quote, each with how strong it is.

:func:`key_findings` reads the analysis tables (as :func:`bioeco.analyses.run.run_analyses` makes
them) and the network's completeness, and says what matters first: how much of the data is
classified, the first coverage gap, whether any sector pair meets less than chance, the first
consolidation candidate, the first bridge actor and suggested pair, and what the sources state
as changed. Nothing is recomputed: every sentence rests on a table row, named in ``table`` and
``section``; the evidence column says how strong it is (a significance test, a description, or
only what the sources name).
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from bioeco.analyses.project import Network

__all__ = ["FINDING_COLUMNS", "completeness", "key_findings"]

FINDING_COLUMNS = ["order", "finding", "evidence", "section", "table"]
"""Columns of :func:`key_findings`."""

_GAP_FLAGS = {"empty", "under"}


def completeness(net: Network) -> dict[str, int]:
    """How much of the data is classified: actors and initiatives in all, with a sector, with a
    value-chain stage.

    Examples
    --------
    >>> from bioeco.analyses._fixture import example_graph
    >>> from bioeco.analyses.project import load_network
    >>> completeness(load_network(example_graph()))["actors_with_stage"]
    6
    """
    nodes = net.nodes
    out: dict[str, int] = {}
    for kind in ("actor", "initiative"):
        rows = nodes[nodes["kind"].eq(kind)]
        out[f"{kind}s"] = len(rows)
        out[f"{kind}s_with_sector"] = int(rows["sectors"].map(bool).sum())
        out[f"{kind}s_with_stage"] = int(rows["stages"].map(bool).sum())
    return out


def _first_sentence(text: Any) -> str:
    text = str(text or "").strip()
    return text if text.endswith(".") else text + "."


def _truthy(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes")
    return bool(value) and not (isinstance(value, float) and math.isnan(value))


def _flags(value: Any) -> set[str]:
    return set(str(value or "").split("|"))


def _num(value: Any, digits: int = 3) -> str:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return ""
    if math.isnan(number):
        return ""
    return f"{number:.{digits}f}".rstrip("0").rstrip(".")


def _tested(cover: pd.DataFrame) -> int:
    """How many cells the Benjamini–Hochberg correction of gaps_coverage ran over: every cell
    with a p-value, actors' and initiatives' alike (not only the actor cells a finding names)."""
    if "p_value" not in cover:
        return len(cover)
    return int(pd.to_numeric(cover["p_value"], errors="coerce").notna().sum())


def _ranked(table: pd.DataFrame | None) -> pd.DataFrame:
    if table is None or table.empty:
        return pd.DataFrame()
    return table.sort_values("rank", kind="stable") if "rank" in table else table


def key_findings(
    tables: dict[str, pd.DataFrame], counts: dict[str, int] | None = None
) -> pd.DataFrame:
    """The report's key findings, at most seven, in the order an analyst reads them.

    *tables*: the analysis tables by name (any may be missing); *counts*: :func:`completeness`.
    Returns :data:`FINDING_COLUMNS`: ``finding`` one sentence in plain words, ``evidence`` how
    strong it is, ``section`` the report section that shows the rows, ``table`` the table.

    Examples
    --------
    >>> from bioeco.analyses._fixture import example_graph
    >>> from bioeco.analyses.project import load_network
    >>> from bioeco.analyses.run import run_analyses
    >>> g = example_graph()
    >>> found = key_findings(run_analyses(g), completeness(load_network(g)))
    >>> found["section"].tolist()[:2]
    ['coverage', 'coverage']
    >>> len(found) <= 7
    True
    """
    rows: list[dict[str, str]] = []

    def add(finding: str, evidence: str, section: str, table: str) -> None:
        rows.append(
            {"order": len(rows) + 1, "finding": finding, "evidence": evidence,
             "section": section, "table": table}
        )  # fmt: skip

    if counts:
        actors = counts.get("actors", 0)
        add(
            f"Of {actors} actors in these sources, {counts.get('actors_with_sector', 0)} have a "
            f"sector and {counts.get('actors_with_stage', 0)} a value-chain stage; the coverage "
            "findings describe only those.",
            "descriptive: what the sources classify",
            "coverage",
            "gaps_coverage",
        )
    cover = _ranked(tables.get("gaps_coverage"))
    if not cover.empty:
        cells = cover[cover["entity"].eq("actors")] if "entity" in cover else cover
        if "applicable" in cells:
            cells = cells[cells["applicable"].map(_truthy)]
        under = cells[cells["flag"].map(lambda f: "under" in _flags(f))]
        empty = cells[cells["flag"].map(lambda f: "empty" in _flags(f))]
        if not under.empty:
            row = under.iloc[0]
            add(
                _first_sentence(row["explanation"]),
                f"significant: p = {_num(row.get('p_value'))}, adjusted {_num(row.get('q_value'))}",
                "coverage",
                "gaps_coverage",
            )
        else:
            example = (
                f" (e.g. {empty.iloc[0]['sector']} at stage {empty.iloc[0]['stage']})"
                if not empty.empty
                else ""
            )
            add(
                "No value-chain cell has clearly fewer actors than the sector and stage totals "
                f"predict; {len(empty)} cells where actors could be are empty{example}, within "
                "what chance gives with this many classified actors.",
                f"test per cell, corrected for the {_tested(cover)} cells tested (actors' and "
                "initiatives'): no actor cell significant",
                "coverage",
                "gaps_coverage",
            )
    structural = tables.get("gaps_structural")
    if structural is not None:
        called = structural[
            structural.get("gap", pd.Series(False, index=structural.index)).map(_truthy)
            & structural.get("significant", pd.Series(False, index=structural.index)).map(_truthy)
        ]
        if not called.empty:
            row = _ranked(called).iloc[0]
            add(
                _first_sentence(row["explanation"]),
                f"significant: p = {_num(row.get('p_value'))}, adjusted {_num(row.get('q_value'))}",
                "structural",
                "gaps_structural",
            )
        else:
            add(
                f"No pair of sectors meets in clearly fewer initiatives than chance would give "
                f"({len(structural)} pairs tested); the data cannot show a structural gap.",
                f"test corrected for the {len(structural)} pairs tested: none significant",
                "structural",
                "gaps_structural",
            )
    overlap = _ranked(tables.get("overlap_pairs"))
    if not overlap.empty:
        candidates = (
            overlap[overlap["consolidation"].map(_truthy)]
            if "consolidation" in overlap
            else overlap.iloc[:0]
        )
        if not candidates.empty:
            add(
                _first_sentence(candidates.iloc[0]["explanation"]),
                f"{len(candidates)} consolidation candidate"
                f"{'s' if len(candidates) != 1 else ''}; shared members from the sources",
                "overlap",
                "overlap_pairs",
            )
        else:
            add(
                "No pair of initiatives is a consolidation candidate; the closest: "
                + _first_sentence(overlap.iloc[0]["explanation"]),
                "descriptive: shared members the sources name",
                "overlap",
                "overlap_pairs",
            )
    bridges = _ranked(tables.get("bridges_actors"))
    if not bridges.empty:
        people = bridges
        for column in ("role", "hub"):
            if column in bridges:
                keep = (
                    bridges[column].eq("actor")
                    if column == "role"
                    else ~bridges[column].map(_truthy)
                )
                people = bridges[keep] if keep.any() else bridges
                break
        add(
            _first_sentence(people.iloc[0]["explanation"]),
            "network measure on the memberships the sources name",
            "bridges",
            "bridges_actors",
        )
    pairs = _ranked(tables.get("bridges_pairs"))
    if not pairs.empty:
        add(
            _first_sentence(pairs.iloc[0]["explanation"]),
            "link prediction; see docs/evaluation.md for how often it is right",
            "pairs",
            "bridges_pairs",
        )
    change = tables.get("change_summary")
    if change is not None and not change.empty and len(rows) < 7:
        stated = change[~change["difference"].astype(str).eq("not-observed")]
        stated = stated[~stated["difference"].astype(str).eq("none")]
        unseen = int(change.loc[change["difference"].eq("not-observed"), "count"].sum())
        if not stated.empty:
            text = _first_sentence(stated.iloc[0]["explanation"])
        else:
            text = "The sources state no change between their years."
        add(
            f"{text} Another {unseen} differences are only not observed (no evidence either way).",
            "what the sources state; absence in a source is no evidence",
            "change",
            "change_summary",
        )
    return pd.DataFrame(rows[:7], columns=FINDING_COLUMNS)
