"""Placeholders left from `funnelgen new`: the values a starter cannot know (the seller's legal data, payment
links, the site's address, dates) are marked, and a site may not go live while a mark is left.

One marker per language, in text: 「【要記入】」 (ja) and "[FILL IN]" (en); both are recognised on any site.
Values with a format of their own cannot carry it, so they get a form that is clearly fake: a URL or email
address whose host ends in `.invalid` (a name reserved never to resolve, RFC 2606 section 2:
https://www.rfc-editor.org/rfc/rfc2606#section-2), a payment link containing `FILLIN`, and a phone number
made only of zeros. `funnelgen check` reports each one as an error; the build and the preview only warn, so
a new site can be looked at at once.
"""

from __future__ import annotations

import re

from ..errors import BuildError, rel
from .registry import rule

MARKERS = {"ja": "【要記入】", "en": "[FILL IN]"}
_MARK = "|".join(re.escape(m) for m in MARKERS.values())
_HOST = r"[A-Za-z0-9.-]*\.invalid\b"
# In a value or a line of copy: a marker, a URL/email on a .invalid host, a FILLIN link, a phone of zeros.
FOUND = re.compile(rf"{_MARK}|(?://|@){_HOST}|https://\S*FILLIN|(?<![\d-])\+?0{{2,5}}(?:[- ]?0{{2,5}}){{2}}(?![\d-])")

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
    m = FOUND.search(text)
    return m.group(0) if m else None


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


@rule("content.placeholders", area="integrity",
      why="A starter's marked values (the seller's legal data, payment links, the site's address, dates) are not "
          "yours: published, they are a false 特定商取引法 表記 and links that take no money.")
def placeholders(ctx):
    """No placeholder from `funnelgen new` is left: 【要記入】 / [FILL IN] anywhere in site.yml values or the pages,
    `.invalid` addresses, `FILLIN` payment links, phone numbers of zeros (error in `funnelgen check`, a warning in
    the build so a new site can be previewed)."""
    report = ctx.error if ctx.publishing else ctx.warn
    try:
        from ..yamlsource import load_yaml_file

        data = load_yaml_file(ctx.site.config_file)
    except BuildError:  # the build has reported it already
        data = {}
    for key, line, text in _values(data, "", None):
        mark = found_in(text)
        if mark:
            yield report(ctx.cfg, f"placeholder left: '{_short(text)}'", key=key, line=line, hint=_hint(key))
    seen = set()
    for step in ctx.site.steps.values():
        if not step.source or step.source in seen:
            continue
        seen.add(step.source)
        for i, text in enumerate(ctx.source_lines(step), 1):
            if found_in(text):
                yield report(rel(step.source), f"placeholder left: '{_short(text)}'", line=i, hint=PAGE_HINT)
        ctx.forget_source(step)
