"""bioeco.Ecosystem: counts on the tiny fixture and an HTML summary that escapes every label."""

from __future__ import annotations

import html
from html.parser import HTMLParser
from pathlib import Path

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import SKOS

import bioeco
from bioeco.analyses._fixture import example_graph
from bioeco.core.vocab import BID

HOSTILE = "<img src=x onerror=\"alert(1)\"> & <script>alert('x')</script>"


class _Tags(HTMLParser):
    """Every start tag and the text of a piece of HTML."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)

    def handle_data(self, data):
        self.text.append(data)


def _parse(markup: str) -> _Tags:
    parser = _Tags()
    parser.feed(markup)
    parser.close()
    return parser


@pytest.fixture(scope="module")
def tiny_eco():
    return bioeco.Ecosystem.build(Path(__file__).parent / "fixtures" / "tiny")


def test_totals_and_plain_repr(tiny_eco):
    assert tiny_eco.totals() == {
        "actors": 4,
        "initiatives": 3,
        "memberships": 9,
        "people": 1,
        "sources": 2,
    }
    assert repr(tiny_eco) == (
        "Ecosystem: 4 actors, 3 initiatives, 9 memberships, 1 people, 2 source documents"
    )


def test_sources_count_what_each_document_gave(tiny_eco):
    frame = tiny_eco.sources()
    rows = {r.source: r for r in frame.itertuples(index=False)}
    assert rows["src-a"].title == "Annual report North Cluster 2021"  # English title first
    assert (rows["src-a"].issued, rows["src-a"].actors, rows["src-a"].memberships) == (
        "2022",
        4,
        8,
    )
    assert (rows["src-b"].issued, rows["src-b"].memberships, rows["src-b"].figures) == (
        "2017",
        1,
        2,
    )


def test_kinds_use_readable_type_names(tiny_eco):
    kinds = tiny_eco.kinds()
    assert kinds.to_dict("records")[:2] == [
        {"kind": "actor", "type": "Company", "count": 2},
        {"kind": "actor", "type": "Municipality", "count": 1},
    ]
    assert kinds["count"].sum() == 7


def test_sectors_and_by_year_are_the_library_tables(tiny_eco):
    sectors = tiny_eco.sectors().set_index("sector")
    assert sectors.loc["marine", ["actors", "initiatives", "memberships"]].tolist() == [1, 1, 2]
    assert sectors.loc["none", "actors"] == 3
    years = tiny_eco.by_year([2021])
    assert years["year"].unique().tolist() == [2021]


def test_html_summary_shows_the_counts(tiny_eco):
    page = tiny_eco._repr_html_()
    text = " ".join(_parse(page).text)
    assert "4 actors, 3 initiatives, 9 memberships" in text
    for caption in ("Source documents", "Types of actors", "Types of initiatives", "Sectors"):
        assert caption in text
    assert "Annual report North Cluster 2021" in text and "Marine industries" in text
    assert "nan" not in text.lower().split() and "None" not in text


def test_html_summary_escapes_hostile_labels(tiny_dir: Path):
    sources = tiny_dir / "sources.csv"
    text = sources.read_text(encoding="utf-8")
    quoted = '"' + HOSTILE.replace('"', '""') + '"'
    sources.write_text(text.replace("Annual report North Cluster 2021", quoted), encoding="utf-8")
    eco = bioeco.Ecosystem.build(tiny_dir)
    assert HOSTILE in eco.sources()["title"].tolist()  # the data keeps it as written
    page = eco._repr_html_()
    assert html.escape(HOSTILE, quote=True) in page
    tags = set(_parse(page).tags)
    assert not tags & {"img", "script"}
    assert 'onerror="' not in page


def test_html_summary_escapes_hostile_type_and_sector_labels():
    graph = example_graph()
    graph.set((URIRef(f"{BID}concept/sector/marine"), SKOS.prefLabel, Literal(HOSTILE, lang="en")))
    company = URIRef(f"{BID}concept/actor-type/company")
    graph.add((company, SKOS.prefLabel, Literal(HOSTILE)))
    graph.add((company, SKOS.inScheme, URIRef(f"{BID}scheme/actor-type")))
    page = bioeco.Ecosystem(graph)._repr_html_()
    assert page.count(html.escape(HOSTILE, quote=True)) >= 2
    assert not set(_parse(page).tags) & {"img", "script"}


def test_ecosystem_wraps_only_graphs():
    with pytest.raises(bioeco.UsageError, match="wraps an rdflib Graph"):
        bioeco.Ecosystem("data/")


def test_open_reads_a_graph_file(tiny_dataset, tmp_path: Path):
    files = bioeco.write_outputs(tiny_dataset, tmp_path)
    eco = bioeco.Ecosystem.open(files["trig"])
    assert eco.totals()["actors"] == 4
    assert len(eco.select("SELECT ?x WHERE { ?x a bioeco:Cluster }")) == 1
    assert set(eco.analyses(["overlap"], min_shared=1)) == {"overlap_pairs"}
    assert eco.network(as_of=2017).as_of == 2017
