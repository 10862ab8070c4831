"""The findings report: one self-contained, escaped HTML page of the graph and its analyses.

:func:`collect` runs the analyses once (:func:`bioeco.analyses.run.run_analyses`) and gathers
what the page shows next to their tables: counts per source, type and sector, readable concept
names and the source documents (with locators) behind each membership. :func:`render` turns
that into HTML: every label goes through :func:`html.escape`, the plots are inline SVG
(:mod:`bioeco.viz.plots`), there is no script and a Content-Security-Policy forbids loading
anything, so the page works offline and a hostile name shows as text. :func:`write_report`
writes it atomically; :func:`report` is the whole job for the command line.
"""

from __future__ import annotations

import html
import math
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd
from rdflib import Dataset, Graph

from bioeco.analyses.findings import completeness, key_findings
from bioeco.analyses.project import Network, entity_id, load_network
from bioeco.analyses.run import cut_top
from bioeco.core.atomic import atomic_write, check_target
from bioeco.core.paths import OUT_DIR
from bioeco.store.query import select
from bioeco.viz import plots

__all__ = [
    "ReportData",
    "collect",
    "render",
    "report",
    "source_table",
    "write_report",
]

_Q_SOURCES = """
SELECT ?doc ?title (LANG(?title) AS ?lang) (STR(?issued) AS ?date) ?file WHERE {
  ?doc a bioeco:SourceDocument .
  OPTIONAL { ?doc dcterms:title ?title }
  OPTIONAL { ?doc dcterms:issued ?issued }
  OPTIONAL { ?doc dcterms:identifier ?file }
}"""

_Q_MEMBERSHIP_SOURCES = """
SELECT DISTINCT ?member ?org ?src ?loc WHERE {
  ?ms a org:Membership ; org:member ?member ; org:organization ?org ;
      prov:wasDerivedFrom ?src .
  OPTIONAL { ?ms bioeco:locator ?loc }
}"""

_Q_TOTALS = """
SELECT (COUNT(DISTINCT ?ms) AS ?memberships) WHERE { ?ms a org:Membership }"""

_SOURCE_COLUMNS = ["actors", "initiatives", "people", "memberships", "classifications"]


@dataclass
class ReportData:
    """Everything the page shows; built by :func:`collect`.

    ``tables``: the analyses' own tables by name (``gaps_coverage``, ``overlap_pairs`` …);
    ``sources``: one row per source document (``source``, ``title``, ``issued`` and counts);
    ``types``: ``kind``, ``type``, ``count``; ``sectors``: ``sector``, ``actors``,
    ``initiatives`` (top-level sectors, narrower ones counted under them); ``labels``: concept
    code → readable name; ``evidence``: (member id, initiative id) → sorted (source, locator)
    pairs; ``params``: the analysis parameters; ``started``/``ended``: when the analyses ran;
    ``counts``: how much is classified (:func:`bioeco.analyses.findings.completeness`);
    ``findings``: the key findings (:func:`bioeco.analyses.findings.key_findings`).
    """

    tables: dict[str, pd.DataFrame]
    sources: pd.DataFrame
    types: pd.DataFrame
    sectors: pd.DataFrame
    labels: dict[str, str]
    evidence: dict[tuple[str, str], list[tuple[str, str]]]
    params: dict[str, Any]
    started: datetime
    ended: datetime
    memberships: int = 0
    titles: dict[str, str] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    findings: pd.DataFrame = field(default_factory=pd.DataFrame)


def _source_id(iri: str) -> str:
    return entity_id(iri).removeprefix("source/")


def source_table(graph: Graph | Dataset) -> tuple[pd.DataFrame, dict[str, str]]:
    """Source documents (``source``, ``title``, ``issued`` and counts from
    :func:`bioeco.store.stats.source_counts`) and the title of each, English first."""
    from bioeco.store.stats import source_counts

    docs = select(graph, _Q_SOURCES)
    titles: dict[str, tuple[int, str]] = {}
    issued: dict[str, str] = {}
    ids = set()
    for doc, title, lang, date, _file in docs.itertuples(index=False):
        sid = _source_id(doc)
        ids.add(sid)
        if isinstance(title, str):
            key = ({"en": 0}.get(lang or "", 1), title)
            if sid not in titles or key < titles[sid]:
                titles[sid] = key
        if isinstance(date, str):
            issued[sid] = date
    counts = source_counts(graph) if isinstance(graph, Dataset) else pd.DataFrame()
    by_id = {
        str(row["source"]): row for row in counts.to_dict("records") if "source" in counts.columns
    }
    rows = [
        {
            "source": sid,
            "title": titles[sid][1] if sid in titles else "",
            "issued": issued.get(sid, ""),
            **{c: int(by_id.get(sid, {}).get(c, 0) or 0) for c in _SOURCE_COLUMNS},
        }
        for sid in sorted(ids | set(by_id))
    ]
    frame = pd.DataFrame(rows, columns=["source", "title", "issued", *_SOURCE_COLUMNS])
    return frame, {sid: v[1] for sid, v in titles.items()}


def _type_table(net: Network) -> pd.DataFrame:
    nodes = net.nodes.assign(type=net.nodes["type"].fillna("(no type)"))
    counts = nodes.groupby(["kind", "type"]).size().rename("count").reset_index()
    counts = counts.sort_values(["kind", "count", "type"], ascending=[True, False, True])
    return counts.reset_index(drop=True)


def _sector_table(net: Network) -> pd.DataFrame:
    tops = [c for c in net.codes("sector") if net.top("sector", c) == c]
    rows = []
    for code in tops:
        inside = net.descendants("sector", code)
        hit = net.nodes[[bool(set(s) & inside) for s in net.nodes["sectors"]]]
        rows.append(
            {
                "sector": code,
                "actors": int((hit["kind"] == "actor").sum()),
                "initiatives": int((hit["kind"] == "initiative").sum()),
            }
        )
    none = net.nodes[[not s for s in net.nodes["sectors"]]]
    if len(none):
        rows.append(
            {
                "sector": "",
                "actors": int((none["kind"] == "actor").sum()),
                "initiatives": int((none["kind"] == "initiative").sum()),
            }
        )
    return pd.DataFrame(rows, columns=["sector", "actors", "initiatives"])


def _evidence(graph: Graph | Dataset) -> dict[tuple[str, str], list[tuple[str, str]]]:
    frame = select(graph, _Q_MEMBERSHIP_SOURCES)
    out: dict[tuple[str, str], set[tuple[str, str]]] = {}
    for member, org, src, loc in frame.itertuples(index=False):
        key = (entity_id(member), entity_id(org))
        out.setdefault(key, set()).add((_source_id(src), loc if isinstance(loc, str) else ""))
    return {k: sorted(v) for k, v in out.items()}


def collect(
    graph: Graph | Dataset,
    *,
    top: int = 10,
    sector: str | None = None,
    region: str | None = None,
    as_of: int | None = None,
    seed: int = 42,
    basis: str = "all",
    inputs: Iterable[str] = (),
    whatif: str | os.PathLike | None = None,
    suggest: int | None = None,
    **thresholds: Any,
) -> ReportData:
    """Run every analysis on *graph* once and gather what the report shows.

    The tables are those of :func:`bioeco.analyses.run.run_analyses` with the same options
    (*sector*, *region*, *as_of*, *seed*, *basis*, *thresholds*), each ranking cut to its
    *top* rows (:func:`bioeco.analyses.run.cut_top`) and the coverage kept whole for the
    heatmap; nothing is recomputed from them. *whatif* (a plan file) and *suggest* (a number of
    actions) add the what-if tables (:mod:`bioeco.analyses.whatif`) for the section "Actions
    that would change the most". *inputs* names the files the graph came
    from (shown with the parameters). The run time comes from
    :func:`bioeco.pipeline.run_clock` (fixed by ``SOURCE_DATE_EPOCH``).

    Examples
    --------
    >>> from bioeco.analyses._fixture import example_graph
    >>> data = collect(example_graph(), top=1, min_shared=1)
    >>> sorted(data.tables)[:3], len(data.tables["overlap_pairs"])
    (['bridges_actors', 'bridges_brokerage', 'bridges_pairs'], 1)
    >>> data.params["top"], data.labels["research"]
    (1, 'research')
    """
    from bioeco.pipeline import analysis_tables, run_clock

    started = run_clock()
    # out/analysis/ when `bioeco analyze` wrote it for this graph and these options
    full = analysis_tables(
        graph,
        ("all",),
        sector=sector,
        region=region,
        as_of=as_of,
        seed=seed,
        basis=basis,
        **thresholds,
    )
    # the rankings are cut to *top*; the heatmap needs every cell of the coverage
    tables = {**cut_top(full, top), "gaps_coverage": full["gaps_coverage"]}
    if whatif is not None or suggest:
        from bioeco.analyses.whatif import suggest_actions
        from bioeco.analyses.whatif import whatif as run_whatif

        if whatif is not None:
            tables.update(run_whatif(graph, whatif, as_of=as_of, basis=basis))
        if suggest:
            tables["whatif_suggestions"] = suggest_actions(
                graph, suggest, region=region, as_of=as_of, basis=basis
            )
    ended = max(run_clock(), started)
    net = load_network(graph, as_of=as_of, basis=basis)
    counts = completeness(net)
    sources, titles = source_table(graph)
    params = {
        "top": top,
        "sector": sector,
        "region": region,
        "as_of": as_of,
        "basis": basis,
        "seed": seed,
        **thresholds,
        "inputs": list(inputs),
    }
    return ReportData(
        tables=tables,
        sources=sources,
        types=_type_table(net),
        sectors=_sector_table(net),
        labels=plots.concept_labels(net),
        evidence=_evidence(graph),
        params=params,
        started=started,
        ended=ended,
        memberships=int(select(graph, _Q_TOTALS)["memberships"].iloc[0]),
        titles=titles,
        counts=counts,
        findings=key_findings(full, counts),
    )


# --------------------------------------------------------------------------- rendering


def _e(value: Any) -> str:
    """Escaped text of a cell: no Python reprs (None, nan, tuples) reach the page.

    Examples
    --------
    >>> _e("<b>"), _e(None), _e(float("nan")), _e(("a", "b")), _e(0.123456), _e(True)
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
        return _e(value.item())
    if isinstance(value, list | tuple | set | frozenset):
        return ", ".join(_e(v) for v in value)
    return html.escape(str(value), quote=True)


def _pct(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{100 * float(value):.0f}%"


def _name(data: ReportData, code: Any) -> str:
    if not isinstance(code, str) or not code:
        return ""
    return _e(data.labels.get(code, code))


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
        where = "; ".join(_e(x) for x in locs[:limit]) + (f"; and {more} more" if more > 0 else "")
        title = _e(data.titles.get(src, src))
        parts.append(
            f'<span class="src" title="{title}">{_e(src)}</span>'
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


def _findings_section(data: ReportData) -> str:
    items = []
    for r in data.findings.to_dict("records"):
        section = r["section"]
        link = f'<a href="#{_e(section)}">{_e(_SECTION_NAMES.get(section, section))}</a>'
        items.append(
            f"<li><p>{_e(r['finding'])}</p>"
            f'<p class="evidence">Evidence: {_e(r["evidence"])} · see {link} '
            f"(<code>{_e(r['table'])}</code>)</p></li>"
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
        f'<p class="complete">Data completeness: of {_e(c.get("actors", 0))} actors, '
        f"{_e(c.get('actors_with_sector', 0))} have a sector and "
        f"{_e(c.get('actors_with_stage', 0))} a value-chain stage; of "
        f"{_e(c.get('initiatives', 0))} initiatives, {_e(c.get('initiatives_with_sector', 0))} "
        f"have a sector and {_e(c.get('initiatives_with_stage', 0))} a stage. The heatmap counts "
        "only the classified ones: an empty cell may be missing data, not a missing actor.</p>"
    )


def _change_section(data: ReportData) -> str:
    summary = data.tables.get("change_summary")
    if summary is None or summary.empty:
        return ""
    stated = summary[~summary["difference"].astype(str).isin(("not-observed", "none"))]
    unseen = summary[summary["difference"].astype(str).eq("not-observed")]
    scope = _e(summary["scope"].iloc[0]) if "scope" in summary else ""

    def rows(frame: pd.DataFrame) -> list[list[str]]:
        return [
            [_e(r["table"].removeprefix("change_")), _num(r["count"]), _e(r["explanation"])]
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
        + f"{_e(int(unseen['count'].sum()))} differences</summary>"
        + _table(["what", "count", "difference"], rows(unseen), ["name", "num", "text"])
        + "</details></section>"
    )


def _actions_section(data: ReportData) -> str:
    from bioeco.analyses.whatif import HONESTY

    steps = data.tables.get("whatif_steps")
    ideas = data.tables.get("whatif_suggestions")
    if steps is None and ideas is None:
        return ""
    parts = [
        '<section id="actions"><h2>Actions that would change the most</h2>'
        f'<p class="complete">{_e(HONESTY)}</p>'
    ]
    if ideas is not None:
        rows = [
            [_num(r["rank"]), _e(r["action"]), _num(r["gain"]), _e(r["explanation"])]
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
            [_num(r["step"]) if r["step"] else "all", _e(r["explanation"])]
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


def _counts_section(data: ReportData) -> str:
    src_rows = [
        [
            f'<span class="src">{_e(r["source"])}</span>',
            _e(r["title"]),
            _e(r["issued"]),
            *(_num(r[c]) for c in _SOURCE_COLUMNS),
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
            [_name(data, r["type"]) or _e(r["type"]), _num(r["count"])]
            for r in data.types.to_dict("records")
            if r["kind"] == kind
        ]
        return _table(["type", kind + "s"], rows, ["", "num"])

    return (
        '<section id="counts"><h2>Appendix: what the graph holds</h2>'
        "<h3>Per source document</h3>"
        + _table(
            ["source", "title", "issued", *_SOURCE_COLUMNS],
            src_rows,
            ["", "name", "", *(["num"] * len(_SOURCE_COLUMNS))],
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


def _coverage_section(data: ReportData) -> str:
    table = data.tables["gaps_coverage"]
    fig = plots.coverage_heatmap(table, labels=data.labels, title=None, note=False)
    flagged = _main(table[table["flag"].str.contains("under", regex=False)])
    rows = [[_e(r["entity"]), _e(r["explanation"])] for r in flagged.to_dict("records")]
    summary = table.attrs.get("summary")
    under = (f'<p class="summary">{_e(summary)}</p>' if summary else "") + (
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
    return ", ".join(f'<span class="src">{_e(v.removeprefix("source/"))}</span>' for v in values)


def _survey_section(data: ReportData) -> str:
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
                _e(r["explanation"]),
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


def _overlap_section(data: ReportData, part: str = "main") -> str:
    table = _part(data.tables["overlap_pairs"], part)
    if part == "appendix" and table.empty:
        return ""
    rows = []
    for r in table.to_dict("records"):
        a, b = r["initiative_a"], r["initiative_b"]
        keys = [(m, i) for m in r["shared_members"] for i in (a, b)]
        rows.append(
            [
                _num(r["rank"]),
                f"{_e(r['label_a'])}<br>↔ {_e(r['label_b'])}",
                _num(r["shared"]),
                _num(r["jaccard"]),
                _num(r["overlap"]),
                _e(r["explanation"]),
                _sources_of(data, keys),
            ]
        )
    chart = (
        _figure(
            plots.svg(
                plots.overlap_chart(data.tables["overlap_pairs"], title=None), salt="overlap"
            ),
            "Member Jaccard index of each pair (shared members ÷ members of either).",
        )
        if part == "appendix" and not table.empty
        else ""
    )
    return (
        _heading("overlap", "Overlapping initiatives", part)
        + chart
        + _table(
            ["rank", "pair", "shared", "Jaccard", "overlap", "explanation", "sources"],
            rows,
            ["rank", "name", "num", "num", "num", "text", "srcs"],
        )
        + "</section>"
    )


def _sector_names(data: ReportData, codes: Any) -> str:
    if not isinstance(codes, list | tuple):
        return ""
    return _e(tuple(data.labels.get(c, c) for c in codes))


def _bridges_section(data: ReportData, part: str = "main") -> str:
    table = _part(data.tables["bridges_actors"], part)
    if part == "appendix" and table.empty:
        return ""
    rows = []
    for r in table.to_dict("records"):
        keys = [(r["actor"], i) for i in r["via"]]
        rows.append(
            [
                _num(r["rank"]),
                _e(r["label"])
                + f'<br><span class="loc">{_sector_names(data, r["bridged_sectors"])}</span>',
                _num(r["score"]),
                _num(r["betweenness"], 3),
                _num(r["participation"]),
                _e(r["explanation"]),
                _sources_of(data, keys),
            ]
        )
    chart = (
        _figure(
            plots.svg(
                plots.bridges_chart(data.tables["bridges_actors"], labels=data.labels, title=None),
                salt="bridges",
            ),
            "Bridge score (1 = the strongest bridge in this graph) and the sectors each actor "
            "connects.",
        )
        if part == "appendix" and not table.empty
        else ""
    )
    return (
        _heading("bridges", "Bridge actors", part)
        + chart
        + _table(
            ["rank", "actor", "score", "betweenness", "participation", "explanation", "sources"],
            rows,
            ["rank", "name", "num", "num", "num", "text", "srcs"],
        )
        + "</section>"
    )


def _pairs_section(data: ReportData, part: str = "main") -> str:
    table = _part(data.tables["bridges_pairs"], part)
    if part == "appendix" and table.empty:
        return ""
    rows = []
    for r in table.to_dict("records"):
        people = [r["actor_a"], r["actor_b"], *r["common"]]
        keys = [(m, i) for m in people for i in r["via"]]
        rows.append(
            [
                _num(r["rank"]),
                f'{_e(r["label_a"])} <span class="loc">({_sector_names(data, r["sectors_a"])})'
                f'</span><br>↔ {_e(r["label_b"])} <span class="loc">'
                f"({_sector_names(data, r['sectors_b'])})</span>",
                _num(r["score"], 3),
                _e(r["explanation"]),
                _sources_of(data, keys),
            ]
        )
    return (
        _heading("pairs", "Suggested pairs", part)
        + '<p class="note">Actors in different sectors who share no initiative but work with the '
        "same partners, ranked by resource allocation.</p>"
        + _table(
            ["rank", "pair", "score", "explanation", "sources"],
            rows,
            ["rank", "name", "num", "text", "srcs"],
        )
        + "</section>"
    )


def _structural_section(data: ReportData) -> str:
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
            _e(r["explanation"]),
        ]
        for r in table.to_dict("records")
    ]
    summary = tested.attrs.get("summary")
    said = f'<p class="summary">{_e(summary)}</p>' if summary else ""
    found = (
        _table(
            ["rank", "sectors", "shared", "expected", "p", "adjusted p", "explanation"],
            rows,
            ["rank", "name", "num", "num", "num", "num", "text"],
        )
        if rows
        else f"<p><b>No pair of sectors meets in significantly fewer initiatives than chance "
        f"would give</b> ({_e(len(tested))} pairs tested). With this many members the test "
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
    return _e(value)


def _about_section(data: ReportData, part: str = "main") -> str:
    from bioeco import __version__

    rows = [[_e(k), _param_text(v)] for k, v in data.params.items()]
    rows.append(["started", _e(data.started.isoformat())])
    rows.append(["ended", _e(data.ended.isoformat())])
    rows.append(["bioeco", _e(__version__)])
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


_CSS = """
:root { --ink: #1a202c; --muted: #5a6372; --line: #e2e8f0; --accent: #2b6cb0; }
* { box-sizing: border-box; }
body { font: 15px/1.5 "DejaVu Sans", system-ui, sans-serif; color: var(--ink); margin: 0;
       background: #f7f9fc; }
header, main { max-width: 1180px; margin: 0 auto; padding: 0 24px; }
header { padding-top: 28px; padding-bottom: 8px; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 20px; margin: 0 0 12px; border-bottom: 2px solid var(--line);
     padding-bottom: 6px; }
h3 { font-size: 16px; margin: 18px 0 8px; }
section { background: white; border: 1px solid var(--line); border-radius: 8px;
          padding: 18px 22px; margin: 18px 0; }
.meta { color: var(--muted); margin: 0; }
.cards { display: flex; gap: 12px; flex-wrap: wrap; margin: 16px 0 0; padding: 0;
         list-style: none; }
.cards li { background: white; border: 1px solid var(--line); border-radius: 8px;
            padding: 10px 16px; min-width: 130px; }
.cards b { display: block; font-size: 24px; }
nav a, a { color: var(--accent); }
nav { margin-top: 12px; }
nav a { margin-right: 14px; }
table { border-collapse: collapse; width: 100%; font-size: 13.5px; margin-bottom: 8px; }
th, td { text-align: left; vertical-align: top; padding: 6px 8px;
         border-bottom: 1px solid var(--line); overflow-wrap: break-word; }
th { background: #edf2f7; font-weight: 600; white-space: nowrap; }
.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
.rank { width: 3em; }
.name { min-width: 14em; }
td.text { min-width: 24em; }
td.srcs { min-width: 13em; font-size: 12.5px; }
table.params { width: auto; }
.cols { display: grid; grid-template-columns: repeat(3, 1fr); gap: 24px; align-items: start; }
figure { margin: 0 0 12px; }
figure svg { max-width: 100%; height: auto; display: block; }
figcaption, .note { color: var(--muted); font-size: 13px; }
.none { color: var(--muted); font-style: italic; }
.src { font-family: "DejaVu Sans Mono", monospace; font-size: 12.5px; }
.loc { color: var(--muted); font-size: 12px; }
code { font-family: "DejaVu Sans Mono", monospace; font-size: 13px; }
footer { color: var(--muted); font-size: 12.5px; text-align: center; padding: 8px 0 28px; }
@media (max-width: 800px) { .cols { grid-template-columns: 1fr; } }
.findings ol { padding-left: 1.4em; margin: 0; }
.findings li { margin: 0 0 10px; }
.findings li p { margin: 0; }
.findings .evidence, .complete { color: var(--muted); font-size: 13px; }
.complete { background: #fffbea; border-left: 3px solid #d69e2e; padding: 6px 10px; }
@media print {
  body { background: white; font-size: 11pt; }
  header, main { max-width: none; padding: 0; }
  nav, .cards { display: none; }
  section { border: none; padding: 0; margin: 0 0 14pt; break-inside: auto; }
  h2 { break-after: avoid; }
  tr, figure, .findings li { break-inside: avoid; }
  #appendix { break-before: page; }
  a { color: inherit; text-decoration: none; }
}
"""

_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


def render(data: ReportData, *, viewer_href: str | None = "viewer.html") -> str:
    """The report as one HTML document (no script, no external resource, every label escaped).

    *viewer_href* is the relative link to the interactive viewer (``None``: no link).

    Examples
    --------
    >>> from bioeco.analyses._fixture import example_graph
    >>> page = render(collect(example_graph(), top=3))
    >>> page.startswith("<!DOCTYPE html>"), "<script" in page, 'href="viewer.html"' in page
    (True, False, True)
    """
    n_actors = int(data.types.loc[data.types["kind"] == "actor", "count"].sum())
    n_inits = int(data.types.loc[data.types["kind"] == "initiative", "count"].sum())
    cards = [
        (n_actors, "actors"),
        (n_inits, "initiatives"),
        (data.memberships, "memberships"),
        (len(data.sources), "source documents"),
    ]
    viewer = f'<a href="{_e(viewer_href)}">Open the interactive viewer</a>' if viewer_href else ""
    change = _change_section(data)
    links = [
        ("findings", "Key findings"),
        ("coverage", "Coverage"),
        ("structural", "Sector pairs"),
        ("overlap", "Overlap"),
        ("bridges", "Bridges"),
        ("pairs", "Suggested pairs"),
        *([("change", "Change")] if change else []),
        *(
            [("actions", "Actions")]
            if "whatif_steps" in data.tables or "whatif_suggestions" in data.tables
            else []
        ),
        ("appendix", "Appendix"),
        ("about", "Method"),
    ]
    nav = " ".join(f'<a href="#{anchor}">{text}</a>' for anchor, text in links)
    as_of = data.params.get("as_of")
    scope = f" as of {_e(as_of)}" if as_of is not None else ""
    body = "".join(
        [
            _findings_section(data),
            _coverage_section(data),
            _structural_section(data),
            _overlap_section(data),
            _bridges_section(data),
            _pairs_section(data),
            change,
            _actions_section(data),
            '<div id="appendix">',
            _about_section(data),
            _overlap_section(data, "appendix"),
            _bridges_section(data, "appendix"),
            _pairs_section(data, "appendix"),
            _counts_section(data),
            _survey_section(data),
            _about_section(data, "appendix"),
            "</div>",
        ]
    )
    card_html = "".join(f"<li><b>{_e(n)}</b>{_e(label)}</li>" for n, label in cards)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>bioeco: ecosystem report</title>"
        f"<style>{_CSS}</style></head><body>"
        "<header><h1>Bioeconomy ecosystem report</h1>"
        f'<p class="meta">Analysis run {_e(data.started.isoformat())}{scope}. {viewer}</p>'
        f'<ul class="cards">{card_html}</ul><nav>{nav}</nav></header>'
        f"<main>{body}</main>"
        "<footer>Made by bioeco from the source documents listed above; every fact in the "
        "graph carries its source and locator.</footer>"
        "</body></html>\n"
    )


def _file_digest(path: Path) -> str:
    from bioeco.core.safeio import read_bounded
    from bioeco.store.disk import digest

    try:
        return digest(read_bounded(path, max_bytes=1 << 34))
    except OSError:
        return "unreadable"


def input_names(
    data_dir: str | os.PathLike | None, graph_file: str | os.PathLike | list | tuple | None
) -> list[str]:
    """What the report was made from, named without machine paths: each graph file by its
    name and SHA-256, a data folder by its name and the SHA-256 of its tables' digests.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "bioeco.trig"
    >>> _ = f.write_text("")
    >>> input_names(None, f)
    ['bioeco.trig (SHA-256 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855)']
    """
    from bioeco.store.disk import digest
    from bioeco.store.freshness import table_digests

    if graph_file is not None:
        files = graph_file if isinstance(graph_file, list | tuple) else [graph_file]
        return [f"{Path(f).name} (SHA-256 {_file_digest(Path(f))})" for f in files]
    if data_dir is None and (OUT_DIR / "bioeco.trig").is_file():
        return [f"bioeco.trig (SHA-256 {_file_digest(OUT_DIR / 'bioeco.trig')})"]
    folder = Path(data_dir) if data_dir is not None else None
    from bioeco.core.paths import DATA_DIR

    folder = folder or DATA_DIR
    tables = table_digests(folder)
    joined = "".join(f"{name}:{value}\n" for name, value in sorted(tables.items()))
    return [f"{folder.name}/ tables ({len(tables)} files, SHA-256 {digest(joined.encode())})"]


def write_report(path: str | os.PathLike, page: str) -> Path:
    """Write *page* to *path* atomically (temporary file, then rename); return the path."""
    return atomic_write(Path(path), page)


def report(
    out: str | os.PathLike | None = None,
    *,
    data_dir: str | os.PathLike | None = None,
    graph_file: str | os.PathLike | list | tuple | None = None,
    viewer_href: str | None = "viewer.html",
    pdf: bool = False,
    **options: Any,
) -> Path:
    """Open the graph (:func:`bioeco.pipeline.open_graph`), collect, render and write the page.

    With *pdf* the page is also printed to a PDF beside it (same name, ``.pdf``:
    :func:`bioeco.viz.pdf.print_pdf`, headless Chromium); its folder and file are checked
    before any work too.

    *out* defaults to ``out/report.html`` (``out/`` is created when missing; the folder of an
    *out* given must exist, and only a regular file there is replaced:
    :func:`bioeco.core.atomic.check_target`, checked before any work); *options* go to
    :func:`collect` (``top``, ``as_of``, ``sector``, ``region``, ``basis``, ``seed`` and
    analysis thresholds). Nothing is written when opening or analysing fails.
    """
    from bioeco.pipeline import open_graph

    target = Path(out) if out is not None else OUT_DIR / "report.html"
    check_target(target, make_folder=out is None)
    if pdf:
        from bioeco.viz.pdf import browser_for

        browser_for(check_target(target.with_suffix(".pdf"), make_folder=out is None))
    # the whole graph is read: faster parsed into memory than from the on-disk store
    graph = open_graph(data_dir, graph_file, with_analysis=False, store=False)
    inputs = input_names(data_dir, graph_file)
    data = collect(graph, inputs=inputs, **options)
    page = atomic_write(target, render(data, viewer_href=viewer_href), make_folder=out is None)
    if pdf:
        from bioeco.viz.pdf import print_pdf

        print_pdf(page, page.with_suffix(".pdf"))
    return page
