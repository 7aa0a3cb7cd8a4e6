"""What a tracking vendor entry says (the `Vendor` record); the entries are the modules beside this one.

A `Vendor` says everything funnelgen needs to know about one ad or analytics tag: how its ID is
written in site.yml, the snippets and where they go, the hosts it loads from and sends to (the
browser stubs of `verify` and the content security policy), who receives the data (the privacy page's
外部送信 notice), which funnel events it gets and under which names, the JavaScript that sends them
(assembled into the runtime only for enabled vendors), how it behaves under EU consent, and how the
checks recognise its snippet.

Canonical funnel events (the `event` of every call): lead, registration, view_item, begin_checkout,
purchase. `funnelgen.tracking.EVENTS` holds their GA4/dataLayer names.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

# What a vendor does under EU consent (site.audience: eu), see docs/check.md eu.consent-mode:
GOOGLE_CONSENT_MODE = "consent-mode"  # loads with denied defaults, updated on acceptance
REVOKE_BEFORE_INIT = "revoke"  # Meta: fbq('consent','revoke') before init, or waits for consent
GATED = "gated"  # no consent API: the tag itself must wait until the visitor accepts


@dataclass(frozen=True)
class Snippet:
    """How the checks recognise a vendor's main tag on a built page."""

    src: str = ""  # a fragment of the <script src> (or data-src)
    text: str = ""  # a regular expression on an inline script's text
    noscript: tuple[str, str] | None = None  # (tag, src fragment) of its noscript pixel, if any
    carries_id: bool = True  # the snippet names the vendor's (first) id, so the check can compare it

    def matches(self, el) -> bool:
        if el.tag != "script":
            return False
        if self.src:
            return self.src in (el.get("src") or el.get("data-src") or "")
        return bool(re.search(self.text, el.text))


@dataclass(frozen=True)
class Vendor:
    key: str  # the key under tracking: in site.yml
    name: str  # for messages: "Meta Pixel"
    spec: object  # funnelgen.schema.Spec of the value
    recipient: dict[str, str]  # language -> who receives the data (外部送信 notice)
    country: dict[str, str]  # language -> where the recipient is (APPI Art. 28); "" for Japan
    hosts: dict[str, tuple[str, ...]]  # CSP directive -> hosts ("*.example.com" allowed)
    head: Callable[[object], str]  # value -> snippet for <head>
    snippet: Snippet
    docs: str  # the vendor's own install documentation
    body: Callable[[object], str] = lambda value: ""  # noscript part right after <body>
    events: dict[str, str] = field(default_factory=dict)  # canonical event -> the vendor's event name
    adapter: str = ""  # JS `function (d, cfg, w)` sending one event (see runtime/funnel.js)
    runtime_config: Callable[[object], object] = lambda value: None  # what the adapter needs (JSON)
    consent: str = GATED
    # verify: where the browser recorder finds the vendor's calls ("fn:NAME": calls of the global function
    # NAME; "queue:NAME": what is pushed onto the array NAME), and how to read one call
    # as (vendor event name, {"value", "currency", "id"}) or None when it is not an event.
    recorder: str = ""
    read_call: Callable[[list], tuple[str, dict] | None] = lambda args: None
    examples: tuple[str, ...] = ()  # documentation example IDs: copied verbatim, they measure nothing
    ids: Callable[[object], list[tuple[str, str]]] = lambda value: [("", str(value))]  # (sub-key, id) pairs

    def event_names(self, value) -> dict[str, str]:
        """Canonical event -> this vendor's name for it (some vendors take the names from site.yml)."""
        configured = getattr(value, "get", lambda _k: None)("events")
        return dict(configured) if isinstance(configured, dict) else dict(self.events)

    @property
    def all_hosts(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(h for hosts in self.hosts.values() for h in hosts))


def track_call_reader(dedupe_option: str) -> Callable[[list], tuple[str, dict] | None]:
    """read_call for pixels called as (…)('track', name, params, options) — Meta's fbq and TikTok's ttq — whose
    options name the deduplication id differently (`eventID`, `event_id`)."""
    def read(args: list) -> tuple[str, dict] | None:
        if len(args) < 2 or args[0] != "track":
            return None
        params = args[2] if len(args) > 2 and isinstance(args[2], dict) else {}
        options = args[3] if len(args) > 3 and isinstance(args[3], dict) else {}
        ids = params.get("content_ids") or [None]
        return str(args[1]), {"value": params.get("value"), "currency": params.get("currency"), "offer": ids[0],
                              "id": options.get(dedupe_option), "params": params}
    return read

