"""Measure extraction against what data/ records for a source: recall and precision.

For a source already typed into ``data/``, the *gold* organisations are the actors it defines
plus the actors its rows refer to (memberships, aliases, classifications, figures, changes);
the gold memberships are its membership rows between actors and initiatives (people left
out, as the extractor does not look for people). Two settings are measured:

- ``known``: the gazetteer holds everything in ``data/`` (what an analyst has on the second
  pass over a report, and on any report about organisations already in the graph);
- ``held-out``: the gazetteer leaves out what only this source records, so an organisation
  counts as found when it is a mention of a name known from other sources or a new-actor
  candidate whose name is close (rapidfuzz token_sort_ratio ≥ 90) to one of its names.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rapidfuzz import fuzz

from bioeco.extract.document import read_document
from bioeco.extract.matching import Gazetteer, fold_name
from bioeco.extract.propose import propose
from bioeco.ingest.load import Records, load_records

__all__ = ["Quality", "gold_memberships", "gold_organisations", "measure"]


@dataclass(frozen=True)
class Quality:
    """Recall/precision of one run; ``missed_*`` list what was not found (sorted ids)."""

    source: str
    setting: str
    organisations: int
    organisations_found: int
    memberships: int
    memberships_found: int
    memberships_proposed: int
    roles_agreeing: int
    missed_organisations: tuple[str, ...]

    @property
    def organisation_recall(self) -> float:
        return self.organisations_found / self.organisations if self.organisations else 1.0

    @property
    def membership_recall(self) -> float:
        return self.memberships_found / self.memberships if self.memberships else 1.0

    @property
    def membership_precision(self) -> float:
        if not self.memberships_proposed:
            return 1.0
        return self.memberships_found / self.memberships_proposed

    def line(self) -> str:
        """One readable summary line."""
        return (
            f"{self.source} [{self.setting}]: organisations {self.organisations_found}/"
            f"{self.organisations} recall {self.organisation_recall:.1%}; memberships recall "
            f"{self.membership_recall:.1%} ({self.memberships_found}/{self.memberships}), "
            f"precision {self.membership_precision:.1%} ({self.memberships_found}/"
            f"{self.memberships_proposed} proposed pairs), same role {self.roles_agreeing}/"
            f"{self.memberships_found}"
        )


def gold_organisations(records: Records, source_id: str) -> set[str]:
    """Actor ids that *source_id* defines or refers to (facts from outside the text, with basis
    ``external``, do not count: the text need not name their subjects).

    Examples
    --------
    >>> from bioeco.core.paths import PROJECT_ROOT
    >>> records = load_records(PROJECT_ROOT / "tests/fixtures/tiny")
    >>> sorted(gold_organisations(records, "src-b"))
    ['beta-institute']
    """
    actors = {a.id for a in records.actors}
    ids = {a.id for a in records.actors if a.source == source_id}
    for m in records.memberships:
        if m.source == source_id:
            ids.update(x for x in (m.member, m.organization) if x in actors)
    for rows, attr in (
        (records.aliases, "subject"),
        (records.classifications, "subject"),
        (records.figures, "subject"),
    ):
        ids.update(
            getattr(r, attr)
            for r in rows
            if r.source == source_id
            and getattr(r, attr) in actors
            and getattr(r, "basis", "stated") != "external"
        )
    for c in records.changes:
        if c.source == source_id and c.basis != "external":
            ids.update(x for x in (*c.original, *c.resulting) if x in actors)
    return ids


def gold_memberships(records: Records, source_id: str) -> dict[tuple[str, str], set[str]]:
    """(member, organization) pairs between actors/initiatives of *source_id*, with roles.

    Examples
    --------
    >>> from bioeco.core.paths import PROJECT_ROOT
    >>> records = load_records(PROJECT_ROOT / "tests/fixtures/tiny")
    >>> gold_memberships(records, "src-b")
    {('beta-institute', 'north-cluster'): {'member'}}
    """
    agents = {a.id for a in records.actors} | {i.id for i in records.initiatives}
    pairs: dict[tuple[str, str], set[str]] = {}
    for m in records.memberships:
        if m.source == source_id and m.member in agents and m.organization in agents:
            pairs.setdefault((m.member, m.organization), set()).add(m.role)
    return pairs


def measure(
    source_id: str,
    *,
    data_dir: Path | str | None = None,
    seeds_dir: Path | str | None = None,
    held_out: bool = False,
) -> Quality:
    """Run the extractor on the source document of *source_id* and compare with ``data/``."""
    from bioeco.core.paths import SEEDS_DIR
    from bioeco.errors import UsageError

    records = load_records(data_dir)
    source = next((s for s in records.sources if s.id == source_id), None)
    if source is None:
        raise UsageError(f"unknown source {source_id!r} (see data/sources.csv)")
    doc = read_document(Path(seeds_dir or SEEDS_DIR) / source.file)
    gaz = Gazetteer.from_records(
        records, publisher=source.publisher, exclude_source=source_id if held_out else None
    )
    proposals = propose(doc, records, source_id, publisher=source.publisher, gazetteer=gaz)
    gold = gold_organisations(records, source_id)
    found = {p.subject for p in proposals if p.kind == "mention"} & gold
    if held_out:
        names = _names_by_actor(records)
        for p in proposals:
            if p.kind != "new-actor":
                continue
            key = fold_name(p.label)
            for ident in gold - found:
                if any(fuzz.token_sort_ratio(key, n) >= 90 for n in names.get(ident, ())):
                    found.add(ident)
        # the publisher is found through generic references ("klyngen") as well
        if source.publisher in gold and any(
            source.publisher in (p.member, p.organization) for p in proposals
        ):
            found.add(source.publisher)
    pairs = gold_memberships(records, source_id)
    proposed: dict[tuple[str, str], set[str]] = {}
    for p in proposals:
        if p.kind == "membership":
            proposed.setdefault((p.member, p.organization), set()).add(p.role)
    hit = set(pairs) & set(proposed)
    return Quality(
        source_id,
        "held-out" if held_out else "known",
        len(gold),
        len(found),
        len(pairs),
        len(hit),
        len(proposed),
        sum(1 for k in hit if pairs[k] & proposed[k]),
        tuple(sorted(gold - found)),
    )


def _names_by_actor(records: Records) -> dict[str, list[str]]:
    names: dict[str, list[str]] = {}
    for a in records.actors:
        names.setdefault(a.id, []).extend(fold_name(n) for n in (a.label, *a.aliases) if n)
    for al in records.aliases:
        names.setdefault(al.subject, []).append(fold_name(al.alias))
    return names
