"""The example SPARQL queries of ``bioeco queries`` (data files, one question each)."""
