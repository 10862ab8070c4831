"""The commands of ``bioeco`` by group; ``cli.py`` gathers them into the entry point."""

__all__: list[str] = []
