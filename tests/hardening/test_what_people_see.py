"""Issue 14.6: what people see. Nothing in a label can drive a terminal or forge a line;
invisible and text-reordering characters are refused; near-duplicates are reported."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from bioeco.validate.shacl import ValidationReport, Violation
from cli import main
from hardening_support import BIOECO, TINY

HOSTILE = "Evil\x1b]0;owned\x07\nConforms: 0 violations\u202e"


@pytest.fixture
def data(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(TINY, target)
    return target


def _add_actor(data: Path, row: str) -> int:
    """Append *row* to the actors table; return its spreadsheet row number."""
    table = data / "src-a" / "actors.csv"
    with table.open("a", encoding="utf-8") as fh:
        fh.write(row + "\n")
    return len(table.read_text(encoding="utf-8").splitlines())


def test_the_shacl_report_cannot_forge_a_line():
    report = ValidationReport(
        conforms=False,
        violations=[
            Violation(focus="https://e/x", path="skos:prefLabel", message="m", label=HOSTILE)
        ],
    )
    text = report.text()
    assert "\x1b" not in text and "\x07" not in text and "\u202e" not in text
    assert text.splitlines()[0] == "Does not conform: 1 violation(s)."
    assert not any(line.startswith("Conforms") for line in text.splitlines())
    assert "Evil\\x1b]0;owned\\x07\\nConforms: 0 violations\\u202e" in text


def test_error_lines_escape_control_characters(tmp_path: Path):
    name = tmp_path / "a\x1b[31mred\nConforms.ttl"
    done = subprocess.run(
        [str(BIOECO), "stats", "--graph", str(name)], capture_output=True, text=True
    )
    assert done.returncode == 2
    assert "\x1b" not in done.stderr and len(done.stderr.splitlines()) == 1
    assert "a\\x1b[31mred\\nConforms.ttl: no such file" in done.stderr


@pytest.mark.parametrize(
    ("label", "message"),
    [
        ("Alpha\u202eSA", "contains an invisible or text-reordering character (U+202E); remove it"),
        (
            "Al\u200bpha Marin AS",
            "contains an invisible or text-reordering character (U+200B); remove it",
        ),
        (
            "Alpha\U000e0041",
            "contains an invisible or text-reordering character (U+E0041); remove it",
        ),
        (
            "\u2067Alpha\u2069",
            "contains an invisible or text-reordering character (U+2067); remove it",
        ),
        ("\u3164", "contains only invisible characters"),
        ("\u200c\u3164 \u115f", "contains only invisible characters"),
    ],
)
def test_invisible_and_reordering_characters_are_refused(data: Path, label: str, message: str):
    row = _add_actor(data, f"gamma,{label},,company,,,,src-a,l. 1,")
    result = CliRunner().invoke(main, ["build", "--data", str(data), "--no-validate", "--out",
                                       str(data.parent / "out")])  # fmt: skip
    assert result.exit_code == 1
    assert result.output == f"Error: data/src-a/actors.csv, row {row}, field label: {message}\n"


def test_scripts_that_need_joiners_are_still_accepted(data: Path, tmp_path: Path):
    _add_actor(data, "gamma,می\u200cخواهم,,company,,,,src-a,l. 1,")
    result = CliRunner().invoke(
        main, ["build", "--data", str(data), "--no-validate", "--out", str(tmp_path / "out")]
    )
    assert result.exit_code == 0, result.output


def test_the_same_organisation_number_twice_is_refused(data: Path, tmp_path: Path):
    row = _add_actor(data, "gamma,Gamma AS,,company,,923609016,,src-a,l. 1,")
    result = CliRunner().invoke(
        main, ["build", "--data", str(data), "--no-validate", "--out", str(tmp_path / "out")]
    )
    assert result.exit_code == 1
    assert result.output == (
        f"Error: data/src-a/actors.csv, row {row}, field orgnr: organisation number 923609016 "
        "is also given to 'alpha' (data/src-a/actors.csv, row 2); one organisation, one id\n"
    )


def test_look_alike_and_same_names_are_reported(data: Path, tmp_path: Path):
    r1 = _add_actor(data, "alpha-2,Аlpha Marin AS,,company,,,,src-a,l. 1,")  # Cyrillic А
    r2 = _add_actor(data, "beta-2,Beta Forskning,,research-institute,,,,src-a,l. 2,")
    done = subprocess.run(
        [str(BIOECO), "check", "--data", str(data)], capture_output=True, text=True
    )
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        f"warning: data/src-a/actors.csv, row {r1}: actor alpha-2 'Аlpha Marin AS' looks like "
        "actor alpha 'Alpha Marin AS' (data/src-a/actors.csv, row 2): it differs by look-alike or "
        "invisible characters (U+0410)",
        f"warning: data/src-a/actors.csv, row {r2}: actor beta-2 'Beta Forskning' has the same "
        "name as actor beta-institute (data/src-a/actors.csv, row 3)",
    ]
    built = subprocess.run(
        [str(BIOECO), "build", "--data", str(data), "--out", str(tmp_path / "out")],
        capture_output=True,
        text=True,
    )
    assert built.returncode == 0, built.stderr
    assert built.stderr.count("warning: ") == 2


def test_check_on_clean_tables(data: Path):
    result = CliRunner().invoke(main, ["check", "--data", str(data)])
    assert (result.exit_code, result.output) == (0, "No near-duplicate names found.\n")
