"""The findings report: the analyses' own tables, escaped labels, offline, atomic, deterministic."""

from __future__ import annotations

import hashlib
import re
import xml.etree.ElementTree as ET

import pytest
from click.testing import CliRunner

from bioeco.analyses._fixture import example_graph
from bioeco.analyses.run import run_analyses
from bioeco.errors import UsageError
from bioeco.ingest.export import serialize_turtle
from bioeco.viz import report as rep
from bioeco.viz import report_sections as sections
from cli import main
from tests.viz.hostile import HOSTILE, MATH, SCRIPT, hostile_graph

EPOCH = "1767225600"  # 2026-01-01T00:00:00Z


@pytest.fixture(scope="module")
def example():
    return example_graph()


@pytest.fixture(scope="module")
def example_data(example):
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOURCE_DATE_EPOCH", EPOCH)
        return rep.collect(example, top=5, min_shared=1)


@pytest.fixture(scope="module")
def hostile_page():
    return rep.render(rep.collect(hostile_graph(), top=5, min_shared=1))


def _heatmap_counts(page: str) -> dict[str, int]:
    """The number in each heatmap cell of the page, by its SVG group id."""
    svg = re.search(r'<section id="coverage">.*?(<svg.*?</svg>)', page, re.S).group(1)
    root = ET.fromstring(svg)
    return {
        g.get("id"): int("".join(g.itertext()).strip())
        for g in root.iter("{http://www.w3.org/2000/svg}g")
        if g.get("id", "").startswith("count-")
    }


def test_tables_are_the_analyses_own(example, example_data):
    full = run_analyses(example, min_shared=1)
    again = run_analyses(example, top=5, min_shared=1)
    assert list(example_data.tables) == list(again)
    for name, table in again.items():
        expected = full[name] if name == "gaps_coverage" else table  # the heatmap needs all
        # rounded as the CSV files store them, whether computed or read back (6 decimals)
        assert example_data.tables[name].equals(expected.round(6)), name
    assert len(example_data.tables["gaps_coverage"]) > 5


def test_heatmap_numbers_equal_gaps_coverage(example_data):
    page = rep.render(example_data)
    table = example_data.tables["gaps_coverage"]
    assert _heatmap_counts(page) == {
        f"count-{e}-{s}-{t}": int(c)
        for e, s, t, c in table[["entity", "sector", "stage", "count"]].itertuples(index=False)
    }


def test_page_shows_counts_rankings_explanations_and_parameters(example_data):
    page = rep.render(example_data)
    for anchor in ("counts", "coverage", "survey", "overlap", "bridges", "pairs", "about"):
        assert f'<section id="{anchor}">' in page
    assert '<section id="findings" class="findings">' in page
    for name in ("overlap_pairs", "bridges_actors", "bridges_pairs", "gaps_survey"):
        table = example_data.tables[name]
        if "rank" in table:  # the main part shows the first rows of each ranking
            table = table.sort_values("rank").head(sections.MAIN_ROWS)
        for text in table["explanation"]:
            assert sections.esc(text) in page, (name, text)
    # the sources behind a ranked row: the fixture's only source document
    assert '<span class="src" title="test">test</span>' in page
    assert "2026-01-01T00:00:00+00:00" in page and "min_shared" in page
    assert '<a href="viewer.html">' in page
    structural = page[page.index('<section id="structural">') :]
    structural = structural[: structural.index("</section>")]
    for row in example_data.tables["gaps_structural"].to_dict("records"):
        called = bool(row["gap"]) and bool(row["significant"])  # only significant gaps
        assert (sections.esc(row["explanation"]) in structural) == called


def test_key_findings_come_first_and_never_call_a_non_significant_pair_a_gap(example_data):
    page = rep.render(example_data)
    main = page[page.index("<main>") :]
    assert main.index('<section id="findings"') < main.index('<section id="coverage">')
    findings = example_data.findings
    assert 1 <= len(findings) <= 7
    for row in findings.to_dict("records"):
        assert sections.esc(row["finding"]) in page and f'href="#{row["section"]}"' in page
    structural = example_data.tables["gaps_structural"]
    if not structural["gap"].astype(bool).any():  # gap: significant after Benjamini–Hochberg
        assert "No pair of sectors meets in significantly fewer initiatives" in page
        assert not findings["finding"].str.contains("structural gap:").any()


def test_no_machine_path_reaches_the_page(tmp_path, example):
    graph = tmp_path / "deep" / "folder" / "g.ttl"
    graph.parent.mkdir(parents=True)
    graph.write_text(serialize_turtle(example), encoding="utf-8")
    target = tmp_path / "r.html"
    rep.report(target, graph_file=graph, top=3)
    page = target.read_text(encoding="utf-8")
    assert str(tmp_path) not in page and "deep/folder" not in page
    digest = hashlib.sha256(graph.read_bytes()).hexdigest()
    assert f"g.ttl (SHA-256 {digest})" in page


def test_no_python_reprs_reach_the_page(example_data):
    text = re.sub(r"<[^>]+>", " ", rep.render(example_data))
    for bad in ("None", "nan", "NaN", "('", "[]", "True", "False"):
        assert not re.search(rf"(?<![\w-]){re.escape(bad)}(?![\w-])", text), bad


def test_hostile_labels_are_escaped_text(hostile_page):
    page = hostile_page
    for label in (HOSTILE, SCRIPT, MATH, "A & <b>bold</b>", "W & <i>co</i>"):
        assert sections.esc(label) in page
    assert "<img" not in page and "<b>bold" not in page and "<i>co" not in page
    assert "<script" not in page.lower()
    assert page.count("</script") == 0  # nothing can close a script that is not there


def test_page_loads_nothing_from_outside(example_data):
    page = rep.render(example_data)
    assert "Content-Security-Policy" in page and "default-src 'none'" in page
    assert not re.search(r"""(?:src|href|action)\s*=\s*["']?(?:https?:)?//""", page)
    assert not re.search(r"url\(\s*['\"]?(?:https?:)?//", page)
    assert "@import" not in page


def test_same_input_gives_the_same_bytes(example, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    first = rep.render(rep.collect(example, top=3))
    assert rep.render(rep.collect(example, top=3)) == first


def test_report_writes_atomically_and_keeps_the_old_page_on_error(tmp_path, example):
    graph = tmp_path / "g.ttl"
    graph.write_text(serialize_turtle(example), encoding="utf-8")
    target = tmp_path / "out" / "report.html"
    target.parent.mkdir()  # an -o path's folder must exist (issue 24 item 7)
    assert rep.report(target, graph_file=graph, top=3) == target
    before = target.read_bytes()
    assert before.startswith(b"<!DOCTYPE html>")
    with pytest.raises(UsageError, match="unknown sector 'no-such-sector'"):
        rep.report(target, graph_file=graph, sector="no-such-sector")
    assert target.read_bytes() == before
    assert sorted(p.name for p in target.parent.iterdir()) == ["report.html"]


def test_cli_report(tmp_path, example):
    graph = tmp_path / "g.ttl"
    graph.write_text(serialize_turtle(example), encoding="utf-8")
    out = tmp_path / "r.html"
    runner = CliRunner()
    result = runner.invoke(main, ["report", "--graph", str(graph), "-o", str(out), "--top", "3"])
    assert result.exit_code == 0, result.output
    assert result.output == f"Wrote {out}\n"
    assert "<svg" in out.read_text(encoding="utf-8")
    extra = tmp_path / "more.ttl"
    extra.write_text(serialize_turtle(example), encoding="utf-8")
    two = runner.invoke(
        main, ["report", "--graph", str(graph), "--graph", str(extra), "-o", str(out)]
    )
    assert two.exit_code == 0, two.output
    page = out.read_text(encoding="utf-8")
    assert "g.ttl (SHA-256 " in page and "more.ttl (SHA-256 " in page  # both, no tuple repr
    assert str(tmp_path) not in page
    bad = runner.invoke(main, ["report", "--graph", str(graph), "-o", str(out), "--sector", "x"])
    assert bad.exit_code == 2
    assert bad.output.startswith("Error: unknown sector 'x': known sector codes are ")


def test_cli_report_help():
    result = CliRunner().invoke(main, ["report", "--help"])
    assert result.exit_code == 0
    assert "self-contained HTML page" in result.output
    assert "-o, --output FILE" in result.output


def test_actions_section_when_a_plan_or_suggestions_are_asked(tmp_path, example):
    plan = tmp_path / "plan.csv"
    plan.write_text("action,actor,other,year\nintroduce,farm,seaweed,2024\n", encoding="utf-8")
    data = rep.collect(example, top=3, whatif=plan, suggest=2)
    page = rep.render(data)
    section = page[page.index('<section id="actions">') :]
    section = section[: section.index("</section>")]
    assert "not predictions of what the actions would achieve" in section
    for text in data.tables["whatif_steps"]["explanation"]:
        assert sections.esc(text) in section
    assert '<a href="#actions">' in page
    assert '<section id="actions">' not in rep.render(rep.collect(example, top=3))
