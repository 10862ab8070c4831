"""The main jobs as single calls: build, open, validate, analyze and what-if on the graph."""

from __future__ import annotations

from bioeco.core.lazy import lazy_room

# each job's module is imported on first use of one of its names (PEP 562): a query, which
# only opens the graph, does not load the build, the analyses or the what-if
_LAZY = {
    "AnalysisNotReusedWarning": "analysis_reuse",
    "analysis_tables": "analysis_reuse",
    "as_stored": "analysis_reuse",
    "AnalysisOutput": "analyze_step",
    "analyze": "analyze_step",
    "run_clock": "analyze_step",
    "STATS_TABLES": "build_step",
    "BuildResult": "build_step",
    "build": "build_step",
    "statistics": "build_step",
    "validate": "build_step",
    "current_store": "open_step",
    "graph_key": "open_step",
    "open_graph": "open_step",
    "WHATIF_TABLES": "whatif_step",
    "WhatifOutput": "whatif_step",
    "whatif": "whatif_step",
}

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


__getattr__, __dir__ = lazy_room(__name__, _LAZY)
