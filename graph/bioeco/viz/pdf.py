"""Print a page to PDF with the headless Chromium the project already uses."""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
from pathlib import Path

from bioeco.core.atomic import atomic_write, check_target
from bioeco.core.safeio import read_bounded
from bioeco.errors import OutputError
from bioeco.viz.browser import CHROMIUM, CHROMIUM_ARGS

__all__ = ["PDF_TIMEOUT", "browser_for", "print_pdf"]

PDF_TIMEOUT = 120.0
"""Seconds the browser may take to print a page (a guard against a hang, not a budget)."""

_MAX_PDF_BYTES = 512 << 20
_FIXED_DATE = b"D:19700101000000+00'00'"
_DATE = re.compile(rb"/(CreationDate|ModDate) \(D:\d{14}[+\-Z][0-9']*\)")


def _without_print_date(raw: bytes) -> bytes:
    """The PDF with its creation and modification dates set to one fixed value of the same
    length (the cross-reference offsets stay right): the same page prints to the same bytes.

    Examples
    --------
    >>> _without_print_date(b"<</CreationDate (D:20261207194133+00'00')>>")
    b"<</CreationDate (D:19700101000000+00'00')>>"
    """

    def fixed(match: re.Match[bytes]) -> bytes:
        old = match.group(0)
        new = b"/" + match.group(1) + b" (" + _FIXED_DATE + b")"
        return new if len(new) == len(old) else old

    return _DATE.sub(fixed, raw)


def browser_for(target: Path, chromium: str | None = None) -> str:
    """The browser that will print *target*: *chromium*, ``$BIOECO_CHROMIUM`` or Debian's
    ``/usr/bin/chromium``; :class:`~bioeco.errors.OutputError` when it is not there (callers
    ask before any work)."""
    exe = chromium or os.environ.get("BIOECO_CHROMIUM") or CHROMIUM
    if not (os.path.isfile(exe) and os.access(exe, os.X_OK)):
        raise OutputError(
            f"cannot write {target}: no headless browser at {exe} (install Debian's chromium "
            "package, or name another with BIOECO_CHROMIUM)"
        )
    return exe


def print_pdf(
    page: str | os.PathLike,
    target: str | os.PathLike,
    *,
    chromium: str | None = None,
    timeout: float = PDF_TIMEOUT,
) -> Path:
    """Print the HTML file *page* to the PDF *target* with headless Chromium; return *target*.

    The page is opened from the file system with the browser's network switched off as in
    the tests (:data:`bioeco.viz.browser.CHROMIUM_ARGS`), printed with the page's own print
    stylesheet and no browser header or footer, and written atomically; the print date is
    left out so the same page gives the same file. *chromium* defaults to
    ``$BIOECO_CHROMIUM`` or Debian's ``/usr/bin/chromium``; a missing browser, a failed
    print or a hang past *timeout* seconds is one :class:`~bioeco.errors.OutputError`
    line and nothing is written.
    """
    source, target = Path(page).resolve(), Path(target)
    check_target(target)
    exe = browser_for(target, chromium)
    with tempfile.TemporaryDirectory(prefix="bioeco-pdf-") as work:
        printed = Path(work) / "page.pdf"
        command = [
            exe,
            *CHROMIUM_ARGS,
            f"--user-data-dir={Path(work) / 'profile'}",
            "--no-pdf-header-footer",
            f"--print-to-pdf={printed}",
            source.as_uri(),
        ]
        try:
            done = subprocess.run(
                command, capture_output=True, timeout=timeout, stdin=subprocess.DEVNULL
            )
        except subprocess.TimeoutExpired:
            raise OutputError(
                f"cannot write {target}: the browser did not finish printing within {timeout:g} s"
            ) from None
        if done.returncode != 0 or not printed.is_file():
            raise OutputError(
                f"cannot write {target}: the browser could not print {source.name} "
                f"(exit {done.returncode})"
            )
        raw = read_bounded(printed, max_bytes=_MAX_PDF_BYTES, within=Path(work))
    return atomic_write(target, _without_print_date(raw))
