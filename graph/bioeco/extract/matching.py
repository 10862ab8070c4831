"""Find known actors and initiatives in text: Aho–Corasick over folded names, Norwegian forms.

Text and names are *folded* before matching: case-folded, diacritics removed (é→e, å→a),
Norwegian letters transliterated (ø→o, æ→ae), typographic quotes and dashes unified, runs of
white space (line breaks and tabs included) collapsed to one space, and a hyphen that breaks a
word at the end of a line removed. A name matches only on word boundaries; after it may come
a Norwegian genitive ``s`` ("Nofimas", "UiTs") and, for names ending in a common noun such as
"forskningsråd" or "universitet", the definite and plural endings ("Forskningsrådets",
"universitetet"). The longest match wins where matches overlap.

Names come from every label, English label and alias in ``data/`` plus two derived forms: a
leading acronym ("UiT" from "UiT Norges arktiske universitet", unless another name starts with
the same acronym) and a company name without its legal form ("Pubgene" from "Pubgene AS").
The definite form of a cluster or centre noun ("klyngen", "klyngens", "senteret") refers to
the publisher of the report when the publisher is such an initiative.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

import ahocorasick

from bioeco.ingest.load import Records

__all__ = [
    "GENERIC_NOUNS",
    "WE",
    "Entity",
    "Gazetteer",
    "Mention",
    "fold",
    "fold_name",
]

_SPECIAL = {
    "ø": "o",
    "æ": "ae",
    "œ": "oe",
    "đ": "d",
    "ð": "d",
    "þ": "th",
    "ł": "l",
    "ı": "i",
    "ß": "ss",
    "’": "'",
    "‘": "'",
    "´": "'",
    "`": "'",
    "“": '"',
    "”": '"',
    "«": '"',
    "»": '"',
    "‐": "-",
    "‑": "-",
    "‒": "-",
    "–": "-",
    "—": "-",
    "―": "-",
}
_CACHE: dict[str, str] = {}
_CHUNKS = re.compile(
    r"(?P<soft>(?<=\w)-[ \t]*\n\s*(?=[a-zæøå]))"
    r"|(?P<ascii>[\x21-\x2c\x2e-\x7e]+|-)"
    r"|(?P<space>\s+)"
    r"|(?P<other>.)",
    re.DOTALL,
)

LEGAL_FORMS = ("AS", "ASA", "SA", "BA", "AB", "Ltd", "Inc", "inc", "GmbH", "SE", "HF", "KF")
"""Legal-form words that end a company name (``Pubgene AS``); a name is also known without."""

GENERIC_NOUNS: dict[str, tuple[str, ...]] = {
    "cluster": ("klyngen", "klynga", "næringsklyngen"),
    "centre": ("senteret", "sentret"),
    "network": ("nettverket",),
}
"""Definite nouns that, in a report published by an initiative of that type, mean the publisher
(the genitive ``s`` is matched as for any name: "klyngens")."""

WE = ("vi",)
"""First-person plural: in a report, "vi" (we) is its publisher."""

# endings allowed after a name whose last word is a lowercase common noun
_NOUN_ENDINGS = ("s", "en", "ens", "et", "ets", "a", "as", "n", "ns", "e", "ne", "nes", "t", "ts")


def _fold_char(ch: str) -> str:
    out = _CACHE.get(ch)
    if out is None:
        parts = []
        for c in ch.casefold():
            c = _SPECIAL.get(c, c)
            d = unicodedata.normalize("NFKD", c)
            parts.append("".join(x for x in d if not unicodedata.combining(x)))
        out = "".join(parts)
        _CACHE[ch] = out
    return out


def fold(text: str) -> tuple[str, list[int]]:
    """Fold *text* for matching; also return, for each folded character, its index in *text*.

    Examples
    --------
    >>> fold("Næringsforeningen i \\t\\n Tromsø")[0]
    'naeringsforeningen i tromso'
    >>> fold("bioteknologi-\\nmiljøet, Troms- og")[0]
    'bioteknologimiljoet, troms- og'
    >>> folded, where = fold("É ø")
    >>> folded, where
    ('e o', [0, 1, 2])
    """
    out: list[str] = []
    where: list[int] = []
    space = False
    for m in _CHUNKS.finditer(text):
        kind = m.lastgroup
        if kind == "soft":  # a word broken with a hyphen at the end of a line
            continue
        if kind == "space":
            if not space and out:
                out.append(" ")
                where.append(m.start())
            space = True
            continue
        space = False
        if kind == "ascii":  # one-to-one: lower() keeps offsets
            out.append(m.group().lower())
            where.extend(range(m.start(), m.end()))
            continue
        f = _fold_char(m.group())
        out.append(f)
        where.extend([m.start()] * len(f))
    folded = "".join(out)
    if folded.endswith(" "):
        folded = folded[:-1]
        where.pop()
    return folded, where


def fold_name(name: str) -> str:
    """The folded form of a name (see :func:`fold`).

    Examples
    --------
    >>> fold_name("  UiT Norges arktiske  universitet"), fold_name("Genøk")
    ('uit norges arktiske universitet', 'genok')
    """
    return fold(name)[0].strip()


@dataclass(frozen=True)
class Entity:
    """A known actor or initiative: id, ``kind`` (``actor``/``initiative``), label, type, source."""

    id: str
    kind: str
    label: str
    type: str
    source: str


@dataclass(frozen=True)
class _Pattern:
    entity: Entity
    name: str  # the name as written in data/
    rule: str  # label, alias, label_en, acronym, without-legal-form, generic
    noun_endings: bool


@dataclass(frozen=True)
class Mention:
    """One match: the entity, where it stands in the text (character offsets, 1-based lines)."""

    entity: Entity
    rule: str
    name: str
    surface: str  # the text as written, without the inflection ending
    ending: str  # the inflection ending found after the name ("s", "ets", …)
    start: int
    end: int
    first_line: int
    last_line: int
    ambiguous: tuple[str, ...] = field(default=())

    @property
    def confidence(self) -> float:
        """How sure the match is (0–1): exact labels high, derived names and odd case lower."""
        base = {
            "label": 0.95,
            "alias": 0.9,
            "label_en": 0.9,
            "acronym": 0.75,
            "without-legal-form": 0.8,
            "generic": 0.5,
        }[self.rule]
        if self.surface.islower() and not self.name.islower():
            base *= 0.6  # "nofima" for "Nofima": maybe a common word
        return round(base / (1 + len(self.ambiguous)), 2)


def _words(name: str) -> list[str]:
    return name.split()


class Gazetteer:
    """The names of known actors and initiatives, compiled into one Aho–Corasick automaton.

    Examples
    --------
    >>> g = Gazetteer([Entity("nofima", "actor", "Nofima", "research-institute", "s")], {})
    >>> [(m.entity.id, m.surface, m.ending, m.first_line) for m in g.find("Les\\nNofimas rapport")]
    [('nofima', 'Nofima', 's', 2)]
    """

    def __init__(
        self,
        entities: Iterable[Entity],
        names: dict[str, list[tuple[str, str]]],
        *,
        publisher: Entity | None = None,
    ) -> None:
        entities = sorted(entities, key=lambda e: e.id)
        self.entities = {e.id: e for e in entities}
        self.publisher = publisher
        patterns: dict[str, list[_Pattern]] = {}

        def add(entity: Entity, name: str, rule: str) -> None:
            key = fold_name(name)
            if len(key) < 2 or key.isdigit():
                return
            words = _words(name)
            noun = bool(words) and words[-1].isalpha() and words[-1].islower() and len(words) > 1
            noun = noun or (
                len(words) == 1
                and name[:1].isupper()
                and name[1:].islower()
                and key.endswith(("rad", "institutt", "universitet", "senter"))
            )
            bucket = patterns.setdefault(key, [])
            if any(p.entity.id == entity.id for p in bucket):
                return
            bucket.append(_Pattern(entity, name, rule, noun))

        for e in entities:
            add(e, e.label, "label")
            for rule, name in names.get(e.id, []):
                add(e, name, rule)
        # derived forms, only where they are unique
        firsts: dict[str, set[str]] = {}
        for e in entities:
            for name in [e.label, *(n for _r, n in names.get(e.id, []))]:
                words = _words(name)
                if len(words) > 1:
                    firsts.setdefault(fold_name(words[0]), set()).add(e.id)
        for e in entities:
            for name in [e.label, *(n for _r, n in names.get(e.id, []))]:
                words = _words(name)
                head = fold_name(words[0]) if words else ""
                if (
                    len(words) > 1
                    and _is_acronym(words[0])
                    and firsts.get(head) == {e.id}
                    and head not in patterns
                ):
                    add(e, words[0], "acronym")
                if len(words) > 1 and words[-1] in LEGAL_FORMS:
                    short = " ".join(words[:-1])
                    if fold_name(short) not in patterns:
                        add(e, short, "without-legal-form")
        if publisher is not None:
            for noun in (*GENERIC_NOUNS.get(publisher.type, ()), *WE):
                patterns.setdefault(fold_name(noun), []).append(
                    _Pattern(publisher, noun, "generic", False)
                )
        self.patterns = patterns
        self._automaton = ahocorasick.Automaton()
        for key, bucket in patterns.items():
            self._automaton.add_word(key, (key, tuple(bucket)))
        if patterns:
            self._automaton.make_automaton()

    @classmethod
    def from_records(
        cls,
        records: Records,
        *,
        publisher: str | None = None,
        exclude_source: str | None = None,
    ) -> Gazetteer:
        """Build from loaded ``data/``; *exclude_source* drops what only that source records.

        Examples
        --------
        >>> from bioeco.ingest.load import Actor, Records
        >>> r = Records(actors=[Actor("uit", "UiT Norges arktiske universitet", "university",
        ...                          "s", "l. 1")])
        >>> g = Gazetteer.from_records(r)
        >>> [(m.entity.id, m.rule, m.surface) for m in g.find("Ved UiTs campus")]
        [('uit', 'acronym', 'UiT')]
        """
        entities: list[Entity] = []
        names: dict[str, list[tuple[str, str]]] = {}
        for kind, rows in (("actor", records.actors), ("initiative", records.initiatives)):
            for r in rows:
                if exclude_source and r.source == exclude_source:
                    continue
                entities.append(Entity(r.id, kind, r.label, r.type, r.source))
                for alias in r.aliases:
                    names.setdefault(r.id, []).append(("alias", alias))
                if r.label_en:
                    names.setdefault(r.id, []).append(("label_en", r.label_en))
        known = {e.id for e in entities}
        for a in records.aliases:
            if a.subject in known and a.source != exclude_source:
                names.setdefault(a.subject, []).append(("alias", a.alias))
        by_id = {e.id: e for e in entities}
        return cls(entities, names, publisher=by_id.get(publisher or ""))

    def all_names(self) -> list[tuple[str, str]]:
        """Every (folded name, entity id) pair, sorted; for fuzzy look-ups."""
        return sorted(
            (key, p.entity.id)
            for key, bucket in self.patterns.items()
            for p in bucket
            if p.rule != "generic"
        )

    def find(self, text: str) -> list[Mention]:
        """Every mention in *text*, leftmost-longest, in text order."""
        if not self.patterns:
            return []
        folded, where = fold(text)
        line_starts = [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"]
        candidates = []
        for end_index, (key, bucket) in self._automaton.iter(folded):
            start = end_index - len(key) + 1
            end = end_index + 1
            if start > 0 and folded[start - 1].isalnum():
                continue
            ending = _ending(folded, end, any(p.noun_endings for p in bucket))
            if ending is None:
                continue
            candidates.append((start, end, ending, bucket))
        candidates.sort(key=lambda c: (c[0], -(c[1] + len(c[2]))))
        chosen = []
        taken_until = -1
        outer: tuple[int, int, bool] = (-1, -1, False)
        inner_until = -1
        outer_ids: set[str] = set()
        for cand in candidates:
            start, end, ending, bucket = cand
            if start < taken_until:
                # a name inside a longer one counts too when the longer one is an initiative
                # named after an actor ("Stortingets arktiske …") or a pair ("Marbank/HI")
                inside = outer[2] and end <= outer[1] and start >= inner_until
                new_ids = {p.entity.id for p in bucket} - outer_ids
                if inside and new_ids and any(p.entity.kind == "actor" for p in bucket):
                    chosen.append(cand)
                    inner_until = end + len(ending)
                continue
            taken_until = end + len(ending)
            inner_until = start
            wrapper = "/" in folded[start:end] or all(p.entity.kind == "initiative" for p in bucket)
            outer = (start, end, wrapper)
            outer_ids = {p.entity.id for p in bucket}
            chosen.append(cand)
        mentions: list[Mention] = []
        for start, end, ending, bucket in chosen:
            o_start = where[start]
            o_end = where[end - 1] + 1
            surface = " ".join(text[o_start:o_end].split())
            first_line = bisect.bisect_right(line_starts, o_start)
            last_line = bisect.bisect_right(line_starts, o_end - 1)
            if ending:
                o_end = where[end + len(ending) - 1] + 1
            ids = tuple(p.entity.id for p in bucket)
            for p in bucket:
                mentions.append(
                    Mention(
                        p.entity,
                        p.rule,
                        p.name,
                        surface,
                        ending,
                        o_start,
                        o_end,
                        first_line,
                        last_line,
                        tuple(i for i in ids if i != p.entity.id),
                    )
                )
        return mentions


def _is_acronym(word: str) -> bool:
    """``UiT``, ``NTNU``, ``SINTEF``: at least two capitals, letters only, at most 8 long."""
    return word.isalpha() and 2 <= len(word) <= 8 and sum(c.isupper() for c in word) >= 2


def _ending(folded: str, end: int, noun: bool) -> str | None:
    """The inflection ending after a name at *end*, ``""`` at a plain boundary, None if no word
    boundary follows."""
    if end >= len(folded) or not folded[end].isalnum():
        return ""
    endings = _NOUN_ENDINGS if noun else ("s",)
    best = None
    for e in endings:
        if folded.startswith(e, end):
            after = end + len(e)
            if (after >= len(folded) or not folded[after].isalnum()) and (
                best is None or len(e) > len(best)
            ):
                best = e
    if noun and best is None and end >= 1:
        doubled = folded[end - 1]
        for e in ("et", "ets", "en", "ens"):
            if folded.startswith(doubled + e, end):
                after = end + 1 + len(e)
                if after >= len(folded) or not folded[after].isalnum():
                    best = doubled + e
    return best
