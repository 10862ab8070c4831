"""From tables to graph: CSV rows → records → sorted quads → store and TriG/Turtle."""
