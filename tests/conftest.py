"""Shared fixtures: a tiny hand-made data directory and the graph built from it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bioeco.build import build_dataset
from bioeco.load import load_records

FIXTURES = Path(__file__).parent / "fixtures"
TINY = FIXTURES / "tiny"


@pytest.fixture
def tiny_dir(tmp_path: Path) -> Path:
    """A writable copy of tests/fixtures/tiny (sources.csv + src-a/ + src-b/)."""
    target = tmp_path / "data"
    shutil.copytree(TINY, target)
    return target


@pytest.fixture(scope="session")
def tiny_records():
    return load_records(TINY)


@pytest.fixture(scope="session")
def tiny_dataset(tiny_records):
    return build_dataset(records=tiny_records)
