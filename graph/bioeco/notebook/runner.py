"""Run the project's notebooks and check that their committed outputs are what a fresh run gives.

The notebooks in ``notebooks/`` are committed with their outputs so they read on any git
host. ``python -m bioeco.notebook.runner`` (``make notebooks``) runs each one top to bottom on a
fresh kernel and writes it back with its new outputs and nothing that changes from run to run
(no execution times, no Python version); ``python -m bioeco.notebook.runner --check`` runs them
and fails, naming the cells, when a committed output differs from the fresh one. Needs
``nbclient``, ``nbformat`` and ``ipykernel`` (the ``test`` and ``lab`` extras).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bioeco.core.paths import PROJECT_ROOT

__all__ = [
    "NOTEBOOKS_DIR",
    "execute",
    "main",
    "normalise",
    "notebook_paths",
    "output_text",
    "stale_cells",
    "write",
]

NOTEBOOKS_DIR = PROJECT_ROOT / "notebooks"

#: Notebook metadata kept when writing (the rest, e.g. the Python version, varies by machine).
_KEEP_METADATA = ("kernelspec",)
#: Output keys that vary between runs of the same code and are not compared.
_VOLATILE_OUTPUT_KEYS = ("execution_count", "transient")


def notebook_paths(folder: Path | str | None = None) -> list[Path]:
    """The notebooks of *folder* (default ``notebooks/``), sorted by name.

    Examples
    --------
    >>> [p.name for p in notebook_paths()][:1]
    ['01-explore.ipynb']
    """
    return sorted(Path(folder or NOTEBOOKS_DIR).glob("*.ipynb"))


def normalise(nb: Any) -> Any:
    """Drop from *nb* (in place, also returned) what changes from run to run: execution
    times in cell metadata, the kernel's language details, transient display ids; code
    cells are numbered 1, 2, … in order (their outputs too).

    Examples
    --------
    >>> import nbformat
    >>> info = {"name": "python", "version": "3.11.7"}
    >>> nb = nbformat.v4.new_notebook(metadata={"language_info": info})
    >>> nb.cells = [nbformat.v4.new_code_cell("1", execution_count=7)]
    >>> nb.cells[0].metadata["execution"] = {"iopub.status.busy": "2026-01-01T00:00:00Z"}
    >>> nb = normalise(nb)
    >>> dict(nb.metadata), dict(nb.cells[0].metadata), nb.cells[0].execution_count
    ({}, {}, 1)
    """
    nb.metadata = {k: v for k, v in nb.metadata.items() if k in _KEEP_METADATA}
    count = 0
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        cell.metadata.pop("ExecuteTime", None)
        if cell.cell_type == "code":
            count += 1
            cell.execution_count = count
            for output in cell.outputs:
                if "execution_count" in output:
                    output["execution_count"] = cell.execution_count
                output.pop("transient", None)
    return nb


def execute(path: Path | str, *, timeout: int = 600) -> Any:
    """Run the notebook at *path* on a fresh ``python3`` kernel (working directory: its folder)
    and return it normalised (:func:`normalise`); nothing is written."""
    import nbformat
    from nbclient import NotebookClient

    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        record_timing=False,
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()
    return normalise(nb)


def _comparable(output: Any) -> dict[str, Any]:
    """*output* without what may differ between two runs of the same code: execution counts,
    transient ids, and the PNG of a figure that also has an SVG (the PNG is drawn from the
    same figure, but its pixels depend on the matplotlib build; the SVG is compared)."""
    out = {k: v for k, v in output.items() if k not in _VOLATILE_OUTPUT_KEYS}
    data = out.get("data")
    if data and "image/svg+xml" in data and "image/png" in data:
        out["data"] = {k: v for k, v in data.items() if k != "image/png"}
    return out


def output_text(output: Any) -> str:
    """What a reader sees of one output as text: the stream text, the error, or the richest
    text form of the data (HTML, else plain text; images are left out).

    Examples
    --------
    >>> import nbformat
    >>> output_text(nbformat.v4.new_output("stream", name="stdout", text="hi"))
    'hi'
    >>> output_text(nbformat.v4.new_output("display_data", data={"text/plain": "x",
    ...                                                          "text/html": "<b>x</b>"}))
    '<b>x</b>'
    """
    if output.get("output_type") == "stream":
        return str(output.get("text", ""))
    if output.get("output_type") == "error":
        return f"{output.get('ename')}: {output.get('evalue')}"
    data = output.get("data", {})
    for mime in ("text/html", "text/markdown", "text/plain"):
        if mime in data:
            value = data[mime]
            return "".join(value) if isinstance(value, list) else str(value)
    return ""


def stale_cells(committed: Any, fresh: Any) -> list[str]:
    """Why *committed* does not match *fresh*: one line per code cell whose source or outputs
    differ (execution counts and transient display ids are not compared); empty when it
    matches. A figure's PNG is not compared when it has an SVG (see :func:`_comparable`).

    Examples
    --------
    >>> import nbformat
    >>> def nb(text):
    ...     out = nbformat.v4.new_output("stream", name="stdout", text=text)
    ...     book = nbformat.v4.new_notebook()
    ...     book.cells = [nbformat.v4.new_code_cell("print(n)", outputs=[out])]
    ...     return book
    >>> stale_cells(nb("3\\n"), nb("3\\n"))
    []
    >>> stale_cells(nb("3\\n"), nb("4\\n"))
    ['cell 1 (print(n)): committed output differs from a fresh run: 3 / 4']
    """
    problems = []
    old = [c for c in committed.cells if c.cell_type == "code"]
    new = [c for c in fresh.cells if c.cell_type == "code"]
    if len(old) != len(new):
        return [f"{len(old)} code cells committed, {len(new)} in the fresh run"]
    for n, (a, b) in enumerate(zip(old, new, strict=True), 1):
        head = " ".join(a.source.split())[:40]
        if a.source != b.source:
            problems.append(f"cell {n} ({head}): source differs")
            continue
        outs_a = [_comparable(o) for o in a.get("outputs", [])]
        outs_b = [_comparable(o) for o in b.get("outputs", [])]
        if outs_a != outs_b:
            text_a = " ".join(output_text(o) for o in a.get("outputs", [])).strip()
            text_b = " ".join(output_text(o) for o in b.get("outputs", [])).strip()
            first = next(
                (i for i, (x, y) in enumerate(zip(text_a, text_b, strict=False)) if x != y),
                min(len(text_a), len(text_b)),
            )
            start = max(0, first - 20)
            problems.append(
                f"cell {n} ({head}): committed output differs from a fresh run: "
                f"{text_a[start : start + 60]} / {text_b[start : start + 60]}"
            )
    return problems


def write(nb: Any, path: Path | str) -> Path:
    """Write *nb* to *path* atomically (temporary file, then rename), as nbformat 4 JSON with
    a final newline."""
    import nbformat

    from bioeco.core.atomic import atomic_write

    nbformat.validate(nb)
    text = nbformat.writes(nb, version=4)
    return atomic_write(Path(path), text if text.endswith("\n") else text + "\n")


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m bioeco.notebook.runner [--check] [NOTEBOOK ...]``: run the notebooks (default:
    all of ``notebooks/``) and write them with their outputs, or with ``--check`` report the
    ones whose committed outputs are stale (exit code 1)."""
    parser = argparse.ArgumentParser(
        prog="python -m bioeco.notebook.runner", description=main.__doc__
    )
    parser.add_argument("--check", action="store_true", help="compare, do not write")
    parser.add_argument("notebooks", nargs="*", type=Path)
    args = parser.parse_args(argv)
    import nbformat

    paths = args.notebooks or notebook_paths()
    stale = 0
    for path in paths:
        fresh = execute(path)
        errors = [
            output_text(o)
            for cell in fresh.cells
            if cell.cell_type == "code"
            for o in cell.outputs
            if o.output_type == "error"
        ]
        if errors:
            print(f"{path}: {errors[0]}", file=sys.stderr)
            return 1
        if args.check:
            problems = stale_cells(nbformat.read(path, as_version=4), fresh)
            for line in problems:
                print(f"{path}: {line}", file=sys.stderr)
            stale += bool(problems)
            if not problems:
                print(f"{path}: up to date")
        else:
            write(fresh, path)
            print(f"{path}: written")
    if stale:
        print(f"{stale} notebook(s) stale: run make notebooks", file=sys.stderr)
    return 1 if stale else 0


if __name__ == "__main__":
    raise SystemExit(main())
