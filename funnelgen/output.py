"""Write stage: build into a staging folder, then swap it in whole.

A failed build removes its staging folder and leaves the previous output
untouched, so a broken funnel never reaches the deploy folder (MkDocs and Zola
clean first and can leave half a site behind). Files are opened with 'x' so
two pages writing one path fail loudly, even across worker processes.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path, PurePosixPath

from .errors import BuildError, Problem, rel

IGNORED_FILES = {".DS_Store", "Thumbs.db", "desktop.ini"}
IGNORED_DIRS = {".git", ".svn", ".hg", "__pycache__"}


class DuplicateOutput(Exception):
    pass


class Staging:
    def __init__(self, final: Path):
        self.final = final.resolve()
        self.final.parent.mkdir(parents=True, exist_ok=True)
        self.root = Path(tempfile.mkdtemp(prefix=f".{self.final.name}.staging-", dir=self.final.parent)).resolve()

    def path(self, relpath: str) -> Path:
        """Lexical check (no resolve(): a syscall per path component, per page, adds up at 1,000s of pages)."""
        parts = PurePosixPath(relpath).parts
        if not parts or parts[0] == "/" or ".." in parts or "\\" in relpath:
            raise ValueError(f"refusing to write outside the output folder: {relpath}")
        return self.root.joinpath(*parts)

    def write(self, relpath: str, data: str | bytes) -> None:
        target = self.path(relpath)
        target.parent.mkdir(parents=True, exist_ok=True)
        payload = data.encode("utf-8") if isinstance(data, str) else data
        try:
            with open(target, "xb") as fh:
                fh.write(payload)
        except FileExistsError:
            raise DuplicateOutput(relpath) from None

    def copy_tree(self, src: Path, dest: str = "") -> None:
        """Copy a folder of static files; an existing file is a duplicate output."""
        for path in sorted(src.rglob("*")):
            if path.is_dir() or path.name in IGNORED_FILES or any(part in IGNORED_DIRS for part in path.parts):
                continue
            relpath = str(Path(dest) / path.relative_to(src))
            target = self.path(relpath)
            if target.exists():
                raise DuplicateOutput(relpath)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)

    def commit(self) -> None:
        """Swap staging in: rename old away, rename new in, delete old."""
        old = None
        os.chmod(self.root, 0o755)
        if self.final.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{self.final.name}.old-", dir=self.final.parent))
            os.rmdir(old)
            os.rename(self.final, old)
        os.rename(self.root, self.final)
        if old:
            shutil.rmtree(old, ignore_errors=True)

    def abort(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


SOURCE_DIRS = ("pages", "static", "templates", ".funnelgen")


def check_output_dir(out: Path, src: Path, theme: Path | None = None) -> None:
    """Refuse output folders whose replacement would destroy sources.

    The output folder is replaced whole, so it must not be (or sit inside) the
    site folder's own sources, the theme, a parent of the site, or a repository.
    """
    out_r, src_r = out.resolve(), src.resolve()
    protected = [src_r / name for name in SOURCE_DIRS] + ([theme.resolve()] if theme else [])
    bad = (out_r == src_r or out_r in src_r.parents or out_r == Path.home().resolve() or out_r == Path(out_r.anchor)
           or any(out_r == p or p in out_r.parents for p in protected)
           or (out_r / ".git").exists() or (out_r / "site.yml").exists() or (out_r / "pages").is_dir())
    if bad:
        raise BuildError([Problem(rel(out), "refusing to use this folder as output: it holds sources and would be replaced",
                                  hint="Pick an output folder of its own, e.g. -o dist.")])
