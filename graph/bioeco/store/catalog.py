"""The example queries in ``graph/bioeco/store/queries/*.rq``: name, question and text."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bioeco.core.paths import QUERIES_DIR
from bioeco.errors import UsageError

__all__ = ["ExampleQuery", "example_queries", "example_query"]


@dataclass(frozen=True)
class ExampleQuery:
    """One example query: ``name`` (file stem), ``question`` (its leading comment), ``text``
    (the SPARQL, without the project's prefix lines, which every bioeco endpoint predeclares),
    ``path`` (the ``.rq`` file)."""

    name: str
    question: str
    text: str
    path: Path


def _read(path: Path) -> ExampleQuery:
    text = path.read_text(encoding="utf-8")
    comment = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        comment.append(line.lstrip("#").strip())
    if not comment or not comment[0]:
        raise UsageError(f"{path}: the first line must be a comment stating the question")
    return ExampleQuery(path.stem, " ".join(c for c in comment if c), text, path)


def example_queries(folder: Path | str | None = None) -> list[ExampleQuery]:
    """Every example query in *folder* (default ``graph/bioeco/store/queries/``), sorted by name.

    Examples
    --------
    >>> [q.name for q in example_queries()][:2]
    ['cross-sector-initiatives', 'members-in-year']
    >>> example_queries()[0].question.split(":")[0]
    'Initiatives where sectors meet'
    """
    return [_read(p) for p in sorted(Path(folder or QUERIES_DIR).glob("*.rq"))]


def example_query(name: str, folder: Path | str | None = None) -> ExampleQuery:
    """The example query called *name* (its file name without ``.rq``).

    Examples
    --------
    >>> example_query("survey-by-stage").text.startswith("# What survey respondents")
    True
    >>> example_query("nope")
    Traceback (most recent call last):
    ...
    bioeco.errors.UsageError: no example query 'nope'; bioeco queries lists them: ...
    """
    found = {q.name: q for q in example_queries(folder)}
    if name not in found:
        raise UsageError(
            f"no example query {name!r}; bioeco queries lists them: {', '.join(sorted(found))}"
        )
    return found[name]
