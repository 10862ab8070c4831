"""Readable findings in the terminal: at 100 columns `bioeco analyze all` shows every
explanation of the top rows whole, in rank order, one number format per column."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from click.testing import CliRunner

from bioeco.analyses.run import run_analyses
from bioeco.core.formats import _ranked, column_decimals, format_frame, format_tables
from bioeco.core.paths import DATA_DIR
from bioeco.ingest.build import build_dataset
from cli import main


@pytest.fixture(scope="module")
def real_tables():
    return run_analyses(build_dataset(DATA_DIR), ["all"], top=3)


@pytest.fixture(scope="module")
def printed():
    result = CliRunner().invoke(
        main, ["analyze", "all", "--top", "3", "--no-write"], env={"COLUMNS": "100"}
    )
    assert result.exit_code == 0, result.output
    return result.stdout


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_every_explanation_of_the_top_rows_is_whole_and_in_rank_order(printed, real_tables):
    assert all(len(line) <= 100 for line in printed.splitlines())
    flat = _flat(printed)
    for name, frame in real_tables.items():
        block = flat[flat.index(f"== {name} (") :]
        where = (
            [block.index(_flat(text)) for text in _ranked(frame)["explanation"]]
            if ("rank" in frame)
            else [block.index(_flat(text)) for text in frame["explanation"]]
        )
        assert where == sorted(where), name


def test_groups_ranked_apart_print_one_after_the_other(printed, real_tables):
    """bridges_actors ranks the actors, then the funders and initiatives among themselves:
    the view keeps that order (sorted by rank alone, two "1." rows would lead)."""
    frame = real_tables["bridges_actors"]
    assert frame["role"].iloc[0] == "actor" and (frame["role"] != "actor").any()
    block = _flat(printed[printed.index("== bridges_actors") :].split("\n== ")[0])
    hubs, actors = frame[frame["role"] != "actor"], frame[frame["role"] == "actor"]
    first_hub = f"{hubs['rank'].iloc[0]}. {_flat(hubs['label'].iloc[0])} "
    last_actor = f"{actors['rank'].iloc[-1]}. {_flat(actors['label'].iloc[-1])} "
    assert block.index(last_actor) < block.index(first_hub)


def test_the_findings_view_gives_rank_names_explanation_then_numbers(printed):
    block = printed[printed.index("== bridges_actors") :].split("\n\n")[0].splitlines()
    assert re.fullmatch(r"1\. \S.*", block[1])
    assert block[2].startswith("   ") and "connects" in block[2]
    assert any(line.startswith("   score ") for line in block)


def test_coverage_prints_in_rank_order_in_the_table_view():
    cov = run_analyses(build_dataset(DATA_DIR), ["gaps"])["gaps_coverage"]
    assert cov["rank"].tolist() != sorted(cov["rank"])  # the table keeps its matrix order
    lines = format_tables({"c": cov}, "table").splitlines()[2:]
    assert [int(line.split()[0]) for line in lines] == sorted(cov["rank"])


def test_one_number_format_per_column():
    frame = pd.DataFrame(
        {"rank": [1, 2], "label": ["A", "B"], "score": [1.0, 0.713675], "explanation": ["a", "b"]}
    )
    table = format_frame(frame, "table")
    assert "1.000000" in table and "0.713675" in table
    text = format_tables({"t": frame}, "text")
    assert "score 1.000000" in text and "score 0.713675" in text
    assert column_decimals(frame["score"]) == 6


def test_table_view_gives_the_explanation_the_room_first():
    frame = pd.DataFrame(
        {
            "rank": [1],
            "actor": ["actor/x"],
            "label": ["X"],
            "stat_a": [1.5],
            "stat_b": [2.5],
            "explanation": ["e" * 70],
        }
    )
    out = format_frame(frame, "table", max_width=90)
    assert "e" * 70 in out and "more columns" in out
    # auto: the table when it fits, the findings when it does not
    assert format_tables({"t": frame}, "auto", max_width=90).startswith("== t (1 rows)\nrank")
    assert format_tables({"t": frame}, "auto", max_width=40).startswith("== t (1 rows)\n1. X")
