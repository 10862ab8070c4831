"""What the viewer reads besides the network: sources, memberships, analysis rows, years."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd
from rdflib import Dataset, Graph

from bioeco.analyses.project import (
    Network,
    actor_projection,
    bipartite_graph,
    entity_id,
    entity_iri,
    load_network,
)
from bioeco.store.query import select
from bioeco.viz.viewer_options import ViewerOptions
from bioeco.viz.viewer_style import CHANGE_COLOURS

# per named graph, so each source is paired with its own locator
_Q_NODE_SOURCES = """
SELECT DISTINCT ?s ?src ?loc WHERE {
  GRAPH ?g {
    { ?s a org:Organization } UNION { ?s a org:OrganizationalCollaboration }
    ?s prov:wasDerivedFrom ?src .
    OPTIONAL { ?s bioeco:locator ?loc }
  }
}"""
_Q_NODE_SOURCES_PLAIN = _Q_NODE_SOURCES.replace("GRAPH ?g {", "{")

_Q_ASSERTIONS = """
SELECT DISTINCT ?s ?p ?c ?basis ?src ?loc WHERE {
  ?a bioeco:classifiedEntity ?s ; bioeco:classificationProperty ?p ; bioeco:concept ?c .
  OPTIONAL { ?a bioeco:basis ?basis }
  OPTIONAL { ?a prov:wasDerivedFrom ?src }
  OPTIONAL { ?a bioeco:locator ?loc }
}"""

_Q_MEMBERSHIPS = """
SELECT DISTINCT ?member ?org ?role ?src ?loc (STR(?b) AS ?begin) (STR(?e) AS ?end)
       (STR(?o) AS ?observed) WHERE {
  ?ms a org:Membership ; org:member ?member ; org:organization ?org .
  OPTIONAL { ?ms org:role ?role }
  OPTIONAL { ?ms prov:wasDerivedFrom ?src }
  OPTIONAL { ?ms bioeco:locator ?loc }
  OPTIONAL { ?ms bioeco:observedIn ?o }
  OPTIONAL { ?ms org:memberDuring ?iv .
    OPTIONAL { ?iv time:hasBeginning/(time:inXSDDate|time:inXSDgYearMonth|time:inXSDgYear
                                      |time:inXSDDateTime|time:inXSDDateTimeStamp) ?b }
    OPTIONAL { ?iv time:hasEnd/(time:inXSDDate|time:inXSDgYearMonth|time:inXSDgYear
                                |time:inXSDDateTime|time:inXSDDateTimeStamp) ?e } }
}"""

_Q_ALIASES = """
SELECT DISTINCT ?s ?alt WHERE { ?s skos:altLabel ?alt }"""

_PROPERTY_SCHEME = {"sector": "sector", "valueChainStage": "stage", "region": "region"}


def plain_text(value: Any) -> str:
    """Plain text of a cell: no ``nan``/``None`` ever reaches a page."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value)


def concept_labels(net: Network) -> dict[tuple[str, str], str]:
    return {
        (scheme, code): plain_text(label) or code
        for scheme, code, label in net.concepts[["scheme", "code", "label"]].itertuples(False)
    }


def fact_text(source: Any, locator: Any) -> str:
    src = entity_id(plain_text(source)).removeprefix("source/") or "unknown source"
    loc = plain_text(locator)
    return f"{src}, {loc}" if loc else src


def years_text(begin: str, end: str, observed: str) -> str:
    """When a membership holds, in words: ``2019–2022``, ``from 2019``, ``observed 2021``.

    >>> years_text("2019", "2022", ""), years_text("", "2020", ""), years_text("", "", "2021")
    ('2019–2022', 'until 2020', 'observed 2021')
    """
    if begin and end:
        span = begin if begin == end else f"{begin}–{end}"
    elif begin:
        span = f"from {begin}"
    elif end:
        span = f"until {end}"
    else:
        span = ""
    seen = f"observed {observed}" if observed else ""
    return "; ".join(t for t in (span, seen) if t)


def _rows(frame: pd.DataFrame) -> Any:
    """The rows of *frame* as tuples, read column by column (as ``itertuples`` gives them,
    several times quicker on text columns of tens of thousands of rows)."""
    return zip(*(frame[column].tolist() for column in frame.columns), strict=True)


def _ordered(facts: list) -> list:
    return facts if len(facts) == 1 else sorted(set(facts))


def provenance(graph: Graph | Dataset) -> dict[str, Any]:
    """Source and locator of each node, classification and membership fact, and aliases, and
    in ``documents`` the source id of each fact's text (:func:`index_facts`).

    These are the project's own queries, so they run without the time limit meant for
    queries typed by users (a big graph on a busy machine may need longer). At national scale
    they answer 120 000 rows: each is read column by column and each source id and span of
    years is put in words once."""
    documents: dict[str, str] = {}
    docs: dict[Any, str] = {}

    def fact(source: Any, locator: Any) -> str:
        """:func:`fact_text`, remembering the source id of the text."""
        if source not in docs:
            docs[source] = fact_text(source, "")
        loc = plain_text(locator)
        text = f"{docs[source]}, {loc}" if loc else docs[source]
        documents[text] = docs[source]
        return text

    names: dict[str, list[str]] = {}
    query = _Q_NODE_SOURCES if isinstance(graph, Dataset) else _Q_NODE_SOURCES_PLAIN
    for s, src, loc in _rows(select(graph, query, timeout=None)):
        names.setdefault(s, []).append(fact(src, loc))
    classes: dict[tuple[str, str, str], list[tuple[str, str]]] = {}
    for s, p, c, basis, src, loc in _rows(select(graph, _Q_ASSERTIONS, timeout=None)):
        scheme = _PROPERTY_SCHEME.get(entity_id(plain_text(p)).rsplit("#", 1)[-1])
        if scheme is None:
            continue
        code = plain_text(c).rsplit("/", 1)[-1]
        how = plain_text(basis).rsplit("#", 1)[-1] or "stated"
        classes.setdefault((s, scheme, code), []).append((how, fact(src, loc)))
    links: dict[tuple[str, str], list[tuple[str, str]]] = {}
    years: dict[tuple[str, str, str, str], str] = {}
    spans: dict[tuple[Any, Any, Any], str] = {}
    memberships = select(graph, _Q_MEMBERSHIPS, timeout=None)
    for member, org, role, src, loc, begin, end, observed in _rows(memberships):
        code = plain_text(role).rsplit("/", 1)[-1]
        where = fact(src, loc)
        links.setdefault((member, org), []).append((code, where))
        if (begin, end, observed) not in spans:
            dates = (plain_text(begin)[:4], plain_text(end)[:4], plain_text(observed)[:4])
            spans[begin, end, observed] = years_text(*dates)
        when = spans[begin, end, observed]
        if when:
            years[(member, org, code, where)] = when
    aliases: dict[str, list[str]] = {}
    for s, alt in _rows(select(graph, _Q_ALIASES, timeout=None)):
        aliases.setdefault(s, []).append(plain_text(alt))
    return {
        "names": {k: _ordered(v) for k, v in names.items()},
        "classes": {k: _ordered(v) for k, v in classes.items()},
        "links": {k: _ordered(v) for k, v in links.items()},
        "years": years,
        "aliases": {k: _ordered(v) for k, v in aliases.items()},
        "documents": documents,
    }


def index_facts(prov: dict[str, Any]) -> dict[str, Any]:
    """The facts of :func:`provenance` with their source documents but without the locators
    (page or line) in them: what the compact index of a summarised view carries for the nodes
    it leaves out (at national scale the locators would double the page).

    ``named``: node → source ids; ``classes``: (node, scheme, code) → (basis, source id);
    ``links``: (member, organisation) → (role code, years in words, source id). Each sorted.

    >>> prov = {"names": {"x": ["a, l. 1", "a, l. 2"]}, "classes": {}, "years": {},
    ...         "links": {("x", "i"): [("member", "a, l. 1")]},
    ...         "documents": {"a, l. 1": "a", "a, l. 2": "a"}}
    >>> index_facts(prov)["named"], index_facts(prov)["links"]
    ({'x': ['a']}, {('x', 'i'): [('member', '', 'a')]})
    """
    doc, years = prov["documents"], prov["years"]
    return {
        "named": {k: _ordered([doc[w] for w in v]) for k, v in prov["names"].items()},
        "classes": {
            k: _ordered([(how, doc[w]) for how, w in v]) for k, v in prov["classes"].items()
        },
        "links": {
            (m, o): _ordered([(code, years.get((m, o, code, w), ""), doc[w]) for code, w in v])
            for (m, o), v in prov["links"].items()
        },
    }


def viewer_tables(
    graph: Graph | Dataset, opts: ViewerOptions, summarised: bool = False
) -> dict[str, pd.DataFrame]:
    """The analyses' tables the page uses (reused from ``out/analysis/`` when current). A
    summarised view leaves out the overlap table unless it is highlighted: at scale it is the
    longest table (tens of thousands of pairs) and only fills the panels of initiatives."""
    kinds = ["bridges"]  # sizes, rings and the panel's scores and suggested pairs
    if "overlap" in opts.highlight or (opts.view == "bipartite" and not summarised):
        kinds.append("overlap")  # the panel's overlap partners
    kinds.append("gaps")  # the findings' summaries; the legend's gaps with highlight gaps
    if not kinds:
        return {}
    from bioeco.analyses.run import TABLES
    from bioeco.pipeline import analysis_tables

    # out/analysis/ when `bioeco analyze` wrote it for this graph and these options; not the
    # brokerage table (the page shows none of it)
    only = [name for kind in kinds for name in TABLES[kind] if name != "bridges_brokerage"]
    return analysis_tables(
        graph, kinds, only=only, region=opts.region, as_of=opts.as_of, seed=opts.seed,
        basis=opts.basis,
    )  # fmt: skip


def year_views(
    graph: Graph | Dataset, opts: ViewerOptions, shown: set[str]
) -> tuple[list[int], dict[int, set[str]], dict[int, set[tuple[str, str]]]]:
    """The years the sources describe, and per year the nodes and lines of the view that
    ``as_of`` that year keeps (the page's year control). None when ``as_of`` is fixed."""
    if opts.as_of is not None or not isinstance(graph, Dataset):
        return [], {}, {}
    from bioeco.analyses.change import source_years

    years = sorted({int(y) for y in source_years(graph)["year"].dropna()})
    nodes: dict[int, set[str]] = {}
    edges: dict[int, set[tuple[str, str]]] = {}
    for year in years:
        net = load_network(graph, as_of=year, basis=opts.basis)
        local = net.restrict_region(opts.region) if opts.region else net
        view = bipartite_graph(local) if opts.view == "bipartite" else actor_projection(local)
        nodes[year] = set(view.nodes) & shown
        edges[year] = {tuple(sorted(e)) for e in view.edges}
    return years, nodes, edges


def change_mode(
    graph: Graph | Dataset, opts: ViewerOptions, years: list[int]
) -> dict[str, Any] | None:
    """The change mode: ``analyze change`` between the first and the last year the sources
    describe (its default scope), each subject's ``status:difference``, the legend in the
    table's own words. None when there are fewer than two years."""
    if len(years) < 2:
        return None
    from bioeco.analyses.change import compare_years

    first, last = years[0], years[-1]
    table = compare_years(graph, first, last, basis=opts.basis, seed=opts.seed)["change_continuity"]
    subjects = {
        str(subject): f"{status}:{difference}"
        for subject, status, difference in table[["subject", "status", "difference"]].itertuples(
            False
        )
    }
    scope = plain_text(table["scope"].iloc[0]) if len(table) else "all"
    words = {
        "both:none": f"in both {first} and {last}",
        "only-earlier:stated": f"only {first}: stated (ended, merged or became part of another)",
        "only-earlier:external": f"only {first}: external (a cited succession)",
        "only-earlier:not-observed": f"only {first}: not-observed in {last} (no evidence it ended)",
        "only-later:stated": f"only {last}: stated (new: a stated start or change event)",
        "only-later:external": f"only {last}: external (a cited succession)",
        "only-later:not-observed": f"only {last}: not-observed in {first} (no evidence it is new)",
        "": "not compared (outside the scope, or an initiative)",
    }
    used = set(subjects.values()) | {""}
    legend = [
        {"key": key, "label": words[key], "color": colour}
        for key, colour in CHANGE_COLOURS.items()
        if key in used
    ]
    note = (
        f"What changed from {first} to {last}, as analyze change says (scope: {scope}): "
        "stated = a change event or a stated start or end date says so; not-observed = one "
        "year's sources do not name it, which is no evidence of a change."
    )
    return {"from": first, "to": last, "subjects": subjects, "legend": legend, "note": note}


#: At most this many memberships and analysis results per node in the details panel.
PANEL_MAX_ROWS = 60


def membership_facts(
    net: Network, prov: dict[str, Any], labels: dict[tuple[str, str], str], shown: set[str]
) -> dict[str, list[dict[str, str]]]:
    """Per node: its memberships (either side) with role, years and source, for the panel."""
    out: dict[str, list[dict[str, str]]] = {}
    known = net.nodes.index
    for (member, org), facts in sorted(prov["links"].items()):
        if member not in known or org not in known:
            continue
        for code, where in facts:
            role = labels.get(("role", code), code) or "linked"
            when = prov["years"].get((member, org, code, where), "")
            for here, other, side in ((member, org, "in"), (org, member, "has")):
                if here in shown:
                    out.setdefault(here, []).append(
                        {
                            "other": entity_id(other),
                            "label": net.label(other),
                            "role": role,
                            "side": side,
                            "years": when,
                            "source": where,
                        }
                    )
    return {k: v[:PANEL_MAX_ROWS] for k, v in out.items()}


def analysis_results(
    net: Network, tables: dict[str, pd.DataFrame], shown: set[str]
) -> dict[str, list[dict[str, str]]]:
    """Per node: its rows in the analyses' tables, in words, for the panel."""
    out: dict[str, list[dict[str, str]]] = {}

    def add(iri: str, text: str, other: str = "") -> None:
        if iri in shown and len(out.setdefault(iri, [])) < PANEL_MAX_ROWS:
            out[iri].append({"text": text, "other": entity_id(other) if other else ""})

    scores = tables.get("bridges_actors")
    if scores is not None and len(scores):
        total = len(scores)
        cols = ["actor", "rank", "score", "betweenness", "explanation"]
        for ident, rank, score, betweenness, text in _rows(scores[cols]):
            add(
                str(entity_iri(ident)),
                f"Bridge score {float(score):.3g} (rank {int(rank)} of {total}; "
                f"betweenness {float(betweenness):.3g}): {plain_text(text)}",
            )
    pairs = tables.get("overlap_pairs")
    if pairs is not None:
        cols = ["initiative_a", "initiative_b", "jaccard"]
        for a, b, jaccard in _rows(pairs[cols]):
            ia, ib = str(entity_iri(a)), str(entity_iri(b))
            for here, other in ((ia, ib), (ib, ia)):
                add(
                    here,
                    f"Overlaps {net.label(other)}: Jaccard {float(jaccard):.2f} of members",
                    other,
                )
    pairs = tables.get("bridges_pairs")
    if pairs is not None:
        for a, b, text in _rows(pairs[["actor_a", "actor_b", "explanation"]]):
            ia, ib = str(entity_iri(a)), str(entity_iri(b))
            for here, other in ((ia, ib), (ib, ia)):
                add(here, f"Suggested pair with {net.label(other)}: {plain_text(text)}", other)
    return out


def limit_lines(lines: list[str], most: int) -> list[str]:
    if len(lines) <= most:
        return lines
    return [*lines[:most], f"… and {len(lines) - most} more"]
