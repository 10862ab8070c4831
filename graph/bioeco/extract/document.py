"""Read a report (.txt, .md or .pdf) into numbered lines with page numbers, refusing bad input.

Text files must be UTF-8 (a BOM is dropped) without NUL bytes or control characters other
than tab, line feed, carriage return and form feed; a form feed starts a new page. PDFs are
turned into text by poppler's ``pdftotext`` (pages end with a form feed); control characters
that a PDF's fonts produce are replaced by spaces, since the analyst cannot edit a PDF.
Every problem raises :class:`~bioeco.errors.DataError` with one line naming the file.

The report is read like every user file (:mod:`bioeco.core.safeio`: a regular file, never a
FIFO or a device, bounded). A PDF is bounded before its text is laid out: a first
``pdftotext -raw`` pass (linear in what the pages draw) counts the characters of every page,
and a page drawing more than :data:`MAX_PAGE_CHARS` (a crafted page of thousands of
overlapping strings kept the layout pass busy for minutes) refuses the file; both passes
stop at :data:`MAX_TEXT_BYTES` of output and run under a time and CPU limit
(:data:`PDF_TIMEOUT_SECONDS`) and a memory limit. The per-page bound also bounds the
matching work per page.
"""

from __future__ import annotations

import os
import re
import resource
import select
import shutil
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from bioeco.core.safeio import UnsafeFile, open_regular, read_bounded
from bioeco.errors import DataError

__all__ = [
    "MAX_PAGE_CHARS",
    "MAX_PDF_BYTES",
    "MAX_TEXT_BYTES",
    "PDF_TIMEOUT_SECONDS",
    "Document",
    "document_from_text",
    "read_document",
]

MAX_TEXT_BYTES = 16 * 1024 * 1024
"""Largest text (a .txt/.md file, or the text of a PDF) accepted, in bytes."""

MAX_PDF_BYTES = 200 * 1024 * 1024
"""Largest PDF file accepted, in bytes."""

MAX_PAGE_CHARS = 100_000
"""Most characters one PDF page may draw (a dense printed page holds about 5 000)."""

PDF_TIMEOUT_SECONDS = 120
"""A safety limit (wall clock and CPU) for each ``pdftotext`` pass on one file."""

_PDF_MEMORY_BYTES = 2 << 30

_CONTROL = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\u2028\u2029]")
_NEWLINE = re.compile(r"\r\n|\r|\n")
SUFFIXES = (".txt", ".md", ".pdf")


@dataclass(frozen=True)
class Document:
    """The text of a report: ``lines[i]`` is line ``i + 1``, on page ``pages[i]``.

    ``paged`` is true when the document has pages (a PDF, or text with form feeds); then
    locators name the page as well as the line.
    """

    name: str
    lines: tuple[str, ...]
    pages: tuple[int, ...]
    paged: bool

    @property
    def text(self) -> str:
        """The lines joined by line feeds (line *n* starts after the *n-1* th line feed)."""
        return "\n".join(self.lines)

    def locator(self, first: int, last: int | None = None) -> str:
        """A data/ locator for lines *first*..*last* (1-based), with the page when paged.

        Examples
        --------
        >>> doc = document_from_text("a\\nb\\fc", "r.txt")
        >>> doc.locator(1), doc.locator(2, 3)
        ('p. 1; l. 1', 'p. 1-2; l. 2-3')
        >>> document_from_text("a\\nb", "r.txt").locator(1, 2)
        'l. 1-2'
        """
        last = first if last is None else last
        lines = f"l. {first}" if last == first else f"l. {first}-{last}"
        if not self.paged:
            return lines
        p1, p2 = self.pages[first - 1], self.pages[last - 1]
        pages = f"p. {p1}" if p1 == p2 else f"p. {p1}-{p2}"
        return f"{pages}; {lines}"


def document_from_text(text: str, name: str, *, paged: bool | None = None) -> Document:
    """Split *text* into lines and pages (a form feed starts a new page).

    Examples
    --------
    >>> d = document_from_text("one\\r\\ntwo\\fthree\\n", "x.txt")
    >>> d.lines, d.pages, d.paged
    (('one', 'two', 'three', ''), (1, 1, 2, 2), True)
    """
    lines: list[str] = []
    pages: list[int] = []
    page = 1
    for line in _NEWLINE.split(text):
        parts = line.split("\f")
        lines.append(parts[0])
        pages.append(page)
        for extra in parts[1:]:  # a form feed inside a line: the rest is on the next page
            page += 1
            if lines[-1].strip():
                lines.append(extra)
                pages.append(page)
            else:
                lines[-1] = extra
                pages[-1] = page
    paged = "\f" in text if paged is None else paged
    return Document(name, tuple(lines), tuple(pages), paged=paged)


def _fail(display: str, exc: OSError) -> DataError:
    if isinstance(exc, UnsafeFile):
        return DataError(str(exc), file=display)
    return DataError(f"cannot read file ({exc.strerror or exc})", file=display)


def _decode_text(raw: bytes, display: str) -> str:
    if b"\x00" in raw[:8192] or raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise DataError("is a binary or UTF-16 file, not UTF-8 text", file=display)
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = len(_NEWLINE.findall(raw[: exc.start].decode("utf-8"))) + 1
        raise DataError(
            f"line {line}: not valid UTF-8 (byte 0x{raw[exc.start]:02x}); save it as UTF-8 text",
            file=display,
        ) from None
    bad = _CONTROL.search(text)
    if bad:
        line = len(_NEWLINE.findall(text[: bad.start()])) + 1
        raise DataError(
            f"line {line}: contains a control character (U+{ord(bad.group()):04X}); "
            "a report must be plain text",
            file=display,
        )
    return text


def _limits() -> None:  # in the pdftotext child, before exec
    resource.setrlimit(resource.RLIMIT_CPU, (PDF_TIMEOUT_SECONDS, PDF_TIMEOUT_SECONDS))
    resource.setrlimit(resource.RLIMIT_AS, (_PDF_MEMORY_BYTES, _PDF_MEMORY_BYTES))


def _pdftotext(exe: str, fd: int, options: list[str], display: str, *, per_page: bool) -> bytes:
    """The output of ``pdftotext OPTIONS /dev/fd/FD -``, read as it comes and bounded: more
    than :data:`MAX_TEXT_BYTES` (or, with *per_page*, a page over :data:`MAX_PAGE_CHARS`
    characters) or more than :data:`PDF_TIMEOUT_SECONDS` stops the program and refuses the
    PDF."""
    argv = [exe, *options, "-enc", "UTF-8", "-eol", "unix", f"/dev/fd/{fd}", "-"]
    process = subprocess.Popen(
        argv,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        pass_fds=(fd,),
        preexec_fn=_limits,
    )
    assert process.stdout is not None and process.stderr is not None
    errors = bytearray()

    def drain() -> None:  # keep the last lines of stderr only
        while chunk := process.stderr.read(65536):  # type: ignore[union-attr]
            errors.extend(chunk)
            del errors[:-4096]

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    out = bytearray()
    page, page_len = 1, 0
    deadline = time.monotonic() + PDF_TIMEOUT_SECONDS
    problem = ""
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                problem = f"pdftotext took longer than {PDF_TIMEOUT_SECONDS} s"
                break
            ready, _, _ = select.select([process.stdout], [], [], left)
            if not ready:
                continue
            chunk = os.read(process.stdout.fileno(), 1 << 20)
            if not chunk:
                break
            out += chunk
            if len(out) > MAX_TEXT_BYTES:
                problem = f"the PDF's text is larger than {MAX_TEXT_BYTES} bytes"
                break
            if per_page:
                parts = chunk.split(b"\f")
                for k, part in enumerate(parts):
                    if k:
                        page, page_len = page + 1, 0
                    page_len += len(part.decode("utf-8", "ignore"))  # characters
                    if page_len > MAX_PAGE_CHARS:
                        problem = f"page {page} draws more than {MAX_PAGE_CHARS} characters of text"
                        break
                if problem:
                    break
    finally:
        if problem:
            process.kill()
        process.stdout.close()
        code = process.wait()
        reader.join()
    if problem:
        raise DataError(f"{problem}; the PDF may be damaged or crafted", file=display)
    if code != 0:
        if code == -9 or code == -24:  # SIGKILL / SIGXCPU: the CPU limit
            raise DataError(
                f"pdftotext took longer than {PDF_TIMEOUT_SECONDS} s; the PDF may be damaged",
                file=display,
            )
        reason = errors.decode("utf-8", "replace").strip().splitlines()
        why = reason[-1] if reason else f"exit code {code}"
        raise DataError(f"pdftotext cannot read this PDF ({why!r})", file=display)
    return bytes(out)


def _pdf_text(path: Path, display: str) -> str:
    try:
        fd = open_regular(path)
    except OSError as exc:
        raise _fail(display, exc) from None
    try:
        size = os.fstat(fd).st_size
        if size > MAX_PDF_BYTES:
            raise DataError(f"PDF is {size} bytes (max {MAX_PDF_BYTES})", file=display)
        if not os.pread(fd, 1024, 0).lstrip().startswith(b"%PDF-"):
            raise DataError("is not a PDF file (no %PDF- header)", file=display)
        exe = shutil.which("pdftotext")
        if exe is None:
            raise DataError(
                "cannot read PDFs: pdftotext not found (install poppler-utils)", file=display
            )
        _pdftotext(exe, fd, ["-raw"], display, per_page=True)  # bounds every page first
        raw = _pdftotext(exe, fd, [], display, per_page=False)
    finally:
        os.close(fd)
    text = raw.decode("utf-8", "replace").rstrip("\f")
    text = _CONTROL.sub(" ", text)  # glyphs without a Unicode mapping
    if not text.strip():
        raise DataError("the PDF has no text layer (scanned images need OCR first)", file=display)
    return text


def read_document(path: Path | str) -> Document:
    """Read a .txt, .md or .pdf report into a :class:`Document`.

    Raises :class:`~bioeco.errors.DataError` (one line naming the file) for a missing, huge,
    binary or non-UTF-8 file, a control character, or a PDF that cannot be read.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "r.txt"
    >>> _ = p.write_text("Nofima og UiT\\n", encoding="utf-8")
    >>> read_document(p).lines
    ('Nofima og UiT', '')
    >>> _ = p.write_bytes(b"ok\\n\\x1b[2J")
    >>> read_document(p)
    Traceback (most recent call last):
    ...
    bioeco.errors.DataError: .../r.txt: line 2: contains a control character (U+001B); ...
    """
    path = Path(path)
    display = str(path) if str(path).isprintable() else repr(str(path))
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise DataError(
            f"unsupported file type {suffix or '(none)'!r} (use .txt, .md or .pdf)", file=display
        )
    if not os.path.lexists(path):
        raise DataError("file not found", file=display)
    if suffix == ".pdf":
        text = _pdf_text(path, display)
    else:
        try:
            raw = read_bounded(path, max_bytes=MAX_TEXT_BYTES)
        except OSError as exc:
            raise _fail(display, exc) from None
        text = _decode_text(raw, display)
    if not text.strip():
        raise DataError("file is empty", file=display)
    return document_from_text(text, path.name, paged=True if suffix == ".pdf" else None)
