"""Move a warm build's staged files into the previous output instead of swapping in a whole new folder.

When the build cache keeps most pages, the staging folder holds only what this build wrote (changed pages,
the legal pages, sitemap, assets); the unchanged pages stay where they are (`Staging.kept`). The update
reads everything it needs first, so a folder it cannot read or write means a normal swap with nothing
moved. While files move, the output's marker says the folder is incomplete (output.MARKER_BUSY); a stop
half-way leaves it saying so and the next build replaces the folder whole. SIGINT/SIGTERM wait until the
update is over, as they do for the swap. A file whose bytes did not change keeps its time, so upload
tools that compare times (rsync, `aws s3 sync`) send only what changed.
"""

from __future__ import annotations

import filecmp
import os
import shutil
from pathlib import Path

from .errors import BuildError, Problem, rel
from .output import MARKER, MARKER_BUSY, MARKER_TEXT, deferred_signals


def commit(staging) -> list[Problem]:
    """Commit a build: in place when `staging.in_place()` was chosen and the output can be updated, else the
    whole-folder swap (returns its warnings)."""
    if staging.kept is not None:
        if update_in_place(staging):
            return []
        staging.stage_kept()  # nothing was moved: swap as usual
    return staging.commit()


def update_in_place(staging) -> bool:
    """True when the output folder now holds the new site; False when nothing was touched (swap instead).
    Raises BuildError when the update stopped part-way (the marker then says the folder is incomplete)."""
    final, root = staging.final, staging.root
    try:
        staged, _folders, _empty = _tree(root)
        stale, prune = _unwanted(final, staging.kept | set(staged))
        touched = {final, *prune} | {(final / relpath).parent for relpath in staged}
        if not all(os.access(folder, os.W_OK) for folder in touched if folder.is_dir()):
            return False
    except OSError:
        return False
    with deferred_signals():
        try:
            _mark(final, MARKER_BUSY)
        except OSError:
            return False
        try:
            for relpath in staged:
                _move(root / relpath, final / relpath)
            for path in stale:
                if path.is_dir() and not path.is_symlink():
                    shutil.rmtree(path)
                else:
                    path.unlink()
            for folder in sorted(prune, key=lambda f: len(f.parts), reverse=True):
                if folder.is_dir() and not any(folder.iterdir()):
                    folder.rmdir()
            _mark(final, MARKER_TEXT)
        except OSError as exc:
            raise BuildError([Problem(
                rel(final), f"the output folder could not be updated ({exc.strerror}: {exc.filename}); it is "
                "marked incomplete", hint="Do not deploy it. Fix the cause and build again: the next build "
                "replaces the folder whole.")]) from None
    shutil.rmtree(root, ignore_errors=True)
    return True


def _tree(root: Path) -> tuple[list[str], list[str], list[str]]:
    """(files, folders, empty folders) under `root` as relative paths; a symlink counts as a file (never
    followed).
    One scandir per folder and no stat: at 5,000 folders os.walk and Path objects cost 0.8 s."""
    files, folders, empty = [], [], []
    stack = [("", str(root))]
    while stack:
        prefix, path = stack.pop()
        seen = False
        with os.scandir(path) as entries:
            for entry in entries:
                seen = True
                relpath = prefix + entry.name
                if entry.is_dir(follow_symlinks=False):
                    folders.append(relpath)
                    stack.append((relpath + "/", entry.path))
                else:
                    files.append(relpath)
        if not seen and prefix:
            empty.append(prefix[:-1])
    return files, folders, empty


def _unwanted(final: Path, wanted: set[str]) -> tuple[list[Path], set[Path]]:
    """Files of the output this build does not have (a page gone, a file added by hand), and the folders that
    may be empty once they are gone (theirs and the ones that were empty already), to prune."""
    files, _folders, empty = _tree(final)
    stale = [f for f in files if f not in wanted and f != MARKER]
    prune: set[Path] = set()
    for relpath in stale + empty:
        parts = relpath.split("/")
        prune.update(final.joinpath(*parts[:n]) for n in range(1, len(parts) + (relpath in empty)))
    return [final / f for f in stale], prune


def _move(source: Path, target: Path) -> None:
    """Replace `target` with `source`, unless it already holds the same bytes (then it keeps its time)."""
    try:
        if target.is_file() and not target.is_symlink() and filecmp.cmp(source, target, shallow=False):
            return
    except OSError:
        pass
    if target.is_dir() and not target.is_symlink():
        shutil.rmtree(target)  # a folder added by hand where the site has a file
    parent = target.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):  # a file added by hand where the site has a folder
        blocker = next(p for p in [parent, *parent.parents] if p.exists() and not p.is_dir())
        blocker.unlink()
        parent.mkdir(parents=True, exist_ok=True)
    os.replace(source, target)


def _mark(final: Path, text: str) -> None:
    tmp = final / f"{MARKER}.tmp"
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, final / MARKER)
