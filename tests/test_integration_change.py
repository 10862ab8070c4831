"""Integration: 'what changed between the two reports' on the real data/."""

from __future__ import annotations

import pytest

from bioeco.analyses.change import CHANGE_TABLES, compare_years
from bioeco.analyses.valuechain import flag_words
from bioeco.core.paths import DATA_DIR
from bioeco.ingest.build import build_dataset


@pytest.fixture(scope="module")
def dataset():
    return build_dataset(DATA_DIR)


@pytest.fixture(scope="module")
def national(dataset):
    return compare_years(dataset, 2017, 2021, scope="all")


@pytest.fixture(scope="module")
def default(dataset):
    return compare_years(dataset, 2017, 2021)


def _row(frame, subject):
    rows = frame[frame["subject"] == subject].to_dict("records")
    assert len(rows) == 1, subject
    return rows[0]


def test_default_scope_is_the_northern_area(default):
    for name in CHANGE_TABLES:
        assert set(default[name]["scope"]) <= {"region nord-norge (Northern Norway) and below"}
    frame = default["change_continuity"]
    assert _row(frame, "actor/uit")["status"] == "both"
    assert "actor/iris" not in set(frame["subject"])  # Stavanger: outside the compared area


def test_stated_successions_carry_their_source(national):
    frame = national["change_continuity"]
    genok = _row(frame, "actor/genok")
    assert genok["successors"] == ("actor/norce",)
    assert "btn-ar-2021, Medlemmer; l. 71" in genok["evidence"]
    vet = _row(frame, "actor/norges-veterinaerhogskole")
    assert (vet["status"], vet["difference"], vet["successors"]) == (
        "only-earlier",
        "stated",
        ("actor/nmbu",),
    )


def test_unstated_succession_only_as_external_with_citation(dataset, national):
    iris = _row(national["change_continuity"], "actor/iris")
    assert (iris["difference"], iris["successors"]) == ("external", ("actor/norce",))
    assert "norceresearch.no" in iris["citation"]
    text_only = compare_years(dataset, 2017, 2021, scope="all", basis="inferred")
    iris = _row(text_only["change_continuity"], "actor/iris")
    assert (iris["difference"], iris["successors"], iris["citation"]) == ("not-observed", (), "")


def test_renamed_cluster_is_one_organisation(national):
    heidner = _row(national["change_continuity"], "initiative/heidner-biocluster")
    assert heidner["status"] == "both"
    assert "Arena Heidner" in heidner["names_from"]
    assert "NCE Heidner Biocluster" in heidner["names_to"]


def test_absence_is_not_evidence(national):
    frame = national["change_continuity"]
    missing = frame[frame["difference"] == "not-observed"]
    assert len(missing) > 50
    assert missing["explanation"].str.contains("no evidence").all()
    summary = national["change_summary"]
    rows = summary[summary["table"] == "change_continuity"]
    assert set(rows["difference"]) >= {"none", "stated", "external", "not-observed"}
    assert rows["count"].sum() == len(frame)


def test_cluster_scope_new_members_are_stated(dataset):
    frame = compare_years(dataset, 2017, 2021, scope="cluster:biotech-north")["change_continuity"]
    polar = _row(frame, "actor/polar-algae")  # marked as a new member in 2021
    assert (polar["status"], polar["difference"]) == ("only-later", "stated")
    olivita = _row(frame, "actor/olivita")  # a member, not marked new
    assert olivita["difference"] == "not-observed"


def test_every_row_is_explained_without_reprs(national):
    for name, frame in national.items():
        assert len(frame) > 0, name
        text = " ".join(frame["explanation"])
        for bad in ("nan", "None", "()", "[]"):
            assert f" {bad} " not in f" {text} ".replace(",", " "), (name, bad)


def test_coverage_shift_reads_flags_as_words(default):
    """The explanation says "thin and uncertain"; the flag columns keep their codes."""
    cov = default["change_coverage"]
    several = cov[cov["flag_to"].str.contains("|", regex=False)]
    assert len(several) > 0  # data/ has cells both thin and uncertain in 2021
    for row in cov.to_dict("records"):
        assert "|" not in row["explanation"]
        if row["flag_from"] != row["flag_to"]:
            assert f"flag {flag_words(row['flag_from'])} in 2017," in row["explanation"]
    assert "thin and uncertain in 2021" in " ".join(several["explanation"])
