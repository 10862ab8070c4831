"""Actors, initiatives and memberships per sector, for the whole graph or year by year."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd
from rdflib import Dataset, Graph

from bioeco.analyses.project import Network, as_network, load_network
from bioeco.errors import UsageError

__all__ = ["COUNT_DEFINITION", "NO_SECTOR", "NO_SECTOR_LABEL", "sector_counts", "sectors_by_year"]

#: What "actors in a sector" counts, said under every such count (issue 21, item 5).
COUNT_DEFINITION = (
    "Actors in a sector: organisations (not people, not initiatives) classified with that "
    "top-level sector or a narrower one (pharmaceuticals count under medicine and health), "
    "at the chosen basis (default: stated, inferred and external); an actor in two sectors "
    "counts in both."
)

#: Code and label of the row that counts what has no sector in the graph.
NO_SECTOR = "none"
NO_SECTOR_LABEL = "No sector recorded"

_COLUMNS = [
    "sector",
    "label",
    "actors",
    "initiatives",
    "active_actors",
    "active_initiatives",
    "memberships",
]


def _top_sectors(net: Network, codes: Iterable[str]) -> set[str]:
    """The top-level sectors above *codes* (``health`` for ``pharma``); the no-sector row if
    there are none."""
    tops = {net.top("sector", code) for code in codes}
    return tops or {NO_SECTOR}


def sector_counts(network: Network | Graph | Dataset) -> pd.DataFrame:
    """Per top-level sector: how many actors and initiatives it has and how many take part.

    Narrower sectors are rolled up (pharmaceuticals count under medicine and health). An
    actor or initiative classified in two sectors counts in both, so the rows do not add up
    to the totals; what has no sector is counted in a last row, ``sector`` = ``none``.

    Columns: ``sector`` (code), ``label``, ``actors`` and ``initiatives`` (all in the graph),
    ``active_actors`` and ``active_initiatives`` (with at least one membership kept by the
    network, i.e. valid in ``network.as_of`` when the network was loaded for a year),
    ``memberships`` (kept actor-initiative links whose member is in the sector). Rows follow
    the sector labels alphabetically.

    Examples
    --------
    >>> from bioeco.analyses._fixture import example_graph
    >>> sector_counts(example_graph())[["sector", "actors", "active_actors", "memberships"]]
          sector  actors  active_actors  memberships
    0  agri-food       3              3            5
    1     health       2              2            5
    2   industry       0              0            0
    3  knowledge       0              0            0
    4     marine       2              2            5
    5       none       0              0            0
    """
    net = as_network(network)
    nodes = net.nodes
    tops = {iri: _top_sectors(net, codes) for iri, codes in nodes["sectors"].items()}
    labels = dict(
        zip(
            net.concepts.loc[net.concepts["scheme"] == "sector", "code"],
            net.concepts.loc[net.concepts["scheme"] == "sector", "label"],
            strict=True,
        )
    )
    active = set(net.edges["member"]) | set(net.edges["initiative"])
    codes = sorted({c for found in tops.values() for c in found} - {NO_SECTOR})
    codes += sorted({net.top("sector", c) for c in net.codes("sector")} - set(codes))
    rows = {
        code: dict.fromkeys(_COLUMNS[2:], 0) | {"label": str(labels.get(code, code))}
        for code in [*codes, NO_SECTOR]
    }
    rows[NO_SECTOR]["label"] = NO_SECTOR_LABEL
    for iri, kind in nodes["kind"].items():
        plural = "actors" if kind == "actor" else "initiatives"
        for code in tops[iri]:
            rows[code][plural] += 1
            if iri in active:
                rows[code][f"active_{plural}"] += 1
    for member in net.edges["member"]:
        if net.attr(member, "kind") == "actor":
            for code in tops.get(member, {NO_SECTOR}):
                rows[code]["memberships"] += 1
    frame = pd.DataFrame(
        [{"sector": code, **values} for code, values in rows.items()], columns=_COLUMNS
    )
    order = frame["sector"].eq(NO_SECTOR).astype(int)
    frame = frame.assign(_last=order).sort_values(["_last", "label", "sector"])
    return frame.drop(columns="_last").reset_index(drop=True)


def sectors_by_year(
    graph: Graph | Dataset, years: Iterable[int] = (2017, 2021), *, basis: str = "all"
) -> pd.DataFrame:
    """Who took part in the ecosystem per sector in each of *years*: :func:`sector_counts` of
    the network as of each year (:func:`~bioeco.analyses.project.load_network` with ``as_of``).

    A membership counts in a year when the source observes it in that year, its stated period
    covers the year, or (undated) its initiative ran that year. Columns: ``year``, ``sector``,
    ``label``, ``actors`` (actors with at least one membership that year), ``initiatives``
    (initiatives with at least one member that year), ``memberships``. Sectors with nothing in
    any of the years are left out.

    Examples
    --------
    >>> from bioeco.analyses._fixture import example_graph
    >>> sectors_by_year(example_graph(), [2020, 2021])[["year", "sector", "memberships"]]
       year     sector  memberships
    0  2020  agri-food            4
    1  2020     health            2
    2  2020     marine            2
    3  2021  agri-food            5
    4  2021     health            5
    5  2021     marine            5
    """
    years = [years] if not isinstance(years, Iterable) else list(years)
    if not years or not all(
        isinstance(y, int) and not isinstance(y, bool) and 1 <= y <= 9999 for y in years
    ):
        raise UsageError(f"years must be one or more years between 1 and 9999, not {years!r}")
    frames = []
    for year in years:
        counts = sector_counts(load_network(graph, as_of=year, basis=basis))
        counts = counts.rename(
            columns={"active_actors": "actors_", "active_initiatives": "initiatives_"}
        )
        frames.append(
            pd.DataFrame(
                {
                    "year": year,
                    "sector": counts["sector"],
                    "label": counts["label"],
                    "actors": counts["actors_"],
                    "initiatives": counts["initiatives_"],
                    "memberships": counts["memberships"],
                }
            )
        )
    frame = pd.concat(frames, ignore_index=True)
    used = frame.groupby("sector")[["actors", "initiatives", "memberships"]].sum().sum(axis=1)
    frame = frame[frame["sector"].map(used) > 0]
    return frame.reset_index(drop=True)
