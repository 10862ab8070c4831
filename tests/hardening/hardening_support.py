"""Constants and helpers shared by the hardening tests (importable as ``hardening_support``)."""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).parent
CORPUS = HERE / "corpus"
ROOT = HERE.parent.parent
TINY = ROOT / "tests" / "fixtures" / "tiny"
BIOECO = ROOT / ".venv" / "bin" / "bioeco"


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file below *folder* (hidden ones included) with its bytes."""
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }
