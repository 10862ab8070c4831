"""The network file bioeco analyze writes reads back as the network read from the graph, and
bioeco whatif reads it instead of the graph (same tables)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from bioeco import build_dataset
from bioeco.analyses.incremental import STATE_FILE, Tracker, start_state
from bioeco.analyses.netfile import network_json, read_network
from bioeco.analyses.project import load_network
from bioeco.pipeline import analyze, build, whatif

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("as_of", [None, 2021])
def test_the_file_reads_back_as_the_network(as_of):
    net = load_network(build_dataset(ROOT / "data"), as_of=as_of)
    back = read_network(network_json(net, graph="key"))
    for name in ("nodes", "edges", "concepts", "stage_rules", "ended"):
        pd.testing.assert_frame_equal(getattr(back, name), getattr(net, name))
    assert not net.ended.empty  # the veterinary college merged into NMBU, among others
    assert (back.as_of, back.basis, back.__dict__["graph"]) == (as_of, "all", "key")
    assert network_json(back, graph="key") == network_json(net, graph="key")
    # the links as positions: each IRI written once for them, whatever its links
    links = json.loads(network_json(net, graph="key"))["edges"]
    assert sorted(set(links["iris"])) == links["iris"]
    assert set(links["iris"]) == {*net.edges["member"], *net.edges["initiative"]}
    assert len(links["member"]) == len(net.edges) > len(links["iris"])


def test_whatif_reuses_the_analysed_network(tmp_path, monkeypatch):
    out = tmp_path / "out"
    build(data_dir=ROOT / "data", out_dir=out, check=False)
    plan = ROOT / "docs" / "examples" / "whatif-land-moter-hav.csv"
    fresh = whatif(plan, suggest=5, out_dir=out, graph_file=out / "bioeco.trig", write=False)
    analyze(("all",), graph_file=out / "bioeco.trig", out_dir=out)
    assert (out / "analysis" / "network.json").is_file()
    import bioeco.analyses.project as project

    def no_graph(*args, **kwargs):
        raise AssertionError("the graph was read, not the analysed network")

    # the what-if's start, saved with it: what the tracker computes on the graph's network
    saved = (out / "analysis" / STATE_FILE).read_bytes()
    key = read_network((out / "analysis" / "network.json").read_bytes()).__dict__["graph"]
    net = load_network(build_dataset(ROOT / "data"))
    assert saved == start_state(net, graph=key)
    taken = []
    fits = Tracker._fits
    monkeypatch.setattr(Tracker, "_fits", lambda self, s: taken.append(fits(self, s)) or taken[-1])
    monkeypatch.setattr(project, "load_network", no_graph)
    reused = whatif(plan, suggest=5, out_dir=out, graph_file=out / "bioeco.trig", write=False)
    assert taken == [True]  # started from the saved start
    for name, frame in fresh.items():
        pd.testing.assert_frame_equal(reused[name], frame)
    # a plan alone reads no analysis table: the saved start holds the members' two-paths,
    # and the pairs bridges_pairs proposes are for the suggestions only
    import bioeco.pipeline.whatif_step as whatif_step

    tables_read = []
    columns = whatif_step._table_columns
    monkeypatch.setattr(
        whatif_step,
        "_table_columns",
        lambda path, *rest: tables_read.append(path.name) or columns(path, *rest),
    )
    planned = whatif(plan, out_dir=out, graph_file=out / "bioeco.trig", write=False)
    assert tables_read == []
    pd.testing.assert_frame_equal(planned["whatif_changes"], fresh["whatif_changes"])


def test_analyze_hands_its_two_paths_and_overlaps_to_the_saved_start(tmp_path, monkeypatch):
    """The command line always passes min_shared and basis: the saved start still takes the
    members' cross-sector two-paths bridges_actors counted, the pairs overlap_pairs found and
    the sector shuffles structural_gaps drew instead of computing them again; with other
    options it computes its own (same start)."""
    import bioeco.analyses.incremental as incremental

    out = tmp_path / "out"
    build(data_dir=ROOT / "data", out_dir=out, check=False)
    counted, found = [], []
    cross_at, pairs = Tracker._cross_at, incremental.overlap_pairs

    def spy_cross(self, v):
        counted.append(v)
        return cross_at(self, v)

    def spy_pairs(*args, **kwargs):
        found.append(1)
        return pairs(*args, **kwargs)

    import bioeco.analyses.sectorgaps as sectorgaps

    drawn = []
    shuffled = sectorgaps._shuffled
    monkeypatch.setattr(sectorgaps, "_LAST_SHUFFLES", {})
    monkeypatch.setattr(sectorgaps, "_shuffled", lambda *a: drawn.append(1) or shuffled(*a))
    monkeypatch.setattr(Tracker, "_cross_at", spy_cross)
    monkeypatch.setattr(incremental, "overlap_pairs", spy_pairs)
    analyze(("all",), graph_file=out / "bioeco.trig", out_dir=out, min_shared=2, basis="all")
    assert counted == [] and found == []  # both taken from the tables just computed
    assert drawn == [1]  # the sector shuffles: drawn for gaps_structural, kept for the start
    saved = (out / "analysis" / STATE_FILE).read_bytes()
    key = read_network((out / "analysis" / "network.json").read_bytes()).__dict__["graph"]
    fresh = start_state(load_network(build_dataset(ROOT / "data")), graph=key)
    assert saved == fresh and counted and found == [1]
    # overlap pairs asked with other options are not the start's: it finds its own
    found.clear()
    analyze(("all",), graph_file=out / "bioeco.trig", out_dir=out, min_shared=3)
    assert found == [1]
    assert (out / "analysis" / STATE_FILE).read_bytes() == fresh
    # a sector filter leaves rows out of bridges_actors: the start counts them itself
    counted.clear()
    analyze(("bridges",), graph_file=out / "bioeco.trig", out_dir=out, sector="marine")
    assert counted
