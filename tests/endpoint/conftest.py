"""Fixtures: the real data built once, the bioeco endpoint over it, and two real stores."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bioeco.pipeline import analyze, build
from bioeco.serve.endpoint import Endpoint, load_store
from bioeco.serve.remote import Remote, push
from tests.endpoint.stores import Store, oxigraph_server, virtuoso_server


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """out/ of a build of data/ plus `analyze all` (bioeco.trig, analysis.trig)."""
    out = tmp_path_factory.mktemp("endpoint") / "out"
    build(None, out, check=False)
    analyze(("gaps", "overlap", "bridges"), graph_file=out / "bioeco.trig", out_dir=out)
    return out


@pytest.fixture(scope="session")
def graph_files(built: Path) -> list[Path]:
    return [built / "bioeco.trig", built / "analysis.trig"]


@pytest.fixture(scope="session")
def endpoint(
    graph_files: list[Path], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Endpoint]:
    """bioeco's read-only endpoint over the built graph (the network filter on)."""
    folder = tmp_path_factory.mktemp("serve")
    load_store(graph_files, folder / "store")
    server = Endpoint(folder / "store", port=0, timeout=20)
    server.start()
    server.serve_in_thread()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture(scope="session", params=["oxigraph", "virtuoso"])
def store(request, graph_files, tmp_path_factory) -> Iterator[Store]:
    """A real SPARQL store on 127.0.0.1 holding the pushed graphs (Graph Store Protocol)."""
    folder = tmp_path_factory.mktemp(request.param)
    start = oxigraph_server if request.param == "oxigraph" else virtuoso_server
    with start(folder) as running:
        push(
            graph_files,
            running.query,
            graph_store=running.graph_store,
            user=running.user,
            password=running.password,
        )
        yield running


@pytest.fixture
def remote(store: Store) -> Remote:
    return Remote(store.query)
