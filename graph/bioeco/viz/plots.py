"""Plots of the analysis tables (matplotlib, no pyplot): coverage heatmap and bar charts, as SVG.

Every function takes a table returned by :func:`bioeco.analyses.run.run_analyses` (or the
analysis function behind it) and returns a :class:`matplotlib.figure.Figure`; nothing is
recomputed. Figures are made without :mod:`matplotlib.pyplot`, so no global backend is
switched: a notebook shows them inline, :func:`svg` renders them to a deterministic SVG string
(same table → same bytes: fixed hash salt, no date, DejaVu Sans, text kept as text) and
:func:`png` to PNG bytes through the Agg canvas. Labels are plain text (``$`` is not
mathtext) and are XML-escaped in the SVG. Each chart takes a ``title`` (``None`` for none, when
the page around it has a heading).
"""

from __future__ import annotations

import io
import math
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import LinearSegmentedColormap
from matplotlib.figure import Figure
from rdflib import Dataset, Graph

from bioeco.analyses.gaps import coverage_matrix
from bioeco.analyses.project import Network, as_network
from bioeco.errors import UsageError

__all__ = [
    "STYLE",
    "bridges_chart",
    "concept_labels",
    "coverage_heatmap",
    "overlap_chart",
    "png",
    "survey_chart",
    "svg",
    "whatif_chart",
]

#: matplotlib settings every figure is made and rendered with (deterministic, plain text).
STYLE: dict[str, Any] = {
    "svg.hashsalt": "bioeco",
    "svg.fonttype": "none",
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans"],
    "font.size": 10,
    "text.parse_math": False,
    "text.usetex": False,
    "axes.titlesize": 12,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "path.simplify": False,
    "figure.dpi": 100,
    "savefig.dpi": 100,
}

_BLUES = LinearSegmentedColormap.from_list("bioeco", ["#eef4fb", "#6baed6", "#08306b"])
_EMPTY = "#f2f2f2"
_BAR = "#2b6cb0"
_BAR_2 = "#dd8452"
_MAX_LABEL = 42


@contextmanager
def style_axes() -> Iterator[None]:
    with mpl.rc_context(STYLE):
        yield


def short_label(text: Any, limit: int = _MAX_LABEL) -> str:
    """A label on one line, cut to *limit* characters with an ellipsis.

    Examples
    --------
    >>> short_label("Norwegian University of Science and Technology", 20)
    'Norwegian Universit…'
    >>> short_label("a\\nb")
    'a b'
    """
    value = " ".join(str(text).split())
    return value if len(value) <= limit else value[: limit - 1] + "…"


def freeze(fig: Figure) -> Figure:
    """Lay the figure out once and keep that layout, so every later rendering is identical
    (constrained layout would otherwise move things slightly on each draw)."""
    fig.draw_without_rendering()
    fig.set_layout_engine("none")
    return fig


def _title(fig: Figure, title: str | None, size: float = 12) -> None:
    """A bold title at the top left of *fig* (none when *title* is empty or None)."""
    if title:
        fig.suptitle(title, x=0.01, ha="left", fontsize=size, fontweight="bold")


def _empty_figure(message: str, title: str | None) -> Figure:
    fig = Figure(figsize=(7, 1.6), layout="constrained")
    _title(fig, title)
    ax = fig.add_subplot()
    ax.set_axis_off()
    ax.text(0.0, 0.5, message, transform=ax.transAxes, va="center", color="#555555")
    return freeze(fig)


def _text(value: Any) -> bool:
    return isinstance(value, str) and bool(value)


def _need(table: pd.DataFrame, columns: tuple[str, ...], what: str) -> None:
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise UsageError(f"{what}: the table has no column {', '.join(missing)}")


def concept_labels(source: Graph | Dataset | Network) -> dict[str, str]:
    """Readable names of the concept codes in *source* (English labels first), for ``labels=``.

    Sector and stage codes win when another scheme uses the same code.

    Examples
    --------
    >>> from bioeco.analyses._fixture import example_graph
    >>> concept_labels(example_graph())["research"]  # the tiny fixture labels by code
    'research'
    """
    concepts = as_network(source).concepts
    first = {"sector": 0, "stage": 1}
    ordered = sorted(
        zip(concepts["scheme"], concepts["code"], concepts["label"], strict=True),
        key=lambda t: (first.get(t[0], 2), t[0], t[1]),
    )
    out: dict[str, str] = {}
    for _scheme, code, label in ordered:
        out.setdefault(str(code), str(label))
    return out


def coverage_heatmap(
    table: pd.DataFrame,
    *,
    entities: tuple[str, ...] = ("actors", "initiatives"),
    labels: Mapping[str, str] | None = None,
    title: str | None = "Sector × value-chain stage coverage",
    note: bool = True,
) -> Figure:
    """Heatmap of a ``gaps_coverage`` table: one panel per entity kind, a count in every cell.

    Rows are sectors and columns value-chain stages in chain order
    (:func:`bioeco.analyses.gaps.coverage_matrix`); each cell shows its ``count`` from the table
    and is coloured by it (empty cells grey). Each
    count is an SVG group with id ``count-<entity>-<sector>-<stage>`` so a page can find it.
    *labels* maps sector and stage codes to readable names (codes are shown otherwise).
    The table must be whole (every sector × stage cell); a table cut to its top rows is
    refused with :class:`~bioeco.errors.UsageError`.
    *title* (``None``: none) and *note* (a line explaining the numbers) are for pages that
    say both themselves.

    Examples
    --------
    >>> from bioeco.analyses._fixture import example_graph
    >>> from bioeco.analyses.gaps import coverage
    >>> fig = coverage_heatmap(coverage(example_graph()), labels={"marine": "Marine"})
    >>> [ax.get_title(loc="left") for ax in fig.axes]
    ['Actors', 'Initiatives']
    >>> fig.axes[0].get_yticklabels()[-1].get_text()
    'Marine'
    >>> 'id="count-actors-marine-research"' in svg(fig)
    True
    """
    _need(table, ("entity", "sector", "stage", "count"), "coverage heatmap")
    names = dict(labels or {})
    with style_axes():
        present = [e for e in entities if (table["entity"] == e).any()]
        if not present:
            return _empty_figure("No sector and stage classifications to show.", title)
        for e in present:
            rows = table[table["entity"] == e]
            if len(rows) != rows["sector"].nunique() * rows["stage"].nunique():
                raise UsageError(
                    "coverage heatmap: the table lacks cells (cut with top?); pass the whole "
                    "gaps_coverage table"
                )
        mats = [coverage_matrix(table, entity=e) for e in present]
        n_rows = max(m.shape[0] for m in mats)
        n_cols = max(m.shape[1] for m in mats)
        width = min(6.5 * len(mats), max(4.0, 1.1 * n_cols + 2.2) * len(mats))
        height = max(2.6, 0.48 * n_rows + 2.0)
        fig = Figure(figsize=(width, height), layout="constrained")
        _title(fig, title, 13)
        axes = fig.subplots(1, len(mats), squeeze=False, sharey=True)[0]
        for ax, entity, mat in zip(axes, present, mats, strict=True):
            values = mat.to_numpy(dtype=float)
            vmax = max(1.0, float(np.nanmax(values)) if values.size else 1.0)
            shown = np.ma.masked_where(~(values > 0), values)
            cmap = _BLUES.with_extremes(bad=_EMPTY)
            ax.imshow(shown, cmap=cmap, vmin=0, vmax=vmax, aspect="auto")
            ax.set_title(entity.capitalize())
            ax.set_xticks(
                range(mat.shape[1]),
                [short_label(names.get(c, c), 28) for c in mat.columns],
                rotation=35,
                ha="right",
                rotation_mode="anchor",
            )
            ax.set_yticks(
                range(mat.shape[0]), [short_label(names.get(s, s), 34) for s in mat.index]
            )
            ax.tick_params(length=0)
            for spine in ax.spines.values():
                spine.set_visible(False)
            ax.set_xticks(np.arange(mat.shape[1] + 1) - 0.5, minor=True)
            ax.set_yticks(np.arange(mat.shape[0] + 1) - 0.5, minor=True)
            ax.grid(which="minor", color="white", linewidth=2)
            ax.tick_params(which="minor", length=0)
            for i, sector in enumerate(mat.index):
                for j, stage in enumerate(mat.columns):
                    value = values[i, j]
                    if math.isnan(value):
                        continue
                    dark = value / vmax > 0.55
                    text = ax.text(
                        j,
                        i,
                        str(int(value)),
                        ha="center",
                        va="center",
                        fontsize=11,
                        color="white" if dark else ("#1a1a1a" if value > 0 else "#8a8a8a"),
                    )
                    text.set_gid(f"count-{entity}-{sector}-{stage}")
        if note:
            fig.text(
                0.01,
                0.005,
                "Each number counts the entities classified in both the sector and the stage;"
                " grey cells are empty.",
                fontsize=8.5,
                color="#555555",
                ha="left",
                va="bottom",
            )
        fig.get_layout_engine().set(h_pad=0.12)
        return freeze(fig)


def _barh(
    labels: list[str],
    values: list[float],
    *,
    title: str | None,
    xlabel: str,
    notes: list[str] | None = None,
    fmt: str = "{:.2f}",
    line_height: float = 0.36,
) -> Figure:
    """Horizontal bars, first row on top, the value at the end of each bar and *notes* as
    labels on the right-hand axis (so the layout makes room for them)."""
    height = max(2.0, line_height * len(labels) + 1.4)
    fig = Figure(figsize=(8.5, height), layout="constrained")
    _title(fig, title)
    ax = fig.add_subplot()
    pos = np.arange(len(labels))
    ax.barh(pos, values, color=_BAR, height=0.65)
    ax.set_yticks(pos, labels)
    ax.invert_yaxis()  # rank 1 on top
    ax.set_xlabel(xlabel)
    ax.tick_params(axis="y", length=0)
    top = max(values) if values else 1.0
    ax.set_xlim(0, top * 1.2 if top > 0 else 1.0)
    for y, value in zip(pos, values, strict=True):
        ax.text(value + top * 0.01, y, fmt.format(value), va="center", fontsize=8.5)
    if notes:
        right = ax.secondary_yaxis("right")
        right.set_yticks(pos, notes)
        right.tick_params(length=0, labelsize=8.5, labelcolor="#555555")
        right.spines["right"].set_visible(False)
    return freeze(fig)


def bridges_chart(
    table: pd.DataFrame,
    *,
    n: int = 10,
    value: str = "score",
    labels: Mapping[str, str] | None = None,
    title: str | None = "Top bridge actors",
) -> Figure:
    """Horizontal bars of the top *n* rows of a ``bridges_actors`` table by *value*.

    Rows keep the table's rank order (rank 1 on top); each bar is labelled with the actor's
    label and annotated with the value and the sectors it bridges (*labels* maps sector codes
    to names).

    Examples
    --------
    >>> from bioeco.analyses._fixture import example_graph
    >>> from bioeco.analyses.bridges import actor_scores
    >>> fig = bridges_chart(actor_scores(example_graph()), n=3)
    >>> len(fig.axes[0].patches), fig.get_suptitle()
    (3, 'Top bridge actors')
    """
    _need(table, ("label", value), "bridges chart")
    names = dict(labels or {})
    rows = table.head(n)
    with style_axes():
        if rows.empty:
            return _empty_figure("No bridge actors found.", title)
        notes = None
        if "bridged_sectors" in rows.columns:
            notes = [
                " – ".join(names.get(c, c) for c in v) if isinstance(v, list | tuple) else ""
                for v in rows["bridged_sectors"]
            ]
        return _barh(
            [short_label(v) for v in rows["label"]],
            [float(v) for v in rows[value]],
            title=title,
            xlabel="bridge score (1 = the strongest bridge)" if value == "score" else value,
            notes=notes,
        )


def whatif_chart(
    steps: pd.DataFrame, *, title: str | None = "What each action adds (given the ones before)"
) -> Figure:
    """Horizontal bars of the new cross-sector pairs within reach that each action of a
    ``whatif_steps`` table adds (:func:`bioeco.analyses.whatif.whatif`), in plan order, with the
    reach after each action on the right.

    Examples
    --------
    >>> steps = pd.DataFrame({"step": [1, 2, 0], "action": ["invite", "introduce", "scenario"],
    ...                       "reach_before": [10, 12, 10], "reach_after": [12, 15, 15]})
    >>> fig = whatif_chart(steps)
    >>> len(fig.axes[0].patches), fig.get_suptitle()
    (2, 'What each action adds (given the ones before)')
    """
    _need(steps, ("step", "action", "reach_before", "reach_after"), "what-if chart")
    rows = steps[steps["step"] > 0]
    with style_axes():
        if rows.empty:
            return _empty_figure("The plan has no actions.", title)
        return _barh(
            [f"{s}. {a}" for s, a in zip(rows["step"], rows["action"], strict=True)],
            [float(a - b) for a, b in zip(rows["reach_after"], rows["reach_before"], strict=True)],
            title=title,
            xlabel="new pairs of actors of different sectors within two steps",
            notes=[f"reach {int(v)}" for v in rows["reach_after"]],
            fmt="{:+.0f}",
        )


def overlap_chart(
    table: pd.DataFrame,
    *,
    n: int = 10,
    value: str = "jaccard",
    title: str | None = "Top overlapping initiative pairs",
) -> Figure:
    """Horizontal bars of the top *n* initiative pairs of an ``overlap_pairs`` table.

    Each bar is a pair (label A over label B) sized by *value* (member Jaccard index by default) and
    annotated with the number of shared members.

    Examples
    --------
    >>> from bioeco.analyses._fixture import example_graph
    >>> from bioeco.analyses.overlap import overlap_pairs
    >>> fig = overlap_chart(overlap_pairs(example_graph(), min_shared=1))
    >>> print(fig.axes[0].get_yticklabels()[0].get_text())
    Land meets Sea
    ↔ Biotech North
    """
    _need(table, ("label_a", "label_b", value), "overlap chart")
    rows = table.head(n)
    with style_axes():
        if rows.empty:
            return _empty_figure("No overlapping initiative pairs found.", title)
        notes = None
        if "shared" in rows.columns:
            notes = [f"{int(s)} shared" for s in rows["shared"]]
        return _barh(
            [
                f"{short_label(a)}\n↔ {short_label(b)}"
                for a, b in zip(rows["label_a"], rows["label_b"], strict=True)
            ],
            [float(v) for v in rows[value]],
            title=title,
            xlabel="member Jaccard index" if value == "jaccard" else value,
            notes=notes,
            line_height=0.62,
        )


def survey_chart(
    table: pd.DataFrame,
    *,
    labels: Mapping[str, str] | None = None,
    title: str | None = "Survey figures next to the graph",
) -> Figure:
    """Paired bars of a ``gaps_survey`` table: the survey share next to the graph's share.

    For each observation, ``share`` (respondents) and ``graph_share_actors`` (actors the
    graph classifies in the same sector/stage, out of the actors classified in that
    dimension), both in per cent. Bars are labelled by topic and sector/stage (*labels* maps
    codes to names: sectors, stages, topics, respondent groups and questions, see
    :func:`concept_labels`).

    Examples
    --------
    >>> from bioeco.analyses._fixture import example_graph
    >>> from bioeco.analyses.gaps import survey_comparison
    >>> fig = survey_chart(survey_comparison(example_graph()))
    >>> [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    ['survey: share of respondents', 'graph: share of classified actors']
    """
    _need(table, ("share", "graph_share_actors"), "survey chart")
    names = dict(labels or {})
    with style_axes():
        if table.empty:
            return _empty_figure("No survey figures with a sector or stage.", title)
        rows = []
        for rec in table.to_dict("records"):
            where = " / ".join(
                names.get(v, v) for v in (rec.get("sector"), rec.get("stage")) if _text(v)
            )
            topic = names.get(rec.get("topic"), rec.get("topic"))
            head = where + (f": {topic}" if _text(topic) else "")
            who = [names.get(rec.get(k), rec.get(k)) for k in ("respondent_group", "question")]
            tail = " · ".join(str(w) for w in who if _text(w))
            rows.append(short_label(head, 60) + (f"\n{short_label(tail, 60)}" if tail else ""))
        share = [100 * float(v) for v in table["share"]]
        graph = [
            100 * float(v) if v is not None and not pd.isna(v) else 0.0
            for v in table["graph_share_actors"]
        ]
        height = max(2.4, 0.62 * len(rows) + 1.5)
        fig = Figure(figsize=(9.0, height), layout="constrained")
        ax = fig.add_subplot()
        pos = np.arange(len(rows))
        ax.barh(pos - 0.19, share, height=0.36, color=_BAR, label="survey: share of respondents")
        ax.barh(
            pos + 0.19, graph, height=0.36, color=_BAR_2, label="graph: share of classified actors"
        )
        for y, a, b in zip(pos, share, graph, strict=True):
            ax.text(a + 1, y - 0.19, f"{a:.0f}%", va="center", fontsize=8)
            ax.text(b + 1, y + 0.19, f"{b:.0f}%", va="center", fontsize=8)
        ax.set_yticks(pos, rows)
        ax.invert_yaxis()
        ax.set_xlim(0, 110)
        ax.set_xlabel("per cent")
        _title(fig, title)
        ax.tick_params(axis="y", length=0)
        ax.legend(loc="lower right", fontsize=8, frameon=False)
        return freeze(fig)


def svg(fig: Figure, *, salt: str | None = None) -> str:
    """The figure as an SVG document string, byte-identical for the same figure.

    The file carries no date, uses a fixed hash salt (*salt*, default ``bioeco``; give each
    figure of one page its own so the ids inside inlined SVGs do not collide) and keeps text
    as ``<text>`` in DejaVu Sans. The XML prolog and doctype are dropped so the string can be
    inlined in HTML.

    Examples
    --------
    >>> fig = Figure(figsize=(2, 1))
    >>> _ = fig.add_subplot().set_title("<b>&</b>")
    >>> out = svg(fig)
    >>> out.startswith("<svg"), "&lt;b&gt;&amp;&lt;/b&gt;" in out, out == svg(fig)
    (True, True, True)
    """
    buf = io.BytesIO()
    style = dict(STYLE, **({"svg.hashsalt": salt} if salt else {}))
    with mpl.rc_context(style):
        fig.savefig(buf, format="svg", metadata={"Date": None})
    text = buf.getvalue().decode("utf-8")
    return text[text.index("<svg") :]


def png(fig: Figure, *, dpi: int = 100) -> bytes:
    """The figure as PNG bytes (Agg canvas, no date or software metadata).

    Examples
    --------
    >>> png(Figure(figsize=(1, 1)))[:4]
    b'\\x89PNG'
    """
    buf = io.BytesIO()
    with style_axes():
        FigureCanvasAgg(fig)  # Agg, whatever backend a notebook has selected
        fig.savefig(buf, format="png", dpi=dpi, metadata={"Software": None})
    return buf.getvalue()
