"""Sector × value-chain-stage coverage (gaps_coverage): expected counts, residuals and flags."""

from __future__ import annotations

import itertools
import math
from collections import Counter

import numpy as np
import pandas as pd
from rdflib import Dataset, Graph

from bioeco.analyses.gapshared import bh_adjust, check_code, counted_entities, name_list
from bioeco.analyses.project import Network, as_network, entity_id
from bioeco.errors import UsageError

__all__ = [
    "COVERAGE_COLUMNS",
    "CoverageCounts",
    "Tally",
    "coverage",
    "coverage_matrix",
    "coverage_table",
    "flag_words",
    "tally_codes",
]


def flag_words(flag: str) -> str:
    """A coverage cell's flag in words, for the sentences that explain a cell.

    The ``flag`` column keeps its codes (one or more of ``empty``, ``thin``, ``under``, ``over``,
    ``uncertain`` joined by ``|``, else ``not-expected`` or ``ok``); sentences read them as words.

    Parameters
    ----------
    flag : str
        The value of a ``flag`` column.

    Returns
    -------
    str
        The codes as words joined by "and".

    Examples
    --------
    >>> flag_words("thin|uncertain")
    'thin and uncertain'
    >>> flag_words("not-expected")
    'not expected'
    >>> flag_words("empty|under|uncertain")
    'empty, under and uncertain'
    """
    words = [code.replace("-", " ") for code in str(flag).split("|") if code]
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


COVERAGE_COLUMNS = [
    "rank",
    "entity",
    "sector",
    "stage",
    "stage_order",
    "count",
    "row_total",
    "col_total",
    "total",
    "applicable",
    "expected",
    "residual",
    "p_value",
    "q_value",
    "empty",
    "thin",
    "under",
    "over",
    "row_unclassified",
    "col_unclassified",
    "uncertain",
    "flag",
    "examples",
    "explanation",
]


def _regions_of(net: Network, iri: str) -> set[str]:
    own = set(net.attr(iri, "regions"))
    if own or net.attr(iri, "kind") != "initiative":
        return own
    members = net.members_of(iri)
    return {r for m in members for r in net.attr(m, "regions")}


def _stage_rules(net: Network) -> dict[tuple[str, str], set[str]]:
    rules = net.stage_rules
    if rules is None or rules.empty:
        return {}
    return {
        (k, t): set(s)
        for k, t, s in zip(rules["kind"], rules["type"], rules["stages"], strict=True)
    }


def _quasi_independence(counts: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Expected counts of a sector × stage table under quasi-independence (sector and stage
    unrelated over the cells *mask* allows; the other cells are structural zeros), fitted by
    iterative proportional fitting, and the standardised residuals ``(n - mu) / sqrt(mu (1 -
    h))`` with ``h`` the leverage of the log-linear model (for a table without structural
    zeros they equal the adjusted residuals ``(n - mu) / sqrt(mu (1 - r/N) (1 - c/N))``)."""
    rows, cols = counts.sum(axis=1), counts.sum(axis=0)
    mu = mask.astype(float)
    for _ in range(2000):
        with np.errstate(divide="ignore", invalid="ignore"):
            r = mu.sum(axis=1)
            mu = mu * np.where(r > 0, rows / r, 0.0)[:, None]
            c = mu.sum(axis=0)
            mu = mu * np.where(c > 0, cols / c, 0.0)[None, :]
        if np.allclose(mu.sum(axis=1), rows, atol=1e-10):
            break
    resid = np.full(counts.shape, np.nan)
    cells = np.argwhere(mu > 1e-12)
    if len(cells):
        n_rows, n_cols = counts.shape
        x = np.zeros((len(cells), 1 + n_rows + n_cols))
        x[:, 0] = 1
        x[np.arange(len(cells)), 1 + cells[:, 0]] = 1
        x[np.arange(len(cells)), 1 + n_rows + cells[:, 1]] = 1
        w = mu[cells[:, 0], cells[:, 1]]
        info = np.linalg.pinv(x.T @ (x * w[:, None]))
        h = w * np.einsum("ij,jk,ik->i", x, info, x)
        var = w * (1 - h)
        n = counts[cells[:, 0], cells[:, 1]]
        ok = var > 1e-9
        vals = np.full(len(cells), np.nan)
        vals[ok] = (n[ok] - w[ok]) / np.sqrt(var[ok])
        resid[cells[:, 0], cells[:, 1]] = vals
    return mu, resid


def _poisson_p(count: np.ndarray, expected: np.ndarray) -> np.ndarray:
    """Two-sided p-value of each count against a Poisson distribution with the expected
    count as its mean (NaN where nothing is expected)."""
    # scipy.stats.poisson's own, without scipy.stats (~1 s); on first use (~0.13 s)
    from scipy.special import pdtr, pdtrc

    out = np.full(len(count), np.nan)
    ok = expected > 1e-12
    # poisson.cdf(count) and poisson.sf(count - 1) as scipy.stats computes them (the same
    # floats: it calls these two), the latter 1 below the support (a count of 0)
    low = pdtr(np.floor(count[ok]), expected[ok])
    below = np.floor(count[ok] - 1)
    high = np.where(below < 0, 1.0, pdtrc(np.maximum(below, 0.0), expected[ok]))
    out[ok] = np.minimum(1.0, 2 * np.minimum(low, high))
    return out


class Tally:
    """What :func:`coverage` counts of one kind of entity, entity by entity: each cell's
    entities, the row and column totals (and those without a stage or a sector), the types
    in each row with a stage; :meth:`add` adds an entity (sign +1) or takes it away (-1)."""

    def __init__(self) -> None:
        self.cells: dict[tuple[str, str], list[str]] = {}
        self.row_all: dict[str, int] = {}
        self.row_bare: dict[str, int] = {}
        self.col_all: dict[str, int] = {}
        self.col_bare: dict[str, int] = {}
        self.row_types: dict[str, Counter[str | None]] = {}
        self.known = {"entities": 0, "no_sector": 0, "no_stage": 0, "neither": 0}

    def add(
        self, iri: str, typ: str | None, own: tuple[str, ...], steps: tuple[str, ...], sign: int
    ) -> None:
        known = self.known
        known["entities"] += sign
        known["no_sector"] += sign * (not own)
        known["no_stage"] += sign * (not steps)
        known["neither"] += sign * (not own and not steps)
        for s in own:
            self.row_all[s] = self.row_all.get(s, 0) + sign
            self.row_bare[s] = self.row_bare.get(s, 0) + sign * (not steps)
            if steps:
                types = self.row_types.setdefault(s, Counter())
                types[typ] += sign
                if not types[typ]:
                    del types[typ]
                    if not types:
                        del self.row_types[s]
        for t in steps:
            self.col_all[t] = self.col_all.get(t, 0) + sign
            self.col_bare[t] = self.col_bare.get(t, 0) + sign * (not own)
        for cell in itertools.product(own, steps):
            if sign > 0:
                self.cells.setdefault(cell, []).append(iri)
            else:
                self.cells[cell].remove(iri)


def tally_codes(
    net: Network, iri: str, sectors: list[str], rollup: bool = True
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The sectors (rows of *sectors*; top sectors with *rollup*) and stages *iri* is counted
    in by :func:`coverage`."""
    own = net.attr(iri, "sectors")
    if rollup:
        own = tuple(sorted({net.top("sector", c) for c in own}))
    own = tuple(s for s in own if s in sectors) if own else own
    return own, net.attr(iri, "stages")


class CoverageCounts:
    """The tallies :func:`coverage` counts on *net* (every entity, no filter, without
    ``as_of``), kept node by node as nodes are added and taken away (the what-if)."""

    def __init__(self, net: Network) -> None:
        self.net = net
        self.sectors = [c for c in net.codes("sector") if net.top("sector", c) == c]
        self.stages = net.codes("stage")
        concepts = net.concepts
        self.declared = {
            scheme: set(concepts.loc[concepts["scheme"] == scheme, "code"])
            for scheme in ("sector", "stage")
        }
        self.tallies = {"actor": Tally(), "initiative": Tally()}
        self.counted: dict[str, tuple[str, str | None, tuple[str, ...], tuple[str, ...]]] = {}
        for kind in self.tallies:
            for iri in counted_entities(net, kind):
                self._add(net, iri)

    def _add(self, net: Network, iri: str) -> None:
        kind, typ = net.attr(iri, "kind"), net.attr(iri, "type")
        own, steps = tally_codes(net, iri, self.sectors)
        self.tallies[kind].add(iri, typ, own, steps, +1)
        self.counted[iri] = (kind, typ, own, steps)

    def move(self, added: Network, moved: set[str]) -> bool:
        """Take the nodes *moved* away and add those of them in *added* (a network of those
        nodes now); False, and nothing changed, when one uses a sector or stage code the
        concepts do not declare (the table's rows or columns could change)."""
        for iri in moved:
            if iri in self.counted:
                own, steps = self.counted[iri][2:]
            elif iri in added.nodes.index:
                own, steps = added.attr(iri, "sectors"), added.attr(iri, "stages")
            else:
                continue
            if not (set(own) <= self.declared["sector"] and set(steps) <= self.declared["stage"]):
                return False
        for iri in sorted(moved):
            if iri in self.counted:
                kind, typ, own, steps = self.counted.pop(iri)
                self.tallies[kind].add(iri, typ, own, steps, -1)
            if iri in added.nodes.index and added.attr(iri, "kind") in self.tallies:
                self._add(added, iri)
        return True

    def table(self) -> pd.DataFrame:
        """The coverage table of the tallies now, without explanations."""
        return coverage_table(self.net, self.tallies, self.sectors, self.stages, explain=False)


def coverage(
    source: Graph | Dataset | Network,
    *,
    region: str | None = None,
    type: str | None = None,
    sector: str | None = None,
    thin: int = 3,
    alpha: float = 0.05,
    as_of: int | None = None,
    basis: str = "all",
    rollup: bool = True,
    explain: bool = True,
) -> pd.DataFrame:
    """Sector × value-chain-stage coverage of actors and of initiatives, with flagged cells.

    Each actor (initiative) adds 1 to every cell (sector, stage) of its own sector and stage
    classifications; entities lacking either are not counted (``attrs["summary"]`` and the
    ``row_unclassified``/``col_unclassified`` columns say how many). With *rollup* (default) a
    narrower sector counts under its top sector (pharma under health), so the matrix has one
    row per top-level sector and every entity is counted once per row; ``rollup=False``
    tabulates the codes as classified (also when *sector* names a narrower concept). Rows are
    every sector × every stage known in the graph (the concept schemes plus codes in use), so
    empty cells appear.

    **Which cells apply.** The ontology's stage applicability rules
    (``bioeco:StageApplicability``, :attr:`~bioeco.analyses.project.Network.stage_rules`) say
    which stages each type can occupy (an investor only capital, a university not sales …). A
    cell applies when at least one entity counted in its sector row has a type that can occupy
    the stage (a type without a rule can occupy every stage; a row with no counted entity
    applies everywhere). An empty cell that does not apply is ``not expected``, never a gap.
    The expected counts are those of quasi-independence: sector and stage unrelated over the
    cells that apply (iterative proportional fitting to the row and column totals; without
    rules this is ``row_total · col_total / total``). ``residual`` is the standardised
    residual ``(count - expected) / sqrt(expected · (1 - h))`` with ``h`` the cell's leverage
    (the adjusted residual when every cell applies).

    **Significance.** Each cell that applies and has an expected count is tested against a
    Poisson distribution with the expected count as its mean (two-sided ``p_value``), and the
    p-values of all the cells tested in the table (actors and initiatives together) are
    adjusted by Benjamini–Hochberg (``q_value``, :func:`bh_adjust`). ``under``/``over`` need
    ``q_value <= alpha``: the false discovery rate of the flags is at most *alpha*.

    **Unknowns.** ``row_unclassified`` counts the entities of the sector that have no stage,
    ``col_unclassified`` those at the stage that have no sector; a cell whose row or column is
    mostly (more than half) unclassified is ``uncertain``.

    *region* keeps entities located there or below (an initiative without a region takes its
    members' regions); *type* keeps entities of that actor- or initiative-type code (only the
    kind that has the code is tabulated); *sector* keeps the rows of that sector and below
    (after everything is computed on the whole table). With ``as_of`` only actors with a
    membership valid in that year and initiatives active then are counted. ``explain=False``
    leaves ``examples`` and ``explanation`` empty and gives no summary (the counts and flags
    alone, as the what-if tracks them).

    Columns
    -------
    rank : 1 = the most under-represented cell that applies (lowest residual, then fewest
        entities; cells that do not apply and undefined residuals last); rows stay in matrix
        order
    entity : ``actors`` or ``initiatives``
    sector, stage : concept codes; stage_order : position in the value chain (NaN if unknown)
    count : entities in the cell
    row_total, col_total, total : cell-count totals of the sector row, stage column, table
    applicable : some entity counted in the row can occupy the stage (stage rules)
    expected : count expected under quasi-independence (0 where the cell does not apply)
    residual : standardised residual (NaN when undefined)
    p_value : two-sided Poisson p-value (NaN when not tested)
    q_value : Benjamini–Hochberg adjusted over the cells tested
    empty : applies and count is 0; thin : 0 < count < *thin*
    under, over : fewer / more than expected and q_value <= *alpha*
    row_unclassified : entities in the sector with no stage
    col_unclassified : entities at the stage with no sector
    uncertain : the row or the column is mostly unclassified
    flag : ``|``-joined names of the true flags (``empty``, ``thin``, ``under``, ``over``,
        ``uncertain``), ``not-expected`` for an empty cell that does not apply, or ``ok``
    examples : ids of up to five entities in the cell (tuple)
    explanation : the cell in plain English

    Examples
    --------
    >>> from bioeco.analyses._fixture import example_graph
    >>> df = coverage(example_graph(), sector="marine")
    >>> df[df["entity"] == "actors"][["stage", "count", "expected", "residual", "flag"]].round(3)
                   stage  count  expected  residual   flag
    0           research      1     0.667     0.567   thin
    1               data      0     0.000       NaN  empty
    2         innovation      1     0.667     0.567   thin
    3  commercialisation      0     0.222    -0.567  empty
    4              sales      0     0.444    -0.857  empty
    5            capital      0     0.000       NaN  empty
    >>> print(df.loc[0, "explanation"])
    1 actor in marine at stage research (UiT): thin (fewer than 3); expected 0.67, standardised
    residual +0.57, p-value 0.973 (adjusted 1.000): within what chance gives
    """
    if thin < 1:
        raise UsageError(f"thin must be at least 1, not {thin!r}")
    if not 0 < alpha < 1:
        raise UsageError(f"alpha must be between 0 and 1, not {alpha!r}")
    net = as_network(source, as_of=as_of, basis=basis)
    for scheme, code in (("region", region), ("sector", sector)):
        check_code(net, scheme, code)
    sectors, stages = net.codes("sector"), net.codes("stage")
    if sector is not None and net.top("sector", sector) != sector:
        rollup = False  # asking about a narrower sector: show the codes as classified
    if rollup:
        sectors = [c for c in sectors if net.top("sector", c) == c]
    kinds = ["actor", "initiative"]
    if type is not None:
        kinds = [k for k in kinds if (net.nodes.loc[net.nodes["kind"] == k, "type"] == type).any()]
        if not kinds:
            known = ", ".join(sorted(set(net.nodes["type"].dropna()))) or "none"
            raise UsageError(f"unknown type {type!r}: known type codes are {known}")
    inside = net.descendants("region", region) if region else None
    tallies: dict[str, Tally] = {}
    for kind in kinds:
        tally = tallies[kind] = Tally()
        for iri in counted_entities(net, kind):
            typ = net.attr(iri, "type")
            if type is not None and typ != type:
                continue
            if inside is not None and not (_regions_of(net, iri) & inside):
                continue
            own, steps = tally_codes(net, iri, sectors, rollup)
            tally.add(iri, typ, own, steps, +1)
    return coverage_table(net, tallies, sectors, stages, thin, alpha, sector, explain)


def coverage_table(
    net: Network,
    tallies: dict[str, Tally],
    sectors: list[str],
    stages: list[str],
    thin: int = 3,
    alpha: float = 0.05,
    sector: str | None = None,
    explain: bool = True,
) -> pd.DataFrame:
    """The :func:`coverage` table of the entities counted in *tallies* (kind → :class:`Tally`)
    over the rows *sectors* and the columns *stages* (what :func:`coverage` computes after
    counting: the what-if keeps the tallies and changes them entity by entity)."""
    order = {
        c: o
        for c, o in zip(net.concepts["code"], net.concepts["order"], strict=True)
        if c in stages
    }
    rules = _stage_rules(net)
    frames, unknowns = [], {}
    for kind, tally in tallies.items():
        cells, row_types = tally.cells, tally.row_types
        row_all, row_bare, col_all, col_bare = (
            tally.row_all,
            tally.row_bare,
            tally.col_all,
            tally.col_bare,
        )
        unknowns[kind] = dict(tally.known)
        counts = np.array(
            [[len(cells.get((s, t), [])) for t in stages] for s in sectors], dtype=float
        ).reshape(len(sectors), len(stages))

        def allowed(typ: str | None, t: str, kind: str = kind) -> bool:
            rule = rules.get((kind, typ)) if typ is not None else None
            return rule is None or t in rule

        mask = np.array(
            [
                [
                    counts[i, j] > 0
                    or s not in row_types
                    or any(allowed(typ, t) for typ in row_types[s])
                    for j, t in enumerate(stages)
                ]
                for i, s in enumerate(sectors)
            ],
            dtype=bool,
        ).reshape(counts.shape)
        if counts.sum() > 0:
            expected, resid = _quasi_independence(counts, mask)
        else:
            expected, resid = np.zeros(counts.shape), np.full(counts.shape, np.nan)
        grid = pd.DataFrame(
            [
                {
                    "sector": s,
                    "stage": t,
                    "count": int(counts[i, j]),
                    "applicable": bool(mask[i, j]),
                    "expected": float(expected[i, j]),
                    "residual": float(resid[i, j]),
                    "row_unclassified": row_bare.get(s, 0),
                    "col_unclassified": col_bare.get(t, 0),
                    "_row_all": row_all.get(s, 0),
                    "_col_all": col_all.get(t, 0),
                    "_types": tuple(sorted(x for x in row_types.get(s, ()) if x)),
                }
                for i, s in enumerate(sectors)
                for j, t in enumerate(stages)
            ],
            columns=[
                "sector",
                "stage",
                "count",
                "applicable",
                "expected",
                "residual",
                "row_unclassified",
                "col_unclassified",
                "_row_all",
                "_col_all",
                "_types",
            ],
        )
        total = int(grid["count"].sum())
        grid["row_total"] = grid.groupby("sector")["count"].transform("sum")
        grid["col_total"] = grid.groupby("stage")["count"].transform("sum")
        grid["total"] = total
        grid["entity"] = f"{kind}s"
        keys = list(zip(grid["sector"], grid["stage"], strict=True))
        grid["examples"] = [
            tuple(sorted(entity_id(i) for i in cells.get(key, []))[:5]) if explain else ()
            for key in keys
        ]
        grid["cellmembers"] = [cells.get(key, []) for key in keys]
        frames.append(grid)
    if not frames:
        df = pd.DataFrame(columns=COVERAGE_COLUMNS)
        df.attrs["summary"] = "Nothing to tabulate: no entity of the kind asked for."
        return df
    df = pd.concat(frames, ignore_index=True)
    tested = df["applicable"] & (df["expected"] > 1e-12)
    df["p_value"] = np.where(
        tested,
        _poisson_p(df["count"].to_numpy(float), df["expected"].to_numpy(float)),
        np.nan,
    )
    df["q_value"] = bh_adjust(df["p_value"].to_numpy())
    significant = df["q_value"] <= alpha
    df["stage_order"] = df["stage"].map(order).astype(float)
    df["empty"] = (df["count"] == 0) & df["applicable"]
    df["thin"] = (df["count"] > 0) & (df["count"] < thin)
    df["under"] = significant & (df["count"] < df["expected"])
    df["over"] = significant & (df["count"] > df["expected"])
    with np.errstate(divide="ignore", invalid="ignore"):
        df["uncertain"] = (df["row_unclassified"] > df["_row_all"] / 2) | (
            df["col_unclassified"] > df["_col_all"] / 2
        )
    flags = df[["empty", "thin", "under", "over", "uncertain"]]
    df["flag"] = [
        "|".join(name for name, on in row.items() if on)
        or ("not-expected" if not app and n == 0 else "ok")
        for (_, row), app, n in zip(flags.iterrows(), df["applicable"], df["count"], strict=True)
    ]
    if explain:
        df["explanation"] = [_coverage_text(net, r, thin, alpha) for r in df.to_dict("records")]
        summary = _coverage_summary(df, unknowns, alpha, int(tested.sum()))
    else:
        df["explanation"], summary = "", ""
    if sector is not None:
        df = df[df["sector"].isin(net.descendants("sector", sector))]
    sector_pos = {s: i for i, s in enumerate(sectors)}
    df = df.assign(_s=df["sector"].map(sector_pos), _t=df["stage"].map(stages.index))
    df = df.sort_values(["entity", "_s", "_t", "sector", "stage"], kind="mergesort")
    gaps_first = (
        df.assign(_na=~df["applicable"])
        .sort_values(
            ["_na", "residual", "count", "entity", "_s", "_t"],
            na_position="last",
            kind="mergesort",
        )
        .index
    )
    df["rank"] = pd.Series(np.arange(1, len(df) + 1), index=gaps_first)
    df = df[COVERAGE_COLUMNS].reset_index(drop=True)
    df.attrs["summary"] = summary
    return df


def _type_words(net: Network, kind: str, codes) -> list[str]:
    """Readable names of the *kind* (``actor``/``initiative``) type *codes*: the label of each
    type concept (English first), lower-cased mid-sentence unless it is an acronym; a code
    without a label is shown with spaces for hyphens.

    Examples
    --------
    >>> from bioeco.analyses._fixture import example_graph
    >>> from bioeco.analyses.project import load_network
    >>> net = load_network(example_graph())  # the tiny fixture labels by code
    >>> _type_words(net, "actor", ("research-institute", "university"))
    ['research institute', 'university']
    """
    table = net.concepts[net.concepts["scheme"] == f"{kind}-type"]
    labels = dict(zip(table["code"], table["label"], strict=True))
    out = []
    for code in codes:
        label = str(labels.get(code) or code)
        if label == code:
            label = code.replace("-", " ")
        out.append(label[:1].lower() + label[1:] if label[1:2].islower() else label)
    return out


def _coverage_text(net: Network, row: dict, thin: int, alpha: float) -> str:
    kind = row["entity"]
    noun = kind if row["count"] != 1 else kind[:-1]
    who = f" ({name_list(net, row['cellmembers'])})" if row["count"] else ""
    head = f"{row['count'] or 'No'} {noun} in {row['sector']} at stage {row['stage']}{who}"
    if not row["applicable"]:
        types = ", ".join(_type_words(net, kind[:-1], row["_types"])) or "none"
        text = (
            f"{head}: not expected, no type counted in {row['sector']} can be at stage "
            f"{row['stage']} by the stage rules (types counted there: {types})"
        )
    else:
        notes = []
        if row["empty"]:
            notes.append("empty")
        if row["thin"]:
            notes.append(f"thin (fewer than {thin})")
        text = head + (f": {', '.join(notes)}" if notes else "")
        res = "undefined" if np.isnan(row["residual"]) else f"{row['residual']:+.2f}"
        text += f"; expected {row['expected']:.2f}, standardised residual {res}"
        if np.isnan(row["p_value"]):
            text += ", not tested (nothing expected)"
        else:
            text += f", p-value {row['p_value']:.3f} (adjusted {row['q_value']:.3f})"
            if row["under"]:
                text += f": fewer than the totals predict (adjusted p <= {alpha:g}), a gap"
            elif row["over"]:
                text += f": more than the totals predict (adjusted p <= {alpha:g})"
            else:
                text += ": within what chance gives"
    if row["uncertain"]:
        parts = []
        if row["row_unclassified"] > row["_row_all"] / 2:
            parts.append(
                f"{row['row_unclassified']} of the {row['_row_all']} {kind} in "
                f"{row['sector']} have no stage"
            )
        if row["col_unclassified"] > row["_col_all"] / 2:
            parts.append(
                f"{row['col_unclassified']} of the {row['_col_all']} {kind} at stage "
                f"{row['stage']} have no sector"
            )
        text += "; uncertain: " + " and ".join(parts)
    return text


def _coverage_summary(
    df: pd.DataFrame, unknowns: dict[str, dict[str, int]], alpha: float, tested: int
) -> str:
    parts = []
    for kind, known in unknowns.items():
        rows = df[df["entity"] == f"{kind}s"]
        counted = known["entities"] - known["no_sector"] - known["no_stage"] + known["neither"]
        parts.append(
            f"{kind.capitalize()}s: {counted} of {known['entities']} have both a sector and a "
            f"stage and are counted; {known['no_sector']} "
            f"{'has' if known['no_sector'] == 1 else 'have'} no sector, {known['no_stage']} "
            f"no stage ({known['neither']} neither). "
            f"{int(rows['under'].sum())} cells under, {int(rows['over'].sum())} over, "
            f"{int((rows['flag'] == 'not-expected').sum())} not expected by the stage rules, "
            f"{int(rows['uncertain'].sum())} uncertain."
        )
    flagged = int((df["under"] | df["over"]).sum())
    detect = math.log(2 * tested / alpha) if tested else float("nan")
    verdict = (
        f"{flagged} of {tested} cells tested differ significantly from the count their totals "
        "predict"
        if flagged
        else f"No cell of the {tested} tested differs significantly from the count its totals "
        "predict"
    )
    how = (
        f" (two-sided Poisson test, false discovery rate controlled at {alpha:.0%} by "
        "Benjamini–Hochberg over all cells tested)"
    )
    reach = (
        f". With these counts an empty cell is flagged under only where at least "
        f"{detect:.1f} entities were expected"
        if tested
        else ""
    )
    return verdict + how + reach + ". " + " ".join(parts)


def coverage_matrix(
    table: pd.DataFrame, *, entity: str = "actors", value: str = "count"
) -> pd.DataFrame:
    """Pivot a :func:`coverage` table into a sector × stage matrix (stages in chain order).

    *entity* picks ``actors`` or ``initiatives``; *value* any numeric column of the table
    (``count``, ``expected``, ``residual``).

    Columns
    -------
    one column per value-chain stage, in innovation-chain order; index: sector codes

    Examples
    --------
    >>> from bioeco.analyses._fixture import example_graph
    >>> m = coverage_matrix(coverage(example_graph()))
    >>> list(m.columns)
    ['research', 'data', 'innovation', 'commercialisation', 'sales', 'capital']
    >>> int(m.loc["marine", "research"])
    1
    """
    if entity not in ("actors", "initiatives"):
        raise UsageError(f"entity must be 'actors' or 'initiatives', not {entity!r}")
    if value not in table.columns:
        raise UsageError(f"no column {value!r} in the coverage table")
    rows = table[table["entity"] == entity]
    stages = rows.sort_values(["stage_order", "stage"])["stage"].drop_duplicates().tolist()
    matrix = rows.pivot(index="sector", columns="stage", values=value)
    return matrix.reindex(columns=stages).rename_axis(index="sector", columns="stage")
