"""Fast checks of the benchmark tooling (bench/): the generator's data is valid and
deterministic, and the runner's number helpers and report are right. No timing assertions:
speed is measured by ``make bench``, never in unit tests."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import pytest

from bench.generate import SOURCE_ID, TABLE_COLUMNS, generate, sizes
from bench.generate import main as generate_main
from bench.run import (
    BASELINE_STEP,
    CHANGES_HEADING,
    SUPERLINEAR,
    Measurement,
    format_report,
    keep_changes,
    loglog_exponent,
    ratios,
    step_summary,
)
from bioeco.ingest.build import build_dataset
from bioeco.ingest.load import load_records
from bioeco.validate.shacl import validate_graph

TABLES = ("actors", "initiatives", "people", "memberships", "classifications")


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*.csv"))}


def _rows(path: Path) -> int:
    with path.open(encoding="utf-8", newline="") as fh:
        return sum(1 for _ in csv.reader(fh)) - 1


@pytest.fixture(scope="module")
def scale1(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("bench") / "data"
    generate(out, scale=1, seed=7)
    return out


def test_generated_data_loads_builds_and_conforms(scale1: Path) -> None:
    records = load_records(scale1)
    counts = records.counts()
    assert counts["actors"] == 100
    assert counts["initiatives"] == 20
    assert counts["people"] == 10
    assert counts["memberships"] == 600
    assert counts["classifications"] > 100
    dataset = build_dataset(records=records)
    report = validate_graph(dataset)
    assert report.conforms, report.text()


def test_generated_layout_and_columns(scale1: Path) -> None:
    assert (scale1 / "sources.csv").is_file()
    assert sorted(p.name for p in (scale1 / SOURCE_ID).iterdir()) == sorted(
        f"{t}.csv" for t in TABLES
    )
    for table in TABLES:
        with (scale1 / SOURCE_ID / f"{table}.csv").open(encoding="utf-8", newline="") as fh:
            assert tuple(next(csv.reader(fh))) == TABLE_COLUMNS[table]


def test_initiative_sizes_are_heavy_tailed(scale1: Path) -> None:
    with (scale1 / SOURCE_ID / "memberships.csv").open(encoding="utf-8", newline="") as fh:
        orgs = [row["organization"] for row in csv.DictReader(fh)]
    per_org: dict[str, int] = {}
    for org in orgs:
        per_org[org] = per_org.get(org, 0) + 1
    sizes_ = sorted(per_org.values(), reverse=True)
    median = sizes_[len(sizes_) // 2]
    assert sizes_[0] >= 3 * median  # a few big initiatives, many small ones


def test_same_seed_gives_identical_bytes(tmp_path: Path, scale1: Path) -> None:
    again = tmp_path / "again"
    generate(again, scale=1, seed=7)
    assert _files(again) == _files(scale1)


def test_other_seed_gives_other_data(tmp_path: Path, scale1: Path) -> None:
    other = tmp_path / "other"
    generate(other, scale=1, seed=8)
    assert _files(other) != _files(scale1)


def test_larger_scale_gives_proportionally_more_rows(tmp_path: Path, scale1: Path) -> None:
    generate(tmp_path / "s3", scale=3, seed=7)
    for table, expected in sizes(1).items():
        assert _rows(scale1 / SOURCE_ID / f"{table}.csv") == expected
        assert _rows(tmp_path / "s3" / SOURCE_ID / f"{table}.csv") == 3 * expected
    small = _rows(scale1 / SOURCE_ID / "classifications.csv")
    large = _rows(tmp_path / "s3" / SOURCE_ID / "classifications.csv")
    assert 2.5 < large / small < 3.5


def test_generate_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert generate_main(["--scale", "1", "--out", str(tmp_path / "d"), "--seed", "3"]) == 0
    assert "600 memberships" in capsys.readouterr().out
    assert (tmp_path / "d" / "sources.csv").is_file()
    with pytest.raises(SystemExit):
        generate_main(["--scale", "0", "--out", str(tmp_path / "e")])


# --------------------------------------------------------------------------- runner helpers


def test_ratios_against_first_value() -> None:
    assert ratios([2.0, 3.0, 8.0]) == [1.0, 1.5, 4.0]
    assert all(math.isnan(r) for r in ratios([math.nan, 1.0]))
    assert ratios([]) == []


def test_loglog_exponent_recovers_power_laws() -> None:
    x = [600, 1200, 2400, 4800]
    assert loglog_exponent(x, [0.1 * v for v in x]) == pytest.approx(1.0)
    assert loglog_exponent(x, [1e-6 * v**2 for v in x]) == pytest.approx(2.0)
    assert loglog_exponent(x, [5.0] * 4) == pytest.approx(0.0)
    assert loglog_exponent(x, [1.0, math.nan, 4.0, 8.0]) == pytest.approx(1.0, abs=0.1)
    assert math.isnan(loglog_exponent([1, 1], [1, 2]))


def _series(step: str, seconds: list[float], peaks: list[float]) -> list[Measurement]:
    return [
        Measurement(step, s, 600 * s, seconds=[t], peak_mb=[p], setup_mb=[50.0])
        for s, t, p in zip((1, 2, 4), seconds, peaks, strict=True)
    ]


def test_step_summary_flags_only_superlinear_steps() -> None:
    linear = step_summary(_series("a", [1.0, 2.0, 4.0], [100.0, 100.0, 100.0]))
    quadratic = step_summary(_series("b", [1.0, 4.0, 16.0], [100.0, 200.0, 400.0]))
    assert linear["time_exp"] == pytest.approx(1.0)
    assert not linear["superlinear"]
    assert quadratic["time_exp"] == pytest.approx(2.0)
    assert quadratic["time_exp"] > SUPERLINEAR
    assert quadratic["superlinear"]
    assert quadratic["mem_exp"] == pytest.approx(1.0)
    assert quadratic["last_exp"] == pytest.approx(2.0)


def test_format_report_tables_ratios_and_flags() -> None:
    results = [
        *_series("run_analyses", [1.0, 4.0, 16.0], [100.0, 150.0, 300.0]),
        *_series(BASELINE_STEP, [0.5, 1.0, 2.0], [30.0, 35.0, 40.0]),
    ]
    results[1].seconds = [3.0, 4.0, 9.0]  # median 4.0
    text = format_report(
        results,
        {1: {"memberships": 600}, 2: {"memberships": 1200}, 4: {"memberships": 2400}},
        {"seed": "0"},
    )
    assert "## run_analyses" in text and f"## {BASELINE_STEP}" in text
    assert "- seed: 0" in text
    # scale 4: 16 s, ratio 16, 16/2.4 s per 1k memberships, 16/2 × parse, peak 300 = 3×
    assert "| 4 | 2,400 | 16.00 | 16.00 | 6.667 | 8.0 | 300 | 3.00 | 50 |" in text
    assert "| 2 | 1,200 | 4.00 (median of 3) | 4.00 |" in text
    assert "Super-linear steps: run_analyses (k ≈ 2.00)." in text
    assert f"{BASELINE_STEP} (k" not in text


def test_format_report_marks_failed_steps() -> None:
    results = _series("write_outputs", [1.0, 2.0, 4.0], [100.0, 100.0, 100.0])
    results[2].seconds, results[2].peak_mb, results[2].error = [], [], "timed out after 9 s"
    text = format_report(results)
    assert "timed out after 9 s" in text
    assert "incomplete" in text
    assert "| 4 | 2,400 | – |" in text


def test_bench_docstring_examples() -> None:
    import doctest

    import bench.child
    import bench.generate
    import bench.report

    for module in (bench.generate, bench.child, bench.report):
        result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
        assert result.failed == 0, module.__name__
        assert result.attempted > 0


def test_rerun_keeps_the_hand_written_changes_section() -> None:
    old = f"# Benchmark results\n\n| t |\n\n{CHANGES_HEADING}\n\n- query: 9x\n"
    assert keep_changes(old) == f"{CHANGES_HEADING}\n\n- query: 9x\n"
    assert keep_changes("# Benchmark results\n\n| t |\n") == ""


def test_naive_networkx_baseline_step_runs(scale1: Path, tmp_path: Path) -> None:
    from bench.child import child_step

    result = child_step("naive_networkx", scale1, tmp_path)
    assert result["seconds"] > 0
    assert result["info"]["projection_edges"] > 100  # the members' projection was built


def test_naive_baseline_past_its_budget_is_sampled_and_estimated(
    scale1: Path, tmp_path: Path
) -> None:
    from bench.child import child_step

    exact = child_step("naive_networkx", scale1, tmp_path)
    assert "partial" not in exact and "estimate_s" not in exact["info"]
    sampled = child_step("naive_networkx", scale1, tmp_path, naive_budget=0.0)
    assert sampled["partial"] is True
    n = int(sampled["info"]["sources"].split(" of ")[1])
    assert sampled["info"]["sources"] == f"4 of {n}" and n > 50
    # the time spent (projection + 4 sources) is a lower bound of the estimate (n sources)
    assert 0 < sampled["seconds"] < sampled["info"]["estimate_s"]


def test_summary_shows_a_sampled_baseline_as_bound_and_estimate() -> None:
    ours = _series("run_analyses", [1.0, 2.0, 4.0], [100.0, 200.0, 300.0])
    naive = _series("naive_networkx", [2.0, 30.0, 0.0], [100.0, 100.0, 100.0])
    naive[2].seconds = []
    naive[2].at_least, naive[2].info = 100.0, {"estimate_s": 2000.0, "sources": "4 of 400"}
    text = format_report([*ours, *naive])
    rows = {line.split(" | ")[0][2:]: line for line in text.splitlines() if line.startswith("| ")}
    assert rows["run_analyses"].startswith(
        "| run_analyses | 4 | 4.00 | 300 | naive_networkx | > 25.00 (≈ 500) |"
    )
    assert "| 4 | 2,400 | > 100 |" in text and "estimate_s 2,000, sources 4 of 400" in text


def test_summary_compares_each_step_with_its_in_run_baseline() -> None:
    ours = _series("run_analyses", [1.0, 2.0, 4.0], [100.0, 200.0, 3000.0])
    naive = _series("naive_networkx", [2.0, 30.0, 0.0], [100.0, 100.0, 100.0])
    naive[2].seconds, naive[2].peak_mb = [], []
    naive[2].at_least, naive[2].error = 600.0, "timed out after 600 s"
    parse = _series(BASELINE_STEP, [0.5, 1.0, 2.0], [30.0, 35.0, 40.0])
    build = _series("write_outputs", [1.0, 2.0, 4.0], [100.0, 100.0, 100.0])
    text = format_report([*ours, *naive, *parse, *build])
    rows = {line.split(" | ")[0][2:]: line for line in text.splitlines() if line.startswith("| ")}
    # the naive baseline was cut off at 600 s at scale 4: ours (4 s) is at least 150x faster
    assert rows["run_analyses"].startswith(
        "| run_analyses | 4 | 4.00 | 3,000 | naive_networkx | > 150 |"
    )
    assert "**over 2 GB**" in rows["run_analyses"]
    # 2 s parse / 4 s build: the build runs at half the parse rate
    assert rows["write_outputs"].startswith(
        f"| write_outputs | 4 | 4.00 | 100 | {BASELINE_STEP} | 0.50 |"
    )
    assert "over 2 GB" not in rows["write_outputs"]
    assert "| 4 | 2,400 | > 600 |" in text  # the cut-off run shows its lower bound


def test_query_p50_step_times_every_example_query(scale1: Path, tmp_path: Path) -> None:
    from bench.child import child_step
    from bioeco.ingest.export import write_outputs
    from bioeco.store.catalog import example_queries

    write_outputs(build_dataset(scale1), tmp_path / "out")
    result = child_step("query_p50", scale1, tmp_path)
    queries = result["info"]["queries"]
    assert sorted(queries) == sorted(q.name for q in example_queries())
    assert queries["cross-sector-initiatives"]["rows"] > 0
    # synthetic data has no Biotech North: members-in-year asks about the largest initiative
    assert queries["members-in-year"]["rows"] > 0
    slowest = max(q["select_ms"] for q in queries.values())
    assert result["seconds"] == pytest.approx(slowest / 1000)
    assert queries[result["info"]["slowest"]]["select_ms"] == slowest
    m = Measurement("query_p50", 1, 600, seconds=[result["seconds"]], info=result["info"])
    text = format_report([m])
    assert "## Example queries" in text
    assert "| cross-sector-initiatives | 1 |" in text
    assert "slowest " in text and "{" not in text  # the details are a table, not a repr


def test_cli_startup_step_runs_the_command_without_a_graph(tmp_path: Path) -> None:
    from bench.run import _measure

    seconds, peak, _setup, info = _measure("cli_startup", 1, tmp_path, tmp_path, 300.0)
    assert seconds > 0 and peak > 0
    assert info["cpu s"] > info["bare python cpu s"] > 0
    assert (tmp_path / "cli_startup.log").read_text().startswith("order,stage,question")


def test_build_is_also_compared_with_the_on_disk_bulk_load() -> None:
    build = _series("build", [1.0, 2.0, 8.0], [100.0, 100.0, 100.0])
    memory = _series("oxigraph_bulk_load", [0.5, 1.0, 4.0], [50.0, 50.0, 50.0])
    disk = _series("oxigraph_bulk_load_disk", [1.0, 2.0, 6.0], [50.0, 50.0, 50.0])
    text = format_report([*build, *memory, *disk])
    rows = {line.split(" | ")[0][2:]: line for line in text.splitlines() if line.startswith("| ")}
    assert rows["build"].startswith("| build | 4 | 8.00 | 100 | oxigraph_bulk_load | 0.50 |")
    assert (
        "`build` against `oxigraph_bulk_load_disk` at scale 4: 0.75 (8.00 s against 6.00 s)."
        in text
    )


def test_on_disk_bulk_load_baseline_step_runs(scale1: Path, tmp_path: Path) -> None:
    from bench.child import child_step
    from bioeco.ingest.export import write_outputs

    dataset = build_dataset(scale1)
    write_outputs(dataset, tmp_path / "out")
    result = child_step("oxigraph_bulk_load_disk", scale1, tmp_path)
    assert result["info"]["quads"] == len(dataset)
    assert not (tmp_path / "bulk-load-disk").exists()  # the store is removed after counting


def test_the_commands_run_as_whole_processes_on_one_out_folder(scale1: Path, tmp_path: Path):
    """build, analyze, the query after it and report, each one `bioeco` process with its own
    CPU seconds and peak; the query after analyze answers from the store's folder."""
    from bench.run import _measure

    steps = ("cmd_build", "cmd_analyze", "cmd_query_after_analyze", "cmd_whatif",
             "cmd_whatif_suggest", "cmd_report")  # fmt: skip
    for step in steps:
        seconds, peak, _setup, info = _measure(step, 1, scale1, tmp_path, 600.0)
        assert seconds > 0 and peak > 0 and info["cpu_s"] > 0, step
        if step == "cmd_whatif":  # header, ten actions, the whole scenario
            steps_csv = tmp_path / "cmd-out" / "whatif" / "whatif_steps.csv"
            assert len(steps_csv.read_text(encoding="utf-8").splitlines()) == 12
        if step == "cmd_whatif_suggest":
            assert info["candidates"] > 0
            assert (tmp_path / "cmd-out" / "whatif" / "whatif_suggestions.csv").is_file()
    out = tmp_path / "cmd-out"
    assert info is not None and (out / "report.html").is_file()
    assert (out / "analysis" / "manifest.json").is_file()
    log = (tmp_path / "cmd_report.log").read_text(encoding="utf-8")
    assert "computing the analyses" not in log  # the report read out/analysis/
    query = (tmp_path / "cmd_query_after_analyze.log").read_text(encoding="utf-8")
    assert query.startswith("member,label,label_nb,joined") and len(query.splitlines()) > 1
