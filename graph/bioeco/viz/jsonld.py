"""The graph as JSON-LD with a local context of the project's prefixes, sorted."""

from __future__ import annotations

import json
import warnings
from typing import Any

from rdflib import Dataset, Graph, URIRef

from bioeco.core.vocab import PREFIXES
from bioeco.ingest.canonical import canonical

__all__ = [
    "jsonld_context",
    "jsonld_text",
]


def jsonld_context() -> dict[str, str]:
    """The compact JSON-LD context: the project's prefixes (a local dict, never a URL).

    Examples
    --------
    >>> ctx = jsonld_context()
    >>> ctx["org"], ctx["actor"]
    ('http://www.w3.org/ns/org#', 'https://w3id.org/bioeco/id/actor/')
    """
    return {prefix: str(ns) for prefix, ns in sorted(PREFIXES.items())}


def _sorted_json(value: Any, key: str = "") -> Any:
    """Sort JSON-LD arrays (sets in RDF) for stable output; ``@list`` keeps its order."""
    if isinstance(value, dict):
        return {k: _sorted_json(v, k) for k, v in sorted(value.items())}
    if isinstance(value, list):
        items = [_sorted_json(v) for v in value]
        if key == "@list":
            return items
        return sorted(items, key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False))
    return value


def jsonld_text(dataset: Dataset | Graph) -> str:
    """JSON-LD of the named graphs of *dataset* (or of one graph), compacted with
    :func:`jsonld_context`; deterministic (canonical blank nodes, sorted nodes and values).

    Examples
    --------
    >>> from bioeco.analyses._fixture import example_graph
    >>> doc = json.loads(jsonld_text(example_graph()))
    >>> doc["@context"]["bioeco"], any(n.get("@id") == "actor:uit" for n in doc["@graph"])
    ('https://w3id.org/bioeco/ontology#', True)
    """
    out = Dataset()
    if isinstance(dataset, Dataset):
        named = [
            g
            for g in dataset.graphs()
            if isinstance(g.identifier, URIRef)
            and len(g)
            and not str(g.identifier).startswith("urn:x-rdflib:")
        ]
        for index, g in enumerate(sorted(named, key=lambda g: str(g.identifier))):
            target = out.graph(URIRef(str(g.identifier)))
            for triple in canonical(g, scope=f"g{index}"):
                target.add(triple)
        with warnings.catch_warnings():  # rdflib's serializer uses its own deprecated API
            warnings.simplefilter("ignore", DeprecationWarning)
            text = out.serialize(format="json-ld", context=jsonld_context(), auto_compact=True)
    else:
        single = Graph()
        for triple in canonical(dataset):
            single.add(triple)
        text = single.serialize(format="json-ld", context=jsonld_context(), auto_compact=True)
    doc = _sorted_json(json.loads(text))
    return json.dumps(doc, ensure_ascii=False, indent=1) + "\n"
