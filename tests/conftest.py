"""Shared fixtures: a tiny hand-made data directory and the graph built from it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bioeco.ingest.build import build_dataset
from bioeco.ingest.load import load_records

FIXTURES = Path(__file__).parent / "fixtures"
TINY = FIXTURES / "tiny"


def rdflib_outputs(dataset) -> tuple[bytes, bytes]:
    """TriG and Turtle bytes of *dataset* as the rdflib serializers write them (canonicalised
    rdflib triples, sorted on ``n3()``): the reference the direct Oxigraph paths must equal."""
    import itertools

    from rdflib import URIRef

    from bioeco.ingest.export import serialize_trig, serialize_turtle

    per_graph = {
        URIRef(str(c.identifier)): list(c)
        for c in dataset.graphs()
        if isinstance(c.identifier, URIRef) and len(c)
    }
    trig = serialize_trig(per_graph)
    ttl = serialize_turtle(itertools.chain.from_iterable(per_graph.values()))
    return trig.encode(), ttl.encode()


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
