"""What-if on the graph: a scenario's actions and suggested actions, starting from the network
and state ``bioeco analyze`` saved when they are of the same graph."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bioeco.core.atomic import atomic_write_set
from bioeco.core.paths import OUT_DIR
from bioeco.core.progress import step
from bioeco.core.safeio import MAX_GRAPH_BYTES, read_bounded, sha256_of
from bioeco.errors import UsageError
from bioeco.store.freshness import StaleGraphWarning, build_state

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["WHATIF_TABLES", "WhatifOutput", "whatif"]


def _analysed_network(
    data_dir: Path | str | None,
    graph_file: Path | str | list[Path | str] | tuple[Path | str, ...] | None,
    out_dir: Path | str | None,
    as_of: int | None,
    basis: str,
    *,
    want_pairs: bool,
    want_state: bool = False,
) -> tuple[Any, pd.DataFrame | None, dict[str, int] | None, dict[str, Any] | None]:
    """The network ``bioeco analyze`` read and wrote to ``<out>/analysis/network.json``
    (:mod:`bioeco.analyses.netfile`) when :func:`open_graph` would read one TriG file (given,
    or the current ``out/bioeco.trig``) whose SHA-256 is the analysis manifest's graph key, and
    the file is of these *as_of* and *basis*; else None (the graph is then not opened here).
    When the analysis ran with the default options, also (else None) the ``bridges_pairs``
    table (with *want_pairs*: what the suggestions would compute) and the cross-sector open
    two-paths of every member from ``bridges_actors`` (what the what-if would count; not read
    when the saved start is, which holds them). With *want_state*, also the what-if's start
    saved with the network (:func:`bioeco.analyses.incremental.read_state`) when it is of the
    same graph, else None."""
    from bioeco.analyses.netfile import NETWORK_FILE, read_network
    from bioeco.analyses.stored import options_key, read_manifest
    from bioeco.core.vocab import BID

    if data_dir is not None:
        return None, None, None, None
    if isinstance(graph_file, list | tuple):
        if len(graph_file) != 1:
            return None, None, None, None
        graph_file = graph_file[0]
    out = Path(out_dir) if out_dir is not None else None
    if graph_file is not None:
        trig = Path(graph_file)
    else:
        trig = (out or OUT_DIR) / "bioeco.trig"
        if not trig.is_file():
            return None, None, None, None
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", StaleGraphWarning)  # open_graph says it, if read
            if build_state(trig.parent).state != "fresh":
                return None, None, None, None
    if out is not None:
        folder = out / "analysis"
    elif trig.name == "bioeco.trig":
        folder = trig.parent / "analysis"
    else:
        folder = OUT_DIR / "analysis"
    manifest = read_manifest(folder) if folder.is_dir() else None
    if manifest is None:
        return None, None, None, None
    try:
        key = sha256_of(trig, max_bytes=MAX_GRAPH_BYTES)  # open_step.digest_file's key
    except OSError:
        return None, None, None, None
    if manifest.get("graph") != key:
        return None, None, None, None
    try:
        net = read_network(read_bounded(folder / NETWORK_FILE, max_bytes=MAX_GRAPH_BYTES))
    except (OSError, ValueError, KeyError, TypeError):
        return None, None, None, None
    if net.as_of != as_of or net.basis != basis or net.__dict__.get("graph") != key:
        return None, None, None, None
    state = _saved_start(folder, key, as_of, basis) if want_state else None
    pairs, cross = None, None
    held = manifest.get("tables", {})
    if as_of is None and basis == "all" and manifest.get("options") == options_key({}):
        if want_pairs and "bridges_pairs" in held:
            pairs = _table_columns(
                folder / "bridges_pairs.csv", held["bridges_pairs"], ("actor_a", "actor_b")
            )
        if "bridges_actors" in held and state is None:  # a saved start has them
            found = _table_columns(
                folder / "bridges_actors.csv",
                held["bridges_actors"],
                ("actor", "cross_sector_paths"),
            )
            if found is not None:
                counted = {
                    f"{BID}{a}": int(c)
                    for a, c in zip(found["actor"], found["cross_sector_paths"], strict=True)
                }
                # the table leaves out the members whose score is 0: no betweenness and no
                # cross-sector two-path (both parts of the score are 0 or more)
                cross = {m: counted.get(m, 0) for m in net.members}
    return net, pairs, cross, state


def _saved_start(folder: Path, key: str, as_of: int | None, basis: str) -> dict[str, Any] | None:
    """The what-if's start ``bioeco analyze`` saved in *folder* for the graph *key* (and these
    *as_of* and *basis*), or None."""
    from bioeco.analyses.incremental import STATE_FILE, read_state

    try:
        state = read_state(read_bounded(folder / STATE_FILE, max_bytes=MAX_GRAPH_BYTES))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if state.get("graph") != key or state.get("as_of") != as_of or state.get("basis") != basis:
        return None
    return state


def _table_columns(path: Path, entry: dict, names: tuple[str, ...]) -> pd.DataFrame | None:
    """The columns *names* (text) of an analysis table in *path*, in its row order, when the
    file is the one the manifest *entry* describes (its SHA-256); else None. Only these
    columns are parsed: the tables' lists are long at scale."""
    import csv
    import hashlib
    import io

    import pandas as pd

    from bioeco.analyses.stored import cell_text

    try:
        raw = read_bounded(path, max_bytes=MAX_GRAPH_BYTES, within=path.parent)
    except OSError:
        return None
    if hashlib.sha256(raw).hexdigest() != entry.get("sha256"):
        return None
    rows = csv.reader(io.StringIO(raw.decode("utf-8")))
    header = next(rows, [])
    if not set(names) <= set(header):
        return None
    at = [header.index(n) for n in names]  # a list per row, no dict: the tables are long
    body = list(rows)
    if any(len(r) != len(header) for r in body):
        return None  # not a table as bioeco writes one
    return pd.DataFrame([[cell_text(r[k]) for k in at] for r in body], columns=list(names))


WHATIF_TABLES = ("whatif_steps", "whatif_changes", "whatif_suggestions")
"""The tables of :func:`whatif`, written to ``<out>/whatif/<table>.csv``."""


class WhatifOutput(dict):
    """What :func:`whatif` did: its tables by name (the mapping itself, as before) and, in
    ``files``, the files it wrote, as :class:`~bioeco.pipeline.AnalysisOutput` lists them
    (empty without *write*)."""

    def __init__(self, tables: dict[str, pd.DataFrame], files: list[Path] | None = None):
        super().__init__(tables)
        self.files: list[Path] = list(files or [])


def whatif(
    scenario: Path | str | None = None,
    *,
    suggest: int | None = None,
    goal: str = "both",
    region: str | None = None,
    as_of: int | None = None,
    basis: str = "all",
    per_actor: int = 2,
    data_dir: Path | str | None = None,
    graph_file: Path | str | list[Path | str] | tuple[Path | str, ...] | None = None,
    out_dir: Path | str | None = None,
    write: bool = True,
) -> WhatifOutput:
    """What-if on the graph (see :func:`open_graph`): apply a *scenario* file and/or *suggest*
    the N actions that would change the most (:mod:`bioeco.analyses.whatif`), at most
    *per_actor* of them naming the same actor (0: no limit;
    :func:`~bioeco.analyses.whatif_suggest.suggest_actions`).

    Returns the tables ``whatif_steps`` and ``whatif_changes`` (with a scenario) and
    ``whatif_suggestions`` (with *suggest*); with *write* they replace the set
    ``<out>/whatif/*.csv`` at once, and the result's ``files`` lists them. Neither ``data/``
    nor the graph files change. Raises :class:`~bioeco.errors.DataError` for a bad scenario
    row and
    :class:`~bioeco.errors.UsageError` when neither a scenario nor *suggest* is given.
    """
    from bioeco.analyses.tablecsv import table_csv
    from bioeco.analyses.whatif import suggest_actions
    from bioeco.analyses.whatif import whatif as run_whatif

    if scenario is None and not suggest:
        raise UsageError("give a scenario file or ask for suggestions (--suggest N)")
    net, pairs, cross, state = _analysed_network(
        data_dir,
        graph_file,
        out_dir,
        as_of,
        basis,
        want_pairs=bool(suggest) and region is None,
        want_state=scenario is not None,
    )
    source = net
    if net is None:  # read the graph, once for both
        from bioeco.analyses.project import load_network
        from bioeco.pipeline.open_step import open_graph

        graph = open_graph(data_dir, graph_file, with_analysis=False)
        step("reading the network")
        source = net = load_network(graph, as_of=as_of, basis=basis)
    tables: dict[str, pd.DataFrame] = {}
    if scenario is not None:
        tables.update(run_whatif(source, scenario, cross=cross, start=state))
    if suggest:
        tables["whatif_suggestions"] = suggest_actions(
            source, suggest, goal=goal, region=region, pairs=pairs, per_actor=per_actor
        )
    files: list[Path] = []
    if write:
        out = Path(out_dir) if out_dir is not None else OUT_DIR
        texts = {f"{n}.csv": table_csv(f) for n, f in tables.items()}
        files = atomic_write_set(out / "whatif", texts)
    return WhatifOutput(tables, files)
