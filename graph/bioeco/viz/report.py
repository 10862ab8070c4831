"""The findings report: one self-contained, escaped HTML page of the graph and its analyses.

:func:`collect` runs the analyses once (:func:`bioeco.analyses.run.run_analyses`) and gathers
what the page shows next to their tables: counts per source, type and sector, readable concept
names and the source documents (with locators) behind each membership. :func:`render` turns
that into HTML: every label goes through :func:`html.escape`, the plots are inline SVG
(:mod:`bioeco.viz.plots`), there is no script and a Content-Security-Policy forbids loading
anything, so the page works offline and a hostile name shows as text. :func:`write_report`
writes it atomically; :func:`report` is the whole job for the command line.

:func:`collect` and :class:`ReportData` live in :mod:`bioeco.viz.report_data`, the sections
of the page in :mod:`bioeco.viz.report_sections`; their names import from here as well.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from bioeco.core.atomic import atomic_write, check_target
from bioeco.core.paths import OUT_DIR
from bioeco.viz.report_data import ReportData, collect, source_table
from bioeco.viz.report_sections import (
    about_section,
    actions_section,
    bridges_section,
    change_section,
    counts_section,
    coverage_section,
    esc,
    findings_section,
    overlap_section,
    pairs_section,
    structural_section,
    survey_section,
)

__all__ = [
    "ReportData",
    "collect",
    "render",
    "report",
    "source_table",
    "write_report",
]


_CSS = """
:root { --ink: #1a202c; --muted: #5a6372; --line: #e2e8f0; --accent: #2b6cb0; }
* { box-sizing: border-box; }
body { font: 15px/1.5 "DejaVu Sans", system-ui, sans-serif; color: var(--ink); margin: 0;
       background: #f7f9fc; }
header, main { max-width: 1180px; margin: 0 auto; padding: 0 24px; }
header { padding-top: 28px; padding-bottom: 8px; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 20px; margin: 0 0 12px; border-bottom: 2px solid var(--line);
     padding-bottom: 6px; }
h3 { font-size: 16px; margin: 18px 0 8px; }
section { background: white; border: 1px solid var(--line); border-radius: 8px;
          padding: 18px 22px; margin: 18px 0; }
.meta { color: var(--muted); margin: 0; }
.cards { display: flex; gap: 12px; flex-wrap: wrap; margin: 16px 0 0; padding: 0;
         list-style: none; }
.cards li { background: white; border: 1px solid var(--line); border-radius: 8px;
            padding: 10px 16px; min-width: 130px; }
.cards b { display: block; font-size: 24px; }
nav a, a { color: var(--accent); }
nav { margin-top: 12px; }
nav a { margin-right: 14px; }
table { border-collapse: collapse; width: 100%; font-size: 13.5px; margin-bottom: 8px; }
th, td { text-align: left; vertical-align: top; padding: 6px 8px;
         border-bottom: 1px solid var(--line); overflow-wrap: break-word; }
th { background: #edf2f7; font-weight: 600; white-space: nowrap; }
.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
.rank { width: 3em; }
.name { min-width: 14em; }
td.text { min-width: 24em; }
td.srcs { min-width: 13em; font-size: 12.5px; }
table.params { width: auto; }
.cols { display: grid; grid-template-columns: repeat(3, 1fr); gap: 24px; align-items: start; }
figure { margin: 0 0 12px; }
figure svg { max-width: 100%; height: auto; display: block; }
figcaption, .note { color: var(--muted); font-size: 13px; }
.none { color: var(--muted); font-style: italic; }
.src { font-family: "DejaVu Sans Mono", monospace; font-size: 12.5px; }
.loc { color: var(--muted); font-size: 12px; }
code { font-family: "DejaVu Sans Mono", monospace; font-size: 13px; }
footer { color: var(--muted); font-size: 12.5px; text-align: center; padding: 8px 0 28px; }
@media (max-width: 800px) { .cols { grid-template-columns: 1fr; } }
.findings ol { padding-left: 1.4em; margin: 0; }
.findings li { margin: 0 0 10px; }
.findings li p { margin: 0; }
.findings .evidence, .complete { color: var(--muted); font-size: 13px; }
.complete { background: #fffbea; border-left: 3px solid #d69e2e; padding: 6px 10px; }
@media print {
  body { background: white; font-size: 11pt; }
  header, main { max-width: none; padding: 0; }
  nav, .cards { display: none; }
  section { border: none; padding: 0; margin: 0 0 14pt; break-inside: auto; }
  h2 { break-after: avoid; }
  tr, figure, .findings li { break-inside: avoid; }
  #appendix { break-before: page; }
  a { color: inherit; text-decoration: none; }
}
"""

_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


def render(data: ReportData, *, viewer_href: str | None = "viewer.html") -> str:
    """The report as one HTML document (no script, no external resource, every label escaped).

    *viewer_href* is the relative link to the interactive viewer (``None``: no link).

    Examples
    --------
    >>> from bioeco.analyses._fixture import example_graph
    >>> page = render(collect(example_graph(), top=3))
    >>> page.startswith("<!DOCTYPE html>"), "<script" in page, 'href="viewer.html"' in page
    (True, False, True)
    """
    n_actors = int(data.types.loc[data.types["kind"] == "actor", "count"].sum())
    n_inits = int(data.types.loc[data.types["kind"] == "initiative", "count"].sum())
    cards = [
        (n_actors, "actors"),
        (n_inits, "initiatives"),
        (data.memberships, "memberships"),
        (len(data.sources), "source documents"),
    ]
    viewer = f'<a href="{esc(viewer_href)}">Open the interactive viewer</a>' if viewer_href else ""
    change = change_section(data)
    links = [
        ("findings", "Key findings"),
        ("coverage", "Coverage"),
        ("structural", "Sector pairs"),
        ("overlap", "Overlap"),
        ("bridges", "Bridges"),
        ("pairs", "Suggested pairs"),
        *([("change", "Change")] if change else []),
        *(
            [("actions", "Actions")]
            if "whatif_steps" in data.tables or "whatif_suggestions" in data.tables
            else []
        ),
        ("appendix", "Appendix"),
        ("about", "Method"),
    ]
    nav = " ".join(f'<a href="#{anchor}">{text}</a>' for anchor, text in links)
    as_of = data.params.get("as_of")
    scope = f" as of {esc(as_of)}" if as_of is not None else ""
    body = "".join(
        [
            findings_section(data),
            coverage_section(data),
            structural_section(data),
            overlap_section(data),
            bridges_section(data),
            pairs_section(data),
            change,
            actions_section(data),
            '<div id="appendix">',
            about_section(data),
            overlap_section(data, "appendix"),
            bridges_section(data, "appendix"),
            pairs_section(data, "appendix"),
            counts_section(data),
            survey_section(data),
            about_section(data, "appendix"),
            "</div>",
        ]
    )
    card_html = "".join(f"<li><b>{esc(n)}</b>{esc(label)}</li>" for n, label in cards)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>bioeco: ecosystem report</title>"
        f"<style>{_CSS}</style></head><body>"
        "<header><h1>Bioeconomy ecosystem report</h1>"
        f'<p class="meta">Analysis run {esc(data.started.isoformat())}{scope}. {viewer}</p>'
        f'<ul class="cards">{card_html}</ul><nav>{nav}</nav></header>'
        f"<main>{body}</main>"
        "<footer>Made by bioeco from the source documents listed above; every fact in the "
        "graph carries its source and locator.</footer>"
        "</body></html>\n"
    )


def _file_digest(path: Path) -> str:
    from bioeco.core.safeio import read_bounded
    from bioeco.store.disk import digest

    try:
        return digest(read_bounded(path, max_bytes=1 << 34))
    except OSError:
        return "unreadable"


def input_names(
    data_dir: str | os.PathLike | None, graph_file: str | os.PathLike | list | tuple | None
) -> list[str]:
    """What the report was made from, named without machine paths: each graph file by its
    name and SHA-256, a data folder by its name and the SHA-256 of its tables' digests.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "bioeco.trig"
    >>> _ = f.write_text("")
    >>> input_names(None, f)
    ['bioeco.trig (SHA-256 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855)']
    """
    from bioeco.store.disk import digest
    from bioeco.store.freshness import table_digests

    if graph_file is not None:
        files = graph_file if isinstance(graph_file, list | tuple) else [graph_file]
        return [f"{Path(f).name} (SHA-256 {_file_digest(Path(f))})" for f in files]
    if data_dir is None and (OUT_DIR / "bioeco.trig").is_file():
        return [f"bioeco.trig (SHA-256 {_file_digest(OUT_DIR / 'bioeco.trig')})"]
    folder = Path(data_dir) if data_dir is not None else None
    from bioeco.core.paths import DATA_DIR

    folder = folder or DATA_DIR
    tables = table_digests(folder)
    joined = "".join(f"{name}:{value}\n" for name, value in sorted(tables.items()))
    return [f"{folder.name}/ tables ({len(tables)} files, SHA-256 {digest(joined.encode())})"]


def write_report(path: str | os.PathLike, page: str) -> Path:
    """Write *page* to *path* atomically (temporary file, then rename); return the path."""
    return atomic_write(Path(path), page)


def report(
    out: str | os.PathLike | None = None,
    *,
    data_dir: str | os.PathLike | None = None,
    graph_file: str | os.PathLike | list | tuple | None = None,
    viewer_href: str | None = "viewer.html",
    pdf: bool = False,
    **options: Any,
) -> Path:
    """Open the graph (:func:`bioeco.pipeline.open_graph`), collect, render and write the page.

    With *pdf* the page is also printed to a PDF beside it (same name, ``.pdf``:
    :func:`bioeco.viz.pdf.print_pdf`, headless Chromium); its folder and file are checked
    before any work too.

    *out* defaults to ``out/report.html`` (``out/`` is created when missing; the folder of an
    *out* given must exist, and only a regular file there is replaced:
    :func:`bioeco.core.atomic.check_target`, checked before any work); *options* go to
    :func:`collect` (``top``, ``as_of``, ``sector``, ``region``, ``basis``, ``seed`` and
    analysis thresholds). Nothing is written when opening or analysing fails.
    """
    from bioeco.pipeline import open_graph

    target = Path(out) if out is not None else OUT_DIR / "report.html"
    check_target(target, make_folder=out is None)
    if pdf:
        from bioeco.viz.pdf import browser_for

        browser_for(check_target(target.with_suffix(".pdf"), make_folder=out is None))
    # the whole graph is read: faster parsed into memory than from the on-disk store
    graph = open_graph(data_dir, graph_file, with_analysis=False, store=False)
    inputs = input_names(data_dir, graph_file)
    data = collect(graph, inputs=inputs, **options)
    page = atomic_write(target, render(data, viewer_href=viewer_href), make_folder=out is None)
    if pdf:
        from bioeco.viz.pdf import print_pdf

        print_pdf(page, page.with_suffix(".pdf"))
    return page
