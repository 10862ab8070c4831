"""Organisations a recorded change event ended: they can take part in no planned action.

A merger or a renaming (``changes.csv``) ends each original organisation that is not among
the resulting ones (the veterinary college merged into NMBU). An acquisition does not (the
bought company may live on as a unit), nor a spin-off or a founding (the founders go on).
An event ends its organisations in the year of its date; an event without a date, at the
latest in the year its source describes (the source reports it as done), so that year is used.

:func:`ended_organisations` lists the organisations ended in or before a year: the network
(:attr:`bioeco.analyses.project.Network.ended`) carries them for its ``as_of`` (default: the
latest year the sources describe), and the what-if (:mod:`bioeco.analyses.whatif`) neither
suggests them nor lets a scenario add a link to them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping
from typing import Any

import pandas as pd

from bioeco.core.vocab import BID

__all__ = [
    "ENDED_COLUMNS",
    "ENDING_CHANGES",
    "change_events",
    "ended_organisations",
    "ended_text",
]

ENDING_CHANGES = frozenset({"merger", "renaming"})
"""Change types that end their original organisations (those not among the resulting ones)."""

ENDED_COLUMNS = ["organisation", "year", "dated", "event", "type", "into", "source", "locator"]
"""Columns of :func:`ended_organisations`: the organisation (IRI); the year it ended (the
event's date, or when the event has none the year its source describes: ``dated`` False); the
event (id), its type, what it became (tuple of IRIs), its source (id) and locator."""

_Q_EVENTS = """
SELECT ?c ?type ?orig ?res ?date ?basis ?src ?loc ?cit WHERE {
  ?c a org:ChangeEvent .
  OPTIONAL { ?c bioeco:changeType ?type }
  OPTIONAL { ?c org:originalOrganization ?orig }
  OPTIONAL { ?c org:resultingOrganization ?res }
  OPTIONAL { ?c dcterms:date ?date }
  OPTIONAL { ?c bioeco:basis ?basis }
  OPTIONAL { ?c prov:wasDerivedFrom ?src }
  OPTIONAL { ?c bioeco:locator ?loc }
  OPTIONAL { ?c dcterms:bibliographicCitation ?cit }
}"""

_Q_SOURCE_YEARS = """
SELECT ?src ?issued ?temporal WHERE {
  ?src a bioeco:SourceDocument ; dcterms:issued ?issued .
  OPTIONAL { ?src dcterms:temporal ?temporal }
}"""


_BID = str(BID)
_YEAR = re.compile(r"^\s*(-?\d{4})")


def _text(value: Any) -> str:
    return "" if value is None or (isinstance(value, float) and value != value) else str(value)


def _year(value: Any) -> int | None:
    match = _YEAR.match(_text(value))
    return int(match.group(1)) if match else None


def _local(iri: Any, prefix: str) -> str:
    """The part of a bioeco IRI after ``bid:`` + *prefix* (this module does not import
    :mod:`bioeco.analyses.project`, which reads the graph with it)."""
    return str(iri).removeprefix(_BID).removeprefix(prefix)


def change_events(run: Callable[[str], pd.DataFrame]) -> list[dict[str, Any]]:
    """Every change event of the graph (``changes.csv``), one dict each, sorted by id.

    Keys: ``iri``; ``id`` (the part after ``change/``); ``type`` (change-type code, ``""`` when
    not given); ``original`` and ``resulting`` (sets of organisation IRIs); ``date`` (the
    literal's text, ``""`` when not given) and ``year`` (its year or ``None``); ``basis`` (local
    name, default ``stated``); ``source`` (id), ``locator`` and ``citation`` (``""`` when not
    given). *run* is the graph's ``select(query) -> DataFrame``. The one reader of change events:
    :func:`ended_organisations` and the continuity table
    (:mod:`bioeco.analyses.continuity`) both read them here.

    Examples
    --------
    >>> from bioeco.analyses._change_fixture import example_dataset
    >>> from bioeco.analyses.project import selector
    >>> [(e["id"], e["type"], e["year"]) for e in change_events(selector(example_dataset()))]
    [('beta-into-gamma', 'merger', 2020), ('epsilon-into-delta', 'acquisition', None)]
    """
    events: dict[str, dict[str, Any]] = {}
    for c, typ, orig, res, date, b, src, loc, cit in run(_Q_EVENTS).itertuples(index=False):
        ev = events.setdefault(
            str(c),
            {
                "iri": str(c),
                "id": _local(c, "change/"),
                "type": _local(typ, "concept/change-type/") if isinstance(typ, str) else "",
                "original": set(),
                "resulting": set(),
                "date": _text(date),
                "year": _year(date),
                "basis": _text(b).rsplit("#", 1)[-1] or "stated",
                "source": _local(src, "source/") if isinstance(src, str) else "",
                "locator": _text(loc),
                "citation": _text(cit),
            },
        )
        if isinstance(orig, str):
            ev["original"].add(orig)
        if isinstance(res, str):
            ev["resulting"].add(res)
    return [events[k] for k in sorted(events, key=lambda k: events[k]["id"])]


def ended_organisations(
    run: Callable[[str], pd.DataFrame],
    *,
    year: int | None = None,
    left_out: Collection[str] = (),
) -> pd.DataFrame:
    """The organisations a change event of the graph ended in or before *year* (default: the
    latest year its sources describe; no source: every such event), one row each
    (:data:`ENDED_COLUMNS`, the earliest event when several), sorted by organisation. *run*
    is the graph's ``select(query) -> DataFrame`` (:func:`bioeco.analyses.project.selector`);
    events of a basis in *left_out* (``BASIS_LEVELS[basis]`` of
    :data:`~bioeco.analyses.project.BASIS_LEVELS`) end nothing.

    Examples
    --------
    >>> from bioeco.analyses._change_fixture import example_dataset
    >>> from bioeco.analyses.project import BASIS_LEVELS, entity_id, selector
    >>> gone = ended_organisations(selector(example_dataset()))
    >>> [(entity_id(o), y, e) for o, y, e in gone[["organisation", "year", "event"]].values]
    [('actor/beta', 2020, 'beta-into-gamma')]
    >>> ended_organisations(selector(example_dataset()), year=2019).empty
    True
    >>> ended_organisations(selector(example_dataset()), left_out=("stated",)).empty
    True
    """
    left_out = set(left_out)
    years: dict[str, int] = {}
    for src, issued, temporal in run(_Q_SOURCE_YEARS).itertuples(index=False):
        found = _year(temporal) or _year(issued)
        if found is not None:
            years[_local(src, "source/")] = found
    if year is None:
        year = max(years.values(), default=None)
    found_rows: dict[str, dict[str, Any]] = {}
    for ev in change_events(run):
        if ev["type"] not in ENDING_CHANGES or ev["basis"] in left_out:
            continue
        when = ev["year"] if ev["year"] is not None else years.get(ev["source"])
        if when is None or (year is not None and when > year):
            continue
        for org in sorted(ev["original"] - ev["resulting"]):
            row = {
                "organisation": org,
                "year": when,
                "dated": ev["year"] is not None,
                "event": ev["id"],
                "type": ev["type"],
                "into": tuple(sorted(ev["resulting"])),
                "source": ev["source"],
                "locator": ev["locator"],
            }
            if org not in found_rows or when < found_rows[org]["year"]:
                found_rows[org] = row
    return pd.DataFrame([found_rows[o] for o in sorted(found_rows)], columns=ENDED_COLUMNS).astype(
        {"year": "int64", "dated": bool}
    )


def ended_text(row: Mapping[str, Any], label: Callable[[str], str]) -> str:
    """One ended organisation in words: what became of it, when, and where that stands."""
    into = ", ".join(label(i) for i in row["into"])
    what = f"{row['type']} into {into}" if into else str(row["type"])
    when = str(row["year"]) if row["dated"] else f"by {row['year']} (date not given)"
    where = f"; {row['source']}, {row['locator']}" if row["source"] else ""
    return f"{what} {when} ({row['event']}{where})"
