"""Interactive views of a bioeco graph: the offline HTML viewer."""

__all__: list[str] = []
