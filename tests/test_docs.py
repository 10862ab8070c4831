"""README and docs render as Markdown: every table is whole (no row cut off by a blank line, the
same number of cells in every row), relative links point at files that exist, and the README's
first screen says what a user gets and how."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")), ROOT / "data" / "README.md"]
PARSER = MarkdownIt("commonmark").enable("table")


def _tables(text: str) -> list[list[int]]:
    """The number of cells of every source row, per table the Markdown parser finds (cells
    split at unescaped ``|``; the parser itself would drop extra cells silently)."""
    lines = text.split("\n")
    tables = []
    for token in PARSER.parse(text):
        if token.type == "table_open" and token.map:
            rows = [lines[n].strip() for n in range(*token.map)]
            tables.append([len(re.split(r"(?<!\\)\|", row.strip("|"))) for row in rows if row])
    return tables


def _pipe_rows_outside_tables(text: str) -> list[int]:
    """Lines that look like table rows but belong to no table (e.g. after a blank line)."""
    lines = text.split("\n")
    covered: set[int] = set()
    for token in PARSER.parse(text):
        if token.type == "table_open" and token.map:
            covered.update(range(*token.map))
        if token.type in ("fence", "code_block") and token.map:
            covered.update(range(*token.map))
    return [n + 1 for n, line in enumerate(lines) if line.startswith("| ") and n not in covered]


@pytest.mark.parametrize("path", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_tables_are_whole(path: Path):
    text = path.read_text(encoding="utf-8")
    assert _pipe_rows_outside_tables(text) == [], "a table row outside any table"
    for rows in _tables(text):
        assert len(set(rows)) == 1, f"rows with different numbers of cells: {rows}"


@pytest.mark.parametrize("path", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_relative_links_point_at_files(path: Path):
    text = path.read_text(encoding="utf-8")
    for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text):
        if re.match(r"[a-z]+:", target):
            continue
        assert (path.parent / target).exists(), target


def _anchors(text: str) -> set[str]:
    """The anchors a Markdown renderer (GitHub's rule) gives the headings of *text*."""
    found = set()
    for token in PARSER.parse(text):
        if token.type == "inline" and token.map and token.content:
            line = text.split("\n")[token.map[0]]
            if re.match(r"#+ ", line):
                title = re.sub(r"[^\w\- ]", "", token.content.lower())
                found.add(title.replace(" ", "-"))
    return found


@pytest.mark.parametrize("path", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_links_to_a_heading_find_it(path: Path):
    """A link such as ``docs/security.md#ids-make-safe-iris`` or ``#command-line`` names a
    heading that exists (sections move between the README and docs/)."""
    text = path.read_text(encoding="utf-8")
    for target, anchor in re.findall(r"\]\(([^)#\s]*)#([^)\s]+)\)", text):
        if re.match(r"[a-z]+:", target):
            continue
        linked = (path.parent / target) if target else path
        if linked.suffix == ".md":
            assert anchor in _anchors(linked.read_text(encoding="utf-8")), f"{target}#{anchor}"


def test_the_anchor_rule_is_githubs():
    text = "# Title\n\n## What-if: plan actions\n\n### `bioeco serve`: a read-only endpoint\n"
    assert _anchors(text) == {"title", "what-if-plan-actions", "bioeco-serve-a-read-only-endpoint"}
    assert "missing" not in _anchors(text)


def test_the_checker_sees_a_broken_table():
    broken = "| a | b |\n|---|---|\n| 1 | 2 |\n\n| 3 | 4 |\n"
    assert _pipe_rows_outside_tables(broken) == [5]
    assert _tables("| a | b |\n|---|---|\n| 1 | 2 | 3 |\n") == [[2, 2, 3]]
    assert _tables("| a \\| b | c |\n|---|---|\n") == [[2, 2]]  # an escaped pipe is text


def test_readme_first_screen_is_for_the_user():
    first = "\n".join((ROOT / "README.md").read_text(encoding="utf-8").split("\n")[:60])
    for promise in ("out/report.html", "out/viewer.html", "out/export/bioeco.xlsx",
                    "make demo", "make test", "docs/img/report.png"):  # fmt: skip
        assert promise in first, promise
    assert first.index("## What you get") < first.index("## Two commands")
