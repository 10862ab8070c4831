"""Viewer benchmark: page generation in Python, then drawing and a click in headless Chromium.

Run ``make bench-viewer`` (= ``python -m bench.viewer``). For each scale the synthetic data of
:mod:`bench.generate` is built into a graph (not timed), then three things are timed:

- ``page``: :func:`bioeco.viz.viewer.viewer_html` (network, layout, tooltips, HTML) with
  ``size_by="degree"``, so the analyses' own cost (measured by ``bench.run``) is left out;
- ``draw``: opening the file in Debian's headless Chromium until the viewer says it is drawn;
- ``click``: a click on the node with most links until its neighbours are highlighted.

Times are wall-clock seconds and ratios to the smallest scale of the same run; the issue's
target (a 5000-node graph draws and answers a click within 3 s) is reported, never asserted.
Results go to ``bench/VIEWER.md``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bench.generate import generate
from bioeco.build import build_dataset
from bioeco.viz.browser import CHROMIUM
from bioeco.viz.browser import CHROMIUM_ARGS as ARGS
from bioeco.viz.viewer import viewer_html

RESULTS = Path(__file__).resolve().parent / "VIEWER.md"
TARGET_NODES = 5000
TARGET_SECONDS = 3.0


@dataclass(frozen=True)
class ViewerRun:
    """One scale: graph size and the three timings (seconds)."""

    scale: int
    nodes: int
    edges: int
    page_mb: float
    page: float
    draw: float
    click: float


def format_viewer_report(runs: Sequence[ViewerRun], machine: str = "") -> str:
    """Markdown table of *runs* with ratios to the first run and the 3-second target.

    Examples
    --------
    >>> runs = [ViewerRun(1, 100, 300, 0.5, 0.2, 0.5, 0.1),
    ...         ViewerRun(4, 5000, 15000, 9.0, 4.0, 1.5, 0.4)]
    >>> print(format_viewer_report(runs).splitlines()[4])
    | 1 | 100 | 300 | 0.5 | 0.20 (1.0×) | 0.50 (1.0×) | 0.10 (1.0×) | 0.60 |
    >>> "draw + click at 5000 nodes: 1.90 s (target 3 s: met)" in format_viewer_report(runs)
    True
    """
    base = runs[0]
    lines = [
        "# Viewer benchmark",
        "",
        "| scale | nodes | edges | page MB | page s | draw s | click s | draw + click s |",
        "|---|---|---|---|---|---|---|---|",
    ]

    def cell(value: float, ref: float) -> str:
        return f"{value:.2f} ({value / ref:.1f}×)" if ref > 0 else f"{value:.2f}"

    for run in runs:
        lines.append(
            f"| {run.scale} | {run.nodes} | {run.edges} | {run.page_mb:.1f} | "
            f"{cell(run.page, base.page)} | {cell(run.draw, base.draw)} | "
            f"{cell(run.click, base.click)} | {run.draw + run.click:.2f} |"
        )
    lines.append("")
    big = [r for r in runs if r.nodes >= TARGET_NODES]
    if big:
        run = big[0]
        total = run.draw + run.click
        verdict = "met" if total <= TARGET_SECONDS else "NOT met"
        lines.append(
            f"draw + click at {run.nodes} nodes: {total:.2f} s "
            f"(target {TARGET_SECONDS:g} s: {verdict})"
        )
    else:
        lines.append(f"no run reached {TARGET_NODES} nodes")
    lines += [
        "",
        "page: `viewer_html(ds, size_by='degree')` in Python; draw: Chromium from navigation to",
        "the drawn page; click: from the click on the best-linked node to its neighbours",
        "highlighted. Wall-clock seconds; ratios to the first row of the same run.",
    ]
    if machine:
        lines += ["", machine]
    return "\n".join(lines) + "\n"


def measure(scales: Sequence[int], seed: int = 0) -> list[ViewerRun]:
    """Build, render and open the viewer at each scale (one browser for the whole run)."""
    from playwright.sync_api import sync_playwright

    runs = []
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            for scale in scales:
                data = Path(tmp) / f"data-{scale}"
                generate(data, scale, seed)
                dataset = build_dataset(data)
                start = time.perf_counter()
                page_html = viewer_html(dataset, size_by="degree")
                page_seconds = time.perf_counter() - start
                path = Path(tmp) / f"viewer-{scale}.html"
                path.write_text(page_html, encoding="utf-8")
                context = browser.new_context(viewport={"width": 1400, "height": 900})
                context.route(
                    "**/*",
                    lambda route: (
                        route.continue_()
                        if route.request.url.startswith(("file://", "data:"))
                        else route.abort()
                    ),
                )
                page = context.new_page()
                start = time.perf_counter()
                page.goto(path.as_uri(), wait_until="load")
                page.wait_for_selector("body[data-ready=true]", state="attached", timeout=600_000)
                draw = time.perf_counter() - start
                nodes, edges, hub = page.evaluate(
                    """() => {
                        const v = bioecoViewer, ids = v.nodes.getIds();
                        let hub = ids[0];
                        for (const id of ids)
                            if (v.neighbours(id).length > v.neighbours(hub).length) hub = id;
                        return [v.network.body.nodeIndices.length, v.edges.length, hub];
                    }"""
                )
                x, y = page.evaluate(
                    """(id) => {
                        const net = bioecoViewer.network;
                        net.focus(id, {scale: 1.0});
                        const p = net.canvasToDOM(net.getPositions([id])[id]);
                        const box = document.getElementById("network").getBoundingClientRect();
                        return [box.left + p.x, box.top + p.y];
                    }""",
                    hub,
                )
                start = time.perf_counter()
                page.mouse.click(x, y)
                page.wait_for_function(
                    "(id) => bioecoViewer.highlighted() === id", arg=hub, timeout=600_000
                )
                click = time.perf_counter() - start
                context.close()
                runs.append(
                    ViewerRun(
                        scale,
                        nodes,
                        edges,
                        len(page_html.encode("utf-8")) / 1e6,
                        page_seconds,
                        draw,
                        click,
                    )
                )
                print(f"scale {scale}: {runs[-1]}", file=sys.stderr, flush=True)
        finally:
            browser.close()
    return runs


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="5,10,21,42", help="generator scales (42 ≈ 5000 nodes)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    scales = [int(s) for s in args.scales.split(",") if s.strip()]
    runs = measure(scales, args.seed)
    import os
    import platform

    machine = f"{platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
    args.out.write_text(format_viewer_report(runs, machine), encoding="utf-8")
    print(f"Wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
