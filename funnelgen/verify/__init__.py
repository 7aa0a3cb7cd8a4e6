"""`funnelgen verify`: prove in a real browser that every funnel path works before deploying.

- paths come from funnelgen.graph: every path of every funnel (next/accept/decline);
- recorder: mirrors every enabled vendor's calls (from funnelgen/vendors/) across page navigations;
- walker (with tab: browser plumbing, actions: what the visitor does, tracking_checks: what each page
  must send, results: what was found): one Playwright browser context per path, checks at every step;
- report: the storyboard (static HTML, screenshots, report.json);
- run: build + preview server + parallel walkers; the `verify()` entry point;
- cli: the command's terminal output and exit codes.

Playwright is optional (`pip install 'funnelgen[verify]'`) and imported lazily.
"""

from __future__ import annotations

__all__ = ["verify"]


def verify(*args, **kwargs):
    from .run import verify as run

    return run(*args, **kwargs)
