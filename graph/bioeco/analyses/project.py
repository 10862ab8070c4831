"""RDF → networkx: the member–initiative bipartite graph, its incidence matrix and projections."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cached_property, partial
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from rdflib import Dataset, Graph, URIRef
from scipy import sparse

from bioeco.analyses.ended import ended_organisations
from bioeco.core.vocab import BID
from bioeco.errors import UsageError

if TYPE_CHECKING:  # networkx (~0.14 s) and the SPARQL engine (~0.2 s) load on first use
    import networkx as nx

__all__ = [
    "BASIS_LEVELS",
    "NON_COLLABORATIVE_ROLES",
    "ORGANISER_ROLES",
    "Network",
    "actor_projection",
    "as_network",
    "bipartite_graph",
    "concept_code",
    "entity_id",
    "entity_iri",
    "initiative_projection",
    "load_network",
    "selector",
]

#: Role codes that record contact, not collaboration: being interviewed for a study does not
#: make an actor take part in it, so these links are left out of the network.
NON_COLLABORATIVE_ROLES = frozenset({"interviewee"})

#: Role codes treated as "organiser" of an initiative (overlap: shared organisers).
ORGANISER_ROLES = frozenset(
    {
        "organiser",
        "co-organiser",
        "host",
        "coordinator",
        "project-leader",
        "cluster-manager",
        "project-manager",
        "manager",
        "lead",
        "owner",
    }
)

#: ``basis`` argument → the bases it leaves out. Each level names the weakest basis admitted:
#: ``stated`` keeps only what the sources say, ``inferred`` adds what they clearly imply,
#: ``external`` (= ``all``) adds outside knowledge and editorial rules.
BASIS_LEVELS: dict[str, tuple[str, ...]] = {
    "all": (),
    "stated": ("inferred", "external"),
    "inferred": ("external",),
    "external": (),
}

_BID = str(BID)
_YEAR = re.compile(r"^\s*(-?\d{4})")
_SCHEMES = {"sector": "sector", "valueChainStage": "stage", "region": "region"}


def entity_id(iri: str) -> str:
    """Compact id of a bioeco resource: the IRI without the ``bid:`` base; other IRIs unchanged.

    Examples
    --------
    >>> entity_id("https://w3id.org/bioeco/id/actor/uit")
    'actor/uit'
    >>> entity_id("http://example.org/x")
    'http://example.org/x'
    """
    iri = str(iri)
    return iri[len(_BID) :] if iri.startswith(_BID) else iri


def entity_iri(ident: str) -> URIRef:
    """Inverse of :func:`entity_id`.

    Examples
    --------
    >>> entity_iri("initiative/north")
    rdflib.term.URIRef('https://w3id.org/bioeco/id/initiative/north')
    """
    return URIRef(ident if ":" in ident else _BID + ident)


def concept_code(iri: str | None, scheme: str) -> str | None:
    """Code of a bioeco concept IRI in *scheme* (the last path segment); other IRIs unchanged.

    Examples
    --------
    >>> concept_code("https://w3id.org/bioeco/id/concept/sector/marine", "sector")
    'marine'
    """
    if iri is None or (isinstance(iri, float) and np.isnan(iri)):
        return None
    prefix = f"{_BID}concept/{scheme}/"
    iri = str(iri)
    return iri[len(prefix) :] if iri.startswith(prefix) else iri


def _year(value: Any) -> int | None:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    match = _YEAR.match(str(value))
    return int(match.group(1)) if match else None


def _best_label(frame: pd.DataFrame) -> dict[str, str]:
    """One label per subject: English first, then Norwegian, then untagged; ties by text."""
    rank = {"en": 0, "nb": 1, "": 2}
    out: dict[str, tuple[int, str]] = {}
    for s, label, lang in frame[["s", "label", "lang"]].itertuples(index=False):
        key = (rank.get(lang or "", 3), str(label))
        if s not in out or key < out[s]:
            out[s] = key
    return {s: v[1] for s, v in out.items()}


_Q_NODES = """
SELECT DISTINCT ?s ?kind ?type WHERE {
  { ?s a org:OrganizationalCollaboration . BIND("initiative" AS ?kind)
    OPTIONAL { ?s bioeco:initiativeType ?type } }
  UNION
  { ?s a org:Organization .
    FILTER NOT EXISTS { ?s a org:OrganizationalCollaboration }
    BIND("actor" AS ?kind)
    OPTIONAL { ?s bioeco:actorType ?type } }
}"""

_Q_LABELS = """
SELECT ?s ?label (LANG(?label) AS ?lang) WHERE {
  VALUES ?p { skos:prefLabel rdfs:label }
  ?s ?p ?label .
}"""

_Q_CLASS = """
SELECT ?s ?p ?c WHERE {
  VALUES ?p { bioeco:sector bioeco:valueChainStage bioeco:region }
  ?s ?p ?c .
}"""

_Q_ASSERT = """
SELECT ?s ?p ?c ?basis WHERE {
  ?a bioeco:classifiedEntity ?s ; bioeco:classificationProperty ?p ; bioeco:concept ?c .
  OPTIONAL { ?a bioeco:basis ?basis }
}"""

_Q_STAGE_RULES = """
SELECT ?type ?stage ?note ?basis WHERE {
  ?rule a bioeco:StageApplicability ; bioeco:appliesToType ?type ;
        bioeco:applicableStage ?stage .
  OPTIONAL { ?rule skos:note ?note FILTER(LANGMATCHES(LANG(?note), "en")) }
  OPTIONAL { ?rule bioeco:basis ?basis }
}"""

_Q_DATES = """
SELECT ?s ?start ?end ?parent WHERE {
  ?s a org:OrganizationalCollaboration .
  OPTIONAL { ?s bioeco:startDate ?start }
  OPTIONAL { ?s bioeco:endDate ?end }
  OPTIONAL { ?s dcterms:isPartOf ?parent }
}"""

_Q_MEMBERSHIPS = """
SELECT ?ms ?member ?org ?role (STR(?b) AS ?begin) (STR(?e) AS ?end) (STR(?o) AS ?observed) WHERE {
  ?ms a org:Membership ; org:member ?member ; org:organization ?org .
  ?org a org:OrganizationalCollaboration .
  { ?member a org:Organization } UNION { ?member a org:OrganizationalCollaboration }
  OPTIONAL { ?ms org:role ?role }
  OPTIONAL { ?ms bioeco:observedIn ?o }
  OPTIONAL { ?ms org:memberDuring ?iv .
    OPTIONAL { ?iv time:hasBeginning/(time:inXSDDate|time:inXSDgYearMonth|time:inXSDgYear
                                      |time:inXSDDateTime|time:inXSDDateTimeStamp) ?b }
    OPTIONAL { ?iv time:hasEnd/(time:inXSDDate|time:inXSDgYearMonth|time:inXSDgYear
                                |time:inXSDDateTime|time:inXSDDateTimeStamp) ?e } }
}"""

_Q_CONCEPTS = """
SELECT ?c ?scheme ?order ?broader WHERE {
  ?c skos:inScheme ?scheme .
  OPTIONAL { ?c bioeco:order ?order }
  OPTIONAL { ?c skos:broader ?broader }
}"""


def selector(
    source: Graph | Dataset | Callable[[str], pd.DataFrame],
) -> Callable[[str], pd.DataFrame]:
    """What the analyses run their SELECTs with: ``select(query) -> DataFrame``.

    *source* is a local rdflib Graph/Dataset (queried with :func:`bioeco.store.query.select`) or
    already such a callable, e.g. a :class:`bioeco.serve.remote.Remote` (an external store, read in
    bounded pages).

    Examples
    --------
    >>> from bioeco.analyses._fixture import example_graph
    >>> len(selector(example_graph())("SELECT ?s WHERE { ?s a org:Organization }")) > 0
    True
    """
    if isinstance(source, Graph):
        from bioeco.store.query import select

        return partial(select, source)
    if callable(source):
        return source
    raise UsageError(f"cannot run SPARQL on a {type(source).__name__}")


def _membership_valid(
    begin: int | None,
    end: int | None,
    observed: int | None,
    init_start: int | None,
    init_end: int | None,
    year: int,
) -> tuple[bool, str]:
    """Validity of one membership in *year* and the rule that decided it (see load_network)."""
    if observed is not None and observed == year:
        return True, "observed"
    if begin is not None or end is not None:
        ok = (begin is None or begin <= year) and (end is None or year <= end)
        return ok, "interval"
    if observed is not None:
        return False, "observed"
    ok = (init_start is None or init_start <= year) and (init_end is None or year <= init_end)
    return ok, "undated"


@dataclass(frozen=True, eq=False)
class Network:
    """The analysable view of a bioeco graph.

    ``nodes``: one row per actor and initiative, indexed by IRI, columns ``id`` (compact id),
    ``label``, ``kind`` (``actor``/``initiative``), ``type`` (type code), ``sectors``,
    ``stages``, ``regions`` (sorted tuples of codes), ``start``/``end`` (years, initiatives),
    ``part_of`` (tuple of parent initiative IRIs).
    ``edges``: one row per kept member–initiative link: ``member``, ``initiative`` (IRIs),
    ``roles`` (sorted tuple of role codes), ``rule`` (why it was kept: ``all``, ``interval``,
    ``observed`` or ``undated``).
    ``concepts``: ``concept`` (IRI), ``scheme`` (``sector``/``stage``/``region``/…), ``code``,
    ``label``, ``order``, ``broader`` (tuple of codes).
    """

    nodes: pd.DataFrame
    edges: pd.DataFrame
    concepts: pd.DataFrame
    as_of: int | None = None
    basis: str = "all"
    #: Which value-chain stages each actor/initiative type can occupy (the ontology's
    #: ``bioeco:StageApplicability`` rules): columns ``kind`` (``actor``/``initiative``),
    #: ``type`` (code), ``stages`` (tuple of stage codes), ``note``, ``basis``. Empty: no rules,
    #: every type at every stage.
    stage_rules: pd.DataFrame | None = None
    #: The organisations a recorded change event ended by the year ``as_of`` (default: the
    #: latest year the sources describe), one row each: columns
    #: :data:`bioeco.analyses.ended.ENDED_COLUMNS`. None: not known (a network built by hand).
    ended: pd.DataFrame | None = None

    @cached_property
    def gone(self) -> frozenset[str]:
        """IRIs of the organisations of :attr:`ended` (no planned action may add them)."""
        return frozenset() if self.ended is None else frozenset(self.ended["organisation"])

    @cached_property
    def members(self) -> list[str]:
        """Sorted IRIs of everything that is a member of some initiative (rows of B)."""
        return sorted(set(self.edges["member"].tolist()))

    @cached_property
    def initiatives(self) -> list[str]:
        """Sorted IRIs of initiatives with at least one kept member (columns of B)."""
        return sorted(set(self.edges["initiative"].tolist()))

    @cached_property
    def incidence(self) -> sparse.csr_matrix:
        """0/1 incidence matrix B (members × initiatives) as ``scipy.sparse.csr_matrix``."""
        row = {m: i for i, m in enumerate(self.members)}
        col = {m: i for i, m in enumerate(self.initiatives)}
        r = np.array([row[m] for m in self.edges["member"].tolist()], dtype=np.int64)
        c = np.array([col[m] for m in self.edges["initiative"].tolist()], dtype=np.int64)
        data = np.ones(len(r), dtype=np.int64)
        shape = (len(self.members), len(self.initiatives))
        b = sparse.csr_matrix((data, (r, c)), shape=shape)
        b.data[:] = 1
        b.sort_indices()
        return b

    @cached_property
    def _positions(self) -> dict[str, int]:
        """Node IRI → its row in :attr:`nodes` (the last one, should an IRI repeat)."""
        return {iri: k for k, iri in enumerate(self.nodes.index.tolist())}

    def _column(self, column: str) -> list[Any]:
        """The values of one column of :attr:`nodes` as Python objects (as
        ``to_dict("records")`` gives them), built once per column: no dict per row."""
        columns = self.__dict__.setdefault("_columns", {})
        if column not in columns:
            columns[column] = self.nodes[column].tolist()
        return columns[column]

    def attr(self, iri: str, column: str) -> Any:
        """Attribute *column* of node *iri* (``None``/empty tuple when unknown)."""
        k = self._positions.get(iri)
        if k is not None:
            value = self._column(column)[k]
            return None if column in ("start", "end", "type") and pd.isna(value) else value
        return () if column in ("sectors", "stages", "regions", "part_of") else None

    @cached_property
    def _actor_adjacency(self) -> sparse.csr_matrix:
        """0/1 adjacency (int8) of the member–member projection, rows and columns in
        :attr:`members` order (sorted IRIs): B·Bᵀ without its diagonal, indices sorted."""
        b = self.incidence
        adj = (b @ b.T).tocsr()
        adj.setdiag(0)
        adj.eliminate_zeros()
        adj = sparse.csr_matrix((adj > 0).astype(np.int8))
        adj.sort_indices()
        return adj

    @cached_property
    def _actor_graph(self) -> nx.Graph:
        """The member–member projection, built once per network and shared by the analyses
        (read-only: :func:`actor_projection` gives callers their own copy)."""
        return _projection(self, self.incidence, self.members, self.initiatives)

    @cached_property
    def _members_of(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        edges = self.edges
        for m, o in zip(edges["member"].tolist(), edges["initiative"].tolist(), strict=True):
            out.setdefault(o, []).append(m)
        return out

    def members_of(self, initiative: str) -> list[str]:
        """IRIs of the kept members of *initiative* (sorted)."""
        return self._members_of.get(initiative, [])

    @cached_property
    def _labels(self) -> dict[str, str]:
        return {
            iri: str(label) if label else entity_id(iri)
            for iri, label in zip(
                self.nodes.index.tolist(), self.nodes["label"].tolist(), strict=True
            )
        }

    def label(self, iri: str) -> str:
        """Readable label of a node (its compact id when it has none)."""
        label = self._labels.get(iri)
        return label if label is not None else entity_id(iri)

    def codes(self, scheme: str) -> list[str]:
        """Codes of *scheme* known in the graph (declared concepts plus used ones), ordered."""
        col = {"sector": "sectors", "stage": "stages", "region": "regions"}[scheme]
        used = {c for values in self.nodes[col] for c in values}
        table = self.concepts[self.concepts["scheme"] == scheme]
        declared = set(table["code"])
        order = {
            c: o for c, o in zip(table["code"], table["order"], strict=True) if not np.isnan(o)
        }
        return sorted(used | declared, key=lambda c: (order.get(c, np.inf), c))

    @cached_property
    def _hierarchy(self) -> dict[str, tuple[dict[str, list[str]], dict[str, set[str]]]]:
        """Per scheme: the parents of each code (sorted) and the children of each code."""
        out: dict[str, tuple[dict[str, list[str]], dict[str, set[str]]]] = {}
        for scheme, table in self.concepts.groupby("scheme", sort=True):
            parents: dict[str, list[str]] = {}
            children: dict[str, set[str]] = {}
            for c, broader in zip(table["code"], table["broader"], strict=True):
                parents[c] = sorted(broader)
                for b in broader:
                    children.setdefault(b, set()).add(c)
            out[str(scheme)] = (parents, children)
        return out

    def top(self, scheme: str, code: str) -> str:
        """The top concept above *code* in *scheme* (following ``skos:broader``; first parent
        in code order when there are several); *code* itself when it has no parent."""
        cache = self.__dict__.setdefault("_tops", {})
        key = (scheme, code)
        if key not in cache:
            parents = self._hierarchy.get(scheme, ({}, {}))[0]
            seen = {code}
            while parents.get(code):
                code = parents[code][0]
                if code in seen:  # a cycle in skos:broader: stop where it closes
                    break
                seen.add(code)
            cache[key] = code
        return cache[key]

    def descendants(self, scheme: str, code: str) -> set[str]:
        """*code* and every concept below it (``skos:broader``) in *scheme*."""
        cache = self.__dict__.setdefault("_descendants", {})
        key = (scheme, code)
        if key not in cache:
            children = self._hierarchy.get(scheme, ({}, {}))[1]
            out, todo = set(), [code]
            while todo:
                cur = todo.pop()
                if cur not in out:
                    out.add(cur)
                    todo.extend(children.get(cur, ()))
            cache[key] = frozenset(out)
        return set(cache[key])

    def restrict_region(self, region: str) -> Network:
        """Keep only memberships whose member lies in *region* (or a region below it)."""
        inside = self.descendants("region", region)
        keep = {iri for iri, regions in self.nodes["regions"].items() if set(regions) & inside}
        edges = self.edges[self.edges["member"].isin(keep)].reset_index(drop=True)
        return replace(self, edges=edges)


def load_network(
    graph: Graph | Dataset | Callable[[str], pd.DataFrame],
    *,
    as_of: int | None = None,
    basis: str = "all",
) -> Network:
    """Read actors, initiatives, memberships and classifications from *graph*.

    Members are actors (``org:Organization``) and initiatives that are members of other
    initiatives (e.g. clusters taking part in a project); persons are left out. Classification
    attributes come from the shortcut triples (``bioeco:sector``, ``bioeco:valueChainStage``,
    ``bioeco:region``). ``basis`` (see :data:`BASIS_LEVELS`) names the weakest basis admitted:
    with ``"stated"`` a shortcut triple is dropped when its classification assertions
    all mark it ``bioeco:inferred`` or ``bioeco:external``; with ``"inferred"`` when they all mark
    it ``bioeco:external``; ``"external"`` and ``"all"`` keep everything.

    ``as_of`` (a year) keeps a membership when (1) ``bioeco:observedIn`` equals the year, or
    (2) its ``org:memberDuring`` interval covers the year (years compared, open ends open), or
    (3) it has neither interval nor observation year and the initiative's own
    ``bioeco:startDate``/``bioeco:endDate`` cover the year (an undated membership is assumed to
    last as long as the initiative; no dates at all → kept). A membership observed in another
    year with no interval is dropped. The ``rule`` column of ``edges`` says which rule applied.

    *graph* may also be a ``select(query) -> DataFrame`` callable (see :func:`selector`),
    e.g. a :class:`bioeco.serve.remote.Remote` for an external SPARQL store.

    Examples
    --------
    >>> from bioeco.analyses._fixture import example_graph
    >>> net = load_network(example_graph(), as_of=2020)
    >>> north = net.edges[net.edges["initiative"].str.endswith("/north")]
    >>> [(entity_id(m), rule) for m, rule in zip(north["member"], north["rule"])]
    [('actor/nofima', 'undated')]
    >>> net.incidence.shape
    (6, 3)
    """
    run = selector(graph)
    if basis not in BASIS_LEVELS:
        raise UsageError(f"basis must be one of {', '.join(BASIS_LEVELS)}, not {basis!r}")
    if as_of is not None and not isinstance(as_of, int | np.integer):
        raise UsageError(f"as_of must be a year (integer), not {as_of!r}")

    nodes = run(_Q_NODES)
    if nodes.empty:
        nodes = pd.DataFrame(columns=["s", "kind", "type"])
    nodes = nodes.sort_values(["s", "kind", "type"], na_position="last")
    nodes = nodes.drop_duplicates("s").set_index("s")
    labels_df = run(_Q_LABELS)
    labels = _best_label(labels_df) if not labels_df.empty else {}

    concepts = run(_Q_CONCEPTS)
    crow: dict[str, dict[str, Any]] = {}
    for c, scheme, order, broader in concepts.itertuples(index=False):
        sc = entity_id(scheme).removeprefix("scheme/")
        row = crow.setdefault(c, {"scheme": sc, "order": None, "broader": set()})
        if order is not None and not (isinstance(order, float) and np.isnan(order)):
            row["order"] = float(order)
        if broader is not None and not (isinstance(broader, float) and np.isnan(broader)):
            row["broader"].add(concept_code(broader, sc))
    concept_frame = pd.DataFrame(
        [
            {
                "concept": c,
                "scheme": r["scheme"],
                "code": concept_code(c, r["scheme"]),
                "label": labels.get(c, concept_code(c, r["scheme"])),
                "order": r["order"] if r["order"] is not None else np.nan,
                "broader": tuple(sorted(r["broader"])),
            }
            for c, r in sorted(crow.items())
        ],
        columns=["concept", "scheme", "code", "label", "order", "broader"],
    )

    cls = run(_Q_CLASS)
    if BASIS_LEVELS[basis] and not cls.empty:
        asserts = run(_Q_ASSERT)
        if not asserts.empty:
            weaker = {f"#{b}" for b in BASIS_LEVELS[basis]}
            asserts["inferred"] = [str(b)[str(b).rfind("#") :] in weaker for b in asserts["basis"]]
            keyed = asserts.groupby(["s", "p", "c"])["inferred"].all()
            drop = set(keyed[keyed].index)
            mask = [(s, p, c) not in drop for s, p, c in cls[["s", "p", "c"]].itertuples(False)]
            cls = cls[mask]
    attrs: dict[str, dict[str, set[str]]] = {}
    for s, p, c in cls.itertuples(index=False):
        scheme = _SCHEMES[entity_id(p).rsplit("#", 1)[-1]]
        attrs.setdefault(s, {}).setdefault(scheme, set()).add(concept_code(c, scheme))

    dates = run(_Q_DATES)
    starts: dict[str, int] = {}
    ends: dict[str, int] = {}
    parents: dict[str, set[str]] = {}
    for s, start, end, parent in dates.itertuples(index=False):
        if _year(start) is not None:
            starts[s] = min(starts.get(s, 9999), _year(start))
        if _year(end) is not None:
            ends[s] = max(ends.get(s, -9999), _year(end))
        if isinstance(parent, str):
            parents.setdefault(s, set()).add(parent)

    rows = []
    for s, kind, typ in nodes.itertuples():
        a = attrs.get(s, {})
        rows.append(
            {
                "iri": s,
                "id": entity_id(s),
                "label": labels.get(s, entity_id(s)),
                "kind": kind,
                "type": concept_code(typ, f"{kind}-type") if isinstance(typ, str) else None,
                "sectors": tuple(sorted(a.get("sector", ()))),
                "stages": tuple(sorted(a.get("stage", ()))),
                "regions": tuple(sorted(a.get("region", ()))),
                "start": starts.get(s),
                "end": ends.get(s),
                "part_of": tuple(sorted(parents.get(s, ()))),
            }
        )
    node_frame = pd.DataFrame(
        rows,
        columns=[
            "iri",
            "id",
            "label",
            "kind",
            "type",
            "sectors",
            "stages",
            "regions",
            "start",
            "end",
            "part_of",
        ],
    ).set_index("iri")

    ms = run(_Q_MEMBERSHIPS)
    links: dict[tuple[str, str], dict[str, Any]] = {}
    for _ms, member, org, role, begin, end, observed in ms.sort_values("ms").itertuples(False):
        if member == org:
            continue
        if isinstance(role, str) and concept_code(role, "role") in NON_COLLABORATIVE_ROLES:
            continue
        if as_of is None:
            ok, rule = True, "all"
        else:
            ok, rule = _membership_valid(
                _year(begin), _year(end), _year(observed), starts.get(org), ends.get(org), as_of
            )
        if not ok:
            continue
        link = links.setdefault((member, org), {"roles": set(), "rules": set()})
        if isinstance(role, str):
            link["roles"].add(concept_code(role, "role"))
        link["rules"].add(rule)
    edge_frame = pd.DataFrame(
        [
            {
                "member": m,
                "initiative": o,
                "roles": tuple(sorted(v["roles"])),
                "rule": "|".join(sorted(v["rules"])),
            }
            for (m, o), v in sorted(links.items())
        ],
        columns=["member", "initiative", "roles", "rule"],
    )
    ended = ended_organisations(run, year=as_of, left_out=BASIS_LEVELS[basis])
    return Network(node_frame, edge_frame, concept_frame, as_of, basis, _stage_rules(run), ended)


def _stage_rules(run: Callable[[str], pd.DataFrame]) -> pd.DataFrame:
    """The ``bioeco:StageApplicability`` rules of the graph, one row per type (see
    :attr:`Network.stage_rules`)."""
    found = run(_Q_STAGE_RULES)
    rules: dict[tuple[str, str], dict[str, Any]] = {}
    for typ, stage, note, basis in found.itertuples(index=False):
        path = entity_id(typ).removeprefix("concept/")
        scheme, _, code = path.partition("/")
        kind = scheme.removesuffix("-type")
        if kind not in ("actor", "initiative") or not code:
            continue
        rule = rules.setdefault((kind, code), {"stages": set(), "note": "", "basis": ""})
        rule["stages"].add(concept_code(stage, "stage"))
        if isinstance(note, str):
            rule["note"] = note
        if isinstance(basis, str):
            rule["basis"] = basis.rsplit("#", 1)[-1]
    return pd.DataFrame(
        [
            {
                "kind": k,
                "type": t,
                "stages": tuple(sorted(r["stages"])),
                **{"note": r["note"], "basis": r["basis"]},
            }
            for (k, t), r in sorted(rules.items())
        ],
        columns=["kind", "type", "stages", "note", "basis"],
    )


def as_network(
    source: Graph | Dataset | Network, *, as_of: int | None = None, basis: str = "all"
) -> Network:
    """Return *source* if it is a :class:`Network`, else :func:`load_network` of it.

    Examples
    --------
    >>> from bioeco.analyses._fixture import example_graph
    >>> net = as_network(example_graph())
    >>> as_network(net) is net
    True
    """
    if isinstance(source, Network):
        if (as_of is not None and as_of != source.as_of) or (
            basis != "all" and basis != source.basis
        ):
            raise UsageError("as_of/basis must be given to load_network, not with a Network")
        return source
    if not isinstance(source, Graph):
        raise UsageError(f"expected an rdflib Graph/Dataset or a Network, not {type(source)}")
    return load_network(source, as_of=as_of, basis=basis)


def _node_attrs(net: Network, iri: str) -> dict[str, Any]:
    return {
        "id": entity_id(iri),
        "label": net.label(iri),
        "kind": net.attr(iri, "kind"),
        "type": net.attr(iri, "type"),
        "sectors": net.attr(iri, "sectors"),
        "stages": net.attr(iri, "stages"),
        "regions": net.attr(iri, "regions"),
    }


def bipartite_graph(source: Graph | Dataset | Network, **kwargs: Any) -> nx.Graph:
    """Bipartite member–initiative graph; node keys are IRIs.

    Member nodes get ``bipartite=0``, initiatives with members ``bipartite=1``; an initiative
    that is itself a member of another initiative keeps ``bipartite=1`` and its membership is an
    edge between two initiatives (``nested=True``). Node attributes: ``id``, ``label``, ``kind``,
    ``type``, ``sectors``, ``stages``, ``regions``; edge attributes ``roles``, ``rule``,
    ``nested``. Keyword arguments go to :func:`load_network`.

    Examples
    --------
    >>> from bioeco.analyses._fixture import example_graph
    >>> g = bipartite_graph(example_graph())
    >>> g.number_of_nodes(), g.number_of_edges()
    (10, 12)
    >>> g.nodes["https://w3id.org/bioeco/id/actor/uit"]["sectors"]
    ('health', 'marine')
    """
    import networkx as nx

    net = as_network(source, **kwargs)
    g = nx.Graph()
    inits = set(net.initiatives)
    for iri in net.members:
        g.add_node(iri, bipartite=1 if iri in inits else 0, **_node_attrs(net, iri))
    for iri in net.initiatives:
        g.add_node(iri, bipartite=1, **_node_attrs(net, iri))
    for m, o, roles, rule in net.edges.itertuples(index=False):
        g.add_edge(m, o, roles=roles, rule=rule, nested=net.attr(m, "kind") == "initiative")
    return g


def shared_columns(
    matrix: sparse.csr_matrix,
    with_rows: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Row pairs i < j of a 0/1 *matrix* that share columns, with the shared columns.

    Returns ``rows, cols, weights, starts, shared``: the pairs sorted by (i, j), their number
    of shared columns, and ``shared[starts[p]:starts[p + 1]]`` the sorted shared columns of
    pair p (``starts`` has one entry more than there are pairs). One pass over the columns:
    every column with members r₁ < … < r_m adds the pairs (r_a, r_b), a < b (work Σ m²/2).
    With *with_rows* (a boolean per row), only the pairs with one of those rows (the same
    entries as the pairs of the whole answer that have one; work Σ m over their columns).
    """
    csc = sparse.csc_matrix(matrix)
    csc.sort_indices()
    lengths = np.diff(csc.indptr)
    parts_i, parts_j, parts_c = [], [], []
    columns = lengths > 1
    if with_rows is not None:
        with_rows = np.asarray(with_rows, dtype=bool)
        columns &= np.asarray(sparse.csr_matrix(matrix)[with_rows].sum(axis=0)).ravel() > 0
    for c in np.flatnonzero(columns):
        members = csc.indices[csc.indptr[c] : csc.indptr[c + 1]]
        if with_rows is not None:  # positions p < q with row p or row q asked
            asked = np.flatnonzero(with_rows[members])
            p = np.repeat(asked, len(members))
            q = np.tile(np.arange(len(members)), len(asked))
            # each pair once: from its asked position, from the first one when both are
            pick = (p != q) & ~(with_rows[members[q]] & (q < p))
            p, q = p[pick], q[pick]
            a, b = np.minimum(p, q), np.maximum(p, q)
        else:
            a, b = np.triu_indices(len(members), k=1)
        parts_i.append(members[a])
        parts_j.append(members[b])
        parts_c.append(np.full(len(a), c, dtype=np.int64))
    if not parts_i:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty, np.zeros(1, dtype=np.int64), empty
    i = np.concatenate(parts_i).astype(np.int64)
    j = np.concatenate(parts_j).astype(np.int64)
    c = np.concatenate(parts_c)
    order = np.lexsort((c, j, i))
    i, j, c = i[order], j[order], c[order]
    new = np.ones(len(i), dtype=bool)
    new[1:] = (i[1:] != i[:-1]) | (j[1:] != j[:-1])
    first = np.flatnonzero(new)
    starts = np.append(first, len(i))
    return i[first], j[first], np.diff(starts), starts, c


def _projection(net: Network, matrix: sparse.csr_matrix, keys: list[str], via: list[str]):
    """Weighted projection of the rows of *matrix* (shared columns), via a sparse product."""
    import networkx as nx

    g = nx.Graph()
    g.add_nodes_from((k, _node_attrs(net, k)) for k in keys)
    rows, cols, weights, starts, shared = shared_columns(matrix)
    names = np.asarray(via, dtype=object)
    g.add_edges_from(
        (keys[i], keys[j], {"weight": int(w), "via": tuple(names[shared[a:b]])})
        for i, j, w, a, b in zip(
            rows.tolist(),
            cols.tolist(),
            weights.tolist(),
            starts[:-1].tolist(),
            starts[1:].tolist(),
            strict=True,
        )
    )
    return g


def actor_projection(source: Graph | Dataset | Network, **kwargs: Any) -> nx.Graph:
    """Member–member projection: an edge per pair sharing initiatives (B·Bᵀ off-diagonal).

    Edge attributes: ``weight`` (number of shared initiatives), ``via`` (their IRIs, sorted).
    Node keys are member IRIs (actors, and initiatives that are members of initiatives).

    Examples
    --------
    >>> from bioeco.analyses._fixture import example_graph
    >>> g = actor_projection(example_graph())
    >>> uit, nofima = (f"https://w3id.org/bioeco/id/actor/{x}" for x in ("uit", "nofima"))
    >>> g[uit][nofima]["weight"]
    2
    """
    net = as_network(source, **kwargs)
    return _projection(net, net.incidence, net.members, net.initiatives)


def initiative_projection(source: Graph | Dataset | Network, **kwargs: Any) -> nx.Graph:
    """Initiative–initiative projection: an edge per pair sharing members (Bᵀ·B off-diagonal).

    Edge attributes: ``weight`` (number of shared members), ``via`` (their IRIs, sorted).

    Examples
    --------
    >>> from bioeco.analyses._fixture import example_graph
    >>> g = initiative_projection(example_graph())
    >>> north, green = (f"https://w3id.org/bioeco/id/initiative/{x}" for x in ("north", "green"))
    >>> g[north][green]["via"]
    ('https://w3id.org/bioeco/id/actor/nofima',)
    """
    net = as_network(source, **kwargs)
    return _projection(net, net.incidence.T.tocsr(), net.initiatives, net.members)
