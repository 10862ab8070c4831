"""Year-against-year plot: actors and memberships per sector in each year (matplotlib)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from bioeco.errors import UsageError
from bioeco.viz.plots import freeze, short_label, style_axes

__all__ = ["YEAR_COLOURS", "years_chart"]

#: Bar colours of the years, in the order the years appear (repeats after four).
YEAR_COLOURS = ("#9ecae1", "#2b6cb0", "#dd8452", "#55a868")

_TITLES = {
    "actors": "Actors taking part",
    "initiatives": "Initiatives with members",
    "memberships": "Memberships",
}


def years_chart(
    table: pd.DataFrame,
    *,
    measures: tuple[str, ...] = ("actors", "memberships"),
    title: str | None = None,
) -> Figure:
    """Grouped bars of a :func:`bioeco.sectors_by_year` table: one panel per measure, one
    row per sector, one bar per year with its count.

    Sectors keep the table's order (alphabetical, the no-sector row last); years are
    coloured in the order they appear. A note under the panels says how a membership is
    counted in a year, so the chart is not read as a census.

    Examples
    --------
    >>> from bioeco.analyses._fixture import example_graph
    >>> from bioeco.analyses.sectors import sectors_by_year
    >>> fig = years_chart(sectors_by_year(example_graph(), [2020, 2021]))
    >>> [ax.get_title(loc="left") for ax in fig.axes]
    ['Actors taking part', 'Memberships']
    >>> [t.get_text() for t in fig.legends[0].get_texts()]
    ['2020', '2021']
    >>> len(fig.axes[1].patches)  # 3 sectors x 2 years
    6
    """
    unknown = [m for m in measures if m not in _TITLES]
    if unknown or not measures:
        raise UsageError(
            f"years chart: measures are {', '.join(_TITLES)}, not {', '.join(unknown) or 'none'}"
        )
    missing = [c for c in ("year", "label", *measures) if c not in table.columns]
    if missing:
        raise UsageError(f"years chart: the table has no column {', '.join(missing)}")
    years = list(dict.fromkeys(int(y) for y in table["year"]))
    sectors = list(dict.fromkeys(str(s) for s in table["label"]))
    title = title or f"{' and '.join(str(y) for y in years)} by sector"
    with style_axes():
        if table.empty:
            fig = Figure(figsize=(7, 1.6), layout="constrained")
            ax = fig.add_subplot()
            ax.set_axis_off()
            ax.set_title(title)
            ax.text(0, 0.5, "Nothing to compare.", transform=ax.transAxes, color="#555555")
            return freeze(fig)
        height = max(2.6, 0.3 * len(sectors) * max(2, len(years)) + 1.8)
        fig = Figure(figsize=(5.0 * len(measures) + 1.5, height), layout="constrained")
        fig.suptitle(title, x=0.01, ha="left", fontsize=13, fontweight="bold")
        axes = fig.subplots(1, len(measures), squeeze=False, sharey=True)[0]
        step = 0.8 / len(years)
        pos = np.arange(len(sectors))
        for ax, measure in zip(axes, measures, strict=True):
            values = table.pivot_table(
                index="label", columns="year", values=measure, aggfunc="sum", fill_value=0
            )
            top = max(1.0, float(values.to_numpy().max()))
            for k, year in enumerate(years):
                counts = [int(values.at[s, year]) if s in values.index else 0 for s in sectors]
                offset = (k - (len(years) - 1) / 2) * step
                colour = YEAR_COLOURS[k % len(YEAR_COLOURS)]
                ax.barh(pos + offset, counts, height=step * 0.92, color=colour, label=str(year))
                for y, count in zip(pos + offset, counts, strict=True):
                    ax.text(count + top * 0.01, y, str(count), va="center", fontsize=8)
            ax.set_title(_TITLES[measure])
            ax.set_xlim(0, top * 1.15)
            ax.set_yticks(pos, [short_label(s, 34) for s in sectors])
            ax.tick_params(axis="y", length=0)
        handles, names = axes[0].get_legend_handles_labels()
        fig.legend(handles, names, loc="outside upper right", ncols=len(years), frameon=False)
        axes[0].invert_yaxis()  # first sector on top (the axes share y: invert once)
        fig.supxlabel(
            "A membership counts in a year when its source observes it then, its stated period"
            " covers the year,\nor it has no date and its initiative ran that year."
            " A member of two sectors counts in both.",
            x=0.01,
            ha="left",
            fontsize=8.5,
            color="#555555",
        )
        return freeze(fig)
