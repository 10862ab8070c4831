"""Why the guard stops a request: the refusal it answers with and the checks of a query."""

from __future__ import annotations

import re

__all__ = [
    "MAX_NESTING",
    "MAX_OPERATORS",
    "READ_ONLY",
    "RETRY_AFTER",
    "Busy",
    "Stopped",
    "check_query",
    "time_limit",
    "too_large",
]


MAX_NESTING = 100
"""The deepest nesting of ``{ ( [`` a query may have (the engine's parser recurses: 5 000
nested braces killed it)."""
MAX_OPERATORS = 500
"""The most operators (``/ | ^ + - * ! = < > && ||``) a query may hold (a 20 000-step path or
a sum of 2 000 terms killed the engine)."""


READ_ONLY = (
    "bioeco serve is read-only: SPARQL Update and Graph Store writes are refused "
    "(load data with bioeco build, or push it to a server store with bioeco push)"
)


class Stopped(Exception):
    """An answer could not be given; ``status`` and ``reason`` go to the client, and
    ``retry_after`` (seconds), when set, as a ``Retry-After`` header: the same request may
    succeed then (the engine was busy or being replaced), which a client can act on."""

    def __init__(
        self, status: int, reason: str, detail: str, *, retry_after: int | None = None
    ) -> None:
        super().__init__(detail)
        self.status, self.reason, self.detail = status, reason, detail
        self.retry_after = retry_after


RETRY_AFTER = 1
"""Seconds a client is told to wait (``Retry-After``) before asking again after a 503 that a
moment's wait can cure."""


class Busy(Stopped):
    """A shortage of the moment, not a fault of the query: the engine was out of threads or
    memory for an instant (``os error 11``), or was replaced by another query's time limit
    while answering. The guard asks again within the query's time limit; when that does not
    help, the client gets this 503 with ``Retry-After``."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(503, reason, detail, retry_after=RETRY_AFTER)


def too_large(limit: int) -> Stopped:
    """The refusal of an answer larger than *limit* bytes."""
    return Stopped(
        413,
        "Answer too large",
        f"the answer is larger than {limit / 1_000_000:g} MB; add a LIMIT or ask for less",
    )


def time_limit(timeout: float) -> Stopped:
    """The refusal of an answer not done within *timeout* seconds."""
    return Stopped(
        503,
        "Query time limit exceeded",
        f"the query ran longer than the time limit of {timeout:g} s and was stopped; "
        "narrow it or add a LIMIT",
    )


_TOKEN = re.compile(
    r"""
    (?P<skip>\s+|\#[^\n]*)
    | (?P<string>"{3}(?:[^"\\]|\\.|"(?!""))*"{3}|'{3}(?:[^'\\]|\\.|'(?!''))*'{3}
        |"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
    | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
    | (?P<name>[?$]?[\w.:%\u00b7-\uffff-]+)
    | (?P<open>[{(\[])
    | (?P<close>[})\]])
    | (?P<op>\|\||&&|[/|^+*!=<>-]=?)
    | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)


def check_query(text: str) -> None:
    """Refuse a query the engine's recursive parser or evaluator could not survive: nesting of
    ``{ ( [`` deeper than :data:`MAX_NESTING`, or more than :data:`MAX_OPERATORS` operators
    (strings, IRIs and comments do not count). Raises a 400 :class:`Stopped`.

    Examples
    --------
    >>> check_query("SELECT * WHERE { ?s <a:p>/<a:q> ?o FILTER(?o > 1) }")
    >>> check_query('ASK { ?s ?p "((((" } # ((((')
    >>> check_query("ASK " + "{" * 101 + "}" * 101)
    Traceback (most recent call last):
    ...
    bioeco.serve.querycheck.Stopped: the query nests { ( [ 101 deep; this endpoint accepts ...
    """
    depth = deepest = operators = 0
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup
        if kind == "open":
            depth += 1
            deepest = max(deepest, depth)
        elif kind == "close":
            depth = max(depth - 1, 0)
        elif kind == "op":
            operators += 1
    if deepest > MAX_NESTING:
        raise Stopped(
            400,
            "Query too deeply nested",
            f"the query nests {{ ( [ {deepest} deep; this endpoint accepts at most "
            f"{MAX_NESTING} levels (deeper queries would stop its engine)",
        )
    if operators > MAX_OPERATORS:
        raise Stopped(
            400,
            "Query too long",
            f"the query has {operators} operators (/ | ^ + - * ! = < > && ||); this endpoint "
            f"accepts at most {MAX_OPERATORS} (longer paths or expressions would stop its "
            "engine)",
        )
