"""Property-based tests of the loader and the IRI helpers (hypothesis)."""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

import pyoxigraph
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bioeco.core.vocab import BID, concept_iri, is_slug, slugify
from bioeco.errors import DataError
from bioeco.ingest.load import read_table
from bioeco.ingest.reader import _BLANK, _DISGUISE

SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
PEOPLE_HEADER = "id,name,source,locator,note\n"
IRI_UNSAFE = set(' <>"{}|^`\\') | {chr(c) for c in range(0x21)}

slugs = st.from_regex(r"[a-z0-9]{1,8}(-[a-z0-9]{1,8}){0,3}", fullmatch=True)
# text a person could type into a spreadsheet cell: any printable Unicode, not starting with
# a formula character, no surrounding whitespace (the loader trims cells)
# (minus the invisible and text-reordering characters the loader refuses on purpose)
names = (
    st.text(st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), min_size=1, max_size=40)
    .map(str.strip)
    .filter(lambda s: s and not s.startswith(("=", "+", "@")))
    .filter(lambda s: not _DISGUISE.search(s) and not _BLANK.fullmatch(s))
)


def _read(raw: bytes) -> list:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "people.csv"
        path.write_bytes(raw)
        return read_table(path, "people", display="people.csv")


@SETTINGS
@given(st.binary(max_size=300))
def test_arbitrary_bytes_only_ever_raise_data_error(raw: bytes):
    try:
        _read(raw)
    except DataError as exc:
        assert "\n" not in str(exc) and str(exc).startswith("people.csv")


@SETTINGS
@given(st.lists(st.lists(st.text(max_size=12), min_size=1, max_size=6), max_size=4))
def test_arbitrary_cells_only_ever_raise_data_error(rows: list[list[str]]):
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerows(rows)
    try:
        _read((PEOPLE_HEADER + buf.getvalue()).encode("utf-8"))
    except DataError as exc:
        assert "\n" not in str(exc) and str(exc).isprintable()


@SETTINGS
@given(st.text(max_size=60))
def test_arbitrary_text_under_a_valid_header_only_ever_raises_data_error(text: str):
    try:
        _read((PEOPLE_HEADER + text).encode("utf-8", "surrogatepass"))
    except DataError as exc:
        assert "\n" not in str(exc)


@SETTINGS
@given(
    st.dictionaries(slugs, st.tuples(names, names | st.just("")), min_size=1, max_size=5),
    st.sampled_from(["\n", "\r\n", "\r"]),
    st.booleans(),
)
def test_valid_rows_round_trip_unchanged(rows: dict, newline: str, bom: bool):
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator=newline, quoting=csv.QUOTE_MINIMAL)
    writer.writerow(["id", "name", "source", "locator", "note"])
    for pid, (name, note) in rows.items():
        writer.writerow([pid, name, "src-a", "l. 5", note])
    raw = (b"\xef\xbb\xbf" if bom else b"") + buf.getvalue().encode("utf-8")
    records = _read(raw)
    assert {r.id: (r.name, r.note) for r in records} == rows


@SETTINGS
@given(st.text(max_size=60))
def test_slugify_gives_a_slug_or_nothing(text: str):
    slug = slugify(text)
    assert slug == "" or is_slug(slug)
    assert not set(slug) & IRI_UNSAFE and slug.isascii()


@SETTINGS
@given(st.text(max_size=30))
def test_accepted_ids_make_safe_iris(text: str):
    raw = f"{PEOPLE_HEADER}{text},Name,src-a,l. 5,\n".encode("utf-8", "surrogatepass")
    try:
        records = _read(raw)
    except DataError:
        return
    for rec in records:
        iri = str(BID[f"person/{rec.id}"])
        assert not set(iri) & IRI_UNSAFE and iri.isascii()
        pyoxigraph.NamedNode(iri)  # raises on an invalid IRI


@SETTINGS
@given(slugs, slugs)
def test_concept_iris_from_slugs_are_valid(scheme: str, code: str):
    iri = str(concept_iri(scheme, code))
    assert not set(iri) & IRI_UNSAFE
    pyoxigraph.NamedNode(iri)
