"""Fixtures for the analysis tests: tiny contract-conforming graphs built from Python data."""

from __future__ import annotations

import pytest
from rdflib import Graph

from bioeco.analyses._fixture import build_graph, example_graph


@pytest.fixture
def make_graph():
    """The graph builder: ``make_graph(actors, initiatives, memberships, observations)``."""
    return build_graph


@pytest.fixture(scope="session")
def example() -> Graph:
    """The small example ecosystem of the doctests."""
    return example_graph()
