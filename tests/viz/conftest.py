"""Real-browser fixtures: one headless Debian Chromium per test session, driven by Playwright.

Use ``open_page(path)`` to load a local HTML file; it returns a :class:`PageVisit` that records
console errors, page errors, dialogs (dismissed) and every request. Requests that would leave
``file://`` are recorded and aborted, so a page that tries to reach the network fails its test
instead of hanging. ``save_screenshot(page, name)`` writes ``out/screenshots/<name>.png`` as a
test artifact. Playwright never downloads a browser here: Chromium comes from Debian
(``make sysdeps`` installs it; ``BIOECO_CHROMIUM`` overrides the path).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from bioeco.ingest.build import build_dataset
from bioeco.viz.browser import CHROMIUM, CHROMIUM_ARGS, LOCAL_SCHEMES

SCREENSHOTS = Path(__file__).resolve().parents[2] / "out" / "screenshots"
TINY = Path(__file__).resolve().parents[1] / "fixtures" / "tiny"
#: Names that would run script if a page put them into HTML unescaped.
HOSTILE_IMG = "<img src=x onerror=alert(1)>"
HOSTILE_SCRIPT = "</script><script>alert(1)</script>"


@dataclass
class PageVisit:
    """A loaded page and what happened while it was open."""

    page: object
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    @property
    def outside_requests(self) -> list[str]:
        """Requests to anything but file://, data:, blob: or about: (must stay empty)."""
        return [url for url in self.requests if not url.startswith(LOCAL_SCHEMES)]

    def assert_clean(self) -> None:
        """No console error, no uncaught exception, no dialog and no request off the machine."""
        assert self.console_errors == [], self.console_errors
        assert self.page_errors == [], self.page_errors
        assert self.dialogs == [], self.dialogs
        assert self.outside_requests == [], self.outside_requests


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """One headless Chromium (Debian's, never a downloaded one) for the whole session."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} not found: run `make sysdeps` (installs Debian's chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield instance
        finally:
            instance.close()


@pytest.fixture
def open_page(browser) -> Iterator[Callable[..., PageVisit]]:
    """Factory: ``open_page(path, width=1280, height=800, fragment="")`` loads a local file
    (with a ``#…`` fragment) in a fresh context and returns a :class:`PageVisit`; every page is
    closed after the test."""
    contexts = []

    def _open(
        path: str | os.PathLike, width: int = 1280, height: int = 800, fragment: str = ""
    ) -> PageVisit:
        context = browser.new_context(viewport={"width": width, "height": height})
        contexts.append(context)
        page = context.new_page()
        visit = PageVisit(page)

        def _route(route):
            if route.request.url.startswith(LOCAL_SCHEMES):
                route.continue_()
            else:
                route.abort()

        context.route("**/*", _route)
        page.on("request", lambda req: visit.requests.append(req.url))
        page.on(
            "console",
            lambda msg: visit.console_errors.append(msg.text) if msg.type == "error" else None,
        )
        page.on("pageerror", lambda exc: visit.page_errors.append(str(exc)))

        def _dialog(dialog):
            visit.dialogs.append(f"{dialog.type}: {dialog.message}")
            dialog.dismiss()

        page.on("dialog", _dialog)
        page.goto(Path(path).resolve().as_uri() + fragment, wait_until="load")
        return visit

    yield _open
    for context in contexts:
        context.close()


@pytest.fixture(scope="session")
def save_screenshot() -> Callable[..., Path]:
    """``save_screenshot(page, name)`` writes ``out/screenshots/<name>.png`` and returns it."""

    def _save(page, name: str, full_page: bool = False) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        target = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(target), full_page=full_page)
        return target

    return _save


@pytest.fixture(scope="session")
def hostile_dir(tmp_path_factory) -> Path:
    """A copy of tests/fixtures/tiny where actor ``alpha`` is named :data:`HOSTILE_IMG` and
    ``beta-institute`` :data:`HOSTILE_SCRIPT` (both its labels)."""
    target = tmp_path_factory.mktemp("hostile") / "data"
    shutil.copytree(TINY, target)
    actors = target / "src-a" / "actors.csv"
    text = actors.read_text(encoding="utf-8")
    text = text.replace("Alpha Marin AS,,", f"{HOSTILE_IMG},,")
    text = text.replace("Beta Forskning,Beta Research,", f"{HOSTILE_SCRIPT},{HOSTILE_SCRIPT},")
    assert HOSTILE_IMG in text and HOSTILE_SCRIPT in text
    actors.write_text(text, encoding="utf-8")
    return target


@pytest.fixture(scope="session")
def hostile_dataset(hostile_dir):
    """The graph built from :func:`hostile_dir`."""
    return build_dataset(hostile_dir)


@pytest.fixture(scope="session")
def real_dataset():
    """The graph built from data/ (integration tests)."""
    return build_dataset()
