"""SHACL validation: shapes compiled to SPARQL on Oxigraph, or pySHACL as reference."""

from __future__ import annotations

from importlib import import_module
from typing import Any

_HOME = "bioeco.validate.shacl"  # the module that was ``bioeco.validate`` before the rooms (0.1)


def __getattr__(name: str) -> Any:
    """The old module's public names, still reachable as ``bioeco.validate.NAME`` (PEP 562)."""
    module = import_module(_HOME)
    if name in module.__all__:
        return getattr(module, name)
    raise AttributeError(f"module 'bioeco.validate' has no attribute {name!r}")
