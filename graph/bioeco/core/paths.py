"""Where the project's assets live: ontology/, data/, out/ (overridable by environment)."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = [
    "DATA_DIR",
    "ONTOLOGY_DIR",
    "OUT_DIR",
    "PROJECT_ROOT",
    "QUERIES_DIR",
    "SEEDS_DIR",
    "ontology_files",
]

PROJECT_ROOT = Path(__file__).resolve().parents[3]  # graph/bioeco/core/paths.py -> the checkout
ONTOLOGY_DIR = Path(os.environ.get("BIOECO_ONTOLOGY", PROJECT_ROOT / "ontology"))
DATA_DIR = Path(os.environ.get("BIOECO_DATA", PROJECT_ROOT / "data"))
OUT_DIR = Path(os.environ.get("BIOECO_OUT", PROJECT_ROOT / "out"))
QUERIES_DIR = Path(__file__).resolve().parent.parent / "store" / "queries"
SEEDS_DIR = PROJECT_ROOT.parent / "shared" / "seeds"


def ontology_files(ontology_dir: Path | None = None) -> list[Path]:
    """Return the Turtle files of the ontology (core + analysis) and the concept schemes, not the
    shapes.

    Examples
    --------
    >>> [p.name for p in ontology_files()][:1]
    ['bioeco.ttl']
    """
    base = Path(ontology_dir or ONTOLOGY_DIR)
    files = [base / name for name in ("bioeco.ttl", "analysis.ttl") if (base / name).exists()]
    files += sorted((base / "schemes").glob("*.ttl"))
    return files
