"""Write the graph to files: deterministic TriG and Turtle, written atomically.

The bytes are made here; the writing goes through :mod:`bioeco.core.atomic` (temporary file,
fsync, rename), so a reader or a crash sees either the old files or the new ones. Both files of
a build are renamed only after both are on disk.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

import pyoxigraph as ox
from rdflib import Dataset, Graph, URIRef

from bioeco.core.atomic import (  # re-exported: bioeco.export held them before 0.2
    STALE_TEMP_SECONDS,
    atomic_write,
    atomic_write_many,
    atomic_write_set,
    remove_stale_temps,
)
from bioeco.core.vocab import PREFIXES, RDF
from bioeco.ingest.canonical import OxKeys, canonical, native_rows
from bioeco.ingest.quads import TYPE_KEY, BuiltGraph, graph_char
from bioeco.ingest.turtle import TurtleTerms, prefix_lines, write_graph
from bioeco.store.dataset import to_oxigraph

__all__ = [
    "STALE_TEMP_SECONDS",
    "atomic_write",
    "atomic_write_many",
    "atomic_write_set",
    "remove_stale_temps",
    "serialize_built",
    "serialize_trig",
    "serialize_turtle",
    "write_graph_files",
    "write_outputs",
]


_OX_PREFIXES = {prefix: str(ns) for prefix, ns in PREFIXES.items()}


def _with_sorted_prefixes(text: str) -> str:
    """Oxigraph writes every given prefix in map order: sort them for stable output."""
    lines = text.split("\n")  # not splitlines(): U+2028 or U+0085 in a literal is no line end
    prefixes = sorted(line for line in lines if line.startswith("@prefix "))
    body = "\n".join(line for line in lines if not line.startswith("@prefix ")).strip("\n")
    return "\n".join(prefixes) + "\n\n" + body + "\n"


def serialize_turtle(graph: Graph | Iterable) -> str:
    """Serialize triples as Turtle, byte-identical for the same set of triples.

    Triples are sorted (subject, then ``rdf:type`` first, predicate, object) and written by
    Oxigraph's serializer with the project's prefixes; blank nodes get canonical labels.

    Examples
    --------
    >>> from rdflib import Graph, URIRef, Literal
    >>> g = Graph()
    >>> x = URIRef("https://w3id.org/bioeco/id/actor/x")
    >>> _ = g.add((x, URIRef("http://www.w3.org/2004/02/skos/core#prefLabel"), Literal("X")))
    >>> print(serialize_turtle(g).split("\\n\\n", 1)[1])
    actor:x skos:prefLabel "X" .
    <BLANKLINE>
    """
    items = [ox.Triple(*map(to_oxigraph, t)) for t in canonical(graph)]
    text = ox.serialize(items, format=ox.RdfFormat.TURTLE, prefixes=_OX_PREFIXES).decode()
    return _with_sorted_prefixes(text)


def serialize_trig(graphs: Mapping[URIRef, Graph | Iterable] | Dataset) -> str:
    """Serialize named graphs as TriG: one block per graph, sorted by graph IRI.

    Accepts a mapping from graph IRI to graph, or an rdflib Dataset (its named graphs).
    """
    if isinstance(graphs, Dataset):
        items = {
            URIRef(str(ctx.identifier)): ctx
            for ctx in graphs.graphs()
            if isinstance(ctx.identifier, URIRef) and len(ctx)
        }
    else:
        items = dict(graphs)
    quads = []
    for index, name in enumerate(sorted(items, key=str)):
        graph_name = ox.NamedNode(str(name))
        for t in canonical(items[name], scope=f"g{index}"):
            quads.append(ox.Quad(*map(to_oxigraph, t), graph_name))
    text = ox.serialize(quads, format=ox.RdfFormat.TRIG, prefixes=_OX_PREFIXES).decode()
    return _with_sorted_prefixes(text)


def _native_store(dataset: Dataset) -> ox.Store | None:
    return getattr(dataset.store, "_inner", None)  # the pyoxigraph.Store behind oxrdflib


_NT_TYPE = f"<{RDF.type}>"
_LINES_AT_ONCE = 1 << 24  # bytes of a graph's N-Triples decoded and split at a time


def _nt_lines(raw: bytes) -> Iterator[list[str]]:
    """The lines of the N-Triples bytes *raw* (each ended by ``\\n``), about
    :data:`_LINES_AT_ONCE` bytes at a time, so the whole text is never decoded at once. Lines
    are split on ``\\n`` only: N-Triples escapes line breaks in literals but not U+2028."""
    start, end = 0, len(raw) - 1  # raw ends with a line break
    while start < end:
        stop = raw.find(b"\n", start + _LINES_AT_ONCE) if start + _LINES_AT_ONCE < end else -1
        stop = end if stop < 0 else stop
        yield raw[start:stop].decode().split("\n")
        start = stop + 1


def _key_rows(found: dict, suffix: str, nt: dict[str, str]) -> list[str]:
    """Rows of :class:`~bioeco.ingest.quads.BuiltGraph` for :func:`native_rows`' *found* (each ended
    by *suffix*: a space and the graph character, or a space for the union); the N-Triples
    form of every object whose sort key differs from it goes into *nt*."""
    from bioeco.ingest.quads import TYPE_KEY

    rows = []
    for (s, flag, p, o), terms in found.items():
        text = str(terms[2])
        if text != o:
            nt[o] = text
        rows.append(f"{s} {p if flag else TYPE_KEY} {o}{suffix}")
    return rows


class _LiteralKeys:
    """Sort key of a literal from its N-Triples text (as Oxigraph dumps it): the text itself
    when rdflib's ``n3()`` writes the same (no escape, no datatype), otherwise through
    :class:`OxKeys` once per distinct literal (rdflib's lexical normalisation, its quoting);
    keys that are not the N-Triples text of the literal to write are added to *nt*."""

    def __init__(self, keys: OxKeys, nt: dict[str, str]) -> None:
        self.keys = keys
        self.nt = nt
        self.done: dict[str, str] = {}
        self.merges = False  # whether a key differs from its literal's text as dumped

    def __call__(self, text: str) -> str:
        key = self.done.get(text)
        if key is None:
            if "\\" in text:  # an escape: let Oxigraph read it
                line = f"<x:s> <x:p> {text} .\n".encode()
                literal = next(iter(ox.parse(line, format=ox.RdfFormat.N_TRIPLES))).object
            else:  # "lexical"^^<datatype>
                at = text.rindex('"^^<')
                literal = ox.Literal(text[1:at], datatype=ox.NamedNode(text[at + 4 : -1]))
            key, term = self.keys.key(literal)
            written = str(term)
            if written != key:
                self.nt[key] = written
            self.done[text] = key
            self.merges = self.merges or key != text
        return key


def _store_rows(store: ox.Store) -> BuiltGraph | None:
    """The quads of *store*'s named graphs as sorted rows
    (:class:`~bioeco.ingest.quads.BuiltGraph`),
    ordered and labelled as :func:`serialize_trig` and :func:`serialize_turtle` do; ``None``
    when the default graph holds triples (then the rdflib path runs).

    Each graph is dumped by Oxigraph as N-Triples text and every line becomes a row with
    string operations; only literals with a datatype or an escape, and triples with blank
    nodes (canonical labels, :func:`canonical`), go through rdflib.
    """

    if next(iter(store.quads_for_pattern(None, None, None, ox.DefaultGraph())), None) is not None:
        return None
    keys = OxKeys()
    nt: dict[str, str] = {}
    literal_key = _LiteralKeys(keys, nt)
    names = sorted(g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode))
    rows: list[str] = []
    graphs: list[str] = []
    union_blank: list[ox.Quad] = []
    for name in names:
        raw = store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(name))
        if not raw:
            continue  # empty graphs are not written (and take no scope index)
        end = " " + graph_char(len(graphs))
        blank: list[str] = []
        for lines in _nt_lines(raw):
            for line in lines:
                s, p, o = line[:-2].split(" ", 2)
                if s[0] == "_" or o[0] == "_":
                    blank.append(line)
                    continue
                if s[0] != "<" or o[:2] == "<<":
                    raise TypeError("quoted triples are not part of the vocabulary")
                if p == _NT_TYPE:
                    p = TYPE_KEY
                if o[0] == '"' and (o[-1] == ">" or "\\" in o):
                    o = literal_key(o)
                rows.append(f"{s} {p} {o}{end}")
        del raw
        if blank:
            quads = list(ox.parse("\n".join(blank).encode() + b"\n", format=ox.RdfFormat.N_TRIPLES))
            found = native_rows(quads, keys, scope=f"g{len(graphs)}")
            rows.extend(_key_rows(found, end, nt))
            union_blank.extend(quads)
        graphs.append(name)
    union_rows = _key_rows(native_rows(union_blank, keys, ""), " ", nt) if union_blank else []
    rows.sort()
    if literal_key.merges:  # rdflib's normalisation can make two stored literals one
        rows = list(dict.fromkeys(rows))
    return BuiltGraph(rows=rows, graphs=graphs, nt=nt, union_blank=union_rows)


def _write_native(dataset: Dataset) -> tuple[bytes, bytes] | None:
    """TriG and Turtle of an Oxigraph-backed *dataset* straight from its store, equal to the
    rdflib path byte for byte; ``None`` when the dataset is not Oxigraph-backed or has
    triples in its default graph (then the rdflib path runs)."""
    store = _native_store(dataset)
    built = _store_rows(store) if store is not None else None
    if built is None:
        return None
    return serialize_built(built)


def serialize_built(built: BuiltGraph) -> tuple[bytes, bytes]:
    """TriG and Turtle of a :class:`~bioeco.ingest.quads.BuiltGraph`, byte for byte what
    :func:`serialize_trig` and :func:`serialize_turtle` give for the same quads.

    Written from the sorted keys by :mod:`bioeco.ingest.turtle` (Oxigraph's layout and term
    forms, each distinct term once), not by Oxigraph parsing their N-Quads into one Python
    object per quad: 5.6 → 3.3 CPU s at scale 100."""
    terms = TurtleTerms(_OX_PREFIXES, built.nt, TYPE_KEY)
    graphs = (write_graph(name, keys, terms) for name, keys in built.graph_keys())
    trig = _with_prefix_lines(itertools.chain.from_iterable(graphs))
    return trig, _with_prefix_lines(write_graph(None, built.union_keys(), terms))


def _with_prefix_lines(pieces: Iterable[str]) -> bytes:
    """The text of *pieces* after the sorted prefix lines, as :func:`_with_sorted_prefixes`
    orders Oxigraph's output (encoded piece by piece: no whole text as a str)."""
    body = b"".join(piece.encode() for piece in pieces)
    if not body:
        return b"\n\n\n"  # what Oxigraph's empty output becomes
    return prefix_lines(_OX_PREFIXES) + b"\n\n" + body


def write_graph_files(out_dir: Path | str, trig: bytes, ttl: bytes) -> dict[str, Path]:
    """Write ``bioeco.trig`` and ``bioeco.ttl`` (serialized already) into *out_dir*,
    atomically, as :func:`write_outputs` does."""
    out = Path(out_dir)
    remove_stale_temps(out, ("bioeco.trig", "bioeco.ttl"))
    written = atomic_write_many(
        {out / "bioeco.trig": trig, out / "bioeco.ttl": ttl},
        make_folders=True,  # --out DIR
    )
    return {"trig": written[0], "ttl": written[1]}


def write_outputs(dataset: Dataset, out_dir: Path | str) -> dict[str, Path]:
    """Write ``bioeco.trig`` (all named graphs) and ``bioeco.ttl`` (their union) into *out_dir*.

    Both files are serialized completely in memory first and then written atomically
    (:func:`atomic_write_many`), so a failure or a kill leaves the previous outputs untouched.
    Stale temporary files of earlier, killed builds are removed first. An Oxigraph-backed
    dataset (:func:`~bioeco.ingest.build.build_dataset`) is written from its store's N-Triples dump
    through the sorted writers of ``bioeco build`` (:func:`serialize_built`); other datasets
    through rdflib (:func:`serialize_trig`, :func:`serialize_turtle`). The bytes are the same.
    """
    out = Path(out_dir)
    remove_stale_temps(out, ("bioeco.trig", "bioeco.ttl"))
    native = _write_native(dataset)
    if native is not None:
        return write_graph_files(out, *native)
    per_graph = {
        URIRef(str(c.identifier)): list(c)  # read each graph from the store once
        for c in dataset.graphs()
        if isinstance(c.identifier, URIRef) and len(c)
    }
    trig = serialize_trig(per_graph)
    ttl = serialize_turtle(itertools.chain.from_iterable(per_graph.values()))
    trig_path, ttl_path = atomic_write_many(
        {out / "bioeco.trig": trig, out / "bioeco.ttl": ttl},
        make_folders=True,  # --out DIR
    )
    return {"trig": trig_path, "ttl": ttl_path}
