"""report, viz and export read out/analysis/ when `bioeco analyze` wrote it for the same graph
and options (bioeco.pipeline.analysis_tables), and compute the analyses otherwise."""

from __future__ import annotations

import re
import shutil
import warnings
from pathlib import Path

import pytest

import bioeco.analyses.run
import bioeco.pipeline.open_step
from bioeco.analyses.run import table_csv
from bioeco.core.paths import DATA_DIR
from bioeco.pipeline import AnalysisNotReusedWarning, analysis_tables, analyze, build, open_graph
from bioeco.viz.exports import export
from bioeco.viz.report import report
from bioeco.viz.viewer import write_viewer


@pytest.fixture(scope="module")
def analysed(tmp_path_factory) -> Path:
    """data/ built and analysed (`bioeco analyze all`, its default options) into a new out/."""
    out = tmp_path_factory.mktemp("reuse") / "out"
    build(DATA_DIR, out, check=False)
    analyze(("all",), out_dir=out, min_shared=2)
    return out


@pytest.fixture
def fresh_copy(analysed, tmp_path) -> Path:
    out = tmp_path / "out"
    shutil.copytree(analysed, out, symlinks=True)
    return out


def _no_analyses(monkeypatch) -> None:
    def refuse(*args, **kwargs):
        raise AssertionError("the analyses were run instead of read from out/analysis/")

    monkeypatch.setattr(bioeco.analyses.run, "run_analyses", refuse)


def _computed(monkeypatch) -> list:
    calls: list = []
    real = bioeco.analyses.run.run_analyses

    def counting(*args, **kwargs):
        calls.append(kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(bioeco.analyses.run, "run_analyses", counting)
    return calls


def test_a_current_analysis_is_read_with_every_column_as_computed(analysed, monkeypatch):
    graph = open_graph(graph_file=analysed / "bioeco.trig", store=False)
    computed = bioeco.analyses.run.run_analyses(graph, "all")
    with monkeypatch.context() as patched:
        _no_analyses(patched)
        with warnings.catch_warnings():
            warnings.simplefilter("error", AnalysisNotReusedWarning)
            read = analysis_tables(graph, "all")
            some = analysis_tables(graph, ["overlap"], top=3, seed=42, basis="all")
            pairs = analysis_tables(graph, ["bridges"], only=["bridges_pairs"])
    assert list(read) == list(computed)
    for name, frame in computed.items():
        assert table_csv(read[name]) == table_csv(frame), name
        assert [str(t) for t in read[name].dtypes] == [str(t) for t in frame.dtypes], name
        for column in frame.columns:  # lists stay lists, missing stays missing
            types = [type(v) for v in frame[column]]
            assert [type(v) for v in read[name][column]] == types, (name, column)
    assert list(some) == ["overlap_pairs"] and list(some["overlap_pairs"]["rank"]) == [1, 2, 3]
    assert list(pairs) == ["bridges_pairs"]  # only the table asked for is read back
    assert table_csv(pairs["bridges_pairs"]) == table_csv(computed["bridges_pairs"])


def test_report_viewer_and_workbook_read_a_current_analysis(analysed, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    trig = analysed / "bioeco.trig"
    made = {}
    for reuse in (True, False):
        with monkeypatch.context() as patched:
            if reuse:
                _no_analyses(patched)
            else:  # the same pages with the analyses run: reuse changes nothing shown
                unseen = "bioeco.pipeline.analysis_reuse._analysis_folder"
                patched.setattr(unseen, lambda *a: tmp_path / "none")
            folder = tmp_path / str(reuse)
            folder.mkdir()  # outputs never create the folder they are asked to write into
            made[reuse] = [
                report(folder / "report.html", graph_file=trig).read_bytes(),
                write_viewer(
                    open_graph(graph_file=trig, store=False),
                    folder / "viewer.html",
                    highlight=("bridges", "overlap", "gaps"),
                ).read_bytes(),
                export("xlsx", folder / "a.xlsx", graph_file=trig).read_bytes(),
            ]
    # the viewer and the workbook are byte-identical; the report's text too, its plots drawn
    # from floats read as the CSV holds them (6 decimals) may move by a millionth of a point
    assert made[True][1:] == made[False][1:]
    pages = [re.sub(rb"<svg.*?</svg>", b"", made[r][0], flags=re.S) for r in (True, False)]
    assert pages[0] == pages[1] and made[True][0].count(b"<svg") > 0


def test_other_options_another_graph_or_an_edited_table_are_computed(fresh_copy, monkeypatch):
    trig = fresh_copy / "bioeco.trig"
    calls = _computed(monkeypatch)
    graph = open_graph(graph_file=trig, store=False)
    with pytest.warns(AnalysisNotReusedWarning, match="other options"):
        analysis_tables(graph, ["gaps"], as_of=2017)
    assert len(calls) == 1
    with pytest.warns(AnalysisNotReusedWarning, match="built in memory"):
        analysis_tables(open_graph(data_dir=DATA_DIR), ["gaps"], out_dir=fresh_copy)
    # a graph built in memory (a notebook's) never asked for out/analysis/: no warning
    monkeypatch.setattr(bioeco.pipeline.open_step, "OUT_DIR", fresh_copy)
    with warnings.catch_warnings():
        warnings.simplefilter("error", AnalysisNotReusedWarning)
        analysis_tables(open_graph(data_dir=DATA_DIR), ["gaps"])
    assert len(calls) == 3
    # another graph: the same file with one more triple
    other = fresh_copy.parent / "other" / "bioeco.trig"
    other.parent.mkdir()
    other.write_bytes(
        trig.read_bytes() + b"\n<https://example.org/s> <https://example.org/p> 1 .\n"
    )
    shutil.copytree(fresh_copy / "analysis", other.parent / "analysis")
    with pytest.warns(AnalysisNotReusedWarning, match="another graph"):
        analysis_tables(open_graph(graph_file=other, store=False), ["gaps"])
    # a table of out/analysis/ edited by hand
    table = fresh_copy / "analysis" / "gaps_survey.csv"
    text = table.read_text(encoding="utf-8")
    table.unlink()  # the file is a link target in the current set: replace, not edit in place
    table.write_text(text.replace("\n", "\n\n", 1), encoding="utf-8")
    with pytest.warns(AnalysisNotReusedWarning, match="changed since"):
        analysis_tables(graph, ["gaps"])
    assert len(calls) == 5
    calls.clear()
    analysis_tables(graph, ["overlap"])  # its tables are untouched: read
    assert calls == []


def test_a_new_analysis_with_other_options_is_no_longer_reused_for_the_old(fresh_copy, monkeypatch):
    analyze(("gaps", "overlap"), out_dir=fresh_copy, min_shared=2, region="tromso")
    calls = _computed(monkeypatch)
    graph = open_graph(graph_file=fresh_copy / "bioeco.trig", store=False)
    analysis_tables(graph, ["overlap"], region="tromso")
    assert calls == []
    with pytest.warns(AnalysisNotReusedWarning, match="other options"):
        analysis_tables(graph, ["overlap"])
    with pytest.warns(AnalysisNotReusedWarning, match="lacks tables"):
        analysis_tables(graph, ["bridges"], region="tromso")
    assert len(calls) == 2
