"""Write the proposals an analyst accepted into data/<source>/, validated, all or nothing.

``bioeco accept proposals.csv`` reads a proposals file (see :mod:`bioeco.extract.propose`) in
which the analyst set ``status`` to ``accepted`` or ``rejected`` (and may have corrected
cells). Accepted rows become rows of ``aliases.csv`` (mentions, and new actors whose
``subject`` names a known id), ``memberships.csv`` or ``actors.csv`` in ``data/<source>/``; the
source row is added to ``sources.csv`` when missing (then title, issued date and publisher are
needed). The new rows are validated exactly like hand-written ones: the data folder is loaded
as it would be with the rows appended (:func:`bioeco.ingest.load.load_records` with
``changes``), nothing written. A problem names the proposals file, its row and the field.

Every file is read through the loader's one reader (:func:`bioeco.ingest.load.read_file`:
regular files inside the data folder only, bounded) and all of them — the tables,
``rejected.csv`` and the proposals file — are replaced as one group
(:func:`bioeco.core.atomic.atomic_write_group`): a run killed at any moment leaves either
every old file or, completed by the next command that reads the folder, every new one.

Rejected rows are remembered in ``data/<source>/rejected.csv`` (columns ``key, kind, text,
locator``; :func:`bioeco.extract.propose.proposal_key`): ``bioeco extract`` does not propose them
again for that source, and a rejected new-actor name is not proposed for any source. Delete a
line there to undo a rejection. The loader does not load it into the graph, but reads it with
the same rules as every table (:data:`bioeco.extract.propose.REJECTED_TABLE`); text that a
spreadsheet would run as a formula is written with a leading ``'``. Finally the proposals file
itself is rewritten with accepted rows marked ``recorded``, so running accept twice adds
nothing twice.
"""

from __future__ import annotations

import csv
import io
import os
from dataclasses import dataclass, field
from pathlib import Path

from bioeco.core.formats import neutralise
from bioeco.core.vocab import is_slug
from bioeco.errors import DataError, UsageError
from bioeco.extract.propose import COLUMNS, REJECTED_TABLE, proposal_key
from bioeco.ingest.load import PENDING_JOURNAL, TABLES, load_records, read_file, read_table

__all__ = ["REJECTED_FILE", "AcceptResult", "SourceInfo", "accept_proposals"]

REJECTED_FILE = "rejected.csv"
_REJECTED_COLUMNS = ("key", "kind", "text", "locator")
_STATUSES = ("proposed", "recorded", "accepted", "rejected")
_KINDS = ("mention", "membership", "new-actor")


@dataclass(frozen=True)
class SourceInfo:
    """What a new source row needs beyond the id and the file name."""

    title: str = ""
    issued: str = ""
    publisher: str = ""
    language: str = "nb"
    title_en: str = ""


@dataclass
class AcceptResult:
    """Rows written per table, rejections remembered, and the files replaced."""

    source: str
    written: dict[str, int] = field(default_factory=dict)
    rejected: int = 0
    created_source: bool = False
    files: list[Path] = field(default_factory=list)

    def summary(self) -> str:
        """One line for the command line."""
        if not self.source:
            return "Nothing to accept: no row has status accepted or rejected."
        parts = [f"{n} {table}" for table, n in sorted(self.written.items()) if n]
        rows = ", ".join(parts) if parts else "no rows"
        made = " (new source row in sources.csv)" if self.created_source else ""
        return (
            f"Accepted {rows} into data/{self.source}/{made}; "
            f"remembered {self.rejected} rejected proposals."
        )


def _read_proposals(path: Path) -> list[dict[str, str]]:
    display = str(path) if str(path).isprintable() else repr(str(path))
    raw = read_file(path, display)  # a FIFO, /dev/zero: refused, never read
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DataError("not valid UTF-8; save the proposals as UTF-8 CSV", file=display) from None
    reader = csv.DictReader(io.StringIO(text, newline=""), strict=True)
    try:
        rows = list(reader)
    except csv.Error as exc:
        raise DataError(f"malformed CSV ({exc})", file=display, row=reader.line_num) from None
    header = reader.fieldnames or []
    missing = [c for c in ("status", "kind", "source") if c not in header]
    if missing:
        raise DataError(
            "not a proposals file (see bioeco extract)", file=display, row=1, field=missing[0]
        )
    out = []
    for n, row in enumerate(rows, start=2):
        if None in row or any(v is None for v in row.values()):
            raise DataError("has a different number of cells than the header", file=display, row=n)
        clean = {k: (v or "").strip() for k, v in row.items()}
        clean["_row"] = str(n)
        if clean.get("passage", "").startswith("'"):
            clean["passage"] = clean["passage"][1:]
        out.append(clean)
    return out


def _data_rows(row: dict[str, str], display: str) -> tuple[str, dict[str, str]]:
    """The table and the data row an accepted proposal becomes."""
    kind = row["kind"]
    prov = {"source": row["source"], "locator": row.get("locator", "")}
    if kind == "mention" or (kind == "new-actor" and row.get("subject")):
        alias = row.get("alias") or row.get("label", "")
        return "aliases", {"subject": row.get("subject", ""), "alias": alias, **prov}
    if kind == "membership":
        return "memberships", {
            "member": row.get("member", ""),
            "organization": row.get("organization", ""),
            "role": row.get("role", ""),
            **prov,
        }
    return "actors", {
        "id": row.get("id", ""),
        "label": row.get("label", ""),
        "type": row.get("type", ""),
        **prov,
    }


def _csv_rows(header: list[str], rows: list[dict[str, str]]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    for r in rows:
        w.writerow([r.get(c, "") for c in header])
    return buf.getvalue()


def _header_of(old: str | None, table: str) -> list[str]:
    first = (old or "").lstrip("\ufeff").splitlines()[:1]
    if first:
        return [h.strip() for h in next(csv.reader(first))]
    return list(TABLES[table].names) if table != "rejected" else list(_REJECTED_COLUMNS)


def _appended(old: str | None, header: list[str], rows: list[dict[str, str]]) -> str:
    """*old* (or a header row when there was no file) with *rows* appended."""
    old = old if old else ",".join(header) + "\n"
    sep = "" if old.endswith(("\n", "\r")) else "\n"
    return old + sep + _csv_rows(header, rows)


def accept_proposals(
    proposals_file: Path | str,
    *,
    data_dir: Path | str | None = None,
    source: SourceInfo | None = None,
) -> AcceptResult:
    """Append the accepted proposals to data/, remember the rejected ones (see module doc).

    Raises :class:`~bioeco.errors.DataError` naming the proposals file, row and field when a
    row would not load; nothing is written then.

    Examples
    --------
    >>> import shutil, tempfile, pathlib
    >>> from bioeco.core.paths import PROJECT_ROOT
    >>> from bioeco.extract import extract_report
    >>> tmp = pathlib.Path(tempfile.mkdtemp())
    >>> data = pathlib.Path(shutil.copytree(PROJECT_ROOT / "tests/fixtures/tiny", tmp / "data"))
    >>> _ = (tmp / "r.txt").write_text("Alpha Marin AS deltok i Pilot X.\\n", encoding="utf-8")
    >>> x = extract_report(tmp / "r.txt", "src-a", data_dir=data, out=tmp / "p.csv")
    >>> text = (tmp / "p.csv").read_text(encoding="utf-8")
    >>> _ = (tmp / "p.csv").write_text(text.replace("proposed,", "accepted,"), encoding="utf-8")
    >>> accept_proposals(tmp / "p.csv", data_dir=data).summary()
    'Accepted 1 memberships into data/src-a/; remembered 0 rejected proposals.'
    """
    from bioeco.core.atomic import atomic_write_group
    from bioeco.core.paths import DATA_DIR

    path = Path(proposals_file)
    display = str(path) if str(path).isprintable() else repr(str(path))
    base = Path(data_dir) if data_dir is not None else DATA_DIR
    rows = _read_proposals(path)
    records = load_records(base)  # the data must be valid before we add to it
    sources = {r["source"] for r in rows if r["status"] in ("accepted", "rejected")}
    for r in rows:
        if r["status"] not in _STATUSES:
            raise DataError(
                f"unknown status {r['status']!r} (use accepted or rejected)",
                file=display,
                row=int(r["_row"]),
                field="status",
            )
        if r["kind"] not in _KINDS:
            raise DataError(
                f"unknown kind {r['kind']!r}", file=display, row=int(r["_row"]), field="kind"
            )
    if len(sources) > 1:
        raise DataError(
            f"rows for several sources ({', '.join(sorted(sources))}); accept one source at a time",
            file=display,
        )
    if not sources:  # nothing decided yet: nothing to do
        return AcceptResult("")
    source_id = sources.pop()
    if not (is_slug(source_id) and source_id.isascii()):
        raise DataError(f"{source_id!r} is not a valid source id", file=display, field="source")
    result = AcceptResult(source_id)
    folder = base / source_id

    def existing(target: Path) -> str | None:
        """The text of a data file (read like a table: regular, inside data/, bounded)."""
        if not os.path.lexists(target):
            return None
        shown = str(target.relative_to(base.parent))
        return read_file(target, shown, within=base).decode("utf-8")

    new_rows: dict[str, list[tuple[dict[str, str], int]]] = {}
    for r in rows:
        if r["status"] == "accepted":
            table, data_row = _data_rows(r, display)
            new_rows.setdefault(table, []).append((data_row, int(r["_row"])))

    # sources.csv: add the source row when missing
    files: dict[Path, str] = {}
    known_source = any(s.id == source_id for s in records.sources)
    sources_file = base / "sources.csv"
    if not known_source and new_rows:
        info = source or SourceInfo()
        need = [n for n in ("title", "issued", "publisher") if not getattr(info, n)]
        if need:
            raise UsageError(
                f"source {source_id!r} is not in sources.csv yet: give --"
                + ", --".join(need)
                + " to create it"
            )
        document = next((r.get("document", "") for r in rows if r.get("document")), "")
        src_row = {
            "id": source_id,
            "title": info.title,
            "title_en": info.title_en,
            "issued": info.issued,
            "publisher": info.publisher,
            "language": info.language,
            "file": document or f"{source_id}.txt",
        }
        old = existing(sources_file)
        files[sources_file] = _appended(old, _header_of(old, "sources"), [src_row])
        result.created_source = True

    # tables of the source folder
    origin: dict[tuple[str, int], int] = {}  # (file display, data row) -> proposals row
    for table, items in sorted(new_rows.items()):
        target = folder / f"{table}.csv"
        old = existing(target)
        header = _header_of(old, table)
        absent = [c.name for c in TABLES[table].columns if c.required and c.name not in header]
        if absent:
            raise DataError(f"has no column {absent[0]!r} for accepted rows", file=str(target))
        text = _appended(old, header, [d for d, _ in items])
        first_row = len(list(csv.reader(io.StringIO(text, newline="")))) - len(items) + 1
        files[target] = text
        shown = str(target.relative_to(base.parent))
        for k, (_d, prow) in enumerate(items):
            origin[(shown, first_row + k)] = prow
        result.written[table] = len(items)

    # validate the would-be data folder: loaded with the new rows, nothing written
    if files:
        changes = {target: text.encode("utf-8") for target, text in files.items()}
        try:
            load_records(base, changes=changes)
        except DataError as exc:
            raise _as_proposal_error(exc, origin, display) from None

    # remember rejections (read and checked like every data/ table)
    rejected_file = folder / REJECTED_FILE
    shown = str(rejected_file.relative_to(base.parent))
    old_keys: set[str] = set()
    old_text = None
    if os.path.lexists(rejected_file):
        known = read_table(rejected_file, REJECTED_TABLE, display=shown, within=base)
        old_keys = {r.key for r in known}
        old_text = existing(rejected_file)
    fresh: list[dict[str, str]] = []
    fresh_rows: list[int] = []  # the proposals row of each
    for r in rows:
        if r["status"] != "rejected":
            continue
        key = proposal_key(r["kind"], r)
        if key in old_keys:
            continue
        old_keys.add(key)
        text = neutralise(r.get("alias") or r.get("label") or "")
        locator = neutralise(r.get("locator", ""))
        fresh.append({"key": key, "kind": r["kind"], "text": text, "locator": locator})
        fresh_rows.append(int(r["_row"]))
    if fresh:
        new_text = _appended(old_text, list(_REJECTED_COLUMNS), fresh)
        first_row = len(list(csv.reader(io.StringIO(new_text, newline="")))) - len(fresh) + 1
        where = {(shown, first_row + k): prow for k, prow in enumerate(fresh_rows)}
        try:
            read_table(rejected_file, REJECTED_TABLE, display=shown, content=new_text.encode())
        except DataError as exc:
            raise _as_proposal_error(exc, where, display) from None
        files[rejected_file] = new_text
    result.rejected = len(fresh)

    # the proposals file: accepted rows are now recorded
    if new_rows:
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        header = [c for c in rows[0] if c != "_row"] if rows else list(COLUMNS)
        w.writerow(header)
        for r in rows:
            status = "recorded" if r["status"] == "accepted" else r["status"]
            cells = {**r, "status": status, "passage": neutralise(r.get("passage", ""))}
            w.writerow([cells.get(c, "") for c in header])
        files[path] = buf.getvalue()

    journal = base / PENDING_JOURNAL
    # a new source gets its folder data/<source>/ (what accept is asked to do)
    result.files = atomic_write_group(files, journal=journal, make_folders=True) if files else []
    return result


def _as_proposal_error(
    exc: DataError, origin: dict[tuple[str, int], int], display: str
) -> DataError:
    """*exc* about a would-be row of a data file, told as the proposals row it came from."""
    prow = origin.get((exc.file or "", exc.row or 0))
    if prow is None:
        return exc
    return DataError(
        f"{exc.message} (as row {exc.row} of {exc.file})", file=display, row=prow, field=exc.field
    )
