"""Key findings: the evidence line states the size of the family a test was corrected for."""

from __future__ import annotations

from bioeco.analyses._fixture import example_graph
from bioeco.analyses.findings import completeness, key_findings
from bioeco.analyses.project import load_network
from bioeco.analyses.run import run_analyses


def test_coverage_evidence_counts_every_cell_the_correction_ran_over():
    graph = example_graph()
    tables = run_analyses(graph)
    cover = tables["gaps_coverage"]
    tested = int(cover["p_value"].notna().sum())
    actor_cells = int(cover.loc[cover["entity"] == "actors", "p_value"].notna().sum())
    assert tested > actor_cells > 0  # the family holds initiatives' cells too
    found = key_findings(tables, completeness(load_network(graph)))
    coverage = found[found["table"] == "gaps_coverage"]["evidence"].tolist()
    assert not cover["flag"].str.contains("under", regex=False).any()  # the "none" finding
    assert f"corrected for the {tested} cells tested" in coverage[-1]


def test_without_consolidation_candidates_the_finding_says_so_first():
    graph = example_graph()
    tables = run_analyses(graph, min_shared=1)
    overlap = tables["overlap_pairs"]
    tables["overlap_pairs"] = overlap.assign(consolidation=False)
    found = key_findings(tables)
    finding = found.loc[found["table"] == "overlap_pairs", "finding"].iloc[0]
    assert finding.startswith("No pair of initiatives is a consolidation candidate; the closest: ")
    assert overlap.iloc[0]["label_a"] in finding
