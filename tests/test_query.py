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


def test_values_bind_iris_as_the_spelled_out_block_does(tiny_dataset, monkeypatch):
    from bioeco.store import query as q

    template = "SELECT ?x ?l WHERE { ?x skos:prefLabel ?l } ORDER BY ?x"
    every = select(tiny_dataset, template)
    some = sorted(set(every["x"]))[:2]
    spelled = template.replace(
        "WHERE {", "WHERE {\n  VALUES ?x { " + " ".join(f"<{i}>" for i in some) + " }", 1
    )
    bound = select(tiny_dataset, template, values={"x": some})
    assert bound.equals(select(tiny_dataset, spelled))
    assert sorted(set(bound["x"])) == some
    # the long text is not parsed when the template was checked and the filter runs the engine
    parsed: list[str] = []
    real = q._parse_checked
    monkeypatch.setattr(
        q, "_parse_checked", lambda text, **kw: parsed.append(text) or real(text, **kw)
    )
    select(tiny_dataset, template, values={"x": some})
    assert parsed == [template]


@pytest.mark.parametrize(
    "iri", ["http://x/> } SERVICE <http://127.0.0.1:9/", "http://x/a b", "http://x/\\u003E", ""]
)
def test_values_refuse_anything_but_one_iri(tiny_dataset, iri):
    with pytest.raises(QueryError, match="not an IRI"):
        select(tiny_dataset, "SELECT ?x WHERE { ?x ?p ?o }", values={"x": [iri]})


def test_values_still_check_the_template(tiny_dataset):
    with pytest.raises(NetworkRefused):
        select(
            tiny_dataset,
            "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?x ?p ?o } }",
            values={"x": ["http://example.org/a"]},
        )


def test_values_after_a_commented_head_parse_the_whole_text(tiny_dataset, monkeypatch):
    from bioeco.store import query as q

    # a 'WHERE {' in a comment: the block would land there, so the whole text is checked
    template = (
        "# WHERE { SERVICE <http://127.0.0.1:9/> { ?x ?p ?o } }\nSELECT ?x WHERE { ?x ?p ?o }"
    )
    with pytest.raises((NetworkRefused, QueryError)):
        select(tiny_dataset, template, values={"x": ["http://example.org/a"]})
    assert q._bind_values(template, {"x": []})[1] is False
