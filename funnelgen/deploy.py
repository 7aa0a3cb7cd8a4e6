"""What the chosen host reads besides the pages (funnelgen/hosts/): `_headers` with each page's
Content-Security-Policy and Cache-Control, `_redirects` with the `/` rewrite and the site's redirects, marker
files (`.nojekyll`), and where the host has no headers or redirects: the policy as a <meta> tag, redirect pages
and a copy of the home step at `/`.

`Deploy.page` runs in the build's workers on every rendered page; `Deploy.finish` writes the host's files
once every page is known.
"""

from __future__ import annotations

from html import escape
from itertools import chain

from .csp import HEADER, insert_meta, policy
from .hosts import host
from .i18n import LABELS
from .redirects import source_path, target_url

SHARED_HEADERS = {  # on every path: never a header a per-path rule sets too (Cloudflare joins repeats with commas)
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}
HTML_CACHE = "public, max-age=0, must-revalidate"  # always revalidate: a corrected price shows on the next visit
IMMUTABLE = "public, max-age=31536000, immutable"  # the name changes with the content (funnel.<hash>.js)
EXTRA_PAGES = 4  # besides the steps: `/`, legal, privacy, 404


class Deploy:
    def __init__(self, site):
        self.site = site
        self.host = host(site.settings.host)
        self.mode = site.settings.csp
        limit = self.host.max_header_rules
        rules = len(site.steps) + EXTRA_PAGES + 2  # + `/*` and the runtime script
        # Cloudflare Pages reads at most 100 header rules: past that every page carries its policy in <meta>
        self.headers = self.host.headers and (limit is None or rules <= limit)
        self.home_copy = not self.host.home_rewrite
        # the site's own static/_headers, static/_redirects: appended to ours (finish), not copied over them
        self.merged = {name for name, on in (("_headers", self.host.headers), ("_redirects", self.host.redirects))
                       if on}

    def page(self, html: str, meta: bool = False) -> tuple[str, str]:
        """The page as written, and its policy for its `_headers` rule ("" when it has none or it went into the
        page). `meta=True`: always in the page (404.html answers any path, which no per-path rule covers)."""
        if self.mode == "off":
            return html, ""
        text = policy(html, self.site.tracking)
        if meta or not self.headers:  # a <meta> policy cannot report only: report-only needs a host's headers
            return (insert_meta(html, text) if self.mode == "enforce" else html), ""
        return html, text

    def planned(self) -> set[str]:
        """Files `finish` and the workers write besides the pages (for the checks' manifest)."""
        files = {"index.html"} if self.home_copy else set()
        files |= set(self.host.files)
        if self.host.headers:
            files.add("_headers")
        if self.host.redirects:
            files.add("_redirects")
        else:
            files |= {self._page_file(r) for r in self.site.redirects}
        return files

    def _page_file(self, r) -> str:
        """/old/ and /old -> old/index.html (hosts serve /old/ for it); /old.html -> old.html."""
        path = source_path(self.site, r)[len(self.site.prefix):]
        if "." in path.rsplit("/", 1)[-1]:
            return path
        return (path.rstrip("/") + "/index.html").lstrip("/")

    def finish(self, writer, policies: dict[str, str], runtime_name: str) -> None:
        site = self.site
        for name, text in self.host.files.items():
            writer.write(name, text)
        if self.host.headers:
            own = _own(site, "_headers")
            per_page = policies if self.headers else {}  # past the host's rule limit: the shared rules only
            writer.write("_headers", chain(headers_file(site.prefix, per_page, self.mode, runtime_name), [own]))
        if self.host.redirects:
            writer.write("_redirects", self.redirects_file() + _own(site, "_redirects"))
        else:
            for r in site.redirects:
                writer.write(self._page_file(r), redirect_page(site, target_url(site, r)))

    def redirects_file(self) -> str:
        """`/` rewritten (200) to the home step, then the site's redirects, one `from to status` a line."""
        site, lines = self.site, ["# Written by funnelgen build (site.yml redirects:); first match wins."]
        home = site.home_step
        if home is not None and home.url != site.prefix:
            lines.append(f"{site.prefix}  {home.url}  200")
        for r in site.redirects:
            source = source_path(site, r)
            target = target_url(site, r)
            lines.append(f"{source}  {target}  {r.status}")
            if source.endswith("/") and source != site.prefix:  # /seminar answers too, not only /seminar/
                lines.append(f"{source.rstrip('/')}  {target}  {r.status}")
        return "\n".join(lines) + "\n"


def _own(site, name: str) -> str:
    """A site's own static/_headers or static/_redirects, appended after funnelgen's rules."""
    path = site.src / "static" / name
    if not path.is_file():
        return ""
    return f"\n# From static/{name}:\n" + path.read_text(encoding="utf-8")


def headers_file(prefix: str, policies: dict[str, str], mode: str, runtime_name: str):
    """`_headers` (https://docs.netlify.com/routing/headers/,
    https://developers.cloudflare.com/pages/configuration/headers/): a path line, then indented `Name: value`.
    Yielded block by block: at 5,000 pages the file is 2.5 MB, and joining it took four copies at once."""
    yield "# Written by funnelgen build: shared headers, immutable hashed assets, each page's policy.\n"
    yield f"{prefix}*\n" + "".join(f"  {k}: {v}\n" for k, v in SHARED_HEADERS.items())
    yield f"\n{prefix}assets/{runtime_name}\n  Cache-Control: {IMMUTABLE}\n"
    yield f"\n{prefix}assets/img/*\n  Cache-Control: {IMMUTABLE}\n"  # content-hashed names (media/)
    for path, text in sorted(policies.items()):
        block = f"\n{path}\n  Cache-Control: {HTML_CACHE}\n"
        if text and mode in HEADER:
            block += f"  {HEADER[mode]}: {text}\n"
        yield block


def redirect_page(site, target: str) -> str:
    """Where the host has no redirects: an HTML page that sends visitors on (meta refresh), tells search engines
    the real address (canonical) and is kept out of the index (noindex). No script, so no policy to relax."""
    from .urls import absolute

    url = absolute(site.settings.base_url, target) if target.startswith("/") else target
    lang = site.language
    text = LABELS[lang]["moved"]
    policy_text = "default-src 'none'; base-uri 'none'; form-action 'none'"
    return (f'<!doctype html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
            f'<meta http-equiv="Content-Security-Policy" content="{policy_text}">\n'
            f'<meta http-equiv="refresh" content="0; url={escape(target)}">\n'
            f'<link rel="canonical" href="{escape(url)}">\n<meta name="robots" content="noindex">\n'
            f"<title>{escape(site.settings.title)}</title>\n</head>\n"
            f'<body><p>{text}<a href="{escape(target)}">{escape(url)}</a></p></body>\n</html>\n')
