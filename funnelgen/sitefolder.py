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
        _write_if_changed(target, "\n".join(lines) + "\n")
    except OSError:
        return None  # read-only source folder: the terminal still shows them
    return Path(rel(target))


def write_server_functions(site) -> list[Path]:
    """The host function that sends purchases from Stripe's webhook (docs/server-events.md), written into the
    site folder where the host looks for functions (netlify/functions/, functions/), never into the output.
    Returns the files."""
    from .functions import function_files

    files = []
    for relpath, text in function_files(site, site.tracking.server_events).items():
        target = site.src / relpath
        files.append(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        _write_if_changed(target, text)
    return files


def _write_if_changed(target: Path, text: str) -> None:
    """A file that already says the same keeps its time: the next build sees nothing changed (unchanged.py)."""
    try:
        if target.read_text(encoding="utf-8") == text:
            return
    except (OSError, UnicodeDecodeError):
        pass
    target.write_text(text, encoding="utf-8")
