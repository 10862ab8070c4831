"""CSV output neutralises spreadsheet formulas; terminal output cannot carry control codes."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import main

PAYLOADS = [
    "=cmd|' /C calc'!A0",
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    '=HYPERLINK("http://127.0.0.1:9/?x="&A1,"click")',
    "\t=1+1",
    "\r=1+1",
]


@pytest.fixture
def hostile_graph(tmp_path: Path) -> Path:
    """A user graph whose labels are formula payloads (the CSV loader refuses most of them,
    but a --graph file is not checked cell by cell)."""
    lines = ["@prefix skos: <http://www.w3.org/2004/02/skos/core#> ."]
    for i, label in enumerate(PAYLOADS):
        escaped = label.replace("\\", "\\\\").replace('"', '\\"')
        escaped = escaped.replace("\t", "\\t").replace("\r", "\\r")
        lines.append(f'<http://example.org/x{i}> skos:prefLabel "{escaped}" .')
    lines.append('<http://example.org/y> skos:prefLabel "red \\u001b[31m text\\nsecond line" .')
    path = tmp_path / "hostile.ttl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _query(graph: Path, fmt: str, where: str = "") -> str:
    query = f"SELECT ?x ?label WHERE {{ ?x skos:prefLabel ?label {where} }} ORDER BY ?x"
    result = CliRunner().invoke(main, ["query", query, "--graph", str(graph), "--format", fmt])
    assert result.exit_code == 0, result.output
    return result.output


def test_query_csv_neutralises_every_formula_payload(hostile_graph: Path):
    rows = list(csv.reader(io.StringIO(_query(hostile_graph, "csv"), newline="")))
    labels = [row[1] for row in rows[1:]][: len(PAYLOADS)]
    assert labels == ["'" + p for p in PAYLOADS]
    for row in rows[1:]:
        assert not row[1].startswith(("=", "+", "-", "@", "\t", "\r"))


def test_query_json_keeps_labels_exactly(hostile_graph: Path):
    import json

    labels = [row["label"] for row in json.loads(_query(hostile_graph, "json"))]
    assert labels[: len(PAYLOADS)] == PAYLOADS


def test_query_table_escapes_control_characters(hostile_graph: Path):
    out = _query(hostile_graph, "table", "FILTER(?x = <http://example.org/y>)")
    assert "\x1b" not in out
    assert "\\x1b[31m" in out
    assert len(out.splitlines()) == 2  # header + one row: the newline is escaped too


def test_query_csv_quotes_a_carriage_return_inside_a_cell(tmp_path: Path):
    # unquoted, a bare CR would start a new spreadsheet row whose first cell is "=1+1"
    path = tmp_path / "cr.ttl"
    path.write_text('<http://example.org/z> <http://example.org/p> "ok\\r=1+1" .\n')
    result = CliRunner().invoke(
        main, ["query", "SELECT ?o WHERE { ?s ?p ?o }", "--graph", str(path), "--format", "csv"]
    )
    assert result.output == 'o\n"ok\r=1+1"\n'
