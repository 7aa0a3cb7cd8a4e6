"""The build cache: a page whose inputs did not change is neither rendered nor checked again.

Each page's entry in <site>/.funnelgen/build-cache.json lists what the page was made from: its Markdown
files, the offers, templates and pictures it read while it was rendered and checked (recording.py), and the
site-wide key every page shares (settings, every page's front matter, the theme's CSS, the runtime, the
output's file list, funnelgen and its libraries). It also keeps what the page produced: its problems,
the anchors checked after the build, its Content-Security-Policy and the files it wrote.

An entry is used only when every input is provably the same *and* the previous output still holds the
exact files the entry wrote (same size and modification time); those files are hard-linked into the new
output, not rewritten. Any doubt (a changed file, an unreadable or corrupt cache, another funnelgen, a
check that read the clock) means the page is rendered again. The cache is written only after a build is
committed, so a failed build leaves it describing the output that is still there.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import json
import os
import re
import shutil
from dataclasses import asdict
from pathlib import Path

from .errors import Problem
from .theme import builtin_themes_dir, template_folders

FORMAT = "4"
# An entry is a list, not a mapping: thousands of them stay in memory during a build (issue #10's 64 MiB goal)
SOURCES, FILES, OFFERS, TEMPLATES, PROBLEMS, DEFERRED, POLICY, OUTPUTS = range(8)
SITE_WIDE = "\0site-wide"  # the entry of the legal, privacy and 404 pages and the site-wide checks
CACHE_FILE = "build-cache.json"
HEADER = "funnelgen-build-cache"
LIBRARIES = ("jinja2", "markdown-it-py", "mdit-py-plugins", "budoux", "lxml", "pillow", "rjsmin", "pyyaml")
_ALIAS = re.compile(r"(?:^|[\s\[{,:-])[*&][A-Za-z0-9_-]|<<:", re.M)  # YAML anchors, aliases and merges
_TOP_KEY = re.compile(r"^[A-Za-z_][\w-]*[ \t]*:", re.M)


def sha(data: bytes | str) -> str:
    return hashlib.sha256(data.encode("utf-8") if isinstance(data, str) else data).hexdigest()


class Files:
    """Fingerprints of input files, (size, mtime_ns, sha256), each file read at most once per build."""

    def __init__(self):
        self._prints: dict[str, tuple | None] = {}

    def print(self, path: str) -> tuple | None:
        if path not in self._prints:
            try:
                st = os.stat(path)
                with open(path, "rb") as fh:
                    self._prints[path] = (st.st_size, st.st_mtime_ns, sha(fh.read()))
            except OSError:
                self._prints[path] = None
        return self._prints[path]

    def same(self, path: str, size, mtime, digest) -> bool:
        """Is the file still what the previous build saw? Size and time first; the content only when the time
        moved. (Callers ask once per file: pages for their own sources, `_still` for shared ones.)"""
        try:
            st = os.stat(path)
        except OSError:
            return False
        return st.st_size == size and (st.st_mtime_ns == mtime or (self.print(path) or (0, 0, ""))[2] == digest)


def offer_digests(site) -> tuple[str, dict[str, str]]:
    """site.yml split in two: its text without the offers' lines (blanked, so every other line keeps its
    number), and a digest of each offer's own lines. Editing one offer then changes only that offer's
    digest; where offers cannot be told apart (flow style, YAML aliases), every offer gets the whole file's."""
    text = Path(site.config_file).read_text(encoding="utf-8")
    lines = text.split("\n")
    starts = sorted((o.line, oid) for oid, o in site.offers.items() if o.line)
    if len(starts) != len(site.offers) or _ALIAS.search(text):
        whole = sha(text)
        return text, {oid: whole for oid in site.offers}
    tops = [text.count("\n", 0, m.start()) + 1 for m in _TOP_KEY.finditer(text)]
    digests = {}
    for i, (line, oid) in enumerate(starts):
        end = min([n for n in tops if n > line] + ([starts[i + 1][0]] if i + 1 < len(starts) else [len(lines) + 1]))
        digests[oid] = sha(f"{line}\n" + "\n".join(lines[line - 1:end - 1]))
        lines[line - 1:end - 1] = [""] * (end - line)
    return "\n".join(lines), digests


def package_print() -> str:
    """funnelgen itself: its version and every file of the package and built-in themes (a development
    checkout changes code without changing the version), and the libraries' installed versions."""
    from . import __version__

    return sha(f"{__version__}\n{_installed_files()}")


@functools.lru_cache(maxsize=1)
def _installed_files() -> str:
    """Once per process: the site key and the record of an unchanged build (unchanged.py) both need it."""
    parts = installed(LIBRARIES)
    for root in (Path(__file__).parent, builtin_themes_dir()):
        for folder, dirs, files in os.walk(root):
            dirs[:] = sorted(d for d in dirs if d not in ("__pycache__", "starters"))
            for name in sorted(files):
                st = os.stat(os.path.join(folder, name))
                parts.append(f"{folder}/{name}:{st.st_size}:{st.st_mtime_ns}")
    return "\n".join(parts)


def installed(names) -> list[str]:
    """The dist-info folders of these libraries on sys.path ("jinja2-3.1.4.dist-info"): their installed
    versions, read from the folder names (importlib.metadata costs more to import than a build of a page)."""
    import sys

    wanted = tuple(re.sub(r"[-_.]+", "_", n).lower() + "-" for n in names)
    found = []
    for folder in sys.path:
        try:
            entries = os.listdir(folder or ".")
        except OSError:
            continue
        found += [e for e in entries if e.endswith(".dist-info") and re.sub(r"[-_.]+", "_", e.split("-")[0]).lower()
                  + "-" in wanted]
    return sorted(found)


def site_key(prep, planned: set[str], preview: bool) -> tuple[str, dict[str, str]]:
    """The key every page shares, and the digest of each offer (pages name the offers they read)."""
    site = prep.site
    config_text, offers = offer_digests(site)
    fronts = [(sid, step.page, step.meta, step.split.config if step.split else None, step.url)
              for sid, step in site.steps.items()]
    folder = os.stat(site.src)  # this very folder: a copy (an unpacked archive keeps times) starts clean
    parts = [FORMAT, package_print(), os.getcwd(), str(site.src.resolve()), f"{folder.st_dev}:{folder.st_ino}",
             str(prep.theme), config_text,
             json.dumps(fronts, sort_keys=True, default=str, ensure_ascii=False), site.settings.base_url,
             str(preview), prep.runtime_name, sha(prep.renderer.css), "\n".join(sorted(planned)),
             "\n".join(sorted(prep.renderer.media.site_files))]
    return sha("\n\0".join(parts)), offers


class BuildCache:
    """The previous build's entries, checked page by page, and this build's, saved after a commit."""

    def __init__(self, prep, out: Path, planned: set[str], preview: bool, reporter):
        site = prep.site
        self.file = site.src / ".funnelgen" / CACHE_FILE
        self.out = Path(out).resolve()
        self.search = template_folders(site, prep.theme)
        self.key, self.offers = site_key(prep, planned, preview)
        self.files = Files()
        self.reporter = reporter
        self.shared: dict = {"offers": {}, "templates": {}, "files": {}}  # the previous build's, by name
        self.values: list = []  # the previous build's pooled values (policies, template lists), by index
        self._pool: dict = {}  # this build's: value -> index (thousands of pages share a handful of each)
        self.old: dict = self._load()
        self.new: dict = {}
        self._valid: dict[tuple[str, str], bool] = {}
        self.reused = 0
        self._templates: dict[str, str | None] = {}

    # -- the previous build ------------------------------------------------------------------------
    def _load(self) -> dict:
        try:
            raw = self.file.read_bytes()
        except OSError:
            return {}  # no cache yet (or not readable): every page is rendered
        try:
            head, _, body = raw.partition(b"\n")
            name, version, digest = head.decode("ascii").split(" ")
            if name != HEADER or digest != sha(body):
                raise ValueError("its checksum does not match (truncated or changed by hand)")
            if version != FORMAT:
                return {}  # written by another funnelgen: silently start over
            data = json.loads(body)
        except (ValueError, UnicodeDecodeError) as exc:
            self.reporter.message(f"ignored the build cache {self.file} ({exc}); every page is rendered again",
                                  "warning")
            return {}
        if not isinstance(data, dict) or data.get("key") != self.key or data.get("out") != str(self.out):
            return {}  # settings, theme, funnelgen or the output folder changed: no entry applies
        entries, shared = data.get("pages"), data.get("shared")
        if not isinstance(entries, dict) or not isinstance(shared, dict):
            return {}
        self.shared = {table: dict(shared.get(table) or {}) for table in self.shared}
        self.values = [tuple(v) if isinstance(v, list) else v for v in data.get("values") or []]
        return entries

    def reuse(self, ref, writer) -> tuple[list[Problem], list, str] | None:
        """Link the page's previous files into `writer` and return (problems, deferred, policy), or None
        when the page must be rendered."""
        name = _name(ref.key)
        entry = self.old.pop(name, None)  # (popped: memory holds one copy of each entry)
        try:
            if entry is None or len(entry) != 8 or not self._current(ref, entry):
                return None
            outputs = entry[OUTPUTS]
            if not all(self._intact(relpath, size, mtime) for relpath, _shared, size, mtime in outputs):
                return None
            for relpath, shared, _size, _mtime in outputs:
                writer.link(relpath, self.out / relpath, shared=shared)
            policy = self.values[entry[POLICY]]
            result = ([Problem(**p) for p in entry[PROBLEMS]],
                      [(path, frag, Problem(**p)) for path, frag, p in entry[DEFERRED]], policy)
            entry[TEMPLATES] = self.pooled(self.values[entry[TEMPLATES]])
            entry[POLICY] = self.pooled(policy)
        except (KeyError, TypeError, ValueError, AttributeError, IndexError):
            return None  # an entry of the wrong shape is never trusted
        self.new[name] = entry
        self.reused += 1
        return result

    def _current(self, ref, entry: list) -> bool:
        """Are the entry's inputs unchanged? (`ref` None: the site-wide entry, whose input list was compared.)"""
        sources = entry[SOURCES]
        return ((ref is None or sorted(src[0] for src in sources) == sorted(_sources(ref.step)))
                and all(self.files.same(*src) for src in sources)
                and all(self._still("files", path) for path in entry[FILES])
                and all(self._still("offers", oid) for oid in entry[OFFERS])
                and all(self._still("templates", name) for name in self.values[entry[TEMPLATES]]))

    def _still(self, table: str, name: str) -> bool:
        """Is an input many pages share (an offer, a template, a picture) what the previous build saw?"""
        if (table, name) not in self._valid:
            old = self.shared[table].get(name)
            if table == "files":
                ok = old is not None and self.files.same(name, *old)
            else:
                ok = old is not None and old == (self.offers.get(name) if table == "offers" else self._template(name))
            self._valid[table, name] = ok
        return self._valid[table, name]

    def _intact(self, relpath: str, size: int, mtime: int) -> bool:
        try:
            st = os.stat(self.out / relpath)
        except OSError:
            return False
        return st.st_size == size and st.st_mtime_ns == mtime

    def _template(self, name: str) -> str:
        """Which file a template name resolves to now (a site override shadows the theme) and its content; ""
        when there is none (a kind's own template the theme does not have: adding one changes the page)."""
        if name not in self._templates:
            found = next((folder / name for folder in self.search if (folder / name).is_file()), None)
            fp = self.files.print(str(found)) if found else None
            self._templates[name] = f"{found}:{fp[2]}" if fp else ""
        return self._templates[name]

    def reuse_site_wide(self, writer, inputs: list[str]) -> tuple[list[Problem], dict[str, str]] | None:
        """The legal, privacy and 404 pages and the site-wide checks' findings of the previous build, their files
        linked into `writer`, or None. Call it only when every page was reused: the pages' sources, anchors and
        policies are then the same. Also the same must be every offer (the legal page lists them all; the
        placeholder check reads all of site.yml), the templates and pictures they read, `inputs` (static files
        and theme assets: an anchor may point into a static page) and their own output files."""
        entry = self.old.pop(SITE_WIDE, None)
        try:
            if entry is None or len(entry) != 8 or self.shared["offers"] != self.offers:
                return None
            if sorted(src[0] for src in entry[SOURCES]) != sorted(inputs) or not self._current(None, entry):
                return None
            if not all(self._intact(relpath, size, mtime) for relpath, _shared, size, mtime in entry[OUTPUTS]):
                return None
            for relpath, shared, _size, _mtime in entry[OUTPUTS]:
                writer.link(relpath, self.out / relpath, shared=shared)
            result = [Problem(**p) for p in entry[PROBLEMS]], {str(url): str(text) for url, text in entry[POLICY].items()}
            entry[TEMPLATES] = self.pooled(self.values[entry[TEMPLATES]])
        except (KeyError, TypeError, ValueError, AttributeError, IndexError):
            return None
        self.new[SITE_WIDE] = entry
        return result

    def record_site_wide(self, reads, problems: list[Problem], policies: dict[str, str], outputs: list,
                         inputs: list[str]) -> None:
        """What reuse_site_wide needs next time (nothing when a check read the clock)."""
        entry = self._entry(reads, inputs, problems, (), "", outputs, hashed=False)
        if entry is not None:
            entry[POLICY] = dict(policies)  # (a page's is an index into the pooled values; these are the site's own)
            self.new[SITE_WIDE] = entry

    def pooled(self, value) -> int:
        """The index of a value many pages share (a policy, a list of templates) in this build's table."""
        return self._pool.setdefault(value, len(self._pool))

    # -- this build ------------------------------------------------------------------------------------
    def record(self, ref, reads, problems: list[Problem], deferred: list, policy: str, outputs: list) -> None:
        """A rendered page: what it read and what it produced (its files are measured in `seal`)."""
        entry = self._entry(reads, _sources(ref.step), problems, deferred, policy, outputs)
        if entry is not None:
            self.new[_name(ref.key)] = entry

    def _entry(self, reads, sources: list[str], problems, deferred, policy, outputs, hashed: bool = True) -> list | None:
        """`hashed=False`: sources by size and time only (static files can be large; a time that moved then
        means a change, no content is read)."""
        if reads is None or reads.clock:
            return None  # not recorded (serve) or depends on the time: rendered on every build
        prints = [(path, self.files.print(path) if hashed else _stat_print(path)) for path in sources]
        if any(fp is None for _path, fp in prints) or any(self.files.print(path) is None for path in reads.files):
            return None
        entry = [None] * 8
        entry[SOURCES] = [(path, *fp) for path, fp in prints]
        entry[FILES] = tuple(sorted(reads.files))
        entry[OFFERS] = tuple(sorted(oid for oid in reads.offers if oid in self.offers))
        entry[TEMPLATES] = self.pooled(tuple(sorted(reads.templates)))
        entry[PROBLEMS] = [asdict(p) for p in problems] if problems else ()
        entry[DEFERRED] = [(path, frag, asdict(p)) for path, frag, p in deferred] if deferred else ()
        entry[POLICY] = self.pooled(policy)
        entry[OUTPUTS] = [[relpath, shared, 0, 0] for relpath, shared in outputs]
        return entry

    def whole(self, keys) -> bool:
        """Every page in `keys` and the site-wide pages have an entry (none read the clock): the next build can
        be answered without loading the site when nothing changes (funnelgen/unchanged.py)."""
        return SITE_WIDE in self.new and all(_name(key) in self.new for key in keys)

    def seal(self) -> None:
        """Measure every page's files in the committed output (a page whose file is gone is not saved)."""
        for name, entry in list(self.new.items()):
            try:
                for item in entry[OUTPUTS]:
                    st = os.stat(self.out / item[0])
                    item[2], item[3] = st.st_size, st.st_mtime_ns
            except OSError:
                del self.new[name]

    def save(self) -> None:
        """After the commit: the entries of this build (a read-only site folder keeps none). Written entry by
        entry, the checksum filled into the fixed-width header last: one string of the whole file cost 4 MB
        at 5,000 pages, more than the build needed at any other moment."""
        entries = self.new.values()
        shared = {"offers": self.offers,
                  "templates": {n: self._template(n) for names in self._pool if isinstance(names, tuple) for n in names},
                  "files": {p: self.files.print(p) for p in {p for e in entries for p in e[FILES]}}}
        dump = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
        head = dump({"key": self.key, "out": str(self.out), "shared": shared, "values": list(self._pool)})
        chunks = [head[:-1] + ',"pages":{']
        chunks += (("," if i else "") + dump(name) + ":" + dump(entry) for i, (name, entry) in enumerate(self.new.items()))
        digest = hashlib.sha256()
        tmp = self.file.with_name(f".{CACHE_FILE}.tmp")
        try:
            self.file.parent.mkdir(exist_ok=True)
            with open(tmp, "wb") as fh:
                fh.write(f"{HEADER} {FORMAT} {'0' * 64}\n".encode("ascii"))
                for chunk in itertools.chain(chunks, ["}}"]):
                    data = chunk.encode("utf-8")
                    digest.update(data)
                    fh.write(data)
                fh.seek(0)
                fh.write(f"{HEADER} {FORMAT} {digest.hexdigest()}\n".encode("ascii"))
            os.replace(tmp, self.file)
        except OSError:
            tmp.unlink(missing_ok=True)


def _stat_print(path: str) -> tuple | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns, ""


def _name(key: tuple[str, str]) -> str:
    return "\t".join(key)


def _sources(step) -> list[str]:
    """The Markdown files a page is made of: its own and its split-test variants' sibling pages."""
    paths = [str(step.source)] if step.source else []
    for v in step.split.variants if step.split else ():
        if v.source and str(v.source) not in paths:
            paths.append(str(v.source))
    return paths


def link_or_copy(source: Path, target: Path) -> None:
    """A hard link (no bytes copied or written); a copy that keeps the time where links are not allowed."""
    try:
        os.link(source, target)
    except FileExistsError:
        raise
    except OSError:
        shutil.copy2(source, target)
