"""What the templates get from the media pipeline: the logo, icons and default share card (once per site),
the hero visual and share card of a page, the images inside Markdown, and the data of the media blocks.

Markup is built here, in Python, so templates only place it; every file a page uses is collected in
`files` and written by the build next to the page. Problems are collected with their line and turned into
`Problem`s naming the file once the page is done (`finish`).
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urljoin

from markupsafe import Markup

from ..errors import BuildError, Problem, rel
from ..urls import absolute
from .icons import CARD, share_card, site_icons
from .images import ImageInfo, ImageProblem, ImageStore
from .markup import picture

HERO_SIZES = "(min-width: 64rem) 36rem, (min-width: 42rem) 40rem, 100vw"
LOGO_HEIGHT = 40  # px, as drawn in the header (style.css .logo)


def front_line(path: Path | None, key: str) -> int | None:
    """The line of `key:` in a page's front matter (looked up only when reporting a problem)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines() if path else []
    except (OSError, UnicodeDecodeError):
        return None
    for number, line in enumerate(lines[1:60], start=2):
        if re.match(rf"{re.escape(key)}\s*:", line):
            return number
    return None


class Media:
    def __init__(self, site):
        self.site, self.prefix = site, site.prefix
        self.store = ImageStore(site.src, site.prefix)
        self.files: dict[str, object] = {}  # relpath -> cached Path or bytes, for the page being rendered
        self.found: list[tuple[int | None, ImageProblem]] = []
        self.site_files: dict[str, object] = {}
        self.common: dict = {"logo_image": None, "icon_links": [], "share": None}
        self.warnings: list[Problem] = []
        self.used = False  # the page has a media block: its template inlines partials/media.css
        self._site_assets()

    # -- once per site -------------------------------------------------------
    def _site_assets(self) -> None:
        s, cfg = self.site.settings, rel(self.site.config_file)
        problems = []

        def attempt(key, work):
            try:
                work(getattr(s, key))
            except ImageProblem as exc:
                problem = Problem(cfg, exc.message, key=f"site.{key}", line=s.lines.get(key), hint=exc.hint,
                                  severity=exc.severity)
                (problems if exc.severity == "error" else self.warnings).append(problem)

        def logo(ref):
            info = self.store.get(ref)
            self.warnings += [Problem(cfg, w.message, key="site.logo", line=s.lines.get("logo"), hint=w.hint,
                                      severity="warning") for w in info.warnings]
            shown = round(LOGO_HEIGHT * info.width / info.height)
            self.site_files.update(info.files)
            self.common["logo_image"] = Markup(picture(info, s.title, self.prefix, sizes=f"{shown}px",
                                                       loading="eager", cls="logo", height=LOGO_HEIGHT))

        def favicon(ref):
            files, links = site_icons(self.store, ref, s.title, s.accent_color, self.prefix)
            self.site_files.update(files)
            self.common["icon_links"] = links

        def share(ref):
            self.common["share"] = self._card(ref, s.title, self.site_files)

        for key, work in (("logo", logo), ("favicon", favicon), ("share_image", share)):
            if getattr(s, key, None):
                attempt(key, work)
        if problems:
            raise BuildError(problems)

    def _card(self, ref: str, alt: str, files: dict) -> dict:
        relpath, cached = share_card(self.store, ref)
        files[relpath] = cached
        return {"image": absolute(self.site.settings.base_url, self.prefix + relpath), "width": CARD[0],
                "height": CARD[1], "alt": alt}

    # -- per page --------------------------------------------------------------
    def begin(self) -> None:
        self.files, self.found, self.used = {}, [], False

    def finish(self, file: str) -> tuple[dict, list[Problem]]:
        """The files the page uses and its problems (errors and warnings), naming `file`."""
        problems = [Problem(file, exc.message, line=line, hint=exc.hint, severity=exc.severity)
                    for line, exc in self.found]
        return self.files, problems

    def image(self, ref: str, line: int | None) -> ImageInfo | None:
        try:
            info = self.store.get(ref)
        except ImageProblem as exc:
            self.found.append((line, exc))
            return None
        self.found += [(line, w) for w in info.warnings]
        self.files.update(info.files)
        return info

    def html(self, ref: str, alt: str, line: int | None, **kw) -> Markup | None:
        info = self.image(ref, line)
        return Markup(picture(info, alt, self.prefix, **kw)) if info else None

    def page(self, step) -> dict:
        """hero_image / hero_video markup and the share card of one step."""
        meta = step.meta
        ctx = {"hero_image": None, "hero_video": None, "share": self.common["share"], "media_css": self.used}
        alt = meta.get("image_alt") or ""
        if meta.get("image"):
            line = front_line(step.source, "image")
            ctx["hero_image"] = self.html(meta["image"], alt, line, sizes=HERO_SIZES, priority=True, cls="hero-img")
            if ctx["hero_image"] is not None:
                try:
                    ctx["share"] = self._card(meta["image"], alt or meta.get("title") or "", self.files)
                except ImageProblem as exc:
                    self.found.append((line, ImageProblem(exc.message, exc.hint, "warning")))
        if meta.get("og_image"):  # set by hand: used as given, made absolute
            ctx["share"] = {"image": absolute(self.site.settings.base_url, meta["og_image"]), "alt": alt}
        if meta.get("video"):
            from .blocks import video_view

            title = meta.get("headline") or meta.get("title") or ""
            ctx["hero_video"] = video_view(self, meta["video"], meta.get("image"), title,
                                           front_line(step.source, "video"), priority=True)
            ctx["media_css"] = True
        return ctx

    def markdown_image(self, step):
        """The hook markdown.render_markdown calls for every image: processed <picture>, or None to leave an
        image from another site as written."""
        def render(src: str, alt: str, attrs: dict, line: int | None) -> str | None:
            if not src or src.startswith("#") or re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:|^//", src):
                return None
            path = urljoin(step.url or self.prefix, src)
            extra = {k: attrs[k] for k in ("id", "class", "title") if attrs.get(k)}
            sizes = {k: int(attrs[k]) for k in ("width", "height") if str(attrs.get(k, "")).isdigit()}
            html = self.html(path, alt, line, loading=attrs.get("loading") or "lazy", attrs=extra, **sizes)
            return str(html) if html is not None else None
        return render
