"""The graph over HTTP: the guarded read-only endpoint and external SPARQL stores."""

from __future__ import annotations

from importlib import import_module
from typing import Any

_HOME = "bioeco.serve.endpoint"  # the module that was ``bioeco.serve`` before the rooms (0.1)


def __getattr__(name: str) -> Any:
    """The old module's public names, still reachable as ``bioeco.serve.NAME`` (PEP 562)."""
    module = import_module(_HOME)
    if name in module.__all__:
        return getattr(module, name)
    raise AttributeError(f"module 'bioeco.serve' has no attribute {name!r}")
