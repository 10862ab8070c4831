"""The package's shape: its folder is its import name, rooms with a job each, no import circles,
no private names borrowed across modules, the public API and the 0.1 import paths kept."""

from __future__ import annotations

import ast
import importlib
import re
import subprocess
import sys
import tomllib
import warnings
from pathlib import Path

import networkx as nx
import pytest

import bioeco
from bioeco.compat import MOVED

ROOT = Path(__file__).resolve().parents[1]
PKG = ROOT / "graph" / "bioeco"
COMMANDS = ROOT / "bioeco_commands"
ROOMS = [
    "analyses", "core", "extract", "ingest", "notebook", "pipeline", "serve", "store", "validate",
    "viz",
]  # fmt: skip


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PKG.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, name: str, modules: set[str]) -> tuple[set[str], list[str]]:
    """The package modules *path* imports (at any depth of the file) and the private names it
    takes from other modules."""
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    deps: set[str] = set()
    private: list[str] = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parts, base] if base else parts)
            if base != "bioeco" and not base.startswith("bioeco."):
                continue
            for alias in node.names:
                full = f"{base}.{alias.name}"
                if full in modules:
                    deps.add(full)
                    continue
                deps.add(base)
                is_private = alias.name.startswith("_") and not alias.name.startswith("__")
                if is_private and base != name:
                    private.append(f"{name}: {alias.name} from {base}")
        elif isinstance(node, ast.Import):
            deps.update(a.name for a in node.names if a.name.split(".")[0] == "bioeco")
    deps.discard(name)
    return deps & modules, private


def _package_modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(PKG.rglob("*.py"))}


def test_the_folder_is_the_import_name():
    assert Path(bioeco.__file__).resolve().parent == PKG
    assert not list((ROOT / "graph").glob("*.py")), "modules belong in graph/bioeco/, not graph/"


def test_pyproject_lists_every_package():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    folders = [_module_name(p) for p in PKG.rglob("__init__.py")]
    # data only: the top-level ontology/ travels in the wheel as bioeco/ontology/
    ontology = ["bioeco.ontology", "bioeco.ontology.schemes"]
    # the command line: cli.py (the entry point) and the commands it gathers
    assert config["packages"] == sorted([*folders, *ontology, COMMANDS.name])
    assert config["py-modules"] == ["cli"]
    assert config["package-dir"]["bioeco.ontology"] == "ontology"


def test_every_room_names_its_job_in_one_line():
    found = sorted(p.parent.name for p in PKG.glob("*/__init__.py"))
    assert found == ROOMS
    for room in ROOMS:
        doc = ast.get_docstring(ast.parse((PKG / room / "__init__.py").read_text()))
        assert doc and "\n" not in doc.strip(), f"bioeco.{room}: one-line docstring"


def test_no_import_circle_between_modules():
    modules = _package_modules()
    graph = nx.DiGraph()
    graph.add_nodes_from(modules)
    for name, path in modules.items():
        deps, _ = _imports(path, name, set(modules))
        graph.add_edges_from((name, d) for d in deps if d != "bioeco")  # the package's own init
    cycles = [sorted(c) for c in nx.strongly_connected_components(graph) if len(c) > 1]
    assert cycles == []


def test_no_private_name_is_imported_from_another_module():
    modules = _package_modules()
    private = [p for name, path in modules.items() for p in _imports(path, name, set(modules))[1]]
    assert private == []


def test_the_library_does_not_import_click():
    """click belongs to the command line (cli.py, bioeco_commands/), not to the library."""
    found = []
    for name, path in _package_modules().items():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                found += [name for a in node.names if a.name.split(".")[0] == "click"]
            elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "click":
                found.append(name)
    assert found == []


def test_the_commands_borrow_no_private_name_and_never_import_cli():
    """Each command module takes only public names from the others and from the library; cli.py
    gathers them, so none of them imports it (no circle)."""
    found = []
    for path in [ROOT / "cli.py", *sorted(COMMANDS.glob("*.py"))]:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                found += [f"{path.name}: import {a.name}" for a in node.names if a.name == "cli"]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if base == "cli":
                    found.append(f"{path.name}: from cli")
                if base.split(".")[0] in ("bioeco", COMMANDS.name):
                    found += [
                        f"{path.name}: {a.name} from {base}"
                        for a in node.names
                        if a.name.startswith("_") and not a.name.startswith("__")
                    ]
    assert found == []


def test_the_checker_sees_a_circle_and_a_private_import(tmp_path):
    """The two checks above can fail: a planted circle and a planted private import are found."""
    a, b = tmp_path / "a.py", tmp_path / "b.py"
    a.write_text("from bioeco.b import _hidden\n")
    b.write_text("import bioeco.a\n")
    names = {"bioeco.a", "bioeco.b"}
    deps_a, private_a = _imports(a, "bioeco.a", names)
    deps_b, _ = _imports(b, "bioeco.b", names)
    assert deps_a == {"bioeco.b"} and deps_b == {"bioeco.a"}
    assert private_a == ["bioeco.a: _hidden from bioeco.b"]


PUBLIC_API = [
    "BioecoError", "DataError", "Ecosystem", "NetworkRefused", "QueryError", "QueryTimeout",
    "UsageError", "ValidationFailed", "accept_proposals", "actor_projection", "actor_scores",
    "analyze", "bipartite_graph", "brokerage", "build", "build_dataset", "compare_years",
    "coverage", "coverage_matrix", "extract_report", "initiative_projection", "load_dataset",
    "load_ipython_extension", "load_network", "load_records", "new_dataset", "open_graph",
    "overlap_pairs", "pair_suggestions", "run_analyses", "sector_counts", "sectors_by_year",
    "select", "show_viewer", "structural_gaps", "summary", "survey_comparison", "union_graph",
    "validate_graph", "viewer_html", "whatif", "write_outputs", "write_viewer", "year_graph",
]  # fmt: skip


def test_the_public_api_is_kept():
    assert sorted(PUBLIC_API) == sorted(bioeco.__all__)
    importlib.import_module("bioeco.analyses.gaps")  # a room import never hides a function
    for name in PUBLIC_API:
        assert callable(getattr(bioeco, name)), name


def test_a_module_of_the_old_analyze_package_is_the_same_module():
    code = (
        "import warnings, importlib\n"
        "warnings.simplefilter('ignore', DeprecationWarning)\n"
        "old = importlib.import_module('bioeco.analyze.gaps')\n"
        "new = importlib.import_module('bioeco.analyses.gaps')\n"
        "from bioeco.analyze import bridges\n"
        "import bioeco.analyses.bridges as b\n"
        "print(old is new, bridges is b)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stdout.strip() == "True True", done.stderr


@pytest.mark.parametrize("old", sorted(MOVED))
def test_an_old_module_path_still_imports_with_a_warning(old):
    code = (
        "import warnings, importlib\n"
        "warnings.simplefilter('error', DeprecationWarning)\n"
        f"try:\n    importlib.import_module({old!r})\n"
        "except DeprecationWarning as w:\n    print(w)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stdout.strip() == (
        f"{old} moved to {MOVED[old]}; the old name goes in the next release"
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        assert importlib.import_module(old) is importlib.import_module(MOVED[old])


@pytest.mark.parametrize(("room", "home"), [("store", "dataset"), ("validate", "shacl"),
                                            ("serve", "endpoint")])  # fmt: skip
def test_a_room_that_was_a_module_keeps_its_names(room, home):
    old = importlib.import_module(f"bioeco.{room}")
    new = importlib.import_module(f"bioeco.{room}.{home}")
    for name in new.__all__:
        assert getattr(old, name) is getattr(new, name)
    with pytest.raises(AttributeError):
        _ = old.no_such_name


#: A path of the project's code or docs as the docs and comments name it.
_NAMED_PATH = re.compile(
    r"\b(?:graph|tests|bench|scripts|ontology|docs)/[\w./-]+\.(?:py|md|ttl|rq)\b"
)


#: Paths that stand for any file (docs/development.md: ``pytest tests/x.py`` runs one file).
_PLACEHOLDERS = {"tests/x.py"}


def test_the_paths_docs_and_comments_name_exist():
    """README, docs, the ontology's comments and the package's docstrings name files that are
    there (the rooms moved graph/analyze/record.py to graph/bioeco/analyses/record.py)."""
    texts = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
    texts += [*sorted((ROOT / "ontology").rglob("*.ttl")), *sorted((ROOT / "bench").glob("*.md"))]
    texts += [ROOT / "data" / "README.md", *sorted(PKG.rglob("*.py"))]
    missing = sorted(
        f"{text.relative_to(ROOT)}: {found}"
        for text in texts
        for found in set(_NAMED_PATH.findall(text.read_text(encoding="utf-8")))
        if not (ROOT / found).exists() and found not in _PLACEHOLDERS
    )
    assert missing == []
    stale = [
        str(text.relative_to(ROOT))
        for text in texts
        if re.search(r"graph[./]analyze\b", text.read_text(encoding="utf-8"))
    ]
    assert stale == []
