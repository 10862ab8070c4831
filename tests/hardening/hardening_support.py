"""Constants and helpers shared by the hardening tests (importable as ``hardening_support``)."""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).parent
CORPUS = HERE / "corpus"
ROOT = HERE.parent.parent
TINY = ROOT / "tests" / "fixtures" / "tiny"
BIOECO = ROOT / ".venv" / "bin" / "bioeco"


def in_store(relative: str) -> bool:
    """Whether a path relative to ``out/`` belongs to the persistent Oxigraph store (the link
    ``bioeco.oxigraph`` and the hidden store folders): database files whose bytes differ
    between two builds of the same graph (RocksDB logs, ids), checked through their content."""
    first = relative.split("/", 1)[0]
    return first == "bioeco.oxigraph" or first.startswith(".bioeco.oxigraph.")


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file below *folder* (hidden ones included) with its bytes, the persistent store
    apart (:func:`in_store`)."""
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not in_store(str(p.relative_to(folder)))
    }
