"""Value-chain gaps: sector × stage coverage, survey comparison and structural sector gaps."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
from rdflib import Dataset, Graph
from scipy import sparse
from scipy.special import gammaln

from bioeco.analyze.project import Network, as_network, concept_code, entity_id, selector
from bioeco.errors import UsageError

__all__ = [
    "COVERAGE_COLUMNS",
    "STRUCTURAL_COLUMNS",
    "STRUCTURAL_METHOD",
    "SURVEY_COLUMNS",
    "coverage",
    "coverage_matrix",
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
    "expected",
    "residual",
    "empty",
    "thin",
    "under",
    "over",
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
    "ratio",
    "gap",
    "significant",
    "shared_initiatives",
    "score",
    "method",
    "explanation",
]

STRUCTURAL_METHOD = (
    "random mixing (hypergeometric): each initiative keeps its number of members, drawn "
    "uniformly without replacement from all members; member sectors fixed; expected = sum over "
    "initiatives of P(at least one member in each sector); p = Poisson-binomial P(X <= observed)"
)


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


def coverage(
    source: Graph | Dataset | Network,
    *,
    region: str | None = None,
    type: str | None = None,
    sector: str | None = None,
    thin: int = 3,
    z: float = 1.96,
    as_of: int | None = None,
    basis: str = "all",
    rollup: bool = True,
) -> pd.DataFrame:
    """Sector × value-chain-stage coverage of actors and of initiatives, with flagged cells.

    Each actor (initiative) adds 1 to every cell (sector, stage) of its own sector and stage
    classifications; entities lacking either are not counted. With *rollup* (default) a
    narrower sector counts under its top sector (pharma under health), so the matrix has one
    row per top-level sector and every entity is counted once per row; ``rollup=False``
    tabulates the codes as classified (also when *sector* names a narrower concept). Rows are
    every sector × every stage known in the graph (the concept schemes plus codes in use), so
    empty cells appear.
    The expected count of a cell is ``row_total · col_total / total`` (independence of sector
    and stage, totals taken over the cell counts) and ``residual`` is the adjusted
    (standardised) Pearson residual ``(count - expected) / sqrt(expected · (1 - row_total/total)
    · (1 - col_total/total))``, approximately standard normal when the cell is not unusual.
    *region* keeps entities located there or below (an initiative without a region takes its
    members' regions); *type* keeps entities of that actor- or initiative-type code (only the
    kind that has the code is tabulated); *sector* keeps the rows of that sector and below
    (after the totals are computed on everything). With ``as_of`` only actors with a
    membership valid in that year and initiatives active then are counted.

    Columns
    -------
    rank : 1 = the most under-represented cell (lowest adjusted residual, then fewest
        entities; undefined residuals last); rows stay in matrix order
    entity : ``actors`` or ``initiatives``
    sector, stage : concept codes; stage_order : position in the value chain (NaN if unknown)
    count : entities in the cell
    row_total, col_total, total : cell-count totals of the sector row, stage column, table
    expected : count expected from the totals
    residual : adjusted standardised residual (NaN when undefined)
    empty : count is 0; thin : 0 < count < *thin*
    under, over : residual <= -*z* / residual >= *z*
    flag : ``|``-joined names of the true flags (``empty``, ``thin``, ``under``, ``over``) or ``ok``
    examples : ids of up to five entities in the cell (tuple)
    explanation : the cell in plain English

    Examples
    --------
    >>> from bioeco.analyze._fixture import example_graph
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
    1 actor in marine at stage research (UiT): thin (fewer than 3); expected 0.67 from the
    row and column totals, adjusted residual +0.57
    """
    if thin < 1:
        raise UsageError(f"thin must be at least 1, not {thin!r}")
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
    frames = []
    for kind in kinds:
        cells: dict[tuple[str, str], list[str]] = {}
        for iri in _active(net, kind):
            if type is not None and net.attr(iri, "type") != type:
                continue
            if inside is not None and not (_regions_of(net, iri) & inside):
                continue
            own = net.attr(iri, "sectors")
            if rollup:
                own = tuple(sorted({net.top("sector", c) for c in own}))
            for cell in itertools.product(own, net.attr(iri, "stages")):
                cells.setdefault(cell, []).append(iri)
        grid = pd.DataFrame(
            [
                {"sector": s, "stage": t, "count": len(cells.get((s, t), []))}
                for s in sectors
                for t in stages
            ],
            columns=["sector", "stage", "count"],
        )
        total = int(grid["count"].sum())
        grid["row_total"] = grid.groupby("sector")["count"].transform("sum")
        grid["col_total"] = grid.groupby("stage")["count"].transform("sum")
        grid["total"] = total
        r, c = grid["row_total"].to_numpy(float), grid["col_total"].to_numpy(float)
        with np.errstate(divide="ignore", invalid="ignore"):
            expected = r * c / total if total else np.zeros(len(grid))
            var = expected * (1 - r / total) * (1 - c / total) if total else np.zeros(len(grid))
            resid = np.where(var > 0, (grid["count"] - expected) / np.sqrt(var), np.nan)
        grid["expected"] = expected
        grid["residual"] = resid
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
        return pd.DataFrame(columns=COVERAGE_COLUMNS)
    df = pd.concat(frames, ignore_index=True)
    df["stage_order"] = df["stage"].map(order).astype(float)
    df["empty"] = df["count"] == 0
    df["thin"] = (df["count"] > 0) & (df["count"] < thin)
    df["under"] = df["residual"] <= -z
    df["over"] = df["residual"] >= z
    flags = df[["empty", "thin", "under", "over"]]
    df["flag"] = [
        "|".join(name for name, on in row.items() if on) or "ok" for _, row in flags.iterrows()
    ]
    texts = []
    for row in df.itertuples():
        noun = row.entity if row.count != 1 else row.entity[:-1]
        who = f" ({_names(net, row.cellmembers)})" if row.count else ""
        head = f"{row.count or 'No'} {noun} in {row.sector} at stage {row.stage}{who}"
        notes = []
        if row.empty:
            notes.append("empty")
        if row.thin:
            notes.append(f"thin (fewer than {thin})")
        if row.under:
            notes.append("fewer than the totals predict")
        if row.over:
            notes.append("more than the totals predict")
        res = "undefined" if np.isnan(row.residual) else f"{row.residual:+.2f}"
        texts.append(
            head
            + (f": {', '.join(notes)}" if notes else "")
            + f"; expected {row.expected:.2f} from the row and column totals, "
            + f"adjusted residual {res}"
        )
    df["explanation"] = texts
    if sector is not None:
        df = df[df["sector"].isin(net.descendants("sector", sector))]
    sector_pos = {s: i for i, s in enumerate(sectors)}
    df = df.assign(_s=df["sector"].map(sector_pos), _t=df["stage"].map(stages.index))
    df = df.sort_values(["entity", "_s", "_t", "sector", "stage"], kind="mergesort")
    gaps_first = df.sort_values(
        ["residual", "count", "entity", "_s", "_t"], na_position="last", kind="mergesort"
    ).index
    df["rank"] = pd.Series(np.arange(1, len(df) + 1), index=gaps_first)
    return df[COVERAGE_COLUMNS].reset_index(drop=True)


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
    *network* (from :func:`~graph.analyze.project.load_network` on the same graph) avoids
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
    >>> from bioeco.analyze._fixture import example_graph
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


def _p_none(total: int, hits: int, sizes: np.ndarray) -> np.ndarray:
    """P(a uniform *sizes*-subset of *total* items contains none of *hits* marked items)."""
    rest = total - hits
    out = np.zeros(len(sizes))
    ok = sizes <= rest
    out[ok] = np.exp(_log_choose(rest, sizes[ok]) - _log_choose(total, sizes[ok]))
    return out


def _poisson_binomial_cdf(probs: np.ndarray, k: int) -> float:
    dist = np.array([1.0])
    for p in probs:
        dist = np.concatenate([dist * (1 - p), [0.0]]) + np.concatenate([[0.0], dist * p])
    return float(min(1.0, dist[: k + 1].sum()))


def structural_gaps(
    source: Graph | Dataset | Network,
    *,
    alpha: float = 0.05,
    sector: str | None = None,
    as_of: int | None = None,
    basis: str = "all",
) -> pd.DataFrame:
    """Sector pairs that share fewer initiatives than random mixing would give.

    An initiative is *shared* by sectors a and b when at least one of its members is classified
    a and at least one b (a member with both counts for both). The null model (``method``
    column) keeps every initiative's number of members and every member's sectors, and draws
    each initiative's members uniformly without replacement from all N members; then
    ``P_i = 1 - P(no a) - P(no b) + P(no a and no b)`` with hypergeometric
    ``P(none of K) = C(N-K, n_i) / C(N, n_i)``. ``expected = Σ P_i``, ``std = sqrt(Σ P_i(1-P_i))``,
    ``z = (observed - expected) / std`` and ``p_value`` is the exact Poisson-binomial
    probability of observing at most ``observed`` shared initiatives. *sector* keeps pairs
    involving that sector or one below it.

    Columns
    -------
    rank : 1 = largest shortfall (score, then ids)
    sector_a, sector_b : sector codes, a < b
    members_a, members_b : members classified in each sector
    observed : initiatives shared by the two sectors; expected, std : under random mixing
    z : standardised difference (NaN when std is 0); p_value : P(X <= observed)
    ratio : observed / expected (NaN when expected is 0)
    gap : observed < expected; significant : gap and p_value <= *alpha*
    shared_initiatives : ids of the shared initiatives (tuple)
    score : -z (higher = bigger structural gap; NaN z ranks last)
    method : the null model, in words
    explanation : the finding in plain English

    Examples
    --------
    >>> from bioeco.analyze._fixture import example_graph
    >>> df = structural_gaps(example_graph())
    >>> df[["sector_a", "sector_b", "observed", "expected", "gap"]].round(3)
        sector_a sector_b  observed  expected    gap
    0  agri-food   health         2     2.833   True
    1  agri-food   marine         2     2.833   True
    2     health   marine         3     2.567  False
    """
    if not 0 < alpha < 1:
        raise UsageError(f"alpha must be between 0 and 1, not {alpha!r}")
    net = as_network(source, as_of=as_of, basis=basis)
    _check_code(net, "sector", sector)
    members, b = net.members, net.incidence
    # narrower sectors count under their top sector (a pharma company is in health), so no
    # pair compares a sector with its own sub-group
    sectors_of = {
        m: sorted({net.top("sector", s) for s in net.attr(m, "sectors")}) for m in members
    }
    codes = sorted({s for m in members for s in sectors_of[m]})
    if len(codes) < 2 or b.shape[1] == 0:
        return pd.DataFrame(columns=STRUCTURAL_COLUMNS)
    pos = {c: k for k, c in enumerate(codes)}
    entries = [(i, pos[s]) for i, m in enumerate(members) for s in sectors_of[m]]
    smat = sparse.csr_matrix(
        (np.ones(len(entries)), ([e[0] for e in entries], [e[1] for e in entries])),
        shape=(len(members), len(codes)),
    )
    present = ((b.T @ smat) > 0).astype(np.int64).tocsc()  # initiatives × sectors
    co = (present.T @ present).toarray()
    k_count = np.asarray(smat.sum(axis=0)).ravel().astype(int)
    sizes = np.asarray(b.sum(axis=0)).ravel().astype(int)
    total = len(members)
    has = {c: set(np.flatnonzero(smat[:, pos[c]].toarray().ravel())) for c in codes}
    wanted = (net.descendants("sector", sector) | {net.top("sector", sector)}) if sector else None
    rows = []
    for a, c in itertools.combinations(codes, 2):
        if wanted is not None and not ({a, c} & wanted):
            continue
        union = len(has[a] | has[c])
        probs = 1 - _p_none(total, len(has[a]), sizes) - _p_none(total, len(has[c]), sizes)
        probs = np.clip(probs + _p_none(total, union, sizes), 0.0, 1.0)
        expected = float(probs.sum())
        std = float(np.sqrt((probs * (1 - probs)).sum()))
        observed = int(co[pos[a], pos[c]])
        zval = (observed - expected) / std if std > 0 else float("nan")
        pval = _poisson_binomial_cdf(probs, observed)
        col_a = present[:, pos[a]].toarray().ravel()
        col_c = present[:, pos[c]].toarray().ravel()
        shared = [net.initiatives[k] for k in np.flatnonzero(col_a & col_c)]
        gap = observed < expected - 1e-9
        rows.append(
            {
                "sector_a": a,
                "sector_b": c,
                "members_a": int(k_count[pos[a]]),
                "members_b": int(k_count[pos[c]]),
                "observed": observed,
                "expected": expected,
                "std": std,
                "z": zval,
                "p_value": pval,
                "ratio": observed / expected if expected > 0 else float("nan"),
                "gap": bool(gap),
                "significant": bool(gap and pval <= alpha),
                "shared_initiatives": tuple(sorted(entity_id(i) for i in shared)),
                "score": -zval,
                "method": STRUCTURAL_METHOD,
                "explanation": (
                    f"{a} and {c} share {observed} initiative{'s' if observed != 1 else ''}"
                    + (f" ({_names(net, shared)})" if shared else "")
                    + f"; random mixing of the {total} members would give {expected:.2f}"
                    + (f" (z-score {zval:+.2f}, p-value {pval:.3f})" if not np.isnan(zval) else "")
                    + (
                        ": fewer than expected, a structural gap"
                        + (" (significant)" if gap and pval <= alpha else "")
                        if gap
                        else ": no gap"
                    )
                ),
            }
        )
    df = pd.DataFrame(rows, columns=[c for c in STRUCTURAL_COLUMNS if c != "rank"])
    df = df.assign(_nan=df["score"].isna()).sort_values(
        ["_nan", "score", "sector_a", "sector_b"],
        ascending=[True, False, True, True],
        kind="mergesort",
    )
    df = df.drop(columns="_nan").reset_index(drop=True)
    df.insert(0, "rank", np.arange(1, len(df) + 1))
    return df


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
    >>> from bioeco.analyze._fixture import example_graph
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
