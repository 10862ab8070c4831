"""What-if: a scenario applied to the network gives what the analyses give on the graph rebuilt
with the scenario's rows; bad rows are refused with one line; suggestions are actions."""

from __future__ import annotations

import csv
import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from bioeco import build_dataset
from bioeco.analyses._fixture import build_graph
from bioeco.analyses.bridges import actor_scores
from bioeco.analyses.gaps import coverage, structural_gaps
from bioeco.analyses.overlap import overlap_pairs
from bioeco.analyses.project import load_network
from bioeco.analyses.whatif import apply_scenario, cross_sector_reach, suggest_actions, whatif
from bioeco.errors import DataError
from bioeco.ingest.load import ScenarioAction, read_scenario
from cli import main

ROOT = Path(__file__).resolve().parents[2]
SOURCE = "btn-ar-2021"
HEADER = "action,actor,other,initiative,into,role,label,type,members,sectors,stages,region,year\n"
PLAN = HEADER + (
    "invite,nibio,,land-moter-hav,,partner,,,,,,,2023\n"
    "introduce,arcticzymes-technologies,geno,,,,,,,,,,2023\n"
    "start,,,blue-green-data,,,Blue-green data platform,project,nofima|nibio|uit|biocat,"
    "marine|agri-food,data,nord-norge,2023\n"
    "end,uit,,biotech-north,,,,,,,,,2023\n"
)


@pytest.fixture(scope="module")
def dataset():
    return build_dataset(ROOT / "data")


@pytest.fixture
def plan(tmp_path: Path) -> Path:
    path = tmp_path / "plan.csv"
    path.write_text(PLAN, encoding="utf-8")
    return path


def _append(path: Path, rows: list[dict[str, str]]) -> None:
    with path.open(newline="", encoding="utf-8") as fh:
        header = next(csv.reader(fh))
    with path.open("a", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, header, lineterminator="\n")
        writer.writerows(rows)


def _rebuilt(tmp_path: Path) -> Path:
    """data/ with the plan's rows written as a data editor would (the expected result)."""
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    folder = data / SOURCE
    prov = {"source": SOURCE, "locator": "l. 1"}
    _append(
        folder / "memberships.csv",
        [
            {"member": "nibio", "organization": "land-moter-hav", "role": "partner", **prov},
            {"member": "arcticzymes-technologies", "organization": "meeting-arcticzymes-"
             "technologies-geno", "role": "participant", **prov},
            {"member": "geno", "organization": "meeting-arcticzymes-technologies-geno",
             "role": "participant", **prov},
            {"member": "nofima", "organization": "blue-green-data", "role": "organiser", **prov},
            *({"member": m, "organization": "blue-green-data", "role": "partner", **prov}
              for m in ("nibio", "uit", "biocat")),
        ],
    )  # fmt: skip
    _append(
        folder / "initiatives.csv",
        [
            {"id": "meeting-arcticzymes-technologies-geno", "type": "event", "start": "2023",
             "label": "Meeting of ArcticZymes Technologies and Geno SA", **prov},
            {"id": "blue-green-data", "label": "Blue-green data platform", "type": "project",
             "start": "2023", **prov},
        ],
    )  # fmt: skip
    _append(
        folder / "classifications.csv",
        [
            {"subject": "blue-green-data", "scheme": scheme, "concept": code,
             "basis": "stated", **prov}
            for scheme, code in (("sector", "marine"), ("sector", "agri-food"),
                                 ("stage", "data"), ("region", "nord-norge"))
        ],
    )  # fmt: skip
    with (folder / "memberships.csv").open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
        header = list(rows[0])
    kept = [r for r in rows if not (r["member"] == "uit" and r["organization"] == "biotech-north")]
    assert len(kept) < len(rows)
    with (folder / "memberships.csv").open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(kept)
    return data


def test_after_equals_the_analyses_of_the_rebuilt_graph(dataset, plan, tmp_path):
    after = apply_scenario(dataset, plan)
    rebuilt = load_network(build_dataset(_rebuilt(tmp_path)))
    assert cross_sector_reach(after) == cross_sector_reach(rebuilt)
    for analysis in (coverage, structural_gaps, overlap_pairs, actor_scores):
        pd.testing.assert_frame_equal(analysis(after), analysis(rebuilt), check_exact=False,
                                      rtol=1e-9, atol=1e-9)  # fmt: skip
    out = whatif(dataset, plan)
    steps = out["whatif_steps"]
    assert list(steps["step"]) == [1, 2, 3, 4, 0]
    assert steps["reach_after"].iloc[-1] == cross_sector_reach(rebuilt)
    assert steps["reach_before"].iloc[-1] == cross_sector_reach(load_network(dataset))
    assert all("not a prediction" in text for text in steps["explanation"])
    # flags read as words ("thin and uncertain"), never as the column's codes
    assert not out["whatif_changes"]["explanation"].str.contains("|", regex=False).any()


def test_each_step_is_given_the_steps_before(dataset, plan):
    steps = whatif(dataset, plan)["whatif_steps"]
    actions = steps[steps["step"] > 0]
    assert list(actions["reach_before"].iloc[1:]) == list(actions["reach_after"].iloc[:-1])


def test_merge_moves_the_members_and_drops_the_initiative():
    graph = build_graph(
        {"a": {"sector": ["marine"]}, "b": {"sector": ["health"]}, "c": {"sector": ["health"]}},
        {"x": {}, "y": {}},
        [("a", "x", "member"), ("b", "x", "member"), ("b", "y", "coordinator"),
         ("c", "y", "member")],
    )  # fmt: skip
    after = apply_scenario(graph, [ScenarioAction("merge", initiative="y", into="x")])
    edges = {(m.rsplit("/", 1)[-1], i.rsplit("/", 1)[-1], r) for m, i, r in
             after.edges[["member", "initiative", "roles"]].itertuples(False)}  # fmt: skip
    assert edges == {("a", "x", ("member",)), ("b", "x", ("coordinator", "member")),
                     ("c", "x", ("member",))}  # fmt: skip
    assert not after.nodes.index.str.endswith("/y").any()
    # a (marine) and c (health) now share an initiative; they were two steps apart through b
    # already, so the reach stays (a–b, a–c)
    assert cross_sector_reach(after) == cross_sector_reach(load_network(graph)) == 2


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("invite,nobody,,land-moter-hav,,,,,,,,,2023",
         "row 2, field actor: unknown actor 'nobody' (not in the graph)"),
        ("invite,nofima,,biotech-north,,,,,,,,,2023",
         "row 2, field actor: Nofima is already a member of Biotech North"),
        ("end,geno,,biotech-north,,,,,,,,,2023",
         "row 2, field actor: Geno SA is not a member of Biotech North"),
        ("start,,,biotech-north,,,Again,cluster,uit|nofima,,,,2023",
         "row 2, field initiative: initiative 'biotech-north' exists already"),
        ("merge,,,biotech-north,,,,,,,,,2023",
         "row 2, field into: is empty but the action 'merge' needs it"),
        ("introduce,uit,uit,,,,,,,,,,2023",
         "row 2, field other: an actor cannot be introduced to itself"),
    ],
)  # fmt: skip
def test_a_bad_row_is_one_line_naming_file_row_and_field(dataset, tmp_path, row, message):
    path = tmp_path / "bad.csv"
    path.write_text(HEADER + row + "\n", encoding="utf-8")
    with pytest.raises(DataError) as caught:
        whatif(dataset, path)
    assert str(caught.value) == f"{path}, {message}"


def test_codes_and_years_are_checked_like_data_rows(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(HEADER + "invite,uit,,match,,chief,,,,,,,2023\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"row 2, field role: unknown role code 'chief'"):
        read_scenario(path)
    path.write_text(HEADER + "invite,uit,,match,,,,,,,,,23\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"row 2, field year: '23' is not a year \(YYYY\)"):
        read_scenario(path)
    path.write_text(HEADER + "invite,=cmd(),,match,,,,,,,,,2023\n", encoding="utf-8")
    with pytest.raises(DataError, match="row 2, field actor: starts with a spreadsheet formula"):
        read_scenario(path)


def _digest(folder: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            h.update(path.name.encode() + path.read_bytes())
    return h.hexdigest()


def test_cli_prints_steps_writes_out_and_leaves_data_alone(plan, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    before = _digest(data)
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main, ["whatif", str(plan), "--data", str(data), "--out", str(out), "--wide"]
    )
    assert result.exit_code == 0, result.output
    assert "== whatif_steps (5 rows)" in result.stdout
    assert "not predictions of what the actions would achieve" in result.stdout
    assert _digest(data) == before
    written = pd.read_csv(out / "whatif" / "whatif_steps.csv")
    assert list(written["step"]) == [1, 2, 3, 4, 0]


def test_cli_names_the_files_where_bioeco_out_put_them(plan, tmp_path):
    out = tmp_path / "elsewhere"
    env = {**os.environ, "BIOECO_OUT": str(out)}
    done = subprocess.run(
        [sys.executable, "-m", "cli", "whatif", str(plan), "--data", str(ROOT / "data")],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    wrote = [line.removeprefix("Wrote ") for line in done.stderr.splitlines() if "Wrote" in line]
    assert wrote and all(Path(p).parent == out / "whatif" and Path(p).is_file() for p in wrote)


def test_the_library_returns_the_files_it_wrote(plan, tmp_path):
    """bioeco.whatif lists what it wrote (as analyze does): the command prints that list."""
    from bioeco.pipeline import whatif as run_whatif

    out = tmp_path / "out"
    out.mkdir()
    done = run_whatif(plan, data_dir=ROOT / "data", out_dir=out)
    assert sorted(done) == ["whatif_changes", "whatif_steps"]  # still the tables by name
    assert done.files == [out / "whatif" / f"{name}.csv" for name in done]
    assert all(path.is_file() for path in done.files)
    assert run_whatif(plan, data_dir=ROOT / "data", write=False).files == []


def test_cli_bad_row_exits_with_the_data_error(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(HEADER + "invite,nobody,,land-moter-hav,,,,,,,,,2023\n", encoding="utf-8")
    result = CliRunner().invoke(
        main, ["whatif", str(path), "--data", str(ROOT / "data"), "--no-write"]
    )
    assert result.exit_code == 1
    assert result.output == (
        f"Error: {path}, row 2, field actor: unknown actor 'nobody' (not in the graph)\n"
    )


def test_cli_needs_a_scenario_or_suggest():
    result = CliRunner().invoke(main, ["whatif"])
    assert result.exit_code == 2
    assert "give a SCENARIO file or --suggest N" in result.output


def test_suggestions_name_actors_and_initiatives_with_a_reason(dataset):
    top = suggest_actions(dataset, 6)
    assert len(top) == 6 and list(top["rank"]) == [1, 2, 3, 4, 5, 6]
    assert set(top["action"]) == {"introduce", "start"}  # both goals, in turn
    for row in top.itertuples():
        assert row.gain >= 1 and row.explanation.endswith("not a prediction.")
    # the regional lens: tests/analyses/test_whatif_suggest.py (actors located there)


def test_greedy_gain_is_given_the_actions_before():
    chain = build_graph(
        {"a": {"sector": ["marine"]}, "b": {"sector": ["marine"]},
         "c": {"sector": ["health"]}, "d": {"sector": ["health"]}},
        {"i1": {"type": "project"}, "i2": {"type": "project"}, "i3": {"type": "project"}},
        [("a", "i1", "member"), ("b", "i1", "member"), ("b", "i2", "member"),
         ("c", "i2", "member"), ("c", "i3", "member"), ("d", "i3", "member")],
    )  # fmt: skip
    # introducing a–c or b–d each brings a and d within two steps; after one, the other adds
    # nothing, so only one is suggested
    top = suggest_actions(chain, 5, goal="bridges")
    assert top[["actor", "other", "gain"]].values.tolist() == [["a", "c", 1]]
    # the gain the greedy step counts is what the what-if measures
    plan = [ScenarioAction("introduce", actor="a", other="c")]
    steps = whatif(chain, plan)["whatif_steps"]
    assert steps["reach_after"].iloc[0] - steps["reach_before"].iloc[0] == 1
