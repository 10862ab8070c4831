"""Integration: bioeco extract on the two real source documents, and the review loop on a copy
of the real data/ (accepted rows load, build and conform)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bench.extract_quality import report
from bioeco.core.paths import DATA_DIR, SEEDS_DIR
from bioeco.extract import extract_report
from bioeco.extract.accept import SourceInfo, accept_proposals
from bioeco.extract.quality import gold_memberships, gold_organisations, measure
from bioeco.ingest.build import build_dataset
from bioeco.ingest.load import load_records
from bioeco.validate.shacl import validate_graph

SOURCES = ("btn-ar-2021", "dln-2017")
needs_seeds = pytest.mark.skipif(
    not (SEEDS_DIR / "biotech-north-annual-report-2021.txt").exists(),
    reason="source texts absent (../shared/seeds or BIOECO_SEEDS; see data/README.md)",
)


@needs_seeds
@pytest.mark.parametrize("source", SOURCES)
def test_organisation_recall_at_least_95_percent(source):
    q = measure(source)
    assert q.organisations >= 50  # the gold set is the real one, not an empty set
    assert q.organisation_recall >= 0.95, q.missed_organisations


@needs_seeds
@pytest.mark.parametrize("source", SOURCES)
def test_membership_proposals_are_measured_and_useful(source):
    q = measure(source)
    assert q.memberships == len(gold_memberships(load_records(), source)) > 50
    # recorded memberships are found among the proposals, with locators, in both documents
    assert q.membership_recall >= 0.3
    assert 0 < q.membership_precision <= 1
    assert q.roles_agreeing >= 1


@needs_seeds
def test_quality_report_prints_both_settings():
    text = report()
    for source in SOURCES:
        assert f"| {source} | known |" in text and f"| {source} | held-out |" in text


@needs_seeds
def test_btn_member_list_becomes_member_and_partner_proposals():
    records = load_records()
    x = extract_report(SEEDS_DIR / "biotech-north-annual-report-2021.txt", "btn-ar-2021")
    got = {(p.member, p.organization, p.role): p for p in x.proposals if p.kind == "membership"}
    assert got[("nofima", "biotech-north", "member")].locator.startswith("l. 36")
    assert ("siva", "biotech-north", "partner") in got
    assert "Norinnova" in got[("norinnova", "biotech-north", "member")].passage
    assert gold_organisations(records, "btn-ar-2021") <= {
        p.subject for p in x.proposals if p.kind == "mention"
    }


def test_accepted_rows_build_and_conform(tmp_path: Path):
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    report_file = tmp_path / "btn-2022.txt"
    report_file.write_text(
        "Årsrapport 2022\n\nNofima og Norinnova var partnere i WebiMar i 2022.\n"
        "Vi samarbeidet også med Havbruk Nord AS.\n",
        encoding="utf-8",
    )
    props = tmp_path / "proposals.csv"
    x = extract_report(report_file, "btn-ar-2022", data_dir=data, out=props)
    lines = props.read_text("utf-8").splitlines()
    header = lines[0].split(",")
    assert header[0] == "status" and x.counts()["membership"] >= 2
    accepted = [ln.replace("proposed,", "accepted,", 1) for ln in lines[1:]]
    props.write_text("\n".join([lines[0], *accepted]) + "\n", "utf-8")
    text = props.read_text("utf-8").replace(
        ",havbruk-nord-as,Havbruk Nord AS,,", ",havbruk-nord-as,Havbruk Nord AS,company,"
    )
    props.write_text(text, "utf-8")
    result = accept_proposals(
        props,
        data_dir=data,
        source=SourceInfo("Biotech North Årsrapport 2022", "2023", "biotech-north"),
    )
    assert result.created_source and result.written["memberships"] >= 2
    records = load_records(data)
    assert any(a.id == "havbruk-nord-as" for a in records.actors)
    report_ok = validate_graph(build_dataset(records=records))
    assert report_ok.conforms, report_ok.text()
