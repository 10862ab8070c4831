"""Views of a bioeco graph and its analyses: plots, the offline HTML viewer, the report, exports."""

__all__: list[str] = []
