"""Redirects and short links declared under `redirects:` in site.yml: what each one means, and why one is
refused (an unknown step, an unsafe scheme, a duplicate source, a loop, a source that is a page).

How a host carries them out (a `_redirects` line, or an HTML page with a meta refresh) is funnelgen/deploy.py's.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from .errors import Problem, did_you_mean, rel
from .urls import unsafe_url_reason

STATUSES = (301, 302)
_ID = re.compile(r"[a-z0-9][a-z0-9_-]*")
_OWN_PAGES = ("legal/", "privacy/", "sitemap.xml", "robots.txt", "404.html", "assets/")


@dataclass
class Redirect:
    source: str  # as written: /seminar/
    to: str  # as written: a step id, /path/ or https://…
    status: int
    line: int | None
    index: int

    @property
    def key(self) -> str:
        return f"redirects[{self.index}]"


def read_redirects(items) -> list[Redirect]:
    """Records from the validated `redirects:` list (each item keeps its YAML line)."""
    return [Redirect(d["from"], d["to"], int(d["status"]), getattr(d, "line", None), i)
            for i, d in enumerate(items or [])]


def source_path(site, r: Redirect) -> str:
    """The URL path a redirect answers, under the site's base path (GitHub Pages project sites)."""
    return site.prefix + r.source.lstrip("/")


def target_url(site, r: Redirect) -> str:
    """Where it sends visitors: a step's URL, a path under the base path, or the https:// URL as written."""
    if r.to in site.steps:
        return site.steps[r.to].url
    if r.to.startswith("/") and not r.to.startswith("//"):
        return site.prefix + r.to.lstrip("/")
    return r.to


def _normal(path: str) -> str:
    return path if path.endswith("/") or "." in path.rsplit("/", 1)[-1] else path + "/"


def problems(site) -> Iterator[Problem]:
    cfg = rel(site.config_file)
    redirects = getattr(site, "redirects", [])
    pages = {s.url for s in site.steps.values()} | {site.prefix}
    first: dict[str, Redirect] = {}
    edges: dict[str, str] = {}
    for r in redirects:
        def bad(message: str, hint: str, key: str = "", r=r) -> Problem:
            return Problem(cfg, message, key=f"{r.key}.{key}" if key else r.key, line=r.line, hint=hint)

        if r.status not in STATUSES:
            yield bad(f"status {r.status} is not a redirect funnelgen writes", "Use 301 (moved for good) or 302 "
                      "(temporary, e.g. a campaign short link).", "status")
        segments = r.source.split("/")[1:]
        if any(part in (".", "..") for part in segments) or "//" in r.source:
            yield bad(f"'{r.source}' is not a plain path ('.', '..' or '//' in it)", "Write the path as visitors "
                      "type it, e.g. /seminar/.", "from")
            continue
        to_ok = True
        if re.search(r"[\s\x00-\x1f\x7f]", r.to):  # one `from to status` line per rule: no spaces inside
            to_ok = False
            yield bad(f"'{r.to}' contains spaces or control characters", "Write the address without spaces "
                      "(%20 for a space in a URL).", "to")
        elif r.to not in site.steps and not r.to.startswith("/"):
            if _ID.fullmatch(r.to):
                to_ok = False
                yield bad(f"unknown step '{r.to}'.{did_you_mean(r.to, site.steps)}",
                          "Name a step id, a path on the site such as /gift/, or a full https:// address.", "to")
            elif reason := unsafe_url_reason(r.to, allow_relative=False) or (
                    "" if r.to.lower().startswith("https://") else "is not https://"):
                to_ok = False
                yield bad(f"'{r.to}' {reason}", "Send visitors to a step id, a path such as /gift/, or an https:// "
                          "address.", "to")
        elif r.to.startswith("//"):
            to_ok = False
            yield bad(f"'{r.to}' is protocol-relative", "Write the full https:// address.", "to")
        source = _normal(source_path(site, r))
        if source in first:
            yield bad(f"'{r.source}' is redirected twice (first at line {first[source].line})",
                      "Keep one entry per source path.", "from")
            continue
        first[source] = r
        if source in pages or any(source.startswith(site.prefix + own) for own in _OWN_PAGES):
            yield bad(f"'{r.source}' is a page of the site; a redirect there would hide it (or be ignored by the "
                      "host, which serves the file first)", "Redirect from a path no page uses, or change the "
                      "step's slug.", "from")
            continue
        if to_ok:
            target = target_url(site, r)
            if target.startswith("/"):
                edges[source] = _normal(target.split("?")[0].split("#")[0])
    for start, r in first.items():
        chain, at = [start], edges.get(start)
        while at is not None and at not in chain:
            chain.append(at)
            at = edges.get(at)
        if at is not None and at == start:
            yield Problem(cfg, "redirect loop: " + " → ".join(chain + [start]), key=f"{r.key}.to", line=r.line,
                          hint="Point one of these redirects at a page instead of at another redirect.")
