"""The example queries reshaped for speed (issue 13) answer exactly as their earlier text, and
``select`` reads SELECT answers straight from pyoxigraph with the same cells as through rdflib.

The earlier texts are kept in ``tests/fixtures/queries-before/``. Both texts run on the real
``data/`` and on the scale-1 synthetic benchmark graph; ``members-in-year`` also for the
synthetic graph's own initiatives and several years (its VALUES line names a real initiative
that the synthetic graph does not hold).
"""

from __future__ import annotations

import datetime
import math
import re
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

import bioeco.store.query
from bench.generate import generate
from bioeco.core.paths import DATA_DIR
from bioeco.ingest.build import build_dataset
from bioeco.store.catalog import example_queries, example_query
from bioeco.store.query import select

BEFORE = Path(__file__).parent / "fixtures" / "queries-before"
RESHAPED = sorted(p.stem for p in BEFORE.glob("*.rq"))


@pytest.fixture(scope="module")
def real():
    return build_dataset(DATA_DIR)


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    data = tmp_path_factory.mktemp("synthetic") / "data"
    generate(data, scale=1, seed=0)
    return build_dataset(data)


def _cell(value):
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, str) and ", " in value:  # GROUP_CONCAT: the order is the engine's
        return ", ".join(sorted(value.split(", ")))
    return value


def _rows(frame: pd.DataFrame) -> list[tuple]:
    return [tuple(_cell(v) for v in row) for row in frame.itertuples(index=False)]


def _order_keys(text: str, frame: pd.DataFrame) -> list[tuple]:
    """The projected ORDER BY columns of every row, in answer order."""
    clause = text[text.upper().rindex("ORDER BY") :]
    keys = [k for k in re.findall(r"\?(\w+)", clause) if k in frame.columns]
    return [tuple(_cell(v) for v in row) for row in frame[keys].itertuples(index=False)]


def _same_answer(before: str, after: str, graph) -> int:
    old, new = select(graph, before), select(graph, after)
    assert list(new.columns) == list(old.columns)
    assert sorted(_rows(new), key=repr) == sorted(_rows(old), key=repr)
    assert _order_keys(after, new) == _order_keys(before, old)
    return len(old)


def test_every_reshaped_query_is_an_example_query():
    assert RESHAPED == ["cross-sector-initiatives", "members-in-year", "sectors-stated-only"]
    for name in RESHAPED:
        before = (BEFORE / f"{name}.rq").read_text(encoding="utf-8")
        after = example_query(name)
        assert after.text != before
        assert after.question == " ".join(
            line.lstrip("#").strip() for line in before.splitlines()[:3] if line.startswith("#")
        )


@pytest.mark.parametrize("name", RESHAPED)
def test_reshaped_query_answers_as_before_on_the_real_data(real, name):
    before = (BEFORE / f"{name}.rq").read_text(encoding="utf-8")
    assert _same_answer(before, example_query(name).text, real) > 0


@pytest.mark.parametrize("name", RESHAPED)
def test_reshaped_query_answers_as_before_on_the_synthetic_graph(synthetic, name):
    before = (BEFORE / f"{name}.rq").read_text(encoding="utf-8")
    after = example_query(name).text
    if name != "members-in-year":
        assert _same_answer(before, after, synthetic) > 0
        return
    biggest = select(
        synthetic,
        "SELECT ?i (COUNT(*) AS ?n) WHERE { ?m org:organization ?i ; org:role role:member } "
        "GROUP BY ?i ORDER BY DESC(?n) ?i LIMIT 3",
    )["i"]
    found = 0
    for iri in biggest:
        for year in (2012, 2017, 2021):
            values = f"(<{iri}> {year})"
            old = before.replace("(initiative:biotech-north 2021)", values)
            new = after.replace("(initiative:biotech-north 2021)", values)
            assert old != before and new != after
            found += _same_answer(old, new, synthetic)
    assert found > 0


# --------------------------------------------------------------------------- native SELECT

TYPED = """SELECT ?s ?value ?date ?year ?lang ?blank ?missing WHERE {
  VALUES (?value ?date ?year) {
    (3 "2021-05-01"^^xsd:date "2021"^^xsd:gYear)
    (0.15 "2021-05"^^xsd:gYearMonth "x"^^xsd:integer)
    (true "1e3"^^xsd:double "<a>"^^xsd:anyURI)
  }
  BIND (STRLANG("navn", "nb") AS ?lang)
  BIND (BNODE("b") AS ?blank)
  BIND (<https://example.org/s> AS ?s)
}"""


def _through_rdflib(monkeypatch, *args, **kwargs) -> pd.DataFrame:
    with monkeypatch.context() as m:
        m.setattr(bioeco.store.query, "_native", lambda graph, tree: None)
        return select(*args, **kwargs)


@pytest.mark.parametrize("example", example_queries(), ids=lambda q: q.name)
def test_native_select_gives_the_cells_rdflib_gives(real, monkeypatch, example):
    assert (
        bioeco.store.query._native(real, bioeco.store.query._parse_checked(example.text))
        is not None
    )
    expected = _through_rdflib(monkeypatch, real, example.text)
    got = select(real, example.text)
    pd.testing.assert_frame_equal(got, expected)
    assert len(got) > 0


def test_native_select_converts_typed_literals_as_rdflib(real, monkeypatch):
    expected = _through_rdflib(monkeypatch, real, TYPED)
    got = select(real, TYPED)
    pd.testing.assert_frame_equal(got, expected)
    assert got["value"].tolist() == [3, Decimal("0.15"), True]
    assert got["date"].tolist()[0] == datetime.date(2021, 5, 1)
    assert got["year"].tolist() == ["2021", "x", "<a>"]  # no Python value: the text
    assert got["lang"].tolist() == ["navn"] * 3
    assert got["missing"].isna().all()


def test_native_select_keeps_row_limits_and_prefix_rules(real, monkeypatch):
    query = "SELECT ?a WHERE { ?a a org:Organization } ORDER BY ?a"
    got = select(real, query, max_rows=2)
    assert len(got) == 2 and got.attrs["truncated"] is True
    pd.testing.assert_frame_equal(got, _through_rdflib(monkeypatch, real, query, max_rows=2))
    # prefixes=False: only the graph's own bindings, as rdflib's Graph.query gives them
    plain = "SELECT (COUNT(*) AS ?n) WHERE { ?a a org:Organization }"
    pd.testing.assert_frame_equal(
        select(real, plain, prefixes=False),
        _through_rdflib(monkeypatch, real, plain, prefixes=False),
    )


def test_other_query_forms_and_graphs_are_not_read_natively(real, tiny_dataset):
    tree = bioeco.store.query._parse_checked
    assert bioeco.store.query._native(real, tree("ASK { ?s ?p ?o }")) is None
    assert bioeco.store.query._native(real, tree("CONSTRUCT WHERE { ?s ?p ?o }")) is None
    from rdflib import Graph

    assert bioeco.store.query._native(Graph(), tree("SELECT * WHERE { ?s ?p ?o }")) is None
    assert select(real, "ASK { ?a a org:Organization }")["ask"].tolist() == [True]


# --------------------------------------------------------------------------- meaning


def test_cross_sector_initiatives_have_two_members_from_different_sectors(real):
    """Issue 20: an initiative where sectors meet has at least two members (organisers,
    co-organisers and hosts not counted) from different top-level sectors."""
    from bioeco.analyses.project import load_network

    got = select(real, example_query("cross-sector-initiatives").text)
    assert len(got) > 0
    net = load_network(real)
    kept = {
        (m, o)
        for m, o, roles in net.edges[["member", "initiative", "roles"]].itertuples(index=False)
        if set(roles) - {"organiser", "co-organiser", "host"}
    }
    expected = set()
    for initiative in net.initiatives:
        sectors = {
            m: {net.top("sector", s) for s in net.attr(m, "sectors")}
            for m in net.members_of(initiative)
            if (m, initiative) in kept and net.attr(m, "sectors")
        }
        if any(
            a != b and sa != sb
            for a, x in sectors.items()
            for b, y in sectors.items()
            for sa in x
            for sb in y
        ):
            expected.add(initiative)
    assert set(got["initiative"]) == expected
    assert (got["members"] >= 2).all()
    assert "https://w3id.org/bioeco/id/initiative/forum-kapital" not in set(got["initiative"])
    assert got["initiative"].is_unique


def test_readme_member_query_gives_one_row_per_member(real):
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    query = readme.split('bioeco query "', 1)[1].split('"\n', 1)[0]
    got = select(real, query)
    members = select(
        real,
        "SELECT DISTINCT ?member WHERE { ?m org:organization initiative:biotech-north ; "
        "org:role role:member ; org:member ?member }",
    )
    assert len(got) == len(members) > 30 and got["member"].is_unique


# ------------------------------------------------------------------- names (docs/glossary.md)


def test_example_queries_name_things_in_english_where_a_label_exists(real):
    """The names rule: ``label`` is the English label where one exists, ``label_nb`` the
    source's own name beside it when it differs, empty otherwise."""
    labels = select(
        real,
        "SELECT ?x ?en ?nb WHERE { ?x skos:prefLabel ?en FILTER (lang(?en) = 'en') "
        "?x skos:prefLabel ?nb FILTER (lang(?nb) != 'en') }",
    )
    english = dict(zip(labels["x"], labels["en"], strict=True))
    source = dict(zip(labels["x"], labels["nb"], strict=True))
    checked = 0
    for name, column in (("members-in-year", "member"), ("sectors-stated-only", "entity")):
        frame = select(real, example_query(name).text)
        for iri, label, label_nb in frame[[column, "label", "label_nb"]].itertuples(False):
            if iri in english:
                assert label == english[iri], (name, iri)
                differs = english[iri] != source[iri]
                assert label_nb == (source[iri] if differs else ""), (name, iri)
                checked += differs
            else:
                assert label_nb == "", (name, iri)
    assert checked >= 3  # UiT, the Research Council … appear with both names
    changes = select(real, example_query("mergers-and-changes").text)
    assert "Norwegian School of Veterinary Science" in set(changes["original"])
    assert "Veterinærhøgskolen" not in set(changes["original"])
