"""Jupyter support: the ``%%sparql`` and ``%sparql`` magics, loaded with ``%load_ext bioeco``.

In a notebook::

    %load_ext bioeco
    eco = bioeco.Ecosystem.build()

    %%sparql eco
    SELECT ?label WHERE { ?x a bioeco:Cluster ; skos:prefLabel ?label }

The cell's answer is a pandas DataFrame (shown as the cell's output and kept in ``_``); the
project's prefixes are predeclared and the query goes through :func:`bioeco.select`, so
``SERVICE``, ``LOAD`` and foreign ``FROM`` graphs are refused as everywhere else. Options on
the first line:

``NAME`` or ``-d NAME``
    the variable holding the graph: an :class:`~bioeco.Ecosystem`, an rdflib ``Dataset`` or
    ``Graph``;
``--graph FILE`` (repeatable) / ``--data DIR``
    a graph file (``.trig``, ``.ttl``, ``.nq``, ``.nt``) or a data folder instead;
``-o NAME`` / ``--out NAME``
    also store the DataFrame in the variable *NAME*;
``--iris``
    keep full IRIs; by default IRIs are shortened with the project's prefixes
    (``initiative:biotech-north``), as the command line's table view shows them;

Without a graph the magic uses the one the command line uses (:func:`bioeco.open_graph`:
``out/bioeco.trig`` if it exists, else ``data/``), loaded once and loaded again when its
files change. The line form ``%sparql [options] QUERY`` takes the same options (the graph
only as ``-d NAME``) and answers a one-line query, e.g. ``df = %sparql -d eco SELECT ...``.
Errors (a SPARQL syntax error, a refused ``SERVICE``, an unknown variable) are shown as one
line, without a traceback.

The extension also shows matplotlib figures (such as those of :mod:`bioeco.viz.plots`)
without pyplot: as deterministic SVG (same figure, same bytes; ids salted per figure so
several figures on one page do not clash), as PNG for viewers that do not show SVG from
an untrusted notebook (JupyterLab shows a committed notebook's SVG only once it is
trusted), and with the figure's title as its plain-text form.
"""

from __future__ import annotations

import argparse
import hashlib
import shlex
from pathlib import Path
from typing import Any

import pandas as pd
from IPython.core.error import UsageError as IPythonUsageError
from IPython.core.magic import Magics, line_cell_magic, magics_class, no_var_expand
from rdflib import Graph

from bioeco.errors import BioecoError

__all__ = [
    "VIEWER_TEXT",
    "SparqlMagics",
    "figure_png",
    "figure_svg",
    "figure_title",
    "load_ipython_extension",
    "parse_options",
]


#: Plain-text form of an inline network viewer (where HTML and scripts are not shown).
VIEWER_TEXT = "Interactive network viewer: run the cell in JupyterLab or VS Code to see it."


class _Parser(argparse.ArgumentParser):
    """argparse that raises instead of exiting (a magic must not end the kernel)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise IPythonUsageError(f"%%sparql: {message}")


def _parser(cell: bool) -> argparse.ArgumentParser:
    parser = _Parser(prog="%%sparql" if cell else "%sparql", add_help=False)
    parser.add_argument("-d", "--dataset", metavar="NAME")
    parser.add_argument("--graph", action="append", metavar="FILE")
    parser.add_argument("--data", metavar="DIR")
    parser.add_argument("-o", "--out", metavar="NAME")
    parser.add_argument("--iris", action="store_true")
    if cell:
        parser.add_argument("name", nargs="?")
    else:
        parser.add_argument("query", nargs=argparse.REMAINDER)
    return parser


def parse_options(line: str, *, cell: bool = True) -> argparse.Namespace:
    """Parse the options of the magic's first line (see the module docstring).

    Examples
    --------
    >>> opts = parse_options("eco -o members")
    >>> opts.dataset, opts.out, opts.graph, opts.iris
    ('eco', 'members', None, False)
    >>> parse_options("--graph out/bioeco.trig --graph out/analysis.trig").graph
    ['out/bioeco.trig', 'out/analysis.trig']
    >>> parse_options("-d eco SELECT * { ?s ?p ?o }", cell=False).query
    'SELECT * { ?s ?p ?o }'
    >>> parse_options("eco --data data/")
    Traceback (most recent call last):
    ...
    IPython.core.error.UsageError: %%sparql: give one graph: a variable, --graph or --data
    """
    if cell:
        try:
            words = shlex.split(line)
        except ValueError as exc:
            raise IPythonUsageError(f"%%sparql: {exc}") from None
        opts = _parser(cell=True).parse_args(words)
        if opts.name and opts.dataset:
            raise IPythonUsageError("%%sparql: give the variable once (NAME or -d NAME)")
        opts.dataset = opts.dataset or opts.name
        opts.query = None
    else:
        # options first, then the query as written (no shell quoting applied to it)
        head, _, rest = line.strip().partition(" ")
        words: list[str] = []
        while head.startswith("-"):
            words.append(head)
            if head in ("-d", "--dataset", "--graph", "--data", "-o", "--out"):
                value, _, rest = rest.strip().partition(" ")
                words.append(value)
            head, _, rest = rest.strip().partition(" ")
        opts = _parser(cell=False).parse_args(words)
        opts.query = " ".join(part for part in (head, rest.strip()) if part)
    given = [bool(opts.dataset), bool(opts.graph), bool(opts.data)]
    if sum(given) > 1:
        raise IPythonUsageError("%%sparql: give one graph: a variable, --graph or --data")
    if opts.out is not None and not opts.out.isidentifier():
        raise IPythonUsageError(f"%%sparql: --out needs a variable name, not {opts.out!r}")
    return opts


def _signature(paths: list[Path]) -> tuple:
    """What decides whether a cached graph is still current: each file's name, size and time."""
    out = []
    for path in paths:
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for f in files:
            try:
                st = f.stat()
            except OSError:
                continue
            out.append((str(f), st.st_size, st.st_mtime_ns))
    return tuple(out)


@magics_class
class SparqlMagics(Magics):
    """The ``%%sparql`` cell magic and ``%sparql`` line magic (see
    :mod:`bioeco.notebook.jupyter`)."""

    def __init__(self, shell: Any) -> None:
        super().__init__(shell)
        self._cache: dict[tuple, tuple[tuple, Graph]] = {}

    def _cached(self, key: tuple, paths: list[Path], load: Any) -> Graph:
        signature = _signature(paths)
        hit = self._cache.get(key)
        if hit is not None and hit[0] == signature:
            return hit[1]
        graph = load()
        self._cache[key] = (signature, graph)
        return graph

    def _graph(self, opts: argparse.Namespace) -> Graph:
        from bioeco.core import paths
        from bioeco.pipeline import open_graph

        if opts.dataset:
            if opts.dataset not in self.shell.user_ns:
                raise IPythonUsageError(f"%%sparql: no variable named {opts.dataset!r}")
            value = self.shell.user_ns[opts.dataset]
            graph = getattr(value, "dataset", value)
            if not isinstance(graph, Graph):
                raise IPythonUsageError(
                    f"%%sparql: {opts.dataset!r} is not a graph (an Ecosystem, an rdflib "
                    f"Dataset or Graph), it is a {type(value).__name__}"
                )
            return graph
        if opts.graph:
            paths = [Path(p) for p in opts.graph]
            return self._cached(("graph", *paths), paths, lambda: open_graph(graph_file=paths))
        if opts.data:
            path = Path(opts.data)
            return self._cached(("data", path), [path], lambda: open_graph(data_dir=path))
        out = paths.OUT_DIR
        watched = [out / "bioeco.trig", out / "analysis.trig", paths.DATA_DIR]
        return self._cached(("default", out), watched, lambda: open_graph(out_dir=out))

    def _run(self, opts: argparse.Namespace, query: str) -> pd.DataFrame:
        from bioeco.core.formats import compact_iris
        from bioeco.store.query import DEFAULT_TIMEOUT, select

        if not query.strip():
            raise IPythonUsageError("%%sparql: the query is empty")
        try:
            frame = select(self._graph(opts), query, timeout=DEFAULT_TIMEOUT)
        except BioecoError as exc:
            raise IPythonUsageError(str(exc)) from None
        if not opts.iris:
            frame = compact_iris(frame)
        if opts.out:
            self.shell.user_ns[opts.out] = frame
        return frame

    @no_var_expand  # SPARQL's {, } and $var must reach the query unchanged
    @line_cell_magic
    def sparql(self, line: str, cell: str | None = None) -> pd.DataFrame:
        """Run SPARQL on a bioeco graph and answer with a DataFrame.

        ``%%sparql [NAME] [-d NAME | --graph FILE ... | --data DIR] [-o OUT]``
        followed by the query in the cell; or ``%sparql [options] QUERY`` on one line.
        See :mod:`bioeco.notebook.jupyter`.
        """
        if cell is None:
            opts = parse_options(line, cell=False)
            return self._run(opts, opts.query)
        return self._run(parse_options(line, cell=True), cell)


def figure_svg(fig: Any) -> str:
    r"""A matplotlib figure as SVG for a notebook: :func:`bioeco.viz.plots.svg` with a hash salt
    taken from the figure's own drawing, so the same figure gives the same bytes and two
    different figures on one page never share the id of a clip path or marker they refer to.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> a, b = Figure(figsize=(2, 1)), Figure(figsize=(2, 1))
    >>> _ = a.add_subplot().plot([1, 2]), b.add_subplot().plot([2, 1])
    >>> figure_svg(a) == figure_svg(a), figure_svg(a)[:4]
    (True, '<svg')
    >>> import re
    >>> refs = lambda text: set(re.findall(r"(?:url\(|href=.)#([\w.-]+)", text))
    >>> bool(refs(figure_svg(a))), refs(figure_svg(a)) & refs(figure_svg(b))
    (True, set())
    """
    from bioeco.viz.plots import svg

    salt = hashlib.sha256(svg(fig).encode("utf-8")).hexdigest()[:16]
    return svg(fig, salt=salt)


def figure_png(fig: Any) -> bytes:
    """A matplotlib figure as PNG for a notebook (:func:`bioeco.viz.plots.png`, 100 dpi, no
    metadata).

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> figure_png(Figure(figsize=(1, 1)))[:4]
    b'\\x89PNG'
    """
    from bioeco.viz.plots import png

    return png(fig)


def figure_title(fig: Any) -> str:
    """The plain-text form of a figure in a notebook: ``Figure: <title>``.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> fig = Figure()
    >>> _ = fig.suptitle("Top bridge actors")
    >>> figure_title(fig)
    'Figure: Top bridge actors'
    """
    title = fig.get_suptitle() if hasattr(fig, "get_suptitle") else ""
    if not title:
        titles = [ax.get_title(loc=loc) for ax in fig.axes for loc in ("left", "center")]
        title = next((t for t in titles if t), "")
    return f"Figure: {title}" if title else "Figure"


def load_ipython_extension(ipython: Any) -> None:
    """Register the magics and the figure display with *ipython* (``%load_ext bioeco`` or
    ``%load_ext bioeco.notebook.jupyter``).

    Examples
    --------
    >>> from IPython.core.formatters import DisplayFormatter
    >>> class Shell:  # what IPython passes: register_magics and a display formatter
    ...     display_formatter = DisplayFormatter()
    ...     def register_magics(self, magics):
    ...         print("registered", magics.__name__)
    >>> load_ipython_extension(Shell())
    registered SparqlMagics
    """
    ipython.register_magics(SparqlMagics)
    formatters = ipython.display_formatter.formatters
    formatters["image/svg+xml"].for_type_by_name("matplotlib.figure", "Figure", figure_svg)
    formatters["image/png"].for_type_by_name("matplotlib.figure", "Figure", figure_png)
    formatters["text/plain"].for_type_by_name(
        "matplotlib.figure", "Figure", lambda fig, p, cycle: p.text(figure_title(fig))
    )
    # the viewer's page is shown as HTML; its plain form must not be the whole page's repr
    formatters["text/plain"].for_type_by_name(
        "bioeco.viz.viewer_page", "ViewerPage", lambda page, p, cycle: p.text(VIEWER_TEXT)
    )
