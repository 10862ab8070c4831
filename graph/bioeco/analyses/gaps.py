"""Value-chain gaps: sector × stage coverage, survey comparison and structural sector gaps."""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
from rdflib import Dataset, Graph
from scipy import sparse
from scipy.special import gammaln
from scipy.stats import poisson

from bioeco.analyses.project import Network, as_network, concept_code, entity_id, selector
from bioeco.errors import UsageError

__all__ = [
    "COVERAGE_COLUMNS",
    "STRUCTURAL_COLUMNS",
    "SURVEY_COLUMNS",
    "bh_adjust",
    "coverage",
    "coverage_matrix",
    "p_none",
    "shuffled_counts",
    "structural_gaps",
    "survey_comparison",
]

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

SURVEY_COLUMNS = [
    "observation",
    "dataset",
    "question",
    "respondent_group",
    "topic",
    "sector",
    "stage",
    "share",
    "sample_size",
    "survey_source",
    "graph_scope",
    "graph_actors",
    "graph_initiatives",
    "graph_share_actors",
    "graph_examples",
    "graph_sources",
    "explanation",
]

STRUCTURAL_COLUMNS = [
    "rank",
    "sector_a",
    "sector_b",
    "members_a",
    "members_b",
    "observed",
    "expected",
    "std",
    "z",
    "p_value",
    "q_value",
    "ratio",
    "shortfall",
    "gap",
    "detectable",
    "shared_initiatives",
    "score",
    "method",
    "explanation",
]


def _names(net: Network, iris: list[str], limit: int = 3) -> str:
    labels = sorted(net.label(i) for i in iris)
    more = len(labels) - limit
    return ", ".join(labels[:limit]) + (f" and {more} more" if more > 0 else "")


def _active(net: Network, kind: str) -> list[str]:
    """Entities of *kind* counted by the coverage (all, or those active in ``net.as_of``)."""
    frame = net.nodes[net.nodes["kind"] == kind]
    if net.as_of is None:
        return sorted(frame.index)
    year = net.as_of
    if kind == "actor":
        return sorted(set(frame.index) & set(net.edges["member"]))
    out = []
    with_members = set(net.initiatives)
    for iri, start, end in zip(frame.index, frame["start"], frame["end"], strict=True):
        dated = pd.notna(start) or pd.notna(end)
        covers = (pd.isna(start) or start <= year) and (pd.isna(end) or year <= end)
        if (dated and covers) or iri in with_members:
            out.append(iri)
    return sorted(out)


def _regions_of(net: Network, iri: str) -> set[str]:
    own = set(net.attr(iri, "regions"))
    if own or net.attr(iri, "kind") != "initiative":
        return own
    members = net.members_of(iri)
    return {r for m in members for r in net.attr(m, "regions")}


def _check_code(net: Network, scheme: str, code: str | None) -> None:
    if code is not None and code not in net.codes(scheme):
        known = ", ".join(net.codes(scheme)) or "none"
        raise UsageError(f"unknown {scheme} {code!r}: known {scheme} codes are {known}")


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
    out = np.full(len(count), np.nan)
    ok = expected > 1e-12
    low = poisson.cdf(count[ok], expected[ok])
    high = poisson.sf(count[ok] - 1, expected[ok])
    out[ok] = np.minimum(1.0, 2 * np.minimum(low, high))
    return out


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
    membership valid in that year and initiatives active then are counted.

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
        _check_code(net, scheme, code)
    sectors, stages = net.codes("sector"), net.codes("stage")
    if sector is not None and net.top("sector", sector) != sector:
        rollup = False  # asking about a narrower sector: show the codes as classified
    if rollup:
        sectors = [c for c in sectors if net.top("sector", c) == c]
    order = {
        c: o
        for c, o in zip(net.concepts["code"], net.concepts["order"], strict=True)
        if c in stages
    }
    kinds = ["actor", "initiative"]
    if type is not None:
        kinds = [k for k in kinds if (net.nodes.loc[net.nodes["kind"] == k, "type"] == type).any()]
        if not kinds:
            known = ", ".join(sorted(set(net.nodes["type"].dropna()))) or "none"
            raise UsageError(f"unknown type {type!r}: known type codes are {known}")
    inside = net.descendants("region", region) if region else None
    rules = _stage_rules(net)
    frames, unknowns = [], {}
    for kind in kinds:
        cells: dict[tuple[str, str], list[str]] = {}
        row_all: dict[str, int] = {}
        row_bare: dict[str, int] = {}
        col_all: dict[str, int] = {}
        col_bare: dict[str, int] = {}
        row_types: dict[str, set[str | None]] = {}
        known = {"entities": 0, "no_sector": 0, "no_stage": 0, "neither": 0}
        for iri in _active(net, kind):
            typ = net.attr(iri, "type")
            if type is not None and typ != type:
                continue
            if inside is not None and not (_regions_of(net, iri) & inside):
                continue
            own = net.attr(iri, "sectors")
            if rollup:
                own = tuple(sorted({net.top("sector", c) for c in own}))
            own = tuple(s for s in own if s in sectors) if own else own
            steps = net.attr(iri, "stages")
            known["entities"] += 1
            known["no_sector"] += not own
            known["no_stage"] += not steps
            known["neither"] += not own and not steps
            for s in own:
                row_all[s] = row_all.get(s, 0) + 1
                row_bare[s] = row_bare.get(s, 0) + (not steps)
                if steps:
                    row_types.setdefault(s, set()).add(typ)
            for t in steps:
                col_all[t] = col_all.get(t, 0) + 1
                col_bare[t] = col_bare.get(t, 0) + (not own)
            for cell in itertools.product(own, steps):
                cells.setdefault(cell, []).append(iri)
        unknowns[kind] = known
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
        grid["examples"] = [
            tuple(sorted(entity_id(i) for i in cells.get((s, t), []))[:5])
            for s, t in zip(grid["sector"], grid["stage"], strict=True)
        ]
        grid["cellmembers"] = [
            cells.get((s, t), []) for s, t in zip(grid["sector"], grid["stage"], strict=True)
        ]
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
    df["explanation"] = [_coverage_text(net, row, thin, alpha) for row in df.to_dict("records")]
    m = int(tested.sum())
    summary = _coverage_summary(df, unknowns, alpha, m)
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
    who = f" ({_names(net, row['cellmembers'])})" if row["count"] else ""
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


_Q_OBS = """
SELECT ?obs ?dataset ?question ?group ?topic ?sector ?stage ?share ?n ?dn ?src ?dsrc WHERE {
  ?obs a qb:Observation ; bioeco:share ?share .
  OPTIONAL { ?obs bioeco:sector ?sector }
  OPTIONAL { ?obs bioeco:valueChainStage ?stage }
  FILTER(BOUND(?sector) || BOUND(?stage))
  OPTIONAL { ?obs qb:dataSet ?dataset .
             OPTIONAL { ?dataset prov:wasDerivedFrom ?dsrc }
             OPTIONAL { ?dataset bioeco:sampleSize ?dn } }
  OPTIONAL { ?obs bioeco:question ?question }
  OPTIONAL { ?obs bioeco:respondentGroup ?group }
  OPTIONAL { ?obs bioeco:topic ?topic }
  OPTIONAL { ?obs bioeco:sampleSize ?n }
  OPTIONAL { ?obs prov:wasDerivedFrom ?src }
}"""

_Q_ASSERT_SRC = """
SELECT DISTINCT ?s ?c ?src WHERE {
  ?a bioeco:classifiedEntity ?s ; bioeco:concept ?c ; prov:wasDerivedFrom ?src .
}"""


def _code(value: object, scheme: str) -> str | None:
    return concept_code(value, scheme) if isinstance(value, str) else None


def survey_comparison(
    graph: Graph | Dataset,
    *,
    network: Network | None = None,
    sector: str | None = None,
    as_of: int | None = None,
    basis: str = "all",
) -> pd.DataFrame:
    """What the survey respondents said about a sector/stage next to what the graph shows.

    One row per ``qb:Observation`` that has a ``bioeco:sector`` and/or
    ``bioeco:valueChainStage`` (observations with neither have no graph counterpart). The graph
    side counts the actors and initiatives classified with that sector (or one below it) and/or
    that stage — ``graph_scope`` says which: ``cell`` (both), ``sector`` or ``stage``.
    *network* (from :func:`~bioeco.analyses.project.load_network` on the same graph) avoids
    reading the graph twice; *sector* keeps observations about that sector or below.

    Columns
    -------
    observation, dataset : compact ids of the observation and its data set
    question, respondent_group, topic, sector, stage : concept codes (None when absent)
    share : share of respondents (0–1); sample_size : respondents, where stated
    survey_source : source document(s) of the observation or its data set
    graph_scope : ``cell``, ``sector`` or ``stage``
    graph_actors, graph_initiatives : entities the graph classifies in that scope
    graph_share_actors : graph_actors / actors classified in the same dimension(s)
    graph_examples : ids of up to five of those entities (tuple)
    graph_sources : source documents of the classification assertions behind the counts
    explanation : both sides in plain English

    Examples
    --------
    >>> from bioeco.analyses._fixture import example_graph
    >>> df = survey_comparison(example_graph())
    >>> df[["stage", "share", "graph_actors", "graph_share_actors"]].round(3)
                   stage  share  graph_actors  graph_share_actors
    0           research   0.30             1               0.167
    1  commercialisation   0.42             1               0.167
    >>> print(df.loc[1, "explanation"])
    42% of respondents (all, question challenge, n=50) named stage commercialisation; the
    graph has 1 actor (Biotec AS) and 0 initiatives there, 17% of the actors with a
    classification in that dimension (sources: observation source/survey; graph source/test)
    """
    net = network if network is not None else as_network(graph, as_of=as_of, basis=basis)
    _check_code(net, "sector", sector)
    run = selector(graph)
    obs = run(_Q_OBS)
    if obs.empty:
        return pd.DataFrame(columns=SURVEY_COLUMNS)
    srcs = run(_Q_ASSERT_SRC)
    src_of: dict[tuple[str, str], set[str]] = {}
    for s, c, src in srcs.itertuples(index=False):
        src_of.setdefault((s, c), set()).add(entity_id(src))
    concept_iri = dict(
        zip(
            zip(net.concepts["scheme"], net.concepts["code"], strict=True),
            net.concepts["concept"],
            strict=True,
        )
    )
    stages = net.codes("stage")
    grouped: dict[str, dict] = {}
    for row in obs.sort_values("obs").itertuples(index=False):
        rec = grouped.setdefault(row.obs, {"src": set(), "row": row})
        for value in (row.src, row.dsrc):
            if isinstance(value, str):
                rec["src"].add(entity_id(value))
    counted = {k: _active(net, k) for k in ("actor", "initiative")}
    rows = []
    for obs_iri, rec in sorted(grouped.items()):
        row = rec["row"]
        sec, stg = _code(row.sector, "sector"), _code(row.stage, "stage")
        if sector is not None and (sec is None or sec not in net.descendants("sector", sector)):
            continue
        secs = net.descendants("sector", sec) if sec else None
        scope = "cell" if sec and stg else ("sector" if sec else "stage")

        def matches(iri: str, secs: set[str] | None = secs, stg: str | None = stg) -> bool:
            ok_sector = secs is None or bool(set(net.attr(iri, "sectors")) & secs)
            ok_stage = stg is None or stg in net.attr(iri, "stages")
            return ok_sector and ok_stage

        def classified(iri: str, sec: str | None = sec, stg: str | None = stg) -> bool:
            return (sec is None or bool(net.attr(iri, "sectors"))) and (
                stg is None or bool(net.attr(iri, "stages"))
            )

        hits = {k: [i for i in v if matches(i)] for k, v in counted.items()}
        base = [i for i in counted["actor"] if classified(i)]
        share_actors = len(hits["actor"]) / len(base) if base else float("nan")
        wanted = set()
        if secs:
            wanted |= {str(concept_iri.get(("sector", s), "")) for s in secs}
        if stg:
            wanted.add(str(concept_iri.get(("stage", stg), "")))
        graph_src = sorted(
            {
                src
                for i in hits["actor"] + hits["initiative"]
                for c in wanted
                for src in src_of.get((i, c), ())
            }
        )
        n = row.n if pd.notna(row.n) else row.dn
        sample = int(n) if pd.notna(n) else None
        examples = sorted(entity_id(i) for i in hits["actor"] + hits["initiative"])[:5]
        what = " and ".join(
            x for x in (f"sector {sec}" if sec else "", f"stage {stg}" if stg else "") if x
        )
        group = _code(row.group, "respondent-group")
        question = _code(row.question, "question")
        topic = _code(row.topic, "topic")
        n_a, n_i = len(hits["actor"]), len(hits["initiative"])
        text = (
            f"{float(row.share):.0%} of respondents ({group or 'unknown group'}"
            + (f", question {question}" if question else "")
            + (f", topic {topic}" if topic else "")
            + (f", n={sample}" if sample else "")
            + f") named {what}; the graph has {n_a} actor{'s' if n_a != 1 else ''}"
            + (f" ({_names(net, hits['actor'])})" if n_a else "")
            + f" and {n_i} initiative{'s' if n_i != 1 else ''} there"
            + (
                f", {share_actors:.0%} of the actors with a classification in that dimension"
                if not np.isnan(share_actors)
                else ""
            )
            + f" (sources: observation {', '.join(sorted(rec['src'])) or 'unknown'}; "
            + f"graph {', '.join(graph_src) or 'unknown'})"
        )
        rows.append(
            {
                "observation": entity_id(obs_iri),
                "dataset": entity_id(row.dataset) if isinstance(row.dataset, str) else None,
                "question": question,
                "respondent_group": group,
                "topic": topic,
                "sector": sec,
                "stage": stg,
                "share": float(row.share),
                "sample_size": sample,
                "survey_source": tuple(sorted(rec["src"])),
                "graph_scope": scope,
                "graph_actors": n_a,
                "graph_initiatives": n_i,
                "graph_share_actors": share_actors,
                "graph_examples": tuple(examples),
                "graph_sources": tuple(graph_src),
                "explanation": text,
            }
        )
    df = pd.DataFrame(rows, columns=SURVEY_COLUMNS)
    sectors = net.codes("sector")
    key = df.assign(
        _s=df["sector"].map(lambda s: sectors.index(s) if s in sectors else len(sectors)),
        _t=df["stage"].map(lambda s: stages.index(s) if s in stages else len(stages)),
    ).fillna({"question": "", "respondent_group": "", "topic": ""})
    key = key.sort_values(
        ["_s", "_t", "question", "respondent_group", "topic", "observation"], kind="mergesort"
    )
    return df.loc[key.index].reset_index(drop=True)


def _log_choose(n: np.ndarray, k: np.ndarray) -> np.ndarray:
    return gammaln(n + 1) - gammaln(k + 1) - gammaln(n - k + 1)


def p_none(total: int, hits: int, sizes: np.ndarray) -> np.ndarray:
    """P(a uniform *sizes*-subset of *total* items contains none of *hits* marked items)."""
    rest = total - hits
    out = np.zeros(len(sizes))
    ok = sizes <= rest
    out[ok] = np.exp(_log_choose(rest, sizes[ok]) - _log_choose(total, sizes[ok]))
    return out


def bh_adjust(p_values: Sequence[float] | np.ndarray) -> np.ndarray:
    """Benjamini–Hochberg adjusted p-values (q-values) of a family of tests.

    ``q_(i) = min over j >= i of p_(j) · m / j`` (p sorted ascending, m tests, capped at 1):
    calling every test with ``q <= alpha`` a finding controls the false discovery rate (the
    expected share of false findings among those called) at *alpha* when the tests are
    independent or positively dependent (Benjamini and Hochberg 1995). NaN p-values are not
    tested and stay NaN.

    Examples
    --------
    >>> bh_adjust([0.01, 0.04, 0.03, 0.5]).round(3).tolist()
    [0.04, 0.053, 0.053, 0.5]
    >>> bh_adjust([float("nan"), 0.02]).tolist()
    [nan, 0.02]
    """
    p = np.asarray(p_values, dtype=float)
    out = np.full(len(p), np.nan)
    tested = np.flatnonzero(~np.isnan(p))
    m = len(tested)
    if m == 0:
        return out
    order = tested[np.argsort(p[tested], kind="mergesort")]
    ranked = p[order] * m / np.arange(1, m + 1)
    out[order] = np.minimum(np.minimum.accumulate(ranked[::-1])[::-1], 1.0)
    return out


def shuffled_counts(
    incidence: sparse.csr_matrix, smat: np.ndarray, pairs: np.ndarray, draws: int, seed: int
) -> np.ndarray:
    """Shared-initiative counts of each sector pair in *draws* shuffles of the members'
    sector rows (draws × pairs): each shuffle permutes the rows of *smat* (members × sectors,
    0/1) among the members, the incidence (initiatives × members) stays as it is."""
    rng = np.random.default_rng(seed)
    k, n_codes = smat.shape
    out = np.zeros((draws, len(pairs)), dtype=np.int64)
    chunk = max(1, min(draws, 16_000_000 // max(1, k * n_codes + incidence.shape[0] * n_codes)))
    done = 0
    while done < draws:
        n = min(chunk, draws - done)
        perms = np.stack([rng.permutation(k) for _ in range(n)])  # n × k
        stacked = smat[perms].transpose(1, 0, 2).reshape(k, n * n_codes).astype(np.float32)
        present = (incidence @ stacked > 0).reshape(-1, n, n_codes).astype(np.float32)
        co = np.einsum("irs,irt->rst", present, present, optimize=True)
        out[done : done + n] = np.rint(co[:, pairs[:, 0], pairs[:, 1]]).astype(np.int64)
        done += n
    return out


def structural_gaps(
    source: Graph | Dataset | Network,
    *,
    alpha: float = 0.05,
    sector: str | None = None,
    as_of: int | None = None,
    basis: str = "all",
    permutations: int = 999,
    seed: int = 42,
) -> pd.DataFrame:
    """Sector pairs that share significantly fewer initiatives than chance would give.

    An initiative is *shared* by sectors a and b when at least one of its members is classified
    a and at least one b (a member with both counts for both; narrower sectors count under
    their top sector). The null model (``method`` column) keeps every member's initiatives
    and shuffles the sector classifications among the members that have one: sectors are then
    unrelated to who takes part in what, while every initiative keeps its size and every
    member its number of initiatives. ``expected`` is the exact mean under shuffling
    (``Σ_i P_i`` with ``P_i = 1 - P(no a) - P(no b) + P(no a and no b)`` and the
    hypergeometric ``P(none of K) = C(N-K, n_i) / C(N, n_i)`` over the N classified members,
    n_i of them in initiative i); ``p_value`` is the share of *permutations* seeded shuffles
    (plus the observation itself) with at most ``observed`` shared initiatives
    (one-sided, ``(1 + #) / (1 + permutations)``) and ``q_value`` its Benjamini–Hochberg
    adjustment over all the pairs tested (:func:`bh_adjust`). A pair is a **gap** only when it
    shares fewer than expected and ``q_value <= alpha``: the false discovery rate of the gaps
    called is then at most *alpha*. *sector* keeps the pairs involving that sector or one below
    it (after the adjustment over all pairs). ``attrs["summary"]`` of the table says in plain
    words what was found and, when nothing was, what the test could have detected.

    Columns
    -------
    rank : 1 = largest shortfall (score, then ids)
    sector_a, sector_b : sector codes, a < b
    members_a, members_b : members classified in each sector
    observed : initiatives shared by the two sectors; expected : mean under shuffled sectors
    std : standard deviation over the shuffles
    z : (observed - expected) / std (NaN when std is 0)
    p_value : one-sided permutation p-value of a shortfall
    q_value : Benjamini–Hochberg adjusted p-value over the pairs tested
    ratio : observed / expected (NaN when expected is 0)
    shortfall : observed < expected (not yet a finding)
    gap : shortfall and q_value <= *alpha*: a structural gap
    detectable : the most shared initiatives the pair could have had and still be called a gap
        on its own (permutation p-value <= alpha / pairs tested; NaN when even 0 would not)
    shared_initiatives : ids of the shared initiatives (tuple)
    score : -z (higher = bigger shortfall; NaN z ranks last)
    method : the null model and the correction, in words
    explanation : the finding in plain English

    Examples
    --------
    >>> from bioeco.analyses._fixture import example_graph
    >>> df = structural_gaps(example_graph())
    >>> df[["sector_a", "sector_b", "observed", "expected", "shortfall", "gap"]].round(3)
        sector_a sector_b  observed  expected  shortfall    gap
    0  agri-food   marine         2     2.833       True  False
    1  agri-food   health         2     2.833       True  False
    2     health   marine         3     2.567      False  False
    >>> print(df.attrs["summary"][:80])
    No sector pair shares significantly fewer initiatives than chance gives: no stru
    """
    if not 0 < alpha < 1:
        raise UsageError(f"alpha must be between 0 and 1, not {alpha!r}")
    if not isinstance(permutations, int | np.integer) or permutations < 1:
        raise UsageError(f"permutations must be a positive integer, not {permutations!r}")
    net = as_network(source, as_of=as_of, basis=basis)
    _check_code(net, "sector", sector)
    members, b = net.members, net.incidence
    # narrower sectors count under their top sector (a pharma company is in health), so no
    # pair compares a sector with its own sub-group
    sectors_of = {
        m: sorted({net.top("sector", s) for s in net.attr(m, "sectors")}) for m in members
    }
    classified = [i for i, m in enumerate(members) if sectors_of[m]]
    codes = sorted({s for m in members for s in sectors_of[m]})
    method = (
        f"shuffled sectors: each member keeps its initiatives, the sector classifications are "
        f"shuffled among the {len(classified)} members that have one ({permutations} shuffles, "
        f"seed {seed}); expected = exact mean under shuffling; p = share of shuffles with at "
        f"most the observed count (one-sided); q = Benjamini–Hochberg adjusted over the "
        f"{len(codes) * (len(codes) - 1) // 2} pairs tested (false discovery rate "
        f"{alpha:.0%})"
    )
    if len(codes) < 2 or b.shape[1] == 0:
        df = pd.DataFrame(columns=STRUCTURAL_COLUMNS)
        df.attrs["summary"] = "No sector pair could be tested: " + (
            "fewer than two sectors are classified among the members."
            if len(codes) < 2
            else "no initiative has members."
        )
        return df
    pos = {c: k for k, c in enumerate(codes)}
    smat = np.zeros((len(classified), len(codes)), dtype=np.int8)
    for row, i in enumerate(classified):
        smat[row, [pos[s] for s in sectors_of[members[i]]]] = 1
    inc = b[classified, :].T.tocsr()  # initiatives × classified members
    present = (inc @ smat) > 0  # initiatives × sectors
    co = present.T.astype(np.int64) @ present.astype(np.int64)
    k_count = smat.sum(axis=0).astype(int)
    sizes = np.asarray(inc.sum(axis=1)).ravel().astype(int)
    total = len(classified)
    pairs = np.array(list(itertools.combinations(range(len(codes)), 2)))
    null = shuffled_counts(inc, smat, pairs, int(permutations), seed)
    m = len(pairs)
    rows = []
    for n_pair, (ia, ic) in enumerate(pairs):
        a, c = codes[ia], codes[ic]
        union = int((smat[:, ia] | smat[:, ic]).sum())
        probs = 1 - p_none(total, int(k_count[ia]), sizes) - p_none(total, int(k_count[ic]), sizes)
        probs = np.clip(probs + p_none(total, union, sizes), 0.0, 1.0)
        expected = float(probs.sum())
        draws = null[:, n_pair]
        std = float(draws.std())
        observed = int(co[ia, ic])
        zval = (observed - expected) / std if std > 0 else float("nan")
        pval = float((1 + np.count_nonzero(draws <= observed)) / (1 + len(draws)))
        ordered = np.sort(draws)
        # the largest count c whose p-value (1 + #draws <= c) / (1 + R) is <= alpha / m
        allowed = int(np.floor(alpha / m * (1 + len(draws)))) - 1
        detect = (
            (ordered[allowed] - 1 if allowed < len(ordered) else observed) if allowed >= 0 else -1
        )
        shared = [net.initiatives[k] for k in np.flatnonzero(present[:, ia] & present[:, ic])]
        rows.append(
            {
                "sector_a": a,
                "sector_b": c,
                "members_a": int(k_count[ia]),
                "members_b": int(k_count[ic]),
                "observed": observed,
                "expected": expected,
                "std": std,
                "z": zval,
                "p_value": pval,
                "ratio": observed / expected if expected > 0 else float("nan"),
                "shortfall": bool(observed < expected - 1e-9),
                "detectable": float(detect) if detect >= 0 else float("nan"),
                "shared_initiatives": tuple(sorted(entity_id(i) for i in shared)),
                "_shared": shared,
            }
        )
    df = pd.DataFrame(rows)
    df["q_value"] = bh_adjust(df["p_value"].to_numpy())
    df["gap"] = df["shortfall"] & (df["q_value"] <= alpha)
    df["score"] = -df["z"]
    df["method"] = method
    df["explanation"] = [_structural_text(net, row, alpha, total) for row in df.to_dict("records")]
    summary = _structural_summary(df, alpha, total, len(members), permutations)
    if sector is not None:
        wanted = net.descendants("sector", sector) | {net.top("sector", sector)}
        df = df[df["sector_a"].isin(wanted) | df["sector_b"].isin(wanted)]
    df = df.assign(_nan=df["score"].isna()).sort_values(
        ["_nan", "score", "sector_a", "sector_b"],
        ascending=[True, False, True, True],
        kind="mergesort",
    )
    df = df.drop(columns=["_nan", "_shared"]).reset_index(drop=True)
    df.insert(0, "rank", np.arange(1, len(df) + 1))
    df = df[STRUCTURAL_COLUMNS]
    df.attrs["summary"] = summary
    return df


def _at_most(n: int) -> str:
    return "none" if n == 0 else f"{n} or fewer"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _structural_text(net: Network, row: dict, alpha: float, total: int) -> str:
    a, c, observed = row["sector_a"], row["sector_b"], row["observed"]
    shared = row["_shared"]
    head = (
        f"{a} and {c} share {_count(observed, 'initiative')}"
        + (f" ({_names(net, shared)})" if shared else "")
        + f"; with the sectors of the {total} classified members shuffled they would share "
        + f"{row['expected']:.2f} on average"
        + (f" (z-score {row['z']:+.2f})" if not np.isnan(row["z"]) else "")
        + f"; p-value {row['p_value']:.3f}, adjusted for the pairs tested {row['q_value']:.3f}"
    )
    if row["gap"]:
        return head + f" <= {alpha:g}: fewer than chance gives, a structural gap"
    if row["shortfall"]:
        need = (
            f"it would have been one with {_at_most(int(row['detectable']))} shared"
            if not np.isnan(row["detectable"])
            else "even no shared initiative would not have been significant with so few members"
        )
        return (
            head + f" > {alpha:g}: fewer than the average, but within what chance gives, "
            f"so not a gap ({need})"
        )
    return head + ": as many as chance gives or more, no gap"


def _structural_summary(
    df: pd.DataFrame, alpha: float, classified: int, members: int, permutations: int
) -> str:
    pairs = len(df)
    gaps = df[df["gap"]]
    how = (
        f"false discovery rate controlled at {alpha:.0%} by Benjamini–Hochberg over the "
        f"{pairs} sector pairs tested; null model: the sectors of the {classified} classified "
        f"members (of {members}) shuffled {permutations} times"
    )
    if len(gaps):
        names = ", ".join(f"{r.sector_a}–{r.sector_b}" for r in gaps.itertuples())
        return (
            f"{_count(len(gaps), 'sector pair')} {'shares' if len(gaps) == 1 else 'share'} "
            f"significantly fewer initiatives than chance gives (structural gaps): {names} "
            f"({how})."
        )
    short = int(df["shortfall"].sum())
    text = (
        f"No sector pair shares significantly fewer initiatives than chance gives: no "
        f"structural gap ({how})."
    )
    if short:
        text += (
            f" {_count(short, 'pair')} {'shares' if short == 1 else 'share'} fewer than the "
            "average, within what chance gives."
        )
    room = df.assign(need=df["expected"] - df["detectable"]).dropna(subset=["need"])
    if len(room):
        best = room.sort_values(["need", "sector_a", "sector_b"], kind="mergesort").iloc[0]
        text += (
            f" With these members the test could only have detected a shortfall of at least "
            f"{best['need']:.1f} shared initiatives ({best['sector_a']}–{best['sector_b']}: "
            f"{_at_most(int(best['detectable']))} shared instead of {best['expected']:.1f})"
        )
        blind = pairs - len(room)
        text += (
            f"; for {_count(blind, 'pair')} even no shared initiative would not have been "
            "significant."
            if blind
            else "."
        )
    else:
        text += (
            " With so few classified members, even no shared initiative would not have been "
            "significant for any pair: the test could not have detected a gap."
        )
    return text


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
