"""What a build writes into the site folder, never into the output: the after-payment URLs to paste into a
payment provider, and the host function that reports purchases from Stripe's webhook."""

from __future__ import annotations

from pathlib import Path

from .errors import rel

CACHE_DIR = ".funnelgen"


def write_success_urls(site, success: list[tuple[str, str]]) -> Path | None:
    """Outside the publish folder: what to paste into each payment link's settings (None: not saved)."""
    if not success:
        return None
    target = site.src / CACHE_DIR / "success-urls.txt"
    try:
        target.parent.mkdir(exist_ok=True)
        lines = ["# After-payment redirect URL for each offer (paste into your payment provider).", ""]
        lines += [f"{oid}\t{url}" for oid, url in success]
        target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    except OSError:
        return None  # read-only source folder: the terminal still shows them
    return Path(rel(target))


def write_server_functions(site) -> None:
    """The host function that sends purchases from Stripe's webhook (docs/server-events.md), written into the
    site folder where the host looks for functions (netlify/functions/, functions/), never into the output."""
    from .functions import function_files

    for relpath, text in function_files(site, site.tracking.server_events).items():
        target = site.src / relpath
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
