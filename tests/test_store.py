"""The Oxigraph store: in memory by default, persistent on disk when given a path."""

from __future__ import annotations

from graph.build import build_dataset
from graph.query import select
from graph.store import new_dataset


def test_dataset_is_oxigraph_backed(tiny_dataset):
    assert type(tiny_dataset.store).__name__ == "OxigraphStore"


def test_on_disk_store_persists_between_opens(tiny_records, tmp_path):
    path = tmp_path / "store"
    ds = build_dataset(records=tiny_records, path=path)
    n = int(select(ds, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").loc[0, "n"])
    ds.close()
    reopened = new_dataset(path)
    again = int(select(reopened, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").loc[0, "n"])
    reopened.close()
    assert again == n > 0
