"""How bioeco drives a headless browser (tests, screenshots, benchmarks): one place for it.

Debian's Chromium (``BIOECO_CHROMIUM`` overrides the path) with the flags that keep it
headless and off the network; Playwright never downloads a browser of its own.
"""

from __future__ import annotations

import os

__all__ = ["CHROMIUM", "CHROMIUM_ARGS", "LOCAL_SCHEMES"]

CHROMIUM = os.environ.get("BIOECO_CHROMIUM", "/usr/bin/chromium")
"""The browser executable (Debian's ``chromium`` package)."""

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
"""Headless, no sandbox (runs as root in CI), no background connections or updates."""

LOCAL_SCHEMES = ("file://", "data:", "blob:", "about:")
"""Schemes a page may load from without leaving the machine."""
