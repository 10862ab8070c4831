"""Overlapping initiatives: member Jaccard and overlap coefficient from sparse products."""

from __future__ import annotations

import numpy as np
import pandas as pd
from rdflib import Dataset, Graph

from bioeco.analyze.project import (
    ORGANISER_ROLES,
    Network,
    as_network,
    entity_id,
    shared_columns,
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


def _names(labels: list[str], indices: list[int], limit: int = 3) -> str:
    """The labels of the first *limit* of *indices*, and how many more there are."""
    more = len(indices) - limit
    return ", ".join(labels[k] for k in indices[:limit]) + (f" and {more} more" if more > 0 else "")


def _label_order(net: Network, iris: list[str]) -> np.ndarray:
    """Rank of each of *iris* when sorted by (label, IRI)."""
    order = sorted(range(len(iris)), key=lambda k: (net.label(iris[k]), iris[k]))
    rank = np.empty(len(iris), dtype=np.int64)
    rank[order] = np.arange(len(iris))
    return rank


def _pair_columns(
    net: Network,
    kept: np.ndarray,
    pair_x: np.ndarray,
    pair_y: np.ndarray,
    counts: np.ndarray,
    starts: np.ndarray,
    shared: np.ndarray,
    sizes: np.ndarray,
) -> dict[str, list]:
    """The member columns of the kept initiative pairs, without a Python loop over members.

    The shared members of each pair are put in (label, IRI) order by one sort of all pairs'
    members; the shared organiser-role holders are those whose role in both initiatives is
    an organiser role (a lookup of member × initiative keys). Returns, per kept pair in
    *kept* order: ``x``, ``y`` (column indices of a and b, a < b by compact id), ``shared``,
    ``members_a``, ``members_b`` and the member index lists ``common`` and ``organisers``.
    """
    members, inits = net.members, net.initiatives
    pair_of = np.repeat(np.arange(len(counts)), counts)
    rank = _label_order(net, members)
    shared = shared[np.lexsort((rank[shared], pair_of))]  # each pair's members by label
    column = {iri: k for k, iri in enumerate(inits)}
    row = {iri: k for k, iri in enumerate(members)}
    n_inits = np.int64(len(inits))
    organiser = np.array(
        sorted(
            row[m] * n_inits + column[o]
            for m, o, roles in net.edges[["member", "initiative", "roles"]].itertuples(False)
            if set(roles) & ORGANISER_ROLES
        ),
        dtype=np.int64,
    )
    both = np.isin(shared * n_inits + pair_x[pair_of], organiser) & np.isin(
        shared * n_inits + pair_y[pair_of], organiser
    )
    before = np.concatenate([[0], np.cumsum(both)])  # organisers before each position
    organisers = shared[both].tolist()
    shared_list = shared.tolist()
    ids = [entity_id(i) for i in inits]
    x, y = pair_x[kept].tolist(), pair_y[kept].tolist()
    swap = [ids[a] > ids[c] for a, c in zip(x, y, strict=True)]
    x, y = (
        [c if w else a for a, c, w in zip(x, y, swap, strict=True)],
        [a if w else c for a, c, w in zip(x, y, swap, strict=True)],
    )
    lo, hi = starts[kept].tolist(), starts[kept + 1].tolist()
    return {
        "x": x,
        "y": y,
        "shared": counts[kept].tolist(),
        "members_a": sizes[x].tolist(),
        "members_b": sizes[y].tolist(),
        "common": [shared_list[a:c] for a, c in zip(lo, hi, strict=True)],
        "organisers": [
            organisers[a:c]
            for a, c in zip(
                before[starts[kept]].tolist(), before[starts[kept + 1]].tolist(), strict=True
            )
        ],
    }


def _explain(
    net: Network, columns: dict[str, list], consolidation_jaccard: float, consolidation_aims: float
) -> dict[str, list]:
    """The table's columns (but ``rank``) of the kept pairs, with their explanations."""
    members, inits = net.members, net.initiatives
    member_ids = [entity_id(m) for m in members]
    member_labels = [net.label(m) for m in members]
    ids = [entity_id(i) for i in inits]
    labels = [net.label(i) for i in inits]
    types = [net.attr(i, "type") for i in inits]
    sectors = [frozenset(net.attr(i, "sectors")) for i in inits]
    stages = [frozenset(net.attr(i, "stages")) for i in inits]
    aims = [
        frozenset({("sector", c) for c in sec} | {("stage", c) for c in stg})
        for sec, stg in zip(sectors, stages, strict=True)
    ]
    parents = [frozenset(net.attr(i, "part_of")) for i in inits]
    out: dict[str, list] = {c: [] for c in OVERLAP_COLUMNS if c != "rank"}
    for x, y, shared, size_a, size_b, common, organisers, jv, ov in zip(
        columns["x"],
        columns["y"],
        columns["shared"],
        columns["members_a"],
        columns["members_b"],
        columns["common"],
        columns["organisers"],
        columns["jaccard"],
        columns["overlap"],
        strict=True,
    ):
        both_sectors = sorted(sectors[x] & sectors[y])
        both_stages = sorted(stages[x] & stages[y])
        union = aims[x] | aims[y]
        similarity = len(aims[x] & aims[y]) / len(union) if union else float("nan")
        part_of = inits[x] in parents[y] or inits[y] in parents[x]
        consolidate = bool(
            jv >= consolidation_jaccard
            and not np.isnan(similarity)
            and similarity >= consolidation_aims
            and not part_of
        )
        text = (
            f"{labels[x]} and {labels[y]} share {shared} member"
            f"{'s' if shared != 1 else ''} ({_names(member_labels, common)}): "
            f"Jaccard {jv:.2f}, overlap coefficient {ov:.2f}; "
            + (f"both work on {' and '.join(both_sectors)}" if both_sectors else "no common sector")
            + (f" and stage {' and '.join(both_stages)}" if both_stages else "")
            + "; shared organiser-role holders: "
            + (_names(member_labels, organisers) if organisers else "none")
        )
        if part_of:
            text += "; one is part of the other"
        if consolidate:
            text += "; consolidation candidate: high overlap of members and aims"
        out["initiative_a"].append(ids[x])
        out["initiative_b"].append(ids[y])
        out["label_a"].append(labels[x])
        out["label_b"].append(labels[y])
        out["type_a"].append(types[x])
        out["type_b"].append(types[y])
        out["members_a"].append(size_a)
        out["members_b"].append(size_b)
        out["shared"].append(shared)
        out["jaccard"].append(jv)
        out["overlap"].append(ov)
        out["shared_members"].append(tuple(member_ids[k] for k in common))
        out["shared_sectors"].append(tuple(both_sectors))
        out["shared_stages"].append(tuple(both_stages))
        out["shared_organisers"].append(tuple(member_ids[k] for k in organisers))
        out["aims_similarity"].append(similarity)
        out["part_of"].append(bool(part_of))
        out["consolidation"].append(consolidate)
        out["score"].append(jv)
        out["explanation"].append(text)
    return out


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
    b = net.incidence
    inits = net.initiatives
    if b.shape[1] < 2:
        return pd.DataFrame(columns=OVERLAP_COLUMNS)
    sizes = np.asarray(b.sum(axis=0)).ravel()
    # every pair of initiatives sharing members (x < y), with its shared members, from one
    # pass over the members (the off-diagonal entries of Bᵀ·B and their witnesses)
    pair_x, pair_y, counts, starts, shared_members = shared_columns(b.T.tocsr())
    s = counts.astype(float)
    jac = s / (sizes[pair_x] + sizes[pair_y] - s)
    ovl = s / np.minimum(sizes[pair_x], sizes[pair_y])
    keep = (s >= min_shared) & (jac >= min_jaccard - 1e-12) & (ovl >= min_overlap - 1e-12)
    if sector:
        wanted = net.descendants("sector", sector)
        in_sector = np.array([bool(initiative_sectors(net, i) & wanted) for i in inits])
        keep &= in_sector[pair_x] | in_sector[pair_y]
    kept = np.flatnonzero(keep)
    columns = _pair_columns(net, kept, pair_x, pair_y, counts, starts, shared_members, sizes)
    columns["jaccard"] = jac[kept].tolist()
    columns["overlap"] = ovl[kept].tolist()
    rows = _explain(net, columns, consolidation_jaccard, consolidation_aims)
    df = pd.DataFrame(rows, columns=[c for c in OVERLAP_COLUMNS if c != "rank"])
    df = df.sort_values(
        ["score", "overlap", "shared", "initiative_a", "initiative_b"],
        ascending=[False, False, False, True, True],
        kind="mergesort",
    ).reset_index(drop=True)
    df.insert(0, "rank", np.arange(1, len(df) + 1))
    return df
