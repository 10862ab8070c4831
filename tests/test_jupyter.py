"""The %%sparql magic in a real IPython InteractiveShell, and %load_ext bioeco."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
from IPython.core.error import UsageError as IPythonUsageError
from IPython.core.interactiveshell import InteractiveShell

import bioeco
from bioeco.ingest.export import write_outputs
from bioeco.notebook.jupyter import VIEWER_TEXT

CLUSTERS = "SELECT ?label WHERE { ?x a bioeco:Cluster ; skos:prefLabel ?label } ORDER BY ?label"


@pytest.fixture
def shell():
    """A fresh IPython shell with the extension loaded as a user would (%load_ext bioeco)."""
    InteractiveShell.clear_instance()
    sh = InteractiveShell.instance()
    result = sh.run_cell("%load_ext bioeco", store_history=True)
    assert result.success
    yield sh
    InteractiveShell.clear_instance()


def run(sh: InteractiveShell, code: str):
    """Run *code* as one cell; return the value the cell displays (raises what it raised)."""
    result = sh.run_cell(code, store_history=True)
    result.raise_error()
    return result.result


def test_load_ext_registers_the_cell_and_line_magic(shell):
    assert "sparql" in shell.magics_manager.magics["cell"]
    assert "sparql" in shell.magics_manager.magics["line"]


def test_load_ext_bioeco_jupyter_also_works():
    InteractiveShell.clear_instance()
    sh = InteractiveShell.instance()
    try:
        assert sh.run_cell("%load_ext bioeco.notebook.jupyter").success
        assert "sparql" in sh.magics_manager.magics["cell"]
    finally:
        InteractiveShell.clear_instance()


def test_cell_magic_answers_a_dataframe_with_prefixes_predeclared(shell, tiny_dataset):
    shell.user_ns["ds"] = tiny_dataset
    frame = run(shell, f"%%sparql ds\n{CLUSTERS}\n")
    assert isinstance(frame, pd.DataFrame)
    assert frame["label"].tolist() == ["Nordklyngen", "North Cluster"]
    # kept as the cell's output (Out, not "_": IPython leaves "_" alone once anything in the
    # process, e.g. gettext, has put a "_" into builtins)
    assert any(value is frame for value in shell.user_ns["Out"].values())


def test_cell_magic_takes_an_ecosystem_and_stores_the_answer(shell, tiny_dataset):
    shell.user_ns["eco"] = bioeco.Ecosystem(tiny_dataset)
    assert run(shell, f"%%sparql -d eco -o clusters\n{CLUSTERS}") is not None
    assert shell.user_ns["clusters"]["label"].tolist() == ["Nordklyngen", "North Cluster"]


def test_line_magic_answers_a_one_line_query(shell, tiny_dataset):
    shell.user_ns["ds"] = tiny_dataset
    run(shell, "n = %sparql -d ds SELECT (COUNT(*) AS ?n) WHERE { ?x a org:Membership }")
    n = shell.user_ns["n"]
    assert isinstance(n, pd.DataFrame) and n.loc[0, "n"] > 0


CLUSTER_IRIS = (
    "SELECT ?x ?type WHERE { ?x a bioeco:Cluster ; a ?type ; skos:prefLabel ?l } ORDER BY ?x ?type"
)


def test_iris_are_compact_as_on_the_command_line_and_full_on_request(shell, tiny_dataset):
    shell.user_ns["ds"] = tiny_dataset
    short = run(shell, f"%%sparql ds\n{CLUSTER_IRIS}")
    full = run(shell, f"%%sparql ds --iris\n{CLUSTER_IRIS}")
    line = run(shell, f"%sparql -d ds --iris {CLUSTER_IRIS}")
    assert "bioeco:Cluster" in set(short["type"])
    assert all(x.startswith("initiative:") for x in short["x"])
    assert all(x.startswith("https://w3id.org/bioeco/id/initiative/") for x in full["x"])
    assert full.equals(line)
    assert [x.split("/")[-1] for x in full["x"]] == [x.split(":")[-1] for x in short["x"]]


def test_braces_and_dollar_variables_reach_the_query_unchanged(shell, tiny_dataset):
    shell.user_ns["ds"] = tiny_dataset
    shell.user_ns["label"] = "EXPANDED"  # IPython would expand $label / {label} in a magic line
    query = "SELECT $label { ?x a bioeco:Cluster ; skos:prefLabel $label }"
    frame = run(shell, f"%sparql -d ds {query}")
    assert sorted(frame["label"]) == ["Nordklyngen", "North Cluster"]


def test_graph_file_option_reads_a_built_graph(shell, tiny_dataset, tmp_path: Path):
    files = write_outputs(tiny_dataset, tmp_path)
    frame = run(shell, f"%%sparql --graph {files['trig']}\n{CLUSTERS}")
    assert frame["label"].tolist() == ["Nordklyngen", "North Cluster"]


def test_data_option_builds_from_tables_and_rebuilds_when_they_change(shell, tiny_dir: Path):
    cell = f"%%sparql --data {tiny_dir}\n{CLUSTERS}"
    assert run(shell, cell)["label"].tolist() == ["Nordklyngen", "North Cluster"]
    initiatives = tiny_dir / "src-a" / "initiatives.csv"
    initiatives.write_text(
        initiatives.read_text(encoding="utf-8").replace("Nordklyngen", "Nordnett"),
        encoding="utf-8",
    )
    assert run(shell, cell)["label"].tolist() == ["Nordnett", "North Cluster"]


def test_without_a_graph_it_uses_the_command_lines_graph(
    shell, tiny_dataset, tiny_dir: Path, tmp_path: Path, monkeypatch
):
    from bioeco.core import paths

    out = tmp_path / "out"
    write_outputs(tiny_dataset, out)
    monkeypatch.setattr(paths, "OUT_DIR", out)
    frame = run(shell, f"%%sparql\n{CLUSTERS}")
    assert frame["label"].tolist() == ["Nordklyngen", "North Cluster"]
    # a second cell reuses the loaded graph; a new build is noticed
    assert run(shell, f"%%sparql\n{CLUSTERS}")["label"].tolist() == frame["label"].tolist()
    initiatives = tiny_dir / "src-a" / "initiatives.csv"
    initiatives.write_text(
        initiatives.read_text(encoding="utf-8").replace("Nordklyngen", "Nordnett"),
        encoding="utf-8",
    )
    shutil.rmtree(out)
    write_outputs(bioeco.build_dataset(tiny_dir), out)
    assert run(shell, f"%%sparql\n{CLUSTERS}")["label"].tolist() == ["Nordnett", "North Cluster"]


def test_service_is_refused_in_one_line(shell, tiny_dataset, capsys):
    shell.user_ns["ds"] = tiny_dataset
    query = "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"
    result = shell.run_cell(f"%%sparql ds\n{query}")
    assert isinstance(result.error_in_exec, IPythonUsageError)
    assert "SERVICE is refused" in str(result.error_in_exec)
    assert "Traceback" not in capsys.readouterr().out


def test_syntax_error_names_the_line_of_the_users_query(shell, tiny_dataset):
    shell.user_ns["ds"] = tiny_dataset
    result = shell.run_cell("%%sparql ds\nSELECT ?x\nWHERE { ?x ?y }\nLIMIT 1")
    assert isinstance(result.error_in_exec, IPythonUsageError)
    # a line of the cell's query (it has 3), not of the query with the prefixes put in front
    line = re.search(r"line (\d+)", str(result.error_in_exec))
    assert line and 1 <= int(line.group(1)) <= 3, str(result.error_in_exec)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("missing", "no variable named 'missing'"),
        ("number", "'number' is not a graph"),
        ("ds --data data", "give one graph"),
        ("ds -o 1bad", "--out needs a variable name"),
        ("ds --bogus", "unrecognized arguments: --bogus"),
    ],
)
def test_bad_options_are_one_clear_line(shell, tiny_dataset, line, message):
    shell.user_ns["ds"] = tiny_dataset
    shell.user_ns["number"] = 3
    result = shell.run_cell(f"%%sparql {line}\n{CLUSTERS}")
    assert isinstance(result.error_in_exec, IPythonUsageError)
    assert message in str(result.error_in_exec)


def test_empty_cell_is_refused(shell, tiny_dataset):
    shell.user_ns["ds"] = tiny_dataset
    result = shell.run_cell("%%sparql ds\n\n")
    assert "the query is empty" in str(result.error_in_exec)


def test_figures_display_as_deterministic_svg_with_their_title(shell):
    from matplotlib.figure import Figure

    fig = Figure(figsize=(3, 2))
    fig.suptitle("Top <bridge> actors")
    fig.add_subplot().bar(["a", "b"], [1, 2])
    data, _ = shell.display_formatter.format(fig)
    assert data["text/plain"] == "Figure: Top <bridge> actors"
    assert data["image/svg+xml"].startswith("<svg")
    assert "Top &lt;bridge&gt; actors" in data["image/svg+xml"]
    assert shell.display_formatter.format(fig)[0]["image/svg+xml"] == data["image/svg+xml"]
    assert data["image/png"].startswith(b"\x89PNG")


def test_the_viewer_shows_inline_with_a_short_plain_form(shell, tiny_dataset):
    shell.user_ns["ds"] = tiny_dataset
    page = run(shell, "import bioeco\nbioeco.show_viewer(ds, height=400)")
    data, _ = shell.display_formatter.format(page)
    assert data["text/html"].startswith('<iframe srcdoc="')
    assert data["text/plain"] == VIEWER_TEXT
