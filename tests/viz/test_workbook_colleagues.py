"""A workbook for colleagues: `bioeco export --to xlsx` over data/ read with openpyxl opens
with a Read-me sheet, has actors, initiatives and memberships sheets with names and sources,
and findings sheets that lead with rank, names and the explanation."""

from __future__ import annotations

import csv
import io

import pytest

from bioeco.core.paths import DATA_DIR
from bioeco.viz import exports as ex

openpyxl = pytest.importorskip("openpyxl")


@pytest.fixture(scope="module")
def workbook(tmp_path_factory):
    path = tmp_path_factory.mktemp("wb") / "bioeco.xlsx"
    ex.export("xlsx", path, data_dir=DATA_DIR)
    return openpyxl.load_workbook(path)


def _rows(ws):
    header = [c.value for c in ws[1]]
    return header, [dict(zip(header, r, strict=True)) for r in ws.iter_rows(2, values_only=True)]


def test_first_sheet_reads_me_the_sheets_terms_and_sources(workbook):
    assert workbook.sheetnames[:5] == ["Read me", "actors", "initiatives", "memberships", "sectors"]
    items = {r[0]: r[1] for r in workbook["Read me"].iter_rows(values_only=True) if r[0]}
    for sheet in workbook.sheetnames[1:]:
        assert items.get(sheet), f"the Read me does not say what {sheet} holds"
    assert "divided by" in items["Jaccard index"]  # glossary term in plain words
    assert items["btn-ar-2021"].startswith("Biotech North Annual Report 2021")
    assert items["dln-2017"].startswith("Digital biotechnology in Norway")


def test_the_read_me_says_first_what_the_analyses_found(workbook):
    rows = [r[:2] for r in workbook["Read me"].iter_rows(values_only=True)]
    start = rows.index(("What the analyses found", "In plain words (the sheets give each finding)"))
    found = {}
    for name, text in rows[start + 1 :]:
        if not name:
            break
        found[name] = text
    assert start < rows.index(("Sheets", "What each holds"))
    # the tables' own summaries, as the report and the terminal give them (issue 20)
    assert found["gaps_structural"].startswith("No sector pair shares significantly fewer")
    assert "Benjamini–Hochberg" in found["gaps_coverage"]
    assert set(found) <= set(workbook.sheetnames)
    for text in found.values():
        assert "nan" not in text.split() and "None" not in text.split()


def test_actors_sheet_has_names_labels_and_sources_with_codes_at_the_right(workbook):
    header, rows = _rows(workbook["actors"])
    assert header[:7] == [
        "name",
        "Norwegian name",
        "type",
        "sectors",
        "value-chain stages",
        "regions",
        "sources",
    ]
    assert header[7:] == ["id", "type code", "sector codes", "stage codes", "region codes"]
    rcn = next(r for r in rows if r["id"] == "actor/forskningsradet")
    assert rcn["name"] == "Research Council of Norway"
    assert rcn["Norwegian name"] == "Norges forskningsråd"
    assert rcn["type"] == "Funding agency" and rcn["type code"] == "funding-agency"
    assert "btn-ar-2021 (Partnere; l. 62)" in rcn["sources"]
    aarja = next(r for r in rows if r["id"] == "actor/aarja-health")
    assert aarja["sectors"] == "Medicine and health" and aarja["regions"] == "Northern Norway"
    ws = workbook["actors"]
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref.startswith("A1:")


def test_memberships_sheet_says_who_is_in_what_with_years_source_and_locator(workbook):
    header, rows = _rows(workbook["memberships"])
    assert header[:9] == [
        "member",
        "member is",
        "role",
        "of",
        "from",
        "to",
        "observed in",
        "source",
        "locator",
    ]
    akva = next(r for r in rows if r["member id"] == "actor/akvaplan-niva")
    assert (akva["member"], akva["role"], akva["of"]) == (
        "Akvaplan-niva",
        "Member",
        "Biotech North",
    )
    assert akva["from"] == 2021 and isinstance(akva["from"], int)
    assert (akva["source"], akva["locator"]) == ("btn-ar-2021", "Medlemmer; l. 15, 68")
    assert {r["member is"] for r in rows} == {"actor", "initiative", "person"}
    _, initiatives = _rows(workbook["initiatives"])
    assert any(r["name"] == "Biotech North" for r in initiatives)


def test_findings_sheets_lead_with_rank_names_and_explanation_in_words(workbook):
    header, rows = _rows(workbook["bridges_actors"])
    assert header[:4] == ["rank", "name", "explanation", "score"]
    assert [r["rank"] for r in rows] == sorted(r["rank"] for r in rows)
    assert rows[0]["name"] == "SINTEF"  # actors first; funders and clusters are ranked apart
    assert all(isinstance(r["score"], int | float) for r in rows[:2])
    header, rows = _rows(workbook["gaps_coverage"])
    assert [r["rank"] for r in rows] == list(range(1, len(rows) + 1))
    assert rows[0]["sector"] == "Marine industries"  # the first cell: marine initiatives at data
    for name in workbook.sheetnames[5:-2]:
        header, rows = _rows(workbook[name])
        assert not [h for h in header if "_" in h], name
        assert "explanation" in header[:6], name
        for row in rows:  # names, not ids, in list cells
            for key, value in row.items():
                if isinstance(value, str) and "|" in value:
                    assert "actor/" not in value and "initiative/" not in value, (name, key)
    pairs = workbook["bridges_pairs"]
    assert pairs["D2"].alignment.wrap_text
    score = next(c for c in pairs[2] if isinstance(c.value, float))
    assert score.number_format.startswith("0.")


def test_actors_per_sector_are_one_count_in_the_workbook_and_the_report(workbook):
    from bioeco.analyses.project import load_network
    from bioeco.analyses.sectors import COUNT_DEFINITION, sector_counts
    from bioeco.ingest.build import build_dataset
    from bioeco.viz.report_data import _sector_table

    net = load_network(build_dataset(DATA_DIR))
    helper = dict(zip(sector_counts(net)["sector"], sector_counts(net)["actors"], strict=True))
    _, rows = _rows(workbook["sectors"])
    sheet = {r["sector code"]: r["actors"] for r in rows}
    report = _sector_table(net)
    page = dict(zip(report["sector"], report["actors"], strict=True))
    assert sheet == helper
    assert {k: v for k, v in page.items() if k in helper} == {
        k: v for k, v in helper.items() if k in page
    }
    assert sheet["agri-food"] == 13
    # the command line gives the same count, with the same definition under it
    from click.testing import CliRunner

    from cli import main

    printed = CliRunner().invoke(
        main, ["stats", "--data", str(DATA_DIR), "--table", "sectors", "--format", "csv"]
    )
    assert printed.exit_code == 0, printed.output
    rows = csv.DictReader(io.StringIO(printed.stdout))
    assert {r["sector"]: int(r["actors"]) for r in rows} == sheet
    shown = CliRunner().invoke(main, ["stats", "--data", str(DATA_DIR), "--table", "sectors"])
    assert " ".join(COUNT_DEFINITION.split()) in " ".join(shown.stdout.split())
    items = {r[0]: r[1] for r in workbook["Read me"].iter_rows(values_only=True) if r[0]}
    assert items["How sectors are counted"] == COUNT_DEFINITION
