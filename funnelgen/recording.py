"""What one page read while it was rendered and checked: the inputs the build cache keys it on.

Lektor records the source files an artifact touched while it was built; funnelgen does the same for the
things a page can read besides its own Markdown file: the offers (any attribute of an `Offer`, however the
page reached it: its own offer, a plan, a bump's bundle, what a buyer paid for), the templates (every
`get_template`, so `{% include %}` and `{% extends %}` too), the pictures it placed, and whether a check
looked at the clock (a deadline rule: such a page is never reused). Recording is on only inside
`recording()`, i.e. while the build renders one page; everywhere else the hooks cost one global read.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

_current: Reads | None = None


@dataclass
class Reads:
    offers: set[str] = field(default_factory=set)
    templates: set[str] = field(default_factory=set)
    files: set[str] = field(default_factory=set)  # absolute paths of pictures and other files read
    clock: bool = False  # a rule compared something with the current time


@contextmanager
def recording(reads: Reads | None = None):
    """Record what the code in the block reads; yields the `Reads` (`reads`: go on adding to those)."""
    global _current
    previous, _current = _current, reads if reads is not None else Reads()
    try:
        yield _current
    finally:
        _current = previous


def note_template(name: str) -> None:
    if _current is not None:
        _current.templates.add(name)


def note_file(path: Path | str) -> None:
    if _current is not None:
        _current.files.add(str(path))


def note_clock() -> None:
    if _current is not None:
        _current.clock = True


class Recorded:
    """Base of model objects whose every attribute read is a dependency of the page being rendered (offers).

    A hook on the object, not on a lookup table: pages reach offers through steps, plans, bumps and
    purchases, and any of those paths must count."""

    def __getattribute__(self, name: str):
        if _current is not None:
            _current.offers.add(object.__getattribute__(self, "id"))
        return object.__getattribute__(self, name)
