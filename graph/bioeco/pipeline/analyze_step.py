"""Run the analyses and save them: the tables in ``out/analysis/``, the ``analysis`` named
graph (also into the persistent store), the network and start state the what-if reuses."""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox
from rdflib import URIRef

from bioeco.core.paths import OUT_DIR
from bioeco.core.progress import job, step
from bioeco.errors import EndpointError, UsageError
from bioeco.ingest.export import atomic_write_set, serialize_trig
from bioeco.pipeline.open_step import graph_key, open_folder, open_graph, read_from
from bioeco.store.dataset import load_dataset
from bioeco.store.disk import digest, read_state, store_dir, write_state
from bioeco.store.freshness import StaleGraphWarning, build_state

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["AnalysisOutput", "analyze", "run_clock"]


def run_clock() -> datetime:
    """Now, in UTC, or ``SOURCE_DATE_EPOCH`` when set (reproducible analysis graphs)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), tz=UTC)
    return datetime.now(tz=UTC).replace(microsecond=0)


@dataclass
class AnalysisOutput:
    """What :func:`analyze` did: the result tables (cut to *top*), the files written (always
    the full tables) and the number of rows of each full table."""

    tables: dict[str, pd.DataFrame]
    files: list[Path] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)


@job
def analyze(
    kinds: tuple[str, ...] = ("gaps", "overlap", "bridges"),
    *,
    data_dir: Path | str | None = None,
    graph_file: Path | str | list[Path | str] | tuple[Path | str, ...] | None = None,
    out_dir: Path | str | None = None,
    write: bool = True,
    top: int | None = None,
    sector: str | None = None,
    region: str | None = None,
    as_of: int | None = None,
    seed: int = 42,
    endpoint: Any = None,
    **thresholds: Any,
) -> AnalysisOutput:
    """Run the analyses on the graph (see :func:`open_graph`) and, with *write*, save them.

    *top* cuts the returned tables to their N best rows; the files always hold the full
    tables (``rows`` of the result says how many). Writes ``<out>/analysis/<table>.csv``
    (formula-safe, deterministic) and
    ``<out>/analysis.trig``: the ``analysis`` named graph with a ``prov:Activity`` recording
    the parameters, the graphs used and the time (``SOURCE_DATE_EPOCH`` makes it fixed).
    *thresholds* are passed on to :func:`bioeco.analyses.run.run_analyses` (e.g. ``min_shared``).
    *endpoint* (a :class:`bioeco.serve.remote.Remote`) reads an external SPARQL store instead of a
    local graph, in bounded pages.
    Raises :class:`~bioeco.errors.UsageError` for unknown sector/region codes.
    """
    from bioeco.analyses.record import results_to_rdf
    from bioeco.analyses.run import csv_files, cut_top, run_analyses

    if endpoint is not None and "change" in kinds:
        raise UsageError(
            "the change analysis needs the local graph (it splits it by source year); "
            "run it without --endpoint"
        )
    from bioeco.analyses.stored import MANIFEST as TABLES_MANIFEST
    from bioeco.analyses.stored import manifest_text as tables_manifest

    out = Path(out_dir) if out_dir else OUT_DIR
    trig: str | None = None  # digest of the bioeco.trig analysed, which the store may hold
    key: str | None = None  # what the analysed graph holds (graph_key), for reuse
    if endpoint is not None:  # like the local run: without earlier analysis results
        from bioeco.core.vocab import analysis_graph

        dataset = endpoint.without(str(analysis_graph()))
        names = list(dataset.graphs())
    else:
        step("opening the graph")
        # the analyses read the whole graph: Oxigraph answers them 5-9 times faster in memory
        # than from its on-disk store (scale 100: the network query 3.2 s against 15.3 s), so
        # they run on the parsed TriG; the store only receives their graph
        source = _analysed_trig(out, data_dir, graph_file) if write else None
        if source is not None:
            dataset = read_from(load_dataset(source), [source])
        else:
            dataset = open_graph(
                data_dir, graph_file, out_dir=out_dir, with_analysis=False, store=False
            )
        key = graph_key(dataset) if write else None
        trig = key if source is not None else None
        names = [str(g.identifier) for g in dataset.graphs() if isinstance(g.identifier, URIRef)]
    started = run_clock()
    read: list = []  # the network the analyses read: written with the tables, for whatif
    try:
        tables = run_analyses(
            dataset,
            kinds,
            top=None if write else top,  # the files always hold the full tables
            sector=sector,
            region=region,
            as_of=as_of,
            seed=seed,
            network=read.append if write and endpoint is None else None,
            **thresholds,
        )
    except (KeyError, ValueError, TypeError, AttributeError, IndexError) as exc:
        if endpoint is None:
            raise
        # a store's rows are not checked like the tables bioeco builds from: rows of another
        # shape end here, as one line naming the store
        raise EndpointError(
            f"{getattr(endpoint, 'shown', endpoint)}: the store's answers are not those of a "
            f"bioeco graph ({type(exc).__name__}: {str(exc)[:200]}); push a graph built by "
            "bioeco there"
        ) from None
    ended = max(run_clock(), started)
    output = AnalysisOutput(
        tables=cut_top(tables, top), rows={name: len(df) for name, df in tables.items()}
    )
    if write:
        del dataset  # the graph is not needed any more: its memory goes before the files'
        step("writing the tables and the analysis graph")
        used = sorted(name for name in names if "/graph/source/" in name)
        params = {
            "kinds": list(kinds),
            "sector": sector,
            "region": region,
            "as_of": as_of,
            "seed": seed,
            **thresholds,
        }
        rdf = results_to_rdf(tables, params, started=started, ended=ended, used=used, top=top)
        files = {p.name: data for p, data in csv_files(tables, out / "analysis").items()}
        files["analysis.trig"] = serialize_trig({rdf.identifier: rdf})
        if read:
            from bioeco.analyses.incremental import STATE_FILE, start_state
            from bioeco.analyses.netfile import NETWORK_FILE, network_json

            net = read.pop()
            files[NETWORK_FILE] = network_json(net, graph=key)
            # what whatif computes to start on this network, computed once here (the
            # members' two-paths from bridges_actors when its rows are of the whole network:
            # no sector filter or region; thresholds such as basis or min_shared change the
            # network both read, or other tables, never the two-paths counted on it)
            whole = sector is None and region is None
            cross = _counted_cross(net, tables) if whole else None
            overlaps = _found_overlaps(tables, thresholds) if whole else None
            files[STATE_FILE] = start_state(net, graph=key, cross=cross, overlaps=overlaps)
            del net
        # which graph and options the tables are of: report, viz and export reuse them
        options = {"sector": sector, "region": region, "as_of": as_of, "seed": seed}
        files[TABLES_MANIFEST] = tables_manifest(
            key, list(kinds), {**options, **thresholds}, tables, files
        )
        del rdf
        # the tables and the graph of one run switch together (one rename); out/analysis.trig
        # is a fixed link into the current set
        written = atomic_write_set(
            out / "analysis", files, links={out / "analysis.trig": "analysis/analysis.trig"}
        )
        # the manifest, the network file and the what-if start are no results of their own
        output.files = [
            p
            for p in written
            if p.name not in (TABLES_MANIFEST, "network.json", "whatif_state.bin")
        ]
        if trig is not None:
            step("loading the analysis graph into the store")
            _store_analysis(out, trig, files["analysis.trig"])
    return output


def _counted_cross(net: Any, tables: dict[str, pd.DataFrame]) -> dict[str, int] | None:
    """Member IRI → cross-sector open two-paths of the ``bridges_actors`` table just computed
    on *net* (the members it leaves out score 0: none); None without the table."""
    from bioeco.core.vocab import BID

    table = tables.get("bridges_actors")
    if table is None or not {"actor", "cross_sector_paths"} <= set(table.columns):
        return None
    counted = {
        f"{BID}{a}": int(c)
        for a, c in zip(table["actor"], table["cross_sector_paths"], strict=True)
    }
    return {m: counted.get(m, 0) for m in net.members}


def _found_overlaps(
    tables: dict[str, pd.DataFrame], thresholds: dict[str, Any]
) -> dict[tuple[str, str], bool] | None:
    """The initiative pairs of the ``overlap_pairs`` table just computed, as the what-if start
    keeps them, when the table is what the start would find itself (``overlap_pairs`` with its
    default options: the command line passes ``min_shared=2``, the default); None otherwise."""
    import inspect

    from bioeco.analyses.incremental import overlaps_of
    from bioeco.analyses.overlap import overlap_pairs
    from bioeco.analyses.run import THRESHOLDS

    table = tables.get("overlap_pairs")
    if table is None:
        return None
    defaults = inspect.signature(overlap_pairs).parameters
    asked = {k: v for k, v in thresholds.items() if "overlap_pairs" in THRESHOLDS.get(k, ())}
    if any(value != defaults[name].default for name, value in asked.items()):
        return None
    return overlaps_of(table)


def _analysed_trig(
    out: Path,
    data_dir: Path | str | None,
    graph_file: Path | str | list[Path | str] | tuple[Path | str, ...] | None,
) -> Path | None:
    """``out/bioeco.trig`` when it is the graph :func:`analyze` reads (given as *graph_file*,
    or the current build of *out*), so the store built from it may receive the analysis
    graph; None otherwise (other files, tables built in memory)."""
    trig = out / "bioeco.trig"
    if data_dir is not None or not trig.is_file():
        return None
    if isinstance(graph_file, list | tuple):
        graph_file = graph_file[0] if len(graph_file) == 1 else None
        if graph_file is None:
            return None
    if graph_file is not None:
        try:
            return trig if Path(graph_file).resolve() == trig.resolve() else None
        except OSError:
            return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", StaleGraphWarning)  # open_graph warns, if it comes to it
        state = build_state(out)
    return trig if state.state == "fresh" else None


def _store_analysis(out: Path, trig: str, analysis: str | bytes) -> bool:
    """Replace the analysis graph in the persistent store of *out* by *analysis* (the bytes
    of ``out/analysis.trig``) when the store holds the TriG whose digest is *trig*; returns
    whether it did. The new graph is bulk-loaded (written as new files, never held in memory
    as one transaction), after the old one is dropped; ``state.json`` says "updating"
    meanwhile, so no reader takes the store for one with or without either graph. When
    another process writes the store, nothing is done: readers then see that the store does
    not hold ``analysis.trig`` and read the files."""
    from bioeco.core.vocab import analysis_graph

    folder = store_dir(out)
    state = read_state(folder) if folder is not None else None
    if folder is None or state is None or state["graph"] != trig:
        return False
    native = open_folder(out, folder, writable=True)
    if native is None:
        return False
    raw = analysis.encode("utf-8") if isinstance(analysis, str) else analysis
    stamp = state.get("graph_stamp")  # the TriG file is the same: its stamp still holds
    try:
        write_state(folder, trig, "updating", graph_stamp=stamp)
        native.update(f"DROP SILENT GRAPH <{analysis_graph()}>")
        native.bulk_load(input=raw, format=ox.RdfFormat.TRIG)
        native.flush()
        write_state(folder, trig, digest(raw), graph_stamp=stamp)
    finally:
        del native  # release the write lock now, also after an error
    return True
