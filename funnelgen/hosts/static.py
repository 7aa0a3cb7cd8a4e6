"""Any other static host (a bucket, a web server, a CDN): plain files only. The CSP is a <meta> tag,
redirects are HTML pages, `/` is a copy of the home step with a canonical link to the step's URL."""

from __future__ import annotations

from .base import Host

STATIC = Host(key="static", name="a static host", headers=False, redirects=False, form_providers=("post",))
