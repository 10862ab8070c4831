"""RDF → networkx: attributes, as_of rules, basis filter, projections, nested members."""

from __future__ import annotations

import pytest

from bioeco.analyses.project import (
    actor_projection,
    bipartite_graph,
    entity_id,
    entity_iri,
    initiative_projection,
    load_network,
)
from bioeco.errors import UsageError

ORG = "https://w3id.org/bioeco/id/actor/"
INIT = "https://w3id.org/bioeco/id/initiative/"


def _members(net, initiative):
    frame = net.edges[net.edges["initiative"] == INIT + initiative]
    return sorted(entity_id(m) for m in frame["member"])


def test_bipartite_attributes_and_roles(make_graph):
    g = make_graph(
        {"a": {"label": "Alpha", "type": "university", "sector": ["marine"], "region": ["bergen"]}},
        {"i": {"type": "project", "stage": ["research"]}},
        [("a", "i", "partner"), ("a", "i", "coordinator")],
    )
    b = bipartite_graph(g)
    assert b.nodes[ORG + "a"]["label"] == "Alpha"
    assert b.nodes[ORG + "a"]["type"] == "university"
    assert b.nodes[ORG + "a"]["sectors"] == ("marine",)
    assert b.nodes[ORG + "a"]["regions"] == ("bergen",)
    assert b.nodes[INIT + "i"]["kind"] == "initiative"
    assert b.nodes[INIT + "i"]["type"] == "project"
    assert b.nodes[INIT + "i"]["stages"] == ("research",)
    assert b.edges[ORG + "a", INIT + "i"]["roles"] == ("coordinator", "partner")


def test_as_of_rules(make_graph):
    actors = {x: {} for x in ("interval", "observed", "undated", "free", "open")}
    inits = {"i": {"start": "2021", "end": "2023"}, "j": {}}
    ms = [
        {"member": "interval", "organization": "j", "begin": "2019", "end": "2020"},
        {"member": "observed", "organization": "j", "observed": "2021"},
        {"member": "undated", "organization": "i"},
        {"member": "free", "organization": "j"},
        {"member": "open", "organization": "j", "begin": "2020-05"},
    ]
    g = make_graph(actors, inits, ms)
    assert _members(load_network(g), "j") == [
        "actor/free",
        "actor/interval",
        "actor/observed",
        "actor/open",
    ]
    n2020 = load_network(g, as_of=2020)
    assert _members(n2020, "j") == ["actor/free", "actor/interval", "actor/open"]
    assert _members(n2020, "i") == []  # undated membership outside the initiative's years
    n2021 = load_network(g, as_of=2021)
    assert _members(n2021, "j") == ["actor/free", "actor/observed", "actor/open"]
    assert _members(n2021, "i") == ["actor/undated"]
    rules = dict(zip(n2021.edges["member"].map(entity_id), n2021.edges["rule"], strict=True))
    assert rules == {
        "actor/free": "undated",
        "actor/observed": "observed",
        "actor/open": "interval",
        "actor/undated": "undated",
    }


def test_basis_stated_drops_inferred(make_graph):
    g = make_graph(
        {"a": {"sector": ["marine"], "inferred": {"sector": ["health"], "stage": ["sales"]}}},
        {"i": {}},
        [("a", "i", "member")],
    )
    assert load_network(g).attr(ORG + "a", "sectors") == ("health", "marine")
    stated = load_network(g, basis="stated")
    assert stated.attr(ORG + "a", "sectors") == ("marine",)
    assert stated.attr(ORG + "a", "stages") == ()


def test_bad_basis_and_year(make_graph):
    g = make_graph({"a": {}}, {"i": {}}, [("a", "i", "member")])
    with pytest.raises(UsageError):
        load_network(g, basis="maybe")
    with pytest.raises(UsageError):
        load_network(g, as_of="2021")


def test_projections_are_incidence_products(make_graph):
    g = make_graph(
        {x: {} for x in "abc"},
        {"i": {}, "j": {}},
        [
            ("a", "i", "member"),
            ("b", "i", "member"),
            ("a", "j", "member"),
            ("b", "j", "member"),
            ("c", "j", "member"),
        ],
    )
    actors = actor_projection(g)
    assert actors[ORG + "a"][ORG + "b"]["weight"] == 2
    assert actors[ORG + "a"][ORG + "c"]["weight"] == 1
    assert actors[ORG + "a"][ORG + "c"]["via"] == (INIT + "j",)
    inits = initiative_projection(g)
    assert inits[INIT + "i"][INIT + "j"]["weight"] == 2
    net = load_network(g)
    b = net.incidence.toarray()
    assert (b @ b.T).tolist() == [[2, 2, 1], [2, 2, 1], [1, 1, 1]]


def test_initiatives_as_members_link_clusters(make_graph):
    """Clusters taking part in a project (initiative members) are linked by the project."""
    g = make_graph(
        {"x": {}},
        {"blue": {"sector": ["marine"]}, "green": {"sector": ["agri-food"]}, "joint": {}},
        [("blue", "joint", "partner"), ("green", "joint", "partner"), ("x", "blue", "member")],
    )
    p = actor_projection(g)
    assert p.has_edge(INIT + "blue", INIT + "green")
    assert p.nodes[INIT + "blue"]["kind"] == "initiative"


def test_entity_id_roundtrip():
    assert entity_iri(entity_id(ORG + "uit")) == entity_iri("actor/uit")
    assert str(entity_iri("actor/uit")) == ORG + "uit"


def test_interviewees_are_not_collaborators():
    from rdflib import Graph

    from bioeco.analyses.project import load_network

    ttl = """
    @prefix org: <http://www.w3.org/ns/org#> .
    @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
    @prefix actor: <https://w3id.org/bioeco/id/actor/> .
    @prefix initiative: <https://w3id.org/bioeco/id/initiative/> .
    @prefix role: <https://w3id.org/bioeco/id/concept/role/> .
    @prefix bid: <https://w3id.org/bioeco/id/> .
    actor:a a org:Organization ; skos:prefLabel "A" .
    actor:b a org:Organization ; skos:prefLabel "B" .
    initiative:s a org:OrganizationalCollaboration ; skos:prefLabel "Study" .
    bid:m1 a org:Membership ; org:member actor:a ; org:organization initiative:s ;
        org:role role:interviewee .
    bid:m2 a org:Membership ; org:member actor:b ; org:organization initiative:s ;
        org:role role:organiser .
    """
    net = load_network(Graph().parse(data=ttl, format="turtle"))
    assert list(net.edges["member"]) == ["https://w3id.org/bioeco/id/actor/b"]


def test_hierarchy_lookups_are_cached_copies():
    import pandas as pd

    from bioeco.analyses.project import Network

    concepts = pd.DataFrame(
        [
            ("c/a", "sector", "a", "A", 1.0, ()),
            ("c/b", "sector", "b", "B", 2.0, ("a",)),
            ("c/c", "sector", "c", "C", 3.0, ("b", "x")),
            ("c/x", "sector", "x", "X", 4.0, ()),
            ("c/p", "sector", "p", "P", 5.0, ("q",)),  # a cycle p → q → p
            ("c/q", "sector", "q", "Q", 6.0, ("p",)),
            ("r/c", "region", "c", "RC", 1.0, ("n",)),
        ],
        columns=["concept", "scheme", "code", "label", "order", "broader"],
    )
    nodes = pd.DataFrame(columns=["iri", "id", "label", "kind"]).set_index("iri")
    edges = pd.DataFrame(columns=["member", "initiative", "roles", "rule"])
    net = Network(nodes, edges, concepts)
    assert [net.top("sector", c) for c in "abcxp"] == ["a", "a", "a", "x", "p"]
    assert net.top("region", "c") == "n" and net.top("sector", "zz") == "zz"
    below = net.descendants("sector", "a")
    assert below == {"a", "b", "c"}
    below.add("mutated")  # the caller's copy: the next answer is unchanged
    assert net.descendants("sector", "a") == {"a", "b", "c"}
    assert net.descendants("sector", "x") == {"x", "c"}
    assert net.descendants("region", "n") == {"n", "c"}
    assert net.label("https://w3id.org/bioeco/id/actor/none") == "actor/none"
