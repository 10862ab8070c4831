"""A build's quads as sorted key rows (BuiltGraph) and their N-Quads and N-Triples text."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from dataclasses import dataclass, field
from operator import itemgetter

from bioeco.core.vocab import RDF

__all__ = [
    "TYPE_KEY",
    "BuiltGraph",
    "graph_char",
]


_CHUNK = 100_000  # keys turned into text at a time


_MAX_REPLACED = 32  # more multi-line literals than this: text one line at a time


def graph_char(index: int) -> str:
    """The graph of a row, as its last character: never ASCII (no clash with the separators
    and flags that :meth:`BuiltGraph._text` replaces), increasing with the index, and within
    Latin-1 for the first 128 graphs (so rows stay one byte per character)."""
    return chr(0x80 + index)


TYPE_KEY = "\1"
"""``rdf:type`` in a row: sorts before every IRI (rdflib's order puts it first)."""


_TYPE_KEY_BYTES = f" {TYPE_KEY} ".encode()


_TYPE_NT_BYTES = f" <{RDF.type}> ".encode()


@dataclass
class BuiltGraph:
    """The quads of a build as sorted key strings (see the module docstring).

    ``rows`` holds ``s p o g`` per quad, space-separated: ``s``, ``p`` and ``o`` as rdflib's
    ``n3()`` writes them, except ``rdf:type``, written :data:`TYPE_KEY` so that it sorts
    first, and ``g`` the graph as one character (:func:`graph_char`); sorted, without
    duplicates. A space sorts before every character that can follow a complete term, so the
    strings sort as the tuples :func:`bioeco.ingest.export.serialize_trig` sorts. ``graphs`` are the
    graph IRIs by index (sorted); ``nt`` the N-Triples form of the few objects whose key
    differs from it (multi-line literals); ``union_blank`` the union's rows (without graph) of
    blank-node triples (their canonical labels differ from those in the TriG).
    """

    rows: list[str]
    graphs: list[str]
    nt: dict[str, str] = field(default_factory=dict)
    union_blank: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.rows)

    def _text(self, keys: list[str], line_end: str) -> bytes:
        """N-Quads / N-Triples bytes of *keys* (rows without their graph character), each
        line ended by *line_end*: one join and a few replacements per chunk instead of work
        per quad. Keys hold no raw line break but in multi-line literals, exchanged for their
        N-Triples form first, and the type placeholder only as the predicate (the loader
        refuses control characters in cells)."""
        if len(self.nt) > _MAX_REPLACED:  # many multi-line literals: exchange key by key
            keys = [self._exchange(key) for key in keys]
        text = line_end.join(keys) + line_end
        if len(self.nt) <= _MAX_REPLACED:
            for key, nt in self.nt.items():
                text = text.replace(f" {key} ", f" {nt} ")
        return text.encode().replace(_TYPE_KEY_BYTES, _TYPE_NT_BYTES)

    def _exchange(self, key: str) -> str:
        return _exchange(key, self.nt)

    def nquads(self) -> bytes:
        """N-Quads of all quads, graph by graph (sorted by IRI), each graph in TriG order."""
        return b"".join(self.iter_nquads())

    def iter_nquads(self) -> Iterator[bytes]:
        """:meth:`nquads` in pieces of up to :data:`_CHUNK` quads, made as they are read."""
        for name, chunks in self.graph_keys():
            for keys in chunks:
                yield self._text(keys, f"<{name}> .\n")

    def graph_keys(self) -> Iterator[tuple[str, Iterator[list[str]]]]:
        """Each graph's IRI (sorted) and its keys (rows without the graph character), in TriG
        order, in lists of up to :data:`_CHUNK` made as they are read; graphs without rows
        are left out."""
        by_graph = sorted(self.rows, key=itemgetter(-1))  # stable: keeps the key order
        for i, name in enumerate(self.graphs):
            char = graph_char(i)
            lo = bisect_left(by_graph, char, key=itemgetter(-1))
            hi = bisect_right(by_graph, char, key=itemgetter(-1))
            if lo < hi:
                yield name, _pieces(by_graph, lo, hi)

    def union_ntriples(self) -> bytes:
        """N-Triples of the union of all graphs, in Turtle order, duplicates dropped."""
        return b"".join(self.iter_union_ntriples())

    def iter_union_ntriples(self) -> Iterator[bytes]:
        """:meth:`union_ntriples` in pieces, made as they are read."""
        for keys in self.union_keys():
            yield self._text(keys, ".\n")

    def union_keys(self) -> Iterator[list[str]]:
        """The keys of the union of all graphs (rows without their graph, duplicates dropped,
        blank-node triples labelled for the union) in Turtle order, in lists made as they
        are read."""
        blank = sorted(self.union_blank, reverse=True)
        previous = None
        for i in range(0, len(self.rows), _CHUNK):
            keys = []
            for row in self.rows[i : i + _CHUNK]:
                key = row[:-1]  # without the graph
                if key != previous:
                    keys.append(key)
                    previous = key
            if self.union_blank:  # blank-node triples: in union_blank, labelled for the union
                keys = [
                    k for k in keys if not (k.startswith("_:") or (" _:" in k and _blank_object(k)))
                ]
                last = keys[-1] if keys else ""
                while blank and blank[-1] < last:
                    keys.append(blank.pop())
                keys.sort()  # two sorted runs: linear
            if keys:
                yield keys
        if blank:
            yield blank[::-1]


def _pieces(rows: list[str], lo: int, hi: int) -> Iterator[list[str]]:
    """The keys of *rows* ``[lo:hi]`` (without their last character, the graph) in lists of
    up to :data:`_CHUNK`."""
    for start in range(lo, hi, _CHUNK):
        yield [row[:-1] for row in rows[start : min(start + _CHUNK, hi)]]


def _exchange(key: str, nt: dict[str, str]) -> str:
    """*key* — a key ``s p o `` (trailing space) or a row ``s p o g`` — with its object in
    N-Triples form when *nt* has one: one lookup (subjects and predicates hold no space, the
    object ends at the last space), not a scan of *nt*.

    Examples
    --------
    >>> nt = {'"a b"': '"A B"'}
    >>> _exchange('<s> <p> "a b" ', nt), _exchange('<s> <p> "a b" g', nt)
    ('<s> <p> "A B" ', '<s> <p> "A B" g')
    >>> _exchange('<s> <p> "a" g', nt)
    '<s> <p> "a" g'
    """
    rest = key.split(" ", 2)[2]
    obj = rest[: rest.rindex(" ")]
    new = nt.get(obj)
    return key if new is None else key[: len(key) - len(rest)] + new + rest[len(obj) :]


def _blank_object(key: str) -> bool:
    """Whether the object of the row *key* is a blank node (not a literal that holds
    ``_:``); subjects and predicates hold no space."""
    return key.split(" ", 2)[2].startswith("_:")
