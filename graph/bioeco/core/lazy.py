"""Rooms that import their modules on first use (PEP 562): one ``__getattr__`` for all."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["lazy_room"]


def lazy_room(
    package: str, names: Mapping[str, str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """The module-level ``__getattr__`` and ``__dir__`` of the package *package* whose public
    *names* (name → module of the package defining it) are imported on first use; any other
    attribute is tried as a module of the package (``bioeco.pipeline.build_step``).

    Examples
    --------
    >>> import bioeco.pipeline as room
    >>> room.build.__module__, "whatif" in dir(room)
    ('bioeco.pipeline.build_step', True)
    >>> room.no_such_name
    Traceback (most recent call last):
    ...
    AttributeError: module 'bioeco.pipeline' has no attribute 'no_such_name'
    """

    def __getattr__(name: str) -> Any:
        if name in names:
            value = getattr(importlib.import_module(f"{package}.{names[name]}"), name)
            setattr(sys.modules[package], name, value)
            return value
        try:  # a module of the room, e.g. ``bioeco.analyses.run``
            return importlib.import_module(f"{package}.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{package}.{name}":
                raise
            raise AttributeError(f"module {package!r} has no attribute {name!r}") from None

    def __dir__() -> list[str]:
        return sorted(set(vars(sys.modules[package])) | set(names))

    return __getattr__, __dir__
