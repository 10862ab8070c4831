"""One exception hierarchy for the whole library, with the CLI exit code of each class."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")

__all__ = [
    "BioecoError",
    "DataError",
    "EndpointError",
    "NetworkRefused",
    "OntologyNotFound",
    "OutputError",
    "QueryError",
    "QueryTimeout",
    "SandboxUnavailable",
    "UnsafeFile",
    "UsageError",
    "ValidationFailed",
    "output_errors",
]


class BioecoError(Exception):
    """Base class of every error the library raises on purpose.

    ``exit_code`` is what the command line exits with for this class of failure.
    """

    exit_code = 1


class DataError(BioecoError):
    """Bad input data: names the file, row and field when they are known.

    Examples
    --------
    >>> str(DataError("bad date", file="data/x.csv", row=3, field="start"))
    'data/x.csv, row 3, field start: bad date'
    >>> str(DataError("no such file", file="data/y.csv"))
    'data/y.csv: no such file'
    """

    exit_code = 1

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        row: int | None = None,
        field: str | None = None,
    ) -> None:
        self.message = message
        self.file = file
        self.row = row
        self.field = field
        super().__init__(str(self))

    def __str__(self) -> str:
        where = []
        if self.file:
            where.append(str(self.file))
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.field:
            where.append(f"field {self.field}")
        return f"{', '.join(where)}: {self.message}" if where else self.message


class UsageError(BioecoError):
    """The caller asked for something that cannot be done (bad option, missing file)."""

    exit_code = 2


class OntologyNotFound(BioecoError):
    """The folder the ontology should be in has no ``bioeco.ttl`` (a broken install, or a wrong
    ``BIOECO_ONTOLOGY``): nothing can be checked or built without it.

    Examples
    --------
    >>> str(OntologyNotFound("/opt/x"))  # doctest: +ELLIPSIS
    '/opt/x: the ontology is missing (no bioeco.ttl); set BIOECO_ONTOLOGY to ...'
    """

    exit_code = 1

    def __init__(self, folder: object) -> None:
        self.folder = str(folder)
        super().__init__(
            f"{self.folder}: the ontology is missing (no bioeco.ttl); set BIOECO_ONTOLOGY to "
            "the folder holding bioeco.ttl, shapes.ttl and schemes/, or reinstall bioeco"
        )


class QueryError(BioecoError):
    """A SPARQL query could not be parsed or evaluated, or was refused (e.g. SERVICE)."""

    exit_code = 1


class QueryTimeout(QueryError):
    """A SPARQL query ran past its time limit and was stopped."""

    exit_code = 4


class NetworkRefused(QueryError):
    """Something tried to reach the network at run time; bioeco refuses it."""


class UnsafeFile(BioecoError, OSError):
    """A user path that is not a regular file inside its folder, or too large to read (a link
    out of the data folder, a FIFO, a device …). The message never quotes the file."""

    exit_code = 1


class OutputError(BioecoError, OSError):
    """An output could not be written (no such folder, a file where a folder should be, a
    read-only or full file system). Earlier outputs are left as they were."""

    exit_code = 5


def output_errors(fn: Callable[P, R]) -> Callable[P, R]:
    """Decorate a writer: a failing write (``NotADirectoryError``, a read-only or full file
    system …) becomes one :class:`OutputError` line naming the file; the writers leave
    earlier outputs intact.

    Examples
    --------
    >>> @output_errors
    ... def write():
    ...     raise NotADirectoryError(20, "Not a directory", "out/x")
    >>> try:
    ...     write()
    ... except OutputError as exc:
    ...     print(exc)
    cannot write out/x: Not a directory
    """

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except OutputError:
            raise
        except OSError as exc:
            where = f" {exc.filename}" if exc.filename else ""
            reason = exc.strerror or str(exc) or type(exc).__name__
            raise OutputError(f"cannot write{where}: {reason}") from None

    return wrapper


class SandboxUnavailable(BioecoError, OSError):
    """The network filter cannot be installed here (not Linux, unknown machine, no seccomp)."""

    exit_code = 1


class ValidationFailed(BioecoError):
    """The graph does not conform to the SHACL shapes; ``report`` holds the readable report."""

    exit_code = 3

    def __init__(self, message: str, report: str = "") -> None:
        self.report = report
        super().__init__(message)


class EndpointError(BioecoError):
    """A SPARQL endpoint could not be started or reached, or refused what was asked of it."""

    exit_code = 1
