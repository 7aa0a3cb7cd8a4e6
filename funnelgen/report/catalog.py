"""What the report knows about the site: funnels and steps in site.yml order, titles, page paths and each
step's goal. Loaded the one way every command loads a site (build.load_site); without a site.yml the
report still runs on the ids the exports carry (docs/report.md#without-a-site)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit


@dataclass
class StepInfo:
    id: str
    title: str = ""
    kind: str = ""
    goal: str | None = None  # "purchase" (a checkout link), "form" (a form post), None (neither)
    funnels: list[str] = field(default_factory=list)
    url: str = ""
    ended: dict | None = None  # a split test ended in site.yml: {"winner": "b", "since": "2026-11-20"}


@dataclass
class Catalog:
    title: str = ""
    language: str = "en"
    funnels: dict[str, tuple[str, list[str]]] = field(default_factory=dict)  # id -> (title, step ids)
    steps: dict[str, StepInfo] = field(default_factory=dict)
    home: str | None = None  # the step also served at "/"
    prefix: str = "/"
    from_site: bool = False

    def knows(self, step: str) -> bool:
        return not self.from_site or step in self.steps

    def step_for_path(self, path: str) -> str | None:
        """The step a GA4 page path belongs to ('/optin/', '/optin', '/optin/index.html', full URLs)."""
        path = urlsplit(path.strip()).path or "/"
        path = path.removesuffix("index.html")
        if not path.endswith("/"):
            path += "/"
        if self.from_site:
            if path == self.prefix:
                return self.home
            return next((s.id for s in self.steps.values() if s.url == path), None)
        parts = [p for p in path.split("/") if p]
        return parts[-1] if parts else None

    def parse_reference(self, ref: str) -> tuple[str, str, str] | None:
        """(funnel, step, variant) from a checkout reference 'funnel-step-variant' (funnelgen/runtime/funnel.js
        joins them with '-'); ids that hold '-' themselves are resolved against site.yml."""
        ref = ref.strip()
        if self.from_site:
            best = None
            for fid in self.funnels:  # a visitor keeps the funnel they entered by on shared steps too
                for sid in self.steps:
                    head = f"{fid}-{sid}-"
                    if ref.startswith(head) and len(ref) > len(head) and (best is None or len(head) > best[0]):
                        best = (len(head), fid, sid, ref[len(head):])
            return best[1:] if best else None
        parts = ref.split("-")
        if len(parts) < 3 or not all(parts):
            return None
        return parts[0], "-".join(parts[1:-1]), parts[-1]

    def funnel_of(self, step: str) -> str | None:
        info = self.steps.get(step)
        return info.funnels[0] if info and info.funnels else None


def load_catalog(src: Path | None) -> Catalog:
    """The site's catalog, or an empty one when `src` holds no site.yml (BuildError when it holds a broken one)."""
    from ..build import load_site
    from ..config import CONFIG_NAMES
    from ..errors import BuildError, Problem, rel

    if src is not None and not Path(src).is_dir():
        raise BuildError([Problem(rel(src), "no such folder", key="SRC",
                                  hint="Give the site folder (the one holding site.yml), or leave it out.")])
    if src is None or not any((Path(src) / name).is_file() for name in CONFIG_NAMES):
        return Catalog()
    site, _warnings = load_site(src)
    cat = Catalog(title=site.settings.title, language=site.language, prefix=site.prefix, from_site=True)
    home = site.home_step
    cat.home = home.id if home else None
    for fid, funnel in site.funnels.items():
        cat.funnels[fid] = (funnel.title or fid, list(funnel.step_ids))
    for sid, step in site.steps.items():
        goal = "purchase" if step.sells_by_checkout else "form" if step.form_id else None
        title = str(step.meta.get("title") or step.meta.get("headline") or sid)
        split = step.split
        ended = {"winner": split.winner, "since": str(split.winner_since)} if split and split.winner else None
        cat.steps[sid] = StepInfo(sid, title, step.kind, goal, list(step.funnels), step.url, ended)
    return cat
