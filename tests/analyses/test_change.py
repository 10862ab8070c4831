"""Change over time on a tiny two-source fixture: continuity, stated vs not observed, scope,
coverage shift, overlap and bridges, CSV/RDF output and the CLI."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from rdflib import Literal, URIRef

from bioeco.analyses._change_fixture import example_dataset, write_example_data
from bioeco.analyses.change import (
    CHANGE_TABLES,
    compare_years,
    source_years,
    spanned_years,
    year_graph,
)
from bioeco.analyses.project import load_network
from bioeco.analyses.record import results_to_rdf
from bioeco.analyses.run import csv_files, run_analyses
from bioeco.core.schemes import load_ontology
from bioeco.core.vocab import BIOECO, RDF
from bioeco.errors import UsageError
from bioeco.ingest.build import build_dataset
from bioeco.store.query import select


@pytest.fixture(scope="module")
def ds():
    return example_dataset()


@pytest.fixture(scope="module")
def everything(ds):
    """compare_years on the whole example (scope all, every basis)."""
    return compare_years(ds, 2017, 2021, scope="all")


@pytest.fixture(scope="module")
def from_text(ds):
    """compare_years without outside knowledge (basis inferred)."""
    return compare_years(ds, 2017, 2021, scope="all", basis="inferred")


def _row(frame: pd.DataFrame, subject: str) -> dict:
    rows = frame[frame["subject"] == subject].to_dict("records")
    assert len(rows) == 1, subject
    return rows[0]


def test_years_and_areas_of_the_sources(ds):
    assert spanned_years(ds) == [2017, 2021]
    years = source_years(ds).set_index("source")
    assert years.loc["late", "year"] == 2021  # covers, not the year issued (2022)
    assert years.loc["early", "coverage"] == "norway"


def test_year_graph_holds_only_that_years_facts(ds):
    early = load_network(year_graph(ds, 2017))
    late = load_network(year_graph(ds, 2021))
    alpha = "https://w3id.org/bioeco/id/actor/alpha"
    assert early.attr(alpha, "stages") == ("research",)
    assert late.attr(alpha, "stages") == ()  # its 2017 classification is not a 2021 fact
    assert alpha in set(late.nodes.index)  # named by the 2021 source (alias, membership)
    assert "actor/epsilon" not in set(late.nodes["id"])
    with pytest.raises(UsageError, match="no source describes 2019: the sources describe 2017"):
        year_graph(ds, 2019)


def test_continuity_statuses_and_differences(everything):
    frame = everything["change_continuity"]
    got = {r["subject"]: (r["status"], r["difference"]) for r in frame.to_dict("records")}
    assert got == {
        "actor/alpha": ("both", "none"),
        "actor/beta": ("both", "stated"),  # merged into gamma in 2020 (stated)
        "initiative/old-net": ("only-earlier", "stated"),  # stated end 2019
        "actor/epsilon": ("only-earlier", "external"),  # only a cited outside source says so
        "actor/gamma": ("only-later", "stated"),
        "initiative/north": ("only-later", "stated"),  # stated start 2019
        "actor/delta": ("only-later", "external"),
    }
    assert "initiative/early-project" not in got  # a project is not followed
    epsilon = _row(frame, "actor/epsilon")
    assert epsilon["citation"] == "Company register 2020"
    assert epsilon["successors"] == ("actor/delta",)
    assert epsilon["evidence"] == ("late, l. 6",)
    alpha = _row(frame, "actor/alpha")
    assert (alpha["names_from"], alpha["names_to"]) == (("Alpha Marin",), ("Alpha AS",))
    assert "recorded as one organisation" in alpha["explanation"]
    gamma = _row(frame, "actor/gamma")
    assert gamma["predecessors"] == ("actor/beta",)
    assert "merger of Beta Forskning (2020); late, l. 60" in gamma["explanation"]


def test_external_successions_need_the_external_basis(from_text):
    frame = from_text["change_continuity"]
    epsilon = _row(frame, "actor/epsilon")
    assert (epsilon["difference"], epsilon["citation"], epsilon["successors"]) == (
        "not-observed",
        "",
        (),
    )
    assert epsilon["in_view"] == "no"
    assert "outside the area those sources cover (nord-norge)" in epsilon["explanation"]
    assert "no evidence that it ceased" in epsilon["explanation"]


def test_summary_counts_stated_and_not_observed_apart(from_text):
    out = from_text
    summary = out["change_summary"]
    rows = summary[summary["table"] == "change_continuity"]
    counts = {(r["status"], r["difference"]): r["count"] for r in rows.to_dict("records")}
    assert counts == {
        ("both", "none"): 1,
        ("both", "stated"): 1,
        ("only-earlier", "stated"): 1,
        ("only-earlier", "not-observed"): 1,
        ("only-later", "stated"): 2,
        ("only-later", "not-observed"): 1,
    }
    assert set(summary["scope"]) == {"all actors named by the sources"}
    assert list(out) == list(CHANGE_TABLES)


def test_default_scope_compares_like_with_like(ds):
    out = compare_years(ds, 2017, 2021)
    frame = out["change_continuity"]
    assert set(frame["scope"]) == {"region nord-norge (Northern Norway) and below"}
    assert "actor/epsilon" not in set(frame["subject"])  # in the Oslo region
    cov = out["change_coverage"]
    assert "health" not in set(cov.loc[cov["count_from"] > 0, "sector"])  # epsilon's cell


def test_cluster_scope_uses_stated_membership_starts(ds):
    frame = compare_years(ds, 2017, 2021, scope="cluster:north", basis="inferred")[
        "change_continuity"
    ]
    assert set(frame["subject"]) == {"actor/alpha", "actor/gamma", "actor/delta"}
    assert set(frame["scope"]) == {"members of cluster north (North Cluster)"}
    delta = _row(frame, "actor/delta")
    assert delta["difference"] == "not-observed"


def test_sector_scope(ds):
    frame = compare_years(ds, 2017, 2021, scope="sector:marine")["change_continuity"]
    assert set(frame["subject"]) == {"actor/alpha", "actor/gamma"}


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"year_from": 2021, "year_to": 2017}, "from (2021) must be an earlier year than to"),
        ({"year_from": 2017, "year_to": 2020}, "no source describes 2020"),
        ({"scope": "region:mars"}, "unknown region 'mars' in scope"),
        ({"scope": "cluster:nowhere"}, "unknown cluster 'nowhere' in scope"),
        ({"basis": "hearsay"}, "basis must be one of all, stated, inferred, external"),
    ],
)
def test_bad_arguments(ds, kwargs, message):
    args = {"year_from": 2017, "year_to": 2021, **kwargs}
    with pytest.raises(UsageError, match=re.escape(message)):
        compare_years(ds, args.pop("year_from"), args.pop("year_to"), **args)


def test_coverage_shift_counts_and_residual(everything):
    cov = everything["change_coverage"]
    cell = cov[(cov["entity"] == "actors") & (cov["sector"] == "marine")]
    got = {r["stage"]: (r["count_from"], r["count_to"]) for r in cell.to_dict("records")}
    assert got == {"research": (1, 0), "sales": (0, 1)}
    sales = cell[cell["stage"] == "sales"].iloc[0]
    # actors: 3 counted in 2017 (alpha, beta, epsilon), 2 in 2021 (gamma, delta); n = 1
    expected = 1 * 2 / 5
    var = expected * (1 - 1 / 5) * (1 - 2 / 5)
    assert sales["shift_residual"] == pytest.approx((1 - expected) / var**0.5)
    assert (cov["count_from"] + cov["count_to"] > 0).all()  # empty cells left out


def test_overlap_and_bridges_per_year(everything):
    out = everything
    overlap = out["change_overlap"].to_dict("records")
    assert [(r["initiative_a"], r["initiative_b"], r["status"]) for r in overlap] == [
        ("initiative/early-project", "initiative/old-net", "only-earlier")
    ]
    assert overlap[0]["difference"] == "stated"  # both have stated ends before 2021
    assert "ended 2017" in overlap[0]["explanation"]
    # the score is that year's, in the scope: said with its year, not left for the reader to
    # confuse with the whole graph's overlap score of the same pair
    assert f"overlap score {overlap[0]['score']:.2f} in 2017 (" in overlap[0]["explanation"]
    for row in out["change_bridges"].to_dict("records"):
        year = 2021 if row["status"] != "only-earlier" else 2017
        assert f"bridge score {row['score']:.2f} in {year} (" in row["explanation"]
    assert list(out["change_bridges"].columns)[:5] == [
        "rank",
        "actor",
        "label",
        "status",
        "difference",
    ]


def test_run_analyses_all_includes_change_only_with_two_years(ds, tmp_path):
    out = run_analyses(ds, "all")
    assert set(CHANGE_TABLES) <= set(out)
    one = tmp_path / "one"
    write_example_data(one)
    shutil.rmtree(one / "late")
    text = (one / "sources.csv").read_text(encoding="utf-8").splitlines()
    (one / "sources.csv").write_text("\n".join(text[:2]) + "\n", encoding="utf-8")
    single = build_dataset(one)
    assert not set(CHANGE_TABLES) & set(run_analyses(single, "all"))
    with pytest.raises(UsageError, match="needs sources describing two years"):
        run_analyses(single, ["change"])


def test_csv_and_rdf_like_the_other_analyses(ds, tmp_path):
    out = run_analyses(ds, ["change"], year_from=2017, year_to=2021, scope="all")
    files = csv_files(out, tmp_path)
    assert sorted(p.name for p in files) == sorted(f"{t}.csv" for t in CHANGE_TABLES)
    g = results_to_rdf(
        out,
        {"kinds": ["change"], "year_from": 2017, "year_to": 2021, "scope": "all"},
        started="2024-05-01T10:00:00",
        ended="2024-05-01T10:00:02",
    )
    params = select(
        g,
        "SELECT ?n ?v WHERE { ?run a prov:Activity ; bioeco:parameter ?p . "
        "?p bioeco:parameterName ?n ; bioeco:parameterValue ?v }",
    )
    pairs = dict(zip(params["n"], params["v"], strict=True))
    assert (pairs["year_from"], pairs["year_to"]) == ("2017", "2021")
    rows = select(
        g,
        "SELECT ?r ?d WHERE { ?r a bioeco:ContinuityRecord ; bioeco:about actor:epsilon ; "
        "bioeco:difference ?d ; bioeco:successors actor:delta }",
    )
    assert rows["d"].tolist() == ["external"]
    assert (None, BIOECO.citation, Literal("Company register 2020")) in g
    ontology = load_ontology()
    used = {p for _, p, _ in g if str(p).startswith(str(BIOECO))}
    used |= {o for _, p, o in g if p == RDF.type and str(o).startswith(str(BIOECO))}
    assert sorted(str(t) for t in used if (URIRef(t), RDF.type, None) not in ontology) == []


def test_deterministic_output(ds, everything):
    a = everything
    b = compare_years(ds, 2017, 2021, scope="all")
    for name in CHANGE_TABLES:
        pd.testing.assert_frame_equal(a[name], b[name])


def test_cli_change(tmp_path: Path):
    from cli import main

    data = write_example_data(tmp_path / "data")
    runner = CliRunner()
    result = runner.invoke(
        main,
        [
            "analyze",
            "change",
            "--data",
            str(data),
            "--from",
            "2017",
            "--to",
            "2021",
            "--scope",
            "all",
            "--no-write",
            "--format",
            "csv",
            "--table",
            "change_continuity",
        ],
    )
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0].startswith("rank,subject,label,status,difference")
    assert "actor/epsilon,Epsilon Helse,only-earlier,external" in result.output
    bad = runner.invoke(
        main, ["analyze", "change", "--data", str(data), "--from", "2017", "--to", "2019"]
    )
    assert bad.exit_code == 2
    assert bad.output.strip() == (
        "Error: no source describes 2019: the sources describe 2017, 2021"
    )
    out_dir = tmp_path / "out"
    wrote = runner.invoke(
        main, ["analyze", "change", "--data", str(data), "--out", str(out_dir), "--top", "2"]
    )
    assert wrote.exit_code == 0, wrote.output
    assert (out_dir / "analysis" / "change_continuity.csv").is_file()
    assert "bioeco:ContinuityRecord" in (out_dir / "analysis.trig").read_text(encoding="utf-8")
