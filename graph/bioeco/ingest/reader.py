"""Reading one CSV table: a bounded regular file, UTF-8, strict CSV, every cell checked."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

from bioeco.core.safeio import UnsafeFile, read_bounded
from bioeco.errors import DataError
from bioeco.ingest.cells import Origin, Table
from bioeco.ingest.records import TABLES

__all__ = [
    "MAX_CELL",
    "MAX_FILE_BYTES",
    "concept_codes",
    "read_file",
    "read_table",
]


MAX_CELL = 4000
"""Longest cell accepted (characters); longer cells are almost always a paste error."""


MAX_FILE_BYTES = 50 * 1024 * 1024
"""Largest table file accepted (bytes); the loader reads whole files into memory."""


_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]")


# invisible characters that only disguise text: zero-width space, word joiner, a BOM inside a
# cell, the Mongolian vowel separator, bidi embeddings/overrides/isolates (they reorder what a
# reader sees) and tag characters. ZWJ/ZWNJ (U+200C/U+200D) stay: scripts need them.
_DISGUISE = re.compile("[\u200b\u2060\ufeff\u180e\u202a-\u202e\u2066-\u2069\U000e0000-\U000e007f]")


# characters that draw nothing: a cell made only of these (and spaces) is empty in disguise
_BLANK = re.compile("[\\s\u115f\u1160\u3164\uffa0\u2800\u200c\u200d\u034f\u17b4\u17b5]+")
_INVISIBLE = re.compile("[\u115f\u1160\u3164\uffa0\u2800\u200c\u200d\u034f\u17b4\u17b5]")
"""What :data:`_BLANK` matches but whitespace, which no stripped cell starts with."""


_FORMULA_START = ("=", "+", "@")


_NEWLINE = re.compile(r"\r\n|\r|\n")


def _shown(text: str) -> str:
    """*text* for an error message: unchanged if printable, else escaped like ``repr``.

    Keeps every error message on one line and free of terminal control sequences.

    Examples
    --------
    >>> _shown("data/src-a"), _shown("bad\\nname")
    ('data/src-a', "'bad\\\\nname'")
    """
    return text if text.isprintable() else repr(text)


def read_file(path: Path | str, display: str, within: Path | str | None = None) -> bytes:
    """The bytes of a regular file of a data folder (:func:`bioeco.core.safeio.read_bounded`,
    at most :data:`MAX_FILE_BYTES`), else one :class:`~bioeco.errors.DataError` naming it."""
    try:
        return read_bounded(path, max_bytes=MAX_FILE_BYTES, within=within)
    except UnsafeFile as exc:
        raise DataError(str(exc), file=display) from None
    except OSError as exc:
        raise DataError(f"cannot read file ({exc.strerror})", file=display) from None


def _decode(path: Path, display: str, within: Path | None = None, raw: bytes | None = None) -> str:
    if raw is None:
        raw = read_file(path, display, within)
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise DataError("file is UTF-16; save the file as UTF-8", file=display, row=1)
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start].decode("utf-8")
        row = len(_NEWLINE.findall(before)) + 1
        raise DataError(
            f"not valid UTF-8 (byte 0x{raw[exc.start]:02x}); save the file as UTF-8",
            file=display,
            row=row,
        ) from None


def read_table(
    path: Path | str,
    table: Table | str,
    codes: dict[str, set[str]] | None = None,
    *,
    display: str | None = None,
    within: Path | str | None = None,
    content: bytes | None = None,
) -> list[Any]:
    """Read one CSV file as a list of records of *table*, validating every cell.

    Raises :class:`~bioeco.errors.DataError` naming the file, the spreadsheet row (the
    header is row 1) and the field for the first problem found. Only a regular file is read
    (inside the folder *within*, when given), and at most :data:`MAX_FILE_BYTES` of it
    (:mod:`bioeco.core.safeio`). *content*, when given, is checked as the file's would-be
    bytes instead of reading it (``bioeco accept`` validates rows before writing them).

    A file is quoted in a message only once it reads as a table: an unknown column is named
    when the header names at least one expected column, so a file that is not a table at all
    (``/etc/passwd`` hard-linked into a data folder) is never shown.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "people.csv"
    >>> _ = p.write_text("id,name,source,locator,note\\nline-k,Line K,btn,l. 5,\\n")
    >>> read_table(p, "people")
    [Person(id='line-k', name='Line K', source='btn', locator='l. 5', note='')]
    >>> _ = p.write_text("id,name,source,locator\\nLine K,Line K,btn,l. 5\\n")
    >>> read_table(p, "people", display="people.csv")
    Traceback (most recent call last):
    ...
    bioeco.errors.DataError: people.csv, row 2, field id: 'Line K' is not a valid id (lowercase ...
    """
    table = TABLES[table] if isinstance(table, str) else table
    codes = codes or {}
    path = Path(path)
    display = _shown(display or str(path))
    text = _decode(path, display, Path(within) if within is not None else None, content)
    if not text.strip():
        raise DataError("file is empty (expected a header row)", file=display)
    # newline="": only CR, LF and CRLF end a line (str.splitlines would also split a cell at
    # U+2028, U+0085, form feed ...); quoted cells may span lines.
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = [h.strip() for h in next(reader)]
    except csv.Error as exc:
        problem = _csv_problem(exc)
        raise DataError(f"malformed CSV header ({problem})", file=display, row=1) from None
    if len(header) == 1 and any(sep in header[0] for sep in ";\t|"):
        raise DataError(
            "header is not comma-separated (found ';', tab or '|'); save as CSV with commas",
            file=display,
            row=1,
        )
    known = set(table.names)
    if not known & set(header):  # not this table at all: say so, quote nothing of it
        raise DataError(
            f"does not read as {table.name}.csv: the header row names none of its columns "
            f"(expected: {', '.join(table.names)})",
            file=display,
            row=1,
        )
    for name in header:
        if name not in known:
            raise DataError(
                f"unknown column (expected: {', '.join(table.names)})",
                file=display,
                row=1,
                field=_shown(name) if name else "(empty)",
            )
    if len(set(header)) != len(header):
        dup = next(h for h in header if header.count(h) > 1)
        raise DataError("column appears twice", file=display, row=1, field=_shown(dup))
    for col in table.columns:
        if col.required and col.name not in header:
            raise DataError("required column is missing", file=display, row=1, field=col.name)

    # a character class found nowhere in the file is in none of its cells: skip that check
    control = _CONTROL.search(text) is not None
    disguise = _DISGUISE.search(text) is not None
    blank = _INVISIBLE.search(text) is not None  # a stripped cell's first character is no \s
    records = []
    row_no = 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise DataError(
                f"malformed CSV ({_csv_problem(exc)})", file=display, row=row_no + 1
            ) from None
        row_no = reader.line_num
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(header):
            raise DataError(
                f"has {len(cells)} cells but the header has {len(header)} columns",
                file=display,
                row=row_no,
            )
        origin = Origin(display, row_no)
        values: dict[str, Any] = {}
        by_name = dict(zip(header, cells, strict=True))
        for col in table.columns:
            raw = by_name.get(col.name, "").strip()
            if not raw:
                if col.required:
                    raise origin.error("is empty but required", col.name)
                continue
            if len(raw) > MAX_CELL:
                raise origin.error(f"cell is {len(raw)} characters long (max {MAX_CELL})", col.name)
            bad = control and _CONTROL.search(raw)
            if bad:
                raise origin.error(
                    f"contains a control character (U+{ord(bad.group()):04X}); remove it",
                    col.name,
                )
            hidden = disguise and _DISGUISE.search(raw)
            if hidden:
                raise origin.error(
                    f"contains an invisible or text-reordering character "
                    f"(U+{ord(hidden.group()):04X}); remove it",
                    col.name,
                )
            if blank and _BLANK.fullmatch(raw):
                raise origin.error("contains only invisible characters", col.name)
            if raw.startswith(_FORMULA_START):
                raise origin.error(
                    "starts with a spreadsheet formula character (= + @); remove it", col.name
                )
            try:
                values[col.name] = col.parse(raw, codes)
            except ValueError as exc:
                raise origin.error(str(exc), col.name) from None
        records.append(table.record(**values, origin=origin))
    return records


def _csv_problem(exc: csv.Error) -> str:
    """A readable reason for a csv module error."""
    text = str(exc)
    if "field larger than field limit" in text:
        return f"a cell is longer than {csv.field_size_limit()} characters (max {MAX_CELL})"
    if "unexpected end of data" in text:
        return "a quote is not closed"
    if "expected after" in text:
        return 'text after a closing quote; write a quote inside a quoted cell as ""'
    return text


def concept_codes(ontology_dir: Path | None) -> dict[str, set[str]]:
    """The codes of every concept scheme in *ontology_dir* (the project's when ``None``)."""
    from bioeco.core.schemes import scheme_codes

    return scheme_codes(ontology_dir)
