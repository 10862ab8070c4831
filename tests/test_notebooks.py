"""The notebooks: they run top to bottom on a fresh kernel, their committed outputs are what a
fresh run gives, and a reader meets no Python reprs, warnings or private API."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest

from bioeco.notebook.runner import execute, normalise, notebook_paths, output_text, stale_cells

NOTEBOOKS = notebook_paths()
EXPECTED = [
    "01-explore",
    "02-gaps",
    "03-overlap",
    "04-bridges",
    "05-sparql-cookbook",
    "06-what-if",
]
_FRESH: dict[Path, nbformat.NotebookNode] = {}

# What must not reach a reader: Python reprs of missing values, tuples, objects, tracebacks
REPRS = re.compile(
    r"\bnan\b|\bNaN\b|\bNone\b|<NA>|\bNaT\b|\('|object at 0x|Traceback|Warning:|\[IPKernelApp\]"
)


class _VisibleText(HTMLParser):
    """The text a reader sees in an HTML output: no scripts, styles or attributes (the
    viewer's page sits in an iframe's srcdoc attribute; its own text is checked in
    tests/viz)."""

    def __init__(self) -> None:
        super().__init__()
        self.hidden = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.hidden += tag in ("script", "style")

    def handle_endtag(self, tag):
        self.hidden -= tag in ("script", "style") and self.hidden > 0

    def handle_data(self, data):
        if not self.hidden:
            self.parts.append(data)


def visible(output) -> str:
    """What a reader sees of *output* as text (HTML reduced to its visible text)."""
    text = output_text(output)
    if "text/html" in output.get("data", {}):
        parser = _VisibleText()
        parser.feed(text)
        parser.close()
        text = " ".join(parser.parts)
    return text


def fresh(path: Path) -> nbformat.NotebookNode:
    """The notebook run once per test session on a fresh kernel (shared by the tests below)."""
    if path not in _FRESH:
        _FRESH[path] = execute(path)
    return _FRESH[path]


def outputs(nb: nbformat.NotebookNode) -> list:
    return [o for cell in nb.cells if cell.cell_type == "code" for o in cell.outputs]


def test_the_six_notebooks_are_there():
    assert [p.stem for p in NOTEBOOKS] == EXPECTED


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_without_errors_or_warnings(path: Path):
    nb = fresh(path)
    assert not [o for o in outputs(nb) if o.output_type == "error"]
    stderr = [o.text for o in outputs(nb) if o.output_type == "stream" and o.name == "stderr"]
    assert not stderr, stderr


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_committed_outputs_are_not_stale(path: Path):
    committed = nbformat.read(path, as_version=4)
    problems = stale_cells(committed, fresh(path))
    assert not problems, "run `make notebooks`:\n" + "\n".join(problems)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_committed_with_outputs_and_nothing_that_varies(path: Path):
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.outputs for c in code[1:]), "every cell after the setup shows something"
    assert dict(nb.metadata) == {"kernelspec": nb.metadata["kernelspec"]}  # no Python version
    assert not [c for c in nb.cells if "execution" in c.metadata]  # no execution times
    assert [c.execution_count for c in code] == list(range(1, len(code) + 1))
    # exactly what `make notebooks` writes: normalising it again changes nothing
    assert normalise(nbformat.read(path, as_version=4)) == nb


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_outputs_have_no_python_reprs(path: Path):
    nb = nbformat.read(path, as_version=4)
    for n, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            text = visible(output)
            found = REPRS.search(text)
            assert not found, f"cell {n}: {text[max(0, found.start() - 60) : found.end() + 20]}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_plots_are_svg_and_png_with_a_plain_text_title(path: Path):
    nb = nbformat.read(path, as_version=4)
    for output in outputs(nb):
        data = output.get("data", {})
        if "image/svg+xml" in data:
            assert data["text/plain"].startswith("Figure: ")
            # PNG too: JupyterLab shows no SVG of an untrusted (just opened) notebook
            assert data["image/png"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_uses_only_the_public_api(path: Path):
    nb = nbformat.read(path, as_version=4)
    source = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert "import graph" not in source and "from graph" not in source
    assert not re.search(r"\bbioeco(\.\w+)*\._", source), "no private names"
    imports = re.findall(r"^(?:from|import) (\S+)", source, flags=re.MULTILINE)
    assert set(imports) <= {"bioeco", "bioeco.viz", "pandas"}, imports
    assert "_fixture" not in source


def test_stale_check_compares_the_svg_of_a_figure_not_its_png():
    path = next(p for p in NOTEBOOKS if p.stem == "02-gaps")
    committed = nbformat.read(path, as_version=4)
    figure = next(
        o for c in committed.cells for o in c.get("outputs", []) if "image/png" in o.get("data", {})
    )
    figure["data"]["image/png"] = "iVBORw0KGgo="  # another rendering of the same figure
    assert not stale_cells(committed, fresh(path))
    figure["data"]["image/svg+xml"] = figure["data"]["image/svg+xml"].replace("Actors", "Acts")
    assert stale_cells(committed, fresh(path))


def test_stale_check_catches_a_changed_output():
    path = NOTEBOOKS[0]
    committed = nbformat.read(path, as_version=4)
    cell = next(c for c in committed.cells if c.cell_type == "code" and c.outputs)
    data = cell.outputs[0].get("data")
    if data and "text/html" in data:
        data["text/html"] = data["text/html"].replace("1", "2", 1)
    else:
        cell.outputs[0]["text"] = "something else\n"
    assert stale_cells(committed, fresh(path))


def test_committed_files_end_with_a_newline_and_are_json():
    for path in NOTEBOOKS:
        text = path.read_text(encoding="utf-8")
        assert text.endswith("\n")
        json.loads(text)
