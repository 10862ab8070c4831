"""The years and areas the sources describe, one year's graph, and what a comparison shares."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from rdflib import Dataset, Graph, URIRef

from bioeco.analyses.project import BASIS_LEVELS, Network, concept_code, entity_id, load_network
from bioeco.core.vocab import BIOECO, RDF, RDFS, SKOS, bind_prefixes, ontology_graph, source_graph
from bioeco.errors import UsageError
from bioeco.store.query import select

__all__ = [
    "CHANGE_TABLES",
    "DIFF_ORDER",
    "STATUS_ORDER",
    "Comparison",
    "Scope",
    "comparison",
    "is_missing",
    "resolve_scope",
    "source_id",
    "source_years",
    "spanned_years",
    "stated_dates",
    "year_graph",
    "year_network",
    "year_of",
]


#: Tables of :func:`bioeco.analyses.change.compare_years`, in output order (here, so that
#: naming them does not import the analyses).
CHANGE_TABLES = (
    "change_summary",
    "change_continuity",
    "change_coverage",
    "change_overlap",
    "change_bridges",
)


_Q_SOURCES = """
SELECT ?src ?issued ?temporal ?spatial WHERE {
  ?src a bioeco:SourceDocument ; dcterms:issued ?issued .
  OPTIONAL { ?src dcterms:temporal ?temporal }
  OPTIONAL { ?src dcterms:spatial ?spatial }
}"""


# What a source names: the entity's own labels there, or a fact of that source about it that
# the source supports (basis stated or inferred); external facts name nothing.
_Q_MENTIONS = """
SELECT DISTINCT ?g ?x WHERE {
  GRAPH ?g {
    { ?x skos:prefLabel|skos:altLabel ?label }
    UNION { ?n org:member|org:organization|bioeco:classifiedEntity|bioeco:part|bioeco:whole
               |org:originalOrganization|org:resultingOrganization ?x .
            FILTER NOT EXISTS { ?n bioeco:basis bioeco:external } }
    UNION { ?n bioeco:figureOf|dcterms:publisher ?x }
  }
  { ?x a org:Organization } UNION { ?x a org:OrganizationalCollaboration }
}"""


_Q_CLUSTER = """
SELECT ?m ?role ?start ?g ?loc WHERE {
  GRAPH ?g { ?ms org:member ?m ; org:organization <%s> ; org:role ?role .
             OPTIONAL { ?ms bioeco:locator ?loc }
             OPTIONAL { ?ms org:memberDuring/time:hasBeginning ?b . ?b ?bp ?start .
                        VALUES ?bp { time:inXSDDate time:inXSDgYearMonth time:inXSDgYear } } }
}"""


def year_of(value: Any) -> int | None:
    """The year a date or year literal starts with (``None`` when it has none)."""
    text = str(value) if value is not None and not is_missing(value) else ""
    return int(text[:4]) if text[:4].isdigit() else None


def is_missing(value: Any) -> bool:
    """An unbound query value: ``None`` or NaN."""
    return value is None or (isinstance(value, float) and np.isnan(value))


def source_id(iri: str) -> str:
    """The id of a source document (its row in ``sources.csv``) from its IRI."""
    return entity_id(iri).removeprefix("source/")


def source_years(graph: Graph | Dataset) -> pd.DataFrame:
    """The source documents of *graph*: the year each describes and the area it covers.

    Columns: ``source`` (id), ``graph`` (its named graph IRI), ``year`` (``dcterms:temporal``,
    else the year of ``dcterms:issued``), ``coverage`` (region code of ``dcterms:spatial`` or
    empty). Sorted by year and id.

    Examples
    --------
    >>> from bioeco.analyses._change_fixture import example_dataset
    >>> source_years(example_dataset())[["source", "year", "coverage"]]
      source  year    coverage
    0  early  2017      norway
    1   late  2021  nord-norge
    """
    frame = select(graph, _Q_SOURCES)
    rows = []
    for src, issued, temporal, spatial in frame.itertuples(index=False):
        year = year_of(temporal) or year_of(issued)
        code = concept_code(spatial, "region") if isinstance(spatial, str) else ""
        ident = source_id(src)
        rows.append(
            {
                "source": ident,
                "graph": str(source_graph(ident)),
                "year": year,
                "coverage": code or "",
            }
        )
    out = pd.DataFrame(rows, columns=["source", "graph", "year", "coverage"])
    out = out.drop_duplicates("source").sort_values(["year", "source"], kind="mergesort")
    return out.reset_index(drop=True)


def spanned_years(graph: Graph | Dataset) -> list[int]:
    """The distinct years the sources of *graph* describe, ascending.

    Examples
    --------
    >>> from bioeco.analyses._change_fixture import example_dataset
    >>> spanned_years(example_dataset())
    [2017, 2021]
    """
    return sorted({int(y) for y in source_years(graph)["year"].dropna()})


def _sources_of(graph: Graph | Dataset, year: int) -> pd.DataFrame:
    years = source_years(graph)
    chosen = years[years["year"] == year]
    if chosen.empty:
        known = ", ".join(str(y) for y in sorted(set(years["year"]))) or "none"
        raise UsageError(f"no source describes {year}: the sources describe {known}")
    return chosen


def _mentions(graph: Graph | Dataset) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for g, x in select(graph, _Q_MENTIONS).itertuples(index=False):
        out.setdefault(str(g), set()).add(str(x))
    return out


def year_graph(graph: Graph | Dataset, year: int) -> Graph:
    """What the sources describing *year* say, as one graph any analysis can read.

    The triples of those sources' named graphs, the ontology graph, and for every actor and
    initiative they name the triples that identify it wherever they stand (its types, type
    concept and labels), so an organisation defined in another source still counts. Nothing
    from other sources' graphs is added (no classifications, memberships or dates of theirs).
    Raises :class:`~bioeco.errors.UsageError` when no source describes *year*.

    Examples
    --------
    >>> from bioeco.analyses._change_fixture import example_dataset
    >>> from bioeco.analyses.project import load_network
    >>> net = load_network(year_graph(example_dataset(), 2017))
    >>> sorted(net.nodes["id"])
    ['actor/alpha', 'actor/beta', 'actor/epsilon', 'initiative/early-project', 'initiative/old-net']
    """
    return _year_graph(graph, year, None)


def _year_graph(graph: Graph | Dataset, year: int, mentions: dict[str, set[str]] | None) -> Graph:
    chosen = _sources_of(graph, year)
    if not isinstance(graph, Dataset):
        raise UsageError("a comparison of years needs a dataset with one named graph per source")
    out = Graph()
    bind_prefixes(out)
    names = [URIRef(g) for g in chosen["graph"]]
    for name in [ontology_graph(), *names]:
        for triple in graph.graph(name):
            out.add(triple)
    mentions = _mentions(graph) if mentions is None else mentions
    named = set().union(*(mentions.get(str(n), set()) for n in names))
    keep = {RDF.type, BIOECO.actorType, BIOECO.initiativeType, SKOS.prefLabel, RDFS.label}
    for iri in sorted(named):
        node = URIRef(iri)
        for p, o in graph.predicate_objects(node):
            if p in keep:
                out.add((node, p, o))
    return out


@dataclass(frozen=True)
class Scope:
    """Which actors a comparison covers: ``all``, a ``region`` or ``sector`` code (and the
    concepts below it) or the members of a ``cluster`` (initiative id)."""

    kind: str
    code: str = ""
    label: str = ""

    def describe(self) -> str:
        """The scope in words, for the ``scope`` column."""
        if self.kind == "all":
            return "all actors named by the sources"
        name = f" ({self.label})" if self.label and self.label != self.code else ""
        if self.kind == "cluster":
            return f"members of cluster {self.code}{name}"
        return f"{self.kind} {self.code}{name} and below"


def resolve_scope(
    net: Network, scope: str | None, coverage_from: str = "", coverage_to: str = ""
) -> Scope:
    """Turn ``--scope`` text into a :class:`Scope`.

    *scope*: ``all``, ``region:CODE``, ``sector:CODE``, ``cluster:ID`` or a bare code/id (tried
    as region, sector, then initiative id). ``None`` compares like with like: the narrower of
    the two sources' areas when one lies inside the other (e.g. ``nord-norge`` inside
    ``norway``), else ``all``.

    Examples
    --------
    >>> from bioeco.analyses._change_fixture import example_dataset
    >>> net = load_network(example_dataset())
    >>> resolve_scope(net, None, "norway", "nord-norge").describe()
    'region nord-norge (Northern Norway) and below'
    >>> resolve_scope(net, "cluster:north").describe()
    'members of cluster north (North Cluster)'
    >>> resolve_scope(net, "moon")
    Traceback (most recent call last):
    ...
    bioeco.errors.UsageError: unknown scope 'moon': use all, region:CODE, sector:CODE or cluster:ID
    """
    labels = dict(zip(net.concepts["code"], net.concepts["label"], strict=True))
    if scope is None:
        a, b = coverage_from, coverage_to
        if a and b:
            if b in net.descendants("region", a):
                return Scope("region", b, str(labels.get(b, b)))
            if a in net.descendants("region", b):
                return Scope("region", a, str(labels.get(a, a)))
        return Scope("all")
    kind, _, code = scope.partition(":") if ":" in scope else ("", "", scope)
    if scope == "all":
        return Scope("all")
    initiatives = {entity_id(i).removeprefix("initiative/"): i for i in net.nodes.index}
    initiatives = {k: v for k, v in initiatives.items() if net.attr(v, "kind") == "initiative"}
    for scheme in ("region", "sector"):
        if kind in ("", scheme) and code in net.codes(scheme):
            return Scope(scheme, code, str(labels.get(code, code)))
    if kind in ("", "cluster") and code in initiatives:
        return Scope("cluster", code, net.label(initiatives[code]))
    if kind in ("region", "sector"):
        known = ", ".join(net.codes(kind))
        raise UsageError(f"unknown {kind} {code!r} in scope: known {kind} codes are {known}")
    if kind == "cluster":
        raise UsageError(f"unknown cluster {code!r} in scope: give an initiative id")
    raise UsageError(f"unknown scope {scope!r}: use all, region:CODE, sector:CODE or cluster:ID")


@dataclass
class Comparison:
    """Everything the tables of one comparison share (read once)."""

    graph: Dataset
    net: Network
    year_from: int
    year_to: int
    sources_from: pd.DataFrame
    sources_to: pd.DataFrame
    named_from: set[str]
    named_to: set[str]
    scope: Scope
    basis: str
    cluster_members: dict[str, list[dict[str, Any]]]
    mentions: dict[str, set[str]]
    cache: dict[Any, Any] = field(default_factory=dict)

    @property
    def coverage_from(self) -> str:
        return ",".join(c for c in self.sources_from["coverage"] if c)

    @property
    def coverage_to(self) -> str:
        return ",".join(c for c in self.sources_to["coverage"] if c)

    def in_scope(self, iri: str) -> bool:
        kind, code = self.scope.kind, self.scope.code
        if kind == "all":
            return True
        if kind == "cluster":
            return iri in self.cluster_members
        attr = "regions" if kind == "region" else "sectors"
        own = set(self.net.attr(iri, attr))
        if not own and kind == "region" and self.net.attr(iri, "kind") == "initiative":
            own = {r for m in self.net.members_of(iri) for r in self.net.attr(m, "regions")}
        return bool(own & self.net.descendants(kind, code))

    def in_area(self, iri: str, areas: str) -> str:
        """``yes``/``no``/``unknown``: does *iri* lie in the area(s) a source covers?"""
        if not areas:
            return "unknown"
        regions = set(self.net.attr(iri, "regions"))
        if not regions and self.net.attr(iri, "kind") == "initiative":
            regions = {r for m in self.net.members_of(iri) for r in self.net.attr(m, "regions")}
        if not regions:
            return "unknown"
        inside = set().union(*(self.net.descendants("region", a) for a in areas.split(",")))
        # a region above the area (e.g. 'norway' for a northern report) does not place it inside
        return "yes" if regions & inside else "no"


def comparison(
    graph: Graph | Dataset, year_from: int, year_to: int, scope: str | None, basis: str
) -> Comparison:
    """The :class:`Comparison` of *year_from* and *year_to*: the sources, network, scope and
    names they share; a usage error for bad years, basis or scope."""
    for name, year in (("from", year_from), ("to", year_to)):
        if not isinstance(year, int | np.integer) or isinstance(year, bool):
            raise UsageError(f"{name} must be a year (integer), not {year!r}")
    if year_from >= year_to:
        raise UsageError(f"from ({year_from}) must be an earlier year than to ({year_to})")
    if basis not in BASIS_LEVELS:
        raise UsageError(f"basis must be one of {', '.join(BASIS_LEVELS)}, not {basis!r}")
    if not isinstance(graph, Dataset):
        raise UsageError("a comparison of years needs a dataset with one named graph per source")
    sources_from, sources_to = _sources_of(graph, year_from), _sources_of(graph, year_to)
    net = load_network(graph, basis=basis)
    mentions = _mentions(graph)
    named_from = set().union(*(mentions.get(g, set()) for g in sources_from["graph"]))
    named_to = set().union(*(mentions.get(g, set()) for g in sources_to["graph"]))
    cov_from = ",".join(c for c in sources_from["coverage"] if c)
    cov_to = ",".join(c for c in sources_to["coverage"] if c)
    single = "," not in cov_from and "," not in cov_to
    resolved = resolve_scope(net, scope, cov_from if single else "", cov_to if single else "")
    members: dict[str, list[dict[str, Any]]] = {}
    if resolved.kind == "cluster":
        cluster = next(i for i in net.nodes.index if entity_id(i) == f"initiative/{resolved.code}")
        frame = select(graph, _Q_CLUSTER % cluster)
        for m, role, start, g, loc in frame.itertuples(index=False):
            code = concept_code(role, "role")
            if code == "interviewee":
                continue
            members.setdefault(str(m), []).append(
                {"role": code, "start": year_of(start), "graph": str(g), "locator": loc}
            )
    return Comparison(
        graph,
        net,
        year_from,
        year_to,
        sources_from,
        sources_to,
        named_from,
        named_to,
        resolved,
        basis,
        members,
        mentions,
    )


def year_network(ctx: Comparison, year: int) -> Network:
    """The network of :func:`year_graph` for *year* at the comparison's basis (read once)."""
    key = ("network", year)
    if key not in ctx.cache:
        graph = _year_graph(ctx.graph, year, ctx.mentions)
        ctx.cache[key] = load_network(graph, basis=ctx.basis)
    return ctx.cache[key]


#: The order of a comparison's rows by status: in both years, only in the earlier, only in the
#: later (``change_continuity``, ``change_overlap``, ``change_bridges``, ``change_summary``).
STATUS_ORDER = {"both": 0, "only-earlier": 1, "only-later": 2}


#: The order of a comparison's rows by difference: stated, external, only not observed, none.
DIFF_ORDER = {"stated": 0, "external": 1, "not-observed": 2, "none": 3}


_Q_DATES = """
SELECT ?x ?start ?end ?g ?loc WHERE {
  GRAPH ?g { ?x a org:OrganizationalCollaboration .
             OPTIONAL { ?x bioeco:startDate ?start } OPTIONAL { ?x bioeco:endDate ?end }
             OPTIONAL { ?x bioeco:locator ?loc } }
  FILTER(BOUND(?start) || BOUND(?end))
}"""


def stated_dates(ctx: Comparison) -> dict[str, tuple[int | None, int | None, str]]:
    """Initiative IRI → (stated start year, stated end year, ``source, locator``) of the
    comparison's graph, read once per comparison."""
    if "dates" in ctx.cache:
        return ctx.cache["dates"]
    out: dict[str, tuple[int | None, int | None, str]] = {}
    ctx.cache["dates"] = out
    for x, start, end, g, loc in select(ctx.graph, _Q_DATES).itertuples(index=False):
        where = f"{source_id(str(g).replace('/graph/source/', '/id/source/'))}, {loc}"
        out[str(x)] = (year_of(start), year_of(end), where)
    return out
