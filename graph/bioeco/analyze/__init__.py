"""Analyses of a bioeco graph: value-chain gaps, initiative overlap and cross-sector bridges."""

from bioeco.analyze.bridges import (
    actor_scores,
    brokerage,
    gould_fernandez,
    pair_suggestions,
    sector_group,
)
from bioeco.analyze.gaps import coverage, structural_gaps, survey_comparison
from bioeco.analyze.overlap import overlap_pairs
from bioeco.analyze.project import (
    Network,
    actor_projection,
    as_network,
    bipartite_graph,
    initiative_projection,
    load_network,
)
from bioeco.analyze.record import results_to_rdf
from bioeco.analyze.run import TABLES, run_analyses, write_csvs

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
