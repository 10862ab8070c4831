"""New-actor proposals: organisation-like names in a report that match nothing known."""

from __future__ import annotations

import bisect
import re

from rapidfuzz import fuzz, process

from bioeco.core.vocab import slugify
from bioeco.extract.document import Document
from bioeco.extract.matching import Gazetteer, Mention, fold_name
from bioeco.extract.passages import clip, is_short, line_of
from bioeco.extract.proposal import Proposal

__all__ = [
    "MAX_NAME",
    "new_actor_proposals",
]


_INSTITUTION = {
    "universitet": "university",
    "university": "university",
    "hogskole": "university-college",
    "hoyskole": "university-college",
    "hogskule": "university-college",
    "institutt": "research-institute",
    "institute": "research-institute",
    "sykehus": "hospital",
    "helseforetak": "hospital",
    "fylkeskommune": "regional-authority",
    "kommune": "municipality",
    "departement": "ministry",
    "direktorat": "public-agency",
    "tilsyn": "public-agency",
    "forening": "interest-organisation",
    "forbund": "interest-organisation",
    "stiftelse": "foundation",
}


_LEGAL = r"(?:AS|ASA|SA|BA|AB|Ltd|Inc|GmbH|SE|HF|KF)"


_CAP = r"[A-ZÆØÅ][\wæøåÆØÅ&'-]*"


_CONNECT = r"(?:for|of|the|de|du|von|van)"


_WORD = rf"(?:{_CAP}|[0-9][\w-]*)"


_LEGAL_NAME = re.compile(rf"(?<![\w-])({_WORD}(?:[ \t]+{_WORD}){{0,4}}[ \t]+{_LEGAL})(?!\w)")


_CAP_RUN = re.compile(rf"(?<![\w-])({_CAP}(?:[ \t]+(?:{_CONNECT}[ \t]+)?{_CAP}){{1,5}})")


_INST_STEMS = "|".join(
    f"[{w[0].upper()}{w[0]}]{w[1:]}"
    for w in [
        "universitet",
        "university",
        "høgskole",
        "høyskole",
        "høgskule",
        "institutt",
        "institute",
        "sykehus",
        "helseforetak",
        "fylkeskommune",
        "kommune",
        "departement",
        "direktorat",
        "tilsyn",
        "forening",
        "forbund",
        "stiftelse",
    ]
)


_INST_WORD = re.compile(
    rf"(?<![\w-])((?:{_CAP}[ \t]+){{0,3}}[\wæøåÆØÅ-]*(?:{_INST_STEMS})[\wæøå]*"
    rf"(?:[ \t]+(?:i|for|på)[ \t]+{_CAP}(?:[ \t]+{_CAP})?)?)"
)


MAX_NAME = 120
"""Longest text (characters) considered as a new organisation's name."""


_LEGAL_WORDS = {"AS", "ASA", "SA", "BA", "AB", "Ltd", "Inc", "GmbH", "SE", "HF", "KF"}


_TRAILING = {"i", "og", "for", "på", "of", "and", "the", "&", "de", "du", "von", "van"}


_STOP_FIRST = {
    "det", "den", "de", "dette", "disse", "vi", "i", "en", "et", "og", "for", "med", "som", "på",
    "til", "fra", "av", "om", "etter", "ved", "under", "hvor", "når", "men", "mens", "også",
    "samt", "tabell", "figur", "kilde", "se", "les", "the", "a", "an", "in", "of", "our",
    "januar", "februar", "mars", "april", "mai", "juni", "juli", "august", "september",
    "oktober", "november", "desember", "mandag", "tirsdag", "onsdag", "torsdag", "fredag",
    "lørdag", "søndag", "prosjektet", "klyngen", "næringsklyngen", "senteret", "selskapet",
    "bedriften", "programmet", "nettverket", "konferansen", "satsingen", "rapporten",
}  # fmt: skip


def _candidate_type(name: str) -> str:
    words = name.split()
    if words and words[-1] in ("AS", "ASA", "SA", "BA", "AB", "Ltd", "Inc", "GmbH", "SE"):
        return "company"
    folded = fold_name(name)
    for stem, code in _INSTITUTION.items():
        if stem in folded:
            return code
    return ""


def _list_items(doc: Document, line_starts: list[int]) -> list[tuple[int, str]]:
    """Names standing alone on the lines of a list (five or more short lines, most of them
    capitalised; an indented line continues the item above): (offset, name) pairs."""
    items: list[tuple[int, str]] = []
    run: list[int] = []

    def flush() -> None:
        filled = [k for k in run if doc.lines[k].strip()]
        capital = [k for k in filled if doc.lines[k].strip()[:1].isupper()]
        if len(filled) >= 5 and len(capital) >= 0.6 * len(filled):
            current: list[int] = []
            for k in [*filled, -1]:
                line = doc.lines[k] if k >= 0 else ""
                if k >= 0 and line[:1] in (" ", "\t") and current:
                    current.append(k)
                    continue
                if current:
                    first = current[0]
                    raw = " ".join(doc.lines[j].strip() for j in current)
                    name = raw.strip("*•-–· \t").rstrip("*")
                    words = name.split()
                    if 0 < len(words) <= 5 and name[:1].isupper() and not name.endswith(":"):
                        offset = line_starts[first] + doc.lines[first].index(words[0])
                        for part in name.split("/"):  # "Marbank/HI": two names
                            if part.strip():
                                items.append((offset + name.index(part), part.strip()))
                current = [k] if k >= 0 else []
        run.clear()

    for k, line in enumerate(doc.lines):
        if not line.strip() or is_short(line):
            run.append(k)
        else:
            flush()
    flush()
    return items


_TOKEN = re.compile(r"(?<![\w-])[A-ZÆØÅ][A-Za-zÆØÅæøå0-9]{1,7}(?![\w-])")


_NOT_ORG_ACRONYMS = {
    "IPR", "DNA", "RNA", "IKT", "IT", "AI", "FOU", "EVU", "SMB", "CEO", "PHD", "NACE", "RRI",
    "OK", "TV", "USA", "UK", "NOK", "EUR", "PDF", "CD", "ID", "GDP", "BNP", "HMS", "R&D",
}  # fmt: skip


def _acronyms(doc: Document, line_starts: list[int]) -> list[tuple[int, str]]:
    """Acronyms in running text (``NHO``, ``UiB``, ``OECD``): two to eight letters, all
    capitals but at most one; lines written all in capitals (headings) are skipped.

    Examples
    --------
    >>> from bioeco.extract.document import document_from_text
    >>> _acronyms(document_from_text("Fra NHO og UiB, om IPR.\\nSTATUS OG PLAN", "r"), [0, 24])
    [(4, 'NHO'), (11, 'UiB')]
    """
    out = []
    for n, line in enumerate(doc.lines):
        letters = [c for c in line if c.isalpha()]
        if letters and all(c.isupper() for c in letters):
            continue
        for m in _TOKEN.finditer(line):
            word = m.group()
            upper = sum(c.isupper() for c in word)
            if upper >= 2 and upper >= len(word) - 1 and word.upper() not in _NOT_ORG_ACRONYMS:
                out.append((line_starts[n] + m.start(), word))
    return out


def _trim(text: str, a: int, name: str) -> tuple[int, int, list[str]]:
    """Drop leading function words and legal forms, trailing connectors; the span left."""
    words = name.split()
    while words and (words[0].lower().strip(".") in _STOP_FIRST or words[0] in _LEGAL_WORDS):
        a = text.index(words[0], a) + len(words[0])
        words = words[1:]
    while words and words[-1].lower() in _TRAILING:
        words = words[:-1]
    if not words:
        return a, a, []
    a = text.index(words[0], a)
    end = a
    for w in words:
        end = text.index(w, end) + len(w)
    return a, end, words


def new_actor_proposals(
    doc: Document,
    text: str,
    line_starts: list[int],
    mentions: list[Mention],
    gaz: Gazetteer,
    source_id: str,
    not_organisations: set[str],
) -> list[Proposal]:
    """The ``new-actor`` proposals of *doc*: names found by each rule in turn (legal form, list
    item, institution word, capitalised run, acronym) that no mention, known name or person
    covers, with the near matches among known actors as suggestions."""
    taken = sorted((m.start, m.end) for m in mentions)

    def overlaps(a: int, b: int) -> bool:
        i = bisect.bisect_left(taken, (b, b))
        return any(taken[j][1] > a for j in range(max(0, i - 8), i))

    names = [(n, i) for n, i in gaz.all_names() if gaz.entities[i].kind == "actor"]
    choices = [n for n, _ in names]
    found: dict[str, Proposal] = {}
    for rule, pattern, conf in (
        ("legal-form", _LEGAL_NAME, 0.8),
        ("list-item", None, 0.5),
        ("institution-word", _INST_WORD, 0.7),
        ("capitalised-run", _CAP_RUN, 0.4),
        ("acronym", None, 0.3),
    ):
        spans = []
        if rule == "list-item":
            found_here = [(a, n) for a, n in _list_items(doc, line_starts)]
        elif rule == "acronym":
            found_here = _acronyms(doc, line_starts)
        else:
            found_here = [(m.start(1), m.group(1)) for m in pattern.finditer(text)]
        for start, raw in found_here:
            if len(raw) > MAX_NAME:
                continue  # not a name (a run of capitals, a hostile line)
            a, end, words = _trim(text, start, raw)
            name = " ".join(words).strip(".,'-")
            if rule == "capitalised-run" and len(words) < 2:
                continue
            if rule == "institution-word" and not (_candidate_type(name) and name[:1].isupper()):
                continue
            short = len(name) < 3 and not (len(name) == 2 and name.isupper())
            if short or not any(c.isupper() for c in name) or overlaps(a, end):
                continue
            if len(words) >= 3 and name.isupper():
                continue  # a heading in capitals
            if fold_name(name) in not_organisations:
                continue  # a person named in data/
            key = fold_name(name)
            if key in gaz.patterns:
                continue
            spans.append((a, end))
            p = found.get(key)
            if p is None:
                near = process.extract(
                    key, choices, scorer=fuzz.token_set_ratio, limit=6, score_cutoff=85
                )
                seen: list[str] = []
                for _choice, score, idx in near:
                    ident = names[idx][1]
                    if not any(x.startswith(ident + " ") for x in seen):
                        seen.append(f"{ident} ({score:.0f})")
                p = Proposal(
                    "new-actor",
                    source_id,
                    doc.name,
                    conf,
                    rule,
                    clip(text, a, end),
                    id=slugify(name),
                    label=name,
                    type=_candidate_type(name),
                    suggestions="|".join(seen[:3]),
                )
                found[key] = p
            p.lines.append((line_of(line_starts, a), line_of(line_starts, end - 1)))
        taken = sorted(taken + spans)  # a weaker rule does not re-propose a stronger one's name
    return list(found.values())
