"""Views of a bioeco graph and its analyses: plots, the offline HTML viewer, the report, exports."""

from bioeco.viz.viewer import (
    HIGHLIGHTS,
    SIZE_MEASURES,
    VIEWS,
    ViewerPage,
    show_viewer,
    viewer_data,
    viewer_html,
    write_viewer,
)

__all__ = [
    "HIGHLIGHTS",
    "SIZE_MEASURES",
    "VIEWS",
    "ViewerPage",
    "show_viewer",
    "viewer_data",
    "viewer_html",
    "write_viewer",
]
