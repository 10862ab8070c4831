"""Near-duplicate actors and initiatives: the same name twice, or names that only look alike.

The loader refuses what is wrong in one row. Some problems only show between rows: two actors
with the same label (one organisation entered twice, or two that need telling apart), or a
label that differs from another only by look-alike letters from another script (a Cyrillic
``о`` in ``Nоfima``) or by invisible characters. They are reported, with file and row of both,
by ``bioeco check`` and after ``bioeco build``; the same organisation number twice is refused
by the loader itself.

Examples
--------
>>> skeleton("Nоfima") == skeleton("Nofima")  # the first has a Cyrillic о
True
>>> skeleton("Tromsø") == skeleton("Tromso")
False
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache

from confusable_homoglyphs import confusables

from bioeco.ingest.load import Origin, Records

__all__ = ["Finding", "near_duplicates", "skeleton"]


@lru_cache(maxsize=4096)
def _latin_twin(ch: str) -> str:
    """The Latin letter *ch* is confusable with, or *ch* itself."""
    if ch.isascii() or not ch.isalpha():
        return ch
    found = confusables.is_confusable(ch, preferred_aliases=["latin"], greedy=True)
    if not found:
        return ch
    for glyph in found[0]["homoglyphs"]:
        if glyph["c"].isascii():
            return glyph["c"]
    return ch


def skeleton(text: str) -> str:
    """A comparison key: compatibility-normalised, case-folded, spaces collapsed, and every
    letter that only looks like a Latin letter replaced by it (Unicode TR 39 in spirit)."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = "".join(_latin_twin(ch) for ch in text if unicodedata.category(ch) != "Cf")
    return " ".join(text.split())


@dataclass(frozen=True, order=True)
class Finding:
    """One suspicious pair: *where* is the later row, *other* the earlier one."""

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


def _at(origin: Origin) -> str:
    return f"{origin.file}, row {origin.row}"


def _names(records: Records, kind: str) -> list[tuple[str, str, Origin]]:
    """(id, name, origin) of every label and alias of actors or initiatives."""
    rows = records.actors if kind == "actor" else records.initiatives
    ids = {r.id for r in rows}
    names = []
    for r in rows:
        names.append((r.id, r.label, r.origin))
        names.extend((r.id, alias, r.origin) for alias in r.aliases)
    names.extend((a.subject, a.alias, a.origin) for a in records.aliases if a.subject in ids)
    return names


def near_duplicates(records: Records) -> list[Finding]:
    """Pairs of different actors (or initiatives) whose names are equal or look alike.

    Examples
    --------
    >>> from bioeco.ingest.load import Actor, Origin, Records
    >>> recs = Records(actors=[
    ...     Actor("nofima", "Nofima", "research-institute", "s", "l. 1",
    ...           origin=Origin("actors.csv", 2)),
    ...     Actor("nofima-2", "Nоfima", "company", "s", "l. 9", origin=Origin("actors.csv", 3)),
    ... ])
    >>> [str(f) for f in near_duplicates(recs)]  # doctest: +NORMALIZE_WHITESPACE
    ["actors.csv, row 3: actor nofima-2 'Nоfima' looks like actor nofima 'Nofima'
      (actors.csv, row 2): it differs by look-alike or invisible characters (U+043E)"]
    """
    findings = []
    for kind in ("actor", "initiative"):
        by_key: dict[str, list[tuple[str, str, Origin]]] = defaultdict(list)
        for entry in _names(records, kind):
            by_key[skeleton(entry[1])].append(entry)
        for entries in by_key.values():
            entries.sort(key=lambda e: (e[2].file, e[2].row))  # the earlier row is the "other"
            seen: dict[str, tuple[str, str, Origin]] = {}
            for ident, name, origin in entries:
                first = next((e for i, e in seen.items() if i != ident), None)
                seen.setdefault(ident, (ident, name, origin))
                if first is None:
                    continue
                other_id, other_name, other_origin = first
                if name.casefold() == other_name.casefold():
                    why = "has the same name"
                else:
                    odd = sorted({f"U+{ord(c):04X}" for c in name if c not in other_name})
                    why = (
                        "differs by look-alike or invisible characters "
                        f"({', '.join(odd) or 'spacing or case'})"
                    )
                findings.append(
                    Finding(
                        _at(origin),
                        f"{kind} {ident} {name!r} looks like {kind} {other_id} {other_name!r} "
                        f"({_at(other_origin)}): it {why}"
                        if "look-alike" in why
                        else f"{kind} {ident} {name!r} {why} as {kind} {other_id} "
                        f"({_at(other_origin)})",
                    )
                )
    return sorted(set(findings))
