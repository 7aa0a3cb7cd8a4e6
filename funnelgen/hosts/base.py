"""What a static host entry says (the `Host` record); the entries are the modules beside this one.

A `Host` says what the build must write for one static host to serve the site as intended: whether the
host reads `_headers` (per-path response headers: the Content-Security-Policy, Cache-Control) and
`_redirects` (301/302 redirects and 200 rewrites), which form providers can receive a submission there,
and any marker files it needs (`.nojekyll`).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Host:
    key: str  # the value of site.host in site.yml
    name: str  # for messages: "Netlify"
    headers: bool  # reads _headers: the CSP and Cache-Control go there; elsewhere the CSP is a <meta> tag
    redirects: bool  # reads _redirects: redirects and the `/` rewrite (200); elsewhere HTML pages stand in
    form_providers: tuple[str, ...]  # forms.*.provider values that receive submissions on this host
    files: dict[str, str] = field(default_factory=dict)  # extra files written into the output
    docs: tuple[str, ...] = ()  # the host's own documentation of what it reads
    max_header_rules: int | None = None  # how many `_headers` rules the host reads (None: no documented limit)

    @property
    def home_rewrite(self) -> bool:
        """`/` is a 200 rewrite to the home step (no index.html copy) where the host rewrites."""
        return self.redirects
