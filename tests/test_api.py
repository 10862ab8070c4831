"""The public API: every name ``bioeco`` exports resolves, lazily."""

from __future__ import annotations

import subprocess
import sys

import bioeco


def test_every_exported_name_resolves():
    for name in bioeco.__all__:
        assert getattr(bioeco, name) is not None, name


def test_importing_graph_stays_light():
    code = "import sys, bioeco; print('rdflib' in sys.modules, 'pandas' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]
