"""Integration: the real data/ builds, conforms, and answers questions the sources settle."""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from pathlib import Path

import pyoxigraph
import pytest

from bioeco.core.paths import DATA_DIR, QUERIES_DIR, SEEDS_DIR
from bioeco.ingest.build import build_dataset
from bioeco.ingest.export import write_outputs
from bioeco.ingest.load import load_records
from bioeco.store.query import select
from bioeco.validate.shacl import validate_graph

BTN = SEEDS_DIR / "biotech-north-annual-report-2021.txt"
needs_seeds = pytest.mark.skipif(
    not BTN.exists(),
    reason="source texts absent (../shared/seeds or BIOECO_SEEDS; see data/README.md)",
)


def line_ranges(locator: str) -> list[tuple[int, int]]:
    """Every line range a locator cites, e.g. "l. 10-12, 15" → [(10, 12), (15, 15)]."""
    ranges = []
    for part in re.findall(r"\bl\. ?([0-9–\-, ]+)", locator):
        for a, b in re.findall(r"(\d+)(?:\s*[-–]\s*(\d+))?", part):
            ranges.append((int(a), int(b or a)))
    return ranges


def test_line_ranges():
    assert line_ranges("p. 5; l. 10-12, 15 / p. 6; l. 20") == [(10, 12), (15, 15), (20, 20)]


@pytest.fixture(scope="module")
def records():
    return load_records(DATA_DIR)


@pytest.fixture(scope="module")
def dataset(records):
    return build_dataset(records=records)


def test_real_data_conforms(dataset):
    report = validate_graph(dataset)
    assert report.conforms, report.text(limit=20)
    # the sources say things about concepts (a sector centred in a region) but define none
    assert report.ignored == 0, report.text()


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
    tables = ("actors", "people", "initiatives", "memberships", "classifications", "changes")
    tables += ("aliases", "datasets", "observations")
    for table in tables:
        for rec in getattr(records, table):
            for first, last in line_ranges(rec.locator):
                assert 1 <= first <= last <= lengths[rec.source], (table, rec)


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


DLN = SEEDS_DIR / "digital-biotechnology-in-norway-2017.txt"


@needs_seeds
def test_twelve_dln_projects_with_host_and_leader(dataset):
    text = DLN.read_text(encoding="utf-8")
    stated = {int(n) for n in re.findall(r"(\d+) store forskningsprosjekter", text)}
    frame = select(
        dataset,
        """SELECT ?p (COUNT(DISTINCT ?host) AS ?hosts) (COUNT(DISTINCT ?lead) AS ?leads) WHERE {
             ?p a bioeco:Project ; dcterms:isPartOf initiative:digitalt-liv-norge .
             ?h org:organization ?p ; org:role role:host ; org:member ?host .
             ?l org:organization ?p ; org:role role:project-leader ; org:member ?lead .
             ?lead a foaf:Person }
           GROUP BY ?p""",
    )
    assert stated == {12}
    assert len(frame) == 12
    assert (frame["hosts"] >= 1).all() and (frame["leads"] == 1).all()


@needs_seeds
def test_survey_sample_size_and_response_rate(records):
    text = DLN.read_text(encoding="utf-8")
    answers = int(re.search(r"Totalt mottok vi (\d+) svar", text).group(1))
    invited = int(re.search(r"sendt ut til (\d+) respondenter", text).group(1))
    rate = int(re.search(r"Responsraten var på (\d+) prosent", text).group(1))
    survey = next(d for d in records.datasets if d.id == "dln-2017-survey")
    assert survey.sample_size == answers == 135
    assert round(100 * answers / invited) == rate


@needs_seeds
def test_every_survey_percentage_is_printed_in_the_source(records):
    lines = DLN.read_text(encoding="utf-8").splitlines()
    for obs in records.observations:
        cited = "\n".join("\n".join(lines[a - 1 : b]) for a, b in line_ranges(obs.locator))
        assert re.search(rf"(?<!\d){obs.percent:g} ?%", cited), (obs.id, obs.locator)


def test_every_fact_node_has_provenance(dataset):
    frame = select(
        dataset,
        """SELECT ?x WHERE {
             VALUES ?class { org:Membership bioeco:ClassificationAssertion qb:Observation
                             org:ChangeEvent }
             ?x a ?class .
             FILTER NOT EXISTS { ?x prov:wasDerivedFrom ?src . ?src a bioeco:SourceDocument .
                                 ?x bioeco:locator ?loc } }""",
    )
    assert frame.empty, frame.head()


def test_inferred_facts_are_marked_and_separable(dataset):
    frame = select(
        dataset,
        """SELECT ?basis (COUNT(*) AS ?n) WHERE { ?a a bioeco:ClassificationAssertion ;
             bioeco:basis ?basis } GROUP BY ?basis""",
    )
    counts = {b.rsplit("#", 1)[-1]: int(n) for b, n in zip(frame["basis"], frame["n"], strict=True)}
    assert counts["stated"] > 0 and counts["inferred"] > 0


def test_regional_centres_of_gravity(dataset):
    frame = select(
        dataset,
        """SELECT ?s ?r WHERE { ?c a bioeco:SectorCentre ; bioeco:sector ?sc ; bioeco:region ?rc ;
             bioeco:basis bioeco:stated ; prov:wasDerivedFrom source:dln-2017 .
             ?sc skos:notation ?s . ?rc skos:notation ?r }""",
    )
    pairs = {(str(s), str(r)) for s, r in zip(frame["s"], frame["r"], strict=True)}
    assert {("health", "oslo-region"), ("marine", "tromso"), ("agri-food", "hamar-region")} <= pairs


@needs_seeds
def test_every_stated_figure_is_printed_in_the_cited_lines(records):
    assert len(records.figures) >= 8
    for fig in records.figures:
        source = next(s for s in records.sources if s.id == fig.source)
        lines = (SEEDS_DIR / source.file).read_text(encoding="utf-8").splitlines()
        cited = "\n".join("\n".join(lines[a - 1 : b]) for a, b in line_ranges(fig.locator))
        cited = re.sub(r"(?<=\d) (?=\d{3}\b)", "", cited)  # Norwegian thousands: "60 000"
        words = {2: "to", 3: "tre", 4: "fire", 5: "fem", 12: "tolv"}
        if fig.unit == "nok" and fig.value >= 1e9:
            shown = rf"{fig.value / 1e9:g} mrd"
        elif fig.unit == "nok" and fig.value >= 1e6:
            shown = rf"{fig.value / 1e6:g} mill"
        elif fig.value in words:
            shown = rf"(?<!\d){fig.value:g}\b|\b{words[int(fig.value)]}\b"
        else:
            shown = rf"(?<!\d){fig.value:g}\.?( ?%)?"
        assert re.search(shown, cited), (fig, cited)


def test_stated_figures_are_data_cube_observations(dataset):
    frame = select(
        dataset,
        """SELECT ?value ?unit WHERE { ?f a bioeco:StatedFigure ; qb:dataSet ?d ;
             bioeco:figureOf initiative:klyngesamling-2021 ;
             bioeco:figureMeasure <https://w3id.org/bioeco/id/concept/figure-measure/participants> ;
             bioeco:value ?value ; bioeco:unit ?unit .
             ?d qb:structure <https://w3id.org/bioeco/id/dsd/figures> }""",
    )
    assert frame.to_dict("records") == [
        {"value": 85, "unit": "https://w3id.org/bioeco/id/concept/unit/persons"}
    ]


@pytest.mark.parametrize("path", sorted(QUERIES_DIR.glob("*.rq")), ids=lambda p: p.stem)
def test_every_example_query_answers_on_the_real_data(dataset, path):
    frame = select(dataset, path.read_text(encoding="utf-8"))
    assert len(frame) > 0
