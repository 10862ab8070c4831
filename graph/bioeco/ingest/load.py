"""Read the CSV tables of ``data/`` into typed, validated records (clear errors, no guessing).

Every problem raises :class:`~bioeco.errors.DataError` with one line naming the file, the
spreadsheet row (header = row 1) and the field; nothing is ever silently repaired. What the
loader accepts and refuses, in the order it checks:

- **Files**: UTF-8 only (a leading BOM is accepted and dropped; Latin-1, UTF-16 and mixed
  encodings are refused naming the row of the first bad byte), at most :data:`MAX_FILE_BYTES`;
  line endings LF, CRLF or CR; an empty (or whitespace-only) file is refused, a file with only
  a header row is fine (no records).
- **CSV syntax**: comma-separated with ``"`` quoting (strict: an unbalanced quote is refused);
  a header of one column that contains ``;``, tab or ``|`` is refused as the wrong delimiter;
  unknown, duplicate and missing required columns are refused; a row with more or fewer cells
  than the header is refused. Blank rows are skipped.
- **Cells** (after trimming surrounding whitespace): at most :data:`MAX_CELL` characters; no
  control characters (C0 except tab/LF/CR inside a cell, DEL, C1, U+2028/U+2029; NUL
  included). Cells starting with ``=``, ``+`` or ``@`` are refused in *every* field: in a
  source table they are a spreadsheet formula or its residue, never a value. A leading ``-``
  is accepted (names such as "-3 Bio", notes such as "- see p. 4"); structured fields still
  have to pass their own check ("-5" is not a percentage, "-x" not an id). Defence in depth:
  every CSV that bioeco writes neutralises ``= + - @``, tab and CR again
  (:func:`bioeco.core.formats.neutralise`), whatever the graph holds.
- **Values**: ids are ASCII slugs (so IRIs built from them are always safe); codes must be
  notations of the concept schemes (and slugs even without an ontology); dates
  ``YYYY[-MM[-DD]]`` with ASCII digits and real calendar dates, end not before start; numbers
  are ASCII decimals (no ``1e2``, ``nan``, ``inf``, ``1_0``); every reference resolves and
  keys are unique across files. Free text (names, notes) keeps any other Unicode unchanged:
  Norwegian letters, other scripts, quotes, ``<`` ``>``, backslashes.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from bioeco.core.safeio import UnsafeFile, read_bounded
from bioeco.core.vocab import is_slug
from bioeco.errors import DataError

__all__ = [
    "BASES",
    "MAX_CELL",
    "MAX_FILE_BYTES",
    "PENDING_JOURNAL",
    "QUALIFIERS",
    "SCENARIO_ACTIONS",
    "SCENARIO_TABLE",
    "TABLES",
    "Actor",
    "Alias",
    "Centre",
    "Change",
    "Classification",
    "Dataset",
    "Figure",
    "Initiative",
    "Membership",
    "Observation",
    "Person",
    "Records",
    "ScenarioAction",
    "Source",
    "Table",
    "check_orgnr",
    "finish_pending",
    "load_records",
    "parse_date",
    "read_file",
    "read_scenario",
    "read_table",
    "table_files",
]

MAX_CELL = 4000
"""Longest cell accepted (characters); longer cells are almost always a paste error."""

MAX_FILE_BYTES = 50 * 1024 * 1024
"""Largest table file accepted (bytes); the loader reads whole files into memory."""

PENDING_JOURNAL = ".bioeco-accept.journal"
"""The journal of a change to a data folder that switches several files as one (``bioeco
accept``); one left by an interrupted run is completed by the next reader."""

_LOCATOR = re.compile(r"\bl\. ?([0-9]+)(?:[-–]([0-9]+))?")
_DATE = re.compile(r"([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]")
# invisible characters that only disguise text: zero-width space, word joiner, a BOM inside a
# cell, the Mongolian vowel separator, bidi embeddings/overrides/isolates (they reorder what a
# reader sees) and tag characters. ZWJ/ZWNJ (U+200C/U+200D) stay: scripts need them.
_DISGUISE = re.compile("[\u200b\u2060\ufeff\u180e\u202a-\u202e\u2066-\u2069\U000e0000-\U000e007f]")
# characters that draw nothing: a cell made only of these (and spaces) is empty in disguise
_BLANK = re.compile("[\\s\u115f\u1160\u3164\uffa0\u2800\u200c\u200d\u034f\u17b4\u17b5]+")
_FORMULA_START = ("=", "+", "@")
_NUMBER = re.compile(r"-?[0-9]+(?:[.,][0-9]+)?")
SCHEMES_OF_CLASSIFICATION = ("sector", "stage", "region", "competence")


# --------------------------------------------------------------------------- records


@dataclass(frozen=True)
class Origin:
    """Where a record came from: file and spreadsheet row (header = row 1)."""

    file: str
    row: int

    def error(self, message: str, field: str | None = None) -> DataError:
        return DataError(message, file=self.file, row=self.row, field=field)


@dataclass(frozen=True)
class Source:
    id: str
    title: str
    issued: str
    publisher: str
    language: str
    file: str
    title_en: str = ""
    covers: str = ""
    coverage: str = ""
    note: str = ""
    origin: Origin = field(default=Origin("", 0), compare=False, repr=False)

    @property
    def year(self) -> int:
        """The year the document describes: ``covers`` when given, else the year issued."""
        return int((self.covers or self.issued)[:4])


@dataclass(frozen=True)
class Actor:
    id: str
    label: str
    type: str
    source: str
    locator: str
    label_en: str = ""
    aliases: tuple[str, ...] = ()
    orgnr: str = ""
    part_of: str = ""
    part_of_basis: str = "stated"
    part_of_citation: str = ""
    basis: str = "stated"
    citation: str = ""
    note: str = ""
    origin: Origin = field(default=Origin("", 0), compare=False, repr=False)


@dataclass(frozen=True)
class Person:
    id: str
    name: str
    source: str
    locator: str
    note: str = ""
    origin: Origin = field(default=Origin("", 0), compare=False, repr=False)


@dataclass(frozen=True)
class Initiative:
    id: str
    label: str
    type: str
    source: str
    locator: str
    label_en: str = ""
    aliases: tuple[str, ...] = ()
    part_of: str = ""
    part_of_basis: str = "stated"
    part_of_citation: str = ""
    start: str = ""
    end: str = ""
    place: str = ""
    status: str = ""
    description_en: str = ""
    note: str = ""
    origin: Origin = field(default=Origin("", 0), compare=False, repr=False)


@dataclass(frozen=True)
class Membership:
    member: str
    organization: str
    role: str
    source: str
    locator: str
    start: str = ""
    end: str = ""
    observed: str = ""
    basis: str = "stated"
    citation: str = ""
    note: str = ""
    origin: Origin = field(default=Origin("", 0), compare=False, repr=False)


@dataclass(frozen=True)
class Classification:
    subject: str
    scheme: str
    concept: str
    basis: str
    source: str
    locator: str
    citation: str = ""
    note: str = ""
    origin: Origin = field(default=Origin("", 0), compare=False, repr=False)


@dataclass(frozen=True)
class Change:
    id: str
    type: str
    resulting: tuple[str, ...]
    source: str
    locator: str
    original: tuple[str, ...] = ()
    date: str = ""
    basis: str = "stated"
    citation: str = ""
    note: str = ""
    origin: Origin = field(default=Origin("", 0), compare=False, repr=False)


@dataclass(frozen=True)
class Centre:
    sector: str
    region: str
    basis: str
    source: str
    locator: str
    citation: str = ""
    note: str = ""
    origin: Origin = field(default=Origin("", 0), compare=False, repr=False)


@dataclass(frozen=True)
class Figure:
    subject: str
    measure: str
    value: float
    unit: str
    source: str
    locator: str
    region: str = ""
    qualifier: str = ""
    note: str = ""
    origin: Origin = field(default=Origin("", 0), compare=False, repr=False)


@dataclass(frozen=True)
class Alias:
    subject: str
    alias: str
    source: str
    locator: str
    origin: Origin = field(default=Origin("", 0), compare=False, repr=False)


@dataclass(frozen=True)
class Dataset:
    id: str
    label: str
    source: str
    locator: str
    label_en: str = ""
    sample_size: int | None = None
    note: str = ""
    origin: Origin = field(default=Origin("", 0), compare=False, repr=False)


@dataclass(frozen=True)
class Observation:
    dataset: str
    id: str
    question: str
    respondent_group: str
    percent: float
    source: str
    locator: str
    sector: str = ""
    stage: str = ""
    competence: str = ""
    topic: str = ""
    sample_size: int | None = None
    qualifier: str = ""
    note: str = ""
    origin: Origin = field(default=Origin("", 0), compare=False, repr=False)


@dataclass
class Records:
    """Everything read from one data directory, sorted by key for deterministic output."""

    sources: list[Source] = field(default_factory=list)
    actors: list[Actor] = field(default_factory=list)
    people: list[Person] = field(default_factory=list)
    initiatives: list[Initiative] = field(default_factory=list)
    memberships: list[Membership] = field(default_factory=list)
    classifications: list[Classification] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    aliases: list[Alias] = field(default_factory=list)
    centres: list[Centre] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    datasets: list[Dataset] = field(default_factory=list)
    observations: list[Observation] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        """Number of records per table."""
        return {f.name: len(getattr(self, f.name)) for f in fields(self)}


# --------------------------------------------------------------------------- fields


def parse_date(value: str) -> tuple[dt.date, dt.date]:
    """Parse ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` into the first and last day it covers.

    Raises ValueError with a readable message for anything else, including impossible dates.

    Examples
    --------
    >>> parse_date("2021")
    (datetime.date(2021, 1, 1), datetime.date(2021, 12, 31))
    >>> parse_date("2021-02")
    (datetime.date(2021, 2, 1), datetime.date(2021, 2, 28))
    >>> parse_date("2021-02-30")
    Traceback (most recent call last):
    ...
    ValueError: '2021-02-30' is not a real date
    """
    m = _DATE.fullmatch(value)
    if not m:
        raise ValueError(f"{value!r} is not a date (use YYYY, YYYY-MM or YYYY-MM-DD)")
    year, month, day = (int(g) if g else None for g in m.groups())
    try:
        if month is None:
            return dt.date(year, 1, 1), dt.date(year, 12, 31)
        if day is None:
            first = dt.date(year, month, 1)
            nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
            return first, nxt - dt.timedelta(days=1)
        d = dt.date(year, month, day)
        return d, d
    except ValueError:
        raise ValueError(f"{value!r} is not a real date") from None


def check_orgnr(value: str) -> bool:
    """True if *value* is a valid Norwegian organisation number (9 digits, mod-11 check digit).

    Examples
    --------
    >>> check_orgnr("923609016"), check_orgnr("923609017"), check_orgnr("12345")
    (True, False, False)
    """
    digits = value.replace(" ", "")
    if not re.fullmatch(r"[0-9]{9}", digits):
        return False
    weights = (3, 2, 7, 6, 5, 4, 3, 2)
    remainder = sum(int(d) * w for d, w in zip(digits[:8], weights, strict=True)) % 11
    check = 0 if remainder == 0 else 11 - remainder
    return check != 10 and check == int(digits[8])


Validator = Callable[[str, dict[str, set[str]]], Any]


def _text(value: str, codes: dict[str, set[str]]) -> str:
    return value


def _slug(value: str, codes: dict[str, set[str]]) -> str:
    if not (is_slug(value) and value.isascii() and "\n" not in value):
        raise ValueError(
            f"{value!r} is not a valid id (lowercase a-z, 0-9 and single hyphens, e.g. 'uit')"
        )
    return value


def _slugs(value: str, codes: dict[str, set[str]]) -> tuple[str, ...]:
    parts = tuple(p.strip() for p in value.split("|"))
    for p in parts:
        _slug(p, codes)
    return parts


def _list(value: str, codes: dict[str, set[str]]) -> tuple[str, ...]:
    parts = tuple(p.strip() for p in value.split("|"))
    if any(not p for p in parts):
        raise ValueError("empty entry in '|'-separated list")
    return parts


def _date(value: str, codes: dict[str, set[str]]) -> str:
    parse_date(value)
    return value


def _year(value: str, codes: dict[str, set[str]]) -> str:
    if not re.fullmatch(r"[0-9]{4}", value):
        raise ValueError(f"{value!r} is not a year (YYYY)")
    return value


def _locator(value: str, codes: dict[str, set[str]]) -> str:
    m = _LOCATOR.search(value)
    if not m:
        raise ValueError(f"{value!r} has no line reference ('l. N' or 'l. N-M')")
    if m.group(2) and int(m.group(2)) < int(m.group(1)):
        raise ValueError(f"{value!r}: line range ends before it starts")
    return value


BASES = ("stated", "inferred", "external")
"""The values of ``basis`` columns, from strongest to weakest support."""

QUALIFIERS = ("lower-bound", "upper-bound", "approximate")
"""The values of ``qualifier`` columns (how a stated number relates to the true value)."""


def _basis(value: str, codes: dict[str, set[str]]) -> str:
    if value not in BASES:
        raise ValueError(f"{value!r} is not a basis (use 'stated', 'inferred' or 'external')")
    return value


def _qualifier(value: str, codes: dict[str, set[str]]) -> str:
    if value not in QUALIFIERS:
        raise ValueError(
            f"{value!r} is not a qualifier (use 'lower-bound', 'upper-bound' or 'approximate')"
        )
    return value


def _orgnr(value: str, codes: dict[str, set[str]]) -> str:
    if not check_orgnr(value):
        raise ValueError(f"{value!r} is not a valid organisation number (9 digits, mod-11)")
    return value.replace(" ", "")


def _percent(value: str, codes: dict[str, set[str]]) -> float:
    number = _number(value, codes)
    if not 0 <= number <= 100:
        raise ValueError(f"{value!r} is not a percentage between 0 and 100")
    return number


def _number(value: str, codes: dict[str, set[str]]) -> float:
    if not _NUMBER.fullmatch(value):
        raise ValueError(f"{value!r} is not a number (digits, optionally '.' or ',' decimals)")
    return float(value.replace(",", "."))


def _count(value: str, codes: dict[str, set[str]]) -> int:
    if not re.fullmatch(r"[0-9]+", value):
        raise ValueError(f"{value!r} is not a whole number")
    return int(value)


def _language(value: str, codes: dict[str, set[str]]) -> str:
    if not re.fullmatch(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})*", value):
        raise ValueError(f"{value!r} is not a language tag (e.g. 'nb', 'en')")
    return value


def _code(scheme: str) -> Validator:
    def check(value: str, codes: dict[str, set[str]]) -> str:
        known = codes.get(scheme)
        if known is None:
            if codes:  # an ontology was loaded but lacks this scheme
                raise ValueError(f"no concept scheme {scheme!r} in ontology/schemes")
            if not is_slug(value) or not value.isascii():  # codes become IRIs
                raise ValueError(f"{value!r} is not a valid {scheme} code")
            return value
        if value not in known:
            hint = ", ".join(sorted(known)[:12]) + (", …" if len(known) > 12 else "")
            raise ValueError(f"unknown {scheme} code {value!r} (known: {hint})")
        return value

    return check


@dataclass(frozen=True)
class Column:
    name: str
    required: bool
    parse: Validator = _text


@dataclass(frozen=True)
class Table:
    """The columns of one CSV table and the record type its rows become."""

    name: str
    record: type
    columns: tuple[Column, ...]
    key: tuple[str, ...]

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]


def _cols(*spec: tuple[str, bool, Validator] | tuple[str, bool]) -> tuple[Column, ...]:
    return tuple(Column(*s) for s in spec)


_PROV = (("source", True, _slug), ("locator", True, _locator))

TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table(
            "sources",
            Source,
            _cols(
                ("id", True, _slug),
                ("title", True),
                ("title_en", False),
                ("issued", True, _date),
                ("publisher", True, _slug),
                ("language", True, _language),
                ("file", True),
                ("covers", False, _year),
                ("coverage", False, _code("region")),
                ("note", False),
            ),
            ("id",),
        ),
        Table(
            "actors",
            Actor,
            _cols(
                ("id", True, _slug),
                ("label", True),
                ("label_en", False),
                ("type", True, _code("actor-type")),
                ("aliases", False, _list),
                ("orgnr", False, _orgnr),
                ("part_of", False, _slug),
                ("part_of_basis", False, _basis),
                ("part_of_citation", False),
                ("basis", False, _basis),
                ("citation", False),
                *_PROV,
                ("note", False),
            ),
            ("id",),
        ),
        Table(
            "people",
            Person,
            _cols(("id", True, _slug), ("name", True), *_PROV, ("note", False)),
            ("id",),
        ),
        Table(
            "initiatives",
            Initiative,
            _cols(
                ("id", True, _slug),
                ("label", True),
                ("label_en", False),
                ("type", True, _code("initiative-type")),
                ("aliases", False, _list),
                ("part_of", False, _slug),
                ("part_of_basis", False, _basis),
                ("part_of_citation", False),
                ("start", False, _date),
                ("end", False, _date),
                ("place", False),
                ("status", False),
                ("description_en", False),
                *_PROV,
                ("note", False),
            ),
            ("id",),
        ),
        Table(
            "memberships",
            Membership,
            _cols(
                ("member", True, _slug),
                ("organization", True, _slug),
                ("role", True, _code("role")),
                ("start", False, _date),
                ("end", False, _date),
                ("observed", False, _year),
                ("basis", False, _basis),
                ("citation", False),
                *_PROV,
                ("note", False),
            ),
            ("source", "organization", "member", "role"),
        ),
        Table(
            "classifications",
            Classification,
            _cols(
                ("subject", True, _slug),
                ("scheme", True),
                ("concept", True, _slug),
                ("basis", True, _basis),
                ("citation", False),
                *_PROV,
                ("note", False),
            ),
            ("source", "subject", "scheme", "concept"),
        ),
        Table(
            "changes",
            Change,
            _cols(
                ("id", True, _slug),
                ("type", True, _code("change-type")),
                ("original", False, _slugs),
                ("resulting", True, _slugs),
                ("date", False, _date),
                ("basis", False, _basis),
                ("citation", False),
                *_PROV,
                ("note", False),
            ),
            ("id",),
        ),
        Table(
            "centres",
            Centre,
            _cols(
                ("sector", True, _code("sector")),
                ("region", True, _code("region")),
                ("basis", True, _basis),
                ("citation", False),
                *_PROV,
                ("note", False),
            ),
            ("source", "sector", "region"),
        ),
        Table(
            "figures",
            Figure,
            _cols(
                ("subject", True, _slug),
                ("measure", True, _code("figure-measure")),
                ("region", False, _code("region")),
                ("value", True, _number),
                ("qualifier", False, _qualifier),
                ("unit", True, _code("unit")),
                *_PROV,
                ("note", False),
            ),
            ("source", "subject", "measure", "region"),
        ),
        Table(
            "aliases",
            Alias,
            _cols(("subject", True, _slug), ("alias", True), *_PROV),
            ("subject", "alias", "source"),
        ),
        Table(
            "datasets",
            Dataset,
            _cols(
                ("id", True, _slug),
                ("label", True),
                ("label_en", False),
                ("sample_size", False, _count),
                *_PROV,
                ("note", False),
            ),
            ("id",),
        ),
        Table(
            "observations",
            Observation,
            _cols(
                ("dataset", True, _slug),
                ("id", True, _slug),
                ("question", True, _code("question")),
                ("respondent_group", True, _code("respondent-group")),
                ("sector", False, _code("sector")),
                ("stage", False, _code("stage")),
                ("competence", False, _code("competence")),
                ("topic", False, _code("topic")),
                ("percent", True, _percent),
                ("qualifier", False, _qualifier),
                ("sample_size", False, _count),
                *_PROV,
                ("note", False),
            ),
            ("dataset", "id"),
        ),
    )
}

# --------------------------------------------------------------------------- reading


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
            bad = _CONTROL.search(raw)
            if bad:
                raise origin.error(
                    f"contains a control character (U+{ord(bad.group()):04X}); remove it",
                    col.name,
                )
            disguise = _DISGUISE.search(raw)
            if disguise:
                raise origin.error(
                    f"contains an invisible or text-reordering character "
                    f"(U+{ord(disguise.group()):04X}); remove it",
                    col.name,
                )
            if _BLANK.fullmatch(raw):
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


def _scheme_codes(ontology_dir: Path | None) -> dict[str, set[str]]:
    from bioeco.core.schemes import scheme_codes

    return scheme_codes(ontology_dir)


def _table_files(base: Path, filename: str) -> list[Path]:
    """Every entry called *filename* below *base*, whatever it is (file, link, FIFO, folder:
    the reader refuses what is not a regular file inside *base*); hidden folders are skipped
    and linked folders are not entered."""
    found = []
    for folder, dirs, files in os.walk(base, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        if filename in files or filename in dirs:
            found.append(Path(folder) / filename)
    return sorted(found)


def table_files(base: Path | str) -> list[Path]:
    """Every table file of data folder *base* (``sources.csv`` and ``<table>.csv`` at any
    depth, hidden folders skipped), whatever each is; the reader checks them."""
    return [p for name in TABLES for p in _table_files(Path(base), f"{name}.csv")]


def finish_pending(base: Path | str) -> list[Path]:
    """Complete a change to data folder *base* that an interrupted ``bioeco accept`` left
    (:func:`bioeco.core.atomic.finish_group`); nothing is written when none was left."""
    from bioeco.core.atomic import finish_group

    base = Path(base)
    folders = [base, *(p for p in sorted(base.iterdir()) if p.is_dir() and not p.is_symlink())]
    return finish_group(base / PENDING_JOURNAL, folders)


def load_records(
    data_dir: Path | str | None = None,
    *,
    ontology_dir: Path | str | None = None,
    codes: dict[str, set[str]] | None = None,
    changes: dict[Path, bytes] | None = None,
) -> Records:
    """Read ``sources.csv`` and every ``<table>.csv`` below *data_dir* into :class:`Records`.

    Cells are validated as they are read (ids, dates, codes against the concept schemes in
    *ontology_dir*, organisation numbers, locators); then keys must be unique across files and
    every reference (member, organization, subject, part_of, source, dataset …) must resolve.
    *changes* maps table paths (``data_dir / …``) to would-be contents, read instead of the
    files (new files included): the folder is validated as it would be, nothing written.
    A change that an interrupted ``bioeco accept`` left is completed first
    (:func:`finish_pending`).

    Raises :class:`~bioeco.errors.DataError` for the first problem, naming file, row and field.
    """
    from bioeco.core.paths import DATA_DIR

    base = Path(data_dir) if data_dir is not None else DATA_DIR
    if not base.is_dir():
        raise DataError("data directory not found", file=str(base))
    finish_pending(base)
    changes = changes or {}
    if codes is None:
        codes = _scheme_codes(Path(ontology_dir) if ontology_dir else None)
    sources_file = base / "sources.csv"
    if not os.path.lexists(sources_file) and sources_file not in changes:
        raise DataError("missing sources.csv (one row per source document)", file=str(base))

    records = Records()
    for name, table in TABLES.items():
        found = _table_files(base, f"{name}.csv")
        files = sorted({*found, *(p for p in changes if p.name == f"{name}.csv")})
        rows: list[Any] = []
        for path in files:
            display = str(path.relative_to(base.parent)) if base.parent != path else str(path)
            rows.extend(
                read_table(
                    path, table, codes, display=display, within=base, content=changes.get(path)
                )
            )
        getattr(records, name).extend(rows)
    _check_unique(records)
    _check_references(records, codes)
    _check_dates(records)
    _check_bases(records)
    for name in TABLES:
        key = TABLES[name].key
        getattr(records, name).sort(key=lambda r, k=key: tuple(getattr(r, f) for f in k))
    return records


def _check_unique(records: Records) -> None:
    seen_ids: dict[str, Origin] = {}
    for name in ("actors", "people", "initiatives", "changes", "datasets", "sources"):
        for rec in getattr(records, name):
            key = rec.id if name != "sources" else f"source:{rec.id}"
            if key in seen_ids:
                first = seen_ids[key]
                raise rec.origin.error(
                    f"duplicate id {rec.id!r} (first defined in {first.file}, row {first.row})",
                    "id",
                )
            seen_ids[key] = rec.origin
    orgnrs: dict[str, Any] = {}
    for rec in records.actors:
        if rec.orgnr:
            if rec.orgnr in orgnrs:
                first = orgnrs[rec.orgnr]
                raise rec.origin.error(
                    f"organisation number {rec.orgnr} is also given to {first.id!r} "
                    f"({first.origin.file}, row {first.origin.row}); one organisation, one id",
                    "orgnr",
                )
            orgnrs[rec.orgnr] = rec
    for name in ("memberships", "classifications", "aliases", "observations", "centres", "figures"):
        key_fields = TABLES[name].key
        seen: dict[tuple, Origin] = {}
        for rec in getattr(records, name):
            key = tuple(getattr(rec, f) for f in key_fields)
            if key in seen:
                first = seen[key]
                raise rec.origin.error(
                    f"duplicate row: same {', '.join(key_fields)} as {first.file}, row {first.row}"
                )
            seen[key] = rec.origin


def _check_references(records: Records, codes: dict[str, set[str]]) -> None:
    actors = {a.id for a in records.actors}
    people = {p.id for p in records.people}
    initiatives = {i.id for i in records.initiatives}
    sources = {s.id for s in records.sources}
    datasets = {d.id for d in records.datasets}
    agents = actors | initiatives
    members = agents | people  # built once: a union per membership made the check quadratic

    def need(rec: Any, fld: str, value: str, pool: Iterable[str], what: str) -> None:
        if value and value not in pool:
            raise rec.origin.error(f"unknown {what} {value!r}", fld)

    for s in records.sources:
        need(s, "publisher", s.publisher, agents, "actor or initiative id")
    for table in TABLES:
        if "source" in TABLES[table].names and table != "sources":
            for rec in getattr(records, table):
                need(rec, "source", rec.source, sources, "source id (see sources.csv)")
    for m in records.memberships:
        need(m, "member", m.member, members, "actor, person or initiative id")
        need(m, "organization", m.organization, agents, "initiative or actor id")
        if m.member == m.organization:
            raise m.origin.error("an organisation cannot be a member of itself", "member")
    for i in records.initiatives:
        need(i, "part_of", i.part_of, initiatives, "initiative id")
        if i.part_of == i.id:
            raise i.origin.error("an initiative cannot be part of itself", "part_of")
    for c in records.classifications:
        need(c, "subject", c.subject, agents, "actor or initiative id")
        if c.scheme not in SCHEMES_OF_CLASSIFICATION:
            raise c.origin.error(
                f"unknown scheme {c.scheme!r} (use one of {', '.join(SCHEMES_OF_CLASSIFICATION)})",
                "scheme",
            )
        try:
            _code(c.scheme)(c.concept, codes)
        except ValueError as exc:
            raise c.origin.error(str(exc), "concept") from None
    for a in records.actors:
        need(a, "part_of", a.part_of, actors, "actor id")
        if a.part_of == a.id:
            raise a.origin.error("an organisation cannot be part of itself", "part_of")
    for ch in records.changes:
        if not ch.original and ch.type != "founding":
            raise ch.origin.error(f"a {ch.type} needs the original organisation(s)", "original")
        for fld in ("original", "resulting"):
            for value in getattr(ch, fld):
                need(ch, fld, value, agents, "actor or initiative id")
    for a in records.aliases:
        need(a, "subject", a.subject, agents, "actor or initiative id")
    for f in records.figures:
        need(f, "subject", f.subject, agents, "actor or initiative id")
        if f.unit == "percent" and f.value > 100:
            raise f.origin.error(f"{f.value:g} is not a percentage between 0 and 100", "value")
    for o in records.observations:
        need(o, "dataset", o.dataset, datasets, "dataset id (see datasets.csv)")


_BASIS_FIELDS: dict[str, tuple[tuple[str, str, str], ...]] = {
    # table -> (basis field, citation field, field the fact is in)
    "actors": (("basis", "citation", "type"), ("part_of_basis", "part_of_citation", "part_of")),
    "initiatives": (("part_of_basis", "part_of_citation", "part_of"),),
    "memberships": (("basis", "citation", "role"),),
    "classifications": (("basis", "citation", "concept"),),
    "changes": (("basis", "citation", "type"),),
    "centres": (("basis", "citation", "region"),),
}


def _check_bases(records: Records) -> None:
    """A citation only backs an external fact; an external fact needs a citation or a note;
    a part-of basis or citation needs a part_of."""
    for table, specs in _BASIS_FIELDS.items():
        for rec in getattr(records, table):
            for basis_field, citation_field, fact_field in specs:
                basis, citation = getattr(rec, basis_field), getattr(rec, citation_field)
                if not getattr(rec, fact_field):
                    if basis != "stated" or citation:
                        field_name = basis_field if basis != "stated" else citation_field
                        raise rec.origin.error(f"is set but {fact_field} is empty", field_name)
                    continue
                if citation and basis != "external":
                    raise rec.origin.error(
                        f"a citation backs only an external fact, but {basis_field} is {basis!r}",
                        citation_field,
                    )
                if basis == "external" and not (citation or rec.note):
                    raise rec.origin.error(
                        "an external fact needs a citation or a note saying where it comes from",
                        basis_field,
                    )


def _check_dates(records: Records) -> None:
    for rec in [*records.memberships, *records.initiatives]:
        if rec.start and rec.end and parse_date(rec.end)[1] < parse_date(rec.start)[0]:
            raise rec.origin.error(f"end {rec.end} is before start {rec.start}", "end")


# ---------------------------------------------------------------- what-if scenarios
SCENARIO_ACTIONS = ("invite", "introduce", "start", "merge", "end")
"""The actions a what-if scenario row can take (docs/whatif.md)."""


@dataclass(frozen=True)
class ScenarioAction:
    """One row of a what-if scenario: an action on the network, checked like a data row."""

    action: str
    actor: str = ""
    other: str = ""
    initiative: str = ""
    into: str = ""
    role: str = ""
    label: str = ""
    type: str = ""
    members: tuple[str, ...] = ()
    sectors: tuple[str, ...] = ()
    stages: tuple[str, ...] = ()
    region: str = ""
    year: str = ""
    note: str = ""
    origin: Origin = field(default=Origin("", 0), compare=False, repr=False)


def _action(value: str, codes: dict[str, set[str]]) -> str:
    if value not in SCENARIO_ACTIONS:
        raise ValueError(f"{value!r} is not an action (use {', '.join(SCENARIO_ACTIONS)})")
    return value


def _codes_list(scheme: str) -> Validator:
    check = _code(scheme)

    def parse(value: str, codes: dict[str, set[str]]) -> tuple[str, ...]:
        return tuple(check(part, codes) for part in _list(value, codes))

    return parse


def _slug_list(value: str, codes: dict[str, set[str]]) -> tuple[str, ...]:
    return tuple(_slug(part, codes) for part in _list(value, codes))


SCENARIO_TABLE = Table(
    "scenario",
    ScenarioAction,
    _cols(
        ("action", True, _action),
        ("actor", False, _slug),
        ("other", False, _slug),
        ("initiative", False, _slug),
        ("into", False, _slug),
        ("role", False, _code("role")),
        ("label", False),
        ("type", False, _code("initiative-type")),
        ("members", False, _slug_list),
        ("sectors", False, _codes_list("sector")),
        ("stages", False, _codes_list("stage")),
        ("region", False, _code("region")),
        ("year", False, _year),
        ("note", False),
    ),
    key=(),
)
"""The columns of a what-if scenario file: one action a row (docs/whatif.md)."""


def read_scenario(
    path: Path | str, *, ontology_dir: Path | str | None = None
) -> list[ScenarioAction]:
    """Read a what-if scenario CSV, every cell checked as a data row's would be.

    Raises :class:`~bioeco.errors.DataError` naming the file, row and field of the first
    problem (unknown codes, bad years, formula text …); whether the ids exist is checked
    against a graph by :func:`bioeco.analyses.whatif.whatif`.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "plan.csv"
    >>> _ = p.write_text("action,actor,initiative,role,year\\ninvite,uit,match,partner,2023\\n")
    >>> read_scenario(p)[0].role
    'partner'
    >>> _ = p.write_text("action,actor,initiative,year\\njoin,uit,match,2023\\n")
    >>> read_scenario(p, ontology_dir=None)
    Traceback (most recent call last):
    ...
    bioeco.errors.DataError: ...plan.csv, row 2, field action: 'join' is not an action (use ...
    """
    codes = _scheme_codes(Path(ontology_dir) if ontology_dir else None)
    return read_table(path, SCENARIO_TABLE, codes)
