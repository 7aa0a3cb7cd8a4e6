"""Placeholders left from `funnelgen new`: the values a starter cannot know (the seller's legal data, payment
links, the site's address, dates) are marked, and a site may not go live while a mark is left.

One marker per language, in text: 「【要記入】」 (ja) and "[FILL IN]" (en); both are recognised on any site.
Values with a format of their own cannot carry it, so they get a form that is clearly fake: a URL or email
address whose host ends in `.invalid` (a name reserved never to resolve, RFC 2606 section 2:
https://www.rfc-editor.org/rfc/rfc2606#section-2), a payment link containing `FILLIN`, and a phone number
of zeros (000-0000-0000, 000-000-0000). `funnelgen check` reports each one as an error; the build and the preview only warn, so
a new site can be looked at at once.
"""

from __future__ import annotations

import re

from ..errors import BuildError, rel
from .registry import rule

MARKERS = {"ja": "【要記入】", "en": "[FILL IN]"}
# The fake values: a URL/email on a .invalid host, a FILLIN payment link, a phone of zeros (000-0000-0000,
# 000-000-0000). Each has a plain substring that must be there first, so a site without placeholders costs
# one substring test per file.
FAKES = ((".invalid", re.compile(r"(?://|@)[A-Za-z0-9.-]*\.invalid\b")),
         ("FILLIN", re.compile(r"https?://\S*FILLIN")),
         ("000-000", re.compile(r"(?<![\d-])000-0{3,4}-0000(?![\d-])")))
NEEDLES = tuple(MARKERS.values()) + tuple(needle for needle, _ in FAKES)
BYTE_NEEDLES = tuple(needle.encode("utf-8") for needle in NEEDLES)  # a byte search skips decoding clean pages

HINTS = {
    "site.base_url": "Write the address the site will live at (e.g. https://your-shop.netlify.app/); "
                     "`funnelgen build --base-url` overrides it for previews.",
    "legal": "Write your real 特定商取引法 data (legal name, full address with 番地, a phone and an email you answer); "
             "replace the whole value, the marker included.",
    "checkout": "Paste the offer's payment link (Stripe: Payment Links → Copy link), then set its after-payment "
                "redirect to the URL `funnelgen build` prints.",
}
DEFAULT_HINT = "Replace the whole marked value with your own, the marker included."
PAGE_HINT = "Rewrite the marked text in your own words and delete the marker; see the starter's README.md."


def found_in(text: str) -> str | None:
    """The placeholder in `text` (the marker or the fake value), or None."""
    for marker in MARKERS.values():
        if marker in text:
            return marker
    for needle, pattern in FAKES:
        if needle in text and (m := pattern.search(text)):
            return m.group(0)
    return None


def _maybe(data: bytes) -> bool:
    return any(needle in data for needle in BYTE_NEEDLES)


def _hint(key: str) -> str:
    if key == "site.base_url":
        return HINTS[key]
    if key.startswith("legal."):
        return HINTS["legal"]
    if key.startswith("offers.") and key.endswith(".checkout"):
        return HINTS["checkout"]
    return DEFAULT_HINT


def _values(node, path: str, line):
    """(dotted key, line, text) of every text value under `node` (a LineDict / LineList from yamlsource)."""
    if isinstance(node, dict):
        lines = getattr(node, "lines", {}) or {}
        for key, value in node.items():
            yield from _values(value, f"{path}.{key}" if path else str(key), lines.get(key, line))
    elif isinstance(node, list):
        lines = getattr(node, "lines", []) or []
        for i, value in enumerate(node):
            yield from _values(value, f"{path}[{i}]", lines[i] if i < len(lines) else line)
    elif isinstance(node, str):
        yield path, line, node


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


WHY = ("A starter's marked values (the seller's legal data, payment links, the site's address, dates) are not "
       "yours: published, they are a false 特定商取引法 表記 and links that take no money.")


@rule("content.placeholders", area="integrity", why=WHY)
def placeholders(ctx):
    """No placeholder from `funnelgen new` is left: 【要記入】 / [FILL IN] anywhere in site.yml values or the pages,
    `.invalid` addresses, `FILLIN` payment links, phone numbers of zeros (error in `funnelgen check`, a warning in
    the build so a new site can be previewed)."""
    report = ctx.error if ctx.publishing else ctx.warn
    try:
        data = ctx.site.config_file.read_bytes()
    except OSError:  # the load stage has reported it
        data = b""
    if _maybe(data):
        from ..yamlsource import load_yaml_file

        try:
            config = load_yaml_file(ctx.site.config_file)
        except BuildError:
            config = {}
        for key, line, value in _values(config, "", None):
            if found_in(value):
                yield report(ctx.cfg, f"placeholder left: '{_short(value)}'", key=key, line=line, hint=_hint(key))


@rule("content.placeholders", area="integrity", why=WHY, html=True)
def placeholders_in_page(ctx, page):
    """The page part: each page's Markdown, as the page is built, so the build cache keeps the finding with the
    page (read again only when that page changes, not on every edit of another page)."""
    source = page.step.source if page.step is not None else None
    if not source:
        return
    try:
        data = source.read_bytes()
    except OSError:
        return
    if not _maybe(data):
        return
    report = ctx.error if ctx.publishing else ctx.warn
    for i, line in enumerate(data.decode("utf-8", "replace").splitlines(), 1):
        if found_in(line):
            yield report(rel(source), f"placeholder left: '{_short(line)}'", line=i, hint=PAGE_HINT)
