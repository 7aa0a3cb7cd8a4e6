"""URL safety and URL building in one place, so every link obeys the same rules."""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit

_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")
SAFE_SCHEMES = {"http", "https", "mailto", "tel", "line"}


def unsafe_url_reason(url: str, allow_relative: bool = True) -> str:
    """Return why a URL must not be emitted, or '' when it is fine.

    Browsers ignore control characters and whitespace inside a scheme
    (`java\\tscript:`), so those are stripped before the scheme is read.
    """
    squeezed = re.sub(r"[\x00-\x20\x7f]", "", url)
    match = _SCHEME.match(squeezed)
    if match:
        scheme = match.group(1).lower()
        if scheme not in SAFE_SCHEMES:
            return f"uses the unsafe or unsupported scheme '{scheme}:'"
        if scheme in ("http", "https") and not urlsplit(squeezed).netloc:
            return "has no host name"
        return ""
    if squeezed.startswith("//"):
        return "is protocol-relative; write https:// explicitly"
    if not allow_relative:
        return "is not an absolute URL (it must start with https://)"
    return ""


def slug_path(prefix: str, slug: str) -> str:
    """`/prefix/slug/` with pretty-URL trailing slash (saves Netlify a 301 hop)."""
    if not slug:
        return prefix
    return f"{prefix}{quote(slug)}/"


def base_path(base_url: str) -> str:
    """The path part of base_url, so sites can live under a sub-folder."""
    path = urlsplit(base_url).path or "/"
    return path if path.endswith("/") else path + "/"


def under_prefix(prefix: str, url: str) -> str:
    """A root-relative site URL (`/downloads/a.pdf`) moved under the base_url's path on sub-folder sites."""
    if prefix != "/" and url.startswith("/") and not url.startswith(("//", prefix)):
        return prefix + url[1:]
    return url


def absolute(base_url: str, path: str) -> str:
    """Absolute URL for a root-relative site path."""
    parts = urlsplit(base_url)
    return f"{parts.scheme}://{parts.netloc}{path}"


def add_query(url: str, params: dict[str, str]) -> str:
    """Append query parameters, keeping `{CHECKOUT_SESSION_ID}` literal for Stripe."""
    if not params:
        return url
    from urllib.parse import urlencode

    query = urlencode(params, safe="{}")
    return url + ("&" if "?" in url else "?") + query
