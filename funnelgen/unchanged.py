"""Nothing changed since the last build: say so without loading the site.

Most builds of a small site change nothing (a CI job, a deploy hook, a habit); make and ninja answer those
from file times alone. So does `funnelgen build`: after a build whose every page and site-wide check the
build cache recorded (funnelgen/buildcache.py; none read the clock), `.funnelgen/last-build-<output>.json` keeps

- the **inputs** by `stat`: every file under the site folder (its size, time, inode and change time; the
  output folder, `.funnelgen/` and version-control folders aside), funnelgen and its libraries
  (`buildcache.package_print`), the working folder, the options and the environment variables that change
  a build;
- the **outputs** by `stat`: every file in the output folder and what the build wrote into `.funnelgen/`;
- what the build **reported** (its summary, warnings and after-payment URLs).

When all of it is the same the next `funnelgen build` reports the same result and writes nothing; the
whole check costs a walk of both folders instead of loading YAML, the model, the templates and the checks.
Any difference (a touched file, a file added to or changed in the output, another option, a symbolic link
anywhere in the site folder) means an ordinary build, which still takes unchanged pages from the cache.
`--no-cache` skips this too.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

RECORD = "last-build"  # .funnelgen/last-build-<output folder>.json
FORMAT = "1"
SKIP = frozenset({".funnelgen", ".git", ".hg", ".svn"})  # never inputs: the caches, version control
ENVIRONMENT = ("CONTEXT", "FUNNELGEN_ALLOW_TEST_KEYS")  # read by the build (rules/context.py: test keys allowed?)


def _walk(root: Path, skip: set[str], into: list) -> bool:
    """Append (path, size, mtime, inode, ctime) of every file under root, sorted; False at a symbolic link (its
    target may change where this walk does not look). Plain strings and one sort: at 5,000 pages a Path per
    folder and a sort per folder were two thirds of the walk."""
    found, folders = [], [str(root)]
    while folders:
        try:
            entries = os.scandir(folders.pop())
        except OSError:
            return False
        with entries:
            for entry in entries:
                try:
                    if entry.is_symlink():
                        return False
                    if entry.is_dir():
                        if entry.name not in skip and entry.path not in skip:
                            folders.append(entry.path)
                    else:
                        st = entry.stat()
                        found.append((entry.path, st.st_size, st.st_mtime_ns, st.st_ino, st.st_ctime_ns))
                except OSError:  # gone while walked (an editor's temporary file): no answer, a real build
                    return False
    found.sort()
    into += found
    return True


def _inputs(src: Path, out: Path, options: dict) -> str | None:
    from .buildcache import package_print

    files: list = []
    inside = os.path.relpath(os.path.abspath(out), os.path.abspath(src))  # the output folder is not an input
    skip = set(SKIP) | ({os.path.normpath(os.path.join(str(src), inside))} if not inside.startswith("..") else set())
    if not _walk(src, skip, files):
        return None
    folder = os.stat(src)
    key = {"format": FORMAT, "package": package_print(), "cwd": os.getcwd(), "src": str(src.resolve()),
           "folder": [folder.st_dev, folder.st_ino], "out": str(out.resolve()), "options": options,
           "env": {name: os.environ.get(name) for name in ENVIRONMENT}, "files": files}
    return hashlib.sha256(json.dumps(key, sort_keys=True).encode("utf-8")).hexdigest()


def _outputs(src: Path, out: Path, written: list[str]) -> str | None:
    files: list = []
    if not out.is_dir() or not _walk(out, set(), files):
        return None
    for path in written:  # what the build wrote into the site folder (the after-payment URLs, host functions)
        try:
            st = os.stat(path)
        except OSError:
            return None
        files.append((path, st.st_size, st.st_mtime_ns, st.st_ino, st.st_ctime_ns))
    return hashlib.sha256(json.dumps(files).encode("utf-8")).hexdigest()


def _record_path(src: Path, out: Path) -> Path:
    """One record per output folder: a build into another folder (a `--no-cache` comparison, a preview
    build) does not cost the next build of this one its answer."""
    which = hashlib.sha256(str(out.resolve()).encode("utf-8")).hexdigest()[:16]
    return src / ".funnelgen" / f"{RECORD}-{which}.json"


def forget(src: Path, out: Path) -> None:
    """A build into `out` that changed something or could not be recorded: the next one must not be skipped."""
    try:
        _record_path(src, out).unlink()
    except OSError:
        pass


def remember(src: Path, out: Path, options: dict, result, written: list[str]) -> None:
    """After a successful build that the cache recorded whole: what the next one compares with."""
    inputs, outputs = _inputs(src, out, options), _outputs(src, out, written)
    if inputs is None or outputs is None:
        return forget(src, out)
    from dataclasses import asdict

    record = {"inputs": inputs, "outputs": outputs, "written": written, "pages": result.pages,
              "warnings": [asdict(p) for p in result.warnings],
              "success_urls": result.success_urls,
              "success_file": str(result.success_file) if result.success_file else None}
    target = _record_path(src, out)
    tmp = target.with_name(f".{target.name}.tmp")
    try:
        tmp.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, target)
    except OSError:
        forget(src, out)


def replay(src: Path, out: Path, options: dict):
    """The last build's result when nothing it read or wrote has changed since, else None."""
    try:
        record = json.loads(_record_path(src, out).read_text(encoding="utf-8"))
        written = [str(p) for p in record["written"]]
        # inputs first: an edited source is the usual change, and the output folder is the longer walk
        if record["inputs"] != _inputs(src, out, options) or record["outputs"] != _outputs(src, out, written):
            return None
        from types import SimpleNamespace

        from .errors import Problem, rel
        from .reporter import BuildResult

        n = int(record["pages"])
        return BuildResult(True, out, n, warnings=[Problem(**p) for p in record["warnings"]],
                           success_urls=[tuple(pair) for pair in record["success_urls"]],
                           success_file=Path(record["success_file"]) if record["success_file"] else None,
                           site=SimpleNamespace(src=src),  # what the reporter names (`funnelgen check SRC`)
                           summary=f"built {n} page{'s' if n != 1 else ''} into {rel(out)} (nothing changed since "
                                   "the last build)")
    except (OSError, ValueError, KeyError, TypeError):
        return None
