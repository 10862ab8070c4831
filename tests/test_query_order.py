"""``select`` sorts the engine's unordered answer itself for a final ORDER BY of plain variables
(pyoxigraph 0.5 re-reads both terms in every comparison of its own sort), and only where that
gives exactly the engine's order: every answer here is compared with the engine's ORDER BY."""

from __future__ import annotations

import pandas as pd
import pyoxigraph as ox
import pytest

import bioeco.query
from bench.generate import generate
from bioeco.build import build_dataset
from bioeco.catalog import example_queries
from bioeco.paths import DATA_DIR
from bioeco.query import _order_plan, _parse_checked, select
from bioeco.store import wrap_store

EX = "http://example.org/"
XSD = "http://www.w3.org/2001/XMLSchema#"


def _plan(text):
    return _order_plan(text, _parse_checked(text))


# --------------------------------------------------------------------------- which texts


def test_plan_cuts_the_final_order_by_of_plain_variables():
    text = "SELECT ?s ?o WHERE { ?s ?p ?o } order by ?o DESC(?s) asc( $p )"
    assert _plan(text) == (
        "SELECT ?s ?o ?p WHERE { ?s ?p ?o } ",
        [("o", True), ("s", False), ("p", True)],
        ["p"],
    )


def test_plan_keeps_strings_comments_and_subqueries_that_look_like_order_by():
    text = (
        'SELECT ?s WHERE { { SELECT ?s WHERE { ?s ?p "ORDER BY ?x" } ORDER BY ?s } }\n'
        "# ORDER BY ?nothing\n"
        "ORDER BY ?s # the last clause\n"
    )
    unordered, keys, extra = _plan(text)
    assert unordered == text[: text.rindex("ORDER BY ?s #")]
    assert keys == [("s", True)] and extra == []


def test_plan_projects_missing_keys_after_the_projection():
    text = "SELECT ?a (STR(?o) AS ?x) WHERE { ?a ?p ?o } ORDER BY ?o"
    assert _plan(text)[0] == "SELECT ?a (STR(?o) AS ?x) ?o WHERE { ?a ?p ?o } "
    text = "SELECT ?a\nFROM <http://example.org/g> { ?a ?p ?o } ORDER BY ?o"
    assert _plan(text)[0] == "SELECT ?a\n?o FROM <http://example.org/g> { ?a ?p ?o } "
    assert _plan("SELECT * WHERE { ?a ?p ?o } ORDER BY ?o") == (
        "SELECT * WHERE { ?a ?p ?o } ",
        [("o", True)],
        [],
    )


@pytest.mark.parametrize(
    "text",
    [
        "SELECT ?s WHERE { ?s ?p ?o }",
        "SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s LIMIT 3",
        "SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s OFFSET 1",
        "SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s VALUES ?s { <http://example.org/a> }",
        "SELECT REDUCED ?s WHERE { ?s ?p ?o } ORDER BY ?s",
        "SELECT DISTINCT ?s WHERE { ?s ?p ?o } ORDER BY ?o",
        "SELECT ?s WHERE { ?s ?p ?o } ORDER BY STR(?o)",
        "SELECT ?s WHERE { ?s ?p ?o } ORDER BY (?o)",
        "SELECT ?s WHERE { ?s ?p ?o } ORDER BY DESC(?o + 1)",
        "SELECT ?s WHERE { { SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s } }",
        "ASK { ?s ?p ?o }",
    ],
)
def test_plan_leaves_everything_else_to_the_engine(text):
    assert _plan(text) is None


def test_distinct_with_projected_keys_is_sorted_here():
    assert _plan("SELECT DISTINCT ?s ?o WHERE { ?s ?p ?o } ORDER BY ?o")[2] == []


# --------------------------------------------------------------------------- same answers


def _literal(value, datatype=None, language=None):
    if language:
        return ox.Literal(value, language=language)
    if datatype:
        return ox.Literal(value, datatype=ox.NamedNode(XSD + datatype))
    return ox.Literal(value)


@pytest.fixture(scope="module")
def small():
    store = ox.Store()
    g = ox.NamedNode(EX + "g")
    rows = [  # subject, name, number, date (None: no triple)
        ("a", _literal("Ålesund", language="nb"), _literal("3", "integer"), "2021-05-01"),
        ("b", _literal("Bergen"), _literal("2.5", "decimal"), None),
        ("c", _literal("aker", language="nb"), _literal("-1", "integer"), "2020-01-01"),
        ("d", _literal("Zeta", language="en"), _literal("10", "integer"), None),
        ("e", ox.NamedNode(EX + "name-as-iri"), None, "2019-12-31"),
        ("f", ox.BlankNode("x"), _literal("0.5", "decimal"), None),
        ("g", None, _literal("7", "integer"), None),
        ("h", _literal("Ørsta", language="nn"), _literal("+4", "integer"), None),
    ]
    for name, label, number, date in rows:
        s = ox.NamedNode(EX + name)
        store.add(ox.Quad(s, ox.NamedNode(EX + "kind"), ox.NamedNode(EX + "Thing"), g))
        if label is not None:
            store.add(ox.Quad(s, ox.NamedNode(EX + "name"), label, g))
        if number is not None:
            store.add(ox.Quad(s, ox.NamedNode(EX + "number"), number, g))
        if date is not None:
            store.add(ox.Quad(s, ox.NamedNode(EX + "date"), _literal(date, "date"), g))
    tie = ox.NamedNode(EX + "tie")  # same name, other language: the engine decides
    store.add(ox.Quad(tie, ox.NamedNode(EX + "kind"), ox.NamedNode(EX + "Tie"), g))
    store.add(ox.Quad(tie, ox.NamedNode(EX + "name"), _literal("Bergen", language="nb"), g))
    return wrap_store(store)


def _spy(monkeypatch) -> list[bool]:
    """Whether each select sorted the answer itself (True) or left it to the engine."""
    used: list[bool] = []
    real = bioeco.query._sorted_native

    def sorted_native(*args, **kwargs):
        frame = real(*args, **kwargs)
        used.append(frame is not None)
        return frame

    monkeypatch.setattr(bioeco.query, "_sorted_native", sorted_native)
    return used


def _by_engine(monkeypatch, *args, **kwargs) -> pd.DataFrame:
    with monkeypatch.context() as m:
        m.setattr(bioeco.query, "_order_plan", lambda text, tree: None)
        return select(*args, **kwargs)


BODY = (
    "?s <http://example.org/kind> <http://example.org/Thing> . "
    "OPTIONAL { ?s <http://example.org/name> ?name } "
    "OPTIONAL { ?s <http://example.org/number> ?number } "
    "OPTIONAL { ?s <http://example.org/date> ?date }"
)


@pytest.mark.parametrize(
    ("order", "here"),
    [
        ("?name", True),  # unbound < blank node < IRI < strings of any language
        ("DESC(?name)", True),
        ("?number", True),  # integers and decimals by value, unbound first
        ("DESC(?number) ?s", True),
        ("?name DESC(?s)", True),
        ("?date ?s", False),  # dates: left to the engine
        ("?date", False),
    ],
)
def test_sorted_here_exactly_as_the_engine_sorts(small, monkeypatch, order, here):
    text = f"SELECT ?s ?name ?number ?date WHERE {{ {BODY} }} ORDER BY {order}"
    used = _spy(monkeypatch)
    got = select(small, text)
    assert used == [here]
    pd.testing.assert_frame_equal(got, _by_engine(monkeypatch, small, text))
    assert len(got) == 8


def test_keys_not_selected_are_dropped_after_sorting(small, monkeypatch):
    text = f"SELECT ?s WHERE {{ {BODY} }} ORDER BY DESC(?number) ?s"
    used = _spy(monkeypatch)
    got = select(small, text)
    assert used == [True] and list(got.columns) == ["s"]
    pd.testing.assert_frame_equal(got, _by_engine(monkeypatch, small, text))
    assert got["s"].tolist()[:2] == [EX + "d", EX + "g"]  # 10, 7


def test_equal_keys_and_mixed_columns_are_left_to_the_engine(small, monkeypatch):
    ties = (
        "SELECT ?s ?name WHERE { ?s <http://example.org/name> ?name "
        'FILTER (STR(?name) = "Bergen") } ORDER BY ?name'
    )
    mixed = (
        "SELECT ?s ?v WHERE { { ?s <http://example.org/name> ?v } UNION "
        "{ ?s <http://example.org/number> ?v } } ORDER BY ?v ?s"
    )
    for text in (ties, mixed):
        used = _spy(monkeypatch)
        got = select(small, text)
        assert used == [False]
        pd.testing.assert_frame_equal(got, _by_engine(monkeypatch, small, text))


def test_max_rows_keeps_the_first_rows_of_the_sorted_answer(small, monkeypatch):
    text = f"SELECT ?s ?name WHERE {{ {BODY} }} ORDER BY DESC(?name)"
    used = _spy(monkeypatch)
    got = select(small, text, max_rows=3)
    assert used == [True] and got.attrs.get("truncated") is True
    expected = _by_engine(monkeypatch, small, text, max_rows=3)
    pd.testing.assert_frame_equal(got, expected)
    assert got["name"].tolist() == ["Ørsta", "Ålesund", "aker"]  # code points, as the engine


def test_a_text_the_engine_refuses_after_the_cut_runs_as_written(small, monkeypatch):
    # ?o projected in addition is not a grouped variable: the engine refuses that text,
    # while the query as written is valid (its key is unbound after the grouping)
    text = "SELECT ?s WHERE { ?s ?p ?o } GROUP BY ?s ORDER BY ?o"
    assert _plan(text)[0] == "SELECT ?s ?o WHERE { ?s ?p ?o } GROUP BY ?s "
    used = _spy(monkeypatch)
    got = select(small, text)
    assert used == [False] and len(got) == 9
    pd.testing.assert_frame_equal(got, _by_engine(monkeypatch, small, text))


# --------------------------------------------------------------------------- example queries


@pytest.fixture(scope="module")
def graphs(tmp_path_factory):
    data = tmp_path_factory.mktemp("synthetic") / "data"
    generate(data, scale=1, seed=0)
    return {"real": build_dataset(DATA_DIR), "synthetic": build_dataset(data)}


@pytest.mark.parametrize("which", ["real", "synthetic"])
def test_example_queries_sorted_here_answer_as_the_engine(graphs, monkeypatch, which):
    graph = graphs[which]
    used = _spy(monkeypatch)
    for example in example_queries():
        got = select(graph, example.text)
        pd.testing.assert_frame_equal(got, _by_engine(monkeypatch, graph, example.text))
    # every example ends with an ORDER BY of plain variables; the two large ones are sorted here
    assert len(used) == len(example_queries())
    names = [q.name for q in example_queries()]
    assert used[names.index("sectors-stated-only")] is True
    assert used[names.index("cross-sector-initiatives")] is True
