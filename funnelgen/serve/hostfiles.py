"""The preview does what the host does with the output: `_redirects` (the `/` rewrite to the home step, the
site's redirects) and the page's Content-Security-Policy, so what works in preview works when deployed.

The policy is computed from the page being served, as the build computes it (a <meta> policy is removed and
sent as a header instead, so an edited page never runs under a stale policy), with two preview-only additions: the hash of the live-reload script the server injects, and inline styles for the
error overlay (style-src 'unsafe-inline'; scripts stay exactly as strict as deployed).
"""

from __future__ import annotations

import re
from pathlib import Path

from ..csp import HEADER, add_sources, sha256
from ..csp import policy as page_policy
from ..hosts.files import parse_redirects, redirect_for

_META = re.compile(r"\s*<meta\s+http-equiv=\"Content-Security-Policy\"\s+content=\"([^\"]*)\"\s*/?>", re.I)
_SCRIPT = re.compile(r"<script>(.*?)</script>", re.S)


def _read(root: Path, name: str) -> str:
    try:
        return (root / name).read_text(encoding="utf-8")
    except OSError:
        return ""


def host_redirect(root: Path, path: str) -> tuple[str, int] | None:
    """The output's `_redirects` rule for `path`: (target, status), or None."""
    text = _read(root, "_redirects")
    return redirect_for(parse_redirects(text), path) if text else None


def preview_policy(site, html: str, snippet: str) -> tuple[str, str, str]:
    """(page without its <meta> policy, header name, policy with the reload script allowed); no header when
    the site has csp: off."""
    meta = _META.search(html)
    if meta is not None:
        html = html[:meta.start()] + html[meta.end():]
    mode = site.settings.csp if site is not None else "off"
    if mode not in HEADER:
        return html, "", ""
    policy = page_policy(html, site.tracking)
    hashes = [sha256(body) for body in _SCRIPT.findall(snippet)]
    policy = add_sources(policy, "script-src", hashes)
    parts = [p for p in policy.split("; ") if not p.startswith(("style-src ", "style-src-attr "))]
    parts.append("style-src 'self' 'unsafe-inline'")
    return html, HEADER[mode], "; ".join(parts)
