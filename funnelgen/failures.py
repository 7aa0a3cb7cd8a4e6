"""Why a build failed, in words a user can act on: the one place a render exception becomes problems.

Templates, recursion, two outputs on one path, files that are not UTF-8 and the operating system's
errors (a full disk, permissions) each get the file to fix and a hint; anything else is a bug and keeps
its traceback.
"""

from __future__ import annotations

import os
from pathlib import Path

from .errors import BuildError, Problem, rel


def failure_problems(exc: BaseException, site, theme: Path | None) -> list[Problem] | None:
    """A render failure as problems naming the file to fix; None when `exc` is not a known failure."""
    from jinja2 import TemplateError

    from .output import DuplicateOutput
    from .theme import template_problem

    if isinstance(exc, BuildError):
        return exc.problems
    if isinstance(exc, TemplateError):
        return [template_problem(exc)]
    if isinstance(exc, RecursionError):
        found = template_problem(exc)  # names "templates" when no template frame is on the stack
        return [Problem(found.file, "template includes or calls itself without end", line=found.line,
                        hint="Remove the {% include %}/{% extends %} of the template's own name (or the loop of "
                             "templates including each other).")] if found.line else None
    if isinstance(exc, DuplicateOutput):
        cfg = rel(site.config_file) if site is not None else "site.yml"
        return [Problem(cfg, f"two outputs write the same file '{exc}'",
                        hint="Rename the static file or change the step's slug.", rule="graph.output-paths")]
    if isinstance(exc, UnicodeDecodeError):
        from .yamlsource import decode_error_line

        file = _file_in_traceback(exc)
        return [Problem(rel(file) if file else "templates", f"not UTF-8 text ({exc.reason})",
                        line=decode_error_line(file) if file else None,
                        hint="Save the file as UTF-8 (Shift_JIS and UTF-16 are not read).")]
    if isinstance(exc, OSError):
        return [_os_problem(exc)]
    return None


_OS_HINTS = {
    "ENOSPC": "The disk is full: free some space, or build into a folder on another disk with -o.",
    "EDQUOT": "The disk quota is used up: free some space, or build into another folder with -o.",
    "EACCES": "funnelgen may not write (or read) here: fix the permissions, or pick another output folder with -o.",
    "EPERM": "funnelgen may not write (or read) here: fix the permissions, or pick another output folder with -o.",
    "EROFS": "This file system is read-only: build into a writable folder with -o.",
    "ENOENT": "A file or folder vanished during the build (or a symlink dangles): check the path and build again.",
}


def _os_problem(exc: OSError) -> Problem:
    import errno

    name = errno.errorcode.get(exc.errno or 0, "")
    file = exc.filename or "."
    return Problem(rel(file), f"could not read or write: {exc.strerror or exc}",
                   hint=_OS_HINTS.get(name, "Check that the folder exists and is writable, then build again. "
                                            "The previous output was left untouched."))


def _file_in_traceback(exc: BaseException) -> str | None:
    """The file being read when `exc` was raised (jinja loaders and our readers keep it in a local)."""
    import traceback

    for frame, _line in reversed(list(traceback.walk_tb(exc.__traceback__))):
        for name in ("filename", "path", "css_path"):
            value = frame.f_locals.get(name)
            if isinstance(value, (str, Path)) and os.path.isfile(value):
                return str(value)
    return None
