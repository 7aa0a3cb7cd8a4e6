"""Read the exports and compute the report: the one entry point the command and the tests share."""

from __future__ import annotations

from pathlib import Path

from .catalog import load_catalog
from .data import build
from .detect import read_exports


def make_report(src: Path | None, data: list[Path], confidence: float = 0.95) -> dict:
    """The report as data (the JSON schema); BuildError names every problem of every file."""
    catalog = load_catalog(src)
    return build(read_exports(data, catalog), catalog, confidence)
