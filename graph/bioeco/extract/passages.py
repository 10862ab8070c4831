"""Where a proposal stands in a report: its sentences, the passage around a match, line numbers."""

from __future__ import annotations

import bisect
import functools
import re

__all__ = [
    "clip",
    "is_short",
    "line_of",
    "sentences",
]


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"«“(]?[A-ZÆØÅ0-9])|\s*•\s*")


def clip(text: str, start: int, end: int, width: int = 300) -> str:
    """The sentence around *start*..*end* in *text*, white space collapsed, at most *width*
    characters (cut around the match, marked with "…").

    Examples
    --------
    >>> clip("Innledning\\n\\nVi møtte Nofima. Så UiT.", 20, 26)
    'Vi møtte Nofima.'
    """
    spans = sentences(text)
    lo, hi = start, max(start, end)
    k = bisect.bisect_right(spans, (start, len(text) + 1)) - 1
    if k >= 0 and spans[k][0] <= start < spans[k][1]:
        lo, hi = spans[k][0], max(spans[k][1], end)
    if hi - lo > width:
        lo = max(lo, start - width // 2)
        hi = min(hi, lo + width)
    piece = " ".join(text[lo:hi].split())
    before = "… " if lo > 0 and text[lo - 1] not in "\n.!?•" else ""
    after = " …" if hi < len(text) and not piece.endswith((".", "!", "?", ":")) else ""
    return before + piece + after


def line_of(line_starts: list[int], offset: int) -> int:
    """The line number (from 1) of character *offset*, from the offsets where lines start."""
    return bisect.bisect_right(line_starts, offset)


@functools.lru_cache(maxsize=4)
def sentences(text: str) -> tuple[tuple[int, int], ...]:
    """Sentence spans: paragraphs (split at blank lines) split at sentence ends and bullets."""
    spans: list[tuple[int, int]] = []
    for para in re.finditer(r"(?:[^\n]*\S[^\n]*(?:\n|$))+", text):
        start = para.start()
        for m in _SENTENCE_END.finditer(text, para.start(), para.end()):
            if m.start() > start:
                spans.append((start, m.start()))
            start = m.end()
        if para.end() > start:
            spans.append((start, para.end()))
    return tuple(spans)


def is_short(line: str) -> bool:
    """A line of one to five words not ending in ".", "," or ";" (a list line, a heading)."""
    words = line.split()
    return 0 < len(words) <= 5 and not line.rstrip().endswith((".", ",", ";"))
