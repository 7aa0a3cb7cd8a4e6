"""Netlify: `_headers`, `_redirects` (with 200 rewrites) and Netlify Forms.

Headers: https://docs.netlify.com/routing/headers/ . Redirects and rewrites:
https://docs.netlify.com/routing/redirects/ (a rule is shadowed by an existing file unless forced, so the
build writes no index.html where `/` is rewritten). Forms: https://docs.netlify.com/forms/setup/ (a form's
`name` must be unique per site; the hidden `form-name` input repeats it).
"""

from __future__ import annotations

from .base import Host

NETLIFY = Host(
    key="netlify", name="Netlify", headers=True, redirects=True, form_providers=("netlify", "post"),
    docs=("https://docs.netlify.com/routing/headers/", "https://docs.netlify.com/routing/redirects/",
          "https://docs.netlify.com/forms/setup/"),
)


def form_name(form_id: str, step_id: str) -> str:
    """The site-unique name of the form `form_id` as placed on step `step_id` (Netlify groups submissions by
    it). Step ids are unique, so one form on several steps gets one name per step; validate refuses the rare
    pair of (form, step) ids whose joined names collide."""
    return f"{form_id}-{step_id}"
