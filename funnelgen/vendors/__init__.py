"""Tracking vendors: the registry. Each module here is one vendor's entry (a `Vendor`, see base.py).

Adding a vendor is one module in this package, listed in `VENDORS` below, plus its docs and tests.
"""

from __future__ import annotations

from . import google, line, meta, tiktok, x, yahoo
from .base import GATED, GOOGLE_CONSENT_MODE, REVOKE_BEFORE_INIT, Snippet, Vendor

VENDORS: tuple[Vendor, ...] = (google.GTM, google.GA4, meta.META, tiktok.TIKTOK, line.LINE, yahoo.YAHOO, x.X)
BY_KEY: dict[str, Vendor] = {v.key: v for v in VENDORS}

__all__ = ["VENDORS", "BY_KEY", "Vendor", "Snippet", "GATED", "GOOGLE_CONSENT_MODE", "REVOKE_BEFORE_INIT",
           "enabled", "host_matches", "is_vendor_host"]


def enabled(tracking) -> list[tuple[Vendor, object]]:
    """(vendor, configured value) for every vendor set in tracking:, in registry order."""
    return [(v, tracking.get(v.key)) for v in VENDORS if tracking.get(v.key)]


def host_matches(host: str, pattern: str) -> bool:
    """`*.example.com` matches sub-domains of example.com (not example.com itself), as in CSP."""
    host = host.lower()
    if pattern.startswith("*."):
        return host.endswith(pattern[1:])
    return host == pattern


def is_vendor_host(host: str) -> bool:
    return any(host_matches(host, p) for v in VENDORS for p in v.all_hosts)
