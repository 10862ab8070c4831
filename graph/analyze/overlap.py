"""Overlapping initiatives: member Jaccard and overlap coefficient from sparse products."""

from __future__ import annotations

import numpy as np
import pandas as pd
from rdflib import Dataset, Graph
from scipy import sparse

from bioeco.analyze.project import (
    ORGANISER_ROLES,
    Network,
    _shared_columns,
    as_network,
    entity_id,
)
from bioeco.errors import UsageError

__all__ = ["OVERLAP_COLUMNS", "initiative_sectors", "overlap_pairs"]

OVERLAP_COLUMNS = [
    "rank",
    "initiative_a",
    "initiative_b",
    "label_a",
    "label_b",
    "type_a",
    "type_b",
    "members_a",
    "members_b",
    "shared",
    "jaccard",
    "overlap",
    "shared_members",
    "shared_sectors",
    "shared_stages",
    "shared_organisers",
    "aims_similarity",
    "part_of",
    "consolidation",
    "score",
    "explanation",
]


def _names(net: Network, iris: list[str], limit: int = 3) -> str:
    labels = [net.label(i) for i in iris]
    more = len(labels) - limit
    return ", ".join(labels[:limit]) + (f" and {more} more" if more > 0 else "")


def _aims(net: Network, a: str, b: str) -> float:
    sa = {("sector", c) for c in net.attr(a, "sectors")} | {
        ("stage", c) for c in net.attr(a, "stages")
    }
    sb = {("sector", c) for c in net.attr(b, "sectors")} | {
        ("stage", c) for c in net.attr(b, "stages")
    }
    union = sa | sb
    return len(sa & sb) / len(union) if union else float("nan")


def initiative_sectors(net: Network, iri: str) -> set[str]:
    """Own sectors of an initiative, or (if it has none) the union of its members' sectors."""
    own = set(net.attr(iri, "sectors"))
    if own:
        return own
    members = net.members_of(iri)
    return {s for m in members for s in net.attr(m, "sectors")}


def overlap_pairs(
    source: Graph | Dataset | Network,
    *,
    min_shared: int = 2,
    min_jaccard: float = 0.0,
    min_overlap: float = 0.0,
    consolidation_jaccard: float = 0.5,
    consolidation_aims: float = 0.5,
    sector: str | None = None,
    as_of: int | None = None,
    basis: str = "all",
) -> pd.DataFrame:
    """Pairs of initiatives that share members, ranked by member overlap.

    With B the 0/1 member × initiative incidence matrix, the shared-member counts of all
    initiative pairs are the off-diagonal entries of the sparse product ``Bᵀ·B`` and the
    sizes its diagonal, so ``jaccard = s / (n_a + n_b - s)`` and
    ``overlap = s / min(n_a, n_b)`` are computed for every pair at once (no loop over pairs).
    Only pairs with ``shared >= min_shared``, ``jaccard >= min_jaccard`` and ``overlap >=
    min_overlap`` are returned; *min_shared* defaults to 2, as in ``bioeco analyze``, the
    report, the viewer and the change analysis (two initiatives sharing a single member is
    common in any cluster, not an overlap). A pair is a consolidation candidate when ``jaccard
    >= consolidation_jaccard`` and the similarity of aims (Jaccard of the two initiatives' own
    sector and stage concepts) is ``>= consolidation_aims``, unless one is part of the other
    (``dcterms:isPartOf``). *sector* keeps pairs where either initiative is in that sector or
    below it (an initiative without sectors takes its members' sectors).

    Columns
    -------
    rank : 1 = most overlapping (score, then overlap, shared, ids)
    initiative_a, initiative_b : compact ids (``initiative/…``), a < b
    label_a, label_b, type_a, type_b : labels and initiative-type codes
    members_a, members_b : number of members of each
    shared : number of shared members
    jaccard, overlap : Jaccard index and overlap coefficient of the member sets
    shared_members : ids of the shared members (tuple)
    shared_sectors, shared_stages : codes both initiatives are classified with
    shared_organisers : shared members holding an organiser-like role in both
    aims_similarity : Jaccard of the sector+stage concept sets (NaN when both have none)
    part_of : True when one initiative is part of the other
    consolidation : consolidation candidate (see above)
    score : the Jaccard index (ranking key)
    explanation : the finding in plain English

    Examples
    --------
    >>> from bioeco.analyze._fixture import example_graph
    >>> df = overlap_pairs(example_graph())
    >>> df[["initiative_a", "initiative_b", "shared", "jaccard", "overlap"]]
            initiative_a        initiative_b  shared  jaccard  overlap
    0   initiative/north  initiative/seminar       3     0.75      1.0
    1  initiative/bridge    initiative/north       2     0.50      1.0
    >>> len(overlap_pairs(example_graph(), min_shared=1))  # also pairs sharing one member
    5
    >>> print(df.loc[0, "explanation"])
    Biotech North and Marine Seminar share 3 members (Biotec AS, Seaweed AS, UiT): Jaccard
    0.75, overlap coefficient 1.00; both work on marine; shared organiser-role holders: none
    """
    for name, value in (
        ("min_jaccard", min_jaccard),
        ("min_overlap", min_overlap),
        ("consolidation_jaccard", consolidation_jaccard),
        ("consolidation_aims", consolidation_aims),
    ):
        if not 0.0 <= float(value) <= 1.0:
            raise UsageError(f"{name} must be between 0 and 1, not {value!r}")
    if int(min_shared) < 1:
        raise UsageError(f"min_shared must be at least 1, not {min_shared!r}")
    net = as_network(source, as_of=as_of, basis=basis)
    b = net.incidence.tocsc()
    inits = net.initiatives
    if b.shape[1] < 2:
        return pd.DataFrame(columns=OVERLAP_COLUMNS)
    sizes = np.asarray(b.sum(axis=0)).ravel()
    co = sparse.triu(b.T @ b, k=1).tocoo()
    i, j, s = co.row, co.col, co.data.astype(float)
    jac = s / (sizes[i] + sizes[j] - s)
    ovl = s / np.minimum(sizes[i], sizes[j])
    keep = (s >= min_shared) & (jac >= min_jaccard - 1e-12) & (ovl >= min_overlap - 1e-12)
    wanted = net.descendants("sector", sector) if sector else None

    roles = {
        (m, o): r for m, o, r in net.edges[["member", "initiative", "roles"]].itertuples(False)
    }
    rows = []
    members = net.members
    # the shared members of every pair sharing any, from one pass over the members
    pair_i, pair_j, _w, starts, shared_members = _shared_columns(b.T.tocsr())
    where = {
        (p, q): k for k, (p, q) in enumerate(zip(pair_i.tolist(), pair_j.tolist(), strict=True))
    }
    for x, y, shared, jv, ov in zip(i[keep], j[keep], s[keep], jac[keep], ovl[keep], strict=True):
        a, c = inits[x], inits[y]
        k = where[(min(x, y), max(x, y))]
        common_idx = shared_members[starts[k] : starts[k + 1]]
        if entity_id(a) > entity_id(c):
            a, c, x, y = c, a, y, x
        if wanted is not None and not (
            (initiative_sectors(net, a) | initiative_sectors(net, c)) & wanted
        ):
            continue
        common = sorted((members[k] for k in common_idx), key=lambda m: (net.label(m), m))
        organisers = [
            m
            for m in common
            if set(roles[(m, a)]) & ORGANISER_ROLES and set(roles[(m, c)]) & ORGANISER_ROLES
        ]
        sectors = sorted(set(net.attr(a, "sectors")) & set(net.attr(c, "sectors")))
        stages = sorted(set(net.attr(a, "stages")) & set(net.attr(c, "stages")))
        aims = _aims(net, a, c)
        part_of = a in net.attr(c, "part_of") or c in net.attr(a, "part_of")
        consolidate = bool(
            jv >= consolidation_jaccard
            and not np.isnan(aims)
            and aims >= consolidation_aims
            and not part_of
        )
        text = (
            f"{net.label(a)} and {net.label(c)} share {int(shared)} member"
            f"{'s' if shared != 1 else ''} ({_names(net, common)}): Jaccard {jv:.2f}, "
            f"overlap coefficient {ov:.2f}; "
            + (f"both work on {' and '.join(sectors)}" if sectors else "no common sector")
            + (f" and stage {' and '.join(stages)}" if stages else "")
            + "; shared organiser-role holders: "
            + (_names(net, organisers) if organisers else "none")
        )
        if part_of:
            text += "; one is part of the other"
        if consolidate:
            text += "; consolidation candidate: high overlap of members and aims"
        rows.append(
            {
                "initiative_a": entity_id(a),
                "initiative_b": entity_id(c),
                "label_a": net.label(a),
                "label_b": net.label(c),
                "type_a": net.attr(a, "type"),
                "type_b": net.attr(c, "type"),
                "members_a": int(sizes[x]),
                "members_b": int(sizes[y]),
                "shared": int(shared),
                "jaccard": float(jv),
                "overlap": float(ov),
                "shared_members": tuple(entity_id(m) for m in common),
                "shared_sectors": tuple(sectors),
                "shared_stages": tuple(stages),
                "shared_organisers": tuple(entity_id(m) for m in organisers),
                "aims_similarity": aims,
                "part_of": bool(part_of),
                "consolidation": consolidate,
                "score": float(jv),
                "explanation": text,
            }
        )
    df = pd.DataFrame(rows, columns=[c for c in OVERLAP_COLUMNS if c != "rank"])
    df = df.sort_values(
        ["score", "overlap", "shared", "initiative_a", "initiative_b"],
        ascending=[False, False, False, True, True],
        kind="mergesort",
    ).reset_index(drop=True)
    df.insert(0, "rank", np.arange(1, len(df) + 1))
    return df
