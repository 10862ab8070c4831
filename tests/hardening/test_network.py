"""No network at run time: a local HTTP server records every connection; it must get none."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from bioeco.errors import NetworkRefused, QueryError, UsageError
from bioeco.store import sandbox
from bioeco.store.dataset import load_dataset
from bioeco.store.query import check_query, select
from cli import main
from hardening_support import BIOECO

PREFIXES = (
    "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
    "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
    "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
)


BYPASS = (
    'PREFIX r: <{url}/>\nSELECT ?x WHERE {{ BIND("""a\\u005C""" AS ?d) SERVICEr:q '
    '{{ ?x ?y ?z }} # """ AS ?d)\n}}'
)


def _hostile_turtle(url: str) -> str:
    return (
        PREFIXES + f"@base <{url}/base/> .\n"
        f"<{url}/onto> a owl:Ontology ; owl:imports <{url}/x>, <{url}/y.ttl> ;\n"
        f"  rdfs:seeAlso <{url}/see> ; rdfs:isDefinedBy <rel> .\n"
        f'<{url}/thing> skos:prefLabel "Thing" .\n'
    )


@pytest.fixture
def hostile(tmp_path: Path, http_server) -> tuple[Path, Path, str, list[str]]:
    url, seen = http_server
    ttl = tmp_path / "hostile.ttl"
    ttl.write_text(_hostile_turtle(url), encoding="utf-8")
    trig = tmp_path / "hostile.trig"
    trig.write_text(
        PREFIXES + f"<{url}/g> {{\n" + _hostile_turtle(url).split("\n", 4)[4] + "}\n",
        encoding="utf-8",
    )
    return ttl, trig, url, seen


def test_loading_validating_and_querying_user_rdf_fetches_nothing(hostile):
    ttl, trig, _url, seen = hostile
    runner = CliRunner()
    for path in (ttl, trig):
        load_dataset(path)
        assert runner.invoke(main, ["validate", "--graph", str(path)]).exit_code in (0, 3)
        assert runner.invoke(main, ["stats", "--graph", str(path)]).exit_code == 0
        result = runner.invoke(
            main, ["query", "SELECT ?l WHERE { ?x skos:prefLabel ?l }", "--graph", str(path)]
        )
        assert result.exit_code == 0, result.output
        assert "Thing" in result.output
    time.sleep(0.1)
    assert seen == []


def test_describe_does_not_dereference(hostile):
    ttl, _trig, url, seen = hostile
    ds = load_dataset(ttl)
    for query in (f"DESCRIBE <{url}/thing>", f"describe <{url}/nothing> # <{url}/c>"):
        select(ds, query)
    assert seen == []


@pytest.mark.parametrize(
    "template",
    [
        "SELECT * WHERE {{ SERVICE <{url}/sparql> {{ ?s ?p ?o }} }}",
        "select * where {{ service silent <{url}/sparql> {{ ?s ?p ?o }} }}",
        "SELECT * WHERE {{ ?s ?p ?o .SERVICE <{url}/sparql> {{ ?s ?p ?o }} }}",
        "SELECT * WHERE {{ # a comment\n  SeRvIcE # another\n <{url}/sparql> {{ ?s ?p ?o }} }}",
        "SELECT * WHERE {{ \\u0053ERVICE <{url}/sparql> {{ ?s ?p ?o }} }}",
        "SELECT * WHERE {{ \\u0073\\u0065rvice <{url}/sparql> {{ ?s ?p ?o }} }}",
        "SELECT * WHERE {{ BIND(<{url}/sparql> AS ?e) SERVICE ?e {{ ?s ?p ?o }} }}",
        "ASK {{ {{ SELECT * {{ SERVICE <{url}/sparql> {{ ?s ?p ?o }} }} }} }}",
        "CONSTRUCT {{ ?s ?p ?o }} WHERE {{ OPTIONAL {{ SERVICE <{url}/x> {{ ?s ?p ?o }} }} }}",
        # the bypass of issue 14: rdflib expands \u005C before parsing (SERVICE inside a
        # string), Oxigraph only inside strings (its string ends; it runs SERVICE r:q)
        BYPASS,
        # relatives: no space after the keyword, escapes in IRIs and keywords, comments
        "SELECT * WHERE {{ SERVICE<{url}/sparql>{{ ?s ?p ?o }} }}",
        "SELECT * WHERE {{ SERVICE <{url}/\\u0073parql> {{ ?s ?p ?o }} }}",
        "SELECT * WHERE {{ SERVIC\\u0045 <{url}/sparql> {{ ?s ?p ?o }} }}",
        'SELECT * WHERE {{ BIND("\\u0022" AS ?q) SERVICE <{url}/s> {{ ?s ?p ?o }} }}',
        "SELECT * WHERE {{ BIND('''x\\u005C''' AS ?d) SERVICE<{url}/s>{{?s ?p ?o}} "
        "# ''' AS ?d)\n}}",
        "SELECT * WHERE {{ ?s ?p ?o #\\u000A SERVICE <{url}/s> {{ ?s ?p ?o }}\n }}",
        "PREFIX r: <{url}/>\nSELECT * WHERE {{ SERVICE\tr:q{{?s ?p ?o}} }}",
    ],
)
def test_service_variants_are_refused_and_fetch_nothing(hostile, template):
    ttl, _trig, url, seen = hostile
    query = template.format(url=url)
    try:
        select(load_dataset(ttl), query)
    except NetworkRefused as exc:
        assert str(exc) == "SPARQL SERVICE is refused: bioeco never queries remote endpoints"
    except QueryError as exc:  # a spelling rdflib cannot parse never reaches the engine
        assert str(exc).startswith("SPARQL syntax error"), exc
    else:
        # only where the filter is unavailable: rdflib's engine answered from its own tree
        assert not sandbox.available()
    result = CliRunner().invoke(main, ["query", query, "--graph", str(ttl)])
    assert result.exit_code in (0, 1)
    assert seen == []


def test_the_issue_14_bypass_is_stopped_by_the_engine_filter(hostile):
    """rdflib's tree has no SERVICE here; Oxigraph's has one. The filter refuses the connection
    and the refusal reads the same as the early one, also through a real bioeco process."""
    if not sandbox.available():
        pytest.skip("seccomp filter is Linux-only")
    ttl, _trig, url, seen = hostile
    query = BYPASS.format(url=url)
    check_query(query)  # the parse-tree check alone does not see it
    with pytest.raises(NetworkRefused, match=r"^SPARQL SERVICE is refused"):
        select(load_dataset(ttl), query)
    done = subprocess.run(
        [str(BIOECO), "query", query, "--graph", str(ttl)], capture_output=True, text=True
    )
    assert done.returncode == 1
    assert done.stderr == (
        "Error: SPARQL SERVICE is refused: bioeco never queries remote endpoints\n"
    )
    assert seen == []


def test_without_the_filter_rdflibs_engine_runs_the_checked_tree(hostile, monkeypatch):
    """Where seccomp is unavailable the query is evaluated by the parser that checked it."""
    ttl, _trig, url, seen = hostile
    monkeypatch.setattr(sandbox, "available", lambda: False)
    query = BYPASS.format(url=url).replace("SELECT ?x", "SELECT ?d")
    frame = select(load_dataset(ttl), query)
    assert list(frame.columns) == ["d"] and len(frame) == 1
    assert frame["d"][0].startswith('a"""') and "SERVICEr:q" in frame["d"][0]  # data, not a call
    assert seen == []


@pytest.mark.parametrize(
    "query",
    [
        "SELECT ?service WHERE { ?service a bioeco:Service }",
        "SELECT * WHERE { ?x bioeco:initiativeType inittype:service }",
        'SELECT * WHERE { ?x skos:prefLabel "SERVICE <http://x/> { }" }',
        "SELECT * WHERE { ?x ?p <http://example.org/SERVICE> } # SERVICE <x> {}",
    ],
)
def test_the_word_service_elsewhere_is_fine(tiny_dataset, query):
    select(tiny_dataset, query)


@pytest.mark.parametrize(
    "update",
    [
        "LOAD <http://127.0.0.1:9/data.ttl>",
        "load silent <http://127.0.0.1:9/data.ttl> into graph <http://e/g>",
        "# comment\nLoAd <http://127.0.0.1:9/data.ttl>",
        "INSERT DATA { <http://e/a> <http://e/b> 1 } ; LOAD <http://127.0.0.1:9/d.ttl>",
    ],
)
def test_load_variants_are_refused(update):
    with pytest.raises(NetworkRefused, match=r"^SPARQL LOAD is refused"):
        check_query(update, update=True)


def test_load_in_a_query_is_refused(tiny_dataset):
    with pytest.raises(NetworkRefused, match=r"^SPARQL LOAD is refused"):
        select(tiny_dataset, "LOAD <http://127.0.0.1:9/data.ttl>")


@pytest.mark.parametrize("keyword", ["FROM", "FROM NAMED", "from", "from named"])
def test_from_an_unknown_graph_is_refused_without_fetching(hostile, keyword):
    ttl, trig, url, seen = hostile
    query = f"SELECT * {keyword} <{url}/g2> WHERE {{ ?s ?p ?o }}"
    label = keyword.upper()
    for path in (ttl, trig):
        result = CliRunner().invoke(main, ["query", query, "--graph", str(path)])
        assert result.exit_code == 1
        assert result.output == (
            f"Error: SPARQL {label} <{url}/g2> is refused: not a named graph of this dataset "
            "(bioeco never fetches remote graphs)\n"
        )
    assert seen == []


def test_from_a_named_graph_of_the_dataset_is_allowed(hostile):
    _ttl, trig, url, seen = hostile
    ds = load_dataset(trig)
    frame = select(ds, f"SELECT ?l FROM <{url}/g> WHERE {{ ?x skos:prefLabel ?l }}")
    assert list(frame["l"]) == ["Thing"]
    frame = select(
        ds, f"SELECT ?g FROM NAMED <{url}/g> WHERE {{ GRAPH ?g {{ ?x skos:prefLabel ?l }} }}"
    )
    assert list(frame["g"]) == [f"{url}/g"]
    assert seen == []


def test_from_on_a_plain_graph_is_refused(hostile):
    from rdflib import Graph

    ttl, _trig, url, seen = hostile
    g = Graph().parse(ttl, format="turtle")
    with pytest.raises(NetworkRefused):
        select(g, f"SELECT * FROM <{url}/x> WHERE {{ ?s ?p ?o }}")
    assert seen == []


def test_rdflib_never_loads_from_graphs():
    import rdflib.plugins.sparql

    import bioeco.store.query  # noqa: F401  (the import switches loading off)

    assert rdflib.plugins.sparql.SPARQL_LOAD_GRAPHS is False


@pytest.mark.parametrize(
    ("suffix", "fmt"),
    [
        (".rdf", "RDF/XML"),
        (".owl", "RDF/XML"),
        (".xml", "RDF/XML"),
        (".jsonld", "JSON-LD"),
        (".json", "JSON-LD"),
        (".n3", "Notation3"),
        (".trix", "TriX"),
        (".html", "RDFa"),
    ],
)
def test_xml_and_json_ld_are_refused(tmp_path: Path, http_server, suffix, fmt):
    url, seen = http_server
    path = tmp_path / f"input{suffix}"
    path.write_text(
        f'{{"@context": "{url}/context.jsonld", "@id": "{url}/a"}}'
        if fmt == "JSON-LD"
        else f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY e SYSTEM "{url}/e">]><r>&e;</r>',
        encoding="utf-8",
    )
    with pytest.raises(UsageError):
        load_dataset(path)
    result = CliRunner().invoke(main, ["validate", "--graph", str(path)])
    assert result.exit_code == 2
    assert result.output == (
        f"Error: {path}: {fmt} input is refused (parsing it can expand entities or fetch "
        "remote documents); convert it to Turtle or TriG\n"
    )
    assert seen == []


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#">
  <rdf:Description rdf:about="http://example.org/a"><rdfs:label>&lol9;</rdfs:label></rdf:Description>
</rdf:RDF>
"""


@pytest.mark.parametrize("suffix", [".rdf", ".ttl", ".trig", ".nt", ".nq"])
def test_billion_laughs_fails_fast(tmp_path: Path, suffix):
    path = tmp_path / f"lolz{suffix}"
    path.write_text(BILLION_LAUGHS, encoding="utf-8")
    result = CliRunner().invoke(main, ["query", "ASK {}", "--graph", str(path)])
    assert result.exit_code == 2
    assert result.output.startswith(f"Error: {path}: ")
    assert len(result.output.splitlines()) == 1
