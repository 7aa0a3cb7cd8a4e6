"""Write stage: build into a staging folder, then swap it in whole (or, when the build cache kept most of
the previous site, move only the changed files in).

A failed build removes its staging folder and leaves the previous output
untouched, so a broken funnel never reaches the deploy folder (MkDocs and Zola
clean first and can leave half a site behind). Files are opened with 'x' so
two pages writing one path fail loudly, even across worker processes.

A warm build whose pages the cache proved unchanged stages only what it wrote and updates the output
in place: linking 5,000 unchanged files into a new folder and deleting the old one cost more than the
rest of such a build. The output is marked incomplete (MARKER_BUSY) while files move, so an update cut
short is never taken for a finished site: the next build replaces the folder whole.
"""

from __future__ import annotations

import ctypes
import errno
import os
import shutil
import signal
import stat
import tempfile
from collections.abc import Iterable
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

from .errors import BuildError, Problem, rel
from .pages import site_tree

IGNORED_FILES = {".DS_Store", "Thumbs.db", "desktop.ini"}
IGNORED_DIRS = {".git", ".svn", ".hg", "__pycache__"}
MARKER = ".funnelgen-output"  # in every output: a folder holding it is ours to replace (the dev server hides dotfiles)
MARKER_TEXT = "This folder is written by `funnelgen build` and replaced whole on every build.\n"
MARKER_BUSY = MARKER_TEXT + "A build was moving files into it and did not finish: the next build replaces it whole.\n"
AT_FDCWD, RENAME_EXCHANGE = -100, 2


class DuplicateOutput(Exception):
    pass


def _same_copy(copy: Path, source: os.stat_result) -> bool:
    """The output already holds this static file: a regular file of the same size with the source's time, which
    every copy gets (large downloads are then neither copied into staging nor compared byte for byte)."""
    try:
        st = os.lstat(copy)
    except OSError:
        return False
    return stat.S_ISREG(st.st_mode) and st.st_size == source.st_size and st.st_mtime_ns == source.st_mtime_ns


class Staging:
    def __init__(self, final: Path):
        self.final = final.resolve()
        self.final.parent.mkdir(parents=True, exist_ok=True)
        self.root = Path(tempfile.mkdtemp(prefix=f".{self.final.name}.staging-", dir=self.final.parent)).resolve()
        self.kept: set[str] | None = None  # in place: the previous output's files this build keeps (link)

    def in_place(self) -> bool:
        """Stage only what this build writes and keep the rest of the previous output where it is; only
        when that output is a whole site of an earlier build (its marker says so)."""
        try:
            whole = (self.final / MARKER).read_text(encoding="utf-8") == MARKER_TEXT
        except (OSError, UnicodeDecodeError):
            whole = False
        if whole:
            self.kept = set()
        return whole

    def previous(self, relpath: str) -> Path | None:
        """Where a file this build keeps from the previous output is (None: not kept)."""
        return self.final / relpath if self.kept is not None and relpath in self.kept else None

    def path(self, relpath: str) -> Path:
        """Lexical check (no resolve(): a syscall per path component, per page, adds up at 1,000s of pages)."""
        parts = PurePosixPath(relpath).parts
        if not parts or parts[0] == "/" or ".." in parts or "\\" in relpath:
            raise ValueError(f"refusing to write outside the output folder: {relpath}")
        return self.root.joinpath(*parts)

    def write(self, relpath: str, data: str | bytes | Iterable[str]) -> None:
        """One output file; `data` may be text chunks (a large file is never joined in memory)."""
        target = self.path(relpath)
        target.parent.mkdir(parents=True, exist_ok=True)
        if self.kept is not None and relpath in self.kept:
            raise DuplicateOutput(relpath)
        chunks = [data] if isinstance(data, (str, bytes)) else data
        try:
            with open(target, "xb") as fh:
                for chunk in chunks:
                    fh.write(chunk.encode("utf-8") if isinstance(chunk, str) else chunk)
        except FileExistsError:
            raise DuplicateOutput(relpath) from None

    def put(self, relpath: str, data: Path | bytes) -> None:
        """A content-addressed file (an image variant, an icon): pages share them, so one already written is this
        one; a temporary name and a rename keep parallel workers from writing over each other."""
        target = self.path(relpath)
        if target.exists() or (self.kept is not None and relpath in self.kept):
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".put-")
        with os.fdopen(fd, "wb") as fh:
            fh.write(data if isinstance(data, bytes) else Path(data).read_bytes())
        os.chmod(tmp, 0o644)  # (mkstemp makes it private)
        os.replace(tmp, target)

    def link(self, relpath: str, source: Path, shared: bool = False) -> None:
        """A file of the previous output that the build cache proved current: hard-linked, not rewritten.
        `shared`: content-addressed (put), so one already there is this one."""
        from .buildcache import link_or_copy

        target = self.path(relpath)
        if self.kept is not None and source == self.final / relpath:  # in place: it stays where it is
            if not shared and (relpath in self.kept or target.exists()):
                raise DuplicateOutput(relpath)
            self.kept.add(relpath)
            return
        if shared and target.exists():
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            link_or_copy(source, target)
        except FileExistsError:
            raise DuplicateOutput(relpath) from None

    def copy_tree(self, src: Path, dest: str = "", root: Path | None = None, skip: set[str] = frozenset()) -> None:
        """Copy a folder of static files (but the names in `skip`); an existing file is a duplicate output.

        Symlinks are followed only while they stay inside `root` (the site folder; default `src`):
        one pointing outside, or dangling, is a BuildError naming the link and its target.
        """
        files, problems = site_tree(src, root or src)
        if problems:
            raise BuildError(problems)
        for name, path in files:
            if path.name in IGNORED_FILES or any(part in IGNORED_DIRS for part in PurePosixPath(name).parts):
                continue
            relpath = str(Path(dest) / name)
            if relpath in skip:
                continue
            target = self.path(relpath)
            if target.exists() or (self.kept is not None and relpath in self.kept):
                raise DuplicateOutput(relpath)
            source = os.stat(path)
            if self.kept is not None and _same_copy(self.final / relpath, source):
                self.kept.add(relpath)  # in place: the output's copy is this file (rsync's size-and-time rule)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
            os.utime(target, ns=(source.st_atime_ns, source.st_mtime_ns))  # what the next build compares

    def commit(self) -> list[Problem]:
        """Swap staging in whole; returns warnings (an old folder that could not be deleted).

        On Linux one renameat2(RENAME_EXCHANGE) swaps the two folders atomically. Where the OS or file
        system refuses it, two renames do the swap, the old folder is put back on every failure, and
        SIGINT/SIGTERM wait until the swap is over. The output folder is always the old site or the new.
        An in-place build (`in_place()`) commits through inplace.commit, which calls this after `stage_kept`
        when the output cannot be updated.
        """
        (self.root / MARKER).write_text(MARKER_TEXT, encoding="utf-8")
        os.chmod(self.root, 0o755)
        with deferred_signals():
            if not self.final.exists():
                os.rename(self.root, self.final)
                return []
            if _exchange(self.root, self.final):
                old = self.root  # the staging path now holds the previous site
            else:
                old = Path(tempfile.mkdtemp(prefix=f".{self.final.name}.old-", dir=self.final.parent))
                os.rmdir(old)
                os.rename(self.final, old)
                try:
                    os.rename(self.root, self.final)
                except BaseException:
                    os.rename(old, self.final)
                    raise
        return remove_old(old, self.final)

    def stage_kept(self) -> None:
        """Link the files kept from the previous output into staging: a whole site again, for the swap."""
        from .buildcache import link_or_copy

        for relpath in sorted(self.kept or ()):
            target = self.path(relpath)
            if not target.exists():
                target.parent.mkdir(parents=True, exist_ok=True)
                link_or_copy(self.final / relpath, target)
        self.kept = None

    def abort(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths with renameat2(RENAME_EXCHANGE); False where that is not available."""
    try:
        fn = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):  # not glibc, not Linux
        return False
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    if fn(AT_FDCWD, os.fsencode(a), AT_FDCWD, os.fsencode(b), RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV):
        return False
    raise OSError(code, os.strerror(code), str(b))


@contextmanager
def deferred_signals():
    """Hold SIGINT/SIGTERM until the block is over, then act on them (re-raised after)."""
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    previous = {sig: signal.signal(sig, lambda num, _frame: caught.append(num)) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler if handler is not None else signal.SIG_DFL)  # None: set outside Python
        for sig in caught[:1]:
            if sig == signal.SIGINT:
                raise KeyboardInterrupt
            os.kill(os.getpid(), sig)


def remove_old(old: Path, final: Path) -> list[Problem]:
    """Delete the previous site after the swap; a failure is a warning, never a missing output."""
    def retry_writable(fn, path, _exc):  # a read-only sub-folder: make its parent writable and try again
        os.chmod(os.path.dirname(path), 0o700)
        fn(path)

    try:
        shutil.rmtree(old, onerror=retry_writable)
    except OSError as exc:
        return [Problem(rel(old), f"the previous output could not be deleted ({exc.strerror}); "
                        f"{rel(final)} holds the new site", severity="warning",
                        hint=f"Delete {rel(old)} by hand (check its permissions).")]
    return []


SOURCE_DIRS = ("pages", "static", "templates", ".funnelgen")


def check_output_dir(out: Path, src: Path, theme: Path | None = None, force: bool = False) -> None:
    """Refuse output folders whose replacement would destroy sources or someone else's files.

    The output folder is replaced whole, so it must not be (or sit inside) the site folder's own
    sources, the theme, a parent of the site or the theme, or a repository; and a non-empty folder
    must hold the MARKER of an earlier build (or the user passes --force).
    """
    out_r, src_r = out.resolve(), src.resolve()
    theme_r = theme.resolve() if theme else None
    protected = [src_r / name for name in SOURCE_DIRS] + ([theme_r] if theme_r else [])
    bad = (out_r == src_r or out_r in src_r.parents or out_r == Path.home().resolve() or out_r == Path(out_r.anchor)
           or any(out_r == p or p in out_r.parents for p in protected)
           or (theme_r is not None and out_r in theme_r.parents)
           or (out_r / ".git").exists() or (out_r / "site.yml").exists() or (out_r / "pages").is_dir())
    if bad:
        raise BuildError([Problem(rel(out), "refusing to use this folder as output: it holds sources (the site, "
                                  "its theme or a repository) and would be replaced",
                                  hint="Pick an output folder of its own, e.g. -o dist.")])
    if force or not out_r.is_dir() or (out_r / MARKER).is_file() or not any(out_r.iterdir()):
        return
    if (out_r / "404.html").is_file() and any((out_r / "assets").glob("funnel.*.js")):
        return  # written by a funnelgen from before the marker
    raise BuildError([Problem(rel(out), "refusing to replace this folder: it is not empty and was not written by "
                              f"funnelgen (no {MARKER} in it); a build replaces the output folder whole",
                              hint="Pick an empty or new output folder, or pass --force to replace it anyway.")])
