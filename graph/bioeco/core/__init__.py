"""Foundations of every room: paths, vocabulary, schemes, safe reading, atomic writing."""
