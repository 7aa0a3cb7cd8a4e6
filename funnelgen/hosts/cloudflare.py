"""Cloudflare Pages: `_headers` and `_redirects` in the output folder, no built-in forms.

Headers: https://developers.cloudflare.com/pages/configuration/headers/ . Redirects (301/302, and 200
"proxying" to a relative path, which is the `/` rewrite): https://developers.cloudflare.com/pages/configuration/redirects/ .
"""

from __future__ import annotations

from .base import Host

CLOUDFLARE_PAGES = Host(
    key="cloudflare-pages", name="Cloudflare Pages", headers=True, redirects=True, form_providers=("post",),
    max_header_rules=100,  # "100 header rules" and 2,000 characters a line (the headers page above)
    docs=("https://developers.cloudflare.com/pages/configuration/headers/",
          "https://developers.cloudflare.com/pages/configuration/redirects/"),
)
