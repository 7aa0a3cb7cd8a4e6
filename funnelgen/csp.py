"""The Content-Security-Policy of a built page, computed from what the page really contains.

Every inline `<script>` and `<style>` (and `style="…"` attribute) is allowed by its SHA-256 hash, external
scripts, images, frames and media by their origin, the enabled vendors' hosts come from the vendor registry
(funnelgen/vendors/) for the vendors whose tag is on the page, and forms may post only to the page's own form
actions. Nothing else runs: a script injected after the build (stored XSS in a CMS, a compromised CDN edit)
matches no hash and no host. Directives: https://www.w3.org/TR/CSP3/ ; hashes of inline scripts:
https://www.w3.org/TR/CSP3/#grammardef-hash-source (the text is hashed after the HTML parser's newline
normalisation, https://html.spec.whatwg.org/multipage/parsing.html#preprocessing-the-input-stream).

A policy in `<meta http-equiv>` cannot carry `frame-ancestors`, `report-uri` or `sandbox`, and cannot be
report-only (https://html.spec.whatwg.org/multipage/semantics.html#attr-meta-http-equiv-content-security-policy):
`meta_policy` drops what a meta tag would ignore.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import re
from html import unescape
from urllib.parse import urlsplit

from .vendors import enabled

MODES = ("enforce", "report-only", "off")
HEADER = {"enforce": "Content-Security-Policy", "report-only": "Content-Security-Policy-Report-Only"}
_SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.I | re.S)
_STYLE = re.compile(r"<style\b[^>]*>(.*?)</style\s*>", re.I | re.S)
_STYLE_ATTR = re.compile(r"<[a-zA-Z][^<>]*?\sstyle\s*=\s*(?:\"([^\"]*)\"|'([^']*)')", re.S)
_SRC_ATTR = re.compile(r"\bsrc\s*=\s*[\"']?([^\"'\s>]+)", re.I)
_TYPE_ATTR = re.compile(r"\btype\s*=\s*[\"']?([^\"'\s>]+)", re.I)
_EMBED = re.compile(r"<(img|iframe|video|audio|source|form)\b([^>]*)>", re.I)
_URL_ATTR = re.compile(r"\b(src|action|poster)\s*=\s*[\"']?([^\"'\s>]+)", re.I)
_VIDEO_FACADE = re.compile(r'\bdata-fg-video\s*=\s*"([^"]+)"', re.I)  # the player a click loads (media/)
_NOSCRIPT = re.compile(r"<noscript\b.*?</noscript\s*>", re.I | re.S)
_LINK = re.compile(r"<link\b([^>]*)>", re.I)
_ATTR = r"\b{}\s*=\s*[\"']?([^\"'>]*)"
# what a <link> loads, by rel (and `as` for preloads): https://html.spec.whatwg.org/multipage/links.html
_LINK_DIRECTIVE = {"stylesheet": "style-src", "icon": "img-src", "apple-touch-icon": "img-src",
                   "manifest": "manifest-src"}
_AS_DIRECTIVE = {"image": "img-src", "script": "script-src", "style": "style-src", "font": "font-src",
                 "fetch": "connect-src", "audio": "media-src", "video": "media-src"}
_META_IGNORED = ("frame-ancestors", "report-uri", "report-to", "sandbox")
_DIRECTIVE_OF = {"img": "img-src", "iframe": "frame-src", "video": "media-src", "audio": "media-src",
                 "source": "media-src", "form": "form-action"}


@functools.lru_cache(maxsize=512)  # every page repeats the theme's CSS and the vendor snippets
def sha256(text: str) -> str:
    """`'sha256-…'` of a script or style as the browser hashes it (CRLF and CR read as LF)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


def _origin(url: str) -> str | None:
    """`https://host[:port]` of an absolute http(s) URL; None for same-site, data: and the rest."""
    parts = urlsplit(unescape(url))
    if parts.scheme in ("http", "https") and parts.netloc:
        return f"{parts.scheme}://{parts.netloc}"
    return None


def page_sources(html: str, tracking) -> dict[str, list[str]]:
    """Directive -> the sources this page needs beyond 'self' (hashes, origins, vendor hosts)."""
    need: dict[str, list[str]] = {}

    def add(directive: str, source: str | None) -> None:
        if source and source not in need.setdefault(directive, []):
            need[directive].append(source)

    for attrs, body in _SCRIPT.findall(html):
        src = _SRC_ATTR.search(attrs)
        kind = _TYPE_ATTR.search(attrs)
        if src:
            add("script-src", _origin(src.group(1)))
        elif not (kind and "json" in kind.group(1).lower()):  # JSON data blocks never run
            add("script-src", sha256(body))
    for body in _STYLE.findall(html):
        add("style-src", sha256(body))
    for double, single in _STYLE_ATTR.findall(_NOSCRIPT.sub("", html)):  # noscript is text while scripts run
        add("style-src-attr", sha256(unescape(double or single)))
    for tag, attrs in _EMBED.findall(html):
        for _name, url in _URL_ATTR.findall(attrs):
            add(_DIRECTIVE_OF[tag.lower()], _origin(url))
    # funnel.js swaps in this iframe when the visitor clicks play (the literal test first: a case-blind
    # pattern with no literal prefix scans every position, 0.35 ms of a 17 KB page)
    for url in _VIDEO_FACADE.findall(html) if "data-fg-video" in html.lower() else ():
        add("frame-src", _origin(url))
    for attrs in _LINK.findall(html):
        found = {name: re.search(_ATTR.format(name), attrs, re.I) for name in ("rel", "as", "href")}
        rel, kind, href = (m.group(1).strip().lower() if m else "" for m in found.values())
        for word in rel.split():
            if word in ("preload", "prefetch", "modulepreload"):
                add(_AS_DIRECTIVE.get(kind, "script-src" if word == "modulepreload" else "default-src"), _origin(href))
            elif word in _LINK_DIRECTIVE:
                add(_LINK_DIRECTIVE[word], _origin(href))
    for vendor, _value in enabled(tracking):
        snippet = vendor.snippet
        if (snippet.src and snippet.src in html) or (snippet.text and re.search(snippet.text, html)):
            for directive, hosts in vendor.hosts.items():
                for host in hosts:  # scheme-less: https on https pages (LINE's own snippet picks http on http)
                    add(directive, host)
    return need


def policy(html: str, tracking) -> str:
    """The page's policy: default-src 'self' plus exactly what the page needs, no 'unsafe-inline'."""
    need = page_sources(html, tracking)
    attr = need.get("style-src-attr")
    directives = [
        ("default-src", ["'self'", *need.get("default-src", [])]),
        ("script-src", ["'self'", *need.get("script-src", [])]),
        ("style-src", ["'self'", *need.get("style-src", [])]),
        *([("style-src-attr", ["'unsafe-hashes'", *attr])] if attr else []),
        ("img-src", ["'self'", "data:", *need.get("img-src", [])]),
        ("connect-src", ["'self'", *need.get("connect-src", [])]),
        *([("font-src", ["'self'", *need["font-src"]])] if need.get("font-src") else []),
        *([("manifest-src", ["'self'", *need["manifest-src"]])] if need.get("manifest-src") else []),
        *([("frame-src", need["frame-src"])] if need.get("frame-src") else []),
        *([("media-src", ["'self'", *need["media-src"]])] if need.get("media-src") else []),
        ("form-action", ["'self'", *need.get("form-action", [])]),
        ("object-src", ["'none'"]),
        ("base-uri", ["'none'"]),
        ("frame-ancestors", ["'none'"]),
    ]
    return "; ".join(f"{name} {' '.join(sources)}" for name, sources in directives)


def meta_policy(text: str) -> str:
    """The policy without the directives a <meta> tag ignores (browsers log each one as an error)."""
    return "; ".join(d for d in text.split("; ") if d.split(" ", 1)[0] not in _META_IGNORED)


_CHARSET = re.compile(r"<meta\s+charset=[\"']?[\w-]+[\"']?\s*/?>", re.I)


def insert_meta(html: str, text: str) -> str:
    """Put the policy right after <meta charset>, before any script or style it governs."""
    content = meta_policy(text).replace("&", "&amp;").replace('"', "&quot;")  # quotes ' stay readable
    tag = f'\n<meta http-equiv="Content-Security-Policy" content="{content}">'
    match = _CHARSET.search(html)
    if match is None:
        head = re.search(r"<head\b[^>]*>", html, re.I)
        if head is None:
            return tag.lstrip() + html
        match = head
    return html[:match.end()] + tag + html[match.end():]


def add_sources(text: str, directive: str, sources: list[str]) -> str:
    """The policy with `sources` added to `directive` (the dev server allows its own reload script)."""
    out, found = [], False
    for part in text.split("; "):
        name = part.split(" ", 1)[0]
        if name == directive:
            found = True
            part = " ".join([part, *sources])
        out.append(part)
    if not found:
        out.append(" ".join([directive, "'self'", *sources]))
    return "; ".join(out)
