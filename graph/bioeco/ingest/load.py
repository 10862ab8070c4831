"""Read the CSV tables of ``data/`` into typed, validated records (clear errors, no guessing).

Every problem raises :class:`~bioeco.errors.DataError` with one line naming the file, the
spreadsheet row (header = row 1) and the field; nothing is ever silently repaired. What the
loader accepts and refuses, in the order it checks:

- **Files**: UTF-8 only (a leading BOM is accepted and dropped; Latin-1, UTF-16 and mixed
  encodings are refused naming the row of the first bad byte), at most :data:`MAX_FILE_BYTES`;
  line endings LF, CRLF or CR; an empty (or whitespace-only) file is refused, a file with only
  a header row is fine (no records).
- **CSV syntax**: comma-separated with ``"`` quoting (strict: an unbalanced quote is refused);
  a header of one column that contains ``;``, tab or ``|`` is refused as the wrong delimiter;
  unknown, duplicate and missing required columns are refused; a row with more or fewer cells
  than the header is refused. Blank rows are skipped.
- **Cells** (after trimming surrounding whitespace): at most :data:`MAX_CELL` characters; no
  control characters (C0 except tab/LF/CR inside a cell, DEL, C1, U+2028/U+2029; NUL
  included). Cells starting with ``=``, ``+`` or ``@`` are refused in *every* field: in a
  source table they are a spreadsheet formula or its residue, never a value. A leading ``-``
  is accepted (names such as "-3 Bio", notes such as "- see p. 4"); structured fields still
  have to pass their own check ("-5" is not a percentage, "-x" not an id). Defence in depth:
  every CSV that bioeco writes neutralises ``= + - @``, tab and CR again
  (:func:`bioeco.core.formats.neutralise`), whatever the graph holds.
- **Values**: ids are ASCII slugs (so IRIs built from them are always safe); codes must be
  notations of the concept schemes (and slugs even without an ontology); dates
  ``YYYY[-MM[-DD]]`` with ASCII digits and real calendar dates, end not before start; numbers
  are ASCII decimals (no ``1e2``, ``nan``, ``inf``, ``1_0``); every reference resolves and
  keys are unique across files. Free text (names, notes) keeps any other Unicode unchanged:
  Norwegian letters, other scripts, quotes, ``<`` ``>``, backslashes.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from bioeco.errors import DataError
from bioeco.ingest.cells import (
    BASES,
    QUALIFIERS,
    Column,
    Origin,
    Table,
    Validator,
    as_code,
    check_orgnr,
    parse_date,
)
from bioeco.ingest.reader import MAX_CELL, MAX_FILE_BYTES, concept_codes, read_file, read_table
from bioeco.ingest.records import (
    TABLES,
    Actor,
    Alias,
    Centre,
    Change,
    Classification,
    Dataset,
    Figure,
    Initiative,
    Membership,
    Observation,
    Person,
    Records,
    Source,
)
from bioeco.ingest.scenario import SCENARIO_ACTIONS, SCENARIO_TABLE, ScenarioAction, read_scenario

__all__ = [
    "BASES",
    "MAX_CELL",
    "MAX_FILE_BYTES",
    "PENDING_JOURNAL",
    "QUALIFIERS",
    "SCENARIO_ACTIONS",
    "SCENARIO_TABLE",
    "SCHEMES_OF_CLASSIFICATION",
    "TABLES",
    "Actor",
    "Alias",
    "Centre",
    "Change",
    "Classification",
    "Column",
    "Dataset",
    "Figure",
    "Initiative",
    "Membership",
    "Observation",
    "Origin",
    "Person",
    "Records",
    "ScenarioAction",
    "Source",
    "Table",
    "Validator",
    "check_orgnr",
    "finish_pending",
    "load_records",
    "parse_date",
    "read_file",
    "read_scenario",
    "read_table",
    "table_files",
]


PENDING_JOURNAL = ".bioeco-accept.journal"
"""The journal of a change to a data folder that switches several files as one (``bioeco
accept``); one left by an interrupted run is completed by the next reader."""


SCHEMES_OF_CLASSIFICATION = ("sector", "stage", "region", "competence")


def _table_files(base: Path, filename: str) -> list[Path]:
    """Every entry called *filename* below *base*, whatever it is (file, link, FIFO, folder:
    the reader refuses what is not a regular file inside *base*); hidden folders are skipped
    and linked folders are not entered."""
    found = []
    for folder, dirs, files in os.walk(base, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        if filename in files or filename in dirs:
            found.append(Path(folder) / filename)
    return sorted(found)


def table_files(base: Path | str) -> list[Path]:
    """Every table file of data folder *base* (``sources.csv`` and ``<table>.csv`` at any
    depth, hidden folders skipped), whatever each is; the reader checks them."""
    return [p for name in TABLES for p in _table_files(Path(base), f"{name}.csv")]


def finish_pending(base: Path | str) -> list[Path]:
    """Complete a change to data folder *base* that an interrupted ``bioeco accept`` left
    (:func:`bioeco.core.atomic.finish_group`); nothing is written when none was left."""
    from bioeco.core.atomic import finish_group

    base = Path(base)
    folders = [base, *(p for p in sorted(base.iterdir()) if p.is_dir() and not p.is_symlink())]
    return finish_group(base / PENDING_JOURNAL, folders)


def load_records(
    data_dir: Path | str | None = None,
    *,
    ontology_dir: Path | str | None = None,
    codes: dict[str, set[str]] | None = None,
    changes: dict[Path, bytes] | None = None,
) -> Records:
    """Read ``sources.csv`` and every ``<table>.csv`` below *data_dir* into :class:`Records`.

    Cells are validated as they are read (ids, dates, codes against the concept schemes in
    *ontology_dir*, organisation numbers, locators); then keys must be unique across files and
    every reference (member, organization, subject, part_of, source, dataset …) must resolve.
    *changes* maps table paths (``data_dir / …``) to would-be contents, read instead of the
    files (new files included): the folder is validated as it would be, nothing written.
    A change that an interrupted ``bioeco accept`` left is completed first
    (:func:`finish_pending`).

    Raises :class:`~bioeco.errors.DataError` for the first problem, naming file, row and field.
    """
    from bioeco.core.paths import DATA_DIR

    base = Path(data_dir) if data_dir is not None else DATA_DIR
    if not base.is_dir():
        raise DataError("data directory not found", file=str(base))
    finish_pending(base)
    changes = changes or {}
    if codes is None:
        codes = concept_codes(Path(ontology_dir) if ontology_dir else None)
    sources_file = base / "sources.csv"
    if not os.path.lexists(sources_file) and sources_file not in changes:
        raise DataError("missing sources.csv (one row per source document)", file=str(base))

    records = Records()
    for name, table in TABLES.items():
        found = _table_files(base, f"{name}.csv")
        files = sorted({*found, *(p for p in changes if p.name == f"{name}.csv")})
        rows: list[Any] = []
        for path in files:
            display = str(path.relative_to(base.parent)) if base.parent != path else str(path)
            rows.extend(
                read_table(
                    path, table, codes, display=display, within=base, content=changes.get(path)
                )
            )
        getattr(records, name).extend(rows)
    _check_unique(records)
    _check_references(records, codes)
    _check_dates(records)
    _check_bases(records)
    for name in TABLES:
        key = TABLES[name].key
        getattr(records, name).sort(key=lambda r, k=key: tuple(getattr(r, f) for f in k))
    return records


def _check_unique(records: Records) -> None:
    seen_ids: dict[str, Origin] = {}
    for name in ("actors", "people", "initiatives", "changes", "datasets", "sources"):
        for rec in getattr(records, name):
            key = rec.id if name != "sources" else f"source:{rec.id}"
            if key in seen_ids:
                first = seen_ids[key]
                raise rec.origin.error(
                    f"duplicate id {rec.id!r} (first defined in {first.file}, row {first.row})",
                    "id",
                )
            seen_ids[key] = rec.origin
    orgnrs: dict[str, Any] = {}
    for rec in records.actors:
        if rec.orgnr:
            if rec.orgnr in orgnrs:
                first = orgnrs[rec.orgnr]
                raise rec.origin.error(
                    f"organisation number {rec.orgnr} is also given to {first.id!r} "
                    f"({first.origin.file}, row {first.origin.row}); one organisation, one id",
                    "orgnr",
                )
            orgnrs[rec.orgnr] = rec
    for name in ("memberships", "classifications", "aliases", "observations", "centres", "figures"):
        key_fields = TABLES[name].key
        seen: dict[tuple, Origin] = {}
        for rec in getattr(records, name):
            key = tuple(getattr(rec, f) for f in key_fields)
            if key in seen:
                first = seen[key]
                raise rec.origin.error(
                    f"duplicate row: same {', '.join(key_fields)} as {first.file}, row {first.row}"
                )
            seen[key] = rec.origin


def _check_references(records: Records, codes: dict[str, set[str]]) -> None:
    actors = {a.id for a in records.actors}
    people = {p.id for p in records.people}
    initiatives = {i.id for i in records.initiatives}
    sources = {s.id for s in records.sources}
    datasets = {d.id for d in records.datasets}
    agents = actors | initiatives
    members = agents | people  # built once: a union per membership made the check quadratic

    def need(rec: Any, fld: str, value: str, pool: Iterable[str], what: str) -> None:
        if value and value not in pool:
            raise rec.origin.error(f"unknown {what} {value!r}", fld)

    for s in records.sources:
        need(s, "publisher", s.publisher, agents, "actor or initiative id")
    for table in TABLES:
        if "source" in TABLES[table].names and table != "sources":
            for rec in getattr(records, table):
                need(rec, "source", rec.source, sources, "source id (see sources.csv)")
    for m in records.memberships:
        need(m, "member", m.member, members, "actor, person or initiative id")
        need(m, "organization", m.organization, agents, "initiative or actor id")
        if m.member == m.organization:
            raise m.origin.error("an organisation cannot be a member of itself", "member")
    for i in records.initiatives:
        need(i, "part_of", i.part_of, initiatives, "initiative id")
        if i.part_of == i.id:
            raise i.origin.error("an initiative cannot be part of itself", "part_of")
    for c in records.classifications:
        need(c, "subject", c.subject, agents, "actor or initiative id")
        if c.scheme not in SCHEMES_OF_CLASSIFICATION:
            raise c.origin.error(
                f"unknown scheme {c.scheme!r} (use one of {', '.join(SCHEMES_OF_CLASSIFICATION)})",
                "scheme",
            )
        try:
            as_code(c.scheme)(c.concept, codes)
        except ValueError as exc:
            raise c.origin.error(str(exc), "concept") from None
    for a in records.actors:
        need(a, "part_of", a.part_of, actors, "actor id")
        if a.part_of == a.id:
            raise a.origin.error("an organisation cannot be part of itself", "part_of")
    for ch in records.changes:
        if not ch.original and ch.type != "founding":
            raise ch.origin.error(f"a {ch.type} needs the original organisation(s)", "original")
        for fld in ("original", "resulting"):
            for value in getattr(ch, fld):
                need(ch, fld, value, agents, "actor or initiative id")
    for a in records.aliases:
        need(a, "subject", a.subject, agents, "actor or initiative id")
    for f in records.figures:
        need(f, "subject", f.subject, agents, "actor or initiative id")
        if f.unit == "percent" and f.value > 100:
            raise f.origin.error(f"{f.value:g} is not a percentage between 0 and 100", "value")
    for o in records.observations:
        need(o, "dataset", o.dataset, datasets, "dataset id (see datasets.csv)")


_BASIS_FIELDS: dict[str, tuple[tuple[str, str, str], ...]] = {
    # table -> (basis field, citation field, field the fact is in)
    "actors": (("basis", "citation", "type"), ("part_of_basis", "part_of_citation", "part_of")),
    "initiatives": (("part_of_basis", "part_of_citation", "part_of"),),
    "memberships": (("basis", "citation", "role"),),
    "classifications": (("basis", "citation", "concept"),),
    "changes": (("basis", "citation", "type"),),
    "centres": (("basis", "citation", "region"),),
}


def _check_bases(records: Records) -> None:
    """A citation only backs an external fact; an external fact needs a citation or a note;
    a part-of basis or citation needs a part_of."""
    for table, specs in _BASIS_FIELDS.items():
        for rec in getattr(records, table):
            for basis_field, citation_field, fact_field in specs:
                basis, citation = getattr(rec, basis_field), getattr(rec, citation_field)
                if not getattr(rec, fact_field):
                    if basis != "stated" or citation:
                        field_name = basis_field if basis != "stated" else citation_field
                        raise rec.origin.error(f"is set but {fact_field} is empty", field_name)
                    continue
                if citation and basis != "external":
                    raise rec.origin.error(
                        f"a citation backs only an external fact, but {basis_field} is {basis!r}",
                        citation_field,
                    )
                if basis == "external" and not (citation or rec.note):
                    raise rec.origin.error(
                        "an external fact needs a citation or a note saying where it comes from",
                        basis_field,
                    )


def _check_dates(records: Records) -> None:
    for rec in [*records.memberships, *records.initiatives]:
        if rec.start and rec.end and parse_date(rec.end)[1] < parse_date(rec.start)[0]:
            raise rec.origin.error(f"end {rec.end} is before start {rec.start}", "end")
