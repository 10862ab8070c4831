"""Exports: GraphML/GEXF read back typed, Excel sheets formula-safe, JSON-LD round-trips."""

from __future__ import annotations

import io
import json
import urllib.request
from pathlib import Path

import networkx as nx
import numpy as np
import openpyxl
import pytest
from click.testing import CliRunner
from rdflib import Dataset, Graph, URIRef
from rdflib.compare import isomorphic

from bioeco.analyses._fixture import build_graph, example_graph
from bioeco.analyses.run import TABLES, format_cell, run_analyses
from bioeco.errors import UsageError
from bioeco.ingest.export import serialize_turtle
from bioeco.store.dataset import normalise_triple
from bioeco.viz import exports as ex
from cli import main
from tests.viz.hostile import HOSTILE, SCRIPT, hostile_graph

EPOCH = "1767225600"  # 2026-01-01T00:00:00Z
FORMULA = '=HYPERLINK("http://127.0.0.1/x","click")'


@pytest.fixture(scope="module")
def example():
    return example_graph()


@pytest.fixture
def example_file(tmp_path, example) -> Path:
    path = tmp_path / "g.ttl"
    path.write_text(serialize_turtle(example), encoding="utf-8")
    return path


def _no_none(attrs: dict) -> None:
    for key, value in attrs.items():
        assert value is not None and value != "None" and not isinstance(value, tuple), key


@pytest.mark.parametrize("view", ["bipartite", "actors"])
def test_graphml_reads_back_with_every_attribute_typed(example, view):
    graph = ex.export_graph(example, view)
    back = nx.read_graphml(io.BytesIO(ex.graphml_bytes(graph)))
    assert set(back.nodes) == set(graph.nodes) and back.number_of_edges() > 0
    assert {frozenset(e) for e in back.edges} == {frozenset(e) for e in graph.edges}
    for node, attrs in graph.nodes(data=True):
        assert back.nodes[node] == attrs
        _no_none(back.nodes[node])
    for a, b, attrs in graph.edges(data=True):
        assert back.edges[a, b] == attrs
        _no_none(back.edges[a, b])
    uit = back.nodes["actor/uit"]
    assert uit["sectors"] == "health|marine" and uit["label"] == "UiT"
    assert uit["iri"] == "https://w3id.org/bioeco/id/actor/uit"
    if view == "bipartite":
        assert isinstance(uit["bipartite"], int)
        links = [d for *_, d in back.edges(data=True) if d["relation"] == "membership"]
        assert links and all(isinstance(d["nested"], bool) for d in links)
    else:
        edge = back.edges["actor/uit", "actor/nofima"]
        assert edge["weight"] == 2 and isinstance(edge["weight"], int)
        assert edge["via"] == "initiative/bridge|initiative/north"


def test_gexf_reads_back(example):
    graph = ex.export_graph(example)
    back = nx.read_gexf(io.BytesIO(ex.gexf_bytes(graph)))
    assert set(back.nodes) == set(graph.nodes)
    for node, attrs in graph.nodes(data=True):
        assert {k: v for k, v in back.nodes[node].items() if k != "viz"} == attrs
        assert back.nodes[node]["viz"]["position"]["x"] == attrs["x"]
    for a, b, attrs in graph.edges(data=True):
        got = {k: v for k, v in back.edges[a, b].items() if k != "id"}
        assert got == attrs


def test_hostile_labels_survive_graphml_and_gexf_exactly():
    graph = ex.export_graph(hostile_graph())
    written = [(ex.graphml_bytes(graph), nx.read_graphml), (ex.gexf_bytes(graph), nx.read_gexf)]
    for raw, reader in written:
        assert b"<img" not in raw and b"<script" not in raw
        back = reader(io.BytesIO(raw))
        assert back.nodes["actor/x"]["label"] == HOSTILE
        assert back.nodes["actor/z"]["label"] == SCRIPT


def test_unknown_view_is_refused(example):
    with pytest.raises(UsageError, match="unknown view 'people': use bipartite or actors"):
        ex.export_graph(example, "people")


def test_workbook_has_one_sheet_per_table_with_csv_cells(example):
    tables = run_analyses(example, min_shared=1)
    raw = ex.workbook_bytes(tables, sources=ex_sources(example), run={"top": None, "seed": 42})
    wb = openpyxl.load_workbook(io.BytesIO(raw))
    assert wb.sheetnames == [*tables, "sources", "run"]
    assert set(tables) >= {t for kind in ("gaps", "overlap", "bridges") for t in TABLES[kind]}
    for name, frame in tables.items():
        ws = wb[name]
        assert [c.value for c in ws[1]] == list(frame.columns)
        assert ws.freeze_panes == "A2" and ws[1][0].font.b
        assert ws.max_row == len(frame) + 1
        for col in range(1, len(frame.columns) + 1):
            width = ws.column_dimensions[openpyxl.utils.get_column_letter(col)].width
            wide = frame.columns[col - 1] == "explanation"  # wrapped, 90 wide
            assert width == 90 if wide else 4 <= width <= 60
        for r, row in enumerate(frame.itertuples(index=False, name=None), start=2):
            for c, value in enumerate(row, start=1):
                cell = format_cell(value)
                if isinstance(value, bool | np.bool_):  # Excel's own TRUE/FALSE, CSV "true"
                    cell = bool(value)
                assert ws.cell(r, c).value == (None if cell == "" else cell), (name, r, c)
    header = [c.value for c in wb["bridges_actors"][1]]
    via = wb["bridges_actors"].cell(2, header.index("via") + 1).value
    assert "|" in via and not via.startswith("(")
    assert [c.value for c in wb["run"]["A"]] == ["parameter", "top", "seed"]


def ex_sources(graph):
    from bioeco.viz.report import source_table

    return source_table(graph)[0]


def test_workbook_cells_are_formula_safe():
    graph = build_graph(
        {
            "f": {"label": "+1", "sector": ["marine"]},
            "g": {"label": "-2 Bio", "sector": ["health"]},
        },
        {"i": {"label": FORMULA}, "j": {"label": "@SUM(A1)"}},
        [("f", "i", "member"), ("g", "i", "member"), ("f", "j", "member"), ("g", "j", "member")],
    )
    raw = ex.workbook_bytes(run_analyses(graph, min_shared=1))
    wb = openpyxl.load_workbook(io.BytesIO(raw))
    cells = [c for ws in wb for row in ws.iter_rows() for c in row if c.value is not None]
    assert all(c.data_type != "f" for c in cells)
    texts = {c.value for c in cells if isinstance(c.value, str)}
    assert "'" + FORMULA in texts and "'@SUM(A1)" in texts  # overlap_pairs label_a/label_b
    assert not any(t.startswith(("=", "+", "@", "-")) for t in texts)


def _plain(graph) -> Graph:
    out = Graph()
    for triple in graph:
        out.add(normalise_triple(triple))
    return out


def test_jsonld_round_trips_without_fetching(tiny_dataset, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("JSON-LD tried to fetch a URL")

    monkeypatch.setattr(urllib.request, "urlopen", refuse)
    text = ex.jsonld_text(tiny_dataset)
    doc = json.loads(text)
    assert doc["@context"] == ex.jsonld_context()
    assert all(isinstance(v, str) for v in doc["@context"].values())
    back = Dataset()
    back.parse(data=text, format="json-ld")
    names = {
        str(g.identifier)
        for g in tiny_dataset.graphs()
        if isinstance(g.identifier, URIRef) and len(g) and "urn:x-rdflib" not in str(g.identifier)
    }
    assert names and names <= {str(g.identifier) for g in back.graphs()}
    for name in names:  # equal as RDF 1.1 graphs ("x" and "x"^^xsd:string are one literal)
        got, want = back.graph(URIRef(name)), tiny_dataset.graph(URIRef(name))
        assert isomorphic(_plain(got), _plain(want)), name
    assert ex.jsonld_text(tiny_dataset) == text


def test_every_format_is_byte_identical_for_the_same_input(example_file, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    for fmt in ex.FORMATS:
        first = ex.export(fmt, tmp_path / f"a.{fmt}", graph_file=example_file).read_bytes()
        second = ex.export(fmt, tmp_path / f"b.{fmt}", graph_file=example_file).read_bytes()
        assert first == second, fmt
    assert b'lastmodifieddate="2026-01-01"' in (tmp_path / "a.gexf").read_bytes()


def test_export_is_atomic_and_refuses_options_that_do_not_apply(example_file, tmp_path):
    target = tmp_path / "x.xlsx"
    ex.export("xlsx", target, graph_file=example_file)
    before = target.read_bytes()
    with pytest.raises(UsageError, match="unknown sector 'nowhere'"):
        ex.export("xlsx", target, graph_file=example_file, sector="nowhere")
    assert target.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["g.ttl", "x.xlsx"]
    with pytest.raises(UsageError, match="--view applies to graphml and gexf only"):
        ex.export("jsonld", tmp_path / "y.jsonld", graph_file=example_file, view="actors")
    with pytest.raises(UsageError, match="--sector and --region apply to xlsx only"):
        ex.export("gexf", tmp_path / "y.gexf", graph_file=example_file, sector="marine")
    with pytest.raises(UsageError, match="--top applies to xlsx, graphml and gexf"):
        ex.export("jsonld", tmp_path / "y.jsonld", graph_file=example_file, top=3)
    assert not (tmp_path / "y.jsonld").exists() and not (tmp_path / "y.gexf").exists()


def test_cli_export(example_file, tmp_path):
    runner = CliRunner()
    out = tmp_path / "net.gexf"
    args = ["export", "--to", "gexf", "--view", "actors", "--graph", str(example_file)]
    result = runner.invoke(main, [*args, "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert result.output == f"Wrote {out}\n"
    assert nx.read_gexf(out).number_of_nodes() > 0
    bad = runner.invoke(
        main, ["export", "--to", "jsonld", "--as-of", "2020", "--graph", str(example_file)]
    )
    assert bad.exit_code == 2
    assert bad.output == "Error: --as-of and --basis do not apply to jsonld (the whole graph)\n"
    wrong = runner.invoke(main, ["export", "--to", "csv"])
    assert wrong.exit_code == 2 and "'csv' is not one of" in wrong.output


def test_cli_export_help():
    result = CliRunner().invoke(main, ["export", "--help"])
    assert result.exit_code == 0
    assert "GraphML or GEXF (Gephi, Cytoscape), Excel, JSON-LD" in result.output
