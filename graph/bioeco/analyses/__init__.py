"""Analyses of a bioeco graph: value-chain gaps, initiative overlap and cross-sector bridges."""

import importlib
from typing import Any

#: Public name → the module of this room that defines it, imported on first use: a command
#: that needs only the network (``project``) does not pay for scipy.stats and igraph.
_LAZY = {
    "TABLES": "run",
    "Network": "project",
    "actor_projection": "project",
    "actor_scores": "bridges",
    "as_network": "project",
    "bipartite_graph": "project",
    "brokerage": "bridges",
    "coverage": "gaps",
    "gould_fernandez": "bridges",
    "initiative_projection": "project",
    "load_network": "project",
    "overlap_pairs": "overlap",
    "pair_suggestions": "bridges",
    "results_to_rdf": "record",
    "run_analyses": "run",
    "sector_group": "bridges",
    "structural_gaps": "gaps",
    "survey_comparison": "gaps",
    "write_csvs": "run",
}

__all__ = sorted(_LAZY)


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
        globals()[name] = value
        return value
    try:  # a module of the room, e.g. ``bioeco.analyses.run`` after ``import bioeco.analyses``
        return importlib.import_module(f"{__name__}.{name}")
    except ModuleNotFoundError as exc:
        if exc.name != f"{__name__}.{name}":
            raise
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
