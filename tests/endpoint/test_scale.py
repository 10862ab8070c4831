"""Past one machine (issue 13): the synthetic national-scale data, pushed to a real Oxigraph
server on 127.0.0.1, gives through ``query --endpoint`` and ``analyze --endpoint`` the same
answers as the local run on the same graph.

The data is generated in the test (``bench.generate``, seed 0) at :data:`SCALE` = 8 (800
actors, 160 initiatives, 4 800 memberships, about 96 000 triples) and read back in pages
smaller than the answers, so that paging is exercised: every example query, the network every
analysis starts from (``load_network``, also ``--as-of`` and ``--basis stated``), gaps and
overlap, and the CLI. The bridge analyses cost about 25 CPU seconds per run at scale 8, so
``analyze`` as a whole (gaps, overlap, bridges) is compared at :data:`SMALL` = 2; from the same
network they compute the same tables (they are deterministic).
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from bench.generate import generate
from bioeco.analyses.project import load_network
from bioeco.analyses.run import run_analyses
from bioeco.pipeline import build
from bioeco.serve.remote import Remote, push
from bioeco.store.catalog import example_queries
from bioeco.store.dataset import load_dataset
from bioeco.store.query import select
from cli import main
from tests.endpoint.stores import oxigraph_server
from tests.endpoint.test_remote import _rows

SCALE = 8
SMALL = 2
KINDS = ["gaps", "overlap", "bridges"]  # `all` without change: it needs the local files


def _built(root: Path, scale: int) -> Path:
    """out/bioeco.trig built from the synthetic data at *scale* (no SHACL: the generator's
    data conforms, tests/test_bench.py checks it)."""
    generate(root / "data", scale=scale, seed=0)
    build(root / "data", root / "out", check=False)
    return root / "out" / "bioeco.trig"


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory) -> Path:
    return _built(tmp_path_factory.mktemp("scale"), SCALE)


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> Path:
    return _built(tmp_path_factory.mktemp("small"), SMALL)


@contextlib.contextmanager
def _pushed(trig: Path, folder: Path):
    with oxigraph_server(folder) as running:
        push([trig], running.query, graph_store=running.graph_store)
        yield running


@pytest.fixture(scope="module")
def server(synthetic, tmp_path_factory):
    with _pushed(synthetic, tmp_path_factory.mktemp("oxigraph")) as running:
        yield running


@pytest.fixture(scope="module")
def local(synthetic):
    return load_dataset(synthetic)


def test_example_queries_answer_as_locally_at_scale(server, local):
    remote = Remote(server.query, page_size=500)
    for example in example_queries():
        expected = select(local, example.text)
        got = remote.select(example.text)
        assert list(got.columns) == list(expected.columns), example.name
        ordered = "ORDER BY" in example.text.upper()
        assert _rows(got, ordered) == _rows(expected, ordered), example.name
    assert len(select(local, "SELECT ?m WHERE { ?m a org:Membership }")) == 600 * SCALE


@pytest.mark.parametrize(
    "options", [{}, {"as_of": 2019}, {"basis": "stated"}], ids=["all", "as-of", "stated"]
)
def test_the_network_every_analysis_reads_is_the_same_at_scale(server, local, options):
    expected = load_network(local, **options)
    got = load_network(Remote(server.query, page_size=2000), **options)
    for part in ("nodes", "edges", "concepts"):
        pd.testing.assert_frame_equal(getattr(got, part), getattr(expected, part), obj=part)
    assert len(expected.edges) > 1000


def test_gaps_and_overlap_answer_as_locally_at_scale(server, local):
    kinds = ["gaps", "overlap"]
    _same_tables(run_analyses(Remote(server.query, page_size=2000), kinds, top=20),
                 run_analyses(local, kinds, top=20))  # fmt: skip


def test_every_analysis_answers_as_locally(small, tmp_path_factory):
    expected = run_analyses(load_dataset(small), KINDS, top=20)
    with _pushed(small, tmp_path_factory.mktemp("oxigraph-small")) as running:
        got = run_analyses(Remote(running.query, page_size=500), KINDS, top=20)
    _same_tables(got, expected)
    assert len(expected["bridges_actors"]) > 0


def _same_tables(got: dict, expected: dict) -> None:
    assert list(got) == list(expected)
    for name, table in expected.items():
        pd.testing.assert_frame_equal(
            got[name].reset_index(drop=True), table.reset_index(drop=True), obj=name
        )
    assert len(expected["overlap_pairs"]) > 0


def test_cli_commands_against_the_endpoint_at_scale(server, synthetic):
    runner = CliRunner()
    name = "sectors-stated-only"  # ordered, thousands of rows
    args = ["query", "--name", name, "--format", "csv"]
    here = runner.invoke(main, [*args, "--graph", str(synthetic)])
    there = runner.invoke(main, [*args, "--endpoint", server.query])
    assert there.exit_code == 0, there.output
    assert there.output == here.output and here.output.count("\n") > 100 * SCALE
    args = ["analyze", "overlap", "--top", "10", "--no-write", "--format", "json"]
    here = runner.invoke(main, [*args, "--graph", str(synthetic)])
    there = runner.invoke(main, [*args, "--endpoint", server.query])
    assert there.exit_code == 0, there.output
    assert json.loads(there.stdout) == json.loads(here.stdout)
