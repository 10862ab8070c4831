"""Bad input through the command line: one line naming file, row and field; exit 1; no
traceback; the output folder byte-for-byte as it was. Accepted oddities round-trip."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pyoxigraph
import pytest
from click.testing import CliRunner

from cli import main
from hardening_support import BIOECO, CORPUS, ROOT, TINY, snapshot

PEOPLE = "data/src-a/people.csv"
MEMBERSHIPS = "data/src-a/memberships.csv"
CLASSIFICATIONS = "data/src-a/classifications.csv"
OBSERVATIONS = "data/src-b/observations.csv"
NOT_AN_ID = "is not a valid id (lowercase a-z, 0-9 and single hyphens, e.g. 'uit')"
FORMULA = "starts with a spreadsheet formula character (= + @); remove it"
NOT_A_NUMBER = "is not a number (digits, optionally '.' or ',' decimals)"

# (corpus file, the table it replaces, the exact message after "Error: ")
CASES = [
    ("missing-column", PEOPLE, f"{PEOPLE}, row 1, field name: required column is missing"),
    (
        "extra-column",
        PEOPLE,
        f"{PEOPLE}, row 1, field colour: unknown column (expected: id, name, source, locator, "
        "note)",
    ),
    (
        "header-control",
        PEOPLE,
        f"{PEOPLE}, row 1, field 'no\\x1bte': unknown column (expected: id, name, source, "
        "locator, note)",
    ),
    (
        "semicolons",
        PEOPLE,
        f"{PEOPLE}, row 1: header is not comma-separated (found ';', tab or '|'); save as CSV "
        "with commas",
    ),
    ("latin1", PEOPLE, f"{PEOPLE}, row 3: not valid UTF-8 (byte 0xc5); save the file as UTF-8"),
    (
        "mixed-encoding",
        PEOPLE,
        f"{PEOPLE}, row 4: not valid UTF-8 (byte 0xc5); save the file as UTF-8",
    ),
    ("utf16", PEOPLE, f"{PEOPLE}, row 1: file is UTF-16; save the file as UTF-8"),
    ("empty", PEOPLE, f"{PEOPLE}: file is empty (expected a header row)"),
    ("whitespace-only", PEOPLE, f"{PEOPLE}: file is empty (expected a header row)"),
    (
        "duplicate-id",
        PEOPLE,
        f"{PEOPLE}, row 3, field id: duplicate id 'kari-nordmann' (first defined in {PEOPLE}, "
        "row 2)",
    ),
    ("ragged-row", PEOPLE, f"{PEOPLE}, row 3: has 3 cells but the header has 5 columns"),
    ("unbalanced-quote", PEOPLE, f"{PEOPLE}, row 3: malformed CSV (a quote is not closed)"),
    (
        "quote-in-quoted-cell",
        PEOPLE,
        f"{PEOPLE}, row 3: malformed CSV (text after a closing quote; write a quote inside a "
        'quoted cell as "")',
    ),
    (
        "nul-byte",
        PEOPLE,
        f"{PEOPLE}, row 3, field name: contains a control character (U+0000); remove it",
    ),
    (
        "escape-sequence",
        PEOPLE,
        f"{PEOPLE}, row 3, field note: contains a control character (U+001B); remove it",
    ),
    (
        "line-separator",
        PEOPLE,
        f"{PEOPLE}, row 3, field name: contains a control character (U+2028); remove it",
    ),
    (
        "c1-control",
        PEOPLE,
        f"{PEOPLE}, row 3, field name: contains a control character (U+0085); remove it",
    ),
    ("long-cell", PEOPLE, f"{PEOPLE}, row 3, field name: cell is 5000 characters long (max 4000)"),
    ("id-space", PEOPLE, f"{PEOPLE}, row 3, field id: 'per olsen' {NOT_AN_ID}"),
    ("id-angle", PEOPLE, f"{PEOPLE}, row 3, field id: '<per>' {NOT_AN_ID}"),
    ("id-quote", PEOPLE, f"{PEOPLE}, row 3, field id: 'per\"x' {NOT_AN_ID}"),
    ("id-unicode", PEOPLE, f"{PEOPLE}, row 3, field id: 'pål' {NOT_AN_ID}"),
    ("id-fullwidth", PEOPLE, f"{PEOPLE}, row 3, field id: 'ｐｅｒ' {NOT_AN_ID}"),
    ("formula-equals", PEOPLE, f"{PEOPLE}, row 3, field name: {FORMULA}"),
    ("formula-plus", PEOPLE, f"{PEOPLE}, row 3, field name: {FORMULA}"),
    ("formula-at", PEOPLE, f"{PEOPLE}, row 3, field name: {FORMULA}"),
    ("formula-padded", PEOPLE, f"{PEOPLE}, row 3, field name: {FORMULA}"),
    (
        "unknown-member",
        MEMBERSHIPS,
        f"{MEMBERSHIPS}, row 2, field member: unknown actor, person or initiative id 'alfa'",
    ),
    ("bad-date", MEMBERSHIPS, f"{MEMBERSHIPS}, row 2, field start: '2021-13' is not a real date"),
    (
        "impossible-date",
        MEMBERSHIPS,
        f"{MEMBERSHIPS}, row 2, field start: '2021-02-30' is not a real date",
    ),
    (
        "end-before-start",
        MEMBERSHIPS,
        f"{MEMBERSHIPS}, row 2, field end: end 2021-08-31 is before start 2021-09",
    ),
    (
        "arabic-digit-year",
        MEMBERSHIPS,
        f"{MEMBERSHIPS}, row 2, field observed: '٢٠٢١' is not a year (YYYY)",
    ),
    (
        "unknown-role",
        MEMBERSHIPS,
        f"{MEMBERSHIPS}, row 2, field role: unknown role code 'boss' (known: applicant, "
        "board-chair, board-member, cluster-manager, co-organiser, collaborator, contributor, "
        "coordinator, employee, funder, host, interviewee, …)",
    ),
    (
        "unknown-sector",
        CLASSIFICATIONS,
        f"{CLASSIFICATIONS}, row 2, field concept: unknown sector code 'maritime' (known: "
        "agri-food, diagnostics, health, health-ict, industry, knowledge, marine, medtech, "
        "pharma, specialised-suppliers)",
    ),
    (
        "unknown-stage",
        CLASSIFICATIONS,
        f"{CLASSIFICATIONS}, row 2, field concept: unknown stage code 'retail' (known: capital, "
        "commercialisation, data, innovation, research, sales)",
    ),
    (
        "unknown-scheme",
        CLASSIFICATIONS,
        f"{CLASSIFICATIONS}, row 2, field scheme: unknown scheme 'colour' (use one of sector, "
        "stage, region, competence)",
    ),
    (
        "unknown-type",
        "data/src-a/initiatives.csv",
        "data/src-a/initiatives.csv, row 3, field type: unknown initiative-type code "
        "'consortium' (known: application, centre, cluster, committee, event, event-series, "
        "forum, infrastructure, network, programme, project, service, …)",
    ),
    (
        "percent-negative",
        OBSERVATIONS,
        f"{OBSERVATIONS}, row 2, field percent: '-5' is not a percentage between 0 and 100",
    ),
    (
        "percent-exponent",
        OBSERVATIONS,
        f"{OBSERVATIONS}, row 2, field percent: '1e1' {NOT_A_NUMBER}",
    ),
    ("percent-nan", OBSERVATIONS, f"{OBSERVATIONS}, row 2, field percent: 'nan' {NOT_A_NUMBER}"),
]

GOOD = [
    ("ok-bom", PEOPLE),
    ("ok-crlf", PEOPLE),
    ("ok-cr-only", PEOPLE),
    ("ok-header-only", "data/src-b/aliases.csv"),
    ("ok-scripts", PEOPLE),
    ("ok-minus", PEOPLE),
    ("ok-multiline-note", PEOPLE),
]


def _data_with(tmp_path: Path, table: str, content: bytes) -> Path:
    data = tmp_path / "data"
    shutil.copytree(TINY, data)
    (tmp_path / table).write_bytes(content)
    return data


def _assert_clean_failure(result, expected: str) -> None:
    assert result.exit_code == 1, result.output
    assert result.output == f"Error: {expected}\n"
    assert isinstance(result.exception, SystemExit)  # click's exit, not a crash


def test_corpus_is_complete():
    names = {p.stem for p in CORPUS.glob("*.csv")}
    assert names == {c[0] for c in CASES} | {g[0] for g in GOOD}


@pytest.mark.parametrize(("case", "table", "expected"), CASES, ids=[c[0] for c in CASES])
def test_bad_table_is_one_line_exit_1_and_out_untouched(
    runner: CliRunner, tmp_path: Path, out_dir: Path, case: str, table: str, expected: str
):
    data = _data_with(tmp_path, table, (CORPUS / f"{case}.csv").read_bytes())
    before = snapshot(out_dir)
    result = runner.invoke(main, ["build", "--data", str(data), "--out", str(out_dir)])
    _assert_clean_failure(result, expected)
    assert snapshot(out_dir) == before


def test_cell_beyond_the_csv_field_limit(runner: CliRunner, tmp_path: Path, out_dir: Path):
    content = (TINY / "src-a" / "people.csv").read_bytes() + b"per," + b"P" * 200_000 + b",x,l.1,\n"
    data = _data_with(tmp_path, PEOPLE, content)
    before = snapshot(out_dir)
    result = runner.invoke(main, ["build", "--data", str(data), "--out", str(out_dir)])
    _assert_clean_failure(
        result,
        f"{PEOPLE}, row 3: malformed CSV (a cell is longer than 131072 characters (max 4000))",
    )
    assert snapshot(out_dir) == before


def test_missing_sources_file(runner: CliRunner, tmp_path: Path, out_dir: Path):
    data = _data_with(tmp_path, PEOPLE, (TINY / "src-a" / "people.csv").read_bytes())
    (data / "sources.csv").unlink()
    before = snapshot(out_dir)
    result = runner.invoke(main, ["build", "--data", str(data), "--out", str(out_dir)])
    _assert_clean_failure(result, f"{data}: missing sources.csv (one row per source document)")
    assert snapshot(out_dir) == before


@pytest.mark.parametrize(("case", "table"), GOOD, ids=[g[0] for g in GOOD])
def test_accepted_oddities_build(runner: CliRunner, tmp_path: Path, case: str, table: str):
    data = _data_with(tmp_path, table, (CORPUS / f"{case}.csv").read_bytes())
    out = tmp_path / "out"
    # loading is what is under test here; SHACL runs in the round-trip test below
    result = runner.invoke(main, ["build", "--data", str(data), "--out", str(out), "--no-validate"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Built 4 actors, 3 initiatives, ")


def _names_in_graph(trig: Path) -> dict[str, str]:
    store = pyoxigraph.Store()
    store.load(path=str(trig), format=pyoxigraph.RdfFormat.TRIG)
    rows = store.query("SELECT ?p ?n WHERE { GRAPH ?g { ?p <http://xmlns.com/foaf/0.1/name> ?n } }")
    return {row["p"].value.rsplit("/", 1)[-1]: row["n"].value for row in rows}


def test_names_in_any_script_round_trip_into_the_graph(runner: CliRunner, tmp_path: Path):
    data = _data_with(tmp_path, PEOPLE, (CORPUS / "ok-scripts.csv").read_bytes())
    out = tmp_path / "out"
    assert runner.invoke(main, ["build", "--data", str(data), "--out", str(out)]).exit_code == 0
    names = _names_in_graph(out / "bioeco.trig")
    assert names == {
        "kari-nordmann": "Kari Nordmann",
        "bjorn-aeroe": "Bjørn Ærø Åsen",
        "li-wei": "李伟",
        "olga": "Ольга Петрова",
        "amal": "أمل",
        "sami": "Áile Máret Gáisá",
        "quoted": 'He said "hi" <b> & \\ end',
    }
    # and back out through SPARQL as JSON, unchanged
    result = runner.invoke(
        main,
        [
            "query",
            "SELECT ?n WHERE { person:li-wei foaf:name ?n }",
            "--graph",
            str(out / "bioeco.trig"),
            "--format",
            "json",
        ],
    )
    assert result.output == '[{"n": "李伟"}]\n'


def test_minus_is_accepted_in_text_and_kept(runner: CliRunner, tmp_path: Path):
    data = _data_with(tmp_path, PEOPLE, (CORPUS / "ok-minus.csv").read_bytes())
    out = tmp_path / "out"
    args = ["build", "--data", str(data), "--out", str(out), "--no-validate"]
    assert runner.invoke(main, args).exit_code == 0
    assert _names_in_graph(out / "bioeco.trig")["minus-three"] == "-3 Bio"


SUBPROCESS_CASES = [c for c in CASES if c[0] in {"latin1", "nul-byte", "formula-equals", "utf16"}]


@pytest.mark.parametrize(
    ("case", "table", "expected"), SUBPROCESS_CASES, ids=[c[0] for c in SUBPROCESS_CASES]
)
def test_real_process_stderr_is_one_line(
    tmp_path: Path, out_dir: Path, case: str, table: str, expected: str
):
    data = _data_with(tmp_path, table, (CORPUS / f"{case}.csv").read_bytes())
    before = snapshot(out_dir)
    proc = subprocess.run(
        [str(BIOECO), "build", "--data", str(data), "--out", str(out_dir)],
        capture_output=True,
        cwd=tmp_path,  # data/... in messages is relative to the data folder's parent
        timeout=60,
        check=False,
    )
    assert proc.returncode == 1
    assert proc.stdout == b""
    assert proc.stderr.decode("utf-8") == f"Error: {expected}\n"
    assert b"Traceback" not in proc.stderr
    assert snapshot(out_dir) == before


def test_bioeco_console_script_exists():
    assert BIOECO.exists(), f"{BIOECO} missing: run make setup"
    assert (ROOT / "cli.py").exists()


def test_oversized_file_is_refused(
    runner: CliRunner, tmp_path: Path, out_dir: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr("bioeco.ingest.reader.MAX_FILE_BYTES", 1000)  # the other tables are smaller
    data = _data_with(tmp_path, PEOPLE, (CORPUS / "long-cell.csv").read_bytes())
    before = snapshot(out_dir)
    result = runner.invoke(main, ["build", "--data", str(data), "--out", str(out_dir)])
    _assert_clean_failure(result, f"{PEOPLE}: file is larger than 1000 bytes; refused")
    assert snapshot(out_dir) == before
