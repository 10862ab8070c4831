"""The command line: exit codes, exact one-line messages, help for every command."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import main


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def _commands(group, prefix=()):
    for name, cmd in sorted(group.commands.items()):
        yield (*prefix, name), cmd
        if hasattr(cmd, "commands"):
            yield from _commands(cmd, (*prefix, name))


def test_every_command_has_help(runner):
    found = list(_commands(main))
    assert {path[0] for path, _ in found} >= {"build", "validate", "stats", "query"}
    for path, cmd in found:
        result = runner.invoke(main, [*path, "--help"])
        assert result.exit_code == 0, path
        assert cmd.help and cmd.help.strip(), f"{' '.join(path)} has no help text"
        assert "Usage:" in result.output


def test_build_writes_both_files(runner, tiny_dir, tmp_path):
    out = tmp_path / "out"
    result = runner.invoke(main, ["build", "--data", str(tiny_dir), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == (
        "Built 4 actors, 3 initiatives, 1 people, 9 memberships, 5 classifications, "
        "2 observations from 2 sources."
    )
    assert result.output.splitlines()[1].startswith("Conforms: ")
    assert (out / "bioeco.trig").stat().st_size > 0
    assert (out / "bioeco.ttl").stat().st_size > 0


def _files_and_links(out):
    """out/'s files with their bytes, its links (the persistent store) with their targets."""
    return {
        p.name: os.readlink(p) if p.is_symlink() else p.read_bytes()
        for p in out.iterdir()
        if p.is_symlink() or p.is_file()
    } | {"folders": sorted(p.name for p in out.iterdir() if p.is_dir() and not p.is_symlink())}


def test_bad_input_exits_1_with_one_line_and_leaves_out_untouched(runner, tiny_dir, tmp_path):
    out = tmp_path / "out"
    assert runner.invoke(main, ["build", "--data", str(tiny_dir), "--out", str(out)]).exit_code == 0
    before = _files_and_links(out)
    path = tiny_dir / "src-a" / "memberships.csv"
    path.write_text(
        path.read_text().replace(",2021,,src-a,Medlemmer; l. 15", ",2021x,,src-a,l. 15")
    )
    result = runner.invoke(main, ["build", "--data", str(tiny_dir), "--out", str(out)])
    assert result.exit_code == 1
    assert result.output == (
        "Error: data/src-a/memberships.csv, row 2, field observed: '2021x' is not a year (YYYY)\n"
    )
    assert _files_and_links(out) == before


def test_validate_conforms(runner, tiny_dir):
    result = runner.invoke(main, ["validate", "--data", str(tiny_dir)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Conforms: ")


def test_validate_non_conforming_graph_exits_3(runner, tmp_path):
    bad = tmp_path / "bad.trig"
    bad.write_text(
        "@prefix org: <http://www.w3.org/ns/org#> .\n"
        "<https://w3id.org/bioeco/graph/source/x> {\n"
        "<https://w3id.org/bioeco/id/membership/x> a org:Membership ;\n"
        "  org:member <https://w3id.org/bioeco/id/actor/a> .\n}\n"
    )
    result = runner.invoke(main, ["validate", "--graph", str(bad)])
    assert result.exit_code == 3
    assert result.output.startswith("Does not conform: ")
    assert "membership/x" in result.output
    reference = runner.invoke(main, ["validate", "--graph", str(bad), "--engine", "pyshacl"])
    assert reference.exit_code == 3
    assert reference.output == result.output


def test_query_formats(runner, tiny_dir):
    q = "SELECT ?label WHERE { actor:alpha skos:prefLabel ?label FILTER(lang(?label) = 'nb') }"
    csv_out = runner.invoke(main, ["query", q, "--data", str(tiny_dir), "--format", "csv"])
    assert csv_out.exit_code == 0, csv_out.output
    assert csv_out.output == "label\nAlpha Marin AS\n"
    js = runner.invoke(main, ["query", q, "--data", str(tiny_dir), "--format", "json"])
    assert json.loads(js.output) == [{"label": "Alpha Marin AS"}]
    table = runner.invoke(main, ["query", q, "--data", str(tiny_dir)])
    assert table.output.split() == ["label", "Alpha", "Marin", "AS"]


def test_query_from_file(runner, tiny_dir, tmp_path):
    f = tmp_path / "q.rq"
    f.write_text("SELECT (COUNT(*) AS ?n) WHERE { ?x a foaf:Person }")
    result = runner.invoke(
        main, ["query", "-f", str(f), "--data", str(tiny_dir), "--format", "csv"]
    )
    assert result.output == "n\n1\n"


def test_query_usage_errors_exit_2(runner, tmp_path):
    assert runner.invoke(main, ["query"]).exit_code == 2
    missing = runner.invoke(main, ["query", "ASK {}", "--graph", str(tmp_path / "nope.trig")])
    assert missing.exit_code == 2
    assert missing.output == f"Error: {tmp_path / 'nope.trig'}: no such file\n"
    assert runner.invoke(main, ["query", "ASK {}", "--format", "xml"]).exit_code == 2


def test_query_syntax_error_exits_1(runner, tiny_dir):
    result = runner.invoke(main, ["query", "SELECT WHERE", "--data", str(tiny_dir)])
    assert result.exit_code == 1
    assert result.output.startswith("Error: SPARQL syntax error at line 1")


def test_query_service_refused(runner, tiny_dir):
    result = runner.invoke(
        main,
        [
            "query",
            "SELECT * { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
            "--data",
            str(tiny_dir),
        ],
    )
    assert result.exit_code == 1
    assert result.output == (
        "Error: SPARQL SERVICE is refused: bioeco never queries remote endpoints\n"
    )


def test_stats_json(runner, tiny_dir):
    result = runner.invoke(main, ["stats", "--data", str(tiny_dir), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    by_source = {row["source"]: row for row in data["sources"]}
    assert by_source["src-a"]["memberships"] == 8
    assert by_source["src-b"]["memberships"] == 1


def test_data_dir_missing_exits_1(runner, tmp_path):
    result = runner.invoke(main, ["build", "--data", str(tmp_path / "nowhere")])
    assert result.exit_code == 1
    assert result.output == f"Error: {tmp_path / 'nowhere'}: data directory not found\n"


def test_paths_are_not_network(runner):
    # the CLI module never imports networking libraries at import time
    import sys

    assert "requests" not in sys.modules or Path(sys.modules["requests"].__file__).exists()


def test_analyze_writes_csvs_and_analysis_graph(runner, tiny_dir, tmp_path):
    out = tmp_path / "out"
    assert runner.invoke(main, ["build", "--data", str(tiny_dir), "--out", str(out)]).exit_code == 0
    result = runner.invoke(main, ["analyze", "all", "--out", str(out), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert "overlap_pairs" in json.loads(result.stdout)
    names = sorted(p.name for p in (out / "analysis").iterdir())
    assert names == [
        "analysis.trig",
        "bridges_actors.csv",
        "bridges_brokerage.csv",
        "bridges_pairs.csv",
        # the two tiny sources describe 2017 and 2021, so 'all' compares them too
        "change_bridges.csv",
        "change_continuity.csv",
        "change_coverage.csv",
        "change_overlap.csv",
        "change_summary.csv",
        "gaps_coverage.csv",
        "gaps_structural.csv",
        "gaps_survey.csv",
        "manifest.json",  # which graph and options the tables are of (report, viz reuse them)
        "network.json",  # the network the analyses read (whatif reuses it)
        "overlap_pairs.csv",
        "whatif_state.bin",  # the what-if's start on that network (whatif reuses it)
    ]
    # the analysis graph is queryable next to the built graph
    q = runner.invoke(
        main,
        [
            "query",
            "SELECT (COUNT(?r) AS ?n) WHERE { ?r a bioeco:AnalysisRun }",
            "--format",
            "csv",
            "--graph",
            str(out / "bioeco.trig"),
            "--graph",
            str(out / "analysis.trig"),
        ],
    )
    assert q.exit_code == 0, q.output
    assert q.output == "n\n1\n"


def test_analyze_is_reproducible_with_source_date_epoch(runner, tiny_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    outputs = []
    for name in ("a", "b"):
        out = tmp_path / name
        runner.invoke(main, ["build", "--data", str(tiny_dir), "--out", str(out)])
        result = runner.invoke(main, ["analyze", "all", "--out", str(out)])
        assert result.exit_code == 0, result.output
        outputs.append(
            {
                p.name: p.read_bytes()
                for p in sorted(out.rglob("*"))
                if p.is_file() and ".bioeco.oxigraph." not in str(p)  # database files
            }
        )
    assert outputs[0] == outputs[1]
    assert b"2023-11-14T22:13:20" in outputs[0]["analysis.trig"]


def test_analyze_unknown_sector_is_usage_error(runner, tiny_dir):
    result = runner.invoke(
        main, ["analyze", "gaps", "--data", str(tiny_dir), "--sector", "space", "--no-write"]
    )
    assert result.exit_code == 2
    assert result.output.startswith("Error: ")
    assert "space" in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_analyze_bad_kind_is_usage_error(runner):
    assert runner.invoke(main, ["analyze", "everything"]).exit_code == 2


def test_query_file_not_utf8_is_one_line_error(runner, tiny_dir, tmp_path):
    f = tmp_path / "q.rq"
    f.write_bytes('SELECT * WHERE { ?s skos:prefLabel "Ås" }'.encode("latin-1"))
    result = runner.invoke(main, ["query", "-f", str(f), "--data", str(tiny_dir)])
    assert result.exit_code == 1
    assert result.output == (
        f"Error: {f}: not valid UTF-8 (byte 0xc5 at offset 36); save the query as UTF-8\n"
    )


def test_analyze_threshold_and_basis_options(runner, tiny_dir):
    with open(tiny_dir / "src-a" / "classifications.csv", "a", encoding="utf-8") as fh:
        fh.write("alpha,stage,innovation,stated,src-a,l. 15,\n")

    def coverage(*extra):
        result = runner.invoke(
            main,
            ["analyze", "gaps", "--data", str(tiny_dir), "--no-write", "--format", "json", *extra],
        )
        assert result.exit_code == 0, result.output
        rows = json.loads(result.output)["gaps_coverage"]
        return {(r["entity"], r["sector"], r["stage"]): r for r in rows}

    every = coverage()
    stated = coverage("--basis", "stated")
    # alpha's marine sector is inferred: it counts only when inferred facts are kept
    assert sum(r["count"] for r in every.values()) > sum(r["count"] for r in stated.values())
    thin = coverage("--thin", "5")
    assert any(r["thin"] for r in thin.values())
    overlap = runner.invoke(
        main,
        [
            "analyze",
            "overlap",
            "--data",
            str(tiny_dir),
            "--no-write",
            "--format",
            "json",
            "--min-shared",
            "1",
            "--min-jaccard",
            "0.99",
        ],
    )
    assert overlap.exit_code == 0, overlap.output
    assert all(r["jaccard"] >= 0.99 for r in json.loads(overlap.output)["overlap_pairs"])


def test_basis_choices_are_the_librarys_levels():
    import cli
    from bioeco.analyses.project import BASIS_LEVELS

    assert set(cli.BASIS_CHOICES) == set(BASIS_LEVELS)
    for command in ("analyze", "report", "export", "viz"):
        params = {p.name: p for p in cli.main.commands[command].params}
        assert tuple(params["basis"].type.choices) == cli.BASIS_CHOICES
