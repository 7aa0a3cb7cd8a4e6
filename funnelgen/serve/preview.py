"""Walk the whole funnel locally: the `/_fg/` routes and the serve-time rewrites of built pages.

Everything here happens at serve time only; the built pages (and the deploy output) never change.
`PreviewApp` routes and rewrites; the work is done by one module per concern:

- capture: Netlify and `provider: post` form posts, stored in `<SRC>/.funnelgen/submissions.jsonl`;
- checkout: the test checkout (`/_fg/checkout/<offer>`, a 最終確認画面) and `/_fg/pay/<offer>`;
- dashboard: `/_fg/`, the funnels (the shared funnel map), offers, forms and captured submissions.

Pages are rendered from funnelgen's own templates (`funnelgen/ui/templates/`, autoescaped).
"""

from __future__ import annotations

import json
import re
from html import unescape
from pathlib import Path
from urllib.parse import quote

from markupsafe import Markup

from .. import ui
from ..sitefolder import CACHE_DIR
from .capture import Store, capture_netlify, capture_post_form, local_path
from .checkout import checkout_page, pay
from .dashboard import dashboard_html
from .server import RESERVED, Request, Response

__all__ = ["PreviewApp", "local_path"]

_CHECKOUT_A = re.compile(r"<a\b[^>]*\sdata-fg-checkout\b[^>]*>", re.I)
_BUMP = re.compile(r"<input\b[^>]*\sdata-fg-bump\b[^>]*>", re.I)  # the order bump's bundle link (data-fg-href)
_BUMP_HREF = re.compile(r'(?<=\s)data-fg-href="[^"]*"')
_FORM = re.compile(r"<form\b[^>]*\sdata-fg-form=\"([^\"]*)\"[^>]*>", re.I)
_OFFER_ATTR = re.compile(r'\sdata-fg-offer="([^"]*)"')
_HREF = re.compile(r'(?<=\s)href="[^"]*"')
_ACTION = re.compile(r'(?<=\s)action="[^"]*"')


def _attr(name: str, value: str) -> str:
    """One attribute for a regex rewrite of a built tag (Markup.format escapes the value)."""
    return str(Markup('{}="{}"').format(Markup(name), value))


class PreviewApp:
    def __init__(self, builder, src: Path):
        self.builder = builder
        self.store = Store(Path(src) / CACHE_DIR)
        self.decorate = lambda html: html  # set by the session: injects the reload client
        self.status = lambda: {}  # set by the session: last build state

    @property
    def site(self):
        return self.builder.site

    @property
    def renderer(self):
        prep = self.builder.prep
        return getattr(prep, "renderer", None)

    @property
    def cache(self) -> Path:
        """Where captured posts and test orders go (SRC/.funnelgen unless the session moves it)."""
        return self.store.cache

    @cache.setter
    def cache(self, folder: Path) -> None:
        self.store.cache = Path(folder)

    # -- serve-time rewrites ------------------------------------------------------------
    def rewrite_html(self, html: str, path: str) -> str:
        """Checkout buttons go to the test checkout; `provider: post` forms post to the local capture."""
        site = self.site
        if site is None:
            return html

        def to_checkout(m: re.Match, attr: re.Pattern = _HREF, name: str = "href") -> str:
            tag = m.group(0)
            offer = _OFFER_ATTR.search(tag)
            if not offer:
                return tag
            href = f"{RESERVED}checkout/{quote(unescape(offer.group(1)), safe='')}?from={quote(path, safe='/')}"
            return attr.sub(_attr(name, href), tag, count=1)

        html = _BUMP.sub(lambda m: to_checkout(m, _BUMP_HREF, "data-fg-href"), html)

        def to_capture(m: re.Match) -> str:
            spec = site.forms.get(unescape(m.group(1)))
            if spec is None or spec.provider != "post":
                return m.group(0)
            return _ACTION.sub(_attr("action", f"{RESERVED}form/{quote(spec.id, safe='')}"), m.group(0), count=1)

        return _FORM.sub(to_capture, _CHECKOUT_A.sub(to_checkout, html))

    # -- routes -------------------------------------------------------------------------------
    def handle(self, req: Request) -> Response | None:
        """`/_fg/...` routes (except the event stream, which the server owns)."""
        rest = req.path[len(RESERVED):]
        head, _, arg = rest.partition("/")
        site = self.site
        if site is None and rest != "status":
            return Response.html(self.decorate(ui.render("not_built.html")), 503)
        if rest == "" and req.method in ("GET", "HEAD"):
            return Response.html(self.decorate(dashboard_html(site, self.renderer, self.store, self.status())))
        if rest == "status" and req.method in ("GET", "HEAD"):
            body = json.dumps(self.status(), ensure_ascii=False).encode("utf-8")
            return Response(200, body, "application/json")
        if head == "checkout" and arg and req.method in ("GET", "HEAD"):
            return checkout_page(site, self.renderer, arg, local_path(req.arg("from")), self.decorate)
        if head == "pay" and arg:
            if req.method != "POST":
                return Response(405, b"use the pay button\n", "text/plain; charset=utf-8", {"Allow": "POST"})
            return pay(site, self.store, arg, req)
        if head == "form" and arg:
            if req.method != "POST":
                return Response(405, b"forms are posted\n", "text/plain; charset=utf-8", {"Allow": "POST"})
            return capture_post_form(site, self.store, arg, req)
        return None

    def handle_post(self, req: Request) -> Response | None:
        """A POST to a page path: captured when it is a Netlify form's action."""
        site = self.site
        if site is None:
            return None
        return capture_netlify(site, self.store, req)
