"""Where the project's assets live: ontology/, data/, out/ (overridable by environment).

In a checkout (``graph/bioeco/`` under a folder with ``pyproject.toml``) the defaults are the
checkout's ``ontology/``, ``data/`` and ``out/``. Installed from a wheel, ``data/`` and ``out/``
are those of the working directory and the ontology is the copy shipped inside the package
(``bioeco/ontology/``, see ``[tool.setuptools]`` in pyproject.toml). ``BIOECO_ONTOLOGY``,
``BIOECO_DATA``, ``BIOECO_OUT`` and ``BIOECO_SEEDS`` override each.
"""

from __future__ import annotations

import os
from pathlib import Path

from bioeco.errors import OntologyNotFound

__all__ = [
    "DATA_DIR",
    "IN_CHECKOUT",
    "ONTOLOGY_DIR",
    "OUT_DIR",
    "PACKAGED_ONTOLOGY_DIR",
    "PROJECT_ROOT",
    "QUERIES_DIR",
    "SEEDS_DIR",
    "ontology_files",
]

_PACKAGE = Path(__file__).resolve().parents[1]  # graph/bioeco, or site-packages/bioeco
_CHECKOUT = _PACKAGE.parents[1]  # graph/bioeco -> the checkout
#: True when the package runs from a source checkout (editable install, tests), False when
#: installed from a wheel.
IN_CHECKOUT = _PACKAGE.parent.name == "graph" and (_CHECKOUT / "pyproject.toml").is_file()
PROJECT_ROOT = _CHECKOUT if IN_CHECKOUT else Path.cwd()
#: the copy of ontology/ a wheel carries (absent in a checkout: there ontology/ is used)
PACKAGED_ONTOLOGY_DIR = _PACKAGE / "ontology"


def _default_ontology() -> Path:
    if os.environ.get("BIOECO_ONTOLOGY"):
        return Path(os.environ["BIOECO_ONTOLOGY"])
    checkout = _CHECKOUT / "ontology"
    if IN_CHECKOUT and (checkout / "bioeco.ttl").is_file():
        return checkout
    return PACKAGED_ONTOLOGY_DIR


ONTOLOGY_DIR = _default_ontology()
DATA_DIR = Path(os.environ.get("BIOECO_DATA", PROJECT_ROOT / "data"))
OUT_DIR = Path(os.environ.get("BIOECO_OUT", PROJECT_ROOT / "out"))
QUERIES_DIR = _PACKAGE / "store" / "queries"
SEEDS_DIR = Path(os.environ.get("BIOECO_SEEDS", PROJECT_ROOT.parent / "shared" / "seeds"))


def ontology_files(ontology_dir: Path | None = None) -> list[Path]:
    """Return the Turtle files of the ontology (core + analysis) and the concept schemes, not the
    shapes. A folder without ``bioeco.ttl`` is not an ontology: :class:`OntologyNotFound`.

    Examples
    --------
    >>> [p.name for p in ontology_files()][:1]
    ['bioeco.ttl']
    >>> ontology_files(Path("/nonexistent"))
    Traceback (most recent call last):
      ...
    bioeco.errors.OntologyNotFound: /nonexistent: the ontology is missing (no bioeco.ttl); ...
    """
    base = Path(ontology_dir or ONTOLOGY_DIR)
    if not (base / "bioeco.ttl").is_file():
        raise OntologyNotFound(base)
    files = [base / name for name in ("bioeco.ttl", "analysis.ttl") if (base / name).exists()]
    files += sorted((base / "schemes").glob("*.ttl"))
    return files
