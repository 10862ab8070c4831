"""Continuity between two years: every actor (and cluster-like initiative) the sources of either
year name, in both or in one only, and whether a difference is stated, rests on external
knowledge or is only not observed (``change_continuity``, see :mod:`bioeco.analyses.change`)."""

from __future__ import annotations

from typing import Any

import pandas as pd
from rdflib import Dataset

from bioeco.analyses.ended import change_events
from bioeco.analyses.project import BASIS_LEVELS, Network, entity_id
from bioeco.analyses.years import (
    DIFF_ORDER,
    STATUS_ORDER,
    Comparison,
    source_id,
    stated_dates,
)
from bioeco.store.query import select

__all__ = ["CONTINUITY_COLUMNS", "PERSISTENT_INITIATIVE_TYPES", "continuity"]


#: Initiative types that behave like organisations (they persist and can be succeeded), so the
#: continuity table follows them next to the actors; one-off events, applications and projects
#: are left out.
PERSISTENT_INITIATIVE_TYPES = frozenset({"cluster", "network", "centre", "infrastructure"})


CONTINUITY_COLUMNS = [
    "rank",
    "subject",
    "label",
    "status",
    "difference",
    "kind",
    "type",
    "events",
    "predecessors",
    "successors",
    "evidence",
    "citation",
    "names_from",
    "names_to",
    "in_view",
    "scope",
    "explanation",
]


_Q_NAMES = """
SELECT DISTINCT ?g ?x ?name WHERE {
  GRAPH ?g { ?x skos:prefLabel|skos:altLabel ?name . FILTER(LANG(?name) != "en") }
  { ?x a org:Organization } UNION { ?x a org:OrganizationalCollaboration }
}"""


def _names(graph: Dataset) -> dict[tuple[str, str], set[str]]:
    out: dict[tuple[str, str], set[str]] = {}
    for g, x, name in select(graph, _Q_NAMES).itertuples(index=False):
        out.setdefault((str(g), str(x)), set()).add(str(name))
    return out


def _changes(ctx: Comparison) -> list[dict[str, Any]]:
    """The change events with a resulting organisation, of a basis *ctx* admits, dated inside
    the interval compared (or undated)."""
    admitted = {"stated", "inferred", "external"} - set(BASIS_LEVELS[ctx.basis])
    out = []
    for found in change_events(lambda query: select(ctx.graph, query)):
        ev = {**found, "id": f"change/{found['id']}", "type": found["type"] or "change"}
        year = ev["year"]
        if not ev["resulting"] or ev["basis"] not in admitted:
            continue
        if year is not None and not (ctx.year_from < year <= ctx.year_to):
            continue  # outside the interval compared
        out.append(ev)
    return out


def _label(net: Network, iri: str) -> str:
    return net.label(iri)


def _event_text(net: Network, ev: dict[str, Any], iri: str) -> str:
    when = f" ({ev['date']})" if ev["date"] else " (date not given)"
    where = f"; {ev['source']}, {ev['locator']}" if ev["source"] else ""
    basis = "" if ev["basis"] == "stated" else f", basis {ev['basis']}"
    others_out = sorted(_label(net, r) for r in ev["resulting"] - {iri})
    others_in = sorted(_label(net, o) for o in ev["original"] - {iri})
    if iri in ev["original"] and others_out:
        what = f"{ev['type']} into {', '.join(others_out)}"
    elif iri in ev["resulting"] and others_in:
        what = f"{ev['type']} of {', '.join(others_in)}"
    else:
        what = ev["type"]
    return f"{what}{when}{basis}{where}"


def _year_label(ctx: Comparison, which: str) -> str:
    sources = ctx.sources_from if which == "from" else ctx.sources_to
    year = ctx.year_from if which == "from" else ctx.year_to
    return f"the {year} source{'s' if len(sources) > 1 else ''} ({', '.join(sources['source'])})"


def continuity(ctx: Comparison) -> pd.DataFrame:
    """Actor continuity between the two years (see the module docstring).

    One row per actor, and per initiative of a type in :data:`PERSISTENT_INITIATIVE_TYPES`,
    that a source of either year names and that lies in the scope.

    Columns
    -------
    rank : row order (both, only in the earlier year, only in the later; stated first)
    subject : id (``actor/…``, ``initiative/…``); label; kind; type : type code
    status : ``both``, ``only-earlier`` or ``only-later``
    difference : ``none`` (in both), ``stated`` (a change event or a stated start/end date
        explains it), ``external`` (only a change event with basis external, and its citation,
        explains it) or ``not-observed`` (one year's sources do not name it: no evidence)
    events : change events and stated dates between the years, each with its source
    predecessors, successors : ids linked by those change events
    evidence : ``source, locator`` of each event or date used
    citation : the outside reference of an external change event
    names_from, names_to : the spellings each year's sources use (non-English labels)
    in_view : whether it lies in the area the other year's sources cover (``yes``, ``no``,
        ``unknown`` when its location or that area is not recorded)
    scope : which actors the comparison covers; explanation : the row in plain English
    """
    net, graph = ctx.net, ctx.graph
    names = _names(graph)
    events = _changes(ctx)
    dates = stated_dates(ctx)
    rows = []
    for iri in sorted(ctx.named_from | ctx.named_to):
        if iri not in net.nodes.index:
            continue
        kind, typ = net.attr(iri, "kind"), net.attr(iri, "type")
        if kind == "initiative" and typ not in PERSISTENT_INITIATIVE_TYPES:
            continue
        if ctx.scope.kind == "cluster" and entity_id(iri) == f"initiative/{ctx.scope.code}":
            continue
        if not ctx.in_scope(iri):
            continue
        before, after = iri in ctx.named_from, iri in ctx.named_to
        status = "both" if before and after else ("only-earlier" if before else "only-later")
        mine = [e for e in events if iri in e["original"] | e["resulting"]]
        texts = [_event_text(net, e, iri) for e in mine]
        evidence = [f"{e['source']}, {e['locator']}" for e in mine if e["source"]]
        successors = sorted(
            {entity_id(r) for e in mine if iri in e["original"] for r in e["resulting"] - {iri}}
        )
        predecessors = sorted(
            {entity_id(o) for e in mine if iri in e["resulting"] for o in e["original"] - {iri}}
        )
        citations = sorted({e["citation"] for e in mine if e["citation"]})
        start, end, where = dates.get(iri, (None, None, ""))
        difference = "none"
        reason = ""
        leaving = [e for e in mine if iri in e["original"] and e["resulting"] - {iri}]
        if status == "both" and leaving:
            if {e["basis"] for e in leaving} - {"external"}:
                difference, reason = "stated", "a change event says it became part of another"
            else:
                difference = "external"
                reason = "only outside knowledge (cited) says it became part of another"
        if status == "only-earlier":
            if leaving and {e["basis"] for e in leaving} - {"external"}:
                difference, reason = "stated", "a change event says what became of it"
            elif leaving:
                difference = "external"
                reason = "only outside knowledge (cited) says what became of it"
            elif end is not None and end < ctx.year_to:
                difference, reason = "stated", f"its stated end is {end}"
                texts.append(f"ended {end} (stated end date; {where})")
                evidence.append(where)
            else:
                difference = "not-observed"
        elif status == "only-later":
            arriving = [e for e in mine if iri in e["resulting"]]
            joined = [
                m
                for m in ctx.cluster_members.get(iri, [])
                if m["start"] is not None and ctx.year_from < m["start"] <= ctx.year_to
            ]
            if arriving and {e["basis"] for e in arriving} - {"external"}:
                difference, reason = "stated", "a change event says where it came from"
            elif arriving:
                difference = "external"
                reason = "only outside knowledge (cited) says where it came from"
            elif start is not None and ctx.year_from < start:
                difference, reason = "stated", f"its stated start is {start}"
                texts.append(f"started {start} (stated start date; {where})")
                evidence.append(where)
            elif joined:
                difference = "stated"
                reason = "; ".join(
                    f"its role as {m['role']} of {ctx.scope.code} starts {m['start']} (stated)"
                    for m in sorted(joined, key=lambda m: (m["start"], m["role"]))
                )
                for m in joined:
                    evidence.append(
                        f"{source_id(m['graph'].replace('/graph/', '/id/'))}, {m['locator']}"
                    )
            else:
                difference = "not-observed"
        other = ctx.coverage_to if status == "only-earlier" else ctx.coverage_from
        in_view = ctx.in_area(iri, other) if status != "both" else "yes"
        n_from = sorted(
            set().union(*(names.get((g, iri), set()) for g in ctx.sources_from["graph"]))
        )
        n_to = sorted(set().union(*(names.get((g, iri), set()) for g in ctx.sources_to["graph"])))
        label = net.label(iri)
        if status == "both":
            text = f"{label} is named by {_year_label(ctx, 'from')} and {_year_label(ctx, 'to')}"
            if n_from and n_to and not set(n_from) & set(n_to):
                text += (
                    f"; written {' / '.join(n_from)} in {ctx.year_from} and "
                    f"{' / '.join(n_to)} in {ctx.year_to}, recorded as one organisation"
                )
        elif status == "only-earlier":
            text = f"{label} is named by {_year_label(ctx, 'from')} but not by " + _year_label(
                ctx, "to"
            )
        else:
            text = f"{label} is named by {_year_label(ctx, 'to')} but not by " + _year_label(
                ctx, "from"
            )
        if difference in ("stated", "external"):
            text += f": {reason}"
        elif difference == "not-observed":
            missing_year = ctx.year_to if status == "only-earlier" else ctx.year_from
            verb = "ceased" if status == "only-earlier" else "did not exist"
            text += f": not observed in {missing_year}, which is no evidence that it {verb}"
            if in_view == "no":
                text += (
                    f"; it lies outside the area those sources cover ({other}), so they would "
                    "not be expected to name it"
                )
            elif in_view == "unknown":
                text += "; whether it lies in the area those sources cover is not recorded"
            else:
                text += (
                    f"; it lies in the area those sources cover ({other}), but they name a "
                    "selection of actors, not every one"
                )
        if status == "only-later" and leaving:
            ends = "stated" if {e["basis"] for e in leaving} - {"external"} else "external"
            text += f"; it then became part of another ({ends}, see events)"
        if texts:
            text += f" ({'; '.join(texts)})"
        if citations:
            text += f"; outside reference: {'; '.join(citations)}"
        rows.append(
            {
                "subject": entity_id(iri),
                "label": label,
                "kind": kind,
                "type": typ or "",
                "status": status,
                "difference": difference,
                "events": tuple(texts),
                "predecessors": tuple(predecessors),
                "successors": tuple(successors),
                "evidence": tuple(dict.fromkeys(evidence)),
                "citation": "; ".join(citations),
                "names_from": tuple(n_from),
                "names_to": tuple(n_to),
                "in_view": in_view,
                "scope": ctx.scope.describe(),
                "explanation": text,
            }
        )
    frame = pd.DataFrame(rows, columns=[c for c in CONTINUITY_COLUMNS if c != "rank"])
    frame = frame.assign(
        _s=frame["status"].map(STATUS_ORDER), _d=frame["difference"].map(DIFF_ORDER)
    ).sort_values(["_s", "_d", "label", "subject"], kind="mergesort")
    frame = frame.drop(columns=["_s", "_d"]).reset_index(drop=True)
    frame.insert(0, "rank", range(1, len(frame) + 1))
    return frame[CONTINUITY_COLUMNS]
