"""The Excel workbook for colleagues: Read me, entity sheets, findings sheets, fixed bytes."""

from __future__ import annotations

import io
import math
import re
import zipfile
from collections.abc import Mapping
from datetime import datetime
from itertools import chain, repeat
from typing import Any

import numpy as np
import pandas as pd
from rdflib import Dataset, Graph

from bioeco.analyses.project import entity_id, load_network
from bioeco.analyses.run import format_cell
from bioeco.core.formats import LIST_SEPARATOR, neutralise
from bioeco.core.values import xml_text

__all__ = [
    "SHEET_NOTES",
    "SHEET_ROWS",
    "ZIP_LEVEL",
    "Names",
    "cell_number",
    "entity_sheets",
    "findings_sheet",
    "readme_sheet",
    "sector_sheet",
    "sheet_cell",
    "workbook_bytes",
]


#: Rows a worksheet holds below its header (Excel's 1 048 576 rows in all): a longer table is
#: cut to its first rows (ranked tables: the best) and the Read me says so (:func:`fit_rows`).
SHEET_ROWS = 1_048_575

_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
#: The workbook's deflate level: zlib's fastest, 3x faster than its default 6 on the sheets'
#: XML (scale 100: 188 MB of it, 2.5 -> 0.8 CPU s) for a file about a third larger.
ZIP_LEVEL = 1


def cell_number(value: Any) -> int | float | None:
    """A number cell as int or float (rounded as in the CSVs), None when missing."""
    value = format_cell(value)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return value


def sheet_cell(value: Any) -> Any:
    """A worksheet value: the CSV cell (lists joined, floats rounded, formulas neutralised),
    control characters shown escaped, empty text as an empty cell.

    Examples
    --------
    >>> sheet_cell("=1+1"), sheet_cell(("a", "b")), sheet_cell(None), sheet_cell(2.5)
    ("'=1+1", 'a|b', None, 2.5)
    >>> sheet_cell("a\\x1bb")
    'a\\\\x1bb'
    """
    if isinstance(value, bool | np.bool_):
        return bool(value)  # a worksheet's own boolean (TRUE/FALSE), not the CSV's text
    value = format_cell(value)
    if isinstance(value, str):
        if value == "":
            return None
        value = _ILLEGAL.sub(_escaped, value)
        return neutralise(value)
    return value


def _sheet_values(values: list[Any]) -> list[Any]:
    """``[sheet_cell(v) for v in values]``, with text, numbers and lists of text (nearly every
    cell) done here without the general path, a column of one kind at once.

    Examples
    --------
    >>> _sheet_values(["=x", "", 0.1234567, 3, ("a", "b"), None, float("nan"), ["-a"]])
    ["'=x", None, 0.123457, 3, 'a|b', None, None, "'-a"]
    """
    kinds = set(map(type, values))
    out: list[Any]
    if kinds <= {str, type(None)} or kinds <= {list, tuple, type(None)}:
        texts = values
        if str not in kinds:
            try:  # lists of text joined (an item that is no text: the general path)
                texts = [v if v is None else LIST_SEPARATOR.join(v) for v in values]
            except TypeError:
                texts = None
        if texts is not None:
            return _texts(texts)
    if kinds == {float}:
        out = [round(v, 6) + 0.0 if math.isfinite(v) else None for v in values]
    elif kinds <= {int, bool, type(None)}:
        out = list(values)
    else:
        out = []
        add = out.append
        for value in values:
            kind = type(value)
            if kind is str or kind is tuple or kind is list:
                if kind is not str:
                    if not all(type(item) is str for item in value):
                        add(sheet_cell(value))
                        continue
                    value = LIST_SEPARATOR.join(value)
                add(neutralise(value) if value else None)
            elif kind is float:
                add(round(value, 6) + 0.0 if math.isfinite(value) else None)
            elif kind is int or kind is bool or value is None:
                add(value)
            else:
                add(sheet_cell(value))
    # control characters shown escaped (as sheet_cell does), looked for in the column at once
    joined = "".join([value for value in out if type(value) is str])
    if not joined.isprintable() and _ILLEGAL.search(joined):
        out = [
            neutralise(_ILLEGAL.sub(_escaped, v)) if type(v) is str and _ILLEGAL.search(v) else v
            for v in out
        ]
    return out


def _texts(values: list[str | None]) -> list[str | None]:
    """:func:`_sheet_values` of a column of text and gaps: empty text a gap, formulas
    neutralised, control characters shown escaped; each looked for in the column at once."""
    starts = {value[:1] for value in values if value}
    # neutralise looks at the first character only (= + - @, tab, CR)
    if any(neutralise(start) != start for start in starts):
        out = [neutralise(value) if value else None for value in values]
    else:
        out = [value or None for value in values]
    joined = "".join([value for value in out if value])
    if not joined.isprintable() and _ILLEGAL.search(joined):
        out = [
            neutralise(_ILLEGAL.sub(_escaped, v)) if v and _ILLEGAL.search(v) else v for v in out
        ]
    return out


def _escaped(match: re.Match) -> str:
    return f"\\x{ord(match.group()):02x}"


def _sheet(wb: Any, name: str, frame: pd.DataFrame, *, header: bool = True) -> _Rows:
    """Add a sheet for *frame* to *wb*: header row styled, panes, filter and widths set on the
    worksheet; the data cells are returned by column (:class:`_Rows`) to be written by
    :func:`_rows_xml`, not held as openpyxl cells (2.4 million of them at scale 100 of the
    benchmark)."""
    from openpyxl.cell.cell import Cell
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    from bioeco.core.formats import column_decimals

    ws = wb.create_sheet(title=name[:31])
    columns = [str(c) for c in frame.columns]
    ws.append([neutralise(c) for c in columns])
    values = [frame.iloc[:, i].tolist() for i in range(len(columns))]
    cells = [_sheet_values(column) for column in values]
    count = len(cells[0]) if cells else 0
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DCE6F1")
    for cell in ws[1]:
        cell.font = bold
        cell.fill = fill
        cell.alignment = Alignment(vertical="top", wrap_text=True)
    # the header's cells are written with the rows (one writer, openpyxl's cell order)
    head = [ws._cells.pop(key) for key in sorted(ws._cells)]
    ws.freeze_panes = "A2"
    if columns and header:
        last = get_column_letter(len(columns))
        ws.auto_filter.ref = f"A1:{last}{max(1, count + 1)}"
    wrap = Alignment(vertical="top", wrap_text=True)
    styles: list[tuple[Any, Any]] = []
    for index, column in enumerate(columns):
        letter = get_column_letter(index + 1)
        decimals = column_decimals(values[index])
        long_text = column in ("explanation", "in plain words")
        # the styles a data cell of this column gets, registered (number format, alignment)
        # in the order setting them cell by cell would: column by column
        plain = Cell(ws)
        if long_text:
            plain.alignment = wrap
        number = None
        if decimals and any(isinstance(v, float) for v in cells[index]):
            number = Cell(ws)
            number.number_format = "0." + "0" * decimals
            if long_text:
                number.alignment = wrap
        styles.append((plain._style, number._style if number is not None else None))
        lengths = [len(column)] + [len(str(v)) for v in cells[index][:500] if v]
        ws.column_dimensions[letter].width = 90 if long_text else min(max(lengths) + 2, 60)
    return _Rows(ws, head, cells, styles)


class _Rows:
    """The cells of one sheet, written by :func:`_rows_xml`: the header cells (openpyxl cells,
    styled) and the data cells by column (:func:`sheet_cell` values) with each column's two
    styles (the cell's, and a float's when the column shows decimals)."""

    def __init__(self, ws: Any, head: list[Any], columns: list[list[Any]], styles: list) -> None:
        self.ws, self.head, self.columns, self.styles = ws, head, columns, styles


def _cell_xml(cell: Any) -> str:
    """One openpyxl cell as openpyxl writes it (for the few cells the fast path leaves)."""
    from et_xmlfile import xmlfile
    from openpyxl.cell._writer import etree_write_cell

    buf = io.BytesIO()
    with xmlfile(buf) as xf:
        etree_write_cell(xf, cell.parent, cell, cell.has_style)
    return buf.getvalue().decode("utf-8")


def _rows_xml(sheet: _Rows, wb: Any) -> tuple[str, bytes]:
    """The ``<dimension>`` reference and the ``<sheetData>`` element of a sheet, byte for byte
    what openpyxl writes for the same cells (inline strings, ``%.16g`` numbers, the style ids
    registered in the order openpyxl's writer meets the cells, row by row); the cells are
    made a column at a time (:func:`_column_xml`) and joined into rows."""
    from openpyxl.utils import get_column_letter

    registry = wb._cell_styles
    parts: list[str] = ["<sheetData>"]
    if sheet.head:
        parts.append('<row r="1">')
        for cell in sheet.head:
            if cell._value is None and not cell.has_style:
                continue
            parts.append(_cell_xml(cell))
        parts.append("</row>")
    width = len(sheet.styles)
    count = len(sheet.columns[0]) if sheet.columns else 0
    letters = [get_column_letter(i) for i in range(1, width + 1)]
    # per column and kind (0: the cell's style, 1: a float's): the ' s="N"' attribute,
    # registered in the order the writer first meets each (row by row, then column)
    firsts = []
    for j, values in enumerate(sheet.columns):
        if sheet.styles[j][1] is None:
            firsts += [(0, j, 0)] if values else []
            continue
        for kind, test in ((1, lambda v: type(v) is float), (0, lambda v: type(v) is not float)):
            first = next((i for i, v in enumerate(values) if test(v)), None)
            if first is not None:
                firsts.append((first, j, kind))
    attr = [["", ""] for _ in range(width)]
    for _, j, kind in sorted(firsts):
        array = sheet.styles[j][kind]
        attr[j][kind] = f' s="{registry.add(array)}"' if array is not None and any(array) else ""
    floats = [a[1] if s[1] is not None else None for a, s in zip(attr, sheet.styles, strict=True)]
    columns = [_column_xml(sheet, j, letters[j], attr[j][0], floats[j]) for j in range(width)]
    opens = [f'<row r="{r}">' for r in range(2, count + 2)]
    parts += chain.from_iterable(zip(opens, *columns, repeat("</row>")))
    parts.append("</sheetData>")
    if count and width:
        ref = f"A1:{letters[-1]}{count + 1}"
    elif sheet.head:
        ref = f"{sheet.head[0].coordinate}:{sheet.head[-1].coordinate}"
    else:
        ref = "A1:A1"
    return ref, "".join(parts).encode("utf-8")


def _column_xml(sheet: _Rows, j: int, letter: str, plain: str, decimal: str | None) -> list[str]:
    """The ``<c>`` elements of column *j* from row 2 on ('' for an empty cell without style):
    *plain* is a cell's style attribute, *decimal* a float's (None: the cell's)."""
    from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE, Cell

    values = sheet.columns[j]
    rows = range(2, len(values) + 2)
    kinds = set(map(type, values))
    empty = f'"{plain} t="n" />' if plain else None  # an empty cell (written when styled)
    if kinds <= {str, type(None)}:
        texts = [v for v in values if v is not None] if type(None) in kinds else values
        joined = "\n".join(texts)
        if texts and not (
            "#" in joined  # an error code's text (#N/A …)
            or joined.startswith("=")
            or "\n=" in joined
            or (
                not joined.replace("\n", " ").isprintable() and ILLEGAL_CHARACTERS_RE.search(joined)
            )
            or max(map(len, texts)) > 32767
            or sum(map(len, map(str.strip, texts))) != len(joined) - len(texts) + 1
        ):
            if "&" in joined or "<" in joined or ">" in joined:
                values = [v if v is None else xml_text(v) for v in values]
            start, end = f'<c r="{letter}', f'"{plain} t="inlineStr"><is><t>'
            return [
                f"{start}{r}{end}{v}</t></is></c>"
                if v is not None
                else (f"{start}{r}{empty}" if empty else "")
                for r, v in zip(rows, values, strict=True)
            ]
    elif kinds <= {int, float, type(None)} and math.isfinite(
        sum([v for v in values if type(v) is float])
    ):
        start, number = f'<c r="{letter}', (plain if decimal is None else decimal)
        return [
            f'{start}{r}"{number if type(v) is float else plain} t="n"><v>{v:.16g}</v></c>'
            if v is not None
            else (f"{start}{r}{empty}" if empty else "")
            for r, v in zip(rows, values, strict=True)
        ]
    number = plain if decimal is None else decimal
    out: list[str] = []
    add = out.append
    for r, value in zip(rows, values, strict=True):
        kind = type(value)
        if kind is str:
            text = value[:32767]
            if (
                (len(text) > 1 and text[0] == "=")
                or text in ERROR_CODES
                or ILLEGAL_CHARACTERS_RE.search(text)
            ):
                add(_cell_xml(_real_cell(Cell, sheet.ws, r, j, value, sheet.styles[j][0])))
                continue
            stripped = text.strip()
            space = ' xml:space="preserve"' if stripped and stripped != text else ""
            text = xml_text(text)
            add(f'<c r="{letter}{r}"{plain} t="inlineStr"><is><t{space}>{text}</t></is></c>')
        elif kind is float or kind is int:
            s = number if kind is float else plain
            if value != value or value in (_INF, -_INF):
                add(f'<c r="{letter}{r}"{s} t="n"><v /></c>')
            else:
                add(f'<c r="{letter}{r}"{s} t="n"><v>{value:.16g}</v></c>')
        elif kind is bool:
            add(f'<c r="{letter}{r}"{plain} t="b"><v>{int(value)}</v></c>')
        elif value is None:
            add(f'<c r="{letter}{r}"{plain} t="n" />' if plain else "")
        else:
            add(_cell_xml(_real_cell(Cell, sheet.ws, r, j, value, sheet.styles[j][0])))
    return out


_INF = float("inf")


def _real_cell(cell_type: Any, ws: Any, r: int, j: int, value: Any, array: Any) -> Any:
    from copy import copy

    cell = cell_type(ws, row=r, column=j + 1, value=value)
    cell._style = copy(array)
    return cell


_Q_LABELS = """
SELECT ?s ?label (LANG(?label) AS ?lang) WHERE { ?s skos:prefLabel ?label }"""


_Q_ENTITY_SOURCES = """
SELECT DISTINCT ?s ?src ?loc WHERE {
  { ?s a org:Organization } UNION { ?s a org:OrganizationalCollaboration }
  ?s prov:wasDerivedFrom ?src .
  OPTIONAL { ?s bioeco:locator ?loc }
}"""


_Q_MEMBERSHIP_ROWS = """
SELECT ?m ?member ?org ?role ?start ?end ?observed ?src ?loc WHERE {
  ?m a org:Membership ; org:member ?member ; org:organization ?org .
  OPTIONAL { ?m org:role ?role }
  OPTIONAL { ?m org:memberDuring ?during OPTIONAL { ?during time:hasBeginning ?b
             OPTIONAL { ?b time:inXSDgYear ?start } } }
  OPTIONAL { ?m org:memberDuring ?during2 OPTIONAL { ?during2 time:hasEnd ?e
             OPTIONAL { ?e time:inXSDgYear ?end } } }
  OPTIONAL { ?m bioeco:observedIn ?observed }
  OPTIONAL { ?m prov:wasDerivedFrom ?src }
  OPTIONAL { ?m bioeco:locator ?loc }
}"""


class Names:
    """Names of the entities and concepts of a graph, by one policy: the English label where
    one exists (else the untagged, else the Norwegian one), the Norwegian name beside it
    when it differs. Keys are IRIs; :meth:`of` also takes compact ids (``actor/uit``) and
    concept codes (``agri-food``)."""

    def __init__(self, graph: Graph | Dataset) -> None:
        from bioeco.store.query import select

        found: dict[str, dict[str, str]] = {}
        for s, label, lang in select(graph, _Q_LABELS, timeout=None).itertuples(index=False):
            if isinstance(label, str):
                tag = lang if isinstance(lang, str) else ""
                found.setdefault(str(s), {}).setdefault(tag, label)
        self.name: dict[str, str] = {}
        self.norwegian: dict[str, str] = {}
        by_code: dict[str, str] = {}
        for iri, labels in sorted(found.items()):
            name = labels.get("en") or labels.get("") or labels.get("nb") or labels.get("nn")
            if not name:
                continue
            self.name[iri] = name
            nb = labels.get("nb") or labels.get("nn") or labels.get("no")
            if nb and nb != name:
                self.norwegian[iri] = nb
            if "/concept/" in iri:
                by_code.setdefault(iri.rsplit("/", 1)[-1], name)
        self.by_id = {entity_id(iri): name for iri, name in self.name.items()}
        self.by_code = by_code

    def of(self, value: Any) -> Any:
        """The name of an IRI, id or concept code; anything else unchanged."""
        if not isinstance(value, str):
            return value
        found = self.name.get(value) or self.by_id.get(entity_id(value))
        return found or self.by_code.get(value, value)

    def nb(self, iri: str) -> str:
        """The Norwegian name of *iri* when it differs from :meth:`of`, else empty text."""
        return self.norwegian.get(iri, "")


def _code(iri: Any) -> str:
    return iri.rsplit("/", 1)[-1] if isinstance(iri, str) else ""


def _year(value: Any) -> int | None:
    if isinstance(value, str) and value[:4].isdigit():
        return int(value[:4])
    return None


def _lower(column: pd.Series) -> pd.Series:
    return column.astype(str).str.lower()


def entity_sheets(
    graph: Graph | Dataset,
    *,
    as_of: int | None = None,
    basis: str = "all",
    names: Names | None = None,
    network: Any = None,
) -> dict[str, pd.DataFrame]:
    """The ``actors``, ``initiatives`` and ``memberships`` sheets of the workbook: who is in
    what, with names (:class:`Names`: English where one exists, the Norwegian name beside it),
    types, sectors, stages and regions as labels, the sources and their locators; the ids and
    codes follow in the columns at the right. Memberships are every ``org:Membership`` of the
    graph (people's employments included, marked by the member's kind), with role and years.
    *names* and *network* (:func:`bioeco.analyses.project.load_network` of the same graph and
    options) are used when given instead of reading them again.

    Examples
    --------
    >>> from bioeco.analyses._fixture import example_graph
    >>> sheets = entity_sheets(example_graph())
    >>> list(sheets), list(sheets["actors"].columns[:3])
    (['actors', 'initiatives', 'memberships'], ['name', 'Norwegian name', 'type'])
    """
    from bioeco.store.query import select

    names = names if names is not None else Names(graph)
    net = network if network is not None else load_network(graph, as_of=as_of, basis=basis)
    sources: dict[str, list[str]] = {}
    for s, src, loc in select(graph, _Q_ENTITY_SOURCES, timeout=None).itertuples(index=False):
        where = _code(src) + (f" ({loc})" if isinstance(loc, str) and loc else "")
        sources.setdefault(str(s), []).append(where)

    def labels(codes: Any) -> list[str]:
        return [names.of(c) for c in codes or ()]

    def text(value: Any) -> str:
        return value if isinstance(value, str) else ""

    sheets: dict[str, pd.DataFrame] = {}
    for kind, title in (("actor", "actors"), ("initiative", "initiatives")):
        rows = []
        nodes = net.nodes[net.nodes["kind"] == kind]
        # one dict per row (a Series per row, as iterrows makes, costs more than the rest)
        for iri, node in zip(nodes.index, nodes.to_dict("records"), strict=True):
            years = {}
            if kind == "initiative":
                years = {
                    "start": cell_number(node.get("start")),
                    "end": cell_number(node.get("end")),
                }
            rows.append(
                {
                    "name": names.name.get(iri) or node["label"],
                    "Norwegian name": names.nb(iri),
                    "type": names.of(text(node["type"])),
                    "sectors": labels(node["sectors"]),
                    "value-chain stages": labels(node["stages"]),
                    "regions": labels(node["regions"]),
                    **years,
                    "sources": sorted(sources.get(iri, [])),
                    "id": entity_id(iri),
                    "type code": text(node["type"]),
                    "sector codes": list(node["sectors"] or ()),
                    "stage codes": list(node["stages"] or ()),
                    "region codes": list(node["regions"] or ()),
                }
            )
        frame = pd.DataFrame(rows)
        if not frame.empty:
            frame = frame.sort_values(["name", "id"], key=_lower).reset_index(drop=True)
            for column in ("start", "end"):
                if column in frame.columns:
                    frame[column] = frame[column].astype("Int64")
        sheets[title] = frame
    rows = []
    found = select(graph, _Q_MEMBERSHIP_ROWS, timeout=None)
    for _m, member, org, role, start, end, observed, src, loc in found.itertuples(index=False):
        rows.append(
            {
                "member": names.of(str(member)),
                "member is": entity_id(str(member)).split("/", 1)[0],
                "role": names.of(_code(role)) if isinstance(role, str) else "",
                "of": names.of(str(org)),
                "from": _year(start),
                "to": _year(end),
                "observed in": _year(observed),
                "source": _code(src),
                "locator": text(loc),
                "member id": entity_id(str(member)),
                "of id": entity_id(str(org)),
                "role code": _code(role),
            }
        )
    frame = pd.DataFrame(rows)
    if not frame.empty:
        frame = frame.drop_duplicates().sort_values(
            ["of", "member", "role", "source", "locator"], key=_lower
        )
        for column in ("from", "to", "observed in"):
            frame[column] = frame[column].astype("Int64")
    sheets["memberships"] = frame.reset_index(drop=True)
    return sheets


#: Columns of the analysis tables holding one concept code (shown by its label in a sheet).
_CODE_COLUMNS = frozenset(
    {"sector", "stage", "sector_a", "sector_b", "type", "type_a", "type_b", "region"}
)


def sector_sheet(
    graph: Graph | Dataset,
    *,
    as_of: int | None = None,
    basis: str = "all",
    network: Any = None,
) -> pd.DataFrame:
    """Actors and initiatives per top-level sector
    (:func:`bioeco.analyses.sectors.sector_counts`: the count the report and the CLI use,
    defined by :data:`bioeco.analyses.sectors.COUNT_DEFINITION`), labels first, codes last;
    *network* as in :func:`entity_sheets`."""
    from bioeco.analyses.sectors import sector_counts

    net = network if network is not None else load_network(graph, as_of=as_of, basis=basis)
    counts = sector_counts(net)
    return pd.DataFrame(
        {
            "sector": counts["label"],
            "actors": counts["actors"],
            "initiatives": counts["initiatives"],
            "actors taking part": counts["active_actors"],
            "initiatives with members": counts["active_initiatives"],
            "memberships of its actors": counts["memberships"],
            "sector code": counts["sector"],
        }
    )


def findings_sheet(frame: pd.DataFrame, names: Names | None = None) -> pd.DataFrame:
    """An analysis table as a colleague reads it: the rank, the names, the explanation, then
    the key numbers (:func:`bioeco.core.formats.finding_columns`), then the other columns;
    ranked rows in rank order; ids and codes in list cells, and the codes of sector, stage,
    type and region columns, replaced by names (*names*);
    headers in words (:func:`bioeco.core.formats.column_title`).

    Examples
    --------
    >>> df = pd.DataFrame({"actor": ["actor/uit"], "score": [0.5], "rank": [1],
    ...                    "label": ["UiT"], "explanation": ["UiT links two sectors"]})
    >>> list(findings_sheet(df).columns)
    ['rank', 'name', 'explanation', 'score', 'actor id']
    """
    from bioeco.core.formats import column_title, finding_columns

    frame = frame.sort_values("rank", kind="stable") if "rank" in frame.columns else frame
    lead, numbers = finding_columns(frame)
    first = [c for c in ("rank", *lead, "explanation", *numbers) if c in frame.columns]
    order = list(dict.fromkeys(first + [str(c) for c in frame.columns]))
    out = frame[order].reset_index(drop=True).copy()
    lists = (list, tuple, set, frozenset)
    if names is not None:
        seen: dict[str, Any] = {}  # ids repeat across list cells (members of many pairs)

        def name(item: Any) -> Any:
            key = str(item)
            found = seen.get(key)
            if found is None:
                found = seen[key] = names.of(key)
            return found

        for column in out.columns:
            values = out[column].tolist()
            if column in _CODE_COLUMNS:
                out[column] = [names.by_code.get(v, v) if isinstance(v, str) else v for v in values]
            elif any(isinstance(v, lists) for v in values):
                out[column] = [[name(i) for i in v] if isinstance(v, lists) else v for v in values]
    titles = [column_title(str(c)) for c in out.columns]
    if len(set(titles)) == len(titles):
        out.columns = titles
    return out


def fit_rows(sheets: dict[str, pd.DataFrame]) -> dict[str, str]:
    """Cut every sheet of *sheets* longer than :data:`SHEET_ROWS` to its first rows (in
    place: a spreadsheet program refuses a longer sheet) and return, per cut sheet, the
    sentence the Read me adds.

    Examples
    --------
    >>> fit_rows({"a": pd.DataFrame({"x": range(3)})})
    {}
    """
    notes = {}
    for name, frame in sheets.items():
        if len(frame) > SHEET_ROWS:
            kept, held = (f"{n:,}".replace(",", " ") for n in (SHEET_ROWS, len(frame)))
            notes[name] = (
                f"The sheet holds the first {kept} of {held} rows (the most a worksheet "
                "holds); the table's CSV file (bioeco analyze) has them all."
            )
            sheets[name] = frame.iloc[:SHEET_ROWS]
    return notes


#: What each sheet of the workbook holds, in plain words (Read me).
SHEET_NOTES: dict[str, str] = {
    "actors": "Every actor (company, research institute, funder …): its name, type, sectors, "
    "value-chain stages, region and the sources naming it; ids and codes at the right.",
    "initiatives": "Every initiative (cluster, project, event, application …) with the same "
    "columns and its years.",
    "memberships": "Who is in what: member, role, initiative or organisation, years, source "
    "and where in the source (locator). People's employments are marked 'person'.",
    "gaps_coverage": "Sector × value-chain stage cells with few or no actors or initiatives, "
    "the most under-represented first.",
    "gaps_survey": "What the survey respondents said beside what the graph holds for the same "
    "sector or stage.",
    "gaps_structural": "Pairs of sectors that share fewer initiatives than random mixing "
    "would give.",
    "overlap_pairs": "Initiatives with the same members (possible duplication), the most "
    "overlapping first.",
    "bridges_actors": "Actors who connect sectors (bridge candidates), the strongest first.",
    "bridges_brokerage": "Actors who broker between sector groups (Gould–Fernandez roles).",
    "bridges_pairs": "Actors who share no initiative but have partners in common: "
    "introductions worth making.",
    "sectors": "Actors and initiatives per top-level sector, with those taking part in an "
    "initiative and their memberships; the last row counts what has no sector.",
    "change_summary": "What changed between the two years the sources describe, in counts.",
    "change_continuity": "Actors and clusters named in one year, the other, or both.",
    "change_coverage": "Coverage cells that changed between the years.",
    "change_overlap": "Overlapping initiative pairs in one year or both.",
    "change_bridges": "Bridge candidates in one year or both.",
    "sources": "The source documents, with their titles and what each contributes.",
    "run": "The options this workbook was made with.",
}


def _glossary() -> list[tuple[str, str]]:
    """The terms of docs/glossary.md with their first paragraph, in file order (none when the
    checkout's docs are not there)."""
    from bioeco.core.paths import PROJECT_ROOT

    path = PROJECT_ROOT / "docs" / "glossary.md"
    if not path.is_file():
        return []
    terms: list[tuple[str, str]] = []
    term, lines = None, []
    for line in [*path.read_text(encoding="utf-8").splitlines(), "### "]:
        if line.startswith("#"):
            if term and lines:
                terms.append((term, " ".join(lines)))
            term = line.removeprefix("### ").strip() if line.startswith("### ") else None
            lines = []
        elif term is not None:
            if line.strip():
                lines.append(line.strip().replace("`", "").replace("*", ""))
            elif lines:
                terms.append((term, " ".join(lines)))
                term, lines = None, []
    return terms


def readme_sheet(
    sheets: list[str],
    sources: pd.DataFrame | None,
    found: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """The first sheet: what the analyses found (*found*: sheet → the table's summary in plain
    words, ``attrs["summary"]``, as the report and the terminal give it), what each sheet
    holds, the glossary's terms in plain words, and the sources with their titles (two
    columns, a heading row before each part).

    Examples
    --------
    >>> sheet = readme_sheet(["gaps_structural"], None, {"gaps_structural": "No pair is below."})
    >>> sheet.values[2][0], sheet.values[3].tolist()
    ('What the analyses found', ['gaps_structural', 'No pair is below.'])
    """
    rows: list[tuple[str, str]] = [
        (
            "bioeco workbook",
            "Findings about the bioeconomy ecosystem and the data behind them. "
            "Every finding has an explanation in plain words; numbers are numbers.",
        ),
        ("", ""),
    ]
    summaries = [(name, str(found[name])) for name in sheets if (found or {}).get(name)]
    if summaries:
        rows += [("What the analyses found", "In plain words (the sheets give each finding)")]
        rows += [*summaries, ("", "")]
    rows += [("Sheets", "What each holds")]
    rows += [(name, SHEET_NOTES.get(name, "analysis table")) for name in sheets]
    if "sectors" in sheets:
        from bioeco.analyses.sectors import COUNT_DEFINITION

        rows += [("", ""), ("How sectors are counted", COUNT_DEFINITION)]
    terms = _glossary()
    if terms:
        rows += [("", ""), ("Terms", "In plain words (docs/glossary.md)")]
        rows += terms
    if sources is not None and len(sources):
        rows += [("", ""), ("Sources", "Title")]
        for row in sources.to_dict("records"):
            issued = f" ({row['issued']})" if row.get("issued") else ""
            rows.append((str(row["source"]), f"{row.get('title') or ''}{issued}"))
    return pd.DataFrame(rows, columns=["item", "in plain words"])


def workbook_bytes(
    tables: Mapping[str, pd.DataFrame],
    *,
    sources: pd.DataFrame | None = None,
    run: Mapping[str, Any] | None = None,
    date: datetime | None = None,
    readme: pd.DataFrame | None = None,
    entities: Mapping[str, pd.DataFrame] | None = None,
) -> bytes:
    """An .xlsx workbook: a ``Read me`` sheet (*readme*, :func:`readme_sheet`), the *entities*
    sheets (:func:`entity_sheets`), one sheet per table (in the given order), then
    ``sources`` and ``run``.

    Each sheet has a bold header row, frozen panes below it, a filter and column widths fitted
    to the content (at most 60 characters; explanations 90, wrapped); a column of floats shows
    one number of decimals (:func:`bioeco.core.formats.column_decimals`, as the table view).
    Cells are those of the analysis CSVs
    (:func:`bioeco.analyses.run.format_cell`: lists joined by ``|``, floats rounded), and text
    that a spreadsheet would run as a formula starts with an apostrophe
    (:func:`bioeco.core.formats.neutralise`). *run* (parameter → value) becomes a two-column sheet;
    *date* is the workbook's creation date (default: the run clock).

    Examples
    --------
    >>> import openpyxl
    >>> raw = workbook_bytes({"demo": pd.DataFrame({"name": ["=cmd"], "codes": [("a", "b")]})})
    >>> ws = openpyxl.load_workbook(io.BytesIO(raw))["demo"]
    >>> [c.value for c in ws[2]], ws.freeze_panes
    (["'=cmd", 'a|b'], 'A2')
    """
    from openpyxl import Workbook

    from bioeco.pipeline import run_clock

    when = (date or run_clock()).replace(tzinfo=None, microsecond=0)
    wb = Workbook()
    wb.remove(wb.active)
    sheets: list[_Rows] = []
    if readme is not None:
        sheets.append(_sheet(wb, "Read me", readme, header=False))
    for name, frame in (entities or {}).items():
        sheets.append(_sheet(wb, name, frame))
    for name, frame in tables.items():
        sheets.append(_sheet(wb, name, frame))
    if sources is not None:
        sheets.append(_sheet(wb, "sources", sources))
    if run is not None:
        items = [(k, format_cell(list(v) if isinstance(v, list) else v)) for k, v in run.items()]
        sheets.append(_sheet(wb, "run", pd.DataFrame(items, columns=["parameter", "value"])))
    if not wb.sheetnames:
        wb.create_sheet("empty")
    # the cells are written before the save (their style ids then come in the writer's order)
    written = []
    for sheet in sheets:
        ref, xml = _rows_xml(sheet, wb)
        sheet.columns = []  # the cells' values are not needed any more
        written.append((sheet.ws, ref, xml))
    wb.properties.creator = "bioeco"
    wb.properties.created = when
    buf = io.BytesIO()
    wb.save(buf)  # the sheets have no cells: the rows are put in below
    data = {ws.path.lstrip("/"): (ref, xml) for ws, ref, xml in written}
    # openpyxl stamps "modified" with the wall clock on save: set it to the run date
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ")
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            raw = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                raw = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                    rb"\g<1>" + stamp.encode("ascii") + rb"\g<2>",
                    raw,
                )
            elif info.filename in data:
                ref, xml = data.pop(info.filename)
                raw = _splice(raw, ref, xml)
            # fixed entry times and order, so equal content gives equal bytes
            entry = zipfile.ZipInfo(info.filename, date_time=_ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            dst.writestr(entry, raw, compresslevel=ZIP_LEVEL)
    return out.getvalue()


def _splice(raw: bytes, ref: str, rows: bytes) -> bytes:
    """A worksheet's XML as openpyxl wrote it without cells, with its dimension and rows."""
    empty_dimension, empty_rows = b'<dimension ref="A1:A1" />', b"<sheetData></sheetData>"
    head, found, tail = raw.partition(empty_rows)
    if not found or head.count(empty_dimension) != 1:
        raise RuntimeError("openpyxl wrote a worksheet this writer does not know")
    dimension = f'<dimension ref="{ref}" />'.encode("ascii")
    return head.replace(empty_dimension, dimension) + rows + tail
