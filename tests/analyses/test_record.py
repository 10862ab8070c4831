"""results_to_rdf: the analysis named graph."""

from __future__ import annotations

from rdflib import Graph

from bioeco.analyses.record import results_to_rdf
from bioeco.analyses.run import run_analyses
from bioeco.core.vocab import analysis_graph
from bioeco.store.query import select

START, END = "2024-05-01T10:00:00", "2024-05-01T10:00:05"


def _record(example, **params):
    results = run_analyses(example, top=3, **params)
    return results, results_to_rdf(
        results,
        {"kinds": ["all"], "top": 3, **params},
        started=START,
        ended=END,
        used=["https://w3id.org/bioeco/graph/source/test"],
    )


def test_activity_parameters_and_candidates(example):
    results, g = _record(example)
    assert g.identifier == analysis_graph()
    parsed = Graph().parse(data=g.serialize(format="turtle"), format="turtle")
    assert len(parsed) == len(g)
    runs = select(
        parsed,
        """SELECT ?run ?start ?end ?used WHERE {
        ?run a prov:Activity ; prov:startedAtTime ?start ; prov:endedAtTime ?end ;
             prov:used ?used }""",
    )
    assert len(runs) == 1 and str(runs["start"][0]).startswith("2024-05-01")
    params = select(
        parsed,
        """SELECT ?name ?value WHERE {
        ?run a prov:Activity ; bioeco:parameter [ bioeco:parameterName ?name ;
                                                   bioeco:parameterValue ?value ] }
        ORDER BY ?name""",
    )
    assert dict(zip(params["name"], params["value"], strict=True)) == {
        "kinds": '["all"]',
        "top": "3",
    }
    bridges = select(
        parsed,
        """SELECT ?c ?rank ?score ?text ?actor WHERE {
        ?c a bioeco:BridgeCandidate ; bioeco:rank ?rank ; bioeco:score ?score ;
           bioeco:explanation ?text ; bioeco:about ?actor ; prov:wasGeneratedBy ?run .
        ?run a prov:Activity } ORDER BY ?rank""",
    )
    assert len(bridges) == len(results["bridges_actors"])
    first = results["bridges_actors"]["actor"][0]
    assert bridges["actor"][0] == "https://w3id.org/bioeco/id/" + first
    assert all(str(c).startswith("https://w3id.org/bioeco/id/analysis/") for c in bridges["c"])
    for cls in (
        "GapCell",
        "StructuralGap",
        "OverlapCandidate",
        "BrokerageProfile",
        "PairSuggestion",
        "SurveyComparison",
    ):
        ask = select(parsed, f"ASK {{ ?c a bioeco:{cls} ; bioeco:explanation ?e }}")
        assert bool(ask["ask"][0]), cls
    links = select(
        parsed,
        """SELECT ?m WHERE { ?c a bioeco:OverlapCandidate ;
        bioeco:sharedMembers ?m }""",
    )
    assert len(links) > 0


def test_iris_are_stable(example):
    _, a = _record(example)
    _, b = _record(example)
    assert set(a) == set(b)
    _, c = _record(example, seed=9)
    runs = {
        str(s)
        for g in (a, c)
        for s in g.subjects(predicate=None, object=None)
        if "/analysis/run/" in str(s) and "/parameter/" not in str(s) and "/table/" not in str(s)
    }
    assert len(runs) == 2  # different parameters → a different run IRI


def test_every_bioeco_term_written_is_declared_in_the_ontology(example):
    from rdflib import URIRef

    from bioeco.core.schemes import load_ontology
    from bioeco.core.vocab import BIOECO, RDF

    _, g = _record(example)
    ontology = load_ontology()
    used = {p for _, p, _ in g if str(p).startswith(str(BIOECO))}
    used |= {o for _, p, o in g if p == RDF.type and str(o).startswith(str(BIOECO))}
    undeclared = sorted(str(t) for t in used if (URIRef(t), RDF.type, None) not in ontology)
    assert undeclared == []


def test_large_candidate_tables_keep_their_best_rows_and_every_count(example):
    from bioeco.analyses.record import RDF_TRIMMED

    results = run_analyses(example, ["all"], min_shared=1)
    whole = {name: len(df) for name, df in results.items()}
    g = results_to_rdf(results, {"kinds": ["all"]}, started=START, ended=END, top=1)
    counts = select(
        g,
        """SELECT ?name ?rows ?kept WHERE { ?run bioeco:resultTable [ bioeco:tableName ?name ;
        bioeco:rowCount ?rows ; bioeco:recordedRows ?kept ] }""",
    )
    got = {str(n): (int(r), int(k)) for n, r, k in zip(*counts.T.values, strict=True)}
    assert {name: rows for name, (rows, _) in got.items()} == whole
    for name, (rows, kept) in got.items():
        assert kept == (min(rows, 1) if name in RDF_TRIMMED else rows), name
    assert whole["overlap_pairs"] > 1  # the cut is tested, not vacuous
    ranks = select(g, "SELECT ?r WHERE { ?c a bioeco:OverlapCandidate ; bioeco:rank ?r }")
    assert [int(r) for r in ranks["r"]] == [1]
