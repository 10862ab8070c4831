"""The output contract: every --format is one valid document of its format, lists render one
way per format (JSON arrays, ``|`` in every CSV), and no Python repr (nan, None, tuples)
reaches a cell or an explanation, on the real data/ and on the benchmark data."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from bench.generate import generate
from bioeco.analyses.run import TABLES, run_analyses, table_csv
from bioeco.core.formats import LIST_SEPARATOR, format_frame, format_tables
from bioeco.core.paths import DATA_DIR
from bioeco.ingest.build import build_dataset
from bioeco.pipeline import build
from cli import main

ALL_TABLES = [name for names in TABLES.values() for name in names]

# what a Python repr leaves behind in text: nan/None/True/False, tuple or list reprs, numpy reprs
REPR = re.compile(
    r"\bnan\b|\bNaN\b|\bNone\b|\bTrue\b|\bFalse\b|\(\)|\[\]|\('|\['|np\.\w+\(|\binf\b"
)


def _reprs_in(value, where: str) -> list[str]:
    """Every string inside *value* (a JSON value) that shows a Python repr."""
    if isinstance(value, str):
        return [f"{where}: {value[:120]!r}"] if REPR.search(value) else []
    if isinstance(value, list):
        return [hit for i, v in enumerate(value) for hit in _reprs_in(v, f"{where}[{i}]")]
    if isinstance(value, dict):
        return [hit for k, v in value.items() for hit in _reprs_in(v, f"{where}.{k}")]
    return []


def _scan(tables: dict[str, pd.DataFrame]) -> list[str]:
    """Reprs in the JSON, CSV and table renderings of *tables* (and their explanations)."""
    found = _reprs_in(json.loads(format_tables(tables, "json")), "json")
    for name, frame in tables.items():
        for row in csv.reader(io.StringIO(table_csv(frame))):
            found += [f"csv {name}: {cell[:120]!r}" for cell in row if REPR.search(cell)]
        for line in format_frame(frame, "table").splitlines():
            if REPR.search(line):
                found.append(f"table {name}: {line[:160]!r}")
        for text in frame.get("explanation", pd.Series(dtype=object)):
            assert isinstance(text, str) and text, f"{name}: an explanation is missing"
    return found


@pytest.fixture(scope="module")
def real_dataset():
    return build_dataset(DATA_DIR)


@pytest.fixture(scope="module")
def bench_dataset(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bench-data")
    generate(folder, scale=1, seed=7)
    return build_dataset(folder)


@pytest.mark.parametrize(
    "options",
    [{}, {"region": "tromso"}, {"sector": "marine"}, {"as_of": 2017}, {"basis": "stated"}],
    ids=["all", "region", "sector", "as-of", "stated"],
)
def test_no_repr_in_any_table_of_the_real_data(real_dataset, options):
    tables = run_analyses(real_dataset, ["all"], **options)
    assert list(tables) == ALL_TABLES
    assert _scan(tables) == []


def test_no_repr_in_any_table_of_the_bench_data(bench_dataset):
    tables = run_analyses(bench_dataset, ["all"])
    for kind in ("gaps", "overlap", "bridges"):  # one year and no survey: no change tables
        assert all(len(tables[name]) for name in TABLES[kind] if name != "gaps_survey")
    assert _scan(tables) == []


def test_actors_without_sector_read_no_sector(real_dataset):
    from bioeco.analyses.bridges import brokerage

    table = brokerage(real_dataset)  # every member, also those with no cross-group path
    council = table[table["actor"] == "actor/forskningsradet"].iloc[0]
    assert council["explanation"].startswith("Research Council of Norway (no sector) is broker")


def test_scanner_catches_reprs():
    bad = {"t": pd.DataFrame({"explanation": ["Research Council (nan) is broker"]})}
    assert _scan(bad)
    assert _reprs_in({"a": ["x", "('a', 'b')"]}, "json") == ["json.a[1]: \"('a', 'b')\""]


def test_yes_no_columns_read_true_false_in_csv_and_json_and_yes_no_in_the_table():
    frame = pd.DataFrame({"label": ["a"], "gap": [True], "part_of": [np.bool_(False)]})
    assert table_csv(frame) == "label,gap,part_of\na,true,false\n"
    assert json.loads(format_frame(frame, "json")) == [
        {"label": "a", "gap": True, "part_of": False}
    ]
    assert format_frame(frame, "table").splitlines()[1].split() == ["a", "yes", "no"]


def test_a_filter_never_ranks_a_node_with_score_zero(real_dataset):
    for options in ({}, {"region": "tromso"}, {"sector": "industry"}, {"as_of": 2017}):
        tables = run_analyses(real_dataset, ["overlap", "bridges"], **options)
        for name, frame in tables.items():
            assert (frame["score"] > 0).all(), (name, options)
            # ranks start at 1 and never skip past a row; equal scores share a rank, and
            # bridges_actors ranks the hubs (role other than actor) apart
            hub = frame["role"].ne("actor") if "role" in frame else frame["rank"] < 0
            for _, part in frame.groupby(hub, sort=False):
                ranks = part["rank"].tolist()
                assert ranks[0] == 1 and ranks == sorted(ranks), (name, options)
                assert all(r <= k + 1 for k, r in enumerate(ranks)), (name, options)


def test_pairs_have_no_reason_column_repeating_the_explanation(real_dataset):
    pairs = run_analyses(real_dataset, ["bridges"])["bridges_pairs"]
    assert "reason" not in pairs.columns and "explanation" in pairs.columns


# --- the command line on a graph built from data/ ---------------------------------------


@pytest.fixture(scope="module")
def out_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("out")
    build(DATA_DIR, out, check=False)  # with its manifest: answers come from this graph
    return out


def _csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _run(*args: str) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


def test_analyze_csv_of_several_tables_is_refused_before_anything_runs(out_dir):
    result = CliRunner().invoke(main, ["analyze", "gaps", "--out", str(out_dir), "--format", "csv"])
    assert result.exit_code == 2
    assert result.output == (
        "Error: --format csv prints one table: choose it with --table (gaps_coverage, "
        "gaps_survey, gaps_structural) or use --format json for all (every table is also "
        "written to <out>/analysis/<table>.csv)\n"
    )
    assert not (out_dir / "analysis").exists()
    wrong = CliRunner().invoke(
        main, ["analyze", "overlap", "--out", str(out_dir), "--table", "bridges_pairs"]
    )
    assert wrong.exit_code == 2
    assert wrong.output == "Error: no table 'bridges_pairs' here: choose one of overlap_pairs\n"


def _printed_is_the_file(out_dir: Path, command: str, name: str) -> None:
    text = _run("analyze", command, "--out", str(out_dir), "--format", "csv", "--table", name)
    assert text == (out_dir / "analysis" / f"{name}.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows, name
    assert all(len(r) == len(rows[0]) and None not in r for r in rows), name


def test_analyze_csv_is_the_file_and_parses(out_dir):
    for family, names in TABLES.items():  # each table through the analysis that makes it
        for name in names:
            _printed_is_the_file(out_dir, family, name)
    for name in ("gaps_structural", "bridges_actors"):  # and through analyze all
        _printed_is_the_file(out_dir, "all", name)
    sectors = [r["sectors"] for r in _csv_rows(out_dir / "analysis" / "bridges_actors.csv")]
    assert "agri-food|knowledge|marine" in sectors  # Nofima: the one documented separator


def test_analyze_json_is_one_object_of_tables_with_arrays(out_dir):
    data = json.loads(_run("analyze", "all", "--out", str(out_dir), "--format", "json"))
    assert list(data) == ALL_TABLES
    nofima = next(r for r in data["bridges_actors"] if r["actor"] == "actor/nofima")
    assert nofima["sectors"] == ["agri-food", "knowledge", "marine"]
    assert isinstance(nofima["via"], list)
    one = json.loads(
        _run(
            "analyze",
            "bridges",
            "--out",
            str(out_dir),
            "--format",
            "json",
            "--table",
            "bridges_pairs",
        )
    )
    assert list(one) == ["bridges_pairs"]


def test_top_cuts_every_ranked_table_and_files_stay_full(out_dir):
    result = CliRunner().invoke(
        main, ["analyze", "all", "--out", str(out_dir), "--top", "3", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    for name in ALL_TABLES:
        if data[name] and "rank" in data[name][0]:
            # ties share a rank and bridges_actors ranks its hubs apart: ranks 1-3 of each
            assert len(data[name]) >= 3, name
            assert all(r["rank"] <= 3 for r in data[name]), name
    full = _csv_rows(out_dir / "analysis" / "gaps_coverage.csv")
    assert len(full) == 60
    assert f"Wrote {out_dir / 'analysis' / 'gaps_coverage.csv'} (60 rows; 3 shown)" in (
        result.stderr
    )
    # the three cells of the coverage are its most under-represented ones
    worst = sorted(full, key=lambda r: float(r["residual"] or "inf"))[:3]
    assert {(r["entity"], r["sector"], r["stage"]) for r in worst} == {
        (r["entity"], r["sector"], r["stage"]) for r in data["gaps_coverage"]
    }


def test_stats_formats(out_dir):
    graph = str(out_dir / "bioeco.trig")
    data = json.loads(_run("stats", "--graph", graph, "--format", "json"))
    assert list(data) == ["graphs", "classes", "sources"]
    refused = CliRunner().invoke(main, ["stats", "--graph", graph, "--format", "csv"])
    assert refused.exit_code == 2
    assert refused.output.startswith("Error: --format csv prints one table: choose it with")
    rows = list(
        csv.DictReader(
            io.StringIO(_run("stats", "--graph", graph, "--format", "csv", "--table", "sources"))
        )
    )
    assert {r["source"] for r in rows} == {"btn-ar-2021", "dln-2017"}


def test_query_formats_parse_with_their_readers(out_dir):
    q = "SELECT ?x ?label WHERE { ?x a bioeco:Cluster ; skos:prefLabel ?label } ORDER BY ?x ?label"
    graph = str(out_dir / "bioeco.trig")
    rows = list(csv.DictReader(io.StringIO(_run("query", q, "--graph", graph, "--format", "csv"))))
    records = json.loads(_run("query", q, "--graph", graph, "--format", "json"))
    assert rows and [r["label"] for r in rows] == [r["label"] for r in records]


def test_table_view_fits_the_width_or_is_wide(out_dir):
    args = ["analyze", "bridges", "--out", str(out_dir), "--no-write", "--top", "5"]
    narrow = _run(*args, "--max-width", "100", "--format", "table")
    assert max(len(line) for line in narrow.splitlines()) <= 100
    assert "…" in narrow
    findings = _run(*args, "--max-width", "100")  # the explanations do not fit a table
    assert max(len(line) for line in findings.splitlines()) <= 100
    # --top 5 keeps ranks 1-5 of the actors and of the hubs ranked apart; ties share a rank
    assert re.match(r"== bridges_actors \(\d+ rows\)\n1\. ", findings)
    wide = _run(*args, "--wide")
    assert "…" not in wide
    assert "connects" in wide and max(len(line) for line in wide.splitlines()) > 100
    default = CliRunner(env={"COLUMNS": "90"}).invoke(main, args)
    assert max(len(line) for line in default.stdout.splitlines()) <= 90


def test_list_separator_is_documented():
    assert LIST_SEPARATOR == "|"
    cli_doc = (Path(__file__).parent.parent / "docs" / "cli.md").read_text(encoding="utf-8")
    assert "joined by `|`" in cli_doc


# --- words: every term a table uses is explained in the glossary -------------------------


def _glossary_headings() -> set[str]:
    text = (Path(__file__).parent.parent / "docs" / "glossary.md").read_text(encoding="utf-8")
    return {line[4:].strip().lower() for line in text.splitlines() if line.startswith("### ")}


# how an explanation names a term when it does not use the heading word for word
NAMED_AS = {
    "empty and thin cells": "thin",
    "expected count": "expected",
    "permutation p-value": "p-value",
    "adjusted residual": "residual",
    "uncertain cell": "uncertain",
    "shuffled sectors": "shuffled",
    "benjamini–hochberg adjustment": "adjusted",
    "detectable shortfall": "would have been",
    "jaccard index": "jaccard",
    "consolidation candidate": "consolidation candidate",
    "survey comparison": "respondents",
    "sector group": "(",
    "gould–fernandez roles": "open two-paths",
}


def test_every_term_of_every_table_is_in_the_glossary_and_named(real_dataset):
    from bioeco.analyses.run import GLOSSARY, TERMS

    assert GLOSSARY == "docs/glossary.md"
    headings = _glossary_headings()
    for required in (
        "adjusted residual",
        "burt constraint",
        "effective size",
        "open two-path",
        "participation coefficient",
        "louvain community",
        "gould–fernandez roles",
        "resource allocation",
        "adamic–adar",
        "jaccard index",
        "overlap coefficient",
        "permutation p-value",
        "benjamini–hochberg adjustment",
    ):
        assert required in headings, required
    tables = run_analyses(real_dataset, ["all"], min_shared=1)
    assert set(TERMS) == set(tables) == set(ALL_TABLES)
    for name, terms in TERMS.items():
        text = " ".join(tables[name]["explanation"]).lower()
        columns = set(tables[name].columns)
        for term in terms:
            key = term.lower()
            assert key in headings, f"{term} is not explained in the glossary"
            column = re.sub(r"[–\- ]", "_", key)
            assert NAMED_AS.get(key, key) in text or column in columns, (name, term)


def test_table_view_names_the_terms_and_the_glossary(out_dir):
    text = _run("analyze", "bridges", "--out", str(out_dir), "--no-write", "--top", "2")
    assert (
        "Terms: resource allocation, Louvain community, Adamic–Adar, Soundarajan–Hopcroft" in text
    )
    assert text.count("(see docs/glossary.md)") == 3


def test_table_view_says_what_the_gaps_found_in_plain_words(out_dir):
    text = _run("analyze", "gaps", "--out", str(out_dir), "--no-write", "--top", "3")
    assert "Summary: No sector pair shares significantly fewer initiatives" in text
    assert "Summary: No cell of the" in text and "have no sector" in text
    # only the table view: JSON stays one document of rows
    doc = json.loads(
        _run("analyze", "gaps", "--out", str(out_dir), "--no-write", "--format", "json")
    )
    assert set(doc) == {"gaps_coverage", "gaps_survey", "gaps_structural"}
