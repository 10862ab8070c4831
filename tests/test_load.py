"""The loader: typed records from the tables; one clear error line per kind of bad input."""

from __future__ import annotations

from pathlib import Path

import pytest

from bioeco.errors import DataError
from bioeco.ingest.load import check_orgnr, load_records, parse_date


def test_tiny_records_are_typed_and_sorted(tiny_records):
    counts = tiny_records.counts()
    assert counts["actors"] == 4
    assert counts["memberships"] == 9
    assert counts["observations"] == 2
    alpha = next(a for a in tiny_records.actors if a.id == "alpha")
    assert alpha.aliases == ("Alpha", "Alpha Marine")
    assert alpha.orgnr == "923609016"
    assert alpha.basis == "stated"  # empty basis means stated
    assert [a.id for a in tiny_records.actors] == sorted(a.id for a in tiny_records.actors)
    obs = next(o for o in tiny_records.observations if o.id == "relevance-all")
    assert obs.percent == 81.0


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture does not contain {old!r}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


CASES = [
    # (file, old, new, expected message)
    (
        "src-a/actors.csv",
        "alpha,Alpha Marin AS",
        "Alpha,Alpha Marin AS",
        "data/src-a/actors.csv, row 2, field id: 'Alpha' is not a valid id "
        "(lowercase a-z, 0-9 and single hyphens, e.g. 'uit')",
    ),
    (
        "src-a/actors.csv",
        ",company,Alpha|Alpha Marine",
        ",firm,Alpha|Alpha Marine",
        "data/src-a/actors.csv, row 2, field type: unknown actor-type code 'firm' (known: ",
    ),
    (
        "src-a/actors.csv",
        "923609016",
        "923609017",
        "data/src-a/actors.csv, row 2, field orgnr: '923609017' is not a valid organisation "
        "number (9 digits, mod-11)",
    ),
    (
        "src-a/memberships.csv",
        "alpha,north-cluster,member",
        "alfa,north-cluster,member",
        "data/src-a/memberships.csv, row 2, field member: unknown actor, person or initiative id "
        "'alfa'",
    ),
    (
        "src-a/memberships.csv",
        "2021-09-01,2021-12-31",
        "2021-09-01,2021-08-31",
        "data/src-a/memberships.csv, row 9, field end: end 2021-08-31 is before start 2021-09-01",
    ),
    (
        "src-a/initiatives.csv",
        "2021-11-15,2021-11-16",
        "2021-11-15,2021-02-30",
        "data/src-a/initiatives.csv, row 3, field end: '2021-02-30' is not a real date",
    ),
    (
        "src-a/classifications.csv",
        "north-cluster,sector,marine",
        "north-cluster,sector,maritime",
        "data/src-a/classifications.csv, row 2, field concept: unknown sector code 'maritime'",
    ),
    (
        "src-a/classifications.csv",
        "north-cluster,sector,marine,stated",
        "north-cluster,sector,marine,guessed",
        "data/src-a/classifications.csv, row 2, field basis: 'guessed' is not a basis "
        "(use 'stated', 'inferred' or 'external')",
    ),
    (
        "src-a/people.csv",
        "Administrasjon; l. 5",
        "Administrasjon",
        "data/src-a/people.csv, row 2, field locator: 'Administrasjon' has no line reference "
        "('l. N' or 'l. N-M')",
    ),
    (
        "src-a/people.csv",
        "kari-nordmann,Kari Nordmann",
        "kari-nordmann,=HYPERLINK(1)",
        "data/src-a/people.csv, row 2, field name: starts with a spreadsheet formula character",
    ),
    (
        "src-a/people.csv",
        "id,name,source,locator,note",
        "id,name,source,locator,note,colour",
        "data/src-a/people.csv, row 1, field colour: unknown column (expected: id, name, source, "
        "locator, note)",
    ),
    (
        "src-a/people.csv",
        "id,name,source,locator,note",
        "id,source,locator,note",
        "data/src-a/people.csv, row 1, field name: required column is missing",
    ),
    (
        "src-b/observations.csv",
        ",yes,81,",
        ",yes,181,",
        "data/src-b/observations.csv, row 2, field percent: '181' is not a percentage between "
        "0 and 100",
    ),
    (
        "src-b/aliases.csv",
        "beta-institute,BETA,src-b",
        "beta-institute,BETA,src-c",
        "data/src-b/aliases.csv, row 2, field source: unknown source id (see sources.csv) 'src-c'",
    ),
]


@pytest.mark.parametrize(("file", "old", "new", "expected"), CASES)
def test_bad_cell_names_file_row_and_field(tiny_dir, file, old, new, expected):
    _edit(tiny_dir / file, old, new)
    with pytest.raises(DataError) as info:
        load_records(tiny_dir)
    assert str(info.value).startswith(expected)
    assert "\n" not in str(info.value)


def test_duplicate_id_across_files_names_both(tiny_dir):
    with open(tiny_dir / "src-b" / "actors.csv", "w", encoding="utf-8") as fh:
        fh.write("id,label,type,source,locator\nalpha,Alpha again,company,src-b,l. 3\n")
    with pytest.raises(DataError) as info:
        load_records(tiny_dir)
    assert str(info.value) == (
        "data/src-b/actors.csv, row 2, field id: duplicate id 'alpha' "
        "(first defined in data/src-a/actors.csv, row 2)"
    )


def test_latin1_file_is_refused_with_row(tiny_dir):
    path = tiny_dir / "src-a" / "people.csv"
    path.write_bytes("id,name,source,locator\nper,Per Ås,src-a,l. 4\n".encode("latin-1"))
    with pytest.raises(DataError) as info:
        load_records(tiny_dir)
    assert str(info.value) == (
        "data/src-a/people.csv, row 2: not valid UTF-8 (byte 0xc5); save the file as UTF-8"
    )


def test_bom_is_accepted(tiny_dir):
    path = tiny_dir / "src-a" / "people.csv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    records = load_records(tiny_dir)
    assert [p.id for p in records.people] == ["kari-nordmann"]


def test_semicolon_file_is_refused(tiny_dir):
    path = tiny_dir / "src-a" / "people.csv"
    path.write_text("id;name;source;locator\nper;Per;src-a;l. 4\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"people\.csv, row 1: header is not comma-separated"):
        load_records(tiny_dir)


def test_empty_file_is_refused(tiny_dir):
    (tiny_dir / "src-a" / "people.csv").write_text("", encoding="utf-8")
    with pytest.raises(DataError, match=r"people.csv: file is empty"):
        load_records(tiny_dir)


def test_missing_sources_file(tmp_path):
    with pytest.raises(DataError, match=r"missing sources\.csv"):
        load_records(tmp_path)


def test_ragged_row_is_refused(tiny_dir):
    path = tiny_dir / "src-a" / "people.csv"
    path.write_text("id,name,source,locator\nper,Per,src-a\n", encoding="utf-8")
    with pytest.raises(DataError) as info:
        load_records(tiny_dir)
    assert str(info.value) == (
        "data/src-a/people.csv, row 2: has 3 cells but the header has 4 columns"
    )


def test_norwegian_and_other_scripts_are_kept(tiny_dir):
    path = tiny_dir / "src-a" / "people.csv"
    path.write_text(
        "id,name,source,locator\nbjorn-aeroe,Bjørn Ærø Åsen,src-a,l. 4\nli-wei,李伟,src-a,l. 5\n"
        "kari-nordmann,Kari Nordmann,src-a,l. 6\n",
        encoding="utf-8",
    )
    names = {p.id: p.name for p in load_records(tiny_dir).people}
    assert names == {
        "bjorn-aeroe": "Bjørn Ærø Åsen",
        "li-wei": "李伟",
        "kari-nordmann": "Kari Nordmann",
    }


@pytest.mark.parametrize(
    ("value", "ok"),
    [("923609016", True), ("923609017", False), ("12345678", False), ("abcdefghi", False)],
)
def test_orgnr_check_digit(value, ok):
    assert check_orgnr(value) is ok


def test_parse_date_precision():
    assert parse_date("2021-12")[1].day == 31
    with pytest.raises(ValueError):
        parse_date("21-12-2021")


def test_figures_table(tiny_dir):
    path = tiny_dir / "src-a" / "figures.csv"
    path.write_text(
        "subject,measure,region,value,unit,source,locator,note\n"
        "enzyme-day,participants-from-region,nord-norge,37,percent,src-a,l. 101,\n"
        "enzyme-day,participants,,120,persons,src-a,l. 102,\n",
        encoding="utf-8",
    )
    figures = load_records(tiny_dir).figures
    assert [(f.measure, f.region, f.value) for f in figures] == [
        ("participants", "", 120.0),
        ("participants-from-region", "nord-norge", 37.0),
    ]
    path.write_text(
        "subject,measure,value,unit,source,locator\n"
        "enzyme-day,participants,137,percent,src-a,l. 1\n",
        encoding="utf-8",
    )
    with pytest.raises(DataError) as info:
        load_records(tiny_dir)
    assert str(info.value) == (
        "data/src-a/figures.csv, row 2, field value: 137 is not a percentage between 0 and 100"
    )


def _with_urls(data: Path, *urls: str) -> None:
    """Give sources.csv of *data* a ``url`` column with *urls* as its cells, row by row."""
    sources = data / "sources.csv"
    lines = sources.read_text(encoding="utf-8").splitlines()
    lines[0] += ",url"
    for k, url in enumerate(urls, start=1):
        lines[k] += f",{url}"
    sources.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("http://example.org/r.pdf", "'http://example.org/r.pdf' is not an https address"),
        ("example.org/r.pdf", "'example.org/r.pdf' is not an https address"),
        ("https://", "'https://' is not an https address"),
        ("https://[::1/r.pdf", "'https://[::1/r.pdf' is not an https address"),
        ("https://example.org/a b.pdf", "'https://example.org/a b.pdf' holds ' ', which an"),
        ("https://example.org/<r>", "'https://example.org/<r>' holds '<', which an address"),
        ("https://me:pw@example.org/r.pdf", "'https://me:pw@example.org/r.pdf' names a user or"),
    ],
)
def test_a_bad_source_url_names_file_row_and_field(tiny_dir, url, problem):
    _with_urls(tiny_dir, url, "")
    with pytest.raises(DataError) as info:
        load_records(tiny_dir)
    assert str(info.value).startswith(f"data/sources.csv, row 2, field url: {problem}")
    assert "\n" not in str(info.value)


def test_a_source_url_is_the_documents_foaf_page(tiny_dir):
    """The public address of a source becomes its foaf:page (an IRI, never fetched); the graph
    conforms to the shapes; a source without one has none."""
    from rdflib import URIRef

    from bioeco.core.vocab import BID, FOAF
    from bioeco.ingest.build import build_dataset
    from bioeco.validate.shacl import validate_graph

    url = "https://example.org/årsrapport-2021.pdf?lang=nb#p3"
    _with_urls(tiny_dir, url, "")
    records = load_records(tiny_dir)
    assert [s.url for s in records.sources] == [url, ""]
    dataset = build_dataset(records=records)
    pages = {(s, o) for s, _p, o, _g in dataset.quads((None, FOAF.page, None, None))}
    assert pages == {(BID["source/src-a"], URIRef(url))}
    report = validate_graph(dataset)
    assert report.conforms, report.text()
