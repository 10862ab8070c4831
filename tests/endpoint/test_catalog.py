"""The example queries: each states its question; `bioeco queries` and `query --name`."""

from __future__ import annotations

from click.testing import CliRunner

from bioeco.core.paths import QUERIES_DIR
from bioeco.store.catalog import example_queries
from cli import main


def test_every_example_query_starts_with_its_question():
    files = sorted(QUERIES_DIR.glob("*.rq"))
    assert len(files) == len(example_queries()) >= 5
    for path in files:
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith("# ") and len(first) > 20, path


def test_queries_lists_names_questions_and_prefixes():
    result = CliRunner().invoke(main, ["queries"])
    assert result.exit_code == 0, result.output
    for example in example_queries():
        assert f"{example.name}\n    {example.question}\n" in result.output
    assert "PREFIX org: <http://www.w3.org/ns/org#>" in result.output


def test_query_by_name_runs_the_file(tmp_path):
    runner = CliRunner()
    by_name = runner.invoke(
        main, ["query", "--name", "mergers-and-changes", "--data", "data", "--format", "csv"]
    )
    by_file = runner.invoke(
        main,
        ["query", "-f", str(QUERIES_DIR / "mergers-and-changes.rq"), "--data", "data",
         "--format", "csv"],
    )  # fmt: skip
    assert by_name.exit_code == 0, by_name.output
    assert by_name.output == by_file.output
    assert by_name.output.count("\n") > 1


def test_unknown_name_and_two_queries_are_usage_errors():
    runner = CliRunner()
    result = runner.invoke(main, ["query", "--name", "nope"])
    assert result.exit_code == 2
    assert result.output.startswith("Error: no example query 'nope'; bioeco queries lists them")
    result = runner.invoke(main, ["query", "ASK {}", "--name", "mergers-and-changes"])
    assert result.exit_code == 2
    assert "give one query: an argument, -f FILE or --name NAME" in result.output
