"""Integration: the real data/ builds, conforms, and answers questions the sources settle."""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from pathlib import Path

import pyoxigraph
import pytest

from graph.build import build_dataset
from graph.export import write_outputs
from graph.load import load_records
from graph.paths import DATA_DIR, QUERIES_DIR, SEEDS_DIR
from graph.query import select
from graph.validate import validate_graph

BTN = SEEDS_DIR / "biotech-north-annual-report-2021.txt"
needs_seeds = pytest.mark.skipif(not BTN.exists(), reason="../shared/seeds not present")


@pytest.fixture(scope="module")
def records():
    return load_records(DATA_DIR)


@pytest.fixture(scope="module")
def dataset(records):
    return build_dataset(records=records)


def test_real_data_conforms(dataset):
    report = validate_graph(dataset)
    assert report.conforms, report.text(limit=20)


def _btn_member_list() -> list[str]:
    lines = BTN.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("Akvaplan-niva"))
    end = next(i for i, line in enumerate(lines) if line.startswith("Partnere:"))
    return [line for line in lines[start:end] if line.strip()]


@needs_seeds
def test_members_in_2021_match_the_count_the_report_states(dataset):
    stated = int(re.search(r"bestod av (\d+) medlemmer i 2021", BTN.read_text()).group(1))
    frame = select(dataset, (QUERIES_DIR / "members-in-year.rq").read_text())
    assert len(frame) == stated == 37


@needs_seeds
def test_new_members_2021_are_the_starred_ones(dataset):
    starred = sum(1 for line in _btn_member_list() if line.rstrip().endswith("*"))
    frame = select(
        dataset,
        """SELECT ?member WHERE { ?m org:organization initiative:biotech-north ;
             org:role role:member ; org:member ?member ;
             org:memberDuring/time:hasBeginning/time:inXSDgYear ?y FILTER (YEAR(?y) = 2021) }""",
    )
    assert len(frame) == starred == 14


def test_genok_merged_into_norce(dataset):
    frame = select(
        dataset,
        """ASK { ?c a org:ChangeEvent ; org:originalOrganization actor:genok ;
                 org:resultingOrganization actor:norce ; dcterms:date ?d
                 FILTER (STR(?d) = "2021-11") }""",
    )
    assert bool(frame.loc[0, "ask"])


@needs_seeds
def test_every_locator_points_inside_its_source(records):
    files = {s.id: SEEDS_DIR / s.file for s in records.sources}
    lengths = {sid: len(p.read_text(encoding="utf-8").splitlines()) for sid, p in files.items()}
    for table in ("actors", "people", "initiatives", "memberships", "classifications", "changes"):
        for rec in getattr(records, table):
            for a, b in re.findall(r"\bl\. ?(\d+)(?:[-–](\d+))?", rec.locator):
                last = int(b or a)
                assert 1 <= int(a) <= last <= lengths[rec.source], (table, rec)


def _norm(label: str) -> str:
    text = unicodedata.normalize("NFKC", label).casefold()
    text = re.sub(r"\b(as|asa|sa|inc|ltd)\b\.?", " ", text)
    return re.sub(r"[^\w]+", " ", text).strip()


def test_no_two_actors_share_a_normalised_label_or_alias(records):
    owners: dict[str, set[str]] = defaultdict(set)
    for a in records.actors:
        for label in (a.label, a.label_en, *a.aliases):
            if label:
                owners[_norm(label)].add(a.id)
    for alias in records.aliases:
        owners[_norm(alias.alias)].add(alias.subject)
    actor_ids = {a.id for a in records.actors}
    clashes = {k: v for k, v in owners.items() if len(v & actor_ids) > 1}
    assert not clashes


def test_trig_parses_in_second_parser(dataset, tmp_path: Path):
    files = write_outputs(dataset, tmp_path)
    store = pyoxigraph.Store()
    store.load(path=str(files["trig"]), format=pyoxigraph.RdfFormat.TRIG)
    assert len(list(store.named_graphs())) >= 3
