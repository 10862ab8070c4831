"""Screenshot a local HTML page in Debian's headless Chromium (for the README images).

Usage: ``python scripts/screenshot.py PAGE.html OUT.png [--width W] [--height H]
[--wait-for CSS] [--full-page] [--fragment STATE]`` (``--fragment``: the part after ``#`` of
the URL, e.g. a viewer state such as ``sel=actor/marealis``). Nothing is downloaded:
Playwright drives /usr/bin/chromium (``BIOECO_CHROMIUM`` overrides) and every request that
would leave file:// is aborted.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bioeco.viz.browser import CHROMIUM
from bioeco.viz.browser import CHROMIUM_ARGS as ARGS
from bioeco.viz.browser import LOCAL_SCHEMES as LOCAL


def screenshot(
    page_path: Path,
    png: Path,
    *,
    width: int = 1400,
    height: int = 860,
    wait_for: str | None = None,
    full_page: bool = False,
    fragment: str = "",
) -> list[str]:
    """Write *png* of *page_path*; return the page's console errors and refused requests."""
    from playwright.sync_api import sync_playwright

    problems: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            context = browser.new_context(viewport={"width": width, "height": height})
            context.route(
                "**/*",
                lambda route: (
                    route.continue_()
                    if route.request.url.startswith(LOCAL)
                    else (problems.append(f"request refused: {route.request.url}"), route.abort())
                ),
            )
            page = context.new_page()
            page.on(
                "console",
                lambda msg: (
                    problems.append(f"console: {msg.text}") if msg.type == "error" else None
                ),
            )
            url = page_path.resolve().as_uri() + (f"#{fragment}" if fragment else "")
            page.goto(url, wait_until="load")
            if wait_for:
                page.wait_for_selector(wait_for, state="attached", timeout=120_000)
            png.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(png), full_page=full_page)
        finally:
            browser.close()
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("page", type=Path)
    parser.add_argument("png", type=Path)
    parser.add_argument("--width", type=int, default=1400)
    parser.add_argument("--height", type=int, default=860)
    parser.add_argument("--wait-for", default=None, help="CSS selector to wait for")
    parser.add_argument("--full-page", action="store_true")
    parser.add_argument("--fragment", default="", help="URL fragment (the viewer's state)")
    args = parser.parse_args(argv)
    if not args.page.is_file():
        print(f"Error: {args.page}: no such file", file=sys.stderr)
        return 1
    problems = screenshot(
        args.page,
        args.png,
        width=args.width,
        height=args.height,
        wait_for=args.wait_for,
        full_page=args.full_page,
        fragment=args.fragment,
    )
    for problem in problems:
        print(f"Error: {args.page}: {problem}", file=sys.stderr)
    if problems:
        return 1
    print(f"Wrote {args.png}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
