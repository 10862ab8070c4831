"""bioeco serve cannot reach the network either: SERVICE fails inside the engine (the kernel
refuses its connections) and a recording HTTP server on 127.0.0.1 receives nothing."""

from __future__ import annotations

import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from SPARQLWrapper import JSON, SPARQLWrapper

from bioeco.serve.endpoint import Endpoint, load_store

SPELLINGS = [
    "SELECT * WHERE {{ SERVICE <{url}/sparql> {{ ?s ?p ?o }} }}",
    "select * where {{ service silent <{url}/sparql> {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ \\u0053ERVICE <{url}/sparql> {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ BIND(<{url}/sparql> AS ?e) SERVICE ?e {{ ?s ?p ?o }} }}",
    "ASK {{ {{ SELECT * {{ SERVICE <{url}/sparql> {{ ?s ?p ?o }} }} }} }}",
    "CONSTRUCT {{ ?s ?p ?o }} WHERE {{ SERVICE <{url}/x> {{ ?s ?p ?o }} }}",
    # issue 14's bypass of the lexical guard: the engine itself is what must be unable
    'PREFIX r: <{url}/>\nSELECT ?x WHERE {{ BIND("""a\\u005C""" AS ?d) SERVICEr:q '
    '{{ ?x ?y ?z }} # """ AS ?d)\n}}',
]


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory, good_build: Path) -> Iterator[Endpoint]:
    folder = tmp_path_factory.mktemp("serve-net")
    load_store([good_build / "bioeco.trig"], folder / "store")
    with Endpoint(folder / "store", port=0, timeout=20) as server:
        server.serve_in_thread()
        yield server


@pytest.mark.parametrize("template", SPELLINGS)
def test_service_in_any_spelling_gets_no_remote_data_and_nothing_leaves(
    endpoint, http_server, template
):
    url, seen = http_server
    sparql = SPARQLWrapper(endpoint.url)
    sparql.setQuery(template.format(url=url))
    sparql.setReturnFormat(JSON)
    try:
        answer = sparql.query().convert()
    except urllib.error.HTTPError as exc:  # refused: 403 SERVICE refused
        assert exc.code == 403
        assert exc.read().decode().startswith("SERVICE is refused: this endpoint never reaches")
    except Exception as exc:  # a syntax error or an unbound service name: also no network
        assert "QueryBadFormed" in str(exc) or "service name is unbound" in str(exc), exc
    else:  # SERVICE SILENT: the refused connection gives one empty solution
        assert "silent" in template
        assert answer["results"]["bindings"] in ([], [{}])
    time.sleep(0.1)  # give a stray connection time to be recorded; the assertion is seen == []
    assert seen == []


def test_service_through_a_raw_protocol_request_too(endpoint, http_server):
    url, seen = http_server
    body = urllib.parse.urlencode({"query": f"SELECT * {{ SERVICE <{url}/q> {{ ?s ?p ?o }} }}"})
    request = urllib.request.Request(
        endpoint.url,
        data=body.encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": "text/csv"},
    )
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(request, timeout=30)
    assert caught.value.code == 403
    assert caught.value.read().decode().startswith("SERVICE is refused")
    time.sleep(0.1)
    assert seen == []
