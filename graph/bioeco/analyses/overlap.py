"""Overlapping initiatives: member Jaccard and overlap coefficient from sparse products."""

from __future__ import annotations

from collections.abc import Collection

import numpy as np
import pandas as pd
from rdflib import Dataset, Graph

from bioeco.analyses.project import (
    ORGANISER_ROLES,
    Network,
    as_network,
    entity_id,
    shared_columns,
)
from bioeco.errors import UsageError

__all__ = [
    "COMPARISONS",
    "FUNDING_ROLES",
    "NEVER_CONSOLIDATED",
    "OVERLAP_COLUMNS",
    "OVERLAP_KINDS",
    "RELATIONS",
    "comparison_of",
    "initiative_sectors",
    "overlap_pairs",
]

#: Initiative types compared with each other (``kind``): like is compared with like. A type
#: not listed here (committee, strategy, service, infrastructure, or none) is ``other``.
COMPARISONS: dict[str, frozenset[str]] = {
    "collaborations": frozenset({"cluster", "network", "centre", "programme", "project", "forum"}),
    "events": frozenset({"event", "event-series"}),
    "applications": frozenset({"application"}),
}

#: ``kind`` choices of :func:`overlap_pairs`: one comparison, ``other`` or ``all`` pairs.
OVERLAP_KINDS = (*COMPARISONS, "other", "all")

#: Types that are never consolidation candidates: a single event is over when it has taken
#: place, and an application is a bid for money, not a standing activity (the same consortium
#: applying to several calls is normal practice).
NEVER_CONSOLIDATED = frozenset({"event", "application"})

#: Roles that fund an initiative without taking part in its work: a funder of two projects
#: is not a member they share, so these links are left out of the member sets.
FUNDING_ROLES = frozenset({"funder"})

#: ``relation`` of a pair, in ranking order: consolidation candidates first, then overlaps no
#: ordinary reason explains, then the ordinary cases (which are never candidates).
RELATIONS = (
    "consolidation-candidate",
    "shared-members",
    "part-of",
    "takes-part",
    "same-consortium",
    "successive",
    "same-organisers",
)


def comparison_of(initiative_type: str | None) -> str:
    """The comparison an initiative type belongs to (see :data:`COMPARISONS`).

    Examples
    --------
    >>> comparison_of("project"), comparison_of("event-series"), comparison_of(None)
    ('collaborations', 'events', 'other')
    """
    for name, types in COMPARISONS.items():
        if initiative_type in types:
            return name
    return "other"


OVERLAP_COLUMNS = [
    "rank",
    "initiative_a",
    "initiative_b",
    "label_a",
    "label_b",
    "type_a",
    "type_b",
    "comparison",
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
    "relation",
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
            for m, o, roles in _links(net)
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


def _years(start: int | None, end: int | None) -> str:
    """A year span in words: ``2020–2021``, ``2021–`` (open end), ``2021``; '' when unknown."""
    if start is None and end is None:
        return ""
    if start is not None and end is not None:
        return str(start) if start == end else f"{start}–{end}"
    return f"{start}–" if start is not None else f"until {end}"


def _disjoint(a: tuple, b: tuple) -> bool:
    """True when the year spans *a* and *b* (start, end) are known not to overlap."""
    (sa, ea), (sb, eb) = a, b
    return (ea is not None and sb is not None and ea < sb) or (
        eb is not None and sa is not None and eb < sa
    )


def _links(net: Network) -> zip:
    """(member, initiative, roles) of every link, from the columns as lists (iterating a
    frame's text columns value by value costs a microsecond a value)."""
    edges = net.edges
    return zip(
        edges["member"].tolist(), edges["initiative"].tolist(), edges["roles"].tolist(), strict=True
    )


def _organisers(net: Network) -> dict[str, frozenset[str]]:
    """The members holding an organiser-like role, per initiative."""
    out: dict[str, set[str]] = {}
    for m, o, roles in _links(net):
        if set(roles) & ORGANISER_ROLES:
            out.setdefault(o, set()).add(m)
    return {k: frozenset(v) for k, v in out.items()}


def _explain(
    net: Network, columns: dict[str, list], consolidation_jaccard: float, consolidation_aims: float
) -> dict[str, list]:
    """The table's columns (but ``rank``) of the kept pairs, with their explanations.

    The ``relation`` of a pair is the first that holds of: ``part-of`` (one is part of the
    other), ``takes-part`` (one initiative is a member of the other, e.g. the cluster that
    coordinates a project), ``same-consortium`` (two applications whose members overlap as much
    as a consolidation candidate's), ``successive`` (both year spans known and apart),
    ``same-organisers`` (the same organiser-role holders run both), ``consolidation-candidate``
    (the rule of :func:`overlap_pairs`), else ``shared-members``. ``same-organisers`` also
    holds when every shared member is an organiser of both (e.g. the clusters co-organising a
    series of sessions).
    """
    members, inits = net.members, net.initiatives
    member_ids = [entity_id(m) for m in members]
    member_labels = [net.label(m) for m in members]
    ids = [entity_id(i) for i in inits]
    labels = [net.label(i) for i in inits]
    types = [net.attr(i, "type") for i in inits]
    sectors = [frozenset(net.attr(i, "sectors")) for i in inits]
    stages = [frozenset(net.attr(i, "stages")) for i in inits]
    spans = [(net.attr(i, "start"), net.attr(i, "end")) for i in inits]
    spans = [tuple(None if v is None else int(v) for v in span) for span in spans]
    aims = [
        frozenset({("sector", c) for c in sec} | {("stage", c) for c in stg})
        for sec, stg in zip(sectors, stages, strict=True)
    ]
    parents = [frozenset(net.attr(i, "part_of")) for i in inits]
    organisers = _organisers(net)
    row_of = {m: k for k, m in enumerate(members)}

    def by_label(k: int) -> tuple[str, str]:
        return member_labels[k], members[k]

    inside = {(m, o): roles for m, o, roles in _links(net) if net.attr(m, "kind") == "initiative"}
    out: dict[str, list] = {c: [] for c in OVERLAP_COLUMNS if c != "rank"}
    for x, y, shared, size_a, size_b, common, shared_org, jv, ov in zip(
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
        group_x, group_y = comparison_of(types[x]), comparison_of(types[y])
        comparison = group_x if group_x == group_y else "mixed"
        org_x = organisers.get(inits[x], frozenset())
        org_y = organisers.get(inits[y], frozenset())
        taking_part = [
            (a, b, inside[(inits[a], inits[b])])
            for a, b in ((x, y), (y, x))
            if (inits[a], inits[b]) in inside
        ]
        text = (
            f"{labels[x]} and {labels[y]} share {shared} member"
            f"{'s' if shared != 1 else ''} ({_names(member_labels, common)}): "
            f"Jaccard {jv:.2f}, overlap coefficient {ov:.2f}; "
            + (f"both work on {' and '.join(both_sectors)}" if both_sectors else "no common sector")
            + (
                (" and stage " if both_sectors else ", common stage ") + " and ".join(both_stages)
                if both_stages
                else ""
            )
            + "; shared organiser-role holders: "
            + (_names(member_labels, shared_org) if shared_org else "none")
        )
        strong = jv >= consolidation_jaccard
        same_aims = not np.isnan(similarity) and similarity >= consolidation_aims
        if part_of:
            relation = "part-of"
            text += "; one is part of the other, not a duplicate"
        elif taking_part:
            relation = "takes-part"
            a, b, roles = taking_part[0]
            text += (
                f"; {labels[a]} takes part in {labels[b]} (as {', '.join(roles)}): "
                "one of its own activities, not a duplicate"
            )
        elif strong and types[x] == types[y] == "application":
            relation = "same-consortium"
            text += (
                "; the same consortium applying to different calls: normal practice, "
                "not a duplicate"
            )
        elif _disjoint(spans[x], spans[y]):
            relation = "successive"
            first, second = sorted((x, y), key=lambda k: (spans[k][0] or 0, ids[k]))
            text += (
                f"; {labels[second]} ({_years(*spans[second])}) came after "
                f"{labels[first]} ({_years(*spans[first])}): one follows the other, "
                "not a parallel effort"
            )
        elif org_x and org_x == org_y:
            relation = "same-organisers"
            text += (
                f"; both run by the same organisers "
                f"({_names(member_labels, sorted((row_of[m] for m in org_x), key=by_label))}): "
                "their own programme of activities, not duplication between organisers"
            )
        elif len(shared_org) == len(common):
            relation = "same-organisers"
            text += (
                "; the members they share are organisers of both: the same partners' "
                "activities, not duplication between organisers"
            )
        elif (
            strong
            and same_aims
            and comparison != "mixed"
            and not ({types[x], types[y]} & NEVER_CONSOLIDATED)
        ):
            relation = "consolidation-candidate"
            years = [_years(*spans[k]) for k in (x, y)]
            when = (
                f"running at the same time ({years[0]} and {years[1]})"
                if all(years)
                else "years not both stated, none known apart"
            )
            text += (
                f"; consolidation candidate: members overlap (Jaccard {jv:.2f} ≥ "
                f"{consolidation_jaccard:.2f}), same aims (similarity {similarity:.2f} ≥ "
                f"{consolidation_aims:.2f}), {when}, "
                + ("different organisers" if org_x and org_y else "organisers not both stated")
            )
        else:
            relation = "shared-members"
            if strong:
                missing = []
                if not same_aims:
                    missing.append("no common aims (sectors and stages)")
                if comparison == "mixed":
                    missing.append("initiatives of different kinds")
                elif {types[x], types[y]} & NEVER_CONSOLIDATED:
                    missing.append("a single event is not consolidated")
                text += "; not a consolidation candidate: " + " and ".join(missing)
        consolidate = relation == "consolidation-candidate"
        out["initiative_a"].append(ids[x])
        out["initiative_b"].append(ids[y])
        out["label_a"].append(labels[x])
        out["label_b"].append(labels[y])
        out["type_a"].append(types[x])
        out["type_b"].append(types[y])
        out["comparison"].append(comparison)
        out["members_a"].append(size_a)
        out["members_b"].append(size_b)
        out["shared"].append(shared)
        out["jaccard"].append(jv)
        out["overlap"].append(ov)
        out["shared_members"].append(tuple(member_ids[k] for k in common))
        out["shared_sectors"].append(tuple(both_sectors))
        out["shared_stages"].append(tuple(both_stages))
        out["shared_organisers"].append(tuple(member_ids[k] for k in shared_org))
        out["aims_similarity"].append(similarity)
        out["part_of"].append(bool(part_of))
        out["relation"].append(relation)
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


def _known_types(net: Network) -> list[str]:
    """Type codes known in the graph: used ones and declared ones (initiatives and actors, as
    ``--type`` serves the coverage too; an actor type leaves no pair of initiatives)."""
    used = {t for t in net.nodes["type"] if isinstance(t, str)}
    schemes = net.concepts["scheme"].isin(("initiative-type", "actor-type"))
    return sorted(used | set(net.concepts.loc[schemes, "code"]))


def _working(net: Network) -> Network:
    """*net* without the links that only fund an initiative (:data:`FUNDING_ROLES`)."""
    roles = net.edges["roles"]
    funding = np.array([bool(r) and set(r) <= FUNDING_ROLES for r in roles], dtype=bool)
    if not funding.any():
        return net
    edges = net.edges[~funding].reset_index(drop=True)
    return Network(net.nodes, edges, net.concepts, net.as_of, net.basis)


def overlap_pairs(
    source: Graph | Dataset | Network,
    *,
    kind: str = "collaborations",
    type: str | None = None,
    min_shared: int = 2,
    min_jaccard: float = 0.0,
    min_overlap: float = 0.0,
    consolidation_jaccard: float = 0.5,
    consolidation_aims: float = 0.5,
    sector: str | None = None,
    as_of: int | None = None,
    basis: str = "all",
    pairs_with: Collection[str] | None = None,
) -> pd.DataFrame:
    """Pairs of initiatives of comparable kinds that share members, ranked by member overlap.

    Like is compared with like: *kind* ``collaborations`` (the default) compares clusters,
    networks, centres, programmes, projects and forums with each other; ``events`` events and
    event series; ``applications`` funding applications; ``other`` the remaining types
    (committees, strategies, services, infrastructures, untyped); ``all`` every pair
    (:data:`COMPARISONS`). *type* (an initiative type code) compares only initiatives of that
    type, whatever *kind*. A link whose only role is to fund the initiative
    (:data:`FUNDING_ROLES`) is no membership here: two projects with the same funder do not
    share it as a member.

    With B the 0/1 member × initiative incidence matrix, the shared-member counts of all
    initiative pairs are the off-diagonal entries of the sparse product ``Bᵀ·B`` and the
    sizes its diagonal, so ``jaccard = s / (n_a + n_b - s)`` and
    ``overlap = s / min(n_a, n_b)`` are computed for every pair at once (no loop over pairs).
    Only pairs with ``shared >= min_shared``, ``jaccard >= min_jaccard`` and ``overlap >=
    min_overlap`` are returned; *min_shared* defaults to 2, as in ``bioeco analyze``, the
    report, the viewer and the change analysis (two initiatives sharing a single member is
    common in any cluster, not an overlap).

    Shared members alone make no duplicate. The ``relation`` column names the ordinary reasons
    two initiatives share members, which are never consolidation candidates: one is part of the
    other (``part-of``); one initiative takes part in the other, e.g. the cluster coordinating
    a project (``takes-part``); two applications by largely the same members, the same
    consortium applying to different calls (``same-consortium``); both year spans stated and
    apart, one following the other (``successive``); the same organiser-role holders run both,
    or the members they share are all organisers of both (``same-organisers``). Otherwise the
    pair is a **consolidation candidate** when all of: both of the same comparison and neither
    a single event nor an application
    (:data:`NEVER_CONSOLIDATED`); ``jaccard >= consolidation_jaccard``; the similarity of aims
    (Jaccard of the two initiatives' own sector and stage concepts) ``>= consolidation_aims``;
    their years not known to be apart; and different organisers (or organisers not stated).
    Other pairs are ``shared-members``. *sector* keeps pairs where either initiative is in
    that sector or below it (an initiative without sectors takes its members' sectors).
    *pairs_with* (initiative IRIs) keeps the pairs with one of them: a pair's figures depend on
    its two initiatives only, so these rows are those of the whole table (the what-if asks for
    the pairs of the initiatives an action changes).

    Columns
    -------
    rank : 1 = first to look at: consolidation candidates, then pairs no ordinary reason
        explains, then the ordinary cases (:data:`RELATIONS` order); within each by score,
        then overlap, shared, ids
    initiative_a, initiative_b : compact ids (``initiative/…``), a < b
    label_a, label_b, type_a, type_b : labels and initiative-type codes
    comparison : the comparison of the pair (``collaborations`` …; ``mixed`` for two kinds)
    members_a, members_b : number of members of each
    shared : number of shared members
    jaccard, overlap : Jaccard index and overlap coefficient of the member sets
    shared_members : ids of the shared members (tuple)
    shared_sectors, shared_stages : codes both initiatives are classified with
    shared_organisers : shared members holding an organiser-like role in both
    aims_similarity : Jaccard of the sector+stage concept sets (NaN when both have none)
    part_of : True when one initiative is part of the other
    relation : why the two share members (see above)
    consolidation : consolidation candidate (see above)
    score : the Jaccard index
    explanation : the finding in plain English

    Examples
    --------
    >>> from bioeco.analyses._fixture import example_graph
    >>> df = overlap_pairs(example_graph(), kind="all")
    >>> df[["initiative_a", "initiative_b", "comparison", "shared", "jaccard"]]
            initiative_a        initiative_b      comparison  shared  jaccard
    0   initiative/north  initiative/seminar           mixed       3     0.75
    1  initiative/bridge    initiative/north  collaborations       2     0.50
    >>> len(overlap_pairs(example_graph()))  # collaborations only: not the seminar
    1
    >>> print(df.loc[0, "explanation"])
    Biotech North and Marine Seminar share 3 members (Biotec AS, Seaweed AS, UiT): Jaccard
    0.75, overlap coefficient 1.00; both work on marine; shared organiser-role holders: none;
    not a consolidation candidate: no common aims (sectors and stages) and initiatives of
    different kinds
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
    if kind not in OVERLAP_KINDS:
        raise UsageError(f"kind must be one of {', '.join(OVERLAP_KINDS)}, not {kind!r}")
    net = as_network(source, as_of=as_of, basis=basis)
    if type is not None and type not in (known := _known_types(net)):
        raise UsageError(f"unknown type {type!r}: known types are {', '.join(known) or 'none'}")
    net = _working(net)
    b = net.incidence
    inits = net.initiatives
    if b.shape[1] < 2:
        return pd.DataFrame(columns=OVERLAP_COLUMNS)
    sizes = np.asarray(b.sum(axis=0)).ravel()
    # every pair of initiatives sharing members (x < y), with its shared members, from one
    # pass over the members (the off-diagonal entries of Bᵀ·B and their witnesses)
    # with pairs_with, only the pairs with one of those (the same rows, less work)
    asked = None
    if pairs_with is not None:
        wanted_pairs = set(pairs_with)
        asked = np.array([i in wanted_pairs for i in inits], dtype=bool)
    pair_x, pair_y, counts, starts, shared_members = shared_columns(b.T.tocsr(), asked)
    s = counts.astype(float)
    jac = s / (sizes[pair_x] + sizes[pair_y] - s)
    ovl = s / np.minimum(sizes[pair_x], sizes[pair_y])
    keep = (s >= min_shared) & (jac >= min_jaccard - 1e-12) & (ovl >= min_overlap - 1e-12)
    types = [net.attr(i, "type") for i in inits]
    if type is not None:
        wanted = np.array([t == type for t in types], dtype=bool)
        keep &= wanted[pair_x] & wanted[pair_y]
    elif kind != "all":
        wanted = np.array([comparison_of(t) == kind for t in types], dtype=bool)
        keep &= wanted[pair_x] & wanted[pair_y]
    if sector:
        wanted_sectors = net.descendants("sector", sector)
        in_sector = np.array([bool(initiative_sectors(net, i) & wanted_sectors) for i in inits])
        keep &= in_sector[pair_x] | in_sector[pair_y]
    if asked is not None:
        keep &= asked[pair_x] | asked[pair_y]
    kept = np.flatnonzero(keep)
    columns = _pair_columns(net, kept, pair_x, pair_y, counts, starts, shared_members, sizes)
    columns["jaccard"] = jac[kept].tolist()
    columns["overlap"] = ovl[kept].tolist()
    rows = _explain(net, columns, consolidation_jaccard, consolidation_aims)
    df = pd.DataFrame(rows, columns=[c for c in OVERLAP_COLUMNS if c != "rank"])
    order = {r: min(k, 2) for k, r in enumerate(RELATIONS)}
    df = (
        df.assign(_tier=df["relation"].map(order).astype("int64"))
        .sort_values(
            ["_tier", "score", "overlap", "shared", "initiative_a", "initiative_b"],
            ascending=[True, False, False, False, True, True],
            kind="mergesort",
        )
        .drop(columns="_tier")
        .reset_index(drop=True)
    )
    df.insert(0, "rank", np.arange(1, len(df) + 1))
    return df
