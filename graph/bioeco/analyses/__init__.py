"""Analyses of a bioeco graph: value-chain gaps, initiative overlap and cross-sector bridges."""

from bioeco.analyses.bridges import (
    actor_scores,
    brokerage,
    gould_fernandez,
    pair_suggestions,
    sector_group,
)
from bioeco.analyses.gaps import coverage, structural_gaps, survey_comparison
from bioeco.analyses.overlap import overlap_pairs
from bioeco.analyses.project import (
    Network,
    actor_projection,
    as_network,
    bipartite_graph,
    initiative_projection,
    load_network,
)
from bioeco.analyses.record import results_to_rdf
from bioeco.analyses.run import TABLES, run_analyses, write_csvs

__all__ = [
    "TABLES",
    "Network",
    "actor_projection",
    "actor_scores",
    "as_network",
    "bipartite_graph",
    "brokerage",
    "coverage",
    "gould_fernandez",
    "initiative_projection",
    "load_network",
    "overlap_pairs",
    "pair_suggestions",
    "results_to_rdf",
    "run_analyses",
    "sector_group",
    "structural_gaps",
    "survey_comparison",
    "write_csvs",
]
