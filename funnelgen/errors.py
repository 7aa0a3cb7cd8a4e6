"""User-facing errors: every problem names a file, a key path, a line and a fix.

Errors are collected, not raised one at a time, so a user fixes a whole batch
per build instead of playing whack-a-mole (MkDocs stops at the first one).
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the site source."""

    file: str
    message: str
    key: str = ""
    line: int | None = None
    hint: str = ""
    severity: str = "error"  # "error" or "warning"
    rule: str = ""  # check rule id, e.g. "jp.total-price" (funnelgen check)
    why: str = ""  # why the rule matters, one sentence

    def location(self) -> str:
        where = self.file
        if self.line:
            where += f":{self.line}"
        return where

    def format(self) -> str:
        head = f"{self.severity}: {self.location()}"
        if self.key:
            head += f": {self.key}"
        text = f"{head}: {self.message}"
        if self.rule:
            text += f" [{self.rule}]"
        if self.why:
            text += f"\n  why: {self.why}"
        if self.hint:
            text += f"\n  fix: {self.hint}"
        return text

    def as_dict(self) -> dict:
        return {
            "severity": self.severity,
            "file": self.file,
            "line": self.line,
            "key": self.key,
            "message": self.message,
            "hint": self.hint,
            "rule": self.rule,
            "why": self.why,
        }


def strictify(problems: list[Problem]) -> list[Problem]:
    """--strict: warnings count as errors."""
    from dataclasses import replace

    return [replace(p, severity="error") if p.severity == "warning" else p for p in problems]


class BuildError(Exception):
    """The site cannot be built; carries every problem found so far."""

    def __init__(self, problems: list[Problem]):
        self.problems = dedupe(problems)  # the same finding from two places (a page rendered twice) once
        self.reported = False  # a reporter has shown these problems already
        super().__init__("\n".join(p.format() for p in problems))


def dedupe(problems: list[Problem]) -> list[Problem]:
    """Problems in order, each (file, line, message, rule) once."""
    seen: set = set()
    out = []
    for p in problems:
        key = (p.file, p.line, p.message, p.rule)
        if key not in seen:
            seen.add(key)
            out.append(p)
    return out


def rel(path: Path | str) -> str:
    """Show paths relative to the working folder so messages stay short (string work only: no syscalls
    beyond getcwd, since it runs for every page)."""
    return _rel(str(path), os.getcwd())


@functools.lru_cache(maxsize=8192)
def _rel(path: str, cwd: str) -> str:
    absolute = os.path.abspath(path)
    if absolute == cwd or absolute.startswith(cwd.rstrip(os.sep) + os.sep):
        return os.path.relpath(absolute, cwd)
    return path


def did_you_mean(word: str, choices) -> str:
    """A 'did you mean' suffix for typos in keys and ids."""
    import difflib

    close = difflib.get_close_matches(str(word), [str(c) for c in choices], n=1, cutoff=0.6)
    return f" Did you mean '{close[0]}'?" if close else ""
