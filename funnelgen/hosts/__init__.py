"""Static hosts: the registry. Each module here is one host's entry (a `Host`, see base.py).

Adding a host is one module in this package, listed in `HOSTS` below, plus its section in docs/deploy.md
and its tests. What the build writes from it lives in funnelgen/deploy.py.
"""

from __future__ import annotations

from .base import Host
from .cloudflare import CLOUDFLARE_PAGES
from .github import GITHUB_PAGES
from .netlify import NETLIFY, form_name
from .static import STATIC

HOSTS: tuple[Host, ...] = (NETLIFY, CLOUDFLARE_PAGES, GITHUB_PAGES, STATIC)
BY_KEY: dict[str, Host] = {h.key: h for h in HOSTS}
DEFAULT = NETLIFY.key

__all__ = ["HOSTS", "BY_KEY", "DEFAULT", "Host", "form_name", "host"]


def host(key: str | None) -> Host:
    """The entry for site.host (Netlify when unset, which was the only target before hosts were chosen)."""
    return BY_KEY[key or DEFAULT]
