"""What a cell of a data table may hold: validators, dates, organisation numbers, Column, Table."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from bioeco.core.vocab import is_slug
from bioeco.errors import DataError

__all__ = [
    "BASES",
    "QUALIFIERS",
    "Column",
    "Origin",
    "Table",
    "Validator",
    "as_basis",
    "as_code",
    "as_count",
    "as_date",
    "as_language",
    "as_list",
    "as_locator",
    "as_number",
    "as_orgnr",
    "as_percent",
    "as_qualifier",
    "as_slug",
    "as_slugs",
    "as_text",
    "as_url",
    "as_year",
    "check_orgnr",
    "columns_of",
    "parse_date",
]


_LOCATOR = re.compile(r"\bl\. ?([0-9]+)(?:[-–]([0-9]+))?")


_DATE = re.compile(r"([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?")


_NUMBER = re.compile(r"-?[0-9]+(?:[.,][0-9]+)?")


@dataclass(frozen=True)
class Origin:
    """Where a record came from: file and spreadsheet row (header = row 1)."""

    file: str
    row: int

    def error(self, message: str, field: str | None = None) -> DataError:
        return DataError(message, file=self.file, row=self.row, field=field)


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


def as_text(value: str, codes: dict[str, set[str]]) -> str:
    """Free text: kept as written (the reader has checked the cell's characters)."""
    return value


def as_slug(value: str, codes: dict[str, set[str]]) -> str:
    """An id: an ASCII slug (lowercase a-z, 0-9, single hyphens), so IRIs built from it are safe."""
    if not (is_slug(value) and value.isascii() and "\n" not in value):
        raise ValueError(
            f"{value!r} is not a valid id (lowercase a-z, 0-9 and single hyphens, e.g. 'uit')"
        )
    return value


def as_slugs(value: str, codes: dict[str, set[str]]) -> tuple[str, ...]:
    """Ids separated by ``|``, each a slug."""
    parts = tuple(p.strip() for p in value.split("|"))
    for p in parts:
        as_slug(p, codes)
    return parts


def as_list(value: str, codes: dict[str, set[str]]) -> tuple[str, ...]:
    """Entries separated by ``|``, none empty."""
    parts = tuple(p.strip() for p in value.split("|"))
    if any(not p for p in parts):
        raise ValueError("empty entry in '|'-separated list")
    return parts


def as_date(value: str, codes: dict[str, set[str]]) -> str:
    """A date ``YYYY[-MM[-DD]]`` that exists (:func:`parse_date`)."""
    parse_date(value)
    return value


def as_year(value: str, codes: dict[str, set[str]]) -> str:
    """A year ``YYYY``."""
    if not re.fullmatch(r"[0-9]{4}", value):
        raise ValueError(f"{value!r} is not a year (YYYY)")
    return value


def as_locator(value: str, codes: dict[str, set[str]]) -> str:
    """A place in the source with a line reference (``l. N`` or ``l. N-M``)."""
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


def as_basis(value: str, codes: dict[str, set[str]]) -> str:
    """One of :data:`BASES`."""
    if value not in BASES:
        raise ValueError(f"{value!r} is not a basis (use 'stated', 'inferred' or 'external')")
    return value


def as_qualifier(value: str, codes: dict[str, set[str]]) -> str:
    """One of :data:`QUALIFIERS`."""
    if value not in QUALIFIERS:
        raise ValueError(
            f"{value!r} is not a qualifier (use 'lower-bound', 'upper-bound' or 'approximate')"
        )
    return value


def as_orgnr(value: str, codes: dict[str, set[str]]) -> str:
    """A valid Norwegian organisation number (:func:`check_orgnr`), spaces removed."""
    if not check_orgnr(value):
        raise ValueError(f"{value!r} is not a valid organisation number (9 digits, mod-11)")
    return value.replace(" ", "")


def as_percent(value: str, codes: dict[str, set[str]]) -> float:
    """A number between 0 and 100."""
    number = as_number(value, codes)
    if not 0 <= number <= 100:
        raise ValueError(f"{value!r} is not a percentage between 0 and 100")
    return number


def as_number(value: str, codes: dict[str, set[str]]) -> float:
    """An ASCII decimal number (``.`` or ``,`` decimals; no exponent, nan or inf)."""
    if not _NUMBER.fullmatch(value):
        raise ValueError(f"{value!r} is not a number (digits, optionally '.' or ',' decimals)")
    return float(value.replace(",", "."))


def as_count(value: str, codes: dict[str, set[str]]) -> int:
    """A whole number."""
    if not re.fullmatch(r"[0-9]+", value):
        raise ValueError(f"{value!r} is not a whole number")
    return int(value)


def as_language(value: str, codes: dict[str, set[str]]) -> str:
    """A language tag (``nb``, ``en`` …)."""
    if not re.fullmatch(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})*", value):
        raise ValueError(f"{value!r} is not a language tag (e.g. 'nb', 'en')")
    return value


#: Characters an IRI cannot hold (RFC 3987) besides white space and control characters.
_NOT_IN_IRI = frozenset('<>"{}|\\^`')


def as_url(value: str, codes: dict[str, set[str]]) -> str:
    """A public address: an ``https://`` URL with a host, no user name or password, nothing an
    IRI cannot hold. Only its form is checked: bioeco never fetches it.

    Examples
    --------
    >>> as_url("https://example.org/report-2021.pdf", {})
    'https://example.org/report-2021.pdf'
    >>> as_url("http://example.org/report.pdf", {})
    Traceback (most recent call last):
    ...
    ValueError: 'http://example.org/report.pdf' is not an https address (https://host/path)
    """
    try:
        parts = urlsplit(value)
    except ValueError:  # e.g. an unclosed [ of an IPv6 host
        raise ValueError(f"{value!r} is not an https address (https://host/path)") from None
    bad = next((c for c in value if c.isspace() or c in _NOT_IN_IRI), None)
    if parts.scheme != "https" or not parts.hostname:
        raise ValueError(f"{value!r} is not an https address (https://host/path)")
    if bad is not None:
        raise ValueError(
            f"{value!r} holds {bad!r}, which an address cannot hold; percent-encode it"
        )
    if parts.username is not None or parts.password is not None:
        raise ValueError(f"{value!r} names a user or password; give the public address")
    return value


def as_code(scheme: str) -> Validator:
    """The validator of a code of concept scheme *scheme* (a slug when no ontology is given)."""

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
    """One column of a table: its name, whether a row must fill it, and its validator."""

    name: str
    required: bool
    parse: Validator = as_text


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


def columns_of(*spec: tuple[str, bool, Validator] | tuple[str, bool]) -> tuple[Column, ...]:
    """Columns from ``(name, required[, validator])`` tuples (free text by default)."""
    return tuple(Column(*s) for s in spec)
