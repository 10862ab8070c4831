"""From a new report to reviewed rows in data/: extract proposals, review them, accept them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bioeco.extract.document import Document, read_document
from bioeco.extract.matching import Gazetteer, fold, fold_name
from bioeco.extract.propose import Proposal, proposals_csv, read_rejected

__all__ = [
    "Document",
    "Extraction",
    "Gazetteer",
    "Proposal",
    "extract_report",
    "fold",
    "fold_name",
    "proposals_csv",
    "read_document",
]


@dataclass(frozen=True)
class Extraction:
    """What :func:`extract_report` found; ``csv`` is the proposals file's text."""

    document: Document
    proposals: list[Proposal]
    csv: str
    written: Path | None

    def counts(self) -> dict[str, int]:
        """Proposals per kind, plus how many are already recorded in data/."""
        out = {"mention": 0, "membership": 0, "new-actor": 0, "recorded": 0}
        for p in self.proposals:
            out[p.kind] += 1
            out["recorded"] += p.status == "recorded"
        return out


def extract_report(
    report: Path | str,
    source_id: str,
    *,
    data_dir: Path | str | None = None,
    publisher: str | None = None,
    out: Path | str | None = None,
) -> Extraction:
    """Read *report*, match it against the actors and initiatives of *data_dir*, propose facts.

    Writes the proposals CSV atomically to *out* when given. Raises
    :class:`~bioeco.errors.DataError` for an unreadable report or bad data, and
    :class:`~bioeco.errors.UsageError` for a bad source id or publisher.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from bioeco.core.paths import DATA_DIR
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "r.txt"
    >>> _ = p.write_text("Nofimas forskere deltok i WebiMar.\\n", encoding="utf-8")
    >>> x = extract_report(p, "new-report")
    >>> [(q.kind, q.subject or q.member, q.organization, q.role) for q in x.proposals]
    [('mention', 'nofima', '', ''), ('mention', 'webimar', '', ''), ('membership', 'nofima', \
'webimar', 'participant')]
    """
    from bioeco.core.atomic import atomic_write, check_target
    from bioeco.core.paths import DATA_DIR
    from bioeco.core.vocab import is_slug
    from bioeco.errors import UsageError
    from bioeco.ingest.load import load_records

    if not (is_slug(source_id) and source_id.isascii()):
        raise UsageError(
            f"{source_id!r} is not a valid source id (lowercase a-z, 0-9 and single hyphens)"
        )
    if out is not None:
        check_target(out)  # before the work: only a regular file, in a folder that exists
    base = Path(data_dir) if data_dir is not None else DATA_DIR
    records = load_records(base)
    known = {e.id for rows in (records.actors, records.initiatives) for e in rows}
    if publisher is not None and publisher not in known:
        raise UsageError(f"unknown publisher {publisher!r} (an actor or initiative id)")
    doc = read_document(report)
    from bioeco.extract.propose import propose as make_proposals

    proposals = make_proposals(
        doc, records, source_id, publisher=publisher, rejected=read_rejected(base, source_id)
    )
    text = proposals_csv(proposals)
    written = atomic_write(Path(out), text) if out is not None else None
    return Extraction(doc, proposals, text, written)
