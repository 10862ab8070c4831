"""The viewer as a page: one offline HTML file, written atomically, shown inline in notebooks."""

from __future__ import annotations

import html
import json
import os
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from rdflib import Dataset, Graph

from bioeco.core.atomic import atomic_write, check_target
from bioeco.viz.viewer_model import viewer_data


@cache
def asset(package: str, name: str) -> str:
    return resources.files(package).joinpath(name).read_text(encoding="utf-8")


def vis_assets() -> tuple[str, str]:
    """The vis-network script and style sheet bundled with pyvis (inlined, never fetched)."""
    js = asset("pyvis", "templates/lib/vis-9.1.2/vis-network.min.js")
    css = asset("pyvis", "templates/lib/vis-9.1.2/vis-network.css")
    return script_safe(js), css.replace("</", "<\\/")


def script_safe(text: str) -> str:
    """Text that cannot close the ``<script>`` element it is inlined in."""
    return text.replace("</script", "<\\/script").replace("<!--", "<\\!--")


def json_for_script(data: Any) -> str:
    """Deterministic JSON safe inside ``<script>``: ``<``, ``>``, ``&`` and U+2028/9 escaped.

    Examples
    --------
    >>> json_for_script({"b": "</script><script>alert(1)</script>", "a": 1})
    '{"a":1,"b":"\\\\u003c/script\\\\u003e\\\\u003cscript\\\\u003ealert(1)\\\\u003c/script\\\\u003e"}'
    """
    text = json.dumps(
        data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False
    )
    for char, escape in (
        ("&", "\\u0026"),
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(char, escape)
    return text


def viewer_html(graph: Graph | Dataset, **options: Any) -> str:
    """The viewer as one self-contained HTML page (vis-network and the data inlined).

    The page makes no request: vis-network (bundled with pyvis) and all scripts and styles are
    inline, and a Content-Security-Policy forbids loading anything else. Names and tooltips are
    plain text (JSON escaped for ``<script>``, shown through ``textContent`` and vis-network's
    text tooltips), so a name like ``<img src=x onerror=alert(1)>`` shows as written. The same
    graph and options give the same bytes. Options: see :func:`viewer_data`.

    Examples
    --------
    >>> from bioeco.analyses._fixture import example_graph
    >>> page = viewer_html(example_graph(), view="actors")
    >>> page.startswith("<!DOCTYPE html>"), "https://" in page.split("<script>")[0]
    (True, False)
    >>> page == viewer_html(example_graph(), view="actors")
    True
    """
    data = viewer_data(graph, **options)
    vis_js, vis_css = vis_assets()
    parts = {
        "@TITLE@": html.escape(data["title"]),
        "@VIS_CSS@": vis_css,
        "@CSS@": asset("bioeco.viz", "viewer.css"),
        "@DATA@": json_for_script(data),
        "@VIS_JS@": vis_js,
        "@JS@": script_safe(asset("bioeco.viz", "viewer.js")),
    }
    out, rest = [], asset("bioeco.viz", "viewer.html")
    for marker, value in parts.items():
        head, rest = rest.split(marker, 1)
        out += [head, value]
    out.append(rest)
    return "".join(out)


def write_viewer(
    graph: Graph | Dataset, path: str | os.PathLike | None = None, **options: Any
) -> Path:
    """Write :func:`viewer_html` to *path* atomically (temporary file + rename); return it.

    *path* defaults to ``out/viewer.html`` (``out/`` is created when missing); the folder of
    a *path* given must exist and only a regular file there is replaced
    (:func:`bioeco.core.atomic.check_target`, checked before the page is made).

    Examples
    --------
    >>> import tempfile
    >>> from bioeco.analyses._fixture import example_graph
    >>> target = Path(tempfile.mkdtemp()) / "viewer.html"
    >>> write_viewer(example_graph(), target).stat().st_size > 100_000
    True
    """
    from bioeco.core.paths import OUT_DIR

    target = Path(path) if path is not None else OUT_DIR / "viewer.html"
    check_target(target, make_folder=path is None)
    page = viewer_html(graph, **options)
    return atomic_write(target, page, make_folder=path is None)


@dataclass(frozen=True)
class ViewerPage:
    """A viewer page that Jupyter (Lab, Notebook, VS Code) shows inline.

    ``html`` is the full page; in a notebook it is shown in a sandboxed ``<iframe srcdoc>`` (scripts
    run, nothing reaches the notebook's own page); :meth:`save` writes it to a file.
    """

    html: str
    height: int = 720

    def _repr_html_(self) -> str:
        doc = html.escape(self.html, quote=True)
        return (
            f'<iframe srcdoc="{doc}" sandbox="allow-scripts" '
            f'style="width:100%;height:{int(self.height)}px;border:1px solid #ddd"></iframe>'
        )

    def save(self, path: str | os.PathLike) -> Path:
        """Write the page to *path* atomically; return the path."""
        return atomic_write(Path(path), self.html)


def show_viewer(graph: Graph | Dataset, *, height: int = 720, **options: Any) -> ViewerPage:
    """The viewer for a notebook cell: ``bioeco.show_viewer(ds, view="actors")``.

    Examples
    --------
    >>> from bioeco.analyses._fixture import example_graph
    >>> page = show_viewer(example_graph(), height=500)
    >>> page._repr_html_().startswith('<iframe srcdoc="&lt;!DOCTYPE html&gt;')
    True
    """
    return ViewerPage(viewer_html(graph, **options), height=height)
