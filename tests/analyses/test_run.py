"""run_analyses (the CLI entry point) and the CSV writer."""

from __future__ import annotations

import os

import pandas as pd
import pytest

from bioeco.analyses import run as run_module
from bioeco.analyses.run import TABLES, run_analyses, write_csvs
from bioeco.errors import UsageError


def test_all_tables_and_columns(example):
    out = run_analyses(example, ("all",))  # one source year: no change tables
    assert list(out) == [name for k, names in TABLES.items() if k != "change" for name in names]
    for name, df in out.items():
        assert "explanation" in df.columns, name
        assert isinstance(df, pd.DataFrame)
    assert len(out["gaps_survey"]) == 2


def test_top_sector_region_as_of(example):
    out = run_analyses(example, ["bridges", "overlap"], top=1)
    assert all(len(df) <= 1 for df in out.values())
    marine = run_analyses(example, ["gaps"], sector="marine")
    assert set(marine["gaps_coverage"]["sector"]) == {"marine"}
    north = run_analyses(example, ["overlap"], region="nord-norge", min_shared=1)
    green = north["overlap_pairs"].set_index(["initiative_a", "initiative_b"])
    # only Nofima (Tromsø) of Green Cluster's members lies in Nord-Norge (Farm and Mill: Ås)
    assert green.loc[("initiative/green", "initiative/north"), "members_a"] == 1
    early = run_analyses(example, ["overlap"], as_of=2020, min_shared=1)
    every = run_analyses(example, ["overlap"], min_shared=1)
    assert len(early["overlap_pairs"]) < len(every["overlap_pairs"])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"sector": "space"}, "unknown sector 'space'"),
        ({"region": "mars"}, "unknown region 'mars'"),
        ({"kinds": ["nonsense"]}, "unknown analysis nonsense"),
        ({"bogus": 1}, "unknown option bogus"),
        ({"top": 0}, "top must be"),
        ({"as_of": "2021"}, "as_of must be"),
    ],
)
def test_usage_errors(example, kwargs, message):
    with pytest.raises(UsageError, match=message):
        run_analyses(example, **kwargs)


def test_same_seed_same_output(example):
    a = run_analyses(example, seed=5, min_shared=1, community="louvain")
    b = run_analyses(example, seed=5, min_shared=1, community="louvain")
    assert list(a) == list(b)
    for name in a:
        pd.testing.assert_frame_equal(a[name], b[name])


def test_write_csvs_deterministic_and_safe(tmp_path, example):
    df = pd.DataFrame(
        {
            "text": ["=cmd()", "+1", "-x", "@sum", "\tx", "\rx", "plain"],
            "number": [-1.5, 1 / 3, 2.0, float("nan"), -0.0, 1e-9, 7.0],
            "ids": [("a", "b"), (), ("=c",), ("x",), ("y",), ("z",), ("w",)],
        }
    )
    results = {"demo": df, **run_analyses(example)}
    first = {p.name: p.read_bytes() for p in write_csvs(results, tmp_path / "a")}
    second = {p.name: p.read_bytes() for p in write_csvs(results, tmp_path / "b")}
    assert first == second
    text = first["demo.csv"].decode("utf-8")
    assert "\r\n" not in text
    lines = text.split("\n")
    assert lines[0] == "text,number,ids"
    assert lines[1] == "'=cmd(),-1.5,a|b"
    assert lines[2] == "'+1,0.333333,"
    assert lines[3] == "'-x,2.0,'=c"
    assert lines[4] == "'@sum,,x"
    assert lines[5] == "'\tx,0.0,y"
    assert sorted(os.listdir(tmp_path / "a")) == sorted(first)  # no temp files left


def test_write_csvs_is_atomic(tmp_path, monkeypatch):
    target = tmp_path / "t.csv"
    write_csvs({"t": pd.DataFrame({"a": [1]})}, tmp_path)
    before = target.read_bytes()

    def boom(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr("bioeco.core.atomic.os.replace", boom)
    with pytest.raises(OSError):
        write_csvs({"t": pd.DataFrame({"a": [2]})}, tmp_path)
    assert target.read_bytes() == before
    assert os.listdir(tmp_path) == ["t.csv"]


def test_write_csvs_rejects_bad_names(tmp_path):
    with pytest.raises(UsageError):
        write_csvs({"../evil": pd.DataFrame()}, tmp_path)


def test_thresholds_are_documented():
    assert set(run_module.THRESHOLDS) >= {"min_jaccard", "thin", "alpha", "k", "community"}


def test_empty_graph_gives_empty_tables(tmp_path):
    from rdflib import Graph

    out = run_analyses(Graph())
    assert all(df.empty and "explanation" in df.columns for df in out.values())
    assert len(write_csvs(out, tmp_path)) == len(out)


def test_one_overlap_threshold_everywhere(make_graph):
    # `bioeco analyze`, the library (and through it the report, the viewer and the Excel
    # export, which pass no min_shared) and the change analysis keep the same pairs
    import inspect

    import cli
    from bioeco.analyses.change import compare_years, overlap_shift
    from bioeco.analyses.overlap import overlap_pairs

    def default(func):
        return inspect.signature(func).parameters["min_shared"].default

    command = {p.name: p.default for p in cli.main.commands["analyze"].params}["min_shared"]
    assert default(overlap_pairs) == command == 2
    assert default(compare_years) == default(overlap_shift) == command
    actors = {x: {} for x in "abc"}
    inits = {"i": {}, "j": {}, "k": {}}
    ms = [("a", "i", "member"), ("b", "i", "member"), ("a", "j", "member")]
    ms += [("b", "j", "member"), ("c", "j", "member"), ("c", "k", "member")]
    tables = run_analyses(make_graph(actors, inits, ms), ["overlap"])
    pairs = tables["overlap_pairs"][["initiative_a", "initiative_b"]].values.tolist()
    assert pairs == [["initiative/i", "initiative/j"]]  # j-k share one member only
