"""Analyses of a bioeco graph: value-chain gaps, initiative overlap and cross-sector bridges."""

from bioeco.core.lazy import lazy_room

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


__getattr__, __dir__ = lazy_room(__name__, _LAZY)
