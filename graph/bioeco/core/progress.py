"""Progress of long jobs: the library names each step; whoever listens (the CLI) shows it.

The library never prints. A step is announced with :func:`step`; nothing happens unless a
listener was installed with :func:`listening` (the command line installs one that draws a
status line on a terminal, and nothing when stderr is not a terminal or with ``--quiet``).

Examples
--------
>>> seen = []
>>> with listening(seen.append):
...     step("loading tables")
...     step("building the graph")
>>> seen
['loading tables', 'building the graph']

A job (a library entry point) ends with an empty step, so a listener can clear its line:

>>> @job
... def work():
...     step("thinking")
>>> with listening(seen.append):
...     work()
>>> seen[-2:]
['thinking', '']
>>> step("nobody listens")  # no listener: nothing happens
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps
from typing import Any, TypeVar, cast

__all__ = ["job", "listening", "step"]

F = TypeVar("F", bound=Callable[..., Any])

_listener: ContextVar[Callable[[str], None] | None] = ContextVar("bioeco_progress", default=None)


def step(name: str) -> None:
    """Announce that the step *name* starts (a short phrase, e.g. ``"validating (SHACL)"``)."""
    listener = _listener.get()
    if listener is not None:
        listener(name)


@contextmanager
def listening(callback: Callable[[str], None]) -> Iterator[None]:
    """Send every step announced inside the block to *callback*."""
    token = _listener.set(callback)
    try:
        yield
    finally:
        _listener.reset(token)


def job(fn: F) -> F:
    """Decorate a library entry point: when it returns or fails, listeners get ``""`` (the job
    is over; a status line can be cleared before the caller prints its results)."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        finally:
            step("")

    return cast(F, wrapper)
