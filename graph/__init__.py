"""bioeco: a knowledge graph of the bioeconomy ecosystem.

The public API is re-exported here so notebooks and scripts can write
``import graph as bioeco`` and reach every step of the pipeline::

    import graph as bioeco
    ds = bioeco.build_dataset()                      # data/ -> Oxigraph-backed Dataset
    bioeco.select(ds, "SELECT ?x WHERE { ?x a org:Organization }")
    tables = bioeco.run_analyses(ds)                 # gaps, overlap, bridges

Heavy modules are imported lazily, on first use of a name.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from graph.errors import (
    BioecoError,
    DataError,
    NetworkRefused,
    QueryError,
    UsageError,
    ValidationFailed,
)

__version__ = "0.1.0"

_LAZY = {
    "load_records": "graph.load",
    "build_dataset": "graph.build",
    "build_graphs": "graph.build",
    "new_dataset": "graph.store",
    "load_dataset": "graph.store",
    "union_graph": "graph.store",
    "select": "graph.query",
    "validate_graph": "graph.validate",
    "write_outputs": "graph.export",
    "summary": "graph.stats",
    "build": "graph.pipeline",
    "open_graph": "graph.pipeline",
    "analyze": "graph.pipeline",
    "run_analyses": "graph.analyze.run",
    "load_network": "graph.analyze.project",
    "bipartite_graph": "graph.analyze.project",
    "actor_projection": "graph.analyze.project",
    "initiative_projection": "graph.analyze.project",
    "coverage": "graph.analyze.gaps",
    "coverage_matrix": "graph.analyze.gaps",
    "survey_comparison": "graph.analyze.gaps",
    "structural_gaps": "graph.analyze.gaps",
    "overlap_pairs": "graph.analyze.overlap",
    "actor_scores": "graph.analyze.bridges",
    "brokerage": "graph.analyze.bridges",
    "pair_suggestions": "graph.analyze.bridges",
}

__all__ = [
    "BioecoError",
    "DataError",
    "NetworkRefused",
    "QueryError",
    "UsageError",
    "ValidationFailed",
    *sorted(_LAZY),
]


def __getattr__(name: str) -> Any:
    """Import the module that defines *name* on first access (PEP 562)."""
    if name in _LAZY:
        value = getattr(import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'graph' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
