"""A proposal: its fields, its key across runs, its CSV row, and the rejections remembered."""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from bioeco.core.formats import neutralise
from bioeco.extract.matching import fold_name
from bioeco.ingest.load import Column, Table, read_table

__all__ = [
    "COLUMNS",
    "REJECTED_TABLE",
    "Proposal",
    "Rejection",
    "proposal_key",
    "proposals_csv",
    "read_rejected",
]


COLUMNS = (
    "status",
    "kind",
    "confidence",
    "source",
    "subject",
    "alias",
    "id",
    "label",
    "type",
    "member",
    "organization",
    "role",
    "locator",
    "passage",
    "rule",
    "suggestions",
    "document",
)
"""Columns of a proposals file. An analyst edits ``status`` (``accepted``/``rejected``) and may
correct any other cell before ``bioeco accept``."""


@dataclass
class Proposal:
    """One proposed fact; ``lines`` are (first, last) line pairs where it stands."""

    kind: str
    source: str
    document: str
    confidence: float
    rule: str
    passage: str
    lines: list[tuple[int, int]] = field(default_factory=list)
    status: str = "proposed"
    subject: str = ""
    alias: str = ""
    id: str = ""
    label: str = ""
    type: str = ""
    member: str = ""
    organization: str = ""
    role: str = ""
    suggestions: str = ""
    locator: str = ""

    @property
    def key(self) -> str:
        return proposal_key(self.kind, self.as_row())

    def as_row(self) -> dict[str, str]:
        row = {c: str(getattr(self, c, "")) for c in COLUMNS}
        row["confidence"] = f"{self.confidence:.2f}"
        return row


def proposal_key(kind: str, row: dict[str, str]) -> str:
    """What identifies a proposal across runs (used to remember rejections).

    Examples
    --------
    >>> proposal_key("mention", {"subject": "nofima", "alias": "NOFIMA"})
    'mention|nofima|NOFIMA'
    >>> proposal_key("new-actor", {"label": "Menon  Economics"})
    'new-actor|menon economics'
    """
    if kind == "mention":
        return f"mention|{row.get('subject', '')}|{' '.join(row.get('alias', '').split())}"
    if kind == "membership":
        return "membership|" + "|".join(row.get(f, "") for f in ("member", "organization", "role"))
    return f"new-actor|{fold_name(row.get('label', ''))}"


def proposals_csv(proposals: Iterable[Proposal]) -> str:
    """The proposals as CSV text (header :data:`COLUMNS`); passages neutralised for spreadsheets.

    Examples
    --------
    >>> print(proposals_csv([]).strip())
    status,kind,confidence,source,subject,alias,id,label,type,member,organization,role,locator,\
passage,rule,suggestions,document
    """
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(COLUMNS)
    for p in proposals:
        row = p.as_row()
        row["passage"] = neutralise(row["passage"])
        w.writerow([row[c] for c in COLUMNS])
    return buf.getvalue()


@dataclass(frozen=True)
class Rejection:
    """A row of ``data/<source>/rejected.csv``: a proposal the analyst rejected."""

    key: str
    kind: str
    text: str = ""
    locator: str = ""
    origin: object = field(default=None, compare=False, repr=False)


def _rejected_kind(value: str, codes: dict[str, set[str]]) -> str:
    if value not in ("mention", "membership", "new-actor"):
        raise ValueError(f"{value!r} is not a proposal kind (mention, membership, new-actor)")
    return value


REJECTED_TABLE = Table(
    "rejected",
    Rejection,
    (
        Column("key", True),
        Column("kind", True, _rejected_kind),
        Column("text", False),
        Column("locator", False),
    ),
    ("key",),
)
"""The columns of ``rejected.csv``, read with the loader's rules for every data/ table (one
reader, regular files inside the folder only, bounded; formula-like and control characters
refused); it is not a table of the graph."""


def read_rejected(data_dir: Path, source_id: str) -> set[str]:
    """Keys rejected before: for this source, plus new-actor rejections from any source.

    Reads ``data/*/rejected.csv`` (:data:`REJECTED_TABLE`) through the loader's reader; a
    malformed file, or one that is not a regular file inside *data_dir* (a FIFO, a link to
    ``/dev/zero``), raises DataError naming it.
    """
    base = Path(data_dir)
    keys: set[str] = set()
    for folder in sorted(base.iterdir()):
        path = folder / "rejected.csv"
        if folder.name.startswith(".") or folder.is_symlink() or not os.path.lexists(path):
            continue  # hidden and linked folders are not entered (as by the loader)
        display = str(path.relative_to(base.parent)) if base.parent != path else str(path)
        same = folder.name == source_id
        for row in read_table(path, REJECTED_TABLE, display=display, within=base):
            if same or row.key.startswith("new-actor|"):
                keys.add(row.key)
    return keys
