"""The interactive viewer: one self-contained, offline HTML page (pyvis on vis-network).

Its parts live in the ``viewer_*`` modules of this room: ``viewer_options`` (the options),
``viewer_style`` (colours, shapes, line styles), ``viewer_layout`` (positions),
``viewer_facts`` (sources, memberships, analysis rows), ``viewer_legend`` (legend and texts),
``viewer_model`` (nodes and edges: :func:`viewer_data`) and ``viewer_page`` (the HTML page).
The public names stay importable from here.
"""

from __future__ import annotations

from bioeco.viz.viewer_facts import PANEL_MAX_ROWS
from bioeco.viz.viewer_layout import BIG_LAYOUT_ITERATIONS, FORCEATLAS_MAX_NODES, MIN_DISTANCE
from bioeco.viz.viewer_model import HOVER_MAX_NODES, node_placement, viewer_data
from bioeco.viz.viewer_options import (
    HIGHLIGHTS,
    PAGE_SIZES,
    PHYSICS_MAX_NODES,
    SIZE_MEASURES,
    SIZE_WORDS,
    VIEWS,
)
from bioeco.viz.viewer_page import ViewerPage, show_viewer, viewer_html, write_viewer

__all__ = [
    "BIG_LAYOUT_ITERATIONS",
    "FORCEATLAS_MAX_NODES",
    "HIGHLIGHTS",
    "HOVER_MAX_NODES",
    "MIN_DISTANCE",
    "PAGE_SIZES",
    "PANEL_MAX_ROWS",
    "PHYSICS_MAX_NODES",
    "SIZE_MEASURES",
    "SIZE_WORDS",
    "VIEWS",
    "ViewerPage",
    "node_placement",
    "show_viewer",
    "viewer_data",
    "viewer_html",
    "write_viewer",
]
