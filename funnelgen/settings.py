"""Typed settings: what the load stage hands on from site.yml's site:, legal: and tracking: sections.

Past the load stage nothing reads raw dicts: a renamed key is an AttributeError at the line that uses
it, not a KeyError on some page. Each record keeps `lines` (key -> line in site.yml) so checks can
still point at the exact spot.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields


def _lines(data) -> dict[str, int]:
    return dict(getattr(data, "lines", {}) or {})


def _take(cls, data, **overrides):
    """An instance of `cls` from the validated mapping `data` (unknown keys were refused by the schema)."""
    names = {f.name for f in fields(cls)} - {"lines"}
    values = {name: data.get(name) for name in names if name in data}
    values.update(overrides)
    return cls(**values, lines=_lines(data))


@dataclass
class SiteSettings:
    title: str
    base_url: str
    language: str = "ja"
    theme: str = "default"
    home: str | None = None
    description: str | None = None
    accent_color: str = "#c2410c"
    allow_html: bool = False
    line_url: str | None = None
    logo: str | None = None
    favicon: str | None = None
    share_image: str | None = None
    audience: tuple[str, ...] = ()
    industry: tuple[str, ...] = ()
    host: str = "netlify"  # funnelgen/hosts/
    csp: str = "enforce"  # enforce | report-only | off (funnelgen/csp.py)
    lines: dict[str, int] = field(default_factory=dict, repr=False)

    @classmethod
    def from_config(cls, data) -> SiteSettings:
        return _take(cls, data, audience=tuple(data.get("audience") or ()), industry=tuple(data.get("industry") or ()))


@dataclass
class Privacy:
    purposes: list[str]
    third_parties: str | None = None
    security: str | None = None
    requests: str | None = None
    updated: str | None = None
    established: str | None = None
    recipients: list = field(default_factory=list)
    lines: dict[str, int] = field(default_factory=dict, repr=False)


@dataclass
class Legal:
    """The seller's particulars (特定商取引法に基づく表記) and the privacy policy's facts."""

    seller: str
    representative: str
    address: str
    phone: str
    email: str
    extra_charges: str
    payment_methods: str
    payment_timing: str
    delivery_timing: str
    returns: str
    privacy: Privacy
    business_name: str | None = None
    on_request: tuple[str, ...] = ()
    lines: dict[str, int] = field(default_factory=dict, repr=False)

    @classmethod
    def from_config(cls, data) -> Legal:
        return _take(cls, data, privacy=_take(Privacy, data["privacy"]),
                     on_request=tuple(data.get("on_request") or ()))

    @property
    def shop_name(self) -> str:
        """The name customers know: the shop's name if it has one, else the seller's."""
        return self.business_name or self.seller


@dataclass
class Tracking:
    """Configured tracking: one value per enabled vendor (funnelgen/vendors/), plus raw head/body HTML."""

    vendors: dict[str, object]
    head: str | None = None
    body: str | None = None
    on_legal_pages: bool = False
    server_events: str | None = None  # host whose function sends purchases server-side
    browser_purchase: bool = True
    lines: dict[str, int] = field(default_factory=dict, repr=False)

    OPTIONS = ("head", "body", "on_legal_pages", "server_events", "browser_purchase")

    @classmethod
    def from_config(cls, data) -> Tracking:
        data = data or {}
        vendors = {k: v for k, v in data.items() if k not in cls.OPTIONS and v}
        return cls(vendors, data.get("head"), data.get("body"), bool(data.get("on_legal_pages")),
                   data.get("server_events"), data.get("browser_purchase", True) is not False, _lines(data))

    def get(self, key: str, default=None):
        """The value configured for vendor `key` (or head/body)."""
        if key in ("head", "body"):
            return getattr(self, key) or default
        return self.vendors.get(key, default)
