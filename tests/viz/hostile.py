"""A tiny graph whose labels are markup, script and broken mathtext (for escaping tests)."""

from __future__ import annotations

from rdflib import Graph

from bioeco.analyses._fixture import build_graph

HOSTILE = "<img src=x onerror=alert(1)>"
SCRIPT = "</script><script>alert(1)</script>"
MATH = "$\\frac{1}{0}$ & $x^"  # not valid mathtext: would raise if parsed


def hostile_graph() -> Graph:
    """Four actors and four projects with hostile labels, all sharing members (projects: a
    cluster membership is no joint work for the pair suggestions, which name W)."""
    actors = {
        "x": {"label": HOSTILE, "sector": ["marine"], "stage": ["research"]},
        "y": {"label": MATH, "sector": ["health"], "stage": ["research"]},
        "z": {"label": SCRIPT, "sector": ["health"]},
        "w": {"label": "W & <i>co</i>", "sector": ["agri-food"]},
    }
    initiatives = {
        "a": {"label": "A & <b>bold</b>", "sector": ["marine"], "type": "project"},
        "b": {"label": "B ' \" `", "sector": ["health"], "type": "project"},
        "c": {"label": "C", "sector": ["marine"], "type": "project"},
        "d": {"label": "D", "sector": ["agri-food"], "type": "project"},
    }
    member = [(m, o, "member") for m in ("x", "y", "z") for o in ("a", "b")]
    extra = [("x", "c", "member"), ("w", "d", "member"), ("y", "d", "member")]
    return build_graph(actors, initiatives, [*member, *extra], schemes=True)
