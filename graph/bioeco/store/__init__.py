"""Where the graph lives and is asked: Oxigraph datasets, on-disk store, sandboxed SPARQL."""

from __future__ import annotations

from importlib import import_module
from typing import Any

_HOME = "bioeco.store.dataset"  # the module that was ``bioeco.store`` before the rooms (0.1)


def __getattr__(name: str) -> Any:
    """The old module's public names, still reachable as ``bioeco.store.NAME`` (PEP 562)."""
    module = import_module(_HOME)
    if name in module.__all__:
        return getattr(module, name)
    raise AttributeError(f"module 'bioeco.store' has no attribute {name!r}")
