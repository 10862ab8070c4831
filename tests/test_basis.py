"""The third basis (external, with a citation), part-of bases, value qualifiers, source years."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Literal

from bioeco.analyses.project import load_network
from bioeco.core.vocab import BID, BIOECO, DCTERMS, XSD
from bioeco.errors import DataError, UsageError
from bioeco.ingest.build import build_dataset
from bioeco.ingest.load import load_records
from bioeco.store.query import select
from bioeco.validate.shacl import validate_graph


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture does not contain {old!r}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _append(path: Path, line: str) -> None:
    with path.open("a", encoding="utf-8") as fh:
        fh.write(line + "\n")


@pytest.fixture
def external_dir(tiny_dir: Path) -> Path:
    """tiny data with one external classification (cited), an external part-of link, a
    lower-bound survey share and the year/area each source covers."""
    cls = tiny_dir / "src-a" / "classifications.csv"
    _edit(
        cls,
        "subject,scheme,concept,basis,source,locator,note",
        "subject,scheme,concept,basis,source,locator,note,citation",
    )
    text = cls.read_text(encoding="utf-8").splitlines()
    cls.write_text("\n".join([text[0]] + [row + "," for row in text[1:]]) + "\n", encoding="utf-8")
    _append(
        cls,
        "alpha,region,tromso,external,src-a,Medlemmer; l. 15,Seat of the firm,"
        "Register of legal entities 2021",
    )
    actors = tiny_dir / "src-a" / "actors.csv"
    _edit(actors, "orgnr,basis,", "orgnr,part_of,part_of_basis,basis,")
    text = actors.read_text(encoding="utf-8").splitlines()
    rows = [text[0]]
    for row in text[1:]:
        cells = row.split(",")
        extra = ["beta-institute", "external"] if cells[0] == "gamma-old" else ["", ""]
        rows.append(",".join(cells[:6] + extra + cells[6:]))
    actors.write_text("\n".join(rows) + "\n", encoding="utf-8")
    _edit(actors, "type implied by context", "type implied by context; unit of Beta (rule R1)")
    obs = tiny_dir / "src-b" / "observations.csv"
    _edit(obs, "percent,sample_size", "percent,qualifier,sample_size")
    _edit(obs, "yes,81,,", "yes,81,lower-bound,,")
    _edit(obs, "capital,,,15,,", "capital,,,15,,,")
    sources = tiny_dir / "sources.csv"
    _edit(sources, "file,note", "file,covers,coverage,note")
    _edit(sources, "src-a.txt,", "src-a.txt,2021,troms-og-finnmark,")
    _edit(sources, "src-b.txt,", "src-b.txt,,norway,")
    return tiny_dir


def test_external_basis_loads_with_citation(external_dir: Path) -> None:
    records = load_records(external_dir)
    row = next(c for c in records.classifications if c.basis == "external")
    assert (row.subject, row.concept, row.citation) == (
        "alpha",
        "tromso",
        "Register of legal entities 2021",
    )
    gamma = next(a for a in records.actors if a.id == "gamma-old")
    assert (gamma.part_of, gamma.part_of_basis) == ("beta-institute", "external")
    assert next(a for a in records.actors if a.id == "alpha").part_of_basis == "stated"
    years = {s.id: (s.year, s.coverage) for s in records.sources}
    assert years == {"src-a": (2021, "troms-og-finnmark"), "src-b": (2017, "norway")}


def test_external_facts_in_the_graph(external_dir: Path) -> None:
    dataset = build_dataset(external_dir)
    node = BID["classification/src-a/alpha/region/tromso"]
    assert (node, BIOECO.basis, BIOECO.external) in dataset
    assert (
        node,
        DCTERMS.bibliographicCitation,
        Literal("Register of legal entities 2021"),
    ) in dataset
    part = BID["part-of/src-a/gamma-old"]
    assert (part, BIOECO.basis, BIOECO.external) in dataset
    assert (part, BIOECO.whole, BID["actor/beta-institute"]) in dataset
    obs = BID["observation/survey/relevance-all"]
    assert (obs, BIOECO.valueQualifier, BIOECO.lowerBound) in dataset
    assert (BID["source/src-a"], DCTERMS.temporal, Literal("2021", datatype=XSD.gYear)) in dataset
    assert validate_graph(dataset).conforms


def test_every_part_of_link_has_a_basis(tiny_dataset) -> None:
    frame = select(
        tiny_dataset,
        """SELECT ?x ?basis WHERE { ?x dcterms:isPartOf|org:subOrganizationOf ?p .
             OPTIONAL { ?a bioeco:part ?x ; bioeco:whole ?p ; bioeco:basis ?basis } }""",
    )
    assert len(frame) == 1
    assert frame["basis"].tolist() == [str(BIOECO.stated)]


@pytest.mark.parametrize(
    ("basis", "regions"),
    [("all", ("tromso",)), ("external", ("tromso",)), ("inferred", ()), ("stated", ())],
)
def test_basis_levels_filter_external_classifications(external_dir, basis, regions) -> None:
    net = load_network(build_dataset(external_dir), basis=basis)
    assert net.attr(str(BID["actor/alpha"]), "regions") == regions
    sectors = net.attr(str(BID["actor/alpha"]), "sectors")  # alpha's marine row is inferred
    assert sectors == (() if basis == "stated" else ("marine",))


def test_unknown_basis_level_is_a_usage_error(tiny_dataset) -> None:
    with pytest.raises(UsageError, match="basis must be one of all, stated, inferred, external"):
        load_network(tiny_dataset, basis="guessed")


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "Seat of the firm,Register of legal entities 2021",
            "Seat of the firm,",
            None,
        ),
        (
            "external,src-a,Medlemmer; l. 15,Seat of the firm,Register of legal entities 2021",
            "external,src-a,Medlemmer; l. 15,,",
            "data/src-a/classifications.csv, row 7, field basis: an external fact needs a "
            "citation or a note saying where it comes from",
        ),
        (
            "tromso,external,src-a",
            "tromso,inferred,src-a",
            "data/src-a/classifications.csv, row 7, field citation: a citation backs only an "
            "external fact, but basis is 'inferred'",
        ),
        (
            "tromso,external,src-a",
            "tromso,assumed,src-a",
            "data/src-a/classifications.csv, row 7, field basis: 'assumed' is not a basis (use "
            "'stated', 'inferred' or 'external')",
        ),
    ],
)
def test_external_rows_need_support(external_dir, old, new, message) -> None:
    _edit(external_dir / "src-a" / "classifications.csv", old, new)
    if message is None:
        load_records(external_dir)  # a note alone is enough
        return
    with pytest.raises(DataError) as err:
        load_records(external_dir)
    assert str(err.value) == message


def test_part_of_basis_without_part_of_is_refused(external_dir) -> None:
    _edit(
        external_dir / "src-a" / "actors.csv",
        "alpha,Alpha Marin AS,,company,Alpha|Alpha Marine,923609016,,",
        "alpha,Alpha Marin AS,,company,Alpha|Alpha Marine,923609016,,inferred",
    )
    with pytest.raises(DataError) as err:
        load_records(external_dir)
    assert str(err.value) == (
        "data/src-a/actors.csv, row 2, field part_of_basis: is set but part_of is empty"
    )


def test_bad_qualifier_is_refused(external_dir) -> None:
    _edit(external_dir / "src-b" / "observations.csv", "lower-bound", "over")
    with pytest.raises(DataError) as err:
        load_records(external_dir)
    assert str(err.value) == (
        "data/src-b/observations.csv, row 2, field qualifier: 'over' is not a qualifier (use "
        "'lower-bound', 'upper-bound' or 'approximate')"
    )
