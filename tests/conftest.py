"""Shared fixtures: copies of the example site, small sites written from dicts, and one Chromium per module."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import copy_example, write_site


@pytest.fixture(autouse=True, scope="session")
def _private_cache_home(tmp_path_factory):
    """Compiled templates go to $XDG_CACHE_HOME/funnelgen (theme.py): the tests' own, not the user's."""
    import os

    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("cache-home"))


@pytest.fixture
def example_site(tmp_path) -> Path:
    return copy_example(tmp_path / "site")


@pytest.fixture
def minimal_site(tmp_path) -> Path:
    return write_site(tmp_path / "site")


@pytest.fixture(scope="module")
def browser():
    """Chromium for a module's browser tests (Debian's, or $FUNNELGEN_CHROMIUM: funnelgen/browser.py)."""
    from playwright.sync_api import sync_playwright

    from funnelgen.browser import find_chromium, launch_args

    with sync_playwright() as p:
        b = p.chromium.launch(**launch_args(find_chromium()))
        yield b
        b.close()
