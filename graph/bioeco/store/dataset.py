"""The Oxigraph store behind rdflib: datasets in memory or on disk, safe RDF file loading."""

from __future__ import annotations

import logging
from pathlib import Path

import pyoxigraph as ox
import rdflib.plugins.sparql
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from bioeco.core.safeio import UnsafeFile, check_regular
from bioeco.core.vocab import bind_prefixes
from bioeco.errors import DataError, UsageError

__all__ = [
    "RDF_FORMATS",
    "REFUSED_FORMATS",
    "close_dataset",
    "load_dataset",
    "new_dataset",
    "normalise_triple",
    "to_oxigraph",
    "to_rdflib",
    "union_graph",
    "wrap_store",
]

# rdflib's own SPARQL engine would download the IRI of every FROM / FROM NAMED clause;
# bioeco never fetches anything at run time (also set in graph.query).
rdflib.plugins.sparql.SPARQL_LOAD_GRAPHS = False


class _IllTypedLiterals(logging.Filter):
    """rdflib logs a traceback for every ill-typed literal it meets (``"x"^^xsd:integer``);
    such a literal is kept and shown as its text (SHACL reports it where a shape asks for the
    datatype), so the traceback is noise that must not reach a user."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("Failed to convert Literal lexical form")


logging.getLogger("rdflib.term").addFilter(_IllTypedLiterals())

RDF_FORMATS = {
    ".trig": "trig",
    ".ttl": "turtle",
    ".nq": "nquads",
    ".nt": "nt",
}
"""File suffixes bioeco reads. Formats that can pull remote content (RDF/XML entities,
JSON-LD contexts) are not accepted."""

REFUSED_FORMATS = {
    ".rdf": "RDF/XML",
    ".owl": "RDF/XML",
    ".xml": "RDF/XML",
    ".jsonld": "JSON-LD",
    ".json": "JSON-LD",
    ".n3": "Notation3",
    ".trix": "TriX",
    ".html": "RDFa",
    ".hext": "Hextuples",
}
"""Suffixes refused with a reason: XML formats expand entities (billion laughs) and may
resolve external ones, JSON-LD fetches remote ``@context`` documents, Notation3 and RDFa are
more than data."""


_OX_FORMATS = {
    "trig": ox.RdfFormat.TRIG,
    "turtle": ox.RdfFormat.TURTLE,
    "nquads": ox.RdfFormat.N_QUADS,
    "nt": ox.RdfFormat.N_TRIPLES,
}


def new_dataset(path: Path | str | None = None) -> Dataset:
    """A new rdflib Dataset backed by Oxigraph, in memory or on disk at *path*.

    The default graph is the union of the named graphs, so plain SPARQL sees everything.

    Examples
    --------
    >>> ds = new_dataset()
    >>> type(ds.store).__name__
    'OxigraphStore'
    """
    dataset = Dataset(store="Oxigraph", default_union=True)
    if path is not None:
        target = Path(path)
        dataset.open(str(target), create=not target.exists())
    bind_prefixes(dataset)
    return dataset


def wrap_store(native: ox.Store, *, read_only: bool = False) -> Dataset:
    """An rdflib Dataset on an existing pyoxigraph *native* store, its default graph the
    union of the named graphs, as :func:`new_dataset`.

    With *read_only* (a store opened with ``pyoxigraph.Store.read_only``), asking for a named
    graph (``dataset.graph(name)``, which rdflib turns into "add this graph") changes
    nothing; adding triples raises Oxigraph's error.
    """
    from oxrdflib import OxigraphStore

    class _ReadOnly(OxigraphStore):
        def add_graph(self, graph: Graph) -> None:
            pass  # a graph that is not there reads as empty; nothing to record

    store = _ReadOnly(store=native) if read_only else OxigraphStore(store=native)
    dataset = Dataset(store=store, default_union=True)
    bind_prefixes(dataset)
    return dataset


def close_dataset(dataset: Dataset) -> None:
    """Release the Oxigraph store behind *dataset* now (an on-disk store's write lock with
    it), instead of whenever the garbage collector frees the dataset; the dataset must not
    be used afterwards."""
    store = dataset.store
    if getattr(store, "_store", None) is not None:
        store._store = None


def load_dataset(path: Path | str, *, into: Dataset | None = None) -> Dataset:
    """Read a TriG / Turtle / N-Quads / N-Triples file into a new in-memory Oxigraph dataset
    (or into the dataset *into*).

    Turtle and N-Triples go into a named graph named after the file's URI. Raises
    :class:`~bioeco.errors.UsageError` for a missing file, an unsupported format (the format
    comes from the suffix only; content is never sniffed) or a file that does not parse.

    Nothing is fetched: ``owl:imports``, ``@base`` and graph names stay plain IRIs, and
    RDF/XML and JSON-LD (entity expansion, remote ``@context``) are refused outright.

    Examples
    --------
    >>> load_dataset("evil.rdf")
    Traceback (most recent call last):
    ...
    bioeco.errors.UsageError: evil.rdf: RDF/XML input is refused (parsing it can expand ...
    """
    path = Path(path)
    suffix = path.suffix.lower()
    fmt = RDF_FORMATS.get(suffix)
    if suffix in REFUSED_FORMATS:
        raise UsageError(
            f"{path}: {REFUSED_FORMATS[suffix]} input is refused (parsing it can expand "
            "entities or fetch remote documents); convert it to Turtle or TriG"
        )
    if fmt is None:
        raise UsageError(
            f"{path}: unsupported RDF format {path.suffix!r} (use {', '.join(RDF_FORMATS)})"
        )
    try:
        check_regular(path)  # never a FIFO (blocks), a device (endless) or a directory
    except UnsafeFile as exc:
        raise UsageError(f"{path}: {exc}") from None
    dataset = into if into is not None else new_dataset()
    native = getattr(dataset.store, "_inner", None)  # the pyoxigraph.Store behind oxrdflib
    try:
        if isinstance(native, ox.Store):
            # Oxigraph's own parser: ~10x faster than rdflib's, and it never fetches anything
            target = None if fmt in ("trig", "nquads") else ox.NamedNode(path.resolve().as_uri())
            native.load(
                path=str(path),
                format=_OX_FORMATS[fmt],
                base_iri=path.resolve().as_uri(),  # relative IRIs resolve as rdflib does
                to_graph=target,
            )
        elif fmt in ("trig", "nquads"):
            dataset.parse(path, format=fmt)
        else:
            dataset.graph(path.resolve().as_uri()).parse(path, format=fmt)
    except Exception as exc:  # parser-specific exception types
        if not _reads_as_rdf(path, fmt):  # e.g. /etc/passwd hard-linked: never quoted
            raise UsageError(
                f"{path}: cannot parse {fmt} (not a {fmt} file: no statement could be read)"
            ) from None
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise UsageError(f"{path}: cannot parse {fmt} ({first})") from None
    return dataset


def _reads_as_rdf(path: Path, fmt: str) -> bool:
    """Whether *path* holds at least one statement before its first error: the parser's
    message (which quotes the file) is shown only for a file that reads as RDF."""
    try:
        for _ in ox.parse(path=str(path), format=_OX_FORMATS[fmt], base_iri="urn:x:"):
            return True
    except (SyntaxError, ValueError, OSError):
        return False
    return False


def to_oxigraph(term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """The Oxigraph term for an rdflib term (a plain literal stays plain: ``xsd:string`` is
    implied in RDF 1.1).

    Examples
    --------
    >>> to_oxigraph(Literal("Tromsø", lang="nb"))
    <Literal value=Tromsø language=nb>
    >>> to_oxigraph(URIRef("https://example.org/x")) == ox.NamedNode("https://example.org/x")
    True
    """
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None and term.datatype != XSD.string:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise DataError(f"unexpected RDF term {term!r}")


def to_rdflib(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> Node:
    """The rdflib term for an Oxigraph term, as oxrdflib converts it (so every path shows the
    same text; plain literals come back with ``^^xsd:string``, see :func:`normalise_triple`).

    Examples
    --------
    >>> to_rdflib(ox.Literal("92", datatype=ox.NamedNode(str(XSD.decimal)))).n3()
    '"92"^^<http://www.w3.org/2001/XMLSchema#decimal>'
    >>> to_rdflib(to_oxigraph(Literal("x", lang="en"))) == Literal("x", lang="en")
    True
    """
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    raise DataError(f"unexpected RDF term {term!r}")


def normalise_triple(triple: tuple) -> tuple:
    """Drop the explicit ``^^xsd:string`` that Oxigraph puts on plain literals (RDF 1.1 says
    they are the same term; rdflib compares them as different).

    Examples
    --------
    >>> from rdflib import URIRef
    >>> s = URIRef("http://example.org/s")
    >>> normalise_triple((s, s, Literal("x", datatype=XSD.string)))[2] == Literal("x")
    True
    """
    s, p, o = triple
    if isinstance(o, Literal) and o.datatype == XSD.string:
        o = Literal(str(o))
    return s, p, o


def union_graph(dataset: Dataset | Graph) -> Graph:
    """Copy every triple of *dataset* (all named graphs) into one plain in-memory Graph.

    pyshacl and networkx work fastest on rdflib's memory store.
    """
    g = Graph()
    bind_prefixes(g)
    if isinstance(dataset, Dataset):
        for ctx in dataset.graphs():
            for triple in ctx:
                g.add(normalise_triple(triple))
    else:
        for triple in dataset:
            g.add(normalise_triple(triple))
    return g
