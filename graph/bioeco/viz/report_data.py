"""What the findings report shows, gathered once: the analyses' tables, counts, names, sources."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pandas as pd
from rdflib import Dataset, Graph

from bioeco.analyses.findings import completeness, key_findings
from bioeco.analyses.project import Network, entity_id, load_network
from bioeco.analyses.run import cut_top
from bioeco.store.query import select

__all__ = [
    "SOURCE_COLUMNS",
    "ReportData",
    "collect",
    "source_table",
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


SOURCE_COLUMNS = ["actors", "initiatives", "people", "memberships", "classifications"]


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
            **{c: int(by_id.get(sid, {}).get(c, 0) or 0) for c in SOURCE_COLUMNS},
        }
        for sid in sorted(ids | set(by_id))
    ]
    frame = pd.DataFrame(rows, columns=["source", "title", "issued", *SOURCE_COLUMNS])
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
    from bioeco.viz import plots  # matplotlib: not for the source table the workbook takes

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
