"""The Oxigraph store: in memory by default, persistent on disk when given a path."""

from __future__ import annotations

from bioeco.ingest.build import build_dataset
from bioeco.store.dataset import new_dataset
from bioeco.store.query import select


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


def test_native_loading_matches_rdflib_parsing(tiny_dataset, tmp_path):
    from rdflib import Dataset

    from bioeco.ingest.export import write_outputs
    from bioeco.store.dataset import load_dataset, normalise_triple

    files = write_outputs(tiny_dataset, tmp_path)
    native = load_dataset(files["trig"])
    reference = Dataset()
    reference.parse(files["trig"], format="trig")

    def quads(ds):
        return {
            (str(g.identifier), *map(str, normalise_triple(t)))
            for g in ds.graphs()
            for t in g
            if not any(type(x).__name__ == "BNode" for x in t)
        }

    assert quads(native) == quads(reference)
    assert len(quads(native)) > 100
