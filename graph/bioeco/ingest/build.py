"""Turn loaded records into RDF: one named graph per source document plus the ontology graph.

The record→triple mapping lives in :mod:`bioeco.ingest.quads` (records straight to sorted N-Quads
text); :func:`build_dataset` bulk-loads those quads into an Oxigraph store and wraps it as an
rdflib Dataset, so the library API, the notebooks and ``bioeco build`` share one mapping.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
from rdflib import Dataset

from bioeco.errors import DataError
from bioeco.ingest.load import Records, load_records
from bioeco.ingest.quads import build_quads, load_store
from bioeco.store.dataset import new_dataset, wrap_store

__all__ = ["build_dataset"]


def build_dataset(
    data_dir: Path | str | None = None,
    *,
    ontology_dir: Path | str | None = None,
    records: Records | None = None,
    path: Path | str | None = None,
) -> Dataset:
    """Load ``data/`` and build the knowledge graph as an rdflib Dataset on an Oxigraph store.

    The quads come from :func:`bioeco.ingest.quads.build_quads` (N-Quads text bulk-loaded into
    Oxigraph), the same quads ``bioeco build`` writes.

    The default graph of the returned dataset is the union of all named graphs.
    With *path*, the Oxigraph store lives on disk there (created if missing); otherwise in
    memory. Raises :class:`~bioeco.errors.DataError` for bad input.
    """
    onto = Path(ontology_dir) if ontology_dir else None
    if records is None:
        records = load_records(data_dir, ontology_dir=onto)
    if not records.sources:
        raise DataError("no source documents in sources.csv", file="sources.csv")
    nquads = build_quads(records, ontology_dir=onto).nquads()  # the sorted rows are freed
    if path is not None and Path(path).exists():  # an existing store: add to it
        dataset = new_dataset(path)
        dataset.store._inner.load(input=nquads, format=ox.RdfFormat.N_QUADS)
        return dataset
    return wrap_store(load_store(nquads, Path(path) if path is not None else None))
