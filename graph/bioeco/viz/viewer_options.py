"""The viewer's options, checked: views, size measures, highlights, scope and drawing limits."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from bioeco.analyses.project import Network
from bioeco.errors import UsageError

#: The two views: actors and initiatives as a bipartite graph, or the actor projection.
VIEWS = ("bipartite", "actors")
#: ``size_by`` choices: a column of the ``bridges_actors`` table, the degree in the view, or none.
SIZE_MEASURES: dict[str, str | None] = {
    "bridge": "score",
    "betweenness": "betweenness",
    "participation": "participation",
    "effective-size": "effective_size",
    "brokerage": "brokerage",
    "degree": None,
    "none": None,
}
#: Size choices the page always offers (plus the one ``size_by`` names).
PAGE_SIZES = ("bridge", "betweenness", "degree", "none")
#: Size measures in plain words: (menu label, legend sentence).
SIZE_WORDS = {
    "bridge": (
        "bridge score",
        "Bigger: a stronger bridge candidate (score of bridges_actors: links sectors that "
        "otherwise meet little). Initiatives have no score and stay small.",
    ),
    "betweenness": (
        "betweenness",
        "Bigger: the actor lies on more of the shortest paths between other actors.",
    ),
    "participation": (
        "participation",
        "Bigger: the actor's partners are spread over more sectors (participation coefficient).",
    ),
    "effective-size": (
        "effective size",
        "Bigger: more partners who are not linked to each other (Burt's effective size).",
    ),
    "brokerage": (
        "brokerage",
        "Bigger: the actor more often links partners of different sectors (Gould–Fernandez).",
    ),
    "degree": ("degree", "Bigger: more lines in this view."),
    "none": ("none", "All nodes the same size."),
}


#: Analysis overlays (``highlight``).
HIGHLIGHTS = ("bridges", "overlap", "gaps")

#: Up to this many nodes vis-network's physics settles the Python layout (then stops); above it
#: physics is off and the Python layout is final (big graphs draw at once and stay readable).
PHYSICS_MAX_NODES = 80


@dataclass(frozen=True)
class ViewerOptions:
    view: str = "bipartite"
    size_by: str = "bridge"
    focus: str | None = None
    depth: int = 1
    sector: str | None = None
    region: str | None = None
    type: str | None = None
    as_of: int | None = None
    basis: str = "all"
    highlight: tuple[str, ...] = ()
    top: int = 10
    seed: int = 42
    physics_max_nodes: int = PHYSICS_MAX_NODES
    title: str | None = None
    summary: bool | None = None
    scenario: str | os.PathLike | None = None


def parse_options(**options: Any) -> ViewerOptions:
    known = set(ViewerOptions.__dataclass_fields__)
    bad = sorted(set(options) - known)
    if bad:
        raise UsageError(
            f"unknown viewer option {', '.join(bad)}: known options are {', '.join(sorted(known))}"
        )
    highlight = options.get("highlight") or ()
    if isinstance(highlight, str):
        highlight = (highlight,)
    options["highlight"] = tuple(dict.fromkeys(highlight))
    opts = ViewerOptions(**options)
    if opts.view not in VIEWS:
        raise UsageError(f"unknown view {opts.view!r}: use {' or '.join(VIEWS)}")
    if opts.size_by not in SIZE_MEASURES:
        raise UsageError(f"unknown size measure {opts.size_by!r}: use {', '.join(SIZE_MEASURES)}")
    unknown = [h for h in opts.highlight if h not in HIGHLIGHTS]
    if unknown:
        raise UsageError(f"unknown highlight {unknown[0]!r}: use {', '.join(HIGHLIGHTS)}")
    if "overlap" in opts.highlight and opts.view != "bipartite":
        raise UsageError("highlight overlap links initiatives: use it with the bipartite view")
    if opts.scenario is not None and opts.view != "bipartite":
        raise UsageError("a scenario adds and ends memberships: use it with the bipartite view")
    if not isinstance(opts.depth, int) or opts.depth < 0:
        raise UsageError(f"depth must be a whole number ≥ 0, not {opts.depth!r}")
    if opts.summary not in (None, True, False):
        raise UsageError(f"summary must be true, false or unset (automatic), not {opts.summary!r}")
    if not isinstance(opts.top, int) or opts.top < 1:
        raise UsageError(f"top must be a positive integer, not {opts.top!r}")
    if opts.as_of is not None and (not isinstance(opts.as_of, int) or not 1 <= opts.as_of <= 9999):
        raise UsageError(f"as_of must be a year between 1 and 9999, not {opts.as_of!r}")
    return opts


def check_code(net: Network, scheme: str, code: str | None) -> None:
    if code is not None and code not in net.codes(scheme):
        known = ", ".join(net.codes(scheme)) or "none"
        raise UsageError(f"unknown {scheme} {code!r}: known {scheme} codes are {known}")
