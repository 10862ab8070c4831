"""Cross-sector bridges: betweenness, Burt constraint, participation, brokerage, pair hints.

The three bridges tables live in modules of their own: :mod:`bioeco.analyses.scores`
(``bridges_actors``: :func:`actor_scores`), :mod:`bioeco.analyses.roles`
(``bridges_brokerage``: :func:`gould_fernandez`, :func:`brokerage`) and
:mod:`bioeco.analyses.pairs` (``bridges_pairs``: :func:`pair_suggestions`), with
:mod:`bioeco.analyses.ranking` shared by them. Their names import from here as well.
"""

from __future__ import annotations

from bioeco.analyses.pairs import (
    AFFILIATION_TYPES,
    LOUVAIN_NX_MAX_NODES,
    PAIR_COLUMNS,
    PAIR_LIMIT,
    communities,
    pair_suggestions,
)
from bioeco.analyses.roles import (
    BROKERAGE_COLUMNS,
    DENSE_MAX_NODES,
    GF_COLUMNS,
    ROLES,
    brokerage,
    gould_fernandez,
    sector_group,
)
from bioeco.analyses.scores import ACTOR_COLUMNS, HUB_ROLES, actor_scores, member_role

__all__ = [
    "ACTOR_COLUMNS",
    "AFFILIATION_TYPES",
    "BROKERAGE_COLUMNS",
    "DENSE_MAX_NODES",
    "GF_COLUMNS",
    "HUB_ROLES",
    "LOUVAIN_NX_MAX_NODES",
    "PAIR_COLUMNS",
    "PAIR_LIMIT",
    "ROLES",
    "actor_scores",
    "brokerage",
    "communities",
    "gould_fernandez",
    "member_role",
    "pair_suggestions",
    "sector_group",
]
