"""SPARQL: answers as DataFrames, syntax errors as QueryError, SERVICE/LOAD refused."""

from __future__ import annotations

import pytest

from bioeco.errors import NetworkRefused, QueryError
from bioeco.store.query import check_query, select


def test_select_sees_union_of_named_graphs(tiny_dataset):
    frame = select(tiny_dataset, "SELECT (COUNT(*) AS ?n) WHERE { ?m a org:Membership }")
    assert int(frame.loc[0, "n"]) == 9


def test_per_graph_query(tiny_dataset):
    frame = select(
        tiny_dataset,
        "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?m a org:Membership } } GROUP BY ?g "
        "ORDER BY ?g",
    )
    assert [int(n) for n in frame["n"]] == [8, 1]


def test_ask_and_construct(tiny_dataset):
    assert select(tiny_dataset, "ASK { actor:alpha a org:Organization }").loc[0, "ask"]
    frame = select(
        tiny_dataset, "CONSTRUCT { ?x a org:Organization } WHERE { ?x a bioeco:Company }"
    )
    assert list(frame.columns) == ["subject", "predicate", "object"]
    assert len(frame) == 2


def test_syntax_error_reports_line_of_user_query(tiny_dataset):
    with pytest.raises(QueryError, match=r"^SPARQL syntax error at line 2"):
        select(tiny_dataset, "SELECT ?x\nWHERE { ?x ?y }")


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
        "SELECT * WHERE { ?a ?b ?c . { SERVICE SILENT <http://127.0.0.1:9/> { ?s ?p ?o } } }",
        "select * where { service <http://127.0.0.1:9/> { ?s ?p ?o } }",
    ],
)
def test_service_is_refused(tiny_dataset, query):
    with pytest.raises(NetworkRefused):
        select(tiny_dataset, query)


def test_load_update_is_refused():
    with pytest.raises(NetworkRefused):
        check_query("LOAD <http://127.0.0.1:9/data.ttl>", update=True)
