"""Turn the mentions in a report into proposals for review: aliases, memberships, new actors.

Three kinds of proposal, one CSV row each (columns :data:`COLUMNS`):

- ``mention``: a known actor or initiative named in the report, one row per entity and
  spelling (as written, without the inflection ending), with every place it stands.
  Accepting it records the spelling in ``aliases.csv`` of the report's folder (the usual way
  to note that a source names an organisation). Spellings this source already records (a
  label or alias of an entity it defines, or one of its alias rows) have status ``recorded``.
- ``membership``: an actor and an initiative (or a cluster/centre and a project, event, …)
  named in one sentence; an actor in a section whose heading names an initiative; or a list
  of names under a heading such as "Partnere:" next to a sentence about the publisher
  ("Klyngen bestod av 37 medlemmer"). The role comes from the cue word nearest the member
  (:data:`ROLE_CUES`), else from the two types; the confidence grows with a cue and with
  fewer names in the passage, and is lower for a heading than for one sentence.
- ``new-actor``: an organisation-like name that matches nothing known: a name with a legal
  form (``AS``, ``ASA``, ``SA`` …), a line of a list of names, a name with an institution
  word (universitet, institutt, høgskole, kommune …), a run of two or more capitalised words,
  or an acronym. People named in ``data/`` and headings in capitals are left out. Near
  matches to known actors (rapidfuzz) are listed in ``suggestions``: put one of those ids
  into ``subject`` to record the name as an alias instead of a new actor.

Rows an analyst rejected before (``rejected.csv``, see :mod:`bioeco.extract.accept`) are not
proposed again. Output is sorted and deterministic.
"""

from __future__ import annotations

import bisect
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from bioeco.extract.document import Document
from bioeco.extract.matching import WE, Gazetteer, Mention, fold_name
from bioeco.extract.newactors import MAX_NAME, new_actor_proposals
from bioeco.extract.passages import clip, is_short, line_of, sentences
from bioeco.extract.proposal import (
    COLUMNS,
    REJECTED_TABLE,
    Proposal,
    Rejection,
    proposal_key,
    proposals_csv,
    read_rejected,
)
from bioeco.ingest.load import Records

__all__ = [
    "COLUMNS",
    "MAX_NAME",
    "REJECTED_TABLE",
    "ROLE_CUES",
    "Proposal",
    "Rejection",
    "proposal_key",
    "proposals_csv",
    "propose",
    "read_rejected",
]


ROLE_CUES: tuple[tuple[str, str], ...] = (
    (r"medarrang\w*|arrangert sammen med|arrangerte sammen med", "co-organiser"),
    (r"samarbeidspartner\w*|partner\w*", "partner"),
    (r"finansiert av|finansier\w*|stotte fra|stottet av|stotte|midler fra|tilskudd", "funder"),
    (r"prosjektleder\w*|ledet av|ledes av|leder|ledelse", "project-leader"),
    (r"koordinator\w*|koordiner\w*", "coordinator"),
    (r"medlem\w*", "member"),
    (r"vertskap|vert for", "host"),
    (r"arrang\w*", "organiser"),
    (r"soknad\w*|soker|sokte", "applicant"),
    (r"deltak\w*|deltag\w*|deltok|delta|deltar", "participant"),
    (r"bidr\w*|innlegg|innhold|foredrag\w*", "contributor"),
    (r"i samarbeid med|sammen med|samarbeid\w*", "collaborator"),
    (r"eier\w*|eid av", "owner"),
)
"""Cue words (regular expressions on folded text, matched at word starts) and the role each
suggests, strongest first: "finansiert av" → ``funder``, "partner" → ``partner`` …"""


_CUES = [(re.compile(r"(?<!\w)(?:" + pattern + r")(?!\w)"), role) for pattern, role in ROLE_CUES]


_MEMBER_INITIATIVES = {"cluster", "centre"}


_ACTIVITY_INITIATIVES = {
    "project",
    "event",
    "event-series",
    "service",
    "application",
    "forum",
    "committee",
    "network",
    "infrastructure",
    "strategy",
}


@dataclass(frozen=True)
class _Passage:
    start: int
    end: int
    list_item: bool = False
    heading_role: str = ""


def _section_headings(
    doc: Document, mentions: list[Mention], line_starts: list[int]
) -> dict[int, list[Mention]]:
    """For each line, the initiatives named in the heading of the section it belongs to.

    A heading is a short line (at most six words, no closing full stop) after a blank line;
    its section runs to the next heading.
    """
    by_line: dict[int, list[Mention]] = defaultdict(list)
    for m in mentions:
        if m.entity.kind == "initiative" and m.rule != "generic":
            by_line[m.first_line].append(m)
    current: list[Mention] = []
    out: dict[int, list[Mention]] = {}
    previous_blank = True
    for n, line in enumerate(doc.lines, start=1):
        words = line.split()
        is_heading = (
            previous_blank
            and 0 < len(words) <= 6
            and not line.rstrip().endswith((".", ",", ";", ":"))
            and line.lstrip()[:1].isupper()
        )
        if is_heading:
            current = list(by_line.get(n, []))
        out[n] = current
        previous_blank = not words
    return out


def _role_near(folded_passage: str, anchor: int) -> tuple[str, int]:
    """The role of the cue closest to *anchor* in a folded passage ("" if none), and distance."""
    best = ("", 10**9)
    for rank, (pattern, role) in enumerate(_CUES):
        for m in pattern.finditer(folded_passage):
            dist = abs(m.start() - anchor) + rank  # ties go to the stronger cue
            if dist < best[1]:
                best = (role, dist)
    return best


_GOVERNING = {
    "ministry",
    "public-agency",
    "funding-agency",
    "regional-authority",
    "international-organisation",
    "municipality",
}


_HOSTING = {"university", "university-college", "research-institute", "hospital"}


def _role_by_types(member_type: str, org_type: str) -> str:
    """The usual role when no cue word says it: agencies organise programmes and strategies,
    universities and institutes host projects, everyone else participates.

    Examples
    --------
    >>> _role_by_types("ministry", "strategy"), _role_by_types("university", "project")
    ('organiser', 'host')
    >>> _role_by_types("company", "project")
    'participant'
    """
    if member_type in _GOVERNING and org_type in ("programme", "strategy", "committee", "service"):
        return "organiser"
    if member_type in _HOSTING and org_type in ("project", "centre", "infrastructure"):
        return "host"
    return "participant"


def _list_blocks(doc: Document, by_line: dict[int, list[Mention]]) -> list[tuple[int, int]]:
    """Runs of short lines (blank lines allowed) that mostly name actors: member lists."""
    blocks = []
    n = len(doc.lines)
    i = 0
    while i < n:
        if not is_short(doc.lines[i]):
            i += 1
            continue
        j = i
        while j + 1 < n and (not doc.lines[j + 1].strip() or is_short(doc.lines[j + 1])):
            j += 1
        named = sum(
            1 for k in range(i, j + 1) if any(m.entity.kind == "actor" for m in by_line[k + 1])
        )
        if named >= 3:
            blocks.append((i + 1, j + 1))
        i = j + 1
    return blocks


def propose(
    doc: Document,
    records: Records,
    source_id: str,
    *,
    publisher: str | None = None,
    rejected: Iterable[str] = (),
    gazetteer: Gazetteer | None = None,
) -> list[Proposal]:
    """All proposals for *doc*, known facts of *source_id* marked ``recorded``, rejected left out.

    Examples
    --------
    >>> from bioeco.ingest.load import Actor, Initiative, Records
    >>> from bioeco.extract.document import document_from_text
    >>> r = Records(actors=[Actor("nofima", "Nofima", "research-institute", "a", "l. 1")],
    ...             initiatives=[Initiative("webimar", "WebiMar", "event-series", "a", "l. 1")])
    >>> doc = document_from_text("WebiMar ble laget med Nofima som partner.", "r.txt")
    >>> [(p.kind, p.member or p.subject, p.organization, p.role) for p in propose(doc, r, "b")]
    [('mention', 'nofima', '', ''), ('mention', 'webimar', '', ''), ('membership', 'nofima', \
'webimar', 'partner')]
    """
    if publisher is None:
        publisher = next((s.publisher for s in records.sources if s.id == source_id), None)
    gaz = gazetteer or Gazetteer.from_records(records, publisher=publisher)
    text = doc.text
    line_starts = [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"]
    mentions = gaz.find(text)
    rejected = set(rejected)
    out: list[Proposal] = []
    out += _mention_proposals(doc, text, mentions, records, source_id)
    out += _membership_proposals(doc, text, line_starts, mentions, records, source_id)
    people = {fold_name(p.name) for p in records.people}
    out += new_actor_proposals(doc, text, line_starts, mentions, gaz, source_id, people)
    kept = []
    for p in out:
        if p.key in rejected:
            continue
        p.lines = sorted(set(p.lines))
        p.locator = _locator(doc, p.lines)
        kept.append(p)
    order = {"mention": 0, "membership": 1, "new-actor": 2}
    kept.sort(
        key=lambda p: (
            order[p.kind],
            p.lines[0],
            p.subject,
            p.member,
            p.organization,
            p.role,
            p.label,
            p.alias,
        )
    )
    return kept


def _locator(doc: Document, lines: list[tuple[int, int]], most: int = 8) -> str:
    """``l. 3, 17-18`` (grouped by page for paged documents), at most *most* places."""
    shown = lines[:most]
    parts: list[str] = []
    if doc.paged:
        by_page: dict[str, list[str]] = defaultdict(list)
        for a, b in shown:
            pa, pb = doc.pages[a - 1], doc.pages[b - 1]
            page = f"p. {pa}" if pa == pb else f"p. {pa}-{pb}"
            by_page[page].append(str(a) if a == b else f"{a}-{b}")
        parts = [f"{page}; l. {', '.join(ls)}" for page, ls in by_page.items()]
        text = " / ".join(parts)
    else:
        text = "l. " + ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in shown)
    if len(lines) > most:
        text += f" (and {len(lines) - most} more)"
    return text


def _recorded_spellings(records: Records, source_id: str) -> set[tuple[str, str]]:
    got = set()
    for rows in (records.actors, records.initiatives):
        for r in rows:
            if r.source == source_id:
                for name in (r.label, r.label_en, *r.aliases):
                    if name:
                        got.add((r.id, " ".join(name.split())))
    for a in records.aliases:
        if a.source == source_id:
            got.add((a.subject, " ".join(a.alias.split())))
    return got


def _mention_proposals(
    doc: Document, text: str, mentions: list[Mention], records: Records, source_id: str
) -> list[Proposal]:
    recorded = _recorded_spellings(records, source_id)
    groups: dict[tuple[str, str], Proposal] = {}
    for m in mentions:
        if m.rule == "generic":
            continue
        key = (m.entity.id, m.surface)
        p = groups.get(key)
        if p is None:
            status = "recorded" if key in recorded else "proposed"
            p = Proposal(
                "mention",
                source_id,
                doc.name,
                m.confidence,
                m.rule + (f"; also {'|'.join(m.ambiguous)}" if m.ambiguous else ""),
                clip(text, m.start, m.end),
                status=status,
                subject=m.entity.id,
                alias=m.surface,
                label=m.entity.label,
                type=m.entity.type,
            )
            groups[key] = p
        p.confidence = max(p.confidence, m.confidence)
        p.lines.append((m.first_line, m.last_line))
    return list(groups.values())


def _membership_proposals(
    doc: Document,
    text: str,
    line_starts: list[int],
    mentions: list[Mention],
    records: Records,
    source_id: str,
) -> list[Proposal]:
    recorded = {
        (m.member, m.organization, m.role) for m in records.memberships if m.source == source_id
    }
    found: dict[tuple[str, str, str], Proposal] = {}

    def offer(
        member: Mention,
        org: Mention,
        role: str,
        conf: float,
        span: tuple[int, int],
        rule: str,
        lines: tuple[int, int],
    ) -> None:
        if member.entity.id == org.entity.id:
            return
        key = (member.entity.id, org.entity.id, role)
        p = found.get(key)
        if p is None:
            p = Proposal(
                "membership",
                source_id,
                doc.name,
                conf,
                rule,
                clip(text, span[0], span[1]),
                status="recorded" if key in recorded else "proposed",
                member=member.entity.id,
                organization=org.entity.id,
                role=role,
                label=f"{member.entity.label} → {org.entity.label}",
            )
            found[key] = p
        p.confidence = max(p.confidence, conf)
        p.lines.append(lines)

    # (1) one sentence naming an actor and an initiative; (1b) an initiative named in the
    # heading of a section and an actor in one of its sentences
    by_start = sorted(mentions, key=lambda m: m.start)
    starts = [m.start for m in by_start]
    headings = _section_headings(doc, by_start, line_starts)
    for a, b in sentences(text):
        inside = by_start[bisect.bisect_left(starts, a) : bisect.bisect_left(starts, b)]
        lines = (line_of(line_starts, a), line_of(line_starts, max(a, b - 1)))
        heading = headings.get(lines[0], [])
        if not inside or (len(inside) < 2 and not heading):
            continue
        span_lines = [doc.lines[k - 1] for k in range(lines[0], lines[1] + 1)]
        filled = [ln for ln in span_lines if ln.strip()]
        if len(filled) >= 3 and sum(is_short(ln) for ln in filled) > 0.6 * len(filled):
            continue  # a list, not a sentence: handled by the list rule below
        folded = fold_name(text[a:b])
        ids = {m.entity.id for m in inside}
        size_bonus = 0.15 if len(ids) <= 3 else (0.05 if len(ids) <= 6 else -0.1)
        organiser_cue = any(pat.search(folded) for pat, r in _CUES if r.endswith("organiser"))
        # "klyngen"/"senteret" is the organisation only as the subject opening the sentence
        # ("Klyngen bestod av …"); "vi" (we) is only ever a member
        opening = len(text[a:b]) - len(text[a:b].lstrip()) + a
        in_sentence = [
            (m, 1.0, "co-mention")
            for m in inside
            if m.entity.kind == "initiative"
            and (m.rule != "generic" or (m.start <= opening + 1 and m.name not in WE))
        ]
        named = {m.entity.id for m, _f, _r in in_sentence}
        from_heading = [(m, 0.7, "section heading") for m in heading if m.entity.id not in named]
        for org, factor, rule in in_sentence + from_heading:
            for member in inside:
                e = member.entity
                ok = e.kind == "actor" or (
                    e.type in _MEMBER_INITIATIVES and org.entity.type in _ACTIVITY_INITIATIVES
                )
                if not ok or e.id == org.entity.id:
                    continue
                anchor = len(fold_name(text[a : member.start]))
                role, dist = _role_near(folded, anchor)
                conf = 0.35 + size_bonus + (0.3 if role and dist < 120 else 0.15 if role else 0)
                conf *= min(1.0, member.confidence + 0.05) * min(1.0, org.confidence + 0.3)
                conf *= factor
                how = rule
                if role == "project-leader" and org.entity.type not in ("project", "application"):
                    role = "lead"
                if role in ("collaborator", "partner") and organiser_cue:
                    role = "co-organiser"
                if not role:
                    role = _role_by_types(e.type, org.entity.type)
                    how += "; no cue word, role from types"
                lines_of_pair = lines if rule == "co-mention" else (org.first_line, lines[1])
                offer(member, org, role, round(min(conf, 0.95), 2), (a, b), how, lines_of_pair)

    # (2) lists of names next to a sentence about an initiative
    by_line: dict[int, list[Mention]] = defaultdict(list)
    for m in mentions:
        by_line[m.first_line].append(m)
    for first, last in _list_blocks(doc, by_line):
        context = [
            k
            for k in [
                *range(max(1, first - 3), first),
                *range(last + 1, min(len(doc.lines), last + 3) + 1),
            ]
            if doc.lines[k - 1].strip()
        ]
        orgs = [m for k in context for m in by_line[k] if m.entity.kind == "initiative"]
        if not orgs:
            continue
        org = min(
            orgs,
            key=lambda m: (
                abs(m.first_line - first) if m.first_line < first else abs(m.first_line - last)
            ),
        )
        ctx_role = ""
        for k in context:
            role, _ = _role_near(fold_name(doc.lines[k - 1]), 0)
            ctx_role = ctx_role or role
        heading_role = ""
        for k in range(first, last + 1):
            line = doc.lines[k - 1]
            if line.rstrip().endswith(":") and not by_line[k]:
                heading_role, _ = _role_near(fold_name(line), 0)
                continue
            for m in by_line[k]:
                if m.entity.kind != "actor":
                    continue
                role = heading_role or ctx_role or "member"
                conf = 0.75 if (heading_role or ctx_role) else 0.45
                span = (line_starts[first - 1], line_starts[min(last, len(line_starts) - 1)])
                offer(
                    m,
                    org,
                    role,
                    round(conf * min(1.0, m.confidence + 0.05), 2),
                    span,
                    "list" + ("" if heading_role or ctx_role else "; no cue word"),
                    (m.first_line, m.last_line),
                )
    return list(found.values())
