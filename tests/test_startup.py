"""Start-up of the light commands: ``bioeco query`` and ``stats`` on a built graph, ``queries``,
``--help`` and ``--version`` import none of the heavy modules they do not use (pyshacl,
networkx, scipy, igraph, matplotlib, openpyxl, pyvis, playwright …).

Each command runs in a fresh interpreter, which then reports the modules it holds; no time is
measured here (``make bench`` reports the start-up time).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bioeco.pipeline import build

ROOT = Path(__file__).resolve().parent.parent
TINY = Path(__file__).parent / "fixtures" / "tiny"

# needed by no light command (analyses, SHACL, plots, exports, viewer, browser, extraction)
HEAVY = [
    "pyshacl",
    "networkx",
    "scipy",
    "igraph",
    "matplotlib",
    "openpyxl",
    "pyvis",
    "playwright",
    "rapidfuzz",
    "ahocorasick",
    "confusable_homoglyphs",
    "SPARQLWrapper",
    "bioeco.analyses",
    "bioeco.viz",
    "bioeco.validate.shacl",
    "bioeco.ingest.build",
]
# what a command that prints no table does not need either
TABLES = ["pandas", "numpy", "pyoxigraph"]

RUN = """
import json, sys
from cli import main
try:
    main(sys.argv[2:], prog_name="bioeco", standalone_mode=False)
except SystemExit as exc:
    if exc.code:
        raise
with open(sys.argv[1], "w") as report:
    json.dump(sorted(sys.modules), report)
"""


@pytest.fixture(scope="module")
def graph(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("startup") / "out"
    build(TINY, out, check=False)
    return out / "bioeco.trig"


def _modules(tmp_path: Path, *args: str) -> tuple[set[str], str]:
    report = tmp_path / "modules.json"
    done = subprocess.run(
        [sys.executable, "-c", RUN, str(report), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return set(json.loads(report.read_text(encoding="utf-8"))), done.stdout


def _imported(modules: set[str], names: list[str]) -> list[str]:
    return [n for n in names if n in modules or any(m.startswith(n + ".") for m in modules)]


def test_query_on_a_built_graph_imports_no_heavy_module(tmp_path, graph):
    args = ["query", "--name", "survey-by-stage", "--graph", str(graph), "--format", "csv"]
    modules, out = _modules(tmp_path, *args)
    assert out.startswith("order,stage,question,group,share,locator")  # it did answer
    assert _imported(modules, HEAVY) == []


def test_stats_on_a_built_graph_imports_no_heavy_module(tmp_path, graph):
    modules, out = _modules(tmp_path, "stats", "--graph", str(graph), "--format", "json")
    assert set(json.loads(out)) == {"graphs", "classes", "sources"}
    assert _imported(modules, HEAVY) == []


@pytest.mark.parametrize(
    "args", [["--help"], ["--version"], ["queries"], ["query", "--help"]], ids=" ".join
)
def test_listing_and_help_import_no_table_library(tmp_path, args):
    modules, out = _modules(tmp_path, *args)
    assert out.strip()
    assert _imported(modules, HEAVY + TABLES) == []


def test_a_build_without_validation_imports_no_validator_or_table_library(tmp_path):
    """``build --no-validate`` pays for neither the SHACL validator nor pandas (0.5 s of
    start-up each), with or without near-duplicate warnings to print."""
    out = tmp_path / "out"
    modules, said = _modules(
        tmp_path, "build", "--no-validate", "--data", str(TINY), "--out", str(out)
    )
    assert "Built 4 actors" in said
    assert _imported(modules, ["pyshacl", "bioeco.validate.shacl", "pandas", "numpy"]) == []


def test_the_workbook_export_imports_no_plotting(tmp_path):
    """``export --to xlsx`` after ``analyze all`` reads the tables back and takes the source
    table from the report's data, not its plots: neither matplotlib nor igraph (which
    imports matplotlib's pyplot; together about 1 s) is imported."""
    from bioeco.pipeline import analyze

    out = tmp_path / "out"
    build(TINY, out, check=False)
    analyze(("all",), graph_file=out / "bioeco.trig", out_dir=out)
    target = tmp_path / "book.xlsx"
    args = ["export", "--to", "xlsx", "--graph", str(out / "bioeco.trig"), "-o", str(target)]
    modules, _ = _modules(tmp_path, *args)
    assert target.is_file() and "openpyxl" in modules
    assert _imported(modules, ["matplotlib", "igraph", "bioeco.viz.plots"]) == []


def test_the_check_sees_what_a_heavy_command_imports(tmp_path, graph):
    """The control: validation does import the validator, and the report shows it."""
    modules, _ = _modules(tmp_path, "validate", "--graph", str(graph))
    assert "bioeco.validate.shacl" in _imported(modules, HEAVY)


def test_the_network_alone_imports_no_statistics_or_igraph():
    """``bioeco.analyses`` loads its modules on first use: the viewer and what-if, which need
    the network first, do not pay for scipy.stats and igraph (about 2 s at start-up); nor
    does what the what-if runs (its tracker, the coverage, the tables' CSV), until a full
    bridge analysis is asked for."""
    code = (
        "import sys, bioeco.analyses.project, bioeco.analyses as a\n"
        "print(sorted(m for m in ('igraph', 'scipy.stats') if m in sys.modules))\n"
        "import bioeco.analyses.whatif, bioeco.analyses.incremental, bioeco.analyses.netfile\n"
        "import bioeco.analyses.tablecsv, bioeco.pipeline.whatif_step\n"
        "print(sorted(m for m in ('igraph', 'scipy.stats') if m in sys.modules))\n"
        "a.run_analyses; import bioeco.analyses.bridges\n"
        "print(sorted(m for m in ('igraph',) if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stdout.split("\n")[:3] == ["[]", "[]", "['igraph']"], done.stderr


def test_the_what_if_on_a_saved_start_imports_no_graph_library_or_sparql(tmp_path):
    """``whatif`` after ``analyze all`` reads the saved network and tracker start: it imports
    neither networkx (the projections as graphs) nor rdflib's SPARQL engine (the analyses'
    SELECTs), about 0.35 s of start-up together."""
    from bioeco.pipeline import analyze

    out = tmp_path / "out"
    build(TINY, out, check=False)
    analyze(("all",), graph_file=out / "bioeco.trig", out_dir=out)
    plan = tmp_path / "plan.csv"
    plan.write_text(
        "action,actor,other,initiative,year\nintroduce,alpha,beta-institute,,2024\n",
        encoding="utf-8",
    )
    args = ["whatif", str(plan), "--graph", str(out / "bioeco.trig"), "--out", str(out)]
    modules, said = _modules(tmp_path, *args)
    assert "whatif_steps" in said  # it did answer
    assert _imported(modules, ["networkx", "rdflib.plugins.sparql", "pyparsing"]) == []
