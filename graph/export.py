"""Write the graph to files: deterministic TriG and Turtle, written atomically."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path

from rdflib import Dataset, Graph, URIRef
from rdflib.compare import to_canonical_graph

from graph.store import normalise_triple
from graph.vocab import bind_prefixes

__all__ = [
    "atomic_write",
    "serialize_trig",
    "serialize_turtle",
    "write_outputs",
]


def atomic_write(path: Path | str, data: str | bytes) -> Path:
    """Write *data* to *path* through a temporary file in the same folder and a rename.

    A reader (or a crash) never sees a half-written file: either the old content or the new.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "x.txt"
    >>> _ = atomic_write(p, "hello")
    >>> p.read_text()
    'hello'
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    umask = os.umask(0)
    os.umask(umask)
    try:
        os.fchmod(fd, 0o666 & ~umask)  # mkstemp creates 0600; give the usual permissions
        with os.fdopen(fd, "wb") as fh:
            fh.write(raw)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def _canonical(triples: Iterable) -> Graph:
    g = Graph()
    for t in triples:
        g.add(normalise_triple(t))
    canon = Graph()
    for t in to_canonical_graph(g):  # blank nodes relabelled deterministically
        canon.add(t)
    bind_prefixes(canon)
    return canon


def serialize_turtle(graph: Graph | Iterable) -> str:
    """Serialize triples as Turtle, byte-identical for the same set of triples.

    Examples
    --------
    >>> from rdflib import Graph, URIRef, Literal
    >>> g = Graph()
    >>> x = URIRef("https://w3id.org/bioeco/id/actor/x")
    >>> _ = g.add((x, URIRef("http://www.w3.org/2004/02/skos/core#prefLabel"), Literal("X")))
    >>> print(serialize_turtle(g))
    @prefix actor: <https://w3id.org/bioeco/id/actor/> .
    @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
    <BLANKLINE>
    actor:x skos:prefLabel "X" .
    <BLANKLINE>
    """
    return _canonical(graph).serialize(format="turtle")


def _split_prefixes(turtle: str) -> tuple[list[str], str]:
    prefixes, body = [], []
    for line in turtle.splitlines():
        (prefixes if line.startswith("@prefix ") else body).append(line)
    return prefixes, "\n".join(body).strip("\n")


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
    all_prefixes: set[str] = set()
    blocks = []
    for name in sorted(items, key=str):
        prefixes, body = _split_prefixes(serialize_turtle(items[name]))
        all_prefixes.update(prefixes)
        # no re-indentation: it would change multi-line literals
        blocks.append(f"<{name}> {{\n{body}\n}}\n")
    return "\n".join(sorted(all_prefixes)) + "\n\n" + "\n".join(blocks)


def write_outputs(dataset: Dataset, out_dir: Path | str) -> dict[str, Path]:
    """Write ``bioeco.trig`` (all named graphs) and ``bioeco.ttl`` (their union) into *out_dir*.

    Both files are serialized completely in memory first and then written atomically, so a
    failure leaves the previous outputs untouched.
    """
    out = Path(out_dir)
    contexts = [c for c in dataset.graphs() if isinstance(c.identifier, URIRef) and len(c)]
    trig = serialize_trig({URIRef(str(c.identifier)): c for c in contexts})
    union = Graph()
    bind_prefixes(union)
    for ctx in contexts:
        for triple in ctx:
            union.add(triple)
    ttl = serialize_turtle(union)
    return {
        "trig": atomic_write(out / "bioeco.trig", trig),
        "ttl": atomic_write(out / "bioeco.ttl", ttl),
    }
