"""An ecosystem graph with its questions one call away, and a readable summary in Jupyter."""

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from rdflib import Dataset, Graph

from bioeco.analyses.project import Network, load_network
from bioeco.analyses.sectors import NO_SECTOR, sector_counts, sectors_by_year
from bioeco.errors import UsageError
from bioeco.store.query import DEFAULT_TIMEOUT, select

__all__ = ["Ecosystem", "readable"]

_TOTALS = """
SELECT
  (COUNT(DISTINCT ?actor) AS ?actors) (COUNT(DISTINCT ?initiative) AS ?initiatives)
  (COUNT(DISTINCT ?membership) AS ?memberships) (COUNT(DISTINCT ?person) AS ?people)
  (COUNT(DISTINCT ?source) AS ?sources)
WHERE {
  { ?actor a org:Organization FILTER NOT EXISTS { ?actor a org:OrganizationalCollaboration } }
  UNION { ?initiative a org:OrganizationalCollaboration }
  UNION { ?membership a org:Membership }
  UNION { ?person a foaf:Person }
  UNION { ?source a bioeco:SourceDocument }
}"""

_SOURCES = """
SELECT ?source ?title ?issued
  (COUNT(DISTINCT ?actor) AS ?actors) (COUNT(DISTINCT ?initiative) AS ?initiatives)
  (COUNT(DISTINCT ?membership) AS ?memberships) (COUNT(DISTINCT ?figure) AS ?figures)
WHERE {
  ?doc a bioeco:SourceDocument .
  BIND (REPLACE(STR(?doc), "^.*/", "") AS ?source)
  OPTIONAL { ?doc dcterms:title ?en FILTER (LANGMATCHES(LANG(?en), "en")) }
  OPTIONAL { ?doc dcterms:title ?any }
  OPTIONAL { ?doc dcterms:issued ?date }
  BIND (COALESCE(?en, ?any, ?source) AS ?title)
  BIND (COALESCE(SUBSTR(STR(?date), 1, 4), "") AS ?issued)
  OPTIONAL { { ?actor a org:Organization ; prov:wasDerivedFrom ?doc .
               FILTER NOT EXISTS { ?actor a org:OrganizationalCollaboration } }
    UNION { ?initiative a org:OrganizationalCollaboration ; prov:wasDerivedFrom ?doc }
    UNION { ?membership a org:Membership ; prov:wasDerivedFrom ?doc }
    UNION { ?figure a qb:Observation ; prov:wasDerivedFrom ?doc } }
}
GROUP BY ?source ?title ?issued ORDER BY ?issued ?source"""

_NUMBERS = ("actors", "initiatives", "memberships", "people", "sources")


def _cell(value: Any) -> str:
    """One table cell as escaped HTML text (numbers right-aligned by the caller)."""
    return html.escape(str(value), quote=True)


def _table(frame: pd.DataFrame, caption: str, headers: dict[str, str]) -> str:
    """A small escaped HTML table of *frame*'s columns *headers* (column -> header text);
    number columns right-aligned."""
    numeric = {c: pd.api.types.is_numeric_dtype(frame[c]) for c in headers}

    def align(column: str) -> str:
        return ' style="text-align:right"' if numeric[column] else ' style="text-align:left"'

    head = "".join(f"<th{align(c)}>{_cell(text)}</th>" for c, text in headers.items())
    body = [
        "<tr>"
        + "".join(f"<td{align(c)}>{_cell(v)}</td>" for c, v in zip(headers, row, strict=True))
        + "</tr>"
        for row in frame[list(headers)].itertuples(index=False)
    ]
    return (
        '<table style="margin:0"><caption style="text-align:left;font-weight:bold">'
        f"{_cell(caption)}</caption><thead><tr>{head}</tr></thead>"
        f"<tbody>{''.join(body)}</tbody></table>"
    )


def _readable_cell(value: Any, names: Mapping[str, str], digits: int) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool | np.bool_):
        return "yes" if value else ""
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        return "" if math.isnan(value) else round(float(value), digits) + 0.0
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value) if isinstance(value, set | frozenset) else value
        return ", ".join(str(_readable_cell(v, names, digits)) for v in items)
    if isinstance(value, str):
        return names.get(value, value)
    return str(value)


def readable(
    frame: pd.DataFrame,
    columns: Sequence[str] | Mapping[str, str] | None = None,
    *,
    labels: Mapping[str, str] | None = None,
    digits: int = 2,
) -> pd.DataFrame:
    """A copy of *frame* to show to people: lists joined with commas, codes and ids replaced
    by their names (*labels*), missing values and ``False`` blank, ``True`` as "yes", numbers
    rounded to *digits*, and ``_`` in column names replaced by spaces.

    *columns* picks and orders columns (default: all); a mapping also renames them
    (column → header). The result is for reading only: its
    cells are text or numbers, not the lists and codes the analyses work with.

    Examples
    --------
    >>> frame = pd.DataFrame({"label": ["UiT"], "sectors": [("marine", "health")],
    ...                       "score": [0.12345], "note": [None], "thin": [True]})
    >>> row = readable(frame, labels={"marine": "Marine industries"}).iloc[0]
    >>> row["sectors"], float(row["score"]), row["note"], row["thin"]
    ('Marine industries, health', 0.12, '', 'yes')
    >>> readable(frame, {"label": "actor", "score": "bridge score"}).columns.tolist()
    ['actor', 'bridge score']
    """
    names = dict(labels or {})
    if columns is None:
        headers = {c: str(c).replace("_", " ") for c in frame.columns}
    elif isinstance(columns, Mapping):
        headers = dict(columns)
    else:
        headers = {c: str(c).replace("_", " ") for c in columns}
    missing = [c for c in headers if c not in frame.columns]
    if missing:
        raise UsageError(f"the table has no column {', '.join(missing)}")
    return pd.DataFrame(
        {h: [_readable_cell(v, names, digits) for v in frame[c]] for c, h in headers.items()},
        index=frame.index,
    )


class Ecosystem:
    """A bioeco graph (an rdflib ``Dataset`` following the vocabulary contract) with its
    common questions as methods; in Jupyter it shows as a summary of what it holds.

    Make one with :meth:`build` (from the tables in ``data/``), :meth:`open` (the graph the
    command line uses) or ``Ecosystem(dataset)`` around any graph. :attr:`dataset` is the
    graph itself, for :func:`bioeco.select`, the analyses and the ``%%sparql`` magic.

    Examples
    --------
    >>> from bioeco.analyses._fixture import example_graph
    >>> eco = Ecosystem(example_graph())
    >>> eco
    Ecosystem: 6 actors, 4 initiatives, 12 memberships, 0 people, 1 source document
    >>> eco.sectors()[["label", "actors", "initiatives"]].head(2)
           label  actors  initiatives
    0  agri-food       3            2
    1     health       2            1
    >>> "<table" in eco._repr_html_()
    True
    """

    def __init__(self, dataset: Graph | Dataset) -> None:
        if not isinstance(dataset, Graph):
            raise UsageError(f"an Ecosystem wraps an rdflib Graph or Dataset, not {type(dataset)}")
        self._dataset = dataset
        self._labels: tuple[int, dict[str, str]] | None = None

    @classmethod
    def build(
        cls, data_dir: Path | str | None = None, *, ontology_dir: Path | str | None = None
    ) -> Ecosystem:
        """Build the graph from the tables in *data_dir* (default ``data/``), in memory.

        Raises :class:`~bioeco.errors.DataError` naming file, row and field for a bad table.
        """
        from bioeco.ingest.build import build_dataset

        return cls(build_dataset(data_dir, ontology_dir=ontology_dir))

    @classmethod
    def open(
        cls,
        graph_file: Path | str | list[Path | str] | None = None,
        *,
        data_dir: Path | str | None = None,
        out_dir: Path | str | None = None,
    ) -> Ecosystem:
        """The graph the command line works on (:func:`bioeco.open_graph`): *graph_file* if
        given, else built from *data_dir* if given, else ``out/bioeco.trig`` (with the
        analysis results) if it exists, else built from ``data/``."""
        from bioeco.pipeline import open_graph

        # the analyses read the whole graph: faster parsed into memory than from the store
        return cls(open_graph(data_dir, graph_file, out_dir=out_dir, store=False))

    @property
    def dataset(self) -> Graph | Dataset:
        """The rdflib graph (an Oxigraph-backed ``Dataset`` when built or opened)."""
        return self._dataset

    def select(self, query: str, *, prefixes: bool = True) -> pd.DataFrame:
        """Run a SPARQL query, answered as a DataFrame (:func:`bioeco.select`: project prefixes
        predeclared, ``SERVICE``/``LOAD`` and foreign ``FROM`` refused)."""
        return select(self._dataset, query, prefixes=prefixes, timeout=DEFAULT_TIMEOUT)

    def network(self, *, as_of: int | None = None, basis: str = "all") -> Network:
        """The member-initiative network the analyses use (see :func:`bioeco.load_network`)."""
        return load_network(self._dataset, as_of=as_of, basis=basis)

    def totals(self) -> dict[str, int]:
        """How many actors, initiatives, memberships, people and source documents it holds."""
        row = select(self._dataset, _TOTALS).iloc[0]
        return {name: int(row[name]) for name in _NUMBERS}

    def sources(self) -> pd.DataFrame:
        """One row per source document: ``source`` (id), ``title`` (English when given),
        ``issued`` (year), ``actors``, ``initiatives``, ``memberships`` and ``figures`` (survey
        answers and other stated numbers) derived from it."""
        frame = select(self._dataset, _SOURCES)
        columns = ["actors", "initiatives", "memberships", "figures"]
        if frame.empty:
            return pd.DataFrame(columns=["source", "title", "issued", *columns])
        frame[columns] = frame[columns].astype(int)
        return frame

    def kinds(self) -> pd.DataFrame:
        """How many actors and initiatives of each type: ``kind`` (actor/initiative),
        ``type`` (readable type name), ``count``; most frequent first within each kind."""
        net = self.network()
        concepts = net.concepts
        names: dict[tuple[str, str], str] = {
            (scheme, code): str(label)
            for scheme, code, label in concepts[["scheme", "code", "label"]].itertuples(False)
        }
        rows: dict[tuple[str, str], int] = {}
        for kind, typ in net.nodes[["kind", "type"]].itertuples(index=False):
            if isinstance(typ, str):
                name = names.get((f"{kind}-type", typ), typ.replace("-", " "))
            else:
                name = "type not recorded"
            rows[(kind, name)] = rows.get((kind, name), 0) + 1
        frame = pd.DataFrame(
            [{"kind": k, "type": t, "count": n} for (k, t), n in rows.items()],
            columns=["kind", "type", "count"],
        )
        frame = frame.sort_values(["kind", "count", "type"], ascending=[True, False, True])
        return frame.reset_index(drop=True)

    def sectors(self) -> pd.DataFrame:
        """Actors, initiatives and memberships per top-level sector
        (:func:`bioeco.sector_counts`)."""
        return sector_counts(self.network())

    def by_year(self, years: Iterable[int] = (2017, 2021)) -> pd.DataFrame:
        """Actors, initiatives and memberships per sector in each year
        (:func:`bioeco.sectors_by_year`)."""
        return sectors_by_year(self._dataset, years)

    def labels(self) -> dict[str, str]:
        """Readable names of the codes and ids the analyses use: sector, stage and other
        concept codes (``marine`` → "Marine industries") and actor and initiative ids
        (``actor/uit`` → its label)."""
        from bioeco.viz.plots import concept_labels

        size = len(self._dataset)
        if self._labels is None or self._labels[0] != size:  # recomputed when the graph changed
            net = self.network()
            names = concept_labels(net)
            names.update(zip(net.nodes["id"], net.nodes["label"], strict=True))
            self._labels = (size, names)
        return dict(self._labels[1])

    def readable(
        self,
        frame: pd.DataFrame,
        columns: Sequence[str] | Mapping[str, str] | None = None,
        *,
        digits: int = 2,
    ) -> pd.DataFrame:
        """:func:`readable` with this ecosystem's :meth:`labels`: a table to show to people."""
        return readable(frame, columns, labels=self.labels(), digits=digits)

    def analyses(self, kinds: Iterable[str] = ("all",), **options: Any) -> dict[str, pd.DataFrame]:
        """Run the gap, overlap and bridge analyses (:func:`bioeco.run_analyses`; *options*
        such as ``as_of``, ``sector``, ``region``, ``top``, ``min_shared`` are passed on)."""
        from bioeco.analyses.run import run_analyses

        return run_analyses(self._dataset, kinds, **options)

    def _headline(self) -> str:
        t = self.totals()
        docs = "source document" if t["sources"] == 1 else "source documents"
        return (
            f"{t['actors']} actors, {t['initiatives']} initiatives, "
            f"{t['memberships']} memberships, {t['people']} people, {t['sources']} {docs}"
        )

    def __repr__(self) -> str:
        return f"Ecosystem: {self._headline()}"

    def _repr_html_(self) -> str:
        """The summary Jupyter shows: totals, then counts per source, type and sector."""
        sources = _table(
            self.sources(),
            "Source documents",
            {
                "title": "title",
                "issued": "issued",
                "actors": "actors",
                "initiatives": "initiatives",
                "memberships": "memberships",
                "figures": "figures",
            },
        )
        kinds = self.kinds()
        types = [
            _table(
                kinds[kinds["kind"] == kind],
                f"Types of {kind}s",
                {"type": "type", "count": "count"},
            )
            for kind in ("actor", "initiative")
        ]
        sectors = self.sectors()
        sectors = sectors[
            (sectors[["actors", "initiatives"]].sum(axis=1) > 0) | (sectors["sector"] != NO_SECTOR)
        ]
        sector_table = _table(
            sectors,
            "Sectors (narrower ones rolled up; a member of two sectors counts in both)",
            {
                "label": "sector",
                "actors": "actors",
                "initiatives": "initiatives",
                "memberships": "memberships",
            },
        )
        return (
            '<div class="bioeco-ecosystem">'
            f"<p><strong>Bioeconomy ecosystem</strong>: {_cell(self._headline())}</p>"
            f"{sources}"
            '<div style="display:flex;flex-wrap:wrap;gap:2em;align-items:flex-start;'
            'margin-top:1em">'
            f"<div>{sector_table}</div><div>{types[0]}</div><div>{types[1]}</div>"
            "</div></div>"
        )
