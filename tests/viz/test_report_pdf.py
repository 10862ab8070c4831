"""``bioeco report --pdf``: the page printed by the real headless Chromium, read back with
poppler's ``pdftotext``; the same page prints to the same bytes; no browser is one line."""

from __future__ import annotations

import subprocess

import pytest
from click.testing import CliRunner

from bioeco.analyses._fixture import example_graph
from bioeco.ingest.export import serialize_turtle
from bioeco.viz.pdf import print_pdf
from cli import main


@pytest.fixture(scope="module")
def printed(tmp_path_factory):
    folder = tmp_path_factory.mktemp("pdf")
    graph = folder / "g.ttl"
    graph.write_text(serialize_turtle(example_graph()), encoding="utf-8")
    out = folder / "r.html"
    args = ["report", "--graph", str(graph), "-o", str(out), "--top", "3", "--pdf"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert result.output == f"Wrote {out}\nWrote {folder / 'r.pdf'}\n"
    return out, folder / "r.pdf"


def _text(pdf) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout


def test_the_pdf_holds_the_report_findings_first(printed):
    _page, pdf = printed
    assert pdf.read_bytes().startswith(b"%PDF-")
    text = _text(pdf)
    assert text.index("Key findings") < text.index("Coverage")
    assert "Biotech" in text or "actor" in text.lower()
    assert "CreationDate (D:19700101000000" in pdf.read_bytes().decode("latin-1")


def test_the_same_page_prints_to_the_same_bytes(printed, tmp_path):
    page, pdf = printed
    again = print_pdf(page, tmp_path / "again.pdf")
    assert again.read_bytes() == pdf.read_bytes()


def test_no_browser_is_one_line_and_nothing_written(printed, tmp_path, monkeypatch):
    page, _pdf = printed
    monkeypatch.setenv("BIOECO_CHROMIUM", str(tmp_path / "no-chromium"))
    target = tmp_path / "r.pdf"
    result = CliRunner().invoke(
        main, ["report", "--graph", str(page.parent / "g.ttl"), "-o", str(tmp_path / "r.html"),
               "--pdf"],
    )  # fmt: skip
    assert result.exit_code == 5
    assert result.output == (
        f"Error: cannot write {target}: no headless browser at {tmp_path / 'no-chromium'} "
        "(install Debian's chromium package, or name another with BIOECO_CHROMIUM)\n"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == []  # checked before any work
