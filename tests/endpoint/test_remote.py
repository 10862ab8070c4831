"""push / query --endpoint / analyze --endpoint against two real stores on 127.0.0.1 (the
Oxigraph server and Virtuoso 7): the same answers as the local build."""

from __future__ import annotations

import json
import math

import pandas as pd
import pytest
from click.testing import CliRunner

from bioeco.analyses.run import run_analyses
from bioeco.core.vocab import analysis_graph
from bioeco.errors import EndpointError
from bioeco.pipeline import open_graph
from bioeco.serve.remote import Remote, graph_payloads, push
from bioeco.store.catalog import example_queries
from bioeco.store.dataset import load_dataset
from bioeco.store.query import select
from cli import main


def _rows(frame: pd.DataFrame, ordered: bool) -> list[tuple]:
    def cell(value):
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return None
        if isinstance(value, str) and ", " in value:  # GROUP_CONCAT: order is the engine's
            return ", ".join(sorted(value.split(", ")))
        return round(value, 9) if isinstance(value, float) else value

    rows = [tuple(cell(v) for v in row) for row in frame.itertuples(index=False)]
    return rows if ordered else sorted(rows, key=repr)


@pytest.fixture(scope="module")
def local(graph_files):
    return open_graph(graph_file=graph_files)


KINDS = ["gaps", "overlap", "bridges"]  # all, without change (it needs the local graph)


@pytest.fixture(scope="module")
def local_analyses(graph_files):
    return run_analyses(load_dataset(graph_files[0]), KINDS)


@pytest.fixture(scope="module")
def local_analyze_json(graph_files):
    result = CliRunner().invoke(
        main, ["analyze", "all", "--graph", str(graph_files[0]), "--no-write", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_push_wrote_every_named_graph(store, remote, graph_files):
    payloads = graph_payloads(graph_files)
    assert remote.graphs() == sorted(payloads)
    assert str(analysis_graph()) in payloads
    counts = remote.select("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    assert dict(counts.itertuples(index=False)) == {
        g: data.count(b"\n") for g, data in payloads.items()
    }


@pytest.mark.parametrize("example", example_queries(), ids=lambda q: q.name)
def test_every_example_query_answers_as_locally(store, remote, local, example):
    expected = select(local, example.text)
    got = remote.select(example.text)
    assert list(got.columns) == list(expected.columns)
    ordered = "ORDER BY" in example.text.upper()
    assert _rows(got, ordered) == _rows(expected, ordered)
    assert len(expected) > 0


def test_analyze_all_answers_as_locally(store, remote, local_analyses):
    expected = local_analyses
    got = run_analyses(remote.without(str(analysis_graph())), ["all"])
    assert list(got) == list(expected)
    for name, table in expected.items():
        pd.testing.assert_frame_equal(
            got[name].reset_index(drop=True), table.reset_index(drop=True), obj=name
        )


def test_paged_select_equals_one_page(store, graph_files):
    query = "SELECT ?m ?who WHERE { ?m a org:Membership ; org:member ?who }"
    small = Remote(store.query, page_size=37)
    whole = Remote(store.query, page_size=100_000)
    a, b = small.select_paged(query), whole.select_paged(query)
    assert len(a) > 37 * 3
    assert _rows(a, True) == _rows(b, True)
    assert len(set(_rows(a, True))) == len(a)  # pages neither overlap nor miss rows


def test_push_again_is_idempotent_and_update_fallback_gives_the_same(store, remote, graph_files):
    def count() -> int:
        frame = remote.select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
        return int(frame.iloc[0, 0])

    before = count()
    push(graph_files, store.query, graph_store=store.graph_store, user=store.user,
         password=store.password)  # fmt: skip
    assert count() == before
    pushed = push(graph_files, store.query, update_endpoint=store.update, user=store.user,
                  password=store.password)  # fmt: skip
    assert {p.method for p in pushed} == {"SPARQL Update"}
    assert count() == before


def test_cli_query_and_analyze_with_endpoint_match_local(store, graph_files, local_analyze_json):
    runner = CliRunner()
    graphs = [arg for f in graph_files for arg in ("--graph", str(f))]
    for name in ("mergers-and-changes", "survey-by-stage"):  # ordered answers
        local = runner.invoke(main, ["query", "--name", name, "--format", "csv", *graphs])
        remote = runner.invoke(
            main, ["query", "--name", name, "--format", "csv", "--endpoint", store.query]
        )
        assert remote.exit_code == 0, remote.output
        assert remote.output == local.output
    remote = runner.invoke(
        main, ["analyze", "all", "--endpoint", store.query, "--no-write", "--format", "json"]
    )
    assert remote.exit_code == 0, remote.output
    got, expected = json.loads(remote.stdout), local_analyze_json
    assert any(name.startswith("change") for name in expected)
    assert got == {k: v for k, v in expected.items() if not k.startswith("change")}
    refused = runner.invoke(main, ["analyze", "change", "--endpoint", store.query])
    assert refused.exit_code == 2
    assert "the change analysis needs the local graph" in refused.output


def test_cli_push_with_credentials_from_the_environment(store, graph_files, monkeypatch):
    args = ["push", "--endpoint", store.query, "--graph-store", store.graph_store]
    args += [arg for f in graph_files for arg in ("--graph", str(f))]
    if store.user:
        monkeypatch.setenv("BIOECO_TEST_PASSWORD", store.password)
        args += ["--user", store.user, "--password-env", "BIOECO_TEST_PASSWORD"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == (
        f"Pushed {len(graph_payloads(graph_files))} named graphs to {store.graph_store}"
    )
    assert "(graph-store PUT)" in result.output


def test_virtuoso_refuses_a_wrong_password(store, graph_files):
    if store.user is None:
        pytest.skip("the Oxigraph server has no accounts")
    with pytest.raises(EndpointError, match="HTTP 401"):
        push(graph_files, store.query, graph_store=store.graph_store, user=store.user,
             password="wrong")  # fmt: skip


def test_unreachable_store_is_one_line_exit_1():
    result = CliRunner().invoke(
        main, ["query", "ASK {}", "--endpoint", "http://127.0.0.1:9/sparql"]
    )
    assert result.exit_code == 1
    assert result.output.startswith("Error: http://127.0.0.1:9/sparql: cannot reach the store")
    assert result.output.count("\n") == 1


def test_endpoint_options_are_checked():
    runner = CliRunner()
    result = runner.invoke(main, ["query", "ASK {}", "--endpoint", "file:///etc/passwd"])
    assert result.exit_code == 2
    assert "--endpoint must be an http(s) URL" in result.output
    result = runner.invoke(
        main, ["query", "ASK {}", "--endpoint", "http://127.0.0.1:9/", "--user", "u",
               "--password-env", "BIOECO_NO_SUCH_VARIABLE"],
    )  # fmt: skip
    assert result.exit_code == 2
    assert "environment variable BIOECO_NO_SUCH_VARIABLE is not set" in result.output
