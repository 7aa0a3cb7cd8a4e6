"""GitHub Pages: plain files, no custom headers, no redirects, no forms; project pages live under a sub-path
(https://<user>.github.io/<repo>/), which `site.base_url` carries.

`.nojekyll` turns Jekyll off so files and folders starting with `_` or `.` are published as they are
(https://docs.github.com/en/pages/getting-started-with-github-pages/about-github-pages#static-site-generators).
Headers cannot be set (https://docs.github.com/en/pages/getting-started-with-github-pages/about-github-pages),
so the Content-Security-Policy is a <meta> tag.
"""

from __future__ import annotations

from .base import Host

GITHUB_PAGES = Host(
    key="github-pages", name="GitHub Pages", headers=False, redirects=False, form_providers=("post",),
    files={".nojekyll": ""},
    docs=("https://docs.github.com/en/pages/getting-started-with-github-pages/about-github-pages",),
)
