"""``query --endpoint``, ``analyze --endpoint`` and ``push`` against a hostile store (a real
HTTP server on 127.0.0.1, see ``hostile_store``): credentials never follow a redirect to
another host, a redirected write is a failure, the time limit covers the whole exchange, the
answer size is capped, malformed answers are one line naming the store, and a password
written into the URL is never printed back (issue 24, items 1, 5, 6, 13)."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator

import pytest
from hostile_store import MALFORMED, Hostile, hostile_store

from bioeco.errors import EndpointError
from bioeco.serve.remote import Remote
from cli import main
from hardening_support import BIOECO, ROOT

SECRET = "s3cret-pw"


@pytest.fixture(scope="module")
def store() -> Iterator[Hostile]:
    with hostile_store() as running:
        yield running


def bioeco(*args: str, seconds: float = 120) -> subprocess.CompletedProcess:
    """A real ``bioeco`` process; *seconds* only guards against a hang (the old client hung)."""
    env = {**os.environ, "BIOECO_TEST_PASSWORD": SECRET}
    return subprocess.run(
        [str(BIOECO), *args], capture_output=True, text=True, timeout=seconds, cwd=ROOT, env=env
    )


CREDENTIALS = ["--user", "dba", "--password-env", "BIOECO_TEST_PASSWORD"]


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
@pytest.mark.parametrize("command", ["query", "analyze"])
def test_credentials_never_follow_a_redirect_to_another_host(store, status, command, runner,
                                                             monkeypatch):  # fmt: skip
    url, other = store.url, store.other_seen
    before = len(other.requests), other.connections
    endpoint = f"{url}/challenge/redirect/{status}"
    monkeypatch.setenv("BIOECO_TEST_PASSWORD", SECRET)
    args = ["query", "ASK {}"] if command == "query" else ["analyze", "gaps", "--no-write"]
    result = runner.invoke(main, [*args, "--endpoint", endpoint, *CREDENTIALS])
    assert result.exit_code == 1, result.output
    lines = result.output.splitlines()
    assert lines[-1] == (
        f"Error: {endpoint}: the store answered HTTP {status} redirecting to "
        f"{store.other}/steal; bioeco does not follow redirects (credentials and data go "
        "only to the URL given): nothing was sent there; give that URL if it is the store"
    )
    assert (len(other.requests), other.connections) == before  # nothing reached the other host
    assert "Traceback" not in result.output


@pytest.mark.parametrize("status", [302, 307])
@pytest.mark.parametrize("path", ["update", "graph-store"])
def test_a_redirected_push_is_a_failure_and_sends_nothing_elsewhere(store, status, path,
                                                                     tmp_path):  # fmt: skip
    url, seen, other = store.url, store.seen, store.other_seen
    before = len(other.requests), other.connections
    target = f"{url}/challenge/redirect/{status}"
    args = ["push", "--graph", str(ROOT / "ontology" / "bioeco.ttl"), "--endpoint", target]
    if path == "graph-store":
        args += ["--graph-store", target]
    result = bioeco(*args, *CREDENTIALS)
    assert result.returncode == 1, result.stderr
    assert "Pushed" not in result.stdout
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"Error: {target}: the store answered HTTP {status} redirecting to "
        f"{store.other}/steal; bioeco does not follow redirects (credentials and data go "
        "only to the URL given): nothing was sent there; give that URL if it is the store"
    ]
    assert (len(other.requests), other.connections) == before
    # the credentials went only to the host named, and only after its own challenge
    assert any(auth and auth.startswith("Basic ") for _m, _p, auth in seen.requests)


@pytest.mark.parametrize("kind", ["trickle-body", "trickle-head"])
def test_the_time_limit_covers_the_whole_exchange(store, kind):
    """A store sending one byte every 0.3 s must not hold the client past --timeout."""
    url = store.url
    result = bioeco("query", "ASK {}", "--endpoint", f"{url}/{kind}", "--timeout", "2")
    assert result.returncode == 4, result.stderr
    assert result.stderr.splitlines() == [
        f"Error: {url}/{kind}: no complete answer within the time limit of 2 s"
    ]


def test_an_answer_declared_too_large_is_refused_unread(store):
    url = store.url
    result = bioeco("query", "ASK {}", "--endpoint", f"{url}/huge")
    assert result.returncode == 1, result.stderr
    assert result.stderr.splitlines() == [
        f"Error: {url}/huge: the answer is larger than 256 MB and was not read; add a LIMIT "
        "or ask for less"
    ]


def test_an_endless_answer_is_cut_at_the_cap(store):
    url = store.url
    remote = Remote(f"{url}/endless", max_bytes=3_000_000)
    with pytest.raises(EndpointError) as caught:
        remote.select("ASK {}")
    assert str(caught.value) == (
        f"{url}/endless: the answer is larger than 3 MB and was not read; add a LIMIT or ask "
        "for less"
    )


EXPECTED = {
    "bad-utf8": "not valid UTF-8 (byte 0xff at offset 87)",
    "not-json": "not JSON (Expecting value at line 1 column 1)",
    "a-list": "not a SPARQL JSON results object",
    "results-not-object": "no 'results' with a list of 'bindings'",
    "bindings-not-list": "no 'results' with a list of 'bindings'",
    "row-not-object": "row 1 is not an object",
    "cell-not-object": "row 1, variable ?x is not an RDF term object",
    "missing-value": "row 1, variable ?x has no string 'value'",
    "null-value": "row 1, variable ?x has no string 'value'",
    "unknown-type": "row 1, variable ?x has no known 'type' (uri, bnode, literal)",
    "vars-not-list": "'head' has no list of variable names",
    "boolean-not-bool": "'boolean' is not true or false",
    "deep-nesting": "JSON nested too deeply",
    "cut-off": "not JSON (Expecting property name enclosed in double quotes at line 1 column 74)",
}


def test_every_malformed_answer_has_an_expected_message():
    assert set(EXPECTED) == set(MALFORMED)


@pytest.mark.parametrize("kind", sorted(MALFORMED))
def test_a_malformed_answer_is_one_line_naming_the_store(store, kind, runner):
    url = store.url
    for endpoint, args in (
        (f"{url}/malformed/{kind}", ["query", "SELECT ?x WHERE { ?x ?p ?o }"]),
        (f"{url}/malformed-graphs/{kind}", ["query", "SELECT ?x WHERE { ?x ?p ?o }"]),
        (f"{url}/malformed/{kind}", ["analyze", "gaps", "--no-write"]),
        (f"{url}/malformed-graphs/{kind}", ["analyze", "overlap", "--no-write"]),
    ):
        result = runner.invoke(main, [*args, "--endpoint", endpoint])
        assert result.exit_code == 1, (endpoint, result.output)
        assert result.output.splitlines()[-1] == (
            f"Error: {endpoint}: malformed answer: {EXPECTED[kind]}"
        ), endpoint


@pytest.mark.parametrize("odd", ["unbound", "strings"])
@pytest.mark.parametrize("kind", ["gaps", "overlap", "bridges"])
def test_well_formed_answers_of_another_shape_are_one_line(store, odd, kind, runner):
    endpoint = f"{store.url}/well-formed-but-odd/{odd}"
    result = runner.invoke(main, ["analyze", kind, "--no-write", "--endpoint", endpoint])
    assert result.exit_code == 1, result.output
    last = result.output.splitlines()[-1]
    assert last.startswith(f"Error: {endpoint}: the store's answers are not those of a bioeco "
                           "graph (")  # fmt: skip
    assert last.endswith("); push a graph built by bioeco there")
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    "url, why",
    [
        ("http://[::1", "--endpoint is not a valid URL ('http://[::1': Invalid IPv6 URL)"),
        ("http://127.0.0.1:http/x", "--endpoint is not a valid URL ('http://127.0.0.1:http/x': "
         "Port could not be cast to integer value as 'http')"),
        ("http://dba:s3cret-pw@[::1", "--endpoint is not a valid URL ('http://[::1': Invalid IPv6 "
         "URL)"),
    ],
)  # fmt: skip
def test_a_malformed_endpoint_url_is_one_line(url, why, runner):
    result = runner.invoke(main, ["query", "ASK {}", "--endpoint", url])
    assert result.exit_code == 2
    assert result.output.splitlines()[-1] == f"Error: {why}"


def test_a_password_in_the_url_is_never_printed(store, runner):
    url, seen = store.url, store.seen
    with_password = url.replace("http://", f"http://dba:{SECRET}@")
    cases = [
        ["query", "ASK {}", "--endpoint", "http://dba:s3cret-pw@127.0.0.1:9/sparql"],
        ["query", "ASK {}", "--endpoint", f"{with_password}/redirect/302"],
        ["query", "ASK {}", "--endpoint", f"{with_password}/malformed/a-list"],
        ["query", "ASK {}", "--endpoint", f"{with_password}/nowhere"],
        ["query", "ASK {}", "--endpoint", "ftp://dba:s3cret-pw@127.0.0.1/"],
        ["push", "--graph", str(ROOT / "ontology" / "bioeco.ttl"), "--endpoint",
         f"{with_password}/nowhere"],
    ]  # fmt: skip
    for args in cases:
        result = runner.invoke(main, args)
        assert result.exit_code != 0, args
        assert SECRET not in result.output, result.output
        assert result.output.count("\n") == 1, result.output
    # the password written into the URL is used as the credentials, for the store named only
    seen.requests.clear()
    runner.invoke(main, ["query", "ASK {}", "--endpoint", f"{with_password}/challenge/x"])
    assert [auth is not None for _m, _p, auth in seen.requests] == [False, True]
