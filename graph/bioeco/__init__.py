"""bioeco: a knowledge graph of the bioeconomy ecosystem.

The public API is re-exported here so notebooks and scripts can write
``import bioeco`` and reach every step of the pipeline::

    import bioeco
    ds = bioeco.build_dataset()                      # data/ -> Oxigraph-backed Dataset
    bioeco.select(ds, "SELECT ?x WHERE { ?x a org:Organization }")
    tables = bioeco.run_analyses(ds)                 # gaps, overlap, bridges

Heavy modules are imported lazily, on first use of a name.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from bioeco import compat
from bioeco.errors import (
    BioecoError,
    DataError,
    NetworkRefused,
    QueryError,
    QueryTimeout,
    UsageError,
    ValidationFailed,
)

__version__ = "0.1.0"

compat.install()  # the module paths of 0.1 (``bioeco.query`` …) still import, with a warning

_LAZY = {
    "load_records": "bioeco.ingest.load",
    "build_dataset": "bioeco.ingest.build",
    "new_dataset": "bioeco.store.dataset",
    "load_dataset": "bioeco.store.dataset",
    "union_graph": "bioeco.store.dataset",
    "select": "bioeco.store.query",
    "validate_graph": "bioeco.validate.shacl",
    "write_outputs": "bioeco.ingest.export",
    "summary": "bioeco.store.stats",
    "build": "bioeco.pipeline",
    "open_graph": "bioeco.pipeline",
    "analyze": "bioeco.pipeline",
    "whatif": "bioeco.pipeline",
    "run_analyses": "bioeco.analyses.run",
    "load_network": "bioeco.analyses.project",
    "bipartite_graph": "bioeco.analyses.project",
    "actor_projection": "bioeco.analyses.project",
    "initiative_projection": "bioeco.analyses.project",
    "coverage": "bioeco.analyses.gaps",
    "coverage_matrix": "bioeco.analyses.gaps",
    "survey_comparison": "bioeco.analyses.gaps",
    "structural_gaps": "bioeco.analyses.gaps",
    "overlap_pairs": "bioeco.analyses.overlap",
    "actor_scores": "bioeco.analyses.bridges",
    "brokerage": "bioeco.analyses.bridges",
    "pair_suggestions": "bioeco.analyses.bridges",
    "sector_counts": "bioeco.analyses.sectors",
    "sectors_by_year": "bioeco.analyses.sectors",
    "compare_years": "bioeco.analyses.change",
    "year_graph": "bioeco.analyses.change",
    "Ecosystem": "bioeco.notebook.ecosystem",
    "extract_report": "bioeco.extract",
    "accept_proposals": "bioeco.extract.accept",
    "viewer_html": "bioeco.viz.viewer",
    "write_viewer": "bioeco.viz.viewer",
    "show_viewer": "bioeco.viz.viewer",
}

__all__ = [
    "BioecoError",
    "DataError",
    "NetworkRefused",
    "QueryError",
    "QueryTimeout",
    "UsageError",
    "ValidationFailed",
    *sorted(_LAZY),
    "load_ipython_extension",
]


def load_ipython_extension(ipython: Any) -> None:
    """``%load_ext bioeco`` in IPython/Jupyter: registers the ``%%sparql`` magic
    (see :mod:`bioeco.notebook.jupyter`)."""
    from bioeco.notebook.jupyter import load_ipython_extension as load

    load(ipython)


def __getattr__(name: str) -> Any:
    """Import the module that defines *name* on first access (PEP 562)."""
    if name in _LAZY:
        value = getattr(import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'bioeco' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
