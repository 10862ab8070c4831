"""Old import paths of modules moved into rooms in 0.2, kept for one release with a warning."""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import sys
import warnings
from types import ModuleType

__all__ = ["MOVED", "MovedModuleFinder", "install"]

MOVED = {
    "bioeco.analyze": "bioeco.analyses",
    "bioeco.catalog": "bioeco.store.catalog",
    "bioeco.check": "bioeco.ingest.check",
    "bioeco.build": "bioeco.ingest.build",
    "bioeco.diskstore": "bioeco.store.disk",
    "bioeco.ecosystem": "bioeco.notebook.ecosystem",
    "bioeco.export": "bioeco.ingest.export",
    "bioeco.formats": "bioeco.core.formats",
    "bioeco.freshness": "bioeco.store.freshness",
    "bioeco.jupyter": "bioeco.notebook.jupyter",
    "bioeco.lifeline": "bioeco.serve.lifeline",
    "bioeco.load": "bioeco.ingest.load",
    "bioeco.notebooks": "bioeco.notebook.runner",
    "bioeco.paths": "bioeco.core.paths",
    "bioeco.progress": "bioeco.core.progress",
    "bioeco.quads": "bioeco.ingest.quads",
    "bioeco.query": "bioeco.store.query",
    "bioeco.remote": "bioeco.serve.remote",
    "bioeco.safeio": "bioeco.core.safeio",
    "bioeco.sandbox": "bioeco.store.sandbox",
    "bioeco.schemes": "bioeco.core.schemes",
    "bioeco.shacl_sparql": "bioeco.validate.sparql_engine",
    "bioeco.stats": "bioeco.store.stats",
    "bioeco.vocab": "bioeco.core.vocab",
}
"""Old module name → where it lives now. ``bioeco.store``, ``bioeco.validate`` and
``bioeco.serve`` are rooms now; each still offers the old module's public names. The
0.1 subpackage ``bioeco.analyze`` is the room ``bioeco.analyses`` (the name ``bioeco.analyze``
is the pipeline function); its modules (``bioeco.analyze.gaps`` …) follow it, with the one
warning of the package."""


def _new_name(fullname: str) -> str | None:
    """Where an old module name lives now: a moved module, or a module of a moved package."""
    if fullname in MOVED:
        return MOVED[fullname]
    parent, _, child = fullname.rpartition(".")
    if parent in MOVED:
        return f"{MOVED[parent]}.{child}"
    return None


class MovedModuleFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Answers an import of an old module name with the moved module and a DeprecationWarning.

    Examples
    --------
    >>> import importlib, warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore", DeprecationWarning)
    ...     old = importlib.import_module("bioeco.vocab")
    >>> old is importlib.import_module("bioeco.core.vocab")
    True
    """

    def find_spec(
        self, fullname: str, path: object = None, target: object = None
    ) -> importlib.machinery.ModuleSpec | None:
        new = _new_name(fullname)
        found = None if new is None else importlib.util.find_spec(new)
        if found is None:
            return None
        package = found.submodule_search_locations is not None
        return importlib.util.spec_from_loader(fullname, self, is_package=package)

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        new = _new_name(spec.name)
        assert new is not None  # find_spec answered for this name
        if spec.name in MOVED:
            warnings.warn(
                f"{spec.name} moved to {new}; the old name goes in the next release",
                DeprecationWarning,
                stacklevel=2,
            )
        return importlib.import_module(new)

    def exec_module(self, module: ModuleType) -> None:
        """The moved module is already executed."""


def install() -> None:
    """Put the finder on ``sys.meta_path`` once (the package's ``__init__`` calls it).

    It goes first: a module of a moved package (``bioeco.analyze.gaps``) would otherwise be
    found again by the path finder in the new package's folder and run a second time."""
    if not any(isinstance(f, MovedModuleFinder) for f in sys.meta_path):
        sys.meta_path.insert(0, MovedModuleFinder())
