"""The findings report's sections as escaped HTML, from key findings to the appendix."""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Iterable
from typing import Any

import pandas as pd

from bioeco.viz import plots
from bioeco.viz.report_data import SOURCE_COLUMNS, ReportData

__all__ = [
    "MAIN_ROWS",
    "about_section",
    "actions_section",
    "bridges_section",
    "change_section",
    "counts_section",
    "coverage_section",
    "esc",
    "findings_section",
    "overlap_section",
    "pairs_section",
    "structural_section",
    "survey_section",
]


def esc(value: Any) -> str:
    """Escaped text of a cell: no Python reprs (None, nan, tuples) reach the page.

    Examples
    --------
    >>> esc("<b>"), esc(None), esc(float("nan")), esc(("a", "b")), esc(0.123456), esc(True)
    ('&lt;b&gt;', '', '–', 'a, b', '0.123', 'yes')
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if math.isnan(value):
            return "–"
        return f"{value:.3f}" if not value.is_integer() else str(int(value))
    if hasattr(value, "item") and not isinstance(value, list | tuple | str):
        return esc(value.item())
    if isinstance(value, list | tuple | set | frozenset):
        return ", ".join(esc(v) for v in value)
    return html.escape(str(value), quote=True)


def _pct(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{100 * float(value):.0f}%"


def _name(data: ReportData, code: Any) -> str:
    if not isinstance(code, str) or not code:
        return ""
    return esc(data.labels.get(code, code))


def _table(
    head: list[str], rows: list[list[str]], cols: list[str] | None = None, cls: str = ""
) -> str:
    """An HTML table from already escaped cells; *cols* gives each column a CSS class
    (``rank``, ``name``, ``num``, ``text``, ``srcs``)."""
    if not rows:
        return '<p class="none">No rows.</p>'
    kinds = cols or [""] * len(head)

    def attr(kind: str) -> str:
        return f' class="{kind}"' if kind else ""

    thead = "".join(f"<th{attr(k)}>{h}</th>" for h, k in zip(head, kinds, strict=True))
    body = "".join(
        "<tr>" + "".join(f"<td{attr(k)}>{c}</td>" for c, k in zip(r, kinds, strict=True)) + "</tr>"
        for r in rows
    )
    return f"<table{attr(cls)}><thead><tr>{thead}</tr></thead><tbody>{body}</tbody></table>"


def _num(value: Any, digits: int = 2) -> str:
    """A number with *digits* decimals (integers as they are; NaN as a dash).

    Examples
    --------
    >>> _num(1.0), _num(0.12345, 3), _num(5), _num(float("nan"))
    ('1.00', '0.123', '5', '–')
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if isinstance(value, int) or (hasattr(value, "dtype") and value.dtype.kind in "iu"):
        return str(int(value))
    return f"{float(value):.{digits}f}"


def _sources_of(data: ReportData, pairs: Iterable[tuple[str, str]], limit: int = 4) -> str:
    """The source documents behind some memberships, each with up to *limit* locators."""
    found: dict[str, set[str]] = {}
    for key in pairs:
        for src, loc in data.evidence.get(key, ()):
            found.setdefault(src, set())
            if loc:
                found[src].add(loc)
    if not found:
        return '<span class="none">no membership source recorded</span>'
    parts = []
    for src in sorted(found):
        locs = sorted(found[src])
        more = len(locs) - limit
        where = "; ".join(esc(x) for x in locs[:limit]) + (f"; and {more} more" if more > 0 else "")
        title = esc(data.titles.get(src, src))
        parts.append(
            f'<span class="src" title="{title}">{esc(src)}</span>'
            + (f' <span class="loc">{where}</span>' if where else "")
        )
    return "<br>".join(parts)


MAIN_ROWS = 3
"""Rows of each ranked table shown in the main part; the CSV files hold all."""


def _main(table: pd.DataFrame) -> pd.DataFrame:
    """The first :data:`MAIN_ROWS` rows of a table, in rank order."""
    return _part(table, "main")


def _part(table: pd.DataFrame, part: str) -> pd.DataFrame:
    """The rows of a ranked table shown in the main part (the first :data:`MAIN_ROWS`) or in
    the appendix (the rest), in rank order."""
    if "rank" in table.columns:
        table = table.sort_values("rank", kind="stable")
    return table.head(MAIN_ROWS) if part == "main" else table.iloc[MAIN_ROWS:]


def _heading(anchor: str, title: str, part: str) -> str:
    if part == "main":
        return f'<section id="{anchor}"><h2>{title}</h2>'
    return f'<section id="{anchor}-more"><h2>Appendix: {title.lower()}, more rows</h2>'


def _figure(fig_svg: str, caption: str) -> str:
    return f"<figure>{fig_svg}<figcaption>{caption}</figcaption></figure>"


_SECTION_NAMES = {
    "coverage": "Coverage",
    "structural": "Sector pairs",
    "overlap": "Overlap",
    "bridges": "Bridge actors",
    "pairs": "Suggested pairs",
    "change": "Change",
}


def findings_section(data: ReportData) -> str:
    items = []
    for r in data.findings.to_dict("records"):
        section = r["section"]
        link = f'<a href="#{esc(section)}">{esc(_SECTION_NAMES.get(section, section))}</a>'
        items.append(
            f"<li><p>{esc(r['finding'])}</p>"
            f'<p class="evidence">Evidence: {esc(r["evidence"])} · see {link} '
            f"(<code>{esc(r['table'])}</code>)</p></li>"
        )
    if not items:
        return ""
    return (
        '<section id="findings" class="findings"><h2>Key findings</h2>'
        f"<ol>{''.join(items)}</ol>"
        '<p class="note">Each finding is one row of the analysis tables (named); the sections '
        "below show the first rows with their sources, <code>out/analysis/*.csv</code> all of "
        "them. These describe what the source documents name, not the whole ecosystem; how "
        'often each analysis is right: <a href="#about">Method</a>.</p>'
        "</section>"
    )


def _completeness(data: ReportData) -> str:
    c = data.counts
    if not c:
        return ""
    return (
        f'<p class="complete">Data completeness: of {esc(c.get("actors", 0))} actors, '
        f"{esc(c.get('actors_with_sector', 0))} have a sector and "
        f"{esc(c.get('actors_with_stage', 0))} a value-chain stage; of "
        f"{esc(c.get('initiatives', 0))} initiatives, {esc(c.get('initiatives_with_sector', 0))} "
        f"have a sector and {esc(c.get('initiatives_with_stage', 0))} a stage. The heatmap counts "
        "only the classified ones: an empty cell may be missing data, not a missing actor.</p>"
    )


def change_section(data: ReportData) -> str:
    summary = data.tables.get("change_summary")
    if summary is None or summary.empty:
        return ""
    stated = summary[~summary["difference"].astype(str).isin(("not-observed", "none"))]
    unseen = summary[summary["difference"].astype(str).eq("not-observed")]
    scope = esc(summary["scope"].iloc[0]) if "scope" in summary else ""

    def rows(frame: pd.DataFrame) -> list[list[str]]:
        return [
            [esc(r["table"].removeprefix("change_")), _num(r["count"]), esc(r["explanation"])]
            for r in frame.to_dict("records")
        ]

    stated_html = (
        _table(["what", "count", "stated change"], rows(stated), ["name", "num", "text"])
        if not stated.empty
        else '<p class="note">The sources state no change between their years.</p>'
    )
    return (
        '<section id="change"><h2>Change between the sources\' years</h2>'
        f'<p class="note">Scope: {scope}. Stated changes (a change event or a dated start or '
        "end in a source) are shown apart from differences that are only not observed: a "
        "source that does not name something is no evidence that it is gone or new.</p>"
        + stated_html
        + "<details><summary>Only not observed (no evidence either way): "
        + f"{esc(int(unseen['count'].sum()))} differences</summary>"
        + _table(["what", "count", "difference"], rows(unseen), ["name", "num", "text"])
        + "</details></section>"
    )


def actions_section(data: ReportData) -> str:
    from bioeco.analyses.whatif import HONESTY

    steps = data.tables.get("whatif_steps")
    ideas = data.tables.get("whatif_suggestions")
    if steps is None and ideas is None:
        return ""
    parts = [
        '<section id="actions"><h2>Actions that would change the most</h2>'
        f'<p class="complete">{esc(HONESTY)}</p>'
    ]
    if ideas is not None:
        rows = [
            [_num(r["rank"]), esc(r["action"]), _num(r["gain"]), esc(r["explanation"])]
            for r in ideas.to_dict("records")
        ]
        parts.append(
            "<h3>Suggested actions</h3>"
            + (
                _table(["rank", "action", "gain", "why"], rows, ["rank", "name", "num", "text"])
                if rows
                else '<p class="note">No candidate action would add anything.</p>'
            )
        )
    if steps is not None:
        rows = [
            [_num(r["step"]) if r["step"] else "all", esc(r["explanation"])]
            for r in steps.to_dict("records")
        ]
        parts.append(
            "<h3>The plan, action by action</h3>"
            + _table(["step", "what it changes"], rows, ["rank", "text"])
        )
    parts.append(
        '<p class="note">Method and plan format: docs/whatif.md; all changes in '
        "<code>bioeco whatif</code>'s <code>whatif_changes</code> table.</p></section>"
    )
    return "".join(parts)


def counts_section(data: ReportData) -> str:
    src_rows = [
        [
            f'<span class="src">{esc(r["source"])}</span>',
            esc(r["title"]),
            esc(r["issued"]),
            *(_num(r[c]) for c in SOURCE_COLUMNS),
        ]
        for r in data.sources.to_dict("records")
    ]
    sector_rows = [
        [
            _name(data, r["sector"]) or '<span class="none">no sector</span>',
            _num(r["actors"]),
            _num(r["initiatives"]),
        ]
        for r in data.sectors.to_dict("records")
    ]

    def types(kind: str) -> str:
        rows = [
            [_name(data, r["type"]) or esc(r["type"]), _num(r["count"])]
            for r in data.types.to_dict("records")
            if r["kind"] == kind
        ]
        return _table(["type", kind + "s"], rows, ["", "num"])

    return (
        '<section id="counts"><h2>Appendix: what the graph holds</h2>'
        "<h3>Per source document</h3>"
        + _table(
            ["source", "title", "issued", *SOURCE_COLUMNS],
            src_rows,
            ["", "name", "", *(["num"] * len(SOURCE_COLUMNS))],
        )
        + '<div class="cols"><div><h3>Per sector</h3>'
        + _table(["sector", "actors", "initiatives"], sector_rows, ["", "num", "num"])
        + '<p class="note">Narrower sectors count under their top sector; an entity in '
        "several sectors counts in each.</p>"
        + "</div><div><h3>Actors per type</h3>"
        + types("actor")
        + "</div><div><h3>Initiatives per type</h3>"
        + types("initiative")
        + "</div></div></section>"
    )


def coverage_section(data: ReportData) -> str:
    table = data.tables["gaps_coverage"]
    fig = plots.coverage_heatmap(table, labels=data.labels, title=None, note=False)
    flagged = _main(table[table["flag"].str.contains("under", regex=False)])
    rows = [[esc(r["entity"]), esc(r["explanation"])] for r in flagged.to_dict("records")]
    summary = table.attrs.get("summary")
    under = (f'<p class="summary">{esc(summary)}</p>' if summary else "") + (
        "<h3>Cells with significantly fewer entities than the totals predict</h3>"
        + _table(["counting", "explanation"], rows, ["", "text"])
        if rows
        else '<p class="note">No cell has significantly fewer entities than its row and '
        "column totals predict.</p>"
    )
    return (
        '<section id="coverage"><h2>Coverage: sector × value-chain stage</h2>'
        + _completeness(data)
        + _figure(
            plots.svg(fig, salt="coverage"),
            "Each number is the <code>count</code> of the <code>gaps_coverage</code> table: "
            "actors (left) and initiatives (right) classified in both the sector and the stage. "
            "Grey cells are empty.",
        )
        + under
        + "</section>"
    )


def _short_sources(values: Any) -> str:
    if not isinstance(values, list | tuple):
        return ""
    return ", ".join(f'<span class="src">{esc(v.removeprefix("source/"))}</span>' for v in values)


def survey_section(data: ReportData) -> str:
    table = data.tables["gaps_survey"]
    rows = []
    for r in table.to_dict("records"):
        where = " / ".join(
            _name(data, r[c]) for c in ("sector", "stage") if isinstance(r[c], str) and r[c]
        )
        topic = _name(data, r["topic"])
        who = " · ".join(
            x for x in (_name(data, r["respondent_group"]), _name(data, r["question"])) if x
        )
        n = r.get("sample_size")
        rows.append(
            [
                f"<b>{where}</b>"
                + (f": {topic}" if topic else "")
                + (f'<br><span class="loc">{who}</span>' if who else ""),
                _pct(r["share"])
                + (f'<br><span class="loc">n={_num(n)}</span>' if pd.notna(n) else ""),
                f"{_num(r['graph_actors'])} actors<br>{_num(r['graph_initiatives'])} initiatives",
                esc(r["explanation"]),
                "survey: "
                + _short_sources(r["survey_source"])
                + "<br>graph: "
                + _short_sources(r["graph_sources"]),
            ]
        )
    return (
        '<section id="survey"><h2>Appendix: survey figures</h2>'
        '<p class="note">What the survey\'s respondents said, with the sector or stage each '
        "figure concerns, and how many actors and initiatives the graph classifies there. The "
        "two are not compared as shares: a share of respondents and a share of the actors "
        "sources happen to name measure different things.</p>"
        + _table(
            ["survey figure", "respondents", "in the graph", "explanation", "sources"],
            rows,
            ["name", "num", "num", "text", "srcs"],
        )
        + "</section>"
    )


def _ranked_section(
    data: ReportData,
    part: str,
    table_name: str,
    anchor: str,
    title: str,
    row: Callable[[dict[str, Any]], list[str]],
    columns: list[tuple[str, str]],
    *,
    intro: str = "",
    chart: Callable[[], str] | None = None,
) -> str:
    """A ranked table's section: its first rows (``part="main"``) or the rest in the appendix
    (nothing when there are none, with the table's *chart* above them); *row* renders one
    record, *columns* are the (header, kind) of its cells."""
    table = _part(data.tables[table_name], part)
    if part == "appendix" and table.empty:
        return ""
    figure = chart() if chart is not None and part == "appendix" else ""
    return (
        _heading(anchor, title, part)
        + intro
        + figure
        + _table(
            [h for h, _ in columns],
            [row(r) for r in table.to_dict("records")],
            [k for _, k in columns],
        )
        + "</section>"
    )


def overlap_section(data: ReportData, part: str = "main") -> str:
    def row(r: dict[str, Any]) -> list[str]:
        keys = [(m, i) for m in r["shared_members"] for i in (r["initiative_a"], r["initiative_b"])]
        return [
            _num(r["rank"]),
            f"{esc(r['label_a'])}<br>↔ {esc(r['label_b'])}",
            _num(r["shared"]),
            _num(r["jaccard"]),
            _num(r["overlap"]),
            esc(r["explanation"]),
            _sources_of(data, keys),
        ]

    def chart() -> str:
        return _figure(
            plots.svg(
                plots.overlap_chart(data.tables["overlap_pairs"], title=None), salt="overlap"
            ),
            "Member Jaccard index of each pair (shared members ÷ members of either).",
        )

    columns = [("rank", "rank"), ("pair", "name"), ("shared", "num"), ("Jaccard", "num")]
    columns += [("overlap", "num"), ("explanation", "text"), ("sources", "srcs")]
    return _ranked_section(
        data, part, "overlap_pairs", "overlap", "Overlapping initiatives", row, columns, chart=chart
    )


def _sector_names(data: ReportData, codes: Any) -> str:
    if not isinstance(codes, list | tuple):
        return ""
    return esc(tuple(data.labels.get(c, c) for c in codes))


def bridges_section(data: ReportData, part: str = "main") -> str:
    def row(r: dict[str, Any]) -> list[str]:
        return [
            _num(r["rank"]),
            esc(r["label"])
            + f'<br><span class="loc">{_sector_names(data, r["bridged_sectors"])}</span>',
            _num(r["score"]),
            _num(r["betweenness"], 3),
            _num(r["participation"]),
            esc(r["explanation"]),
            _sources_of(data, [(r["actor"], i) for i in r["via"]]),
        ]

    def chart() -> str:
        return _figure(
            plots.svg(
                plots.bridges_chart(data.tables["bridges_actors"], labels=data.labels, title=None),
                salt="bridges",
            ),
            "Bridge score (1 = the strongest bridge in this graph) and the sectors each actor "
            "connects.",
        )

    columns = [("rank", "rank"), ("actor", "name"), ("score", "num"), ("betweenness", "num")]
    columns += [("participation", "num"), ("explanation", "text"), ("sources", "srcs")]
    return _ranked_section(
        data, part, "bridges_actors", "bridges", "Bridge actors", row, columns, chart=chart
    )


def pairs_section(data: ReportData, part: str = "main") -> str:
    def row(r: dict[str, Any]) -> list[str]:
        people = [r["actor_a"], r["actor_b"], *r["common"]]
        return [
            _num(r["rank"]),
            f'{esc(r["label_a"])} <span class="loc">({_sector_names(data, r["sectors_a"])})'
            f'</span><br>↔ {esc(r["label_b"])} <span class="loc">'
            f"({_sector_names(data, r['sectors_b'])})</span>",
            _num(r["score"], 3),
            esc(r["explanation"]),
            _sources_of(data, [(m, i) for m in people for i in r["via"]]),
        ]

    intro = (
        '<p class="note">Actors in different sectors who share no initiative but work with the '
        "same partners, ranked by resource allocation.</p>"
    )
    columns = [("rank", "rank"), ("pair", "name"), ("score", "num")]
    columns += [("explanation", "text"), ("sources", "srcs")]
    return _ranked_section(
        data, part, "bridges_pairs", "pairs", "Suggested pairs", row, columns, intro=intro
    )


def structural_section(data: ReportData) -> str:
    tested = data.tables["gaps_structural"]
    called = pd.Series(True, index=tested.index)
    for column in ("gap", "significant"):  # a gap is called only when it is significant
        if column in tested.columns:
            called &= tested[column].astype(bool)
    table = _main(tested[called])
    rows = [
        [
            _num(r["rank"]),
            f"{_name(data, r['sector_a'])}<br>↔ {_name(data, r['sector_b'])}",
            _num(r["observed"]),
            _num(r["expected"]),
            _num(r["p_value"], 3),
            _num(r.get("q_value"), 3),
            esc(r["explanation"]),
        ]
        for r in table.to_dict("records")
    ]
    summary = tested.attrs.get("summary")
    said = f'<p class="summary">{esc(summary)}</p>' if summary else ""
    found = (
        _table(
            ["rank", "sectors", "shared", "expected", "p", "adjusted p", "explanation"],
            rows,
            ["rank", "name", "num", "num", "num", "num", "text"],
        )
        if rows
        else f"<p><b>No pair of sectors meets in significantly fewer initiatives than chance "
        f"would give</b> ({esc(len(tested))} pairs tested). With this many members the test "
        "cannot tell a real shortfall from chance; the table "
        "<code>gaps_structural</code> lists every pair with its p-value.</p>" + said
    )
    return (
        '<section id="structural"><h2>Sector pairs that meet less than expected</h2>'
        '<p class="note">Pairs of sectors that share significantly fewer initiatives than they '
        "would with the members' sectors shuffled at random (<code>gaps_structural</code> rows "
        "marked as a gap; false discovery rate 5 %, Benjamini–Hochberg).</p>"
        + (said if rows else "")
        + found
        + "</section>"
    )


def _param_text(value: Any) -> str:
    if value is None or value == []:
        return '<span class="none">not set</span>'
    return esc(value)


def about_section(data: ReportData, part: str = "main") -> str:
    from bioeco import __version__

    rows = [[esc(k), _param_text(v)] for k, v in data.params.items()]
    rows.append(["started", esc(data.started.isoformat())])
    rows.append(["ended", esc(data.ended.isoformat())])
    rows.append(["bioeco", esc(__version__)])
    params = (
        '<section id="parameters"><h2>Appendix: parameters</h2>'
        + _table(["parameter", "value"], rows, cls="params")
        + "</section>"
    )
    return (
        params
        if part == "appendix"
        else (
            '<section id="about"><h2>Appendix: method</h2>'
            + '<p class="note">The same tables are written as CSV by '
            "<code>bioeco analyze all</code> (<code>out/analysis/</code>); each explanation "
            "above is the table's own <code>explanation</code> column.</p>"
            "<h3>How often the analyses are right</h3>"
            '<p class="note">On synthetic ecosystems with planted structure '
            "(<code>make evaluate</code>, docs/evaluation.md) the overlap analysis finds planted "
            "duplicate initiatives; bridge scores find planted brokers in small networks but can "
            "rank hubs first in large ones; the pair suggestions do no better than chance on ties "
            "that nothing in the network predicts. The back-test of the pair suggestions on these "
            "two sources (2017 national, 2021 regional) is inconclusive: they name only six actors "
            "in common.</p>"
            "</section>"
        )
    )
