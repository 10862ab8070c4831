"""How the viewer draws: colours, node shapes, line styles and node sizes."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from bioeco.analyses.project import ORGANISER_ROLES

TYPE_PALETTE = ("#0072B2", "#009E73", "#D55E00", "#E69F00", "#CC79A7", "#56B4E9", "#999933")

#: Labels are placed in the page (viewer.js ``placeLabels``): the most important nodes in view,
#: by ``rank`` (the size measure, then degree), none covering another, at a readable screen size.

# Okabe–Ito based palette, assigned to top sectors in code order.
PALETTE = ("#009E73", "#D55E00", "#E69F00", "#CC79A7", "#0072B2", "#56B4E9", "#882255", "#999933")
SEVERAL = ("several", "several sectors", "#3d3d3d")
NO_SECTOR = ("none", "no sector stated", "#b8b8b8")

# Shape per type group: (kind, group label, vis shape, legend glyph, type codes or None = rest).
SHAPES: tuple[tuple[str, str, str, str, frozenset[str] | None], ...] = (
    ("actor", "company", "dot", "●", frozenset({"company"})),
    (
        "actor",
        "research, education, health",
        "triangle",
        "▲",
        frozenset(
            {
                "research-institute",
                "university",
                "university-college",
                "research-infrastructure",
                "hospital",
            }
        ),
    ),
    (
        "actor",
        "public sector",
        "diamond",
        "◆",
        frozenset({"public-agency", "ministry", "regional-authority", "municipality"}),
    ),
    (
        "actor",
        "funder or investor",
        "star",
        "★",
        frozenset({"funding-agency", "investor", "foundation"}),
    ),
    ("actor", "other organisation", "triangleDown", "▼", None),
    ("initiative", "cluster or network", "hexagon", "⬢", frozenset({"cluster", "network"})),
    ("initiative", "project, programme, event …", "square", "■", None),
)

# Edge style per role group, by precedence: (label, colour, width, dashes, role codes or None).
ROLE_STYLES: tuple[tuple[str, str, float, Any, frozenset[str] | None], ...] = (
    ("leads or organises", "#4a4a4a", 2.5, False, ORGANISER_ROLES | {"coordinator"}),
    ("funds", "#1b7f3b", 2.0, [8, 4], frozenset({"funder"})),
    (
        "member or partner",
        "#9a9a9a",
        1.5,
        False,
        frozenset({"member", "partner", "participant", "collaborator", "applicant"}),
    ),
    ("contributes or advises", "#c4c4c4", 1.0, [2, 4], None),
)
SHARED_STYLE = ("share initiatives (width: how many)", "#b4b4b4", 1.0, False)
PAIR_STYLE = ("suggested pair (bridges)", "#e6007e", 2.0, [6, 6])
OVERLAP_STYLE = ("overlapping initiatives (width: Jaccard)", "#7b2cbf", 2.0, [2, 5])
RING = "#e6007e"
#: What-if scenario links (``scenario``): added, and ended (or merged away), each its own style.
SCENARIO_ADD_STYLE = ("added by the what-if scenario", "#f77f00", 3.0, [12, 6])
SCENARIO_END_STYLE = ("ended by the what-if scenario", "#9d0208", 2.0, [3, 5])


#: Colours of the change mode, by ``status:difference`` of ``change_continuity`` ("" = an
#: actor or initiative the comparison does not cover).
CHANGE_COLOURS = {
    "both:none": "#0072B2",
    "only-earlier:stated": "#D55E00",
    "only-earlier:external": "#CC79A7",
    "only-earlier:not-observed": "#E69F00",
    "only-later:stated": "#009E73",
    "only-later:external": "#882255",
    "only-later:not-observed": "#56B4E9",
    "": "#d0d0d0",
}


def node_size(value: float | None, peak: float) -> float:
    """Node radius (canvas units) for a size-measure *value* out of *peak*: 9 to 36."""
    if value is None or peak <= 0:
        return 9.0
    return 9.0 + 27.0 * math.sqrt(max(value, 0) / peak)


def shape_of(kind: str, type_code: str | None) -> tuple[str, str, str]:
    fallback = None
    for group_kind, label, shape, glyph, codes in SHAPES:
        if group_kind != kind:
            continue
        if codes is None:
            fallback = (label, shape, glyph)
        elif type_code in codes:
            return label, shape, glyph
    assert fallback is not None
    return fallback


def role_style(roles: Iterable[str]) -> tuple[str, str, float, Any]:
    roles = set(roles)
    for label, colour, width, dashes, codes in ROLE_STYLES:
        if codes is None or roles & codes:
            return label, colour, width, dashes
    raise AssertionError("the last role style takes every role")
