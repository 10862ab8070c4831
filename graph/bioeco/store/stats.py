"""Summary counts of a built graph: per named graph, per class and per source document."""

from __future__ import annotations

import pandas as pd
from rdflib import Dataset

from bioeco.core.vocab import compact
from bioeco.store.query import select

__all__ = ["TABLES", "class_counts", "graph_counts", "source_counts", "summary"]

#: Names of the tables of :func:`summary`, in order.
TABLES = ("graphs", "classes", "sources")

_PER_GRAPH = """
SELECT ?graph (COUNT(*) AS ?triples) WHERE { GRAPH ?graph { ?s ?p ?o } }
GROUP BY ?graph ORDER BY ?graph
"""

_PER_CLASS = """
SELECT ?class (COUNT(DISTINCT ?x) AS ?instances) WHERE {
  GRAPH ?g { ?x a ?class }
  FILTER (?g != <https://w3id.org/bioeco/graph/ontology>)
}
GROUP BY ?class ORDER BY DESC(?instances) ?class
"""

_PER_SOURCE = """
SELECT ?source
  (COUNT(DISTINCT ?actor) AS ?actors)
  (COUNT(DISTINCT ?initiative) AS ?initiatives)
  (COUNT(DISTINCT ?person) AS ?people)
  (COUNT(DISTINCT ?membership) AS ?memberships)
  (COUNT(DISTINCT ?classification) AS ?classifications)
  (COUNT(DISTINCT ?observation) AS ?observations)
WHERE {
  ?doc a bioeco:SourceDocument ; dcterms:identifier ?file .
  BIND (STRAFTER(STR(?doc), "/source/") AS ?source)
  OPTIONAL { { ?actor a org:Organization ; prov:wasDerivedFrom ?doc .
               FILTER NOT EXISTS { ?actor a org:OrganizationalCollaboration } }
    UNION { ?initiative a org:OrganizationalCollaboration ; prov:wasDerivedFrom ?doc }
    UNION { ?person a foaf:Person ; prov:wasDerivedFrom ?doc }
    UNION { ?membership a org:Membership ; prov:wasDerivedFrom ?doc }
    UNION { ?classification a bioeco:ClassificationAssertion ; prov:wasDerivedFrom ?doc }
    UNION { ?observation a qb:Observation ; prov:wasDerivedFrom ?doc } }
}
GROUP BY ?source ORDER BY ?source
"""


def graph_counts(dataset: Dataset) -> pd.DataFrame:
    """Triples per named graph: columns ``graph``, ``triples``."""
    frame = select(dataset, _PER_GRAPH)
    frame["graph"] = frame["graph"].map(lambda iri: iri.removeprefix("https://w3id.org/bioeco/"))
    return frame


def class_counts(dataset: Dataset) -> pd.DataFrame:
    """Instances per class outside the ontology graph: columns ``class`` (prefixed name),
    ``instances``."""
    frame = select(dataset, _PER_CLASS)
    frame["class"] = frame["class"].map(compact)
    return frame


def source_counts(dataset: Dataset) -> pd.DataFrame:
    """Actors, initiatives, people, memberships, classifications, observations per source."""
    return select(dataset, _PER_SOURCE)


def summary(dataset: Dataset) -> dict[str, pd.DataFrame]:
    """All three tables, keyed ``graphs``, ``classes``, ``sources``."""
    return {
        "graphs": graph_counts(dataset),
        "classes": class_counts(dataset),
        "sources": source_counts(dataset),
    }
