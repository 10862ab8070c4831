"""What the benchmark measures: its steps and commands, their baselines and targets."""

from __future__ import annotations

__all__ = [
    "BASELINE_STEP",
    "COMMANDS",
    "COMMAND_SECONDS",
    "COMMAND_TARGETS",
    "DATA_INITIATIVE",
    "MAX_PEAK_MB",
    "NAIVE_BUDGET",
    "QUERY",
    "QUERY_REPEAT",
    "SECOND_BASELINES",
    "STEPS",
    "STEP_BASELINES",
    "SUPERLINEAR",
]


#: The commands a user runs (issue 23), each timed as a whole process (wall, CPU, peak RSS)
#: on one out/ folder per scale, in this order: the build writes it, analyze adds its
#: results and the store receives them, the query then runs on that folder.
COMMANDS: dict[str, tuple[str, ...]] = {
    "cmd_build": ("build", "--no-validate", "--data", "{data}", "--out", "{out}"),
    "cmd_validate": ("validate", "--graph", "{out}/bioeco.trig"),
    "cmd_analyze": (
        "analyze", "all", "--graph", "{out}/bioeco.trig", "--out", "{out}", "--top", "10",
    ),
    "cmd_query_after_analyze": ("query", "-f", "{query}", "--format", "csv"),
    "cmd_whatif": ("whatif", "{plan}", "--graph", "{out}/bioeco.trig", "--out", "{out}"),
    "cmd_whatif_suggest": (
        "whatif", "--suggest", "20", "--graph", "{out}/bioeco.trig", "--out", "{out}",
    ),
    "cmd_report": ("report", "--graph", "{out}/bioeco.trig", "-o", "{out}/report.html"),
    "cmd_viz": ("viz", "--graph", "{out}/bioeco.trig", "-o", "{out}/viewer.html"),
    "cmd_export_xlsx": ("export", "--to", "xlsx", "--graph", "{out}/bioeco.trig"),
    "cmd_export_graphml": ("export", "--to", "graphml", "--graph", "{out}/bioeco.trig"),
}  # fmt: skip


#: Targets of the commands at scale 100 (issue 23): (baseline step, at most this many times
#: its time), peak ≤ :data:`MAX_PEAK_MB`.
COMMAND_TARGETS: dict[str, tuple[str, float]] = {
    "cmd_build": ("oxigraph_bulk_load_disk", 1.6),
    "cmd_analyze": ("oxigraph_bulk_load", 12.0),
    "cmd_report": ("oxigraph_bulk_load", 5.0),
    "cmd_viz": ("oxigraph_bulk_load", 5.0),
    "cmd_export_xlsx": ("oxigraph_bulk_load", 5.0),
}


COMMAND_SECONDS = {"cmd_query_after_analyze": 1.5, "cmd_whatif": 2.0, "cmd_whatif_suggest": 15.0}
"""Absolute targets (seconds, whole process) of commands without a baseline ratio."""


STEPS: tuple[str, ...] = (
    *COMMANDS,
    "load_records",
    "build_dataset",
    "write_outputs",
    "build",
    "validate_graph",
    "run_analyses",
    "query_cli",
    "query_p50",
    "cli_startup",
    "oxigraph_parse",
    "oxigraph_bulk_load",
    "oxigraph_bulk_load_disk",
    "naive_networkx",
)


BASELINE_STEP = "oxigraph_parse"
"""The fixed reference step: parsing the same TriG with pyoxigraph, no bioeco code."""


SUPERLINEAR = 1.2
"""Flag a step when time ~ memberships^k with k above this (log-log least squares)."""


STEP_BASELINES: dict[str, str] = {
    "load_records": BASELINE_STEP,
    "build_dataset": BASELINE_STEP,
    "write_outputs": BASELINE_STEP,
    "build": "oxigraph_bulk_load",
    "validate_graph": BASELINE_STEP,
    "run_analyses": "naive_networkx",
    "query_cli": BASELINE_STEP,
}
"""The in-run baseline of each step: what the same data costs without bioeco's own code."""


STEP_BASELINES.update({step: base for step, (base, _most) in COMMAND_TARGETS.items()})


SECOND_BASELINES: dict[str, str] = {"build": "oxigraph_bulk_load_disk"}
"""A further in-run baseline of a step, stated under the summary: ``build`` writes an on-disk
store, which costs pyoxigraph itself more than its in-memory bulk load."""


NAIVE_BUDGET = 120.0
"""Seconds of betweenness the ``naive_networkx`` baseline may spend before it estimates the
rest from a seeded sample of sources (``--naive-budget``)."""


MAX_PEAK_MB = 2048.0
"""Memory target of every step at the largest scale (issue 13: ≤ 2 GB)."""


QUERY = """# typical SELECT: how many distinct actors take part per sector and value-chain stage
SELECT ?sector ?stage (COUNT(DISTINCT ?actor) AS ?actors) WHERE {
  ?m a org:Membership ; org:member ?actor ; org:organization ?initiative .
  ?actor a org:Organization ; bioeco:sector ?sector .
  ?initiative bioeco:valueChainStage ?stage .
}
GROUP BY ?sector ?stage
ORDER BY DESC(?actors) ?sector ?stage
"""


DATA_INITIATIVE = "initiative:biotech-north"
"""The initiative of ``data/`` an example query may ask about (``members-in-year``)."""


QUERY_REPEAT = 9
"""Timed runs of each example query in ``query_p50`` (after one untimed first run)."""
