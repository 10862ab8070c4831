"""Analysis results as RDF for the ``analysis`` named graph: a prov:Activity and its candidates."""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd
from rdflib import Graph, Literal, URIRef

from bioeco.analyses.project import entity_iri
from bioeco.core.vocab import (
    BID,
    BIOECO,
    PROV,
    RDF,
    RDFS,
    analysis_graph,
    bind_prefixes,
    concept_iri,
    is_slug,
    slugify,
)

__all__ = ["CLASSES", "RDF_ROWS", "RDF_TRIMMED", "recorded", "results_to_rdf", "run_key"]

# plain IRIs (not rdflib's XSD namespace object, which warns when pytest inspects this module)
_XSD = "http://www.w3.org/2001/XMLSchema#"
_DOUBLE, _DATETIME, _DATE = (URIRef(_XSD + n) for n in ("double", "dateTime", "date"))

#: Table name → (class local name in bioeco:, IRI path segment, key columns of a row).
CLASSES: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "gaps_coverage": ("GapCell", "gap-cell", ("entity", "sector", "stage")),
    "gaps_survey": ("SurveyComparison", "survey-comparison", ("observation",)),
    "gaps_structural": ("StructuralGap", "structural-gap", ("sector_a", "sector_b")),
    "overlap_pairs": ("OverlapCandidate", "overlap", ("initiative_a", "initiative_b")),
    "bridges_actors": ("BridgeCandidate", "bridge", ("actor",)),
    "bridges_brokerage": ("BrokerageProfile", "brokerage", ("actor",)),
    "bridges_pairs": ("PairSuggestion", "pair-suggestion", ("actor_a", "actor_b")),
    "change_summary": ("ChangeCount", "change-count", ("table", "status", "difference")),
    "change_continuity": ("ContinuityRecord", "continuity", ("subject",)),
    "change_coverage": ("CoverageShift", "coverage-shift", ("entity", "sector", "stage")),
    "change_overlap": ("OverlapChange", "overlap-change", ("initiative_a", "initiative_b")),
    "change_bridges": ("BridgeChange", "bridge-change", ("actor",)),
}

#: The ranked candidate tables whose rows grow faster than the graph (pairs of initiatives or
#: actors, one row per actor): the ``analysis`` graph records only their best rows
#: (:func:`recorded`); the CSV files in ``out/analysis/`` hold them whole.
RDF_TRIMMED = (
    "overlap_pairs",
    "bridges_actors",
    "bridges_brokerage",
    "bridges_pairs",
    "change_overlap",
    "change_bridges",
)

#: Rows of each :data:`RDF_TRIMMED` table recorded as RDF when no ``top`` is given.
RDF_ROWS = 100


def recorded(table: str, frame: pd.DataFrame, top: int | None = None) -> pd.DataFrame:
    """The rows of *table* that :func:`results_to_rdf` records: every row of a small table;
    of the ranked candidate tables (:data:`RDF_TRIMMED`) the rows ranked 1 to *top* (default
    :data:`RDF_ROWS`).

    Examples
    --------
    >>> frame = pd.DataFrame({"rank": range(1, 301)})
    >>> len(recorded("overlap_pairs", frame)), len(recorded("overlap_pairs", frame, top=5))
    (100, 5)
    >>> len(recorded("gaps_coverage", frame))
    300
    """
    if table not in RDF_TRIMMED:
        return frame
    limit = RDF_ROWS if top is None else top
    if "rank" in frame.columns:
        return frame[frame["rank"] <= limit]
    return frame.head(limit)


# columns holding ids of resources (→ bioeco:about) and lists of ids (→ bioeco:<camelCase>)
_ABOUT = {"actor", "actor_a", "actor_b", "initiative_a", "initiative_b", "observation", "subject"}
_ID_LISTS = {
    "shared_members",
    "shared_organisers",
    "common",
    "via",
    "shared_initiatives",
    "examples",
    "graph_examples",
    "survey_source",
    "graph_sources",
    "predecessors",
    "successors",
}
# concept columns: column → (scheme, property)
_CONCEPTS = {
    "sector": ("sector", BIOECO.sector),
    "stage": ("stage", BIOECO.valueChainStage),
    "sector_a": ("sector", BIOECO.sectorA),
    "sector_b": ("sector", BIOECO.sectorB),
    "question": ("question", BIOECO.question),
    "topic": ("topic", BIOECO.topic),
    "respondent_group": ("respondent-group", BIOECO.respondentGroup),
}
_CONCEPT_LISTS = {
    "sectors": "sector",
    "sectors_a": "sector",
    "sectors_b": "sector",
    "stages": "stage",
    "shared_sectors": "sector",
    "shared_stages": "stage",
    "neighbour_sectors": "sector",
    "bridged_sectors": "sector",
}
_SKIP = {"label", "label_a", "label_b", "reason", "rank", "score", "explanation", "dataset"}


_RENAME = {
    "type": "typeCode",
    "type_a": "typeCodeA",
    "type_b": "typeCodeB",
    "entity": "countedKind",
}


def _camel(name: str) -> str:
    name = _RENAME.get(name, name)
    if "_" not in name:
        return name
    head, *rest = name.split("_")
    return head + "".join(p.capitalize() for p in rest)


def _segment(value: Any) -> str:
    text = str(value)
    slug = slugify(text)
    if slug and slug == re.sub(r"[/_]+", "-", text) and len(slug) <= 120:
        return slug
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]
    return f"{slug[:60]}-{digest}" if slug else digest


def _concept(scheme: str, code: str) -> URIRef:
    return concept_iri(scheme, code) if is_slug(code) else URIRef(code)


def _missing(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float | np.floating):
        return math.isnan(value)
    return value is pd.NA


def _literal(value: Any) -> Literal:
    if isinstance(value, bool | np.bool_):
        return Literal(bool(value))
    if isinstance(value, int | np.integer):
        return Literal(int(value))
    if isinstance(value, float | np.floating):
        return Literal(round(float(value), 6) + 0.0, datatype=_DOUBLE)
    return Literal(str(value))


def _time(value: datetime | date | str) -> Literal:
    if isinstance(value, datetime):
        return Literal(value.isoformat(), datatype=_DATETIME)
    if isinstance(value, date):
        return Literal(value.isoformat(), datatype=_DATE)
    return Literal(str(value), datatype=_DATETIME)


def _param_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, list | tuple | set | frozenset):
        return json.dumps(
            sorted(map(str, value))
            if isinstance(value, set | frozenset)
            else [str(v) for v in value]
        )
    return json.dumps(value, default=str)


def run_key(params: Mapping[str, Any], started: datetime | date | str) -> str:
    """Content-derived key of a run: a hash of its parameters and start time.

    Examples
    --------
    >>> run_key({"top": 5}, "2024-01-01T00:00:00") == run_key({"top": 5}, "2024-01-01T00:00:00")
    True
    """
    content = json.dumps(
        {
            "params": {k: _param_text(v) for k, v in sorted(params.items()) if v is not None},
            "started": str(_time(started)),
        },
        sort_keys=True,
    )
    return hashlib.sha256(content.encode("utf-8")).hexdigest()[:16]


def results_to_rdf(
    results: Mapping[str, pd.DataFrame],
    params: Mapping[str, Any],
    *,
    started: datetime | date | str,
    ended: datetime | date | str,
    used: Iterable[str | URIRef] = (),
    top: int | None = None,
) -> Graph:
    """Describe one analysis run and its result rows as RDF (for the ``analysis`` named graph).

    The run is ``bid:analysis/run/{key}`` (``a prov:Activity, bioeco:AnalysisRun``) with
    ``prov:startedAtTime``/``prov:endedAtTime`` from the caller, ``prov:used`` for each of
    *used* (the analysed graphs or files), and one ``bioeco:parameter`` node per non-None
    parameter (``bioeco:parameterName``, ``bioeco:parameterValue``). The key is a hash of the
    parameters and the start time (:func:`run_key`), so the same run gives the same IRIs.
    Every row of every table becomes ``bid:analysis/{key}/{kind}/{ids…}`` of the class in
    :data:`CLASSES` (all also ``bioeco:AnalysisResult``) with ``prov:wasGeneratedBy`` the run,
    ``bioeco:rank`` (the ``rank`` column, else the row position), ``bioeco:score`` (when the
    table has one), ``bioeco:explanation`` (``@en``), ``bioeco:about`` → the actors,
    initiatives and observations it is about, concept links (``bioeco:sector``,
    ``bioeco:valueChainStage``, ``bioeco:sectorA``/``sectorB``, list columns such as
    ``bioeco:sharedSectors``), id-list links (``bioeco:sharedMembers``, ``bioeco:via``, …) and
    the other columns as literals on ``bioeco:<camelCaseColumn>``.

    Every row of the small tables is recorded; of the ranked candidate tables
    (:data:`RDF_TRIMMED`: overlap pairs, bridge candidates, brokerage profiles, pair
    suggestions and their changes, which grow faster than the graph) only the rows ranked 1 to
    *top* (default :data:`RDF_ROWS`), so the analysis graph stays smaller than the graph it
    analyses. For every table the run has a ``bioeco:resultTable`` node
    (``bid:analysis/run/{key}/table/{name}``, a ``bioeco:ResultTable``) with
    ``bioeco:tableName``, ``bioeco:rowCount`` (rows of the whole table, as in its CSV file) and
    ``bioeco:recordedRows`` (rows recorded here).

    Columns
    -------
    (returns an rdflib Graph, not a DataFrame; its identifier is ``analysis_graph()``)

    Examples
    --------
    >>> from bioeco.analyses._fixture import example_graph
    >>> from bioeco.analyses.run import run_analyses
    >>> res = run_analyses(example_graph(), ["overlap"], top=1)
    >>> g = results_to_rdf(res, {"kinds": ["overlap"], "top": 1},
    ...                    started="2024-05-01T10:00:00", ended="2024-05-01T10:00:02")
    >>> from bioeco.store.query import select
    >>> q = "SELECT ?c ?score WHERE { ?c a bioeco:OverlapCandidate; bioeco:score ?score }"
    >>> rows = select(g, q)
    >>> rows["c"][0].split("/")[-3:], float(rows["score"][0])
    (['overlap', 'initiative-bridge', 'initiative-north'], 0.5)
    >>> len(select(g, "SELECT ?a WHERE { ?a a prov:Activity }"))
    1
    """
    key = run_key(params, started)
    g = Graph(identifier=analysis_graph())
    bind_prefixes(g)
    run = BID[f"analysis/run/{key}"]
    g.add((run, RDF.type, PROV.Activity))
    g.add((run, RDF.type, BIOECO.AnalysisRun))
    g.add((run, RDFS.label, Literal(f"bioeco analysis run {key}", lang="en")))
    g.add((run, PROV.startedAtTime, _time(started)))
    g.add((run, PROV.endedAtTime, _time(ended)))
    for item in used:
        g.add((run, PROV.used, URIRef(str(item))))
    for name, value in sorted(params.items()):
        if value is None:
            continue
        node = BID[f"analysis/run/{key}/parameter/{_segment(name)}"]
        g.add((run, BIOECO.parameter, node))
        g.add((node, RDF.type, BIOECO.Parameter))
        g.add((node, BIOECO.parameterName, Literal(str(name))))
        g.add((node, BIOECO.parameterValue, Literal(_param_text(value))))

    for table in sorted(results):
        whole = results[table]
        df = recorded(table, whole, top)
        node = BID[f"analysis/run/{key}/table/{_segment(table)}"]
        g.add((run, BIOECO.resultTable, node))
        g.add((node, RDF.type, BIOECO.ResultTable))
        g.add((node, BIOECO.tableName, Literal(table)))
        g.add((node, BIOECO.rowCount, Literal(len(whole))))
        g.add((node, BIOECO.recordedRows, Literal(len(df))))
        cls, kind, keys = CLASSES.get(table, ("AnalysisResult", _segment(table), ()))
        keys = tuple(k for k in keys if k in df.columns)
        for pos, row in enumerate(df.to_dict("records"), start=1):
            parts = [_segment(row[k]) for k in keys] if keys else [str(pos)]
            node = BID[f"analysis/{key}/{kind}/{'/'.join(parts)}"]
            g.add((node, RDF.type, BIOECO[cls]))
            g.add((node, RDF.type, BIOECO.AnalysisResult))
            g.add((node, PROV.wasGeneratedBy, run))
            rank = row.get("rank", pos)
            g.add((node, BIOECO.rank, Literal(int(rank if not _missing(rank) else pos))))
            if "score" in row and not _missing(row["score"]):
                g.add((node, BIOECO.score, _literal(float(row["score"]))))
            if row.get("explanation"):
                g.add((node, BIOECO.explanation, Literal(str(row["explanation"]), lang="en")))
            for col, value in row.items():
                if col in _SKIP:
                    continue
                if col in _ABOUT:
                    if not _missing(value):
                        g.add((node, BIOECO.about, entity_iri(str(value))))
                elif col in _CONCEPTS:
                    if not _missing(value):
                        scheme, prop = _CONCEPTS[col]
                        g.add((node, prop, _concept(scheme, str(value))))
                elif col in _CONCEPT_LISTS:
                    for code in value or ():
                        g.add((node, BIOECO[_camel(col)], _concept(_CONCEPT_LISTS[col], code)))
                elif col in _ID_LISTS:
                    for ident in value or ():
                        g.add((node, BIOECO[_camel(col)], entity_iri(str(ident))))
                elif isinstance(value, list | tuple):
                    for item in value:
                        g.add((node, BIOECO[_camel(col)], _literal(item)))
                elif not _missing(value):
                    g.add((node, BIOECO[_camel(col)], _literal(value)))
    return g
