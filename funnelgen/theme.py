"""Find the theme and build the jinja2 environment (site templates/ override the theme)."""

from __future__ import annotations

import functools
import os
from pathlib import Path

from .errors import BuildError, Problem, rel


def builtin_themes_dir() -> Path:
    """Themes ship inside the wheel as funnelgen/themes; in a checkout they sit at ../themes."""
    packaged = Path(__file__).parent / "themes"
    return packaged if packaged.is_dir() else Path(__file__).parent.parent / "themes"


def theme_dir(site) -> Path:
    name = site.settings.theme
    candidates = [site.src / name, builtin_themes_dir() / name]
    for path in candidates:
        if (path / "templates").is_dir():
            return path
    available = sorted(p.name for p in builtin_themes_dir().iterdir() if p.is_dir()) if builtin_themes_dir().is_dir() else []
    raise BuildError([Problem(rel(site.config_file), f"theme '{name}' not found", key="site.theme",
                              line=site.settings.lines.get("theme"),
                              hint=f"Use a built-in theme ({', '.join(available)}) or a folder with templates/ "
                                   "inside the site folder.")])


def template_folders(site, theme: Path) -> list[Path]:
    """Where a template name is looked up, in order: the site's templates/ override the theme's."""
    return [site.src / "templates", theme / "templates"]


def make_env(site, theme: Path):
    """Autoescaping environment: site templates/ first, then the theme's."""
    import jinja2

    from .pages import site_tree

    search = template_folders(site, theme)
    inside = [site.src / "templates"] + ([theme] if theme.is_relative_to(site.src) else [])  # a theme of the site's own
    problems = [p for folder in inside for p in site_tree(folder, site.src)[1]]
    if problems:  # a template linked from outside the site folder could read (and publish) anything
        raise BuildError(problems)
    env = _recording_environment()(
        loader=jinja2.FileSystemLoader([str(p) for p in search if p.is_dir()]),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        bytecode_cache=_bytecode_cache(site.src),
    )
    from .typeset import phrase_html

    env.filters["phrases"] = phrase_html  # Japanese short texts break only between phrases (funnelgen/typeset.py)
    return env


def _bytecode_cache(src: Path):
    """Compiled templates kept between runs (compiling the theme cost more than rendering a small site) in the
    user's cache folder, never in the site folder: jinja2 loads them with marshal, so a compiled template that
    came with a cloned site would run its author's code
    (https://jinja.palletsprojects.com/en/stable/api/#bytecode-cache). The folder is the user's own (0700,
    checked like jinja2's default), per funnelgen version and these options; jinja2 keys each template by its
    file's path and recompiles it when the source changed. No usable folder: no cache. (`src` is unused: the
    key already names each template's file.)"""
    import jinja2

    from . import __version__

    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    folder = base / "funnelgen" / "jinja" / f"{__version__}-{jinja2.__version__}-trim-lstrip-strict"
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        st = folder.stat()
    except (OSError, RuntimeError):  # (RuntimeError: no home folder)
        return None
    if not hasattr(os, "getuid"):  # Windows: the profile folder is private already
        return jinja2.FileSystemBytecodeCache(str(folder))
    if st.st_uid != os.getuid() or st.st_mode & 0o077 or not os.access(folder, os.W_OK):
        return None  # someone else's, or others can write into it
    return jinja2.FileSystemBytecodeCache(str(folder))


@functools.cache
def _recording_environment():
    """jinja2's Environment, noting every template a page asks for (extends and includes run at render time):
    the build cache re-renders exactly the pages that used an edited template (funnelgen/recording.py)."""
    import jinja2

    from .recording import note_template

    class RecordingEnvironment(jinja2.Environment):
        # Names are noted before the lookup, and every name tried: an `include ... ignore missing` or a kind's
        # own template that is absent now changes the page when it appears.
        def get_template(self, name, *args, **kw):
            if isinstance(name, str):
                note_template(name)
            return super().get_template(name, *args, **kw)

        def select_template(self, names, *args, **kw):
            template = None
            try:
                template = super().select_template(names, *args, **kw)
                return template
            finally:  # (also when none is found or one does not compile)
                for name in names:
                    if isinstance(name, str):
                        note_template(name)
                        if template is not None and name == template.name:
                            break

    return RecordingEnvironment


def template_problem(exc) -> Problem:
    """Point at the template file and line behind a jinja2 error (site override or theme)."""
    import traceback

    from jinja2 import TemplateSyntaxError

    file, line = getattr(exc, "filename", None), getattr(exc, "lineno", None)
    if not isinstance(exc, TemplateSyntaxError):
        # jinja2 rewrites tracebacks so template frames carry the template's file and line.
        for frame in reversed(traceback.extract_tb(exc.__traceback__)):
            if frame.filename.endswith((".html", ".xml", ".txt")):
                file, line = frame.filename, frame.lineno
                break
    return Problem(rel(file) if file else "templates", f"template error: {exc}", line=line,
                   hint="Fix the template; a site's templates/ folder overrides the theme's file of the same name.")
