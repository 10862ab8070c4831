"""The main jobs as single calls: build, open, validate, analyze and what-if on the graph."""

from bioeco.pipeline.analysis_reuse import AnalysisNotReusedWarning, analysis_tables, as_stored
from bioeco.pipeline.analyze_step import AnalysisOutput, analyze, run_clock
from bioeco.pipeline.build_step import STATS_TABLES, BuildResult, build, statistics, validate
from bioeco.pipeline.open_step import current_store, graph_key, open_graph
from bioeco.pipeline.whatif_step import WHATIF_TABLES, WhatifOutput, whatif

__all__ = [
    "STATS_TABLES",
    "WHATIF_TABLES",
    "AnalysisNotReusedWarning",
    "AnalysisOutput",
    "BuildResult",
    "WhatifOutput",
    "analysis_tables",
    "analyze",
    "as_stored",
    "build",
    "current_store",
    "graph_key",
    "open_graph",
    "run_clock",
    "statistics",
    "validate",
    "whatif",
]
