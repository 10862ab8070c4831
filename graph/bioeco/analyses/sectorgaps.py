"""Structural gaps (gaps_structural): sector pairs sharing fewer initiatives than chance gives."""

from __future__ import annotations

import hashlib
import itertools

import numpy as np
import pandas as pd
from rdflib import Dataset, Graph
from scipy import sparse

from bioeco.analyses.gapshared import bh_adjust, check_code, name_list
from bioeco.analyses.project import Network, as_network, entity_id
from bioeco.errors import UsageError

__all__ = [
    "STRUCTURAL_COLUMNS",
    "p_none",
    "shuffled_counts",
    "structural_gaps",
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


def _log_choose(n: np.ndarray, k: np.ndarray) -> np.ndarray:
    from scipy.special import gammaln  # on first use: scipy.special takes ~0.13 s to import

    return gammaln(n + 1) - gammaln(k + 1) - gammaln(n - k + 1)


def p_none(total: int, hits: int, sizes: np.ndarray) -> np.ndarray:
    """P(a uniform *sizes*-subset of *total* items contains none of *hits* marked items)."""
    rest = total - hits
    out = np.zeros(len(sizes))
    ok = sizes <= rest
    out[ok] = np.exp(_log_choose(rest, sizes[ok]) - _log_choose(total, sizes[ok]))
    return out


def shuffled_counts(
    incidence: sparse.csr_matrix, smat: np.ndarray, pairs: np.ndarray, draws: int, seed: int
) -> np.ndarray:
    """Shared-initiative counts of each sector pair in *draws* shuffles of the members'
    sector rows (draws × pairs): each shuffle permutes the rows of *smat* (members × sectors,
    0/1) among the members, the incidence (initiatives × members) stays as it is.

    The last counts are kept with a digest of what they were drawn from: the what-if's start
    (:mod:`bioeco.analyses.incremental`) asks for the same shuffles that
    :func:`structural_gaps` drew in the same ``bioeco analyze`` and gets a copy of them."""
    key = _shuffle_key(incidence, smat, pairs, draws, seed)
    if key in _LAST_SHUFFLES:
        return _LAST_SHUFFLES[key].copy()
    out = _shuffled(incidence, smat, pairs, draws, seed)
    _LAST_SHUFFLES.clear()
    _LAST_SHUFFLES[key] = out
    return out.copy()


_LAST_SHUFFLES: dict[bytes, np.ndarray] = {}


def _shuffle_key(
    incidence: sparse.csr_matrix, smat: np.ndarray, pairs: np.ndarray, draws: int, seed: int
) -> bytes:
    """Digest of the arguments of :func:`shuffled_counts` (the incidence in canonical form:
    equal matrices built another way give the same digest)."""
    inc = sparse.csr_matrix(incidence, dtype=np.float64, copy=True)
    inc.sum_duplicates()
    inc.sort_indices()
    h = hashlib.blake2b(digest_size=32)
    h.update(inc.indptr.astype(np.int64))
    h.update(inc.indices.astype(np.int64))
    h.update(inc.data)
    cells = np.ascontiguousarray(smat, dtype=np.int8)
    h.update(repr((inc.shape, cells.shape, int(draws), int(seed))).encode())
    h.update(cells)
    h.update(np.ascontiguousarray(pairs, dtype=np.int64))
    return h.digest()


def _shuffled(
    incidence: sparse.csr_matrix, smat: np.ndarray, pairs: np.ndarray, draws: int, seed: int
) -> np.ndarray:
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
    check_code(net, "sector", sector)
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
        + (f" ({name_list(net, shared)})" if shared else "")
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
