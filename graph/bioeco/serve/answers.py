"""Answers spooled and converted: content negotiation, capped spools, the engine's errors."""

from __future__ import annotations

import contextlib
import re
import tempfile
import time
from collections.abc import Sequence

import pyoxigraph as ox

from bioeco.serve.querycheck import Busy, Stopped, time_limit, too_large
from bioeco.store.query import PREFIX_HEADER

__all__ = [
    "GRAPH_TYPES",
    "RESULT_TYPES",
    "Spool",
    "engine_busy",
    "engine_message",
    "negotiate",
    "not_acceptable",
    "prefixes_for",
    "stream_error",
]


_SPOOL_BYTES = 4_000_000  # answers larger than this are held in a temporary file, not memory
_PREFIX_LINES = PREFIX_HEADER.count("\n")


#: Result formats for SELECT/ASK and for CONSTRUCT/DESCRIBE, by media type; the first is the
#: default when the client accepts anything.
RESULT_TYPES = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "application/xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
GRAPH_TYPES = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "text/plain": ox.RdfFormat.N_TRIPLES,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/n-quads": ox.RdfFormat.N_QUADS,
    "application/trig": ox.RdfFormat.TRIG,
}


def negotiate(accept: str | None, offered: Sequence[str]) -> str | None:
    """The media type of *offered* that an HTTP ``Accept`` header prefers (``None``: none).

    Examples
    --------
    >>> negotiate("text/csv;q=0.5, application/sparql-results+xml", ["text/csv",
    ...     "application/sparql-results+xml"])
    'application/sparql-results+xml'
    >>> negotiate("*/*", ["text/turtle", "application/n-triples"])
    'text/turtle'
    >>> negotiate("image/png", ["text/csv"]) is None
    True
    """
    if not accept:
        return offered[0]
    best_key: tuple[float, int, int] | None = None
    best: str | None = None
    for position, part in enumerate(accept.split(",")):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        q = 1.0
        for param in fields[1:]:
            if param.startswith("q="):
                with contextlib.suppress(ValueError):
                    q = float(param[2:])
        if q <= 0:
            continue
        if media in ("*/*", "*", ""):
            match = offered[0]
        elif media.endswith("/*"):
            match = next((o for o in offered if o.startswith(media[:-1])), None)
        else:
            match = media if media in offered else None
        # exact types beat wildcards at equal q; earlier entries beat later ones
        key = (q, 0 if "*" in media else 1, -position)
        if match is not None and (best_key is None or key > best_key):
            best_key, best = key, match
    return best


class Spool:
    """A temporary file that stays in memory up to a few MB (``SpooledTemporaryFile``) and,
    given a *deadline* and a *limit*, refuses writes past either: the guard never holds a
    whole large answer in memory, and converting one counts in the time limit."""

    def __init__(
        self, *, deadline: float | None = None, limit: int | None = None, timeout: float = 0.0
    ) -> None:
        self._file = tempfile.SpooledTemporaryFile(max_size=_SPOOL_BYTES)  # noqa: SIM115
        self.size = 0
        self.deadline, self.limit, self.timeout = deadline, limit, timeout
        self.stopped: Stopped | None = None

    def write(self, data: bytes) -> int:
        self.size += len(data)
        self.check()
        self._file.write(data)
        return len(data)

    def check(self) -> None:
        """Raise the limit this spool is past, if any (and remember it)."""
        if self.limit is not None and self.size > self.limit:
            self.stopped = too_large(self.limit)
        elif self.deadline is not None and time.monotonic() > self.deadline:
            self.stopped = time_limit(self.timeout)
        if self.stopped is not None:
            raise self.stopped

    def flush(self) -> None:
        self._file.flush()

    def writable(self) -> bool:
        return True

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        return self._file.read(n)

    def seek(self, offset: int, whence: int = 0) -> int:
        return self._file.seek(offset, whence)

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> Spool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def prefixes_for(fmt: ox.RdfFormat) -> dict[str, str] | None:
    """The project's prefixes for a Turtle or TriG answer (``None`` for other formats)."""
    if fmt not in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG):
        return None
    from bioeco.core.vocab import PREFIXES

    return {p: str(ns) for p, ns in PREFIXES.items()}


def not_acceptable(types: dict) -> str:
    """The 406 text: the formats this endpoint answers in."""
    return "no acceptable format; this endpoint answers in " + ", ".join(types)


def engine_message(raw: bytes) -> str:
    """The engine's error text, with line numbers counted from the user's first line."""
    text = raw.decode("utf-8", "replace").strip()

    def shift(match: re.Match) -> str:
        line = int(match.group(1)) - _PREFIX_LINES
        return f"error at {line}:{match.group(2)}" if line > 0 else match.group(0)

    return re.sub(r"error at (\d+):(\d+)", shift, text)[:2000]


_SHORTAGE = re.compile(
    r"os error (?:11|12|23|24)\b|Resource temporarily unavailable|Cannot allocate memory"
    r"|Too many open files"
)


def engine_busy(raw: bytes) -> Busy | None:
    """The :class:`Busy` answer when the engine's error text *raw* is a shortage of the moment
    (no thread, memory or file to be had just then: ``EAGAIN``, ``ENOMEM``, ``ENFILE``,
    ``EMFILE``), which the same query may not meet when asked again; otherwise ``None``.

    Examples
    --------
    >>> busy = engine_busy(b"Resource temporarily unavailable (os error 11)")
    >>> busy.status, busy.reason, busy.retry_after
    (503, 'Engine busy', 1)
    >>> print(busy.detail)  # doctest: +NORMALIZE_WHITESPACE
    the engine was short of resources for a moment (Resource temporarily unavailable
    (os error 11)); try again
    >>> engine_busy(b"Parser error at 1:5: expected SELECT") is None
    True
    """
    text = raw.decode("utf-8", "replace")
    found = _SHORTAGE.search(text)
    if found is None:
        return None
    line = next((ln.strip() for ln in text.splitlines() if found.group(0) in ln), found.group(0))
    line = re.split(r"[\[\]{}]", line)[-1].strip().lstrip(",").strip() or found.group(0)
    return Busy(
        "Engine busy",
        f"the engine was short of resources for a moment ({line[:300]}); try again",
    )


def stream_error(raw: bytes) -> Stopped:
    """Explain an error the engine appended to a partly streamed answer."""
    text = raw.decode("utf-8", "replace")
    tail = re.split(r"[\[\]{}]", text)[-1].strip().lstrip(",").strip() or "unknown error"
    busy = engine_busy(tail.encode())  # the error's text only, never the data before it
    if busy is not None:
        return busy
    if "cancelled" in tail:
        return Stopped(
            503,
            "Query time limit exceeded",
            "the query ran longer than the engine's time limit and was stopped",
        )
    if "ermission denied" in tail or "os error 13" in tail:
        return Stopped(
            403,
            "SERVICE refused",
            "SERVICE is refused: this endpoint never reaches the network "
            f"(the engine cannot open connections: {tail[:300]})",
        )
    return Stopped(500, "Query failed", f"the query failed while answering: {tail[:500]}")
