"""Shared fixtures: copies of the example site and small sites written from dicts."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import copy_example, write_site


@pytest.fixture
def example_site(tmp_path) -> Path:
    return copy_example(tmp_path / "site")


@pytest.fixture
def minimal_site(tmp_path) -> Path:
    return write_site(tmp_path / "site")
